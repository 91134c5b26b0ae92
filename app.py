"""TopicLens: the frame. Page config, the session's project and language, navigation, and the corpus in the sidebar."""

import streamlit as st

from core import i18n, resources, settings
from core.i18n import N_, _, format_int, ngettext
from ui import state
from ui.chrome import translate_chrome

st.set_page_config(page_title="TopicLens",  # i18n: skip (the product's name)
                    page_icon=str(resources.asset("icon.png")), layout="wide")
state.session_id()
i18n.set_language(state.ui_language())  # before any text; again below, as a reopened project may carry its own
project_error = state.bind_project()  # ?project=<id>: reopen it, or start the demo as a project of its own
i18n.set_language(state.ui_language())

PAGES = [
    ("pages/corpus.py", N_("Corpus"), ":material/table_view:"),
    ("pages/terms.py", N_("Terms"), ":material/format_list_numbered:"),
    ("pages/topics.py", N_("Topics"), ":material/bubble_chart:"),
    ("pages/finetune.py", N_("Fine-tune"), ":material/model_training:"),
    ("pages/projects.py", N_("Projects"), ":material/folder_open:"),
]
# Addresses come from the file names, so links and bookmarks are the same in every language.
nav = st.navigation([st.Page(p, title=_(t), icon=i, default=(n == 0))
                     for n, (p, t, i) in enumerate(PAGES)])


def language_switch() -> None:
    # Labelled in both languages: whoever landed in the wrong one can still find it. The options and
    # their names are this run's own copies: the widget keeps its format_func (and Streamlit calls it
    # later, from its own code), so it must hold nothing another session's thread can reach.
    st.session_state[state.LANG_SWITCH] = i18n.language()
    names = dict(i18n.LANGUAGES)
    st.sidebar.radio("Language · 语言",  # i18n: skip (in both languages on purpose)
                     list(names), format_func=names.__getitem__, key=state.LANG_SWITCH,
                     on_change=state.on_language_switch, horizontal=True, label_visibility="collapsed")


def frame_status() -> None:
    """The project and the loaded corpus, in the sidebar."""
    project = state.current_project()
    if project is not None:
        st.markdown(f"#### {state.md_escape(project.info.name)}")
        st.caption(_("Saved as you work · this address reopens it (keep it private)"))
    corpus = state.current_corpus()
    st.markdown("**" + _("Loaded corpus") + "**")
    if corpus is None:
        st.caption(_("None yet: upload one on the Corpus page, or open a project on the Projects page."))
        return
    docs = ngettext("{n} document", "{n} documents", corpus.n_docs).format(n=format_int(corpus.n_docs))
    parts = [docs, _("text: {col}").format(col=state.md_escape(corpus.text_col))]
    if corpus.label_col:
        parts.append(_("label: {col}").format(col=state.md_escape(corpus.label_col)))
    st.markdown(f"**{state.md_escape(corpus.name)}**  \n" + " · ".join(parts))
    st.caption(" · ".join([corpus.file_format.upper(), *([corpus.encoding] if corpus.encoding else []),
                           f"sha256 {corpus.content_hash[:10]}…"]))


language_switch()
translate_chrome()   # Streamlit's uploader and Plotly's toolbar say their fixed English words in the session's language
# Drawn before the page runs: a page that stops early (st.stop()) ends the script run, and anything
# the frame adds after nav.run() would then never render. Redrawn after the page (when it did not
# stop), so an upload on this run shows at once.
status = st.sidebar.empty()
with status.container():
    frame_status()
if project_error:
    st.error(state.md_escape(project_error), icon=":material/error:")
try:
    nav.run()
except Exception as exc:  # noqa: BLE001 - a page's unexpected failure: a short message with a reference, the
    if settings.get("TOPICLENS_DEBUG"):     # full traceback in the server log (never server paths on the page)
        raise
    state.show_error(exc)
with status.container():
    frame_status()
