"""`topiclens topics FILE --text-col C --k K --report report.html`: fit one topic model and export it.

Outputs: the stakeholder report (offline HTML with pyLDAvis, topic cards, manifest), the
doc-topic matrix and the topic-word table at the chosen relevance lambda (CSV or XLSX by
extension, formula-injection safe). The topics are always printed to stdout.
"""

from __future__ import annotations

import argparse
import sys

from core import i18n
from core.cli import OUTPUT_LANG
from core.cli.common import add_corpus_args, add_scheduler_arg, check_outputs, data_key, load_inputs
from core.errors import InputError
from core.export import write_table
from core.i18n import _, format_int, format_percent
from core.params import arg_type


def parse_label(text: str) -> tuple[int, str]:
    """'3=Prices and delivery' -> (3, 'Prices and delivery')."""
    num, sep, label = str(text).partition("=")
    try:
        if not sep:
            raise ValueError
        return int(num), label.strip()
    except ValueError:
        raise InputError("--label must look like N=TEXT (topic number, '=', label), got {value!r}.",
                         value=text) from None


def _check_labels(labels: dict[int, str], k: int) -> None:
    bad = [n for n in labels if not 0 <= n < k]
    if bad:
        raise InputError("--label topic {topic} does not exist; topics are numbered 0..{last}.",
                         topic=bad[0], last=k - 1)


def _project_model(project, key: str, tokens, args, labels: dict[int, str]):
    """The model of k from the project: with no engine or fit options given, those of its latest
    sweep that fitted k (so `--k 7` means the dashboard's k = 7 model); a fit not stored yet is
    fitted and stored (the dashboard's sweeps stay as they were). Labels merge the project's with
    --label and are saved; k (when the dashboard's sweep has it) and an explicit --lambda become
    the dashboard's choice."""
    from core.topics import explore
    from core.topics.sweep import DEFAULT_ENGINE, SweepConfig, cache_key, model_key, run_sweep

    bundle = project.dtm_for(key, tokens)
    sweeps = project.sweeps(key)
    with_k = [r for r in sweeps if args.k in SweepConfig(**r["config"]).ks]
    base = with_k[-1]["config"] if with_k else {}
    given = {name: getattr(args, name) for name in ("engine", "iterations", "alpha", "eta")
             if getattr(args, name) is not None}
    fit = {"engine": base.get("engine", DEFAULT_ENGINE), "iterations": base.get("iterations"),
           "alpha": base.get("alpha"), "eta": base.get("eta"), **given}
    if "engine" in given and given["engine"] != base.get("engine"):   # another engine: its own defaults
        fit = {"engine": given["engine"], "iterations": None, "alpha": None, "eta": None, **given}
    config = SweepConfig(k_min=args.k, k_max=args.k, k_step=1, seeds=1, jobs=1, heldout=base.get("heldout", 0.1),
                         **fit)
    config.validate(bundle)
    cache = project.fit_cache(bundle)
    hit = cache.get(cache_key(bundle, config, args.k, args.seed))
    if hit is not None:
        print(_("reusing the project's {engine} fit of k={k}, seed={seed}").format(
            engine=fit["engine"], k=args.k, seed=args.seed), file=sys.stderr)
        model = hit.model
    else:
        if args.seed == 0:
            line = _("fitting {engine} LDA, k={k}, seed={seed} on {n_docs} documents, {n_terms} terms "
                     "(stored in project {name!r})…")
        else:
            line = _("fitting {engine} LDA, k={k}, seed={seed} on {n_docs} documents, {n_terms} terms…")
        print(line.format(engine=fit["engine"], k=args.k, seed=args.seed, n_docs=format_int(bundle.n_docs),
                          n_terms=format_int(bundle.n_terms), name=project.info.name), file=sys.stderr)
        if args.seed == 0:   # stored with its metrics, like a sweep's fit
            model = run_sweep(bundle, config, cache=cache, scheduler=args.scheduler or "").model(args.k)
        else:                # sweeps store seeds 0..N-1 of a k; a lone other seed is fitted, not stored
            model = _fit(bundle, dict(k=args.k, seed=args.seed, heldout=config.heldout, **fit), args.scheduler)
    mkey = model_key(key, config, args.k, args.seed)
    merged = explore.clean_labels({**project.labels(mkey), **labels}, model.k)
    project.set_labels(mkey, merged)
    latest = SweepConfig(**sweeps[-1]["config"]) if sweeps else None
    if latest is not None and args.k in latest.ks and model_key(key, latest, args.k) == mkey:
        project.save_widget(f"topics_k_{key}", args.k)
    if args.lambda_ is not None:
        project.save_widget("topics_lambda", args.lambda_)
    return model, merged


def _fit_task(bundle, fit_args: dict):
    """Runs on a Dask worker: the model without its DTM (the client already has it)."""
    from dataclasses import replace

    from core.topics.engines import fit_model

    return replace(fit_model(bundle, **fit_args), dtm=None)


def _fit_on_cluster(bundle, fit_args: dict, scheduler: str):
    from dataclasses import replace

    from core.executor import DaskExecutor, TaskFailed
    from core.topics.engines import validate_fit_args

    validate_fit_args(bundle.n_docs, bundle.n_terms, fit_args["k"], fit_args["engine"], fit_args["seed"],
                      fit_args["iterations"], fit_args["alpha"], fit_args["eta"], fit_args.get("heldout", 0.1))
    try:
        ((_task, model, worker),) = DaskExecutor(scheduler).stream(_fit_task, bundle, [fit_args])
    except TaskFailed as exc:
        raise RuntimeError(_("fitting on the cluster failed: {message}").format(message=exc.message)) from None
    print(_("fitted on Dask worker {worker}").format(worker=worker), file=sys.stderr)
    return replace(model, dtm=bundle.dtm)


def _fit_args(args: argparse.Namespace) -> dict:
    return dict(k=args.k, engine=args.engine, seed=args.seed, iterations=args.iterations, alpha=args.alpha,
                eta=args.eta)


def _fit(bundle, fit_args: dict, scheduler: str | None):
    """One fit, on the Dask cluster when a scheduler is given, else here."""
    from core.topics.engines import fit_model

    return _fit_on_cluster(bundle, fit_args, scheduler) if scheduler else fit_model(bundle, **fit_args)


def register(sub) -> None:
    from core.topics.engines import DEFAULT_ENGINE, ENGINES

    p = sub.add_parser("topics", help=_("fit one topic model; write the report, doc-topic and topic-word tables"),
                       description=_("Fit an LDA topic model with K topics and export it. Topic numbers are the "
                                     "model's own (0..K-1) in every output."))
    add_corpus_args(p, project=True)
    p.add_argument("--k", type=arg_type("topics_k"), required=True,   # refused before anything is read
                   help=_("number of topics"))
    p.add_argument("--engine", choices=ENGINES, default=None,
                   help=_("topic model engine (default {engine}; sklearn is the reference implementation; "
                          "with --project: the engine and fit options of the project's sweep that fitted k)").format(
                       engine=DEFAULT_ENGINE))
    p.add_argument("--seed", type=int, default=0, help=_("random seed"))
    p.add_argument("--iterations", type=int, default=None, help=_("EM passes (sklearn) / Gibbs sweeps (tomotopy)"))
    p.add_argument("--alpha", type=float, default=None, help=_("document-topic prior (default: engine's)"))
    p.add_argument("--eta", type=float, default=None, help=_("topic-word prior (default: engine's)"))
    p.add_argument("--lambda", dest="lambda_", type=arg_type("topics_lambda"), default=None, metavar="LAMBDA",
                   help=_("relevance lambda for top words (0..1; default 0.6, with --project the dashboard's)"))
    p.add_argument("--top", type=int, default=20, help=_("words per topic in the topic-word table"))
    p.add_argument("--label", action="append", default=[], metavar="N=TEXT", help=_("label topic N (repeatable)"))
    p.add_argument("--report",
                   help=_("write the stakeholder report (self-contained HTML) here; its language is --lang's"))
    p.add_argument("--doc-topics", help=_("write the doc-topic matrix here (.csv or .xlsx)"))
    p.add_argument("--topic-words", help=_("write the topic-word table here (.csv or .xlsx)"))
    add_scheduler_arg(p)
    p.set_defaults(func=run)


def _sweep_section(project, key: str, tokens, gold_labels):
    """(figure, table) of the project's latest sweep of this corpus for the report, or (None, None)."""
    from core.charts.sweep_metrics import sweep_metrics_figure, sweep_people_table
    from core.projects.project import from_dict
    from core.topics.sweep import SweepConfig, assemble_result, shortlist

    record = project.latest_sweep(key)
    if record is None:
        return None, None
    bundle = project.dtm_for(key, tokens)
    result = assemble_result(bundle, from_dict(SweepConfig, record["config"]), project.fit_cache(bundle))
    if not result.models:
        return None, None
    figure = sweep_metrics_figure(result.frame, candidates=[c.k for c in shortlist(result.frame)])
    return figure, sweep_people_table(result.frame, result.models, gold_labels)


def run(args: argparse.Namespace) -> int:
    from core.topics import explore, report
    from core.topics.dtm import build_dtm, short_docs_note
    from core.topics.engines import DEFAULT_ENGINE

    if args.lambda_ is not None and not 0.0 <= args.lambda_ <= 1.0:
        raise InputError("--lambda must be between 0 and 1, got {value}.", value=args.lambda_)
    if args.top < 1:
        raise InputError("--top must be at least 1.")
    labels = dict(parse_label(t) for t in args.label)
    _check_labels(labels, args.k)                  # before the (slow) corpus load and fit
    check_outputs(args, tables=("doc_topics", "topic_words"), files=("report",))
    project, corpus, tokens = load_inputs(args)
    key = data_key(corpus, tokens)
    if project is not None:
        model, labels = _project_model(project, key, tokens, args, labels)
        args.lambda_ = args.lambda_ if args.lambda_ is not None else project.widgets().get("topics_lambda", 0.6)
    else:
        args.lambda_ = 0.6 if args.lambda_ is None else args.lambda_
        args.engine = args.engine or DEFAULT_ENGINE
        bundle = build_dtm(tokens.docs, data_key=key)
        note = short_docs_note(bundle)
        if note:
            print(_("note: {message}").format(message=_(note)), file=sys.stderr)   # worded by core.topics.dtm
        print(_("fitting {engine} LDA, k={k}, seed={seed} on {n_docs} documents, {n_terms} terms…").format(
            engine=args.engine, k=args.k, seed=args.seed, n_docs=format_int(bundle.n_docs),
            n_terms=format_int(bundle.n_terms)), file=sys.stderr)
        model = _fit(bundle, _fit_args(args), args.scheduler)
    label_list = explore.topic_labels(model, explore.clean_labels(labels, model.k), args.lambda_)
    names = explore.topic_names(label_list)
    words = explore.top_word_lists(model, args.lambda_, 10)
    share = explore.topic_token_share(model)
    for k in range(model.k):
        print(f"{names[k]}  ({format_percent(share[k], 1)})  {' '.join(words[k])}")
    from core.topics.labels import label_agreement

    agree = label_agreement(model, corpus.labels)
    if agree is not None:
        print(_("dominant topic vs {column}: NMI {nmi:.3f}, ARI {ari:.3f} ({n_docs} documents, {n_labels} values)")
              .format(column=corpus.label_col, nmi=agree["nmi"], ari=agree["ari"], n_docs=format_int(agree["n_docs"]),
                      n_labels=format_int(agree["n_labels"])), file=sys.stderr)
    if args.doc_topics:
        write_table(explore.doc_topic_table(model, corpus.texts, label_list, corpus.labels,
                                            corpus.label_col or "group"), args.doc_topics)
        print(_("wrote the doc-topic matrix to {path}").format(path=args.doc_topics), file=sys.stderr)
    if args.topic_words:
        write_table(explore.topic_word_table(model, args.lambda_, args.top, label_list), args.topic_words)
        print(_("wrote the topic-word table to {path}").format(path=args.topic_words), file=sys.stderr)
    if args.report:
        # The report speaks the output language: --lang, else the environment's (the language of this run);
        # its title ("Topics in <corpus>") is worded by the report from the manifest.
        lang = getattr(args, OUTPUT_LANG, None) or i18n.language()
        manifest = report.run_manifest(
            model, corpus_name=corpus.name, content_hash=corpus.content_hash, text_col=corpus.text_col,
            preprocessing=tokens.settings, lambda_=args.lambda_, lang=lang)
        with i18n.use_language(lang):   # the sweep section (as in the dashboard's report), from the project
            figure, table = _sweep_section(project, key, tokens, corpus.labels) if project is not None else (None, None)
        html_text = report.build_report(model, texts=corpus.texts, labels=labels, lambda_=args.lambda_,
                                        manifest=manifest, gold_labels=corpus.labels, sweep_figure=figure,
                                        sweep_table=table, label_name=corpus.label_col or _("label"), lang=lang)
        report.write_report(args.report, html_text)
        print(_("wrote the report to {path}").format(path=args.report), file=sys.stderr)
    return 0
