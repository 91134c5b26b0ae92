"""Sweep progress: start-up as its own step, time left from the work done, counting down."""

from __future__ import annotations

import pytest

from core.topics.sweep_progress import cost_exponent, remaining_seconds, sweep_status


def plan(todo, workers=2, cached=0):
    return {"kind": "plan", "todo": [list(t) for t in todo], "workers": workers, "cached": cached, "t": 0.0}


def fit(k, seconds, t, cached=False):
    return {"kind": "fit", "k": k, "seed": 0, "fit_seconds": seconds, "metric_seconds": 0.0, "cached": cached, "t": t}


def test_startup_is_its_own_step():
    st = sweep_status([plan([(20, 0), (10, 0)])], elapsed=6.0)
    assert st.step == "starting" and st.fraction == 0.0 and st.eta is None
    assert "Step 1 of 2" in st.text and "6 s" in st.text


def test_cost_exponent_is_fitted_from_finished_models():
    assert cost_exponent([10], [5.0]) == 1.0
    assert cost_exponent([10, 20, 40], [1.0, 2.0, 4.0]) == pytest.approx(1.0)
    assert cost_exponent([10, 40], [1.0, 2.0]) == pytest.approx(0.5)


def test_eta_matches_the_work_left_and_counts_down():
    # k = 20 and 18 run in parallel on 2 workers; linear cost; 20 took 20 s -> 1 s per unit of k
    todo = [(k, 0) for k in (20, 18, 16, 4, 2)]
    ev = [plan(todo), {"kind": "ready", "t": 8.0}, fit(20, 20.0, 28.0), fit(18, 18.0, 26.0)]
    st = sweep_status(ev, elapsed=28.0)
    left = 16 + 4 + 2   # seconds of single-worker work; 2 workers, but k=16 alone takes 16 s
    assert st.eta == pytest.approx(max(left / 2, 16), rel=0.15)
    assert st.fraction == pytest.approx(1 - left / 60, rel=0.05)
    later = sweep_status(ev, elapsed=33.0)
    assert later.eta == pytest.approx(st.eta - 5.0, abs=0.01)   # counts down while a model runs
    assert "Step 2 of 2" in st.text and "2/5 models" in st.text


def test_extend_counts_only_models_still_to_fit():
    """Cached models cost nothing: after the first new model the ETA is the new work left, not 0."""
    ev = [plan([(24, 0), (22, 0)], workers=1, cached=10), {"kind": "ready", "t": 5.0}]
    ev += [fit(k, 1.0, 0.1, cached=True) for k in range(2, 22, 2)]
    ev.append(fit(24, 12.0, 17.0))
    st = sweep_status(ev, elapsed=17.0)
    assert st.eta == pytest.approx(11.0, rel=0.05) and "1/2 models" in st.text and "10 reused" in st.text
    assert st.fraction == pytest.approx(24 / 46, rel=0.05)


def test_remaining_seconds_edges():
    assert remaining_seconds([4], [], workers=2) is None
    assert remaining_seconds([], [(4, 2.0)], workers=2) == 0.0
    assert sweep_status([{"kind": "fit", "k": 2}], elapsed=1.0) is None   # no plan: old job format
