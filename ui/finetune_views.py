"""Rendering helpers for pages/finetune.py: results and using a model.

Results are tied to the corpus they were trained on (name + file hash in the result): after loading
another corpus they are labelled as the old corpus's, never passed off as the new one's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts.finetune_confusion import confusion_heatmap
from core.charts.finetune_curves import finetune_curves
from core.charts.finetune_per_class import per_class_f1
from core.errors import InputError
from core.export import to_csv_bytes, to_xlsx_bytes
from core.finetune import pipeline as P
from core.finetune.metrics import verdict
from ui import state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show_curves(history, baseline_acc=None) -> None:
    c = P.eval_curves(history)
    if c["train_epoch"] or c["eval_epoch"]:
        st.plotly_chart(finetune_curves(**c, baseline_accuracy=baseline_acc), key="finetune_curves_chart")


def corpus_tie(result, corpus) -> None:
    """Which corpus these results belong to, and a warning when another one is loaded now."""
    if not result.corpus_name:
        return
    sha = f" (sha256 {result.corpus_hash[:10]}…)" if result.corpus_hash else ""
    st.caption(f"Trained and tested on **{state.md_escape(result.corpus_name)}**{sha} · labels: "
               f"{state.md_escape(result.label_source or '—')}")
    if result.corpus_hash and corpus is not None and corpus.content_hash != result.corpus_hash:
        st.warning(f"These results belong to {state.md_escape(result.corpus_name)}, not to the corpus loaded now "
                   f"({state.md_escape(corpus.name)}). Every figure below is the old corpus's; "
                   "“Apply to the whole corpus” classifies the one loaded now.", icon=":material/history:")


def results(result, status: str | None, corpus) -> None:
    st.subheader("Results" + (" (cancelled: best checkpoint so far)" if status == "cancelled" else ""))
    corpus_tie(result, corpus)
    for w in result.warnings:
        st.warning(state.md_escape(w))
    m, bl = result.metrics, result.baseline
    st.dataframe(pd.DataFrame([
        {"model": result.source, "accuracy": m["accuracy"], "macro-F1": m["macro_f1"], "seconds": result.seconds},
        {"model": bl["model"], "accuracy": bl["accuracy"], "macro-F1": bl["macro_f1"], "seconds": bl["seconds"]},
    ]), hide_index=True)
    shares = [r["support"] / max(1, m["n"]) for r in m["per_class"]]
    level, sentence = verdict(m["accuracy"], bl["accuracy"], shares)
    getattr(st, level)(sentence)
    st.caption(f"Test split {m['n']:,} texts · {result.status.replace('_', ' ')} after {result.steps} steps "
               f"(best at {result.best_step}) · {result.samples_per_second:.0f} samples/s on {result.device} · "
               f"max length {result.max_length} truncated {result.truncated_share:.1%} · {result.n_params:,} parameters")
    show_curves(result.history, bl["accuracy"])
    t1, t2 = st.columns(2)
    t1.plotly_chart(per_class_f1(result.classes, [r["f1"] for r in m["per_class"]],
                                 [r["f1"] for r in bl["per_class"]]), key="finetune_f1_chart")
    t2.plotly_chart(confusion_heatmap(m["confusion"], result.classes, "Confusion (test)"), key="finetune_cm")
    st.markdown("**Per class (test)**")
    st.dataframe(pd.DataFrame(m["per_class"]), hide_index=True)
    st.markdown("**Most confident mistakes**")
    st.dataframe(pd.DataFrame(m["mistakes"]), hide_index=True)
    from core.finetune.bundle import zip_bundle_file

    if result.model_dir:  # "" when saving failed (a full disk): the warning above says so
        st.download_button("Download the model (zip)", lambda: zip_bundle_file(result.model_dir).read_bytes(),
                           "topiclens-model.zip", "application/zip", key="finetune_zip", on_click="ignore")


def _load_model(folder: str):
    from core.finetune.bundle import load_bundle

    return state.memo("finetune_model", folder, lambda: load_bundle(folder))


def use_model(owner: str, result, corpus, label_col: str | None) -> None:
    """This job's model or an uploaded zip: try a text (top 3 labels), classify the whole corpus."""
    st.subheader("Use a model")
    upload = st.file_uploader("Upload a saved model zip (validated; safetensors and JSON only)", type=["zip"],
                              key="finetune_upload")
    if upload is not None and st.session_state.get("finetune_upload_name") != upload.file_id:
        from core.finetune.bundle import load_bundle_zip, prune_all_uploads

        try:
            prune_all_uploads(P.workspace_root() / "finetune")  # every session's unpacked uploads expire
            clf = load_bundle_zip(upload.getvalue(), P.owner_dir(owner) / "uploads")
        except Exception as exc:  # InputError, or the server's own trouble (OSError): a message, never a traceback
            state.show_error(exc)
            return
        st.session_state["finetune_upload_name"] = upload.file_id
        st.session_state["finetune_model_dir"] = str(clf.folder)
    model_dir = st.session_state.get("finetune_model_dir") if upload is not None else None
    model_dir = model_dir or (result.model_dir or None if result is not None else state.interrupted_checkpoint())
    if model_dir is None:
        st.caption("Train a model above or upload a saved model zip to classify texts.")
        return
    try:
        classifier = _load_model(model_dir)
    except Exception as exc:
        state.show_error(exc)
        return
    st.caption(f"Model: {state.md_escape(classifier.meta.get('source', ''))} · classes: "
               + state.md_escape(", ".join(classifier.labels[:20])))
    try:  # a model that loads but cannot run (a damaged file) gives a message, never a traceback
        try_it(classifier)
        predictions(classifier, model_dir, corpus, label_col)
    except Exception as exc:
        state.show_error(exc)


def try_it(classifier) -> None:
    text = st.text_area("Try it: type a text", key="finetune_try")
    if not text.strip():
        return
    from core.finetune.predict import top_predictions

    top = top_predictions(classifier, text, 3)
    st.markdown("Predicted: " + " · ".join(
        (f"**{state.md_escape(label)}** ({p:.1%})" if i == 0 else f"{state.md_escape(label)} ({p:.1%})")
        for i, (label, p) in enumerate(top)))


def predictions(classifier, model_dir: str, corpus, label_col: str | None) -> None:
    applied = (model_dir, state.data_key())
    if st.button("Apply to the whole corpus", key="finetune_apply"):
        with st.spinner("Classifying the corpus…", show_time=True):
            state.predictions(classifier, model_dir, corpus.texts)
        st.session_state["finetune_applied"] = applied
    table = state.predictions(classifier, model_dir, corpus.texts,
                              saved_only=st.session_state.get("finetune_applied") != applied)
    if table is None:  # neither applied in this session nor saved in the project earlier
        return
    table = with_true_labels(table, corpus, label_col)
    st.caption(f"Predictions for {state.md_escape(corpus.name)}: row, text"
               + (f", true label ({state.md_escape(label_col)})" if label_col else "")
               + ", predicted label and its probability.")
    st.dataframe(table.head(200), hide_index=True)
    d = st.container(horizontal=True, gap="small")
    d.download_button("CSV", lambda: to_csv_bytes(table), "predictions.csv", "text/csv", key="finetune_pred_csv",
                      on_click="ignore")
    d.download_button("XLSX", lambda: to_xlsx_bytes(table, "predictions"), "predictions.xlsx", XLSX,
                      key="finetune_pred_xlsx", on_click="ignore")


def with_true_labels(table: pd.DataFrame, corpus, label_col: str | None) -> pd.DataFrame:
    """The predictions with a row id and, when a label column is chosen, the true label beside them."""
    table = table.copy()
    if "row" not in table.columns:  # predictions saved by an older version
        table.insert(0, "row", range(len(table)))
    if label_col and "true_label" not in table.columns and len(table) == corpus.n_docs:
        true = corpus.frame[label_col].tolist()
        table.insert(list(table.columns).index("text") + 1, "true_label",
                     ["" if v is None or v != v else str(v) for v in (true[r] for r in table["row"])])
    return table
