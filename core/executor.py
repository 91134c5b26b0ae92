"""One executor layer for CPU-heavy fan-out: a local process pool by default, a Dask cluster when
one is configured.

    from core.executor import get_executor
    ex = get_executor(jobs=2, scheduler=None)   # None: TOPICLENS_DASK_SCHEDULER if set, else local
    for task, value, worker in ex.stream(fn, shared, tasks, cancelled=lambda: ctx.cancelled):
        ...                                     # in completion order, the moment each one finishes

`fn(shared, task)` runs in a worker; `shared` (e.g. the document-term matrix) travels to each
worker once: as the pool's initializer argument locally (loky), scattered to every worker on a
cluster (`Client.scatter(..., broadcast=True)`), never once per task. `worker` names where the task
ran: "local" for the local pool, the Dask worker's name or address on a cluster.

Leaving the loop early (cancel, an error, an exception in the consumer) stops the rest: the local
pool's processes are killed, the cluster's futures are cancelled. A task that raises is reported
as `TaskFailed(task, message)`; a local worker that dies (out of memory) too. On a cluster a dying
worker is not an error: the scheduler reruns its tasks on another worker.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from core import settings
from core.errors import InputError, Message
from core.jobs import cancel_jobs_before_pools_join
from core.i18n import N_, _, ngettext

SCHEDULER_ENV = "TOPICLENS_DASK_SCHEDULER"
LOCAL = "local"
CONNECT_TIMEOUT_S = 5.0
_POLL_SECONDS = 0.1
_MAX_RESUBMITS = 3   # per task, when the cluster drops (not fails) it


class TaskFailed(RuntimeError):
    """A task raised (or its local worker process died); `task` is the task that failed."""

    def __init__(self, task: Any, message: str):
        super().__init__(message)
        self.task, self.message = task, message


def configured_scheduler(scheduler: str | None = None) -> str | None:
    """The scheduler address to use: `scheduler` if given ("" forces local), else the env var."""
    if scheduler is None:
        scheduler = settings.raw(SCHEDULER_ENV)
    scheduler = scheduler.strip()
    return scheduler or None


def default_jobs() -> int:
    """All the cores this process may use (the CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def get_executor(jobs: int = 1, scheduler: str | None = None):
    address = configured_scheduler(scheduler)
    return DaskExecutor(address) if address else LocalExecutor(jobs)


# --------------------------------------------------------------------------- worker side
_SHARED: Any = None          # the local pool worker's copy of `shared` (set once by the initializer)


def one_thread():
    """Context manager: BLAS/OpenMP pools limited to one thread (as in every worker) for the block."""
    import contextlib

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: numerics then follow the library defaults
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _limit_threads() -> None:
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)   # one core per task: the executor parallelises across tasks instead
    except Exception:  # noqa: BLE001 - optional speed-up only
        pass


def _exit_with_parent(parent: int, interval: float = 1.0) -> None:
    """Stop this worker when its parent dies (kill -9 of the server or the CLI): nobody would read its fits.

    On Linux the kernel does it (PR_SET_PDEATHSIG), even while a fit holds the interpreter lock in
    C code; elsewhere, and as a fallback, a thread checks the parent every `interval` seconds."""
    try:
        import ctypes
        import signal

        if ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0 and os.getppid() != parent:
            os._exit(1)   # the parent died before the request: nothing will signal us
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="topiclens-parent-watch", daemon=True).start()


def _init_local(shared: Any, parent: int) -> None:
    global _SHARED
    _SHARED = shared
    _exit_with_parent(parent)        # the pid the parent gave: a worker that starts after its death exits too
    _limit_threads()
    warm = getattr(shared, "warm", None)
    if warm is not None:   # per-worker set-up (e.g. co-occurrence statistics) belongs to start-up
        warm()


def _started() -> bool:
    return True


def _call_local(fn: Callable, task: Any) -> Any:
    return fn(_SHARED, task)


def _call_dask(fn: Callable, shared: Any, task: Any) -> tuple[Any, str]:
    from distributed import get_worker

    _limit_threads()
    worker = get_worker()
    name = worker.name if isinstance(worker.name, str) and worker.name else worker.address
    return fn(shared, task), str(name)


# --------------------------------------------------------------------------- local pool
class LocalExecutor:
    """A loky process pool, one per `stream` call (fresh interpreters: safe under a threaded server)."""

    kind = LOCAL

    def __init__(self, jobs: int = 1):
        self.jobs = max(1, int(jobs))

    def describe(self) -> str:
        return ngettext("{n} local worker process", "{n} local worker processes", self.jobs).format(n=self.jobs)

    def stream(self, fn: Callable, shared: Any, tasks: Iterable, cancelled: Callable[[], bool] = lambda: False,
               on_ready: Callable[[], None] | None = None) -> Iterator[tuple[Any, Any, str]]:
        """`on_ready()` is called once the first worker has started (its initializer ran)."""
        import concurrent.futures as cf

        from loky import ProcessPoolExecutor
        from loky.process_executor import TerminatedWorkerError

        tasks = list(tasks)
        if not tasks:
            return
        # loky's own start method execs a fresh interpreter and never re-imports `__main__`
        # (under Streamlit that is the page script).
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(tasks)), initializer=_init_local,
                                   initargs=(shared, os.getpid()))
        finished = False
        try:
            probe = pool.submit(_started) if on_ready is not None else None   # done once a worker is up
            futures = {pool.submit(_call_local, fn, t): t for t in tasks}
            cancel_jobs_before_pools_join()   # the pool's exit hook exists now: ours must run before it
            pending = set(futures)
            while pending and not cancelled():
                done, pending = cf.wait(pending, timeout=_POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
                if probe is not None and (probe.done() or done):
                    on_ready()
                    probe = None
                for fut in sorted(done, key=lambda f: tasks.index(futures[f])):
                    task = futures[fut]
                    try:
                        value = fut.result()
                    except TerminatedWorkerError:
                        raise TaskFailed(task, Message(N_("a worker process died (out of memory?)"))) from None
                    except Exception as exc:  # noqa: BLE001 - the task's own error, reported with it
                        raise TaskFailed(task, f"{type(exc).__name__}: {exc}") from None
                    yield task, value, LOCAL
                    if cancelled():
                        break
            finished = not pending
        finally:
            # Normal end: workers exit on their own. Cancel / error: kill them now (a fit can
            # run for minutes and has no cancel point of its own).
            pool.shutdown(wait=finished, kill_workers=not finished)


# --------------------------------------------------------------------------- Dask cluster
@dataclass(frozen=True)
class ClusterInfo:
    """What the UI shows about a configured cluster (or why it cannot be reached)."""

    address: str
    ok: bool
    message: str = ""      # a core.errors.Message (shown translated), or ""
    workers: int = 0
    threads: int = 0
    memory_bytes: int = 0
    worker_names: tuple[str, ...] = ()


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S):
    """A `distributed.Client` for `address`; InputError with a clear message when it cannot connect."""
    from distributed import Client

    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            "Cannot reach the Dask scheduler at {address} ({kind}: {detail}). Check the address "
            "(tcp://HOST:PORT), that `dask scheduler` is running there, and that the port is open; "
            "or unset {env} / --scheduler to run on this machine.",
            address=address, kind=type(exc).__name__, detail=str(exc), env=SCHEDULER_ENV,
        ) from None


def cluster_info(address: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> ClusterInfo | None:
    """Workers, threads and memory of the configured cluster (None when none is configured)."""
    address = configured_scheduler(address)
    if not address:
        return None
    try:
        client = connect(address, timeout)
    except InputError as exc:
        return ClusterInfo(address=address, ok=False, message=Message(exc.msgid, **exc.params))
    try:
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
    except TypeError:  # older distributed: no n_workers argument
        workers = client.scheduler_info().get("workers", {})
    finally:
        client.close()
    names = tuple(str(w.get("name", a)) for a, w in sorted(workers.items()))
    info = ClusterInfo(
        address=address, ok=True, workers=len(workers), threads=sum(int(w.get("nthreads", 0)) for w in workers.values()),
        memory_bytes=sum(int(w.get("memory_limit", 0) or 0) for w in workers.values()), worker_names=names,
    )
    if not workers:
        return ClusterInfo(**{**info.__dict__, "message": Message(N_("The scheduler answers but has no workers yet: "
                                                                     "start `dask worker` processes pointing at it."))})
    return info


class DaskExecutor:
    """Tasks as futures on a Dask distributed cluster; `shared` is scattered to every worker once."""

    kind = "dask"

    def __init__(self, address: str):
        self.address = address

    def describe(self) -> str:
        return _("Dask cluster at {address}").format(address=self.address)

    def stream(self, fn: Callable, shared: Any, tasks: Iterable, cancelled: Callable[[], bool] = lambda: False,
               on_ready: Callable[[], None] | None = None) -> Iterator[tuple[Any, Any, str]]:
        """`on_ready()` is called once the input is on the workers (scattered)."""
        from distributed import wait
        from distributed.utils import CancelledError

        tasks = list(tasks)
        if not tasks:
            return
        client = connect(self.address)
        futures: dict = {}
        try:
            if not client.scheduler_info().get("workers"):
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S * 6)
            scattered = [None]
            resubmits: dict[int, int] = {}

            def submit(i: int):   # futures map to task indices (tasks need not be hashable)
                if scattered[0] is None or scattered[0].status != "finished":
                    # broadcast: every worker holds a copy, so losing one worker loses no input.
                    scattered[0] = client.scatter(shared, broadcast=True, hash=False)
                # Largest tasks were put first by the caller; priority keeps that order on the cluster.
                fut = client.submit(_call_dask, fn, scattered[0], tasks[i], pure=False, priority=len(tasks) - i)
                futures[fut] = i
                return fut

            pending = {submit(i) for i in range(len(tasks))}
            while pending and not cancelled():
                try:
                    with client.as_current():   # `wait` talks to the current client
                        done = wait(list(pending), timeout=_POLL_SECONDS, return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    continue
                except CancelledError:   # `wait` raises when a future it waits on was cancelled
                    done = {f for f in pending if f.status == "cancelled"}
                pending -= done
                for fut in sorted(done, key=futures.get):
                    i = futures[fut]
                    task = tasks[i]
                    if fut.status == "cancelled" and resubmits.get(i, 0) < _MAX_RESUBMITS:
                        # Not our cancel: the scheduler dropped it (e.g. it lost its input or this
                        # client reconnected after a stall). Submit it again.
                        resubmits[i] = resubmits.get(i, 0) + 1
                        pending.add(submit(i))
                        continue
                    if fut.status != "finished":
                        try:
                            exc = fut.exception()
                        except Exception as err:  # noqa: BLE001 - a cancelled future raises here
                            exc = err
                        raise TaskFailed(task, f"{type(exc).__name__}: {exc}")
                    value, worker = fut.result()
                    yield task, value, worker
                    if cancelled():
                        break
        finally:
            if futures:
                client.cancel(list(futures), force=True)
            client.close()


__all__ = ["ClusterInfo", "DaskExecutor", "LocalExecutor", "SCHEDULER_ENV", "TaskFailed", "cluster_info",
           "configured_scheduler", "connect", "default_jobs", "get_executor"]
