// French for the texts Streamlit's frontend draws itself (uploader, table toolbar, menus, status, aria-labels).
// Loaded by ui/french.py (install), which inlines its table in place of the TABLE marker below; see
// docs/FRANCAIS.md. Installed once per browser tab: the MutationObserver then translates whatever Streamlit
// draws or redraws. Only the exact strings of the table are replaced; page content is never touched.
(function () {
  "use strict";
  if (window.__obsFrench) return;
  const T = /*TABLE*/null;
  if (!T) return;
  window.__obsFrench = true;

  const ATTRS = ["title", "aria-label", "aria-valuetext", "placeholder", "data-title"];
  // What the app shows (Markdown, captions, code, headings, options of a select box, uploaded file names) is
  // content, never translated; a tooltip's Markdown is Streamlit's own text (toolbar buttons).
  const CONTENT = '[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], ' +
    '[data-testid="stCode"], [data-testid="stFileChipName"], [data-testid="stText"], [data-testid="stTable"], ' +
    '[role="option"], .stHeading, svg';
  // Markdown inside a tooltip or a button is Streamlit's own label (toolbar tips, the uploader's « Upload »).
  const OVERLAY = '[data-baseweb="tooltip"], [data-testid="stTooltipContent"], button';
  const UPLOADER = '[data-testid="stFileUploader"]';
  const SKIP = { SCRIPT: 1, STYLE: 1, svg: 1, SVG: 1, CANVAS: 1, NOSCRIPT: 1 };

  function isContent(el) {
    const c = el.closest(CONTENT);
    return c !== null && c.closest(OVERLAY) === null;
  }

  const SIZE = "(\\d+(?:\\.\\d+)?)\\s?(B|KB|MB|GB|TB)";
  function bytes(n, unit) {          // « 10.0 », « KB » -> « 10,0 Ko » ; « 56.0 », « B » -> « 56 o »
    return (unit === "B" ? n.split(".")[0] : n.replace(".", ",")) + "\u00a0" + T.units[unit];
  }

  function size(text) {              // the uploader: « 200MB per file », « 10.0KB », « points.csv, 56.0B » (a file's
    let m = new RegExp("^" + SIZE + " per file$").exec(text);          // aria-label), « File must be … or smaller. »
    if (m) return bytes(m[1], m[2]) + " par fichier";
    m = new RegExp("^(.*?)(, )?" + SIZE + "$").exec(text);
    if (m && (m[1] === "" || m[2])) return m[1] + (m[2] || "") + bytes(m[3], m[4]);
    m = new RegExp("^File must be " + SIZE + " or smaller\\.$").exec(text);
    if (m) return "Le fichier doit faire au plus " + bytes(m[1], m[2]) + ".";
    m = /^(.+) files are not allowed\.$/.exec(text);
    if (m) return "Fichiers " + m[1] + " refusés.";
    return undefined;
  }

  function date(text) {              // the date field: « Selected Date: June 25, 2026 », its month « 06 – June »
    let m = /^Selected Date: ([A-Z][a-z]+) (\d+), (\d{4})$/.exec(text);
    if (m && T.months[m[1]]) return "Date choisie : " + (m[2] === "1" ? "1er" : m[2]) + " " + T.months[m[1]] + " " + m[3];
    m = /^(\d{1,2}) – ([A-Z][a-z]+)$/.exec(text);
    if (m && T.months[m[2]]) return m[1] + " – " + T.months[m[2]];
    return undefined;
  }

  function translate(raw, el) {
    const key = raw.trim();
    if (!key) return null;
    let out = Object.prototype.hasOwnProperty.call(T.texts, key) ? T.texts[key] : undefined;
    if (out === undefined) {
      for (const [en, fr] of T.prefixes) {
        if (key.length > en.length && key.startsWith(en)) { out = fr + key.slice(en.length); break; }
      }
    }
    if (out === undefined && el.closest(UPLOADER)) out = size(key);
    if (out === undefined) out = date(key);
    if (out === undefined || out === key) return null;
    return raw.replace(key, out);
  }

  function fixText(node) {
    const el = node.parentElement;
    if (!el || isContent(el)) return;
    const out = translate(node.nodeValue || "", el);
    if (out !== null) node.nodeValue = out;
  }

  function fixAttr(el, name) {            // attributes of content are Streamlit's too (« Link to heading »)
    const value = el.getAttribute(name);
    if (!value || el.closest('[role="option"], [data-testid="stFileChipName"]')) return;
    const out = translate(value, el);
    if (out !== null) el.setAttribute(name, out);
  }

  function fixElement(el) {
    for (const name of ATTRS) if (el.hasAttribute(name)) fixAttr(el, name);
  }

  function walk(root) {
    if (root.nodeType === Node.TEXT_NODE) { fixText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE || SKIP[root.nodeName]) return;
    fixElement(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.nodeType === Node.ELEMENT_NODE && SKIP[n.nodeName]) ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
    });
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === Node.TEXT_NODE) fixText(n); else fixElement(n);
    }
  }

  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "childList") m.addedNodes.forEach(walk);
      else if (m.type === "characterData") fixText(m.target);
      else if (m.type === "attributes") fixAttr(m.target, m.attributeName);
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true,
                              attributeFilter: ATTRS });
  walk(document.body);
})();
