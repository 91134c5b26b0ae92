"""pyLDAvis embedding benchmark: our offline embed vs pyLDAvis's own paths, same model, same run.

    python bench/ldavis.py [--corpus ../shared/corpora/zh_shopping_reviews.csv] [--k 20] [--reps 3] [--min-df 2] [--no-browser]

One sklearn LDA (k=20) is fitted on the corpus (V ~ 10k terms for zh_shopping_reviews), then each
path is timed `reps` times (median reported):
  baseline  pyLDAvis.lda_model.prepare(lda, dtm, vectorizer) + prepared_data_to_html (CDN HTML)
  low-level pyLDAvis.prepare(normalised matrices, sort_topics=False), n_jobs=1 and n_jobs=-1
  ours      core.topics.ldavis.model_page(model): numpy prepare + offline, escaped HTML
With the browser (default), the HTML is also rendered in headless Chromium, network blocked,
until all K topic circles are drawn: ours server + browser = "click to rendered" (target <= 1.5 s).
Prints the ratio baseline / ours.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds scripts named like stdlib modules (bench/tokenize.py): keep it off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core.corpus import load_path  # noqa: E402
from core.preprocess import PreprocessSettings, tokenize  # noqa: E402
from core.topics import ldavis  # noqa: E402
from core.topics.dtm import build_dtm  # noqa: E402
from core.topics.model import TopicModel  # noqa: E402


class _Vocab:
    """The one vectorizer method pyLDAvis.lda_model.prepare calls."""

    def __init__(self, vocab):
        self.vocab = vocab

    def get_feature_names_out(self):
        return self.vocab


def timed(fn, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def browser_render_seconds(html: str, k: int, reps: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    out = []
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        page = b.new_page(viewport={"width": 1300, "height": 1000})
        page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
        for _ in range(reps):
            t0 = time.perf_counter()
            page.set_content(html, wait_until="domcontentloaded")
            page.wait_for_function(f"document.querySelectorAll('circle.dot').length === {k}", timeout=30000)
            out.append(time.perf_counter() - t0)
        b.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "zh_shopping_reviews.csv"))
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--min-df", type=int, default=2, help="drop terms in fewer documents (2: V ~ 10k on zh_shopping_reviews)")
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()

    import pyLDAvis
    import pyLDAvis.lda_model
    from sklearn.decomposition import LatentDirichletAllocation

    corpus = load_path(a.corpus)
    tokens = tokenize(corpus.texts, PreprocessSettings())
    bundle = build_dtm(tokens.docs, min_df=a.min_df)
    print(f"corpus {Path(a.corpus).name}: {bundle.n_docs} docs, V={bundle.n_terms}, {bundle.n_tokens} tokens, k={a.k}")
    t0 = time.perf_counter()
    lda = LatentDirichletAllocation(n_components=a.k, learning_method="online", max_iter=5, random_state=0,
                                    batch_size=512).fit(bundle.dtm)
    theta = lda.transform(bundle.dtm)
    print(f"fit (not timed below): {time.perf_counter() - t0:.1f} s")
    phi = lda.components_ / lda.components_.sum(1, keepdims=True)
    model = TopicModel(engine="sklearn", k=a.k, seed=0, topic_word=phi, doc_topic=theta, vocab=bundle.vocab,
                       dtm=bundle.dtm, doc_rows=bundle.doc_rows)
    vec = _Vocab(bundle.vocab)

    def baseline():
        p = pyLDAvis.lda_model.prepare(lda, bundle.dtm, vec, sort_topics=False)
        return pyLDAvis.prepared_data_to_html(p)

    def low(n_jobs):
        return lambda: pyLDAvis.prepare(phi, theta, model.doc_lengths, bundle.vocab, model.term_frequency,
                                        sort_topics=False, n_jobs=n_jobs)

    def ours():
        return ldavis.model_page(model)

    ours()  # warm imports/assets once (the app process is warm too)
    rows = [("pyLDAvis.lda_model.prepare + html (baseline)", timed(baseline, a.reps)),
            ("pyLDAvis.prepare low-level, n_jobs=1", timed(low(1), a.reps)),
            ("pyLDAvis.prepare low-level, n_jobs=-1", timed(low(-1), a.reps)),
            ("ours: ldavis.model_page (prepare + offline html)", timed(ours, a.reps))]
    for name, (med, times, _) in rows:
        print(f"{name:52s} median {med:6.3f} s   runs {', '.join(f'{t:.3f}' for t in times)}")
    base, mine = rows[0][1][0], rows[-1][1][0]
    print(f"ratio baseline / ours: {base / mine:.1f}x   (low-level n_jobs=1 / ours: {rows[1][1][0] / mine:.1f}x)")
    html = rows[-1][1][2]
    print(f"our HTML: {len(html) / 1024:.0f} kB, fully inline")
    if not a.no_browser:
        br = browser_render_seconds(html, a.k, a.reps)
        med_b = statistics.median(br)
        print(f"browser render (Chromium, offline, until {a.k} circles drawn): median {med_b:.3f} s   "
              f"runs {', '.join(f'{t:.3f}' for t in br)}")
        total = mine + med_b
        print(f"click to rendered (ours server + browser): {total:.2f} s  target <= 1.5 s: "
              f"{'OK' if total <= 1.5 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
