"""AppTest of projects: an analysis comes back in a fresh session on the same address; the
Projects page opens, renames, duplicates, deletes, exports and imports; listing is private."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from core.projects.project import Project
from core.projects.store import ProjectStore
from fixture_paths import DEMO_EN, ROOT

APP = str(ROOT / "app.py")


def run_app(project: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if project:
        at.query_params["project"] = project
    at.run()
    assert not at.exception, at.exception
    return at


def pid(at: AppTest) -> str:
    value = at.query_params["project"]
    return value[0] if isinstance(value, list) else value


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def picker(at: AppTest):
    found = [s for s in at.selectbox if s.label.startswith("Number of topics k")]
    return found[0] if found else None


def sweep_to_the_end(at: AppTest, timeout: float = 120) -> AppTest:
    for key, value in {"topics_k_min": 3, "topics_k_max": 4, "topics_k_step": 1, "topics_iterations": 20}.items():
        at.number_input(key=key).set_value(value)
    [b for b in at.button if b.label == "Start sweep"][0].click().run()
    deadline = time.time() + timeout
    while picker(at) is None:
        assert time.time() < deadline, "the sweep did not finish"
        time.sleep(0.5)
        at.run()
        assert not at.exception, at.exception
    return at


def test_upload_sweep_label_then_a_fresh_session_on_the_same_address_has_it_all():
    at = run_app()
    demo_project = pid(at)
    at.file_uploader(key="corpus_upload").set_value(("ag.csv", DEMO_EN.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    project = pid(at)
    assert project == demo_project      # an untouched demo project takes the upload over
    at.checkbox(key="corpus_drop_dups").check().run()   # a read option, saved with the corpus
    goto(at, "topics")
    sweep_to_the_end(at)
    picker(at).set_value(4).run()
    at.slider(key="topics_lambda").set_value(0.35).run()
    prefix = "topics_label_editor_"
    (model_key,) = [k[len(prefix):] for k in at.session_state.keys() if k.startswith(prefix)]
    Project(ProjectStore(), project).set_labels(model_key, {1: "Markets"})

    fresh = run_app(project)    # a reload, a new tab or a restarted server: a new session on this address
    assert fresh.session_state["corpus"].name == "ag.csv"
    assert fresh.session_state["corpus"].options.drop_duplicates
    goto(fresh, "topics")
    assert picker(fresh).value == 4 and sorted(picker(fresh).options) == ["3", "4"]
    assert fresh.slider(key="topics_lambda").value == 0.35
    editor = [d for d in fresh.dataframe if list(d.value.columns) == ["topic", "label", "share", "top words"]][0]
    assert editor.value.label.tolist()[1] == "Markets"
    assert any("2 models" in c.value for c in fresh.caption)


def test_projects_page_rename_duplicate_delete_export_import():
    at = goto(run_app(), "projects")
    first = pid(at)
    at.text_input(key=f"projects_name_{first}").set_value("Budget study")
    click(at, "projects_rename")
    assert ProjectStore().get(first).name == "Budget study"
    assert any("Budget study" in s.value for s in at.subheader)

    click(at, "projects_duplicate")
    copy = pid(at)
    assert copy != first and ProjectStore().get(copy).name == "Budget study (copy)"
    names = at.dataframe[0].value["name"].tolist()
    assert sorted(names) == ["Budget study", "Budget study (copy)"]

    assert [d for d in at.get("download_button") if "Export" in str(d.proto.label)], "no export button"
    from core.projects.archive import export_project

    data = export_project(ProjectStore(), copy)
    at.file_uploader(key="projects_import_file_0").set_value(("budget.topiclens", data, "application/zip"))
    at.text_input(key="projects_import_name_0").set_value("Imported budget")
    at.run()
    click(at, "projects_import")
    imported = pid(at)
    assert ProjectStore().get(imported).name == "Imported budget"
    assert any("Imported and opened" in s.value for s in at.success)
    assert at.file_uploader(key="projects_import_file_1").value is None       # the form is empty again
    assert ProjectStore().fields(imported) == ProjectStore().fields(copy)

    assert at.button(key="projects_delete").disabled                    # deleting needs the confirmation
    at.checkbox(key=f"projects_sure_{imported}").check().run()
    click(at, "projects_delete")
    assert ProjectStore().get(imported) is None
    assert pid(at) != imported and any("Deleted" in s.value for s in at.success)


def test_a_refused_import_says_why_and_keeps_the_open_project():
    at = goto(run_app(), "projects")
    before = pid(at)
    at.file_uploader(key="projects_import_file_0").set_value(("evil.topiclens", b"PK\x03\x04not really",
                                                             "application/zip"))
    at.run()
    click(at, "projects_import")
    assert at.error and pid(at) == before and len(ProjectStore().list()) == 1


def test_listing_is_private_by_default_and_complete_on_request(monkeypatch):
    alice = goto(run_app(), "projects")
    bob = goto(run_app(), "projects")
    for at, other in ((alice, bob), (bob, alice)):
        at.run()
        names = at.dataframe[0].value
        picker_options = [s for s in at.selectbox if s.label == "Project"][0].options
        assert len(names) == 1 and pid(other) not in str(picker_options)
    monkeypatch.setenv("TOPICLENS_LIST_ALL_PROJECTS", "1")
    alice.run()
    assert len(alice.dataframe[0].value) == 2


@pytest.mark.parametrize("address", ["AAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd"])
def test_a_wrong_address_says_so_and_never_swaps_in_the_demo(address):
    at = run_app(address)
    assert any("project was not found" in e.value for e in at.error)
    assert "corpus" not in at.session_state and len(ProjectStore().list()) == 0


def test_a_project_whose_corpus_file_was_damaged_opens_with_a_message():
    at = run_app()
    project = Project(ProjectStore(), pid(at))
    (project.dir / "corpus" / "upload.bin").write_bytes(b"garbage")
    again = run_app(project.id)
    assert any("could not be read back" in e.value and "checksum" in e.value for e in again.error)
    goto(again, "projects")
    assert any(project.info.name in s.value for s in again.subheader)   # still open, can be exported or deleted


def test_read_options_of_a_reopened_project_reread_its_stored_bytes():
    first = run_app()
    first.file_uploader(key="corpus_upload").set_value(("ag.csv", DEMO_EN.read_bytes(), "text/csv"))
    first.run()
    project = pid(first)
    at = run_app(project)                                   # reopened: nothing in the uploader
    assert at.session_state["corpus"].delimiter == ","
    # (tab: the texts hold semicolons, and rows with more fields than the header are refused)
    at.selectbox(key="corpus_delimiter").set_value("tab").run()
    assert not at.exception
    assert at.session_state["corpus"].delimiter == "\t"      # re-read from the project's bytes
    assert Project(ProjectStore(), project).corpus_source()[2].delimiter == "\t"


def test_a_loopback_server_lists_every_project_even_one_made_by_the_cli(monkeypatch):
    from streamlit import config

    made = ProjectStore().create("overnight sweep (CLI)")
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        at = goto(run_app(), "projects")
    finally:
        config.set_option("server.address", before)
    config.set_option("server.address", "127.0.0.1")
    assert "overnight sweep (CLI)" in at.dataframe[0].value["name"].tolist()
    assert any("this server listens on this machine only" in c.value for c in at.caption)
    try:
        monkeypatch.setenv("TOPICLENS_LIST_ALL_PROJECTS", "0")         # the administrator's word wins
        at.run()
    finally:
        config.set_option("server.address", before)
    assert made.name not in at.dataframe[0].value["name"].tolist()


def test_a_browser_is_remembered_by_its_cookie_and_another_browser_is_not(monkeypatch):
    from ui import browser

    cookies = {"value": None}
    monkeypatch.setattr(browser, "_cookie", lambda: cookies["value"])
    first = run_app()
    token = first.session_state["_browser_token"]
    assert len(token) == 32 and any(COOKIE_SCRIPT + token in h.proto.body for h in first.get("html"))
    cookies["value"] = token                         # the reload sends the cookie the page set
    again = run_app()
    assert not any(COOKIE_SCRIPT in h.proto.body for h in again.get("html"))   # set once, then sent back
    goto(again, "projects")
    assert len(again.dataframe[0].value) == 2        # its first project (another session) is listed
    listed = {p.id for p in ProjectStore().list(ids=ProjectStore().remembered(browser.hashlib.sha256(
        token.encode()).hexdigest()))}
    assert pid(first) in listed and pid(again) in listed
    cookies["value"] = None                          # another browser: a token of its own, none of these
    stranger = goto(run_app(), "projects")
    assert len(stranger.dataframe[0].value) == 1 and stranger.session_state["_browser_token"] != token


COOKIE_SCRIPT = "document.cookie = 'topiclens_browser="
