"""Exploring a fitted topic model: relevance-ranked words, labels, documents, groups, time, similarity.

All functions take a `TopicModel` (topics numbered 0..K-1, never re-sorted) plus plain data and
return numpy arrays or DataFrames; the dashboard, the CLI and the report all call these.

Relevance (Sievert & Shirley 2014): r(w | k, λ) = λ·log φ_kw + (1-λ)·log(φ_kw / p(w)).
p(w) is the corpus term share implied by the model, p(w) ∝ Σ_k φ_kw·N_k with N_k the tokens of
topic k (N_k = Σ_d θ_dk·n_d): the definition LDAvis uses, so the cards match the LDAvis chart.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from core.errors import InputError
from core.topics.model import TopicModel, top_indices

DEFAULT_LAMBDA = 0.6
TOPIC_PREFIX = "topic_"   # doc-topic columns: topic_0 .. topic_{K-1}


# ---- words --------------------------------------------------------------------------------

def topic_token_share(model: TopicModel) -> np.ndarray:
    """Share of all tokens assigned to each topic (N_k / N); the 'prevalence' of a topic."""
    n_k = model.doc_topic.T @ model.doc_lengths
    return n_k / n_k.sum()


def term_share(model: TopicModel) -> np.ndarray:
    """p(w) as LDAvis computes it: Σ_k φ_kw·N_k / N."""
    p = topic_token_share(model) @ model.topic_word
    return p / p.sum()


def relevance(model: TopicModel, lambda_: float = DEFAULT_LAMBDA) -> np.ndarray:
    """K x V relevance matrix at `lambda_` (λ=1: plain probability; λ=0: lift)."""
    _check_lambda(lambda_)
    phi = np.maximum(model.topic_word, 1e-300)
    log_phi = np.log(phi)
    log_lift = log_phi - np.log(np.maximum(term_share(model), 1e-300))
    return lambda_ * log_phi + (1.0 - lambda_) * log_lift


def top_words(model: TopicModel, lambda_: float = DEFAULT_LAMBDA, n: int = 10) -> pd.DataFrame:
    """Top-n words per topic by relevance: columns topic, rank, term, relevance, probability, lift."""
    if n < 1:
        raise InputError("Ask for at least 1 word per topic.")
    rel = relevance(model, lambda_)
    p_w = term_share(model)
    n = min(n, rel.shape[1])
    rows = []
    for k in range(model.k):
        order = top_indices(rel[k], n)
        for rank, j in enumerate(order, start=1):
            rows.append((k, rank, str(model.vocab[j]), float(rel[k, j]), float(model.topic_word[k, j]),
                         float(model.topic_word[k, j] / p_w[j])))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "relevance", "probability", "lift"])


def top_word_lists(model: TopicModel, lambda_: float = DEFAULT_LAMBDA, n: int = 10) -> list[list[str]]:
    tw = top_words(model, lambda_, n)
    return [tw.loc[tw.topic == k, "term"].tolist() for k in range(model.k)]


# ---- labels -------------------------------------------------------------------------------

def default_label(words: Sequence[str], n: int = 3) -> str:
    return " · ".join(map(str, words[:n]))


def topic_labels(model: TopicModel, user_labels: Mapping[int, str] | None = None,
                 lambda_: float = DEFAULT_LAMBDA) -> list[str]:
    """One label per topic: the user's label, else the top-3 relevant words."""
    user_labels = user_labels or {}
    words = top_word_lists(model, lambda_, 3)
    out = []
    for k in range(model.k):
        lab = str(user_labels.get(k, "") or "").strip()
        out.append(lab if lab else default_label(words[k]))
    return out


def topic_names(labels: Sequence[str]) -> list[str]:
    """Display names that keep the model's number: '3: price · delivery'."""
    return [f"{k}: {lab}" for k, lab in enumerate(labels)]


def clean_labels(labels: Mapping[int, str], k: int, max_len: int = 80) -> dict[int, str]:
    """User labels restricted to 0..k-1, stripped and length-capped (HTML is escaped at render time)."""
    out = {}
    for key, val in labels.items():
        try:
            t = int(key)
        except (TypeError, ValueError):
            continue
        text = " ".join(str(val or "").split())[:max_len]
        if 0 <= t < k and text:
            out[t] = text
    return out


# ---- documents ----------------------------------------------------------------------------

def _texts_for(model: TopicModel, texts: Sequence[str] | None) -> list[str]:
    if texts is None:
        return [""] * len(model.doc_rows)
    return [str(texts[int(r)]) for r in model.doc_rows]


def representative_docs(model: TopicModel, texts: Sequence[str] | None, topic: int, n: int = 5) -> pd.DataFrame:
    """The n documents with the highest weight of `topic`: columns row, weight, text.

    With texts, near-duplicates of a document already chosen and repetitive spam ("差评差评差评…")
    are skipped (core.topics.docfilter), so the n documents show n different things.
    """
    _check_topic(model, topic)
    w = model.doc_topic[:, topic]
    ranked = np.argsort(-w, kind="stable")
    if texts is None:
        order = ranked[:n]
        tx = _texts_for(model, None)
    else:
        from core.topics.docfilter import pick_distinct

        tx = _texts_for(model, texts)
        order = np.asarray(pick_distinct(ranked, tx, n), dtype=np.int64)
    return pd.DataFrame({"row": model.doc_rows[order].astype(int), "weight": w[order],
                         "text": [tx[i] for i in order]})


def doc_topic_table(model: TopicModel, texts: Sequence[str] | None = None,
                    labels: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                    group_name: str = "group") -> pd.DataFrame:
    """One row per modelled document: row, [group], [text], dominant_topic, dominant_label,
    dominant_weight, topic_0..topic_{K-1}. `row` is the corpus row (0-based); the group column is
    named `group_name` (e.g. the corpus's label column)."""
    theta = model.doc_topic
    dom = theta.argmax(1)
    frame = pd.DataFrame({"row": model.doc_rows.astype(int)})
    if groups is not None:
        name = group_name if group_name not in {"row", "text"} and not str(group_name).startswith(TOPIC_PREFIX) \
            and not str(group_name).startswith("dominant_") else "group"
        frame[name] = [str(groups[int(r)]) for r in model.doc_rows]
    if texts is not None:
        frame["text"] = _texts_for(model, texts)
    frame["dominant_topic"] = dom
    if labels is not None:
        frame["dominant_label"] = [str(labels[t]) for t in dom]
    frame["dominant_weight"] = theta[np.arange(len(dom)), dom]
    for k in range(model.k):
        frame[f"{TOPIC_PREFIX}{k}"] = theta[:, k]
    return frame


def browse_docs(table: pd.DataFrame, dominant: int | None = None, keyword: str = "",
                sort_topic: int | None = None, limit: int | None = 500) -> pd.DataFrame:
    """Filter a `doc_topic_table` by dominant topic and keyword (case-insensitive, literal), sort by
    one topic's weight (descending), keep `limit` rows."""
    out = table
    if dominant is not None:
        out = out[out["dominant_topic"] == int(dominant)]
    kw = (keyword or "").strip()
    if kw and "text" in out.columns:
        out = out[out["text"].str.contains(kw, case=False, regex=False, na=False)]
    if sort_topic is not None:
        col = f"{TOPIC_PREFIX}{int(sort_topic)}"
        if col not in out.columns:
            raise InputError("There is no topic {topic} in this model.", topic=sort_topic)
        out = out.sort_values(col, ascending=False, kind="stable")
    return out.head(limit) if limit else out


def topic_word_table(model: TopicModel, lambda_: float = DEFAULT_LAMBDA, n: int = 20,
                     labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Export table: topic, label, rank, term, relevance (at lambda_), probability, lift, lambda."""
    tw = top_words(model, lambda_, n)
    if labels is not None:
        tw.insert(1, "label", [str(labels[t]) for t in tw["topic"]])
    tw["lambda"] = float(lambda_)
    return tw


# ---- groups, time, similarity ---------------------------------------------------------------

def prevalence_by_group(model: TopicModel, groups: Sequence[str]) -> pd.DataFrame:
    """Mean topic weight of the documents in each group (rows: groups, columns: topics 0..K-1).

    Each row sums to 1. Groups are the corpus-row values (e.g. the label column); modelled docs only.
    """
    g = pd.Series([str(groups[int(r)]) for r in model.doc_rows], name="group")
    theta = pd.DataFrame(model.doc_topic, columns=range(model.k))
    out = theta.groupby(g.values).mean()
    out.index.name = "group"
    return out


def time_frequency(dates: pd.Series) -> str:
    """A bucket width that gives a readable number of points for the date span."""
    d = pd.to_datetime(dates, errors="coerce").dropna()
    if d.empty:
        return "D"
    span = (d.max() - d.min()).days
    if span > 3 * 365:
        return "Y"
    if span > 120:
        return "M"
    if span > 21:
        return "W"
    return "D"


def prevalence_over_time(model: TopicModel, dates: Sequence, freq: str | None = None) -> pd.DataFrame:
    """Mean topic weight per time bucket (rows: bucket start, columns: topics, plus `n_docs`).

    Documents without a parsable date are left out. `freq`: D, W, M, Y (default: by span).
    """
    all_dates = pd.to_datetime(pd.Series(list(dates)), errors="coerce")
    d = all_dates.iloc[model.doc_rows].reset_index(drop=True)
    ok = d.notna().to_numpy()
    if not ok.any():
        raise InputError("No document has a readable date; choose another date column.")
    freq = freq or time_frequency(d[ok])
    period = {"D": "D", "W": "W", "M": "M", "Y": "Y"}.get(freq)
    if period is None:
        raise InputError("Unknown time bucket {freq!r}; use D, W, M or Y.", freq=freq)
    buckets = d[ok].dt.to_period(period).dt.start_time
    theta = pd.DataFrame(model.doc_topic[ok], columns=range(model.k))
    out = theta.groupby(buckets.values).mean()
    out["n_docs"] = theta.groupby(buckets.values).size()
    out.index.name = "period"
    return out.sort_index()


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0 = identical, 1 = disjoint)."""
    p = np.asarray(p, float) / np.sum(p)
    q = np.asarray(q, float) / np.sum(q)
    m = 0.5 * (p + q)

    def kl(a, b):
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / b[nz])))

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def topic_similarity(model: TopicModel) -> np.ndarray:
    """K x K similarity = 1 - Jensen-Shannon divergence (bits) between topic-word distributions.

    1 on the diagonal, 0 for topics with disjoint vocabularies. Vectorised; equals `js_divergence`.
    """
    phi = np.asarray(model.topic_word, float)
    phi = phi / phi.sum(1, keepdims=True)
    k = phi.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(phi > 0, phi * np.log2(np.where(phi > 0, phi, 1.0)), 0.0).sum(1)  # -H(p)
        jsd = np.zeros((k, k))
        for i in range(k):
            m = 0.5 * (phi[i][None, :] + phi)
            mlogm = np.where(m > 0, m * np.log2(np.where(m > 0, m, 1.0)), 0.0).sum(1)
            # JSD = H(M) - (H(P)+H(Q))/2
            jsd[i] = -mlogm + 0.5 * (plogp[i] + plogp)
    jsd = np.clip((jsd + jsd.T) / 2, 0.0, 1.0)
    np.fill_diagonal(jsd, 0.0)
    return 1.0 - jsd


# ---- checks ---------------------------------------------------------------------------------

def _check_lambda(lambda_: float) -> None:
    if not 0.0 <= float(lambda_) <= 1.0:
        raise InputError("Relevance lambda must be between 0 and 1 (got {value}).", value=lambda_)


def _check_topic(model: TopicModel, topic: int) -> None:
    if not 0 <= int(topic) < model.k:
        raise InputError("Topic {topic} does not exist; this model has topics 0..{last}.", topic=topic, last=model.k - 1)
