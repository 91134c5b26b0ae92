"""Compare candidates: top words of 2-3 models (different k) side by side, as a Plotly table.

Rows are aligned topics (`core.topics.align.compare_top_words`), and the figure's height follows
its content (rows x wrapped lines), so no blank band sits under a short table.

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

from core.i18n import _


def compare_table_figure(frame: pd.DataFrame, title: str = "") -> go.Figure:
    """`frame` from `compare_top_words`: index = aligned row, one column per model."""
    esc = lambda v: html.escape(str(v), quote=False)  # noqa: E731
    header = [esc(_("row"))] + [esc(c) for c in frame.columns]
    cells = [[str(i) for i in frame.index]] + [[esc(v) for v in frame[c]] for c in frame.columns]
    width = 240  # px per model column; ~34 Latin or ~17 CJK characters per line at 13 px
    lines = [max((_lines(str(v), width) for v in row), default=1) for row in frame.itertuples(index=False)]
    line_px = 18
    row_px = [8 + line_px * n for n in lines]
    fig = go.Figure(go.Table(
        columnwidth=[36] + [width] * len(frame.columns),
        header={"values": header, "align": "left", "fill_color": "#e8eef7", "font": {"size": 13}, "height": 30},
        cells={"values": cells, "align": "left", "height": line_px + 8, "font": {"size": 13}},
    ))
    top = 40 if title else 4
    fig.update_layout(title=esc(title) or None, height=min(top + 34 + sum(row_px) + 8, 2400),
                      margin={"l": 4, "r": 4, "t": top, "b": 4})
    return fig


def _lines(text: str, width_px: int) -> int:
    """Wrapped line count of a cell: CJK characters are about twice as wide as Latin ones."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return max(1, -(-units // max(1, width_px // 7)))
