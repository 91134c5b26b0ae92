"""Tokenizing on every core: chunks of documents go to worker processes, the result is identical
to `core.preprocess.tokenize` in one process (tested).

    from core.parallel import tokenize_parallel
    tokens = tokenize_parallel(corpus.texts, settings, jobs=None)   # None: all cores

The one corpus-wide decision, the language (from a sample of all documents), is taken once before
the split; the document-frequency filter (min_df/max_df) runs on the merged tokens. Everything
else in `tokenize` is per document (Traditional -> Simplified conversion included), so chunks can
be tokenized independently and concatenated in order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Callable, Sequence

from core import preprocess
from core.errors import Message
from core.executor import LocalExecutor, TaskFailed, default_jobs
from core.i18n import N_
from core.preprocess import PreprocessSettings, TokenizedCorpus

# Below this many characters a worker's start-up (~1 s of imports) costs more than it saves.
MIN_PARALLEL_CHARS = 2_000_000
CHUNKS_PER_JOB = 4
_CONVERSION_SAMPLE = 3   # (before, after) pairs kept, as core.zhscript.to_simplified keeps   # a few chunks per worker: even load, and progress more often than 1/jobs


def _tokenize_chunk(settings: PreprocessSettings, chunk: tuple[int, list[str]]):
    index, texts = chunk
    return index, preprocess.tokenize(texts, settings)


def tokenize_parallel(
    texts: Sequence[str],
    settings: PreprocessSettings | None = None,
    jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
    min_chars: int = MIN_PARALLEL_CHARS,
) -> TokenizedCorpus:
    """`tokenize(texts, settings)` on `jobs` worker processes (None: all cores)."""
    settings = (settings or PreprocessSettings()).validate()
    jobs = default_jobs() if jobs is None else max(1, int(jobs))
    texts = ["" if t is None else str(t) for t in texts]
    if jobs == 1 or len(texts) < 2 * jobs or sum(map(len, texts)) < min_chars:
        return preprocess.tokenize(texts, settings, progress)
    language = preprocess.detect_language(texts) if settings.language == "auto" else settings.language
    chunk_settings = replace(settings, language=language, min_df=1, max_df=1.0)
    n_chunks = min(len(texts), jobs * CHUNKS_PER_JOB)
    bounds = [round(i * len(texts) / n_chunks) for i in range(n_chunks + 1)]
    tasks = [(i, texts[bounds[i]:bounds[i + 1]]) for i in range(n_chunks)]
    parts: dict[int, TokenizedCorpus] = {}
    try:
        for _task, (index, part), _worker in LocalExecutor(jobs).stream(_tokenize_chunk, chunk_settings, tasks):
            parts[index] = part
            if progress is not None:
                progress(len(parts) / n_chunks)
    except TaskFailed as exc:
        # a Message: the page shows it in the reader's language (ui.state.show_error)
        raise RuntimeError(Message(N_("tokenizing documents {start}-{end} failed: {detail}"),
                                   start=bounds[exc.task[0]], end=bounds[exc.task[0] + 1], detail=exc.message)) from None
    ordered = [parts[i] for i in range(n_chunks)]
    docs = [d for part in ordered for d in part.docs]
    removed: Counter = Counter()
    for part in ordered:
        removed.update(part.removed)
    if settings.min_df > 1 or settings.max_df < 1.0:
        docs = preprocess._filter_df(docs, settings, removed)
    return TokenizedCorpus(
        docs=docs, language=language, segmenter=ordered[0].segmenter,
        removed={k: v for k, v in removed.items() if v}, settings=settings,
        converted_traditional=sum(p.converted_traditional for p in ordered),
        conversion_sample=[pair for p in ordered for pair in p.conversion_sample][:_CONVERSION_SAMPLE],
        raw_token_count=sum(p.raw_token_count for p in ordered),
    )
