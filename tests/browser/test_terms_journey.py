"""Real browser: open the Terms page on the bundled demo corpus and see the ranking chart,
the per-group small multiples and the rendered formulas."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from core import terms as T
from core.corpus import load_path
from core.preprocess import tokenize

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo_zh_news_titles.csv"


def test_terms_page_shows_chart_groups_and_formulas(live_server, browser_page, tmp_path):
    corpus = load_path(DEMO)
    tm = T.build_term_matrix(tokenize(corpus.texts).docs)
    top_term = T.rank_terms(tm, T.Scheme(), "mean", 1)["term"].iloc[0]

    page = browser_page
    page.goto(live_server, wait_until="domcontentloaded")
    expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Terms").click()

    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=60_000)
    expect(chart.locator(".ytick text", has_text=top_term).first).to_be_visible()
    assert chart.locator(".bars path").count() == 20          # default top N bars drawn
    with page.expect_download() as download:                   # the CSV is built on click
        page.get_by_role("button", name="CSV", exact=True).click()
    csv = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("rank,term") and csv.splitlines()[1].startswith(f"1,{top_term},")

    page.locator('[data-testid="stRadio"]').get_by_text("Groups", exact=True).click()
    grid = page.locator('[data-testid="stPlotlyChart"]').first
    expect(grid.locator(".annotation-text", has_text="体育")).to_be_visible(timeout=30_000)
    assert grid.locator(".annotation-text").count() == len(set(corpus.labels)) == 10

    page.locator('[data-testid="stRadio"]').get_by_text("Formulas & worked example", exact=True).click()
    expect(page.locator(".katex").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("The textbook example", exact=False)).to_be_visible()
    page.screenshot(path=str(tmp_path / "terms.png"), full_page=True)
    assert (tmp_path / "terms.png").stat().st_size > 10_000
    assert not page.page_errors
    assert page.blocked_requests == []  # nothing fetched from outside 127.0.0.1
