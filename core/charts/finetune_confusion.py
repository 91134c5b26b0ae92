"""Confusion-matrix heatmap (rows: true class, columns: predicted), shares per true class.

Example:
    fig = confusion_heatmap([[8, 2], [1, 9]], ["体育", "财经"])
"""

from __future__ import annotations

import html
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.palette import TOP_MARGIN
from core.i18n import _


def confusion_heatmap(matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str = "") -> go.Figure:
    """Colour = share of the true class's examples; the text shows the counts."""
    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    names = [html.escape(str(x), quote=False) for x in labels]
    fig = go.Figure(go.Heatmap(
        z=share, x=names, y=names, text=counts.astype(int), texttemplate="%{text}", colorscale="Blues",
        zmin=0, zmax=1, colorbar={"title": {"text": _("share")}},
        hovertemplate=_("true %{y}<br>predicted %{x}<br>%{text} (%{z:.0%})") + "<extra></extra>",
    ))
    size = max(320, 36 * len(names) + 140)
    fig.update_layout(title=html.escape(title, quote=False), height=size, xaxis_title=_("predicted"), yaxis_title=_("true"),
                      yaxis={"autorange": "reversed"}, margin={"l": 40, "r": 20, "t": TOP_MARGIN, "b": 40})
    return fig
