"""Single-term views: lookup statistics, keyword-in-context lines, highlighted document HTML,
and the step-by-step worked example of a TF-IDF value."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from core.errors import InputError
from core.i18n import N_
from core.terms.matrix import Scheme, TermMatrix, textbook_tfidf


_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_POSSESSIVE = re.compile(r"['’]s$")   # Bush's -> Bush: the original may write it Bush\'s


def term_pattern(term: str) -> re.Pattern:
    """Regex finding an (n-gram) term in raw text: its tokens may be separated by any whitespace
    or none (Chinese n-grams are joined with a space but written without), case-insensitive
    because preprocessing may have lowercased the tokens."""
    words = str(term).split()
    body = r"\s*".join(re.escape(p) for p in words)
    # Latin/digit edges must sit on a word boundary ("t" must not match inside "cat");
    # CJK has no spaces between words, so no boundary is asked for there.
    if words and _ASCII_ALNUM.match(words[0][0]):
        body = r"(?<![A-Za-z0-9])" + body
    if words and _ASCII_ALNUM.match(words[-1][-1]):
        body += r"(?![A-Za-z0-9])"
    return re.compile(body, re.IGNORECASE)


@dataclass
class KwicLine:
    row: int
    left: str
    keyword: str
    right: str


KWIC_SORTS = {  # English msgids: show them with _(KWIC_SORTS[sort])
    "row": N_("corpus order"), "left": N_("left context (nearest word first)"), "right": N_("right context"),
}


def kwic_frame(lines: Sequence[KwicLine], labels: Sequence[object] | None = None, sort: str = "row",
               label_name: str = "label") -> pd.DataFrame:
    """A concordance table: row, [label], left, keyword, right, sorted by corpus order, by the left
    context read backwards from the keyword (so lines with the same preceding word group), or by
    the right context."""
    if sort not in KWIC_SORTS:
        raise InputError("Unknown concordance sort {sort!r}; choose one of: {choices}.",
                         sort=sort, choices=", ".join(KWIC_SORTS))
    frame = pd.DataFrame({"row": [k.row for k in lines], "left": [k.left for k in lines],
                          "keyword": [k.keyword for k in lines], "right": [k.right for k in lines]})
    if labels is not None:
        frame.insert(1, label_name, ["" if labels[r] is None else str(labels[r]) for r in frame["row"]])
    if sort == "left":
        frame = frame.iloc[sorted(range(len(frame)), key=lambda i: (frame["left"].iloc[i][::-1], i))]
    elif sort == "right":
        frame = frame.iloc[sorted(range(len(frame)), key=lambda i: (frame["right"].iloc[i], i))]
    return frame.reset_index(drop=True)


def term_parts(term: str, settings=None) -> list[str]:
    """The tokens an (n-gram) term is made of; a merged phrase ("new_york") is its two tokens."""
    parts = str(term).split()
    if settings is not None and getattr(settings, "phrases", ()):
        from core.phrases import JOIN

        parts = [p for part in parts for p in part.split(JOIN) if p]
    return parts


def term_spans(spans: Sequence[tuple[int, int, str]], parts: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans (first token's start, last token's end) where the kept tokens `parts` follow
    one another in `spans` (core.preprocess.token_spans)."""
    k = len(parts)
    if not k:
        return []
    first = parts[0]
    out = []
    for i in range(len(spans) - k + 1):
        if spans[i][2] == first and all(spans[i + j][2] == parts[j] for j in range(1, k)):
            out.append((spans[i][0], spans[i + k - 1][1]))
    return out


def surface_matches(text: str, terms: Sequence[str], settings, language: str) -> list[tuple[int, int, str]]:
    """(start, end, term) of every place in `text` written as one of `terms` once preprocessed (any
    inflection, case or possessive: "Wales's", "said" for "say"), in order, without overlaps (the
    longest wins). Tokens map back to their characters (core.preprocess.token_spans); in a text that
    tokenizing decodes or converts (HTML entities, Traditional characters) the written forms found
    in the decoded text are looked for in the original."""
    from core.preprocess import token_spans

    shown, spans = token_spans(text, settings, language)
    found = sorted((a, -(b - a), b, t) for t in terms for a, b in term_spans(spans, term_parts(t, settings)))
    if shown != text:
        forms = {_POSSESSIVE.sub("", " ".join(shown[a:b].split()).lower()): t for a, _n, b, t in found}
        if not forms:
            return []
        regex = re.compile("|".join(f"(?:{term_pattern(f).pattern})" for f in sorted(forms, key=len, reverse=True)),
                           re.IGNORECASE)
        return [(m.start(), m.end(), _match_key(m.group(0), forms) or "") for m in regex.finditer(text)
                if m.end() > m.start()]
    out, pos = [], 0
    for a, _neg, b, t in found:   # by start, the longest first; overlaps skipped
        if a >= pos:
            out.append((a, b, t))
            pos = b
    return out


def concordance(
    term: str,
    rows: Sequence[int],
    texts: Sequence[str] | None,
    docs: Sequence[Sequence[str]] | None = None,
    window: int = 30,
    limit: int = 20,
    settings=None,
    language: str | None = None,
) -> list[KwicLine]:
    """Keyword-in-context lines for `term` from the given rows.

    With the preprocessing `settings` and the corpus `language`, every line is the document's own
    text around each place its tokens became the term (core.preprocess.token_spans), the keyword as
    written there ("said" for the lemma "say", "U.S." for "u.s."). Without them: the raw text where
    the term's letters occur, else the tokens."""
    parts = str(term).split()
    lines: list[KwicLine] = []
    if settings is not None and language is not None and texts is not None:
        for row in rows:
            text = str(texts[row])
            for a, b, _t in surface_matches(text, [term], settings, language):
                lines.append(KwicLine(int(row), " ".join(text[max(0, a - window):a].split()), text[a:b],
                                      " ".join(text[b:b + window].split())))
                if len(lines) >= limit:
                    return lines
        return lines
    pattern = term_pattern(term)
    for row in rows:
        text = str(texts[row]) if texts is not None else ""
        found = False
        for m in pattern.finditer(text):
            left = text[max(0, m.start() - window) : m.start()]
            right = text[m.end() : m.end() + window]
            lines.append(KwicLine(int(row), " ".join(left.split()), m.group(0), " ".join(right.split())))
            found = True
            if len(lines) >= limit:
                return lines
        if not found and docs is not None:
            toks = list(docs[row])
            k = len(parts)
            for i in range(len(toks) - k + 1):
                if toks[i : i + k] == parts:
                    left, right = " ".join(toks[max(0, i - 8) : i]), " ".join(toks[i + k : i + k + 8])
                    lines.append(KwicLine(int(row), left, term, right))
                    if len(lines) >= limit:
                        return lines
    return lines


@dataclass
class TermLookup:
    term: str
    count: int
    df: int
    idf: float
    n_docs: int
    top_docs: pd.DataFrame        # row, tfidf, count, text
    kwic: list[KwicLine]


def suggest_terms(tm: TermMatrix, query: str, limit: int = 8) -> list[str]:
    """Vocabulary terms containing `query` (or its first character), most frequent first."""
    q = " ".join(str(query).split()).lower()
    if not q:
        return []
    hits = [i for i, t in enumerate(tm.vocab_) if q in t.lower()]
    if not hits:
        hits = [i for i, t in enumerate(tm.vocab_) if q[0] in t.lower()]
    hits.sort(key=lambda i: -tm.total_[i])
    return [str(tm.vocab_[i]) for i in hits[:limit]]


def lookup_term(
    tm: TermMatrix,
    term: str,
    scheme: Scheme,
    texts: Sequence[str] | None = None,
    docs: Sequence[Sequence[str]] | None = None,
    top_docs: int = 10,
    kwic_limit: int = 20,
    settings=None,
    language: str | None = None,
) -> TermLookup:
    """Statistics of one vocabulary term; InputError with suggestions when it is not there. With the
    preprocessing `settings` and `language`, its concordance shows every surface form (`concordance`)."""
    if not str(term).strip():
        raise InputError("Type a term to look up.")
    j = tm.lookup_index(term)
    if j is None:
        near = suggest_terms(tm, term)
        if near:
            raise InputError(
                "'{term}' is not in the vocabulary ({n_terms:,} terms after filtering). It may be a stopword, "
                "filtered by min_df/max_df/max features, outside the n-gram range, or segmented differently. "
                "Similar terms: {similar}.", term=term, n_terms=tm.n_terms, similar=", ".join(near),
            )
        raise InputError(
            "'{term}' is not in the vocabulary ({n_terms:,} terms after filtering). It may be a stopword, "
            "filtered by min_df/max_df/max features, outside the n-gram range, or segmented differently.",
            term=term, n_terms=tm.n_terms,
        )
    csc = tm.counts_csc()
    rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
    counts = csc.data[csc.indptr[j] : csc.indptr[j + 1]]
    weights = tm.weights(scheme)[:, [j]].toarray().ravel()[rows]
    order = np.lexsort((rows, -weights))[:top_docs]
    frame = pd.DataFrame(
        {
            "row": rows[order].astype(np.int64),
            "tfidf": weights[order],
            "count": counts[order].astype(np.int64),
            "text": [_doc_text(r, texts, docs) for r in rows[order]],
        }
    )
    # Concordance: best-scoring documents first, then the rest in corpus order.
    rest = np.setdiff1d(rows, rows[order], assume_unique=True)
    kwic = concordance(str(tm.vocab_[j]), rows[order].tolist() + rest.tolist(), texts, docs, limit=kwic_limit,
                       settings=settings, language=language)
    return TermLookup(
        str(tm.vocab_[j]), int(tm.total_[j]), int(tm.df_[j]), float(tm.idf(scheme)[j]), tm.n_docs, frame, kwic
    )


def _doc_text(row: int, texts, docs) -> str:
    if texts is not None:
        return str(texts[row])
    return " ".join(docs[row]) if docs is not None else ""


def _mark(surface: str, key: str | None, weights: dict[str, float], top: float) -> str:
    alpha = 0.25 + 0.6 * (weights.get(key, 0.0) / top if key else 0.0)
    title = html.escape(f"{key}: {weights[key]:.4f}", quote=True) if key else ""
    return (f'<mark title="{title}" style="background: rgba(255, 170, 0, {alpha:.2f}); padding: 0 2px">'
            f"{html.escape(surface)}</mark>")


def highlight_html(text: str, weights: dict[str, float], settings=None, language: str | None = None) -> str:
    """`text` as escaped HTML with each term of `weights` wrapped in <mark> (stronger tint for
    higher weight). Overlaps resolve to the longest term; everything user-derived is escaped.

    With the preprocessing `settings` and the corpus `language`, every written form of a term is
    marked ("months" and "month", "fell" for "fall": core.preprocess.token_spans); without them, the
    places where the term's own letters occur."""
    text = str(text)
    terms = sorted((t for t in weights if str(t).strip()), key=lambda t: -len(t))
    if not terms:
        return html.escape(text)
    top = max(weights[t] for t in terms) or 1.0
    if settings is not None and language is not None:
        out, pos = [], 0
        for a, b, t in surface_matches(text, terms, settings, language):
            out.append(html.escape(text[pos:a]))
            out.append(_mark(text[a:b], t, weights, top))
            pos = b
        out.append(html.escape(text[pos:]))
        return "".join(out)
    regex = re.compile("|".join(f"(?:{term_pattern(t).pattern})" for t in terms), re.IGNORECASE)
    lookup = {" ".join(t.split()).lower(): t for t in terms}
    out, pos = [], 0
    for m in regex.finditer(text):
        if m.start() == m.end():
            continue
        out.append(html.escape(text[pos : m.start()]))
        out.append(_mark(m.group(0), _match_key(m.group(0), lookup), weights, top))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _match_key(surface: str, lookup: dict[str, str]) -> str | None:
    flat = "".join(surface.split()).lower()
    for norm, term in lookup.items():
        if "".join(norm.split()) == flat:
            return term
    return None


@dataclass
class WorkedStep:
    symbol: str       # LaTeX symbol, e.g. r"N(t,d)"
    meaning: str      # English msgid: show it with _(step.meaning)
    value: float      # an int for counts (N(t,d), N(d), N_D, N(t))

    def formatted(self, digits: int = 4) -> str:
        """Counts as integers, everything else rounded to `digits` decimals (1.30, not 1.3)."""
        return str(self.value) if isinstance(self.value, int) else f"{self.value:.{digits}f}"


@dataclass
class WorkedExample:
    term: str
    row: int
    scheme: Scheme
    steps: list[WorkedStep]

    @property
    def value(self) -> float:
        return self.steps[-1].value

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame([(s.symbol, s.meaning, s.value) for s in self.steps], columns=["symbol", "meaning", "value"])


def worked_example(tm: TermMatrix, term: str, row: int, scheme: Scheme) -> WorkedExample:
    """Every intermediate number of the TF-IDF of `term` in corpus row `row` under `scheme`;
    the final step equals the engine's own weight (tested)."""
    j = tm.lookup_index(term)
    if j is None:
        raise InputError("'{term}' is not in the vocabulary; pick a term from the ranking or the lookup.", term=term)
    if not 0 <= int(row) < tm.n_docs:
        raise InputError("document {row} does not exist; choose a row between 0 and {last}.", row=row, last=tm.n_docs - 1)
    n_td = int(tm.counts_[row, j])
    n_t, n_docs = int(tm.df_[j]), tm.n_docs
    if scheme.name == "textbook":
        n_d = int(tm.doc_terms_[row])
        if n_d == 0:
            raise InputError("document {row} is empty after preprocessing; choose another document.", row=row)
        tf, idf, value = textbook_tfidf(n_td, n_d, n_docs, n_t, scheme.log_base)
        log = r"\log_{10}" if scheme.log_base == "10" else r"\ln"  # i18n: skip (LaTeX)
        steps = [
            WorkedStep("N(t,d)", N_("occurrences of the term in the document"), n_td),
            WorkedStep("N(d)", N_("terms in the document"), n_d),
            WorkedStep(r"\mathrm{TF}=N(t,d)/N(d)", N_("term frequency"), tf),  # i18n: skip (LaTeX)
            WorkedStep("N_D", N_("documents in the corpus"), n_docs),
            WorkedStep("N(t)", N_("documents containing the term"), n_t),
            WorkedStep(rf"\mathrm{{IDF}}={log}(N_D/N(t))+1", N_("inverse document frequency"), idf),  # i18n: skip (LaTeX)
            WorkedStep(r"\mathrm{TF\text{-}IDF}=\mathrm{TF}\times\mathrm{IDF}", "TF-IDF", value),  # i18n: skip (LaTeX)
        ]
        return WorkedExample(str(tm.vocab_[j]), int(row), scheme, steps)
    tf = (1.0 + math.log(n_td)) if (scheme.name == "sublinear" and n_td > 0) else float(n_td)
    idf = math.log((1.0 + n_docs) / (1.0 + n_t)) + 1.0
    # The L2 norm runs over the whole document vector, so it comes from the row's raw weights.
    lo, hi = tm.counts_.indptr[row], tm.counts_.indptr[row + 1]
    c = tm.counts_.data[lo:hi].astype(np.float64)
    raw_tf = (1.0 + np.log(c)) if scheme.name == "sublinear" else c
    norm = float(np.sqrt(np.sum((raw_tf * tm.idf(scheme)[tm.counts_.indices[lo:hi]]) ** 2)))
    value = tf * idf / norm if norm > 0 else 0.0
    tf_sym = r"\mathrm{tf}=1+\ln N(t,d)" if scheme.name == "sublinear" else r"\mathrm{tf}=N(t,d)"  # i18n: skip (LaTeX)
    steps = [
        WorkedStep("N(t,d)", N_("occurrences of the term in the document"), n_td),
        WorkedStep(tf_sym, N_("term frequency"), tf),
        WorkedStep("N_D", N_("documents in the corpus"), n_docs),
        WorkedStep("N(t)", N_("documents containing the term"), n_t),
        WorkedStep(r"\mathrm{idf}=\ln\frac{1+N_D}{1+N(t)}+1", N_("smoothed inverse document frequency"), idf),  # i18n: skip (LaTeX)
        WorkedStep(r"\mathrm{tf}\times\mathrm{idf}", N_("weight before normalisation"), tf * idf),  # i18n: skip (LaTeX)
        WorkedStep(r"\lVert v_d\rVert_2", N_("length of the document's tf-idf vector"), norm),
        WorkedStep(r"w=\mathrm{tf}\cdot\mathrm{idf}/\lVert v_d\rVert_2", N_("TF-IDF (L2-normalised)"), value),  # i18n: skip (LaTeX)
    ]
    return WorkedExample(str(tm.vocab_[j]), int(row), scheme, steps)


def specification_example(log_base: str = "10") -> WorkedExample:
    """The specification's own example, computed by the engine: 2 documents, the term occurs
    once in a 2-token document -> TF 0.5, IDF log10(2/1)+1 = 1.30, TF-IDF 0.65."""
    from core.terms.matrix import build_term_matrix

    tm = build_term_matrix([["term", "word"], ["other"]])
    return worked_example(tm, "term", 0, Scheme("textbook", log_base))


def document_preview(text: str, n: int = 80) -> str:
    """The first `n` characters of a document on one line: a title and its body joined by a space."""
    return " ".join(str(text)[: 2 * n].split())[:n]


def find_documents(texts: Sequence[str], query: str, limit: int = 200) -> list[int]:
    """Rows whose text contains `query` (case-insensitive); all rows (up to `limit`) for an empty query."""
    q = str(query).strip().lower()
    out: list[int] = []
    for i, text in enumerate(texts):
        if not q or q in str(text).lower():
            out.append(i)
            if len(out) >= limit:
                break
    return out
