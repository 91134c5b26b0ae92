"""Issue 17's last failure paths: encodings read right, outputs checked before the work, stale
temporary files cleaned, a full disk said once while the analysis goes on, CPU limits kept."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from core.cli import main
from core.corpus import load_corpus
from core.errors import InputError

ENGLISH = "text,label\n" + "".join(f"document number {i} about cats and dogs,{'ab'[i % 2]}\n" for i in range(138))


def one_error_line(argv: list[str], capsys) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err[-800:])
    return lines[0]


# ---------------------------------------------------------------------------------------------
# UTF-16 without a byte-order mark


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name", ["english.csv", "english.txt"])
def test_utf16_without_bom_is_detected(codec, name):
    corpus = load_corpus(ENGLISH.encode(codec), name)
    assert corpus.encoding == codec
    first = "document number 0 about cats and dogs"
    if name.endswith(".csv"):
        assert corpus.columns == ["text", "label"] and corpus.n_docs == 138 and corpus.texts[0] == first
    else:
        assert corpus.texts[1] == first + ",a"
    assert not any("\x00" in t for t in corpus.texts)


def test_utf16_cut_mid_character_and_the_cli(tmp_path, capsys):
    corpus = load_corpus(ENGLISH.encode("utf-16-le")[:-1], "cut.csv")
    assert corpus.encoding == "utf-16-le" and corpus.n_docs == 138
    path = tmp_path / "u16.csv"
    path.write_bytes(ENGLISH.encode("utf-16-le"))
    assert main(["inspect", str(path)]) == 0
    assert "utf-16-le" in capsys.readouterr().out


def test_utf8_and_gb18030_are_unchanged():
    assert load_corpus(ENGLISH.encode("utf-8"), "a.csv").encoding == "utf-8"
    zh = ("text\n" + "第一篇文档的内容比较长一些\n" * 30).encode("gb18030")
    assert load_corpus(zh, "zh.csv").encoding == "gb18030"


# ---------------------------------------------------------------------------------------------
# output files checked before any work


@pytest.fixture
def corpus_file(tmp_path) -> Path:
    path = tmp_path / "c.csv"
    path.write_text(ENGLISH, encoding="utf-8")
    return path


def _no_fit(monkeypatch):
    """Any fit or ranking would fail the test: the check must come first."""
    import core.cli.common as common

    def never(*a, **kw):
        raise AssertionError("the corpus was loaded before the output was checked")

    monkeypatch.setattr(common, "load_path", never)


def test_unwritable_outputs_fail_before_the_work(corpus_file, tmp_path, capsys, monkeypatch):
    _no_fit(monkeypatch)
    missing = tmp_path / "no-such-folder"
    cases = [
        (["terms", str(corpus_file), "--out", str(missing / "t.csv")], "cannot write"),
        (["terms", str(corpus_file), "--out", str(tmp_path / "t.txt")], "must end in .csv or .xlsx"),
        (["sweep", str(corpus_file), "--k", "2:3:1", "--out", str(missing / "s.csv")], "cannot write"),
        (["topics", str(corpus_file), "--k", "2", "--report", str(missing / "r.html")], "cannot write"),
        (["topics", str(corpus_file), "--k", "2", "--report", str(tmp_path)], "is a folder"),
        (["topics", str(corpus_file), "--k", "2", "--doc-topics", str(missing / "d.csv")], "cannot write"),
    ]
    for argv, needle in cases:
        assert needle in one_error_line(argv, capsys), argv


def test_read_only_folder_is_refused_before_the_fit(corpus_file, tmp_path, capsys, monkeypatch):
    import tempfile

    _no_fit(monkeypatch)

    def read_only(*a, **kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    line = one_error_line(["topics", str(corpus_file), "--k", "2", "--report", str(tmp_path / "r.html")], capsys)
    assert line == f"error: {tmp_path / 'r.html'}: cannot write (Read-only file system)."
    assert "Errno" not in line
    assert not (tmp_path / "r.html").exists()


def test_writable_outputs_are_written_atomically(corpus_file, tmp_path, capsys):
    out, report = tmp_path / "t.csv", tmp_path / "r.html"
    assert main(["terms", str(corpus_file), "--out", str(out)]) == 0
    assert main(["topics", str(corpus_file), "--k", "2", "--iterations", "2", "--report", str(report)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "<html" in report.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "r.html", "t.csv"]  # no probe, no .part


# ---------------------------------------------------------------------------------------------
# leftovers of writes cut short (kill -9)


def _age(path: Path, seconds: float) -> None:
    import os
    import time

    when = time.time() - seconds
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (when, when), follow_symlinks=False)


def test_stale_staging_and_temp_files_are_cleaned_on_start(tmp_path):
    from core.projects.project import Project
    from core.projects.store import ProjectStore

    ws = tmp_path / "ws"
    store = ProjectStore(ws)
    info = store.create("kept")
    proj = Project(store, info.id)
    proj.set("x", 1)
    (proj.dir / "corpus").mkdir()
    (proj.dir / "corpus" / "upload.bin").write_bytes(b"corpus")
    (proj.dir / "fits" / "abc123").mkdir(parents=True)
    (proj.dir / "fits" / "abc123" / "entry.json").write_text("{}")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("mine")
    projects = ws / "projects"
    stale = {
        "projects/.import-0a1b2c3d4e5f": "dir", "projects/..import-0a1b2c3d4e5f.part-1234abcd": "dir",
        f"projects/.deleted-{info.id}-abcd": "dir",
        f"projects/{info.id}/fits/.abc999.0123abcd.tmp": "dir", f"projects/{info.id}/tokens/.d1.0123abcd.old": "dir",
        f"projects/{info.id}/corpus/.upload.bin.k2j3h4.tmp": "file",
        f"projects/{info.id}/finetune/run1/.model.part-89abcdef": "dir",
        f"projects/{info.id}/finetune/run1/model.zip.part": "file",
        "finetune/0123456789abcdef0123/uploads/.u1.part-0011aabb": "dir",
    }
    fresh = {"projects/.import-ffffffffffff": "dir", f"projects/{info.id}/fits/.abc777.0123abcd.tmp": "dir"}
    for rel, kind in {**stale, **fresh}.items():
        path = ws / rel
        if kind == "dir":
            path.mkdir(parents=True)
            (path / "part.npy").write_bytes(b"x" * 100)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * 100)
    (projects / ".import-0a1b2c3d4e5f" / "link").symlink_to(outside)   # never followed
    for rel in stale:
        _age(ws / rel, 3600)
    # a staging folder whose folder is old but a file inside is being written now: still in use
    young_inside = projects / ".import-00000000000b"
    young_inside.mkdir()
    (young_inside / "big.parquet").write_bytes(b"y")
    _age(young_inside, 3600)
    (young_inside / "big.parquet").write_bytes(b"yy")

    again = ProjectStore(ws)   # a (re)start
    assert sorted(again.cleaned) == sorted(stale)
    for rel in stale:
        assert not (ws / rel).exists() and not (ws / rel).is_symlink(), rel
    for rel in fresh:
        assert (ws / rel).exists(), rel
    assert young_inside.exists()
    assert (outside / "precious.txt").read_text() == "mine"
    assert (proj.dir / "corpus" / "upload.bin").read_bytes() == b"corpus"
    assert (proj.dir / "fits" / "abc123" / "entry.json").exists()
    assert again.get(info.id) is not None and Project(again, info.id).get("x") == 1
    assert ProjectStore(ws).cleaned == []   # nothing left to clean


# ---------------------------------------------------------------------------------------------
# a full workspace disk (ENOSPC simulated where the bytes are written)


def _enospc(*a, **kw):
    raise OSError(errno.ENOSPC, "No space left on device")


def _leftovers(root: Path) -> list[str]:
    """Temp files and folders of interrupted writes anywhere under `root`."""
    import re

    temp = re.compile(r"^\..+(\.tmp|\.old|\.part|\.part-[0-9a-f]+)$")
    return [str(p.relative_to(root)) for p in root.rglob("*") if temp.search(p.name)]


def test_atomic_writes_on_a_full_disk_leave_nothing(tmp_path, monkeypatch):
    import builtins

    from core.projects import arrays
    from core.projects.store import DiskFull, atomic_write_bytes

    (tmp_path / "old.bin").write_bytes(b"previous")
    monkeypatch.setattr("os.fsync", _enospc)
    with pytest.raises(DiskFull, match="disk is full"):
        atomic_write_bytes(tmp_path / "old.bin", b"new bytes")
    with pytest.raises(DiskFull):
        arrays.write_folder(tmp_path / "folder", {"a.npy": b"1", "b.npy": b"2"})
    monkeypatch.undo()
    real_open = builtins.open
    calls = []

    def second_file_fails(path, mode="r", *a, **kw):   # the first file is written, the second is not
        if "w" in mode:
            calls.append(path)
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", second_file_fails)
    with pytest.raises(DiskFull):
        arrays.write_folder(tmp_path / "folder", {"a.npy": b"1", "b.npy": b"2"})
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.bin"]   # no folder, no temp
    assert (tmp_path / "old.bin").read_bytes() == b"previous"


def test_sqlite_full_is_a_disk_full_and_rolls_back(tmp_path):
    from core.projects.store import DiskFull, ProjectStore

    store = ProjectStore(tmp_path / "ws")
    info = store.create("p")
    store.set_field(info.id, "small", 1)
    conn = store._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFull):
        store.set_field(info.id, "big", "x" * 200_000)
    assert store.get_field(info.id, "big") is None and store.get_field(info.id, "small") == 1
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.set_field(info.id, "after", 2)   # the connection still works
    assert store.get_field(info.id, "after") == 2


def test_project_caches_on_a_full_disk_keep_the_analysis_in_memory(tmp_path, monkeypatch):
    from core.corpus import load_corpus
    from core.preprocess import PreprocessSettings, data_key, tokenize
    from core.projects.project import Project, run_project_sweep
    from core.projects.store import DiskFull, ProjectStore
    from core.topics.sweep import SweepConfig

    corpus = load_corpus(ENGLISH.encode(), "c.csv")
    settings = PreprocessSettings()
    store = ProjectStore(tmp_path / "ws")
    proj = Project(store, store.create("p").id)
    monkeypatch.setattr("os.fsync", _enospc)
    with pytest.raises(DiskFull):   # no one to tell (the CLI): the error says it, in one line
        proj.tokens_for(corpus, settings, lambda: tokenize(corpus.texts, settings))
    told = []
    tokens = proj.tokens_for(corpus, settings, lambda: tokenize(corpus.texts, settings), on_unsaved=told.append)
    assert tokens.n_tokens > 0 and len(told) == 1 and isinstance(told[0], DiskFull)
    key = data_key(corpus.fingerprint, settings)
    bundle = proj.dtm_for(key, tokens, on_unsaved=told.append)
    assert bundle.n_terms > 0 and len(told) == 2
    config = SweepConfig(k_min=2, k_max=3, k_step=1, iterations=2, jobs=1)
    sweep_id = proj.start_sweep(key, config)
    result = run_project_sweep(proj, sweep_id, bundle, config, on_unsaved=told.append)
    assert result.complete and sorted(result.models) == [(2, 0), (3, 0)] and len(told) > 2
    monkeypatch.undo()
    assert _leftovers(store.root) == []
    for sub in ("tokens", "dtm", "fits"):
        assert not any((proj.dir / sub).glob("*/*")), sub   # nothing half-written
    assert proj.load_tokens(key, settings, type(tokens)) is None


def _app(tmp_path, monkeypatch, lang: str | None = None):
    from streamlit.testing.v1 import AppTest

    from fixture_paths import ROOT

    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _unique_csv(tmp_path) -> bytes:
    """A corpus no earlier test tokenized (the engine cache is process-wide): its tokens are computed here."""
    tag = tmp_path.name.replace("_", "")
    rows = [f"{tag} document {i} about {'cats dogs birds fish'.split()[i % 4]} and more words here" for i in range(60)]
    return ("text,label\n" + "".join(f"{r},{'ab'[i % 2]}\n" for i, r in enumerate(rows))).encode()


def _disk_warnings(at, needle="disk is full") -> list[str]:
    return [w.value for w in at.warning if needle in w.value]


def test_pages_on_a_full_disk_say_so_once_and_keep_working(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch)
    at.file_uploader(key="corpus_upload").set_value(("fresh.csv", _unique_csv(tmp_path), "text/csv")).run()
    assert at.session_state["corpus"].name == "fresh.csv"
    monkeypatch.setattr("os.fsync", _enospc)   # from here on, no write reaches the disk
    from core.preprocess import PreprocessSettings

    at.session_state["preprocess_settings"] = PreprocessSettings(min_token_len=3)   # new tokens to cache
    at.switch_page("pages/terms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_disk_warnings(at)) == 1
    assert at.dataframe and len(at.dataframe[0].value) > 0        # the ranking, from memory
    for page in ("pages/topics.py", "pages/finetune.py", "pages/corpus.py", "pages/projects.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert len(_disk_warnings(at)) == 1, page                 # one notice, every page
        assert not at.error, (page, [e.value for e in at.error])
    monkeypatch.undo()
    assert _leftovers(tmp_path) == []


def test_an_upload_on_a_full_disk_is_loaded_and_says_so_in_chinese(tmp_path, monkeypatch):
    from core.projects.project import Project
    from core.projects.store import ProjectStore

    at = _app(tmp_path, monkeypatch, lang="zh")
    before = at.session_state["project_id"]
    kept = ProjectStore(tmp_path).get(before), Project(ProjectStore(tmp_path), before).get("corpus")
    monkeypatch.setattr("os.fsync", _enospc)
    at.file_uploader(key="corpus_upload").set_value(("full.csv", _unique_csv(tmp_path), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["corpus"].name == "full.csv"           # loaded: the analysis goes on from memory
    assert len(_disk_warnings(at, "磁盘已满")) == 1
    assert not at.error, [e.value for e in at.error]               # no "your loaded data is unchanged"
    at.switch_page("pages/terms.py").run()
    assert not at.exception and at.dataframe
    monkeypatch.undo()
    assert _leftovers(tmp_path) == []
    store = ProjectStore(tmp_path)
    for info in store.list():   # no project claims a corpus it does not hold
        source = Project(store, info.id).get("corpus")
        assert source is None or (store.project_dir(info.id) / "corpus" / "upload.bin").exists(), info
    # the demo project the upload would have taken over is as it was: its name, its corpus
    assert (store.get(before).name, store.get(before).kind) == (kept[0].name, kept[0].kind)
    assert Project(store, before).get("corpus") == kept[1] and Project(store, before).corpus_source() is not None


def test_first_visit_on_a_full_disk_gets_the_demo_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr("os.fsync", _enospc)
    at = _app(tmp_path, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["corpus"].name == "demo_zh_news_titles.csv"
    assert len(_disk_warnings(at)) == 1
    monkeypatch.undo()
    from core.projects.store import ProjectStore

    assert ProjectStore(tmp_path).list() == [] and _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# fine-tunes and parallel tokenizing count against the server's CPU limit


def test_borrow_takes_only_free_cores_and_never_waits():
    import threading

    from core.jobs import CpuLimiter

    cpu = CpuLimiter(2)
    with cpu.borrow(4) as got:
        assert got == 2 and cpu.in_use == 2
        with cpu.borrow(1) as more:
            assert more == 0
    assert cpu.in_use == 0
    assert cpu.acquire(1, threading.Event()) == 1
    with cpu.borrow(4) as got:
        assert got == 1
    cpu.release(1)


def test_a_job_submitted_with_cores_waits_for_them_and_holds_them():
    import threading

    from core.jobs import CANCELLED, DONE, WAITING_FOR_CPU, JobRegistry

    reg = JobRegistry(cpu_limit=2)
    gate, seen = threading.Event(), []
    first = reg.submit("o", "finetune", lambda ctx: gate.wait(30), cpu=2)
    deadline = __import__("time").time() + 10
    while reg.cpu.in_use < 2 and __import__("time").time() < deadline:
        __import__("time").sleep(0.01)
    assert reg.cpu.in_use == 2
    second = reg.submit("p", "finetune", lambda ctx: seen.append(reg.cpu.in_use), cpu=1)
    third = reg.submit("q", "finetune", lambda ctx: seen.append("never"), cpu=1)
    while second.queue_position is None and __import__("time").time() < deadline:
        __import__("time").sleep(0.01)
    assert second.queue_position == 1 and getattr(second.message, "msgid", None) == WAITING_FOR_CPU
    reg.cancel(third.id, "q")
    assert reg.wait(third.id, "q", timeout=10).status == CANCELLED and "never" not in seen
    gate.set()
    assert reg.wait(first.id, "o", timeout=10).status == DONE
    assert reg.wait(second.id, "p", timeout=10).status == DONE and seen == [1]
    assert reg.cpu.in_use == 0


def test_the_dashboard_fine_tune_holds_its_torch_threads():
    import threading

    from core.jobs import JobRegistry
    from ui.state import _HoldingCores

    reg, gate = JobRegistry(cpu_limit=4), threading.Event()
    held = []
    job = _HoldingCores(reg, 3).submit("o", "finetune", lambda ctx: (held.append(reg.cpu.in_use), gate.wait(30)),
                                       exclusive=True, label="x")
    gate.set()
    reg.wait(job.id, "o", timeout=10)
    assert held == [3] and reg.cpu.in_use == 0


def test_page_tokenizing_uses_only_the_free_cores(tmp_path, monkeypatch):
    from ui import state

    calls = []

    def spy(texts, settings, jobs=None, progress=None, **kw):
        from core.preprocess import tokenize

        calls.append(jobs)
        return tokenize(texts, settings)

    monkeypatch.setattr("ui.state.corpus.MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr("ui.state.corpus.tokenize_parallel", spy)
    at = _app(tmp_path, monkeypatch)
    calls.clear()   # (the demo corpus of the first run)
    cpu = state.job_registry().cpu
    busy = cpu.capacity - cpu.in_use   # a sweep holds every core
    cpu.in_use += busy
    try:
        at.file_uploader(key="corpus_upload").set_value(("busy.csv", _unique_csv(tmp_path), "text/csv")).run()
        assert not at.exception, [e.value for e in at.exception]
    finally:
        cpu.release(busy)
    assert calls == [1]   # no worker processes while the limit is used up
    from core.preprocess import PreprocessSettings

    at.session_state["preprocess_settings"] = PreprocessSettings(min_token_len=2)
    at.run()
    assert calls[-1] == cpu.capacity and cpu.in_use == 0


# ---------------------------------------------------------------------------------------------
# dicts that several threads use


def test_prune_cache_while_a_sweep_thread_adds_fits():
    """The session's sweep cache is filled by the job's thread while the page prunes it: copying the
    keys in one step never meets "dictionary changed size during iteration"."""
    import sys
    import threading
    from types import SimpleNamespace

    from core.topics.sweep import prune_cache

    cache = {f"a|other|{i}": i for i in range(20_000)}
    stop, errors = threading.Event(), []

    def sweep_thread():
        i = 0
        while not stop.is_set():
            cache[f"f|mine|{i}"] = i
            i += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # switch threads as often as possible: the race shows every time
    writer = threading.Thread(target=sweep_thread)
    writer.start()
    try:
        for _ in range(30):
            cache.update({f"a|other|{i}": i for i in range(2_000)})
            try:
                prune_cache(cache, SimpleNamespace(key="mine"))
            except RuntimeError as exc:
                errors.append(str(exc))
    finally:
        stop.set()
        writer.join()
        sys.setswitchinterval(interval)
    assert errors == []
    assert not any("|other|" in k for k in cache)


def test_the_language_names_cannot_be_changed_in_place():
    from core import i18n

    with pytest.raises(TypeError):
        i18n.LANGUAGES["fr"] = "Français"   # type: ignore[index]
    with pytest.raises(TypeError):
        i18n.CATALOG_LOCALE["zh"] = "zh_TW"   # type: ignore[index]
    assert dict(i18n.LANGUAGES) == {"en": "English", "zh": "简体中文"}


def test_a_sweep_job_runs_no_more_workers_than_the_cores_granted(monkeypatch):
    from core.jobs import DONE, JobRegistry
    from core.topics import sweep as S
    from core.topics.dtm import build_dtm
    from core.preprocess import PreprocessSettings, tokenize

    texts = load_corpus(ENGLISH.encode(), "c.csv").texts
    bundle = build_dtm(tokenize(texts, PreprocessSettings()).docs, data_key="k")
    sizes = []

    class Recording(S.LocalExecutor):
        def __init__(self, n, *a, **kw):
            sizes.append(n)
            super().__init__(n, *a, **kw)

    monkeypatch.setattr(S, "LocalExecutor", Recording)
    reg = JobRegistry(cpu_limit=1)   # TOPICLENS_CPU_JOBS=1 on a bigger machine
    config = S.SweepConfig(k_min=2, k_max=3, k_step=1, iterations=2, jobs=2)
    job = reg.submit("o", "topics_sweep", lambda ctx: S.run_sweep(bundle, config, ctx, {}))
    assert reg.wait(job.id, "o", timeout=120).status == DONE, job.error
    assert sizes == [1] and sorted(job.result.models) == [(2, 0), (3, 0)]


def test_duplicating_a_project_on_a_full_disk_leaves_no_half_copy(tmp_path, monkeypatch):
    import shutil

    from core.projects.store import DiskFull, ProjectStore

    store = ProjectStore(tmp_path / "ws")
    info = store.create("original")
    for name in ("a.bin", "b.bin", "c.bin"):
        (store.project_dir(info.id) / name).write_bytes(b"x" * 1000)
    real = shutil.copy2
    copied = []

    def third_fails(src, dst, **kw):
        if len(copied) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", dst)
        copied.append(dst)
        return real(src, dst, **kw)

    monkeypatch.setattr(shutil, "copy2", third_fails)
    with pytest.raises(DiskFull) as err:
        store.duplicate(info.id)
    assert str(tmp_path) not in str(err.value)                 # no server path in the message
    assert [p.name for p in store.list()] == ["original"]
    assert sorted(p.name for p in store.projects_dir.iterdir()) == [info.id]


def test_a_full_database_disk_keeps_the_pages_working(tmp_path, monkeypatch):
    """SQLite cannot write either (a setting, a widget value, labels): the session keeps them, the
    pages say so once and show no traceback."""
    from core.projects.store import DiskFull, ProjectStore

    at = _app(tmp_path, monkeypatch)

    def full(*a, **kw):
        raise DiskFull()

    monkeypatch.setattr(ProjectStore, "set_field", full)
    monkeypatch.setattr(ProjectStore, "update", full)
    at.session_state["terms_top"] = 17   # a changed widget value: the autosave cannot write it
    at.switch_page("pages/terms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_disk_warnings(at)) == 1 and at.dataframe
    at.switch_page("pages/corpus.py").run()
    assert not at.exception, [e.value for e in at.exception]
    next(n for n in at.number_input if n.label == "Min token length").set_value(2)
    next(b for b in at.button if b.label == "Apply preprocessing").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]            # applied in the session, not an error
    assert at.session_state["preprocess_settings"].min_token_len == 2
    at.run()
    assert len(_disk_warnings(at)) == 1
