"""Indexed Jobs (completionMode Indexed) as the 1.24 Job controller runs them, one rule per test:
one pod per pending completion index, named and annotated by it, succeeded indexes counted in
status.completedIndexes in upstream's interval form, a repeated index deleted."""
from __future__ import annotations

from cm_fixtures import pod
from workload_fixtures import AnsweredJobController, job

from reference_impl.controller_manager.indexedjob import (calculate_succeeded_indexes, intervals_string,
                                                          pod_generate_name_with_index,
                                                          succeeded_indexes_from_job, with_ordered_indexes)
from reference_impl.controller_manager.job import JOB_TRACKING_FINALIZER
from reference_impl.machinery.actions import Create, InOrder, Update, requests_of
from reference_impl.machinery.clock import ManualClock
from test_job_controller import deletes

INDEX = "batch.kubernetes.io/job-completion-index"


def indexed_job(completions=4, parallelism=2, tracked=False, **status):
    j = job(completions=completions, parallelism=parallelism)
    j["spec"]["completionMode"] = "Indexed"
    if tracked:
        j["metadata"]["annotations"] = {JOB_TRACKING_FINALIZER: ""}
    j["status"] = dict(status)
    return j


def indexed_pod(j, index, phase="Running", finalizer=None, name=None):
    p = pod(name or f"pi-{index}-x", {"job-name": "pi"}, owner={"kind": "Job", "metadata": j["metadata"]},
            phase=phase)
    if index is not None:
        p["metadata"]["annotations"] = {INDEX: str(index)}
    if finalizer if finalizer is not None else JOB_TRACKING_FINALIZER in (j["metadata"].get("annotations") or {}):
        p["metadata"]["finalizers"] = [JOB_TRACKING_FINALIZER]
    return p


def created(actions):
    return [c.obj for c in requests_of(actions) if isinstance(c, Create)]


def written_statuses(actions):
    """Every Job status the sync writes, in order (the tracked writes come in one InOrder)."""
    flat = [s for a in actions for s in (a.actions if isinstance(a, InOrder) else (a,))]
    return [a.obj["status"] for a in flat if isinstance(a, Update) and a.resource == "jobs"]


def test_completed_indexes_are_written_as_ordered_intervals():
    """orderedIntervals.String: a run of three or more is first-last, a run of two two numbers."""
    assert intervals_string(with_ordered_indexes([(0, 1)], [2, 4, 6, 7, 9, 10, 11])) == "0-2,4,6,7,9-11"


def test_completed_indexes_are_read_back_within_completions():
    """succeededIndexesFromJob: adjacent intervals merge, what lies past completions is cut, and
    an interval that does not parse is skipped."""
    j = indexed_job(completions=8, completedIndexes="1,2-3,x,5-9,12")
    assert succeeded_indexes_from_job(j) == [(1, 3), (5, 7)]


def test_each_pod_runs_the_lowest_pending_index_and_says_so():
    """manageJob: parallelism 2 creates the pods of indexes 0 and 1, each annotated with its index,
    hostname <job>-<index>, generateName <job>-<index>-, its containers reading
    JOB_COMPLETION_INDEX from the annotation."""
    pods = created(AnsweredJobController(ManualClock()).sync(indexed_job(), []))
    assert [(p["metadata"]["annotations"][INDEX], p["spec"]["hostname"], p["metadata"]["generateName"])
            for p in pods] == [("0", "pi-0", "pi-0-"), ("1", "pi-1", "pi-1-")]
    assert pods[0]["spec"]["containers"][0]["env"] == [{"name": "JOB_COMPLETION_INDEX", "valueFrom": {
        "fieldRef": {"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}]


def test_a_long_job_name_is_cut_so_the_generated_name_fits():
    """podGenerateNameWithIndex: at most 58 characters, the index suffix kept whole."""
    name = pod_generate_name_with_index("j" * 70, 12)
    assert len(name) == 58 and name.endswith("-12-")


def test_no_index_is_run_twice_or_after_it_succeeded():
    """firstPendingIndexes skips an index a pod runs and one already completed."""
    j = indexed_job(completions=5, parallelism=3, tracked=True, completedIndexes="0", succeeded=1)
    pods = created(AnsweredJobController(ManualClock()).sync(j, [indexed_pod(j, 2)]))
    assert [p["metadata"]["annotations"][INDEX] for p in pods] == ["1", "3"]


def test_a_repeated_index_is_deleted_before_anything_is_created():
    """activePodsForRemoval: of two active pods of index 0 one is deleted, as is a pod without an
    index and one out of range; deletes take precedence, nothing is created that sync."""
    j = indexed_job(completions=3, parallelism=3)
    pods = [indexed_pod(j, 0, name="pi-0-a"), indexed_pod(j, 0, name="pi-0-b"),
            indexed_pod(j, None, name="pi-none"), indexed_pod(j, 7, name="pi-7")]
    actions = AnsweredJobController(ManualClock()).sync(j, pods)
    assert sorted(d.name for d in deletes(actions)) == ["pi-0-a", "pi-7", "pi-none"]
    assert created(actions) == []


def test_a_succeeded_index_is_counted_once_in_completed_indexes():
    """trackJobStatusAndRemoveFinalizers: a succeeded pod adds its index to completedIndexes and
    succeeded at once, not to uncountedTerminatedPods; a second pod of the same index is not
    counted again."""
    j = indexed_job(completions=4, parallelism=2, tracked=True, completedIndexes="0,1", succeeded=2,
                    uncountedTerminatedPods={})
    pods = [indexed_pod(j, 2, "Succeeded"), indexed_pod(j, 1, "Succeeded", name="pi-1-again"),
            indexed_pod(j, 3)]
    first, *_ = written_statuses(AnsweredJobController(ManualClock()).sync(j, pods))
    assert (first["succeeded"], first["completedIndexes"], first["uncountedTerminatedPods"]) == (3, "0-2", {})


def test_a_failed_pod_counts_only_with_a_valid_index():
    """A failed pod of index 1 is listed uncounted; one without an index is not counted."""
    j = indexed_job(completions=2, parallelism=2, tracked=True, uncountedTerminatedPods={})
    failed = indexed_pod(j, 1, "Failed")
    pods = [indexed_pod(j, 0), failed, indexed_pod(j, None, "Failed", name="pi-none")]
    first, *_ = written_statuses(AnsweredJobController(ManualClock()).sync(j, pods))
    assert first["uncountedTerminatedPods"] == {"failed": [failed["metadata"]["uid"]]}


def test_every_index_succeeded_completes_the_job():
    j = indexed_job(completions=2, parallelism=2, tracked=True, completedIndexes="0", succeeded=1,
                    uncountedTerminatedPods={})
    *_, last = written_statuses(AnsweredJobController(ManualClock()).sync(j, [indexed_pod(j, 1, "Succeeded")]))
    assert last["completedIndexes"] == "0,1" and last["succeeded"] == 2
    assert [c["type"] for c in last["conditions"]] == ["Complete"]


def test_a_legacy_indexed_job_counts_its_succeeded_pods_indexes():
    """Without tracking, completedIndexes comes from the succeeded pods that exist."""
    j = indexed_job(completions=4, parallelism=1)
    pods = [indexed_pod(j, 0, "Succeeded"), indexed_pod(j, 2, "Succeeded"), indexed_pod(j, 3, "Succeeded")]
    (status,) = written_statuses(AnsweredJobController(ManualClock()).sync(j, pods))
    assert (status["succeeded"], status["completedIndexes"]) == (3, "0,2,3")
    assert calculate_succeeded_indexes(j, pods, False, lambda p: True)[1] == [(0, 0), (2, 3)]
