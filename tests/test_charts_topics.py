"""Topic figure builders: right traces, model topic order, escaped labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.charts.topics_groups import topic_group_heatmap
from core.charts.topics_mixture import doc_mixture_bars
from core.charts.topics_similarity import topic_similarity_heatmap
from core.charts.topics_time import topic_time_lines
from core.charts.topics_words import topic_words_grid
from core.topics import explore
from topics_fixtures import make_model

HTMLY = "<b>x</b>"


@pytest.fixture(scope="module")
def model():
    return make_model(k=3, n_docs=60)


def test_words_grid_one_panel_per_topic_in_model_order(model):
    tw = explore.top_words(model, 0.6, n=5)
    names = ["0: a", "1: " + HTMLY, "2: c"]
    fig = topic_words_grid(tw, names, columns=2)
    assert len(fig.data) == 3
    for t, trace in enumerate(fig.data):
        want = tw[tw.topic == t].sort_values("rank")
        assert list(trace.y) == [w.replace("<", "&lt;").replace(">", "&gt;") for w in want.term][::-1]
        # bar length = exp(relevance): the word on top (most relevant) has the longest bar
        assert np.allclose(trace.x, np.exp(want.relevance.to_numpy())[::-1])
        assert list(trace.x) == sorted(trace.x)
        assert np.allclose(np.asarray(trace.customdata)[:, 0], want.probability.to_numpy()[::-1])
    prob = topic_words_grid(tw, names, value="probability")
    assert np.allclose(prob.data[0].x, tw[tw.topic == 0].sort_values("rank").probability.to_numpy()[::-1])
    titles = [a.text for a in fig.layout.annotations]
    assert titles[1] == "1: &lt;b&gt;x&lt;/b&gt;" and HTMLY not in str(fig.to_dict())
    assert topic_words_grid(tw, names, topics=[2]).data[0].name == "2: c"


def test_topic_colours_never_repeat_and_match_across_views():
    """Topic 10 is not topic 0's colour; cards, mixture bars and time lines use the same colour per topic."""
    import pandas as pd

    from core.charts.palette import topic_colors
    from core.charts.topics_mixture import doc_mixture_bars
    from core.charts.topics_time import topic_time_lines
    from core.charts.topics_words import topic_words_grid as grid

    k = 14
    colors = topic_colors(k)
    assert len(set(colors)) == k and colors[10] != colors[0]
    w = np.full((2, k), 1.0 / k)
    mix = doc_mixture_bars(w, ["a", "b"], [f"t{i}" for i in range(k)])
    assert [t.marker.color for t in mix.data] == colors
    prev = pd.DataFrame({t: [0.1, 0.2] for t in range(k)}, index=["2020", "2021"])
    assert [t.line.color for t in topic_time_lines(prev, [f"t{i}" for i in range(k)]).data] == colors
    tw = pd.DataFrame([(t, 1, f"w{t}", -1.0, 0.3, 2.0) for t in range(k)],
                      columns=["topic", "rank", "term", "relevance", "probability", "lift"])
    assert [t.marker.color for t in grid(tw, [f"t{i}" for i in range(k)]).data] == colors


def test_group_heatmap(model):
    prev = explore.prevalence_by_group(model, ["A", "B", HTMLY] * 20)
    fig = topic_group_heatmap(prev, ["t0", "t1", "t2"])
    assert np.allclose(np.asarray(fig.data[0].z, float), prev.to_numpy())
    assert list(fig.data[0].x) == ["t0", "t1", "t2"]
    assert "&lt;b&gt;x&lt;/b&gt;" in list(fig.data[0].y)


def test_time_lines(model):
    dates = pd.date_range("2024-01-01", periods=60, freq="D")
    prev = explore.prevalence_over_time(model, dates, freq="W")
    fig = topic_time_lines(prev, ["a", "b", "c"])
    assert len(fig.data) == 3 and np.allclose(fig.data[1].y, prev[1].to_numpy())
    assert len(topic_time_lines(prev, ["a", "b", "c"], topics=[0]).data) == 1


def test_similarity_heatmap(model):
    sim = explore.topic_similarity(model)
    fig = topic_similarity_heatmap(sim, ["a", "b", "c"])
    z = np.asarray(fig.data[0].z, float)
    assert np.isnan(np.diag(z)).all()
    off = ~np.eye(3, dtype=bool)
    assert np.allclose(z[off], sim[off])
    with pytest.raises(ValueError):
        topic_similarity_heatmap(sim, ["a", "b"])


def test_doc_mixture(model):
    w = model.doc_topic[:4]
    fig = doc_mixture_bars(w, ["d0", "d1", "d2", "d3"], ["a", "b", "c"])
    assert fig.layout.barmode == "stack" and len(fig.data) == 3
    assert np.allclose(np.sum([tr.x for tr in fig.data], axis=0), 1.0)
    few = doc_mixture_bars(np.array([[0.99, 0.01, 0.0]]), ["d"], ["a", "b", "c"], min_share=0.05)
    assert [tr.name for tr in few.data] == ["a"]
