"""How benchmarks/scheduler_preemption_pair.py reads one scenario's outcome (no processes)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
import scheduler_preemption_pair as spp  # noqa: E402


def state(name: str, node: str = "", nominated: str = "") -> dict:
    return {"metadata": {"name": name}, "spec": {"nodeName": node}, "status": {"nominatedNodeName": nominated}}


def test_deletions_nominations_node_and_events_are_what_is_compared():
    """Only running pods count as deleted; the preemptor's nominations collapse repeats; a
    FailedScheduling event repeated is one row."""
    watch = [{"type": "DELETED", "object": state("lo")}, {"type": "MODIFIED", "object": state("preemptor", "", "a1")},
             {"type": "MODIFIED", "object": state("preemptor", "", "a1")},
             {"type": "MODIFIED", "object": state("preemptor", "a1", "a1")},
             {"type": "DELETED", "object": state("someone-else")}]
    failed = {"reason": "FailedScheduling", "type": "Warning", "action": "Scheduling", "note": "0/1 nodes",
              "regarding": {"name": "preemptor"}, "eventTime": "t1", "metadata": {}}
    preempted = {"reason": "Preempted", "type": "Normal", "action": "Preempting", "note": "by",
                 "regarding": {"name": "lo"}, "related": {"name": "preemptor"}, "eventTime": "t0", "metadata": {}}
    got = spp.outcome(watch, [failed, preempted, dict(failed, eventTime="t2")], ["lo", "md"])
    assert (got["deleted"], got["nominatedNodeName"], got["node"]) == (["lo"], ["a1"], "a1")
    assert [(row["reason"], row["related"]) for row in got["events"]] == [("Preempted", "preemptor"),
                                                                          ("FailedScheduling", None)]
