"""Paths the tests share. Import this (`from fixture_paths import ...`), never `conftest`:
tests/ and tests/browser/ both have a conftest module, so `import conftest` can find the wrong one."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
DEMO_ZH = ASSETS / "demo_zh_news_titles.csv"
DEMO_EN = ASSETS / "demo_en_ag_news.csv"
SHARED = ROOT.parent / "shared" / "corpora"
