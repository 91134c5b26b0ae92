"""One project's content: its corpus, settings, sweeps, labels and fine-tune runs.

    project = Project.open(store, project_id)
    project.save_corpus(data, name, corpus.options, n_docs=corpus.n_docs)
    data, name, options = project.corpus_source()
    project.save_preprocess(settings); project.preprocess()
    cache = project.fit_cache(bundle)           # run_sweep(bundle, config, ctx, cache): each fit lands on disk
    sweep_id = project.start_sweep(bundle, config, job_id)
    project.finish_sweep(sweep_id, "done")      # or "cancelled" / "failed" (+ error)
    project.set_labels(model_key, {0: "sport"})

Small things are catalogue fields, one per object (`sweep:<id>`, `labels:<model key>`,
`widget:<key>`, `finetune:<id>`), so two writers on different objects never overwrite each
other and two on the same one leave the last one's version. Bulk data sits in the project folder
(see `core.projects.arrays`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Callable

from core.corpus import LoadOptions
from core.errors import InputError, Message
from core.i18n import N_
from core.preprocess import PreprocessSettings
from core.projects import arrays
from core.projects.lease import DASHBOARD, KEEPER, OWNERS, PROCESS_ID, is_foreign, lease_state, new_lease
from core.projects.store import DiskFull, ProjectInfo, ProjectStore, atomic_write_bytes, keep_going

CORPUS_FILE = "corpus/upload.bin"
RUNNING, DONE, CANCELLED, FAILED, INTERRUPTED = "running", "done", "cancelled", "failed", "interrupted"
# A running job's record holds a lease (core.projects.lease): every process sees who runs it, and a
# job whose process died reads "interrupted" (its finished fits are kept).
_RECORD_LOCK = threading.Lock()   # read-modify-write of one record (page thread, job thread, lease keeper)


class JobBusy(InputError):
    """Another process runs a job of this project: starting, resuming or restarting one is refused."""


def describe_lease(record: dict) -> Message:
    """Who runs a job and since when: "the CLI (process 4242 on host), started 20:14"."""
    lease = record.get("lease") or {}
    return Message(N_("{owner} (process {pid} on {host}), started {started}"),
                   owner=Message(OWNERS.get(lease.get("owner"), N_("the dashboard"))), pid=lease.get("pid"),
                   host=lease.get("host"), started=time.strftime("%H:%M", time.localtime(lease.get("started") or 0)))


def busy_error(record: dict) -> JobBusy:
    return JobBusy(N_("A job of this project is running in {who}; wait for it to finish or stop it there."),
                   who=describe_lease(record))


def _json_settings(obj) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(obj).items()}


def from_dict(cls, values: dict):
    """A frozen settings dataclass from saved JSON: lists back to tuples, unknown keys ignored
    (a newer release's setting), missing keys at their defaults (an older release's project)."""
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in (values or {}).items():
        if key in known:
            kwargs[key] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


class Project:
    def __init__(self, store: ProjectStore, project_id: str):
        self.store, self.id = store, project_id
        self.dir: Path = store.project_dir(project_id)

    @classmethod
    def open(cls, store: ProjectStore, project_id: str) -> Project:
        store.require(project_id)
        return cls(store, project_id)

    @property
    def info(self) -> ProjectInfo:
        return self.store.require(self.id)

    def get(self, key: str, default: Any = None) -> Any:
        return self.store.get_field(self.id, key, default)

    def set(self, key: str, value: Any) -> None:
        self.store.set_field(self.id, key, value)

    def _prefixed(self, prefix: str) -> dict[str, Any]:
        return {k[len(prefix):]: v for k, v in self.store.fields(self.id).items() if k.startswith(prefix)}

    # ------------------------------------------------------------------ corpus
    def save_corpus(self, data: bytes, name: str, options: LoadOptions, n_docs: int) -> None:
        """The uploaded bytes (written once per content) and how they were read."""
        sha = hashlib.sha256(data).hexdigest()
        current = self.get("corpus") or {}
        if current.get("sha256") != sha or not (self.dir / CORPUS_FILE).exists():
            atomic_write_bytes(self.dir / CORPUS_FILE, data)
        self.set("corpus", {"name": name, "sha256": sha, "size": len(data), "options": _json_settings(options)})
        self.store.update(self.id, corpus_name=name, n_docs=int(n_docs))

    def save_load_options(self, options: LoadOptions, n_docs: int | None = None) -> None:
        """New read options or column roles for the same bytes."""
        current = self.get("corpus")
        if current is None:
            return
        self.set("corpus", {**current, "options": _json_settings(options)})
        if n_docs is not None:
            self.store.update(self.id, n_docs=int(n_docs))

    def corpus_source(self) -> tuple[bytes, str, LoadOptions] | None:
        meta = self.get("corpus")
        if meta is None:
            return None
        try:
            data = (self.dir / CORPUS_FILE).read_bytes()
        except OSError:
            raise InputError("This project's corpus file is missing from the workspace.") from None
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise InputError("This project's corpus file does not match its recorded checksum.")
        return data, meta["name"], from_dict(LoadOptions, meta.get("options", {}))

    # ------------------------------------------------------------------ settings
    def save_preprocess(self, settings: PreprocessSettings) -> None:
        self.set("preprocess", _json_settings(settings))

    def preprocess(self) -> PreprocessSettings:
        return from_dict(PreprocessSettings, self.get("preprocess") or {})

    def widgets(self) -> dict[str, Any]:
        return self._prefixed("widget:")

    def save_widget(self, key: str, value: Any) -> None:
        self.set(f"widget:{key}", value)

    # ------------------------------------------------------------------ derived caches
    def load_tokens(self, data_key: str, settings: PreprocessSettings, cls: type):
        return arrays.load_tokens(self.dir / "tokens" / arrays.digest(data_key), settings, cls)

    def save_tokens(self, data_key: str, tokens) -> None:
        arrays.save_tokens(self.dir / "tokens" / arrays.digest(data_key), tokens)

    def load_dtm(self, data_key: str, cls: type):
        return arrays.load_dtm(self.dir / "dtm" / arrays.digest(data_key), cls)

    def save_dtm(self, data_key: str, bundle) -> None:
        arrays.save_dtm(self.dir / "dtm" / arrays.digest(data_key), bundle)

    def tokens_for(self, corpus, settings: PreprocessSettings, compute,
                   on_unsaved: Callable[[DiskFull], None] | None = None):
        """Tokens of `corpus` under `settings`: as stored in the project, else `compute()`, stored.
        On a full disk the tokens are returned all the same after `on_unsaved(error)` (None: raise)."""
        from core.preprocess import TokenizedCorpus, data_key

        key = data_key(corpus.fingerprint, settings)
        saved = self.load_tokens(key, settings, TokenizedCorpus)
        if saved is not None and len(saved.docs) == corpus.n_docs:
            return saved
        tokens = compute()
        keep_going(on_unsaved, self.save_tokens, key, tokens)
        return tokens

    def dtm_for(self, data_key: str, tokens, on_unsaved: Callable[[DiskFull], None] | None = None):
        """The Topics document-term matrix of these tokens: as stored, else built and stored (as
        `tokens_for` on a full disk)."""
        from core.topics.dtm import DTMBundle, build_dtm

        saved = self.load_dtm(data_key, DTMBundle)
        if saved is not None and saved.data_key == data_key:
            return saved
        bundle = build_dtm(tokens.docs, data_key=data_key)
        keep_going(on_unsaved, self.save_dtm, data_key, bundle)
        return bundle

    # ------------------------------------------------------------------ sweeps
    def fit_cache(self, bundle, memory: dict | None = None,
                  on_unsaved: Callable[[DiskFull], None] | None = None) -> arrays.FitCache:
        return arrays.FitCache(self.dir / "fits", bundle, memory, on_unsaved=on_unsaved)

    def start_sweep(self, data_key: str, config, owner: str = DASHBOARD) -> str:
        """Record a sweep as running, with this process's lease, before its job starts; returns its id.

        JobBusy when another process runs a sweep of this project (checked and written in one
        transaction, so two processes never both start)."""
        sweep_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        record = {"id": sweep_id, "data_key": data_key, "config": config.to_dict(), "status": RUNNING,
                  "job_id": None, "process": PROCESS_ID, "lease": new_lease(owner), "started": time.time(),
                  "finished": None, "error": None}
        busy = self.store.set_field_unless(self.id, f"sweep:{sweep_id}", record, "sweep:", self._foreign_job)
        if busy:
            raise busy_error(busy)
        KEEPER.hold(self, f"sweep:{sweep_id}")
        return sweep_id

    @staticmethod
    def _foreign_job(records: dict[str, Any]) -> dict | None:
        return next((r for r in records.values() if isinstance(r, dict) and is_foreign(r)), None)

    def running_elsewhere(self, prefix: str = "sweep:") -> dict | None:
        """The record of a job of this project that another process runs now, if any."""
        return self._foreign_job(self._prefixed(prefix))

    def _update(self, key: str, **changes: Any) -> None:
        with _RECORD_LOCK:
            record = self.get(key)
            if record is not None:
                self.set(key, {**record, **changes})

    def update_sweep(self, sweep_id: str, **changes: Any) -> None:
        self._update(f"sweep:{sweep_id}", **changes)

    def finish_sweep(self, sweep_id: str, status: str, error: str | None = None, **extra: Any) -> None:
        KEEPER.release(self, f"sweep:{sweep_id}")
        self.update_sweep(sweep_id, **extra, status=status, error=error, finished=time.time())

    def renew_lease(self, key: str, now: float) -> None:
        """The keeper's heartbeat: only a running record whose lease is this process's."""
        with _RECORD_LOCK:
            record = self.get(key)
            lease = (record or {}).get("lease")
            if record and record.get("status") == RUNNING and (lease or {}).get("process") == PROCESS_ID:
                self.set(key, {**record, "lease": {**lease, "heartbeat": now}})

    def mark_interrupted(self, key: str) -> None:
        """This process stops (SIGTERM): its running job reads interrupted at once, not after STALE_S."""
        with _RECORD_LOCK:
            record = self.get(key)
            if record and record.get("status") == RUNNING and (record.get("lease") or {}).get("process") == PROCESS_ID:
                self.set(key, {**record, "status": INTERRUPTED, "finished": time.time()})

    def discard_sweep(self, sweep_id: str) -> None:
        """Forget a sweep that never started (its job was refused): no failed record to show."""
        self.store.delete_field(self.id, f"sweep:{sweep_id}")

    def sweeps(self, data_key: str | None = None) -> list[dict]:
        """Sweep records, oldest first; a sweep whose process died (its lease went stale) reads 'interrupted'."""
        out = []
        for record in sorted(self._prefixed("sweep:").values(), key=lambda r: r["started"]):
            record = {**record, "status": lease_state(record, RUNNING, INTERRUPTED)}
            if data_key is None or record["data_key"] == data_key:
                out.append(record)
        return out

    def latest_sweep(self, data_key: str) -> dict | None:
        found = self.sweeps(data_key)
        return found[-1] if found else None

    # ------------------------------------------------------------------ labels and choices
    def labels(self, model_key: str) -> dict[int, str]:
        return {int(k): v for k, v in (self.get(f"labels:{model_key}") or {}).items()}

    def set_labels(self, model_key: str, labels: dict[int, str]) -> None:
        self.set(f"labels:{model_key}", {str(k): v for k, v in labels.items()})

    # ------------------------------------------------------------------ fine-tune runs
    def finetune_dir(self, run_id: str) -> Path:
        """The folder of a fine-tune run; a run id is a plain name (records are data: never a path)."""
        from core.projects.checks import SAFE_ID

        if not isinstance(run_id, str) or not SAFE_ID.match(run_id):
            raise InputError("This fine-tune run's id is not valid.")
        return self.dir / "finetune" / run_id

    def begin_finetune_run(self, run_id: str, record: dict, owner: str = DASHBOARD) -> dict:
        """Record a fine-tune as running with this process's lease (JobBusy if another process runs one)."""
        self.finetune_dir(run_id)        # a valid id
        record = {**record, "id": run_id, "status": RUNNING, "process": PROCESS_ID, "lease": new_lease(owner)}
        busy = self.store.set_field_unless(self.id, f"finetune:{run_id}", record, "finetune:", self._foreign_job)
        if busy:
            raise busy_error(busy)
        KEEPER.hold(self, f"finetune:{run_id}")
        return record

    def discard_finetune_run(self, run_id: str) -> None:
        """Forget a fine-tune that never started (its job was refused)."""
        KEEPER.release(self, f"finetune:{run_id}")
        self.store.delete_field(self.id, f"finetune:{run_id}")

    def save_finetune_run(self, run_id: str, record: dict) -> None:
        if record.get("status") != RUNNING:
            KEEPER.release(self, f"finetune:{run_id}")
        with _RECORD_LOCK:
            self.set(f"finetune:{run_id}", record)

    def set_current_finetune(self, run_id: str) -> None:
        """The run the Fine-tune page shows (the latest started, from the page or the CLI)."""
        self.set("finetune_run", run_id)

    def current_finetune(self) -> dict | None:
        """The current run's record; a run whose process died (stale lease) reads 'interrupted'."""
        run_id = self.get("finetune_run")
        record = self.get(f"finetune:{run_id}") if run_id else None
        return {**record, "status": lease_state(record, RUNNING, INTERRUPTED)} if record else None

    def finetune_runs(self) -> list[dict]:
        return sorted(({**r, "status": lease_state(r, RUNNING, INTERRUPTED)} for r in self._prefixed("finetune:").values()),
                      key=lambda r: r.get("started", 0))


def _error_template(exc: BaseException) -> dict:
    """An InputError's English template and values, kept with the record so that `record_error` can
    show it in the reader's language later (str(exc) stays in `error`, for logs and older readers)."""
    if not isinstance(exc, InputError):
        return {}
    params = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in exc.params.items()}
    return {"error_msgid": exc.msgid, "error_params": params}


def record_error(record: dict | None) -> str | None:
    """A sweep record's error in the active language (its template translated when it has one)."""
    if not record or not record.get("error"):
        return None
    msgid = record.get("error_msgid")
    if not msgid:
        return record["error"]
    from core.errors import Message
    from core.i18n import translate_error

    try:
        return translate_error(Message(msgid, **(record.get("error_params") or {})))
    except (KeyError, IndexError, ValueError):   # a record whose values no longer fit its template
        return record["error"]


def run_project_sweep(project: Project, sweep_id: str, bundle, config, ctx=None, memory: dict | None = None,
                      scheduler: str | None = None, on_unsaved: Callable[[DiskFull], None] | None = None):
    """`run_sweep` whose every finished fit is stored in the project as it lands, and whose record
    says how it ended. A re-run of the same config reuses every stored fit (`cached` = True).
    `scheduler`: as run_sweep's (a Dask cluster address; None = $TOPICLENS_DASK_SCHEDULER).
    `on_unsaved`: told of a full disk, the sweep then goes on in memory (None: the DiskFull fails it)."""
    from core.topics.sweep import cache_key, run_sweep

    keys = [cache_key(bundle, config, k, s) for k in config.ks for s in config.seed_list]
    cache = project.fit_cache(bundle, memory, on_unsaved)
    started = time.time()

    def progress(_key, _meta) -> None:  # the record says how far it got, should the server stop
        keep_going(on_unsaved, project.update_sweep, sweep_id, n_models=sum(k in cache for k in keys),
                   wall_seconds=time.time() - started)

    cache.on_store = progress
    try:
        result = run_sweep(bundle, config, ctx, cache, scheduler=scheduler)
    except Exception as exc:
        message = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        project.finish_sweep(sweep_id, FAILED, error=message, **_error_template(exc))
        raise
    stopped = INTERRUPTED if getattr(ctx, "shutting_down", False) else CANCELLED   # SIGTERM, or a user's cancel
    keep_going(on_unsaved, project.finish_sweep, sweep_id, DONE if result.complete else stopped,
               n_models=len(result.models), n_fitted=result.n_fitted, wall_seconds=result.wall_seconds)
    return result
