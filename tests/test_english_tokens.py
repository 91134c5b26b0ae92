"""English tokens (issue 20): abbreviations, '&' names, one-letter hyphen parts and possessives stay
whole; no one-letter Latin token; proper nouns are not lemmatised; runs of one token count once;
Chinese date units go with their numbers; the settings key changes with the tokenizer version."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core import preprocess
from core.cli import main
from core.preprocess import PreprocessSettings, en_token_spans, tokenize, tokenize_en
from core.textclean import decode_html

SAMPLE = Path(__file__).parent / "data" / "en_news_sample.csv"
EN = PreprocessSettings(language="en")


def toks(text: str, **kw) -> list[str]:
    return tokenize([text], PreprocessSettings(language="en", **kw)).docs[0]


def test_abbreviations_ampersand_names_and_one_letter_hyphen_parts_stay_whole():
    text = "The U.S. and U.K. met at the U.N.; AT&T, S&P and P&G rose. E-mail an x-ray via Amazon.com"
    assert toks(text, lemmatize=False) == ["u.s.", "u.k.", "met", "u.n.", "at&t", "s&p", "p&g", "rose",
                                           "e-mail", "x-ray", "amazon.com"]
    # an abbreviation whose final period ends the line is still the same term
    assert toks("troops left the U.S", lemmatize=False)[-1] == "u.s."
    # other hyphenated words split as before; a lone '&' between words joins nothing
    assert toks("a well-known Procter & Gamble brand", lemmatize=False) == ["known", "procter", "gamble", "brand"]


def test_backslash_escaped_quotes_and_possessives_join_their_word():
    assert decode_html("Bush\\'s plan, \\\"he said\\\"") == "Bush's plan, \"he said\""
    assert decode_html("Images\\\\Girafa") == "Images Girafa"       # other backslashes stay separators
    # AG News lost the '&' of "AT&amp;T" and put a space: "AT amp;T" (as " #39;s" for "'s")
    assert decode_html("AT amp;T Wireless and Johnson  amp; Johnson") == "AT&T Wireless and Johnson  & Johnson"
    assert toks("Bush\\'s plan and Kerry's reply") == ["bush", "plan", "kerry", "reply"]
    assert toks("Hardie's try; hardie ran") == ["hardie", "try", "hardie", "run"]


def test_no_one_letter_latin_token_by_default():
    text = "George W. Bush got an A in X and a B"
    assert toks(text) == ["george", "bush"]
    assert "w" in toks(text, keep_single_letters=True)
    removed = tokenize([text], EN).removed
    assert removed["too short"] == 5                                # W, A, X, a, B


def test_proper_nouns_are_not_lemmatised():
    # inside a sentence, capitalised: a name; at a sentence start: a name when the document capitalises
    # it elsewhere; a Title Case word the document also writes in lower case: a common word.
    # Decided per document (chunks tokenize alike): a name seen only at sentence starts is lemmatised.
    assert toks("The match in Wales ended.") == ["match", "wales", "end"]
    assert toks("Wales scored. Fans in Wales cheered.") == ["wales", "score", "fan", "wales", "cheer"]
    assert toks("Shares fell. Investors sold shares.") == ["share", "fall", "investor", "sell", "share"]
    assert toks("Stocks Rise As Oil Falls. Stocks rose while oil prices fell; stocks gained.")[:3] == \
        ["stock", "rise", "oil"]
    assert toks("the wales swam") == ["wale", "swim"]               # lower case: the common noun's lemma
    assert toks("Wales scored.") == ["wale", "score"]                 # no evidence in the document


def test_runs_of_one_token_count_once():
    en = tokenize(["good good good, good. Really good value!"], EN)
    assert en.docs == [["good", "really", "good", "value"]] and en.removed["repeats in a run"] == 3
    zh = tokenize(["差评差评差评差评差评差评差评差评！", "快递很快，差评"], PreprocessSettings(language="zh"))
    assert max(zh.docs[0].count(t) for t in set(zh.docs[0])) == 1
    assert zh.docs[1][-1] == "差评"


def test_chinese_date_units_go_with_their_numbers():
    docs = tokenize(["2024年3月15日发布，月底上市", "15号出发 3号线"], PreprocessSettings(language="zh")).docs
    assert "年" not in docs[0] and "日" not in docs[0] and "月" not in docs[0] and "发布" in docs[0]
    assert docs[1] == ["出发", "号线"]                                # 号线 is a word of its own
    # kept when numbers are kept
    kept = tokenize(["2024年3月15日发布"], PreprocessSettings(language="zh", drop_numbers=False)).docs[0]
    assert kept[:2] == ["2024", "年"]


def test_token_spans_point_at_the_tokens():
    text = "AT&T's e-mail: U.S. rules"
    spans = en_token_spans(text)
    assert [text[a:b] for a, b in spans] == tokenize_en(text) == ["AT&T's", "e-mail", "U.S.", "rules"]


def test_settings_key_carries_the_tokenizer_version(monkeypatch):
    key = PreprocessSettings().key()
    monkeypatch.setattr(preprocess, "TOKENIZER_VERSION", preprocess.TOKENIZER_VERSION + 1)
    assert PreprocessSettings().key() != key          # tokens cached by another version are not reused


def test_default_terms_ranking_on_a_news_sample_keeps_entities_whole(tmp_path, capsys):
    out = tmp_path / "terms.csv"
    assert main(["terms", str(SAMPLE), "--top", "200", "--out", str(out)]) == 0
    terms = list(pd.read_csv(out, keep_default_na=False)["term"])
    assert "u.s." in terms and "at&t" in terms and "s&p" in terms and "p&g" in terms
    assert not [t for t in terms if len(t) == 1]
    assert "wales" in terms and "wale" not in terms and "bush" in terms


def test_the_country_us_is_a_term_and_the_pronoun_is_a_stopword():
    """BBC writes the country "US": it is u.s. (as "U.S." is), never dropped as the stopword "us"."""
    from core.preprocess import PreprocessSettings, tokenize

    docs = tokenize(["The US economy grew, and U.S. shares rose.", "Let us know what you think."],
                    PreprocessSettings(language="en")).docs
    assert docs[0].count("u.s.") == 2 and "us" not in docs[1] and "u.s." not in docs[1]
