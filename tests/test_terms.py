"""Engine tests for core.terms: schemes against scikit-learn and the textbook formula, scores,
group comparison, lookup, highlighting, worked example and bad input. Plain token lists only."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from core.errors import InputError
from core.terms import (
    MAX_GROUPS,
    Scheme,
    TermSettings,
    build_term_matrix,
    concordance,
    document_terms,
    group_terms,
    highlight_html,
    lookup_term,
    rank_terms,
    textbook_tfidf,
    worked_example,
)

DOCS = [
    ["体育", "比赛", "球", "比赛"],
    ["基金", "股票", "市场", "涨"],
    ["比赛", "冠军", "球", "球"],
    [],                                   # an empty row stays a row
    ["Apple", "apple", "手机", "发布"],
    ["基金", "发行", "新", "基金", "市场"],
    ["手机", "发布", "新", "球"],
]


def _random_docs(n: int = 60, seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    vocab = ["体育", "比赛", "球", "基金", "股票", "市场", "手机", "发布", "新", "的", "Apple", "apple", "a<b>", "x&y"]
    return [[rng.choice(vocab) for _ in range(rng.randint(0, 9))] for _ in range(n)]


def _sk(docs, settings: TermSettings, **kw) -> TfidfVectorizer:
    """scikit-learn's own n-gram path (not our analyzer): identity tokenizer on pre-tokenized docs."""
    vec = TfidfVectorizer(
        tokenizer=lambda d: d, preprocessor=lambda d: d, token_pattern=None, lowercase=False,
        ngram_range=(settings.ngram_min, settings.ngram_max), min_df=settings.min_df,
        max_df=settings.max_df, max_features=settings.max_features, **kw,
    )
    vec.fit(docs)
    return vec


@pytest.mark.parametrize(
    "settings",
    [TermSettings(), TermSettings(ngram_max=2), TermSettings(1, 3, min_df=2, max_df=0.8),
     TermSettings(2, 2, max_features=15)],
)
@pytest.mark.parametrize("sublinear", [False, True])
def test_sklearn_schemes_match_tfidfvectorizer(settings, sublinear):
    docs = _random_docs()
    tm = build_term_matrix(docs, settings)
    vec = _sk(docs, settings, sublinear_tf=sublinear)
    assert tm.vocab_.tolist() == vec.get_feature_names_out().tolist()
    ours = tm.weights(Scheme("sublinear" if sublinear else "sklearn")).toarray()
    np.testing.assert_allclose(ours, vec.transform(docs).toarray(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tm.idf(Scheme()), vec.idf_, rtol=1e-12)


@pytest.mark.parametrize("log_base", ["e", "10"])
@pytest.mark.parametrize("ngram_max", [1, 2])
def test_textbook_matches_direct_formula(log_base, ngram_max):
    docs = _random_docs(seed=3)
    tm = build_term_matrix(docs, TermSettings(1, ngram_max, min_df=2))
    log = math.log10 if log_base == "10" else math.log
    grams = []
    for d in docs:
        g = [" ".join(d[i : i + k]) for k in range(1, ngram_max + 1) for i in range(len(d) - k + 1)]
        grams.append(g)
    n_docs = len(docs)
    expected = np.zeros((n_docs, tm.n_terms))
    for j, term in enumerate(tm.vocab_):
        n_t = sum(term in g for g in grams)
        for i, g in enumerate(grams):
            if term in g:
                expected[i, j] = (g.count(term) / len(g)) * (log(n_docs / n_t) + 1)
    got = tm.weights(Scheme("textbook", log_base)).toarray()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_specification_worked_example():
    # 2 documents; the term occurs once in a 2-token document.
    tm = build_term_matrix([["term", "other"], ["else"]])
    ex = worked_example(tm, "term", 0, Scheme("textbook", "10"))
    values = {s.symbol.split("=")[0]: s.value for s in ex.steps}
    assert values["N(t,d)"] == 1 and values["N(d)"] == 2 and values["N_D"] == 2 and values["N(t)"] == 1
    assert round(ex.steps[2].value, 2) == 0.5
    assert round(ex.steps[5].value, 2) == 1.30
    assert round(ex.value, 2) == 0.65
    assert ex.value == pytest.approx(0.5 * (math.log10(2) + 1))
    assert textbook_tfidf(1, 2, 2, 1, "10") == pytest.approx((0.5, math.log10(2) + 1, 0.5 * (math.log10(2) + 1)))


SCHEMES_ALL = [Scheme("sklearn"), Scheme("sublinear"), Scheme("textbook", "e"), Scheme("textbook", "10")]


@pytest.mark.parametrize("scheme", SCHEMES_ALL)
def test_worked_example_equals_engine_weight(scheme):
    docs = _random_docs(seed=5)
    tm = build_term_matrix(docs, TermSettings(1, 2))
    w = tm.weights(scheme)
    rows, cols = w.nonzero()
    for r, c in list(zip(rows, cols))[:25]:
        ex = worked_example(tm, tm.vocab_[c], r, scheme)
        assert ex.value == pytest.approx(w[r, c], rel=1e-12)


def test_scores_and_ranking():
    docs = _random_docs(seed=7)
    tm = build_term_matrix(docs)
    scheme = Scheme("sklearn")
    dense = tm.weights(scheme).toarray()
    counts = tm.counts_.toarray()
    expected = {
        "mean": dense.mean(axis=0), "max": dense.max(axis=0), "sum": dense.sum(axis=0),
        "df": (counts > 0).sum(axis=0), "count": counts.sum(axis=0),
    }
    for score, vec in expected.items():
        table = rank_terms(tm, scheme, score, top_n=8)
        assert len(table) == 8
        assert table[score].tolist() == sorted(table[score].tolist(), reverse=True)
        assert table[score].iloc[0] == pytest.approx(vec.max())
        for term, value in zip(table["term"], table[score]):
            assert value == pytest.approx(vec[tm.index_[term]])
    # re-ranks come from the memoised matrix: the same object, not a recomputation
    assert tm.weights(scheme) is tm.weights(scheme)


def test_chinese_single_chars_kept_and_no_lowercasing():
    tm = build_term_matrix(DOCS)
    assert "球" in tm.index_ and "新" in tm.index_ and "涨" in tm.index_
    assert "Apple" in tm.index_ and "apple" in tm.index_
    assert tm.n_docs == len(DOCS)          # the empty row is kept
    assert document_terms(tm, Scheme(), 3).empty


def test_document_terms_sorted_by_weight():
    tm = build_term_matrix(DOCS)
    table = document_terms(tm, Scheme("textbook", "10"), 0, top_n=10)
    assert set(table["term"]) == {"体育", "比赛", "球"}
    assert table["weight"].tolist() == sorted(table["weight"].tolist(), reverse=True)
    assert table.loc[table["term"] == "比赛", "count"].item() == 2
    with pytest.raises(InputError, match="does not exist"):
        document_terms(tm, Scheme(), 99)


def test_empty_vocabulary_is_an_input_error():
    with pytest.raises(InputError, match="vocabulary is empty"):
        build_term_matrix(DOCS, TermSettings(min_df=4))        # no term is in 4 documents
    with pytest.raises(InputError, match="more than the corpus has"):
        build_term_matrix(DOCS, TermSettings(min_df=50))
    with pytest.raises(InputError, match="empty after preprocessing"):
        build_term_matrix([[], []])
    with pytest.raises(InputError):
        build_term_matrix(DOCS, TermSettings(min_df=0.9, max_df=0.1))


@pytest.mark.parametrize(
    "kwargs",
    [{"ngram_min": 2, "ngram_max": 1}, {"ngram_max": 4}, {"min_df": 0}, {"max_df": 1.5}, {"max_features": 0},
     {"min_df": "2"}],
)
def test_settings_validation(kwargs):
    with pytest.raises(InputError):
        TermSettings(**kwargs)


def test_scheme_validation():
    with pytest.raises(InputError):
        Scheme("bm25")
    with pytest.raises(InputError):
        Scheme("textbook", "2")
    with pytest.raises(InputError, match="top N"):
        rank_terms(build_term_matrix(DOCS), Scheme(), "mean", top_n=0)
    with pytest.raises(InputError, match="unknown score"):
        rank_terms(build_term_matrix(DOCS), Scheme(), "median")


LABELS = ["体育", "财经", "体育", "科技", "科技", "财经", "科技"]


def test_group_ctfidf_matches_bertopic_formula():
    tm = build_term_matrix(DOCS)
    res = group_terms(tm, LABELS, "ctfidf", top_n=50)
    names = ["体育", "财经", "科技"]
    counts = tm.counts_.toarray().astype(float)
    cls = np.stack([counts[[i for i, l in enumerate(LABELS) if l == g]].sum(axis=0) for g in names])
    tf = cls / cls.sum(axis=1, keepdims=True)
    idf = np.log(int(cls.sum(axis=1).mean()) / cls.sum(axis=0) + 1)
    expected = tf * idf
    for gi, g in enumerate(names):
        sub = res.table[res.table["group"] == g]
        for term, score in zip(sub["term"], sub["score"]):
            assert score == pytest.approx(expected[gi, tm.index_[term]])
        assert len(sub) == int((expected[gi] > 0).sum())
    assert res.series("体育")[0][0] in {"比赛", "球"}
    assert res.sizes == {"体育": 2, "财经": 2, "科技": 3}


def test_group_inout_is_mean_in_minus_mean_out():
    tm = build_term_matrix(DOCS)
    scheme = Scheme("sublinear")
    res = group_terms(tm, LABELS, "inout", scheme, top_n=50, groups=["财经"])
    assert res.groups == ["财经"] and set(res.table["group"]) == {"财经"}
    dense = tm.weights(scheme).toarray()
    inside = np.array([l == "财经" for l in LABELS])
    diff = dense[inside].mean(axis=0) - dense[~inside].mean(axis=0)
    assert res.table["term"].iloc[0] == tm.vocab_[int(np.argmax(diff))] == "基金"
    for term, score in zip(res.table["term"], res.table["score"]):
        assert score == pytest.approx(diff[tm.index_[term]]) and score > 0
    assert res.table.loc[res.table["term"] == "基金", "count_in"].item() == 3


def test_group_bad_input():
    tm = build_term_matrix(DOCS)
    many = build_term_matrix([["a", "b"]] * 500)
    with pytest.raises(InputError, match=f"500 distinct values.*at most {MAX_GROUPS}"):
        group_terms(many, [f"id{i}" for i in range(500)])
    ok = group_terms(many, [f"g{i % MAX_GROUPS}" for i in range(500)], "inout")   # the limit itself is fine
    assert len(ok.groups) == MAX_GROUPS
    with pytest.raises(InputError, match="at least 2"):
        group_terms(tm, ["x"] * len(DOCS))
    with pytest.raises(InputError, match="rows"):
        group_terms(tm, ["x", "y"])
    with pytest.raises(InputError, match="unknown group"):
        group_terms(tm, LABELS, groups=["nope"])
    one = ["体育", "财经", "体育", "", "科技", "财经", "财经"]
    res = group_terms(tm, one, "inout", top_n=5)
    assert any("only one document" in w and "科技" in w for w in res.warnings)
    assert any("empty group value" in w for w in res.warnings)
    assert not res.table[res.table["group"] == "科技"].empty


def test_lookup_term_stats_and_concordance():
    tm = build_term_matrix(DOCS, TermSettings(1, 2))
    texts = ["体育比赛：球赛比赛", "基金股票市场涨", "比赛冠军 球球", "", "Apple apple手机发布", "基金发行新基金市场", "手机发布新球"]
    res = lookup_term(tm, "比赛", Scheme("textbook", "10"), texts=texts, docs=DOCS)
    assert (res.count, res.df, res.n_docs) == (3, 2, 7)
    assert res.idf == pytest.approx(math.log10(7 / 2) + 1)
    assert res.top_docs["row"].tolist()[0] in (0, 2) and set(res.top_docs["row"]) == {0, 2}
    assert all(line.keyword == "比赛" for line in res.kwic) and {l.row for l in res.kwic} == {0, 2}
    bigram = lookup_term(tm, "手机  发布", Scheme(), texts=texts, docs=DOCS)   # whitespace-normalised
    assert bigram.term == "手机 发布" and bigram.df == 2
    assert {l.keyword for l in bigram.kwic} == {"手机发布"}                 # found in unspaced raw text
    with pytest.raises(InputError, match="not in the vocabulary.*Similar terms: .*比赛"):
        lookup_term(tm, "赛", Scheme(), texts=texts)
    with pytest.raises(InputError, match="Type a term"):
        lookup_term(tm, "  ", Scheme())


def test_highlight_html_escapes_everything():
    text = 'Beware <script>alert("x")</script> & a<b> cat t'
    out = highlight_html(text, {"a<b>": 1.0, "t": 0.5, "<script>": 0.2})
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<mark") == 3                      # a<b>, <script>, lone "t" (not the t in "cat")
    assert '">a&lt;b&gt;</mark>' in out
    assert "cat" in out and "ca<mark" not in out
    plain = highlight_html("体育比赛", {"体育 比赛": 1.0})   # n-gram across unspaced Chinese
    assert plain.count("<mark") == 1 and "体育比赛</mark>" in plain
    assert highlight_html("<i>x</i>", {}) == "&lt;i&gt;x&lt;/i&gt;"


def test_textbook_length_counts_filtered_terms_too():
    # N(d) is the number of terms in the document before vocabulary filtering:
    # dropping a rare term must not inflate the TF of the remaining ones.
    docs = [["a", "b", "rare"], ["a", "b"], ["b"]]
    tm = build_term_matrix(docs, TermSettings(min_df=2))
    assert "rare" not in tm.index_
    ex = worked_example(tm, "a", 0, Scheme("textbook", "e"))
    assert ex.steps[1].value == 3 and ex.steps[2].value == pytest.approx(1 / 3)


# ---- demo corpus and CLI (assets/ only) ------------------------------------------------------------

DEMO_ZH = Path(__file__).resolve().parents[1] / "assets" / "demo_zh_news_titles.csv"  # not via conftest (ambiguous)
from core.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    from core.corpus import load_path
    from core.preprocess import tokenize

    corpus = load_path(DEMO_ZH)
    return corpus, build_term_matrix(tokenize(corpus.texts).docs)


@pytest.mark.parametrize("method", ["ctfidf", "inout"])
def test_demo_groups_top_terms_are_distinctive(demo, method):
    corpus, tm = demo
    res = group_terms(tm, corpus.labels, method, Scheme(), top_n=5)
    assert len(res.groups) == 10 and not res.warnings
    for g in res.groups:
        top = res.table[res.table["group"] == g].iloc[0]
        # most occurrences of a group's top term fall inside that group (10 equal-sized groups)
        assert top["count_in"] / tm.total_[tm.index_[top["term"]]] >= 0.5, (g, top["term"])


def test_cli_terms_per_group_and_corpus(tmp_path, capsys, demo):
    corpus, tm = demo
    out = tmp_path / "terms.csv"
    rc = main(["terms", str(DEMO_ZH), "--text-col", "text", "--group-col", "label", "--top", "3",
               "--scheme", "textbook", "--out", str(out)])
    assert rc == 0
    import pandas as pd

    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == ["group", "rank", "term", "score", "count_in", "docs_in"]
    assert table.groupby("group").size().to_dict() == {g: 3 for g in set(corpus.labels)}
    expected = group_terms(tm, corpus.labels, "ctfidf", top_n=3)
    assert table[table["group"] == "体育"]["term"].tolist() == expected.series("体育")[0]
    rc = main(["terms", str(DEMO_ZH), "--top", "4", "--score", "df", "--ngram", "1-2"])
    printed = capsys.readouterr().out
    assert rc == 0 and "rank" in printed and len(printed.strip().splitlines()) == 5
    from core.preprocess import tokenize

    bigrams = build_term_matrix(tokenize(corpus.texts).docs, TermSettings(1, 2))
    assert rank_terms(bigrams, Scheme(), "df", 1)["term"].iloc[0] in printed.splitlines()[1]


@pytest.mark.parametrize(
    "extra, message",
    [(["--term-min-df", "5000"], "more than the corpus"), (["--ngram", "x"], "--ngram"),
     (["--ngram", "1-5"], "n-gram range")],
)
def test_cli_terms_bad_input_exits_2(extra, message, capsys):
    assert main(["terms", str(DEMO_ZH), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_ranking_exports_neutralise_formulas():
    from io import BytesIO

    import pandas as pd

    from core.export import to_csv_bytes, to_xlsx_bytes

    tm = build_term_matrix([["=cmd()", "+x", "ok"], ["=cmd()", "@y"]])
    table = rank_terms(tm, Scheme(), "count", 10)
    csv = to_csv_bytes(table).decode("utf-8-sig")
    assert "'=cmd()" in csv and "'+x" in csv and "'@y" in csv and "\n1,=cmd()" not in csv
    cells = pd.read_excel(BytesIO(to_xlsx_bytes(table, "terms")))["term"].tolist()
    assert cells[0] == "'=cmd()" and not any(c.startswith(("=", "+", "@")) for c in cells)


def test_kwic_frame_sorts_and_labels():
    from core.terms import KwicLine, kwic_frame

    lines = [KwicLine(2, "我们 的", "比赛", "很好"), KwicLine(0, "昨天 的", "比赛", "输了"), KwicLine(1, "一场", "比赛", "很好看")]
    labels = ["体育", "财经", None]
    assert kwic_frame(lines)["row"].tolist() == [2, 0, 1]
    by_left = kwic_frame(lines, labels, "left")
    assert by_left["left"].str[::-1].is_monotonic_increasing
    assert by_left["label"].tolist() == [{0: "体育", 1: "财经", 2: ""}[r] for r in by_left["row"]]
    assert kwic_frame(lines, sort="right")["right"].tolist() == ["很好", "很好看", "输了"]
    with pytest.raises(InputError):
        kwic_frame(lines, sort="nope")


def test_concordance_shows_the_original_text_with_every_surface_form():
    from core.preprocess import PreprocessSettings, tokenize

    texts = ["Ministers said on Monday that the U.S. deal was off.\n\nThe minister says talks go on.",
             "Charles Kennedy, at the general election, said: no.", "Nothing here."]
    tokens = tokenize(texts, PreprocessSettings())
    tm = build_term_matrix(tokens.docs)
    res = lookup_term(tm, "say", Scheme(), texts=texts, docs=tokens.docs, settings=tokens.settings,
                      language=tokens.language)
    assert sorted(line.keyword for line in res.kwic) == ["said", "said", "says"]
    line = next(l for l in res.kwic if l.row == 1)
    # the raw sentence around the surface form, never the lemmatised token stream
    assert line.left.endswith("at the general election,") and line.right == ": no."
    us = concordance("u.s.", [0], texts, settings=tokens.settings, language=tokens.language)
    assert [(l.keyword, l.right[:5]) for l in us] == [("U.S.", "deal ")]
    # Chinese: the segmenter's spans are the text's own characters
    zh = ["昨天的比赛很精彩，比赛结束后", "体育比赛：球赛比赛"]
    ztok = tokenize(zh, PreprocessSettings(language="zh"))
    lines = concordance("比赛", [0, 1], zh, settings=ztok.settings, language=ztok.language)
    # where the segmenter made the token (体育比赛 is a word of its own)
    assert [(l.row, l.left, l.keyword) for l in lines] == [(0, "昨天的", "比赛"), (0, "昨天的比赛很精彩，", "比赛"),
                                                           (1, "体育比赛：球赛", "比赛")]


def test_document_highlighting_marks_every_form_of_a_term():
    from core.preprocess import PreprocessSettings, tokenize

    text = "Shares fell for months: the share price falls as the month ends. Assets & asset sales."
    tokens = tokenize([text], PreprocessSettings())
    out = highlight_html(text, {"share": 1.0, "month": 0.5, "fall": 0.4, "asset": 0.3}, tokens.settings,
                         tokens.language)
    marked = [m.split(">", 1)[1] for m in out.split("</mark>")[:-1]]
    assert marked == ["Shares", "fell", "months", "share", "falls", "month", "Assets", "asset"]
    assert "&amp;" in out                                            # still escaped
    bigram = highlight_html(text, {"share price": 1.0, "price": 0.2}, tokens.settings, tokens.language)
    assert bigram.count("<mark") == 1 and ">share price</mark>" in bigram   # the longest term wins
    # a text that tokenizing decodes is still shown as written, its forms marked there
    raw = "Bush\\'s plan &amp; <b>officials</b> said"
    out = highlight_html(raw, {"bush": 1.0, "say": 0.5, "official": 0.2}, tokens.settings, tokens.language)
    assert [m.split(">", 1)[1] for m in out.split("</mark>")[:-1]] == ["Bush", "officials", "said"]
    assert "&amp;amp;" in out and "&lt;b&gt;" in out


def test_document_preview_joins_title_and_body_with_a_space():
    from core.terms import document_preview

    assert document_preview("Ad sales boost Time Warner profit\n\nQuarterly profits at US media") == \
        "Ad sales boost Time Warner profit Quarterly profits at US media"
    assert len(document_preview("word " * 100)) == 80
