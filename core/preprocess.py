"""Tokenization: Chinese segmentation (rjieba fast path), English word tokens, stopwords and filters.

`tokenize(texts, PreprocessSettings)` returns one token list per document (same order, possibly
empty) plus how many tokens each stopword list and filter removed, so the UI can show it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import groupby, islice
from typing import Callable, Sequence

import numpy as np

from core.errors import InputError
from core.i18n import N_, _
from core.resources import asset

LANGUAGES = ("auto", "zh", "en")
REGEX_TOKENIZER = N_("regex word tokenizer (Unicode)")
USER_DICT_SUFFIX = " + user dictionary"   # i18n: skip (stored in the segmenter's name; see segmenter_label)
# Why tokens were removed: the keys of `TokenizedCorpus.removed` (stored English; shown with `_()`).
REMOVAL_REASONS = (N_("e-mail addresses"), N_("URLs"), N_("punctuation"), N_("numbers"), N_("too short"),
                   N_("your stopwords"), N_("uploaded list"), N_("Chinese stopwords"), N_("English stopwords"),
                   N_("below min_df"), N_("above max_df"), N_("repeats in a run"))

# Weibo exports drop the slashes ("http:t.cn/zjKqa2U"): the scheme alone starts a link.
_URL = re.compile(r"(?:https?:(?://)?|ftp://|www\.)[^\s<>\"'，。！？、；：）】》]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# English tokens (TOKENIZER_VERSION 3): words, and as one token
# - abbreviations of single letters with inner periods: U.S., U.K., e.g (-> "u.s.", "e.g.");
# - web names: Amazon.com, bbc.co.uk;
# - names joined by '&' without spaces: AT&T, S&P, P&G, R&B;
# - hyphenated words with a one-letter part: e-mail, x-ray, T-Mobile, plan-B (other hyphenated
#   words, "well-known", stay two tokens as before);
# - words with inner apostrophes: don't, Bush's (a final 's is a possessive ending: `_classify`
#   joins it to its word).
# \x01 marks a capitalised word at the start of a sentence (`_SENTENCE_START`): proper nouns are not
# lemmatised, and whether a sentence-initial word is one is decided from its other occurrences.
_W, _L = r"[^\W_]", r"[^\W\d_]"                  # a letter or digit; a letter
# One branch that starts like a plain word; the joins all start with . - or &, so a plain word
# fails them on its next character (bench/tokenize_en.py), and what precedes the join is checked
# behind it: a one-letter word not after a hyphen for U.S. and e-mail, a letter for AT&T.
_EN_WORD = re.compile(
    rf"\x01?{_W}+(?:"
    rf"[.\-&](?:"
    rf"(?<=(?<![\w-]){_L}\.){_L}(?:\.{_L})*\.?(?!{_W})"
    rf"|(?<=(?<![\w-]){_L}-){_W}+(?:-{_W}+)*"
    rf"|(?<=-){_L}(?![\w-])"
    rf"|(?<={_L}&){_L}+(?:&{_L}+)*"
    rf"|(?<=\.)(?:{_W}+\.)*(?:com|net|org|co\.uk)(?!{_W})"
    rf"))?(?:['’]{_W}+)*"
)
_SENTENCE_START = re.compile(r"(?:[.!?][\"'”’)\]]*[ \t]|\n)\s*[\"'“‘(\[]*(?=[A-Z])")
_ABBREVIATION = re.compile(r"[^\W\d_](?:\.[^\W\d_])+\.?")
_POSSESSIVE_ENDINGS = frozenset(("'s", "'S", "’s", "’S"))
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Chinese date units: dropped with the number they follow (3月15日, 2024年) when numbers are dropped.
_DATE_UNITS = frozenset("年月日号")
_UNIT_AFTER_DIGIT = re.compile(r"\d[年月日号]")
# Bumped whenever the same settings give different tokens: it is part of every settings key, so
# tokens stored by an older version (project token caches) are never reused.
TOKENIZER_VERSION = 3   # 3: "US" is the country (u.s.)
_NUMBER = re.compile(r"[+\-－]?[\d.,:/%．，：％\-－~～]*\d[\d.,:/%．，：％\-－~～]*")  # 3.5%, 1-2340, 2019~2020


@dataclass(frozen=True)
class PreprocessSettings:
    """Every choice that changes the tokens; `key()` identifies the result in caches."""

    language: str = "auto"                 # auto | zh | en
    zh_stopwords: bool = True              # merged, de-duplicated cn/hit/baidu/scu lists
    en_stopwords: bool = True              # scikit-learn's English list
    extra_stopwords: tuple[str, ...] = ()  # typed by the user
    uploaded_stopwords: tuple[str, ...] = ()
    user_dict: tuple[str, ...] = ()        # jieba user-dictionary lines: "word [freq] [tag]"
    to_simplified: bool = True             # Traditional documents -> Simplified (OpenCC), per document
    decode_html: bool = True               # HTML entities/tags/backslash escapes decoded (core.textclean)
    # English words to their lemma (simplemma). On by default: bench/quality.py, 5 seeds, label NMI /
    # mean NPMI en_news_ag 0.389 / 0.064 -> 0.422 / 0.068, en_news_bbc 0.674 / 0.141 -> 0.718 / 0.155.
    lemmatize: bool = True
    phrases: tuple[str, ...] = ()          # "a b" pairs merged into one token "a_b" (core.phrases)
    lowercase: bool = True
    drop_numbers: bool = True
    drop_urls: bool = True
    drop_emails: bool = True
    drop_punct: bool = True
    min_token_len: int = 1                 # 1 keeps Chinese one-character words
    keep_single_letters: bool = False      # English: keep one-letter Latin tokens ("s" of "U.S", "t")
    min_df: int = 1                        # drop tokens in fewer documents than this
    max_df: float = 1.0                    # drop tokens in more than this share of documents

    def validate(self) -> "PreprocessSettings":
        from core.params import bounds, within   # the bounds the Corpus page and the CLI use too

        if self.language not in LANGUAGES:
            raise InputError("Unknown language {language!r}; choose auto, zh or en.", language=self.language)
        if not within("preprocess_min_token_len", self.min_token_len):
            lo, hi = bounds("preprocess_min_token_len")
            raise InputError("Minimum token length must be between {lo} and {hi}.", lo=lo, hi=hi)
        if not within("preprocess_min_df", self.min_df):
            lo, hi = bounds("preprocess_min_df")
            raise InputError("min_df must be between {lo} and {hi} documents.", lo=lo, hi=hi)
        if not within("preprocess_max_df", self.max_df):
            lo, hi = bounds("preprocess_max_df")
            raise InputError("max_df must be a share of documents between {lo} and {hi}.", lo=lo, hi=hi)
        return self

    def key(self) -> str:
        items = sorted(asdict(self).items()) + [("tokenizer_version", TOKENIZER_VERSION)]
        return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


def data_key(corpus_fingerprint: str, settings: PreprocessSettings) -> str:
    """Corpus fingerprint + preprocessing key: the prefix of every downstream cache key."""
    return f"{corpus_fingerprint}-{settings.key()}"


@dataclass
class TokenizedCorpus:
    docs: list[list[str]]              # one token list per corpus row, same order
    language: str                      # "zh" or "en": the tokenizer used
    segmenter: str                     # which path ran, shown in the UI
    removed: dict[str, int]            # tokens removed per stopword list / filter (REMOVAL_REASONS)
    settings: PreprocessSettings
    converted_traditional: int = 0     # documents converted from Traditional Chinese
    conversion_sample: list = field(default_factory=list)  # a few (before, after) pairs of them
    raw_token_count: int = 0

    @property
    def token_lengths(self) -> np.ndarray:
        return np.fromiter((len(d) for d in self.docs), dtype=np.int64, count=len(self.docs))

    @property
    def n_tokens(self) -> int:
        return int(self.token_lengths.sum())

    @property
    def empty_docs(self) -> int:
        return sum(1 for d in self.docs if not d)

    def vocabulary(self) -> Counter:
        return Counter(t for d in self.docs for t in d)


# ---------------------------------------------------------------------------------------------
# stopword lists


@lru_cache(maxsize=1)
def zh_stopwords() -> frozenset[str]:
    path = asset("stopwords", "zh_merged.txt")
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


@lru_cache(maxsize=1)
def en_stopwords() -> frozenset[str]:
    """scikit-learn's ENGLISH_STOP_WORDS, shipped as a file (importing sklearn costs ~1 s)."""
    path = asset("stopwords", "en_sklearn.txt")
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


def parse_stopword_upload(data: bytes) -> tuple[str, ...]:
    """One word per line (or separated by whitespace/commas); UTF-8 or GB18030."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("The stopword list is not UTF-8 or GBK text.")
    words = [w.strip() for w in re.split(r"[\s,，、]+", text) if w.strip()]
    if not words:
        raise InputError("The stopword list is empty.")
    return tuple(dict.fromkeys(words))


def parse_user_dict(data: bytes) -> tuple[str, ...]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("A jieba user dictionary must be UTF-8 text: one 'word [freq] [tag]' per line.") from None
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    for i, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) > 1 and not parts[1].isdigit() and len(parts) > 2:
            raise InputError("User dictionary line {n}: the frequency must be a number ({line!r}).", n=i, line=line)
    if not lines:
        raise InputError("The user dictionary is empty.")
    return lines


# ---------------------------------------------------------------------------------------------
# segmentation


# rjieba reproduces jieba's dictionary, DAG and HMM, but breaks exact ties between equally likely
# routes differently; real ties need a run of one repeated Han character (赞赞赞赞赞). Such documents
# (about 0.5% of review corpora) go through jieba itself so segmentation stays identical.
_TIE_RISK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff])\1\1")
# rjieba keeps a Latin/digit run joined by . - _ + # & % as one token (Wi-Fi, 60-70, Mr.Big) where
# jieba's HMM pass splits it with this pattern (jieba.finalseg.re_skip): re-split those tokens the same way.
_LATIN_RUN = re.compile(r"[A-Za-z0-9+#&._%\-]*[A-Za-z0-9][+#&._%\-]+[A-Za-z0-9+#&._%\-]*")
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")


def _jieba_latin_split(tokens: list[str]) -> list[str]:
    out = []
    for tok in tokens:
        if _LATIN_RUN.fullmatch(tok):
            out.extend(x for x in _JIEBA_SKIP.split(tok) if x)
        else:
            out.append(tok)
    return out


class _Segmenter:
    def __init__(self, user_dict: tuple[str, ...]):
        self.user_dict = user_dict
        self._reference = None
        try:
            import rjieba
        except ImportError:  # jieba is the reference implementation; rjieba only makes it faster
            self.fast, self.name = None, "jieba"
        else:
            if user_dict:
                inst = rjieba.Jieba()
                for line in user_dict:
                    word, freq, tag = _dict_entry(line)
                    # jieba's add_word without a frequency uses suggest_freq so the word stays whole.
                    inst.add_word(word, freq if freq is not None else inst.suggest_freq(word), tag)
                self.fast = inst.cut
            else:
                self.fast = rjieba.cut
            self.name = "rjieba"
        if user_dict:
            self.name += USER_DICT_SUFFIX

    def reference(self) -> Callable[[str], list[str]]:
        """jieba with the same dictionary (built on first use: it takes ~0.6 s to load)."""
        if self._reference is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            if self.user_dict:
                tk = jieba.Tokenizer()
                for line in self.user_dict:
                    tk.add_word(*_dict_entry(line))
                self._reference = tk.lcut
            else:
                self._reference = jieba.lcut
        return self._reference

    def __call__(self, text: str) -> list[str]:
        if self.fast is None or _TIE_RISK.search(text):
            return self.reference()(text)
        tokens = self.fast(text)
        return _jieba_latin_split(tokens) if _LATIN_RUN.search(text) else tokens


@lru_cache(maxsize=8)
def _segmenter(user_dict: tuple[str, ...]) -> _Segmenter:
    return _Segmenter(user_dict)


def _dict_entry(line: str) -> tuple[str, int | None, str | None]:
    parts = line.split()
    word = parts[0]
    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
    return word, freq, tag


def segment_zh(texts: Sequence[str], user_dict: tuple[str, ...] = ()) -> list[list[str]]:
    """Raw jieba-identical segmentation: no filtering, whitespace tokens included (as jieba.lcut)."""
    user_dict = tuple(user_dict)
    cut = _segmenter(user_dict)
    return [cut(s) for s in texts]


def segmenter_name(language: str, user_dict: tuple[str, ...] = ()) -> str:
    return _segmenter(tuple(user_dict)).name if language == "zh" else REGEX_TOKENIZER


def segmenter_label(name: str) -> str:
    """A segmenter name as stored (`TokenizedCorpus.segmenter`, English) in the active language."""
    if name.endswith(USER_DICT_SUFFIX):
        return _("{segmenter} + user dictionary").format(segmenter=segmenter_label(name[: -len(USER_DICT_SUFFIX)]))
    return _(REGEX_TOKENIZER) if name == REGEX_TOKENIZER else name


def tokenize_en(text: str) -> list[str]:
    """English word tokens as they are written (case kept, possessive 's still attached)."""
    return _EN_WORD.findall(text.replace("\x01", " "))


def _tokenize_en_marked(text: str) -> list[str]:
    """`tokenize_en`, with \x01 before capitalised words that start a sentence."""
    text = _SENTENCE_START.sub("\\g<0>\x01", text.replace("\x01", " "))
    return _EN_WORD.findall("\x01" + text if text[:1].isupper() else text)


def en_token_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the `tokenize_en` tokens in `text` (for mapping tokens back to the text)."""
    return [m.span() for m in _EN_WORD.finditer(text.replace("\x01", " "))]


def detect_language(texts: Sequence[str], sample: int = 500) -> str:
    """'zh' when Han characters carry a third or more of the letters in a sample of documents."""
    step = max(1, len(texts) // sample)
    chunk = " ".join(texts[::step][:sample])
    han = len(_HAN.findall(chunk))
    latin = len(re.findall(r"[A-Za-z]", chunk))
    return "zh" if han * 3 >= latin and han > 0 else "en"


# ---------------------------------------------------------------------------------------------
# the pipeline


def tokenize(
    texts: Sequence[str],
    settings: PreprocessSettings | None = None,
    progress: Callable[[float], None] | None = None,
) -> TokenizedCorpus:
    settings = (settings or PreprocessSettings()).validate()
    texts = ["" if t is None else str(t) for t in texts]
    language = detect_language(texts) if settings.language == "auto" else settings.language
    removed: Counter = Counter()

    if settings.decode_html:
        from core.textclean import decode_html

        texts = [decode_html(t) for t in texts]
    converted, sample = 0, []
    if language == "zh" and settings.to_simplified:
        from core.zhscript import to_simplified

        conv = to_simplified(texts)
        texts, converted, sample = conv.texts, len(conv.rows), conv.sample

    lists = _stop_lists(settings, language)
    lemma = _lemmatizer() if settings.lemmatize and language == "en" else None
    english = language == "en"
    # sentence starts are marked only for the lemmatiser's proper-noun rule
    cut = _segmenter(tuple(settings.user_dict)) if not english else _tokenize_en_marked if lemma else tokenize_en
    date_units = language == "zh" and settings.drop_numbers
    # Tokens repeat heavily (a few 10k types for millions of tokens): decide once per type.
    kept_as: dict[str, str] = {}        # raw token -> token to keep ("" when removed)
    reason: dict[str, str] = {}         # raw token -> why it was removed
    # English capitalised types whose lemma differs from the word (Wales -> wale): raw token ->
    # (surface, proper form, common form); the document decides which (`_proper_nouns`).
    capitalised: dict[str, tuple[str, str, str]] = {}
    cap_types: set[str] = set()         # the keys of `capitalised` (set operations stay set-sized)
    forms: dict[str, set[str]] = {}     # English: lowercased word without marker or 's -> its raw tokens
    memo: dict = {}                     # English: word -> `_classify_word` (shared by its spellings)
    raw_counts: Counter = Counter()
    docs: list[list[str]] = []
    n = len(texts)
    chunk = max(1, n // 50)
    for i, text in enumerate(texts):
        if settings.drop_emails and "@" in text:  # the substring test skips the slow regex scan
            text, k = _EMAIL.subn(" ", text)
            removed[N_("e-mail addresses")] += k
        if settings.drop_urls and _may_hold_url(text):
            text, k = _URL.subn(" ", text)
            removed[N_("URLs")] += k
        tokens = cut(text)
        raw_counts.update(tokens)
        types = set(tokens)
        for tok in types.difference(kept_as):
            if english:
                kept_as[tok], why, alt = _classify_en(tok, settings, lists, lemma, memo)
                forms.setdefault(alt[0], set()).add(tok)
                if alt[1]:
                    capitalised[tok] = alt
                    cap_types.add(tok)
            else:
                kept_as[tok], why = _classify(tok, settings, lists, lemma)
            if why:
                reason[tok] = why
        if english and lemma is not None and not types.isdisjoint(cap_types):
            doc = [k for k in _proper_nouns(tokens, types & cap_types, kept_as, capitalised, forms, types) if k]
        elif date_units and not types.isdisjoint(_DATE_UNITS) and _UNIT_AFTER_DIGIT.search(text):
            doc, k = _drop_date_units(tokens, kept_as, reason)
            removed[N_("numbers")] += k
        else:
            doc = [k for k in map(kept_as.__getitem__, tokens) if k]
        if len(doc) > 1 and any(map(str.__eq__, doc, islice(doc, 1, None))):
            # a run of one token (评差 评差 评差…, "good good good") counts once
            before = len(doc)
            doc = [k for k, _run in groupby(doc)]
            removed[N_("repeats in a run")] += before - len(doc)
        docs.append(doc)
        if progress is not None and i % chunk == 0:
            progress(i / n)
    for tok, why in reason.items():
        removed[why] += raw_counts[tok]
    raw = sum(c for t, c in raw_counts.items() if not t.isspace())

    if settings.phrases:
        from core.phrases import merge_phrases

        docs = merge_phrases(docs, settings.phrases)
    if settings.min_df > 1 or settings.max_df < 1.0:
        docs = _filter_df(docs, settings, removed)
    if progress is not None:
        progress(1.0)
    return TokenizedCorpus(
        docs=docs, language=language, segmenter=segmenter_name(language, tuple(settings.user_dict)),
        removed={k: v for k, v in removed.items() if v}, settings=settings,
        converted_traditional=converted, conversion_sample=sample, raw_token_count=raw,
    )


def token_spans(text: str, settings: PreprocessSettings, language: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Where the tokens `tokenize` keeps for one document sit in its text: (the text as tokenized,
    decoded and converted as `tokenize` does, [(start, end, kept token), ...] in order). That text is
    the original wherever it needed no decoding or conversion (most documents). Runs of one token
    are not collapsed and Chinese date units stay, so every occurrence can be shown."""
    text = "" if text is None else str(text)
    if settings.decode_html:
        from core.textclean import decode_html

        text = decode_html(text)
    if language == "zh" and settings.to_simplified:
        from core.zhscript import to_simplified

        text = to_simplified([text]).texts[0]
    blank = lambda m: " " * (m.end() - m.start())  # noqa: E731  (offsets stay put)
    cut = text
    if settings.drop_emails and "@" in cut:
        cut = _EMAIL.sub(blank, cut)
    if settings.drop_urls and _may_hold_url(cut):
        cut = _URL.sub(blank, cut)
    lists = _stop_lists(settings, language)
    lemma = _lemmatizer() if settings.lemmatize and language == "en" else None
    if language == "zh":
        raw = _segmenter(tuple(settings.user_dict))(cut)
        spans, pos = [], 0
        for tok in raw:
            spans.append((pos, pos + len(tok)))
            pos += len(tok)
        kept = [_classify(t, settings, lists, lemma)[0] for t in raw]
    else:
        raw = _tokenize_en_marked(cut)
        spans = en_token_spans(cut)
        if len(raw) != len(spans):  # cannot happen (the marker never splits a token); stay safe
            raw = [cut[a:b] for a, b in spans]
        kept_as, capitalised, forms, memo = {}, {}, {}, {}
        for tok in set(raw):
            kept_as[tok], _why, alt = _classify_en(tok, settings, lists, lemma, memo)
            forms.setdefault(alt[0], set()).add(tok)
            if alt[1]:
                capitalised[tok] = alt
        types = set(raw)
        kept = _proper_nouns(raw, types & set(capitalised), kept_as, capitalised, forms, types) if capitalised \
            else [kept_as[t] for t in raw]
    return text, [(a, b, k) for (a, b), k in zip(spans, kept) if k]


def _may_hold_url(text: str) -> bool:
    """Cheap substring test that skips the URL regex scan for most documents."""
    low = text.lower()
    return "http:" in low or "https:" in low or "://" in low or "www." in low


def _stop_lists(settings: PreprocessSettings, language: str) -> list[tuple[str, frozenset[str]]]:
    """(name, words) in the order removals are attributed: user lists, then the corpus language's list."""
    low = (lambda w: w.lower()) if settings.lowercase else (lambda w: w)
    lists = []
    if settings.extra_stopwords:
        lists.append((N_("your stopwords"), frozenset(low(w) for w in settings.extra_stopwords)))
    if settings.uploaded_stopwords:
        lists.append((N_("uploaded list"), frozenset(low(w) for w in settings.uploaded_stopwords)))
    builtin = []
    if settings.zh_stopwords and language == "zh":  # its Baidu part lists English words like "like"
        builtin.append((N_("Chinese stopwords"), zh_stopwords()))
    if settings.en_stopwords:
        builtin.append((N_("English stopwords"), en_stopwords()))
    return lists + builtin


@lru_cache(maxsize=1)
def _lemmatizer() -> Callable[[str], str]:
    import simplemma

    # cached: a sentence-initial word and its other spellings (Shares, shares) ask again
    return lru_cache(maxsize=200_000)(lambda word: simplemma.lemmatize(word, lang="en"))


def _drop_date_units(tokens: list[str], kept_as: dict[str, str], reason: dict[str, str]) -> tuple[list[str], int]:
    """Kept tokens of one document, without date units right after a dropped number (3 月 15 日)."""
    kept = list(map(kept_as.__getitem__, tokens))
    dropped = 0
    for unit in _DATE_UNITS:
        i = 0
        try:
            while True:
                i = tokens.index(unit, i + 1)   # a C scan: most tokens are not units
                if reason.get(tokens[i - 1]) == "numbers" and kept[i]:
                    kept[i] = ""
                    dropped += 1
        except ValueError:
            pass
    return [k for k in kept if k], dropped


def _proper_nouns(tokens: list[str], ambiguous: set[str], kept_as: dict[str, str],
                  capitalised: dict[str, tuple[str, str, str]], forms: dict[str, set[str]],
                  types: set[str]) -> list[str]:
    """The token kept for each raw token of one English document ("" when removed), capitalised
    words resolved as proper nouns or not.

    A capitalised word inside a sentence is a proper noun (not lemmatised: Wales, not "wale") unless
    the document writes it in lower case more often (a Title Case headline: "Stocks Rise"); one that
    starts a sentence is a proper noun when the document capitalises it inside sentences more often
    than it writes it in lower case. Decided per document, so chunks of a corpus tokenize alike.
    """
    override = {}
    for tok in ambiguous:                  # the capitalised types of this document
        word, proper, common = capitalised[tok]
        others = forms[word] & types
        if len(others) == 1:
            continue                       # no other form here: the default (`_classify_en`) stands
        mid_caps = lower = 0
        for form in others:
            if form[0] == "\x01":
                continue
            n = tokens.count(form)
            if form[0].isupper():
                mid_caps += n
            else:
                lower += n
        if tok[0] == "\x01":
            if mid_caps > lower:
                override[tok] = proper
        elif mid_caps < lower:
            override[tok] = common
    get = kept_as.__getitem__
    if not override:
        return list(map(get, tokens))
    return [override[t] if t in override else get(t) for t in tokens]


def _classify_en(tok: str, s: PreprocessSettings, lists, lemma: Callable[[str], str] | None,
                 memo: dict | None = None) -> tuple[str, str | None, tuple[str, str, str]]:
    """`_classify` for an English raw token (maybe \x01-marked as sentence-initial): (token to keep,
    removal reason, (surface, proper form, common form)); the proper form is "" unless the word is
    capitalised and lemmatising changes it, and the token kept is the proper form for a capitalised
    word inside a sentence, the common (lemmatised) one otherwise. `memo` shares the work between
    the spellings of one word (Shares, \x01Shares, Shares's)."""
    initial = tok.startswith("\x01")
    word = tok[1:] if initial else tok
    if word[-2:] in _POSSESSIVE_ENDINGS and len(word) > 2:
        word = word[:-2]                                # Bush's -> Bush (a possessive, not a token)
    if "." in word and not word.endswith(".") and _ABBREVIATION.fullmatch(word):
        word += "."                                     # U.S at a line end -> u.s.
    elif word == "US":      # the country without periods (BBC writes "US"): never the pronoun, which is
        word = "U.S."       # not written in capitals in running text; kept apart from stopword "us"
    done = memo.get(word) if memo is not None else None
    if done is None:
        done = _classify_word(word, s, lists, lemma)
        if memo is not None:
            memo[word] = done
    common, why, alt = done
    if alt[1] and not initial:
        return alt[1], None, alt
    return common, why, alt


def _classify_word(word: str, s: PreprocessSettings, lists, lemma: Callable[[str], str] | None
                   ) -> tuple[str, str | None, tuple[str, str, str]]:
    low = word.lower()
    if len(word) == 1 and not s.keep_single_letters and _LATIN_LETTER.match(word):
        return "", N_("too short"), (low, "", "")
    common, why = _classify(word, s, lists, lemma)
    proper = ""
    if lemma is not None and common and word[:1].isupper():
        as_is, _none = _classify(word, s, lists, None)
        if as_is and as_is != common:
            proper = as_is
    return common, why, (low, proper, common)


def _classify(tok: str, s: PreprocessSettings, lists, lemma: Callable[[str], str] | None = None
              ) -> tuple[str, str | None]:
    """(token to keep or "", removal reason or None) for one raw token type."""
    tok = tok.strip()
    if not tok:
        return "", None
    if s.lowercase:
        tok = tok.lower()
    if not any(ch.isalnum() for ch in tok):
        if s.drop_punct:
            return "", N_("punctuation")
    elif s.drop_numbers and _NUMBER.fullmatch(tok):
        return "", N_("numbers")
    if len(tok) < s.min_token_len:
        return "", N_("too short")
    for name, words in lists:
        if tok in words:
            return "", name
    if lemma is not None:
        tok = lemma(tok)
        tok = tok.lower() if s.lowercase else tok
        for name, words in lists:  # "was" -> "be": a stopword again once lemmatised
            if tok in words:
                return "", name
    return "_".join(tok.split()), None  # a token never contains whitespace (n-grams join on " ")


def _filter_df(docs: list[list[str]], s: PreprocessSettings, removed: Counter) -> list[list[str]]:
    df = Counter(t for d in docs for t in set(d))
    n = len(docs)
    too_rare = {t for t, c in df.items() if c < s.min_df}
    too_common = {t for t, c in df.items() if c > s.max_df * n} if s.max_df < 1.0 else set()
    out = []
    for d in docs:
        kept = []
        for t in d:
            if t in too_rare:
                removed[N_("below min_df")] += 1
            elif t in too_common:
                removed[N_("above max_df")] += 1
            else:
                kept.append(t)
        out.append(kept)
    return out
