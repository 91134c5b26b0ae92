"""The Streamlit internals TopicLens relies on, checked on the installed Streamlit (pyproject holds it
to the 1.67 series; this fails first when an upgrade moves them):

- ui/session_gc.py: Runtime._session_mgr._session_storage._cache.expire() under _storage_lock,
  Runtime.is_active_session, runtime.exists/get_instance, get_script_run_ctx(suppress_warning=);
- ui/state.py: PagesManager.uses_pages_directory (the frame on a deep link);
- ui/serve.py: config._main_script_path, bootstrap.load_config_options(flag_options=), bootstrap.run's
  signature, and the options of the shipped .streamlit/config.toml.

Each check runs in a fresh interpreter: creating a Runtime and loading config options are global.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
from importlib.metadata import version

from fixture_paths import ROOT


def _run(code: str, cwd=ROOT) -> dict:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=cwd,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_streamlit_is_the_pinned_minor_series():
    major, minor = version("streamlit").split(".")[:2]
    assert (major, minor) == ("1", "67")


def test_session_clean_up_internals_exist_on_a_real_runtime():
    found = _run("""
        import json
        from core import resources
        from streamlit import runtime
        from streamlit.web.server import Server

        Server(str(resources.app_script()), False)      # builds the Runtime as `streamlit run` does
        rt = runtime.get_instance()
        mgr = rt._session_mgr
        expire = mgr._session_storage._cache.expire
        with mgr._storage_lock:
            expired = expire()
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from ui import session_gc
        print(json.dumps({"exists": runtime.exists(), "expired": list(expired),
                          "active": rt.is_active_session("no-such-session"),
                          "ctx": get_script_run_ctx(suppress_warning=True) is None,
                          "reaped": session_gc.reap_expired_sessions()}))
    """)
    assert found == {"exists": True, "expired": [], "active": False, "ctx": True, "reaped": 0}


def test_pages_manager_still_has_the_legacy_pages_switch():
    from streamlit.runtime.pages_manager import PagesManager

    assert "uses_pages_directory" in vars(PagesManager)


def test_bootstrap_entry_points_keep_their_signatures():
    from streamlit import config
    from streamlit.web import bootstrap

    assert hasattr(config, "_main_script_path")
    assert "_main_script_path" in inspect.getsource(config.get_config_files)
    assert list(inspect.signature(bootstrap.load_config_options).parameters) == ["flag_options"]
    assert list(inspect.signature(bootstrap.run).parameters)[:4] == ["main_script_path", "is_hello", "args",
                                                                    "flag_options"]


def test_serve_applies_the_shipped_config_whatever_the_current_folder(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text(
        '[server]\nmaxUploadSize = 7\nheadless = false\nfileWatcherType = "auto"\n[client]\ntoolbarMode = "auto"\n',
        encoding="utf-8")
    found = _run("""
        import json
        from streamlit import config
        from streamlit.web import bootstrap
        from core import resources
        from ui import serve

        config._main_script_path = str(resources.app_script())
        bootstrap.load_config_options(flag_options=serve.flag_options(8765, "127.0.0.1", environ={}))
        shipped = serve.shipped_options()
        print(json.dumps({"shipped": shipped, "now": {k: config.get_option(k) for k in shipped},
                          "port": config.get_option("server.port"), "address": config.get_option("server.address")}))
    """, cwd=tmp_path)
    assert found["now"] == found["shipped"]
    assert found["shipped"] == {
        "server.maxUploadSize": 500, "server.headless": True, "server.fileWatcherType": "none",
        "browser.gatherUsageStats": False, "client.toolbarMode": "minimal", "client.showErrorDetails": "none",
        "global.disableWidgetStateDuplicationWarning": True}
    assert (found["port"], found["address"]) == (8765, "127.0.0.1")


def test_an_administrators_streamlit_variable_still_wins():
    from ui import serve

    assert serve.env_var("server.maxUploadSize") == "STREAMLIT_SERVER_MAX_UPLOAD_SIZE"
    assert serve.env_var("global.disableWidgetStateDuplicationWarning") == \
        "STREAMLIT_GLOBAL_DISABLE_WIDGET_STATE_DUPLICATION_WARNING"
    flags = serve.flag_options(8501, "0.0.0.0", environ={"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "50"})
    assert "server_maxUploadSize" not in flags and flags["server_headless"] is True
    assert (flags["server_port"], flags["server_address"]) == (8501, "0.0.0.0")


def test_serve_help_and_bad_port(capsys):
    from core.cli import main

    assert main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == "error: --port must be between 1 and 65535 (got 0).\n"
