"""Hostile and broken inputs (issue 13): each is refused or handled with one clear message, in the
CLI (exit 2, one `error:` line, no traceback) and in the dashboard (AppTest: an error element, no
exception, the previous corpus kept). Bombs are small on disk; caps are lowered where a real-size
bomb would cost the test machine time."""

from __future__ import annotations

import errno
import json
import os
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.corpus import LoadOptions, load_corpus
from core.errors import InputError
from core.export import to_xlsx_bytes, write_table
from fixture_paths import DEMO_ZH, ROOT
from zip_fixtures import bad_crc, declared, encrypted, symlink_zip, traversal_zip, zip_of

MIB = 1 << 20
GOOD_CSV = "text,label\n第一篇文档,甲\n第二篇文档,乙\n".encode()


# ---------------------------------------------------------------------------------------------
# corpus files: (name, bytes, options, expected message); every one through load_corpus, the CLI
# and the Corpus page

def _xlsx_with_char_reference() -> bytes:
    """A workbook whose sheet XML carries `&#x1;`, a character XML 1.0 forbids (expat refuses it)."""
    import io

    book = openpyxl.Workbook()
    book.active.append(["text", "label"])
    book.active.append(["MARKER text", "a"])
    book.active.title = "Sheet1"
    buf = io.BytesIO()
    book.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for name, data in members.items():
        if b"MARKER" in data:
            members[name] = data.replace(b"MARKER", b"MA&#x1;RKER")
    return zip_of(members)


CORPUS_CASES = [
    # decompression bombs and hostile archives
    ("ratio bomb (8 MiB of text in a ~10 KB zip)", "bomb.zip", lambda: zip_of({"a.txt": b"ha " * (3 * MIB)}), None,
     "zip bomb"),
    ("zip of zeros (NUL document)", "zeros.zip", lambda: zip_of({"z.txt": b"\0" * (16 * MIB)}), None, "zip bomb"),
    ("small zip of zeros", "zeros.zip", lambda: zip_of({"z.txt": b"\0" * 200_000}), None, "no readable .txt"),
    ("over the uncompressed cap", "big.zip", lambda: zip_of({f"{i}.txt": os.urandom(700_000).hex().encode()[:1_400_000]
                                                            for i in range(2)}, zipfile.ZIP_STORED), "caps",
     "too large when unpacked"),
    ("header lies about the size", "liar.zip", lambda: declared(zip_of({"a.txt": "文档".encode() * 50_000}), 10), None,
     "damaged"),
    ("declared size over the cap", "huge.zip", lambda: declared(zip_of({"a.txt": b"x" * 1000}), 1 << 30), None,
     "too large when unpacked"),
    ("bad CRC", "crc.zip", lambda: bad_crc({"a.txt": "一篇文档的内容".encode() * 20}), None, "bad CRC"),
    ("path traversal", "trav.zip", traversal_zip, None, "unsafe path"),
    ("symbolic link", "link.zip", symlink_zip, None, "symbolic link"),
    ("encrypted member", "enc.zip", lambda: encrypted({"a.txt": b"secret text"}), None, "encrypted"),
    ("empty zip", "empty.zip", lambda: zip_of({}), None, "empty ZIP archive"),
    ("zip with no .txt", "imgs.zip", lambda: zip_of({"a.png": b"\x89PNG...."}), None, "no readable .txt"),
    ("damaged zip", "broken.zip", lambda: b"PK\x03\x04" + b"\x00" * 40, None, "damaged"),
    ("encrypted XLSX", "secret.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, None,
     "password-protected"),
    ("not an XLSX", "fake.xlsx", lambda: b"hello", None, "not a valid .xlsx"),
    ("XLSX whose sheet XML has &#x1;", "ctrl.xlsx", lambda: _xlsx_with_char_reference(), None,
     "Could not read the sheet 'Sheet1'"),
    # silent corruption
    ("ragged CSV, first row", "r1.csv", lambda: b'text,label\n"doc one",a,extra\n"doc two",b\n', None,
     r"more fields than the header's 2 \(line 2\)"),
    ("ragged CSV, later rows", "r2.csv", lambda: b'text,label\nd1,a\nd2,b,x\nd3,c\nd4,d,y,z\n', None,
     r"2 row\(s\) have more fields.*line 3, 5"),
    ("JSONL with only non-objects", "n.jsonl", lambda: b"42\nnull\ntrue\n[1,2,3]\n", None, "No JSONL line holds an object"),
    ("UTF-16 forced on a UTF-8 file", "u8.csv", lambda: b"text,label\nhello world,a\nbye now,bb\n",
     LoadOptions(encoding="utf-16"), "is not utf-16"),
    # bad inputs that were already handled: still one clear message each
    ("empty file", "empty.csv", lambda: b"", None, "is empty"),
    ("whitespace only", "ws.csv", lambda: b"  \n\n\t ", None, "is empty"),
    ("header only", "h.csv", lambda: b"text,label\n", None, "header but no rows"),
    ("PNG named .csv", "img.csv", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, None, "PNG image"),
    ("Python pickle", "p.csv", lambda: b"\x80\x04\x95" + b"\0" * 64, None, "pickle"),
    ("PDF", "d.csv", lambda: b"%PDF-1.7\n" + b"x" * 64, None, "PDF"),
    ("gzip", "g.csv", lambda: b"\x1f\x8b\x08" + b"\0" * 64, None, "gzip"),
    ("ELF program", "e.csv", lambda: b"\x7fELF" + b"\0" * 64, None, "a program"),
    ("old .xls", "o.csv", lambda: b"\xd0\xcf\x11\xe0" + b"\0" * 64, None, "old Office"),
    ("binary bytes", "b.csv", lambda: bytes(range(256)) * 40, None, "binary|encoding"),
    ("unclosed quote", "q.csv", lambda: 'text,label\n"没有结束的引号,甲\n正常,乙\n'.encode(), None, "never closed"),
    ("invalid JSONL", "bad.jsonl", lambda: b'{"text": "a"}\n{broken\n', None, "line 2 is not valid JSON"),
    ("undecodable bytes", "junk.csv", lambda: bytes([0x80, 0xFF, 0x81, 0xFE]) * 500, None, "encoding"),
    ("numbers only", "num.csv", lambda: b"a,b\n1,2\n3,4\n", None, "No text-like column"),
    ("missing text column", "c.csv", lambda: GOOD_CSV, LoadOptions(text_col="nope"), "No column named 'nope'"),
    ("date column without dates", "d.csv", lambda: GOOD_CSV, LoadOptions(date_col="label"), "no values that read as dates"),
    ("unknown encoding", "x.csv", lambda: GOOD_CSV, LoadOptions(encoding="klingon"), "Unknown encoding"),
    ("two-character delimiter", "x.csv", lambda: GOOD_CSV, LoadOptions(delimiter=";;"), "single character"),
    ("unknown format", "x.csv", lambda: GOOD_CSV, LoadOptions(file_format="docx"), "Unknown format"),
    # issue 17: an all-empty text column is said, never replaced by the label column
    ("all-empty text column", "blank.csv", lambda: b"text,label\n" + b",a\n,b\n" * 50, None,
     "text column 'text' of blank.csv is empty in every row"),
    ("all-empty text column, chosen", "blank.csv", lambda: b"text,label\n" + b" ,a\n,b\n" * 50,
     LoadOptions(text_col="text"), "text column 'text' of blank.csv is empty in every row"),
]
IDS = [c[0] for c in CORPUS_CASES]


@pytest.mark.parametrize("label,name,make,options,needle", CORPUS_CASES, ids=IDS)
def test_engine_refuses_with_a_clear_message(label, name, make, options, needle, monkeypatch):
    if options == "caps":
        monkeypatch.setenv("TOPICLENS_MAX_UNCOMPRESSED_MB", "2")
        options = None
    with pytest.raises(InputError, match=needle):
        load_corpus(make(), name, options)


CLI_FLAGS = {"UTF-16 forced on a UTF-8 file": ["--encoding", "utf-16"], "missing text column": ["--text-col", "nope"],
             "date column without dates": ["--date-col", "label"], "unknown encoding": ["--encoding", "klingon"],
             "two-character delimiter": ["--delimiter", ";;"], "all-empty text column, chosen": ["--text-col", "text"]}


def cli_error(argv: list[str], capsys) -> str:
    code = main(argv)
    out = capsys.readouterr()
    assert code == 2, (code, out.err[-500:])
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), out.err[-500:]
    assert "Traceback" not in out.err
    return lines[0]


@pytest.mark.parametrize("label,name,make,options,needle", [c for c in CORPUS_CASES if c[0] != "unknown format"],
                         ids=[i for i in IDS if i != "unknown format"])
def test_cli_exits_2_with_one_error_line(label, name, make, options, needle, tmp_path, capsys, monkeypatch):
    if options == "caps":
        monkeypatch.setenv("TOPICLENS_MAX_UNCOMPRESSED_MB", "2")
    path = tmp_path / name
    path.write_bytes(make())
    import re

    assert re.search(needle, cli_error(["inspect", str(path), *CLI_FLAGS.get(label, [])], capsys))


# ---------------------------------------------------------------------------------------------
# files that are not files


def test_cli_refuses_dev_zero_without_reading_it(capsys):
    assert "not a regular file" in cli_error(["inspect", "/dev/zero"], capsys)


def test_cli_refuses_a_fifo_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert "not a regular file" in cli_error(["inspect", str(fifo)], capsys)


def test_cli_refuses_folders_missing_files_and_oversized_files(tmp_path, capsys, monkeypatch):
    assert "is a folder" in cli_error(["inspect", str(tmp_path)], capsys)
    assert "no such file" in cli_error(["inspect", str(tmp_path / "missing.csv")], capsys)
    big = tmp_path / "big.csv"
    big.write_bytes(b"text\n" + b"word " * (300_000))
    monkeypatch.setenv("TOPICLENS_MAX_INPUT_MB", "1")
    assert "TOPICLENS_MAX_INPUT_MB" in cli_error(["inspect", str(big)], capsys)


def test_cli_stopword_file_that_is_a_device(capsys):
    assert "not a regular file" in cli_error(["terms", str(DEMO_ZH), "--stopwords", "/dev/zero"], capsys)


def test_cli_unexpected_failure_is_one_line_not_a_traceback(monkeypatch, capsys):
    import core.cli.inspect as inspect_cmd

    def boom(args):
        raise zipfile.BadZipFile("Bad CRC-32 for file 'x'")

    monkeypatch.setattr(inspect_cmd, "run", boom)
    monkeypatch.delenv("TOPICLENS_DEBUG", raising=False)
    from core.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["inspect", str(DEMO_ZH)])
    args.func = boom
    monkeypatch.setattr("core.cli.build_parser", lambda: type("P", (), {"parse_args": lambda self, argv: args})())
    assert main(["inspect", str(DEMO_ZH)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: unexpected failure (BadZipFile") and "Traceback" not in err


def test_jsonl_non_objects_are_skipped_with_a_count():
    corpus = load_corpus(b'{"text": "one doc"}\n42\nnull\n"a plain string doc"\ntrue\n[1,2,3]\n{"text": "two"}\n',
                         "x.jsonl")
    assert corpus.texts == ["one doc", "a plain string doc", "two"]
    assert corpus.warnings == ["Skipped 4 JSONL line(s) that are not objects (line 2, 3, 5, 6)."]


def test_ragged_rows_with_fewer_fields_still_read():
    corpus = load_corpus("text,label\n第一篇,甲\n第二篇\n".encode(), "x.csv", LoadOptions(label_col="label"))
    assert corpus.texts == ["第一篇", "第二篇"] and corpus.labels == ["甲", ""]


# ---------------------------------------------------------------------------------------------
# exports


def test_xlsx_export_replaces_control_characters(tmp_path, capsys):
    frame = pd.DataFrame({"text\x1b": ["NUL\x00here", "bell\x07 and esc\x1b", "=HYPERLINK(\"http://x\")"], "n": [1, 2, 3]})
    path = tmp_path / "out.xlsx"
    write_table(frame, str(path))
    sheet = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["text\ufffd", "n"]
    assert rows[1:] == [["NUL\ufffdhere", 1], ["bell\ufffd and esc\ufffd", 2], ["'=HYPERLINK(\"http://x\")", 3]]
    assert to_xlsx_bytes(frame, "sheet\x00name")[:2] == b"PK"
    assert not list(tmp_path.glob("*.part"))


def test_write_table_reports_an_unwritable_target(tmp_path):
    with pytest.raises(InputError, match="cannot write"):
        write_table(pd.DataFrame({"a": [1]}), str(tmp_path / "no-such-dir" / "x.csv"))


# ---------------------------------------------------------------------------------------------
# model zips and fine-tune output


@pytest.fixture(scope="module")
def tiny_bundle(tmp_path_factory) -> Path:
    from core.finetune.bundle import save_bundle
    from core.finetune.model import TextClassifier
    from core.finetune.sources import ScratchConfig, build_scratch_encoder, build_tokenizer

    texts = ["体育新闻报道", "财经新闻报道", "体育比赛", "股市财经"] * 10
    tok = build_tokenizer(texts, vocab_size=120, max_length=16)
    enc = build_scratch_encoder(ScratchConfig(vocab_size=120, hidden_size=16, num_layers=1, num_heads=2,
                                              intermediate_size=32), tok, 16)
    folder = tmp_path_factory.mktemp("bundle") / "model"
    save_bundle(TextClassifier(enc, 2), tok, ["体育", "财经"], 16, folder, manifest={"n": 1})
    return folder


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_model_zip_hostile_cases_leave_nothing_behind(tiny_bundle, tmp_path):
    from core.finetune.bundle import load_bundle_zip

    good = bundle_files(tiny_bundle)
    uploads = tmp_path / "uploads"
    cases = {
        "bad CRC": (bad_crc({"config.json": good["config.json"], **{k: v for k, v in good.items() if k != "config.json"}}),
                    "bad CRC"),
        "1 GiB config.json (declared)": (declared(zip_of({"config.json": b"{}" * 10}), 1 << 30), "at most 64 MB"),
        "config.json bomb": (zip_of({**good, "config.json": b" " * (80 * MIB)}), "zip bomb|at most 64 MB"),
        "empty zip": (zip_of({}), "empty"),
        "not a zip": (b"PK\x03\x04 garbage", "not a zip"),
        "encrypted": (encrypted({"config.json": b"{}"}), "encrypted"),
        "symlink": (symlink_zip(), "symbolic link"),
        "traversal": (traversal_zip(), "unsafe path"),
        "pickle": (zip_of({**good, "pytorch_model.bin": b"\x80\x04."}), "pickle"),
    }
    for label, (data, needle) in cases.items():
        with pytest.raises(InputError, match=needle):
            load_bundle_zip(data, uploads)
        leftovers = list(uploads.iterdir()) if uploads.exists() else []
        assert leftovers == [], (label, leftovers)


def test_model_zip_max_length_and_server_paths(tiny_bundle, tmp_path):
    from core.finetune.bundle import load_bundle_zip

    good = bundle_files(tiny_bundle)
    meta = json.loads(good["topiclens_model.json"])
    for value in (10**9, 0, True):
        with pytest.raises(InputError, match="max_length") as err:
            load_bundle_zip(zip_of({**good, "topiclens_model.json": json.dumps({**meta, "max_length": value}).encode()}),
                            tmp_path / "u")
        assert str(tmp_path) not in str(err.value)
    with pytest.raises(InputError) as err:
        load_bundle_zip(zip_of({**good, "model.safetensors": b"not weights"}), tmp_path / "u")
    assert "the uploaded model" in str(err.value) and str(tmp_path) not in str(err.value)


def test_model_uploads_replace_each_other_and_expire(tiny_bundle, tmp_path):
    from core.finetune.bundle import load_bundle_zip, prune_all_uploads, zip_bundle

    data = zip_bundle(tiny_bundle)
    uploads = tmp_path / "finetune" / "owner1" / "uploads"
    first = load_bundle_zip(data, uploads)
    second = load_bundle_zip(data, uploads)
    assert [p.name for p in uploads.iterdir()] == [second.folder.name] and not first.folder.exists()
    old = os.stat(second.folder).st_mtime - 2 * 86400
    os.utime(second.folder, (old, old))
    assert prune_all_uploads(tmp_path / "finetune") == 1 and list(uploads.iterdir()) == []


def test_model_upload_on_a_full_disk(tiny_bundle, tmp_path, monkeypatch):
    import builtins

    from core.finetune.bundle import load_bundle_zip, zip_bundle

    data = zip_bundle(tiny_bundle)
    real_open = builtins.open

    def full_disk(path, mode="r", *a, **kw):
        if "x" in mode or "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", full_disk)
    with pytest.raises(InputError, match="ran out of disk space"):
        load_bundle_zip(data, tmp_path / "uploads")
    monkeypatch.undo()
    assert list((tmp_path / "uploads").iterdir()) == []


def test_save_bundle_on_a_full_disk_keeps_the_old_bundle(tiny_bundle, tmp_path, monkeypatch):
    import shutil

    from core.finetune.bundle import load_bundle, save_bundle

    target = tmp_path / "model"
    shutil.copytree(tiny_bundle, target)
    clf = load_bundle(target)

    class FullDisk:
        pooling = "mean"
        head = clf.model.head

        class encoder:  # noqa: N801 (stands in for the encoder module)
            @staticmethod
            def save_pretrained(folder, **kw):
                (Path(folder) / "config.json").write_bytes(b"")
                raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError, match="disk is full"):
        save_bundle(FullDisk(), clf.tokenizer, clf.labels, 16, target, manifest={})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]          # no partial folder left
    assert (target / "config.json").stat().st_size > 0                     # the previous bundle intact
    load_bundle(target)


def test_finetune_out_is_checked_before_training(tmp_path, capsys):
    csv = tmp_path / "c.csv"
    csv.write_bytes(GOOD_CSV)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    base = ["finetune", str(csv), "--label-col", "label", "--model", "scratch", "--quiet"]
    assert "that is a file" in cli_error([*base, "--out", str(a_file)], capsys)
    assert "not empty" in cli_error([*base, "--out", str(busy)], capsys)
    assert "not a TopicLens model" in cli_error([*base, "--out", str(busy), "--overwrite"], capsys)
    assert (busy / "notes.txt").read_text() == "mine"


def test_run_finetune_keeps_the_metrics_when_the_model_cannot_be_saved(monkeypatch):
    from core.finetune import bundle, pipeline

    def full(*a, **kw):
        raise InputError("The model could not be saved: the disk is full.")

    monkeypatch.setattr(bundle, "save_bundle", full)
    frame = pd.read_csv(DEMO_ZH)
    frame = frame[frame["label"].isin(["体育", "财经"])].head(60)
    from core.finetune.sources import SCRATCH, ModelSource, ScratchConfig
    from core.finetune.train import TrainSettings

    settings = TrainSettings(epochs=1, batch_size=16, threads=1,
                             scratch=ScratchConfig(vocab_size=200, hidden_size=16, num_layers=1, num_heads=2,
                                                   intermediate_size=32))
    result = pipeline.run_finetune(pipeline.FinetuneRequest(frame["text"].tolist(), frame["label"].tolist(),
                                                            ModelSource(SCRATCH), settings))
    assert result.model_dir == "" and "disk is full" in result.warnings[-1]
    assert 0.0 <= result.metrics["accuracy"] <= 1.0 and result.summary()["model"]["n"] > 0


# ---------------------------------------------------------------------------------------------
# safety


def test_md_escape_stops_auto_links():
    import re

    from ui.state import md_escape

    for text in ('=HYPERLINK("http://x")', "https://evil.example/a", "WWW.evil.example", "me@evil.example",
                 "mailto:me", "xmpp:me", "[a](http://x)", "<b>x</b>", "ftp://x"):
        out = md_escape(text)
        assert out.replace("\u2060", "").replace("\\", "") == text  # nothing lost, only escapes added
        assert not re.search(r"(?i)[a-z]://|www\.|[\w.+-]@|mailto:|xmpp:", out), out
        assert "[" not in out.replace("\\[", "") and "<" not in out.replace("\\<", "")
    assert md_escape("0: words") == "0: words"  # ordinary colons stay readable


def test_typed_model_folders_stay_inside_the_model_roots(tmp_path, monkeypatch):
    from core.finetune import sources as S

    root = tmp_path / "models"
    (root / "bert").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (root / "escape").symlink_to(tmp_path / "secret")
    monkeypatch.setenv("TOPICLENS_MODEL_ROOTS", str(root))
    assert S.folder_source("bert") == S.ModelSource(S.FOLDER, str(root / "bert"))
    assert S.folder_source(str(root / "bert")).shown == str(root / "bert")
    messages = set()
    for typed in ("escape", "../secret", str(tmp_path / "secret"), "/root/.ssh", "/no/such/dir", "~", "~/x",
                  "/proc/self/cwd", "", ".", "bert/../../secret"):
        with pytest.raises(InputError) as err:
            S.folder_source(typed)
        messages.add(str(err.value).replace(repr(typed.strip()), "X"))
    assert len(messages) == 1  # the same answer whether the path exists or not: no probing
    assert str(tmp_path) not in messages.pop()
    assert S.available_model_folders() == ["bert", "escape"]


def test_served_app_watches_no_files():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"


# ---------------------------------------------------------------------------------------------
# the dashboard (AppTest)


def corpus_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


UI_CASES = [c for c in CORPUS_CASES if c[3] is None or c[3] == "caps"]


@pytest.mark.parametrize("label,name,make,options,needle", UI_CASES, ids=[c[0] for c in UI_CASES])
def test_corpus_page_shows_the_message_and_keeps_the_corpus(label, name, make, options, needle, monkeypatch):
    import re

    if options == "caps":
        monkeypatch.setenv("TOPICLENS_MAX_UNCOMPRESSED_MB", "2")
    at = corpus_page()
    at.file_uploader(key="corpus_upload").set_value((name, make(), "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(re.search(needle, e.value.replace("\\", "")) for e in at.error), [e.value for e in at.error]
    assert at.session_state["corpus"].name == "demo_zh_news_titles.csv"


def test_an_upload_lands_even_when_the_user_leaves_the_page():
    at = corpus_page()
    at.file_uploader(key="corpus_upload").set_value(("left.csv", GOOD_CSV, "text/csv"))
    at.switch_page("pages/terms.py").run()  # the next run shows another page: the callback still parsed it
    assert not at.exception
    assert at.session_state["corpus"].name == "left.csv"


def test_a_remembered_start_click_starts_the_job(monkeypatch, tmp_path):
    """A click whose run was cut short is handled by the next run (the flag the callback sets)."""
    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path))
    at = corpus_page()
    at.switch_page("pages/finetune.py").run()
    at.session_state["_click_finetune_start"] = True  # what the button's on_click left behind
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Training" for s in at.subheader) or any(s.value.startswith("Results") for s in at.subheader)
    assert "_click_finetune_start" not in at.session_state
    from ui import state

    for job in state.job_registry().list(f"project:{at.session_state['project_id']}", "finetune"):
        state.job_registry().cancel(job.id, job.owner)
        state.job_registry().wait(job.id, job.owner, timeout=60)


def test_model_upload_with_bad_crc_is_a_message_on_the_page(tiny_bundle, monkeypatch, tmp_path):
    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path))
    at = corpus_page()
    at.switch_page("pages/finetune.py").run()
    data = bad_crc(bundle_files(tiny_bundle))
    at.file_uploader(key="finetune_upload").set_value(("model.zip", data, "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("bad CRC" in e.value for e in at.error)
    assert not any(str(tmp_path) in e.value for e in at.error)


def test_model_with_huge_max_length_is_refused_on_the_page(tiny_bundle, monkeypatch, tmp_path):
    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path))
    good = bundle_files(tiny_bundle)
    meta = json.loads(good["topiclens_model.json"])
    data = zip_of({**good, "topiclens_model.json": json.dumps({**meta, "max_length": 10**9}).encode()})
    at = corpus_page()
    at.switch_page("pages/finetune.py").run()
    at.file_uploader(key="finetune_upload").set_value(("model.zip", data, "application/zip")).run()
    assert not at.exception
    assert any("max_length" in e.value.replace("\\", "") for e in at.error)
    assert not at.text_area  # no "Try it" box for a model that cannot run


def test_session_data_is_released_when_the_session_ends():
    import gc
    import time

    from ui import state

    at = corpus_page()
    at.file_uploader(key="corpus_upload").set_value(("mine.csv", GOOD_CSV * 1, "text/csv")).run()
    at.switch_page("pages/terms.py").run()
    sid = at.session_state["_session_id"]
    store = state._memo_store()
    mine = [k for k, e in store.data.items() if sid in e[2]]
    assert mine, "the session cached nothing"
    del at
    deadline = time.time() + 10
    while time.time() < deadline and any(sid in e[2] for e in store.data.values()):
        gc.collect()
        time.sleep(0.1)
    assert not any(sid in e[2] for e in store.data.values())
    assert not any(k in store.data for k in mine if k[0] == "corpus" and "mine.csv" in k[1])
