"""Corpus-specific stopword candidates: words in many documents, spread evenly over the groups.

A word that appears in a large share of documents *and* about equally often in every group (label,
or topic) separates nothing: 不错, 买, 说, 没 in product reviews, "said", "mr" in news. Score:

    score(w) = df(w) / N  x  evenness(w)

with evenness the normalised entropy of the word's document rate in each group (rate_g = documents
of group g containing w / documents of g; entropy of the rates scaled to sum 1, divided by log G),
1 when the rate is the same everywhere. Without groups, evenness is measured over 10 equal slices of
the corpus in its order. Words already removed (stopword lists) never reach the tokens, so only new
candidates are proposed.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd

SLICES = 10


def suggest_stopwords(docs: Sequence[Sequence[str]], groups: Sequence | None = None, n: int = 30,
                      min_df_share: float = 0.02) -> pd.DataFrame:
    """Columns: word, documents (df), share (df / N), evenness, score; best first."""
    n_docs = len(docs)
    if n_docs == 0:
        return pd.DataFrame(columns=["word", "documents", "share", "evenness", "score"])
    if groups is None:
        group_ids = np.minimum(np.arange(n_docs) * SLICES // max(1, n_docs), SLICES - 1)
    else:
        _, group_ids = np.unique(np.asarray([str(g) for g in groups], dtype=object), return_inverse=True)
    n_groups = int(group_ids.max()) + 1
    sizes = np.bincount(group_ids, minlength=n_groups).astype(float)
    df: Counter = Counter()
    per_group: dict[str, np.ndarray] = {}
    for d, g in zip(docs, group_ids):
        for w in set(d):
            df[w] += 1
    floor = max(2, int(min_df_share * n_docs))
    frequent = {w for w, c in df.items() if c >= floor}
    for w in frequent:
        per_group[w] = np.zeros(n_groups)
    for d, g in zip(docs, group_ids):
        for w in frequent.intersection(d):
            per_group[w][g] += 1
    rows = []
    for w in frequent:
        rates = per_group[w] / np.where(sizes > 0, sizes, 1)
        p = rates / rates.sum()
        nz = p[p > 0]
        even = float(-(nz * np.log(nz)).sum() / np.log(n_groups)) if n_groups > 1 else 1.0
        share = df[w] / n_docs
        rows.append((w, df[w], share, even, share * even))
    frame = pd.DataFrame(rows, columns=["word", "documents", "share", "evenness", "score"])
    return frame.sort_values(["score", "word"], ascending=[False, True]).head(n).reset_index(drop=True)
