"""Démo dataset of contract life, seeded and reproducible, for one REAL 2024 contract.

Real: the contract (CN00604I, Métropole Nice Côte d'Azur), its 10 quartiers 2024 with their contours, the
communes, the types of signataires a contract has, the State means (adultes-relais and FONJEP posts read
from the warehouse and quoted in the État's commitments). Invented: every action, amount, beneficiary,
commitment, review, survey answer and verbatim. Porteurs and bailleurs carry fictitious names; every row is
stored with is_demo = TRUE and every page or export showing it carries « Données de démonstration ».

`generate()` is pure (warehouse facts + seed -> rows); `load()` writes them through contract.store in one
transaction; `ensure()` (called by `python -m loaders ensure`) loads the démo only when the saisie database
holds no contract at all, so real data are never mixed with or overwritten by the démo.
"""
from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from contract import store, vocab
from contract import warehouse as wh
from contract.roles import User
from observatoire import db, vocabulary
from observatoire.cli import ArgumentParser

DEMO_CONTRAT = "CN00604I"          # 06 - Métropole Nice Côte d'Azur: 10 quartiers 2024 with real contours
DEMO_SEED = 2024
DEMO_LABEL = vocabulary.phrase("demo")
DEMO_USER = User(login="demo", role="chef_de_projet", nom="Générateur de démonstration", authenticated=True)
YEARS = (2024, 2025, 2026)
# Governance calendar of the démo (two COPILs a year); the next one is the default "before the COPIL" date.
COPILS = [date(2024, 6, 27), date(2024, 12, 12), date(2025, 6, 26), date(2025, 12, 11), date(2026, 6, 25)]
NEXT_COPIL = date(2026, 12, 10)
# Comités de programmation of the démo: the main vote in spring, a second wave in autumn. Decided actions
# (accordé, soldé, refusé) carry the date of one of their year's comités as date_decision.
COMITES = {2024: (date(2024, 3, 21), date(2024, 10, 3)), 2025: (date(2025, 3, 20), date(2025, 10, 2)),
           2026: (date(2026, 3, 19), date(2026, 10, 8))}
SECOND_WAVE_SHARE = 0.3

ENJEUX = [
    ("E1", "Réussite éducative et jeunesse", [
        ("Favoriser la réussite scolaire", ["Accompagner la scolarité hors temps scolaire",
                                            "Lutter contre le décrochage"]),
        ("Ouvrir les jeunes à la culture, au sport et à la citoyenneté",
         ["Développer les pratiques sportives des filles", "Soutenir les projets de jeunes"]),
    ], ["Éducation et réussite éducative", "Lien social, culture et sport"]),
    ("E2", "Emploi, insertion et activité économique", [
        ("Rapprocher les habitants de l'emploi", ["Aller vers les jeunes sans emploi ni formation",
                                                  "Lever les freins périphériques à l'emploi"]),
        ("Soutenir l'activité dans les quartiers", ["Accompagner la création d'entreprise",
                                                    "Maintenir les commerces de proximité"]),
    ], ["Emploi, insertion et développement économique"]),
    ("E3", "Cadre de vie, tranquillité et transition écologique", [
        ("Améliorer le cadre de vie", ["Renforcer la gestion urbaine de proximité",
                                       "Réduire la précarité énergétique"]),
        ("Renforcer la tranquillité publique", ["Développer la médiation sociale",
                                                "Prévenir la délinquance des mineurs"]),
    ], ["Cadre de vie, habitat et tranquillité", "Transition écologique"]),
    ("E4", "Santé, accès aux droits et lien social", [
        ("Faciliter l'accès aux droits et aux soins", ["Multiplier les permanences d'accès aux droits",
                                                       "Développer la médiation en santé"]),
        ("Renforcer le lien social et la participation", ["Soutenir les conseils citoyens",
                                                          "Animer la vie de quartier"]),
    ], ["Santé et accès aux droits", "Citoyenneté et participation des habitants"]),
]

ASSOCIATIONS = [  # fictitious porteurs (association)
    "Association Horizons Quartiers", "Les Ateliers du Paillon", "Réussir Ensemble 06", "Sport Pour Toutes",
    "Compagnie Théâtre en Partage", "Médiation Nord Azur", "Le Fil des Collines", "Coup de Pouce Emploi",
    "Jardins Partagés du Var", "Santé Solidaire Azur", "Sciences en Bas des Tours",
    "Maison des Familles des Moulins", "Initiatives Femmes Actives", "Club Éducatif de l'Ariane",
    "Numérique Pour Tous 06", "Écrivains Publics Solidaires", "Boxe Éducative Nice Est", "Atelier Vélo Solidaire",
    "Accueil Écoute Parents", "Radio Quartiers Libres", "Ressourcerie des Collines", "Danse et Cultures Urbaines",
]
THEME_SEX_GIRLS = {  # share of girls/women among beneficiaries, by theme (seeds warn: sport reaches boys)
    "Éducation et réussite éducative": 0.48, "Emploi, insertion et développement économique": 0.55,
    "Santé et accès aux droits": 0.64, "Cadre de vie, habitat et tranquillité": 0.45,
    "Lien social, culture et sport": 0.33, "Citoyenneté et participation des habitants": 0.58,
    "Transition écologique": 0.52,
}
THEME_AGES = {  # weights over TRANCHES_AGE codes
    "Éducation et réussite éducative": [2, 10, 8, 3, 1, 1, 0],
    "Emploi, insertion et développement économique": [0, 0, 0, 2, 8, 7, 1],
    "Santé et accès aux droits": [1, 1, 1, 1, 3, 7, 4],
    "Cadre de vie, habitat et tranquillité": [1, 2, 2, 2, 3, 6, 3],
    "Lien social, culture et sport": [1, 6, 7, 4, 3, 2, 1],
    "Citoyenneté et participation des habitants": [0, 1, 2, 2, 3, 6, 3],
    "Transition écologique": [1, 3, 2, 1, 2, 5, 2],
}
ACTION_TITLES = {
    "Éducation et réussite éducative": ["Accompagnement à la scolarité", "Ateliers lecture parents-enfants",
                                        "Prévention du décrochage au collège", "Stages de révision du brevet",
                                        "Coding club au collège"],
    "Emploi, insertion et développement économique": ["Permanence emploi de proximité", "Chantier d'insertion",
                                                      "Aller-vers les jeunes invisibles", "Garde d'enfants pour l'emploi",
                                                      "Couveuse d'entreprises"],
    "Santé et accès aux droits": ["Médiation santé", "Permanence d'accès aux droits", "Ateliers nutrition",
                                  "Écrivain public numérique", "Prévention bucco-dentaire"],
    "Cadre de vie, habitat et tranquillité": ["Médiation de nuit", "Diagnostic en marchant", "Chantiers jeunes",
                                              "Embellissement des halls", "Médiation de voisinage"],
    "Lien social, culture et sport": ["Sport au pied des immeubles", "Festival de quartier", "Football féminin",
                                      "Résidence d'artistes", "Sorties familles"],
    "Citoyenneté et participation des habitants": ["Formation des conseillers citoyens", "Fonds de participation des habitants",
                                                   "Média de quartier", "Table de quartier"],
    "Transition écologique": ["Jardin partagé", "Atelier de réparation vélo", "Éco-gestes et factures d'énergie",
                              "Ressourcerie solidaire"],
}

SURVEY_QUESTIONS = [  # code, libelle, theme, scale, base favourable share, change between waves
    ("Q1", "Je me sens bien dans mon quartier", "Cadre de vie", "accord4", 0.62, 0.03),
    ("Q2", "Je me sens en sécurité dans mon quartier le soir", "Tranquillité", "accord4", 0.41, 0.06),
    ("Q3", "Propreté des espaces extérieurs", "Cadre de vie", "satisfaction4", 0.38, 0.08),
    ("Q4", "Desserte en transports en commun", "Mobilité", "satisfaction4", 0.71, 0.00),
    ("Q5", "Accès aux services publics (mairie, CAF, France Travail)", "Accès aux droits", "satisfaction4", 0.49, 0.05),
    ("Q6", "Offre d'activités pour les jeunes", "Jeunesse", "satisfaction4", 0.35, 0.07),
    ("Q7", "Depuis un an, le quartier…", "Évolution", "evolution3", 0.27, 0.04),
    ("Q8", "Connaissez-vous le conseil citoyen de votre quartier ?", "Participation", "oui_non", 0.22, 0.09),
]
QUARTIER_SURVEY_WEIGHTS = {  # relative sample sizes (the small Drap and Vence samples fall under the minimum n)
    "QN00612M": 9, "QN00608I": 7, "QN00609I": 5, "QN00601M": 5, "QN00611M": 4, "QN00610M": 4, "QN00607M": 3,
    "QN00614N": 2, "QN00606I": 0.55, "QN00613M": 0.9,
}
QUARTIER_MOOD = {  # favourable shift by quartier (invented)
    "QN00612M": -0.10, "QN00608I": -0.06, "QN00609I": 0.02, "QN00601M": -0.03, "QN00611M": 0.05,
    "QN00610M": 0.08, "QN00607M": 0.04, "QN00614N": 0.06, "QN00606I": 0.1, "QN00613M": 0.07,
}
VERBATIMS = [
    ("Q1", "Il y a une vraie solidarité entre voisins, c'est ce qui nous fait rester."),
    ("Q1", "Le quartier a changé depuis les travaux, on ose à nouveau sortir sur la place."),
    ("Q2", "Le soir les jeunes restent devant le hall, ça ne me dérange pas mais ma mère a peur."),
    ("Q2", "Depuis que les médiateurs passent, c'est plus calme près de l'arrêt de tram."),
    ("Q3", "Les encombrants restent des semaines au pied des immeubles."),
    ("Q3", "Le nettoyage s'est amélioré, mais les poubelles débordent le week-end."),
    ("Q4", "Le tram change la vie, on est au centre-ville en vingt minutes."),
    ("Q4", "Le bus ne passe plus après 21 h, pour ceux qui travaillent tard c'est compliqué."),
    ("Q5", "Pour la CAF il faut tout faire en ligne, heureusement l'écrivain public nous aide."),
    ("Q5", "On ne sait pas toujours où aller pour ses papiers."),
    ("Q6", "Il n'y a rien pour les filles après 12 ans, le city-stade c'est pour les garçons."),
    ("Q6", "Le club de boxe a sorti mon fils de la rue."),
    ("Q6", "Les activités sont trop chères quand on a trois enfants."),
    ("Q7", "On a rénové les façades mais à l'intérieur rien n'a changé."),
    ("Q7", "Le marché du samedi a fait revenir du monde."),
    ("Q8", "J'ai participé au diagnostic en marchant, on a été écoutés pour l'éclairage."),
    ("Q8", "Le conseil citoyen, je ne savais pas que ça existait."),
    (None, "Il faudrait plus de bancs et d'ombre, l'été c'est invivable."),
    (None, "Les jeunes ont besoin de stages, pas de discours."),
    (None, "Merci aux animateurs du centre social, ils sont toujours là."),
]

# Commitment templates by signataire type: (axe code, intitulé, indicateur, unit-ish base, target factor)
ENGAGEMENT_TEMPLATES = {
    "etat": [("E4", "Maintenir les {ar} postes d'adultes-relais du contrat", "Postes d'adultes-relais financés", "ar", 1.0),
             ("E1", "Mobiliser les {fj} postes FONJEP des associations des quartiers", "Postes FONJEP financés", "fj", 1.0),
             ("E3", "Déployer les délégués du préfet dans chaque quartier", "Quartiers couverts par un délégué du préfet", 8, 1.25),
             ("E2", "Renforcer les contrats aidés pour les résidents des quartiers", "Parcours emploi compétences QPV", 120, 1.3),
             ("E3", "Financer la médiation sociale de nuit", "Médiateurs de nuit", 6, 1.5)],
    "epci": [("E3", "Signer les conventions d'abattement TFPB avec les bailleurs", "Conventions TFPB signées", 1, 3),
             ("E3", "Étendre la gestion urbaine de proximité à tous les quartiers", "Quartiers avec une GUP", 4, 2.5),
             ("E2", "Réserver des clauses d'insertion dans les marchés publics", "Heures d'insertion", 20000, 1.4),
             ("E4", "Animer l'observatoire du contrat et le tableau de bord", "Bilans annuels publiés", 0, 3)],
    "commune": [("E1", "Ouvrir les accueils de loisirs le samedi", "Accueils ouverts le samedi", 1, 3),
                ("E4", "Tenir une permanence France services dans le quartier", "Demi-journées de permanence par semaine", 2, 2),
                ("E3", "Rénover l'éclairage public des cheminements", "Points lumineux rénovés", 0, 150),
                ("E1", "Proposer une aide aux devoirs dans chaque école", "Écoles avec aide aux devoirs", 3, 2),
                ("E4", "Soutenir le fonds de participation des habitants", "Projets d'habitants soutenus", 5, 2),
                ("E3", "Végétaliser les cours d'école", "Cours végétalisées", 0, 4)],
    "departement": [("E2", "Nommer des référents RSA de proximité", "Allocataires RSA accompagnés en QPV", 400, 1.25),
                    ("E4", "Renforcer les consultations de PMI dans les quartiers", "Consultations PMI", 900, 1.2),
                    ("E1", "Financer la prévention spécialisée", "Éducateurs de prévention", 12, 1.25),
                    ("E4", "Ouvrir un point d'accueil social de proximité", "Points d'accueil ouverts", 1, 2),
                    ("E2", "Financer l'insertion par l'activité économique", "Salariés en insertion QPV", 90, 1.3)],
    "region": [("E2", "Ouvrir des formations pré-qualifiantes dans les quartiers", "Stagiaires QPV", 150, 1.3),
               ("E1", "Financer des actions d'orientation au lycée", "Lycéens QPV accompagnés", 200, 1.5),
               ("E3", "Cofinancer la rénovation énergétique des copropriétés", "Logements rénovés", 0, 300)],
    "caf": [("E4", "Organiser des rendez-vous des droits", "Rendez-vous des droits", 600, 1.3),
            ("E4", "Soutenir les centres sociaux agréés", "Centres sociaux agréés", 6, 1.17),
            ("E1", "Développer l'accueil des jeunes enfants", "Places de crèche à vocation d'insertion", 10, 2),
            ("E1", "Financer les accueils de loisirs des quartiers", "Enfants accueillis", 800, 1.15)],
    "ars": [("E4", "Signer un contrat local de santé couvrant les quartiers", "Contrat local de santé signé", 0, 1),
            ("E4", "Financer des médiateurs en santé", "Médiateurs en santé", 2, 2),
            ("E4", "Déployer des actions de dépistage", "Personnes dépistées", 250, 1.6)],
    "france_travail": [("E2", "Tenir des permanences dans chaque quartier", "Quartiers avec permanence", 3, 3),
                       ("E2", "Accompagner intensivement les demandeurs résidant en QPV", "Demandeurs QPV en accompagnement intensif", 800, 1.25),
                       ("E2", "Organiser des forums de l'emploi au pied des immeubles", "Forums organisés", 2, 3)],
    "mission_locale": [("E2", "Signer des contrats d'engagement jeune avec les jeunes des quartiers", "Contrats d'engagement jeune QPV", 350, 1.2),
                       ("E2", "Aller vers les jeunes ni en emploi ni en formation", "Jeunes repérés", 150, 1.6)],
    "education_nationale": [("E1", "Maintenir le dédoublement des classes en éducation prioritaire", "Classes dédoublées", 110, 1.0),
                            ("E1", "Ouvrir les écoles aux parents (mallette des parents)", "Écoles participantes", 8, 2)],
    "justice": [("E3", "Développer les travaux d'intérêt général dans les quartiers", "Postes de TIG offerts", 10, 2),
                ("E4", "Tenir des permanences d'accès au droit", "Permanences par mois", 4, 2)],
    "bailleur": [("E3", "Mettre en œuvre le programme d'actions TFPB", "Part de l'abattement réinvestie (%)", 80, 1.25),
                 ("E3", "Renforcer le gardiennage et la médiation", "Gardiens pour 100 logements", 1, 1.3),
                 ("E3", "Réduire les délais de traitement des réclamations", "Délai moyen (jours)", 21, 0.5),
                 ("E2", "Recruter des habitants des quartiers en insertion", "Habitants recrutés", 5, 3)],
    "ccas": [("E4", "Assurer la domiciliation des personnes sans adresse stable", "Personnes domiciliées", 300, 1.2)],
    "chambre_consulaire": [("E2", "Tenir des permanences création d'entreprise", "Porteurs de projet accueillis", 40, 2)],
    "banque_territoires": [("E2", "Cofinancer des tiers-lieux dans les quartiers", "Tiers-lieux financés", 0, 2)],
}
REFERENTS = ["Chargée de mission politique de la ville", "Délégué du préfet", "Directrice de l'action sociale",
             "Responsable territorial", "Chef de service insertion", "Coordinatrice santé", "Directeur d'agence",
             "Référent quartiers", "Cheffe de projet", "Responsable de la médiation"]


def _facts(con, contrat: str) -> dict:
    """Real facts read from the warehouse (never invented)."""
    info = wh.contract_info(con, contrat)
    quartiers = wh.contract_quartiers(con, contrat)
    means = {(k, int(y)): int(n) for k, y, n in con.execute(   # counting rule: the contract_means view
        "SELECT kind, year, n_posts FROM contract_means WHERE contrat_code = ?", [contrat]).fetchall()}
    dep = info["departement"]
    dep_row = con.execute("SELECT name, region FROM territory WHERE code = ?", [f"DEP{dep}"]).fetchone()
    reg_row = con.execute("SELECT name FROM territory WHERE code = ?", [f"REG{dep_row[1]}"]).fetchone() \
        if dep_row and dep_row[1] else None
    catalog: dict[str, str] = {}
    first_values: dict = {}
    big_2015 = None
    try:
        catalog = {i: (u, p) for i, u, p in con.execute(
            "SELECT indicator_id, unit, polarity FROM indicator_catalog").fetchall()}
        row = con.execute("SELECT child_code FROM territory_link WHERE relation = 'qp2015_qpv2024' AND parent_code = ? "
                          "ORDER BY confidence DESC NULLS LAST, child_code LIMIT 1", ["QN00612M"]).fetchone()
        big_2015 = row[0] if row else None
        for terr, ind, value, edition in con.execute("""
                SELECT territory_code, indicator_id, arg_min(value, edition), min(edition)
                FROM indicator_value WHERE territory_code IN (?, ?) AND value IS NOT NULL GROUP BY ALL""",
                                                     [big_2015 or "", "QN00612M"]).fetchall():
            first_values[(terr, ind)] = (round(value, 1), edition)
    except Exception:  # noqa: BLE001 - a warehouse without catalogue still gives a démo (local indicators)
        pass
    return {"info": info, "quartiers": quartiers, "means": means, "dep_name": dep_row[0] if dep_row else None,
            "reg_name": reg_row[0] if reg_row else None, "catalog": catalog, "big_2015": big_2015, "first_values": first_values}


def _epci_name(nom: str) -> str:
    return nom.split(" - ", 1)[1] if " - " in nom else nom


def _signataires(facts: dict) -> list[dict]:
    communes = sorted({c for q in facts["quartiers"] for c in (q["communes"] or "").split(" ; ") if c})
    dep = facts["dep_name"] or f"département {facts['info']['departement']}"
    reg = facts["reg_name"] or "Provence-Alpes-Côte d'Azur"
    rows = [(f"Préfecture ({dep})", "etat"), (_epci_name(facts["info"]["nom"]), "epci")]
    rows += [(f"Ville de {c}", "commune") for c in communes]
    rows += [(f"Conseil départemental ({dep})", "departement"), (f"Région {reg}", "region"),
             (f"Caisse d'allocations familiales ({dep})", "caf"), (f"Agence régionale de santé ({reg})", "ars"),
             (f"France Travail ({dep})", "france_travail"), ("Mission locale (démo)", "mission_locale"),
             (f"Éducation nationale – DSDEN ({dep})", "education_nationale"),
             ("Procureur de la République", "justice"),
             ("Bailleur social A (démo)", "bailleur"), ("Bailleur social B (démo)", "bailleur"),
             ("Bailleur social C (démo)", "bailleur"), (f"CCAS de {communes[0] if communes else 'la ville'}", "ccas"),
             ("Chambre de commerce et d'industrie", "chambre_consulaire"),
             ("Chambre de métiers et de l'artisanat", "chambre_consulaire"),
             ("Banque des Territoires", "banque_territoires")]
    return [{"nom": n, "type_signataire": t} for n, t in rows]


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Integer split of `total` along `weights` with a little noise (largest remainders)."""
    noisy = [w * rng.uniform(0.7, 1.3) if w else 0 for w in weights]
    s = sum(noisy) or 1
    raw = [total * w / s for w in noisy]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _beneficiaries(theme: str, total: int, rng: random.Random) -> list[dict]:
    """Crossed sex × age cells plus consistent margins (rows of action_beneficiaire)."""
    girls = THEME_SEX_GIRLS.get(theme, 0.5)
    ages = list(vocab.TRANCHES_AGE)
    n_f = round(total * min(max(rng.gauss(girls, 0.06), 0.05), 0.95))
    cells = {}
    for sexe, n in (("F", n_f), ("M", total - n_f)):
        for age, k in zip(ages, _split(n, THEME_AGES.get(theme, [1] * 7), rng)):
            cells[(sexe, age)] = k
    rows = [{"sexe": s, "tranche_age": a, "n": k} for (s, a), k in cells.items() if k]
    for s in ("F", "M"):
        rows.append({"sexe": s, "tranche_age": "*", "n": sum(k for (ss, _), k in cells.items() if ss == s)})
    for a in ages:
        k = cells[("F", a)] + cells[("M", a)]
        if k:
            rows.append({"sexe": "*", "tranche_age": a, "n": k})
    rows.append({"sexe": "*", "tranche_age": "*", "n": total})
    return rows


def _actions(facts: dict, rng: random.Random, waves: random.Random) -> list[dict]:
    """~60 actions over YEARS. `waves` draws only the comité (decision date) of each decided action, so that
    adding decision dates left every other démo value as it was for the same seed."""
    quartiers = [q["quartier_code"] for q in facts["quartiers"]]
    big = [q for q in ("QN00612M", "QN00608I", "QN00609I", "QN00601M") if q in quartiers] or quartiers[:4]
    dep = facts["info"]["departement"]
    themes = list(vocab.THEMATIQUES)
    theme_w = [14, 10, 8, 9, 11, 5, 4]
    enjeu_of = {t: code for code, _, _, ts in ENJEUX for t in ts}
    enjeu_label = {code: label for code, label, _, _ in ENJEUX}
    actions = []
    counters = {}
    for year, n_year in zip(YEARS, (20, 21, 19)):
        for i in range(n_year):
            theme = rng.choices(themes, theme_w)[0]
            title = rng.choice(ACTION_TITLES[theme])
            kind = rng.choices(["association", "collectivite", "bailleur", "etablissement_public"], [16, 2, 1, 1])[0]
            porteur = {"association": rng.choice(ASSOCIATIONS), "collectivite": "CCAS (démo)",
                       "bailleur": "Bailleur social A (démo)", "etablissement_public": "Collège public (démo)"}[kind]
            counters[year] = counters.get(year, 0) + 1
            if year == 2024:
                statut = rng.choices(["solde", "refuse", "abandonne"], [16, 3, 1])[0]
            elif year == 2025:
                statut = rng.choices(["solde", "accorde", "refuse"], [8, 10, 3])[0]
            else:
                statut = rng.choices(["depose", "accorde", "refuse"], [9, 8, 2])[0]
            cout = round(rng.uniform(8, 120)) * 1000
            p147_req = round(cout * rng.uniform(0.2, 0.5), -2)
            fin = [{"financeur": "etat_p147", "montant_sollicite": p147_req}]
            for f, share in (("epci", 0.25), ("commune", 0.2), ("departement", 0.15), ("caf", 0.12),
                             ("region", 0.1), ("bailleur", 0.08)):
                if rng.random() < share * 2:
                    fin.append({"financeur": f, "montant_sollicite": round(cout * rng.uniform(0.05, 0.25), -2)})
            granted = statut in ("accorde", "solde")
            for f in fin:
                f["montant_accorde"] = round(f["montant_sollicite"] * rng.choice([1, 1, 1, 0.8, 0.9]), -2) \
                    if granted else (0.0 if statut in ("refuse", "abandonne") else None)
            n_q = rng.choices([1, 2, 3, len(quartiers)], [8, 4, 2, 2])[0]
            qs = quartiers if n_q == len(quartiers) else sorted(rng.sample(
                big + rng.sample([q for q in quartiers if q not in big], min(2, len(quartiers) - len(big))), n_q))
            # a few very small actions: their beneficiary counts fall under the secret threshold
            total = rng.choice([4, 12]) if rng.random() < 0.08 else int(rng.lognormvariate(4.2, 0.7)) + 8
            ben = [{"phase": "prevu", **b} for b in _beneficiaries(theme, total, rng)]
            if statut == "solde":
                real = max(1, round(total * rng.uniform(0.7, 1.15)))
                ben += [{"phase": "realise", **b} for b in _beneficiaries(theme, real, rng)]
            notes = {}
            if statut == "solde":
                notes = {c: rng.choices([1, 2, 3, 4], [1, 3, 5, 3])[0] for c in vocab.EVALUATION_CRITERIA}
                if theme == "Lien social, culture et sport":
                    notes["note_participation"] = rng.choice([3, 4])
            axe = enjeu_of.get(theme)
            actions.append({
                "annee": year, "numero_dossier": f"{year}-{dep}-{counters[year]:04d}", "porteur_nom": porteur,
                "porteur_siret": f"000{rng.randrange(10 ** 10, 10 ** 11)}", "porteur_type": kind,
                "intitule": title + (f" – {facts['quartiers'][quartiers.index(qs[0])]['nom']}" if n_q == 1 else ""),
                "objectif": f"Action de démonstration : {title.lower()} pour les habitants des quartiers.",
                "thematique": theme, "axe": enjeu_label.get(axe), "statut": statut,
                "date_depot": date(year - 1, 11, 1) + timedelta(days=rng.randrange(0, 100)),
                "date_decision": (COMITES[year][waves.random() < SECOND_WAVE_SHARE]
                                  if statut in ("accorde", "solde", "refuse") else None),
                "cout_total": float(cout), "montant_sollicite": float(sum(f["montant_sollicite"] for f in fin)),
                **notes,
                "evaluation": ("Bilan de démonstration : objectifs atteints, public féminin à renforcer."
                               if statut == "solde" and rng.random() < 0.5 else None),
                "_quartiers": qs, "_financements": fin, "_beneficiaires": ben, "_enjeu": axe,
            })
    return actions


def _engagements(facts: dict, signataires: list[dict], rng: random.Random) -> list[dict]:
    ar = facts["means"].get(("adulte_relais", 2024))
    fj = facts["means"].get(("fonjep", 2024))
    enjeu_label = {code: label for code, label, _, _ in ENJEUX}
    objectifs = {code: [os_[0] for os_ in oss] for code, _, oss, _ in ENJEUX}
    out = []
    for sig in signataires:
        templates = ENGAGEMENT_TEMPLATES.get(sig["type_signataire"], [])
        k = len(templates) if sig["type_signataire"] in ("etat", "epci") else \
            max(1, min(len(templates), rng.choice([3, 3, 4, 5])))
        for axe, text, indic, base, factor in rng.sample(templates, k):
            if base == "ar":
                if ar is None:
                    continue
                base, factor = ar, 1.0
            elif base == "fj":
                if fj is None:
                    continue
                base, factor = fj, 1.0
            text = text.format(ar=ar, fj=fj)
            ref = float(base)
            target = float(round(base * factor)) if factor != 0 else None
            if base == 0:
                target = float(factor)
            echeance = rng.choice([date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 4),
                                   date(2026, 12, 31), date(2027, 6, 30), date(2027, 12, 31), date(2028, 12, 31)])
            start = date(2024, 3, 1) + timedelta(days=rng.randrange(0, 200))
            points, statut, value = [], "prevu", ref
            fate = rng.choices(["ok", "late", "drop", "slow"], [10, 3, 1, 4])[0]
            for copil in COPILS:
                if copil < start:
                    continue
                if statut in ("realise", "abandonne"):
                    break
                if statut == "prevu":
                    statut = "en_cours" if rng.random() < 0.7 else "prevu"
                elif copil >= echeance - timedelta(days=90) and fate == "ok":
                    statut = "realise"
                elif copil > echeance and fate in ("late", "slow"):
                    statut = "en_retard"
                elif fate == "drop" and rng.random() < 0.4:
                    statut = "abandonne"
                if target is not None and statut in ("en_cours", "en_retard", "realise"):
                    value = ref + (target - ref) * (1.0 if statut == "realise" else rng.uniform(0.2, 0.8))
                points.append({
                    "date_point": copil, "statut": statut, "instance": "COPIL",
                    "valeur_constatee": round(value, 1) if target is not None else None,
                    "commentaire": _point_comment(statut, rng),
                    "auteur": rng.choice(REFERENTS)})
            out.append({
                "_signataire": sig["nom"], "referent": rng.choice(REFERENTS), "axe": enjeu_label[axe],
                "objectif": rng.choice(objectifs[axe]), "intitule": text, "indicateur": indic,
                "valeur_reference": ref, "valeur_cible": target, "echeance": echeance, "statut": statut,
                "preuve": "Compte rendu de COPIL (démo)" if statut == "realise" else None,
                "_points": points, "_enjeu": axe})
    for i, e in enumerate(out, start=1):
        e["code"] = f"ENG-{i:03d}"
    return out


def _point_comment(statut: str, rng: random.Random) -> str:
    return rng.choice({
        "prevu": ["Calendrier à préciser avec les partenaires.", "Démarrage prévu au prochain semestre."],
        "en_cours": ["Premières réalisations, à consolider.", "Mise en œuvre engagée dans trois quartiers.",
                     "Recrutements en cours."],
        "realise": ["Engagement tenu, bilan présenté en COPIL.", "Objectif atteint."],
        "en_retard": ["Retard lié aux recrutements.", "Financement non encore confirmé.",
                      "Échéance dépassée : nouvelle date à fixer."],
        "abandonne": ["Abandonné faute de porteur.", "Remplacé par une autre action."],
    }[statut])


def _survey(facts: dict, rng: random.Random) -> dict:
    codes = [q["quartier_code"] for q in facts["quartiers"]]
    waves = [{"numero": 1, "libelle": "Vague 1 – automne 2024", "date_debut": date(2024, 10, 7),
              "date_fin": date(2024, 11, 29), "n": 185},
             {"numero": 2, "libelle": "Vague 2 – automne 2025", "date_debut": date(2025, 10, 6),
              "date_fin": date(2025, 11, 28), "n": 205}]
    respondents, verbatims = [], []
    for w in waves:
        weights = [QUARTIER_SURVEY_WEIGHTS.get(c, 1) for c in codes]
        for i in range(w["n"]):
            q = rng.choices(codes, weights)[0]
            answers = {}
            for code, _, _, scale, base, change in SURVEY_QUESTIONS:
                opts = vocab.ECHELLES[scale][1]
                if rng.random() < 0.05:
                    answers[code] = next(o[0] for o in opts if o[2])   # ne sait pas
                    continue
                p = min(max(base + QUARTIER_MOOD.get(q, 0) + (change if w["numero"] == 2 else 0), 0.03), 0.97)
                fav = [o[0] for o in opts if o[1]]
                unfav = [o[0] for o in opts if not o[1] and not o[2]]
                answers[code] = rng.choice(fav) if rng.random() < p else rng.choice(unfav)
            d = w["date_debut"] + timedelta(days=rng.randrange(0, (w["date_fin"] - w["date_debut"]).days + 1))
            respondents.append({"vague": w["numero"], "pseudo": f"V{w['numero']}-{i + 1:04d}", "quartier_code": q,
                                "date_reponse": d, "answers": answers})
            if rng.random() < 0.1:
                qcode, text = rng.choice(VERBATIMS)
                verbatims.append({"vague": w["numero"], "pseudo": respondents[-1]["pseudo"], "quartier_code": q,
                                  "question": qcode, "texte": text, "publiable": rng.random() < 0.65})
    return {"titre": "Baromètre des quartiers (démo)", "methode": "Porte-à-porte par des habitants-enquêteurs, "
            "questionnaire de 15 minutes (démonstration)", "waves": waves, "respondents": respondents,
            "verbatims": verbatims}


def _referentiel(facts: dict, rng: random.Random) -> list[dict]:
    """Nodes with their indicators; catalogue indicators only if the warehouse catalogue has them."""
    cat = facts["catalog"]
    big = "QN00612M" if any(q["quartier_code"] == "QN00612M" for q in facts["quartiers"]) \
        else facts["quartiers"][0]["quartier_code"]
    catalogue_choices = {  # (catalogue id, label) per enjeu, used only when present in the catalogue
        "E1": [("part_0_24", "Part des moins de 25 ans")],
        "E2": [("tx_emploi", "Taux d'emploi des 15-64 ans"), ("de_abc", "Demandeurs d'emploi ABC")],
        "E3": [("tx_pauvrete", "Taux de pauvreté")],
        "E4": [("part_pop_couverte_caf", "Part de la population couverte par une prestation CAF")],
    }
    local = {
        "E1": [("Part des filles parmi les bénéficiaires des actions sportives", "%", "Programmation (bilans)", 33, 45),
               ("Élèves accompagnés à la scolarité", "nombre", "Porteurs d'actions", 420, 600)],
        "E2": [("Jeunes QPV en contrat d'engagement jeune", "nombre", "Mission locale", 350, 420),
               ("Heures d'insertion réalisées", "heures", "Métropole", 20000, 28000)],
        "E3": [("Habitants satisfaits de la propreté (enquête)", "%", "Baromètre des quartiers", 38, 50),
               ("Habitants se sentant en sécurité le soir (enquête)", "%", "Baromètre des quartiers", 41, 50)],
        "E4": [("Rendez-vous des droits réalisés", "nombre", "CAF", 600, 780),
               ("Habitants connaissant le conseil citoyen (enquête)", "%", "Baromètre des quartiers", 22, 40)],
    }
    nodes = []
    n_ind = 0
    for ei, (code, label, oss, _) in enumerate(ENJEUX):
        enjeu = {"niveau": "enjeu", "code": code, "libelle": label, "ordre": ei, "children": [], "indicateurs": []}
        for si, (os_label, oos) in enumerate(oss, start=1):
            os_node = {"niveau": "objectif_strategique", "code": f"{code}.{si}", "libelle": os_label, "ordre": si,
                       "children": [], "indicateurs": []}
            for oi, oo_label in enumerate(oos, start=1):
                os_node["children"].append({"niveau": "objectif_operationnel", "code": f"{code}.{si}.{oi}",
                                            "libelle": oo_label, "ordre": oi, "children": [], "indicateurs": []})
            enjeu["children"].append(os_node)
        # indicators: local ones on strategic objectives, catalogue ones on the enjeu
        for i, (lab, unit, source, ref, target) in enumerate(local[code]):
            n_ind += 1
            fill = rng.random()
            enjeu["children"][i % len(enjeu["children"])]["indicateurs"].append({
                "code": f"IND-{n_ind:02d}", "libelle": lab, "unite": unit, "source": source,
                "responsable": rng.choice(REFERENTS), "frequence": "annuelle",
                "valeur_reference": float(ref), "annee_reference": 2024,
                "valeur_cible": float(target) if fill > 0.2 else None, "annee_cible": 2030 if fill > 0.2 else None,
                "valeur_actuelle": round(ref + (target - ref) * rng.uniform(0.1, 0.6), 1) if fill > 0.45 else None,
                "date_actuelle": date(2025, 12, 31) if fill > 0.45 else None})
        for cid, lab in catalogue_choices[code]:
            if cid not in cat:
                continue
            # The 2024 quartier has no INSEE file yet: the value is read for its 2015 predecessor (crosswalk),
            # baseline = earliest edition there (real), target = invented; plus the 2024 code, shown as
            # « non disponible » until INSEE publishes it.
            for terr, suffix in ((facts["big_2015"], "géographie 2015"), (big, "géographie 2024")):
                if terr is None:
                    continue
                first = facts["first_values"].get((terr, cid))
                n_ind += 1
                target = None
                if first is not None and fill_target(rng):
                    sense = {"higher_worse": [0.9, 0.95], "higher_better": [1.05, 1.1]}.get(cat[cid][1], [0.95, 1.05])
                    target = round(first[0] * rng.choice(sense), 1)
                enjeu["indicateurs"].append({
                    "code": f"IND-{n_ind:02d}", "catalogue_id": cid, "territoire_code": terr,
                    "libelle": f"{lab} – Ariane - Le Manoir - Gares ({suffix})", "unite": cat[cid][0],
                    "source": "INSEE / SIG Ville (entrepôt)", "responsable": "Observatoire", "frequence": "annuelle",
                    "valeur_reference": first[0] if first else None, "annee_reference": first[1] if first else None,
                    "valeur_cible": target, "annee_cible": 2030 if target is not None else None,
                    "valeur_actuelle": None, "date_actuelle": None})
        nodes.append(enjeu)
    return nodes


def fill_target(rng: random.Random) -> bool:
    return rng.random() < 0.7


def _residences(action: dict, quartiers: list[str], rng: random.Random) -> list[dict]:
    """Where a funded action's planned beneficiaries live (invented): mostly in its own quartiers, some in
    another quartier of the contract, the rest outside any QPV or not geolocated — counts per place, as the
    beneficiaries import stores them (action_residence)."""
    if action["statut"] not in ("accorde", "solde"):
        return []
    total = next(b["n"] for b in action["_beneficiaires"]
                 if b["phase"] == "prevu" and b["sexe"] == "*" and b["tranche_age"] == "*")
    own = action["_quartiers"]
    others = [q for q in quartiers if q not in own]
    p_own, p_other, p_lost = rng.uniform(0.4, 0.9), rng.uniform(0.0, 0.1), rng.uniform(0.02, 0.08)
    places = own + others + ["non", "non_geolocalisee"]
    weights = ([p_own / len(own)] * len(own) + ([p_other / len(others)] * len(others) if others else [])
               + [max(0.0, 1 - p_own - p_other - p_lost), p_lost])
    counts: dict[str, int] = {}
    for lieu in rng.choices(places, weights, k=total):
        counts[lieu] = counts.get(lieu, 0) + 1
    return [{"lieu": k, "n": v} for k, v in counts.items()]


def generate(con, contrat: str = DEMO_CONTRAT, seed: int = DEMO_SEED) -> dict:
    """Everything the démo holds, as plain Python structures (no ids): same inputs, same output."""
    facts = _facts(con, contrat)
    rng = random.Random(seed)
    signataires = _signataires(facts)
    return {"facts": facts, "signataires": signataires, "actions": _actions(facts, rng, random.Random(seed + 2)),
            "engagements": _engagements(facts, signataires, rng), "enquete": _survey(facts, rng),
            "referentiel": _referentiel(facts, rng)}


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def load(warehouse_path: str | Path | None = None, saisie_path: str | Path | None = None,
         contrat: str = DEMO_CONTRAT, seed: int = DEMO_SEED, replace: bool = True) -> dict:
    """Write the démo of `contrat` into the saisie database (one transaction). Returns row counts."""
    con = db.connect(Path(warehouse_path) if warehouse_path else None, read_only=True)
    try:
        plan = generate(con, contrat, seed)
    finally:
        con.close()
    facts = plan["facts"]
    counts: dict[str, int] = {}

    def bump(t, n=1):
        counts[t] = counts.get(t, 0) + n

    with store.edit(DEMO_USER, saisie_path) as tx:
        if replace:
            tx.purge_demo(contrat, DEMO_TABLES)
        tx.register_contract(contrat, facts["info"]["nom"], facts["quartiers"], facts["info"]["porteur_code"],
                             facts["info"]["departement"], is_demo=True)
        D = {"contrat_code": contrat, "is_demo": True}
        sig_ids = {}
        for s in plan["signataires"]:
            sig_ids[s["nom"]] = tx.insert("signataire", {**D, **s}, audit=False)
            bump("signataire")
        action_ids, by_enjeu_actions = [], {}
        children = {"action_quartier": [], "action_financement": [], "action_beneficiaire": [],
                    "action_residence": []}
        homes = random.Random(seed + 3)   # own generator: the other démo values stay as they were
        contract_quartiers = [q["quartier_code"] for q in facts["quartiers"]]
        for a in plan["actions"]:
            aid = tx.insert("action", {**D, **_clean(a)}, audit=False)
            action_ids.append(aid)
            by_enjeu_actions.setdefault(a["_enjeu"], []).append(aid)
            bump("action")
            children["action_quartier"] += [{**D, "action_id": aid, "quartier_code": q} for q in a["_quartiers"]]
            children["action_financement"] += [{**D, "action_id": aid, "financeur": f["financeur"],
                                                "montant_sollicite": f["montant_sollicite"],
                                                "montant_accorde": f["montant_accorde"]} for f in a["_financements"]]
            children["action_beneficiaire"] += [{**D, "action_id": aid, **b} for b in a["_beneficiaires"]]
            children["action_residence"] += [{**D, "action_id": aid, **r}
                                              for r in _residences(a, contract_quartiers, homes)]
        by_enjeu_eng = {}
        children["engagement_point"] = []
        for e in plan["engagements"]:
            eid = tx.insert("engagement", {**D, **_clean(e), "signataire_id": sig_ids[e["_signataire"]]},
                            audit=False)
            by_enjeu_eng.setdefault(e["_enjeu"], []).append(eid)
            bump("engagement")
            children["engagement_point"] += [{**D, "engagement_id": eid, **p} for p in e["_points"]]
        for table, rows in children.items():
            tx.insert_many(table, rows)
            bump(table, len(rows))
        _load_survey(tx, D, plan["enquete"], bump)
        rng = random.Random(seed + 1)
        for enjeu in plan["referentiel"]:
            _load_node(tx, D, enjeu, None, by_enjeu_actions.get(enjeu["code"], []),
                       by_enjeu_eng.get(enjeu["code"], []), rng, bump)
        tx.note("demo", contrat, "*", f"jeu de démonstration (graine {seed}) : "
                + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())), is_demo=True)
    return counts


DEMO_TABLES = ["ref_lien", "ref_indicateur", "ref_noeud", "reponse", "verbatim", "repondant", "question",
               "echelle_modalite", "echelle", "enquete_vague", "enquete", "engagement_point", "engagement",
               "action_residence", "action_beneficiaire", "action_financement", "action_quartier", "action",
               "signataire",
               "contrat_quartier"]


def _load_survey(tx, D, s: dict, bump) -> None:
    enq = tx.insert("enquete", {**D, "titre": s["titre"], "methode": s["methode"]}, audit=False)
    vagues = {w["numero"]: tx.insert("enquete_vague", {**D, "enquete_id": enq, **{k: v for k, v in w.items() if k != "n"}},
                                     audit=False) for w in s["waves"]}
    scales, options = {}, {}
    for code in sorted({q[3] for q in SURVEY_QUESTIONS}):
        label, opts = vocab.ECHELLES[code]
        scales[code] = tx.insert("echelle", {**D, "enquete_id": enq, "code": code, "libelle": label}, audit=False)
        for i, (lab, fav, excl) in enumerate(opts):
            options[(code, lab)] = tx.insert("echelle_modalite", {**D, "echelle_id": scales[code], "ordre": i,
                                                                  "libelle": lab, "favorable": fav, "exclue": excl},
                                             audit=False)
    questions = {}
    for i, (code, lab, theme, scale, _, _) in enumerate(SURVEY_QUESTIONS):
        questions[code] = (tx.insert("question", {**D, "enquete_id": enq, "code": code, "libelle": lab,
                                                  "theme": theme, "echelle_id": scales[scale], "ordre": i},
                                     audit=False), scale)
    rep_ids = {}
    answer_rows = []
    for r in s["respondents"]:
        rid = tx.insert("repondant", {**D, "enquete_id": enq, "vague_id": vagues[r["vague"]], "pseudo": r["pseudo"],
                                      "quartier_code": r["quartier_code"], "date_reponse": r["date_reponse"]},
                        audit=False)
        rep_ids[(r["vague"], r["pseudo"])] = rid
        for qcode, opt in r["answers"].items():
            qid, scale = questions[qcode]
            answer_rows.append({**D, "repondant_id": rid, "question_id": qid, "modalite_id": options[(scale, opt)]})
    tx.insert_many("reponse", answer_rows)
    bump("repondant", len(s["respondents"]))
    bump("reponse", len(answer_rows))
    for v in s["verbatims"]:
        tx.insert("verbatim", {**D, "enquete_id": enq, "vague_id": vagues[v["vague"]],
                               "repondant_id": rep_ids[(v["vague"], v["pseudo"])], "quartier_code": v["quartier_code"],
                               "question_id": questions[v["question"]][0] if v["question"] else None,
                               "texte": v["texte"], "publiable": v["publiable"]}, audit=False)
        bump("verbatim")


def _load_node(tx, D, node, parent_id, actions, engagements, rng, bump) -> None:
    nid = tx.insert("ref_noeud", {**D, "parent_id": parent_id, "niveau": node["niveau"], "code": node["code"],
                                  "libelle": node["libelle"], "ordre": node["ordre"]}, audit=False)
    bump("ref_noeud")
    for ind in node["indicateurs"]:
        tx.insert("ref_indicateur", {**D, "noeud_id": nid, **ind}, audit=False)
        bump("ref_indicateur")
    if node["niveau"] == "objectif_operationnel":
        for aid in rng.sample(actions, min(len(actions), rng.randint(2, 5))):
            tx.insert("ref_lien", {**D, "noeud_id": nid, "action_id": aid}, audit=False)
            bump("ref_lien")
        for eid in rng.sample(engagements, min(len(engagements), rng.randint(1, 3))):
            tx.insert("ref_lien", {**D, "noeud_id": nid, "engagement_id": eid}, audit=False)
            bump("ref_lien")
    for child in node["children"]:
        _load_node(tx, D, child, nid, actions, engagements, rng, bump)


def ensure(db_path: str | Path | None = None, saisie_path: str | Path | None = None, quiet: bool = False) -> bool:
    """Create the démo if the saisie database has no contract yet. Returns True when it was created.

    Never fails the caller: a warehouse that does not know the démo contract yet only prints a notice."""
    if store.has_data(saisie_path):
        return False
    try:
        counts = load(db_path, saisie_path)
    except (wh.WarehouseIncomplete, FileNotFoundError) as exc:
        print(f"Jeu de démonstration non créé : {exc}", file=sys.stderr)
        return False
    if not quiet:
        print(f"{DEMO_LABEL} créées pour le contrat {DEMO_CONTRAT} : "
              f"{counts.get('action', 0)} actions, {counts.get('engagement', 0)} engagements, "
              f"{counts.get('repondant', 0)} répondants à l'enquête ({store.target_label(saisie_path)}).",
              file=sys.stderr)
    return True


def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="python -m contract.demo", description=f"{DEMO_LABEL} de la vie du contrat")
    p.add_argument("--graine", type=int, default=DEMO_SEED)
    p.add_argument("--contrat", default=DEMO_CONTRAT)
    p.add_argument("--retirer", action="store_true", help="retire les données de démonstration du contrat")
    args = p.parse_args(argv)
    if args.retirer:
        with store.edit(DEMO_USER) as tx:
            n = tx.purge_demo(args.contrat, DEMO_TABLES)
            tx.con.execute("DELETE FROM contrat WHERE contrat_code = ? AND is_demo", [args.contrat])
        print(f"{n} lignes de démonstration retirées.")
        return 0
    counts = load(contrat=args.contrat, seed=args.graine)
    print(f"{DEMO_LABEL} : " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
