"""Scores shared by the fine-tuned model and the baseline (plain, JSON-serialisable dicts)."""

from __future__ import annotations

import numpy as np

from core.finetune.messages import Text
from core.i18n import N_


def score(y_true: np.ndarray, proba: np.ndarray, classes: list[str], texts: list[str] | None = None,
          n_mistakes: int = 20) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1, confusion matrix, most confident mistakes."""
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=np.float64)
    pred = proba.argmax(axis=1)
    labels = list(range(len(classes)))
    p, r, f, s = precision_recall_fscore_support(y_true, pred, labels=labels, zero_division=0)
    per_class = [
        {"label": classes[k], "precision": float(p[k]), "recall": float(r[k]), "f1": float(f[k]), "support": int(s[k])}
        for k in labels
    ]
    mistakes = []
    if texts is not None:
        wrong = np.flatnonzero(pred != y_true)
        conf = proba[wrong, pred[wrong]]
        for i in wrong[np.argsort(-conf, kind="stable")][:n_mistakes]:
            mistakes.append({"text": texts[i], "true": classes[y_true[i]], "predicted": classes[pred[i]],
                             "confidence": float(proba[i, pred[i]])})
    return {
        "accuracy": float((pred == y_true).mean()) if len(y_true) else 0.0,
        "macro_f1": float(f1_score(y_true, pred, labels=labels, average="macro", zero_division=0)),
        "n": int(len(y_true)),
        "per_class": per_class,
        "confusion": confusion_matrix(y_true, pred, labels=labels).tolist(),
        "mistakes": mistakes,
    }


def verdict(model_accuracy: float, baseline_accuracy: float, class_shares: list[float]) -> tuple[str, str]:
    """("success" | "info" | "warning", one sentence): was the fine-tune worth it against the baseline?

    "Chance" is the majority-class share: a model near it learned nothing useful. The sentence is a
    `messages.Text` (English; `tr` shows it in the reader's language).
    """
    chance = max(class_shares) if class_shares else 0.0
    gap = (model_accuracy - baseline_accuracy) * 100
    if model_accuracy <= chance + 0.02:
        return "warning", Text(N_("The model is at chance level ({accuracy:.1%}, majority class {chance:.1%}): "
                                  "train for more epochs, use a larger model, or keep the baseline."),
                               accuracy=model_accuracy, chance=chance)
    if gap >= 1:
        return "success", Text(N_("The fine-tuned model beats the TF-IDF baseline by {gap:.1f} points."), gap=gap)
    if gap > -3:
        return "info", Text(N_("The fine-tuned model is within {gap:.1f} points of the TF-IDF baseline."),
                            gap=abs(gap))
    return "warning", Text(N_("The TF-IDF baseline is {gap:.1f} points better: train longer or larger, "
                              "or use the baseline."), gap=-gap)
