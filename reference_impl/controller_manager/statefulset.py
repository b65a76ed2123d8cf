"""The StatefulSet controller: pods with stable names `<set>-<ordinal>` and, per volumeClaimTemplate,
stable claims `<claim>-<set>-<ordinal>`. With podManagementPolicy OrderedReady (the default) it
creates pods in ascending order, each only once its predecessors are Running and Ready (and
available: ready for minReadySeconds), and deletes them one at a time from the highest ordinal;
Parallel creates and deletes all at once.
Each template is kept as a ControllerRevision; pods carry theirs in `controller-revision-hash`,
and a RollingUpdate replaces pods from the highest ordinal down to the partition, one healthy
pod at a time.

Stateless between syncs: pod names are deterministic, so a create from a stale cache is only a 409.
"""
from __future__ import annotations

import copy
import re

from reference_impl.machinery.actions import Create, Delete, Outcome, RecordEvent, RetriedStatusUpdate, Update
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.clock import WallClock
from reference_impl.machinery.objects import (controller_ref, object_reference, owner_reference, pod_available,
                                              pod_ready)
from reference_impl.controller_manager.history import (REVISION_HASH_LABEL, equal_revision, find_equal_revisions,
                                                       new_revision, next_revision, owned_revisions,
                                                       sort_revisions)
from reference_impl.mirrors import mirrors

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")
EVENT_SOURCE = "statefulset-controller"


def _event(set_: dict, type_: str, reason: str, message: str) -> RecordEvent:
    return RecordEvent(EVENT_SOURCE, object_reference(set_, "StatefulSet", "apps/v1"), type_, reason, message)


@mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.StatefulPodControl).recordPodEvent")
def _pod_outcome(verb: str, set_: dict, pod: dict, quiet_for: tuple[str, ...] = ()) -> Outcome:
    """SuccessfulCreate "create Pod web-0 in StatefulSet web successful", or FailedCreate with
    "... failed error: <error>" (and the same for delete)."""
    what = f"{verb} Pod {pod['metadata']['name']} in StatefulSet {set_['metadata']['name']}"
    return Outcome(_event(set_, "Normal", f"Successful{verb.title()}", f"{what} successful"),
                   _event(set_, "Warning", f"Failed{verb.title()}", f"{what} failed error: {{error}}"), quiet_for)


@mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.StatefulPodControl).CreateStatefulPod")
def _create_pod(set_: dict, pod: dict) -> Create:
    """A pod found already there (a stale cache) records nothing."""
    return Create("pods", set_["metadata"]["namespace"], pod,
                  outcome=_pod_outcome("create", set_, pod, quiet_for=("AlreadyExists",)))


@mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.StatefulPodControl).DeleteStatefulPod")
def _delete_pod(set_: dict, pod: dict) -> Delete:
    return Delete("pods", set_["metadata"]["namespace"], pod["metadata"]["name"],
                  outcome=_pod_outcome("delete", set_, pod))


@mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.StatefulPodControl).recordClaimEvent")
def _create_claim(set_: dict, pod: dict, claim: dict) -> Create:
    """SuccessfulCreate "create Claim data-web-0 Pod web-0 in StatefulSet web success"; a claim
    already there records nothing."""
    names = (claim["metadata"]["name"], pod["metadata"]["name"], set_["metadata"]["name"])
    return Create("persistentvolumeclaims", set_["metadata"]["namespace"], claim, outcome=Outcome(
        _event(set_, "Normal", "SuccessfulCreate", "create Claim {} Pod {} in StatefulSet {} success".format(*names)),
        _event(set_, "Warning", "FailedCreate",
               "create Claim {} for Pod {} in StatefulSet {} failed error: ".format(*names) + "{error}"),
        quiet_for=("AlreadyExists",)))


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.getParentNameAndOrdinal")
def parent_and_ordinal(pod: dict) -> tuple[str, int]:
    match = _ORDINAL.match(pod["metadata"]["name"])
    return (match.group(1), int(match.group(2))) if match else ("", -1)


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.getPodName")
def pod_name(set_: dict, ordinal: int) -> str:
    return f"{set_['metadata']['name']}-{ordinal}"


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.getPersistentVolumeClaimName")
def claim_name(set_: dict, claim: dict, ordinal: int) -> str:
    return f"{claim['metadata']['name']}-{set_['metadata']['name']}-{ordinal}"


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.getPodRevision")
def pod_revision(pod: dict) -> str:
    return (pod["metadata"].get("labels") or {}).get(REVISION_HASH_LABEL, "")


def _is_created(pod: dict) -> bool:
    """Whether the pod exists; a pod built in this sync has no uid yet (upstream: a phase)."""
    return bool(pod["metadata"].get("uid"))


def _is_terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.isRunningAndReady")
def is_running_and_ready(pod: dict) -> bool:
    return pod.get("status", {}).get("phase") == "Running" and pod_ready(pod)


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.isRunningAndAvailable")
def is_running_and_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    return pod.get("status", {}).get("phase") == "Running" and pod_available(pod, min_ready_seconds, now)


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.isHealthy")
def is_healthy(pod: dict) -> bool:
    return is_running_and_ready(pod) and not _is_terminating(pod)


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.getPersistentVolumeClaims")
def persistent_volume_claims(set_: dict, ordinal: int) -> list[dict]:
    """The claims of one ordinal, labelled with the set's matchLabels."""
    claims = []
    for template in set_["spec"].get("volumeClaimTemplates") or []:
        claim = copy.deepcopy(template)
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        meta = claim.setdefault("metadata", {})
        meta.update(name=claim_name(set_, template, ordinal), namespace=set_["metadata"]["namespace"])
        meta["labels"] = {**(meta.get("labels") or {}),
                          **(set_["spec"]["selector"].get("matchLabels") or {})}
        claims.append(claim)
    return claims


@mirrors("k8s.io/kubernetes/pkg/controller.GetPodFromTemplate", "k8s.io/kubernetes/pkg/controller.getPodsPrefix")
def pod_metadata_from_template(template: dict, controller_name: str) -> dict:
    """A new pod's metadata: the template's labels, annotations and finalizers only, and the
    controller's name and a dash as generateName (the name alone if that would be too long),
    which a StatefulSet keeps beside the ordinal name it sets."""
    source = template.get("metadata") or {}
    meta = {key: copy.deepcopy(source[key]) for key in ("labels", "annotations", "finalizers") if source.get(key)}
    meta["generateName"] = f"{controller_name}-" if len(controller_name) < 253 else controller_name
    return meta


@mirrors("k8s.io/kubernetes/pkg/controller/statefulset.newStatefulSetPod")
def new_pod(set_: dict, template: dict, ordinal: int, revision_name: str) -> dict:
    """A pod of `template` for `ordinal`: its name, hostname and subdomain (initIdentity), its
    claims as volumes (updateStorage) and its revision label (setPodRevision)."""
    name = pod_name(set_, ordinal)
    meta = pod_metadata_from_template(template, set_["metadata"]["name"])
    meta.update(name=name, namespace=set_["metadata"]["namespace"],
                ownerReferences=[owner_reference(set_, "StatefulSet", "apps/v1")])
    meta["labels"] = {**(meta.get("labels") or {}), POD_NAME_LABEL: name, REVISION_HASH_LABEL: revision_name}
    spec = copy.deepcopy(template.get("spec") or {})
    spec["hostname"] = name
    if set_["spec"].get("serviceName"):
        spec["subdomain"] = set_["spec"]["serviceName"]
    claims = {t["metadata"]["name"]: claim_name(set_, t, ordinal)
              for t in set_["spec"].get("volumeClaimTemplates") or []}
    volumes = [v for v in spec.get("volumes") or [] if v["name"] not in claims]
    volumes += [{"name": volume, "persistentVolumeClaim": {"claimName": claim}}
                for volume, claim in claims.items()]
    if volumes:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def _revision_template(revision: dict) -> dict:
    """The pod template a revision recorded (ApplyRevision of its patch)."""
    template = copy.deepcopy(revision["data"]["spec"]["template"])
    template.pop("$patch", None)
    return template


class StatefulSetController:
    """Stateless between syncs: everything it needs is in the caches it is handed, and the time."""

    def __init__(self, clock=None):
        self.clock = clock or WallClock()
        # Seconds after which the last sync wants its key back (the queue's AddAfter), or None.
        self.requeue_after: float | None = None

    def _available(self, set_: dict, pod: dict) -> bool:
        """StatefulSetMinReadySeconds (beta, on in 1.24): running and ready for minReadySeconds."""
        return is_running_and_available(pod, set_["spec"].get("minReadySeconds") or 0, self.clock.now())

    @mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.StatefulSetController).syncStatefulSet")
    def sync(self, set_: dict, pods: list[dict], revisions: list[dict], claims: list[dict]) -> list:
        """Actions for `set_` given every pod, ControllerRevision and PersistentVolumeClaim in its namespace."""
        uid, selector = set_["metadata"]["uid"], set_["spec"].get("selector")
        owned = [p for p in pods if (controller_ref(p) or {}).get("uid") == uid
                 and selector_matches(selector, p["metadata"].get("labels"))
                 and parent_and_ordinal(p)[0] == set_["metadata"]["name"]]
        actions: list = []
        history = sort_revisions(owned_revisions(set_, revisions))
        current, update = self._revisions(set_, history, actions)
        status = self._update_stateful_set(set_, current, update, owned,
                                           {c["metadata"]["name"] for c in claims}, actions)
        self._update_status(set_, status, actions)
        self._truncate_history(set_, owned, history, current, update, actions)
        # Back after minReadySeconds while not every replica is available: no pod event will bring it.
        min_ready = set_["spec"].get("minReadySeconds") or 0
        self.requeue_after = (float(min_ready) if min_ready > 0
                              and status["availableReplicas"] != set_["spec"].get("replicas", 1) else None)
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.defaultStatefulSetControl).getStatefulSetRevisions")
    def _revisions(self, set_: dict, history: list[dict], actions: list) -> tuple[dict, dict]:
        """(current revision, update revision), creating the update revision or renumbering an
        older equal one (a rollback) as needed."""
        ns = set_["metadata"]["namespace"]
        collision_count = set_.get("status", {}).get("collisionCount", 0)
        update = new_revision(set_, "StatefulSet", next_revision(history), collision_count)
        equal = find_equal_revisions(history, update)
        if equal and equal_revision(history[-1], equal[-1]):
            update = history[-1]
        elif equal:
            update = dict(copy.deepcopy(equal[-1]), revision=update["revision"])
            actions.append(Update("controllerrevisions", ns, update))
        else:
            actions.append(Create("controllerrevisions", ns, update))
        name = set_.get("status", {}).get("currentRevision")
        current = next((r for r in history if r["metadata"]["name"] == name), update)
        return current, update

    @mirrors("k8s.io/kubernetes/pkg/controller/statefulset.newVersionedStatefulSetPod")
    def _versioned_pod(self, set_: dict, current: dict, update: dict, ordinal: int) -> dict:
        """Ordinals below the partition (or, without one, below status.currentReplicas) are
        made at the current revision, the rest at the update revision."""
        strategy = set_["spec"].get("updateStrategy") or {}
        rolling = strategy.get("rollingUpdate")
        if strategy.get("type", "RollingUpdate") == "RollingUpdate" and (
                (rolling is None and ordinal < set_.get("status", {}).get("currentReplicas", 0))
                or (rolling is not None and ordinal < rolling.get("partition", 0))):
            return new_pod(set_, _revision_template(current), ordinal, current["metadata"]["name"])
        return new_pod(set_, set_["spec"]["template"], ordinal, update["metadata"]["name"])

    @mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.defaultStatefulSetControl).updateStatefulSet")
    def _update_stateful_set(self, set_: dict, current: dict, update: dict, owned: list[dict],
                             claim_names: set[str], actions: list) -> dict:
        replica_count = set_["spec"].get("replicas", 1)
        current_name, update_name = current["metadata"]["name"], update["metadata"]["name"]
        status = {"observedGeneration": set_["metadata"].get("generation", 1), "replicas": 0,
                  "readyReplicas": 0, "availableReplicas": 0, "currentReplicas": 0, "updatedReplicas": 0,
                  "currentRevision": current_name, "updateRevision": update_name,
                  "collisionCount": set_.get("status", {}).get("collisionCount", 0)}

        def count_revision(pod: dict, delta: int) -> None:
            if pod_revision(pod) == current_name:
                status["currentReplicas"] += delta
            if pod_revision(pod) == update_name:
                status["updatedReplicas"] += delta

        def count(pod: dict, delta: int) -> None:
            status["replicas"] += delta
            count_revision(pod, delta)

        replicas: list[dict | None] = [None] * replica_count
        condemned = []
        for pod in owned:
            status["replicas"] += 1
            if not _is_terminating(pod):  # a terminating pod is at no revision any more
                count_revision(pod, 1)
            if is_running_and_ready(pod):
                status["readyReplicas"] += 1
                status["availableReplicas"] += self._available(set_, pod)
            ordinal = parent_and_ordinal(pod)[1]
            if 0 <= ordinal < replica_count:
                replicas[ordinal] = pod
            elif ordinal >= replica_count:
                condemned.append(pod)
        for ordinal in range(replica_count):
            if replicas[ordinal] is None:
                replicas[ordinal] = self._versioned_pod(set_, current, update, ordinal)
        condemned.sort(key=lambda p: parent_and_ordinal(p)[1])
        first_unhealthy = next((p for p in replicas + condemned if not is_healthy(p)), None)
        if set_["metadata"].get("deletionTimestamp"):
            return status
        monotonic = set_["spec"].get("podManagementPolicy", "OrderedReady") != "Parallel"

        for ordinal, pod in enumerate(replicas):
            if pod.get("status", {}).get("phase") == "Failed":
                # A failed pod is deleted; its replacement is created once it is gone.
                actions.append(_event(set_, "Warning", "RecreatingFailedPod",
                                      f"StatefulSet {set_['metadata']['namespace']}/{set_['metadata']['name']} "
                                      f"is recreating failed Pod {pod['metadata']['name']}"))
                actions.append(_delete_pod(set_, pod))
                count(pod, -1)
                if monotonic:
                    return status
                continue
            if not _is_created(pod):
                actions += [_create_claim(set_, pod, c) for c in persistent_volume_claims(set_, ordinal)
                            if c["metadata"]["name"] not in claim_names]
                actions.append(_create_pod(set_, pod))
                count(pod, 1)
                if monotonic:
                    return status
                continue
            if monotonic and (_is_terminating(pod) or not is_running_and_ready(pod)
                              or not self._available(set_, pod)):
                return status

        # Every replica below spec.replicas is Running and Available: condemned pods go, highest first.
        for pod in reversed(condemned):
            if _is_terminating(pod):
                if monotonic:
                    return status
                continue
            if monotonic and not (is_running_and_ready(pod) and self._available(set_, pod)) \
                    and pod is not first_unhealthy:
                return status
            actions.append(_delete_pod(set_, pod))
            count(pod, -1)
            if monotonic:
                return status

        strategy = set_["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") == "OnDelete":
            return status
        partition = (strategy.get("rollingUpdate") or {}).get("partition", 0)
        for pod in reversed(replicas[partition:]):
            if pod_revision(pod) != update_name and not _is_terminating(pod):
                actions.append(_delete_pod(set_, pod))
                count(pod, -1)
                return status
            if not is_healthy(pod):
                return status
        return status

    @mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.defaultStatefulSetControl).updateStatefulSetStatus")
    def _update_status(self, set_: dict, status: dict, actions: list) -> None:
        strategy = (set_["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        # completeRollingUpdate: once every pod is updated and ready the update revision is current.
        if (strategy == "RollingUpdate" and status["updatedReplicas"] == status["replicas"]
                and status["readyReplicas"] == status["replicas"]):
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = status["updateRevision"]
        # Zero counts may be left out of a stored status (omitempty upstream).
        if status != {k: set_.get("status", {}).get(k, 0) for k in status}:
            updated = copy.deepcopy(set_)
            updated.setdefault("status", {}).update(status)
            actions.append(RetriedStatusUpdate("statefulsets", set_["metadata"]["namespace"], updated, "status",
                                               fresh_from="cache"))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/statefulset.defaultStatefulSetControl).truncateHistory")
    def _truncate_history(self, set_: dict, owned: list[dict], history: list[dict], current: dict,
                          update: dict, actions: list) -> None:
        """Delete the oldest revisions beyond revisionHistoryLimit that no pod, nor the current or
        update revision, still uses."""
        live = {pod_revision(p) for p in owned} | {current["metadata"]["name"], update["metadata"]["name"]}
        idle = [r for r in history if r["metadata"]["name"] not in live]
        limit = set_["spec"].get("revisionHistoryLimit", 10)
        for revision in idle[:max(0, len(idle) - limit)]:
            actions.append(Delete("controllerrevisions", revision["metadata"]["namespace"],
                                  revision["metadata"]["name"]))
