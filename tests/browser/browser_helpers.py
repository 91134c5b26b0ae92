"""Helpers for browser tests (import this, not conftest: see tests/fixture_paths.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has rendered and finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(workspace: Path, port: int | None = None, env: dict | None = None):
    """A `streamlit run app.py` on 127.0.0.1 over `workspace`; returns (process, base URL) once it listens."""
    port = port or _free_port()
    workspace.mkdir(parents=True, exist_ok=True)
    log = open(workspace / f"streamlit-{port}.log", "a")
    full_env = dict(os.environ, TOPICLENS_WORKSPACE=str(workspace), HF_HUB_OFFLINE="1", **(env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )
    proc.log = log
    wait_for_port(proc, port, workspace / f"streamlit-{port}.log")
    return proc, f"http://127.0.0.1:{port}"


def wait_for_port(proc, port: int, log: Path, seconds: float = 60) -> None:
    """Return once 127.0.0.1:`port` accepts connections; RuntimeError (with the log's end) if `proc` exits first."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the server did not open its port within {seconds:.0f} s: {log.read_text()[-2000:]}")


def stop_streamlit(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    proc.log.close()


def offline_page(chromium, locale: str = "en-US", width: int = 1400, height: int = 1000):
    """A page in a fresh browser context (a new Streamlit session) that may only reach 127.0.0.1.

    The browser's language is pinned (`locale`): the app picks its interface language from it."""
    context = chromium.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked: list[str] = []

    def only_local(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:  # the app must work offline: record what it tried to fetch
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.page_errors = errors      # uncaught page errors
    page.blocked_requests = blocked  # requests that left 127.0.0.1
    return page




@contextmanager
def serve(workspace: Path, env: dict | None = None):
    """`start_streamlit` as a context manager: yields (process, base URL), stops the server after."""
    proc, base = start_streamlit(workspace, env=env)
    try:
        yield proc, base
    finally:
        stop_streamlit(proc)


def start_sweep(page, k_min: int, k_max: int, step: int, iterations: int, engine: str | None = None) -> None:
    """Fill the Topics page's sweep form (engine: a visible option name, e.g. "scikit-learn") and start."""
    import re

    for label, value in (("Smallest k", k_min), ("Largest k", k_max), ("Step", step)):
        box = page.get_by_label(label, exact=True)
        box.fill(str(value))
        box.press("Tab")
    page.get_by_label("Iterations", exact=True).fill(str(iterations))
    if engine is not None:
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Engine").click()
        page.get_by_role("option", name=re.compile(engine)).click()
    page.get_by_role("button", name="Start sweep").click()
