"""Real browser, network blocked: the Topics page sweep -> k -> pyLDAvis drawn, and the report file offline."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from browser_helpers import start_sweep
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from topics_fixtures import INJECTION, make_model  # noqa: E402


def test_topics_sweep_and_pyldavis_offline(live_server, browser_page, tmp_path):
    page = browser_page
    from_frame: list[str] = []   # anything the pyLDAvis iframe (srcdoc) tries to load
    page.on("request", lambda r: from_frame.append(r.url) if r.frame.url == "about:srcdoc" else None)
    page.goto(live_server, wait_until="domcontentloaded")
    expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Topics", exact=True).click()
    expect(page.get_by_text("Start a sweep to compare k values")).to_be_visible(timeout=60_000)
    title_before = page.title()

    start_sweep(page, 2, 3, 1, iterations=5, engine="scikit-learn")
    expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=150_000)
    expect(page.get_by_text("Shortlist", exact=True)).to_be_visible()

    frame = page.frame_locator('iframe[title="st.iframe"]').first
    expect(frame.locator("svg").first).to_be_attached(timeout=30_000)
    circles = frame.locator("circle.dot")
    expect(circles.first).to_be_visible(timeout=30_000)
    k = circles.count()
    assert k in (2, 3)
    # the model's own numbers label the circles (0..k-1), not pyLDAvis's 1..k
    labels = frame.locator("svg text.txt").all_text_contents()
    assert sorted(labels) == [str(i) for i in range(k)]
    circles.first.click()
    expect(frame.get_by_text(re.compile(r"Most Relevant Terms for 0: "))).to_be_visible()
    assert page.title() == title_before
    assert not page.page_errors, page.page_errors
    assert page.blocked_requests == []  # nothing fetched from outside 127.0.0.1
    assert not from_frame, from_frame   # d3, LDAvis JS and CSS are all inline
    shot = Path(os.environ.get("TOPICLENS_SHOTS", tmp_path)) / "topics.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_report_file_offline_draws_and_stays_inert(chromium, tmp_path):
    from core.topics import report

    model = make_model(k=3, n_docs=60)
    text = report.build_report(model, labels={0: INJECTION, 1: "<img src=x onerror=alert(1)>"},
                               title="Offline report")
    path = tmp_path / "report.html"
    path.write_text(text, encoding="utf-8")

    context = chromium.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    requested, errors, dialogs = [], [], []
    page.route("**/*", lambda r: (requested.append(r.request.url), r.abort())
               if not r.request.url.startswith(("file:", "about:", "data:")) else r.continue_())
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    frame = page.frame_locator("iframe.ldavis")
    expect(frame.locator("circle.dot")).to_have_count(3, timeout=20_000)
    # few topics = big circles: none may be cut off by the map's edge
    margins = frame.locator("svg").first.evaluate("""() => {
        const map = document.querySelector('svg rect').getBoundingClientRect();
        return [...document.querySelectorAll('circle.dot')].map(c => { const r = c.getBoundingClientRect();
            return Math.min(r.left - map.left, map.right - r.right, r.top - map.top, map.bottom - r.bottom); }); }""")
    assert min(margins) >= -1, margins
    expect(page.locator(".js-plotly-plot svg").first).to_be_attached()   # plotly drawn from inlined JS
    frame.locator("circle.dot").first.click()
    expect(frame.get_by_text(INJECTION, exact=False).first).to_be_visible()   # shown as literal text
    assert page.title() == "Offline report"
    assert not requested, requested
    assert not errors, errors
    assert not dialogs
    context.close()
