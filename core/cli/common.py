"""Options every corpus-reading subcommand shares, and the one way they load a corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

from core import preprocess, settings
from core.i18n import _
from core.corpus import Corpus, LoadOptions, load_path
from core.params import arg_type
from core.phrases import parse_phrases
from core.preprocess import PreprocessSettings, TokenizedCorpus, parse_stopword_upload, parse_user_dict


_CORPUS_OPTIONS = {"text_col", "label_col", "date_col", "encoding", "delimiter", "sheet", "txt_mode", "drop_empty",
                   "drop_duplicates", "lang", "stopwords", "user_dict", "keep_numbers", "min_token_len", "min_df",
                   "max_df"}


def add_corpus_args(parser: argparse.ArgumentParser, tokens: bool = True, project: bool = False) -> None:
    if project:
        parser.add_argument("file", metavar="FILE", nargs="?",
                            help=_("CSV/TSV/TXT/JSONL/XLSX file or ZIP of .txt files (optional with --project: "
                                   "the project's corpus and settings)"))
        parser.add_argument("--project", metavar="NAME",
                            help=_("read and write this project (name or id; created when FILE is given and no "
                                   "project has that name): stored fits are reused, results are saved in it"))
    else:
        parser.add_argument("file", metavar="FILE", help=_("CSV/TSV/TXT/JSONL/XLSX file or ZIP of .txt files"))
    parser.add_argument("--text-col", help=_("column holding the documents (default: the longest text column)"))
    parser.add_argument("--label-col", "--group-col", dest="label_col",
                        help=_("label/group column (default: detected; '' for none)"))
    parser.add_argument("--date-col", help=_("date column (default: detected; '' for none)"))
    parser.add_argument("--encoding", help=_("override the detected encoding (e.g. gb18030, big5, utf-16)"))
    parser.add_argument("--delimiter", help=_("override the sniffed delimiter (use '\\t' for tab)"))
    parser.add_argument("--sheet", help=_("XLSX sheet name (default: the first non-empty sheet)"))
    head = parser.add_mutually_exclusive_group()
    head.add_argument("--no-header", dest="header", action="store_const", const=False, default=None,
                      help=_("CSV/TSV: the first row is a document, not column names (default: detected)"))
    head.add_argument("--header", dest="header", action="store_const", const=True,
                      help=_("CSV/TSV: the first row is a header even if it looks like data"))
    parser.add_argument("--txt-mode", choices=["line", "paragraph"], default="line",
                        help=_("TXT: one document per line or per blank-line-separated paragraph"))
    parser.add_argument("--drop-empty", action="store_true", help=_("drop rows with empty text"))
    parser.add_argument("--drop-duplicates", action="store_true", help=_("drop exact duplicate texts"))
    if tokens:
        # dest "lang": the preprocessing setting's name; --lang itself is the output language (core.cli)
        parser.add_argument("--text-lang", dest="lang", choices=["auto", "zh", "en"], default="auto",
                            help=_("language of the documents, for the tokenizer: auto (detected), zh or en "
                                   "(was --lang, which now sets the output language)"))
        parser.add_argument("--stopwords", help=_("file of extra stopwords (one per line)"))
        parser.add_argument("--user-dict", help=_("jieba user dictionary file ('word [freq] [tag]' lines)"))
        parser.add_argument("--keep-numbers", action="store_true", help=_("keep number tokens"))
        parser.add_argument("--no-lemmatize", action="store_true", help=_("English: keep word forms (default: lemmas)"))
        parser.add_argument("--keep-traditional", action="store_true",
                            help=_("Chinese: do not convert Traditional documents to Simplified"))
        parser.add_argument("--keep-html", action="store_true", help=_("do not decode HTML entities and tags"))
        parser.add_argument("--phrases", help=_("file of phrases to merge, one 'word word' pair per line"))
        parser.add_argument("--min-token-len", type=arg_type("preprocess_min_token_len"), default=1,
                            help=_("drop tokens shorter than this"))
        parser.add_argument("--min-df", type=arg_type("preprocess_min_df"), default=1,
                            help=_("drop tokens in fewer documents"))
        parser.add_argument("--max-df", type=arg_type("preprocess_max_df"), default=1.0,
                            help=_("drop tokens in a larger share of documents"))
        parser.add_argument("--jobs", type=int, default=None,
                            help=_("worker processes for tokenizing (and a sweep's local fits); default: all cores"))
    # What "not given" looks like, to refuse corpus options that a --project run without FILE would ignore.
    parser.set_defaults(corpus_defaults={a.dest: a.default for a in parser._actions if a.dest in _CORPUS_OPTIONS},
                        corpus_flags={a.dest: a.option_strings[0] for a in parser._actions
                                      if a.dest in _CORPUS_OPTIONS and a.option_strings})


def add_scheduler_arg(parser: argparse.ArgumentParser) -> None:
    from core.executor import SCHEDULER_ENV

    parser.add_argument("--scheduler", default=settings.raw(SCHEDULER_ENV) or None, metavar="tcp://HOST:PORT",
                        help=_("fit on this Dask cluster instead of this machine (default: ${env} if set)").format(
                            env=SCHEDULER_ENV))


def resolve_jobs(args: argparse.Namespace) -> int:
    """--jobs, or every core this process may use; InputError when out of range."""
    from core.errors import InputError
    from core.executor import default_jobs

    jobs = getattr(args, "jobs", None)
    if jobs is None:
        return default_jobs()
    if not 1 <= jobs <= 64:
        raise InputError("--jobs must be between 1 and 64 (got {jobs}).", jobs=jobs)
    return int(jobs)


def load_options(args: argparse.Namespace) -> LoadOptions:
    delim = args.delimiter.replace("\\t", "\t") if args.delimiter else None
    return LoadOptions(encoding=args.encoding, delimiter=delim, sheet=args.sheet, txt_mode=args.txt_mode,
                       text_col=args.text_col, label_col=args.label_col, date_col=args.date_col,
                       drop_empty=args.drop_empty, drop_duplicates=args.drop_duplicates, header=args.header)


def preprocess_settings(args: argparse.Namespace) -> PreprocessSettings:
    def read(path: str | None) -> bytes | None:
        if not path:
            return None
        from core.files import read_regular_file

        return read_regular_file(path, 64 << 20)  # word lists: never a device, never huge

    stop = read(args.stopwords)
    udict = read(args.user_dict)
    phrases = read(args.phrases)
    return PreprocessSettings(
        language=args.lang, drop_numbers=not args.keep_numbers, min_token_len=args.min_token_len,
        min_df=args.min_df, max_df=args.max_df,
        uploaded_stopwords=parse_stopword_upload(stop) if stop else (),
        user_dict=parse_user_dict(udict) if udict else (),
        lemmatize=not args.no_lemmatize, to_simplified=not args.keep_traditional, decode_html=not args.keep_html,
        phrases=parse_phrases(phrases.decode("utf-8", "replace").splitlines()) if phrases else (),
    )


def load_from_args(args: argparse.Namespace) -> tuple[Corpus, TokenizedCorpus]:
    from core.parallel import tokenize_parallel

    corpus = load_path(args.file, load_options(args))
    tokens = tokenize_parallel(corpus.texts, preprocess_settings(args), jobs=resolve_jobs(args))
    if tokens.n_tokens == 0:
        from core.cli import Failure
        from core.terms.matrix import empty_after_preprocessing

        raise Failure(_(empty_after_preprocessing(tokens.removed)))   # worded (and translated) by core.terms
    return corpus, tokens


def data_key(corpus: Corpus, tokens: TokenizedCorpus) -> str:
    """Same key the dashboard uses: corpus fingerprint plus preprocessing settings."""
    return preprocess.data_key(corpus.fingerprint, tokens.settings)


def _option_name(args: argparse.Namespace, dest: str) -> str:
    """The flag the user typed for `dest` (--text-lang for "lang")."""
    return getattr(args, "corpus_flags", {}).get(dest) or "--" + dest.replace("_", "-")


def _changed_options(args: argparse.Namespace) -> list[str]:
    return [k for k, v in args.corpus_defaults.items() if getattr(args, k) != v]


def open_project(args: argparse.Namespace, tokens: bool = True):
    """(project, corpus, tokens or None) for `--project NAME [FILE]`.

    With FILE, the file and these options become the project's corpus and settings (a project of
    that name is created if there is none). Without FILE, the project's own are used, and corpus
    or preprocessing options are refused rather than silently ignored.
    """
    from core.corpus import load_corpus
    from core.errors import InputError
    from core.projects.project import Project
    from core.projects.store import ProjectStore

    from core.files import read_regular_file

    store = ProjectStore()
    if args.file:
        # Everything is checked before the project is created or changed: a refused command leaves none.
        settings = preprocess_settings(args).validate() if tokens else None
        data = read_regular_file(Path(args.file))      # read once, with the checks (no device, capped)
        corpus = load_corpus(data, Path(args.file).name, load_options(args))
        try:
            info = store.find(args.project)
        except InputError:
            info = store.create(args.project)
        project = Project(store, info.id)
        project.save_corpus(data, corpus.name, corpus.options, corpus.n_docs)
        if settings is None:
            settings = project.preprocess()
        else:
            project.save_preprocess(settings)
    else:
        project = Project(store, store.find(args.project).id)
        if changed := _changed_options(args):
            raise InputError("{option} changes the corpus or preprocessing: pass FILE with it (the project "
                             "then takes the new settings), or leave it out to use the project's own.",
                             option=_option_name(args, changed[0]))
        source = project.corpus_source()
        if source is None:
            raise InputError("Project {name!r} has no corpus yet: pass FILE.", name=project.info.name)
        corpus = load_corpus(*source)
        settings = project.preprocess()
    if not tokens:
        return project, corpus, None
    from core.parallel import tokenize_parallel

    jobs = resolve_jobs(args)
    toks = project.tokens_for(corpus, settings, lambda: tokenize_parallel(corpus.texts, settings, jobs=jobs))
    return project, corpus, toks


def load_inputs(args: argparse.Namespace, tokens: bool = True):
    """(project or None, corpus, tokens or None): from the project with --project, else from FILE."""
    from core.errors import InputError

    if getattr(args, "project", None):
        return open_project(args, tokens)
    if not args.file:
        raise InputError("Give a corpus FILE, or --project NAME to use a project's corpus.")
    if tokens:
        return (None, *load_from_args(args))
    return None, load_path(args.file, load_options(args)), None


def check_outputs(args: argparse.Namespace, tables: tuple[str, ...] = (), files: tuple[str, ...] = ()) -> None:
    """The command's output files (`--out`, `--report`, ...), checked before any work: a path that
    cannot be written fails now, in one line, not after the whole fit."""
    from core.export import check_output

    for name, table in [(n, True) for n in tables] + [(n, False) for n in files]:
        path = getattr(args, name, None)
        if path:
            check_output(path, table=table)
