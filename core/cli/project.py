"""`topiclens project list|show|export|import|delete`: the projects of the workspace, headless.

The workspace is $TOPICLENS_WORKSPACE (default ./workspace), the same one the dashboard uses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from core import settings
from core.errors import InputError
from core.i18n import _, format_datetime, format_int, format_number, ngettext, translate_error


def register(sub) -> None:
    p = sub.add_parser("project", help=_("list, show, export, import or delete projects"),
                       description=_("Projects of the workspace ($TOPICLENS_WORKSPACE, default ./workspace). "
                                     "NAME is a project's name or id."))
    verbs = p.add_subparsers(dest="verb", required=True, parser_class=type(p))  # errors: one line, exit 2
    v = verbs.add_parser("list", help=_("one line per project"))
    v.add_argument("--json", action="store_true", help=_("JSON instead of a table"))
    v = verbs.add_parser("show", help=_("what a project holds"))
    v.add_argument("name", metavar="NAME")
    v = verbs.add_parser("export", help=_("write a project as one .topiclens file"))
    v.add_argument("name", metavar="NAME")
    v.add_argument("--out", required=True, help=_("the .topiclens file to write"))
    v = verbs.add_parser("import", help=_("add a .topiclens file as a new project (validated first)"))
    v.add_argument("file", metavar="FILE")
    v.add_argument("--name", help=_("name of the new project (default: the exported name)"))
    v = verbs.add_parser("delete", help=_("delete a project and everything in it"))
    v.add_argument("name", metavar="NAME")
    p.set_defaults(func=run)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _megabytes(n_bytes: int) -> str:
    return _("{size} MB").format(size=format_number(n_bytes / 1e6, 1))


def _k_range(config: dict) -> str:
    # a value of `project show`'s JSON (machine-read), not a sentence
    return f"{config['k_min']}..{config['k_max']} step {config['k_step']}"  # i18n: skip (JSON value, stable format)


def dashboard_address(project_id: str) -> str:
    """The project's address in the dashboard (the base from $TOPICLENS_DASHBOARD_URL, else `make run`'s)."""
    base = settings.get("TOPICLENS_DASHBOARD_URL")
    return f"{base}/?project={project_id}"  # i18n: skip (an address)


def _running(record: dict) -> dict:
    """Who runs a live job, for `project show` (machine-read keys)."""
    if record.get("status") != "running":
        return {}
    lease = record.get("lease") or {}
    return {"running_in": {"owner": lease.get("owner"), "pid": lease.get("pid"), "host": lease.get("host"),
                           "started": _when(lease.get("started") or 0),
                           "heartbeat": _when(lease.get("heartbeat") or 0)}}


def _summary(store, info) -> dict:
    from core.projects.project import Project, from_dict
    from core.topics.sweep import SweepConfig

    project = Project(store, info.id)
    sweeps = project.sweeps()
    labels = {k: v for k, v in store.fields(info.id).items() if k.startswith("labels:") and v}
    return {
        "id": info.id, "name": info.name, "address": dashboard_address(info.id), "corpus": info.corpus_name,
        "documents": info.n_docs, "created": _when(info.created), "modified": _when(info.modified),
        "size_bytes": store.size_on_disk(info.id),
        "sweeps": [{"k": _k_range(s["config"]), "engine": s["config"]["engine"], "status": s["status"],
                    "models": s.get("n_models"), "models_planned": len(from_dict(SweepConfig, s["config"]).ks)
                    * int(s["config"].get("seeds", 1)), **_running(s)}
                   for s in sweeps],
        "labelled_models": len(labels),
        "finetune_runs": [{"id": r["id"], "status": r.get("status"), "source": r.get("source"),
                           "accuracy": (r.get("result") or {}).get("metrics", {}).get("accuracy"), **_running(r)}
                          for r in project.finetune_runs()],
    }


def run(args: argparse.Namespace) -> int:
    from core.export import check_output
    from core.projects.archive import export_project, import_project
    from core.projects.store import ProjectStore, atomic_write_bytes

    store = ProjectStore()
    if args.verb == "list":
        projects = store.list()
        rows = [{"id": p.id, "name": p.name, "corpus": p.corpus_name, "documents": p.n_docs,
                 "modified": _when(p.modified), "size_bytes": store.size_on_disk(p.id),
                 "address": dashboard_address(p.id)} for p in projects]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        elif not rows:
            print(_("no projects yet"), file=sys.stderr)
        else:
            for p, r in zip(projects, rows):
                docs = ngettext("{n} document", "{n} documents", r["documents"] or 0).format(
                    n=format_int(r["documents"] or 0))
                print("  ·  ".join([f"{r['id']}  {r['name']}", r["corpus"] or _("no corpus"), docs,
                                    format_datetime(p.modified), _megabytes(r["size_bytes"]), r["address"]]))
    elif args.verb == "show":
        print(json.dumps(_summary(store, store.find(args.name)), ensure_ascii=False, indent=2))
    elif args.verb == "export":
        info = store.find(args.name)
        out = Path(args.out)
        if out.is_dir():
            raise InputError("{path} is a folder: give a file name ending in .topiclens.", path=str(out))
        check_output(str(out))   # before the export is built
        data = export_project(store, info.id)
        atomic_write_bytes(out, data)
        print(_("wrote {path} ({size})").format(path=out, size=_megabytes(len(data))), file=sys.stderr)
    elif args.verb == "import":
        done = import_project(store, Path(args.file), name=args.name)
        info = done.info
        print(_("imported as {name!r} (id {id})").format(name=info.name, id=info.id), file=sys.stderr)
        for note in done.notes:
            print(_("note: {note}").format(note=translate_error(note)), file=sys.stderr)
        print(info.id)
    elif args.verb == "delete":
        info = store.find(args.name)
        store.delete(info.id)
        print(_("deleted {name!r}").format(name=info.name), file=sys.stderr)
    return 0
