"""Freeing what a browser session owned once the session is over.

Each session holds owners (its session id, its fine-tune token); an owner held by no live
session is released: its jobs and the cache entries no other session uses are dropped. An owner
adopted by a second session (a reload with ?job=) is released only when the last holder ends.

A session counts as over when either
- Streamlit drops it and its `st.session_state` is collected (a finalizer on a `_SessionEnd`
  object stored there), or
- it has not been active (no websocket) for longer than `server.disconnectedSessionTTL`, checked
  by a janitor thread every `JANITOR_S` seconds with `Runtime.is_active_session`: something can
  keep a dropped session's state alive (a worker thread's context), and Streamlit 1.67 removes
  expired sessions only lazily, at the next connection; the janitor also reaps those.
After a release the garbage collector runs and freed heap pages go back to the OS (glibc
`malloc_trim`), so the server's resident memory really comes down.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import MutableMapping

JANITOR_S = 5.0
_KEY = "_session_end"


@dataclass(eq=False)
class _Holding:
    session: str                        # Streamlit's session id ("" when unknown, e.g. AppTest)
    owners: set[str] = field(default_factory=set)
    done: bool = False
    inactive_since: float | None = None


class _SessionEnd:
    def __init__(self, holding: _Holding):
        self.holding = holding


class Releaser:
    """Process-wide: counts holders per owner and releases owners from the cache and the jobs."""

    def __init__(self, store, registry):
        self.store, self.registry = store, registry
        self.count: Counter[str] = Counter()
        self.holdings: dict[str, _Holding] = {}
        self.lock = threading.Lock()
        self.released = 0  # owners released so far (tests, logs)
        self.collect_sweeps = 0
        threading.Thread(target=self._janitor, name="session-janitor", daemon=True).start()

    def hold(self, session_state: MutableMapping, owner: str) -> None:
        end = session_state.get(_KEY)
        if end is None:
            holding = _Holding(_streamlit_session_id())
            end = session_state[_KEY] = _SessionEnd(holding)
            # The finalizer may run inside the garbage collector while this thread holds a cache
            # lock: it only starts a thread that does the work.
            weakref.finalize(end, self._start_release, holding)
            if holding.session:
                with self.lock:
                    self.holdings[holding.session] = holding
        holding = end.holding
        if owner not in holding.owners:
            with self.lock:
                holding.owners.add(owner)
                self.count[owner] += 1
            self.registry.hold(owner)

    def _start_release(self, holding: _Holding) -> None:
        threading.Thread(target=self.release, args=(holding,), name="session-release", daemon=True).start()

    def release(self, holding: _Holding) -> None:
        """The session is over: release the owners no other live session holds (idempotent)."""
        with self.lock:
            if holding.done:
                return
            holding.done = True
            self.holdings.pop(holding.session, None)
            gone = []
            for owner in holding.owners:
                self.count[owner] -= 1
                if self.count[owner] <= 0:
                    del self.count[owner]
                    gone.append(owner)
        for owner in gone:
            self.store.release(owner)
            self.registry.release(owner)
        with self.lock:
            self.released += len(gone)
        if gone:
            return_memory()
            self.collect_sweeps = 3  # what the session's threads still held goes later: collect again

    def _janitor(self) -> None:
        while True:
            time.sleep(JANITOR_S)
            try:
                self.sweep()
            except Exception:  # never let the janitor die on an internal change
                pass

    def sweep(self) -> None:
        """Release sessions inactive for longer than the disconnected-session TTL."""
        from streamlit import config, runtime

        if not runtime.exists():
            return
        if reap_expired_sessions():
            gc.collect()  # AppSession objects sit in reference cycles: their finalizers run now
        if self.collect_sweeps > 0:
            self.collect_sweeps -= 1
            return_memory()
        rt, now = runtime.get_instance(), time.monotonic()
        ttl = float(config.get_option("server.disconnectedSessionTTL") or 0)
        with self.lock:
            holdings = list(self.holdings.values())
        for holding in holdings:
            if rt.is_active_session(holding.session):
                holding.inactive_since = None
            elif holding.inactive_since is None:
                holding.inactive_since = now
            elif now - holding.inactive_since > ttl:
                self.release(holding)


def _streamlit_session_id() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        return ctx.session_id if ctx is not None else ""
    except Exception:
        return ""


def reap_expired_sessions() -> int:
    """Drop Streamlit's expired disconnected sessions now (it would wait for the next connection).

    Uses Streamlit internals (1.67: Runtime._session_mgr._session_storage._cache.expire() under
    _session_mgr._storage_lock), and shuts each expired session down (which Streamlit never does
    for them: their uploads stayed in memory). When the internals are absent it does nothing."""
    try:
        from streamlit import runtime

        manager = getattr(runtime.get_instance(), "_session_mgr", None)
        storage = getattr(manager, "_session_storage", None)
        expire = getattr(getattr(storage, "_cache", None), "expire", None)
        lock = getattr(manager, "_storage_lock", None)
        if not callable(expire) or lock is None:
            return 0
        with lock:  # the cache is not thread-safe; the manager guards it with this lock
            expired = expire()
        for _, info in expired:
            # Streamlit drops expired sessions without shutting them down: their uploaded files
            # and server-side dataframes would stay in memory for good.
            session = getattr(info, "session", None)
            if session is not None:
                session.shutdown()
        return len(expired)
    except Exception:
        return 0


def return_memory() -> None:
    """Collect, then hand freed heap pages back to the OS (glibc keeps them otherwise)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
