"""core.jobs: background jobs report progress, cancel cooperatively and stay with their owner."""

from __future__ import annotations

import time

import pytest

from core.jobs import CANCELLED, DONE, FAILED, JobError, JobRegistry


def test_job_runs_reports_progress_and_result():
    reg = JobRegistry()

    def work(ctx):
        for i in range(5):
            ctx.progress((i + 1) / 5, f"step {i + 1}")
            ctx.event(step=i + 1)
        return "finished"

    job = reg.submit("alice", "train", work)
    job = reg.wait(job.id, "alice", timeout=10)
    assert job.status == DONE and job.result == "finished"
    assert job.progress == 1.0 and job.message == "step 5"
    assert [e["step"] for e in job.events] == [1, 2, 3, 4, 5]


def test_cancel_keeps_partial_result_and_stops_quickly():
    reg = JobRegistry()

    def work(ctx):
        for i in range(1000):
            ctx.set_partial({"best_step": i})
            ctx.check_cancel()
            time.sleep(0.01)
        return "never"

    job = reg.submit("alice", "train", work)
    time.sleep(0.1)
    t0 = time.time()
    assert reg.cancel(job.id, "alice")
    job = reg.wait(job.id, "alice", timeout=5)
    assert job.status == CANCELLED and time.time() - t0 < 2
    assert job.result["best_step"] >= 1


def test_failure_is_recorded_not_raised():
    reg = JobRegistry()
    job = reg.submit("alice", "train", lambda ctx: 1 / 0)
    job = reg.wait(job.id, "alice", timeout=5)
    assert job.status == FAILED and "ZeroDivisionError" in job.error


def test_sessions_never_see_each_others_jobs():
    reg = JobRegistry()
    job = reg.submit("alice", "train", lambda ctx: time.sleep(0.2))
    assert reg.get(job.id, "mallory") is None
    assert reg.list("mallory") == []
    assert not reg.cancel(job.id, "mallory")
    assert reg.get(job.id, "alice") is job
    reg.wait(job.id, "alice", timeout=5)


def test_one_running_job_per_owner_and_kind():
    reg = JobRegistry()
    first = reg.submit("alice", "train", lambda ctx: ctx.cancel_event.wait(5))
    with pytest.raises(JobError, match="already running"):
        reg.submit("alice", "train", lambda ctx: None)
    other = reg.submit("bob", "train", lambda ctx: None)  # another session may train meanwhile
    reg.cancel(first.id, "alice")
    assert reg.wait(first.id, "alice", timeout=5).status == CANCELLED
    assert reg.wait(other.id, "bob", timeout=5).status == DONE


def test_finished_jobs_are_evicted_per_owner():
    reg = JobRegistry(max_finished_per_owner=2)
    ids = []
    for _ in range(4):
        job = reg.submit("alice", "k", lambda ctx: None)
        reg.wait(job.id, "alice", timeout=5)
        ids.append(job.id)
    reg.submit("alice", "k", lambda ctx: None)
    assert reg.get(ids[0], "alice") is None and len(reg.list("alice")) <= 3


def test_already_running_message_names_the_job_in_words():
    reg = JobRegistry()
    first = reg.submit("alice", "topics_sweep", lambda ctx: ctx.cancel_event.wait(5))
    with pytest.raises(JobError, match=r"^A topic sweep is already running in this session"):
        reg.submit("alice", "topics_sweep", lambda ctx: None)
    reg.cancel(first.id, "alice")
    reg.wait(first.id, "alice", timeout=5)


def test_cpu_limit_queues_jobs_and_shows_the_position():
    """Two cores for the whole server: a 2-core job holds both; the next waits with its position."""
    import threading

    reg = JobRegistry(cpu_limit=2)
    release = threading.Event()

    def heavy(ctx):
        with ctx.cpu_slots(2) as granted:
            if not granted:
                return "never ran"
            release.wait(10)
            return "ran"

    first = reg.submit("alice", "sweep", heavy)
    deadline = time.time() + 5
    while reg.cpu.in_use < 2 and time.time() < deadline:
        time.sleep(0.01)
    second = reg.submit("bob", "sweep", heavy)
    third = reg.submit("carol", "sweep", heavy)
    deadline = time.time() + 5
    while (second.queue_position, third.queue_position) != (1, 2) and time.time() < deadline:
        time.sleep(0.01)
    assert (second.queue_position, third.queue_position) == (1, 2)
    assert "number 2 in the queue" in third.message and reg.cpu.in_use == 2
    # cancelling a queued job takes it out of the line; the one behind moves up
    assert reg.cancel(third.id, "carol")
    third = reg.wait(third.id, "carol", timeout=5)
    assert third.status == CANCELLED and third.result == "never ran" and reg.cpu.waiting == 1
    release.set()
    assert reg.wait(first.id, "alice", timeout=5).result == "ran"
    assert reg.wait(second.id, "bob", timeout=5).result == "ran"
    assert second.queue_position is None and reg.cpu.in_use == 0 and reg.cpu.waiting == 0


def test_cpu_limit_defaults_to_the_cores_and_reads_the_environment(monkeypatch):
    from core.executor import default_jobs
    from core.jobs import CPU_JOBS_ENV, CpuLimiter

    monkeypatch.delenv(CPU_JOBS_ENV, raising=False)
    assert CpuLimiter().capacity == default_jobs()
    monkeypatch.setenv(CPU_JOBS_ENV, "7")
    assert CpuLimiter().capacity == 7
    # a job asking for more cores than the server has gets them all, instead of waiting forever
    import threading

    assert CpuLimiter(2).acquire(5, threading.Event()) == 2
