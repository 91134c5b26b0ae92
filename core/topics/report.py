"""The stakeholder report: one self-contained HTML file that opens correctly with no internet.

Contents: run summary, k-sweep plot and metrics table (when a sweep was run), the pyLDAvis map
(inlined d3/LDAvis in a sandboxed srcdoc iframe, so its global CSS cannot touch the rest), topic
word small multiples, topic cards (labels, top words at the chosen lambda, representative
documents) and the run manifest (data hash, parameters, library versions, seed, engine).

Everything user-derived (labels, terms, texts, file names) is HTML-escaped; plotly's JS is inlined
once from the plotly package (no CDN), figure JSON is escaped by plotly itself.

    html = build_report(model, texts=corpus.texts, labels={0: "prices"}, manifest=run_manifest(...))
"""

from __future__ import annotations

import datetime as _dt
import html
import platform
from importlib import metadata
from typing import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from core import __version__
from core.charts.palette import topic_color
from core.topics import explore, ldavis
from core.topics.model import TopicModel

_LIBS = ("numpy", "pandas", "scipy", "scikit-learn", "pyLDAvis", "plotly", "tomotopy", "jieba", "rjieba")
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans",sans-serif;margin:0;color:#1f2430;background:#fafafa}
main{max-width:1280px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px} h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#5b6270;margin:0 0 16px}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px;margin:8px 0;font-size:14px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:12px}
.card h3{margin:0 0 6px;font-size:16px} .card .share{color:#5b6270;font-size:13px}
.words{font-size:14px;line-height:1.5} .docs{font-size:13px;color:#333;margin:6px 0 0;padding-left:18px}
.docs li{margin-bottom:4px}
table{border-collapse:collapse;font-size:13px;background:#fff} td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
iframe.ldavis{width:100%;border:1px solid #ddd;background:#fff}
pre{background:#fff;border:1px solid #ddd;padding:8px;overflow:auto;font-size:12px}
"""


def library_versions(engine: str = "") -> dict[str, str]:
    out = {"python": platform.python_version(), "topiclens": __version__}
    for lib in _LIBS:
        if lib == "tomotopy" and engine != "tomotopy":
            continue
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            continue
    return out


def run_manifest(
    model: TopicModel,
    *,
    corpus_name: str = "",
    content_hash: str = "",
    text_col: str = "",
    preprocessing: object = "",
    lambda_: float = explore.DEFAULT_LAMBDA,
    extra: Mapping[str, object] | None = None,
) -> dict:
    """What a reader needs to reproduce the model: data hash, preprocessing, parameters, seed, engine, versions.

    `preprocessing`: the `PreprocessSettings` used (listed in full: stopword lists, typed and uploaded
    stopwords, user dictionary, filters, min_df/max_df) or a plain string."""
    params = {k: v for k, v in model.params.items() if k != "heldout_rows"}
    manifest = {
        "created_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "corpus": corpus_name,
        "data_sha256": content_hash,
        "data_key": model.data_key,
        "text_column": text_col,
        "preprocessing": preprocessing_manifest(preprocessing),
        "engine": model.engine,
        "k": model.k,
        "seed": model.seed,
        "parameters": params,
        "documents_modelled": int(model.doc_topic.shape[0]),
        "vocabulary_size": int(len(model.vocab)),
        "tokens": int(model.dtm.sum()),
        "relevance_lambda": float(lambda_),
        "fit_seconds": round(float(model.fit_seconds), 2),
        "fit_stats": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in (model.fit_stats or {}).items()},
        "libraries": library_versions(model.engine),
    }
    if extra:
        manifest.update(dict(extra))
    return manifest


def _words(words, n: int = 30) -> str:
    words = list(words)
    if not words:
        return "none"
    shown = ", ".join(map(str, words[:n]))
    return f"{len(words)}: {shown}" + (f", … ({len(words) - n} more)" if len(words) > n else "")


def preprocessing_manifest(settings: object) -> object:
    """Every preprocessing choice, in words a reader can redo by hand (strings pass through)."""
    if not hasattr(settings, "min_df"):
        return settings
    s = settings
    lists = [name for on, name in ((s.zh_stopwords, "Chinese (cn + HIT + Baidu + SCU, merged)"),
                                   (s.en_stopwords, "English (scikit-learn)")) if on]
    filters = [name for on, name in ((s.lowercase, "lowercase"), (s.to_simplified, "Traditional → Simplified"),
                                     (s.drop_numbers, "drop numbers"), (s.drop_punct, "drop punctuation"),
                                     (s.drop_urls, "drop URLs"), (s.drop_emails, "drop e-mails")) if on]
    out = {
        "language": s.language,
        "stopword lists": ", ".join(lists) or "none",
        "typed stopwords": _words(s.extra_stopwords),
        "uploaded stopwords": _words(s.uploaded_stopwords),
        "user dictionary": _words(s.user_dict),
        "filters": ", ".join(filters) or "none",
        "min token length": s.min_token_len,
        "min_df (documents)": s.min_df,
        "max_df (share of documents)": s.max_df,
    }
    if hasattr(s, "key"):
        out["settings key"] = s.key()
    return out


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, n: int = 280) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _doc_html(text: str) -> str:
    """A document: its start, and the whole text one click away when it is long."""
    short = _short(text)
    if short == " ".join(str(text).split()):
        return _e(short)
    return f"<details><summary>{_e(short)}</summary><div class='full'>{_e(text)}</div></details>"


def _manifest_rows(manifest: Mapping[str, object]) -> str:
    rows = []
    for key, val in manifest.items():
        if key == "preprocessing" and isinstance(val, Mapping):  # one row per choice: it is what readers redo
            rows += [f"<tr><th>{_e(key)}: {_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in val.items()]
            continue
        if isinstance(val, Mapping):
            val = "; ".join(f"{k}={v}" for k, v in val.items())
        rows.append(f"<tr><th>{_e(key)}</th><td>{_e(val)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def topic_cards_html(model: TopicModel, names: Sequence[str], texts: Sequence[str] | None,
                     lambda_: float, n_words: int = 12, n_docs: int = 3) -> str:
    words = explore.top_word_lists(model, lambda_, n_words)
    share = explore.topic_token_share(model)
    cards = []
    for k in range(model.k):
        docs = ""
        if texts is not None and n_docs:
            rep = explore.representative_docs(model, texts, k, n_docs)
            docs = "<ol class='docs'>" + "".join(
                f"<li>{_doc_html(t)} <span class='share'>(row {int(r)}, {w:.0%})</span></li>"
                for r, w, t in rep.itertuples(index=False)) + "</ol>"
        cards.append(
            f"<div class='card' data-topic='{k}' style='border-left:6px solid {topic_color(k)}'><h3>{_e(names[k])}</h3>"
            f"<div class='share'>{share[k]:.1%} of tokens</div>"
            f"<div class='words'>{_e(', '.join(words[k]))}</div>{docs}</div>"
        )
    return "<div class='cards'>" + "".join(cards) + "</div>"


def build_report(
    model: TopicModel,
    *,
    texts: Sequence[str] | None = None,
    labels: Mapping[int, str] | None = None,
    lambda_: float = explore.DEFAULT_LAMBDA,
    manifest: Mapping[str, object] | None = None,
    sweep_figure=None,
    sweep_table: pd.DataFrame | None = None,
    title: str = "Topic model report",
    n_docs: int = 3,
    gold_labels: Sequence | None = None,
    label_name: str = "label",
) -> str:
    """The full report as one HTML string (write it with encoding='utf-8')."""
    from core.charts.topics_words import topic_words_grid

    label_list = explore.topic_labels(model, explore.clean_labels(labels or {}, model.k), lambda_)
    names = explore.topic_names(label_list)
    manifest = dict(manifest) if manifest is not None else run_manifest(model, lambda_=lambda_)

    plotly_included = False

    def fig_html(fig) -> str:
        nonlocal plotly_included
        # A figure already shown by Streamlit carries its theme template, whose colours are only
        # applied in the app; the report gets plotly's own template so traces keep their colours.
        fig = go.Figure(fig).update_layout(template="plotly")
        out = fig.to_html(full_html=False, include_plotlyjs=not plotly_included,
                          config={"displaylogo": False, "responsive": True})
        plotly_included = True
        return out

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='sub'>{_e(manifest.get('corpus') or 'corpus')} · {model.k} topics · engine {_e(model.engine)} · "
        f"seed {model.seed} · {int(model.doc_topic.shape[0]):,} documents · created {_e(manifest.get('created_utc', ''))} UTC</p>",
        "<p class='note'>Topic numbers are the model's own (0…K−1) in every view. Words are ranked by relevance "
        f"at λ = {lambda_:g} (λ = 1: most probable words; lower λ favours words specific to the topic).</p>",
    ]
    if sweep_figure is not None or sweep_table is not None:
        parts.append("<h2>Choosing the number of topics</h2>")
        parts.append("<p class='note'>Perplexity and likelihood often keep improving as k grows and correlate "
                     "weakly with human judgement of topic quality (Chang et al. 2009); read the metrics as a "
                     "shortlist and inspect the candidates' topics.</p>")
        if sweep_figure is not None:
            parts.append(fig_html(sweep_figure))
        if sweep_table is not None:
            parts.append(sweep_table.to_html(index=False, escape=True, float_format=lambda v: f"{v:.4g}",
                                             border=0))
    page = ldavis.model_page(model, names=names, lambda_=lambda_)
    parts += [
        "<h2>Topic map (pyLDAvis)</h2>",
        "<p class='sub'>Circles are topics (area = share of tokens, distance = Jensen-Shannon via PCoA). "
        "Click a circle to see its most relevant words; move the λ slider to re-rank.</p>",
        f"<iframe class='ldavis' title='pyLDAvis topic map' sandbox='allow-scripts' "
        f"style='height:{ldavis.VIS_HEIGHT + 20}px' srcdoc=\"{html.escape(page, quote=True)}\"></iframe>",
        "<h2>Topics</h2>",
    ]
    tw = explore.top_words(model, lambda_, 10)
    parts.append(fig_html(topic_words_grid(tw, names, columns=4)))
    parts.append(topic_cards_html(model, names, texts, lambda_, n_docs=n_docs))
    parts += _label_section(model, names, gold_labels, label_name, fig_html)
    parts += ["<h2>Run manifest</h2>", _manifest_rows(manifest), "</main></body></html>"]
    return "\n".join(parts)


def _label_section(model: TopicModel, names: Sequence[str], gold_labels: Sequence | None, label_name: str,
                   fig_html) -> list[str]:
    """Agreement of dominant topics with the known labels, and the topic x label heatmap."""
    from core.charts.topics_groups import topic_group_heatmap
    from core.topics.labels import label_agreement, topic_label_shares

    agree = label_agreement(model, gold_labels)
    if agree is None:
        return []
    return [
        f"<h2>Topics and the known {_e(label_name)} values</h2>",
        f"<p class='sub'>Agreement between each document's dominant topic and its {_e(label_name)}: "
        f"NMI {agree['nmi']:.3f}, adjusted Rand index {agree['ari']:.3f} ({agree['n_docs']:,} documents, "
        f"{agree['n_labels']} values; 0 = chance, 1 = the same grouping). Each row below shows where one "
        f"value's documents go: the share of them whose dominant topic is each topic.</p>",
        fig_html(topic_group_heatmap(topic_label_shares(model, gold_labels), names, value_label="share of documents")),
    ]


def write_report(path: str, html_text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(html_text)
