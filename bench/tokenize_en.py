"""English tokens: speed against an older checkout in the same run, and agreement with spaCy.

    python bench/tokenize_en.py [--before /path/to/older/checkout] [--mb 5] [--no-spacy]

- Speed: `core.preprocess.tokenize` of this checkout and of `--before` (loaded as a second module,
  same process, same texts, runs interleaved, best CPU time of --repeat) on the shared English corpora repeated up
  to --mb MB, and the same for the Chinese corpora; prints MB/s and new/old time ratios.
- Reference: spaCy's rule-based English tokenizer (`spacy.blank("en")`, no model download; install
  spaCy for this script only, it is not a TopicLens dependency) against ours on the same decoded
  texts (core.textclean.decode_html). Word tokens are compared lowercased; spaCy's possessive "'s"
  tokens and its tokens without a letter or digit are left out (ours has neither). Prints the share
  of documents tokenized identically, token agreement both ways, the tokens one side has and the
  other does not, and how each side writes U.S., AT&T, S&P and e-mail.
"""

from __future__ import annotations

import sys

sys.path.pop(0)  # this file's folder: its name would shadow the stdlib `tokenize` module

import argparse
import importlib.util
import re
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.tokenize import corpus_texts  # noqa: E402  (bench/tokenize.py: the Chinese benchmark)
from core.corpus import load_path  # noqa: E402
from core.preprocess import PreprocessSettings, tokenize, tokenize_en  # noqa: E402
from core.textclean import decode_html  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpora"
EN = ["en_news_ag.csv", "en_news_bbc.csv"]
ZH = ["zh_news_titles.csv", "zh_shopping_reviews.csv", "zh_news_articles_sogou.csv"]
_POSSESSIVE = re.compile(r"['’]s$", re.I)


def load_before(path: Path):
    spec = importlib.util.spec_from_file_location("preprocess_before", path / "core" / "preprocess.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def speed(before, mb: float, repeat: int = 3) -> None:
    for lang, names in (("en", EN), ("zh", ZH)):
        texts = corpus_texts(mb, names)
        size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        settings = PreprocessSettings(language=lang)
        old_settings = before.PreprocessSettings(language=lang)
        tokenize(texts[:200], settings), before.tokenize(texts[:200], old_settings)  # warm caches
        best = {"new": 1e9, "old": 1e9}
        for _ in range(repeat):
            for name, fn, s in (("old", before.tokenize, old_settings), ("new", tokenize, settings)):
                t0 = time.process_time()  # CPU time: a shared, loaded machine skews wall time
                fn(texts, s)
                best[name] = min(best[name], time.process_time() - t0)
        print(f"{lang}: {len(texts):,} documents, {size:.1f} MB: before {size / best['old']:.2f} MB/s, "
              f"now {size / best['new']:.2f} MB/s, time ratio now/before {best['new'] / best['old']:.2f}")


def ours(text: str) -> list[str]:
    return [_POSSESSIVE.sub("", t.lower()) or t.lower() for t in tokenize_en(text)]


def compare_spacy() -> None:
    import spacy

    nlp = spacy.blank("en")
    for name in EN:
        texts = [decode_html(t) for t in load_path(SHARED / name).texts]
        a_all, b_all, same = Counter(), Counter(), 0
        for text, doc in zip(texts, nlp.tokenizer.pipe(texts)):
            a = ours(text)
            b = [t.text.lower() for t in doc
                 if any(ch.isalnum() for ch in t.text) and t.text.lower() not in ("'s", "’s")]
            same += a == b
            a_all.update(a)
            b_all.update(b)
        common = sum((a_all & b_all).values())
        print(f"{name} (spaCy {spacy.__version__}): {len(texts):,} documents, identical token lists "
              f"{same / len(texts):.1%}; ours {sum(a_all.values()):,} tokens, spaCy {sum(b_all.values()):,}; "
              f"shared {common / sum(a_all.values()):.2%} of ours, {common / sum(b_all.values()):.2%} of spaCy's")
        only_a = (a_all - b_all).most_common(12)
        only_b = (b_all - a_all).most_common(12)
        print(f"  more in ours : {', '.join(f'{t} {c}' for t, c in only_a)}")
        print(f"  more in spaCy: {', '.join(f'{t} {c}' for t, c in only_b)}")
        forms = ("u.s.", "u.s", "u", "at&t", "s&p", "p&g", "e-mail", "e", "mail", "t", "s")
        print("  ours  : " + ", ".join(f"{f} {a_all[f]}" for f in forms))
        print("  spaCy : " + ", ".join(f"{f} {b_all[f]}" for f in forms))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, default=None, help="older checkout to time against")
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each (the best counts)")
    ap.add_argument("--no-spacy", action="store_true")
    args = ap.parse_args()
    if args.before:
        speed(load_before(args.before), args.mb, args.repeat)
    if not args.no_spacy:
        compare_spacy()


if __name__ == "__main__":
    main()
