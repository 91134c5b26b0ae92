"""Topics over time: one line per topic, mean topic weight per time bucket.

Example:
    prev = explore.prevalence_over_time(model, corpus.dates)   # periods x topics (+ n_docs)
    fig = topic_time_lines(prev, names)
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from core.charts.terms_bar import term_label
from core.charts.palette import TOP_MARGIN, topic_color
from core.i18n import _


def topic_time_lines(prevalence: pd.DataFrame, names: Sequence[str], topics: Sequence[int] | None = None,
                     title: str = "") -> go.Figure:
    """x: bucket start; y: mean weight; `topics` limits the lines (default: all)."""
    topic_cols = [c for c in prevalence.columns if c != "n_docs"]
    topics = [int(c) for c in topic_cols] if topics is None else [int(t) for t in topics]
    n_docs = prevalence["n_docs"] if "n_docs" in prevalence.columns else None
    fig = go.Figure()
    for t in topics:
        fig.add_trace(go.Scatter(
            x=list(prevalence.index), y=prevalence[t].tolist(), mode="lines+markers",
            name=term_label(names[t]), line={"color": topic_color(t)},
            customdata=(n_docs.tolist() if n_docs is not None else None),
            hovertemplate="%{x}<br>" + term_label(_("mean weight")) + " %{y:.3f}"
                          + ("<br>%{customdata} " + term_label(_("docs")) if n_docs is not None else "") + "<extra>"
                          + term_label(names[t]) + "</extra>",
        ))
    fig.update_layout(
        title=term_label(title), height=420, yaxis_title=_("mean topic weight"), xaxis_title=_("period"),
        margin={"l": 10, "r": 10, "t": TOP_MARGIN if title else 10, "b": 10}, legend={"font": {"size": 11}},
    )
    return fig
