"""`topiclens topics FILE --text-col C --k K --report report.html`: fit one topic model and export it.

Outputs: the stakeholder report (offline HTML with pyLDAvis, topic cards, manifest), the
doc-topic matrix and the topic-word table at the chosen relevance lambda (CSV or XLSX by
extension, formula-injection safe). The topics are always printed to stdout.
"""

from __future__ import annotations

import argparse
import sys

from core.cli.common import add_corpus_args, data_key, load_inputs
from core.errors import InputError
from core.export import write_table


def parse_label(text: str) -> tuple[int, str]:
    """'3=Prices and delivery' -> (3, 'Prices and delivery')."""
    num, sep, label = str(text).partition("=")
    try:
        if not sep:
            raise ValueError
        return int(num), label.strip()
    except ValueError:
        raise InputError(f"--label must look like N=TEXT (topic number, '=', label), got {text!r}.") from None


def _check_labels(labels: dict[int, str], k: int) -> None:
    bad = [n for n in labels if not 0 <= n < k]
    if bad:
        raise InputError(f"--label topic {bad[0]} does not exist; topics are numbered 0..{k - 1}.")


def _project_model(project, key: str, tokens, args, labels: dict[int, str]):
    """The project's stored fit of this (k, seed, engine, parameters), else a new fit stored in it
    (as a one-k sweep, so it carries its metrics); labels merge the project's with --label, and the
    choice of k and lambda is saved for the dashboard."""
    from core.projects.project import run_project_sweep
    from core.topics import explore
    from core.topics.engines import fit_model
    from core.topics.sweep import SweepConfig, cache_key, model_key

    bundle = project.dtm_for(key, tokens)
    config = SweepConfig(k_min=args.k, k_max=args.k, k_step=1, seeds=1, engine=args.engine,
                         iterations=args.iterations, alpha=args.alpha, eta=args.eta, jobs=1)
    config.validate(bundle)
    hit = project.fit_cache(bundle).get(cache_key(bundle, config, args.k, args.seed))
    if hit is not None:
        print(f"reusing the project's fit of k={args.k}, seed={args.seed}", file=sys.stderr)
        model = hit.model
    elif args.seed == 0:
        print(f"fitting {args.engine} LDA, k={args.k} on {bundle.n_docs} documents, {bundle.n_terms} terms "
              f"(saved in project {project.info.name!r})…", file=sys.stderr)
        model = run_project_sweep(project, project.start_sweep(key, config), bundle, config).model(args.k)
    else:  # sweeps store seeds 0..N-1 of a k; a lone other seed is fitted but not stored
        model = fit_model(bundle, k=args.k, engine=args.engine, seed=args.seed, iterations=args.iterations,
                          alpha=args.alpha, eta=args.eta)
    _check_labels(labels, model.k)
    mkey = model_key(key, config, args.k, args.seed)
    merged = explore.clean_labels({**project.labels(mkey), **labels}, model.k)
    project.set_labels(mkey, merged)
    project.save_widget(f"topics_k_{key}", args.k)
    project.save_widget("topics_lambda", args.lambda_)
    return model, merged


def register(sub) -> None:
    from core.topics.engines import DEFAULT_ENGINE, ENGINES

    p = sub.add_parser("topics", help="fit one topic model; write the report, doc-topic and topic-word tables",
                       description="Fit an LDA topic model with K topics and export it. Topic numbers are the "
                       "model's own (0..K-1) in every output.")
    add_corpus_args(p, project=True)
    p.add_argument("--k", type=int, required=True, help="number of topics")
    p.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE,
                   help=f"topic model engine (default {DEFAULT_ENGINE}; sklearn is the reference implementation)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--iterations", type=int, default=None, help="EM passes (sklearn) / Gibbs sweeps (tomotopy)")
    p.add_argument("--alpha", type=float, default=None, help="document-topic prior (default: engine's)")
    p.add_argument("--eta", type=float, default=None, help="topic-word prior (default: engine's)")
    p.add_argument("--lambda", dest="lambda_", type=float, default=0.6, help="relevance lambda for top words (0..1)")
    p.add_argument("--top", type=int, default=20, help="words per topic in the topic-word table")
    p.add_argument("--label", action="append", default=[], metavar="N=TEXT", help="label topic N (repeatable)")
    p.add_argument("--report", help="write the stakeholder report (self-contained HTML) here")
    p.add_argument("--doc-topics", help="write the doc-topic matrix here (.csv or .xlsx)")
    p.add_argument("--topic-words", help="write the topic-word table here (.csv or .xlsx)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.topics import explore, report
    from core.topics.dtm import build_dtm, short_docs_note
    from core.topics.engines import fit_model

    if not 0.0 <= args.lambda_ <= 1.0:
        raise InputError(f"--lambda must be between 0 and 1, got {args.lambda_}.")
    if args.top < 1:
        raise InputError("--top must be at least 1.")
    labels = dict(parse_label(t) for t in args.label)
    project, corpus, tokens = load_inputs(args)
    key = data_key(corpus, tokens)
    if project is not None:
        model, labels = _project_model(project, key, tokens, args, labels)
    else:
        bundle = build_dtm(tokens.docs, data_key=key)
        note = short_docs_note(bundle)
        if note:
            print(f"note: {note}", file=sys.stderr)
        print(f"fitting {args.engine} LDA, k={args.k}, seed={args.seed} on {bundle.n_docs} documents, "
              f"{bundle.n_terms} terms…", file=sys.stderr)
        model = fit_model(bundle, k=args.k, engine=args.engine, seed=args.seed, iterations=args.iterations,
                          alpha=args.alpha, eta=args.eta)
        _check_labels(labels, model.k)
    label_list = explore.topic_labels(model, explore.clean_labels(labels, model.k), args.lambda_)
    names = explore.topic_names(label_list)
    words = explore.top_word_lists(model, args.lambda_, 10)
    share = explore.topic_token_share(model)
    for k in range(model.k):
        print(f"{names[k]}  ({share[k]:.1%})  {' '.join(words[k])}")
    from core.topics.labels import label_agreement

    agree = label_agreement(model, corpus.labels)
    if agree is not None:
        print(f"dominant topic vs {corpus.label_col}: NMI {agree['nmi']:.3f}, ARI {agree['ari']:.3f} "
              f"({agree['n_docs']} documents, {agree['n_labels']} values)", file=sys.stderr)
    if args.doc_topics:
        write_table(explore.doc_topic_table(model, corpus.texts, label_list, corpus.labels,
                                            corpus.label_col or "group"), args.doc_topics)
        print(f"wrote doc-topic matrix to {args.doc_topics}", file=sys.stderr)
    if args.topic_words:
        write_table(explore.topic_word_table(model, args.lambda_, args.top, label_list), args.topic_words)
        print(f"wrote topic-word table to {args.topic_words}", file=sys.stderr)
    if args.report:
        manifest = report.run_manifest(
            model, corpus_name=corpus.name, content_hash=corpus.content_hash, text_col=corpus.text_col,
            preprocessing=tokens.settings.key(), lambda_=args.lambda_)
        html_text = report.build_report(model, texts=corpus.texts, labels=labels, lambda_=args.lambda_,
                                        manifest=manifest, title=f"Topics in {corpus.name}",
                                        gold_labels=corpus.labels, label_name=corpus.label_col or "label")
        report.write_report(args.report, html_text)
        print(f"wrote report to {args.report}", file=sys.stderr)
    return 0
