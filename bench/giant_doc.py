"""A giant document on the Fine-tune page: the truncation preview with and without the per-text cap.

    python -m bench.giant_doc [--chars 3500000]

The demo corpus (600 Chinese titles) plus one document of --chars characters (a whole book read as
one row). Times `pipeline.preview_lengths` for the from-scratch model (trains the WordPiece
tokenizer on the texts, then measures their token lengths) twice in this process: with the cap
(`PREVIEW_CHARS` per text, what the page runs) and with the cap lifted (the baseline). Prints both
and their ratio, and whether the share of truncated texts the page reports is the same.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from core.corpus import load_path  # noqa: E402
from core.finetune import pipeline as P  # noqa: E402
from core.finetune.sources import SCRATCH, ModelSource  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=3_500_000)
    a = ap.parse_args()
    texts = load_path(ROOT / "assets" / "demo_zh_news_titles.csv").texts
    giant = ("国足主教练人选引发球迷热议，央行下调存款准备金率。" * (a.chars // 25 + 1))[: a.chars]
    texts = texts + [giant]
    source = ModelSource(SCRATCH)

    def run(cap: int):
        P.PREVIEW_CHARS = cap
        t0 = time.perf_counter()
        lengths = P.preview_lengths(texts, source, 8000)
        return time.perf_counter() - t0, P.length_preview(lengths, None, True)

    capped_cap = P.PREVIEW_CHARS
    t_cap, prev_cap = run(capped_cap)
    t_base, prev_base = run(10 ** 12)
    t_cap2, _ = run(capped_cap)   # twice, so warm-up does not favour either side
    t_cap = min(t_cap, t_cap2)
    print(f"{len(texts)} texts, longest {a.chars:,} characters")
    print(f"baseline (whole texts):       {t_base:.2f} s  -> max length {prev_base['max_length']}, "
          f"truncated {prev_base['truncated_share']:.2%}")
    print(f"capped at {capped_cap:,} chars: {t_cap:.2f} s  -> max length {prev_cap['max_length']}, "
          f"truncated {prev_cap['truncated_share']:.2%}")
    print(f"ratio baseline / capped: {t_base / t_cap:.1f}x; same preview: "
          f"{prev_cap['max_length'] == prev_base['max_length'] and prev_cap['truncated_share'] == prev_base['truncated_share']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
