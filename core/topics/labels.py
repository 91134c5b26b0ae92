"""Topics against what the analyst knows: agreement of dominant topics with a label column.

    agree = label_agreement(model, corpus.labels)     # {"nmi", "ari", "n_docs", "n_labels"} or None
    shares = topic_label_shares(model, corpus.labels) # labels x topics: share of each label's documents
                                                      # whose dominant topic is that topic (rows sum to 1)
    by_k = agreement_by_k(result.models, corpus.labels) # per k: label NMI / ARI columns for sweep tables

NMI is scikit-learn's `normalized_mutual_info_score` (arithmetic mean normalisation) between each
modelled document's dominant topic and its label; ARI is `adjusted_rand_score` on the same two
partitions. Documents with a missing label are left out. 0 is chance, 1 is the same partition.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from core.topics.model import TopicModel


def _pairs(model: TopicModel, labels: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(dominant topic, label string) of every modelled document whose label is present."""
    lab = pd.Series([labels[int(r)] for r in model.doc_rows], dtype=object)
    keep = lab.notna().to_numpy() & (lab.astype(str).str.strip() != "").to_numpy()
    dom = model.doc_topic.argmax(axis=1)
    return dom[keep], lab[keep].astype(str).to_numpy()


def label_agreement(model: TopicModel, labels: Sequence | None) -> dict | None:
    """NMI and ARI of dominant topic vs label; None without labels or with fewer than 2 label values."""
    if labels is None:
        return None
    dom, lab = _pairs(model, labels)
    if len(lab) < 2 or len(set(lab)) < 2:
        return None
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {"nmi": float(normalized_mutual_info_score(lab, dom)), "ari": float(adjusted_rand_score(lab, dom)),
            "n_docs": int(len(lab)), "n_labels": int(len(set(lab)))}


def topic_label_shares(model: TopicModel, labels: Sequence) -> pd.DataFrame:
    """Rows: labels (sorted); columns: topics 0..K-1; cell: share of the label's documents in that topic."""
    dom, lab = _pairs(model, labels)
    table = pd.crosstab(pd.Series(lab, name="label"), pd.Series(dom, name="topic"))
    table = table.reindex(columns=range(model.k), fill_value=0)
    return table.div(table.sum(axis=1).replace(0, 1), axis=0).astype(float)


def agreement_by_k(models: Mapping[tuple[int, int], TopicModel], labels: Sequence | None) -> pd.DataFrame:
    """One row per k: label_nmi and label_ari, mean over seeds (a sweep's {(k, seed): model});
    an empty frame without labels."""
    rows = []
    for (k, seed), model in sorted(models.items()):
        agree = label_agreement(model, labels)
        if agree is not None:
            rows.append({"k": int(k), "label_nmi": agree["nmi"], "label_ari": agree["ari"]})
    frame = pd.DataFrame(rows, columns=["k", "label_nmi", "label_ari"])
    return frame.groupby("k", as_index=False).mean() if len(frame) else frame


def term_topic_distribution(model: TopicModel, term: str) -> np.ndarray:
    """p(topic | term) over the K topics: where the model puts a word's occurrences (sums to 1)."""
    from core.errors import InputError

    hits = np.flatnonzero(np.asarray(model.vocab) == term)
    if not len(hits):
        raise InputError("{term!r} is not in the model's vocabulary.", term=term)
    n_k = model.doc_topic.T @ model.doc_lengths  # tokens per topic
    joint = model.topic_word[:, hits[0]] * n_k
    total = joint.sum()
    return joint / total if total > 0 else np.full(model.k, 1.0 / model.k)


def add_label_columns(frame: pd.DataFrame, models: Mapping[tuple[int, int], TopicModel],
                      labels: Sequence | None) -> pd.DataFrame:
    """A sweep's (k, seed) frame with label_nmi / label_ari per row (unchanged without labels)."""
    if labels is None:
        return frame
    out = frame.copy()
    agree = [label_agreement(models[(int(k), int(s))], labels) if (int(k), int(s)) in models else None
             for k, s in zip(out["k"], out["seed"])]
    if all(a is None for a in agree):
        return frame
    out["label_nmi"] = [a["nmi"] if a else np.nan for a in agree]
    out["label_ari"] = [a["ari"] if a else np.nan for a in agree]
    return out


# Per-run timing, not a result: left out of sweep files (the worker column says where a fit ran).
_RUN_COLUMNS = ("metric_seconds",)


def sweep_file_frame(frame: pd.DataFrame, models, labels, keep_cached: bool = True) -> pd.DataFrame:
    """A sweep as a file (`topiclens sweep --out`, the dashboard's download): one row per fit, stable
    column names, label NMI / ARI per k when there are labels; `cached` says which fits were reused."""
    out = add_label_columns(frame, models, labels)
    drop = [c for c in (*_RUN_COLUMNS, *(() if keep_cached else ("cached",))) if c in out.columns]
    return out.drop(columns=drop)
