"""Text that stays true: per-document Traditional conversion, HTML debris, Weibo links, jieba parity."""

from __future__ import annotations

import inspect

import jieba

from core.preprocess import PreprocessSettings, segment_zh, tokenize
from core.textclean import decode_html
from core.zhscript import is_traditional, to_simplified

# Simplified sentences from the Fudan literature corpus whose 乾/徵/藉 a character table rewrites.
FUDAN = ["桑乾河上的村庄在清朝乾嘉年间已很繁华", "李乾卿精通宫商徵羽五音", "他以此为藉口拒绝了邀请"]
TRADITIONAL = ["這個軟體很好用，我們都喜歡它的設計", "臺灣的經濟發展與區域貿易關係密切"]


def test_simplified_documents_are_never_changed():
    conv = to_simplified(FUDAN)
    assert conv.texts == FUDAN and conv.rows == []
    tk = tokenize(FUDAN, PreprocessSettings(language="zh", zh_stopwords=False))
    assert tk.converted_traditional == 0
    joined = " ".join(t for d in tk.docs for t in d)
    assert "乾" in joined and "徵" in joined and "藉口" in joined


def test_only_traditional_documents_of_a_mixed_file_are_converted():
    texts = [FUDAN[0], TRADITIONAL[0], FUDAN[1], TRADITIONAL[1]]
    conv = to_simplified(texts)
    assert conv.rows == [1, 3]
    assert conv.texts[0] == FUDAN[0] and conv.texts[2] == FUDAN[1]
    assert conv.texts[1] == "这个软体很好用，我们都喜欢它的设计"
    assert "台湾的经济发展" in conv.texts[3]
    assert conv.sample[0] == (TRADITIONAL[0], conv.texts[1])


def test_phrase_level_conversion_keeps_qianlong():
    # 乾隆 is a name: OpenCC's phrase dictionary keeps 乾 where a character table writes 干.
    assert to_simplified(["乾隆皇帝在乾清宮接見這個國家的使臣"]).texts[0].startswith("乾隆皇帝在乾清宫")


def test_one_traditional_character_does_not_make_a_document_traditional():
    assert not is_traditional("我们在臺北开会")
    assert is_traditional("我們在臺北開會")


def test_conversion_is_switchable_and_reported():
    texts = [TRADITIONAL[0], FUDAN[0]]
    on = tokenize(texts, PreprocessSettings(language="zh"))
    off = tokenize(texts, PreprocessSettings(language="zh", to_simplified=False))
    assert on.converted_traditional == 1 and on.conversion_sample
    assert off.converted_traditional == 0 and "軟體" in off.docs[0]
    assert "软体" in on.docs[0]


# AG News lines as shipped (entities that lost their '&', escaped markup, backslash separators).
AG = [
    "Eriksson doesn #39;t feel any extra pressure after the Football Association #39;s decision",
    "Vowing:  quot;After the crucifixion comes the resurrection. quot; ...",
    "Texas Instruments Inc. &lt;TXN.N&gt;, STMicroelectronics &lt;STM.PA&gt; and Broadcom Corp. &lt;BRCM.O&gt;",
    "&lt;FONT face=\"verdana,MS Sans Serif,arial,helvetica\" size=\"-2\" color=\"#666666\"&gt;&lt;B&gt;"
    "-The Washington Post&lt;/B&gt;&lt;/FONT&gt;",
    "Girafa.com Inc. Search Images\\\\Girafa.com Inc. announced today that it will offer",
    "Shares rose for the  #36;10 million deal &amp; more",
]


def test_html_entities_and_escapes_are_decoded():
    assert decode_html(AG[0]) == "Eriksson doesn't feel any extra pressure after the Football Association's decision"
    assert '"After the crucifixion' in decode_html(AG[1])
    assert decode_html(AG[3]).strip() == "-The Washington Post"
    assert "\\" not in decode_html(AG[4])
    assert "$10 million deal & more" in decode_html(AG[5])
    assert decode_html("3 < 4; a > b") == "3 < 4; a > b"  # plain text with < ; > is left alone


def test_entity_debris_never_reaches_the_tokens():
    tk = tokenize(AG, PreprocessSettings(language="en", en_stopwords=False, lemmatize=False))
    vocab = tk.vocabulary()
    for junk in ("quot", "lt", "gt", "amp", "b", "font", "s", "39", "36"):
        assert junk not in vocab, junk
    assert "doesn't" in vocab and "washington" in vocab
    raw = tokenize(AG, PreprocessSettings(language="en", en_stopwords=False, decode_html=False,
                                          lemmatize=False)).vocabulary()
    assert "quot" in raw and "lt" in raw  # the switch really turns the repair off


def test_weibo_links_without_slashes_are_urls():
    tk = tokenize(["转发微博 http:t.cn/zjKqa2U 蒙牛真好喝", "看这里HTTP://t.cn/abc"], PreprocessSettings(language="zh"))
    assert tk.removed["URLs"] == 2
    assert not any("t.cn" in t or "zjkqa2u" in t for d in tk.docs for t in d)


# Mixed Chinese/Latin shopping-review phrases where rjieba alone keeps Wi-Fi, 60-70, Mr.Big whole.
MIXED = ["支持Wi-Fi上网，价格在60-70元之间", "我喜欢Mr.Big乐队", "内存3.64MB，支持MPEG-4和T-Flash卡",
         "网址abeautifulmind.blog.hexun.com很好", "电话010-88210766，O_O", "屏幕2.5寸 DDR2-667 内存"]


def test_mixed_latin_segmentation_matches_jieba():
    assert segment_zh(MIXED) == [jieba.lcut(t) for t in MIXED]


def test_mixed_latin_final_tokens_match_jieba():
    settings = PreprocessSettings(language="zh")
    ours = tokenize(MIXED, settings).docs
    import core.preprocess as P

    seg = P._segmenter(())
    fast, seg.fast = seg.fast, None  # force the jieba reference path for the same pipeline
    try:
        ref = tokenize(MIXED, settings).docs
    finally:
        seg.fast = fast
    assert ours == ref
    assert "wi" in ours[0] and "wi-fi" not in ours[0]


def test_tomotopy_is_the_one_default_engine():
    from core.topics.engines import DEFAULT_ENGINE, fit_model
    from core.topics.sweep import DEFAULT_ENGINE as SWEEP_DEFAULT
    from core.topics.sweep import SweepConfig

    assert DEFAULT_ENGINE == "tomotopy"
    assert inspect.signature(fit_model).parameters["engine"].default == DEFAULT_ENGINE
    assert SWEEP_DEFAULT == DEFAULT_ENGINE == SweepConfig().engine
