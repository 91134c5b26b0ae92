"""Predict with a fine-tuned classifier: probabilities, labels, a table for download."""

from __future__ import annotations

import numpy as np
import pandas as pd


def predict_proba(classifier, texts: list[str], batch_size: int = 64) -> np.ndarray:
    import torch

    from core.finetune.model import predict_logits

    texts = ["" if t is None else str(t) for t in texts]
    if not texts:
        return np.zeros((0, len(classifier.labels)))
    model = classifier.model
    device = next(model.parameters()).device
    tok = classifier.tokenizer
    seqs = tok(texts, truncation=True, max_length=classifier.max_length)["input_ids"]
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    logits = predict_logits(model, seqs, pad_id, device, batch_size=batch_size)
    return torch.softmax(logits, dim=1).numpy()


def predict_labels(classifier, texts: list[str]) -> list[str]:
    proba = predict_proba(classifier, texts)
    return [classifier.labels[k] for k in proba.argmax(axis=1)]


def predict_table(classifier, texts: list[str], rows=None, true_labels=None) -> pd.DataFrame:
    """One row per text, for CSV/XLSX download: row (the corpus row id), text, true_label (only when
    `true_labels` is given), predicted_label, confidence (its probability)."""
    proba = predict_proba(classifier, texts)
    pred = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
    out = {"row": list(rows) if rows is not None else list(range(len(texts))), "text": list(texts)}
    if true_labels is not None:
        out["true_label"] = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in true_labels]
    out["predicted_label"] = [classifier.labels[k] for k in pred]
    out["confidence"] = np.round(proba[np.arange(len(pred)), pred], 4) if len(pred) else []
    return pd.DataFrame(out)


def top_predictions(classifier, text: str, n: int = 3) -> list[tuple[str, float]]:
    """The `n` most probable labels of one text with their probabilities, best first."""
    proba = predict_proba(classifier, [text])[0]
    order = np.argsort(-proba, kind="stable")[:n]
    return [(classifier.labels[k], float(proba[k])) for k in order]
