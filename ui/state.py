"""The one module that owns Streamlit caching and session state.

Caches are keyed on a content hash of the upload plus every parameter (Streamlit's own DataFrame
hashing samples rows and can go stale). Engine results live in a process-wide, bounded LRU
(`memo`): the key can only be produced by a session holding the same bytes, so sessions never see
each other's data. Per-session things (the loaded corpus, settings, job ids) live in
`st.session_state`.

Projects make it last: every session works in one project (`?project=<id>` in the address, a
secret that is the project's private address). Everything a user changes is written to it as it
happens (corpus bytes and read options, preprocessing, widget values, sweeps fit by fit, labels,
fine-tune runs), and a new session on the same address (reload, new tab, server restart) reads
it all back in `bind_project`, which the frame calls before any page runs.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import streamlit as st

from core import preprocess
from core.corpus import Corpus, LoadOptions, load_corpus
from core.errors import InputError
from core.jobs import Job, JobRegistry
from core.preprocess import PreprocessSettings, TokenizedCorpus, tokenize
from core.projects.project import FAILED, INTERRUPTED, RUNNING, Project, from_dict, run_project_sweep
from core.projects.store import ProjectStore
from core.topics.sweep import SweepConfig, SweepResult, assemble_result, cache_key, prune_cache
from core.workspace import workspace_root

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
DEMOS = {
    "Chinese news titles (600, 10 labels)": ROOT / "assets" / "demo_zh_news_titles.csv",
    "English AG News (400, 4 labels)": ROOT / "assets" / "demo_en_ag_news.csv",
}
DEFAULT_DEMO = next(iter(DEMOS))
_CORPUS, _SETTINGS, _SID = "corpus", "preprocess_settings", "_session_id"
_PROJECT, _SEEN, _WIDGETS = "project_id", "projects_seen", "_widgets_saved"
# Widget values that are part of an analysis (restored with the project); buttons, uploads and
# editors are not. Labels, corpus and preprocessing are saved by their own calls.
_PERSISTED = re.compile(
    r"^(corpus_(format|encoding|delimiter|txt_mode|drop_empty|drop_dups)"
    r"|terms_(scheme|log_base|score|top|ngram|min_df|max_df|max_features|view|group_col|group_method|lookup"
    r"|doc_query|ex_term|groups::.*)"
    r"|topics_(k_min|k_max|k_step|seeds|engine|iterations|alpha|eta|lambda|view|browse_dom|browse_kw|browse_sort)"
    r"|topics_k_[0-9a-f]{24}-[0-9a-f]{16}"
    r"|finetune_(source|folder|hub|label_source|label_col|vocab|hidden|layers|heads|ffn))$")


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


def demo_source(label: str = DEFAULT_DEMO) -> tuple[bytes, str]:
    path = DEMOS[label]
    return path.read_bytes(), path.name


def load_demo(label: str = DEFAULT_DEMO, options: LoadOptions | None = None) -> Corpus:
    return load_upload(*demo_source(label), options or LoadOptions())


# ---------------------------------------------------------------------------------------------
# projects


@st.cache_resource
def _store_for(root: str) -> ProjectStore:
    store = ProjectStore(Path(root))
    store.prune_untouched_demos()
    return store


def project_store() -> ProjectStore:
    return _store_for(str(workspace_root()))


def list_all_projects() -> bool:
    """Single-analyst installs list every project; a shared server lists a session's own only."""
    return os.environ.get("TOPICLENS_LIST_ALL_PROJECTS", "").strip().lower() in ("1", "true", "yes")


def current_project() -> Project | None:
    pid = st.session_state.get(_PROJECT)
    return Project(project_store(), pid) if pid and project_store().get(pid) else None


def project() -> Project:
    """The session's project, created (from nothing) on the first change that needs one."""
    proj = current_project()
    if proj is None:
        info = project_store().create("Untitled project")
        proj = _adopt(info.id)
    return proj


def visible_projects() -> list:
    """The projects list: every project (single-analyst setting) or this session's own."""
    store = project_store()
    if list_all_projects():
        return store.list()
    return store.list(ids=list(st.session_state.get(_SEEN, [])))


def _adopt(project_id: str) -> Project:
    st.session_state[_PROJECT] = project_id
    seen = st.session_state.setdefault(_SEEN, [])
    if project_id not in seen:
        seen.append(project_id)
    st.query_params["project"] = project_id
    return Project(project_store(), project_id)


def open_project(project_id: str) -> None:
    """Make `project_id` this session's project and read it back: corpus, settings, widget values."""
    proj = Project.open(project_store(), project_id)
    for key in [k for k in st.session_state if _PERSISTED.match(str(k))]:
        del st.session_state[key]   # the previous project's choices must not leak into this one
    for key in (_CORPUS, _SETTINGS, _WIDGETS, "corpus_upload_seen", "corpus_upload_error"):
        st.session_state.pop(key, None)
    _adopt(project_id)
    source = proj.corpus_source()
    if source is not None:
        st.session_state[_CORPUS] = load_upload(*source)
    st.session_state[_SETTINGS] = proj.preprocess()
    widgets = proj.widgets()
    for key, value in widgets.items():
        if _PERSISTED.match(key):
            st.session_state[key] = value
    st.session_state[_WIDGETS] = dict(widgets)


def new_demo_project(label: str = DEFAULT_DEMO) -> None:
    """A project of its own holding a demo corpus (the first visit without a project gets one)."""
    data, name = demo_source(label)
    corpus = load_upload(data, name, LoadOptions())
    info = project_store().create(f"Demo: {label}", kind="demo")
    Project(project_store(), info.id).save_corpus(data, name, corpus.options, corpus.n_docs)
    open_project(info.id)


def bind_project() -> str | None:
    """Called by the frame before every page: follow `?project=`, keep it in the address, save
    changed widget values. Returns an error message for a project address that leads nowhere."""
    wanted = str(st.query_params.get("project", "") or "")
    current = st.session_state.get(_PROJECT)
    if wanted and wanted != current:
        if project_store().get(wanted) is None:
            st.session_state.pop(_PROJECT, None)
            st.session_state.pop(_CORPUS, None)
            del st.query_params["project"]
            return ("That project was not found: it was deleted, or the address is incomplete. "
                    "Open one from the Projects page, or load a corpus to start a new project.")
        open_project(wanted)
    elif current is None and not wanted and _CORPUS not in st.session_state:
        new_demo_project()
    elif current is not None:
        if project_store().get(current) is None:  # deleted (e.g. in another tab) under this session
            for key in (_PROJECT, _CORPUS):
                st.session_state.pop(key, None)
            return "This session's project was deleted. Open another one from the Projects page."
        st.query_params["project"] = current  # page switches clear query params: put it back
        save_widgets()
    return None


def save_widgets() -> None:
    """Write the analysis widgets whose values changed since the last run (the autosave)."""
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
        proj.save_widget(key, value)
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


# ---------------------------------------------------------------------------------------------
# corpus and preprocessing of the session's project


def set_corpus(corpus: Corpus, data: bytes | None = None, demo: bool = False) -> None:
    """Load `corpus` into the session and its project.

    `data` (the uploaded bytes) for a new upload: another corpus than the project's starts a new
    project (several corpora = several projects), except in a demo project, which takes it over.
    None when only its read options or column roles changed.
    """
    proj = current_project()
    if data is not None:
        import hashlib

        saved = (proj.get("corpus") or {}).get("sha256") if proj is not None else None
        info = proj.info if proj is not None else None
        name = f"Demo: {corpus.name}" if demo else corpus.name
        if proj is None or (saved not in (None, hashlib.sha256(data).hexdigest()) and info.kind != "demo"):
            proj = _adopt(project_store().create(name, kind="demo" if demo else "user").id)
            st.session_state[_WIDGETS] = {}            # this session's settings carry over into it
            proj.save_preprocess(preprocess_settings())
        elif saved != hashlib.sha256(data).hexdigest():
            project_store().update(proj.id, name=name, kind="demo" if demo else "user")
        proj.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
    elif proj is not None:
        proj.save_load_options(corpus.options, corpus.n_docs)
    st.session_state[_CORPUS] = corpus


def mark_worked_on() -> None:
    """A demo project the user worked in (sweep, labels, settings) is kept like any other."""
    proj = current_project()
    if proj is not None and proj.info.kind == "demo":
        project_store().update(proj.id, kind="user")


def current_corpus() -> Corpus | None:
    return st.session_state.get(_CORPUS)


def preprocess_settings() -> PreprocessSettings:
    return st.session_state.get(_SETTINGS) or PreprocessSettings()


def set_preprocess_settings(settings: PreprocessSettings) -> None:
    st.session_state[_SETTINGS] = settings.validate()
    project().save_preprocess(settings)
    mark_worked_on()


def data_key() -> str:
    """Corpus fingerprint + preprocessing key: the prefix of every downstream cache key."""
    corpus = current_corpus()
    if corpus is None:
        return ""
    return preprocess.data_key(corpus.fingerprint, preprocess_settings())


def current_tokens() -> TokenizedCorpus | None:
    """Tokens of the current corpus, computed once per (content, settings) with a progress bar and
    kept in the project, so a reopened project does not tokenize again."""
    corpus = current_corpus()
    if corpus is None:
        return None
    settings, key, proj = preprocess_settings(), data_key(), current_project()

    def compute() -> TokenizedCorpus:
        saved = proj.load_tokens(key, settings, TokenizedCorpus) if proj is not None else None
        if saved is not None and len(saved.docs) == corpus.n_docs:
            return saved
        texts = corpus.texts
        if sum(map(len, texts)) < 2_000_000:
            tokens = tokenize(texts, settings)
        else:
            bar = st.progress(0.0, text="Tokenizing…")
            try:
                tokens = tokenize(texts, settings, progress=lambda f: bar.progress(f, text=f"Tokenizing… {f:.0%}"))
            finally:
                bar.empty()
        if proj is not None:
            proj.save_tokens(key, tokens)
        return tokens

    return memo("tokens", key, compute)


def topics_dtm(tokens: TokenizedCorpus):
    """The document-term matrix the Topics page fits on, kept in the project like the tokens."""
    from core.topics.dtm import DTMBundle, build_dtm

    key, proj = data_key(), current_project()

    def compute() -> DTMBundle:
        saved = proj.load_dtm(key, DTMBundle) if proj is not None else None
        if saved is not None and saved.data_key == key:
            return saved
        bundle = build_dtm(tokens.docs, data_key=key)
        if proj is not None:
            proj.save_dtm(key, bundle)
        return bundle

    return memo("topics_dtm", key, compute)


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


# --- topics ---
# Sweeps belong to the project: their jobs are owned by the project (its address is the secret),
# so a reload or a second tab on the same project sees the running sweep, and every finished fit
# is on disk the moment it lands.


@dataclass
class SweepView:
    record: dict          # the project's record of the sweep (config, status, error, ...)
    config: SweepConfig
    job: Job | None       # the live job, when this server process runs or ran it
    result: SweepResult | None  # None while running

    @property
    def status(self) -> str:
        if self.job is not None:
            return self.job.status
        return INTERRUPTED if self.record["status"] == RUNNING else self.record["status"]


def project_owner() -> str:
    return f"project:{project().id}"


def _sweep_memory() -> dict:
    return st.session_state.setdefault("topics_cache", {})


def start_sweep(bundle, config: SweepConfig, label: str, refit: bool = False) -> Job:
    """Start (or, with the same config, resume) a sweep of the project; `refit` drops stored fits first."""
    proj, memory = project(), _sweep_memory()
    mark_worked_on()
    prune_cache(memory, bundle)
    if refit:
        proj.fit_cache(bundle, memory).discard([cache_key(bundle, config, k, s)
                                                for k in config.ks for s in config.seed_list])
    sweep_id = proj.start_sweep(bundle.data_key, config)
    try:
        job = job_registry().submit(project_owner(), "topics_sweep",
                                    lambda ctx: run_project_sweep(proj, sweep_id, bundle, config, ctx, memory),
                                    label=label)
    except Exception:
        proj.finish_sweep(sweep_id, FAILED, error="not started")
        raise
    proj.update_sweep(sweep_id, job_id=job.id)
    return job


def latest_sweep(bundle) -> SweepView | None:
    """The project's latest sweep of this corpus: live, finished, or interrupted by a restart."""
    proj = current_project()
    record = proj.latest_sweep(bundle.data_key) if proj is not None else None
    if record is None:
        return None
    config = from_dict(SweepConfig, record["config"])
    job = job_registry().get(record.get("job_id"), project_owner())
    if job is not None and not job.done:
        return SweepView(record, config, job, None)
    if job is not None and job.result is not None:
        return SweepView(record, config, job, job.result)
    return SweepView(record, config, None, assemble_result(bundle, config, proj.fit_cache(bundle, _sweep_memory())))


def other_running_sweeps(view: SweepView | None) -> list[Job]:
    """The project's running sweeps that are not `view`'s (started on other preprocessing)."""
    mine = view.job.id if view is not None and view.job is not None else None
    return [j for j in job_registry().list(project_owner(), "topics_sweep") if not j.done and j.id != mine]


def cancel_sweep(view: SweepView) -> None:
    if view.job is not None:
        job_registry().cancel(view.job.id, project_owner())


def topic_labels(model_key: str) -> dict[int, str]:
    proj = current_project()
    return proj.labels(model_key) if proj is not None else {}


def save_topic_labels(model_key: str, labels: dict[int, str]) -> None:
    project().set_labels(model_key, labels)
    mark_worked_on()


def current_topic_model():
    """The topic model picked on the Topics page for the current corpus, or None (weak-label source)."""
    corpus, tokens = current_corpus(), current_tokens()
    if corpus is None or tokens is None or tokens.n_tokens == 0:
        return None
    key = data_key()
    k = st.session_state.get(f"topics_k_{key}")
    try:
        view = latest_sweep(topics_dtm(tokens))
        model = view.result.model(k) if view is not None and view.result is not None and k is not None else None
    except (KeyError, AttributeError, TypeError, InputError):
        return None
    return model if model is not None and getattr(model, "data_key", key) in ("", key) else None
