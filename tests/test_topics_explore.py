"""Exploration functions, each checked against a direct numpy / scipy computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from core.errors import InputError
from core.topics import explore
from topics_fixtures import make_model, synthetic_docs


@pytest.fixture(scope="module")
def model():
    # corpus rows 5 and 11 are "empty" (not modelled): doc_rows must map back correctly
    return make_model(k=3, n_docs=60, empty_rows=(5, 11))


@pytest.fixture(scope="module")
def texts():
    docs, _ = synthetic_docs(60)
    return [f"row{i} " + " ".join(d) for i, d in enumerate(docs)]


def test_relevance_matches_definition(model):
    phi, theta, n = model.topic_word, model.doc_topic, np.asarray(model.dtm.sum(1)).ravel()
    n_k = theta.T @ n
    p_w = (phi * n_k[:, None]).sum(0) / n_k.sum()
    for lam in (0.0, 0.6, 1.0):
        want = lam * np.log(phi) + (1 - lam) * np.log(phi / p_w)
        assert np.allclose(explore.relevance(model, lam), want)
    with pytest.raises(InputError):
        explore.relevance(model, -0.1)


def test_top_words_order_and_columns(model):
    tw = explore.top_words(model, 0.6, n=5)
    assert list(tw.columns) == ["topic", "rank", "term", "relevance", "probability", "lift"]
    rel = explore.relevance(model, 0.6)
    for k in range(model.k):
        sub = tw[tw.topic == k]
        want = [str(model.vocab[j]) for j in np.argsort(-rel[k], kind="stable")[:5]]
        assert sub.term.tolist() == want
        assert (np.diff(sub.relevance.to_numpy()) <= 1e-12).all()
    # lambda=1 is plain probability order
    tw1 = explore.top_words(model, 1.0, n=3)
    assert tw1[tw1.topic == 0].term.tolist() == model.top_terms(0, 3)


def test_labels_user_first_then_default(model):
    labels = explore.topic_labels(model, {1: "  Finance  ", 7: "ignored"})
    assert labels[1] == "Finance"
    assert labels[0] == " · ".join(explore.top_word_lists(model, 0.6, 3)[0])
    assert explore.topic_names(labels)[1] == "1: Finance"
    assert explore.clean_labels({"2": " a\n b ", 9: "x", "bad": "y", 0: ""}, 3) == {2: "a b"}


def test_representative_docs_map_to_corpus_rows(model, texts):
    rep = explore.representative_docs(model, texts, topic=2, n=4)
    w = model.doc_topic[:, 2]
    best = np.argsort(-w, kind="stable")[:4]
    assert rep.row.tolist() == model.doc_rows[best].tolist()
    assert np.allclose(rep.weight, w[best])
    assert all(t.startswith(f"row{r} ") for r, t in zip(rep.row, rep.text))
    assert 5 not in set(explore.doc_topic_table(model, texts).row)
    with pytest.raises(InputError):
        explore.representative_docs(model, texts, topic=3)


def test_doc_table_and_browser(model, texts):
    labels = explore.topic_labels(model)
    table = explore.doc_topic_table(model, texts, labels)
    assert len(table) == model.doc_topic.shape[0]
    assert np.allclose(table[[f"topic_{k}" for k in range(3)]].to_numpy(), model.doc_topic)
    assert (table.dominant_topic.to_numpy() == model.doc_topic.argmax(1)).all()
    only1 = explore.browse_docs(table, dominant=1, limit=None)
    assert len(only1) == int((model.doc_topic.argmax(1) == 1).sum()) and (only1.dominant_topic == 1).all()
    kw = explore.browse_docs(table, keyword="ROW1", limit=None)   # case-insensitive, literal
    assert set(kw.row) == {r for r in table.row if str(r).startswith("1")}
    assert len(explore.browse_docs(table, keyword="(", limit=None)) == 0   # not a regex
    s = explore.browse_docs(table, sort_topic=0, limit=5)
    assert s.topic_0.tolist() == sorted(table.topic_0, reverse=True)[:5]
    with pytest.raises(InputError):
        explore.browse_docs(table, sort_topic=9)


def test_prevalence_by_group(model):
    groups = [f"g{i % 4}" for i in range(60)]
    prev = explore.prevalence_by_group(model, groups)
    for g in prev.index:
        mask = np.array([groups[r] == g for r in model.doc_rows])
        assert np.allclose(prev.loc[g].to_numpy(), model.doc_topic[mask].mean(0))
    assert np.allclose(prev.sum(axis=1), 1.0)


def test_prevalence_over_time(model):
    dates = pd.Series(pd.date_range("2024-01-01", periods=60, freq="7D")).astype(object)
    dates.iloc[3] = "not a date"
    prev = explore.prevalence_over_time(model, dates, freq="M")
    parsed = pd.to_datetime(dates, errors="coerce")
    d = parsed.iloc[model.doc_rows].reset_index(drop=True)
    ok = d.notna().to_numpy()
    jan = ok & (d.dt.month == 1).to_numpy() & (d.dt.year == 2024).to_numpy()
    assert np.allclose(prev.loc[pd.Timestamp("2024-01-01"), [0, 1, 2]].to_numpy(float), model.doc_topic[jan].mean(0))
    assert prev["n_docs"].sum() == ok.sum()
    assert explore.time_frequency(parsed) == "M"
    with pytest.raises(InputError):
        explore.prevalence_over_time(model, ["x"] * 60)


def test_similarity_is_one_minus_js_divergence(model):
    sim = explore.topic_similarity(model)
    phi = model.topic_word
    for i in range(3):
        for j in range(3):
            want = 1 - jensenshannon(phi[i], phi[j], base=2) ** 2
            assert sim[i, j] == pytest.approx(want, abs=1e-9)
            assert explore.js_divergence(phi[i], phi[j]) == pytest.approx(1 - want, abs=1e-9)
    assert np.allclose(sim, sim.T) and np.allclose(np.diag(sim), 1.0)


def test_topic_word_table(model):
    t = explore.topic_word_table(model, 0.3, n=4, labels=["a", "b", "c"])
    assert list(t.columns[:3]) == ["topic", "label", "rank"] and (t["lambda"] == 0.3).all()
    assert t[t.topic == 2].label.unique().tolist() == ["c"] and len(t) == 12


def test_doc_table_group_column_named_after_label_column(model, texts):
    groups = [f"g{i % 2}" for i in range(60)]
    t = explore.doc_topic_table(model, texts, groups=groups, group_name="category")
    assert t["category"].tolist() == [groups[r] for r in model.doc_rows]
    assert "group" in explore.doc_topic_table(model, groups=groups, group_name="topic_0").columns  # no clash


def test_top_indices_equals_a_stable_full_sort_ties_included():
    from core.topics.model import top_indices

    rng = np.random.default_rng(0)
    for _ in range(200):
        values = rng.integers(0, 6, size=int(rng.integers(1, 60))).astype(float)  # many ties
        n = int(rng.integers(1, 70))
        assert top_indices(values, n).tolist() == np.argsort(-values, kind="stable")[:n].tolist()
