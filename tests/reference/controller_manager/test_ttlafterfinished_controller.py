"""The TTL-after-finished controller's decision for one Job, one rule per test."""
from __future__ import annotations

from workload_fixtures import job

from reference_impl.controller_manager.ttlafterfinished import TTLDecision, process_job
from reference_impl.machinery.actions import Delete
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.timefmt import rfc3339


def finished_job(ttl, finished_at, type_="Complete"):
    j = job()
    j["spec"]["ttlSecondsAfterFinished"] = ttl
    j["status"]["conditions"] = [{"type": type_, "status": "True", "lastTransitionTime": rfc3339(finished_at)}]
    return j


def test_a_finished_job_waits_out_its_ttl():
    """Before ttlSecondsAfterFinished has passed since the Job finished, the controller waits
    the time left."""
    clock = ManualClock()
    j = finished_job(100, clock.now())
    clock.advance(40)
    assert process_job(j, clock.now()) == TTLDecision(wait=60)


def test_an_expired_job_is_deleted_in_the_foreground():
    """Once the TTL has passed, a Failed Job as a Complete one is deleted with its pods first
    (Foreground), only if it is still the same Job (its UID)."""
    clock = ManualClock()
    j = finished_job(100, clock.now(), "Failed")
    clock.advance(100)
    decision = process_job(j, clock.now())
    assert decision.delete == Delete("jobs", "default", "pi", propagation_policy="Foreground",
                                     uid=j["metadata"]["uid"])


def test_jobs_without_a_ttl_or_not_finished_are_kept():
    """A Job without ttlSecondsAfterFinished, or one still running, is never deleted."""
    clock = ManualClock()
    no_ttl = finished_job(None, clock.now())
    running = job()
    running["spec"]["ttlSecondsAfterFinished"] = 0
    clock.advance(1000)
    assert process_job(no_ttl, clock.now()) == TTLDecision() == process_job(running, clock.now())


def test_a_job_being_deleted_is_left_alone():
    """A Job with a deletionTimestamp is on its way out already."""
    clock = ManualClock()
    j = finished_job(0, clock.now())
    j["metadata"]["deletionTimestamp"] = rfc3339(clock.now())
    assert process_job(j, clock.now()) == TTLDecision()
