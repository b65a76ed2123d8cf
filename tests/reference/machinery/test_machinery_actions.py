"""The writes controllers hand to their runner, as data (reference_impl/machinery/actions.py)."""

from reference_impl.machinery.actions import RetriedStatusUpdate


def _update(status: dict | None, fields=None) -> RetriedStatusUpdate:
    obj = {"metadata": {"name": "web", "namespace": "default"}, "status": status}
    return RetriedStatusUpdate("replicasets", "default", obj, "status", fields=fields)


def test_a_retry_carries_its_status_onto_the_fresher_copy():
    fresh = {"metadata": {"name": "web", "resourceVersion": "7"}, "spec": {"replicas": 3},
             "status": {"replicas": 1, "observedGeneration": 1}}
    again = _update({"replicas": 3, "readyReplicas": 2}).on(fresh)
    assert again.obj == {"metadata": {"name": "web", "resourceVersion": "7"}, "spec": {"replicas": 3},
                         "status": {"replicas": 3, "readyReplicas": 2}}
    assert fresh["status"] == {"replicas": 1, "observedGeneration": 1}  # the cached copy untouched


def test_a_retry_of_named_fields_sets_and_clears_only_those():
    fresh = {"metadata": {"name": "web"}, "status": {"replicas": 1, "conditions": [{"type": "X"}]}}
    again = _update({"replicas": 3}, fields=("replicas", "conditions")).on(fresh)
    assert again.obj["status"] == {"replicas": 3}


def test_a_fresher_copy_whose_status_is_null_takes_the_fields():
    fresh = {"metadata": {"name": "web"}, "status": None}
    again = _update({"replicas": 3}, fields=("replicas",)).on(fresh)
    assert again.obj["status"] == {"replicas": 3}
