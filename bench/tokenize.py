"""Chinese segmentation throughput: TopicLens's path vs jieba.lcut, same process, same texts.

Usage: python bench/tokenize.py [--mb 10]
Reads the Chinese corpora in ../shared/corpora, repeats them up to --mb MB of UTF-8, segments the
documents with both, prints MB/s, the speed ratio, and whether segmentation of Han text is identical.
"""

from __future__ import annotations

import sys

sys.path.pop(0)  # this file's folder: its name would shadow the stdlib `tokenize` module

import argparse
import logging
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.corpus import load_path  # noqa: E402
from core.preprocess import PreprocessSettings, segment_zh, segmenter_name, tokenize  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


ZH_NAMES = ["zh_news_titles.csv", "zh_shopping_reviews.csv", "zh_news_articles_sogou.csv", "zh_fudan_gbk_sample.csv"]


def corpus_texts(target_mb: float, names: list[str] = ZH_NAMES) -> list[str]:
    """The shared corpora `names`, repeated up to `target_mb` MB of UTF-8."""
    base = [t for n in names for t in load_path(SHARED / n).texts]
    texts, size = [], 0
    while size < target_mb * 1e6:
        for t in base:
            texts.append(t)
            size += len(t.encode("utf-8"))
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=10.0)
    args = ap.parse_args()
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    segment_zh(["预热"])  # both dictionaries loaded before timing

    texts = corpus_texts(args.mb)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    t0 = time.perf_counter()
    ref = [jieba.lcut(t) for t in texts]
    t_jieba = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = segment_zh(texts)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    tokenize(texts, PreprocessSettings(language="zh"))
    t_pipeline = time.perf_counter() - t0

    han = lambda toks: [t for t in toks if HAN.search(t)]  # noqa: E731
    differing = sum(han(a) != han(b) for a, b in zip(ref, ours))
    print(f"corpus: {len(texts):,} documents, {mb:.1f} MB UTF-8")
    print(f"jieba.lcut                      : {t_jieba:6.2f} s  {mb / t_jieba:6.2f} MB/s")
    print(f"TopicLens segmentation ({segmenter_name('zh')}): {t_ours:6.2f} s  {mb / t_ours:6.2f} MB/s")
    print(f"full tokenize (filters+stopwords): {t_pipeline:6.2f} s  {mb / t_pipeline:6.2f} MB/s")
    print(f"speed-up vs jieba.lcut          : segmentation {t_jieba / t_ours:.1f}x, full pipeline {t_jieba / t_pipeline:.1f}x")
    print(f"documents whose Han segmentation differs: {differing} of {len(texts):,}"
          f" ({'identical' if differing == 0 else 'NOT identical'})")


if __name__ == "__main__":
    main()
