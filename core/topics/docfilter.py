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
# A text (16+ letters/digits) whose distinct character 8-grams are fewer than this share of all its
# 8-grams repeats itself: one unit over and over (差评差评…: 0.03-0.07), or a text pasted twice (~0.5).
# Real writing of any length stays far above it (an 8-gram recurs only in a repeated phrase): the
# lowest document of each shared corpus scores en_news_bbc 0.72 (5,786 characters), en_news_ag 0.68,
# zh_fudan_gbk_sample 0.90 (up to 20,542 characters), zh_shopping_reviews' 1st percentile 0.98.
# (Distinct / total character *bigrams*, the measure before, falls with length alone: every English
# text over about 1,000 characters fell under its threshold and was skipped as spam.)
REPETITIVE = 0.55
GRAM = 8


def _normal(text: str) -> str:
    return _NOISE.sub("", str(text).lower())


def _shingles(norm: str) -> frozenset[str]:
    return frozenset(norm[i:i + 3] for i in range(max(1, len(norm) - 2)))


def repetition_ratio(text: str) -> float:
    """Distinct / total character 8-grams of the text's letters and digits (1.0 when nothing repeats)."""
    norm = _normal(text)
    n = len(norm) - GRAM + 1
    if n <= 0:
        return 1.0
    return len({norm[i:i + GRAM] for i in range(n)}) / n


def is_repetitive(text: str) -> bool:
    """True for texts that repeat themselves (one unit over and over, copy-pasted lines), whatever
    their length; texts under 16 letters/digits are too short to judge."""
    if len(_normal(text)) < 16:
        return False
    return repetition_ratio(text) < REPETITIVE


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
