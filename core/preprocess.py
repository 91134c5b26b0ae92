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
                   N_("below min_df"), N_("above max_df"))

# Weibo exports drop the slashes ("http:t.cn/zjKqa2U"): the scheme alone starts a link.
_URL = re.compile(r"(?:https?:(?://)?|ftp://|www\.)[^\s<>\"'，。！？、；：）】》]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(r"[+\-－]?[\d.,:/%．，：％\-－~～]*\d[\d.,:/%．，：％\-－~～]*")  # 3.5%, 1-2340, 2019~2020
_SPACE = re.compile(r"\s+")


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
    min_df: int = 1                        # drop tokens in fewer documents than this
    max_df: float = 1.0                    # drop tokens in more than this share of documents

    def validate(self) -> "PreprocessSettings":
        if self.language not in LANGUAGES:
            raise InputError("Unknown language {language!r}; choose auto, zh or en.", language=self.language)
        if not 1 <= int(self.min_token_len) <= 50:
            raise InputError("Minimum token length must be between 1 and 50.")
        if int(self.min_df) < 1:
            raise InputError("min_df must be at least 1 document.")
        if not 0.0 < float(self.max_df) <= 1.0:
            raise InputError("max_df must be a share of documents in (0, 1].")
        return self

    def key(self) -> str:
        return hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()[:16]


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
    return _EN_WORD.findall(text)


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
    cut = _segmenter(tuple(settings.user_dict)) if language == "zh" else tokenize_en
    # Tokens repeat heavily (a few 10k types for millions of tokens): decide once per type.
    kept_as: dict[str, str] = {}        # raw token -> token to keep ("" when removed)
    reason: dict[str, str] = {}         # raw token -> why it was removed
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
        for tok in set(tokens).difference(kept_as):
            kept_as[tok], why = _classify(tok, settings, lists, lemma)
            if why:
                reason[tok] = why
        docs.append([k for k in map(kept_as.__getitem__, tokens) if k])
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

    return lambda word: simplemma.lemmatize(word, lang="en")


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
    return _SPACE.sub("_", tok), None  # a token never contains whitespace (n-grams join on " ")


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
