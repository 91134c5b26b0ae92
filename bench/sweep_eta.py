"""How right the sweep's "time left" is: sampled every second during a real sweep, then compared
with the time that was actually left. Run as `python -m bench.sweep_eta`.

    python -m bench.sweep_eta [--corpus ../shared/corpora/zh_shopping_reviews.csv] [--k 4:40:6] [--engine tomotopy]

Baseline in the same run: the old estimate (elapsed x (1 - share of models done) / share done).
Prints, for both, the median and worst absolute error over the samples taken after the first model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from core.corpus import load_path  # noqa: E402
from core.jobs import JobRegistry  # noqa: E402
from core.preprocess import PreprocessSettings, tokenize  # noqa: E402
from core.topics.dtm import build_dtm  # noqa: E402
from core.topics.sweep import SweepConfig, run_sweep  # noqa: E402
from core.topics.sweep_progress import sweep_status  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpora" / "zh_shopping_reviews.csv"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT if DEFAULT.exists() else ROOT / "assets" / "demo_zh_news_titles.csv"))
    ap.add_argument("--k", default="4:40:6")
    ap.add_argument("--engine", default="tomotopy")
    a = ap.parse_args()
    lo, hi, step = SweepConfig.parse_k_range(a.k)
    tokens = tokenize(load_path(a.corpus).texts, PreprocessSettings())
    bundle = build_dtm(tokens.docs, data_key="bench")
    config = SweepConfig(k_min=lo, k_max=hi, k_step=step, engine=a.engine).validate(bundle)
    reg = JobRegistry()
    job = reg.submit("bench", "topics_sweep", lambda ctx: run_sweep(bundle, config, ctx))
    samples = []   # (elapsed, new estimate, old estimate, models done)
    while not job.done:
        time.sleep(1.0)
        st = sweep_status(job.events, job.elapsed)
        samples.append((job.elapsed, st.eta if st else None, job.eta(), sum(e.get("kind") == "fit" for e in job.events)))
    total = job.elapsed
    print(f"{Path(a.corpus).name}: {bundle.n_docs} docs, k {lo}..{hi} step {step}, {a.engine}, {total:.1f} s in all")
    for name, idx in (("work-based (new)", 1), ("share of models (old)", 2)):
        errs = [abs(s[idx] - (total - s[0])) for s in samples if s[3] >= 1 and s[idx] is not None]
        print(f"{name:24s} |estimate - actual| median {statistics.median(errs):5.1f} s, worst {max(errs):5.1f} s "
              f"over {len(errs)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
