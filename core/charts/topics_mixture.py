"""Document topic mixtures: one stacked horizontal bar per document.

Example:
    fig = doc_mixture_bars(theta_rows, doc_labels=["row 3", "row 17"], names=names)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts.palette import topic_color
from core.charts.terms_bar import term_label
from core.i18n import _

LABEL_SHARE = 0.06  # segments at least this wide carry their topic number, so colours never have to be matched alone


def doc_mixture_bars(weights: np.ndarray, doc_labels: Sequence[str], names: Sequence[str],
                     min_share: float = 0.0) -> go.Figure:
    """`weights`: n_docs x K topic weights (rows sum to 1). Topics below `min_share` in every
    document are left out (they would be slivers); segments keep the model's topic colours and
    wide segments show the topic number."""
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    if w.shape[1] != len(names) or w.shape[0] != len(doc_labels):
        raise ValueError("weights must be n_docs x K with one label per doc and one name per topic")
    ys = [term_label(d) for d in doc_labels]
    fig = go.Figure()
    for t in range(w.shape[1]):
        if w.shape[0] and w[:, t].max() < min_share:
            continue
        fig.add_trace(go.Bar(
            x=w[:, t].tolist(), y=ys, orientation="h", name=term_label(names[t]),
            marker_color=topic_color(t), text=[str(t) if v >= LABEL_SHARE else "" for v in w[:, t]],
            textposition="inside", insidetextanchor="middle", textfont={"size": 11},
            hovertemplate="%{y}<br>" + term_label(_("weight")) + " %{x:.3f}<extra>" + term_label(names[t]) + "</extra>",
        ))
    fig.update_layout(
        barmode="stack", height=max(220, 34 * len(ys) + 140), xaxis={"range": [0, 1], "title": _("topic weight")},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True}, uniformtext={"minsize": 9, "mode": "hide"},
        margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"font": {"size": 11}},
    )
    return fig
