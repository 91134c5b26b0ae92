"""Saving and loading fine-tuned models: Hugging Face folder + head + JSON, and zips of it.

A bundle folder holds the encoder (`config.json`, `model.safetensors`), the tokenizer files, the
classification head (`classifier_head.safetensors`), `topiclens_model.json` (labels, pooling, max
length) and `training_manifest.json`. Loading never unpickles: uploads may only contain JSON, text
and safetensors files, and weights are read with `use_safetensors=True`.
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import InputError
from core.finetune.sources import PICKLE_SUFFIXES

META_FILE = "topiclens_model.json"
MANIFEST_FILE = "training_manifest.json"
HEAD_FILE = "classifier_head.safetensors"
FORMAT = "topiclens-classifier"
ALLOWED_SUFFIXES = (".json", ".txt", ".safetensors", ".model", ".md")
MAX_ZIP_BYTES = 2 * 1024**3        # uncompressed total; rejects zip bombs
MAX_ZIP_FILES = 64


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
    """Write the bundle folder (overwriting a previous bundle there)."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    encoder = model.encoder
    encoder.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    save_file({k: v.detach().cpu().contiguous() for k, v in model.head.state_dict().items()}, str(folder / HEAD_FILE))
    meta = {"format": FORMAT, "version": 1, "labels": list(labels), "pooling": model.pooling,
            "max_length": int(max_length), "source": source}
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return folder


def zip_bundle(folder: str | Path) -> bytes:
    """The bundle folder as zip bytes (flat: file names only; weights stored, they do not compress)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(Path(folder).iterdir()):
            if path.is_file() and path.suffix.lower() in ALLOWED_SUFFIXES:
                kind = zipfile.ZIP_STORED if path.suffix == ".safetensors" else zipfile.ZIP_DEFLATED
                zf.write(path, arcname=path.name, compress_type=kind)
    return buf.getvalue()


def zip_bundle_file(folder: str | Path) -> Path:
    """`<folder>.zip` next to the bundle, written once (the page offers it on every rerun)."""
    target = Path(folder).with_suffix(".zip")
    if not target.is_file():
        tmp = target.with_suffix(".zip.part")
        tmp.write_bytes(zip_bundle(folder))
        tmp.replace(target)
    return target


def _read_meta(folder: Path) -> dict:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"This is not a TopicLens model: {META_FILE} is missing.") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{META_FILE} is unreadable: {exc}") from exc
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if meta.get("format") != FORMAT or not isinstance(labels, list) or len(labels) < 2 \
            or not all(isinstance(x, str) for x in labels):
        raise InputError(f"{META_FILE} is not a TopicLens classifier description (format, labels).")
    if meta.get("pooling") not in ("mean", "cls") or not isinstance(meta.get("max_length"), int):
        raise InputError(f"{META_FILE} has an invalid pooling or max_length.")
    return meta


def load_bundle(folder: str | Path) -> Classifier:
    """Load a bundle folder written by `save_bundle` (validated; safetensors only)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from core.finetune.model import TextClassifier
    from core.finetune.sources import load_pretrained, validate_model_dir

    folder = Path(folder)
    meta = _read_meta(folder)
    validate_model_dir(folder)
    if not (folder / HEAD_FILE).is_file():
        raise InputError(f"The model has no classification head ({HEAD_FILE} is missing).")
    tokenizer, encoder = load_pretrained(folder)
    model = TextClassifier(encoder, len(meta["labels"]), meta["pooling"])
    try:
        head = load_file(str(folder / HEAD_FILE))
        model.head.load_state_dict(head)
    except (SafetensorError, RuntimeError, OSError, KeyError) as exc:
        raise InputError(f"The classification head does not match the model or the labels: {exc}".split("\n")[0]) from exc
    model.eval()
    tokenizer.model_max_length = meta["max_length"]
    return Classifier(model, tokenizer, meta["labels"], meta["max_length"], meta, folder)


def _safe_members(zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    """(member, flat file name) for every file; raises InputError on anything suspicious."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if not infos:
        raise InputError("The zip is empty.")
    if len(infos) > MAX_ZIP_FILES or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
        raise InputError("The zip is too large to be a TopicLens model.")
    pickled = [i.filename for i in infos if PurePosixPath(i.filename).suffix.lower() in PICKLE_SUFFIXES]
    if pickled:
        raise InputError(
            f"The zip contains pickle-based files ({', '.join(pickled[:3])}); TopicLens only loads safetensors "
            "and JSON models and never unpickles uploads."
        )
    out, seen = [], set()
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or len(path.parts) > 2:
            raise InputError(f"The zip holds an unsafe path: {info.filename!r}.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InputError(f"The zip holds a symbolic link: {info.filename!r}.")
        name = path.name
        if path.suffix.lower() not in ALLOWED_SUFFIXES or name.startswith("."):
            if path.name.startswith(".") or path.parts[0] in ("__MACOSX",):
                continue  # OS metadata (.DS_Store, __MACOSX/...), harmless: skip it
            raise InputError(f"Unexpected file in the model zip: {info.filename!r} (only JSON, text and safetensors).")
        if name in seen:
            raise InputError(f"The zip holds two files named {name!r}.")
        seen.add(name)
        out.append((info, name))
    return out


def load_bundle_zip(data: bytes, workspace: str | Path) -> Classifier:
    """Validate an uploaded model zip, unpack it into a fresh folder under `workspace`, load it."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("The upload is not a zip file; upload the model zip downloaded from the Fine-tune page.") from None
    with zf:
        members = _safe_members(zf)
        if META_FILE not in {name for _, name in members}:
            raise InputError(f"This zip is not a TopicLens model: {META_FILE} is missing.")
        target = Path(workspace) / f"upload-{uuid.uuid4().hex[:12]}"
        target.mkdir(parents=True, exist_ok=False)
        try:
            for info, name in members:
                with zf.open(info) as src, open(target / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            return load_bundle(target)
        except Exception:
            shutil.rmtree(target, ignore_errors=True)
            raise
