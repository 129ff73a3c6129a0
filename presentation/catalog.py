"""The indicator catalogue as pickers and legends show it: labels (with theme and unit), polarity and theme
labels of the vocabulary (never the stored codes), the editions that can be chosen. Read from indicators.catalog."""
from __future__ import annotations

import pandas as pd

from indicators import catalog
from observatoire import frformat, vocabulary


def label_with_unit(label: str, unit: str | None) -> str:
    """« Revenu disponible médian (€) »; counts keep their bare label."""
    shown = frformat.display_unit(unit) if unit else ""
    return f"{label} ({shown})" if shown and unit not in ("nombre",) else label


def indicator_list(con) -> pd.DataFrame:
    """Every catalogue indicator in catalogue order with what pickers and legends print: indicator_id, label,
    short_label, unit, decimals, theme, theme_label, polarity, polarity_label, definition, source,
    picker_label (« Revenus et pauvreté — Taux de pauvreté au seuil de 60 % »), label_with_unit."""
    df = catalog.indicators(con)
    out = pd.DataFrame({
        "indicator_id": df.indicator_id, "label": df.label, "short_label": df.short_label, "unit": df.unit,
        "decimals": df.decimals.astype(int), "theme": df.theme,
        "theme_label": [vocabulary.theme_label(t) for t in df.theme], "polarity": df.polarity,
        "polarity_label": [vocabulary.label("polarities", p) for p in df.polarity],
        "definition": df.definition.fillna("") if "definition" in df else "", "source": df.source})
    out["picker_label"] = [f"{t} — {lab}" for t, lab in zip(out.theme_label, out.label)]
    out["label_with_unit"] = [label_with_unit(lab, u) for lab, u in zip(out.label, out.unit)]
    return out.reset_index(drop=True)


def indicator(con, indicator_id: str) -> dict:
    """One indicator of indicator_list as a dict (KeyError naming it when undeclared)."""
    df = indicator_list(con)
    row = df[df.indicator_id == indicator_id]
    if row.empty:
        raise KeyError(indicator_id)
    return row.iloc[0].to_dict()


def shown_editions(con, indicator_id: str, generation: str = "2015") -> list[int]:
    """Millésimes a user may choose: at least one quartier of `generation` has a value shown."""
    return catalog.shown_editions(con, indicator_id, str(generation))


def files(con, indicator_id: str, edition: int) -> list[str]:
    """Source files giving the indicator in that edition (named in source lines and hovers)."""
    return catalog.files(con, indicator_id, int(edition))
