"""The classifier: any Hugging Face encoder + pooling + a linear head.

Mean pooling over the non-padding tokens is the default: measured on zh_news_titles with the
from-scratch BERT it reached 84.5% against 81.8% for the [CLS] pooler, and it is also how
all-MiniLM-L6-v2 was trained.
"""

from __future__ import annotations

import torch
from torch import nn

from core.finetune.sources import hidden_size

POOLINGS = ("mean", "cls")


class TextClassifier(nn.Module):
    def __init__(self, encoder: nn.Module, num_labels: int, pooling: str = "mean", dropout: float = 0.1):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}")
        self.encoder = encoder
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size(encoder.config), num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.head(self.dropout(pooled))


def pad_batch(seqs: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Dynamic padding: pad to the longest sequence of this batch only."""
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, seq in enumerate(seqs):
        ids[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        mask[i, : len(seq)] = 1
    return ids, mask


@torch.no_grad()
def predict_logits(model: TextClassifier, seqs: list[list[int]], pad_id: int, device, batch_size: int = 128,
                   autocast=None) -> torch.Tensor:
    """Logits for all sequences (batched by length for speed, returned in input order, on CPU)."""
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = torch.empty((len(seqs), model.head.out_features), dtype=torch.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        ids, mask = pad_batch([seqs[i] for i in idx], pad_id)
        if autocast is not None:
            with autocast():
                logits = model(ids.to(device), mask.to(device))
        else:
            logits = model(ids.to(device), mask.to(device))
        out[idx] = logits.float().cpu()
    return out
