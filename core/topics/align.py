"""Align topics across models (different k) so the candidates can be compared row by row.

Topic numbers are arbitrary per model: topic 3 of k=8 has nothing to do with topic 3 of k=12.
`align_topics` pairs each topic of one model with the most similar topic of a reference model by
Hungarian matching (scipy's linear_sum_assignment) on the cosine similarity of their word
distributions, so every topic is used once and the total similarity is as high as possible.

    frame = compare_top_words([res.model(8), res.model(12)], n=8)
    # one row per topic of the largest model; cells "#<own topic number> · word word …"
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from core.i18n import _
from core.topics.model import TopicModel


def topic_similarity_matrix(a: TopicModel, b: TopicModel) -> np.ndarray:
    """K_a x K_b cosine similarity of topic-word rows (on the shared vocabulary)."""
    if a.vocab is b.vocab or (len(a.vocab) == len(b.vocab) and np.array_equal(a.vocab, b.vocab)):
        wa, wb = a.topic_word, b.topic_word
    else:  # different vocabularies (never within one sweep): compare on the common terms
        common, ia, ib = np.intersect1d(a.vocab, b.vocab, return_indices=True)
        wa, wb = a.topic_word[:, ia], b.topic_word[:, ib]
    na = np.linalg.norm(wa, axis=1, keepdims=True)
    nb = np.linalg.norm(wb, axis=1, keepdims=True)
    return (wa / np.where(na > 0, na, 1)) @ (wb / np.where(nb > 0, nb, 1)).T


def align_topics(reference: TopicModel, other: TopicModel) -> dict[int, tuple[int, float]]:
    """{reference topic: (other's topic, similarity)} for the best one-to-one matching.

    With fewer topics in `other`, some reference topics stay unmatched (absent from the dict)."""
    from scipy.optimize import linear_sum_assignment

    sim = topic_similarity_matrix(reference, other)
    rows, cols = linear_sum_assignment(-sim)
    return {int(r): (int(c), float(sim[r, c])) for r, c in zip(rows, cols)}


def compare_top_words(models: Sequence[TopicModel], n: int = 10) -> pd.DataFrame:
    """Top words of 2-3 models side by side, aligned: one row per topic of the model with the most
    topics (the reference), one column per model.

    Columns "k=8" (or "k=8, seed 1" when two models share k, in the active language); cells "#t · w1 w2 …" with each model's
    own topic number t, and the cosine similarity to the reference topic for non-reference models;
    "" where a smaller model has no topic matched to that row.
    """
    if not models:
        return pd.DataFrame()
    ks = [m.k for m in models]
    ref = models[int(np.argmax(ks))]
    cols = {}
    for m in models:
        name = f"k={m.k}" if ks.count(m.k) == 1 else _("k={k}, seed {seed}").format(k=m.k, seed=m.seed)
        if m is ref:
            cols[name] = [f"#{t} · " + " ".join(m.top_terms(t, n)) for t in range(ref.k)]
            continue
        match = align_topics(ref, m)
        cols[name] = [f"#{match[r][0]} ({match[r][1]:.2f}) · " + " ".join(m.top_terms(match[r][0], n))
                      if r in match else "" for r in range(ref.k)]
    frame = pd.DataFrame(cols)
    frame.index = pd.Index(range(ref.k), name="row")
    return frame
