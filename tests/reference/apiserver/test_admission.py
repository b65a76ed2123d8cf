"""The admission chain without a network: NamespaceLifecycle, ServiceAccount, TaintNodesByCondition,
DefaultStorageClass, DefaultIngressClass and the chain's two phases, each test stating the upstream
rule it checks. The registry is a dict of objects by (plural, ns, name)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.admission import (AdmissionChain, NamespaceLifecycle, NodeRestriction,
                                                 ServiceAccount, TaintNodesByCondition, new_admission_chain)
from reference_impl.apiserver.core.auth import UserInfo
from reference_impl.apiserver.core.errors import StatusError


@dataclass(frozen=True)
class FakeResource:
    plural: str
    kind: str
    group: str = ""
    namespaced: bool = True


PODS = FakeResource("pods", "Pod")
NAMESPACES = FakeResource("namespaces", "Namespace", namespaced=False)
DEPLOYMENTS = FakeResource("deployments", "Deployment", "apps")
NODES = FakeResource("nodes", "Node", namespaced=False)
LEASES = FakeResource("leases", "Lease", "coordination.k8s.io")
CSINODES = FakeResource("csinodes", "CSINode", "storage.k8s.io", namespaced=False)
CLAIMS = FakeResource("persistentvolumeclaims", "PersistentVolumeClaim")


@dataclass
class Request:
    operation: str
    resource: FakeResource
    namespace: str = "default"
    name: str = ""
    obj: dict | None = None
    subresource: str = ""
    old_obj: dict | None = None
    user: object = None
    dry_run: bool = False


class FakeRegistry:
    def __init__(self, *objects: tuple[str, str | None, dict]) -> None:
        self.objects = {(plural, ns, obj["metadata"]["name"]): obj for plural, ns, obj in objects}

    def get(self, resource, namespace, name):
        try:
            return self.objects[(resource, namespace, name)]
        except KeyError:
            raise errors.not_found(resource, name) from None

    def list(self, resource, namespace=None):
        return {"items": [obj for (plural, ns, _), obj in self.objects.items()
                          if plural == resource and namespace in (None, ns)]}


def namespace(name, phase="Active"):
    return ("namespaces", None, {"metadata": {"name": name}, "status": {"phase": phase}})


def service_account(ns, name="default", pull_secrets=()):
    obj = {"metadata": {"name": name, "namespace": ns}}
    if pull_secrets:
        obj["imagePullSecrets"] = [{"name": s} for s in pull_secrets]
    return ("serviceaccounts", ns, obj)


def pod(name="web", **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec}}


REGISTRY = FakeRegistry(namespace("default"), namespace("kube-system"), namespace("dying", "Terminating"),
                        service_account("default"), service_account("default", "builder", ["regcred"]),
                        service_account("dying"))


def refused(plugin, request) -> StatusError:
    with pytest.raises(StatusError) as err:
        plugin.admit(request, request.obj)
    return err.value


def validation_refused(plugin, request) -> StatusError:
    with pytest.raises(StatusError) as err:
        plugin.validate(request, request.obj)
    return err.value


# --- NamespaceLifecycle --------------------------------------------------------------------------

def test_create_in_missing_namespace_is_not_found():
    """Nothing may be created in a namespace that does not exist: the namespace's own 404."""
    err = refused(NamespaceLifecycle(REGISTRY), Request("CREATE", PODS, "nowhere", obj=pod()))
    assert (err.code, err.message) == (404, 'namespaces "nowhere" not found')


def test_update_in_missing_namespace_is_not_found():
    """Updates are refused in a missing namespace too; only deletes are always allowed."""
    lifecycle = NamespaceLifecycle(REGISTRY)
    assert refused(lifecycle, Request("UPDATE", PODS, "nowhere", "web", pod())).code == 404
    assert lifecycle.admit(Request("DELETE", PODS, "nowhere", "web"), None) is None


def test_create_in_terminating_namespace_is_forbidden():
    """A Terminating namespace takes no new objects: 403 with a NamespaceTerminating cause."""
    err = refused(NamespaceLifecycle(REGISTRY), Request("CREATE", PODS, "dying", obj=pod()))
    assert err.code == 403
    assert err.message == ('pods "web" is forbidden: unable to create new content in namespace dying '
                           'because it is being terminated')
    assert err.details["causes"][0]["reason"] == "NamespaceTerminating"


def test_update_in_terminating_namespace_is_allowed():
    """Only creates are refused in a Terminating namespace (finalizers must still be removable)."""
    request = Request("UPDATE", PODS, "dying", "web", pod())
    assert NamespaceLifecycle(REGISTRY).admit(request, request.obj) is request.obj


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_immortal_namespaces_cannot_be_deleted(name):
    """default, kube-system and kube-public may never be deleted."""
    err = refused(NamespaceLifecycle(REGISTRY), Request("DELETE", NAMESPACES, "", name))
    assert (err.code, err.message) == (403, f'namespaces "{name}" is forbidden: this namespace may not be deleted')


def test_other_namespaces_and_cluster_scoped_objects_pass():
    """Namespaces themselves and cluster-scoped objects are not subject to the namespace check."""
    lifecycle = NamespaceLifecycle(REGISTRY)
    assert lifecycle.admit(Request("DELETE", NAMESPACES, "", "dying"), None) is None
    node = {"metadata": {"name": "n1"}}
    assert lifecycle.admit(Request("CREATE", NODES, "", obj=node), node) is node


def test_forbidden_names_generate_name_when_no_name():
    """admission.NewForbidden names the object by name, else generateName (before generation)."""
    obj = {"metadata": {"generateName": "web-"}, "spec": {}}
    err = refused(NamespaceLifecycle(REGISTRY), Request("CREATE", PODS, "dying", obj=obj))
    assert err.message.startswith('pods "web-" is forbidden')


# --- ServiceAccount ------------------------------------------------------------------------------

def test_pod_without_service_account_gets_default():
    """A pod that names no ServiceAccount runs as `default`."""
    obj = ServiceAccount(REGISTRY).admit(Request("CREATE", PODS, obj=pod()), pod())
    assert obj["spec"]["serviceAccountName"] == "default"
    assert obj["spec"]["serviceAccount"] == "default"


def test_service_account_must_exist():
    """The ServiceAccount a pod runs as must exist in its namespace, else 403 with upstream's text."""
    err = refused(ServiceAccount(REGISTRY), Request("CREATE", PODS, obj=pod(serviceAccountName="ghost")))
    assert err.code == 403
    assert err.message == ('pods "web" is forbidden: error looking up service account default/ghost: '
                           'serviceaccount "ghost" not found')


def test_missing_default_service_account_is_refused_after_ten_reads():
    """Without the `default` ServiceAccount (no controller made it), pods cannot be created; the
    plugin reads it ten times, 100 to 200 ms apart, before it says so."""
    registry, slept = FakeRegistry(namespace("fresh")), []
    err = refused(ServiceAccount(registry, sleep=slept.append), Request("CREATE", PODS, "fresh", obj=pod()))
    assert err.message == ('pods "web" is forbidden: error looking up service account fresh/default: '
                           'serviceaccount "default" not found')
    assert len(slept) == 9 and len(set(slept)) == 1 and 0.1 <= slept[0] < 0.2


def test_a_default_service_account_made_while_the_pod_waits_admits_it():
    """The serviceaccount controller makes `default` moments after its namespace: a pod created
    in between waits for it instead of being refused."""
    registry = FakeRegistry(namespace("fresh"))
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 3:
            registry.objects[("serviceaccounts", "fresh", "default")] = service_account("fresh")[2]

    obj = ServiceAccount(registry, sleep=sleep).admit(Request("CREATE", PODS, "fresh", obj=pod()), pod())
    assert obj["spec"]["serviceAccountName"] == "default" and len(slept) == 3


def test_a_named_service_account_is_read_once():
    """Only `default` is waited for: another missing account is refused after one live read."""
    slept = []
    refused(ServiceAccount(REGISTRY, sleep=slept.append), Request("CREATE", PODS, obj=pod(serviceAccountName="ghost")))
    assert slept == []


def test_pod_inherits_image_pull_secrets():
    """A pod without imagePullSecrets takes its ServiceAccount's."""
    obj = ServiceAccount(REGISTRY).admit(Request("CREATE", PODS), pod(serviceAccountName="builder"))
    assert obj["spec"]["imagePullSecrets"] == [{"name": "regcred"}]


def test_service_account_ignores_other_writes():
    """Only pod creates are handled: updates, subresources and other kinds pass untouched."""
    plugin = ServiceAccount(REGISTRY)
    for request in (Request("UPDATE", PODS, name="web"), Request("CREATE", PODS, subresource="binding"),
                    Request("CREATE", DEPLOYMENTS)):
        obj = pod(serviceAccountName="ghost")
        assert plugin.admit(request, obj) == pod(serviceAccountName="ghost")


def test_mirror_pods_may_not_name_service_accounts():
    """A mirror pod (kubelet static pod) is not defaulted and may not reference a ServiceAccount."""
    obj = pod(serviceAccountName="default")
    obj["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    err = refused(ServiceAccount(REGISTRY), Request("CREATE", PODS, obj=obj))
    assert err.message.endswith("a mirror pod may not reference service accounts")


def test_the_validating_phase_checks_the_account_again():
    """ServiceAccount.Validate runs on the object the registry prepared: the account a pod names
    must still exist (403), and a mirror pod still may not name one."""
    plugin = ServiceAccount(REGISTRY)
    plugin.validate(Request("CREATE", PODS), pod(serviceAccountName="builder"))
    err = validation_refused(plugin, Request("CREATE", PODS, obj=pod(serviceAccountName="ghost")))
    assert err.message == ('pods "web" is forbidden: error looking up service account default/ghost: '
                           'serviceaccount "ghost" not found')
    mirror = pod(serviceAccountName="default")
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    assert validation_refused(plugin, Request("CREATE", PODS, obj=mirror)).code == 403


def enforcing_account(name="locked", enforce="true"):
    """An account that may mount only the secret `own` and pull only with `own-pull`."""
    return ("serviceaccounts", "default", {
        "metadata": {"name": name, "namespace": "default",
                     "annotations": {"kubernetes.io/enforce-mountable-secrets": enforce}},
        "secrets": [{"name": "own"}], "imagePullSecrets": [{"name": "own-pull"}]})


@pytest.mark.parametrize("spec, why", [
    ({"volumes": [{"name": "v", "secret": {"secretName": "stolen"}}]},
     'volume with secret.secretName="stolen" is not allowed because service account locked does not reference '
     'that secret'),
    ({"initContainers": [{"name": "init", "image": "busybox", "env": [
        {"name": "E", "valueFrom": {"secretKeyRef": {"name": "stolen", "key": "k"}}}]}]},
     'init container init with envVar E referencing secret.secretName="stolen" is not allowed because service '
     'account locked does not reference that secret'),
    ({"containers": [{"name": "c", "image": "nginx", "env": [
        {"name": "E", "valueFrom": {"secretKeyRef": {"name": "stolen", "key": "k"}}}]}]},
     'container c with envVar E referencing secret.secretName="stolen" is not allowed because service account '
     'locked does not reference that secret'),
    ({"imagePullSecrets": [{"name": "own-pull"}, {"name": "stolen"}]},
     'imagePullSecrets[1].name="stolen" is not allowed because service account locked does not reference that '
     'imagePullSecret'),
])
def test_an_enforcing_account_limits_the_pods_secrets_to_its_own(spec, why):
    """kubernetes.io/enforce-mountable-secrets: "true" on the account: a pod running as it may use
    only the secrets the account lists (volumes, init and regular containers' env) and pull only
    with its imagePullSecrets."""
    registry = FakeRegistry(namespace("default"), enforcing_account())
    err = refused(ServiceAccount(registry), Request("CREATE", PODS, obj=pod(serviceAccountName="locked", **spec)))
    assert (err.code, err.message) == (403, f'pods "web" is forbidden: {why}')


def test_an_enforcing_account_admits_its_own_secrets_and_a_false_annotation_enforces_nothing():
    """The account's own secret and pull secret pass; the annotation parsed as Go's ParseBool
    ("0", "f", "false", anything unparsable) does not enforce."""
    own = {"volumes": [{"name": "v", "secret": {"secretName": "own"}}], "imagePullSecrets": [{"name": "own-pull"}]}
    registry = FakeRegistry(namespace("default"), enforcing_account())
    assert admitted(ServiceAccount(registry), pod(serviceAccountName="locked", **own))
    stolen = {"volumes": [{"name": "v", "secret": {"secretName": "stolen"}}]}
    for value in ("false", "yes"):
        registry = FakeRegistry(namespace("default"), enforcing_account(enforce=value))
        assert admitted(ServiceAccount(registry), pod(serviceAccountName="locked", **stolen))


TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_VOLUME_NAME = re.compile(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}")


def admitted(plugin, obj, namespace="default"):
    return plugin.admit(Request("CREATE", PODS, namespace, obj=obj), obj)


def test_a_pod_mounts_its_service_account_token():
    """The token, the cluster's CA and the namespace come in a projected volume kube-api-access-
    and five random characters, written out in full as upstream's TokenVolumeSource does (3607
    seconds: the bound token's warn-only lifetime), mounted read-only at the token path in every
    init container and container."""
    obj = pod(initContainers=[{"name": "init", "image": "busybox"}])
    spec = admitted(ServiceAccount(REGISTRY), obj)["spec"]
    [volume] = spec["volumes"]
    assert TOKEN_VOLUME_NAME.fullmatch(volume["name"])
    assert volume["projected"] == {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}
    mount = {"name": volume["name"], "readOnly": True, "mountPath": TOKEN_PATH}
    assert spec["initContainers"][0]["volumeMounts"] == [mount]
    assert spec["containers"][0]["volumeMounts"] == [mount]


def test_the_token_volume_comes_after_the_pods_own_volumes_and_mounts():
    """The volume and each mount are appended to what the pod already has."""
    own_mount = {"name": "data", "mountPath": "/data"}
    obj = pod(volumes=[{"name": "data", "emptyDir": {}}])
    obj["spec"]["containers"][0]["volumeMounts"] = [own_mount]
    spec = admitted(ServiceAccount(REGISTRY), obj)["spec"]
    assert [v["name"] for v in spec["volumes"]][0] == "data"
    assert spec["containers"][0]["volumeMounts"][0] == own_mount
    assert spec["containers"][0]["volumeMounts"][1]["name"] == spec["volumes"][1]["name"]


def test_a_container_with_a_mount_at_the_token_path_keeps_it():
    """A container that already mounts something at the token path gets no token mount; when no
    container needs one, no volume is added either."""
    own_mount = {"name": "mine", "mountPath": TOKEN_PATH}
    obj = pod(volumes=[{"name": "mine", "emptyDir": {}}])
    obj["spec"]["containers"][0]["volumeMounts"] = [own_mount]
    spec = admitted(ServiceAccount(REGISTRY), obj)["spec"]
    assert spec["containers"][0]["volumeMounts"] == [own_mount]
    assert spec["volumes"] == [{"name": "mine", "emptyDir": {}}]


def test_an_existing_kube_api_access_volume_is_reused():
    """A pod that already has a kube-api-access- volume has its containers mount that one, and
    gets no second volume."""
    volume = {"name": "kube-api-access-mine", "emptyDir": {}}
    spec = admitted(ServiceAccount(REGISTRY), pod(volumes=[volume]))["spec"]
    assert spec["volumes"] == [volume]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": "kube-api-access-mine", "readOnly": True, "mountPath": TOKEN_PATH}]


def test_ephemeral_containers_get_no_token_mount():
    """Only init containers and containers are given the mount."""
    obj = pod(ephemeralContainers=[{"name": "debug", "image": "busybox"}])
    spec = admitted(ServiceAccount(REGISTRY), obj)["spec"]
    assert "volumeMounts" not in spec["ephemeralContainers"][0]


@pytest.mark.parametrize("pod_automount,account_automount,mounted", [
    (None, None, True), (False, None, False), (None, False, False), (True, False, True), (False, True, False)])
def test_the_pods_automount_choice_wins_over_its_accounts(pod_automount, account_automount, mounted):
    """automountServiceAccountToken: the pod's when set, else its ServiceAccount's, else true."""
    account = service_account("default")
    if account_automount is not None:
        account[2]["automountServiceAccountToken"] = account_automount
    obj = pod() if pod_automount is None else pod(automountServiceAccountToken=pod_automount)
    spec = admitted(ServiceAccount(FakeRegistry(namespace("default"), account)), obj)["spec"]
    assert ("volumes" in spec) is mounted
    assert ("volumeMounts" in spec["containers"][0]) is mounted


def test_a_mirror_pod_gets_no_token_volume():
    """A mirror pod's spec is the kubelet's: nothing is mounted into it."""
    obj = pod()
    obj["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    assert "volumes" not in admitted(ServiceAccount(REGISTRY), obj)["spec"]


def mirror_pod(**spec):
    obj = pod(**spec)
    obj["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    return obj


@pytest.mark.parametrize("spec", [
    {"imagePullSecrets": [{"name": "regcred"}]},
    {"volumes": [{"name": "v", "secret": {"secretName": "s"}}]},
    {"volumes": [{"name": "v", "projected": {"sources": [{"secret": {"name": "s"}}]}}]},
    {"containers": [{"name": "c", "image": "nginx", "envFrom": [{"secretRef": {"name": "s"}}]}]}])
def test_a_mirror_pod_may_not_reference_secrets(spec):
    """A mirror pod may name no secret anywhere VisitPodSecretNames looks: 403."""
    err = refused(ServiceAccount(REGISTRY), Request("CREATE", PODS, obj=mirror_pod(**spec)))
    assert (err.code, err.message) == (403, 'pods "web" is forbidden: a mirror pod may not reference secrets')


def test_a_mirror_pod_may_not_project_a_service_account_token():
    """A mirror pod runs as no ServiceAccount, so it may not project one's token either: 403."""
    volume = {"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
    err = refused(ServiceAccount(REGISTRY), Request("CREATE", PODS, obj=mirror_pod(volumes=[volume])))
    assert (err.code, err.message) == (
        403, 'pods "web" is forbidden: a mirror pod may not use ServiceAccountToken volume projections')


# --- TaintNodesByCondition ----------------------------------------------------------------------

def test_a_new_node_is_tainted_not_ready():
    """A created Node gets node.kubernetes.io/not-ready:NoSchedule after the taints it has, so no
    pod is scheduled to it before the node lifecycle controller sees it Ready."""
    node = {"metadata": {"name": "n1"}, "spec": {"taints": [{"key": "dedicated", "effect": "NoExecute"}]}}
    admitted = TaintNodesByCondition().admit(Request("CREATE", NODES, "", obj=node), node)
    assert admitted["spec"]["taints"] == [{"key": "dedicated", "effect": "NoExecute"},
                                          {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]


def test_a_node_already_tainted_not_ready_keeps_its_one_taint():
    """Taint.MatchTaint compares key and effect: a not-ready:NoSchedule taint with a value or a time
    stays as it is, and is not added twice."""
    taint = {"key": "node.kubernetes.io/not-ready", "value": "x", "effect": "NoSchedule"}
    node = {"metadata": {"name": "n1"}, "spec": {"taints": [dict(taint)]}}
    assert TaintNodesByCondition().admit(Request("CREATE", NODES, "", obj=node), node)["spec"]["taints"] == [taint]


def test_node_updates_and_status_writes_are_not_tainted():
    """Only creates of the node itself: an update or a /status write may drop the taint."""
    plugin = TaintNodesByCondition()
    for request in (Request("UPDATE", NODES, "", "n1"), Request("CREATE", NODES, "", "n1", subresource="status")):
        node = {"metadata": {"name": "n1"}, "spec": {}}
        assert plugin.admit(request, node)["spec"] == {}


# --- informer caches in front of the live reads ---------------------------------------------------

class DictLister:
    def __init__(self, *objects: tuple[str, str | None, dict]) -> None:
        self.objects = {(ns or "", obj["metadata"]["name"]): obj for _, ns, obj in objects}

    def get(self, namespace, name):
        return self.objects.get((namespace or "", name))

    def list(self):
        return list(self.objects.values())


def test_a_cached_namespace_and_account_need_no_live_read():
    """Both plugins answer from their listers when the object is there: the live registry is empty."""
    chain = new_admission_chain(FakeRegistry(), DictLister(namespace("team")),
                                DictLister(service_account("team", pull_secrets=["regcred"])),
                                priority_classes=DictLister())
    admitted = chain.admit(Request("CREATE", PODS, "team", obj=pod()))
    assert admitted["spec"]["imagePullSecrets"] == [{"name": "regcred"}]


def test_a_cache_miss_falls_back_to_a_live_read():
    """An object the cache has not seen yet (just created) is read live before anything is refused."""
    chain = new_admission_chain(REGISTRY, DictLister(), DictLister())
    assert chain.admit(Request("CREATE", PODS, obj=pod()))["spec"]["serviceAccountName"] == "default"
    with pytest.raises(StatusError) as err:
        chain.admit(Request("CREATE", PODS, "nowhere", obj=pod()))
    assert err.value.code == 404


def test_a_namespace_deleted_here_is_read_live_while_the_cache_may_be_stale():
    """forceLiveLookupCache: after a namespace DELETE passes admission, creates in it read the
    namespace live for 30 s, so a cache still saying Active cannot let them in; then the cache rules."""
    clock = [100.0]
    live = FakeRegistry(namespace("team", "Terminating"))
    plugin = NamespaceLifecycle(live, lister=DictLister(namespace("team")), monotonic=lambda: clock[0])
    create = Request("CREATE", PODS, "team", obj=pod())
    assert plugin.admit(create, create.obj) is create.obj  # the cache says Active
    plugin.admit(Request("DELETE", NAMESPACES, "", "team"), None)
    assert refused(plugin, create).code == 403
    clock[0] += 31
    assert plugin.admit(create, create.obj) is create.obj


# --- NodeRestriction ----------------------------------------------------------------------------

NODE_1 = UserInfo("system:node:node-1", groups=("system:nodes", "system:authenticated"))
NODE_REGISTRY = FakeRegistry(("pods", "default", {"metadata": {"name": "web", "namespace": "default"},
                                                  "spec": {"nodeName": "node-1"}}),
                             ("pods", "default", {"metadata": {"name": "other", "namespace": "default"},
                                                  "spec": {"nodeName": "node-2"}}))


def node_obj(labels=None, taints=None):
    return {"metadata": {"name": "node-1", "labels": labels or {}}, "spec": {"taints": taints or []}}


def test_a_node_may_not_change_its_taints():
    """A node that removed its own taints could draw workloads that taint keeps away."""
    update = Request("UPDATE", NODES, "", "node-1", node_obj(taints=[{"key": "k", "effect": "NoSchedule"}]),
                     old_obj=node_obj(), user=NODE_1)
    assert refused(NodeRestriction(NODE_REGISTRY), update).message == \
        'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints'


def test_a_node_registers_only_with_kubelet_labels():
    """On create, kubernetes.io and k8s.io labels other than the kubelet's own are refused, sorted."""
    create = Request("CREATE", NODES, "", "node-1", node_obj({"kubernetes.io/hostname": "node-1",
                                                              "node-role.kubernetes.io/master": "",
                                                              "example.k8s.io/x": "1",
                                                              "node.kubernetes.io/instance-type": "big"}),
                     user=NODE_1)
    assert refused(NodeRestriction(NODE_REGISTRY), create).message == (
        'nodes "node-1" is forbidden: node "node-1" is not allowed to set the following labels: '
        'example.k8s.io/x, node-role.kubernetes.io/master')


def test_a_node_updates_status_only_of_its_own_pods_and_not_their_labels():
    plugin = NodeRestriction(NODE_REGISTRY)
    other = {"metadata": {"name": "other"}, "spec": {"nodeName": "node-2"}}
    status = Request("UPDATE", PODS, name="other", obj=other, old_obj=other, subresource="status", user=NODE_1)
    assert refused(plugin, status).message == ('pods "other" is forbidden: node "node-1" can only update pod status '
                                               'for pods with spec.nodeName set to itself')
    web = {"metadata": {"name": "web"}, "spec": {"nodeName": "node-1"}}
    relabelled = {"metadata": {"name": "web", "labels": {"a": "b"}}, "spec": {"nodeName": "node-1"}}
    status = Request("UPDATE", PODS, name="web", obj=relabelled, old_obj=web, subresource="status", user=NODE_1)
    assert refused(plugin, status).message == ('pods "web" is forbidden: node "node-1" cannot update labels through '
                                               'pod status')


def test_a_node_evicts_only_its_own_pods():
    plugin = NodeRestriction(NODE_REGISTRY)
    eviction = Request("CREATE", PODS, name="other", obj={"metadata": {"name": "other"}}, subresource="eviction",
                       user=NODE_1)
    assert refused(plugin, eviction).message == ('pods "other" is forbidden: node node-1 can only evict pods with '
                                                 'spec.nodeName set to itself')
    mine = Request("CREATE", PODS, name="web", obj={"metadata": {"name": "web"}}, subresource="eviction", user=NODE_1)
    assert plugin.admit(mine, mine.obj) is mine.obj


def test_a_pod_or_node_the_plugin_cannot_find_is_the_listers_not_found_in_the_singular():
    """NodeRestriction reads pods and nodes from informer listers, whose NotFound names the
    resource in the singular: an eviction of a missing pod, and a mirror pod of a node that does
    not exist, answer `pod "x" not found` and `node "x" not found` (as the real 1.24 does)."""
    plugin = NodeRestriction(NODE_REGISTRY)
    eviction = Request("CREATE", PODS, name="absent", obj={"metadata": {"name": "absent"}}, subresource="eviction",
                       user=NODE_1)
    missing = refused(plugin, eviction)
    assert (missing.code, missing.message, missing.details["kind"]) == (404, 'pod "absent" not found', "pod")
    owner = {"apiVersion": "v1", "kind": "Node", "name": "node-1", "uid": "u", "controller": True}
    mirror = {"metadata": {"name": "m", "annotations": {"kubernetes.io/config.mirror": "x"}, "ownerReferences": [owner]},
              "spec": {"nodeName": "node-1"}}
    create = Request("CREATE", PODS, "default", "m", mirror, user=NODE_1)
    missing = refused(plugin, create)
    assert (missing.code, missing.message, missing.details["kind"]) == (404, 'node "node-1" not found', "node")


def test_a_node_touches_only_its_own_lease_and_csinode():
    """Leases in kube-node-lease and CSINodes of the node's name; a create names it in the body."""
    plugin = NodeRestriction(NODE_REGISTRY)
    elsewhere = Request("UPDATE", LEASES, "default", "node-1", {"metadata": {"name": "node-1"}}, user=NODE_1)
    assert refused(plugin, elsewhere).message == ('leases.coordination.k8s.io "node-1" is forbidden: can only access '
                                                  'leases in the "kube-node-lease" system namespace')
    other = Request("CREATE", LEASES, "kube-node-lease", "node-2", {"metadata": {"name": "node-2"}}, user=NODE_1)
    assert refused(plugin, other).message == ('leases.coordination.k8s.io "node-2" is forbidden: can only access '
                                              'node lease with the same name as the requesting node')
    csinode = Request("DELETE", CSINODES, "", "node-2", None, user=NODE_1)
    assert refused(plugin, csinode).message == ('csinodes.storage.k8s.io "node-2" is forbidden: can only access '
                                                'CSINode with the same name as the requesting node')
    own = Request("CREATE", LEASES, "kube-node-lease", "node-1", {"metadata": {"name": "node-1"}}, user=NODE_1)
    assert plugin.admit(own, own.obj) is own.obj


def claim(labels=None, capacity="1Gi", phase="Bound"):
    return {"metadata": {"name": "data", "namespace": "default", "resourceVersion": "7", "labels": labels or {}},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": phase, "capacity": {"storage": capacity}}}


def test_a_node_writes_persistent_volume_claims_only_through_status():
    """A node that RBAC lets write claims may still only update their status subresource."""
    plugin = NodeRestriction(NODE_REGISTRY)
    for request in (Request("CREATE", CLAIMS, obj=claim(), user=NODE_1),
                    Request("UPDATE", CLAIMS, name="data", obj=claim({"a": "b"}), old_obj=claim(), user=NODE_1),
                    Request("DELETE", CLAIMS, name="data", user=NODE_1)):
        err = refused(plugin, request)
        assert (err.code, err.message) == (403, f'persistentvolumeclaims "{request.name or "data"}" is forbidden: '
                                                'may only update PVC status')


def test_a_node_updates_only_capacity_and_conditions_of_a_claims_status():
    """Through status a node may resize a claim (capacity, conditions; an unconditional update
    without resourceVersion too) but neither relabel it nor change its phase. Upstream's text after the
    colon is go-cmp's diff of the two objects, which go-cmp keeps deliberately unstable."""
    plugin = NodeRestriction(NODE_REGISTRY)
    resized = claim(capacity="2Gi")
    resized["metadata"].pop("resourceVersion")
    resized["status"]["conditions"] = [{"type": "FileSystemResizePending", "status": "True"}]
    resize = Request("UPDATE", CLAIMS, name="data", obj=resized, old_obj=claim(), subresource="status", user=NODE_1)
    assert plugin.admit(resize, resize.obj) is resize.obj
    for changed in (claim({"a": "b"}), claim(phase="Lost")):
        status = Request("UPDATE", CLAIMS, name="data", obj=changed, old_obj=claim(), subresource="status",
                         user=NODE_1)
        err = refused(plugin, status)
        assert err.code == 403
        # Upstream's go-cmp diff of the claims follows the colon; the reference adds nothing of its own.
        assert err.message == ('persistentvolumeclaims "data" is forbidden: node "node-1" is not allowed to '
                               'update fields other than status.capacity and status.conditions: ')


def test_a_node_user_without_a_name_is_refused():
    """A system:nodes member named just system:node: cannot be told apart from any other node."""
    nameless = UserInfo("system:node:", groups=("system:nodes",))
    request = Request("CREATE", LEASES, "kube-node-lease", obj={"metadata": {"name": "x"}}, user=nameless)
    assert refused(NodeRestriction(NODE_REGISTRY), request).message == (
        'leases.coordination.k8s.io "x" is forbidden: could not determine node from user "system:node:"')


# --- the chain -----------------------------------------------------------------------------------

def test_chain_holds_upstreams_order_and_splits_it_into_two_phases():
    """The plugins keep AllOrderedPlugins' order; `admit` runs those with an Admit (mutating), and
    `validate` those with a Validate (ServiceAccount has both), as chainAdmissionHandler does."""
    chain = new_admission_chain(REGISTRY)
    assert [type(p).__name__ for p in chain.plugins] == [
        "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "NodeRestriction", "TaintNodesByCondition",
        "PodSecurity", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection",
        "RuntimeClass", "CertificateApproval", "CertificateSigning", "CertificateSubjectRestriction",
        "DefaultIngressClass", "ResourceQuota"]
    assert [type(p).__name__ for p in chain.mutating] == ["NamespaceLifecycle", "LimitRanger", "ServiceAccount",
                                                          "NodeRestriction", "TaintNodesByCondition", "Priority",
                                                          "DefaultTolerationSeconds", "DefaultStorageClass",
                                                          "StorageObjectInUseProtection", "RuntimeClass",
                                                          "DefaultIngressClass"]
    assert [type(p).__name__ for p in chain.validating] == ["LimitRanger", "ServiceAccount", "PodSecurity", "Priority",
                                                            "RuntimeClass", "CertificateApproval", "CertificateSigning",
                                                            "CertificateSubjectRestriction", "ResourceQuota"]
    admitted = chain.admit(Request("CREATE", PODS, obj=pod()))
    assert admitted["spec"]["serviceAccountName"] == "default"
    assert (admitted["spec"]["priority"], admitted["spec"]["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert [t["key"] for t in admitted["spec"]["tolerations"]] == ["node.kubernetes.io/not-ready",
                                                                   "node.kubernetes.io/unreachable"]


VOLUMES = FakeResource("persistentvolumes", "PersistentVolume", namespaced=False)


@pytest.mark.parametrize("resource, finalizer", [(CLAIMS, "kubernetes.io/pvc-protection"),
                                                 (VOLUMES, "kubernetes.io/pv-protection")])
def test_a_new_claim_or_volume_gets_its_protection_finalizer_after_its_own(resource, finalizer):
    """StorageObjectInUseProtection appends the protection finalizer to a created claim or volume,
    a dry run's too, keeping the finalizers it already has and adding none twice."""
    chain = new_admission_chain(REGISTRY)
    for dry_run in (False, True):
        obj = {"metadata": {"name": "data", "finalizers": ["example.com/keep"]}}
        admitted = chain.admit(Request("CREATE", resource, obj=obj, dry_run=dry_run))
        assert admitted["metadata"]["finalizers"] == ["example.com/keep", finalizer]
        assert chain.admit(Request("CREATE", resource, obj=admitted))["metadata"]["finalizers"] == [
            "example.com/keep", finalizer]


def test_updates_and_status_writes_of_claims_get_no_finalizer():
    """Only a create of the object itself is protected: an update that drops the finalizer keeps it
    dropped, and a write to the status subresource is left alone."""
    chain = new_admission_chain(REGISTRY)
    for request in (Request("UPDATE", CLAIMS, name="data", obj={"metadata": {"name": "data"}}),
                    Request("CREATE", CLAIMS, name="data", obj={"metadata": {"name": "data"}}, subresource="status")):
        assert "finalizers" not in chain.admit(request)["metadata"]


def test_chain_stops_at_the_first_refusal():
    """A refusal ends the chain: a pod in a missing namespace is 404, not a ServiceAccount error."""
    seen = []

    class Spy:
        def admit(self, request, obj):
            seen.append(request.operation)
            return obj

    chain = AdmissionChain([NamespaceLifecycle(REGISTRY), Spy()])
    with pytest.raises(StatusError):
        chain.admit(Request("CREATE", PODS, "nowhere", obj=pod()))
    assert seen == []


# --- DefaultStorageClass and DefaultIngressClass --------------------------------------------------

INGRESSES = FakeResource("ingresses", "Ingress", "networking.k8s.io")


def storage_class(name: str, default: str | None = "true") -> tuple:
    notes = {} if default is None else {"storageclass.kubernetes.io/is-default-class": default}
    return "storageclasses", None, {"metadata": {"name": name, "annotations": notes}, "provisioner": "p"}


def ingress_class(name: str, default: str | None = "true") -> tuple:
    notes = {} if default is None else {"ingressclass.kubernetes.io/is-default-class": default}
    return "ingressclasses", None, {"metadata": {"name": name, "annotations": notes}, "spec": {"controller": "c"}}


def unclassed_claim(**spec) -> dict:
    return {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], **spec}}


def ingress(annotations: dict | None = None, **spec) -> dict:
    return {"metadata": {"name": "web", "annotations": annotations or {}}, "spec": spec}


@pytest.mark.parametrize("classes, spec, expected", [
    ([storage_class("fast")], {}, "fast"),
    ([storage_class("fast"), storage_class("slow", "false"), storage_class("plain", None)], {}, "fast"),
    ([storage_class("fast")], {"storageClassName": ""}, ""),
    ([storage_class("fast")], {"storageClassName": "slow"}, "slow"),
    ([storage_class("slow", "false")], {}, None),
], ids=["default", "one-of-three", "empty-kept", "named-kept", "none"])
def test_a_claim_without_a_class_gets_the_default_storage_class(classes, spec, expected):
    """DefaultStorageClass: a created claim naming no class (an empty name is one) gets the class
    annotated is-default-class "true"."""
    chain = new_admission_chain(FakeRegistry(namespace("default"), *classes))
    admitted = chain.admit(Request("CREATE", CLAIMS, obj=unclassed_claim(**spec)))
    assert admitted["spec"].get("storageClassName") == expected


def test_two_default_storage_classes_refuse_a_claim_without_a_class():
    """getDefaultClass's InternalError, which the plugin answers as Forbidden (the real 1.24's text);
    a claim naming a class, or an update, passes."""
    chain = new_admission_chain(FakeRegistry(namespace("default"), storage_class("a"),
                                             storage_class("b")))
    with pytest.raises(StatusError) as refused:
        chain.admit(Request("CREATE", CLAIMS, obj=unclassed_claim()))
    assert (refused.value.code, refused.value.message) == (
        403, 'persistentvolumeclaims "data" is forbidden: Internal error occurred: 2 default StorageClasses were found')
    assert chain.admit(Request("CREATE", CLAIMS, obj=unclassed_claim(storageClassName="a")))["spec"]["storageClassName"] == "a"
    assert "storageClassName" not in chain.admit(Request("UPDATE", CLAIMS, obj=unclassed_claim(), old_obj=unclassed_claim()))["spec"]


def test_an_ingress_without_a_class_gets_the_default_ingress_class():
    """DefaultIngressClass: a created Ingress with neither ingressClassName nor the
    kubernetes.io/ingress.class annotation gets the default class; two defaults are Forbidden."""
    chain = new_admission_chain(FakeRegistry(namespace("default"), ingress_class("nginx")))
    assert chain.admit(Request("CREATE", INGRESSES, obj=ingress()))["spec"]["ingressClassName"] == "nginx"
    annotated = chain.admit(Request("CREATE", INGRESSES, obj=ingress({"kubernetes.io/ingress.class": "x"})))
    assert "ingressClassName" not in annotated["spec"]
    chain = new_admission_chain(FakeRegistry(namespace("default"), ingress_class("a"),
                                             ingress_class("b")))
    with pytest.raises(StatusError) as refused:
        chain.admit(Request("CREATE", INGRESSES, obj=ingress()))
    assert refused.value.message == ('ingresses.networking.k8s.io "web" is forbidden: Internal error '
                                               "occurred: 2 default IngressClasses were found, only 1 allowed")


@pytest.mark.parametrize("plural, spec", [(INGRESSES, None), (INGRESSES, "missing"), (CLAIMS, None)],
                         ids=["ingress-null-spec", "ingress-no-spec", "claim-null-spec"])
def test_a_create_without_a_spec_is_still_given_the_default_class(plural, spec):
    """A missing or null spec is Go's zero struct, which names no class: the plugin runs, so two
    default classes refuse it (kube-apiserver 1.24 answered an Ingress with no spec so, 403) and
    one default class is set in a new spec."""
    def obj() -> dict:
        return {"metadata": {"name": "web"}} if spec == "missing" else {"metadata": {"name": "web"}, "spec": spec}
    make = ingress_class if plural is INGRESSES else storage_class
    field = "ingressClassName" if plural is INGRESSES else "storageClassName"
    chain = new_admission_chain(FakeRegistry(namespace("default"), make("a"), make("b")))
    with pytest.raises(StatusError) as refused:
        chain.admit(Request("CREATE", plural, obj=obj()))
    assert refused.value.code == 403 and "2 default" in refused.value.message
    chain = new_admission_chain(FakeRegistry(namespace("default"), make("a")))
    assert chain.admit(Request("CREATE", plural, obj=obj()))["spec"] == {field: "a"}
