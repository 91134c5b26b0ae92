"""Projects benchmark: what lasting costs. Run as `python -m bench.projects`.

    python -m bench.projects [--corpus ../shared/corpora/zh_reviews_69k.csv] [--k 5:40:5] [--iterations N]

1. Autosave overhead: the same sweep twice in this process, alternating order, once plain
   (`run_sweep`, in-memory cache) and once in a project (`run_project_sweep`: every finished fit
   written to disk as it lands). Prints both wall times and their ratio (target <= 1.05), and the
   seconds spent writing fits, measured inside the run (the part of the difference that is ours).
2. Reopen: a fresh Python process (a restarted server) opens the project and shows the Topics page
   with the chosen model (AppTest: frame, Corpus page, Topics page), after its imports are warm.
   Target <= 2 s. Printed beside the time tokenizing alone would take (what the stored tokens save).
3. Size of the project on disk and of its .topiclens export.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "zh_reviews_69k.csv"

REOPEN = r"""
import sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
import ui.state, core.topics.sweep, core.topics.explore, core.topics.ldavis, core.charts.sweep_metrics  # warm imports
t0 = time.perf_counter()
at = AppTest.from_file({app!r}, default_timeout=600)
at.query_params["project"] = {pid!r}
at.run()                                   # frame + the Corpus page: corpus, stored tokens, quality summary
t1 = time.perf_counter()
at.switch_page("pages/topics.py").run()    # the Topics page of the reopened project
t2 = time.perf_counter()
ok = any(s.label.startswith("Number of topics k") for s in at.selectbox) and not at.exception
print(f"{{t1 - t0:.3f}} {{t2 - t1:.3f}} {{ok}}")
"""


def reopen_seconds(workspace: Path, pid: str) -> tuple[float, float, bool]:
    code = REOPEN.format(root=str(ROOT), app=str(ROOT / "app.py"), pid=pid)
    env = dict(os.environ, TOPICLENS_WORKSPACE=str(workspace))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if not line:
        raise RuntimeError(out.stderr[-3000:])
    corpus_s, topics_s, ok = line.split()
    return float(corpus_s), float(topics_s), ok == "True"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--k", default="5:40:5")
    ap.add_argument("--iterations", type=int, default=None, help="Gibbs sweeps per fit (default: the engine's)")
    args = ap.parse_args()

    from core.corpus import load_path
    from core.preprocess import PreprocessSettings, data_key, tokenize
    from core.projects import arrays
    from core.projects.archive import export_project
    from core.projects.project import Project, run_project_sweep
    from core.projects.store import ProjectStore, dir_size
    from core.topics.sweep import SweepConfig, run_sweep

    workspace = Path(tempfile.mkdtemp(prefix="tl-bench-projects-"))
    os.environ["TOPICLENS_WORKSPACE"] = str(workspace)
    store = ProjectStore(workspace)
    corpus = load_path(args.corpus)
    settings = PreprocessSettings()
    data = Path(args.corpus).read_bytes()
    print(f"corpus {Path(args.corpus).name}: {corpus.n_docs:,} documents, {len(data) / 1e6:.1f} MB; "
          f"load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    tokens = tokenize(corpus.texts, settings)
    tokenize_s = time.perf_counter() - t
    key = data_key(corpus.fingerprint, settings)
    k_min, k_max, k_step = SweepConfig.parse_k_range(args.k)
    config = SweepConfig(k_min=k_min, k_max=k_max, k_step=k_step, iterations=args.iterations, jobs=2)

    # 1. autosave overhead, same process, alternating order
    writes = [0.0]
    original = arrays.FitCache.__setitem__

    def timed_setitem(self, k, v):
        t0 = time.perf_counter()
        original(self, k, v)
        writes[0] += time.perf_counter() - t0

    arrays.FitCache.__setitem__ = timed_setitem
    plain_s, project_s = [], []
    project = None
    for order in (("plain", "project"), ("project", "plain")):
        for kind in order:
            if kind == "plain":
                from core.topics.dtm import build_dtm

                bundle = build_dtm(tokens.docs, data_key=key)
                t = time.perf_counter()
                run_sweep(bundle, config, cache={})
                plain_s.append(time.perf_counter() - t)
            else:
                project = Project(store, store.create(f"bench {len(project_s)}").id)
                project.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
                project.save_preprocess(settings)
                project.save_tokens(key, tokens)
                bundle = project.dtm_for(key, tokens)
                writes[0] = 0.0
                t = time.perf_counter()
                run_project_sweep(project, project.start_sweep(key, config), bundle, config)
                project_s.append(time.perf_counter() - t)
            print(f"  sweep {kind:7s} {[plain_s, project_s][kind == 'project'][-1]:7.1f} s"
                  + (f"  (writing fits: {writes[0]:.2f} s)" if kind == "project" else ""))
    ratio = sum(project_s) / sum(plain_s)
    print(f"1. sweep k={args.k} ({len(config.ks)} models): plain {sum(plain_s) / 2:.1f} s, in a project "
          f"{sum(project_s) / 2:.1f} s (mean of 2) -> ratio {ratio:.3f} (target <= 1.05); "
          f"fit writes {writes[0]:.2f} s in the last project run = {writes[0] / project_s[-1]:.1%} of it")

    # 2. reopen in a fresh process, chosen k set as a user would
    project.save_widget(f"topics_k_{key}", config.ks[len(config.ks) // 2])
    corpus_s, topics_s, ok = reopen_seconds(workspace, project.id)
    from core.corpus import load_corpus
    from core.preprocess import TokenizedCorpus
    from core.topics.dtm import DTMBundle

    fresh = Project(store, project.id)
    t = time.perf_counter()
    reloaded = load_corpus(*fresh.corpus_source())
    fresh.load_tokens(key, settings, TokenizedCorpus)
    fresh.load_dtm(key, DTMBundle)
    load_s = time.perf_counter() - t
    print(f"2. reopen in a fresh process: corpus bytes + parse + stored tokens + stored DTM {load_s:.2f} s "
          f"({reloaded.n_docs:,} docs; tokenizing alone would take {tokenize_s:.1f} s); the Topics page then "
          f"{topics_s:.2f} s (page shown: {ok}) -> {load_s + topics_s:.2f} s to the Topics page (target <= 2 s). "
          f"The Corpus page's first open (frame + page, quality summary and suggestions) {corpus_s:.2f} s.")

    # 3. sizes
    size = store.size_on_disk(project.id)
    t = time.perf_counter()
    exported = export_project(store, project.id)
    export_s = time.perf_counter() - t
    parts = {p.name: dir_size(p) for p in store.project_dir(project.id).iterdir()}
    print(f"3. project on disk {size / 1e6:.1f} MB ({', '.join(f'{k} {v / 1e6:.1f} MB' for k, v in parts.items())}); "
          f".topiclens export {len(exported) / 1e6:.1f} MB in {export_s:.1f} s")
    print(f"load average {os.getloadavg()[0]:.2f}; workspace {workspace}")


if __name__ == "__main__":
    main()
