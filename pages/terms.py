"""Terms: TF-IDF rankings of the corpus, a document, each group, and single-term lookup.

The document-term counts are built once per (data, vocabulary settings) and memoised; changing
the score, N, scheme or group only re-slices cached matrices (see core/terms)."""

from functools import partial

import streamlit as st

from core import terms as T
from core.charts.terms_bar import terms_bar
from core.charts.terms_groups import group_terms_grid
from core.errors import InputError
from core.export import to_csv_bytes, to_xlsx_bytes
from core.i18n import N_, _, format_int, format_number, ngettext, translate_error
from core.params import bounds
from core.preprocess import segmenter_label
from ui import state
from ui import terms_views as TV

# English msgids; the widgets keep these values (saved projects, tests) and show them with _().
SCHEME_LABELS = {"sklearn": N_("scikit-learn default"), "sublinear": N_("sublinear TF"), "textbook": N_("textbook")}
VIEWS = [N_("Corpus ranking"), N_("Document"), N_("Groups"), N_("Term lookup"), N_("Formulas & worked example")]

state.begin_page()  # language and autosave (the frame does both too; AppTest reruns pages alone)
st.title(_("Terms"))
corpus, tokens = state.require_corpus()


def show_table(frame, **kwargs):
    """A table with its headers in the reader's language; the translated copy is returned (for the exports)."""
    shown = TV.translated_columns(frame)
    st.dataframe(shown, hide_index=True, width="stretch", **kwargs)
    return shown


def downloads(frame, name: str, key: str, fig=None) -> None:
    # Callables: the files are only built when clicked, not on every re-rank (XLSX costs ~20 ms).
    # PNG comes from the Plotly toolbar; the HTML inlines plotly.js so it opens offline. Files keep
    # the engine's stable column names (headers in the reader's language belong to the screen) and
    # are named after the project.
    name = f"{state.file_stem()}_{name}"
    row = st.container(horizontal=True, gap="small")  # buttons sized to their labels, evenly spaced
    row.download_button("CSV", partial(to_csv_bytes, frame), f"{name}.csv", "text/csv", key=f"terms_csv_{key}", on_click="ignore")
    row.download_button("XLSX", partial(to_xlsx_bytes, frame, name), f"{name}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"terms_xlsx_{key}", on_click="ignore")
    if fig is not None:
        row.download_button(_("Chart HTML"), partial(fig.to_html, include_plotlyjs=True), f"{name}.html", "text/html",
                            key=f"terms_html_{key}", on_click="ignore")


def fail(exc: InputError) -> None:
    state.show_error(exc)
    st.stop()


# ---- weighting and vocabulary controls ---------------------------------------------------------
c1, c2, c3, c4 = st.columns([2, 1, 2, 1])
scheme_name = c1.selectbox(_("Weighting scheme"), T.SCHEMES, format_func=state.localized(lambda v: _(SCHEME_LABELS[v])),
                           key="terms_scheme", persist_state="session")
log_base = c2.selectbox(_("IDF log base"), T.LOG_BASES, index=1, key="terms_log_base", persist_state="session",
                        disabled=scheme_name != "textbook", help=_("Only the textbook scheme uses it."))
score = c3.selectbox(_("Rank by"), T.SCORES, format_func=state.localized(lambda v: _(T.SCORE_LABELS[v])), key="terms_score", persist_state="session")
top_n = c4.number_input(_("Top N"), *bounds("terms_top"), 20, key="terms_top", persist_state="session")
with st.expander(_("Vocabulary: n-grams and filters")):
    v1, v2, v3, v4 = st.columns(4)
    ngram = v1.slider(_("n-gram range"), 1, T.MAX_NGRAM, (1, 1), key="terms_ngram", persist_state="session")
    min_df = v2.number_input(_("min_df (documents)"), *bounds("terms_min_df"), 1, key="terms_min_df", persist_state="session")
    max_df = v3.slider(_("max_df (share of documents)"), *bounds("terms_max_df"), 1.0, 0.01, key="terms_max_df", persist_state="session")
    max_features = v4.number_input(_("max features (0 = all)"), *bounds("terms_max_features"), 0, step=1000, key="terms_max_features", persist_state="session")

try:
    scheme = T.Scheme(scheme_name, log_base)
    settings = T.TermSettings(ngram[0], ngram[1], int(min_df), float(max_df), int(max_features) or None)
    tm = state.memo("terms", f"{state.data_key()}|{settings.key()}", lambda: T.build_term_matrix(tokens.docs, settings))
except InputError as exc:
    fail(exc)
st.caption(" · ".join([
    ngettext("{n} term", "{n} terms", tm.n_terms).format(n=format_int(tm.n_terms)),
    ngettext("{n} document", "{n} documents", tm.n_docs).format(n=format_int(tm.n_docs)),
    _("tokens by {segmenter}").format(segmenter=segmenter_label(tokens.segmenter)),
]))

view = st.radio(_("View"), VIEWS, format_func=state.localized(_), horizontal=True, key="terms_view", persist_state="session", label_visibility="collapsed")

# ---- corpus ranking ---------------------------------------------------------------------------
if view == "Corpus ranking":
    table = T.rank_terms(tm, scheme, score, int(top_n))
    title = ngettext("Top {n} term", "Top {n} terms", len(table)).format(n=format_int(len(table)))
    fig = terms_bar(table["term"], table[score], title=title, value_label=_(T.SCORE_LABELS[score]))
    st.plotly_chart(fig, key="terms_chart_corpus")
    show_table(table)
    downloads(table, "terms", "corpus", fig)

# ---- one document -----------------------------------------------------------------------------
elif view == "Document":
    texts = corpus.texts
    row = TV.pick_document(texts)
    if row is None:
        st.stop()
    table = T.document_terms(tm, scheme, int(row), int(top_n))
    if table.empty:
        st.warning(_("This document has no terms left after preprocessing and vocabulary filtering."))
    else:
        st.plotly_chart(terms_bar(table["term"], table["weight"], title=_("Document #{row}").format(row=row),
                                  value_label=_("TF-IDF weight")), key="terms_chart_doc")
    st.html('<div style="line-height:1.8">'
            + T.highlight_html(texts[int(row)], dict(zip(table["term"], table["weight"])), tokens.settings,
                               tokens.language) + "</div>")
    show_table(table)
    downloads(table, f"terms_doc{row}", "doc")  # i18n: skip (a file name)

# ---- groups -----------------------------------------------------------------------------------
elif view == "Groups":
    cols = [c for c in corpus.columns if c != corpus.text_col]
    if not cols:
        st.info(_("This corpus has no column besides the text; load one with a label/group column."))
        st.stop()
    g1, g2 = st.columns(2)
    group_col = g1.selectbox(_("Group column"), cols, key="terms_group_col", persist_state="session",
                             index=cols.index(corpus.label_col) if corpus.label_col in cols else 0)
    method = g2.radio(_("Method"), T.GROUP_METHODS, format_func=state.localized(lambda v: _(T.GROUP_METHOD_LABELS[v])),
                      key="terms_group_method", persist_state="session", horizontal=True)
    try:
        labels = state.memo("terms_labels", f"{state.data_key()}|{group_col}",
                            lambda: corpus.with_roles(label_col=group_col).labels)
        names, _sizes, warnings = T.group_summary(tm, labels, labels_key=f"col:{group_col}")
    except InputError as exc:
        fail(exc)
    chosen = st.multiselect(_("Show groups"), names, default=names, key=f"terms_groups::{group_col}", persist_state="session")
    for warning in warnings:   # Notes: English text that knows its template
        st.warning(state.md_escape(translate_error(warning)))
    result = T.group_terms(tm, labels, method, scheme, int(top_n), groups=chosen, labels_key=f"col:{group_col}")
    value_label = "c-TF-IDF" if method == "ctfidf" else _("mean TF-IDF in − out")
    fig = group_terms_grid({g: result.series(g) for g in result.groups}, value_label=value_label)
    st.plotly_chart(fig, key="terms_chart_groups")
    st.caption(" · ".join(
        ngettext("{group}: {n} document", "{group}: {n} documents", result.sizes[g])
        .format(group=state.md_escape(g), n=format_int(result.sizes[g])) for g in result.groups))
    show_table(result.table)
    downloads(result.table, "terms_by_group", "groups", fig)

# ---- term lookup ------------------------------------------------------------------------------
elif view == "Term lookup":
    default = str(T.rank_terms(tm, scheme, score, 1)["term"].iloc[0])
    term = st.text_input(_("Term"), value=default, key="terms_lookup", persist_state="session", help=_("n-grams: separate words with a space"))
    try:
        res = T.lookup_term(tm, term, scheme, texts=corpus.texts, docs=tokens.docs, settings=tokens.settings,
                            language=tokens.language)
    except InputError as exc:
        fail(exc)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("Count"), format_int(res.count))
    m2.metric(_("Document frequency"), f"{format_int(res.df)} / {format_int(res.n_docs)}")
    m3.metric("IDF", format_number(res.idf, 4))
    m4.metric(_("Highest TF-IDF"), format_number(res.top_docs["tfidf"].max(), 4))
    st.markdown(_("**Documents where it scores highest**"))
    show_table(res.top_docs)
    k1, k2 = st.columns([2, 3])
    k1.markdown(_("**Keyword in context**"))
    sort = k2.radio(_("Sort by"), list(T.KWIC_SORTS), format_func=state.localized(lambda v: _(T.KWIC_SORTS[v])), horizontal=True,
                    key="terms_kwic_sort")
    kwic = T.kwic_frame(res.kwic, corpus.labels, sort, label_name=corpus.label_col or "label")
    heads = TV.column_labels()
    kwic_shown = show_table(kwic, column_config={  # left context right-aligned: keywords line up
        heads["left"]: st.column_config.TextColumn(width="large", alignment="right"),
        heads["keyword"]: st.column_config.TextColumn(width="small", alignment="center")})
    downloads(kwic, "keyword_in_context", "kwic")

# ---- formulas and worked example ----------------------------------------------------------------
else:
    for name in T.SCHEMES:
        st.markdown(_("**{scheme}**: {note}").format(scheme=_(SCHEME_LABELS[name]), note=_(T.SCHEME_NOTES[name])))
        st.latex(T.SCHEME_FORMULAS[name])
    st.subheader(_("Worked example"))
    default = str(T.rank_terms(tm, scheme, score, 1)["term"].iloc[0])
    term = st.text_input(_("Term"), value=default, key="terms_ex_term", persist_state="session")
    try:
        hits = T.lookup_term(tm, term, scheme, texts=corpus.texts, top_docs=50).top_docs
        row = st.selectbox(_("Document"), hits["row"].tolist(), key=f"terms_ex_row::{term}",
                           format_func=lambda r: f"#{r} · {corpus.texts[r][:80]}")
        example = T.worked_example(tm, term, int(row), scheme)
    except InputError as exc:
        fail(exc)
    if scheme.name == "textbook":
        st.caption(_("Scheme: {scheme}, log base {base}").format(scheme=_(SCHEME_LABELS[scheme.name]),
                                                                   base=scheme.log_base))
    else:
        st.caption(_("Scheme: {scheme}").format(scheme=_(SCHEME_LABELS[scheme.name])))
    for step in example.steps:
        meaning = _("({meaning})").format(meaning=_(step.meaning))
        st.latex(rf"{step.symbol} = {step.formatted(6)} \quad \text{{{meaning}}}")  # i18n: skip (LaTeX)
    spec = T.specification_example(scheme.log_base if scheme.name == "textbook" else "10")
    st.markdown(_("**The textbook example** (2 documents; the term occurs once in a 2-token document):"))
    st.latex(r" \quad ".join(rf"{s.symbol.split('=')[0]} = {s.formatted(2)}" for s in spec.steps))
