"""What API Priority and Fairness's config controller (k8s.io/apiserver/pkg/util/flowcontrol) writes
back to the objects it reads: each FlowSchema's Dangling condition, False when the
PriorityLevelConfiguration it names exists. Plain functions over the stored objects; the
controller that watches them and writes the statuses is `adapter.apfcontroller`.
"""
from __future__ import annotations

from typing import Iterable

from reference_impl.mirrors import mirrors


def dangling_condition(priority_level: str, exists: bool, now: str) -> dict:
    if exists:
        return {"type": "Dangling", "status": "False", "lastTransitionTime": now, "reason": "Found",
                "message": f'This FlowSchema references the PriorityLevelConfiguration object named '
                           f'"{priority_level}" and it exists'}
    return {"type": "Dangling", "status": "True", "lastTransitionTime": now, "reason": "NotFound",
            "message": f'This FlowSchema references the PriorityLevelConfiguration object named '
                       f'"{priority_level}" but there is no such object'}


@mirrors("(*k8s.io/apiserver/pkg/util/flowcontrol.configController).digestConfigObjects")
def dangling_status_updates(schemas: Iterable[dict], level_names: set[str], now: str) -> list[tuple[dict, dict]]:
    """(schema, its new status) for each schema whose Dangling condition is not what its priority
    level's presence makes it; the other conditions are kept."""
    updates = []
    for schema in schemas:
        level = ((schema.get("spec") or {}).get("priorityLevelConfiguration") or {}).get("name", "")
        wanted = dangling_condition(level, level in level_names, now)
        conditions = (schema.get("status") or {}).get("conditions") or []
        current = next((c for c in conditions if c.get("type") == "Dangling"), {})
        if any(current.get(k) != wanted[k] for k in ("status", "reason", "message")):
            kept = [c for c in conditions if c.get("type") != "Dangling"]
            updates.append((schema, {"conditions": [*kept, wanted]}))
    return updates
