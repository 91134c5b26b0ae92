"""Unigram document-term count matrix from token lists: the one input every topic engine takes.

    from core.topics.dtm import build_dtm
    bundle = build_dtm(tokens.docs, data_key=state.data_key())   # tokens: core.preprocess.TokenizedCorpus
    bundle.dtm        # D x V scipy.sparse.csr_matrix (int64 counts), only the non-empty documents
    bundle.vocab      # V terms (str array), sorted, column order of `dtm`
    bundle.doc_rows   # D corpus row positions of the kept documents (empty ones are dropped)

Documents that are empty after preprocessing (or after the optional document-frequency filter)
are dropped, and `doc_rows` maps each DTM row back to its corpus row, so views can show the
original text. Tokens are counted exactly as given: no lower-casing, no token pattern (a
CountVectorizer token pattern would silently drop one-character Chinese words).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from core.errors import InputError
from core.i18n import _


@dataclass(frozen=True)
class DTMBundle:
    """A count DTM with its vocabulary and the corpus rows of its documents."""

    dtm: sp.csr_matrix      # D x V counts (csr_matrix, not csr_array: pyLDAvis needs .getA1)
    vocab: np.ndarray       # V terms (str, dtype object), column order of `dtm`
    doc_rows: np.ndarray    # D int64 corpus row positions of the kept (non-empty) documents
    data_key: str = ""      # corpus content hash + preprocessing key (from ui.state.data_key())
    n_rows: int = 0         # corpus rows before dropping empty documents
    min_df: int = 1
    max_df: float = 1.0

    @property
    def n_docs(self) -> int:
        return int(self.dtm.shape[0])

    @property
    def n_terms(self) -> int:
        return int(self.dtm.shape[1])

    @property
    def n_tokens(self) -> int:
        return int(self.dtm.sum())

    @property
    def key(self) -> str:
        """Cache key of this DTM: the corpus data key plus the DTM's own settings.

        Without a data key (tests, ad-hoc use) it falls back to a hash of the matrix itself, so two
        different matrices never share cached sweep results.
        """
        base = self.data_key or "dtm:" + self.fingerprint()
        return f"{base}|dtm(min_df={self.min_df},max_df={self.max_df})"  # i18n: skip (cache key)

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for arr in (self.dtm.indptr, self.dtm.indices, self.dtm.data, self.doc_rows):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update("\x00".join(map(str, self.vocab)).encode("utf-8"))
        return h.hexdigest()[:16]

    def docs_as_tokens(self, rows: Sequence[int] | np.ndarray | None = None) -> list[list[str]]:
        """Bag-of-words token lists rebuilt from the counts (order within a document is lost)."""
        csr = self.dtm if rows is None else self.dtm[np.asarray(rows)]
        out = []
        for i in range(csr.shape[0]):
            lo, hi = csr.indptr[i], csr.indptr[i + 1]
            out.append([str(self.vocab[j]) for j in np.repeat(csr.indices[lo:hi], csr.data[lo:hi])])
        return out


def build_dtm(
    docs: Sequence[Sequence[str]],
    data_key: str = "",
    min_df: int = 1,
    max_df: float = 1.0,
) -> DTMBundle:
    """Count DTM of `docs` (one token list per corpus row), dropping documents left empty.

    `min_df` (absolute document count) and `max_df` (fraction of documents) filter the vocabulary;
    the defaults keep every token. Raises InputError when fewer than 2 documents remain.
    """
    if min_df < 1:
        raise InputError("min_df must be at least 1 document (got {min_df}).", min_df=min_df)
    if not 0.0 < max_df <= 1.0:
        raise InputError("max_df must be a fraction in (0, 1] (got {max_df}).", max_df=max_df)
    index: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    for doc in docs:
        for tok in doc:
            indices.append(index.setdefault(tok, len(index)))
        indptr.append(len(indices))
    n_rows = len(indptr) - 1
    data = np.ones(len(indices), dtype=np.int64)
    raw = sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(n_rows, len(index)),
    )
    raw.sum_duplicates()  # repeated tokens -> counts
    vocab = np.empty(len(index), dtype=object)
    for tok, j in index.items():
        vocab[j] = tok
    # Sorted vocabulary: a stable column order whatever the document order was.
    order = np.argsort(vocab.astype(str), kind="stable") if len(vocab) else np.zeros(0, dtype=np.int64)
    raw, vocab = raw[:, order], vocab[order]
    if len(vocab) and (min_df > 1 or max_df < 1.0):
        df = np.bincount(raw.indices, minlength=raw.shape[1])
        keep = (df >= min_df) & (df <= max_df * max(n_rows, 1))
        raw, vocab = raw[:, np.flatnonzero(keep)], vocab[keep]
    lengths = np.asarray(raw.sum(axis=1)).ravel()
    doc_rows = np.flatnonzero(lengths > 0).astype(np.int64)
    dtm = sp.csr_matrix(raw[doc_rows], dtype=np.int64)
    dtm.sort_indices()
    if dtm.shape[0] < 2:
        raise InputError(
            "Only {n_docs} of {n_rows} documents have any words left after preprocessing; "
            "topic models need at least 2. Loosen the stopword/frequency filters or choose another text column.",
            n_docs=int(dtm.shape[0]), n_rows=n_rows)
    return DTMBundle(dtm=dtm, vocab=vocab, doc_rows=doc_rows, data_key=data_key, n_rows=n_rows,
                     min_df=min_df, max_df=max_df)


SHORT_DOC_TOKENS = 10


def short_docs_note(bundle: DTMBundle) -> str | None:
    """Advice when the median modelled document has fewer than SHORT_DOC_TOKENS tokens, else None
    (in the active language).

    LDA learns topics from words that share documents; with a handful of tokens per document there
    is little co-occurrence to learn from (titles, tweets, short reviews).
    """
    if bundle.n_docs == 0:
        return None
    median = float(np.median(np.asarray(bundle.dtm.sum(axis=1)).ravel()))
    if median >= SHORT_DOC_TOKENS:
        return None
    return _("Short documents: the median document has {median:g} tokens after preprocessing (under "
             "{limit}). Topic models learn from words that occur together, so short texts give "
             "noisier topics. What helps: tomotopy (the default engine; Gibbs sampling copes better with short "
             "texts than variational Bayes), fewer topics, a lower alpha (e.g. 0.01: one topic per document), "
             "keeping more tokens (fewer stopwords, min_df 1), or joining short texts that belong together "
             "(same author, thread or day) into one document.").format(median=median, limit=SHORT_DOC_TOKENS)
