"""TopicLens: the frame. Page config, the session's project, navigation, and the corpus in the sidebar."""

from pathlib import Path

import streamlit as st

from ui import state

st.set_page_config(page_title="TopicLens", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")
state.session_id()
project_error = state.bind_project()  # ?project=<id>: reopen it, or start the demo as a project of its own

PAGES = [
    ("pages/corpus.py", "Corpus", ":material/table_view:"),
    ("pages/terms.py", "Terms", ":material/format_list_numbered:"),
    ("pages/topics.py", "Topics", ":material/bubble_chart:"),
    ("pages/finetune.py", "Fine-tune", ":material/model_training:"),
    ("pages/projects.py", "Projects", ":material/folder_open:"),
]
nav = st.navigation([st.Page(p, title=t, icon=i, default=(t == "Corpus")) for p, t, i in PAGES])


def frame_status() -> None:
    """The project and the loaded corpus, in the sidebar."""
    project = state.current_project()
    if project is not None:
        st.markdown(f"#### {state.md_escape(project.info.name)}")
        st.caption("Saved as you work · this address reopens it (keep it private)")
    corpus = state.current_corpus()
    st.markdown("**Loaded corpus**")
    if corpus is None:
        st.caption("None yet: upload one on the Corpus page, or open a project on the Projects page.")
        return
    st.markdown(f"**{state.md_escape(corpus.name)}**  \n{corpus.n_docs:,} document{'s' if corpus.n_docs != 1 else ''} · "
                f"text: {state.md_escape(corpus.text_col)}"
                + (f" · label: {state.md_escape(corpus.label_col)}" if corpus.label_col else ""))
    st.caption(" · ".join([corpus.file_format.upper(), *([corpus.encoding] if corpus.encoding else []),
                           f"sha256 {corpus.content_hash[:10]}…"]))


# Drawn before the page runs: a page that stops early (st.stop()) ends the script run, and anything
# the frame adds after nav.run() would then never render. Redrawn after the page (when it did not
# stop), so an upload on this run shows at once.
status = st.sidebar.empty()
with status.container():
    frame_status()
if project_error:
    st.error(project_error, icon=":material/error:")
nav.run()
with status.container():
    frame_status()
