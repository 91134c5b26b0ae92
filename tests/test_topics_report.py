"""The stakeholder report: self-contained, offline, escaped, with manifest."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from core.topics import report
from topics_fixtures import INJECTION, make_model, synthetic_docs


@pytest.fixture(scope="module")
def built():
    model = make_model(k=3, n_docs=60)
    docs, _ = synthetic_docs(60)
    texts = [" ".join(d) for d in docs]
    sweep = pd.DataFrame({"k": [2, 3, 4], "npmi": [0.01, 0.05, 0.02]})
    fig = go.Figure(go.Scatter(x=sweep.k, y=sweep.npmi))
    manifest = report.run_manifest(model, corpus_name="demo<i>.csv", content_hash="abc123", text_col="text",
                                   preprocessing="zh|stop")
    text = report.build_report(model, texts=texts, labels={0: INJECTION, 1: "<b>Finance</b> & co"},
                               manifest=manifest, sweep_figure=fig, sweep_table=sweep)
    return model, text, manifest


def test_report_has_no_external_resources(built):
    _, text, _ = built
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text, flags=re.I)
    for tag in tags:
        assert not re.search(r"\b(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", tag, flags=re.I), tag
    assert not re.search(r"<script[^>]*\bsrc=", text, flags=re.I)
    assert not re.search(r"<link[^>]*rel=['\"]?stylesheet", text, flags=re.I)
    # plotly's JS is inlined exactly once
    assert len(re.findall(r"\* plotly\.js v\d", text)) == 1
    # the LDAvis page inside srcdoc also has no external loads
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))
    assert not re.search(r"<script[^>]*\bsrc=", srcdoc) and "cdn.jsdelivr" not in srcdoc


def test_report_escapes_labels_and_injection(built):
    _, text, _ = built
    assert INJECTION not in text
    assert "<b>Finance</b>" not in text
    assert "0: &lt;/script&gt;&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in text
    assert "1: &lt;b&gt;Finance&lt;/b&gt; &amp; co" in text
    assert "demo&lt;i&gt;.csv" in text
    # inside the srcdoc, the escaped LDAvis page carries the label only as escaped JSON
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))
    assert INJECTION not in srcdoc and "\\u003c/script\\u003e" in srcdoc


def test_report_cards_and_manifest(built):
    model, text, manifest = built
    assert text.count("class='card'") == model.k
    assert "data_sha256" in text and "abc123" in text
    for key in ("engine", "seed", "k", "parameters", "libraries"):
        assert key in manifest
    assert manifest["libraries"]["pyLDAvis"] and manifest["libraries"]["plotly"]
    assert "heldout_rows" not in manifest["parameters"]
    assert "Perplexity" in text   # the caveat travels with the sweep plot


def test_manifest_lists_every_preprocessing_choice():
    from core.preprocess import PreprocessSettings

    model = make_model(k=2, n_docs=30, injection=False)
    settings = PreprocessSettings(en_stopwords=False, extra_stopwords=("哈哈", "<b>x"), user_dict=("云计算 5 n",),
                                  drop_numbers=False, min_df=3, max_df=0.8)
    manifest = report.run_manifest(model, preprocessing=settings)
    pre = manifest["preprocessing"]
    assert pre["stopword lists"].startswith("Chinese") and "English" not in pre["stopword lists"]
    assert pre["typed stopwords"] == "2: 哈哈, <b>x" and pre["user dictionary"] == "1: 云计算 5 n"
    assert "drop numbers" not in pre["filters"] and "drop punctuation" in pre["filters"]
    assert pre["min_df (documents)"] == 3 and pre["max_df (share of documents)"] == 0.8
    assert pre["settings key"] == settings.key()
    text = report.build_report(model, manifest=manifest)
    assert "preprocessing: typed stopwords</th><td>2: 哈哈, &lt;b&gt;x" in text


def test_report_without_sweep_still_inlines_plotly_once():
    model = make_model(k=2, n_docs=30, injection=False)
    text = report.build_report(model)
    assert len(re.findall(r"\* plotly\.js v\d", text)) == 1
    assert "Choosing the number of topics" not in text


def test_cli_topics_writes_report_and_tables(tmp_path, capsys):
    from fixture_paths import DEMO_ZH
    from core.cli import main

    rep, dt, tw = tmp_path / "r.html", tmp_path / "dt.csv", tmp_path / "tw.xlsx"
    rc = main(["topics", str(DEMO_ZH), "--text-col", "text", "--k", "3", "--seed", "2", "--iterations", "5",
               "--label", "1==cmd <x>", "--report", str(rep), "--doc-topics", str(dt), "--topic-words", str(tw)])
    assert rc == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["0", "1", "2"] and out[1].startswith("1: =cmd <x>")
    frame = pd.read_csv(dt, encoding="utf-8-sig")
    assert len(frame) == 600 and [c for c in frame.columns if c.startswith("topic_")] == ["topic_0", "topic_1", "topic_2"]
    assert set(frame.loc[frame.dominant_topic == 1, "dominant_label"]) <= {"'=cmd <x>"}   # formula-safe
    words = pd.read_excel(tw)
    assert set(words.topic) == {0, 1, 2} and (words["lambda"] == 0.6).all()
    text = rep.read_text(encoding="utf-8")
    assert "1: =cmd &lt;x&gt;" in text and "demo_zh_news_titles.csv" in text and "<th>seed</th><td>2</td>" in text
    assert not re.search(r"<script[^>]*\bsrc=", text)


def test_cli_topics_errors(tmp_path, capsys):
    from fixture_paths import DEMO_ZH
    from core.cli import main

    with pytest.raises(SystemExit) as exited:          # refused by argparse, before anything is read
        main(["topics", str(DEMO_ZH), "--text-col", "text", "--k", "1"])
    assert exited.value.code == 2 and "is not a number from 2 to 500" in capsys.readouterr().err
    assert main(["topics", str(DEMO_ZH), "--text-col", "text", "--k", "3", "--label", "nolabel"]) == 2
    assert "N=TEXT" in capsys.readouterr().err
    assert main(["topics", str(DEMO_ZH), "--text-col", "text", "--k", "3", "--iterations", "2", "--label", "7=x"]) == 2
    assert "0..2" in capsys.readouterr().err


def test_report_sweep_plot_keeps_trace_colours_after_streamlit_theming():
    # st.plotly_chart leaves its own template on a figure; its colours only exist inside the app.
    fig = go.Figure(go.Scatter(x=[2, 3], y=[0.1, 0.2])).update_layout(template="none")
    text = report.build_report(make_model(k=2, n_docs=30, injection=False), sweep_figure=fig)
    assert '"colorway":["#636efa"' in text.replace(" ", "")
    assert fig.layout.template.layout.colorway is None  # the caller's figure is left as it was


# --------------------------------------------------------------------------- the report's language (issue 12)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")   # ideographs and CJK punctuation
HEADINGS = ["Choosing the number of topics", "Topic map (pyLDAvis)", "Topics", "Run manifest",
            "Topics and the known {label} values"]


def _report_in(lang: str) -> tuple[str, list[str]]:
    """A report with every section (sweep, label agreement, preprocessing manifest) in `lang`, and
    the corpus content it shows (terms, texts, labels, file name): data, never translated."""
    from core.preprocess import PreprocessSettings

    model = make_model(k=3, n_docs=60)
    docs, gold = synthetic_docs(60)
    texts = [" ".join(d) for d in docs]
    sweep = pd.DataFrame({"k": [2, 3, 4], "npmi": [0.01, 0.05, 0.02]})
    fig = go.Figure(go.Scatter(x=sweep.k, y=sweep.npmi))
    settings = PreprocessSettings(extra_stopwords=("哈哈",), user_dict=("云计算 5 n",))
    manifest = report.run_manifest(model, corpus_name="新闻.csv", content_hash="abc123", text_col="正文",
                                   preprocessing=settings, lang=lang)
    text = report.build_report(model, texts=texts, labels={1: "财经新闻"}, manifest=manifest, sweep_figure=fig,
                               sweep_table=sweep, gold_labels=gold, label_name="类别", lang=lang)
    data = [*texts, *map(str, model.vocab), *gold, "财经新闻", "新闻.csv", "正文", "类别", "哈哈", "云计算 5 n"]
    return text, data


@pytest.fixture(scope="module")
def in_chinese():
    return _report_in("zh")


@pytest.fixture(scope="module")
def in_english():
    return _report_in("en")


def _without(text: str, data: list[str]) -> str:
    for item in sorted(set(data), key=len, reverse=True):   # longest first: texts before their terms
        text = text.replace(item, "").replace(html.escape(item, quote=True), "")
        text = text.replace(json.dumps(item)[1:-1], "")         # as plotly writes it into the figure JSON
    return text


def _visible(text: str) -> str:
    """The report without its inlined libraries, the LDAvis page and the figures' JSON: what the
    report itself writes."""
    text = re.sub(r"<script\b.*?</script>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<style\b.*?</style>", " ", text, flags=re.S | re.I)
    return re.sub(r"srcdoc=\"[^\"]*\"", " ", text)


def test_a_chinese_report_says_so_and_has_chinese_headings(in_chinese):
    from core.i18n import gettext_in

    text, _data = in_chinese
    assert text.startswith('<!DOCTYPE html><html lang="zh-CN">')
    h1 = re.search(r"<h1>(.*?)</h1>", text).group(1)
    assert h1 == gettext_in("zh", "Topics in {corpus}").format(corpus="新闻.csv") and h1 != "Topics in 新闻.csv"
    h2 = [html.unescape(h) for h in re.findall(r"<h2>(.*?)</h2>", text)]
    expected = [gettext_in("zh", h).format(label="类别") for h in HEADINGS]
    assert sorted(h2) == sorted(expected) and all(CJK.search(h.replace("类别", "")) for h in h2)
    visible = _visible(text)
    for english in [h.format(label="类别") for h in HEADINGS] + [
            "Run manifest", "of tokens", "documents", "Perplexity and likelihood", "Circles are topics",
            "Agreement between", "adjusted Rand index", "stopword lists", "drop punctuation", "(row "]:
        assert english not in visible, english
    assert re.search(r"<th>[^<]*随机种子</th><td>0</td>", text)           # the manifest's labels in Chinese
    assert "preprocessing" not in visible and "typed stopwords" not in visible


def test_a_chinese_report_translates_its_charts_and_plotly_toolbar(in_chinese):
    text, _data = in_chinese
    from core.i18n import gettext_in

    assert '"locale": "zh-CN"' in text or '"locale":"zh-CN"' in text.replace(" ", "")
    assert "Plotly.register(" in text and json.dumps(gettext_in("zh", "Download plot as a PNG"),
                                                     ensure_ascii=False) in text
    # the heatmap's colour bar title comes from the charts, made while the report's language is active
    assert json.dumps(gettext_in("zh", "share of documents"))[1:-1] in text or \
        gettext_in("zh", "share of documents") in text


def _without_libraries(text: str) -> str:
    """The report minus the libraries it inlines verbatim (plotly.js carries a Chinese calendar), the
    LDAvis page opened up so that its own text is checked too."""
    from plotly.offline import get_plotlyjs

    from core.topics import ldavis

    text = text.replace(get_plotlyjs(), "")
    srcdoc = re.search(r'srcdoc="([^"]*)"', text)
    page = html.unescape(srcdoc.group(1))
    for asset in ldavis._assets("en"):
        page = page.replace(asset, "")
    return text[:srcdoc.start()] + page + text[srcdoc.end():]


def test_an_english_report_has_no_chinese_outside_the_corpus(in_english):
    text, data = in_english
    assert text.startswith('<!DOCTYPE html><html lang="en">')
    rest = _without(_without_libraries(text), data)
    found = sorted({m.group(0) for m in CJK.finditer(rest)})
    assert not found, [rest[max(0, m.start() - 60):m.end() + 60] for m in CJK.finditer(rest)][:3]
    assert "Run manifest" in text and "Choosing the number of topics" in text


def test_the_default_language_is_the_active_one():
    from core.i18n import use_language

    model = make_model(k=2, n_docs=30, injection=False)
    with use_language("zh"):
        text = report.build_report(model)
        manifest = report.run_manifest(model)
    assert '<html lang="zh-CN">' in text and '<html lang="en">' in report.build_report(model)
    assert "<h2>Run manifest</h2>" not in text and manifest["engine"] == "sklearn"   # the keys stay data


@pytest.mark.parametrize("which", ["in_chinese", "in_english"])
def test_reports_in_both_languages_load_nothing_from_the_network(which, request):
    text, _data = request.getfixturevalue(which)
    tags = re.findall(r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*>", text, flags=re.I)
    for tag in tags:
        assert not re.search(r"\b(?:src|href|data)\s*=\s*['\"]?\s*(?:https?:)?//", tag, flags=re.I), tag
    assert not re.search(r"<script[^>]*\bsrc=", text, flags=re.I)
    assert not re.search(r"<link\b", text, flags=re.I)
    styles = " ".join(re.findall(r"<style\b[^>]*>(.*?)</style>", text, flags=re.S | re.I))
    assert "@import" not in styles and "@font-face" not in styles and not re.search(r"url\(\s*['\"]?(?:https?:)?//", styles)
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1))
    assert not re.search(r"<(?:script|link)[^>]*\b(?:src|href)=", srcdoc, flags=re.I) and "@import" not in srcdoc
    assert "Noto Sans CJK SC" in styles    # Chinese drawn with the reader's system CJK font, nothing fetched
