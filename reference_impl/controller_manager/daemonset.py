"""The DaemonSet controller: one pod per node the DaemonSet should run on (its node selector and
required node affinity, and the node's NoSchedule/NoExecute taints against the pod's tolerations
plus those every daemon pod gets), pods deleted from nodes it should not run on, a rolling update
that replaces old pods while at most maxUnavailable nodes lack an available updated pod, and the
template kept as ControllerRevisions whose hash labels the pods. Expectations stop a stale pod
cache from creating twice.

Pods are created with a required node affinity for their node, as in 1.24, and bound by the
scheduler. A pod is available once ready for longer than minReadySeconds, for the status and the
rolling update alike. Not modelled: maxSurge, the backoff before a failed pod is replaced, and
adoption of orphaned pods.
"""
from __future__ import annotations

import copy
import re

from reference_impl.controller_manager import podcontrol
from reference_impl.machinery.actions import Create, Delete, RetriedStatusUpdate, Update
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.objects import (controller_ref, meta_namespace_key, owner_reference, pod_available,
                                              pod_ready)
from reference_impl.machinery.scheduling import find_untolerated_taint, required_node_affinity_matches
from reference_impl.controller_manager.deployment import _int_or_percent, compute_hash
from reference_impl.controller_manager.expectations import ControllerExpectations
from reference_impl.controller_manager.history import (REVISION_HASH_LABEL, find_equal_revisions, next_revision,
                                                       owned_revisions, sort_revisions, template_patch)
from reference_impl.controller_manager.replicaset import BURST_REPLICAS
from reference_impl.mirrors import mirrors

TEMPLATE_GENERATION_LABEL = "pod-template-generation"
EVENT_SOURCE = "daemonset-controller"
# Where a DaemonSet's templateGeneration lives in apps/v1; an apiserver that does not keep it
# leaves the pods without TEMPLATE_GENERATION_LABEL.
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"

# Every daemon pod tolerates these, so it keeps running through node trouble (and runs on
# cordoned nodes); network-unavailable only for host-network pods.
_DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
_HOST_NETWORK_TOLERATION = ("node.kubernetes.io/network-unavailable", "NoSchedule")


@mirrors("k8s.io/kubernetes/pkg/controller/daemon/util.AddOrUpdateDaemonPodTolerations")
def add_daemon_tolerations(spec: dict) -> None:
    wanted = list(_DAEMON_TOLERATIONS) + ([_HOST_NETWORK_TOLERATION] if spec.get("hostNetwork") else [])
    tolerations = [t for t in spec.get("tolerations") or []
                   if (t.get("key"), t.get("effect")) not in wanted]
    tolerations += [{"key": key, "operator": "Exists", "effect": effect} for key, effect in wanted]
    spec["tolerations"] = tolerations


@mirrors("k8s.io/kubernetes/pkg/controller/daemon/util.GetTemplateGeneration")
def template_generation(ds: dict) -> int | None:
    """The generation annotation, or None when it is absent or not an integer (syncNodes then
    creates pods without the generation label)."""
    value = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    # strconv.ParseInt's syntax: no spaces or underscores, which int() would take.
    return int(value) if value is not None and re.fullmatch(r"[+-]?[0-9]+", value) else None


@mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).snapshot")
def snapshot(ds: dict, revision: int) -> dict:
    """A ControllerRevision of the DaemonSet's template: named and labelled by the template's
    hash (ComputeHash, not HashControllerRevision), carrying the DaemonSet's annotations."""
    hash_ = compute_hash(ds["spec"]["template"], ds.get("status", {}).get("collisionCount", 0))
    labels = {**((ds["spec"]["template"].get("metadata") or {}).get("labels") or {}), REVISION_HASH_LABEL: hash_}
    metadata = {"name": f"{ds['metadata']['name']}-{hash_}", "namespace": ds["metadata"]["namespace"],
                "labels": labels, "ownerReferences": [owner_reference(ds, "DaemonSet", "apps/v1")]}
    if ds["metadata"].get("annotations"):
        metadata["annotations"] = dict(ds["metadata"]["annotations"])
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": metadata,
            "data": template_patch(ds), "revision": revision}


@mirrors("k8s.io/kubernetes/pkg/controller/daemon.NewPod")
def new_pod(ds: dict, node_name: str) -> dict:
    """The daemon pod the controller would make for a node, before it is pinned there."""
    template = ds["spec"]["template"]
    spec = copy.deepcopy(template.get("spec") or {})
    add_daemon_tolerations(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": copy.deepcopy(template.get("metadata") or {}),
            "spec": spec}


@mirrors("k8s.io/kubernetes/pkg/controller/daemon.Predicates")
def predicates(pod: dict, node: dict) -> tuple[bool, bool, bool]:
    """(fits the node name, fits the required node affinity, tolerates the node's taints)."""
    wanted = pod["spec"].get("nodeName")
    fits_name = not wanted or wanted == node["metadata"]["name"]
    fits_affinity = required_node_affinity_matches(pod, node)
    taints = (node.get("spec") or {}).get("taints")
    fits_taints = find_untolerated_taint(taints, pod["spec"].get("tolerations")) is None
    return fits_name, fits_affinity, fits_taints


@mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).nodeShouldRunDaemonPod")
def node_should_run_daemon_pod(node: dict, ds: dict) -> tuple[bool, bool]:
    """(a daemon pod should be created on the node, one already there may keep running): a pod
    only NoSchedule keeps out may stay; one a NoExecute taint evicts may not."""
    pod = new_pod(ds, node["metadata"]["name"])
    fits_name, fits_affinity, fits_taints = predicates(pod, node)
    if not fits_name or not fits_affinity:
        return False, False
    if not fits_taints:
        evicting = find_untolerated_taint((node.get("spec") or {}).get("taints"), pod["spec"].get("tolerations"),
                                          effects=("NoExecute",))
        return False, evicting is None
    return True, True


@mirrors("k8s.io/kubernetes/pkg/controller/daemon/util.GetTargetNodeName")
def target_node_name(pod: dict) -> str | None:
    """spec.nodeName, or before binding the node its required node affinity pins it to."""
    if pod.get("spec", {}).get("nodeName"):
        return pod["spec"]["nodeName"]
    required = ((((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            values = field.get("values") or []
            if field.get("key") == "metadata.name" and field.get("operator") == "In" and len(values) == 1:
                return values[0]
    return None


@mirrors("k8s.io/kubernetes/pkg/controller/daemon/util.ReplaceDaemonSetPodNodeNameNodeAffinity")
def pin_to_node(spec: dict, node_name: str) -> None:
    affinity = spec.get("affinity") or {}
    spec["affinity"] = affinity
    affinity.setdefault("nodeAffinity", {})["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [{"matchFields": [
            {"key": "metadata.name", "operator": "In", "values": [node_name]}]}]}


@mirrors("k8s.io/kubernetes/pkg/controller/daemon/util.IsPodUpdated")
def is_pod_updated(pod: dict, hash_: str) -> bool:
    return (pod["metadata"].get("labels") or {}).get(REVISION_HASH_LABEL) == hash_


def _creation_order(pod: dict) -> tuple:
    """podByCreationTimestampAndPhase: scheduled pods first, then the oldest, ties by name."""
    return (not pod.get("spec", {}).get("nodeName"), pod["metadata"].get("creationTimestamp", ""),
            pod["metadata"]["name"])


class DaemonSetsController:
    def __init__(self, clock, burst_replicas: int = BURST_REPLICAS):
        self.clock = clock
        self.expectations = ControllerExpectations(clock)
        self.burst_replicas = burst_replicas
        # Seconds after which the last sync wants its key back (the queue's AddAfter), or None.
        self.requeue_after: float | None = None

    def _available(self, ds: dict, pod: dict) -> bool:
        return pod_available(pod, ds["spec"].get("minReadySeconds") or 0, self.clock.now())

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).addPod")
    def add_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "DaemonSet" and not pod["metadata"].get("deletionTimestamp"):
            self.expectations.creation_observed(f"{pod['metadata']['namespace']}/{ref['name']}")

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).deletePod")
    def delete_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref and ref.get("kind") == "DaemonSet":
            self.expectations.deletion_observed(f"{pod['metadata']['namespace']}/{ref['name']}")

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).deleteDaemonset")
    def delete_ds(self, ds: dict) -> None:
        self.expectations.delete(meta_namespace_key(ds))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).syncDaemonSet")
    def sync(self, ds: dict, nodes: list[dict], pods: list[dict], revisions: list[dict]) -> list:
        """Actions for `ds` given every node, and every pod and ControllerRevision in its namespace."""
        self.requeue_after = None
        if ds["metadata"].get("deletionTimestamp"):
            return []
        key, actions = meta_namespace_key(ds), []
        current, old = self._construct_history(ds, revisions, actions)
        hash_ = current["metadata"]["labels"][REVISION_HASH_LABEL]
        node_to_pods = self._nodes_to_daemon_pods(ds, pods)
        satisfied = self.expectations.satisfied(key)
        if satisfied:
            actions += self._manage(ds, nodes, node_to_pods, hash_)
            if (self.expectations.satisfied(key)
                    and (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"):
                actions += self._rolling_update(ds, nodes, node_to_pods, hash_)
            actions += self._cleanup_history(ds, old, pods)
        # Unsatisfied expectations: the status only, its observedGeneration left alone, as this
        # sync did not act on that generation.
        actions += self._update_status(ds, nodes, node_to_pods, hash_, update_observed_gen=satisfied)
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).constructHistory")
    def _construct_history(self, ds: dict, revisions: list[dict], actions: list) -> tuple[dict, list[dict]]:
        """(the revision of the current template, the older ones); a new template gets a revision
        numbered after the newest, and an old template brought back is renumbered so."""
        ns = ds["metadata"]["namespace"]
        history = sort_revisions(owned_revisions(ds, revisions))
        wanted = snapshot(ds, next_revision(history))
        equal = find_equal_revisions(history, wanted)
        old = [r for r in history if not equal or r is not equal[-1]]
        if not equal:
            actions.append(Create("controllerrevisions", ns, wanted))
            return wanted, old
        current, number = equal[-1], max((r.get("revision", 0) for r in old), default=0) + 1
        if current.get("revision", 0) < number:
            current = dict(copy.deepcopy(current), revision=number)
            actions.append(Update("controllerrevisions", ns, current))
        return current, old

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).getNodesToDaemonPods")
    def _nodes_to_daemon_pods(self, ds: dict, pods: list[dict]) -> dict[str, list[dict]]:
        uid, selector = ds["metadata"]["uid"], ds["spec"].get("selector")
        result: dict[str, list[dict]] = {}
        for pod in pods:
            if ((controller_ref(pod) or {}).get("uid") != uid
                    or not selector_matches(selector, pod["metadata"].get("labels"))):
                continue
            node_name = target_node_name(pod)
            if node_name:
                result.setdefault(node_name, []).append(pod)
        return result

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).manage")
    def _manage(self, ds: dict, nodes: list[dict], node_to_pods: dict[str, list[dict]], hash_: str) -> list:
        needing, to_delete, events = [], [], []
        for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
            node_needs, node_deletes = self._pods_should_be_on_node(node, node_to_pods, ds, events)
            needing += node_needs
            to_delete += node_deletes
        # getUnscheduledPodsWithoutNode: pods pinned to nodes that no longer exist.
        known = {n["metadata"]["name"] for n in nodes}
        to_delete += [p for name, ps in sorted(node_to_pods.items()) if name not in known
                      for p in ps if not p["metadata"].get("deletionTimestamp")]
        return events + self._sync_nodes(ds, to_delete, needing, hash_)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).podsShouldBeOnNode")
    def _pods_should_be_on_node(self, node: dict, node_to_pods: dict[str, list[dict]],
                                ds: dict, events: list) -> tuple[list[str], list[dict]]:
        """(node names needing a daemon pod, pods to delete) for one node; a failed daemon pod,
        deleted to be replaced, is a FailedDaemonPod Warning in `events`."""
        should_run, should_continue = node_should_run_daemon_pod(node, ds)
        name = node["metadata"]["name"]
        pods = node_to_pods.get(name)
        if should_run and not pods:
            return [name], []
        if should_continue:
            alive = [p for p in pods or [] if not p["metadata"].get("deletionTimestamp")]
            failed = [p for p in alive if p.get("status", {}).get("phase") == "Failed"]
            events += [podcontrol.record(EVENT_SOURCE, ds, "DaemonSet", "apps/v1", "Warning", "FailedDaemonPod",
                                         f"Found failed daemon pod {meta_namespace_key(p)} on node {name}, "
                                         "will try to kill it") for p in failed]
            running = sorted((p for p in alive if p not in failed), key=_creation_order)
            # Without surge a node keeps only its oldest daemon pod.
            return [], failed + running[1:]
        return [], [p for p in pods or [] if not p["metadata"].get("deletionTimestamp")]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).syncNodes")
    def _sync_nodes(self, ds: dict, to_delete: list[dict], nodes_needing: list[str], hash_: str) -> list:
        ns, key = ds["metadata"]["namespace"], meta_namespace_key(ds)
        creates = nodes_needing[:self.burst_replicas]
        deletes = to_delete[:self.burst_replicas]
        self.expectations.set(key, len(creates), len(deletes))
        pod_creates: list = []
        for node_name in creates:
            pod = new_pod(ds, node_name)
            meta = pod["metadata"]
            meta.pop("name", None)
            meta.update(generateName=f"{ds['metadata']['name']}-", namespace=ns,
                        ownerReferences=[owner_reference(ds, "DaemonSet", "apps/v1")])
            # util.CreatePodTemplate: the generation label only when the annotation holds one.
            generation = template_generation(ds)
            meta["labels"] = {**(meta.get("labels") or {}), REVISION_HASH_LABEL: hash_}
            if generation is not None:
                meta["labels"][TEMPLATE_GENERATION_LABEL] = str(generation)
            pin_to_node(pod["spec"], node_name)
            pod_creates.append(podcontrol.create_pod(EVENT_SOURCE, ds, "DaemonSet", "apps/v1", pod))
        actions: list = [podcontrol.SlowStartCreates(tuple(pod_creates))] if pod_creates else []
        if deletes:
            actions.append(podcontrol.DeletePods(tuple(
                podcontrol.delete_pod(EVENT_SOURCE, ds, "DaemonSet", "apps/v1", p) for p in deletes)))
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).rollingUpdate")
    def _rolling_update(self, ds: dict, nodes: list[dict], node_to_pods: dict[str, list[dict]],
                        hash_: str) -> list:
        """Delete old pods, the unavailable ones always and available ones while fewer than
        maxUnavailable nodes lack an available updated pod; manage creates their replacements."""
        desired = {n["metadata"]["name"] for n in nodes if node_should_run_daemon_pod(n, ds)[0]}
        rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
        max_unavailable = _int_or_percent(rolling.get("maxUnavailable", 1), len(desired), True)
        if desired and max_unavailable == 0:
            max_unavailable = 1  # 0 with no surge would never make progress
        unavailable, replace, candidates = 0, [], []
        for node_name in sorted(desired | set(node_to_pods)):
            alive = [p for p in node_to_pods.get(node_name) or [] if not p["metadata"].get("deletionTimestamp")]
            new = [p for p in alive if is_pod_updated(p, hash_)]
            old = [p for p in alive if not is_pod_updated(p, hash_)]
            if len(new) > 1 or len(old) > 1 or bool(new) == bool(old):
                unavailable += 1  # manage settles this node first
            elif new:
                unavailable += not self._available(ds, new[0])
            elif not self._available(ds, old[0]):
                replace.append(old[0])
            elif unavailable < max_unavailable:
                candidates.append(old[0])
        budget = min(max(0, max_unavailable - unavailable), len(candidates))
        return self._sync_nodes(ds, replace + candidates[:budget], [], hash_)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).cleanupHistory")
    def _cleanup_history(self, ds: dict, old: list[dict], pods: list[dict]) -> list:
        """Delete the oldest revisions beyond revisionHistoryLimit whose hash no pod carries."""
        live = {(p["metadata"].get("labels") or {}).get(REVISION_HASH_LABEL) for p in pods
                if (controller_ref(p) or {}).get("uid") == ds["metadata"]["uid"]}
        idle = [r for r in old if r["metadata"]["labels"].get(REVISION_HASH_LABEL) not in live]
        limit = ds["spec"].get("revisionHistoryLimit", 10)
        return [Delete("controllerrevisions", r["metadata"]["namespace"], r["metadata"]["name"])
                for r in idle[:max(0, len(idle) - limit)]]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).updateDaemonSetStatus")
    def _update_status(self, ds: dict, nodes: list[dict], node_to_pods: dict[str, list[dict]],
                       hash_: str, update_observed_gen: bool = True) -> list:
        desired = current = misscheduled = ready = available = updated = 0
        for node in nodes:
            should_run, _ = node_should_run_daemon_pod(node, ds)
            pods = node_to_pods.get(node["metadata"]["name"])
            if not should_run:
                misscheduled += bool(pods)
                continue
            desired += 1
            if not pods:
                continue
            current += 1
            oldest = min(pods, key=_creation_order)
            ready += pod_ready(oldest)
            available += self._available(ds, oldest)
            updated += is_pod_updated(oldest, hash_)
        status = {"desiredNumberScheduled": desired, "currentNumberScheduled": current,
                  "numberMisscheduled": misscheduled, "numberReady": ready,
                  "numberAvailable": available, "numberUnavailable": desired - available,
                  "updatedNumberScheduled": updated}
        # Back after minReadySeconds, when the ready pods not yet available may be (a last line of
        # defence upstream; here what brings the key back, as no pod event will).
        min_ready = ds["spec"].get("minReadySeconds") or 0
        self.requeue_after = float(min_ready) if min_ready > 0 and ready != available else None
        # Zero counts may be left out of a stored status (omitempty upstream).
        generation = ds["metadata"].get("generation", 1)
        if (status == {k: ds.get("status", {}).get(k, 0) for k in status}
                and ds.get("status", {}).get("observedGeneration", 0) >= generation):
            return []
        if update_observed_gen:
            status = {"observedGeneration": generation, **status}
        updated_ds = copy.deepcopy(ds)
        updated_ds.setdefault("status", {}).update(status)
        # storeDaemonSetStatus writes these fields alone onto the copy it reads again after a refusal.
        return [RetriedStatusUpdate("daemonsets", ds["metadata"]["namespace"], updated_ds, "status",
                                    fields=tuple(status))]
