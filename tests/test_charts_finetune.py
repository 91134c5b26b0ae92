"""Figure builders of the Fine-tune page, tested as plain data."""

from __future__ import annotations

import plotly.graph_objects as go

from core.charts.finetune_confusion import confusion_heatmap
from core.charts.finetune_curves import finetune_curves
from core.charts.finetune_per_class import per_class_f1


def test_curves_have_loss_and_metric_traces_and_baseline_line():
    fig = finetune_curves([0.5, 1.0, 1.5], [1.3, 0.9, 0.6], [1.0, 2.0], [1.0, 0.8], [0.6, 0.7], [0.55, 0.69],
                          baseline_accuracy=0.72)
    assert isinstance(fig, go.Figure)
    names = [t.name for t in fig.data]
    assert names == ["training loss", "validation loss", "validation accuracy", "validation macro-F1"]
    assert list(fig.data[0].y) == [1.3, 0.9, 0.6] and list(fig.data[3].x) == [1.0, 2.0]
    assert fig.data[2].xaxis == "x2"  # metrics on the right panel
    assert any(s.y0 == 0.72 for s in fig.layout.shapes)
    assert not finetune_curves([], [], [], [], [], []).layout.shapes


def test_confusion_heatmap_colours_shares_and_shows_counts_escaped():
    fig = confusion_heatmap([[8, 2], [0, 0]], ["体育", "<b>x</b>"], title="t")
    heat = fig.data[0]
    assert list(heat.x) == ["体育", "&lt;b&gt;x&lt;/b&gt;"]
    assert heat.z[0][0] == 0.8 and heat.z[0][1] == 0.2 and list(heat.z[1]) == [0.0, 0.0]  # empty row: no NaN
    assert heat.text[0][0] == 8 and fig.layout.yaxis.autorange == "reversed"
    assert "<b>" not in fig.to_json()
    big = confusion_heatmap([[1] * 30] * 30, [f"c{i}" for i in range(30)])
    assert big.layout.height > fig.layout.height


def test_per_class_f1_bars_model_beside_baseline():
    fig = per_class_f1(["a", "b"], [0.9, 0.5], [0.8, 0.6])
    assert [t.name for t in fig.data] == ["fine-tuned", "TF-IDF baseline"]
    assert list(fig.data[0].y) == [0.9, 0.5] and list(fig.data[1].y) == [0.8, 0.6]
    assert fig.layout.barmode == "group"
