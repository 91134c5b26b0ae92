"""Labels, classes and splits for fine-tuning (pure numpy/sklearn, no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.finetune.data import dominant_topic_labels, label_text, prepare_labels, split_data


def test_numbers_and_mixed_types_become_one_label_space():
    assert label_text(1) == label_text(1.0) == label_text("1") == label_text(np.int64(1)) == "1"
    assert label_text(2.5) == "2.5"
    assert label_text(float("nan")) is None and label_text(None) is None and label_text("  ") is None
    texts = [f"t{i}" for i in range(9)]
    data = prepare_labels(texts, [1, 1.0, "1", 2, "2", 2.0, "b", "b", "b"])
    assert data.classes == ["1", "2", "b"]
    assert data.counts() == {"1": 3, "2": 3, "b": 3}


def test_empty_texts_and_missing_labels_are_dropped_with_a_warning():
    texts = ["a", "", "b", "  ", "c", "d", "e", "f", "g"]
    labels = ["x", "x", "y", "y", None, "x", "y", "x", "y"]
    data = prepare_labels(texts, labels)
    assert data.texts == ["a", "b", "d", "e", "f", "g"]
    assert list(data.rows) == [0, 2, 5, 6, 7, 8]
    assert any("2 empty text" in w for w in data.warnings)
    assert any("1 row(s) without a label" in w for w in data.warnings)


def test_single_class_is_a_clear_error():
    with pytest.raises(InputError, match="single class"):
        prepare_labels(["a", "b", "c"], ["x", "x", "x"])


def test_class_with_one_example_is_left_out_with_a_warning():
    texts = [f"t{i}" for i in range(7)]
    data = prepare_labels(texts, ["a", "a", "a", "b", "b", "b", "lonely"])
    assert data.classes == ["a", "b"]
    assert any("'lonely' (1)" in w for w in data.warnings)
    with pytest.raises(InputError, match="Fewer than two classes"):
        prepare_labels(["a", "b", "c", "d"], ["x", "x", "x", "y"])


def test_more_than_100_classes_needs_top_n():
    labels = [f"c{i}" for i in range(120) for _ in range(3)] + ["c0"] * 5 + ["c1"] * 4
    texts = [f"text {i}" for i in range(len(labels))]
    with pytest.raises(InputError, match="120 classes.*top-N"):
        prepare_labels(texts, labels)
    data = prepare_labels(texts, labels, top_n=10)
    assert data.n_classes == 10
    assert "c0" in data.classes and "c1" in data.classes  # the most frequent ones are kept
    assert any("10 most frequent" in w for w in data.warnings)


def test_no_usable_rows_and_length_mismatch():
    with pytest.raises(InputError, match="No row"):
        prepare_labels(["", ""], ["a", "b"])
    with pytest.raises(InputError, match="one value per row"):
        prepare_labels(["a"], ["a", "b"])


def test_split_is_stratified_disjoint_and_complete():
    y = np.repeat(np.arange(4), [40, 30, 20, 10])
    split = split_data(y, 0.1, 0.2, seed=1)
    all_idx = np.concatenate([split.train, split.val, split.test])
    assert sorted(all_idx.tolist()) == list(range(len(y)))
    assert split.sizes() == {"train": 70, "val": 10, "test": 20}
    for part in (split.train, split.val, split.test):
        assert set(y[part]) == {0, 1, 2, 3}  # every class in every part
    assert np.bincount(y[split.test]).tolist() == [8, 6, 4, 2]
    again = split_data(y, 0.1, 0.2, seed=1)
    assert np.array_equal(again.test, split.test)
    assert not np.array_equal(split_data(y, 0.1, 0.2, seed=2).test, split.test)


def test_split_rejects_bad_shares_and_too_little_data():
    y = np.repeat(np.arange(2), 20)
    with pytest.raises(InputError, match="shares"):
        split_data(y, 0.5, 0.5)
    with pytest.raises(InputError, match="too few"):
        split_data(np.repeat(np.arange(5), 3), 0.4, 0.4)


def test_dominant_topic_labels_follow_doc_rows():
    doc_topic = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    labels = dominant_topic_labels(doc_topic, np.array([0, 2, 3]), 5)
    assert labels == ["topic 0", None, "topic 1", "topic 0", None]


def test_weak_labels_from_a_fitted_topic_model_train_like_a_label_column():
    import scipy.sparse as sp

    from core.finetune.pipeline import topic_labels
    from core.topics.model import TopicModel

    doc_topic = np.array([[0.7, 0.3], [0.1, 0.9]] * 6)
    model = TopicModel(engine="sklearn", k=2, seed=0, topic_word=np.full((2, 3), 1 / 3), doc_topic=doc_topic,
                       vocab=np.array(["a", "b", "c"]), dtm=sp.csr_matrix((12, 3)), doc_rows=np.arange(1, 13))
    labels = topic_labels(model, 13)
    assert labels[0] is None and labels[1:3] == ["topic 0", "topic 1"]
    data = prepare_labels([f"doc {i}" for i in range(13)], labels)
    assert data.classes == ["topic 0", "topic 1"] and data.counts() == {"topic 0": 6, "topic 1": 6}
