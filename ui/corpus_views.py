"""Rendering helpers for pages/corpus.py: the rows behind each quality count, the Traditional ->
Simplified conversion note. Numbers come from core.quality_rows / core.preprocess."""

from __future__ import annotations

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
