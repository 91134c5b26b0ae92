"""A live `streamlit run` of the app and Debian's Chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import pytest
from browser_helpers import ARGS, CHROMIUM, offline_page, start_streamlit, stop_streamlit


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the dashboard served on 127.0.0.1 for this test session."""
    proc, base = start_streamlit(tmp_path_factory.mktemp("workspace"))
    yield base
    stop_streamlit(proc)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    page = offline_page(chromium)
    yield page
    page.context.close()
