"""The Chinese interface: catalogs complete and compiled, every user-facing string marked, every page
rendered in zh with no English sentence and in en with no Chinese interface text."""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from core import i18n
from core.errors import InputError
from core.i18n import _, format_datetime, format_int, ngettext, use_language

import i18n_lint

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PO = ROOT / "core" / "locale" / "zh_CN" / "LC_MESSAGES" / "topiclens.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# --------------------------------------------------------------------------- catalogs
def _extracted() -> dict[str, tuple]:
    """Every marked string in the code, extracted the way `make i18n` does (babel.cfg + InputError)."""
    method_map = [("app.py", "python"), ("pages/**.py", "python"), ("ui/**.py", "python"), ("core/**.py", "python")]
    keywords = dict(DEFAULT_KEYWORDS, InputError=None, pgettext=((1, "c"), 2))
    out = {}
    for _path, _line, message, _comments, context in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            out[(context, msgid)] = message
    return out


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="zh_CN")


def _msgstr(msg) -> str:
    return msg.string[0] if isinstance(msg.string, (tuple, list)) else msg.string


def _msgid(msg) -> str:
    return msg.id[0] if isinstance(msg.id, (tuple, list)) else msg.id


def test_every_marked_string_has_a_chinese_translation(catalog):
    extracted = _extracted()
    assert len(extracted) > 300   # the whole interface, not a sample
    missing = [key for key in extracted if catalog.get(key[1], context=key[0]) is None
               or not _msgstr(catalog.get(key[1], context=key[0]))
               or catalog.get(key[1], context=key[0]).fuzzy]
    assert not missing, f"{len(missing)} marked strings lack a translation (run `make i18n`): {missing[:10]}"


def test_compiled_catalog_matches_the_po_file(catalog):
    with open(MO, "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = [_msgid(m) for m in catalog if m.id and not m.context and not isinstance(m.id, (tuple, list))
             and mo.gettext(m.id) != m.string]
    assert not stale, f"core/locale .mo is older than the .po (run `make i18n`): {stale[:5]}"


def _fields(text: str) -> list[str]:
    names = [f"{{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}"
             for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None]
    return sorted(names + re.findall(r"%\(\w+\)[sdrf]|%[sdr]", text))


def test_catalog_passes_babels_checks(catalog):
    # What `pybabel compile` refuses (and `make i18n` would fail on): mismatched %-placeholders etc.
    errors = [(_msgid(m), str(e)) for m in catalog if m.id for e in m.check(catalog)]
    assert not errors, errors[:5]


def test_translations_keep_every_placeholder(catalog):
    broken = [(_msgid(m), _msgstr(m)) for m in catalog if m.id and _msgstr(m)
              and _fields(_msgid(m)) != _fields(_msgstr(m))]
    assert not broken, broken[:5]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]{3,}", re.sub(r"\{[^}]*\}|%\(\w+\)\w", "", text))


CITATION = re.compile(r"^[A-Z][A-Za-z]+\d{4}$")   # ldatuning's metric names (Arun2010): names, never translated


def test_translations_are_chinese(catalog):
    # A msgstr without Chinese is only fine when it has no English words left ("{items}、{last}")
    # or the msgid has none (symbols, acronyms).
    english = [_msgid(m) for m in catalog if m.id and _msgstr(m) and not CJK.search(_msgstr(m))
               and _words(_msgid(m)) and (_words(_msgstr(m)) or _msgstr(m) == _msgid(m))
               and not CITATION.match(_msgid(m))]
    assert not english, english[:10]


GLOSSARY = {  # the analyst's terms, the same everywhere
    r"\bperplexity\b": "困惑度", r"\bcoherence\b": "一致性", r"\bfine-tun": "微调", r"\bbaseline\b": "基线",
    r"\bconfusion matrix\b": "混淆矩阵", r"\bstopwords?\b": "停用词", r"\bnumber of topics\b": "主题数",
    r"\btopic model": "主题模型", r"\bdocument-topic\b": "文档-主题",
}


@pytest.mark.parametrize("pattern,term", GLOSSARY.items())
def test_glossary_terms_are_consistent(catalog, pattern, term):
    off = [(_msgid(m), _msgstr(m)) for m in catalog if m.id and re.search(pattern, _msgid(m), re.I)
           and term not in _msgstr(m)]
    assert not off, off[:5]


# --------------------------------------------------------------------------- marking
def test_every_user_facing_string_is_marked():
    findings = [f for path in i18n_lint.scope_files() for f in i18n_lint.lint_file(path)]
    assert not findings, "unmarked strings:\n" + "\n".join(map(str, findings[:30]))


def test_core_error_templates_are_plain_literals():
    # InputError(f"...") cannot be extracted, so it would stay English in the Chinese interface.
    findings = [f for path in i18n_lint.core_files() for f in i18n_lint.unmarked_inputerrors(path)]
    assert not findings, "\n".join(map(str, findings[:30]))


def test_no_marker_hidden_in_an_f_string_and_no_rebound_underscore():
    paths = sorted(set(i18n_lint.core_files()) | set(i18n_lint.scope_files()))
    findings = [f for path in paths for f in i18n_lint.translation_misuse(path)]
    assert not findings, "\n".join(map(str, findings[:30]))


def test_the_linter_finds_an_unmarked_label(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('import streamlit as st\nst.button("Start the sweep", key="go")\nst.button(_("Cancel"))\n'
                     'x = {"topic_0": 1}\ny = f"{n} documents"\n')
    assert [f.text for f in i18n_lint.lint_file(probe)] == ["Start the sweep", "{} documents"]
    probe.write_text('from core.i18n import _\nhead = f"**{_(\'Loaded\')}**"\nfirst, _ = 1, 2\n')
    assert [f.line for f in i18n_lint.translation_misuse(probe)] == [2, 3]


# --------------------------------------------------------------------------- runtime
def test_core_errors_are_translated_at_the_edge():
    from core.corpus import LoadOptions, load_corpus

    with pytest.raises(InputError) as info:   # a real error, raised by core in English
        load_corpus("标题,b\n1,2\n".encode(), "x.csv", LoadOptions(text_col="正文"))
    exc = info.value
    assert str(exc).startswith("No column named '正文'") and "标题, b" in str(exc)
    with use_language("zh"):
        shown = i18n.translate_error(exc)
    assert CJK.search(shown.replace("正文", "").replace("标题", "")) and "'正文'" in shown and "标题, b" in shown
    assert not re.search(r"[A-Za-z]{3,}", shown)
    with use_language("en"):
        assert i18n.translate_error(exc) == str(exc)


def test_the_language_is_per_context_and_numbers_follow_it():
    from datetime import datetime

    with use_language("zh"):
        assert CJK.search(_("Corpus"))
        assert ngettext("{n} document", "{n} documents", 2).format(n=format_int(12345)) .startswith("12,345")
        assert "年" in format_datetime(datetime(2026, 12, 3, 11, 30))
    assert _("Corpus") == "Corpus"   # back to English outside the block
    assert format_datetime(datetime(2026, 12, 3, 11, 30)).startswith("Dec 3, 2026")


@pytest.mark.parametrize("tag,lang", [("zh-CN", "zh"), ("zh_TW.UTF-8", "zh"), ("en-US", "en"), ("fr", "en"),
                                      ("", None), (None, None)])
def test_browser_locales_map_to_a_language(tag, lang):
    assert i18n.normalize(tag) == lang


@pytest.mark.parametrize("env,lang", [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"),
                                      ({"LANG": "C"}, "en"), ({}, "en"),
                                      ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
                                      ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
                                      ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),     # POSIX order
                                      ({"LANGUAGE": "zh_CN", "LC_ALL": "C"}, "en"),
                                      ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en")])
def test_the_cli_language_follows_the_environment(env, lang):
    assert i18n.language_from_env(env) == lang


PAGES = ["pages/corpus.py", "pages/terms.py", "pages/topics.py", "pages/finetune.py", "pages/projects.py"]
TEXT_ELEMENTS = ["title", "header", "subheader", "caption", "markdown", "text", "error", "warning", "info",
                 "success", "toast"]
LABELLED = ["button", "download_button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider",
            "select_slider", "number_input", "text_input", "text_area", "file_uploader", "expander", "tabs",
            "metric", "segmented_control", "pills", "date_input", "link_button", "page_link", "status"]


def _visible_texts(at: AppTest) -> list[str]:
    out = []
    for kind in TEXT_ELEMENTS:
        out += [str(getattr(el, "value", "") or "") for el in at.get(kind)]
    for kind in LABELLED:
        for el in at.get(kind):
            out.append(str(getattr(el, "label", "") or ""))
            out.append(str(getattr(el, "help", "") or ""))
            opts = getattr(el, "options", None)
            if opts and kind in ("radio", "selectbox", "multiselect", "segmented_control", "pills"):
                out += [str(o) for o in opts]
    return [t for t in out if t.strip()]


def _page(path: str, lang: str, demo: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    if demo is not None:
        from ui.state import DEMOS, load_demo

        at.session_state["corpus"] = load_demo(next(d for d in DEMOS if demo in d))
    at.run()
    if path != PAGES[0]:
        at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,'-]+[A-Za-z][a-z]+){3,}\b")
LANGUAGE_SWITCH = {"简体中文", "English"}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_in_chinese_has_no_english_sentence(path):
    at = _page(path, "zh")
    texts = [t for t in _visible_texts(at) if t not in LANGUAGE_SWITCH]
    assert any(CJK.search(t) for t in texts)
    english = [m.group(0) for t in texts for m in [ENGLISH_PHRASE.search(t)] if m]
    assert not english, f"{path}: English left in the Chinese interface: {english[:8]}"


@pytest.mark.parametrize("path", PAGES)
def test_each_page_in_english_has_no_chinese_interface_text(path):
    at = _page(path, "en", demo="English")   # an English corpus, so any CJK on screen is interface text
    texts = [t for t in _visible_texts(at) if t not in LANGUAGE_SWITCH and t != "Language · 语言"]
    chinese = [t for t in texts if CJK.search(t)]
    assert not chinese, f"{path}: Chinese in the English interface: {chinese[:8]}"


def test_the_switch_changes_the_language_and_keeps_the_corpus():
    from ui.state import LANG_KEY, LANG_SWITCH

    at = _page("pages/corpus.py", "zh")   # the frame's first run draws the switch
    corpus = at.session_state["corpus"]
    assert at.title[0].value == i18n.gettext_in("zh", "Corpus") != "Corpus"
    at.radio(key=LANG_SWITCH).set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Corpus"
    assert at.session_state["corpus"] is corpus and at.session_state[LANG_KEY] == "en"
    at.switch_page("pages/terms.py").run()   # stays English on the next page (the frame is not rerun here)
    assert at.title[0].value == "Terms"


def test_streamlit_and_plotly_fixed_english_is_restyled_in_chinese():
    from ui.chrome import chrome_css

    assert chrome_css("en") == ""
    css = chrome_css("zh")
    zoom = i18n.gettext_in("zh", "Zoom")
    assert zoom != "Zoom" and f'[data-title="Zoom"]::after{{content:"{zoom}" !important}}' in css
    assert f'content:"{i18n.gettext_in("zh", "Upload")}"' in css and "</" not in css
