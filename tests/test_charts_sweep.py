"""Sweep chart builders: normalised two-facet metric plot, raw-values table, compare table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from core.charts.sweep_compare import compare_table_figure
from core.charts.sweep_metrics import raw_values_table, rescale, sweep_metrics_figure
from core.topics.metrics import METRICS
from core.topics.sweep import FRAME_COLUMNS


def sweep_frame(seeds=(0, 1)) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for k in (2, 4, 6, 8):
        for s in seeds:
            row = {"k": k, "seed": s, "engine": "sklearn", "fit_seconds": 0.1 * k, "cached": False}
            row.update({m: float(rng.normal(k, 1)) for m in METRICS})
            row["stability"] = float("nan")   # as with one seed: must be left out
            rows.append(row)
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def test_rescale_edges():
    assert rescale(pd.Series([1.0, 3.0, 2.0])).tolist() == [0.0, 1.0, 0.5]
    assert rescale(pd.Series([2.0, 2.0])).tolist() == [0.5, 0.5]
    assert rescale(pd.Series([np.nan, np.nan])).isna().all()


def test_metric_figure_facets_rescaling_and_hover_raw_values():
    frame = sweep_frame()
    fig = sweep_metrics_figure(frame, candidates=[4, 6])
    assert isinstance(fig, go.Figure)
    names = {t.name.rsplit(" (", 1)[0]: t for t in fig.data}   # "<label> (<min> to <max>)"
    expected = {METRICS[m].label for m in METRICS if m != "stability"}
    assert set(names) == expected
    for m, info in METRICS.items():
        if m == "stability":
            continue
        tr = names[info.label]
        # minimise metrics in the left facet (x), maximise in the right one (x2)
        assert tr.xaxis == ("x" if info.direction == "min" else "x2")
        means = frame.groupby("k")[m].mean()
        assert np.allclose(tr.customdata[:, 0].astype(float), means.to_numpy())
        assert np.nanmin(tr.y) == 0.0 and np.nanmax(tr.y) == 1.0
        assert list(tr.x) == [2, 4, 6, 8]
        assert "raw value" in tr.hovertemplate and ("lower" if info.direction == "min" else "higher") in tr.hovertemplate
    titles = [a.text for a in fig.layout.annotations]
    assert any("minimise" in t for t in titles) and any("maximise" in t for t in titles)
    assert len([s for s in fig.layout.shapes if s.type == "line"]) == 4   # 2 candidates x 2 facets


def test_metric_figure_is_readable():
    """Distinct colour and marker per metric, raw range in the legend, labelled shortlist, x from min k."""
    frame = sweep_frame()
    fig = sweep_metrics_figure(frame, candidates=[4, 6])
    colors = [t.line.color for t in fig.data]
    symbols = [t.marker.symbol for t in fig.data]
    assert len(set(colors)) == len(colors) and len(set(symbols)) == len(symbols)
    npmi = next(t for t in fig.data if t.name.startswith("NPMI"))
    means = frame.groupby("k")["npmi"].mean()
    assert f"{means.min():.3g} to {means.max():.3g}" in npmi.name
    texts = [a.text for a in fig.layout.annotations]
    assert "#1: k=4" in texts and "#2: k=6" in texts
    assert 1.0 < fig.layout.xaxis.range[0] < 2 and 8 < fig.layout.xaxis.range[1] < 9
    assert any("rescaled to its own range" in t for t in texts)


def test_metric_figure_handles_empty_and_single_metric():
    empty = pd.DataFrame(columns=FRAME_COLUMNS)
    assert len(sweep_metrics_figure(empty).data) == 0
    assert [t.name.split(" (")[0] for t in sweep_metrics_figure(sweep_frame(), metrics=["npmi"]).data] == ["NPMI coherence"]


def test_raw_values_table_means_over_seeds_with_direction_labels():
    frame = sweep_frame()
    table = raw_values_table(frame)
    assert table["k"].tolist() == [2, 4, 6, 8]
    assert table["NPMI coherence · higher is better"].tolist() == pytest.approx(frame.groupby("k")["npmi"].mean().tolist())
    assert "CaoJuan2009 · lower is better" in table.columns and not any("Stability" in c for c in table.columns)
    assert table["seeds"].tolist() == [2, 2, 2, 2]


def test_compare_table_escapes_terms():
    frame = pd.DataFrame({"k=2": ["<b>x</b> 词", ""], "k=3": ["a b", "c d"]}, index=pd.Index([0, 1], name="topic"))
    fig = compare_table_figure(frame, title="candidates")
    cells = fig.data[0].cells.values
    assert cells[1][0] == "&lt;b&gt;x&lt;/b&gt; 词" and cells[2][1] == "c d"
    assert list(fig.data[0].header.values) == ["row", "k=2", "k=3"]


def test_compare_table_height_follows_content():
    short = pd.DataFrame({"k=2": ["a b", "c d"]}, index=pd.Index([0, 1], name="row"))
    long = pd.DataFrame({"k=2": ["词" * 80] * 2}, index=pd.Index([0, 1], name="row"))
    h_short, h_long = compare_table_figure(short).layout.height, compare_table_figure(long).layout.height
    assert h_short < 120 < h_long   # two one-line rows need no more than a header and two lines
