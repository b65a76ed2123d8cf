"""The Node authorizer: what a kubelet, authenticated as `system:node:<name>` in the group
`system:nodes`, may do (kube-apiserver's `--authorization-mode=Node`).

Mirrors k8s.io/kubernetes/plugin/pkg/auth/authorizer/node. Most requests are judged by the static
NodeRules (bootstrappolicy.node_rules). Secrets, configmaps, persistentvolumeclaims,
persistentvolumes, volumeattachments and serviceaccount tokens are further limited to the objects
the node's graph relates to it: those referenced by pods bound to the node (and the PVs bound to
their claims, the secrets of those PVs, the node's VolumeAttachments and config-source configmap).
Leases in kube-node-lease and CSINodes are limited to the node's own name. The authorizer only ever
allows or has no opinion, so RBAC is asked next.

Upstream keeps the graph current from informers on pods, PVs, VolumeAttachments and nodes;
`NodeGraph` works out the part of it that leads to one node from those objects when asked.
"""
from __future__ import annotations

from typing import Callable, Iterator

from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.rbac import AttributesRecord, Rules, rules_allow
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

NODE_USER_PREFIX = "system:node:"
NODES_GROUP = "system:nodes"
NODE_LEASE_NAMESPACE = "kube-node-lease"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"

Decision = tuple[bool, str]
Vertex = tuple[str, str, str]  # (vertex type as upstream's vertexTypes names it, namespace, name)


@mirrors("(k8s.io/kubernetes/pkg/auth/nodeidentifier.defaultNodeIdentifier).NodeIdentity")
def node_identity(user: object) -> tuple[str, bool]:
    """(node name, True) for a user named system:node:<name> in the group system:nodes; the name
    may be empty, which makes a node no one can tell apart."""
    name = getattr(user, "name", "") or ""
    if not name.startswith(NODE_USER_PREFIX) or NODES_GROUP not in (getattr(user, "groups", ()) or ()):
        return "", False
    return name.removeprefix(NODE_USER_PREFIX), True


# --- what a pod or a PV refers to ---------------------------------------------------------------

# Volume sources that name a secret: the field holding a name, or a reference whose `name` it is.
_POD_VOLUME_SECRET_FIELDS = {"azureFile": "secretName", "secret": "secretName", "cephfs": "secretRef",
                             "cinder": "secretRef", "flexVolume": "secretRef", "rbd": "secretRef",
                             "scaleIO": "secretRef", "iscsi": "secretRef", "storageos": "secretRef",
                             "csi": "nodePublishSecretRef"}


def _containers(spec: dict) -> Iterator[dict]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(key) or ()


def _env_references(spec: dict, from_key: str, key_ref: str) -> Iterator[str]:
    for container in _containers(spec):
        for source in container.get("envFrom") or ():
            yield (source.get(from_key) or {}).get("name")
        for env in container.get("env") or ():
            yield ((env.get("valueFrom") or {}).get(key_ref) or {}).get("name")


def _named(names: Iterator[str | None]) -> set[str]:
    return {name for name in names if name}


@mirrors("k8s.io/kubernetes/pkg/api/v1/pod.VisitPodSecretNames")
def pod_secret_names(pod: dict) -> set[str]:
    """Image pull secrets, secrets in every container's env and envFrom, and secrets of volumes."""
    spec = pod.get("spec") or {}

    def names() -> Iterator[str | None]:
        yield from (ref.get("name") for ref in spec.get("imagePullSecrets") or ())
        yield from _env_references(spec, "secretRef", "secretKeyRef")
        for volume in spec.get("volumes") or ():
            for source, field in _POD_VOLUME_SECRET_FIELDS.items():
                value = (volume.get(source) or {}).get(field)
                yield value.get("name") if isinstance(value, dict) else value
            for projection in (volume.get("projected") or {}).get("sources") or ():
                yield (projection.get("secret") or {}).get("name")
    return _named(names())


@mirrors("k8s.io/kubernetes/pkg/api/v1/pod.VisitPodConfigmapNames")
def pod_configmap_names(pod: dict) -> set[str]:
    spec = pod.get("spec") or {}

    def names() -> Iterator[str | None]:
        yield from _env_references(spec, "configMapRef", "configMapKeyRef")
        for volume in spec.get("volumes") or ():
            yield (volume.get("configMap") or {}).get("name")
            for projection in (volume.get("projected") or {}).get("sources") or ():
                yield (projection.get("configMap") or {}).get("name")
    return _named(names())


@mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.Graph).AddPod",
         "k8s.io/component-helpers/storage/ephemeral.VolumeClaimName")
def pod_claim_names(pod: dict) -> set[str]:
    """Claims of persistentVolumeClaim volumes, and `<pod>-<volume>` of ephemeral ones."""
    pod_name = (pod.get("metadata") or {}).get("name", "")

    def names() -> Iterator[str | None]:
        for volume in (pod.get("spec") or {}).get("volumes") or ():
            if volume.get("persistentVolumeClaim") is not None:
                yield volume["persistentVolumeClaim"].get("claimName")
            elif volume.get("ephemeral") is not None:
                yield f"{pod_name}-{volume.get('name', '')}"
    return _named(names())


# PV sources whose secret reference falls back to the bound claim's namespace (older PVs had none).
_PV_CLAIM_NAMESPACE_SOURCES = ("cephfs", "flexVolume", "rbd", "scaleIO", "iscsi")
# The CSI secrets the kubelet itself reads; the controller ones stay with the CSI controller.
_PV_CSI_KUBELET_SECRETS = ("nodePublishSecretRef", "nodeStageSecretRef")


@mirrors("k8s.io/kubernetes/pkg/api/v1/persistentvolume.VisitPVSecretNames")
def pv_kubelet_secrets(pv: dict) -> set[tuple[str, str]]:
    """(namespace, name) of the secrets a PV's source names that the kubelet reads."""
    spec = pv.get("spec") or {}
    claim_namespace = (spec.get("claimRef") or {}).get("namespace", "")
    found: list[tuple[str, str | None]] = []
    if spec.get("azureFile") is not None:
        source = spec["azureFile"]
        found.append((source.get("secretNamespace") or claim_namespace, source.get("secretName")))
    for key in _PV_CLAIM_NAMESPACE_SOURCES:
        ref = (spec.get(key) or {}).get("secretRef")
        if ref is not None:
            found.append((ref.get("namespace") or claim_namespace, ref.get("name")))
    for key in ("cinder", "storageos"):
        ref = (spec.get(key) or {}).get("secretRef")
        if ref is not None:
            found.append((ref.get("namespace", ""), ref.get("name")))
    for key in _PV_CSI_KUBELET_SECRETS:
        ref = (spec.get("csi") or {}).get(key)
        if ref is not None:
            found.append((ref.get("namespace", ""), ref.get("name")))
    return {(namespace, name) for namespace, name in found if name}


@mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.graphPopulator).updatePod")
def _as_added_to_the_graph(pod: dict) -> dict:
    """The pod as the graph took it in: AddPod runs when a pod gets its node, and an update that
    keeps node and uid is skipped as if a bound pod's references could not change. Ephemeral
    containers, added later through their subresource, never reach the graph, so what they name
    stays unreadable to the node (on the real 1.24 server too). One added before the pod was
    bound would have; it is left out all the same, the stricter answer."""
    spec = pod.get("spec") or {}
    if not spec.get("ephemeralContainers"):
        return pod
    return {**pod, "spec": {key: value for key, value in spec.items() if key != "ephemeralContainers"}}


class NodeGraph:
    """Which objects have a path to a node in upstream's node authorizer graph, read from the
    objects themselves: `list_objects(plural)` gives every pod, persistentvolume, volumeattachment
    or node (the server reads them through its registry, tests from lists)."""

    def __init__(self, list_objects: Callable[[str], list[dict]]) -> None:
        self.list_objects = list_objects

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.Graph).AddPod",
             "(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.Graph).AddPV",
             "(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.Graph).AddVolumeAttachment",
             "(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.Graph).SetNodeConfigMap")
    def related(self, node_name: str) -> set[Vertex]:
        """Every vertex with a path to the node `node_name`."""
        related: set[Vertex] = set()
        for pod in self.list_objects("pods"):
            meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
            if not node_name or spec.get("nodeName") != node_name:
                continue
            namespace = meta.get("namespace", "")
            related.add(("pod", namespace, meta.get("name", "")))
            # A node makes its own mirror pods: they must never grant it anything.
            if MIRROR_POD_ANNOTATION in (meta.get("annotations") or {}):
                continue
            if spec.get("serviceAccountName"):
                related.add(("serviceAccount", namespace, spec["serviceAccountName"]))
            as_bound = _as_added_to_the_graph(pod)
            related |= {("secret", namespace, name) for name in pod_secret_names(as_bound)}
            related |= {("configmap", namespace, name) for name in pod_configmap_names(as_bound)}
            related |= {("pvc", namespace, name) for name in pod_claim_names(pod)}
        for pv in self.list_objects("persistentvolumes"):
            claim = (pv.get("spec") or {}).get("claimRef") or {}
            if ("pvc", claim.get("namespace", ""), claim.get("name", "")) in related:
                related.add(("pv", "", pv["metadata"]["name"]))
                related |= {("secret", namespace, name) for namespace, name in pv_kubelet_secrets(pv)}
        for attachment in self.list_objects("volumeattachments"):
            if node_name and (attachment.get("spec") or {}).get("nodeName") == node_name:
                related.add(("volumeattachment", "", attachment["metadata"]["name"]))
        for node in self.list_objects("nodes"):
            if node["metadata"].get("name") == node_name:
                config_map = ((node.get("spec") or {}).get("configSource") or {}).get("configMap") or {}
                if config_map.get("name"):
                    related.add(("configmap", config_map.get("namespace", ""), config_map["name"]))
        return related

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).hasPathFrom")
    def has_path_from(self, node_name: str, vertex_type: str, namespace: str, name: str) -> bool:
        return (vertex_type, namespace, name) in self.related(node_name)


class NodeAuthorizer:
    """`--authorization-mode=Node` over a NodeGraph."""

    def __init__(self, graph: NodeGraph, rules: list[dict] | None = None) -> None:
        self.graph = graph
        self.rules = bootstrappolicy.node_rules() if rules is None else rules
        # (API group, resource) -> how requests for it are judged, as Authorize's switch does.
        self.gated: dict[tuple[str, str], Callable[[str, AttributesRecord], Decision]] = {
            ("", "secrets"): lambda node, a: self.authorize_read_namespaced_object(node, "secret", a),
            ("", "configmaps"): lambda node, a: self.authorize_read_namespaced_object(node, "configmap", a),
            ("", "persistentvolumeclaims"): self.authorize_claim,
            ("", "persistentvolumes"): lambda node, a: self.authorize_get(node, "pv", a),
            ("storage.k8s.io", "volumeattachments"): lambda node, a: self.authorize_get(node, "volumeattachment", a),
            ("", "serviceaccounts"): self.authorize_create_token,
            ("coordination.k8s.io", "leases"): self.authorize_lease,
            ("storage.k8s.io", "csinodes"): self.authorize_csi_node,
        }

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).Authorize")
    def authorize(self, attributes: AttributesRecord) -> Decision:
        node_name, is_node = node_identity(attributes.user)
        if not is_node:
            return False, ""
        if not node_name:
            return False, f"unknown node for user {quote(attributes.user.name)}"
        if attributes.is_resource_request:
            gate = self.gated.get((attributes.api_group, attributes.resource))
            if gate is not None:
                return gate(node_name, attributes)
        return rules_allow(attributes, self.rules), ""

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).RulesFor")
    def rules_for(self, user: object, namespace: str) -> Rules:
        if node_identity(user)[1]:
            return Rules(incomplete=True, evaluation_error="node authorizer does not support user rule resolution")
        return Rules()

    def authorize_claim(self, node_name: str, attributes: AttributesRecord) -> Decision:
        if attributes.subresource == "status":
            return self.authorize_status_update(node_name, "pvc", attributes)
        return self.authorize_get(node_name, "pvc", attributes)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorizeStatusUpdate")
    def authorize_status_update(self, node_name: str, vertex_type: str, attributes: AttributesRecord) -> Decision:
        if attributes.verb not in ("update", "patch"):
            return False, "can only get/update/patch this type"
        return self.authorize_related(node_name, vertex_type, attributes)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorizeGet")
    def authorize_get(self, node_name: str, vertex_type: str, attributes: AttributesRecord) -> Decision:
        if attributes.verb != "get":
            return False, "can only get individual resources of this type"
        if attributes.subresource:
            return False, "cannot get subresource"
        return self.authorize_related(node_name, vertex_type, attributes)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorizeReadNamespacedObject")
    def authorize_read_namespaced_object(self, node_name: str, vertex_type: str,
                                         attributes: AttributesRecord) -> Decision:
        """get, list or watch of one named object (a list names it with a metadata.name field selector)."""
        if attributes.verb not in ("get", "list", "watch"):
            return False, "can only read resources of this type"
        if attributes.subresource:
            return False, "cannot read subresource"
        if not attributes.namespace:
            return False, "can only read namespaced object of this type"
        return self.authorize_related(node_name, vertex_type, attributes)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorize")
    def authorize_related(self, node_name: str, vertex_type: str, attributes: AttributesRecord) -> Decision:
        if not attributes.name:
            return False, "No Object name found"
        return self._has_path(node_name, vertex_type, attributes)

    def _has_path(self, node_name: str, vertex_type: str, attributes: AttributesRecord) -> Decision:
        if self.graph.has_path_from(node_name, vertex_type, attributes.namespace, attributes.name):
            return True, ""
        return False, f"no relationship found between node '{node_name}' and this object"

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorizeCreateToken")
    def authorize_create_token(self, node_name: str, attributes: AttributesRecord) -> Decision:
        if attributes.verb != "create" or not attributes.name:
            return False, "can only create tokens for individual service accounts"
        if attributes.subresource != "token":
            return False, "can only create token subresource of serviceaccount"
        return self._has_path(node_name, "serviceAccount", attributes)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorizeLease")
    def authorize_lease(self, node_name: str, attributes: AttributesRecord) -> Decision:
        """Its own Lease in kube-node-lease; a create carries no name here, NodeRestriction checks it."""
        if attributes.verb not in ("get", "create", "update", "patch", "delete"):
            return False, "can only get, create, update, patch, or delete a node lease"
        if attributes.namespace != NODE_LEASE_NAMESPACE:
            return False, f"can only access leases in the {quote(NODE_LEASE_NAMESPACE)} system namespace"
        if attributes.verb != "create" and attributes.name != node_name:
            return False, "can only access node lease with the same name as the requesting node"
        return True, ""

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/auth/authorizer/node.NodeAuthorizer).authorizeCSINode")
    def authorize_csi_node(self, node_name: str, attributes: AttributesRecord) -> Decision:
        if attributes.verb not in ("get", "create", "update", "patch", "delete"):
            return False, "can only get, create, update, patch, or delete a CSINode"
        if attributes.subresource:
            return False, "cannot authorize CSINode subresources"
        if attributes.verb != "create" and attributes.name != node_name:
            return False, "can only access CSINode with the same name as the requesting node"
        return True, ""
