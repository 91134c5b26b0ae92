"""The analysis settings a project keeps from its widgets, declared once: which keys are kept, and
the bounds of every number among them. Widgets read their bounds from here (`bounds`), and a value
that comes from anywhere else (a project saved by the CLI or an older release, an imported
`.topiclens` file) goes through `clamp_widget` before a widget sees it, so a widget is never
handed a value outside its own range (Streamlit raises on one).

    lo, hi = bounds("topics_k_min")                  # (2, 500)
    clamp_widget("topics_k_max", 10_000_000)         # 500
    is_persisted_widget("terms_top")                 # True: saved with the project
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from core.topics.engines import MAX_K
from core.topics.sweep import MAX_SEEDS

# Widget values that are part of an analysis (restored with the project); buttons, uploads and
# editors are not. Labels, corpus and preprocessing are saved by their own calls.
PERSISTED = re.compile(
    r"^(corpus_(format|encoding|delimiter|txt_mode|drop_empty|drop_dups|header)"
    r"|terms_(scheme|log_base|score|top|ngram|min_df|max_df|max_features|view|group_col|group_method|lookup"
    r"|doc_query|ex_term|groups::.*)"
    r"|topics_(k_min|k_max|k_step|seeds|engine|iterations|alpha|eta|lambda|view|browse_dom|browse_kw|browse_sort)"
    r"|topics_k_[0-9a-f]{24}-[0-9a-f]{16}"
    r"|finetune_(source|folder|hub|label_source|label_col|vocab|hidden|layers|heads|ffn)"
    r"|finetune_[a-z]+_(epochs|lr|batch|maxlen|warmup|wd|val|test|patience|seed|topn|mlm)"
    r"|ui_lang)$")
_MAX_TEXT = 10_000

# Every keyed widget of the dashboard, declared once (tests/test_widget_registry.py fails on a keyed
# widget in neither table): KEPT ones are part of the analysis, saved with the project and restored
# after page switches, reloads and restarts (each maps its key template, as written at the widget,
# to an example key that PERSISTED must match); TRANSIENT ones are buttons, uploads, charts,
# downloads and view-only choices. "{}" stands for the formatted part of a key; "<name>" for a key
# held in a variable.
_SWEEP_KEY = "0123456789abcdef01234567-0123456789abcdef"
KEPT: dict[str, str] = {
    **{k: k for k in ("corpus_format", "corpus_encoding", "corpus_delimiter", "corpus_txt_mode", "corpus_drop_empty",
                      "corpus_drop_dups", "corpus_header",
                      "terms_scheme", "terms_log_base", "terms_score", "terms_top", "terms_ngram", "terms_min_df",
                      "terms_max_df", "terms_max_features", "terms_view", "terms_group_col", "terms_group_method",
                      "terms_lookup", "terms_doc_query", "terms_ex_term",
                      "topics_k_min", "topics_k_max", "topics_k_step", "topics_seeds", "topics_engine",
                      "topics_iterations", "topics_alpha", "topics_eta", "topics_lambda", "topics_view",
                      "topics_browse_dom", "topics_browse_kw", "topics_browse_sort",
                      "finetune_source", "finetune_folder", "finetune_hub", "finetune_label_source",
                      "finetune_label_col", "finetune_vocab", "finetune_hidden", "finetune_layers", "finetune_heads",
                      "finetune_ffn")},
    "terms_groups::{}": "terms_groups::label",
    "topics_k_{}": f"topics_k_{_SWEEP_KEY}",
    **{f"{{}}{name}": f"finetune_scratch_{name}" for name in ("epochs", "lr", "batch", "maxlen", "warmup", "wd",
                                                            "val", "test", "patience", "seed", "topn", "mlm")},
}
TRANSIENT: frozenset[str] = frozenset({
    "<state.LANG_SWITCH>",            # the language itself is kept under ui_lang
    "<role_keys>",                    # column roles are saved in the corpus's read options
    "<_PHRASE_KEY>",                  # the phrase editor: phrases are saved in the preprocessing settings
    "corpus_addstop_{}", "corpus_demo", "corpus_issue_pick", "corpus_load_demo", "corpus_phrases_apply",
    "corpus_phrases_fill", "corpus_sheet_{}", "corpus_stop_file", "corpus_upload", "corpus_user_dict",
    "finetune_apply", "finetune_cancel", "finetune_cm", "finetune_curves_chart", "finetune_f1_chart",
    "finetune_pred_csv", "finetune_pred_xlsx", "finetune_start", "finetune_try", "finetune_upload", "finetune_zip",
    "projects_delete", "projects_demo", "projects_duplicate", "projects_export", "projects_import",
    "projects_import_file_{}", "projects_import_name_{}", "projects_name_{}", "projects_new", "projects_open",
    "projects_rename", "projects_sure_{}",
    "terms_chart_corpus", "terms_chart_doc", "terms_chart_groups", "terms_csv_{}", "terms_doc::{}", "terms_doc_row",
    "terms_ex_row::{}", "terms_html_{}", "terms_kwic_sort", "terms_xlsx_{}",
    "topics_cancel", "topics_cancel_other_{}", "topics_cluster_check", "topics_compare", "topics_dl_dt_csv",
    "topics_dl_dt_xlsx", "topics_dl_report", "topics_dl_sweep", "topics_dl_tw", "topics_groups",
    "topics_label_editor_{}", "topics_label_shares", "topics_mixture", "topics_rep_topic", "topics_restart",
    "topics_resume", "topics_section", "topics_similarity", "topics_sweep_plot", "topics_term_bar",
    "topics_term_lookup", "topics_time", "topics_words_grid",
})


@dataclass(frozen=True)
class Bounds:
    lo: float
    hi: float
    integer: bool = True
    optional: bool = False       # None is a valid value ("engine default")

    def clamp(self, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError("not a number")
        value = min(max(value, self.lo), self.hi)
        return int(round(value)) if self.integer else float(value)


# Every numeric widget that is saved with a project: (lo, hi). Pages pass these to the widget.
NUMBERS: dict[str, Bounds] = {
    "terms_top": Bounds(1, 200),
    "terms_min_df": Bounds(1, 1_000_000),
    "terms_max_df": Bounds(0.01, 1.0, integer=False),
    "terms_max_features": Bounds(0, 1_000_000),
    "topics_k_min": Bounds(2, 500),
    "topics_k_max": Bounds(2, 500),
    "topics_k_step": Bounds(1, 100),
    "topics_seeds": Bounds(1, MAX_SEEDS),
    "topics_iterations": Bounds(1, 10_000, optional=True),
    "topics_alpha": Bounds(0.0, 100.0, integer=False, optional=True),
    "topics_eta": Bounds(0.0, 100.0, integer=False, optional=True),
    "topics_lambda": Bounds(0.0, 1.0, integer=False),
    "topics_k": Bounds(2, MAX_K),                     # the chosen k of one sweep (topics_k_<data key>)
    "finetune_vocab": Bounds(100, 100_000),
    "finetune_hidden": Bounds(8, 1024),
    "finetune_layers": Bounds(1, 12),
    "finetune_heads": Bounds(1, 16),
    "finetune_ffn": Bounds(8, 8192),
    # per model kind: finetune_<kind>_<name>
    "finetune_epochs": Bounds(1, 100),
    "finetune_lr": Bounds(1e-6, 0.1, integer=False),
    "finetune_batch": Bounds(1, 1024),
    "finetune_maxlen": Bounds(0, 512),
    "finetune_warmup": Bounds(0.0, 0.5, integer=False),
    "finetune_wd": Bounds(0.0, 1.0, integer=False),
    "finetune_val": Bounds(0.05, 0.3, integer=False),
    "finetune_test": Bounds(0.05, 0.4, integer=False),
    "finetune_patience": Bounds(1, 50),
    "finetune_seed": Bounds(0, 2**31 - 1),
    "finetune_topn": Bounds(0, 10_000),
    "finetune_mlm": Bounds(0, 100_000),
    # preprocessing (PreprocessSettings.validate, the Corpus page, the CLI's flags)
    "preprocess_min_token_len": Bounds(1, 50),
    "preprocess_min_df": Bounds(1, 1_000_000),
    "preprocess_max_df": Bounds(0.01, 1.0, integer=False),
}
_PER_KIND = re.compile(r"^finetune_[a-z]+_(epochs|lr|batch|maxlen|warmup|wd|val|test|patience|seed|topn|mlm)$")
_CHOSEN_K = re.compile(r"^topics_k_[0-9a-f]{24}-[0-9a-f]{16}$")


def is_persisted_widget(key: str) -> bool:
    return bool(PERSISTED.match(str(key)))


def _declared(key: str) -> Bounds | None:
    if key in NUMBERS:
        return NUMBERS[key]
    if m := _PER_KIND.match(key):
        return NUMBERS[f"finetune_{m.group(1)}"]
    if _CHOSEN_K.match(key):
        return NUMBERS["topics_k"]
    return None


def bounds(key: str) -> tuple[Any, Any]:
    """(lo, hi) of a numeric widget, as the widget's min_value and max_value."""
    b = _declared(key)
    if b is None:
        raise KeyError(key)
    return (int(b.lo), int(b.hi)) if b.integer else (float(b.lo), float(b.hi))


def check(key: str, value: Any) -> Any:
    """`value` if it lies within `key`'s declared bounds, else ValueError naming them."""
    b = _declared(key)
    if b is None:
        raise KeyError(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or (b.integer and value != int(value)) or not b.lo <= value <= b.hi:
        lo, hi = bounds(key)
        raise ValueError(f"{lo}..{hi}")
    return value


def within(key: str, value: Any) -> bool:
    try:
        check(key, value)
    except ValueError:
        return False
    return True


def arg_type(key: str):
    """An argparse `type=` that parses a number and checks it against `key`'s bounds (exit 2, one line)."""
    import argparse

    from core.i18n import _

    integer = _declared(key).integer

    def parse(text: str):
        try:
            return check(key, (int if integer else float)(text))
        except ValueError:
            lo, hi = bounds(key)
            raise argparse.ArgumentTypeError(_("{value!r} is not a number from {lo} to {hi}").format(
                value=text, lo=lo, hi=hi)) from None

    parse.__name__ = "integer" if integer else "number"   # argparse names the type in its message
    return parse


def clamp_widget(key: str, value: Any) -> Any:
    """`value` for widget `key`, moved into the widget's declared range (numbers) or checked for
    shape (a short text, a flag, a list of them). ValueError for a value no widget could take."""
    declared = _declared(key)
    if declared is not None:
        if key == "terms_max_df" and value == 1:       # a slider's 1.0 saved as JSON 1
            return 1.0
        return declared.clamp(value)
    if key == "terms_ngram":
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                    for v in value)):
            raise ValueError("not an n-gram range")
        lo, hi = sorted(min(max(v, 1), 3) for v in value)
        return [lo, hi]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise ValueError("text too long")
        return value
    if isinstance(value, list) and len(value) <= 10_000 and all(
            v is None or isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= _MAX_TEXT) for v in value):
        return value
    raise ValueError("not a widget value")
