"""The stakeholder report: one self-contained HTML file that opens correctly with no internet.

Contents: run summary, k-sweep plot and metrics table (when a sweep was run), the pyLDAvis map
(inlined d3/LDAvis in a sandboxed srcdoc iframe, so its global CSS cannot touch the rest), topic
word small multiples, topic cards (labels, top words at the chosen lambda, representative
documents) and the run manifest (data hash, parameters, library versions, seed, engine).

Everything user-derived (labels, terms, texts, file names) is HTML-escaped; plotly's JS is inlined
once from the plotly package (no CDN), figure JSON is escaped by plotly itself.

Every word of the report is in one language, English or Simplified Chinese: `lang` (None = the
active one, core.i18n.language()) is set around the whole build, so headings, notes, manifest labels,
the topic cards, the embedded charts and plotly's own toolbar all follow it; corpus content (texts,
terms, labels, file names) is shown as it is. Fonts are the reader's system fonts (CJK ones listed
for Chinese); nothing is downloaded.

    html = build_report(model, texts=corpus.texts, labels={0: "prices"}, manifest=run_manifest(...), lang="zh")
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import platform
from importlib import metadata
from typing import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from core import __version__
from core.charts.palette import topic_color
from core.i18n import (N_, _, format_int, format_number, format_percent, language, ngettext, normalize, pgettext,
                       use_language)
from core.topics import explore, ldavis
from core.topics.model import TopicModel

_LIBS = ("numpy", "pandas", "scipy", "scikit-learn", "pyLDAvis", "plotly", "tomotopy", "jieba", "rjieba")
# System fonts only (the report must open offline): Latin first, then the CJK families of macOS,
# Windows and Linux, so corpus terms in Chinese render everywhere; a Chinese report lists the CJK
# fonts first, so its Latin text and digits are set in the same face as its Chinese.
_CJK_FONTS = ('"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",'  # i18n: skip (font names)
              '"Source Han Sans SC","Source Han Sans CN","WenQuanYi Micro Hei"')
_FONTS = {"en": f'system-ui,-apple-system,"Segoe UI","Noto Sans",{_CJK_FONTS},sans-serif',  # i18n: skip (font names)
          "zh": f'{_CJK_FONTS},system-ui,-apple-system,"Segoe UI","Noto Sans",sans-serif'}  # i18n: skip (font names)
# plotly's own default, then the CJK fonts (SVG text takes the first family that has the glyph)
_PLOTLY_FONTS = {"en": f'"Open Sans",verdana,arial,{_CJK_FONTS},sans-serif',  # i18n: skip (font names)
                 "zh": f'{_CJK_FONTS},"Open Sans",verdana,arial,sans-serif'}  # i18n: skip (font names)
_HTML_LANG = {"en": "en", "zh": "zh-CN"}
# plotly.js's own interface texts (toolbar tooltips, hover hints), given to it as a locale
PLOTLY_TEXTS = (
    N_("Autoscale"), N_("Box Select"), N_("Compare data on hover"), N_("Double-click on legend to isolate one trace"),
    N_("Double-click to zoom back out"), N_("Download plot as a PNG"), N_("Download plot"), N_("Lasso Select"),
    N_("Pan"), N_("Reset axes"), N_("Reset view"), N_("Show closest data on hover"), N_("Toggle Spike Lines"),
    N_("Zoom"), N_("Zoom in"), N_("Zoom out"), N_("Toggle show closest data on hover"), N_("Reset"),
    N_("Image download succeeded"), N_("Preparing image - this may take a few seconds"),
    N_("Sorry, there was a problem downloading your image!"),
)
_CSS = """
body{font-family:FONT_STACK;margin:0;color:#1f2430;background:#fafafa}
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


def _manifest_label(key: str) -> str:
    """A manifest entry's name for the reader (English: the key itself, as in the manifest's data)."""
    labels = {
        "created_utc": pgettext("manifest", "created_utc"), "corpus": pgettext("manifest", "corpus"),
        "data_sha256": pgettext("manifest", "data_sha256"), "data_key": pgettext("manifest", "data_key"),
        "text_column": pgettext("manifest", "text_column"), "preprocessing": pgettext("manifest", "preprocessing"),
        "engine": pgettext("manifest", "engine"), "k": pgettext("manifest", "k"), "seed": pgettext("manifest", "seed"),
        "parameters": pgettext("manifest", "parameters"),
        "documents_modelled": pgettext("manifest", "documents_modelled"),
        "vocabulary_size": pgettext("manifest", "vocabulary_size"), "tokens": pgettext("manifest", "tokens"),
        "relevance_lambda": pgettext("manifest", "relevance_lambda"),
        "fit_seconds": pgettext("manifest", "fit_seconds"), "fit_stats": pgettext("manifest", "fit_stats"),
        "libraries": pgettext("manifest", "libraries"), "sweep": pgettext("manifest", "sweep"),
        # preprocessing_manifest's entries
        "language": pgettext("manifest", "language"), "stopword lists": pgettext("manifest", "stopword lists"),
        "typed stopwords": pgettext("manifest", "typed stopwords"),
        "uploaded stopwords": pgettext("manifest", "uploaded stopwords"),
        "user dictionary": pgettext("manifest", "user dictionary"), "filters": pgettext("manifest", "filters"),
        "min token length": pgettext("manifest", "min token length"),
        "min_df (documents)": pgettext("manifest", "min_df (documents)"),
        "max_df (share of documents)": pgettext("manifest", "max_df (share of documents)"),
        "settings key": pgettext("manifest", "settings key"),
    }
    return labels.get(key, key)


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
    lang: str | None = None,
) -> dict:
    """What a reader needs to reproduce the model: data hash, preprocessing, parameters, seed, engine, versions.

    `preprocessing`: the `PreprocessSettings` used (listed in full: stopword lists, typed and uploaded
    stopwords, user dictionary, filters, min_df/max_df) or a plain string. The keys are fixed (English);
    the preprocessing choices are described in `lang` (None = the active language)."""
    params = {k: v for k, v in model.params.items() if k != "heldout_rows"}
    manifest = {
        "created_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "corpus": corpus_name,
        "data_sha256": content_hash,
        "data_key": model.data_key,
        "text_column": text_col,
        "preprocessing": preprocessing_manifest(preprocessing, lang=lang),
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
        return _("none")
    shown = ", ".join(map(str, words[:n]))
    more = _(", … ({n} more)").format(n=format_int(len(words) - n)) if len(words) > n else ""
    return f"{len(words)}: {shown}{more}"


def preprocessing_manifest(settings: object, lang: str | None = None) -> object:
    """Every preprocessing choice, in words a reader can redo by hand (strings pass through), in
    `lang` (None = the active language); the keys stay English (translated where shown)."""
    if not hasattr(settings, "min_df"):
        return settings
    with use_language(normalize(lang) or language()):
        return _preprocessing_manifest(settings)


def _preprocessing_manifest(s) -> dict:
    lists = [_(name) for on, name in ((s.zh_stopwords, N_("Chinese (cn + HIT + Baidu + SCU, merged)")),
                                      (s.en_stopwords, N_("English (scikit-learn)"))) if on]
    filters = [_(name) for on, name in ((s.lowercase, N_("lowercase")),
                                        (s.to_simplified, N_("Traditional → Simplified")),
                                        (s.drop_numbers, N_("drop numbers")), (s.drop_punct, N_("drop punctuation")),
                                        (s.drop_urls, N_("drop URLs")), (s.drop_emails, N_("drop e-mails"))) if on]
    sep = pgettext("list separator", ", ")
    out = {
        "language": s.language,
        "stopword lists": sep.join(lists) or _("none"),
        "typed stopwords": _words(s.extra_stopwords),
        "uploaded stopwords": _words(s.uploaded_stopwords),
        "user dictionary": _words(s.user_dict),
        "filters": sep.join(filters) or _("none"),
        "min token length": s.min_token_len,
        "min_df (documents)": s.min_df,
        "max_df (share of documents)": s.max_df,
    }
    if hasattr(s, "key"):
        out["settings key"] = s.key()
    return out


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _h2(text: str) -> str:
    return f"<h2>{_e(text)}</h2>"


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
        name = _manifest_label(str(key))
        if key == "preprocessing" and isinstance(val, Mapping):  # one row per choice: it is what readers redo
            entry = _("{section}: {entry}")
            rows += [f"<tr><th>{_e(entry.format(section=name, entry=_manifest_label(str(k))))}</th>"
                     f"<td>{_e(_manifest_value(str(k), v))}</td></tr>" for k, v in val.items()]
            continue
        if isinstance(val, Mapping):   # parameters, versions: names as the libraries spell them
            val = "; ".join(f"{k}={v}" for k, v in val.items())
        rows.append(f"<tr><th>{_e(name)}</th><td>{_e(val)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _manifest_value(key: str, value: object) -> object:
    """A preprocessing value for the reader: the language setting's codes in words (others as they are)."""
    if key == "language":
        return {"auto": pgettext("language setting", "auto"), "zh": pgettext("language setting", "zh"),
                "en": pgettext("language setting", "en")}.get(str(value), value)
    return value


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
                f"<li>{_doc_html(t)} <span class='share'>"
                + _e(_("(row {row}, {weight})").format(row=int(r), weight=format_percent(w))) + "</span></li>"
                for r, w, t in rep.itertuples(index=False)) + "</ol>"
        tokens = _("{share} of tokens").format(share=format_percent(share[k], 1))
        cards.append(
            f"<div class='card' data-topic='{k}' style='border-left:6px solid {topic_color(k)}'><h3>{_e(names[k])}</h3>"
            f"<div class='share'>{_e(tokens)}</div>"
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
    title: str | None = None,
    n_docs: int = 3,
    gold_labels: Sequence | None = None,
    label_name: str = "label",
    lang: str | None = None,
) -> str:
    """The full report as one HTML string (write it with encoding='utf-8').

    `lang`: "en" or "zh" (or a locale tag such as "zh-CN"; None = the active language). Every word the report adds is in it, the
    charts it draws included; `sweep_figure` and `sweep_table` come ready-made, so build them in
    the same language. `title` defaults to "Topics in <corpus>" (or "Topic model report")."""
    with use_language(normalize(lang) or language()):   # "zh-CN", "zh_CN.UTF-8" are Chinese too
        return _build(model, texts=texts, labels=labels, lambda_=lambda_, manifest=manifest,
                      sweep_figure=sweep_figure, sweep_table=sweep_table, title=title, n_docs=n_docs,
                      gold_labels=gold_labels, label_name=label_name, lang=language())


def _plotly_locale(lang: str) -> str:
    """plotly.js's toolbar texts in `lang`, registered as a locale (nothing for English, its own)."""
    if lang == "en":
        return ""
    locale = {"moduleType": "locale", "name": _HTML_LANG[lang], "dictionary": {t: _(t) for t in PLOTLY_TEXTS}}
    return f"<script>Plotly.register({ldavis.escape_json_for_script(json.dumps(locale, ensure_ascii=False))});</script>"


def _build(model: TopicModel, *, texts, labels, lambda_, manifest, sweep_figure, sweep_table, title, n_docs,
           gold_labels, label_name, lang: str) -> str:
    from plotly.offline import get_plotlyjs

    from core.charts.topics_words import topic_words_grid

    label_list = explore.topic_labels(model, explore.clean_labels(labels or {}, model.k), lambda_)
    names = explore.topic_names(label_list)
    manifest = dict(manifest) if manifest is not None else run_manifest(model, lambda_=lambda_, lang=lang)
    corpus = str(manifest.get("corpus") or "")
    if title is None:
        title = _("Topics in {corpus}").format(corpus=corpus) if corpus else _("Topic model report")

    plotly_included = False

    def fig_html(fig) -> str:
        nonlocal plotly_included
        # A figure already shown by Streamlit carries its theme template, whose colours are only
        # applied in the app; the report gets plotly's own template so traces keep their colours.
        fig = go.Figure(fig).update_layout(template="plotly")
        if not fig.layout.font.family:
            fig.update_layout(font_family=_PLOTLY_FONTS[lang])
        # no "Share chart" button: it uploads the chart to Plotly's cloud, and the report stays offline
        config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendChartToCloud"]}
        if lang != "en":
            config["locale"] = _HTML_LANG[lang]
        head = ""
        if not plotly_included:   # plotly.js once, inline, then its texts in this language
            head = (f"<script>window.PlotlyConfig = {{MathJaxConfig: 'local'}};</script>"
                    f"<script charset='utf-8'>{get_plotlyjs()}</script>{_plotly_locale(lang)}")
            plotly_included = True
        return head + fig.to_html(full_html=False, include_plotlyjs=False, config=config)

    n_modelled = int(model.doc_topic.shape[0])
    sub = " · ".join([
        corpus or _("corpus"),
        ngettext("{n} topic", "{n} topics", model.k).format(n=format_int(model.k)),
        _("engine {engine}").format(engine=model.engine),
        _("seed {seed}").format(seed=model.seed),
        ngettext("{n} document", "{n} documents", n_modelled).format(n=format_int(n_modelled)),
        _("created {time} UTC").format(time=manifest.get("created_utc", "")),
    ])
    css = _CSS.replace("FONT_STACK", _FONTS[lang])
    parts = [
        f'<!DOCTYPE html><html lang="{_HTML_LANG[lang]}"><head><meta charset="utf-8">',
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{css}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='sub'>{_e(sub)}</p>",
        "<p class='note'>" + _e(_("Topic numbers are the model's own (0…K−1) in every view. Words are ranked by "
                                  "relevance at λ = {lam} (λ = 1: most probable words; lower λ favours words "
                                  "specific to the topic).").format(lam=f"{lambda_:g}")) + "</p>",
    ]
    if sweep_figure is not None or sweep_table is not None:
        parts.append(_h2(_("Choosing the number of topics")))
        parts.append("<p class='note'>" + _e(_(
            "Perplexity and likelihood often keep improving as k grows and correlate weakly with human "
            "judgement of topic quality (Chang et al. 2009); read the metrics as a shortlist and inspect the "
            "candidates' topics.")) + "</p>")
        if sweep_figure is not None:
            parts.append(fig_html(sweep_figure))
        if sweep_table is not None:
            parts.append(sweep_table.to_html(index=False, escape=True, float_format=lambda v: f"{v:.4g}",
                                             border=0))
    page = ldavis.model_page(model, names=names, lambda_=lambda_, lang=lang)
    map_title = _e(_("pyLDAvis topic map"))
    parts += [
        _h2(_("Topic map (pyLDAvis)")),
        "<p class='sub'>" + _e(_("Circles are topics (area = share of tokens, distance = Jensen-Shannon via "
                                 "PCoA). Click a circle to see its most relevant words; move the λ slider to "
                                 "re-rank.")) + "</p>",
        f"<iframe class='ldavis' title='{map_title}' sandbox='allow-scripts' "
        f"style='height:{ldavis.VIS_HEIGHT + 20}px' srcdoc=\"{html.escape(page, quote=True)}\"></iframe>",
        _h2(_("Topics")),
    ]
    tw = explore.top_words(model, lambda_, 10)
    parts.append(fig_html(topic_words_grid(tw, names, columns=4)))
    parts.append(topic_cards_html(model, names, texts, lambda_, n_docs=n_docs))
    parts += _label_section(model, names, gold_labels, label_name, fig_html)
    parts += [_h2(_("Run manifest")), _manifest_rows(manifest), "</main></body></html>"]
    return "\n".join(parts)


def _label_section(model: TopicModel, names: Sequence[str], gold_labels: Sequence | None, label_name: str,
                   fig_html) -> list[str]:
    """Agreement of dominant topics with the known labels, and the topic x label heatmap."""
    from core.charts.topics_groups import topic_group_heatmap
    from core.topics.labels import label_agreement, topic_label_shares

    agree = label_agreement(model, gold_labels)
    if agree is None:
        return []
    n_docs = ngettext("{n} document", "{n} documents", agree["n_docs"]).format(n=format_int(agree["n_docs"]))
    n_values = ngettext("{n} value", "{n} values", agree["n_labels"]).format(n=format_int(agree["n_labels"]))
    return [
        _h2(_("Topics and the known {label} values").format(label=label_name)),
        "<p class='sub'>" + _e(_(
            "Agreement between each document's dominant topic and its {label}: NMI {nmi}, adjusted Rand index "
            "{ari} ({n_docs}, {n_values}; 0 = chance, 1 = the same grouping). Each row below shows where one "
            "value's documents go: the share of them whose dominant topic is each topic.").format(
                label=label_name, nmi=format_number(agree["nmi"], 3), ari=format_number(agree["ari"], 3),
                n_docs=n_docs, n_values=n_values)) + "</p>",
        fig_html(topic_group_heatmap(topic_label_shares(model, gold_labels), names,
                                     value_label=_("share of documents"))),
    ]


def write_report(path: str, html_text: str) -> None:
    """The HTML report, written atomically (InputError in one line when the file cannot be written)."""
    from core.export import write_bytes_atomic

    write_bytes_atomic(path, html_text.encode("utf-8"))
