"""Topic word small multiples: each topic's top words by relevance, one bar panel per topic.

Bars show the quantity that orders them: with value="relevance" (default) the bar length is
exp(relevance) = p(w|t)^λ · lift^(1-λ), which ranks words exactly as relevance does (so the top
word has the longest bar) and equals the word's probability in the topic at λ = 1; the hover
gives the probability and lift as well.

Example:
    from core.topics import explore
    tw = explore.top_words(model, lambda_=0.6, n=10)
    fig = topic_words_grid(tw, names=explore.topic_names(explore.topic_labels(model)))
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.palette import TOP_MARGIN, topic_color
from core.charts.terms_bar import term_label
from core.i18n import N_, _

# English msgids, shown with _()
VALUE_LABELS = {"relevance": N_("relevance p^λ·lift^(1−λ)"), "probability": N_("probability p(w|t)"),
                "lift": N_("lift")}


def topic_words_grid(
    top_words: pd.DataFrame,
    names: Sequence[str],
    columns: int = 4,
    value: str = "relevance",
    topics: Sequence[int] | None = None,
) -> go.Figure:
    """One horizontal bar panel per topic (most relevant word on top), bars = `value` column
    ("relevance" is drawn as exp(relevance), see the module note).

    `top_words` has columns topic, rank, term and `value` (from `explore.top_words`); `names[k]`
    titles topic k's panel. Panels follow the model's topic numbering.
    """
    topics = list(range(len(names))) if topics is None else list(topics)
    if not topics:
        fig = go.Figure()
        fig.update_layout(title=_("no topics to show"), height=200)
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
        x = np.exp(sub["relevance"].to_numpy(float)) if value == "relevance" else sub[value].to_numpy(float)
        extra = [sub[col].to_numpy(float) if col in sub else np.full(len(sub), np.nan) for col in ("probability", "lift")]
        fig.add_trace(
            go.Bar(
                x=x.tolist()[::-1],
                y=[term_label(w) for w in sub["term"]][::-1],
                orientation="h",
                marker_color=topic_color(t),
                name=term_label(names[t]),
                customdata=np.column_stack(extra)[::-1].tolist() if len(sub) else None,
                hovertemplate="%{y}<br>" + term_label(_(VALUE_LABELS[value]) if value in VALUE_LABELS else value)
                              + ": %{x:.4g}<br>" + term_label(_("probability")) + " %{customdata[0]:.4f} · "
                              + term_label(_("lift")) + " %{customdata[1]:.3g}"
                              "<extra>" + term_label(_("topic {t}").format(t=t)) + "</extra>",
            ),
            row=r + 1, col=c + 1,
        )
        fig.update_yaxes(type="category", automargin=True, tickfont={"size": 11}, row=r + 1, col=c + 1)
        fig.update_xaxes(showticklabels=False, row=r + 1, col=c + 1)
    fig.update_layout(
        showlegend=False,
        height=max(260, rows * (60 + 17 * n_words)),
        margin={"l": 10, "r": 10, "t": TOP_MARGIN, "b": 10},
    )
    fig.update_annotations(font_size=12)
    return fig


def _short(name: str, n: int = 40) -> str:
    name = str(name)
    return name if len(name) <= n else name[: n - 1] + "…"
