"""The StatefulSet controller's sync, one rule per test."""
from __future__ import annotations

from cm_fixtures import pod
from workload_fixtures import statefulset

from reference_impl.machinery.actions import Create, Delete, Update
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.timefmt import parse_rfc3339
from reference_impl.controller_manager.history import REVISION_HASH_LABEL
from reference_impl.machinery.gojson import marshal
from reference_impl.controller_manager.statefulset import StatefulSetController


def creates(actions, resource="pods"):
    return [a for a in actions if isinstance(a, Create) and a.resource == resource]


def deletes(actions, resource="pods"):
    return [a for a in actions if isinstance(a, Delete) and a.resource == resource]


def status_of(actions):
    (update,) = [a for a in actions if isinstance(a, Update) and a.resource == "statefulsets"]
    assert update.subresource == "status"
    return update.obj["status"]


def revision_of(set_):
    """The ControllerRevision the first sync creates for the set's template."""
    (create,) = creates(StatefulSetController().sync(set_, [], [], []), "controllerrevisions")
    return create.obj


def member(set_, ordinal, revision, ready=True, phase="Running"):
    p = pod(f"{set_['metadata']['name']}-{ordinal}", {"app": set_["metadata"]["name"]},
            owner={"kind": "StatefulSet", "metadata": set_["metadata"]}, ready=ready, phase=phase)
    p["metadata"]["labels"][REVISION_HASH_LABEL] = revision["metadata"]["name"]
    return p


def sync(set_, pods, revisions, claims=()):
    return StatefulSetController().sync(set_, pods, revisions, list(claims))


def test_ordered_ready_creates_only_the_first_pod():
    """OrderedReady creates `<set>-0` alone while no pod exists."""
    s = statefulset(replicas=3)
    assert [a.obj["metadata"]["name"] for a in creates(sync(s, [], [revision_of(s)]))] == ["web-0"]


def test_ordered_ready_waits_for_its_predecessor_to_be_ready():
    """While `<set>-0` is Running but not Ready, `<set>-1` is not created."""
    s = statefulset(replicas=3)
    rev = revision_of(s)
    assert creates(sync(s, [member(s, 0, rev, ready=False)], [rev])) == []


def test_ordered_ready_creates_the_next_ordinal_once_ready():
    """Once `<set>-0` is Running and Ready, `<set>-1` is created."""
    s = statefulset(replicas=3)
    rev = revision_of(s)
    assert [a.obj["metadata"]["name"] for a in creates(sync(s, [member(s, 0, rev)], [rev]))] == ["web-1"]


def test_parallel_creates_every_missing_pod_at_once():
    """podManagementPolicy Parallel creates all missing ordinals in one sync."""
    s = statefulset(replicas=3, policy="Parallel")
    names = [a.obj["metadata"]["name"] for a in creates(sync(s, [], [revision_of(s)]))]
    assert names == ["web-0", "web-1", "web-2"]


def test_pods_have_a_stable_identity_and_the_revision_label():
    """A pod is named `<set>-<ordinal>`, its hostname is its name, its subdomain the serviceName,
    and it carries controller-revision-hash = the update revision's name."""
    s = statefulset(replicas=1)
    rev = revision_of(s)
    (create,) = creates(sync(s, [], [rev]))
    assert create.obj["spec"]["hostname"] == "web-0" and create.obj["spec"]["subdomain"] == "web"
    assert create.obj["metadata"]["labels"][REVISION_HASH_LABEL] == rev["metadata"]["name"]


def test_first_sync_creates_a_controller_revision_of_the_template():
    """A set without history gets a ControllerRevision `<set>-<hash>`, revision 1, owned by the set."""
    s = statefulset()
    rev = revision_of(s)
    assert rev["revision"] == 1 and rev["metadata"]["name"].startswith("web-")
    assert rev["metadata"]["ownerReferences"][0]["uid"] == s["metadata"]["uid"]


def test_volume_claim_templates_become_per_ordinal_claims():
    """Each volumeClaimTemplate gives a claim `<claim>-<set>-<ordinal>`, created with the pod and
    mounted as its volume."""
    s = statefulset(replicas=1, claims=[{"metadata": {"name": "data"},
                                         "spec": {"accessModes": ["ReadWriteOnce"],
                                                  "resources": {"requests": {"storage": "1Gi"}}}}])
    actions = sync(s, [], [revision_of(s)])
    (claim,) = creates(actions, "persistentvolumeclaims")
    assert claim.obj["metadata"]["name"] == "data-web-0" and claim.obj["metadata"]["labels"] == {"app": "web"}
    (create,) = creates(actions)
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}} in create.obj["spec"]["volumes"]


def test_an_existing_claim_is_not_created_again():
    """A claim already in the cache is reused."""
    s = statefulset(replicas=1, claims=[{"metadata": {"name": "data"}, "spec": {}}])
    existing = {"metadata": {"name": "data-web-0", "namespace": "default"}}
    assert creates(sync(s, [], [revision_of(s)], [existing]), "persistentvolumeclaims") == []


def test_scale_down_deletes_the_highest_ordinal_first():
    """Scaling 3 to 1 under OrderedReady deletes `<set>-2` alone."""
    s = statefulset(replicas=1)
    rev = revision_of(s)
    pods = [member(s, i, rev) for i in range(3)]
    assert [a.name for a in deletes(sync(s, pods, [rev]))] == ["web-2"]


def test_parallel_scale_down_deletes_all_condemned_pods():
    """Parallel deletes every pod above the new replica count in one sync."""
    s = statefulset(replicas=1, policy="Parallel")
    rev = revision_of(s)
    pods = [member(s, i, rev) for i in range(3)]
    assert sorted(a.name for a in deletes(sync(s, pods, [rev]))) == ["web-1", "web-2"]


def test_a_failed_pod_is_deleted_to_be_recreated():
    """A Failed pod is deleted; its replacement comes in a later sync."""
    s = statefulset(replicas=1)
    rev = revision_of(s)
    assert [a.name for a in deletes(sync(s, [member(s, 0, rev, phase="Failed")], [rev]))] == ["web-0"]


def test_rolling_update_replaces_the_highest_ordinal_first():
    """After a template change, the pod with the highest ordinal not at the update revision is deleted first."""
    s = statefulset(replicas=3)
    old = revision_of(s)
    pods = [member(s, i, old) for i in range(3)]
    s["status"]["currentRevision"] = old["metadata"]["name"]
    s["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    actions = sync(s, pods, [old])
    (new_rev,) = creates(actions, "controllerrevisions")
    assert new_rev.obj["revision"] == 2
    assert [a.name for a in deletes(actions)] == ["web-2"]


def test_status_counts_replicas_ready_current_and_updated():
    """Status reports replicas, readyReplicas, currentReplicas, updatedReplicas and both revisions."""
    s = statefulset(replicas=2)
    rev = revision_of(s)
    status = status_of(sync(s, [member(s, 0, rev), member(s, 1, rev, ready=False)], [rev]))
    counts = (status["replicas"], status["readyReplicas"], status["currentReplicas"], status["updatedReplicas"])
    assert counts == (2, 1, 2, 2)
    assert status["currentRevision"] == status["updateRevision"] == rev["metadata"]["name"]


def test_ready_pods_are_available_replicas():
    """StatefulSetMinReadySeconds (on in 1.24): with minReadySeconds 0 each running and ready pod
    counts in availableReplicas, which the status always carries."""
    s = statefulset(replicas=2)
    rev = revision_of(s)
    status = status_of(sync(s, [member(s, 0, rev), member(s, 1, rev, ready=False)], [rev]))
    assert status["availableReplicas"] == 1


def test_update_revision_becomes_current_once_every_pod_is_updated_and_ready():
    """When all pods are at the update revision and ready, currentRevision becomes the update revision."""
    s = statefulset(replicas=1)
    old = revision_of(s)
    s["status"]["currentRevision"] = old["metadata"]["name"]
    s["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revision_of(s)
    new["revision"] = 2
    status = status_of(sync(s, [member(s, 0, new)], [old, new]))
    assert status["currentRevision"] == new["metadata"]["name"] and status["currentReplicas"] == 1


def test_unused_revisions_beyond_the_history_limit_are_deleted_oldest_first():
    """With revisionHistoryLimit 1, of two revisions no pod uses the older one is deleted."""
    s = statefulset(replicas=0)
    s["spec"]["revisionHistoryLimit"] = 1
    current = revision_of(s)
    current["revision"] = 3
    idle = []
    for number, image in ((1, "nginx:old"), (2, "nginx:older")):
        other = statefulset(image=image)
        other["metadata"] = s["metadata"]
        rev = revision_of(other)
        rev["revision"] = number
        idle.append(rev)
    actions = sync(s, [], idle + [current])
    assert [a.name for a in deletes(actions, "controllerrevisions")] == [idle[0]["metadata"]["name"]]


def test_revision_is_labelled_with_the_controller_revision_hash_label():
    """history.NewControllerRevision labels a StatefulSet's revision controller.kubernetes.io/hash
    (ControllerRevisionHashLabel), not controller-revision-hash, with the hash its name ends in."""
    rev = revision_of(statefulset())
    labels = rev["metadata"]["labels"]
    assert REVISION_HASH_LABEL not in labels
    assert rev["metadata"]["name"] == f"web-{labels['controller.kubernetes.io/hash']}"


def test_revision_copies_the_sets_annotations():
    """statefulset.newRevision copies the set's annotations (kubectl's last-applied-configuration
    among them) onto the revision."""
    s = statefulset()
    s["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    assert revision_of(s)["metadata"]["annotations"] == s["metadata"]["annotations"]


def test_revision_hash_is_fnv32_of_the_go_json_patch_and_collision_count():
    """HashControllerRevision: FNV-1 (hash/fnv.New32) over getPatch's bytes (Go's json.Marshal of
    the typed template: sorted keys, creationTimestamp null, resources {}) then "0", encoded by
    rand.SafeEncodeString. 7d7d65444b is what that Go code prints for this template."""
    s = statefulset(name="db", image="registry.k8s.io/pause:3.7")
    s["spec"]["template"] = {"metadata": {"labels": {"app": "db"}},
                             "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.7"}]}}
    assert revision_of(s)["metadata"]["name"] == "db-7d7d65444b"


def test_pods_carry_the_sets_generate_name_prefix():
    """GetPodFromTemplate sets generateName to getPodsPrefix(set name), `<set>-`; newStatefulSetPod
    then sets the ordinal name, so the pod keeps both."""
    s = statefulset(replicas=1)
    (made,) = creates(sync(s, [], [revision_of(s)]))
    assert made.obj["metadata"]["generateName"] == "web-"
    assert made.obj["metadata"]["name"] == "web-0"


def test_revision_bytes_escape_as_go_json_marshal_does():
    """encoding/json escapes <, >, &, U+2028 and \\b, \\f as \\u escapes and keeps other UTF-8; the
    expected bytes are what Go 1.19's json.Marshal printed for this map."""
    assert marshal({"b": "a\\b<\b\f\u2028é", "a": 1}, sort_keys=True) == \
        '{"a":1,"b":"a\\\\b\\u003c\\u0008\\u000c\\u2028é"}'.encode()


def test_min_ready_seconds_holds_back_the_next_pod_and_the_available_count():
    """StatefulSetMinReadySeconds (beta, on in 1.24): OrderedReady creates the next pod only once
    its predecessor has been ready for minReadySeconds, counts it available only then, and wants
    its key back after minReadySeconds meanwhile."""
    set_ = statefulset(replicas=2)
    set_["spec"]["minReadySeconds"] = 10
    rev = revision_of(set_)
    first = member(set_, 0, rev)
    first["status"]["conditions"][0]["lastTransitionTime"] = "2026-01-01T00:00:00Z"
    clock = ManualClock(parse_rfc3339("2026-01-01T00:00:05Z"))
    ctl = StatefulSetController(clock)
    actions = ctl.sync(set_, [first], [rev], [])
    assert creates(actions) == [] and status_of(actions)["availableReplicas"] == 0 and ctl.requeue_after == 10
    clock.advance(6)
    actions = ctl.sync(set_, [first], [rev], [])
    assert [a.obj["metadata"]["name"] for a in creates(actions)] == [f"{set_['metadata']['name']}-1"]
    assert status_of(actions)["availableReplicas"] == 1
