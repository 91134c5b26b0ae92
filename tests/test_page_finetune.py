"""AppTest of the Fine-tune page: a tiny job started from the page's own widgets runs to a result,
a reload or a restarted server finds it again through the project address (and only through it),
bad model inputs show a message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/finetune.py"


def open_page(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def wait_for_results(at: AppTest, timeout: float = 120) -> AppTest:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(s.value.startswith("Results") for s in at.subheader):
            return at
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    raise AssertionError(f"no results after {timeout} s: {[s.value for s in at.subheader]}")


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TOPICLENS_WORKSPACE", str(tmp_path_factory.mktemp("ws")))
    yield _start_tiny_job()
    mp.undo()


def _start_tiny_job():
    at = open_page()
    assert "truncates" in " ".join(c.value for c in at.caption)       # max-length preview under the settings
    for key, value in {"finetune_vocab": 500, "finetune_hidden": 32, "finetune_heads": 2, "finetune_ffn": 64,
                       "finetune_scratch_epochs": 3, "finetune_scratch_batch": 16}.items():
        at.number_input(key=key).set_value(value)
    at.number_input(key="finetune_scratch_lr").set_value(3e-3)
    at.button(key="finetune_start").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    param = at.query_params["project"]
    param = param[0] if isinstance(param, list) else param
    assert len(param) >= 16                                          # the project's unguessable address
    return wait_for_results(at), param


def test_tiny_job_runs_to_results_beside_the_baseline(finished):
    at, _ = finished
    table = at.dataframe[0].value
    assert len(table) == 2 and table["model"].iloc[0] == "compact BERT trained from scratch"
    assert table["model"].iloc[1].startswith("TF-IDF")
    assert 0.0 <= table["accuracy"].iloc[0] <= 1.0 and table["accuracy"].iloc[1] > 0.3
    assert any("samples/s" in c.value for c in at.caption)
    assert not at.button(key="finetune_start").disabled                # a new job may start now


def test_try_it_and_apply_to_corpus(finished):
    at, _ = finished
    at.text_area(key="finetune_try").set_value("中国队夺得世界杯冠军").run()
    predicted = [m.value for m in at.markdown if m.value.startswith("Predicted: **")]
    assert len(predicted) == 1 and predicted[0].count("%)") == 3          # the top 3 labels with probabilities
    at.button(key="finetune_apply").click().run()
    assert not at.exception
    preds = at.dataframe[-1].value
    assert list(preds.columns) == ["row", "text", "true_label", "predicted_label", "confidence"] and len(preds) > 0
    corpus = at.session_state["corpus"]
    assert preds["row"].tolist()[:3] == [0, 1, 2] and preds["text"].iloc[0] == corpus.texts[0]
    assert preds["true_label"].iloc[0] == str(corpus.frame[corpus.label_col].iloc[0])


def test_results_say_which_corpus_they_belong_to(finished):
    at, _ = finished
    corpus = at.session_state["corpus"]
    name = corpus.name.replace("_", "\\_")   # as Markdown-escaped on the page
    assert any("Trained and tested on" in c.value and name in c.value for c in at.caption)
    assert not any("These results belong to" in w.value for w in at.warning)
    from core.corpus import load_path
    from fixture_paths import DEMO_EN

    at.session_state["corpus"] = load_path(DEMO_EN)
    at.run()
    assert any("These results belong to" in w.value and name in w.value for w in at.warning)
    at.session_state["corpus"] = corpus
    at.run()


def test_reload_and_restart_find_the_results_only_through_the_project_address(finished):
    _, param = finished
    again = wait_for_results(open_page(project=param), timeout=10)
    assert again.dataframe[0].value["model"].iloc[0] == "compact BERT trained from scratch"

    from ui import state

    state.job_registry.clear()    # a restarted server: no job in memory, the project has the results
    restarted = wait_for_results(open_page(project=param), timeout=10)
    table = restarted.dataframe[0].value
    assert table["model"].iloc[0] == "compact BERT trained from scratch" and 0.0 <= table["accuracy"].iloc[0] <= 1.0
    assert any("Model: compact BERT" in c.value for c in restarted.caption)       # the saved model loads
    restarted.text_area(key="finetune_try").set_value("中国队夺得世界杯冠军").run()
    assert any(m.value.startswith("Predicted: **") for m in restarted.markdown)

    stranger = AppTest.from_file(APP, default_timeout=90)
    stranger.query_params["project"] = param[:-4] + "XXXX"
    stranger.run()
    assert any("project was not found" in e.value for e in stranger.error)       # said, not swapped for the demo
    stranger.switch_page(PAGE).run()
    assert not stranger.exception and not any(s.value.startswith("Results") for s in stranger.subheader)


def test_bad_model_folder_and_offline_hub_show_messages(tmp_path, monkeypatch):
    monkeypatch.setenv("TOPICLENS_MODEL_ROOTS", str(tmp_path))
    (tmp_path / "empty-model").mkdir()
    at = open_page()
    at.radio(key="finetune_source").set_value("folder").run()
    at.text_input(key="finetune_folder").set_value("empty-model").run()
    assert not at.exception
    assert any("'empty-model' is not a usable model folder" in e.value for e in at.error)
    assert not any(str(tmp_path) in e.value for e in at.error)  # never a server path
    for outside in (str(tmp_path.parent), "/root/.ssh", "~", "/proc/self/cwd", "../" + tmp_path.name):
        at.text_input(key="finetune_folder").set_value(outside).run()
        assert any("No model folder" in e.value and "server's model folder" in e.value for e in at.error), outside
    at.radio(key="finetune_source").set_value("hub").run()
    at.text_input(key="finetune_hub").set_value("someone/not-cached-model").run()
    assert not at.error  # typing an id downloads nothing, so there is nothing to fail yet
    assert any("truncation preview appears once the model is in the local cache" in c.value for c in at.caption)
    at.button(key="finetune_start").click().run()
    assert any(e.value.startswith("Hub model") and "local cache" in e.value for e in at.error)
    assert state_job_is_none(at)


def state_job_is_none(at: AppTest) -> bool:
    return not any(s.value == "Training" for s in at.subheader)


def test_page_works_when_preprocessing_empties_every_document():
    from core.preprocess import PreprocessSettings

    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.session_state["preprocess_settings"] = PreprocessSettings(min_df=10_000)  # every token filtered out
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any(b.label == "Start fine-tuning" for b in at.button)  # it trains on raw texts, not tokens


def test_a_run_cut_off_by_a_restart_offers_its_kept_checkpoint(finished):
    import json
    import shutil

    from core.finetune.bundle import MANIFEST_FILE
    from core.projects.project import Project
    from core.projects.store import ProjectStore

    at, param = finished
    project = Project(ProjectStore(), param)
    saved = Path(project.current_finetune()["result"]["model_dir"])
    saved = saved if saved.is_absolute() else project.dir / saved
    checkpoint = project.finetune_dir("cut-off") / "checkpoint"    # what a run left behind when the server died
    shutil.copytree(saved, checkpoint)
    (checkpoint / MANIFEST_FILE).write_text(json.dumps({"checkpoint": True, "step": 7, "val_macro_f1": 0.5}))
    project.save_finetune_run("cut-off", {"id": "cut-off", "status": "running", "process": "a-stopped-server",
                                          "started": 0, "source": "compact BERT trained from scratch"})
    project.set_current_finetune("cut-off")
    page = open_page(project=param)
    assert any("interrupted" in e.value and "step 7" in e.value for e in page.error)
    assert not any(s.value.startswith("Results") for s in page.subheader)
    page.text_area(key="finetune_try").set_value("中国队夺得世界杯冠军").run()
    assert any(m.value.startswith("Predicted: **") for m in page.markdown)    # the checkpoint is usable
