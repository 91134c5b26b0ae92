"""Saving and loading fine-tuned models: Hugging Face folder + head + JSON, and zips of it.

A bundle folder holds the encoder (`config.json`, `model.safetensors`), the tokenizer files, the
classification head (`classifier_head.safetensors`), `topiclens_model.json` (labels, pooling, max
length) and `training_manifest.json`. Loading never unpickles: uploads may only contain JSON, text
and safetensors files, and weights are read with `use_safetensors=True`.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import InputError
from core.finetune.messages import Text
from core.finetune.sources import PICKLE_SUFFIXES
from core.i18n import N_
from core.safezip import Limits, SafeZip

META_FILE = "topiclens_model.json"
MANIFEST_FILE = "training_manifest.json"
HEAD_FILE = "classifier_head.safetensors"
FORMAT = "topiclens-classifier"
ALLOWED_SUFFIXES = (".json", ".txt", ".safetensors", ".model", ".md")
MAX_ZIP_FILES = 64
MAX_SMALL_FILE = 64 << 20          # config / tokenizer / JSON members (weights are capped by the total)
UPLOAD_TTL_S = 24 * 3600           # unpacked uploads older than this are deleted
MAX_LENGTH_CAP = 8192              # tokens; a larger max_length in the model description is refused


@dataclass
class Classifier:
    """A loaded fine-tuned classifier, ready to predict."""

    model: object
    tokenizer: object
    labels: list[str]
    max_length: int
    meta: dict
    folder: Path

    def predict_proba(self, texts: list[str], batch_size: int = 64):
        from core.finetune.predict import predict_proba

        return predict_proba(self, texts, batch_size)


def save_bundle(model, tokenizer, labels: list[str], max_length: int, folder: str | Path, manifest: dict,
                source: str = "") -> Path:
    """Write the bundle folder atomically: a hidden temp folder renamed into place when complete.

    An existing bundle at `folder` is replaced only after the new one is fully written; on any
    failure (a full disk) nothing partial is left and InputError says what happened.
    """
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.part-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        model.encoder.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        save_file({k: v.detach().cpu().contiguous() for k, v in model.head.state_dict().items()}, str(tmp / HEAD_FILE))
        meta = {"format": FORMAT, "version": 1, "labels": list(labels), "pooling": model.pooling,
                "max_length": int(max_length), "source": source}
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str),
                                         encoding="utf-8")
        _swap_in(tmp, folder)
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if _disk_full(exc):
            raise InputError("The model could not be saved: the disk is full. Nothing partial was left; "
                             "free some space and train again.") from exc
        if isinstance(exc, OSError):
            raise InputError("The model could not be saved ({reason}); nothing partial was left.",
                             reason=exc.strerror or type(exc).__name__) from exc
        raise
    return folder


def _swap_in(tmp: Path, folder: Path) -> None:
    """Put the complete `tmp` folder at `folder`; an older one there is removed only after the rename."""
    old = None
    if folder.exists():
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        os.rename(folder, old)
    os.rename(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT, also as reported by safetensors/tokenizers (Rust: "os error 28", StorageFull)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    return "os error 28" in text or "StorageFull" in text or "No space left" in text


def zip_bundle(folder: str | Path) -> bytes:
    """The bundle folder as zip bytes (flat: file names only; weights stored, they do not compress)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(Path(folder).iterdir()):
            if path.is_file() and path.suffix.lower() in ALLOWED_SUFFIXES:
                kind = zipfile.ZIP_STORED if path.suffix == ".safetensors" else zipfile.ZIP_DEFLATED
                zf.write(path, arcname=path.name, compress_type=kind)
    return buf.getvalue()


def copy_bundle(folder: str | Path, dest: str | Path) -> Path:
    """A copy of the bundle at `dest` (its bundle files only), written as `save_bundle` writes:
    a hidden temp folder renamed into place, an older bundle there replaced only when complete."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.part-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        for path in sorted(Path(folder).iterdir()):
            if path.is_file() and path.suffix.lower() in ALLOWED_SUFFIXES:
                shutil.copyfile(path, tmp / path.name)
        _swap_in(tmp, dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if _disk_full(exc):
            raise InputError("The model could not be saved: the disk is full. Nothing partial was left; "
                             "free some space and train again.") from exc
        raise InputError("The model could not be copied to --out ({reason}); it is kept in the project.",
                         reason=exc.strerror or type(exc).__name__) from exc
    return dest


def _read_meta(folder: Path) -> dict:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("This is not a TopicLens model: {file} is missing.", file=META_FILE) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError("{file} is unreadable ({kind}).", file=META_FILE, kind=type(exc).__name__) from exc
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if meta.get("format") != FORMAT or not isinstance(labels, list) or len(labels) < 2 \
            or not all(isinstance(x, str) for x in labels):
        raise InputError("{file} is not a TopicLens classifier description (format, labels).", file=META_FILE)
    if meta.get("pooling") not in ("mean", "cls") or not isinstance(meta.get("max_length"), int) \
            or isinstance(meta.get("max_length"), bool):
        raise InputError("{file} has an invalid pooling or max_length.", file=META_FILE)
    return meta


def load_bundle(folder: str | Path, shown: str | None = None) -> Classifier:
    """Load a bundle folder written by `save_bundle` (validated; safetensors only).

    `shown` names the model in messages instead of its folder (uploads: never echo server paths).
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from core.finetune.model import TextClassifier
    from core.finetune.sources import load_pretrained, validate_model_dir

    folder = Path(folder)
    meta = _read_meta(folder)
    validate_model_dir(folder, shown)
    if not (folder / HEAD_FILE).is_file():
        raise InputError("The model has no classification head ({file} is missing).", file=HEAD_FILE)
    tokenizer, encoder = load_pretrained(folder, shown)
    positions = getattr(encoder.config, "max_position_embeddings", None)
    limit = min(MAX_LENGTH_CAP, positions) if isinstance(positions, int) and positions > 0 else MAX_LENGTH_CAP
    if not 1 <= meta["max_length"] <= limit:
        raise InputError("{file} says max_length {max_length}, but this model reads at most {limit} tokens: "
                         "fix the file or re-save the model.", file=META_FILE, max_length=meta["max_length"],
                         limit=limit)
    model = TextClassifier(encoder, len(meta["labels"]), meta["pooling"])
    try:
        head = load_file(str(folder / HEAD_FILE))
        model.head.load_state_dict(head)
    except (SafetensorError, RuntimeError, OSError, KeyError) as exc:
        raise InputError("The classification head does not match the model or the labels: {detail}",
                         detail=str(exc).split("\n")[0]) from exc
    model.eval()
    tokenizer.model_max_length = meta["max_length"]
    return Classifier(model, tokenizer, meta["labels"], meta["max_length"], meta, folder)


def model_zip_limits() -> Limits:
    """Model zips: weights up to TOPICLENS_MAX_MODEL_MB (default 1 GiB) in all, at most 64 files."""
    from core import settings
    from core.safezip import MIB

    return Limits.from_env(max_total_bytes=int(settings.get("TOPICLENS_MAX_MODEL_MB") * MIB),
                           max_members=MAX_ZIP_FILES)


def _plan_members(zf: SafeZip) -> dict[str, str]:
    """{member: flat file name} for every file to unpack; raises InputError on anything suspicious."""
    members = zf.members()
    if not members:
        raise InputError("The model zip is empty: upload the model zip downloaded from the Fine-tune page.")
    pickled = [m.name for m in members if PurePosixPath(m.name).suffix.lower() in PICKLE_SUFFIXES]
    if pickled:
        raise InputError(
            "The zip contains pickle-based files ({files}); TopicLens only loads safetensors "
            "and JSON models and never unpickles uploads.", files=", ".join(pickled[:3])
        )
    plan: dict[str, str] = {}
    for m in members:
        if m.is_os_metadata:
            continue  # .DS_Store, __MACOSX/...: harmless, skipped
        path = PurePosixPath(m.name)
        if len(path.parts) > 2:
            raise InputError("The model zip nests folders too deep ({name!r}): zip the model folder itself.", name=m.name)
        if path.suffix.lower() not in ALLOWED_SUFFIXES:
            raise InputError("Unexpected file in the model zip: {name!r} (only JSON, text and safetensors).", name=m.name)
        if m.basename in plan.values():
            raise InputError("The zip holds two files named {name!r}.", name=m.basename)
        if not m.basename.endswith(".safetensors") and m.size > MAX_SMALL_FILE:
            raise InputError("{name!r} in the model zip is {size_mb:,.0f} MB; configuration and "
                             "tokenizer files are at most {limit_mb} MB.", name=m.basename, size_mb=m.size / 2**20,
                             limit_mb=MAX_SMALL_FILE >> 20)
        plan[m.name] = m.basename
    return plan


def prune_uploads(folder: str | Path, max_age_s: float = UPLOAD_TTL_S, keep: int = 0) -> int:
    """Delete unpacked uploads in `folder` older than `max_age_s`, and all but the newest `keep`."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    ups = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.startswith(("upload-", ".upload-"))),
                 key=lambda p: p.stat().st_mtime, reverse=True)
    now, removed = time.time(), 0
    for i, path in enumerate(ups):
        if i >= keep or now - path.stat().st_mtime > max_age_s:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def prune_all_uploads(root: str | Path, max_age_s: float = UPLOAD_TTL_S) -> int:
    """Expire every session's old uploads under `root` (workspace/finetune/<owner>/uploads)."""
    root = Path(root)
    return sum(prune_uploads(d / "uploads", max_age_s, keep=1 << 30) for d in root.iterdir()
               if (d / "uploads").is_dir()) if root.is_dir() else 0


def load_bundle_zip(data: bytes, workspace: str | Path) -> Classifier:
    """Validate an uploaded model zip, unpack it into a fresh folder under `workspace`, load it.

    The folder replaces this owner's earlier uploads (only the newest is in use); a failed upload
    leaves nothing behind. Messages never show server paths.
    """
    with SafeZip(data, model_zip_limits(), what=Text(N_("The model zip"))) as zf:
        plan = _plan_members(zf)
        if META_FILE not in plan.values():
            raise InputError("This zip is not a TopicLens model: {file} is missing.", file=META_FILE)
        target = Path(workspace) / f"upload-{uuid.uuid4().hex[:12]}"
        caps = {src: MAX_SMALL_FILE for src, name in plan.items() if not name.endswith(".safetensors")}
        zf.extract(plan, target, max_bytes=caps)
    try:
        clf = load_bundle(target, shown=Text(N_("the uploaded model")))
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise
    prune_uploads(workspace, keep=1)
    return clf
