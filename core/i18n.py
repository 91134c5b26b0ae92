"""Interface language: gettext catalogs (Babel-managed) for English and Simplified Chinese.

Source strings are English and are the msgids. Mark them where they are written:

    _("Top N")                           translate now (in the active language)
    N_("Corpus ranking")                 mark only (module-level constants); translate with _() where shown
    ngettext("{n} document", "{n} documents", n).format(n=...)
    pgettext("button", "Open")           when one English word needs two different Chinese words

The active language is a context variable, so each Streamlit session (its own script thread) and
each CLI run has its own; code that cannot see it (a background job) passes `lang` explicitly.
`core` raises `InputError(template, **params)`: the template is extracted as a msgid, and the UI or
CLI translates it with `translate_error`. Catalogs live in core/locale; `make i18n` re-extracts,
updates and compiles them (see babel.cfg), and tests/test_i18n.py fails on any gap.
"""

from __future__ import annotations

import gettext
import os
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Iterator, Mapping

from core.resources import locale_dir

DOMAIN = "topiclens"
#: language code -> its name, written in that language (what the switch shows). Read-only: every
#: session's script thread reads it (widget options, format_func), so nothing may change it in place.
LANGUAGES: Mapping[str, str] = MappingProxyType({"en": "English", "zh": "简体中文"})
DEFAULT = "en"
#: our code -> the gettext / Babel locale of its catalog
CATALOG_LOCALE: Mapping[str, str] = MappingProxyType({"en": "en_US", "zh": "zh_CN"})

_active: ContextVar[str] = ContextVar("topiclens_language", default=DEFAULT)


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (English: the msgids themselves)."""
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=locale_dir(), languages=[CATALOG_LOCALE[lang]])


def language() -> str:
    return _active.get()


def set_language(lang: str) -> None:
    _active.set(lang if lang in LANGUAGES else DEFAULT)


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    token = _active.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _active.reset(token)


def _(message: str) -> str:
    return translations(_active.get()).gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (yet)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_active.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_active.get()).pgettext(context, message)


def gettext_in(lang: str, message: str) -> str:
    """Translate into an explicit language (a report or job built outside the session's context)."""
    return translations(lang if lang in LANGUAGES else DEFAULT).gettext(message)


# ---------------------------------------------------------------------- choosing the language
def normalize(tag: str | None) -> str | None:
    """'zh-CN', 'zh_TW.UTF-8', 'zh' -> 'zh'; 'en-US', 'C.UTF-8', 'fr' -> 'en'; '' or None -> None."""
    if not tag:
        return None
    base = tag.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    if not base:
        return None
    return "zh" if base == "zh" else "en"


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The CLI's language as POSIX and GNU gettext decide it: the locale is the first set of LC_ALL,
    LC_MESSAGES and LANG (so LC_ALL=C.UTF-8 wins over LANG=zh_CN.UTF-8); an explicit C or POSIX
    locale means English, and otherwise LANGUAGE's first language we have wins over the locale's."""
    env = os.environ if environ is None else environ
    locale = next((env[var] for var in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(var)), "")
    if locale.split(".")[0] in ("C", "POSIX"):
        return DEFAULT
    for part in env.get("LANGUAGE", "").split(":"):   # "zh_CN:en": the first one we have
        lang = normalize(part)
        if lang is not None:
            return lang
    return normalize(locale) or DEFAULT


# ---------------------------------------------------------------------- errors raised by core
def translate_error(exc: BaseException) -> str:
    """An InputError's message in the active language: its template translated, then filled in."""
    msgid = getattr(exc, "msgid", None)
    if msgid is None:
        return str(exc)
    params = getattr(exc, "params", {}) or {}
    text = _(msgid)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):   # a broken translation must not hide the error
        return str(exc)


# ---------------------------------------------------------------------- numbers and dates
def _babel_locale() -> str:
    return CATALOG_LOCALE[_active.get()]


def format_int(n: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(int(n), locale=_babel_locale())


def format_number(x: float, digits: int = 2) -> str:
    from babel.numbers import format_decimal

    return format_decimal(x, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=_babel_locale())


def format_percent(x: float, digits: int = 0) -> str:
    from babel.numbers import format_percent as fp

    return fp(x, format=f"#,##0.{'0' * digits}%" if digits else "#,##0%", locale=_babel_locale())


def format_datetime(moment: datetime | float, *, seconds: bool = False) -> str:
    """A local date and time: 'Dec 3, 2026, 11:31 AM' or '2026年12月3日 11:31'."""
    from babel.dates import format_datetime as fd

    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment)
    if _active.get() == "zh":
        pattern = "y年M月d日 HH:mm:ss" if seconds else "y年M月d日 HH:mm"
    else:
        pattern = "MMM d, y, h:mm:ss a" if seconds else "MMM d, y, h:mm a"
    return fd(moment, pattern, locale=_babel_locale())


def format_duration(seconds: float) -> str:
    """'42 s', '3 min 5 s', '1 h 2 min' (English) or '42 秒', '3 分 5 秒', '1 小时 2 分' (Chinese)."""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return _("{h} h {m} min").format(h=h, m=m)
    if m:
        return _("{m} min {s} s").format(m=m, s=sec)
    return _("{s} s").format(s=sec)
