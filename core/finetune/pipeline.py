"""The whole fine-tune in one call (labels -> split -> baseline -> train -> test scores -> bundle),
and the same call as a background job. The page, the CLI and the benchmark all use `run_finetune`.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from core.errors import InputError
from core.jsonable import plain
from core.finetune import messages
from core.finetune.data import prepare_labels, split_data
from core.finetune.messages import Text
from core.finetune.sources import ModelSource
from core.finetune.train import Progress, TrainSettings
from core.i18n import N_
from core.workspace import owner_dir, workspace_root

JOB_KIND = "finetune"
PREVIEW_CHARS = 20_000   # >= 512 tokens for any tokenizer short of 39 characters per token
# Where the labels came from (FinetuneRequest.label_source; English, translated where shown).
LABEL_COLUMN, LABEL_TOPIC = N_("column {col}"), N_("dominant LDA topic")
# How a run ended (FinetuneResult.status -> words).
STATUS_WORDS = {"completed": N_("completed"), "early_stopped": N_("early stopped"), "cancelled": N_("cancelled")}


def label_source_text(col: str | None) -> Text:
    """FinetuneRequest.label_source for a label column `col`, or (None) the dominant LDA topic."""
    return Text(LABEL_COLUMN, col=col) if col is not None else Text(LABEL_TOPIC)


@dataclass
class FinetuneRequest:
    texts: list[str]
    labels: list[object]
    source: ModelSource
    settings: TrainSettings = field(default_factory=TrainSettings)
    out_dir: Path | None = None          # where the bundle is saved
    corpus_name: str = ""
    label_source: str = N_("label column")   # label_source_text(): "column L" or "dominant LDA topic"
    checkpoint_dir: Path | None = None   # the best model so far is kept here while training (restarts)
    corpus_hash: str = ""                # sha256 of the corpus file: results say which corpus they belong to


@dataclass
class FinetuneResult:
    status: str                          # completed | early_stopped | cancelled
    classes: list[str]
    metrics: dict                        # test scores of the fine-tuned model
    baseline: dict                       # test scores of TF-IDF + logistic regression
    history: list[dict]
    model_dir: str                       # "" when the model could not be saved (see warnings)
    split_sizes: dict
    warnings: list[str]                  # messages.Text (English; the page translates them)
    max_length: int
    truncated_share: float
    device: str
    n_params: int
    steps: int
    best_step: int
    seconds: float                       # whole run
    train_seconds: float
    samples_per_second: float
    source: str
    settings: dict
    corpus_name: str = ""                # the corpus the model was trained and tested on
    corpus_hash: str = ""
    label_source: str = ""

    def summary(self) -> dict:
        """Headline numbers (CLI JSON, manifest)."""
        keys = ("status", "device", "n_params", "steps", "best_step", "max_length", "truncated_share", "seconds",
                "train_seconds", "samples_per_second", "source", "split_sizes", "model_dir")
        out = {k: getattr(self, k) for k in keys}
        out["model"] = {k: self.metrics[k] for k in ("accuracy", "macro_f1", "n")}
        out["baseline"] = {k: self.baseline[k] for k in ("accuracy", "macro_f1", "n", "seconds", "model")}
        out["warnings"] = self.warnings
        return out


def run_finetune(request: FinetuneRequest, on_progress: Progress | None = None,
                 should_stop: Callable[[], bool] | None = None) -> FinetuneResult:
    from core.finetune.baseline import run_baseline
    from core.finetune.bundle import save_bundle
    from core.finetune.metrics import score
    from core.finetune.predict import predict_proba
    from core.finetune.bundle import Classifier
    from core.finetune.train import token_lengths, train_classifier, truncated_share

    t0 = time.perf_counter()
    settings = request.settings
    settings.validate()
    report = on_progress or (lambda frac, msg, rec: None)
    data = prepare_labels(request.texts, request.labels, top_n=settings.top_n_classes)
    split = split_data(data.y, settings.val_fraction, settings.test_fraction, settings.seed)
    report(0.0, Text(N_("training the TF-IDF baseline")), None)
    baseline = run_baseline(data.texts, data.y, split.train, split.val, split.test, data.classes, settings.seed)
    report(0.0, Text(N_("baseline done")),
           {"phase": "baseline", "accuracy": baseline["accuracy"], "macro_f1": baseline["macro_f1"]})

    # The trainer reports fractions of its own work; keep 0..0.97 for it and the rest for scoring and saving.
    outcome = train_classifier(
        data.texts, data.y, data.n_classes, split.train, split.val, request.source, settings,
        lambda frac, msg, rec: report(0.97 * frac, msg, rec), should_stop,
        _checkpointer(request, data.classes) if request.checkpoint_dir else None,
    )
    report(0.97, Text(N_("scoring the test split")), None)
    test_texts = [data.texts[i] for i in split.test]
    out_dir = Path(request.out_dir) if request.out_dir else workspace_root() / "finetune" / "cli" / time.strftime("%Y%m%d-%H%M%S")
    clf = Classifier(outcome.model, outcome.tokenizer, data.classes, outcome.max_length, {}, out_dir)
    metrics = score(data.y[split.test], predict_proba(clf, test_texts), data.classes, test_texts)
    share = truncated_share(token_lengths(outcome.tokenizer, [data.texts[i] for i in split.train]), outcome.max_length)
    result = FinetuneResult(
        status=outcome.stopped, classes=data.classes, metrics=metrics, baseline=baseline, history=outcome.history,
        model_dir=str(out_dir), split_sizes=split.sizes(), warnings=data.warnings, max_length=outcome.max_length,
        truncated_share=share, device=outcome.device, n_params=outcome.n_params, steps=outcome.steps,
        best_step=outcome.best_step, seconds=0.0, train_seconds=outcome.train_seconds,
        samples_per_second=outcome.samples_per_second, source=request.source.describe(), settings=settings.to_dict(),
        corpus_name=request.corpus_name, corpus_hash=request.corpus_hash, label_source=request.label_source,
    )
    report(0.98, Text(N_("saving the model")), None)
    result.seconds = time.perf_counter() - t0
    try:
        save_bundle(outcome.model, outcome.tokenizer, data.classes, outcome.max_length, out_dir,
                    manifest=_manifest(request, result), source=request.source.describe())
    except InputError as exc:  # a full disk: the scores stay, the model is reported as not saved
        result.model_dir = ""
        result.warnings = [*result.warnings, Text(exc.msgid, **exc.params)]
        return result  # the checkpoint, if any, stays: it is the best model there is
    if request.checkpoint_dir:  # the saved model supersedes the checkpoint
        import shutil

        shutil.rmtree(request.checkpoint_dir, ignore_errors=True)
    return result


CHECKPOINT_EVERY_S = 30.0


def _checkpointer(request: FinetuneRequest, classes: list[str]):
    """on_best for train_classifier: keep the best model so far in request.checkpoint_dir (at most
    every CHECKPOINT_EVERY_S seconds, the first one at once), so a restart does not lose it."""
    from core.finetune.bundle import save_bundle

    last = [float("-inf")]

    def save(model, tokenizer, max_length: int, step: int, f1: float) -> None:
        if time.monotonic() - last[0] < CHECKPOINT_EVERY_S:
            return
        last[0] = time.monotonic()
        save_bundle(model, tokenizer, classes, max_length, request.checkpoint_dir, source=request.source.describe(),
                    manifest={"checkpoint": True, "step": step, "val_macro_f1": f1, "corpus": request.corpus_name,
                              "label_source": request.label_source})

    return save


def checkpoint_info(folder: Path) -> dict | None:
    """The manifest of a kept checkpoint ({"step", "val_macro_f1", ...}), or None if there is none."""
    import json

    from core.finetune.bundle import MANIFEST_FILE

    try:
        manifest = json.loads((Path(folder) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("checkpoint") else None


def _manifest(request: FinetuneRequest, result: FinetuneResult) -> dict:
    import torch
    import transformers

    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "corpus": request.corpus_name,
        "label_source": request.label_source,
        "classes": result.classes,
        "settings": result.settings,
        "summary": {k: v for k, v in result.summary().items() if k != "model_dir"},
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__},
    }


def submit_finetune(registry, owner: str, request: FinetuneRequest,
                    on_finish: Callable[[FinetuneResult | None, str | None], None] | None = None):
    """Run `run_finetune` as a background job of `owner` (one at a time); returns the Job.

    `on_finish(result, error)` runs in the job's thread when it ends (the project records it)."""
    from core.jobs import JobError

    request.settings.validate()
    if request.out_dir is None:
        request.out_dir = owner_dir(owner) / time.strftime("%Y%m%d-%H%M%S")

    def work(ctx):
        def report(frac, msg, rec):
            ctx.progress(frac, msg)
            if rec is not None:
                ctx.event(**rec)

        if on_finish is None:
            return run_finetune(request, report, lambda: ctx.cancelled)
        try:
            result = run_finetune(request, report, lambda: ctx.cancelled)
        except Exception as exc:  # the error as a Text: the page shows it in the reader's language
            on_finish(None, Text(exc.msgid, **exc.params) if isinstance(exc, InputError)
                      else f"{type(exc).__name__}: {exc}")
            raise
        on_finish(result, None)
        return result

    try:
        return registry.submit(owner, JOB_KIND, work, exclusive=True,
                               label=Text(N_("fine-tune: {model}"), model=request.source.describe()))
    except JobError as exc:  # the one reason submit refuses: this owner's fine-tune is running
        raise InputError("A fine-tuning job is already running in this session; cancel it or wait for it to "
                         "finish.") from exc


def result_record(result: FinetuneResult | None, base_dir: Path, error: str | None = None) -> dict:
    """A finished run as JSON for the project: the result (model folder relative to `base_dir`),
    or the error. Inverse: `result_from_record`. Text (warnings, an error) is saved as English and,
    under `*_i18n`, as template + values, so a reader of another language gets it translated."""
    if result is None:
        record = {"status": "failed", "error": None if error is None else str(error), "finished": time.time()}
        if isinstance(error, (Text, messages.Joined)):
            record["error_i18n"] = messages.dump(error)
        return record
    values = plain(dataclasses.asdict(result))
    values["warnings"] = [str(w) for w in result.warnings]
    values["warnings_i18n"] = [messages.dump(w) for w in result.warnings]
    if result.model_dir:  # "" stays "": the model could not be saved
        # Only a folder inside the project is recorded: a record never names an outside path.
        model_dir = Path(result.model_dir).resolve()
        base = Path(base_dir).resolve()
        values["model_dir"] = model_dir.relative_to(base).as_posix() if model_dir.is_relative_to(base) else ""
    return {"status": result.status, "error": None, "finished": time.time(), "result": values}


def result_from_record(record: dict, base_dir: Path) -> FinetuneResult | None:
    from core.finetune.baseline import NAMES
    from core.finetune.sources import description

    values = record.get("result")
    if not values:
        return None
    texts = values.get("warnings_i18n")
    known = {f.name for f in dataclasses.fields(FinetuneResult)}
    values = {k: v for k, v in values.items() if k in known}
    # Text comes back as Text (translatable); records of earlier versions are recognised by their English.
    if isinstance(texts, list) and len(texts) == len(values.get("warnings") or []):
        values["warnings"] = [messages.load(t) or w for t, w in zip(texts, values["warnings"])]
    if isinstance(values.get("source"), str):
        values["source"] = description(values["source"]) or values["source"]
    if isinstance(values.get("label_source"), str):
        values["label_source"] = messages.parse(values["label_source"], (LABEL_COLUMN, LABEL_TOPIC)) \
            or values["label_source"]
    if isinstance(values.get("baseline"), dict) and isinstance(values["baseline"].get("model"), str):
        values["baseline"]["model"] = messages.parse(values["baseline"]["model"], NAMES.values()) \
            or values["baseline"]["model"]
    values["model_dir"] = model_inside(values.get("model_dir"), base_dir)
    try:
        return FinetuneResult(**values)
    except TypeError:   # a record of another shape: said, never a crash of the page
        raise InputError("This fine-tune run's saved record is damaged; its results cannot be shown.") from None


def model_inside(model_dir: str | None, base_dir: Path) -> str:
    """A record's model folder as a path inside `base_dir` (the project), or "" when it is not one.

    A record is data (it may come from an imported file): an absolute path, a traversal or a link
    that leads out of the project is never followed, whatever the record says."""
    if not model_dir or not isinstance(model_dir, str):
        return ""
    base = Path(base_dir).resolve()
    folder = (base / model_dir).resolve()      # an absolute model_dir replaces base: caught below
    return str(folder) if folder.is_relative_to(base) and folder != base else ""


def run_error(record: dict | None) -> Text | None:
    """The error of a saved failed run as a Text (None when there is none or it was saved as English only)."""
    loaded = messages.load((record or {}).get("error_i18n"))
    return loaded if isinstance(loaded, (Text, messages.Joined)) else None


def eval_curves(history: list[dict]) -> dict[str, list]:
    """Plain series for the curves chart from the job events / result history."""
    train = [r for r in history if r.get("phase") == "train"]
    evals = [r for r in history if r.get("phase") == "eval"]
    return {
        "train_epoch": [r["epoch"] for r in train], "train_loss": [r["loss"] for r in train],
        "eval_epoch": [r["epoch"] for r in evals], "val_loss": [r["val_loss"] for r in evals],
        "val_accuracy": [r["val_accuracy"] for r in evals], "val_macro_f1": [r["val_macro_f1"] for r in evals],
    }


def preview_lengths(texts: list[str], source: ModelSource, vocab_size: int = 8000,
                    sample: int = 5000) -> np.ndarray | None:
    """Token lengths of (a sample of) the texts under the source's tokenizer, to show truncation.

    None for a Hub model that is not cached yet: a preview never downloads (the job does, once started).
    """
    from core.finetune.sources import (HUB, SCRATCH, build_tokenizer, cached_hub_model, quiet_transformers,
                                       resolve_model_dir)
    from core.finetune.train import token_lengths

    # Capped: a model reads at most 512 tokens, and a 3.5M-character row took 21 s to tokenize whole.
    texts = [t[:PREVIEW_CHARS] for t in texts if t and t.strip()]
    if len(texts) > sample:  # a spread-out sample: files are often sorted by label
        texts = [texts[i] for i in sorted(np.random.default_rng(0).choice(len(texts), sample, replace=False))]
    if not texts:
        return np.zeros(0, dtype=np.int64)
    if source.kind == SCRATCH:
        tok = build_tokenizer(texts, vocab_size)
    else:
        quiet_transformers()
        from transformers import AutoTokenizer

        folder = cached_hub_model(source.ref) if source.kind == HUB else resolve_model_dir(source)
        if folder is None:
            return None
        try:
            tok = AutoTokenizer.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
        except Exception as exc:  # a broken tokenizer file: one readable line
            raise InputError("Could not load the tokenizer ({kind}: {detail}).", kind=type(exc).__name__,
                             detail=str(exc).split("\n")[0]) from exc
    return token_lengths(tok, texts)


def length_preview(lengths: np.ndarray, max_length: int | None, scratch: bool) -> dict:
    """What the page shows under the settings: effective max length, share truncated, median length."""
    from core.finetune.train import suggest_max_length, truncated_share

    shown = max_length or suggest_max_length(lengths, 128 if scratch else 256)
    return {"max_length": shown, "truncated_share": truncated_share(lengths, shown),
            "median": float(np.median(lengths)) if len(lengths) else 0.0}


def topic_labels(topic_model, n_rows: int) -> list[str | None]:
    """Dominant topic of each document of a fitted core.topics TopicModel, as weak labels."""
    from core.finetune.data import dominant_topic_labels

    return dominant_topic_labels(topic_model.doc_topic, topic_model.doc_rows, n_rows)


def check_out_dir(out: str | Path, overwrite: bool = False) -> Path:
    """Where a bundle may be saved, checked before training: a new or empty folder, or (with
    `overwrite`) an earlier TopicLens model folder; never a file or a folder of other things."""
    from core.finetune.bundle import META_FILE

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise InputError("--out {out}: that is a file, not a folder; choose a new folder for the model.", out=str(out))
    if path.is_dir() and any(path.iterdir()):
        if not overwrite:
            raise InputError("--out {out}: the folder is not empty; choose a new folder or pass --overwrite "
                             "to replace an earlier model.", out=str(out))
        if not (path / META_FILE).is_file():
            raise InputError("--out {out}: the folder holds other files, not a TopicLens model; "
                             "--overwrite only replaces an earlier model folder.", out=str(out))
    parent = next((p for p in [path, *path.parents] if p.exists()), Path("."))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("--out {out}: cannot write there (permission denied).", out=str(out))
    return path


def check_request(request: FinetuneRequest) -> None:
    """Fail fast, before a job starts: settings, labels, split, and the model folder / hub id."""
    from core.finetune.sources import SCRATCH, resolve_model_dir

    request.settings.validate()
    data = prepare_labels(request.texts, request.labels, top_n=request.settings.top_n_classes)
    split_data(data.y, request.settings.val_fraction, request.settings.test_fraction, request.settings.seed)
    if request.source.kind != SCRATCH:
        resolve_model_dir(request.source)
