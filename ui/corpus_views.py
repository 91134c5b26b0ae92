"""Rendering helpers for pages/corpus.py: the rows behind each quality count, the Traditional ->
Simplified conversion note, suggested stopwords and the phrase list. Numbers come from core/."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.quality_rows import issue_rows, zero_width_count
from ui import state


def quality_rows(corpus, tokens) -> None:
    """Zero-width count, and any count's rows opened in a table (row number and full text)."""
    rows = state.memo("corpus_issue_rows", state.data_key(), lambda: issue_rows(corpus.texts, tokens.docs))
    zw = state.memo("corpus_zero_width", state.data_key(), lambda: zero_width_count(corpus.texts))
    counts = {name: len(r) for name, r in rows.items()}
    c1, c2 = st.columns([1, 3])
    c1.metric("Zero-width characters", f"{zw:,}", help=f"In {counts['zero-width characters']:,} documents "
              "(U+200B–U+200D, U+2060, U+FEFF inside a text, U+180E). They are invisible and can split words.")
    options = [name for name, n in counts.items() if n]
    if not options:
        c2.caption("No empty, duplicate, control-character, zero-width or token-less documents.")
        return
    pick = c2.selectbox("Open the rows behind a count", options, key="corpus_issue_pick",
                        format_func=lambda name: f"{name} ({counts[name]:,})")
    texts = corpus.texts
    shown = rows[pick][:1000]
    table = pd.DataFrame({"row": shown, "text": [_visible(texts[i]) for i in shown]})
    st.dataframe(table, hide_index=True, width="stretch", height=min(320, 36 + 35 * len(table)))
    if counts[pick] > len(shown):
        st.caption(f"The first {len(shown):,} of {counts[pick]:,} rows.")


def _visible(text: str) -> str:
    """Make invisible characters visible in the table: ⟨U+200B⟩ instead of nothing."""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if ch in "\u200b\u200c\u200d\u2060\ufeff\u180e" or
                   (ord(ch) < 32 and ch not in "\n\t") or 0x7f <= ord(ch) <= 0x9f else ch for ch in str(text))


def conversion_note(tokens) -> None:
    """How many documents were converted from Traditional Chinese, with a before/after sample."""
    if not tokens.converted_traditional:
        return
    st.markdown(f"**{tokens.converted_traditional:,} documents** were written in Traditional Chinese and converted "
                "to Simplified (OpenCC); Simplified documents are left as they are. Untick *Traditional → "
                "Simplified* to keep every text as written.")
    if tokens.conversion_sample:
        st.dataframe(pd.DataFrame(tokens.conversion_sample, columns=["before", "after"]), hide_index=True,
                     width="stretch")


def _add_stopword(word: str) -> None:
    cur = state.preprocess_settings()
    if word not in cur.extra_stopwords:
        state.set_preprocess_settings(replace(cur, extra_stopwords=(*cur.extra_stopwords, word)))


def stopword_suggestions(corpus, tokens) -> None:
    """Corpus-specific candidates (frequent and evenly spread over the label groups), one click to add."""
    from core.stopword_suggest import suggest_stopwords

    with st.expander("Suggested stopwords for this corpus"):
        table = state.memo("corpus_stop_suggest", state.data_key(),
                           lambda: suggest_stopwords(tokens.docs, corpus.labels, n=24))
        if table.empty:
            st.caption("No word is in enough documents to suggest.")
            return
        over = f"the {state.md_escape(corpus.label_col)} groups" if corpus.labels is not None else "the corpus"
        st.caption(f"Words in many documents and spread evenly over {over}: they separate nothing. Click one to add "
                   "it to *Extra stopwords*; start a new sweep to see the effect.")
        cols = st.columns(6)
        for i, row in enumerate(table.itertuples(index=False)):
            cols[i % 6].button(f"＋ {state.md_escape(row.word)} · {row.share:.0%}", key=f"corpus_addstop_{row.word}",
                               on_click=_add_stopword, args=(row.word,),
                               help=f"in {row.documents:,} documents; evenness {row.evenness:.2f}")


_PHRASE_KEY = "corpus_phrases_text"


def _fill_phrases(phrases: list[str]) -> None:
    st.session_state[_PHRASE_KEY] = "\n".join(phrases)


def phrase_editor(tokens) -> None:
    """Frequent collocations (NPMI over adjacent tokens) as an editable list merged into one token each."""
    from core.phrases import find_phrases, parse_phrases

    cur = state.preprocess_settings()
    with st.expander(f"Phrases ({len(cur.phrases)} merged)" if cur.phrases else "Phrases (merge word pairs)"):
        table = state.memo("corpus_phrases", state.data_key(), lambda: find_phrases(tokens.docs))
        st.caption("Adjacent word pairs that occur together far more than chance (NPMI ≥ 0.5, at least 10 times). "
                   "Listed phrases become one token, e.g. *new york* → `new_york`.")
        if len(table):
            st.dataframe(table.head(50), hide_index=True, height=220,
                         column_config={"npmi": st.column_config.NumberColumn(format="%.2f")})
        if _PHRASE_KEY not in st.session_state:
            st.session_state[_PHRASE_KEY] = "\n".join(cur.phrases)
        st.text_area("Phrases to merge (one 'word word' pair per line)", key=_PHRASE_KEY, height=140)
        c1, c2 = st.columns(2)
        c1.button("Fill in the top 30 suggestions", key="corpus_phrases_fill", on_click=_fill_phrases,
                  args=(table["phrase"].head(30).tolist(),), disabled=table.empty)
        if c2.button("Apply phrases", key="corpus_phrases_apply", type="primary"):
            state.set_preprocess_settings(replace(cur, phrases=parse_phrases(st.session_state[_PHRASE_KEY].splitlines())))
            st.rerun()
