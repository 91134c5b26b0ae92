"""Training with tiny models built here (tens of thousands of parameters, seconds on CPU):
the from-scratch path learns, cancel keeps the best checkpoint, saved models reload identically,
uploads are validated, the CLI prints metrics."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.finetune.bundle import load_bundle, load_bundle_zip, zip_bundle
from core.finetune.pipeline import FinetuneRequest, run_finetune, submit_finetune
from core.finetune.predict import predict_labels, predict_proba, predict_table, top_predictions
from core.finetune.sources import FOLDER, SCRATCH, ModelSource, ScratchConfig
from core.finetune.train import TrainSettings
from core.jobs import JobRegistry

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ["体育", "游戏", "房产", "教育"]


@pytest.fixture(scope="module")
def corpus():
    frame = pd.read_csv(ROOT / "assets" / "demo_zh_news_titles.csv")
    frame = frame[frame["label"].isin(CLASSES)].reset_index(drop=True)  # 240 real titles, 4 classes
    return frame["text"].tolist(), frame["label"].tolist()


def tiny(**kw) -> TrainSettings:
    base = dict(epochs=10, batch_size=16, learning_rate=3e-3, patience=20, threads=1,
                scratch=ScratchConfig(vocab_size=500, hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64))
    base.update(kw)
    return TrainSettings(**base)


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    texts, labels = corpus
    out = tmp_path_factory.mktemp("model")
    records = []
    result = run_finetune(FinetuneRequest(texts, labels, ModelSource(SCRATCH), tiny(), out),
                          lambda frac, msg, rec: records.append((frac, rec)))
    return result, records


def test_from_scratch_learns_well_above_chance(trained):
    result, records = trained
    assert result.classes == sorted(CLASSES)
    assert result.metrics["n"] == result.baseline["n"] == 48          # same test split for both
    assert result.metrics["accuracy"] > 0.5                            # chance is 0.25
    assert 0.0 <= result.metrics["macro_f1"] <= 1.0 and result.n_params < 100_000
    train = [r for r in result.history if r["phase"] == "train"]
    evals = [r for r in result.history if r["phase"] == "eval"]
    assert train[-1]["loss"] < train[0]["loss"]                        # it learned
    assert len(evals) >= 10 and result.best_step in {r["step"] for r in evals}
    fracs = [f for f, _ in records]
    assert fracs == sorted(fracs) and fracs[-1] >= 0.97                # monotone progress
    assert any(rec and rec["phase"] == "baseline" for _, rec in records)
    assert np.array(result.metrics["confusion"]).sum() == 48
    assert all(m["true"] != m["predicted"] for m in result.metrics["mistakes"])


def test_saved_model_reloads_and_predicts_the_same(trained, corpus, tmp_path):
    result, _ = trained
    folder = Path(result.model_dir)
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "classifier_head.safetensors", "topiclens_model.json",
            "training_manifest.json", "tokenizer.json"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)
    manifest = json.loads((folder / "training_manifest.json").read_text(encoding="utf-8"))
    assert manifest["classes"] == result.classes and manifest["summary"]["model"]["accuracy"] == result.metrics["accuracy"]

    clf = load_bundle(folder)
    texts, _ = corpus
    proba = predict_proba(clf, texts)
    from_zip = load_bundle_zip(zip_bundle(folder), tmp_path)
    assert np.allclose(predict_proba(from_zip, texts), proba, atol=1e-5)
    assert predict_labels(from_zip, texts) == predict_labels(clf, texts)
    # the reloaded model reproduces the in-memory model's test confusion matrix exactly
    table = predict_table(clf, texts)
    assert list(table.columns) == ["row", "text", "predicted_label", "confidence"] and len(table) == len(texts)
    labelled = predict_table(clf, texts[:3], rows=[7, 8, 9], true_labels=["a", None, "b"])
    assert list(labelled.columns) == ["row", "text", "true_label", "predicted_label", "confidence"]
    assert labelled["row"].tolist() == [7, 8, 9] and labelled["true_label"].tolist() == ["a", "", "b"]
    top = top_predictions(clf, texts[0])
    assert len(top) == min(3, len(clf.labels)) and top[0][0] == predict_labels(clf, texts[:1])[0]
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert set(table["predicted_label"]) <= set(result.classes)


def test_reloaded_model_reproduces_the_test_scores(trained, corpus):
    from core.finetune.data import prepare_labels, split_data
    from core.finetune.metrics import score

    result, _ = trained
    texts, labels = corpus
    data = prepare_labels(texts, labels)
    split = split_data(data.y, 0.1, 0.2, 42)
    test_texts = [data.texts[i] for i in split.test]
    again = score(data.y[split.test], predict_proba(load_bundle(result.model_dir), test_texts), data.classes)
    assert again["confusion"] == result.metrics["confusion"]


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_uploaded_zips_are_validated_never_unpickled(trained, tmp_path):
    result, _ = trained
    good = {p.name: p.read_bytes() for p in Path(result.model_dir).iterdir()}
    with pytest.raises(InputError, match="not a zip"):
        load_bundle_zip(b"PK\x03\x04 garbage", tmp_path)
    with pytest.raises(InputError, match="pickle"):
        load_bundle_zip(_zip({**good, "pytorch_model.bin": b"\x80\x04."}), tmp_path)
    with pytest.raises(InputError, match="unsafe path"):
        load_bundle_zip(_zip({**good, "../evil.json": b"{}"}), tmp_path)
    with pytest.raises(InputError, match="Unexpected file"):
        load_bundle_zip(_zip({**good, "modeling_evil.py": b"import os"}), tmp_path)
    with pytest.raises(InputError, match="topiclens_model.json"):
        load_bundle_zip(_zip({k: v for k, v in good.items() if k != "topiclens_model.json"}), tmp_path)
    meta = json.loads(good["topiclens_model.json"])
    meta["labels"] = ["only-one"]
    with pytest.raises(InputError, match="labels"):
        load_bundle_zip(_zip({**good, "topiclens_model.json": json.dumps(meta).encode()}), tmp_path)
    broken = dict(good, **{"model.safetensors": b"not safetensors"})
    with pytest.raises(InputError, match="Could not load"):
        load_bundle_zip(_zip(broken), tmp_path)
    # a zipped folder (one directory level) is fine
    nested = load_bundle_zip(_zip({f"my-model/{k}": v for k, v in good.items()}), tmp_path)
    assert nested.labels == result.classes
    leftovers = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(leftovers) == 1  # failed uploads leave nothing behind


def test_cancel_stops_within_seconds_and_keeps_the_best_checkpoint(corpus, tmp_path):
    texts, labels = corpus
    registry = JobRegistry()
    request = FinetuneRequest(texts, labels, ModelSource(SCRATCH), tiny(epochs=100), tmp_path / "m")
    job = submit_finetune(registry, "alice", request)
    deadline = time.time() + 60
    while not any(e.get("phase") == "eval" for e in list(job.events)) and time.time() < deadline:
        time.sleep(0.05)
    assert not job.done
    with pytest.raises(InputError, match="already running"):     # started twice: refused, first job untouched
        submit_finetune(registry, "alice", request)
    assert registry.get(job.id, "bob") is None and not registry.cancel(job.id, "bob")  # other sessions can't see it
    t0 = time.time()
    assert registry.cancel(job.id, "alice")
    job = registry.wait(job.id, "alice", timeout=30)
    assert job.done and time.time() - t0 < 10
    assert job.status == "cancelled" and job.error is None
    result = job.result
    assert result.status == "cancelled" and result.steps < 100 * 11
    assert result.best_step > 0 and result.metrics["n"] == 48
    assert load_bundle(result.model_dir).labels == result.classes


def test_mlm_pretraining_then_fine_tuning_from_a_local_folder(trained, corpus, tmp_path):
    texts, labels = corpus
    records = []
    mlm = run_finetune(FinetuneRequest(texts, labels, ModelSource(SCRATCH), tiny(epochs=1, mlm_steps=6), tmp_path / "a"),
                       lambda f, m, rec: rec and records.append(rec))
    assert [r["step"] for r in records if r["phase"] == "mlm"] == [1, 2, 3, 4, 5, 6]
    assert mlm.status == "completed"
    # a saved bundle is a Hugging Face model folder: fine-tune it again as a "local folder" source
    result, _ = trained
    again = run_finetune(FinetuneRequest(texts, labels, ModelSource(FOLDER, result.model_dir),
                                         tiny(epochs=4, learning_rate=1e-3), tmp_path / "b"))
    assert again.source.startswith("local model folder") and again.metrics["accuracy"] > 0.5


def test_bad_settings_and_inputs(corpus, tmp_path):
    texts, labels = corpus
    with pytest.raises(InputError, match="Epochs"):
        run_finetune(FinetuneRequest(texts, labels, ModelSource(SCRATCH), tiny(epochs=0), tmp_path))
    with pytest.raises(InputError, match="single class"):
        run_finetune(FinetuneRequest(texts, ["x"] * len(texts), ModelSource(SCRATCH), tiny(), tmp_path))
    with pytest.raises(InputError, match="not a usable model folder"):
        run_finetune(FinetuneRequest(texts, labels, ModelSource(FOLDER, str(tmp_path)), tiny(), tmp_path / "o"))


def test_cli_prints_model_and_baseline_metrics(corpus, tmp_path, capsys):
    from core.cli import main

    texts, labels = corpus
    csv = tmp_path / "data.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(csv, index=False)
    out = tmp_path / "model"
    code = main(["finetune", str(csv), "--text-col", "text", "--label-col", "label", "--model", "scratch",
                 "--epochs", "3", "--lr", "3e-3", "--batch-size", "16", "--vocab-size", "500", "--hidden-size", "32",
                 "--heads", "2", "--seed", "1", "--out", str(out), "--quiet"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert 0 <= report["model"]["accuracy"] <= 1 and report["baseline"]["accuracy"] > 0.5
    assert report["split_sizes"] == {"train": 168, "val": 24, "test": 48}
    assert (out / "model.safetensors").is_file()

    pd.DataFrame({"text": texts, "label": ["same"] * len(texts)}).to_csv(csv, index=False)
    assert main(["finetune", str(csv), "--label-col", "label", "--out", str(tmp_path / "other")]) == 2
    assert "error: The label column has a single class" in capsys.readouterr().err


def test_the_best_checkpoint_is_on_disk_while_training_and_gives_way_to_the_saved_model(corpus, tmp_path):
    from core.finetune.pipeline import checkpoint_info

    texts, labels = corpus
    registry = JobRegistry()
    request = FinetuneRequest(texts, labels, ModelSource(SCRATCH), tiny(epochs=100), tmp_path / "m",
                              checkpoint_dir=tmp_path / "checkpoint")
    job = submit_finetune(registry, "alice", request)
    deadline = time.time() + 90
    while checkpoint_info(tmp_path / "checkpoint") is None and time.time() < deadline:
        time.sleep(0.1)
    assert not job.done                              # a server stopping now would keep this checkpoint
    kept = checkpoint_info(tmp_path / "checkpoint")
    assert kept["step"] > 0 and 0.0 <= kept["val_macro_f1"] <= 1.0
    clf = load_bundle(tmp_path / "checkpoint")       # a usable model, not a stub
    assert clf.labels == sorted(CLASSES) and len(predict_labels(clf, texts[:5])) == 5
    registry.cancel(job.id, "alice")
    job = registry.wait(job.id, "alice", timeout=60)
    assert job.status == "cancelled" and load_bundle(job.result.model_dir).labels == sorted(CLASSES)
    assert not (tmp_path / "checkpoint").exists()    # the saved model supersedes it
