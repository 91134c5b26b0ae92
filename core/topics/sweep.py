"""The k sweep: fit one model per (k, seed) over a k range, in worker processes, with metrics.

    from core.topics.dtm import build_dtm
    from core.topics.sweep import SweepConfig, run_sweep, shortlist, compare_top_words
    bundle = build_dtm(tokens.docs, data_key=state.data_key())
    config = SweepConfig(k_min=2, k_max=30, k_step=2, seeds=1).validate(bundle)   # InputError if bad
    # in a background job (core.jobs): registry.submit(owner, "sweep", lambda ctx: run_sweep(bundle, config, ctx, cache))
    result = run_sweep(bundle, config, ctx=None, cache=my_dict)
    result.frame            # tidy DataFrame: one row per (k, seed), every metric + fit_seconds (FRAME_COLUMNS)
    result.model(12)        # the fitted TopicModel for k=12 (seed 0), no refit
    shortlist(result.frame) # 2-3 Candidate(k, explanation, ...) - never a single "optimal" k

Live progress: for every finished (k, seed) the job gets `ctx.event(kind="fit", k=, seed=,
cached=, fit_seconds=, <metric>=...)`, and once all seeds of a k are in, with 2+ seeds,
`ctx.event(kind="stability", k=, stability=)`. `frame_from_events(job.events)` turns them into
the same tidy frame, so the page can plot while the job runs. `kind="plan"` (the (k, seed) to fit)
and `kind="ready"` (worker start-up done) feed core.topics.sweep_progress. `ctx.set_partial(result)` keeps a
`SweepResult` of everything finished so far.

Page recipe (pages/topics.py; names from ui.state and core.charts):
    bundle = state.memo("topics-dtm", state.data_key(), lambda: build_dtm(tokens.docs, state.data_key()))
    cache = st.session_state.setdefault("topics_sweep_cache", {})      # any dict-like, per session
    job = state.job_registry().submit(state.session_id(), "sweep",
                                      lambda ctx: run_sweep(bundle, config, ctx, cache), label="k sweep")
    frame = job.result.frame if job.done and job.result else frame_from_events(job.events)   # live
    st.plotly_chart(sweep_metrics_figure(frame, candidates=[c.k for c in shortlist(frame)]))
    st.dataframe(raw_values_table(frame))          # core.charts.sweep_metrics
    # job.result.data_key != state.data_key(): the sweep belongs to a corpus no longer loaded.
    # Engine shown in the UI: ENGINE_LABELS[config.engine] (core.topics.engines); perplexity
    # caveat: core.topics.metrics.PERPLEXITY_CAVEAT; metric tooltips: METRICS[name].description.

Cancel: `registry.cancel(...)` sets the job's cancel event; the runner polls it every 0.1 s and
terminates its worker processes, so a cancel lands within ~0.5 s whatever the model size. Every
(k, seed) finished before that stays in the result (`complete=False`) and in the cache.

Extend: pass the same `cache` (any dict-like: `get`, `__setitem__`) to a later sweep with a wider
range; (k, seed) pairs already fitted with the same data key, engine and parameters are reused and
only the new ones are fitted. The result records `data_key`, so a sweep stays tied to the corpus
it was started on even if the user loads another one meanwhile.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable, MutableMapping, Sequence

import numpy as np
import pandas as pd

from core.errors import InputError, Message
from core.i18n import N_, _, format_number, pgettext
from core.executor import LOCAL, DaskExecutor, LocalExecutor, TaskFailed, configured_scheduler, one_thread
from core.topics.dtm import DTMBundle
from core.topics.engines import DEFAULT_ITERATIONS, ENGINES, validate_fit_args
from core.topics.metrics import (
    COHERENCE_TOP_N,
    METRICS,
    compute_metrics,
    cooc_stats,
    stability_from_top_words,
    top_word_ids,
)
from core.topics.align import compare_top_words  # noqa: F401 - re-exported (candidate comparison)
from core.topics.model import TopicModel

MAX_SEEDS = 5
MAX_MODELS = 200          # (k values x seeds) in one sweep: keeps memory and time bounded
# bench/sweep.py, zh_shopping_reviews, k=2..30 step 2, 1 seed, 2 jobs (shared 2-core box): sequential
# sklearn loop 153.1 s, mean NPMI 0.094; this sweep with tomotopy 39.2 s (0.26x), NPMI 0.169; with
# sklearn 108.1 s (0.71x under load; same CPU seconds as the loop), NPMI 0.100. sklearn stays the
# reference engine (fit_model's default) and one click away.
DEFAULT_ENGINE = "tomotopy"
# worker: where the model was fitted ("local", or the Dask worker's name/address).
FRAME_COLUMNS = ["k", "seed", "engine", *METRICS, "fit_seconds", "metric_seconds", "cached", "worker"]


# --------------------------------------------------------------------------- config
@dataclass(frozen=True)
class SweepConfig:
    """Everything that defines a sweep; `validate()` is the one place parameters are checked."""

    k_min: int = 2
    k_max: int = 20
    k_step: int = 2
    seeds: int = 1                 # models per k, seeds 0..seeds-1 (2+ gives the stability metric)
    engine: str = DEFAULT_ENGINE   # "sklearn" | "tomotopy"
    iterations: int | None = None  # None: engine default (sklearn 10 EM passes, tomotopy 200 Gibbs sweeps)
    alpha: float | None = None     # document-topic prior; None: engine default
    eta: float | None = None       # topic-word prior; None: engine default
    heldout: float = 0.1           # fraction of documents held out for held-out perplexity
    jobs: int = 2                  # worker processes (the sweep parallelises across k)

    @property
    def ks(self) -> list[int]:
        return list(range(int(self.k_min), int(self.k_max) + 1, int(self.k_step))) if self.k_step > 0 else []

    @property
    def seed_list(self) -> list[int]:
        return list(range(int(self.seeds)))

    @property
    def resolved_iterations(self) -> int:
        return int(self.iterations if self.iterations is not None else DEFAULT_ITERATIONS.get(self.engine, 0))

    def params_key(self) -> str:
        """The fit parameters that change a model (not k, seed or jobs): part of every cache key."""
        return f"it={self.resolved_iterations},alpha={self.alpha},eta={self.eta},heldout={self.heldout}"  # i18n: skip (cache key)

    @staticmethod
    def parse_k_range(text: str) -> tuple[int, int, int]:
        """"2:30:2" -> (2, 30, 2); "2:30" -> step 1; "10" -> (10, 10, 1). InputError if malformed."""
        parts = [p.strip() for p in str(text).split(":")]
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            raise InputError("k range {text!r} must look like MIN:MAX:STEP with whole numbers, e.g. 2:30:2.",
                             text=text) from None
        if len(nums) == 1:
            return nums[0], nums[0], 1
        if len(nums) == 2:
            return nums[0], nums[1], 1
        if len(nums) == 3:
            return nums[0], nums[1], nums[2]
        raise InputError("k range {text!r} must look like MIN:MAX:STEP, e.g. 2:30:2.", text=text)

    def validate(self, bundle: DTMBundle | None = None) -> "SweepConfig":  # i18n: skip (type annotation)
        """Raise InputError with a clear message for any bad setting; returns self for chaining.

        With `bundle`, also checks the k range against the documents and vocabulary.
        """
        for name in ("k_min", "k_max", "k_step", "seeds", "jobs"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise InputError("{name} must be a whole number (got {value!r}).", name=name, value=v)
        if self.k_step < 1:
            raise InputError("The k step must be at least 1 (got {step}).", step=self.k_step)
        if self.k_min < 2:
            raise InputError("The smallest k must be at least 2 topics (got {k_min}).", k_min=self.k_min)
        if self.k_max < self.k_min:
            raise InputError("The k range {k_min} to {k_max} is reversed or empty; the largest k must be >= the smallest.",
                             k_min=self.k_min, k_max=self.k_max)
        if not 1 <= self.seeds <= MAX_SEEDS:
            raise InputError("Seeds per k must be between 1 and {max_seeds} (got {seeds}).", max_seeds=MAX_SEEDS,
                             seeds=self.seeds)
        if not 1 <= self.jobs <= 64:
            raise InputError("jobs must be between 1 and 64 worker processes (got {jobs}).", jobs=self.jobs)
        n_models = len(self.ks) * self.seeds
        if n_models > MAX_MODELS:
            raise InputError("This sweep would fit {n_models} models (max {max_models}); use a larger k step or fewer seeds.",
                             n_models=n_models, max_models=MAX_MODELS)
        # Engine, iterations, priors, held-out fraction: the engines' own checks, on the largest k.
        n_docs, n_terms = (bundle.n_docs, bundle.n_terms) if bundle is not None else (10**9, 10**9)
        validate_fit_args(n_docs, n_terms, self.k_max, self.engine, 0, self.iterations, self.alpha, self.eta,
                          self.heldout)
        return self

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- result
@dataclass
class SweepResult:
    """Outcome of a sweep (complete, or partial after cancel)."""

    frame: pd.DataFrame                       # one row per (k, seed): FRAME_COLUMNS
    models: dict[tuple[int, int], TopicModel]
    config: SweepConfig
    data_key: str                             # the corpus this sweep belongs to
    complete: bool = True
    wall_seconds: float = 0.0
    n_fitted: int = 0                         # models fitted by this run (the rest came from the cache)

    @property
    def ks(self) -> list[int]:
        return sorted({k for k, _seed in self.models})

    def model(self, k: int, seed: int = 0) -> TopicModel:
        """The fitted model for (k, seed); KeyError with the available k if it was not fitted."""
        try:
            return self.models[(int(k), int(seed))]
        except KeyError:
            raise KeyError(f"no model for k={k}, seed={seed}; fitted k: {self.ks}") from None


def cache_key(bundle: DTMBundle, config: SweepConfig, k: int, seed: int) -> str:
    """Cache key of one (k, seed) fit: data key (content hash + preprocessing + DTM) x engine x params."""
    return f"sweep|{bundle.key}|{config.engine}|k={int(k)}|seed={int(seed)}|{config.params_key()}"  # i18n: skip (cache key)


def model_key(data_key: str, config: SweepConfig, k: int, seed: int = 0) -> str:
    """Identity of one fitted model for what users attach to it (topic labels): corpus, engine, k,
    seed and fit parameters. The dashboard and the CLI share it through the project."""
    return f"{data_key}|{config.engine}|k={int(k)}|seed={int(seed)}|{config.params_key()}"  # i18n: skip (model key)


def prune_cache(cache: MutableMapping[str, Any], bundle: DTMBundle) -> int:
    """Drop the fits of every other corpus/preprocessing from a session's cache (bounds its memory);
    returns how many entries were dropped. The keys are copied first, in one step (`list` of a dict
    holds the GIL): a running sweep's thread adds its fits to this same dict meanwhile."""
    stale = [key for key in list(cache) if f"|{bundle.key}|" not in key]
    for key in stale:
        del cache[key]
    return len(stale)


def cached_model(cache, bundle: DTMBundle, config: SweepConfig, k: int, seed: int = 0) -> TopicModel | None:
    """The model a sweep with this config fitted for (k, seed), from `cache`; None if not there."""
    hit = cache.get(cache_key(bundle, config, k, seed)) if cache is not None else None
    return hit.model if isinstance(hit, SweepEntry) else None


@dataclass
class SweepEntry:
    """What the cache holds per (k, seed): the metric record and the model."""

    record: dict
    model: TopicModel
    top_ids: np.ndarray = field(repr=False, default=None)


# --------------------------------------------------------------------------- worker side
class _SweepInput:
    """What every worker needs once per sweep: the DTM bundle and the config. The co-occurrence
    statistics are derived on the worker (once per worker), never shipped."""

    def __init__(self, bundle: DTMBundle, config: SweepConfig):
        self.bundle, self.config = bundle, config
        self._cooc = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Worker start-up: the statistics every fit's metrics need."""
        self.cooc()

    def cooc(self):
        with self._lock:   # a Dask worker may run several fits of this sweep in threads
            if self._cooc is None:
                self._cooc = cooc_stats(self.bundle)
            return self._cooc

    def __getstate__(self):
        return {"bundle": self.bundle, "config": self.config}

    def __setstate__(self, state):
        self.__init__(state["bundle"], state["config"])


def _fit_one(bundle: DTMBundle, config: SweepConfig, k: int, seed: int, cooc) -> dict:
    """Fit + metrics for one (k, seed); returns a light, picklable payload (no DTM copy)."""
    from core.topics.engines import fit_model

    m = fit_model(bundle, k, engine=config.engine, seed=seed, iterations=config.iterations,
                  alpha=config.alpha, eta=config.eta, heldout=config.heldout)
    t0 = time.perf_counter()
    metrics = compute_metrics(m, cooc)
    return {
        "k": k, "seed": seed, "metrics": metrics, "metric_seconds": time.perf_counter() - t0,
        "topic_word": m.topic_word, "doc_topic": m.doc_topic, "params": m.params,
        "fit_seconds": m.fit_seconds, "fit_stats": m.fit_stats,
    }


def _fit_task(shared: _SweepInput, task: tuple[int, int]) -> dict:
    """The executor's unit of work (runs in a worker process or on a Dask worker)."""
    k, seed = task
    return _fit_one(shared.bundle, shared.config, k, seed, shared.cooc())


# --------------------------------------------------------------------------- runner
def run_sweep(
    dtm_bundle: DTMBundle,
    config: SweepConfig,
    ctx: Any | None = None,
    cache: MutableMapping[str, Any] | None = None,
    processes: bool | None = None,
    scheduler: str | None = None,
) -> SweepResult:
    """Fit and score every (k, seed) of `config` on `dtm_bundle`.

    ctx: a `core.jobs.JobContext` (progress, events, cancel) or None (CLI, tests).
    cache: dict-like shared between sweeps of a session; None = no reuse.
    processes: run fits in `config.jobs` worker processes; None = yes unless jobs == 1 and
    there is no ctx (a background job always uses a worker process so cancel is immediate).
    scheduler: a Dask scheduler address (tcp://HOST:PORT) to fit on that cluster; None = the
    TOPICLENS_DASK_SCHEDULER environment variable if set, "" = always this machine. See core.executor.
    Returns a SweepResult; after a cancel it holds the finished (k, seed) and `complete=False`.
    """
    config.validate(dtm_bundle)
    t_start = time.perf_counter()
    tasks = [(k, s) for k in config.ks for s in config.seed_list]
    entries: dict[tuple[int, int], SweepEntry] = {}
    todo: list[tuple[int, int]] = []
    for k, s in tasks:
        hit = cache.get(cache_key(dtm_bundle, config, k, s)) if cache is not None else None
        if isinstance(hit, SweepEntry):
            entries[(k, s)] = SweepEntry(dict(hit.record, cached=True), hit.model, hit.top_ids)
        else:
            todo.append((k, s))
    state = _RunState(dtm_bundle, config, ctx, cache, entries, total=len(tasks), t_start=t_start)
    for key in sorted(entries):
        state.announce(key)
    # Largest k first: the longest fits start early, so the two workers finish close together.
    todo.sort(key=lambda t: (-t[0], t[1]))
    address = configured_scheduler(scheduler)
    use_processes = processes if processes is not None else (config.jobs > 1 or ctx is not None)
    if ctx is not None:  # what core.topics.sweep_progress estimates time left from
        ctx.event(kind="plan", todo=[list(t) for t in todo], cached=len(entries),
                  workers=max(1, min(config.jobs, len(todo))) if use_processes else 1)
    if todo:
        if address:
            _run_on_executor(state, todo, DaskExecutor(address))
        elif use_processes:
            _run_in_processes(state, todo)
        else:
            _run_inline(state, todo)
    return state.result(complete=not state.cancelled and len(state.entries) == len(tasks))


class _RunState:
    def __init__(self, bundle, config, ctx, cache, entries, total, t_start):
        self.bundle, self.config, self.ctx, self.cache = bundle, config, ctx, cache
        self.entries: dict[tuple[int, int], SweepEntry] = entries
        self.total, self.t_start = total, t_start
        self.n_fitted = 0
        self.ready_sent = False
        self.stability_done: set[int] = set()

    @property
    def cancelled(self) -> bool:
        return bool(self.ctx is not None and self.ctx.cancelled)

    def ready(self) -> None:
        """Worker start-up is done (the progress bar moves from step 1 to step 2): said once."""
        if self.ctx is not None and not self.ready_sent:
            self.ready_sent = True
            self.ctx.event(kind="ready")

    def add(self, payload: dict, worker: str = LOCAL) -> None:
        b = self.bundle
        k, seed = int(payload["k"]), int(payload["seed"])
        model = TopicModel(
            engine=self.config.engine, k=k, seed=seed, topic_word=payload["topic_word"],
            doc_topic=payload["doc_topic"], vocab=b.vocab, dtm=b.dtm, doc_rows=b.doc_rows,
            params=payload["params"], fit_seconds=float(payload["fit_seconds"]), data_key=b.data_key,
            fit_stats=payload["fit_stats"],
        )
        record = {"k": k, "seed": seed, "engine": self.config.engine, **payload["metrics"],
                  "fit_seconds": float(payload["fit_seconds"]), "metric_seconds": float(payload["metric_seconds"]),
                  "cached": False, "worker": str(worker)}
        entry = SweepEntry(record, model, top_word_ids(model.topic_word, COHERENCE_TOP_N))
        self.entries[(k, seed)] = entry
        self.n_fitted += 1
        if self.cache is not None:
            self.cache[cache_key(b, self.config, k, seed)] = SweepEntry(dict(record), model, entry.top_ids)
        self.announce((k, seed))

    def announce(self, key: tuple[int, int]) -> None:
        """Report one finished (k, seed) to the job: event, progress, partial result."""
        if self.ctx is None:
            return
        rec = self.entries[key].record
        self.ctx.event(kind="fit", **rec)
        k = key[0]
        seeds = self.config.seed_list
        if len(seeds) > 1 and k not in self.stability_done and all((k, s) in self.entries for s in seeds):
            self.stability_done.add(k)
            self.ctx.event(kind="stability", k=k, stability=self._stability(k))
        n = len(self.entries)
        # a Message: shown later in the reader's language (the page mostly shows sweep_progress's text)
        self.ctx.progress(n / max(self.total, 1), Message(N_("{n}/{total} models: k={k}, seed={seed} done"),
                                                          n=n, total=self.total, k=key[0], seed=key[1]))
        self.ctx.set_partial(self.result(complete=False))

    def _stability(self, k: int) -> float:
        return stability_from_top_words([self.entries[(k, s)].top_ids for s in self.config.seed_list])

    def result(self, complete: bool) -> SweepResult:
        rows = []
        stab: dict[int, float] = {}
        for (k, s), e in sorted(self.entries.items()):
            if k not in stab:
                have = all((k, t) in self.entries for t in self.config.seed_list)
                stab[k] = self._stability(k) if have and len(self.config.seed_list) > 1 else float("nan")
            rows.append(dict(e.record, stability=stab[k]))
        frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
        if len(frame):
            frame = frame.astype({"k": "int64", "seed": "int64", "cached": "bool"})
        return SweepResult(
            frame=frame, models={key: e.model for key, e in sorted(self.entries.items())},
            config=self.config, data_key=self.bundle.data_key, complete=complete,
            wall_seconds=time.perf_counter() - self.t_start, n_fitted=self.n_fitted,
        )


def assemble_result(dtm_bundle: DTMBundle, config: SweepConfig, cache: MutableMapping[str, Any]) -> SweepResult:
    """The SweepResult of `config` from the fits `cache` holds, fitting nothing: a reopened or
    interrupted sweep. Records keep the `cached` flag they were fitted with; `complete` says
    whether every (k, seed) of the config is there."""
    entries = {}
    for k in config.ks:
        for s in config.seed_list:
            hit = cache.get(cache_key(dtm_bundle, config, k, s))
            if isinstance(hit, SweepEntry):
                entries[(k, s)] = hit
    total = len(config.ks) * len(config.seed_list)
    state = _RunState(dtm_bundle, config, None, None, entries, total=total, t_start=time.perf_counter())
    return state.result(complete=len(entries) == total)


def _run_inline(state: _RunState, todo: list[tuple[int, int]]) -> None:
    # In-process path (jobs=1 without a job context: CLI/tests). Cancel is checked between fits.
    # One BLAS thread, as in the workers: the same summation order, so the same metrics to the bit.
    cooc = cooc_stats(state.bundle)
    state.ready()
    with one_thread():
        for k, s in sorted(todo):
            if state.cancelled:
                return
            state.add(_fit_one(state.bundle, state.config, k, s, cooc), worker=LOCAL)


def _run_in_processes(state: _RunState, todo: list[tuple[int, int]]) -> None:
    # A local process pool (core.executor). In a background job it first waits for its share of
    # the server's CPU-job limit (queue position shown to the session; core.jobs).
    n_workers = max(1, min(state.config.jobs, len(todo)))
    slots = getattr(state.ctx, "cpu_slots", None)
    if slots is None:
        _run_on_executor(state, todo, LocalExecutor(n_workers))
        return
    with slots(n_workers) as granted:
        if granted:   # no more worker processes than the cores granted (the server's limit may be lower)
            _run_on_executor(state, todo, LocalExecutor(min(n_workers, int(granted))))


def _run_on_executor(state: _RunState, todo: list[tuple[int, int]], executor) -> None:
    """Stream the fits from `executor`; each finished (k, seed) is added (and cached) at once."""
    shared = _SweepInput(state.bundle, state.config)
    try:
        for _task, payload, worker in executor.stream(_fit_task, shared, todo, cancelled=lambda: state.cancelled,
                                                      on_ready=state.ready):
            state.add(payload, worker=worker)
    except TaskFailed as exc:
        k, seed = exc.task
        raise RuntimeError(f"fitting k={k} (seed {seed}) failed: {exc.message}") from None


# --------------------------------------------------------------------------- views of a sweep
def frame_from_events(events: Iterable[dict]) -> pd.DataFrame:
    """Tidy sweep frame (FRAME_COLUMNS) from a running job's events, for live plots."""
    rows: dict[tuple[int, int], dict] = {}
    stab: dict[int, float] = {}
    for ev in events:
        if ev.get("kind") == "fit":
            rows[(int(ev["k"]), int(ev["seed"]))] = {c: ev.get(c) for c in FRAME_COLUMNS}
        elif ev.get("kind") == "stability":
            stab[int(ev["k"])] = float(ev["stability"])
    out = []
    for (k, s), r in sorted(rows.items()):
        r["stability"] = stab.get(k, float("nan"))
        out.append(r)
    frame = pd.DataFrame(out, columns=FRAME_COLUMNS)
    return frame.astype({"k": "int64", "seed": "int64"}) if len(frame) else frame


def summarize(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per k: mean of each metric over seeds (and fit_seconds), indexed by k."""
    cols = [m for m in METRICS if m in frame.columns] + ["fit_seconds"]
    if frame.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="k"))
    return frame.groupby("k")[cols].mean(numeric_only=True).sort_index()


@dataclass(frozen=True)
class Candidate:
    """One shortlisted k with the reasons, in words."""

    k: int
    mean_rank: float                 # mean rank across the metrics used (1 = best of the tested k)
    strong: tuple[str, ...]          # metric labels (English msgids) where this k is in the best third
    weak: tuple[str, ...]            # metric labels (English msgids) where it is in the worst third
    explanation: str                 # in the active language when shortlist() ran


SHORTLIST_EXCLUDED = ("perplexity_train", "perplexity_heldout")
CLOSE_RANKS = 1.0   # candidates whose mean ranks differ by less than this are not told apart


def shortlist_size(n_k: int, n: int = 3) -> int:
    """How many k a shortlist may name: about half the tested k, at most `n` (3 tested -> 1)."""
    return max(1, min(n, n_k // 2)) if n_k else 0


def shortlist_metrics(summ: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(metrics used, metrics left out because some tested k lack them, e.g. stability after a cancel)."""
    have = [m for m in METRICS if m not in SHORTLIST_EXCLUDED and m in summ.columns and summ[m].notna().any()]
    return [m for m in have if summ[m].notna().all()], [m for m in have if not summ[m].notna().all()]


def shortlist(sweep_frame: pd.DataFrame, n: int = 3) -> list[Candidate]:
    """A few candidate k by rank aggregation across metrics (never a single "optimal" k).

    Each metric (mean over seeds) ranks the tested k in its own direction (1 = best); a k's score
    is its mean rank over the metrics measured for *every* tested k. Perplexity is left out of the
    ranking (it often disagrees with human judgement, Chang et al. 2009) and only shown. Ties go to
    the smaller k (simpler). At most about half the tested k are named (`shortlist_size`), so
    three tested k give one candidate, not all three. `shortlist_evidence` says how far to trust it.
    """
    summ = summarize(sweep_frame)
    used, _dropped = shortlist_metrics(summ)
    if summ.empty or not used:
        return []
    ranks = pd.DataFrame(index=summ.index)
    for m in used:
        ranks[m] = summ[m].rank(ascending=METRICS[m].direction == "min", method="average")
    mean_rank = ranks.mean(axis=1)
    order = sorted(summ.index, key=lambda k: (round(float(mean_rank[k]), 9), k))
    n_k = len(summ)
    third = max(1.0, n_k / 3.0)
    out = []
    for k in order[: shortlist_size(n_k, n)]:
        strong = tuple(METRICS[m].label for m in used if ranks.at[k, m] <= third)
        weak = tuple(METRICS[m].label for m in used if n_k > 2 and ranks.at[k, m] > n_k - third)
        parts = [_("k = {k}: mean rank {rank} among {n_k} tested k over {n_metrics} metrics "
                   "(perplexity not counted).").format(k=k, rank=format_number(mean_rank[k], 1), n_k=n_k,
                                                       n_metrics=len(used))]
        if n_k == 1:
            parts = [_("k = {k} is the only k tested; widen the range to compare.").format(k=k)]
        if strong:
            parts.append(_("Among the best on {metrics}.").format(metrics=_join([_(m) for m in strong])))
        if weak:
            parts.append(_("Weaker on {metrics}.").format(metrics=_join([_(m) for m in weak])))
        if not strong and not weak and n_k > 1:
            parts.append(_("Middle of the field on every metric: a compromise."))
        parts.append(_("Read its topics' top words before choosing."))
        out.append(Candidate(k=int(k), mean_rank=float(mean_rank[k]), strong=strong, weak=weak,
                             explanation=_sentences(parts)))
    return out


def shortlist_evidence(sweep_frame: pd.DataFrame, candidates: Sequence[Candidate]) -> tuple[str, list[str]]:
    """How strong the shortlist's evidence is: ("strong" | "weak" | "poor", sentences to show with it).

    weak: fewer than 5 k tested, or the candidates' mean ranks are within `CLOSE_RANKS` of each
    other (then they are a set, not a ranking). poor: every candidate's NPMI coherence is negative
    (their top words co-occur less often than chance). Metrics missing for some k are named.
    """
    summ = summarize(sweep_frame)
    if summ.empty or not candidates:
        return "weak", []
    used, dropped = shortlist_metrics(summ)
    notes, level = [], "strong"
    n_k = len(summ)
    if n_k < 5:
        level = "weak"
        notes.append(_("Weak evidence: only {n_k} k tested. Widen the range (5 or more k) before relying on this.")
                     .format(n_k=n_k))
    ranks = [c.mean_rank for c in candidates]
    if len(candidates) > 1 and max(ranks) - min(ranks) < CLOSE_RANKS:
        level = "weak"
        notes.append(_("These candidates are about level (mean ranks {ranks}): treat them as equals, not as a ranking.")
                     .format(ranks=pgettext("list separator", ", ").join(format_number(r, 1) for r in ranks)))
    for m in dropped:
        notes.append(_("{metric} is left out: it was measured for {n} of {n_k} k.")
                     .format(metric=_(METRICS[m].label), n=int(summ[m].notna().sum()), n_k=n_k))
    if "npmi" in summ.columns and all(float(summ.at[c.k, "npmi"]) < 0 for c in candidates
                                      if pd.notna(summ.at[c.k, "npmi"])) and summ["npmi"].notna().any():
        level = "poor"
        notes.append(_("Every candidate has negative NPMI coherence: their top words co-occur less often than "
                       "chance. The topics are likely poor at any k; check stopwords and preprocessing first."))
    return level, notes


def _join(items: Sequence[str]) -> str:
    """"a, b and c" in the active language."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=pgettext("list separator", ", ").join(items[:-1]), last=items[-1])


def _sentences(parts: Sequence[str]) -> str:
    """Sentences joined as the language writes them (a space in English, nothing after "。")."""
    return "".join(p if p.endswith(("。", "！", "？", "：")) else p + " " for p in parts).rstrip()


def with_engine(config: SweepConfig, engine: str) -> SweepConfig:
    """A copy of `config` for another engine (iterations reset to that engine's default)."""
    if engine not in ENGINES:
        raise InputError("Unknown topic engine {engine!r}; choose one of: {engines}.", engine=engine,
                         engines=", ".join(ENGINES))
    return replace(config, engine=engine, iterations=None)


__all__ = [
    "Candidate", "SweepConfig", "SweepResult", "cache_key", "cached_model", "prune_cache", "compare_top_words", "frame_from_events",  # i18n: skip (export names)
    "run_sweep", "shortlist", "shortlist_evidence", "summarize", "with_engine", "DEFAULT_ENGINE", "FRAME_COLUMNS",
]
