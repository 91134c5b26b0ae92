""".topiclens files: an exact round trip, and every hostile file refused before anything is written."""

from __future__ import annotations

import io
import json
import pickle
import stat
import zipfile

import numpy as np
import pandas as pd
import pytest

from core.corpus import load_corpus, load_path
from core.errors import InputError
from core.preprocess import PreprocessSettings, tokenize
from core.projects.archive import export_project, import_project
from core.projects.project import Project, run_project_sweep
from core.projects.store import ProjectStore
from core.topics.sweep import SweepConfig, assemble_result, model_key
from fixture_paths import DEMO_ZH


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A project with a corpus, settings, a 2-model sweep, labels and a chosen k, exported."""
    store = ProjectStore(tmp_path_factory.mktemp("src"))
    project = Project(store, store.create("新闻 analysis").id)
    data = DEMO_ZH.read_bytes()
    corpus = load_path(DEMO_ZH)
    project.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
    settings = PreprocessSettings(extra_stopwords=("图",), min_df=2)
    project.save_preprocess(settings)
    tokens = project.tokens_for(corpus, settings, lambda: tokenize(corpus.texts, settings))
    key = f"{corpus.fingerprint}-{settings.key()}"
    bundle = project.dtm_for(key, tokens)
    config = SweepConfig(k_min=3, k_max=4, k_step=1, engine="tomotopy", iterations=20, jobs=1)
    result = run_project_sweep(project, project.start_sweep(key, config), bundle, config)
    project.set_labels(model_key(key, config, 4), {0: "体育", 2: "<b>财经</b>"})
    project.save_widget(f"topics_k_{key}", 4)
    project.save_widget("topics_lambda", 0.4)
    return store, project, export_project(store, project.id), result, config, key


def test_round_trip_is_exact(analysed, tmp_path):
    store, project, data, result, config, key = analysed
    target = ProjectStore(tmp_path / "other-machine")
    info = import_project(target, data).info
    copy = Project(target, info.id)
    assert info.id != project.id and info.name == "新闻 analysis" and info.n_docs == store.get(project.id).n_docs
    assert target.fields(info.id) == store.fields(project.id)          # settings, sweeps, labels, chosen k and λ
    assert copy.corpus_source() == project.corpus_source()
    assert copy.labels(model_key(key, config, 4)) == {0: "体育", 2: "<b>财经</b>"}
    corpus = load_corpus(*copy.corpus_source())
    tokens = copy.tokens_for(corpus, copy.preprocess(), lambda: pytest.fail("the tokens travel with the project"))
    bundle = copy.dtm_for(key, tokens)
    again = assemble_result(bundle, config, copy.fit_cache(bundle))
    pd.testing.assert_frame_equal(again.frame, result.frame)
    for k in (3, 4):
        assert np.array_equal(again.model(k).doc_topic, result.model(k).doc_topic)
        assert np.array_equal(again.model(k).topic_word, result.model(k).topic_word)


def _rebuild(data: bytes, edit) -> bytes:
    """The exported archive with `edit(members: dict, manifest: dict)` applied, re-zipped."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    edit(members, manifest)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _add_member(name: str, content: bytes, listed: bool = True):
    def edit(members, manifest):
        import hashlib

        members[name] = content
        if listed:
            manifest["members"][name.removeprefix("files/")] = {
                "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    return edit


def _first_npy(members) -> str:
    return next(n for n in members if n.endswith("topic_word.npy"))


HOSTILE = {
    "unknown format version": (lambda m, man: man.update(format_version=99), "format version 99"),
    "not a project manifest": (lambda m, man: man.update(format="something-else"), "does not describe"),
    "missing member": (lambda m, man: m.pop(_first_npy(m)), "missing"),
    "extra member": (_add_member("files/notes/extra.txt", b"hi", listed=False), "does not list"),
    "path traversal": (_add_member("files/../../evil.json", b"{}"), "unsafe"),
    "absolute path": (_add_member("/etc/evil.json", b"{}"), "unsafe"),
    "pickle by extension": (_add_member("files/model.pkl", pickle.dumps({"a": 1})), "never holds"),
    "pickle under a json name": (_add_member("files/config.json", pickle.dumps({"a": 1})), "pickle"),
    "object npy": (_add_member("files/fits/x/evil.npy", (lambda b: (np.save(b, np.array([{"a": 1}], dtype=object),
                                                                            allow_pickle=True), b.getvalue())[1])(
        io.BytesIO())), "pickle"),
    "checksum mismatch": (lambda m, man: m.__setitem__(_first_npy(m), m[_first_npy(m)][:-8] + b"\0" * 8),
                          "checksum"),
    "code": (_add_member("files/run.py", b"import os"), "never holds"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_and_nothing_is_written(analysed, tmp_path, case):
    _, _, data, *_ = analysed
    edit, message = HOSTILE[case]
    target = ProjectStore(tmp_path / "ws")
    before = sorted(p.name for p in target.projects_dir.iterdir())
    with pytest.raises(InputError, match=message):
        import_project(target, _rebuild(data, edit))
    assert target.list() == []
    assert sorted(p.name for p in target.projects_dir.iterdir()) == before


def test_symlinks_bombs_and_garbage_are_refused(tmp_path, monkeypatch):
    target = ProjectStore(tmp_path / "ws")
    link = io.BytesIO()
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("files/corpus/upload.bin")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
        zf.writestr("manifest.json", "{}")
    with pytest.raises(InputError):
        import_project(target, link.getvalue())

    monkeypatch.setenv("TOPICLENS_MAX_PROJECT_MB", "1")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps({"format": "topiclens-project", "format_version": 1, "project": {},
                                                 "fields": {}, "members": {"big.txt": {"size": 3 << 20,
                                                                                       "sha256": "0" * 64}}}))
        zf.writestr("files/big.txt", b"\0" * (3 << 20))
    with pytest.raises(InputError):
        import_project(target, bomb.getvalue())
    for junk in (b"", b"not a zip at all", b"PK\x03\x04broken"):
        with pytest.raises(InputError):
            import_project(target, junk)
    assert target.list() == []
