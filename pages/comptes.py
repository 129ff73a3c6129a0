"""Comptes: the one-time setup screen of a fresh install, the administrator's account management (create,
disable/enable, unlock, reset a password, change contracts, role, signataire or the e-mail used by single
sign-on), and every user's own password.

Every action goes through contract.accounts, which checks the acting user's role again, audits the change and
ends the sessions of a disabled or reset account (and the other sessions of a user who changes its own
password). Passwords are typed twice in password fields, never shown.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from contract import accounts, roles, store
from presentation import engagements as engagements_view
from observatoire import frformat, vocabulary
from ui import auth, blocks, common, demo

common.page_setup("Comptes", "Qui peut modifier quoi : chefs de projet par contrat, partenaires limités aux "
                             "engagements de leur institution, élus en lecture.")
demo.show_flash()


PASSWORD_HELP = (f"{roles.MIN_PASSWORD} caractères au moins ; ni l'identifiant, ni le nom d'un contrat de ville, "
                 "ni un mot de passe courant : une phrase de plusieurs mots convient bien")


def _done(message: str) -> None:
    demo.flash("success", common.md_escape(message))
    st.rerun()


def setup_screen() -> None:
    """Fresh install: no administrateur yet. The first one is created here, once."""
    st.info("**Première mise en service.** Aucun administrateur n'existe encore : créez le premier compte "
            "administrateur. Cet écran disparaît dès qu'il existe (on peut aussi le créer au démarrage avec les "
            "variables OBSERVATOIRE_ADMIN_LOGIN et OBSERVATOIRE_ADMIN_PASSWORD, voir le guide de déploiement).",
            icon=":material/shield_person:")
    with st.form("obs_first_admin", clear_on_submit=False):
        login = st.text_input("Identifiant", key="setup_login", help="lettres sans accent, chiffres, . _ -")
        nom = st.text_input("Nom affiché", key="setup_nom")
        pw = st.text_input("Mot de passe", type="password", key="setup_pw", help=PASSWORD_HELP)
        pw2 = st.text_input("Confirmer le mot de passe", type="password", key="setup_pw2")
        ok = st.form_submit_button("Créer l'administrateur", type="primary", icon=":material/person_add:")
    if ok:
        try:
            accounts.create_first_admin(login.strip(), pw, pw2, nom=nom.strip())
            user = accounts.authenticate(login.strip(), pw, client=auth.browser_id())
        except (accounts.AccountError, roles.PermissionDenied, store.StoreBusy) as exc:
            st.error(common.md_escape(str(exc)))
            return
        auth.sign_in(user)
        _done(f"{vocabulary.label('roles', 'administrateur')} « {login.strip()} » créé ; vous êtes connecté.")


def own_password(user: roles.User) -> None:
    with st.expander("Changer mon mot de passe", icon=":material/password:"):
        with st.form("obs_own_pw", clear_on_submit=True):
            old = st.text_input("Mot de passe actuel", type="password")
            new = st.text_input("Nouveau mot de passe", type="password", help=PASSWORD_HELP)
            new2 = st.text_input("Confirmer le nouveau mot de passe", type="password")
            ok = st.form_submit_button("Changer le mot de passe")
        if ok:
            try:
                accounts.change_password(user, old, new, new2, keep_token=auth.session_token())
            except (accounts.AccountError, store.StoreBusy) as exc:
                st.error(common.md_escape(str(exc)))
            else:
                st.success("Mot de passe changé. Vos autres sessions (autres navigateurs, autres appareils) sont "
                           "fermées.")


def users_table(df: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        "Identifiant": df["login"], "Nom": df["nom"], "E-mail": df["email"].fillna("—"), "Rôle": df["role_label"],
        "Contrats": ["tous" if "*" in c else (", ".join(c) if c else "—") for c in df["contrats"]],
        "Signataire": df["signataire"].fillna("—"),
        "Statut": ["actif" if a else "désactivé" for a in df["active"]],
        "Connexion": [("mot de passe" + (" ou ProConnect" if isinstance(m, str) else "")) if p else "ProConnect"
                      for p, m in zip(df["has_password"], df["email"])],
        "Bloqué jusqu'au": [frformat.fmt_datetime(v) if pd.notna(v) else "" for v in df["locked_until"]],
        "Dernière connexion": [frformat.fmt_datetime(v) if pd.notna(v) else "jamais" for v in df["last_login_at"]],
        "Sessions ouvertes": df["open_sessions"].astype(int),
    })
    blocks.table(shown, "comptes", None, key="comptes_table", downloads_=False)


def account_fields(prefix: str, sc, choices: dict[str, str], role: str | None = None,
                   contrats: list[str] | None = None, signataire: str | None = None) -> tuple[str, list[str], str | None]:
    """Role, contracts and signataire inputs shared by the creation and the change forms."""
    codes = roles.account_roles()
    role = st.selectbox("Rôle", codes, index=codes.index(role) if role in codes else codes.index("chef_de_projet"),
                        format_func=lambda c: vocabulary.label("roles", c), key=f"{prefix}_role",
                        help=" ; ".join(f"{vocabulary.label('roles', c)} : {vocabulary.term('roles', c)['description']}"
                                        for c in codes))
    options = ["*"] + list(choices)
    picked = st.multiselect("Contrats", options, default=[c for c in (contrats or []) if c in options],
                            format_func=lambda c: "Tous les contrats" if c == "*" else choices.get(c, c),
                            placeholder="Choisir un ou plusieurs contrats…",
                            key=f"{prefix}_contrats", help="Sans effet pour un administrateur (tous les contrats)")
    names = engagements_view.signataire_names(sc, [c for c in picked if c != "*"])
    if signataire and signataire not in names:
        names.insert(0, signataire)
    sig = st.selectbox("Signataire (compte partenaire)", [None] + names,
                       index=([None] + names).index(signataire) if signataire in names else 0,
                       format_func=lambda v: "—" if v is None else v, accept_new_options=True,
                       key=f"{prefix}_sig", help="Le partenaire ne modifie que les engagements de ce signataire "
                                                 "(nom exact, tel qu'importé). Choisissez d'abord le contrat.")
    return role, picked, sig


def admin_screen(admin: roles.User) -> None:
    df = accounts.list_users()
    st.subheader(f"{frformat.fmt_int(len(df))} compte(s)")
    users_table(df)
    with demo.saisie() as sc:
        choices = demo.contract_choices(sc)
        st.subheader("Créer un compte")
        n = st.session_state.get("_obs_new_account", 0)     # new keys after a creation: the form starts empty
        c1, c2 = st.columns(2)
        with c1:
            login = st.text_input("Identifiant", key=f"new_login_{n}", help="lettres sans accent, chiffres, . _ -")
            nom = st.text_input("Nom affiché", key=f"new_nom_{n}", help="ex. « Marie Dupont (CAF 31) »")
            email = st.text_input("Adresse e-mail (connexion ProConnect)", key=f"new_email_{n}",
                                  help="L'adresse que ProConnect transmet pour cet agent : il se connecte alors "
                                       "avec ProConnect, avec le rôle et les contrats choisis ici.")
            pw = st.text_input("Mot de passe", type="password", key=f"new_pw_{n}",
                               help=PASSWORD_HELP + ". Laissez vide pour un compte qui ne se connecte que par "
                                                    "ProConnect (adresse e-mail obligatoire).")
            pw2 = st.text_input("Confirmer le mot de passe", type="password", key=f"new_pw2_{n}")
        with c2:
            role, contrats, sig = account_fields(f"new_{n}", sc, choices)
        if st.button("Créer le compte", type="primary", icon=":material/person_add:", key="new_go"):
            try:
                accounts.create_user(admin, login.strip(), role, pw, pw2, contrats=contrats, signataire=sig,
                                     nom=nom.strip(), email=email)
            except (accounts.AccountError, roles.PermissionDenied, store.StoreBusy) as exc:
                st.error(common.md_escape(str(exc)))
            else:
                st.session_state["_obs_new_account"] = n + 1
                _done(f"Compte « {login.strip()} » créé ({vocabulary.label('roles', role)}).")

        if df.empty:
            return
        st.subheader("Modifier un compte")
        labels = {r.login: f"{r.login} — {r.nom or ''} ({r.role_label}{'' if r.active else ', désactivé'})"
                  for r in df.itertuples()}
        login = st.selectbox("Compte", list(labels), format_func=labels.get, key="edit_login")
        row = df[df["login"] == login].iloc[0]
        t1, t2, t3 = st.tabs(["Rôle, contrats, signataire, e-mail", "Mot de passe", "Activer, débloquer"])
        with t1:
            role, contrats, sig = account_fields(f"edit_{login}", sc, choices, row["role"], list(row["contrats"]),
                                                 row["signataire"] if pd.notna(row["signataire"]) else None)
            email = st.text_input("Adresse e-mail (connexion ProConnect)", key=f"edit_email_{login}",
                                  value=row["email"] if pd.notna(row["email"]) else "")
            if st.button("Enregistrer", key=f"edit_go_{login}", icon=":material/save:"):
                try:
                    accounts.assign(admin, login, contrats=contrats, signataire=sig, role=role, email=email)
                except (accounts.AccountError, roles.PermissionDenied, store.StoreBusy) as exc:
                    st.error(common.md_escape(str(exc)))
                else:
                    _done(f"Compte « {login} » modifié.")
        with t2:
            with st.form(f"reset_{login}", clear_on_submit=True):
                pw = st.text_input("Nouveau mot de passe", type="password")
                pw2 = st.text_input("Confirmer le nouveau mot de passe", type="password")
                ok = st.form_submit_button("Réinitialiser le mot de passe", icon=":material/lock_reset:")
            st.caption("Les sessions ouvertes de ce compte sont fermées et un blocage après échecs est levé.")
            if ok:
                try:
                    accounts.reset_password(admin, login, pw, pw2)
                except (accounts.AccountError, roles.PermissionDenied, store.StoreBusy) as exc:
                    st.error(common.md_escape(str(exc)))
                else:
                    _done(f"Mot de passe de « {login} » réinitialisé.")
        with t3:
            active = bool(row["active"])
            st.markdown(f"Ce compte est **{'actif' if active else 'désactivé'}**.")
            label = "Désactiver le compte" if active else "Réactiver le compte"
            if st.button(label, key=f"active_{login}", icon=":material/block:" if active else ":material/check:"):
                try:
                    accounts.set_active(admin, login, not active)
                except (accounts.AccountError, roles.PermissionDenied, store.StoreBusy) as exc:
                    st.error(common.md_escape(str(exc)))
                else:
                    _done(f"Compte « {login} » {'désactivé (ses sessions sont fermées)' if active else 'réactivé'}.")
            if pd.notna(row["locked_until"]):
                st.markdown(f"Connexion bloquée jusqu'au {frformat.fmt_datetime(row['locked_until'])} après des échecs "
                            "(depuis des navigateurs inconnus ou l'un des siens).")
                if st.button("Lever le blocage", key=f"unlock_{login}", icon=":material/lock_open:"):
                    try:
                        accounts.unlock(admin, login)
                    except (accounts.AccountError, roles.PermissionDenied, store.StoreBusy) as exc:
                        st.error(common.md_escape(str(exc)))
                    else:
                        _done(f"Compte « {login} » débloqué.")


try:
    fresh = accounts.needs_first_admin()
except store.StoreError as exc:                     # busy, or a damaged saisie file
    st.error(common.md_escape(str(exc)))
    st.stop()
if fresh:
    setup_screen()
    st.stop()
user = auth.login_box()
if not user.authenticated:
    st.info("Connectez-vous (barre latérale) : chacun peut changer son mot de passe ici, les administrateurs "
            "gèrent les comptes.", icon=":material/login:")
    st.stop()
own_password(user)
if not user.is_admin:
    st.caption(f"Connecté : {common.md_escape(user.label)}. La gestion des comptes est réservée aux administrateurs.")
    st.stop()
admin_screen(user)
