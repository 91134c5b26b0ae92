"""A whole project as one `.topiclens` file, and back.

The file is a zip: `manifest.json` (format, version, the catalogue entry, every field, and the
size and sha256 of every member) plus `files/<path>` for each file of the project folder (the
corpus bytes, arrays as .npy, tables as Parquet, JSON, model folders as saved). Importing reads
and checks *everything* before the project exists: the format and its version, members exactly
as the manifest lists them (none missing, none extra), safe names (no `..`, absolute paths or
links), sizes and compression ratios while inflating (`core.safezip`), checksums, file types from
an allow-list, `.npy` headers without object dtype, and no pickle anywhere; every field and
record (`core.projects.checks.check_fields`: ids, bounds, the one path a record may hold). The
members are unpacked into a hidden staging folder, each parsed the way it will be read
(`check_file`), and the folder becomes the project under a new id in one rename.

    data = export_project(store, project_id)                 # bytes of the .topiclens file
    done = import_project(store, data, name="Copy of …")     # a new project; InputError if refused
    done.info.id, done.notes                                 # notes: values neutralised on the way in
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import time
import zipfile
from pathlib import Path, PurePosixPath

from dataclasses import dataclass

import numpy as np

from core import __version__, settings
from core.errors import InputError, Message
from core.i18n import N_, _
from core.projects.checks import check_fields, check_file, check_project_entry, looks_like_pickle
from core.projects.store import ProjectInfo, ProjectStore
from core.safezip import MIB, Limits, SafeZip

FORMAT = "topiclens-project"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EXTENSION = ".topiclens"
# What a project folder may hold. Anything else (a pickle, code, an unknown binary) is refused.
_ALLOWED_SUFFIXES = {".json", ".npy", ".parquet", ".safetensors", ".txt", ".csv", ".model"}
_CORPUS_FILE = "corpus/upload.bin"
_MAX_DEPTH = 8            # deepest this release writes: finetune/<run>/model/<file> (4)
_MAX_NAME = 400           # characters of a member's relative name
STAGING_PREFIX = ".import-"


@dataclass(frozen=True)
class ImportResult:
    info: ProjectInfo
    notes: tuple[Message, ...] = ()     # what was neutralised on the way in, for the user


def _derived(rel: str) -> bool:
    """A file made from others on request (a model's download zip): never exported, skipped on import."""
    path = PurePosixPath(rel)
    return path.suffix.lower() == ".zip" and len(path.parts) == 3 and path.parts[0] == "finetune"


def _project_limits() -> Limits:
    return Limits.from_env(max_total_bytes=int(settings.get("TOPICLENS_MAX_PROJECT_MB") * MIB))


def _project_files(folder: Path) -> list[str]:
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # temp and deleted folders stay out
        for f in sorted(files):
            if f.startswith("."):
                continue
            path = Path(root) / f
            if path.is_symlink() or not path.is_file() or _derived(path.relative_to(folder).as_posix()):
                continue
            out.append(path.relative_to(folder).as_posix())
    return out


def export_project(store: ProjectStore, project_id: str) -> bytes:
    info = store.require(project_id)
    folder = store.project_dir(project_id)
    members = {}
    buf = io.BytesIO()
    # Level 1: arrays of floats barely compress at any level, and export should take seconds, not tens.
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for rel in _project_files(folder):
            data = (folder / rel).read_bytes()
            members[rel] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            zf.writestr(f"files/{rel}", data)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__,
            "exported_at": time.time(),
            "project": {"name": info.name, "created": info.created, "modified": info.modified,
                        "corpus_name": info.corpus_name, "n_docs": info.n_docs, "kind": info.kind},
            "fields": store.fields(project_id), "members": members,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, allow_nan=True))
    return buf.getvalue()


def _read_manifest(zf: SafeZip) -> dict:
    if MANIFEST not in zf.names():
        raise InputError("Not a usable TopicLens project file: it has no manifest.json (is it a .topiclens file?).")
    try:
        manifest = json.loads(zf.read(MANIFEST, max_bytes=64 * MIB).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("Not a usable TopicLens project file: its manifest is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError("Not a usable TopicLens project file: its manifest does not describe a TopicLens project.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise InputError("Not a usable TopicLens project file: format version {version!r} is not one this "
                         "TopicLens reads (1 to {newest}); a newer TopicLens may open it.",
                         version=version, newest=FORMAT_VERSION)
    if not isinstance(manifest.get("members"), dict) or not isinstance(manifest.get("fields"), dict):
        raise InputError("Not a usable TopicLens project file: its manifest lacks the member list or the fields.")
    if not isinstance(manifest.get("project"), dict):
        raise InputError("Not a usable TopicLens project file: its manifest lacks the project entry.")
    return manifest


def _check_member_name(rel: str) -> None:
    if not isinstance(rel, str) or len(rel) > _MAX_NAME or rel.count("/") >= _MAX_DEPTH:
        shown = rel if isinstance(rel, str) and len(rel) <= 120 else f"{str(rel)[:60]}…"
        raise InputError("Not a usable TopicLens project file: member {member!r} has an unsafe name.", member=shown)
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or rel != path.as_posix() or any(p.startswith(".") for p in path.parts):
        raise InputError("Not a usable TopicLens project file: member {member!r} has an unsafe name.", member=rel)
    if _derived(rel):
        return
    if rel != _CORPUS_FILE and path.suffix.lower() not in _ALLOWED_SUFFIXES:
        if path.suffix:
            raise InputError("Not a usable TopicLens project file: member {member!r} is of a type a project never "
                             "holds ({suffix}).", member=rel, suffix=path.suffix)
        raise InputError("Not a usable TopicLens project file: member {member!r} is of a type a project never "
                         "holds (no extension).", member=rel)


def _check_content(rel: str, head: bytes) -> None:
    if rel == _CORPUS_FILE or _derived(rel):
        return  # the user's own upload: stored as bytes and only ever parsed as data
    if looks_like_pickle(head):
        raise InputError("Not a usable TopicLens project file: member {member!r} is a Python pickle; projects never "
                         "contain pickles.", member=rel)
    if rel.endswith(".npy"):
        try:
            bio = io.BytesIO(head)
            version = np.lib.format.read_magic(bio)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            header = read(bio, max_header_size=10_000)
        except Exception:  # noqa: BLE001 - any malformed header is a refusal, never a crash
            raise InputError("Not a usable TopicLens project file: member {member!r} is not a valid .npy array.",
                             member=rel) from None
        if header[2].hasobject:
            raise InputError("Not a usable TopicLens project file: member {member!r} holds Python objects "
                             "(pickle); projects never contain pickles.", member=rel)


def validate_archive(zf: SafeZip) -> dict:
    """Every check of the module docstring; returns the manifest. Reads, never writes."""
    manifest = _read_manifest(zf)
    listed = manifest["members"]
    for rel, meta in listed.items():
        _check_member_name(rel)
        if not isinstance(meta, dict) or not isinstance(meta.get("size"), int) or not isinstance(meta.get("sha256"), str):
            raise InputError("Not a usable TopicLens project file: the manifest entry of {member!r} is malformed.",
                             member=rel)
    present = set(zf.names()) - {MANIFEST}
    expected = {f"files/{rel}" for rel in listed}
    if missing := sorted(expected - present):
        raise InputError("Not a usable TopicLens project file: {n} member(s) listed in the manifest are missing, "
                         "e.g. {member!r}.", n=len(missing), member=missing[0][6:])
    if extra := sorted(present - expected):
        raise InputError("Not a usable TopicLens project file: it holds {n} member(s) the manifest does not list, "
                         "e.g. {member!r}.", n=len(extra), member=extra[0])
    for rel, meta in listed.items():
        digest, size, head = hashlib.sha256(), 0, b""
        for chunk in zf.iter_chunks(f"files/{rel}"):
            if len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            digest.update(chunk)
            size += len(chunk)
        _check_content(rel, head)
        if size != meta["size"] or digest.hexdigest() != meta["sha256"]:
            raise InputError("Not a usable TopicLens project file: member {member!r} does not match its checksum "
                             "(damaged or altered).", member=rel)
    return manifest


def import_project(store: ProjectStore, source: bytes | str | Path, name: str | None = None) -> ImportResult:
    """Validate a .topiclens file completely, then add it as a new project (never over an old one)."""
    with SafeZip(source, _project_limits(), what=N_("The project file")) as zf:
        manifest = validate_archive(zf)
        entry = check_project_entry(manifest["project"])
        kept = [rel for rel in manifest["members"] if not _derived(rel)]
        fields, notes = check_fields(manifest["fields"], set(kept))
        staging = store.projects_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
        zf.extract({f"files/{rel}": rel for rel in kept}, staging)
    info = None
    try:
        for rel in kept:
            if rel != _CORPUS_FILE:
                check_file(staging / rel, rel)
        info = store.create(name or entry["name"] or _("Imported project"), kind="user")
        target = store.project_dir(info.id)
        target.rmdir()                      # create() made it empty; the unpacked folder takes its place
        os.rename(staging, target)
        store.replace_fields(info.id, fields)
        store.update(info.id, corpus_name=entry["corpus_name"], n_docs=entry["n_docs"])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if info is not None:
            store.delete(info.id)
        raise
    return ImportResult(store.require(info.id), tuple(notes))


def export_filename(info: ProjectInfo) -> str:
    safe = "".join(c if c.isalnum() or c in "-_ " else "_" for c in info.name).strip() or "project"
    return f"{safe[:60]}{EXTENSION}"
