"""Representative documents skip near-duplicates and repetitive spam; long ones open in full in the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.topics import explore, report
from core.topics.docfilter import is_repetitive, pick_distinct, repetition_ratio
from topics_fixtures import make_model

REVIEW = "这本书写得很好，内容丰富，推荐大家购买阅读，物流也很快"


DATA = Path(__file__).parent / "data"
ARTICLE_EN = (DATA / "article_en.txt").read_text(encoding="utf-8")   # 2,390 characters
ARTICLE_ZH = (DATA / "article_zh.txt").read_text(encoding="utf-8")


def test_repetitive_spam_is_recognised():
    assert is_repetitive("差评差评差评差评差评差评差评差评差评差评差评")
    assert is_repetitive("good good good good good good good")
    assert not is_repetitive(REVIEW)
    assert not is_repetitive("差评差评")  # too short to judge


def test_repetition_not_length_makes_a_text_repetitive():
    # long real writing in both languages is not spam (the old bigram measure called every English
    # text over ~1,000 characters spam)
    assert not is_repetitive(ARTICLE_EN) and not is_repetitive(ARTICLE_ZH)
    assert not is_repetitive(ARTICLE_EN + "\n\n" + ARTICLE_ZH)
    # spam of any length, and copy-pasted lines
    assert is_repetitive("好用好用啊！" * 40) and is_repetitive("差评" * 300)
    assert is_repetitive("Great product, fast delivery!!! " * 3)
    assert is_repetitive(ARTICLE_EN + "\n" + ARTICLE_EN)
    assert is_repetitive("\n".join([ARTICLE_ZH.splitlines()[2]] * 4))
    # a quoted phrase or a repeated name does not make an article repetitive
    assert not is_repetitive(ARTICLE_EN.replace("The council", "The harbour council said the harbour council"))
    assert repetition_ratio(ARTICLE_EN) > 0.9 and repetition_ratio("差评" * 300) < 0.05


def test_pick_distinct_skips_copies_and_spam_in_rank_order():
    texts = ["差评差评差评差评差评差评差评差评差评差评", REVIEW, REVIEW + "！", " " + REVIEW.replace("，", ","),
             "手机信号不好，电池也不耐用，客服态度差", "", "快递很快，包装完好"]
    assert pick_distinct(range(len(texts)), texts, 3) == [1, 4, 6]
    # too few distinct documents: the skipped ones fill up, still in rank order
    assert pick_distinct([1, 2, 0], texts, 3) == [1, 2, 0]


def test_representative_docs_of_a_topic_are_distinct():
    model = make_model(k=3)
    w = model.doc_topic[:, 0]
    top = np.argsort(-w, kind="stable")
    texts = [f"文档 {r} 的独特内容 {r * 7919}" for r in range(90)]
    texts[int(model.doc_rows[top[0]])] = "差评" * 12
    texts[int(model.doc_rows[top[2]])] = texts[int(model.doc_rows[top[1]])]
    rep = explore.representative_docs(model, texts, 0, 3)
    expected = [int(model.doc_rows[i]) for i in (top[1], top[3], top[4])]
    assert rep["row"].tolist() == expected
    assert "差评差评" not in " ".join(rep["text"])


def test_representative_docs_of_long_articles_are_the_topics_own():
    # long articles are not skipped as spam: the first representative document is the one with the
    # topic's highest weight
    model = make_model(k=3)
    texts = [f"文档 {r} 的独特内容 {r * 7919}" for r in range(90)]
    for topic, article in enumerate([ARTICLE_EN, ARTICLE_ZH, ARTICLE_EN.upper()]):
        texts[int(model.doc_rows[np.argmax(model.doc_topic[:, topic])])] = article
    for topic in range(3):
        rep = explore.representative_docs(model, texts, topic, 3)
        assert rep["weight"].iloc[0] == model.doc_topic[:, topic].max()


def test_report_documents_open_in_full():
    model = make_model(k=3)
    long_text = "开头" + "很长的评论内容" * 80 + "结尾的话"
    html_text = report.topic_cards_html(model, ["a", "b", "c"], [long_text + str(i) for i in range(90)], 0.6)
    assert "<details><summary>" in html_text and "结尾的话" in html_text
