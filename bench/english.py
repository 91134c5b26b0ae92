"""English text quality on the shared corpora: fragments among the top terms, representative documents.

    python -m bench.english [--root CHECKOUT] [--top 300] [--k 5]

Run it from this checkout and with `--root` pointing at an older checkout for the "before" figures
(the code under measurement is imported from ROOT; this script only reads the results):

- AG News and BBC, default settings: the corpus ranking `topiclens terms` prints (sklearn TF-IDF,
  mean score), top N: how many one-letter terms and how many entity fragments it holds. A fragment
  is a term that in the raw text mostly sits inside a larger unit: next to '&' (AT&T -> at, t),
  inside a dotted abbreviation (U.S. -> u, s), a hyphenated word with a one-letter part (e-mail ->
  e, mail), or a possessive split off ('s -> s).
- BBC at k = 5 (fit_model's default engine, seed 0): for each topic, the weight of the first
  representative document (core.topics.explore.representative_docs, as the report shows it)
  divided by the highest weight any document has for that topic.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CORPORA = HERE.parent / "shared" / "corpora"


def fragment_share(term: str, texts_lower: list[str]) -> tuple[float, int]:
    """(share of the raw occurrences of `term` that sit inside a larger unit, occurrences)."""
    if not re.fullmatch(r"[a-z]+", term):
        return 0.0, 0
    pat = re.compile(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])")
    inside = total = 0
    for t in texts_lower:
        for m in pat.finditer(t):
            total += 1
            a, b = m.start(), m.end()
            before, after = t[max(0, a - 2):a], t[b:b + 2]
            if (before.endswith("&") or after.startswith("&")
                    or re.fullmatch(r"\.[a-z]", after) or re.fullmatch(r"[a-z]\.", before)
                    or (before.endswith("-") and len(term) == 1) or (after.startswith("-") and len(term) == 1)
                    or re.fullmatch(r"[a-z]-", before[-2:]) and (a < 3 or not t[a - 3].isalpha())
                    or (term == "s" and before[-1:] in "'’\\ ")):
                inside += 1
    return (inside / total if total else 0.0), total


def terms_check(name: str, top: int) -> None:
    from core.corpus import load_path
    from core.preprocess import tokenize
    from core.terms import Scheme, TermSettings, build_term_matrix, rank_terms

    corpus = load_path(CORPORA / f"{name}.csv")
    tokens = tokenize(corpus.texts)
    tm = build_term_matrix(tokens.docs, TermSettings())
    table = rank_terms(tm, Scheme("sklearn", "10"), "mean", top)
    lower = [t.lower() for t in corpus.texts]
    one = [t for t in table.term if len(t) == 1]
    frags = []
    for t in table.term:
        share, n = fragment_share(t, lower)
        if share >= 0.5:
            frags.append(f"{t}({share:.0%} of {n})")
    print(f"{name}: top {top} terms: {len(one)} one-letter {one[:20]}; {len(frags)} fragments {frags[:20]}")
    print(f"  first 20: {' '.join(table.term[:20])}")
    keep = [t for t in ("u.s.", "at&t", "s&p", "e-mail", "u.k.", "u.n.") if tm.lookup_index(t) is not None]
    print(f"  vocabulary holds: {keep}; vocabulary size {tm.n_terms:,}")


def repdocs_check(k: int, seed: int) -> None:
    import numpy as np

    from core.corpus import load_path
    from core.preprocess import tokenize
    from core.topics import explore
    from core.topics.dtm import build_dtm
    from core.topics.engines import fit_model

    corpus = load_path(CORPORA / "en_news_bbc.csv")
    tokens = tokenize(corpus.texts)
    bundle = build_dtm(tokens.docs)
    model = fit_model(bundle, k=k, seed=seed)
    ratios = []
    for topic in range(k):
        rep = explore.representative_docs(model, corpus.texts, topic, 5)
        best = float(model.doc_topic[:, topic].max())
        first = float(rep.weight.iloc[0])
        ratios.append(first / best)
        words = " ".join(explore.top_word_lists(model, n=6)[topic])
        label = corpus.labels[int(rep.row.iloc[0])] if corpus.labels is not None else ""
        print(f"  topic {topic}: first representative weight {first:.3f} / best {best:.3f} = {first / best:.0%}"
              f"  (label {label}) {words}")
    print(f"BBC k={k} seed {seed}: min ratio {min(ratios):.0%}, topics >= 80%: {sum(r >= 0.8 for r in ratios)}/{k}")
    _ = np


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(HERE), help="checkout whose code is measured")
    ap.add_argument("--top", type=int, default=300)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip", default="", help="comma list: terms,repdocs")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(args.root).resolve()))
    for m in [m for m in sys.modules if m == "core" or m.startswith("core.")]:
        del sys.modules[m]
    print(f"code from {args.root}")
    skip = set(args.skip.split(","))
    if "terms" not in skip:
        for name in ("en_news_ag", "en_news_bbc"):
            terms_check(name, args.top)
    if "repdocs" not in skip:
        repdocs_check(args.k, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
