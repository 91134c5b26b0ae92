"""Fine-tune benchmark: accuracy vs the TF-IDF baseline, time, samples/s, and the job runner's overhead.

    python bench/finetune.py --corpus ../shared/corpora/zh_news_titles.csv --mlm-steps 0,600
    python bench/finetune.py --corpus ../shared/corpora/zh_news_titles.csv --mlm-steps "" --overhead 2 --overhead-epochs 1
    python bench/finetune.py --corpus ../shared/corpora/en_news_ag.csv --model minilm --epochs 1 --max-length 96

Each run prints test accuracy beside the TF-IDF baseline's (same split), wall and train-step time and
samples/s. `--overhead PAIRS` times the very same request as a plain call of the training loop
(`run_finetune`) and through `core.jobs.JobRegistry` (a thread, progress callbacks, events), alternating
the order, and prints the median job / plain wall-time ratio plus the measured callback cost.
Results also go to bench/out/finetune-*.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from bench/, sys.path[0] would be bench/, whose tokenize.py shadows the stdlib module: use the repo root.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from core.finetune.pipeline import FinetuneRequest, run_finetune, submit_finetune  # noqa: E402
from core.finetune.sources import parse_source  # noqa: E402
from core.finetune.train import default_settings  # noqa: E402
from core.jobs import JobRegistry  # noqa: E402


def row(tag: str, result, wall: float) -> dict:
    return {"run": tag, "status": result.status, "accuracy": round(result.metrics["accuracy"], 4),
            "macro_f1": round(result.metrics["macro_f1"], 4), "baseline_accuracy": round(result.baseline["accuracy"], 4),
            "baseline_seconds": round(result.baseline["seconds"], 1), "wall_seconds": round(wall, 1),
            "train_seconds": round(result.train_seconds, 1), "samples_per_second": round(result.samples_per_second, 1),
            "steps": result.steps, "best_step": result.best_step, "max_length": result.max_length,
            "truncated_share": round(result.truncated_share, 4), "n_params": result.n_params,
            "split": result.split_sizes}


def make_request(args, texts, labels, source, mlm: int = 0, epochs: int | None = None) -> FinetuneRequest:
    s = default_settings(source)
    for name, value in (("epochs", epochs or args.epochs), ("max_length", args.max_length),
                        ("batch_size", args.batch_size), ("learning_rate", args.lr)):
        if value is not None:
            setattr(s, name, value)
    s.mlm_steps = mlm
    return FinetuneRequest(texts, labels, source, s, Path(tempfile.mkdtemp(prefix="bench-ft-")))


def overhead(args, texts, labels, source, rows) -> None:
    """Wall time of the same request run plainly and as a job, alternating (ABBA...) to cancel drift
    on a shared CPU; plus the measured cost of the job's progress callbacks, an upper bound that
    does not depend on the machine's load."""
    import statistics

    from core.jobs import Job, JobContext
    import threading

    # Warm up the lazy imports first, so the first timed run does not pay for them.
    import sklearn.linear_model  # noqa: F401
    import transformers  # noqa: F401
    from transformers import BertModel, PreTrainedTokenizerFast  # noqa: F401

    walls: dict[str, list[float]] = {"plain": [], "job": []}
    steps = 0
    for pair in range(args.overhead):
        order = ["plain", "job"] if pair % 2 == 0 else ["job", "plain"]
        for kind in order:
            request = make_request(args, texts, labels, source, epochs=args.overhead_epochs)
            t0 = time.perf_counter()
            if kind == "plain":
                result = run_finetune(request)
            else:
                registry = JobRegistry()
                job = registry.wait(submit_finetune(registry, "bench", request).id, "bench")
                if job.status != "done":
                    raise SystemExit(f"job ended {job.status}: {job.error}")
                result = job.result
            walls[kind].append(time.perf_counter() - t0)
            steps = result.steps
            rows.append(row(f"{kind} #{pair + 1}", result, walls[kind][-1]))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    ctx = JobContext(Job(id="x", owner="o", kind="k", label=""), threading.Lock())
    n = 20000
    t0 = time.perf_counter()
    for i in range(n):
        ctx.progress(i / n, "epoch 1/4 · step 1/100 · loss 1.000")
        ctx.event(phase="train", step=i, epoch=0.1, loss=1.0, lr=1e-4)
    per_call = (time.perf_counter() - t0) / n
    plain_med, job_med = statistics.median(walls["plain"]), statistics.median(walls["job"])
    print(f"job runner overhead: median job / plain wall time = {job_med / plain_med:.3f} "
          f"(plain {[round(w, 1) for w in walls['plain']]}, job {[round(w, 1) for w in walls['job']]}); "
          f"callbacks: {per_call * 1e6:.1f} us per progress+event, at most {steps * per_call:.3f} s "
          f"= {steps * per_call / plain_med:.4%} of the plain run for {steps} steps")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--text-col", default="text")
    ap.add_argument("--label-col", default="label")
    ap.add_argument("--model", default="scratch")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--max-length", type=int)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--mlm-steps", default="0", help="comma-separated list: one run per value")
    ap.add_argument("--limit", type=int, help="use only the first N rows")
    ap.add_argument("--overhead", type=int, default=0, metavar="PAIRS",
                    help="also time PAIRS x (plain loop, same loop through JobRegistry), alternating the order")
    ap.add_argument("--overhead-epochs", type=int, help="epochs for the overhead pairs (default: --epochs)")
    args = ap.parse_args()

    frame = pd.read_csv(args.corpus)
    if args.limit:
        frame = frame.head(args.limit)
    texts, labels = frame[args.text_col].astype(str).tolist(), frame[args.label_col].tolist()
    source = parse_source(args.model)
    rows = []
    for mlm in [int(x) for x in args.mlm_steps.split(",") if x.strip()]:  # --mlm-steps "" : overhead only
        t0 = time.perf_counter()
        plain = run_finetune(make_request(args, texts, labels, source, mlm))
        rows.append(row(f"plain mlm={mlm}", plain, time.perf_counter() - t0))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    if args.overhead:
        overhead(args, texts, labels, source, rows)
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    name = f"finetune-{Path(args.corpus).stem}-{source.kind}-{time.strftime('%H%M%S')}.json"
    (out / name).write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    print(f"\n{'run':<16}{'acc':>8}{'base':>8}{'wall s':>9}{'train s':>9}{'samp/s':>9}")
    for r in rows:
        print(f"{r['run']:<16}{r['accuracy']:>8.3f}{r['baseline_accuracy']:>8.3f}{r['wall_seconds']:>9.1f}"
              f"{r['train_seconds']:>9.1f}{r['samples_per_second']:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
