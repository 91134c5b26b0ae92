"""AppTest: the pages show a job that another process runs (the CLI) as running, never offer to
resume it, and a refused Restart keeps every stored model (issue 18)."""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from core.corpus import load_path
from core.preprocess import PreprocessSettings, data_key, tokenize
from core.projects.project import Project
from core.projects.store import ProjectStore
from core.topics.sweep import SweepConfig, cache_key, run_sweep
from fixture_paths import DEMO_ZH, ROOT

APP = str(ROOT / "app.py")
CONFIG = SweepConfig(k_min=2, k_max=6, k_step=2, engine="tomotopy", iterations=20, jobs=1)


@pytest.fixture
def other_process():
    """A live process standing in for a CLI run (its pid is what the lease names)."""
    procs = []

    def start() -> subprocess.Popen:
        procs.append(subprocess.Popen(["sleep", "300"]))
        return procs[-1]

    yield start
    for p in procs:
        p.kill()
        p.wait()


def _as_cli(project: Project, key: str, proc: subprocess.Popen, data: str) -> str:
    """A running sweep record whose lease belongs to `proc` (as `topiclens sweep --project` writes it)."""
    sweep_id = project.start_sweep(data, CONFIG, owner="cli")
    record = project.get(key.format(id=sweep_id))
    project.finish_sweep(sweep_id, "running")           # releases our keeper; the record stays running
    project.set(key.format(id=sweep_id), {**record, "process": "cli-process",
                                          "lease": {**record["lease"], "process": "cli-process", "pid": proc.pid}})
    return sweep_id


def test_topics_page_watches_a_cli_sweep_and_a_refused_restart_keeps_the_models(other_process):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    project = Project(ProjectStore(), at.session_state["project_id"])
    corpus = load_path(DEMO_ZH)
    key = data_key(corpus.fingerprint, PreprocessSettings())
    bundle = project.dtm_for(key, project.tokens_for(corpus, PreprocessSettings(),
                                                     lambda: tokenize(corpus.texts, PreprocessSettings())))
    run_sweep(bundle, SweepConfig(**{**CONFIG.to_dict(), "k_max": 2}), cache=project.fit_cache(bundle))  # 1 of 3
    cli = other_process()
    _as_cli(project, "sweep:{id}", cli, key)

    at.switch_page("pages/topics.py").run()
    assert not at.exception, at.exception
    infos = " ".join(i.value for i in at.info)
    assert "is running in the CLI" in infos and f"process {cli.pid}" in infos and "1 of 3 models" in infos
    assert not [b for b in at.button if b.key in ("topics_resume", "topics_restart")]

    cli.kill()
    cli.wait()                                          # the CLI was killed: interrupted at the next run
    at.run()
    assert any("interrupted" in w.value for w in at.warning)
    assert [b for b in at.button if b.key == "topics_restart"]

    _as_cli(project, "sweep:{id}", other_process(), "another-preprocessing")   # a CLI sweep of other settings
    at.button(key="topics_restart").click().run()
    assert not at.exception, at.exception
    assert any("A job of this project is running in the CLI" in e.value for e in at.error)
    assert cache_key(bundle, CONFIG, 2, 0) in project.fit_cache(bundle)    # the stored model is still there


def test_finetune_page_shows_a_cli_fine_tune_as_running(other_process):
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    project = Project(ProjectStore(), at.session_state["project_id"])
    cli = other_process()
    record = project.begin_finetune_run("20261203-000000-abcdef", {"started": 0.0, "source": "scratch"}, owner="cli")
    project.save_finetune_run("20261203-000000-abcdef", {**record, "process": "cli-process",
                                                         "lease": {**record["lease"], "process": "cli-process",
                                                                   "pid": cli.pid}})
    project.set_current_finetune("20261203-000000-abcdef")
    at.switch_page("pages/finetune.py").run()
    assert not at.exception, at.exception
    assert any("fine-tune is running in the CLI" in i.value for i in at.info)
    assert at.button(key="finetune_start").disabled


def test_an_unexpected_page_error_shows_no_details_and_the_frame_gives_a_reference(monkeypatch, caplog):
    """Users never see a traceback or server paths: Streamlit's own report is redacted (config), and the
    frame's boundary (app.py) shows a short message with a reference that the server log carries."""
    from ui import state

    monkeypatch.delenv("TOPICLENS_DEBUG")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk read failed at /srv/topiclens/secret/path")

    monkeypatch.setattr(state, "topics_dtm", broken)
    at.switch_page("pages/topics.py").run()       # AppTest runs the page alone: Streamlit's report
    report = at.exception[0]
    assert "redacted" in report.message and "/srv" not in report.message + " ".join(report.stack_trace)

    def page() -> None:                            # the frame's boundary, as app.py calls it
        from ui import state

        state.show_error(RuntimeError("disk read failed at /srv/topiclens/secret/path"))

    shown = AppTest.from_function(page).run()
    text = " ".join(e.value for e in shown.error)
    assert "Something went wrong (RuntimeError, reference " in text and "/srv" not in text
    reference = text.split("reference ")[1].split(")")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize("flags", [["--min-df", "5000"], ["--max-df", "0.02"], ["--min-token-len", "50"]])
def test_projects_the_cli_wrote_with_edge_values_open_on_every_page(flags, capsys):
    """Values at the edge of today's bounds, saved by the CLI, reach widgets whose bounds are the same
    declarations: every page opens without an exception."""
    from core.cli import main

    code = main(["sweep", str(DEMO_ZH), "--project", "edge", "--k", "2:3", *flags])
    capsys.readouterr()
    assert code in (0, 2)                # fitted, or refused for having no words left: the project was saved
    project_id = ProjectStore().find("edge").id
    for page in ("corpus", "terms", "topics", "finetune", "projects"):
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["project"] = project_id
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)


def test_out_of_range_cli_settings_exit_2_before_a_project_exists(capsys):
    from core.cli import main

    for flags in (["--min-token-len", "51"], ["--max-df", "0.001"], ["--min-df", "0"], ["--min-token-len", "2.5"]):
        with pytest.raises(SystemExit) as exited:           # argparse: before anything is read or created
            main(["sweep", str(DEMO_ZH), "--project", "never", "--k", "2:3", *flags])
        assert exited.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is not a number from" in err[0]
    assert ProjectStore().list() == []


def test_topics_refuses_k_and_lambda_out_of_range_before_reading_anything(capsys, monkeypatch):
    """`--k 1` used to tokenize for seconds first; now argparse refuses it at once (exit 2, one line)."""
    from core.cli import main

    def never(*_a, **_k):
        raise AssertionError("the corpus was read before the arguments were checked")

    monkeypatch.setattr("core.cli.topics.load_inputs", never)
    for flags in (["--k", "1"], ["--k", "501"], ["--k", "5", "--lambda", "1.5"]):
        with pytest.raises(SystemExit) as exited:
            main(["topics", str(DEMO_ZH), *flags])
        err = capsys.readouterr().err.strip().splitlines()
        assert exited.value.code == 2 and len(err) == 1 and "is not a number from" in err[0], err
    with pytest.raises(SystemExit):
        main(["topics", "--help"])
    assert "--lambda LAMBDA" in capsys.readouterr().out
