"""core.corpus: every format, encoding and bad input from the foundation issue."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest

from fixture_paths import DEMO_EN, DEMO_ZH, SHARED
from core.corpus import LoadOptions, detect_encoding, language_of, load_corpus, load_path, summarize
from core.errors import InputError

ZH_TEXT = "繁體中文測試，這是一段文字"


def csv_bytes(rows, header=("text", "label"), sep=",", encoding="utf-8") -> bytes:
    buf = io.StringIO()
    pd.DataFrame(rows, columns=list(header)).to_csv(buf, index=False, sep=sep)
    return buf.getvalue().encode(encoding)


ROWS = [("今天天气很好，我们去公园散步吧", "生活"), ("股市大涨，投资者信心回升", "财经"),
        ("球迷热议国足主教练人选", "体育"), ("新款手机发布，搭载最新芯片", "科技")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_detected_and_decoded(encoding):
    data = csv_bytes(ROWS * 5, encoding=encoding)
    corpus = load_corpus(data, "x.csv")
    assert corpus.n_docs == 20
    assert corpus.texts[0] == ROWS[0][0]
    assert corpus.labels[:4] == [r[1] for r in ROWS]


def test_big5_traditional_detected():
    rows = [("繁體中文測試，這是一段很長的文字內容，用來檢查編碼偵測是否正確", "甲"),
            ("臺灣的資訊科技產業發展迅速，軟體工程師需求很高", "乙")] * 10
    data = csv_bytes(rows, encoding="big5")
    corpus = load_corpus(data, "big5.csv")
    assert corpus.encoding.startswith("big5")
    assert corpus.texts[1] == rows[1][0]


def test_encoding_override_and_bad_override():
    data = csv_bytes(ROWS, encoding="gb18030")
    assert load_corpus(data, "x.csv", LoadOptions(encoding="gb18030")).texts[1] == ROWS[1][0]
    with pytest.raises(InputError, match="not valid utf-8"):
        load_corpus(data, "x.csv", LoadOptions(encoding="utf-8"))
    with pytest.raises(InputError, match="Unknown encoding"):
        load_corpus(data, "x.csv", LoadOptions(encoding="klingon"))


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_delimiter_sniffed(sep):
    corpus = load_corpus(csv_bytes(ROWS, sep=sep), "x.tsv")
    assert corpus.delimiter == sep
    assert corpus.columns == ["text", "label"]


def test_crlf_multiline_quoted_fields():
    data = 'text,label\r\n"第一行\r\n第二行",甲\r\n"单行",乙\r\n'.encode("gbk")
    corpus = load_corpus(data, "x.csv")
    assert corpus.n_docs == 2
    assert corpus.texts[0] == "第一行\r\n第二行"


def test_txt_line_and_paragraph_modes():
    data = "第一段第一行\n第一段第二行\n\n第二段\n\n\n第三段\n".encode()
    assert load_corpus(data, "x.txt").n_docs == 4
    para = load_corpus(data, "x.txt", LoadOptions(txt_mode="paragraph"))
    assert para.texts == ["第一段第一行\n第一段第二行", "第二段", "第三段"]


def test_jsonl_and_bad_jsonl():
    lines = [json.dumps({"text": t, "label": l, "meta": {"a": 1}}, ensure_ascii=False) for t, l in ROWS]
    corpus = load_corpus("\n".join(lines).encode(), "x.jsonl")
    assert corpus.n_docs == 4 and corpus.label_col == "label"
    with pytest.raises(InputError, match="line 2"):
        load_corpus(b'{"text": "a"}\n{broken\n', "x.jsonl")


def test_xlsx_several_sheets():
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        pd.DataFrame({"note": []}).to_excel(w, sheet_name="empty", index=False)
        pd.DataFrame(ROWS, columns=["text", "label"]).to_excel(w, sheet_name="data", index=False)
        pd.DataFrame({"text": ["另一张表"]}).to_excel(w, sheet_name="other", index=False)
    data = buf.getvalue()
    corpus = load_corpus(data, "book.xlsx")
    assert corpus.sheet_names == ["empty", "data", "other"]
    assert corpus.sheet == "data" and corpus.n_docs == 4   # first non-empty sheet
    assert load_corpus(data, "book.xlsx", LoadOptions(sheet="other")).texts == ["另一张表"]
    with pytest.raises(InputError, match="No sheet named"):
        load_corpus(data, "book.xlsx", LoadOptions(sheet="nope"))


def test_zip_of_txt_keeps_file_names_and_skips_other_members():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("docs/a.txt", "文档甲的内容".encode("utf-8"))
        zf.writestr("docs/b.txt", "文档乙的内容".encode("gb18030"))
        zf.writestr("docs/picture.png", b"\x89PNG\r\n\x1a\n")
    corpus = load_corpus(buf.getvalue(), "docs.zip")
    assert corpus.file_format == "zip"
    assert corpus.frame["file"].tolist() == ["docs/a.txt", "docs/b.txt"]
    assert corpus.texts == ["文档甲的内容", "文档乙的内容"]
    assert any("picture.png" in w for w in corpus.warnings)


def test_zip_without_text_members():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.bin", b"\x00\x01")
    with pytest.raises(InputError, match="no readable .txt"):
        load_corpus(buf.getvalue(), "x.zip")


def test_text_column_autopick_and_override():
    rows = [("短", "这是一篇比较长的文章内容，讲述了很多事情", "2024-01-0%d" % (i + 1)) for i in range(5)]
    corpus = load_corpus(csv_bytes(rows, header=("title", "body", "date")), "x.csv")
    assert corpus.text_col == "body"
    assert corpus.date_col == "date"
    assert corpus.dates.notna().all()
    title = corpus.with_roles(text_col="title")
    assert title.texts[0] == "短" and title.fingerprint != corpus.fingerprint
    with pytest.raises(InputError, match="No column named"):
        corpus.with_roles(text_col="missing")


def test_drop_empty_and_duplicates():
    rows = [("甲", "a"), ("", "b"), ("甲", "c"), ("乙", "d")]
    data = csv_bytes(rows)
    kept = load_corpus(data, "x.csv")
    assert summarize(kept).empty_texts == 1 and summarize(kept).duplicate_texts == 1
    cleaned = load_corpus(data, "x.csv", LoadOptions(drop_empty=True, drop_duplicates=True))
    assert cleaned.texts == ["甲", "乙"]
    assert (cleaned.dropped_empty, cleaned.dropped_duplicates) == (1, 1)


def test_quality_summary_language_mix_and_control_chars():
    rows = [("中文新闻标题", "a"), ("An English headline here", "b"), ("12345 !!!", "c"), ("bad\x07bell", "d")]
    s = summarize(load_corpus(csv_bytes(rows), "x.csv"))
    assert s.language_mix == {"zh": 1, "en": 2, "other": 1}
    assert s.control_char_docs == 1
    assert list(s.char_lengths) == [len(r[0]) for r in rows]
    assert language_of("体育 NBA") == "zh"


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("data,match", [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (b"text,label\n", "no rows"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
    (b"\x80\x04\x95 pickle", "pickle"),
    (b"a,b\n1,2\n3,4\n", "No text-like column"),
])
def test_bad_input_messages(data, match):
    with pytest.raises(InputError, match=match):
        load_corpus(data, "bad.csv")


def test_bytes_in_no_supported_encoding():
    junk = bytes([0x80, 0xFF, 0x81, 0xFE]) * 500   # invalid UTF-8, GB18030 and Big5
    with pytest.raises(InputError, match="encoding"):
        load_corpus(junk, "junk.csv")


def test_ragged_rows_are_refused_with_their_line_numbers():
    data = "text,label\n好的文本,甲\n多了一列,乙,多余\n正常,丙\n".encode()
    with pytest.raises(InputError, match=r"1 row\(s\) have more fields than the header's 2 \(line 3\)"):
        load_corpus(data, "x.csv")


def test_unclosed_quote_is_named():
    with pytest.raises(InputError, match="quoted field is never closed"):
        load_corpus('text,label\n"没有结束的引号,甲\n正常,乙\n'.encode(), "x.csv")


def test_one_huge_cell_and_one_row():
    huge = "长" * (10 * 1024 * 1024 // 3)
    corpus = load_corpus(f"text\n{huge}\n".encode(), "huge.csv")
    assert corpus.n_docs == 1 and len(corpus.texts[0]) == len(huge)


def test_damaged_xlsx_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not a valid .xlsx"):
        load_corpus(b"not a zip at all", "x.xlsx")
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "missing.csv")


def test_demo_assets_load():
    zh, en = load_path(DEMO_ZH), load_path(DEMO_EN)
    assert (zh.n_docs, zh.label_col, len(set(zh.labels))) == (600, "label", 10)
    assert (en.n_docs, en.label_col, len(set(en.labels))) == (400, "label", 4)


def test_detect_encoding_prefers_bom():
    assert detect_encoding("\ufeff中文".encode("utf-8")) == "utf-8-sig"
    assert detect_encoding("中文".encode("utf-16")) == "utf-16"


SHARED_ROWS = {"zh_news_titles.csv": 9989, "zh_shopping_reviews.csv": 7486, "zh_news_articles_sogou.csv": 248,
               "zh_fudan_gbk_sample.csv": 200, "en_news_ag.csv": 3800, "en_news_bbc.csv": 1066}


@pytest.mark.skipif(not SHARED.exists(), reason="optional check on ../shared/corpora (not in a fresh clone)")
@pytest.mark.parametrize("name,rows", SHARED_ROWS.items())
def test_shared_corpora_row_counts(name, rows):
    corpus = load_path(SHARED / name)
    assert corpus.n_docs == rows
    if name == "zh_fudan_gbk_sample.csv":
        assert corpus.encoding == "gb18030" and "【 文献号 】" in corpus.texts[0]
