"""Messages on the page: errors (never a traceback), the full-disk notice, Markdown escaping, remembered clicks."""

from __future__ import annotations

import re
import secrets

import streamlit as st

from core import i18n
from core.errors import InputError, Message
from core.i18n import _
from core.projects.store import DiskFull
from ui.state.session import _LOG

class DiskNotice:
    """The session's full-disk state; `note` may be called from a job's thread (it only sets a field)."""

    def __init__(self) -> None:
        self.error: DiskFull | None = None

    def note(self, exc: DiskFull) -> None:
        self.error = exc


_DISK, _DISK_SHOWN = "_disk_full", "_disk_full_shown"


def disk_notice() -> DiskNotice:
    return st.session_state.setdefault(_DISK, DiskNotice())


def disk_full(exc: DiskFull) -> None:
    """A save failed on a full disk (page thread): note it and say so on this page, once per run."""
    disk_notice().note(exc)
    show_disk_full()


def show_disk_full() -> None:
    notice = st.session_state.get(_DISK)
    if notice is None or notice.error is None or st.session_state.get(_DISK_SHOWN):
        return
    st.session_state[_DISK_SHOWN] = True
    st.warning(md_escape(i18n.translate_error(notice.error)), icon=":material/warning:")


def remember_click(name: str) -> None:
    """on_click callback: the click is kept in the session until the page handles it."""
    st.session_state[f"_click_{name}"] = True


def take_click(name: str) -> bool:
    """Whether the button `name` (with on_click=remember_click) was clicked and not yet handled.

    A plain `if st.button(...)` is True for one run only: when that run is cut short (another
    click, a page switch, a busy server), the click is lost silently. Callbacks always run."""
    return bool(st.session_state.pop(f"_click_{name}", False))


def show_error(exc: Exception) -> None:
    """A readable message for user errors; unexpected ones say so without a traceback.

    User errors are InputError and anything else with a template (`msgid`, `params`: JobError)."""
    if isinstance(exc, InputError) or getattr(exc, "msgid", None) is not None:
        st.error(md_escape(i18n.translate_error(exc)), icon=":material/error:")
    elif len(exc.args) == 1 and isinstance(exc.args[0], Message):
        # an exception raised with a core.errors.Message still shows its message in the reader's language
        st.error(md_escape(_("Something went wrong ({kind}: {detail}). Your loaded data is unchanged.")
                           .format(kind=type(exc).__name__, detail=i18n.translate_error(exc.args[0]))),
                 icon=":material/error:")
    else:
        # Its text may name server paths or internals: the page gets a reference, the server log the whole.
        reference = secrets.token_hex(4)
        _LOG.error("unexpected error %s", reference, exc_info=exc)  # i18n: skip (server log)
        st.error(md_escape(_("Something went wrong ({kind}, reference {reference}): the details are in the server "
                             "log. Your loaded data is unchanged.").format(kind=type(exc).__name__,
                                                                           reference=reference)),
                 icon=":material/error:")
# Enough to stop links, images, raw HTML, emphasis, tables and LaTeX; plain punctuation stays readable.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~$])")
# GFM also links bare "http://x", "www.x", "mailto:x" and "a@b.c", found in the rendered *text* (so
# backslash escapes do not stop it, measured in Chromium): an invisible WORD JOINER breaks them up.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)|(?<=www)(?=\.)|(?=@)")


def md_escape(text: str) -> str:
    """User text placed inside Markdown: no links (not even bare URLs), images, HTML or formatting."""
    return _AUTOLINK.sub("\u2060", _MD_SPECIAL.sub(r"\\\1", str(text)))
