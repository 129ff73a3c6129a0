"""Contract-life page scaffolding: the « Données de démonstration » banner, the contract picker bound to
?contrat=, the short-lived saisie connection, and saving edits and imports through the one contract write
service (contract.service) with clear messages; what is shown comes from presentation.contract_life.

The banner is shown whenever the data on screen are démo rows (is_demo); it is part of the page, and the
charts carry the same label inside the figure (presentation.sources.source_line(..., demo=True)).
"""
from __future__ import annotations

import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from contract import service
from observatoire import settings, vocabulary
from presentation import contract_life
from presentation import imports as import_report
from presentation.sources import DEMO_LABEL
from presentation.text import html_fragment
from ui import auth, common, state

BANNER_CSS = """
<style>
.obs-demo {background: repeating-linear-gradient(135deg, var(--obs-demo-stripe), var(--obs-demo-stripe) 12px,
                                                 var(--obs-demo-stripe-dark) 12px, var(--obs-demo-stripe-dark) 24px);
           border: 2px solid var(--obs-demo-border); border-radius: 6px; padding: 0.55rem 0.9rem;
           margin: 0.2rem 0 0.9rem 0; color: var(--obs-demo-text); font-size: 0.95rem;}
.obs-demo b {letter-spacing: 0.04em; text-transform: uppercase;}
</style>
"""


def banner(is_demo: bool, what: str = "Ces données") -> None:
    """The démo label, impossible to miss; nothing when the data are real."""
    if not is_demo:
        return
    st.html(BANNER_CSS)
    st.markdown(html_fragment(
        '<div class="obs-demo" data-testid="obs-demo-banner"><b>{}</b> — {} sont '
        "inventées pour montrer l'outil sur un vrai contrat (quartiers, contours et moyens de l'État réels). "
        "Importez vos fichiers pour les remplacer.</div>", DEMO_LABEL, what), unsafe_allow_html=True)


@st.cache_resource(show_spinner="Préparation des données de démonstration…")
def _ensure_demo(saisie_path: str, warehouse_path: str, warehouse_mtime: int) -> bool:
    """First run without `python -m loaders ensure`: create the démo once per process if the saisie
    database is empty (same code as the CLI)."""
    return service.ensure_demo(warehouse_path, saisie_path, quiet=True)


def ensure_demo() -> None:
    wh = settings.db_path()
    if wh.exists():
        try:
            _ensure_demo(str(settings.saisie_target()), str(wh), wh.stat().st_mtime_ns)
        except service.StoreError as exc:          # busy, or a damaged saisie file (never rewritten)
            st.error(common.md_escape(str(exc)))
            st.stop()


def _unavailable(exc: BaseException):
    st.error(common.md_escape(str(exc)))                      # it names the file
    st.stop()


class _Saisie:
    """The run's saisie connection, opened at its first use only: the contract views are read through `read`
    (cached), so a page view usually opens nothing; editing, imports and templates still get a connection."""

    def __init__(self):
        self._stack: ExitStack | None = None
        self._con = None

    def _open(self):
        if self._con is None:
            self._stack = ExitStack()
            try:
                self._con = self._stack.enter_context(service.connect())
            except (service.StoreBusy, service.SaisieDamaged) as exc:
                _unavailable(exc)
        return self._con

    def __getattr__(self, name):
        return getattr(self._open(), name)

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()


@contextmanager
def saisie():
    """The saisie database for one page run (contract.service.connect), opened when first used."""
    con = _Saisie()
    try:
        yield con
    except (service.StoreBusy, service.SaisieDamaged) as exc:
        _unavailable(exc)
    finally:
        con.close()


_READERS: dict[str, object] = {}


@st.cache_resource(show_spinner=False, max_entries=1024)
def _read_call(name: str, saisie_version: tuple, warehouse_stamp: tuple, warehouse: bool, args: tuple, kwargs: dict):
    with service.connect() as sc:
        if not warehouse:
            return _READERS[name](sc, *args, **kwargs)
        try:
            with common.cursor() as cur:
                return _READERS[name](cur, sc, *args, **kwargs)
        except common.WarehouseMissing:
            return _READERS[name](None, sc, *args, **kwargs)


def read(func, *args, warehouse: bool = False, quiet: bool = False, **kwargs):
    """`func(sc, *args, **kwargs)` — `func(cur, sc, …)` with `warehouse` — a read of the saisie database (a
    contract view), cached until the database changes (contract.service.version: a write of any process, the
    command line's included) or the warehouse is rebuilt. What it returns is shared by every session (no copy:
    tables and figures made of it are found by identity, ui.common.SameObjects): never change it. A busy or
    damaged database stops the page with its French message, or gives None with `quiet` (pages that also work
    on open data alone)."""
    name = common.function_name(func)
    _READERS[name] = func
    try:
        return _read_call(name, service.version(), common.warehouse_stamp(), warehouse, tuple(args), dict(kwargs))
    except (service.StoreError, service.SaisieDamaged) as exc:
        if quiet:
            return None
        if not isinstance(exc, (service.StoreBusy, service.SaisieDamaged)):
            raise
        _unavailable(exc)


@contextmanager
def contract_page(title: str, intro: str):
    """Frame shared by the contract-life pages: header, démo data on first run, login, a saisie connection
    and the chosen contract (any contract: ?contrat= is never rewritten). Yields (saisie connection, contract
    code, user); stops the page without a contract."""
    common.page_setup(title, intro)
    ensure_demo()
    show_flash()
    user = auth.login_box()
    with saisie() as sc:
        contrat = contract_picker(sc)
        if not contrat:
            st.stop()
        st.markdown(f"**Contrat de ville : {common.md_escape(contract_name(sc, contrat))}**")
        yield sc, contrat, user


def contract_choices(sc) -> dict[str, str]:
    """{code: label} of every contract a page can open: the warehouse's contracts of both generations and
    those registered in the saisie database; contracts with data first (real, then démo), then the others."""
    try:
        wh = common.run(contract_life.warehouse_contracts)
    except common.WarehouseMissing:
        wh = []
    return contract_life.contract_choices(read(service.contracts), wh)


def default_contract(labels: dict[str, str]) -> str | None:
    """Without ?contrat=: the first contract of the connected account, else the first one with data."""
    user = auth.current_user()
    mine = [c for c in labels if user.authenticated and user.covers(c) and "*" not in (user.contrats or [])]
    return mine[0] if mine else next(iter(labels), None)


def contract_picker(sc, container=None) -> str | None:
    """Select box of every contract (contract_choices), bound to ?contrat=: a link to any contract opens it."""
    labels = contract_choices(sc)
    if not labels:
        st.info("Aucun contrat de ville dans l'entrepôt ni dans la base de saisie.")
        return None
    return state.selectbox(vocabulary.level_label("contrat_de_ville"), list(labels), "contrat",
                           format_func=lambda c: labels.get(c, c),
                           default=default_contract(labels), container=container or st.sidebar,
                           help="Tous les contrats de ville (2024-2030 et 2015-2023) ; en tête, ceux qui ont des "
                                "données saisies ou importées.")


def _warehouse_name(contrat: str) -> str | None:
    """The contract's name in the warehouse (cached per warehouse), None without a warehouse."""
    try:
        return common.run(contract_life.warehouse_name, contrat)
    except common.WarehouseMissing:
        return None


def contract_name(sc, contrat: str) -> str:
    """« Toulouse Métropole (CN03103I) »: the contract as pages name it (warehouse first, then saisie)."""
    nom = _warehouse_name(contrat)
    return f"{nom} ({contrat})" if nom else read(_saisie_contract_name, contrat)


def _saisie_contract_name(sc, contrat: str) -> str:
    return contract_life.contract_name(None, sc, contrat)


def template_quartiers(sc, contrat: str) -> list[dict]:
    """The contract's quartiers for an import template: as registered in the saisie database, else from the
    warehouse (a contract without any data yet)."""
    rows = read(_template_quartiers, contrat)
    if rows:
        return rows
    try:
        return common.run(contract_life.warehouse_quartiers, contrat)
    except common.WarehouseMissing:
        return []


def _template_quartiers(sc, contrat: str) -> list[dict]:
    return contract_life.template_quartiers(None, sc, contrat)


def template_context(sc, contrat: str) -> dict:
    """What the contract's import templates are filled with: its quartiers, its real signataires, its name."""
    nom = _warehouse_name(contrat) or read(contract_life.saisie_name, contrat)
    return {"quartiers": template_quartiers(sc, contrat), "signataires": read(service.template_signataires, contrat),
            "contrat_nom": nom}


def empty_state(kind: str, sc, contrat: str, what: str, how: str) -> None:
    """A contract without data of this kind: what the page will show, the template, the upload."""
    st.info(f"**Pas encore de données pour {common.md_escape(contract_name(sc, contrat))}.** {what}",
            icon=":material/inbox:")
    st.markdown(how)
    import_panel(kind, contrat, template_context(sc, contrat))
    st.stop()


def save(edits: list[service.Edit], success: str) -> bool:
    """Apply edits as the current user (contract.service); French message for success, conflict, refusal."""
    if not edits:
        st.info("Aucune modification à enregistrer.")
        return False
    try:
        service.save(edits, auth.current_user())
    except service.ConflictError as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        return False
    except (service.PermissionDenied, service.StoreError) as exc:
        st.error(str(exc), icon=":material/block:")
        return False
    st.success(success, icon=":material/check_circle:")
    return True


def session_edit(user=None):
    """`with ui.demo.session_edit() as tx:` for a multi-step change (e.g. a point d'étape and the new status)."""
    return service.edit(user or auth.current_user())


def editable_rows(sc, table: str, columns: list[str], dates: tuple[str, ...] = (), **where) -> pd.DataFrame:
    """The rows a page offers for editing (contract.service), date columns as dates for the date editor."""
    full = service.editable_rows(sc, table, columns, **where)
    for col in dates:
        full[col] = [d.date() if pd.notna(d) else None for d in full[col]]
    return full


def editable_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The id/row_version columns plus the editable ones, as st.data_editor should receive them."""
    return df[["id", "row_version", *columns]].reset_index(drop=True)


_FLASH = "_obs_flash"


def flash(kind: str, message: str) -> None:
    """A message shown at the top of the next run (after st.rerun)."""
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(_FLASH, None)
    if item:
        getattr(st, item[0])(item[1])


def labelled_column(kind: str, title: str) -> st.column_config.SelectboxColumn:
    """A select box showing the vocabulary labels (« En cours ») of a coded column (`en_cours`): the grid
    never shows internal codes; edit_table(labelled=…) turns labels back into codes before saving."""
    return st.column_config.SelectboxColumn(title, options=list(vocabulary.labels(kind).values()), required=True)


def _to_labels(df: pd.DataFrame, labelled: dict[str, str]) -> pd.DataFrame:
    df = df.copy()
    for col, kind in labelled.items():
        if col in df:
            df[col] = df[col].map(lambda c, k=kind: vocabulary.label(k, c) if isinstance(c, str) else c)
    return df


def _to_codes(df: pd.DataFrame, labelled: dict[str, str]) -> pd.DataFrame:
    df = df.copy()
    for col, kind in labelled.items():
        if col in df:
            back = {lab: code for code, lab in vocabulary.labels(kind).items()}
            df[col] = df[col].map(lambda v, b=back: b.get(v, v))
    return df


def edit_table(key: str, fresh: pd.DataFrame, table: str, columns: list[str], *, column_config: dict | None = None,
               label: str = "lignes", defaults: dict | None = None, labelled: dict[str, str] | None = None) -> None:
    """st.data_editor over a SNAPSHOT of the rows taken when the user started editing.

    The snapshot keeps the row_version the user saw: if another session saved the same row meanwhile,
    contract.service refuses with a conflict instead of overwriting it. « Recharger » takes a new snapshot.
    `labelled` {column: vocabulary kind}: coded columns shown and edited as labels, stored as codes."""
    labelled = labelled or {}
    snap_key = f"_obs_snap_{key}"
    if snap_key not in st.session_state:
        st.session_state[snap_key] = editable_frame(fresh, columns)
    before = st.session_state[snap_key]
    config = {"id": None, "row_version": None, **(column_config or {})}
    after = st.data_editor(_to_labels(before, labelled), key=key, column_config=config, hide_index=True,
                           num_rows="fixed", width="stretch")
    c1, c2, _ = st.columns([1.3, 1.3, 5])
    if c1.button("Enregistrer", key=f"{key}_save", icon=":material/save:", type="primary"):
        edits = service.diff(table, before, _to_codes(after, labelled), defaults)
        n = len(edits)
        if save(edits, f"{n} {label} enregistrée(s), avec leur trace dans le journal des modifications."):
            _reset(key)
            flash("success", f"{n} {label} enregistrée(s).")
            st.rerun()
    if c2.button("Recharger", key=f"{key}_reload", icon=":material/refresh:",
                 help="Abandonne vos modifications non enregistrées et relit la base"):
        _reset(key)
        st.rerun()


def _reset(key: str) -> None:
    st.session_state.pop(f"_obs_snap_{key}", None)
    st.session_state.pop(key, None)


KIND_LABELS = {kind: contract_life.import_kind_label(kind) for kind in service.IMPORT_KINDS}


def import_panel(kind: str, contrat: str, context: dict | list | None, extra: dict | None = None,
                 template: bool = True) -> None:
    """Template download for everyone (`template`: the kind has one in contract.imports.templates), filled with
    the contract's quartiers and signataires (`context`: template_context, or a list of quartiers); for the
    contract's chefs de projet, an upload that runs the CLI's import in two steps: a dry run at once (every
    error with file, line and column, or a preview of the rows and the columns recognised: nothing is written),
    then « Enregistrer » stores it all or nothing. The report's words are presentation.imports'."""
    ctx = context if isinstance(context, dict) else {"quartiers": context or []}
    if template:
        st.download_button(f"Modèle d'import — {KIND_LABELS[kind]} (XLSX)",
                           data=lambda: service.template(kind, **ctx),
                           file_name=service.template_name(kind), on_click="ignore", key=f"tpl_{kind}",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:", help="En-têtes, une ligne d'exemple et une notice")
    user = auth.current_user()
    if not auth.is_editor(contrat):
        if user.authenticated:
            st.caption(f"Votre compte ({common.md_escape(user.label)}) ne peut pas importer de fichier pour ce "
                       "contrat : l'import est réservé aux chefs de projet du contrat et aux administrateurs.")
        else:
            st.caption("Pour importer un fichier, connectez-vous (barre latérale) avec un compte chef de projet de "
                       "ce contrat.")
        return
    up = st.file_uploader(f"Importer un fichier — {KIND_LABELS[kind]} (XLSX ou CSV)", type=["xlsx", "csv"],
                          key=f"up_{kind}_{contrat}")
    if up is None:
        return
    data = up.getvalue()
    check = _run_import(kind, contrat, up.name, data, user, extra, verifier=True)
    if check is None:
        return
    st.markdown(f"**{common.md_escape(import_report.headline(check))}**")
    _report(check)
    preview = import_report.preview_rows(check)
    if preview:
        st.caption(f"Aperçu des {len(preview)} premières lignes, telles qu'elles seront lues :")
        st.dataframe(pd.DataFrame(preview), hide_index=True, width="stretch")
    if st.button("Enregistrer l'import", key=f"imp_{kind}_{contrat}", type="primary", icon=":material/save:"):
        res = _run_import(kind, contrat, up.name, data, user, extra, verifier=False)
        if res is not None:
            flash("success", " ".join(common.md_escape(x) for x in
                                      [import_report.headline(res)] + import_report.detail_lines(res)[:1]))
            st.session_state.pop(f"up_{kind}_{contrat}", None)
            st.rerun()


def _run_import(kind, contrat, name, data: bytes, user, extra, verifier: bool) -> dict | None:
    """The CLI's import_file on the uploaded bytes (a private temporary folder); errors shown, None returned."""
    with tempfile.TemporaryDirectory(prefix="obs-import-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        try:
            return service.import_file(kind, path, contrat, user, verifier, **(extra or {}))
        except service.InputError as exc:
            errors = getattr(exc, "total", 1)
            st.error(f"Fichier refusé, rien n'a été enregistré : {errors} erreur(s), toutes listées ci-dessous "
                     "(fichier, ligne, colonne). Corrigez le fichier et déposez-le à nouveau.")
            st.dataframe(error_table(exc), hide_index=True, width="stretch")
        except (service.StoreError, service.PermissionDenied) as exc:
            st.error(str(exc))
    return None


def error_table(exc: service.InputError) -> pd.DataFrame:
    """The errors of a refused file in French columns."""
    names = {"fichier": "Fichier", "ligne": "Ligne", "colonne": "Colonne", "probleme": "Problème",
             "attendu": "Attendu"}
    return pd.DataFrame([e.as_dict() for e in exc.all]).rename(columns=names)


def _report(res: dict) -> None:
    """The dry run's report (presentation.imports: the command line's words), escaped: file names, headers and
    details come from the user's file."""
    md = common.md_escape
    lines = [md(d) for d in import_report.detail_lines(res)]
    mapping = import_report.mapping_lines(res)
    if mapping:
        lines.append("Colonnes lues : " + " ; ".join(md(m) for m in mapping) + ".")
    ignored = import_report.ignored_line(res)
    if ignored:
        lines.append(md(ignored))
    if lines:
        st.markdown("\n".join(f"- {x}" for x in lines))
