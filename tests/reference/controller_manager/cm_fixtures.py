"""Object builders shared by the controller tests."""
from __future__ import annotations

import itertools

_uids = itertools.count(1)


def uid() -> str:
    return f"uid-{next(_uids)}"


def pod(name, labels=None, ns="default", owner=None, ready=True, node="n1", ip=None,
        phase="Running", created="2026-01-01T00:00:00Z", tolerations=None, ports=None):
    meta = {"name": name, "namespace": ns, "uid": uid(), "labels": dict(labels or {}),
            "creationTimestamp": created}
    if owner is not None:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner.get("kind", "ReplicaSet"),
                                    "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                                    "controller": True, "blockOwnerDeletion": True}]
    spec = {"containers": [{"name": "c", "image": "nginx", "ports": ports or []}]}
    if node:
        spec["nodeName"] = node
    if tolerations is not None:
        spec["tolerations"] = tolerations
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    if ip:
        status["podIP"] = ip
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def replicaset(name="rs", replicas=3, labels=None, ns="default"):
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "generation": 1},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
            "status": {}}


def deployment(name="web", replicas=4, image="nginx:1", max_surge=1, max_unavailable=1,
               history=10, ns="default"):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "generation": 1},
            "spec": {"replicas": replicas, "revisionHistoryLimit": history,
                     "selector": {"matchLabels": {"app": name}},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": max_surge,
                                                    "maxUnavailable": max_unavailable}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}},
            "status": {}}
