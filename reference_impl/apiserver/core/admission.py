"""Admission: the ordered checks (and defaults) a write passes after authorization and before storage.

The chain holds NamespaceLifecycle, LimitRanger (limitranger.py), ServiceAccount, NodeRestriction,
TaintNodesByCondition, PodSecurity (podsecurity/), Priority, DefaultTolerationSeconds,
StorageObjectInUseProtection (storageprotection.py), RuntimeClass, the plugins for
CertificateSigningRequests, the admission webhooks (webhooks.py) and ResourceQuota (resourcequota.py),
in upstream's order, and runs them in two phases as chainAdmissionHandler does. `admit` (mutating admission) runs
every plugin with an `admit` on the decoded object, before the registry sees it; each takes the
request and the object so far and returns the object, possibly changed (ServiceAccount fills in
`spec.serviceAccountName`). `validate` (validating admission) runs every plugin with a `validate`
on the object as it will be stored: the registry calls it once the strategy has prepared and
validated the object (generated its name, restored what an update may not change). Both get an
`AdmissionRequest` (operation, resource, subresource, namespace, name, obj, old_obj, user, dry_run,
and the request's `warnings`, which a plugin may add to); a refusal raises StatusError with the code
and message upstream's plugin gives.

Plugins read namespaces, ServiceAccounts, PriorityClasses and RuntimeClasses as upstream's do: from
a `Lister` (an informer cache, see listers.py) when the server gives them one, and live through the
registry's `get(resource, namespace, name)` (or `list`) when the cache misses or may be stale.
"""
from __future__ import annotations

import random
import time
from typing import Callable, Protocol, Sequence

from cryptography.x509.oid import NameOID

from reference_impl.apiserver.core import errors, limitranger, resourcequota, webhooks
from reference_impl.apiserver.core.storageprotection import StorageObjectInUseProtection
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.nodeauthorizer import (MIRROR_POD_ANNOTATION, NODE_LEASE_NAMESPACE,
                                                          node_identity, pod_configmap_names, pod_secret_names)
from reference_impl.apiserver.core.podsecurity import PodSecurity
from reference_impl.apiserver.core.rbac import AlwaysAllowAuthorizer, AttributesRecord
from reference_impl.apiserver.core.tokenrequest import WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS
from reference_impl.apiserver.kinds import certificatesigningrequest
from reference_impl.machinery import names, quantity, trace
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.scheduling import merge_tolerations
from reference_impl.mirrors import mirrors

CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
DEFAULT_SERVICE_ACCOUNT = "default"
SERVICE_ACCOUNT_VOLUME_NAME = "kube-api-access"
DEFAULT_API_TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
PROJECTED_VOLUME_DEFAULT_MODE = 0o644
FORCE_LIVE_LOOKUP_SECONDS = 30.0  # upstream's forceLiveLookupTTL


class Lister(Protocol):
    def get(self, namespace: str | None, name: str) -> dict | None: ...

    def list(self) -> list[dict] | None:
        """Every cached object, or None when the cache is not filled yet."""


class _NoCache:
    def get(self, namespace: str | None, name: str) -> None:
        return None

    def list(self) -> None:
        return None


class MutationPlugin(Protocol):
    def admit(self, request: object, obj: dict | None) -> dict | None: ...


class ValidationPlugin(Protocol):
    def validate(self, request: object, obj: dict | None) -> None: ...


@mirrors("k8s.io/apiserver/pkg/admission.NewForbidden")
def forbidden(request: object, obj: dict | None, why: str) -> StatusError:
    """403 `<resource> "<name>" is forbidden: <why>`, naming the object as upstream's
    extractResourceName does: the request's name, else the object's name or generateName."""
    name = request.name
    if not name:
        meta = (obj or {}).get("metadata") or {}
        name = meta.get("name") or meta.get("generateName") or "Unknown"
    return errors.object_forbidden(request.resource.plural, request.resource.group, name, why)


def _is_namespace(request: object) -> bool:
    return request.resource.group == "" and request.resource.plural == "namespaces"


class NamespaceLifecycle:
    """No objects in a namespace that does not exist, no new ones in a Terminating namespace, and
    the namespaces default, kube-system and kube-public may never be deleted."""

    def __init__(self, registry: object, immortal: frozenset[str] = IMMORTAL_NAMESPACES,
                 lister: Lister | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.registry = registry
        self.immortal = immortal
        self.lister = lister or _NoCache()
        self.monotonic = monotonic
        # Namespaces deleted through this server lately: the cache may still call them Active.
        self.force_live_lookup: dict[str, float] = {}

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle.Lifecycle).Admit")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        if _is_namespace(request):
            if request.operation == DELETE and request.name in self.immortal:
                raise forbidden(request, obj, "this namespace may not be deleted")
            if request.operation == DELETE:
                self.force_live_lookup[request.name] = self.monotonic() + FORCE_LIVE_LOOKUP_SECONDS
            return obj
        if not request.namespace or request.operation == DELETE:
            return obj  # cluster-scoped objects, and deleting anything, are always allowed
        namespace = self.lister.get(None, request.namespace)
        if namespace is None or self._live_lookup_forced(request.namespace, namespace):
            namespace = self.registry.get("namespaces", None, request.namespace)  # 404 when missing
        terminating = (namespace.get("status") or {}).get("phase") == "Terminating"
        if request.operation == CREATE and terminating:
            err = forbidden(request, obj, f"unable to create new content in namespace "
                                          f"{request.namespace} because it is being terminated")
            err.details.setdefault("causes", []).append(
                {"reason": "NamespaceTerminating", "field": "metadata.namespace",
                 "message": f"namespace {request.namespace} is being terminated"})
            raise err
        return obj

    def _live_lookup_forced(self, name: str, cached: dict) -> bool:
        """A namespace deleted here lately but still Active in the cache is read live."""
        expiry = self.force_live_lookup.get(name)
        if expiry is None:
            return False
        if expiry < self.monotonic():
            self.force_live_lookup.pop(name, None)
            return False
        return (cached.get("status") or {}).get("phase", "Active") == "Active"


class ServiceAccount:
    """Pods run as a ServiceAccount: `default` when the pod names none, and it must exist. Unless
    the pod (or else its account) sets automountServiceAccountToken to false, every init container
    and container mounts the account's token, the cluster's CA and the namespace from a projected
    volume. The pod also inherits the account's imagePullSecrets when it lists none."""

    # The `default` account is the serviceaccount controller's to make (in kube-controller-manager,
    # moments after its namespace): a pod needing it waits for it through this many live reads.
    DEFAULT_ACCOUNT_ATTEMPTS = 10

    def __init__(self, registry: object, lister: Lister | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.registry = registry
        self.lister = lister or _NoCache()
        self.sleep = sleep

    @mirrors("k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.shouldIgnore")
    def handles(self, request: object, obj: dict | None) -> bool:
        return (request.operation == CREATE and request.resource.group == ""
                and request.resource.plural == "pods" and not request.subresource and obj is not None)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.Plugin).Admit")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        if not self.handles(request, obj):
            return obj
        spec = obj.setdefault("spec", {})
        if not _is_mirror_pod(obj):  # a mirror pod's spec is the kubelet's: it is only validated
            name = spec.get("serviceAccountName") or spec.get("serviceAccount") or DEFAULT_SERVICE_ACCOUNT
            # v1 conversion keeps the deprecated spec.serviceAccount equal to serviceAccountName.
            spec["serviceAccountName"] = spec["serviceAccount"] = name
            account = self._service_account(request, obj, name)
            if should_automount(account, spec):
                mount_service_account_token(spec)
            if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
                spec["imagePullSecrets"] = [{"name": s["name"]} for s in account["imagePullSecrets"]]
        self.validate(request, obj)
        return obj

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.Plugin).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        """A mirror pod names no ServiceAccount, no secret and projects no token; any other pod's
        ServiceAccount must exist, and list the secrets the pod uses when it enforces that."""
        if not self.handles(request, obj):
            return
        spec = obj.get("spec") or {}
        name = spec.get("serviceAccountName") or ""
        if _is_mirror_pod(obj):
            if name:
                raise forbidden(request, obj, "a mirror pod may not reference service accounts")
            if pod_secret_names(obj):
                raise forbidden(request, obj, "a mirror pod may not reference secrets")
            if any(projection.get("serviceAccountToken") is not None for volume in spec.get("volumes") or ()
                   for projection in (volume.get("projected") or {}).get("sources") or ()):
                raise forbidden(request, obj, "a mirror pod may not use ServiceAccountToken volume projections")
            return
        account = self._service_account(request, obj, name)
        if enforce_mountable_secrets(account):
            why = limit_secret_references(account, spec)
            if why:
                raise forbidden(request, obj, why)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.Plugin).getServiceAccount")
    def _service_account(self, request: object, obj: dict, name: str) -> dict:
        """The cached account, else a live read: once for a named account, up to ten times for
        `default`, 100 to 200 ms apart (one interval drawn per request), before refusing the pod."""
        account = self.lister.get(request.namespace, name)
        if account is not None:
            return account
        attempts = self.DEFAULT_ACCOUNT_ATTEMPTS if name == DEFAULT_SERVICE_ACCOUNT else 1
        interval = (100 + random.randrange(100)) / 1000
        for attempt in range(attempts):
            if attempt:
                self.sleep(interval)
            try:
                return self.registry.get("serviceaccounts", request.namespace, name)
            except StatusError as err:
                if err.code != 404:
                    raise
        raise forbidden(request, obj, f"error looking up service account {request.namespace}/{name}: "
                                      f'serviceaccount "{name}" not found')


ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = "kubernetes.io/enforce-mountable-secrets"


@mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.Plugin).enforceMountableSecrets")
def enforce_mountable_secrets(account: dict) -> bool:
    """The account's annotation read as Go's strconv.ParseBool, where anything unparsable is false."""
    value = ((account.get("metadata") or {}).get("annotations") or {}).get(ENFORCE_MOUNTABLE_SECRETS_ANNOTATION)
    return value in ("1", "t", "T", "true", "TRUE", "True")


@mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.Plugin).limitSecretReferences")
def limit_secret_references(account: dict, spec: dict) -> str:
    """Why the pod may not run as the account (empty when it may): a secret volume, or an init or
    regular container's env, naming a secret the account does not list, or an image pull secret
    it does not list."""
    name = (account.get("metadata") or {}).get("name", "")
    mountable = {secret.get("name") for secret in account.get("secrets") or ()}
    for volume in spec.get("volumes") or ():
        secret_name = (volume.get("secret") or {}).get("secretName", "")
        if volume.get("secret") is not None and secret_name not in mountable:
            return (f'volume with secret.secretName="{secret_name}" is not allowed because service account {name} '
                    "does not reference that secret")
    for key, what in (("initContainers", "init container"), ("containers", "container")):
        for container in spec.get(key) or ():
            for env in container.get("env") or ():
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref is not None and ref.get("name", "") not in mountable:
                    return (f"{what} {container.get('name', '')} with envVar {env.get('name', '')} referencing "
                            f'secret.secretName="{ref.get("name", "")}" is not allowed because service account '
                            f"{name} does not reference that secret")
    pull_secrets = {secret.get("name") for secret in account.get("imagePullSecrets") or ()}
    for i, ref in enumerate(spec.get("imagePullSecrets") or ()):
        if ref.get("name", "") not in pull_secrets:
            return (f'imagePullSecrets[{i}].name="{ref.get("name", "")}" is not allowed because service account '
                    f"{name} does not reference that imagePullSecret")
    return ""


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.shouldAutomount")
def should_automount(account: dict, spec: dict) -> bool:
    """The pod's automountServiceAccountToken when set, else its account's, else true."""
    for choice in (spec.get("automountServiceAccountToken"), account.get("automountServiceAccountToken")):
        if choice is not None:
            return choice
    return True


@mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.Plugin).mountServiceAccountToken")
def mount_service_account_token(spec: dict) -> None:
    """A read-only mount of the token volume at the token path in every init container and
    container without a mount there; the volume itself, kube-api-access- and five random
    characters, once any of them needs it, unless the pod already has a kube-api-access- volume."""
    prefix = SERVICE_ACCOUNT_VOLUME_NAME + "-"
    volumes = spec.get("volumes") or []
    existing = next((v["name"] for v in volumes if v.get("name", "").startswith(prefix)), None)
    volume_name = existing or names.generate_name(prefix)
    needs_volume = False
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        mounts = container.get("volumeMounts") or []
        if not any(mount.get("mountPath") == DEFAULT_API_TOKEN_MOUNT_PATH for mount in mounts):
            container["volumeMounts"] = mounts + [
                {"name": volume_name, "readOnly": True, "mountPath": DEFAULT_API_TOKEN_MOUNT_PATH}]
            needs_volume = True
    if existing is None and needs_volume:
        spec["volumes"] = volumes + [{"name": volume_name, "projected": token_volume_source()}]


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/serviceaccount.TokenVolumeSource")
def token_volume_source() -> dict:
    """Every field written out, defaultMode too (kubernetes#104464): admission runs after
    defaulting, so nothing would fill them in."""
    return {"defaultMode": PROJECTED_VOLUME_DEFAULT_MODE, "sources": [
        {"serviceAccountToken": {"expirationSeconds": WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}


def _is_mirror_pod(pod: dict) -> bool:
    return MIRROR_POD_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


NODE_RESTRICTION_LABEL_NAMESPACE = "node-restriction.kubernetes.io"
# k8s.io/kubelet/pkg/apis: the kubernetes.io labels a kubelet may set on its own Node.
KUBELET_LABELS = frozenset({
    "kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
    "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type", "kubernetes.io/os",
    "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch"})
KUBELET_LABEL_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")


def _label_namespace(key: str) -> str:
    prefix, slash, _ = key.partition("/")
    return prefix if slash else ""


def _in_domain(namespace: str, domain: str) -> bool:
    return namespace == domain or namespace.endswith("." + domain)


@mirrors("k8s.io/kubelet/pkg/apis.IsKubeletLabel")
def is_kubelet_label(key: str) -> bool:
    namespace = _label_namespace(key)
    return key in KUBELET_LABELS or any(_in_domain(namespace, d) for d in KUBELET_LABEL_NAMESPACES)


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/noderestriction.getModifiedLabels")
def modified_labels(new: dict, old: dict) -> set[str]:
    """Keys added, removed or given another value."""
    return {key for key in new.keys() | old.keys() if key not in new or key not in old or new[key] != old[key]}


@mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).getForbiddenLabels")
def forbidden_labels(keys: set[str]) -> list[str]:
    """The node-restriction.kubernetes.io labels, and kubernetes.io or k8s.io labels that are not
    the kubelet's own, sorted."""
    def forbidden(key: str) -> bool:
        namespace = _label_namespace(key)
        kubernetes = _in_domain(namespace, "kubernetes.io") or _in_domain(namespace, "k8s.io")
        return _in_domain(namespace, NODE_RESTRICTION_LABEL_NAMESPACE) or (kubernetes and not is_kubelet_label(key))
    return sorted(key for key in keys if forbidden(key))


def _labels(obj: dict | None) -> dict:
    return ((obj or {}).get("metadata") or {}).get("labels") or {}


def _spec(obj: dict | None) -> dict:
    return (obj or {}).get("spec") or {}


def _claim_beyond_resize(claim: dict | None) -> dict:
    """The claim without what a resize changes (status.capacity, status.conditions) and what an
    update need not carry (resourceVersion, managedFields), empty fields dropped as Go's
    Semantic.DeepEqual sees nil and empty alike; keyed by top-level field path."""
    claim = claim or {}
    metadata = {k: v for k, v in (claim.get("metadata") or {}).items()
                if k not in ("resourceVersion", "managedFields") and v not in (None, {}, [], "")}
    status = {k: v for k, v in (claim.get("status") or {}).items()
              if k not in ("capacity", "conditions") and v not in (None, {}, [], "")}
    return {**{f"metadata.{k}": v for k, v in metadata.items()}, **{f"status.{k}": v for k, v in status.items()},
            "spec": claim.get("spec") or {}}


class NodeRestriction:
    """A kubelet's writes are limited to its own objects: its own Node (not its taints, nor labels
    outside the set kubelets may set), mirror pods bound to itself that reference nothing else,
    status updates, deletes and evictions of pods bound to itself, the capacity and conditions in
    a claim's status, its own Lease and CSINode.
    Requests from users who are no node pass untouched. The pods and nodes it checks are read
    through `registry.get` as upstream reads its informer listers (see `listed`)."""

    def __init__(self, registry: object) -> None:
        self.registry = registry
        self.checks: dict[tuple[str, str], Callable[[str, object, dict | None], None]] = {
            ("", "pods"): self.admit_pod_request, ("", "nodes"): self.admit_node,
            ("", "persistentvolumeclaims"): self.admit_claim_request,
            ("", "serviceaccounts"): self.admit_service_account,
            ("coordination.k8s.io", "leases"): self.admit_lease,
            ("storage.k8s.io", "csinodes"): self.admit_csi_node}

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).Admit")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        if request.operation not in (CREATE, UPDATE, DELETE):
            return obj
        node_name, is_node = node_identity(request.user)
        if not is_node:
            return obj
        if not node_name:
            raise forbidden(request, obj, f"could not determine node from user {quote(request.user.name)}")
        check = self.checks.get((request.resource.group, request.resource.plural))
        if check is not None:
            check(node_name, request, obj)
        return obj

    def admit_pod_request(self, node_name: str, request: object, obj: dict | None) -> None:
        if request.subresource == "":
            self.admit_pod(node_name, request, obj)
        elif request.subresource == "status":
            self.admit_pod_status(node_name, request, obj)
        elif request.subresource == "eviction":
            self.admit_pod_eviction(node_name, request, obj)
        else:
            raise forbidden(request, obj, f"unexpected pod subresource {quote(request.subresource)}, "
                                          "only 'status' and 'eviction' are allowed")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitPod")
    def admit_pod(self, node_name: str, request: object, obj: dict | None) -> None:
        if request.operation == CREATE:
            self.admit_pod_create(node_name, request, obj)
        elif request.operation == DELETE:
            existing = self.listed("pod", request.namespace, request.name)
            if _spec(existing).get("nodeName") != node_name:
                raise forbidden(request, obj, f"node {quote(node_name)} can only delete pods with spec.nodeName "
                                              "set to itself")
        else:
            raise forbidden(request, obj, f"unexpected operation {quote(request.operation)}, node "
                                          f"{quote(node_name)} can only create and delete mirror pods")

    @mirrors("(k8s.io/client-go/listers/core/v1.podNamespaceLister).Get",
             "(*k8s.io/client-go/listers/core/v1.nodeLister).Get")
    def listed(self, resource: str, namespace: str | None, name: str) -> dict:
        """A pod or node (`resource` in the singular) as a lister returns it: a missing one is
        the lister's NotFound, which names the resource in the singular (`node "n" not found`)."""
        try:
            return self.registry.get(resource + "s", namespace, name)
        except StatusError as err:
            if err.code != 404:
                raise
            raise errors.not_found(resource, name) from None

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitPodCreate")
    def admit_pod_create(self, node_name: str, request: object, pod: dict | None) -> None:
        """Only mirror pods, bound to this node, controlled by its Node, referencing no other objects."""
        node = quote(node_name)

        def refuse(why: str) -> None:
            raise forbidden(request, pod, why)
        meta, spec = (pod or {}).get("metadata") or {}, _spec(pod)
        if MIRROR_POD_ANNOTATION not in (meta.get("annotations") or {}):
            refuse(f"pod does not have {quote(MIRROR_POD_ANNOTATION)} annotation, node {node} can only create "
                   "mirror pods")
        if spec.get("nodeName", "") != node_name:
            refuse(f"node {node} can only create pods with spec.nodeName set to itself")
        owners = meta.get("ownerReferences") or []
        if len(owners) > 1:
            refuse(f"node {node} can only create pods with a single owner reference set to itself")
        if not owners:
            refuse(f"node {node} can only create pods with an owner reference set to itself")
        owner = owners[0]
        if (owner.get("apiVersion"), owner.get("kind"), owner.get("name")) != ("v1", "Node", node_name):
            refuse(f"node {node} can only create pods with an owner reference set to itself")
        if not owner.get("controller"):
            refuse(f"node {node} can only create pods with a controller owner reference set to itself")
        if owner.get("blockOwnerDeletion"):
            refuse(f"node {node} must not set blockOwnerDeletion on an owner reference")
        node_uid = self.listed("node", None, node_name)["metadata"].get("uid", "")
        if owner.get("uid", "") != node_uid:
            refuse(f"node {node_name} UID mismatch: expected {owner.get('uid', '')} got {node_uid}")
        if spec.get("serviceAccountName"):
            refuse(f"node {node} can not create pods that reference a service account")
        if pod_secret_names(pod):
            refuse(f"node {node} can not create pods that reference secrets")
        if pod_configmap_names(pod):
            refuse(f"node {node} can not create pods that reference configmaps")
        if any(volume.get("persistentVolumeClaim") is not None for volume in spec.get("volumes") or ()):
            refuse(f"node {node} can not create pods that reference persistentvolumeclaims")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitPodStatus")
    def admit_pod_status(self, node_name: str, request: object, obj: dict | None) -> None:
        if request.operation != UPDATE:
            raise forbidden(request, obj, f"unexpected operation {quote(request.operation)}")
        if _spec(request.old_obj).get("nodeName") != node_name:
            raise forbidden(request, obj, f"node {quote(node_name)} can only update pod status for pods with "
                                          "spec.nodeName set to itself")
        if _labels(request.old_obj) != _labels(obj):
            raise forbidden(request, obj, f"node {quote(node_name)} cannot update labels through pod status")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitPodEviction")
    def admit_pod_eviction(self, node_name: str, request: object, eviction: dict | None) -> None:
        if request.operation != CREATE:
            raise forbidden(request, eviction, f"unexpected operation {request.operation}")
        pod_name = request.name or ((eviction or {}).get("metadata") or {}).get("name")
        if not pod_name:
            raise forbidden(request, eviction, "could not determine pod from request data")
        existing = self.listed("pod", request.namespace, pod_name)
        if _spec(existing).get("nodeName") != node_name:
            raise forbidden(request, eviction, f"node {node_name} can only evict pods with spec.nodeName set to itself")

    def admit_claim_request(self, node_name: str, request: object, obj: dict | None) -> None:
        if request.subresource != "status":
            raise forbidden(request, obj, "may only update PVC status")
        self.admit_claim_status(node_name, request, obj)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitPVCStatus")
    def admit_claim_status(self, node_name: str, request: object, obj: dict | None) -> None:
        """A node resizing a claim changes its status.capacity and status.conditions, nothing else
        (no labels, finalizers or owners)."""
        if request.operation != UPDATE:
            raise forbidden(request, obj, f"unexpected operation {quote(request.operation)}")
        old, new = _claim_beyond_resize(request.old_obj), _claim_beyond_resize(obj)
        if old != new:
            # Upstream appends go-cmp's diff of the two claims after the colon, a text go-cmp keeps
            # deliberately unstable; the reference writes none (as for a pod update's).
            raise forbidden(request, obj, f"node {quote(node_name)} is not allowed to update fields other than "
                                          "status.capacity and status.conditions: ")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitNode")
    def admit_node(self, node_name: str, request: object, obj: dict | None) -> None:
        """Its own Node only; no config source of its choosing, no taint changes, no labels that
        could steer privileged workloads to it."""
        node = quote(node_name)
        if request.name != node_name:
            raise forbidden(request, obj, f"node {node} is not allowed to modify node {quote(request.name)}")
        if request.operation == CREATE:
            if _spec(obj).get("configSource") is not None:
                raise forbidden(request, obj, f"node {node} is not allowed to create pods with a non-nil configSource")
            labels = forbidden_labels(modified_labels(_labels(obj), {}))
            if labels:
                raise forbidden(request, obj, f"node {node} is not allowed to set the following labels: "
                                              f"{', '.join(labels)}")
        elif request.operation == UPDATE:
            spec, old_spec = _spec(obj), _spec(request.old_obj)
            if spec.get("configSource") is not None and spec["configSource"] != old_spec.get("configSource"):
                raise forbidden(request, obj, f"node {node} is not allowed to update configSource to a new non-nil "
                                              "configSource")
            # Semantic.DeepEqual: no taints and an empty list are the same.
            if (spec.get("taints") or []) != (old_spec.get("taints") or []):
                raise forbidden(request, obj, f"node {node} is not allowed to modify taints")
            labels = forbidden_labels(modified_labels(_labels(obj), _labels(request.old_obj)))
            if labels:
                raise forbidden(request, obj, f"is not allowed to modify labels: {', '.join(labels)}")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitServiceAccount")
    def admit_service_account(self, node_name: str, request: object, obj: dict | None) -> None:
        """A node's TokenRequest must be bound to a pod (by name and uid) scheduled on that node."""
        if request.operation != CREATE or request.subresource != "token":
            return
        spec = obj.get("spec") if isinstance(obj, dict) else None
        ref = spec.get("boundObjectRef") if isinstance(spec, dict) else None
        ref = ref if isinstance(ref, dict) else {}
        if ref.get("apiVersion") != "v1" or ref.get("kind") != "Pod" or not ref.get("name"):
            raise forbidden(request, obj, "node requested token not bound to a pod")
        if not ref.get("uid"):
            raise forbidden(request, obj, "node requested token with a pod binding without a uid")
        pod = self.listed("pod", request.namespace, ref["name"])
        if ref["uid"] != pod["metadata"].get("uid"):
            raise forbidden(request, obj, f"the UID in the bound object reference ({ref['uid']}) does not match "
                                          "the UID in record. The object might have been deleted and then recreated")
        if _spec(pod).get("nodeName") != node_name:
            raise forbidden(request, obj, "node requested token bound to a pod scheduled on a different node")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitLease")
    def admit_lease(self, node_name: str, request: object, obj: dict | None) -> None:
        if request.namespace != NODE_LEASE_NAMESPACE:
            raise forbidden(request, obj, f"can only access leases in the {quote(NODE_LEASE_NAMESPACE)} "
                                          "system namespace")
        self._own_name(node_name, request, obj, "node lease")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/noderestriction.Plugin).admitCSINode")
    def admit_csi_node(self, node_name: str, request: object, obj: dict | None) -> None:
        self._own_name(node_name, request, obj, "CSINode")

    @staticmethod
    def _own_name(node_name: str, request: object, obj: dict | None, what: str) -> None:
        """A create names its object in the body, anything else in the URL."""
        if request.operation == CREATE:
            name = ((obj or {}).get("metadata") or {}).get("name", "")
        else:
            name = request.name
        if name != node_name:
            raise forbidden(request, obj, f"can only access {what} with the same name as the requesting node")


NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
DEFAULT_TOLERATION_SECONDS = 300


class DefaultTolerationSeconds:
    """Pods tolerate a node being not-ready or unreachable for 300 s before the node lifecycle
    controller evicts them, unless they already tolerate those NoExecute taints themselves."""

    def __init__(self, seconds: int = DEFAULT_TOLERATION_SECONDS) -> None:
        self.seconds = seconds

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/defaulttolerationseconds.Plugin).Admit")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        if (request.operation not in (CREATE, UPDATE) or request.resource.group != ""
                or request.resource.plural != "pods" or request.subresource or not isinstance(obj, dict)):
            return obj
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            return obj
        tolerations = spec.get("tolerations") if isinstance(spec.get("tolerations"), list) else []
        for key in (NOT_READY_TAINT, UNREACHABLE_TAINT):
            # An empty key or effect tolerates every key or effect (upstream checks only these two).
            if not any(isinstance(t, dict) and t.get("key", "") in ("", key)
                       and t.get("effect", "") in ("", "NoExecute") for t in tolerations):
                tolerations = [*tolerations, {"key": key, "operator": "Exists", "effect": "NoExecute",
                                              "tolerationSeconds": self.seconds}]
        spec["tolerations"] = tolerations
        return obj


def _is(request: object, group: str, plural: str) -> bool:
    return request.resource.group == group and request.resource.plural == plural


def _pod_spec(request: object, obj: dict | None) -> dict | None:
    """The spec of the pod a request writes, None for subresources, other kinds and malformed pods."""
    if request.subresource or not _is(request, "", "pods") or not isinstance(obj, dict):
        return None
    return obj["spec"] if isinstance(obj.get("spec"), dict) else None


class TaintNodesByCondition:
    """A new Node starts tainted not-ready:NoSchedule, so nothing is scheduled to it before it
    reports Ready; the node lifecycle controller removes the taint then."""

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/nodetaint.Plugin).Admit",
             "k8s.io/kubernetes/plugin/pkg/admission/nodetaint.addNotReadyTaint")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        if (request.operation != CREATE or not _is(request, "", "nodes") or request.subresource
                or not isinstance(obj, dict)):
            return obj
        spec = obj.setdefault("spec", {})
        if not isinstance(spec, dict):
            return obj
        taints = spec.get("taints") if isinstance(spec.get("taints"), list) else []
        if not any(isinstance(t, dict) and t.get("key") == NOT_READY_TAINT and t.get("effect") == "NoSchedule"
                   for t in taints):
            spec["taints"] = [*taints, {"key": NOT_READY_TAINT, "effect": "NoSchedule"}]
        return obj


SCHEDULING_GROUP = "scheduling.k8s.io"
DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0
PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority"


class Priority:
    """A pod's priority comes from its PriorityClass, never from the pod: on create its
    priorityClassName (else the global default class, else none: priority 0) is resolved to
    spec.priority and spec.preemptionPolicy, and a pod that sets others itself is refused; an update
    keeps what the create resolved. At most one PriorityClass may be the global default. Classes
    come from the lister; one it does not hold (yet) is read live before a pod naming it is refused."""

    def __init__(self, registry: object, lister: Lister | None = None) -> None:
        self.registry = registry
        self.lister = lister or _NoCache()

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/priority.Plugin).Admit")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        spec = _pod_spec(request, obj)
        if spec is None:
            return obj
        if request.operation == UPDATE:
            # Validation refuses changing these; an update that leaves them out keeps them.
            old_spec = (request.old_obj or {}).get("spec") or {}
            for field in ("priority", "preemptionPolicy"):
                if spec.get(field) is None and old_spec.get(field) is not None:
                    spec[field] = old_spec[field]
        elif request.operation == CREATE:
            self._admit_pod(request, obj, spec)
        return obj

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/priority.Plugin).admitPod")
    def _admit_pod(self, request: object, pod: dict, spec: dict) -> None:
        if spec.get("priorityClassName"):
            priority_class = self._priority_class(request, pod, spec["priorityClassName"])
        else:
            priority_class = self._default_priority_class()
            if priority_class is not None:
                spec["priorityClassName"] = priority_class["metadata"]["name"]
        if priority_class is None:
            priority, policy = DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, PREEMPT_LOWER_PRIORITY
        else:
            priority, policy = priority_class.get("value") or 0, priority_class.get("preemptionPolicy")
        if spec.get("priority") is not None and spec["priority"] != priority:
            raise forbidden(request, pod, f"the integer value of priority ({spec['priority']}) must not be provided "
                                          f"in pod spec; priority admission controller computed {priority} from "
                                          "the given PriorityClass name")
        spec["priority"] = priority
        if policy is None:
            return
        if spec.get("preemptionPolicy") is not None and spec["preemptionPolicy"] != policy:
            raise forbidden(request, pod, f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) must "
                                          "not be provided in pod spec; priority admission controller computed "
                                          f"{policy} from the given PriorityClass name")
        spec["preemptionPolicy"] = policy

    def _priority_class(self, request: object, pod: dict, name: str) -> dict:
        priority_class = self.lister.get(None, name)
        try:
            return priority_class or self.registry.get("priorityclasses", None, name)
        except StatusError as err:
            if err.code != 404:
                raise
            raise forbidden(request, pod, f"no PriorityClass with name {name} was found") from None

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/priority.Plugin).getDefaultPriorityClass")
    def _default_priority_class(self) -> dict | None:
        """The global default class; should a race have made several, the one of lowest value."""
        classes = self.lister.list()
        if classes is None:
            classes = self.registry.list("priorityclasses")["items"]
        defaults = [pc for pc in classes if pc.get("globalDefault")]
        return min(defaults, key=lambda pc: pc.get("value") or 0, default=None)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/priority.Plugin).Validate",
             "(*k8s.io/kubernetes/plugin/pkg/admission/priority.Plugin).validatePriorityClass")
    def validate(self, request: object, obj: dict | None) -> None:
        """A class may become the global default only while no other class is."""
        if (request.subresource or request.operation not in (CREATE, UPDATE)
                or not _is(request, SCHEDULING_GROUP, "priorityclasses") or not (obj or {}).get("globalDefault")):
            return
        default = self._default_priority_class()
        if default is None:
            return
        name = default["metadata"]["name"]
        if request.operation == CREATE or name != obj["metadata"]["name"]:
            raise forbidden(request, obj, f"PriorityClass {name} is already marked as default. "
                                          "Only one default can exist")


class _ClassDefaulter:
    """What DefaultStorageClass and DefaultIngressClass share: a new object of `plural` that names
    no class gets the one class of `class_plural` annotated as the default; two such classes make
    the create Forbidden, upstream's InternalError in its message."""
    group = plural = class_plural = what = ""
    default_annotations: tuple[str, ...] = ()

    def __init__(self, registry: object, lister: Lister | None = None) -> None:
        self.registry = registry
        self.lister = lister or _NoCache()

    def admit(self, request: object, obj: dict | None) -> dict | None:
        # A missing or null spec is Go's zero struct, which names no class: the plugin runs all the same.
        if (request.operation != CREATE or request.subresource or not _is(request, self.group, self.plural)
                or not isinstance(obj, dict) or self.has_class(obj)):
            return obj
        classes = self.lister.list()
        if classes is None:
            classes = self.registry.list(self.class_plural)["items"]
        defaults = [c for c in classes if any(((c.get("metadata") or {}).get("annotations") or {}).get(key) == "true"
                                              for key in self.default_annotations)]
        if len(defaults) > 1:
            raise forbidden(request, obj, f"Internal error occurred: {len(defaults)} {self.what}")
        if defaults:
            self.set_class(obj, defaults[0]["metadata"]["name"])
        return obj

    def has_class(self, obj: dict) -> bool:
        raise NotImplementedError

    def set_class(self, obj: dict, name: str) -> None:
        raise NotImplementedError


class DefaultStorageClass(_ClassDefaulter):
    """A claim created without a class (neither spec.storageClassName, even "", nor the beta
    annotation) gets the default StorageClass."""
    plural, class_plural, what = "persistentvolumeclaims", "storageclasses", "default StorageClasses were found"
    default_annotations = ("storageclass.kubernetes.io/is-default-class",
                           "storageclass.beta.kubernetes.io/is-default-class")

    @mirrors("k8s.io/kubernetes/pkg/apis/core/helper.PersistentVolumeClaimHasClass")
    def has_class(self, obj: dict) -> bool:
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        return ("volume.beta.kubernetes.io/storage-class" in annotations
                or (obj.get("spec") or {}).get("storageClassName") is not None)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/storage/storageclass/setdefault.claimDefaulterPlugin).Admit",
             "k8s.io/kubernetes/plugin/pkg/admission/storage/storageclass/setdefault.getDefaultClass")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        return super().admit(request, obj)

    def set_class(self, obj: dict, name: str) -> None:
        obj["spec"] = {**(obj.get("spec") or {}), "storageClassName": name}


class DefaultIngressClass(_ClassDefaulter):
    """An Ingress created without a class (neither spec.ingressClassName nor the
    kubernetes.io/ingress.class annotation) gets the default IngressClass."""
    group, plural, class_plural = "networking.k8s.io", "ingresses", "ingressclasses"
    what = "default IngressClasses were found, only 1 allowed"
    default_annotations = ("ingressclass.kubernetes.io/is-default-class",)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/network/defaultingressclass.classDefaulterPlugin).Admit")
    def has_class(self, obj: dict) -> bool:
        """The checks Admit makes inline: spec.ingressClassName set, or the beta class annotation."""
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        return ((obj.get("spec") or {}).get("ingressClassName") is not None
                or "kubernetes.io/ingress.class" in annotations)

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/network/defaultingressclass.classDefaulterPlugin).Admit",
             "k8s.io/kubernetes/plugin/pkg/admission/network/defaultingressclass.getDefaultClass")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        return super().admit(request, obj)

    def set_class(self, obj: dict, name: str) -> None:
        obj["spec"] = {**(obj.get("spec") or {}), "ingressClassName": name}


def _same_resources(a: dict | None, b: dict | None) -> bool:
    """apiequality.Semantic on two ResourceLists: the same names, equal quantities (1000m is 1);
    nil and empty are the same."""
    a, b = a or {}, b or {}
    return a.keys() == b.keys() and all(quantity.exact(a[name]) == quantity.exact(b[name]) for name in a)


class RuntimeClass:
    """A pod created with a runtimeClassName runs in a RuntimeClass that exists: the class's
    overhead becomes the pod's spec.overhead (a pod may not set another one itself) and its
    scheduling nodeSelector and tolerations join the pod's."""

    def __init__(self, registry: object, lister: Lister | None = None) -> None:
        self.registry = registry
        self.lister = lister or _NoCache()

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/runtimeclass.RuntimeClass).Admit")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        spec = _pod_spec(request, obj)
        if spec is None or request.operation != CREATE:
            return obj
        runtime_class = self._runtime_class(request, obj, spec)
        if runtime_class is not None:
            _set_overhead(request, obj, spec, runtime_class)
            _set_scheduling(request, obj, spec, runtime_class)
        return obj

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/runtimeclass.RuntimeClass).Validate",
             "k8s.io/kubernetes/plugin/pkg/admission/runtimeclass.validateOverhead")
    def validate(self, request: object, obj: dict | None) -> None:
        """The pod's overhead is its class's, and no pod without a class overhead has one."""
        spec = _pod_spec(request, obj)
        if spec is None or request.operation != CREATE:
            return
        runtime_class = self._runtime_class(request, obj, spec)
        if runtime_class is not None and runtime_class.get("overhead") is not None:
            if not _same_resources(runtime_class["overhead"].get("podFixed"), spec.get("overhead")):
                raise forbidden(request, obj, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined "
                                              "Overhead")
        elif spec.get("overhead") is not None:
            raise forbidden(request, obj, "pod rejected: Pod Overhead set without corresponding RuntimeClass "
                                          "defined Overhead")

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/runtimeclass.RuntimeClass).prepareObjects")
    def _runtime_class(self, request: object, pod: dict, spec: dict) -> dict | None:
        name = spec.get("runtimeClassName")
        if name is None:
            return None
        runtime_class = self.lister.get(None, name)
        try:  # not cached: the cache may lag behind a class just created
            return runtime_class or self.registry.get("runtimeclasses", None, name)
        except StatusError as err:
            if err.code != 404:
                raise
            raise forbidden(request, pod, f"pod rejected: RuntimeClass {quote(name)} not found") from None


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/runtimeclass.setOverhead")
def _set_overhead(request: object, pod: dict, spec: dict, runtime_class: dict) -> None:
    """The class's overhead as the pod's; a pod that already has another one is refused."""
    if runtime_class.get("overhead") is None:
        return
    pod_fixed = runtime_class["overhead"].get("podFixed")
    if spec.get("overhead") is not None and not _same_resources(pod_fixed, spec["overhead"]):
        raise forbidden(request, pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead")
    if pod_fixed is None:
        spec.pop("overhead", None)
    else:
        spec["overhead"] = dict(pod_fixed)


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/runtimeclass.setScheduling")
def _set_scheduling(request: object, pod: dict, spec: dict, runtime_class: dict) -> None:
    """The class's node selector and tolerations joined to the pod's; a label the pod selects with
    another value is a conflict."""
    scheduling = runtime_class.get("scheduling")
    if scheduling is None:
        return
    class_selector = scheduling.get("nodeSelector") or {}
    if spec.get("nodeSelector") is None:
        if class_selector:
            spec["nodeSelector"] = dict(class_selector)
    else:
        for key, value in class_selector.items():
            pod_value = spec["nodeSelector"].get(key)
            if pod_value is not None and pod_value != value:
                raise forbidden(request, pod, f"conflict: runtimeClass.scheduling.nodeSelector[{key}] = {value}; "
                                              f"pod.spec.nodeSelector[{key}] = {pod_value}")
            spec["nodeSelector"][key] = value
    tolerations = merge_tolerations(spec.get("tolerations") or [], scheduling.get("tolerations") or [])
    if tolerations:
        spec["tolerations"] = tolerations
    else:
        spec.pop("tolerations", None)


CERTIFICATES_GROUP = "certificates.k8s.io"


def _is_csr(request: object) -> bool:
    return request.resource.group == CERTIFICATES_GROUP and request.resource.plural == "certificatesigningrequests"


@mirrors("k8s.io/kubernetes/plugin/pkg/admission/certificates.IsAuthorizedForSignerName")
def authorized_for_signer_name(authorizer: object, user: object, verb: str, signer_name: str) -> bool:
    """`verb` on the resource signers named `signer_name` in certificates.k8s.io, or else on the
    name `<domain>/*` that stands for every signer of its domain."""
    domain = signer_name.split("/")[0]
    return any(authorizer.authorize(AttributesRecord(user, verb, api_group=CERTIFICATES_GROUP, api_version="*",
                                                     resource="signers", name=name))[0]
               for name in (signer_name, f"{domain}/*"))


class CertificateApproval:
    """Approving or denying a CSR (any update through its /approval subresource) takes `approve`
    on its signer."""

    def __init__(self, authorizer: object) -> None:
        self.authorizer = authorizer

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/certificates/approval.Plugin).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        if request.operation != UPDATE or request.subresource != "approval" or not _is_csr(request):
            return
        signer_name = (request.old_obj.get("spec") or {}).get("signerName") or ""
        if not authorized_for_signer_name(self.authorizer, request.user, "approve", signer_name):
            raise forbidden(request, obj,
                            f"user not permitted to approve requests with signerName {quote(signer_name)}")


class CertificateSigning:
    """Issuing a CSR's certificate, or changing its conditions, through its /status subresource
    takes `sign` on its signer."""

    def __init__(self, authorizer: object) -> None:
        self.authorizer = authorizer

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/certificates/signing.Plugin).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        if request.operation != UPDATE or request.subresource != "status" or not _is_csr(request):
            return
        old_status, status = request.old_obj.get("status") or {}, obj.get("status") or {}
        if all((old_status.get(key) or None) == (status.get(key) or None) for key in ("certificate", "conditions")):
            return
        signer_name = (request.old_obj.get("spec") or {}).get("signerName") or ""
        if not authorized_for_signer_name(self.authorizer, request.user, "sign", signer_name):
            raise forbidden(request, obj, f"user not permitted to sign requests with signerName {quote(signer_name)}")


class CertificateSubjectRestriction:
    """No CSR for the kube-apiserver-client signer may ask for the group system:masters, whose
    members the authorizer allows everything whatever RBAC says."""

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/certificates/subjectrestriction.Plugin).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        if request.operation != CREATE or request.subresource or not _is_csr(request):
            return
        signer_name = certificatesigningrequest.KUBE_APISERVER_CLIENT_SIGNER
        if (obj.get("spec") or {}).get("signerName") != signer_name:
            return
        try:
            parsed = certificatesigningrequest.parse_csr(certificatesigningrequest.request_bytes(obj))
        except ValueError as err:
            raise forbidden(request, obj, f"failed to parse CSR: {err}") from None
        organizations = parsed.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if any(o.value == "system:masters" for o in organizations):
            raise forbidden(request, obj, f"use of {signer_name} signer with system:masters group is not allowed")


class AdmissionChain:
    """Plugins in order, each with an `admit` (mutating), a `validate` (validating) or both."""

    def __init__(self, plugins: Sequence[MutationPlugin | ValidationPlugin]) -> None:
        self.plugins = tuple(plugins)
        self.mutating = tuple(p for p in self.plugins if hasattr(p, "admit"))
        self.validating = tuple(p for p in self.plugins if hasattr(p, "validate"))

    @mirrors("(k8s.io/apiserver/pkg/admission.chainAdmissionHandler).Admit")
    def admit(self, request: object) -> dict | None:
        """The object once every mutating plugin has seen it, each the last one's output."""
        obj = request.obj
        for plugin in self.mutating:
            obj = plugin.admit(request, obj)
        trace.record("admitted", plugins=[type(plugin).__name__ for plugin in self.mutating])
        return obj

    @mirrors("(k8s.io/apiserver/pkg/admission.chainAdmissionHandler).Validate")
    def validate(self, request: object) -> None:
        """Every validating plugin on the object as it will be stored; the first refusal raises."""
        for plugin in self.validating:
            plugin.validate(request, request.obj)
        trace.record("validated", plugins=[type(plugin).__name__ for plugin in self.validating])


def new_admission_chain(registry: object, namespaces: Lister | None = None,
                        service_accounts: Lister | None = None, authorizer: object | None = None,
                        limit_ranges: object | None = None, resource_quotas: object | None = None,
                        priority_classes: Lister | None = None,
                        runtime_classes: Lister | None = None,
                        storage_classes: Lister | None = None, ingress_classes: Lister | None = None,
                        webhook_call: Callable | None = None,
                        webhook_configurations: dict[str, Lister] | None = None) -> AdmissionChain:
    """The server's default chain in upstream's order (AllOrderedPlugins): NamespaceLifecycle,
    LimitRanger, ServiceAccount, NodeRestriction, TaintNodesByCondition, PodSecurity, Priority,
    DefaultTolerationSeconds, DefaultStorageClass, StorageObjectInUseProtection, RuntimeClass,
    CertificateApproval and CertificateSigning (asking `authorizer`, AlwaysAllow without one),
    CertificateSubjectRestriction, DefaultIngressClass, MutatingAdmissionWebhook and
    ValidatingAdmissionWebhook (only given the `webhook_call` that reaches a webhook;
    `webhook_configurations` lists each plural's) and ResourceQuota; without listers the plugins
    read everything live."""
    authorizer = authorizer or AlwaysAllowAuthorizer()
    return AdmissionChain([NamespaceLifecycle(registry, lister=namespaces),
                           limitranger.LimitRanger(registry, limit_ranges),
                           ServiceAccount(registry, lister=service_accounts), NodeRestriction(registry),
                           TaintNodesByCondition(), PodSecurity(registry, namespaces),
                           Priority(registry, priority_classes), DefaultTolerationSeconds(),
                           DefaultStorageClass(registry, storage_classes), StorageObjectInUseProtection(),
                           RuntimeClass(registry, runtime_classes), CertificateApproval(authorizer),
                           CertificateSigning(authorizer), CertificateSubjectRestriction(),
                           DefaultIngressClass(registry, ingress_classes),
                           *_webhook_plugins(registry, webhook_call, webhook_configurations or {}, namespaces),
                           resourcequota.ResourceQuota(registry, resource_quotas)])


def _webhook_plugins(registry: object, call: Callable | None, configurations: dict[str, Lister],
                     namespaces: Lister | None) -> tuple:
    if call is None:
        return ()
    return tuple(plugin(registry, call, configurations.get(plugin.plural), namespaces)
                 for plugin in (webhooks.MutatingWebhooks, webhooks.ValidatingWebhooks))
