"""Readers of the parity test (tests/test_parity.py, issue 18 item 5): every document a user can get — the fiche
and baromètre pages (AppTest), the fiche PDF (pypdf), the COPIL deck (python-pptx), the annual report
(python-docx), the classeur (openpyxl: the number format applied to the number) and the static site (lxml) —
read back as OBSERVATIONS: (document, quartier, indicator, level, year, text), where `level` is `qpv` for the
quartier's own value, a reference level of the vocabulary, `rang`, `percentile` or `voyant`, and `year` is
the row's millésime (None when the document shows the latest millésime without saying which).

The readers take what the documents print, never what the views say: labels are mapped back to indicator
ids through the catalogue (full and short labels), column headers to levels through the vocabulary.
`meaning()` splits a printed value into what must agree everywhere: the « ≈ » flag, the status (long label
or short placeholder of the same status), the number with its unit, and the year of the value (« (2021) »).
"""
from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass

from observatoire import frformat, vocabulary

LIGHT_SYMBOLS = "▲●▼○"
DEV_PATH = re.compile(r"\b\w+/[\w-]+\.(?:py|md|yaml)\b")        # docs/INDICATEURS-LIBRARY.md too
DASHES = ("", "—")
NEED_HEADER = ["Quartier", "Accordé", "€ / habitant", "Pauvreté"]     # the deck's programmation table


def flat(text) -> str:
    """One line, ordinary spaces (the documents use U+202F in numbers, PPTX/DOCX U+00A0)."""
    return " ".join(str(text).replace("\u202f", " ").replace("\u00a0", " ").split())


@dataclass(frozen=True)
class Obs:
    doc: str
    quartier: str
    indicator: str
    level: str
    year: int | None
    text: str


class Words:
    """What a reader needs to map printed words back to codes: indicator labels, level headers, statuses,
    lights, raw codes that must never be printed."""

    def __init__(self, con):
        from indicators import catalog

        self.by_label: dict[str, str] = {}
        self.clashes: list[tuple[str, str, str]] = []
        for i in catalog.ids(con):
            m = catalog.indicator(con, i)
            for lab in {m["label"], m.get("short_label") or m["label"]}:
                other = self.by_label.setdefault(flat(lab), i)
                if other != i:
                    self.clashes.append((flat(lab), other, i))
        self.levels = ["qpv"] + vocabulary.reference_levels()
        self.by_header = {}
        for lv in self.levels:
            self.by_header[flat(vocabulary.level_label(lv, short=True))] = lv
            self.by_header.setdefault(flat(vocabulary.level_label(lv)), lv)
        self.statuses = {}
        for s in vocabulary.codes("value_statuses"):
            for w in (vocabulary.status_label(s), vocabulary.status_placeholder(s)):
                if w:
                    self.statuses[flat(w)] = s
        self.lights = {vocabulary.light(k)["label"]: k for k in vocabulary.codes("lights")}
        self.light_of_symbol = {vocabulary.light(k)["symbol"]: k for k in ("mieux", "comparable", "moins_bien")}
        self.status_words = sorted(self.statuses, key=len, reverse=True)
        codes = [c for c in vocabulary.codes("levels") if "_" in c or c == "epci"]
        codes += vocabulary.codes("polarities") + [c for c in vocabulary.codes("relations") if "_" in c]
        codes += [c for c in vocabulary.codes("value_statuses") if "_" in c]
        codes += [c for c in vocabulary.codes("lights") if "_" in c]
        self.raw_ids = re.compile(r"(?<![\w.-])(?:" + "|".join(i for i in catalog.ids(con) if "_" in i) + r")(?![\w-])")
        self.raw_codes = re.compile(r"(?<![\w.-])(?:" + "|".join(sorted(set(codes), key=len, reverse=True))
                                    + r")(?![\w-])")

    def indicator(self, label) -> str | None:
        return self.by_label.get(flat(label))

    def level(self, header) -> str | None:
        return self.by_header.get(flat(header))

    def light(self, word: str) -> str:
        """A light as every document can say it: mieux, comparable, moins_bien, or `eteint` (sans voyant, non
        disponible, sans objet: no comparison made)."""
        code = self.lights.get(flat(word), flat(word))
        return code if code in ("mieux", "comparable", "moins_bien") else "eteint"

    def meaning(self, text: str, year: int | None) -> tuple:
        """What must be the same everywhere: ('statut', code) | ('vide',) | ('valeur', ≈, number and unit,
        year of the value: its « (2021) » if any, else the row's)."""
        t = flat(text)
        if t in DASHES:
            return ("vide",)
        m = re.fullmatch(r"(≈ )?(.+?)(?: \((\d{4})\))?", t)
        approx, core, other = bool(m[1]), m[2], m[3]
        if core in self.statuses:
            return ("statut", self.statuses[core])
        return ("valeur", approx, core, int(other) if other else year)

    def developer_words(self, text: str, ids: bool = True) -> list[str]:
        """Developer paths, `cli:` authors and raw codes (a file name such as base_epci.csv is not a code);
        with `ids`, indicator ids too (the classeur's « Identifiant » column is the one place they belong)."""
        found = DEV_PATH.findall(text) + re.findall(r"\bcli:\w*", text)
        if ids:
            found += [m[0] for m in self.raw_ids.finditer(text)]
        for m in self.raw_codes.finditer(text):
            tail = text[m.end():m.end() + 6]
            if not re.match(r"\.(csv|xlsx|json|zip|geojson)", tail):
                found.append(text[max(0, m.start() - 30):m.end() + 30])
        return found


# --------------------------------------------------------------------------- sentences

def line_parts(words: Words, line: str) -> tuple[str | None, str, list[tuple[str, str]]]:
    """A baromètre line « Taux de pauvreté : ≈ 49,2 % — au-dessus de la commune (22,0 % en 2021) · stable
    depuis 2017 » → (indicator, value text, [(level, reference text « 22,0 % (2021) »)])."""
    t = flat(line)
    label = max((lab for lab in words.by_label if t.startswith(lab + " : ")), key=len, default=None)
    if label is None:
        return None, t, []
    rest = t[len(label) + 3:].split(" · ")[0]
    value, _, position = rest.partition(" — ")
    refs = []
    m = re.search(r"\(([^()]*?)(?: en (\d{4}))?\)$", position)
    if m:
        level = next((lv for lv in words.levels[1:] if vocabulary.level_brief(lv) in position), None)
        refs.append((level, m[1] + (f" ({m[2]})" if m[2] else "")))
    return words.indicator(label), value, refs


def cells(words: Words, text: str) -> list[str]:
    """Split « ≈ 13 260 € 22 140 € (2021) 23 090 € n.d. non publié » into its cells (PDF table rows)."""
    status = "|".join(re.escape(w) for w in words.status_words)
    token = re.compile(r"(?:≈ )?[-−]?\d{1,3}(?: \d{3})*(?:,\d+)?(?: (?:%|€|[a-zéèû.]+(?<!\.)\.?))?"
                       r"(?: \((?:bruitée)\))?(?: \(\d{4}\))?|" + status)
    out, pos, t = [], 0, flat(text)
    while pos < len(t):
        m = token.match(t, pos)
        if not m:
            out.append(t[pos:])      # what the tokeniser cannot read is kept: it will not match anything
            break
        out.append(m.group(0))
        pos = m.end() + 1
    return out


# --------------------------------------------------------------------------- pages (AppTest)

def fiche_page(words: Words, at, q: str) -> tuple[list[Obs], str]:
    """The fiche page: theme tables (value, rank, percentile), the reference table, key figures, the detail
    bars and evolution charts."""
    from pages_apptest import all_tables, array, figures, texts

    obs, doc = [], "page fiche"
    for t in all_tables(at):
        cols = list(t.columns)
        if {"Indicateur", "Valeur", "Millésime", "Rang national"} <= set(cols):
            for r in t.to_dict("records"):
                ind, year = words.indicator(r["Indicateur"]), _year(r["Millésime"])
                obs.append(Obs(doc, q, ind, "qpv", year, str(r["Valeur"])))
                obs.append(Obs(doc, q, ind, "rang", year, str(r["Rang national"])))
                p = r.get("Percentile")                  # the Styler's text, or the number of a progress bar
                p = flat(p) if isinstance(p, str) else ("—" if frformat.is_missing(p) else str(int(p)))
                obs.append(Obs(doc, q, ind, "percentile", year, p))
        elif {"Indicateur", "Millésime", "Quartier"} <= set(cols):
            for r in t.to_dict("records"):
                ind, year = words.indicator(r["Indicateur"]), _year(r["Millésime"])
                for c in cols[2:]:
                    obs.append(Obs(doc, q, ind, words.level(c), year, str(r[c])))
    for m in at.metric:
        hit = re.fullmatch(r"(.+) \((\d{4})\)", flat(m.label))
        obs.append(Obs(doc, q, words.indicator(hit[1]), "qpv", int(hit[2]), str(m.value)))
    detail = next((s.value for s in at.selectbox if s.label == "Indicateur à détailler"), None)
    for f in figures(at)[:2] if detail else []:
        title = flat((f["layout"].get("title") or {}).get("text", ""))
        for tr in f["data"]:
            if tr.get("orientation") == "h":                                  # the reference bars
                year = int(re.search(r"(\d{4})$", title)[1])
                for name, txt in zip(tr["y"], tr["text"]):
                    obs.append(Obs(doc, q, detail, _trace_level(words, name), year, txt))
            elif "lines" in (tr.get("mode") or ""):                          # an evolution series
                level = _trace_level(words, tr["name"])
                for x, txt in zip(array(tr["x"]), tr.get("customdata") or []):
                    obs.append(Obs(doc + " (évolution)", q, detail, level, int(x), txt))
    blob = texts(at) + "\n" + json.dumps([t.to_dict("records") for t in all_tables(at)], ensure_ascii=False, default=str)
    blob += "\n" + json.dumps([{k: f["layout"].get(k) for k in ("title", "annotations")} for f in figures(at)],
                              ensure_ascii=False)
    return obs, blob


def _trace_level(words: Words, name: str) -> str:
    name = flat(re.sub(r"</?b>", "", name))
    if words.level(name):
        return words.level(name)
    head = name.split(" : ")[0]
    return words.level(head) or "qpv"


def _year(x) -> int | None:
    return int(x) if str(x).isdigit() else None


def barometre_page(words: Words, at, q: str) -> tuple[list[Obs], str]:
    """The baromètre page: each line's light (the chip's title), value and reference value."""
    from lxml import html
    from pages_apptest import texts

    obs, doc = [], "page baromètre"
    for m in at.markdown:
        if "obs-row" not in str(m.value):
            continue
        for row in html.fromstring(str(m.value)).find_class("obs-row"):
            chip = row.find_class("obs-chip")[0]
            line = row.find_class("obs-line")[0]
            for trend in line.find_class("obs-trend"):
                trend.drop_tree()
            ind, value, refs = line_parts(words, line.text_content())
            obs.append(Obs(doc, q, ind, "voyant", None, words.light(chip.get("title"))))
            obs.append(Obs(doc, q, ind, "qpv", None, value))
            obs += [Obs(doc, q, ind, lv, None, txt) for lv, txt in refs]
    return obs, texts(at)


# --------------------------------------------------------------------------- fiche PDF

def fiche_pdf(words: Words, path, q: str, view) -> tuple[list[Obs], str]:
    """The 2-page fiche: key figures, every indicator row of page 1 (value, year, percentile), the comparison
    table of page 2 (quartier and each level, light), the baromètre lines and the evolution charts (the
    quartier's value written at each of its points). The rows are looked for in the order the fiche view lists
    them (pypdf gives the text in drawing order); a row not found is reported."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [p.extract_text() for p in reader.pages]
    doc, obs, problems = "fiche PDF", [], []
    lines = pages[0].splitlines()
    for k, ln in enumerate(lines[:-2]):
        hit = re.fullmatch(r"millésime (\d{4})", flat(lines[k + 2]))
        if hit and words.indicator(ln):
            obs.append(Obs(doc, q, words.indicator(ln), "qpv", int(hit[1]), lines[k + 1]))
    body = flat(pages[0].split("1. Les indicateurs du quartier", 1)[-1])
    for th in view.themes:                    # theme bands and table headers end a row: « ¶ »
        body = body.replace(f"{flat(th['label'])} Indicateur Valeur Millés. Centile nat.", "¶")
    body = body.split(" Source : ")[0] + " ¶"
    rows = [r for th in view.themes for r in th["rows"]]
    names = ["|".join(re.escape(flat(x)) for x in sorted({r.label, r.short_label}, key=len, reverse=True))
             for r in rows] + ["¶"]
    pos = 0
    for k, r in enumerate(rows):              # a row ends where the next one (or a band) begins
        m = re.compile(rf"(?:{names[k]}) (?P<v>.+?) (?P<y>\d{{4}})(?: (?P<p>\d{{1,3}}|—))?"
                       rf"(?= (?:¶|(?:{names[k + 1]}) ))").search(body, pos)
        if m is None:
            problems.append(f"{q} : ligne « {r.label} » introuvable dans la page 1 du PDF")
            continue
        pos = m.end()
        year = int(m["y"])
        obs += [Obs(doc, q, r.indicator_id, "qpv", year, m["v"]),
                Obs(doc, q, r.indicator_id, "percentile", year, m["p"] or "")]
    page2 = flat(pages[1]) if len(pages) > 1 else ""
    head = re.search(r"Indicateur Millés\. (.+?) Voyant", page2)
    levels = _header_levels(words, head[1]) if head else []
    lights = "|".join(re.escape(w) for w in sorted(words.lights, key=len, reverse=True))
    pos = 0
    for it in view.barometre.items if head else []:
        m = re.compile(rf"{re.escape(flat(it.label))} (?P<y>\d{{4}}) (?P<c>.+?) (?P<l>{lights})(?= )").search(page2, pos)
        if m is None:
            problems.append(f"{q} : ligne « {it.label} » introuvable dans le tableau de comparaison du PDF")
            continue
        pos = m.end()
        row = cells(words, m["c"])
        if len(row) != len(levels):
            problems.append(f"{q} : « {it.label} » : {len(row)} cellules lues pour {len(levels)} colonnes : {row}")
            continue
        year = int(m["y"])
        obs += [Obs(doc, q, it.indicator_id, lv, year, c) for lv, c in zip(levels, row)]
        obs.append(Obs(doc, q, it.indicator_id, "voyant", None, words.light(m["l"])))
    charts, chart_problems = _pdf_evolutions(words, doc, q, reader)
    titles = [re.escape(t) for t in charts]
    obs += _light_lines(words, doc, q, re.split(" (?:" + "|".join(titles) + ")", page2)[0] if titles else page2)
    obs += [o for found in charts.values() for o in found]
    return obs, "\n".join(pages), problems + chart_problems


def _pdf_evolutions(words: Words, doc: str, q: str, reader) -> tuple[dict[str, list[Obs]], list[str]]:
    """The evolution charts of the PDF's page 2, drawn in vectors: {title: observations} — the quartier's value
    written at each of its points (drawing order), its millésime the one under the point — and the problems (a
    value without its point)."""
    from tests.pdf_drawing import chart, rgb, texts

    page, out, problems = reader.pages[1], {}, []
    for title, _, _ in texts(page):
        ind = words.indicator(title.removesuffix(" : évolution")) if title.endswith(" : évolution") else None
        if ind is None:
            continue
        c = chart(reader, page, title, vocabulary.palette("grid"))
        points = [d for d in c["dots"] if d["fill"] == rgb(vocabulary.color("levels", "qpv"))]
        if len(points) != len(c["labels"]):
            problems.append(f"{q} : « {title} » : {len(c['labels'])} valeurs écrites pour {len(points)} points")
        out[title] = [Obs(doc + " (évolution)", q, ind, "qpv", c["year"](d["centre"][0]), label)
                      for d, label in zip(points, c["labels"])]
    return out, problems


def _header_levels(words: Words, header: str) -> list[str]:
    """« Quartier Commune EPCI France métro. Ensemble des QPV » → levels (headers may hold spaces)."""
    out, rest = [], flat(header)
    names = sorted(words.by_header, key=len, reverse=True)
    while rest:
        name = next((n for n in names if rest == n or rest.startswith(n + " ")), None)
        if name is None:
            out.append(None)
            break
        out.append(words.by_header[name])
        rest = rest[len(name) + 1:]
    return out


def _light_lines(words: Words, doc: str, q: str, text: str) -> list[Obs]:
    """« ▼ moins bien — Taux de pauvreté : ≈ 49,2 % — au-dessus de la commune (22,0 % en 2021) · stable… »
    lines (PDF page 2): light, value and reference value of each."""
    labels = "|".join(re.escape(w) for w in sorted(words.lights, key=len, reverse=True))
    head = re.compile(rf"[{LIGHT_SYMBOLS}] ({labels}) — ")
    starts = list(head.finditer(text))
    obs = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        line = text[m.end():end]
        line = line.split(" Quartiers jumeaux")[0]
        ind, value, refs = line_parts(words, line)
        if ind is None:
            continue
        obs += [Obs(doc, q, ind, "voyant", None, words.light(m[1])), Obs(doc, q, ind, "qpv", None, value)]
        obs += [Obs(doc, q, ind, lv, None, txt) for lv, txt in refs]
    return obs


# --------------------------------------------------------------------------- deck, report

def deck(words: Words, path) -> tuple[list[Obs], str, dict]:
    """The COPIL deck: the ranking table (value and light of each quartier on the key indicators) and the
    appendix's baromètre slides (light, value, reference value of each line). Quartier numbers are read on
    the appendix slides (« Baromètre — Toulouse · QN03107M »)."""
    from pptx import Presentation

    prs = Presentation(str(path))
    doc, obs, texts, codes, labels, tables = "diaporama COPIL", [], [], {}, {}, []
    for slide in prs.slides:
        title = ""
        for sh in slide.shapes:
            if sh.has_text_frame:
                texts.append(sh.text_frame.text)
                if not title:
                    title = flat(sh.text_frame.text)
                hit = re.match(r"Baromètre — (?:(.*?) · )?(Q[PN][0-9A-Z]{6})\b", flat(sh.text_frame.text))
                num = re.match(r"(\d+)\. (.+)", title)
                if hit and num:
                    codes[int(num[1])] = hit[2]
                    first = (hit[1] or "").split(" ; ")[0]          # a long label is cut: « (La Trinité …) »
                    labels[f"{num[2]} ({first})" if first else num[2]] = hit[2]
            if sh.has_table:
                rows = [[c.text for c in r.cells] for r in sh.table.rows]
                texts += [" | ".join(r) for r in rows]
                tables.append((title, rows))
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    for title, rows in tables:
        head = [flat(h) for h in rows[0]]
        if head == NEED_HEADER:                # programmation: money against need, the poverty rate beside
            for r in rows[1:]:
                label = re.sub(r"(?: …)?\)$", ")", re.sub(r" \(([^();]*?)(?:,| ;| …).*\)$", r" (\1)", flat(r[0])))
                obs.append(Obs(doc, labels.get(label), "tx_pauvrete", "qpv", None, r[3]))
        elif head[0] == "Quartier":
            inds = [words.indicator(h) for h in head[1:]]
            for r in rows[1:]:
                q = codes.get(int(re.match(r"(\d+)\.", flat(r[0]))[1]))
                for ind, c in zip(inds, r[1:]):
                    c = flat(c)
                    if c[:1] in words.light_of_symbol:
                        obs.append(Obs(doc, q, ind, "voyant", None, words.light_of_symbol[c[0]]))
                        c = c[2:]
                    else:
                        obs.append(Obs(doc, q, ind, "voyant", None, "eteint"))
                    obs.append(Obs(doc, q, ind, "qpv", None, c))
        elif head[0] == "Situation":
            num = int(re.match(r"(\d+)\.", title)[1])
            for light, line in rows[1:]:
                ind, value, refs = line_parts(words, line)
                q = codes[num]
                obs += [Obs(doc, q, ind, "voyant", None, words.light(flat(light)[2:])), Obs(doc, q, ind, "qpv", None, value)]
                obs += [Obs(doc, q, ind, lv, None, txt) for lv, txt in refs]
    return obs, "\n".join(texts), codes


def report(words: Words, path, territories: dict) -> tuple[list[Obs], str]:
    """The annual report: the quartiers' table (population), the key table (values; reference rows mapped to
    every quartier whose only territory of that level it is: `territories` {quartier: {level: name}}) and the
    baromètre table (light and value)."""
    from docx import Document

    d = Document(str(path))
    doc, obs = "rapport annuel", []
    texts = [p.text for p in d.paragraphs]
    codes = {}
    for t in d.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        texts += [" | ".join(r) for r in rows]
        head = [flat(h) for h in rows[0]]
        if head[:3] == ["N°", "Quartier", "Code"]:
            for r in rows[1:]:
                codes[int(r[0])] = r[2]
                obs.append(Obs(doc, r[2], "pop", "qpv", None, re.sub(r" \*$", "", flat(r[4]))))
    for t in d.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        head = [flat(h) for h in rows[0]]
        if head[:2] == ["Quartier", "Population"]:
            inds = [words.indicator(h) for h in head[2:]]
            for r in rows[1:]:
                num = re.match(r"(\d+)\. ", flat(r[0]))
                if num:
                    q = codes[int(num[1])]
                    if flat(r[1]):
                        obs.append(Obs(doc, q, "pop", "qpv", None, r[1]))
                    for ind, c in zip(inds, r[2:]):
                        obs.append(Obs(doc, q, ind, "qpv", None, re.sub(r" \([^()]*(?:pts?|×)[^()]*\)$", "", flat(c))))
                    continue
                name = flat(r[0])
                for q, levels in territories.items():
                    for lv, names in levels.items():
                        if names == [name]:
                            obs += [Obs(doc, q, ind, lv, None, c) for ind, c in zip(inds, r[2:])]
        elif head[:1] == ["Quartier"] and codes:
            inds = [words.indicator(h) for h in head[1:]]
            for r in rows[1:]:
                q = codes[int(re.match(r"(\d+)\.", flat(r[0]))[1])]
                for ind, c in zip(inds, r[1:]):
                    c = flat(c)
                    hit = re.fullmatch(rf"[{LIGHT_SYMBOLS}] (.+?) \((.+)\)", c)
                    light, value = (words.light(hit[1]), hit[2]) if hit else ("eteint", c)
                    obs += [Obs(doc, q, ind, "voyant", None, light), Obs(doc, q, ind, "qpv", None, value)]
    return obs, "\n".join(texts)


# --------------------------------------------------------------------------- classeur

def number_format_text(value, fmt: str) -> str:
    """What a spreadsheet shows for `value` under `fmt` (the classeur's formats: literal « "≈ " » prefixes
    and « " %" » suffixes around #,##0 or #,##0.0…), French separators."""
    if fmt == "General":
        return frformat.fmt_number(value, 0 if float(value).is_integer() else 1)
    m = re.fullmatch(r'((?:"[^"]*")*)#,##0(?:\.(0+))?((?:"[^"]*")*)', fmt)
    if m is None:
        raise AssertionError(f"format de nombre inattendu : {fmt}")
    prefix, suffix = ("".join(re.findall(r'"([^"]*)"', part)) for part in (m[1], m[3]))
    return prefix + frformat.fmt_number(value, len(m[2] or "")) + suffix


def classeur(words: Words, path) -> tuple[list[Obs], str]:
    """Every theme sheet: per row (indicator id, millésime) and territory column, the displayed text (number
    format applied) or, for an empty value cell, the status label of the Statut column beside it."""
    from openpyxl import load_workbook

    wb = load_workbook(str(path))
    doc, obs, texts = "classeur", [], []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        texts += [" | ".join(str(c.value) for c in r if c.value is not None) for r in rows]
        if len(rows) < 3 or rows[1][0].value != "Indicateur":
            continue
        head = [c.value for c in rows[1]]
        cols = [(k, re.search(r"\((Q[PN][0-9A-Z]{6})\)", h)[1]) for k, h in enumerate(head)
                if isinstance(h, str) and re.search(r"\((Q[PN][0-9A-Z]{6})\)", h)]
        for r in rows[2:]:
            ind, year = r[1].value, r[3].value
            for k, q in cols:
                c = r[k]
                if c.value is None:
                    obs.append(Obs(doc, q, ind, "qpv", int(year), str(r[k + 1].value or "")))
                else:
                    obs.append(Obs(doc, q, ind, "qpv", int(year), number_format_text(c.value, c.number_format)))
    return obs, "\n".join(texts)


# --------------------------------------------------------------------------- static site

def _table_rows(table) -> tuple[list[str], list[list]]:
    head = [flat(th.text_content()) for th in table.xpath(".//thead//th")]
    body = [[cell for cell in tr.xpath("./th|./td")] for tr in table.xpath(".//tbody/tr")]
    return head, body


def site_quartier(words: Words, page: str, q: str) -> tuple[list[Obs], str]:
    """A quartier page of the site: baromètre lines (light badge, value, reference), theme tables (value,
    rank), the reference table and the evolution tables."""
    from lxml import html

    root = html.fromstring(page)
    doc, obs = "site", []
    for li in root.xpath("//section[@class='barometre']//ol[@class='lines']/li"):
        badge = li.find_class("badge")[0]
        light = flat(badge.text_content())[2:]
        ind, value, refs = line_parts(words, li.find_class("line")[0].text_content())
        obs += [Obs(doc, q, ind, "voyant", None, words.light(light)), Obs(doc, q, ind, "qpv", None, value)]
        obs += [Obs(doc, q, ind, lv, None, txt) for lv, txt in refs]
    for table in root.xpath("//table"):
        head, body = _table_rows(table)
        if head[:4] == ["Indicateur", "Valeur", "Millésime", "Rang national"]:
            for r in body:
                t = [flat(c.text_content()) for c in r]
                ind, year = words.indicator(t[0]), _year(t[2])
                obs += [Obs(doc, q, ind, "qpv", year, t[1]), Obs(doc, q, ind, "rang", year, t[3])]
        elif head[:3] == ["Indicateur", "Millésime", "Quartier"]:
            for r in body:
                t = [flat(c.text_content()) for c in r]
                ind, year = words.indicator(t[0]), _year(t[1])
                obs += [Obs(doc, q, ind, words.level(h), year, c) for h, c in zip(head[2:], t[2:])]
        elif head[:1] == ["Territoire"]:
            label = flat(table.getparent().get("aria-label") or "")
            ind = words.indicator(label)
            years = [int(h) for h in head[1:]]
            for r in body:
                t = [flat(c.text_content()) for c in r]
                level = _trace_level(words, t[0]) if t[0] != flat(root.xpath("//h1")[0].text_content()) else "qpv"
                if level != "qpv":
                    continue                 # reference series are named « Commune : Toulouse », checked above
                obs += [Obs(doc + " (évolution)", q, ind, "qpv", y, c) for y, c in zip(years, t[1:]) if c not in DASHES]
    return obs, flat(root.text_content())


def site_contract(words: Words, page: str) -> tuple[list[Obs], str]:
    """A contract page of the site: the ranking of its quartiers (value and light of each key indicator)."""
    from lxml import html

    root = html.fromstring(page)
    doc, obs = "site (page contrat)", []
    for table in root.xpath("//table"):
        head, body = _table_rows(table)
        if head[:1] != ["Quartier"]:
            continue
        inds = [words.indicator(h) for h in head[1:]]
        for r in body:
            q = re.search(r"(Q[PN][0-9A-Z]{6})\.html", r[0].xpath(".//a/@href")[0])[1]
            for ind, td in zip(inds, r[1:]):
                sr = td.find_class("sr")
                light = words.light(flat(sr[0].text_content())) if sr else "eteint"
                for b in td.find_class("badge"):
                    b.drop_tree()
                obs += [Obs(doc, q, ind, "voyant", None, light), Obs(doc, q, ind, "qpv", None, td.text_content())]
    return obs, flat(root.text_content())


def png_stub() -> bytes:
    """A 4×3 white PNG: what the parity test puts in place of kaleido's charts (text is what it reads;
    Chromium is not started)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * 4 for _ in range(3))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))




@contextlib.contextmanager
def no_chrome():
    """Charts become a blank PNG (png_stub): no Chromium, no kaleido server — for tests that read text."""
    import pytest

    from exports import render

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render, "to_png", lambda *a, **k: png_stub())
        mp.setattr(render, "session", contextlib.nullcontext)
        yield
