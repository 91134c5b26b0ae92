"""Ingestion at scale: the bytes fast path reads exactly what the decoded-text path reads, and the
vectorised quality summary counts exactly what the per-document rules count."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pandas as pd
import pytest

from core.corpus import (
    _HAN, _LATIN, LoadOptions, _has_control, _read_csv_bytes, _read_delimited, decode_bytes, language_of, load_corpus,
    sniff_delimiter, summarize,
)
from core.errors import InputError
from core.textstats import char_class_counts
from fixture_paths import DEMO_EN, DEMO_ZH

CSVS = {
    "numbers and booleans stay the file's strings": "id,text,score,flag\n007,你好 世界,1.50,True\n8,hello,2,False\n",
    "quoted newlines and delimiters": 'text,label\n"第一行\n第二行, 还有逗号",a\n"say ""hi""",b\n',
    "semicolons, empty cells": "text;label;n\nabc;;1\n;x;\nlast;y;3\n",
    "BOM": "\ufefftext,label\n中文,a\nmore,b\n",
    "blank lines": "text,label\n\nfirst,a\n\n\nsecond,b\n",
    "tabs": "text\tlabel\nα\tβ\nγ\tδ\n",
}


def _text_path(data: bytes) -> pd.DataFrame:
    text, _ = decode_bytes(data)
    frame, warnings = _read_delimited(text, sniff_delimiter(text))
    assert warnings == []
    return frame


@pytest.mark.parametrize("name", list(CSVS))
def test_bytes_fast_path_reads_what_the_text_path_reads(name):
    data = CSVS[name].encode("utf-8")
    fast = _read_csv_bytes(data, "t.csv", LoadOptions())
    assert fast is not None
    pd.testing.assert_frame_equal(fast[0], _text_path(data))


@pytest.mark.parametrize("path", [DEMO_ZH, DEMO_EN])
def test_bytes_fast_path_on_the_demo_corpora(path):
    data = path.read_bytes()
    frame, enc, delim = _read_csv_bytes(data, path.name, LoadOptions())
    pd.testing.assert_frame_equal(frame, _text_path(data))
    assert (enc, delim) == ("utf-8", ",")


def test_other_encodings_and_ragged_rows_take_the_text_path():
    gbk = "text,label\n这是简体中文的评论，质量很好,好评\n物流太慢了,差评\n".encode("gb18030")
    assert _read_csv_bytes(gbk, "g.csv", LoadOptions()) is None
    corpus = load_corpus(gbk, "g.csv")
    assert corpus.encoding == "gb18030" and corpus.texts[1] == "物流太慢了"
    ragged = "text,label\na,1\nb,2,extra\nc,3\n".encode()
    assert _read_csv_bytes(ragged, "r.csv", LoadOptions()) is None
    with pytest.raises(InputError, match="more fields than the header"):   # the text path's message
        load_corpus(ragged, "r.csv")
    # a chosen encoding is used as given
    corpus = load_corpus(gbk, "g.csv", LoadOptions(encoding="gb18030"))
    assert corpus.encoding == "gb18030" and corpus.n_docs == 2


def _reference_counts(t: str) -> tuple[int, int, int]:
    ctrl = sum(1 for ch in t if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return len(_HAN.findall(t)), len(_LATIN.findall(t)), ctrl


def test_char_class_counts_equal_the_per_document_rules():
    rng = random.Random(7)
    ranges = [(0, 0x2FF), (0x3000, 0xA000), (0xF800, 0xFB00), (0x1F600, 0x1F64F), (0x20000, 0x2A6DF)]
    texts = ["", "Ａbc", "é中文\x85\x07", "\x00\x7f\t\n\r", "ÀɏɐȀ¿", "𠀀中", "豈﫿", "㐀䶿一鿿〇", "\u0080\u009f\u00a0"]
    for _ in range(2000):
        chars = (chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(0, 40)))
        texts.append("".join(c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF))
    got = list(zip(*(a.tolist() for a in char_class_counts(texts))))
    assert got == [_reference_counts(t) for t in texts]
    assert [len(a) for a in char_class_counts([])] == [0, 0, 0]
    # an Arrow-backed Series with missing values counts them as empty
    series = pd.Series(["中文 abc", None, "\x01"], dtype="str")
    assert [a.tolist() for a in char_class_counts(series)] == [[2, 0, 0], [3, 0, 0], [0, 0, 1]]


def test_summary_matches_the_per_document_rules_on_a_mixed_corpus():
    texts = ["中文评论 good", "english only", "", "  ", "中文评论 good", "bad\x07bell", "123 456", "混合 mixed words here"]
    frame = pd.DataFrame({"text": texts, "label": ["a", "b"] * 4})
    corpus = load_corpus(frame.to_csv(index=False).encode(), "m.csv")
    s = summarize(corpus)
    langs = pd.Series([language_of(t) for t in corpus.texts]).value_counts()
    assert s.language_mix == {k: int(langs.get(k, 0)) for k in ("zh", "en", "other")}
    assert s.control_char_docs == sum(_has_control(t) for t in corpus.texts) == 1
    assert (s.rows, s.empty_texts, s.duplicate_texts) == (8, 2, 1)
    assert np.array_equal(s.char_lengths, [len(t) for t in corpus.texts])
