"""Background jobs: a thread per job, progress records, cooperative cancel, per-owner isolation.

The UI keeps one `JobRegistry` per server process (via its cache layer) and passes the browser
session's id as `owner`; every lookup is filtered by owner, so a session never sees another
session's jobs. Job functions never touch the UI: they only report through their `JobContext`.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
# What a job kind is called in messages ("A topic sweep is already running…"); others: "topics_x" -> "topics x".
KIND_NAMES = {"topics_sweep": "topic sweep", "sweep": "topic sweep", "finetune": "fine-tuning job"}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " ") + " job")


class JobError(RuntimeError):
    """A job could not be started or found (message is user-readable)."""


class JobCancelled(Exception):
    """Raised inside a job function (via `JobContext.check_cancel`) to stop it early."""


@dataclass
class Job:
    id: str
    owner: str
    kind: str
    label: str
    status: str = RUNNING
    progress: float = 0.0          # 0..1
    message: str = ""
    events: list[dict] = field(default_factory=list)   # progress records (metrics, finished k, ...)
    result: Any = None             # the job function's return value, or a partial result on cancel
    error: str | None = None       # one-line error for the UI
    error_detail: str | None = None  # traceback, for logs only
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self.status != RUNNING

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.started_at

    def eta(self) -> float | None:
        """Seconds left, extrapolated from progress so far (None until there is some)."""
        if self.done or self.progress <= 0.0:
            return None
        return self.elapsed * (1.0 - self.progress) / self.progress


class JobContext:
    """What a job function gets: report progress, record events, check for cancellation."""

    def __init__(self, job: Job, lock: threading.Lock):
        self._job = job
        self._lock = lock

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_event.is_set()

    @property
    def cancel_event(self) -> threading.Event:
        return self._job.cancel_event

    def check_cancel(self) -> None:
        if self.cancelled:
            raise JobCancelled()

    def progress(self, fraction: float, message: str = "") -> None:
        with self._lock:
            self._job.progress = min(max(float(fraction), 0.0), 1.0)
            if message:
                self._job.message = message

    def event(self, **record: Any) -> None:
        """Append a record (e.g. one finished k of a sweep, one logged training step)."""
        with self._lock:
            self._job.events.append(dict(record, t=time.time() - self._job.started_at))

    def set_partial(self, result: Any) -> None:
        """Result to keep if the job is cancelled or fails later (e.g. best checkpoint so far)."""
        with self._lock:
            self._job.result = result


class JobRegistry:
    """Process-wide registry of jobs, each owned by one session id."""

    def __init__(self, max_finished_per_owner: int = 10):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._max_finished = max_finished_per_owner
        self._released: set[str] = set()   # owners whose sessions ended (see release)

    def submit(
        self,
        owner: str,
        kind: str,
        fn: Callable[[JobContext], Any],
        label: str = "",
        exclusive: bool = True,
    ) -> Job:
        """Start `fn(ctx)` in a daemon thread. With `exclusive`, one running job per (owner, kind)."""
        with self._lock:
            if exclusive and any(
                j.owner == owner and j.kind == kind and not j.done for j in self._jobs.values()
            ):
                raise JobError(f"A {kind_name(kind)} is already running in this session; cancel it or wait for it to finish.")
            self._released.discard(owner)
            job = Job(id=uuid.uuid4().hex[:12], owner=owner, kind=kind, label=label)
            self._jobs[job.id] = job
            self._evict(owner)
            self._sweep_released()
        ctx = JobContext(job, self._lock)
        thread = threading.Thread(target=self._run, args=(job, ctx, fn), name=f"job-{kind}-{job.id}", daemon=True)
        thread.start()
        return job

    def _run(self, job: Job, ctx: JobContext, fn: Callable[[JobContext], Any]) -> None:
        try:
            result = fn(ctx)
        except JobCancelled:
            status, result, err, detail = CANCELLED, job.result, None, None
        except Exception as exc:  # the job's failure is reported, never raised into the UI
            status, result, err, detail = FAILED, job.result, f"{type(exc).__name__}: {exc}", traceback.format_exc()
        else:
            status, err, detail = (CANCELLED if job.cancel_event.is_set() else DONE), None, None
        with self._lock:
            job.result = result
            job.status, job.error, job.error_detail = status, err, detail
            if status == DONE:
                job.progress = 1.0
            job.finished_at = time.time()
            self._sweep_released()

    def get(self, job_id: str | None, owner: str) -> Job | None:
        """The job if it exists *and* belongs to `owner`; otherwise None (no existence leak)."""
        if not job_id:
            return None
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def list(self, owner: str, kind: str | None = None) -> list[Job]:
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.owner == owner and (kind is None or j.kind == kind)]
        return sorted(jobs, key=lambda j: j.started_at)

    def cancel(self, job_id: str, owner: str) -> bool:
        job = self.get(job_id, owner)
        if job is None or job.done:
            return False
        job.cancel_event.set()
        return True

    def wait(self, job_id: str, owner: str, timeout: float | None = None) -> Job | None:
        """Block until the job finishes (for the CLI and tests)."""
        deadline = None if timeout is None else time.time() + timeout
        while True:
            job = self.get(job_id, owner)
            if job is None or job.done:
                return job
            if deadline is not None and time.time() > deadline:
                return job
            time.sleep(0.05)

    def release(self, owner: str) -> None:
        """The owner's session ended: drop its finished jobs now, its running ones when they end."""
        with self._lock:
            self._released.add(owner)
            self._sweep_released()

    def hold(self, owner: str) -> None:
        """A live session (again) holds `owner`: keep its jobs."""
        with self._lock:
            self._released.discard(owner)

    def _sweep_released(self) -> None:
        for job in [j for j in self._jobs.values() if j.owner in self._released and j.done]:
            del self._jobs[job.id]
        live = {j.owner for j in self._jobs.values()}
        self._released &= live  # owners with nothing left need no tracking

    def _evict(self, owner: str) -> None:
        # Keep memory bounded: drop the oldest finished jobs of this owner beyond the limit.
        finished = sorted((j for j in self._jobs.values() if j.owner == owner and j.done), key=lambda j: j.started_at)
        for job in finished[: max(0, len(finished) - self._max_finished)]:
            del self._jobs[job.id]
