"""The files TopicLens ships besides its code, found through the import system, never the checkout.

The wheel maps the repository's top level into one package, `topiclens_app` (pyproject.toml,
[tool.setuptools.package-dir]): the frame `app.py`, the `pages/`, the `assets/` (stopword lists,
demo corpora, icon) and `.streamlit/config.toml`. The translation catalogs are package data of
`core` (core/locale). The same lookups work in a checkout installed with `pip install -e .` (the
editable finder maps `topiclens_app` to the repository root) and in a wheel installed anywhere.

    app_script()                   # .../topiclens_app/app.py (Streamlit runs it by path)
    asset("stopwords", "zh_merged.txt")
    locale_dir()                   # .../core/locale (gettext wants a folder)

`topiclens_app` has no `__init__.py` (the repository root is not a package), so it is a namespace
package: its folder comes from its import spec rather than `importlib.resources.files`, which
cannot read an editable install's namespace path in Python 3.11.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

APP_PACKAGE = "topiclens_app"
FRAME = "app.py"


class MissingResource(RuntimeError):
    """The install lacks a file the product ships (a broken or partial install)."""


@lru_cache(maxsize=1)
def app_root() -> Path:
    """The folder of the `topiclens_app` package: app.py, pages/, assets/, .streamlit/."""
    spec = importlib.util.find_spec(APP_PACKAGE)
    for entry in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(entry)
        if (folder / FRAME).is_file():
            return folder.resolve()
    raise MissingResource(f"package {APP_PACKAGE} not found: reinstall TopicLens (pip install topiclens)")  # i18n: skip (install broken: before any catalog)


def app_script() -> Path:
    """The frame Streamlit runs; the pages are found next to it (pages/*.py)."""
    return app_root() / FRAME


def asset(*parts: str) -> Path:
    """A file under assets/, e.g. asset("stopwords", "zh_merged.txt")."""
    path = app_root().joinpath("assets", *parts)
    if not path.is_file():
        raise MissingResource(f"missing bundled file assets/{'/'.join(parts)}: reinstall TopicLens")  # i18n: skip (install broken)
    return path


def streamlit_config() -> Path:
    """The shipped .streamlit/config.toml (what `topiclens serve` applies, from any folder)."""
    return app_root() / ".streamlit" / "config.toml"


def locale_dir() -> Path:
    """core/locale, the compiled gettext catalogs (package data of `core`)."""
    return Path(str(files("core") / "locale"))
