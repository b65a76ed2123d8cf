"""Object keys, owner and controller references, conditions, pod readiness."""
from __future__ import annotations

import pytest

from reference_impl.machinery.objects import (condition, controller_ref, deep_copy_json, meta_namespace_key,
                                              owner_reference, pod_active, pod_ready, set_condition)

RS = {"metadata": {"name": "web", "namespace": "prod", "uid": "u-1"}}


def test_key_is_namespace_slash_name_or_just_the_name():
    """MetaNamespaceKeyFunc: `namespace/name` for a namespaced object, `name` for a cluster one."""
    assert meta_namespace_key(RS) == "prod/web"
    assert meta_namespace_key({"metadata": {"name": "node-1"}}) == "node-1"


def test_owner_reference_is_a_blocking_controller_reference():
    """What a controller stamps on what it creates names it by uid and is the controller."""
    ref = owner_reference(RS, "ReplicaSet", "apps/v1")
    assert ref == {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u-1",
                   "controller": True, "blockOwnerDeletion": True}


def test_controller_ref_is_the_owner_marked_controller():
    """Of several owner references only the one with controller=true is the controller."""
    pod = {"metadata": {"ownerReferences": [{"uid": "a"}, owner_reference(RS, "ReplicaSet", "apps/v1")]}}
    assert controller_ref(pod)["uid"] == "u-1"
    assert controller_ref({"metadata": {"ownerReferences": [{"uid": "a"}]}}) is None


def test_condition_is_found_by_type():
    """A status condition is looked up by its type; a missing one is None."""
    pod = {"status": {"conditions": [{"type": "PodScheduled", "status": "True"},
                                     {"type": "Ready", "status": "False"}]}}
    assert condition(pod, "Ready") == {"type": "Ready", "status": "False"}
    assert condition(pod, "Initialized") is None and condition({}, "Ready") is None


def test_pod_ready_needs_ready_true():
    """A pod is ready only with a Ready condition whose status is "True"."""
    assert pod_ready({"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    assert not pod_ready({"status": {"conditions": [{"type": "Ready", "status": "False"}]}})
    assert not pod_ready({"status": {}})


def test_pod_active_excludes_terminal_and_deleting_pods():
    """IsPodActive: not Succeeded or Failed, and no deletionTimestamp."""
    assert pod_active({"metadata": {}, "status": {"phase": "Running"}})
    assert not pod_active({"metadata": {}, "status": {"phase": "Failed"}})
    assert not pod_active({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "status": {}})


def test_set_condition_appends_a_new_type_stamped_now():
    """A condition type not yet present is appended with lastTransitionTime set to now."""
    conditions = [{"type": "A", "status": "True", "lastTransitionTime": "t0"}]
    set_condition(conditions, {"type": "B", "status": "False", "reason": "R"}, "t1")
    assert conditions[1] == {"type": "B", "status": "False", "reason": "R", "lastTransitionTime": "t1"}


def test_set_condition_moves_the_transition_time_only_when_the_status_changes():
    """Same status: reason and message change, lastTransitionTime stays; a new status moves it."""
    conditions = [{"type": "A", "status": "True", "reason": "old", "lastTransitionTime": "t0"}]
    set_condition(conditions, {"type": "A", "status": "True", "reason": "new"}, "t1")
    assert conditions == [{"type": "A", "status": "True", "reason": "new", "lastTransitionTime": "t0"}]
    set_condition(conditions, {"type": "A", "status": "False", "reason": "gone"}, "t2")
    assert conditions == [{"type": "A", "status": "False", "reason": "gone", "lastTransitionTime": "t2"}]


def test_deep_copy_json_copies_every_dict_and_list_and_keeps_scalars():
    original = {"a": [1, 2.5, {"b": None, "c": True}], "s": "x", "n": {"m": []}}
    copied = deep_copy_json(original)
    assert copied == original
    assert copied is not original and copied["a"] is not original["a"] and copied["a"][2] is not original["a"][2]
    copied["a"][2]["b"] = "changed"
    copied["n"]["m"].append(1)
    assert original == {"a": [1, 2.5, {"b": None, "c": True}], "s": "x", "n": {"m": []}}


def test_deep_copy_json_refuses_what_json_cannot_hold():
    with pytest.raises(TypeError, match="cannot deep copy set as JSON"):
        deep_copy_json({"a": {1, 2}})
    with pytest.raises(TypeError, match="cannot deep copy tuple as JSON"):
        deep_copy_json([1, [2, (3,)]])


def test_deep_copy_json_keeps_key_order_and_copies_containers_below_lists():
    """Keys stay in the order they were written (the stored bytes depend on it), and a dict inside
    a list inside a dict is a copy too."""
    original = {"z": 1, "a": [{"y": [], "b": {}}], "m": None}
    copied = deep_copy_json(original)
    assert list(copied) == ["z", "a", "m"] and list(copied["a"][0]) == ["y", "b"]
    assert copied["a"][0] is not original["a"][0] and copied["a"][0]["y"] is not original["a"][0]["y"]
