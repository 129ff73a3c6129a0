"""Writing the warehouse while the dashboard reads it: never in place.

DuckDB lets one process write a database file, or several read it, not both: an import that opened the
served warehouse in write mode died on « Could not set lock on file … Conflicting lock is held ». So every
writer (`python -m loaders build`, `python -m loaders import indicateurs|contours`):

1. takes the writers' lock (`<warehouse>.lock`, an flock released by the OS if the process dies), so two
   writers never build on the same original and lose each other's work; a second writer waits for the first
   (OBSERVATOIRE_WRITE_TIMEOUT seconds, default 300) and then says in French what is going on;
2. writes a private copy of the warehouse (the build: a new file), checkpointed and closed;
3. swaps it in with os.replace (atomic on one file system). Readers that have the old file open keep
   reading it until they reopen; the app keys its connection by the file's (mtime, inode), so its next
   rerun opens the new file (ui/common.py).
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

DEFAULT_TIMEOUT = 300.0


class WarehouseBusy(RuntimeError):
    """Another build or import is writing the warehouse for longer than the timeout."""


def lock_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".lock")


@contextmanager
def writer_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    """The one writer of this warehouse at a time (builds and imports queue up behind each other)."""
    timeout = float(os.environ.get("OBSERVATOIRE_WRITE_TIMEOUT", DEFAULT_TIMEOUT)) if timeout is None else timeout
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"Une autre mise à jour de l'entrepôt ({Path(db_path).name}) est en cours depuis plus de "
                        f"{timeout:g} s (reconstruction ou import). Attendez qu'elle se termine puis relancez la "
                        "commande ; le tableau de bord peut rester ouvert.") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@dataclass
class PrivateCopy:
    path: Path
    discard: bool = False          # set by the caller for a dry run (--verifier): nothing is swapped in


def scratch_path(db_path: Path, tag: str) -> Path:
    """A file next to the warehouse (same file system: os.replace stays atomic), unique to this process."""
    db_path = Path(db_path)
    p = db_path.with_name(f"{db_path.name}.{tag}{os.getpid()}")
    remove(p)
    return p


def remove(path: Path) -> None:
    for p in (Path(path), Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)


_SCRATCH = re.compile(r"\.(tmp|write)(\d+)(\.wal)?$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True                    # someone else's live process
    return True


def remove_leftovers(db_path: Path) -> list[Path]:
    """Delete the scratch files (`<warehouse>.tmp<PID>`, `.write<PID>` and their `.wal`) of builds and imports
    whose process died before cleaning up (SIGKILL, power cut): tens of megabytes each. A file whose process
    still runs is kept (it is being written). Returns the files removed. Called at every build and by
    `python -m loaders ensure` (which the app's start runs), and by the app when it first opens the
    warehouse."""
    db_path = Path(db_path)
    removed = []
    if not db_path.parent.is_dir():
        return removed
    for p in sorted(db_path.parent.glob(db_path.name + ".*")):
        m = _SCRATCH.search(p.name[len(db_path.name):])
        if m and p.name[len(db_path.name):] == m.group(0) and not _alive(int(m.group(2))):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


@contextmanager
def private_copy(db_path: Path) -> Iterator[PrivateCopy]:
    """Under writer_lock: a copy of the warehouse to write; swapped in when the block ends without error
    (the caller has committed, checkpointed and closed its connection), removed otherwise."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"Entrepôt introuvable : {db_path}. Construisez-le avec `python -m loaders build`.")
    copy = PrivateCopy(scratch_path(db_path, "write"))
    shutil.copyfile(db_path, copy.path)         # not copy2: the copy gets its own modification time
    try:
        yield copy
    except BaseException:
        remove(copy.path)
        raise
    if copy.discard:
        remove(copy.path)
        return
    publish(copy.path, db_path)


def publish(new: Path, db_path: Path) -> None:
    """Swap a finished warehouse file in (atomic rename; no write-ahead log may be left beside it)."""
    if Path(str(new) + ".wal").exists():
        raise RuntimeError(f"{new.name} : journal d'écriture non vidé (CHECKPOINT manquant) ; entrepôt non remplacé")
    os.replace(new, db_path)
