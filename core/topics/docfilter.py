"""Choosing documents to show: skip near-duplicates and repetitive spam.

A topic's highest-weight documents are often copies of one another (reposts, templates) or a word
repeated many times ("差评差评差评差评…", "good good good"), which the model scores as very pure. Shown
as the topic's representative documents they say nothing new, so `pick_distinct` walks the ranking
and keeps a document only if it is not repetitive and not a near-duplicate of one already kept.
"""

from __future__ import annotations

import re
from typing import Sequence

_NOISE = re.compile(r"[\W_]+")
NEAR_DUPLICATE = 0.8    # Jaccard similarity of character 3-gram sets at or above which two texts are one
REPETITIVE = 0.35       # distinct / total character bigrams below which a text (16+ chars) is spam


def _normal(text: str) -> str:
    return _NOISE.sub("", str(text).lower())


def _shingles(norm: str) -> frozenset[str]:
    return frozenset(norm[i:i + 3] for i in range(max(1, len(norm) - 2)))


def is_repetitive(text: str) -> bool:
    """True for texts made of one short unit repeated: few distinct character bigrams for their length."""
    norm = _normal(text)
    if len(norm) < 16:
        return False
    bigrams = [norm[i:i + 2] for i in range(len(norm) - 1)]
    return len(set(bigrams)) / len(bigrams) < REPETITIVE


def near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= NEAR_DUPLICATE


def pick_distinct(ranked: Sequence[int], texts: Sequence[str], n: int, scan: int = 2000) -> list[int]:
    """The first n positions of `ranked` whose texts are non-empty, not repetitive and not near-duplicates
    of an earlier pick; falls back to the skipped ones (in rank order) when too few remain."""
    picked: list[int] = []
    kept: list[frozenset[str]] = []
    skipped: list[int] = []
    for pos in list(ranked)[:scan]:
        norm = _normal(texts[pos])
        sh = _shingles(norm)
        if not norm or is_repetitive(texts[pos]) or any(near_duplicate(sh, k) for k in kept):
            skipped.append(pos)
            continue
        picked.append(int(pos))
        kept.append(sh)
        if len(picked) == n:
            return picked
    return picked + [int(p) for p in skipped[: n - len(picked)]]
