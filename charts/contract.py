"""Figures of the contract-life pages (programmation, engagements, enquêtes, référentiel), reused by exports.

Pure Plotly builders: each takes the DataFrame a contract view of presentation/ hands over (the rows of the
matching indicators.* function: codes, numbers, statuses) and a source line (presentation.sources.source_line(..., demo=True) for démo data: the label is then inside the image), and
returns a Figure. Hidden values (secret, effectif insuffisant) are drawn as grey, labelled gaps, never as 0.
"""
from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.source import add_source
from observatoire import vocabulary
from observatoire.frformat import fmt_eur, fmt_int, fmt_number
from presentation import programmation as prog_view
from presentation.enquetes import SURVEYED
from presentation.sources import DEMO_LABEL
from presentation.text import cell_text, plotly_text, value_text

SEX_COLORS = vocabulary.colors("sexes")
GIRLS_FEW = str(vocabulary.term("sexes", "F").get("light_color") or SEX_COLORS["F"])   # under 45 % of girls
HIDDEN = style.MUTED
NOTE = vocabulary.palette("grey")               # small explanatory annotations
TOTAL = vocabulary.row_label("total")           # the « Ensemble » row of contract-life tables
NEUTRAL = vocabulary.scale("neutral")


def _wrap(text: str, width: int = 38) -> str:
    """A label typed by users over lines, escaped for Plotly (charts.style.wrap)."""
    return style.wrap(text, width, max_lines=None)


def _demo_watermark(fig: go.Figure, demo: bool) -> None:
    """Démo figures carry the label twice: in the source line and as a faint watermark."""
    if demo:
        fig.add_annotation(text=DEMO_LABEL.upper(), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font=dict(size=26, color=style.rgba(vocabulary.palette("demo"), 0.13)), textangle=-18,
                           name="demo")


def _finish(fig, source_line, demo, height=None, title=None, legend_bottom=False, narrow=False):
    """House layout, démo watermark, source line (wrapped shorter for half-width charts); legends go on top
    so that they never collide with the axis title or the source line."""
    style.base_layout(fig, height=height, title=title)
    if legend_bottom:
        fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, xanchor="left",
                                      font=dict(size=11)),
                          margin=dict(t=(fig.layout.margin.t or 20) + (70 if narrow else 36)))
        if title:
            fig.update_layout(title=dict(y=0.99, yanchor="top"))
    _demo_watermark(fig, demo)
    add_source(fig, source_line, width=85 if narrow else 150)
    return fig


def _empty(title: str, source_line: str, demo: bool, message: str = "Aucune donnée") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=14, color=HIDDEN))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, source_line, demo, height=260, title=title)


# --------------------------------------------------------------------------- programmation

def programmation_by_year(df: pd.DataFrame, *, source_line: str, demo: bool = False, narrow: bool = True) -> go.Figure:
    """indicators.programmation.totals_by_year: granted (State P147 / other financeurs) and requested, the
    data of presentation.programmation.by_year_chart (the report's Word chart shows the same)."""
    title = prog_view.BY_YEAR_TITLE
    if df.empty:
        return _empty(title, source_line, demo)
    c = prog_view.by_year_chart(df)
    fig = go.Figure()
    for (name, values), colour in zip(c.stacked.items(), c.colours):
        fig.add_bar(x=c.categories, y=values, name=name, marker_color=colour,
                    hovertemplate="%{x} : %{y:,.0f} €<extra>" + name + "</extra>")
    fig.add_scatter(x=c.categories, y=c.requested, name=prog_view.REQUESTED, mode="markers+lines",
                    marker=dict(size=10, color=c.colours[2], symbol="diamond"),
                    line=dict(dash="dot", color=c.colours[2]),
                    hovertemplate="%{x} : %{y:,.0f} € sollicités<extra></extra>")
    for i, (tot, label) in enumerate(zip(c.granted, c.labels)):
        # category axis: annotations are placed by category index (a year string would be read as a date)
        fig.add_annotation(x=i, y=tot, text=plotly_text(label).replace("\n", "<br>"), showarrow=False, yshift=22,
                           font=dict(size=11))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="€", tickformat=",.0f", gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=440, title=title, legend_bottom=True, narrow=narrow)


def by_financeur(df: pd.DataFrame, *, year, source_line: str, demo: bool = False, narrow: bool = True) -> go.Figure:
    """indicators.programmation.totals_by_financeur for one year: granted amount per financeur."""
    title = f"Montants accordés par financeur ({year})"
    d = df[df["annee"] == year].sort_values("montant_accorde") if not df.empty else df
    if d.empty:
        return _empty(title, source_line, demo)
    fig = go.Figure(go.Bar(
        y=[plotly_text(vocabulary.label("financeurs", f)) for f in d["financeur"]], x=d["montant_accorde"],
        orientation="h",
        marker_color=[vocabulary.color("financeurs", f, style.REFERENCE) for f in d["financeur"]],
        text=[f"{fmt_eur(v)} ({fmt_number(p, 0, '%')})" if pd.notna(p) else fmt_eur(v)
              for v, p in zip(d["montant_accorde"], d["part"])],
        textposition="auto", hovertemplate="%{y} : %{x:,.0f} €<extra></extra>"))
    fig.update_xaxes(title="€ accordés", tickformat=",.0f", gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=140 + 34 * len(d), title=title, narrow=narrow)


def by_theme(df: pd.DataFrame, *, year, source_line: str, demo: bool = False, narrow: bool = True) -> go.Figure:
    """indicators.programmation.totals_by_theme for one year."""
    title = f"Montants accordés par thématique ({year})"
    d = df[df["annee"] == year].sort_values("montant_accorde") if not df.empty else df
    if d.empty:
        return _empty(title, source_line, demo)
    fig = go.Figure()
    fig.add_bar(y=[_wrap(t) for t in d["thematique"]], x=d["montant_accorde_p147"], orientation="h",
                name="dont État (P147)", marker_color=vocabulary.color("financeurs", "etat_p147"),
                hovertemplate="%{x:,.0f} €<extra>État P147</extra>")
    fig.add_bar(y=[_wrap(t) for t in d["thematique"]], x=d["montant_accorde"] - d["montant_accorde_p147"],
                orientation="h", name=vocabulary.label("financeurs", "autre").lower(), marker_color=vocabulary.color("financeurs", "epci"),
                hovertemplate="%{x:,.0f} €<extra>autres financeurs</extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="€ accordés", tickformat=",.0f", gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=170 + 44 * len(d), title=title, legend_bottom=True, narrow=narrow)


def money_vs_need(df: pd.DataFrame, *, source_line: str, demo: bool = False, per: str = "pauvre") -> go.Figure:
    """indicators.programmation.money_vs_need: € per inhabitant (per='habitant') or per inhabitant below the
    poverty line (per='pauvre') and quartier; approximations (2015 geography) are marked « ≈ »."""
    col, status = ("euros_par_pauvre", "status_pauvre") if per == "pauvre" else ("euros_par_habitant", "status_habitant")
    what = "par habitant sous le seuil de pauvreté" if per == "pauvre" else "par habitant"
    title = f"Crédits accordés {what}, par quartier et par an"
    if df.empty:
        return _empty(title, source_line, demo)
    d = df.sort_values(col, na_position="first")
    shown = d[status] == "ok"
    labels = [("≈ " if m == "approx_qp2015" else "") + plotly_text(lab) for lab, m in zip(d["label"], d["method"])]
    values = [v if s else 0 for v, s in zip(d[col], shown)]
    text = [fmt_eur(v) if s else vocabulary.status_label(st_) for v, s, st_ in zip(d[col], shown, d[status])]
    fig = go.Figure(go.Bar(
        y=labels, x=values, orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker_color=[style.QUARTIER if s else HIDDEN for s in shown],
        customdata=list(zip(d["montant_accorde"], d["population"].fillna(-1), d["tx_pauvrete"].fillna(-1))),
        hovertemplate="%{y}<br>%{text}<br>accordé : %{customdata[0]:,.0f} €<extra></extra>"))
    fig.update_xaxes(title=f"€ {what} et par an", tickformat=",.0f", gridcolor=style.GRID)
    if (d["method"] == "approx_qp2015").any():
        fig.add_annotation(text="≈ population et pauvreté approchées par le(s) quartier(s) 2015 correspondant(s)",
                           xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
                           showarrow=False, font=dict(size=10, color=NOTE))
    return _finish(fig, source_line, demo, height=140 + 34 * len(d), title=title, narrow=True)


def beneficiaries_in_qpv(df: pd.DataFrame, *, source_line: str, demo: bool = False) -> go.Figure:
    """indicators.programmation.money_vs_need (benef_* columns): per quartier, the share of the located
    beneficiaries of its actions who live in a quartier prioritaire; hidden or missing shares are grey,
    labelled, never 0."""
    title = "Part des bénéficiaires résidant en quartier prioritaire, par quartier visé"
    if df.empty or "benef_part_qpv" not in df:
        return _empty(title, source_line, demo)
    d = df.sort_values("benef_part_qpv", na_position="first")
    shown = d["benef_part_qpv_status"] == "ok"
    fig = go.Figure(go.Bar(
        y=[plotly_text(lab) for lab in d["label"]], x=[v if s else 0 for v, s in zip(d["benef_part_qpv"], shown)],
        orientation="h",
        text=[value_text(v, s, "%", 0) for v, s in zip(d["benef_part_qpv"], d["benef_part_qpv_status"])],
        textposition="outside", cliponaxis=False,
        marker_color=[style.QUARTIER if s else HIDDEN for s in shown],
        customdata=[value_text(n, s, None, 0) for n, s in zip(d["benef_localises"], d["benef_localises_status"])],
        hovertemplate="%{y}<br>%{text} des bénéficiaires localisés (%{customdata})<extra></extra>"))
    fig.update_xaxes(range=[0, 105], ticksuffix=" %", title="part des bénéficiaires localisés qui résident en QPV",
                     gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=140 + 34 * len(d), title=title, narrow=True)


def beneficiaries_pyramid(df: pd.DataFrame, *, source_line: str, demo: bool = False, title: str | None = None, narrow: bool = True) -> go.Figure:
    """indicators.programmation.beneficiaries(by='sexe_age'): an age pyramid, girls right, boys left."""
    title = plotly_text(title) if title else "Bénéficiaires par sexe et par âge"
    if df.empty:
        return _empty(title, source_line, demo)
    ages = vocabulary.labels("age_bands")
    fig = go.Figure()
    for sexe, sign in (("M", -1), ("F", 1)):
        d = df[df["sexe"] == sexe].set_index("tranche_age").reindex(list(ages))
        vals = [(sign * float(v)) if pd.notna(v) else 0 for v in d["n"]]
        hidden = [s != "ok" if isinstance(s, str) else False for s in d["status"]]
        name = vocabulary.label("sexes", sexe)
        fig.add_bar(y=list(ages.values()), x=vals, orientation="h", name=name,
                    marker_color=[HIDDEN if h else SEX_COLORS[sexe] for h in hidden],
                    text=[vocabulary.status_label("effectif_insuffisant") if h else fmt_int(abs(v)) if v else ""
                          for v, h in zip(vals, hidden)],
                    textposition="auto", hovertemplate="%{y} : %{text}<extra>" + name + "</extra>")
    fig.update_layout(barmode="relative", bargap=0.15)
    m = max([abs(v) for v in fig.data[0].x] + [abs(v) for v in fig.data[1].x] + [1])
    step = _nice_step(m)
    k = int(m // step) + 1
    ticks = [i * step for i in range(-k, k + 1)]
    fig.update_xaxes(tickvals=ticks, ticktext=[fmt_int(abs(t)) for t in ticks], gridcolor=style.GRID,
                     range=[-k * step, k * step], title="← garçons / hommes · filles / femmes →")
    return _finish(fig, source_line, demo, height=420, title=title, legend_bottom=True, narrow=narrow)


def _nice_step(m: float) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving two or three ticks on each side of 0."""
    raw = m / 2.5
    base = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(b * base for b in (1, 2, 5, 10) if b * base >= raw)


def girls_share(df: pd.DataFrame, *, source_line: str, demo: bool = False, title: str | None = None, narrow: bool = True) -> go.Figure:
    """indicators.programmation.girls_boys: share of girls per theme against parity (50 %)."""
    title = plotly_text(title) if title else "Part des filles et des femmes parmi les bénéficiaires, par thématique"
    if df.empty:
        return _empty(title, source_line, demo)
    d = df.iloc[::-1]
    ok = d["status"] == "ok"
    fig = go.Figure(go.Bar(
        y=[(f"<b>{TOTAL}</b>" if t == TOTAL else _wrap(t)) for t in d["thematique"]],
        x=[v if o else 0 for v, o in zip(d["part_filles"], ok)], orientation="h",
        marker_color=[HIDDEN if not o else (SEX_COLORS["F"] if v >= 45 else GIRLS_FEW) for v, o in zip(d["part_filles"], ok)],
        text=[fmt_number(v, 0, "%") if o else vocabulary.status_label(st_)
              for v, o, st_ in zip(d["part_filles"], ok, d["status"])],
        textposition="outside", cliponaxis=False, hovertemplate="%{y} : %{text}<extra></extra>"))
    fig.add_vline(x=50, line=dict(color=style.TEXT, dash="dash", width=1))
    fig.add_annotation(x=50, y=1.02, yref="paper", text="parité", showarrow=False, font=dict(size=10))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", title="part des filles / femmes", gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=150 + 40 * len(d), title=title, narrow=narrow)


def state_means(df: pd.DataFrame, *, source_line: str, narrow: bool = True) -> go.Figure:
    """indicators.means.state_means: posts per year (adultes-relais, FONJEP). Real data."""
    title = "Moyens de l'État : postes financés"
    if df.empty:
        return _empty(title, source_line, False, "Aucun poste rattaché à ce contrat dans les fichiers ANCT")
    fig = go.Figure()
    for kind, name in vocabulary.labels("means_kinds").items():
        d = df[df["kind"] == kind]
        if d.empty:
            continue
        fig.add_bar(x=[f"{y}{' (partiel)' if p else ''}" for y, p in zip(d["year"], d["partial"])], y=d["n_posts"],
                    name=name, marker_color=vocabulary.color("means_kinds", kind), text=[fmt_int(v) for v in d["n_posts"]],
                    textposition="outside", customdata=d["amount"],
                    hovertemplate="%{x} : %{y} postes, %{customdata:,.0f} €<extra>" + name + "</extra>")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="postes", gridcolor=style.GRID)
    return _finish(fig, source_line, False, height=400, title=title, legend_bottom=True, narrow=narrow)


# --------------------------------------------------------------------------- engagements

def engagement_status(df: pd.DataFrame, *, by: str, source_line: str, demo: bool = False) -> go.Figure:
    """indicators.engagements.status_counts: stacked bars of commitments by effective status."""
    title = "Engagements par " + {"signataire": "signataire", "axe": "axe", "referent": "référent"}.get(by, by)
    d = df[df[by] != TOTAL] if not df.empty else df
    if d.empty:
        return _empty(title, source_line, demo)
    d = d.sort_values(["taux_realisation", "total"], ascending=[True, True], na_position="first")
    fig = go.Figure()
    for st_code in ("realise", "en_cours", "prevu", "en_retard", "abandonne"):      # done first, left
        if st_code not in d:
            continue
        fig.add_bar(y=[_wrap(v, 42) for v in d[by]], x=d[st_code], orientation="h",
                    name=vocabulary.labels("engagement_statuses")[st_code], marker_color=vocabulary.color("engagement_statuses", st_code),
                    hovertemplate="%{y} : %{x}<extra>" + vocabulary.labels("engagement_statuses")[st_code] + "</extra>")
    for y, tot, rate in zip(d[by], d["total"], d["taux_realisation"]):
        fig.add_annotation(y=_wrap(y, 42), x=tot, text=(fmt_number(rate, 0, "%") if pd.notna(rate) else ""),
                           showarrow=False, xanchor="left", xshift=6, font=dict(size=10))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="engagements (taux de réalisation à droite)", gridcolor=style.GRID, dtick=1 if d["total"].max() <= 8 else None)
    lines = sum(_wrap(v, 42).count("<br>") + 1 for v in d[by])     # wrapped labels need their own height
    return _finish(fig, source_line, demo, height=250 + 34 * len(d) + 14 * lines, title=title, legend_bottom=True,
                   narrow=True)


def engagement_history(hist: pd.DataFrame, *, target: float | None, reference: float | None, label: str,
                       source_line: str, demo: bool = False, narrow: bool = True) -> go.Figure:
    """indicators.engagements.history: the measured value at each review against reference and target."""
    title = _wrap(f"Suivi : {label}", 90)
    d = hist[hist["valeur_constatee"].notna()] if not hist.empty else hist
    if d.empty:
        return _empty(title, source_line, demo, "Aucune valeur relevée aux points d'étape")
    fig = go.Figure(go.Scatter(
        x=pd.to_datetime(d["date_point"]), y=d["valeur_constatee"], mode="lines+markers+text",
        text=[cell_text(v) for v in d["valeur_constatee"]], textposition="top center",
        marker=dict(size=10, color=[vocabulary.color("engagement_statuses", s, style.QUARTIER) for s in d["statut"]]),
        line=dict(color=style.QUARTIER), name="valeur constatée",
        customdata=[vocabulary.label("engagement_statuses", s) for s in d["statut"]],
        hovertemplate="%{x|%d/%m/%Y} : %{y} (%{customdata})<extra></extra>"))
    for val, name, dash, pos in ((reference, "référence", "dot", "bottom left"), (target, "cible", "dash", "top right")):
        if val is not None and pd.notna(val):
            fig.add_hline(y=val, line=dict(dash=dash, color=NOTE), annotation_text=f"{name} : {cell_text(val)}",
                          annotation_position=pos, annotation_font=dict(size=10, color=NOTE))
    fig.update_xaxes(tickformat="%m/%Y", dtick="M6", gridcolor=style.GRID, tickangle=0)
    fig.update_yaxes(gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=360, title=title, narrow=narrow)


# --------------------------------------------------------------------------- enquêtes

def barometer_heatmap(df: pd.DataFrame, *, source_line: str, demo: bool = False, title: str | None = None) -> go.Figure:
    """indicators.enquetes.barometer: share favourable, quartiers × questions; hidden cells grey."""
    title = plotly_text(title) if title else "Baromètre des quartiers : part de réponses favorables"   # names a wave
    if df.empty:
        return _empty(title, source_line, demo)
    qs = df.drop_duplicates("question_code")[["question_code", "question"]]
    quartiers = df.drop_duplicates("quartier_code")[["quartier_code", "quartier"]]
    quartiers = pd.concat([quartiers[quartiers["quartier_code"] == SURVEYED],
                           quartiers[quartiers["quartier_code"] != SURVEYED].sort_values("quartier")])
    piv = df.pivot(index="quartier_code", columns="question_code", values="part").reindex(
        index=quartiers["quartier_code"], columns=qs["question_code"])
    nn = df.pivot(index="quartier_code", columns="question_code", values="n").reindex_like(piv)
    z = piv.astype(float).values
    text = [[(fmt_number(v, 0, "%") if pd.notna(v) else "n < min") for v in row] for row in z]
    custom = [[(f"n = {int(n)}" if pd.notna(n) else vocabulary.status_label("effectif_insuffisant")) for n in row] for row in nn.values]
    ylabels = [("<b>" + plotly_text(q) + "</b>") if c == SURVEYED else plotly_text(q)
               for c, q in zip(quartiers["quartier_code"], quartiers["quartier"])]
    xlabels = [plotly_text(c) for c in qs["question_code"]]
    questions = [[q] * len(xlabels) for q in ylabels]
    custom = [[f"{xc} – {plotly_text(ql)} : {c}" for xc, ql, c in zip(xlabels, qs["question"], row)]
              for row in custom]
    fig = go.Figure(go.Heatmap(
        z=z, x=xlabels, y=ylabels, text=text, texttemplate="%{text}", customdata=custom, zmin=0, zmax=100,
        colorscale=[[0, vocabulary.light("moins_bien")["color"]], [0.5, vocabulary.palette("light")],
                    [1, vocabulary.light("mieux")["color"]]], colorbar=dict(title="%", ticksuffix=" %"),
        hoverongaps=False, xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{customdata}<br>%{text} de réponses favorables<extra></extra>"))
    _ = questions
    fig.update_layout(plot_bgcolor=style.GRID)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=0)
    legend = " · ".join(f"<b>{plotly_text(c)}</b> {plotly_text(_short(q))}"
                        for c, q in zip(qs["question_code"], qs["question"])) \
        + " · « n &lt; min » : moins de réponses que le minimum, part non affichée"
    fig.add_annotation(text="<br>".join(textwrap.wrap(legend, 150)), xref="paper", yref="paper",
                       x=0, y=0, yshift=-8, xanchor="left", yanchor="top", align="left", showarrow=False,
                       font=dict(size=10, color=NOTE))
    fig.update_layout(margin=dict(b=110))
    return _finish(fig, source_line, demo, height=260 + 34 * len(quartiers), title=title, narrow=True)


def _short(text: str, n: int = 48) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def barometer_question(df: pd.DataFrame, *, question_code: str, source_line: str, demo: bool = False) -> go.Figure:
    """One question: share favourable per quartier with its Wilson 95 % interval."""
    d = df[df["question_code"] == question_code]
    title = _wrap(f"{question_code} – {d['question'].iloc[0]}" if not d.empty else question_code, 90)
    if d.empty:
        return _empty(title, source_line, demo)
    d = d.assign(order=(d["quartier_code"] == SURVEYED).astype(int)).sort_values(["order", "part"], na_position="first")
    ok = d["status"] == "ok"
    fig = go.Figure(go.Scatter(
        x=[v if o else None for v, o in zip(d["part"], ok)], y=[plotly_text(q) for q in d["quartier"]], mode="markers",
        marker=dict(size=12, color=[style.HIGHLIGHT if c == SURVEYED else style.QUARTIER for c in d["quartier_code"]]),
        error_x=dict(type="data", symmetric=False, array=(d["haut"] - d["part"]).tolist(),
                     arrayminus=(d["part"] - d["bas"]).tolist(), color=NEUTRAL[2], thickness=2),
        customdata=[f"n = {int(n)}" if o else "" for n, o in zip(d["n"].fillna(0), ok)],
        hovertemplate="%{y} : %{x:.0f} % (%{customdata})<extra></extra>", showlegend=False))
    for q, o in zip(d["quartier"], ok):
        if not o:
            fig.add_annotation(x=50, y=plotly_text(q), text=vocabulary.status_label("effectif_insuffisant"),
                               showarrow=False, font=dict(size=10, color=HIDDEN))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", title="réponses favorables (intervalle de confiance à 95 %)",
                     gridcolor=style.GRID)
    return _finish(fig, source_line, demo, height=140 + 32 * len(d), title=title, narrow=True)


def evolution_dumbbell(df: pd.DataFrame, *, question_code: str, source_line: str, demo: bool = False) -> go.Figure:
    """indicators.enquetes.evolution for one question: wave 1 → wave 2 per quartier."""
    d = df[df["question_code"] == question_code]
    title = _wrap(f"Évolution entre vagues – {question_code} – {d['question'].iloc[0]}" if not d.empty
                  else "Évolution entre vagues", 90)
    d = d[d["status"] == "ok"] if not d.empty else d
    if d.empty:
        return _empty(title, source_line, demo, "Pas assez de réponses dans les deux vagues")
    fig = go.Figure()
    for r in d.itertuples():
        color = vocabulary.color("survey_readings", r.lecture)
        fig.add_scatter(x=[r.part_1, r.part_2], y=[plotly_text(r.quartier)] * 2, mode="lines",
                        line=dict(color=color, width=3), showlegend=False, hoverinfo="skip")
    names = [plotly_text(q) for q in d["quartier"]]
    fig.add_scatter(x=d["part_1"], y=names, mode="markers", name=f"vague {int(d['vague_1'].iloc[0])}",
                    marker=dict(size=10, color=NEUTRAL[1], line=dict(color=style.QUARTIER, width=1)),
                    hovertemplate="%{y} : %{x:.0f} %<extra>vague 1</extra>")
    fig.add_scatter(x=d["part_2"], y=names, mode="markers", name=f"vague {int(d['vague_2'].iloc[0])}",
                    marker=dict(size=12, color=style.QUARTIER),
                    customdata=[vocabulary.label("survey_readings", c) for c in d["lecture"]],
                    hovertemplate="%{y} : %{x:.0f} % (%{customdata})<extra>vague 2</extra>")
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", gridcolor=style.GRID, title="réponses favorables")
    fig.add_annotation(text="vert / rouge : évolution au-delà des marges d'incertitude ; gris : dans la marge",
                       xref="paper", yref="paper", x=1, y=1.01, xanchor="right", yanchor="bottom", showarrow=False,
                       font=dict(size=10, color=NOTE))
    return _finish(fig, source_line, demo, height=180 + 32 * len(d), title=title, legend_bottom=True, narrow=True)


# --------------------------------------------------------------------------- référentiel

def referentiel_fill(df: pd.DataFrame, *, source_line: str, demo: bool = False, narrow: bool = False) -> go.Figure:
    """indicators.referentiel.progress: per enjeu, indicators with baseline / target / current value."""
    title = "Référentiel d'évaluation : remplissage des indicateurs"
    if df.empty:
        return _empty(title, source_line, demo)
    d = df.iloc[::-1]
    labels = [("<b>" + plotly_text(e) + "</b>") if not c else _wrap(f"{c} {e}", 40)
              for c, e in zip(d["enjeu_code"], d["enjeu"])]
    fig = go.Figure()
    for col, name, color in (("avec_reference", "valeur de référence", NEUTRAL[1]), ("avec_cible", "cible", NEUTRAL[2]),
                             ("avec_valeur", "valeur actuelle", NEUTRAL[3]),
                             ("complets", "complets (les trois)", vocabulary.light("mieux")["color"])):
        fig.add_bar(y=labels, x=d[col], orientation="h", name=name, marker_color=color,
                    hovertemplate="%{y} : %{x} indicateur(s)<extra>" + name + "</extra>")
    fig.add_scatter(y=labels, x=d["n_indicateurs"], mode="markers", name="indicateurs au total",
                    marker=dict(symbol="line-ns-open", size=18, color=style.TEXT, line=dict(width=2)))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="indicateurs", gridcolor=style.GRID, rangemode="tozero")
    return _finish(fig, source_line, demo, height=190 + 70 * len(d), title=title, legend_bottom=True, narrow=narrow)


def referentiel_sunburst(tree: list[dict], *, source_line: str, demo: bool = False, narrow: bool = False) -> go.Figure:
    """indicators.referentiel.tree: enjeux → objectifs, sized by linked actions and commitments."""
    title = "Référentiel : enjeux, objectifs et actions rattachées"
    ids, labels, parents, values, colors, hover = [], [], [], [], [], []

    def shade(rate):
        if rate is None:
            return vocabulary.palette("light")    # no indicator under this node
        t = max(0.0, min(1.0, rate / 100))
        lo, hi = vocabulary.rgb(vocabulary.palette("good_light")), vocabulary.rgb(vocabulary.palette("good"))
        return "#%02x%02x%02x" % tuple(round(a + (b - a) * t) for a, b in zip(lo, hi))

    def walk(node, parent):
        ids.append(str(node["id"]))
        labels.append(_wrap(f"{node['code']} {node['libelle']}", 22))
        parents.append(parent)
        own = int(node["n_actions"]) + int(node["n_engagements"])
        values.append(own + (0 if node["children"] else 1))
        f = node["fill"]
        colors.append(shade(f["taux_complet"]))
        hover.append(f"{node['niveau_label']} {plotly_text(node['code'])}<br>{node['total_actions']} actions, "
                     f"{node['total_engagements']} engagements<br>indicateurs complets : {f['complets']}/{f['n_indicateurs']}")
        for c in node["children"]:
            walk(c, str(node["id"]))

    for root in tree:
        walk(root, "")
    if not ids:
        return _empty(title, source_line, demo)
    fig = go.Figure(go.Sunburst(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="remainder", maxdepth=3,
        marker=dict(colors=colors, line=dict(color=vocabulary.palette("white"), width=1)), customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", insidetextorientation="horizontal",
        textfont=dict(size=11, color=style.TEXT)))
    fig.add_annotation(text="taille : actions et engagements rattachés · vert foncé : indicateurs complets · "
                            "gris : aucun indicateur", xref="paper", yref="paper", x=0, y=1.0, yanchor="bottom",
                       showarrow=False, font=dict(size=10, color=NOTE), xanchor="left")
    return _finish(fig, source_line, demo, height=560, title=title, narrow=narrow)
