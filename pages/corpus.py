"""Corpus page: upload or pick a demo, check how it was read, set column roles and preprocessing."""

import pandas as pd
import streamlit as st

from core.charts.length_histogram import length_histogram
from core.corpus import FORMATS, LoadOptions, summarize
from core.preprocess import PreprocessSettings, parse_stopword_upload, parse_user_dict
from ui import corpus_views as CV
from ui import state

ENCODINGS = ["auto", "utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "big5hkscs", "utf-16", "cp1252"]
HEADER = {"detect": None, "first row is a header": True, "first row is data (no header)": False}
DELIMITERS = {"auto": None, "comma ,": ",", "tab": "\t", "semicolon ;": ";", "pipe |": "|"}


def rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


state.autosave()  # the frame saves too; this keeps every page right on its own (AppTest reruns pages only)
st.title("Corpus")
st.caption("Upload a table of texts (CSV, TSV, XLSX, TXT, JSONL or a ZIP of .txt files), "
           "or start from a bundled demo corpus.")


def read_options(sheet: str | None = None) -> LoadOptions:
    """The read options from the widgets' state (also usable in a callback, before they are drawn)."""
    get = st.session_state.get
    enc = get("corpus_encoding", "auto")
    return LoadOptions(file_format=get("corpus_format", "auto"), encoding=None if enc == "auto" else enc,
                       delimiter=DELIMITERS[get("corpus_delimiter", "auto")], sheet=sheet,
                       txt_mode=get("corpus_txt_mode", "line"), drop_empty=get("corpus_drop_empty", False),
                       drop_duplicates=get("corpus_drop_dups", False),
                       header=HEADER[get("corpus_header", next(iter(HEADER)))])


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
    upload = st.file_uploader("Upload a corpus", key="corpus_upload", on_change=on_upload,
                              type=["csv", "tsv", "txt", "jsonl", "ndjson", "xlsx", "zip", "tab", "psv"])
with right:
    demo = st.selectbox("…or a demo corpus", list(state.DEMOS), key="corpus_demo")
    if st.button("Load demo", key="corpus_load_demo"):
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
        with_data = [n for n in current.sheet_names if current.sheet_rows.get(n, 1)]
        sheet = st.selectbox(
            "This workbook has several sheets with data: which one holds the documents?" if len(with_data) > 1
            else "Sheet", current.sheet_names, key=f"corpus_sheet_{current.content_hash[:12]}",
            index=current.sheet_names.index(current.sheet) if current.sheet in current.sheet_names else 0,
            format_func=lambda n: f"{n} ({current.sheet_rows[n]:,} rows)" if n in current.sheet_rows else n)

with st.expander("How the file is read", expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox("Format", FORMATS, key="corpus_format")
    c2.selectbox("Encoding", ENCODINGS, key="corpus_encoding")
    c3.selectbox("Delimiter", list(DELIMITERS), key="corpus_delimiter")
    c4.selectbox("TXT documents", ["line", "paragraph"], key="corpus_txt_mode",
                 help="One document per line, or per blank-line-separated paragraph.")
    d1, d2, d3 = st.columns(3)
    d1.checkbox("Drop empty texts", key="corpus_drop_empty")
    d2.checkbox("Drop exact duplicates", key="corpus_drop_dups")
    d3.selectbox("First row (CSV/TSV)", list(HEADER), key="corpus_header",
                 help="Detected: read as data when it looks like a document rather than column names.")

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
    st.info(f"Still using the corpus loaded before: {state.md_escape(corpus.name)} ({rows(corpus.n_docs)}).")
else:
    st.success(f"Loaded {rows(corpus.n_docs)} from {state.md_escape(corpus.name)}", icon=":material/check_circle:")
for note in corpus.warnings:
    st.warning(state.md_escape(note))
meta = st.columns(4)
meta[0].metric("Format", corpus.file_format.upper())
meta[1].metric("Encoding", corpus.encoding or "—")
meta[2].metric("Delimiter", {"\t": "tab", None: "—"}.get(corpus.delimiter, corpus.delimiter))
meta[3].metric("Columns", len(corpus.columns))

# Keyed on the fingerprint (bytes + read options + roles): every parse gets fresh widgets.
NONE = "(none)"
role_keys = [f"corpus_{r}_col_{corpus.fingerprint}" for r in ("text", "label", "date")]


def apply_roles() -> None:
    text, label, date = (st.session_state[k] for k in role_keys)
    try:
        state.set_corpus(corpus.with_roles(text, "" if label == NONE else label, "" if date == NONE else date))
    except Exception as exc:  # invalid choice (e.g. a date column with no dates): undo it, say why
        st.session_state["corpus_role_error"] = exc
        for k, v in zip(role_keys, (corpus.text_col, corpus.label_col or NONE, corpus.date_col or NONE)):
            st.session_state[k] = v


cols, opt_cols = corpus.columns, [NONE] + corpus.columns
r1, r2, r3 = st.columns(3)
r1.selectbox("Text column", cols, index=cols.index(corpus.text_col), key=role_keys[0], on_change=apply_roles)
r2.selectbox("Label / group column", opt_cols, index=opt_cols.index(corpus.label_col or NONE), key=role_keys[1],
             on_change=apply_roles)
r3.selectbox("Date column", opt_cols, index=opt_cols.index(corpus.date_col or NONE), key=role_keys[2],
             on_change=apply_roles)
if "corpus_role_error" in st.session_state:
    state.show_error(st.session_state.pop("corpus_role_error"))

st.subheader("Preview")
st.dataframe(corpus.frame.head(200), width="stretch", height=260)

# --- preprocessing ----------------------------------------------------------------------------
st.subheader("Preprocessing")
cur = state.preprocess_settings()
with st.form("corpus_preprocess"):
    p1, p2, p3, p4 = st.columns(4)
    language = p1.selectbox("Language", ["auto", "zh", "en"], index=["auto", "zh", "en"].index(cur.language))
    min_len = p2.number_input("Min token length", 1, 20, cur.min_token_len,
                              help="1 keeps Chinese one-character words such as 车 or 药.")
    min_df = p3.number_input("min_df (documents)", 1, 10_000, cur.min_df)
    max_df = p4.slider("max_df (share of documents)", 0.05, 1.0, float(cur.max_df), 0.05)
    f1, f2, f3 = st.columns(3)
    f4, f5, f6 = st.columns(3)
    zh_stop = f1.checkbox("Chinese stopwords", cur.zh_stopwords, help="cn + HIT + Baidu + SCU lists, merged")
    en_stop = f2.checkbox("English stopwords", cur.en_stopwords, help="scikit-learn's list")
    numbers = f3.checkbox("Drop numbers", cur.drop_numbers)
    punct = f4.checkbox("Drop punctuation", cur.drop_punct)
    urls = f5.checkbox("Drop URLs & e-mails", cur.drop_urls and cur.drop_emails)
    simp = f6.checkbox("Traditional → Simplified", cur.to_simplified,
                       help="Only documents written in Traditional characters are converted (OpenCC).")
    html_fix = f1.checkbox("Decode HTML entities", cur.decode_html, help="&amp;, #39;, quot;, &lt;b&gt; → characters")
    lemma = f2.checkbox("English lemmas", cur.lemmatize, help="companies → company, said → say (simplemma)")
    extra = st.text_input("Extra stopwords (comma or space separated)", " ".join(cur.extra_stopwords))
    u1, u2 = st.columns(2)
    stop_file = u1.file_uploader("Stopword list (one word per line)", type=["txt"], key="corpus_stop_file")
    dict_file = u2.file_uploader("jieba user dictionary (word [freq] [tag])", type=["txt"], key="corpus_user_dict")
    apply = st.form_submit_button("Apply preprocessing", type="primary")

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
st.subheader("Data quality")
summary, n_types = state.memo("corpus_summary", state.data_key(),
                              lambda: (summarize(corpus, tokens.token_lengths), len(tokens.vocabulary())))
q = [*st.columns(3), *st.columns(3)]
q[0].metric("Rows", f"{summary.rows:,}")
q[1].metric("Empty texts", summary.empty_texts)
q[2].metric("Exact duplicates", summary.duplicate_texts)
q[3].metric("Control characters", summary.control_char_docs, help="Documents with stray control characters")
q[4].metric("Chinese / English / other", " / ".join(str(summary.language_mix[k]) for k in ("zh", "en", "other")))
q[5].metric("Tokens", f"{tokens.n_tokens:,}", help=f"{n_types:,} distinct")
if summary.empty_texts or summary.duplicate_texts:
    st.caption("Tick *Drop empty texts* / *Drop exact duplicates* under **How the file is read** to remove them.")
CV.quality_rows(corpus, tokens)
st.plotly_chart(length_histogram(summary.char_lengths, summary.token_lengths), width="stretch")

st.markdown(f"**Segmentation:** {tokens.segmenter} · language **{tokens.language}**")
CV.conversion_note(tokens)
if tokens.removed:
    removed = pd.DataFrame({"removed by": list(tokens.removed), "tokens": [f"{v:,}" for v in tokens.removed.values()]})
    st.dataframe(removed, hide_index=True, width="content")
CV.stopword_suggestions(corpus, tokens)
CV.phrase_editor(tokens)
if tokens.empty_docs:
    st.warning(f"{tokens.empty_docs} document(s) have no tokens left after preprocessing; "
               "they are left out of term and topic models.")

st.subheader("Tokenized sample")
n = min(20, corpus.n_docs)
texts = corpus.texts
sample = pd.DataFrame({"text": [t[:200] for t in texts[:n]], "tokens": [" | ".join(d[:60]) for d in tokens.docs[:n]]})
st.dataframe(sample, hide_index=True, width="stretch")
