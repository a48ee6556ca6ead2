"""One point of `juwe sweep` as a task (`solver.tasks`): the training calendar of the
changed instance (and the rollout after it, coupled as in `juwe plan`), checked, and the
answers a planner reads: status, objective and bound, each group's finishing date, each
wave's end, or the rules in conflict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.check_rollout import check_rollout
from models.check_training import check_training
from models.coupling import training_days_by_centre
from models.instance import Instance
from models.sweep import Point, apply_point
from solver.params import SolveParams
from solver.progress import StopToken


@dataclass(frozen=True)
class SweepTask:
    point: Point
    instance: Instance
    params: SolveParams


def run_sweep_point(task: SweepTask, stop: StopToken | None = None) -> dict[str, Any]:
    from solver.programme import plan_rollout, plan_training

    p = task.point
    row: dict[str, Any] = {"point": p.label()}
    row |= p.values()
    try:
        inst = apply_point(task.instance, p)
    except ValueError as exc:
        return row | {"status": "invalid", "message": str(exc)}
    record, _ = plan_training(inst, task.params, stop=stop)
    o = record.outcome
    row |= {"status": o.status, "objective": o.objective, "bound": o.bound, "message": o.message}
    plan = record.plan
    if plan is None:
        return row
    # every plan that leaves a solver has passed its checker; `checked` records the
    # independent check of this point's plans again (training, and rollout if any)
    broken = check_training(inst, plan)
    row["checked"] = not broken
    if broken:
        row["message"] = "checker: " + "; ".join(sorted({v.rule for v in broken}))
    ends: dict[str, Any] = {}
    for s in plan.sessions:
        if s.end is not None and (s.group not in ends or s.end > ends[s.group]):
            ends[s.group] = s.end
    waves: dict[int, Any] = {}
    for g in inst.organisation.groups:
        if g.id in ends and (g.wave not in waves or ends[g.id] > waves[g.wave]):
            waves[g.wave] = ends[g.id]
    row["last_finish"] = max(ends.values()).isoformat() if ends else None
    row |= {f"wave_{w}_end": d.isoformat() for w, d in sorted(waves.items())}
    row |= {f"finish_{g}": d.isoformat() for g, d in ends.items()}
    if inst.rollout is not None:
        rollout, _ = plan_rollout(inst, task.params, plan, stop=stop)
        ro = rollout.outcome
        row |= {"rollout_status": ro.status, "rollout_objective": ro.objective}
        if ro.message:
            row["rollout_message"] = ro.message
        if rollout.plan is not None:
            rbroken = check_rollout(inst, rollout.plan, training_days_by_centre(inst, plan))
            row["checked"] = row["checked"] and not rbroken
            if rbroken:
                rules = "; ".join(sorted({v.rule for v in rbroken}))
                row["rollout_message"] = f"checker: {rules}"
            row |= rollout_answers(rollout.plan)
    return row


def rollout_answers(plan) -> dict[str, Any]:
    """The rollout's end (its last task's last day), each family's end, and the span in
    calendar days from the first task's start."""
    if not plan.tasks:
        return {}
    ends: dict[str, Any] = {}
    for t in plan.tasks:
        if t.family not in ends or t.end > ends[t.family]:
            ends[t.family] = t.end
    first = min(t.start for t in plan.tasks)
    last = max(ends.values())
    out: dict[str, Any] = {
        "rollout_end": last.isoformat(),
        "rollout_span_days": (last - first).days + 1,
    }
    out |= {f"rollout_{f}_end": d.isoformat() for f, d in ends.items()}
    return out


def smallest(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The smallest value of `key` whose point has a plan, and the proof for one fewer:
    its status (infeasible: the rules in conflict) or 'not proven' (no plan in time)."""
    with_key = sorted((r for r in rows if r.get(key) is not None), key=lambda r: r[key])
    found = next((r for r in with_key if r["status"] in ("optimal", "feasible")), None)
    if found is None:
        return {"answer": None, "text": f"no {key} value in the sweep gives a plan"}
    below = [r for r in with_key if r[key] < found[key]]
    if not below:
        proof = f"no smaller {key} was tried"
    else:
        b = below[-1]
        fewer = "one fewer" if b[key] == found[key] - 1 else "the next smaller value tried"
        if b["status"] == "infeasible":
            proof = f"{key}={b[key]} ({fewer}) is infeasible: {b.get('message', '')}"
        else:
            proof = f"{key}={b[key]} ({fewer}): {b['status']}, not proven infeasible"
    return {"answer": found[key], "text": f"smallest {key}: {found[key]}; {proof}"}
