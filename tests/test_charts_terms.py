"""Figure builders for the Terms page, tested as plain data (no browser)."""

from __future__ import annotations

import plotly.graph_objects as go

from core.charts.terms_bar import terms_bar
from core.charts.terms_groups import group_terms_grid


def test_terms_bar_orders_top_term_first_and_escapes():
    fig = terms_bar(["体育", "<script>x</script>", "球"], [0.9, 0.5, 0.1], title="Top <b>", value_label="mean TF-IDF")
    assert isinstance(fig, go.Figure) and len(fig.data) == 1
    bar = fig.data[0]
    assert bar.orientation == "h"
    # plotly draws the last category at the top: the top term must be last
    assert list(bar.y) == ["球", "&lt;script&gt;x&lt;/script&gt;", "体育"]
    assert list(bar.x) == [0.1, 0.5, 0.9]
    assert "<script>" not in fig.to_json() and "Top &lt;b&gt;" == fig.layout.title.text
    assert fig.layout.xaxis.title.text == "mean TF-IDF"
    assert fig.layout.height >= 260


def test_terms_bar_height_grows_with_terms():
    small = terms_bar(["a"], [1.0])
    big = terms_bar([f"t{i}" for i in range(60)], list(range(60)))
    assert big.layout.height > small.layout.height


def test_group_terms_grid_one_panel_per_group():
    groups = {
        "体育": (["比赛", "球队", "冠军"], [0.3, 0.2, 0.1]),
        "财经": (["基金"], [0.4]),
        "a&b": (["<i>"], [0.05]),
        "科技": (["手机", "发布"], [0.2, 0.1]),
    }
    fig = group_terms_grid(groups, value_label="c-TF-IDF", columns=3)
    assert len(fig.data) == 4
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["体育", "财经", "a&amp;b", "科技"]
    sport = fig.data[0]
    assert list(sport.y) == ["冠军", "球队", "比赛"] and list(sport.x) == [0.1, 0.2, 0.3]
    assert list(fig.data[2].y) == ["&lt;i&gt;"]
    # 4 panels in 3 columns -> 2 rows; the 4th trace sits in the second row
    assert fig.data[3].xaxis == "x4" and fig.layout.xaxis4.domain[0] == fig.layout.xaxis.domain[0]
    assert fig.layout.yaxis4.domain[1] < fig.layout.yaxis.domain[0]


def test_group_terms_grid_empty():
    fig = group_terms_grid({})
    assert len(fig.data) == 0 and "no groups" in fig.layout.title.text


def test_group_terms_grid_caps_bars_per_panel():
    groups = {"a": ([f"t{i}" for i in range(100)], list(range(100, 0, -1)))}
    fig = group_terms_grid(groups, max_terms=12)
    assert len(fig.data[0].y) == 12 and fig.data[0].y[-1] == "t0"
