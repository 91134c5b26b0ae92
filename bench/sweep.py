"""k-sweep benchmark: the product's sweep against a plain sequential scikit-learn loop, same run.

    python bench/sweep.py [--corpus ../shared/corpora/zh_shopping_reviews.csv] [--k 2:30:2]
                          [--engines tomotopy,sklearn] [--jobs 2] [--skip-baseline]

Baseline: fit sklearn `LatentDirichletAllocation(learning_method="batch", max_iter=10)` for each
k in turn on the whole DTM (the loop an analyst would write), timing the fits only.
Product: `run_sweep` with each engine named in --engines (default: the product default first,
then sklearn), `jobs` worker processes, one seed, including held-out split, every metric and
process start-up. Both use the same tokens (core.preprocess.tokenize, default settings) and DTM.
Prints wall seconds, the ratio product / baseline (target <= 0.5), and mean NPMI over k of each
(same co-occurrence statistics and NPMI code for all; target: product >= baseline), plus the
per-k fit and metric seconds of each product sweep (metrics must be well under the fit).
The machine is shared: the load average is printed before and after, and CPU seconds (parent +
worker processes) are printed beside wall seconds, as they do not include waiting for a core.
"""

from __future__ import annotations

import os
import sys

# `python bench/sweep.py` puts bench/ first on sys.path, where bench/tokenize.py shadows the
# stdlib `tokenize` module. Drop it.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "zh_shopping_reviews.csv"


def _children_cpu() -> float:
    """CPU seconds of finished (joined) child processes: the sweep's workers."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> int:
    import numpy as np

    from core.corpus import load_path
    from core.preprocess import PreprocessSettings, tokenize
    from core.topics.dtm import build_dtm
    from core.topics.metrics import cooc_stats, npmi
    from core.topics.sweep import DEFAULT_ENGINE, SweepConfig, run_sweep, shortlist

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--k", default="2:30:2")
    ap.add_argument("--engines", default=",".join(dict.fromkeys([DEFAULT_ENGINE, "sklearn"])))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    t0 = time.perf_counter()
    corpus = load_path(args.corpus)
    tokens = tokenize(corpus.texts, PreprocessSettings())
    bundle = build_dtm(tokens.docs, data_key=f"{corpus.content_hash}-{tokens.settings.key()}")
    cooc = cooc_stats(bundle)
    print(f"corpus {Path(args.corpus).name}: {bundle.n_docs} docs, {bundle.n_terms} terms, {bundle.n_tokens} tokens "
          f"(tokenize + DTM {time.perf_counter() - t0:.1f} s)")
    k_min, k_max, k_step = SweepConfig.parse_k_range(args.k)
    ks = list(range(k_min, k_max + 1, k_step))

    base_wall = base_npmi = None
    if not args.skip_baseline:
        from sklearn.decomposition import LatentDirichletAllocation

        npmis = []
        t0 = time.perf_counter()
        fit_total = cpu_total = 0.0
        for k in ks:
            t, c = time.perf_counter(), time.process_time()
            lda = LatentDirichletAllocation(n_components=k, learning_method="batch", max_iter=10,
                                            random_state=0).fit(bundle.dtm)
            fit_total += time.perf_counter() - t
            cpu_total += time.process_time() - c
            phi = lda.components_ / lda.components_.sum(1, keepdims=True)
            npmis.append(float(npmi(phi, cooc).mean()))   # not timed: the loop has no metrics
        base_wall, base_npmi = fit_total, float(np.mean(npmis))
        print(f"baseline sequential sklearn loop, {len(ks)} models: {base_wall:.1f} s wall (fits only), "
              f"{cpu_total:.1f} s CPU, mean NPMI {base_npmi:.4f}  [total incl. NPMI {time.perf_counter() - t0:.1f} s]")

    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        cfg = SweepConfig(k_min=k_min, k_max=k_max, k_step=k_step, seeds=1, engine=engine, jobs=args.jobs)
        t0, c0, ch0 = time.perf_counter(), time.process_time(), _children_cpu()
        res = run_sweep(bundle, cfg)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0 + _children_cpu() - ch0
        f = res.frame
        mean_npmi = float(f["npmi"].mean())
        line = (f"product sweep engine={engine} jobs={args.jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU (all processes), "
                f"mean NPMI {mean_npmi:.4f}")
        if base_wall:
            line += f", ratio vs loop {wall / base_wall:.2f} (target <= 0.50), NPMI {'>=' if mean_npmi >= base_npmi else '<'} loop"
        print(line)
        print(f"  sum of fit seconds {f['fit_seconds'].sum():.1f}, sum of metric seconds {f['metric_seconds'].sum():.2f}, "
              f"max metric/fit ratio {(f['metric_seconds'] / f['fit_seconds']).max():.3f}")
        print("  per k (fit s / metric s / NPMI): " + ", ".join(
            f"{r.k}: {r.fit_seconds:.1f}/{r.metric_seconds:.2f}/{r.npmi:.3f}" for r in f.itertuples()))
        print("  shortlist: " + "; ".join(f"k={c.k} (mean rank {c.mean_rank:.1f})" for c in shortlist(f)))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
