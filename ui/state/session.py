"""The session's id, the process-wide caches and job registry, the workspace's store and the corpus loaders."""

from __future__ import annotations

import logging
from pathlib import Path
import secrets
import threading
from typing import Callable, TypeVar

import streamlit as st

from core import resources, settings
from core.cache import ByteLRU
from core.corpus import Corpus, load_corpus, LoadOptions
from core.i18n import N_
from core.jobs import JobRegistry
from core.projects.project import Project
from core.projects.store import clean_stale_temp, ProjectStore, STALE_AFTER_S
from core.workspace import workspace_root
from ui import browser, session_gc

T = TypeVar("T")
_LOG = logging.getLogger("topiclens")
# The labels are identifiers (widget values, tests) and display text: shown with `_()`. Files: core.resources.
DEMOS = {
    N_("Chinese news titles (600, 10 labels)"): "demo_zh_news_titles.csv",
    N_("English AG News (400, 4 labels)"): "demo_en_ag_news.csv",
}
DEFAULT_DEMO = next(iter(DEMOS))
_CORPUS, _SETTINGS, _SID = "corpus", "preprocess_settings", "_session_id"
_PROJECT, _SEEN, _WIDGETS, _MISSING = "project_id", "projects_seen", "_widgets_saved", "_project_missing"
_OPEN_ERROR = "_project_open_error"
# Plain (non-widget) keys that belong to the open project: dropped when another project opens.
_PER_PROJECT = ("corpus_upload_seen", "corpus_upload_error", "corpus_loaded_file_id", "corpus_stored_seen",
                "corpus_role_error", "topics_form", "topics_watch", "topics_section", "finetune_model_dir",
                "finetune_applied", "finetune_upload_name")


@st.cache_resource
def _memo_store() -> ByteLRU:
    # Bounded by bytes, not entries: one corpus can be 1,000 times another.
    return ByteLRU(max_bytes=int(settings.get("TOPICLENS_CACHE_MB") * 2**20))


def memo_has(namespace: str, key: str) -> bool:
    return (namespace, key) in _memo_store().data


def memo(namespace: str, key: str, compute: Callable[[], T]) -> T:
    """Cache an engine result under (namespace, key); build `key` from data_key() plus parameters.

    The entry is kept while some live session uses it (and the byte budget allows)."""
    return _memo_store().get_or_compute((namespace, key), compute, owner=session_id())


@st.cache_resource
def job_registry() -> JobRegistry:
    return JobRegistry()


def session_id() -> str:
    """An unguessable id for this browser session; jobs are owned by it."""
    if _SID not in st.session_state:
        st.session_state[_SID] = sid = secrets.token_urlsafe(16)
        hold_owner(sid)
        browser.token()      # first run of the session, in the frame: the cookie script goes out here
    return st.session_state[_SID]


@st.cache_resource
def _releaser() -> session_gc.Releaser:
    return session_gc.Releaser(_memo_store(), job_registry())


def hold_owner(owner: str) -> None:
    """Tie `owner` (the session id, a fine-tune token) to this session: released when it ends."""
    _releaser().hold(st.session_state, owner)


def load_upload(data: bytes, name: str, options: LoadOptions) -> Corpus:
    import hashlib

    key = f"{hashlib.sha256(data).hexdigest()}|{name}|{options!r}"
    return memo("corpus", key, lambda: load_corpus(data, name, options))


def demo_source(label: str = DEFAULT_DEMO) -> tuple[bytes, str]:
    path = resources.asset(DEMOS[label])
    return path.read_bytes(), path.name


def load_demo(label: str = DEFAULT_DEMO, options: LoadOptions | None = None) -> Corpus:
    return load_upload(*demo_source(label), options or LoadOptions())


@st.cache_resource
def _store_for(root: str) -> ProjectStore:
    store = ProjectStore(Path(root))   # cleans what crashed writes left, once stale (core.projects.store)
    store.prune_untouched_demos()
    # Leftovers of a crash just before this start are too young to tell from a write in progress:
    # look again once they are stale.
    later = threading.Timer(STALE_AFTER_S + 60, clean_stale_temp, args=(store.root,))
    later.daemon = True
    later.start()
    return store


def project_store() -> ProjectStore:
    return _store_for(str(workspace_root()))


def current_project() -> Project | None:
    pid = st.session_state.get(_PROJECT)
    return Project(project_store(), pid) if pid and project_store().get(pid) else None


def frame_first() -> None:
    """Make a deep link on a freshly started server open its page inside the frame (app.py).

    Until some run calls st.navigation, Streamlit treats the `pages/` folder as a legacy
    multipage app and runs `/topics` as pages/topics.py alone (no frame, no corpus). A page that
    finds that mode on turns it off and reruns: app.py then runs and opens the same page (same
    URL path, same query string). Every page calls this (through current_corpus) before drawing.
    (AppTest turns the legacy mode on before every run; its sessions already have an id.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if _SID not in st.session_state:  # a session's first run: no click or upload to lose
            st.rerun()
