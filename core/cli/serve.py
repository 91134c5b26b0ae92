"""`topiclens serve [--port N] [--address A] [--workspace DIR]`: the dashboard, from the installed package.

The server itself is ui.serve (Streamlit's bootstrap, imported only when this command runs: the
engine and the other commands never load Streamlit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import InputError
from core.i18n import _

DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"   # this machine only: project addresses are secrets


def register(sub) -> None:
    p = sub.add_parser("serve", help=_("start the dashboard (the web interface) from the installed package"),
                       description=_("Start the TopicLens dashboard and print the address to open. By default "
                                     "it listens on this machine only; on a shared server give --address 0.0.0.0."))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                   help=_("port to listen on (default: {port})").format(port=DEFAULT_PORT))
    p.add_argument("--address", default=DEFAULT_ADDRESS, metavar="A",
                   help=_("address to listen on (default: {address}, this machine only; 0.0.0.0: every "
                          "interface)").format(address=DEFAULT_ADDRESS))
    p.add_argument("--workspace", type=Path, metavar="DIR",
                   help=_("folder for projects and models (default: $TOPICLENS_WORKSPACE, else ./workspace)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise InputError("--port must be between 1 and 65535 (got {port}).", port=args.port)
    workspace = args.workspace.expanduser().resolve() if args.workspace is not None else None
    if workspace is not None and workspace.exists() and not workspace.is_dir():
        raise InputError("--workspace {path} is a file, not a folder.", path=str(workspace))
    from ui.serve import serve  # Streamlit loads here, for this command only

    return serve(args.port, args.address, workspace)
