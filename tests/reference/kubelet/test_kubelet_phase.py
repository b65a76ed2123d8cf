"""Rules of getPhase: the pod phase from container states and restart policy."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from reference_impl.kubelet.status import containers_ready_condition, get_phase  # noqa: E402

SPEC2 = {"containers": [{"name": "a"}, {"name": "b"}]}
RUNNING = {"running": {}}


def st(name, state, last=None, ready=False):
    return {"name": name, "state": state, "lastState": last or {}, "ready": ready}


def term(code):
    return {"terminated": {"exitCode": code}}


def test_unknown_container_keeps_pod_pending():
    """A container without a status keeps the pod Pending even if another runs."""
    assert get_phase(SPEC2, [st("a", RUNNING)]) == "Pending"


def test_waiting_container_keeps_pod_pending():
    """A container waiting for its first start keeps the pod Pending."""
    assert get_phase(SPEC2, [st("a", RUNNING), st("b", {"waiting": {}})]) == "Pending"


def test_waiting_to_restart_counts_as_stopped():
    """A container waiting after a previous termination counts as stopped, not waiting."""
    assert get_phase(SPEC2, [st("a", RUNNING), st("b", {"waiting": {}}, last=term(1))]) == "Running"


def test_all_terminated_with_always_is_running():
    """With restartPolicy Always, all-terminated containers mean Running (they are restarting)."""
    assert get_phase({**SPEC2, "restartPolicy": "Always"}, [st("a", term(0)), st("b", term(1))]) == "Running"


def test_all_succeeded_is_succeeded():
    """All containers exited 0 under OnFailure/Never: Succeeded."""
    assert get_phase({**SPEC2, "restartPolicy": "OnFailure"}, [st("a", term(0)), st("b", term(0))]) == "Succeeded"


def test_any_failure_under_never_is_failed():
    """Under Never, one non-zero exit among all-terminated containers: Failed."""
    assert get_phase({**SPEC2, "restartPolicy": "Never"}, [st("a", term(0)), st("b", term(2))]) == "Failed"


def test_failure_under_on_failure_is_running():
    """Under OnFailure a failed container is being restarted, so the pod stays Running."""
    assert get_phase({**SPEC2, "restartPolicy": "OnFailure"}, [st("a", term(0)), st("b", term(2))]) == "Running"


def test_succeeded_pod_containers_ready_reason_pod_completed():
    """ContainersReady of a Succeeded pod is False with reason PodCompleted."""
    cond = containers_ready_condition(SPEC2, [st("a", term(0)), st("b", term(0))], "Succeeded")
    assert (cond["status"], cond["reason"]) == ("False", "PodCompleted")
