"""k-sweep metrics, ldatuning style: each metric rescaled to [0, 1] over the tested k, in two
facets, "minimise" (lower is better) and "maximise" (higher is better); raw values in the hover,
each metric's raw range in its legend entry (rescaling makes a 0.002 difference look as large as
a 2.0 one), one colour and marker per metric, shortlisted k labelled, x from the smallest k.

Example:
    from core.topics.sweep import run_sweep, shortlist
    res = run_sweep(bundle, config)
    fig = sweep_metrics_figure(res.frame, candidates=[c.k for c in shortlist(res.frame)])
    table = raw_values_table(res.frame)     # k x metric means over seeds, for st.dataframe / export

The frame is a sweep frame (`SweepResult.frame` or `frame_from_events(job.events)`): one row per
(k, seed). With several seeds the line is the mean over seeds and the hover also shows the
spread (min-max). A metric that is constant over k is drawn at 0.5; a metric that is all NaN
(e.g. stability with one seed) is left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.palette import TOP_MARGIN
from core.i18n import N_, _
from core.topics.metrics import METRICS

# English msgids (shown with _()): the figure and the table follow the active language.
FACETS = (("min", N_("minimise (lower is better)")), ("max", N_("maximise (higher is better)")))
DIRECTION_WORDS = {"min": N_("lower is better"), "max": N_("higher is better")}
# One fixed colour + marker per metric (same in the app and the report; no two metrics alike).
_STYLE = {
    "perplexity_train": ("#1F77B4", "circle"), "perplexity_heldout": ("#17BECF", "circle-open"),
    "umass": ("#D62728", "square"), "npmi": ("#2CA02C", "diamond"), "diversity": ("#9467BD", "triangle-up"),
    "caojuan2009": ("#FF7F0E", "x"), "arun2010": ("#8C564B", "star"), "deveaud2014": ("#E377C2", "hexagon"),
    "stability": ("#7F7F7F", "triangle-down"),
}


def rescale(values: pd.Series) -> pd.Series:
    """Min-max rescale to [0, 1] over the tested k (constant series -> 0.5, NaN stays NaN)."""
    lo, hi = values.min(), values.max()
    if not np.isfinite(lo) or not np.isfinite(hi):
        return values * np.nan
    if hi == lo:
        return values * 0 + 0.5
    return (values - lo) / (hi - lo)


def _present(frame: pd.DataFrame, metrics) -> list[str]:
    names = [m for m in (metrics or METRICS) if m in METRICS and m in frame.columns]
    return [m for m in names if pd.to_numeric(frame[m], errors="coerce").notna().any()]


def metric_column(metric: str) -> str:
    """A metric's column header with its direction, in the active language: "NPMI coherence · higher is better"."""
    info = METRICS[metric]
    return f"{_(info.label)} · {_(DIRECTION_WORDS[info.direction])}"


def raw_values_table(frame: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """One row per k: each metric's mean over seeds, columns labelled with their direction.

    Columns: "k", "<label> · lower is better" / "<label> · higher is better" per metric,
    "fit seconds", "seeds" (headers for people: in the active language; "k" stays "k").
    """
    names = _present(frame, metrics) if len(frame) else []
    if not len(frame):
        return pd.DataFrame(columns=["k"])
    g = frame.groupby("k")
    out = pd.DataFrame({"k": sorted(frame["k"].unique())})
    for m in names:
        out[metric_column(m)] = g[m].mean().reindex(out["k"]).to_numpy()
    if "fit_seconds" in frame.columns:
        out[_("fit seconds")] = g["fit_seconds"].mean().reindex(out["k"]).to_numpy()
    out[_("seeds")] = g.size().reindex(out["k"]).to_numpy()
    return out


def sweep_people_table(frame: pd.DataFrame, models, labels) -> pd.DataFrame:
    """`raw_values_table` plus label NMI / ARI per k when the corpus has a label column: the sweep
    table of the page and of the report (dashboard and CLI alike)."""
    from core.topics.labels import agreement_by_k

    table = raw_values_table(frame)
    by_k = agreement_by_k(models, labels) if labels is not None else pd.DataFrame()
    if len(by_k) and len(table):
        better, nmi, ari = _("higher is better"), _("label NMI"), _("label ARI")
        by_k = by_k.rename(columns={"label_nmi": f"{nmi} · {better}", "label_ari": f"{ari} · {better}"})
        table = table.merge(by_k, on="k", how="left")
    return table


def sweep_metrics_figure(
    frame: pd.DataFrame,
    metrics=None,
    candidates=(),
    title: str = "",
) -> go.Figure:
    """Normalised metric curves over k in two facets; `candidates` (k values) are marked and labelled."""
    names = _present(frame, metrics) if len(frame) else []
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[_(label) for _d, label in FACETS])
    for col, (direction, _label) in enumerate(FACETS, start=1):
        for m in (n for n in names if METRICS[n].direction == direction):
            info = METRICS[m]
            color, symbol = _STYLE.get(m, ("#444444", "circle"))
            g = frame.groupby("k")[m]
            mean, lo, hi, count = g.mean(), g.min(), g.max(), g.count()
            ks = mean.index.to_numpy()
            label = _(info.label)
            spread = ["<br>" + _("seeds: {n}, range {lo:.4g} to {hi:.4g}").format(n=c, lo=a, hi=b) if c > 1 else ""
                      for a, b, c in zip(lo, hi, count)]
            fig.add_trace(go.Scatter(
                x=ks, y=rescale(mean).to_numpy(), mode="lines+markers",
                name=_("{metric} ({lo:.3g} to {hi:.3g})").format(metric=label, lo=mean.min(), hi=mean.max()),
                legendgroup=direction, line={"color": color, "width": 2},
                marker={"symbol": symbol, "size": 9, "color": color},
                customdata=np.column_stack([mean.to_numpy(), np.array(spread, dtype=object)]),
                # Plotly's %{...} fields go in as values (str.format does not parse a value's braces)
                hovertemplate="<br>".join([
                    _("{metric} ({direction})").format(metric=f"<b>{label}</b>", direction=_(DIRECTION_WORDS[direction])),
                    "k = %{x}",
                    _("raw value: {value}").format(value="%{customdata[0]:.4g}%{customdata[1]}"),
                    _("rescaled: {value}").format(value="%{y:.2f}"),
                ]) + "<extra></extra>",
            ), row=1, col=col)
    for rank, k in enumerate(candidates or (), start=1):
        for col in (1, 2):
            fig.add_vline(x=k, line={"dash": "dot", "color": "#555", "width": 1.5}, row=1, col=col,
                          annotation_text=f"#{rank}: k={k}", annotation_position="top",
                          annotation_font={"size": 11, "color": "#333"})
    fig.update_yaxes(range=[-0.05, 1.12], title_text=_("rescaled to [0, 1] over tested k"), row=1, col=1)
    fig.update_xaxes(title_text=_("number of topics k"), dtick=_dtick(frame), range=_xrange(frame))
    fig.update_layout(title=title or None, height=470, template="plotly_white",
                      legend={"orientation": "h", "y": -0.22, "font": {"size": 11}},
                      margin={"l": 50, "r": 20, "t": TOP_MARGIN + (30 if title else 0), "b": 40}, hovermode="closest")
    note = _("Each line is rescaled to its own range (in the legend): read the raw values before "
             "trusting a small-looking difference.")
    fig.add_annotation(text=note + ("  " + _("Dotted: shortlisted k.") if candidates else ""),
                       xref="paper", yref="paper", x=0, y=-0.42, xanchor="left", showarrow=False,
                       font={"size": 11, "color": "#555"})
    return fig


def _xrange(frame: pd.DataFrame):
    """From just below the smallest tested k to just above the largest (not from 0)."""
    if not len(frame):
        return None
    lo, hi = float(frame["k"].min()), float(frame["k"].max())
    pad = max(0.5, (hi - lo) * 0.03)
    return [lo - pad, hi + pad]


def _dtick(frame: pd.DataFrame):
    if not len(frame):
        return None
    ks = np.sort(frame["k"].unique())
    if len(ks) < 2:
        return None
    step = int(np.min(np.diff(ks)))
    return step * max(1, int(np.ceil(len(ks) / 16)))
