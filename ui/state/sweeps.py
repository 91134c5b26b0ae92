"""Sweep jobs of the project, their views (live, finished, interrupted, run elsewhere), labels, the chosen model."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.errors import InputError
from core.jobs import Job
from core.projects.lease import is_foreign
from core.projects.project import from_dict, INTERRUPTED, run_project_sweep, RUNNING
from core.topics.sweep import assemble_result, cache_key, prune_cache, SweepConfig, SweepResult
from ui.state.session import current_project, job_registry
from ui.state.render import disk_notice
from ui.state.projects import mark_worked_on, project, project_owner
from ui.state.corpus import _keep_in_project, current_corpus, current_tokens, data_key, topics_dtm

@dataclass
class SweepView:
    record: dict          # the project's record of the sweep (config, status, error, ...)
    config: SweepConfig
    job: Job | None       # the live job, when this server process runs or ran it
    result: SweepResult | None  # None while running

    @property
    def status(self) -> str:
        if self.job is not None:
            return self.job.status
        if self.record["status"] == RUNNING and not self.elsewhere:
            return INTERRUPTED          # ours, but no job holds it any more
        return self.record["status"]

    @property
    def elsewhere(self) -> bool:
        """Run by another process (the CLI, another server) that is alive: watch it, never resume it."""
        return self.job is None and is_foreign(self.record)


def _sweep_memory() -> dict:
    return st.session_state.setdefault("topics_cache", {})


def start_sweep(bundle, config: SweepConfig, label: str, refit: bool = False) -> Job:
    """Start (or, with the same config, resume) a sweep of the project; `refit` drops stored fits first,
    in the job itself: only once the job was accepted (a refused Restart keeps every model).
    JobBusy when another process runs a sweep of the project."""
    proj, memory = project(), _sweep_memory()
    prune_cache(memory, bundle)
    sweep_id = proj.start_sweep(bundle.data_key, config)
    notice = disk_notice()   # the job's thread notes a full disk here; the page shows it on its next run

    def work(ctx):
        if refit:
            proj.fit_cache(bundle, memory).discard([cache_key(bundle, config, k, s)
                                                    for k in config.ks for s in config.seed_list])
        return run_project_sweep(proj, sweep_id, bundle, config, ctx, memory, on_unsaved=notice.note)

    try:
        mark_worked_on()
        job = job_registry().submit(project_owner(), "topics_sweep", work, label=label)
    except Exception:
        proj.discard_sweep(sweep_id)   # refused (e.g. one already running): the previous sweep stays shown
        raise
    proj.update_sweep(sweep_id, job_id=job.id)
    return job


def latest_sweep(bundle) -> SweepView | None:
    """The project's latest sweep of this corpus: live, finished, or interrupted by a restart."""
    proj = current_project()
    record = proj.latest_sweep(bundle.data_key) if proj is not None else None
    if record is None:
        return None
    config = from_dict(SweepConfig, record["config"])
    job = job_registry().get(record.get("job_id"), project_owner())
    if job is not None and not job.done:
        return SweepView(record, config, job, None)
    if job is not None and job.result is not None:
        return SweepView(record, config, job, job.result)
    return SweepView(record, config, None, assemble_result(bundle, config, proj.fit_cache(bundle, _sweep_memory())))


def other_running_sweeps(view: SweepView | None) -> list[Job]:
    """The project's running sweeps that are not `view`'s (started on other preprocessing)."""
    mine = view.job.id if view is not None and view.job is not None else None
    return [j for j in job_registry().list(project_owner(), "topics_sweep") if not j.done and j.id != mine]


def cancel_sweep(view: SweepView) -> None:
    if view.job is not None:
        job_registry().cancel(view.job.id, project_owner())


def topic_labels(model_key: str) -> dict[int, str]:
    proj = current_project()
    return proj.labels(model_key) if proj is not None else {}


def save_topic_labels(model_key: str, labels: dict[int, str]) -> None:
    _keep_in_project(lambda: project().set_labels(model_key, labels))


def current_topic_model():
    """The topic model picked on the Topics page for the current corpus, or None (weak-label source)."""
    corpus, tokens = current_corpus(), current_tokens()
    if corpus is None or tokens is None or tokens.n_tokens == 0:
        return None
    key = data_key()
    k = st.session_state.get(f"topics_k_{key}")
    try:
        view = latest_sweep(topics_dtm(tokens))
        model = view.result.model(k) if view is not None and view.result is not None and k is not None else None
    except (KeyError, AttributeError, TypeError, InputError):
        return None
    return model if model is not None and getattr(model, "data_key", key) in ("", key) else None


def latest_sweep_record(bundle) -> dict | None:
    """The project's latest sweep record of this corpus (a catalogue read: cheap enough to poll)."""
    proj = current_project()
    return proj.latest_sweep(bundle.data_key) if proj is not None else None


def explorable_sweep(bundle, view: SweepView | None) -> SweepView | None:
    """What Explore shows: the latest sweep, unless it stopped short (interrupted, cancelled, failed)
    and an earlier sweep of this corpus finished: then that one (its models stay reachable)."""
    proj = current_project()
    if view is None or proj is None or view.status == "done":
        return view
    for record in reversed(proj.sweeps(bundle.data_key)[:-1]):
        if record["status"] == "done":
            config = from_dict(SweepConfig, record["config"])
            result = assemble_result(bundle, config, proj.fit_cache(bundle, _sweep_memory()))
            if result.models:
                return SweepView(record, config, None, result)
    return view
