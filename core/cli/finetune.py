"""`topiclens finetune FILE --label-col L --model scratch|PATH|HUB_ID --out DIR`: fine-tune a classifier,
print the model's and the TF-IDF baseline's test metrics as JSON, save the model in DIR."""

from __future__ import annotations

import json
import secrets
import sys
import time

from core.cli.common import add_corpus_args, load_inputs
from core.errors import InputError
from core.i18n import _


def register(sub) -> None:
    p = sub.add_parser(
        "finetune",
        help=_("fine-tune a BERT classifier on a label column and compare it with a TF-IDF baseline"),
        description=_("Models: 'scratch' (compact BERT trained from scratch on the corpus, any language, offline), "
                      "'minilm' (bundled all-MiniLM-L6-v2, English, optional package), a local Hugging Face model "
                      "folder, or a Hub id (needs internet or the local cache; never runs remote code)."),
    )
    add_corpus_args(p, tokens=False, project=True)
    p.add_argument("--model", default="scratch", help=_("scratch | minilm | PATH | HUB_ID (default: scratch)"))
    p.add_argument("--out", help=_("new folder for the saved model (safetensors, tokenizer, labels, manifest); "
                                   "with --project the model is saved in the project unless --out is given"))
    p.add_argument("--overwrite", action="store_true", help=_("replace an earlier TopicLens model folder at --out"))
    p.add_argument("--epochs", type=int, default=None,
                   help=_("training epochs (default: 4 from scratch, 2 pretrained)"))
    p.add_argument("--max-length", type=int, default=None, help=_("tokens per text (default: 95th percentile)"))
    p.add_argument("--batch-size", type=int, default=None,
                   help=_("batch size (default: 32 from scratch, 16 pretrained)"))
    p.add_argument("--lr", type=float, default=None,
                   help=_("peak learning rate (default: 3e-4 scratch, 5e-5 pretrained)"))
    p.add_argument("--mlm-steps", type=int, default=0, help=_("masked-LM pre-training steps (from scratch only)"))
    p.add_argument("--patience", type=int, default=3, help=_("evaluations without improvement before stopping"))
    p.add_argument("--val", type=float, default=0.1, help=_("validation share (default 0.1)"))
    p.add_argument("--test", type=float, default=0.2, help=_("test share (default 0.2)"))
    p.add_argument("--top-n", type=int, default=None, help=_("keep only the N most frequent classes"))
    p.add_argument("--seed", type=int, default=42, help=_("random seed (default 42)"))
    g = p.add_argument_group(_("from-scratch model size"))
    g.add_argument("--vocab-size", type=int, default=8000, help=_("WordPiece vocabulary (default 8000)"))
    g.add_argument("--hidden-size", type=int, default=256, help=_("hidden size (default 256)"))
    g.add_argument("--layers", type=int, default=2, help=_("transformer layers (default 2)"))
    g.add_argument("--heads", type=int, default=4, help=_("attention heads (default 4)"))
    p.add_argument("--quiet", action="store_true", help=_("no progress lines on stderr"))
    p.set_defaults(func=run)


def run(args) -> int:
    from core.finetune.bundle import copy_bundle
    from core.finetune.pipeline import FinetuneRequest, check_out_dir, result_record, run_finetune
    from core.finetune.sources import ScratchConfig, parse_source
    from core.finetune.train import default_settings

    if not args.out and not args.project:
        raise InputError("Give --out DIR for the saved model, or --project NAME to save it in a project.")
    if args.out:
        check_out_dir(args.out, args.overwrite)  # before any training
    source = parse_source(args.model)
    project, corpus, _tokens = load_inputs(args, tokens=False)
    if not corpus.label_col:
        raise InputError("No label column: pass --label-col with the column holding the classes.")
    settings = default_settings(source)
    overrides = {"epochs": args.epochs, "max_length": args.max_length, "batch_size": args.batch_size,
                 "learning_rate": args.lr}
    for name, value in overrides.items():
        if value is not None:
            setattr(settings, name, value)
    settings.mlm_steps, settings.patience, settings.seed = args.mlm_steps, args.patience, args.seed
    settings.val_fraction, settings.test_fraction, settings.top_n_classes = args.val, args.test, args.top_n
    settings.scratch = ScratchConfig(vocab_size=args.vocab_size, hidden_size=args.hidden_size, num_layers=args.layers,
                                     num_heads=args.heads, intermediate_size=4 * args.hidden_size)

    last = [0.0]

    def progress(frac: float, message: str, record) -> None:
        if not args.quiet and (time.time() - last[0] > 5 or (record or {}).get("phase") == "eval"):
            last[0] = time.time()
            print(f"[{frac:5.1%}] {_(message)}", file=sys.stderr, flush=True)   # worded by core.finetune

    run_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    # In a project the model lives in the project (its record never names an outside folder, and an
    # export carries it); --out then receives a copy.
    out = project.finetune_dir(run_id) / "model" if project is not None else args.out
    request = FinetuneRequest(corpus.texts, corpus.frame[corpus.label_col].tolist(), source, settings, out,
                              corpus_name=corpus.name, label_source=_("column {column}").format(column=corpus.label_col))
    record = {}
    if project is not None:  # shown on the project's Fine-tune page like a run started there, while it runs too
        from core.projects.lease import CLI

        record = project.begin_finetune_run(run_id, {
            "started": time.time(), "corpus": corpus.name, "corpus_sha256": corpus.content_hash,
            "label_source": request.label_source, "source": source.describe()}, owner=CLI)
        request.checkpoint_dir = project.finetune_dir(run_id) / "checkpoint"
        project.set_current_finetune(run_id)
    try:
        result = run_finetune(request, progress)
    except Exception as exc:    # Ctrl-C / SIGTERM: the lease keeper records the run as interrupted at exit
        if project is not None:
            project.save_finetune_run(run_id, {**record, **result_record(None, project.dir, str(exc))})
        raise
    if project is not None:
        project.save_finetune_run(run_id, {**record, **result_record(result, project.dir)})
        if args.out and result.model_dir:
            result.model_dir = str(copy_bundle(result.model_dir, args.out))
    print(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    if not result.model_dir:  # the scores above are kept; the model itself could not be saved
        from core.cli import Failure

        raise Failure(_(result.warnings[-1]))   # worded (and translated) by core.finetune
    return 0
