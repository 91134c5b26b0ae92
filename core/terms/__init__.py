"""TF-IDF term rankings: weighting schemes, corpus / document / group rankings, term lookup.

Input is pre-tokenized documents (`TokenizedCorpus.docs`, one token list per corpus row).
Typical use (the page, the CLI and the bench all do this):

    tm = build_term_matrix(docs, TermSettings(ngram_max=2, min_df=2))   # once per data + settings
    rank_terms(tm, Scheme("textbook", "10"), score="mean", top_n=20)    # cheap, memoised on tm
"""

from core.terms.lookup import (
    KWIC_SORTS,
    KwicLine,
    TermLookup,
    WorkedExample,
    WorkedStep,
    concordance,
    document_preview,
    find_documents,
    kwic_frame,
    specification_example,
    highlight_html,
    lookup_term,
    suggest_terms,
    term_pattern,
    worked_example,
)
from core.terms.matrix import (
    LOG_BASES,
    MAX_NGRAM,
    SCHEME_FORMULAS,
    SCHEME_NOTES,
    SCHEMES,
    SCORE_LABELS,
    SCORES,
    NgramAnalyzer,
    Scheme,
    TermMatrix,
    TermSettings,
    build_term_matrix,
    ngram_occurrences,
    textbook_tfidf,
)
from core.terms.rank import (
    GROUP_METHOD_LABELS,
    GROUP_METHODS,
    MAX_GROUPS,
    GroupIndex,
    GroupTerms,
    document_terms,
    group_index,
    group_summary,
    group_terms,
    rank_terms,
)

__all__ = [name for name in dir() if not name.startswith("_")]
