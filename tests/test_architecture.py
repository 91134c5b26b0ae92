"""Structural rules the codebase promises: a pure engine, thin pages, nothing fetched from a CDN."""

from __future__ import annotations

import re
import subprocess
import sys

from fixture_paths import ROOT

CDN = re.compile(r"cdn\.jsdelivr|d3js\.org|unpkg\.com|cdnjs\.|cdn\.plot\.ly")


def test_core_never_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("*.py")
                 if re.search(r"^\s*(import streamlit|from streamlit)", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
    # and importing the whole engine does not pull it in transitively
    code = ("import sys, pkgutil, importlib, core\n"
            "for m in pkgutil.walk_packages(core.__path__, 'core.'):\n"
            "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


def test_no_cdn_urls_in_the_product():
    files = [*ROOT.glob("*.py"), *(ROOT / "core").rglob("*.py"), *(ROOT / "pages").rglob("*.py"),
             *(ROOT / "ui").rglob("*.py")]
    assert [str(p.relative_to(ROOT)) for p in files if CDN.search(p.read_text(encoding="utf-8"))] == []


def test_pages_stay_thin():
    for page in (ROOT / "pages").glob("*.py"):
        assert len(page.read_text(encoding="utf-8").splitlines()) <= 250, page.name
