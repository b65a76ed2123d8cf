"""The writes controllers hand to their runner, as data (reference_impl/machinery/actions.py)."""

import json
import subprocess
import sys
from dataclasses import dataclass

from reference_impl.machinery.actions import Delete, RetriedStatusUpdate, SentTogether, requests_of


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


@dataclass(frozen=True)
class DeletesTogether(SentTogether):
    deletes: tuple

    @property
    def requests(self) -> tuple:
        return self.deletes


def test_requests_sent_together_count_one_by_one_in_their_place():
    first, second, last = (Delete("pods", "default", name) for name in ("a", "b", "c"))
    assert requests_of([first, DeletesTogether((second, last))]) == [first, second, last]


def test_the_trace_loads_no_component():
    """The shared layer sits below the components: importing the trace, which every component
    imports, loads none of them."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import json, sys, reference_impl.machinery.trace; print(json.dumps(sorted("
                               "{m.split('.')[1] for m in sys.modules if m.startswith('reference_impl.')})))"],
        capture_output=True, text=True, check=True).stdout
    assert json.loads(loaded) == ["machinery"]
