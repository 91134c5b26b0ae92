"""Training curves of a fine-tune: training/validation loss and validation metrics by epoch.

Example:
    fig = finetune_curves([0.5, 1.0], [1.2, 0.8], [1.0], [0.9], [0.7], [0.68])
"""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.palette import TOP_MARGIN
from core.i18n import _


def finetune_curves(
    train_epoch: Sequence[float],
    train_loss: Sequence[float],
    eval_epoch: Sequence[float],
    val_loss: Sequence[float],
    val_accuracy: Sequence[float],
    val_macro_f1: Sequence[float],
    baseline_accuracy: float | None = None,
) -> go.Figure:
    """Left: losses; right: validation accuracy / macro-F1 (and the baseline's test accuracy as a line)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(_("Loss"), _("Validation metrics")), horizontal_spacing=0.1)
    fig.add_trace(go.Scatter(x=list(train_epoch), y=list(train_loss), mode="lines", name=_("training loss"),
                             line={"color": "#4C78A8"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=list(eval_epoch), y=list(val_loss), mode="lines+markers", name=_("validation loss"),
                             line={"color": "#F58518"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=list(eval_epoch), y=list(val_accuracy), mode="lines+markers", name=_("validation accuracy"),
                             line={"color": "#54A24B", "width": 4}, marker={"size": 9, "symbol": "circle"}),
                  row=1, col=2)
    fig.add_trace(go.Scatter(x=list(eval_epoch), y=list(val_macro_f1), mode="lines+markers", name=_("validation macro-F1"),
                             line={"color": "#B279A2", "width": 2, "dash": "dash"},
                             marker={"size": 7, "symbol": "diamond-open"}), row=1, col=2)  # drawn over accuracy, thinner and dashed: both stay visible
    if baseline_accuracy is not None:
        fig.add_hline(y=baseline_accuracy, line_dash="dash", line_color="#888", row=1, col=2,
                      annotation_text=_("baseline (test accuracy)"),
                      annotation_position="bottom right")  # i18n: skip (a plotly position)
    fig.update_xaxes(title_text=_("epoch"), row=1, col=1)
    fig.update_xaxes(title_text=_("epoch"), row=1, col=2)
    fig.update_yaxes(title_text=_("cross-entropy"), row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_layout(height=360, margin={"l": 40, "r": 20, "t": TOP_MARGIN, "b": 40}, legend={"orientation": "h", "y": -0.25})
    return fig
