"""Offline, injection-safe pyLDAvis embedding: same data as pyLDAvis, no CDN, inert payloads."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from core.errors import InputError
from core.topics import ldavis
from topics_fixtures import INJECTION, make_model


@pytest.fixture(scope="module")
def model():
    return make_model(k=4, n_docs=120)


def _rows(tinfo):
    return sorted(zip(tinfo["Category"], tinfo["Term"], np.round(tinfo["Freq"], 6), np.round(tinfo["Total"], 6),
                      np.round(tinfo["logprob"], 4), np.round(tinfo["loglift"], 4)))


def test_prepare_matches_pyldavis_low_level(model):
    import pyLDAvis

    ours = ldavis.prepare_model(model, R=10).data
    ref = ldavis.pyldavis_reference(pyLDAvis.prepare(
        model.topic_word, model.doc_topic, model.doc_lengths, model.vocab, model.term_frequency,
        R=10, sort_topics=False, n_jobs=1))
    assert _rows(ours["tinfo"]) == _rows(ref["tinfo"])
    tok = lambda d: list(zip(d["Term"], d["Topic"], np.round(d["Freq"], 9)))  # noqa: E731
    assert tok(ours["token.table"]) == tok(ref["token.table"])
    assert np.allclose(ours["mdsDat"]["x"], ref["mdsDat"]["x"]) and np.allclose(ours["mdsDat"]["y"], ref["mdsDat"]["y"])
    assert np.allclose(ours["mdsDat"]["Freq"], ref["mdsDat"]["Freq"])
    # model order kept: LDAvis id t+1 is model topic t, no re-sorting
    assert ours["topic.order"] == [1, 2, 3, 4] == ours["mdsDat"]["topics"]
    share = model.doc_topic.T @ model.doc_lengths
    assert np.allclose(ours["mdsDat"]["Freq"], 100 * share / share.sum())


def test_prepare_rejects_unnormalised_and_mismatched(model):
    with pytest.raises(InputError):
        ldavis.prepare(model.topic_word * 2, model.doc_topic, model.doc_lengths, model.vocab)
    with pytest.raises(InputError):
        ldavis.prepare(model.topic_word, model.doc_topic[:, :2], model.doc_lengths, model.vocab)
    one = np.ones((1, len(model.vocab))) / len(model.vocab)
    with pytest.raises(InputError, match="at least 2 topics"):
        ldavis.prepare(one, np.ones((len(model.doc_lengths), 1)), model.doc_lengths, model.vocab)


def test_zero_probabilities_give_finite_json(model):
    phi = model.topic_word.copy()
    phi[0, :5] = 0.0
    phi /= phi.sum(1, keepdims=True)
    text = ldavis.prepare(phi, model.doc_topic, model.doc_lengths, model.vocab).to_json()
    assert "Infinity" not in text and "NaN" not in text
    json.loads(text)


def test_escape_json_for_script():
    s = json.dumps({"t": INJECTION + "&\u2028\u2029<!--"}, ensure_ascii=False)
    out = ldavis.escape_json_for_script(s)
    assert not re.search(r"[<>&\u2028\u2029]", out)
    assert json.loads(out) == json.loads(s)


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)


def test_page_is_offline_and_injection_inert(model):
    assert INJECTION in set(model.vocab)
    page = ldavis.model_page(model, names=[INJECTION, "<b>bold</b>", "x", "y"])
    assert INJECTION in ldavis.prepare_model(model).to_json()    # the term really is shipped...
    assert INJECTION not in page and "PWNED'</script>" not in page  # ...but never unescaped
    assert "\\u003c/script\\u003e" in page
    # everything inline: no external script/link at all
    assert not re.search(r"<script[^>]*\bsrc=", page, flags=re.I)
    assert not re.search(r"<link[^>]*\bhref=", page, flags=re.I)
    assert "cdn.jsdelivr" not in page and "LDAvis_load_lib" not in page   # pyLDAvis's CDN loader
    assert "d3.v5.js" not in page
    # exactly our 3 script elements, none containing a closing tag sequence
    scripts = _scripts(page)
    assert len(scripts) == 3
    assert all("</script" not in s.lower() for s in scripts)
    assert page.count("</script>") == 3


def test_page_options_lambda_numbers_and_patches(model):
    page = ldavis.model_page(model, names=["0: a", "1: b", "2: c", "3: d"], lambda_=0.6)
    payload = re.search(r"var data = (\{.*?\});\nnew LDAvis", page, flags=re.S).group(1)
    data = json.loads(payload)
    assert data["tl"] == {"lambda": 0.6, "names": ["0: a", "1: b", "2: c", "3: d"], "numbers": [0, 1, 2, 3],
                          "lambdaLocked": False}
    assert "function state_save(replace) {\n            return;" in page
    assert "return tlNum(d.topics);" in page
    with pytest.raises(InputError):
        ldavis.model_page(model, names=["only one"])
    with pytest.raises(InputError):
        ldavis.model_page(model, lambda_=1.5)


def test_lambda_snapped_to_slider_grid(model):
    data = ldavis.vis_data(ldavis.prepare_model(model), lambda_=0.6049)
    assert data["tl"]["lambda"] == 0.6


def test_undominated_prefilter_is_exact():
    rng = np.random.default_rng(3)
    for v, R in ((50, 30), (3000, 30), (3000, 5)):
        a = np.round(rng.normal(size=v), 2)        # rounded: plenty of ties
        b = np.round(rng.normal(size=v), 2)
        cand = set(ldavis._undominated(a, b, R, block=64).tolist())
        for lam in np.linspace(0, 1, 21):
            rel = lam * a + (1 - lam) * b
            thresh = np.sort(rel)[::-1][R - 1] if R <= v else -np.inf
            must = set(np.flatnonzero(rel > thresh + 1e-12).tolist())   # strictly inside the top-R
            assert must <= cand


def test_js_matrix_matches_pyldavis_pairwise(model):
    from pyLDAvis._prepare import _jensen_shannon

    got = ldavis._js_divergence_matrix(model.topic_word)
    for i in range(model.k):
        for j in range(model.k):
            assert got[i, j] == pytest.approx(_jensen_shannon(model.topic_word[i], model.topic_word[j]), abs=1e-10)


def test_assets_are_pyldavis_local_files_and_pcoa_matches(model):
    import pyLDAvis.urls as urls
    from pyLDAvis._prepare import _pcoa

    assert ldavis.asset_paths() == (urls.D3_LOCAL, urls.LDAVIS_LOCAL, urls.LDAVIS_CSS_LOCAL)
    d = ldavis._js_divergence_matrix(model.topic_word)
    assert np.allclose(ldavis._pcoa(d), _pcoa(d))


def test_embedding_does_not_import_pyldavis():
    import subprocess
    import sys

    from fixture_paths import ROOT

    code = ("import sys, numpy as np\nfrom core.topics import ldavis\nrng = np.random.default_rng(0)\n"
            "phi = rng.dirichlet(np.ones(50), 3); theta = rng.dirichlet(np.ones(3), 20)\n"
            "html = ldavis.ldavis_page(ldavis.prepare(phi, theta, np.full(20, 5), [f'w{i}' for i in range(50)]))\n"
            "print('pyLDAvis' in sys.modules, 'new LDAvis' in html)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["False", "True"], out.stderr[-1000:]


def test_app_map_lambda_slider_follows_the_page(model):
    """One λ control in the app: the map's slider is disabled there; the standalone report keeps it."""
    prepared = ldavis.prepare_model(model)
    app = ldavis.ldavis_page(prepared, lambda_=0.3)
    assert '"lambdaLocked": true' in app and "lambdaInput.disabled = true" in app
    assert '"lambdaLocked": false' in ldavis.model_page(model)
