"""Corpus page: upload or pick a demo, check how it was read, set column roles and preprocessing."""

import streamlit as st

from core import i18n
from core.charts.length_histogram import length_histogram
from core.corpus import FORMATS, LoadOptions, summarize
from core.i18n import N_, _, format_int, ngettext, pgettext
from core.params import bounds
from core.preprocess import PreprocessSettings, parse_stopword_upload, parse_user_dict
from ui import corpus_views as CV
from ui.corpus_options import DELIMITERS, ENCODINGS, HEADER, from_widgets
from ui import state

# Option values are stable English/codes (saved with the project); the widgets show them translated.
PP_LANGUAGES = {"auto": N_("auto"), "zh": N_("Chinese (zh)"), "en": N_("English (en)")}


def rows(n: int) -> str:
    return ngettext("{n} row", "{n} rows", n).format(n=format_int(n))


def auto(value: str) -> str:
    """A format or encoding as shown: 'auto' translated, codes as they are."""
    return _("auto") if value == "auto" else value


state.begin_page()  # language and autosave (the frame does both too; AppTest reruns pages alone)
TXT_MODES = {"line": pgettext("TXT documents", "line"), "paragraph": pgettext("TXT documents", "paragraph")}
st.title(_("Corpus"))
st.caption(_("Upload a table of texts (CSV, TSV, XLSX, TXT, JSONL or a ZIP of .txt files), "
             "or start from a bundled demo corpus."))


def read_options(sheet: str | None = None) -> LoadOptions:
    """The read options from the widgets' state (also usable in a callback, before they are drawn)."""
    return from_widgets(st.session_state.get, sheet)


def parse_upload(upload, options: LoadOptions) -> bool:
    """Parse once per (file, options); True when a new corpus was set. Marked seen only once parsed:
    a run interrupted mid-parse (another click, a page switch under load) parses it again."""
    seen = (upload.file_id, options)
    if st.session_state.get("corpus_upload_seen") == seen:
        return False
    st.session_state.pop("corpus_upload_error", None)
    try:
        state.set_corpus(state.load_upload(upload.getvalue(), upload.name, options), upload.getvalue())
        st.session_state["corpus_loaded_file_id"] = upload.file_id
        return True
    except Exception as exc:  # any parse failure: say what is wrong, keep the previous corpus
        st.session_state["corpus_upload_error"] = exc
        return False
    finally:
        st.session_state["corpus_upload_seen"] = seen


def on_upload() -> None:
    # Runs first thing in the next run, whatever page it shows: an upload lands even when the user
    # leaves the page before its processing run (the widget's value would be gone then).
    if st.session_state.get("corpus_upload") is not None:
        parse_upload(st.session_state["corpus_upload"], read_options())


# --- source -----------------------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    upload = st.file_uploader(_("Upload a corpus"), key="corpus_upload", on_change=on_upload,
                              type=["csv", "tsv", "txt", "jsonl", "ndjson", "xlsx", "zip", "tab", "psv"])
with right:
    demo = st.selectbox(_("…or a demo corpus"), list(state.DEMOS), key="corpus_demo",
                        format_func=state.localized(_))
    if st.button(_("Load demo"), key="corpus_load_demo"):
        state.set_corpus(state.load_demo(demo), state.demo_source(demo)[0], demo=True)
        for key in ("corpus_upload_error", "corpus_loaded_file_id"):
            st.session_state.pop(key, None)

# The sheet list is the loaded workbook's: it applies while that same upload is in the uploader, or
# with an empty uploader to the project's stored workbook. Asked in the open (not in the collapsed
# expander): a README sheet in front is a common trap.
current = state.current_corpus()
from_upload = upload is not None and st.session_state.get("corpus_loaded_file_id") == upload.file_id
sheet = None
if (from_upload or upload is None) and current is not None and current.sheet_names:
    sheet = current.sheet
    if len(current.sheet_names) > 1:
        def sheet_label(name: str) -> str:
            if name not in current.sheet_rows:
                return name
            n = current.sheet_rows[name]
            return ngettext("{sheet} ({n} row)", "{sheet} ({n} rows)", n).format(sheet=name, n=format_int(n))

        with_data = [n for n in current.sheet_names if current.sheet_rows.get(n, 1)]
        sheet = st.selectbox(
            _("This workbook has several sheets with data: which one holds the documents?") if len(with_data) > 1
            else _("Sheet"), current.sheet_names, key=f"corpus_sheet_{current.content_hash[:12]}",
            index=current.sheet_names.index(current.sheet) if current.sheet in current.sheet_names else 0,
            format_func=state.localized(sheet_label))

with st.expander(_("How the file is read"), expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox(_("Format"), FORMATS, key="corpus_format", persist_state="session", format_func=state.localized(auto))
    c2.selectbox(_("Encoding"), ENCODINGS, key="corpus_encoding", persist_state="session", format_func=state.localized(auto))
    c3.selectbox(_("Delimiter"), list(DELIMITERS), key="corpus_delimiter", persist_state="session", format_func=state.localized(_))
    c4.selectbox(_("TXT documents"), list(TXT_MODES), key="corpus_txt_mode", persist_state="session", format_func=TXT_MODES.get,
                 help=_("One document per line, or per blank-line-separated paragraph."))
    d1, d2, d3 = st.columns(3)
    d1.checkbox(_("Drop empty texts"), key="corpus_drop_empty", persist_state="session")
    d2.checkbox(_("Drop exact duplicates"), key="corpus_drop_dups", persist_state="session")
    d3.selectbox(_("First row (CSV/TSV)"), list(HEADER), key="corpus_header", persist_state="session", format_func=state.localized(_),
                 help=_("Detected: read as data when it looks like a document rather than column names."))

options = read_options(sheet)
if upload is not None:
    new_workbook = st.session_state.get("corpus_loaded_file_id") != upload.file_id
    if parse_upload(upload, options) and new_workbook and state.current_corpus().sheet_names:
        st.rerun()  # draw the sheet picker, which sits above this point
else:  # no file in the uploader (e.g. a reopened project): new read options re-read the project's bytes
    st.session_state.pop("corpus_upload_error", None)
    seen, st.session_state["corpus_stored_seen"] = st.session_state.get("corpus_stored_seen"), options
    if seen is not None and seen != options:
        try:
            state.reread_corpus(options)
        except Exception as exc:  # the previous reading stays loaded
            st.session_state["corpus_upload_error"] = exc
failed = "corpus_upload_error" in st.session_state
if failed:
    state.show_error(st.session_state["corpus_upload_error"])

corpus = state.current_corpus()
if corpus is None:
    st.stop()

# --- detected format and column roles ---------------------------------------------------------
if failed:
    st.info(_("Still using the corpus loaded before: {name} ({rows}).").format(name=state.md_escape(corpus.name),
                                                                                rows=rows(corpus.n_docs)))
else:
    st.success(_("Loaded {rows} from {name}").format(rows=rows(corpus.n_docs), name=state.md_escape(corpus.name)),
               icon=":material/check_circle:")
for note in corpus.warnings:   # core.errors.Message: shown in the reader's language
    st.warning(state.md_escape(i18n.translate_error(note)))
meta = st.columns(4)
meta[0].metric(_("Format"), corpus.file_format.upper())
meta[1].metric(_("Encoding"), corpus.encoding or "—")
meta[2].metric(_("Delimiter"), {"\t": _("tab"), None: "—"}.get(corpus.delimiter, corpus.delimiter))
meta[3].metric(_("Columns"), format_int(len(corpus.columns)))

# Keyed on the fingerprint (bytes + read options + roles): every parse gets fresh widgets.
NONE = N_("(none)")   # the option value (shown translated)
role_keys = [f"corpus_{r}_col_{corpus.fingerprint}" for r in ("text", "label", "date")]  # i18n: skip (widget keys)


def apply_roles() -> None:
    text, label, date = (st.session_state[k] for k in role_keys)
    try:
        state.set_corpus(corpus.with_roles(text, "" if label == NONE else label, "" if date == NONE else date))
    except Exception as exc:  # invalid choice (e.g. a date column with no dates): undo it, say why
        st.session_state["corpus_role_error"] = exc
        for k, v in zip(role_keys, (corpus.text_col, corpus.label_col or NONE, corpus.date_col or NONE)):
            st.session_state[k] = v


def column_label(col: str) -> str:
    return _("(none)") if col == NONE else col


cols, opt_cols = corpus.columns, [NONE] + corpus.columns
r1, r2, r3 = st.columns(3)
r1.selectbox(_("Text column"), cols, index=cols.index(corpus.text_col), key=role_keys[0], on_change=apply_roles)
r2.selectbox(_("Label / group column"), opt_cols, index=opt_cols.index(corpus.label_col or NONE), key=role_keys[1],
             on_change=apply_roles, format_func=state.localized(column_label))
r3.selectbox(_("Date column"), opt_cols, index=opt_cols.index(corpus.date_col or NONE), key=role_keys[2],
             on_change=apply_roles, format_func=state.localized(column_label))
if "corpus_role_error" in st.session_state:
    state.show_error(st.session_state.pop("corpus_role_error"))

st.subheader(_("Preview"))
st.dataframe(corpus.frame.head(200), width="stretch", height=260)

# --- preprocessing ----------------------------------------------------------------------------
st.subheader(_("Preprocessing"))
cur = state.preprocess_settings()
with st.form("corpus_preprocess"):
    p1, p2, p3, p4 = st.columns(4)
    language = p1.selectbox(_("Language"), list(PP_LANGUAGES), index=list(PP_LANGUAGES).index(cur.language),
                            format_func=state.localized(lambda v: _(PP_LANGUAGES[v])))
    min_len = p2.number_input(_("Min token length"), *bounds("preprocess_min_token_len"), cur.min_token_len,
                              help=_("1 keeps Chinese one-character words (such as the words for car or medicine)."))
    min_df = p3.number_input(_("min_df (documents)"), *bounds("preprocess_min_df"), cur.min_df)
    max_df = p4.slider(_("max_df (share of documents)"), *bounds("preprocess_max_df"), float(cur.max_df), 0.01)
    f1, f2, f3 = st.columns(3)
    f4, f5, f6 = st.columns(3)
    zh_stop = f1.checkbox(_("Chinese stopwords"), cur.zh_stopwords, help=_("cn + HIT + Baidu + SCU lists, merged"))
    en_stop = f2.checkbox(_("English stopwords"), cur.en_stopwords, help=_("scikit-learn's list"))
    numbers = f3.checkbox(_("Drop numbers"), cur.drop_numbers)
    punct = f4.checkbox(_("Drop punctuation"), cur.drop_punct)
    urls = f5.checkbox(_("Drop URLs & e-mails"), cur.drop_urls and cur.drop_emails)
    simp = f6.checkbox(_("Traditional → Simplified"), cur.to_simplified,
                       help=_("Only documents written in Traditional characters are converted (OpenCC)."))
    html_fix = f1.checkbox(_("Decode HTML entities"), cur.decode_html,
                           help=_("`&amp;`, `#39;`, `quot;`, `<b>` → characters"))
    lemma = f2.checkbox(_("English lemmas"), cur.lemmatize, help=_("companies → company, said → say (simplemma)"))
    extra = st.text_input(_("Extra stopwords (comma or space separated)"), " ".join(cur.extra_stopwords))
    u1, u2 = st.columns(2)
    stop_file = u1.file_uploader(_("Stopword list (one word per line)"), type=["txt"], key="corpus_stop_file")
    dict_file = u2.file_uploader(_("jieba user dictionary (word [freq] [tag])"), type=["txt"],
                                 key="corpus_user_dict")
    apply = st.form_submit_button(_("Apply preprocessing"), type="primary")

if apply:
    try:
        state.set_preprocess_settings(PreprocessSettings(
            language=language, zh_stopwords=zh_stop, en_stopwords=en_stop,
            extra_stopwords=tuple(w for w in extra.replace(",", " ").replace("，", " ").split() if w),
            uploaded_stopwords=parse_stopword_upload(stop_file.getvalue()) if stop_file else cur.uploaded_stopwords,
            user_dict=parse_user_dict(dict_file.getvalue()) if dict_file else cur.user_dict,
            to_simplified=simp, decode_html=html_fix, lemmatize=lemma, phrases=cur.phrases,
            drop_numbers=numbers, drop_punct=punct, drop_urls=urls, drop_emails=urls,
            min_token_len=int(min_len), min_df=int(min_df), max_df=float(max_df)))
    except Exception as exc:
        state.show_error(exc)

try:
    tokens = state.current_tokens()
except Exception as exc:
    state.show_error(exc)
    st.stop()

# --- quality summary --------------------------------------------------------------------------
st.subheader(_("Data quality"))
summary, n_types = state.memo("corpus_summary", state.data_key(),
                              lambda: (summarize(corpus, tokens.token_lengths), len(tokens.vocabulary())))
CV.quality_metrics(summary, tokens, n_types)
CV.quality_rows(corpus, tokens)
st.plotly_chart(length_histogram(summary.char_lengths, summary.token_lengths), width="stretch")

CV.segmentation_summary(tokens)
CV.stopword_suggestions(corpus, tokens)
CV.phrase_editor(tokens)
CV.tokenized_sample(corpus, tokens)
