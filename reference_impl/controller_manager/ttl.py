"""The TTL controller (pkg/controller/ttl): every Node carries `node.alpha.kubernetes.io/ttl`, the
seconds its kubelet may cache the secrets and config maps its pods use. The value grows with the
cluster's size, in steps whose ranges overlap so that a cluster hovering at a boundary does not
flip between two values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reference_impl.machinery.actions import Patch
from reference_impl.mirrors import mirrors

OBJECT_TTL_ANNOTATION = "node.alpha.kubernetes.io/ttl"


@dataclass(frozen=True)
class TTLBoundary:
    size_min: int
    size_max: int
    ttl_seconds: int


TTL_BOUNDARIES = (
    TTLBoundary(0, 100, 0), TTLBoundary(90, 500, 15), TTLBoundary(450, 1000, 30),
    TTLBoundary(900, 2000, 60), TTLBoundary(1800, 10000, 300), TTLBoundary(9000, 2**31 - 1, 600),
)

# strconv.Atoi's syntax: an optional sign and decimal digits, nothing else.
_ATOI = re.compile(r"[+-]?[0-9]+")


@mirrors("k8s.io/kubernetes/pkg/controller/ttl.getIntFromAnnotation")
def int_from_annotation(node: dict, key: str) -> int | None:
    value = (node["metadata"].get("annotations") or {}).get(key)
    if value is None or not _ATOI.fullmatch(value):
        return None
    return int(value)


class TTLController:
    """Keeps the boundary step between passes, as upstream keeps it between node events."""

    def __init__(self):
        self.node_count = 0
        self.boundary_step = 0
        self.desired_ttl_seconds = TTL_BOUNDARIES[0].ttl_seconds

    @mirrors("(*k8s.io/kubernetes/pkg/controller/ttl.Controller).addNode",
             "(*k8s.io/kubernetes/pkg/controller/ttl.Controller).deleteNode")
    def _count_nodes(self, count: int) -> None:
        """Step the boundary one node at a time, as the add and delete handlers do, so the
        overlapping ranges give the same hysteresis however many nodes came or went."""
        while self.node_count < count:
            self.node_count += 1
            if self.node_count > TTL_BOUNDARIES[self.boundary_step].size_max:
                self.boundary_step += 1
                self.desired_ttl_seconds = TTL_BOUNDARIES[self.boundary_step].ttl_seconds
        while self.node_count > count:
            self.node_count -= 1
            if self.node_count < TTL_BOUNDARIES[self.boundary_step].size_min:
                self.boundary_step -= 1
                self.desired_ttl_seconds = TTL_BOUNDARIES[self.boundary_step].ttl_seconds

    @mirrors("(*k8s.io/kubernetes/pkg/controller/ttl.Controller).updateNodeIfNeeded")
    def sync(self, nodes: list[dict]) -> list:
        """A patch of the annotation for every node whose value is missing, unreadable or not
        the one this cluster size calls for."""
        self._count_nodes(len(nodes))
        return [Patch("nodes", None, node["metadata"]["name"],
                      {"metadata": {"annotations": {OBJECT_TTL_ANNOTATION: str(self.desired_ttl_seconds)}}})
                for node in nodes
                if int_from_annotation(node, OBJECT_TTL_ANNOTATION) != self.desired_ttl_seconds]
