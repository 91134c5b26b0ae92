"""Distribution of document lengths: characters and tokens side by side.

Corpora are often long-tailed (a few documents 100x the median): on a linear axis that is one bar
and a flat line, so when the longest document is over 20x the median the lengths are binned on a
log10 axis (ticks in plain numbers) and the axis title says so.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.palette import TOP_MARGIN

LONG_TAIL_RATIO = 20.0


def is_long_tailed(lengths: np.ndarray) -> bool:
    x = np.asarray(lengths, dtype=float)
    if not len(x):
        return False
    med = max(float(np.median(x)), 1.0)
    return float(x.max()) / med > LONG_TAIL_RATIO


def length_histogram(char_lengths: np.ndarray, token_lengths: np.ndarray | None = None,
                     bins: int = 40) -> go.Figure:
    """One panel per unit (characters, tokens), linear or log10 axis each.

    >>> fig = length_histogram(np.array([3, 5, 8]), np.array([1, 2, 4]))
    >>> [t.name for t in fig.data]
    ['characters', 'tokens']
    """
    series = [("characters", np.asarray(char_lengths))]
    if token_lengths is not None:
        series.append(("tokens", np.asarray(token_lengths)))
    fig = make_subplots(rows=1, cols=len(series), horizontal_spacing=0.08,
                        subplot_titles=[f"{name} per document" for name, _ in series])
    for col, (name, x) in enumerate(series, start=1):
        log = is_long_tailed(x)
        med = float(np.median(x)) if len(x) else 0.0
        hover = f"%{{customdata}} {name}: %{{y}} docs<extra></extra>"
        if log:
            vals = np.log10(np.maximum(x, 0) + 1)
            counts, edges = np.histogram(vals, bins=bins)
            lo, hi = 10 ** edges[:-1] - 1, 10 ** edges[1:] - 1
            fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), name=name,
                                 customdata=[f"{a:,.0f}–{b:,.0f}" for a, b in zip(lo, hi)], hovertemplate=hover),
                          row=1, col=col)
            top = int(np.ceil(vals.max())) if len(vals) else 1
            fig.update_xaxes(tickvals=list(range(top + 1)), ticktext=[_short(10 ** i) for i in range(top + 1)],
                             title_text=f"{name} (log scale; median {med:,.0f}, longest {x.max():,.0f})",
                             row=1, col=col)
        else:
            fig.add_trace(go.Histogram(x=x, nbinsx=bins, name=name, customdata=None,
                                       hovertemplate=f"%{{x}} {name}: %{{y}} docs<extra></extra>"), row=1, col=col)
            fig.update_xaxes(title_text=f"{name} (median {med:,.0f})", row=1, col=col)
    fig.update_yaxes(title_text="documents", row=1, col=1)
    fig.update_layout(bargap=0.05, height=320, showlegend=False, margin=dict(l=10, r=10, t=TOP_MARGIN - 20, b=10))
    return fig


def _short(v: float) -> str:
    v = int(round(v))
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if v >= div:
            return f"{v // div}{suffix}"
    return str(v)
