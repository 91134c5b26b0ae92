"""Topic map in the real app: click to drawn, measured in Chromium. Run as `python -m bench.topic_map_click`.

    python -m bench.topic_map_click [--corpus ../shared/corpora/zh_shopping_reviews.csv] [--k 20] [--reps 5]

Starts `streamlit run app.py` (as the browser tests do), uploads the corpus on the Corpus page,
sweeps k = K only (scikit-learn, default iterations), picks k = K, then, `reps` times: clicks the
"Topic cards" view, waits until the app is idle, clicks "Topic map" and stops the clock when all K
topic circles are drawn in the map's iframe. That is what a user waits for after the click: the
Streamlit rerun, building the map page (prepared data memoised after the first click), sending it,
and the browser drawing it. The first click (nothing memoised) is reported apart.

Baseline in the same run: the same click on "Topic cards" (a rerun that draws one Plotly figure),
so the ratio says what the map costs over an ordinary view switch on this machine right now.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_helpers import ARGS, CHROMIUM, start_streamlit, stop_streamlit, wait_for_app  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "zh_shopping_reviews.csv"


def _idle(page) -> None:
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)


def _fill(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS if DEFAULT_CORPUS.exists() else ROOT / "assets" / "demo_zh_news_titles.csv"))
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    proc, base = start_streamlit(Path(tempfile.mkdtemp(prefix="topiclens-bench-")))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(base, wait_until="domcontentloaded")
            wait_for_app(page)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(a.corpus)
            expect(page.get_by_text(f"from {Path(a.corpus).name}")).to_be_visible(timeout=300_000)
            _idle(page)
            page.get_by_role("link", name="Topics", exact=True).click()
            expect(page.get_by_label("Smallest k", exact=True)).to_be_visible(timeout=300_000)
            _fill(page, "Smallest k", str(a.k))
            _fill(page, "Largest k", str(a.k))
            engine = page.locator('[data-testid="stSelectbox"]').filter(has_text="Engine")
            engine.click()
            page.get_by_role("option", name="scikit-learn LDA (variational Bayes, batch)").click()
            page.get_by_role("button", name="Start sweep").click()
            expect(page.get_by_text("2 · Explore a model", exact=True)).to_be_visible(timeout=900_000)
            _idle(page)
            frame = page.frame_locator('iframe[title="st.iframe"]').first
            circles = frame.locator("circle.dot")

            def switch(view: str, done) -> float:
                t0 = time.perf_counter()
                page.get_by_text(view, exact=True).click()
                done()
                return time.perf_counter() - t0

            def cards_drawn():
                expect(page.locator('[data-testid="stPlotlyChart"] g.trace.bars')).to_have_count(a.k, timeout=120_000)
                _idle(page)

            def map_drawn():
                expect(circles).to_have_count(a.k, timeout=120_000)

            # The Topic map is the default view: the first map (nothing memoised) was drawn by the pick above.
            first = switch("Topic cards", cards_drawn), switch("Topic map", map_drawn)
            _idle(page)
            cards, maps = [], []
            for _ in range(a.reps):
                cards.append(switch("Topic cards", cards_drawn))
                maps.append(switch("Topic map", map_drawn))
                _idle(page)
            browser.close()
    finally:
        stop_streamlit(proc)
    med_map, med_cards = statistics.median(maps), statistics.median(cards)
    print(f"corpus {Path(a.corpus).name}, k = {a.k}, Chromium 1440x900 headless, {a.reps} clicks each")
    print(f"first click on Topic map after the cards: {first[1]:.2f} s")
    print(f"click on 'Topic map' -> {a.k} circles drawn: median {med_map:.2f} s "
          f"(min {min(maps):.2f}, max {max(maps):.2f})   runs {', '.join(f'{t:.2f}' for t in maps)}")
    print(f"baseline click on 'Topic cards' -> {a.k} panels drawn: median {med_cards:.2f} s "
          f"(min {min(cards):.2f}, max {max(cards):.2f})")
    print(f"ratio map / cards: {med_map / med_cards:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
