"""How benchmarks/upstream_behaviour.py makes two runs' objects comparable (no processes)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
import upstream_behaviour as ub  # noqa: E402


def pod(name: str, node: str, uid: str, ip: str, started: str) -> dict:
    return {"metadata": {"name": name, "generateName": "web-5d8f7c9b4-", "uid": uid, "resourceVersion": "12",
                         "creationTimestamp": started, "labels": {"app": "web", "pod-template-hash": "5d8f7c9b4"},
                         "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d8f7c9b4", "uid": uid}]},
            "spec": {"nodeName": node},
            "status": {"phase": "Running", "podIP": ip, "startTime": started,
                       "containerStatuses": [{"containerID": "docker://0123456789abcdef0123"}]}}


def test_a_generated_name_keeps_its_prefix_and_loses_its_random_tail():
    """The part generateName gave stays; what the apiserver appended becomes <suffix>."""
    assert ub.normalise_name("web-5d8f7c9b4-x2k9p", "web-5d8f7c9b4-", frozenset({"5d8f7c9b4"})) == \
        "web-<hash>-<suffix>"


def test_a_cronjob_jobs_scheduled_time_is_not_part_of_its_name():
    """tick-29412345 (minutes since the epoch) compares equal whenever it fired."""
    assert ub.normalise_name("tick-29412345") == "tick-<time>"


def test_hashes_are_collected_from_hash_labels_anywhere():
    """A pod-template-hash label and a controller-revision-hash (name-hash) both give their hash."""
    objects = [{"metadata": {"labels": {"pod-template-hash": "abc123"}}},
               {"spec": {"selector": {"matchLabels": {"controller-revision-hash": "db-7f9c6"}}}}]
    assert ub.hashes(objects) == {"abc123", "7f9c6"}


def test_two_runs_of_the_same_pod_normalise_to_the_same_object():
    """UIDs, resourceVersions, timestamps, IPs, container IDs, nodes and generated names differ
    between runs of one behaviour; none of them is left after normalising."""
    one = pod("web-5d8f7c9b4-x2k9p", "node-1", "u-1", "10.0.0.1", "2026-12-04T00:00:00Z")
    other = pod("web-5d8f7c9b4-qq7rt", "node-3", "u-2", "10.0.0.9", "2026-12-04T01:02:03.5Z")
    found = frozenset({"5d8f7c9b4"})
    assert ub.normalise(one, found) == ub.normalise(other, found)


def test_nodes_are_kept_when_asked():
    """A DaemonSet's or a silent node's pods are about which node: keep_nodes leaves names alone."""
    assert ub.normalise({"nodeName": "node-2"}, keep_nodes=True) == {"nodeName": "node-2"}
    assert ub.normalise({"nodeName": "node-2"}) == {"nodeName": "<node>"}


def test_lists_compare_regardless_of_order():
    """Conditions (and any list) are sorted, so two runs listing them in other orders agree."""
    a = {"conditions": [{"type": "Ready"}, {"type": "Available"}]}
    b = {"conditions": [{"type": "Available"}, {"type": "Ready"}]}
    assert ub.normalise(a) == ub.normalise(b)


def test_flatten_names_each_leaf_by_its_path():
    """Nested keys join with dots, list items take an index; empty containers are leaves."""
    assert ub.flatten({"a": {"b": [1, {"c": 2}]}, "d": {}}) == {"a.b[0]": 1, "a.b[1].c": 2, "d": {}}


def test_a_field_one_side_lacks_is_a_difference_with_none():
    """A status field only the real controller sets shows as (real value, None)."""
    real = {"deployments": [{"status": {"replicas": 1, "availableReplicas": 1}}]}
    ours = {"deployments": [{"status": {"replicas": 1}}]}
    assert ub.diff_snapshots(real, ours) == [("deployments", "status.availableReplicas", 1, None)]


def test_a_different_number_of_objects_is_a_count_row():
    """One pod more on one side is reported as a count, then the pairs that exist are compared."""
    rows = ub.diff_snapshots({"pods": [{"a": 1}, {"a": 1}]}, {"pods": [{"a": 1}]})
    assert rows == [("pods", "count", 2, 1)]


def test_identical_snapshots_have_no_differences():
    """The same objects in the same kinds give no rows."""
    same = {"jobs": [{"status": {"succeeded": 2}}]}
    assert ub.diff_snapshots(same, same) == []


def test_a_snapshot_normalises_with_the_hashes_of_all_its_kinds():
    """A ReplicaSet's name holds the hash its pods' label carries, so it becomes <hash> too."""
    objects = {"replicasets": [{"metadata": {"name": "web-5d8f7c9b4"}}],
               "pods": [{"metadata": {"labels": {"pod-template-hash": "5d8f7c9b4"}}}]}
    snap = ub.snapshot(objects)
    assert snap["replicasets"] == [{"metadata": {"name": "web-<hash>"}}]


def test_an_ordinal_name_is_not_a_random_suffix():
    """A StatefulSet's pod db-0 carries generateName db- upstream; its ordinal is kept."""
    assert ub.normalise_name("db-0", "db-") == "db-0"


def test_container_ids_and_uids_inside_strings_are_normalised():
    """A container ID names the pod and its UID; a controller-uid label is a UID."""
    assert ub.normalise("fakeRuntime://web-x2k9p_ns_070a34de-e5a1-4c1f-9d1e-0123456789ab") == "<container-id>"
    assert ub.normalise("070a34de-e5a1-4c1f-9d1e-0123456789ab") == "<uid>"


def test_the_service_account_token_volumes_random_suffix_is_normalised():
    """The ServiceAccount admission plugin names a pod's token volume kube-api-access-<5 random>;
    the two runs' pods differed only there, field by field (volumes and volumeMounts)."""
    one = {"spec": {"volumes": [{"name": "kube-api-access-2wmzz"}],
                    "containers": [{"volumeMounts": [{"name": "kube-api-access-2wmzz"}]}]}}
    other = {"spec": {"volumes": [{"name": "kube-api-access-7248w"}],
                      "containers": [{"volumeMounts": [{"name": "kube-api-access-7248w"}]}]}}
    assert ub.normalise(one) == ub.normalise(other)
    assert ub.normalise({"name": "kube-api-access-token"}) == {"name": "kube-api-access-token"}


def node(name: str, ready: str, taints: list[dict] | None = None) -> dict:
    spec = {"taints": taints} if taints else {}
    return {"metadata": {"name": name}, "spec": spec,
            "status": {"conditions": [{"type": "Ready", "status": ready}]}}


NOT_READY_NO_EXECUTE = {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}


def test_nodes_are_ready_once_the_health_taint_a_first_status_drew_is_gone():
    """All Ready is not enough while one node still carries a not-ready NoExecute taint (the
    controller takes it off at its next monitor pass); NoSchedule and other taints do not count."""
    assert ub.nodes_ready([node("a", "True", [NOT_READY_NO_EXECUTE]), node("b", "True")], 2) is None
    other = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}
    assert ub.nodes_ready([node("a", "True", [other]), node("b", "True")], 2)
    assert ub.nodes_ready([node("a", "False"), node("b", "True")], 2) is None


def test_an_eviction_step_waits_for_the_replacement_to_run():
    """The evicted pod gone is not enough: the Deployment's count must be Running again."""
    def p(name, phase="Running", deleting=False):
        meta = {"name": name, **({"deletionTimestamp": "2026-01-01T00:00:00Z"} if deleting else {})}
        return {"metadata": meta, "status": {"phase": phase}}
    assert ub.evicted_and_replaced([p("b"), p("c"), p("d", "Pending")], {"a"}, 3) is None
    assert ub.evicted_and_replaced([p("b"), p("c"), p("d")], {"a"}, 3)
    assert ub.evicted_and_replaced([p("a", deleting=True), p("b"), p("c"), p("d")], {"a"}, 3)
    assert ub.evicted_and_replaced([p("a"), p("b"), p("c")], {"a"}, 3) is None
