"""Real browser, network blocked: upload, sweep, label, then reload and restart the server: it is all
still there at the same address; a second browser never sees the first one's projects."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from browser_helpers import offline_page, start_streamlit, start_sweep, stop_streamlit
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixture_paths import DEMO_EN  # noqa: E402


def _label_first_topic(page, text: str) -> None:
    """Type into the 'label' cell of topic 0 of the label editor (a canvas grid: click by position;
    focusing the grid may scroll the page, so the cell is clicked again until it stays put)."""
    grid = page.locator('[data-testid="stDataFrame"] canvas[data-testid="data-grid-canvas"]').last
    grid.scroll_into_view_if_needed()
    for _ in range(4):
        page.wait_for_timeout(600)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 250, box["y"] + 36 + 17)          # header 36 px, rows 35 px
        page.wait_for_timeout(600)
        if grid.bounding_box()["y"] == box["y"]:
            break
    page.keyboard.press("Enter")                     # open the cell editor, then type into it
    page.wait_for_timeout(500)
    page.keyboard.type(text, delay=30)
    page.keyboard.press("Enter")
    page.wait_for_timeout(2500)                      # the edit reaches the server on the next rerun


def _sees_label(page, text: str) -> None:
    expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=90_000)
    expect(page.get_by_text(f"0: {text}").first).to_be_visible(timeout=30_000)


def test_project_survives_reload_and_restart_and_stays_private(chromium, tmp_path):
    workspace = tmp_path / "ws"
    proc, base = start_streamlit(workspace)
    port = int(base.rsplit(":", 1)[1])
    page = offline_page(chromium)
    try:
        page.goto(base, wait_until="domcontentloaded")
        expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
        assert "project=" in page.url
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(DEMO_EN))
        expect(page.get_by_text("Loaded 400 rows from demo_en_ag_news.csv")).to_be_visible(timeout=60_000)

        page.get_by_role("link", name="Topics", exact=True).click()
        expect(page.get_by_text("Start a sweep to compare k values")).to_be_visible(timeout=60_000)
        start_sweep(page, 2, 3, 1, iterations=10)
        expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=150_000)
        _label_first_topic(page, "Markets")
        page.get_by_text("Topic cards", exact=True).click()
        _sees_label(page, "Markets")
        address = page.url
        assert "/topics?project=" in address

        page.reload()                                       # a new session on the same address
        _sees_label(page, "Markets")                        # corpus, sweep, label and the chosen view
        expect(page.get_by_text("demo_en_ag_news.csv").first).to_be_visible()

        stop_streamlit(proc)                                # the server stops: nothing in memory survives
        # Restarted in private mode (as a server listening beyond this machine is by default): each browser
        # lists only the projects it created or opened, remembered across restarts by its cookie.
        proc, _ = start_streamlit(workspace, port=port, env={"TOPICLENS_LIST_ALL_PROJECTS": "0"})
        page.goto(f"{base}/?project={address.split('project=')[1]}", wait_until="domcontentloaded")
        expect(page.get_by_text("400 documents").first).to_be_visible(timeout=60_000)
        page.get_by_role("link", name="Topics", exact=True).click()
        _sees_label(page, "Markets")
        assert page.page_errors == [] and page.blocked_requests == []

        page.goto(base, wait_until="domcontentloaded")     # no address: a new demo project, same browser
        expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
        page.get_by_role("link", name="Projects", exact=True).click()
        expect(page.get_by_text("Private mode")).to_be_visible(timeout=60_000)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Project").click()
        mine = page.get_by_role("option").all_inner_texts()
        assert any("ag_news" in o for o in mine), mine      # its earlier project, remembered by the cookie
        page.keyboard.press("Escape")

        stranger = offline_page(chromium)                   # another browser: private by default
        stranger.goto(base, wait_until="domcontentloaded")
        expect(stranger.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
        assert stranger.url.split("project=")[1] != address.split("project=")[1]
        stranger.get_by_role("link", name="Projects", exact=True).click()
        expect(stranger.get_by_text("Private mode")).to_be_visible(timeout=60_000)
        stranger.locator('[data-testid="stSelectbox"]').filter(has_text="Project").click()
        options = stranger.get_by_role("option").all_inner_texts()
        assert len(options) == 1 and not any(re.search("ag_news", o) for o in options), options
        stranger.context.close()
    finally:
        page.context.close()
        stop_streamlit(proc)
