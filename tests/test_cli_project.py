"""`topiclens ... --project NAME` and `topiclens project ...`: the CLI reads and writes the same
projects as the dashboard; bad input exits 2 with one `error:` line."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from core.cli import main
from core.corpus import load_path
from core.projects.project import Project
from core.projects.store import ProjectStore
from fixture_paths import DEMO_ZH, ROOT

SWEEP = ["--k", "3:4:1", "--iterations", "20", "--jobs", "1"]



def cli(*argv: str, capsys=None) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_in_a_project_reuses_stored_fits(tmp_path, capsys):
    code, out, err = cli("sweep", DEMO_ZH, "--project", "news", *SWEEP, "--out", tmp_path / "a.csv", capsys=capsys)
    assert code == 0 and "2 fitted, 0 reused" in err
    first = pd.read_csv(tmp_path / "a.csv")
    assert not first["cached"].any()
    # Later, without the file: the project's corpus and settings, one new k fitted, the rest reused.
    code, out, err = cli("sweep", "--project", "news", "--k", "3:5:1", "--iterations", "20", "--jobs", "1",
                         "--out", tmp_path / "b.csv", capsys=capsys)
    assert code == 0 and "1 fitted, 2 reused" in err
    second = pd.read_csv(tmp_path / "b.csv").set_index("k")
    assert second["cached"].to_dict() == {3: True, 4: True, 5: False}
    pd.testing.assert_series_equal(second.loc[[3, 4], "npmi"], first.set_index("k")["npmi"])  # the same fits


def test_topics_in_a_project_reuses_the_fit_and_shares_labels_and_choice(capsys):
    assert cli("sweep", DEMO_ZH, "--project", "news", *SWEEP, capsys=capsys)[0] == 0
    store = ProjectStore()
    project = Project(store, store.find("news").id)
    project.save_widget("topics_lambda", 0.35)                           # the dashboard's choice
    # No engine or fit options: the sweep's own (tomotopy, 20 iterations) -> its model, not a refit.
    code, out, err = cli("topics", "--project", "news", "--k", "4", "--label", "1=Markets", capsys=capsys)
    assert code == 0 and "reusing the project's tomotopy fit of k=4" in err
    assert out.splitlines()[1].startswith("1: Markets")
    assert [v for k, v in store.fields(project.id).items() if k.startswith("labels:")] == [{"1": "Markets"}]
    widgets = project.widgets()
    assert widgets["topics_lambda"] == 0.35                                 # not overwritten without --lambda
    assert [v for k, v in widgets.items() if k.startswith("topics_k_")] == [4]
    # the labels stay for the next run (and for the dashboard), flags add to them
    code, out, _ = cli("topics", "--project", "news", "--k", "4", "--label", "0=Sport", "--lambda", "0.5",
                       capsys=capsys)
    assert out.splitlines()[0].startswith("0: Sport") and out.splitlines()[1].startswith("1: Markets")
    assert project.widgets()["topics_lambda"] == 0.5
    # a k the dashboard's sweep lacks is fitted and stored, but the sweep and its chosen k stay
    code, _, err = cli("topics", "--project", "news", "--k", "6", capsys=capsys)
    assert code == 0 and "fitting tomotopy LDA, k=6" in err
    assert [v for k, v in project.widgets().items() if k.startswith("topics_k_")] == [4]
    assert [s["config"]["k_max"] for s in project.sweeps()] == [4]
    code, _, err = cli("topics", "--project", "news", "--k", "6", capsys=capsys)
    assert "reusing the project's tomotopy fit of k=6" in err
    code, _, err = cli("topics", "--project", "news", "--k", "4", "--label", "9=Nope", capsys=capsys)
    assert code == 2 and "topic 9 does not exist" in err and "fitting" not in err


def test_project_list_show_export_import_delete(tmp_path, capsys):
    assert cli("sweep", DEMO_ZH, "--project", "news", *SWEEP, capsys=capsys)[0] == 0
    code, out, _ = cli("project", "list", "--json", capsys=capsys)
    (row,) = json.loads(out)
    assert row["name"] == "news" and row["documents"] == 600 and row["size_bytes"] > 0
    code, out, _ = cli("project", "show", "news", capsys=capsys)
    shown = json.loads(out)
    assert shown["sweeps"][0]["status"] == "done" and shown["sweeps"][0]["models"] == 2
    target = tmp_path / "news.topiclens"
    assert cli("project", "export", "news", "--out", target, capsys=capsys)[0] == 0 and target.stat().st_size > 0
    code, out, _ = cli("project", "import", target, "--name", "news copy", capsys=capsys)
    assert code == 0 and ProjectStore().get(out.strip()).name == "news copy"
    assert cli("project", "delete", "news", capsys=capsys)[0] == 0
    assert [p.name for p in ProjectStore().list()] == ["news copy"]


@pytest.mark.parametrize("argv, message", [
    (["project", "show", "nope"], "No project named 'nope'"),
    (["project", "delete", "nope"], "No project named"),
    (["sweep", "--project", "empty", "--k", "3:4:1"], "No project named 'empty'"),
    (["sweep", "--k", "3:4:1"], "Give a corpus FILE"),
    (["finetune", str(DEMO_ZH)], "Give --out DIR"),
])
def test_bad_input_is_one_error_line_and_exit_2(argv, message, capsys):
    code, out, err = cli(*argv, capsys=capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_options_that_a_project_run_would_ignore_are_refused(capsys):
    assert cli("sweep", DEMO_ZH, "--project", "news", *SWEEP, capsys=capsys)[0] == 0
    code, _, err = cli("sweep", "--project", "news", "--min-df", "3", "--k", "3:4:1", capsys=capsys)
    assert code == 2 and "--min-df changes the corpus or preprocessing" in err


def test_import_of_a_hostile_file_exits_2_from_a_real_process(tmp_path):
    bad = tmp_path / "bad.topiclens"
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "topiclens-project", "format_version": 7}))
    bad.write_bytes(buf.getvalue())
    proc = subprocess.run([sys.executable, "-m", "core.cli", "project", "import", str(bad)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "format version 7" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_the_cli_report_of_a_project_has_the_sweep_section_and_files_keep_stable_keys(tmp_path, monkeypatch, capsys):
    """Issue 23 item 5: `topics --project P --report` carries the sweep (plot and table) as the
    dashboard's report does; the dashboard's sweep file has `sweep --out`'s stable column names."""
    from core.export import file_stem

    monkeypatch.setenv("TOPICLENS_WORKSPACE", str(tmp_path / "ws"))
    out = tmp_path / "sweep.csv"
    assert main(["sweep", str(DEMO_ZH), "--project", "P", "--k", "2:3", "--engine", "sklearn", "--iterations", "3",
                 "--out", str(out)]) == 0
    assert main(["topics", "--project", "P", "--k", "3", "--report", str(tmp_path / "r.html")]) == 0
    capsys.readouterr()
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Choosing the number of topics" in html and "label NMI" in html
    assert main(["topics", str(DEMO_ZH), "--k", "3", "--engine", "sklearn", "--iterations", "3",
                 "--report", str(tmp_path / "plain.html")]) == 0     # no project: no sweep to show
    assert "Choosing the number of topics" not in (tmp_path / "plain.html").read_text(encoding="utf-8")

    from core.projects.project import Project, from_dict
    from core.projects.store import ProjectStore
    from core.topics.sweep import SweepConfig, assemble_result
    from ui.topics_views import sweep_file_table

    store = ProjectStore(tmp_path / "ws")
    project = Project(store, store.find("P").id)
    record = project.sweeps()[-1]
    from core.topics.dtm import DTMBundle

    bundle = project.load_dtm(record["data_key"], DTMBundle)
    result = assemble_result(bundle, from_dict(SweepConfig, record["config"]), project.fit_cache(bundle))
    cli_columns = [c for c in pd.read_csv(out).columns if c != "worker"]    # where a fit ran: run-specific
    shown = [c for c in sweep_file_table(result, load_path(DEMO_ZH).labels).columns if c != "worker"]
    assert shown == cli_columns
    assert file_stem("Reviews 2026: 京东/评论") == "Reviews_2026_京东_评论" and file_stem("../..") == "topiclens"
