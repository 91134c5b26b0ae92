"""The project store: catalogue, fields, migrations, atomic writes, concurrent writers, and the
bulk objects (tokens, DTM, sweep fits) that make a reopened project whole."""

from __future__ import annotations

import json
import subprocess
import multiprocessing as mp
import os
import sqlite3
import threading

import numpy as np
import pandas as pd
import pytest

from core.corpus import LoadOptions, load_path
from core.errors import InputError
from core.preprocess import PreprocessSettings, TokenizedCorpus, tokenize
from core.projects import arrays
from core.projects.project import INTERRUPTED, Project, run_project_sweep
from core.projects.store import SCHEMA_VERSION, ProjectStore, atomic_write_bytes
from core.topics.dtm import DTMBundle, build_dtm
from core.topics.sweep import SweepConfig, assemble_result, run_sweep
from fixture_paths import DEMO_ZH


@pytest.fixture
def store(tmp_path) -> ProjectStore:
    return ProjectStore(tmp_path / "ws")


def test_catalogue_create_find_rename_duplicate_delete(store):
    a = store.create("Reviews 2026")
    assert len(a.id) >= 20 and store.get(a.id) == a                 # the id is an unguessable address
    assert store.find("Reviews 2026").id == a.id and store.find(a.id).id == a.id
    store.set_field(a.id, "preprocess", {"min_df": 3, "extra_stopwords": ["不错", "买"]})
    store.rename(a.id, "  Reviews   final ")
    assert store.get(a.id).name == "Reviews final"
    (store.project_dir(a.id) / "corpus").mkdir()
    (store.project_dir(a.id) / "corpus" / "upload.bin").write_bytes(b"text\nhello\n")
    b = store.duplicate(a.id)
    assert b.id != a.id and b.name == "Reviews final (copy)"
    assert store.get_field(b.id, "preprocess") == {"min_df": 3, "extra_stopwords": ["不错", "买"]}
    assert (store.project_dir(b.id) / "corpus" / "upload.bin").read_bytes() == b"text\nhello\n"
    store.delete(a.id)
    assert store.get(a.id) is None and not store.project_dir(a.id).exists()
    assert store.get_field(a.id, "preprocess") is None
    assert [p.id for p in store.list()] == [b.id]
    with pytest.raises(InputError, match="No project named"):
        store.find("Reviews 2026")
    with pytest.raises(InputError):
        store.rename(b.id, "   ")
    assert store.get("../../etc") is None and store.get("x") is None  # ids are checked before any lookup


def test_only_demo_projects_nobody_worked_in_are_pruned_after_a_week(store):
    import time

    old_demo, new_demo, old_user = store.create("d1", kind="demo"), store.create("d2", kind="demo"), store.create("u")
    week_ago = time.time() - 8 * 86_400
    with store._tx() as db:
        db.execute("UPDATE projects SET created = ?, modified = ? WHERE id IN (?, ?)", (week_ago, week_ago,
                                                                                       old_demo.id, old_user.id))
    assert store.prune_untouched_demos() == 1
    assert store.get(old_demo.id) is None and store.get(new_demo.id) and store.get(old_user.id)


def test_same_name_is_ambiguous_not_guessed(store):
    store.create("same")
    store.create("same")
    with pytest.raises(InputError, match="2 projects are named"):
        store.find("same")


def test_migrates_a_version_1_workspace_and_refuses_a_newer_one(tmp_path):
    root = tmp_path / "old"
    root.mkdir()
    db = sqlite3.connect(root / "projects.db")
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, modified REAL NOT NULL,
                               corpus_name TEXT NOT NULL DEFAULT '', n_docs INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE fields (project_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, modified REAL NOT NULL,
                             PRIMARY KEY (project_id, key));
        INSERT INTO projects VALUES ('AAAAAAAAAAAAAAAAAAAAAA', 'saved last year', 1.0, 2.0, 'old.csv', 12);
        INSERT INTO fields VALUES ('AAAAAAAAAAAAAAAAAAAAAA', 'labels:m', '{"0": "sport"}', 2.0);
    """)
    db.commit()
    db.close()
    store = ProjectStore(root)
    assert store.schema_version == SCHEMA_VERSION
    info = store.get("AAAAAAAAAAAAAAAAAAAAAA")
    assert info.name == "saved last year" and info.kind == "user" and info.n_docs == 12
    assert Project(store, info.id).labels("m") == {0: "sport"}

    db = sqlite3.connect(root / "projects.db")
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(InputError, match="newer TopicLens"):
        ProjectStore(root)


def test_atomic_write_keeps_the_old_file_when_the_write_dies(tmp_path, monkeypatch):
    target = tmp_path / "corpus" / "upload.bin"
    atomic_write_bytes(target, b"old bytes")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new bytes that never land")
    assert target.read_bytes() == b"old bytes"
    assert [p.name for p in target.parent.iterdir()] == ["upload.bin"]   # no temp file left behind


def test_folder_objects_are_replaced_whole(tmp_path, monkeypatch):
    folder = tmp_path / "fits" / "x"
    arrays.write_folder(folder, {"a.npy": arrays.npy_bytes(np.arange(3)), "entry.json": b"{}"})
    real_open = open

    def failing_open(path, mode="r", *a, **k):
        if "entry.json" in str(path) and "w" in mode:
            raise OSError("killed mid-write")
        return real_open(path, mode, *a, **k)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(OSError):
        arrays.write_folder(folder, {"a.npy": arrays.npy_bytes(np.arange(5)), "entry.json": b'{"new": 1}'})
    monkeypatch.undo()
    assert arrays.load_npy(folder / "a.npy").tolist() == [0, 1, 2]    # the old object, whole
    assert sorted(p.name for p in folder.parent.iterdir()) == ["x"]    # no half-written folder beside it


def _writer(root: str, pid: str, worker: int, n: int) -> None:
    store = ProjectStore(root)
    for i in range(n):
        store.set_field(pid, f"widget:w{worker}", i)
        store.set_field(pid, "shared", {"worker": worker, "i": i})


def test_concurrent_writers_never_corrupt_and_last_writer_wins(store):
    pid = store.create("two tabs").id
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(store.root), pid, w, 60)) for w in range(2)]
    threads = [threading.Thread(target=_writer, args=(str(store.root), pid, w, 60)) for w in (2, 3)]
    for t in [*procs, *threads]:
        t.start()
    for t in [*procs, *threads]:
        t.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    fields = store.fields(pid)
    assert {fields[f"widget:w{w}"] for w in range(4)} == {59}      # every writer's own field: its last value
    assert fields["shared"]["i"] == 59                                # one whole value, never a mix
    assert sqlite3.connect(store.db_path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_settings_round_trip_and_unknown_or_missing_keys(store):
    project = Project(store, store.create("p").id)
    settings = PreprocessSettings(language="zh", extra_stopwords=("不错", "买"), min_df=2, max_df=0.8)
    project.save_preprocess(settings)
    assert project.preprocess() == settings
    store.set_field(project.id, "preprocess", {"min_df": 4, "a_setting_from_a_newer_release": True})
    assert project.preprocess() == PreprocessSettings(min_df=4)


def test_corpus_bytes_and_read_options_round_trip(store):
    project = Project(store, store.create("p").id)
    data = DEMO_ZH.read_bytes()
    corpus = load_path(DEMO_ZH, LoadOptions(label_col=""))
    project.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
    got, name, options = project.corpus_source()
    assert got == data and name == corpus.name and options == corpus.options
    assert store.get(project.id).n_docs == corpus.n_docs and store.get(project.id).corpus_name == corpus.name
    (project.dir / "corpus" / "upload.bin").write_bytes(data[:-10])      # damaged on disk: said, not loaded
    with pytest.raises(InputError, match="checksum"):
        project.corpus_source()


def test_tokens_and_dtm_round_trip_exactly(tmp_path):
    corpus = load_path(DEMO_ZH)
    tokens = tokenize(corpus.texts, PreprocessSettings())
    arrays.save_tokens(tmp_path / "t", tokens)
    back = arrays.load_tokens(tmp_path / "t", tokens.settings, TokenizedCorpus)
    assert back.docs == tokens.docs and back.removed == tokens.removed and back.segmenter == tokens.segmenter
    bundle = build_dtm(tokens.docs, data_key="k1")
    arrays.save_dtm(tmp_path / "d", bundle)
    got = arrays.load_dtm(tmp_path / "d", DTMBundle)
    assert (got.dtm != bundle.dtm).nnz == 0 and list(got.vocab) == list(bundle.vocab)
    assert np.array_equal(got.doc_rows, bundle.doc_rows) and got.key == bundle.key
    meta = json.loads((tmp_path / "t" / "meta.json").read_text())
    meta["fields"]["a_field_this_release_lacks"] = 1                   # another release's shape: recompute
    (tmp_path / "t" / "meta.json").write_text(json.dumps(meta))
    assert arrays.load_tokens(tmp_path / "t", tokens.settings, TokenizedCorpus) is None


def _bundle():
    corpus = load_path(DEMO_ZH)
    tokens = tokenize(corpus.texts, PreprocessSettings())
    return build_dtm(tokens.docs, data_key="demo-key")


def test_every_fit_is_stored_as_it_lands_and_a_reopened_sweep_is_identical(store):
    project = Project(store, store.create("p").id)
    bundle = _bundle()
    config = SweepConfig(k_min=2, k_max=4, k_step=1, engine="tomotopy", iterations=20, jobs=1)
    on_disk_at_each_event = []

    class Ctx:  # a job context that looks at the disk whenever the sweep announces a finished fit
        cancelled = False

        def progress(self, *a):
            pass

        def set_partial(self, result):
            pass

        def event(self, **record):
            if record.get("kind") == "fit":   # not the plan / worker-ready progress events
                on_disk_at_each_event.append(len(list((project.dir / "fits").glob("*/entry.json"))))

    result = run_project_sweep(project, project.start_sweep(bundle.data_key, config), bundle, config, Ctx())
    assert on_disk_at_each_event == [1, 2, 3]                          # each fit was stored the moment it landed
    record = project.latest_sweep(bundle.data_key)
    assert record["status"] == "done" and record["n_models"] == 3 and record["wall_seconds"] > 0

    reopened = assemble_result(bundle, config, project.fit_cache(bundle))   # a new process: from disk only
    pd.testing.assert_frame_equal(reopened.frame, result.frame)
    for key, model in result.models.items():
        other = reopened.models[key]
        assert np.array_equal(other.topic_word, model.topic_word) and np.array_equal(other.doc_topic, model.doc_topic)
        assert other.params["heldout_rows"].tolist() == list(model.params["heldout_rows"])
        assert other.fit_stats == model.fit_stats and other.fit_seconds == model.fit_seconds

    again = run_sweep(bundle, SweepConfig(**{**config.to_dict(), "k_max": 5}), cache=project.fit_cache(bundle))
    assert again.frame.set_index("k")["cached"].to_dict() == {2: True, 3: True, 4: True, 5: False}
    assert again.n_fitted == 1


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_sweep_cut_off_by_a_restart_reads_interrupted_and_resumes_with_its_finished_fits(store, monkeypatch):
    project = Project(store, store.create("p").id)
    bundle = _bundle()
    config = SweepConfig(k_min=2, k_max=4, k_step=1, engine="tomotopy", iterations=20, jobs=1)
    sweep_id = project.start_sweep(bundle.data_key, config)
    run_sweep(bundle, SweepConfig(**{**config.to_dict(), "k_max": 3}), cache=project.fit_cache(bundle))  # 2 of 3 fits
    dead = _dead_pid()                               # the server that ran it was killed
    lease = project.get(f"sweep:{sweep_id}")["lease"]
    project.update_sweep(sweep_id, process="a-stopped-server", lease={**lease, "process": "a-stopped-server", "pid": dead})
    record = project.latest_sweep(bundle.data_key)
    assert record["id"] == sweep_id and record["status"] == INTERRUPTED
    partial = assemble_result(bundle, config, project.fit_cache(bundle))
    assert partial.ks == [2, 3] and not partial.complete
    resumed = run_project_sweep(project, project.start_sweep(bundle.data_key, config), bundle, config)
    assert resumed.complete and resumed.n_fitted == 1 and resumed.ks == [2, 3, 4]
