"""AppTest of pages/topics.py: a tiny sweep on the demo corpus, the model views, error paths."""

from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from fixture_paths import DEMO_EN, ROOT
from core.corpus import load_corpus, load_path
from core.projects.project import Project
from core.projects.store import ProjectStore

APP = str(ROOT / "app.py")


def _page(corpus=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if corpus is not None:
        at.session_state["corpus"] = corpus
    at.run()
    at.switch_page("pages/topics.py").run()
    assert not at.exception, at.exception
    return at


def project_id(at: AppTest) -> str:
    value = at.query_params["project"]
    return value[0] if isinstance(value, list) else value


def _set_sweep(at: AppTest, k_min: int, k_max: int, step: int = 1, engine: str = "sklearn", iterations: int = 5):
    at.number_input(key="topics_k_min").set_value(k_min)
    at.number_input(key="topics_k_max").set_value(k_max)
    at.number_input(key="topics_k_step").set_value(step)
    at.selectbox(key="topics_engine").set_value(engine)
    at.number_input(key="topics_iterations").set_value(iterations)


def _click(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label == label][0].click()
    return at.run()


def _errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def _wait_done(at: AppTest, timeout: float = 90) -> AppTest:
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if any(s.label.startswith("Number of topics k") for s in at.selectbox):
            return at
        time.sleep(0.5)
    raise AssertionError("sweep did not finish: " + " ".join(m.value for m in at.markdown)[:500])


def test_sweep_pick_k_and_explore():
    at = _page()
    assert "Start a sweep" in " ".join(i.value for i in at.info)
    demo = at.session_state["corpus"]
    _set_sweep(at, 3, 4)
    _click(at, "Start sweep")
    assert not at.error, _errors(at)

    # The corpus changes while the sweep runs: its results are not shown for the new corpus.
    at.session_state["corpus"] = load_path(DEMO_EN)
    at.run()
    assert not at.exception, at.exception
    infos = " ".join(i.value for i in at.info)
    assert "another corpus" in infos or "Start a sweep" in infos
    assert not any(s.label.startswith("Number of topics k") for s in at.selectbox)

    # Back to the corpus it was started on: nothing was lost.
    at.session_state["corpus"] = demo
    _wait_done(at)
    picker = [s for s in at.selectbox if s.label.startswith("Number of topics k")][0]
    assert sorted(picker.options) == ["3", "4"]
    picker.set_value(4).run()
    assert not at.exception, at.exception

    # pyLDAvis in an st.iframe (UnknownElement 'iframe'), the offline page as srcdoc
    frames = at.get("iframe")
    assert len(frames) == 1
    page = frames[0].proto.srcdoc
    assert "new LDAvis('#tl-ldavis', data)" in page and "cdn.jsdelivr" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    # label editor (above every view) with one row per topic
    editor = [d for d in at.dataframe if list(d.value.columns) == ["topic", "label", "share", "top words"]]
    assert len(editor) == 1 and editor[0].value.topic.tolist() == [0, 1, 2, 3]
    assert "Perplexity is shown but not used" in " ".join(c.value for c in at.caption)
    # the sweep table (Sweep section) has one label-agreement column per k (the demo has a label column)
    at.session_state["topics_section"] = "1 · Sweep"
    at.run()
    sweep_table = [d for d in at.dataframe if "label NMI · higher is better" in d.value.columns]
    assert len(sweep_table) == 1 and sweep_table[0].value["k"].tolist() == [3, 4]
    assert sweep_table[0].value["label NMI · higher is better"].between(0, 1).all()
    at.session_state["topics_section"] = "2 · Explore"
    at.run()

    # topic cards: words small multiples + the chosen topic's representative documents, in full
    _view(at, "Topic cards")
    assert len(at.get("plotly_chart")) >= 1
    rep = at.selectbox(key="topics_rep_topic")
    assert len(rep.options) == 4
    assert len([c for c in at.caption if re.match(r"^row \d+ · topic weight", c.value)]) == 5
    assert "bar length is that relevance" in " ".join(c.value for c in at.caption)
    # "which topics is this word in": a bar over topics for a vocabulary term, a clear error otherwise
    at.text_input(key="topics_term_lookup").set_value("no-such-term-xyz").run()
    assert "not in the model's vocabulary" in _errors(at)
    charts_before = len(at.get("plotly_chart"))
    top_word = [d for d in at.dataframe if "top words" in d.value.columns][0].value["top words"][0].split()[0]
    at.text_input(key="topics_term_lookup").set_value(top_word).run()
    assert not at.exception and not at.error and len(at.get("plotly_chart")) == charts_before + 1

    # A label (with HTML in it) persists for this corpus + model and shows in every view.
    prefix = "topics_label_editor_"
    (model_key,) = [k[len(prefix):] for k in at.session_state.keys() if k.startswith(prefix) and "k=4" in k]
    names = {0: "<i>T0</i>", 1: "<i>T1</i>", 2: "<b>Sports</b>", 3: "<i>T3</i>"}
    Project(ProjectStore(), project_id(at)).set_labels(model_key, names)
    at.run()
    assert not at.exception, at.exception
    assert any(o.startswith("2: ") and "Sports" in o for o in at.selectbox(key="topics_rep_topic").options)
    assert [d for d in at.dataframe if list(d.value.columns) == ["topic", "label", "share", "top words"]][0] \
        .value.label.tolist()[2] == "<b>Sports</b>"
    _view(at, "Documents")
    docs = [d for d in at.dataframe if "dominant_label" in d.value.columns][0].value
    assert "label" in docs.columns            # the corpus's group column, by its name
    assert (docs.dominant_label == docs.dominant_topic.map(names)).all()   # every row, whatever topic dominates
    for name in ("Groups & time", "Similarity"):
        _view(at, name)
        assert at.get("plotly_chart"), name
        if name == "Groups & time":  # agreement with the label column: NMI, ARI, topic x label heatmap
            values = {m.label: float(m.value) for m in at.metric if m.label.startswith(("NMI", "Adjusted"))}
            assert set(values) == {"NMI with label", "Adjusted Rand index"}
            assert 0 <= values["NMI with label"] <= 1 and -1 <= values["Adjusted Rand index"] <= 1
    _view(at, "Export")
    assert len(at.get("download_button")) == 5
    _view(at, "Topic map")
    page = at.get("iframe")[0].proto.srcdoc
    assert "2: \\u003cb\\u003eSports\\u003c/b\\u003e" in page and "<b>Sports</b>" not in page


def test_sweep_form_keeps_its_values_across_a_page_switch():
    at = _page()
    _set_sweep(at, 3, 5, engine="sklearn", iterations=2)
    _click(at, "Start sweep")
    at.switch_page("pages/corpus.py").run()
    at.session_state["topics_section"] = "1 · Sweep"   # the sweep may have finished: its section, not Explore
    at.switch_page("pages/topics.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="topics_k_min").value == 3 and at.number_input(key="topics_k_max").value == 5
    assert at.number_input(key="topics_iterations").value == 2
    assert at.selectbox(key="topics_engine").value == "sklearn"
    _wait_done(at)


def test_sections_sweep_then_explore_when_it_finishes():
    """Sweep and exploration are two sections: the finished sweep opens Explore; Sweep keeps the plot."""
    at = _page()
    assert at.session_state["topics_section"] == "1 · Sweep"
    _set_sweep(at, 3, 4)
    _click(at, "Start sweep")
    _wait_done(at)                                   # the model picker: Explore opened by itself
    assert at.session_state["topics_section"] == "2 · Explore"
    assert not [n for n in at.number_input if n.key == "topics_k_min"]        # no sweep form above the views
    assert any("evidence" in m.value for m in at.markdown)                    # the shortlist sits with the models
    at.session_state["topics_section"] = "1 · Sweep"
    at.run()
    assert at.number_input(key="topics_k_min").value == 3 and len(at.get("plotly_chart")) == 1
    assert not any(s.label.startswith("Number of topics k") for s in at.selectbox)


def _view(at: AppTest, name: str) -> AppTest:
    at.radio(key="topics_view").set_value(name).run()
    assert not at.exception, at.exception
    return at


def test_error_k_range_reversed():
    at = _page()
    _set_sweep(at, 8, 4)
    _click(at, "Start sweep")
    assert "reversed" in _errors(at)
    assert not at.exception


def test_error_k_more_than_documents():
    rows = "text,label\n" + "\n".join(f"比赛 球队 进球 股市 基金 {i},a" for i in range(6))
    corpus = load_corpus(rows.encode("utf-8"), "tiny.csv")
    at = _page(corpus)
    _set_sweep(at, 2, 9)
    _click(at, "Start sweep")
    msg = _errors(at)
    assert "documents" in msg and "k=9" in msg
    assert not at.exception


def test_chosen_model_is_a_weak_label_source_on_the_finetune_page():
    at = _page()
    _set_sweep(at, 3, 4)
    _click(at, "Start sweep")
    _wait_done(at)
    [s for s in at.selectbox if s.label.startswith("Number of topics k")][0].set_value(4).run()
    at.switch_page("pages/finetune.py").run()
    assert not at.exception, at.exception
    sources = [r for r in at.radio if "Dominant LDA topic (weak labels)" in r.options]
    assert len(sources) == 1
    sources[0].set_value("Dominant LDA topic (weak labels)").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(b.label == "Start fine-tuning" and not b.disabled for b in at.button)
