"""Tokenizing on worker processes gives exactly the single-process result (real corpus samples)."""

from __future__ import annotations

import pytest

from core.corpus import load_path
from core.parallel import tokenize_parallel
from core.preprocess import PreprocessSettings, tokenize
from fixture_paths import DEMO_EN, DEMO_ZH, SHARED

# Traditional documents inside a Simplified corpus: converted (and sampled) the same whatever the chunking.
TRADITIONAL = ["這家飯店的服務很好，早餐種類豐富。", "聯絡電話 02-1234-5678，網址 www.example.com.tw", "贊贊贊贊贊！"]


def assert_same(a, b):
    assert a.docs == b.docs
    assert a.removed == b.removed and a.raw_token_count == b.raw_token_count
    assert (a.language, a.segmenter, a.converted_traditional) == (b.language, b.segmenter, b.converted_traditional)
    assert a.conversion_sample == b.conversion_sample
    assert a.settings == b.settings and a.settings.key() == b.settings.key()


@pytest.mark.parametrize("settings", [PreprocessSettings(), PreprocessSettings(min_df=2, max_df=0.3, min_token_len=2)])
def test_parallel_equals_single_process_on_chinese_news_titles(settings):
    texts = TRADITIONAL + load_path(DEMO_ZH).texts + ["", "   "]
    single = tokenize(texts, settings)
    parallel = tokenize_parallel(texts, settings, jobs=2, min_chars=0)
    assert single.converted_traditional >= 2 and single.n_tokens > 1000
    assert_same(parallel, single)


def test_parallel_equals_single_process_on_english_news_with_progress():
    texts = load_path(DEMO_EN).texts
    seen: list[float] = []
    parallel = tokenize_parallel(texts, PreprocessSettings(), jobs=2, min_chars=0, progress=seen.append)
    assert_same(parallel, tokenize(texts, PreprocessSettings()))
    assert parallel.language == "en" and len(seen) == 8 and seen[-1] == 1.0 and seen == sorted(seen)


def test_small_inputs_and_one_job_stay_in_process(monkeypatch):
    import core.parallel as par

    def no_pool(*args, **kwargs):
        raise AssertionError("no worker pool for a small corpus")

    monkeypatch.setattr(par.LocalExecutor, "stream", no_pool)
    texts = load_path(DEMO_ZH).texts
    assert_same(tokenize_parallel(texts, PreprocessSettings(), jobs=4), tokenize(texts, PreprocessSettings()))
    assert_same(tokenize_parallel(texts, PreprocessSettings(), jobs=1, min_chars=0), tokenize(texts))


@pytest.mark.skipif(not (SHARED / "zh_reviews_69k.csv").exists(), reason="optional: ../shared corpora absent")
def test_parallel_equals_single_process_on_a_review_corpus_sample():
    texts = load_path(SHARED / "zh_reviews_69k.csv").texts[::7]
    assert_same(tokenize_parallel(texts, PreprocessSettings(), jobs=2, min_chars=0), tokenize(texts))
