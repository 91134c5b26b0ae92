"""Scale benchmark (issue 9): a million documents on one machine, and k sweeps on a Dask cluster.

    python -m bench.scale [--corpus ../shared/corpora/zh_reviews_69k.csv] [--copies 15] [--k 5:40:5]
                          [--skip-1m] [--skip-sweep] [--skip-memory] [--keep-file]

1. The 1M-row corpus: the corpus replicated `--copies` times (15 x 69k = 1.04M rows, 181 MB),
   written to a temp file (deleted afterwards unless --keep-file). `topiclens inspect` against a bare
   `pandas.read_csv` of the same file in the same run (target <= 20x); `topiclens terms` with
   `--jobs 1` against the default (all cores; target >= 1.3x faster on 2 cores, <= 3 GB peak).
   Each command runs in a fresh process; peak RSS is that process's own plus its largest worker.
2. The corpus itself, sweep k over `--k` (tomotopy, default iterations, 1 seed): the sequential
   single-process loop vs the local executor (2 processes) vs a two-worker `distributed.LocalCluster`
   (cluster start-up not counted, scattering the DTM counted). Metrics must be identical.
   Target: local <= 0.55x the loop.
3. On paper, from the measured per-fit times (scaled by the token ratio): a 15-model sweep
   (k = 5..75 step 5) on the 1M corpus with 1, 4, 16 and 64 workers, and what limits it.
4. Memory per million documents: peak RSS of one `topiclens sweep` (a single k, short fit) on the 1M
   corpus: tokens + DTM + one model + metrics in one process.
The machine is shared: load averages are printed with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "zh_reviews_69k.csv"
BANDWIDTH = 125e6          # bytes/s: a 1 Gbit/s link, the assumption of the paper model


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores"


# --------------------------------------------------------------------------- child process
def child(argv: list[str]) -> None:
    """Run one CLI command; report wall seconds and peak RSS (MB) of this process and its workers."""
    import contextlib
    import io

    from core.cli import main

    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(argv)
    wall = time.perf_counter() - t0
    out = {"rc": rc, "wall": wall,
           "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
    Path(os.environ["SCALE_BENCH_OUT"]).write_text(json.dumps(out))


def run_cli(argv: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    env = dict(os.environ, SCALE_BENCH_OUT=out)
    proc = subprocess.run([sys.executable, "-m", "bench.scale", "--child", *argv], cwd=ROOT, env=env,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {proc.stderr[-2000:]}")
    res = json.loads(Path(out).read_text())
    os.unlink(out)
    res["peak_mb"] = res["self_mb"] + res["children_mb"]
    return res


def replicate(src: Path, copies: int) -> Path:
    data = src.read_bytes()
    header, _, body = data.partition(b"\n")
    body = body if body.endswith(b"\n") else body + b"\n"
    fd, name = tempfile.mkstemp(suffix=f"_x{copies}.csv", prefix="topiclens_scale_")
    with os.fdopen(fd, "wb") as fh:
        fh.write(header + b"\n")
        for _ in range(copies):
            fh.write(body)
    return Path(name)


# --------------------------------------------------------------------------- 1. one million documents
def bench_million(big: Path) -> None:
    import pandas as pd

    size = big.stat().st_size / 1e6
    t0 = time.perf_counter()
    rows = len(pd.read_csv(big))
    bare = time.perf_counter() - t0
    print(f"\n1. {big.name}: {rows:,} rows, {size:.0f} MB ({load()})")
    print(f"   bare pandas.read_csv(path): {bare:.2f} s")
    ins = run_cli(["inspect", str(big)])
    print(f"   topiclens inspect: {ins['wall']:.2f} s = {ins['wall'] / bare:.1f}x the bare read_csv (target <= 20x); "
          f"peak {ins['peak_mb']:.0f} MB ({load()})")
    one = run_cli(["terms", str(big), "--text-col", "text", "--jobs", "1"])
    print(f"   topiclens terms --jobs 1: {one['wall']:.1f} s, peak {one['peak_mb']:.0f} MB ({load()})")
    many = run_cli(["terms", str(big), "--text-col", "text"])
    print(f"   topiclens terms (default, {os.cpu_count()} cores): {many['wall']:.1f} s, peak {many['peak_mb']:.0f} MB "
          f"(parent {many['self_mb']:.0f} + largest worker {many['children_mb']:.0f}) ({load()})")
    print(f"   speed-up default vs --jobs 1: {one['wall'] / many['wall']:.2f}x (target >= 1.3x, <= 3000 MB)")


# --------------------------------------------------------------------------- 2. sweeps
def bench_sweep(corpus_path: Path, k_range: str) -> tuple:
    import logging

    import numpy as np
    import pandas as pd
    from distributed import LocalCluster

    from core.corpus import load_path
    from core.parallel import tokenize_parallel
    from core.preprocess import PreprocessSettings
    from core.topics.dtm import build_dtm
    from core.topics.metrics import METRICS
    from core.topics.sweep import SweepConfig, run_sweep

    corpus = load_path(corpus_path)
    tokens = tokenize_parallel(corpus.texts, PreprocessSettings())
    bundle = build_dtm(tokens.docs, data_key=f"{corpus.content_hash}-{tokens.settings.key()}")
    k_min, k_max, k_step = SweepConfig.parse_k_range(k_range)
    print(f"\n2. {corpus_path.name}: {bundle.n_docs:,} docs, {bundle.n_terms:,} terms, {bundle.n_tokens:,} tokens, "
          f"DTM {bundle.dtm.nnz:,} nonzeros; sweep k={k_min}..{k_max} step {k_step}, tomotopy, 1 seed")

    def sweep(label, **kw):
        cfg = SweepConfig(k_min=k_min, k_max=k_max, k_step=k_step, engine="tomotopy", jobs=kw.pop("jobs", 1))
        before = load()
        t0 = time.perf_counter()
        res = run_sweep(bundle, cfg, **kw)
        wall = time.perf_counter() - t0
        print(f"   {label:<34} {wall:7.1f} s  ({before} -> {load()})")
        return res, wall

    seq, t_seq = sweep("sequential single-process loop", processes=False, scheduler="")
    loc, t_loc = sweep("local executor, 2 processes", jobs=2, processes=True, scheduler="")
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    print(f"   (LocalCluster start-up {time.perf_counter() - t0:.1f} s, not counted)")
    try:
        dsk, t_dsk = sweep("2-worker LocalCluster (Dask)", scheduler=cluster.scheduler_address)
    finally:
        cluster.close()

    def metrics(res):
        return res.frame[["k", "seed", *METRICS]].reset_index(drop=True)

    same = metrics(seq).equals(metrics(loc)) and metrics(seq).equals(metrics(dsk))
    worst = max(float(np.nanmax(np.abs(metrics(seq)[m] - metrics(other)[m]) / np.abs(metrics(seq)[m]).clip(1e-300)))
                for other in (loc, dsk) for m in METRICS if metrics(seq)[m].notna().any())
    print(f"   local / loop = {t_loc / t_seq:.2f} (target <= 0.55); cluster / loop = {t_dsk / t_seq:.2f}; "
          f"identical metrics in all three: {same} (largest relative difference {worst:.1e})")
    for label, res, wall in (("loop", seq, t_seq), ("local", loc, t_loc), ("cluster", dsk, t_dsk)):
        busy = float(res.frame["fit_seconds"].sum())
        print(f"   {label}: sum of fit seconds {busy:.0f} s over {wall:.0f} s wall = {busy / wall:.2f} fits running "
              "at once on average (contention makes each fit slower, so compare this with the wall ratio)")
    print(f"   fits per cluster worker: {dsk.frame['worker'].value_counts().to_dict()}")
    f = seq.frame
    print("   per k (fit s + metric s): " + ", ".join(f"{r.k}: {r.fit_seconds:.1f}+{r.metric_seconds:.2f}"
                                                      for r in f.itertuples()))
    frame = pd.DataFrame({"k": f["k"], "t": f["fit_seconds"] + f["metric_seconds"]})
    slope, intercept = np.polyfit(frame["k"], frame["t"], 1)
    return bundle, (intercept, slope)


# --------------------------------------------------------------------------- 3. on paper
def paper_model(bundle, fit_line: tuple[float, float], copies: int) -> None:
    import heapq

    intercept, slope = fit_line
    ks = list(range(5, 76, 5))
    docs = bundle.n_docs * copies
    # tomotopy's Gibbs sweeps cost in proportion to the tokens (x copies); k adds the slope.
    per_fit = {k: copies * max(0.1, intercept + slope * k) for k in ks}
    dtm_bytes = copies * bundle.dtm.nnz * (bundle.dtm.data.itemsize + bundle.dtm.indices.itemsize) + (docs + 1) * 8
    back = {k: docs * k * 8 + k * bundle.n_terms * 8 for k in ks}   # doc_topic + topic_word, float64
    print(f"\n3. On paper: 15 models, k=5..75 step 5, on {docs:,} docs (the corpus x{copies}); per fit "
          f"{copies} x ({intercept:.2f} + {slope:.3f} k) s from part 2: k=5 {per_fit[5]:.0f} s ... "
          f"k=75 {per_fit[75]:.0f} s, {sum(per_fit.values()):.0f} s of fitting in all.")
    print(f"   DTM {dtm_bytes / 1e6:.0f} MB sent once to each worker; results {sum(back.values()) / 1e9:.1f} GB back "
          f"(doc-topic {docs:,} x k float64 per model); network assumed {BANDWIDTH * 8 / 1e9:.1f} Gbit/s.")
    print(f"   {'workers':>7} {'fitting':>9} {'scatter':>8} {'results':>8} {'wall':>8}  limit")
    for w in (1, 4, 16, 64):
        free = [0.0] * w                        # longest first onto the earliest free worker
        for k in sorted(ks, reverse=True):
            heapq.heapreplace(free, free[0] + per_fit[k])
        makespan = max(free)
        scatter = w * dtm_bytes / BANDWIDTH    # broadcast: every worker gets a copy, even idle ones
        results = sum(back.values()) / BANDWIDTH
        wall = scatter + max(makespan, results)   # results stream back while other fits run
        if results > makespan:
            limit = "shipping the doc-topic results back to the client"
        elif makespan <= per_fit[75] * 1.01:
            limit = "the slowest fit (k=75)"
        else:
            limit = "fitting (more models than workers)"
        print(f"   {w:>7} {makespan:>8.0f}s {scatter:>7.0f}s {results:>7.0f}s {wall:>7.0f}s  {limit}")


# --------------------------------------------------------------------------- 4. memory
def bench_memory(big: Path) -> None:
    res = run_cli(["sweep", str(big), "--text-col", "text", "--k", "20", "--engine", "tomotopy", "--iterations", "10",
                   "--jobs", "1", "--scheduler", ""])
    print(f"\n4. memory: one sweep fit (k=20, 10 Gibbs sweeps) on the 1M corpus, one process: {res['wall']:.0f} s, "
          f"peak {res['self_mb']:.0f} MB (+ largest tokenizer worker {res['children_mb']:.0f} MB) ({load()})")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--copies", type=int, default=15)
    ap.add_argument("--k", default="5:40:5")
    ap.add_argument("--skip-1m", action="store_true")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--keep-file", action="store_true")
    args = ap.parse_args()
    src = Path(args.corpus)
    if not src.exists():
        print(f"error: {src} not found (the shared corpora are needed for this benchmark)", file=sys.stderr)
        return 2
    print(f"TopicLens scale benchmark ({load()})")
    big = None
    try:
        if not (args.skip_1m and args.skip_memory):
            big = replicate(src, args.copies)
            print(f"1M corpus: {src.name} replicated {args.copies}x into the temp file {big}")
        if not args.skip_1m:
            bench_million(big)
        if not args.skip_sweep:
            bundle, line = bench_sweep(src, args.k)
            paper_model(bundle, line, args.copies)
        if not args.skip_memory:
            bench_memory(big)
    finally:
        if big is not None and not args.keep_file:
            big.unlink(missing_ok=True)
    print(f"\ndone ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
