"""What a kubeadm-made Kubernetes 1.24 cluster lets a kubelet do: `--authorization-mode=Node,RBAC`
with the NodeRestriction admission plugin, through the handler chain, the kubelet authenticated by a
client certificate CN=system:node:<name>, O=system:nodes. One rule per test.

The cluster holds nodes node-1 and node-2, and in namespace default a pod on each: `web` on node-1
mounting the secret `mounted`, `other` on node-2 mounting `elsewhere`; the secret `unused` is
mounted by no pod."""
from __future__ import annotations

import functools
import json

import pytest
from cryptography.hazmat.primitives import serialization

from reference_impl.machinery import certutil
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.auth import RequestAuthenticator, X509Authenticator
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.nodeauthorizer import NodeAuthorizer, NodeGraph
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from tests.reference.apiserver.test_handlers import NOW, etcd, registry  # noqa: F401

ADMIN = ("admin", ("system:masters",))
NODE_1 = ("system:node:node-1", ("system:nodes", "system:authenticated"))
ALICE = ("alice", ("system:authenticated",))
MERGE_PATCH = "application/merge-patch+json"
PODS = "/api/v1/namespaces/default/pods"
SECRETS = "/api/v1/namespaces/default/secrets"
RBAC = "/apis/rbac.authorization.k8s.io/v1"


@pytest.fixture(scope="module")
def ca():
    return certutil.new_ca()


@functools.lru_cache(maxsize=None)
def client_certificate(ca: certutil.KeyPair, user: str, groups: tuple[str, ...]) -> bytes:
    return certutil.issue_client_cert(ca, user, groups).certificate.public_bytes(serialization.Encoding.DER)


def send(chain, who, method: str, path: str, body=None, content_type="application/json") -> tuple[int, dict]:
    response = chain.handle(Request(method, path, {}, {"Content-Type": content_type},
                                    json.dumps(body).encode() if body is not None else b"",
                                    peer_certificate_der=client_certificate(chain.ca, *who)))
    return response.code, json.loads(response.body)


def ok(chain, method: str, path: str, body=None) -> dict:
    code, obj = send(chain, ADMIN, method, path, body)
    assert code in (200, 201), obj
    return obj


def node(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}}


def pod(name: str, node_name: str = "", secret: str = "", annotations: dict | None = None,
        owner: dict | None = None) -> dict:
    meta = {"name": name, "annotations": annotations or {}}
    if owner:
        meta["ownerReferences"] = [owner]
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node_name:
        spec["nodeName"] = node_name
    if secret:
        spec["volumes"] = [{"name": "s", "secret": {"secretName": secret}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def secret(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": {"k": "dg=="}}


@pytest.fixture
def chain(registry, ca):
    """The server as kube-apiserver --authorization-mode=Node,RBAC builds it, with the objects above
    (written once: the etcd lives as long as this module)."""
    bootstrappolicy.ensure_system_namespaces(registry)
    bootstrappolicy.ensure_rbac_policy(registry)
    graph = NodeGraph(lambda plural: registry.list(plural)["items"])
    authorizer = new_authorizer(RegistrySource(registry), NodeAuthorizer(graph))
    chain = HandlerChain(registry, RequestAuthenticator([X509Authenticator([ca.certificate])]), authorizer,
                         new_admission_chain(registry, authorizer=authorizer), now=lambda: NOW)
    chain.ca = ca
    if send(chain, ADMIN, "GET", "/api/v1/nodes/node-1")[0] == 404:
        for name in ("node-1", "node-2"):
            ok(chain, "POST", "/api/v1/nodes", node(name))
        for name in ("mounted", "elsewhere", "unused"):
            ok(chain, "POST", SECRETS, secret(name))
        ok(chain, "POST", PODS, pod("web", "node-1", "mounted"))
        ok(chain, "POST", PODS, pod("other", "node-2", "elsewhere"))
    return chain


def test_a_node_reads_nodes_and_pods(chain):
    """NodeRules: get, list and watch nodes and pods, every node's and every pod's."""
    for path in ("/api/v1/nodes/node-1", "/api/v1/nodes/node-2", "/api/v1/nodes", "/api/v1/pods", f"{PODS}/other"):
        code, body = send(chain, NODE_1, "GET", path)
        assert code == 200, (path, body)


def test_a_node_updates_its_own_status(chain):
    """NodeRules allow update and patch of nodes/status; NodeRestriction lets a node change its own."""
    code, updated = send(chain, NODE_1, "PATCH", "/api/v1/nodes/node-1/status",
                         {"status": {"capacity": {"cpu": "2"}}}, MERGE_PATCH)
    assert code == 200, updated
    assert updated["status"]["capacity"]["cpu"] == "2"


def test_a_node_may_not_modify_another_node(chain):
    """NodeRules allow patching nodes, and NodeRestriction refuses any Node but the node's own."""
    code, status = send(chain, NODE_1, "PATCH", "/api/v1/nodes/node-2",
                        {"metadata": {"labels": {"example.com/x": "y"}}}, MERGE_PATCH)
    assert (code, status["reason"]) == (403, "Forbidden")
    assert status["message"] == 'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"'


def test_a_node_may_not_set_node_restriction_labels_on_itself(chain):
    """node-restriction.kubernetes.io/ labels are for administrators to steer workloads with;
    other labels outside kubernetes.io and k8s.io are the kubelet's to set."""
    code, status = send(chain, NODE_1, "PATCH", "/api/v1/nodes/node-1",
                        {"metadata": {"labels": {"node-restriction.kubernetes.io/x": "y"}}}, MERGE_PATCH)
    assert (code, status["message"]) == (403, 'nodes "node-1" is forbidden: is not allowed to modify labels: '
                                              'node-restriction.kubernetes.io/x')
    code, patched = send(chain, NODE_1, "PATCH", "/api/v1/nodes/node-1",
                         {"metadata": {"labels": {"example.com/rack": "r1"}}}, MERGE_PATCH)
    assert code == 200, patched


def test_a_node_reads_only_secrets_its_pods_use(chain):
    """The Node authorizer's graph: a secret mounted by a pod bound to the node may be read; one
    no pod uses, or one only another node's pod uses, is refused with the graph's reason."""
    assert send(chain, NODE_1, "GET", f"{SECRETS}/mounted")[0] == 200
    for name in ("unused", "elsewhere"):
        code, status = send(chain, NODE_1, "GET", f"{SECRETS}/{name}")
        assert (code, status["message"]) == (403, (
            f'secrets "{name}" is forbidden: User "system:node:node-1" cannot get resource "secrets" in API group "" '
            "in the namespace \"default\": no relationship found between node 'node-1' and this object"))


def test_a_node_may_not_list_secrets(chain):
    """Reading secrets takes an object name: a list without a metadata.name selector names none."""
    code, status = send(chain, NODE_1, "GET", SECRETS)
    assert (code, status["message"]) == (403, 'secrets is forbidden: User "system:node:node-1" cannot list resource '
                                              '"secrets" in API group "" in the namespace "default": '
                                              'No Object name found')


def test_a_node_creates_only_mirror_pods(chain):
    """NodeRestriction: a pod a node creates must carry the kubernetes.io/config.mirror annotation."""
    code, status = send(chain, NODE_1, "POST", PODS, pod("made-by-node", "node-1"))
    assert (code, status["message"]) == (403, 'pods "made-by-node" is forbidden: pod does not have '
                                              '"kubernetes.io/config.mirror" annotation, node "node-1" can only '
                                              'create mirror pods')


def test_a_node_creates_mirror_pods_only_for_itself(chain):
    """A mirror pod a node creates must be bound to that node and controlled by its Node object."""
    mirror = {"kubernetes.io/config.mirror": "hash"}
    code, status = send(chain, NODE_1, "POST", PODS, pod("static-web-node-2", "node-2", annotations=mirror))
    assert (code, status["message"]) == (403, 'pods "static-web-node-2" is forbidden: node "node-1" can only create '
                                              'pods with spec.nodeName set to itself')
    uid = ok(chain, "GET", "/api/v1/nodes/node-1")["metadata"]["uid"]
    owner = {"apiVersion": "v1", "kind": "Node", "name": "node-1", "uid": uid, "controller": True}
    code, created = send(chain, NODE_1, "POST", PODS, pod("static-web-node-1", "node-1", annotations=mirror,
                                                          owner=owner))
    assert code == 201, created


def test_a_mirror_pod_grants_its_node_nothing(chain):
    """A mirror pod that references a secret is refused (a node could otherwise grant itself any
    secret in the graph): by ServiceAccount, which runs before NodeRestriction and refuses such a
    mirror pod from anyone."""
    uid = ok(chain, "GET", "/api/v1/nodes/node-1")["metadata"]["uid"]
    owner = {"apiVersion": "v1", "kind": "Node", "name": "node-1", "uid": uid, "controller": True}
    code, status = send(chain, NODE_1, "POST", PODS, pod("static-steal", "node-1", "unused",
                                                         {"kubernetes.io/config.mirror": "hash"}, owner))
    assert (code, status["message"]) == (403, 'pods "static-steal" is forbidden: a mirror pod may not reference '
                                              'secrets')


def test_a_node_deletes_only_its_own_pods(chain):
    """NodeRestriction: deleting a pod bound to another node is refused."""
    code, status = send(chain, NODE_1, "DELETE", f"{PODS}/other")
    assert (code, status["message"]) == (403, 'pods "other" is forbidden: node "node-1" can only delete pods with '
                                              'spec.nodeName set to itself')


def test_an_ordinary_user_is_unaffected(chain):
    """Neither the Node authorizer nor NodeRestriction judges a user who is no node: RBAC decides,
    and a granted user may set any label on any node."""
    name = "edit-nodes"
    if send(chain, ADMIN, "GET", f"{RBAC}/clusterroles/{name}")[0] == 404:
        ok(chain, "POST", f"{RBAC}/clusterroles", {"metadata": {"name": name}, "rules": [
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["patch"]}]})
        ok(chain, "POST", f"{RBAC}/clusterrolebindings", {
            "metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                    "name": name},
            "subjects": [{"kind": "User", "name": "alice"}]})
    code, patched = send(chain, ALICE, "PATCH", "/api/v1/nodes/node-2",
                         {"metadata": {"labels": {"node-restriction.kubernetes.io/x": "y"}}}, MERGE_PATCH)
    assert code == 200, patched
    code, status = send(chain, ALICE, "GET", f"{SECRETS}/unused")
    assert (code, status["message"]) == (403, 'secrets "unused" is forbidden: User "alice" cannot get resource '
                                              '"secrets" in API group "" in the namespace "default"')


def test_a_node_name_without_the_nodes_group_is_no_node(chain):
    """The node identifier needs both the system:node: name and the group system:nodes."""
    code, status = send(chain, ("system:node:node-1", ("system:authenticated",)), "GET", "/api/v1/nodes/node-1")
    assert (code, status["message"]) == (403, 'nodes "node-1" is forbidden: User "system:node:node-1" cannot get '
                                              'resource "nodes" in API group "" at the cluster scope')


def test_a_node_gets_tokens_only_bound_to_its_own_pods(chain):
    """The Node authorizer lets node-1 ask for the token of an account its pod uses; NodeRestriction
    then wants the token bound to that very pod (name and uid) on this node."""
    chain.rest.token_key = chain.ca.private_key
    token = "/api/v1/namespaces/default/serviceaccounts/default/token"
    web, other = (ok(chain, "GET", f"{PODS}/{name}")["metadata"] for name in ("web", "other"))

    def request(bound: dict | None) -> dict:
        spec = {"audiences": ["https://kubernetes.default.svc"]}
        if bound is not None:
            spec["boundObjectRef"] = bound
        return {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}

    def pod_ref(meta: dict, uid: str | None = None) -> dict:
        return {"apiVersion": "v1", "kind": "Pod", "name": meta["name"], "uid": meta["uid"] if uid is None else uid}
    for bound, why in ((None, "node requested token not bound to a pod"),
                       (pod_ref(web, uid=""), "node requested token with a pod binding without a uid"),
                       (pod_ref(web, uid="0000"), "the UID in the bound object reference (0000) does not match the "
                                                  "UID in record. The object might have been deleted and then "
                                                  "recreated"),
                       (pod_ref(other), "node requested token bound to a pod scheduled on a different node")):
        code, status = send(chain, NODE_1, "POST", token, request(bound))
        assert (code, status["message"]) == (403, f'serviceaccounts "default" is forbidden: {why}')
    code, answer = send(chain, NODE_1, "POST", token, request(pod_ref(web)))
    assert code == 201 and answer["status"]["token"]


def test_a_node_resizes_the_claims_of_its_pods_through_status_only(chain):
    """The Node authorizer lets node-1 update the status of a claim its pod mounts; NodeRestriction
    lets that update change status.capacity and refuses a label put in with it."""
    claims = "/api/v1/namespaces/default/persistentvolumeclaims"
    if send(chain, ADMIN, "GET", f"{claims}/data")[0] == 404:
        ok(chain, "POST", claims, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                                   "spec": {"accessModes": ["ReadWriteOnce"],
                                            "resources": {"requests": {"storage": "1Gi"}}}})
        with_claim = pod("uses-data", "node-1")
        with_claim["spec"]["volumes"] = [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]
        ok(chain, "POST", PODS, with_claim)
    code, resized = send(chain, NODE_1, "PATCH", f"{claims}/data/status",
                         {"status": {"capacity": {"storage": "2Gi"}}}, MERGE_PATCH)
    assert code == 200, resized
    code, status = send(chain, NODE_1, "PATCH", f"{claims}/data/status",
                        {"metadata": {"labels": {"a": "b"}}}, MERGE_PATCH)
    assert code == 403
    assert status["message"].startswith('persistentvolumeclaims "data" is forbidden: node "node-1" is not allowed to '
                                        'update fields other than status.capacity and status.conditions: ')
