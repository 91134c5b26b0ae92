"""Small-multiple bar charts: the distinctive terms of each group side by side.

Example:
    fig = group_terms_grid({"体育": (["比赛", "球队"], [0.2, 0.1]), "财经": (["基金"], [0.3])},
                           value_label="c-TF-IDF")
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.terms_bar import term_label

_PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC"]


def group_terms_grid(
    groups: Mapping[str, tuple[Sequence[str], Sequence[float]]],
    value_label: str = "score",
    columns: int = 3,
    title: str = "",
) -> go.Figure:
    """One horizontal bar panel per group (top term at the top of each panel), `columns` per row."""
    names = list(groups)
    if not names:
        fig = go.Figure()
        fig.update_layout(title="no groups to show", height=200)
        return fig
    cols = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / cols)
    n_max = max((len(groups[g][0]) for g in names), default=1) or 1
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[term_label(g) for g in names],
        horizontal_spacing=min(0.12, 0.5 / cols),
        vertical_spacing=min(0.08, 0.4 / rows) if rows > 1 else 0.0,
    )
    for i, name in enumerate(names):
        terms, values = groups[name]
        r, c = divmod(i, cols)
        fig.add_trace(
            go.Bar(
                x=list(values)[::-1],
                y=[term_label(t) for t in terms][::-1],
                orientation="h",
                name=term_label(name),
                marker_color=_PALETTE[i % len(_PALETTE)],
                hovertemplate="%{y}<br>" + term_label(value_label) + ": %{x:.4g}<extra>" + term_label(name) + "</extra>",
            ),
            row=r + 1,
            col=c + 1,
        )
        fig.update_yaxes(type="category", automargin=True, row=r + 1, col=c + 1)
    fig.update_layout(
        title=term_label(title),
        showlegend=False,
        height=rows * max(220, 20 * n_max + 70) + 60,
        margin={"l": 10, "r": 10, "t": 70 if title else 40, "b": 30},
    )
    return fig
