"""The thin adapter from the actions cores return (machinery.actions) to apiserver requests, through
reference_impl.client.rest: the controller-manager sends every action with it, the kubelet its pod
status patches and deletions."""
from __future__ import annotations

import urllib.parse

from reference_impl.machinery.actions import Apply, Create, Delete, Patch, Update
from reference_impl.client.rest import RestClient

# resource -> (API prefix, namespaced)
RESOURCES = {
    "pods": ("/api/v1", True), "endpoints": ("/api/v1", True), "serviceaccounts": ("/api/v1", True),
    "configmaps": ("/api/v1", True), "services": ("/api/v1", True), "namespaces": ("/api/v1", False),
    "nodes": ("/api/v1", False), "replicasets": ("/apis/apps/v1", True),
    "deployments": ("/apis/apps/v1", True), "leases": ("/apis/coordination.k8s.io/v1", True),
    "replicationcontrollers": ("/api/v1", True), "persistentvolumeclaims": ("/api/v1", True),
    "persistentvolumes": ("/api/v1", False), "resourcequotas": ("/api/v1", True),
    "daemonsets": ("/apis/apps/v1", True), "statefulsets": ("/apis/apps/v1", True),
    "controllerrevisions": ("/apis/apps/v1", True), "jobs": ("/apis/batch/v1", True),
    "cronjobs": ("/apis/batch/v1", True), "endpointslices": ("/apis/discovery.k8s.io/v1", True),
    "poddisruptionbudgets": ("/apis/policy/v1", True), "horizontalpodautoscalers": ("/apis/autoscaling/v2", True),
    "clusterroles": ("/apis/rbac.authorization.k8s.io/v1", False),
    "certificatesigningrequests": ("/apis/certificates.k8s.io/v1", False),
}


def _path(resource: str, namespace: str | None, name: str | None = None,
          subresource: str | None = None) -> str:
    """`resource` is a plural of RESOURCES, or a collection's whole path ("/apis/apps/v1/deployments")
    where the plural alone could name another group's kind or none (a custom resource, cluster-scoped
    when `namespace` is None)."""
    if resource.startswith("/"):
        (prefix, resource), namespaced = resource.rsplit("/", 1), namespace is not None
    else:
        prefix, namespaced = RESOURCES[resource]
    path = f"{prefix}/namespaces/{namespace}/{resource}" if namespaced else f"{prefix}/{resource}"
    if name:
        path += f"/{name}"
    if subresource:
        path += f"/{subresource}"
    return path


def get(client: RestClient, resource: str, namespace: str | None, name: str) -> dict:
    """The object as the apiserver has it now (raises APIStatusError on failure)."""
    return client.request("GET", _path(resource, namespace, name))


def apply(client: RestClient, action) -> dict:
    """Send one action; returns the server's answer (raises APIStatusError on failure)."""
    if isinstance(action, Create):
        return client.request("POST", _path(action.resource, action.namespace), action.obj)
    if isinstance(action, Delete):
        body = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if action.propagation_policy:
            body["propagationPolicy"] = action.propagation_policy
        if action.grace_period_seconds is not None:
            body["gracePeriodSeconds"] = action.grace_period_seconds
        if action.uid:
            body["preconditions"] = {"uid": action.uid}
        return client.request("DELETE", _path(action.resource, action.namespace, action.name), body)
    if isinstance(action, Update):
        return client.request("PUT", _path(action.resource, action.namespace,
                                           action.obj["metadata"]["name"], action.subresource), action.obj)
    if isinstance(action, Patch):
        return client.request_patch(_path(action.resource, action.namespace, action.name,
                                          action.subresource), action.patch)
    if isinstance(action, Apply):
        params = {"fieldManager": action.field_manager}
        if action.force:
            params["force"] = "true"
        path = f"{_path(action.resource, action.namespace, action.name)}?{urllib.parse.urlencode(params)}"
        return client.request("PATCH", path, action.obj, "application/apply-patch+yaml")
    raise TypeError(f"not an action: {action!r}")
