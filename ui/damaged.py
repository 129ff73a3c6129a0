"""A damaged warehouse met by a page (issue 19): the French message, and its rebuild started in the background.

Used by ui/common.py (the connection) and ui/navigation.py (anything a page reads), which both import it."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import streamlit as st

from observatoire import settings

_rebuild = {"at": None}
_rebuild_lock = threading.Lock()
REBUILD_EVERY = 600           # seconds between two rebuilds a process starts by itself


def start_rebuild() -> bool:
    """Rebuild a damaged warehouse in the background (`python -m loaders ensure`: from the sources and the
    recorded imports, swapped in atomically; pages then read the new file by themselves). At most one start
    every REBUILD_EVERY seconds per process; replicas starting one each queue behind the writers' lock, and the
    second finds the warehouse sound. Returns whether this call started it."""
    with _rebuild_lock:
        last = _rebuild["at"]
        if last is not None and time.monotonic() - last < REBUILD_EVERY:
            return False
        _rebuild["at"] = time.monotonic()
    log = settings.db_path().with_name(settings.db_path().name + ".reconstruction.log")
    with open(log, "ab") as out:
        subprocess.Popen([sys.executable, "-m", "loaders", "ensure", "--quiet"], cwd=settings.PROJECT_DIR,
                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                         env=dict(os.environ))
    return True


def show_damaged(exc: BaseException):
    """A page met an unreadable warehouse: say it in French, start its rebuild, stop the page."""
    started = start_rebuild()
    st.error("**L'entrepôt de données est illisible** (fichier endommagé ou tronqué). "
             + ("Sa reconstruction depuis les fichiers sources et les imports enregistrés vient de commencer"
                if started else "Sa reconstruction depuis les fichiers sources et les imports enregistrés est en "
                                "cours")
             + " : rechargez la page dans une ou deux minutes. Si ce message reste, lancez sur le serveur "
               "`python -m loaders ensure`. Les données saisies (programmation, engagements, enquêtes) ne sont "
               "pas touchées.", icon=":material/build:")
    st.stop()
