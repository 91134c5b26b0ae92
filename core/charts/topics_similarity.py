"""Topic similarity heatmap (1 - Jensen-Shannon divergence between topic-word distributions).

Example:
    sim = explore.topic_similarity(model)        # K x K, 1 on the diagonal
    fig = topic_similarity_heatmap(sim, names)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.palette import TOP_MARGIN
from core.charts.terms_bar import term_label
from core.i18n import _


def topic_similarity_heatmap(similarity: np.ndarray, names: Sequence[str], title: str = "") -> go.Figure:
    sim = np.asarray(similarity, dtype=float)
    if sim.ndim != 2 or sim.shape[0] != sim.shape[1] or sim.shape[0] != len(names):
        raise ValueError("similarity must be a K x K matrix with K names")
    labels = [term_label(n) for n in names]
    z = sim.copy()
    np.fill_diagonal(z, np.nan)  # the diagonal (1.0) would wash out the colour scale
    fig = go.Figure(go.Heatmap(
        z=z, x=labels, y=labels, colorscale="Viridis", zmin=0, zmax=float(np.nanmax(z)) if sim.shape[0] > 1 else 1,
        colorbar={"title": _("similarity")},
        hovertemplate="%{y}<br>%{x}<br>" + term_label(_("similarity")) + " %{z:.3f}<extra></extra>",
    ))
    fig.update_layout(
        title=term_label(title), height=max(360, 24 * len(labels) + 180),
        margin={"l": 10, "r": 10, "t": TOP_MARGIN if title else 10, "b": 10},
        xaxis={"type": "category", "tickangle": -40, "automargin": True},
        yaxis={"type": "category", "automargin": True, "autorange": "reversed"},
    )
    return fig
