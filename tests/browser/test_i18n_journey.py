"""Real browser, network blocked: the interface speaks the browser's language (issue 12).

zh-CN gets Chinese titles, labels and buttons on every page, with nothing cut off at 1440x900 or
1024x768; en-US gets English; the sidebar switch changes the language without losing the corpus
or a running sweep; the Chinese stakeholder report opens offline and draws with a system CJK font.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import ROOT, offline_page, start_sweep, wait_for_app
from playwright.sync_api import expect

sys.path.insert(0, str(ROOT))
from core.i18n import gettext_in  # noqa: E402

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,'-]+[A-Za-z][a-z]+){3,}\b")
PAGES = ["Corpus", "Terms", "Topics", "Fine-tune", "Projects"]
SWITCH = {"简体中文", "English", "Language · 语言"}


def zh(text: str) -> str:
    return gettext_in("zh", text)


# Labels, buttons, tabs, expanders and navigation links, as the reader sees them.
_INTERFACE_TEXT = """() => [...document.querySelectorAll(
    'h1, h2, h3, [data-testid="stWidgetLabel"], button, [role="tab"], [data-testid="stExpander"] summary,'
    + ' [data-testid="stSidebarNavLink"], [data-testid="stCaptionContainer"], [data-testid="stAlertContainer"]')]
    .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
    .map(el => el.innerText.trim()).filter(t => t)"""

# Text cut off: an element (or a child) that hides overflow and is narrower than its text; or a
# button that sticks out of the block it sits in.
_CUT_OFF = """() => {
  const bad = [];
  const roots = document.querySelectorAll('[data-testid="stWidgetLabel"], button, [role="tab"],'
    + ' [data-testid="stSidebarNavLink"], [data-testid="stExpander"] summary');
  for (const root of roots) {
    if (root.offsetParent === null || !root.innerText.trim()) continue;   // hidden, or an icon only
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const st = getComputedStyle(el);
      const hides = ['hidden', 'clip'].includes(st.overflowX) || st.textOverflow === 'ellipsis';
      if (hides && el.scrollWidth > el.clientWidth + 1) { bad.push('cut: ' + root.innerText.slice(0, 40)); break; }
    }
    if (root.tagName === 'BUTTON') {
      const box = root.closest('[data-testid="stVerticalBlock"]');
      if (box && root.getBoundingClientRect().right > box.getBoundingClientRect().right + 1)
        bad.push('overflows: ' + root.innerText.slice(0, 40));
    }
  }
  return bad;
}"""


def _open(chromium, base: str, locale: str, width: int, height: int):
    page = offline_page(chromium, locale=locale, width=width, height=height)
    page.goto(base, wait_until="domcontentloaded")
    wait_for_app(page)
    return page


@pytest.mark.parametrize("width,height", [(1440, 900), (1024, 768)])
def test_chinese_browser_gets_a_chinese_interface_that_fits(live_server, chromium, width, height):
    page = _open(chromium, live_server, "zh-CN", width, height)
    try:
        for title in PAGES:
            page.locator(SIDEBAR).get_by_role("link", name=zh(title), exact=True).click()
            expect(page.locator("h1").first).to_have_text(zh(title), timeout=60_000)
            page.wait_for_timeout(1500)   # let the page finish drawing its widgets
            texts = [t for t in page.evaluate(_INTERFACE_TEXT) if t not in SWITCH]
            assert any(CJK.search(t) for t in texts)
            english = [m.group(0) for t in texts for m in [ENGLISH_PHRASE.search(t)] if m]
            assert not english, f"{title}: English in the Chinese interface: {english[:6]}"
            if title == "Corpus":   # Streamlit's own "Upload" button, restyled (ui/chrome.py)
                shown = page.locator('[data-testid="stFileUploaderDropzone"] button p').first.evaluate(
                    "el => getComputedStyle(el, '::after').content")
                assert zh("Upload") in shown, shown
            cut = page.evaluate(_CUT_OFF)
            assert not cut, f"{title} at {width}x{height}: {cut[:6]}"
        assert not page.page_errors and not page.blocked_requests
    finally:
        page.context.close()


def test_english_browser_and_the_switch_keep_the_corpus_and_a_running_sweep(live_server, chromium):
    page = _open(chromium, live_server, "en-US", 1440, 900)
    try:
        expect(page.locator("h1").first).to_have_text("Corpus", timeout=60_000)
        page.wait_for_timeout(1500)
        chinese = [t for t in page.evaluate(_INTERFACE_TEXT) if t not in SWITCH and CJK.search(t)
                   and "demo_zh" not in t]
        assert not chinese, chinese[:6]
        page.locator(SIDEBAR).get_by_role("link", name="Topics", exact=True).click()
        expect(page.get_by_label("Smallest k", exact=True)).to_be_visible(timeout=60_000)
        start_sweep(page, 2, 8, 2, iterations=300, engine="scikit-learn")   # long enough to switch mid-way
        expect(page.get_by_role("button", name="Cancel sweep")).to_be_visible(timeout=60_000)

        page.locator(SIDEBAR).get_by_text("简体中文", exact=True).click()
        expect(page.locator("h1").first).to_have_text(zh("Topics"), timeout=60_000)
        expect(page.locator(SIDEBAR).get_by_role("link", name=zh("Corpus"), exact=True)).to_be_visible()
        expect(page.locator(SIDEBAR)).to_contain_text("demo_zh_news_titles.csv")        # the corpus stayed
        # the sweep kept running through the switch and finishes, announced in Chinese
        expect(page.get_by_text(zh("2 · Explore a model"), exact=True)).to_be_visible(timeout=300_000)

        page.locator(SIDEBAR).get_by_text("English", exact=True).click()
        expect(page.locator("h1").first).to_have_text("Topics", timeout=60_000)
        assert not page.page_errors and not page.blocked_requests
    finally:
        page.context.close()


def test_the_chinese_report_opens_offline_with_a_system_cjk_font(tmp_path, chromium):
    out = tmp_path / "report.html"
    corpus = ROOT / "assets" / "demo_zh_news_titles.csv"
    proc = subprocess.run([sys.executable, "-m", "core.cli", "topics", str(corpus), "--k", "4", "--iterations", "20",
                           "--engine", "sklearn", "--report", str(out), "--lang", "zh"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    installed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    families = {f.strip() for line in installed.splitlines() for f in line.split(",") if f.strip()}
    assert families, "no CJK font on this machine (make browser-deps installs fonts-noto-cjk)"

    page = offline_page(chromium, locale="zh-CN")
    try:
        page.set_content(out.read_text(encoding="utf-8"), wait_until="load")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        heading = page.locator("h1").first
        expect(heading).to_contain_text(re.compile(r"[\u4e00-\u9fff]"))
        stack = heading.evaluate("el => getComputedStyle(el).fontFamily")
        listed = [f.strip().strip('"\'') for f in stack.split(",")]
        assert any(f in families for f in listed), f"none of {listed} is an installed CJK font ({sorted(families)[:5]})"
        # Glyphs drawn, not boxes: Chinese text set in that stack is as wide as the CJK font makes it.
        widths = page.evaluate("""(stack) => {
            const c = document.createElement('canvas').getContext('2d');
            const w = f => { c.font = '32px ' + f; return c.measureText('主题模型困惑度').width; };
            return [w(stack), w('"Noto Sans CJK SC"')];
        }""", stack)
        assert abs(widths[0] - widths[1]) < 1 and widths[0] > 32 * 6
        assert not page.blocked_requests, page.blocked_requests
        assert not page.page_errors, page.page_errors
    finally:
        page.context.close()
