import numpy as np
import plotly.graph_objects as go

from core.charts.length_histogram import is_long_tailed, length_histogram


def test_length_histogram_shows_characters_and_tokens():
    fig = length_histogram(np.array([3, 5, 8, 8]), np.array([1, 2, 4, 4]))
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["characters", "tokens"]
    assert list(fig.data[0].x) == [3, 5, 8, 8]
    assert fig.data[1].visible is None          # both panels visible, not hidden in the legend
    assert fig.data[1].xaxis == "x2"
    assert len(length_histogram(np.array([1, 2])).data) == 1


def test_long_tailed_lengths_use_a_log_axis():
    rng = np.random.default_rng(0)
    lengths = np.concatenate([rng.integers(20, 60, 990), [3_500_000] * 10])
    assert is_long_tailed(lengths) and not is_long_tailed(np.array([10, 20, 30]))
    fig = length_histogram(lengths)
    bar = fig.data[0]
    assert sum(bar.y) == len(lengths)
    assert (np.asarray(bar.y) > 0).sum() >= 3           # more than one bar: the bulk is resolved
    assert "log scale" in fig.layout.xaxis.title.text and "1M" in fig.layout.xaxis.ticktext
