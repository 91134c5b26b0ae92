"""Background jobs: a thread per job, progress records, cooperative cancel, per-owner isolation.

The UI keeps one `JobRegistry` per server process (via its cache layer) and passes the browser
session's id as `owner`; every lookup is filtered by owner, so a session never sees another
session's jobs. Job functions never touch the UI: they only report through their `JobContext`.

CPU-heavy work shares the machine instead of oversubscribing it: a job function wraps it in
`with ctx.cpu_slots(n) as granted:` (n = worker processes it will run). The registry's one
`CpuLimiter` grants at most `capacity` cores at once (default: one per core; env
TOPICLENS_CPU_JOBS), first come first served; a waiting job shows its queue position in its
message and `job.queue_position`, and a cancel while waiting leaves the queue (`granted` False).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import traceback
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from core import settings
from core.errors import Message
from core.i18n import N_

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
CPU_JOBS_ENV = "TOPICLENS_CPU_JOBS"
# What a job kind is called in messages ("A topic sweep is already running…"); others: "topics_x" -> "topics x job".
KIND_NAMES = {"topics_sweep": N_("topic sweep"), "sweep": N_("topic sweep"), "finetune": N_("fine-tuning job")}
WAITING_FOR_CPU = N_("Waiting for a free CPU: number {pos} in the queue (this server runs CPU-heavy jobs on at most "
                     "{cores} cores at once)")
STARTING = N_("starting…")


def kind_name(kind: str) -> Message:
    if kind in KIND_NAMES:
        return Message(KIND_NAMES[kind])
    return Message(N_("{kind} job"), kind=kind.replace("_", " "))


class JobError(RuntimeError):
    """A job could not be started or found (message is user-readable).

    Like `InputError`: an English template and its values (`msgid`, `params`), shown translated with
    `core.i18n.translate_error`; `str(exc)` is the English text."""

    def __init__(self, message: str, /, **params: object) -> None:
        text = Message(message, **params)
        self.msgid, self.params = message, params
        super().__init__(str(text))

    def __reduce__(self):
        return _rebuild_job_error, (type(self), self.msgid, self.params)


def _job_error(exc: Exception) -> str:
    """A failed job's one line: a user error's own message, kept translatable (a Message formats in
    the reader's language wherever the page shows it); anything else names its type."""
    msgid = getattr(exc, "msgid", None)
    if isinstance(msgid, str):
        return Message(msgid, **(getattr(exc, "params", None) or {}))
    return f"{type(exc).__name__}: {exc}"


def _rebuild_job_error(cls, msgid, params):
    return cls(msgid, **params)


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
    queue_position: int | None = None   # 1 = next in line for the CPU; None = not waiting
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


class CpuLimiter:
    """Server-wide budget of cores for CPU-heavy jobs, granted first come first served."""

    def __init__(self, capacity: int | None = None):
        if capacity is None:
            from core.executor import default_jobs

            capacity = settings.get(CPU_JOBS_ENV) or default_jobs()
        self.capacity = max(1, int(capacity))
        self.in_use = 0
        self._queue: list[object] = []
        self._cond = threading.Condition()

    def acquire(self, n: int, cancel: threading.Event, on_wait: Callable[[int], None] = lambda pos: None) -> int:
        """Block until `n` cores (at most the capacity) are free and every earlier request is served;
        returns the cores granted, or 0 if `cancel` was set while waiting."""
        n = min(max(1, int(n)), self.capacity)
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            last = None
            while True:
                if self._queue[0] is ticket and self.in_use + n <= self.capacity:
                    self._queue.pop(0)
                    self.in_use += n
                    self._cond.notify_all()
                    return n
                if cancel.is_set():
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return 0
                pos = self._queue.index(ticket) + 1
                if pos != last:
                    on_wait(pos)
                    last = pos
                self._cond.wait(0.1)   # also wakes up to notice a cancel

    def release(self, n: int) -> None:
        with self._cond:
            self.in_use = max(0, self.in_use - n)
            self._cond.notify_all()

    @contextlib.contextmanager
    def borrow(self, n: int) -> Iterator[int]:
        """Up to `n` of the cores free right now, without waiting (0 when none is free or jobs are
        queued): for work a page waits on, which then runs on what it got (0: in its own thread)."""
        with self._cond:
            granted = 0 if self._queue else max(0, min(int(n), self.capacity - self.in_use))
            self.in_use += granted
        try:
            yield granted
        finally:
            if granted:
                self.release(granted)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)


class JobContext:
    """What a job function gets: report progress, record events, check for cancellation."""

    def __init__(self, job: Job, lock: threading.Lock, limiter: CpuLimiter | None = None):
        self._job = job
        self._lock = lock
        self._limiter = limiter

    @contextlib.contextmanager
    def cpu_slots(self, n: int) -> Iterator[int]:
        """Hold `n` of the server's cores (at most its limit) for the block; waits in the queue first.
        Yields the cores granted (run no more workers than that), or 0 (run nothing heavy) when the
        job is cancelled while waiting."""
        if self._limiter is None:
            yield 0 if self.cancelled else max(1, int(n))
            return

        def on_wait(pos: int) -> None:
            with self._lock:
                self._job.queue_position = pos
                # a Message: the page shows it in its reader's language (f"{job.message}" translates it)
                self._job.message = Message(WAITING_FOR_CPU, pos=pos, cores=self._limiter.capacity)

        granted = self._limiter.acquire(n, self._job.cancel_event, on_wait)
        with self._lock:
            self._job.queue_position = None
            if granted and getattr(self._job.message, "msgid", None) == WAITING_FOR_CPU:
                self._job.message = Message(STARTING)
        try:
            yield granted
        finally:
            if granted:
                self._limiter.release(granted)

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_event.is_set()

    @property
    def shutting_down(self) -> bool:
        """The process is stopping (SIGTERM): a job cut off now was interrupted, not cancelled by a user."""
        return _STOPPING.is_set()

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


def _holding_cores(fn: Callable[[JobContext], Any], n: int) -> Callable[[JobContext], Any]:
    def run(ctx: JobContext) -> Any:
        with ctx.cpu_slots(n) as granted:
            if not granted:   # cancelled while waiting for the cores
                raise JobCancelled()
            return fn(ctx)

    return run


_STOPPING = threading.Event()     # set once, when the process stops (see JobRegistry.cancel_all)
_STOP_HOOKS: list[Callable[[], None]] = []


def at_stop(hook: Callable[[], None]) -> None:
    """Run `hook` when the process stops with jobs still running (before it exits without them)."""
    _STOP_HOOKS.append(hook)


_REGISTRIES: "weakref.WeakSet[JobRegistry]" = weakref.WeakSet()
_HOOKED = False


def cancel_jobs_before_pools_join() -> None:
    """Call once a process pool has started (core.executor). At interpreter exit (SIGTERM ends the
    server's main thread) the pool's exit hook joins its manager thread, which waits for every
    queued fit; the registries' jobs are cancelled before that. Such hooks
    (`threading._register_atexit`) run last-registered first, and the pool registers its own when
    its first manager thread starts: ours, registered after, runs first."""
    global _HOOKED
    register = getattr(threading, "_register_atexit", None)   # CPython 3.9+
    if _HOOKED or register is None:
        return
    _HOOKED = True
    register(lambda: [registry.cancel_all() for registry in list(_REGISTRIES)])


class JobRegistry:
    """Process-wide registry of jobs, each owned by one session id."""

    def __init__(self, max_finished_per_owner: int = 10, cpu_limit: int | None = None):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._max_finished = max_finished_per_owner
        self._released: set[str] = set()   # owners whose sessions ended (see release)
        self.cpu = CpuLimiter(cpu_limit)   # shared by every session's jobs
        _REGISTRIES.add(self)

    def cancel_all(self, grace_s: float = 3.0) -> None:
        """The process is stopping (SIGTERM to the server): every running job is cut off now.

        Jobs get `grace_s` to end on their own (a sweep records itself interrupted); past that, the
        stop hooks run (the lease keeper records what is left as interrupted) and the process
        exits without waiting for pool workers to finish fits nobody will read (they exit when
        their parent does: core.executor)."""
        _STOPPING.set()
        with self._lock:
            running = [j for j in self._jobs.values() if not j.done]
        if not running:
            return
        for job in running:
            job.cancel_event.set()
        deadline = time.time() + grace_s
        while time.time() < deadline and not all(j.done for j in running):
            time.sleep(0.05)
        for hook in _STOP_HOOKS:
            try:
                hook()
            except Exception:  # noqa: BLE001 - stopping: the next hook still runs
                continue
        if not all(j.done for j in running):
            logging.shutdown()
            os._exit(0)

    def submit(
        self,
        owner: str,
        kind: str,
        fn: Callable[[JobContext], Any],
        label: str = "",
        exclusive: bool = True,
        cpu: int = 0,
    ) -> Job:
        """Start `fn(ctx)` in a daemon thread. With `exclusive`, one running job per (owner, kind).
        `cpu`: the cores the whole job keeps busy (e.g. a fine-tune's torch threads); it waits for
        them in the server's CPU queue first and holds them until it ends."""
        if cpu > 0:
            fn = _holding_cores(fn, cpu)
        with self._lock:
            if exclusive and any(
                j.owner == owner and j.kind == kind and not j.done for j in self._jobs.values()
            ):
                raise JobError(N_("A {kind} is already running in this session; cancel it or wait for it to finish."),
                               kind=kind_name(kind))
            self._released.discard(owner)
            job = Job(id=uuid.uuid4().hex[:12], owner=owner, kind=kind, label=label)
            self._jobs[job.id] = job
            self._evict(owner)
            self._sweep_released()
        ctx = JobContext(job, self._lock, self.cpu)
        thread = threading.Thread(target=self._run, args=(job, ctx, fn), name=f"job-{kind}-{job.id}", daemon=True)
        thread.start()
        return job

    def _run(self, job: Job, ctx: JobContext, fn: Callable[[JobContext], Any]) -> None:
        try:
            result = fn(ctx)
        except JobCancelled:
            status, result, err, detail = CANCELLED, job.result, None, None
        except Exception as exc:  # the job's failure is reported, never raised into the UI
            status, result, err, detail = FAILED, job.result, _job_error(exc), traceback.format_exc()
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
