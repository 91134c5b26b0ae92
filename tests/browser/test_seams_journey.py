"""Real browser (issue 18): the k and λ chosen on Explore survive Terms-and-back and a reload, and the
Projects page of a loopback server lists the analyst's project and one the CLI made."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from browser_helpers import ROOT, serve, start_sweep, wait_for_app
from playwright.sync_api import expect

from fixture_paths import DEMO_ZH


def _chosen(page) -> tuple[str, str]:
    """(k, λ) as the Explore widgets show them."""
    k = page.get_by_role("combobox", name="Number of topics k")
    lam = page.locator('[data-testid="stSliderThumbValue"]').first
    expect(k).to_be_visible(timeout=60_000)
    expect(lam).to_be_visible(timeout=60_000)
    return k.input_value(), lam.inner_text().strip()


def _pick(page, label: str, option: str) -> None:
    """Choose `option` in the selectbox `label` (clicks again if a rerun closed the list)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    for _attempt in range(5):
        box.click()
        try:
            expect(page.get_by_role("option", name=option, exact=True)).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            continue
    page.get_by_role("option", name=option, exact=True).click()


def test_k_and_lambda_survive_a_page_switch_and_a_reload_and_projects_are_listed(chromium, browser_page, tmp_path):
    workspace = tmp_path / "ws"
    with serve(workspace) as (_proc, base):
        page = browser_page
        page.goto(base, wait_until="domcontentloaded")
        expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
        page.get_by_role("link", name="Topics", exact=True).click()
        expect(page.get_by_text("Start a sweep to compare k values")).to_be_visible(timeout=60_000)
        start_sweep(page, 2, 5, 1, iterations=5, engine="scikit-learn")
        expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=150_000)
        wait_for_app(page)

        _pick(page, "Number of topics k", "4")
        expect(page.get_by_role("combobox", name="Number of topics k")).to_have_value("4", timeout=30_000)
        wait_for_app(page)
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(30):                     # 0.60 -> 0.30, one 0.01 step a key press
            slider.press("ArrowLeft")
        page.wait_for_timeout(2_000)            # the last key presses reach the server
        wait_for_app(page)
        chosen = _chosen(page)
        assert chosen[0] == "4" and float(chosen[1]) <= 0.35, chosen

        page.get_by_role("link", name="Terms", exact=True).click()
        expect(page.get_by_role("heading", name="Terms")).to_be_visible(timeout=60_000)
        wait_for_app(page)
        page.get_by_role("link", name="Topics", exact=True).click()
        expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=60_000)
        wait_for_app(page)
        assert _chosen(page) == chosen, "k and λ came back reset after Terms and back"

        page.reload(wait_until="domcontentloaded")
        expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=60_000)
        wait_for_app(page)
        assert _chosen(page) == chosen, "k and λ came back reset after a reload"

        env = {**os.environ, "TOPICLENS_WORKSPACE": str(workspace)}
        made = subprocess.run([sys.executable, "-m", "core.cli", "sweep", str(DEMO_ZH), "--project", "CLI overnight",
                               "--k", "2:2", "--engine", "sklearn", "--iterations", "3"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        page.reload(wait_until="domcontentloaded")
        wait_for_app(page)
        page.get_by_role("link", name="Projects", exact=True).click()
        expect(page.get_by_text("Listing every project in this workspace")).to_be_visible(timeout=60_000)
        table = page.locator('[data-testid="stDataFrame"]').first
        expect(table).to_contain_text("CLI overnight", timeout=30_000)
        expect(table).to_contain_text("Demo: Chinese news titles")
        assert not page.page_errors, page.page_errors


def test_sigterm_to_the_server_records_its_running_sweep_interrupted_promptly(chromium, browser_page, tmp_path):
    """SIGTERM while a sweep fits: the server exits within seconds (it does not finish the sweep for
    nobody), the record reads interrupted, and no pool worker is left fitting."""
    import json
    import signal
    import sqlite3
    import time

    import psutil

    from browser_helpers import start_streamlit

    workspace = tmp_path / "ws"
    proc, base = start_streamlit(workspace)
    try:
        page = browser_page
        page.goto(base, wait_until="domcontentloaded")
        expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
        page.get_by_role("link", name="Topics", exact=True).click()
        expect(page.get_by_text("Start a sweep to compare k values")).to_be_visible(timeout=60_000)
        start_sweep(page, 2, 80, 2, iterations=5000)
        db = sqlite3.connect(workspace / "projects.db")
        records = lambda: [json.loads(v) for (v,) in db.execute("SELECT value FROM fields WHERE key LIKE 'sweep:%'")]
        deadline = time.time() + 120
        while time.time() < deadline and not any((r.get("n_models") or 0) >= 1 for r in records()):
            time.sleep(0.5)
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True)
                   if "popen_loky_posix" in " ".join(c.cmdline())]
        assert workers and records()[0]["status"] == "running"
        started = time.time()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        took = time.time() - started
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.log.close()
    record = records()[0]
    assert record["status"] == "interrupted" and (record.get("n_models") or 0) < 40, record
    assert took < 30, f"the server took {took:.0f} s to stop"
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "pool workers kept fitting after the server stopped"
