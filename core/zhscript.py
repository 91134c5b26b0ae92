"""Traditional -> Simplified Chinese, per document, only where the document is Traditional.

A character-level converter run over every document rewrites Simplified text: 乾 is both the
Traditional form of 干 and a Simplified character of its own (乾隆, 桑乾河), as are 徵 and 藉. So a
document is converted only when it is written in Traditional characters: it holds at least
`MIN_TRADITIONAL` Traditional-only characters and more than `RATIO` times as many Traditional-only
as Simplified-only ones. A character is Traditional-only when OpenCC's t2s changes it and it is not
in GB2312 (the Simplified standard set; 乾, 徵, 藉 are), Simplified-only when s2t changes it and it
is not in Big5. Converted documents go through OpenCC's phrase-level t2s dictionaries (乾隆 stays
乾隆), not a character table. A Simplified document is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

MIN_TRADITIONAL = 2
RATIO = 3
_CJK = range(0x4E00, 0x9FFF + 1)


@lru_cache(maxsize=1)
def _converters():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def _encodable(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def script_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters of the CJK Unified block (~0.3 s, once)."""
    t2s, s2t = _converters()
    chars = [chr(c) for c in _CJK]
    joined = "\n".join(chars)  # one call; newlines keep OpenCC's phrase matching to single characters
    simp, trad = t2s.convert(joined).split("\n"), s2t.convert(joined).split("\n")
    trad_only = frozenset(c for c, s in zip(chars, simp) if s != c and not _encodable(c, "gb2312"))
    simp_only = frozenset(c for c, t in zip(chars, trad) if t != c and not _encodable(c, "big5"))
    return trad_only, simp_only


@lru_cache(maxsize=1)
def _deletion_tables() -> tuple[dict[int, None], dict[int, None]]:
    trad_only, simp_only = script_sets()
    return dict.fromkeys(map(ord, trad_only)), dict.fromkeys(map(ord, simp_only))


def is_traditional(text: str) -> bool:
    # Counting by deletion (str.translate runs in C): characters removed = characters of the set.
    drop_trad, drop_simp = _deletion_tables()
    n_trad = len(text) - len(text.translate(drop_trad))
    if n_trad < MIN_TRADITIONAL:
        return False
    return n_trad > RATIO * (len(text) - len(text.translate(drop_simp)))


@dataclass
class Conversion:
    texts: list[str]                                   # every document, converted where Traditional
    rows: list[int] = field(default_factory=list)      # positions of the converted documents
    sample: list[tuple[str, str]] = field(default_factory=list)  # (before, after) of a few of them


def to_simplified(texts: Sequence[str], sample: int = 3, sample_chars: int = 120) -> Conversion:
    """Convert the Traditional documents of `texts` with OpenCC t2s; leave every other one as it is."""
    t2s = None
    out, rows, pairs = list(texts), [], []
    for i, text in enumerate(texts):
        if not is_traditional(text):
            continue
        t2s = t2s or _converters()[0]
        new = t2s.convert(text)
        if new == text:
            continue
        out[i] = new
        rows.append(i)
        if len(pairs) < sample:
            pairs.append((text[:sample_chars], new[:sample_chars]))
    return Conversion(out, rows, pairs)
