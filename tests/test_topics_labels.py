"""Topics against known labels (NMI, ARI, topic x label shares), term-over-topics, short-document advice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from core.errors import InputError
from core.topics import report
from core.topics.dtm import build_dtm, short_docs_note
from core.topics.labels import (add_label_columns, agreement_by_k, label_agreement, term_topic_distribution,
                                topic_label_shares)
from topics_fixtures import make_model, synthetic_docs


def _labels(n=90, empty_rows=()):
    _, labels = synthetic_docs(n, 0, True)
    return labels


def test_label_agreement_matches_sklearn_on_every_modelled_document():
    model = make_model(k=3, empty_rows=(5, 17))
    labels = _labels()
    agree = label_agreement(model, labels)
    gold = [labels[r] for r in model.doc_rows]
    dom = model.doc_topic.argmax(1)
    assert agree["n_docs"] == 88 and agree["n_labels"] == 3
    assert agree["nmi"] == pytest.approx(normalized_mutual_info_score(gold, dom))
    assert agree["ari"] == pytest.approx(adjusted_rand_score(gold, dom))
    assert agree["nmi"] > 0.5  # three clean themes: the topics recover the labels


def test_missing_labels_are_left_out_and_one_label_gives_none():
    model = make_model(k=3)
    labels = _labels()
    labels[0], labels[1] = None, "  "
    assert label_agreement(model, labels)["n_docs"] == 88
    assert label_agreement(model, ["a"] * 90) is None
    assert label_agreement(model, None) is None


def test_topic_label_shares_rows_sum_to_one_and_count_dominant_topics():
    model = make_model(k=3)
    labels = _labels()
    shares = topic_label_shares(model, labels)
    assert list(shares.columns) == [0, 1, 2] and sorted(shares.index) == ["体育", "科技", "财经"]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    dom = model.doc_topic.argmax(1)
    sport = [i for i, r in enumerate(model.doc_rows) if labels[r] == "体育"]
    assert shares.loc["体育", dom[sport[0]]] == pytest.approx(np.mean(dom[sport] == dom[sport[0]]))


def test_agreement_by_k_and_sweep_columns():
    models = {(3, 0): make_model(k=3), (2, 0): make_model(k=2), (3, 1): make_model(k=3, seed=1)}
    labels = _labels()
    by_k = agreement_by_k(models, labels)
    assert by_k["k"].tolist() == [2, 3]
    mean3 = np.mean([label_agreement(models[(3, s)], labels)["nmi"] for s in (0, 1)])
    assert by_k.set_index("k").loc[3, "label_nmi"] == pytest.approx(mean3)
    frame = pd.DataFrame({"k": [2, 3, 3], "seed": [0, 0, 1], "npmi": [0.1, 0.2, 0.3]})
    out = add_label_columns(frame, models, labels)
    assert out["label_nmi"].tolist() == pytest.approx([label_agreement(models[(k, s)], labels)["nmi"]
                                                       for k, s in [(2, 0), (3, 0), (3, 1)]])
    assert add_label_columns(frame, models, None) is frame


def test_term_topic_distribution_sums_to_one_and_peaks_at_its_theme():
    model = make_model(k=3, injection=False)
    dist = term_topic_distribution(model, "股市")
    assert dist.sum() == pytest.approx(1.0) and dist.shape == (3,)
    finance_topic = int(np.argmax(model.topic_word[:, list(model.vocab).index("基金")]))
    assert int(np.argmax(dist)) == finance_topic and dist.max() > 0.6
    with pytest.raises(InputError, match="not in the model's vocabulary"):
        term_topic_distribution(model, "没有这个词")


def test_short_documents_get_advice_long_ones_do_not():
    short = build_dtm([["a", "b", "c"], ["b", "c"], ["a", "d", "e", "f"]])
    note = short_docs_note(short)
    assert note is not None and "median document has 3 tokens" in note and "tomotopy" in note
    assert short_docs_note(build_dtm([["w%d" % i for i in range(12)]] * 3)) is None


def test_report_has_label_section_only_with_labels():
    model = make_model(k=3)
    labels = _labels()
    with_labels = report.build_report(model, gold_labels=labels, label_name="<topic>")
    agree = label_agreement(model, labels)
    assert f"NMI {agree['nmi']:.3f}" in with_labels and "&lt;topic&gt;" in with_labels
    assert "adjusted Rand index" not in report.build_report(model)


def test_cli_sweep_adds_label_columns_and_short_document_note(tmp_path, capsys):
    from fixture_paths import DEMO_ZH
    from core.cli import main

    out = tmp_path / "sweep.csv"
    assert main(["sweep", str(DEMO_ZH), "--text-col", "text", "--k", "2:4:2", "--jobs", "1",
                 "--iterations", "20", "--out", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert frame["engine"].tolist() == ["tomotopy", "tomotopy"]   # the default engine
    assert frame["label_nmi"].between(0, 1).all() and "label_ari" in frame.columns
    err = capsys.readouterr().err
    assert "note: Short documents: the median document has" in err


def test_cli_topics_defaults_to_tomotopy_and_prints_label_agreement(capsys):
    from fixture_paths import DEMO_ZH
    from core.cli import main

    with pytest.raises(SystemExit):
        main(["topics", "--help"])
    assert "default tomotopy" in " ".join(capsys.readouterr().out.split())
    assert main(["topics", str(DEMO_ZH), "--text-col", "text", "--k", "3", "--iterations", "20"]) == 0
    captured = capsys.readouterr()
    assert "fitting tomotopy LDA" in captured.err and "dominant topic vs label: NMI" in captured.err
    assert [line.split(":")[0] for line in captured.out.splitlines()] == ["0", "1", "2"]
