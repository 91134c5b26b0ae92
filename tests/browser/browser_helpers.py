"""Helpers for browser tests (import this, not conftest: see tests/fixture_paths.py)."""


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has rendered and finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout)
