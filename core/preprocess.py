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
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from core.errors import InputError

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LANGUAGES = ("auto", "zh", "en")

_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'，。！？、；：）】》]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(r"[+\-－]?[\d.,:/%．，：％]*\d[\d.,:/%．，：％]*")
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
    to_simplified: bool = True             # Traditional -> Simplified before segmentation (when found)
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
            raise InputError(f"Unknown language {self.language!r}; choose auto, zh or en.")
        if not 1 <= int(self.min_token_len) <= 50:
            raise InputError("Minimum token length must be between 1 and 50.")
        if int(self.min_df) < 1:
            raise InputError("min_df must be at least 1 document.")
        if not 0.0 < float(self.max_df) <= 1.0:
            raise InputError("max_df must be a share of documents in (0, 1].")
        return self

    def key(self) -> str:
        return hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()[:16]


@dataclass
class TokenizedCorpus:
    docs: list[list[str]]              # one token list per corpus row, same order
    language: str                      # "zh" or "en": the tokenizer used
    segmenter: str                     # which path ran, shown in the UI
    removed: dict[str, int]            # tokens removed per stopword list / filter
    settings: PreprocessSettings
    converted_traditional: int = 0     # documents converted from Traditional Chinese
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
    path = ASSETS / "stopwords" / "zh_merged.txt"
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


@lru_cache(maxsize=1)
def en_stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


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
            raise InputError(f"User dictionary line {i}: the frequency must be a number ({line!r}).")
    if not lines:
        raise InputError("The user dictionary is empty.")
    return lines


# ---------------------------------------------------------------------------------------------
# segmentation


@lru_cache(maxsize=8)
def _segmenter(user_dict: tuple[str, ...]):
    """(cut function, name). rjieba (Rust, same dictionary and HMM as jieba) when installed."""
    try:
        import rjieba
    except ImportError:  # jieba is the reference implementation; rjieba only makes it faster
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        for line in user_dict:
            word, freq, tag = _dict_entry(line)
            tk.add_word(word, freq, tag)
        return (lambda s: tk.lcut(s)), "jieba" + (" + user dictionary" if user_dict else "")
    if not user_dict:
        return rjieba.cut, "rjieba"
    inst = rjieba.Jieba()
    for line in user_dict:
        word, freq, tag = _dict_entry(line)
        # jieba's add_word without a frequency uses suggest_freq so the word is always kept whole.
        inst.add_word(word, freq if freq is not None else inst.suggest_freq(word), tag)
    return inst.cut, "rjieba + user dictionary"


def _dict_entry(line: str) -> tuple[str, int | None, str | None]:
    parts = line.split()
    word = parts[0]
    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
    return word, freq, tag


def segment_zh(texts: Sequence[str], user_dict: tuple[str, ...] = ()) -> list[list[str]]:
    """Raw jieba-compatible segmentation (no filtering), whitespace tokens dropped."""
    cut, _ = _segmenter(tuple(user_dict))
    return [[t for t in cut(s) if not t.isspace()] for s in texts]


def segmenter_name(language: str, user_dict: tuple[str, ...] = ()) -> str:
    return _segmenter(tuple(user_dict))[1] if language == "zh" else "regex word tokenizer (Unicode)"


def tokenize_en(text: str) -> list[str]:
    return _EN_WORD.findall(text)


def detect_language(texts: Sequence[str], sample: int = 500) -> str:
    """'zh' when Han characters carry a third or more of the letters in a sample of documents."""
    step = max(1, len(texts) // sample)
    chunk = " ".join(texts[::step][:sample])
    han = len(_HAN.findall(chunk))
    latin = len(re.findall(r"[A-Za-z]", chunk))
    return "zh" if han * 3 >= latin and han > 0 else "en"


def _needs_simplification(texts: Sequence[str], sample: int = 200) -> bool:
    import zhconv

    step = max(1, len(texts) // sample)
    return any(zhconv.convert(t, "zh-hans") != t for t in texts[::step][:sample])


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

    converted = 0
    if language == "zh" and settings.to_simplified and _needs_simplification(texts):
        import zhconv

        new = [zhconv.convert(t, "zh-hans") for t in texts]
        converted = sum(a != b for a, b in zip(texts, new))
        texts = new

    lists = _stop_lists(settings, language)
    cut = _segmenter(tuple(settings.user_dict))[0] if language == "zh" else tokenize_en
    docs: list[list[str]] = []
    raw = 0
    n = len(texts)
    chunk = max(1, n // 50)
    for i, text in enumerate(texts):
        if settings.drop_emails:
            text, k = _EMAIL.subn(" ", text)
            removed["e-mail addresses"] += k
        if settings.drop_urls:
            text, k = _URL.subn(" ", text)
            removed["URLs"] += k
        tokens = cut(text)
        raw += len(tokens)
        docs.append(_filter(tokens, settings, lists, removed))
        if progress is not None and i % chunk == 0:
            progress(i / n)

    if settings.min_df > 1 or settings.max_df < 1.0:
        docs = _filter_df(docs, settings, removed)
    if progress is not None:
        progress(1.0)
    return TokenizedCorpus(
        docs=docs, language=language, segmenter=segmenter_name(language, tuple(settings.user_dict)),
        removed={k: v for k, v in removed.items() if v}, settings=settings,
        converted_traditional=converted, raw_token_count=raw,
    )


def _stop_lists(settings: PreprocessSettings, language: str) -> list[tuple[str, frozenset[str]]]:
    """(name, words) in the order removals are attributed: user lists, then the corpus language's list."""
    low = (lambda w: w.lower()) if settings.lowercase else (lambda w: w)
    lists = []
    if settings.extra_stopwords:
        lists.append(("your stopwords", frozenset(low(w) for w in settings.extra_stopwords)))
    if settings.uploaded_stopwords:
        lists.append(("uploaded list", frozenset(low(w) for w in settings.uploaded_stopwords)))
    builtin = []
    if settings.zh_stopwords:
        builtin.append(("Chinese stopwords", zh_stopwords()))
    if settings.en_stopwords:
        builtin.append(("English stopwords", en_stopwords()))
    return lists + (builtin[::-1] if language == "en" else builtin)


def _filter(tokens: list[str], s: PreprocessSettings, lists, removed: Counter) -> list[str]:
    out = []
    for tok in tokens:
        tok = tok.strip()
        if not tok:
            continue
        if s.lowercase:
            tok = tok.lower()
        if not any(ch.isalnum() for ch in tok):
            if s.drop_punct:
                removed["punctuation"] += 1
                continue
        elif s.drop_numbers and _NUMBER.fullmatch(tok):
            removed["numbers"] += 1
            continue
        if len(tok) < s.min_token_len:
            removed["too short"] += 1
            continue
        for name, words in lists:
            if tok in words:
                removed[name] += 1
                break
        else:
            out.append(_SPACE.sub("_", tok))  # a token never contains whitespace (n-grams join on " ")
    return out


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
                removed["below min_df"] += 1
            elif t in too_common:
                removed["above max_df"] += 1
            else:
                kept.append(t)
        out.append(kept)
    return out
