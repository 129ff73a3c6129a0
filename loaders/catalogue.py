"""catalogue/*.yaml -> source_catalog, indicator_catalog, indicator_source, indicator_absent.

The YAML is validated first (unknown theme, polarity, gap kind, source, secret rule, aggregation
denominator, malformed mapping...): every problem is reported with the indicator id, the field and the
line in the YAML file, and nothing is written.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from loaders import bulk
from readers.errors import InputError, InputErrors
from observatoire import settings, vocabulary

REQUIRED = ("id", "label", "unit", "theme", "polarity", "source", "definition", "gap_kind", "aggregation",
            "tolerance", "barometre")
REF_LEVELS = {"EPCI": "epci", "DEP": "departement", "REG": "region", "METROPOLE": "france"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def read_yaml(name: str) -> tuple[dict, dict]:
    """(document, {indicator id or source id: line}) of a catalogue YAML file."""
    path = settings.catalogue_dir() / name
    text = path.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)   # libyaml: ~10 times faster
    try:
        node = loader.get_single_node()            # one parse gives both the nodes (line numbers)
        doc = loader.construct_document(node)      # and the data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, f"YAML invalide : {exc}", line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
    lines: dict = {}
    for key_node, value_node in node.value:
        if key_node.value == "indicators":
            for item in value_node.value:
                for k, v in item.value:
                    if k.value == "id":
                        lines[v.value] = item.start_mark.line + 1
        elif key_node.value == "sources":
            for k, v in value_node.value:
                lines[k.value] = k.start_mark.line + 1
    return doc, lines


def parse_mapping(spec: str) -> tuple[str, str]:
    """'FILE:VARIABLE' -> (file, variable); the variable may be a formula 'A+B/C'."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"« {spec} » n'est pas de la forme FICHIER:VARIABLE")
    file, variable = spec.split(":", 1)
    if not file.strip() or not variable:
        raise ValueError(f"« {spec} » n'est pas de la forme FICHIER:VARIABLE")
    return file.strip(), variable


def formula_terms(variable: str) -> tuple[list[str], list[str]]:
    """'A+B/C' -> (['A', 'B'], ['C']); 'A' -> (['A'], []). Column names are kept exactly (spaces too)."""
    if "/" in variable:
        num, den = variable.split("/", 1)
        return num.split("+"), den.split("+")
    return variable.split("+"), []


def validate(ind_doc: dict, src_doc: dict, ind_lines: dict, src_lines: dict) -> None:
    """Raise InputErrors listing every problem of the catalogue (nothing is loaded if any)."""
    ind_path, src_path = settings.catalogue_dir() / "indicators.yaml", settings.catalogue_dir() / "sources.yaml"
    errors: list[InputError] = []
    sources = src_doc.get("sources") or {}
    for sid, s in sources.items():
        for f in ("producer", "title", "files"):
            if not s.get(f):
                errors.append(InputError(src_path, f"source « {sid} » : champ « {f} » manquant",
                                         line=src_lines.get(sid), column=f))
    themes, polarities, gap_kinds = (vocabulary.codes(k) for k in ("themes", "polarities", "gap_kinds"))
    rules = ind_doc.get("secret_rules") or {}
    inds = ind_doc.get("indicators") or []
    ids = [i.get("id") for i in inds]
    seen = set()

    def err(ind, field, msg, expected=None):
        iid = ind.get("id", "?")
        errors.append(InputError(ind_path, f"indicateur « {iid} » : {msg}", line=ind_lines.get(iid),
                                 column=field, expected=expected))

    for ind in inds:
        for f in REQUIRED:
            if f not in ind or ind[f] is None:
                err(ind, f, f"champ « {f} » manquant")
        iid = ind.get("id")
        if iid in seen:
            err(ind, "id", "identifiant en double")
        seen.add(iid)
        if iid is not None and not ID_RE.match(str(iid)):
            err(ind, "id", f"identifiant « {iid} » invalide", "minuscules, chiffres et _")
        if ind.get("theme") not in themes:
            err(ind, "theme", f"thème « {ind.get('theme')} » inconnu", ", ".join(themes))
        if ind.get("polarity") not in polarities:
            err(ind, "polarity", f"polarité « {ind.get('polarity')} » inconnue", ", ".join(polarities))
        if ind.get("gap_kind") not in gap_kinds:
            err(ind, "gap_kind", f"type d'écart « {ind.get('gap_kind')} » inconnu", ", ".join(gap_kinds))
        if ind.get("source") not in sources:
            err(ind, "source", f"source « {ind.get('source')} » inconnue", "une clé de catalogue/sources.yaml")
        rule = ind.get("secret_rule")
        if rule is not None and rule not in rules:
            err(ind, "secret_rule", f"règle de secret « {rule} » inconnue", ", ".join(rules))
        agg = str(ind.get("aggregation"))
        if agg.startswith("weighted:"):
            if agg.split(":", 1)[1] not in ids:
                err(ind, "aggregation", f"dénominateur « {agg.split(':', 1)[1]} » inconnu",
                    "weighted:<identifiant d'un indicateur>")
        elif agg not in ("sum", "none"):
            err(ind, "aggregation", f"agrégation « {agg} » inconnue", "sum, none ou weighted:<indicateur>")
        if ind.get("edition_key", "edition") not in ("edition", "income_year"):
            err(ind, "edition_key", f"clé d'édition « {ind.get('edition_key')} » inconnue", "edition ou income_year")
        if not isinstance(ind.get("barometre"), bool):
            err(ind, "barometre", "barometre doit valoir true ou false")
        if not isinstance(ind.get("tolerance"), (int, float)):
            err(ind, "tolerance", "tolérance non numérique")
        editions = ind.get("editions")
        if not isinstance(editions, dict) or not editions:
            err(ind, "editions", "aucune édition déclarée", "{année: \"FICHIER:VARIABLE\"}")
            continue
        for year, specs in editions.items():
            if not isinstance(year, int):
                err(ind, "editions", f"édition « {year} » non entière")
            for spec in specs if isinstance(specs, list) else [specs]:
                try:
                    parse_mapping(spec)
                except ValueError as exc:
                    err(ind, "editions", f"édition {year} : {exc}")
        for field in ("references", "communes"):
            refs = ind.get(field)
            if refs is not None and (not isinstance(refs, dict) or "variable" not in refs):
                err(ind, field, "références mal déclarées", "{variable: \"Q2{yy}\", except: {2014: null}}")
            if refs is not None and ind.get("edition_key") != "income_year":
                err(ind, field, "références Filosofi déclarées pour un indicateur qui n'est pas rangé par "
                    "année de revenus", "edition_key: income_year")
    if errors:
        raise InputErrors(errors)


def _file_family(sources: dict) -> list[tuple[str, re.Pattern, dict]]:
    """(source id, file-name regex, source) for every source with an edition pattern."""
    out = []
    for sid, s in sources.items():
        if s.get("edition_from_name"):
            out.append((sid, re.compile(s["edition_from_name"]), s))
    return out


def _edition_of(name: str, pattern: re.Pattern) -> int | None:
    m = pattern.search(name)
    if not m:
        return None
    y = int(m.group(1))
    return y + 2000 if y < 100 else y


def expand(ind_doc: dict, src_doc: dict, data_dir: Path) -> tuple[list[tuple], list[tuple]]:
    """indicator_source rows and indicator_absent rows from the declarations and the files present."""
    sources = src_doc["sources"]
    families = _file_family(sources)
    # Files present in the data directory, per family: (family, file name, edition)
    present: list[tuple[str, str, int]] = []
    for sid, pattern, s in families:
        for glob in s["files"]:
            for p in sorted(Path(data_dir).glob(glob)):
                e = _edition_of(p.name, pattern)
                if e is not None:
                    present.append((sid, p.name, e))
    family_of = {name: sid for sid, name, _ in present}
    offset = {sid: int(s.get("income_year_offset", 0)) for sid, _, s in families}
    ref_sid = next((sid for sid, s in sources.items() if s.get("loader") == "filosofi_refs"), None)
    ref_level_re = re.compile(sources[ref_sid]["level_from_name"]) if ref_sid else None
    com_sid = next((sid for sid, s in sources.items() if s.get("loader") == "filosofi_communes"), None)

    src_rows, absent_rows = [], []
    for ind in ind_doc["indicators"]:
        iid = ind["id"]
        income = ind.get("edition_key", "edition") == "income_year"
        used_families = set()
        mapped_keys = set()
        for year, specs in ind["editions"].items():
            for prio, spec in enumerate(specs if isinstance(specs, list) else [specs], start=1):
                file, variable = parse_mapping(spec)
                fam = family_of.get(file)
                if fam:
                    used_families.add(fam)
                src_rows.append((iid, int(year), file, variable, int(year) if income else None, "qpv", prio))
                mapped_keys.add(int(year))
        # Same-family files whose edition key is not mapped: the variable is absent from that edition.
        for fam, name, e in present:
            if fam not in used_families:
                continue
            key = e + (offset.get(fam, 0) if income else 0)
            if key not in mapped_keys:
                absent_rows.append((iid, key, name, "qpv",
                                    f"variable non publiée dans {name}"))
        # Filosofi reference territories (FILO*_DISP: `references`) and communes (base communale: `communes`).
        for sid, field in ((ref_sid, "references"), (com_sid, "communes")):
            if not (income and sid):
                continue
            refs = ind.get(field)
            for fam, name, e in present:
                if fam != sid:
                    continue
                level = (REF_LEVELS[ref_level_re.search(name).group(1)] if field == "references"
                         else sources[sid].get("level", "commune"))
                if refs is None:
                    absent_rows.append((iid, e, name, level, f"indicateur absent des fichiers de référence "
                                        f"Filosofi ({name}) : pas de valeur de référence, pas de substitution"))
                    continue
                exceptions = refs.get("except") or {}
                variable = exceptions[e] if e in exceptions else refs["variable"].format(yy=f"{e % 100:02d}")
                if variable is None:
                    absent_rows.append((iid, e, name, level, f"variable non publiée dans {name}"))
                else:
                    src_rows.append((iid, e, name, variable, e, level, 1))
    return src_rows, absent_rows


def load(ctx) -> None:
    ind_doc, ind_lines = read_yaml("indicators.yaml")
    src_doc, src_lines = read_yaml("sources.yaml")
    validate(ind_doc, src_doc, ind_lines, src_lines)
    con = ctx.con
    src_table = [
        (sid, s["producer"], s["title"], s.get("licence"), s.get("generation"), "; ".join(s["files"]),
         ", ".join(str(e) for e in s.get("editions") or []), (s.get("note") or "").strip() or None)
        for sid, s in src_doc["sources"].items()
    ]
    bulk.insert(con, "source_catalog", ["source_id", "producer", "title", "licence", "generation", "files",
                                    "editions", "note"], src_table)
    cat_cols = ["indicator_id", "label", "short_label", "unit", "theme", "polarity", "source", "definition",
                "decimals", "gap_kind", "aggregation", "secret_rule", "tolerance", "barometre", "sort_order",
                "edition_key", "note", "is_local"]
    cat_rows = [
        (i["id"], i["label"], i.get("short_label"), i["unit"], i["theme"], i["polarity"], i["source"],
         i["definition"], int(i.get("decimals", 1)), i["gap_kind"], str(i["aggregation"]), i.get("secret_rule"),
         float(i["tolerance"]), bool(i["barometre"]), n, i.get("edition_key", "edition"), i.get("note"), False)
        for n, i in enumerate(ind_doc["indicators"], start=1)
    ]
    bulk.insert(con, "indicator_catalog", cat_cols, cat_rows)
    src_rows, absent_rows = expand(ind_doc, src_doc, ctx.data_dir)
    bulk.insert(con, "indicator_source", ["indicator_id", "edition", "source_file", "source_variable", "ref_year",
                                      "level", "priority"], src_rows)
    bulk.insert(con, "indicator_absent", ["indicator_id", "edition", "source_file", "level", "reason"], absent_rows)
    voc_rows = vocabulary_rows()
    bulk.insert(con, "vocabulary", ["kind", "code", "label", "short_label", "sort_order", "color", "symbol",
                                    "attributes"], voc_rows)
    ctx.log_file(settings.catalogue_dir() / "vocabulary.yaml", len(voc_rows), "termes des vocabulaires")
    for name in ("indicators.yaml", "sources.yaml"):
        ctx.log_file(settings.catalogue_dir() / name, len(cat_rows) if name == "indicators.yaml" else len(src_table),
                     f"{len(src_rows)} correspondances fichier/variable, {len(absent_rows)} éditions absentes"
                     if name == "indicators.yaml" else "sources déclarées")


def vocabulary_rows() -> list[tuple]:
    """catalogue/vocabulary.yaml as rows of the warehouse table `vocabulary` (one row per kind and code)."""
    rows = []
    for kind in vocabulary.KINDS:
        for n, (code, t) in enumerate(vocabulary.terms(kind).items(), start=1):
            rest = {k: v for k, v in t.items() if k not in ("label", "short", "color", "symbol")}
            rows.append((kind, code, str(t.get("label", code)), t.get("short"), n, t.get("color"), t.get("symbol"),
                         json.dumps(rest, ensure_ascii=False) if rest else None))
    return rows
