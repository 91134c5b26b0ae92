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


def predict_table(classifier, texts: list[str], top: int = 1) -> pd.DataFrame:
    """One row per text: text, predicted label, its probability (for CSV/XLSX download)."""
    proba = predict_proba(classifier, texts)
    pred = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
    return pd.DataFrame({
        "text": list(texts),
        "predicted_label": [classifier.labels[k] for k in pred],
        "confidence": np.round(proba[np.arange(len(pred)), pred], 4) if len(pred) else [],
    })
