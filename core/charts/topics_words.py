"""Topic word small multiples: each topic's top words by relevance, one bar panel per topic.

Example:
    from core.topics import explore
    tw = explore.top_words(model, lambda_=0.6, n=10)
    fig = topic_words_grid(tw, names=explore.topic_names(explore.topic_labels(model)))
"""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.terms_bar import term_label

PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2", "#FF9DA6",
           "#9D755D", "#BAB0AC"]


def topic_words_grid(
    top_words: pd.DataFrame,
    names: Sequence[str],
    columns: int = 4,
    value: str = "probability",
    topics: Sequence[int] | None = None,
) -> go.Figure:
    """One horizontal bar panel per topic (most relevant word on top), bars = `value` column.

    `top_words` has columns topic, rank, term and `value` (from `explore.top_words`); `names[k]`
    titles topic k's panel. Panels follow the model's topic numbering.
    """
    topics = list(range(len(names))) if topics is None else list(topics)
    if not topics:
        fig = go.Figure()
        fig.update_layout(title="no topics to show", height=200)
        return fig
    cols = max(1, min(columns, len(topics)))
    rows = math.ceil(len(topics) / cols)
    n_words = int(top_words["rank"].max()) if len(top_words) else 1
    fig = make_subplots(
        rows=rows, cols=cols,
        subplot_titles=[term_label(_short(names[t])) for t in topics],
        horizontal_spacing=min(0.1, 0.5 / cols),
        vertical_spacing=min(0.06, 0.4 / rows) if rows > 1 else 0.0,
    )
    for i, t in enumerate(topics):
        sub = top_words[top_words["topic"] == t].sort_values("rank")
        r, c = divmod(i, cols)
        fig.add_trace(
            go.Bar(
                x=sub[value].tolist()[::-1],
                y=[term_label(w) for w in sub["term"]][::-1],
                orientation="h",
                marker_color=PALETTE[t % len(PALETTE)],
                name=term_label(names[t]),
                hovertemplate="%{y}<br>" + term_label(value) + ": %{x:.4g}<extra>" + term_label(f"topic {t}") + "</extra>",
            ),
            row=r + 1, col=c + 1,
        )
        fig.update_yaxes(type="category", automargin=True, tickfont={"size": 11}, row=r + 1, col=c + 1)
        fig.update_xaxes(showticklabels=False, row=r + 1, col=c + 1)
    fig.update_layout(
        showlegend=False,
        height=max(260, rows * (60 + 17 * n_words)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    fig.update_annotations(font_size=12)
    return fig


def _short(name: str, n: int = 40) -> str:
    name = str(name)
    return name if len(name) <= n else name[: n - 1] + "…"
