"""k sweep: config validation, determinism, processes vs inline, extend via cache, cancel, shortlist, CLI."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.jobs import CANCELLED, DONE, JobRegistry
from core.topics.dtm import build_dtm
from core.topics.metrics import METRICS, MODEL_METRICS
from core.topics.sweep import (
    FRAME_COLUMNS,
    SweepConfig,
    cache_key,
    cached_model,
    compare_top_words,
    frame_from_events,
    prune_cache,
    run_sweep,
    shortlist,
)

THEMES = [
    ["比赛", "球队", "进球", "冠军", "教练", "球迷", "赛季", "联赛", "主场", "门将"],
    ["股市", "基金", "投资", "银行", "利率", "上涨", "债券", "汇率", "央行", "股价"],
    ["手机", "芯片", "电脑", "软件", "网络", "发布", "系统", "屏幕", "电池", "相机"],
    ["酒店", "房间", "服务", "入住", "早餐", "前台", "干净", "位置", "床", "设施"],
]


def themed_docs(n_docs: int, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[str(w) for w in rng.choice(THEMES[i % 4], size=int(rng.integers(5, 12)))] for i in range(n_docs)]


@pytest.fixture(scope="module")
def bundle():
    return build_dtm(themed_docs(100), data_key="sweep-test-key")


def metric_part(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["k", "seed", *METRICS]].reset_index(drop=True)


# ---------------------------------------------------------------- config
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k_min": 10, "k_max": 4}, "reversed or empty"),
        ({"k_step": 0}, "step must be at least 1"),
        ({"k_min": 1}, "at least 2"),
        ({"seeds": 0}, "between 1 and 5"),
        ({"seeds": 6}, "between 1 and 5"),
        ({"engine": "mallet"}, "Unknown topic engine"),
        ({"k_min": 2, "k_max": 400, "k_step": 1}, "max 200"),
        ({"iterations": -3}, "Iterations"),
    ],
)
def test_config_rejects_bad_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        SweepConfig(**kwargs).validate()


def test_config_checks_k_against_documents_and_vocabulary(bundle):
    with pytest.raises(InputError, match="distinct terms"):
        SweepConfig(k_min=2, k_max=60, k_step=2).validate(bundle)       # 40 terms
    tiny = build_dtm([["a", "b", "c", "d"], ["b", "c", "e"], ["c", "d"]])
    with pytest.raises(InputError, match="documents the model is fitted on"):
        SweepConfig(k_min=2, k_max=4, k_step=1).validate(tiny)
    assert SweepConfig(k_min=2, k_max=3, k_step=1).validate(tiny).ks == [2, 3]


def test_parse_k_range():
    assert SweepConfig.parse_k_range("2:30:2") == (2, 30, 2)
    assert SweepConfig.parse_k_range("3:7") == (3, 7, 1)
    for bad in ("2:x", "1:2:3:4", ""):
        with pytest.raises(InputError, match="MIN:MAX:STEP"):
            SweepConfig.parse_k_range(bad)


# ---------------------------------------------------------------- running
def test_inline_sweep_frame_models_and_determinism(bundle):
    cfg = SweepConfig(k_min=2, k_max=6, k_step=2, seeds=2, engine="sklearn", iterations=5, jobs=1)
    a = run_sweep(bundle, cfg)
    b = run_sweep(bundle, cfg)
    assert list(a.frame.columns) == FRAME_COLUMNS
    assert a.frame[["k", "seed"]].values.tolist() == [[2, 0], [2, 1], [4, 0], [4, 1], [6, 0], [6, 1]]
    assert a.frame[MODEL_METRICS + ["stability", "fit_seconds"]].notna().all().all()
    pd.testing.assert_frame_equal(metric_part(a.frame), metric_part(b.frame))
    assert a.complete and a.data_key == "sweep-test-key" and a.n_fitted == 6 and a.ks == [2, 4, 6]
    m = a.model(4, seed=1)
    assert m.k == 4 and m.seed == 1 and m.dtm is bundle.dtm and np.allclose(m.doc_topic.sum(1), 1)
    with pytest.raises(KeyError, match="fitted k"):
        a.model(5)


def test_processes_give_the_same_results_and_events_as_inline(bundle):
    cfg = SweepConfig(k_min=2, k_max=5, k_step=1, seeds=2, engine="tomotopy", iterations=40, jobs=2)
    inline = run_sweep(bundle, cfg, processes=False)
    registry = JobRegistry()
    job = registry.submit("me", "sweep", lambda ctx: run_sweep(bundle, cfg, ctx))
    job = registry.wait(job.id, "me", timeout=60)
    assert job.status == DONE, job.error
    pd.testing.assert_frame_equal(metric_part(job.result.frame), metric_part(inline.frame))
    fits = [e for e in job.events if e["kind"] == "fit"]
    assert sorted((e["k"], e["seed"]) for e in fits) == [(k, s) for k in range(2, 6) for s in (0, 1)]
    assert {e["k"] for e in job.events if e["kind"] == "stability"} == {2, 3, 4, 5}
    kinds = [e["kind"] for e in job.events]
    # the plan comes first, start-up ("ready") is reported once and before the first fit
    assert kinds[0] == "plan" and kinds.count("ready") == 1 and kinds.index("ready") < kinds.index("fit")
    assert sorted(map(tuple, job.events[0]["todo"])) == [(k, s) for k in range(2, 6) for s in (0, 1)]
    live = frame_from_events(job.events)
    pd.testing.assert_frame_equal(metric_part(live), metric_part(inline.frame))


def test_extend_fits_only_new_k_and_reuses_cache(bundle):
    cache: dict = {}
    cfg = SweepConfig(k_min=2, k_max=4, k_step=1, engine="sklearn", iterations=3, jobs=1)
    first = run_sweep(bundle, cfg, cache=cache)
    assert first.n_fitted == 3 and len(cache) == 3
    wider = SweepConfig(k_min=2, k_max=6, k_step=1, engine="sklearn", iterations=3, jobs=1)
    second = run_sweep(bundle, wider, cache=cache)
    assert second.n_fitted == 2
    assert second.frame.set_index("k")["cached"].to_dict() == {2: True, 3: True, 4: True, 5: False, 6: False}
    assert second.model(3) is first.model(3)
    assert cached_model(cache, bundle, wider, 6) is second.model(6) and cached_model(cache, bundle, wider, 7) is None
    pd.testing.assert_frame_equal(metric_part(second.frame[second.frame.k <= 4]), metric_part(first.frame))
    # Other parameters, engine or data never hit these entries.
    assert cache_key(bundle, wider, 3, 0) == cache_key(bundle, cfg, 3, 0)
    assert cache_key(bundle, SweepConfig(iterations=4, engine="sklearn"), 3, 0) != cache_key(bundle, cfg, 3, 0)
    other = build_dtm(themed_docs(100, seed=9), data_key="another-corpus")
    assert run_sweep(other, cfg, cache=cache).n_fitted == 3
    # Pruning for the other corpus keeps only its 3 fits.
    assert len(cache) == 8 and prune_cache(cache, other) == 5
    assert len(cache) == 3 and cached_model(cache, other, cfg, 2) is not None and cached_model(cache, bundle, cfg, 2) is None


def test_cancel_stops_within_two_seconds_and_keeps_finished_k():
    big = build_dtm(themed_docs(400, seed=2), data_key="cancel-test")
    cache: dict = {}
    # 3 equal fits on 2 workers: the third starts only when one of the first two is done, so it
    # is still running when we cancel right after the first result (each takes a second or more).
    cfg = SweepConfig(k_min=5, k_max=5, k_step=1, seeds=3, engine="tomotopy", iterations=3000, jobs=2)
    registry = JobRegistry()
    job = registry.submit("me", "sweep", lambda ctx: run_sweep(big, cfg, ctx, cache))
    deadline = time.time() + 60
    while not any(e["kind"] == "fit" for e in job.events) and time.time() < deadline and not job.done:
        time.sleep(0.02)
    assert not job.done, (job.status, job.error, job.events)
    t0 = time.time()
    assert registry.cancel(job.id, "me")
    registry.wait(job.id, "me", timeout=10)
    assert time.time() - t0 < 2.0, (time.time() - t0, job.status)
    assert job.status == CANCELLED and not job.result.complete, (job.status, job.error)
    finished = sorted((e["k"], e["seed"]) for e in job.events if e["kind"] == "fit")
    assert 1 <= len(finished) <= 2, finished
    assert sorted(job.result.models) == finished
    assert job.result.frame[["k", "seed"]].values.tolist() == [list(p) for p in finished]
    assert sorted(cache) == sorted(cache_key(big, cfg, k, s) for k, s in finished)


def test_a_sweep_waits_for_a_free_cpu_and_shows_its_place_in_the_queue(bundle):
    import threading

    registry = JobRegistry(cpu_limit=1)
    release = threading.Event()

    def other_session(ctx):
        with ctx.cpu_slots(1):
            release.wait(10)

    blocker = registry.submit("alice", "finetune", other_session)
    deadline = time.time() + 5
    while registry.cpu.in_use == 0 and time.time() < deadline:
        time.sleep(0.01)
    cfg = SweepConfig(k_min=2, k_max=3, k_step=1, engine="sklearn", iterations=3, jobs=2)
    job = registry.submit("bob", "sweep", lambda ctx: run_sweep(bundle, cfg, ctx))
    deadline = time.time() + 5
    while job.queue_position is None and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert job.queue_position == 1 and job.message.startswith("Waiting for a free CPU")
    assert not [e for e in job.events if e["kind"] in ("ready", "fit")]   # nothing started while queued
    release.set()
    job = registry.wait(job.id, "bob", timeout=60)
    assert job.status == DONE and job.result.complete and job.queue_position is None, job.error
    assert registry.wait(blocker.id, "alice", timeout=5).status == DONE and registry.cpu.in_use == 0


# ---------------------------------------------------------------- views
def _frame(values: dict[str, list[float]], ks=(2, 4, 6, 8)) -> pd.DataFrame:
    rows = []
    for i, k in enumerate(ks):
        row = {"k": k, "seed": 0, "engine": "sklearn", "fit_seconds": 1.0, "cached": False}
        row.update({m: float("nan") for m in METRICS})
        row.update({m: v[i] for m, v in values.items()})
        rows.append(row)
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def test_shortlist_ranks_across_metrics_and_ignores_perplexity():
    frame = _frame({
        "npmi": [0.01, 0.08, 0.07, 0.02],        # max: best 4, then 6
        "umass": [-5.0, -2.0, -2.5, -4.0],       # max: best 4, then 6
        "caojuan2009": [0.5, 0.2, 0.1, 0.3],     # min: best 6, then 4
        "perplexity_train": [1.0, 900.0, 950.0, 2.0],   # would favour 2 and 8: must not count
    })
    cands = shortlist(frame, n=3)
    assert [c.k for c in cands] == [4, 6]   # 4 tested k: at most half of them are named
    assert cands[0].mean_rank == pytest.approx((1 + 1 + 2) / 3)
    assert "NPMI coherence" in cands[0].strong and "perplexity not counted" in cands[0].explanation
    assert "CaoJuan2009" in cands[1].explanation and "optimal" not in " ".join(c.explanation for c in cands)
    assert [c.k for c in shortlist(frame.iloc[:2])] == [4]
    assert shortlist(frame.iloc[:0]) == []


def test_shortlist_says_how_strong_its_evidence_is():
    from core.topics.sweep import shortlist_evidence

    ks = (2, 4, 6)
    three = _frame({"npmi": [0.01, 0.08, 0.07], "umass": [-5.0, -2.0, -2.5]}, ks=ks)
    cands = shortlist(three)
    assert [c.k for c in cands] == [4]                         # 3 tested k: one candidate, not all three
    level, notes = shortlist_evidence(three, cands)
    assert level == "weak" and "only 3 k tested" in notes[0]

    ks = tuple(range(2, 22, 2))                                 # 10 k
    level_close = _frame({"npmi": [0.05, 0.06, 0.05, 0.06, 0.05, 0.06, 0.05, 0.06, 0.05, 0.06],
                          "umass": [-2.0, -2.1, -2.0, -2.1, -2.0, -2.1, -2.0, -2.1, -2.0, -2.1]}, ks=ks)
    level, notes = shortlist_evidence(level_close, shortlist(level_close))
    assert level == "weak" and any("about level" in n for n in notes)

    npmi = [-0.1 - 0.01 * i for i in range(10)]
    stab = [0.9, 0.8, 0.7] + [float("nan")] * 7                # stability for 3 of 10 k (a cancelled sweep)
    poor = _frame({"npmi": npmi, "umass": [-3.0 - i for i in range(10)], "stability": stab}, ks=ks)
    cands = shortlist(poor)
    assert all("Stability" not in " ".join(c.strong + c.weak) for c in cands)
    level, notes = shortlist_evidence(poor, cands)
    assert level == "poor" and any("negative NPMI" in n for n in notes)
    assert any("measured for 3 of 10 k" in n for n in notes)

    clear = _frame({"npmi": [0.01 * i for i in range(10)], "umass": [-10.0 + i for i in range(10)]}, ks=ks)
    assert shortlist_evidence(clear, shortlist(clear)) == ("strong", [])


def test_compare_top_words_side_by_side(bundle):
    res = run_sweep(bundle, SweepConfig(k_min=2, k_max=4, k_step=2, engine="sklearn", iterations=3, jobs=1))
    table = compare_top_words([res.model(2), res.model(4)], n=5)
    assert list(table.columns) == ["k=4", "k=2"] or list(table.columns) == ["k=2", "k=4"]
    assert len(table) == 4   # one row per topic of the larger model
    assert table.loc[0, "k=4"] == "#0 · " + " ".join(res.model(4).top_terms(0, 5))
    # each k=2 topic appears exactly once, beside its most similar k=4 topic; two rows stay empty
    own = sorted(int(c.split()[0][1:]) for c in table["k=2"] if c)
    assert own == [0, 1] and (table["k=2"] == "").sum() == 2


def test_align_topics_recovers_a_permutation(bundle):
    """Hungarian matching pairs each topic with its shuffled copy, not with the same number."""
    import dataclasses

    from core.topics.align import align_topics

    m = run_sweep(bundle, SweepConfig(k_min=4, k_max=4, engine="sklearn", iterations=3, jobs=1)).model(4)
    perm = np.array([2, 0, 3, 1])
    shuffled = dataclasses.replace(m, topic_word=m.topic_word[perm], doc_topic=m.doc_topic[:, perm])
    match = align_topics(m, shuffled)
    assert {r: c for r, (c, _) in match.items()} == {int(perm[i]): i for i in range(4)}
    assert all(s == pytest.approx(1.0) for _, s in match.values())


# ---------------------------------------------------------------- CLI
def test_cli_sweep_writes_one_row_per_k_and_seed(tmp_path, capsys):
    from core.cli import main

    out = tmp_path / "sweep.csv"
    rc = main(["sweep", "assets/demo_zh_news_titles.csv", "--text-col", "text", "--k", "2:6:4", "--seeds", "2",
               "--jobs", "1", "--engine", "tomotopy", "--iterations", "20", "--out", str(out)])
    assert rc == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert frame[["k", "seed"]].values.tolist() == [[2, 0], [2, 1], [6, 0], [6, 1]]
    assert set(MODEL_METRICS + ["stability", "fit_seconds"]) <= set(frame.columns)
    err = capsys.readouterr().err
    assert "evidence; read their top words" in err and "strong evidence" not in err
    assert "only 2 k tested" in err   # 2 k cannot rank anything


def test_cli_sweep_bad_range_exits_2(capsys):
    from core.cli import main

    assert main(["sweep", "assets/demo_zh_news_titles.csv", "--k", "9:3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "reversed" in err[0]


def test_workers_do_not_rerun_the_parents_main_script(monkeypatch, tmp_path):
    """Under Streamlit `__main__` is the page script: pool workers must not execute it."""
    import sys
    import types

    from core.executor import LocalExecutor

    marker = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('main ran')\n", encoding="utf-8")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    fake_main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    out = list(LocalExecutor(2).stream(_square, None, [1, 2, 3]))
    assert sorted(v for _, v, _ in out) == [1, 4, 9] and {w for _, _, w in out} == {"local"}
    assert not marker.exists()


def _square(_shared, x):
    return x * x
