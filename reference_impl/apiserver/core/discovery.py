"""API discovery: what `kubectl` and client-go read first to map kinds and short names to URLs.

`/api` lists the legacy core versions, `/apis` the named groups (in the order of the aggregator's
APIServices: by group priority, then by name), `/api/v1` and `/apis/<g>/<v>` one
group version's resources (verbs, kind, namespaced, short names, categories) with their subresources
as separate entries (`pods/status`, `pods/binding`, `pods/ephemeralcontainers`, `deployments/scale`); `/version` the build. All
are built from the Resource table; aggregated discovery (kubectl 1.26+) is answered with these same
documents, which kubectl accepts because it also lists `application/json`.
"""
from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Sequence

from reference_impl.apiserver.kinds.apiservice import API_VERSION_PRIORITIES
from reference_impl.machinery.kubeversion import kube_aware_order
from reference_impl.mirrors import mirrors

GIT_VERSION = "v1.24.0"
BUILD_DATE = "2022-05-03T13:36:49Z"
GIT_COMMIT = "4ce5a8954017644c5420bae81d72b09b735c21f0"

# The aggregator serves its own group first in `/apis` (it has no APIService); crdregistration
# gives a custom resource's group versions this (groupPriorityMinimum, versionPriority).
AGGREGATOR_GROUP = "apiregistration.k8s.io"
CUSTOM_RESOURCE_PRIORITY = (1000, 100)

# Subresource name -> (group, version, kind or None for the parent's kind, verbs).
SUBRESOURCES = {
    "status": (None, None, None, ["get", "patch", "update"]),
    "approval": (None, None, None, ["get", "patch", "update"]),
    "binding": ("", "v1", "Binding", ["create"]),
    "ephemeralcontainers": (None, None, None, ["get", "patch", "update"]),
    "eviction": ("policy", "v1", "Eviction", ["create"]),
    "log": ("", "v1", "Pod", ["get"]),
    "exec": ("", "v1", "PodExecOptions", ["create", "get"]),
    "attach": ("", "v1", "PodAttachOptions", ["create", "get"]),
    "portforward": ("", "v1", "PodPortForwardOptions", ["create", "get"]),
    # A proxy's kind is its resource's: PodProxyOptions, ServiceProxyOptions, NodeProxyOptions.
    "proxy": ("", "v1", "{kind}ProxyOptions", ["create", "delete", "get", "patch", "update"]),
    "scale": ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
    "finalize": (None, None, None, ["update"]),
}


@dataclass(frozen=True)
class VirtualResource:
    """A resource the server answers without storing it: the reviews (create only) and the
    component statuses (get and list)."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool = False
    verbs: tuple[str, ...] = ("create",)
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    printer: None = None  # printed with its kind's PRINTERS columns
    custom: bool = False  # a built-in kind, decoded into its Go struct
    discovery_verbs: None = None  # discovery lists `verbs`

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


REVIEWS = {(r.group, r.version, r.plural): r for r in (
    VirtualResource("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", "tokenreview"),
    VirtualResource("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews",
                    "localsubjectaccessreview", namespaced=True),
    VirtualResource("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
                    "selfsubjectaccessreview"),
    VirtualResource("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
                    "selfsubjectrulesreview"),
    VirtualResource("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews",
                    "subjectaccessreview"))}


# The pods' older binding endpoint (LegacyBindingREST): a Binding POSTed to the namespace's
# `bindings` binds the pod its metadata names, as pods/NAME/binding does.
LEGACY_BINDINGS = VirtualResource("", "v1", "Binding", "bindings", "", namespaced=True)

COMPONENT_STATUSES = VirtualResource("", "v1", "ComponentStatus", "componentstatuses", "componentstatus",
                                     verbs=("get", "list"), short_names=("cs",))


def group_versions(resources: Iterable) -> "OrderedDict[str, list[str]]":
    """Group name -> its served versions, core ("") first, in table order."""
    groups: OrderedDict[str, list[str]] = OrderedDict([("", [])])
    for resource in resources:
        versions = groups.setdefault(resource.group, [])
        if resource.version not in versions:
            versions.append(resource.version)
    return groups


@mirrors("k8s.io/apiserver/pkg/endpoints/discovery.NewLegacyRootAPIHandler")
def api_versions(server_address: str) -> dict:
    """`/api`: the core group's versions."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _api_group(name: str, versions: Sequence[str]) -> dict:
    entries = [{"groupVersion": f"{name}/{version}", "version": version} for version in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


@dataclass(frozen=True)
class APIServiceOrder:
    """What orders an APIService in discovery: its group version and priorities, and its name
    (`<version>.<group>`), which breaks ties between groups."""

    group: str
    version: str
    group_priority_minimum: int
    version_priority: int

    @property
    def name(self) -> str:
        return f"{self.version}.{self.group}"


@mirrors("k8s.io/kubernetes/cmd/kube-apiserver/app.makeAPIService",
         "(*k8s.io/kubernetes/pkg/controlplane/controller/crdregistration.crdRegistrationController).handleVersionUpdate")
def api_service_order(group: str, version: str, custom: bool) -> APIServiceOrder:
    """A local group version's priorities from aggregator.go's table; a custom resource's are the
    ones crdregistration gives every CRD version."""
    if custom:
        return APIServiceOrder(group, version, *CUSTOM_RESOURCE_PRIORITY)
    return APIServiceOrder(group, version, *API_VERSION_PRIORITIES[group, version])


@mirrors("k8s.io/kube-aggregator/pkg/apis/apiregistration/v1/helper.SortedByGroupAndVersion",
         "(k8s.io/kube-aggregator/pkg/apis/apiregistration/v1/helper.ByGroupPriorityMinimum).Less",
         "(k8s.io/kube-aggregator/pkg/apis/apiregistration/v1/helper.ByVersionPriority).Less")
def sorted_by_group_and_version(services: Iterable[APIServiceOrder]) -> list[list[APIServiceOrder]]:
    """The APIServices grouped by group: groups where their first APIService falls when all are
    sorted by group priority (highest first) then name; in a group, by version priority, then
    in Kubernetes' version order."""
    by_group: dict[str, list[APIServiceOrder]] = {}
    for service in sorted(services, key=lambda s: (-s.group_priority_minimum, s.name)):
        by_group.setdefault(service.group, []).append(service)
    return [sorted(members, key=lambda s: (-s.version_priority, kube_aware_order(s.version)))
            for members in by_group.values()]


def remote_api_service_order(api_service: dict) -> APIServiceOrder:
    """An APIService naming a service (an aggregated API), ordered by its own priorities."""
    spec = api_service.get("spec") or {}
    return APIServiceOrder(spec.get("group", ""), spec.get("version", ""), spec.get("groupPriorityMinimum") or 0,
                           spec.get("versionPriority") or 0)


def _api_services(served: list, remote: Iterable[APIServiceOrder]) -> list[APIServiceOrder]:
    """The APIServices of the group versions served here, and the aggregated ones (`remote`)."""
    custom = {(r.group, r.version) for r in served if r.custom}
    local = [api_service_order(name, version, (name, version) in custom)
             for name, versions in group_versions(served).items() if name and name != AGGREGATOR_GROUP
             for version in versions]
    names = {s.name for s in local}
    return local + [s for s in remote if s.name not in names]


@mirrors("(*k8s.io/kube-aggregator/pkg/apiserver.apisHandler).ServeHTTP",
         "k8s.io/kube-aggregator/pkg/apiserver.convertToDiscoveryAPIGroup")
def api_group_list(resources: Iterable, remote: Iterable[APIServiceOrder] = ()) -> dict:
    """`/apis`: the aggregator's own group first, then every other named group with its versions
    (the first is preferred), as the aggregator orders their APIServices; an aggregated API's
    group is listed whether or not its service is available, as 1.24's handler lists it."""
    served = list(resources)
    groups = [_api_group(AGGREGATOR_GROUP, group_versions(served)[AGGREGATOR_GROUP])]
    groups += [_api_group(members[0].group, [s.version for s in members])
               for members in sorted_by_group_and_version(_api_services(served, remote))]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


@mirrors("k8s.io/apiserver/pkg/endpoints/discovery.NewAPIGroupHandler",
         "(*k8s.io/kube-aggregator/pkg/apiserver.apiGroupHandler).ServeHTTP")
def api_group(resources: Iterable, name: str, remote: Iterable[APIServiceOrder] = ()) -> dict | None:
    """`/apis/<group>`, or None for a group neither served nor aggregated: the versions of the
    group's APIServices, local and aggregated alike, as /apis lists them."""
    served = list(resources)
    if name == AGGREGATOR_GROUP:
        versions = group_versions(served)[name]
    else:
        members = [s for s in _api_services(served, remote) if s.group == name]
        versions = [s.version for s in sorted_by_group_and_version(members)[0]] if members else None
    if not name or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(name, versions)}


@mirrors("(k8s.io/apiserver/pkg/server/routes.IndexLister).ServeHTTP")
def root_paths(resources: Iterable, health_checks: dict[str, Sequence[str]], others: Sequence[str] = ()) -> dict:
    """`/`'s RootPaths: every path the server lists (discovery, each group and version, each
    health check, metrics, OpenAPI, version, and `others`), sorted as sets.String sorts them."""
    paths = {"/api", "/apis", "/apis/", "/metrics", "/openapi/v2", "/version", *others}
    for name, versions in group_versions(resources).items():
        base = f"/apis/{name}" if name else "/api"
        paths.add(base)
        paths.update(f"{base}/{version}" for version in versions)
    for prefix, checks in health_checks.items():
        paths.add(prefix)
        paths.update(f"{prefix}/{check}" for check in checks)
    return {"paths": sorted(paths)}


@mirrors("k8s.io/apiserver/pkg/endpoints/discovery.StorageVersionHash")
def storage_version_hash(api_version: str, kind: str) -> str:
    """The first 8 bytes of the SHA-256 of `group/version/kind` (the core group empty), base64:
    what a client compares to tell that a resource's storage version changed."""
    group, _, version = api_version.rpartition("/")
    return base64.b64encode(hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()[:8]).decode()


def _entry(resource) -> dict:
    """A resource's APIResource, in the Go struct's field order. Built-in kinds have no
    singularName in 1.24 (a CRD's is its names.singular); every stored one names the hash of the
    version etcd holds it in."""
    entry = {"name": resource.plural, "singularName": resource.singular if resource.custom else "",
             "namespaced": resource.namespaced, "kind": resource.kind, "verbs": list(resource.discovery_verbs or resource.verbs)}
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    if not isinstance(resource, VirtualResource):
        entry["storageVersionHash"] = storage_version_hash(resource.storage_api_version, resource.kind)
    return entry


def _subresource_entry(resource, subresource: str) -> dict:
    group, version, kind, verbs = SUBRESOURCES[subresource]
    entry = {"name": f"{resource.plural}/{subresource}", "singularName": "", "namespaced": resource.namespaced}
    if group is not None and (group, version) != (resource.group, resource.version):
        entry.update(group=group, version=version)
    return {**entry, "kind": (kind or resource.kind).format(kind=resource.kind), "verbs": verbs}


@mirrors("k8s.io/apiserver/pkg/endpoints/discovery.NewAPIVersionHandler")
def api_resource_list(resources: Iterable, group: str, version: str) -> dict | None:
    """`/api/v1` or `/apis/<group>/<version>`, or None for a group version not served. Entries are
    sorted by path, as APIInstaller.Install registers its storage paths (`kubectl get all` prints
    kinds in this order)."""
    served = [r for r in resources if (r.group, r.version) == (group, version)]
    if not served:
        return None
    entries = []
    for resource in served:
        entries.append(_entry(resource))
        entries.extend(_subresource_entry(resource, sub) for sub in resource.subresources)
    if served[0].custom:
        # The discovery controller lists each CRD's resource, then its status, then its scale.
        entries.sort(key=lambda entry: entry["name"].split("/")[0])
    else:
        entries.sort(key=lambda entry: entry["name"])
    if not group:  # the legacy group's codec writes the list with no apiVersion, as 1.24 answers /api/v1
        return {"kind": "APIResourceList", "groupVersion": version, "resources": entries}
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}", "resources": entries}


@mirrors("k8s.io/component-base/version.Get")
def version_info() -> dict:
    """`/version`: the Kubernetes release this reference behaves like."""
    major, minor = GIT_VERSION.lstrip("v").split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": GIT_VERSION, "gitCommit": GIT_COMMIT,
            "gitTreeState": "clean", "buildDate": BUILD_DATE, "goVersion": "go1.18.1", "compiler": "gc",
            "platform": "linux/amd64"}
