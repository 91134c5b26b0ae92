"""Real browser, network blocked: what a new user ran into (issue 11), checked where users see it.

1 the sidebar's corpus status stays on pages that stop early (Topics before/during a sweep,
  a bad project link); 3 topic colours never repeat past 10 topics; 5 a workbook with a README
  sheet asks which sheet, in the open; 6 the sweep form keeps its values across a page switch;
  8 a bad project link says the project was not found.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
from browser_helpers import start_sweep
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_page_corpus import xlsx_bytes  # noqa: E402

SIDEBAR = '[data-testid="stSidebar"]'


def test_sweep_page_keeps_status_form_and_distinct_colours(live_server, browser_page):
    page = browser_page
    page.goto(live_server, wait_until="domcontentloaded")
    expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Topics", exact=True).click()
    expect(page.get_by_text("Start a sweep to compare k values")).to_be_visible(timeout=60_000)
    # 1: the Topics page stopped early (no sweep yet), the frame's status is still drawn
    expect(page.locator(SIDEBAR)).to_contain_text("demo_zh_news_titles.csv")
    expect(page.locator(SIDEBAR)).to_contain_text("600 documents")

    start_sweep(page, 2, 11, 9, iterations=5, engine="scikit-learn")   # k max 11: not the form default (12)
    expect(page.get_by_text(re.compile(r"Step [12] of 2"))).to_be_visible(timeout=60_000)   # 2: start-up is a step
    expect(page.locator(SIDEBAR)).to_contain_text("600 documents")                          # 1: during the sweep

    # 6: away and back while it runs (or after): the form shows what was started, not its defaults
    page.get_by_role("link", name="Corpus", exact=True).click()
    expect(page.get_by_text("Data quality")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Topics", exact=True).click()
    expect(page.get_by_text("1 · Sweep", exact=True)).to_be_visible(timeout=60_000)
    page.get_by_text("1 · Sweep", exact=True).click()   # Explore opens by itself once the sweep has finished
    expect(page.get_by_label("Largest k", exact=True)).to_have_value("11", timeout=60_000)
    expect(page.get_by_label("Step", exact=True)).to_have_value("9")
    expect(page.get_by_label("Iterations", exact=True)).to_have_value("5")

    # 3: an 11-topic model: eleven topic panels, eleven different bar colours (topic 10 is not topic 0's blue)
    explore = page.get_by_text("2 · Explore a model", exact=True)
    expect(explore.or_(page.get_by_text("The shortlist and the models are under"))).to_be_visible(timeout=180_000)
    if not explore.is_visible():   # finished before we looked: the Sweep section we chose stays open
        page.get_by_text("2 · Explore", exact=True).click()
    expect(explore).to_be_visible(timeout=60_000)
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Number of topics k")
    picker.click()
    page.get_by_role("option", name="11", exact=True).click()
    page.get_by_text("Topic cards", exact=True).click()
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator("g.trace.bars")).first
    expect(chart.locator("g.trace.bars")).to_have_count(11, timeout=60_000)
    fills = chart.locator("g.trace.bars").evaluate_all(
        "gs => gs.map(g => getComputedStyle(g.querySelector('path')).fill)")
    assert len(fills) == 11 and len(set(fills)) == 11, fills
    assert fills[10] != fills[0]
    assert not page.page_errors, page.page_errors
    assert page.blocked_requests == []


def test_workbook_with_a_readme_sheet_asks_which_sheet(live_server, browser_page, tmp_path):
    page = browser_page
    page.goto(live_server, wait_until="domcontentloaded")
    expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
    book = tmp_path / "book.xlsx"
    book.write_bytes(xlsx_bytes({"README": pd.DataFrame({"about": ["This workbook", "keeps its data", "in sheet 2"]}),
                            "data": pd.DataFrame({"text": [f"第{i}篇文档的内容" for i in range(20)]})}))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(book))
    expect(page.get_by_text("Loaded 20 rows from book.xlsx")).to_be_visible(timeout=30_000)
    # 5: asked in the open (the "How the file is read" expander stays collapsed), with row counts
    question = page.get_by_text("This workbook has several sheets with data: which one holds the documents?")
    expect(question).to_be_visible()
    sheet_box = page.get_by_role("combobox", name="This workbook has several sheets with data")
    expect(sheet_box).to_have_value("data (20 rows)")
    sheet_box.click()
    page.get_by_role("option", name="README (3 rows)").click()
    expect(page.get_by_text("Loaded 3 rows from book.xlsx")).to_be_visible(timeout=30_000)
    expect(page.locator(SIDEBAR)).to_contain_text("3 documents")
    assert not page.page_errors, page.page_errors
    assert page.blocked_requests == []


def test_bad_project_link_says_not_found(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/?project=0123456789abcdefWRONG", wait_until="domcontentloaded")
    # 8: a message, not a blank form; 1: the sidebar status is drawn even though the page stops
    expect(page.get_by_text("That project was not found", exact=False)).to_be_visible(timeout=60_000)
    expect(page.locator(SIDEBAR)).to_contain_text("Loaded corpus")
    page.get_by_role("link", name="Fine-tune", exact=True).click()
    expect(page.get_by_text("Load a corpus on the", exact=False)).to_be_visible(timeout=60_000)
    expect(page.locator(SIDEBAR)).to_contain_text("Loaded corpus")
    assert not page.page_errors, page.page_errors
    assert page.blocked_requests == []
