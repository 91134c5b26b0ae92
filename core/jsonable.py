"""JSON-friendly copies of engine values (numpy scalars and arrays, tuples, paths) for saved records."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """A copy of `value` that `json.dumps` takes: dicts get str keys, arrays become lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, PurePath):
        return str(value)
    return value
