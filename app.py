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

# Filled after the page ran (even when it stopped early), so an upload on this run shows at once.
status = st.sidebar.container()
try:
    if project_error:
        st.error(project_error, icon=":material/error:")
    nav.run()
finally:
    with status:
        project = state.current_project()
        if project is not None:
            st.markdown(f"#### {state.md_escape(project.info.name)}")
            st.caption("Saved as you work · this address reopens it (keep it private)")
        corpus = state.current_corpus()
        st.markdown("**Loaded corpus**")
        if corpus is None:
            st.caption("None yet: upload one on the Corpus page, or open a project on the Projects page.")
        else:
            st.markdown(f"**{state.md_escape(corpus.name)}**  \n{corpus.n_docs:,} documents · "
                        f"text: {state.md_escape(corpus.text_col)}"
                        + (f" · label: {state.md_escape(corpus.label_col)}" if corpus.label_col else ""))
            st.caption(f"{corpus.file_format.upper()} · {corpus.encoding or 'binary'} · "
                       f"sha256 {corpus.content_hash[:10]}…")
