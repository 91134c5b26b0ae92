"""AppTest of pages/terms.py: schemes, groups, lookup, document view, worked example, error paths.

Expected values come from the engine run on the same demo corpus, never hard-coded rankings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import terms as T
from core.corpus import load_corpus
from core.preprocess import tokenize

# Paths built here, not imported from conftest: with tests/browser/conftest.py also collected,
# `from conftest import ...` can resolve to the wrong module.
ROOT = Path(__file__).resolve().parents[1]
DEMO_ZH = ROOT / "assets" / "demo_zh_news_titles.csv"
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def demo_tm():
    from core.corpus import load_path

    corpus = load_path(DEMO_ZH)
    return corpus, T.build_term_matrix(tokenize(corpus.texts).docs)


def _terms_page(corpus=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if corpus is not None:
        at.session_state["corpus"] = corpus   # what the Corpus page stores after an upload
    at.run()
    at.switch_page("pages/terms.py").run()
    assert not at.exception, at.exception
    return at


def _view(at: AppTest, name: str) -> AppTest:
    at.radio(key="terms_view").set_value(name).run()
    assert not at.exception, at.exception
    return at


def _figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def _corpus(rows: list[dict]) -> object:
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False)
    return load_corpus(buf.getvalue().encode("utf-8"), "custom.csv")


def test_ranking_follows_scheme_and_score(demo_tm):
    _, tm = demo_tm
    at = _terms_page()
    table = at.dataframe[0].value
    expected = T.rank_terms(tm, T.Scheme("sklearn"), "mean", 20)
    assert table["term"].tolist() == expected["term"].tolist()
    fig = _figure(at)
    assert fig["data"][0]["y"][-1] == expected["term"].iloc[0]       # top term drawn at the top
    at.selectbox(key="terms_scheme").set_value("textbook").run()
    at.selectbox(key="terms_score").set_value("max").run()
    at.number_input(key="terms_top").set_value(7).run()
    assert not at.exception and not at.error
    expected = T.rank_terms(tm, T.Scheme("textbook", "10"), "max", 7)
    table = at.dataframe[0].value
    assert table["term"].tolist() == expected["term"].tolist()
    assert table["max"].tolist() == pytest.approx(expected["max"].tolist())
    assert len(at.get("download_button")) == 3                     # CSV, XLSX, chart HTML


def test_group_view_methods_and_filter(demo_tm):
    corpus, tm = demo_tm
    at = _view(_terms_page(), "Groups")
    assert at.selectbox(key="terms_group_col").value == "label"
    fig = _figure(at)
    groups = sorted(set(corpus.labels))
    assert len(fig["data"]) == len(groups) == 10
    expected = T.group_terms(tm, corpus.labels, "ctfidf", top_n=20)
    sport = next(tr for tr in fig["data"] if tr["name"] == "体育")
    assert sport["y"][::-1] == expected.series("体育")[0]
    at.radio(key="terms_group_method").set_value("inout").run()
    at.multiselect(key="terms_groups::label").set_value(["体育", "财经"]).run()
    assert not at.exception and not at.error
    fig = _figure(at)
    assert sorted(tr["name"] for tr in fig["data"]) == sorted(["体育", "财经"])
    inout = T.group_terms(tm, corpus.labels, "inout", T.Scheme(), 20, groups=["财经"])
    fin = next(tr for tr in fig["data"] if tr["name"] == "财经")
    assert fin["y"][::-1] == inout.series("财经")[0]
    assert set(at.dataframe[0].value["group"]) == {"体育", "财经"}


def test_term_lookup_and_unknown_term(demo_tm):
    _, tm = demo_tm
    at = _view(_terms_page(), "Term lookup")
    term = T.rank_terms(tm, T.Scheme(), "count", 1)["term"].iloc[0]
    at.text_input(key="terms_lookup").set_value(term).run()
    assert not at.error
    values = {m.label: m.value for m in at.metric}
    j = tm.index_[term]
    assert values["Count"] == f"{tm.total_[j]:,}"
    assert values["Document frequency"].startswith(f"{tm.df_[j]:,} /")
    kwic = at.dataframe[1].value                                                  # concordance lines
    assert list(kwic.columns) == ["row", "label", "left", "keyword", "right"]    # with the corpus's label column
    assert kwic["keyword"].str.lower().eq(term.lower()).all()
    corpus = at.session_state["corpus"]
    assert kwic["label"].tolist() == [str(corpus.labels[r]) for r in kwic["row"]]
    at.radio(key="terms_kwic_sort").set_value("right").run()
    right = at.dataframe[1].value["right"].tolist()
    assert right == sorted(right)
    at.radio(key="terms_kwic_sort").set_value("left").run()
    left = at.dataframe[1].value["left"].tolist()
    assert [x[::-1] for x in left] == sorted(x[::-1] for x in left)               # nearest word first
    assert [b.proto.label for b in at.get("download_button")] == ["CSV", "XLSX"]  # the concordance export
    at.text_input(key="terms_lookup").set_value("完全不存在的词xyz").run()
    assert not at.exception
    assert "not in the vocabulary" in at.error[0].value
    _view(at, "Corpus ranking")                       # the page stays usable
    assert not at.error and len(at.get("plotly_chart")) == 1


def test_document_view_escapes_html():
    rows = [{"text": "<script>alert(1)</script> 基金 发行 基金", "label": "a"},
            {"text": "球队 比赛 <b>冠军</b>", "label": "b"}, {"text": "基金 市场 下跌", "label": "a"}]
    at = _view(_terms_page(_corpus(rows)), "Document")
    at.text_input(key="terms_doc_query").set_value("script").run()
    assert not at.exception
    html = at.get("html")[0].proto.body
    assert "<script" not in html and "</script" not in html and "<b>" not in html
    assert "&lt;" in html and "&gt;" in html                       # the brackets are shown as text
    assert "<mark" in html and ">基金</mark>" in html
    at.text_input(key="terms_doc_query").set_value("nothing-matches-this").run()
    assert not at.exception and "No document contains" in at.info[0].value


def test_worked_example_and_specification_numbers(demo_tm):
    _, tm = demo_tm
    at = _terms_page()
    at.selectbox(key="terms_scheme").set_value("textbook").run()
    _view(at, "Formulas & worked example")
    latex = [el.value for el in at.latex]
    assert any(r"\frac{N(t,d)}{N(d)}" in v for v in latex)          # all three formulas rendered
    spec = latex[-1]
    assert "The textbook example" in " ".join(m.value for m in at.markdown)
    assert "specification" not in " ".join(m.value for m in at.markdown).lower()
    assert r"\mathrm{TF} = 0.50" in spec and r"\mathrm{IDF} = 1.30" in spec and "= 0.65" in spec
    term = at.text_input(key="terms_ex_term").value
    row = at.selectbox(key=f"terms_ex_row::{term}").value
    example = T.worked_example(tm, term, row, T.Scheme("textbook", "10"))
    assert f"{example.value:.6f}" in latex[-2]


def test_bad_input_messages_keep_page_usable():
    rows = [{"text": f"基金 发行 市场 {i} 号 球队 比赛", "label": "体育" if i else "独一", "id": f"id{i}"}
            for i in range(500)]
    at = _terms_page(_corpus(rows))
    at.number_input(key="terms_min_df").set_value(10_000).run()
    assert not at.exception and "more than the corpus has" in at.error[0].value
    at.number_input(key="terms_min_df").set_value(1).run()
    assert not at.error and len(at.get("plotly_chart")) == 1
    _view(at, "Groups")
    at.selectbox(key="terms_group_col").set_value("id").run()
    assert not at.exception and "500 distinct values" in at.error[0].value
    at.selectbox(key="terms_group_col").set_value("label").run()
    assert not at.error
    assert any("only one document" in w.value and "独一" in w.value for w in at.warning)


def test_document_view_reaches_every_document():
    rows = [{"text": f"基金 市场 doc{i}x 报道", "label": "a" if i % 2 else "b"} for i in range(260)]
    at = _view(_terms_page(_corpus(rows)), "Document")
    picker = at.selectbox(key="terms_doc::")
    assert len(picker.options) == 200
    assert any("260 documents match; the list shows the first 200" in c.value for c in at.caption)
    at.number_input(key="terms_doc_row").set_value(259).run()       # beyond the list: by row number
    assert not at.exception
    assert "doc259x" in at.get("html")[0].proto.body
