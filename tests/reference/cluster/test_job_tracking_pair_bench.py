"""How benchmarks/job_tracking_pair.py makes two runs' Job and pod histories comparable (no processes)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
import job_tracking_pair as jtp  # noqa: E402


def pod(uid: str, name: str, finalizers=None, phase="Pending") -> dict:
    return {"kind": "Pod", "metadata": {"uid": uid, "name": name, "generateName": "track-",
                                        "finalizers": finalizers}, "status": {"phase": phase}}


def job(status: dict) -> dict:
    return {"kind": "Job", "metadata": {"name": "track"}, "status": status}


def test_pods_are_named_by_their_job_and_the_order_they_appeared():
    """Random names and uids become track-#0, track-#1 in the order the watch saw the pods."""
    events = [{"type": "ADDED", "object": pod("u2", "track-zzzzz")},
              {"type": "ADDED", "object": pod("u1", "track-aaaaa")}]
    assert list(jtp.histories(events, {})) == ["pod track-#0", "pod track-#1"]


def test_uncounted_uids_read_as_pod_names_and_times_are_masked():
    """A Job's uncountedTerminatedPods lists the pods' names; startTime and conditions' times are <t>."""
    events = [{"type": "ADDED", "object": pod("u1", "track-x")},
              {"type": "MODIFIED", "object": job({"startTime": "2026-01-01T00:00:00Z",
                                                  "uncountedTerminatedPods": {"succeeded": ["u1"]}})}]
    (state,) = jtp.histories(events, {})["job track"]
    assert state == ["MODIFIED", {"startTime": "<t>", "uncountedTerminatedPods": {"succeeded": ["track-#0"]}}]


def test_repeated_states_collapse_but_a_change_of_event_type_does_not():
    """Two MODIFIED events with the same state are one step; the DELETED after them is another."""
    same = pod("u1", "track-x", ["batch.kubernetes.io/job-tracking"])
    events = [{"type": "ADDED", "object": same}, {"type": "MODIFIED", "object": same},
              {"type": "MODIFIED", "object": same}, {"type": "DELETED", "object": same}]
    assert [t for t, _ in jtp.histories(events, {})["pod track-#0"]] == ["ADDED", "MODIFIED", "DELETED"]


def test_an_indexed_jobs_pod_state_has_its_index_hostname_and_environment():
    """A pod with the completion index annotation is compared on it, its hostname and its
    containers' env; other pods keep the three fields alone."""
    indexed = pod("u1", "indexed-0-x")
    indexed["metadata"]["annotations"] = {"batch.kubernetes.io/job-completion-index": "0"}
    indexed["spec"] = {"hostname": "indexed-0", "containers": [{"env": [{"name": "JOB_COMPLETION_INDEX"}]}]}
    assert jtp.pod_state(indexed) == {"finalizers": [], "deleting": False, "phase": "Pending", "index": "0",
                                      "hostname": "indexed-0", "env": [[{"name": "JOB_COMPLETION_INDEX"}]]}
    assert set(jtp.pod_state(pod("u2", "track-x"))) == {"finalizers", "deleting", "phase"}


def test_refused_creates_add_up_the_failed_create_events_of_the_job():
    """The counts of the Job's FailedCreate events (an event without a count is one); other
    reasons and other objects are left out."""
    def event(kind, name, reason, count=None):
        return {"involvedObject": {"kind": kind, "name": name}, "reason": reason, "count": count}

    class Events:
        def request(self, method, path):
            assert (method, path) == ("GET", f"/api/v1/namespaces/{jtp.NAMESPACE}/events")
            return {"items": [event("Job", "refused", "FailedCreate", 3), event("Job", "refused", "FailedCreate"),
                              event("Job", "refused", "SuccessfulCreate", 2), event("Job", "track", "FailedCreate", 5),
                              event("Pod", "refused", "FailedCreate", 7)]}
    assert jtp.refused_creates(Events(), "refused") == 4
