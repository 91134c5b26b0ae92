"""The CLI's language: LANG / LC_ALL pick it (zh_* Chinese, anything else English), `--lang zh|en`
anywhere on the command line overrides them; help, argparse's own words, error lines and the
report follow it, and nothing of it leaks into the process after `main` returns."""

from __future__ import annotations

import argparse
import re

import pytest

from core import i18n
from core.cli import build_parser, lang_from_argv, main
from core.cli.formatting import display_width, wrap
from core.i18n import gettext_in
from fixture_paths import DEMO_ZH

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
DESCRIPTION = "TopicLens: exploratory topic analysis, headless."
INSPECT = ("Read a corpus file the way the dashboard does and print what was found (rows, columns, encoding, "
           "quality) as JSON.")
NO_FILE = "Give a corpus FILE, or --project NAME to use a project's corpus."


def use_locale(monkeypatch, lang: str) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)


def help_text(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


def bad_input(argv: list[str], capsys) -> str:
    """The one stderr line of a refused command (exit 2)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err.strip()


def argparse_error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err.strip()


def test_the_catalog_has_the_cli_in_chinese():
    for msgid in (DESCRIPTION, INSPECT, NO_FILE, "usage: ", "options", "positional arguments", "error: {message}",
                  "invalid %(type)s value: %(value)r", "argument %(argument_name)s: %(message)s"):
        assert CJK.search(gettext_in("zh", msgid)), msgid


def test_chinese_locale_gives_chinese_help_and_errors(monkeypatch, capsys):
    use_locale(monkeypatch, "zh_CN.UTF-8")
    out = help_text(["--help"], capsys)
    assert out.startswith("用法：topiclens")
    assert gettext_in("zh", DESCRIPTION) in out and DESCRIPTION not in out
    assert "\n选项：\n" in out and "\n位置参数：\n" in out and "显示此帮助信息并退出" in out
    assert "show this help message" not in out and "options:" not in out
    out = help_text(["inspect", "--help"], capsys)
    assert out.startswith("用法：topiclens inspect")
    assert "按仪表盘的方式读取语料文件" in out and "Read a corpus file" not in out
    assert "--text-col" in out   # flags stay as they are typed
    # an InputError from the CLI, argparse's own errors: one Chinese line, exit 2
    err = bad_input(["sweep", "--k", "3:4:1"], capsys)
    assert err == "错误：" + gettext_in("zh", NO_FILE)
    err = argparse_error(["topics", str(DEMO_ZH), "--k", "5", "--top", "abc"], capsys)
    assert err == "错误：参数 --top：无效的 int 值：'abc'"
    err = argparse_error(["topics", str(DEMO_ZH), "--k", "abc"], capsys)     # a declared bound (core.params)
    assert err == "错误：参数 --k：'abc' 不是 2 到 500 之间的数字"
    err = argparse_error(["inspect"], capsys)
    assert err.startswith("错误：") and "FILE" in err and "required" not in err
    err = argparse_error(["inspect", str(DEMO_ZH), "--txt-mode", "page"], capsys)
    assert err.startswith("错误：参数 --txt-mode：") and "'page'" in err and "invalid choice" not in err


@pytest.mark.parametrize("locale", ["en_US.UTF-8", "C", "C.UTF-8", ""])
def test_other_locales_give_english_with_no_chinese(locale, monkeypatch, capsys):
    use_locale(monkeypatch, locale)
    for argv in (["--help"], ["inspect", "--help"], ["topics", "--help"], ["project", "--help"]):
        out = help_text(argv, capsys)
        assert out.startswith("usage: topiclens") and "options:" in out and not CJK.search(out), argv
    assert DESCRIPTION in help_text(["--help"], capsys)
    assert bad_input(["sweep", "--k", "3:4:1"], capsys) == "error: " + NO_FILE
    err = argparse_error(["topics", str(DEMO_ZH), "--k", "abc"], capsys)
    assert err == "error: argument --k: 'abc' is not a number from 2 to 500"
    err = argparse_error(["inspect"], capsys)
    assert err == "error: the following arguments are required: FILE"


def test_lang_option_overrides_the_environment(monkeypatch, capsys):
    use_locale(monkeypatch, "en_US.UTF-8")
    out = help_text(["--lang", "zh", "--help"], capsys)                 # before the subcommand
    assert gettext_in("zh", DESCRIPTION) in out
    out = help_text(["inspect", "--help", "--lang=zh"], capsys)         # after it, as --lang=zh
    assert out.startswith("用法：") and "按仪表盘的方式读取语料文件" in out
    assert bad_input(["sweep", "--k", "3:4:1", "--lang", "zh"], capsys).startswith("错误：请给出语料文件")
    assert "还没有项目" in (main(["project", "list", "--lang", "zh"]), capsys.readouterr().err)[1]
    use_locale(monkeypatch, "zh_CN.UTF-8")
    out = help_text(["topics", "--help", "--lang", "en"], capsys)
    assert out.startswith("usage: ") and not CJK.search(out)
    assert bad_input(["sweep", "--lang", "en", "--k", "3:4:1"], capsys) == "error: " + NO_FILE


def test_language_and_argparse_are_restored_after_a_run(monkeypatch, capsys):
    use_locale(monkeypatch, "zh_CN.UTF-8")
    saved = argparse._, argparse.ngettext
    bad_input(["sweep", "--k", "3:4:1"], capsys)
    help_text(["--help"], capsys)
    assert i18n.language() == "en"
    assert (argparse._, argparse.ngettext) == saved


def test_lang_is_the_output_language_and_text_lang_the_tokenizer():
    args = build_parser().parse_args(["terms", "x.csv", "--text-lang", "zh", "--lang", "en"])
    assert args.lang == "zh" and args.output_lang == "en"        # PreprocessSettings reads args.lang
    args = build_parser().parse_args(["--lang", "zh", "terms", "x.csv"])
    assert args.lang == "auto" and args.output_lang == "zh"       # a subcommand does not reset it
    assert not hasattr(build_parser().parse_args(["terms", "x.csv"]), "output_lang")
    assert lang_from_argv(["terms", "--lang", "zh"]) == "zh"
    assert lang_from_argv(["terms", "--lang=en", "--lang", "zh"]) == "zh"
    assert lang_from_argv(["terms", "--lang", "auto"]) is None        # refused later by argparse
    assert lang_from_argv(["terms", "--", "--lang", "zh"]) is None
    assert lang_from_argv(["terms", "--text-lang", "zh"]) is None


def test_the_old_tokenizer_values_of_lang_are_refused(monkeypatch, capsys):
    use_locale(monkeypatch, "C")
    err = argparse_error(["terms", str(DEMO_ZH), "--lang", "auto"], capsys)
    assert err.startswith("error: argument --lang: invalid choice: 'auto'")


def test_every_subcommand_takes_lang():
    parser = build_parser()
    for argv in (["inspect", "f"], ["terms", "f"], ["sweep", "f"], ["topics", "f", "--k", "3"],
                 ["finetune", "f"], ["project", "list"], ["project", "show", "p"], ["project", "delete", "p"]):
        assert parser.parse_args([*argv, "--lang", "zh"]).output_lang == "zh", argv


def test_chinese_help_wraps_by_display_width():
    text = "文档的语言，供分词器使用：auto（自动检测）、zh 或 en（原为 --lang，该选项现在设置输出语言）" * 2
    lines = wrap(text, 30)
    assert len(lines) > 3 and all(display_width(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[:1] in "，。、；：）" or line[-1:] == "（" for line in lines)
    assert wrap("plain English words wrap at spaces", 12) == ["plain", "English", "words wrap", "at spaces"]


@pytest.mark.parametrize("argv_lang, locale, html_lang", [
    (["--lang", "zh"], "en_US.UTF-8", "zh-CN"),
    ([], "C.UTF-8", "en"),
])
def test_report_follows_the_output_language(argv_lang, locale, html_lang, tmp_path, monkeypatch, capsys):
    use_locale(monkeypatch, locale)
    rep = tmp_path / "report.html"
    rc = main(["topics", str(DEMO_ZH), "--text-col", "text", "--k", "2", "--iterations", "5", "--jobs", "1",
               "--report", str(rep), *argv_lang])
    assert rc == 0
    err = capsys.readouterr().err
    text = rep.read_text(encoding="utf-8")
    assert re.search(rf"<html lang=['\"]{html_lang}['\"]", text)
    if html_lang == "zh-CN":
        assert "已将报告写入" in err and "wrote the report" not in err
        assert "demo_zh_news_titles.csv 中的主题" in text
    else:
        assert "wrote the report to" in err and not CJK.search(err.replace(str(DEMO_ZH), ""))
