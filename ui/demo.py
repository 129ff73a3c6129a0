"""Contract-life page scaffolding: the « Données de démonstration » banner, the contract picker bound to
?contrat=, the short-lived saisie connection, and saving edits through contract.store with clear messages.

The banner is shown whenever the data on screen are démo rows (is_demo); it is part of the page, and the
charts carry the same label inside the figure (presentation.sources.source_line(..., demo=True)).
"""
from __future__ import annotations

from contextlib import contextmanager

import pandas as pd
import streamlit as st

from presentation.sources import DEMO_LABEL
from contract import demo as demo_data
from contract import store
from observatoire import vocabulary, settings
from ui import auth, common, state

BANNER_CSS = """
<style>
.obs-demo {background: repeating-linear-gradient(135deg, #fff4e5, #fff4e5 12px, #ffe9cc 12px, #ffe9cc 24px);
           border: 2px solid #e08a00; border-radius: 6px; padding: 0.55rem 0.9rem; margin: 0.2rem 0 0.9rem 0;
           color: #5c3900; font-size: 0.95rem;}
.obs-demo b {letter-spacing: 0.04em; text-transform: uppercase;}
</style>
"""


def banner(is_demo: bool, what: str = "Ces données") -> None:
    """The démo label, impossible to miss; nothing when the data are real."""
    if not is_demo:
        return
    st.html(BANNER_CSS)
    st.markdown(
        f'<div class="obs-demo" data-testid="obs-demo-banner"><b>{DEMO_LABEL}</b> — {what} sont '
        "inventées pour montrer l'outil sur un vrai contrat (quartiers, contours et moyens de l'État réels). "
        "Importez vos fichiers pour les remplacer.</div>", unsafe_allow_html=True)


@st.cache_resource(show_spinner="Préparation des données de démonstration…")
def _ensure_demo(saisie_path: str, warehouse_path: str, warehouse_mtime: int) -> bool:
    """First run without `python -m loaders ensure`: create the démo once per process if the saisie
    database is empty (same code as the CLI)."""
    return demo_data.ensure(warehouse_path, saisie_path, quiet=True)


def ensure_demo() -> None:
    wh = settings.db_path()
    if wh.exists():
        _ensure_demo(str(settings.saisie_target()), str(wh), wh.stat().st_mtime_ns)


@contextmanager
def saisie():
    """A short-lived connection to the saisie database for one page run (see contract.store)."""
    try:
        with store.connect() as con:
            yield con
    except store.StoreBusy as exc:
        st.error(str(exc))
        st.stop()


@contextmanager
def contract_page(title: str, intro: str):
    """Frame shared by the contract-life pages: header, démo data on first run, login, a saisie connection
    and the chosen contract. Yields (saisie connection, contract code, user); stops the page without a contract."""
    common.page_setup(title, intro)
    ensure_demo()
    show_flash()
    user = auth.login_box()
    with saisie() as sc:
        contrat = contract_picker(sc)
        if not contrat:
            st.stop()
        yield sc, contrat, user


def contract_picker(sc, container=None) -> str | None:
    """Select box of the contracts present in the saisie database, bound to ?contrat=."""
    df = store.contracts(sc)
    if df.empty:
        st.info("Aucun contrat n'a encore de données de vie du contrat. Importez un fichier "
                "(`python -m loaders import programmation FICHIER --contrat CODE`) ou préparez la démonstration "
                "avec `python -m loaders ensure`.")
        return None
    labels = {r.contrat_code: f"{r.nom} ({r.contrat_code})" + (" — démo" if r.is_demo else "")
              for r in df.itertuples()}
    return state.selectbox("Contrat de ville", list(labels), "contrat", format_func=lambda c: labels.get(c, c),
                           container=container or st.sidebar)


def save(edits: list[store.Edit], success: str) -> bool:
    """Apply edits as the current user; French message for success, conflict, refusal."""
    if not edits:
        st.info("Aucune modification à enregistrer.")
        return False
    try:
        store.apply(edits, auth.current_user())
    except store.ConflictError as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        return False
    except (store.PermissionDenied, store.StoreError) as exc:
        st.error(str(exc), icon=":material/block:")
        return False
    st.success(success, icon=":material/check_circle:")
    return True


def session_edit(user=None):
    """`with ui.demo.session_edit() as tx:` for a multi-step change (e.g. a point d'étape and the new status)."""
    return store.edit(user or auth.current_user())


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
    contract.store refuses with a conflict instead of overwriting it. « Recharger » takes a new snapshot.
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
        edits = store.diff_frames(table, before, _to_codes(after, labelled), defaults)
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


def import_panel(kind: str, contrat: str, quartiers: list[dict], extra: dict | None = None,
                 template: bool = True) -> None:
    """Template download for everyone (`template`: the kind has one in contract.imports.templates); file
    upload (same code as the CLI import) for editors."""
    import tempfile
    from pathlib import Path

    from contract.imports import templates
    from readers.errors import InputError

    if template:
        st.download_button(f"Modèle d'import ({kind}, XLSX)", data=lambda: templates.build(kind, quartiers),
                           file_name=templates.file_name(kind), on_click="ignore", key=f"tpl_{kind}",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:", help="En-têtes, une ligne d'exemple et une notice")
    if not auth.is_editor(contrat):
        st.caption("L'import de fichiers est réservé aux comptes d'édition du contrat.")
        return
    up = st.file_uploader(f"Importer un fichier ({kind})", type=["xlsx", "csv"], key=f"up_{kind}")
    if up is None:
        return
    c1, c2, _ = st.columns([1, 1, 4])
    check, go = c1.button("Vérifier", key=f"chk_{kind}"), c2.button("Importer", key=f"imp_{kind}", type="primary")
    if not (check or go):
        return
    module = __import__(f"contract.imports.{'enquete' if kind == 'enquete' else kind}", fromlist=["import_file"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(up.name).name
        path.write_bytes(up.getvalue())
        try:
            res = module.import_file(path, contrat, user=auth.current_user(), verifier=check, **(extra or {}))
        except InputError as exc:
            errors = getattr(exc, "total", 1)
            st.error(f"Fichier refusé, rien n'a été enregistré : {errors} erreur(s), toutes listées ci-dessous "
                     f"(fichier, ligne, colonne).")
            st.dataframe(pd.DataFrame([e.as_dict() for e in exc.all]), hide_index=True, width="stretch")
            return
        except (store.StoreError, store.PermissionDenied) as exc:
            st.error(str(exc))
            return
    md = common.md_escape    # file names, headers and details come from the user's file
    msg = ("Fichier valide (rien n'a été enregistré)" if check else "Import terminé") + f" : {res['rows']} ligne(s). " \
        + " ".join(md(d) for d in res["details"])
    if res.get("encoding"):
        msg += f" Encodage détecté : {md(res['encoding'])}."
    if res.get("mapping"):
        msg += " Colonnes lues : " + " ; ".join(md(m) for m in res["mapping"]) + "."
    if res["ignored"]:
        msg += " Colonnes ignorées : " + ", ".join(md(h) for h in res["ignored"])
    if check:
        st.success(msg)
    else:
        flash("success", msg)
        st.rerun()
