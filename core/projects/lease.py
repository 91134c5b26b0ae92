"""Leases: which process runs a project's sweep or fine-tune, readable by every process.

A running job's record (`sweep:<id>`, `finetune:<id>`) carries a lease: who runs it (the dashboard
or the CLI), its process id and host, when it started, and a heartbeat. One keeper thread per
process renews the heartbeat of every lease the process holds, so any process (another dashboard,
`topiclens project show`) tells a live job from a dead one:

    lease = new_lease(CLI)                 # in the record when the job starts
    KEEPER.hold(project, "sweep:<id>")     # renewed every HEARTBEAT_S until released
    lease_state(record)                    # "running" (live lease) or "interrupted" (its owner died)

A lease is live while its heartbeat is younger than STALE_S; on the same host, a lease whose
process is gone is dead at once (kill -9 is seen on the next read). Records of earlier releases,
which carry only the writer's process token, are live only in that process.
"""

from __future__ import annotations

import atexit
import os
import secrets
import socket
import threading
import time
from typing import Any

from core.i18n import N_
from core.jobs import at_stop

DASHBOARD, CLI = "dashboard", "cli"
OWNERS = {DASHBOARD: N_("the dashboard"), CLI: N_("the CLI")}
HEARTBEAT_S = 5.0
STALE_S = 30.0               # a dead owner's job reads "interrupted" within this (plus one heartbeat)
# This process, as written in records: a token (pids are reused), its pid and its host.
PROCESS_ID = secrets.token_hex(8)
HOST = socket.gethostname()


def new_lease(owner: str) -> dict:
    now = time.time()
    return {"owner": owner, "process": PROCESS_ID, "pid": os.getpid(), "host": HOST, "started": now,
            "heartbeat": now}


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # alive, owned by another user
        return True
    return True


def is_live(record: dict, now: float | None = None) -> bool:
    """Whether the process that runs this record's job is still running it."""
    lease = record.get("lease")
    if not isinstance(lease, dict):
        return record.get("process") == PROCESS_ID       # a record of an earlier release
    if lease.get("process") == PROCESS_ID:
        return True                                      # ours: our job registry knows it is running
    if lease.get("host") == HOST and not _pid_alive(lease.get("pid")):
        return False
    heartbeat = lease.get("heartbeat")
    return isinstance(heartbeat, (int, float)) and (now or time.time()) - heartbeat < STALE_S


def lease_state(record: dict, running: str = "running", interrupted: str = "interrupted") -> str:
    """A record's status as every process should see it: a running job whose owner died is interrupted."""
    status = record.get("status")
    if status == running and not is_live(record):
        return interrupted
    return status


def is_foreign(record: dict) -> bool:
    """A record whose job runs in another process (live, and not ours)."""
    lease = record.get("lease")
    return isinstance(lease, dict) and lease.get("process") != PROCESS_ID and record.get("status") == "running" \
        and is_live(record)


class LeaseKeeper:
    """Renews the heartbeat of every lease this process holds, from one daemon thread."""

    def __init__(self, interval: float = HEARTBEAT_S):
        self.interval = interval
        self._held: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, project, key: str) -> None:
        with self._lock:
            self._held[(str(project.store.root), project.id, key)] = project
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="topiclens-leases", daemon=True)
                self._thread.start()

    def release(self, project, key: str) -> None:
        with self._lock:
            self._held.pop((str(project.store.root), project.id, key), None)

    def held(self) -> list[tuple[Any, str]]:
        with self._lock:
            return [(project, key) for (_root, _pid, key), project in self._held.items()]

    def renew(self) -> None:
        now = time.time()
        for project, key in self.held():
            try:
                project.renew_lease(key, now)
            except Exception:  # noqa: BLE001 - a deleted project or a busy database: next beat tries again
                continue

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.renew()

    def interrupt_all(self) -> None:
        """At exit (SIGTERM ends the server normally): this process's running jobs read interrupted at once."""
        for project, key in self.held():
            try:
                project.mark_interrupted(key)
            except Exception:  # noqa: BLE001 - exiting: nothing else to do
                continue


KEEPER = LeaseKeeper()
atexit.register(KEEPER.interrupt_all)
at_stop(KEEPER.interrupt_all)       # a server stopped with jobs running exits before atexit runs
