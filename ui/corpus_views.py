"""Rendering helpers for pages/corpus.py: the rows behind each quality count, the Traditional ->
Simplified conversion note, suggested stopwords and the phrase list. Numbers come from core/."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.i18n import N_, _, format_int, format_number, format_percent, ngettext, pgettext
from core.preprocess import segmenter_label
from core.quality_rows import issue_rows, zero_width_count
from ui import state

LANGUAGE_NAMES = {"zh": N_("Chinese"), "en": N_("English")}   # the tokenizer's language codes


def quality_metrics(summary, tokens, n_types: int) -> None:
    """The six headline counts of the Data quality section."""
    q = [*st.columns(3), *st.columns(3)]
    q[0].metric(_("Rows"), format_int(summary.rows))
    q[1].metric(_("Empty texts"), format_int(summary.empty_texts))
    q[2].metric(_("Exact duplicates"), format_int(summary.duplicate_texts))
    q[3].metric(_("Control characters"), format_int(summary.control_char_docs),
                help=_("Documents with stray control characters"))
    q[4].metric(_("Chinese / English / other"),
                " / ".join(format_int(summary.language_mix[k]) for k in ("zh", "en", "other")))
    q[5].metric(_("Tokens"), format_int(tokens.n_tokens), help=_("{n} distinct").format(n=format_int(n_types)))
    if summary.empty_texts or summary.duplicate_texts:
        st.caption(_("Tick *Drop empty texts* / *Drop exact duplicates* under **How the file is read** to remove them."))


def segmentation_summary(tokens) -> None:
    """How the texts were segmented, what preprocessing removed, and documents left empty."""
    language = _(LANGUAGE_NAMES[tokens.language]) if tokens.language in LANGUAGE_NAMES else tokens.language
    st.markdown(_("**Segmentation:** {segmenter} · language **{language}**").format(
        segmenter=state.md_escape(segmenter_label(tokens.segmenter)), language=state.md_escape(language)))
    conversion_note(tokens)
    if tokens.removed:   # the reasons are stored in English (core.preprocess.REMOVAL_REASONS)
        removed = pd.DataFrame({_("removed by"): [_(k) for k in tokens.removed],
                                _("tokens"): [format_int(v) for v in tokens.removed.values()]})
        st.dataframe(removed, hide_index=True, width="content")
    if tokens.empty_docs:
        st.warning(ngettext("{n} document has no tokens left after preprocessing; it is left out of term and topic "
                            "models.", "{n} documents have no tokens left after preprocessing; they are left out of "
                            "term and topic models.", tokens.empty_docs).format(n=format_int(tokens.empty_docs)))


def tokenized_sample(corpus, tokens) -> None:
    """The first documents next to their tokens: what the models will see."""
    st.subheader(_("Tokenized sample"))
    n = min(20, corpus.n_docs)
    texts = corpus.texts
    sample = pd.DataFrame({_("text"): [t[:200] for t in texts[:n]],
                           _("tokens"): [" | ".join(d[:60]) for d in tokens.docs[:n]]})
    st.dataframe(sample, hide_index=True, width="stretch")


def quality_rows(corpus, tokens) -> None:
    """Zero-width count, and any count's rows opened in a table (row number and full text)."""
    rows = state.memo("corpus_issue_rows", state.data_key(), lambda: issue_rows(corpus.texts, tokens.docs))
    zw = state.memo("corpus_zero_width", state.data_key(), lambda: zero_width_count(corpus.texts))
    counts = {name: len(r) for name, r in rows.items()}
    c1, c2 = st.columns([1, 3])
    n_zw = counts["zero-width characters"]
    c1.metric(_("Zero-width characters"), format_int(zw), help=ngettext(
        "In {n} document (U+200B–U+200D, U+2060, U+FEFF inside a text, U+180E). They are invisible and can "
        "split words.", "In {n} documents (U+200B–U+200D, U+2060, U+FEFF inside a text, U+180E). They are "
        "invisible and can split words.", n_zw).format(n=format_int(n_zw)))
    options = [name for name, n in counts.items() if n]
    if not options:
        c2.caption(_("No empty, duplicate, control-character, zero-width or token-less documents."))
        return
    # the option values are the issue names (English keys, core.quality_rows.ISSUES); shown translated
    pick = c2.selectbox(_("Open the rows behind a count"), options, key="corpus_issue_pick",
                        format_func=state.localized(lambda name: f"{_(name)} ({format_int(counts[name])})"))
    texts = corpus.texts
    shown = rows[pick][:1000]
    table = pd.DataFrame({_("row"): shown, _("text"): [_visible(texts[i]) for i in shown]})
    st.dataframe(table, hide_index=True, width="stretch", height=min(320, 36 + 35 * len(table)))
    if counts[pick] > len(shown):
        st.caption(_("The first {shown} of {total} rows.").format(shown=format_int(len(shown)),
                                                                   total=format_int(counts[pick])))


def _visible(text: str) -> str:
    """Make invisible characters visible in the table: ⟨U+200B⟩ instead of nothing."""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if ch in "\u200b\u200c\u200d\u2060\ufeff\u180e" or
                   (ord(ch) < 32 and ch not in "\n\t") or 0x7f <= ord(ch) <= 0x9f else ch for ch in str(text))


def conversion_note(tokens) -> None:
    """How many documents were converted from Traditional Chinese, with a before/after sample."""
    if not tokens.converted_traditional:
        return
    n = tokens.converted_traditional
    st.markdown(_("**{n} documents** were written in Traditional Chinese and converted to Simplified (OpenCC); "
                  "Simplified documents are left as they are. Untick *Traditional → Simplified* to keep every "
                  "text as written.").format(n=format_int(n)))
    if tokens.conversion_sample:
        headers = [pgettext("Traditional to Simplified", "before"), pgettext("Traditional to Simplified", "after")]
        st.dataframe(pd.DataFrame(tokens.conversion_sample, columns=headers), hide_index=True, width="stretch")


def _add_stopword(word: str) -> None:
    cur = state.preprocess_settings()
    if word not in cur.extra_stopwords:
        state.set_preprocess_settings(replace(cur, extra_stopwords=(*cur.extra_stopwords, word)))


def stopword_suggestions(corpus, tokens) -> None:
    """Corpus-specific candidates (frequent and evenly spread over the label groups), one click to add."""
    from core.stopword_suggest import suggest_stopwords

    with st.expander(_("Suggested stopwords for this corpus")):
        table = state.memo("corpus_stop_suggest", state.data_key(),
                           lambda: suggest_stopwords(tokens.docs, corpus.labels, n=24))
        if table.empty:
            st.caption(_("No word is in enough documents to suggest."))
            return
        if corpus.labels is not None:
            st.caption(_("Words in many documents and spread evenly over the {col} groups: they separate nothing. "
                         "Click one to add it to *Extra stopwords*; start a new sweep to see the effect.")
                       .format(col=state.md_escape(corpus.label_col)))
        else:
            st.caption(_("Words in many documents and spread evenly over the corpus: they separate nothing. Click one "
                         "to add it to *Extra stopwords*; start a new sweep to see the effect."))
        cols = st.columns(6)
        for i, row in enumerate(table.itertuples(index=False)):
            spread = ngettext("in {n} document; evenness {evenness}", "in {n} documents; evenness {evenness}",
                              row.documents).format(n=format_int(row.documents),
                                                    evenness=format_number(row.evenness, 2))
            cols[i % 6].button(f"＋ {state.md_escape(row.word)} · {format_percent(row.share)}",
                               key=f"corpus_addstop_{row.word}", on_click=_add_stopword, args=(row.word,), help=spread)


_PHRASE_KEY = "corpus_phrases_text"


def _fill_phrases(phrases: list[str]) -> None:
    st.session_state[_PHRASE_KEY] = "\n".join(phrases)


def phrase_editor(tokens) -> None:
    """Frequent collocations (NPMI over adjacent tokens) as an editable list merged into one token each."""
    from core.phrases import find_phrases, parse_phrases

    cur = state.preprocess_settings()
    label = (_("Phrases ({n} merged)").format(n=format_int(len(cur.phrases))) if cur.phrases
             else _("Phrases (merge word pairs)"))
    with st.expander(label):
        table = state.memo("corpus_phrases", state.data_key(), lambda: find_phrases(tokens.docs))
        st.caption(_("Adjacent word pairs that occur together far more than chance (NPMI ≥ 0.5, at least 10 times). "
                     "Listed phrases become one token, e.g. *new york* → `new_york`."))
        if len(table):
            shown = table.head(50).rename(columns={"phrase": _("phrase"), "count": _("count"), "npmi": "NPMI"})
            st.dataframe(shown, hide_index=True, height=220,
                         column_config={"NPMI": st.column_config.NumberColumn(format="%.2f")})
        if _PHRASE_KEY not in st.session_state:
            st.session_state[_PHRASE_KEY] = "\n".join(cur.phrases)
        st.text_area(_("Phrases to merge (one 'word word' pair per line)"), key=_PHRASE_KEY, height=140)
        c1, c2 = st.columns(2)
        c1.button(_("Fill in the top 30 suggestions"), key="corpus_phrases_fill", on_click=_fill_phrases,
                  args=(table["phrase"].head(30).tolist(),), disabled=table.empty)
        if c2.button(_("Apply phrases"), key="corpus_phrases_apply", type="primary"):
            state.set_preprocess_settings(replace(cur, phrases=parse_phrases(st.session_state[_PHRASE_KEY].splitlines())))
            st.rerun()
