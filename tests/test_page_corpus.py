"""AppTest of the frame and the Corpus page: demo on first run, upload, overrides, errors keep the corpus."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from fixture_paths import ROOT


@pytest.fixture
def at():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    return app


def successes(app):
    return [s.value for s in app.success]


def metric(app, label):
    return next(m.value for m in app.metric if m.label == label)


def test_first_run_shows_demo_corpus(at):
    assert any("Loaded 600 rows" in s for s in successes(at))
    assert metric(at, "Rows") == "600"
    assert metric(at, "Encoding") == "utf-8"
    assert any("rjieba" in m.value for m in at.markdown)
    assert at.session_state["corpus"].label_col == "label"


def test_upload_gbk_csv_then_bad_file_keeps_previous(at):
    data = "text,label\r\n\"体育新闻\r\n第二行\",体育\r\n财经新闻内容,财经\r\n".encode("gbk")
    at.file_uploader(key="corpus_upload").set_value(("新闻.csv", data, "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert any("Loaded 2 rows" in s for s in successes(at))
    assert metric(at, "Encoding") == "gb18030"

    at.file_uploader(key="corpus_upload").set_value(("evil.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv"))
    at.run()
    assert not at.exception
    assert any("PNG image" in e.value for e in at.error)
    assert any("Still using the corpus loaded before" in i.value for i in at.info)   # previous corpus kept
    assert not successes(at)
    assert at.session_state["corpus"].n_docs == 2


def test_encoding_override_and_text_column_override(at):
    frame = pd.DataFrame({"title": ["短标题一", "短标题二", "短标题三"],
                          "body": ["这是一篇很长的新闻正文内容一", "这是一篇很长的新闻正文内容二", "这是一篇很长的新闻正文内容三"]})
    at.file_uploader(key="corpus_upload").set_value(("t.csv", frame.to_csv(index=False).encode("gb18030"), "text/csv"))
    at.run()
    corpus = at.session_state["corpus"]
    assert corpus.text_col == "body"
    at.selectbox(key=f"corpus_text_col_{corpus.fingerprint}").set_value("title").run()
    assert at.session_state["corpus"].text_col == "title"

    at.selectbox(key="corpus_encoding").set_value("utf-8").run()   # wrong on purpose
    assert any("not valid utf-8" in e.value for e in at.error)
    assert at.session_state["corpus"].text_col == "title"           # nothing lost


def test_invalid_role_is_undone_with_a_message_and_format_round_trip_keeps_label(at):
    frame = pd.DataFrame({"text": ["第一篇新闻正文内容", "第二篇新闻正文内容", "第三篇新闻正文内容", "第四篇"],
                          "label": ["甲", "乙", "甲", "乙"], "score": ["1", "2", "3", "4"]})
    at.file_uploader(key="corpus_upload").set_value(("r.csv", frame.to_csv(index=False).encode(), "text/csv"))
    at.run()
    corpus = at.session_state["corpus"]
    assert corpus.label_col == "label"
    at.selectbox(key=f"corpus_date_col_{corpus.fingerprint}").set_value("score").run()
    assert any("no values that read as dates" in e.value for e in at.error)
    assert at.selectbox(key=f"corpus_date_col_{corpus.fingerprint}").value == "(none)"   # choice undone
    at.run()
    assert not at.error                                                                   # said once

    at.selectbox(key="corpus_format").set_value("txt").run()
    assert at.session_state["corpus"].label_col is None
    at.selectbox(key="corpus_format").set_value("auto").run()
    assert at.session_state["corpus"].label_col == "label"


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, frame in sheets.items():
            frame.to_excel(w, sheet_name=name, index=False)
    return buf.getvalue()


def test_second_workbook_with_other_sheet_names_loads(at):
    one = xlsx_bytes({"Sheet1": pd.DataFrame({"text": ["第一本工作簿的文档", "另一篇文档"]}),
                      "Sheet2": pd.DataFrame({"text": ["第二张表的文档"]})})
    at.file_uploader(key="corpus_upload").set_value(("one.xlsx", one, "application/octet-stream")).run()
    corpus = at.session_state["corpus"]
    assert corpus.sheet == "Sheet1" and corpus.n_docs == 2
    at.selectbox(key=f"corpus_sheet_{corpus.content_hash[:12]}").set_value("Sheet2").run()
    assert at.session_state["corpus"].sheet == "Sheet2"

    two = xlsx_bytes({"数据": pd.DataFrame({"text": ["新工作簿的第一篇", "第二篇", "第三篇"]})})
    at.file_uploader(key="corpus_upload").set_value(("two.xlsx", two, "application/octet-stream")).run()
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["corpus"].sheet == "数据" and at.session_state["corpus"].n_docs == 3


def test_workbook_with_a_readme_sheet_asks_which_sheet_and_loads_the_data_one(at):
    book = xlsx_bytes({"README": pd.DataFrame({"about": ["This workbook", "keeps its data", "in sheet 2"]}),
                       "data": pd.DataFrame({"text": [f"文档 {i}" for i in range(20)]}),
                       "empty": pd.DataFrame({"note": []})})
    at.file_uploader(key="corpus_upload").set_value(("book.xlsx", book, "application/octet-stream")).run()
    corpus = at.session_state["corpus"]
    assert corpus.sheet == "data" and corpus.n_docs == 20          # not the 3-row README in front
    picker = at.selectbox(key=f"corpus_sheet_{corpus.content_hash[:12]}")
    assert "several sheets with data" in picker.label
    assert picker.format_func("README") == "README (3 rows)"
    # the question is asked in the open, not inside the collapsed "How the file is read" expander
    expander = [e for e in at.expander if e.label == "How the file is read"][0]
    assert picker.key not in [w.key for w in expander.selectbox]
    assert any("Loaded 20 rows" in s for s in successes(at))


def test_one_row_and_giant_documents_are_worded_right(at):
    data = pd.DataFrame({"text": ["x" * 250_000]}).to_csv(index=False).encode()
    at.file_uploader(key="corpus_upload").set_value(("one.csv", data, "text/csv")).run()
    assert any("Loaded 1 row from one.csv" in s for s in successes(at))
    assert any("very long" in w.value and "250,000 characters" in w.value for w in at.warning)


def test_preprocessing_settings_apply_and_show_removals(at):
    at.text_input[0].set_value("新闻 体育")
    at.button[1].click()  # "Apply preprocessing" (form submit)
    at.run()
    assert not at.exception
    assert at.session_state["preprocess_settings"].extra_stopwords == ("新闻", "体育")
    removed = next(df.value for df in at.dataframe if "removed by" in df.value.columns)
    assert "your stopwords" in set(removed["removed by"])


def test_demo_switch_to_english(at):
    at.selectbox(key="corpus_demo").set_value("English AG News (400, 4 labels)")
    at.button(key="corpus_load_demo").click()
    at.run()
    assert any("Loaded 400 rows" in s for s in successes(at))
    assert any("regex word tokenizer" in m.value for m in at.markdown)


SHARED_ROWS = {"zh_news_titles.csv": 9989, "zh_shopping_reviews.csv": 7486, "zh_news_articles_sogou.csv": 248,
               "zh_fudan_gbk_sample.csv": 200, "en_news_ag.csv": 3800, "en_news_bbc.csv": 1066}


@pytest.mark.skipif(not (ROOT.parent / "shared" / "corpora").exists(), reason="optional: needs ../shared/corpora")
def test_shared_corpora_load_through_the_ui(at):
    for name, rows in SHARED_ROWS.items():
        data = (ROOT.parent / "shared" / "corpora" / name).read_bytes()
        at.file_uploader(key="corpus_upload").set_value((name, data, "text/csv"))
        at.run(timeout=120)
        assert not at.exception and not at.error, name
        assert metric(at, "Rows") == f"{rows:,}", name
