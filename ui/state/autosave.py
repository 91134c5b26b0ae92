"""The autosave: kept widgets (core.params.KEPT) are written to the project as they change."""

from __future__ import annotations

import streamlit as st

from core.params import PERSISTED
from core.projects.store import DiskFull
from ui.state.session import _WIDGETS, current_project
from ui.state.render import disk_notice

# Widget values that are part of an analysis, restored with the project (declared in core.params).
_PERSISTED = PERSISTED


def keep_choice(key: str, options: list) -> None:
    """Drop a kept value of widget `key` that is not among its options now (Streamlit refuses it)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def autosave() -> None:
    """Write the analysis widgets whose values changed since the last run (the autosave).

    Kept widgets are drawn with `persist_state="session"` (core.params.KEPT): Streamlit would
    otherwise drop their values when another page is shown, and the reset would be saved here."""
    proj = current_project()
    if proj is None:
        return
    saved = st.session_state.setdefault(_WIDGETS, {})
    for key in list(st.session_state):
        key = str(key)
        if not _PERSISTED.match(key):
            continue
        value = _plain(st.session_state[key])
        if value is _UNSAVED or saved.get(key, _UNSAVED) == value:
            continue
        try:
            proj.save_widget(key, value)
        except DiskFull as exc:   # the values stay in the session; tried again on the next run
            disk_notice().note(exc)
            return
        saved[key] = value
_UNSAVED = object()


def _plain(value):
    """A JSON-friendly widget value, or _UNSAVED for anything else (dates, objects)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return list(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _plain(value.item())
    return _UNSAVED
