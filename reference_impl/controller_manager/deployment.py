"""The Deployment controller: one ReplicaSet per pod template (named by a hash of the template),
a revision annotation per template change, a rolling update that never exceeds replicas+maxSurge
pods nor drops below replicas-maxUnavailable available ones, and old ReplicaSets pruned down to
revisionHistoryLimit. A paused Deployment (`kubectl rollout pause`) rolls nothing out, and a change
of replicas alone (a scaling event) is no rollout step: both are only scaled, several active
ReplicaSets in proportion to their sizes. The deprecated rollback annotation rolls back. The status
carries the Available, Progressing and ReplicaFailure conditions (deploymentprogress).

The template hash is a stable hash of the template's JSON, not upstream's fnv32a of a spew dump:
the names differ from a real cluster's, the behaviour does not.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import re

from reference_impl.controller_manager import deploymentprogress as progress
from reference_impl.machinery.actions import Create, Delete, Outcome, RecordEvent, Update
from reference_impl.machinery.clock import WallClock
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.objects import controller_ref, object_reference, owner_reference
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors

REVISION = "deployment.kubernetes.io/revision"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
HASH_LABEL = "pod-template-hash"
# What the removed extensions/v1beta1 rollback subresource left behind: a revision to roll back to.
DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000  # the controller's maxRevHistoryLengthInChars
# Annotations a Deployment and its ReplicaSets do not copy to each other (annotationsToSkip).
ANNOTATIONS_TO_SKIP = frozenset({"kubectl.kubernetes.io/last-applied-configuration", REVISION,
                                 REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
                                 DEPRECATED_ROLLBACK_TO})
_SAFE = "bcdfghjklmnpqrstvwxz2456789"
EVENT_SOURCE = "deployment-controller"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
NORMAL, WARNING = "Normal", "Warning"


@mirrors("k8s.io/kubernetes/pkg/controller.ComputeHash")
def compute_hash(template: dict, collision_count: int = 0) -> str:
    digest = hashlib.sha256(json.dumps([template, collision_count], sort_keys=True).encode()).digest()
    n = int.from_bytes(digest[:5], "big")
    out = ""
    while n and len(out) < 10:
        n, r = divmod(n, len(_SAFE))
        out += _SAFE[r]
    return out


def _without_hash(template: dict) -> dict:
    t = copy.deepcopy(template)
    (t.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    return t


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.EqualIgnoreHash")
def equal_ignore_hash(a: dict, b: dict) -> bool:
    return _without_hash(a) == _without_hash(b)


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.Revision")
def revision(rs: dict) -> int | None:
    """The revision annotation as a number: 0 when absent, None when it is not an integer
    (strconv.ParseInt's error; the annotation is user-editable)."""
    text = (rs["metadata"].get("annotations") or {}).get(REVISION, "0")
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


@mirrors("(k8s.io/kubernetes/pkg/controller/deployment/util.ReplicaSetsByRevision).Less",
         "(k8s.io/kubernetes/pkg/controller.ReplicaSetsByCreationTimestamp).Less")
def by_revision(a: dict, b: dict) -> int:
    """Older revision first; where either revision does not parse, or they are equal, the older
    creation time first, then the name."""
    rev_a, rev_b = revision(a), revision(b)
    if rev_a is None or rev_b is None or rev_a == rev_b:
        rev_a, rev_b = ((rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]) for rs in (a, b))
    return (rev_a > rev_b) - (rev_a < rev_b)


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.MaxRevision")
def max_revision(replica_sets: list[dict]) -> int:
    """The highest revision, skipping ReplicaSets whose revision does not parse."""
    return max((r for r in map(revision, replica_sets) if r is not None), default=0)


def _int_or_percent(value, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        scaled = int(value[:-1]) * total / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(value)


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.ResolveFenceposts")
def resolve_fenceposts(d: dict) -> tuple[int, int]:
    """(maxSurge, maxUnavailable); both 0 would deadlock, so maxUnavailable becomes 1."""
    rolling = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    replicas = d["spec"].get("replicas", 1)
    surge = _int_or_percent(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = _int_or_percent(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.LastRevision")
def last_revision(replica_sets: list[dict]) -> int:
    """The second highest revision: the one before the current."""
    revisions = sorted((r for r in map(revision, replica_sets) if r is not None), reverse=True)
    return revisions[1] if len(revisions) > 1 else 0


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.copyDeploymentAnnotationsToReplicaSet")
def copy_deployment_annotations_to_replica_set(d: dict, rs: dict) -> bool:
    """The Deployment's own annotations (kubernetes.io/change-cause, ...) onto `rs`; True when any changed."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in (d["metadata"].get("annotations") or {}).items():
        if key not in ANNOTATIONS_TO_SKIP and annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.SetNewReplicaSetAnnotations")
def set_new_replica_set_annotations(d: dict, rs: dict, new_revision: int) -> bool:
    """The Deployment's annotations and revision `new_revision` on its new ReplicaSet `rs`, whose
    old revision, when it had one, goes to the revision history (a rollback brought it back);
    True when `rs` changed. A revision that does not parse leaves it as it is."""
    changed = copy_deployment_annotations_to_replica_set(d, rs)
    annotations = rs["metadata"]["annotations"]
    old = revision(rs)
    if old is None:
        return False
    if old >= new_revision:
        return changed
    if REVISION in annotations:
        history = [r for r in annotations.get(REVISION_HISTORY, "").split(",") if r]
        old_text = annotations[REVISION]
        while history and len(",".join(history + [old_text])) > MAX_REV_HISTORY_LENGTH_IN_CHARS:
            history.pop(0)
        annotations[REVISION_HISTORY] = ",".join(history + [old_text])
    annotations[REVISION] = str(new_revision)
    return True


@mirrors("k8s.io/kubernetes/pkg/controller/deployment.getRollbackTo")
def rollback_to(d: dict) -> int | None:
    """The revision the deprecated rollback annotation asks for (0: the previous one)."""
    text = (d["metadata"].get("annotations") or {}).get(DEPRECATED_ROLLBACK_TO, "")
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


def _active(replica_sets: list[dict | None]) -> list[dict]:
    """controller.FilterActiveReplicaSets: those with replicas."""
    return [rs for rs in replica_sets if rs is not None and _replicas(rs) > 0]


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.IsSaturated")
def _is_saturated(d: dict, rs: dict) -> bool:
    replicas = d["spec"].get("replicas", 1)
    desired = (rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS, "")
    return (_replicas(rs) == replicas and desired == str(replicas)
            and rs.get("status", {}).get("availableReplicas", 0) == replicas)


@mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.GetProportion",
         "k8s.io/kubernetes/pkg/controller/deployment/util.getReplicaSetFraction")
def _proportion(rs: dict, d: dict, to_add: int, added: int) -> int:
    """This ReplicaSet's share of `to_add`: its size scaled from the Deployment size it was made
    for (its max-replicas annotation) to the one now, within what is left to add."""
    if _replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    replicas = d["spec"].get("replicas", 1)
    if replicas == 0:
        fraction = -_replicas(rs)
    else:
        annotated = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS, "")
        sized_for = int(annotated) if annotated.isdigit() else (d.get("status") or {}).get("replicas", 0)
        target = _replicas(rs) * (replicas + resolve_fenceposts(d)[0]) / sized_for if sized_for else 0
        fraction = math.floor(target + 0.5) - _replicas(rs)  # integer.RoundToInt32: half away from zero
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _replicas(rs: dict) -> int:
    return rs["spec"].get("replicas", 0)


def _available(rs: dict) -> int:
    return rs.get("status", {}).get("availableReplicas", 0)


def _event(d: dict, type_: str, reason: str, message: str) -> RecordEvent:
    return RecordEvent(EVENT_SOURCE, object_reference(d, "Deployment", "apps/v1"), type_, reason, message)


def _create_rs_outcome(d: dict, rs: dict) -> Outcome:
    """A new ReplicaSet with replicas is "Scaled up" on creation; a refused create (but for one
    already there, which is adopted) is ReplicaSetCreateError."""
    name, replicas = rs["metadata"]["name"], rs["spec"]["replicas"]
    created = _event(d, NORMAL, "ScalingReplicaSet", f"Scaled up replica set {name} to {replicas}")
    failed = _event(d, WARNING, FAILED_RS_CREATE_REASON, f'Failed to create new replica set "{name}": {{error}}')
    return Outcome(created if replicas > 0 else None, failed, quiet_for=("AlreadyExists",))


def _send_status(d: dict, written: dict, actions: list) -> bool:
    """One UpdateStatus of what the sync gathered in `written` (status and revision annotation);
    False when it is what the Deployment already has."""
    if written["status"] == (d.get("status") or {}) and written["metadata"] == d["metadata"]:
        return False
    actions.append(Update("deployments", d["metadata"]["namespace"], written, "status"))
    return True


class DeploymentController:
    """Stateless between syncs: everything it needs is in the caches it is handed."""

    def __init__(self, clock=None):
        self.clock = clock or WallClock()
        # What the last sync asks of its work queue: seconds until the key's progress check, or None.
        self.progress_check: float | None = None

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).syncDeployment")
    @trace.decision
    def sync(self, d: dict, replica_sets: list[dict]) -> list:
        """Actions for `d` given every ReplicaSet in its namespace. Upstream writes the status
        (and, through deployments/status, the revision annotation, so that the generation does
        not move) at several steps of a sync; here they gather in `written`, sent last."""
        self.progress_check = None
        uid = d["metadata"]["uid"]
        owned = [copy.deepcopy(rs) for rs in replica_sets
                 if (controller_ref(rs) or {}).get("uid") == uid
                 and selector_matches(d["spec"].get("selector"), rs["metadata"].get("labels"))]
        if d["metadata"].get("deletionTimestamp"):
            return []
        actions: list = []
        written = copy.deepcopy(d)
        written.setdefault("status", {})
        progress.check_paused_conditions(d, written["status"], self.clock.now())
        if d["spec"].get("paused"):
            new_rs, old = self._new_and_old(d, owned, actions, written, create=False)
            self._scale_to_spec(d, new_rs, old, actions)
            if rollback_to(d) is None:  # a rollback waiting for the resume keeps its revisions
                self._cleanup(d, old, actions)
            self._sync_status(d, new_rs, old, written, actions, rolling_out=False)
            return actions
        if rollback_to(d) is not None:
            return self._rollback(d, owned, written, actions)
        # A look at the ReplicaSets as they are, on copies: _new_and_old updates what it is given.
        new_rs, old = self._new_and_old(d, copy.deepcopy(owned), [], copy.deepcopy(written), create=False)
        if self._is_scaling_event(d, new_rs, old):
            new_rs, old = self._new_and_old(d, owned, actions, written, create=False)
            self._scale_to_spec(d, new_rs, old, actions)
            self._sync_status(d, new_rs, old, written, actions, rolling_out=False)
            return actions
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            new_rs, old = self._rollout_recreate(d, owned, written, actions)
        else:
            new_rs, old = self._new_and_old(d, owned, actions, written)
            self._rollout_rolling(d, new_rs, old, actions)
        self._cleanup(d, old, actions)
        if not self._sync_status(d, new_rs, old, written, actions, rolling_out=True):
            # syncRolloutStatus: only a rollout whose status stays as it was may be stuck.
            self.progress_check = progress.requeue_stuck_deployment(d, written["status"], self.clock.now())
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).rollback",
             "(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).rollbackToTemplate")
    def _rollback(self, d: dict, owned: list[dict], written: dict, actions: list) -> list:
        """The template of the ReplicaSet at the revision asked for (DeploymentRollback once the
        update is taken), or a Warning why not; the annotation is cleared either way."""
        new_rs, old = self._new_and_old(d, owned, actions, written)
        # Upstream's checkPausedConditions and getNewReplicaSet write the status before the
        # rollback's update (which then conflicts and is done again by the next sync).
        _send_status(d, written, actions)
        all_rs = old + [new_rs]
        wanted = rollback_to(d) or last_revision(all_rs)
        updated = copy.deepcopy(d)
        updated["metadata"]["annotations"].pop(DEPRECATED_ROLLBACK_TO)
        target = next((rs for rs in all_rs if wanted and revision(rs) == wanted), None)
        name = d["metadata"]["name"]
        if target is None:
            message = ("Unable to find the revision to rollback to." if rollback_to(d)
                       else "Unable to find last revision.")
            actions.append(_event(d, WARNING, "DeploymentRollbackRevisionNotFound", message))
        elif equal_ignore_hash(d["spec"]["template"], target["spec"]["template"]):
            actions.append(_event(d, WARNING, "DeploymentRollbackTemplateUnchanged",
                                  f'The rollback revision contains the same template as current deployment "{name}"'))
        else:
            updated["spec"]["template"] = _without_hash(target["spec"]["template"])
            # SetDeploymentAnnotationsTo: the Deployment's own annotations give way to the ReplicaSet's.
            kept = {k: v for k, v in updated["metadata"]["annotations"].items() if k in ANNOTATIONS_TO_SKIP}
            taken = {k: v for k, v in (target["metadata"].get("annotations") or {}).items()
                     if k not in ANNOTATIONS_TO_SKIP}
            updated["metadata"]["annotations"] = {**kept, **taken}
            rolled_back = _event(d, NORMAL, "DeploymentRollback",
                                 f'Rolled back deployment "{name}" to revision {wanted}')
            actions.append(Update("deployments", d["metadata"]["namespace"], updated,
                                  outcome=Outcome(succeeded=rolled_back)))
            return actions
        actions.append(Update("deployments", d["metadata"]["namespace"], updated))
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).isScalingEvent")
    def _is_scaling_event(self, d: dict, new_rs: dict | None, old: list[dict]) -> bool:
        """An active ReplicaSet was sized for other replicas than the Deployment's now."""
        replicas = str(d["spec"].get("replicas", 1))
        return any((rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS, replicas) != replicas
                   for rs in _active(old + [new_rs]))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).scale",
             "k8s.io/kubernetes/pkg/controller/deployment/util.FindActiveOrLatest",
             "k8s.io/kubernetes/pkg/controller/deployment/util.IsSaturated")
    def _scale_to_spec(self, d: dict, new_rs: dict | None, old: list[dict], actions: list) -> None:
        """spec.replicas reached without rolling anything out: the one active ReplicaSet (none
        active: the newest) takes them; a saturated new one leaves the old ones at 0; otherwise
        the active ReplicaSets grow or shrink in proportion to their size."""
        by_age = sorted(old, key=lambda rs: rs["metadata"].get("creationTimestamp", ""))
        active = _active(by_age + [new_rs])
        replicas = d["spec"].get("replicas", 1)
        if len(active) <= 1 and (by_age or new_rs):
            target = active[0] if active else (new_rs or by_age[-1])
            if _replicas(target) != replicas:
                self._scale(d, target, replicas, actions)
            return
        if new_rs is not None and _is_saturated(d, new_rs):
            for rs in _active(old):
                self._scale(d, rs, 0, actions)
            return
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            return
        self._scale_proportionally(d, active, actions)

    def _scale_proportionally(self, d: dict, active: list[dict], actions: list) -> None:
        """The replicas to add (or take away) to reach spec.replicas + maxSurge shared by size,
        the largest ReplicaSet (the newer of equals when adding, the older when removing) first
        and taking what rounding leaves over."""
        replicas = d["spec"].get("replicas", 1)
        allowed = replicas + resolve_fenceposts(d)[0] if replicas > 0 else 0
        to_add = allowed - sum(_replicas(rs) for rs in active)
        newer_first = sorted(active, key=lambda rs: rs["metadata"].get("creationTimestamp", ""), reverse=to_add > 0)
        ordered = sorted(newer_first, key=lambda rs: -_replicas(rs))
        added, sizes = 0, []
        for rs in ordered:
            proportion = _proportion(rs, d, to_add, added)
            sizes.append(_replicas(rs) + proportion)
            added += proportion
        if ordered and to_add:
            sizes[0] = max(0, sizes[0] + to_add - added)
        operation = "up" if to_add > 0 else "down"
        for rs, size in zip(ordered, sizes):
            self._scale_replica_set(d, rs, size, operation, actions)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).getNewReplicaSet")
    def _new_and_old(self, d: dict, owned: list[dict], actions: list, written: dict,
                     create: bool = True) -> tuple[dict | None, list[dict]]:
        """The new ReplicaSet (created if need be) and the old ones; `written` takes the
        revision annotation and the Progressing condition the new one calls for."""
        template = d["spec"]["template"]
        matching = sorted((rs for rs in owned if equal_ignore_hash(rs["spec"]["template"], template)),
                          key=lambda rs: rs["metadata"].get("creationTimestamp", ""))
        new_rs = matching[0] if matching else None
        old = [rs for rs in owned if rs is not new_rs]
        max_old = max_revision(old)
        if new_rs is None:
            if not create:
                return None, old
            new_rs = self._create_new_rs(d, owned, max_old + 1)
            actions.append(Create("replicasets", d["metadata"]["namespace"], new_rs,
                                  outcome=_create_rs_outcome(d, new_rs)))
            if progress.has_progress_deadline(d):
                progress.set_condition(written["status"], progress.new_condition(
                    progress.PROGRESSING, "True", progress.NEW_REPLICA_SET,
                    f'Created new replica set "{new_rs["metadata"]["name"]}"', self.clock.now()))
        elif set_new_replica_set_annotations(d, new_rs, max_old + 1):
            # A rollback to an old template gets a new revision; one that does not parse is left
            # alone and the Deployment copies it as it is.
            actions.append(Update("replicasets", d["metadata"]["namespace"], copy.deepcopy(new_rs)))
        # SetDeploymentRevision copies the ReplicaSet's annotation as it is, parseable or not.
        written["metadata"].setdefault("annotations", {})[REVISION] = new_rs["metadata"]["annotations"][REVISION]
        if (progress.has_progress_deadline(d)
                and progress.get_condition(written["status"], progress.PROGRESSING) is None):
            # A Deployment from before progress deadlines: its progress counts from now.
            progress.set_condition(written["status"], progress.new_condition(
                progress.PROGRESSING, "True", progress.FOUND_NEW_RS,
                f'Found new replica set "{new_rs["metadata"]["name"]}"', self.clock.now()))
        return new_rs, old

    def _create_new_rs(self, d: dict, owned: list[dict], rev: int) -> dict:
        template = copy.deepcopy(d["spec"]["template"])
        pod_hash = compute_hash(template, d.get("status", {}).get("collisionCount", 0))
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": f"{d['metadata']['name']}-{pod_hash}",
                           "namespace": d["metadata"]["namespace"],
                           "labels": dict(template["metadata"]["labels"]),
                           "annotations": {},
                           "ownerReferences": [owner_reference(d, "Deployment", "apps/v1")]},
              "spec": {"replicas": 0, "selector": selector, "template": template},
              "status": {}}
        rs["spec"]["replicas"] = self._new_rs_new_replicas(d, owned, rs)
        set_new_replica_set_annotations(d, rs, rev)
        self._set_replicas_annotations(d, rs)
        return rs

    def _set_replicas_annotations(self, d: dict, rs: dict) -> None:
        surge, _ = resolve_fenceposts(d)
        annotations = rs["metadata"].setdefault("annotations", {})
        annotations[DESIRED_REPLICAS] = str(d["spec"].get("replicas", 1))
        annotations[MAX_REPLICAS] = str(d["spec"].get("replicas", 1) + surge)

    @mirrors("k8s.io/kubernetes/pkg/controller/deployment/util.NewRSNewReplicas")
    def _new_rs_new_replicas(self, d: dict, all_rs: list[dict], new_rs: dict) -> int:
        replicas = d["spec"].get("replicas", 1)
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            return replicas
        surge, _ = resolve_fenceposts(d)
        current = sum(_replicas(rs) for rs in all_rs if rs is not new_rs) + _replicas(new_rs)
        max_total = replicas + surge
        if current >= max_total:
            return _replicas(new_rs)
        return _replicas(new_rs) + min(max_total - current, replicas - _replicas(new_rs))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).scaleReplicaSet")
    def _scale(self, d: dict, rs: dict, replicas: int, actions: list) -> None:
        """Scale `rs`, recording ScalingReplicaSet on the Deployment once the update is taken."""
        if _replicas(rs) == replicas:
            return
        operation = "up" if _replicas(rs) < replicas else "down"
        rs["spec"]["replicas"] = replicas
        self._set_replicas_annotations(d, rs)
        scaled = _event(d, NORMAL, "ScalingReplicaSet",
                        f"Scaled {operation} replica set {rs['metadata']['name']} to {replicas}")
        actions.append(Update("replicasets", rs["metadata"]["namespace"], copy.deepcopy(rs),
                              outcome=Outcome(succeeded=scaled)))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).scaleReplicaSet")
    def _scale_replica_set(self, d: dict, rs: dict, replicas: int, operation: str, actions: list) -> None:
        """Like `_scale`, but the replicas annotations are brought up to date even when the size
        stays, so that the scaling event is over."""
        before = copy.deepcopy(rs["metadata"].get("annotations") or {})
        size_changes = _replicas(rs) != replicas
        rs["spec"]["replicas"] = replicas
        self._set_replicas_annotations(d, rs)
        if not size_changes and rs["metadata"]["annotations"] == before:
            return
        scaled = size_changes and _event(d, NORMAL, "ScalingReplicaSet",
                                         f"Scaled {operation} replica set {rs['metadata']['name']} to {replicas}")
        actions.append(Update("replicasets", rs["metadata"]["namespace"], copy.deepcopy(rs),
                              outcome=Outcome(succeeded=scaled or None)))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).rolloutRolling")
    def _rollout_rolling(self, d: dict, new_rs: dict, old: list[dict], actions: list) -> None:
        replicas = d["spec"].get("replicas", 1)
        # reconcileNewReplicaSet
        if _replicas(new_rs) > replicas:
            self._scale(d, new_rs, replicas, actions)
        elif _replicas(new_rs) < replicas:
            self._scale(d, new_rs, self._new_rs_new_replicas(d, old + [new_rs], new_rs), actions)
        self._reconcile_old(d, new_rs, old, actions)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).reconcileOldReplicaSets")
    def _reconcile_old(self, d: dict, new_rs: dict, old: list[dict], actions: list) -> None:
        if sum(_replicas(rs) for rs in old) == 0:
            return
        all_rs = old + [new_rs]
        _, max_unavailable = resolve_fenceposts(d)
        min_available = d["spec"].get("replicas", 1) - max_unavailable
        new_unavailable = _replicas(new_rs) - _available(new_rs)
        max_scaled_down = sum(_replicas(rs) for rs in all_rs) - min_available - new_unavailable
        if max_scaled_down <= 0:
            return
        old = sorted(old, key=lambda rs: rs["metadata"].get("creationTimestamp", ""))
        # cleanupUnhealthyReplicas: scaling away pods that are not available costs no availability
        cleaned = 0
        for rs in old:
            if cleaned >= max_scaled_down:
                break
            unhealthy = _replicas(rs) - _available(rs)
            if unhealthy <= 0:
                continue
            step = min(unhealthy, max_scaled_down - cleaned)
            self._scale(d, rs, _replicas(rs) - step, actions)
            cleaned += step
        # scaleDownOldReplicaSetsForRollingUpdate
        available = sum(min(_available(rs), _replicas(rs)) for rs in all_rs)
        remaining = min(available - min_available, max_scaled_down - cleaned)
        for rs in old:
            if remaining <= 0:
                break
            step = min(_replicas(rs), remaining)
            if step:
                self._scale(d, rs, _replicas(rs) - step, actions)
                remaining -= step

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).rolloutRecreate")
    def _rollout_recreate(self, d: dict, owned: list[dict], written: dict,
                          actions: list) -> tuple[dict | None, list[dict]]:
        """Scale every old ReplicaSet to 0 and create/scale up the new one only once no old
        pod is left, so old and new pods never run side by side."""
        new_rs, old = self._new_and_old(d, owned, actions, written, create=False)
        for rs in old:
            self._scale(d, rs, 0, actions)
        if any(rs.get("status", {}).get("replicas", 0) for rs in old):
            return new_rs, old
        if new_rs is None:
            new_rs, old = self._new_and_old(d, owned, actions, written)
        else:
            self._scale(d, new_rs, d["spec"].get("replicas", 1), actions)
        return new_rs, old

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).cleanupDeployment")
    def _cleanup(self, d: dict, old: list[dict], actions: list) -> None:
        limit = d["spec"].get("revisionHistoryLimit", 10)
        idle = sorted((rs for rs in old if _replicas(rs) == 0
                       and rs.get("status", {}).get("replicas", 0) == 0
                       and not rs["metadata"].get("deletionTimestamp")), key=functools.cmp_to_key(by_revision))
        for rs in idle[:max(0, len(idle) - limit)]:
            actions.append(Delete("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"]))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).syncDeploymentStatus",
             "k8s.io/kubernetes/pkg/controller/deployment.calculateStatus")
    def _sync_status(self, d: dict, new_rs: dict | None, old: list[dict], written: dict, actions: list,
                     rolling_out: bool) -> bool:
        """The counts and the Available condition; after a rollout step (syncRolloutStatus) the
        Progressing one too. One UpdateStatus sends them with the revision annotation; False
        when there was nothing to send."""
        status = written["status"]
        all_rs = old + ([new_rs] if new_rs is not None else [])
        replicas = d["spec"].get("replicas", 1)
        available = sum(_available(rs) for rs in all_rs)
        counts = {"observedGeneration": d["metadata"].get("generation", 1),
                  "replicas": sum(rs.get("status", {}).get("replicas", 0) for rs in all_rs),
                  "updatedReplicas": (new_rs or {}).get("status", {}).get("replicas", 0),
                  "readyReplicas": sum(rs.get("status", {}).get("readyReplicas", 0) for rs in all_rs),
                  "availableReplicas": available,
                  # Counted against the ReplicaSets' replicas, surge included, not the Deployment's.
                  "unavailableReplicas": max(0, sum(_replicas(rs) for rs in all_rs) - available)}
        status.update(counts)
        now = self.clock.now()
        rolling = (d["spec"].get("strategy") or {}).get("type") != "Recreate"
        progress.set_available_condition(status, available, replicas,
                                         min(resolve_fenceposts(d)[1], replicas) if rolling else 0, now)
        if rolling_out:
            progress.set_progressing_condition(d, status, (new_rs or {}).get("metadata", {}).get("name"), now)
            progress.set_replica_failure_condition(status, new_rs, all_rs)
        return _send_status(d, written, actions)
