"""Bounded memory: no (nonzeros x K) dense copy in perplexity, and the DTM stays one sparse matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import core.topics.engines as engines


def test_point_perplexity_in_blocks_equals_the_one_shot_formula(monkeypatch):
    rng = np.random.default_rng(0)
    counts = sp.random(300, 80, density=0.1, format="csr", random_state=1, data_rvs=lambda n: rng.integers(1, 5, n))
    phi = rng.dirichlet(np.ones(80), size=7)
    theta = rng.dirichlet(np.ones(7), size=300)
    c = counts.tocoo()
    expected = np.exp(-np.sum(c.data * np.log(np.einsum("ij,ji->i", theta[c.row], phi[:, c.col]))) / c.data.sum())
    monkeypatch.setattr(engines, "_PERPLEXITY_BLOCK", 7 * 13)   # 13 nonzeros per block
    assert np.isclose(engines.point_perplexity(phi, theta, counts), expected, rtol=1e-12)


def test_models_of_a_sweep_share_the_bundles_sparse_dtm():
    from core.topics.dtm import build_dtm
    from core.topics.sweep import SweepConfig, run_sweep

    docs = [["a", "b", "c"], ["b", "c", "d"], ["a", "d", "e"], ["c", "e", "f"], ["a", "f", "b"]] * 4
    bundle = build_dtm(docs)
    res = run_sweep(bundle, SweepConfig(k_min=2, k_max=3, k_step=1, engine="sklearn", iterations=2, jobs=1))
    assert sp.issparse(bundle.dtm)
    assert all(m.dtm is bundle.dtm for m in res.models.values())   # one matrix, never a copy per model
