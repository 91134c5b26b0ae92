"""core.settings: every TOPICLENS_* variable declared once, read at call time, checked at start-up, in the README."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from fixture_paths import DEMO_ZH, ROOT
from core import settings
from core.cli import main
from core.errors import InputError

NAME = re.compile(r"TOPICLENS_[A-Z][A-Z0-9_]*[A-Z0-9]")
PRODUCT = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "core").rglob("*.py")]
# Reading the environment directly: os.environ[...] / .get(...) / getenv(...) with a TOPICLENS_ name or a
# constant holding one (the constants below are names passed to core.settings).
DIRECT_READ = re.compile(r"(environ\s*\.get\s*\(|getenv\s*\()\s*(['\"]TOPICLENS_|[A-Z_]*_ENV\b)"
                         r"|environ\s*\[\s*(['\"]TOPICLENS_\w+['\"]|[A-Z_]*_ENV)\s*\](?!\s*=[^=])")


def test_every_name_the_product_mentions_is_declared():
    mentioned = {m for p in PRODUCT if p.name != "settings.py" for m in NAME.findall(p.read_text(encoding="utf-8"))}
    assert mentioned - set(settings.SETTINGS) - settings.NOT_SETTINGS == set()
    assert set(settings.SETTINGS) - mentioned == set()   # and none is declared that nothing reads


def test_only_core_settings_reads_them_from_the_environment():
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in PRODUCT if p.name != "settings.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if DIRECT_READ.search(line)]
    assert offenders == []


def test_readme_table_is_generated_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- settings-table[^>]*-->\n(.*?)\n<!-- /settings-table -->", readme, re.S)
    assert table is not None, "README lost its settings table markers"
    assert table.group(1).strip() == settings.readme_table(), (
        "README settings table is stale: paste the output of settings.readme_table()")


def test_values_are_read_at_call_time(monkeypatch):
    monkeypatch.delenv("TOPICLENS_MAX_INPUT_MB", raising=False)
    assert settings.get("TOPICLENS_MAX_INPUT_MB") == 500.0
    monkeypatch.setenv("TOPICLENS_MAX_INPUT_MB", "1.5")
    assert settings.get("TOPICLENS_MAX_INPUT_MB") == 1.5
    from core.files import max_input_bytes

    assert max_input_bytes() == int(1.5 * 2**20)
    monkeypatch.setenv("TOPICLENS_LIST_ALL_PROJECTS", "Yes")
    assert settings.get("TOPICLENS_LIST_ALL_PROJECTS") is True
    monkeypatch.setenv("TOPICLENS_CPU_JOBS", "3")
    assert settings.get("TOPICLENS_CPU_JOBS") == 3
    monkeypatch.setenv("TOPICLENS_MODEL_ROOTS", f"/a{settings.os.pathsep}~/b")
    assert [p.name for p in settings.get("TOPICLENS_MODEL_ROOTS")] == ["a", "b"]


@pytest.mark.parametrize("name, value", [
    ("TOPICLENS_MAX_INPUT_MB", "lots"), ("TOPICLENS_MAX_INPUT_MB", "0"), ("TOPICLENS_MAX_INPUT_MB", "-5"),
    ("TOPICLENS_MAX_ZIP_RATIO", "inf"), ("TOPICLENS_CACHE_MB", "nan"), ("TOPICLENS_CPU_JOBS", "0"),
    ("TOPICLENS_CPU_JOBS", "2.5"), ("TOPICLENS_DEBUG", "maybe"), ("TOPICLENS_LIST_ALL_PROJECTS", "2"),
    ("TOPICLENS_DASK_SCHEDULER", "tcp://host:port"), ("TOPICLENS_DASK_SCHEDULER", "a b"),
])
def test_a_bad_value_is_one_clear_error_and_the_default_at_call_time(name, value):
    found = settings.problems({name: value})
    assert len(found) == 1 and isinstance(found[0], InputError)
    text = str(found[0])
    assert text.startswith(f"{name}={value!r} is not valid: give ") and "\n" not in text
    with pytest.raises(InputError):
        settings.check({name: value})


@pytest.mark.parametrize("name, value", [
    ("TOPICLENS_MAX_INPUT_MB", " 12.5 "), ("TOPICLENS_CPU_JOBS", "4"), ("TOPICLENS_DEBUG", "0"),
    ("TOPICLENS_DASK_SCHEDULER", "tcp://10.0.0.5:8786"), ("TOPICLENS_DASK_SCHEDULER", "scheduler:8786"),
    ("TOPICLENS_WORKSPACE", "~/tl"), ("TOPICLENS_MODEL_ROOTS", "/srv/models"), ("TOPICLENS_MAX_ZIP_RATIO", "50"),
])
def test_good_values_pass(name, value):
    assert settings.problems({name: value}) == []


def test_unknown_names_are_listed_not_refused():
    env = {"TOPICLENS_MAX_INPUTMB": "1", "TOPICLENS_SHOTS": "/tmp", "TOPICLENS_DEBUG": "1"}
    assert settings.unknown(env) == ["TOPICLENS_MAX_INPUTMB"]
    settings.check(env)


def test_the_cli_stops_at_start_up_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("TOPICLENS_MAX_ZIP_RATIO", "huge")
    assert main(["inspect", str(DEMO_ZH)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "error: TOPICLENS_MAX_ZIP_RATIO='huge' is not valid: give a number above 0.\n"


def test_the_cli_warns_about_an_unknown_name(monkeypatch, capsys):
    monkeypatch.setenv("TOPICLENS_MAX_INPUTMB", "1")
    assert main(["inspect", str(DEMO_ZH)]) == 0
    assert capsys.readouterr().err == "warning: TOPICLENS_MAX_INPUTMB is not a TopicLens setting; ignored\n"


def test_the_start_up_error_is_translated(monkeypatch):
    env = {**settings.os.environ, "TOPICLENS_CPU_JOBS": "many", "LANG": "zh_CN.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "core.cli", "serve", "--port", "8599"], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and "TOPICLENS_CPU_JOBS='many'" in lines[0]
    assert "无效" in lines[0], lines[0]   # the template itself is translated, not only "error:"
