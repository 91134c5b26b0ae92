"""Real browser, fresh servers: every page address works as the very first request after a
(re)start, inside the app's own navigation (never Streamlit's pages/ auto-discovery)."""

from __future__ import annotations

import re

from browser_helpers import serve, wait_for_app
from core.projects.store import ProjectStore
from playwright.sync_api import expect

NAV = ["Corpus", "Terms", "Topics", "Fine-tune"]


def _check_page(chromium, url: str, heading: str, shows: str | None = None) -> None:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(url, wait_until="domcontentloaded")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=60_000)
        nav = page.locator('[data-testid="stSidebarNav"]')
        for name in NAV:
            expect(nav.get_by_role("link", name=name)).to_be_visible()
        # Streamlit's auto-discovered pages would be named after the files: app, corpus, terms, ...
        assert nav.get_by_role("link", name="app", exact=True).count() == 0
        assert nav.get_by_role("link", name="topics", exact=True).count() == 0
        wait_for_app(page)
        assert page.get_by_text(re.compile(r"^Load a corpus on the")).count() == 0  # the frame ran: the demo corpus is there
        if shows is not None:
            expect(page.get_by_text(shows).first).to_be_visible(timeout=30_000)
        # the language switch is the frame's: a page run alone has none
        expect(page.locator('[data-testid="stSidebar"]').get_by_text("简体中文")).to_be_visible()
        assert not errors
    finally:
        context.close()


def test_deep_links_work_first_on_a_fresh_and_a_restarted_server(chromium, tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    with serve(workspace) as (_, url):  # first request of the process: /topics
        _check_page(chromium, f"{url}/topics", "Topics")
        _check_page(chromium, f"{url}/terms", "Terms")
    with serve(workspace) as (_, url):  # restarted on the same workspace: a job link first
        _check_page(chromium, f"{url}/finetune?job=0123456789ab.not-a-token", "Fine-tune")
        _check_page(chromium, f"{url}/", "Corpus")
    project = ProjectStore(workspace).list()[0]
    with serve(workspace) as (_, url):  # restarted again: a project's own address on the Projects page first
        _check_page(chromium, f"{url}/projects?project={project.id}", "Projects",
                    shows=f"This project: {project.name}")


def test_column_names_never_render_as_links(live_server, browser_page, tmp_path):
    """Column names that GFM would auto-link (URL, www., e-mail), shown in the sidebar, are plain text.
    (Short names: longer ones with punctuation read as a headerless file's first row.)"""
    page = browser_page
    page.goto(live_server, wait_until="domcontentloaded")
    wait_for_app(page)
    csv = tmp_path / "links.csv"
    csv.write_text("http://x.io,www.x.io,me@x.io\n"
                   "a first longer document text,x,y\nanother longer document text,x,y\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(csv))
    expect(page.get_by_text("Loaded 2 rows from links.csv")).to_be_visible(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("links.csv", timeout=30_000)
    shown = sidebar.inner_text().replace("\u2060", "")
    assert "text: http://x.io" in shown  # readable, only not a link
    links = page.locator('a[href*="x.io"]')
    assert links.count() == 0, [links.nth(i).evaluate("e => e.parentElement.outerHTML.slice(0, 300)")
                                for i in range(links.count())]
