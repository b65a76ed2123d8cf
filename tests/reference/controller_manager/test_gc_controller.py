"""The garbage collector's sync, one rule per test."""
from __future__ import annotations

from reference_impl.client import APIStatusError
from reference_impl.machinery.actions import Delete, Patch, RecordEvent
from reference_impl.controller_manager import garbagecollector as gc
from reference_impl.controller_manager.run import ControllerManager

# (apiVersion, kind) -> (resource, namespaced), as the manager builds it from its API paths.
MAPPING = {("apps/v1", "ReplicaSet"): ("replicasets", True), ("v1", "Pod"): ("pods", True),
           ("v1", "ConfigMap"): ("configmaps", True), ("v1", "Service"): ("services", True),
           ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("clusterroles", False),
           ("v1", "PersistentVolume"): ("persistentvolumes", False)}


def ref(api_version, kind, name, uid):
    return {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid}


def dependent(name, uid, namespace, *refs):
    meta = {"name": name, "uid": uid, "ownerReferences": list(refs)}
    if namespace:
        meta["namespace"] = namespace
    return {"metadata": meta}


def obj(name, uid, owners=(), deleting=False, finalizers=(), block=True):
    meta = {"name": name, "namespace": "default", "uid": uid,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": o, "uid": o,
                                 "blockOwnerDeletion": block} for o in owners]}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    if finalizers:
        meta["finalizers"] = list(finalizers)
    return {"metadata": meta}


def test_dependent_of_a_missing_owner_is_deleted():
    """A pod whose only owner no longer exists is deleted in the background."""
    assert gc.sync({"pods": [obj("p", "p1", owners=["rs-gone"])]}, MAPPING) == \
        [Delete("pods", "default", "p", "Background")]


def test_dependent_of_a_live_owner_stays():
    """A pod whose owner exists is left alone."""
    assert gc.sync({"replicasets": [obj("rs1", "rs1")], "pods": [obj("p", "p1", owners=["rs1"])]}, MAPPING) == []


def test_partial_dangling_references_are_removed():
    """A pod with one live and one missing owner only loses the dangling reference."""
    (patch,) = gc.sync({"replicasets": [obj("rs1", "rs1")], "pods": [obj("p", "p1", owners=["rs1", "gone"])]}, MAPPING)
    assert isinstance(patch, Patch) and [r["uid"] for r in patch.patch["metadata"]["ownerReferences"]] == ["rs1"]


def test_objects_without_owners_are_never_collected():
    """An object with no ownerReferences is not garbage."""
    assert gc.sync({"pods": [obj("p", "p1")]}, MAPPING) == []


def test_foreground_owner_deletes_blocking_dependents_first():
    """An owner deleted in the foreground has its blocking dependents deleted, and keeps its finalizer."""
    actions = gc.sync({"replicasets": [obj("rs1", "rs1", deleting=True, finalizers=["foregroundDeletion"])],
                       "pods": [obj("p", "p1", owners=["rs1"])]}, MAPPING)
    assert actions == [Delete("pods", "default", "p", "Foreground")]


def test_foreground_owner_is_released_when_dependents_are_gone():
    """With no blocking dependents left, the foregroundDeletion finalizer is removed."""
    (patch,) = gc.sync({"replicasets": [obj("rs1", "rs1", deleting=True, finalizers=["foregroundDeletion"])]}, MAPPING)
    assert patch.name == "rs1" and patch.patch == {"metadata": {"finalizers": []}}


def test_orphan_owner_strips_references_then_its_finalizer():
    """An owner deleted with Orphan makes dependents drop their reference, then loses `orphan`."""
    actions = gc.sync({"replicasets": [obj("rs1", "rs1", deleting=True, finalizers=["orphan"])],
                       "pods": [obj("p", "p1", owners=["rs1"])]}, MAPPING)
    assert [(a.resource, a.name, a.patch) for a in actions] == [
        ("pods", "p", {"metadata": {"ownerReferences": []}}),
        ("replicasets", "rs1", {"metadata": {"finalizers": []}})]


def test_an_owner_missing_from_the_caches_but_not_gone_keeps_its_dependent():
    """isDangling: an owner the graph lacks is looked up before its dependent goes; one the
    apiserver still has (a monitor yet to see it) keeps the dependent and its reference."""
    asked = []

    def is_gone(resource, namespace, ref):
        asked.append((resource, namespace, ref["uid"]))
        return ref["uid"] == "gone"
    assert gc.sync({"pods": [obj("p", "p1", owners=["unseen"])]}, MAPPING, is_gone) == []
    (patch,) = gc.sync({"pods": [obj("q", "q1", owners=["unseen", "gone"])]}, MAPPING, is_gone)
    assert [r["uid"] for r in patch.patch["metadata"]["ownerReferences"]] == ["unseen"]
    assert asked == [("replicasets", "default", "unseen"), ("replicasets", "default", "unseen"),
                     ("replicasets", "default", "gone")]


def test_an_owner_in_the_graph_under_another_namespace_is_asked_of_the_apiserver_there():
    """The graph answers only where upstream's GET would look: an object of the owner's uid in
    another namespace sends the question to the apiserver, in the dependent's namespace."""
    asked = []

    def is_gone(resource, namespace, ref):
        asked.append((resource, namespace, ref["name"]))
        return False
    owner = {"metadata": {"name": "owner", "namespace": "a", "uid": "u-own"}}
    dep = dependent("dep", "u-dep", "b", ref("v1", "ConfigMap", "owner", "u-own"))
    assert gc.sync({"configmaps": [owner, dep]}, MAPPING, is_gone) == []
    assert asked == [("configmaps", "b", "owner")]


def test_an_owner_of_a_group_version_not_mapped_is_never_taken_for_gone():
    """isDangling resolves the owner through apiResource(apiVersion, kind): a knative Service
    (serving.knative.dev/v1) is not the core v1 Service, so its absence from the services proves
    nothing; upstream's restMappingError is retried, never a delete."""
    cm = dependent("route-config", "u-cm", "ns", ref("serving.knative.dev/v1", "Service", "hello", "u-ksvc"))
    assert gc.sync({"configmaps": [cm], "services": []}, MAPPING) == []


def test_an_owner_whose_uid_is_an_object_of_another_kind_is_gone():
    """The owner is GET as its own resource: an object of that uid but another kind is no owner."""
    pod = dependent("p", "u-p", "ns", ref("apps/v1", "ReplicaSet", "x", "u-x"))
    cm = {"metadata": {"name": "x", "namespace": "ns", "uid": "u-x"}}
    assert gc.sync({"pods": [pod], "configmaps": [cm]}, MAPPING) == [Delete("pods", "ns", "p", "Background")]


def test_a_cluster_scoped_dependent_of_a_namespaced_owner_is_never_deleted():
    """namespacedOwnerOfClusterScopedObjectErr: a ClusterRole naming a ConfigMap owner is an
    invalid reference that upstream neither retries nor acts on; the ClusterRole stays."""
    role = dependent("per-pod-role", "u-cr", None, ref("v1", "ConfigMap", "cm", "u-gone"))
    assert gc.sync({"clusterroles": [role], "configmaps": []}, MAPPING) == []


def test_a_cluster_scoped_dependent_of_a_gone_cluster_scoped_owner_is_deleted():
    """A cluster-scoped owner is looked up with no namespace: a ClusterRole owned by a gone PV goes."""
    role = dependent("r", "u-cr", None, ref("v1", "PersistentVolume", "pv", "u-gone"))
    assert gc.sync({"clusterroles": [role], "persistentvolumes": []}, MAPPING) == \
        [Delete("clusterroles", None, "r", "Background")]


def test_an_owner_in_another_namespace_is_gone():
    """Upstream GETs the owner in the dependent's namespace: an owner of that uid in another
    namespace answers 404 there, so the dependent's reference dangles and it is deleted."""
    owner = {"metadata": {"name": "owner", "namespace": "a", "uid": "u-own"}}
    dep = dependent("dep", "u-dep", "b", ref("v1", "ConfigMap", "owner", "u-own"))
    assert gc.sync({"configmaps": [owner, dep]}, MAPPING)[-1:] == [Delete("configmaps", "b", "dep", "Background")]


def test_an_owner_seen_in_another_namespace_is_reported_on_the_dependent():
    """reportInvalidNamespaceOwnerRef: a reference whose uid the monitors saw as a namespaced object
    of another namespace is a Warning OwnerRefInvalidNamespace event on the dependent, naming the
    reference as the dependent's namespace would hold it; the dependent is still deleted."""
    owner = {"metadata": {"name": "owner", "namespace": "a", "uid": "u-own"}}
    dep = dependent("dep", "u-dep", "b", ref("v1", "ConfigMap", "owner", "u-own"))
    event, delete = gc.sync({"configmaps": [owner, dep]}, MAPPING)
    assert event == RecordEvent(
        "garbage-collector-controller",
        {"kind": "ConfigMap", "apiVersion": "v1", "namespace": "b", "name": "dep", "uid": "u-dep"}, "Warning",
        "OwnerRefInvalidNamespace",
        'ownerRef [v1/ConfigMap, namespace: b, name: owner, uid: u-own] does not exist in namespace "b"')
    assert delete == Delete("configmaps", "b", "dep", "Background")


def test_an_owner_gone_from_every_namespace_is_not_reported():
    """Only an owner observed elsewhere is an invalid-namespace reference: a gone one is just deleted."""
    dep = dependent("dep", "u-dep", "b", ref("v1", "ConfigMap", "owner", "u-own"))
    assert gc.sync({"configmaps": [dep]}, MAPPING) == [Delete("configmaps", "b", "dep", "Background")]


def test_a_cluster_scoped_owner_is_found_from_any_namespace():
    """A namespaced dependent of a live cluster-scoped owner (a PV) stays."""
    pv = {"metadata": {"name": "pv", "uid": "u-pv"}}
    dep = dependent("dep", "u-dep", "b", ref("v1", "PersistentVolume", "pv", "u-pv"))
    assert gc.sync({"persistentvolumes": [pv], "configmaps": [dep]}, MAPPING) == []


class OwnerAnswers:
    """A client whose GET of an owner answers from `answers` (path -> object or error code)."""

    def __init__(self, answers: dict):
        self.answers, self.asked = answers, []

    def request(self, method, path, body=None):
        self.asked.append((method, path))
        answer = self.answers.get(path, 404)
        if isinstance(answer, int):
            raise APIStatusError(method, path, answer, {"kind": "Status", "code": answer,
                                                        "message": "etcdserver: request timed out"})
        return answer


RS_PATH = "/apis/apps/v1/namespaces/default/replicasets/"


def test_a_failed_owner_lookup_retries_its_dependent_alone(capsys):
    """attemptToDeleteWorker: an owner's GET failing otherwise than NotFound requeues that one
    item (AddRateLimited) with `error syncing item …`; the other items' actions still go out."""
    manager = ControllerManager(OwnerAnswers({RS_PATH + "broken": 500}))
    actions = gc.sync({"pods": [obj("a", "u-a", owners=["broken"]), obj("z", "u-z", owners=["gone"])]},
                      MAPPING, manager._owner_gone)
    assert actions == [gc.AttemptToDeleteFailed("[v1/Pod, namespace: default, name: a, uid: u-a]",
                                                "etcdserver: request timed out"),
                       Delete("pods", "default", "z", "Background")]
    assert manager.perform(actions[0]) is False  # the GC's key comes back after a backoff
    assert ("error syncing item [v1/Pod, namespace: default, name: a, uid: u-a]: "
            "etcdserver: request timed out") in capsys.readouterr().err


def test_an_owner_found_gone_is_not_asked_for_again():
    """absentOwnerCache: a thousand pods of one deleted ReplicaSet cost one GET, in this pass
    and the next."""
    client = OwnerAnswers({})
    manager = ControllerManager(client)
    pods = [obj(f"p{i}", f"u{i}", owners=["rs"]) for i in range(1000)]
    assert len(gc.sync({"pods": pods}, MAPPING, manager._owner_gone)) == 1000
    assert len(gc.sync({"pods": pods}, MAPPING, manager._owner_gone)) == 1000
    assert client.asked == [("GET", RS_PATH + "rs")]


def test_the_absent_owner_cache_drops_the_least_recently_used_past_its_size():
    """NewReferenceCache(500) is golang-lru's Cache: the oldest entry goes first."""
    cache = gc.AbsentOwnerCache(size=2)
    cache.add("a")
    cache.add("b")
    assert cache.has("a")
    cache.add("c")
    assert (cache.has("a"), cache.has("b"), cache.has("c")) == (True, False, True)


def test_an_owner_answer_without_metadata_is_not_the_owner():
    """Go decodes a 200 answer without metadata to an object of no uid: not the owner, gone."""
    manager = ControllerManager(OwnerAnswers({RS_PATH + "rs": {"kind": "Status", "status": "Success"}}))
    assert manager._owner_gone("replicasets", "default", {"name": "rs", "uid": "rs"}) is True


def test_an_object_of_the_owners_uid_under_another_name_is_asked_of_the_apiserver():
    """isDangling GETs reference.Name: the graph's object of that uid answers only under that
    name, so a reference naming `x` with the uid of ReplicaSet `y` is looked up as `x`."""
    asked = []
    owner = {"metadata": {"name": "y", "namespace": "default", "uid": "u-y"}}
    pod = dependent("p", "u-p", "default", ref("apps/v1", "ReplicaSet", "x", "u-y"))
    assert gc.sync({"replicasets": [owner], "pods": [pod]}, MAPPING,
                   lambda *question: asked.append(question) or True) == [Delete("pods", "default", "p", "Background")]
    assert [(resource, namespace, r["name"]) for resource, namespace, r in asked] == [("replicasets", "default", "x")]


class BatchDiscovery:
    """Discovery of a 1.24 batch group: cronjobs in v1 (preferred) and v1beta1, jobs in v1."""
    VERBS = ["delete", "get", "list", "watch"]

    def request(self, method, path, body=None):
        resources = {"/api/v1": [],
                     "/apis/batch/v1": [("cronjobs", "CronJob"), ("jobs", "Job")],
                     "/apis/batch/v1beta1": [("cronjobs", "CronJob")]}
        if path == "/apis":
            return {"groups": [{"name": "batch", "preferredVersion": {"groupVersion": "batch/v1"},
                                "versions": [{"groupVersion": "batch/v1"}, {"groupVersion": "batch/v1beta1"}]}]}
        if path in resources:
            return {"resources": [{"name": name, "namespaced": True, "kind": kind, "verbs": self.VERBS}
                                  for name, kind in resources[path]]}
        if method == "GET" and "/cronjobs/" in path:
            raise APIStatusError(method, path, 404, {"kind": "Status", "code": 404})
        return {"kind": "List", "items": [], "metadata": {"resourceVersion": "1"}}


def test_an_owner_in_a_served_version_other_than_the_preferred_is_resolved():
    """The GC maps an owner through RESTMapping(GroupKind, version) of every version discovery
    serves: a Job owned by a batch/v1beta1 CronJob (1.24 serves both) is collected once the
    CronJob is gone, not left as an unresolvable reference."""
    manager = ControllerManager(BatchDiscovery())
    manager._sync_gc_monitors()
    assert manager.gc_mapping[("batch/v1beta1", "CronJob")] == ("cronjobs", True)
    job = dependent("j", "u-j", "ns", ref("batch/v1beta1", "CronJob", "old", "u-cj"))
    assert gc.sync({"jobs": [job], "cronjobs": []}, manager.gc_mapping, manager._owner_gone) == \
        [Delete("jobs", "ns", "j", "Background")]
