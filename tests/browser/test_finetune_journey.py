"""Real browser: start a tiny fine-tune from the page, switch pages while it runs, come back to the
finished result, then reload (a new Streamlit session) and find the job again through the URL."""

from __future__ import annotations

import re

from browser_helpers import wait_for_app
from playwright.sync_api import expect


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value), timeout=30_000)
    wait_for_app(page)


def test_finetune_survives_page_switch_and_reload(live_server, browser_page):
    page = browser_page
    page.goto(live_server)
    wait_for_app(page)
    page.get_by_role("link", name="Fine-tune").click()
    wait_for_app(page)
    expect(page.get_by_text("Start fine-tuning")).to_be_visible(timeout=60_000)

    page.get_by_text("Model size (from scratch)").click()
    for label, value in (("WordPiece vocabulary", 500), ("Hidden size", 32), ("Feed-forward size", 64)):
        set_number(page, label, value)
    page.get_by_text("Training settings").click()
    set_number(page, "Epochs", 6)

    page.get_by_role("button", name="Start fine-tuning").click()
    expect(page.get_by_text(re.compile(r"elapsed \d+ s"))).to_be_visible(timeout=60_000)
    assert "project=" in page.url

    page.get_by_role("link", name="Terms").click()                  # leave while it trains
    expect(page.get_by_role("heading", name="Terms")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)
    page.get_by_role("link", name="Fine-tune").click()               # come back: same session
    expect(page.get_by_role("heading", name=re.compile("^Results"))).to_be_visible(timeout=180_000)
    # (the results table holds the same words in hidden grid cells: match the visible caption)
    expect(page.locator("p", has_text="Model: compact BERT trained from scratch")).to_be_visible()
    assert "project=" in page.url                                    # re-asserted on every run

    page.reload()                                                    # a new session: found via ?project=<id>
    expect(page.get_by_role("heading", name=re.compile("^Results"))).to_be_visible(timeout=60_000)
    assert page.page_errors == []
    assert page.blocked_requests == []  # nothing fetched from outside 127.0.0.1
