"""A live `streamlit run` of the app and Debian's Chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import pytest
from browser_helpers import offline_page, start_streamlit, stop_streamlit


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the dashboard served on 127.0.0.1 for this test session."""
    proc, base = start_streamlit(tmp_path_factory.mktemp("workspace"))
    yield base
    stop_streamlit(proc)


# `chromium` (one browser for the whole session) is in tests/conftest.py: the install check drives it too,
# and Playwright's sync API cannot be started twice in one thread.


@pytest.fixture
def browser_page(chromium):
    page = offline_page(chromium)
    yield page
    page.context.close()
