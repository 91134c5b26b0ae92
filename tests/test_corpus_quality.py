"""Reading that stays true: headerless CSVs, cp1252 detection, the --no-header/--header CLI options."""

from __future__ import annotations

import pytest

from core.corpus import LoadOptions, detect_encoding, header_looks_like_data, load_corpus

# Shopping reviews exported without a header row (text, label, sentiment).
HEADERLESS = (
    "作者真有英国人严谨的风格，提出观点、进行论述论证，尽管本人对物理学了解不深，但是仍然能感受到真理的火花。,书籍,1\n"
    "作者长篇大论借用详细报告数据处理工作和计算结果支持其新观点。,书籍,1\n"
    "手机很好用，信号稳定，电池也耐用,手机,1\n"
    "书的质量太差了，纸张发黄，还有错别字,书籍,0\n"
    "屏幕有坏点，客服不理人,手机,0\n"
)
SHORT_LABELS = "好评,正面\n很好,正面\n太差了,负面\n还行,正面\n不推荐,负面\n"


def test_headerless_csv_keeps_its_first_document_and_says_so():
    corpus = load_corpus(HEADERLESS.encode("utf-8"), "reviews.csv")
    assert corpus.n_docs == 5 and corpus.columns == ["column_1", "column_2", "column_3"]
    assert corpus.texts[0].startswith("作者真有英国人严谨的风格")
    assert "first row looks like data" in corpus.warnings[0]


def test_a_label_value_as_column_name_is_recognised_as_data():
    corpus = load_corpus(SHORT_LABELS.encode("utf-8"), "short.csv")
    assert corpus.n_docs == 5 and corpus.texts[0] == "好评"


def test_header_choice_overrides_detection():
    as_header = load_corpus(HEADERLESS.encode("utf-8"), "reviews.csv", LoadOptions(header=True))
    assert as_header.n_docs == 4 and not as_header.warnings
    real = "text,label\n比赛很精彩,体育\n股市上涨,财经\n"
    assert load_corpus(real.encode("utf-8"), "r.csv").columns == ["text", "label"]
    forced = load_corpus(real.encode("utf-8"), "r.csv", LoadOptions(header=False))
    assert forced.n_docs == 3 and forced.texts[0] == "text" and not forced.warnings


def test_ordinary_headers_do_not_look_like_data():
    import pandas as pd

    frame = pd.DataFrame({"review text": ["a b", "c d", "e"], "label": ["x", "y", "x"], "评论内容": ["1", "2", "3"]})
    assert header_looks_like_data(frame) is None


@pytest.mark.parametrize("text", [
    "text,label\nThe café’s menu — “great” prices,food\nNaïve résumé writers earn €5,jobs\n",
    "text\nDon’t worry – it’s fine\n",
    "text\nSmörgåsbord in Zürich\nCrème brûlée is served\n",
])
def test_cp1252_is_detected(text):
    data = text.encode("cp1252")
    assert detect_encoding(data) == "cp1252"
    assert load_corpus(data, "excel.csv").texts[0] == text.splitlines()[1].split(",")[0]


def test_chinese_legacy_encodings_are_not_taken_for_cp1252():
    assert detect_encoding("text\n这本书很好 2019 abc，推荐购买\n".encode("gbk")) == "gb18030"
    assert detect_encoding("text\n這本書很好 2019 abc，推薦購買\n".encode("big5")) != "cp1252"


@pytest.mark.parametrize("command", ["inspect", "terms", "topics", "sweep", "finetune"])
def test_every_corpus_command_offers_no_header(command, capsys):
    from core.cli import main

    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "--no-header" in out and "--header" in out


def test_cli_no_header_reads_the_first_row_as_a_document(tmp_path, capsys):
    from core.cli import main

    path = tmp_path / "r.csv"
    path.write_text("text,label\n比赛很精彩,体育\n股市上涨,财经\n", encoding="utf-8")
    import json

    assert main(["inspect", str(path), "--no-header"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == 3 and out["columns"] == ["column_1", "column_2"]
    assert main(["inspect", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == 2 and out["columns"] == ["text", "label"]
