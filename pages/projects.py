"""Projects: every analysis is saved as you work; open, rename, duplicate, delete, export, import."""

import time

import pandas as pd
import streamlit as st

from core.projects.archive import export_filename
from ui import state


def when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def size(n: int) -> str:
    """Decimal units, as `topiclens project list` prints them."""
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} kB"


state.autosave()  # the frame saves too; this keeps every page right on its own (AppTest reruns pages only)
st.title("Projects")
st.caption("A project holds one corpus and everything done with it: read options, preprocessing, sweeps and "
           "their models, chosen k, topic labels and fine-tune runs. Every change is saved as it happens; "
           "this page's address (with `?project=`) reopens the project after a reload or a server restart.")
store = state.project_store()

# ---- this project ------------------------------------------------------------------------------
current = state.current_project()
if current is not None:
    info = current.info
    st.subheader(f"This project: {state.md_escape(info.name)}")
    st.markdown(f"**Corpus** {state.md_escape(info.corpus_name or '—')} · **{info.n_docs:,}** documents · "
                f"**created** {when(info.created)} · **modified** {when(info.modified)} · "
                f"**size on disk** {size(store.size_on_disk(info.id))}")
    c = st.columns([3, 1, 1, 1])
    new_name = c[0].text_input("Name", info.name, key=f"projects_name_{info.id}", max_chars=120)
    if c[1].button("Rename", key="projects_rename", width="stretch") and new_name != info.name:
        try:
            state.rename_project(new_name)
            st.rerun()
        except Exception as exc:
            state.show_error(exc)
    if c[2].button("Duplicate", key="projects_duplicate", width="stretch"):
        state.duplicate_project()
        st.rerun()
    c[3].download_button("Export", lambda: state.export_project(info.id), export_filename(info),
                         "application/zip", key="projects_export", on_click="ignore", width="stretch",
                         help="The whole project as one .topiclens file, to import on another machine.")
    with st.expander("Delete this project"):
        sure = st.checkbox(f"Yes, delete “{info.name}” and everything in it", key=f"projects_sure_{info.id}")
        if st.button("Delete project", key="projects_delete", type="primary", disabled=not sure):
            state.delete_project(info.id)
            st.session_state["projects_notice"] = f"Deleted “{info.name}”. You are now in a new demo project."
            st.rerun()
if notice := st.session_state.pop("projects_notice", None):
    st.success(state.md_escape(notice))

# ---- all projects ------------------------------------------------------------------------------
st.subheader("Open a project")
projects = state.visible_projects()
st.caption("Listing every project in this workspace (TOPICLENS_LIST_ALL_PROJECTS=1)." if state.list_all_projects()
           else "Private mode: listing the projects this browser session created or opened. Another project "
                "opens from its address; set TOPICLENS_LIST_ALL_PROJECTS=1 on a single-analyst install to list all.")
if projects:
    table = pd.DataFrame({
        "name": [p.name for p in projects], "corpus": [p.corpus_name for p in projects],
        "documents": [p.n_docs for p in projects], "created": [when(p.created) for p in projects],
        "modified": [when(p.modified) for p in projects],
        "size on disk": [size(store.size_on_disk(p.id)) for p in projects],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    labels = {p.id: f"{p.name} · {p.corpus_name or 'no corpus'} · {when(p.modified)}" for p in projects}
    o1, o2 = st.columns([4, 1])
    ids = list(labels)
    pick = o1.selectbox("Project", ids, format_func=labels.get,
                        index=ids.index(current.id) if current is not None and current.id in ids else 0)
    if o2.button("Open", key="projects_open", type="primary", width="stretch",
                 disabled=current is not None and pick == current.id):
        state.open_project(pick)
        st.rerun()

n1, n2 = st.columns(2)
with n1:
    st.subheader("New project")
    demo = st.selectbox("Start from a demo corpus", list(state.DEMOS), key="projects_demo")
    if st.button("Create", key="projects_new"):
        state.new_demo_project(demo, kind="user")
        st.rerun()
    st.caption("Or upload a corpus on the Corpus page: a new corpus starts a project of its own.")
with n2:
    st.subheader("Import")
    n = st.session_state.get("projects_imports", 0)  # a new key after each import empties the form
    upload = st.file_uploader("A .topiclens project file", type=["topiclens"], key=f"projects_import_file_{n}")
    name = st.text_input("Name (optional)", key=f"projects_import_name_{n}", max_chars=120)
    if st.button("Import", key="projects_import", disabled=upload is None):
        try:
            state.import_project(upload.getvalue(), name.strip() or None)
            st.session_state["projects_imports"] = n + 1
            st.session_state["projects_notice"] = f"Imported and opened “{state.current_project().info.name}”."
            st.rerun()
        except Exception as exc:  # refused file: one clear message, nothing written, this project stays open
            state.show_error(exc)
