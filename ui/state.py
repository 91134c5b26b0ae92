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

import io
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd
import streamlit as st

from core import i18n, preprocess, resources, settings
from core.i18n import N_, _, format_percent
from core.cache import ByteLRU
from core.corpus import Corpus, LoadOptions, load_corpus
from core.errors import InputError, Message
from core.jobs import Job, JobRegistry
from core.parallel import MIN_PARALLEL_CHARS, tokenize_parallel
from core.preprocess import PreprocessSettings, TokenizedCorpus, tokenize
from core.params import PERSISTED, clamp_widget
from core.projects.project import PROCESS_ID, INTERRUPTED, RUNNING, Project, from_dict, run_project_sweep
from core.projects.store import ProjectStore, atomic_write_bytes
from core.topics.sweep import SweepConfig, SweepResult, assemble_result, cache_key, prune_cache
from core.workspace import workspace_root
from ui import session_gc

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
# Widget values that are part of an analysis, restored with the project (declared in core.params).
_PERSISTED = PERSISTED
LANG_KEY = "ui_lang"          # the interface language; saved with the project like the analysis widgets
# The switch's own widget key: Streamlit drops a widget's key on a run that does not draw it (AppTest
# reruns a page without the frame), so the language itself lives under LANG_KEY, a plain key.
LANG_SWITCH = "_ui_lang_switch"
_LANG_PARAM = "_lang_param"   # the ?lang= value already applied (so it does not fight the switch)


# ---------------------------------------------------------------------------------------------
# process-wide caches


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


# ---------------------------------------------------------------------------------------------
# session


def session_id() -> str:
    """An unguessable id for this browser session; jobs are owned by it."""
    if _SID not in st.session_state:
        st.session_state[_SID] = sid = secrets.token_urlsafe(16)
        hold_owner(sid)
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
    return settings.get("TOPICLENS_LIST_ALL_PROJECTS")


def current_project() -> Project | None:
    pid = st.session_state.get(_PROJECT)
    return Project(project_store(), pid) if pid and project_store().get(pid) else None


def project() -> Project:
    """The session's project, created (from nothing) on the first change that needs one."""
    proj = current_project()
    if proj is None:
        with i18n.use_language(ui_language()):   # stored: named in the session's language (even in a callback)
            info = project_store().create(_("Untitled project"))
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
    st.session_state.pop(_MISSING, None)
    seen = st.session_state.setdefault(_SEEN, [])
    if project_id not in seen:
        seen.append(project_id)
    st.query_params["project"] = project_id
    return Project(project_store(), project_id)


def open_project(project_id: str) -> None:
    """Make `project_id` this session's project and read it back: corpus, settings, widget values."""
    proj = Project.open(project_store(), project_id)
    for key in [k for k in st.session_state if _PERSISTED.match(str(k)) and k != LANG_KEY]:
        del st.session_state[key]   # the previous project's choices must not leak into this one
    # (the language stays unless the project has one saved: it belongs to the reader as much)
    for key in (_CORPUS, _SETTINGS, _WIDGETS, "corpus_upload_seen", "corpus_upload_error"):
        st.session_state.pop(key, None)
    _adopt(project_id)
    st.session_state[_SETTINGS] = proj.preprocess()
    try:
        source = proj.corpus_source()
        if source is not None:
            st.session_state[_CORPUS] = load_upload(*source)
    except InputError as exc:  # a damaged project still opens (its sweeps, labels and runs stay readable)
        st.session_state[_OPEN_ERROR] = Message(N_("This project's corpus could not be read back: {error}"),
                                                error=Message(exc.msgid, **exc.params))
    widgets = proj.widgets()
    for key, value in widgets.items():
        if _PERSISTED.match(key):
            try:   # a value saved by the CLI or an older release may lie outside today's widget bounds
                st.session_state[key] = clamp_widget(key, value)
            except ValueError:
                continue
    st.session_state[_WIDGETS] = dict(widgets)


def new_demo_project(label: str = DEFAULT_DEMO, kind: str = "demo") -> None:
    """A project of its own holding a demo corpus (the first visit without a project gets one)."""
    data, name = demo_source(label)
    corpus = load_upload(data, name, LoadOptions())
    with i18n.use_language(ui_language()):   # stored: named in the session's language
        info = project_store().create(_("Demo: {name}").format(name=_(label)), kind=kind)
    Project(project_store(), info.id).save_corpus(data, name, corpus.options, corpus.n_docs)
    open_project(info.id)


def rename_project(name: str) -> None:
    project_store().rename(project().id, name)


def duplicate_project() -> None:
    """Copy the session's project and continue in the copy."""
    copy = project_store().duplicate(project().id)
    open_project(copy.id)


def delete_project(project_id: str) -> None:
    """Delete a project; deleting the session's own leaves it in a fresh demo project."""
    for job in job_registry().list(f"project:{project_id}"):
        job_registry().cancel(job.id, f"project:{project_id}")
    project_store().delete(project_id)
    seen = st.session_state.get(_SEEN, [])
    if project_id in seen:
        seen.remove(project_id)
    if st.session_state.get(_PROJECT) == project_id:
        st.session_state.pop(_PROJECT, None)
        new_demo_project()


def export_project(project_id: str) -> bytes:
    from core.projects.archive import export_project as export

    return export(project_store(), project_id)


def import_project(data: bytes, name: str | None = None) -> list[str]:
    """Validate and add a .topiclens file as a new project, then open it (InputError if refused).
    Returns notes on values that were neutralised on the way in, in the session's language."""
    from core.projects.archive import import_project as load

    done = load(project_store(), data, name=name or None)
    open_project(done.info.id)
    return [i18n.translate_error(note) for note in done.notes]


def _missing_message() -> Message:
    return Message(N_("That project was not found: it was deleted, or the address is incomplete. "
                      "Open one from the Projects page, or load a corpus to start a new project."))


def bind_project() -> str | None:
    """Called by the frame before every page: follow `?project=`, keep it in the address, save
    changed widget values. Returns an error message for a project address that leads nowhere
    (in the session's language, which a reopened project may just have set)."""
    message = _bind_project()
    if message is None:
        return None
    with i18n.use_language(ui_language()):
        return i18n.translate_error(message)


def _bind_project() -> Message | None:
    wanted = str(st.query_params.get("project", "") or "")
    current = st.session_state.get(_PROJECT)
    if wanted and wanted != current:
        if project_store().get(wanted) is None:
            st.session_state.pop(_PROJECT, None)   # this message stays (page switches clear the address)
            st.session_state.pop(_CORPUS, None)    # until the user opens or starts a project: no demo swap
            st.session_state[_MISSING] = True
            return _missing_message()
        open_project(wanted)
    elif current is None and st.session_state.get(_MISSING):
        return _missing_message()
    elif current is None and not wanted and _CORPUS not in st.session_state:
        new_demo_project()
    elif current is not None:
        if project_store().get(current) is None:  # deleted (e.g. in another tab) under this session
            for key in (_PROJECT, _CORPUS):
                st.session_state.pop(key, None)
            return Message(N_("This session's project was deleted. Open another one from the Projects page."))
        st.query_params["project"] = current  # page switches clear query params: put it back
        autosave()
    return st.session_state.pop(_OPEN_ERROR, None)


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


def begin_page() -> str:
    """Every page's first call: the interface language for this run, and the autosave.

    The frame does both before the page too; pages repeat them so each is right on its own
    (AppTest can rerun a page without the frame)."""
    lang = ui_language()
    i18n.set_language(lang)
    autosave()
    return lang


def localized(fn: Callable[..., str]) -> Callable[..., str]:
    """`fn` (a widget's `format_func`, e.g. `_`) run in this run's language, whoever calls it later.

    AppTest calls a widget's format_func outside the script run, where the language is the default:
    a plain `format_func=_` then gives English labels that the Chinese options do not contain."""
    lang = i18n.language()

    def in_language(*args):
        with i18n.use_language(lang):
            return fn(*args)

    return in_language


def autosave() -> None:
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
        saved = (proj.get("corpus") or {}).get("sha256") if proj is not None else None
        new = saved != corpus.content_hash                 # content_hash: sha256 of these bytes
        with i18n.use_language(ui_language()):   # stored: named in the session's language (even in a callback)
            name = _("Demo: {name}").format(name=corpus.name) if demo else corpus.name
        if proj is None or (saved is not None and new and proj.info.kind != "demo"):
            proj = _adopt(project_store().create(name, kind="demo" if demo else "user").id)
            st.session_state[_WIDGETS] = {}            # this session's settings carry over into it
            proj.save_preprocess(preprocess_settings())
        elif new:
            project_store().update(proj.id, name=name, kind="demo" if demo else "user")
        proj.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
    elif proj is not None:
        proj.save_load_options(corpus.options, corpus.n_docs)
    st.session_state[_CORPUS] = corpus


def reread_corpus(options: LoadOptions) -> None:
    """Read the project's stored bytes again with other read options (encoding, delimiter, ...)."""
    proj = current_project()
    source = proj.corpus_source() if proj is not None else None
    if source is not None:
        data, name, _old_options = source
        set_corpus(load_upload(data, name, options))


def mark_worked_on() -> None:
    """A demo project the user worked in (sweep, labels, settings) is kept like any other."""
    proj = current_project()
    if proj is not None and proj.info.kind == "demo":
        project_store().update(proj.id, kind="user")


def current_corpus() -> Corpus | None:
    frame_first()
    return st.session_state.get(_CORPUS)


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

    def tokenize_here() -> TokenizedCorpus:
        texts = corpus.texts
        if sum(map(len, texts)) < MIN_PARALLEL_CHARS:
            return tokenize(texts, settings)
        bar = st.progress(0.0, text=_("Tokenizing…"))
        try:  # large corpora: on every core (core.parallel; same tokens as one process)
            return tokenize_parallel(texts, settings, progress=lambda f: bar.progress(
                f, text=_("Tokenizing… {share}").format(share=format_percent(f))))
        finally:
            bar.empty()

    def compute() -> TokenizedCorpus:
        return proj.tokens_for(corpus, settings, tokenize_here) if proj is not None else tokenize_here()

    return memo("tokens", key, compute)


def topics_dtm(tokens: TokenizedCorpus):
    """The document-term matrix the Topics page fits on, kept in the project like the tokens."""
    from core.topics.dtm import build_dtm

    key, proj = data_key(), current_project()

    def compute():
        return proj.dtm_for(key, tokens) if proj is not None else build_dtm(tokens.docs, data_key=key)

    return memo("topics_dtm", key, compute)


def require_corpus() -> tuple[Corpus, TokenizedCorpus]:
    """The page's inputs, or stop the page with a pointer to the Corpus page."""
    corpus = current_corpus()
    if corpus is None:
        st.info(_("Load a corpus on the **Corpus** page first."))
        st.stop()
    tokens = current_tokens()
    if tokens is None or tokens.n_tokens == 0:
        from core.terms.matrix import empty_after_preprocessing

        why = i18n.translate_error(empty_after_preprocessing(tokens.removed if tokens else {}))
        st.warning(_("{message} (Corpus page)").format(message=md_escape(why)))
        st.stop()
    return corpus, tokens


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


# --- finetune ---
# A fine-tune job is owned by the project (its address is the secret), like sweeps. Its outcome
# (metrics, baseline, curves, the saved model folder inside the project, predictions) is written
# to the project when it ends, so a reload or a restarted server shows the results again.

def finetune_job():
    """(owner, the project's current fine-tune Job or None)."""
    owner = project_owner()
    run = _current_finetune_run()
    job = job_registry().get(run.get("job_id"), owner) if run else None
    return owner, job


def _current_finetune_run() -> dict | None:
    proj = current_project()
    return proj.current_finetune() if proj is not None else None


def submit_finetune(request) -> Job:
    """Start a fine-tune of the project; its model is saved inside the project folder."""
    import time as _time

    from core.finetune import pipeline as P

    proj = project()
    run_id = f"{_time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    request.out_dir = proj.finetune_dir(run_id) / "model"
    request.checkpoint_dir = proj.finetune_dir(run_id) / "checkpoint"
    record = {"id": run_id, "started": _time.time(), "status": RUNNING, "process": PROCESS_ID,
              "corpus": request.corpus_name, "corpus_sha256": current_corpus().content_hash,
              "label_source": request.label_source, "source": request.source.describe()}

    def finished(result, error) -> None:
        proj.save_finetune_run(run_id, {**record, **P.result_record(result, proj.dir, error)})

    job = P.submit_finetune(job_registry(), project_owner(), request, on_finish=finished)
    proj.save_finetune_run(run_id, {**record, "job_id": job.id})
    proj.set_current_finetune(run_id)
    mark_worked_on()
    return job


def finetune_outcome(job: Job | None):
    """(result, error, status) of the project's current fine-tune: from the live job, else as saved.
    A run left 'running' by a stopped server reads 'interrupted'."""
    from core.finetune import pipeline as P

    if job is not None and job.done:
        return job.result, job.error or None, job.status   # a user error is a Message: shown translated
    run = _current_finetune_run()
    if run is None or (job is not None and not job.done):
        return None, None, None
    proj = current_project()
    if run["status"] == RUNNING:
        kept = P.checkpoint_info(proj.finetune_dir(run["id"]) / "checkpoint")
        if kept is None:
            return None, _("The fine-tune was interrupted when the server stopped, before a checkpoint was "
                           "saved; start it again."), INTERRUPTED
        message = _("The fine-tune was interrupted when the server stopped. Its best checkpoint (step {step}, "
                    "validation macro-F1 {f1}) is kept: try it or apply it below, or start again for test scores "
                    "and a baseline.").format(step=kept["step"], f1=format_percent(kept["val_macro_f1"], 1))
        return None, message, INTERRUPTED
    return P.result_from_record(run, proj.dir), run.get("error"), run["status"]


def interrupted_checkpoint() -> str | None:
    """The model folder of the best checkpoint of a fine-tune cut off by a server restart, if kept."""
    from core.finetune import pipeline as P

    run, proj = _current_finetune_run(), current_project()
    if run is None or run["status"] != RUNNING or run.get("process") == PROCESS_ID:
        return None
    folder = proj.finetune_dir(run["id"]) / "checkpoint"
    return str(folder) if P.checkpoint_info(folder) is not None else None


def predictions(classifier, model_dir: str, texts: list[str], saved_only: bool = False):
    """Whole-corpus predictions of a model, kept in the project beside the model; with
    `saved_only`, None unless they were computed before (in this session or saved)."""
    from core.finetune.predict import predict_table

    proj, key = current_project(), data_key()
    path = None
    if proj is not None and Path(model_dir).resolve().is_relative_to(proj.dir.resolve()):
        path = Path(model_dir).parent / f"predictions-{key}.parquet"  # i18n: skip (a file name)
    if saved_only and not (path is not None and path.exists()) and not memo_has("finetune_apply", f"{model_dir}|{key}"):
        return None

    def compute():
        if path is not None and path.exists():
            return pd.read_parquet(path)
        table = predict_table(classifier, texts)
        if path is not None:
            buf = io.BytesIO()
            table.to_parquet(buf, index=False)
            atomic_write_bytes(path, buf.getvalue())
        return table

    return memo("finetune_apply", f"{model_dir}|{key}", compute)


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
    owner = f"project:{project().id}"
    hold_owner(owner)  # its finished jobs leave memory when no session has the project open
    return owner


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
        proj.discard_sweep(sweep_id)   # refused (e.g. one already running): the previous sweep stays shown
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
