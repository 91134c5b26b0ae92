"""Fine-tuning text classifiers: model sources, data splits, a plain torch training loop,
a TF-IDF baseline, prediction and safe model bundles (safetensors + JSON only).

Heavy imports (torch, transformers) happen inside the functions that need them so that
`import core.finetune` stays cheap for the CLI and the app frame.
"""

from core.finetune.data import LabeledData, Split, prepare_labels, split_data
from core.finetune.sources import ModelSource, ScratchConfig, parse_source

__all__ = [
    "LabeledData",
    "ModelSource",
    "ScratchConfig",
    "Split",
    "parse_source",
    "prepare_labels",
    "split_data",
]
