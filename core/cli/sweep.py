"""`topiclens sweep FILE --text-col C --k 2:30:2`: fit one topic model per (k, seed) and score it.

Writes one row per (k, seed) with every metric and the fit time (CSV or XLSX by extension of
--out; printed as a table otherwise), then the 2-3 shortlisted k with their reasons on stderr.
"""

from __future__ import annotations

import argparse
import sys

from core.cli.common import add_corpus_args, add_scheduler_arg, check_outputs, data_key, load_inputs
from core.i18n import N_, _, format_duration, format_int, ngettext

#: shortlist_evidence's levels, as the stderr summary words them
EVIDENCE = {"strong": N_("strong evidence"), "weak": N_("weak evidence"), "poor": N_("poor evidence")}


def register(sub) -> None:
    from core.topics.engines import ENGINES
    from core.topics.sweep import DEFAULT_ENGINE

    p = sub.add_parser("sweep", help=_("k sweep: fit and score topic models over a range of k"),
                       description=_("Fit an LDA model for every k in MIN:MAX:STEP (and every seed), score each "
                                     "with perplexity (train, held-out 10%), UMass, NPMI, topic diversity, "
                                     "CaoJuan2009, Arun2010, Deveaud2014 and, with 2+ seeds, stability; then "
                                     "shortlist 2-3 candidate k."))
    add_corpus_args(p, project=True)
    p.add_argument("--k", dest="k_range", default="2:20:2", metavar="MIN:MAX:STEP",
                   help=_("k range, inclusive (default 2:20:2)"))
    p.add_argument("--seeds", type=int, default=1, help=_("models per k, seeds 0..N-1 (1-5; 2+ adds stability)"))
    add_scheduler_arg(p)
    p.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                   help=_("topic model engine (default {engine}; sklearn is the reference)").format(
                       engine=DEFAULT_ENGINE))
    p.add_argument("--iterations", type=int, default=None, help=_("EM passes (sklearn) / Gibbs sweeps (tomotopy)"))
    p.add_argument("--alpha", type=float, default=None, help=_("document-topic prior (default: engine's)"))
    p.add_argument("--eta", type=float, default=None, help=_("topic-word prior (default: engine's)"))
    p.add_argument("--out", help=_("write the (k, seed) metrics table here (.csv or .xlsx)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.common import resolve_jobs
    from core.executor import get_executor
    from core.export import write_table
    from core.topics.dtm import build_dtm, short_docs_note
    from core.topics.labels import sweep_file_frame
    from core.topics.sweep import SweepConfig, run_sweep, shortlist, shortlist_evidence

    check_outputs(args, tables=("out",))   # before the (slow) sweep: a path it could not write says so now

    k_min, k_max, k_step = SweepConfig.parse_k_range(args.k_range)
    config = SweepConfig(k_min=k_min, k_max=k_max, k_step=k_step, seeds=args.seeds, engine=args.engine,
                         iterations=args.iterations, alpha=args.alpha, eta=args.eta, jobs=resolve_jobs(args))
    config.validate()  # parameter errors before the (slow) corpus load
    project, corpus, tokens = load_inputs(args)
    key = data_key(corpus, tokens)
    bundle = project.dtm_for(key, tokens) if project is not None else build_dtm(tokens.docs, data_key=key)
    config.validate(bundle)
    executor = get_executor(config.jobs, args.scheduler)
    if getattr(executor, "address", None):
        where = _("Dask cluster at {address}").format(address=executor.address)
    else:
        where = ngettext("{n} local worker process", "{n} local worker processes", config.jobs).format(
            n=format_int(config.jobs))
    print(ngettext("sweeping k={k_min}..{k_max} step {k_step} x {seeds} seed with {engine} on {n_docs} documents, "
                   "{n_terms} terms, {where}…",
                   "sweeping k={k_min}..{k_max} step {k_step} x {seeds} seeds with {engine} on {n_docs} documents, "
                   "{n_terms} terms, {where}…", args.seeds).format(
        k_min=k_min, k_max=k_max, k_step=k_step, seeds=args.seeds, engine=config.engine,
        n_docs=format_int(bundle.n_docs), n_terms=format_int(bundle.n_terms), where=where), file=sys.stderr)
    note = short_docs_note(bundle)
    if note:
        print(_("note: {message}").format(message=_(note)), file=sys.stderr)
    if project is not None:  # every fit lands in the project as it finishes; stored fits are reused
        from core.projects.lease import CLI
        from core.projects.project import run_project_sweep

        result = run_project_sweep(project, project.start_sweep(key, config, owner=CLI), bundle, config,
                                   scheduler=args.scheduler or "")
        print(_("project {name!r}: {n_fitted} fitted, {n_reused} reused from the project").format(
            name=project.info.name, n_fitted=result.n_fitted, n_reused=len(result.models) - result.n_fitted),
            file=sys.stderr)
    else:
        result = run_sweep(bundle, config, scheduler=args.scheduler or "")
    # Agreement of dominant topics with the label column (when there is one): one more column per k.
    frame = sweep_file_frame(result.frame, result.models, corpus.labels, keep_cached=project is not None)
    if args.out:
        write_table(frame, args.out)
        print(ngettext("wrote {n} row to {path}", "wrote {n} rows to {path}", len(frame)).format(
            n=format_int(len(frame)), path=args.out), file=sys.stderr)
    else:
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    cands = shortlist(result.frame)
    level, notes = shortlist_evidence(result.frame, cands)
    print(_("done in {duration}. Candidate k ({evidence}; read their top words before choosing):").format(
        duration=format_duration(result.wall_seconds), evidence=_(EVIDENCE.get(level, level))), file=sys.stderr)
    for c in cands:
        print(f"  - {_(c.explanation)}", file=sys.stderr)   # worded (and translated) by core.topics.sweep
    for note in notes:
        print("  " + _("note: {message}").format(message=_(note)), file=sys.stderr)
    return 0
