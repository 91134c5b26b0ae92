"""Phrases: frequent collocations of two adjacent tokens merged into one token ("new_york", "信用_卡").

    table = find_phrases(tokens.docs)          # DataFrame phrase, count, npmi (best first)
    settings = replace(settings, phrases=tuple(table.phrase))   # the analyst edits this list
    docs = merge_phrases(docs, settings.phrases)

A pair (a, b) of adjacent tokens is a candidate when it occurs at least `min_count` times; it is
scored by normalised pointwise mutual information over adjacent positions,
NPMI = log(p(a,b) / (p(a) p(b))) / -log p(a,b), in [-1, 1] (1: the two only ever occur together),
with p(a,b) = count(a b) / bigram positions and p(a) = count(a) / tokens. Pairs with
NPMI >= `threshold` are proposed (Bouma 2009; gensim's `Phrases(scoring="npmi")` uses the same score).
A phrase is written "a b" in settings and becomes the token "a_b".
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence

import pandas as pd

JOIN = "_"


def find_phrases(docs: Sequence[Sequence[str]], min_count: int = 10, threshold: float = 0.5,
                 limit: int = 200) -> pd.DataFrame:
    unigrams: Counter = Counter()
    bigrams: Counter = Counter()
    for d in docs:
        unigrams.update(d)
        bigrams.update(zip(d, d[1:]))
    n_uni = sum(unigrams.values())
    n_bi = sum(bigrams.values())
    rows = []
    for (a, b), c in bigrams.items():
        if c < min_count or a == b:
            continue
        p_ab = c / n_bi
        if p_ab >= 1.0:
            continue
        score = math.log(p_ab / ((unigrams[a] / n_uni) * (unigrams[b] / n_uni))) / -math.log(p_ab)
        if score >= threshold:
            rows.append((f"{a} {b}", c, score))
    rows.sort(key=lambda r: (-r[2], -r[1], r[0]))
    return pd.DataFrame(rows[:limit], columns=["phrase", "count", "npmi"])


def parse_phrases(lines: Iterable[str]) -> tuple[str, ...]:
    """Analyst-edited phrases: "a b" per entry (two tokens; also accepts "a_b"), de-duplicated."""
    out = []
    for line in lines:
        parts = str(line).replace(JOIN, " ").split()
        if len(parts) == 2:
            out.append(" ".join(parts))
    return tuple(dict.fromkeys(out))


def merge_phrases(docs: list[list[str]], phrases: Sequence[str]) -> list[list[str]]:
    """Replace each non-overlapping adjacent pair listed in `phrases` by one joined token (left to right)."""
    pairs = {tuple(p.split()) for p in phrases if len(p.split()) == 2}
    if not pairs:
        return docs
    firsts = {a for a, _ in pairs}
    out = []
    for d in docs:
        if not firsts.intersection(d):
            out.append(d)
            continue
        merged, i = [], 0
        while i < len(d):
            if i + 1 < len(d) and (d[i], d[i + 1]) in pairs:
                merged.append(d[i] + JOIN + d[i + 1])
                i += 2
            else:
                merged.append(d[i])
                i += 1
        out.append(merged)
    return out
