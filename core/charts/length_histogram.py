"""Distribution of document lengths (characters or tokens)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def length_histogram(char_lengths: np.ndarray, token_lengths: np.ndarray | None = None,
                     bins: int = 40) -> go.Figure:
    """Histogram of document lengths; a second trace (toggle in the legend) for tokens.

    >>> fig = length_histogram(np.array([3, 5, 8]), np.array([1, 2, 4]))
    >>> [t.name for t in fig.data]
    ['characters', 'tokens']
    """
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=np.asarray(char_lengths), nbinsx=bins, name="characters",
                               hovertemplate="%{x} chars: %{y} docs<extra></extra>"))
    if token_lengths is not None:
        fig.add_trace(go.Histogram(x=np.asarray(token_lengths), nbinsx=bins, name="tokens", visible="legendonly",
                                   hovertemplate="%{x} tokens: %{y} docs<extra></extra>"))
    fig.update_layout(title="Document length", xaxis_title="length", yaxis_title="documents",
                      bargap=0.05, height=320, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h"))
    return fig
