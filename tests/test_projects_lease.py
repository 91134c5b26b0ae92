"""Leases (issue 18): a job run by one process is seen as running by every other process, a dead
owner's job reads interrupted, and two processes never both write one project's sweep."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.projects.lease import HOST, STALE_S, is_live, lease_state, new_lease
from core.projects.project import INTERRUPTED, RUNNING, JobBusy, Project
from core.projects.store import ProjectStore
from core.topics.sweep import SweepConfig
from fixture_paths import DEMO_ZH, ROOT

CONFIG = SweepConfig(k_min=2, k_max=4, k_step=2, engine="tomotopy", iterations=20, jobs=1)


def _claim(root: str, project_id: str, barrier, results) -> None:
    project = Project(ProjectStore(Path(root)), project_id)
    barrier.wait()
    try:
        project.start_sweep("key", CONFIG, owner="cli")
        results.put("claimed")
        time.sleep(2)       # hold it while the other tries
    except JobBusy:
        results.put("busy")


def test_two_processes_never_both_start_a_sweep_of_one_project(tmp_path):
    store = ProjectStore(tmp_path)
    project_id = store.create("p").id
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_claim, args=(str(tmp_path), project_id, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    outcome = sorted(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert outcome == ["busy", "claimed"]


HOLDER = """
import sys, time
from pathlib import Path
from core.projects.project import Project
from core.projects.store import ProjectStore
from core.topics.sweep import SweepConfig
project = Project(ProjectStore(Path(sys.argv[1])), sys.argv[2])
sweep_id = project.start_sweep("key", SweepConfig(k_min=2, k_max=4, k_step=2), owner="cli")
print(sweep_id, flush=True)
if sys.argv[3] == "hold":
    time.sleep(120)
"""


def _holder(tmp_path, project_id, mode):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), project_id, mode], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def test_a_live_job_of_another_process_is_running_and_its_death_is_seen(tmp_path):
    store = ProjectStore(tmp_path)
    project = Project(store, store.create("p").id)
    proc, sweep_id = _holder(tmp_path, project.id, "hold")
    try:
        record = project.latest_sweep("key")
        assert record["id"] == sweep_id and record["status"] == RUNNING
        assert record["lease"]["owner"] == "cli" and record["lease"]["pid"] == proc.pid
        assert project.running_elsewhere()["id"] == sweep_id
        with pytest.raises(JobBusy, match="the CLI"):           # no second writer: Resume/Restart are refused
            project.start_sweep("key", CONFIG)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert project.latest_sweep("key")["status"] == INTERRUPTED   # kill -9: seen on the next read
    assert project.running_elsewhere() is None
    project.start_sweep("key", CONFIG)                              # and now it may be resumed


def test_a_process_that_exits_records_its_running_jobs_as_interrupted(tmp_path):
    store = ProjectStore(tmp_path)
    project = Project(store, store.create("p").id)
    proc, sweep_id = _holder(tmp_path, project.id, "exit")
    proc.wait(timeout=60)
    record = store.get_field(project.id, f"sweep:{sweep_id}")
    assert record["status"] == INTERRUPTED and record["finished"] is not None   # written at exit, not inferred


def test_leases_of_other_hosts_go_stale_by_their_heartbeat():
    now = time.time()
    fresh = {"status": RUNNING, "lease": {**new_lease("cli"), "process": "other", "host": "another-host"}}
    assert is_live(fresh) and lease_state(fresh) == RUNNING
    stale = {**fresh, "lease": {**fresh["lease"], "heartbeat": now - STALE_S - 1}}
    assert not is_live(stale) and lease_state(stale) == INTERRUPTED
    assert lease_state({**stale, "status": "done"}) == "done"
    dead_here = {**fresh, "lease": {**fresh["lease"], "host": HOST, "pid": 2**22 + 12345}}
    assert not is_live(dead_here)
    assert not is_live({"status": RUNNING, "process": "an-old-release-server"})   # records without a lease


def test_the_keeper_renews_the_heartbeat(tmp_path, monkeypatch):
    from core.projects import lease

    keeper = lease.LeaseKeeper(interval=0.05)
    monkeypatch.setattr(lease, "KEEPER", keeper)
    monkeypatch.setattr("core.projects.project.KEEPER", keeper)
    store = ProjectStore(tmp_path)
    project = Project(store, store.create("p").id)
    sweep_id = project.start_sweep("key", CONFIG)
    first = project.get(f"sweep:{sweep_id}")["lease"]["heartbeat"]
    time.sleep(0.5)
    assert project.get(f"sweep:{sweep_id}")["lease"]["heartbeat"] > first
    project.finish_sweep(sweep_id, "done")
    assert keeper.held() == []


@pytest.mark.slow
def test_a_cli_sweep_is_running_for_project_show_and_resumes_after_kill_9(tmp_path):
    """The issue's end to end: `topiclens sweep --project P` fitting, `project show` (another process)
    says running with the CLI's lease and progress; after SIGKILL it says interrupted within seconds;
    the same command again fits only what is missing."""
    env = {**os.environ, "TOPICLENS_WORKSPACE": str(tmp_path / "ws"), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    cli = [sys.executable, "-m", "core.cli"]
    sweep = cli + ["sweep", str(DEMO_ZH), "--project", "P", "--k", "2:24:2", "--engine", "tomotopy",
                   "--iterations", "1500", "--jobs", "1"]
    proc = subprocess.Popen(sweep, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def show() -> dict:
        out = subprocess.run(cli + ["project", "show", "P"], cwd=ROOT, env=env, capture_output=True, text=True)
        return json.loads(out.stdout) if out.returncode == 0 else {}

    deadline, shown = time.time() + 120, {}
    while time.time() < deadline:
        shown = show()
        sweeps = shown.get("sweeps") or []
        if sweeps and (sweeps[-1].get("models") or 0) >= 2:
            break
        time.sleep(0.5)
    try:
        last = shown["sweeps"][-1]
        assert last["status"] == "running" and last["running_in"]["owner"] == "cli"
        assert last["running_in"]["pid"] == proc.pid and last["models_planned"] == 12
        assert shown["address"].endswith(f"/?project={shown['id']}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    after = show()["sweeps"][-1]
    assert after["status"] == "interrupted" and "running_in" not in after
    done_before = after["models"]
    assert 2 <= done_before < 12
    resumed = subprocess.run(sweep, cwd=ROOT, env=env, capture_output=True, text=True)   # the same command again
    assert resumed.returncode == 0, resumed.stderr
    assert f"{12 - done_before} fitted, {done_before} reused from the project" in resumed.stderr
    assert show()["sweeps"][-1]["status"] == "done"


@pytest.mark.slow
def test_kill_9_of_the_cli_leaves_no_worker_fitting_for_nobody(tmp_path):
    import psutil

    env = {**os.environ, "TOPICLENS_WORKSPACE": str(tmp_path / "ws")}
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "sweep", str(DEMO_ZH), "--project", "P", "--k", "2:30:2",
                             "--engine", "tomotopy", "--iterations", "3000", "--jobs", "2"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, workers = time.time() + 90, []
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.5)
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True)
                   if "popen_loky_posix" in " ".join(c.cmdline())]
    assert len(workers) == 2, "the sweep's worker processes never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    for p in alive:
        p.kill()
    assert not alive, f"{len(alive)} worker(s) kept fitting after the CLI was killed"


def test_sigterm_to_a_cli_sweep_records_it_interrupted_at_once(tmp_path):
    env = {**os.environ, "TOPICLENS_WORKSPACE": str(tmp_path / "ws")}
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "sweep", str(DEMO_ZH), "--project", "P", "--k", "2:30:2",
                             "--engine", "tomotopy", "--iterations", "3000", "--jobs", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    store, deadline = None, time.time() + 90
    while time.time() < deadline:
        time.sleep(0.3)
        if (tmp_path / "ws" / "projects.db").exists():
            store = ProjectStore(tmp_path / "ws")
            projects = store.list()
            if projects and Project(store, projects[0].id).sweeps():
                break
    assert proc.poll() is None, "the sweep ended before it could be stopped"
    for _attempt in range(10):   # a signal that lands inside a C extension's own handler can be lost: send again
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=3)
            break
        except subprocess.TimeoutExpired:
            continue
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err, (proc.returncode, err[-500:])
    project = Project(store, store.list()[0].id)
    record = store.get_field(project.id, f"sweep:{project.sweeps()[-1]['id']}")
    assert record["status"] == INTERRUPTED          # written by the process itself, not inferred from a stale lease
