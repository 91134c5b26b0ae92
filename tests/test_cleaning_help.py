"""Helping the analyst clean: suggested stopwords, NPMI phrases, English lemmatisation."""

from __future__ import annotations

import math

import pytest

from core.phrases import find_phrases, merge_phrases, parse_phrases
from core.preprocess import PreprocessSettings, tokenize
from core.stopword_suggest import suggest_stopwords

# Product reviews: 不错 / 买 occur everywhere, 屏幕 / 纸张 only in their own category.
REVIEWS = ([["手机", "屏幕", "不错", "买"], ["手机", "电池", "不错"], ["屏幕", "清晰", "买"]] * 10
           + [["书", "纸张", "不错", "买"], ["书", "内容", "不错"], ["纸张", "印刷", "买"]] * 10)
GROUPS = ["手机"] * 30 + ["书籍"] * 30


def test_suggested_stopwords_are_frequent_and_evenly_spread():
    table = suggest_stopwords(REVIEWS, GROUPS, n=5)
    assert table["word"].tolist()[:2] == ["不错", "买"]
    row = table.set_index("word").loc["不错"]
    assert row["documents"] == 40 and row["share"] == pytest.approx(40 / 60) and row["evenness"] == pytest.approx(1.0)
    # 手机 is in as many documents as 买 in its group but only in one group: never proposed before them
    scores = suggest_stopwords(REVIEWS, GROUPS, n=50).set_index("word")["score"]
    assert scores["手机"] < scores["买"] and scores.get("书", 0) < scores["买"]


def test_suggestions_without_groups_use_corpus_slices():
    table = suggest_stopwords(REVIEWS, None, n=3)  # phone reviews first, then books: 10 slices of 6
    assert set(table["word"][:2]) == {"不错", "买"} and table["evenness"][:2].tolist() == pytest.approx([1.0, 1.0])
    assert table["evenness"][2] < 0.8
    assert suggest_stopwords([], None).empty


def test_phrases_are_scored_by_npmi_and_merged():
    docs = [["new", "york", "pizza"], ["new", "york", "city"], ["new", "idea"], ["york", "minster"],
            ["great", "pizza"]] * 5
    table = find_phrases(docs, min_count=5, threshold=0.3)
    top = table.iloc[0]
    assert top["phrase"] == "new york" and top["count"] == 10
    n_uni, n_bi = sum(len(d) for d in docs), sum(len(d) - 1 for d in docs)
    p_ab = 10 / n_bi
    expected = math.log(p_ab / ((15 / n_uni) * (15 / n_uni))) / -math.log(p_ab)
    assert top["npmi"] == pytest.approx(expected)
    assert merge_phrases([["new", "york", "new", "idea", "new", "york"]], ["new york"]) == \
        [["new_york", "new", "idea", "new_york"]]
    assert parse_phrases(["new york", "new_york", "three word phrase", "", "信用 卡"]) == ("new york", "信用 卡")


def test_tokenize_merges_the_listed_phrases():
    settings = PreprocessSettings(language="en", phrases=("new york",))
    assert tokenize(["I love New York pizza"], settings).docs == [["love", "new_york", "pizza"]]


def test_english_lemmatisation_is_optional_and_respects_stopwords():
    text = ["The companies were running studies and said they had mice"]
    off = tokenize(text, PreprocessSettings(language="en", lemmatize=False)).docs[0]
    on = tokenize(text, PreprocessSettings(language="en")).docs[0]  # on by default (bench/quality.py)
    assert "companies" in off and "said" in off
    assert {"company", "run", "study", "say", "mouse"} <= set(on)
    assert "be" not in on  # "were" -> "be", which is an English stopword
    zh = tokenize(["公司正在运行 running"], PreprocessSettings(language="zh"))
    assert zh.docs == tokenize(["公司正在运行 running"], PreprocessSettings(language="zh", lemmatize=False)).docs


def test_corpus_page_adds_a_suggested_stopword_in_one_click_and_applies_phrases():
    from streamlit.testing.v1 import AppTest

    from core.corpus import load_corpus
    from fixture_paths import ROOT

    rows = ["text,label"] + [f"{' '.join(d)},{g}" for d, g in zip(REVIEWS, GROUPS)]
    corpus = load_corpus("\n".join(rows).encode("utf-8"), "reviews.csv")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["corpus"] = corpus
    at.run()
    assert not at.exception, at.exception
    add = [b for b in at.button if b.key == "corpus_addstop_不错"]
    assert len(add) == 1 and add[0].label.startswith("＋ 不错")
    add[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["preprocess_settings"].extra_stopwords == ("不错",)
    assert not any(b.key == "corpus_addstop_不错" for b in at.button)  # gone from the tokens and the list
    at.text_area(key="corpus_phrases_text").set_value("屏幕 清晰\n一 二 三").run()
    [b for b in at.button if b.key == "corpus_phrases_apply"][0].click().run()
    assert not at.exception, at.exception
    settings = at.session_state["preprocess_settings"]
    assert settings.phrases == ("屏幕 清晰",) and settings.extra_stopwords == ("不错",)
