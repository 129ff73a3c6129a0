"""Load and concurrency bench: browser-less sessions against a running Streamlit server, and concurrent edits.

Mode `pages` (default): N sessions (20) speak Streamlit's websocket protocol (/_stcore/stream, the BackMsg /
ForwardMsg protobufs the browser exchanges) and go from page to page for D seconds (60), each waiting for its
page to finish, then reading it for about `--pause` seconds (2), before asking the next, as users clicking
through the menu; `--replicas 2` starts two servers sharing a PostgreSQL saisie database and spreads the
sessions over them (what nginx does in docs/DEPLOIEMENT.md). Prints the page time (request sent
→ script finished, p50/p95 per page and overall), the errors (exceptions shown on a page, timeouts, broken
connections) and the server's memory (RSS of the server process and its children: start, peak, end).

Mode `edits`: S sessions (10), spread over P processes (2, like two replicas), edit the same few démo
engagements as the pages do (read the row and its row_version, then store.apply an update of that version),
for D seconds. Afterwards every accepted edit must be in the audit trail with its value, each engagement's
row_version must have grown by its number of accepted edits, its final value must be the last accepted one,
and every other attempt must have been reported (ConflictError, or StoreBusy: nothing written).

Usage:
  python bench/load.py                                  # starts its own server (environment as is) on a free port
  python bench/load.py --url http://127.0.0.1:8501 --pid 12345   # a server already running (pid for memory)
  OBSERVATOIRE_SAISIE_URL=postgresql://… python bench/load.py --replicas 2
  python bench/load.py --mode edits [--sessions 10] [--processes 2] [--duration 30]
The saisie database is the configured one (OBSERVATOIRE_SAISIE_URL, else OBSERVATOIRE_SAISIE_DB); the edits
mode changes only démo rows (the `referent` of démo engagements). Prints figures; exits 1 on errors or a lost
edit, so that a run can be checked by a script — never a timed unit test.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # installed with Streamlit
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import served
from contract import store
from contract.errors import ConflictError, StoreBusy
from contract.roles import User

# The pages of bench/pages.py (the default page, Accueil, answers on the empty url path).
PAGES = [(name, page, params) for name, page, params, _target in served.PAGES]
PAGE_TIMEOUT = 180.0


# --------------------------------------------------------------------------- server and memory

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict | None = None, log=subprocess.DEVNULL) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port (environment: this one, or `env`), once it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:      # still finishing the runs of dropped sessions
        proc.kill()
        proc.wait(timeout=30)


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server stopped (code {proc.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} after {timeout:g} s")


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, in MiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo += children.get(p, [])
    return total / 1024


class MemorySampler(threading.Thread):
    def __init__(self, pid: int | None):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()

    def run(self) -> None:
        while self.pid and not self.stop.is_set():
            self.samples.append(rss_mib(self.pid))
            self.stop.wait(1.0)


# --------------------------------------------------------------------------- one browser-less session

def rerun(page: str, params: dict) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = urlencode(params)
    msg.rerun_script.page_name = page
    msg.rerun_script.widget_states.SetInParent()
    return msg.SerializeToString()


async def load_page(ws, page: str, params: dict, sink: list | None = None) -> tuple[float, list[str]]:
    """Ask for a page and wait until its script finished; (seconds, errors shown on the page). The raw
    messages the server sent go to `sink` when given (a test reads what a browser would receive)."""
    t0 = time.perf_counter()
    await ws.send(rerun(page, params))
    errors: list[str] = []
    while True:
        raw = await asyncio.wait_for(ws.recv(), timeout=PAGE_TIMEOUT)
        if sink is not None:
            sink.append(raw)
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element" \
                and fm.delta.new_element.WhichOneof("type") == "exception":
            ex = fm.delta.new_element.exception
            where = " ← ".join(line.strip() for line in list(ex.stack_trace)[-4:] if line.strip().startswith("File"))
            errors.append(f"{ex.type}: {ex.message}"[:300] + (f" ({where[-600:]})" if where else ""))
        elif kind == "page_not_found":
            errors.append(f"page introuvable : {page}")
        elif kind == "session_event" and fm.session_event.WhichOneof("type") == "script_compilation_exception":
            errors.append("erreur de compilation")
        elif kind == "script_finished":
            if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue                      # st.rerun() inside the page: the next run follows
            return time.perf_counter() - t0, errors


async def session(url: str, n: int, deadline: float, times: dict, errors: list, max_pages: int | None = None,
                  pause: float = 0.0) -> None:
    ws_url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    order = PAGES[n % len(PAGES):] + PAGES[:n % len(PAGES)]
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                      ping_interval=None) as ws:
            i = 0
            while time.monotonic() < deadline and (max_pages is None or i < max_pages):
                name, page, params = order[i % len(order)]
                i += 1
                try:
                    seconds, errs = await load_page(ws, page, params)
                except TimeoutError:
                    errors.append((name, f"pas de fin de page après {PAGE_TIMEOUT:g} s"))
                    return
                times.setdefault(name, []).append(seconds)
                errors.extend((name, e) for e in errs)
                if pause:
                    await asyncio.sleep(random.uniform(0.5, 1.5) * pause)     # the user reads the page
    except (OSError, websockets.WebSocketException) as exc:
        errors.append(("connexion", f"{type(exc).__name__}: {exc}"))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_pages(args) -> int:
    procs: list[subprocess.Popen] = []
    if args.url:
        urls, pids = [args.url], [args.pid] if args.pid else []
        wait_healthy(args.url)
    else:
        if args.replicas > 1 and store.engines.backend_for(None).kind != "postgresql":
            print("Plusieurs instances demandent une base de saisie PostgreSQL (OBSERVATOIRE_SAISIE_URL).")
            return 1
        urls = []
        for i in range(args.replicas):
            port = args.port + i if args.port else free_port()
            print(f"[load] démarrage d'un serveur Streamlit sur le port {port} ({store.target_label()})…", flush=True)
            procs.append(start_server(port))
            urls.append(f"http://127.0.0.1:{port}")
        pids = [p.pid for p in procs]
    url = ", ".join(urls)
    samplers = [MemorySampler(pid) for pid in pids]
    for sampler in samplers:
        sampler.start()
    try:
        # one warm-up visit of every page (first runs fill the caches), not counted
        warm: dict = {}
        warm_errors: list = []
        for u in urls:
            asyncio.run(session(u, 0, time.monotonic() + 600, warm, warm_errors, max_pages=len(PAGES)))
        print("[load] échauffement (une visite de chaque page) : "
              + ", ".join(f"{k} {v[0]:.1f} s" for k, v in warm.items()), flush=True)
        times: dict[str, list[float]] = {}
        errors: list[tuple[str, str]] = []
        load_before = served.load_average()
        cpu0 = [served.cpu_seconds(p) for p in pids]
        t0 = time.monotonic()

        async def everyone():
            deadline = time.monotonic() + args.duration
            await asyncio.gather(*(session(urls[n % len(urls)], n, deadline, times, errors, pause=args.pause)
                                   for n in range(args.sessions)))
        asyncio.run(everyone())
        elapsed = time.monotonic() - t0
        cpu = sum(served.cpu_seconds(p) for p in pids) - sum(cpu0)
        load_after = served.load_average()
        errors = warm_errors + errors
    finally:
        for sampler in samplers:
            sampler.stop.set()
            sampler.join()
        for proc in procs:
            stop_server(proc)
    every = [t for v in times.values() for t in v]
    print(f"\n{args.sessions} sessions (pause moyenne {args.pause:g} s entre deux pages), {elapsed:.0f} s, "
          f"{len(every)} pages servies ({len(every) / elapsed:.2f} pages/s), {len(urls)} instance(s) {url}, "
          f"base de saisie {store.target_label()}")
    print(f"{'page':<26} {'n':>5} {'p50 (s)':>8} {'p95 (s)':>8} {'max (s)':>8}")
    for name, _, _ in PAGES:
        v = times.get(name, [])
        if v:
            print(f"{name:<26} {len(v):>5} {pct(v, .5):>8.2f} {pct(v, .95):>8.2f} {max(v):>8.2f}")
    if every:
        print(f"{'ensemble':<26} {len(every):>5} {pct(every, .5):>8.2f} {pct(every, .95):>8.2f} {max(every):>8.2f}")
    if pids and every:
        print(f"CPU des serveurs pendant la mesure : {cpu:.1f} s, soit {cpu / len(every):.3f} s par page servie ; "
              f"charge de la machine (1, 5, 15 min) {load_before} au début, {load_after} à la fin")
    for i, sampler in enumerate(samplers):
        if sampler.samples:
            print(f"mémoire de l'instance {i + 1} (RSS, processus et enfants) : début {sampler.samples[0]:.0f} Mio, "
                  f"pic {max(sampler.samples):.0f} Mio, fin {sampler.samples[-1]:.0f} Mio")
    print(f"erreurs : {len(errors)}")
    for name, e in errors[:20]:
        print(f"  - {name} : {e}")
    return 1 if errors or not every else 0


# --------------------------------------------------------------------------- concurrent edits

def _edit_worker(args) -> list[tuple]:
    """Sessions of one process (one replica): threads doing read-modify-write on the same engagements."""
    target, ids, sessions, duration, seed = args
    records: list[tuple] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def one(name: str) -> None:
        rng = random.Random(f"{seed}-{name}")
        user = User(name, "chef_de_projet", authenticated=True)
        seq = 0
        while time.monotonic() < deadline:
            eid = rng.choice(ids)
            seq += 1
            value = f"{name}#{seq}"
            try:
                with store.connect(target) as con:
                    version = con.execute("SELECT row_version FROM engagement WHERE id = ?", [eid]).fetchone()[0]
                time.sleep(rng.random() * 0.02)                   # the user looks at the form
                store.apply([store.Edit("engagement", "update", eid, version, {"referent": value})], user, target)
                outcome = "accepted"
            except ConflictError:
                outcome = "conflict"
            except StoreBusy:
                outcome = "busy"
            except Exception as exc:  # noqa: BLE001 - counted and printed: the bench must not stop
                outcome = f"error {type(exc).__name__}: {exc}"[:200]
            with lock:
                records.append((name, eid, value, outcome))

    threads = [threading.Thread(target=one, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.dispose(target)
    return records


def run_edits(args) -> int:
    target = store.engines.backend_for(None).target
    with store.connect(target) as con:
        rows = con.execute("SELECT id, row_version FROM engagement WHERE is_demo ORDER BY id LIMIT ?",
                           [args.engagements]).fetchall()
        start = con.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    if not rows:
        print("Aucun engagement de démonstration : lancez d'abord `python -m loaders ensure`.")
        return 1
    ids = [r[0] for r in rows]
    before = dict(rows)
    names = [f"bench-{i:02d}" for i in range(args.sessions)]
    groups = [names[i::args.processes] for i in range(args.processes)]
    t0 = time.monotonic()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.processes) as pool:
        parts = pool.map(_edit_worker, [(target, ids, g, args.duration, i) for i, g in enumerate(groups)])
    elapsed = time.monotonic() - t0
    records = [r for part in parts for r in part]
    accepted = [(n, e, v) for n, e, v, o in records if o == "accepted"]
    conflicts = sum(1 for r in records if r[3] == "conflict")
    busy = sum(1 for r in records if r[3] == "busy")
    errors = [r for r in records if r[3].startswith("error")]
    with store.connect(target) as con:
        audited = con.execute("SELECT who, row_id, new_value FROM audit WHERE id > ? AND op = 'update' "
                              "AND column_name = 'referent' AND who LIKE 'bench-%' ORDER BY id", [start]).fetchall()
        after = dict(con.execute("SELECT id, row_version FROM engagement WHERE id IN (SELECT unnest(CAST(? AS BIGINT[])))",
                                 [ids]).fetchall())
        final = dict(con.execute("SELECT id, referent FROM engagement WHERE id IN (SELECT unnest(CAST(? AS BIGINT[])))",
                                 [ids]).fetchall())
    missing = set(accepted) - set(audited)
    phantom = set(audited) - set(accepted)
    per_row = {e: sum(1 for _, x, _ in accepted if x == e) for e in ids}
    bad_versions = {e: (before[e], after[e], per_row[e]) for e in ids if after[e] - before[e] != per_row[e]}
    last = {}
    for who, e, v in audited:
        last[e] = v
    bad_final = {e: (final[e], last.get(e)) for e in ids if per_row[e] and final[e] != last.get(e)}
    print(f"\n{args.sessions} sessions en {args.processes} processus, {len(ids)} engagements partagés, "
          f"{elapsed:.0f} s, base {store.target_label(target)}")
    print(f"tentatives {len(records)} ; acceptées {len(accepted)} ({len(accepted) / elapsed:.1f}/s) ; "
          f"conflits signalés {conflicts} ; base occupée signalée {busy} ; erreurs {len(errors)}")
    print(f"acceptées absentes de l'audit : {len(missing)} ; lignes d'audit sans modification acceptée : "
          f"{len(phantom)} ; versions incohérentes : {len(bad_versions)} ; valeur finale ≠ dernière acceptée : "
          f"{len(bad_final)}")
    for r in errors[:10]:
        print(f"  - {r}")
    lost = missing or phantom or bad_versions or bad_final
    print("AUCUNE MODIFICATION PERDUE" if not lost and not errors else "MODIFICATIONS PERDUES OU ERREURS")
    return 1 if lost or errors or not accepted else 0


def main(argv: list[str] | None = None) -> int:
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser(prog="python bench/load.py", description="Mesure de charge et de concurrence : sessions "
                        "sans navigateur contre un serveur Streamlit, et modifications simultanées.")
    ap.add_argument("--mode", choices=["pages", "edits"], default="pages")
    ap.add_argument("--url", help="serveur déjà lancé (défaut : un serveur est démarré pour la mesure)")
    ap.add_argument("--pid", type=int, help="pid du serveur déjà lancé, pour sa mémoire")
    ap.add_argument("--port", type=int, default=0,
                    help="pages : port du premier serveur démarré, les suivants à la suite (défaut : ports libres)")
    ap.add_argument("--sessions", type=int, help="sessions simultanées (défaut : 20 en pages, 10 en edits)")
    ap.add_argument("--duration", type=float, default=60.0, help="secondes de mesure (défaut : 60)")
    ap.add_argument("--pause", type=float, default=2.0,
                    help="pages : pause moyenne (s) d'une session entre deux pages, le temps de lire (défaut : 2)")
    ap.add_argument("--replicas", type=int, default=1,
                    help="pages : instances Streamlit démarrées, sessions réparties (base PostgreSQL) (défaut : 1)")
    ap.add_argument("--processes", type=int, default=2, help="edits : processus (répliques) (défaut : 2)")
    ap.add_argument("--engagements", type=int, default=3, help="edits : engagements partagés (défaut : 3)")
    args = ap.parse_args(argv)
    if args.mode == "pages":
        args.sessions = args.sessions or 20
        return run_pages(args)
    args.sessions = args.sessions or 10
    return run_edits(args)


if __name__ == "__main__":
    sys.exit(main())
