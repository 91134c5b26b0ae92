import numpy as np
import plotly.graph_objects as go

from core.charts.length_histogram import length_histogram


def test_length_histogram_traces():
    fig = length_histogram(np.array([3, 5, 8, 8]), np.array([1, 2, 4, 4]))
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["characters", "tokens"]
    assert list(fig.data[0].x) == [3, 5, 8, 8]
    assert fig.data[1].visible == "legendonly"
    assert len(length_histogram(np.array([1, 2])).data) == 1
