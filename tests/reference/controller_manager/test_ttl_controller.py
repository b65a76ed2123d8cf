"""The TTL controller's sync, one rule per test."""
from __future__ import annotations

from reference_impl.machinery.actions import Patch
from reference_impl.controller_manager.ttl import OBJECT_TTL_ANNOTATION, TTLController


def node(name, ttl=None):
    meta = {"name": name}
    if ttl is not None:
        meta["annotations"] = {OBJECT_TTL_ANNOTATION: ttl}
    return {"metadata": meta}


def patched_values(actions):
    return {a.name: a.patch["metadata"]["annotations"][OBJECT_TTL_ANNOTATION] for a in actions
            if isinstance(a, Patch)}


def test_small_cluster_nodes_get_ttl_zero():
    """ttlBoundaries: up to 100 nodes the desired TTL is 0; updateNodeIfNeeded patches a node
    without the annotation."""
    assert patched_values(TTLController().sync([node("a"), node("b")])) == {"a": "0", "b": "0"}


def test_node_with_the_desired_ttl_is_left_alone():
    """updateNodeIfNeeded returns early when the annotation already holds the desired value."""
    assert TTLController().sync([node("a", "0")]) == []


def test_unreadable_or_wrong_ttl_is_rewritten():
    """getIntFromAnnotation fails on a value strconv.Atoi rejects, so the node is patched, as it
    is when the value differs."""
    assert patched_values(TTLController().sync([node("a", "1 5"), node("b", "15")])) == {"a": "0", "b": "0"}


def test_ttl_steps_up_past_size_max_and_down_only_below_size_min():
    """addNode steps up when the count exceeds the boundary's sizeMax (101 → 15 s); deleteNode
    steps down only below the next boundary's sizeMin (90), so 95 nodes keep 15 s."""
    ttl = TTLController()
    ttl.sync([node(f"n{i}") for i in range(101)])
    assert ttl.desired_ttl_seconds == 15
    assert set(patched_values(ttl.sync([node(f"n{i}") for i in range(95)])).values()) == {"15"}
    ttl.sync([node(f"n{i}") for i in range(89)])
    assert ttl.desired_ttl_seconds == 0
