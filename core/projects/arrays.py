"""Bulk objects of a project on disk, without pickle: `.npy` (allow_pickle=False), JSON and Parquet.

Each object is a folder written whole into a temp folder and renamed into place, so a reader sees
the old object or the new one, never half of one:
    tokens/<digest>/  ids.npy, offsets.npy, vocab.npy, meta.json      (a TokenizedCorpus)
    dtm/<digest>/     data.npy, indices.npy, indptr.npy, vocab.npy, doc_rows.npy, meta.json
    fits/<digest>/    topic_word.npy, doc_topic.npy, top_ids.npy, entry.json   (one sweep fit)
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from core.jsonable import plain
from core.projects.store import DiskFull, is_disk_full, keep_going

FORMAT = 1


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def load_npy(path: Path, mmap: bool = False) -> np.ndarray:
    return np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)


def str_array(values) -> np.ndarray:
    """Strings as a fixed-width unicode array: saved and loaded without pickle."""
    arr = np.asarray([str(v) for v in values], dtype=str)
    return arr if arr.size else np.zeros(0, dtype="<U1")


def write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a fresh temp folder beside `target`, fsync them, then swap it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    tmp.mkdir()
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if target.exists():  # replace: move the old one aside first (rename of a folder over a folder fails)
            old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if is_disk_full(exc):
            raise DiskFull() from exc
        raise


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- tokens
def save_tokens(folder: Path, tokens) -> None:
    """A TokenizedCorpus as token ids + offsets + vocabulary (a few bytes per token)."""
    vocab: dict[str, int] = {}
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for d in tokens.docs for t in d), dtype=np.int32)
    offsets = np.zeros(len(tokens.docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in tokens.docs], out=offsets[1:])
    meta = {f.name: getattr(tokens, f.name) for f in dataclasses.fields(tokens) if f.name not in ("docs", "settings")}
    meta = {"format": FORMAT, "fields": meta, "settings": dataclasses.asdict(tokens.settings)}
    write_folder(folder, {"ids.npy": npy_bytes(ids), "offsets.npy": npy_bytes(offsets),
                          "vocab.npy": npy_bytes(str_array(vocab)), "meta.json": _json(meta)})


def load_tokens(folder: Path, settings, cls: type):
    """The TokenizedCorpus saved by `save_tokens`, or None if absent or from another format/shape."""
    try:
        meta = _read_json(folder / "meta.json")
        names = {f.name for f in dataclasses.fields(cls)} - {"docs", "settings"}
        if meta.get("format") != FORMAT or set(meta["fields"]) != names:
            return None  # written by a release with other fields: recompute rather than guess
        vocab = load_npy(folder / "vocab.npy").tolist()
        ids = load_npy(folder / "ids.npy")
        offsets = load_npy(folder / "offsets.npy").tolist()
    except (OSError, ValueError, KeyError):
        return None
    flat = [vocab[i] for i in ids.tolist()]
    docs = [flat[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]
    return cls(docs=docs, settings=settings, **meta["fields"])


# ----------------------------------------------------------------------------- dtm
def save_dtm(folder: Path, bundle) -> None:
    dtm = bundle.dtm
    meta = {"format": FORMAT, "shape": list(dtm.shape), "data_key": bundle.data_key, "n_rows": bundle.n_rows,
            "min_df": bundle.min_df, "max_df": bundle.max_df, "key": bundle.key}
    write_folder(folder, {"data.npy": npy_bytes(dtm.data), "indices.npy": npy_bytes(dtm.indices),
                          "indptr.npy": npy_bytes(dtm.indptr), "vocab.npy": npy_bytes(str_array(bundle.vocab)),
                          "doc_rows.npy": npy_bytes(bundle.doc_rows), "meta.json": _json(meta)})


def load_dtm(folder: Path, cls: type):
    try:
        meta = _read_json(folder / "meta.json")
        if meta.get("format") != FORMAT:
            return None
        dtm = sp.csr_matrix((load_npy(folder / "data.npy"), load_npy(folder / "indices.npy"),
                             load_npy(folder / "indptr.npy")), shape=tuple(meta["shape"]))
        vocab = load_npy(folder / "vocab.npy").astype(object)
        doc_rows = load_npy(folder / "doc_rows.npy")
    except (OSError, ValueError, KeyError):
        return None
    return cls(dtm=dtm, vocab=vocab, doc_rows=doc_rows, data_key=meta["data_key"], n_rows=meta["n_rows"],
               min_df=meta["min_df"], max_df=meta["max_df"])


# ----------------------------------------------------------------------------- sweep fits
class FitCache:
    """A sweep cache (the dict-like `run_sweep` takes) whose entries are also written to disk.

    `cache[key] = entry` stores the fit under `fits/` the moment the sweep reports it; `get(key)`
    answers from memory, else from disk (the model gets the bundle's vocabulary and matrix).
    Iterating and deleting touch memory only: `prune_cache` bounds a session's memory while the
    project keeps every fit. On a full disk, `on_unsaved(error)` is told and the fit stays in memory
    (without `on_unsaved`, the DiskFull is raised).
    """

    def __init__(self, folder: Path, bundle, memory: dict | None = None,
                 on_store: Callable[[str, dict], None] | None = None,
                 on_unsaved: Callable[[DiskFull], None] | None = None):
        self.folder, self.bundle = Path(folder), bundle
        self.memory = memory if memory is not None else {}
        self.on_store, self.on_unsaved = on_store, on_unsaved

    def __iter__(self):
        return iter(list(self.memory))

    def __len__(self) -> int:
        return len(self.memory)

    def __contains__(self, key: str) -> bool:
        return key in self.memory or (self.folder / digest(key) / "entry.json").exists()

    def __delitem__(self, key: str) -> None:
        del self.memory[key]

    def __setitem__(self, key: str, entry) -> None:
        self.memory[key] = entry
        m = entry.model
        meta = {"format": FORMAT, "cache_key": key, "record": plain(entry.record), "engine": m.engine, "k": m.k,
                "seed": m.seed, "params": plain(m.params), "fit_seconds": m.fit_seconds, "data_key": m.data_key,
                "fit_stats": plain(m.fit_stats), "bundle_key": self.bundle.key}
        files = {"topic_word.npy": npy_bytes(m.topic_word), "doc_topic.npy": npy_bytes(m.doc_topic),
                 "entry.json": _json(meta)}
        if entry.top_ids is not None:
            files["top_ids.npy"] = npy_bytes(entry.top_ids)
        keep_going(self.on_unsaved, write_folder, self.folder / digest(key), files)
        if self.on_store is not None:
            self.on_store(key, meta)

    def discard(self, keys) -> None:
        """Forget these fits, in memory and on disk (a restart from scratch)."""
        for key in keys:
            self.memory.pop(key, None)
            shutil.rmtree(self.folder / digest(key), ignore_errors=True)

    def get(self, key: str, default=None):
        hit = self.memory.get(key)
        if hit is not None:
            return hit
        entry = self.load(key)
        if entry is None:
            return default
        self.memory[key] = entry
        return entry

    def load(self, key: str):
        from core.topics.model import TopicModel
        from core.topics.sweep import SweepEntry

        folder = self.folder / digest(key)
        try:
            meta = _read_json(folder / "entry.json")
            if meta.get("format") != FORMAT or meta.get("cache_key") != key:
                return None
            topic_word = load_npy(folder / "topic_word.npy", mmap=True)
            doc_topic = load_npy(folder / "doc_topic.npy", mmap=True)
            top_ids = load_npy(folder / "top_ids.npy") if (folder / "top_ids.npy").exists() else None
        except (OSError, ValueError, KeyError):
            return None
        b = self.bundle
        if topic_word.shape[1] != b.n_terms or doc_topic.shape[0] != b.n_docs:
            return None  # not this matrix's model (cannot happen with matching keys; never mix them)
        params = dict(meta["params"])
        if "heldout_rows" in params:
            params["heldout_rows"] = np.asarray(params["heldout_rows"], dtype=np.int64)
        model = TopicModel(engine=meta["engine"], k=int(meta["k"]), seed=int(meta["seed"]), topic_word=topic_word,
                           doc_topic=doc_topic, vocab=b.vocab, dtm=b.dtm, doc_rows=b.doc_rows, params=params,
                           fit_seconds=float(meta["fit_seconds"]), data_key=meta["data_key"],
                           fit_stats=meta["fit_stats"])
        return SweepEntry(dict(meta["record"]), model, top_ids)
