"""k-sweep metrics, ldatuning style: each metric rescaled to [0, 1] over the tested k, in two
facets, "minimise" (lower is better) and "maximise" (higher is better); raw values in the hover.

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

from core.topics.metrics import METRICS

FACETS = (("min", "minimise (lower is better)"), ("max", "maximise (higher is better)"))
_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down", "hexagon"]


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


def raw_values_table(frame: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """One row per k: each metric's mean over seeds, columns labelled with their direction.

    Columns: "k", "<label> (min)" / "<label> (max)" per metric, "fit seconds", "seeds".
    """
    names = _present(frame, metrics) if len(frame) else []
    if not len(frame):
        return pd.DataFrame(columns=["k"])
    g = frame.groupby("k")
    out = pd.DataFrame({"k": sorted(frame["k"].unique())})
    for m in names:
        info = METRICS[m]
        out[f"{info.label} ({info.direction})"] = g[m].mean().reindex(out["k"]).to_numpy()
    if "fit_seconds" in frame.columns:
        out["fit seconds"] = g["fit_seconds"].mean().reindex(out["k"]).to_numpy()
    out["seeds"] = g.size().reindex(out["k"]).to_numpy()
    return out


def sweep_metrics_figure(
    frame: pd.DataFrame,
    metrics=None,
    candidates=(),
    title: str = "",
) -> go.Figure:
    """Normalised metric curves over k in two facets; `candidates` (k values) are marked."""
    names = _present(frame, metrics) if len(frame) else []
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[label for _, label in FACETS])
    for col, (direction, _) in enumerate(FACETS, start=1):
        for i, m in enumerate(n for n in names if METRICS[n].direction == direction):
            info = METRICS[m]
            g = frame.groupby("k")[m]
            mean, lo, hi, count = g.mean(), g.min(), g.max(), g.count()
            ks = mean.index.to_numpy()
            spread = [f"<br>seeds: {c}, range {a:.4g} to {b:.4g}" if c > 1 else "" for a, b, c in zip(lo, hi, count)]
            fig.add_trace(go.Scatter(
                x=ks, y=rescale(mean).to_numpy(), mode="lines+markers", name=info.label,
                legendgroup=direction, marker={"symbol": _SYMBOLS[i % len(_SYMBOLS)], "size": 8},
                customdata=np.column_stack([mean.to_numpy(), np.array(spread, dtype=object)]),
                hovertemplate=(f"<b>{info.label}</b> ({'lower' if direction == 'min' else 'higher'} is better)"
                               "<br>k = %{x}<br>raw value: %{customdata[0]:.4g}%{customdata[1]}"
                               "<br>rescaled: %{y:.2f}<extra></extra>"),
            ), row=1, col=col)
    for k in candidates or ():
        for col in (1, 2):
            fig.add_vline(x=k, line={"dash": "dot", "color": "grey", "width": 1}, row=1, col=col)
    if candidates:
        fig.add_annotation(text="dotted lines: shortlisted k", xref="paper", yref="paper", x=1, y=-0.18,
                           showarrow=False, font={"size": 11, "color": "grey"})
    fig.update_yaxes(range=[-0.05, 1.05], title_text="rescaled to [0, 1] over tested k", row=1, col=1)
    fig.update_xaxes(title_text="number of topics k", dtick=_dtick(frame))
    fig.update_layout(title=title or None, height=430, legend={"orientation": "h", "y": -0.25},
                      margin={"l": 50, "r": 20, "t": 60, "b": 40}, hovermode="closest")
    return fig


def _dtick(frame: pd.DataFrame):
    if not len(frame):
        return None
    ks = np.sort(frame["k"].unique())
    if len(ks) < 2:
        return None
    step = int(np.min(np.diff(ks)))
    return step * max(1, int(np.ceil(len(ks) / 16)))
