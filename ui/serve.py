"""`topiclens serve`: the dashboard from the installed package, through Streamlit's own bootstrap.

What `streamlit run app.py` does (streamlit/web/cli.py `_main_run`, Streamlit 1.67), in this
process, with the frame found by core.resources (the wheel's topiclens_app/app.py, or the
checkout's app.py in an editable install) and the settings of the shipped .streamlit/config.toml
passed as flags, so they hold whatever folder the server starts in. A STREAMLIT_* environment
variable still overrides a shipped setting (an administrator's choice); --port and --address
always win.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from pathlib import Path
from typing import Any

from core import resources
from core.cli.serve import DEFAULT_ADDRESS, DEFAULT_PORT
from core.i18n import _


def shipped_options() -> dict[str, Any]:
    """The shipped .streamlit/config.toml as {"server.headless": True, ...}."""
    with resources.streamlit_config().open("rb") as fh:
        data = tomllib.load(fh)
    return {f"{section}.{key}": value for section, table in data.items() for key, value in table.items()}


def env_var(option: str) -> str:
    """Streamlit's environment variable for an option: server.maxUploadSize -> STREAMLIT_SERVER_MAX_UPLOAD_SIZE."""
    name = option.replace(".", "_")
    return "STREAMLIT_" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def flag_options(port: int, address: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """What `streamlit run` would get as --section.option flags (keys with '_' for '.', as its CLI passes them)."""
    env = os.environ if environ is None else environ
    options = {k: v for k, v in shipped_options().items() if env_var(k) not in env}
    options.update({"server.port": int(port), "server.address": address})
    return {key.replace(".", "_"): value for key, value in options.items()}


def url(address: str, port: int) -> str:
    """The address to open: this machine's name when the server listens on every interface."""
    host = socket.gethostname() if address in ("0.0.0.0", "::", "") else address
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/"


def serve(port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS, workspace: Path | None = None) -> int:
    """Start the dashboard and block until it stops (Ctrl+C); returns the exit status."""
    from streamlit import config as st_config
    from streamlit.web import bootstrap

    if workspace is not None:   # the app reads it through core.settings, in this process
        os.environ["TOPICLENS_WORKSPACE"] = str(workspace)
    script = str(resources.app_script())
    flags = flag_options(port, address)
    # As `streamlit run` does: the main script's path first (it also locates script-level config), then the options.
    st_config._main_script_path = script
    bootstrap.load_config_options(flag_options=flags)
    from core.workspace import workspace_root

    print(_("TopicLens: open {url} (workspace {workspace}; Ctrl+C stops the server)").format(
        url=url(address, port), workspace=workspace_root()), flush=True)
    bootstrap.run(script, False, [], flags)
    return 0
