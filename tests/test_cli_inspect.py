"""`topiclens inspect`: JSON summary, and one `error:` line with exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fixture_paths import DEMO_ZH, ROOT
from core.cli import main



def test_inspect_prints_summary(capsys):
    assert main(["inspect", str(DEMO_ZH)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == 600 and out["text_col"] == "text" and out["label_col"] == "label"
    assert out["encoding"] == "utf-8" and out["columns"] == ["text", "label"]
    assert out["language_mix"]["zh"] == 600 and out["empty_texts"] == 0 and out["duplicate_texts"] == 0


def test_inspect_gbk_file_with_overrides(tmp_path, capsys):
    path = tmp_path / "gbk.csv"
    path.write_bytes("标题,正文\r\n甲,\"第一篇\r\n多行正文\"\r\n乙,第二篇正文内容\r\n".encode("gbk"))
    assert main(["inspect", str(path), "--text-col", "正文"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == 2 and out["text_col"] == "正文" and out["encoding"] == "gb18030"


@pytest.mark.parametrize("content,needle", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "PNG"),
    (b"a,b\n1,2\n", "No text-like column"),
])
def test_bad_input_exit_2_one_line(tmp_path, capsys, content, needle):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and needle in err[0]


def test_console_script_bad_column_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "core.cli", "inspect", str(DEMO_ZH), "--text-col", "nope"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: No column named 'nope'")
    assert "Traceback" not in proc.stderr
    bad_arg = subprocess.run([sys.executable, "-m", "core.cli", "inspect"], capture_output=True, text=True, cwd=ROOT)
    assert bad_arg.returncode == 2 and bad_arg.stderr.startswith("error: ")
