"""A process-wide result cache bounded by bytes, whose entries are released with their sessions.

Entries count toward `max_bytes` by an estimate of their size (`approx_bytes`: arrays, sparse
matrices, frames, strings and the objects holding them); the least recently used go first. Each
entry remembers the owners (session ids) that used it: `release(owner)` forgets one, and entries
no live owner uses any more are dropped, so a closed session's data does not outlive it.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")
_SAMPLE = 200  # long containers are sized from an evenly spread sample


def approx_bytes(obj: object, _depth: int = 0, _seen: set | None = None) -> int:
    """Rough deep size of `obj` in bytes: exact for arrays, sampled for long containers."""
    seen = _seen if _seen is not None else set()
    if id(obj) in seen or _depth > 8:
        return 0
    seen.add(id(obj))
    nbytes = getattr(obj, "nbytes", None)
    if isinstance(nbytes, int) and hasattr(obj, "dtype"):  # numpy array
        return nbytes + 112
    if hasattr(obj, "indptr") and hasattr(obj, "indices"):  # scipy sparse (csr/csc)
        return sum(getattr(getattr(obj, a), "nbytes", 0) for a in ("data", "indices", "indptr"))
    if hasattr(obj, "memory_usage") and hasattr(obj, "dtypes"):  # pandas DataFrame / Series
        return _frame_bytes(obj)
    if isinstance(obj, (str, bytes, bytearray, int, float, bool, type(None))):
        return sys.getsizeof(obj)
    if isinstance(obj, dict):
        items = list(obj.items())
        return sys.getsizeof(obj) + _sampled(items, lambda kv: approx_bytes(kv[0], _depth + 1, seen)
                                             + approx_bytes(kv[1], _depth + 1, seen))
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sys.getsizeof(obj) + _sampled(list(obj), lambda v: approx_bytes(v, _depth + 1, seen))
    if isinstance(obj, type) or callable(obj) and not hasattr(obj, "__dict__"):
        return 0
    fields = getattr(obj, "__dict__", None)
    if isinstance(fields, dict):  # dataclasses, fitted models: what they hold
        return sys.getsizeof(obj) + approx_bytes(fields, _depth + 1, seen)
    return sys.getsizeof(obj)


def _sampled(items: list, size: Callable[[object], int]) -> int:
    if len(items) <= _SAMPLE:
        return sum(size(v) for v in items)
    step = len(items) / _SAMPLE
    sample = [items[int(i * step)] for i in range(_SAMPLE)]
    return int(sum(size(v) for v in sample) * len(items) / _SAMPLE)


def _frame_bytes(frame) -> int:
    shallow = int(frame.memory_usage(index=True, deep=False).sum()) if hasattr(frame, "columns") \
        else int(frame.memory_usage(index=True, deep=False))
    cols = [frame[c] for c in frame.columns] if hasattr(frame, "columns") else [frame]
    for col in cols:  # object / string columns: shallow counts pointers only; add the strings
        if col.dtype == object or str(col.dtype).startswith("str"):
            values = col.tolist()
            shallow += _sampled(values, sys.getsizeof)
    return shallow


class ByteLRU:
    """Least-recently-used cache of computed values, bounded by `max_bytes` (see module docstring)."""

    def __init__(self, max_bytes: int, sizer: Callable[[object], int] = approx_bytes):
        self.max_bytes, self.sizer = max_bytes, sizer
        self.data: OrderedDict[Hashable, list] = OrderedDict()  # key -> [value, nbytes, owners]
        self.total = 0
        self.lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], owner: str | None = None) -> T:
        with self.lock:
            entry = self.data.get(key)
            if entry is not None:
                self.data.move_to_end(key)
                if owner:
                    entry[2].add(owner)
                return entry[0]
        value = compute()  # outside the lock: other sessions keep working meanwhile
        size = self.sizer(value)
        with self.lock:
            entry = self.data.get(key)
            if entry is not None:  # another session computed it meanwhile: share that one
                if owner:
                    entry[2].add(owner)
                return entry[0]
            if size <= self.max_bytes:  # a value larger than the whole budget is returned, not kept
                self.data[key] = [value, size, {owner} if owner else set()]
                self.total += size
                self._shrink()
        return value

    def _shrink(self) -> None:
        while self.total > self.max_bytes and self.data:
            _, (_, size, _) = self.data.popitem(last=False)
            self.total -= size

    def release(self, owner: str) -> int:
        """Forget `owner`; drop the entries nobody else uses. Returns how many were dropped."""
        with self.lock:
            dropped = []
            for key, entry in self.data.items():
                entry[2].discard(owner)
                if not entry[2]:
                    dropped.append(key)
            for key in dropped:
                self.total -= self.data.pop(key)[1]
        return len(dropped)

    def __len__(self) -> int:
        return len(self.data)
