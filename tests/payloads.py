"""The hostile strings of the payload crawl (tests/test_payload_crawl.py) and the checks of what a page, an
office file or the static site made of them.

Every payload carries a marker `PLDnn`: where a marker shows up, the payload it belongs to must show as
typed. Payloads point at `outside.invalid` (a reserved name that never resolves): a browser request to it, or
a live link to it in a file, means a payload was interpreted.

REFUSED: what the store's text rule (readers.text.text_problem) refuses, with the French reason it gives.
ACCEPTED: what it lets through (quotes, `<` that is not a tag, Markdown, entities, long-but-allowed text):
stored, then shown literally everywhere. LEGACY: refused payloads written around the store (rows of a database
older than the rule, or any way round it): the sinks must still show them as typed and never run them.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

OUTSIDE = "outside.invalid"

HTML_REASON = "balise HTML ou lien de script"
FORMULA_REASON = "formule de tableur"


@dataclass(frozen=True)
class Payload:
    marker: str
    text: str
    reason: str | None = None          # REFUSED: the start of the French reason; None when accepted
    plotly_tag: bool = False           # LEGACY: a tag Plotly's own pseudo-HTML would interpret


REFUSED = [
    Payload("PLD01", 'PLD01<script>alert("PLD01")</script>', HTML_REASON),
    Payload("PLD02", '<img src=x onerror=alert("PLD02")>', HTML_REASON),
    Payload("PLD03", '<img/src=x onerror=alert("PLD03")>', HTML_REASON),
    Payload("PLD04", '<svg/onload=alert("PLD04")>', HTML_REASON),
    Payload("PLD05", f'"><iframe src=http://{OUTSIDE}/PLD05></iframe>', HTML_REASON),
    Payload("PLD06", "[clic PLD06](javascript:alert(1))", HTML_REASON),
    Payload("PLD07", f'=HYPERLINK("http://{OUTSIDE}/PLD07","sig")', FORMULA_REASON),
    Payload("PLD08", "+cmd|' /C calc PLD08'!A0", FORMULA_REASON),
    Payload("PLD09", "-2+3+cmd|' /C calc PLD09'!A0", FORMULA_REASON),
    Payload("PLD10", "@SUM(1+1)*cmd|' /C calc PLD10'!A0", FORMULA_REASON),
    Payload("PLD11", "PLD11 facture\u202egnp.exe", "caractère d'inversion du sens d'écriture RLO (U+202E)"),
    Payload("PLD12", "PLD12\x00nul", "caractère de contrôle NUL (U+0000)"),
    Payload("PLD13", "PLD13\x1b[31m rouge", "caractère de contrôle ESC (U+001B)"),
    Payload("PLD14", "PLD14 " + "x" * 9994, "texte trop long (10 000 caractères"),
    Payload("PLD15", f'<a href="http://{OUTSIDE}/PLD15">PLD15 clic</a>', HTML_REASON, plotly_tag=True),
    Payload("PLD16", "<b>PLD16 gras</b>", HTML_REASON, plotly_tag=True),
]

# Accepted by the rule. Long-but-allowed strings are made per field (long_text) at the field's limit.
ACCEPTED = [
    Payload("PLD21", "PLD21 Tom & Jerry < 5 ans > 3 \"guillemets\" 'apostrophes'"),
    Payload("PLD22", 'PLD22" onmouseover="alert(22)" x="'),
    Payload("PLD23", "PLD23' onfocus='alert(23)' autofocus='"),
    Payload("PLD24", f"PLD24 ![](http://{OUTSIDE}/PLD24.png)"),
    Payload("PLD25", f"PLD25 [clic](http://{OUTSIDE}/PLD25)"),
    Payload("PLD26", "PLD26 **gras** _ital_ ~~barré~~ $x^2$ :red[rouge]"),
    Payload("PLD27", "PLD27 &lt;img src=x onerror=alert(27)&gt; &#60;b&#62;"),
    Payload("PLD28", "PLD28 ＜img src=x onerror=alert(28)＞"),
    Payload("PLD29", f"PLD29 www.{OUTSIDE}/PLD29"),
    Payload("PLD30", "# PLD30 titre"),
    Payload("PLD31", "- PLD31 atelier"),
    Payload("PLD33", f"PLD33 ``` ![](http://{OUTSIDE}/PLD33.png) ```"),
]
LONG_MARKER = "PLD32"


def long_text(limit: int) -> str:
    """A long-but-allowed text: exactly the field's limit (500 for one line, 5 000 for free text)."""
    head = f"{LONG_MARKER} long "
    return head + "y" * (limit - len(head))


def legacy() -> list[Payload]:
    """Refused payloads a database may hold from before the rule: every HTML/Markdown/formula spelling (PostgreSQL
    stores no NUL, and the 10 000-character one adds nothing at the sinks)."""
    return [p for p in REFUSED if p.marker not in ("PLD12", "PLD14")]


ALL = REFUSED + ACCEPTED
BY_MARKER = {p.marker: p for p in ALL}
MARKERS = re.compile(r"PLD\d\d")


# --------------------------------------------------------------------------- what a browser page may not hold

# Run in the page (and in every same-origin frame): elements and attributes the corpus would create if it were
# interpreted, every URL-bearing attribute pointing outside, and the text of the page (SVG text included).
DOM_PROBE = r"""
() => {
  const found = [];
  const urlAttrs = ['src', 'href', 'srcset', 'action', 'formaction', 'data', 'poster', 'background', 'xlink:href',
                    'ping', 'style'];
  const docs = [document];
  for (const f of document.querySelectorAll('iframe')) {
    try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {}
  }
  for (const doc of docs) {
    for (const el of doc.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      for (const a of el.attributes) {
        const name = a.name.toLowerCase(), value = a.value || '';
        if (name.startsWith('on')) found.push(`${tag}[${name}=${value.slice(0, 80)}]`);
        if (urlAttrs.includes(name) && /outside\.invalid|javascript:/i.test(value))
          found.push(`${tag}[${name}=${value.slice(0, 80)}]`);
        if (/PLD\d\d/.test(value) && ['src', 'href', 'srcset', 'action', 'formaction', 'data'].includes(name))
          found.push(`${tag}[${name}=${value.slice(0, 80)}]`);
        if (name === 'autofocus' && /PLD/.test(el.outerHTML.slice(0, 300))) found.push(`${tag}[autofocus]`);
      }
      if (tag === 'img' && el.getAttribute('src') === 'x') found.push('img[src=x]');
      if (['iframe', 'object', 'embed', 'frame'].includes(tag)) {
        const src = el.getAttribute('src') || '';
        if (src && !src.startsWith('/') && !src.startsWith(location.origin) && !src.startsWith('about:'))
          found.push(`${tag}[src=${src.slice(0, 80)}]`);
      }
      if (tag === 'script' && /PLD\d\d|alert\(/.test(el.textContent || ''))
        found.push('script:' + el.textContent.slice(0, 80));
      if (['strong', 'b', 'em', 'i', 'del', 's', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'code', 'pre'].includes(tag)
          && /^\s*PLD(1[56]|26|30|33)/.test(el.textContent || '') && (el.textContent || '').length < 60)
        found.push(`${tag}:${el.textContent.slice(0, 60)}`);
      if (el.classList && (el.classList.contains('katex') || el.classList.contains('katex-html'))
          && /x|PLD/.test(el.textContent || '')) found.push('katex:' + el.textContent.slice(0, 40));
    }
  }
  // The text a reader sees: every text node of the HTML (hidden tabs and expanders included) and each SVG text
  // (Plotly) with its lines joined by a space, the tooltips too.
  const texts = [];
  for (const doc of docs) {
    const walker = doc.createTreeWalker(doc.body || doc, NodeFilter.SHOW_TEXT, {acceptNode: (n) => {
      const p = n.parentElement;
      if (!p || p.closest('svg, script, style, noscript')) return NodeFilter.FILTER_REJECT;
      return NodeFilter.FILTER_ACCEPT;
    }});
    for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n.data);
    for (const t of doc.querySelectorAll('svg text')) {
      const lines = t.querySelectorAll('tspan.line');
      texts.push(lines.length ? [...lines].map(l => l.textContent).join(' ') : t.textContent);
    }
    for (const el of doc.querySelectorAll('[title], [aria-label]'))
      texts.push((el.getAttribute('title') || '') + '\n' + (el.getAttribute('aria-label') || ''));
  }
  return {found, text: texts.join('\n')};
}
"""


def whitespace(text: str) -> str:
    """Runs of white space as one space (how a page lays text out), without the invisible word joiners
    (U+2060) that presentation.text.md_text puts in to break autolinks: what a reader sees."""
    return re.sub(r"\s+", " ", text.replace("\u2060", "")).strip()


def mangled(page_text: str, payloads: list[Payload]) -> list[str]:
    """Markers shown on a page whose payload is not shown as typed there: interpreted (Markdown, HTML, Plotly
    tags, entities) rather than displayed. Every occurrence of a marker must sit in its whole payload, literally.
    White space is left out of the comparison (a chart breaks a long label over lines, even inside a word), and
    a label cut short for lack of room (the payload's start, then « … » or « ... ») is tolerated."""
    flat = _solid(page_text)
    out = []
    for p in payloads:
        want = _solid(p.text)
        before = want.index(p.marker)
        covered = -1                      # a payload may hold its marker twice (PLD29 … /PLD29)
        for m in re.finditer(re.escape(p.marker), flat):
            if m.start() < covered:
                continue
            start = m.start() - before
            if start >= 0 and flat.startswith(want, start):
                covered = start + len(want)
                continue
            shown = flat[max(0, start):start + len(want) + 1]
            cut = min((i for i in (shown.find("…"), shown.find("...")) if i >= 0), default=-1)
            if start >= 0 and cut > before + len(p.marker) - 1 and want.startswith(shown[:cut]):
                covered = start + cut
                continue
            out.append(f"{p.marker}: attendu {p.text[:90]!r}, vu {flat[max(0, start - 10):m.end() + 90]!r}")
    return out


def _solid(text: str) -> str:
    """The text without white space nor invisible word joiners (presentation.text.md_text breaks autolinks
    with U+2060)."""
    return re.sub(r"[\s\u2060]+", "", text)


# --------------------------------------------------------------------------- office files and the static site

_FORMULA_CELL = re.compile(r"<(?:\w+:)?f[\s>/]")
_CELL_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
_HOSTILE_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?[0-9][0-9 \u00a0\u202f]*([.,][0-9]+)?\s*(%|€)?$")


# A chart part's only formulas are references to its embedded workbook's cells (« Sheet1!$B$2:$B$7 »).
_CHART_REFERENCE = re.compile(r"^(?:'[^']+'|\w+)!\$[A-Z]{1,3}\$[0-9]+(?::\$[A-Z]{1,3}\$[0-9]+)?$")
_CHART_FORMULA = re.compile(r"<(?:\w+:)?f>([^<]*)</(?:\w+:)?f>")
_STRING_CACHE = re.compile(r"<(?:\w+:)?strCache>(.*?)</(?:\w+:)?strCache>", re.S)
_CACHE_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def ooxml_problems(name: str, data: bytes) -> list[str]:
    """What an OOXML file (XLSX, PPTX, DOCX) may not hold: a formula (`<f>`) in any sheet — the workbooks
    embedded in the charts of a deck or a report included —, a sheet cell text starting like a formula, in a
    chart part (ppt/charts/, word/charts/) a formula other than a reference to its workbook's cells or a
    category or series name (the chart's copy of its workbook's cells) starting like a formula, a live link
    (external relationship, hyperlink) to the payloads' host, a marker inside a relationship target."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for part in z.namelist():
            body = z.read(part)
            if part.endswith((".xlsx", ".xlsm")):
                out += ooxml_problems(f"{name}!{part}", body)
                continue
            if not part.endswith((".xml", ".rels")):
                continue
            xml = body.decode("utf-8", "replace")
            is_sheet = part.startswith("xl/worksheets/") or part == "xl/sharedStrings.xml"
            if part.startswith("xl/worksheets/") and _FORMULA_CELL.search(xml):
                out.append(f"{name}!{part}: formule <f>")
            if is_sheet:
                for t in _CELL_TEXT.findall(xml):
                    t = _unxml(t)
                    if _HOSTILE_START.match(t) and not _NUMBER.match(t):
                        out.append(f"{name}!{part}: cellule non neutralisée {t[:60]!r}")
            if "/charts/" in part and part.endswith(".xml"):
                out += [f"{name}!{part}: formule {f[:60]!r}" for f in map(_unxml, _CHART_FORMULA.findall(xml))
                        if not _CHART_REFERENCE.match(f)]
                for t in (_unxml(v) for cache in _STRING_CACHE.findall(xml) for v in _CACHE_VALUE.findall(cache)):
                    if _HOSTILE_START.match(t) and not _NUMBER.match(t):
                        out.append(f"{name}!{part}: nom de graphique non neutralisé {t[:60]!r}")
            if part.endswith(".rels"):
                for target in re.findall(r'Target="([^"]*)"', xml):
                    if OUTSIDE in target or MARKERS.search(target) or target.lower().startswith("javascript"):
                        out.append(f"{name}!{part}: lien {target[:80]}")
            if re.search(r"<(?:\w+:)?hyperlink[^>]*(outside\.invalid|PLD\d\d)", xml):
                out.append(f"{name}!{part}: hyperlien vers une charge")
    return out


def _unxml(t: str) -> str:
    return (t.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def csv_problems(name: str, data: bytes) -> list[str]:
    """A French CSV (`;`) for spreadsheet programs: no cell (header included) starting like a formula."""
    import csv

    out = []
    text = data.decode("utf-8-sig")
    for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=";"), start=1):
        for cell in row:
            if _HOSTILE_START.match(cell) and not _NUMBER.match(cell):
                out.append(f"{name} l. {i}: cellule non neutralisée {cell[:60]!r}")
    return out


def pdf_problems(name: str, data: bytes) -> list[str]:
    """A PDF may carry no link (URI action) to the payloads' host nor any JavaScript action."""
    from pypdf import PdfReader

    out = []
    reader = PdfReader(io.BytesIO(data))
    for i, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            action = action.get_object() if action is not None else {}
            uri = str(action.get("/URI", ""))
            if OUTSIDE in uri or MARKERS.search(uri) or action.get("/S") == "/JavaScript":
                out.append(f"{name} p. {i}: lien {uri[:80]}")
    if b"/JavaScript" in data or b"/JS " in data:
        out.append(f"{name}: action JavaScript")
    return out


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (pypdf), as a reader copies it."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_drawable(payloads: list[Payload]) -> list[Payload]:
    """The payloads whose every character the PDF's fonts have (exports.fiche_pdf: DejaVu). DejaVu has no
    fullwidth « ＜ ＞ » (U+FF1C, U+FF1E, PLD28) and no glyph draws a control character (ESC of PLD13, NUL of
    PLD12): fpdf2 leaves a missing glyph out, with a warning — the whole PDF's limit, not a reading of the text."""
    from fontTools.ttLib import TTFont

    from exports import fiche_pdf

    cmap = TTFont(fiche_pdf.FONT_DIR / fiche_pdf.FACES[("DejaVuC", "")]).getBestCmap()
    return [p for p in payloads if all(ord(ch) in cmap or ch.isspace() for ch in p.text)]


def html_text(html: str) -> str:
    """The text a reader of a static page sees (scripts and styles left out)."""
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    for el in doc.xpath("//script|//style"):
        el.drop_tree()
    return doc.text_content()


def html_problems(name: str, html: str) -> list[str]:
    """The static site's HTML: no element or attribute the corpus would create (the site has no script at all),
    no URL to the payloads' host."""
    import lxml.html

    out = []
    doc = lxml.html.document_fromstring(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower().split("}")[-1]
        if tag in ("script", "iframe", "object", "embed", "frame"):
            out.append(f"{name}: <{tag}>")
        for attr, value in el.attrib.items():
            attr = attr.lower()
            if attr.startswith("on"):
                out.append(f"{name}: <{tag} {attr}>")
            if attr in ("src", "href", "srcset", "action", "formaction", "data", "style", "xlink:href") and (
                    OUTSIDE in value or "javascript:" in value.lower() or MARKERS.search(value)):
                out.append(f"{name}: <{tag} {attr}={value[:60]}>")
        if tag == "img" and el.get("src") == "x":
            out.append(f"{name}: <img src=x>")
    return out
