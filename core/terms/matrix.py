"""Document-term counts built once, and the TF-IDF weighting schemes applied to them.

`build_term_matrix(docs, settings)` is the only expensive step (counting n-grams). Every weighting
scheme and every per-term score is derived from the cached counts and memoised on the
`TermMatrix`, so re-ranking (another score, N, scheme or group) is a vector operation.

Schemes (all on the same counts; `n` documents, `df(t)` documents containing t):
- "sklearn":   tf = N(t,d);             idf = ln((1+n)/(1+df)) + 1;  rows L2-normalised
               (= `TfidfVectorizer()` defaults).
- "sublinear": tf = 1 + ln N(t,d);      same idf and norm (= `TfidfVectorizer(sublinear_tf=True)`).
- "textbook":  tf = N(t,d) / N(d);      idf = log_b(n/df) + 1, b = e or 10; no smoothing, no norm
               (the product specification's formula).
"""

from __future__ import annotations

import math
import numbers
import threading
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from core.errors import InputError
from core.i18n import N_, _, format_int

SCHEMES = ("sklearn", "sublinear", "textbook")
LOG_BASES = ("e", "10")
SCORES = ("mean", "max", "sum", "df", "count")
SCORE_LABELS = {  # English msgids: show them with _(SCORE_LABELS[score])
    "mean": N_("mean TF-IDF over documents"),
    "max": N_("max TF-IDF in any document"),
    "sum": N_("summed TF-IDF"),
    "df": N_("document frequency"),
    "count": N_("raw count"),
}
MAX_NGRAM = 3

# LaTeX shown on the page (st.latex) and in the CLI help: one source of truth for the formulas.
# Math only, nothing to translate.
SCHEME_FORMULAS = {
    "sklearn": (
        r"\mathrm{tf}(t,d)=N(t,d)\qquad \mathrm{idf}(t)=\ln\frac{1+N_D}{1+N(t)}+1\qquad "  # i18n: skip (LaTeX)
        r"w(t,d)=\frac{\mathrm{tf}\cdot\mathrm{idf}}{\lVert \mathrm{tf}\cdot\mathrm{idf}\rVert_2}"
    ),
    "sublinear": (
        r"\mathrm{tf}(t,d)=1+\ln N(t,d)\qquad \mathrm{idf}(t)=\ln\frac{1+N_D}{1+N(t)}+1\qquad "  # i18n: skip (LaTeX)
        r"w(t,d)=\frac{\mathrm{tf}\cdot\mathrm{idf}}{\lVert \mathrm{tf}\cdot\mathrm{idf}\rVert_2}"
    ),
    "textbook": (
        r"\mathrm{TF}(t,d)=\frac{N(t,d)}{N(d)}\qquad \mathrm{IDF}(t)=\log\frac{N_D}{N(t)}+1\qquad "  # i18n: skip (LaTeX)
        r"\mathrm{TF\text{-}IDF}(t,d)=\mathrm{TF}(t,d)\times\mathrm{IDF}(t)"
    ),
}
SCHEME_NOTES = {  # English msgids: show them with _(SCHEME_NOTES[name])
    "sklearn": N_("raw counts, smoothed IDF, each document vector scaled to unit length (TfidfVectorizer defaults)."),
    "sublinear": N_("as scikit-learn, but a term's weight grows with the log of its count (dampens repeats)."),
    "textbook": N_(
        "the textbook formula: $N(t,d)$ = occurrences of $t$ in $d$, $N(d)$ = terms in $d$, $N_D$ = documents, "
        "$N(t)$ = documents containing $t$. No smoothing, no normalisation; log base $e$ or 10."
    ),
}


def _check_df(name: str, value: int | float) -> int | float:
    """An int counts documents; a float in (0, 1] is a fraction (scikit-learn's convention)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError("{name} must be a number of documents (e.g. 2) or a fraction (e.g. 0.5), got {value!r}.",
                         name=name, value=value)
    if isinstance(value, numbers.Integral):
        if value < 1:
            raise InputError("{name} as a number of documents must be at least 1, got {value}.", name=name, value=value)
        return int(value)
    v = float(value)
    if 0.0 < v <= 1.0:
        return v
    if v > 1.0 and v.is_integer():
        return int(v)
    raise InputError("{name} must be a whole number of documents or a fraction in (0, 1], got {value}.",
                     name=name, value=value)


@dataclass(frozen=True)
class TermSettings:
    """What defines the vocabulary: n-gram range and document-frequency / size filters.

    `min_df` / `max_df`: an int counts documents, a float in (0, 1] is a fraction of documents
    (scikit-learn's convention). Validated here, once, for the page, the CLI and the bench.
    """

    ngram_min: int = 1
    ngram_max: int = 1
    min_df: int | float = 1
    max_df: int | float = 1.0
    max_features: int | None = None

    def __post_init__(self) -> None:
        if not (1 <= int(self.ngram_min) <= int(self.ngram_max) <= MAX_NGRAM):
            raise InputError(
                "n-gram range must satisfy 1 <= min <= max <= {max_ngram}, got {lo}-{hi}.",
                max_ngram=MAX_NGRAM, lo=self.ngram_min, hi=self.ngram_max,
            )
        object.__setattr__(self, "min_df", _check_df("min_df", self.min_df))
        object.__setattr__(self, "max_df", _check_df("max_df", self.max_df))
        if self.max_features is not None:
            if int(self.max_features) < 1:
                raise InputError("max features must be at least 1 (or empty for no limit), got {value}.",
                                 value=self.max_features)
            object.__setattr__(self, "max_features", int(self.max_features))

    def key(self) -> str:
        return f"ng{self.ngram_min}-{self.ngram_max}|min{self.min_df}|max{self.max_df}|mf{self.max_features}"  # i18n: skip (cache key)


@dataclass(frozen=True)
class Scheme:
    """A TF-IDF weighting scheme; `log_base` only matters for "textbook"."""

    name: str = "sklearn"
    log_base: str = "10"

    def __post_init__(self) -> None:
        if self.name not in SCHEMES:
            raise InputError("unknown scheme {name!r}; choose one of {choices}.", name=self.name, choices=", ".join(SCHEMES))
        if str(self.log_base) not in LOG_BASES:
            raise InputError("log base must be 'e' or '10', got {value!r}.", value=self.log_base)
        object.__setattr__(self, "log_base", str(self.log_base))

    def key(self) -> str:
        return f"textbook-{self.log_base}" if self.name == "textbook" else self.name

    def log(self, x: np.ndarray | float) -> np.ndarray | float:
        return np.log10(x) if self.log_base == "10" else np.log(x)


class NgramAnalyzer:
    """Identity analyzer for pre-tokenized documents: tokens kept as they are (no lowercasing,
    one-character Chinese words kept), n-grams joined with one space like scikit-learn's `_word_ngrams`.
    A class (not a lambda) so fitted objects stay picklable."""

    def __init__(self, ngram_min: int = 1, ngram_max: int = 1):
        self.ngram_min, self.ngram_max = int(ngram_min), int(ngram_max)

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        tokens = list(tokens)
        out = tokens[:] if self.ngram_min == 1 else []
        n = len(tokens)
        for k in range(max(self.ngram_min, 2), min(self.ngram_max, n) + 1):
            out.extend(" ".join(tokens[i : i + k]) for i in range(n - k + 1))
        return out


def ngram_occurrences(length: int, ngram_min: int, ngram_max: int) -> int:
    """How many n-gram occurrences (n in range) a document of `length` tokens has."""
    return sum(max(length - k + 1, 0) for k in range(ngram_min, ngram_max + 1))


class TermMatrix:
    """Counts of the filtered vocabulary for one corpus + settings, with memoised derived data.

    Attributes: `counts_` (D x V csr int64), `vocab_` (V str, alphabetical like CountVectorizer),
    `doc_terms_` (N(d): n-gram occurrences per document *before* vocabulary filtering, so dropping
    rare terms does not inflate the textbook TF of the rest), `df_`, `total_` (V), `n_docs`.
    Safe to share between sessions: the caches only grow, guarded by a lock.
    """

    def __init__(self, counts: sp.csr_matrix, vocab: np.ndarray, doc_terms: np.ndarray, settings: TermSettings):
        self.counts_ = counts
        self.vocab_ = vocab
        self.doc_terms_ = doc_terms
        self.settings = settings
        self.n_docs = counts.shape[0]
        self.index_ = {t: i for i, t in enumerate(vocab.tolist())}
        self.df_ = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.int64)
        self.total_ = np.asarray(counts.sum(axis=0)).ravel().astype(np.int64)
        self._cache: dict[tuple, object] = {}
        self._lock = threading.Lock()

    @property
    def n_terms(self) -> int:
        return len(self.vocab_)

    def cached(self, key: tuple, compute):
        """Memoise `compute()` under `key` on this matrix (results are treated as read-only)."""
        hit = self._cache.get(key)
        if hit is None:
            hit = compute()
            with self._lock:
                self._cache.setdefault(key, hit)
        return hit

    def counts_csc(self) -> sp.csc_matrix:
        return self.cached(("csc",), lambda: self.counts_.tocsc())

    def idf(self, scheme: Scheme) -> np.ndarray:
        def compute() -> np.ndarray:
            df = self.df_.astype(np.float64)
            if scheme.name == "textbook":
                return scheme.log(self.n_docs / df) + 1.0
            return np.log((1.0 + self.n_docs) / (1.0 + df)) + 1.0

        return self.cached(("idf", scheme.key() if scheme.name == "textbook" else "smooth"), compute)

    def weights(self, scheme: Scheme) -> sp.csr_matrix:
        """D x V TF-IDF matrix under `scheme` (computed once per scheme)."""

        def compute() -> sp.csr_matrix:
            w = self.counts_.astype(np.float64)  # a copy: counts stay intact
            if scheme.name == "sublinear":
                np.log(w.data, out=w.data)
                w.data += 1.0
            elif scheme.name == "textbook":
                row_len = np.repeat(self.doc_terms_.astype(np.float64), np.diff(w.indptr))
                w.data /= row_len
            w.data *= self.idf(scheme)[w.indices]
            if scheme.name != "textbook":
                from sklearn.preprocessing import normalize  # imported here: sklearn costs ~1 s at start-up

                w = normalize(w, norm="l2", copy=False)
            return w

        return self.cached(("w", scheme.key()), compute)

    def column_score(self, scheme: Scheme, score: str) -> np.ndarray:
        """One value per term for a corpus-level score (memoised)."""
        if score not in SCORES:
            raise InputError("unknown score {score!r}; choose one of {choices}.", score=score, choices=", ".join(SCORES))
        if score == "df":
            return self.df_
        if score == "count":
            return self.total_

        def compute() -> np.ndarray:
            w = self.weights(scheme)
            if score == "max":
                return w.max(axis=0).toarray().ravel()
            total = np.asarray(w.sum(axis=0)).ravel()
            return total / max(self.n_docs, 1) if score == "mean" else total

        return self.cached(("score", scheme.key(), score), compute)

    def order(self, scheme: Scheme, score: str) -> np.ndarray:
        """Term indices by descending score (ties: higher document frequency, then alphabetical)."""
        skey = scheme.key() if score not in ("df", "count") else "-"

        def compute() -> np.ndarray:
            return np.lexsort((np.arange(self.n_terms), -self.df_, -self.column_score(scheme, score)))

        return self.cached(("order", skey, score), compute)

    def lookup_index(self, term: str) -> int | None:
        """Vocabulary index of `term` (whitespace-normalised, then lowercased), or None."""
        norm = " ".join(str(term).split())
        for candidate in (norm, norm.lower()):
            if candidate in self.index_:
                return self.index_[candidate]
        return None


def empty_after_preprocessing_error(removed: Mapping[str, int]) -> InputError:
    """Why every document is empty after preprocessing, naming the filters that removed the tokens
    (raise it, or show it with `core.i18n.translate_error`). The filter names are the English msgids
    of core/preprocess; they are translated into the active language here."""
    top = [(why, n) for why, n in sorted(removed.items(), key=lambda kv: -kv[1]) if n][:3]
    reasons = _(", ").join(
        _("{reason}: {n}").format(reason=_(why), n=format_int(n)) for why, n in top
    ) or _("nothing to tokenize")
    if top and top[0][0] in ("below min_df", "above max_df"):
        return InputError("Every document is empty after preprocessing (tokens removed by {reasons}); "
                          "min_df and max_df together leave no word: lower min_df or raise max_df.", reasons=reasons)
    return InputError("Every document is empty after preprocessing (tokens removed by {reasons}); "
                      "relax the preprocessing filters or choose another text column.", reasons=reasons)


def empty_after_preprocessing(removed: Mapping[str, int]) -> str:
    """The message of `empty_after_preprocessing_error`, in the active language (for display)."""
    from core.i18n import translate_error

    return translate_error(empty_after_preprocessing_error(removed))


def build_term_matrix(docs: Sequence[Sequence[str]], settings: TermSettings | None = None) -> TermMatrix:
    """Count n-grams of pre-tokenized `docs` (one token list per corpus row; rows may be empty)."""
    settings = settings or TermSettings()
    docs = [list(d) for d in docs]
    if not docs:
        raise InputError("the corpus has no documents; load a file with at least one row of text.")
    if not any(docs):
        raise InputError(
            "every document is empty after preprocessing (all stopwords, punctuation or numbers?); "
            "relax the preprocessing filters or choose another text column."
        )
    if isinstance(settings.min_df, int) and settings.min_df > len(docs):
        raise InputError(
            "min_df={min_df} documents is more than the corpus has ({n_docs:,}), so the vocabulary "
            "would be empty; lower min_df.", min_df=settings.min_df, n_docs=len(docs),
        )
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        analyzer=NgramAnalyzer(settings.ngram_min, settings.ngram_max),
        lowercase=False,
        min_df=settings.min_df,
        max_df=settings.max_df,
        max_features=settings.max_features,
        dtype=np.int64,
    )
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError as exc:  # sklearn's "empty vocabulary" / "no terms remain" / min_df > max_df
        raise InputError(
            "the vocabulary is empty after filtering ({detail}). Lower min_df, raise max_df, "
            "widen the n-gram range or relax the stopword filters.", detail=str(exc),
        ) from None
    counts = sp.csr_matrix(counts, dtype=np.int64)
    counts.sort_indices()
    vocab = np.asarray(vectorizer.get_feature_names_out(), dtype=object)
    doc_terms = np.array(
        [ngram_occurrences(len(d), settings.ngram_min, settings.ngram_max) for d in docs], dtype=np.int64
    )
    return TermMatrix(counts, vocab, doc_terms, settings)


def textbook_tfidf(n_td: int, n_d: int, n_docs: int, n_t: int, log_base: str = "10") -> tuple[float, float, float]:
    """(TF, IDF, TF-IDF) straight from the specification's formula, for the worked example."""
    if n_d <= 0 or n_t <= 0 or n_docs <= 0:
        raise InputError("the worked example needs a non-empty document and a term that occurs in the corpus.")
    tf = n_td / n_d
    idf = (math.log10(n_docs / n_t) if str(log_base) == "10" else math.log(n_docs / n_t)) + 1.0
    return tf, idf, tf * idf
