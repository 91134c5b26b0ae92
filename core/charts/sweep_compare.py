"""Compare candidates: top words of 2-3 models (different k) side by side, as a Plotly table.

Example:
    from core.topics.sweep import compare_top_words
    frame = compare_top_words([res.model(8), res.model(12)], n=8)
    fig = compare_table_figure(frame)

Terms come from user data: they are HTML-escaped before going into the figure.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go


def compare_table_figure(frame: pd.DataFrame, title: str = "") -> go.Figure:
    """`frame` from `compare_top_words`: index = topic number, one column per model."""
    esc = lambda v: html.escape(str(v), quote=False)  # noqa: E731
    header = ["topic"] + [esc(c) for c in frame.columns]
    cells = [[str(i) for i in frame.index]] + [[esc(v) for v in frame[c]] for c in frame.columns]
    fig = go.Figure(go.Table(
        columnwidth=[40] + [240] * len(frame.columns),
        header={"values": header, "align": "left", "fill_color": "#e8eef7", "font": {"size": 13}},
        cells={"values": cells, "align": "left", "height": 26},
    ))
    fig.update_layout(title=esc(title) or None, height=min(120 + 28 * max(len(frame), 1), 1400),
                      margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return fig
