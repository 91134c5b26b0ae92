"""The session's interface language: ?lang=, the sidebar switch (kept with the project), the browser's."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from core import i18n

LANG_KEY = "ui_lang"          # the interface language; saved with the project like the analysis widgets
# The switch's own widget key: Streamlit drops a widget's key on a run that does not draw it (AppTest
# reruns a page without the frame), so the language itself lives under LANG_KEY, a plain key.
LANG_SWITCH = "_ui_lang_switch"
_LANG_PARAM = "_lang_param"   # the ?lang= value already applied (so it does not fight the switch)


def ui_language() -> str:
    """The session's interface language: a new ?lang= in the address, else the switch (restored with
    the project), else the browser's (zh-* is Chinese, anything else English)."""
    param = str(st.query_params.get("lang", "") or "").lower()
    if param in i18n.LANGUAGES and param != st.session_state.get(_LANG_PARAM):
        st.session_state[_LANG_PARAM] = param
        st.session_state[LANG_KEY] = param
    lang = st.session_state.get(LANG_KEY)
    if lang not in i18n.LANGUAGES:
        lang = i18n.normalize(_browser_locale()) or i18n.DEFAULT
        st.session_state[LANG_KEY] = lang
    return lang


def on_language_switch() -> None:
    st.session_state[LANG_KEY] = st.session_state[LANG_SWITCH]


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:   # no browser behind this run (bare script, some AppTest set-ups)
        return None


def localized(fn: Callable[..., str]) -> Callable[..., str]:
    """`fn` (a widget's `format_func`, e.g. `_`) run in this run's language, whoever calls it later.

    AppTest calls a widget's format_func outside the script run, where the language is the default:
    a plain `format_func=_` then gives English labels that the Chinese options do not contain."""
    lang = i18n.language()

    def in_language(*args):
        with i18n.use_language(lang):
            return fn(*args)

    return in_language
