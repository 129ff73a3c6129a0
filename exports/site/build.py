"""`python -m exports site`: the static public site — a page per quartier (baromètre first, then the fiche's
tables, evolution charts, references, caveats and sources, with its indicators as CSV and XLSX beside it), a
page per contract, an index and one stylesheet. Plain HTML from Jinja2 templates (autoescape), inline SVG,
no script: it opens from a text message on any phone and can be put on any web server.

Every figure comes from the views through exports/site/content.py (the one adapter). Quartier pages are
independent: `jobs` worker processes write them in parallel, each with its own read-only warehouse
connection; contract pages then reuse the quartiers' baromètre views.
"""
from __future__ import annotations

import datetime as dt
import io
import multiprocessing as mp
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from exports.site import content, style, svg
from observatoire import db, frformat
from presentation import text

TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class Stats:
    pages: int = 0
    quartier_pages: int = 0
    contract_pages: int = 0
    index_pages: int = 0
    bytes: int = 0                      # every file written (pages, stylesheet, downloads)
    page_bytes: dict = field(default_factory=dict)   # path -> HTML + stylesheet bytes (what a reader loads)
    seconds: float = 0.0
    timings: dict = field(default_factory=lambda: {"views": 0.0, "render": 0.0, "downloads": 0.0,
                                                   "contracts": 0.0})   # views: the view calls; render: the
    # adapter, SVG, HTML and writing the files; downloads: CSV + XLSX; contracts: every contract page and the
    # index pages — all CPU seconds (time.process_time of the process doing it)

    def add_time(self, key: str, seconds: float) -> None:
        self.timings[key] = self.timings.get(key, 0.0) + seconds


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True,
                       undefined=StrictUndefined, keep_trailing_newline=True, finalize=_unbroken)


def _unbroken(value):
    """Every text the templates print keeps its numbers on one line (« 2 344 540 € », « ≈ 49,2 % »): a phone's
    narrow column broke amounts between their digits. Markup (inline SVG, prepared fragments) is left as it is:
    its coordinates are numbers too."""
    return value if isinstance(value, Markup) else text.nowrap_numbers(value)


def _size_text(n: int) -> str:
    return f"{frformat.fmt_number(max(n, 1) / 1024, 0)} Ko"


def _write(path: Path, data: str | bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.write_bytes(raw)
    return len(raw)


# --------------------------------------------------------------------------- downloads

def xlsx_bytes(frame, title: str, notes: list[str]) -> bytes:
    """One sheet of indicators and one of reading notes, text cells neutralised. XlsxWriter in memory: three
    times faster than openpyxl's write-only mode for a quartier's 66 rows, and the site writes 3 000 of them."""
    safe = text.spreadsheet_frame(frame)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Indicateurs")
    ws.write_row(0, 0, list(safe.columns))
    for i, row in enumerate(safe.itertuples(index=False), start=1):
        ws.write_row(i, 0, [None if frformat.is_missing(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    info = wb.add_worksheet("À lire")
    for i, line in enumerate([title, *notes]):
        info.write_string(i, 0, text.spreadsheet_cell(line))
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------- pages

def downloads(doc: dict, today_text: str) -> tuple[bytes, bytes]:
    """(CSV, XLSX) of a quartier's indicators; empty when it has none (then nothing is offered)."""
    if not len(doc["table"]):
        return b"", b""
    notes = ([doc["approximation"]] if doc["approximation"] else []) + doc["caveats"] + doc["sources"]
    return (text.spreadsheet_csv(doc["table"]),
            xlsx_bytes(doc["table"], f"{doc['name']} ({doc['code']}) — indicateurs, publiés le {today_text}", notes))


def render_quartier(env: Environment, doc: dict, today_text: str, csv_size: int = 0, xlsx_size: int = 0) -> str:
    """The HTML of a quartier page from its document (downloads' sizes shown beside their links)."""
    for e in doc["evolutions"]:
        e["svg"] = svg.line_chart(e, f"{e['title']} : courbes du quartier et de ses références ; valeurs dans le tableau qui suit")
        e["table_rows"] = [[s["name"], *s["cells"]] for s in e["series"]]
    doc["csv_size"] = _size_text(csv_size) if csv_size else None
    doc["xlsx_size"] = _size_text(xlsx_size) if xlsx_size else None
    return env.get_template("quartier.html.j2").render(q=doc, root="../", url=doc["url"], today=today_text)


def render_contract(env: Environment, doc: dict, today_text: str) -> str:
    doc["map"] = svg.contract_map(doc["shapes"], doc["outline"], doc["outline_name"],
                                  f"Carte des {len(doc['quartiers'])} quartiers du contrat {doc['name']}, numérotés comme la liste qui suit")
    return env.get_template("contrat.html.j2").render(c=doc, root="../", url=doc["url"], today=today_text)


# --------------------------------------------------------------------------- quartier jobs (parallel)

_WORKER: dict = {}


def _init_worker(db_path: str | None, plan: dict, today: dt.date, base_url: str | None, out: str) -> None:
    if db_path:
        os.environ["OBSERVATOIRE_DB"] = db_path
    _WORKER.update(con=db.connect(read_only=True), plan=plan, today=today, base_url=base_url, out=Path(out),
                   env=environment(), css_bytes=len(style.stylesheet().encode("utf-8")))


def _quartier_job(code: str):
    """One quartier page and its downloads; returns its baromètre view (for the contract pages), sizes and
    the CPU time of this worker spent in the views, in rendering (adapter, SVG, HTML, files) and in the
    downloads (CPU, not wall: the machine may be shared)."""
    w = _WORKER
    t0 = time.process_time()
    page, baro, evolutions = content.quartier_views(w["con"], code, w["today"])
    t1 = time.process_time()
    doc = content.quartier_doc(page, baro, evolutions, w["plan"], w["base_url"])
    today_text = text.date_text(w["today"])
    t2 = time.process_time()
    csv_raw, xlsx_raw = downloads(doc, today_text)
    t3 = time.process_time()
    html = render_quartier(w["env"], doc, today_text, len(csv_raw), len(xlsx_raw))
    stem = w["out"] / doc["path"]
    size = files = _write(stem, html)
    if csv_raw:
        files += _write(stem.with_suffix(".csv"), csv_raw) + _write(stem.with_suffix(".xlsx"), xlsx_raw)
    t4 = time.process_time()
    return code, baro, doc["path"], size + w["css_bytes"], files, (t1 - t0, (t2 - t1) + (t4 - t3), t3 - t2)


_CONTRACTS: dict = {}      # what the contract pages need, set before the contract workers are forked


def _init_contract_worker(db_path: str | None) -> None:
    if db_path:
        os.environ["OBSERVATOIRE_DB"] = db_path
    _CONTRACTS.update(con=db.connect(read_only=True), env=environment())


def _contract_job(code: str):
    """One contract page (its quartiers' baromètre views come from the quartier jobs); returns its path, size
    and the CPU time spent."""
    w = _CONTRACTS
    t0 = time.process_time()
    doc = content.contract_doc(w["con"], code, w["plan"], w["barometres"], w["today"], w["base_url"],
                               w["lives"].get(code), w["inputs"])
    size = _write(w["out"] / doc["path"], render_contract(w["env"], doc, w["today_text"]))
    return code, doc["path"], size, time.process_time() - t0


def summary(stats: Stats) -> str:
    """« 18 pages (16 quartiers, 1 contrat, 1 index), 1,2 Mo, 23,0 s ; page la plus lourde : … »."""
    heaviest = max(stats.page_bytes.items(), key=lambda kv: kv[1]) if stats.page_bytes else ("—", 0)
    return (f"{text.count_text(stats.pages)} pages ({text.count_text(stats.quartier_pages)} quartier(s), "
            f"{text.count_text(stats.contract_pages)} contrat(s), {text.count_text(stats.index_pages)} page(s) d'index), "
            f"{frformat.fmt_number(stats.bytes / 1e6, 1)} Mo en tout, {frformat.fmt_number(stats.seconds, 1)} s ; "
            f"page la plus lourde (HTML + CSS) : {heaviest[0]}, {_size_text(heaviest[1])}")


def build(con, out: Path, contrat: str | None = None, today: dt.date | None = None, base_url: str | None = None,
          saisie=None, jobs: int = 1, progress=None, quartiers: list[str] | None = None) -> Stats:
    """Write the site for one contract (`contrat`) or for every contract and quartier (contrat=None) into
    `out`; `quartiers` restricts the quartier pages (bench samples). Returns what was written and timings."""
    t_start = time.perf_counter()
    progress = progress or (lambda f, t: None)
    today = today or dt.date.today()
    today_text = text.date_text(today)
    out = Path(out)
    stats = Stats()
    plan = content.site_plan(con, contrat)            # an unknown contract stops here, before any file
    out.mkdir(parents=True, exist_ok=True)
    if quartiers is not None:
        keep = set(quartiers)
        plan["quartiers"] = {k: v for k, v in plan["quartiers"].items() if k in keep}
        for c in plan["contracts"]:
            c["quartiers"] = [q for q in c["quartiers"] if q in keep]
        plan["contracts"] = [c for c in plan["contracts"] if c["quartiers"]]
    css = style.stylesheet()
    stats.bytes += _write(out / "style.css", css)
    env = environment()
    codes = list(plan["quartiers"])
    barometres = {}
    args = (os.environ.get("OBSERVATOIRE_DB"), plan, today, base_url, str(out))
    if jobs > 1 and len(codes) > 1:
        pool = mp.get_context("fork").Pool(jobs, initializer=_init_worker, initargs=args)
        results = pool.imap_unordered(_quartier_job, codes, chunksize=4)
    else:
        pool = None
        _init_worker(*args)
        results = map(_quartier_job, codes)
    try:
        for i, (code, baro, path, page_bytes, files, (tv, tr, tw)) in enumerate(results, start=1):
            barometres[code] = baro
            stats.page_bytes[path] = page_bytes
            stats.bytes += files
            stats.quartier_pages += 1
            stats.add_time("views", tv)
            stats.add_time("render", tr)
            stats.add_time("downloads", tw)
            progress(0.9 * i / max(len(codes), 1), f"{text.label('levels', 'qpv', short=True)} {code}")
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    t0 = time.process_time()
    lives = content.published_lives(plan, today, saisie)
    inputs = content.contract_inputs(con, plan)
    contract_codes = [c["code"] for c in plan["contracts"]]
    _CONTRACTS.update(plan=plan, barometres=barometres, today=today, base_url=base_url, lives=lives, inputs=inputs,
                      out=out, today_text=today_text)
    if jobs > 1 and len(contract_codes) > 1:   # forked after the quartiers: the workers inherit their baromètres
        pool = mp.get_context("fork").Pool(jobs, initializer=_init_contract_worker,
                                           initargs=(os.environ.get("OBSERVATOIRE_DB"),))
        done = pool.imap_unordered(_contract_job, contract_codes, chunksize=8)
    else:
        pool = None
        _CONTRACTS.update(con=con, env=env)
        done = map(_contract_job, contract_codes)
    try:
        for k, (code, path, size, cpu) in enumerate(done, start=1):
            stats.page_bytes[path] = size + len(css.encode("utf-8"))
            stats.bytes += size
            stats.contract_pages += 1
            if pool is not None:
                stats.add_time("contracts", cpu)
            progress(0.9 + 0.09 * k / max(len(contract_codes), 1), f"Contrat {code}")
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        _CONTRACTS.clear()
    idx = content.index_doc(plan, today, base_url)
    index = env.get_template("index.html.j2")
    pages = [("index.html", index.render(d=idx, group=None, root="", url=idx["url"], title="Accueil",
                                         today=today_text))]
    if idx["split"]:
        pages += [(g["path"], index.render(d=idx, group=g, root="../", url=None, title=g["label"], today=today_text))
                  for g in idx["groups"]]
    for path, html in pages:
        size = _write(out / path, html)
        stats.page_bytes[path] = size + len(css.encode("utf-8"))
        stats.bytes += size
    stats.index_pages = len(pages)
    stats.add_time("contracts", time.process_time() - t0)
    stats.pages = stats.quartier_pages + stats.contract_pages + stats.index_pages
    stats.seconds = time.perf_counter() - t_start
    progress(1.0, "Site écrit")
    return stats
