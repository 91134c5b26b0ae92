"""Engines and the DTM builder: shapes, sklearn agreement, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.topics.dtm import build_dtm
from core.topics.engines import fit_model, point_perplexity, split_rows

THEMES = [
    ["比赛", "球队", "进球", "冠军", "教练", "球迷", "赛季", "联赛"],
    ["股市", "基金", "投资", "银行", "利率", "上涨", "债券", "汇率"],
    ["手机", "芯片", "电脑", "软件", "网络", "发布", "系统", "屏幕"],
]


def themed_docs(n_docs: int = 120, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[str(w) for w in rng.choice(THEMES[i % 3], size=int(rng.integers(6, 12)))] for i in range(n_docs)]


@pytest.fixture(scope="module")
def bundle():
    return build_dtm(themed_docs(), data_key="engines-test")


def test_build_dtm_counts_drops_empty_and_keeps_one_char_words():
    docs = [["车", "车", "好"], [], ["好", "价格"], [], ["价格"]]
    b = build_dtm(docs, data_key="k")
    assert list(b.vocab) == sorted(["车", "好", "价格"])
    assert b.doc_rows.tolist() == [0, 2, 4]
    col = {w: j for j, w in enumerate(b.vocab)}
    assert b.dtm[0, col["车"]] == 2 and b.dtm[0, col["好"]] == 1
    assert b.dtm[1, col["价格"]] == 1 and b.dtm.shape == (3, 3)
    assert b.n_rows == 5 and b.n_tokens == 6
    assert sorted(b.docs_as_tokens([0])[0]) == sorted(["车", "车", "好"])
    assert b.key.startswith("k|") and build_dtm(docs).key != build_dtm([["x", "y"], ["y"]]).key


def test_build_dtm_min_df_filter_and_too_few_docs():
    b = build_dtm([["a", "b"], ["a", "c"], ["a", "b"], ["d"]], min_df=2)
    assert list(b.vocab) == ["a", "b"] and b.doc_rows.tolist() == [0, 1, 2]
    with pytest.raises(InputError, match="at least 2"):
        build_dtm([["a"], [], []])


@pytest.mark.parametrize("engine", ["sklearn", "tomotopy"])
def test_fit_model_shapes_and_theme_recovery(bundle, engine):
    m = fit_model(bundle, 3, engine=engine, seed=0, iterations=30 if engine == "sklearn" else 150)
    assert m.topic_word.shape == (3, bundle.n_terms) and m.doc_topic.shape == (bundle.n_docs, 3)
    assert np.allclose(m.topic_word.sum(1), 1) and np.allclose(m.doc_topic.sum(1), 1)
    assert m.engine == engine and m.data_key == "engines-test" and m.params["iterations"] > 0
    # Each topic's top words come from one theme: proves columns are mapped onto our vocabulary.
    found = set()
    for t in range(3):
        top = set(m.top_terms(t, 6))
        best = max(range(3), key=lambda i: len(top & set(THEMES[i])))
        assert len(top & set(THEMES[best])) >= 5
        found.add(best)
    assert found == {0, 1, 2}
    assert np.isfinite(m.fit_stats["perplexity_train"]) and np.isfinite(m.fit_stats["perplexity_heldout"])
    assert m.fit_stats["n_heldout"] == len(m.params["heldout_rows"]) == 12


def test_sklearn_train_perplexity_and_split_match_scikit_learn(bundle):
    from sklearn.decomposition import LatentDirichletAllocation

    m = fit_model(bundle, 4, engine="sklearn", seed=3, iterations=10)
    train, out = split_rows(bundle.n_docs, 0.1)
    assert np.array_equal(out, m.params["heldout_rows"])
    ref = LatentDirichletAllocation(4, learning_method="batch", max_iter=10, random_state=3).fit(bundle.dtm[train])
    assert m.fit_stats["perplexity_train"] == pytest.approx(ref.perplexity(bundle.dtm[train]), rel=1e-9)
    assert np.allclose(m.topic_word, ref.components_ / ref.components_.sum(1, keepdims=True))
    assert np.allclose(m.doc_topic[train], ref.transform(bundle.dtm[train]))


def test_point_perplexity_matches_direct_sum():
    rng = np.random.default_rng(0)
    phi, theta = rng.dirichlet(np.ones(6), 3), rng.dirichlet(np.ones(3), 4)
    counts = rng.integers(0, 3, size=(4, 6))
    import scipy.sparse as sp

    ll = sum(counts[d, w] * np.log(theta[d] @ phi[:, w]) for d in range(4) for w in range(6))
    assert point_perplexity(phi, theta, sp.csr_matrix(counts)) == pytest.approx(np.exp(-ll / counts.sum()))


@pytest.mark.parametrize("engine", ["sklearn", "tomotopy"])
def test_fixed_seed_is_deterministic(bundle, engine):
    a = fit_model(bundle, 3, engine=engine, seed=7, iterations=5 if engine == "sklearn" else 30)
    b = fit_model(bundle, 3, engine=engine, seed=7, iterations=5 if engine == "sklearn" else 30)
    c = fit_model(bundle, 3, engine=engine, seed=8, iterations=5 if engine == "sklearn" else 30)
    assert np.array_equal(a.topic_word, b.topic_word) and np.array_equal(a.doc_topic, b.doc_topic)
    assert a.fit_stats["perplexity_heldout"] == b.fit_stats["perplexity_heldout"]
    assert not np.array_equal(a.topic_word, c.topic_word)


def test_priors_are_recorded(bundle):
    m = fit_model(bundle, 3, engine="sklearn", iterations=2, alpha=0.5, eta=0.05)
    assert m.params["alpha"] == 0.5 and m.params["eta"] == 0.05
    assert fit_model(bundle, 4, engine="sklearn", iterations=2).params["alpha"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 1}, "at least 2"),
        ({"k": 200}, "more than the 108 documents"),
        ({"k": 30}, "more than the 24 distinct terms"),
        ({"k": 3, "engine": "mallet"}, "Unknown topic engine"),
        ({"k": 3, "alpha": -1.0}, "alpha must be a positive"),
        ({"k": 3, "iterations": 0}, "Iterations"),
        ({"k": 3, "heldout": 0.7}, "held-out fraction"),
    ],
)
def test_bad_input_raises_input_error(bundle, kwargs, message):
    with pytest.raises(InputError, match=message):
        fit_model(bundle, **kwargs)
