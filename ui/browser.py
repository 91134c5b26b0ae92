"""Which projects this browser created or opened, across reloads and server restarts.

On a server that listens beyond this machine the Projects page lists only these (private mode):
a project's address is its secret. The browser carries a random 128-bit token in a cookie (set
by the page itself, SameSite=Strict); the workspace keeps a hash of it with each project the
browser created or opened, so another browser (another token) never sees them. On a server that
listens on 127.0.0.1 only (`make run`, `topiclens serve`), whoever reaches the page can read the
workspace anyway: every project is listed.
"""

from __future__ import annotations

import hashlib
import os
import re

import streamlit as st

from core import settings

COOKIE = "topiclens_browser"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_KEY = "_browser_token"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def list_all_projects() -> bool:
    """Every project is listed on a loopback-only server or when TOPICLENS_LIST_ALL_PROJECTS says so."""
    setting = settings.get("TOPICLENS_LIST_ALL_PROJECTS")   # None: decided by the server's address
    if setting is not None:
        return setting
    try:
        address = st.get_option("server.address")
    except Exception:  # noqa: BLE001 - no server config (bare script): private
        return False
    return str(address or "") in _LOOPBACK


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no browser behind this run
        return None
    return value if isinstance(value, str) and _TOKEN.match(value) else None


def token() -> str:
    """This browser's token: from its cookie, or a new one the page stores in a cookie (once per session)."""
    if _KEY in st.session_state:
        return st.session_state[_KEY]
    value = _cookie()
    if value is None:
        value = os.urandom(16).hex()
        # The value is ours (hex), never user text. Max-Age: a year; Strict: never sent cross-site.
        st.html(f"<script>document.cookie = '{COOKIE}={value}; Max-Age=31536000; Path=/; SameSite=Strict';</script>",
                unsafe_allow_javascript=True)
    st.session_state[_KEY] = value
    return value


def browser_key() -> str:
    """What the workspace keeps: a hash of the token (a copy of the database gives no cookie)."""
    return hashlib.sha256(token().encode()).hexdigest()
