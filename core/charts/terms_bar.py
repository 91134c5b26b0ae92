"""Horizontal bar chart of ranked terms (corpus ranking, one document's terms).

Example:
    fig = terms_bar(["体育", "比赛"], [0.31, 0.22], title="Top terms", value_label="mean TF-IDF")
"""

from __future__ import annotations

import html
from typing import Sequence

import plotly.graph_objects as go

from core.charts.palette import TOP_MARGIN
from core.i18n import _


def term_label(term: str) -> str:
    """Plotly renders a subset of HTML in labels; escape terms so `<b>` or `</script>` stay text."""
    return html.escape(str(term), quote=False)


def hover_value(value_label: str) -> str:
    """'label: value' of a bar's hover text, in the active language (the label is already translated)."""
    return _("{label}: {value}").format(label=term_label(value_label), value="%{x:.4g}")


def terms_bar(
    terms: Sequence[str],
    values: Sequence[float],
    title: str = "",
    value_label: str = "score",
    color: str = "#4C78A8",
) -> go.Figure:
    """Highest value at the top; height grows with the number of terms so labels never overlap."""
    labels = [term_label(t) for t in terms]
    fig = go.Figure(
        go.Bar(
            x=list(values)[::-1],
            y=labels[::-1],
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}<br>" + hover_value(value_label) + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=term_label(title),
        xaxis_title=term_label(value_label),
        yaxis={"type": "category", "automargin": True},
        height=max(260, 22 * len(labels) + 110),
        margin={"l": 10, "r": 20, "t": TOP_MARGIN if title else 20, "b": 40},
        showlegend=False,
    )
    return fig
