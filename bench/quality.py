"""Topic-quality benchmark: label NMI and mean NPMI at the default settings on labelled corpora.

    python -m bench.quality [--corpora zh_news_titles,zh_shopping_reviews,en_news_ag,en_news_bbc]
                            [--max-docs 6000] [--engine ENGINE] [--seeds 1] [--settings k=v,...]

For each corpus: load it (core.corpus.load_path), tokenize with the default PreprocessSettings
(or the overrides in --settings, e.g. `lemmatize=True`), build the DTM, fit ONE model with
`fit_model`'s default engine (or --engine) at k = number of gold labels, seed 0.. and print
- label NMI: normalised mutual information (sklearn, arithmetic mean) between each document's
  dominant topic and its gold label, over every non-empty document;
- ARI: adjusted Rand index of the same two partitions;
- mean NPMI of the topics' top-10 words (core.topics.metrics.npmi, document co-occurrence in the
  corpus's own tokens; so it compares tokenizations only roughly: each scores against its tokens).
With --groups, instead of topic models, the group term rankings (core.terms.group_terms, every
method of GROUP_METHODS) with the gold labels as groups: top-20 terms per label, then
- label accuracy: each document assigned to the label whose top terms it holds most of (ties and
  documents holding none count as wrong): how well the lists describe their groups;
- exclusivity: share of the top-20 terms that are in no other label's top 20;
- shared-top: how many labels have the same first term as some other label.
Corpora larger than --max-docs are subsampled (seeded, the same rows every run) to fit a shared
2-core box. The same script run from an older checkout gives the "before" figures.
"""

from __future__ import annotations

import argparse
import inspect
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT = "zh_news_titles,zh_shopping_reviews,en_news_ag,en_news_bbc"


def _settings(text: str):
    from core.preprocess import PreprocessSettings

    kw = {}
    for part in filter(None, text.split(",")):
        name, _, val = part.partition("=")
        kw[name] = {"true": True, "false": False}.get(val.lower(), val)
        if isinstance(kw[name], str) and re.fullmatch(r"\d+", val):
            kw[name] = int(val)
        elif isinstance(kw[name], str) and re.fullmatch(r"\d*\.\d+", val):
            kw[name] = float(val)
    return PreprocessSettings(**kw)


def main() -> int:
    import numpy as np
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from core.corpus import load_path
    from core.preprocess import tokenize
    from core.topics.dtm import build_dtm
    from core.topics.engines import fit_model
    from core.topics.metrics import cooc_stats, npmi

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=DEFAULT)
    ap.add_argument("--max-docs", type=int, default=6000)
    ap.add_argument("--engine", default=None, help="default: fit_model's own default")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--settings", default="", help="PreprocessSettings overrides, e.g. lemmatize=true")
    ap.add_argument("--groups", action="store_true", help="measure the group term rankings instead")
    args = ap.parse_args()
    engine = args.engine or inspect.signature(fit_model).parameters["engine"].default
    settings = _settings(args.settings)
    print(f"engine {engine} (fit_model default: {inspect.signature(fit_model).parameters['engine'].default}); "
          f"settings overrides: {args.settings or 'none'}")
    rows = []
    for name in args.corpora.split(","):
        path = CORPORA / f"{name}.csv"
        if not path.exists():
            print(f"{name}: not found, skipped")
            continue
        corpus = load_path(path)
        texts, labels = corpus.texts, corpus.labels
        idx = np.arange(len(texts))
        if len(idx) > args.max_docs:
            idx = np.sort(np.random.default_rng(0).choice(len(idx), args.max_docs, replace=False))
        texts = [texts[i] for i in idx]
        labels = np.asarray([labels[i] for i in idx])
        t0 = time.perf_counter()
        tokens = tokenize(texts, settings)
        t_tok = time.perf_counter() - t0
        if args.groups:
            rows.extend(group_rows(name, tokens.docs, labels))
            print(rows[-2:], flush=True)
            continue
        bundle = build_dtm(tokens.docs)
        cooc = cooc_stats(bundle)
        k = len(set(labels))
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            model = fit_model(bundle, k=k, engine=engine, seed=seed)
            gold = labels[bundle.doc_rows]
            dom = model.doc_topic.argmax(axis=1)
            rows.append({
                "corpus": name, "docs": bundle.n_docs, "k": k, "seed": seed,
                "median_tokens": float(np.median(tokens.token_lengths)),
                "label_nmi": normalized_mutual_info_score(gold, dom),
                "ari": adjusted_rand_score(gold, dom),
                "mean_npmi": float(np.mean(npmi(model.topic_word, cooc))),
                "tokenize_s": t_tok, "fit_s": time.perf_counter() - t0,
            })
            print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    if args.groups and not frame.empty:
        print(frame.round(3).to_string(index=False))
        return 0
    if not frame.empty:
        print(frame.groupby("corpus", sort=False)[["docs", "k", "median_tokens", "label_nmi", "ari", "mean_npmi"]]
              .mean().round(3).to_string())
    return 0


def group_rows(name: str, docs, labels, top: int = 20) -> list[dict]:
    import numpy as np

    from core.terms import GROUP_METHODS, build_term_matrix, group_terms

    tm = build_term_matrix(docs)
    gold = np.asarray([str(x) for x in labels])
    names = sorted(set(gold))
    out = []
    for method in GROUP_METHODS:
        table = group_terms(tm, list(gold), method, top_n=top).table
        lists = {g: list(table[table["group"] == g]["term"]) for g in names}
        hits = np.zeros((len(docs), len(names)))
        for j, g in enumerate(names):
            terms = set(lists[g])
            hits[:, j] = [len(terms.intersection(d)) for d in docs]
        best = hits.max(axis=1)
        unique = (hits == best[:, None]).sum(axis=1) == 1
        pred = np.asarray(names)[hits.argmax(axis=1)]
        accuracy = float(np.mean((pred == gold) & unique & (best > 0)))
        counts = {}
        for g in names:
            for t in lists[g]:
                counts[t] = counts.get(t, 0) + 1
        exclusive = float(np.mean([counts[t] == 1 for g in names for t in lists[g]]))
        firsts = [lists[g][0] for g in names if lists[g]]
        shared = sum(firsts.count(f) > 1 for f in firsts)
        out.append({"corpus": name, "method": method, "label_accuracy": accuracy, "exclusivity": exclusive,
                    "shared_first_term": shared, "firsts": " ".join(firsts)})
    return out


if __name__ == "__main__":
    raise SystemExit(main())
