"""Small-multiple bar charts: the distinctive terms of each group side by side.

Example:
    fig = group_terms_grid({"体育": (["比赛", "球队"], [0.2, 0.1]), "财经": (["基金"], [0.3])},
                           value_label="c-TF-IDF")
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import plotly.graph_objects as go

from core.charts.palette import TOP_MARGIN, topic_color
from core.charts.terms_bar import hover_value, term_label
from core.i18n import _



def _domains(n: int, spacing: float) -> list[tuple[float, float]]:
    size = (1.0 - spacing * (n - 1)) / n
    return [(i * (size + spacing), i * (size + spacing) + size) for i in range(n)]


def group_terms_grid(
    groups: Mapping[str, tuple[Sequence[str], Sequence[float]]],
    value_label: str = "score",
    columns: int = 3,
    title: str = "",
    max_terms: int = 30,
) -> go.Figure:
    """One horizontal bar panel per group (top term at the top of each panel), `columns` per row,
    at most `max_terms` bars per panel (the table beside it can hold more).

    The grid layout (axis domains, panel titles) is written out directly instead of through
    `make_subplots` + per-axis updates: same figure, about 5x faster to build, which keeps a
    group re-rank well inside the page's 300 ms budget."""
    groups = {g: (list(t)[:max_terms], list(v)[:max_terms]) for g, (t, v) in groups.items()}
    names = list(groups)
    if not names:
        return go.Figure(layout={"title": {"text": _("no groups to show")}, "height": 200})
    cols = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / cols)
    n_max = max((len(groups[g][0]) for g in names), default=1) or 1
    xdom = _domains(cols, min(0.12, 0.5 / cols))
    ydom = _domains(rows, min(0.08, 0.4 / rows) if rows > 1 else 0.0)[::-1]  # first row on top
    hover = hover_value(value_label)
    data, layout, notes = [], {}, []
    for i, name in enumerate(names):
        terms, values = groups[name]
        r, c = divmod(i, cols)
        suffix = "" if i == 0 else str(i + 1)
        label = term_label(name)
        data.append({
            "type": "bar", "orientation": "h", "x": list(values)[::-1], "y": [term_label(t) for t in terms][::-1],
            "name": label, "marker": {"color": topic_color(i)}, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
            "hovertemplate": "%{y}<br>" + hover + "<extra>" + label + "</extra>",
        })
        layout[f"xaxis{suffix}"] = {"domain": list(xdom[c]), "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {"domain": list(ydom[r]), "anchor": f"x{suffix}", "type": "category", "automargin": True}
        notes.append({"text": label, "x": sum(xdom[c]) / 2, "y": ydom[r][1], "xref": "paper", "yref": "paper",
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 14}})
    layout.update(
        title={"text": term_label(title)}, showlegend=False, annotations=notes,
        height=rows * max(220, 20 * n_max + 70) + 60,
        margin={"l": 10, "r": 10, "t": TOP_MARGIN + 20 if title else TOP_MARGIN, "b": 30},
    )
    return go.Figure(data=data, layout=layout)
