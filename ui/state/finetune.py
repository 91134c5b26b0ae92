"""Fine-tune jobs of the project (owned by the project: its address is the secret) and their outcomes."""

from __future__ import annotations

import io
from pathlib import Path
import secrets

import pandas as pd

from core.i18n import _, format_percent
from core.jobs import Job, JobRegistry
from core.projects.lease import is_foreign
from core.projects.project import INTERRUPTED, RUNNING
from core.projects.store import atomic_write_bytes, DiskFull
from ui.state.session import current_project, job_registry, memo, memo_has
from ui.state.render import disk_full
from ui.state.projects import mark_worked_on, project, project_owner
from ui.state.corpus import current_corpus, data_key

def finetune_job():
    """(owner, the project's current fine-tune Job or None)."""
    owner = project_owner()
    run = _current_finetune_run()
    job = job_registry().get(run.get("job_id"), owner) if run else None
    return owner, job


def _current_finetune_run() -> dict | None:
    proj = current_project()
    return proj.current_finetune() if proj is not None else None


def submit_finetune(request) -> Job:
    """Start a fine-tune of the project; its model is saved inside the project folder."""
    import time as _time

    from core.finetune import pipeline as P

    proj = project()
    run_id = f"{_time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    request.out_dir = proj.finetune_dir(run_id) / "model"
    request.checkpoint_dir = proj.finetune_dir(run_id) / "checkpoint"
    record = proj.begin_finetune_run(run_id, {        # JobBusy when the CLI runs a fine-tune of the project
        "started": _time.time(), "corpus": request.corpus_name, "corpus_sha256": current_corpus().content_hash,
        "label_source": request.label_source, "source": request.source.describe()})

    def finished(result, error) -> None:
        proj.save_finetune_run(run_id, {**record, **P.result_record(result, proj.dir, error)})

    try:   # training keeps `threads` cores busy for the whole run: it waits for them in the server's CPU queue
        job = P.submit_finetune(_HoldingCores(job_registry(), request.settings.threads), project_owner(), request,
                                on_finish=finished)
    except Exception:
        proj.discard_finetune_run(run_id)    # refused: the run never started
        raise
    proj.save_finetune_run(run_id, {**record, "job_id": job.id})
    proj.set_current_finetune(run_id)
    mark_worked_on()
    return job


def finetune_elsewhere() -> dict | None:
    """The project's current fine-tune record when another process (the CLI, another server) runs it."""
    run = _current_finetune_run()
    return run if run is not None and is_foreign(run) else None


class _HoldingCores:
    """The job registry as `core.finetune.pipeline.submit_finetune` sees it: every job it submits
    holds `cores` of the server's CPU limit while it runs."""

    def __init__(self, registry: JobRegistry, cores: int):
        self.registry, self.cores = registry, max(1, int(cores))

    def submit(self, *args, **kwargs) -> Job:
        return self.registry.submit(*args, cpu=self.cores, **kwargs)


def finetune_outcome(job: Job | None):
    """(result, error, status) of the project's current fine-tune: from the live job, else as saved.
    A run left 'running' by a stopped server reads 'interrupted'."""
    from core.finetune import pipeline as P

    if job is not None and job.done:
        return job.result, job.error or None, job.status   # a user error is a Message: shown translated
    run = _current_finetune_run()
    if run is None or (job is not None and not job.done):
        return None, None, None
    proj = current_project()
    if is_foreign(run):
        return None, None, None            # another process runs it: the page says so (job_elsewhere)
    if run["status"] in (RUNNING, INTERRUPTED):   # RUNNING here: ours, but no job holds it any more
        kept = P.checkpoint_info(proj.finetune_dir(run["id"]) / "checkpoint")
        if kept is None:
            return None, _("The fine-tune was interrupted when the server stopped, before a checkpoint was "
                           "saved; start it again."), INTERRUPTED
        message = _("The fine-tune was interrupted when the server stopped. Its best checkpoint (step {step}, "
                    "validation macro-F1 {f1}) is kept: try it or apply it below, or start again for test scores "
                    "and a baseline.").format(step=kept["step"], f1=format_percent(kept["val_macro_f1"], 1))
        return None, message, INTERRUPTED
    return P.result_from_record(run, proj.dir), run.get("error"), run["status"]


def interrupted_checkpoint() -> str | None:
    """The model folder of the best checkpoint of a fine-tune cut off by a server restart, if kept."""
    from core.finetune import pipeline as P

    run, proj = _current_finetune_run(), current_project()
    if run is None or run["status"] != INTERRUPTED:
        return None
    folder = proj.finetune_dir(run["id"]) / "checkpoint"
    return str(folder) if P.checkpoint_info(folder) is not None else None


def predictions(classifier, model_dir: str, texts: list[str], saved_only: bool = False):
    """Whole-corpus predictions of a model, kept in the project beside the model; with
    `saved_only`, None unless they were computed before (in this session or saved)."""
    from core.finetune.predict import predict_table

    proj, key = current_project(), data_key()
    path = None
    if proj is not None and Path(model_dir).resolve().is_relative_to(proj.dir.resolve()):
        path = Path(model_dir).parent / f"predictions-{key}.parquet"  # i18n: skip (a file name)
    if saved_only and not (path is not None and path.exists()) and not memo_has("finetune_apply", f"{model_dir}|{key}"):
        return None

    def compute():
        if path is not None and path.exists():
            return pd.read_parquet(path)
        table = predict_table(classifier, texts)
        if path is not None:
            buf = io.BytesIO()
            table.to_parquet(buf, index=False)
            try:
                atomic_write_bytes(path, buf.getvalue())
            except DiskFull as exc:
                disk_full(exc)
        return table

    return memo("finetune_apply", f"{model_dir}|{key}", compute)
