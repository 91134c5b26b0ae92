"""Shared fixtures. Everything here is generated or ships in assets/: no ../shared needed."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _private_workspace(tmp_path_factory, monkeypatch):
    """Every test gets its own workspace (projects, saved models): none leaks into ./workspace or
    into another test. Tests that need a particular folder set TOPICLENS_WORKSPACE themselves."""
    if "TOPICLENS_WORKSPACE" not in os.environ:
        monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))


@pytest.fixture(autouse=True)
def _bugs_raise(monkeypatch):
    """In tests an unexpected error raises (AppTest's `exception`, a CLI traceback) instead of the short
    message users get, so no bug hides behind it. Tests of that message unset it."""
    monkeypatch.setenv("TOPICLENS_DEBUG", "1")


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch):
    """Tests read English messages and the CLI follows LANG / LC_ALL: pin English (subprocesses
    inherit it), whatever the machine's locale. test_cli_i18n.py and test_i18n.py set Chinese."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright, one for the session (never `playwright install`)."""
    from browser.browser_helpers import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def zh_rows() -> list[tuple[str, str]]:
    return [
        ("中国队在世界杯预选赛中取得胜利", "体育"),
        ("央行宣布下调存款准备金率", "财经"),
        ("新款手机发布，搭载最新芯片", "科技"),
        ("球迷热议国足主教练人选", "体育"),
        ("股市大涨，投资者信心回升", "财经"),
    ]


@pytest.fixture
def zh_csv_bytes(zh_rows) -> bytes:
    lines = ["text,label"] + [f"{t},{l}" for t, l in zh_rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- test tiers
# Markers (registered in pyproject.toml) applied here by path and by what a test uses, so the test
# files stay as they are; `make test-fast` deselects every tier below.
_BY_PATH = {"browser": ("browser/",), "dask": ("test_executor_dask.py",), "install": ("test_installed_product.py",)}
# Over about 5 s each on the shared 2-core machine (`make test` prints the slowest 15 with --durations).
SLOW = (
    "tests/test_architecture.py::test_core_never_imports_streamlit",          # imports the whole engine: 20 s
    "tests/test_finetune_train.py::test_from_scratch_learns_well_above_chance",  # trains a model: 14 s
    "tests/test_cli_inspect.py::test_console_script_bad_column_no_traceback",  # a fresh interpreter: 12 s
    "tests/test_finetune_sources.py::test_length_preview_never_downloads_a_hub_model",
    "tests/test_parallel_tokenize.py::test_parallel_equals_single_process_on_a_review_corpus_sample",
    "tests/test_projects_store.py::test_every_fit_is_stored_as_it_lands_and_a_reopened_sweep_is_identical",
    "tests/test_projects_store.py::test_concurrent_writers_never_corrupt_and_last_writer_wins",
    "tests/test_topics_sweep.py::test_a_sweep_waits_for_a_free_cpu_and_shows_its_place_in_the_queue",
)


def _apptest_names(module) -> set[str]:
    """Module-level functions and fixtures that run AppTest, directly or through another one."""
    import inspect
    import re

    sources = {}
    for name, obj in vars(module).items():
        unwrap = getattr(obj, "_get_wrapped_function", None)   # a @pytest.fixture
        fn = unwrap() if callable(unwrap) else obj
        if inspect.isfunction(fn) and getattr(fn, "__module__", None) == module.__name__:
            try:
                sources[name] = inspect.getsource(fn)
            except (OSError, TypeError):
                continue
    found = {n for n, src in sources.items() if "AppTest" in src}
    while True:
        more = {n for n, src in sources.items() if n not in found
                and any(re.search(rf"\b{re.escape(f)}\b", src) for f in found)}
        if not more:
            return found
        found |= more


def pytest_collection_modifyitems(config, items):
    cache: dict[str, set[str]] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        for marker, parts in _BY_PATH.items():
            if any(p in path for p in parts):
                item.add_marker(marker)
        if any(item.nodeid.startswith(s) for s in SLOW):
            item.add_marker("slow")
        module = getattr(item, "module", None)
        if module is not None and "browser/" not in path:
            names = cache.setdefault(module.__name__, _apptest_names(module))
            used = {item.originalname if hasattr(item, "originalname") else item.name, *item.fixturenames}
            if used & names:
                item.add_marker("apptest")


_MEASURED = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def measurements(pytestconfig) -> list[str]:
    """Lines a test measured (wheel size, install time): printed at the end of the run."""
    return pytestconfig.stash.setdefault(_MEASURED, [])


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(_MEASURED, [])
    if lines:
        terminalreporter.section("installed product")
        for line in lines:
            terminalreporter.write_line(line)
