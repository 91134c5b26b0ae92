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
from core.i18n import N_, _, format_number

LONG_TAIL_RATIO = 20.0
# unit -> (its name in the chart, the panel title); translated when the figure is built
UNITS = {"characters": (N_("characters"), N_("characters per document")),
         "tokens": (N_("tokens"), N_("tokens per document"))}


def is_long_tailed(lengths: np.ndarray) -> bool:
    x = np.asarray(lengths, dtype=float)
    if not len(x):
        return False
    med = max(float(np.median(x)), 1.0)
    return float(x.max()) / med > LONG_TAIL_RATIO


def length_histogram(char_lengths: np.ndarray, token_lengths: np.ndarray | None = None,
                     bins: int = 40) -> go.Figure:
    """One panel per unit (characters, tokens), linear or log10 axis each; text in the active language.

    >>> fig = length_histogram(np.array([3, 5, 8]), np.array([1, 2, 4]))
    >>> [t.name for t in fig.data]
    ['characters', 'tokens']
    """
    series = [("characters", np.asarray(char_lengths))]
    if token_lengths is not None:
        series.append(("tokens", np.asarray(token_lengths)))
    fig = make_subplots(rows=1, cols=len(series), horizontal_spacing=0.08,
                        subplot_titles=[_(UNITS[unit][1]) for unit, _x in series])
    for col, (unit, x) in enumerate(series, start=1):
        name = _(UNITS[unit][0])
        log = is_long_tailed(x)
        med = float(np.median(x)) if len(x) else 0.0
        hover = _("{lengths} {unit}: {count} documents").format(lengths="%{customdata}", unit=name,
                                                                count="%{y}") + "<extra></extra>"
        if log:
            vals = np.log10(np.maximum(x, 0) + 1)
            counts, edges = np.histogram(vals, bins=bins)
            lo, hi = 10 ** edges[:-1] - 1, 10 ** edges[1:] - 1
            fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), name=name,
                                 customdata=[f"{a:,.0f}–{b:,.0f}" for a, b in zip(lo, hi)], hovertemplate=hover),
                          row=1, col=col)
            top = int(np.ceil(vals.max())) if len(vals) else 1
            fig.update_xaxes(tickvals=list(range(top + 1)), ticktext=[_short(10 ** i) for i in range(top + 1)],
                             title_text=_("{unit} (log scale; median {median}, longest {longest})").format(
                                 unit=name, median=format_number(med, 0), longest=format_number(x.max(), 0)),
                             row=1, col=col)
        else:
            hover = _("{lengths} {unit}: {count} documents").format(lengths="%{x}", unit=name,
                                                                    count="%{y}") + "<extra></extra>"
            fig.add_trace(go.Histogram(x=x, nbinsx=bins, name=name, customdata=None, hovertemplate=hover),
                          row=1, col=col)
            fig.update_xaxes(title_text=_("{unit} (median {median})").format(unit=name, median=format_number(med, 0)),
                             row=1, col=col)
    fig.update_yaxes(title_text=_("documents"), row=1, col=1)
    fig.update_layout(bargap=0.05, height=320, showlegend=False, margin=dict(l=10, r=10, t=TOP_MARGIN - 20, b=10))
    return fig


def _short(v: float) -> str:
    v = int(round(v))
    for div, suffix in ((1_000_000, "M"), (1_000, "k")):
        if v >= div:
            return f"{v // div}{suffix}"
    return str(v)
