"""Topics by group: a heatmap of mean topic weight per group value (e.g. per label).

Example:
    prev = explore.prevalence_by_group(model, corpus.labels)   # groups x topics, rows sum to 1
    fig = topic_group_heatmap(prev, names)
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from core.charts.palette import TOP_MARGIN
from core.charts.terms_bar import term_label
from core.i18n import _


def topic_group_heatmap(prevalence: pd.DataFrame, names: Sequence[str], title: str = "",
                        value_label: str | None = None) -> go.Figure:
    """Rows: groups; columns: topics (model order, labelled with `names`); cell: mean topic weight
    (or another per-group share named by `value_label`, e.g. labels.topic_label_shares; text for
    people, in the caller's language; default "mean weight" in the active language)."""
    value_label = _("mean weight") if value_label is None else value_label
    z = prevalence.to_numpy(dtype=float)
    groups = [term_label(g) for g in prevalence.index]
    cols = [term_label(names[int(t)]) for t in prevalence.columns]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=cols, y=groups, colorscale="Blues", zmin=0,
            colorbar={"title": term_label(value_label)},
            hovertemplate=term_label(_("group")) + " %{y}<br>%{x}<br>" + term_label(value_label)
                          + " %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=term_label(title),
        height=max(300, 26 * len(groups) + 160),
        margin={"l": 10, "r": 10, "t": TOP_MARGIN if title else 10, "b": 10},
        xaxis={"type": "category", "tickangle": -40, "automargin": True},
        yaxis={"type": "category", "automargin": True, "autorange": "reversed"},
    )
    return fig
