"""Sweeps on a real Dask cluster (distributed.LocalCluster, 2 worker processes): same metrics as the
local run, fits on both workers, live events, cancel, a killed worker, unreachable schedulers."""

from __future__ import annotations

import logging
import os
import signal
import time

import pandas as pd
import pytest

from core.errors import InputError
from core.executor import SCHEDULER_ENV, cluster_info, configured_scheduler, connect
from core.jobs import CANCELLED, DONE, JobRegistry
from core.topics.dtm import build_dtm
from core.topics.metrics import METRICS
from core.topics.sweep import FRAME_COLUMNS, SweepConfig, frame_from_events, run_sweep

from test_topics_sweep import themed_docs

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR, memory_limit="1GiB")
    try:
        yield lc
    finally:
        lc.close(timeout=20)


@pytest.fixture(scope="module")
def bundle():
    return build_dtm(themed_docs(150, seed=3), data_key="dask-test-key")


def metric_part(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["k", "seed", *METRICS]].reset_index(drop=True)


def test_cluster_sweep_equals_local_and_uses_both_workers(cluster, bundle):
    cfg = SweepConfig(k_min=2, k_max=7, k_step=1, seeds=1, engine="tomotopy", iterations=150, jobs=1)
    local = run_sweep(bundle, cfg, processes=False, scheduler="")
    registry = JobRegistry()
    cache: dict = {}
    job = registry.submit("me", "sweep", lambda ctx: run_sweep(bundle, cfg, ctx, cache, scheduler=cluster.scheduler_address))
    job = registry.wait(job.id, "me", timeout=120)
    assert job.status == DONE, job.error
    res = job.result
    assert list(res.frame.columns) == FRAME_COLUMNS and res.complete and res.n_fitted == 6
    # tomotopy with one thread per fit: same seeds, same metrics (to the bit) wherever the model is fitted
    pd.testing.assert_frame_equal(metric_part(res.frame), metric_part(local.frame), check_exact=True)
    workers = set(res.frame["worker"])
    assert set(local.frame["worker"]) == {"local"}
    assert len(workers) == 2 and workers <= set(cluster.scheduler_info["workers"]), workers
    # each fit streamed back as it finished, into the events and the cache
    assert len([e for e in job.events if e["kind"] == "fit"]) == 6 and len(cache) == 6
    pd.testing.assert_frame_equal(metric_part(frame_from_events(job.events)), metric_part(local.frame))


def test_env_var_sends_sweeps_to_the_cluster_and_extend_fits_only_new_k(cluster, bundle, monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    assert configured_scheduler() == cluster.scheduler_address and configured_scheduler("") is None
    cache: dict = {}
    cfg = SweepConfig(k_min=2, k_max=3, k_step=1, engine="tomotopy", iterations=30, jobs=1)
    first = run_sweep(bundle, cfg, cache=cache)
    wider = SweepConfig(k_min=2, k_max=5, k_step=1, engine="tomotopy", iterations=30, jobs=1)
    second = run_sweep(bundle, wider, cache=cache)
    assert first.n_fitted == 2 and second.n_fitted == 2
    assert set(first.frame["worker"]) <= set(cluster.scheduler_info["workers"])
    assert second.frame.set_index("k")["cached"].to_dict() == {2: True, 3: True, 4: False, 5: False}


def test_cluster_info_reports_workers_threads_memory(cluster):
    info = cluster_info(cluster.scheduler_address)
    assert info.ok and info.workers == 2 and info.threads == 2
    assert info.memory_bytes == 2 * (1 << 30) and len(info.worker_names) == 2


def test_unreachable_scheduler_is_a_clear_message(monkeypatch):
    info = cluster_info("tcp://127.0.0.1:9", timeout=1)
    assert not info.ok and "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in info.message
    with pytest.raises(InputError, match="dask scheduler"):
        connect("tcp://127.0.0.1:9", timeout=1)
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert cluster_info() is None   # nothing configured: nothing to show


def test_cli_sweep_on_the_cluster_writes_the_worker_column(cluster, tmp_path):
    from core.cli import main

    out = tmp_path / "sweep.csv"
    rc = main(["sweep", "assets/demo_zh_news_titles.csv", "--text-col", "text", "--k", "2:5:3", "--engine",
               "tomotopy", "--iterations", "20", "--scheduler", cluster.scheduler_address, "--out", str(out)])
    assert rc == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert frame["k"].tolist() == [2, 5] and set(frame["worker"]) <= set(cluster.scheduler_info["workers"])


def test_cli_topics_fits_on_the_cluster_same_model_as_locally(cluster, tmp_path, capsys):
    from core.cli import main

    args = ["topics", "assets/demo_zh_news_titles.csv", "--text-col", "text", "--k", "4", "--engine", "tomotopy",
            "--iterations", "30", "--topic-words"]
    assert main([*args, str(tmp_path / "local.csv"), "--scheduler", ""]) == 0
    assert main([*args, str(tmp_path / "cluster.csv"), "--scheduler", cluster.scheduler_address]) == 0
    assert "fitted on Dask worker tcp://" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "cluster.csv"), pd.read_csv(tmp_path / "local.csv"))


def test_cancel_cancels_the_cluster_futures(cluster):
    big = build_dtm(themed_docs(400, seed=2), data_key="dask-cancel")
    cfg = SweepConfig(k_min=5, k_max=5, k_step=1, seeds=4, engine="tomotopy", iterations=3000, jobs=1)
    registry = JobRegistry()
    job = registry.submit("me", "sweep", lambda ctx: run_sweep(big, cfg, ctx, scheduler=cluster.scheduler_address))
    deadline = time.time() + 90
    while not any(e["kind"] == "fit" for e in job.events) and time.time() < deadline and not job.done:
        time.sleep(0.02)
    assert not job.done, (job.status, job.error)
    t0 = time.time()
    assert registry.cancel(job.id, "me")
    registry.wait(job.id, "me", timeout=15)
    assert time.time() - t0 < 3.0 and job.status == CANCELLED and not job.result.complete
    assert 1 <= len(job.result.models) < 4
    client = connect(cluster.scheduler_address)
    try:   # nothing of the sweep is left running on the workers
        deadline = time.time() + 10
        while any(client.processing().values()) and time.time() < deadline:
            time.sleep(0.1)
        assert not any(client.processing().values())
    finally:
        client.close()


def _running(client, job) -> dict:
    """{worker: task keys} once the job's fits are running on the cluster."""
    deadline = time.time() + 90
    busy: dict = {}
    while not busy and time.time() < deadline and not job.done:
        busy = {w: keys for w, keys in client.processing().items() if keys}
        time.sleep(0.05)
    assert busy and not job.done, (job.status, job.error)
    return busy


def _long_sweep_on(cluster, seed: int, k_max: int, data_key: str):
    """(registry, job) of a sweep k=3..k_max slow enough (1500 Gibbs sweeps) to act on mid-fit."""
    big = build_dtm(themed_docs(400, seed=seed), data_key=data_key)
    cfg = SweepConfig(k_min=3, k_max=k_max, k_step=1, seeds=1, engine="tomotopy", iterations=1500, jobs=1)
    registry = JobRegistry()
    job = registry.submit("me", "sweep", lambda ctx: run_sweep(big, cfg, ctx, scheduler=cluster.scheduler_address))
    return registry, job


def test_a_killed_worker_does_not_fail_the_sweep(cluster):
    registry, job = _long_sweep_on(cluster, seed=4, k_max=6, data_key="dask-kill")
    client = connect(cluster.scheduler_address)
    try:
        busy = list(_running(client, job))
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)   # mid-fit: the scheduler reruns its task elsewhere
    finally:
        client.close()
    job = registry.wait(job.id, "me", timeout=120)
    assert job.status == DONE, job.error
    assert job.result.complete and sorted(job.result.ks) == [3, 4, 5, 6]


def _panel():
    from ui.cluster import cluster_panel

    cluster_panel()


def test_the_topics_page_panel_shows_the_cluster_or_why_it_is_unreachable(cluster, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(SCHEDULER_ENV, cluster.scheduler_address)
    client = connect(cluster.scheduler_address)
    try:   # a worker killed by an earlier test comes back through its nanny
        client.wait_for_workers(2, timeout=60)
    finally:
        client.close()
    at = AppTest.from_function(_panel, default_timeout=30).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["2", "2", "2.0 GiB"]
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:9")
    at = AppTest.from_function(_panel, default_timeout=30).run()
    assert not at.exception and not at.metric
    message = at.error[0].value   # (escaped for Markdown: no auto-linked address)
    assert "Cannot reach the Dask scheduler at tcp" in message and "127.0.0.1:9 (" in message
    monkeypatch.delenv(SCHEDULER_ENV)
    at = AppTest.from_function(_panel, default_timeout=30).run()
    assert "Sweeps run on this machine" in at.caption[0].value


def test_a_fit_the_cluster_drops_is_submitted_again(cluster):
    from distributed import Future

    registry, job = _long_sweep_on(cluster, seed=5, k_max=5, data_key="dask-dropped")
    client = connect(cluster.scheduler_address)
    try:
        keys = [k for ks in _running(client, job).values() for k in ks]
        client.cancel([Future(keys[0], client)], force=True)   # another client makes the scheduler forget it
    finally:
        client.close()
    job = registry.wait(job.id, "me", timeout=120)
    assert job.status == DONE, job.error
    assert job.result.complete and sorted(job.result.ks) == [3, 4, 5]
