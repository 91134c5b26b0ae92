"""Per-class F1 of the fine-tuned model beside the TF-IDF baseline's (same test split).

Example:
    fig = per_class_f1(["体育", "财经"], [0.9, 0.8], [0.85, 0.82])
"""

from __future__ import annotations

import html
from typing import Sequence

import plotly.graph_objects as go

from core.charts.palette import TOP_MARGIN
from core.i18n import _


def per_class_f1(labels: Sequence[str], model_f1: Sequence[float], baseline_f1: Sequence[float]) -> go.Figure:
    names = [html.escape(str(x), quote=False) for x in labels]
    fig = go.Figure([
        go.Bar(x=names, y=list(model_f1), name=_("fine-tuned"), marker_color="#4C78A8",
               hovertemplate="%{x}<br>" + _("fine-tuned F1 %{y:.3f}") + "<extra></extra>"),
        go.Bar(x=names, y=list(baseline_f1), name=_("TF-IDF baseline"), marker_color="#BAB0AC",
               hovertemplate="%{x}<br>" + _("baseline F1 %{y:.3f}") + "<extra></extra>"),
    ])
    fig.update_layout(barmode="group", yaxis={"title": _("F1 (test)"), "range": [0, 1.02]}, height=340,
                      margin={"l": 40, "r": 20, "t": TOP_MARGIN, "b": 40}, legend={"orientation": "h", "y": 1.12})
    return fig
