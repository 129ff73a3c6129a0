"""French for the texts that Streamlit and Plotly draw themselves (docs/FRANCAIS.md).

Two mechanisms, the supported one first:
- Plotly charts: Plotly's own locale option. `PLOTLY_CONFIG` (ui/blocks.py) carries `locale: "fr"` and
  the French dictionary in `locales`, a documented key of Plotly's config that Streamlit passes through
  to plotly.js: the toolbar tooltips (« Zoom », « Réinitialiser les axes »…), the notifications and the
  date formats (month and day names from Babel's CLDR data, as everywhere else in the app). Nothing is
  fetched: the dictionary is in this file.
- Streamlit 1.67 has no language option: the file uploader (« Drag and drop file here », « Upload »,
  « 200MB per file »), the table toolbar (« Show/hide columns », « Search », « Fullscreen »), the status
  widget (« Running... »), menus, aria-labels and tooltips are English constants of its frontend bundle.
  `install()` adds ONE small script (ui/french_chrome.js, through st.html's documented
  `unsafe_allow_javascript`) that translates those exact strings, and only them, wherever they appear in
  the page's text or in its title / aria-label / placeholder / data-title attributes, now and whenever
  Streamlit redraws them (a MutationObserver). It never touches page content (Markdown, captions, tables,
  options of a select box, uploaded file names): only the table below. Nothing in site-packages changes;
  after a Streamlit upgrade, a string it renamed stays English until added here (tests/test_browser_french.py
  lists the strings that must not show).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st
from babel import dates

_SCRIPT = Path(__file__).with_name("french_chrome.js")

# --------------------------------------------------------------------------- Plotly (its own locale option)

# Every string plotly.js passes through its translation function (modebar buttons, notifications, editable
# titles and legend tips), in French.
_PLOTLY_TEXTS = {
    "Autoscale": "Échelle automatique",
    "Box Select": "Sélection rectangulaire",
    "Click to enter Colorscale title": "Cliquer pour saisir le titre de l'échelle de couleurs",
    "Click to enter Component A title": "Cliquer pour saisir le titre du composant A",
    "Click to enter Component B title": "Cliquer pour saisir le titre du composant B",
    "Click to enter Component C title": "Cliquer pour saisir le titre du composant C",
    "Click to enter Plot subtitle": "Cliquer pour saisir le sous-titre du graphique",
    "Click to enter Plot title": "Cliquer pour saisir le titre du graphique",
    "Click to enter X axis title": "Cliquer pour saisir le titre de l'axe X",
    "Click to enter Y axis title": "Cliquer pour saisir le titre de l'axe Y",
    "Click to enter radial axis title": "Cliquer pour saisir le titre de l'axe radial",
    "Compare data on hover": "Comparer les données au survol",
    "Double-click on legend to isolate one trace": "Double-cliquer sur la légende pour isoler une série",
    "Double-click to zoom back out": "Double-cliquer pour revenir au zoom initial",
    "Download plot": "Télécharger le graphique",
    "Download plot as a PNG": "Télécharger le graphique en PNG",
    "Download plot as JSON": "Télécharger le graphique en JSON",
    "Draw circle": "Tracer un cercle",
    "Draw closed freeform": "Tracer une forme fermée",
    "Draw line": "Tracer une ligne",
    "Draw open freeform": "Tracer une forme ouverte",
    "Draw rectangle": "Tracer un rectangle",
    "Erase active shape": "Effacer la forme active",
    "Image download succeeded": "Image téléchargée",
    "JSON download succeeded": "Fichier JSON téléchargé",
    "Lasso Select": "Sélection au lasso",
    "Orbital rotation": "Rotation orbitale",
    "Pan": "Déplacer",
    "Preparing image - this may take a few seconds": "Préparation de l'image : quelques secondes…",
    "Produced with Plotly.js": "Réalisé avec Plotly.js",
    "Reset": "Réinitialiser",
    "Reset axes": "Réinitialiser les axes",
    "Reset camera to default": "Caméra par défaut",
    "Reset camera to last save": "Dernière caméra enregistrée",
    "Reset view": "Réinitialiser la vue",
    "Reset views": "Réinitialiser les vues",
    "Show closest data on hover": "Donnée la plus proche au survol",
    "Sorry, there was a problem downloading your JSON file!": "Le téléchargement du fichier JSON a échoué.",
    "Sorry, there was a problem downloading your image!": "Le téléchargement de l'image a échoué.",
    "Toggle Spike Lines": "Lignes de repère",
    "Toggle show closest data on hover": "Donnée la plus proche au survol (oui/non)",
    "Turntable rotation": "Rotation sur axe",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "new text": "nouveau texte",
    "trace": "série",
}


def _names(kind: str, width: str) -> list[str]:
    """CLDR month (January first) or day (Sunday first, as d3 wants) names in French."""
    if kind == "months":
        names = dates.get_month_names(width, locale="fr_FR")
        return [names[i] for i in range(1, 13)]
    names = dates.get_day_names(width, locale="fr_FR")
    return [names[i] for i in (6, 0, 1, 2, 3, 4, 5)]


@functools.cache
def plotly_locale() -> dict:
    """The `fr` locale in the shape plotly.js registers (a `dictionary` and d3 `format` settings)."""
    return {
        "dictionary": dict(_PLOTLY_TEXTS),
        "format": {
            "days": _names("days", "wide"), "shortDays": _names("days", "abbreviated"),
            "months": _names("months", "wide"), "shortMonths": _names("months", "abbreviated"),
            "periods": ["AM", "PM"], "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
            "decimal": ",", "thousands": " ", "grouping": [3], "currency": ["", " €"],
            "year": "%Y", "month": "%b %Y", "dayMonth": "%-d %b", "dayMonthYear": "%-d %b %Y",
        },
    }


def plotly_config(**extra) -> dict:
    """Plotly config entries that make a chart's own texts French (to merge into st.plotly_chart's config)."""
    return {"locale": "fr", "locales": {"fr": plotly_locale()}, **extra}


# --------------------------------------------------------------------------- Streamlit's own texts

# Exact English strings of Streamlit 1.67's frontend (text nodes and title/aria-label/placeholder attributes).
CHROME_TEXTS = {
    # page frame, navigation, status
    "Skip to main content": "Aller au contenu principal",
    "Sidebar": "Menu latéral",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "App pages": "Pages de l'application",
    "Navigate to home page": "Aller à la page d'accueil",
    "View less": "Voir moins",
    "Link to heading": "Lien vers ce titre",
    "Main menu": "Menu principal",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Stop script": "Arrêter le calcul",
    "Connecting": "Connexion",
    "Connecting to Streamlit server": "Connexion au serveur…",
    "Unable to connect to Streamlit server": "Le serveur ne répond pas",
    "Error": "Erreur",
    "Please wait...": "Veuillez patienter…",
    "Connection error": "Erreur de connexion",
    "Close": "Fermer",
    "Cancel": "Annuler",
    "Copy": "Copier",
    "Try again": "Réessayer",
    # main menu, settings
    "Rerun": "Relancer",
    "Always rerun": "Toujours relancer",
    "Settings": "Paramètres",
    "Print": "Imprimer",
    "Record a screencast": "Enregistrer l'écran",
    "About": "À propos",
    "Clear cache": "Vider le cache",
    "Clear caches": "Vider les caches",
    "Get help": "Aide",
    "Report a bug": "Signaler un problème",
    "Theme": "Thème",
    "Light": "Clair",
    "Dark": "Sombre",
    "System": "Système",
    # file uploader
    "Drag and drop a file here": "Glisser-déposer un fichier ici",
    "Drag and drop files here": "Glisser-déposer des fichiers ici",
    "Drag and drop directories here": "Glisser-déposer des dossiers ici",
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir des dossiers",
    "Add files": "Ajouter des fichiers",
    "file upload": "dépôt de fichier",
    "Files": "Fichiers",
    "Upload failed": "Échec de l'envoi",
    "Click to retry upload": "Cliquer pour renvoyer le fichier",
    "Unexpected error. Please try again.": "Erreur inattendue : réessayez.",
    "Only one file is allowed.": "Un seul fichier est accepté.",
    "Too many files": "Trop de fichiers",
    "File size is too small.": "Fichier trop petit.",
    # tables (st.dataframe, st.data_editor) and element toolbars
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Close Search": "Fermer la recherche",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Add row": "Ajouter une ligne",
    "Delete row(s)": "Supprimer les lignes sélectionnées",
    "Clear selection": "Désélectionner",
    "Select all": "Tout sélectionner",
    "Dataframe column menu": "Menu de la colonne",
    "Copy column name": "Copier le nom de la colonne",
    "Sort ascending": "Tri croissant",
    "Sort descending": "Tri décroissant",
    "Autosize": "Largeur automatique",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Désépingler la colonne",
    "Hide column": "Masquer la colonne",
    "Automatic": "Automatique",
    "Localized": "Selon la langue",
    "Plain": "Brut",
    "Percent": "Pourcentage",
    "Scientific": "Scientifique",
    "Accounting": "Comptable",
    "No data": "Aucune donnée",
    "No content": "Aucun contenu",
    "Empty": "Vide",
    "Scrollable table": "Tableau défilant",
    "Copy to clipboard": "Copier dans le presse-papiers",
    "Copied": "Copié",
    # widgets
    "Choose an option": "Choisir une option",
    "Choose options": "Choisir des options",
    "No results": "Aucun résultat",
    "No options to select.": "Aucune option.",
    "Clear value": "Effacer",
    "Clear all": "Tout effacer",
    "Clear entry": "Effacer",
    "Selected values": "Valeurs choisies",
    "Selectbox options": "Options",
    "Multiselect options": "Options",
    "Open": "Ouvrir",
    "Show password": "Afficher le mot de passe",
    "Hide password": "Masquer le mot de passe",
    "Invalid input.": "Saisie invalide.",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Number is above the allowed range.": "Nombre au-dessus de la valeur maximale.",
    "Number is below the allowed range.": "Nombre au-dessous de la valeur minimale.",
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer",
    "Press Ctrl+Enter to apply": "Ctrl+Entrée pour valider",
    "Press ⌘+Enter to apply": "⌘+Entrée pour valider",
    "Press Ctrl+Enter to submit form": "Ctrl+Entrée pour envoyer",
    "Press ⌘+Enter to submit form": "⌘+Entrée pour envoyer",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Clear date": "Effacer la date",
    "Clear dates": "Effacer les dates",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
        "Flèches pour changer de date, Entrée pour choisir, Échap pour fermer.",
    "Scroll tabs left": "Onglets précédents",
    "Scroll tabs right": "Onglets suivants",
    "Download failed": "Échec du téléchargement",
    "Previous page": "Page précédente",
    "Next page": "Page suivante",
}

# « English prefix » + something of ours (a widget's label, a file name): only the prefix is translated.
CHROME_PREFIXES = [
    ("Help for ", "Aide : "),
    ("Remove ", "Retirer "),
    ("Cancel upload of ", "Annuler l'envoi de "),
    ("Add: ", "Ajouter : "),
    ("Show/hide columns: ", "Afficher ou masquer des colonnes : "),
    ("Download as CSV: ", "Télécharger en CSV : "),
    ("Search: ", "Rechercher : "),
    ("Fullscreen: ", "Plein écran : "),
    ("Close fullscreen: ", "Quitter le plein écran : "),
    ("Choose date, ", "Choisir une date, "),   # the calendar (its days and months follow the browser's language)
    ("day, ", "jour, "),                 # the date field's three parts (aria-labels)
    ("month, ", "mois, "),
    ("year, ", "année, "),
]

# Units of Streamlit's file sizes (« 200MB per file », « 10.0KB »), French style (« 200 Mo », « 10,0 Ko »).
SIZE_UNITS = {"B": "o", "KB": "Ko", "MB": "Mo", "GB": "Go", "TB": "To"}


def chrome_table() -> dict:
    """Everything the page script needs, as JSON-ready data."""
    return {
        "texts": CHROME_TEXTS,
        "prefixes": CHROME_PREFIXES,
        "units": SIZE_UNITS,
        "months": dict(zip(("January", "February", "March", "April", "May", "June", "July", "August",
                            "September", "October", "November", "December"), _names("months", "wide"))),
    }


@functools.cache
def script() -> str:
    """The <script> element: ui/french_chrome.js with the table inlined (`</` escaped inside the JSON)."""
    data = json.dumps(chrome_table(), ensure_ascii=False).replace("</", "<\\/")
    return f"<script>\n{_SCRIPT.read_text(encoding='utf-8').replace('/*TABLE*/null', data)}\n</script>"


def install() -> None:
    """Put the translating script in the page (once per run; it installs itself once per browser tab)."""
    st.html(script(), unsafe_allow_javascript=True)
