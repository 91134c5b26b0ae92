"""`topiclens sweep FILE --text-col C --k 2:30:2`: fit one topic model per (k, seed) and score it.

Writes one row per (k, seed) with every metric and the fit time (CSV or XLSX by extension of
--out; printed as a table otherwise), then the 2-3 shortlisted k with their reasons on stderr.
"""

from __future__ import annotations

import argparse
import sys

from core.cli.common import add_corpus_args, add_scheduler_arg, data_key, load_inputs


def register(sub) -> None:
    from core.topics.engines import ENGINES
    from core.topics.sweep import DEFAULT_ENGINE

    p = sub.add_parser("sweep", help="k sweep: fit and score topic models over a range of k",
                       description="Fit an LDA model for every k in MIN:MAX:STEP (and every seed), score each "
                       "with perplexity (train, held-out 10%), UMass, NPMI, topic diversity, CaoJuan2009, "
                       "Arun2010, Deveaud2014 and, with 2+ seeds, stability; then shortlist 2-3 candidate k.")
    add_corpus_args(p, project=True)
    p.add_argument("--k", dest="k_range", default="2:20:2", metavar="MIN:MAX:STEP",
                   help="k range, inclusive (default 2:20:2)")
    p.add_argument("--seeds", type=int, default=1, help="models per k, seeds 0..N-1 (1-5; 2+ adds stability)")
    add_scheduler_arg(p)
    p.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                   help=f"topic model engine (default {DEFAULT_ENGINE}; sklearn is the reference)")
    p.add_argument("--iterations", type=int, default=None, help="EM passes (sklearn) / Gibbs sweeps (tomotopy)")
    p.add_argument("--alpha", type=float, default=None, help="document-topic prior (default: engine's)")
    p.add_argument("--eta", type=float, default=None, help="topic-word prior (default: engine's)")
    p.add_argument("--out", help="write the (k, seed) metrics table here (.csv or .xlsx)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.common import resolve_jobs
    from core.executor import get_executor
    from core.export import write_table
    from core.topics.dtm import build_dtm, short_docs_note
    from core.topics.labels import add_label_columns
    from core.topics.sweep import SweepConfig, run_sweep, shortlist, shortlist_evidence

    k_min, k_max, k_step = SweepConfig.parse_k_range(args.k_range)
    config = SweepConfig(k_min=k_min, k_max=k_max, k_step=k_step, seeds=args.seeds, engine=args.engine,
                         iterations=args.iterations, alpha=args.alpha, eta=args.eta, jobs=resolve_jobs(args))
    config.validate()  # parameter errors before the (slow) corpus load
    project, corpus, tokens = load_inputs(args)
    key = data_key(corpus, tokens)
    bundle = project.dtm_for(key, tokens) if project is not None else build_dtm(tokens.docs, data_key=key)
    config.validate(bundle)
    where = get_executor(config.jobs, args.scheduler).describe()
    print(f"sweeping k={k_min}..{k_max} step {k_step} x {args.seeds} seed(s) with {config.engine} on "
          f"{bundle.n_docs} documents, {bundle.n_terms} terms, {where}…", file=sys.stderr)
    note = short_docs_note(bundle)
    if note:
        print(f"note: {note}", file=sys.stderr)
    if project is not None:  # every fit lands in the project as it finishes; stored fits are reused
        from core.projects.project import run_project_sweep

        result = run_project_sweep(project, project.start_sweep(key, config), bundle, config,
                                   scheduler=args.scheduler or "")
        print(f"project {project.info.name!r}: {result.n_fitted} fitted, "
              f"{len(result.models) - result.n_fitted} reused from the project", file=sys.stderr)
    else:
        result = run_sweep(bundle, config, scheduler=args.scheduler or "")
    # Agreement of dominant topics with the label column (when there is one): one more column per k.
    frame = add_label_columns(result.frame, result.models, corpus.labels)
    frame = frame.drop(columns=["metric_seconds"] if project is not None else ["cached", "metric_seconds"])
    if args.out:
        write_table(frame, args.out)
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    else:
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    cands = shortlist(result.frame)
    level, notes = shortlist_evidence(result.frame, cands)
    print(f"done in {result.wall_seconds:.1f} s. Candidate k ({level} evidence; read their top words before choosing):",
          file=sys.stderr)
    for c in cands:
        print(f"  - {c.explanation}", file=sys.stderr)
    for note in notes:
        print(f"  note: {note}", file=sys.stderr)
    return 0
