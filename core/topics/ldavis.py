"""pyLDAvis, fully offline and injection-safe, with the model's own topic numbering.

Why not `pyLDAvis.prepared_data_to_html`: it loads d3/LDAvis from a CDN (nothing is drawn
offline), puts unescaped JSON into a `<script>` (a vocabulary term `</script><script>...` runs),
re-sorts and renumbers topics by default, and LDAvis's `state_save` calls history.replaceState,
which throws inside a srcdoc iframe. Here:

* the d3 / LDAvis JS and CSS that ship inside the pyLDAvis package are inlined;
* the data JSON has `<`, `>`, `&`, U+2028 and U+2029 escaped as `\\uXXXX` (still valid JSON/JS);
* a few small, asserted source patches to LDAvis: `state_save` is a no-op, the initial relevance
  lambda is ours (default 0.6), and topics are labelled with the model's numbers (0..K-1) and the
  user's labels (drawn with d3 `.text()`, so HTML in a label is shown literally);
* LDAvis's own English labels (titles, buttons, footnotes) are swapped for their translation in the
  page's language (`_LDAVIS_TEXTS`: the same asserted string replacement, still offline);
* `prepare()` is a vectorised numpy port of `pyLDAvis.prepare(..., sort_topics=False)`: the same
  data (tested against pyLDAvis on small models) in ~0.3 s instead of 2 s for K=20, V=10k,
  because pyLDAvis ranks terms with a pandas `nlargest` per (topic, lambda) pair.
"""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from core import i18n
from core.errors import InputError
from core.i18n import N_, _
from core.topics.model import TopicModel

DEFAULT_LAMBDA = 0.6   # LDAvis user study (Sievert & Shirley 2014) suggests ~0.6
DEFAULT_R = 30         # terms per bar chart (LDAvis caps at 30)
VIS_WIDTH = 1220       # LDAvis lays out a fixed ~1210 px canvas; we scale it down to fit
VIS_HEIGHT = 860       # unscaled height of the canvas incl. the topic/lambda form


@dataclass(frozen=True)
class PreparedVis:
    """What LDAvis needs, as plain data (the `to_dict()` layout of pyLDAvis's PreparedData)."""

    data: dict

    @property
    def k(self) -> int:
        return len(self.data["mdsDat"]["x"])

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, allow_nan=False, default=_json_default)


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


# --------------------------------------------------------------------------------------------
# Data preparation (numpy port of pyLDAvis._prepare, sort_topics=False, start_index=1)
# --------------------------------------------------------------------------------------------

def prepare(
    topic_term: np.ndarray,
    doc_topic: np.ndarray,
    doc_lengths: np.ndarray,
    vocab: Sequence[str],
    R: int = DEFAULT_R,
    lambda_step: float = 0.01,
) -> PreparedVis:
    """The LDAvis data for normalised matrices, topics kept in the model's order.

    Matches `pyLDAvis.prepare(topic_term, doc_topic, doc_lengths, vocab, tf, R=R,
    lambda_step=lambda_step, sort_topics=False)` term for term (row order inside a topic's block
    may differ; LDAvis sorts on the client). LDAvis ids are 1..K (0 means "no topic"); the model's
    number is id - 1 and that is what we display.
    """
    phi = np.asarray(topic_term, dtype=np.float64)
    theta = np.asarray(doc_topic, dtype=np.float64)
    lengths = np.asarray(doc_lengths, dtype=np.float64).ravel()
    vocab_arr = np.asarray([str(v) for v in vocab], dtype=object)
    k, v = phi.shape
    if theta.ndim != 2 or theta.shape[1] != k or theta.shape[0] != lengths.shape[0] or len(vocab_arr) != v:
        raise InputError("Topic model matrices do not fit together (topics, documents or vocabulary differ).")
    if k < 2:
        raise InputError("pyLDAvis needs at least 2 topics; choose k >= 2.")
    if not (np.allclose(phi.sum(1), 1.0, atol=1e-3) and np.allclose(theta.sum(1), 1.0, atol=1e-3)):
        raise InputError("Topic-word and document-topic rows must sum to 1 (normalise the model first).")
    if (phi <= 0).any():  # tomotopy/synthetic zeros: log(0) would give -inf, which JSON cannot carry
        phi = np.maximum(phi, 1e-12)
        phi /= phi.sum(1, keepdims=True)
    R = int(min(R, v))

    topic_freq = theta.T @ lengths                        # tokens per topic
    topic_proportion = topic_freq / topic_freq.sum()
    term_topic_freq = phi * topic_freq[:, None]           # K x V (red bars)
    term_frequency = term_topic_freq.sum(0)               # pyLDAvis recomputes tf this way (LDAvis PR #41)
    term_proportion = term_frequency / term_frequency.sum()

    # Saliency (Chuang et al. 2012) picks the default bar chart.
    topic_given_term = phi / phi.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kernel = topic_given_term * np.log(topic_given_term / topic_proportion[:, None])
    saliency = term_proportion * np.nansum(kernel, axis=0)
    default_ix = np.argsort(-saliency, kind="stable")[:R]

    log_ttd = np.log(phi)
    log_lift = np.log(phi / term_proportion)
    # Every term that is in some topic's top-R for some lambda on the slider grid. Only terms that
    # fewer than R others beat on both log p(w|t) and lift can ever be there: rank those only.
    shown = np.zeros((k, v), dtype=bool)
    lambdas = np.arange(0, 1 + lambda_step, lambda_step)   # same grid as pyLDAvis
    for t in range(k):
        cand = _undominated(log_ttd[t], log_lift[t], R)
        if len(cand) <= R:
            shown[t, cand] = True
            continue
        rel = lambdas[:, None] * log_ttd[t, cand][None, :] + (1 - lambdas[:, None]) * log_lift[t, cand][None, :]
        top = np.argpartition(-rel, R - 1, axis=1)[:, :R]
        shown[t, cand[np.unique(top)]] = True

    info_term, info_freq, info_total, info_cat, info_lp, info_ll, info_ix = [], [], [], [], [], [], []
    ranks = np.arange(R, 0, -1).astype(float)
    info_ix.append(default_ix)
    info_term.append(vocab_arr[default_ix])
    info_freq.append(np.floor(term_frequency[default_ix]))
    info_total.append(np.floor(term_frequency[default_ix]))
    info_cat.append(np.full(len(default_ix), "Default", dtype=object))  # i18n: skip (LDAvis category key)
    info_lp.append(ranks)
    info_ll.append(ranks)
    for t in range(k):
        ix = np.flatnonzero(shown[t])
        info_ix.append(ix)
        info_term.append(vocab_arr[ix])
        info_freq.append(term_topic_freq[t, ix])
        info_total.append(term_frequency[ix])
        info_cat.append(np.full(len(ix), f"Topic{t + 1}", dtype=object))  # i18n: skip (LDAvis category key)
        info_lp.append(np.round(log_ttd[t, ix], 4))
        info_ll.append(np.round(log_lift[t, ix], 4))
    all_ix = np.concatenate(info_ix)
    tinfo = {
        "Term": np.concatenate(info_term).tolist(),
        "Freq": np.concatenate(info_freq).tolist(),
        "Total": np.concatenate(info_total).tolist(),
        "Category": np.concatenate(info_cat).tolist(),
        "logprob": np.concatenate(info_lp).tolist(),
        "loglift": np.concatenate(info_ll).tolist(),
    }

    # Token table: p(topic | term) for every term that can appear, where the rounded count >= 0.5.
    term_ix = np.unique(all_ix)
    freq = term_topic_freq[:, term_ix].T                 # T x K, term-major like pyLDAvis's unstack
    t_idx, k_idx = np.nonzero(freq >= 0.5)
    counts = np.round(freq[t_idx, k_idx])
    terms = vocab_arr[term_ix[t_idx]]
    order = np.lexsort((k_idx, terms.astype(str)))       # sort by Term, then Topic
    token_table = {
        "Topic": (k_idx[order] + 1).tolist(),
        "Freq": (counts / term_frequency[term_ix[t_idx]])[order].tolist(),
        "Term": terms[order].tolist(),
    }

    xy = np.real(_pcoa(_js_divergence_matrix(phi)))   # pyLDAvis's default js_PCoA
    mds = {
        "x": xy[:, 0].tolist(),
        "y": xy[:, 1].tolist(),
        "topics": list(range(1, k + 1)),
        "cluster": [1] * k,
        "Freq": (topic_proportion * 100).tolist(),
    }
    data = {
        "mdsDat": mds,
        "tinfo": tinfo,
        "token.table": token_table,
        "R": R,
        "lambda.step": lambda_step,
        "plot.opts": {"xlab": "PC1", "ylab": "PC2"},
        "topic.order": list(range(1, k + 1)),
    }
    return PreparedVis(data)


def _undominated(a: np.ndarray, b: np.ndarray, R: int, block: int = 512) -> np.ndarray:
    """Indices of terms NOT strictly beaten on both `a` and `b` by R or more other terms.

    A term strictly beaten on both by >= R terms has lower relevance than each of them for every
    lambda in [0, 1], so it is never in a top-R. Exact (ties are never counted as beating).
    Blockwise: the threshold for a block comes from terms with a strictly larger `a` than the
    block's largest, i.e. a subset of each member's true dominators (conservative, still exact).
    """
    v = len(a)
    order = np.argsort(-a, kind="stable")
    a_s, b_s = a[order], b[order]
    neg_a = -a_s
    keep = np.ones(v, dtype=bool)
    top = np.empty(0)
    added = 0
    for start in range(0, v, block):
        cut = int(np.searchsorted(neg_a, neg_a[start], side="left"))   # terms with a > block max
        if cut > added:
            top = np.concatenate([top, b_s[added:cut]])
            if len(top) > R:
                top = np.partition(top, len(top) - R)[-R:]
            added = cut
        if len(top) >= R:
            keep[start:start + block] = b_s[start:start + block] >= top.min()
    return order[keep]


def _js_divergence_matrix(phi: np.ndarray) -> np.ndarray:
    """K x K Jensen-Shannon divergence (nats) between rows: pyLDAvis's `_jensen_shannon`, vectorised."""
    k = phi.shape[0]
    plogp = np.sum(np.where(phi > 0, phi * np.log(np.where(phi > 0, phi, 1.0)), 0.0), axis=1)
    out = np.zeros((k, k))
    for i in range(k - 1):
        m = 0.5 * (phi[i][None, :] + phi[i + 1:])
        mlogm = np.sum(np.where(m > 0, m * np.log(np.where(m > 0, m, 1.0)), 0.0), axis=1)
        out[i, i + 1:] = 0.5 * (plogp[i] + plogp[i + 1:]) - mlogm
    out = np.maximum(out, 0.0)
    return out + out.T


def _pcoa(pair_dists: np.ndarray, n_components: int = 2) -> np.ndarray:
    """Principal coordinate analysis (classical MDS): pyLDAvis's `_pcoa` (from scikit-bio), copied
    so the page does not import pyLDAvis (1+ s of scipy.stats/sklearn imports) on the first click."""
    pair_dists = np.asarray(pair_dists, np.float64)
    n = pair_dists.shape[0]
    centre = np.eye(n) - np.ones((n, n)) / n
    b = -centre.dot(pair_dists ** 2).dot(centre) / 2
    eigvals, eigvecs = np.linalg.eig(b)
    ix = eigvals.argsort()[::-1][:n_components]
    eigvals, eigvecs = eigvals[ix], eigvecs[:, ix]
    eigvals[np.isclose(eigvals, 0)] = 0
    if np.any(eigvals < 0):
        neg = eigvals < 0
        eigvals[neg] = 0
        eigvecs[:, neg] = 0
    return np.sqrt(eigvals) * eigvecs


def prepare_model(model: TopicModel, R: int = DEFAULT_R, lambda_step: float = 0.01) -> PreparedVis:
    return prepare(model.topic_word, model.doc_topic, model.doc_lengths, model.vocab, R=R, lambda_step=lambda_step)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def escape_json_for_script(text: str) -> str:
    """Make JSON safe inside an HTML <script> element (no `</script>`, `<!--`, line separators)."""
    return text.translate(str.maketrans(_JSON_ESCAPES))


# (old, new) source patches to ldavis.v3.0.0.js; each `old` must occur exactly once. JavaScript
# source, not text for people ("i18n: skip"); its English labels are translated by _LDAVIS_TEXTS.
_LDAVIS_PATCHES = [
    # Our options ride along in the data: initial lambda, topic display names and numbers.
    ("function visualize(data) {",  # i18n: skip (JS source)
     "function visualize(data) {\n"  # i18n: skip (JS source)
     "        var tl = data['tl'] || {};\n"
     "        if (typeof tl.lambda === 'number') { vis_state.lambda = lambda.old = lambda.current = tl.lambda; }\n"
     "        function tlName(t) { return (tl.names && tl.names[t - 1] !== undefined) ? tl.names[t - 1] : (\"Topic \" + t); }\n"
     "        function tlNum(t) { return (tl.numbers && tl.numbers[t - 1] !== undefined) ? tl.numbers[t - 1] : t; }"),
    # history.replaceState throws inside srcdoc iframes; the URL state is not needed.
    ("function state_save(replace) {", "function state_save(replace) {\n            return;"),  # i18n: skip (JS)
    # Circle labels: the model's topic number, not LDAvis's 1-based id.
    (".text(function(d) {\n                return d.topics;\n            });",  # i18n: skip (JS source)
     ".text(function(d) {\n                return tlNum(d.topics);\n            });"),  # i18n: skip (JS source)
    # Bar chart title: the model's number and the user's label.
    ('"Top-" + R + " Most Relevant Terms for Topic " + topics + " ("',  # i18n: skip (JS source)
     '"Top-" + R + " Most Relevant Terms for " + tlName(topics) + " ("'),  # i18n: skip (JS source)
    # The free-text topic box takes LDAvis ids (1..K), which would contradict our numbering:
    # hide it and show the selected topic's name instead (previous/next/clear still work).
    ('topicInput.setAttribute("style", "width: 50px");',  # i18n: skip (JS source)
     'topicInput.setAttribute("style", "display: none");'),  # i18n: skip (JS source)
    ("            var d = circle.__data__;\n            var Freq = Math.round(d.Freq * 10) / 10,",  # i18n: skip (JS)
     "            var d = circle.__data__;\n"  # i18n: skip (JS source)
     "            d3.select('#' + topicID + '-value').text(tlName(d.topics));\n"
     "            var Freq = Math.round(d.Freq * 10) / 10,"),
    # Pad the map by the largest circle: with few topics the circles are large and LDAvis's fixed
    # 5% padding clips those at the edge (radius / width = sqrt(share * circle_prop / pi)).
    ("        var xdiff = xrange[1] - xrange[0],\n            xpad = 0.05;",  # i18n: skip (JS source)
     "        var rFrac = Math.min(0.4, Math.sqrt(d3.max(mdsData, function(d) { return d.Freq; }) / 100"  # i18n: skip (JS)
     " * circle_prop / Math.PI));\n"
     "        var edgePad = Math.max(0.05, rFrac / (1 - 2 * rFrac));\n"
     "        var xdiff = xrange[1] - xrange[0],\n            xpad = edgePad;"),
    ("        var ydiff = yrange[1] - yrange[0],\n            ypad = 0.05;",  # i18n: skip (JS source)
     "        var ydiff = yrange[1] - yrange[0],\n            ypad = edgePad;"),  # i18n: skip (JS source)
    # In the app the page's λ slider is the one control (it redraws the map): the map's own slider
    # is shown disabled, so the two can never disagree. The standalone report keeps it live.
    ("lambdaInput.id = lambdaID;",  # i18n: skip (JS source)
     "lambdaInput.id = lambdaID;\n"  # i18n: skip (JS source)
     "            if (tl.lambdaLocked) { lambdaInput.disabled = true; "
     "lambdaInput.title = \"Set λ with the slider above the map\"; }"),
    ('.text("Slide to adjust relevance metric:");',  # i18n: skip (JS source, translated by _LDAVIS_TEXTS)
     '.text(tl.lambdaLocked ? "Relevance λ (set above the map):" : "Slide to adjust relevance metric:");'),  # i18n: skip
    # ...and topic_off clears it again.
    ("function topic_off(circle) {",  # i18n: skip (JS source)
     "function topic_off(circle) {\n            d3.select('#' + topicID + '-value').text('');"),  # i18n: skip (JS)
]

# LDAvis's English labels as they stand in the patched source, and their msgids: (source, msgid,
# {placeholder: JavaScript expression}, html). In another language each source expression is
# replaced by its translation (a JS string, or a concatenation where the text holds values); every
# source must occur. `html`: the label goes into innerHTML, so it is HTML-escaped first.
_LDAVIS_TEXTS: list[tuple[str, str, dict[str, str], bool]] = [
    ('"Marginal topic distribution"', N_("Marginal topic distribution"), {}, False),  # i18n: skip (JS)
    ('"Intertopic Distance Map (via multidimensional scaling)"',  # i18n: skip (JS source)
     N_("Intertopic Distance Map (via multidimensional scaling)"), {}, False),
    ('"Overall term frequency"', N_("Overall term frequency"), {}, False),  # i18n: skip (JS source)
    ('"Estimated term frequency within the selected topic"',  # i18n: skip (JS source)
     N_("Estimated term frequency within the selected topic"), {}, False),
    ('"1. saliency(term w) = frequency(w) * [sum_t p(t | w) * log(p(t | w)/p(t))] '  # i18n: skip (JS source)
     'for topics t; see Chuang et. al (2012)"',  # i18n: skip (JS source)
     N_("1. saliency(term w) = frequency(w) * [sum_t p(t | w) * log(p(t | w)/p(t))] for topics t; "
        "see Chuang et. al (2012)"), {}, False),
    ('"2. relevance(term w | topic t) = \\u03BB * p(w | t) + (1 - \\u03BB) * p(w | t)/p(w); '  # i18n: skip (JS)
     'see Sievert & Shirley (2014)"',  # i18n: skip (JS source)
     N_("2. relevance(term w | topic t) = λ * p(w | t) + (1 - λ) * p(w | t)/p(w); see Sievert & Shirley (2014)"),
     {}, False),
    ('"Top-" + R + " Most Salient Terms"', N_("Top-{R} Most Salient Terms"), {"R": "R"}, False),  # i18n: skip (JS)
    ('"Top-" + R + " Most Relevant Terms for " + tlName(topics) + " (" + Freq + "% of tokens)"',  # i18n: skip (JS)
     N_("Top-{R} Most Relevant Terms for {topic} (tokens: {share}%)"),
     {"R": "R", "topic": "tlName(topics)", "share": "Freq"}, False),  # i18n: skip (JS expressions)
    ("\"Conditional topic distribution given term = '\" + term.innerHTML + \"'\"",  # i18n: skip (JS source)
     N_("Conditional topic distribution given term = '{term}'"), {"term": "term.innerHTML"}, False),
    ("\"Selected Topic: <span id='\"", N_("Selected Topic: {value}"), {"value": "\"<span id='\""}, True),  # i18n: skip
    ('"Previous Topic"', N_("Previous Topic"), {}, True),  # i18n: skip (JS source)
    ('"Next Topic"', N_("Next Topic"), {}, True),  # i18n: skip (JS source)
    ('"Clear Topic"', N_("Clear Topic"), {}, True),  # i18n: skip (JS source)
    ('"Slide to adjust relevance metric:"', N_("Slide to adjust relevance metric:"), {}, False),  # i18n: skip (JS)
    ('"Relevance λ (set above the map):"', N_("Relevance λ (set above the map):"), {}, False),  # i18n: skip (JS)
    ('"Set λ with the slider above the map"', N_("Set λ with the slider above the map"), {}, False),  # i18n: skip
    ('("Topic " + t)', N_("Topic {n}"), {"n": "t"}, False),  # i18n: skip (JS source)
]
_FIELD = re.compile(r"\{(\w+)\}")


def _js_text(template: str, fields: dict[str, str], html_text: bool) -> str:
    """A translated template as one JavaScript expression: its text as string literals (escaped
    for a <script> element, and for HTML where `html_text`) joined with the fields' JS expressions."""
    out, pos = [], 0
    for m in [*_FIELD.finditer(template), None]:
        text = template[pos:m.start() if m else len(template)]
        if text:
            text = _html.escape(text, quote=False) if html_text else text
            out.append(escape_json_for_script(json.dumps(text, ensure_ascii=False)))
        if m:
            out.append(fields[m.group(1)])
            pos = m.end()
    return "(" + " + ".join(out or ['""']) + ")"


def _translate_js(js: str, lang: str) -> str:
    """LDAvis's labels in `lang` (English: the source unchanged)."""
    if lang == i18n.DEFAULT:
        return js
    for source, msgid, fields, html_text in _LDAVIS_TEXTS:
        if source not in js:
            raise RuntimeError(f"pyLDAvis's LDAvis JS changed; label not found: {source[:60]!r}")
        with i18n.use_language(lang):
            text = _(msgid)
        if text != msgid and set(_FIELD.findall(text)) == set(_FIELD.findall(msgid)):  # else keep the English
            js = js.replace(source, _js_text(text, fields, html_text))
    return js


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def asset_paths() -> tuple[str, str, str]:
    """The files `pyLDAvis.urls.D3_LOCAL`, `LDAVIS_LOCAL`, `LDAVIS_CSS_LOCAL` name, found without
    importing pyLDAvis (its __init__ pulls in scipy.stats/sklearn: 1+ s). A test checks they match."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("pyLDAvis")
    if spec is None or not spec.origin:
        raise RuntimeError("pyLDAvis is not installed; it ships the d3/LDAvis JavaScript TopicLens inlines")
    js_dir = os.path.join(os.path.dirname(spec.origin), "js")
    return (os.path.join(js_dir, "d3.v5.min.js"), os.path.join(js_dir, "ldavis.v3.0.0.js"),
            os.path.join(js_dir, "ldavis.v1.0.0.css"))


@lru_cache(maxsize=None)
def _assets(lang: str = i18n.DEFAULT) -> tuple[str, str, str]:
    """(d3 js, patched LDAvis js with its labels in `lang`, css) from the pyLDAvis package, checked
    safe to inline."""
    d3, js, css = (_read(p) for p in asset_paths())
    for old, new in _LDAVIS_PATCHES:
        if js.count(old) != 1:
            raise RuntimeError(f"pyLDAvis's LDAvis JS changed; patch target not found: {old[:60]!r}")
        js = js.replace(old, new)
    js = _translate_js(js, lang)
    for name, src in (("d3", d3), ("LDAvis", js), ("LDAvis css", css)):  # i18n: skip (names in a bug report)
        low = src.lower()
        if "</script" in low or "<!--" in low or "</style" in low:
            raise RuntimeError(f"{name} source cannot be inlined safely")
    return d3, js, css


def vis_data(prepared: PreparedVis, names: Sequence[str] | None = None, lambda_: float = DEFAULT_LAMBDA,
             lambda_locked: bool = False, lang: str | None = None) -> dict:
    """The prepared data plus our display options (`tl`): lambda, names, numbers, whether the map's
    λ slider is locked (the app's page slider drives it). Default names are in `lang` (default:
    the active language)."""
    if not 0.0 <= float(lambda_) <= 1.0:
        raise InputError("Relevance lambda must be between 0 and 1.")
    k = prepared.k
    lang = lang or i18n.language()
    if names is None:
        with i18n.use_language(lang):
            names = [_("Topic {n}").format(n=i) for i in range(k)]
    names = [str(n) for n in names]
    if len(names) != k:
        raise InputError("Expected {k} topic names, got {n}.", k=k, n=len(names))
    # Snap lambda onto the slider grid so the slider shows exactly this value.
    step = float(prepared.data["lambda.step"])
    lam = round(round(float(lambda_) / step) * step, 6)
    return dict(prepared.data, tl={"lambda": lam, "names": names, "numbers": list(range(k)),
                                   "lambdaLocked": bool(lambda_locked)})


def ldavis_page(
    prepared: PreparedVis,
    names: Sequence[str] | None = None,
    lambda_: float = DEFAULT_LAMBDA,
    title: str | None = None,
    fit_width: bool = True,
    lambda_locked: bool = True,
    lang: str | None = None,
) -> str:
    """A complete, offline HTML document showing the LDAvis chart (for st.iframe / srcdoc / files).

    With `fit_width`, the fixed-size LDAvis canvas is scaled down to the frame's width. With
    `lambda_locked` (the app), the map's λ slider is disabled: the page's slider is the one control.
    The chart's own labels and the default `title` ("Topic map") are in `lang`, by default the
    active language.
    """
    lang = lang or i18n.language()
    if title is None:
        with i18n.use_language(lang):
            title = _("Topic map")
    d3, js, css = _assets(lang)
    payload = escape_json_for_script(
        json.dumps(vis_data(prepared, names, lambda_, lambda_locked, lang=lang), ensure_ascii=False, allow_nan=False,
                   default=_json_default)
    )
    fit = "true" if fit_width else "false"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>{_html.escape(title)}</title>\n"
        f"<style>{css}</style>\n"
        "<style>html,body{margin:0;padding:0;background:#fff;overflow-x:hidden}"
        f"#tl-wrap{{width:{VIS_WIDTH}px;transform-origin:0 0}}</style>\n"
        "</head><body>\n<div id=\"tl-outer\"><div id=\"tl-wrap\"><div id=\"tl-ldavis\"></div></div></div>\n"
        f"<script>{d3}</script>\n<script>{js}</script>\n"
        "<script>(function(){\n"
        f"var data = {payload};\n"
        "new LDAvis('#tl-ldavis', data);\n"
        f"var fit = {fit};\n"
        "function resize(){ if(!fit){return;} var w = document.documentElement.clientWidth || window.innerWidth;\n"
        f" var s = Math.min(1, w / {VIS_WIDTH}); var el = document.getElementById('tl-wrap');\n"
        " el.style.transform = 'scale(' + s + ')';\n"
        f" document.getElementById('tl-outer').style.height = Math.ceil({VIS_HEIGHT} * s) + 'px'; }}\n"
        "resize(); window.addEventListener('resize', resize);\n"
        "})();</script>\n</body></html>\n"
    )


def model_page(model: TopicModel, names: Sequence[str] | None = None, lambda_: float = DEFAULT_LAMBDA,
               lang: str | None = None) -> str:
    """Prepare + render in one call, slider live (the standalone report and files); labels in
    `lang` (default: the active language)."""
    return ldavis_page(prepare_model(model), names=names, lambda_=lambda_, lambda_locked=False, lang=lang)


def pyldavis_reference(prepared_pd) -> dict:
    """pyLDAvis's own PreparedData as our plain dict (for tests and the benchmark)."""
    d = prepared_pd.to_dict()
    for key in ("tinfo", "token.table", "mdsDat"):
        d[key] = {c: list(pd.Series(vals).tolist()) for c, vals in d[key].items()}
    return d
