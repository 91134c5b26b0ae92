"""The one module that owns Streamlit caching and session state.

Caches are keyed on a content hash of the upload plus every parameter (Streamlit's own DataFrame
hashing samples rows and can go stale). Engine results live in a process-wide, bounded LRU
(`memo`): the key can only be produced by a session holding the same bytes, so sessions never see
each other's data. Per-session things (the loaded corpus, settings, job ids) live in
`st.session_state`.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, TypeVar

import streamlit as st

from core import preprocess
from core.corpus import Corpus, LoadOptions, load_corpus
from core.errors import InputError
from core.jobs import JobRegistry
from core.preprocess import PreprocessSettings, TokenizedCorpus, tokenize

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
DEMOS = {
    "Chinese news titles (600, 10 labels)": ROOT / "assets" / "demo_zh_news_titles.csv",
    "English AG News (400, 4 labels)": ROOT / "assets" / "demo_en_ag_news.csv",
}
DEFAULT_DEMO = next(iter(DEMOS))
_CORPUS, _SETTINGS, _SID = "corpus", "preprocess_settings", "_session_id"


# ---------------------------------------------------------------------------------------------
# process-wide caches


class _LRU:
    def __init__(self, size: int):
        self.size, self.data, self.lock = size, OrderedDict(), threading.Lock()

    def get_or_compute(self, key: tuple, compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        value = compute()  # outside the lock: other sessions keep working meanwhile
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


@st.cache_resource
def _memo_store() -> _LRU:
    return _LRU(size=64)


def memo(namespace: str, key: str, compute: Callable[[], T]) -> T:
    """Cache an engine result under (namespace, key); build `key` from data_key() plus parameters."""
    return _memo_store().get_or_compute((namespace, key), compute)


@st.cache_resource
def job_registry() -> JobRegistry:
    return JobRegistry()


# ---------------------------------------------------------------------------------------------
# session


def session_id() -> str:
    """An unguessable id for this browser session; jobs are owned by it."""
    if _SID not in st.session_state:
        st.session_state[_SID] = secrets.token_urlsafe(16)
    return st.session_state[_SID]


def load_upload(data: bytes, name: str, options: LoadOptions) -> Corpus:
    import hashlib

    key = f"{hashlib.sha256(data).hexdigest()}|{name}|{options!r}"
    return memo("corpus", key, lambda: load_corpus(data, name, options))


def load_demo(label: str = DEFAULT_DEMO, options: LoadOptions | None = None) -> Corpus:
    path = DEMOS[label]
    return load_upload(path.read_bytes(), path.name, options or LoadOptions())


def ensure_default_corpus() -> None:
    """First visit: the bundled Chinese demo corpus is ready to explore."""
    if _CORPUS not in st.session_state:
        set_corpus(load_demo())


def set_corpus(corpus: Corpus) -> None:
    st.session_state[_CORPUS] = corpus


def current_corpus() -> Corpus | None:
    return st.session_state.get(_CORPUS)


def preprocess_settings() -> PreprocessSettings:
    return st.session_state.get(_SETTINGS) or PreprocessSettings()


def set_preprocess_settings(settings: PreprocessSettings) -> None:
    st.session_state[_SETTINGS] = settings.validate()


def data_key() -> str:
    """Corpus fingerprint + preprocessing key: the prefix of every downstream cache key."""
    corpus = current_corpus()
    if corpus is None:
        return ""
    return preprocess.data_key(corpus.fingerprint, preprocess_settings())


def current_tokens() -> TokenizedCorpus | None:
    """Tokens of the current corpus, computed once per (content, settings) with a progress bar."""
    corpus = current_corpus()
    if corpus is None:
        return None
    settings = preprocess_settings()

    def compute() -> TokenizedCorpus:
        texts = corpus.texts
        if sum(map(len, texts)) < 2_000_000:
            return tokenize(texts, settings)
        bar = st.progress(0.0, text="Tokenizing…")
        try:
            return tokenize(texts, settings, progress=lambda f: bar.progress(f, text=f"Tokenizing… {f:.0%}"))
        finally:
            bar.empty()

    return memo("tokens", data_key(), compute)


def require_corpus() -> tuple[Corpus, TokenizedCorpus]:
    """The page's inputs, or stop the page with a pointer to the Corpus page."""
    corpus = current_corpus()
    if corpus is None:
        st.info("Load a corpus on the **Corpus** page first.")
        st.stop()
    tokens = current_tokens()
    if tokens is None or tokens.n_tokens == 0:
        st.warning("Every document is empty after preprocessing (all stopwords or filtered): "
                   "relax the filters on the Corpus page.")
        st.stop()
    return corpus, tokens


def show_error(exc: Exception) -> None:
    """A readable message for user errors; unexpected ones say so without a traceback."""
    if isinstance(exc, InputError):
        st.error(md_escape(str(exc)), icon=":material/error:")
    else:
        st.error(md_escape(f"Something went wrong ({type(exc).__name__}: {exc}). Your loaded data is unchanged."),
                 icon=":material/error:")


# Enough to stop links, images, raw HTML, emphasis, tables and LaTeX; plain punctuation stays readable.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~$])")


def md_escape(text: str) -> str:
    """User text placed inside Markdown: no links, images, HTML or formatting."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# --- finetune ---
# Fine-tune jobs are owned by a per-session secret token (not the job id alone). The page puts
# "?job=<job id>.<token>" in the URL on every run, so a reload (a new Streamlit session) of the
# same browser adopts the token and finds its job; without the token nobody else can.
_FT_OWNER, _FT_JOB = "finetune_owner", "finetune_job"


def finetune_job():
    """(owner token, the session's fine-tune Job or None); re-asserts ?job= in the URL."""
    registry = job_registry()
    if _FT_OWNER not in st.session_state:
        st.session_state[_FT_OWNER] = secrets.token_urlsafe(16)
    job_id, _, token = str(st.query_params.get("job", "")).partition(".")
    if st.session_state.get(_FT_JOB) is None and token and registry.get(job_id, token) is not None:
        st.session_state[_FT_OWNER], st.session_state[_FT_JOB] = token, job_id
    owner = st.session_state[_FT_OWNER]
    job = registry.get(st.session_state.get(_FT_JOB), owner)
    if job is not None:
        st.query_params["job"] = f"{job.id}.{owner}"
    return owner, job


def set_finetune_job(job_id: str | None) -> None:
    st.session_state[_FT_JOB] = job_id


def current_topic_model():
    """The topic model picked on the Topics page for the current corpus, or None (weak-label source).

    Reads the Topics page's session keys ("topics_jobs": data key -> sweep job id, "topics_k_<key>":
    the chosen k); the Topics page owns them.
    """
    key = data_key()
    job = job_registry().get(st.session_state.get("topics_jobs", {}).get(key), session_id())
    k = st.session_state.get(f"topics_k_{key}")
    if job is None or not job.done or job.result is None or k is None:
        return None
    try:
        model = job.result.model(k)
    except (KeyError, AttributeError, TypeError):
        return None
    return model if getattr(model, "data_key", key) in ("", key) else None
