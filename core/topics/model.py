"""The fitted-topic-model record every topics module shares (engines produce it, views read it).

Note for Topics B (from Topics A): added `fit_stats` (perplexities computed at fit time, used by
`core.topics.metrics.compute_metrics`). `params["heldout_rows"]` lists the DTM rows that were held
out of the fit (their `doc_topic` rows are inferred). Build models with
`core.topics.engines.fit_model(build_dtm(tokens.docs, data_key), k, engine)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


def top_indices(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the `n` largest values, largest first, ties by index: exactly
    `np.argsort(-values, kind="stable")[:n]`, without sorting the whole vocabulary."""
    values = np.asarray(values)
    if n >= values.size:
        return np.argsort(-values, kind="stable")[:n]
    threshold = np.partition(values, values.size - n)[values.size - n]   # the n-th largest value
    candidates = np.flatnonzero(values >= threshold)                      # ties at the edge included
    order = np.lexsort((candidates, -values[candidates]))                 # by value, then index
    return candidates[order][:n]


@dataclass
class TopicModel:
    """A fitted topic model in engine-neutral form.

    Topic numbering is the model's own (0..K-1) everywhere: views and exports never re-sort it.
    """

    engine: str                    # "sklearn" | "tomotopy"
    k: int
    seed: int
    topic_word: np.ndarray         # K x V, rows sum to 1 (phi)
    doc_topic: np.ndarray          # D x K, rows sum to 1 (theta); D = documents of `dtm`
    vocab: np.ndarray              # V terms (str), column order of `dtm` and `topic_word`
    dtm: sp.csr_matrix             # D x V term counts the model was fitted on
    doc_rows: np.ndarray           # D corpus row positions of the modelled docs (empty docs are left out)
    params: dict = field(default_factory=dict)   # engine parameters (iterations, priors, ...)
    fit_seconds: float = 0.0
    data_key: str = ""             # content hash + preprocessing key of the corpus it belongs to
    fit_stats: dict = field(default_factory=dict)  # perplexity_train, perplexity_heldout, n_heldout

    @property
    def doc_lengths(self) -> np.ndarray:
        return np.asarray(self.dtm.sum(axis=1)).ravel()

    @property
    def term_frequency(self) -> np.ndarray:
        return np.asarray(self.dtm.sum(axis=0)).ravel()

    def top_terms(self, topic: int, n: int = 10) -> list[str]:
        order = top_indices(self.topic_word[topic], n)
        return [str(self.vocab[i]) for i in order]
