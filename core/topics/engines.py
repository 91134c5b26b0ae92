"""Topic-model engines behind one call: `fit_model(bundle, k, engine=...) -> TopicModel`.

    from core.topics.dtm import build_dtm
    from core.topics.engines import fit_model
    bundle = build_dtm(tokens.docs, data_key=key)
    model = fit_model(bundle, k=10, seed=0)      # tomotopy (the default) or engine="sklearn"
    model.topic_word   # K x V, rows sum to 1
    model.doc_topic    # D x K for every DTM row (held-out rows inferred after the fit)
    model.fit_stats    # {"perplexity_train": ..., "perplexity_heldout": ..., "n_heldout": ...}

Engines
- "tomotopy" (DEFAULT_ENGINE, every fit, the sweep, the UI and the CLI): tomotopy `LDAModel`,
  collapsed Gibbs sampling in C++ (single worker thread so a fixed seed gives the same model).
  `iterations` = Gibbs sweeps (default 200). On held-out labelled corpora its dominant topics agree
  with the gold labels far better than scikit-learn's at the same k (bench/quality.py).
- "sklearn": scikit-learn `LatentDirichletAllocation`, variational Bayes, `learning_method="batch"`.
  The reference implementation, kept as an option. `iterations` = EM passes (`max_iter`, default 10).

Held-out split: with `heldout=0.1` (the default) a fixed 10% of the documents (chosen by a
seeded RNG that does NOT depend on `seed` or `k`, so every model of a sweep sees the same split)
is left out of the fit; the engine then infers their topic mix. `fit_stats` holds
- perplexity_train / perplexity_heldout, per engine:
  sklearn: `lda.perplexity(X)` = exp(-variational bound / words) (held-out: `sub_sampling=True`
  with `total_samples` = training size, so the topic-word prior term weighs as in training);
  tomotopy: `point_perplexity`, exp(-mean log sum_k theta_dk phi_kw) over the words, with the
  sampler's theta (inferred by `infer` for held-out documents); tomotopy's own `perplexity`
  (exp(-ll_per_word)) includes the collapsed topic-assignment terms, so it cannot be set beside a
  held-out value (kept as `fit_stats["tomotopy_ll_per_word"]`).
  Terms never seen in training are dropped from the held-out documents, which
  is why held-out perplexity can be lower than training perplexity. Compare across k within one
  engine, not across engines.

Priors: `alpha` (document-topic) and `eta` (topic-word); None means the engine default, which is
recorded in `model.params` (sklearn: 1/K for both; tomotopy: alpha 0.1, eta 0.01).
All parameters are validated in `validate_fit_args`, which the sweep reuses.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import scipy.sparse as sp

from core.errors import InputError
from core.i18n import N_
from core.topics.dtm import DTMBundle
from core.topics.model import TopicModel

ENGINES = ("sklearn", "tomotopy")
DEFAULT_ENGINE = "tomotopy"  # one default for every fit, the sweep, the UI and the CLI
ENGINE_LABELS = {   # English msgids: show with _(ENGINE_LABELS[engine])
    "sklearn": N_("scikit-learn LDA (variational Bayes, batch)"),
    "tomotopy": N_("tomotopy LDA (collapsed Gibbs sampling, C++)"),
}
DEFAULT_ITERATIONS = {"sklearn": 10, "tomotopy": 200}
HELDOUT_SPLIT_SEED = 20240601  # fixed: the held-out split must not change with the model seed
MAX_K = 500
_TOMOTOPY_INFER_ITERATIONS = 100
_PERPLEXITY_BLOCK = 1 << 23   # gathered floats per block in point_perplexity (64 MB)


def validate_fit_args(
    n_docs: int,
    n_terms: int,
    k: int,
    engine: str,
    seed: int,
    iterations: int | None,
    alpha: float | None,
    eta: float | None,
    heldout: float,
) -> int:
    """Check one fit's parameters against the data; returns the resolved iteration count."""
    if engine not in ENGINES:
        raise InputError("Unknown topic engine {engine!r}; choose one of: {engines}.", engine=engine,
                         engines=", ".join(ENGINES))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise InputError("The number of topics k must be a whole number of at least 2 (got {k!r}).", k=k)
    if k > MAX_K:
        raise InputError("k={k} is more topics than TopicLens supports ({max_k}); choose a smaller k.", k=k, max_k=MAX_K)
    if n_docs < 2:
        raise InputError("Only {n_docs} non-empty document(s) after preprocessing; topic models need at least 2.",
                         n_docs=n_docs)
    n_train = n_docs - heldout_size(n_docs, heldout)
    if k > n_train:
        raise InputError("k={k} topics is more than the {n_train} documents the model is fitted on; choose k <= {n_train}.",
                         k=k, n_train=n_train)
    if k > n_terms:
        raise InputError("k={k} topics is more than the {n_terms} distinct terms in the vocabulary; choose k <= {n_terms}.",
                         k=k, n_terms=n_terms)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError("The random seed must be a non-negative whole number (got {seed!r}).", seed=seed)
    it = DEFAULT_ITERATIONS[engine] if iterations is None else iterations
    if isinstance(it, bool) or not isinstance(it, (int, np.integer)) or not 1 <= it <= 10000:
        raise InputError("Iterations must be a whole number between 1 and 10000 (got {iterations!r}).",
                         iterations=iterations)
    for name, val in (("alpha", alpha), ("eta", eta)):
        if val is not None and not (np.isfinite(val) and val > 0):
            raise InputError("The prior {name} must be a positive number, or empty for the engine default (got {value!r}).",
                             name=name, value=val)
    if not 0.0 <= heldout < 0.5:
        raise InputError("The held-out fraction must be between 0 and 0.5 (got {heldout!r}).", heldout=heldout)
    return int(it)


def heldout_size(n_docs: int, heldout: float) -> int:
    """Number of held-out documents: round(fraction * D), at least 1 when a fraction is asked and D >= 10."""
    if heldout <= 0 or n_docs < 10:
        return 0
    return max(1, int(round(heldout * n_docs)))


def split_rows(n_docs: int, heldout: float) -> tuple[np.ndarray, np.ndarray]:
    """(train_rows, heldout_rows) DTM row indices, sorted; the same for every seed and k."""
    n_out = heldout_size(n_docs, heldout)
    rng = np.random.default_rng(HELDOUT_SPLIT_SEED)
    out = np.sort(rng.permutation(n_docs)[:n_out])
    mask = np.ones(n_docs, dtype=bool)
    mask[out] = False
    return np.flatnonzero(mask), out


def fit_model(
    dtm_bundle: DTMBundle,
    k: int,
    engine: str = DEFAULT_ENGINE,
    seed: int = 0,
    iterations: int | None = None,
    alpha: float | None = None,
    eta: float | None = None,
    heldout: float = 0.1,
) -> TopicModel:
    """Fit one topic model with `k` topics on the bundle's DTM.

    Returns a `TopicModel` covering every DTM row (`doc_topic` is D x K; held-out rows are
    inferred by the engine after the fit, their indices in `params["heldout_rows"]`).
    `heldout=0` fits on all documents (no held-out perplexity: NaN).
    Raises InputError for bad parameters (k > documents or vocabulary, unknown engine, ...).
    """
    dtm = dtm_bundle.dtm
    it = validate_fit_args(dtm.shape[0], dtm.shape[1], k, engine, seed, iterations, alpha, eta, heldout)
    k, seed = int(k), int(seed)
    train_rows, out_rows = split_rows(dtm.shape[0], heldout)
    t0 = time.perf_counter()
    if engine == "sklearn":
        res = _fit_sklearn(dtm, train_rows, out_rows, k, seed, it, alpha, eta)
    else:
        res = _fit_tomotopy(dtm, dtm_bundle.vocab, train_rows, out_rows, k, seed, it, alpha, eta)
    fit_seconds = time.perf_counter() - t0
    topic_word, doc_topic, stats, priors = res
    params = {
        "iterations": it,
        "alpha": priors[0],
        "eta": priors[1],
        "heldout": float(heldout),
        "heldout_rows": out_rows,
    }
    if engine == "sklearn":
        params["learning_method"] = "batch"
    return TopicModel(
        engine=engine,
        k=k,
        seed=seed,
        topic_word=topic_word,
        doc_topic=doc_topic,
        vocab=dtm_bundle.vocab,
        dtm=dtm,
        doc_rows=dtm_bundle.doc_rows,
        params=params,
        fit_seconds=fit_seconds,
        data_key=dtm_bundle.data_key,
        fit_stats=stats,
    )


def _normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    s = m.sum(axis=1, keepdims=True)
    s[s == 0] = 1.0
    return m / s


_LDA_CLASS = None


def _sklearn_lda_class():
    """sklearn's LDA, keeping the training doc-topic E-step that fit() computes for `bound_`."""
    global _LDA_CLASS
    if _LDA_CLASS is None:
        from sklearn.decomposition import LatentDirichletAllocation

        class _KeepDocTopicLDA(LatentDirichletAllocation):
            def _perplexity_precomp_distr(self, X, doc_topic_distr=None, sub_sampling=False):
                if doc_topic_distr is not None and not sub_sampling:
                    self._topiclens_doc_topic = doc_topic_distr
                return super()._perplexity_precomp_distr(X, doc_topic_distr, sub_sampling)

        _LDA_CLASS = _KeepDocTopicLDA
    return _LDA_CLASS


def _fit_sklearn(dtm, train_rows, out_rows, k, seed, iterations, alpha, eta):
    lda = _sklearn_lda_class()(
        n_components=k,
        doc_topic_prior=alpha,
        topic_word_prior=eta,
        learning_method="batch",
        max_iter=iterations,
        random_state=seed,
        n_jobs=None,  # one process per fit: the sweep parallelises across k instead
    )
    x_train = dtm[train_rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        lda.fit(x_train)
    # `bound_` is sklearn's own final training perplexity (computed at the end of fit).
    ppl_train = float(lda.bound_)
    doc_topic = np.empty((dtm.shape[0], k))
    last = getattr(lda, "_topiclens_doc_topic", None)
    # Reuse the E-step fit() ran for `bound_` (same as transform(x_train)); saves one pass.
    doc_topic[train_rows] = last if last is not None and last.shape == (len(train_rows), k) else lda.transform(x_train)
    ppl_out = float("nan")
    if len(out_rows):
        x_out = _drop_unseen(dtm[out_rows], x_train)
        doc_topic[out_rows] = lda.transform(x_out)
        if x_out.nnz:
            # sub_sampling scales the per-document terms by total_samples / n_heldout, so the
            # topic-word prior term weighs as it did on the training set (unscaled, it dominates
            # a small held-out set: perplexity ~1e15).
            lda.total_samples = len(train_rows)
            ppl_out = float(lda.perplexity(x_out, sub_sampling=True))
    stats = {"perplexity_train": ppl_train, "perplexity_heldout": ppl_out, "n_heldout": int(len(out_rows))}
    priors = (float(lda.doc_topic_prior_), float(lda.topic_word_prior_))
    return _normalise_rows(lda.components_), _normalise_rows(doc_topic), stats, priors


def _fit_tomotopy(dtm, vocab, train_rows, out_rows, k, seed, iterations, alpha, eta):
    import tomotopy as tp

    a = 0.1 if alpha is None else float(alpha)
    e = 0.01 if eta is None else float(eta)
    mdl = tp.LDAModel(tw=tp.TermWeight.ONE, min_cf=0, min_df=0, rm_top=0, k=k, alpha=a, eta=e, seed=seed)
    words = _token_lists(dtm, vocab)
    for r in train_rows:
        mdl.add_doc(words[r])
    # One worker thread: Gibbs sampling is then deterministic for a fixed seed.
    mdl.train(iterations, workers=1)
    # tomotopy numbers the vocabulary itself: map its columns back onto ours by term.
    tp_vocab = list(mdl.used_vocabs)
    col = {w: j for j, w in enumerate(vocab)}
    cols = np.fromiter((col[w] for w in tp_vocab), dtype=np.int64, count=len(tp_vocab))
    # topic_word over used vocab + eta smoothing for terms only seen in held-out docs
    tw = np.full((k, len(vocab)), 0.0)
    tw[:, cols] = np.array([mdl.get_topic_word_dist(t) for t in range(k)])
    unseen = np.setdiff1d(np.arange(len(vocab)), cols)
    if len(unseen):
        counts = np.asarray(mdl.get_count_by_topics(), dtype=np.float64)
        tw[:, unseen] = (e / (counts + e * len(vocab)))[:, None]
    doc_topic = np.empty((dtm.shape[0], k))
    doc_topic[train_rows] = np.array([d.get_topic_dist() for d in mdl.docs])
    stats = {"n_heldout": int(len(out_rows)), "tomotopy_ll_per_word": float(mdl.ll_per_word)}
    tw = _normalise_rows(tw)
    stats["perplexity_train"] = point_perplexity(tw, _normalise_rows(doc_topic[train_rows]), dtm[train_rows])
    stats["perplexity_heldout"] = float("nan")
    if len(out_rows):
        docs = [mdl.make_doc(words[r]) for r in out_rows]
        # together=True: one pass over all held-out docs (per-doc inference copies the model's
        # topic-word counts for every document: ~10x slower at this size).
        dists, _ = mdl.infer(docs, iterations=_TOMOTOPY_INFER_ITERATIONS, workers=1, together=True)
        doc_topic[out_rows] = np.array(dists)
        x_out = _drop_unseen(dtm[out_rows], dtm[train_rows])
        stats["perplexity_heldout"] = point_perplexity(tw, _normalise_rows(doc_topic[out_rows]), x_out)
    return _normalise_rows(tw), _normalise_rows(doc_topic), stats, (a, e)


def _drop_unseen(x_out: sp.csr_matrix, x_train: sp.csr_matrix) -> sp.csr_matrix:
    """Held-out counts restricted to terms seen in training (an unseen term has no estimate)."""
    seen = (np.asarray(x_train.sum(axis=0)).ravel() > 0).astype(x_out.dtype)
    out = sp.csr_matrix(x_out.multiply(seen[None, :]))
    out.eliminate_zeros()
    return out


def point_perplexity(topic_word: np.ndarray, doc_topic: np.ndarray, counts: sp.csr_matrix) -> float:
    """exp(-sum_dw n_dw log(theta_d . phi_w) / N): per-word perplexity from point estimates."""
    c = counts.tocoo()
    if c.nnz == 0:
        return float("nan")
    word_topic = np.ascontiguousarray(topic_word.T)   # V x K: row gathers are contiguous
    # In blocks of nonzeros: the gathered rows are (block x K), never (nnz x K) (8 GB at 1M docs, K=40).
    step = max(1, _PERPLEXITY_BLOCK // max(1, topic_word.shape[0]))
    total = 0.0
    for lo in range(0, c.nnz, step):
        rows, cols, data = c.row[lo:lo + step], c.col[lo:lo + step], c.data[lo:lo + step]
        p = np.einsum("ij,ij->i", doc_topic[rows], word_topic[cols])  # i18n: skip (einsum spec)
        total += float(np.sum(data * np.log(np.maximum(p, 1e-300))))
    return float(np.exp(-total / c.data.sum()))


def _token_lists(dtm: sp.csr_matrix, vocab: np.ndarray) -> list[list[str]]:
    vocab_str = [str(v) for v in vocab]
    out = []
    for i in range(dtm.shape[0]):
        lo, hi = dtm.indptr[i], dtm.indptr[i + 1]
        out.append([vocab_str[j] for j in np.repeat(dtm.indices[lo:hi], dtm.data[lo:hi])])
    return out
