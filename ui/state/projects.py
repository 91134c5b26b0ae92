"""The project lifecycle: bind the address, open, create, rename, duplicate, delete, export, import."""

from __future__ import annotations

import contextlib

import streamlit as st

from core import i18n
from core.corpus import Corpus, LoadOptions
from core.errors import InputError, Message
from core.export import file_stem as file_stem_of
from core.i18n import _, N_
from core.params import clamp_widget
from core.projects.project import Project
from core.projects.store import DiskFull
from ui import browser, corpus_options
from ui.state.session import _CORPUS, _MISSING, _OPEN_ERROR, _PER_PROJECT, _PROJECT, _SEEN, _SETTINGS, _WIDGETS, current_project, DEFAULT_DEMO, demo_source, frame_first, hold_owner, job_registry, load_demo, load_upload, project_store
from ui.state.language import LANG_KEY, ui_language
from ui.state.render import _DISK_SHOWN, disk_notice, show_disk_full
from ui.state.autosave import _PERSISTED, autosave

def list_all_projects() -> bool:
    """A loopback-only server lists every project; a shared one lists this browser's own (ui.browser)."""
    return browser.list_all_projects()


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
    return store.list(ids=[*st.session_state.get(_SEEN, []), *store.remembered(browser.browser_key())])


def _adopt(project_id: str) -> Project:
    st.session_state[_PROJECT] = project_id
    st.session_state.pop(_MISSING, None)
    seen = st.session_state.setdefault(_SEEN, [])
    if project_id not in seen:
        seen.append(project_id)
        project_store().remember(browser.browser_key(), project_id)   # listed for this browser after a reload too
    st.query_params["project"] = project_id
    return Project(project_store(), project_id)


def open_project(project_id: str) -> None:
    """Make `project_id` this session's project and read it back: corpus, settings, widget values."""
    proj = Project.open(project_store(), project_id)
    for key in [k for k in st.session_state if _PERSISTED.match(str(k)) and k != LANG_KEY]:
        del st.session_state[key]   # the previous project's choices must not leak into this one
    # (the language stays unless the project has one saved: it belongs to the reader as much)
    for key in (_CORPUS, _SETTINGS, _WIDGETS, *_PER_PROJECT,
                *[k for k in st.session_state if str(k).startswith(("corpus_sheet_", "corpus_text_col_",
                                                                    "corpus_label_col_", "corpus_date_col_"))]):
        st.session_state.pop(key, None)
    _adopt(project_id)
    st.session_state[_SETTINGS] = proj.preprocess()
    read_with = None
    try:
        source = proj.corpus_source()
        if source is not None:
            st.session_state[_CORPUS] = load_upload(*source)
            read_with = source[2]
    except InputError as exc:  # a damaged project still opens (its sweeps, labels and runs stay readable)
        st.session_state[_OPEN_ERROR] = Message(N_("This project's corpus could not be read back: {error}"),
                                                error=Message(exc.msgid, **exc.params))
    widgets = proj.widgets()
    if str(st.query_params.get("lang", "") or "").lower() in i18n.LANGUAGES:
        widgets.pop(LANG_KEY, None)     # ?lang= in the address wins over the language saved with the project
    for key, value in widgets.items():
        if _PERSISTED.match(key):
            try:   # a value saved by the CLI or an older release may lie outside today's widget bounds
                st.session_state[key] = clamp_widget(key, value)
            except ValueError:
                continue
    if read_with is not None:   # the read options the corpus was read with win (the CLI saves no widgets)
        for key, value in corpus_options.widget_values(read_with).items():
            st.session_state[key] = widgets[key] = value
    st.session_state[_WIDGETS] = dict(widgets)


def new_demo_project(label: str = DEFAULT_DEMO, kind: str = "demo") -> None:
    """A project of its own holding a demo corpus (the first visit without a project gets one)."""
    data, name = demo_source(label)
    corpus = load_upload(data, name, LoadOptions())
    with i18n.use_language(ui_language()):   # stored: named in the session's language
        project_name = _("Demo: {name}").format(name=_(label))
    open_project(_create_with_corpus(project_name, kind, data, corpus))


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
        try:
            new_demo_project()
        except DiskFull as exc:   # no room for a project: the demo corpus in memory, and the page says why
            disk_notice().note(exc)
            st.session_state[_CORPUS] = load_demo()
    elif current is not None:
        if project_store().get(current) is None:  # deleted (e.g. in another tab) under this session
            for key in (_PROJECT, _CORPUS):
                st.session_state.pop(key, None)
            return Message(N_("This session's project was deleted. Open another one from the Projects page."))
        st.query_params["project"] = current  # page switches clear query params: put it back
        autosave()
    return st.session_state.pop(_OPEN_ERROR, None)


def begin_page() -> str:
    """Every page's first call: the interface language for this run, and the autosave.

    The frame does both before the page too; pages repeat them so each is right on its own
    (AppTest can rerun a page without the frame). First of all, on a freshly started server, the
    page hands over to the frame (`frame_first`): every page, whichever state it reads first."""
    frame_first()
    lang = ui_language()
    i18n.set_language(lang)
    st.session_state[_DISK_SHOWN] = False   # a new run: the full-disk notice (if any) is drawn once in it
    autosave()
    show_disk_full()
    return lang


def _create_with_corpus(name: str, kind: str, data: bytes, corpus: Corpus) -> str:
    """A new project holding `data` (read as `corpus`); on a full disk none is left behind (DiskFull)."""
    info = project_store().create(name, kind=kind)
    try:
        Project(project_store(), info.id).save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
    except DiskFull:
        with contextlib.suppress(DiskFull):
            project_store().delete(info.id)
        raise
    return info.id


def mark_worked_on() -> None:
    """A demo project the user worked in (sweep, labels, settings) is kept like any other."""
    proj = current_project()
    if proj is not None and proj.info.kind == "demo":
        project_store().update(proj.id, kind="user")


def project_owner() -> str:
    owner = f"project:{project().id}"
    hold_owner(owner)  # its finished jobs leave memory when no session has the project open
    return owner


def file_stem() -> str:
    """The start of every download's file name: the project's name ("Reviews 2026" -> Reviews_2026)."""
    proj = current_project()
    return file_stem_of(proj.info.name if proj is not None else "")
