"""The installed product, not the checkout: build the wheel, install it into a fresh virtualenv
outside the checkout, and use it from another folder (marker `install`; `make test` runs it,
`make install-check` runs only it).

- `topiclens inspect` and `topiclens terms` read a Chinese CSV and rank its words with the bundled
  stopword lists;
- `topiclens serve --port P` (no --workspace: ./workspace of the folder it starts in, next to a
  hostile .streamlit/config.toml there) serves a dashboard that Chromium opens: the demo corpus
  loads, every page is reachable, nothing is fetched from outside 127.0.0.1.

The venv has no system site-packages and reuses pip's cache (torch==2.13.0 comes from the local
wheel folder pip is configured with). Wheel size and install time are printed in the summary.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from fixture_paths import ROOT

pytestmark = pytest.mark.install

# What the product must carry (paths inside the wheel).
SHIPPED = ["topiclens_app/app.py", "topiclens_app/.streamlit/config.toml", "topiclens_app/assets/icon.png",
           "topiclens_app/assets/stopwords/zh_merged.txt", "topiclens_app/assets/stopwords/en_sklearn.txt",
           "topiclens_app/assets/demo_zh_news_titles.csv", "topiclens_app/assets/demo_en_ag_news.csv",
           "core/locale/zh_CN/LC_MESSAGES/topiclens.mo", "core/resources.py", "core/settings.py", "ui/serve.py",
           *(f"topiclens_app/pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py")))]
PAGES = ["Corpus", "Terms", "Topics", "Fine-tune", "Projects"]
_SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "workspace", "__pycache__", "*.egg-info",
                               ".pytest_cache", ".topiclens", "out", "tests", "bench")
# Stopwords the Chinese CSV is full of: the bundled list must remove them.
ZH_STOP = ["的", "了", "是", "在", "我们"]
ZH_ROWS = [
    "我们的股市今天是在上涨的，投资者的信心回升了",
    "股市的波动是投资者关心的问题，我们在观察",
    "球迷在热议国足的主教练人选，我们是球迷",
    "国足的比赛是在周末，球迷的热情很高",
    "央行的政策是在调整的，股市和基金受到了影响",
    "新款手机的芯片是在发布会上公布的，我们很期待",
]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no checkout on the path, no TopicLens settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TOPICLENS_", "PYTHON", "VIRTUAL_ENV", "STREAMLIT_"))}
    env.update(LANG="C.UTF-8", HF_HUB_OFFLINE="1", **extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory, measurements):
    """(venv bin folder, a folder outside the checkout) with the freshly built wheel installed."""
    base = tmp_path_factory.mktemp("installed")
    assert not base.resolve().is_relative_to(ROOT.resolve())
    src, dist, venv = base / "src", base / "dist", base / "venv"
    shutil.copytree(ROOT, src, ignore=_SKIP)   # a clean tree: no stale build/ leftovers in the wheel
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(src)], check=True, timeout=600, cwd=base)
    build_s = time.monotonic() - started
    (wheel,) = dist.glob("topiclens-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [n for n in SHIPPED if n not in names] == []
    assert not any(n.split("/")[0] in ("pages", "assets", "tests", "bench", "app.py") for n in names)

    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, env=_clean_env())
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    started = time.monotonic()
    subprocess.run([*pip, str(wheel)], check=True, timeout=1800, env=_clean_env(), cwd=base)
    install_s = time.monotonic() - started
    measurements.append(
        f"wheel {wheel.name}: {wheel.stat().st_size / 1024:.0f} KiB (built in {build_s:.1f} s); "
        f"pip install into a fresh venv: {install_s:.1f} s; venv size "
        f"{sum(f.stat().st_size for f in venv.rglob('*') if f.is_file()) / 2**20:.0f} MiB")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return venv / "bin", elsewhere


def test_the_wheel_installs_the_whole_product_away_from_the_checkout(installed):
    bin_dir, elsewhere = installed
    code = ("import core, ui, topiclens_app, streamlit, pyarrow, defusedxml; from core import resources, __version__; "
            "from importlib.metadata import version; "
            "print(core.__file__); print(resources.app_script()); print(resources.asset('stopwords', 'zh_merged.txt')); "
            "print(__version__ == version('topiclens')); print(streamlit.__version__)")
    out = subprocess.run([str(bin_dir / "python"), "-c", code], capture_output=True, text=True, check=True,
                         cwd=elsewhere, env=_clean_env(), timeout=300).stdout.splitlines()
    site = bin_dir.parent / "lib"
    assert all(Path(p).resolve().is_relative_to(site.resolve()) for p in out[:3]), out
    assert out[3] == "True" and out[4].startswith("1.67."), out


def test_inspect_and_terms_rank_chinese_words_with_the_bundled_stopwords(installed):
    bin_dir, elsewhere = installed
    data = elsewhere / "评论.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("text", "label"), *((t, "x") for t in ZH_ROWS)])
    run = dict(capture_output=True, text=True, cwd=elsewhere, env=_clean_env(), timeout=300)
    inspect = subprocess.run([str(bin_dir / "topiclens"), "inspect", data.name], **run)
    assert inspect.returncode == 0, inspect.stderr
    summary = json.loads(inspect.stdout)
    assert summary["rows"] == len(ZH_ROWS) and summary["text_col"] == "text" and summary["language_mix"]["zh"] == 6

    terms = subprocess.run([str(bin_dir / "topiclens"), "terms", data.name, "--top", "10", "--out", "terms.csv"], **run)
    assert terms.returncode == 0, terms.stderr
    with (elsewhere / "terms.csv").open(encoding="utf-8-sig") as fh:
        ranked = [row["term"] for row in csv.DictReader(fh)]
    assert ranked[:3] and {"股市", "球迷"} <= set(ranked), ranked
    assert not set(ZH_STOP) & set(ranked), ranked          # zh_merged.txt was found and applied

    bad = subprocess.run([str(bin_dir / "topiclens"), "inspect", data.name],
                         **{**run, "env": _clean_env(TOPICLENS_MAX_INPUT_MB="lots")})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "TOPICLENS_MAX_INPUT_MB" in bad.stderr


def test_serve_runs_the_dashboard_and_every_page_is_reachable(installed, chromium, tmp_path):
    from browser.browser_helpers import _free_port, offline_page, wait_for_app, wait_for_port
    from playwright.sync_api import expect

    bin_dir, elsewhere = installed
    folder = elsewhere / "served"
    (folder / ".streamlit").mkdir(parents=True)
    # A project-level config in the current folder must not change the product's settings.
    (folder / ".streamlit" / "config.toml").write_text("[server]\nmaxUploadSize = 7\n", encoding="utf-8")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(bin_dir / "topiclens"), "serve", "--port", str(port)], cwd=folder,
                                env=_clean_env(), stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(proc, port, log, seconds=120)
        page = offline_page(chromium)
        try:
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            wait_for_app(page)
            sidebar = page.locator('[data-testid="stSidebar"]')
            expect(sidebar).to_contain_text("demo_zh_news_titles.csv", timeout=60_000)
            # The shipped upload limit (500 MB), not the current folder's 7 MB.
            expect(page.get_by_text("500MB", exact=False).first).to_be_visible(timeout=30_000)
            assert page.get_by_text("7MB", exact=False).count() == 0
            # Load the other demo corpus through the page, as a user would.
            page.locator('[data-testid="stSelectbox"]').filter(has_text="demo corpus").click()
            page.get_by_role("option", name="English AG News (400, 4 labels)").click()
            page.get_by_role("button", name="Load demo").click()
            expect(sidebar).to_contain_text("demo_en_ag_news.csv", timeout=60_000)
            expect(sidebar).to_contain_text("400 documents")
            nav = page.locator('[data-testid="stSidebarNav"]')
            for name in [*PAGES[1:], PAGES[0]]:
                nav.get_by_role("link", name=name).click()
                expect(page.get_by_role("heading", name=name).first).to_be_visible(timeout=60_000)
                wait_for_app(page)
                assert page.locator('[data-testid="stException"]').count() == 0, name
            assert page.page_errors == [] and page.blocked_requests == []
        finally:
            page.context.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    text = log.read_text()
    assert f"open http://127.0.0.1:{port}/" in text, text[-2000:]
    assert (folder / "workspace" / "projects.db").is_file()   # the default workspace: ./workspace
