"""Server time of every page, measured on a real Streamlit server (issue 21): cold, warm, and where it goes.

A browser-less session speaks Streamlit's websocket protocol (bench/load.py) to a server this script starts
(or `--url`/`--pid`), and asks for each page in turn, one at a time:
- **froid**: the first view after emptying Streamlit's caches (the « Clear cache » message of the menu:
  st.cache_data, st.cache_resource and the session's state), so what a view costs when nothing is computed;
- **chaud**: the median of `--repeat` later views (what a visitor costs once the views are computed);
- **CPU**: the server process's CPU time (user + system, every thread: script, websocket, serialisation)
  during one warm view, read in /proc — steadier than wall time when other programs share the two cores;
- **profile** (`--profil`): py-spy samples the server while it serves the page warm again and again; the
  functions that hold the most samples (inclusive, project code and the heavy libraries; then self time).
Wall time runs from the request to the server's « script finished » message: the script's run, the
serialisation of its elements and a loopback hop. The first visitor after a start (`premier visiteur`) is
timed from the first healthy answer of a fresh server, as a user opening the baromètre would wait.

Usage: python bench/pages.py [--repeat 5] [--profil] [--pages fiche,barometre] [--port 8701]
       python bench/pages.py --url http://127.0.0.1:8501 --pid 12345
Targets (issue 21, warm): ≤ 0.1 s for Accueil, Fiche, Baromètre, Comparer and the contract-life pages;
≤ 0.3 s for the national map; first visitor ≤ 2 s. Prints figures; never fails.
"""
from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.served import PAGES, cpu_seconds, load_average

FIRST_VISIT = ("Baromètre QN03107M", "barometre", {"quartier": "QN03107M"})
RATE = 200                     # py-spy samples per second


# --------------------------------------------------------------------------- one session

class Session:
    """One browser-less session on the server (a websocket kept open between pages)."""

    def __init__(self, url: str):
        self.url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.loop = asyncio.new_event_loop()
        self.ws = None

    def _do(self, coro):
        return self.loop.run_until_complete(coro)

    def open(self) -> Session:
        import websockets
        self.ws = self._do(websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                              open_timeout=120, ping_interval=None))
        return self

    def close(self) -> None:
        if self.ws is not None:
            self._do(self.ws.close())
        self.loop.close()

    def page(self, page: str, params: dict) -> tuple[float, list[str]]:
        from bench import load
        return self._do(load.load_page(self.ws, page, params))

    def clear_caches(self) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        msg = BackMsg()
        msg.clear_cache = True
        self._do(self.ws.send(msg.SerializeToString()))
        time.sleep(0.3)          # handled before the next rerun request, which the server queues behind it


# --------------------------------------------------------------------------- profiles (py-spy)

def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


def profile(pid: int, session: Session, page: str, params: dict, seconds: float) -> list[str] | None:
    """Sample the server with py-spy while the session asks for the page again and again; summary lines."""
    spy = py_spy()
    if spy is None:
        return None
    with tempfile.TemporaryDirectory(prefix="obs-profile-") as tmp:
        out = Path(tmp) / "profile.txt"
        rec = subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--function", "--nonblocking",
                                "--rate", str(RATE), "--output", str(out), "--duration", str(int(seconds) + 60)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)                                      # py-spy attached
        t0, views = time.monotonic(), 0
        while time.monotonic() - t0 < seconds or views < 3:
            session.page(page, params)
            views += 1
        rec.send_signal(2)                                   # SIGINT: py-spy writes its file and stops
        rec.wait(timeout=60)
        if not out.exists():
            return [f"(py-spy : {rec.stderr.read().decode(errors='replace').strip()[:200]})"]
        return summarise(out.read_text(errors="replace"), views)


def _frame_name(frame: str) -> tuple[str, str]:
    """('function', 'short/file.py') of one py-spy raw frame « function (path/file.py:line) »."""
    func, _, where = frame.rpartition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    root = str(ROOT) + "/"
    if path.startswith(root):
        path = path[len(root):]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    return func or frame, path


def summarise(raw: str, views: int, top: int = 8) -> list[str]:
    """Where a warm view's samples go (% of the server's busy samples): script vs. after it vs. other threads;
    the project's functions (inclusive); the library calls the project makes (inclusive); the self times."""
    parts: Counter = Counter()
    project: Counter = Counter()
    calls: Counter = Counter()
    self_time: Counter = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame_name(f) for f in stack.split(";")[1:]]     # first item: the thread
        if not frames:
            continue
        total += n
        names = [f"{path}:{func}" for func, path in frames]
        if any(k.endswith(":ScriptRunner._run_script.<locals>.code_to_exec") for k in names):
            parts["script de la page"] += n
        elif any(k.endswith(":ScriptRunner._on_script_finished") for k in names):
            parts["fin de script (Streamlit)"] += n
        else:
            parts["autres fils (websocket, sérialisation, boucle)"] += n
        seen = set()
        for i, (func, path) in enumerate(frames):
            key = names[i]
            if _own(path) and path not in ("app.py", "ui/navigation.py") and key not in seen:
                seen.add(key)
                project[key] += n
            if i and _own(frames[i - 1][1]) and not _own(path) and key not in seen:
                seen.add(key)
                calls[f"{key}  ← {frames[i - 1][1]}:{frames[i - 1][0]}"] += n
        self_time[names[-1]] += n
    if not total:
        return ["(aucun échantillon)"]
    pct = lambda n: f"{100 * n / total:5.1f} %"  # noqa: E731
    lines = [f"{total} échantillons actifs sur {views} vues ({total / views / RATE:.3f} s échantillonnées par vue)"]
    lines += [f"  {pct(n)}  {k}" for k, n in parts.most_common()]
    lines += [f"  projet {pct(n)}  {k}" for k, n in project.most_common(top)]
    lines += [f"  appel  {pct(n)}  {k}" for k, n in calls.most_common(top)]
    lines += [f"  propre {pct(n)}  {k}" for k, n in self_time.most_common(5)]
    return lines


def _own(path: str) -> bool:
    """A file of the project (relative path), not of the standard library nor of an installed package."""
    return not path.startswith("/") and "site-packages" not in path and "/" in path and path.split("/")[0] in (
        "pages", "ui", "presentation", "indicators", "charts", "contract", "observatoire", "exports", "readers") \
        or path == "app.py"


# --------------------------------------------------------------------------- the run

def first_visit(port: int, after: float) -> tuple[float, float, float]:
    """(seconds until healthy, first visitor's wait, that view's server CPU) on a freshly started server, the
    visitor arriving `after` seconds after the first healthy answer."""
    from bench import load
    t0 = time.monotonic()
    proc = load.start_server(port)
    healthy = time.monotonic() - t0
    time.sleep(after)
    try:
        session = Session(f"http://127.0.0.1:{port}").open()
        cpu0 = cpu_seconds(proc.pid)
        _, page, params = FIRST_VISIT
        wait, _ = session.page(page, params)
        cpu = cpu_seconds(proc.pid) - cpu0
        session.close()
    finally:
        load.stop_server(proc)
    return healthy, wait, cpu


def main() -> None:
    from observatoire.cli import ArgumentParser

    ap = ArgumentParser(prog="python bench/pages.py", description="Temps serveur de chaque page, à froid et à "
                        "chaud, et profil (py-spy) : mesure, ne teste rien.")
    ap.add_argument("--url", help="serveur déjà lancé (défaut : un serveur est démarré pour la mesure)")
    ap.add_argument("--pid", type=int, help="pid du serveur déjà lancé (CPU et profil)")
    ap.add_argument("--port", type=int, default=0, help="port du serveur démarré (défaut : un port libre)")
    ap.add_argument("--repeat", type=int, default=5, help="vues chaudes par page (médiane) (défaut : 5)")
    ap.add_argument("--pages", help="pages mesurées, par chemin d'adresse (ex. fiche,barometre ; accueil = \"\")")
    ap.add_argument("--profil", action="store_true", help="profil py-spy de chaque page à chaud")
    ap.add_argument("--profil-secondes", type=float, default=4.0, help="durée d'échantillonnage par page (défaut : 4)")
    ap.add_argument("--sans-premier", action="store_true", help="ne pas mesurer le premier visiteur après un démarrage")
    ap.add_argument("--premier-apres", default="0,5",
                    help="secondes entre le serveur prêt et l'arrivée du premier visiteur, une mesure par valeur "
                         "(défaut : 0,5 — dès qu'il répond, puis 5 s après)")
    args = ap.parse_args()

    from bench import load
    wanted = None if args.pages is None else {("" if p == "accueil" else p) for p in args.pages.split(",")}
    pages = [p for p in PAGES if wanted is None or p[1] in wanted]
    print(f"Charge de la machine (1, 5, 15 min) au début : {load_average()}", flush=True)
    if not args.url and not args.sans_premier:
        for after in (float(x) for x in args.premier_apres.split(",")):
            healthy, wait, cpu = first_visit(args.port or load.free_port(), after)
            print(f"Premier visiteur ({FIRST_VISIT[0]}) arrivé {after:g} s après le démarrage : serveur prêt en "
                  f"{healthy:.1f} s, page servie en {wait:.2f} s (CPU serveur pendant la vue {cpu:.2f} s) ; "
                  "objectif ≤ 2 s", flush=True)
    proc = None
    if args.url:
        url, pid = args.url, args.pid
        load.wait_healthy(url)
    else:
        port = args.port or load.free_port()
        proc = load.start_server(port)
        url, pid = f"http://127.0.0.1:{port}", proc.pid
    session = Session(url).open()
    profiles: dict[str, list[str] | None] = {}
    try:
        # process warm-up: what any first view pays once per process (imports, the warehouse connection)
        t = session.page("", {})[0]
        print(f"Première vue du processus (Accueil, imports compris) : {t:.2f} s\n", flush=True)
        print(f"{'page':<26}{'froid (s)':>10}{'chaud (s)':>10}{'CPU chaud':>10}{'objectif':>9}")
        for name, page, params, target in pages:
            session.clear_caches()
            cold, errors = session.page(page, params)
            warm_times, cpus = [], []
            for _ in range(args.repeat):
                c0 = cpu_seconds(pid) if pid else 0.0
                seconds, errs = session.page(page, params)
                cpus.append(cpu_seconds(pid) - c0 if pid else float("nan"))
                warm_times.append(seconds)
                errors += errs
            warm, cpu = statistics.median(warm_times), statistics.median(cpus)
            goal = f"≤ {target:g}" if target else "—"
            flag = "   <-- au-dessus" if target and warm > target else ""
            err = f"   ({len(errors)} erreur(s) : {errors[0][:160]})" if errors else ""
            print(f"{name:<26}{cold:>10.2f}{warm:>10.3f}{cpu:>10.3f}{goal:>9}{flag}{err}", flush=True)
            if args.profil and pid:
                profiles[name] = profile(pid, session, page, params, args.profil_secondes)
    finally:
        session.close()
        if proc is not None:
            load.stop_server(proc)
    print(f"\nCharge de la machine (1, 5, 15 min) à la fin : {load_average()}")
    for name, lines in profiles.items():
        print(f"\n--- profil à chaud : {name}")
        print("\n".join(lines or ["(py-spy absent : pip install py-spy)"]))


if __name__ == "__main__":
    main()
