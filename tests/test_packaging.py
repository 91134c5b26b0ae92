"""What the wheel maps and how the product finds its files (the wheel itself: test_installed_product.py)."""

from __future__ import annotations

import re
import tomllib

from fixture_paths import ROOT
from core import __version__, resources

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PRODUCT = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "core").rglob("*.py")]


def test_every_package_of_the_tree_is_in_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for top in ("core", "ui") for p in (ROOT / top).rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    data = {"core.locale", "core.locale.zh_CN", "core.locale.zh_CN.LC_MESSAGES", "topiclens_app.assets",
            "topiclens_app.assets.stopwords"}
    assert listed - found == {"topiclens_app", "topiclens_app.pages", *data}
    assert all((ROOT / p.replace("topiclens_app.", "").replace(".", "/")).is_dir() for p in data)
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"topiclens_app": "."}


def test_one_version_string():
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "core.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_streamlit_is_bounded_to_one_minor_series():
    deps = PYPROJECT["project"]["dependencies"]
    assert "streamlit>=1.67,<1.68" in deps
    names = {re.split(r"[<>=!~ \[]", d)[0].lower() for d in deps}
    assert {"pyarrow", "defusedxml"} <= names and "accelerate" not in names


def test_product_code_never_finds_files_relative_to_the_checkout():
    pattern = re.compile(r"__file__|\.parent\.parent|parents\[\d\]|[\"']assets[/\"']")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in PRODUCT if p.name != "resources.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_resources_are_found_through_the_import_system():
    assert resources.app_script().is_file() and resources.app_script().name == "app.py"
    assert (resources.app_root() / "pages" / "corpus.py").is_file()
    assert resources.asset("stopwords", "zh_merged.txt").read_text(encoding="utf-8").splitlines()[0].strip()
    assert (resources.locale_dir() / "zh_CN" / "LC_MESSAGES" / "topiclens.mo").is_file()
    assert resources.streamlit_config().is_file()
    try:
        resources.asset("no-such-file.txt")
    except resources.MissingResource as exc:
        assert "assets/no-such-file.txt" in str(exc)
    else:
        raise AssertionError("a missing bundled file must be reported")
