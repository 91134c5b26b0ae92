"""Progress and time left of a running k sweep, from its job events (kept apart from the runner).

A sweep has two steps: starting the worker processes (imports + co-occurrence statistics, 5-10 s
on a busy machine, no model finishes meanwhile) and fitting. Time left is estimated from the work
done, not from the share of models done: a model's cost grows with its k (fitted in the sweep
from the finished models' own seconds: cost = c * k^b), the largest k go first, fits already in
the cache cost nothing, and the estimate counts down between finished models instead of growing
while one runs.

Events read (see core.topics.sweep): kind="plan" (todo=[[k, seed], ...], workers=N, cached=M),
kind="ready" (workers started), kind="fit" (k, seed, cached, fit_seconds, metric_seconds, t).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from core.i18n import _, format_duration, ngettext


@dataclass(frozen=True)
class SweepStatus:
    step: str                  # "starting" | "fitting" | "done"
    fraction: float            # 0..1 of the fitting work (cost-weighted)
    eta: float | None          # seconds left, None while unknown
    text: str                  # for the progress bar, in the active language


def cost_exponent(ks: Sequence[int], seconds: Sequence[float]) -> float:
    """b in seconds = c * k^b, least squares on the finished fits; 1.0 (linear in k) until two k differ."""
    k = np.asarray(ks, dtype=float)
    s = np.asarray(seconds, dtype=float)
    ok = (k > 0) & (s > 0)
    if len(np.unique(k[ok])) < 2:
        return 1.0
    b = np.polyfit(np.log(k[ok]), np.log(s[ok]), 1)[0]
    return float(np.clip(b, 0.2, 1.5))


def remaining_seconds(todo_ks: Sequence[int], done: Sequence[tuple[int, float]], workers: int) -> float | None:
    """Wall seconds for the models not finished yet, on `workers` processes, from the finished ones.

    done: (k, seconds) of the fits finished in this sweep (cached ones excluded)."""
    if not done:
        return None
    ks, secs = zip(*done)
    b = cost_exponent(ks, secs)
    per_unit = sum(secs) / sum(float(k) ** b for k in ks)   # seconds per unit of cost, one worker
    left = [float(k) ** b * per_unit for k in todo_ks]
    if not left:
        return 0.0
    return max(sum(left) / max(1, min(workers, len(left))), max(left))


def sweep_status(events: Iterable[dict], elapsed: float, done: bool = False) -> SweepStatus | None:
    """What the progress bar shows; None for a job without a plan event (older format)."""
    events = list(events)
    plan = next((e for e in events if e.get("kind") == "plan"), None)
    if plan is None:
        return None
    todo = [tuple(map(int, t)) for t in plan.get("todo", [])]
    workers = int(plan.get("workers", 1))
    fits = [e for e in events if e.get("kind") == "fit" and not e.get("cached")]
    finished = {(int(e["k"]), int(e["seed"])) for e in fits}
    if done:
        return SweepStatus("done", 1.0, 0.0, _("done"))
    if not todo:
        return SweepStatus("fitting", 1.0, 0.0, _("every model is already in the cache"))
    ready = next((e for e in events if e.get("kind") == "ready"), None)
    n_cached = int(plan.get("cached", 0))
    if ready is None and not fits:
        return SweepStatus("starting", 0.0, None,
                           ngettext("Step 1 of 2: starting {n} worker process… {elapsed}",
                                    "Step 1 of 2: starting {n} worker processes… {elapsed}", workers)
                           .format(n=workers, elapsed=format_duration(elapsed)))
    left_ks = [k for k, s in todo if (k, s) not in finished]
    done_pairs = [(int(e["k"]), float(e.get("fit_seconds") or 0) + float(e.get("metric_seconds") or 0)) for e in fits]
    b = cost_exponent(*zip(*done_pairs)) if done_pairs else 1.0
    total = sum(float(k) ** b for k, _k in todo)
    fraction = 1.0 - sum(float(k) ** b for k in left_ks) / total if total else 1.0
    eta = remaining_seconds(left_ks, done_pairs, workers)
    if eta is not None:  # count down from the last finished model instead of re-estimating upwards
        since = elapsed - float(fits[-1].get("t", elapsed))
        eta = max(eta - since, 0.0)
    models = _("{done}/{total} models ({n} reused from earlier sweeps)") if n_cached else _("{done}/{total} models")
    parts = [_("Step 2 of 2: fitting"), models.format(done=len(finished), total=len(todo), n=n_cached)]
    if eta is None:
        parts.append(_("time left known after the first model"))
    elif eta < 1.0:
        parts.append(_("finishing…"))
    else:
        parts.append(_("about {time} left").format(time=format_duration(eta)))
    return SweepStatus("fitting", float(np.clip(fraction, 0.0, 1.0)), eta, " · ".join(parts))
