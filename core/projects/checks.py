"""What an imported project may hold: each file parsed the way it will be read, each field checked.

A `.topiclens` file is untrusted input. `core.projects.archive` checks the zip itself (names,
sizes, checksums); this module checks what is inside:

    check_file(path, rel)                 # InputError unless the file is what its name says
    fields, notes = check_fields(fields, files)   # every record valid; notes say what was neutralised

Files are checked by content, never by extension alone: JSON parses, text is UTF-8 and not a
pickle opcode stream (protocol 0 and 1 pickles have no magic number), `.npy` headers hold plain
dtypes and match the file's size, safetensors headers are JSON whose offsets lie inside the
file, Parquet files have a readable footer.

Fields are checked by kind (`corpus`, `preprocess`, `widget:*`, `sweep:*`, `labels:*`,
`finetune:*`, `finetune_run`). A record that cannot be read safely refuses the import with one
line; a value that is only out of today's bounds (a widget) is clamped with a note; a fine-tune
model that would live outside the project is dropped from its record with a note. Nothing in a
field can make the engine read or write outside the project folder: ids are plain names, and the
only path a record may carry is `finetune/<run id>/model`, relative, whose files came with it.
"""

from __future__ import annotations

import io
import json
import math
import pickletools
import re
import struct
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from core.corpus import LoadOptions
from core.errors import InputError, Message
from core.i18n import N_
from core.params import clamp_widget, is_persisted_widget
from core.preprocess import PreprocessSettings

# Ids of sweeps and fine-tune runs: what this release writes ("20261203-201455-a1b2c3"), and never
# a path ("..", "/", a leading dot).
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MAX_TEXT_FIELD = 10_000            # characters of one stored name, label or error
MAX_JSON_BYTES = 64 << 20
_PICKLE_MAGIC = tuple(bytes([0x80, p]) for p in range(2, 6))
_SAFETENSORS_DTYPES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2,
                       "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}
_STATUSES = {"running", "done", "cancelled", "failed", "interrupted"}


def _refuse(template: str, **values: Any) -> InputError:
    return InputError("Not a usable TopicLens project file: {detail}", detail=Message(template, **values))


# ------------------------------------------------------------------------------------------- files


def looks_like_pickle(data: bytes) -> bool:
    """True when `data` is a complete pickle opcode stream (any protocol, with or without magic).

    `pickletools.genops` only parses opcodes (nothing is executed); ordinary text fails to parse
    within a few bytes, a pickle parses to its STOP opcode."""
    if data.startswith(_PICKLE_MAGIC):
        return True
    try:
        for opcode, _arg, _pos in pickletools.genops(io.BytesIO(data)):
            if opcode.name == "STOP":
                return True
    except Exception:  # noqa: BLE001 - not a pickle stream: any parse error says so
        return False
    return False


def _check_json(path: Path, rel: str) -> None:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise _refuse(N_("member {member!r} is too large for a JSON file."), member=rel)
    try:
        json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse(N_("member {member!r} is not valid JSON."), member=rel) from None


def _check_text(path: Path, rel: str) -> None:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(N_("member {member!r} is not UTF-8 text."), member=rel) from None
    if looks_like_pickle(data):
        raise _refuse(N_("member {member!r} is a Python pickle; projects never contain pickles."), member=rel)


def _check_npy(path: Path, rel: str) -> None:
    try:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _fortran, dtype = read(fh, max_header_size=10_000)
            offset = fh.tell()
    except Exception:  # noqa: BLE001 - any malformed header is a refusal, never a crash
        raise _refuse(N_("member {member!r} is not a valid .npy array."), member=rel) from None
    if dtype.hasobject:
        raise _refuse(N_("member {member!r} holds Python objects (pickle); projects never contain pickles."),
                      member=rel)
    expected = offset + math.prod(int(n) for n in shape) * dtype.itemsize
    if expected != path.stat().st_size:
        raise _refuse(N_("member {member!r} is a .npy array whose header does not match its size."), member=rel)


def _check_safetensors(path: Path, rel: str) -> None:
    size = path.stat().st_size
    bad = _refuse(N_("member {member!r} is not a valid safetensors file."), member=rel)
    with open(path, "rb") as fh:
        raw = fh.read(8)
        if len(raw) < 8:
            raise bad
        (n,) = struct.unpack("<Q", raw)
        if n > min(size - 8, 100 << 20):
            raise bad
        try:
            header = json.loads(fh.read(n).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise bad from None
    data_size = size - 8 - n
    if not isinstance(header, dict):
        raise bad
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            begin, end = (int(x) for x in entry["data_offsets"])
            width = _SAFETENSORS_DTYPES[entry["dtype"]]
            count = math.prod(int(d) for d in entry["shape"])
        except (KeyError, TypeError, ValueError):
            raise bad from None
        if not 0 <= begin <= end <= data_size or end - begin != count * width:
            raise bad


def _check_parquet(path: Path, rel: str) -> None:
    import pyarrow.parquet as pq

    with open(path, "rb") as fh:
        if fh.read(4) != b"PAR1":
            raise _refuse(N_("member {member!r} is not a Parquet file."), member=rel)
    try:
        pq.read_metadata(path)
    except Exception:  # noqa: BLE001 - pyarrow raises several types for a damaged footer
        raise _refuse(N_("member {member!r} is not a Parquet file."), member=rel) from None


def _check_sentencepiece(path: Path, rel: str) -> None:
    # A SentencePiece ModelProto starts with its field 1 (`pieces`, length-delimited): byte 0x0A.
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.startswith(b"\x0a") or looks_like_pickle(path.read_bytes()):
        raise _refuse(N_("member {member!r} is not a SentencePiece model."), member=rel)


_CHECKS = {".json": _check_json, ".txt": _check_text, ".csv": _check_text, ".npy": _check_npy,
           ".safetensors": _check_safetensors, ".parquet": _check_parquet, ".model": _check_sentencepiece}


def check_file(path: Path, rel: str) -> None:
    """InputError unless the unpacked member `rel` at `path` parses as its type says."""
    check = _CHECKS.get(PurePosixPath(rel).suffix.lower())
    if check is None:
        raise _refuse(N_("member {member!r} is of a type a project never holds."), member=rel)
    check(path, rel)


# ------------------------------------------------------------------------------------------ fields


def _text(value: Any, what: str, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT_FIELD:
        raise _refuse(N_("{what} is not a short text."), what=what)
    return value


def _number(value: Any, what: str, lo: float, hi: float, integer: bool = False) -> float | int:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or not math.isfinite(value) or not lo <= value <= hi:
        raise _refuse(N_("{what} is not a number between {lo} and {hi}."), what=what, lo=lo, hi=hi)
    return value


def check_project_entry(entry: Any) -> dict:
    """The manifest's catalogue entry: a name, a corpus name and a document count."""
    if not isinstance(entry, dict):
        raise _refuse(N_("its manifest lacks the project entry."))
    return {"name": _text(entry.get("name") or "", "project.name"),
            "corpus_name": _text(entry.get("corpus_name") or "", "project.corpus_name"),
            "n_docs": _number(entry.get("n_docs", 0), "project.n_docs", 0, 10**10, integer=True)}


def _settings(cls, values: Any, what: str):
    if not isinstance(values, dict):
        raise _refuse(N_("{what} is not a record."), what=what)
    from core.projects.project import from_dict

    try:
        return from_dict(cls, values).validate()
    except InputError as exc:
        raise _refuse(N_("{what} is invalid: {error}"), what=what, error=Message(exc.msgid, **exc.params)) from None
    except (TypeError, ValueError):
        raise _refuse(N_("{what} is invalid."), what=what) from None


def _check_corpus(value: Any, files: set[str]) -> dict:
    from core.projects.project import CORPUS_FILE

    if not isinstance(value, dict) or CORPUS_FILE not in files:
        raise _refuse(N_("its corpus record has no corpus file."))
    _text(value.get("name"), "corpus.name")
    if not isinstance(value.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", value["sha256"]):
        raise _refuse(N_("{what} is invalid."), what="corpus.sha256")
    _number(value.get("size", 0), "corpus.size", 0, 2**53, integer=True)
    _settings(LoadOptions, value.get("options") or {}, "corpus.options")
    return value


def _check_sweep(sweep_id: str, record: Any) -> dict:
    from core.topics.sweep import SweepConfig

    what = f"sweep:{sweep_id}"
    if not isinstance(record, dict) or record.get("id") != sweep_id:
        raise _refuse(N_("{what} is not a record of that id."), what=what)
    _settings(SweepConfig, record.get("config"), f"{what}.config")
    if record.get("status") not in _STATUSES:
        raise _refuse(N_("{what} is invalid."), what=f"{what}.status")
    _text(record.get("data_key"), f"{what}.data_key")
    _number(record.get("started"), f"{what}.started", 0, 2**40)
    for key in ("finished", "wall_seconds"):
        if record.get(key) is not None:
            _number(record[key], f"{what}.{key}", 0, 2**40)
    for key in ("n_models", "n_fitted"):
        if record.get(key) is not None:
            _number(record[key], f"{what}.{key}", 0, 10**6, integer=True)
    _text(record.get("error"), f"{what}.error", allow_none=True)
    return _not_running(record)


def _not_running(record: dict) -> dict:
    """A job cannot run on in an imported copy: a record exported while running arrives interrupted,
    without the lease of a process on another machine (its finished fits came with it)."""
    if record.get("status") != "running":
        return record
    return {k: v for k, v in record.items() if k not in ("lease", "process", "job_id")} | {"status": "interrupted"}


def _check_labels(key: str, value: Any) -> dict:
    if not isinstance(value, dict) or len(value) > 10_000:
        raise _refuse(N_("{what} is not a record."), what=key)
    for topic, label in value.items():
        if not topic.isdigit() or len(topic) > 6:
            raise _refuse(N_("{what} is invalid."), what=key)
        _text(label, key)
    return value


_NUM, _INT, _STR, _LIST, _DICT = (int, float), int, str, list, dict
# What the Fine-tune page reads from a run's result: each key with its JSON type.
_RESULT_SHAPE = {"status": _STR, "classes": _LIST, "metrics": _DICT, "baseline": _DICT, "history": _LIST,
                 "split_sizes": _DICT, "warnings": _LIST, "max_length": _INT, "truncated_share": _NUM,
                 "device": _STR, "n_params": _INT, "steps": _INT, "best_step": _INT, "seconds": _NUM,
                 "train_seconds": _NUM, "samples_per_second": _NUM, "source": _STR, "settings": _DICT}
_SCORES_SHAPE = {"accuracy": _NUM, "per_class": _LIST, "n": _INT}


def _check_result(result: dict, what: str) -> None:
    def fits(values: dict, shape: dict) -> bool:
        return all(isinstance(values.get(k), t) and not isinstance(values.get(k), bool) for k, t in shape.items())

    if not fits(result, _RESULT_SHAPE) or not fits(result["metrics"], {**_SCORES_SHAPE, "confusion": _LIST,
                                                                        "mistakes": _LIST}) \
            or not fits(result["baseline"], {**_SCORES_SHAPE, "model": _STR, "seconds": _NUM}) \
            or not all(isinstance(c, str) for c in result["classes"]) \
            or not all(isinstance(r, dict) for r in result["history"] + result["metrics"]["per_class"]
                       + result["baseline"]["per_class"]):
        raise _refuse(N_("{what} is invalid."), what=f"{what}.result")


def _check_finetune(run_id: str, record: Any, files: set[str], notes: list[Message]) -> dict:
    what = f"finetune:{run_id}"
    if not isinstance(record, dict) or record.get("id") != run_id:
        raise _refuse(N_("{what} is not a record of that id."), what=what)
    record = _not_running(record)
    result = record.get("result")
    if result is None:
        return record
    if not isinstance(result, dict):
        raise _refuse(N_("{what} is invalid."), what=f"{what}.result")
    _check_result(result, what)
    model_dir = result.get("model_dir") or ""
    expected = f"finetune/{run_id}/model"
    if model_dir and (model_dir != expected or not any(f.startswith(expected + "/") for f in files)):
        # A model outside the project (an absolute path, a traversal, a CLI --out folder) is never
        # followed: the run's scores stay, the model is said to be missing.
        notes.append(Message(N_("The fine-tuned model of run {run} was not in the project file; its scores are "
                                "kept, the model itself is not available."), run=run_id))
        record = {**record, "result": {**result, "model_dir": ""}}
    return record


def check_fields(fields: Any, files: set[str]) -> tuple[dict, list[Message]]:
    """Every field of an imported project checked (see the module docstring). `files` are the
    project-relative names of its members. Returns the fields to store and notes for the user."""
    if not isinstance(fields, dict):
        raise _refuse(N_("its manifest lacks the member list or the fields."))
    out: dict[str, Any] = {}
    notes: list[Message] = []
    for key, value in fields.items():
        kind, _sep, name = str(key).partition(":")
        if key == "corpus":
            out[key] = _check_corpus(value, files)
        elif key == "preprocess":
            _settings(PreprocessSettings, value, key)
            out[key] = value
        elif kind == "widget":
            if not is_persisted_widget(name):
                continue                      # a widget this release does not restore: nothing to keep
            try:
                clamped = clamp_widget(name, value)
            except ValueError:
                notes.append(Message(N_("The saved value of {setting} could not be used and was left out."),
                                     setting=name))
                continue
            if clamped != value:
                notes.append(Message(N_("The saved value of {setting} was outside today's limits and was set to "
                                        "{value}."), setting=name, value=str(clamped)))
            out[key] = clamped
        elif kind == "sweep" and SAFE_ID.match(name):
            out[key] = _check_sweep(name, value)
        elif kind == "labels" and len(name) <= 200:
            out[key] = _check_labels(key, value)
        elif kind == "finetune" and SAFE_ID.match(name):
            out[key] = _check_finetune(name, value, files, notes)
        elif key == "finetune_run":
            if not isinstance(value, str) or not SAFE_ID.match(value):
                raise _refuse(N_("{what} is invalid."), what=key)
            out[key] = value
        else:
            raise _refuse(N_("it holds a field this TopicLens does not know ({key!r})."), key=str(key)[:80])
    if "finetune_run" in out and f"finetune:{out['finetune_run']}" not in out:
        del out["finetune_run"]
    return out, notes
