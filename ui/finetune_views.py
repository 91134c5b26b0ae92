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
from core import i18n
from core.errors import InputError
from core.export import to_csv_bytes, to_xlsx_bytes
from core.finetune import pipeline as P
from core.finetune.messages import tr
from core.finetune.metrics import verdict
from core.finetune.sources import description
from core.i18n import N_, _, format_int, format_number, format_percent
from ui import state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Headers of the tables shown on the page (the frames keep their column names; downloads too).
HEADERS = {
    "model": N_("model"), "accuracy": N_("accuracy"), "macro-F1": N_("macro-F1"), "seconds": N_("seconds"),
    "label": N_("label"), "precision": N_("precision"), "recall": N_("recall"), "f1": N_("f1"),
    "support": N_("support"), "text": N_("text"), "true": N_("true"), "predicted": N_("predicted"),
    "confidence": N_("confidence"), "row": N_("row"), "true_label": N_("true_label"),
    "predicted_label": N_("predicted_label"),
}


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with its headers in the reader's language."""
    return frame.rename(columns={c: _(HEADERS[c]) for c in frame.columns if c in HEADERS})


def show_error(exc: Exception) -> None:
    """state.show_error, with the parts of fine-tune messages (Text values) translated too."""
    if isinstance(exc, InputError):
        st.error(state.md_escape(tr(exc)), icon=":material/error:")
    else:
        state.show_error(exc)


def model_name(text: str) -> str:
    """A model description saved as English (`ModelSource.describe()`) in the reader's language."""
    return tr(text) if hasattr(text, "msgid") else tr(description(text) or "") or text


def show_failure(error: str) -> None:
    """The error of the project's current fine-tune, from its saved record when it has one as a template."""
    proj = state.current_project()
    saved = P.run_error(proj.current_finetune()) if proj is not None else None
    text = tr(saved) if saved is not None and str(saved) == error else tr(error)
    st.error(state.md_escape(text), icon=":material/error:")


def show_curves(history, baseline_acc=None) -> None:
    c = P.eval_curves(history)
    if c["train_epoch"] or c["eval_epoch"]:
        st.plotly_chart(finetune_curves(**c, baseline_accuracy=baseline_acc), key="finetune_curves_chart")


def corpus_tie(result, corpus) -> None:
    """Which corpus these results belong to, and a warning when another one is loaded now."""
    if not result.corpus_name:
        return
    labels = state.md_escape(tr(result.label_source) or "—")   # a Text, or an English msgid
    corpus_name = state.md_escape(result.corpus_name)
    if result.corpus_hash:
        st.caption(_("Trained and tested on **{corpus}** (sha256 {sha}…) · labels: {labels}").format(
            corpus=corpus_name, sha=result.corpus_hash[:10], labels=labels))
    else:
        st.caption(_("Trained and tested on **{corpus}** · labels: {labels}").format(corpus=corpus_name, labels=labels))
    if result.corpus_hash and corpus is not None and corpus.content_hash != result.corpus_hash:
        st.warning(_("These results belong to {old}, not to the corpus loaded now ({new}). Every figure below is "
                     "the old corpus's; “Apply to the whole corpus” classifies the one loaded now.").format(
                         old=state.md_escape(result.corpus_name), new=state.md_escape(corpus.name)),
                   icon=":material/history:")


def results(result, status: str | None, corpus) -> None:
    st.subheader(_("Results (cancelled: best checkpoint so far)") if status == "cancelled" else _("Results"))
    corpus_tie(result, corpus)
    for w in result.warnings:
        st.warning(state.md_escape(tr(w)))
    m, bl = result.metrics, result.baseline
    st.dataframe(shown(pd.DataFrame([
        {"model": model_name(result.source), "accuracy": m["accuracy"], "macro-F1": m["macro_f1"],
         "seconds": result.seconds},
        {"model": tr(bl["model"]) if hasattr(bl["model"], "msgid") else bl["model"], "accuracy": bl["accuracy"],
         "macro-F1": bl["macro_f1"], "seconds": bl["seconds"]},
    ])), hide_index=True)
    shares = [r["support"] / max(1, m["n"]) for r in m["per_class"]]
    level, sentence = verdict(m["accuracy"], bl["accuracy"], shares)
    getattr(st, level)(tr(sentence))
    st.caption(_("Test split {n} texts · {status} after {steps} steps (best at {best}) · {speed} samples/s on "
                 "{device} · max length {max_length} truncated {truncated} · {n_params} parameters").format(
        n=format_int(m["n"]), status=_(P.STATUS_WORDS.get(result.status, result.status)),
        steps=format_int(result.steps), best=format_int(result.best_step),
        speed=format_number(result.samples_per_second, 0), device=result.device,
        max_length=format_int(result.max_length), truncated=format_percent(result.truncated_share, 1),
        n_params=format_int(result.n_params)))
    show_curves(result.history, bl["accuracy"])
    t1, t2 = st.columns(2)
    t1.plotly_chart(per_class_f1(result.classes, [r["f1"] for r in m["per_class"]],
                                 [r["f1"] for r in bl["per_class"]]), key="finetune_f1_chart")
    t2.plotly_chart(confusion_heatmap(m["confusion"], result.classes, _("Confusion (test)")), key="finetune_cm")
    st.markdown("**" + _("Per class (test)") + "**")
    st.dataframe(shown(pd.DataFrame(m["per_class"])), hide_index=True)
    st.markdown("**" + _("Most confident mistakes") + "**")
    st.dataframe(shown(pd.DataFrame(m["mistakes"])), hide_index=True)
    from core.finetune.bundle import zip_bundle

    if result.model_dir:  # "" when saving failed (a full disk): the warning above says so
        # Zipped in memory on click: no second copy of the model is left in the project.
        st.download_button(_("Download the model (zip)"), lambda: zip_bundle(result.model_dir),
                           f"{state.file_stem()}_model.zip", "application/zip", key="finetune_zip", on_click="ignore")


def _load_model(folder: str):
    from core.finetune.bundle import load_bundle

    return state.memo("finetune_model", folder, lambda: load_bundle(folder))


def use_model(owner: str, result, corpus, label_col: str | None) -> None:
    """This job's model or an uploaded zip: try a text (top 3 labels), classify the whole corpus."""
    st.subheader(_("Use a model"))
    upload = st.file_uploader(_("Upload a saved model zip (validated; safetensors and JSON only)"), type=["zip"],
                              key="finetune_upload")
    if upload is not None and st.session_state.get("finetune_upload_name") != upload.file_id:
        from core.finetune.bundle import load_bundle_zip, prune_all_uploads

        try:
            prune_all_uploads(P.workspace_root() / "finetune")  # every session's unpacked uploads expire
            clf = load_bundle_zip(upload.getvalue(), P.owner_dir(owner) / "uploads")
        except Exception as exc:  # InputError, or the server's own trouble (OSError): a message, never a traceback
            show_error(exc)
            return
        st.session_state["finetune_upload_name"] = upload.file_id
        st.session_state["finetune_model_dir"] = str(clf.folder)
    model_dir = st.session_state.get("finetune_model_dir") if upload is not None else None
    model_dir = model_dir or (result.model_dir or None if result is not None else state.interrupted_checkpoint())
    if model_dir is None:
        st.caption(_("Train a model above or upload a saved model zip to classify texts."))
        return
    try:
        classifier = _load_model(model_dir)
    except Exception as exc:
        show_error(exc)
        return
    st.caption(_("Model: {model} · classes: {classes}").format(
        model=state.md_escape(model_name(str(classifier.meta.get("source", "")))),
        classes=state.md_escape(", ".join(classifier.labels[:20]))))
    try:  # a model that loads but cannot run (a damaged file) gives a message, never a traceback
        try_it(classifier)
        predictions(classifier, model_dir, corpus, label_col)
    except Exception as exc:
        show_error(exc)


def try_it(classifier) -> None:
    text = st.text_area(_("Try it: type a text"), key="finetune_try")
    if not text.strip():
        return
    from core.finetune.predict import top_predictions

    top = top_predictions(classifier, text, 3)
    st.markdown(_("Predicted: {labels}").format(labels=" · ".join(
        _("{label} ({probability})").format(label=f"**{state.md_escape(label)}**" if i == 0 else state.md_escape(label),
                                            probability=format_percent(p, 1))
        for i, (label, p) in enumerate(top))))


def predictions(classifier, model_dir: str, corpus, label_col: str | None) -> None:
    applied = (model_dir, state.data_key())
    if st.button(_("Apply to the whole corpus"), key="finetune_apply"):
        with st.spinner(_("Classifying the corpus…"), show_time=True):
            state.predictions(classifier, model_dir, corpus.texts)
        st.session_state["finetune_applied"] = applied
    table = state.predictions(classifier, model_dir, corpus.texts,
                              saved_only=st.session_state.get("finetune_applied") != applied)
    if table is None:  # neither applied in this session nor saved in the project earlier
        return
    table = with_true_labels(table, corpus, label_col)
    if label_col:
        st.caption(_("Predictions for {corpus}: row, text, true label ({col}), predicted label and its "
                     "probability.").format(corpus=state.md_escape(corpus.name), col=state.md_escape(label_col)))
    else:
        st.caption(_("Predictions for {corpus}: row, text, predicted label and its probability.").format(
            corpus=state.md_escape(corpus.name)))
    st.dataframe(shown(table.head(200)), hide_index=True)
    d = st.container(horizontal=True, gap="small")
    d.download_button("CSV", lambda: to_csv_bytes(table), f"{state.file_stem()}_predictions.csv", "text/csv", key="finetune_pred_csv",
                      on_click="ignore")
    d.download_button("XLSX", lambda: to_xlsx_bytes(table, "predictions"), f"{state.file_stem()}_predictions.xlsx", XLSX,
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


def watch_elsewhere(run: dict) -> None:
    """A fine-tune that another process runs: who and since when, refreshed until it ends."""
    from core.projects.project import describe_lease

    @st.fragment(run_every=3.0)
    def waiting() -> None:
        i18n.set_language(state.ui_language())   # a fragment rerun does not run the page's first lines
        if state.finetune_elsewhere() is None:
            st.rerun()                            # it ended (or died): the page shows its results
        st.info(_("This project's fine-tune is running in {who}. Its results appear here when it ends.").format(
            who=state.md_escape(i18n.translate_error(describe_lease(run)))), icon=":material/sync:")

    waiting()
