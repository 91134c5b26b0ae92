"""Fine-tuning text classifiers: model sources, data splits, a plain torch training loop,
a TF-IDF baseline, prediction and safe model bundles (safetensors + JSON only).

Heavy imports (torch, transformers) happen inside the functions that need them so that
`import core.finetune` stays cheap for the CLI and the app frame.
"""

import os

# Measured on the shared 2-core box: with OpenMP's default (spinning) wait policy, 2 torch threads
# took up to 1.8 s per step instead of 0.02-0.2 s whenever other processes were busy. Passive
# waiting removes that cliff. It must be set before torch is first imported (libgomp reads it then).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from core.finetune.data import LabeledData, Split, prepare_labels, split_data
from core.finetune.sources import ModelSource, ScratchConfig, parse_source

__all__ = ["LabeledData", "ModelSource", "ScratchConfig", "Split", "parse_source", "prepare_labels",  # i18n: skip (names)
           "split_data"]
