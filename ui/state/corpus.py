"""The session's corpus and preprocessing: loading into the project, tokens and the document-term matrix."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from core import i18n, preprocess
from core.corpus import Corpus, LoadOptions
from core.executor import default_jobs
from core.i18n import _, format_percent
from core.parallel import MIN_PARALLEL_CHARS, tokenize_parallel
from core.preprocess import PreprocessSettings, tokenize, TokenizedCorpus
from core.projects.store import DiskFull
from ui.state.session import _CORPUS, _SETTINGS, _WIDGETS, current_project, frame_first, job_registry, load_upload, memo, project_store
from ui.state.language import ui_language
from ui.state.render import disk_full, disk_notice, md_escape
from ui.state.projects import _adopt, _create_with_corpus, mark_worked_on, project

def set_corpus(corpus: Corpus, data: bytes | None = None, demo: bool = False) -> None:
    """Load `corpus` into the session and its project.

    `data` (the uploaded bytes) for a new upload: another corpus than the project's starts a new
    project (several corpora = several projects), except in a demo project, which takes it over.
    None when only its read options or column roles changed.
    """
    try:
        _save_corpus(corpus, data, demo)
    except DiskFull as exc:   # loaded all the same: the analysis goes on from memory, and the page says why
        disk_full(exc)
    st.session_state[_CORPUS] = corpus


def _save_corpus(corpus: Corpus, data: bytes | None, demo: bool) -> None:
    """The project side of `set_corpus`. The corpus is written first: on a full disk (DiskFull) no
    project is renamed after a corpus it does not hold, and no new one is left without its corpus."""
    proj = current_project()
    if data is None:
        if proj is not None:
            proj.save_load_options(corpus.options, corpus.n_docs)
        return
    saved = (proj.get("corpus") or {}).get("sha256") if proj is not None else None
    new = saved != corpus.content_hash                 # content_hash: sha256 of these bytes
    with i18n.use_language(ui_language()):   # stored: named in the session's language (even in a callback)
        name = _("Demo: {name}").format(name=corpus.name) if demo else corpus.name
    kind = "demo" if demo else "user"
    if proj is None or (saved is not None and new and proj.info.kind != "demo"):
        proj = _adopt(_create_with_corpus(name, kind, data, corpus))
        st.session_state[_WIDGETS] = {}            # this session's settings carry over into it
        proj.save_preprocess(preprocess_settings())
        return
    proj.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
    if new:
        project_store().update(proj.id, name=name, kind=kind)


def reread_corpus(options: LoadOptions) -> None:
    """Read the project's stored bytes again with other read options (encoding, delimiter, ...)."""
    proj = current_project()
    source = proj.corpus_source() if proj is not None else None
    if source is not None:
        data, name, _old_options = source
        set_corpus(load_upload(data, name, options))


def current_corpus() -> Corpus | None:
    frame_first()
    return st.session_state.get(_CORPUS)


def preprocess_settings() -> PreprocessSettings:
    return st.session_state.get(_SETTINGS) or PreprocessSettings()


def set_preprocess_settings(settings: PreprocessSettings) -> None:
    st.session_state[_SETTINGS] = settings.validate()
    _keep_in_project(lambda: project().save_preprocess(settings))


def _keep_in_project(write: Callable[[], None]) -> None:
    """A choice (settings, labels) written to the project: on a full disk it is not saved and the
    notice says so (on this page's next run: this may be a callback); the page keeps working."""
    try:
        write()
        mark_worked_on()
    except DiskFull as exc:
        disk_notice().note(exc)


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
        # Large corpora: on the cores the server's CPU limit has free now (core.parallel; same tokens
        # as one process); none free (sweeps, fine-tunes): in this thread, never over the limit.
        try:
            with job_registry().cpu.borrow(default_jobs()) as cores:
                return tokenize_parallel(texts, settings, jobs=max(1, cores), progress=lambda f: bar.progress(
                    f, text=_("Tokenizing… {share}").format(share=format_percent(f))))
        finally:
            bar.empty()

    def compute() -> TokenizedCorpus:
        if proj is None:
            return tokenize_here()
        return proj.tokens_for(corpus, settings, tokenize_here, on_unsaved=disk_full)

    return memo("tokens", key, compute)


def topics_dtm(tokens: TokenizedCorpus):
    """The document-term matrix the Topics page fits on, kept in the project like the tokens."""
    from core.topics.dtm import build_dtm

    key, proj = data_key(), current_project()

    def compute():
        return proj.dtm_for(key, tokens, on_unsaved=disk_full) if proj is not None else build_dtm(tokens.docs, data_key=key)

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
