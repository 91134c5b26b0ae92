"""Options every corpus-reading subcommand shares, and the one way they load a corpus."""

from __future__ import annotations

import argparse

from core import preprocess
from core.corpus import Corpus, LoadOptions, load_path
from core.preprocess import PreprocessSettings, TokenizedCorpus, parse_stopword_upload, parse_user_dict, tokenize


def add_corpus_args(parser: argparse.ArgumentParser, tokens: bool = True) -> None:
    parser.add_argument("file", metavar="FILE", help="CSV/TSV/TXT/JSONL/XLSX file or ZIP of .txt files")
    parser.add_argument("--text-col", help="column holding the documents (default: the longest text column)")
    parser.add_argument("--label-col", "--group-col", dest="label_col",
                        help="label/group column (default: detected; '' for none)")
    parser.add_argument("--date-col", help="date column (default: detected; '' for none)")
    parser.add_argument("--encoding", help="override the detected encoding (e.g. gb18030, big5, utf-16)")
    parser.add_argument("--delimiter", help="override the sniffed delimiter (use '\\t' for tab)")
    parser.add_argument("--sheet", help="XLSX sheet name (default: the first non-empty sheet)")
    parser.add_argument("--txt-mode", choices=["line", "paragraph"], default="line",
                        help="TXT: one document per line or per blank-line-separated paragraph")
    parser.add_argument("--drop-empty", action="store_true", help="drop rows with empty text")
    parser.add_argument("--drop-duplicates", action="store_true", help="drop exact duplicate texts")
    if tokens:
        parser.add_argument("--lang", choices=["auto", "zh", "en"], default="auto", help="tokenizer language")
        parser.add_argument("--stopwords", help="file of extra stopwords (one per line)")
        parser.add_argument("--user-dict", help="jieba user dictionary file ('word [freq] [tag]' lines)")
        parser.add_argument("--keep-numbers", action="store_true", help="keep number tokens")
        parser.add_argument("--min-token-len", type=int, default=1, help="drop tokens shorter than this")
        parser.add_argument("--min-df", type=int, default=1, help="drop tokens in fewer documents")
        parser.add_argument("--max-df", type=float, default=1.0, help="drop tokens in a larger share of documents")


def load_options(args: argparse.Namespace) -> LoadOptions:
    delim = args.delimiter.replace("\\t", "\t") if args.delimiter else None
    return LoadOptions(encoding=args.encoding, delimiter=delim, sheet=args.sheet, txt_mode=args.txt_mode,
                       text_col=args.text_col, label_col=args.label_col, date_col=args.date_col,
                       drop_empty=args.drop_empty, drop_duplicates=args.drop_duplicates)


def preprocess_settings(args: argparse.Namespace) -> PreprocessSettings:
    def read(path: str | None) -> bytes | None:
        if not path:
            return None
        from core.errors import InputError

        try:
            with open(path, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror}.") from None

    stop = read(args.stopwords)
    udict = read(args.user_dict)
    return PreprocessSettings(
        language=args.lang, drop_numbers=not args.keep_numbers, min_token_len=args.min_token_len,
        min_df=args.min_df, max_df=args.max_df,
        uploaded_stopwords=parse_stopword_upload(stop) if stop else (),
        user_dict=parse_user_dict(udict) if udict else (),
    )


def load_from_args(args: argparse.Namespace) -> tuple[Corpus, TokenizedCorpus]:
    corpus = load_path(args.file, load_options(args))
    return corpus, tokenize(corpus.texts, preprocess_settings(args))


def data_key(corpus: Corpus, tokens: TokenizedCorpus) -> str:
    """Same key the dashboard uses: corpus fingerprint plus preprocessing settings."""
    return preprocess.data_key(corpus.fingerprint, tokens.settings)
