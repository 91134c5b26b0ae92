"""Projects: every analysis is saved as you work; open, rename, duplicate, delete, export, import."""

import pandas as pd
import streamlit as st

from core.i18n import _, format_datetime, format_int, format_number, ngettext, pgettext
from core.projects.archive import export_filename
from ui import state


def headers() -> dict[str, str]:
    """The projects table's columns, as shown (in English, the column names themselves)."""
    return {"name": pgettext("projects table", "name"), "corpus": pgettext("projects table", "corpus"),
            "documents": pgettext("projects table", "documents"), "created": pgettext("projects table", "created"),
            "modified": pgettext("projects table", "modified"),
            "size on disk": pgettext("projects table", "size on disk")}


def when(ts: float) -> str:
    return format_datetime(ts)


def size(n: int) -> str:
    """Decimal units, as `topiclens project list` prints them (the number in the reader's locale)."""
    return f"{format_number(n / 1e6, 1)} MB" if n >= 100_000 else f"{format_number(n / 1e3, 0)} kB"


state.begin_page()  # language and autosave (the frame does both too; AppTest reruns pages alone)
st.title(_("Projects"))
st.caption(_("A project holds one corpus and everything done with it: read options, preprocessing, sweeps and "
             "their models, chosen k, topic labels and fine-tune runs. Every change is saved as it happens; "
             "this page's address (with `?project=`) reopens the project after a reload or a server restart."))
store = state.project_store()

# ---- this project ------------------------------------------------------------------------------
current = state.current_project()
if current is not None:
    info = current.info
    st.subheader(_("This project: {name}").format(name=state.md_escape(info.name)))
    docs = ngettext("**{n}** document", "**{n}** documents", info.n_docs).format(n=format_int(info.n_docs))
    st.markdown(" · ".join([
        _("**Corpus** {name}").format(name=state.md_escape(info.corpus_name or "—")), docs,
        _("**created** {time}").format(time=when(info.created)),
        _("**modified** {time}").format(time=when(info.modified)),
        _("**size on disk** {size}").format(size=size(store.size_on_disk(info.id)))]))
    c = st.columns([3, 1, 1, 1])
    new_name = c[0].text_input(_("Name"), info.name, key=f"projects_name_{info.id}", max_chars=120)
    if c[1].button(_("Rename"), key="projects_rename", width="stretch") and new_name != info.name:
        try:
            state.rename_project(new_name)
            st.rerun()
        except Exception as exc:
            state.show_error(exc)
    if c[2].button(_("Duplicate"), key="projects_duplicate", width="stretch"):
        try:
            state.duplicate_project()
            st.rerun()
        except Exception as exc:   # e.g. a full disk: the project stays as it is, one message
            state.show_error(exc)
    c[3].download_button(_("Export"), lambda: state.export_project(info.id), export_filename(info),
                         "application/zip", key="projects_export", on_click="ignore", width="stretch",
                         help=_("The whole project as one .topiclens file, to import on another machine."))
    with st.expander(_("Delete this project")):
        sure = st.checkbox(_("Yes, delete “{name}” and everything in it").format(name=state.md_escape(info.name)),
                           key=f"projects_sure_{info.id}")
        if st.button(_("Delete project"), key="projects_delete", type="primary", disabled=not sure):
            state.delete_project(info.id)
            st.session_state["projects_notice"] = (
                _("Deleted “{name}”. You are now in a new demo project.").format(name=info.name))
            st.rerun()
if notice := st.session_state.pop("projects_notice", None):
    st.success(state.md_escape(notice))

# ---- all projects ------------------------------------------------------------------------------
st.subheader(_("Open a project"))
projects = state.visible_projects()
st.caption(_("Listing every project in this workspace (this server listens on this machine only, or "
             "TOPICLENS_LIST_ALL_PROJECTS=1).") if state.list_all_projects()
           else _("Private mode: listing the projects this browser created or opened. Another project opens from "
                  "its address; set TOPICLENS_LIST_ALL_PROJECTS=1 on a single-analyst install to list all."))
if projects:
    table = pd.DataFrame({
        "name": [p.name for p in projects], "corpus": [p.corpus_name for p in projects],
        "documents": [format_int(p.n_docs) for p in projects], "created": [when(p.created) for p in projects],
        "modified": [when(p.modified) for p in projects],
        "size on disk": [size(store.size_on_disk(p.id)) for p in projects],
    })
    st.dataframe(table.rename(columns=headers()), hide_index=True,
                 width="stretch")
    labels = {p.id: " · ".join([p.name, p.corpus_name or _("no corpus"), when(p.modified)]) for p in projects}
    o1, o2 = st.columns([4, 1])
    ids = list(labels)
    pick = o1.selectbox(_("Project"), ids, format_func=labels.get,
                        index=ids.index(current.id) if current is not None and current.id in ids else 0)
    if o2.button(_("Open"), key="projects_open", type="primary", width="stretch",
                 disabled=current is not None and pick == current.id):
        state.open_project(pick)
        st.rerun()

n1, n2 = st.columns(2)
with n1:
    st.subheader(_("New project"))
    # the options are the demos' English names (stable values), shown translated
    demo = st.selectbox(_("Start from a demo corpus"), list(state.DEMOS), key="projects_demo", format_func=state.localized(_))
    if st.button(_("Create"), key="projects_new"):
        state.new_demo_project(demo, kind="user")
        st.rerun()
    st.caption(_("Or upload a corpus on the Corpus page: a new corpus starts a project of its own."))
with n2:
    st.subheader(_("Import"))
    n = st.session_state.get("projects_imports", 0)  # a new key after each import empties the form
    upload = st.file_uploader(_("A .topiclens project file"), type=["topiclens"], key=f"projects_import_file_{n}")
    name = st.text_input(_("Name (optional)"), key=f"projects_import_name_{n}", max_chars=120)
    if st.button(_("Import"), key="projects_import", disabled=upload is None):
        try:
            notes = state.import_project(upload.getvalue(), name.strip() or None)
            st.session_state["projects_imports"] = n + 1
            st.session_state["projects_notice"] = " ".join(
                [_("Imported and opened “{name}”.").format(name=state.current_project().info.name), *notes])
            st.rerun()
        except Exception as exc:  # refused file: one clear message, nothing written, this project stays open
            state.show_error(exc)
