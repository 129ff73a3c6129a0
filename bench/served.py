"""What the serving benches (bench/pages.py, bench/load.py) share: the pages of a visit with their warm
targets (issue 21), a process's CPU time and the machine's load average."""
from __future__ import annotations

import os
from pathlib import Path

# (name, page url path — "" is the default page —, query parameters, warm target in seconds)
PAGES = [
    ("Accueil", "", {"recherche": "reyssouze"}, 0.1),
    ("Carte 2015 (France)", "carte", {"generation": "2015"}, 0.3),
    ("Carte 2024 (France)", "carte", {"generation": "2024"}, 0.3),
    ("Fiche QN03107M", "fiche", {"quartier": "QN03107M"}, 0.1),
    ("Fiche QP031007", "fiche", {"quartier": "QP031007"}, 0.1),
    ("Comparer", "comparer", {"selection": "QP031007,QN03107M,QP001001"}, 0.1),
    ("Baromètre QN03107M", "barometre", {"quartier": "QN03107M"}, 0.1),
    ("Programmation démo", "programmation", {"contrat": "CN00604I"}, 0.1),
    ("Engagements démo", "engagements", {"contrat": "CN00604I"}, 0.1),
    ("Enquêtes démo", "enquetes", {"contrat": "CN00604I"}, 0.1),
    ("Référentiel démo", "referentiel", {"contrat": "CN00604I"}, 0.1),
    ("Programmation CN03103I", "programmation", {"contrat": "CN03103I"}, 0.1),
    ("Engagements CN03103I", "engagements", {"contrat": "CN03103I"}, 0.1),
    ("Enquêtes CN03103I", "enquetes", {"contrat": "CN03103I"}, 0.1),
    ("Référentiel CN03103I", "referentiel", {"contrat": "CN03103I"}, 0.1),
    ("Exports", "exports", {"contrat": "CN03103I"}, None),
]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
