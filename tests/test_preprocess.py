"""core.preprocess: segmentation, stopwords, filters and their removal counts."""

from __future__ import annotations

import jieba
import pytest

from core.errors import InputError
from core.preprocess import (PreprocessSettings, detect_language, parse_stopword_upload, parse_user_dict,
                             en_stopwords, segment_zh, tokenize, zh_stopwords)

SENTENCES = ["我来到北京清华大学", "南京市长江大桥", "结婚的和尚未结婚的", "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
             "他说的确实在理", "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作"]


def test_fast_segmentation_matches_jieba_on_han_text():
    ours = segment_zh(SENTENCES)
    assert ours == [jieba.lcut(s) for s in SENTENCES]


def test_tie_prone_repeated_characters_match_jieba():
    # rjieba alone splits this run 赞赞赞/赞赞 where jieba gives 赞赞/赞赞赞 (equal-probability routes).
    texts = ["速度也快赞赞赞赞赞", "哈哈哈哈哈好开心", "好好好好"]
    assert segment_zh(texts) == [jieba.lcut(t) for t in texts]


def test_one_character_words_are_kept():
    docs = tokenize(["我买了车和药"], PreprocessSettings(zh_stopwords=False)).docs
    assert "车" in docs[0] and "药" in docs[0]


def test_default_pipeline_removes_stopwords_punct_numbers_urls_emails():
    text = "我们在2019年访问了 https://example.com/a?b=1 并写信给 someone@example.org ，非常好！"
    tk = tokenize([text])
    assert tk.language == "zh" and tk.segmenter == "rjieba"
    tokens = tk.docs[0]
    assert "访问" in tokens
    assert not any("http" in t or "@" in t or t == "2019" or t == "，" for t in tokens)
    assert "我们" not in tokens  # in the merged Chinese stopword list
    assert tk.removed["URLs"] == 1 and tk.removed["e-mail addresses"] == 1
    assert tk.removed["punctuation"] >= 2 and tk.removed["numbers"] >= 1
    assert tk.removed["Chinese stopwords"] >= 1


def test_number_like_tokens_are_numbers():
    tk = tokenize(["文献号 1-2340 期号 199510 比例 3.5% 区间 2019~2020 型号 i296"], PreprocessSettings(zh_stopwords=False))
    assert tk.removed["numbers"] >= 4
    assert "i296" in tk.docs[0] and not any(ch.isdigit() for t in tk.docs[0] if t != "i296" for ch in t)


def test_each_stopword_list_is_counted_separately():
    s = PreprocessSettings(extra_stopwords=("访问",), uploaded_stopwords=("非常",))
    tk = tokenize(["访问 访问 非常 我们"], s)
    assert tk.removed["your stopwords"] == 2
    assert tk.removed["uploaded list"] == 1
    assert tk.removed["Chinese stopwords"] == 1
    assert tk.docs == [[]]


def test_english_tokenization_lowercases_and_uses_sklearn_stopwords():
    text = ["The Café's owners don't like e-mail; naïve users visit 3 times."]
    tk = tokenize(text, PreprocessSettings(lemmatize=False))
    assert tk.language == "en"
    # the possessive 's joins its word; "e-mail" (a one-letter part) is one token
    assert tk.docs[0] == ["café", "owners", "don't", "like", "e-mail", "naïve", "users", "visit", "times"]
    # lemmas by default (simplemma): plural forms fold into one term; "don't" -> "do", an English
    # stopword once lemmatised; "e-mail" -> "email"
    assert tokenize(text).docs[0] == ["café", "owner", "like", "email", "naïve", "user", "visit", "time"]
    assert tk.removed["English stopwords"] >= 1 and tk.removed["numbers"] == 1


def test_user_dictionary_keeps_words_whole():
    text = "云计算平台和大数据中台建设"
    plain = tokenize([text], PreprocessSettings(zh_stopwords=False)).docs[0]
    assert "大数据中台" not in plain
    tk = tokenize([text], PreprocessSettings(zh_stopwords=False, user_dict=("大数据中台 10 n",)))
    assert "大数据中台" in tk.docs[0]
    assert "user dictionary" in tk.segmenter


def test_traditional_chinese_is_simplified_before_segmentation():
    tk = tokenize(["我們在臺灣學習資訊科技"], PreprocessSettings(zh_stopwords=False))
    assert tk.converted_traditional == 1
    assert "学习" in tk.docs[0] and "台湾" in tk.docs[0]
    kept = tokenize(["我們在臺灣學習資訊科技"], PreprocessSettings(zh_stopwords=False, to_simplified=False))
    assert kept.converted_traditional == 0 and "我們" in kept.docs[0]


def test_min_token_len_min_df_max_df():
    docs = ["苹果 香蕉 橙子", "苹果 香蕉", "苹果 葡萄"]
    tk = tokenize(docs, PreprocessSettings(language="zh", min_df=2, max_df=0.9, zh_stopwords=False))
    assert tk.docs == [["香蕉"], ["香蕉"], []]  # 苹果 in 3/3 > 0.9; 橙子, 葡萄 in 1 doc
    assert tk.removed["above max_df"] == 3 and tk.removed["below min_df"] == 2
    long_only = tokenize(["车 汽车 电动汽车"], PreprocessSettings(min_token_len=2, zh_stopwords=False))
    assert long_only.docs[0] == ["汽车", "电动汽车"] and long_only.removed["too short"] == 1


def test_all_stopword_documents_become_empty_not_errors():
    tk = tokenize(["我们的", "的了吗"])
    assert tk.docs == [[], []] and tk.empty_docs == 2 and tk.n_tokens == 0


def test_progress_is_reported_to_completion():
    seen = []
    tokenize(["新闻标题"] * 200, progress=seen.append)
    assert seen[-1] == 1.0 and len(seen) > 10


def test_detect_language_and_validation():
    assert detect_language(["今天的新闻", "NBA 总决赛"]) == "zh"
    assert detect_language(["Breaking news today", "Stocks fall"]) == "en"
    with pytest.raises(InputError):
        PreprocessSettings(max_df=0).validate()
    with pytest.raises(InputError):
        PreprocessSettings(language="fr").validate()
    assert PreprocessSettings(min_df=2).key() != PreprocessSettings().key()


def test_uploaded_lists_parse_utf8_and_gbk():
    assert parse_stopword_upload("的\n了\n的\n".encode("gbk")) == ("的", "了")
    assert parse_user_dict("云计算 5 n\n大数据\n".encode()) == ("云计算 5 n", "大数据")
    with pytest.raises(InputError):
        parse_stopword_upload(b"  \n")
    assert len(zh_stopwords()) > 2000


def test_shipped_english_list_is_sklearns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert en_stopwords() == frozenset(ENGLISH_STOP_WORDS)
