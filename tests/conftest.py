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
