"""A `.topiclens` file is untrusted input (issue 17): outside paths, traversal ids, absurd numbers and
mislabelled members are refused with one clear line or neutralised, through the engine, the CLI and
the page, and no file outside the project folder is read, written or served."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.errors import InputError
from core.finetune.pipeline import model_inside, result_from_record
from core.params import bounds, clamp_widget
from core.projects.archive import export_project, import_project
from core.projects.checks import looks_like_pickle
from core.projects.project import Project
from core.projects.store import ProjectStore
from core.topics.sweep import SweepConfig
from fixture_paths import DEMO_ZH

CLASSES = ["体育", "游戏", "房产", "教育"]


def _tree(root: Path) -> dict[str, int]:
    """Every file under `root` with its size: compared before and after to see what was written."""
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory):
    """A project made by the CLI: a tiny fine-tune run with `--out` outside the workspace, a sweep
    record and a saved widget. Returns (workspace, out folder, project)."""
    root = tmp_path_factory.mktemp("cli")
    mp = pytest.MonkeyPatch()
    mp.setenv("TOPICLENS_WORKSPACE", str(root / "ws"))
    frame = pd.read_csv(DEMO_ZH)
    frame[frame["label"].isin(CLASSES)].to_csv(root / "data.csv", index=False)
    out = root / "elsewhere" / "model"
    code = main(["finetune", str(root / "data.csv"), "--project", "source", "--label-col", "label", "--model",
                 "scratch", "--epochs", "1", "--batch-size", "32", "--vocab-size", "300", "--hidden-size", "16",
                 "--heads", "2", "--out", str(out), "--quiet"])
    mp.undo()
    assert code == 0
    store = ProjectStore(root / "ws")
    project = Project(store, store.find("source").id)
    sweep_id = project.start_sweep("key", SweepConfig(k_min=2, k_max=4, k_step=2))
    project.finish_sweep(sweep_id, "done", n_models=2)
    project.save_widget("topics_k_max", 12)
    return root, out, project


@pytest.fixture(scope="module")
def exported(cli_project):
    """That project exported, after its model was downloaded once (an older release left the zip)."""
    _root, _out, project = cli_project
    run = project.current_finetune()["id"]
    (project.finetune_dir(run) / "model.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return export_project(project.store, project.id), run


def _rebuild(data: bytes, edit) -> bytes:
    """The archive with `edit(members, manifest)` applied and every checksum made right again, so that
    only the checks of content and fields can refuse it."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    edit(members, manifest)
    manifest["members"] = {n[6:]: {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                           for n, b in members.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _field(key, update):
    def edit(members, manifest):
        manifest["fields"][key] = update(manifest["fields"].get(key))
    return edit


def _sweep_key(manifest) -> str:
    return next(k for k in manifest["fields"] if k.startswith("sweep:"))


def _run_key(manifest) -> str:
    return next(k for k in manifest["fields"] if k.startswith("finetune:"))


def _run_edit(update):
    def edit(members, manifest):
        key = _run_key(manifest)
        manifest["fields"][key] = update(manifest["fields"][key])
    return edit


def _model_member(members, name: str) -> str:
    folder = next(n for n in members if n.endswith("/model/config.json")).rsplit("/", 1)[0]
    return f"{folder}/{name}"


def _npy_claiming(n: int) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
    return buf.getvalue() + b"\0" * 64


REFUSED = {
    "traversal run id": (_field("finetune:../../../../tmp/x", lambda _: {"id": "../../../../tmp/x"}), "does not know"),
    "run id that is not its key": (_run_edit(lambda r: {**r, "id": "other"}), "not a record of that id"),
    "run result of another shape": (_run_edit(lambda r: {**r, "result": {**r["result"], "metrics": {}}}), "result"),
    "absurd k range": (lambda m, man: man["fields"][_sweep_key(man)]["config"].update(k_max=10_000_000), "max 200"),
    "sweep with a bad engine": (lambda m, man: man["fields"][_sweep_key(man)]["config"].update(engine="rm -rf"),
                                "Unknown topic engine"),
    "sweep id that is a path": (lambda m, man: man["fields"].update({"sweep:../x": {"id": "../x"}}), "does not know"),
    "n_docs that is not a number": (lambda m, man: man["project"].update(n_docs="many"), "project.n_docs"),
    "name that is not text": (lambda m, man: man["project"].update(name=["x"]), "project.name"),
    "unknown field": (lambda m, man: man["fields"].update(anything=1), "does not know"),
    "bad preprocessing": (_field("preprocess", lambda _: {"min_token_len": 10**9}), "Minimum token length"),
    "labels that are not text": (_field("labels:m", lambda _: {"0": {"x": 1}}), "not a short text"),
    "protocol-0 pickle named .txt": (lambda m, man: m.update({"files/notes.txt": pickle.dumps({"a": 1}, protocol=0)}),
                                     "pickle"),
    "protocol-1 pickle named .json": (lambda m, man: m.update({"files/x.json": pickle.dumps([1, 2], protocol=1)}),
                                      "pickle"),
    "ELF bytes named .parquet": (lambda m, man: m.update({"files/t.parquet": b"\x7fELF" + os.urandom(200)}),
                                 "not a Parquet file"),
    "CSV text named .parquet": (lambda m, man: m.update({"files/t.parquet": b"text,label\na,b\n"}),
                                "not a Parquet file"),
    "Parquet magic with a broken footer": (lambda m, man: m.update({"files/t.parquet": b"PAR1" + b"\0" * 40 + b"PAR1"}),
                                           "not a Parquet file"),
    "random bytes named .safetensors": (lambda m, man: m.update({_model_member(m, "model.safetensors"):
                                                                 os.urandom(300)}), "not a valid safetensors"),
    "safetensors whose offsets run past the file": (
        lambda m, man: m.update({_model_member(m, "model.safetensors"): (lambda h: len(h).to_bytes(8, "little")
                                 + h + b"\0" * 8)(json.dumps({"w": {"dtype": "F32", "shape": [1000],
                                                                    "data_offsets": [0, 4000]}}).encode())}),
        "not a valid safetensors"),
    ".npy claiming 10^12 floats": (lambda m, man: m.update({"files/fits/x/a.npy": _npy_claiming(10**12)}),
                                   "does not match its size"),
    "JSON that is not JSON": (lambda m, man: m.update({"files/fits/x/meta.json": b"{not json"}), "not valid JSON"),
    "text that is not UTF-8": (lambda m, man: m.update({"files/vocab.txt": "词".encode("gbk")}), "not UTF-8"),
    "sentencepiece that is not": (lambda m, man: m.update({"files/spiece.model": b"MZ\x90\x00"}), "SentencePiece"),
    "over-long member name": (lambda m, man: m.update({"files/" + "a" * 300 + ".json": b"{}"}), "unsafe"),
    "2,000-deep member path": (lambda m, man: m.update({"files/" + "d/" * 2000 + "x.json": b"{}"}), "unsafe"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_project_files_are_refused_and_nothing_is_written(exported, tmp_path, case):
    data, _sweep = exported
    edit, needle = REFUSED[case]
    target = ProjectStore(tmp_path / "ws")
    before = _tree(tmp_path)
    with pytest.raises(InputError, match=needle) as caught:
        import_project(target, _rebuild(data, edit))
    assert str(tmp_path) not in str(caught.value)                      # no server path in the message
    assert target.list() == [] and _tree(tmp_path) == before


OUTSIDE = {
    "absolute folder": None,                        # the `secret` folder, by its absolute path
    "traversal": "../../../../etc",
    "traversal through the run folder": "finetune/{run}/model/../../../../..",
    "another run's folder": "finetune/other/model",
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_a_model_folder_outside_the_project_is_dropped_with_a_note(exported, tmp_path, case):
    data, run = exported
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "credentials.json").write_text('{"token": "x"}')
    model_dir = str(secret) if OUTSIDE[case] is None else OUTSIDE[case].format(run=run)
    edit = _run_edit(lambda r: {**r, "result": {**r["result"], "model_dir": model_dir}})
    target = ProjectStore(tmp_path / "ws")
    done = import_project(target, _rebuild(data, edit))
    assert any("was not in the project file" in n.msgid for n in done.notes)
    copy = Project(target, done.info.id)
    record = copy.get(f"finetune:{run}")
    assert record["result"]["model_dir"] == ""
    assert result_from_record(record, copy.dir).model_dir == ""
    assert sorted(p.name for p in secret.iterdir()) == ["credentials.json"]     # nothing written next to it


def test_records_already_stored_never_lead_outside_the_project(tmp_path):
    run = "20261203-101010-abc123"
    base = tmp_path / "project"
    (base / "finetune" / run / "model").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    assert model_inside(f"finetune/{run}/model", base) == str((base / "finetune" / run / "model").resolve())
    for hostile in ("/etc", str(tmp_path / "elsewhere"), "../elsewhere", "finetune/../../elsewhere", ".", ""):
        assert model_inside(hostile, base) == ""
    os.symlink(tmp_path / "elsewhere", base / "finetune" / "link")
    assert model_inside("finetune/link", base) == ""                  # a link out is not inside
    store = ProjectStore(tmp_path / "ws")
    project = Project(store, store.create("p").id)
    for run_id in ("../../../../tmp/x", "a/b", ".hidden", ""):
        with pytest.raises(InputError, match="id is not valid"):
            project.finetune_dir(run_id)


def test_out_of_range_widgets_are_clamped_with_a_note(exported, tmp_path):
    data, _run = exported
    edit = _field("widget:topics_k_max", lambda _: 10_000_000)
    done = import_project(ProjectStore(tmp_path / "ws"), _rebuild(data, edit))
    assert ProjectStore(tmp_path / "ws").get_field(done.info.id, "widget:topics_k_max") == bounds("topics_k_max")[1]
    assert any("outside today's limits" in n.msgid for n in done.notes)
    assert clamp_widget("topics_lambda", -3) == 0.0 and clamp_widget("finetune_scratch_epochs", 10**6) == 100
    assert clamp_widget("topics_iterations", None) is None
    with pytest.raises(ValueError):
        clamp_widget("topics_k_min", "many")


def test_pickle_streams_are_recognised_and_text_is_not():
    for protocol in range(0, 6):
        assert looks_like_pickle(pickle.dumps({"a": [1, 2.5, "x"]}, protocol=protocol))
    for text in (b"hello world\n", "中文词表\n".encode(), b"[PAD]\n[UNK]\n[CLS]\nthe\n", b"(dp0\n", b"", b"a,b\n1,2\n"):
        assert not looks_like_pickle(text)


def test_cli_import_refuses_with_one_line(exported, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path / "ws"))
    data, _run = exported
    bad = tmp_path / "bad.topiclens"
    bad.write_bytes(_rebuild(data, lambda m, man: man["project"].update(n_docs="many")))
    assert main(["project", "import", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: Not a usable TopicLens project file") and "Traceback" not in err[0]
    long_name = tmp_path / "long.topiclens"
    long_name.write_bytes(_rebuild(data, lambda m, man: m.update({"files/" + "b" * 400 + ".json": b"{}"})))
    assert main(["project", "import", str(long_name)]) == 2
    assert "unsafe" in capsys.readouterr().err and ProjectStore(tmp_path / "ws").list() == []


def test_cli_finetune_with_out_outside_round_trips_with_its_model(cli_project, exported, tmp_path, capsys, monkeypatch):
    """`finetune --project P --out DIR`: the model lives in the project (DIR gets a copy), the record names
    no outside path, the downloaded zip stays out of the export, and export -> import (CLI) carries a
    model the imported project loads."""
    from core.finetune.bundle import load_bundle

    root, out, project = cli_project
    data, run = exported
    assert (out / "model.safetensors").is_file()                        # the copy the user asked for
    record = project.current_finetune()
    assert record["id"] == run and record["result"]["model_dir"] == f"finetune/{run}/model"
    assert "elsewhere" not in json.dumps(project.store.fields(project.id))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
    assert not any(n.endswith(".zip") for n in names) and f"files/finetune/{run}/model/model.safetensors" in names

    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path / "ws"))
    archive = tmp_path / "p.topiclens"
    archive.write_bytes(data)
    assert main(["project", "import", str(archive), "--name", "copy"]) == 0
    assert "note:" not in capsys.readouterr().err
    store = ProjectStore(tmp_path / "ws")
    copy = Project(store, store.find("copy").id)
    assert store.fields(copy.id) == project.store.fields(project.id)   # exact
    result = result_from_record(copy.current_finetune(), copy.dir)
    assert Path(result.model_dir).is_relative_to(copy.dir.resolve())
    assert load_bundle(result.model_dir).labels == sorted(CLASSES)
    assert not (copy.finetune_dir(run) / "model.zip").exists()

    older = _rebuild(data, lambda m, man: m.update({f"files/finetune/{run}/model.zip": b"PK\x05\x06" + b"\0" * 18}))
    done = import_project(store, older)                                # an older export that carries the zip
    assert done.notes == () and not (Project(store, done.info.id).finetune_dir(run) / "model.zip").exists()


def test_the_pages_import_neutralise_and_never_serve_an_outside_folder(exported, tmp_path, monkeypatch):
    """Through the Projects page: a record naming an outside folder imports with a note, the Fine-tune
    page offers no model download, and nothing is written next to that folder; a hostile file is one
    error with the open project kept."""
    from streamlit.testing.v1 import AppTest

    from fixture_paths import ROOT

    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path / "ws"))
    data, run = exported
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "credentials.json").write_text('{"token": "x"}')
    hostile = _rebuild(data, _run_edit(lambda r: {**r, "result": {**r["result"], "model_dir": str(secret)}}))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/projects.py").run()
    first = at.session_state["project_id"]
    at.file_uploader(key="projects_import_file_0").set_value(("x.topiclens", hostile, "application/zip")).run()
    at.button(key="projects_import").click().run()
    assert not at.exception and any("was not in the project file" in s.value for s in at.success)
    imported = at.session_state["project_id"]
    assert imported != first
    at.switch_page("pages/finetune.py").run()
    assert not at.exception
    assert not [b for b in at.get("download_button") if "model" in str(b.proto.label).lower()]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret", "ws"]
    assert sorted(p.name for p in secret.iterdir()) == ["credentials.json"]

    at.switch_page("pages/projects.py").run()
    refused = _rebuild(data, lambda m, man: m.update({"files/notes.txt": pickle.dumps({"a": 1}, protocol=0)}))
    at.file_uploader(key="projects_import_file_1").set_value(("y.topiclens", refused, "application/zip")).run()
    at.button(key="projects_import").click().run()
    assert not at.exception and any("pickle" in e.value for e in at.error)
    assert at.session_state["project_id"] == imported and len(ProjectStore(tmp_path / "ws").list()) == 2

    at.file_uploader(key="projects_import_file_1").set_value(("z.topiclens", data, "application/zip")).run()
    at.button(key="projects_import").click().run()                     # the same project, untouched
    at.switch_page("pages/finetune.py").run()
    assert not at.exception
    assert [b for b in at.get("download_button") if "model" in str(b.proto.label).lower()]


def test_a_job_exported_while_running_arrives_interrupted_without_its_lease(exported, tmp_path):
    data, run = exported

    def running(members, manifest):
        key = _sweep_key(manifest)
        manifest["fields"][key].update(status="running", lease={"owner": "cli", "pid": 1, "host": "elsewhere",
                                                                "process": "x", "started": 0, "heartbeat": 0})
        manifest["fields"][f"finetune:{run}"].update(status="running")

    done = import_project(ProjectStore(tmp_path / "ws"), _rebuild(data, running))
    fields = ProjectStore(tmp_path / "ws").fields(done.info.id)
    sweep = next(v for k, v in fields.items() if k.startswith("sweep:"))
    assert sweep["status"] == "interrupted" and "lease" not in sweep
    assert fields[f"finetune:{run}"]["status"] == "interrupted"
