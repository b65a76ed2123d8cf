"""The Deployment controller's sync, one rule per test; the rollout tests run a small simulation
in which pods of a scaled-up ReplicaSet become available one sync later."""
from __future__ import annotations

import copy

from cm_fixtures import deployment

from reference_impl.machinery.actions import Create, Delete, RecordEvent, Update
from reference_impl.controller_manager.deployment import (DESIRED_REPLICAS, HASH_LABEL, REVISION,
                                                          DeploymentController, resolve_fenceposts)
from reference_impl.controller_manager.deploymentprogress import RATE_LIMITED_REQUEUE, requeue_stuck_deployment
from reference_impl.machinery.clock import ManualClock


def rs_creates(actions):
    return [a.obj for a in actions if isinstance(a, Create) and a.resource == "replicasets"]


def settle(rs_list):
    """Every ReplicaSet's pods exist and are available (a finished previous rollout)."""
    for rs in rs_list:
        n = rs["spec"]["replicas"]
        rs["status"] = {"replicas": n, "readyReplicas": n, "availableReplicas": n}
        rs["metadata"].setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
    return rs_list


class Cluster:
    """ReplicaSets as the cache holds them; applies the controller's actions."""

    def __init__(self):
        self.rs: dict[str, dict] = {}
        self.tick = 0

    def apply(self, actions):
        for a in actions:
            if a.resource != "replicasets":
                continue
            if isinstance(a, Create):
                obj = copy.deepcopy(a.obj)
                self.tick += 1
                obj["metadata"]["uid"] = f"rs-{obj['metadata']['name']}"
                obj["metadata"]["creationTimestamp"] = f"2026-01-01T00:00:{self.tick:02d}Z"
                obj["status"] = {"replicas": 0, "availableReplicas": 0}
                self.rs[obj["metadata"]["name"]] = obj
            elif isinstance(a, Update):
                status = self.rs[a.obj["metadata"]["name"]]["status"]
                self.rs[a.obj["metadata"]["name"]] = copy.deepcopy(a.obj)
                self.rs[a.obj["metadata"]["name"]]["status"] = status
            elif isinstance(a, Delete):
                del self.rs[a.name]

    def kubelet_step(self):
        """Scale-downs take effect at once; new pods are available by the next step."""
        for rs in self.rs.values():
            want, status = rs["spec"]["replicas"], rs["status"]
            status["availableReplicas"] = min(status.get("replicas", 0), want)
            status["replicas"] = want
            status["readyReplicas"] = status["availableReplicas"]

    def available(self):
        return sum(rs["status"].get("availableReplicas", 0) for rs in self.rs.values())

    def total(self):
        return sum(max(rs["spec"]["replicas"], rs["status"].get("replicas", 0)) for rs in self.rs.values())


def rollout(d, steps=40):
    """Start from a settled Deployment, change its image, sync until done; yield the cluster."""
    c, ctl = Cluster(), DeploymentController()
    for _ in range(3):
        c.apply(ctl.sync(d, list(c.rs.values())))
        c.kubelet_step()
    d = copy.deepcopy(d)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    for _ in range(steps):
        c.apply(ctl.sync(d, list(c.rs.values())))
        yield c
        c.kubelet_step()


def test_new_deployment_creates_a_replicaset_at_revision_1():
    """A Deployment without ReplicaSets creates one with revision 1 and the pod-template-hash label."""
    d = deployment(replicas=3)
    (rs,) = rs_creates(DeploymentController().sync(d, []))
    assert rs["metadata"]["annotations"][REVISION] == "1"
    pod_hash = rs["spec"]["template"]["metadata"]["labels"][HASH_LABEL]
    assert rs["spec"]["selector"]["matchLabels"][HASH_LABEL] == pod_hash
    assert rs["metadata"]["name"] == f"web-{pod_hash}" and rs["spec"]["replicas"] == 3


def test_deployment_gets_the_new_replicasets_revision():
    """The Deployment's revision annotation is set to its new ReplicaSet's, through
    deployments/status as upstream's SetDeploymentRevision and UpdateStatus do: an update of the
    Deployment itself would change its annotations and so its generation."""
    actions = DeploymentController().sync(deployment(), [])
    updates = [a for a in actions if isinstance(a, Update) and a.resource == "deployments"]
    assert [a.subresource for a in updates] == ["status"]
    assert updates[0].obj["metadata"]["annotations"][REVISION] == "1"


def test_template_change_creates_the_next_revision():
    """Changing the pod template creates a ReplicaSet at max(old revisions)+1."""
    d, ctl = deployment(replicas=2), DeploymentController()
    old = settle(rs_creates(ctl.sync(d, [])))
    for rs in old:
        rs["metadata"]["uid"] = "x"
    old[0]["metadata"]["ownerReferences"][0]["uid"] = d["metadata"]["uid"]
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    (new,) = rs_creates(ctl.sync(d, old))
    assert new["metadata"]["annotations"][REVISION] == "2"
    assert new["metadata"]["annotations"][DESIRED_REPLICAS] == "2"


def test_an_old_replicaset_whose_revision_is_not_a_number_is_skipped():
    """MaxRevision skips a ReplicaSet whose revision annotation does not parse (`abc`): the new
    revision counts the others only."""
    d, ctl = deployment(replicas=2), DeploymentController()
    old = settle(rs_creates(ctl.sync(d, [])))
    old[0]["metadata"]["uid"] = "x"
    old[0]["metadata"]["annotations"][REVISION] = "abc"
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    (new,) = rs_creates(ctl.sync(d, old))
    assert new["metadata"]["annotations"][REVISION] == "1"


def test_a_new_replicaset_whose_revision_is_not_a_number_is_left_as_it_is():
    """SetNewReplicaSetAnnotations leaves an unparseable revision alone, and the Deployment's
    revision annotation copies it as it is."""
    d, ctl = deployment(replicas=2), DeploymentController()
    (new,) = settle(rs_creates(ctl.sync(d, [])))
    new["metadata"]["uid"] = "x"
    new["metadata"]["annotations"][REVISION] = "abc"
    actions = ctl.sync(d, [new])
    assert not [a for a in actions if a.resource == "replicasets"]
    (update,) = [a.obj for a in actions if a.resource == "deployments"]
    assert update["metadata"]["annotations"][REVISION] == "abc"


def test_fenceposts_round_surge_up_and_unavailable_down():
    """25% of 10 replicas is a maxSurge of 3 and a maxUnavailable of 2."""
    assert resolve_fenceposts(deployment(replicas=10, max_surge="25%", max_unavailable="25%")) == (3, 2)


def test_zero_surge_and_zero_unavailable_allows_one_unavailable():
    """maxSurge 0 and maxUnavailable 0 would never progress, so maxUnavailable becomes 1."""
    assert resolve_fenceposts(deployment(max_surge=0, max_unavailable=0)) == (0, 1)


def test_rolling_update_never_goes_below_replicas_minus_max_unavailable():
    """Throughout a rollout at least replicas - maxUnavailable pods stay available."""
    d = deployment(replicas=5, max_surge=2, max_unavailable=1)
    for c in rollout(d):
        assert c.available() >= 5 - 1


def test_rolling_update_never_exceeds_replicas_plus_max_surge():
    """Throughout a rollout there are never more than replicas + maxSurge pods."""
    d = deployment(replicas=5, max_surge=2, max_unavailable=1)
    for c in rollout(d):
        assert c.total() <= 5 + 2


def test_rolling_update_completes():
    """A rollout ends with every replica in the new ReplicaSet and the old one at 0."""
    d = deployment(replicas=4, max_surge=1, max_unavailable=0)
    for c in rollout(d):
        pass
    by_rev = {rs["metadata"]["annotations"][REVISION]: rs["spec"]["replicas"] for rs in c.rs.values()}
    assert by_rev == {"1": 0, "2": 4}


def test_surge_zero_rollout_first_scales_old_down():
    """With maxSurge 0 the first step scales the old ReplicaSet down by maxUnavailable."""
    d = deployment(replicas=4, max_surge=0, max_unavailable=1)
    steps = rollout(d)
    c = next(steps)
    by_rev = {rs["metadata"]["annotations"][REVISION]: rs["spec"]["replicas"] for rs in c.rs.values()}
    assert by_rev == {"1": 3, "2": 0}


def old_replica_sets(d, revisions):
    """Idle old ReplicaSets of `d`, one per revision annotation, created a day apart in order."""
    olds = []
    for day, rev in enumerate(revisions, 1):
        olds.append({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                     "metadata": {"name": f"web-old{day}", "namespace": "default", "uid": f"o{day}",
                                  "labels": {"app": "web"}, "annotations": {REVISION: rev},
                                  "creationTimestamp": f"2025-01-0{day}T00:00:00Z",
                                  "ownerReferences": [{"uid": d["metadata"]["uid"], "controller": True}]},
                     "spec": {"replicas": 0, "selector": d["spec"]["selector"],
                              "template": {"metadata": {"labels": {"app": "web"}},
                                           "spec": {"containers": [{"name": "c", "image": f"old:{day}"}]}}},
                     "status": {"replicas": 0}})
    return olds


def test_history_beyond_the_limit_is_deleted():
    """Idle old ReplicaSets beyond revisionHistoryLimit are deleted, oldest revision first."""
    d = deployment(replicas=1, history=1)
    deleted = [a.name for a in DeploymentController().sync(d, old_replica_sets(d, ["1", "2", "3"]))
               if isinstance(a, Delete)]
    assert deleted == ["web-old1", "web-old2"]


def test_history_with_an_unparseable_revision_is_still_cleaned_up():
    """ReplicaSetsByRevision orders a ReplicaSet whose revision does not parse by creation time
    against the others: here after the older revision 2, before the newer revision 3 (the sort
    compared None with numbers, a TypeError that ended the sync)."""
    d = deployment(replicas=1, history=1)
    deleted = [a.name for a in DeploymentController().sync(d, old_replica_sets(d, ["2", "abc", "3"]))
               if isinstance(a, Delete)]
    assert deleted == ["web-old1", "web-old2"]


def test_recreate_scales_old_to_zero_before_the_new_one_up():
    """With Recreate the new ReplicaSet is created only once the old one has no pods left."""
    d = deployment(replicas=2)
    d["spec"]["strategy"] = {"type": "Recreate"}
    c, ctl = Cluster(), DeploymentController()
    c.apply(ctl.sync(d, []))
    c.kubelet_step()
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    c.apply(ctl.sync(d, list(c.rs.values())))
    by_rev = {rs["metadata"]["annotations"][REVISION]: rs["spec"]["replicas"] for rs in c.rs.values()}
    assert by_rev == {"1": 0}
    c.kubelet_step()
    c.apply(ctl.sync(d, list(c.rs.values())))
    by_rev = {rs["metadata"]["annotations"][REVISION]: rs["spec"]["replicas"] for rs in c.rs.values()}
    assert by_rev == {"1": 0, "2": 2}


class Rollout:
    """A Deployment with progressDeadlineSeconds, its ReplicaSets and a clock; applies the status
    (and the annotations that go with it) the controller writes to the Deployment as well."""

    def __init__(self, deadline=600, **kwargs):
        self.clock = ManualClock(1_800_000_000.0)
        self.ctl, self.cluster = DeploymentController(self.clock), Cluster()
        self.d = deployment(**kwargs)
        self.d["spec"]["progressDeadlineSeconds"] = deadline

    def sync(self):
        actions = self.ctl.sync(self.d, list(self.cluster.rs.values()))
        self.cluster.apply(actions)
        for a in actions:
            if isinstance(a, Update) and a.resource == "deployments" and a.subresource == "status":
                self.d = dict(self.d, metadata=a.obj["metadata"], status=a.obj["status"])
        return actions

    def condition(self, type_):
        c = next(c for c in self.d["status"]["conditions"] if c["type"] == type_)
        return c["status"], c["reason"], c["message"]

    def settle(self):
        for _ in range(4):
            self.sync()
            self.cluster.kubelet_step()
        self.sync()


def test_a_rolled_out_deployment_is_available_and_has_progressed():
    """Once every replica is updated and available: Available True MinimumReplicasAvailable and
    Progressing True NewReplicaSetAvailable, naming the ReplicaSet."""
    r = Rollout(replicas=2)
    r.settle()
    (name,) = r.cluster.rs
    assert r.condition("Available") == ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    assert r.condition("Progressing") == ("True", "NewReplicaSetAvailable",
                                          f'ReplicaSet "{name}" has successfully progressed.')


def test_a_new_deployment_is_new_replica_set_created_and_not_yet_available():
    """The first sync creates the ReplicaSet: Progressing True NewReplicaSetCreated; with no pod
    available yet, Available False MinimumReplicasUnavailable."""
    r = Rollout(replicas=2, max_unavailable=0)
    r.sync()
    (name,) = r.cluster.rs
    assert r.condition("Progressing") == ("True", "NewReplicaSetCreated", f'Created new replica set "{name}"')
    assert r.condition("Available")[:2] == ("False", "MinimumReplicasUnavailable")


def test_no_progress_past_the_deadline_is_progress_deadline_exceeded():
    """A rollout whose pods never become available is Progressing False ProgressDeadlineExceeded
    once progressDeadlineSeconds have passed since its last progress, not before."""
    r = Rollout(deadline=60, replicas=2)
    r.sync()
    (name,) = r.cluster.rs
    r.clock.advance(60)
    r.sync()
    assert r.condition("Progressing")[1] == "NewReplicaSetCreated"
    r.clock.advance(1)
    r.sync()
    assert r.condition("Progressing") == ("False", "ProgressDeadlineExceeded",
                                          f'ReplicaSet "{name}" has timed out progressing.')


def test_a_stuck_rollout_is_checked_again_when_its_deadline_passes():
    """requeueStuckDeployment: a rollout making no progress is synced again a second after its
    deadline; a complete one is not."""
    r = Rollout(deadline=60, replicas=2)
    r.sync()
    r.clock.advance(20)
    assert r.sync() == [] and r.ctl.progress_check == 41
    r.settle()
    assert r.ctl.progress_check is None


def test_only_an_unchanged_rollout_is_checked_for_its_deadline_and_never_at_once():
    """syncRolloutStatus asks for a progress check only when the status stays as it was, and
    never for a paused Deployment; past the deadline the check is rate-limited, not immediate
    (a check at once on every sync spun the controller-manager on a paused Deployment)."""
    r = Rollout(deadline=60, replicas=2)
    r.sync()
    r.clock.advance(30)
    r.cluster.kubelet_step()
    assert r.sync() and r.ctl.progress_check is None  # the status moved: no check asked
    r.d["spec"]["paused"] = True
    r.sync()
    r.clock.advance(600)
    r.sync()
    assert r.ctl.progress_check is None
    r.d["spec"]["paused"] = False
    r.sync()
    r.sync()
    assert r.ctl.progress_check == 61  # DeploymentResumed restarted the deadline
    r.clock.advance(60.5)
    assert requeue_stuck_deployment(r.d, r.d["status"], r.clock.now()) == RATE_LIMITED_REQUEUE


def test_a_paused_deployment_rolls_nothing_out():
    """spec.paused: a template change creates no ReplicaSet, and Progressing is Unknown
    DeploymentPaused "Deployment is paused"."""
    r = Rollout(replicas=2)
    r.settle()
    r.d["spec"]["paused"] = True
    r.d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert not rs_creates(r.sync())
    assert r.condition("Progressing") == ("Unknown", "DeploymentPaused", "Deployment is paused")


def test_a_paused_deployment_is_still_scaled():
    """Scaling a paused Deployment scales its one active ReplicaSet."""
    r = Rollout(replicas=2)
    r.settle()
    r.d["spec"].update(paused=True, replicas=3)
    r.sync()
    assert [rs["spec"]["replicas"] for rs in r.cluster.rs.values()] == [3]


def test_a_resumed_deployment_says_so_until_it_progresses():
    """spec.paused false again in the middle of a rollout: Progressing Unknown DeploymentResumed
    "Deployment is resumed" until the rollout moves (a complete one is NewReplicaSetAvailable at
    once, as upstream's syncRolloutStatus overwrites it in the same sync)."""
    r = Rollout(replicas=2, max_unavailable=0)
    r.sync()
    r.d["spec"]["paused"] = True
    r.sync()
    r.d["spec"]["paused"] = False
    r.sync()
    assert r.condition("Progressing") == ("Unknown", "DeploymentResumed", "Deployment is resumed")
    r.cluster.kubelet_step()
    r.sync()
    assert r.condition("Progressing")[:2] == ("True", "ReplicaSetUpdated")


def two_revisions():
    """A Deployment rolled out at nginx:1 then nginx:2, and its two ReplicaSets."""
    r = Rollout(replicas=1)
    r.settle()
    r.d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    r.settle()
    return r


def rolling_back(r, to):
    r.d["metadata"]["annotations"]["deprecated.deployment.rollback.to"] = to
    actions = r.ctl.sync(r.d, list(r.cluster.rs.values()))
    (update,) = [a for a in actions if isinstance(a, Update) and a.resource == "deployments" and a.subresource is None]
    assert "deprecated.deployment.rollback.to" not in update.obj["metadata"]["annotations"]
    return actions, update


def test_the_deprecated_rollback_annotation_rolls_back_to_its_revision():
    """deprecated.deployment.rollback.to: the template of the ReplicaSet at that revision, the
    annotation cleared, and DeploymentRollback once the update is taken; 0 means the previous one."""
    for to in ("1", "0"):
        r = two_revisions()
        _actions, update = rolling_back(r, to)
        assert update.obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1"
        assert HASH_LABEL not in update.obj["spec"]["template"]["metadata"]["labels"]
        event = update.outcome.event_for(answer=update.obj)
        assert (event.type, event.reason, event.message) == (
            "Normal", "DeploymentRollback", 'Rolled back deployment "web" to revision 1')


def test_a_rollback_of_a_resumed_deployment_first_writes_its_resumed_condition():
    """checkPausedConditions writes its status before the rollback: a Deployment resumed with a
    rollback pending has Progressing Unknown DeploymentResumed sent (deployments/status) ahead of
    the update that rolls it back."""
    r = two_revisions()
    r.d["spec"]["paused"] = True
    r.sync()
    r.d["spec"]["paused"] = False
    actions, _update = rolling_back(r, "1")
    writes = [(a.subresource, a.obj) for a in actions if isinstance(a, Update) and a.resource == "deployments"]
    assert [subresource for subresource, _obj in writes] == ["status", None]
    progressing = next(c for c in writes[0][1]["status"]["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentResumed")


def test_the_deployments_annotations_follow_to_its_new_replica_set():
    """copyDeploymentAnnotationsToReplicaSet: `kubectl annotate deployment ...
    kubernetes.io/change-cause=...` after a rollout started reaches the new ReplicaSet (the
    CHANGE-CAUSE of `kubectl rollout history`), and a new ReplicaSet is created with it."""
    r = two_revisions()
    r.d["metadata"]["annotations"]["kubernetes.io/change-cause"] = "image 2"
    r.sync()
    by_revision = {rs["metadata"]["annotations"][REVISION]: rs["metadata"]["annotations"]
                   for rs in r.cluster.rs.values()}
    assert by_revision["2"]["kubernetes.io/change-cause"] == "image 2"
    assert "kubernetes.io/change-cause" not in by_revision["1"]
    r.d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:3"
    (create,) = rs_creates(r.sync())
    assert create["metadata"]["annotations"]["kubernetes.io/change-cause"] == "image 2"


def test_a_replica_set_rolled_back_to_keeps_its_old_revisions():
    """A ReplicaSet brought back by a rollback takes the next revision and lists the ones it had
    in deployment.kubernetes.io/revision-history."""
    r = two_revisions()
    r.d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1"
    r.sync()
    (back,) = [rs for rs in r.cluster.rs.values()
               if rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1"]
    assert back["metadata"]["annotations"][REVISION] == "3"
    assert back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"


def test_a_rollback_to_a_revision_not_there_is_a_warning():
    """A revision no ReplicaSet has: DeploymentRollbackRevisionNotFound, the template unchanged."""
    r = two_revisions()
    actions, update = rolling_back(r, "7")
    assert update.obj["spec"]["template"] == r.d["spec"]["template"]
    assert [(a.type, a.reason, a.message) for a in actions if isinstance(a, RecordEvent)] == [
        ("Warning", "DeploymentRollbackRevisionNotFound", "Unable to find the revision to rollback to.")]


def test_a_rollback_to_the_current_template_is_a_warning():
    """The revision asked for has the current template: DeploymentRollbackTemplateUnchanged."""
    r = two_revisions()
    actions, _update = rolling_back(r, "2")
    assert [(a.reason, a.message) for a in actions if isinstance(a, RecordEvent)] == [
        ("DeploymentRollbackTemplateUnchanged",
         'The rollback revision contains the same template as current deployment "web"')]


def test_unavailable_replicas_count_the_surge():
    """calculateStatus: unavailableReplicas is the ReplicaSets' replicas (the surge included)
    less the available ones, as `kubectl describe deployment` shows "3 total | 2 available |
    1 unavailable" in the middle of a rollout of 2 with maxSurge 1."""
    r = Rollout(replicas=2, max_surge=1, max_unavailable=0)
    r.settle()
    r.d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    r.sync()
    assert sum(rs["spec"]["replicas"] for rs in r.cluster.rs.values()) == 3
    r.cluster.kubelet_step()
    r.sync()
    status = r.d["status"]
    assert (status["availableReplicas"], status["unavailableReplicas"]) == (2, 1)


def test_scaling_in_the_middle_of_a_rollout_is_proportional():
    """A scaling event (spec.replicas other than the active ReplicaSets' desired-replicas) is not
    a rollout step: the replicas to add up to spec.replicas + maxSurge are shared in proportion
    to the ReplicaSets' sizes. Old 6 and new 4, both made for 8 + 2, scaled to 22 + 2: 6·24/10
    rounds to 14, 4·24/10 to 10."""
    d = deployment(replicas=8, max_surge=2, max_unavailable=0)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:0"
    ctl = DeploymentController()
    (old,) = rs_creates(ctl.sync(d, []))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1"
    (new,) = rs_creates(ctl.sync(d, [old]))
    for rs, replicas, created in ((old, 6, "2026-01-01T00:00:00Z"), (new, 4, "2026-01-01T00:01:00Z")):
        rs["metadata"].update(uid=rs["metadata"]["name"], creationTimestamp=created)
        rs["spec"]["replicas"] = replicas
        rs["status"] = {"replicas": replicas, "availableReplicas": replicas}
    d["spec"]["replicas"] = 22
    actions = ctl.sync(d, [old, new])
    scaled = {a.obj["metadata"]["name"]: a.obj["spec"]["replicas"] for a in actions
              if isinstance(a, Update) and a.resource == "replicasets"}
    assert scaled == {old["metadata"]["name"]: 14, new["metadata"]["name"]: 10}
    assert {a.obj["metadata"]["annotations"][DESIRED_REPLICAS] for a in actions
            if isinstance(a, Update) and a.resource == "replicasets"} == {"22"}


def test_a_replica_set_failure_is_the_deployments():
    """getReplicaFailures: the new ReplicaSet's ReplicaFailure becomes the Deployment's, and goes
    when the ReplicaSet's does."""
    r = Rollout(replicas=2)
    r.sync()
    (rs,) = r.cluster.rs.values()
    rs["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                                   "message": "exceeded quota", "lastTransitionTime": "2027-01-15T08:00:00Z"}]
    r.sync()
    assert r.condition("ReplicaFailure") == ("True", "FailedCreate", "exceeded quota")
    del rs["status"]["conditions"]
    r.sync()
    assert "ReplicaFailure" not in [c["type"] for c in r.d["status"]["conditions"]]
