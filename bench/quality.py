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
Corpora larger than --max-docs are subsampled (seeded, the same rows every run) to fit a shared
2-core box. The same script run from an older checkout gives the "before" figures.
"""

from __future__ import annotations

import argparse
import inspect
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
    if not frame.empty:
        print(frame.groupby("corpus", sort=False)[["docs", "k", "median_tokens", "label_nmi", "ari", "mean_npmi"]]
              .mean().round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
