"""The Node authorizer without a network: its graph read from lists of objects, requests as the
HTTP layer builds them. The semantics are those of k8s.io/kubernetes/plugin/pkg/auth/authorizer/node."""
from __future__ import annotations

from reference_impl.apiserver.core.auth import UserInfo
from reference_impl.apiserver.core.nodeauthorizer import NodeAuthorizer, NodeGraph
from reference_impl.apiserver.core.rbac import AttributesRecord, StaticSource, new_authorizer

NODE_1 = UserInfo("system:node:node-1", groups=("system:nodes", "system:authenticated"))
NO_RELATIONSHIP = "no relationship found between node 'node-1' and this object"

OBJECTS = {
    "pods": [
        {"metadata": {"name": "db", "namespace": "apps"},
         "spec": {"nodeName": "node-1", "serviceAccountName": "db",
                  "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "settings"}}],
                                  "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "password"}}}]}],
                  "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}},
        {"metadata": {"name": "static", "namespace": "apps", "annotations": {"kubernetes.io/config.mirror": "x"}},
         "spec": {"nodeName": "node-1", "volumes": [{"name": "s", "secret": {"secretName": "mirrored"}}]}},
    ],
    "persistentvolumes": [
        {"metadata": {"name": "pv-data"},
         "spec": {"claimRef": {"namespace": "apps", "name": "data"},
                  "csi": {"driver": "d", "volumeHandle": "h",
                          "nodeStageSecretRef": {"namespace": "storage", "name": "stage"},
                          "controllerPublishSecretRef": {"namespace": "storage", "name": "controller"}}}},
    ],
    "volumeattachments": [{"metadata": {"name": "va-1"}, "spec": {"nodeName": "node-1"}}],
    "nodes": [],
}


def authorizer() -> NodeAuthorizer:
    return NodeAuthorizer(NodeGraph(lambda plural: OBJECTS[plural]))


def res(verb, resource, namespace="apps", name="", group="", subresource="", user=NODE_1):
    return AttributesRecord(user, verb, namespace, group, "v1", resource, subresource, name)


def test_what_a_pod_on_the_node_references_is_readable():
    """Secrets and configmaps a pod bound to the node uses in its env, its claims and its account's token."""
    node = authorizer()
    assert node.authorize(res("get", "secrets", name="password")) == (True, "")
    assert node.authorize(res("watch", "configmaps", name="settings")) == (True, "")
    assert node.authorize(res("get", "persistentvolumeclaims", name="data")) == (True, "")
    assert node.authorize(res("create", "serviceaccounts", name="db", subresource="token")) == (True, "")


def test_what_an_ephemeral_container_references_is_not_readable():
    """The graph takes a pod in when it is bound and skips updates that keep its node and uid, so
    the secret and configmap an ephemeral container (added later, through its subresource) names
    are not the node's to read: the real 1.24 server refuses both after `kubectl debug`."""
    def container(name, secret, **extra):
        return {"name": name, "env": [{"name": "S", "valueFrom": {"secretKeyRef": {"name": secret}}}], **extra}
    debugged = {"metadata": {"name": "debugged", "namespace": "apps"},
                "spec": {"nodeName": "node-1", "containers": [container("c", "own")],
                         "ephemeralContainers": [container("debug", "key",
                                                           envFrom=[{"configMapRef": {"name": "tools"}}])]}}
    node = NodeAuthorizer(NodeGraph(lambda plural: [debugged] if plural == "pods" else []))
    assert node.authorize(res("get", "secrets", name="key")) == (False, NO_RELATIONSHIP)
    assert node.authorize(res("get", "configmaps", name="tools")) == (False, NO_RELATIONSHIP)
    assert node.authorize(res("get", "secrets", name="own")) == (True, "")


def test_a_claimed_pv_and_its_kubelet_secrets_are_readable_but_not_the_controllers():
    """node <- pod <- pvc <- pv <- secret, for the secrets the kubelet reads (CSI node stage/publish)."""
    node = authorizer()
    assert node.authorize(res("get", "persistentvolumes", "", "pv-data")) == (True, "")
    assert node.authorize(res("get", "secrets", "storage", "stage")) == (True, "")
    assert node.authorize(res("get", "secrets", "storage", "controller")) == (False, NO_RELATIONSHIP)


def test_a_mirror_pod_relates_nothing_to_its_node():
    """Mirror pods are the node's own making: their references grant nothing."""
    assert authorizer().authorize(res("get", "secrets", name="mirrored")) == (False, NO_RELATIONSHIP)


def test_graph_resources_take_their_verbs_only():
    node = authorizer()
    assert node.authorize(res("update", "secrets", name="password")) == \
        (False, "can only read resources of this type")
    assert node.authorize(res("list", "persistentvolumeclaims")) == \
        (False, "can only get individual resources of this type")
    assert node.authorize(res("get", "volumeattachments", "", "va-1", "storage.k8s.io")) == (True, "")


def test_leases_are_the_nodes_own_in_kube_node_lease():
    node = authorizer()
    lease = "coordination.k8s.io"
    assert node.authorize(res("update", "leases", "kube-node-lease", "node-1", lease)) == (True, "")
    assert node.authorize(res("update", "leases", "kube-node-lease", "node-2", lease)) == \
        (False, "can only access node lease with the same name as the requesting node")
    assert node.authorize(res("get", "leases", "default", "node-1", lease)) == \
        (False, 'can only access leases in the "kube-node-lease" system namespace')


def test_everything_else_is_node_rules():
    """NodeRules: reading services and writing events, but not deleting nodes."""
    node = authorizer()
    assert node.authorize(res("list", "services", ""))[0] is True
    assert node.authorize(res("create", "events"))[0] is True
    assert node.authorize(res("delete", "nodes", "", "node-1"))[0] is False


def test_other_users_get_no_opinion_and_rules_are_not_enumerated_for_nodes():
    node = authorizer()
    alice = UserInfo("alice", groups=("system:nodes",))
    assert node.authorize(res("get", "nodes", "", "node-1", user=alice)) == (False, "")
    rules = node.rules_for(NODE_1, "apps")
    assert (rules.incomplete, rules.evaluation_error) == (True, "node authorizer does not support user rule resolution")
    assert node.rules_for(alice, "apps").incomplete is False


def test_node_comes_before_rbac_and_its_reason_is_kept():
    """Node,RBAC: the Node authorizer's reason is the denial's reason when RBAC has none."""
    union = new_authorizer(StaticSource(), authorizer())
    assert union.authorize(res("get", "secrets", name="other")) == (False, NO_RELATIONSHIP)
    assert union.authorize(res("get", "pods", name="db")) == (True, "")
