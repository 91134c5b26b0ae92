"""Term rankings from a `TermMatrix`: corpus-wide, per document and per group.

Everything here slices memoised vectors/matrices of the `TermMatrix`, so a re-rank costs
milliseconds. Group comparison methods:
- "ctfidf": class-based TF-IDF over group-concatenated documents, as BERTopic's
  `ClassTfidfTransformer` (MaartenGr/BERTopic: bertopic/vectorizers/_ctfidf.py):
  W(t,c) = tf(t,c) / sum_t tf(t,c)  x  ln(1 + A / f(t)), with A = int(mean number of term
  occurrences per group) and f(t) = occurrences of t in all groups. It works on counts, so the
  weighting scheme does not change it.
- "inout": mean TF-IDF (under the chosen scheme) inside the group minus the mean over all other
  grouped documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core.errors import InputError, Message
from core.i18n import N_
from core.terms.matrix import SCORES, Scheme, TermMatrix

GROUP_METHODS = ("ctfidf", "inout")
GROUP_METHOD_LABELS = {  # English msgids: show them with _(GROUP_METHOD_LABELS[method])
    "ctfidf": N_("class-based TF-IDF (groups concatenated)"),
    "inout": N_("mean TF-IDF in group minus outside"),
}
MAX_GROUPS = 50
MAX_TOP = 1000


def _check_top(top_n: int) -> int:
    if not 1 <= int(top_n) <= MAX_TOP:
        raise InputError("top N must be between 1 and {max_top}, got {top_n}.", max_top=MAX_TOP, top_n=top_n)
    return int(top_n)


def rank_terms(tm: TermMatrix, scheme: Scheme, score: str = "mean", top_n: int = 20) -> pd.DataFrame:
    """Top terms of the corpus by `score`, with every other score alongside (sortable table)."""
    top = tm.order(scheme, score)[: _check_top(top_n)]
    frame = pd.DataFrame({"rank": np.arange(1, len(top) + 1), "term": tm.vocab_[top].astype(str)})
    for name in SCORES:
        frame[name] = tm.column_score(scheme, name)[top]
    frame["idf"] = tm.idf(scheme)[top]
    return frame


def document_terms(tm: TermMatrix, scheme: Scheme, row: int, top_n: int = 15) -> pd.DataFrame:
    """Top terms of corpus row `row` by TF-IDF weight (empty frame for an empty document)."""
    if not 0 <= int(row) < tm.n_docs:
        raise InputError("document {row} does not exist; choose a row between 0 and {last}.", row=row, last=tm.n_docs - 1)
    w = tm.weights(scheme)
    lo, hi = w.indptr[row], w.indptr[row + 1]
    cols, vals = w.indices[lo:hi], w.data[lo:hi]
    order = np.lexsort((cols, -vals))[: _check_top(top_n)]
    cols, vals = cols[order], vals[order]
    counts = tm.counts_[row].toarray().ravel()[cols] if len(cols) else np.array([], dtype=np.int64)
    return pd.DataFrame(
        {"term": tm.vocab_[cols].astype(str), "weight": vals, "count": counts, "idf": tm.idf(scheme)[cols]}
    )


@dataclass
class GroupIndex:
    """Which rows belong to which group; rows with a missing label are left out."""

    names: list[str]            # group names, in first-seen order
    codes: np.ndarray           # per corpus row: group index, or -1 (missing label)
    sizes: np.ndarray           # documents per group
    indicator: sp.csr_matrix    # G x D 0/1
    warnings: list[str] = field(default_factory=list)   # Messages: English str + template


def group_index(labels: Sequence[object], n_docs: int) -> GroupIndex:
    """Validate a label column for group comparison (2..MAX_GROUPS groups, aligned with the rows)."""
    if labels is None:
        raise InputError("no group column is set; choose a label/group column to compare groups.")
    if len(labels) != n_docs:
        raise InputError("the group column has {n_values:,} values but the corpus has {n_docs:,} rows.",
                         n_values=len(labels), n_docs=n_docs)
    codes = np.full(n_docs, -1, dtype=np.int64)
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, lab in enumerate(labels):
        if lab is None or (isinstance(lab, float) and np.isnan(lab)):
            continue
        key = str(lab).strip()
        if not key or key.lower() in ("nan", "none", "<na>"):
            continue
        if key not in seen:
            seen[key] = len(names)
            names.append(key)
        codes[i] = seen[key]
    if len(names) > MAX_GROUPS:
        raise InputError(
            "the group column has {n_groups:,} distinct values; group comparison supports at most "
            "{max_groups}. Choose a column with fewer categories (a label, not an id or free text).",
            n_groups=len(names), max_groups=MAX_GROUPS,
        )
    if len(names) < 2:
        raise InputError(
            "the group column has {n_groups} distinct value(s); comparing groups needs at least 2.", n_groups=len(names)
        )
    sizes = np.bincount(codes[codes >= 0], minlength=len(names))
    rows = np.flatnonzero(codes >= 0)
    indicator = sp.csr_matrix((np.ones(len(rows)), (codes[rows], rows)), shape=(len(names), n_docs))
    warnings = []
    missing = int((codes < 0).sum())
    if missing:
        warnings.append(Message(N_("Documents with an empty group value, left out of the comparison: {n:,}."), n=missing))
    singles = [n for n, s in zip(names, sizes) if s == 1]
    if singles:
        shown = ", ".join(singles[:5]) + (" ..." if len(singles) > 5 else "")
        warnings.append(Message(
            N_("Groups with only one document: {n} ({groups}); their terms are just that document's terms."),
            n=len(singles), groups=shown,
        ))
    return GroupIndex(names, codes, sizes, indicator, warnings)


@dataclass
class GroupTerms:
    """Distinctive terms per group; `table` has group, rank, term, score, count_in, docs_in."""

    method: str
    groups: list[str]
    sizes: dict[str, int]
    table: pd.DataFrame
    warnings: list[str]

    def series(self, group: str) -> tuple[list[str], list[float]]:
        sub = self.table[self.table["group"] == group]
        return sub["term"].tolist(), sub["score"].tolist()


def _group_scores(tm: TermMatrix, gi: GroupIndex, method: str, scheme: Scheme) -> np.ndarray:
    """G x V dense distinctiveness scores (G <= MAX_GROUPS keeps this small)."""
    if method == "ctfidf":
        class_counts = np.asarray((gi.indicator @ tm.counts_).todense(), dtype=np.float64)
        totals = class_counts.sum(axis=1, keepdims=True)
        tf = np.divide(class_counts, totals, out=np.zeros_like(class_counts), where=totals > 0)
        f_t = class_counts.sum(axis=0)
        avg = int(totals.mean())  # BERTopic truncates A to an int; kept for comparability
        idf = np.log(np.divide(avg, f_t, out=np.zeros_like(f_t), where=f_t > 0) + 1.0)
        return tf * idf
    w = tm.weights(scheme)
    sums = np.asarray((gi.indicator @ w).todense())
    all_sum = sums.sum(axis=0, keepdims=True)
    n_in = gi.sizes[:, None].astype(np.float64)
    n_out = n_in.sum() - n_in
    mean_in = sums / n_in
    mean_out = np.divide(all_sum - sums, n_out, out=np.zeros_like(sums), where=n_out > 0)
    return mean_in - mean_out


def _grouping(tm: TermMatrix, labels: Sequence[object] | None, labels_key: str | None) -> tuple[str, GroupIndex]:
    lkey = labels_key if labels_key is not None else str(hash(tuple(map(str, labels))) if labels is not None else "")
    return lkey, tm.cached(("groups", lkey), lambda: group_index(labels, tm.n_docs))


def group_summary(
    tm: TermMatrix, labels: Sequence[object] | None, labels_key: str | None = None
) -> tuple[list[str], dict[str, int], list[str]]:
    """(group names, documents per group, warnings) of a label column; InputError if unusable."""
    _, gi = _grouping(tm, labels, labels_key)
    return list(gi.names), {n: int(s) for n, s in zip(gi.names, gi.sizes)}, list(gi.warnings)


def _sorted_csr(m) -> sp.csr_matrix:
    out = sp.csr_matrix(m, dtype=np.int64)
    out.sort_indices()
    return out


def _row_values(m: sp.csr_matrix, row: int, cols: np.ndarray) -> np.ndarray:
    """m[row, cols] for a csr matrix with sorted indices, without densifying the row."""
    lo, hi = m.indptr[row], m.indptr[row + 1]
    idx, data = m.indices[lo:hi], m.data[lo:hi]
    pos = np.minimum(np.searchsorted(idx, cols), max(len(idx) - 1, 0))
    hit = (idx[pos] == cols) if len(idx) else np.zeros(len(cols), dtype=bool)
    return np.where(hit, data[pos] if len(idx) else 0, 0)


def group_terms(
    tm: TermMatrix,
    labels: Sequence[object],
    method: str = "ctfidf",
    scheme: Scheme | None = None,
    top_n: int = 10,
    groups: Sequence[str] | None = None,
    labels_key: str | None = None,
) -> GroupTerms:
    """Most distinctive terms of each group. `groups` filters which groups are returned;
    scores are always computed against all groups. `labels_key` (e.g. the group column name)
    memoises the validated grouping on `tm`; without it the labels are hashed."""
    if method not in GROUP_METHODS:
        raise InputError("unknown group method {method!r}; choose one of {choices}.",
                         method=method, choices=", ".join(GROUP_METHODS))
    scheme = scheme or Scheme()
    top_n = _check_top(top_n)
    lkey, gi = _grouping(tm, labels, labels_key)
    unknown = set(map(str, groups or [])) - set(gi.names)
    if unknown:
        raise InputError("unknown group(s): {unknown}; choose among {names}.",
                         unknown=", ".join(sorted(unknown)[:5]), names=", ".join(gi.names[:10]))
    skey = scheme.key() if method == "inout" else "-"
    scores = tm.cached(("gscores", lkey, method, skey), lambda: _group_scores(tm, gi, method, scheme))

    def orders() -> list[np.ndarray]:  # per group: positive-score terms, best first (ties: vocab order)
        out = []
        for row in scores:
            cand = np.flatnonzero(row > 0)
            out.append(cand[np.lexsort((cand, -row[cand]))])
        return out

    order = tm.cached(("gorder", lkey, method, skey), orders)
    counts_in = tm.cached(("gcounts", lkey), lambda: _sorted_csr(gi.indicator @ tm.counts_))
    docs_in = tm.cached(("gdocs", lkey), lambda: _sorted_csr(gi.indicator @ (tm.counts_ > 0).astype(np.int64)))
    wanted = list(gi.names) if groups is None else [g for g in gi.names if g in set(map(str, groups))]
    cols = {k: [] for k in ("group", "rank", "term", "score", "count_in", "docs_in")}
    for name in wanted:
        g = gi.names.index(name)
        top = order[g][:top_n]
        cols["group"].append(np.full(len(top), name, dtype=object))
        cols["rank"].append(np.arange(1, len(top) + 1))
        cols["term"].append(tm.vocab_[top])
        cols["score"].append(scores[g][top])
        cols["count_in"].append(_row_values(counts_in, g, top).astype(np.int64))
        cols["docs_in"].append(_row_values(docs_in, g, top).astype(np.int64))
    table = pd.DataFrame({k: (np.concatenate(v) if v else []) for k, v in cols.items()})
    table["term"] = table["term"].astype(str)
    table["group"] = table["group"].astype(str)
    return GroupTerms(method, wanted, {n: int(s) for n, s in zip(gi.names, gi.sizes)}, table, list(gi.warnings))
