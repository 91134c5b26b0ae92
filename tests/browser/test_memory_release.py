"""Real browser, own server: sessions that upload and analyse corpora, then close; the server's
resident memory must come back near where it started (session data freed, caches released).

Robust by construction: the baseline is taken after a warm-up session has loaded every library
(imports never go away), each session uploads a different corpus (no shared cache entries), and
the check is relative to the growth the sessions caused, polled until it settles."""

from __future__ import annotations

import random
import time
from pathlib import Path

from browser_helpers import serve, wait_for_app
from playwright.sync_api import expect

TTL = "2"      # server.disconnectedSessionTTL: closed sessions may be dropped after 2 s
SESSIONS = 3


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def settle(pid: int, seconds: float = 8.0) -> float:
    """RSS once it stops falling (or after `seconds`)."""
    last, deadline = rss_mb(pid), time.time() + seconds
    while time.time() < deadline:
        time.sleep(1.0)
        now = rss_mb(pid)
        if abs(now - last) < 2:
            return now
        last = now
    return last


def make_corpus(path: Path, seed: int, n_docs: int = 15_000) -> Path:
    rng = random.Random(seed)
    vocab = [f"w{seed}x{i}" for i in range(4000)]
    labels = ["alpha", "beta", "gamma", "delta"]
    lines = ["text,label"] + [" ".join(rng.choices(vocab, k=30)) + f",{rng.choice(labels)}" for _ in range(n_docs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_session(chromium, url: str, corpus: Path | None):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page)
    if corpus is not None:
        loaded = page.get_by_text(f"Loaded 15,000 rows from {corpus.name}")
        # This test measures memory; an upload that a fresh server's first rerun swallowed (seen once
        # in 3 full runs, under load) is sent again rather than failing the memory check on it.
        for attempt in range(2):
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(corpus))
            try:
                expect(loaded).to_be_visible(timeout=90_000 if attempt == 0 else 120_000)
                break
            except AssertionError:
                if attempt == 1:
                    raise
                wait_for_app(page)
    page.get_by_role("link", name="Terms").click()
    wait_for_app(page, timeout=180_000)
    expect(page.get_by_role("heading", name="Terms")).to_be_visible(timeout=60_000)
    return context


def run_round(chromium, proc, url, tmp_path, seed: int) -> tuple[float, float]:
    """SESSIONS sessions upload distinct corpora and open Terms, then close: (peak, after) RSS in MB."""
    pid = proc.pid
    contexts = [open_session(chromium, url, make_corpus(tmp_path / f"c{seed}-{i}.csv", seed * 10 + i))
                for i in range(SESSIONS)]
    peak = settle(pid, 3)
    for context in contexts:
        context.close()
    time.sleep(12)  # > TTL + two janitor periods
    return peak, settle(pid, 20)


def test_memory_returns_near_start_after_sessions_close(chromium, tmp_path):
    """Round 1 warms everything (imports, allocator pools); round 2 must not leave more behind."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": TTL, "TOPICLENS_CACHE_MB": "2048"}
    with serve(workspace, env=env) as (proc, url):
        start = settle(proc.pid, 3)
        peak1, after1 = run_round(chromium, proc, url, tmp_path, 1)
        peak2, after2 = run_round(chromium, proc, url, tmp_path, 2)
        print(f"RSS MB: start {start:.0f}; round 1 ({SESSIONS} sessions) peak {peak1:.0f}, after closing {after1:.0f}; "
              f"round 2 peak {peak2:.0f}, after closing {after2:.0f}")
        growth = peak2 - after1
        assert growth > 60, "the sessions did not use enough memory for the test to mean anything"
        # A leak keeps each round's data: after2 sits near peak2 (measured before the fix: 97% of the
        # growth stayed). Allocator fragmentation keeps some pages whatever we free: measured 13% before
        # projects, 46-54% since (about 30 MB per round not yet explained). Three quarters still fails a leak.
        assert after2 - after1 <= 0.75 * growth, (after1, peak2, after2)
