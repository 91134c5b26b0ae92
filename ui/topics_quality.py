"""Rendering helpers for the Topics page's quality views: short-document advice, agreement with the
label column (NMI, ARI, topic x label heatmap, per-k columns in the sweep table) and "which topics
is this word in". Numbers come from core.topics.labels / core.topics.dtm.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts.sweep_metrics import sweep_people_table
from core.charts.terms_bar import terms_bar
from core.charts.topics_groups import topic_group_heatmap
from core.errors import InputError
from core.i18n import _, format_int, format_number, ngettext
from core.topics.dtm import short_docs_note
from core.topics.labels import label_agreement, term_topic_distribution, topic_label_shares
from ui import state


def short_docs(bundle) -> None:
    note = short_docs_note(bundle)
    if note:
        st.info(note, icon=":material/short_text:")


def sweep_table(result, labels) -> pd.DataFrame:
    """The raw metric table (one row per k) plus label NMI / ARI (core.charts.sweep_metrics)."""
    return sweep_people_table(result.frame, result.models, labels)


def label_agreement_view(model, names: list[str], corpus) -> None:
    """NMI / ARI of dominant topic vs the label column, and where each label's documents go."""
    agree = label_agreement(model, corpus.labels)
    if agree is None:
        return
    col = state.md_escape(corpus.label_col or "label")
    c = st.columns(3)
    c[0].metric(_("NMI with {column}").format(column=corpus.label_col), format_number(agree["nmi"], 3),
                help=_("Normalised mutual information between each document's dominant topic and its label: "
                       "0 = chance, 1 = topics reproduce the labels."))
    c[1].metric(_("Adjusted Rand index"), format_number(agree["ari"], 3),
                help=_("0 = chance grouping, 1 = identical grouping."))
    c[2].metric(_("Documents compared"), format_int(agree["n_docs"]),
                help=ngettext("{n} label value", "{n} label values", agree["n_labels"]).format(n=agree["n_labels"]))
    st.markdown(_("**Topic × {column}**: share of each {column} value's documents whose dominant topic is each topic "
                  "(rows sum to 1).").format(column=col))
    st.plotly_chart(topic_group_heatmap(topic_label_shares(model, corpus.labels), names,
                                        value_label=_("share of documents")), key="topics_label_shares")


def term_topics(model, names: list[str]) -> None:
    """Pick a term; bar chart of p(topic | term): which topics the model puts its occurrences in."""
    term = st.text_input(_("Which topics is this word in?"), key="topics_term_lookup",
                         placeholder=_("type a term from the vocabulary"))
    term = (term or "").strip()
    if term and term not in set(model.vocab) and term.lower() in set(model.vocab):
        term = term.lower()  # tokens are lower-cased by default
    if not term:
        return
    try:
        dist = term_topic_distribution(model, term)
    except InputError as exc:
        state.show_error(exc)
        return
    order = dist.argsort()[::-1][: min(15, model.k)]
    st.plotly_chart(terms_bar([names[i] for i in order], dist[order],
                              title=_("{term}: share of its occurrences per topic").format(term=term),
                              value_label=_("p(topic | term)")), key="topics_term_bar")
