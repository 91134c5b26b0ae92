"""Labels and splits for fine-tuning: clean the label column, pick classes, split stratified.

Everything here is plain numpy/sklearn so the baseline and the transformer see the very same split.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from core.errors import InputError
from core.finetune.messages import Text
from core.i18n import N_, _

MAX_CLASSES = 100          # above this the analyst must choose a top-N
MIN_PER_CLASS = 3          # one example each for train, validation and test


@dataclass
class LabeledData:
    """Texts with integer labels; `rows` are the corpus row positions kept (same order)."""

    texts: list[str]
    y: np.ndarray                  # int64 class index per text
    classes: list[str]             # class index -> label text
    rows: np.ndarray               # corpus row position of each kept text
    warnings: list[str] = field(default_factory=list)   # Text: English, translated where shown

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def counts(self) -> dict[str, int]:
        c = np.bincount(self.y, minlength=self.n_classes)
        return {label: int(n) for label, n in zip(self.classes, c)}


@dataclass
class Split:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def label_text(value: object) -> str | None:
    """One label as text: numbers and strings mix safely (1, 1.0 and "1" are the same class)."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (np.floating,)):
        return label_text(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    text = str(value).strip()
    if text.lower() in ("", "nan", "none", "<na>", "nat"):
        return None
    return text


def prepare_labels(
    texts: list[str],
    labels: list[object],
    top_n: int | None = None,
    min_per_class: int = MIN_PER_CLASS,
) -> LabeledData:
    """Drop empty texts and missing labels, keep classes with enough examples, map labels to ints.

    Raises InputError when fewer than two usable classes remain or when there are more than
    MAX_CLASSES classes and no `top_n` was chosen.
    """
    if len(texts) != len(labels):
        raise InputError("{n_texts} texts but {n_labels} labels; the label column must have one value per row.",
                         n_texts=len(texts), n_labels=len(labels))
    if top_n is not None and top_n < 2:
        raise InputError("Top-N classes must be at least 2.")
    warnings: list[str] = []
    clean = [(i, str(t).strip() if t is not None else "", label_text(lab)) for i, (t, lab) in enumerate(zip(texts, labels))]
    n_empty = sum(1 for _row, t, _lab in clean if not t)
    n_nolabel = sum(1 for _row, t, lab in clean if t and lab is None)
    kept = [(i, t, lab) for i, t, lab in clean if t and lab is not None]
    if n_empty:
        warnings.append(Text(N_("{n} empty text(s) left out."), n=n_empty))
    if n_nolabel:
        warnings.append(Text(N_("{n} row(s) without a label left out."), n=n_nolabel))
    if not kept:
        raise InputError("No row has both a non-empty text and a label; check the text and label columns.")

    counts = Counter(lab for _row, _text, lab in kept)
    if len(counts) < 2:
        only = next(iter(counts))
        raise InputError("The label column has a single class ('{label}'); a classifier needs at least two classes.",
                         label=only)
    if len(counts) > MAX_CLASSES and top_n is None:
        raise InputError(
            "The label column has {n} classes (more than {max}); "
            "choose a top-N to keep only the N most frequent classes.", n=len(counts), max=MAX_CLASSES
        )
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if top_n is not None and len(ordered) > top_n:
        dropped = ordered[top_n:]
        warnings.append(Text(
            N_("Kept the {top_n} most frequent classes; {n_classes} other class(es) ({n_rows} rows) left out."),
            top_n=top_n, n_classes=len(dropped), n_rows=sum(n for _lab, n in dropped)))
        ordered = ordered[:top_n]
    rare = [(lab, n) for lab, n in ordered if n < min_per_class]
    if rare:
        names = ", ".join(f"'{lab}' ({n})" for lab, n in rare[:10])
        warnings.append(Text(
            N_("{n} class(es) with fewer than {min} examples left out (needed for train/validation/test): {names}."),
            n=len(rare), min=min_per_class, names=names + (" ..." if len(rare) > 10 else "")))
        ordered = [(lab, n) for lab, n in ordered if n >= min_per_class]
    if len(ordered) < 2:
        raise InputError(
            "Fewer than two classes have at least {min} examples; add examples or choose another label column.",
            min=min_per_class)
    classes = sorted(lab for lab, _n in ordered)
    index = {lab: k for k, lab in enumerate(classes)}
    final = [(i, t, index[lab]) for i, t, lab in kept if lab in index]
    return LabeledData(
        texts=[t for _row, t, _k in final],
        y=np.array([k for _row, _text, k in final], dtype=np.int64),
        classes=classes,
        rows=np.array([i for i, _text, _k in final], dtype=np.int64),
        warnings=warnings,
    )


def split_data(y: np.ndarray, val_fraction: float = 0.1, test_fraction: float = 0.2, seed: int = 42) -> Split:
    """Stratified train/validation/test split (indices into `y`)."""
    from sklearn.model_selection import train_test_split

    if not (0.0 < test_fraction < 0.9) or not (0.0 < val_fraction < 0.9) or val_fraction + test_fraction >= 0.9:
        raise InputError("Validation and test shares must each be between 0 and 0.9 and leave at least 10% to train on.")
    y = np.asarray(y)
    n, n_classes = len(y), len(np.unique(y))
    n_test = max(n_classes, int(round(n * test_fraction)))
    n_val = max(n_classes, int(round(n * val_fraction)))
    if n - n_test - n_val < n_classes:
        raise InputError(
            "{n} labelled texts are too few for {n_classes} classes with these validation/test shares; "
            "add data, merge classes or lower the shares.", n=n, n_classes=n_classes)
    idx = np.arange(n)
    try:
        rest, test = train_test_split(idx, test_size=n_test, stratify=y, random_state=seed)
        train, val = train_test_split(rest, test_size=n_val, stratify=y[rest], random_state=seed)
    except ValueError as exc:  # sklearn explains which class is too small
        raise InputError("Cannot split the data stratified: {detail}", detail=str(exc)) from exc
    return Split(train=np.sort(train), val=np.sort(val), test=np.sort(test))


def dominant_topic_labels(doc_topic: np.ndarray, doc_rows: np.ndarray, n_rows: int) -> list[str | None]:
    """Weak labels from a topic model: 'topic N' for each modelled row, None for rows it skipped.

    The labels are written in the active language (they become the classes of the model)."""
    name = _("topic {k}")
    labels: list[str | None] = [None] * n_rows
    for row, k in zip(np.asarray(doc_rows), np.asarray(doc_topic).argmax(axis=1)):
        labels[int(row)] = name.format(k=int(k))
    return labels
