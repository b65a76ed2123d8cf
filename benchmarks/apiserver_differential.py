"""The reference kube-apiserver against the real 1.24 kube-apiserver on bad input: the same requests
to both, and every answer whose status code, reason or message differs.

Starts the real kube-apiserver (the binary given by path, never fetched or built here) on Debian's
etcd 3.4 (`/usr/bin/etcd`, or --etcd) with client certificates from a CA made here, a
service-account key, `--authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction`,
`--service-cluster-ip-range=10.96.0.0/12` and `--allow-privileged=true`; and the reference
apiserver on the reference etcd, with `kubeatlas cluster`'s own code. Both get namespace `diff` and one valid object of each of a
dozen kinds (pods, deployments, services, configmaps, secrets, jobs, namespaces, nodes, roles,
rolebindings, priorityclasses, ingresses) and of 22 more (every other kind both serve but CSRs and
CRDs) plus a CertificateSigningRequest and an aggregated APIService whose service does not exist,
then the same seeded corpus, as the admin (group system:masters) and, for a few requests,
as an unprivileged user, as a kubelet (system:node:diff-node) or without credentials:

  fuzz         the mutated bodies of tests/reference/apiserver/test_fuzz.py, created, replaced
               and merge-patched (writes to the existing objects with dryRun=All)
  query        test_fuzz.py's query parameters on lists, gets, deletes and creates
  wrong-type   one field of a valid object given a value of the wrong JSON type, at every depth
  missing      one field of a valid object left out
  name         invalid names, in the body of a create and in the path of a get
  selector     bad label and field selectors on lists
  patch        bad merge, JSON and strategic-merge patches (and apply without a field manager)
  path         unknown groups, versions, resources and subresources; kinds at the wrong scope
  delete       deletes with bad options, in the body and in the query
  user         what a user without any role may not do
  authz        PUTs of a missing object of every kind (created where the strategy allows it),
               ClusterRoles with an empty or bad aggregationRule, denials of paths holding `%`, `<`,
               and what admission and the Node authorizer guard (ServiceAccount, NodeRestriction,
               the CSR plugins, NamespaceLifecycle), asked by the user and a kubelet they stop;
               requests without credentials, service account issuer discovery, other methods on
               non-resource paths, reviews of another kind or version, the /watch and /proxy
               special verbs, UTF-8 impersonated users; a kubelet writing another node, its pods,
               lease, CSINode and CSRs, mirror pods naming what a kubelet may not give them;
               PodSecurity labels, tokens bound to other objects, users granted only eviction or
               ephemeral containers, and system:anonymous bound in a namespace, at every verb;
               a roleRef in another API group and a Role naming the empty resource name; bearer
               tokens offered as a WebSocket subprotocol; authz19's: RBAC rule matching at its
               corners (`*/scale`, `pods/*`, resourceNames against list/watch/create/
               deletecollection and field selectors written every way, nonResourceURLs with `*` or
               without a slash, upper-case verbs, `*` groups, bindings validation refuses), the
               all-users and service-account groups, colons in names, impersonation limited by
               name, client certificates with several groups or no user, odd access-review
               bodies, a kubelet on its own node (restricted labels, taints, deletion, every way a
               pod references a secret or config map, evictions, tokens), escalation through
               updates and patches of roles and bindings, a service account's bearer token sent
               every way the header is read, TokenRequest bounds, and CSR approval and signing by
               signer name
  authz20      in namespace diff20, users granted one thing each: subresources (log, exec, attach,
               portforward, eviction, token, scale, proxy) by GET and POST, watch against list,
               deletecollection, generateName against resourceNames; what a user's rules cover
               when it writes a role (wildcards, subresource patterns, names, URL prefixes) and
               how the uncovered rules are listed; bind limited by name; roleRefs replaced;
               bindings changed in their garbage-collector fields only; bindings of missing roles;
               impersonation to escalate, of system:masters, of extras and uids by name; reviews
               whose 201 status is compared too (self access and rules reviews, subject access
               reviews, TokenReviews); tokens bound to a deleted pod, secret or account, and
               tokens signed here with each server's own key: expired, not yet valid, other
               issuer, audience or key, claims missing, legacy Secret-held tokens
  authz21      in namespace diff21, a kubelet of node diff21-a beside pods on diff21-a and diff21-b:
               secrets, config maps, claims and volumes of its pods and of the other node's,
               reached through every volume source and a PersistentVolume's CSI secrets (and the
               CSI references validation refuses), node registration and relabelling with each
               label family NodeRestriction tells apart, mirror pods owned by the node as it is
               (its uid read from each server) naming what they may and may not, evictions,
               leases, CSINodes, TokenRequests naming pods by their real uids, CSRs; who an
               impersonated request becomes (read from a dry-run CSR's spec: uids, extras with
               percent-encoded keys, system:anonymous, service accounts, groups without a user,
               headers repeated or padded); tokens of a pod made again under its name, a deleted
               or recreated account, objects terminating, own audiences, 2^32 seconds; discovery
               and non-resource paths of a user bound to nothing, of a kubelet and of
               impersonated users, and their rules reviews; an aggregating ClusterRole edited by
               hand, escalate without bind, resourceNames `*`, nonResourceURLs beside resources
  authz20-anonymous  (with --apiserver-arg=--anonymous-auth=false) requests without credentials to
               public paths and the API, bad Authorization headers, impersonating system:anonymous
  subresource  status, scale, binding, eviction, ephemeralcontainers, log, token, finalize and
               approval: every verb, valid and bad bodies, bad query parameters, wrong media
               types (writes with dryRun=All where the subresource honours it)
  annotation   the annotations upstream validates on pods (mirror, tolerations, deletion cost,
               seccomp, AppArmor), in pod templates and on nodes (taints, preferAvoidPods):
               creates, patches of the pod, its status and the node's status
  value        one field (or a forbidden combination of a few) of a valid object set to a value
               of the right JSON type that validation must refuse: bad enums, negative numbers,
               invalid names, duplicate list keys, missing required fields; each kind's own list
               (VALUES) filled up with a seeded sample of empty, too-long and non-DNS strings and
               negative numbers at every leaf; each created and applied to the existing object by
               one (seeded) of PUT and the three patch types, all dry runs; also for the kinds
               the other categories leave out (MORE_KINDS, created in the setup) and autoscaling/v1,
               and bad status of PodDisruptionBudgets, HorizontalPodAutoscalers, CronJobs, Ingresses,
               ReplicationControllers and VolumeAttachments
  template     dry-run Deployments whose pod template sets a field the valid objects leave out
               wrong: container handlers and policies, env sources, mounts, resources, init
               containers, volume sources
  immutable    merge patches (dry runs) of the existing objects changing what an update may not:
               a Job's template, completions and selector, StatefulSet, Deployment and DaemonSet
               selectors, PVC and PV specs, a Service's clusterIP, VolumeAttachment, CSINode,
               RoleBinding, EndpointSlice, IngressClass and pod fields
  crd          CRD schemas upstream refuses (patterns that are no RE2, keywords a CRD may not use,
               list and map types out of place, metadata and junctor rules, embedded resources,
               defaults), as dry runs, and custom objects of a CRD made in the setup breaking
               multipleOf, maxProperties, a set's or map list's uniqueness, an embedded
               resource's type meta or metadata, an RE2 pattern, a format, anyOf, oneOf, allOf,
               not or an enum of mixed types
  header       Content-Types mime or go-restful refuse, Expect, control characters, Content-Length
               and Transfer-Encoding values net/http refuses, services asking for IP families a
               single-stack IPv4 cluster lacks
  accept       Accept headers no endpoint serves (g and v without as, a stream other than watch,
               sv) or discovery cannot (conversions, what its go-restful routes do not produce),
               protobuf discovery and PartialObjectMetadata; names in the path that are no UTF-8,
               port-forward ports that are no 16-bit numbers, a JSON patch of 10001 operations,
               other methods and subresources below the /watch/ prefix, grace periods past int64,
               server-side apply of another kind of the object's group/version, other methods
               than POST on the reviews
  custom       a CustomResourceDefinition with status and scale (created in the setup): misses in
               its group (Go's plain 404), its version discovery (a plain handler), patch types,
               server-side apply and bodies that do not decode on its scale, /watch/ by any method,
               collection deletes with DeleteOptions its codec does or does not decode, PUT and
               PATCH of its collection
  paging       list pagination (fuzz19): continue tokens tampered with (fields of the wrong type or
               value, start keys climbing out of the prefix, other encodings), continue with a
               resourceVersion or resourceVersionMatch, limits at and past int64's edges,
               resourceVersion spellings, duplicated parameters, pairs url.ParseQuery drops
  watchparam   watch parameters: timeoutSeconds, resourceVersion(Match), limit and continue with a
               watch, allowWatchBookmarks, watch= spellings, field selectors of one name, by ?watch=
               and by the /watch/ prefix, of collections and of one object
  apply        server-side apply: conflicts, force, field managers too long or unprintable, bodies
               whose name, namespace, kind, apiVersion or metadata disagree or hold managedFields,
               applies that create (with a uid), list items without their key (dry runs)
  directive    strategic-merge-patch directives ($patch, $retainKeys, $setElementOrder,
               $deleteFromPrimitiveList) of every kind and wrong types, on keyed lists, lists
               without keys and maps (dry runs)
  metadata     ownerReferences (empty, duplicate, two controllers), finalizers, annotations past
               256 KiB, label keys and values, generateName edge cases, managedFields in a create
  method       HEAD, OPTIONS, TRACE and unknown methods everywhere; a header and a URL past 1 MiB;
               pretty and other harmless parameters; duplicated dryRun
  known        Endpoints and EndpointSlice addresses upstream refuses or reads sloppily (leading
               zeros, IPv4-mapped, zones, special ranges), /openapi/v2 with If-None-Match
  fuzz20       what no category tried: quantities (1E, 1e19, 1Ei, 30 nines, sub-nano) in every kind
               that holds one, int32 fields given floats or strings, int-or-string ports, Secret
               base64 and stringData, JSON patches on odd paths (~1, -, test, move and copy from
               nowhere), merge patches with null at depth, dryRun spellings on every verb, collection
               deletes with selectors and bodies, field and label selectors per kind, names and
               namespaces (253/254 characters, dots, a terminating namespace, scope mismatches),
               YAML numbers, tags and float keys, workload specs and statuses, media types per verb
               and subresource, scale patches, preconditions, a pod bound twice
  fuzz21       what no category tried: Services by type and IP family (dual stack, headless,
               ExternalName with ports, node ports at the range's edges and taken twice, cluster IPs
               taken, session affinity), webhook configurations and APIServices, immutable ConfigMaps
               and Secrets, the fields each kind keeps on update, metadata a client sets on an update
               (uid, creationTimestamp, generation, resourceVersion spellings, managedFields), CronJob
               schedules (@every, six fields, TZ=), Indexed Jobs, EndpointSlices at their size limits,
               PriorityClasses made default twice, force, fieldManager, pretty and friends on every
               verb, ControllerRevisions, events.k8s.io Events, PodSecurityPolicies, every
               PersistentVolume source, HPA v2, PDB, Ingress and NetworkPolicy corners, in-place pod
               updates, bad values through the beta versions, MicroTime spellings, secret types'
               keys, config map key names, objects being deleted (new finalizers, grace periods),
               two default IngressClasses or StorageClasses, a Local LoadBalancer's health-check port
  gaps21       LimitRange bounds printed with %#v (inf.Dec, cached texts, rounding, exponents past E),
               numbers a typed field refuses quoted as the request wrote them (create and every patch
               type), floats in the JSON a missing-kind or invalid-patch message quotes
  proto22      protobuf bodies as gogo's generated code reads them, for pods, configmaps, deployments,
               services, events, leases, nodes, bindings and by POST, PUT and PATCH: no magic or a
               wrong one, cut every few bytes, envelopes naming another kind or none, unknown fields
               and groups 10,000 deep, wrong wire types, lengths past the end or 2^63, int32 and bool
               varints out of range, packed and unpacked repeated fields, strings that are no UTF-8
               (one stored and read back), a map key twice, Quantity, IntOrString, times of any year;
               DeleteOptions, Scale, status, TokenRequest and review bodies; Content-Type parameters;
               Accept protobuf on lists, watches, tables, errors and a CRD (a success's media type or
               chosen fields compared, a protobuf Status decoded)
  gaps22       quantities past 10**400 that share their first digits (a request above its limit, a
               LimitRange min above its max, negatives), and ControllerRevision data updated with the
               same JSON written otherwise (whitespace, 1e3 for 1000): upstream compares the raw bytes
  crdterm20    the gadgets CRD deleted while an object of it holds a finalizer (run last): creates
               refused while it terminates, reads, patches and deletes still served, JSON patches
               removing kind or apiVersion

Names, UIDs, resourceVersions and timestamps are normalised in messages before they are
compared. Prints each differing request with both answers, then the differences grouped by
pattern (category, real code and reason, ours), most frequent first, and writes
benchmarks/results/apiserver_differential.json. The corpus is the same on every run (--seed);
each request has a timeout, so the run is bounded (a few minutes).

    python benchmarks/apiserver_differential.py /work/k8s-bin/kube-apiserver [--etcd /usr/bin/etcd]
        [--seed 1324] [--show 200] [--category value ...]
"""
from __future__ import annotations

import argparse
import base64
import collections
import copy
import http.client
import json
import os
import random
import re
import ssl
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass
from typing import Callable
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import yaml  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature  # noqa: E402

from reference_impl import cluster as local_cluster  # noqa: E402
from reference_impl.apiserver.core.tokenrequest import public_key_id  # noqa: E402
from reference_impl.apiserver.adapter.certs import ADMIN_GROUP, ADMIN_USER, issue_apiserver_serving_cert  # noqa: E402
from reference_impl.machinery.certutil import KeyPair, issue_client_cert, new_ca  # noqa: E402
from tests.reference.apiserver.csrs import request as csr_request  # noqa: E402
from tests.reference.apiserver.test_fuzz import QUERIES, mutate  # noqa: E402

RESULTS = Path(__file__).parent / "results"
NAMESPACE = "diff"
USER = "diff-user"
NODE_USER, NODES_GROUP = "system:node:diff-node", "system:nodes"  # a kubelet's identity, of no node that exists
ANONYMOUS = "anonymous"  # a request without credentials
READY_TIMEOUT = 180.0
REQUEST_TIMEOUT = 10.0
IMAGE = "registry.k8s.io/pause:3.7"
JSON, MERGE, JSON_PATCH, STRATEGIC, APPLY = ("application/json", "application/merge-patch+json",
                                             "application/json-patch+json",
                                             "application/strategic-merge-patch+json",
                                             "application/apply-patch+yaml")


# --- the kinds and their valid objects ------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    plural: str
    api_version: str
    kind: str
    namespaced: bool
    spec: dict  # everything of a valid object but apiVersion, kind and metadata.name

    def collection(self, namespace: str = NAMESPACE) -> str:
        root = f"/apis/{self.api_version}" if "/" in self.api_version else f"/api/{self.api_version}"
        return f"{root}/namespaces/{namespace}/{self.plural}" if self.namespaced else f"{root}/{self.plural}"

    def object(self, name: str) -> dict:
        body = copy.deepcopy(self.spec)
        return {"apiVersion": self.api_version, "kind": self.kind,
                "metadata": {"name": name, **body.pop("metadata", {})}, **body}

    @property
    def existing(self) -> str:
        """The name of the object of this kind made before the corpus runs."""
        return NAMESPACE if self.plural == "namespaces" else f"{NAMESPACE}-probe"


LABELS = {"app": "probe"}
POD_SPEC = {"containers": [{"name": "c", "image": IMAGE, "ports": [{"containerPort": 80}]}]}
TEMPLATE = {"metadata": {"labels": LABELS}, "spec": POD_SPEC}
KINDS = [
    Kind("pods", "v1", "Pod", True, {"metadata": {"labels": LABELS}, "spec": POD_SPEC}),
    Kind("deployments", "apps/v1", "Deployment", True, {"metadata": {"labels": LABELS}, "spec": {
        "replicas": 1, "selector": {"matchLabels": LABELS}, "template": TEMPLATE}}),
    Kind("services", "v1", "Service", True, {"spec": {
        "selector": LABELS, "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}),
    Kind("configmaps", "v1", "ConfigMap", True, {"metadata": {"labels": LABELS}, "data": {"k": "v"}}),
    Kind("secrets", "v1", "Secret", True, {"type": "Opaque", "data": {"k": "dg=="}, "stringData": {"s": "t"}}),
    Kind("jobs", "batch/v1", "Job", True, {"spec": {
        "backoffLimit": 1, "template": {"metadata": {"labels": LABELS},
                                        "spec": {**POD_SPEC, "restartPolicy": "Never"}}}}),
    Kind("namespaces", "v1", "Namespace", False, {"metadata": {"labels": LABELS}}),
    Kind("nodes", "v1", "Node", False, {"metadata": {"labels": LABELS}, "spec": {
        "unschedulable": True, "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}}),
    Kind("roles", "rbac.authorization.k8s.io/v1", "Role", True, {"rules": [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
    Kind("rolebindings", "rbac.authorization.k8s.io/v1", "RoleBinding", True, {
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "User", "name": "u", "apiGroup": "rbac.authorization.k8s.io"}]}),
    Kind("priorityclasses", "scheduling.k8s.io/v1", "PriorityClass", False, {
        "value": 1000, "globalDefault": False, "description": "d"}),
    Kind("ingresses", "networking.k8s.io/v1", "Ingress", True, {"spec": {"rules": [{
        "host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
            "service": {"name": "s", "port": {"number": 80}}}}]}}]}}),
    # The rest of the kinds both servers serve, after the first dozen (whose places above the
    # corpus refers to by index).
    Kind("statefulsets", "apps/v1", "StatefulSet", True, {"spec": {
        "replicas": 1, "serviceName": "s", "selector": {"matchLabels": LABELS}, "template": TEMPLATE}}),
    Kind("daemonsets", "apps/v1", "DaemonSet", True, {"spec": {
        "selector": {"matchLabels": LABELS}, "template": TEMPLATE}}),
    Kind("replicasets", "apps/v1", "ReplicaSet", True, {"spec": {
        "replicas": 1, "selector": {"matchLabels": LABELS}, "template": TEMPLATE}}),
    Kind("replicationcontrollers", "v1", "ReplicationController", True, {"spec": {
        "replicas": 1, "selector": LABELS, "template": TEMPLATE}}),
    Kind("cronjobs", "batch/v1", "CronJob", True, {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {
        "template": {"spec": {**POD_SPEC, "restartPolicy": "OnFailure"}}}}}}),
    Kind("podtemplates", "v1", "PodTemplate", True, {"template": TEMPLATE}),
    Kind("serviceaccounts", "v1", "ServiceAccount", True, {"automountServiceAccountToken": False}),
    Kind("endpoints", "v1", "Endpoints", True, {"subsets": [{
        "addresses": [{"ip": "10.1.2.3"}], "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}]}),
    Kind("limitranges", "v1", "LimitRange", True, {"spec": {"limits": [{
        "type": "Container", "max": {"cpu": "4", "memory": "8Gi"}, "default": {"cpu": "500m"}}]}}),
    Kind("resourcequotas", "v1", "ResourceQuota", True, {"spec": {"hard": {"pods": "100", "requests.cpu": "64"}}}),
    Kind("persistentvolumeclaims", "v1", "PersistentVolumeClaim", True, {"spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
    Kind("persistentvolumes", "v1", "PersistentVolume", False, {"spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/tmp/pv"}}}),
    Kind("storageclasses", "storage.k8s.io/v1", "StorageClass", False, {
        "provisioner": "example.com/p", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}),
    Kind("networkpolicies", "networking.k8s.io/v1", "NetworkPolicy", True, {"spec": {
        "podSelector": {"matchLabels": LABELS}, "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"protocol": "TCP", "port": 80}]}]}}),
    Kind("ingressclasses", "networking.k8s.io/v1", "IngressClass", False, {"spec": {"controller": "example.com/c"}}),
    Kind("horizontalpodautoscalers", "autoscaling/v2", "HorizontalPodAutoscaler", True, {"spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "minReplicas": 1,
        "maxReplicas": 3, "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}),
    Kind("poddisruptionbudgets", "policy/v1", "PodDisruptionBudget", True, {"spec": {
        "minAvailable": 1, "selector": {"matchLabels": LABELS}}}),
    Kind("leases", "coordination.k8s.io/v1", "Lease", True, {"spec": {
        "holderIdentity": "h", "leaseDurationSeconds": 40}}),
    Kind("clusterroles", "rbac.authorization.k8s.io/v1", "ClusterRole", False, {"rules": [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
    Kind("clusterrolebindings", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", False, {
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "User", "name": "u", "apiGroup": "rbac.authorization.k8s.io"}]}),
    Kind("runtimeclasses", "node.k8s.io/v1", "RuntimeClass", False, {"handler": "runc"}),
    Kind("events", "v1", "Event", True, {"involvedObject": {"kind": "Pod", "name": "p", "namespace": NAMESPACE},
                                        "reason": "Probe", "message": "m", "type": "Normal"}),
]


# --- the corpus -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    category: str
    method: str
    path: str
    query: str = ""
    content_type: str = ""
    body: bytes = b""
    user: str = "admin"
    headers: tuple[tuple[str, str], ...] = ()  # sent after Accept and Content-Type, so they may replace them
    compare: bool = False  # a success's status is compared too (reviews), not only an error's
    remember: str = ""  # the token of a TokenRequest answered 201 is kept under this name ($TOKEN20:name)
    observe: str = "status"  # the field of a success compared (compare=True): authz21 reads a CSR's spec, a role's rules

    def describe(self) -> str:
        target = self.path + (f"?{self.query}" if self.query else "")
        body = self.body[:160].decode(errors="replace") if self.body else ""
        if self.category == "proto22" and self.body.startswith(b"k8s"):
            body = self.body[:120].hex()
        who = "" if self.user == "admin" else f" as {self.user}"
        media = f" [{self.content_type}]" if self.content_type else ""
        headers = "".join(f" [{name}: {value}]" for name, value in self.headers)
        return f"{self.method} {target}{who}{media}{headers}" + (f" {body}" if body else "")


def encode(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def query(pairs: dict) -> str:
    return urllib.parse.urlencode([(k, v) for k, values in pairs.items() for v in values])


def leaves(value: object, path: tuple = ()) -> list[tuple]:
    """Every path into a JSON value (dict keys and list indexes), parents before children."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += leaves(item, (*path, index))
    return found


def lookup(value: object, path: tuple) -> object:
    for step in path:
        value = value[step]
    return value


def replaced(obj: dict, path: tuple, new: object) -> dict:
    copied = copy.deepcopy(obj)
    lookup(copied, path[:-1])[path[-1]] = new
    return copied


def removed(obj: dict, path: tuple) -> dict:
    copied = copy.deepcopy(obj)
    del lookup(copied, path[:-1])[path[-1]]
    return copied


def wrong_type(value: object) -> object:
    """A value of another JSON type than `value`'s."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "1"
    if isinstance(value, str):
        return 1
    if isinstance(value, list):
        return {"a": 1}
    if isinstance(value, dict):
        return ["x"]
    return {}


def fuzz_probes(rng: random.Random, kind: Kind, count: int) -> list[Probe]:
    probes = []
    for i in range(count):
        method = rng.choice(["POST", "PUT", "PATCH"])
        name = f"fz{i}" if method == "POST" else kind.existing
        body = encode(mutate(rng, kind.object(name)))
        if method == "POST":
            probes.append(Probe("fuzz", method, kind.collection(), "", JSON, body))
        else:
            probes.append(Probe("fuzz", method, f"{kind.collection()}/{name}", "dryRun=All",
                                JSON if method == "PUT" else MERGE, body))
    return probes


def query_probes(kind: Kind) -> list[Probe]:
    probes = []
    for i, pairs in enumerate(QUERIES):
        text = query(pairs)
        probes += [Probe("query", "GET", kind.collection(), text),
                   Probe("query", "GET", f"{kind.collection()}/{kind.existing}", text),
                   Probe("query", "DELETE", f"{kind.collection()}/absent", text)]
        if "watch" not in pairs:
            probes.append(Probe("query", "POST", kind.collection(), text, JSON, encode(kind.object(f"q{i}"))))
    return probes


def field_probes(kind: Kind) -> list[Probe]:
    obj = kind.object("x")
    probes = []
    for i, path in enumerate(p for p in leaves(obj) if p[0] not in ("apiVersion", "kind")):
        named = kind.object(f"wt{i}")
        if path != ("metadata", "name"):
            probes.append(Probe("wrong-type", "POST", kind.collection(), "", JSON,
                                encode(replaced(named, path, wrong_type(lookup(named, path))))))
        probes.append(Probe("missing", "POST", kind.collection(), "", JSON,
                            encode(removed(kind.object(f"ms{i}"), path))))
    for key in ("apiVersion", "kind", "metadata"):
        probes.append(Probe("missing", "POST", kind.collection(), "", JSON,
                            encode(removed(kind.object(f"mt-{key.lower()}"), (key,)))))
    return probes


BAD_NAMES = ["UPPER", "a_b", "-a", "a-", "a..b", ".", "..", "a/b", "a%b", "a" * 64, "a" * 254, "a b", "é"]
BAD_PATH_NAMES = ["UPPER", "..", ".", "a%2Fb", "a%25b", "a" * 254, "%20"]


def name_probes(kind: Kind) -> list[Probe]:
    probes = [Probe("name", "POST", kind.collection(), "", JSON, encode(kind.object(name))) for name in BAD_NAMES]
    probes.append(Probe("name", "POST", kind.collection(), "", JSON, encode(removed(kind.object(""), ("metadata", "name")))))
    probes.append(Probe("name", "POST", kind.collection(), "", JSON,
                        encode({**kind.object(""), "metadata": {"generateName": "UPPER-"}})))
    probes += [Probe("name", "GET", f"{kind.collection()}/{name}") for name in BAD_PATH_NAMES]
    probes.append(Probe("name", "PUT", f"{kind.collection()}/other", "", JSON, encode(kind.object(kind.existing))))
    return probes


LABEL_SELECTORS = ["a in (b", "a=b=c", "!", "a,,b", "a in b", "=b", "a==", "a notin ()", "k" * 64 + "=v",
                   "a=" + "v" * 64, "a/b/c=d", "a in (b,c", "a!=b!=c", "!a=b", "a=b,", "a>1", "a<x", "-a=b"]
FIELD_SELECTORS = ["x=y", "metadata.name", "metadata.name=a,=", "spec.nodeName=a", "status.phase==Running",
                   "metadata.namespace!=x", "metadata.name in (a)", "=", "metadata.name=a=b"]


def selector_probes(kind: Kind) -> list[Probe]:
    return ([Probe("selector", "GET", kind.collection(), query({"labelSelector": [s]})) for s in LABEL_SELECTORS]
            + [Probe("selector", "GET", kind.collection(), query({"fieldSelector": [s]})) for s in FIELD_SELECTORS])


def patch_probes(kind: Kind) -> list[Probe]:
    target = f"{kind.collection()}/{kind.existing}"
    merge = [b"{", b"[]", b"null", b"1", b'"x"', b'{"metadata":{"name":"other"}}', b'{"metadata":{"labels":"x"}}',
             b'{"metadata":{"labels":{"a":1}}}', b'{"kind":"Other"}', b'{"apiVersion":"v9"}',
             b'{"metadata":{"uid":"x"}}', b'{"metadata":{"resourceVersion":"1"}}', b"", b'{"metadata":null}']
    json_patch = [b"{}", b"[{}]", b'[{"op":"x","path":"/a"}]', b'[{"op":"add"}]', b'[{"op":"add","path":"a","value":1}]',
                  b'[{"op":"remove","path":"/nope"}]', b'[{"op":"replace","path":"/metadata/nope","value":1}]',
                  b'[{"op":"test","path":"/metadata/name","value":"other"}]', b'[{"op":"add","path":"/a/b/c","value":1}]',
                  b'[{"op":"move","from":"/nope","path":"/x"}]', b'[{"op":"add","path":"/metadata/labels/x","value":1}]',
                  b'[{"op":"replace","path":"/metadata/name","value":"other"}]', b"[1]", b""]
    strategic = [b"{", b"[]", b'{"$patch":"delete"}', b'{"$patch":"bogus"}', b'{"metadata":{"$retainKeys":"x"}}',
                 b'{"spec":{"$setElementOrder/containers":"x"}}', b'{"spec":{"containers":[{"$patch":"bogus"}]}}',
                 b'{"spec":{"containers":[{"image":"x"}]}}', b'{"metadata":{"labels":{"$patch":"replace","a":1}}}',
                 b'{"$deleteFromPrimitiveList/x":[1]}', b""]
    probes = [Probe("patch", "PATCH", target, "dryRun=All", MERGE, body) for body in merge]
    probes += [Probe("patch", "PATCH", target, "dryRun=All", JSON_PATCH, body) for body in json_patch]
    probes += [Probe("patch", "PATCH", target, "dryRun=All", STRATEGIC, body) for body in strategic]
    probes += [Probe("patch", "PATCH", target, "dryRun=All", APPLY, encode(kind.object(kind.existing))),
               Probe("patch", "PATCH", target, "dryRun=All&fieldManager=x", APPLY, b"{"),
               Probe("patch", "PATCH", target, "dryRun=All&fieldManager=x", APPLY,
                     encode({"apiVersion": kind.api_version, "metadata": {"name": kind.existing}})),
               Probe("patch", "PUT", target, "dryRun=All", JSON,
                     encode({**kind.object(kind.existing), "metadata": {"name": kind.existing, "uid": "x"}})),
               Probe("patch", "PUT", f"{kind.collection()}/absent", "dryRun=All", JSON,
                     encode({**kind.object("absent"), "metadata": {"name": "absent", "uid": "x"}})),
               Probe("patch", "PATCH", target, "dryRun=All&fieldManager=x&force=maybe", APPLY,
                     encode(kind.object(kind.existing))),
               Probe("patch", "PATCH", target, "dryRun=All", "application/x-bogus", b"{}"),
               Probe("patch", "PATCH", target, "dryRun=All", "", b"{}"),
               Probe("patch", "PATCH", f"{kind.collection()}/absent", "", MERGE, b"{}"),
               Probe("patch", "PATCH", kind.collection(), "", MERGE, b"{}")]
    return probes


def delete_probes(kind: Kind) -> list[Probe]:
    target = f"{kind.collection()}/{kind.existing}"
    # Upstream reads the options from the body when there is one and ignores the query, so each
    # body asks for a dry run itself: an accepted delete must not remove the object.
    options = [{"gracePeriodSeconds": "x"}, {"gracePeriodSeconds": -5}, {"propagationPolicy": "Bogus"},
               {"orphanDependents": True, "propagationPolicy": "Foreground"}, {"preconditions": {"uid": "not-the-uid"}},
               {"preconditions": {"resourceVersion": "1"}}, {"kind": "Pod", "apiVersion": "v1"},
               {"kind": "DeleteOptions", "apiVersion": "v9"}, {"preconditions": "x"}, {"unknownField": 1}]
    bodies = [b"{", b"[]", b'{"dryRun":["Bogus"]}'] + [encode({**o, "dryRun": ["All"]}) for o in options]
    probes = [Probe("delete", "DELETE", target, "dryRun=All", JSON, body) for body in bodies]
    probes += [Probe("delete", "DELETE", target, text) for text in (
        "dryRun=All&gracePeriodSeconds=x", "dryRun=All&propagationPolicy=Bogus", "dryRun=Bogus",
        "dryRun=All&orphanDependents=maybe", "dryRun=All&gracePeriodSeconds=-1", "dryRun=All&resourceVersion=1",
        "dryRun=All&uid=x")]
    probes += [Probe("delete", "DELETE", kind.collection(), "dryRun=All&labelSelector=a+in+(b"),
               Probe("delete", "DELETE", f"{kind.collection()}/absent", "", JSON, b'{"propagationPolicy":"Bogus"}')]
    return probes


def path_probes() -> list[Probe]:
    ns = f"/api/v1/namespaces/{NAMESPACE}"
    gets = ["/api/v2", "/api/v1/foos", f"{ns}/foos", f"{ns}/foos/x", "/apis/foo.example.com/v1", "/apis/apps/v9",
            "/apis/apps/v1/foos", f"{ns}/pods/{NAMESPACE}-probe/bogus", f"{ns}/configmaps/{NAMESPACE}-probe/status",
            f"{ns}/configmaps/{NAMESPACE}-probe/scale", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/absent/scale",
            f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{NAMESPACE}-probe/scale/extra",
            f"{ns}/nodes", f"{ns}/nodes/{NAMESPACE}-probe", "/api/v1/configmaps/x", "/api/v1/namespaces/absent/pods/x",
            f"/api/v1/nodes/{NAMESPACE}-probe/status", f"/api/v1/nodes/{NAMESPACE}-probe/bogus",
            f"{ns}/status", f"{ns}/finalize", "/api/v1/namespaces//pods", "/apis", "/api/v1/pods/x",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/diff/clusterroles", "/bogus", "/api/v1/namespaces/diff/pods/",
            f"{ns}/services/{NAMESPACE}-probe/proxy-bogus", f"{ns}/pods/{NAMESPACE}-probe/binding",
            # A request URI has no fragment, `//` and `*` reach no handler, a name is quoted with %q.
            f"{ns}/pods/{NAMESPACE}-probe#x", "//api/v1/namespaces", "*", f"{ns}/pods/a%00b",
            # kubectl 1.27+ asks for OpenAPI v3 first (off in 1.24); the HPA controller lists pod metrics.
            "/openapi/v3", "/openapi/v3/apis/apps/v1", f"/apis/metrics.k8s.io/v1beta1/namespaces/{NAMESPACE}/pods",
            # The aggregated API the setup registers, whose service does not exist, and a version it lacks.
            f"/apis/{AGGREGATED['group']}", f"/apis/{AGGREGATED['group']}/{AGGREGATED['version']}",
            f"/apis/{AGGREGATED['group']}/{AGGREGATED['version']}/namespaces/{NAMESPACE}/pods/x/qps",
            f"/apis/{AGGREGATED['group']}/v1"]
    probes = [Probe("path", "GET", path) for path in gets]
    probes.append(Probe("path", "POST", f"/apis/{AGGREGATED['group']}/{AGGREGATED['version']}/namespaces/{NAMESPACE}/x",
                        "", JSON, b"{}"))
    probes += [Probe("path", "POST", f"{ns}/configmaps/{NAMESPACE}-probe", "", JSON, b"{}"),
               Probe("path", "PUT", f"{ns}/configmaps", "", JSON, b"{}"),
               Probe("path", "DELETE", "/api/v1/namespaces/absent/configmaps/x"),
               Probe("path", "POST", "/api/v1/namespaces/absent/configmaps", "", JSON,
                     encode(KINDS[3].object("cm"))),
               Probe("path", "POST", f"{ns}/configmaps", "", JSON,
                     encode({**KINDS[3].object("cm2"), "metadata": {"name": "cm2", "namespace": "other"}})),
               Probe("path", "POST", f"{ns}/configmaps", "", JSON, encode(KINDS[4].object("wrong-kind"))),
               Probe("path", "POST", f"{ns}/pods/{NAMESPACE}-probe/eviction", "", JSON, b'{"kind":"Eviction"}'),
               Probe("path", "PUT", f"{ns}/pods/{NAMESPACE}-probe/status", "", JSON, b"{}"),
               Probe("path", "POST", f"{ns}/configmaps", "dryRun=All", "*/*", encode(KINDS[3].object("any"))),
               Probe("path", "PATCH", f"{ns}/configmaps/{NAMESPACE}-probe", "dryRun=All", "x/y", b""),
               Probe("path", "OPTIONS", f"{ns}/pods"), Probe("path", "HEAD", f"{ns}/pods"),
               Probe("path", "PROPFIND", f"{ns}/pods")]
    return probes


def beta_version_probes() -> list[Probe]:
    """The beta versions 1.24 still serves: each collection, and a create of an object only the
    version's own conversion and validation refuse (v1beta1 topology labels, v2beta1 targets, a
    PodSecurityPolicy's rules, batch/v1beta1's field labels)."""
    ns = f"namespaces/{NAMESPACE}/"
    collections = [("batch/v1beta1", ns + "cronjobs"), ("policy/v1beta1", ns + "poddisruptionbudgets"),
                   ("policy/v1beta1", "podsecuritypolicies"), ("autoscaling/v2beta1", ns + "horizontalpodautoscalers"),
                   ("autoscaling/v2beta2", ns + "horizontalpodautoscalers"),
                   ("discovery.k8s.io/v1beta1", ns + "endpointslices"), ("events.k8s.io/v1beta1", ns + "events"),
                   ("node.k8s.io/v1beta1", "runtimeclasses"), ("storage.k8s.io/v1beta1", ns + "csistoragecapacities")]
    probes = [Probe("beta", "GET", f"/apis/{version}/{collection}") for version, collection in collections]
    probes.append(Probe("beta", "GET", f"/apis/batch/v1beta1/{ns}cronjobs", "fieldSelector=spec.schedule%3Dx"))
    bad = [("discovery.k8s.io/v1beta1", ns + "endpointslices", {
               "kind": "EndpointSlice", "metadata": {"name": "beta"}, "addressType": "IPv4",
               "endpoints": [{"addresses": ["10.0.0.1"], "topology": {"bad key!": "v", "ok": "bad value!"}}]}),
           ("autoscaling/v2beta1", ns + "horizontalpodautoscalers", {
               "kind": "HorizontalPodAutoscaler", "metadata": {"name": "beta"}, "spec": {
                   "scaleTargetRef": {"kind": "Deployment", "name": "d"}, "maxReplicas": 3, "metrics": [
                       {"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 0}},
                       {"type": "External", "external": {"metricName": "q"}}]}}),
           ("policy/v1beta1", "podsecuritypolicies", {
               "kind": "PodSecurityPolicy", "metadata": {"name": "beta"}, "spec": {
                   "seLinux": {"rule": "Bad"}, "runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 5, "max": 2}]},
                   "runAsGroup": {"rule": "MustRunAs"}, "supplementalGroups": {"rule": "RunAsAny"},
                   "fsGroup": {"rule": "RunAsAny"}, "allowedCapabilities": ["*"], "requiredDropCapabilities": ["A"],
                   "allowedHostPaths": [{"pathPrefix": "/a/../b"}]}})]
    probes += [Probe("beta", "POST", f"/apis/{version}/{collection}", "dryRun=All", JSON,
                     encode({"apiVersion": version, **body})) for version, collection, body in bad]
    return probes


def user_probes() -> list[Probe]:
    ns = f"/api/v1/namespaces/{NAMESPACE}"
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "get", "resource": "pods", "namespace": NAMESPACE}}}
    probes = [Probe("user", "GET", path, user=USER) for path in (
        f"{ns}/pods", f"{ns}/secrets/{NAMESPACE}-probe", "/api/v1/nodes", "/api/v1/namespaces", "/api", "/apis",
        "/version", "/healthz", "/metrics", f"{ns}/pods/absent", "/apis/apps/v1/deployments", f"{ns}/foos")]
    probes += [Probe("user", "POST", f"{ns}/configmaps", "", JSON, encode(KINDS[3].object("u")), USER),
               Probe("user", "DELETE", f"/api/v1/namespaces/{NAMESPACE}", user=USER),
               Probe("user", "PATCH", f"{ns}/pods/{NAMESPACE}-probe", "", MERGE, b"{}", USER),
               Probe("user", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", JSON,
                     encode(review), USER)]
    return probes


def authz_probes() -> list[Probe]:
    """A PUT of a missing object of every kind (the kinds whose strategy allows it create it),
    ClusterRoles whose aggregationRule names no selector or a bad one, and denials whose sentence
    holds what fmt.Errorf and the HTML sanitizer rewrite."""
    probes = [Probe("authz", "PUT", f"{kind.collection()}/{NAMESPACE}-put", "dryRun=All", JSON,
                    encode(kind.object(f"{NAMESPACE}-put"))) for kind in KINDS + MORE_KINDS]
    roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    for rule in ({}, {"clusterRoleSelectors": []}, {"clusterRoleSelectors": [{"matchLabels": {"a b": "c"}}]},
                 {"clusterRoleSelectors": [{"matchExpressions": [{"key": "a", "operator": "In"}]}]}):
        probes.append(Probe("authz", "POST", roles, "dryRun=All", JSON,
                            encode({"metadata": {"name": f"{NAMESPACE}-aggregated"}, "aggregationRule": rule})))
    probes += [Probe("authz", "GET", path, user=USER) for path in ("/foo%25s", "/x%25-5.2f%25", "/a%3Cb%3E&c")]
    return probes


def privilege_probes() -> list[Probe]:
    """What admission and the Node authorizer guard, asked by the users they stop: a pod of a
    missing ServiceAccount, with a 100-second projected token, or privileged on the host's
    network (allowed, in a namespace PodSecurity does not restrict); a pod update setting only the deprecated serviceAccount (no change);
    a binding by a user; a node writing another node, a pod not bound to it, a non-mirror pod, an
    unbound token, another node's lease and a restricted label; a CSR asking for system:masters
    and an approval without rights; a service-account-token Secret naming no account; writes into
    a missing and a terminating namespace; and reads around resourceNames with field selectors."""
    ns, pod = f"/api/v1/namespaces/{NAMESPACE}", f"{NAMESPACE}-probe"
    lost = {"metadata": {"name": "lost"}, "spec": {**POD_SPEC, "serviceAccountName": "absent"}}
    privileged = {"metadata": {"name": "privileged"}, "spec": {"hostNetwork": True, "containers": [
        {"name": "c", "image": IMAGE, "securityContext": {"privileged": True}}]}}
    short_token = {"metadata": {"name": "short"}, "spec": {**POD_SPEC, "volumes": [{"name": "t", "projected": {
        "sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 100}}]}}]}}
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod},
               "target": {"apiVersion": "v1", "kind": "Node", "name": pod}}
    probes = [Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(lost)),
              Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(short_token)),
              Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(privileged)),
              Probe("authz", "PATCH", f"{ns}/pods/{pod}", "dryRun=All", MERGE, b'{"spec":{"serviceAccount":"x"}}'),
              Probe("authz", "POST", f"{ns}/pods/{pod}/binding", "", JSON, encode(binding), USER)]
    unbound = {"metadata": {"name": "kubelet-made"}, "spec": {**POD_SPEC, "nodeName": "diff-node"}}
    labelled = {"metadata": {"name": "diff-node", "labels": {"node-restriction.kubernetes.io/x": "y"}}}
    lease = {"metadata": {"name": pod}, "spec": {"holderIdentity": pod}}
    probes += [Probe("authz", "PATCH", f"/api/v1/nodes/{pod}/status", "dryRun=All", MERGE, b'{"status":{}}', NODE_USER),
               Probe("authz", "GET", f"{ns}/secrets/{pod}", user=NODE_USER),
               Probe("authz", "GET", f"{ns}/configmaps/{pod}", user=NODE_USER),
               Probe("authz", "PATCH", f"{ns}/pods/{pod}/status", "dryRun=All", MERGE, b'{"status":{}}', NODE_USER),
               Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(unbound), NODE_USER),
               Probe("authz", "POST", f"{ns}/serviceaccounts/default/token", "", JSON, b'{"spec":{}}', NODE_USER),
               Probe("authz", "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", "dryRun=All",
                     JSON, encode(lease), NODE_USER),
               Probe("authz", "POST", "/api/v1/nodes", "dryRun=All", JSON, encode(labelled), NODE_USER)]
    masters = {**CSR, "metadata": {"name": f"{NAMESPACE}-masters"},
               "spec": {**CSR["spec"], "request": csr_request(USER, ("system:masters",))}}
    csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    probes += [Probe("authz", "POST", csrs, "dryRun=All", JSON, encode(masters)),
               Probe("authz", "PUT", f"{csrs}/{NAMESPACE}-csr/approval", "", JSON, encode(CSR), USER)]
    token_secret = {"metadata": {"name": "t"}, "type": "kubernetes.io/service-account-token"}
    doomed = {"metadata": {"name": f"{NAMESPACE}-doomed"}}
    probes += [Probe("authz", "POST", f"{ns}/secrets", "dryRun=All", JSON, encode(token_secret)),
               Probe("authz", "POST", "/api/v1/namespaces/diff-absent/configmaps", "", JSON,
                     encode({"metadata": {"name": "c"}})),
               Probe("authz", "POST", "/api/v1/namespaces/diff-absent/configmaps", "", JSON,
                     encode({"metadata": {"name": "c"}}), USER),
               Probe("authz", "POST", "/api/v1/namespaces", "", JSON, encode(doomed)),
               Probe("authz", "DELETE", f"/api/v1/namespaces/{NAMESPACE}-doomed"),
               Probe("authz", "POST", f"/api/v1/namespaces/{NAMESPACE}-doomed/configmaps", "", JSON,
                     encode({"metadata": {"name": "c"}}))]
    named = f"fieldSelector=metadata.name%3D{pod}"
    probes += [Probe("authz", "GET", f"{ns}/secrets", query_text, user=USER)
               for query_text in (named, named + "&watch=1&resourceVersion=0", "labelSelector=a%3Db")]
    return probes + [Probe("authz", "GET", "/api/v1/secrets", named, user=USER)]


def unseen_privilege_probes() -> list[Probe]:
    """What authz14 compared beyond the rounds before: requests without credentials (anonymous,
    --anonymous-auth being on), service account issuer discovery (its Accept headers and methods),
    non-resource paths asked with other methods than GET, review bodies of another kind or version,
    the special verbs watch and proxy (alone, a 500 before authentication) and impersonated users
    whose names are UTF-8 or hold colons."""
    ns = f"/api/v1/namespaces/{NAMESPACE}"
    probes = [Probe("authz", "GET", path, user=ANONYMOUS) for path in (
        "/healthz", "/livez", "/readyz", "/version", "/openapi/v2", "/.well-known/openid-configuration",
        "/openid/v1/jwks", "/apis", "/metrics", f"{ns}/pods", "/api/v1/nodes")]
    probes += [Probe("authz", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", JSON,
                     encode({"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}), ANONYMOUS),
               Probe("authz", "GET", "/.well-known/openid-configuration", user=USER)]
    discovery = [("/.well-known/openid-configuration", "text/html"), ("/.well-known/openid-configuration/", "*/*"),
                 ("/openid/v1/jwks", "application/json"), ("/openid/v1/jwks", "application/jwk-set+json"),
                 ("/openid/v1/jwks/x", "*/*"), ("/openid/v1", "*/*")]
    probes += [Probe("authz", "GET", path, headers=(("Accept", accept),)) for path, accept in discovery]
    probes += [Probe("authz", method, path) for method, path in (
        ("POST", "/openid/v1/jwks"), ("HEAD", "/.well-known/openid-configuration"), ("POST", "/healthz"),
        ("DELETE", "/readyz/ping"), ("PUT", "/version"), ("HEAD", "/api"), ("PATCH", "/apis/apps/v1"),
        ("POST", "/version/x"), ("POST", "/bogus"), ("PUT", "/healthz/bogus"))]
    reviews = [("authorization.k8s.io/v1/selfsubjectaccessreviews", "authorization.k8s.io/v1beta1",
                "SelfSubjectAccessReview"),
               ("authorization.k8s.io/v1/subjectaccessreviews", "v1", "SubjectAccessReview"),
               ("authorization.k8s.io/v1/selfsubjectrulesreviews", "authorization.k8s.io/v1", "SubjectAccessReview"),
               ("authentication.k8s.io/v1/tokenreviews", "authentication.k8s.io/v1beta1", "TokenReview"),
               ("authentication.k8s.io/v1/tokenreviews", "authorization.k8s.io/v1", "")]
    probes += [Probe("authz", "POST", f"/apis/{path}", "", JSON,
                     encode({"apiVersion": api_version, "kind": kind, "spec": {"token": "t", "user": "u"}}))
               for path, api_version, kind in reviews]
    probes += [Probe("authz", "GET", "/api/v1/watch", "a=1&b=%3Cc%3E", user=ANONYMOUS),
               Probe("authz", "POST", "/apis/apps/v1/proxy", "", JSON, b"{}", USER),
               Probe("authz", "GET", "/api/v1/proxy/nodes/diff-node", user=USER),
               Probe("authz", "DELETE", f"/api/v1/proxy/namespaces/{NAMESPACE}/pods/{NAMESPACE}-probe"),
               Probe("authz", "GET", "/api/v1//watch", user=USER)]
    utf8_user = "jos\u00e9".encode().decode("latin-1")  # http.client sends header text as ISO-8859-1
    return probes + [Probe("authz", "GET", f"{ns}/pods", headers=(("Impersonate-User", utf8_user),)),
                     Probe("authz", "GET", f"{ns}/pods", headers=(("Impersonate-User", "a:b:c"),
                                                                   ("Impersonate-Group", "system:authenticated")))]


def later_privilege_probes() -> list[Probe]:
    """What authz15 compared beyond the rounds before that the corpus can hold: a server-side apply
    that would create the object, by a user allowed only to patch that name (withAuthorization
    asks for create); a pod whose container limits cpu alone below the LimitRange's default (its
    request is defaulted from its limit before admission); a kubelet registering its node with
    each kind of label NodeRestriction tells apart; a ServiceAccount that enforces mountable
    secrets; and a kubelet reading the secret an ephemeral container of its pod names (the node
    graph never learns of it)."""
    ns, rbac = f"/api/v1/namespaces/{NAMESPACE}", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{NAMESPACE}"
    applied = f"{NAMESPACE}-applied"
    role = {"metadata": {"name": applied}, "rules": [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"], "resourceNames": [applied]}]}
    binding = {"metadata": {"name": applied}, "subjects": [{"kind": "User", "name": USER}],
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": applied}}
    probes = [Probe("authz", "POST", f"{rbac}/roles", "", JSON, encode(role)),
              Probe("authz", "POST", f"{rbac}/rolebindings", "", JSON, encode(binding))]
    cpu_limited = {"metadata": {"name": "cpu-limited"}, "spec": {"containers": [
        {"name": "c", "image": IMAGE, "resources": {"limits": {"cpu": "300m"}}}]}}
    probes.append(Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(cpu_limited)))
    for label in ("kubernetes.io/hostname", "kubelet.kubernetes.io/x", "x.kubelet.kubernetes.io/y",
                  "node.kubernetes.io/x", "node-restriction.kubernetes.io/x", "x.node-restriction.kubernetes.io/y",
                  "node-role.kubernetes.io/worker", "kubernetes.io/role", "k8s.io/x", "x.k8s.io/y", "example.com/x",
                  "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone", "beta.kubernetes.io/arch"):
        node = {"metadata": {"name": "diff-node", "labels": {label: "diff-node"}}}
        probes.append(Probe("authz", "POST", "/api/v1/nodes", "dryRun=All", JSON, encode(node), NODE_USER))
    strict = {"metadata": {"name": f"{NAMESPACE}-strict",
                           "annotations": {"kubernetes.io/enforce-mountable-secrets": "true"}},
              "secrets": [{"name": f"{NAMESPACE}-probe"}]}
    probes.append(Probe("authz", "POST", f"{ns}/serviceaccounts", "", JSON, encode(strict)))
    for secret in (f"{NAMESPACE}-probe", "other"):
        volumes = [{"name": "s", "secret": {"secretName": secret}}]
        mounting = {"metadata": {"name": "mounting"},
                    "spec": {**POD_SPEC, "serviceAccountName": f"{NAMESPACE}-strict", "volumes": volumes}}
        probes.append(Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(mounting)))
    debugged, secret = f"{NAMESPACE}-debugged", {"metadata": {"name": f"{NAMESPACE}-debug"}}
    debug = {"spec": {"ephemeralContainers": [{"name": "debug", "image": IMAGE, "env": [
        {"name": "K", "valueFrom": {"secretKeyRef": {"name": f"{NAMESPACE}-debug", "key": "k"}}}]}]}}
    probes += [Probe("authz", "POST", f"{ns}/secrets", "", JSON, encode(secret)),
               Probe("authz", "POST", f"{ns}/pods", "", JSON,
                     encode({"metadata": {"name": debugged}, "spec": {**POD_SPEC, "nodeName": "diff-node"}})),
               Probe("authz", "PATCH", f"{ns}/pods/{debugged}/ephemeralcontainers", "", STRATEGIC, encode(debug)),
               Probe("authz", "GET", f"{ns}/secrets/{NAMESPACE}-debug", user=NODE_USER)]
    apply = encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": applied}, "data": {"k": "v"}})
    return probes + [Probe("authz", "PATCH", f"{ns}/configmaps/{applied}", query_text, APPLY, apply, USER)
                     for query_text in ("fieldManager=diff", "fieldManager=diff&dryRun=All")]


def impersonated_privilege_probes() -> list[Probe]:
    """What authz16 compared beyond the rounds before, asked by the administrator impersonating
    users of its own so that the corpus's user keeps its rights: `escalate` granted on roles only
    or on clusterroles only, `bind` limited by resourceNames to one ClusterRole, and labelling a
    ClusterRole into an aggregation without `escalate`; header names and values net/http refuses
    (an Impersonate-Extra- key with a slash); and the `/logs` route, which serves the host's
    /var/log to whoever may get it (only its refusals and redirects: the files differ by host)."""
    rbac, group = "/apis/rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io"
    secrets = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    writes = {"apiGroups": [group], "resources": ["roles", "rolebindings", "clusterroles"],
              "verbs": ["create", "update", "patch", "get"]}
    grants = {"escalate-roles": {"apiGroups": [group], "resources": ["roles"], "verbs": ["escalate"]},
              "escalate-clusterroles": {"apiGroups": [group], "resources": ["clusterroles"], "verbs": ["escalate"]},
              "bind-one": {"apiGroups": [group], "resources": ["clusterroles"], "verbs": ["bind"],
                           "resourceNames": [f"{NAMESPACE}-secret-reader"]}}
    probes = [Probe("authz", "POST", f"{rbac}/clusterroles", "", JSON,
                    encode({"metadata": {"name": f"{NAMESPACE}-{name}"}, "rules": rules}))
              for name, rules in [("secret-reader", secrets), ("secret-getter", secrets)]
              + [(grant, [writes, rule]) for grant, rule in grants.items()]]
    probes += [Probe("authz", "POST", f"{rbac}/clusterrolebindings", "", JSON, encode({
        "metadata": {"name": f"{NAMESPACE}-{grant}"}, "subjects": [{"kind": "User", "name": f"{NAMESPACE}-{grant}"}],
        "roleRef": {"apiGroup": group, "kind": "ClusterRole", "name": f"{NAMESPACE}-{grant}"}})) for grant in grants]
    roles = f"{rbac}/namespaces/{NAMESPACE}/roles"
    for grant in grants:
        as_user = (("Impersonate-User", f"{NAMESPACE}-{grant}"),)
        binding = {"metadata": {"name": "b"}, "subjects": [{"kind": "User", "name": "z"}],
                   "roleRef": {"apiGroup": group, "kind": "ClusterRole", "name": f"{NAMESPACE}-secret-reader"}}
        other = {**binding, "roleRef": {**binding["roleRef"], "name": f"{NAMESPACE}-secret-getter"}}
        role = encode({"metadata": {"name": "r"}, "rules": secrets})
        probes += [Probe("authz", "POST", roles, "dryRun=All", JSON, role, headers=as_user),
                   Probe("authz", "POST", f"{rbac}/clusterroles", "dryRun=All", JSON, role, headers=as_user),
                   Probe("authz", "POST", f"{rbac}/namespaces/{NAMESPACE}/rolebindings", "dryRun=All", JSON,
                         encode(binding), headers=as_user),
                   Probe("authz", "POST", f"{rbac}/namespaces/{NAMESPACE}/rolebindings", "dryRun=All", JSON,
                         encode(other), headers=as_user),
                   Probe("authz", "PATCH", f"{rbac}/clusterroles/{NAMESPACE}-secret-getter", "dryRun=All", MERGE,
                         b'{"metadata":{"labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}}}',
                         headers=as_user)]
    configmaps = f"/api/v1/namespaces/{NAMESPACE}/configmaps"
    probes += [Probe("authz", "GET", configmaps, headers=(("Impersonate-User", "alice"), (name, "v")))
               for name in ("Impersonate-Extra-a/b", "Impersonate-Extra-a%2Fb", "Impersonate-Extra-Scopes")]
    probes += [Probe("authz", "GET", configmaps, headers=((name, value),))
               for name, value in (("Foo ", "bar"), ("X-A", "a\x01b"), ("X-A", "a\x7fb"))]
    any_type = (("Accept", "*/*"),)
    probes += [Probe("authz", "GET", "/logs/"), Probe("authz", "POST", "/logs/", headers=any_type),
               Probe("authz", "GET", "/logs", headers=any_type),
               Probe("authz", "GET", "/logs/diff-absent", headers=any_type),
               Probe("authz", "GET", "/logs/%2e%2e/etc/passwd", headers=any_type),
               Probe("authz", "GET", "/logs/diff/index.html", headers=any_type),
               Probe("authz", "GET", "/logs/", user=USER, headers=any_type),
               Probe("authz", "GET", "/logs/", user=ANONYMOUS, headers=any_type)]
    return probes


def role_ref_group_probes() -> list[Probe]:
    """What authz18 compared beyond the rounds before that the corpus can hold, as authz16's user
    allowed to bind only ClusterRole diff-secret-reader: that role bound through a roleRef in
    another API group (`bind` is asked in the roleRef's group, so the escalation 403 comes before
    validation's 422), a Role naming the empty resource name, which the 403 lists, and one made by
    generateName, which the 403 names no object for."""
    rbac, group = "/apis/rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io"
    as_user = (("Impersonate-User", f"{NAMESPACE}-bind-one"),)
    binding = {"metadata": {"name": "b"}, "subjects": [{"kind": "User", "name": "z", "apiGroup": group}],
               "roleRef": {"apiGroup": "example.com", "kind": "ClusterRole", "name": f"{NAMESPACE}-secret-reader"}}
    role = {"metadata": {"name": "r"},
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": [""]}]}
    return [Probe("authz", "POST", f"{rbac}/namespaces/{NAMESPACE}/rolebindings", "dryRun=All", JSON, encode(binding),
                  headers=as_user),
            Probe("authz", "POST", f"{rbac}/namespaces/{NAMESPACE}/roles", "dryRun=All", JSON, encode(role),
                  headers=as_user),
            Probe("authz", "POST", f"{rbac}/namespaces/{NAMESPACE}/roles", "dryRun=All", JSON,
                  encode({**role, "metadata": {"generateName": "r-"}}), headers=as_user)]


def websocket_token_probes() -> list[Probe]:
    """Bearer tokens a WebSocket handshake offers as a subprotocol, without other credentials: one
    with no other subprotocol, a padded one and an unknown one fail authentication (401), an
    empty one and one outside a handshake present nothing (system:anonymous)."""
    handshake = (("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
                 ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="))
    prefix = "base64url.bearer.authorization.k8s.io."
    offers = [(handshake, f"{prefix}dG9r"), (handshake, f"{prefix}dG9r=, v4.channel.k8s.io"),
              (handshake, f"{prefix}dG9r, v4.channel.k8s.io"), (handshake, f"{prefix}, v4.channel.k8s.io"),
              (handshake[2:], f"{prefix}dG9r, v4.channel.k8s.io")]
    return [Probe("authz", "GET", f"/api/v1/namespaces/{NAMESPACE}/pods", "watch=1", user=ANONYMOUS,
                  headers=headers + (("Sec-WebSocket-Protocol", protocols),)) for headers, protocols in offers]


def cross_node_probes() -> list[Probe]:
    """What authz17 compared beyond the rounds before, asked by the kubelet of diff-node about
    another node (diff-probe): that node's labels and deletion, a pod bound to it (its status,
    deletion and eviction), its lease and CSINode, serving and client CSRs in its name (and in
    the kubelet's own with the other signer's usages); and mirror pods of the kubelet's own node
    that name a secret, a config map, a service account, a claim or another node as owner."""
    ns, other = f"/api/v1/namespaces/{NAMESPACE}", f"{NAMESPACE}-probe"
    elsewhere = {"metadata": {"name": f"{NAMESPACE}-elsewhere"}, "spec": {**POD_SPEC, "nodeName": other}}
    leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": f"{NAMESPACE}-elsewhere"}}
    probes = [Probe("authz", "POST", f"{ns}/pods", "", JSON, encode(elsewhere)),
              Probe("authz", "POST", leases, "", JSON, encode({"metadata": {"name": other}})),
              Probe("authz", "PATCH", f"/api/v1/nodes/{other}", "dryRun=All", MERGE, b'{"metadata":{"labels":{"a":"b"}}}',
                    NODE_USER),
              Probe("authz", "DELETE", f"/api/v1/nodes/{other}", "dryRun=All", user=NODE_USER),
              Probe("authz", "DELETE", f"{ns}/pods/{NAMESPACE}-elsewhere", "dryRun=All", user=NODE_USER),
              Probe("authz", "PATCH", f"{ns}/pods/{NAMESPACE}-elsewhere/status", "dryRun=All", MERGE,
                    b'{"status":{"message":"x"}}', NODE_USER),
              Probe("authz", "POST", f"{ns}/pods/{NAMESPACE}-elsewhere/eviction", "dryRun=All", JSON, encode(eviction),
                    NODE_USER),
              Probe("authz", "PATCH", f"{leases}/{other}", "dryRun=All", MERGE, b'{"spec":{"holderIdentity":"x"}}',
                    NODE_USER),
              Probe("authz", "DELETE", f"{leases}/{other}", "dryRun=All", user=NODE_USER),
              Probe("authz", "POST", "/apis/storage.k8s.io/v1/csinodes", "dryRun=All", JSON,
                    encode({"metadata": {"name": other}, "spec": {"drivers": []}}), NODE_USER)]
    serving, client = "kubernetes.io/kubelet-serving", "kubernetes.io/kube-apiserver-client-kubelet"
    for node, signer, usages in ((other, serving, ["key encipherment", "server auth"]),
                                 (other, client, ["key encipherment", "client auth"]),
                                 ("diff-node", serving, ["client auth"]), ("diff-node", client, ["server auth"])):
        request = {"metadata": {"name": f"{NAMESPACE}-{node}-{signer.rsplit('-', 1)[-1]}"},
                   "spec": {"request": csr_request(f"system:node:{node}", (NODES_GROUP,)), "signerName": signer,
                            "usages": usages}}
        probes.append(Probe("authz", "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", "dryRun=All",
                            JSON, encode(request), NODE_USER))
    owner = {"apiVersion": "v1", "kind": "Node", "name": "diff-node", "uid": "u", "controller": True}
    mirrored = [{"volumes": [{"name": "s", "secret": {"secretName": other}}]},
                {"volumes": [{"name": "p", "projected": {"sources": [{"configMap": {"name": other}}]}}]},
                {"volumes": [{"name": "c", "persistentVolumeClaim": {"claimName": other}}]},
                {"serviceAccountName": "default"}, {"nodeName": other}]
    for i, spec in enumerate(mirrored):
        mirror = {"metadata": {"name": f"{NAMESPACE}-mirror-{i}", "ownerReferences": [owner],
                               "annotations": {"kubernetes.io/config.mirror": "x"}},
                  "spec": {**POD_SPEC, "nodeName": "diff-node", **spec}}
        probes.append(Probe("authz", "POST", f"{ns}/pods", "dryRun=All", JSON, encode(mirror), NODE_USER))
    return probes


def label_token_and_grant_probes() -> list[Probe]:
    """What authz17 compared beyond the rounds before, as the administrator: PodSecurity labels
    of a new and the existing namespace (levels and versions written wrong); TokenRequests bound
    to a Node, to a secret of another UID, to a pod of another service account, and in a
    terminating namespace; users granted only pods/eviction or only pods/ephemeralcontainers
    (impersonated) using and overstepping their grant; and a namespace whose RoleBinding grants
    system:anonymous every verb on config maps, asked at each verb without credentials."""
    level = "pod-security.kubernetes.io/"
    labels = [{level + "enforce": "bogus"}, {level + "enforce": "baseline", level + "enforce-version": "1.24"},
              {level + "warn": "Restricted", level + "audit": ""}, {level + "enforce-version": "v2.0"},
              {level + "audit": "restricted", level + "audit-version": "v1.0"}]
    probes = [Probe("authz", "POST", "/api/v1/namespaces", "dryRun=All", JSON,
                    encode({"metadata": {"name": f"{NAMESPACE}-labelled", "labels": label}})) for label in labels]
    probes += [Probe("authz", "PATCH", f"/api/v1/namespaces/{NAMESPACE}", "dryRun=All", MERGE,
                     encode({"metadata": {"labels": label}})) for label in labels[:2]]
    ns, pod = f"/api/v1/namespaces/{NAMESPACE}", f"{NAMESPACE}-probe"
    for account, bound in (("default", {"kind": "Node", "apiVersion": "v1", "name": pod}),
                           ("default", {"kind": "Secret", "apiVersion": "v1", "name": pod, "uid": "not-the-uid"}),
                           (pod, {"kind": "Pod", "apiVersion": "v1", "name": pod})):
        probes.append(Probe("authz", "POST", f"{ns}/serviceaccounts/{account}/token", "", JSON,
                            encode({"spec": {"boundObjectRef": bound}})))
    probes.append(Probe("authz", "POST", f"/api/v1/namespaces/{NAMESPACE}-doomed/serviceaccounts/default/token", "",
                        JSON, b'{"spec":{}}'))
    return probes + granted_subresource_probes() + anonymous_binding_probes()


def granted_subresource_probes() -> list[Probe]:
    rbac, pod = "/apis/rbac.authorization.k8s.io/v1", f"/api/v1/namespaces/{NAMESPACE}/pods/{NAMESPACE}-probe"
    grants = {"evict": {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
              "debug": {"apiGroups": [""], "resources": ["pods/ephemeralcontainers"], "verbs": ["update", "patch"]}}
    probes = []
    for grant, rule in grants.items():
        name = f"{NAMESPACE}-{grant}"
        probes += [Probe("authz", "POST", f"{rbac}/clusterroles", "", JSON,
                         encode({"metadata": {"name": name}, "rules": [rule]})),
                   Probe("authz", "POST", f"{rbac}/namespaces/{NAMESPACE}/rolebindings", "", JSON, encode({
                       "metadata": {"name": name}, "subjects": [{"kind": "User", "name": name}],
                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}}))]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": f"{NAMESPACE}-probe"}}
    debug = {"spec": {"ephemeralContainers": [{"name": "debug", "image": IMAGE}]}}
    for grant in grants:
        as_user = (("Impersonate-User", f"{NAMESPACE}-{grant}"),)
        probes += [Probe("authz", "POST", f"{pod}/eviction", "dryRun=All", JSON, encode(eviction), headers=as_user),
                   Probe("authz", "PATCH", f"{pod}/ephemeralcontainers", "dryRun=All", STRATEGIC, encode(debug),
                         headers=as_user),
                   Probe("authz", "PATCH", pod, "dryRun=All", STRATEGIC, encode(debug), headers=as_user),
                   Probe("authz", "GET", f"{pod}/ephemeralcontainers", headers=as_user)]
    return probes


def anonymous_binding_probes() -> list[Probe]:
    rbac, anon = "/apis/rbac.authorization.k8s.io/v1", f"{NAMESPACE}-anonymous"
    maps = f"/api/v1/namespaces/{anon}/configmaps"
    rule = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}
    probes = [Probe("authz", "POST", "/api/v1/namespaces", "", JSON, encode({"metadata": {"name": anon}})),
              Probe("authz", "POST", f"{rbac}/namespaces/{anon}/roles", "", JSON,
                    encode({"metadata": {"name": "anon"}, "rules": [rule]})),
              Probe("authz", "POST", f"{rbac}/namespaces/{anon}/rolebindings", "", JSON, encode({
                  "metadata": {"name": "anon"}, "subjects": [{"kind": "User", "name": "system:anonymous"}],
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "anon"}})),
              Probe("authz", "POST", maps, "", JSON, encode({"metadata": {"name": "c"}, "data": {"k": "v"}}))]
    created = encode({"metadata": {"name": "d"}})
    return probes + [Probe("authz", method, maps + suffix, query_text, content_type, body, ANONYMOUS)
                     for method, suffix, query_text, content_type, body in (
                         ("GET", "", "", "", b""), ("GET", "/absent", "", "", b""), ("POST", "", "dryRun=All", JSON, created),
                         ("PUT", "/c", "dryRun=All", JSON, encode({"metadata": {"name": "c"}, "data": {"k": "w"}})),
                         ("PATCH", "/absent", "dryRun=All", MERGE, b"{}"), ("DELETE", "/absent", "", "", b""),
                         ("DELETE", "", "dryRun=All&labelSelector=a%3Db", "", b""),
                         ("GET", "", "watch=1&timeoutSeconds=1", "", b""))] + [
        Probe("authz", "GET", f"/api/v1/namespaces/{anon}/secrets", user=ANONYMOUS),
        Probe("authz", "GET", "/api/v1/configmaps", user=ANONYMOUS),
        Probe("authz", "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "", JSON,
              encode({"spec": {"namespace": anon}}), ANONYMOUS)]


# authz19's requests: a namespace of their own (diff19) with roles, bindings, a kubelet's node and
# pods that reference secrets, config maps and volumes every way the node graph knows.
NS19, NODE19, RBAC_GROUP = "diff19", "diff19-node", "rbac.authorization.k8s.io"
RBAC = f"/apis/{RBAC_GROUP}/v1"
REMEMBERED = re.compile(r"\$(TOKEN20|FORGED20):([a-z-]+)")
TOKEN = "$TOKEN"  # replaced by a TokenRequest token of diff19/sa1 from the server asked (Server.token)
UID_OF = re.compile(r"\$UID\[([^\]]+)\]")  # $UID[/api/v1/nodes/x]: that object's uid on the server asked (authz21)


def as_user(name: str, *groups: str) -> tuple[tuple[str, str], ...]:
    return (("Impersonate-User", name),) + tuple(("Impersonate-Group", group) for group in groups)


def rbac_user(name: str) -> dict:
    return {"kind": "User", "name": name, "apiGroup": RBAC_GROUP}


def rbac_group(name: str) -> dict:
    return {"kind": "Group", "name": name, "apiGroup": RBAC_GROUP}


def post(path: str, obj: dict, query_text: str = "", user: str = "admin", headers: tuple = ()) -> Probe:
    return Probe("authz", "POST", path, query_text, JSON, encode(obj), user, headers)


def cluster_role(name: str, rules: list[dict]) -> Probe:
    return post(f"{RBAC}/clusterroles", {"metadata": {"name": name}, "rules": rules})


def binding(name: str, role: str, subjects: list[dict], kind: str = "ClusterRole", namespace: str | None = NS19,
            query_text: str = "", headers: tuple = ()) -> Probe:
    """A RoleBinding in `namespace`, or a ClusterRoleBinding when it is None."""
    where = f"{RBAC}/namespaces/{namespace}/rolebindings" if namespace else f"{RBAC}/clusterrolebindings"
    return post(where, {"metadata": {"name": name}, "subjects": subjects,
                        "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role}}, query_text, headers=headers)


# Each granted user (a19-NAME, bound cluster-wide to ClusterRole a19-NAME) and the rules it holds.
GRANTS19 = {
    "scale": [{"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["get", "update", "patch"]}],
    "podstar": [{"apiGroups": [""], "resources": ["pods/*", "*/"], "verbs": ["get"]}],
    "names": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"], "resourceNames": ["cm1"]}],
    "nonres": [{"nonResourceURLs": ["/ap*", "healthz", "/metrics/*", "/version/"], "verbs": ["get"]}],
    "upper": [{"apiGroups": [""], "resources": ["configmaps", "Secrets"], "verbs": ["GET", "List"]}],
    "anygroup": [{"apiGroups": ["*"], "resources": ["deployments"], "verbs": ["get"]}],
    "emptygroup": [{"apiGroups": [""], "resources": ["deployments"], "verbs": ["list"]}],
    "status": [{"apiGroups": [""], "resources": ["pods/status"], "verbs": ["get", "patch"]}],
    "subres-any": [{"apiGroups": ["*"], "resources": ["*/status"], "verbs": ["get"]}],
    "named-any": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get"], "resourceNames": ["x"]}],
    "proxy": [{"apiGroups": [""], "resources": ["services/proxy", "pods/proxy", "nodes/proxy"], "verbs": ["get"]}],
    "deleter": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["delete"]}],
    "impersonator": [{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": ["bob"]},
                     {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"], "resourceNames": ["g:1"]},
                     {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}],
    "bind-anygroup": [{"apiGroups": ["*"], "resources": ["clusterroles"], "verbs": ["bind"]},
                      {"apiGroups": [RBAC_GROUP], "resources": ["rolebindings", "clusterrolebindings"],
                       "verbs": ["create"]}],
    "creditor": [{"apiGroups": [RBAC_GROUP], "resources": ["clusterroles", "clusterrolebindings"],
                  "verbs": ["get", "update", "patch", "create"]},
                 {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
}
# Granted in diff19 only, by a RoleBinding to ClusterRole a19-NAME.
LOCAL_GRANTS19 = {
    "ns": [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "delete"]}],
    "cm-get": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    "editor": [{"apiGroups": [RBAC_GROUP], "resources": ["roles", "rolebindings"],
                "verbs": ["get", "update", "patch", "create"]},
               {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    "star-roles": [{"apiGroups": [RBAC_GROUP], "resources": ["roles", "rolebindings"], "verbs": ["*"]}],
    "escalate-named": [{"apiGroups": [RBAC_GROUP], "resources": ["roles"], "verbs": ["escalate"],
                        "resourceNames": ["r-cm", "r-new"]},
                       {"apiGroups": [RBAC_GROUP], "resources": ["roles"], "verbs": ["create", "update"]}],
}
# What a pod bound to the kubelet's node references, and how: what the node graph must follow.
NODE_REFERENCES19 = [("secrets", "pull"), ("secrets", "envfrom"), ("configmaps", "envkey"), ("secrets", "projected"),
                     ("configmaps", "projected-cm"), ("secrets", "csi"), ("secrets", "pv-secret"),
                     ("secrets", "init-env"), ("configmaps", "gone-cm"), ("secrets", "unused")]


def authz19_setup() -> list[Probe]:
    """Namespace diff19 and the objects authz19's requests are about, made by the administrator."""
    ns = f"/api/v1/namespaces/{NS19}"
    probes = [post("/api/v1/namespaces", {"metadata": {"name": name}}) for name in (NS19, "other19")]
    probes += [post(f"{ns}/serviceaccounts", {"metadata": {"name": "sa1"}}),
               post(f"/apis/apps/v1/namespaces/{NS19}/deployments", kind_named("deployments").object("dep1")),
               post(f"{RBAC}/namespaces/{NS19}/roles", {"metadata": {"name": "r-cm"}, "rules": LOCAL_GRANTS19["cm-get"]})]
    probes += [post(f"{ns}/configmaps", {"metadata": {"name": name}, "data": {"a": "b"}}) for name in ("cm1", "cm2", "used-cm")]
    probes += [post(f"{ns}/{plural}", {"metadata": {"name": name}}) for plural, name in NODE_REFERENCES19 + [
        ("secrets", "s1"), ("secrets", "used-secret")]]
    probes += [post("/api/v1/nodes", {"metadata": {"name": NODE19, "labels": {
                   "kubernetes.io/hostname": NODE19, "node-restriction.kubernetes.io/x": "y"}}, "spec": {
                   "podCIDR": "10.1.0.0/24", "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}}),
               post("/api/v1/nodes", {"metadata": {"name": "diff19-other"}})]
    # Pods run as sa1: the real server has no controller making a namespace's default account.
    pod_spec = {**POD_SPEC, "serviceAccountName": "sa1"}
    volumes = [{"name": "s", "secret": {"secretName": "used-secret"}}, {"name": "c", "configMap": {"name": "used-cm"}}]
    refs = {"nodeName": NODE19, "serviceAccountName": "sa1", "imagePullSecrets": [{"name": "pull"}],
            "initContainers": [{"name": "i", "image": IMAGE, "env": [
                {"name": "E", "valueFrom": {"secretKeyRef": {"name": "init-env", "key": "k"}}}]}],
            "containers": [{"name": "c", "image": IMAGE, "envFrom": [{"secretRef": {"name": "envfrom"}}], "env": [
                {"name": "K", "valueFrom": {"configMapKeyRef": {"name": "envkey", "key": "k"}}}]}],
            "volumes": [{"name": "p", "projected": {"sources": [{"secret": {"name": "projected"}},
                                                                {"configMap": {"name": "projected-cm"}}]}},
                        {"name": "csi", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "csi"}}},
                        {"name": "claim", "persistentVolumeClaim": {"claimName": "claim"}}]}
    probes += [post("/api/v1/persistentvolumes", {"metadata": {"name": "pv19"}, "spec": {
                   "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                   "claimRef": {"namespace": NS19, "name": "claim"},
                   "csi": {"driver": "d", "volumeHandle": "h",
                           "nodePublishSecretRef": {"name": "pv-secret", "namespace": NS19}}}}),
               post(f"{ns}/persistentvolumeclaims", {"metadata": {"name": "claim"}, "spec": {
                   "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeName": "pv19"}}),
               post(f"{ns}/pods", {"metadata": {"name": "mine"}, "spec": {**pod_spec, "nodeName": NODE19, "volumes": volumes}}),
               post(f"{ns}/pods", {"metadata": {"name": "theirs"}, "spec": {**pod_spec, "nodeName": "diff19-other"}}),
               post(f"{ns}/pods", {"metadata": {"name": "unbound"}, "spec": pod_spec}),
               post(f"{ns}/pods", {"metadata": {"name": "refs"}, "spec": refs}),
               post(f"{ns}/pods", {"metadata": {"name": "gone"}, "spec": {
                   **pod_spec, "nodeName": NODE19, "volumes": [{"name": "c", "configMap": {"name": "gone-cm"}}]}}),
               Probe("authz", "DELETE", f"{ns}/pods/gone", "gracePeriodSeconds=0"),
               post("/apis/storage.k8s.io/v1/volumeattachments", {"metadata": {"name": "va19"}, "spec": {
                   "attacher": "d", "nodeName": NODE19, "source": {"persistentVolumeName": "pv19"}}}),
               post("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {"metadata": {"name": NODE19}}),
               post("/apis/storage.k8s.io/v1/csinodes", {"metadata": {"name": NODE19}, "spec": {"drivers": []}})]
    for name, rules in {**GRANTS19, **LOCAL_GRANTS19, "events": [{"apiGroups": [""], "resources": ["events"], "verbs": ["list"]}],
                        "services": [{"apiGroups": [""], "resources": ["services"], "verbs": ["list"]}],
                        "endpoints": [{"apiGroups": [""], "resources": ["endpoints"], "verbs": ["list"]}],
                        "secrets-list": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}],
                        "owned": LOCAL_GRANTS19["cm-get"]}.items():
        probes.append(cluster_role(f"a19-{name}", rules))
    probes += [binding(f"a19-{name}", f"a19-{name}", [rbac_user(f"a19-{name}")], namespace=None) for name in GRANTS19]
    probes += [binding(f"a19-{name}", f"a19-{name}", [rbac_user(f"a19-{name}")]) for name in LOCAL_GRANTS19]
    probes += [binding("a19-rb", "a19-cm-get", [rbac_user("a19-rb")]),
               binding("a19-sa-nons", "a19-cm-get", [{"kind": "ServiceAccount", "name": "sa1"}]),
               binding("a19-other-sa", "a19-cm-get", [{"kind": "ServiceAccount", "name": "sa", "namespace": "other19"},
                                                      rbac_user("*")]),
               binding("a19-authd", "a19-services", [rbac_group("system:authenticated")]),
               binding("a19-unauthd", "a19-endpoints", [rbac_group("system:unauthenticated")]),
               binding("a19-sas", "a19-events", [rbac_group(f"system:serviceaccounts:{NS19}")]),
               binding("a19-all-sas", "a19-secrets-list", [rbac_group("system:serviceaccounts")]),
               binding("a19-impersonator-ns", "a19-impersonator", [rbac_user("a19-impersonator")]),
               binding("a19-colon", "a19-cm-get", [rbac_user("a:b:c"), rbac_group("g:1")], namespace=None),
               binding("rb-admin", "cluster-admin", [rbac_user("somebody")]),
               binding("rb-cm", "r-cm", [rbac_user("somebody")], kind="Role"),
               binding("a19-owned", "a19-owned", [rbac_user("somebody")], namespace=None)]
    return probes


def authz19_rule_probes() -> list[Probe]:
    """RBAC's rule matching at its corners, asked by users granted one rule each: `*/scale` and
    `*/status` for any resource's subresource, `pods/*` and `*/` (which match nothing), resourceNames
    against list, watch (a field selector on metadata.name names the object, however it is written),
    create, deletecollection and apply, nonResourceURLs with `*` suffixes and without a leading slash,
    verbs and resources in upper case, apiGroups `*` against `""`, a RoleBinding of a ClusterRole
    (also for the namespace itself), bindings validation refuses, and wildcard names."""
    ns, dep = f"/api/v1/namespaces/{NS19}", f"/apis/apps/v1/namespaces/{NS19}/deployments/dep1"
    probes = [Probe("authz", method, path, query_text, MERGE if method == "PATCH" else "", body, headers=as_user(f"a19-{who}"))
              for who, method, path, query_text, body in (
                  ("scale", "GET", f"{dep}/scale", "", b""),
                  ("scale", "PATCH", f"{dep}/scale", "dryRun=All", b'{"spec":{"replicas":2}}'),
                  ("scale", "GET", dep, "", b""), ("scale", "GET", f"{ns}/replicationcontrollers/x/scale", "", b""),
                  ("podstar", "GET", f"{ns}/pods/mine/status", "", b""), ("podstar", "GET", f"{ns}/pods/mine", "", b""),
                  ("names", "GET", f"{ns}/configmaps/cm1", "", b""), ("names", "GET", f"{ns}/configmaps/cm2", "", b""),
                  ("names", "GET", f"{ns}/configmaps", "", b""),
                  ("names", "GET", "/api/v1/configmaps", "fieldSelector=metadata.name%3Dcm1", b""),
                  ("names", "DELETE", f"{ns}/configmaps", "dryRun=All", b""),
                  ("names", "DELETE", f"{ns}/configmaps/cm1", "dryRun=All", b""),
                  ("names", "PATCH", f"{ns}/configmaps/cm1", "dryRun=All", b"{}"),
                  ("upper", "GET", f"{ns}/configmaps/cm1", "", b""), ("upper", "GET", f"{ns}/secrets", "", b""),
                  ("anygroup", "GET", dep, "", b""), ("emptygroup", "GET", f"/apis/apps/v1/namespaces/{NS19}/deployments", "", b""),
                  ("status", "GET", f"{ns}/pods/mine/status", "", b""),
                  ("status", "PATCH", f"{ns}/pods/mine/status", "dryRun=All", b'{"status":{"message":"x"}}'),
                  ("status", "GET", f"{ns}/pods/mine", "", b""),
                  ("subres-any", "GET", f"{dep}/status", "", b""), ("subres-any", "GET", f"/api/v1/nodes/{NODE19}/status", "", b""),
                  ("ns", "GET", ns, "", b""), ("ns", "GET", "/api/v1/namespaces/default", "", b""),
                  ("ns", "DELETE", ns, "dryRun=All", b""), ("ns", "GET", f"{ns}/status", "", b""),
                  ("ns", "GET", "/api/v1/namespaces", "", b""),
                  ("rb", "GET", f"{ns}/configmaps/cm1", "", b""),
                  ("rb", "GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt", "", b""),
                  ("named-any", "GET", f"{ns}/secrets/x", "", b""), ("named-any", "GET", "/api/v1/nodes/x", "", b""),
                  ("named-any", "GET", f"{ns}/secrets/y", "", b""), ("named-any", "GET", f"{ns}/pods/x/status", "", b""),
                  ("deleter", "DELETE", f"{ns}/configmaps", "dryRun=All", b""),
                  ("deleter", "DELETE", f"{ns}/configmaps/cm2", "dryRun=All", b""),
                  ("proxy", "GET", f"{ns}/services/s/proxy/x", "", b""), ("proxy", "GET", f"{ns}/pods/mine:80/proxy/x", "", b""),
                  ("proxy", "GET", f"/api/v1/nodes/{NODE19}/proxy/x", "", b""))]
    probes += [post(f"{ns}/configmaps", {"metadata": {"name": "cm1"}}, "dryRun=All", headers=as_user("a19-names")),
               Probe("authz", "PUT", f"{ns}/configmaps/cm1", "dryRun=All", JSON, encode({"metadata": {"name": "cm1"}}),
                     headers=as_user("a19-names")),
               Probe("authz", "PATCH", f"{ns}/configmaps/cm3", "dryRun=All&fieldManager=x", APPLY,
                     encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm3"}}),
                     headers=as_user("a19-names")),
               Probe("authz", "PUT", f"{ns}/finalize", "dryRun=All", JSON, encode({"metadata": {"name": NS19}}),
                     headers=as_user("a19-ns"))]
    for selector in ("metadata.name%3Dcm1&watch=true&timeoutSeconds=1", "metadata.name%3Dcm2&watch=1",
                     "metadata.name%3D%3Dcm1", "metadata.name%3Dcm1,metadata.namespace%3Ddiff19",
                     "metadata.namespace%3Ddiff19,metadata.name%3Dcm1", "metadata.name%3Dcm1,metadata.name%3Dcm2",
                     "metadata.name%3Dcm2,metadata.name%3Dcm1", "metadata.name!%3Dcm1",
                     "metadata.name%3Dcm1&fieldSelector=metadata.name%3Dcm2", "metadata.name%3D..",
                     "metadata.name%3Dcm1&watch=false", "metadata.name%3Dcm1&watch=bogus&timeoutSeconds=1",
                     "metadata.name%3Dcm1&limit=x", "metadata.name%3Dcm1&resourceVersion=0",
                     "metadata.name%3Dcm1&labelSelector=a%3D%3D%3D", "%20metadata.name%20%3D%20cm1",
                     "metadata.name%3Dcm1%2C", "metadata.name%3Dcm%5C1", "metadata.name%3D"):
        probes.append(Probe("authz", "GET", f"{ns}/configmaps", "fieldSelector=" + selector, headers=as_user("a19-names")))
    probes += [Probe("authz", method, path, headers=as_user("a19-nonres")) for method, path in (
        ("GET", "/api"), ("GET", "/apis"), ("GET", "/apis/apps"), ("GET", "/healthz"), ("GET", "/metrics"),
        ("GET", "/metrics/x"), ("GET", "/version"), ("GET", "/version/"), ("GET", "/ap"), ("GET", "/openapi/v2"),
        ("GET", "/livez"), ("POST", "/apis"))]
    cm_get = "a19-cm-get"
    probes += [binding("a19-bad1", "r-cm", [rbac_user("x")], kind="Role", namespace=None),
               binding("a19-bad2", cm_get, [{"kind": "ServiceAccount", "name": "sa1"}], namespace=None),
               binding("a19-bad3", cm_get, [{"kind": "user", "name": "x"}], namespace=None),
               binding("a19-bad4", cm_get, [{"kind": "Group", "name": "x", "apiGroup": ""}], namespace=None,
                       query_text="dryRun=All"),
               binding("a19-bad5", cm_get, [{"kind": "ServiceAccount", "name": "x", "namespace": "n", "apiGroup": RBAC_GROUP}],
                       namespace=None),
               binding("a19-bad6", cm_get, [{"kind": "User", "name": ""}], namespace=None),
               binding("a19-bad7", cm_get, [{"kind": "ServiceAccount", "name": "a:b", "namespace": "n"}], namespace=None),
               binding("a19-bad8", cm_get, [{"kind": "ServiceAccount", "name": "sa1", "namespace": ""}], query_text="dryRun=All"),
               binding("a19-bad9", "missing-role", [rbac_user("x")], kind="Role", query_text="dryRun=All"),
               binding("a19-bad10", "r-cm", [rbac_user("x")], kind="Bogus", query_text="dryRun=All")]
    for rule in ({"nonResourceURLs": ["/x"], "resources": ["pods"], "verbs": ["get"]},
                 {"apiGroups": [""], "resources": ["pods"], "verbs": []}, {"resources": ["pods"], "verbs": ["get"]},
                 {"apiGroups": [""], "verbs": ["get"]}):
        probes.append(post(f"{RBAC}/clusterroles", {"metadata": {"name": "nr"}, "rules": [rule]}, "dryRun=All"))
    probes.append(post(f"{RBAC}/namespaces/{NS19}/roles", {"metadata": {"name": "nr"}, "rules": [
        {"nonResourceURLs": ["/x"], "verbs": ["get"]}]}, "dryRun=All"))
    return probes


def authz19_group_probes() -> list[Probe]:
    """Subjects and groups: service accounts bound with and without a namespace, or from another
    namespace; bindings to system:authenticated, system:unauthenticated, system:serviceaccounts and
    system:serviceaccounts:NS; users and groups holding colons, a user named `*`; impersonation of
    service accounts (malformed ones are plain users), of system:anonymous, with empty headers, by a
    user allowed to impersonate only some names; and client certificates naming several groups, a
    service account, or no user at all (system:anonymous, whatever its O= says)."""
    ns = f"/api/v1/namespaces/{NS19}"
    cm, sa = f"{ns}/configmaps/cm1", f"system:serviceaccount:{NS19}"
    probes = [Probe("authz", "GET", path, headers=headers) for path, headers in (
        (cm, as_user(f"{sa}:sa1")), (cm, as_user(f"{sa}:sa2")), (f"{ns}/events", as_user(f"{sa}:nobody")),
        (f"{ns}/events", as_user("system:serviceaccount:other:nobody")),
        (f"{ns}/events", as_user("x", f"system:serviceaccounts:{NS19}")), (f"{ns}/events", as_user(sa)),
        (f"{ns}/events", as_user(f"{sa}:a:b")), (f"{ns}/services", as_user("system:anonymous")),
        (f"{ns}/endpoints", as_user("system:anonymous")),
        (f"{ns}/endpoints", as_user("system:anonymous", "system:unauthenticated")),
        (f"{ns}/services", as_user("system:anonymous", "system:authenticated")),
        (f"{ns}/services", as_user("bob", "system:unauthenticated")), (f"{ns}/endpoints", as_user("bob", "system:unauthenticated")),
        (cm, as_user("a:b:c")), (cm, as_user("x", "g:1")), (cm, as_user("")), (cm, as_user("x", "")),
        (cm, as_user("x") + (("Impersonate-Uid", "u1"),)), (cm, (("Impersonate-Group", "g:1"),)),
        (cm, (("Impersonate-Uid", "u1"),)), (cm, as_user("system:node:" + NODE19)), (cm, as_user("*")),
        (cm, as_user("anyone")), (cm, as_user("system:serviceaccount:other19:sa")),
        (cm, as_user("system:serviceaccount:other19:sb")), (f"{ns}/secrets", as_user("system:serviceaccount:kube-system:x")),
        (f"{ns}/secrets", as_user("nobody", "system:serviceaccounts")), (cm, as_user("bob", "system:masters")))]
    probes += [Probe("authz", "GET", path, user=who, headers=headers) for who, path, headers in (
        (USER, f"{ns}/services", ()), (ANONYMOUS, f"{ns}/services", ()), (ANONYMOUS, f"{ns}/endpoints", ()),
        (USER, f"{ns}/endpoints", ()), (USER, cm, as_user("system:admin")), (ANONYMOUS, cm, as_user("system:admin")),
        ("diff-multi", cm, ()), ("diff-nocn", cm, ()), ("diff-nocn", f"{ns}/secrets", ()),
        ("diff-nocn", f"{ns}/services", ()), ("diff-nocn", f"{ns}/endpoints", ()), ("diff-colon", cm, ()),
        ("diff-sacert", f"{ns}/events", ()), ("diff-sacert", cm, ()))]
    for target in (as_user("bob"), as_user("carol"), as_user("bob", "g:1"), as_user("bob", "system:masters"),
                   as_user(f"{sa}:sa1"), as_user("system:serviceaccount:default:sa1"),
                   as_user("bob") + (("Impersonate-Uid", "1"),), as_user("bob") + (("Impersonate-Extra-Scopes", "x"),),
                   as_user("system:anonymous"), as_user("system:admin")):
        probes.append(Probe("authz", "GET", cm, user="diff-impersonator", headers=target))
    return probes


def authz19_review_probes() -> list[Probe]:
    """Access reviews with odd bodies: no user or group, both kinds of attributes or neither, an
    empty namespace, a non-resource path without its slash, a local review whose namespaces
    disagree, metadata set, an extra key given null, a status sent along; each kind asked by the
    administrator, a user and without credentials; TokenReviews without a token or audiences."""
    authorization = "/apis/authorization.k8s.io/v1"
    attributes = {"verb": "get", "resource": "configmaps", "namespace": NS19}
    non_resource = {"path": "/x", "verb": "get"}
    kubelet = {"user": "system:node:" + NODE19, "groups": ["system:nodes"]}
    local = f"namespaces/{NS19}/localsubjectaccessreviews"
    bodies = [("subjectaccessreviews", {"spec": {"resourceAttributes": attributes}}),
              ("subjectaccessreviews", {"spec": {"user": "a19-rb", "resourceAttributes": attributes,
                                                 "nonResourceAttributes": non_resource}}),
              ("subjectaccessreviews", {"spec": {"user": "a19-rb"}}),
              ("subjectaccessreviews", {"spec": {"groups": ["system:masters"], "resourceAttributes": attributes}}),
              ("subjectaccessreviews", {"spec": {"user": "a19-rb", "resourceAttributes": attributes}}),
              ("subjectaccessreviews", {"spec": {"user": "a19-rb", "resourceAttributes": {**attributes, "namespace": ""}}}),
              ("subjectaccessreviews", {"spec": {"user": "a19-nonres", "nonResourceAttributes": {"path": "/apis/x", "verb": "get"}}}),
              ("subjectaccessreviews", {"spec": {"user": "a19-nonres", "nonResourceAttributes": {"path": "healthz", "verb": "get"}}}),
              ("subjectaccessreviews", {"spec": {"user": f"system:serviceaccount:{NS19}:sa1", "resourceAttributes": attributes}}),
              ("subjectaccessreviews", {"spec": {"user": "x", "groups": [f"system:serviceaccounts:{NS19}"],
                                                 "resourceAttributes": {**attributes, "resource": "events", "verb": "list"}}}),
              ("subjectaccessreviews", {"spec": {**kubelet, "resourceAttributes": {
                  **attributes, "resource": "secrets", "name": "used-secret"}}}),
              ("subjectaccessreviews", {"spec": {**kubelet, "resourceAttributes": {**attributes, "resource": "secrets", "name": "s1"}}}),
              ("subjectaccessreviews", {"spec": {"user": "x", "extra": {"a": None}, "resourceAttributes": attributes}}),
              ("subjectaccessreviews", {"status": {"allowed": True}, "spec": {"user": "x", "resourceAttributes": attributes}}),
              (local, {"metadata": {"namespace": NS19}, "spec": {
                  "user": "a19-rb", "resourceAttributes": {**attributes, "namespace": "default"}}}),
              (local, {"metadata": {"namespace": "default"}, "spec": {
                  "user": "a19-rb", "resourceAttributes": {**attributes, "namespace": "default"}}}),
              (local, {"spec": {"user": "a19-rb", "resourceAttributes": attributes}}),
              (local, {"metadata": {"namespace": NS19}, "spec": {"user": "a19-rb", "nonResourceAttributes": non_resource}}),
              (local, {"metadata": {"namespace": NS19}, "spec": {
                  "user": "a19-rb", "resourceAttributes": {**attributes, "namespace": ""}}}),
              ("selfsubjectaccessreviews", {"spec": {"resourceAttributes": attributes, "nonResourceAttributes": non_resource}}),
              ("selfsubjectaccessreviews", {"spec": {}}),
              ("selfsubjectaccessreviews", {"spec": {"user": "someone", "resourceAttributes": attributes}}),
              ("selfsubjectrulesreviews", {"spec": {}}), ("selfsubjectrulesreviews", {"spec": {"namespace": "absent-ns"}}),
              ("selfsubjectrulesreviews", {"metadata": {"namespace": NS19}, "spec": {"namespace": NS19}})]
    probes = []
    for resource, body in bodies:
        probes.append(post(f"{authorization}/{resource}", body))
        if resource.startswith("self"):
            probes += [post(f"{authorization}/{resource}", body, headers=as_user("a19-rb")),
                       post(f"{authorization}/{resource}", body, user=ANONYMOUS)]
    tokens = "/apis/authentication.k8s.io/v1/tokenreviews"
    return probes + [post(f"{authorization}/subjectaccessreviews", bodies[4][1], headers=as_user("a19-rb")),
                     post(f"{authorization}/{local}", {"spec": {"user": "a19-rb", "resourceAttributes": attributes}},
                          headers=as_user("a19-rb")),
                     post(tokens, {"spec": {}}), post(tokens, {"spec": {"token": "x"}}, headers=as_user("a19-rb")),
                     post(tokens, {"spec": {"token": "a.b.c", "audiences": ["x"]}})]


def authz19_node_probes() -> list[Probe]:
    """A kubelet (diff19-node, impersonated) on its own node: labels NodeRestriction keeps
    (node-restriction.kubernetes.io/) or lets it change, taints, podCIDR, providerID, config
    source, owners, through the node and its status; deleting and replacing its node; secrets and
    config maps its pods use (through volumes, projected sources, env, envFrom, image pull secrets,
    init containers, a CSI volume, a claim's volume) or no longer use, got, listed, watched and
    written; its pods' status, deletion, eviction and binding, and pods bound elsewhere or
    nowhere; TokenRequests for its pods' accounts; claims, volumes, attachments, its lease and
    CSINode; a kubelet identity without system:nodes, an empty or malformed node name."""
    ns, node = f"/api/v1/namespaces/{NS19}", f"/api/v1/nodes/{NODE19}"
    kubelet, other = as_user("system:node:" + NODE19, "system:nodes"), as_user("system:node:diff19-other", "system:nodes")
    probes = []
    for patch in ({"metadata": {"labels": {"node-restriction.kubernetes.io/x": None}}},
                  {"metadata": {"labels": {"node-restriction.kubernetes.io/x": "z"}}},
                  {"metadata": {"labels": {"kubernetes.io/hostname": "other"}}},
                  {"metadata": {"labels": {"node-role.kubernetes.io/master": ""}}},
                  {"metadata": {"labels": {"example.com/x": "y"}}},
                  {"metadata": {"labels": {"kubernetes.io/os": "linux", "topology.kubernetes.io/zone": "z"}}},
                  {"spec": {"taints": None}}, {"spec": {"podCIDR": "10.2.0.0/24"}}, {"spec": {"unschedulable": True}},
                  {"spec": {"providerID": "x://y"}},
                  {"spec": {"configSource": {"configMap": {"name": "x", "namespace": "kube-system", "kubeletConfigKey": "k"}}}},
                  {"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "x", "uid": "u"}]}},
                  {"metadata": {"annotations": {"a": "b"}}}):
        probes += [Probe("authz", "PATCH", target, "dryRun=All", MERGE, encode(patch), headers=kubelet)
                   for target in (node, f"{node}/status")]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction"}
    requests = [("DELETE", node, "", b""), ("PUT", node, JSON, encode({"metadata": {"name": NODE19}})),
                ("GET", f"{ns}/secrets/used-secret", "", b""), ("GET", f"{ns}/secrets/s1", "", b""),
                ("GET", f"{ns}/secrets", "", b""), ("GET", f"{ns}/configmaps/used-cm", "", b""),
                ("GET", f"{ns}/configmaps/cm1", "", b""),
                ("PUT", f"{ns}/configmaps/used-cm", JSON, encode({"metadata": {"name": "used-cm"}})),
                ("PUT", f"{ns}/secrets/pull", JSON, encode({"metadata": {"name": "pull"}})),
                ("DELETE", f"{ns}/secrets/pull", "", b""), ("GET", f"{ns}/serviceaccounts/default", "", b""),
                ("PATCH", f"{ns}/pods/mine/status", MERGE, b'{"status":{"message":"x"}}'),
                ("PATCH", f"{ns}/pods/theirs/status", MERGE, b'{"status":{"message":"x"}}'),
                ("PATCH", f"{ns}/pods/unbound/status", MERGE, b'{"status":{"message":"x"}}'),
                ("PATCH", f"{ns}/pods/mine", MERGE, b'{"metadata":{"labels":{"a":"b"}}}'),
                ("DELETE", f"{ns}/pods/mine", "", b""), ("DELETE", f"{ns}/pods/unbound", "", b""),
                ("POST", f"{ns}/pods/mine/eviction", JSON, encode({**eviction, "metadata": {"name": "mine"}})),
                ("POST", f"{ns}/pods/unbound/eviction", JSON, encode({**eviction, "metadata": {"name": "unbound"}})),
                ("POST", f"{ns}/pods/mine/eviction", JSON, encode({**eviction, "metadata": {"name": "theirs"}})),
                ("POST", f"{ns}/pods/absent/eviction", JSON, encode({**eviction, "metadata": {"name": "absent"}})),
                ("PATCH", f"{ns}/persistentvolumeclaims/claim/status", MERGE, b'{"status":{}}'),
                ("PATCH", f"{ns}/persistentvolumeclaims/claim", MERGE, b'{"metadata":{"labels":{"a":"b"}}}'),
                ("PATCH", f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{NODE19}", MERGE,
                 b'{"spec":{"holderIdentity":"x"}}'),
                ("POST", f"{ns}/events", JSON, encode({"metadata": {"name": "e"}, "reason": "r", "message": "m", "type": "Normal",
                                                       "involvedObject": {"kind": "Pod", "name": "x", "namespace": NS19}}))]
    probes += [Probe("authz", method, path, "dryRun=All", media, body, headers=kubelet) for method, path, media, body in requests]
    for plural, name in NODE_REFERENCES19 + [("persistentvolumeclaims", "claim"), ("serviceaccounts", "sa1")]:
        probes += [Probe("authz", "GET", f"{ns}/{plural}/{name}", headers=who) for who in (kubelet, other)]
    probes += [Probe("authz", "GET", path, query_text, headers=headers) for path, query_text, headers in (
        ("/api/v1/persistentvolumes/pv19", "", kubelet), ("/api/v1/persistentvolumes/pv19", "", other),
        ("/api/v1/persistentvolumes/x", "", kubelet), (f"{ns}/persistentvolumeclaims/x", "", kubelet),
        ("/apis/storage.k8s.io/v1/volumeattachments/va19", "", kubelet),
        ("/apis/storage.k8s.io/v1/volumeattachments/va19", "", other),
        (f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{NODE19}", "", kubelet),
        (f"/apis/storage.k8s.io/v1/csinodes/{NODE19}", "", kubelet), (f"{ns}/pods/refs", "", kubelet),
        (f"{ns}/pods", f"fieldSelector=spec.nodeName%3D{NODE19}", kubelet), ("/api/v1/nodes/diff19-other", "", kubelet),
        ("/api/v1/namespaces/default/services", "", kubelet), (f"{ns}/endpoints", "", kubelet),
        (f"{ns}/pods/mine/log", "", kubelet),
        (f"{ns}/secrets", "fieldSelector=metadata.name%3Dused-secret", kubelet),
        (f"{ns}/secrets", "fieldSelector=metadata.name%3Dpull&watch=1&timeoutSeconds=1", kubelet),
        (f"{ns}/secrets", "fieldSelector=metadata.name%3Dpull&resourceVersion=0", kubelet),
        ("/api/v1/secrets", "fieldSelector=metadata.name%3Dpull", kubelet),
        (f"{ns}/configmaps", "fieldSelector=metadata.name%3Dused-cm", kubelet),
        (f"{ns}/configmaps", "fieldSelector=metadata.name%3Dused-cm&watch=1&timeoutSeconds=1", kubelet),
        (f"{ns}/secrets/used-secret", "", as_user("system:node:" + NODE19)),
        (f"{ns}/secrets/used-secret", "", as_user("system:node:", "system:nodes")),
        (f"{ns}/secrets/used-secret", "", as_user("system:node:" + NODE19.upper(), "system:nodes")),
        (f"{ns}/secrets/used-secret", "", as_user(f"system:node:{NODE19}:x", "system:nodes")))]
    for account, bound in (("sa1", {"kind": "Pod", "apiVersion": "v1", "name": "mine"}),
                           ("sa1", {"kind": "Pod", "apiVersion": "v1", "name": "theirs"}),
                           ("default", {"kind": "Pod", "apiVersion": "v1", "name": "mine"}),
                           ("sa1", {"kind": "Pod", "apiVersion": "v1", "name": "refs"}),
                           ("sa1", {"kind": "Secret", "apiVersion": "v1", "name": "used-secret"})):
        probes.append(post(f"{ns}/serviceaccounts/{account}/token", {"spec": {"boundObjectRef": bound}}, headers=kubelet))
    restricted = b'{"metadata":{"labels":{"node-restriction.kubernetes.io/x":"z"}}}'
    return probes + [
        post(f"{ns}/pods/mine/binding", {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "mine"},
                                         "target": {"kind": "Node", "name": NODE19}}, headers=kubelet),
        Probe("authz", "PATCH", node, "dryRun=All", MERGE, restricted, headers=as_user("system:node:" + NODE19)),
        Probe("authz", "PATCH", node, "dryRun=All", MERGE, restricted, headers=as_user("x", "system:nodes"))]


def authz19_escalation_probes() -> list[Probe]:
    """Escalation through updates and patches, not only creates: a Role's rules widened (another
    resource, another verb, `*`) or narrowed, a label added; a binding's subjects changed (to
    cluster-admin's rules the editor lacks, to a Role it holds), its roleRef changed; a ClusterRole
    given an aggregationRule or an aggregation label; cluster-admin's binding patched; bindings of
    missing roles; `*` verbs on roles (escalate and bind included), bind on clusterroles in any
    group, escalate limited to two role names (a PUT may create one of them)."""
    editor, creditor = as_user("a19-editor"), as_user("a19-creditor")
    role, roles = f"{RBAC}/namespaces/{NS19}/roles/r-cm", f"{RBAC}/namespaces/{NS19}/roles"
    bindings = f"{RBAC}/namespaces/{NS19}/rolebindings"
    secrets = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    admin_ref = {"roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "cluster-admin"}}
    patches = [(role, JSON_PATCH, [{"op": "add", "path": "/rules/-", "value": secrets[0]}], editor),
               (role, JSON_PATCH, [{"op": "replace", "path": "/rules/0/verbs", "value": ["get", "list"]}], editor),
               (role, JSON_PATCH, [{"op": "add", "path": "/rules/0/resourceNames", "value": ["cm1"]}], editor),
               (role, JSON_PATCH, [{"op": "replace", "path": "/rules/0/resources", "value": ["*"]}], editor),
               (role, MERGE, {"metadata": {"labels": {"a": "b"}}}, editor),
               (f"{bindings}/rb-admin", MERGE, {"subjects": [rbac_user("a19-editor")]}, editor),
               (f"{bindings}/rb-cm", MERGE, {"subjects": [rbac_user("a19-editor")]}, editor),
               (f"{bindings}/rb-cm", MERGE, admin_ref, editor), (f"{bindings}/rb-cm", MERGE, admin_ref, ()),
               (f"{bindings}/rb-admin", MERGE, {"metadata": {"labels": {"a": "b"}}}, editor),
               (f"{bindings}/rb-admin", MERGE, {"subjects": [rbac_user("a19-editor")]}, ()),
               (f"{RBAC}/clusterroles/a19-owned", MERGE, {"rules": [
                   {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}, creditor),
               (f"{RBAC}/clusterroles/a19-owned", MERGE,
                {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}, creditor),
               (f"{RBAC}/clusterroles/a19-owned", MERGE,
                {"metadata": {"labels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}}}, creditor),
               (f"{RBAC}/clusterroles/admin", MERGE, {"metadata": {"labels": {"x": "y"}}}, creditor),
               (f"{RBAC}/clusterroles/admin", MERGE, {"aggregationRule": None}, creditor),
               (f"{RBAC}/clusterrolebindings/a19-owned", MERGE, {"subjects": [rbac_user("a19-creditor")]}, creditor),
               (f"{RBAC}/clusterrolebindings/cluster-admin", MERGE, {"subjects": [rbac_user("a19-creditor")]}, creditor),
               (f"{RBAC}/clusterrolebindings/cluster-admin", MERGE, {"metadata": {"labels": {"a": "b"}}}, creditor),
               (role, MERGE, {"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}, as_user("a19-star-roles"))]
    probes = [Probe("authz", "PATCH", path, "dryRun=All", media, encode(body), headers=headers)
              for path, media, body, headers in patches]
    probes.append(Probe("authz", "PUT", role, "dryRun=All", JSON, encode({"metadata": {"name": "r-cm"}, "rules": [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "delete"]}]}), headers=editor))
    aggregate = {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}}]}
    probes += [post(f"{RBAC}/clusterroles", {"metadata": {"name": "agg"}, "aggregationRule": aggregate}, "dryRun=All",
                    headers=creditor),
               post(f"{RBAC}/clusterroles", {"metadata": {"name": "agg"}, "aggregationRule": aggregate,
                                             "rules": LOCAL_GRANTS19["cm-get"]}, "dryRun=All", headers=creditor)]
    for kind, name, namespace, headers in (("ClusterRole", "a19-owned", None, creditor), ("ClusterRole", "absent", None, creditor),
                                           ("Role", "absent", NS19, editor), ("ClusterRole", "a19-cm-get", NS19, editor),
                                           ("ClusterRole", "cluster-admin", NS19, as_user("a19-star-roles")),
                                           ("ClusterRole", "cluster-admin", NS19, as_user("a19-bind-anygroup")),
                                           ("ClusterRole", "cluster-admin", None, as_user("a19-bind-anygroup"))):
        subject = rbac_user(headers[0][1])
        probes.append(binding("x", name, [subject], kind=kind, namespace=namespace, query_text="dryRun=All", headers=headers))
    for rule in ({"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["cm1"]},
                 {"apiGroups": ["", "apps"], "resources": ["configmaps"], "verbs": ["get"]},
                 {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["GET"]}):
        probes.append(post(roles, {"metadata": {"name": "x"}, "rules": [rule]}, "dryRun=All", headers=editor))
    named = as_user("a19-escalate-named")
    return probes + [post(roles, {"metadata": {"name": "x"}, "rules": secrets}, "dryRun=All", headers=named)] + [
        Probe("authz", "PUT", f"{roles}/{name}", "dryRun=All", JSON, encode({"metadata": {"name": name}, "rules": secrets}),
              headers=named) for name in ("r-cm", "r-new")]


def authz19_token_probes() -> list[Probe]:
    """A service account's token (TokenRequest, from the server asked) presented every way the
    bearer authenticator reads or ignores: the scheme in any case, two spaces or a tab before the
    token, text after it, spaces around, no token, another scheme, twice (the first header counts),
    beside a client certificate (the certificate wins) and with impersonation; requestheader
    headers (not configured: ignored); TokenRequests with expirations and audiences at the bounds,
    bound to a pod of another UID, version or kind, or to nothing named; and as the account itself."""
    ns = f"/api/v1/namespaces/{NS19}"
    cm = f"{ns}/configmaps/cm1"
    probes = [Probe("authz", "GET", cm, user=ANONYMOUS, headers=(("Authorization", value),)) for value in (
        f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN}", f"Bearer  {TOKEN}", f"Bearer {TOKEN} extra",
        f"Bearer {TOKEN}  ", f"  Bearer {TOKEN}", f"Bearer\t{TOKEN}", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz",
        f"Token {TOKEN}", f"Bearer {TOKEN}.", f"Bearer {TOKEN}x", f"Bearer {TOKEN},Bearer x", "Bearer ...",
        "Bearer abcdef.0123456789abcdef", "Bearer " + "a" * 20000)]
    probes += [Probe("authz", "GET", cm, user=who, headers=headers) for who, headers in (
        (ANONYMOUS, (("X-Remote-User", "admin"), ("X-Remote-Group", "system:masters"))),
        (ANONYMOUS, (("authorization", f"Bearer {TOKEN}"),)),
        (ANONYMOUS, (("Authorization", f"Bearer {TOKEN}"), ("Authorization", "Bearer bad"))),
        (ANONYMOUS, (("Authorization", "Bearer bad"), ("Authorization", f"Bearer {TOKEN}"))),
        (ANONYMOUS, (("Authorization", "Basic x"), ("Authorization", f"Bearer {TOKEN}"))),
        (ANONYMOUS, (("Authorization", ""), ("Authorization", f"Bearer {TOKEN}"))),
        (USER, (("Authorization", "Bearer bad"),)), (USER, (("Authorization", f"Bearer {TOKEN}"),)),
        ("diff-nocn", (("Authorization", f"Bearer {TOKEN}"),)),
        (ANONYMOUS, (("Authorization", f"Bearer {TOKEN}"), ("Impersonate-User", "x"))))]
    token = f"{ns}/serviceaccounts/sa1/token"
    for spec in ({"expirationSeconds": 599}, {"expirationSeconds": 600}, {"expirationSeconds": 2**32},
                 {"expirationSeconds": 2**32 + 1}, {"expirationSeconds": -1}, {"expirationSeconds": 0},
                 {"audiences": []}, {"audiences": [""]}, {"audiences": ["a", "a"]},
                 {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "refs", "uid": "bad"}},
                 {"boundObjectRef": {"kind": "Pod", "apiVersion": "v2", "name": "refs"}},
                 {"boundObjectRef": {"kind": "Pod", "name": "refs"}},
                 {"boundObjectRef": {"kind": "ConfigMap", "apiVersion": "v1", "name": "cm1"}},
                 {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "absent"}},
                 {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1"}}):
        probes.append(post(token, {"spec": spec}))
    reviews = "/apis/authentication.k8s.io/v1/tokenreviews"
    return probes + [post(f"{ns}/serviceaccounts/absent/token", {"spec": {}}),
                     post(token, {"spec": {}}, headers=as_user(f"system:serviceaccount:{NS19}:sa1")),
                     post(token, {"spec": {}}, user=ANONYMOUS, headers=(("Authorization", f"Bearer {TOKEN}"),)),
                     post(reviews, {"spec": {"token": TOKEN}}), post(reviews, {"spec": {"token": TOKEN, "audiences": ["foo"]}})]


def authz19_signer_probes() -> list[Probe]:
    """CertificateSigningRequest approval and signing asked by users holding the subresource
    update but `approve` or `sign` on signers only for some signer names (exact, `kubernetes.io/*`,
    another domain's wildcard, another signer), in certificates.k8s.io or in any group; and a
    kubelet approving."""
    csrs, group = "/apis/certificates.k8s.io/v1/certificatesigningrequests", "certificates.k8s.io"
    update = {"apiGroups": [group], "resources": ["certificatesigningrequests/approval",
                                                 "certificatesigningrequests/status"], "verbs": ["update", "patch"]}
    signers = {"exact": ["kubernetes.io/kube-apiserver-client"], "wild": ["kubernetes.io/*"], "other": ["example.com/*"],
               "kubelet": ["kubernetes.io/kube-apiserver-client-kubelet"], "prefix": ["kubernetes.io/kube-apiserver-*"]}
    probes = []
    for name, names in signers.items():
        rules = [update, {"apiGroups": [group], "resources": ["signers"], "verbs": ["approve", "sign"], "resourceNames": names}]
        probes += [cluster_role(f"a19-signer-{name}", rules),
                   binding(f"a19-signer-{name}", f"a19-signer-{name}", [rbac_user(f"a19-signer-{name}")], namespace=None)]
    probes += [cluster_role("a19-signer-anygroup", [update, {"apiGroups": ["*"], "resources": ["signers"], "verbs": ["*"]}]),
               binding("a19-signer-anygroup", "a19-signer-anygroup", [rbac_user("a19-signer-anygroup")], namespace=None),
               cluster_role("a19-signer-none", [update]),
               binding("a19-signer-none", "a19-signer-none", [rbac_user("a19-signer-none")], namespace=None)]
    approved = {**CSR, "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "r", "message": "m"}]}}
    denied = {**CSR, "status": {"conditions": [{"type": "Denied", "status": "True", "reason": "r", "message": "m"}]}}
    # A well-formed certificate (any will do: admission refuses before it is compared with the request).
    signed = {**CSR, "status": {"certificate": base64.b64encode(new_ca("a19").cert_pem).decode()}}
    for who in [*signers, "anygroup", "none"]:
        headers = as_user(f"a19-signer-{who}")
        probes += [Probe("authz", "PUT", f"{csrs}/{NAMESPACE}-csr/approval", "dryRun=All", JSON, encode(body), headers=headers)
                   for body in (approved, denied)]
        probes += [Probe("authz", "PUT", f"{csrs}/{NAMESPACE}-csr/status", "dryRun=All", JSON, encode(signed), headers=headers),
                   Probe("authz", "PATCH", f"{csrs}/{NAMESPACE}-csr/approval", "dryRun=All", MERGE,
                         encode({"status": approved["status"]}), headers=headers)]
    return probes + [Probe("authz", "PUT", f"{csrs}/{NAMESPACE}-csr/approval", "dryRun=All", JSON, encode(approved),
                           NODE_USER)]


def authz19_probes() -> list[Probe]:
    return (authz19_setup() + authz19_rule_probes() + authz19_group_probes() + authz19_review_probes()
            + authz19_node_probes() + authz19_escalation_probes() + authz19_token_probes() + authz19_signer_probes())


# authz20's requests: namespace diff20, users granted one thing each (a20-NAME, bound in diff20 by a
# RoleBinding of ClusterRole a20-NAME, or cluster-wide when named in CLUSTER_GRANTS20), asking for
# subresources, watches, generated names, bindings and reviews whose answers are compared whole.
NS20 = "diff20"
GRANTS20 = {
    "podget": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}],
    "lister": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["list"]}],
    "watcher": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["watch"]}],
    "podlog": [{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}],
    "exec-get": [{"apiGroups": [""], "resources": ["pods/exec", "pods/portforward", "pods/attach"], "verbs": ["get"]}],
    "exec-create": [{"apiGroups": [""], "resources": ["pods/exec", "pods/portforward", "pods/attach"],
                     "verbs": ["create"]}],
    "evict": [{"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]}],
    "tokens": [{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}],
    "sa-get": [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["get", "create"]}],
    "gen": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"], "resourceNames": ["fixed"]}],
    "creator": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]}],
    "scale-only": [{"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "update"]}],
    "delcoll": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["deletecollection"]}],
    "pods-all": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]},
                 {"apiGroups": [RBAC_GROUP], "resources": ["roles", "rolebindings"], "verbs": ["create", "update", "patch"]}],
    "binder": [{"apiGroups": [RBAC_GROUP], "resources": ["rolebindings"], "verbs": ["create", "update", "patch"]},
               {"apiGroups": [RBAC_GROUP], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["view"]},
               {"apiGroups": [RBAC_GROUP], "resources": ["roles"], "verbs": ["bind"], "resourceNames": ["r20"]}],
    "impersonator": [{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": ["a20-pods-all"]},
                     {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"]}],
}
CLUSTER_GRANTS20 = ("impersonator", "nonres-mixed", "csr-maker", "csr-approver", "extras", "partial")
GRANTS20.update({
    "nonres-mixed": [{"nonResourceURLs": ["/healthz", "/metrics"], "verbs": ["get"]},
                     {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    "extras": [{"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"], "verbs": ["impersonate"],
                "resourceNames": ["a"]},
               {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]},
               {"apiGroups": ["authentication.k8s.io"], "resources": ["uids"], "verbs": ["impersonate"],
                "resourceNames": ["u1"]}],
    "proxy-get": [{"apiGroups": [""], "resources": ["pods/proxy", "services/proxy"], "verbs": ["get"]}],
    "named-token": [{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"],
                     "resourceNames": ["sa20"]},
                    {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"], "resourceNames": ["p1"]}],
    "partial": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
                {"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["get"]},
                {"apiGroups": ["*"], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["cm1", "cm2"]},
                {"apiGroups": ["batch"], "resources": ["jobs/*"], "verbs": ["*"]},
                {"nonResourceURLs": ["/ap*", "/logs/*", "/metrics"], "verbs": ["get"]},
                {"apiGroups": [RBAC_GROUP], "resources": ["roles", "clusterroles"], "verbs": ["create", "update"]}],
    "csr-maker": [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"],
                   "verbs": ["create", "get"]}],
    "csr-approver": [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"],
                      "verbs": ["update"]},
                     {"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"],
                      "resourceNames": ["example.com/signer"]}],
})
# A user with several bindings (cluster-wide and in diff20, of ClusterRoles and of a Role), whose
# SelfSubjectRulesReview lists them all.
MULTI20 = "a20-multi"


def authz20(method: str, path: str, query_text: str = "", body: object = None, who: str = "", user: str = "admin",
            headers: tuple = (), content_type: str = "", compare: bool = False, remember: str = "") -> Probe:
    media = content_type or (JSON if body is not None and method != "PATCH" else MERGE if body is not None else "")
    return Probe("authz20", method, path, query_text, media, b"" if body is None else encode(body), user,
                 (as_user(who) if who else ()) + headers, compare, remember)


def authz20_setup() -> list[Probe]:
    ns = f"/api/v1/namespaces/{NS20}"
    probes = [authz20("POST", "/api/v1/namespaces", body={"metadata": {"name": NS20}})]
    probes += [authz20("POST", f"{ns}/serviceaccounts", body={"metadata": {"name": name}}) for name in ("sa20", "doomed")]
    pod_spec = {**POD_SPEC, "serviceAccountName": "sa20"}
    probes += [authz20("POST", f"{ns}/pods", body={"metadata": {"name": name}, "spec": pod_spec})
               for name in ("p1", "doomed-pod")]
    probes += [authz20("POST", f"{ns}/configmaps", body={"metadata": {"name": name}, "data": {"a": "b"}})
               for name in ("cm1", "cm2")]
    probes.append(authz20("POST", f"/apis/apps/v1/namespaces/{NS20}/deployments",
                          body=kind_named("deployments").object("dep20")))
    probes.append(authz20("POST", f"{ns}/secrets", body={"metadata": {"name": "bound-secret"}}))
    probes.append(authz20("POST", f"{RBAC}/namespaces/{NS20}/roles", body={"metadata": {"name": "r20"}, "rules": [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}))
    for name, rules in GRANTS20.items():
        probes.append(authz20("POST", f"{RBAC}/clusterroles", body={"metadata": {"name": f"a20-{name}"}, "rules": rules}))
        where = f"{RBAC}/clusterrolebindings" if name in CLUSTER_GRANTS20 else f"{RBAC}/namespaces/{NS20}/rolebindings"
        probes.append(authz20("POST", where, body={"metadata": {"name": f"a20-{name}"}, "subjects": [rbac_user(f"a20-{name}")],
                                                   "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole",
                                                               "name": f"a20-{name}"}}))
    # MULTI20: podget in diff20, nonres-mixed cluster-wide, Role r20 in diff20, view in default.
    for name, role, kind, namespace in (("m1", "a20-podget", "ClusterRole", NS20), ("m2", "a20-nonres-mixed", "ClusterRole", None),
                                        ("m3", "r20", "Role", NS20), ("m4", "view", "ClusterRole", "default")):
        where = f"{RBAC}/namespaces/{namespace}/rolebindings" if namespace else f"{RBAC}/clusterrolebindings"
        probes.append(authz20("POST", where, body={"metadata": {"name": f"a20-{name}"}, "subjects": [rbac_user(MULTI20)],
                                                   "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role}}))
    # a20-broken: bound to ClusterRole and Role absent20 (neither exists) besides podget;
    # a20-nsadmin: cluster-admin in diff20 only; rb20-admin: a binding of cluster-admin in diff20.
    for name, subject, role, kind in (("a20-b1", "a20-broken", "absent20", "ClusterRole"),
                                      ("a20-b2", "a20-broken", "absent20", "Role"),
                                      ("a20-b3", "a20-broken", "a20-podget", "ClusterRole"),
                                      ("a20-nsadmin", "a20-nsadmin", "cluster-admin", "ClusterRole"),
                                      ("rb20-admin", "somebody", "cluster-admin", "ClusterRole")):
        probes.append(authz20("POST", f"{RBAC}/namespaces/{NS20}/rolebindings", body={
            "metadata": {"name": name}, "subjects": [rbac_user(subject)],
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role}}))
    # Tokens remembered now, presented after what they are bound to is gone.
    token = f"{ns}/serviceaccounts/%s/token"
    probes += [authz20("POST", token % "sa20", body={"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                                                                  "name": "doomed-pod"}}}, remember="pod"),
               authz20("POST", token % "sa20", body={"spec": {"boundObjectRef": {"kind": "Secret", "apiVersion": "v1",
                                                                                  "name": "bound-secret"}}}, remember="secret"),
               authz20("POST", token % "doomed", body={"spec": {}}, remember="account"),
               authz20("POST", token % "sa20", body={"spec": {"audiences": ["other-audience"]}}, remember="audience"),
               authz20("POST", token % "sa20", body={"spec": {}}, remember="good"),
               authz20("DELETE", f"{ns}/pods/doomed-pod", "gracePeriodSeconds=0"),
               authz20("DELETE", f"{ns}/secrets/bound-secret"),
               authz20("DELETE", f"{ns}/serviceaccounts/doomed")]
    return probes


def authz20_subresource_probes() -> list[Probe]:
    """Subresources and verbs a rule must name itself: pods/log, exec, attach and portforward by GET
    (verb get) and POST (create), eviction, serviceaccounts/token, deployments/scale without the
    deployment, a watch with list only (and the other way round), deletecollection alone, get of a
    name against a list with a field selector naming it, and create with generateName when the
    rule names a resource."""
    ns, dep = f"/api/v1/namespaces/{NS20}", f"/apis/apps/v1/namespaces/{NS20}/deployments/dep20"
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p1", "namespace": NS20}}
    probes = []
    for who in ("podget", "podlog", "exec-get", "exec-create", "evict", "pods-all"):
        probes += [authz20("GET", f"{ns}/pods/p1/log", who=f"a20-{who}"),
                   authz20("GET", f"{ns}/pods/p1/exec", "command=ls&stdout=1", who=f"a20-{who}"),
                   authz20("POST", f"{ns}/pods/p1/exec", "command=ls&stdout=1", who=f"a20-{who}"),
                   authz20("GET", f"{ns}/pods/p1/attach", "stdout=1", who=f"a20-{who}"),
                   authz20("POST", f"{ns}/pods/p1/portforward", "ports=80", who=f"a20-{who}"),
                   authz20("POST", f"{ns}/pods/p1/eviction", "dryRun=All", eviction, who=f"a20-{who}"),
                   authz20("GET", f"{ns}/pods/p1/status", who=f"a20-{who}")]
    probes += [authz20("POST", f"{ns}/serviceaccounts/sa20/token", body={"spec": {}}, who=f"a20-{who}")
               for who in ("tokens", "sa-get", "podget")]
    probes += [authz20("GET", f"{ns}/serviceaccounts/sa20/token", who="a20-tokens"),
               authz20("POST", f"{ns}/serviceaccounts/absent/token", body={"spec": {}}, who="a20-tokens")]
    probes += [authz20("GET", f"{dep}/scale", who="a20-scale-only"), authz20("GET", dep, who="a20-scale-only"),
               authz20("PUT", f"{dep}/scale", "dryRun=All", {"apiVersion": "autoscaling/v1", "kind": "Scale",
                                                             "metadata": {"name": "dep20", "namespace": NS20},
                                                             "spec": {"replicas": 2}}, who="a20-scale-only"),
               authz20("PATCH", f"{dep}/scale", "dryRun=All", {"spec": {"replicas": 2}}, who="a20-scale-only")]
    for who in ("lister", "watcher", "podget"):
        probes += [authz20("GET", f"{ns}/configmaps", "watch=1&timeoutSeconds=1", who=f"a20-{who}"),
                   authz20("GET", f"{ns}/configmaps", "", who=f"a20-{who}"),
                   authz20("GET", f"{ns}/configmaps/cm1", "watch=1&timeoutSeconds=1", who=f"a20-{who}"),
                   authz20("GET", f"/api/v1/watch/namespaces/{NS20}/configmaps", "timeoutSeconds=1", who=f"a20-{who}"),
                   authz20("GET", f"/api/v1/watch/namespaces/{NS20}/configmaps/cm1", "timeoutSeconds=1", who=f"a20-{who}"),
                   authz20("GET", f"{ns}/pods", "fieldSelector=metadata.name%3Dp1", who=f"a20-{who}"),
                   authz20("GET", f"{ns}/pods/p1", who=f"a20-{who}")]
    probes += [authz20("DELETE", f"{ns}/configmaps", "dryRun=All", who="a20-delcoll"),
               authz20("DELETE", f"{ns}/configmaps/cm1", "dryRun=All", who="a20-delcoll"),
               authz20("DELETE", f"{ns}/pods", "dryRun=All&labelSelector=a%3Db", who="a20-pods-all")]
    for who in ("gen", "creator"):
        probes += [authz20("POST", f"{ns}/configmaps", "dryRun=All", {"metadata": {"generateName": "fixed"}}, who=f"a20-{who}"),
                   authz20("POST", f"{ns}/configmaps", "dryRun=All", {"metadata": {"name": "fixed"}}, who=f"a20-{who}"),
                   authz20("POST", f"{ns}/configmaps", "dryRun=All", {"metadata": {"name": "other"}}, who=f"a20-{who}"),
                   authz20("POST", f"{ns}/configmaps", "dryRun=All", {"metadata": {}}, who=f"a20-{who}"),
                   authz20("PUT", f"{ns}/configmaps/fixed", "dryRun=All", {"metadata": {"name": "fixed"}}, who=f"a20-{who}"),
                   authz20("PATCH", f"{ns}/configmaps/fixed", "dryRun=All&fieldManager=m",
                           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fixed"}}, who=f"a20-{who}",
                           content_type=APPLY)]
    return probes


def authz20_escalation_probes() -> list[Probe]:
    """Roles and bindings written by users holding part of what they grant: wildcards mixed with
    names (verbs `*` over pods held as `*`, resources `*`, apiGroups `*`, nonResourceURLs), rules
    with resourceNames covered by a wider rule, `bind` limited to one ClusterRole and one Role
    name, a binding's roleRef replaced (immutable) by PUT and by patch, and escalation through
    impersonation (of a user allowed more, of system:masters)."""
    roles, bindings = f"{RBAC}/namespaces/{NS20}/roles", f"{RBAC}/namespaces/{NS20}/rolebindings"
    pods_all = "a20-pods-all"
    probes = []
    for rules in ([{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}],
                  [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"], "resourceNames": ["p1", "p2"]}],
                  [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get"]}],
                  [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}],
                  [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}],
                  [{"apiGroups": ["", "apps"], "resources": ["pods", "deployments"], "verbs": ["get", "watch", "list"]}],
                  [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
                   {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["s"]}],
                  [{"apiGroups": [""], "resources": ["pods"], "verbs": ["escalate", "bind", "impersonate"]}]):
        probes.append(authz20("POST", roles, "dryRun=All", {"metadata": {"name": "x20"}, "rules": rules}, who=pods_all))
    probes.append(authz20("POST", f"{RBAC}/clusterroles", "dryRun=All", {"metadata": {"name": "x20"}, "rules": [
        {"nonResourceURLs": ["/healthz", "/metrics", "/version"], "verbs": ["get"]}]}, who="a20-nonres-mixed"))
    # The binder may bind ClusterRole view and Role r20 only.
    for kind, name, namespace in (("ClusterRole", "view", NS20), ("ClusterRole", "edit", NS20), ("Role", "r20", NS20),
                                  ("Role", "absent", NS20), ("ClusterRole", "view", "default")):
        where = f"{RBAC}/namespaces/{namespace}/rolebindings"
        probes.append(authz20("POST", where, "dryRun=All", {"metadata": {"name": "b20"}, "subjects": [rbac_user("x")],
                                                          "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": name}},
                              who="a20-binder"))
    # Bindings whose roleRef changes (immutable), as the administrator and as the binder.
    existing = f"{bindings}/a20-podget"
    changed = {"metadata": {"name": "a20-podget"}, "subjects": [rbac_user("a20-podget")],
               "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"}}
    probes += [authz20("PUT", existing, "dryRun=All", changed), authz20("PUT", existing, "dryRun=All", changed, who="a20-binder"),
               authz20("PATCH", existing, "dryRun=All", {"roleRef": {"name": "edit"}}),
               authz20("PATCH", existing, "dryRun=All", {"roleRef": {"kind": "Role", "name": "r20"}}),
               authz20("PATCH", existing, "dryRun=All", [{"op": "replace", "path": "/roleRef/apiGroup", "value": "x"}],
                       content_type=JSON_PATCH),
               authz20("PATCH", existing, "dryRun=All", {"subjects": [rbac_user("a20-binder")]}, who="a20-binder"),
               authz20("PATCH", f"{RBAC}/clusterrolebindings/a20-nonres-mixed", "dryRun=All",
                       {"roleRef": {"name": "cluster-admin"}})]
    # Impersonation: the impersonator may be a20-pods-all and any group.
    imp = "a20-impersonator"
    cm = f"/api/v1/namespaces/{NS20}/configmaps/cm1"
    probes += [authz20("GET", cm, who=imp),
               authz20("GET", cm, headers=as_user(pods_all)),
               authz20("GET", f"/api/v1/namespaces/{NS20}/pods/p1", user="diff-impersonator20",
                       headers=as_user(pods_all)),
               authz20("POST", roles, "dryRun=All", {"metadata": {"name": "x20"}, "rules": GRANTS20["podget"]},
                       user="diff-impersonator20", headers=as_user(pods_all)),
               authz20("POST", roles, "dryRun=All", {"metadata": {"name": "x20"}, "rules": GRANTS20["podget"]},
                       user="diff-impersonator20", headers=as_user("a20-podget")),
               authz20("GET", cm, user="diff-impersonator20", headers=as_user(pods_all, "system:masters")),
               authz20("GET", cm, user="diff-impersonator20", headers=as_user("x", "system:masters")),
               authz20("GET", cm, user="diff-impersonator20", headers=(("Impersonate-Group", "system:masters"),)),
               authz20("GET", cm, user="diff-impersonator20",
                       headers=as_user(pods_all) + (("Impersonate-Extra-Scopes", "a"),)),
               authz20("GET", cm, user="diff-impersonator20", headers=as_user("system:serviceaccount:diff20:sa20"))]
    return probes


def authz20_review_probes() -> list[Probe]:
    """Reviews answered 201, their status compared whole: SelfSubjectAccessReviews of granted and
    refused attributes (the reason names the binding), a SelfSubjectRulesReview of a user with
    several bindings, in diff20, default and a namespace with none; SubjectAccessReviews of
    non-resource paths and subresources; TokenReviews of tokens whose pod, secret or account is
    gone, of another audience, of garbage."""
    authorization, tokens = "/apis/authorization.k8s.io/v1", "/apis/authentication.k8s.io/v1/tokenreviews"
    probes = []
    for who, attributes in (("a20-podget", {"verb": "get", "resource": "pods", "namespace": NS20}),
                            ("a20-podget", {"verb": "get", "resource": "pods", "subresource": "log", "namespace": NS20}),
                            ("a20-podget", {"verb": "watch", "resource": "pods", "namespace": NS20}),
                            ("a20-gen", {"verb": "create", "resource": "configmaps", "namespace": NS20, "name": "fixed"}),
                            ("a20-gen", {"verb": "create", "resource": "configmaps", "namespace": NS20}),
                            ("a20-nonres-mixed", {"verb": "get", "resource": "configmaps"}),
                            ("a20-impersonator", {"verb": "impersonate", "resource": "users", "name": "a20-pods-all"}),
                            ("a20-impersonator", {"verb": "impersonate", "resource": "users", "name": "bob"}),
                            (MULTI20, {"verb": "get", "resource": "secrets", "namespace": NS20}),
                            (MULTI20, {"verb": "list", "resource": "secrets", "namespace": "default"})):
        probes.append(authz20("POST", f"{authorization}/selfsubjectaccessreviews",
                              body={"spec": {"resourceAttributes": attributes}}, who=who, compare=True))
    for path in ("/metrics", "/api", "/logs"):
        probes.append(authz20("POST", f"{authorization}/selfsubjectaccessreviews",
                              body={"spec": {"nonResourceAttributes": {"path": path, "verb": "get"}}}, who=MULTI20,
                              compare=True))
    for namespace in (NS20, "default", "kube-system"):
        probes.append(authz20("POST", f"{authorization}/selfsubjectrulesreviews", body={"spec": {"namespace": namespace}},
                              who=MULTI20, compare=True))
    probes += [authz20("POST", f"{authorization}/selfsubjectrulesreviews", body={"spec": {"namespace": NS20}},
                       who=f"a20-{who}", compare=True) for who in ("binder", "gen", "exec-get")]
    probes += [authz20("POST", f"{authorization}/subjectaccessreviews", body={"spec": {"user": MULTI20, **attributes}},
                       compare=True) for attributes in (
        {"nonResourceAttributes": {"path": "/metrics", "verb": "get"}},
        {"nonResourceAttributes": {"path": "/metrics", "verb": "post"}},
        {"resourceAttributes": {"verb": "get", "resource": "pods", "subresource": "log", "namespace": NS20}},
        {"resourceAttributes": {"verb": "get", "resource": "configmaps", "namespace": "default", "name": "x"}},
        {"resourceAttributes": {"verb": "get", "group": "*", "resource": "configmaps", "namespace": "default"}},
        {"resourceAttributes": {"verb": "*", "resource": "pods", "namespace": NS20}})]
    probes += [authz20("POST", f"{authorization}/namespaces/{NS20}/localsubjectaccessreviews",
                       body={"metadata": {"namespace": NS20}, "spec": {"user": MULTI20, "resourceAttributes": {
                           "verb": "get", "resource": "secrets", "namespace": NS20}}}, compare=True)]
    for name in ("pod", "secret", "account", "audience", "good"):
        probes.append(authz20("POST", tokens, body={"spec": {"token": f"$TOKEN20:{name}"}}, compare=True))
    probes += [authz20("POST", tokens, body={"spec": {"token": "$TOKEN20:good", "audiences": ["other-audience"]}}, compare=True),
               authz20("POST", tokens, body={"spec": {"token": "$TOKEN20:audience", "audiences": ["other-audience"]}},
                       compare=True),
               authz20("POST", tokens, body={"spec": {"token": "garbage"}}, compare=True),
               authz20("POST", tokens, body={"spec": {"token": "a.b.c"}}, compare=True)]
    return probes


def authz20_token_probes() -> list[Probe]:
    """Tokens presented to the API: bound to a deleted pod or secret, of a deleted service account,
    of another audience, with spaces or garbage, twice; and CertificateSigningRequests created and
    approved by users holding create but not approve on the signer."""
    cm = f"/api/v1/namespaces/{NS20}/configmaps/cm1"
    probes = [authz20("GET", cm, user=ANONYMOUS, headers=(("Authorization", value),)) for value in (
        "Bearer $TOKEN20:pod", "Bearer $TOKEN20:secret", "Bearer $TOKEN20:account", "Bearer $TOKEN20:audience",
        "Bearer $TOKEN20:good", "Bearer  $TOKEN20:good ", "Bearer $TOKEN20:good garbage", "Bearer garbage garbage")]
    probes += [authz20("GET", cm, user=ANONYMOUS, headers=(("Authorization", "Bearer $TOKEN20:pod"),
                                                           ("Authorization", "Bearer $TOKEN20:good")))]
    csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    csr = {"metadata": {"name": "csr20"}, "spec": {"request": csr_request("csr20"), "signerName": "example.com/signer",
                                                   "usages": ["client auth"]}}
    approved = {**csr, "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "r", "message": "m"}]}}
    probes += [authz20("POST", csrs, "dryRun=All", csr, who="a20-podget"),
               authz20("POST", csrs, "", csr, who="a20-csr-maker"),
               authz20("PUT", f"{csrs}/csr20/approval", "dryRun=All", approved, who="a20-csr-maker"),
               authz20("PUT", f"{csrs}/csr20/approval", "dryRun=All", approved, who="a20-csr-approver"),
               authz20("PUT", f"{csrs}/csr20/approval", "dryRun=All",
                       {**approved, "spec": {**csr["spec"], "signerName": "example.com/other"}}, who="a20-csr-approver")]
    return probes


def authz20_more_probes() -> list[Probe]:
    """Bindings changed only in the fields the garbage collector writes (owner references,
    finalizers) by a user who could not bind their role; a user whose bindings name missing roles
    (rules reviews incomplete, escalation messages with resolution errors); a namespace's
    cluster-admin binding cluster-wide roles in it and writing cluster-scoped RBAC; proxy
    subresources with get only; tokens and evictions limited to names; impersonated extras and
    uids limited to names; access reviews of wildcards and of the aggregated roles."""
    ns, bindings = f"/api/v1/namespaces/{NS20}", f"{RBAC}/namespaces/{NS20}/rolebindings"
    owner = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "cm1", "uid": "00000000-0000-0000-0000-000000000001"}]
    probes = [authz20("PATCH", f"{bindings}/rb20-admin", "dryRun=All", body, who="a20-pods-all") for body in (
        {"metadata": {"ownerReferences": owner}}, {"metadata": {"finalizers": ["example.com/f"]}},
        {"metadata": {"ownerReferences": owner, "labels": {"a": "b"}}}, {"metadata": {"annotations": {"a": "b"}}},
        {"subjects": [rbac_user("somebody"), rbac_user("a20-pods-all")]})]
    probes += [authz20("PATCH", f"{RBAC}/namespaces/{NS20}/roles/r20", "dryRun=All", body, who="a20-pods-all") for body in (
        {"metadata": {"finalizers": ["example.com/f"]}}, {"metadata": {"labels": {"a": "b"}}})]
    authorization = "/apis/authorization.k8s.io/v1"
    for namespace in (NS20, "default"):
        probes.append(authz20("POST", f"{authorization}/selfsubjectrulesreviews", body={"spec": {"namespace": namespace}},
                              who="a20-broken", compare=True))
    for attributes in ({"verb": "get", "resource": "pods", "namespace": NS20},
                       {"verb": "get", "resource": "secrets", "namespace": NS20}):
        probes.append(authz20("POST", f"{authorization}/selfsubjectaccessreviews",
                              body={"spec": {"resourceAttributes": attributes}}, who="a20-broken", compare=True))
    probes += [authz20("POST", f"{RBAC}/namespaces/{NS20}/roles", "dryRun=All", {"metadata": {"name": "x20"}, "rules": [
                   {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}, who="a20-broken")]
    for kind, name, where in (("ClusterRole", "cluster-admin", bindings), ("ClusterRole", "admin", bindings),
                              ("ClusterRole", "view", bindings), ("ClusterRole", "system:discovery", bindings),
                              ("ClusterRole", "view", f"{RBAC}/clusterrolebindings")):
        probes.append(authz20("POST", where, "dryRun=All", {"metadata": {"name": "b20"}, "subjects": [rbac_user("x")],
                                                          "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": name}},
                              who="a20-nsadmin"))
    probes += [authz20("POST", f"{RBAC}/clusterroles", "dryRun=All", {"metadata": {"name": "x20"}, "rules": []}, who="a20-nsadmin"),
               authz20("POST", f"{RBAC}/namespaces/{NS20}/roles", "dryRun=All", {"metadata": {"name": "x20"}, "rules": [
                   {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}, who="a20-nsadmin"),
               authz20("POST", f"{RBAC}/namespaces/default/roles", "dryRun=All", {"metadata": {"name": "x20"}, "rules": []},
                       who="a20-nsadmin")]
    for method in ("GET", "POST", "PUT", "DELETE"):
        probes += [authz20(method, f"{ns}/pods/p1/proxy/x", who="a20-proxy-get"),
                   authz20(method, f"{ns}/services/s/proxy/x", who="a20-proxy-get")]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "%s", "namespace": NS20}}
    probes += [authz20("POST", f"{ns}/serviceaccounts/{name}/token", body={"spec": {}}, who="a20-named-token")
               for name in ("sa20", "default", "absent")]
    probes += [authz20("POST", f"{ns}/pods/{name}/eviction", "dryRun=All",
                       {**eviction, "metadata": {"name": name, "namespace": NS20}}, who="a20-named-token")
               for name in ("p1", "absent")]
    cm = f"{ns}/configmaps/cm1"
    probes += [authz20("GET", cm, headers=as_user("a20-extras") + extra) for extra in (
        (("Impersonate-Extra-Scopes", "a"),), (("Impersonate-Extra-Scopes", "b"),),
        (("Impersonate-Extra-Scopes", "a"), ("Impersonate-Extra-Scopes", "b")), (("Impersonate-Extra-Other", "a"),),
        (("Impersonate-Uid", "u1"),), (("Impersonate-Uid", "u2"),), (("Impersonate-Extra-%41", "a"),))]
    probes += [authz20("POST", f"{authorization}/selfsubjectaccessreviews", body={"spec": {"resourceAttributes": attributes}},
                       who=MULTI20, compare=True) for attributes in (
        {"verb": "get", "resource": "configmaps", "namespace": "default"},
        {"verb": "list", "resource": "deployments", "group": "apps", "namespace": "default"},
        {"verb": "*", "resource": "pods", "namespace": NS20}, {"verb": "get", "resource": "*", "namespace": NS20},
        {"verb": "get", "resource": "pods", "group": "*", "namespace": NS20},
        {"verb": "get", "resource": "pods", "namespace": ""}, {"verb": "get", "resource": "pods", "namespace": "*"})]
    for headers in (as_user("system:node:n1", "system:nodes"), as_user("system:serviceaccount:diff20:sa20"),
                    as_user("x", "system:masters"), as_user("system:node:n1")):
        probes.append(authz20("POST", f"{authorization}/selfsubjectrulesreviews", body={"spec": {"namespace": NS20}},
                              headers=headers, compare=True))
    probes += [authz20("POST", f"{authorization}/subjectaccessreviews", body={"spec": {
        "user": "system:node:n1", "groups": ["system:nodes"], "resourceAttributes": attributes}}, compare=True)
        for attributes in ({"verb": "get", "resource": "secrets", "namespace": NS20, "name": "x"},
                           {"verb": "get", "resource": "secrets", "namespace": NS20},
                           {"verb": "get", "resource": "nodes", "name": "n1"},
                           {"verb": "update", "resource": "nodes", "subresource": "status", "name": "n2"},
                           {"verb": "get", "resource": "pods", "namespace": NS20, "name": "p1"},
                           {"verb": "create", "resource": "serviceaccounts", "subresource": "token", "namespace": NS20,
                            "name": "sa20"})]
    probes += [authz20("POST", f"{authorization}/subjectaccessreviews", body={"spec": {**who, "resourceAttributes": {
        "verb": "delete", "resource": "nodes"}}}, compare=True) for who in (
        {"user": "x", "groups": ["system:masters"]}, {"user": "x", "groups": ["system:nodes"]},
        {"user": "system:node:n1", "groups": ["system:nodes"]}, {"uid": "u"}, {"user": "x", "extra": {"scopes": ["a"]}})]
    return probes


def authz20_cover_probes() -> list[Probe]:
    """What a user's rules cover when it writes a role (rbac validation's Covers): `*/scale` and
    `jobs/*` against subresources, resourceNames subsets and supersets, apiGroups `*`, `/ap*` and
    `/logs/*` against paths, verbs `*`; and how the uncovered rules are listed (broken down per
    verb and resource, compacted, sorted) when several groups, resources and verbs are missing."""
    held = "a20-partial"
    rules_list = [
        [{"apiGroups": ["apps"], "resources": ["deployments/scale", "statefulsets/scale"], "verbs": ["get"]}],
        [{"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["get"]}],
        [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}],
        [{"apiGroups": ["batch"], "resources": ["jobs/status"], "verbs": ["get", "update"]}],
        [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get"]}],
        [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["cm1"]}],
        [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["cm1", "cm3"]}],
        [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
        [{"apiGroups": ["apps", "batch", ""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["cm2"]}],
        [{"apiGroups": [""], "resources": ["pods", "pods/log", "pods/exec"], "verbs": ["get", "list", "watch", "create"]}],
        [{"apiGroups": ["", "apps"], "resources": ["pods", "deployments", "services"], "verbs": ["get", "delete"],
          "resourceNames": ["b", "a"]},
         {"apiGroups": ["extensions"], "resources": ["ingresses"], "verbs": ["list"]},
         {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
        [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}],
        [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}],
        [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    ]
    probes = []
    for rules in rules_list:
        probes += [authz20("POST", f"{RBAC}/namespaces/{NS20}/roles", "dryRun=All", {"metadata": {"name": "c20"}, "rules": rules},
                           who=held),
                   authz20("POST", f"{RBAC}/clusterroles", "dryRun=All", {"metadata": {"name": "c20"}, "rules": rules},
                           who=held)]
    for urls in (["/api"], ["/apis/apps/v1"], ["/ap*"], ["/a*"], ["/logs"], ["/logs/"], ["/logs/x/y"], ["/metrics", "/metrics/x"],
                 ["*"], ["/healthz", "/api", "/version", "/zz"]):
        probes.append(authz20("POST", f"{RBAC}/clusterroles", "dryRun=All", {"metadata": {"name": "c20"}, "rules": [
            {"nonResourceURLs": urls, "verbs": ["get"]}]}, who=held))
    probes.append(authz20("POST", f"{RBAC}/clusterroles", "dryRun=All", {"metadata": {"name": "c20"}, "rules": [
        {"nonResourceURLs": ["/api"], "verbs": ["get", "post"]}]}, who=held))
    return probes


def authz20_write_probes() -> list[Probe]:
    """Roles and bindings written by server-side apply and strategic merge patch (escalation
    checked on the merged object: a create by apply, rules added, labels only on a role whose rules
    the writer lacks), bindings created by PUT (a create on update), deletecollection of roles; and
    an aggregated API (its APIService's service is missing) asked by users allowed and not."""
    roles, bindings = f"{RBAC}/namespaces/{NS20}/roles", f"{RBAC}/namespaces/{NS20}/rolebindings"
    who = "a20-pods-all"
    applied = {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "Role"}
    probes = [authz20("PATCH", f"{roles}/{name}", "dryRun=All&fieldManager=m", {**applied, "metadata": {"name": name, **meta},
                                                                                "rules": rules}, who=who, content_type=APPLY)
              for name, meta, rules in (
                  ("w20", {}, GRANTS20["podget"]), ("w20", {}, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
                  ("r20", {"labels": {"a": "b"}}, [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
                  ("r20", {}, GRANTS20["podget"]))]
    probes += [authz20("PATCH", f"{roles}/r20", "dryRun=All", body, who=who, content_type=STRATEGIC) for body in (
        {"metadata": {"labels": {"a": "b"}}}, {"rules": GRANTS20["podget"]}, {"metadata": {"finalizers": ["a/b"]}})]
    binding20 = {"metadata": {"name": "w20"}, "subjects": [rbac_user("x")],
                 "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "a20-podget"}}
    probes += [authz20("PUT", f"{bindings}/w20", "dryRun=All", binding20, who=who),
               authz20("PUT", f"{bindings}/w20", "dryRun=All", {**binding20, "roleRef": {
                   "apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "cluster-admin"}}, who=who),
               authz20("PUT", f"{bindings}/w20", "dryRun=All", binding20, who="a20-binder"),
               authz20("PUT", f"{RBAC}/clusterrolebindings/w20", "dryRun=All", binding20, who="a20-binder"),
               authz20("DELETE", roles, "dryRun=All", who=who), authz20("DELETE", roles, "dryRun=All", who="a20-nsadmin"),
               authz20("DELETE", f"{roles}/r20", "dryRun=All", who=who)]
    aggregated = f"/apis/{AGGREGATED['group']}/{AGGREGATED['version']}"
    for user, headers in (("admin", ()), ("admin", as_user("a20-podget")), (ANONYMOUS, ()), (USER, ())):
        probes += [authz20("GET", path, user=user, headers=headers) for path in (
            f"{aggregated}/namespaces/{NS20}/pods/*/x", aggregated, f"/apis/{AGGREGATED['group']}")]
    return probes


def authz20_anonymous_probes() -> list[Probe]:
    """For a server run with --anonymous-auth=false (--apiserver-arg): requests without
    credentials to the public paths (health, version, discovery, issuer discovery) and the API;
    bad, empty and other-scheme Authorization headers; a good token, alone and with impersonation;
    impersonating system:anonymous and the unauthenticated group. Its own small setup: namespace
    diff20a with service account sa20 and a token of it."""
    ns = "/api/v1/namespaces/diff20a"
    probes = [Probe("authz20-anonymous", "POST", path, "", JSON, encode(body), remember=remember) for path, body, remember in (
        ("/api/v1/namespaces", {"metadata": {"name": "diff20a"}}, ""),
        (f"{ns}/serviceaccounts", {"metadata": {"name": "sa20"}}, ""),
        (f"{ns}/serviceaccounts/sa20/token", {"spec": {}}, "good"))]
    probes += [Probe("authz20-anonymous", "GET", path, user=ANONYMOUS) for path in (
        "/healthz", "/livez", "/readyz", "/readyz/ping", "/version", "/api", "/apis", "/openapi/v2",
        "/.well-known/openid-configuration", "/openid/v1/jwks", f"{ns}/configmaps", "/metrics", "/", "/x")]
    probes += [Probe("authz20-anonymous", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", JSON,
                     encode({"spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}}), ANONYMOUS)]
    for value in ("Bearer $TOKEN20:good", "Bearer garbage", "Bearer", "Bearer ", "", "Basic dXNlcjpwYXNz",
                  "Bearer $TOKEN20:good x", "Token $TOKEN20:good"):
        probes += [Probe("authz20-anonymous", "GET", path, user=ANONYMOUS, headers=(("Authorization", value),))
                   for path in ("/healthz", f"{ns}/configmaps")]
    probes += [Probe("authz20-anonymous", "GET", f"{ns}/configmaps", user=who, headers=headers) for who, headers in (
        (ANONYMOUS, as_user("x")), (ANONYMOUS, (("Authorization", "Bearer $TOKEN20:good"),) + as_user("x")),
        ("admin", as_user("system:anonymous")), ("admin", as_user("system:anonymous", "system:unauthenticated")),
        ("admin", as_user("x", "system:unauthenticated")), (USER, ()))]
    probes.append(Probe("authz20-anonymous", "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "", JSON,
                        encode({"spec": {"namespace": "diff20a"}}), headers=as_user("system:anonymous"), compare=True))
    return probes


def _legacy20(secret: str, **changed) -> Callable[[dict, int], dict]:
    """A legacy (kubernetes/serviceaccount) token of diff20/sa20 held by Secret `secret`."""
    def claims(bound: dict, now: int) -> dict:
        prefix = "kubernetes.io/serviceaccount/"
        return {"iss": "kubernetes/serviceaccount", f"{prefix}namespace": NS20, f"{prefix}secret.name": secret,
                f"{prefix}service-account.name": "sa20",
                f"{prefix}service-account.uid": bound["kubernetes.io"]["serviceaccount"]["uid"],
                "sub": f"system:serviceaccount:{NS20}:sa20", **changed}
    return claims


def _bound20(**changed) -> Callable[[dict, int], dict]:
    """The bound token's claims with some replaced: a value given as a function of now is called,
    one given as None is removed."""
    def claims(bound: dict, now: int) -> dict:
        result = dict(bound)
        for name, value in changed.items():
            if value is None:
                result.pop(name, None)
            else:
                result[name] = value(now) if callable(value) else value
        return result
    return claims


FORGERIES20 = {
    "same": _bound20(), "other-key": _bound20(),
    "expired": _bound20(exp=lambda now: now - 3600, iat=lambda now: now - 7200, nbf=lambda now: now - 7200),
    "expired-leeway": _bound20(exp=lambda now: now - 20),
    "notyet": _bound20(nbf=lambda now: now + 3600, exp=lambda now: now + 7200),
    "notyet-leeway": _bound20(nbf=lambda now: now + 20),
    "future-iat": _bound20(iat=lambda now: now + 3600),
    "no-exp": _bound20(exp=None), "no-nbf": _bound20(nbf=None), "no-aud": _bound20(aud=None),
    "string-aud": lambda bound, now: {**bound, "aud": bound["aud"][0]}, "other-issuer": _bound20(iss="https://other.example"),
    "other-uid": _bound20(**{"kubernetes.io": {"namespace": NS20, "serviceaccount": {
        "name": "sa20", "uid": "00000000-0000-0000-0000-000000000000"}}}),
    "other-account": _bound20(**{"kubernetes.io": {"namespace": NS20, "serviceaccount": {
        "name": "absent", "uid": "00000000-0000-0000-0000-000000000000"}}}),
    "no-private": _bound20(**{"kubernetes.io": None}),
    "sub-other": _bound20(sub="system:serviceaccount:other:x"),
    "legacy": _legacy20("legacy20"), "legacy-absent": _legacy20("absent20"), "legacy-mismatch": _legacy20("legacy20b"),
    "legacy-no-uid": _legacy20("legacy20", **{"kubernetes.io/serviceaccount/service-account.uid": ""}),
    "legacy-sub": _legacy20("legacy20", sub=f"system:serviceaccount:{NS20}:other"),
    "legacy-no-secret": _legacy20(""),
}


def authz20_forged_probes() -> list[Probe]:
    """Tokens signed with the server's own service-account key, their claims changed: expired or not
    yet valid (inside and past the leeway), issued in the future, without exp, nbf, aud or the
    private claims, another issuer, another key, another account or uid; and legacy Secret-held
    tokens (the Secret missing, holding another token, the claims incomplete); reviewed by
    TokenReview (the error compared) and presented to the API."""
    ns = f"/api/v1/namespaces/{NS20}"
    legacy = {"type": "kubernetes.io/service-account-token",
              "metadata": {"annotations": {"kubernetes.io/service-account.name": "sa20"}}}
    probes = [authz20("POST", f"{ns}/secrets", body={**legacy, "metadata": {**legacy["metadata"], "name": name},
                                                     "stringData": {"token": token}})
              for name, token in (("legacy20", "$FORGED20:legacy"), ("legacy20b", "not-the-token"))]
    tokens, cm = "/apis/authentication.k8s.io/v1/tokenreviews", f"{ns}/configmaps/cm1"
    for variant in FORGERIES20:
        probes += [authz20("POST", tokens, body={"spec": {"token": f"$FORGED20:{variant}"}}, compare=True),
                   authz20("GET", cm, user=ANONYMOUS, headers=(("Authorization", f"Bearer $FORGED20:{variant}"),))]
    probes.append(authz20("POST", tokens, body={"spec": {"token": "$FORGED20:legacy", "audiences": ["x"]}}, compare=True))
    return probes


def authz20_probes() -> list[Probe]:
    return (authz20_setup() + authz20_subresource_probes() + authz20_escalation_probes() + authz20_review_probes()
            + authz20_token_probes() + authz20_forged_probes() + authz20_more_probes()
            + authz20_cover_probes() + authz20_write_probes())



# authz21's requests: namespace diff21, a kubelet of node diff21-a (impersonated), pods on diff21-a
# and diff21-b, and users granted one thing each (a21-NAME, bound in diff21 to ClusterRole a21-NAME).
NS21, NODE21, OTHER21 = "diff21", "diff21-a", "diff21-b"
KUBELET21 = as_user(f"system:node:{NODE21}", "system:nodes")
GRANTS21 = {
    "escalator": [{"apiGroups": [RBAC_GROUP], "resources": ["roles"], "verbs": ["create", "update", "escalate"]},
                  {"apiGroups": [RBAC_GROUP], "resources": ["rolebindings"], "verbs": ["create"]}],
    "binder": [{"apiGroups": [RBAC_GROUP], "resources": ["roles", "rolebindings"], "verbs": ["create", "bind"]}],
    "starname": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"], "resourceNames": ["*"]}],
    "csr": [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"], "verbs": ["create"]}],
}
CSR21 = {"metadata": {"name": "csr21"}, "spec": {"request": csr_request("csr21"), "signerName": "example.com/signer",
                                                 "usages": ["client auth"]}}


def authz21(method: str, path: str, query_text: str = "", body: object = None, headers: tuple = (), user: str = "admin",
            content_type: str = "", compare: bool = False, remember: str = "", observe: str = "status") -> Probe:
    media = content_type or (JSON if body is not None and method != "PATCH" else MERGE if body is not None else "")
    return Probe("authz21", method, path, query_text, media, b"" if body is None else encode(body), user, headers,
                 compare, remember, observe)


def authz21_setup() -> list[Probe]:
    """Namespace diff21: nodes diff21-a (with a restricted label) and diff21-b, a pod on each
    naming a secret, a config map and a claim of its own, service accounts, diff21-a's lease, the
    one-grant users, and a token of a pod that is then deleted and made again under its name."""
    ns = f"/api/v1/namespaces/{NS21}"
    probes = [authz21("POST", "/api/v1/namespaces", body={"metadata": {"name": NS21}})]
    # The real server has no controller making a namespace's default account; the reference makes it (a 409 here).
    probes += [authz21("POST", f"{ns}/serviceaccounts", body={"metadata": {"name": name}})
               for name in ("default", "sa21", "gone21", "again-sa21")]
    probes += [authz21("POST", "/api/v1/nodes", body={"metadata": {"name": NODE21, "labels": {
                   "kubernetes.io/hostname": NODE21, "node-restriction.kubernetes.io/pool": "a"}}}),
               authz21("POST", "/api/v1/nodes", body={"metadata": {"name": OTHER21}})]
    for suffix, node in (("a", NODE21), ("b", OTHER21)):
        probes += [authz21("POST", f"{ns}/secrets", body={"metadata": {"name": f"s-{suffix}"}}),
                   authz21("POST", f"{ns}/configmaps", body={"metadata": {"name": f"cm-{suffix}"}}),
                   authz21("POST", f"{ns}/persistentvolumeclaims", body={"metadata": {"name": f"pvc-{suffix}"}, "spec": {
                       "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
                   authz21("POST", f"{ns}/pods", body={"metadata": {"name": f"p-{suffix}"}, "spec": {
                       **POD_SPEC, "nodeName": node, "serviceAccountName": "sa21", "volumes": [
                           {"name": "s", "secret": {"secretName": f"s-{suffix}"}},
                           {"name": "c", "configMap": {"name": f"cm-{suffix}"}},
                           {"name": "v", "persistentVolumeClaim": {"claimName": f"pvc-{suffix}"}}]}})]
    probes += [authz21("POST", f"{ns}/secrets", body={"metadata": {"name": "s-none"}}),
               authz21("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                       body={"metadata": {"name": NODE21}})]
    for name, rules in GRANTS21.items():
        probes += [authz21("POST", f"{RBAC}/clusterroles", body={"metadata": {"name": f"a21-{name}"}, "rules": rules}),
                   authz21("POST", f"{RBAC}/namespaces/{NS21}/rolebindings", body={
                       "metadata": {"name": f"a21-{name}"}, "subjects": [rbac_user(f"a21-{name}")],
                       "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": f"a21-{name}"}})]
    # CSRs may be made (cluster-wide) by the users the impersonation requests become.
    probes.append(authz21("POST", f"{RBAC}/clusterrolebindings", body={
        "metadata": {"name": "a21-csr"}, "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "a21-csr"},
        "subjects": [rbac_user("x21"), rbac_user("system:anonymous"), rbac_group("g21"),
                     {"kind": "ServiceAccount", "name": "sa21", "namespace": NS21}]}))
    probes.append(authz21("POST", f"{RBAC}/namespaces/{NS21}/roles", body={"metadata": {"name": "r21-secrets"}, "rules": [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}))
    # An aggregating ClusterRole and one its selector picks: no controller-manager runs, so nothing fills it.
    probes += [authz21("POST", f"{RBAC}/clusterroles", body={"metadata": {"name": "agg21"}, "aggregationRule": {
                   "clusterRoleSelectors": [{"matchLabels": {"diff21/aggregate": "true"}}]}}),
               authz21("POST", f"{RBAC}/clusterroles", body={"metadata": {"name": "part21", "labels": {
                   "diff21/aggregate": "true"}}, "rules": GRANTS21["starname"]})]
    token = f"{ns}/serviceaccounts/%s/token"
    pod = {"metadata": {"name": "again21"}, "spec": {**POD_SPEC, "serviceAccountName": "sa21"}}
    probes += [authz21("POST", f"{ns}/pods", body=pod),
               authz21("POST", token % "sa21", body={"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                                                                   "name": "again21"}}}, remember="again21"),
               authz21("DELETE", f"{ns}/pods/again21", "gracePeriodSeconds=0"), authz21("POST", f"{ns}/pods", body=pod),
               authz21("POST", token % "gone21", body={"spec": {}}, remember="gone21"),
               authz21("DELETE", f"{ns}/serviceaccounts/gone21"),
               authz21("POST", token % "sa21", body={"spec": {"audiences": ["a21"]}}, remember="aud21"),
               authz21("POST", token % "sa21", body={"spec": {"audiences": [
                   "a21", "https://kubernetes.default.svc.cluster.local"]}}, remember="aud21-both"),
               authz21("POST", token % "sa21", body={"spec": {"expirationSeconds": 2**32}}, remember="long21"),
               authz21("POST", token % "sa21", body={"spec": {}}, remember="sa21"),
               authz21("POST", token % "again-sa21", body={"spec": {}}, remember="again-sa21"),
               authz21("DELETE", f"{ns}/serviceaccounts/again-sa21"),
               authz21("POST", f"{ns}/serviceaccounts", body={"metadata": {"name": "again-sa21"}})]
    # Deleted while a finalizer holds them (deletionTimestamp now, or 30 s ahead): their tokens stay
    # valid for the leeway after it.
    keep = {"finalizers": ["diff21.example.com/keep"]}
    probes += [authz21("POST", f"{ns}/serviceaccounts", body={"metadata": {"name": "term-sa21", **keep}}),
               authz21("POST", f"{ns}/secrets", body={"metadata": {"name": "term-s21", **keep}}),
               authz21("POST", f"{ns}/pods", body={"metadata": {"name": "term21", **keep}, "spec": {
                   **POD_SPEC, "serviceAccountName": "sa21"}}),
               authz21("POST", f"{ns}/pods", body={"metadata": {"name": "grace21"}, "spec": {
                   **POD_SPEC, "serviceAccountName": "sa21", "nodeName": NODE21}}),
               authz21("POST", token % "term-sa21", body={"spec": {}}, remember="term-sa21"),
               authz21("POST", token % "sa21", body={"spec": {"boundObjectRef": {"kind": "Secret", "apiVersion": "v1",
                                                                                   "name": "term-s21"}}}, remember="term-s21"),
               authz21("POST", token % "sa21", body={"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                                                                   "name": "term21"}}}, remember="term21"),
               authz21("POST", token % "sa21", body={"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1",
                                                                                   "name": "grace21"}}}, remember="grace21"),
               authz21("DELETE", f"{ns}/serviceaccounts/term-sa21"), authz21("DELETE", f"{ns}/secrets/term-s21"),
               authz21("DELETE", f"{ns}/pods/term21", "gracePeriodSeconds=0"),
               authz21("DELETE", f"{ns}/pods/grace21", "gracePeriodSeconds=30")]
    # Pods on diff21-a naming secrets through every volume source that can, and an ephemeral
    # volume's claim; a volume whose CSI secrets the node graph follows.
    volumes = [{"name": "azure", "azureFile": {"secretName": "s-azure", "shareName": "x"}},
               {"name": "ceph", "cephfs": {"monitors": ["m"], "secretRef": {"name": "s-ceph"}}},
               {"name": "flex", "flexVolume": {"driver": "d/x", "secretRef": {"name": "s-flex"}}},
               {"name": "iscsi", "iscsi": {"targetPortal": "1.2.3.4:3260", "iqn": "iqn.2001-04.com.example:x", "lun": 0,
                                           "secretRef": {"name": "s-iscsi"}, "chapAuthSession": True}},
               {"name": "rbd", "rbd": {"monitors": ["m"], "image": "i", "secretRef": {"name": "s-rbd"}}},
               {"name": "scaleio", "scaleIO": {"gateway": "g", "system": "s", "secretRef": {"name": "s-scaleio"}}},
               {"name": "storageos", "storageos": {"volumeName": "v", "secretRef": {"name": "s-storageos"}}},
               {"name": "cinder", "cinder": {"volumeID": "v", "secretRef": {"name": "s-cinder"}}},
               {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {
                   "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}}]
    probes.append(authz21("POST", f"{ns}/pods", body={"metadata": {"name": "vols21"}, "spec": {
        **POD_SPEC, "nodeName": NODE21, "serviceAccountName": "sa21", "volumes": volumes}}))
    probes.append(authz21("POST", f"{ns}/pods", body={"metadata": {"name": "pvpod21"}, "spec": {
        **POD_SPEC, "nodeName": NODE21, "serviceAccountName": "sa21", "volumes": [
            {"name": "c", "persistentVolumeClaim": {"claimName": "pvc21"}}]}}))
    secret_refs = {f"{name}SecretRef": {"name": f"s-pv-{name.lower()}", "namespace": NS21} for name in (
        "controllerPublish", "nodeStage", "nodePublish", "controllerExpand")}
    probes += [authz21("POST", "/api/v1/persistentvolumes", body={"metadata": {"name": "pv21"}, "spec": {
                   "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                   "claimRef": {"namespace": NS21, "name": "pvc21"},
                   "csi": {"driver": "d", "volumeHandle": "h", **secret_refs}}}),
               authz21("POST", f"{ns}/persistentvolumeclaims", body={"metadata": {"name": "pvc21"}, "spec": {
                   "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeName": "pv21"}})]
    return probes


def authz21_node_probes() -> list[Probe]:
    """A kubelet of diff21-a: secrets, config maps and claims of its pod and of diff21-b's, by get,
    list and watch; diff21-b's status and deletion; registering a node of its own name with each
    label family NodeRestriction tells apart (and relabelling diff21-a with them); mirror pods
    whose owner reference is wrong in each way; evicting diff21-b's pod; leases and CSINodes of
    other nodes or namespaces; TokenRequests bound to a pod without, or with a wrong, uid; CSRs."""
    ns = f"/api/v1/namespaces/{NS21}"
    probes = []
    for plural, name in (("secrets", "s-a"), ("secrets", "s-b"), ("secrets", "s-none"), ("configmaps", "cm-a"),
                         ("configmaps", "cm-b"), ("persistentvolumeclaims", "pvc-a"), ("persistentvolumeclaims", "pvc-b")):
        probes += [authz21("GET", f"{ns}/{plural}/{name}", headers=KUBELET21),
                   authz21("GET", f"{ns}/{plural}", f"fieldSelector=metadata.name%3D{name}", headers=KUBELET21),
                   authz21("PATCH", f"{ns}/{plural}/{name}", "dryRun=All", {"metadata": {"labels": {"a": "b"}}},
                           headers=KUBELET21)]
    probes += [authz21("GET", f"{ns}/persistentvolumeclaims/pvc-a/status", headers=KUBELET21),
               authz21("PATCH", f"{ns}/persistentvolumeclaims/pvc-b/status", "dryRun=All", {"status": {"phase": "Bound"}},
                       headers=KUBELET21),
               authz21("PATCH", f"{ns}/persistentvolumeclaims/pvc-a/status", "dryRun=All",
                       {"metadata": {"labels": {"a": "b"}}}, headers=KUBELET21),
               authz21("GET", "/api/v1/pods", f"fieldSelector=spec.nodeName%3D{OTHER21}", headers=KUBELET21),
               authz21("GET", f"{ns}/pods/p-b", headers=KUBELET21)]
    node_b, leases = f"/api/v1/nodes/{OTHER21}", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
    probes += [authz21("PATCH", f"{node_b}/status", "dryRun=All", {"status": {"phase": "Running"}}, headers=KUBELET21),
               authz21("PUT", f"{node_b}/status", "dryRun=All", {"metadata": {"name": OTHER21}}, headers=KUBELET21),
               authz21("PATCH", node_b, "dryRun=All", {"metadata": {"labels": {"a": "b"}}}, headers=KUBELET21),
               authz21("DELETE", node_b, "dryRun=All", headers=KUBELET21),
               authz21("DELETE", f"/api/v1/nodes/{NODE21}", "dryRun=All", headers=KUBELET21),
               authz21("DELETE", "/api/v1/nodes", "dryRun=All", headers=KUBELET21),
               authz21("POST", "/api/v1/nodes", "dryRun=All", {"metadata": {"name": "diff21-c"}}, headers=KUBELET21),
               authz21("POST", "/api/v1/nodes", "dryRun=All", {"metadata": {"name": NODE21}}, headers=KUBELET21),
               authz21("POST", "/api/v1/nodes", "dryRun=All", {"metadata": {"name": NODE21, "labels": {"k8s.io/x": "y"}}},
                       headers=KUBELET21),
               authz21("PUT", f"/api/v1/nodes/{NODE21}", "dryRun=All", {"metadata": {"name": OTHER21}}, headers=KUBELET21),
               authz21("PUT", f"{leases}/{NODE21}", "dryRun=All", {"metadata": {"name": OTHER21}}, headers=KUBELET21),
               authz21("GET", f"{ns}/secrets/s-a/status", headers=KUBELET21),
               authz21("GET", f"/api/v1/watch/namespaces/{NS21}/secrets/s-a", "timeoutSeconds=1", headers=KUBELET21),
               authz21("GET", f"/api/v1/watch/namespaces/{NS21}/secrets/s-b", "timeoutSeconds=1", headers=KUBELET21),
               authz21("GET", f"{ns}/secrets", "fieldSelector=metadata.name%3Ds-a%2Cmetadata.name%3Ds-b", headers=KUBELET21),
               authz21("GET", f"{ns}/secrets", "fieldSelector=metadata.name%3D%3Ds-a", headers=KUBELET21),
               authz21("GET", f"{ns}/secrets", "fieldSelector=metadata.name%21%3Ds-b", headers=KUBELET21)]
    labels = ["kubernetes.io/foo", "k8s.io/foo", "sub.k8s.io/x", "kubelet.kubernetes.io/x", "node.kubernetes.io/x",
              "x.kubelet.kubernetes.io/y", "x.node.kubernetes.io/y", "node-restriction.kubernetes.io/x",
              "a.node-restriction.kubernetes.io/x", "beta.kubernetes.io/instance-type",
              "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/x",
              "topology.kubernetes.io/region", "node.kubernetes.io/instance-type", "kubernetes.io/arch",
              "example.com/x", "xkubernetes.io/y", "node-role.kubernetes.io/worker", "topology.k8s.io/x"]
    new_node = as_user("system:node:diff21-c", "system:nodes")
    for label in labels:
        probes += [authz21("POST", "/api/v1/nodes", "dryRun=All", {"metadata": {"name": "diff21-c", "labels": {label: "v"}}},
                           headers=new_node),
                   authz21("PATCH", f"/api/v1/nodes/{NODE21}", "dryRun=All", {"metadata": {"labels": {label: "v"}}},
                           headers=KUBELET21)]
    probes += [authz21("POST", "/api/v1/nodes", "dryRun=All", {"metadata": {"name": "diff21-c", "labels": {
                   "k8s.io/b": "v", "kubernetes.io/a": "v", "node-restriction.kubernetes.io/c": "v"}}}, headers=new_node),
               authz21("POST", "/api/v1/nodes", "dryRun=All", {"metadata": {"name": "diff21-c"}, "spec": {
                   "taints": [{"key": "k", "effect": "NoSchedule"}]}}, headers=new_node),
               authz21("PATCH", f"/api/v1/nodes/{NODE21}", "dryRun=All", {"metadata": {"labels": {
                   "node-restriction.kubernetes.io/pool": "a", "kubernetes.io/hostname": None}}}, headers=KUBELET21),
               authz21("PATCH", f"/api/v1/nodes/{NODE21}/status", "dryRun=All", {"metadata": {"labels": {
                   "node-restriction.kubernetes.io/pool": "b"}}}, headers=KUBELET21)]
    mirror = {"kubernetes.io/config.mirror": "m"}
    owner = {"apiVersion": "v1", "kind": "Node", "name": NODE21, "uid": "00000000-0000-0000-0000-000000000001",
             "controller": True}
    for meta, node in (({}, NODE21), ({"annotations": mirror}, OTHER21), ({"annotations": mirror}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [owner, {**owner, "name": "x"}]}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [{**owner, "apiVersion": "v2"}]}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [{**owner, "kind": "Pod"}]}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [{**owner, "name": OTHER21}]}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [{**owner, "controller": False}]}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [{**owner, "blockOwnerDeletion": True}]}, NODE21),
                       ({"annotations": mirror, "ownerReferences": [owner]}, NODE21),
                       ({"annotations": {"kubernetes.io/config.mirror": ""}, "ownerReferences": [owner]}, NODE21)):
        probes.append(authz21("POST", f"{ns}/pods", "dryRun=All", {"metadata": {"name": "m21", **meta}, "spec": {
            **POD_SPEC, "nodeName": node}}, headers=KUBELET21))
    # Mirror pods owned by the node as it is (its uid read from the server asked), naming what a
    # kubelet may not give them, and what it may.
    owned = {"annotations": mirror, "ownerReferences": [{**owner, "uid": f"$UID[/api/v1/nodes/{NODE21}]"}]}
    for spec in ({}, {"serviceAccountName": "sa21"}, {"serviceAccountName": "default"},
                 {"automountServiceAccountToken": False, "serviceAccountName": "sa21"},
                 {"volumes": [{"name": "s", "secret": {"secretName": "s-a"}}]},
                 {"volumes": [{"name": "c", "configMap": {"name": "cm-a"}}]},
                 {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "pvc-a"}}]},
                 {"volumes": [{"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {
                     "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}}]},
                 {"volumes": [{"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]},
                 {"volumes": [{"name": "p", "projected": {"sources": [{"configMap": {"name": "cm-a"}}]}}]},
                 {"volumes": [{"name": "d", "downwardAPI": {"items": [{"path": "n", "fieldRef": {
                     "fieldPath": "metadata.name"}}]}}, {"name": "h", "hostPath": {"path": "/tmp"}}]},
                 {"imagePullSecrets": [{"name": "s-a"}]},
                 {"containers": [{"name": "c", "image": IMAGE, "envFrom": [{"configMapRef": {"name": "cm-a", "optional": True}}]}]},
                 {"initContainers": [{"name": "i", "image": IMAGE, "env": [{"name": "E", "valueFrom": {
                     "secretKeyRef": {"name": "s-a", "key": "k"}}}]}]},
                 {"volumes": [{"name": "csi", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "s-a"}}}]},
                 {"nodeName": OTHER21}):
        probes.append(authz21("POST", f"{ns}/pods", "dryRun=All", {"metadata": {"name": "m21", **owned}, "spec": {
            **POD_SPEC, "nodeName": NODE21, **spec}}, headers=KUBELET21))
    probes += [authz21("POST", f"{ns}/pods", "dryRun=All", {"metadata": {"name": "m21", **owned, "ownerReferences": [
                   {**owner, "uid": f"$UID[/api/v1/nodes/{OTHER21}]", "name": OTHER21}]}, "spec": {
                   **POD_SPEC, "nodeName": NODE21}}, headers=KUBELET21),
               authz21("POST", f"{ns}/pods", "dryRun=All", {"metadata": {"name": "m21", **owned}, "spec": {
                   **POD_SPEC, "nodeName": NODE21}}, headers=as_user(f"system:node:{NODE21}"))]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction"}
    probes += [authz21("POST", f"{ns}/pods/p-b/eviction", "dryRun=All", {**eviction, "metadata": {"name": "p-b"}},
                       headers=KUBELET21),
               authz21("POST", f"{ns}/pods/p-a/eviction", "dryRun=All", {**eviction, "metadata": {"name": "p-a"}},
                       headers=KUBELET21),
               authz21("POST", leases, "dryRun=All", {"metadata": {"name": OTHER21}}, headers=KUBELET21),
               authz21("POST", leases, "dryRun=All", {"metadata": {"name": NODE21}}, headers=KUBELET21),
               authz21("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", "dryRun=All",
                       {"metadata": {"name": NODE21}}, headers=KUBELET21),
               authz21("GET", f"{leases}/{OTHER21}", headers=KUBELET21), authz21("GET", leases, headers=KUBELET21),
               authz21("DELETE", f"{leases}/{NODE21}", "dryRun=All", headers=KUBELET21),
               authz21("PUT", f"{leases}/{OTHER21}", "dryRun=All", {"metadata": {"name": OTHER21}}, headers=KUBELET21),
               authz21("POST", "/apis/storage.k8s.io/v1/csinodes", "dryRun=All", {"metadata": {"name": OTHER21},
                                                                                  "spec": {"drivers": []}}, headers=KUBELET21),
               authz21("GET", "/apis/storage.k8s.io/v1/csinodes", headers=KUBELET21)]
    token = f"{ns}/serviceaccounts/sa21/token"
    for bound in ({"kind": "Pod", "apiVersion": "v1", "name": "p-a"},
                  {"kind": "Pod", "apiVersion": "v1", "name": "p-a", "uid": "00000000-0000-0000-0000-000000000002"},
                  {"kind": "Pod", "apiVersion": "v1", "name": "p-b", "uid": "00000000-0000-0000-0000-000000000002"},
                  {"kind": "Pod", "apiVersion": "v1", "name": "absent", "uid": "u"},
                  {"kind": "Secret", "apiVersion": "v1", "name": "s-a", "uid": "u"}):
        probes.append(authz21("POST", token, body={"spec": {"boundObjectRef": bound}}, headers=KUBELET21))
    probes.append(authz21("POST", f"{ns}/serviceaccounts/default/token", body={"spec": {}}, headers=KUBELET21))
    # TokenRequests naming the pod with its uid (read from the server asked).
    for account, pod, uid_of, headers in (("sa21", "p-a", "p-a", KUBELET21), ("sa21", "p-b", "p-b", KUBELET21),
                                          ("default", "p-a", "p-a", KUBELET21), ("sa21", "p-a", "p-b", KUBELET21),
                                          ("sa21", "p-a", "p-b", ()), ("default", "p-a", "p-a", ()),
                                          ("sa21", "p-a", "p-a", as_user(f"system:node:{OTHER21}", "system:nodes"))):
        bound = {"kind": "Pod", "apiVersion": "v1", "name": pod, "uid": f"$UID[{ns}/pods/{uid_of}]"}
        probes.append(authz21("POST", f"{ns}/serviceaccounts/{account}/token", body={"spec": {"boundObjectRef": bound}},
                              headers=headers))
    probes += [authz21("POST", token, body={"spec": {"boundObjectRef": {
                   "kind": "Secret", "apiVersion": "v1", "name": "s-a", "uid": f"$UID[{ns}/secrets/s-b]"}}}),
               authz21("POST", token, body={"spec": {"boundObjectRef": {
                   "kind": "Secret", "apiVersion": "v1", "name": "s-a", "uid": f"$UID[{ns}/secrets/s-a]"}}},
                       headers=KUBELET21)]
    # Paths naming s-a (or s-b) in other spellings: what the Node authorizer is asked depends on how
    # the request's path is read.
    probes += [authz21("GET", path, query_text, headers=KUBELET21) for path, query_text in (
        (f"{ns}/secrets/s%2Da", ""), (f"{ns}/secrets/s-a/", ""), (f"{ns}//secrets/s-a", ""), (f"{ns}/secrets//s-a", ""),
        (f"{ns}/secrets/./s-a", ""), (f"{ns}/secrets/x/../s-a", ""), (f"{ns}/secrets/s-b/../s-a", ""),
        (f"{ns}/secrets/s-a%2F..%2Fs-b", ""), (f"{ns}/Secrets/s-a", ""), (f"{ns}/secrets/S-A", ""),
        (f"{ns}/secrets/s-a", "fieldSelector=metadata.name%3Ds-b"), (f"{ns}/secrets/s-a/x", ""),
        (f"/api/v1/namespaces/{NS21.upper()}/secrets/s-a", ""), (f"/api/v1/namespaces/{NS21}%2F/secrets/s-a", ""),
        (f"/api/v1/namespaces/{NS21}/secrets", "fieldSelector=metadata.name%3Ds-a&fieldSelector=metadata.name%3Ds-b"),
        (f"/api/v1/namespaces/{NS21}/secrets", "fieldSelector=metadata.name%3Ds-b&fieldSelector=metadata.name%3Ds-a"),
        (f"/api/v1/namespaces/{NS21}/secrets", "fieldSelector=metadata.name%3Ds-a&labelSelector=x"),
        (f"/api/v1/namespaces/{NS21}/secrets", "fieldSelector=metadata.namespace%3Ddiff21%2Cmetadata.name%3Ds-a"),
        (f"/api/v1/namespaces/{NS21}/secrets", "fieldSelector=%20metadata.name%20%3D%20s-a%20"),
        ("/api/v1/secrets", "fieldSelector=metadata.name%3Ds-a"),
        (f"/api/v1/watch/namespaces/{NS21}/secrets", "fieldSelector=metadata.name%3Ds-a&timeoutSeconds=1"),
        (f"/api/v1/namespaces/{NS21}/configmaps/cm-a", "watch=true&timeoutSeconds=1"))]
    # Writes that create through apply or PUT, and JSON patches of labels, as the kubelet.
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease"}
    node_kind = {"apiVersion": "v1", "kind": "Node"}
    probes += [authz21("PATCH", f"{leases}/{name}", "dryRun=All&fieldManager=k", {**lease, "metadata": {"name": name}},
                       headers=headers, content_type=APPLY)
               for name, headers in ((OTHER21, KUBELET21), (NODE21, KUBELET21), ("diff21-c", KUBELET21),
                                     ("diff21-c", as_user("system:node:diff21-c", "system:nodes")))]
    probes += [authz21("PATCH", f"/apis/coordination.k8s.io/v1/namespaces/default/leases/{NODE21}", "dryRun=All&fieldManager=k",
                       {**lease, "metadata": {"name": NODE21}}, headers=KUBELET21, content_type=APPLY),
               authz21("PUT", f"{leases}/diff21-c", "dryRun=All", {"metadata": {"name": "diff21-c"}},
                       headers=as_user("system:node:diff21-c", "system:nodes")),
               authz21("PUT", f"{leases}/diff21-c", "dryRun=All", {"metadata": {"name": "diff21-c"}}, headers=KUBELET21)]
    for name, labels, headers in (("diff21-c", {}, as_user("system:node:diff21-c", "system:nodes")),
                                  ("diff21-c", {"k8s.io/x": "y"}, as_user("system:node:diff21-c", "system:nodes")),
                                  ("diff21-c", {}, KUBELET21), (NODE21, {"k8s.io/x": "y"}, KUBELET21),
                                  (NODE21, {"kubernetes.io/hostname": NODE21}, KUBELET21)):
        probes += [authz21("PATCH", f"/api/v1/nodes/{name}", "dryRun=All&fieldManager=k",
                           {**node_kind, "metadata": {"name": name, "labels": labels}}, headers=headers, content_type=APPLY),
                   authz21("PUT", f"/api/v1/nodes/{name}", "dryRun=All", {"metadata": {"name": name, "labels": labels}},
                           headers=headers)]
    probes += [authz21("PATCH", f"/api/v1/nodes/{NODE21}", "dryRun=All", body, headers=KUBELET21, content_type=JSON_PATCH)
               for body in ([{"op": "remove", "path": "/metadata/labels/node-restriction.kubernetes.io~1pool"}],
                            [{"op": "replace", "path": "/metadata/labels", "value": {}}],
                            [{"op": "add", "path": "/metadata/labels/k8s.io~1x", "value": "y"}],
                            [{"op": "test", "path": "/metadata/name", "value": NODE21}])]
    probes += [authz21("PATCH", f"{ns}/pods/m21", "dryRun=All&fieldManager=k", {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "m21", "annotations": mirror}, "spec": {**POD_SPEC, "nodeName": NODE21}},
                       headers=KUBELET21, content_type=APPLY),
               authz21("PATCH", f"/apis/storage.k8s.io/v1/csinodes/{OTHER21}", "dryRun=All&fieldManager=k", {
                   "apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": OTHER21},
                   "spec": {"drivers": []}}, headers=KUBELET21, content_type=APPLY),
               authz21("PATCH", f"/apis/storage.k8s.io/v1/csinodes/{NODE21}", "dryRun=All&fieldManager=k", {
                   "apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": NODE21},
                   "spec": {"drivers": []}}, headers=KUBELET21, content_type=APPLY)]
    # The CSI secrets a PersistentVolume may name (what the node graph follows), as validation takes them.
    pv = {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}
    for csi in ({"driver": "d", "volumeHandle": "h", "nodePublishSecretRef": {"name": "Bad", "namespace": NS21}},
                {"driver": "d", "volumeHandle": "h", "nodePublishSecretRef": {"name": "a.b", "namespace": "N"}},
                {"driver": "d", "volumeHandle": "h", "nodePublishSecretRef": {}},
                {"driver": "d", "volumeHandle": "h", "controllerPublishSecretRef": {"name": "x"},
                 "controllerExpandSecretRef": {"namespace": "x"}},
                {"driver": "d", "volumeHandle": "h", "nodeStageSecretRef": {"name": "Bad"}},
                {"driver": "d", "volumeHandle": "h", "nodeStageSecretRef": {}},
                {"driver": "d", "volumeHandle": "h", "controllerPublishSecretRef": {"name": "a" * 64, "namespace": NS21}},
                {"driver": "D", "volumeHandle": ""}, {"driver": "", "volumeHandle": "h"}):
        probes.append(authz21("POST", "/api/v1/persistentvolumes", "dryRun=All", {"metadata": {"name": "pv21-bad"}, "spec": {
            **pv, "csi": csi}}))
    # Every other source a PersistentVolume may name, as its own validation takes it (those naming
    # secrets put them in the node graph once valid).
    ref = {"name": "s"}
    for sources in ({"glusterfs": {}}, {"glusterfs": {"endpoints": "e", "path": "p", "endpointsNamespace": ""}},
                    {"glusterfs": {"endpoints": "e", "path": "p", "endpointsNamespace": "Bad_NS"}},
                    {"rbd": {}}, {"rbd": {"monitors": ["m"], "image": "i", "secretRef": {}}}, {"cephfs": {"secretRef": ref}},
                    {"iscsi": {}}, {"iscsi": {"targetPortal": "p", "iqn": "x", "lun": 256, "secretRef": {}}},
                    {"iscsi": {"targetPortal": "p" * 60, "iqn": "iqn.2001-04.com.example:x", "initiatorName": "bad",
                               "chapAuthSession": True}},
                    {"iscsi": {"targetPortal": "p", "iqn": "eui.x", "initiatorName": "iqn.bad"}},
                    {"cinder": {"secretRef": {"name": "s"}}}, {"cinder": {"volumeID": "v", "secretRef": {}}},
                    {"flexVolume": {"driver": "", "secretRef": ref, "options": {"k8s.io/x": "y"}}},
                    {"nfs": {"server": "s", "path": "/p"}, "flexVolume": {}, "azureFile": {}},
                    {"azureFile": {"secretNamespace": ""}}, {"azureFile": {"secretName": "s", "shareName": "x",
                                                                             "secretNamespace": "Bad"}},
                    {"scaleIO": {"secretRef": ref}}, {"local": {"path": "/a/../b"}}, {"local": {}},
                    {"local": {"path": "/x"}, "nodeAffinity": {"required": {"nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "k", "operator": "Exists"}]}]}}},
                    {"storageos": {"volumeName": "Bad", "volumeNamespace": "N", "secretRef": {"namespace": "x"}}},
                    {"gcePersistentDisk": {"partition": 300}}, {"awsElasticBlockStore": {}}, {"nfs": {"path": "x"}},
                    {"quobyte": {}}, {"fc": {}}, {"vsphereVolume": {}}, {"photonPersistentDisk": {}},
                    {"portworxVolume": {}}, {"azureDisk": {}}, {"flocker": {}}):
        probes.append(authz21("POST", "/api/v1/persistentvolumes", "dryRun=All", {"metadata": {"name": "pv21-bad"}, "spec": {
            **pv, **sources}}))
    probes.append(authz21("POST", "/api/v1/persistentvolumes", "dryRun=All", {"metadata": {"name": "pv21-bad"}, "spec": {
        **pv, "hostPath": {"path": "/x"}, "csi": {"driver": "", "volumeHandle": ""}}}))
    # A VolumeAttachment of an inline volume: its spec validated as an inline PersistentVolume's.
    csi = {"driver": "d", "volumeHandle": "h"}
    for inline in ({}, {"csi": csi}, {"accessModes": ["ReadWriteOnce"], "csi": csi},
                   {**pv, "csi": csi, "claimRef": {"name": "c"}, "persistentVolumeReclaimPolicy": "Delete",
                    "storageClassName": "x", "volumeMode": "Block", "nodeAffinity": {"required": {"nodeSelectorTerms": []}}},
                   {"accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/x"}},
                   {"accessModes": ["ReadWriteOnce"], "csi": {"driver": "", "volumeHandle": "",
                                                              "nodePublishSecretRef": {"name": "Bad"}}},
                   {"accessModes": ["ReadWriteOnce", "x"], "csi": csi, "persistentVolumeReclaimPolicy": "Retain",
                    "volumeMode": "Filesystem"},
                   {"accessModes": ["ReadWriteOnce"], "local": {"path": "/x"}, "csi": csi},
                   {"accessModes": ["ReadWriteOnce"], "csi": csi, "persistentVolumeReclaimPolicy": "Bogus"}):
        probes.append(authz21("POST", "/apis/storage.k8s.io/v1/volumeattachments", "dryRun=All", {
            "metadata": {"name": "va21"}, "spec": {"attacher": "d", "nodeName": NODE21, "source": {"inlineVolumeSpec": inline}}}))
    for name in ("azure", "ceph", "flex", "iscsi", "rbd", "scaleio", "storageos", "cinder", "pv-controllerpublish", "pv-nodestage",
                 "pv-nodepublish", "pv-controllerexpand"):
        probes.append(authz21("GET", f"{ns}/secrets/s-{name}", headers=KUBELET21))
    probes += [authz21("GET", f"{ns}/persistentvolumeclaims/vols21-eph", headers=KUBELET21),
               authz21("GET", f"{ns}/persistentvolumeclaims/pvc21", headers=KUBELET21),
               authz21("GET", "/api/v1/persistentvolumes/pv21", headers=KUBELET21),
               authz21("GET", f"{ns}/configmaps/kube-root-ca.crt", headers=KUBELET21),
               authz21("GET", "/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt", headers=KUBELET21),
               authz21("PATCH", f"{ns}/pods/p-a/status", "dryRun=All", {"metadata": {"labels": {"a": "b"}}}, headers=KUBELET21),
               authz21("PATCH", f"{ns}/pods/p-a/status", "dryRun=All", {"metadata": {"annotations": {"a": "b"}}},
                       headers=KUBELET21),
               authz21("PATCH", f"{ns}/pods/p-a/ephemeralcontainers", "dryRun=All", {"spec": {"ephemeralContainers": [
                   {"name": "e", "image": IMAGE}]}}, headers=KUBELET21),
               authz21("PATCH", f"{ns}/pods/p-a", "dryRun=All", {"metadata": {"labels": {"a": "b"}}}, headers=KUBELET21),
               authz21("DELETE", f"{ns}/pods/p-b", "dryRun=All", headers=KUBELET21),
               authz21("DELETE", f"{ns}/pods/p-a", "dryRun=All", headers=KUBELET21),
               authz21("DELETE", f"{ns}/pods", "dryRun=All", headers=KUBELET21),
               authz21("GET", f"{ns}/serviceaccounts/sa21", headers=KUBELET21),
               authz21("GET", "/api/v1/nodes", "watch=1&timeoutSeconds=1", headers=KUBELET21),
               authz21("GET", f"/api/v1/nodes/{OTHER21}", headers=KUBELET21)]
    csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    for common_name, signer, usages in ((f"system:node:{NODE21}", "kubernetes.io/kube-apiserver-client-kubelet", ["client auth"]),
                                        (f"system:node:{OTHER21}", "kubernetes.io/kube-apiserver-client-kubelet",
                                         ["client auth"]),
                                        (f"system:node:{NODE21}", "kubernetes.io/kubelet-serving", ["server auth"]),
                                        ("admin", "kubernetes.io/kube-apiserver-client", ["client auth"])):
        probes.append(authz21("POST", csrs, "dryRun=All", {"metadata": {"name": "n21"}, "spec": {
            "request": csr_request(common_name), "signerName": signer, "usages": usages}}, headers=KUBELET21))
    probes += [authz21("GET", csrs, headers=KUBELET21), authz21("GET", f"{csrs}/{NAMESPACE}-csr", headers=KUBELET21),
               authz21("DELETE", f"{csrs}/{NAMESPACE}-csr", "dryRun=All", headers=KUBELET21)]
    return probes


def authz21_impersonation_probes() -> list[Probe]:
    """Who a request becomes, read from the spec of a CSR it creates (dry run): a uid, extras whose
    keys are percent-encoded (well and badly, in any case), repeated and empty, system:anonymous,
    a service account by its user name (valid and not), groups without a user; a token of a
    deleted service account, or of one not allowed to impersonate, with Impersonate-User."""
    csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    probes = []
    for headers in (as_user("x21") + (("Impersonate-Uid", "u-21"),),
                    as_user("x21") + (("Impersonate-Uid", ""),),
                    as_user("x21") + (("Impersonate-Extra-Foo%2Fbar", "a"),),
                    as_user("x21") + (("Impersonate-Extra-foo%2fBAR", "a"),),
                    as_user("x21") + (("Impersonate-Extra-Foo%zz", "a"),),
                    as_user("x21") + (("Impersonate-Extra-%41%42", "a"),),
                    as_user("x21") + (("Impersonate-Extra-a%2Fb%zz", "a"),),
                    as_user("x21") + (("Impersonate-Extra-Scopes", "a,b"), ("Impersonate-Extra-scopes", "c")),
                    as_user("x21") + (("Impersonate-Extra-Scopes", ""),),
                    as_user("x21") + (("Impersonate-Extra-%E2%9C%93", "v"),),
                    as_user("x21") + (("Impersonate-Extra-a%20b", "v"),),
                    as_user("x21", "g21", "g21"), as_user("x21", "system:authenticated"),
                    as_user("x21", "system:unauthenticated"), as_user("system:anonymous"),
                    as_user("system:anonymous", "system:authenticated"),
                    as_user(f"system:serviceaccount:{NS21}:sa21"),
                    as_user(f"system:serviceaccount:{NS21}:sa21", "g21"),
                    as_user(f"system:serviceaccount:{NS21}:sa21") + (("Impersonate-Uid", "u-21"),),
                    as_user(f"system:serviceaccount:{NS21}"), as_user(f"system:serviceaccount:{NS21}:sa21:x"),
                    as_user("system:serviceaccount:Bad_NS:sa21"), as_user("g21-user", "g21"),
                    as_user("system:node:diff21-a", "g21"),
                    (("Impersonate-User", "x21"), ("Impersonate-User", "g21-user")),
                    (("Impersonate-User", " x21 "),), as_user("x21") + (("Impersonate-Group", ""),),
                    as_user("x21") + (("Impersonate-Uid", "u1"), ("Impersonate-Uid", "u2")),
                    as_user("x21") + (("Impersonate-Extra-k", "%41"), ("Impersonate-Extra-k", " v ")),
                    as_user("x21") + (("Impersonate-Extra-K_1", "v"),), as_user("x21") + (("Impersonate-Extra-a.b", "v"),),
                    (("impersonate-user", "x21"), ("impersonate-group", "g21"), ("impersonate-extra-Ab", "v")),
                    (("Impersonate_User", "x21"),), as_user("x21") + (("Impersonate-Extra-" + "k" * 200, "v"),),
                    as_user("x21") + (("Impersonate-Extra-%2525", "v"),), as_user("x21") + (("Impersonate-Extra-%", "v"),),
                    as_user("x21") + (("Impersonate-Extra-k%3Av", "v"),), as_user("x21") + (("Impersonate-Extra-k", ""),
                                                                                       ("Impersonate-Extra-k", "")),
                    as_user("x21") + (("Impersonate-Uid", " u "),), as_user("x21", " g21")):
        probes.append(authz21("POST", csrs, "dryRun=All", CSR21, headers=headers, compare=True, observe="spec"))
    cm = f"/api/v1/namespaces/{NS21}/configmaps/cm-a"
    for user, headers in (("admin", (("Impersonate-Group", "g21"),)), ("admin", (("Impersonate-Uid", "u"),)),
                          ("admin", (("Impersonate-Extra-a%2Fb", "v"),)),
                          ("admin", (("Impersonate-User", ""), ("Impersonate-Group", "g21"))),
                          (ANONYMOUS, (("Authorization", "Bearer $TOKEN20:gone21"), ("Impersonate-User", "x21"))),
                          (ANONYMOUS, (("Authorization", "Bearer $TOKEN20:sa21"), ("Impersonate-User", "x21"))),
                          (ANONYMOUS, (("Authorization", "Bearer $TOKEN20:sa21"), ("Impersonate-Uid", "u"))),
                          (ANONYMOUS, (("Impersonate-User", "x21"),)), (USER, (("Impersonate-User", "x21"),)),
                          ("diff-impersonator20", as_user("x") + (("Impersonate-Uid", "u1"),)),
                          ("diff-impersonator20", as_user("x") + (("Impersonate-Uid", "u2"),)),
                          ("diff-impersonator20", as_user("x") + (("Impersonate-Extra-Scopes", "a"),
                                                                  ("Impersonate-Extra-Scopes", "b"))),
                          ("diff-impersonator20", as_user("x") + (("Impersonate-Extra-scopes%2F", "a"),)),
                          ("diff-impersonator20", as_user("system:anonymous")),
                          ("admin", as_user("x21") + (("Impersonate-Extra-", "v"),)),
                          ("admin", as_user("x21") + (("Impersonate-Extra-%", "v"),)),
                          ("diff-impersonator20", as_user("x") + (("Impersonate-Extra-SCOPES", "a"),)),
                          ("diff-impersonator20", as_user("x") + (("Impersonate-Extra-%73copes", "a"),)),
                          ("diff-impersonator", as_user(f"system:serviceaccount:{NS21}:sa21")),
                          ("diff-impersonator", as_user(f"system:serviceaccount:{NS21}:sa21", "g:1")),
                          ("diff-impersonator", as_user("bob", "g:1", "g:2")),
                          ("diff-impersonator", as_user("system:serviceaccount:Bad_NS:sa21"))):
        probes.append(authz21("GET", cm, user=user, headers=headers))
    return probes


def authz21_token_probes() -> list[Probe]:
    """Tokens of a pod deleted and made again under the same name, of a deleted account, with
    audiences of their own (and the API's beside), of an expiration of 2^32 seconds; presented to
    the API and reviewed (the status compared)."""
    cm, reviews = f"/api/v1/namespaces/{NS21}/configmaps/cm-a", "/apis/authentication.k8s.io/v1/tokenreviews"
    probes = []
    for name in ("again21", "gone21", "aud21", "aud21-both", "long21", "sa21", "again-sa21", "term-sa21", "term-s21",
                 "term21", "grace21"):
        probes += [authz21("GET", cm, user=ANONYMOUS, headers=(("Authorization", f"Bearer $TOKEN20:{name}"),)),
                   authz21("POST", reviews, body={"spec": {"token": f"$TOKEN20:{name}"}}, compare=True),
                   authz21("POST", reviews, body={"spec": {"token": f"$TOKEN20:{name}", "audiences": ["a21"]}}, compare=True)]
    probes += [authz21("POST", reviews, body={"spec": {"token": "$TOKEN20:aud21", "audiences": ["b21", "a21"]}}, compare=True),
               authz21("POST", reviews, body={"spec": {"token": "$TOKEN20:sa21", "audiences": [""]}}, compare=True)]
    return probes


def authz21_discovery_probes() -> list[Probe]:
    """Discovery and non-resource paths asked by a user bound to nothing (and without credentials):
    what system:discovery, system:basic-user and system:public-info-viewer give, and what they do
    not; the rules reviews of such users, compared whole."""
    probes = []
    for path in ("/api", "/api/", "/api/v1", "/apis", "/apis/", "/apis/x", "/apis/apps", "/apis/apps/v1", "/apis/x/v1",
                 "/openapi/v2", "/openapi/v3", "/openapi/v3/apis/apps/v1", "/version", "/version/", "/healthz",
                 "/healthz/etcd", "/healthz/ping", "/healthz/x", "/livez/etcd", "/readyz/shutdown", "/metrics",
                 "/metrics/slis", "/logs", "/logs/", "/debug/pprof", "/debug/pprof/", "/debug/flags/v", "/configz",
                 "/.well-known/openid-configuration", "/openid/v1/jwks", "/swagger.json", "/ui", "/apis/apps/v1/x"):
        probes += [authz21("GET", path, user=who) for who in (USER, ANONYMOUS)]
    for path in ("/healthz", "/metrics", "/api", "/version", "/logs/", "/openapi/v2"):
        probes += [authz21("GET", path, headers=headers) for headers in (
            KUBELET21, as_user("x21"), as_user("system:anonymous"), as_user(f"system:serviceaccount:{NS21}:sa21"))]
    probes += [authz21("GET", path, headers=KUBELET21) for path in (
        f"/api/v1/nodes/{NODE21}/proxy/healthz", f"/api/v1/nodes/{NODE21}/proxy/metrics", f"/api/v1/nodes/{NODE21}/stats",
        f"/api/v1/namespaces/{NS21}/pods/p-a/log", f"/api/v1/namespaces/{NS21}/pods/p-a/exec")]
    authorization = "/apis/authorization.k8s.io/v1"
    probes += [authz21("POST", f"{authorization}/selfsubjectrulesreviews", body={"spec": {"namespace": namespace}}, user=who,
                       compare=True) for who in (USER, ANONYMOUS) for namespace in (NS21, "")]
    probes += [authz21("POST", f"{authorization}/selfsubjectrulesreviews", body={"spec": {"namespace": namespace}},
                       headers=KUBELET21, compare=True) for namespace in (NS21, "kube-node-lease")]
    node_attributes = [{"verb": "get", "resource": "secrets", "namespace": NS21, "name": "s-a"},
                       {"verb": "get", "resource": "secrets", "namespace": NS21, "name": "s-b"},
                       {"verb": "list", "resource": "secrets", "namespace": NS21, "name": "s-a"},
                       {"verb": "watch", "resource": "configmaps", "namespace": NS21, "name": "cm-a"},
                       {"verb": "get", "resource": "persistentvolumeclaims", "namespace": NS21, "name": "pvc-a"},
                       {"verb": "update", "resource": "persistentvolumeclaims", "subresource": "status", "namespace": NS21,
                        "name": "pvc-a"},
                       {"verb": "get", "resource": "persistentvolumes", "name": "pv21"},
                       {"verb": "create", "resource": "serviceaccounts", "subresource": "token", "namespace": NS21,
                        "name": "sa21"},
                       {"verb": "get", "group": "coordination.k8s.io", "resource": "leases", "namespace": "kube-node-lease",
                        "name": OTHER21},
                       {"verb": "list", "group": "coordination.k8s.io", "resource": "leases", "namespace": "kube-node-lease"},
                       {"verb": "delete", "group": "storage.k8s.io", "resource": "csinodes", "name": NODE21},
                       {"verb": "get", "group": "storage.k8s.io", "resource": "csinodes", "subresource": "x", "name": NODE21},
                       {"verb": "get", "resource": "secrets", "namespace": NS21, "name": "s-pv-nodepublish"},
                       {"verb": "get", "resource": "secrets", "namespace": NS21, "name": "s-pv-controllerpublish"}]
    probes += [authz21("POST", f"{authorization}/selfsubjectaccessreviews", body={"spec": {"resourceAttributes": attributes}},
                       headers=KUBELET21, compare=True) for attributes in node_attributes]
    probes += [authz21("POST", f"{authorization}/subjectaccessreviews", body={"spec": {
        "user": f"system:node:{NODE21}", "groups": ["system:nodes"], "resourceAttributes": attributes}}, compare=True)
        for attributes in node_attributes[:4]]
    probes += [authz21("POST", f"{authorization}/selfsubjectaccessreviews", body={"spec": {"nonResourceAttributes": {
        "path": path, "verb": verb}}}, user=USER, compare=True) for path, verb in (
        ("/api", "get"), ("/apis/x", "get"), ("/healthz/etcd", "get"), ("/metrics", "get"), ("/version", "post"),
        ("/openapi/v3/x", "get"), ("/logs", "get"))]
    return probes


def authz21_rbac_probes() -> list[Probe]:
    """An aggregating ClusterRole read and edited by hand (nothing aggregates it here); escalate
    on roles without bind, bind without escalate; resourceNames `*` (a name like any other);
    nonResourceURLs beside apiGroups `*` or resources, and in a Role."""
    roles, bindings = f"{RBAC}/namespaces/{NS21}/roles", f"{RBAC}/namespaces/{NS21}/rolebindings"
    agg = f"{RBAC}/clusterroles/agg21"
    secrets = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    probes = [authz21("GET", agg, compare=True, observe="rules"),
              authz21("PUT", agg, "dryRun=All", {"metadata": {"name": "agg21"}, "rules": secrets, "aggregationRule": {
                  "clusterRoleSelectors": [{"matchLabels": {"diff21/aggregate": "true"}}]}}, compare=True, observe="rules"),
              authz21("PATCH", agg, "dryRun=All", {"rules": secrets}, compare=True, observe="rules"),
              authz21("PATCH", agg, "dryRun=All", {"rules": secrets}, headers=as_user("a21-escalator")),
              authz21("PATCH", f"{RBAC}/clusterroles/part21", "dryRun=All", {"metadata": {"labels": None}},
                      compare=True, observe="rules")]
    for who in ("escalator", "binder"):
        probes += [authz21("POST", roles, "dryRun=All", {"metadata": {"name": "e21"}, "rules": secrets},
                           headers=as_user(f"a21-{who}")),
                   authz21("PUT", f"{roles}/r21-secrets", "dryRun=All", {"metadata": {"name": "r21-secrets"}, "rules": [
                       {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}, headers=as_user(f"a21-{who}"))]
        probes += [authz21("POST", bindings, "dryRun=All", {"metadata": {"name": "e21"}, "subjects": [rbac_user("x")],
                                                            "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": name}},
                           headers=as_user(f"a21-{who}"))
                   for kind, name in (("Role", "r21-secrets"), ("ClusterRole", "admin"), ("ClusterRole", "a21-starname"),
                                      ("ClusterRole", f"a21-{who}"), ("ClusterRole", "agg21"), ("ClusterRole", "absent21"))]
    cm = f"/api/v1/namespaces/{NS21}/configmaps"
    probes += [authz21("GET", f"{cm}/cm-a", headers=as_user("a21-starname")),
               authz21("GET", f"{cm}/*", headers=as_user("a21-starname")),
               authz21("GET", cm, headers=as_user("a21-starname")),
               authz21("GET", cm, "fieldSelector=metadata.name%3D*", headers=as_user("a21-starname")),
               authz21("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body={"spec": {
                   "user": "a21-starname", "resourceAttributes": {"verb": "get", "resource": "configmaps",
                                                                  "namespace": NS21, "name": "*"}}}, compare=True),
               authz21("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body={"spec": {
                   "user": "a21-starname", "resourceAttributes": {"verb": "get", "resource": "configmaps",
                                                                  "namespace": NS21, "name": "cm-a"}}}, compare=True)]
    for rule in ({"apiGroups": ["*"], "nonResourceURLs": ["/x"], "verbs": ["get"]},
                 {"resources": ["*"], "nonResourceURLs": ["/x"], "verbs": ["get"]},
                 {"apiGroups": ["*"], "resources": ["*"], "nonResourceURLs": ["*"], "verbs": ["*"]},
                 {"apiGroups": [], "resources": [], "nonResourceURLs": ["/x"], "verbs": ["get"]},
                 {"nonResourceURLs": ["/x"], "verbs": []}, {"nonResourceURLs": [], "verbs": ["get"]},
                 {"resourceNames": ["a"], "nonResourceURLs": ["/x"], "verbs": ["get"]},
                 {"apiGroups": ["*"], "verbs": ["get"]}, {"resources": ["*"], "verbs": ["get"]}):
        probes += [authz21("POST", f"{RBAC}/clusterroles", "dryRun=All", {"metadata": {"name": "n21"}, "rules": [rule]}),
                   authz21("POST", roles, "dryRun=All", {"metadata": {"name": "n21"}, "rules": [rule]})]
    return probes


def authz21_probes() -> list[Probe]:
    return (authz21_setup() + authz21_node_probes() + authz21_impersonation_probes() + authz21_token_probes()
            + authz21_discovery_probes() + authz21_rbac_probes())

AGGREGATED = {"group": "custom.metrics.k8s.io", "version": "v1beta2", "groupPriorityMinimum": 100, "versionPriority": 200,
              "service": {"namespace": "kube-system", "name": "custom-metrics"}}
CSR = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
       "metadata": {"name": f"{NAMESPACE}-csr"},
       "spec": {"request": csr_request(USER), "signerName": "kubernetes.io/kube-apiserver-client",
                "usages": ["client auth"]}}
WRONG_MEDIA = ["text/plain", "application/x-bogus", ""]


def kind_named(plural: str) -> Kind:
    return next(k for k in KINDS if k.plural == plural)


def write_probes(target: str, valid: dict, bad: list[dict], query_text: str = "dryRun=All") -> list[Probe]:
    """PUTs of a valid body, of bad ones and of the valid one as the wrong media type, and the verbs
    the subresource does not serve."""
    probes = [Probe("subresource", "PUT", target, query_text, JSON, encode(valid))]
    probes += [Probe("subresource", "PUT", target, query_text, JSON, encode(body)) for body in bad]
    probes += [Probe("subresource", "PUT", target, query_text, media, encode(valid)) for media in WRONG_MEDIA]
    probes += [Probe("subresource", "PUT", target, query_text, JSON, body) for body in (b"{", b"[]", b"")]
    probes += [Probe("subresource", "POST", target, query_text, JSON, encode(valid)),
               Probe("subresource", "DELETE", target, query_text)]
    return probes


def status_probes(kind: Kind, bad_status: list[dict]) -> list[Probe]:
    target = f"{kind.collection()}/{kind.existing}/status"
    valid = kind.object(kind.existing)
    bad = [{**valid, "status": status} for status in bad_status]
    bad += [{**valid, "kind": "Other"}, {**valid, "apiVersion": "v9"}, kind.object("other"),
            {**valid, "metadata": {**valid["metadata"], "resourceVersion": "1"}}, {**valid, "status": "x"}]
    probes = [Probe("subresource", "GET", target)] + write_probes(target, valid, bad)
    probes += [Probe("subresource", "PATCH", target, "dryRun=All", MERGE, encode({"status": status}))
               for status in bad_status]
    probes += [Probe("subresource", "PATCH", target, "dryRun=All", MERGE, body)
               for body in (b"{", b'{"status":"x"}', b'{"metadata":{"name":"other"}}')]
    probes += [Probe("subresource", "PATCH", target, "dryRun=All", media, b"{}") for media in WRONG_MEDIA]
    return probes


def scale_probes(kind: Kind) -> list[Probe]:
    target = f"{kind.collection()}/{kind.existing}/scale"
    valid = {"apiVersion": "autoscaling/v1", "kind": "Scale",
             "metadata": {"name": kind.existing, "namespace": NAMESPACE}, "spec": {"replicas": 2}}
    bad = [{**valid, "spec": {"replicas": -1}}, {**valid, "spec": {"replicas": "x"}}, {**valid, "spec": "x"},
           {**valid, "kind": kind.kind}, {**valid, "apiVersion": "autoscaling/v2"}, {**valid, "kind": "Other"},
           {**valid, "metadata": {"name": "other", "namespace": NAMESPACE}},
           {**valid, "metadata": {**valid["metadata"], "resourceVersion": "1"}},
           {**valid, "metadata": {**valid["metadata"], "resourceVersion": "x"}},
           {**valid, "metadata": {"name": kind.existing, "namespace": "other"}},
           {"apiVersion": "autoscaling/v1", "kind": "Scale"}, {},
           {**valid, "metadata": {"name": kind.existing}}, {**valid, "metadata": {**valid["metadata"], "uid": "x"}}]
    probes = [Probe("subresource", "GET", target), Probe("subresource", "GET", f"{kind.collection()}/absent/scale")]
    probes += write_probes(target, valid, bad)
    probes += [Probe("subresource", "PATCH", target, "dryRun=All", MERGE, body) for body in (
        b'{"spec":{"replicas":-1}}', b'{"spec":{"replicas":"x"}}', b'{"spec":{"replicas":3}}', b"{",
        b'{"metadata":{"resourceVersion":"1"},"spec":{"replicas":3}}', b'{"metadata":{"uid":"x"}}',
        b'{"metadata":{"namespace":null}}')]
    probes += [Probe("subresource", "PATCH", target, "dryRun=All", JSON_PATCH,
                     b'[{"op":"replace","path":"/spec/replicas","value":-2}]'),
               Probe("subresource", "PATCH", target, "dryRun=All", STRATEGIC, b'{"spec":{"replicas":-1}}'),
               Probe("subresource", "PATCH", target, "dryRun=All", "application/x-bogus", b"{}"),
               Probe("subresource", "PUT", f"{kind.collection()}/absent/scale", "dryRun=All", JSON,
                     encode({**valid, "metadata": {"name": "absent", "namespace": NAMESPACE}}))]
    return probes


def pod_probes() -> list[Probe]:
    pods = KINDS[0]
    pod = f"{pods.collection()}/{pods.existing}"
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": pods.existing},
               "target": {"apiVersion": "v1", "kind": "Node", "name": "n1"}}
    bindings = [binding, {**binding, "target": {}}, {**binding, "target": {"kind": "Pod", "name": "n1"}},
                {**binding, "target": "x"}, {**binding, "kind": "Pod"}, {**binding, "metadata": {"name": "other"}},
                {**binding, "metadata": {}}, {**binding, "apiVersion": "v9"}, {}]
    probes = [Probe("subresource", "POST", f"{pod}/binding", "dryRun=All", JSON, encode(body)) for body in bindings]
    probes += [Probe("subresource", "POST", f"{pod}/binding", "dryRun=All", media, encode(binding))
               for media in WRONG_MEDIA]
    probes += [Probe("subresource", "POST", f"{pods.collection()}/absent/binding", "dryRun=All", JSON,
                     encode({**binding, "metadata": {"name": "absent"}})),
               Probe("subresource", "POST", f"{pods.collection()}/bindings", "dryRun=All", JSON, encode(binding)),
               Probe("subresource", "PUT", f"{pod}/binding", "dryRun=All", JSON, encode(binding)),
               Probe("subresource", "POST", f"{pod}/binding", "dryRun=All", JSON, b"{"),
               # Only pods/binding assigns a node: an update setting nodeName is refused.
               Probe("subresource", "PATCH", pod, "dryRun=All", MERGE,
                     encode({"spec": {"nodeName": "n1"}}))]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pods.existing}}
    evictions = [eviction, {**eviction, "metadata": {"name": "other"}}, {**eviction, "apiVersion": "policy/v9"},
                 {**eviction, "kind": "DeleteOptions"}, {**eviction, "deleteOptions": {"gracePeriodSeconds": -5}},
                 {**eviction, "deleteOptions": {"propagationPolicy": "Bogus"}},
                 {**eviction, "deleteOptions": {"preconditions": {"uid": "not-the-uid"}}},
                 {**eviction, "deleteOptions": "x"}, {**eviction, "apiVersion": "policy/v1beta1"}, {}]
    probes += [Probe("subresource", "POST", f"{pod}/eviction", "dryRun=All", JSON, encode(body)) for body in evictions]
    probes += [Probe("subresource", "POST", f"{pod}/eviction", "dryRun=All", media, encode(eviction))
               for media in WRONG_MEDIA]
    probes += [Probe("subresource", method, f"{pod}/eviction") for method in ("GET", "PUT", "DELETE")]
    probes.append(Probe("subresource", "POST", f"{pods.collection()}/absent/eviction", "dryRun=All", JSON,
                        encode({**eviction, "metadata": {"name": "absent"}})))
    debug = {"name": "debugger", "image": IMAGE}
    ephemeral = [{"ephemeralContainers": [debug]}, {"ephemeralContainers": [{"name": "debugger"}]},
                 {"ephemeralContainers": [{**debug, "name": "c"}]},
                 {"ephemeralContainers": [{**debug, "ports": [{"containerPort": 80}]}]},
                 {"ephemeralContainers": [{**debug, "resources": {"limits": {"cpu": "1"}}}]},
                 {"ephemeralContainers": [{**debug, "name": "UPPER"}]}, {"ephemeralContainers": "x"}]
    valid_pod = pods.object(pods.existing)
    probes.append(Probe("subresource", "GET", f"{pod}/ephemeralcontainers"))
    probes += [Probe("subresource", "PATCH", f"{pod}/ephemeralcontainers", "dryRun=All", STRATEGIC,
                     encode({"spec": spec})) for spec in ephemeral]
    probes += [Probe("patch", "PATCH", pod, "dryRun=All", STRATEGIC, body) for body in (
        b'{"spec":{"containers":[{"name":"c","image":"x"}],"$setElementOrder/containers":[{"name":"zz"}]}}',
        b'{"spec":{"$setElementOrder/containers":[{"image":"x"}]}}',
        b'{"spec":{"volumes":[{"name":"v","emptyDir":{},"$retainKeys":["bogus"]}]}}', b'{"spec":{"containers":[1]}}')]
    probes.append(Probe("subresource", "PUT", f"{pod}/status", "dryRun=All", JSON,
                        encode({**valid_pod, "metadata": {"name": pods.existing, "uid": "x"}})))
    probes += [Probe("subresource", "PUT", f"{pod}/ephemeralcontainers", "dryRun=All", JSON,
                     encode({**valid_pod, "spec": {**valid_pod["spec"], **spec}})) for spec in ephemeral[:3]]
    probes += [Probe("subresource", method, f"{pod}/ephemeralcontainers", "dryRun=All", JSON, encode(valid_pod))
               for method in ("POST", "DELETE")]
    probes += [Probe("subresource", "GET", f"{pod}/log", text) for text in (
        "tailLines=-1", "sinceSeconds=0", "container=missing", "limitBytes=x", "limitBytes=0", "sinceSeconds=x",
        "sinceTime=yesterday", "sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z", "previous=maybe", "follow=maybe",
        "timestamps=maybe", "tailLines=x", "insecureSkipTLSVerifyBackend=maybe", "")]
    probes.append(Probe("subresource", "GET", f"{pods.collection()}/absent/log"))
    probes += [Probe("subresource", method, f"{pod}/log", "", JSON, b"{}") for method in ("POST", "PUT", "DELETE")]
    probes += status_probes(pods, [{"phase": "Bogus"}, {"conditions": [{"type": "Ready", "status": "Maybe"}]},
                                   {"podIP": "bogus"}, {"podIPs": [{"ip": "x"}]},
                                   {"containerStatuses": [{"name": "c", "restartCount": -1}]}])
    ips = [["10.0.0.1", "10.0.0.2"], ["10.0.0.1", "fd00::1", "10.0.0.1"], ["10.0.0.1", "x"], ["fd00::1", "10.0.0.1"],
           ["fd00::1", "fd00::1"]]
    statuses = [{"podIPs": [{"ip": ip} for ip in pair]} for pair in ips]
    statuses += [{"podIP": "10.0.0.3", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]},
                 {"conditions": [{"type": condition_type, "status": "True"}
                                 for condition_type in ("PodScheduled", "a b", "example.com/Custom", "a/b/c")]},
                 {"nominatedNodeName": "UPPER"}, {"nominatedNodeName": "n" * 254}, {"nominatedNodeName": "node-1"}]
    probes += status_probes_at(f"{pod}/status", valid_pod, statuses)
    running = {"running": {"startedAt": "2024-01-01T00:00:00Z"}}
    return probes + status_probes_at(f"{pods.collection()}/{NAMESPACE}-never/status", finished_pod(), [
        {"containerStatuses": [{**status, "state": running} for status in NEVER_STATUS["containerStatuses"]]},
        {"initContainerStatuses": [{**NEVER_STATUS["initContainerStatuses"][0], "state": {}}]},
        {"ephemeralContainerStatuses": [{**NEVER_STATUS["ephemeralContainerStatuses"][0], "state": running}]},
        {"containerStatuses": [{"name": "other", "state": running}]}])


def terminated(name: str, exit_code: int) -> dict:
    return {"name": name, "ready": False, "restartCount": 0, "image": IMAGE, "imageID": "",
            "state": {"terminated": {"exitCode": exit_code, "startedAt": "2024-01-01T00:00:00Z",
                                     "finishedAt": "2024-01-01T00:01:00Z"}}}


NEVER_STATUS = {"phase": "Failed", "containerStatuses": [terminated("c", 0), terminated("d", 1)],
                "initContainerStatuses": [terminated("i", 0)], "ephemeralContainerStatuses": [terminated("e", 2)]}


def finished_pod() -> dict:
    """The pod that never restarts a container; setup_probes terminates them all (NEVER_STATUS)."""
    never = KINDS[0].object(f"{NAMESPACE}-never")
    never["spec"] = {**never["spec"], "restartPolicy": "Never", "initContainers": [{"name": "i", "image": IMAGE}]}
    return never


def token_probes() -> list[Probe]:
    accounts = kind_named("serviceaccounts")
    target = f"{accounts.collection()}/{accounts.existing}/token"
    valid = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
             "spec": {"audiences": ["a"], "expirationSeconds": 3600}}
    specs = [{"audiences": "a"}, {"audiences": [""]}, {"audiences": []}, {"expirationSeconds": 10},
             {"expirationSeconds": 599}, {"expirationSeconds": 2 ** 33}, {"expirationSeconds": "x"},
             {"expirationSeconds": -1},
             {"boundObjectRef": {"kind": "ConfigMap", "apiVersion": "v1", "name": f"{NAMESPACE}-probe"}},
             {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "absent"}},
             {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": f"{NAMESPACE}-probe", "uid": "not-the-uid"}},
             {"boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": f"{NAMESPACE}-probe"}},
             {"boundObjectRef": {"kind": "Pod", "apiVersion": "v2", "name": f"{NAMESPACE}-probe"}},
             {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1"}}, {"boundObjectRef": "x"}]
    bodies = [valid] + [{**valid, "spec": {**valid["spec"], **spec}} for spec in specs]
    bodies += [{**valid, "kind": "Other"}, {**valid, "apiVersion": "authentication.k8s.io/v9"},
               {**valid, "metadata": {"name": "other"}}, {**valid, "metadata": {"namespace": "other"}}, {}]
    probes = [Probe("subresource", "POST", target, "", JSON, encode(body)) for body in bodies]
    probes += [Probe("subresource", "POST", target, "", media, encode(valid)) for media in WRONG_MEDIA]
    probes += [Probe("subresource", "POST", target, "dryRun=All", JSON, encode(valid)),
               Probe("subresource", "POST", target, "", JSON, b"{"),
               Probe("subresource", "POST", f"{accounts.collection()}/absent/token", "", JSON, encode(valid))]
    probes += [Probe("subresource", method, target, "", JSON, encode(valid)) for method in ("GET", "PUT", "DELETE")]
    return probes


def namespace_probes() -> list[Probe]:
    namespaces = KINDS[6]
    target = f"{namespaces.collection()}/{namespaces.existing}/finalize"
    valid = {**namespaces.object(namespaces.existing), "spec": {"finalizers": ["kubernetes"]}}
    bad = [{**valid, "spec": {"finalizers": [finalizer]}} for finalizer in ("UPPER", "a/b/c", "", "example.com/")]
    bad += [{**valid, "spec": {"finalizers": "x"}}, {**valid, "kind": "Other"}, namespaces.object("other"),
            {**valid, "metadata": {**valid["metadata"], "resourceVersion": "1"}}]
    probes = [Probe("subresource", "GET", target)] + write_probes(target, valid, bad)
    probes.append(Probe("subresource", "PATCH", target, "dryRun=All", MERGE, b'{"spec":{"finalizers":["UPPER"]}}'))
    return probes + status_probes(namespaces, [{"phase": "Bogus"}, {"conditions": "x"},
                                               {"conditions": [{"type": "", "status": "True"}]}])


def csr_probes() -> list[Probe]:
    target = f"/apis/certificates.k8s.io/v1/certificatesigningrequests/{CSR['metadata']['name']}"
    condition = {"type": "Approved", "status": "True", "reason": "R", "message": "m"}
    conditions = [[condition], [{**condition, "status": "Maybe"}], [{**condition, "status": ""}],
                  [condition, {**condition, "type": "Denied"}], [condition, condition], [{**condition, "type": ""}],
                  [{**condition, "type": "Failed"}], [{**condition, "type": "Custom"}], [{"type": "Approved"}], "x"]
    bodies = [{**CSR, "status": {"conditions": c}} for c in conditions]
    probes = [Probe("subresource", "GET", f"{target}/approval")]
    probes += write_probes(f"{target}/approval", bodies[0], bodies[1:] + [
        {**bodies[0], "spec": {**CSR["spec"], "usages": ["server auth"]}}, {**bodies[0], "kind": "Other"},
        {**bodies[0], "metadata": {"name": "other"}}])
    probes.append(Probe("subresource", "PATCH", f"{target}/approval", "dryRun=All", MERGE,
                      encode({"status": {"conditions": [{**condition, "status": "Maybe"}]}})))
    statuses = [{"certificate": "eA=="}, {"certificate": "x"}, {"certificate": ""},
                {"conditions": [{**condition, "type": "Failed"}]}, {"conditions": [condition]}]
    return probes + status_probes_at(f"{target}/status", CSR, statuses)


def status_probes_at(target: str, valid: dict, bad_status: list[dict]) -> list[Probe]:
    probes = [Probe("subresource", "GET", target)]
    probes += [Probe("subresource", "PUT", target, "dryRun=All", JSON, encode({**valid, "status": status}))
               for status in bad_status]
    probes += [Probe("subresource", "PATCH", target, "dryRun=All", MERGE, encode({"status": status}))
               for status in bad_status]
    return probes


def subresource_probes() -> list[Probe]:
    probes = pod_probes() + token_probes()
    for plural in ("deployments", "replicasets", "statefulsets", "replicationcontrollers"):
        probes += scale_probes(kind_named(plural))
    address = {"type": "InternalIP", "address": "10.0.0.1"}
    probes += status_probes(kind_named("nodes"), [
        {"capacity": {"cpu": "x"}}, {"addresses": [{"type": "Bogus", "address": "a"}]}, {"conditions": "x"},
        {"allocatable": {"cpu": "-1"}}, {"daemonEndpoints": {"kubeletEndpoint": {"Port": -1}}},
        {"addresses": [address, {**address, "type": "ExternalIP"}, address, address]},
        {"capacity": {"pods": "1.5"}, "allocatable": {"pods": "-1"}}])
    probes += status_probes(kind_named("persistentvolumeclaims"), [
        {"capacity": {"storage": "-1Gi"}}, {"capacity": {"storage": "-1m"}}, {"phase": "Bogus"},
        {"conditions": [{"type": "a b", "status": "Maybe"}]}, {"accessModes": ["Bogus"]}])
    probes += status_probes(kind_named("persistentvolumes"), [{"phase": "Bogus"}, {"message": "m"}])
    probes += status_probes(kind_named("resourcequotas"), [
        {"hard": {"pods": "1.5"}}, {"used": {"bogus": "1", "requests.cpu": "-1"}}, {"hard": {"example.com/x": "1"}}])
    probes += namespace_probes() + csr_probes()
    probes += status_probes(kind_named("jobs"), [
        {"active": -1}, {"succeeded": "x"}, {"conditions": [{"type": "Complete", "status": "Maybe"}]},
        {"startTime": "yesterday"}, {"completedIndexes": "x"}, {"uncountedTerminatedPods": {"succeeded": [""]}}])
    probes += status_probes(kind_named("services"), [
        {"loadBalancer": {"ingress": [{"ip": "bogus"}]}}, {"loadBalancer": {"ingress": [{"hostname": "1.2.3.4"}]}},
        {"loadBalancer": "x"}, {"conditions": [{"type": "T", "status": "Maybe"}]},
        {"loadBalancer": {"ingress": [{"ip": "1.2.3.4", "ports": [{"port": -1, "protocol": "TCP"}]}]}}])
    return probes


def proxy_probes() -> list[Probe]:
    """The proxy subresources' refusals, which need no backend: the probe pod has no IP, the probe
    Endpoints' address no pod behind it, the probe node no address; names that do not split,
    objects missing, a dry run, a method not carried, a user without the subresource."""
    pods, services = kind_named("pods").collection(), kind_named("services").collection()
    existing = f"{NAMESPACE}-probe"
    paths = [f"{pods}/{existing}/proxy/x", f"{pods}/{existing}:8080/proxy", f"{pods}/https:{existing}:443/proxy/",
             f"{pods}/a:b:c:d/proxy/x", f"{pods}/ftp:{existing}:80/proxy", f"{pods}/:80/proxy",
             f"{pods}/gone/proxy/x", f"{services}/{existing}:http/proxy/x", f"{services}/{existing}:80/proxy/",
             f"{services}/{existing}:81/proxy", f"{services}/{existing}/proxy/a/b", f"{services}/gone/proxy/",
             f"{services}/gone:80/proxy/", f"/api/v1/nodes/{existing}/proxy/metrics",
             f"/api/v1/nodes/{existing}:9100/proxy", "/api/v1/nodes/gone/proxy",
             f"/api/v1/namespaces/{NAMESPACE}/nodes/{existing}/proxy", f"/api/v1/pods/{existing}/proxy/x"]
    probes = [Probe("proxy", method, path) for path in paths for method in ("GET", "POST")]
    pod_proxy = f"{pods}/{existing}/proxy/x"
    return probes + [Probe("proxy", "GET", pod_proxy, "dryRun=All"), Probe("proxy", "BREW", pod_proxy),
                     Probe("proxy", "OPTIONS", pod_proxy), Probe("proxy", "PATCH", pod_proxy, user=USER),
                     Probe("proxy", "GET", f"/api/v1/nodes/{existing}/proxy", user=NODE_USER)]


MIRROR, TOLERATIONS, DELETION_COST = ("kubernetes.io/config.mirror", "scheduler.alpha.kubernetes.io/tolerations",
                                      "controller.kubernetes.io/pod-deletion-cost")
SECCOMP, SECCOMP_C = "seccomp.security.alpha.kubernetes.io/pod", "container.seccomp.security.alpha.kubernetes.io/c"
APPARMOR_C = "container.apparmor.security.beta.kubernetes.io/c"
POD_ANNOTATIONS = (
    [{DELETION_COST: cost} for cost in ("+10", "abc", "008", "", "2147483648", "-2147483649", "-0", "1_0", " 1")]
    + [{SECCOMP: profile} for profile in ("bogus", "localhost//etc/p", "localhost/../p", "localhost/a/../../b",
                                          "localhost/", "runtime/default", "docker/default")]
    + [{SECCOMP_C: "bogus"}, {SECCOMP_C: "localhost/a/..", SECCOMP: "x"}]
    + [{APPARMOR_C: "bogus"}, {APPARMOR_C: ""}, {APPARMOR_C: "localhost/p"},
       {"container.apparmor.security.beta.kubernetes.io/missing": "unconfined"},
       {"container.apparmor.security.beta.kubernetes.io/": "x"}]
    + [{TOLERATIONS: value} for value in (
        "x", "{}", "[1]", "null", "[", '[{"key":1}]', '[{"key":"a b","operator":"Equal"}]', '[{"operator":"Bogus"}]',
        '[{"key":"k","tolerationSeconds":"x"}]', '[{"key":"k","tolerationSeconds":1.5}]', '[{"KEY":"a b"}]',
        '[{"key":"k","effect":"NoSchedule","tolerationSeconds":5}]', '[{"key":"k","effect":"Bogus"}]',
        '[{"key":"k","operator":"Exists","value":"v"}]', '[{"key":"k","Operator":["Exists"]}]', "[]", "  ")]
    + [{MIRROR: "x"}, {MIRROR: ""}])
NODE_ANNOTATIONS = [{"scheduler.alpha.kubernetes.io/taints": value} for value in (
    "x", "{}", "[1]", '[{"key":"a b","effect":"NoSchedule"}]', '[{"key":"k"}]', '[{"key":"k","effect":"Bogus"}]',
    '[{"key":"k","effect":"NoSchedule"},{"key":"k","effect":"NoSchedule"}]', '[{"key":"k","effect":"NoSchedule",'
    '"timeAdded":"yesterday"}]', '[{"key":"k","effect":"NoSchedule","timeAdded":5}]', '[{"value":7}]')]
NODE_ANNOTATIONS += [{"scheduler.alpha.kubernetes.io/preferAvoidPods": value} for value in (
    "x", "[]", '{"preferAvoidPods":[{}]}', '{"preferAvoidPods":[5]}', '{"preferAvoidPods":[{"podSignature":'
    '{"podController":{"apiVersion":"v1","kind":"ReplicationController","name":"r","uid":"u","controller":false}}}]}',
    '{"preferAvoidPods":[{"podSignature":{"podController":{"kind":7}}}]}',
    '{"preferAvoidPods":[{"podSignature":{"podController":{"kind":"ReplicationController"}}}]}',
    '{"preferAvoidPods":[{"evictionTime":"soon","podSignature":{"podController":{"controller":true}}}]}')]


def annotated(obj: dict, annotations: dict, at: tuple = ("metadata",)) -> dict:
    obj = copy.deepcopy(obj)
    meta = lookup(obj, at)
    meta["annotations"] = {**meta.get("annotations", {}), **annotations}
    return obj


def annotation_probes() -> list[Probe]:
    """Pods created with each annotation, and with some of them on nodeName's pod; the pod's
    annotations patched, through the pod and its status; templates of the workload kinds; nodes
    created with each node annotation and their status patched."""
    pods, nodes = KINDS[0], kind_named("nodes")
    pod = pods.object("annotated")
    probes = [Probe("annotation", "POST", pods.collection(), "dryRun=All", JSON, encode(annotated(pod, annotations)))
              for annotations in POD_ANNOTATIONS]
    on_node = {**pod, "spec": {**pod["spec"], "nodeName": "n1"}}
    probes += [Probe("annotation", "POST", pods.collection(), "dryRun=All", JSON,
                     encode(annotated(on_node, annotations))) for annotations in ({MIRROR: "x"}, {MIRROR: ""})]
    existing = f"{pods.collection()}/{pods.existing}"
    for bad in ({MIRROR: "x"}, {APPARMOR_C: "runtime/default"}, {DELETION_COST: "abc"},
                {TOLERATIONS: "x"}, {SECCOMP: "bogus"}):
        patch = encode({"metadata": {"annotations": bad}})
        probes += [Probe("annotation", "PATCH", target, "dryRun=All", MERGE, patch)
                   for target in (existing, f"{existing}/status")]
    for plural, at in (("deployments", ("spec", "template", "metadata")), ("podtemplates", ("template", "metadata")),
                       ("jobs", ("spec", "template", "metadata")), ("daemonsets", ("spec", "template", "metadata")),
                       ("replicationcontrollers", ("spec", "template", "metadata")),
                       ("statefulsets", ("spec", "template", "metadata")),
                       ("cronjobs", ("spec", "jobTemplate", "spec", "template", "metadata"))):
        kind = kind_named(plural)
        valid = kind.object("annotated")
        lookup(valid, at[:-1]).setdefault("metadata", {})
        probes += [Probe("annotation", "POST", kind.collection(), "dryRun=All", JSON,
                         encode(annotated(valid, annotations, at)))
                   for annotations in ({DELETION_COST: "abc", SECCOMP: "bogus"}, {MIRROR: "x"},
                                       {APPARMOR_C: "bogus"}, {TOLERATIONS: '[{"key":"a b"}]'})]
    node = nodes.object("annotated")
    probes += [Probe("annotation", "POST", nodes.collection(), "dryRun=All", JSON, encode(annotated(node, annotations)))
               for annotations in NODE_ANNOTATIONS]
    target = f"{nodes.collection()}/{nodes.existing}"
    probes += [Probe("annotation", "PATCH", at, "dryRun=All", MERGE, encode({"metadata": {"annotations": annotations}}))
               for annotations in NODE_ANNOTATIONS[:4] for at in (target, f"{target}/status")]
    return probes


# YAML go-yaml v2 and sigs.k8s.io/yaml read in their own way: the first document only, a key's
# last value, !!binary decoded; and what they refuse in their own words.
CONFIGMAP_YAML = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd-yaml\n"
ODD_YAML = [CONFIGMAP_YAML + "---\nkind: Pod\n", "%YAML 1.2\n---\n" + CONFIGMAP_YAML] + [
    CONFIGMAP_YAML + data for data in ("data:\n  ~: x\n", "data:\n  ? [a, b]\n  : c\n", "data:\n  a: .inf\n",
                                       "data:\n  a: x\n  a: y\n", "data:\n  a: !!binary aGVsbG8=\n",
                                       "data: &a {b: *a}\n", "data:\n  a: b\n\t\n")]
# Envelopes cut short, and the magic alone.
CUT_PROTOBUF = [b"k8s\x00", b"k8s\x00\xff\xff\xff", b"k8s\x00\x0a\xff\x01", b"k8s\x00\x00\x00"]


def decoding_probes() -> list[Probe]:
    """Bodies and query values the decoders meet before any kind's code: YAML, protobuf envelopes
    cut short, applied values of another type than their field's, a label selector holding a byte
    that is no UTF-8, a resourceVersion past 2^63, a create with a revision set."""
    configmaps, pods = KINDS[3], KINDS[0]
    probes = [Probe("decoding", "POST", configmaps.collection(), "dryRun=All", "application/yaml", text.encode())
              for text in ODD_YAML]
    probes += [Probe("decoding", "POST", configmaps.collection(), "dryRun=All", "application/vnd.kubernetes.protobuf",
                     body) for body in CUT_PROTOBUF]
    target = f"{pods.collection()}/{pods.existing}"
    for metadata in ({"labels": {"a": 1}}, {"labels": [1]}, {"finalizers": "a"}, {"managedFields": "x"},
                     {"annotations": {"a": 10**29 + 1}}):
        applied = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pods.existing, **metadata}}
        probes.append(Probe("decoding", "PATCH", target, "dryRun=All&fieldManager=d", APPLY, encode(applied)))
    probes += [Probe("decoding", "GET", pods.collection(), "labelSelector=a+in+(%ff)"),
               Probe("decoding", "GET", pods.collection(), f"resourceVersion={2**64 - 1}&resourceVersionMatch=Exact&limit=1"),
               Probe("decoding", "POST", configmaps.collection(), "dryRun=All", JSON,
                     encode({**configmaps.object("with-rv"), "metadata": {"name": "with-rv", "resourceVersion": "1"}}))]
    return probes


# --- one wrong value at a time --------------------------------------------------------------------

# Kinds both serve that the other categories leave out; the value category creates one of each
# (but the second version of the HorizontalPodAutoscaler, which is the same object).
MORE_KINDS = [
    Kind("volumeattachments", "storage.k8s.io/v1", "VolumeAttachment", False, {"spec": {
        "attacher": "example.com", "nodeName": "n1", "source": {"persistentVolumeName": "pv"}}}),
    Kind("csidrivers", "storage.k8s.io/v1", "CSIDriver", False, {"spec": {
        "attachRequired": True, "podInfoOnMount": False, "volumeLifecycleModes": ["Persistent"],
        "fsGroupPolicy": "File", "tokenRequests": [{"audience": "a", "expirationSeconds": 3600}]}}),
    Kind("csinodes", "storage.k8s.io/v1", "CSINode", False, {"spec": {"drivers": [{
        "name": "example.com", "nodeID": "n1", "topologyKeys": ["topology.example.com/zone"],
        "allocatable": {"count": 10}}]}}),
    Kind("csistoragecapacities", "storage.k8s.io/v1beta1", "CSIStorageCapacity", True, {
        "storageClassName": "sc", "capacity": "1Gi", "maximumVolumeSize": "1Gi",
        "nodeTopology": {"matchLabels": {"topology.example.com/zone": "a"}}}),
    Kind("endpointslices", "discovery.k8s.io/v1", "EndpointSlice", True, {
        "addressType": "IPv4", "endpoints": [{"addresses": ["10.1.2.3"], "conditions": {"ready": True},
                                              "hostname": "h", "nodeName": "n1", "zone": "z"}],
        "ports": [{"name": "http", "port": 80, "protocol": "TCP", "appProtocol": "http"}]}),
    Kind("prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", False,
         {"spec": {"type": "Limited", "limited": {"assuredConcurrencyShares": 5, "limitResponse": {
             "type": "Queue", "queuing": {"queues": 16, "handSize": 4, "queueLengthLimit": 20}}}}}),
    Kind("flowschemas", "flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", False, {"spec": {
        "priorityLevelConfiguration": {"name": "global-default"}, "matchingPrecedence": 5000,
        "distinguisherMethod": {"type": "ByUser"}, "rules": [{
            "subjects": [{"kind": "Group", "group": {"name": "g"}},
                         {"kind": "ServiceAccount", "serviceAccount": {"namespace": "ns", "name": "sa"}}],
            "resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"], "namespaces": ["*"]}],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz/*"]}]}]}}),
]
HPA_V1 = Kind("horizontalpodautoscalers", "autoscaling/v1", "HorizontalPodAutoscaler", True, {"spec": {
    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "minReplicas": 1,
    "maxReplicas": 3, "targetCPUUtilizationPercentage": 80}})

ABSENT = object()  # a field left out, where a value would be
TOO_LONG = "a" * 300
ABOVE_INT32 = 2 ** 31
SERVICE_PORT = {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}
# (path, value) pairs: the path's last step set to the value (or left out, ABSENT), dicts on the
# way made as needed. Several pairs in one entry make a forbidden combination.
VALUES: dict[str, list[list[tuple]]] = {
    "poddisruptionbudgets": [
        [(("spec", "minAvailable"), -1)], [(("spec", "minAvailable"), "150%")], [(("spec", "minAvailable"), "abc")],
        [(("spec", "minAvailable"), "-10%")], [(("spec", "maxUnavailable"), 1)],
        [(("spec", "minAvailable"), ABSENT), (("spec", "maxUnavailable"), -1)],
        [(("spec", "minAvailable"), ABSENT), (("spec", "maxUnavailable"), "101%")],
        [(("spec", "selector", "matchLabels"), {"a b": "x"})],
        [(("spec", "selector", "matchExpressions"), [{"key": "k", "operator": "Bogus"}])],
        [(("spec", "selector", "matchExpressions"), [{"key": "k", "operator": "In", "values": []}])],
        [(("spec", "selector", "matchExpressions"), [{"key": "k", "operator": "Exists", "values": ["v"]}])]],
    "horizontalpodautoscalers": [
        [(("spec", "minReplicas"), 0)], [(("spec", "minReplicas"), -1)], [(("spec", "maxReplicas"), 0)],
        [(("spec", "maxReplicas"), ABSENT)], [(("spec", "minReplicas"), 5)],
        [(("spec", "scaleTargetRef", "kind"), "")], [(("spec", "scaleTargetRef", "name"), "a/b")],
        [(("spec", "scaleTargetRef", "name"), "")], [(("spec", "scaleTargetRef", "kind"), "a/b")],
        [(("spec", "metrics", 0, "type"), "Bogus")], [(("spec", "metrics", 0, "type"), "")],
        [(("spec", "metrics", 0, "resource", "target", "type"), "Bogus")],
        [(("spec", "metrics", 0, "resource", "target", "averageUtilization"), 0)],
        [(("spec", "metrics", 0, "resource", "target", "averageUtilization"), -1)],
        [(("spec", "metrics", 0, "resource", "name"), "")],
        [(("spec", "metrics", 0, "resource"), ABSENT)],
        [(("spec", "metrics", 0, "pods"), {"metric": {"name": "m"}, "target": {"type": "AverageValue", "averageValue": "1"}})],
        [(("spec", "metrics"), [{"type": "Pods", "pods": {"metric": {"name": ""}, "target": {"type": "Value", "value": "1"}}}])],
        [(("spec", "metrics"), [{"type": "External", "external": {"metric": {"name": "m"}, "target": {"type": "Utilization"}}}])],
        [(("spec", "metrics"), [{"type": "Object", "object": {"metric": {"name": "m"}, "describedObject": {},
                                                              "target": {"type": "Value", "value": "-1"}}}])],
        [(("spec", "metrics"), [{"type": "ContainerResource", "containerResource": {
            "name": "cpu", "container": "", "target": {"type": "Utilization", "averageUtilization": 5}}}])],
        [(("spec", "behavior"), {"scaleUp": {"stabilizationWindowSeconds": -1}})],
        [(("spec", "behavior"), {"scaleUp": {"stabilizationWindowSeconds": 3601}})],
        [(("spec", "behavior"), {"scaleDown": {"policies": []}})],
        [(("spec", "behavior"), {"scaleDown": {"policies": [{"type": "Bogus", "value": 1, "periodSeconds": 1}]}})],
        [(("spec", "behavior"), {"scaleDown": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 0}]}})],
        [(("spec", "behavior"), {"scaleDown": {"policies": [{"type": "Percent", "value": 1, "periodSeconds": 1801}]}})],
        [(("spec", "behavior"), {"scaleUp": {"selectPolicy": "Bogus"}})]],
    "cronjobs": [
        [(("spec", "schedule"), "bogus")], [(("spec", "schedule"), "")], [(("spec", "schedule"), "* * * *")],
        [(("spec", "schedule"), "61 * * * *")], [(("spec", "schedule"), "TZ=UTC * * * * *")],
        [(("spec", "concurrencyPolicy"), "Bogus")], [(("spec", "startingDeadlineSeconds"), -1)],
        [(("spec", "successfulJobsHistoryLimit"), -1)], [(("spec", "failedJobsHistoryLimit"), -1)],
        [(("spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"), "Always")],
        [(("spec", "jobTemplate", "spec", "parallelism"), -1)],
        [(("spec", "jobTemplate", "spec", "template", "spec", "containers"), [])],
        [(("spec", "jobTemplate", "spec", "selector"), {"matchLabels": {"a": "b"}})],
        [(("metadata", "name"), "c" * 53)]],
    "jobs": [
        [(("spec", "parallelism"), -1)], [(("spec", "completions"), -1)], [(("spec", "activeDeadlineSeconds"), 0)],
        [(("spec", "backoffLimit"), -1)], [(("spec", "completionMode"), "Bogus")],
        [(("spec", "completionMode"), "Indexed")], [(("spec", "ttlSecondsAfterFinished"), -1)],
        [(("spec", "template", "spec", "restartPolicy"), "Always")],
        [(("spec", "selector"), {"matchLabels": {"a": "b"}})],
        [(("spec", "manualSelector"), True), (("spec", "selector"), {"matchLabels": {"a": "b"}})],
        [(("spec", "manualSelector"), True)],
        [(("spec", "completionMode"), "Indexed"), (("spec", "completions"), 100001), (("spec", "parallelism"), 1)]],
    "networkpolicies": [
        [(("spec", "policyTypes"), ["Bogus"])], [(("spec", "policyTypes"), ["Ingress", "Egress", "Ingress"])],
        [(("spec", "ingress", 0, "ports", 0, "protocol"), "Bogus")],
        [(("spec", "ingress", 0, "ports", 0, "port"), 0)], [(("spec", "ingress", 0, "ports", 0, "port"), 70000)],
        [(("spec", "ingress", 0, "ports", 0, "port"), "UPPER_x")],
        [(("spec", "ingress", 0, "ports", 0, "endPort"), 70)],
        [(("spec", "ingress", 0, "ports", 0, "port"), "http"), (("spec", "ingress", 0, "ports", 0, "endPort"), 90)],
        [(("spec", "ingress", 0, "ports", 0, "port"), ABSENT), (("spec", "ingress", 0, "ports", 0, "endPort"), 90)],
        [(("spec", "ingress", 0, "from"), [{"ipBlock": {"cidr": "x"}}])],
        [(("spec", "ingress", 0, "from"), [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}}])],
        [(("spec", "ingress", 0, "from"), [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}])],
        [(("spec", "ingress", 0, "from"), [{}])],
        [(("spec", "podSelector", "matchLabels"), {"a": "b c"})],
        [(("spec", "egress"), [{"to": [{"namespaceSelector": {"matchExpressions": [{"key": "k", "operator": "Gt"}]}}]}])]],
    "ingresses": [
        [(("spec", "rules", 0, "host"), "UPPER")], [(("spec", "rules", 0, "host"), "1.2.3.4")],
        [(("spec", "rules", 0, "host"), "*.a.*.com")], [(("spec", "rules", 0, "host"), "*")],
        [(("spec", "rules", 0, "http", "paths", 0, "path"), "")],
        [(("spec", "rules", 0, "http", "paths", 0, "path"), "relative")],
        [(("spec", "rules", 0, "http", "paths", 0, "pathType"), "Bogus")],
        [(("spec", "rules", 0, "http", "paths", 0, "pathType"), ABSENT)],
        [(("spec", "rules", 0, "http", "paths", 0, "path"), "/a//b")],
        [(("spec", "rules", 0, "http", "paths", 0, "pathType"), "ImplementationSpecific"),
         (("spec", "rules", 0, "http", "paths", 0, "path"), "/(a")],
        [(("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"), {"number": 0})],
        [(("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"), {"number": 80, "name": "http"})],
        [(("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"), {})],
        [(("spec", "rules", 0, "http", "paths", 0, "backend", "service", "port"), {"name": "UPPER_x"})],
        [(("spec", "rules", 0, "http", "paths", 0, "backend", "service", "name"), "a.b")],
        [(("spec", "rules", 0, "http", "paths", 0, "backend"), {})],
        [(("spec", "rules", 0, "http", "paths", 0, "backend", "resource"), {"kind": "K", "name": "n"})],
        [(("spec", "rules", 0, "http", "paths"), [])], [(("spec", "rules"), [{}])],
        [(("spec", "defaultBackend"), {"resource": {"kind": "", "name": ""}})],
        [(("spec", "ingressClassName"), "UPPER")], [(("spec", "tls"), [{"hosts": ["UPPER"], "secretName": "a/b"}])]],
    "ingressclasses": [
        [(("spec", "controller"), "")], [(("spec", "controller"), "UPPER")], [(("spec", "controller"), "a" * 251)],
        [(("spec", "controller"), "example.com/UPPER")],
        [(("spec", "parameters"), {"kind": "", "name": ""})],
        [(("spec", "parameters"), {"kind": "K", "name": "n", "scope": "Bogus"})],
        [(("spec", "parameters"), {"kind": "K", "name": "n", "scope": "Namespace"})],
        [(("spec", "parameters"), {"kind": "K", "name": "n", "scope": "Cluster", "namespace": "x"})],
        [(("spec", "parameters"), {"kind": "K", "name": "n", "apiGroup": "UPPER"})]],
    "priorityclasses": [
        [(("value",), 1000000001)], [(("value",), -2147483648)], [(("value",), ABOVE_INT32)],
        [(("metadata", "name"), "system-x")], [(("preemptionPolicy",), "Bogus")], [(("preemptionPolicy",), "")],
        [(("value",), ABSENT)], [(("description",), TOO_LONG * 4)]],
    "runtimeclasses": [
        [(("handler",), "UPPER")], [(("handler",), "")], [(("handler",), "a" * 64)], [(("handler",), ABSENT)],
        [(("overhead",), {"podFixed": {"cpu": "-1"}})], [(("overhead",), {"podFixed": {"bogus": "1"}})],
        [(("scheduling",), {"nodeSelector": {"a b": "c"}})],
        [(("scheduling",), {"tolerations": [{"key": "k", "operator": "Bogus"}]})],
        [(("scheduling",), {"tolerations": [{"key": "k", "operator": "Exists", "value": "v"}]})]],
    "storageclasses": [
        [(("provisioner",), "")], [(("provisioner",), "UPPER bad")], [(("provisioner",), "a" * 64)],
        [(("reclaimPolicy",), "Bogus")], [(("volumeBindingMode",), "Bogus")],
        [(("allowedTopologies",), [{"matchLabelExpressions": [{"key": "", "values": []}]}])],
        [(("allowedTopologies",), [{"matchLabelExpressions": []}])],
        [(("allowedTopologies",), [{"matchLabelExpressions": [{"key": "k", "values": ["a", "a"]}]}])],
        [(("parameters",), {"": "x"})], [(("allowVolumeExpansion",), "x")]],
    "volumeattachments": [
        [(("spec", "attacher"), "")], [(("spec", "attacher"), "UPPER bad")], [(("spec", "nodeName"), "")],
        [(("spec", "nodeName"), "UPPER")], [(("spec", "source"), {})],
        [(("spec", "source"), {"persistentVolumeName": "pv", "inlineVolumeSpec": {"csi": {"driver": "d", "volumeHandle": "h"}}})],
        [(("spec", "source", "persistentVolumeName"), "")]],
    "csidrivers": [
        [(("metadata", "name"), "UPPER_")], [(("spec", "fsGroupPolicy"), "Bogus")],
        [(("spec", "volumeLifecycleModes"), ["Bogus"])], [(("spec", "attachRequired"), ABSENT)],
        [(("spec", "tokenRequests"), [{"audience": "a"}, {"audience": "a"}])],
        [(("spec", "tokenRequests"), [{"audience": "a", "expirationSeconds": 599}])],
        [(("spec", "tokenRequests"), [{"audience": "a", "expirationSeconds": 2 ** 33}])],
        [(("spec", "requiresRepublish"), "x")]],
    "csinodes": [
        [(("spec", "drivers", 0, "name"), "UPPER_")], [(("spec", "drivers", 0, "name"), "")],
        [(("spec", "drivers", 0, "nodeID"), "")], [(("spec", "drivers", 0, "nodeID"), "n" * 193)],
        [(("spec", "drivers", 0, "topologyKeys"), ["a b"])], [(("spec", "drivers", 0, "topologyKeys"), ["k", "k"])],
        [(("spec", "drivers", 0, "allocatable", "count"), -1)],
        [(("spec", "drivers"), [{"name": "example.com", "nodeID": "a"}, {"name": "example.com", "nodeID": "b"}])],
        [(("spec", "drivers"), ABSENT)]],
    "prioritylevelconfigurations": [
        [(("spec", "type"), "Exempt")], [(("spec", "limited", "limitResponse", "type"), "Reject")],
        [(("spec", "limited", "limitResponse", "queuing", "handSize"), 17)],
        [(("spec", "limited", "limitResponse", "queuing", "queues"), 10_000_001)],
        [(("spec", "limited", "limitResponse", "queuing", "queues"), 1_000_000),
         (("spec", "limited", "limitResponse", "queuing", "handSize"), 5)]],
    "flowschemas": [
        [(("spec", "matchingPrecedence"), 1)], [(("spec", "distinguisherMethod", "type"), "ByNode")],
        [(("spec", "rules", 0, "subjects", 0, "kind"), "User")],
        [(("spec", "rules", 0, "resourceRules", 0, "namespaces"), ["*", "default"])],
        [(("spec", "rules", 0, "resourceRules", 0, "namespaces"), ABSENT)],
        [(("spec", "rules", 0, "nonResourceRules", 0, "nonResourceURLs"), ["/a/*/b"])],
        [(("spec", "rules", 0, "nonResourceRules", 0, "verbs"), ["get", "frob"])],
        [(("spec", "rules", 0, "subjects", 1, "serviceAccount", "namespace"), "")]],
    "csistoragecapacities": [
        [(("storageClassName",), "UPPER_")], [(("storageClassName",), "")], [(("capacity",), "-1")],
        [(("maximumVolumeSize",), "-1Gi")], [(("nodeTopology",), {"matchLabels": {"a b": "c"}})],
        [(("nodeTopology",), {"matchExpressions": [{"key": "k", "operator": "Bogus"}]})]],
    "leases": [
        [(("spec", "leaseDurationSeconds"), 0)], [(("spec", "leaseDurationSeconds"), -1)],
        [(("spec", "leaseTransitions"), -1)], [(("spec", "acquireTime"), "yesterday")],
        [(("spec", "renewTime"), "2024-01-01T00:00:00.000000Z")]],
    "endpointslices": [
        [(("addressType",), "Bogus")], [(("addressType",), ABSENT)], [(("addressType",), "IPv6")],
        [(("endpoints", 0, "addresses"), ["x"])], [(("endpoints", 0, "addresses"), [])],
        [(("endpoints", 0, "addresses"), ["10.0.0.1", "10.0.0.2"])],
        [(("endpoints", 0, "hostname"), "UPPER")], [(("endpoints", 0, "nodeName"), "UPPER_")],
        [(("endpoints", 0, "zone"), "a b")], [(("endpoints", 0, "targetRef"), {"kind": "Pod", "name": "UPPER"})],
        [(("endpoints", 0, "deprecatedTopology"), {"a b": "c"})],
        [(("ports", 0, "port"), -1)], [(("ports", 0, "port"), 70000)], [(("ports", 0, "protocol"), "Bogus")],
        [(("ports", 0, "name"), "UPPER")], [(("ports",), [{"name": "a", "port": 1}, {"name": "a", "port": 2}])],
        [(("ports", 0, "appProtocol"), "a b")], [(("addressType",), "FQDN"), (("endpoints", 0, "addresses"), ["UPPER"])]],
    "endpoints": [
        [(("subsets", 0, "addresses", 0, "ip"), "x")], [(("subsets", 0, "addresses", 0, "ip"), "127.0.0.1")],
        [(("subsets", 0, "addresses", 0, "ip"), "169.254.1.1")], [(("subsets", 0, "addresses", 0, "ip"), "224.0.0.1")],
        [(("subsets", 0, "addresses", 0, "ip"), "")],
        [(("subsets", 0, "ports", 0, "port"), 0)], [(("subsets", 0, "ports", 0, "protocol"), "Bogus")],
        [(("subsets", 0, "ports"), [{"name": "a", "port": 1}, {"name": "a", "port": 2}])],
        [(("subsets", 0, "ports"), [{"port": 1}, {"port": 2}])],
        [(("subsets", 0, "ports", 0, "name"), "UPPER")],
        [(("subsets", 0, "addresses", 0, "hostname"), "UPPER")],
        [(("subsets", 0, "addresses", 0, "nodeName"), "UPPER_")], [(("subsets", 0, "ports"), [])],
        [(("subsets", 0, "addresses"), [])], [(("subsets", 0, "ports", 0, "appProtocol"), "a b")]],
    "limitranges": [
        [(("spec", "limits", 0, "type"), "Bogus")], [(("spec", "limits", 0, "type"), "")],
        [(("spec", "limits", 0, "min"), {"cpu": "8"})], [(("spec", "limits", 0, "default"), {"cpu": "8"})],
        [(("spec", "limits", 0, "defaultRequest"), {"cpu": "8"})],
        [(("spec", "limits", 0, "maxLimitRequestRatio"), {"cpu": "0.5"})],
        [(("spec", "limits", 0, "max"), {"cpu": "-1"})], [(("spec", "limits", 0, "max"), {"bogus": "1"})],
        [(("spec", "limits"), [{"type": "Pod", "default": {"cpu": "1"}}])],
        [(("spec", "limits"), [{"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}])],
        [(("spec", "limits"), [{"type": "PersistentVolumeClaim", "min": {"storage": "2Gi"}, "max": {"storage": "1Gi"}}])],
        [(("spec", "limits"), [{"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "1"}, "maxLimitRequestRatio": {"cpu": "2"}}])]],
    "resourcequotas": [
        [(("spec", "hard"), {"pods": "-1"})], [(("spec", "hard"), {"bogus": "1"})], [(("spec", "hard"), {"pods": "1.5"})],
        [(("spec", "hard"), {"a b": "1"})], [(("spec", "scopes"), ["Bogus"])],
        [(("spec", "scopes"), ["Terminating", "NotTerminating"])], [(("spec", "scopes"), ["BestEffort"])],
        [(("spec", "scopeSelector"), {"matchExpressions": [{"scopeName": "Bogus", "operator": "Exists"}]})],
        [(("spec", "scopeSelector"), {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "Bogus"}]})],
        [(("spec", "scopeSelector"), {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In"}]})],
        [(("spec", "scopeSelector"), {"matchExpressions": [{"scopeName": "Terminating", "operator": "In", "values": ["x"]}]})],
        [(("spec", "scopes"), ["Terminating"]),
         (("spec", "scopeSelector"), {"matchExpressions": [{"scopeName": "NotTerminating", "operator": "Exists"}]})]],
    "podtemplates": [
        [(("template", "spec", "containers"), [])], [(("template", "spec", "restartPolicy"), "Bogus")],
        [(("template", "spec", "containers", 0, "name"), "UPPER")], [(("template", "metadata", "labels"), {"a b": "c"})],
        [(("template", "spec", "containers"), [{"name": "c", "image": IMAGE}, {"name": "c", "image": IMAGE}])]],
    "replicationcontrollers": [
        [(("spec", "replicas"), -1)], [(("spec", "selector"), {"other": "x"})], [(("spec", "minReadySeconds"), -1)],
        [(("spec", "template", "spec", "restartPolicy"), "Never")], [(("spec", "template"), ABSENT)],
        [(("spec", "selector"), {"a b": "c"})], [(("spec", "selector"), {})]],
    "persistentvolumes": [
        [(("spec", "capacity"), ABSENT)], [(("spec", "capacity"), {"storage": "-1Gi"})],
        [(("spec", "capacity"), {"bogus": "1"})], [(("spec", "accessModes"), ["Bogus"])], [(("spec", "accessModes"), [])],
        [(("spec", "persistentVolumeReclaimPolicy"), "Bogus")], [(("spec", "hostPath", "path"), "")],
        [(("spec", "hostPath", "type"), "Bogus")], [(("spec", "hostPath", "path"), "/a/../b")],
        [(("spec", "nfs"), {"server": "s", "path": "/p"})], [(("spec", "hostPath"), ABSENT)],
        [(("spec", "volumeMode"), "Bogus")], [(("spec", "storageClassName"), "UPPER_")],
        [(("spec", "nodeAffinity"), {"required": {"nodeSelectorTerms": []}})],
        [(("spec", "persistentVolumeReclaimPolicy"), "Recycle"), (("spec", "hostPath", "path"), "/")],
        [(("spec", "mountOptions"), ["ro"])]],
    "persistentvolumeclaims": [
        [(("spec", "accessModes"), [])], [(("spec", "accessModes"), ["Bogus"])],
        [(("spec", "resources", "requests"), {})], [(("spec", "resources", "requests"), {"storage": "-1Gi"})],
        [(("spec", "resources", "requests"), {"storage": "0"})], [(("spec", "storageClassName"), "UPPER_")],
        [(("spec", "volumeMode"), "Bogus")], [(("spec", "dataSource"), {"kind": "", "name": ""})],
        [(("spec", "dataSource"), {"kind": "PersistentVolumeClaim", "name": "p", "apiGroup": "x"})],
        [(("spec", "dataSourceRef"), {"kind": "K", "name": "n"}), (("spec", "dataSource"), {"kind": "L", "name": "n"})],
        [(("spec", "selector"), {"matchLabels": {"a b": "c"}})]],
    "services": [
        [(("spec", "type"), "Bogus")], [(("spec", "ports", 0, "port"), 0)], [(("spec", "ports", 0, "port"), 70000)],
        [(("spec", "ports"), [SERVICE_PORT, SERVICE_PORT])], [(("spec", "ports"), [{**SERVICE_PORT, "name": ""}, {"port": 81}])],
        [(("spec", "ports", 0, "protocol"), "Bogus")], [(("spec", "ports", 0, "targetPort"), "UPPER_x")],
        [(("spec", "ports", 0, "targetPort"), 0)], [(("spec", "ports", 0, "targetPort"), 70000)],
        [(("spec", "clusterIP"), "x")], [(("spec", "clusterIP"), "192.168.0.1")],
        [(("spec", "sessionAffinity"), "Bogus")], [(("spec", "externalTrafficPolicy"), "Local")],
        [(("spec", "ipFamilies"), ["IPv9"])], [(("spec", "ipFamilyPolicy"), "Bogus")],
        [(("spec", "ipFamilies"), ["IPv4", "IPv4"])], [(("spec", "loadBalancerSourceRanges"), ["x"])],
        [(("spec", "sessionAffinity"), "ClientIP"), (("spec", "sessionAffinityConfig"), {"clientIP": {"timeoutSeconds": 0}})],
        [(("spec", "externalIPs"), ["x"])], [(("spec", "externalIPs"), ["0.0.0.0"])],
        [(("spec", "internalTrafficPolicy"), "Bogus")], [(("spec", "allocateLoadBalancerNodePorts"), False)],
        [(("spec", "ports", 0, "nodePort"), 30080)], [(("spec", "type"), "NodePort"), (("spec", "ports", 0, "nodePort"), 80)],
        [(("spec", "type"), "LoadBalancer"), (("spec", "externalTrafficPolicy"), "Local"),
         (("spec", "healthCheckNodePort"), -1)],
        [(("spec", "type"), "LoadBalancer"), (("spec", "loadBalancerClass"), "UPPER")],
        [(("spec", "type"), "ExternalName"), (("spec", "externalName"), "")],
        [(("spec", "type"), "ExternalName"), (("spec", "externalName"), "UPPER_x")],
        [(("spec", "type"), "ExternalName"), (("spec", "externalName"), "a.b"), (("spec", "clusterIP"), "10.96.0.50")],
        [(("spec", "clusterIP"), "None"), (("spec", "type"), "NodePort")],
        [(("spec", "clusterIP"), "None"), (("spec", "ports", 0, "targetPort"), 81)],
        [(("spec", "ports"), [])], [(("spec", "publishNotReadyAddresses"), "x")], [(("spec", "ports", 0, "appProtocol"), "a b")]],
    "secrets": [
        [(("type",), "kubernetes.io/tls")], [(("type",), "kubernetes.io/dockerconfigjson")],
        [(("type",), "kubernetes.io/dockerconfigjson"), (("data",), {".dockerconfigjson": "e30K"}), (("stringData",), ABSENT)],
        [(("type",), "kubernetes.io/dockerconfigjson"), (("data",), {".dockerconfigjson": "eA=="}), (("stringData",), ABSENT)],
        [(("type",), "kubernetes.io/dockercfg")], [(("type",), "kubernetes.io/basic-auth")],
        [(("type",), "kubernetes.io/ssh-auth")], [(("type",), "kubernetes.io/service-account-token")],
        [(("type",), "bootstrap.kubernetes.io/token")], [(("type",), "")], [(("type",), "a" * 254)],
        [(("data",), {"a b": "dg=="})], [(("data",), {"k": "not base64!"})], [(("data",), {"": "dg=="})],
        [(("stringData",), {"a/b": "x"})], [(("immutable",), "x")]],
    "serviceaccounts": [
        [(("automountServiceAccountToken",), "x")], [(("secrets",), [{"name": "UPPER"}])],
        [(("imagePullSecrets",), [{"name": ""}])], [(("secrets",), "x")]],
}
# The HorizontalPodAutoscaler of autoscaling/v1 has no metrics and behavior of its own.
HPA_V1_VALUES = [
    [(("spec", "targetCPUUtilizationPercentage"), 0)], [(("spec", "targetCPUUtilizationPercentage"), -1)],
    [(("spec", "minReplicas"), 0)], [(("spec", "minReplicas"), 5)], [(("spec", "scaleTargetRef", "kind"), "")],
    [(("spec", "scaleTargetRef", "name"), "a%b")], [(("spec", "maxReplicas"), -1)]]


# Fields of a pod template the valid objects leave out, each set wrong (fuzz16): container handlers
# and policies, mounts, resources, init containers and volume sources.
TEMPLATE_CONTAINER_FIELDS = [
    {"imagePullPolicy": "Bogus"}, {"terminationMessagePolicy": "Bogus"}, {"lifecycle": {"postStart": {}}},
    {"lifecycle": {"preStop": {"exec": {}}}}, {"lifecycle": {"preStop": {"httpGet": {"port": 0, "scheme": "FTP"}}}},
    {"lifecycle": {"preStop": {"tcpSocket": {"port": "UPPER"}}}},
    {"lifecycle": {"preStop": {"exec": {"command": ["a"]}, "httpGet": {"port": 80}}}},
    {"startupProbe": {"exec": {}, "periodSeconds": -1}}, {"readinessProbe": {"grpc": {"port": 0}}},
    {"livenessProbe": {"exec": {"command": ["a"]}, "terminationGracePeriodSeconds": 0}},
    {"env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "bogus"}}}]}, {"env": [{"name": "X", "valueFrom": {}}]},
    {"env": [{"name": "X", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "2"}}}]},
    {"envFrom": [{}]}, {"envFrom": [{"prefix": "1x", "configMapRef": {"name": "a"}}]},
    {"volumeMounts": [{"name": "v", "mountPath": "/a", "subPath": "../x"}]},
    {"volumeMounts": [{"name": "v", "mountPath": "/a", "mountPropagation": "Bidirectional"}]},
    {"ports": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81, "hostPort": 80}]},
    {"resources": {"requests": {"hugepages-2Mi": "1Mi"}}}, {"resources": {"limits": {"example.com/gpu": "0.5"}}},
]
TEMPLATE_POD_FIELDS = [
    {"serviceAccountName": "Bad_SA"}, {"priorityClassName": "Bad_PC"}, {"preemptionPolicy": "Bogus"},
    {"initContainers": [{"name": "i", "image": "x", "lifecycle": {"preStop": {"exec": {"command": ["a"]}}}},
                        {"name": "i", "image": "x"}]},
    *({"volumes": [{"name": "v", **source}]} for source in (
        {"configMap": {"name": "c", "items": [{"key": "", "path": "../x"}], "defaultMode": 512}},
        {"secret": {"secretName": "", "items": [{"key": "k", "path": "/abs"}]}},
        {"downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "status.phase"}}]}},
        {"downwardAPI": {"items": [{"path": "p", "resourceFieldRef": {"resource": "limits.cpu"}}]}},
        {"hostPath": {"path": "/x", "type": "Bogus"}}, {"emptyDir": {"sizeLimit": "-1"}},
        {"persistentVolumeClaim": {"claimName": ""}}, {"nfs": {"server": "", "path": "rel"}},
        {"gcePersistentDisk": {"pdName": "", "partition": -1}}, {"flocker": {}},
        {"azureDisk": {"diskName": "d", "diskURI": "x"}}, {"quobyte": {"registry": "x,y:1", "volume": ""}},
        {"ephemeral": {}}, {"ephemeral": {"volumeClaimTemplate": {"metadata": {"name": "x"}, "spec": {}}}},
        {"projected": {"sources": [], "defaultMode": 1000}})),
    {"os": {"name": "plan9"}}, {"os": {"name": "windows"}, "hostPID": True},  # dropped: IdentifyPodOS is off
]


def template_probes() -> list[Probe]:
    """Dry-run Deployments whose pod template sets one of the fields above (with a volume `v`)."""
    deployments = KINDS[1]
    specs = [{"containers": [{"name": "c", "image": IMAGE, **fields}]} for fields in TEMPLATE_CONTAINER_FIELDS]
    specs += [{"containers": [{"name": "c", "image": IMAGE}], **fields} for fields in TEMPLATE_POD_FIELDS]
    probes = []
    for spec in specs:
        spec = {"volumes": [{"name": "v", "emptyDir": {}}], **spec}
        body = deployments.object("tpl")
        body["spec"]["template"]["spec"] = spec
        probes.append(Probe("template", "POST", deployments.collection(), "dryRun=All", JSON, encode(body)))
    return probes


def header_probes() -> list[Probe]:
    """Content-Types mime.ParseMediaType or go-restful refuse, and what net/http refuses before
    routing (an Expect other than 100-continue, a control character in a header value), on a config
    map; and services asking for IP families the single-stack IPv4 cluster lacks (fuzz16)."""
    config_maps, services = KINDS[3], KINDS[2]
    body, target = encode(config_maps.object("hdr")), f"{config_maps.collection()}/{config_maps.existing}"
    probes = [Probe("header", "POST", config_maps.collection(), "dryRun=All", media, body)
              for media in ("application/json;;", "application/json; charset=", "application/json; a=1; a=2",
                            "APPLICATION/JSON", "application/json\x7f")]
    probes += [Probe("header", "PATCH", target, "dryRun=All", media, b"{}")
               for media in ("Application/Merge-Patch+JSON", "application/merge-patch+json, application/json-patch+json",
                             "application/merge-patch+json;;")]
    probes += [Probe("header", "POST", config_maps.collection(), "dryRun=All", JSON, body, headers=(("Expect", expect),))
               for expect in ("bogus", "100-Continue")]
    # readTransfer's refusals: a bare 400, and a bare 501 for a transfer coding net/http lacks
    # (ours: 400 with the same text, on purpose).
    probes += [Probe("header", "POST", config_maps.collection(), "dryRun=All", JSON, body, headers=(framing,))
               for framing in (("Content-Length", "abc"), ("Content-Length", "-1"), ("Content-Length", "+2"),
                               ("Transfer-Encoding", "gzip, chunked"), ("Transfer-Encoding", "identity"))]
    for spec in ({"ipFamilies": ["IPv6"]}, {"ipFamilyPolicy": "RequireDualStack"}, {"ipFamilies": ["IPv4", "IPv6"]},
                 {"clusterIP": "fd00::10", "clusterIPs": ["fd00::10"]}):
        service = services.object("fam")
        service["spec"].update(spec)
        probes.append(Probe("header", "POST", services.collection(), "dryRun=All", JSON, encode(service)))
    return probes


DISCOVERY_PATHS = ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version"]
ODD_ACCEPTS = ["application/json;as=Table;g=meta.k8s.io;v=v1", "application/json;g=meta.k8s.io;v=v1", "text/html",
               "application/*", "application/vnd.kubernetes.protobuf", "application/yaml;stream=watch",
               "application/json;stream=bogus", "application/json;sv=v2",
               "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"]
PARTIAL_PROTOBUF = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata{};g=meta.k8s.io;v={}"
NO_UTF8_NAMES = ["%FF", "a%C3", "%ED%A0%80", "%C0%AF"]


def accept_probes() -> list[Probe]:
    """Accept headers on discovery, collections, objects and a scale; names that are no UTF-8 on
    every verb; port-forward ports; a JSON patch past its operation limit (fuzz18)."""
    config_maps, deployments, pods = kind_named("configmaps"), kind_named("deployments"), kind_named("pods")
    targets = DISCOVERY_PATHS + [config_maps.collection(), f"{config_maps.collection()}/{config_maps.existing}",
                                 f"{deployments.collection()}/{deployments.existing}/scale"]
    probes = [Probe("accept", "GET", path, headers=(("Accept", accept),)) for path in targets for accept in ODD_ACCEPTS]
    probes += [Probe("accept", "POST", path, "", JSON, b"{}", headers=(("Accept", "text/html"),))
               for path in ("/api/v1", "/apis/apps", "/apis/apps/v1")]
    probes += [Probe("accept", "GET", path, headers=(("Accept", PARTIAL_PROTOBUF.format(suffix, version)),))
               for path in targets[6:] for suffix in ("", "List") for version in ("v1", "v1beta1")]
    for name in NO_UTF8_NAMES:
        target = f"{config_maps.collection()}/{name}"
        body = encode({**config_maps.object("x"), "metadata": {"name": "\ufffd"}})
        probes += [Probe("accept", "GET", target), Probe("accept", "DELETE", target, "dryRun=All"),
                   Probe("accept", "PATCH", target, "dryRun=All", MERGE, b"{}"),
                   Probe("accept", "PUT", target, "dryRun=All", JSON, body),
                   Probe("accept", "GET", f"/api/v1/namespaces/{name}"),
                   Probe("accept", "GET", f"{pods.collection()}/{name}/log"),
                   Probe("accept", "POST", f"{pods.collection()}/{name}/eviction", "dryRun=All", JSON,
                         encode({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "\ufffd"}}))]
    port_forward = f"{pods.collection()}/{pods.existing}/portforward"
    probes += [Probe("accept", "GET", path, f"ports={ports}") for path in (port_forward, f"{pods.collection()}/absent/portforward")
               for ports in ("abc", "70000", "80,", "-1", "1_0", "080")]
    probes.append(Probe("accept", "GET", f"{pods.collection()}/{pods.existing}/log"))
    watched = [f"/api/v1/watch/namespaces/{NAMESPACE}/configmaps", f"/api/v1/watch/namespaces/{NAMESPACE}/pods/{pods.existing}",
               f"/api/v1/watch/namespaces/{NAMESPACE}/pods/{pods.existing}/status",
               f"/apis/apps/v1/watch/namespaces/{NAMESPACE}/deployments/{deployments.existing}/scale"]
    probes += [Probe("accept", method, path, "timeoutSeconds=1") for path in watched for method in ("GET", "POST", "DELETE")
               if method != "GET" or path.endswith(("status", "scale"))]
    for grace in (2 ** 63, -2 ** 63 - 1, 1.5):
        options = {"gracePeriodSeconds": grace, "dryRun": ["All"]}
        probes += [Probe("accept", "DELETE", f"{config_maps.collection()}/{config_maps.existing}", "", JSON, encode(options)),
                   Probe("accept", "POST", f"{pods.collection()}/{pods.existing}/eviction", "", JSON, encode(
                       {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pods.existing},
                        "deleteOptions": options}))]
    namespaces = kind_named("namespaces")
    for collection, name, below, kind in ((config_maps.collection(), config_maps.existing, "", "Secret"),
                                          (config_maps.collection(), "absent", "", "Pod"),
                                          (namespaces.collection(), namespaces.existing, "/status", "Pod")):
        probes.append(Probe("accept", "PATCH", f"{collection}/{name}{below}", "dryRun=All&fieldManager=m", APPLY,
                            encode({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}})))
    reviews = ["/apis/authentication.k8s.io/v1/tokenreviews", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
               f"/apis/authorization.k8s.io/v1/namespaces/{NAMESPACE}/localsubjectaccessreviews"]
    probes += [Probe("accept", method, path, "", JSON if method == "PUT" else "", b"{}" if method == "PUT" else b"")
               for path in reviews for method in ("GET", "PUT", "DELETE")]
    passing = encode([{"op": "test", "path": "/kind", "value": "ConfigMap"}] * 10001)
    probes.append(Probe("accept", "PATCH", f"{config_maps.collection()}/{config_maps.existing}", "dryRun=All",
                        JSON_PATCH, passing))
    return probes


WIDGETS_GROUP = "fuzz18.example.com"
WIDGETS_CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": f"widgets.{WIDGETS_GROUP}"},
               "spec": {"group": WIDGETS_GROUP, "scope": "Namespaced",
                        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                        "versions": [{"name": "v1", "served": True, "storage": True,
                                      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                          "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}},
                                          "status": {"type": "object", "properties": {
                                              "replicas": {"type": "integer"}, "selector": {"type": "string"}}}}}},
                                      "subresources": {"status": {}, "scale": {
                                          "specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                          "labelSelectorPath": ".status.selector"}}}]}}


def custom_probes() -> list[Probe]:
    """The widget CRD's group: its object created first (the CRD, made in the setup, is
    established by now), then misses, discovery and its scale's patches (fuzz18)."""
    version = f"/apis/{WIDGETS_GROUP}/v1"
    widgets = f"{version}/namespaces/{NAMESPACE}/widgets"
    widget = {"apiVersion": f"{WIDGETS_GROUP}/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"replicas": 1}}
    probes = [Probe("custom", "POST", widgets, "", JSON, encode(widget))]
    probes += [Probe("custom", method, path) for method, path in (
        ("GET", f"/apis/{WIDGETS_GROUP}/v2"), ("GET", f"{version}/bogus"), ("GET", f"/apis/{WIDGETS_GROUP}/v2/widgets"),
        ("GET", f"{version}/widgets/w"), ("DELETE", f"{version}/widgets"), ("GET", f"{version}/namespaces/{NAMESPACE}/bogus"),
        ("POST", version), ("DELETE", version))]
    probes += [Probe("custom", "GET", version, headers=(("Accept", accept),)) for accept in ODD_ACCEPTS]
    scale = f"{widgets}/w/scale"
    probes += [Probe("custom", "PATCH", scale, "dryRun=All", media, b"{}")
               for media in (STRATEGIC, JSON, "text/plain", "application/vnd.kubernetes.protobuf")]
    applied = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "w"}, "spec": {"replicas": 2}}
    probes += [Probe("custom", "PATCH", scale, "dryRun=All&fieldManager=m", APPLY, encode(body)) for body in (
        applied, {**applied, "apiVersion": "autoscaling/v2"}, widget, {**applied, "metadata": {"name": "w", "managedFields": []}},
        {**applied, "metadata": "x"})]
    probes.append(Probe("custom", "GET", scale, headers=(
        ("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"),)))
    probes += [Probe("custom", "PUT", scale, "dryRun=All", JSON, body) for body in (
        b"{", b"[]", encode(widget), encode({**applied, "spec": {"replicas": "x"}}))]
    probes += [Probe("custom", method, f"/apis/{WIDGETS_GROUP}/v1/watch/namespaces/{NAMESPACE}/widgets{below}",
                     "timeoutSeconds=1") for method in ("POST", "DELETE") for below in ("", "/w/status")]
    probes += [Probe("custom", "PUT", widgets, "dryRun=All", JSON, encode(widget)),
               Probe("custom", "PATCH", widgets, "dryRun=All", MERGE, b"{}")]
    probes += [Probe("custom", "DELETE", widgets, "", JSON, encode({**options, "dryRun": ["All"]})) for options in (
        {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"}, {"kind": "DeleteOptions", "apiVersion": "apps/v1"},
        {"kind": "Widget", "apiVersion": f"{WIDGETS_GROUP}/v1"}, {"apiVersion": "v1"},
        {"kind": "DeleteOptions", "apiVersion": "v1"}, {"kind": "DeleteOptions", "apiVersion": f"{WIDGETS_GROUP}/v1"})]
    return probes + custom_body_probes(widgets, widget)


def custom_body_probes(widgets: str, widget: dict) -> list[Probe]:
    """crd20: bodies the unstructured decoder refuses (no kind, no apiVersion, null, a number past
    float64), a status update removing the status and Scales without replicas (dry runs)."""
    no_kind = {"apiVersion": f"{WIDGETS_GROUP}/v1", "metadata": {"name": "w"}}
    bodies = [b"{}", b"null", encode(no_kind), encode({**no_kind, "apiVersion": "x.io/v9"}),
              encode({"kind": "Widget", "metadata": {"name": "w"}}),
              encode({**widget, "spec": "X"}).replace(b'"X"', b'{"replicas": 1e400}')]
    probes = [Probe("custom", "POST", widgets, "dryRun=All", JSON, body) for body in bodies]
    probes += [Probe("custom", "PUT", f"{widgets}/w{sub}", "dryRun=All", JSON, body)
               for sub in ("", "/status") for body in (b"{}", encode(no_kind))]
    probes.append(Probe("custom", "POST", widgets, "dryRun=All", "application/yaml",
                        f"apiVersion: {WIDGETS_GROUP}/v1\nmetadata:\n  name: y\n".encode()))
    probes.append(Probe("custom", "PATCH", f"{widgets}/w/status", "dryRun=All", MERGE, b'{"status": null}'))
    scale = f"{widgets}/w/scale"
    probes += [Probe("custom", "PATCH", scale, "dryRun=All", MERGE, body)
               for body in (b'{"spec": null}', b'{"spec": {"replicas": null}}')]
    probes.append(Probe("custom", "PUT", scale, "dryRun=All", JSON,
                        encode({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "w"}})))
    return probes


def with_values(obj: dict, values: list[tuple]) -> dict:
    obj = copy.deepcopy(obj)
    for path, value in values:
        parent = obj
        for step in path[:-1]:
            parent = parent[step] if isinstance(parent, list) else parent.setdefault(step, {})
        if value is ABSENT:
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value
    return obj


def generic_values(obj: dict) -> list[list[tuple]]:
    """An empty string, a too-long one and an invalid DNS name for each string leaf, a negative
    number for each number (but metadata.name, apiVersion and kind, which other categories vary)."""
    values = []
    for path in leaves(obj):
        if path[0] in ("apiVersion", "kind") or path[:2] == ("metadata", "name"):
            continue
        value = lookup(obj, path)
        if isinstance(value, str):
            values += [[(path, "")], [(path, TOO_LONG)], [(path, "Not_A.DNS-name!")]]
        elif isinstance(value, int) and not isinstance(value, bool):
            values.append([(path, -1)])
    return values


def json_pointer(path: tuple) -> str:
    return "/" + "/".join(str(step).replace("~", "~0").replace("/", "~1") for step in path)


def exists(obj: object, path: tuple) -> bool:
    try:
        lookup(obj, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def json_patch(original: dict, updated: dict, values: list[tuple]) -> list[dict]:
    """The operations that turn `original` into `updated`: a field left out is removed, the
    shortest missing prefix of a path added whole, an existing value replaced."""
    ops = []
    for path, value in values:
        if value is ABSENT:
            if exists(original, path):
                ops.append({"op": "remove", "path": json_pointer(path)})
            continue
        prefix = next(path[:n] for n in range(1, len(path) + 1) if n == len(path) or not exists(original, path[:n]))
        ops.append({"op": "replace" if exists(original, prefix) else "add", "path": json_pointer(prefix),
                    "value": lookup(updated, prefix)})
    return ops


def value_probes(rng: random.Random, kind: Kind, per_kind: int) -> list[Probe]:
    """Each mutation of the kind's valid object as a create, and as one (seeded) of PUT, merge,
    JSON and strategic-merge patch of the existing object; all dry runs."""
    entries = VALUES.get(kind.plural, []) if kind is not HPA_V1 else HPA_V1_VALUES
    generic = generic_values(kind.object("x"))
    entries = entries + rng.sample(generic, min(len(generic), max(0, per_kind - len(entries))))
    target = f"{kind.collection()}/{kind.existing}"
    probes = []
    for i, values in enumerate(entries):
        created = with_values(kind.object(f"v{i}"), values)
        probes.append(Probe("value", "POST", kind.collection(), "dryRun=All", JSON, encode(created)))
        updated = with_values(kind.object(kind.existing), values)
        tops = {path[0] for path, _ in values}
        merge = {top: updated.get(top) for top in tops}
        if "metadata" in merge:
            continue  # a name in the body of an update of another object is the name category's
        form = rng.choice(["PUT", MERGE, JSON_PATCH, STRATEGIC])
        if form == "PUT":
            probes.append(Probe("value", "PUT", target, "dryRun=All", JSON, encode(updated)))
        elif form == JSON_PATCH:
            original = kind.object(kind.existing)
            probes.append(Probe("value", "PATCH", target, "dryRun=All", JSON_PATCH,
                                encode(json_patch(original, updated, values))))
        else:
            probes.append(Probe("value", "PATCH", target, "dryRun=All", form, encode(merge)))
    return probes


# Merge patches (dry runs) of the existing objects that change what an update may not, by plural:
# messages naming the field, printing the whole internal value (%#v) or a go-cmp diff of it.
IMMUTABLE_CHANGES = {
    "jobs": [{"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "other"}]}}}},
             {"spec": {"template": {"metadata": {"labels": {"x": "y"}}}}},
             {"spec": {"template": {"spec": {"nodeSelector": {"a": "b"}, "activeDeadlineSeconds": 5}}}},
             {"spec": {"completions": 3}}, {"spec": {"completionMode": "Indexed"}},
             {"spec": {"selector": {"matchLabels": {"x": "y"}}}}],
    "statefulsets": [{"spec": {"serviceName": "other"}}, {"spec": {"podManagementPolicy": "Parallel"}},
                     {"spec": {"selector": {"matchLabels": {"x": "y"}}, "template": {"metadata": {"labels": {"x": "y"}}}}}],
    "deployments": [{"spec": {"selector": {"matchLabels": {"x": "y"}}, "template": {"metadata": {"labels": {"x": "y"}}}}}],
    "daemonsets": [{"spec": {"selector": {"matchLabels": {"x": "y"}}, "template": {"metadata": {"labels": {"x": "y"}}}}}],
    "persistentvolumeclaims": [{"spec": {"storageClassName": "other"}}, {"spec": {"volumeMode": "Block"}},
                               {"spec": {"resources": {"requests": {"storage": "500Mi"}}}}],
    "persistentvolumes": [{"spec": {"hostPath": {"path": "/tmp/other"}}}],
    "services": [{"spec": {"clusterIP": "10.96.0.55"}}, {"spec": {"clusterIP": "None", "clusterIPs": ["None"]}}],
    "volumeattachments": [{"spec": {"source": {"persistentVolumeName": "other"}}}],
    "csinodes": [{"spec": {"drivers": [{"name": "example.com", "nodeID": "n2"}]}}],
    "rolebindings": [{"roleRef": {"name": "edit"}}],
    "endpointslices": [{"addressType": "IPv6"}],
    "ingressclasses": [{"spec": {"controller": "example.com/other"}}],
    "pods": [{"spec": {"restartPolicy": "Never"}}, {"spec": {"containers": [{"name": "c", "image": IMAGE, "ports": []}]}}],
}


def immutable_probes() -> list[Probe]:
    probes = []
    for plural, changes in IMMUTABLE_CHANGES.items():
        kind = next(k for k in KINDS + MORE_KINDS if k.plural == plural)
        probes += [Probe("immutable", "PATCH", f"{kind.collection()}/{kind.existing}", "dryRun=All", MERGE,
                         encode(change)) for change in changes]
    return probes


def value_status_probes() -> list[Probe]:
    """Bad status of the kinds with a status subresource the subresource category leaves out."""
    statuses = {
        "poddisruptionbudgets": [{"disruptionsAllowed": -1}, {"currentHealthy": -1}, {"expectedPods": "x"},
                                 {"conditions": [{"type": "T", "status": "Maybe"}]}, {"observedGeneration": -1}],
        "horizontalpodautoscalers": [{"currentReplicas": -1}, {"desiredReplicas": -1},
                                     {"conditions": [{"type": "AbleToScale", "status": "Maybe"}]}],
        "cronjobs": [{"active": [{"kind": "Job"}]}, {"lastScheduleTime": "yesterday"}],
        "ingresses": [{"loadBalancer": {"ingress": [{"ip": "bogus"}]}}, {"loadBalancer": {"ingress": [{"hostname": "1.2.3.4"}]}}],
        "replicationcontrollers": [{"replicas": -1}, {"readyReplicas": 5}, {"availableReplicas": -1},
                                   {"fullyLabeledReplicas": 5}],
        "volumeattachments": [{"attached": "x"}, {"attachError": {"message": "m", "time": "yesterday"}}],
    }
    probes = []
    for plural, bad in statuses.items():
        kind = next(k for k in KINDS + MORE_KINDS if k.plural == plural)
        probes += status_probes_at(f"{kind.collection()}/{kind.existing}/status", kind.object(kind.existing), bad)
    return probes

# --- custom resources (crd18) ----------------------------------------------------------------------

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
GADGET_SCHEMA = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "image": {"type": "string", "pattern": "^[a-z]+\\z"},
    "ratio": {"type": "number", "multipleOf": 0.5},
    "labels": {"type": "object", "maxProperties": 2, "additionalProperties": {"type": "string"}},
    "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
              "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
    "emb": {"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
    # crd19: formats, junctors, enums and property counts as kube-openapi checks them
    "uid": {"type": "string", "format": "uuid"}, "host": {"type": "string", "format": "hostname"},
    "when": {"type": "string", "format": "date-time"}, "i32": {"type": "string", "format": "int32"},
    "uri": {"type": "string", "format": "uri"}, "dur": {"type": "string", "format": "duration"},
    "odate": {"type": "object", "format": "date"},
    "any": {"type": "string", "anyOf": [{"maxLength": 2}, {"pattern": "^x"}]},
    "one": {"type": "integer", "oneOf": [{"minimum": 5}, {"maximum": 10}]},
    "all": {"type": "integer", "allOf": [{"minimum": 5}, {"maximum": 10}]},
    "not": {"type": "string", "not": {"enum": ["bad"]}},
    "mixed": {"x-kubernetes-int-or-string": True, "enum": [1, "a", 2.5]},
    "senum": {"type": "string", "enum": ["a", "b"], "pattern": "^z"},
    "minp": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"}},
    "embs": {"type": "array", "items": {"type": "object", "x-kubernetes-embedded-resource": True,
                                        "properties": {"spec": {"type": "string"}}}}}}}}


def crd_object(plural: str, schema: dict) -> dict:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.diff.example.com"},
            "spec": {"group": "diff.example.com", "scope": "Namespaced",
                     "names": {"plural": plural, "singular": plural[:-1], "kind": plural[:-1].capitalize()},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}}]}}


def spec_field(schema: dict) -> dict:
    return {"type": "object", "properties": {"spec": {"type": "object", "properties": {"a": schema}}}}


def crd_probes() -> list[Probe]:
    """CRD schemas kube-apiserver 1.24 refuses (dry runs): a pattern that is no RE2, keywords a CRD
    may not use, list and map types in the wrong place, metadata saying more than name, schemas
    under anyOf that are not only value rules, an embedded resource that is no object, defaults
    that are invalid, not pruned or in the root's metadata, additionalProperties that is neither a
    schema nor a boolean; then objects of the gadgets CRD made in the setup breaking multipleOf,
    maxProperties, a set's or a map list's uniqueness, an embedded resource's apiVersion and kind,
    and a pattern using RE2's \\z; formats checked and ignored, anyOf, oneOf, allOf and not, enums
    of mixed types, minProperties, embedded resources' metadata (crd19)."""
    bad_fields = [{"type": "string", "pattern": "(["}, {"type": "string", "pattern": "(?=a)a"},
                  {"$ref": "#/definitions/x"}, {"type": "null"}, {"type": "array", "items": [{"type": "string"}]},
                  {"type": "object", "x-kubernetes-list-type": "set"},
                  {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "object"}},
                  {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["z", "k"],
                   "items": {"type": "object", "properties": {"k": {"type": "string"}}}},
                  {"type": "string", "anyOf": [{"type": "string", "description": "x"}]},
                  {"type": "string", "x-kubernetes-embedded-resource": True},
                  {"x-kubernetes-int-or-string": True, "x-kubernetes-preserve-unknown-fields": True},
                  {"type": "integer", "default": "x"}, {"type": "string", "enum": ["a"], "default": "b"},
                  {"type": "object", "properties": {"b": {"type": "string"}}, "default": {"c": 1}},
                  {"type": "object", "x-kubernetes-embedded-resource": True,
                   "x-kubernetes-preserve-unknown-fields": True, "default": {"x": 1}},
                  {"type": "object", "additionalProperties": "x"}]
    schemas = [spec_field(field) for field in bad_fields]
    schemas.append({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
        "labels": {"type": "object"}}}, "kind": {"type": "integer"}}})
    schemas.append({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
        "name": {"type": "string", "default": "x"}}}}})
    schemas.append({"type": "object", "default": {}})
    probes = [Probe("crd", "POST", CRDS, "dryRun=All", JSON, encode(crd_object("widgets", schema)))
              for schema in schemas]
    gadgets = f"/apis/diff.example.com/v1/namespaces/{NAMESPACE}/gadgets"
    specs = [{"image": "ab\n"}, {"image": "ab"}, {"ratio": 0.3}, {"labels": {"a": "", "b": "", "c": ""}},
             {"tags": ["a", "b", "a"]}, {"ports": [{"name": "x"}, {"name": "x"}]}, {"ports": ["x"]},
             {"emb": {}}, {"emb": {"apiVersion": "a/b/c", "kind": "My_Kind"}}]
    pod = {"apiVersion": "v1", "kind": "Pod"}
    specs += [{"uid": "x"}, {"host": "my-host"}, {"host": "a-b"}, {"when": "2020-01-01 10:00"}, {"i32": "x"},
              {"uri": "mailto:x"}, {"uri": "http://[::1/"}, {"dur": "5 parsecs"}, {"dur": "3 days"}, {"odate": "x"},
              {"odate": 5}, {"any": "abc"}, {"one": 7}, {"all": 3}, {"not": "bad"}, {"mixed": 97}, {"mixed": 3},
              {"mixed": 1.5}, {"senum": "c"}, {"senum": 5}, {"minp": {"a": "x"}},
              {"emb": {**pod, "metadata": {"name": "a/b"}}}, {"emb": {**pod, "metadata": {"name": 5}}},
              {"emb": {**pod, "metadata": "x"}}, {"emb": {"apiVersion": 5, "kind": "Pod"}},
              {"emb": {**pod, "metadata": {"generateName": "a/", "namespace": "Bad"}}},
              {"embs": [{**pod, "spec": 5}]}, {"embs": [{**pod, "metadata": {"name": "..", "finalizers": ["x y"]}}]}]
    return probes + [Probe("crd", "POST", gadgets, "dryRun=All", JSON,
                           encode({"apiVersion": "diff.example.com/v1", "kind": "Gadget",
                                   "metadata": {"name": "g"}, "spec": spec})) for spec in specs]


# --- fuzz19: requests the categories above never sent ---------------------------------------------

def continue_token(fields: object) -> str:
    """A continue token as upstream encodes one (base64url without padding of JSON), of any fields."""
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


CONTINUE_TOKENS = [
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "../x"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "a/../../b"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "/"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "a//b"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "./a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 0, "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": -1, "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": ""}),
    continue_token({"v": "meta.k8s.io/v2", "rv": 1, "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": "1", "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1.5, "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 2 ** 63, "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 99999999, "start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": 5}),
    continue_token({"v": 1, "rv": 1, "start": "a"}),
    continue_token({"V": "meta.k8s.io/v1", "RV": 1, "Start": "a"}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "a", "extra": True}),
    continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "diff-probe\x00"}),
    continue_token([1]), continue_token("x"), continue_token(None), continue_token(1),
    base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1","rv":1,"start":"a"}').decode(),  # with padding
    base64.b64encode(b'{"v":"meta.k8s.io/v1","rv":1,"start":"a?>"}').decode(),  # standard alphabet
    base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1",').decode().rstrip("="),  # cut JSON
    base64.urlsafe_b64encode(b'\xff\xfe').decode().rstrip("="), "a", "ab", "abc", "====", "a b", "%zz",
]


def paging_probes() -> list[Probe]:
    """List pagination: tampered continue tokens (fields of the wrong type or value, paths that
    climb out of the listed prefix, other encodings), continue with a resourceVersion or a
    resourceVersionMatch, limits at and past their edges, resourceVersion spellings, on a
    namespaced collection, all namespaces and a cluster-scoped one; duplicated parameters."""
    config_maps, nodes = kind_named("configmaps"), kind_named("nodes")
    lists = [config_maps.collection(), "/api/v1/configmaps", nodes.collection()]
    probes = [Probe("paging", "GET", path, query({"continue": [token], "limit": ["1"]}))
              for token in CONTINUE_TOKENS for path in lists[:1]]
    probes += [Probe("paging", "GET", path, query({"continue": [token]})) for token in CONTINUE_TOKENS[:8] for path in lists[1:]]
    good = continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "a"})
    for extra in ({"resourceVersion": ["0"]}, {"resourceVersion": ["1"]}, {"resourceVersion": ["abc"]},
                  {"resourceVersionMatch": ["Exact"], "resourceVersion": ["1"]},
                  {"resourceVersionMatch": ["NotOlderThan"], "resourceVersion": ["0"]},
                  {"resourceVersionMatch": ["NotOlderThan"]}, {"limit": ["0"]}, {"limit": ["-1"]},
                  {"watch": ["true"], "timeoutSeconds": ["1"]}, {"labelSelector": ["a=b"]},
                  {"fieldSelector": ["metadata.name=x"]}, {"continue": ["x"]}):
        probes += [Probe("paging", "GET", path, query({"continue": [good], **extra})) for path in lists[:2]]
    for limit in ("0", "-5", "1", str(2 ** 63 - 1), str(2 ** 63), "-" + str(2 ** 63), "-" + str(2 ** 63 + 1),
                  "1.5", "", " 1", "+1", "0x10", "1e3", "01"):
        probes += [Probe("paging", "GET", lists[0], query({"limit": [limit]})),
                   Probe("paging", "GET", lists[0], query({"limit": [limit], "resourceVersion": ["0"]})),
                   Probe("paging", "GET", lists[2], query({"limit": [limit], "resourceVersion": ["1"],
                                                           "resourceVersionMatch": ["NotOlderThan"]}))]
    for version in ("-1", "+1", " 1", "1e3", "0x1", "00", "", str(2 ** 64 - 1), str(2 ** 63), "1.0", "0 "):
        for match in ("", "Exact", "NotOlderThan", "exact", "notolderthan"):
            pairs = {"resourceVersion": [version]} | ({"resourceVersionMatch": [match]} if match else {})
            probes.append(Probe("paging", "GET", lists[0], query(pairs)))
        probes += [Probe("paging", "GET", f"{config_maps.collection()}/{config_maps.existing}", query({"resourceVersion": [version]})),
                   Probe("paging", "GET", lists[0], query({"resourceVersion": [version], "limit": ["1"]}))]
    probes += [Probe("paging", "GET", f"{config_maps.collection()}/{config_maps.existing}", text) for text in (
        "resourceVersionMatch=Exact&resourceVersion=1", "resourceVersionMatch=Bogus", "limit=1&continue=x")]
    for text in ("limit=1&limit=abc", "limit=abc&limit=1", "labelSelector=a%3Db&labelSelector=a+in+(b",
                 "watch=false&watch=bogus", "resourceVersion=abc&resourceVersion=0", "continue=&continue=x",
                 "resourceVersionMatch=&resourceVersionMatch=Exact&resourceVersion=1", "pretty=bogus", "pretty=true",
                 "pretty=", "timeoutSeconds=-1", "timeoutSeconds=abc", "allowWatchBookmarks=bogus",
                 "includeUninitialized=true", "limit", "=1", "&&", "limit=1;continue=x", "%zz=1", "a=%zz",
                 "limit=%zz", "limit=1%3Bx", "limit=%2B1", "limit=+1", "limit=1&x;y=2", "labelSelector=a%3D%FF",
                 "labelSelector=a%3D%zz&limit=x"):
        probes.append(Probe("paging", "GET", lists[0], text))
    return probes


def watch_param_probes() -> list[Probe]:
    """Watch parameters: timeoutSeconds, resourceVersion and resourceVersionMatch spellings,
    limit and continue with a watch, allowWatchBookmarks values, field selectors of one name, on
    /watch/ paths and with ?watch=; a successful watch is cut after its first second."""
    config_maps = kind_named("configmaps")
    collection, watched = config_maps.collection(), f"/api/v1/watch/namespaces/{NAMESPACE}/configmaps"
    probes = []
    for pairs in ({"timeoutSeconds": ["-1"]}, {"timeoutSeconds": ["0"]}, {"timeoutSeconds": ["1.5"]},
                  {"timeoutSeconds": [""]}, {"timeoutSeconds": ["0x1"]}, {"timeoutSeconds": [str(2 ** 63)]},
                  {"resourceVersion": ["-1"]}, {"resourceVersion": ["abc"]}, {"resourceVersion": [str(2 ** 64)]},
                  {"resourceVersion": [" 1"]}, {"resourceVersion": ["1"], "resourceVersionMatch": ["NotOlderThan"]},
                  {"resourceVersion": ["0"], "resourceVersionMatch": ["Exact"]}, {"resourceVersionMatch": ["Bogus"]},
                  {"limit": ["1"]}, {"limit": ["-1"]}, {"limit": ["abc"]}, {"continue": ["x"]},
                  {"continue": [continue_token({"v": "meta.k8s.io/v1", "rv": 1, "start": "a"})]},
                  {"allowWatchBookmarks": ["bogus"]}, {"allowWatchBookmarks": ["1"]}, {"allowWatchBookmarks": ["true"]},
                  {"fieldSelector": [f"metadata.name={config_maps.existing}"]}, {"fieldSelector": ["metadata.name=A_B"]},
                  {"fieldSelector": ["metadata.name!=x"]}, {"fieldSelector": ["metadata.namespace=other"]},
                  {"labelSelector": ["a=b"], "fieldSelector": ["metadata.name=x"]}, {"sendInitialEvents": ["true"]}):
        pairs = {"timeoutSeconds": ["1"], **pairs}
        probes += [Probe("watchparam", "GET", collection, query({"watch": ["true"], **pairs})),
                   Probe("watchparam", "GET", watched, query(pairs))]
    for flag in ("1", "t", "T", "TRUE", "True", "yes", "on", "0", "f", "false", "bogus", ""):
        probes.append(Probe("watchparam", "GET", collection, query({"watch": [flag], "timeoutSeconds": ["1"]})))
    probes += [Probe("watchparam", "GET", f"{watched}/{name}", "timeoutSeconds=1&" + extra)
               for name in (config_maps.existing, "absent") for extra in ("", "resourceVersion=abc", "fieldSelector=metadata.name%3Dother",
                                                                        "labelSelector=a+in+(b", "limit=1")]
    probes += [Probe("watchparam", "GET", f"{collection}/{config_maps.existing}", query({"watch": ["true"], "timeoutSeconds": ["1"]})),
               Probe("watchparam", "GET", "/api/v1/watch/configmaps", "timeoutSeconds=1&resourceVersion=abc"),
               Probe("watchparam", "GET", "/api/v1/watch/namespaces", "timeoutSeconds=1&fieldSelector=metadata.name%3Ddiff"),
               Probe("watchparam", "GET", f"/api/v1/watch/namespaces/{NAMESPACE}", "timeoutSeconds=1&resourceVersion=-1")]
    return probes


def apply_probes() -> list[Probe]:
    """Server-side apply: conflicts with another manager (the 409 naming managers and fields),
    force without a field manager or on other patch types, field managers too long or not
    printable, bodies whose name, namespace, kind or apiVersion disagree with the path,
    managedFields in the body, applies that create (dry runs)."""
    config_maps, deployments = kind_named("configmaps"), kind_named("deployments")
    target = f"{config_maps.collection()}/{config_maps.existing}"
    base = config_maps.object(config_maps.existing)
    probes = [Probe("apply", "PATCH", target, query({"fieldManager": [manager], "dryRun": ["All"]}), APPLY, encode(body))
              for manager in ("other", "a" * 128, "a" * 129, "tab\there", "nl\nx", "del\x7f", "é", " ", "a/b", "\u200b")
              for body in ({**base, "data": {"k": "changed"}}, base)]
    probes += [Probe("apply", "PATCH", target, text, APPLY, encode({**base, "data": {"k": "changed"}})) for text in (
        "dryRun=All&force=true", "dryRun=All&force=true&fieldManager=", "dryRun=All&force=false&fieldManager=o",
        "dryRun=All&force=true&fieldManager=o", "dryRun=All&force=1&fieldManager=o", "dryRun=All&fieldManager=o&fieldManager=p",
        "dryRun=All&fieldManager=" + "b" * 300, "dryRun=All&fieldManager=o&fieldValidation=Strict",
        "dryRun=All&fieldManager=o&fieldValidation=bogus")]
    for media in (MERGE, STRATEGIC, JSON_PATCH):
        body = b'[{"op":"add","path":"/data/x","value":"y"}]' if media == JSON_PATCH else b'{"data":{"x":"y"}}'
        probes += [Probe("apply", "PATCH", target, text, media, body) for text in (
            "dryRun=All&force=true", "dryRun=All&force=false", "dryRun=All&force=bogus", "dryRun=All&fieldManager=" + "c" * 129,
            "dryRun=All&fieldManager=x%09y")]
    probes += [Probe("apply", method, path, text, JSON, encode(config_maps.object("fm-new")))
               for method, path in (("POST", config_maps.collection()), ("PUT", f"{config_maps.collection()}/fm-new"))
               for text in ("dryRun=All&fieldManager=" + "d" * 129, "dryRun=All&fieldManager=a%0Ab", "dryRun=All&force=true",
                            "dryRun=All&fieldManager=" + "d" * 128)]
    odd_bodies = [
        {**base, "metadata": {"name": "other"}},
        {**base, "metadata": {"name": config_maps.existing, "namespace": "other"}},
        {**base, "metadata": {"name": config_maps.existing, "namespace": NAMESPACE}},
        {**base, "metadata": {}},
        {**base, "metadata": {"name": config_maps.existing, "managedFields": [{"manager": "x", "operation": "Apply"}]}},
        {**base, "metadata": {"name": config_maps.existing, "managedFields": []}},
        {**base, "metadata": {"name": config_maps.existing, "managedFields": [{}]}},
        {**base, "metadata": {"name": config_maps.existing, "resourceVersion": "1"}},
        {**base, "metadata": {"name": config_maps.existing, "uid": "x"}},
        {**base, "metadata": {"name": config_maps.existing, "generateName": "g"}},
        {**base, "metadata": {"name": config_maps.existing, "creationTimestamp": "bogus"}},
        {**base, "metadata": {"name": config_maps.existing, "deletionTimestamp": "2020-01-01T00:00:00Z"}},
        {**base, "metadata": {"name": config_maps.existing, "selfLink": "/x"}},
        {k: v for k, v in base.items() if k != "apiVersion"},
        {k: v for k, v in base.items() if k != "kind"},
        {**base, "apiVersion": "v2"}, {**base, "apiVersion": "apps/v1"}, {**base, "kind": "configmap"},
        {**base, "data": {"k": None}}, {**base, "data": None}, {**base, "data": {"k": 1}},
        {**base, "unknown": 1}, {**base, "data": [1]},
    ]
    probes += [Probe("apply", "PATCH", target, "dryRun=All&fieldManager=m", APPLY, encode(body)) for body in odd_bodies]
    probes += [Probe("apply", "PATCH", target, "dryRun=All&fieldManager=m", APPLY, text) for text in (
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diff-probe\ndata:\n  k: [1\n",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diff-probe\ndata:\n  k: 1\n",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diff-probe\n  name: again\n",
        b"- 1\n", b"null\n", b"", b"---\n", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: diff-probe\ndata: {k: v, k: w}\n")]
    new = config_maps.object("fm-created")
    probes += [Probe("apply", "PATCH", f"{config_maps.collection()}/fm-created", "dryRun=All&fieldManager=m", APPLY, encode(body))
               for body in (new, {**new, "metadata": {"name": "fm-created", "generateName": "x"}}, {**new, "metadata": {}},
                            {**new, "metadata": {"name": "other"}}, {**new, "metadata": {"name": "fm-created", "uid": "x"}},
                            {**new, "metadata": {"name": "fm-created", "resourceVersion": "5"}})]
    probes += [Probe("apply", "PATCH", f"{config_maps.collection()}/UPPER", "dryRun=All&fieldManager=m", APPLY,
                     encode(config_maps.object("UPPER")))]
    dep_target = f"{deployments.collection()}/{deployments.existing}"
    dep = deployments.object(deployments.existing)
    probes += [Probe("apply", "PATCH", dep_target, query({"fieldManager": [manager], "dryRun": ["All"]}), APPLY, encode(body))
               for manager in ("other", "third") for body in (
                   {**dep, "spec": {**dep["spec"], "replicas": 3}},
                   {**dep, "spec": {**dep["spec"], "template": {**TEMPLATE, "spec": {"containers": [
                       {"name": "c", "image": "other:1"}]}}}},
                   {**dep, "spec": {**dep["spec"], "template": {**TEMPLATE, "spec": {"containers": [
                       {"name": "c", "image": IMAGE}, {"name": "c", "image": IMAGE}]}}}},
                   {**dep, "spec": {**dep["spec"], "template": {**TEMPLATE, "spec": {"containers": [
                       {"image": IMAGE}]}}}})]
    probes.append(Probe("apply", "PATCH", f"{dep_target}/scale", "dryRun=All&fieldManager=other", APPLY, encode(
        {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": deployments.existing}, "spec": {"replicas": 4}})))
    return probes


def directive_probes() -> list[Probe]:
    """Strategic-merge-patch directives on lists with merge keys (containers, ports), on lists
    without (args, finalizers), on maps: $patch of every kind and wrong type, $retainKeys,
    $setElementOrder and $deleteFromPrimitiveList with wrong types and values (dry runs)."""
    deployments, config_maps, pods = kind_named("deployments"), kind_named("configmaps"), kind_named("pods")
    dep_target = f"{deployments.collection()}/{deployments.existing}"

    def in_pod(spec: object) -> dict:
        return {"spec": {"template": {"spec": spec}}}

    container_patches = [
        in_pod({"containers": [{"name": "c", "$patch": "delete"}]}),
        in_pod({"containers": [{"name": "absent", "$patch": "delete"}]}),
        in_pod({"containers": [{"$patch": "delete"}]}),
        in_pod({"containers": [{"$patch": "replace"}]}),
        in_pod({"containers": [{"$patch": "replace"}, {"name": "d", "image": IMAGE}]}),
        in_pod({"containers": [{"$patch": "merge"}]}),
        in_pod({"containers": [{"$patch": 5}]}),
        in_pod({"containers": [{"$patch": None}]}),
        in_pod({"containers": [{"name": "c", "$patch": "bogus"}]}),
        in_pod({"containers": [{"name": "c", "ports": [{"containerPort": 80, "$patch": "delete"}]}]}),
        in_pod({"containers": [{"name": "c", "ports": [{"$patch": "delete"}]}]}),
        in_pod({"containers": [{"name": "c", "args": [{"$patch": "delete"}]}]}),
        in_pod({"containers": [{"name": "c", "args": ["a", {"$patch": "replace"}]}]}),
        in_pod({"containers": [{"name": "c", "env": [{"name": "E", "$patch": "delete"}]}]}),
        in_pod({"$setElementOrder/containers": [{"name": "absent"}], "containers": [{"name": "c", "image": IMAGE}]}),
        in_pod({"$setElementOrder/containers": [{"name": "c"}, {"name": "c"}]}),
        in_pod({"$setElementOrder/containers": [{"image": "x"}]}),
        in_pod({"$setElementOrder/containers": ["c"]}),
        in_pod({"$setElementOrder/containers": [1]}),
        in_pod({"$setElementOrder/containers": None}),
        in_pod({"$setElementOrder/containers": {}}),
        in_pod({"$setElementOrder/bogus": [{"name": "c"}]}),
        in_pod({"$setElementOrder/dnsPolicy": ["x"]}),
        in_pod({"$retainKeys": ["containers"], "containers": [{"name": "c", "image": IMAGE}]}),
        in_pod({"$retainKeys": ["bogus"]}),
        in_pod({"$retainKeys": [1]}),
        in_pod({"$retainKeys": None}),
        in_pod({"$retainKeys": []}),
        in_pod({"volumes": [{"name": "v", "$retainKeys": ["emptyDir"], "emptyDir": {}}]}),
        in_pod({"volumes": [{"name": "v", "$retainKeys": ["hostPath"], "emptyDir": {}}]}),
        in_pod({"volumes": [{"name": "v", "$retainKeys": "emptyDir", "emptyDir": {}}]}),
        in_pod({"$deleteFromPrimitiveList/containers": ["c"]}),
        in_pod({"containers": [{"name": "c", "$deleteFromPrimitiveList/args": "x"}]}),
        in_pod({"containers": [{"name": "c", "$deleteFromPrimitiveList/args": [1, None]}]}),
        in_pod({"containers": [{"name": "c", "$deleteFromPrimitiveList/args": {"a": 1}}]}),
        in_pod({"containers": [{"name": "c", "$deleteFromPrimitiveList/image": ["x"]}]}),
        {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
        {"spec": {"strategy": {"$retainKeys": ["rollingUpdate"], "type": "Recreate"}}},
        {"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}},
        {"spec": {"strategy": {"$patch": "delete"}}},
        {"spec": {"selector": {"$patch": "delete"}}},
        {"spec": {"$patch": "replace", "replicas": 2}},
        {"spec": {"$patch": "merge"}},
        {"metadata": {"labels": {"$patch": "delete"}}},
        {"metadata": {"labels": {"$patch": "replace", "app": "probe"}}},
        {"metadata": {"labels": {"$patch": "merge"}}},
        {"metadata": {"labels": {"$patch": 1}}},
        {"metadata": {"finalizers": [{"$patch": "delete"}]}},
        {"metadata": {"finalizers": ["example.com/a", {"$patch": "replace"}]}},
        {"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}},
        {"metadata": {"$deleteFromPrimitiveList/finalizers": "x"}},
        {"metadata": {"$deleteFromPrimitiveList/finalizers": [{"a": 1}]}},
        {"metadata": {"$setElementOrder/finalizers": ["example.com/a"], "finalizers": ["example.com/b"]}},
        {"metadata": {"$setElementOrder/finalizers": "x"}},
        {"metadata": {"$setElementOrder/ownerReferences": [{"uid": "x"}]}},
        {"metadata": {"$retainKeys": ["name"]}},
        {"$patch": "replace"}, {"$patch": "merge"}, {"$patch": None}, {"$retainKeys": ["spec"]},
        {"$setElementOrder/spec": []}, {"$deleteFromPrimitiveList/spec": []},
    ]
    probes = [Probe("directive", "PATCH", dep_target, "dryRun=All", STRATEGIC, encode(body)) for body in container_patches]
    cm_target = f"{config_maps.collection()}/{config_maps.existing}"
    probes += [Probe("directive", "PATCH", cm_target, "dryRun=All", STRATEGIC, encode(body)) for body in (
        {"data": {"$patch": "replace", "x": "y"}}, {"data": {"$patch": "delete"}}, {"data": {"k": {"$patch": "delete"}}},
        {"data": {"$retainKeys": ["k"]}}, {"$retainKeys": ["data"], "data": {"a": "b"}}, {"binaryData": {"$patch": "replace"}},
        {"$setElementOrder/data": [{"k": "v"}]}, {"data": [{"$patch": "delete"}]})]
    pod_target = f"{pods.collection()}/{pods.existing}"
    probes += [Probe("directive", "PATCH", pod_target, "dryRun=All", STRATEGIC, encode(body)) for body in (
        {"spec": {"containers": [{"name": "c", "image": "other:1"}]}},
        {"spec": {"containers": [{"name": "c", "$patch": "delete"}]}},
        {"spec": {"tolerations": [{"key": "k", "$patch": "delete"}]}},
        {"spec": {"tolerations": [{"$patch": "replace"}]}},
        {"spec": {"$setElementOrder/containers": [{"name": "c"}], "containers": [{"name": "d", "image": IMAGE}]}},
        {"metadata": {"ownerReferences": [{"uid": "u1", "$patch": "delete"}]}})]
    return probes


def metadata_probes() -> list[Probe]:
    """ObjectMeta upstream validates on every kind: ownerReferences (empty uid, missing fields,
    two controllers, duplicates), finalizers, annotations past 256 KiB, label keys and values past
    their lengths, generateName edge cases (dry-run creates of a config map and a namespace)."""
    config_maps, namespaces = kind_named("configmaps"), kind_named("namespaces")
    owner = {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u1"}
    metas = [
        {"ownerReferences": [{**owner, "uid": ""}]}, {"ownerReferences": [{k: v for k, v in owner.items() if k != "uid"}]},
        {"ownerReferences": [{**owner, "apiVersion": ""}]}, {"ownerReferences": [{**owner, "kind": ""}]},
        {"ownerReferences": [{**owner, "name": ""}]}, {"ownerReferences": [{**owner, "apiVersion": "a/b/c"}]},
        {"ownerReferences": [{**owner, "kind": "Pod", "apiVersion": "v1", "name": "UPPER_"}]},
        {"ownerReferences": [{**owner, "controller": True}, {**owner, "uid": "u2", "controller": True}]},
        {"ownerReferences": [{**owner, "controller": True}, {**owner, "controller": True}]},
        {"ownerReferences": [owner, owner]}, {"ownerReferences": [{**owner, "kind": "List"}]},
        {"ownerReferences": [{**owner, "blockOwnerDeletion": True}]}, {"ownerReferences": [{}]},
        {"ownerReferences": [{**owner, "apiVersion": "v1", "kind": "Namespace"}]},
        {"ownerReferences": [{**owner, "uid": "x" * 300}]},
        {"finalizers": ["bad name"]}, {"finalizers": ["kubernetes"]}, {"finalizers": ["a/b/c"]}, {"finalizers": ["example.com/"]},
        {"finalizers": ["/x"]}, {"finalizers": [""]}, {"finalizers": ["example.com/a", "example.com/a"]},
        {"finalizers": ["foregroundDeletion"]}, {"finalizers": ["orphan"]}, {"finalizers": ["orphan", "foregroundDeletion"]},
        {"finalizers": ["UPPER.com/a"]}, {"finalizers": ["example.com/" + "a" * 64]}, {"finalizers": ["a" * 254 + "/b"]},
        {"finalizers": ["noslash"]}, {"finalizers": ["kubernetes.io/pv-protection"]},
        {"annotations": {"a": "x" * (256 * 1024)}}, {"annotations": {"a": "x" * (256 * 1024 - 1)}},
        {"annotations": {"a": "x" * 200000, "b": "x" * 70000}}, {"annotations": {"": "x"}}, {"annotations": {"a b": "x"}},
        {"annotations": {"a" * 64: "x"}}, {"annotations": {"a/b/c": "x"}}, {"annotations": {"UPPER.com/x": "y"}},
        {"labels": {"a": "v" * 63}}, {"labels": {"a": "v" * 64}}, {"labels": {"a": "-v"}}, {"labels": {"a": "v v"}},
        {"labels": {"": "v"}}, {"labels": {"a" * 254 + "/b": "v"}}, {"labels": {"example.com/": "v"}},
        {"labels": {"a": "é"}}, {"labels": {"a/b/c": "v"}},
        {"generateName": "UPPER"}, {"generateName": "a" * 300}, {"generateName": "a" * 58}, {"generateName": "a" * 57 + "-"},
        {"generateName": "-"}, {"generateName": "a..b"}, {"generateName": "a/"}, {"generateName": "a_"}, {"generateName": ""},
        {"generateName": "é"},
        {"creationTimestamp": "bogus"}, {"deletionGracePeriodSeconds": 5}, {"deletionTimestamp": "2020-01-01T00:00:00Z"},
        {"namespace": "other"}, {"namespace": "UPPER"}, {"selfLink": "/x"}, {"uid": "x"}, {"resourceVersion": "5"},
        {"generation": -1}, {"managedFields": [{"manager": "m", "operation": "Bogus"}]},
        {"managedFields": [{"manager": "m", "operation": "Apply", "fieldsType": "FieldsV2"}]},
        {"managedFields": [{"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
                            "fieldsV1": {"f:bogus": {}}}]},
        {"managedFields": [{"manager": "m", "operation": "Update", "fieldsV1": {"x": 1}}]},
        {"managedFields": [{"manager": "a" * 200, "operation": "Update"}]},
    ]
    probes = []
    for meta in metas:
        name = {} if "generateName" in meta else {"name": "meta"}
        body = {**config_maps.object("meta"), "metadata": {**name, **meta}}
        probes.append(Probe("metadata", "POST", config_maps.collection(), "dryRun=All", JSON, encode(body)))
    for meta in metas[::3]:
        name = {} if "generateName" in meta else {"name": "meta"}
        body = {**namespaces.object("meta"), "metadata": {**name, **meta}}
        probes.append(Probe("metadata", "POST", namespaces.collection(), "dryRun=All", JSON, encode(body)))
        probes.append(Probe("metadata", "PATCH", f"{config_maps.collection()}/{config_maps.existing}", "dryRun=All", MERGE,
                            encode({"metadata": {k: v for k, v in meta.items() if k != "generateName"}})))
    return probes


def method_probes() -> list[Probe]:
    """HTTP methods the routes do not serve (HEAD, OPTIONS, TRACE, CONNECT, unknown ones) on a
    collection, an object, a subresource, discovery and a non-resource path; a header and a URL
    past net/http's 1 MiB limit, and just below it; `pretty` and other harmless parameters."""
    config_maps = kind_named("configmaps")
    targets = [config_maps.collection(), f"{config_maps.collection()}/{config_maps.existing}",
               f"{config_maps.collection()}/absent", f"/api/v1/namespaces/{NAMESPACE}/pods/{NAMESPACE}-probe/status",
               "/api/v1", "/apis", "/healthz", "/version", "/openapi/v2", "/api/v1/watch/namespaces/diff/configmaps", "/bogus"]
    probes = [Probe("method", method, path) for path in targets for method in ("HEAD", "OPTIONS", "TRACE", "FOO", "get")]
    probes += [Probe("method", "GET", targets[1], "", headers=(("X-Big", "a" * size),)) for size in (1 << 20, (1 << 20) + 4096, 900_000)]
    probes += [Probe("method", "GET", targets[1], "x=" + "a" * size) for size in (1 << 20, 2 << 20, 500_000)]
    probes += [Probe("method", "GET", path, text) for path in targets[:2] for text in (
        "pretty=true", "pretty=1", "pretty=bogus", "pretty", "export=true", "exact=true", "includeUninitialized=1")]
    unknown = encode({**config_maps.object("m2"), "bogus": 1})
    probes += [Probe("method", "POST", config_maps.collection(), f"dryRun=All&fieldValidation={directive}", JSON, unknown)
               for directive in ("Strict", "Warn", "Strict&fieldValidation=Ignore", "Bogus&fieldValidation=Strict")]
    probes += [Probe("method", "POST", config_maps.collection(), "dryRun=All&pretty=bogus", JSON, encode(config_maps.object("m1"))),
               Probe("method", "DELETE", targets[1], "dryRun=All&dryRun=Bogus"),
               Probe("method", "DELETE", targets[1], "dryRun=Bogus&dryRun=All"),
               Probe("method", "DELETE", targets[1], "dryRun=All&dryRun=All"),
               Probe("method", "DELETE", targets[1], "dryRun=all"),
               Probe("method", "DELETE", targets[1], "dryRun=")]
    return probes


def known_gap_probes() -> list[Probe]:
    """Endpoints and EndpointSlices naming addresses upstream refuses (loopback, link-local,
    multicast, unspecified), and /openapi/v2 asked with If-None-Match (dry runs)."""
    endpoints, slices = kind_named("endpoints"), next(k for k in MORE_KINDS if k.plural == "endpointslices")
    probes = []
    for ip in ("127.0.0.1", "127.1.2.3", "169.254.1.1", "224.0.0.1", "0.0.0.0", "::1", "fe80::1", "ff02::1", "::",
               "10.1.2.3.4", "010.1.2.3", "10.96.0.1", "255.255.255.255", "::ffff:10.1.2.3", "fe80::1%eth0", "ff12::1",
               "::ffff:169.254.0.1", "::ffff:127.0.0.1", "0010.1.2.3", "1.2.3.04", "::ffff:010.1.2.3"):
        body = endpoints.object("ep-ip")
        body["subsets"][0]["addresses"] = [{"ip": ip}]
        probes.append(Probe("known", "POST", endpoints.collection(), "dryRun=All", JSON, encode(body)))
        body = endpoints.object("ep-ip")
        body["subsets"][0]["addresses"], body["subsets"][0]["notReadyAddresses"] = [], [{"ip": ip}]
        probes.append(Probe("known", "POST", endpoints.collection(), "dryRun=All", JSON, encode(body)))
        body = slices.object("es-ip")
        body["endpoints"][0]["addresses"] = [ip]
        probes.append(Probe("known", "POST", slices.collection(), "dryRun=All", JSON, encode(body)))
    probes += [Probe("known", "GET", "/openapi/v2", "", headers=(("If-None-Match", tag),)) for tag in ('"x"', "*", "")]
    return probes


# --- fuzz20: requests nobody had tried ------------------------------------------------------------
# Type coercion (quantities, int32 fields given floats or strings, int-or-string ports, base64 in a
# Secret), JSON patches on odd paths, merge patches with null at depth, dryRun spellings on every
# verb, collection deletes with selectors and bodies, field and label selectors per kind, names and
# namespaces (lengths, dots, a namespace being terminated, scope mismatches), YAML numbers, tags and
# keys, workload and status fields, media types per verb and subresource (scale patches), conflicts
# and preconditions, bindings of one pod twice, and quantities past int64 in every kind that holds one.


def _fuzz20(method: str, path: str, query_text: str = "", content_type: str = "", body: bytes = b"") -> Probe:
    return Probe("fuzz20", method, path, query_text, content_type, body)


def _fuzz20_set_at(obj: dict, path: tuple, value: object) -> dict:
    """A copy of `obj` with the value at `path` (keys and list indexes) replaced."""
    obj = copy.deepcopy(obj)
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return obj


def _fuzz20_coerce():
    out = []
    pods, deps, svcs, secrets, cms, lrs, rqs, nodes = (kind_named(p) for p in (
        "pods", "deployments", "services", "secrets", "configmaps", "limitranges", "resourcequotas", "nodes"))
    pod = pods.object("co")
    for q in ["1.5.5", "-1", "1e1000", "1E", "1Ei", "0.0000000001", "1e-1000", "9" * 40, "1 ", " 1", "1m1", "+1", "1.", ".5", "1Mi ", "", "1ki", "1e3m", "0x10", 1.5, 1, -1, True, None, 1e308, "1e18", "1e19", "10E", "1.5Gi", "2.5m"]:
        for res in ("cpu", "memory"):
            body = _fuzz20_set_at(pod, ("spec", "containers", 0, "resources"), {"requests": {res: q}})
            out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(body)))
    dep = deps.object("co")
    for v in [1.5, 1.0, "1", 1e2, 2**31, 2**63, -2**31 - 1, 2**64, True, None, "0x1", 1e20]:
        out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(dep, ("spec", "replicas"), v))))
        out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(dep, ("spec", "progressDeadlineSeconds"), v))))
    out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(dep).replace(b'"replicas":1', b'"replicas":1.0e0')))
    out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(dep).replace(b'"replicas":1', b'"replicas":-0')))
    out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(dep).replace(b'"replicas":1', b'"replicas":01')))
    svc = svcs.object("co")
    for v in ["80", "http", "-1", 0, 65536, 1.5, True, "", "a" * 16, "HTTP", "a-", "8080x", -1, None, [], "0", "a_b", "ab--c", "123a"]:
        out.append(_fuzz20("POST", svcs.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(svc, ("spec", "ports", 0, "targetPort"), v))))
    for v in ["80", 0, 65536, 1.5, None]:
        out.append(_fuzz20("POST", svcs.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(svc, ("spec", "ports", 0, "port"), v))))
    for v in ["80", "http"]:
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pod, ("spec", "containers", 0, "ports", 0, "containerPort"), v))))
    for v in ["http", "HTTP", 0, 70000, "1", "a" * 16, "80", 1.5]:
        body = _fuzz20_set_at(pod, ("spec", "containers", 0, "livenessProbe"), {"httpGet": {"path": "/", "port": v}})
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(body)))
    sec = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "co"}}
    for data in [{"k": "dg"}, {"k": "dg="}, {"k": "!!"}, {"k": "-_-_"}, {"k": "dg==\n"}, {"k": "d g=="}, {"k": "dg===" }, {"k": 1}, {"k": None}, {"k": ""}, {"": "dg=="}, {"a/b": "dg=="}, {"..": "dg=="}, {"a b": "dg=="}, "x", {"k": "dg==", "K": "dg=="}, {"k": "Zm9v\r\nYmFy"}]:
        out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "data": data})))
    for sd in [{"k": 1}, {"k": None}, {"a/b": "x"}, {"": "x"}, "x", {"k": "x"}, {"k": True}]:
        out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "data": {"k": "dg=="}, "stringData": sd})))
    for t in ["kubernetes.io/tls", "kubernetes.io/dockerconfigjson", "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth", "kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token", "", "a b", "kubernetes.io/dockercfg"]:
        out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "type": t, "data": {"k": "dg=="}})))
    out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "e30="}})))
    out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "eA=="}})))
    out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "type": "kubernetes.io/dockercfg", "stringData": {".dockercfg": "x"}})))
    out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "type": "kubernetes.io/basic-auth", "stringData": {"username": "x", "other": "y"}})))
    out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "immutable": "yes"})))
    out.append(_fuzz20("POST", secrets.collection(), "dryRun=All", JSON, encode({**sec, "data": {"k": "A" * 1400000}})))
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "co"}}
    for data in [{"k": 1}, {"k": None}, {"a/b": "x"}, {"k": True}, {"k": ["x"]}]:
        out.append(_fuzz20("POST", cms.collection(), "dryRun=All", JSON, encode({**cm, "data": data})))
    for bd in [{"k": "!!"}, {"k": "dg"}, {"k": "x"}]:
        out.append(_fuzz20("POST", cms.collection(), "dryRun=All", JSON, encode({**cm, "binaryData": bd})))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", JSON, encode({**cm, "data": {"k": "v"}, "binaryData": {"k": "dg=="}})))
    for v in ["1.5", "-1", "1e1000", "x", 3]:
        out.append(_fuzz20("POST", rqs.collection(), "dryRun=All", JSON, encode({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "co"}, "spec": {"hard": {"pods": v, "requests.memory": v}}})))
    for g in [-1, 1.5, "30", 2**63, "x"]:
        body = _fuzz20_set_at(pod, ("spec", "terminationGracePeriodSeconds"), g)
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(body)))
        body = _fuzz20_set_at(pod, ("spec", "activeDeadlineSeconds"), g)
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(body)))
    return out


def _fuzz20_jsonpatch():
    cms, pods, deps = kind_named("configmaps"), kind_named("pods"), kind_named("deployments")
    out = []
    for kind in (cms, pods, deps):
        t = f"{kind.collection()}/{kind.existing}"
        ops = [
            [{"op": "add", "path": "/metadata/labels/a~1b", "value": "x"}],
            [{"op": "add", "path": "/metadata/labels/a~0b", "value": "x"}],
            [{"op": "add", "path": "/metadata/labels/a~2b", "value": "x"}],
            [{"op": "add", "path": "/metadata/labels/a~", "value": "x"}],
            [{"op": "add", "path": "/metadata/labels/a~1b~1c", "value": "x"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": ["a/b"]}, {"op": "add", "path": "/metadata/finalizers/-", "value": "c/d"}],
            [{"op": "add", "path": "/metadata/finalizers/-", "value": "c/d"}],
            [{"op": "replace", "path": "/metadata/finalizers/-", "value": "c/d"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": []}, {"op": "add", "path": "/metadata/finalizers/1", "value": "c/d"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": []}, {"op": "add", "path": "/metadata/finalizers/0", "value": "c/d"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": ["a/b"]}, {"op": "add", "path": "/metadata/finalizers/01", "value": "c/d"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": ["a/b"]}, {"op": "add", "path": "/metadata/finalizers/-1", "value": "c/d"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": ["a/b"]}, {"op": "remove", "path": "/metadata/finalizers/5"}],
            [{"op": "add", "path": "/metadata/finalizers", "value": ["a/b"]}, {"op": "remove", "path": "/metadata/finalizers/-"}],
            [{"op": "test", "path": "/metadata/name", "value": kind.existing}],
            [{"op": "test", "path": "/metadata/labels", "value": {"app": "probe"}}],
            [{"op": "test", "path": "/metadata/nope", "value": "x"}],
            [{"op": "test", "path": "/metadata/nope", "value": None}],
            [{"op": "test", "path": "/metadata/name"}],
            [{"op": "test", "path": "/kind", "value": 1}],
            [{"op": "move", "from": "/metadata/nope", "path": "/metadata/labels/x"}],
            [{"op": "copy", "from": "/metadata/nope", "path": "/metadata/labels/x"}],
            [{"op": "copy", "from": "/metadata/name", "path": "/metadata/labels/x"}],
            [{"op": "move", "from": "/metadata/labels", "path": "/metadata/labels/x"}],
            [{"op": "move", "from": "/metadata/name", "path": "/metadata/generateName"}],
            [{"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"}],
            [{"op": "move", "path": "/metadata/labels/x"}],
            [{"op": "copy", "path": "/metadata/labels/x"}],
            [{"op": "remove", "path": ""}],
            [{"op": "replace", "path": "", "value": {}}],
            [{"op": "add", "path": "", "value": 1}],
            [{"op": "remove", "path": "/"}],
            [{"op": "add", "path": "/metadata/labels/x"}],
            [{"op": "add", "path": "/metadata/labels/x", "value": None}],
            [{"op": "replace", "path": "/metadata/labels/nope", "value": "x"}],
            [{"op": "remove", "path": "/metadata/labels/nope"}],
            [{"op": "add", "path": "/metadata/labels/x", "value": "y", "extra": 1}],
            [{"op": "ADD", "path": "/metadata/labels/x", "value": "y"}],
            [{"op": 1, "path": "/metadata/labels/x", "value": "y"}],
            [{"op": "add", "path": 1, "value": "y"}],
            [{"op": "add", "path": "/metadata/labels/x", "value": "y", "from": 1}],
            [{"op": "remove", "path": "/metadata"}],
            [{"op": "remove", "path": "/apiVersion"}],
            [{"op": "remove", "path": "/kind"}],
            [{"op": "replace", "path": "/kind", "value": "Other"}],
            [{"op": "replace", "path": "/apiVersion", "value": "v9"}],
            [{"op": "add", "path": "/metadata/labels//", "value": "x"}],
            [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}, {"op": "test", "path": "/metadata/annotations/a", "value": "c"}],
            [{"op": "replace", "path": "/metadata/name/x", "value": "x"}],
            [{"op": "add", "path": "/metadata/labels/x/y", "value": "x"}],
            [],
            [{"op": "add", "path": "/metadata/resourceVersion", "value": "1"}],
            [{"op": "remove", "path": "/metadata/resourceVersion"}],
            [{"op": "replace", "path": "/metadata/namespace", "value": "other"}],
        ]
        out += [_fuzz20("PATCH", t, "dryRun=All", JSON_PATCH, encode(o)) for o in ops]
        out += [_fuzz20("PATCH", t, "dryRun=All", JSON_PATCH, b) for b in (b'[{"op":"add","path":"/metadata/labels/x","value":"y"},]', b'null', b'[null]', b'[[]]', b'{"op":"add"}', b'[{"op":"add","path":"/metadata/labels/x","value":"y","op":"remove"}]')]
    t = f"{pods.collection()}/{pods.existing}"
    more = [[{"op": "add", "path": "/spec/containers/-", "value": {"name": "d", "image": "x"}}],
            [{"op": "add", "path": "/spec/containers/1", "value": {"name": "d", "image": "x"}}],
            [{"op": "remove", "path": "/spec/containers/0"}],
            [{"op": "replace", "path": "/spec/containers/0/image", "value": "other"}],
            [{"op": "replace", "path": "/spec/containers/1/image", "value": "other"}],
            [{"op": "move", "from": "/spec/containers/0", "path": "/spec/containers/0/x"}],
            [{"op": "copy", "from": "/spec/containers/0", "path": "/spec/containers/-"}],
            [{"op": "test", "path": "/spec/containers/0/ports/0/containerPort", "value": 80}],
            [{"op": "test", "path": "/spec/containers/0/ports/0/containerPort", "value": "80"}],
            [{"op": "test", "path": "/spec/containers/0/ports/0/containerPort", "value": 80.0}]]
    out += [_fuzz20("PATCH", t, "dryRun=All", JSON_PATCH, encode(o)) for o in more]
    return out


def _fuzz20_mergenull():
    out = []
    deps, pods, svcs, cms = (kind_named(p) for p in ("deployments", "pods", "services", "configmaps"))
    for kind, bodies in ((deps, [{"spec": {"template": {"spec": {"containers": None}}}}, {"spec": None}, {"spec": {"selector": None}},
                                  {"spec": {"template": None}}, {"spec": {"template": {"metadata": None}}}, {"spec": {"strategy": None}},
                                  {"spec": {"replicas": None}}, {"metadata": {"labels": None}}, {"metadata": {"labels": {"app": None}}},
                                  {"spec": {"template": {"metadata": {"labels": None}}}}, {"status": None}, {"metadata": {"annotations": {"x": None}}},
                                  {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": None}]}}}},
                                  {"apiVersion": None}, {"kind": None}, {"metadata": {"name": None}}, {"metadata": {"namespace": None}}]),
                         (pods, [{"spec": {"containers": None}}, {"spec": None}, {"spec": {"containers": [{"name": "c", "image": None}]}},
                                 {"spec": {"restartPolicy": None}}, {"spec": {"dnsPolicy": None}}, {"spec": {"tolerations": None}},
                                 {"spec": {"terminationGracePeriodSeconds": None}}, {"metadata": {"uid": None}}, {"metadata": {"creationTimestamp": None}},
                                 {"metadata": {"resourceVersion": None}}]),
                         (svcs, [{"spec": {"ports": None}}, {"spec": {"clusterIP": None}}, {"spec": {"type": None}}, {"spec": {"ports": [{"port": None}]}},
                                 {"spec": {"clusterIPs": None}}, {"spec": {"sessionAffinity": None}}, {"spec": {"ipFamilies": None}}]),
                         (cms, [{"data": None}, {"data": {"k": None}}, {"binaryData": None}, {"immutable": None}, {"data": {"new": {"x": 1}}}])):
        t = f"{kind.collection()}/{kind.existing}"
        for b in bodies:
            out.append(_fuzz20("PATCH", t, "dryRun=All", MERGE, encode(b)))
            out.append(_fuzz20("PATCH", t, "dryRun=All", STRATEGIC, encode(b)))
    return out


def _fuzz20_dryrun():
    out = []
    cms = kind_named("configmaps")
    t = f"{cms.collection()}/{cms.existing}"
    obj = cms.object(cms.existing)
    for q in ["dryRun=", "dryRun=all", "dryRun=All&dryRun=All", "dryRun=All&dryRun=Bogus", "dryRun=All,All", "dryRun=%20All", "dryRun=true", "dryRun", "dryrun=All&dryRun=All", "dryRun=All&dryRun="]:
        out += [_fuzz20("POST", cms.collection(), q, JSON, encode(cms.object("dr"))),
                _fuzz20("PUT", t, q, JSON, encode(obj)),
                _fuzz20("PATCH", t, q, MERGE, b'{"metadata":{"labels":{"dr":"x"}}}'),
                _fuzz20("DELETE", t, q if "All" in q else q + "&propagationPolicy=Bogus"),
                _fuzz20("DELETE", cms.collection(), q if "All" in q else q + "&labelSelector=a+in+(b"),
                _fuzz20("GET", t, q), _fuzz20("GET", cms.collection(), q)]
    return out


def _fuzz20_deletecoll():
    out = []
    for kind in (kind_named("configmaps"), kind_named("pods"), kind_named("nodes"), kind_named("namespaces")):
        c = kind.collection()
        for q in ["labelSelector=a+in+()", "labelSelector=!a", "labelSelector=a+notin+(b)", "fieldSelector=spec.nodeName%3Dx",
                  "fieldSelector=status.phase%3DRunning", "fieldSelector=metadata.name%21%3Dx", "fieldSelector=bogus%3Dx",
                  "limit=1", "limit=-1", "resourceVersion=1", "resourceVersion=abc", "continue=garbage", "watch=true",
                  "timeoutSeconds=x", "propagationPolicy=Bogus", "gracePeriodSeconds=-1", "gracePeriodSeconds=x", "orphanDependents=x",
                  "fieldSelector=metadata.name%3Dnone", "labelSelector=app%3Dnone", "resourceVersionMatch=Exact", "allowWatchBookmarks=x"]:
            if kind.plural == "namespaces" and "none" not in q:
                continue  # never risk deleting namespaces
            out.append(_fuzz20("DELETE", c, "dryRun=All&" + q))
        for b in [{"propagationPolicy": "Bogus"}, {"preconditions": {"uid": "x"}}, {"gracePeriodSeconds": -1}, {"gracePeriodSeconds": "x"},
                  {"kind": "Other", "apiVersion": "v1"}, {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"}, [], "x", {"dryRun": ["Bogus"]},
                  {"orphanDependents": True, "propagationPolicy": "Orphan"}]:
            if kind.plural == "namespaces":
                continue
            body = b if not isinstance(b, dict) or "dryRun" in b else {**b, "dryRun": ["All"]}
            out.append(_fuzz20("DELETE", c, "dryRun=All&labelSelector=app%3Dnone", JSON, encode(body)))
    return out


def _fuzz20_fieldsel():
    out = []
    per = {"pods": ["spec.nodeName=", "spec.nodeName=x", "spec.nodeName!=x", "spec.nodeName==x", "status.phase=Running", "status.phase!=Running,spec.nodeName=",
                    "spec.restartPolicy=Always", "spec.schedulerName=x", "spec.serviceAccountName=x", "status.podIP=1.2.3.4", "status.nominatedNodeName=x",
                    "spec.hostNetwork=true", "status.podIPs=x", "spec.nodeName in (a)", "spec.nodeName=a\\,b", "spec.nodeName=a,", ",spec.nodeName=a",
                    "spec.nodeName", "metadata.labels=x", "metadata.name=a,metadata.name=b", "metadata.uid=x", "spec.containers.image=x", "spec.nodename=x",
                    "metadata.name=" + "a" * 300, "spec.nodeName=a=b", "spec.nodeName!==x", "spec.nodeName=~x", "status.phase=running"],
           "nodes": ["spec.unschedulable=true", "spec.unschedulable=maybe", "spec.nodeName=x", "metadata.name!=x", "spec.taints=x", "status.phase=x"],
           "secrets": ["type=Opaque", "type!=Opaque", "spec.type=x", "data=x"],
           "events": ["involvedObject.kind=Pod", "involvedObject.name=p", "reason=x", "source=x", "type=Normal", "involvedObject.uid=x", "involvedObject.bogus=x", "reportingComponent=x"],
           "namespaces": ["status.phase=Active", "spec.finalizers=x", "metadata.name=diff"],
           "replicationcontrollers": ["status.replicas=1", "spec.replicas=1"],
           "jobs": ["status.successful=1", "status.failed=1"],
           "replicasets": ["status.replicas=1", "spec.replicas=1"],
           "services": ["spec.clusterIP=x", "spec.type=ClusterIP", "metadata.namespace=diff"],
           "persistentvolumeclaims": ["status.phase=x", "spec.volumeName=x"],
           "persistentvolumes": ["status.phase=x", "spec.storageClassName=x"],
           "deployments": ["spec.replicas=1", "status.replicas=1"],
           "configmaps": ["data.k=v", "metadata.namespace==diff"],
           "serviceaccounts": ["secrets=x"],
           "endpoints": ["subsets=x"],
           "statefulsets": ["status.replicas=1"],
           "daemonsets": ["status.desiredNumberScheduled=1"],
           "horizontalpodautoscalers": ["status.currentReplicas=1"],
           "leases": ["spec.holderIdentity=h"],
           "clusterroles": ["rules=x"]}
    for plural, sels in per.items():
        k = kind_named(plural)
        for s in sels:
            out.append(_fuzz20("GET", k.collection(), "fieldSelector=" + urllib.parse.quote(s, safe="")))
        out.append(_fuzz20("GET", f"{k.collection()}/{k.existing}", "fieldSelector=" + urllib.parse.quote(sels[0], safe="")))
        out.append(_fuzz20("GET", k.collection(), "watch=true&timeoutSeconds=1&fieldSelector=" + urllib.parse.quote(sels[-1], safe="")))
    pods = kind_named("pods")
    for s in ["a in ()", "!a", "a notin (b)", "a in (b,,c)", "a in (,)", " a = b ", "a=" + "v" * 63, "a=" + "v" * 64, "a.b/c=d", "a" * 254 + "/b=c",
              "a" * 253 + "/b=c", "example.com/" + "k" * 63 + "=v", "a in (b c)", "a notin (b", "!a,!b", "a=b,!a", "a in (B)", "a=b\\,c", "a=b c", "a=(b)",
              "A=b", "a=_b", "a=b_", "a=b.c-d_e", "a=-b", "a in (b) , c", "a!=", "a in (" + ",".join(["x"] * 100) + ")", "a=b&c", "a=\u00e9",
              "a >", "a gt 1", "a > 1", "a < 1", "a > x", "a>1.5", "a>-1", "a>01", "!!a", "! a", "a exists", "a = b = c"]:
        out.append(_fuzz20("GET", pods.collection(), "labelSelector=" + urllib.parse.quote(s, safe="")))
    return out


def _fuzz20_naming():
    out = []
    ns = kind_named("namespaces"); cms = kind_named("configmaps"); nodes = kind_named("nodes")
    for n in ["a.b", "a" * 63, "a" * 64, "A", "kube-x", "default", "1a", "a-1", "-", "a_b"]:
        out.append(_fuzz20("POST", ns.collection(), "dryRun=All", JSON, encode(ns.object(n))))
        out.append(_fuzz20("POST", f"/api/v1/namespaces/{n}/configmaps", "dryRun=All", JSON, encode(cms.object("x"))))
        out.append(_fuzz20("GET", f"/api/v1/namespaces/{n}/configmaps"))
        out.append(_fuzz20("GET", f"/api/v1/namespaces/{n}/configmaps/x"))
    for n in ["a" * 253, "a" * 254, "a." * 126 + "a", "a." * 127 + "a", "a-.b", "a.-b", "1.2.3.4", "a" * 63 + ".b", "a" * 64 + ".b"]:
        for kind in (cms, nodes, kind_named("secrets"), kind_named("services"), kind_named("pods"), kind_named("roles"), kind_named("clusterroles"), kind_named("priorityclasses")):
            out.append(_fuzz20("POST", kind.collection(), "dryRun=All", JSON, encode(kind.object(n))))
    # cluster-scoped under a namespace path and vice versa
    for path in ["/api/v1/namespaces/diff/nodes", "/api/v1/namespaces/diff/nodes/diff-probe", "/api/v1/namespaces/diff/namespaces",
                 "/apis/rbac.authorization.k8s.io/v1/namespaces/diff/clusterroles", "/apis/scheduling.k8s.io/v1/namespaces/diff/priorityclasses/x",
                 "/api/v1/configmaps/diff-probe", "/api/v1/namespaces/diff/persistentvolumes"]:
        out.append(_fuzz20("GET", path))
        out.append(_fuzz20("POST", path, "dryRun=All", JSON, encode(nodes.object("x"))))
        out.append(_fuzz20("DELETE", path, "dryRun=All"))
    out.append(_fuzz20("POST", "/api/v1/configmaps", "dryRun=All", JSON, encode(cms.object("x"))))
    out.append(_fuzz20("POST", "/api/v1/configmaps", "dryRun=All", JSON, encode({**cms.object("x"), "metadata": {"name": "x", "namespace": "diff"}})))
    out.append(_fuzz20("PUT", "/api/v1/configmaps/x", "dryRun=All", JSON, encode(cms.object("x"))))
    out.append(_fuzz20("DELETE", "/api/v1/configmaps", "dryRun=All"))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", JSON, encode({**cms.object("x"), "metadata": {"name": "x", "namespace": "other"}})))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", JSON, encode({**cms.object("x"), "metadata": {"name": "x", "namespace": ""}})))
    out.append(_fuzz20("POST", nodes.collection(), "dryRun=All", JSON, encode({**nodes.object("x"), "metadata": {"name": "x", "namespace": "diff"}})))
    out.append(_fuzz20("POST", ns.collection(), "dryRun=All", JSON, encode({**ns.object("x"), "metadata": {"name": "x", "namespace": "diff"}})))
    out.append(_fuzz20("PUT", f"{cms.collection()}/{cms.existing}", "dryRun=All", JSON, encode({**cms.object(cms.existing), "metadata": {"name": cms.existing, "namespace": "other"}})))
    out.append(_fuzz20("POST", "/api/v1/namespaces/absent/configmaps", "", JSON, encode(cms.object("x"))))
    out.append(_fuzz20("POST", "/api/v1/namespaces/absent/pods", "", JSON, encode(kind_named("pods").object("x"))))
    # a terminating namespace: made once on each, deleted (no controller finalizes it)
    out.append(_fuzz20("POST", ns.collection(), "", JSON, encode(ns.object("fuzz20-term"))))
    out.append(_fuzz20("DELETE", f"{ns.collection()}/fuzz20-term"))
    for kind in (cms, kind_named("pods"), kind_named("serviceaccounts"), kind_named("roles"), kind_named("events")):
        out.append(_fuzz20("POST", kind.collection("fuzz20-term"), "", JSON, encode(kind.object("x"))))
        out.append(_fuzz20("POST", kind.collection("fuzz20-term"), "dryRun=All", JSON, encode(kind.object("y"))))
    out.append(_fuzz20("PUT", f"{ns.collection()}/fuzz20-term", "", JSON, encode(ns.object("fuzz20-term"))))
    out.append(_fuzz20("PATCH", f"{ns.collection()}/fuzz20-term", "", MERGE, b'{"metadata":{"labels":{"a":"b"}}}'))
    out.append(_fuzz20("DELETE", f"{ns.collection()}/fuzz20-term"))
    out.append(_fuzz20("DELETE", f"{ns.collection()}/kube-system", "dryRun=All"))
    out.append(_fuzz20("DELETE", f"{ns.collection()}/default", "dryRun=All"))
    out.append(_fuzz20("DELETE", f"{ns.collection()}/kube-public", "dryRun=All"))
    return out


def _fuzz20_yamlbodies():
    out = []
    cms = kind_named("configmaps")
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y20\n"
    for extra in ["data:\n  a: !!timestamp 2001-12-14\n", "data:\n  a: !!int 3\n", "data:\n  a: !!str 3\n", "data:\n  a: 0o17\n", "data:\n  a: yes\n",
                  "data:\n  a: 1_000\n", "data:\n  a: 0x1F\n", "data:\n  a: 2001-12-14\n", "data:\n  a: ~\n", "data:\n  a: null\n", "data:\n  a: \"\\x00\"\n",
                  "data:\n  1: x\n", "data:\n  true: x\n", "data:\n  a: !custom x\n", "data:\n  a: !!float 1\n", "data:\n  a: !!map {}\n",
                  "binaryData:\n  a: !!binary aGVsbG8=\n", "data:\n  a: |\n    multi\n    line\n", "data: {a: b, a: c}\n", "metadata:\n  name: other\n",
                  "---\n", "...\n", "data:\n  a: 1e3\n", "data:\n  a: .nan\n", "data:\n  <<: {a: b}\n", "data:\n  a: [1]\n", "data:\n  a: b # c\n",
                  "data:\n  a: 12345678901234567890123\n", "data:\n  a: -0\n", "data:\n  a: +1\n"]:
        out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/yaml", (base + extra).encode()))
    for text in ["", "---\n", "# only\n", "[]\n", "- a\n", "x\n", "null\n", "{}\n", "---\n" + base, base + "---\n---\n", "--- \n" + base + "...\n",
                 base.replace("kind: ConfigMap", "kind: ConfigMap\nkind: Secret"), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"y20\"}}",
                 "\ufeff" + base, base.replace("  ", "\t"), "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: y20\r\n", base + "data:\n  a: &x b\n  c: *x\n",
                 base + "data:\n  a: *missing\n", base + "  namespace: other\n", base + "  namespace: diff\n"]:
        out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/yaml", text.encode()))
    t = f"{cms.collection()}/{cms.existing}"
    out.append(_fuzz20("PUT", t, "dryRun=All", "application/yaml", base.replace("y20", cms.existing).encode() + b"data:\n  a: !!timestamp 2001-12-14\n"))
    out.append(_fuzz20("PATCH", t, "dryRun=All", "application/yaml", b"data:\n  a: b\n"))
    for ct in ["application/yaml;charset=utf-8", "application/yaml; charset=latin1", "text/yaml", "application/x-yaml", "application/json;charset=latin1",
               "application/json; stream=watch", "application/cbor", "application/vnd.kubernetes.protobuf", "application/vnd.kubernetes.protobuf;stream=watch",
               "application/json-seq", "APPLICATION/JSON", "application/*", "*/*", "application/json, application/yaml"]:
        out.append(_fuzz20("POST", cms.collection(), "dryRun=All", ct, encode(cms.object("ct20"))))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b"k8s\x00\x0a\x02v1"))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b"\xa1\x61a\x61b"))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", encode(cms.object("dup"))[:-1] + b',"kind":"ConfigMap"}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup2"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"b","a":"c"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All&fieldValidation=Strict", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"b","a":"c"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All&fieldValidation=Strict", "application/yaml", (base + "data:\n  a: b\n  a: c\n").encode()))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All&fieldValidation=Strict", "application/yaml", (base + "datas:\n  a: b\n").encode()))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All&fieldValidation=Strict", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","Name":"x"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"Data":{"a":"b"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"DATA":{"a":"b"},"data":{"a":"c"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"}} {}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"}} x'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"\\ud800"}}'))
    out.append(_fuzz20("POST", cms.collection(), "dryRun=All", "application/json", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"\xff"}}'))
    return out


def _fuzz20_workloads():
    out = []
    deps, sts, dss, pods, nodes, nss, pdbs = (kind_named(p) for p in ("deployments", "statefulsets", "daemonsets", "pods", "nodes", "namespaces", "poddisruptionbudgets"))
    dep = deps.object("wl")
    for strat in [{"type": "Bogus"}, {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}},
                  {"rollingUpdate": {"maxSurge": "x"}}, {"rollingUpdate": {"maxSurge": "101%"}}, {"rollingUpdate": {"maxUnavailable": "101%"}},
                  {"rollingUpdate": {"maxUnavailable": -1}}, {"rollingUpdate": {"maxSurge": "1.5%"}}, {"rollingUpdate": {"maxSurge": "%"}},
                  {"rollingUpdate": {"maxSurge": "-1%"}}, {"rollingUpdate": {"maxSurge": 1.5}}, {"rollingUpdate": {"maxSurge": ""}}, {"rollingUpdate": {"maxSurge": "0%", "maxUnavailable": "0%"}},
                  {"rollingUpdate": {"maxSurge": " 5%"}}, {"rollingUpdate": {"maxSurge": "5 %"}}, {"rollingUpdate": {"maxSurge": "05%"}}, {"rollingUpdate": {"maxSurge": "5"}}]:
        out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(dep, ("spec", "strategy"), strat))))
    for f, v in [("minReadySeconds", -1), ("revisionHistoryLimit", -1), ("progressDeadlineSeconds", 0), ("progressDeadlineSeconds", -1), ("paused", "x"),
                 ("minReadySeconds", 700), ("replicas", -1), ("selector", {}), ("selector", {"matchLabels": {"other": "x"}}), ("rollbackTo", {"revision": 1})]:
        body = _fuzz20_set_at(dep, ("spec", f), v)
        if f == "minReadySeconds" and v == 700:
            body = _fuzz20_set_at(body, ("spec", "progressDeadlineSeconds"), 600)
        out.append(_fuzz20("POST", deps.collection(), "dryRun=All", JSON, encode(body)))
    st = sts.object("wl")
    for f, v in [("podManagementPolicy", "Bogus"), ("updateStrategy", {"type": "Bogus"}), ("updateStrategy", {"type": "OnDelete", "rollingUpdate": {"partition": 1}}),
                 ("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}), ("updateStrategy", {"rollingUpdate": {"maxUnavailable": 0}}),
                 ("revisionHistoryLimit", -1), ("minReadySeconds", -1), ("serviceName", ""), ("serviceName", "UPPER"),
                 ("volumeClaimTemplates", [{"metadata": {"name": "d"}, "spec": {}}]), ("volumeClaimTemplates", [{"metadata": {"name": "UPPER"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]),
                 ("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Bogus"}), ("ordinals", {"start": -1}), ("template", {"metadata": {"labels": {"app": "probe"}}, "spec": {"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Never"}})]:
        out.append(_fuzz20("POST", sts.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(st, ("spec", f), v))))
    ds = dss.object("wl")
    for f, v in [("updateStrategy", {"type": "Bogus"}), ("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}}),
                 ("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}), ("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "101%"}}),
                 ("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}), ("updateStrategy", {"type": "OnDelete", "rollingUpdate": {"maxUnavailable": 1}}),
                 ("minReadySeconds", -1), ("revisionHistoryLimit", -1), ("template", {"metadata": {"labels": {"app": "probe"}}, "spec": {"containers": [{"name": "c", "image": "x"}], "restartPolicy": "OnFailure"}})]:
        out.append(_fuzz20("POST", dss.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(ds, ("spec", f), v))))
    pod = pods.object("wl")
    for f, v in [("dnsPolicy", "None"), ("dnsPolicy", "Bogus"), ("dnsConfig", {"nameservers": ["x"]}), ("dnsConfig", {"nameservers": ["1.1.1.1"] * 4}),
                 ("dnsConfig", {"searches": ["a" * 300]}), ("dnsConfig", {"options": [{"name": ""}]}), ("dnsConfig", {"searches": ["UPPER.com", "a..b"]}),
                 ("hostAliases", [{"ip": "x", "hostnames": ["UPPER"]}]), ("hostAliases", [{"ip": "1.2.3.4"}]),
                 ("securityContext", {"sysctls": [{"name": "bogus", "value": "1"}]}), ("securityContext", {"sysctls": [{"name": "kernel.shm_rmid_forced", "value": "1"}, {"name": "kernel.shm_rmid_forced", "value": "0"}]}),
                 ("securityContext", {"runAsUser": -1}), ("securityContext", {"fsGroup": -1, "runAsGroup": -2}), ("securityContext", {"supplementalGroups": [-1]}),
                 ("securityContext", {"fsGroupChangePolicy": "Bogus"}), ("securityContext", {"seccompProfile": {"type": "Localhost"}}), ("securityContext", {"seccompProfile": {"type": "Bogus"}}),
                 ("securityContext", {"seLinuxOptions": {"level": "x"}}), ("securityContext", {"windowsOptions": {"gmsaCredentialSpec": ""}}),
                 ("readinessGates", [{"conditionType": "a b"}]), ("readinessGates", [{"conditionType": ""}]), ("overhead", {"cpu": "1"}), ("priority", 5), ("runtimeClassName", "UPPER"),
                 ("topologySpreadConstraints", [{"maxSkew": 0, "topologyKey": "", "whenUnsatisfiable": "Bogus", "labelSelector": {}}]),
                 ("topologySpreadConstraints", [{"maxSkew": 1, "topologyKey": "k", "whenUnsatisfiable": "DoNotSchedule"}, {"maxSkew": 1, "topologyKey": "k", "whenUnsatisfiable": "DoNotSchedule"}]),
                 ("topologySpreadConstraints", [{"maxSkew": 1, "topologyKey": "k", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 2}]),
                 ("tolerations", [{"key": "k", "operator": "Exists", "value": "v"}]), ("tolerations", [{"operator": "Equal", "value": "v"}]),
                 ("tolerations", [{"key": "k", "effect": "Bogus"}]), ("tolerations", [{"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}]),
                 ("tolerations", [{"key": "a b"}]), ("tolerations", [{"key": "k", "operator": "Bogus"}]),
                 ("affinity", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}),
                 ("affinity", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": "Gt", "values": ["x"]}]}]}}}),
                 ("affinity", {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}]}]}}}),
                 ("affinity", {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {}}]}}),
                 ("affinity", {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": ""}]}}),
                 ("affinity", {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 101, "podAffinityTerm": {"topologyKey": "k", "namespaces": ["UPPER"]}}]}}),
                 ("affinity", {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "k", "namespaceSelector": {"matchLabels": {"a b": "c"}}}]}}),
                 ("nodeSelector", {"a b": "c"}), ("nodeSelector", {"k": "a b"}), ("hostname", "UPPER"), ("subdomain", "a_b"), ("schedulerName", "a b"),
                 ("enableServiceLinks", "x"), ("shareProcessNamespace", True), ("hostPID", True), ("setHostnameAsFQDN", True), ("nodeName", "UPPER"),
                 ("imagePullSecrets", [{"name": ""}]), ("imagePullSecrets", [{}]), ("restartPolicy", "Bogus"), ("terminationGracePeriodSeconds", 0)]:
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pod, ("spec", f), v))))
    node = nodes.object("wl")
    for f, v in [("podCIDR", "x"), ("podCIDRs", ["10.0.0.0/24", "10.0.1.0/24"]), ("podCIDRs", ["10.0.0.0/24", "fd00::/64", "10.1.0.0/24"]), ("podCIDR", "10.0.0.1/24"),
                 ("providerID", ""), ("taints", [{"key": "k", "effect": "Bogus"}]), ("taints", [{"key": "k", "value": "v", "effect": "NoSchedule"}, {"key": "k", "value": "w", "effect": "NoSchedule"}]),
                 ("taints", [{"key": "", "effect": "NoExecute"}]), ("taints", [{"key": "k", "value": "a b", "effect": "NoExecute"}]), ("configSource", {"configMap": {"name": "x"}}),
                 ("externalID", "x"), ("unschedulable", "yes")]:
        out.append(_fuzz20("POST", nodes.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(node, ("spec", f), v))))
    for spec in [{"finalizers": ["UPPER"]}, {"finalizers": ["kubernetes", "kubernetes"]}, {"finalizers": ["a/b/c"]}, {"finalizers": [""]}, {"finalizers": "x"}]:
        out.append(_fuzz20("POST", nss.collection(), "dryRun=All", JSON, encode({**nss.object("wl"), "spec": spec})))
    out.append(_fuzz20("POST", nss.collection(), "dryRun=All", JSON, encode({**nss.object("wl"), "status": {"phase": "Terminating"}})))
    return out


def _fuzz20_ctmix():
    out = []
    cms, pods, deps = kind_named("configmaps"), kind_named("pods"), kind_named("deployments")
    t = f"{cms.collection()}/{cms.existing}"
    body = encode(cms.object("ct"))
    for ct in [MERGE, JSON_PATCH, STRATEGIC, APPLY, "application/yaml", "application/json;charset=utf-8", "application/json; charset=UTF-8",
               "application/json;charset=utf-16", "application/json;foo=bar", "application/json;;", "application/json; stream", "application/vnd.kubernetes.protobuf;charset=x",
               "application/json-patch+json; charset=utf-8", "multipart/form-data", "application/x-www-form-urlencoded", "text/json", "json", "application/", "/json", "application/json "]:
        out.append(_fuzz20("POST", cms.collection(), "dryRun=All", ct, body))
        out.append(_fuzz20("PUT", t, "dryRun=All", ct, encode(cms.object(cms.existing))))
        out.append(_fuzz20("PATCH", t, "dryRun=All", ct, b'{"data":{"x":"y"}}'))
    pod = f"{pods.collection()}/{pods.existing}"
    for sub, b in [("status", b'{"status":{"phase":"Running"}}'), ("ephemeralcontainers", b'{"spec":{}}')]:
        for ct in [MERGE, JSON_PATCH, STRATEGIC, APPLY, "application/yaml", JSON]:
            out.append(_fuzz20("PATCH", f"{pod}/{sub}", "dryRun=All&fieldManager=x", ct, b))
    for ct in ["application/yaml", MERGE, JSON_PATCH]:
        out.append(_fuzz20("POST", f"{pod}/eviction", "dryRun=All", ct, b"apiVersion: policy/v1\nkind: Eviction\nmetadata:\n  name: diff-probe\n" if ct == "application/yaml" else b"{}"))
        out.append(_fuzz20("POST", f"{pod}/binding", "dryRun=All", ct, b"apiVersion: v1\nkind: Binding\nmetadata:\n  name: diff-probe\ntarget:\n  name: n1\n" if ct == "application/yaml" else b"{}"))
    scale = f"{deps.collection()}/{deps.existing}/scale"
    for ct in [MERGE, JSON_PATCH, STRATEGIC, APPLY, "application/yaml"]:
        b = b'[{"op":"test","path":"/spec/replicas","value":5}]' if ct == JSON_PATCH else (b"spec:\n  replicas: 2\n" if ct in (APPLY, "application/yaml") else b'{"spec":{"replicas":2}}')
        out.append(_fuzz20("PATCH", scale, "dryRun=All&fieldManager=x", ct, b))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", JSON_PATCH, b'[{"op":"replace","path":"/spec/replicas","value":"3"}]'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", JSON_PATCH, b'[{"op":"remove","path":"/spec/replicas"}]'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", JSON_PATCH, b'[{"op":"remove","path":"/spec"}]'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", JSON_PATCH, b'[{"op":"replace","path":"/status/replicas","value":9}]'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"spec":{"replicas":null}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"spec":null}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"status":{"replicas":9}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"spec":{"replicas":2147483648}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"spec":{"replicas":1.5}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"kind":"Deployment"}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"apiVersion":"autoscaling/v2"}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"metadata":{"name":"other"}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", MERGE, b'{"metadata":{"labels":{"a":"b"}}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", STRATEGIC, b'{"spec":{"$patch":"replace","replicas":2}}'))
    out.append(_fuzz20("PATCH", scale, "dryRun=All", STRATEGIC, b'{"$patch":"delete"}'))
    return out


def _fuzz20_conflicts():
    out = []
    cms, pods = kind_named("configmaps"), kind_named("pods")
    t = f"{cms.collection()}/{cms.existing}"
    for rv in ["1", "0", "abc", "-1", "", "99999999999", "18446744073709551616"]:
        out.append(_fuzz20("PUT", t, "dryRun=All", JSON, encode({**cms.object(cms.existing), "metadata": {"name": cms.existing, "resourceVersion": rv}})))
        out.append(_fuzz20("PATCH", t, "dryRun=All", MERGE, encode({"metadata": {"resourceVersion": rv}, "data": {"x": "y"}})))
        out.append(_fuzz20("PATCH", t, "dryRun=All", JSON_PATCH, encode([{"op": "replace", "path": "/metadata/resourceVersion", "value": rv}])))
        out.append(_fuzz20("DELETE", t, "dryRun=All", JSON, encode({"preconditions": {"resourceVersion": rv}})))
        out.append(_fuzz20("PATCH", t, "dryRun=All&fieldManager=x", APPLY, encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": cms.existing, "resourceVersion": rv}})))
    for uid in ["x", "", "00000000-0000-0000-0000-000000000000"]:
        out.append(_fuzz20("DELETE", t, "dryRun=All", JSON, encode({"preconditions": {"uid": uid}})))
        out.append(_fuzz20("PATCH", t, "dryRun=All", MERGE, encode({"metadata": {"uid": uid}})))
        out.append(_fuzz20("DELETE", f"{pods.collection()}/{pods.existing}/eviction", "dryRun=All"))
        out.append(_fuzz20("POST", f"{pods.collection()}/{pods.existing}/eviction", "dryRun=All", JSON, encode({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pods.existing}, "deleteOptions": {"preconditions": {"uid": uid, "resourceVersion": "1"}}})))
    # binding a fresh pod twice, then once more to another node
    p = pods.object("bind20")
    out.append(_fuzz20("POST", pods.collection(), "", JSON, encode(p)))
    for node in ["n1", "n1", "n2", ""]:
        out.append(_fuzz20("POST", f"{pods.collection()}/bind20/binding", "", JSON, encode({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bind20"}, "target": {"apiVersion": "v1", "kind": "Node", "name": node}})))
    out.append(_fuzz20("PATCH", f"{pods.collection()}/bind20", "", MERGE, b'{"spec":{"nodeName":"n3"}}'))
    out.append(_fuzz20("PATCH", f"{pods.collection()}/bind20", "", MERGE, b'{"spec":{"nodeName":null}}'))
    out.append(_fuzz20("POST", f"{pods.collection()}/bind20/eviction", "", JSON, encode({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "bind20"}, "deleteOptions": {"gracePeriodSeconds": 0}})))
    out.append(_fuzz20("POST", f"{pods.collection()}/bind20/eviction", "", JSON, encode({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "bind20"}})))
    out.append(_fuzz20("POST", f"{pods.collection()}/bind20/binding", "", JSON, encode({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bind20"}, "target": {"name": "n1"}})))
    out.append(_fuzz20("DELETE", f"{pods.collection()}/bind20", "gracePeriodSeconds=0"))
    out.append(_fuzz20("DELETE", f"{pods.collection()}/bind20", "gracePeriodSeconds=0"))
    return out


def _fuzz20_wlstatus():
    out = []
    for plural, statuses in {
        "deployments": [{"replicas": -1}, {"replicas": 1, "readyReplicas": 2}, {"replicas": 2, "readyReplicas": 1, "availableReplicas": 2}, {"updatedReplicas": 3, "replicas": 1},
                        {"observedGeneration": -1}, {"collisionCount": -1}, {"unavailableReplicas": -1}, {"conditions": [{"type": "Available", "status": "Maybe"}]},
                        {"conditions": [{"type": "", "status": "True"}]}, {"conditions": [{"type": "Progressing", "status": "True", "lastUpdateTime": "x"}]}, {"replicas": "1"}, {"availableReplicas": 1, "replicas": 1}],
        "statefulsets": [{"replicas": -1}, {"readyReplicas": 2, "replicas": 1}, {"currentReplicas": 2, "replicas": 1}, {"updatedReplicas": 2, "replicas": 1}, {"availableReplicas": 2, "replicas": 1, "readyReplicas": 1},
                         {"observedGeneration": -1}, {"collisionCount": -1}, {"replicas": 1, "readyReplicas": 1, "availableReplicas": 2}],
        "daemonsets": [{"currentNumberScheduled": -1}, {"numberMisscheduled": -1}, {"desiredNumberScheduled": -1}, {"numberReady": -1}, {"observedGeneration": -1},
                       {"updatedNumberScheduled": -1}, {"numberAvailable": -1}, {"numberUnavailable": -1}, {"collisionCount": -1}, {"currentNumberScheduled": 1, "desiredNumberScheduled": 1, "numberReady": 1, "numberMisscheduled": 0}],
        "replicasets": [{"replicas": -1}, {"fullyLabeledReplicas": 2, "replicas": 1}, {"readyReplicas": 2, "replicas": 1}, {"availableReplicas": 2, "readyReplicas": 1, "replicas": 2}, {"observedGeneration": -1}],
        "replicationcontrollers": [{"replicas": -1}, {"fullyLabeledReplicas": 2, "replicas": 1}, {"readyReplicas": 2, "replicas": 1}, {"availableReplicas": 2, "readyReplicas": 1, "replicas": 2}],
        "horizontalpodautoscalers": [{"currentReplicas": -1, "desiredReplicas": 0}, {"desiredReplicas": -1, "currentReplicas": 0}, {"currentMetrics": [{"type": "Bogus"}], "desiredReplicas": 1}],
        "poddisruptionbudgets": [{"disruptionsAllowed": -1, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}, {"currentHealthy": -1, "disruptionsAllowed": 0, "desiredHealthy": 0, "expectedPods": 0}],
        "persistentvolumeclaims": [{"allocatedResources": {"storage": "-1"}}, {"resizeStatus": "Bogus"}],
        "jobs": [{"ready": -1}, {"failed": -1}, {"completionTime": "2024-01-01T00:00:00Z"}, {"startTime": "2024-01-01T00:00:00Z", "completionTime": "2023-01-01T00:00:00Z"}],
        "cronjobs": [{"active": [{"name": "x"}]}, {"lastScheduleTime": "x"}],
        "nodes": [{"phase": "Bogus"}, {"nodeInfo": {"machineID": 1}}, {"volumesAttached": [{"name": "", "devicePath": ""}]}, {"images": [{"names": [], "sizeBytes": -1}]}],
    }.items():
        k = kind_named(plural)
        t = f"{k.collection()}/{k.existing}/status"
        for st in statuses:
            out.append(_fuzz20("PUT", t, "dryRun=All", JSON, encode({**k.object(k.existing), "status": st})))
            out.append(_fuzz20("PATCH", t, "dryRun=All", MERGE, encode({"status": st})))
            out.append(_fuzz20("PATCH", t, "dryRun=All&fieldManager=x&force=true", APPLY, encode({"apiVersion": k.api_version, "kind": k.kind, "metadata": {"name": k.existing}, "status": st})))
    return out

FUZZ20_QUANTITIES = ["1E", "10E", "1.5E", "1e1000", "1e-1000", "0.0000000001", "-1E", "1 ", " 1Gi", "9" * 30, "1.5Gi", "1.5", 1.5, "1e19", "-0", "0.5m", "1Ei", "9223372036854775807", "9223372036854775808", "1e3", "+1", "0x1"]

def _fuzz20_quantities():
    out = []
    lr, rq, pvc, pv, pods, nodes = (kind_named(p) for p in ("limitranges", "resourcequotas", "persistentvolumeclaims", "persistentvolumes", "pods", "nodes"))
    for q in FUZZ20_QUANTITIES:
        out.append(_fuzz20("POST", lr.collection(), "dryRun=All", JSON, encode({**lr.object("q"), "spec": {"limits": [{"type": "Container", "max": {"cpu": q}, "min": {"cpu": "1"}}]}})))
        out.append(_fuzz20("POST", lr.collection(), "dryRun=All", JSON, encode({**lr.object("q"), "spec": {"limits": [{"type": "Container", "default": {"memory": q}, "maxLimitRequestRatio": {"memory": q}}]}})))
        out.append(_fuzz20("POST", lr.collection(), "dryRun=All", JSON, encode({**lr.object("q"), "spec": {"limits": [{"type": "PersistentVolumeClaim", "max": {"storage": q}, "min": {"storage": "2Gi"}}]}})))
        out.append(_fuzz20("POST", rq.collection(), "dryRun=All", JSON, encode({**rq.object("q"), "spec": {"hard": {"requests.memory": q, "count/pods": q}}})))
        out.append(_fuzz20("POST", pvc.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pvc.object("q"), ("spec", "resources", "requests", "storage"), q))))
        out.append(_fuzz20("POST", pv.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pv.object("q"), ("spec", "capacity", "storage"), q))))
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pods.object("q"), ("spec", "volumes"), [{"name": "v", "emptyDir": {"sizeLimit": q}}]))))
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pods.object("q"), ("spec", "containers", 0, "resources"), {"limits": {"example.com/gpu": q}, "requests": {"example.com/gpu": q}}))))
        out.append(_fuzz20("POST", pods.collection(), "dryRun=All", JSON, encode(_fuzz20_set_at(pods.object("q"), ("spec", "containers", 0, "resources"), {"limits": {"hugepages-2Mi": q, "memory": "1Gi"}}))))
        out.append(_fuzz20("PATCH", f"{nodes.collection()}/{nodes.existing}/status", "dryRun=All", MERGE, encode({"status": {"capacity": {"cpu": q, "pods": q}, "allocatable": {"memory": q}}})))
    return out

def fuzz20_probes() -> list[Probe]:
    return [probe for family in (_fuzz20_coerce, _fuzz20_jsonpatch, _fuzz20_mergenull, _fuzz20_dryrun, _fuzz20_deletecoll, _fuzz20_fieldsel, _fuzz20_naming, _fuzz20_yamlbodies, _fuzz20_workloads, _fuzz20_ctmix, _fuzz20_conflicts, _fuzz20_wlstatus, _fuzz20_quantities) for probe in family()]


# --- fuzz21: kinds, updates and parameters no category tried --------------------------------------
# Services by type and IP family, NodePorts allocated twice, webhook configurations and APIServices,
# immutable ConfigMaps and Secrets, fields other kinds keep on update, metadata a client sets on an
# update, CronJob schedules, EndpointSlices at their size limits, PriorityClasses made default twice,
# and query parameters on the verbs that do not read them.

def _f21(method: str, path: str, query_text: str = "", content_type: str = "", body: object = b"") -> Probe:
    return Probe("fuzz21", method, path, query_text, content_type, body if isinstance(body, bytes) else encode(body))


def _f21_services() -> list[Probe]:
    services = kind_named("services")
    svc = services.object("f21-svc")
    port = {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}
    specs = [
        {"ipFamilyPolicy": "RequireDualStack"}, {"ipFamilyPolicy": "PreferDualStack"},
        {"ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4", "IPv6"]},
        {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4", "IPv6"]}, {"ipFamilies": ["IPv6"]},
        {"ipFamilies": ["IPv4", "IPv6", "IPv4"]}, {"ipFamilies": []}, {"ipFamilies": [""]},
        {"clusterIPs": ["10.96.0.60", "10.96.0.61"]}, {"clusterIP": "10.96.0.60", "clusterIPs": ["10.96.0.61"]},
        {"clusterIPs": ["10.96.0.60", "fd00::1"]}, {"clusterIPs": ["10.96.0.60", "fd00::1"], "ipFamilyPolicy": "RequireDualStack"},
        {"clusterIP": "None", "clusterIPs": ["None", "None"]}, {"clusterIP": "None", "clusterIPs": ["10.96.0.60"]},
        {"clusterIPs": ["None"]}, {"clusterIP": "10.96.0.0"}, {"clusterIP": "10.111.255.255"}, {"clusterIP": "10.96.0.1"},
        {"clusterIP": "fd00::1"}, {"clusterIP": "010.96.0.9"}, {"clusterIP": ""},
        {"clusterIP": "None", "ports": []}, {"clusterIP": "None", "selector": None, "ports": []},
        {"clusterIP": "None", "ipFamilyPolicy": "RequireDualStack"}, {"clusterIP": "None", "ipFamilies": ["IPv6"]},
        {"type": "NodePort", "ports": [{**port, "nodePort": 29999}]}, {"type": "NodePort", "ports": [{**port, "nodePort": 32768}]},
        {"type": "NodePort", "ports": [{**port, "nodePort": 30000}]}, {"type": "NodePort", "ports": [{**port, "nodePort": 32767}]},
        {"type": "NodePort", "ports": [{**port, "nodePort": 30100}, {**port, "name": "b", "port": 81, "nodePort": 30100}]},
        {"type": "NodePort", "ports": [{**port, "nodePort": 30100}, {**port, "name": "b", "protocol": "UDP", "nodePort": 30100}]},
        {"type": "NodePort", "ports": [{**port, "nodePort": -1}]}, {"type": "NodePort", "ports": [{**port, "nodePort": 70000}]},
        {"type": "NodePort", "externalTrafficPolicy": "Bogus"}, {"type": "NodePort", "healthCheckNodePort": 30200},
        {"type": "NodePort", "allocateLoadBalancerNodePorts": True}, {"type": "NodePort", "loadBalancerClass": "example.com/x"},
        {"type": "NodePort", "clusterIP": "None"},
        {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": False, "ports": [{**port, "nodePort": 30201}]},
        {"type": "LoadBalancer", "loadBalancerClass": ""}, {"type": "LoadBalancer", "loadBalancerClass": "a" * 64},
        {"type": "LoadBalancer", "loadBalancerClass": "example.com/" + "a" * 64},
        {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "healthCheckNodePort": 30202},
        {"type": "LoadBalancer", "externalTrafficPolicy": "Cluster", "healthCheckNodePort": 30202},
        {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8", "fd00::/8", " 1.2.3.0/24"]},
        {"type": "LoadBalancer", "loadBalancerIP": "x"}, {"type": "LoadBalancer", "loadBalancerIP": "1.2.3.4"},
        {"loadBalancerIP": "1.2.3.4"}, {"loadBalancerSourceRanges": ["10.0.0.0/8"]}, {"healthCheckNodePort": 30203},
        {"externalTrafficPolicy": "Cluster"}, {"loadBalancerClass": "example.com/x"}, {"allocateLoadBalancerNodePorts": True},
        {"type": "ExternalName", "externalName": "a.example.com"},
        {"type": "ExternalName", "externalName": "a.example.com", "ports": []},
        {"type": "ExternalName", "externalName": "a.example.com", "ipFamilies": ["IPv4"]},
        {"type": "ExternalName", "externalName": "a.example.com", "ipFamilyPolicy": "SingleStack"},
        {"type": "ExternalName", "externalName": "a.example.com", "clusterIP": "None"},
        {"type": "ExternalName", "externalName": "a.example.com", "clusterIPs": ["10.96.0.62"]},
        {"type": "ExternalName", "externalName": "a.example.com.", "ports": []},
        {"type": "ExternalName", "externalName": "a..b"}, {"type": "ExternalName", "externalName": "a" * 254},
        {"type": "ExternalName", "externalName": "1.2.3.4"}, {"type": "ExternalName", "externalName": "a.example.com",
                                                              "internalTrafficPolicy": "Local"},
        {"type": "ExternalName", "externalName": "a.example.com", "externalTrafficPolicy": "Local"},
        {"type": "ExternalName", "externalName": "a.example.com", "externalIPs": ["1.2.3.4"]},
        {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86401}}},
        {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86400}}},
        {"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10}}}, {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {}},
        {"internalTrafficPolicy": "Local"}, {"internalTrafficPolicy": ""},
        {"externalIPs": ["fd00::1"]}, {"externalIPs": ["1.2.3.4", "1.2.3.4"]}, {"externalIPs": ["127.0.0.1"]},
        {"externalIPs": ["224.0.0.1"]}, {"externalIPs": ["169.254.1.1"]},
        {"ports": [port, {**port, "name": "HTTP"}]}, {"ports": [port, {**port, "name": "udp", "protocol": "UDP"}]},
        {"ports": [port, {**port, "name": "sctp", "protocol": "SCTP"}]}, {"ports": [{**port, "name": "a" * 16}]},
        {"ports": [{"port": 80}, {"port": 81}]}, {"ports": [{"name": "a", "port": 80, "targetPort": "-x"}]},
        {"ports": [{**port, "appProtocol": "example.com/x"}]}, {"ports": [{**port, "appProtocol": "UPPER"}]},
        {"publishNotReadyAddresses": True, "clusterIP": "None"}, {"topologyKeys": ["kubernetes.io/hostname"]},
        {"selector": {"a b": "c"}}, {"selector": {"a": "b c"}}, {"selector": {}},
    ]
    probes = []
    for spec in specs:
        body = copy.deepcopy(svc)
        body["spec"].update(spec)
        body["spec"] = {k: v for k, v in body["spec"].items() if v is not None}
        probes.append(_f21("POST", services.collection(), "dryRun=All", JSON, body))
    # Real objects: a NodePort service, then the same nodePort asked again; updates that change type,
    # family and addresses of the existing ones.
    node_port = {**svc, "metadata": {"name": "f21-np1"}, "spec": {**svc["spec"], "type": "NodePort",
                                                                 "ports": [{**port, "nodePort": 30321}]}}
    probes += [_f21("POST", services.collection(), "", JSON, node_port),
               _f21("POST", services.collection(), "", JSON, {**node_port, "metadata": {"name": "f21-np2"}}),
               _f21("POST", services.collection(), "dryRun=All", JSON, {**node_port, "metadata": {"name": "f21-np2"}}),
               _f21("POST", services.collection(), "", JSON, {**svc, "metadata": {"name": "f21-ip"},
                                                             "spec": {**svc["spec"], "clusterIP": "10.96.0.77"}}),
               _f21("POST", services.collection(), "", JSON, {**svc, "metadata": {"name": "f21-ip2"},
                                                             "spec": {**svc["spec"], "clusterIP": "10.96.0.77"}}),
               _f21("POST", services.collection(), "dryRun=All", JSON, {**svc, "metadata": {"name": "f21-ip3"},
                                                                       "spec": {**svc["spec"], "clusterIP": "10.96.0.77"}})]
    np_path, probe_path = f"{services.collection()}/f21-np1", f"{services.collection()}/{services.existing}"
    changes = [
        {"spec": {"type": "ClusterIP"}}, {"spec": {"type": "ClusterIP", "ports": [{**port, "nodePort": None}]}},
        {"spec": {"type": "ExternalName", "externalName": "a.example.com"}},
        {"spec": {"type": "ExternalName", "externalName": "a.example.com", "clusterIP": "", "clusterIPs": None}},
        {"spec": {"type": "LoadBalancer"}}, {"spec": {"ports": [{**port, "nodePort": 30322}]}},
        {"spec": {"ports": [{**port, "nodePort": 40000}]}}, {"spec": {"ipFamilyPolicy": "RequireDualStack"}},
        {"spec": {"ipFamilyPolicy": "PreferDualStack"}}, {"spec": {"ipFamilies": ["IPv6"]}},
        {"spec": {"ipFamilies": ["IPv4", "IPv6"]}}, {"spec": {"ipFamilyPolicy": None}}, {"spec": {"ipFamilies": None}},
        {"spec": {"clusterIPs": None}}, {"spec": {"clusterIP": None}}, {"spec": {"clusterIP": ""}},
        {"spec": {"externalTrafficPolicy": "Local"}}, {"spec": {"externalTrafficPolicy": None}},
        {"spec": {"healthCheckNodePort": 30555}}, {"spec": {"sessionAffinity": "ClientIP"}},
    ]
    for change in changes:
        probes.append(_f21("PATCH", np_path, "dryRun=All", MERGE, change))
    for change in changes[:2] + changes[2:4] + changes[7:16] + [{"spec": {"type": "NodePort", "ports": [{**port, "nodePort": 30321}]}},
                                                                {"spec": {"type": "NodePort", "ports": [{**port, "nodePort": 30400}]}}]:
        probes.append(_f21("PATCH", probe_path, "dryRun=All", MERGE, change))
    probes.append(_f21("PATCH", probe_path, "dryRun=All", JSON_PATCH, [{"op": "remove", "path": "/spec/clusterIPs"}]))
    probes.append(_f21("PATCH", probe_path, "dryRun=All", JSON_PATCH, [{"op": "replace", "path": "/spec/clusterIPs/0", "value": "10.96.0.78"}]))
    probes.append(_f21("PATCH", probe_path, "dryRun=All", JSON_PATCH, [{"op": "add", "path": "/spec/clusterIPs/-", "value": "fd00::5"}]))
    return probes


def _f21_webhooks() -> list[Probe]:
    group = "/apis/admissionregistration.k8s.io/v1"
    hook = {"name": "a.example.com", "clientConfig": {"url": "https://example.com/x"}, "sideEffects": "None",
            "admissionReviewVersions": ["v1"], "rules": [{"operations": ["CREATE"], "apiGroups": [""],
                                                         "apiVersions": ["v1"], "resources": ["pods"]}]}
    variants = [
        {}, {"name": "noDots"}, {"name": "UPPER.example.com"}, {"name": ""},
        {"clientConfig": {}}, {"clientConfig": {"url": "https://example.com/x", "service": {"namespace": "n", "name": "s"}}},
        {"clientConfig": {"url": "http://example.com/x"}}, {"clientConfig": {"url": "https://example.com/x#frag"}},
        {"clientConfig": {"url": "https://example.com/x?q=1"}}, {"clientConfig": {"url": "https://u:p@example.com/x"}},
        {"clientConfig": {"url": "example.com/x"}}, {"clientConfig": {"url": "https://"}}, {"clientConfig": {"url": "::"}},
        {"clientConfig": {"url": "https://example.com/x", "caBundle": "!!!"}},
        {"clientConfig": {"url": "https://example.com/x", "caBundle": "dGVzdA=="}},
        {"clientConfig": {"service": {"namespace": "", "name": ""}}},
        {"clientConfig": {"service": {"namespace": "n", "name": "s", "path": "a"}}},
        {"clientConfig": {"service": {"namespace": "n", "name": "s", "path": "/a//b"}}},
        {"clientConfig": {"service": {"namespace": "n", "name": "s", "path": "/a/../b"}}},
        {"clientConfig": {"service": {"namespace": "n", "name": "s", "path": "/UPPER_x"}}},
        {"clientConfig": {"service": {"namespace": "n", "name": "s", "port": 0}}},
        {"clientConfig": {"service": {"namespace": "n", "name": "s", "port": 70000}}},
        {"clientConfig": {"service": {"namespace": "UPPER", "name": "a.b"}}},
        {"sideEffects": None}, {"sideEffects": "Bogus"}, {"sideEffects": "Unknown"}, {"sideEffects": "Some"},
        {"sideEffects": "NoneOnDryRun"}, {"admissionReviewVersions": []}, {"admissionReviewVersions": ["v2"]},
        {"admissionReviewVersions": ["v1", "v1"]}, {"admissionReviewVersions": ["v1beta1", "x y"]},
        {"admissionReviewVersions": None},
        {"timeoutSeconds": 0}, {"timeoutSeconds": 31}, {"timeoutSeconds": 30}, {"timeoutSeconds": -1},
        {"failurePolicy": "Bogus"}, {"matchPolicy": "Bogus"}, {"matchPolicy": "Exact"},
        {"namespaceSelector": {"matchLabels": {"a b": "c"}}}, {"objectSelector": {"matchExpressions": [{"key": "k", "operator": "In"}]}},
        {"rules": [{"operations": ["Bogus"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]},
        {"rules": [{"operations": ["*", "CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]},
        {"rules": [{"operations": [], "apiGroups": [], "apiVersions": [], "resources": []}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": ["*", "apps"], "apiVersions": ["*", "v1"], "resources": ["pods"]}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["*/*", "pods"]}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["a/*/b"]}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["*/status", "pods/status"]}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods/*", "pods/status"]}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "scope": "Bogus"}]},
        {"rules": [{"operations": ["CONNECT"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods/exec"], "scope": "*"}]},
        {"rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": [""], "resources": [""]}]},
    ]
    probes = []
    for kind, plural in (("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
                         ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations")):
        for change in variants + ([{"reinvocationPolicy": "Bogus"}, {"reinvocationPolicy": "IfNeeded"}]
                                  if kind.startswith("Mutating") else []):
            webhook = {k: v for k, v in {**hook, **change}.items() if v is not None}
            body = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": "f21-hook"},
                    "webhooks": [webhook]}
            probes.append(_f21("POST", f"{group}/{plural}", "dryRun=All", JSON, body))
        for webhooks in ([hook, hook], [hook, {**hook, "name": "b.example.com"}], [], None):
            body = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": "f21-hook"}}
            if webhooks is not None:
                body["webhooks"] = webhooks
            probes.append(_f21("POST", f"{group}/{plural}", "dryRun=All", JSON, body))
    return probes


def _f21_apiservices() -> list[Probe]:
    path = "/apis/apiregistration.k8s.io/v1/apiservices"
    base = {"group": "f21.example.com", "version": "v1", "groupPriorityMinimum": 100, "versionPriority": 10,
            "service": {"namespace": "diff", "name": "s", "port": 443}, "insecureSkipTLSVerify": True}
    variants = [
        ("v1.f21.example.com", {}), ("v2.f21.example.com", {}), ("v1.other.example.com", {}), ("f21", {}),
        ("v1.f21.example.com", {"groupPriorityMinimum": 0}), ("v1.f21.example.com", {"groupPriorityMinimum": 20001}),
        ("v1.f21.example.com", {"versionPriority": 0}), ("v1.f21.example.com", {"versionPriority": -1}),
        ("v1.f21.example.com", {"service": {"namespace": "", "name": "s"}}),
        ("v1.f21.example.com", {"service": {"namespace": "diff", "name": ""}}),
        ("v1.f21.example.com", {"service": {"namespace": "diff", "name": "s", "port": 0}}),
        ("v1.f21.example.com", {"service": {"namespace": "diff", "name": "s", "port": 70000}}),
        ("v1.f21.example.com", {"service": {"namespace": "UPPER", "name": "a.b"}}),
        ("v1.f21.example.com", {"insecureSkipTLSVerify": True, "caBundle": "dGVzdA=="}),
        ("v1.f21.example.com", {"insecureSkipTLSVerify": False}),
        ("v1.f21.example.com", {"caBundle": "!!"}),
        ("v1.f21.example.com", {"service": None}), ("v1.f21.example.com", {"service": None, "insecureSkipTLSVerify": False}),
        ("V1.f21.example.com", {"version": "V1"}), ("v1.UPPER.com", {"group": "UPPER.com"}),
        ("v1.", {"group": ""}), ("v1", {"group": "", "version": "v1"}), ("v1.f21_x.com", {"group": "f21_x.com"}),
        ("x.f21.example.com", {"version": "x"}), ("v1.f21.example.com", {"version": ""}),
        ("v1.f21.example.com", {"group": ""}), ("v1.f21.example.com", {"groupPriorityMinimum": None}),
    ]
    probes = []
    for name, change in variants:
        spec = {k: v for k, v in {**base, **change}.items() if v is not None}
        probes.append(_f21("POST", path, "dryRun=All", JSON, {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                                                             "metadata": {"name": name}, "spec": spec}))
    existing = f"{path}/{AGGREGATED['version']}.{AGGREGATED['group']}"
    for change in ({"spec": {"group": "other.example.com"}}, {"spec": {"version": "v2"}}, {"spec": {"groupPriorityMinimum": 0}},
                   {"spec": {"service": None}}, {"spec": {"caBundle": "dGVzdA=="}}, {"status": {"conditions": []}}):
        probes.append(_f21("PATCH", existing, "dryRun=All", MERGE, change))
    return probes


def _f21_immutables() -> list[Probe]:
    cms, secrets = kind_named("configmaps"), kind_named("secrets")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "f21-imm"}, "data": {"k": "v"}, "immutable": True}
    sec = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "f21-imm"}, "data": {"k": "dg=="}, "immutable": True}
    probes = [_f21("POST", cms.collection(), "", JSON, cm), _f21("POST", secrets.collection(), "", JSON, sec)]
    for collection, base, field, other in ((cms.collection(), cm, "data", {"k": "w"}),
                                           (secrets.collection(), sec, "data", {"k": "dw=="})):
        path = f"{collection}/f21-imm"
        for change in ({field: other}, {field: {"k2": base[field]["k"]}}, {field: None}, {"immutable": False},
                       {"immutable": None}, {"metadata": {"labels": {"a": "b"}}}, {"binaryData": {"b": "dg=="}},
                       {"stringData": {"k": "x"}}, {"type": "kubernetes.io/tls"}, {"immutable": True}):
            probes.append(_f21("PATCH", path, "dryRun=All", MERGE, change))
        probes.append(_f21("PUT", path, "dryRun=All", JSON, {**base, field: other}))
        probes.append(_f21("PUT", path, "dryRun=All", JSON, {k: v for k, v in base.items() if k != "immutable"}))
        probes.append(_f21("PATCH", path, "dryRun=All", JSON_PATCH, [{"op": "replace", "path": "/immutable", "value": False}]))
        probes.append(_f21("PATCH", path, "dryRun=All", STRATEGIC, {field: {"$patch": "replace", "z": other["k"]}}))
    secret_path = f"{secrets.collection()}/{secrets.existing}"
    for change in ({"type": "kubernetes.io/tls"}, {"type": "Other"}, {"type": ""}, {"type": None}, {"immutable": True, "data": {"z": "dg=="}}):
        probes.append(_f21("PATCH", secret_path, "dryRun=All", MERGE, change))
    cm_path = f"{cms.collection()}/{cms.existing}"
    probes.append(_f21("PATCH", cm_path, "dryRun=All", MERGE, {"immutable": True, "data": {"k": "changed"}}))
    probes.append(_f21("PATCH", cm_path, "dryRun=All", MERGE, {"immutable": False}))
    # Fields other kinds keep once set.
    changes = {
        "priorityclasses": [{"value": 5}, {"preemptionPolicy": "Never"}, {"globalDefault": True}, {"description": "other"}],
        "storageclasses": [{"provisioner": "example.com/other"}, {"parameters": {"a": "b"}}, {"reclaimPolicy": "Retain"},
                           {"volumeBindingMode": "WaitForFirstConsumer"}, {"allowVolumeExpansion": True}, {"mountOptions": ["ro"]},
                           {"allowedTopologies": [{"matchLabelExpressions": [{"key": "k", "values": ["v"]}]}]}],
        "runtimeclasses": [{"handler": "other"}, {"overhead": {"podFixed": {"cpu": "1"}}}, {"scheduling": {"nodeSelector": {"a": "b"}}}],
        "csidrivers": [{"spec": {"attachRequired": False}}, {"spec": {"podInfoOnMount": True}}, {"spec": {"fsGroupPolicy": "None"}},
                       {"spec": {"volumeLifecycleModes": ["Ephemeral"]}}, {"spec": {"storageCapacity": True}},
                       {"spec": {"tokenRequests": [{"audience": "b"}]}}, {"spec": {"requiresRepublish": True}}],
        "statefulsets": [{"spec": {"volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": {
                             "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}},
                         {"spec": {"revisionHistoryLimit": 3}}, {"spec": {"minReadySeconds": 5}},
                         {"spec": {"updateStrategy": {"type": "OnDelete"}}},
                         {"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}}},
                         {"spec": {"replicas": 2, "serviceName": "x"}}],
        "daemonsets": [{"spec": {"updateStrategy": {"type": "OnDelete"}}}, {"spec": {"updateStrategy": {"type": "Bogus"}}},
                       {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 0}}}},
                       {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": "0%", "maxSurge": "0%"}}}},
                       {"spec": {"updateStrategy": {"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}}}},
                       {"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"maxSurge": 1}}}},
                       {"spec": {"templateGeneration": 5}}],
        "jobs": [{"spec": {"parallelism": 3}}, {"spec": {"parallelism": -1}}, {"spec": {"backoffLimit": -1}},
                 {"spec": {"activeDeadlineSeconds": 0}}, {"spec": {"activeDeadlineSeconds": 5}},
                 {"spec": {"ttlSecondsAfterFinished": -1}}, {"spec": {"ttlSecondsAfterFinished": 10}},
                 {"spec": {"suspend": True}}, {"spec": {"manualSelector": True}}, {"spec": {"completions": None}}],
        "cronjobs": [{"spec": {"schedule": "@every 5m"}}, {"spec": {"schedule": "@hourly"}}, {"spec": {"suspend": True}},
                     {"spec": {"jobTemplate": {"spec": {"completions": -1}}}}],
        "persistentvolumeclaims": [{"spec": {"accessModes": ["ReadWriteMany"]}}, {"spec": {"volumeName": "pv"}},
                                   {"spec": {"resources": {"requests": {"storage": "2Gi"}}}},
                                   {"spec": {"resources": {"limits": {"storage": "2Gi"}}}},
                                   {"spec": {"selector": {"matchLabels": {"a": "b"}}}}],
        "persistentvolumes": [{"spec": {"capacity": {"storage": "2Gi"}}}, {"spec": {"accessModes": ["ReadWriteMany"]}},
                              {"spec": {"persistentVolumeReclaimPolicy": "Delete"}}, {"spec": {"storageClassName": "x"}},
                              {"spec": {"volumeMode": "Block"}}, {"spec": {"nodeAffinity": {"required": {"nodeSelectorTerms": [
                                  {"matchExpressions": [{"key": "k", "operator": "Exists"}]}]}}}},
                              {"spec": {"claimRef": {"namespace": "diff", "name": "x"}}}],
        "poddisruptionbudgets": [{"spec": {"minAvailable": "50%"}}, {"spec": {"minAvailable": None, "maxUnavailable": "10%"}},
                                 {"spec": {"maxUnavailable": 1}}, {"spec": {"selector": {"matchLabels": {"x": "y"}}}},
                                 {"spec": {"selector": None}}],
        "endpointslices": [{"addressType": "FQDN"}, {"addressType": None}, {"endpoints": [{"addresses": ["fd00::1"]}]}],
        "leases": [{"spec": {"holderIdentity": "other"}}, {"spec": {"leaseDurationSeconds": 0}}],
        "ingressclasses": [{"spec": {"parameters": {"kind": "K", "name": "n"}}}],
        "nodes": [{"spec": {"podCIDR": "10.244.0.0/24"}}, {"spec": {"providerID": "x://y"}}, {"spec": {"podCIDRs": ["10.244.0.0/24"]}}],
        "namespaces": [{"spec": {"finalizers": []}}, {"spec": {"finalizers": ["example.com/x"]}}, {"metadata": {"name": "other"}}],
        "horizontalpodautoscalers": [{"spec": {"scaleTargetRef": {"kind": "StatefulSet"}}}, {"spec": {"metrics": []}},
                                     {"spec": {"minReplicas": 4}}],
    }
    for plural, patches in changes.items():
        kind = next(k for k in KINDS + MORE_KINDS if k.plural == plural)
        for change in patches:
            probes.append(_f21("PATCH", f"{kind.collection()}/{kind.existing}", "dryRun=All", MERGE, change))
    return probes


def _f21_metadata() -> list[Probe]:
    """Metadata a client writes on an update: another uid, creationTimestamp, generation,
    resourceVersion spellings, a deletionTimestamp, managedFields garbage, owner references."""
    cms, deps = kind_named("configmaps"), kind_named("deployments")
    probes = []
    for kind in (cms, deps):
        path = f"{kind.collection()}/{kind.existing}"
        body = kind.object(kind.existing)
        for meta in ({"uid": "00000000-0000-0000-0000-000000000000"}, {"uid": "x"}, {"uid": ""},
                     {"creationTimestamp": "2000-01-01T00:00:00Z"}, {"creationTimestamp": "bogus"}, {"generation": 99},
                     {"generation": -5}, {"resourceVersion": "0"}, {"resourceVersion": "-1"}, {"resourceVersion": "abc"},
                     {"resourceVersion": "1"}, {"resourceVersion": str(2 ** 64)}, {"resourceVersion": " 5"},
                     {"deletionTimestamp": "2030-01-01T00:00:00Z"}, {"deletionGracePeriodSeconds": 0},
                     {"selfLink": "/bogus"}, {"namespace": "default"}, {"name": "other"},
                     {"managedFields": [{"manager": "m", "operation": "Bogus"}]},
                     {"managedFields": [{"manager": "m", "operation": "Update", "apiVersion": "v1", "time": "bogus"}]},
                     {"managedFields": [{"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
                                         "fieldsV1": {"f:metadata": {"f:x": 1}}}]},
                     {"managedFields": []}, {"managedFields": [{}]},
                     {"managedFields": [{"manager": "m", "operation": "Apply", "apiVersion": "v1", "subresource": "bogus/x"}]},
                     {"ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "not-a-uid"}]},
                     {"ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "controller": False},
                                          {"apiVersion": "v1", "kind": "Pod", "name": "q", "uid": "v", "controller": True}]},
                     {"finalizers": ["example.com/x", "bad name"]}, {"finalizers": ["foregroundDeletion", "orphan"]}):
            probes.append(_f21("PUT", path, "dryRun=All", JSON, {**body, "metadata": {**body["metadata"], **meta}}))
            if "resourceVersion" in meta or "uid" in meta or "generation" in meta or "creationTimestamp" in meta:
                probes.append(_f21("PATCH", path, "dryRun=All", MERGE, {"metadata": meta}))
                probes.append(_f21("PATCH", path, "dryRun=All", STRATEGIC, {"metadata": meta}))
    return probes


def _f21_cronjobs() -> list[Probe]:
    cronjobs = kind_named("cronjobs")
    body = cronjobs.object("f21-cron")
    probes = []
    for schedule in ("@every 5m", "@every 1h30m", "@every x", "@every", "@hourly", "@daily", "@midnight", "@weekly",
                     "@monthly", "@yearly", "@annually", "@reboot", "@bogus", "0 0 * * * *", "* * * * * * *",
                     "CRON_TZ=UTC * * * * *", "TZ=Bogus/Zone * * * * *", "TZ=America/New_York 0 0 * * *", "TZ= * * * * *",
                     "*/0 * * * *", "1-70 * * * *", "5-1 * * * *", "* * 31 2 *", "0 0 ? * *", "0 0 L * *",
                     "0 0 * * MON-FRI", "0 0 * JAN-DEC *", "0 0 * * 7", "0 0 * * 8", "0 24 * * *", "0 0 0 * *",
                     "0 0 * 13 *", "*/5,*/7 * * * *", " */5 * * * *", "*/5 * * * * ", "*/5  *  * * *", "H * * * *",
                     "0 0 1W * *", "0 0 * * 5#3", "1/2 * * * *", "a-b * * * *", "\t* * * * *"):
        probes.append(_f21("POST", cronjobs.collection(), "dryRun=All", JSON, _fuzz20_set_at(body, ("spec", "schedule"), schedule)))
    for field, value in (("timeZone", "UTC"), ("timeZone", "Bogus/Zone"), ("startingDeadlineSeconds", 0),
                         ("successfulJobsHistoryLimit", 2 ** 31), ("concurrencyPolicy", "")):
        probes.append(_f21("POST", cronjobs.collection(), "dryRun=All", JSON, _fuzz20_set_at(body, ("spec", field), value)))
    for field, value in (("completionMode", "Indexed"), ("backoffLimit", -1), ("ttlSecondsAfterFinished", -1),
                         ("activeDeadlineSeconds", -1), ("suspend", "x")):
        probes.append(_f21("POST", cronjobs.collection(), "dryRun=All", JSON,
                           _fuzz20_set_at(body, ("spec", "jobTemplate", "spec", field), value)))
    jobs = kind_named("jobs")
    job = jobs.object("f21-job")
    for spec in ({"completionMode": "Indexed"}, {"completionMode": "Indexed", "completions": 0, "parallelism": 0},
                 {"completionMode": "Indexed", "completions": 3, "parallelism": 5},
                 {"completionMode": "Indexed", "completions": 100001, "parallelism": 100001},
                 {"completionMode": "NonIndexed", "completions": 0}, {"parallelism": 0, "completions": 0},
                 {"backoffLimit": 2 ** 31}, {"ttlSecondsAfterFinished": 0}, {"activeDeadlineSeconds": -1},
                 {"suspend": True, "activeDeadlineSeconds": 1}, {"podFailurePolicy": {"rules": []}},
                 {"template": {"metadata": {"labels": {"controller-uid": "x"}}, "spec": {**POD_SPEC, "restartPolicy": "Never"}}},
                 {"selector": {"matchLabels": {"controller-uid": "x"}}, "manualSelector": False}):
        spec = {**job["spec"], **spec}
        probes.append(_f21("POST", jobs.collection(), "dryRun=All", JSON, {**job, "spec": spec}))
    for name, completions in (("j" * 59, 1000), ("j" * 60, 1000), ("j" * 59, 100), ("j" * 61, 1), ("j" * 62, 1)):
        spec = {**job["spec"], "completionMode": "Indexed", "completions": completions, "parallelism": 1}
        probes.append(_f21("POST", jobs.collection(), "dryRun=All", JSON, {**job, "metadata": {"name": name}, "spec": spec}))
    return probes


def _f21_endpointslices() -> list[Probe]:
    slices = next(k for k in MORE_KINDS if k.plural == "endpointslices")
    body = slices.object("f21-eps")
    ep = body["endpoints"][0]
    probes = []
    for endpoints in ([{"addresses": [f"10.1.{i // 250}.{i % 250 + 1}"]} for i in range(1000)],
                      [{"addresses": [f"10.1.{i // 250}.{i % 250 + 1}"]} for i in range(1001)],
                      [{"addresses": [f"10.1.0.{i + 1}" for i in range(100)]}],
                      [{"addresses": [f"10.1.0.{i + 1}" for i in range(101)]}],
                      [{**ep, "hints": {"forZones": [{"name": "a"}] * 9}}], [{**ep, "hints": {"forZones": [{"name": ""}]}}],
                      [{**ep, "conditions": {"ready": True, "serving": False, "terminating": True}}],
                      [{"addresses": ["fd00::1"]}], [{"addresses": ["10.1.2.3"], "targetRef": {"kind": "Pod", "name": "p", "namespace": "UPPER"}}],
                      [{"addresses": ["10.1.2.3"], "hostname": "a" * 64}], [{"addresses": ["10.1.2.3"], "zone": "z" * 64}],
                      [{"addresses": ["10.1.2.3"], "deprecatedTopology": {"a" * 64: "b"}}]):
        probes.append(_f21("POST", slices.collection(), "dryRun=All", JSON, {**body, "endpoints": endpoints}))
    for ports in ([{"name": f"p{i}", "port": i + 1} for i in range(100)], [{"name": f"p{i}", "port": i + 1} for i in range(101)],
                  [{"name": "", "port": 1}, {"name": "", "port": 2}], [{"port": 1, "appProtocol": "UPPER"}],
                  [{"name": "a", "port": 1, "protocol": "SCTP"}], [{"name": "a" * 64, "port": 1}],
                  [{"name": f"p{i}", "port": i % 65535 + 1} for i in range(20001)]):
        probes.append(_f21("POST", slices.collection(), "dryRun=All", JSON, {**body, "ports": ports}))
    for labels in ({"endpointslice.kubernetes.io/managed-by": "UPPER bad"}, {"kubernetes.io/service-name": "a b"}):
        probes.append(_f21("POST", slices.collection(), "dryRun=All", JSON, {**body, "metadata": {"name": "f21-eps", "labels": labels}}))
    return probes


def _f21_priorityclasses() -> list[Probe]:
    pcs = kind_named("priorityclasses")
    default = {**pcs.object("f21-gd1"), "globalDefault": True}
    return [_f21("POST", pcs.collection(), "", JSON, default),
            _f21("POST", pcs.collection(), "dryRun=All", JSON, {**default, "metadata": {"name": "f21-gd2"}}),
            _f21("POST", pcs.collection(), "", JSON, {**default, "metadata": {"name": "f21-gd2"}}),
            _f21("PATCH", f"{pcs.collection()}/{pcs.existing}", "dryRun=All", MERGE, {"globalDefault": True}),
            _f21("POST", pcs.collection(), "dryRun=All", JSON, {**pcs.object("system-node-critical"), "value": 2000001000}),
            _f21("POST", pcs.collection(), "dryRun=All", JSON, {**pcs.object("system-cluster-critical"), "value": 5}),
            _f21("POST", pcs.collection(), "dryRun=All", JSON, {**pcs.object("system-other"), "value": 2000000000}),
            _f21("POST", pcs.collection(), "dryRun=All", JSON, {**pcs.object("f21-big"), "value": 1000000000}),
            _f21("POST", pcs.collection(), "dryRun=All", JSON, {**pcs.object("f21-big"), "value": 2000000000}),
            _f21("DELETE", f"{pcs.collection()}/system-node-critical", "dryRun=All"),
            _f21("PATCH", f"{pcs.collection()}/system-node-critical", "dryRun=All", MERGE, {"value": 5}),
            _f21("PATCH", f"{pcs.collection()}/system-node-critical", "dryRun=All", MERGE, {"description": "x"}),
            _f21("DELETE", f"{pcs.collection()}/f21-gd1")]


def _f21_queries() -> list[Probe]:
    cms = kind_named("configmaps")
    collection, one = cms.collection(), f"{cms.collection()}/{cms.existing}"
    body = cms.object("f21-q")
    probes = []
    for text in ("force=true", "force=false", "force=bogus", "fieldManager=" + "m" * 129, "fieldManager=m%01",
                 "fieldManager=" + "m" * 128, "fieldManager=", "fieldManager=%C3%A9", "fieldValidation=Strict",
                 "fieldValidation=Bogus", "pretty=1", "pretty=bogus", "allowWatchBookmarks=true", "timeoutSeconds=-1",
                 "resourceVersion=abc", "resourceVersionMatch=Exact", "gracePeriodSeconds=-1", "propagationPolicy=Bogus",
                 "dryRun=All&force=true", "orphanDependents=true", "limit=abc", "continue=x", "watch=true"):
        probes += [_f21("POST", collection, text, JSON, {**body, "metadata": {"name": "f21-q"}}) if "dryRun" in text
                   else _f21("POST", collection, "dryRun=All&" + text, JSON, body),
                   _f21("PUT", one, "dryRun=All&" + text, JSON, cms.object(cms.existing)),
                   _f21("PATCH", one, "dryRun=All&" + text, MERGE, {"data": {"q": "1"}}),
                   _f21("PATCH", one, "dryRun=All&" + text, STRATEGIC, {"data": {"q": "1"}}),
                   _f21("PATCH", one, "dryRun=All&" + text, JSON_PATCH, [{"op": "add", "path": "/data/q", "value": "1"}]),
                   _f21("GET", one, text), _f21("DELETE", f"{collection}/absent", "dryRun=All&" + text)]
    for text in ("force=true", "fieldManager=" + "m" * 129, "fieldManager=m%01", "fieldManager="):
        probes.append(_f21("PATCH", one, "dryRun=All&" + text, APPLY, {"apiVersion": "v1", "kind": "ConfigMap",
                                                                       "metadata": {"name": cms.existing}, "data": {"q": "1"}}))
    for text in ("resourceVersionMatch=NotOlderThan&resourceVersion=1", "resourceVersionMatch=Exact&resourceVersion=1",
                 "resourceVersion=999999999", "resourceVersion=0&limit=1", "timeoutSeconds=" + str(2 ** 63),
                 "timeoutSeconds=5", "allowWatchBookmarks=1", "sendInitialEvents=true", "fieldManager=x", "force=true"):
        probes += [_f21("GET", collection, text), _f21("GET", "/api/v1/nodes", text)]
    return probes


def _f21_more_kinds() -> list[Probe]:
    """Kinds the corpus has no valid object of (ControllerRevisions, events.k8s.io Events,
    PodSecurityPolicies), and more of HorizontalPodAutoscaler v2, PodDisruptionBudget, Ingress,
    NetworkPolicy and PersistentVolume sources."""
    probes = []
    revisions = "/apis/apps/v1/namespaces/diff/controllerrevisions"
    revision = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "f21-rev"},
                "data": {"a": 1}, "revision": 1}
    for change in ({}, {"revision": -1}, {"revision": 0}, {"revision": None}, {"data": None}, {"data": "x"},
                   {"data": [1]}, {"data": {"apiVersion": "v1", "kind": "Pod"}}, {"revision": 2 ** 63}, {"revision": "1"}):
        probes.append(_f21("POST", revisions, "dryRun=All", JSON,
                           {k: v for k, v in {**revision, **change}.items() if v is not None}))
    probes.append(_f21("POST", revisions, "", JSON, revision))
    for change in ({"data": {"a": 2}}, {"revision": 5}, {"revision": -5}, {"data": None}, {"metadata": {"labels": {"a": "b"}}}):
        probes.append(_f21("PATCH", f"{revisions}/f21-rev", "dryRun=All", MERGE, change))
    events = "/apis/events.k8s.io/v1/namespaces/diff/events"
    event = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "f21-ev"},
             "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "example.com/c",
             "reportingInstance": "i", "action": "A", "reason": "R", "type": "Normal",
             "regarding": {"kind": "Pod", "name": "p", "namespace": "diff"}}
    for change in ({}, {"eventTime": None}, {"reportingController": None}, {"reportingController": "UPPER bad"},
                   {"reportingInstance": None}, {"reportingInstance": "i" * 129}, {"action": None}, {"action": "a" * 129},
                   {"reason": None}, {"reason": "r" * 129}, {"type": "Bogus"}, {"type": None}, {"note": "n" * 1025},
                   {"regarding": {"kind": "Pod", "name": "p", "namespace": "other"}}, {"regarding": None},
                   {"series": {"count": 1, "lastObservedTime": "2024-01-01T00:00:00.000000Z"}},
                   {"series": {"count": 2}}, {"eventTime": "bogus"}, {"deprecatedCount": 5},
                   {"metadata": {"name": "f21-ev", "namespace": "other"}},
                   {"related": {"kind": "Pod", "name": "q", "namespace": "other"}}):
        probes.append(_f21("POST", events, "dryRun=All", JSON, {k: v for k, v in {**event, **change}.items() if v is not None}))
    hpas = kind_named("horizontalpodautoscalers")
    hpa = hpas.object("f21-hpa")
    for metrics in ([{"type": "Object", "object": {"metric": {"name": "m"}, "describedObject": {"kind": "Service", "name": "s", "apiVersion": "v1"},
                                                   "target": {"type": "Value", "value": "1"}}}],
                    [{"type": "Object", "object": {"metric": {"name": "m"}, "describedObject": {"kind": "Service", "name": "s"},
                                                   "target": {"type": "Utilization", "averageUtilization": 5}}}],
                    [{"type": "External", "external": {"metric": {"name": "m", "selector": {"matchLabels": {"a b": "c"}}},
                                                       "target": {"type": "AverageValue", "averageValue": "1"}}}],
                    [{"type": "External", "external": {"metric": {"name": "m"}, "target": {"type": "Value"}}}],
                    [{"type": "External", "external": {"metric": {"name": "m"}, "target": {"type": "AverageValue", "averageValue": "-1"}}}],
                    [{"type": "Pods", "pods": {"metric": {"name": "m"}, "target": {"type": "Utilization", "averageUtilization": 5}}}],
                    [{"type": "Pods", "pods": {"metric": {"name": "m"}, "target": {"type": "AverageValue", "averageValue": "0"}}}],
                    [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}],
                    [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Value", "value": "1"}}}],
                    [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 5,
                                                                                "averageValue": "1"}}}],
                    [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}],
                    [{"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "c",
                                                                         "target": {"type": "Utilization", "averageUtilization": 5}}}],
                    [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 5}},
                      "pods": {"metric": {"name": "m"}, "target": {"type": "AverageValue", "averageValue": "1"}}}],
                    [], None):
        body = copy.deepcopy(hpa)
        if metrics is None:
            body["spec"].pop("metrics")
        else:
            body["spec"]["metrics"] = metrics
        probes.append(_f21("POST", hpas.collection(), "dryRun=All", JSON, body))
    for behavior in ({"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 1800}]}},
                     {"scaleUp": {"policies": [{"type": "Pods", "value": -1, "periodSeconds": 60}]}},
                     {"scaleUp": {"selectPolicy": "Disabled"}}, {"scaleDown": {"stabilizationWindowSeconds": 3600}},
                     {"scaleDown": {"policies": [{"type": "Percent", "value": 1000, "periodSeconds": 60}]}}, {}):
        probes.append(_f21("POST", hpas.collection(), "dryRun=All", JSON, _fuzz20_set_at(hpa, ("spec", "behavior"), behavior)))
    pdbs = kind_named("poddisruptionbudgets")
    pdb = pdbs.object("f21-pdb")
    for spec in ({"minAvailable": "50.5%"}, {"minAvailable": "0%"}, {"minAvailable": "100%"}, {"minAvailable": "%"},
                 {"minAvailable": "+5%"}, {"minAvailable": " 5%"}, {"minAvailable": "5"}, {"minAvailable": 0},
                 {"minAvailable": None, "maxUnavailable": "0%"}, {"minAvailable": None, "maxUnavailable": "100%"},
                 {"minAvailable": None, "maxUnavailable": 0}, {"minAvailable": "1", "maxUnavailable": "1"},
                 {"minAvailable": None}, {"selector": None}, {"selector": {}},
                 {"unhealthyPodEvictionPolicy": "AlwaysAllow"}):
        body = copy.deepcopy(pdb)
        body["spec"].update(spec)
        body["spec"] = {k: v for k, v in body["spec"].items() if v is not None}
        probes.append(_f21("POST", pdbs.collection(), "dryRun=All", JSON, body))
    ingresses = kind_named("ingresses")
    ing = ingresses.object("f21-ing")
    backend = {"service": {"name": "s", "port": {"number": 80}}}
    for spec in ({"defaultBackend": {**backend, "resource": {"kind": "K", "name": "n"}}}, {"defaultBackend": backend, "rules": []},
                 {"rules": [], "tls": [{"hosts": ["*.example.com"], "secretName": "s"}]},
                 {"tls": [{"hosts": ["*.*.example.com"]}]}, {"tls": [{"hosts": ["a..b"]}]}, {"tls": [{}]},
                 {"rules": [{"host": "a.example.com"}]}, {"rules": [{"host": "a.example.com:80", "http": ing["spec"]["rules"][0]["http"]}]},
                 {"rules": [{"host": "*.example.com", "http": {"paths": [{"path": "/", "pathType": "Exact", "backend": backend}]}}]},
                 {"rules": [{"http": {"paths": [{"path": "/a b", "pathType": "Prefix", "backend": backend}]}}]},
                 {"rules": [{"http": {"paths": [{"path": "/a", "pathType": "Prefix", "backend": {"service": {"name": "s"}}}]}}]},
                 {"rules": [{"http": {"paths": [{"path": "/a", "pathType": "Prefix",
                                                 "backend": {"resource": {"apiGroup": "", "kind": "K", "name": "n"}}}]}}]},
                 {"rules": [{"http": {"paths": [{"path": "/a", "pathType": "Prefix",
                                                 "backend": {"service": {"name": "s", "port": {"name": "http", "number": 0}}}}]}}]},
                 {"ingressClassName": ""}, {"ingressClassName": "a" * 254}):
        body = copy.deepcopy(ing)
        body["spec"].update(spec)
        probes.append(_f21("POST", ingresses.collection(), "dryRun=All", JSON, body))
    annotated = {**ing, "metadata": {"name": "f21-ing", "annotations": {"kubernetes.io/ingress.class": "nginx"}}}
    probes.append(_f21("POST", ingresses.collection(), "dryRun=All", JSON, {**annotated, "spec": {**ing["spec"], "ingressClassName": "nginx"}}))
    probes.append(_f21("POST", ingresses.collection(), "dryRun=All", JSON, {**annotated, "spec": {**ing["spec"], "ingressClassName": "other"}}))
    policies = kind_named("networkpolicies")
    policy = policies.object("f21-np")
    for rule in ({"from": [{"ipBlock": {"cidr": "fd00::/8", "except": ["fd00::/16"]}}]},
                 {"from": [{"ipBlock": {"cidr": "fd00::/8", "except": ["10.0.0.0/8"]}}]},
                 {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}}]},
                 {"from": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}, {"from": [{"ipBlock": {"cidr": ""}}]},
                 {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/33"]}}]},
                 {"ports": [{"port": 90, "endPort": 80}]}, {"ports": [{"port": 80, "endPort": 80}]},
                 {"ports": [{"port": 80, "endPort": 70000}]}, {"ports": [{"protocol": "SCTP", "port": 80}]},
                 {"ports": [{}]}, {"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}}]}):
        probes.append(_f21("POST", policies.collection(), "dryRun=All", JSON, _fuzz20_set_at(policy, ("spec", "ingress"), [rule])))
    probes.append(_f21("POST", policies.collection(), "dryRun=All", JSON, _fuzz20_set_at(policy, ("spec", "policyTypes"), [])))
    probes.append(_f21("POST", policies.collection(), "dryRun=All", JSON, _fuzz20_set_at(policy, ("spec", "policyTypes"), ["Egress"])))
    pvs = kind_named("persistentvolumes")
    pv = pvs.object("f21-pv")
    sources = [
        {"local": {"path": "/mnt"}}, {"local": {"path": ""}, "nodeAffinity": {"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "k", "operator": "Exists"}]}]}}},
        {"csi": {"driver": "", "volumeHandle": ""}}, {"csi": {"driver": "UPPER_", "volumeHandle": "h"}},
        {"csi": {"driver": "example.com", "volumeHandle": "h", "nodePublishSecretRef": {"name": "s"}}},
        {"csi": {"driver": "example.com", "volumeHandle": "h", "controllerExpandSecretRef": {"name": "", "namespace": ""}}},
        {"nfs": {"server": "", "path": "p"}}, {"iscsi": {"targetPortal": "", "iqn": "x", "lun": -1}},
        {"hostPath": {"path": "/a"}, "nfs": {"server": "s", "path": "/p"}},
        {"fc": {"targetWWNs": ["a"]}}, {"rbd": {"monitors": [], "image": ""}},
        {"gcePersistentDisk": {"pdName": "p", "partition": -1}}, {"awsElasticBlockStore": {"volumeID": ""}},
        {"cephfs": {"monitors": []}}, {"flexVolume": {"driver": ""}}, {"azureFile": {"secretName": "", "shareName": ""}},
        {"glusterfs": {"endpoints": "e", "path": "p", "endpointsNamespace": ""}},
        {"glusterfs": {"endpoints": "", "path": "", "endpointsNamespace": "UPPER"}},
        {"cinder": {"volumeID": "v", "secretRef": {}}}, {"storageos": {"volumeName": "UPPER", "secretRef": {"name": "s"}}},
        {"iscsi": {"targetPortal": "p" * 60, "iqn": "iqn.2001-04.com.example:storage", "lun": 0, "initiatorName": "x"}},
        {"iscsi": {"targetPortal": "p", "iqn": "eui.0123456789ABCDEF", "lun": 0, "secretRef": {}}},
        {"csi": {"driver": "example.com", "volumeHandle": "h", "nodePublishSecretRef": {"name": "UPPER", "namespace": "a_b"}}},
        {"csi": {"driver": "example.com", "volumeHandle": "h", "controllerPublishSecretRef": {"name": "s"}}},
        {"azureFile": {"secretName": "s", "shareName": "s", "secretNamespace": ""}},
        {"hostPath": {"path": "/a"}, "flexVolume": {"driver": ""}}, {"hostPath": {"path": "/a"}, "cephfs": {"monitors": ["m"]}},
        {"flexVolume": {"driver": "d"}, "local": {"path": "/a"}}, {"local": {"path": "/a/../b"}, "nodeAffinity": {}},
        {"scaleIO": {"gateway": "", "system": "", "volumeName": ""}}, {"quobyte": {"registry": "x", "volume": ""}},
        {"vsphereVolume": {"volumePath": ""}}, {"portworxVolume": {"volumeID": ""}}, {"photonPersistentDisk": {"pdID": ""}},
        {"azureDisk": {"diskName": "", "diskURI": ""}}, {"flocker": {}},
    ]
    for source in sources:
        body = copy.deepcopy(pv)
        body["spec"].pop("hostPath")
        body["spec"].update(source)
        probes.append(_f21("POST", pvs.collection(), "dryRun=All", JSON, body))
    for claim_ref in ({"name": "c"}, {"namespace": "diff"}, {"namespace": "diff", "name": "c", "kind": "Pod"}, {}):
        probes.append(_f21("POST", pvs.collection(), "dryRun=All", JSON, _fuzz20_set_at(pv, ("spec", "claimRef"), claim_ref)))
    psps = "/apis/policy/v1beta1/podsecuritypolicies"
    psp = {"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "metadata": {"name": "f21-psp"},
           "spec": {"seLinux": {"rule": "RunAsAny"}, "runAsUser": {"rule": "RunAsAny"},
                    "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}}}
    for change in ({}, {"runAsUser": {"rule": "MustRunAs"}}, {"runAsUser": {"rule": "Bogus"}},
                   {"volumes": ["bogus"]}, {"allowedHostPaths": [{"pathPrefix": "relative"}]},
                   {"hostPorts": [{"min": 10, "max": 5}]}, {"allowedCapabilities": ["*"], "requiredDropCapabilities": ["*"]}):
        probes.append(_f21("POST", psps, "dryRun=All", JSON, {**psp, "spec": {**psp["spec"], **change}}))
    return probes


def _f21_pod_updates() -> list[Probe]:
    """In-place changes of the running pod: what an update may change (images, activeDeadlineSeconds
    down, tolerations added) and what not."""
    pods = kind_named("pods")
    path = f"{pods.collection()}/{pods.existing}"
    changes = [
        {"spec": {"activeDeadlineSeconds": 100}}, {"spec": {"activeDeadlineSeconds": 0}},
        {"spec": {"activeDeadlineSeconds": -1}}, {"spec": {"tolerations": [{"key": "k", "operator": "Exists"}]}},
        {"spec": {"nodeName": "other"}}, {"spec": {"schedulingGates": [{"name": "x"}]}},
        {"spec": {"terminationGracePeriodSeconds": 5}}, {"spec": {"priority": 5}}, {"spec": {"hostname": "x"}},
        {"spec": {"serviceAccountName": "other"}}, {"spec": {"nodeSelector": {"a": "b"}}},
        {"spec": {"containers": [{"name": "c", "image": "other", "ports": [{"containerPort": 80}]}]}},
        {"spec": {"containers": [{"name": "c", "image": "", "ports": [{"containerPort": 80}]}]}},
        {"spec": {"containers": [{"name": "c", "image": " x", "ports": [{"containerPort": 80}]}]}},
        {"spec": {"containers": [{"name": "d", "image": IMAGE, "ports": [{"containerPort": 80}]}]}},
        {"spec": {"initContainers": [{"name": "i", "image": IMAGE}]}}, {"spec": {"ephemeralContainers": [{"name": "e", "image": IMAGE}]}},
        {"metadata": {"labels": {"a": "b"}}, "spec": {"activeDeadlineSeconds": 10}},
        {"status": {"phase": "Failed"}}, {"spec": {"readinessGates": [{"conditionType": "x"}]}},
    ]
    return [_f21("PATCH", path, "dryRun=All", MERGE, change) for change in changes]


def _f21_beta_versions() -> list[Probe]:
    """Bad values through the beta versions 1.24 still serves, which reach validation by their own
    conversions: autoscaling/v2beta1 and v2beta2, policy/v1beta1, batch/v1beta1,
    discovery.k8s.io/v1beta1, node.k8s.io/v1beta1 and events.k8s.io/v1beta1."""
    ns = f"namespaces/{NAMESPACE}/"
    probes = []
    target = {"kind": "Deployment", "name": "d", "apiVersion": "apps/v1"}
    v2beta1 = [
        [{"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": -1}}],
        [{"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 5, "targetAverageValue": "1"}}],
        [{"type": "Resource", "resource": {"name": "cpu"}}], [{"type": "Resource", "resource": {"name": ""}}],
        [{"type": "Resource", "resource": {"name": "cpu", "targetAverageValue": "-1"}}],
        [{"type": "Pods", "pods": {"metricName": "", "targetAverageValue": "1"}}],
        [{"type": "Pods", "pods": {"metricName": "m"}}],
        [{"type": "Object", "object": {"metricName": "m", "target": {"kind": "Service", "name": "s"}, "targetValue": "1"}}],
        [{"type": "Object", "object": {"metricName": "m", "target": {"kind": "", "name": ""}}}],
        [{"type": "External", "external": {"metricName": "m", "targetValue": "1", "targetAverageValue": "1"}}],
        [{"type": "External", "external": {"metricName": "m", "metricSelector": {"matchLabels": {"a b": "c"}}, "targetValue": "1"}}],
        [{"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "", "targetAverageUtilization": 5}}],
        [{"type": "Bogus"}], [{"type": "Resource"}],
    ]
    for metrics in v2beta1:
        probes.append(_f21("POST", f"/apis/autoscaling/v2beta1/{ns}horizontalpodautoscalers", "dryRun=All", JSON, {
            "apiVersion": "autoscaling/v2beta1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "f21-b1"},
            "spec": {"scaleTargetRef": target, "minReplicas": 1, "maxReplicas": 3, "metrics": metrics}}))
    v2beta2 = [
        [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}],
        [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "AverageValue", "averageValue": "-1"}}}],
        [{"type": "Pods", "pods": {"metric": {"name": "m"}, "target": {"type": "Value", "value": "1"}}}],
        [{"type": "External", "external": {"metric": {"name": ""}, "target": {"type": "Value", "value": "1"}}}],
    ]
    behaviors = [{"scaleUp": {"stabilizationWindowSeconds": 3601}}, {"scaleDown": {"policies": []}},
                 {"scaleUp": {"selectPolicy": "Bogus"}}]
    for metrics in v2beta2:
        probes.append(_f21("POST", f"/apis/autoscaling/v2beta2/{ns}horizontalpodautoscalers", "dryRun=All", JSON, {
            "apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "f21-b2"},
            "spec": {"scaleTargetRef": target, "maxReplicas": 3, "metrics": metrics}}))
    for behavior in behaviors:
        probes.append(_f21("POST", f"/apis/autoscaling/v2beta2/{ns}horizontalpodautoscalers", "dryRun=All", JSON, {
            "apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "f21-b2"},
            "spec": {"scaleTargetRef": target, "maxReplicas": 3, "behavior": behavior}}))
    for spec in ({"minAvailable": "150%"}, {"minAvailable": -1}, {"maxUnavailable": "x"}, {"minAvailable": 1, "maxUnavailable": 1},
                 {"selector": {}}, {}, {"selector": {"matchLabels": {"a b": "c"}}, "minAvailable": 1}):
        probes.append(_f21("POST", f"/apis/policy/v1beta1/{ns}poddisruptionbudgets", "dryRun=All", JSON, {
            "apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": "f21-pdb"}, "spec": spec}))
    cron = {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "f21-cron"}, "spec": {
        "schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {**POD_SPEC, "restartPolicy": "OnFailure"}}}}}}
    for field, value in (("schedule", "bogus"), ("schedule", "TZ=UTC * * * * *"), ("schedule", "@every 1m"),
                         ("concurrencyPolicy", "Bogus"), ("startingDeadlineSeconds", -1), ("timeZone", "UTC"),
                         ("jobTemplate", {"spec": {"template": {"spec": {**POD_SPEC, "restartPolicy": "Always"}}}}),
                         ("jobTemplate", {"spec": {"completionMode": "Indexed", "template": {"spec": {
                             **POD_SPEC, "restartPolicy": "Never"}}}})):
        probes.append(_f21("POST", f"/apis/batch/v1beta1/{ns}cronjobs", "dryRun=All", JSON, _fuzz20_set_at(cron, ("spec", field), value)))
    slice_ = {"apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSlice", "metadata": {"name": "f21-eps"},
              "addressType": "IPv4", "endpoints": [{"addresses": ["10.1.2.3"]}]}
    for endpoint in ({"addresses": ["10.1.2.3"], "topology": {f"k{i}": "v" for i in range(17)}},
                     {"addresses": ["10.1.2.3"], "topology": {"topology.kubernetes.io/zone": "a"}},
                     {"addresses": ["10.1.2.3"], "topology": {"kubernetes.io/hostname": "UPPER_"}},
                     {"addresses": ["10.1.2.3"], "topology": {"topology.kubernetes.io/zone": "a b"}},
                     {"addresses": ["10.1.2.3"], "nodeName": "UPPER_"},
                     {"addresses": ["10.1.2.3"], "hints": {"forZones": [{"name": "a"}] * 9}}):
        probes.append(_f21("POST", f"/apis/discovery.k8s.io/v1beta1/{ns}endpointslices", "dryRun=All", JSON,
                           {**slice_, "endpoints": [endpoint]}))
    for body in ({"handler": "UPPER"}, {"handler": ""}, {"handler": "h", "overhead": {"podFixed": {"cpu": "-1"}}},
                 {"handler": "h", "scheduling": {"tolerations": [{"key": "k", "operator": "Bogus"}]}}):
        probes.append(_f21("POST", "/apis/node.k8s.io/v1beta1/runtimeclasses", "dryRun=All", JSON,
                           {"apiVersion": "node.k8s.io/v1beta1", "kind": "RuntimeClass", "metadata": {"name": "f21-rc"}, **body}))
    event = {"apiVersion": "events.k8s.io/v1beta1", "kind": "Event", "metadata": {"name": "f21-ev"},
             "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "example.com/c", "reportingInstance": "i",
             "action": "A", "reason": "R", "type": "Normal", "regarding": {"kind": "Pod", "name": "p", "namespace": "diff"}}
    for change in ({}, {"type": "Bogus"}, {"reportingController": None}, {"eventTime": None}, {"note": "n" * 1025},
                   {"deprecatedCount": -1}, {"series": {"count": 1}}):
        probes.append(_f21("POST", f"/apis/events.k8s.io/v1beta1/{ns}events", "dryRun=All", JSON,
                           {k: v for k, v in {**event, **change}.items() if v is not None}))
    return probes


def _f21_times_and_keys() -> list[Probe]:
    """Times in every spelling where a kind holds a MicroTime or a Time (Lease, Event), the secret
    types' required keys, config map and secret key names, and webhook configurations updated."""
    probes = []
    leases = kind_named("leases")
    lease = leases.object("f21-lease")
    for value in ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123456789Z", "2024-01-01T00:00:00+02:00",
                  "2024-01-01 00:00:00", "", None, 0, "2024-13-01T00:00:00Z", "2024-01-01T00:00:00.1Z",
                  "0001-01-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00z", "2024-01-01t00:00:00Z"):
        probes.append(_f21("POST", leases.collection(), "dryRun=All", JSON, _fuzz20_set_at(lease, ("spec", "acquireTime"), value)))
    events = kind_named("events")
    event = events.object("f21-ev")
    for change in ({"eventTime": "2024-01-01T00:00:00.000000Z"},
                   {"eventTime": "2024-01-01T00:00:00.000000Z", "reportingComponent": "c", "reportingInstance": "i", "action": "A"},
                   {"count": -1}, {"firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2023-01-01T00:00:00Z"},
                   {"firstTimestamp": "2024-01-01"}, {"type": "Bogus"}, {"type": ""}, {"reason": "r" * 129},
                   {"message": "m" * 5000}, {"involvedObject": {"kind": "Pod", "name": "p", "namespace": "other"}},
                   {"involvedObject": {"kind": "Node", "name": "n"}}, {"source": {"component": "c" * 200}},
                   {"series": {"count": 2, "lastObservedTime": "2024-01-01T00:00:00.000000Z"}},
                   {"related": {"kind": "Pod", "name": "p"}}, {"action": "a" * 129}, {"reportingComponent": "UPPER bad"}):
        probes.append(_f21("POST", events.collection(), "dryRun=All", JSON, {**event, **change}))
    secrets, cms = kind_named("secrets"), kind_named("configmaps")
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "f21-sec"}}
    for kind, data in (("kubernetes.io/tls", {"tls.crt": "eA=="}), ("kubernetes.io/tls", {"tls.key": "eA=="}),
                       ("kubernetes.io/tls", {"tls.crt": "eA==", "tls.key": "eA=="}),
                       ("kubernetes.io/ssh-auth", {"other": "eA=="}), ("kubernetes.io/ssh-auth", {"ssh-privatekey": "eA=="}),
                       ("kubernetes.io/basic-auth", {"other": "eA=="}), ("kubernetes.io/basic-auth", {"password": "eA=="}),
                       ("kubernetes.io/dockercfg", {".dockercfg": "e30="}), ("kubernetes.io/dockercfg", {".dockercfg": "eA=="}),
                       ("kubernetes.io/dockerconfigjson", {".dockerconfigjson": "W10="}),
                       ("kubernetes.io/dockerconfigjson", {".dockerconfigjson": "bnVsbA=="}),
                       ("bootstrap.kubernetes.io/token", {"token-id": "eA=="}), ("Opaque", {}), ("opaque", {"k": "eA=="})):
        probes.append(_f21("POST", secrets.collection(), "dryRun=All", JSON, {**secret, "type": kind, "data": data}))
    for notes in ({}, {"kubernetes.io/service-account.name": ""}, {"kubernetes.io/service-account.name": "default"},
                        {"kubernetes.io/service-account.name": "absent"}):
        probes.append(_f21("POST", secrets.collection(), "dryRun=All", JSON, {
            **secret, "metadata": {"name": "f21-sec", "annotations": notes},
            "type": "kubernetes.io/service-account-token"}))
    for key in (".", "..", "..a", "a..b", "-a", "_a", "a" * 253, "a" * 254, "a/b", "a b", "a\\b", "~a", "a:b", "a%b", ".a"):
        probes.append(_f21("POST", cms.collection(), "dryRun=All", JSON, {"apiVersion": "v1", "kind": "ConfigMap",
                                                                          "metadata": {"name": "f21-cm"}, "data": {key: "v"}}))
    probes.append(_f21("POST", cms.collection(), "dryRun=All", JSON, {"apiVersion": "v1", "kind": "ConfigMap",
                                                                      "metadata": {"name": "f21-cm"},
                                                                      "data": {"a": "x" * 600000}, "binaryData": {"b": "eA==" * 150000}}))
    probes.append(_f21("POST", cms.collection(), "dryRun=All", JSON, {"apiVersion": "v1", "kind": "ConfigMap",
                                                                      "metadata": {"name": "f21-cm"},
                                                                      "data": {"a": "x" * 524288, "b": "x" * 524289}}))
    group = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
    hook = {"name": "a.example.com", "clientConfig": {"url": "https://example.com/x"}, "sideEffects": "None",
            "admissionReviewVersions": ["v1"], "failurePolicy": "Ignore",
            "rules": [{"operations": ["CREATE"], "apiGroups": ["example.com"], "apiVersions": ["v1"], "resources": ["things"]}]}
    body = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "f21-hooks"}, "webhooks": [hook]}
    probes.append(_f21("POST", group, "", JSON, body))
    for change in ({"webhooks": [hook, hook]}, {"webhooks": [{**hook, "sideEffects": "Unknown"}]},
                   {"webhooks": [{**hook, "admissionReviewVersions": ["v9"]}]},
                   {"webhooks": [{**hook, "admissionReviewVersions": ["v9", "v1"]}]},
                   {"webhooks": [{**hook, "timeoutSeconds": 31}]}, {"webhooks": []}, {"webhooks": None}):
        probes.append(_f21("PATCH", f"{group}/f21-hooks", "dryRun=All", MERGE, change))
    probes.append(_f21("PATCH", f"{group}/f21-hooks", "dryRun=All", STRATEGIC, {"webhooks": [{"name": "a.example.com", "timeoutSeconds": 0}]}))
    probes.append(_f21("DELETE", f"{group}/f21-hooks"))
    return probes


def _f21_deletion() -> list[Probe]:
    """Objects being deleted: a config map held by a finalizer and a bound pod deleted gracefully,
    then updated (new finalizers, deletion fields, data), deleted again with other options, and
    finally released."""
    cms, pods = kind_named("configmaps"), kind_named("pods")
    held = f"{cms.collection()}/f21-fin"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "f21-fin", "finalizers": ["example.com/x"]},
          "data": {"k": "v"}}
    probes = [_f21("POST", cms.collection(), "", JSON, cm), _f21("DELETE", held),
              _f21("GET", held)]
    for change in ({"metadata": {"finalizers": ["example.com/x", "example.com/y"]}},
                   {"metadata": {"finalizers": ["example.com/y"]}}, {"metadata": {"finalizers": ["example.com/x", "orphan"]}},
                   {"metadata": {"deletionTimestamp": None}}, {"metadata": {"deletionTimestamp": "2030-01-01T00:00:00Z"}},
                   {"metadata": {"deletionGracePeriodSeconds": 5}}, {"metadata": {"deletionGracePeriodSeconds": None}},
                   {"data": {"k": "w"}}, {"metadata": {"labels": {"a": "b"}}}):
        probes.append(_f21("PATCH", held, "dryRun=All", MERGE, change))
    probes += [_f21("PUT", held, "dryRun=All", JSON, cm),
               _f21("DELETE", held, "propagationPolicy=Foreground&dryRun=All"),
               _f21("DELETE", held, "propagationPolicy=Orphan&dryRun=All"),
               _f21("DELETE", held, "gracePeriodSeconds=0"),
               _f21("DELETE", held, "", JSON, {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}),
               _f21("DELETE", held, "", JSON, {"preconditions": {"resourceVersion": "1"}}),
               _f21("POST", cms.collection(), "", JSON, cm),
               _f21("PATCH", held, "", MERGE, {"metadata": {"finalizers": None}}),
               _f21("GET", held)]
    pod_path = f"{pods.collection()}/f21-grace"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "f21-grace"},
           "spec": {**POD_SPEC, "nodeName": "f21-ghost", "terminationGracePeriodSeconds": 30}}
    probes += [_f21("POST", pods.collection(), "", JSON, pod), _f21("DELETE", pod_path, "gracePeriodSeconds=30"),
               _f21("PATCH", pod_path, "dryRun=All", MERGE, {"metadata": {"labels": {"a": "b"}}}),
               _f21("PATCH", pod_path, "dryRun=All", MERGE, {"metadata": {"finalizers": ["example.com/x"]}}),
               _f21("PATCH", pod_path, "dryRun=All", MERGE, {"metadata": {"deletionGracePeriodSeconds": 1}}),
               _f21("PATCH", pod_path, "dryRun=All", MERGE, {"spec": {"activeDeadlineSeconds": 5}}),
               _f21("DELETE", pod_path, "gracePeriodSeconds=60"), _f21("DELETE", pod_path, "gracePeriodSeconds=-1"),
               _f21("DELETE", pod_path, "gracePeriodSeconds=5&dryRun=All"),
               _f21("POST", f"{pod_path}/eviction", "", JSON, {"apiVersion": "policy/v1", "kind": "Eviction",
                                                              "metadata": {"name": "f21-grace"}}),
               _f21("DELETE", pod_path, "gracePeriodSeconds=0"), _f21("GET", pod_path)]
    loose = {**pod, "metadata": {"name": "f21-loose"}, "spec": {**POD_SPEC}}
    probes += [_f21("POST", pods.collection(), "", JSON, loose),
               _f21("DELETE", f"{pods.collection()}/f21-loose", "gracePeriodSeconds=-5&dryRun=All"),
               _f21("DELETE", f"{pods.collection()}/f21-loose", "gracePeriodSeconds=-5"),
               _f21("GET", f"{pods.collection()}/f21-loose")]
    deps = kind_named("deployments")
    dep_path = f"{deps.collection()}/f21-held"
    dep = deps.object("f21-held")
    dep["metadata"]["finalizers"] = ["example.com/x"]
    probes += [_f21("POST", deps.collection(), "", JSON, dep), _f21("DELETE", dep_path),
               _f21("PATCH", dep_path, "dryRun=All", MERGE, {"spec": {"replicas": 3}}),
               _f21("PATCH", f"{dep_path}/scale", "dryRun=All", MERGE, {"spec": {"replicas": 3}}),
               _f21("PATCH", f"{dep_path}/status", "dryRun=All", MERGE, {"metadata": {"finalizers": ["example.com/x", "b.io/y"]}}),
               _f21("PATCH", dep_path, "dryRun=All", JSON_PATCH, [{"op": "add", "path": "/metadata/finalizers/-", "value": "b.io/z"}]),
               _f21("PATCH", dep_path, "dryRun=All", STRATEGIC, {"metadata": {"finalizers": ["b.io/z"]}}),
               _f21("PATCH", dep_path, "", MERGE, {"metadata": {"finalizers": None}})]
    nss = kind_named("namespaces")
    term = "/api/v1/namespaces/f21-term"
    probes += [_f21("POST", nss.collection(), "", JSON, nss.object("f21-term")), _f21("DELETE", term),
               _f21("PATCH", term, "dryRun=All", MERGE, {"metadata": {"finalizers": ["example.com/x"]}}),
               _f21("PATCH", term, "dryRun=All", MERGE, {"spec": {"finalizers": ["kubernetes", "example.com/x"]}}),
               _f21("PUT", f"{term}/finalize", "dryRun=All", JSON, {**nss.object("f21-term"), "spec": {"finalizers": ["kubernetes", "example.com/x"]}}),
               _f21("PATCH", term, "dryRun=All", MERGE, {"metadata": {"labels": {"a": "b"}}}),
               _f21("DELETE", term, "gracePeriodSeconds=0"), _f21("GET", term),
               _f21("POST", "/api/v1/namespaces/f21-term/configmaps", "", JSON, cm)]
    return probes


def _f21_admission() -> list[Probe]:
    """What the default admission plugins decide from other objects: two default IngressClasses or
    StorageClasses, a missing RuntimeClass or PriorityClass, a pod past the namespace's LimitRange."""
    ics, scs, pvcs, ingresses, pods = (kind_named(p) for p in ("ingressclasses", "storageclasses",
                                                               "persistentvolumeclaims", "ingresses", "pods"))
    default_ic = {"ingressclass.kubernetes.io/is-default-class": "true"}
    default_sc = {"storageclass.kubernetes.io/is-default-class": "true"}
    ing = ingresses.object("f21-adm")
    pvc = pvcs.object("f21-adm")
    pod = pods.object("f21-adm")
    probes = [_f21("POST", ingresses.collection(), "dryRun=All", JSON, ing),
              _f21("POST", ics.collection(), "", JSON, {**ics.object("f21-ic1"), "metadata": {"name": "f21-ic1", "annotations": default_ic}}),
              _f21("POST", ingresses.collection(), "dryRun=All", JSON, ing),
              _f21("POST", ics.collection(), "", JSON, {**ics.object("f21-ic2"), "metadata": {"name": "f21-ic2", "annotations": default_ic}}),
              _f21("POST", ingresses.collection(), "dryRun=All", JSON, ing),
              _f21("POST", ingresses.collection(), "dryRun=All", JSON, _fuzz20_set_at(ing, ("spec", "ingressClassName"), "f21-ic1")),
              _f21("PATCH", f"{ingresses.collection()}/{ingresses.existing}", "dryRun=All", MERGE, {"metadata": {"labels": {"a": "b"}}}),
              _f21("POST", ingresses.collection(), "dryRun=All", JSON, {**ing, "metadata": {"name": "f21-adm", "annotations": {
                  "kubernetes.io/ingress.class": "nginx"}}}),
              _f21("DELETE", f"{ics.collection()}/f21-ic2"), _f21("DELETE", f"{ics.collection()}/f21-ic1"),
              _f21("POST", pvcs.collection(), "dryRun=All", JSON, pvc),
              _f21("POST", scs.collection(), "", JSON, {**scs.object("f21-sc1"), "metadata": {"name": "f21-sc1", "annotations": default_sc}}),
              _f21("POST", pvcs.collection(), "dryRun=All", JSON, pvc),
              _f21("POST", scs.collection(), "", JSON, {**scs.object("f21-sc2"), "metadata": {"name": "f21-sc2", "annotations": default_sc}}),
              _f21("POST", pvcs.collection(), "dryRun=All", JSON, pvc),
              _f21("POST", pvcs.collection(), "dryRun=All", JSON, _fuzz20_set_at(pvc, ("spec", "storageClassName"), "")),
              _f21("POST", pvcs.collection(), "dryRun=All", JSON, _fuzz20_set_at(pvc, ("spec", "storageClassName"), "f21-sc2")),
              _f21("DELETE", f"{scs.collection()}/f21-sc2"), _f21("DELETE", f"{scs.collection()}/f21-sc1")]
    for field, value in (("runtimeClassName", "f21-absent"), ("priorityClassName", "f21-absent"), ("priority", 5),
                         ("priorityClassName", "system-node-critical"), ("priorityClassName", "system-cluster-critical"),
                         ("preemptionPolicy", "Never"), ("overhead", {"cpu": "1"})):
        probes.append(_f21("POST", pods.collection(), "dryRun=All", JSON, _fuzz20_set_at(pod, ("spec", field), value)))
    for resources in ({"limits": {"cpu": "8"}}, {"requests": {"cpu": "5"}}, {"limits": {"memory": "9Gi"}},
                      {"limits": {"cpu": "4", "memory": "8Gi"}}, {"requests": {"cpu": "600m"}, "limits": {"cpu": "500m"}}):
        probes.append(_f21("POST", pods.collection(), "dryRun=All", JSON,
                           _fuzz20_set_at(pod, ("spec", "containers", 0, "resources"), resources)))
    return probes


def _f21_more_updates() -> list[Probe]:
    """Updates of real LoadBalancer services (health-check ports, node ports turned off), and
    StatefulSet claim templates on create."""
    services, sts = kind_named("services"), kind_named("statefulsets")
    port = {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}
    lb = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "f21-lb"}, "spec": {
        "type": "LoadBalancer", "externalTrafficPolicy": "Local", "selector": LABELS, "ports": [port]}}
    path = f"{services.collection()}/f21-lb"
    probes = [_f21("POST", services.collection(), "", JSON, lb)]
    for change in ({"spec": {"healthCheckNodePort": 30999}}, {"spec": {"healthCheckNodePort": 0}},
                   {"spec": {"externalTrafficPolicy": "Cluster"}},
                   {"spec": {"externalTrafficPolicy": "Cluster", "healthCheckNodePort": None}},
                   {"spec": {"allocateLoadBalancerNodePorts": False}}, {"spec": {"allocateLoadBalancerNodePorts": None}},
                   {"spec": {"type": "NodePort"}}, {"spec": {"type": "ClusterIP"}},
                   {"spec": {"loadBalancerClass": "example.com/x"}}, {"spec": {"loadBalancerSourceRanges": ["10.0.0.0/8"]}},
                   {"spec": {"ports": [port, {**port, "name": "b", "port": 81}]}},
                   {"spec": {"ports": [{**port, "nodePort": 40000}]}}, {"status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}}):
        probes.append(_f21("PATCH", path, "dryRun=All", MERGE, change))
    probes.append(_f21("PATCH", f"{path}/status", "dryRun=All", MERGE, {"status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4", "hostname": "a.b"}]}}}))
    body = sts.object("f21-sts")
    template = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    for templates in ([template, template], [{**template, "spec": {**template["spec"], "accessModes": []}}],
                      [{**template, "spec": {**template["spec"], "resources": {}}}],
                      [{**template, "spec": {**template["spec"], "storageClassName": "UPPER_"}}],
                      [{**template, "metadata": {"name": "data", "namespace": "other"}}],
                      [{**template, "metadata": {"name": "data", "labels": {"a b": "c"}}}],
                      [{**template, "metadata": {}}], [{"metadata": {"name": "d"}}]):
        probes.append(_f21("POST", sts.collection(), "dryRun=All", JSON, _fuzz20_set_at(body, ("spec", "volumeClaimTemplates"), templates)))
    probes.append(_f21("POST", sts.collection(), "dryRun=All", JSON, _fuzz20_set_at(
        _fuzz20_set_at(body, ("spec", "volumeClaimTemplates"), [template]), ("spec", "template", "spec", "volumes"),
        [{"name": "data", "emptyDir": {}}])))
    return probes


def fuzz21_probes() -> list[Probe]:
    return [probe for family in (_f21_services, _f21_webhooks, _f21_apiservices, _f21_immutables, _f21_metadata,
                                 _f21_cronjobs, _f21_endpointslices, _f21_priorityclasses, _f21_queries,
                                 _f21_more_kinds, _f21_pod_updates, _f21_beta_versions,
                                 _f21_times_and_keys, _f21_deletion, _f21_admission,
                                 _f21_more_updates)
            for probe in family()]


# --- proto22: protobuf bodies and Accept headers ---------------------------------------------------

PROTOBUF = "application/vnd.kubernetes.protobuf"
PB_MAGIC = b"k8s\x00"


def _pb_varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + bytes([value]))


def _pb(number: int, wire: int, payload: int | bytes = b"") -> bytes:
    """One protobuf field: its key, then a varint (wire 0), a length and bytes (2) or the bytes."""
    key = _pb_varint(number << 3 | wire)
    if wire == 0:
        return key + _pb_varint(payload)
    return key + (_pb_varint(len(payload)) if wire == 2 else b"") + payload


def _pb_envelope(api_version: str, kind: str, raw: bytes, extra: bytes = b"") -> bytes:
    """A whole body: the magic and a runtime.Unknown around `raw`."""
    type_meta = (_pb(1, 2, api_version.encode()) if api_version else b"") + (_pb(2, 2, kind.encode()) if kind else b"")
    return PB_MAGIC + _pb(1, 2, type_meta) + _pb(2, 2, raw) + extra


def _pb_raw(obj: dict) -> bytes:
    """The message of a valid object, written by the reference serializer (both servers read it)."""
    from reference_impl.apiserver.core import protobuf
    return protobuf.encode_message(protobuf.message_type(obj["apiVersion"], obj["kind"]), obj)


def _proto22(method: str, path: str, body: bytes, query_text: str = "dryRun=All", content_type: str = PROTOBUF,
             headers: tuple = (), observe: str = "") -> Probe:
    return Probe("proto22", method, path, query_text, content_type, body, headers=headers,
                 compare=bool(observe), observe=observe or "status")


def _proto22_meta(name: str, namespace: str = NAMESPACE, extra: bytes = b"") -> bytes:
    return _pb(1, 2, _pb(1, 2, name.encode()) + (_pb(3, 2, namespace.encode()) if namespace else b"") + extra)


def proto22_probes() -> list[Probe]:
    """Protobuf bodies broken every way gogo's generated code reads them, for several kinds and
    every write verb, and Accept protobuf on lists, watches, tables, errors and custom resources."""
    pods, deployments, services, configmaps, nodes, events = (KINDS[0], KINDS[1], KINDS[2], KINDS[3], KINDS[7],
                                                               KINDS[-1])
    leases = kind_named("leases")
    probes: list[Probe] = []
    targets = [pods, deployments, services, configmaps, nodes, events, leases]

    def create(kind: Kind, body: bytes, **kw) -> Probe:
        return _proto22("POST", kind.collection(), body, **kw)

    def update(kind: Kind, body: bytes, **kw) -> Probe:
        return _proto22("PUT", f"{kind.collection()}/{kind.existing}", body, **kw)

    # 1. magic: none, wrong, short, JSON labelled protobuf, empty.
    cm = configmaps.object("p22")
    cm_raw = _pb_raw(cm)
    good_cm = _pb_envelope("v1", "ConfigMap", cm_raw)
    for kind in targets:
        raw = _pb_raw(kind.object(f"p22-{kind.plural[:8]}"))
        whole = _pb_envelope(kind.api_version, kind.kind, raw)
        for body in (whole[4:], b"k8s\x01" + whole[4:], b"K8S\x00" + whole[4:], b"k8s", b"", PB_MAGIC, encode(kind.object("p22j")),
                     b"\x00" + whole):
            probes += [create(kind, body), update(kind, body)]
        probes.append(_proto22("PATCH", f"{kind.collection()}/{kind.existing}", whole))
        probes.append(create(kind, whole))  # the valid body, for a baseline
        probes.append(update(kind, _pb_envelope(kind.api_version, kind.kind, _pb_raw(kind.object(kind.existing)))))
    # 2. truncated at every few bytes.
    for kind, step in ((configmaps, 3), (pods, 7), (deployments, 11), (leases, 5)):
        whole = _pb_envelope(kind.api_version, kind.kind, _pb_raw(kind.object("p22-cut")))
        probes += [create(kind, whole[:cut]) for cut in range(5, len(whole), step)]
    # 3. the envelope: another kind, a missing one, other versions and groups, encodings.
    secret_raw = _pb_raw(KINDS[4].object("p22-secret"))
    for api_version, kind_name, raw in (("v1", "Secret", secret_raw), ("v1", "Pod", cm_raw), ("", "ConfigMap", cm_raw),
                                        ("v1", "", cm_raw), ("", "", cm_raw), ("v2", "ConfigMap", cm_raw),
                                        ("apps/v1", "ConfigMap", cm_raw), ("v1", "Bogus", cm_raw),
                                        ("v1", "configmap", cm_raw), ("v1", "Status", cm_raw),
                                        ("v1", "ConfigMapList", cm_raw), ("apps/v1", "Deployment", cm_raw),
                                        ("bogus/v1", "ConfigMap", cm_raw), ("v1", "ConfigMap", b"")):
        probes.append(create(configmaps, _pb_envelope(api_version, kind_name, raw)))
        probes.append(update(configmaps, _pb_envelope(api_version, kind_name, raw)))
    for extra in (_pb(3, 2, b"gzip"), _pb(4, 2, b"application/json"), _pb(3, 2, b""), _pb(5, 2, b"x"),
                  _pb(5, 0, 7), _pb(1, 0, 1), _pb(2, 0, 1), _pb(6, 3) + _pb(6, 4), _pb(7, 4), _pb(8, 6),
                  _pb(1, 2, b"\x0a\x02v2"), _pb(2, 2, b"")):
        probes.append(create(configmaps, good_cm + extra))
    probes.append(create(configmaps, PB_MAGIC + _pb(2, 2, cm_raw)))  # no typeMeta at all
    probes.append(create(configmaps, PB_MAGIC + _pb(1, 2, _pb(1, 2, b"v1") + _pb(2, 2, b"ConfigMap"))))  # no raw
    probes.append(create(configmaps, PB_MAGIC + _pb(1, 2, _pb(1, 2, b"v1") + _pb(2, 2, b"ConfigMap") + _pb(3, 2, b"x"))
                         + _pb(2, 2, cm_raw)))
    probes.append(create(configmaps, PB_MAGIC + _pb(1, 2, _pb(1, 0, 1) + _pb(2, 2, b"ConfigMap")) + _pb(2, 2, cm_raw)))
    json_raw = encode(cm)
    probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", json_raw, _pb(4, 2, b"application/json"))))
    probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", json_raw)))
    # 4. unknown field numbers and wire types, in the object, its metadata and a map entry.
    meta = _proto22_meta("p22-unknown")
    for extra in (_pb(99, 0, 1), _pb(99, 2, b"abc"), _pb(99, 1, b"12345678"), _pb(99, 5, b"1234"), _pb(5, 0, 1),
                  _pb(99, 3) + _pb(99, 4), _pb(99, 3) + _pb(98, 0, 1) + _pb(99, 4), _pb(99, 4), _pb(99, 3),
                  _pb(99, 6), _pb(99, 7), _pb(0, 0, 1), _pb(0, 2, b""), _pb(2**29 - 1, 0, 1), _pb(99, 3) + _pb(98, 4),
                  b"\x98\x06", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", _pb(99, 2, b"abc")[:-1]):
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", meta + extra + _pb(2, 2, _pb(1, 2, b"k") + _pb(2, 2, b"v"))),
                             observe="data"))
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", _proto22_meta("p22-unknown", extra=extra)),
                             observe="data"))
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", meta + _pb(2, 2, _pb(1, 2, b"k") + extra + _pb(2, 2, b"v"))),
                             observe="data"))
    # groups nested 10,000 deep in an unknown field, and one past what gogo's skip counts.
    for depth in (10, 10000, 100000):
        deep = _pb(99, 3) * depth + _pb(99, 4) * depth
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", meta + deep), observe="data"))
    probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", meta + _pb(99, 3) * 10000 + _pb(99, 4) * 9999)))
    # 5. known fields given the wrong wire type.
    for raw in (_pb(1, 0, 1), _pb(1, 5, b"1234"), _pb(1, 1, b"12345678") , meta + _pb(2, 0, 1), meta + _pb(4, 2, b"\x01"),
                meta + _pb(4, 5, b"1234"), _pb(1, 2, _pb(1, 0, 5)), _pb(1, 2, _pb(7, 2, b"1")), _pb(1, 2, _pb(8, 0, 1)),
                _pb(1, 2, _pb(11, 0, 1)), _pb(1, 2, _pb(14, 0, 1)), meta + _pb(3, 0, 1),
                meta + _pb(2, 2, _pb(1, 0, 5) + _pb(2, 2, b"v")), meta + _pb(2, 2, _pb(1, 2, b"k") + _pb(2, 0, 5)),
                meta + _pb(2, 2, _pb(1, 5, b"abcd") + _pb(2, 2, b"v"))):
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", raw), observe="data"))
    # 6. lengths past the end, huge and negative ones.
    for length in (1, 100, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64 - 1, -1):
        raw = meta + b"\x12" + _pb_varint(length) + b"\x0a\x01k"
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", raw)))
        probes.append(create(configmaps, PB_MAGIC + b"\x12" + _pb_varint(length) + cm_raw))
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", _pb(1, 2, b"\x0a" + _pb_varint(length) + b"x"))))
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", meta + _pb(2, 2, b"\x0a" + _pb_varint(length) + b"k"))))
    probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", meta + b"\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01")))
    # 7. repeated scalars packed and unpacked; int32 and bool varints out of range.
    pod_obj = pods.object("p22-groups")
    pod_raw = _pb_raw(pod_obj)
    for groups in (_pb(4, 0, 1) + _pb(4, 0, 2), _pb(4, 2, _pb_varint(1) + _pb_varint(2)), _pb(4, 2, b""),
                   _pb(4, 2, b"\x80"), _pb(4, 2, _pb_varint(-5)), _pb(4, 5, b"1234"), _pb(4, 2, _pb_varint(1)) + _pb(4, 0, 3)):
        spec = _pb(14, 2, groups)
        probes.append(create(pods, _pb_envelope("v1", "Pod", pod_raw + _pb(2, 2, spec)), observe="spec.securityContext"))
    lease_meta = _proto22_meta("p22-lease")
    for spec in (_pb(2, 0, 2**31), _pb(2, 0, 2**32 + 40), _pb(2, 0, -1), _pb(2, 0, 2**63), _pb(5, 0, -(2**31) - 1),
                 _pb(1, 2, b"\xff\xfe"), _pb(1, 2, "h\u00e9".encode()), _pb(2, 0, 40) + _pb(2, 0, 50),
                 _pb(3, 2, _pb(1, 0, 1) + _pb(2, 0, 5000)), _pb(3, 2, _pb(1, 0, -62135596801)),
                 _pb(3, 2, _pb(1, 0, 253402300800)), _pb(3, 2, _pb(1, 0, 2**62)), _pb(3, 2, _pb(2, 0, 10**9)),
                 _pb(3, 2, _pb(2, 0, -1)), _pb(3, 2, _pb(1, 0, -1)), _pb(3, 2, _pb(1, 0, 1) + _pb(2, 0, 2**31)),
                 _pb(3, 2, _pb(1, 0, -62135596800)), _pb(4, 2, _pb(1, 0, 1700000000) + _pb(2, 0, 999999999))):
        probes.append(create(leases, _pb_envelope("coordination.k8s.io/v1", "Lease", lease_meta + _pb(2, 2, spec)),
                             observe="spec"))
    deployment_raw = _pb_raw(deployments.object("p22-replicas"))
    for spec in (_pb(1, 0, 2**31), _pb(1, 0, -1), _pb(1, 0, 2**32 + 2), _pb(7, 0, 2), _pb(7, 0, 2**40)):
        probes.append(create(deployments, _pb_envelope("apps/v1", "Deployment", deployment_raw + _pb(2, 2, spec)),
                             observe="spec"))
    # 8. strings that are no UTF-8, maps with a key twice.
    for raw in (_proto22_meta("p22-\xff".encode("latin-1").decode("latin-1")),
                _pb(1, 2, _pb(1, 2, b"p22-\xff") + _pb(3, 2, NAMESPACE.encode())),
                meta + _pb(2, 2, _pb(1, 2, b"k") + _pb(2, 2, b"\xff\xfe")),
                meta + _pb(2, 2, _pb(1, 2, b"\xffk") + _pb(2, 2, b"v")),
                _pb(1, 2, _pb(1, 2, b"p22-lbl") + _pb(11, 2, _pb(1, 2, b"a") + _pb(2, 2, b"\xc3"))),
                meta + _pb(2, 2, _pb(1, 2, b"k") + _pb(2, 2, b"1")) + _pb(2, 2, _pb(1, 2, b"k") + _pb(2, 2, b"2")),
                meta + _pb(2, 2, _pb(1, 2, b"k") + _pb(1, 2, b"j") + _pb(2, 2, b"2")),
                meta + _pb(2, 2, _pb(2, 2, b"novalue")), meta + _pb(2, 2, _pb(1, 2, b"nokey")), meta + _pb(2, 2, b""),
                meta + _pb(3, 2, _pb(1, 2, b"b") + _pb(2, 2, b"\x00\xff")),
                meta + _pb(3, 2, _pb(1, 2, b"b")),
                _pb(1, 2, _pb(1, 2, b"p22-dup") + _pb(1, 2, b"p22-dup2") + _pb(3, 2, NAMESPACE.encode())),
                meta + _pb(4, 0, 2), meta + _pb(4, 0, 2**64 - 1)):
        probes.append(create(configmaps, _pb_envelope("v1", "ConfigMap", raw), observe="data"))
    # stored for real: a value and an annotation that are no UTF-8, read back as JSON and protobuf.
    stored = f"{configmaps.collection()}/p22-utf8"
    probes.append(_proto22("DELETE", stored, b"", "", ""))
    probes.append(_proto22("POST", configmaps.collection(), _pb_envelope("v1", "ConfigMap", _pb(1, 2, _pb(1, 2, b"p22-utf8") + _pb(
        12, 2, _pb(1, 2, b"a") + _pb(2, 2, b"x\xc3"))) + _pb(2, 2, _pb(1, 2, b"k") + _pb(2, 2, b"\xff\xfev"))), "",
        observe="data"))
    probes.append(_proto22("GET", stored, b"", "", "", observe="data"))
    probes.append(_proto22("GET", stored, b"", "", "", observe="metadata"))
    probes.append(_proto22("GET", stored, b"", "", "", headers=(("Accept", PROTOBUF),), observe="-media"))
    probes.append(_proto22("PUT", stored, _pb_envelope("v1", "ConfigMap", _pb(1, 2, _pb(1, 2, b"p22-utf8")) + _pb(
        2, 2, _pb(1, 2, b"k\xff") + _pb(2, 2, b"v"))), "", observe="data"))
    probes.append(_proto22("DELETE", stored, b"", "", ""))
    # 9. Quantity and IntOrString fields.
    for quantity in (b"1Gi", b"abc", b"", b"1e1000", b"0.1m", b"-1", b"1Ki ", b"\xff"):
        container = _pb(1, 2, b"c") + _pb(2, 2, IMAGE.encode()) + _pb(8, 2, _pb(1, 2, _pb(1, 2, b"cpu") + _pb(2, 2, _pb(1, 2, quantity))))
        raw = _proto22_meta("p22-quantity") + _pb(2, 2, _pb(2, 2, container))
        probes.append(create(pods, _pb_envelope("v1", "Pod", raw), observe="spec.containers.0.resources"))
    for target in (_pb(1, 0, 0) + _pb(2, 0, 8080), _pb(1, 0, 1) + _pb(3, 2, b"http"), _pb(1, 0, 1) + _pb(2, 0, 8080),
                   _pb(1, 0, 0) + _pb(3, 2, b"http"), _pb(1, 0, 2) + _pb(2, 0, 1), _pb(1, 0, 0), b"", _pb(1, 0, 1),
                   _pb(1, 0, 0) + _pb(2, 0, -1), _pb(1, 0, 0) + _pb(2, 0, 2**32 + 80), _pb(1, 0, -1)):
        port = _pb(1, 2, b"http") + _pb(3, 0, 80) + _pb(4, 2, target)
        raw = _proto22_meta("p22-target") + _pb(2, 2, _pb(1, 2, port))
        probes.append(create(services, _pb_envelope("v1", "Service", raw), observe="spec.ports"))
    # 10. timestamps out of range (Event), MicroTime nanos.
    for stamp in (_pb(1, 0, 1), _pb(1, 0, -62135596800), _pb(1, 0, -62135596801), _pb(1, 0, 253402300799),
                  _pb(1, 0, 253402300800), _pb(1, 0, 2**63 - 1), _pb(1, 0, 2**63), _pb(2, 0, 5), _pb(2, 0, 2**32),
                  _pb(1, 0, 1) + _pb(2, 0, 10**9 + 5)):
        raw = _pb_raw(events.object("p22-event"))
        probes.append(create(events, _pb_envelope("v1", "Event", raw + _pb(6, 2, stamp)), observe="firstTimestamp"))
        probes.append(create(events, _pb_envelope("v1", "Event", raw + _pb(10, 2, stamp)), observe="eventTime"))
    # 11. nodes and bindings.
    node_raw = _pb_raw(nodes.object("p22-node"))
    for extra in (b"", _pb(2, 2, _pb(3, 0, 2)), _pb(2, 2, _pb(5, 2, _pb(1, 2, b"k") + _pb(3, 2, b"NoSchedule"))),
                  _pb(2, 2, _pb(7, 2, b"10.0.0.0/24") + _pb(7, 2, b"10.0.1.0/24")), _pb(3, 2, _pb(1, 2, _pb(1, 2, b"cpu") + _pb(2, 2, _pb(1, 2, b"x"))))):
        probes.append(create(nodes, _pb_envelope("v1", "Node", node_raw + extra), observe="spec"))
    probes.append(_proto22("POST", pods.collection(), _pb_envelope("v1", "Pod", _pb_raw(pods.object("p22-bind"))), query_text=""))
    bind = f"{pods.collection()}/p22-bind/binding"
    target_ref = _pb(2, 2, _pb(1, 2, b"Node") + _pb(3, 2, b"n1"))
    for raw in (_proto22_meta("p22-bind") + _pb(2, 2, b""), _proto22_meta("other") + target_ref, _pb(99, 0, 1),
                _proto22_meta("p22-bind") + _pb(2, 0, 1), _proto22_meta("p22-bind") + target_ref[:-2]):
        probes.append(_proto22("POST", bind, _pb_envelope("v1", "Binding", raw), query_text=""))
    probes.append(_proto22("POST", bind, _pb_envelope("v1", "Pod", _pb_raw(pods.object("p22-bind"))), query_text=""))
    probes.append(_proto22("POST", bind, _pb_envelope("v1", "Binding", _proto22_meta("p22-bind") + target_ref), query_text=""))
    probes.append(_proto22("POST", bind, _pb_envelope("v1", "Binding", _proto22_meta("p22-bind") + target_ref), query_text=""))
    probes.append(_proto22("POST", f"{pods.collection()}/p22-bind/eviction",
                           _pb_envelope("policy/v1", "Eviction", _proto22_meta("p22-bind") + _pb(2, 2, _pb(1, 0, 0))), query_text=""))
    probes.append(_proto22("PUT", f"{pods.collection()}/{pods.existing}/status",
                           _pb_envelope("v1", "Pod", _pb_raw(pods.object(pods.existing)) + _pb(3, 2, _pb(1, 2, b"Bogus")))))
    # 11b. other bodies: DeleteOptions, scale, status, token requests, reviews.
    delete_options = _pb(2, 0, 0) + _pb(4, 2, b"Background")
    for body in (_pb_envelope("v1", "DeleteOptions", delete_options), _pb_envelope("meta.k8s.io/v1", "DeleteOptions", delete_options),
                 _pb_envelope("", "", delete_options), _pb_envelope("v1", "DeleteOptions", delete_options + _pb(99, 0, 1)),
                 _pb_envelope("v1", "DeleteOptions", _pb(2, 2, b"x")), _pb_envelope("v1", "ConfigMap", delete_options),
                 _pb_envelope("v1", "DeleteOptions", delete_options)[:-3], PB_MAGIC, b"k8s\x00\x0a\x02"):
        probes.append(_proto22("DELETE", f"{configmaps.collection()}/{configmaps.existing}", body))
        probes.append(_proto22("DELETE", f"{configmaps.collection()}/missing", body, ""))
    scale = f"{deployments.collection()}/{deployments.existing}/scale"
    scale_meta = _proto22_meta(deployments.existing)
    for body in (_pb_envelope("autoscaling/v1", "Scale", scale_meta + _pb(2, 2, _pb(1, 0, 2))),
                 _pb_envelope("", "", scale_meta + _pb(2, 2, _pb(1, 0, 2))),
                 _pb_envelope("autoscaling/v1", "Scale", scale_meta + _pb(2, 2, _pb(1, 2, b"x"))),
                 _pb_envelope("autoscaling/v1", "Scale", scale_meta + _pb(2, 2, _pb(1, 0, 2**32 + 3))),
                 _pb_envelope("apps/v1", "Deployment", _pb_raw(deployments.object(deployments.existing))),
                 _pb_envelope("autoscaling/v1", "Scale", scale_meta + _pb(2, 2, _pb(1, 0, 2)))[:-1]):
        probes.append(_proto22("PUT", scale, body))
    status = f"{deployments.collection()}/{deployments.existing}/status"
    deployment_existing = _pb_raw(deployments.object(deployments.existing))
    for extra in (b"", _pb(3, 2, _pb(2, 0, 2**31 + 5)), _pb(3, 2, _pb(99, 0, 1)), _pb(3, 0, 1), _pb(3, 2, b"\x08")):
        probes.append(_proto22("PUT", status, _pb_envelope("apps/v1", "Deployment", deployment_existing + extra),
                               observe="status"))
    token = f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts/default/token"
    for body in (_pb_envelope("authentication.k8s.io/v1", "TokenRequest", _pb(2, 2, _pb(4, 0, 3600))),
                 _pb_envelope("", "", _pb(2, 2, _pb(4, 0, 3600))),
                 _pb_envelope("authentication.k8s.io/v1", "TokenRequest", _pb(2, 2, _pb(4, 0, 1))),
                 _pb_envelope("authentication.k8s.io/v1", "TokenRequest", _pb(2, 2, _pb(4, 2, b"x"))),
                 _pb_envelope("v1", "Pod", b"")):
        probes.append(_proto22("POST", token, body, "dryRun=All"))
    review = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    attributes = _pb(1, 2, _pb(2, 2, _pb(1, 2, b"diff") + _pb(2, 2, b"get") + _pb(5, 2, b"pods")))
    for body in (_pb_envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", attributes),
                 _pb_envelope("", "", attributes), _pb_envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", attributes + _pb(99, 0, 1)),
                 _pb_envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", _pb(2, 0, 1)),
                 _pb_envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", attributes)[:-2],
                 _pb_envelope("v1", "Pod", attributes)):
        probes.append(_proto22("POST", review, body, ""))
    # 12. Content-Type protobuf with parameters, other spellings.
    for media in (PROTOBUF + ";charset=utf-8", PROTOBUF + "; charset=binary", PROTOBUF + ";foo=bar", PROTOBUF + ";stream=watch",
                  "Application/Vnd.Kubernetes.Protobuf", PROTOBUF + ";", PROTOBUF + ";;", PROTOBUF + " ", "application/protobuf",
                  "application/x-protobuf", PROTOBUF + ";as=Table;g=meta.k8s.io;v=v1", PROTOBUF + ";v=v2"):
        probes.append(create(configmaps, good_cm, content_type=media))
        probes.append(_proto22("PATCH", f"{configmaps.collection()}/{configmaps.existing}", good_cm, content_type=media))
    # 13. Accept protobuf on lists, watches, tables, errors and custom resources.
    accepts = (PROTOBUF, PROTOBUF + ";stream=watch", PROTOBUF + ";as=Table;g=meta.k8s.io;v=v1",
               PROTOBUF + ";as=Table;g=meta.k8s.io;v=v1beta1", PROTOBUF + ";as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
               PROTOBUF + ", application/json", PROTOBUF + ";q=0.5, application/json;q=0.9", PROTOBUF + ";charset=utf-8")
    widgets = f"/apis/{WIDGETS_GROUP}/v1/namespaces/{NAMESPACE}/widgets"
    for accept in accepts:
        for path, query_text in ((configmaps.collection(), ""), (configmaps.collection(), "watch=1&timeoutSeconds=1"),
                                 (f"{configmaps.collection()}/{configmaps.existing}", ""),
                                 (f"{configmaps.collection()}/missing", ""), (pods.collection(), "fieldSelector=bogus=1"),
                                 (widgets, ""), (f"{widgets}/missing", ""), ("/api/v1/namespaces/missing/events", "watch=true"),
                                 (f"/apis/{WIDGETS_GROUP}/v1", ""), ("/api/v1/componentstatuses", "")):
            probes.append(_proto22("GET", path, b"", query_text, "", headers=(("Accept", accept),), observe="-media"))
        probes.append(_proto22("POST", widgets, encode({"apiVersion": f"{WIDGETS_GROUP}/v1", "kind": "Widget",
                                                         "metadata": {"name": "p22-w"}}),
                               content_type=JSON, headers=(("Accept", accept),)))
        probes.append(_proto22("POST", configmaps.collection(), good_cm[:-3], headers=(("Accept", accept),)))
    probes.append(_proto22("POST", widgets, _pb_envelope(f"{WIDGETS_GROUP}/v1", "Widget", _proto22_meta("p22-w"))))
    probes.append(_proto22("PUT", f"{widgets}/p22-w", _pb_envelope(f"{WIDGETS_GROUP}/v1", "Widget", _proto22_meta("p22-w"))))
    probes.append(_proto22("PATCH", f"{widgets}/p22-w", _pb_envelope(f"{WIDGETS_GROUP}/v1", "Widget", _proto22_meta("p22-w"))))
    return probes


def corpus(seed: int, fuzz_per_kind: int, values_per_kind: int) -> list[Probe]:
    rng = random.Random(seed)
    probes: list[Probe] = []
    for kind in KINDS:
        probes += fuzz_probes(rng, kind, fuzz_per_kind)
        probes += query_probes(kind) + field_probes(kind) + name_probes(kind)
        probes += selector_probes(kind) + patch_probes(kind) + delete_probes(kind)
    probes += path_probes() + beta_version_probes() + user_probes() + authz_probes() + privilege_probes() + unseen_privilege_probes()
    probes += later_privilege_probes() + impersonated_privilege_probes() + role_ref_group_probes()
    probes += websocket_token_probes()
    probes += cross_node_probes()
    probes += label_token_and_grant_probes()
    probes += authz19_probes()
    probes += authz20_probes() + authz20_anonymous_probes()
    probes += authz21_probes()
    probes += subresource_probes() + proxy_probes()
    probes += annotation_probes() + decoding_probes() + template_probes() + header_probes() + immutable_probes()
    probes += accept_probes() + custom_probes()
    probes += paging_probes() + watch_param_probes() + apply_probes() + directive_probes() + metadata_probes()
    probes += method_probes() + known_gap_probes() + fuzz20_probes() + fuzz21_probes()
    probes += proto22_probes()
    for kind in KINDS + MORE_KINDS + [HPA_V1]:
        probes += value_probes(rng, kind, values_per_kind)
    return probes + value_status_probes() + crd_probes() + gaps21_probes() + gaps22_probes() + crdterm20_probes()


def gaps22_probes() -> list[Probe]:
    """Far quantities compared on all their digits, and ControllerRevision data compared as bytes."""
    low, high = "1" * 25 + "e500", "1" * 24 + "2e500"
    pods = kind_named("pods")
    probes = []
    for request, limit in ((high, low), (low, high), (f"-{low}", f"-{high}"), (high, high)):
        pod = pods.object("gaps22")
        pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": request}, "limits": {"cpu": limit}}
        probes.append(Probe("gaps22", "POST", pods.collection(), "dryRun=All", JSON, encode(pod)))
    limit_ranges = kind_named("limitranges").collection()
    for low_bound, high_bound in ((high, low), (low, high)):
        body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "g22"},
                "spec": {"limits": [{"type": "Container", "min": {"cpu": low_bound}, "max": {"cpu": high_bound}}]}}
        probes.append(Probe("gaps22", "POST", limit_ranges, "dryRun=All", JSON, encode(body)))
    revisions = f"/apis/apps/v1/namespaces/{NAMESPACE}/controllerrevisions"
    head = b'{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"g22"},"revision":1,"data":'
    probes.append(Probe("gaps22", "POST", revisions, "", JSON, head + b'{ "x" : 1e3 , "y": [1, 2.50] }}'))
    for data in (b'{"x":1e3,"y":[1,2.50]}', b'{ "x" : 1e3 , "y": [1, 2.50] }', b'{"x":1000,"y":[1,2.5]}'):
        probes.append(Probe("gaps22", "PUT", f"{revisions}/g22", "dryRun=All", JSON, head + data + b"}"))
    probes.append(Probe("gaps22", "PATCH", f"{revisions}/g22", "dryRun=All", MERGE, b'{"metadata":{"labels":{"a":"b"}}}'))
    return probes


def gaps21_probes() -> list[Probe]:
    """LimitRange bounds whose errors print resource.Quantity with %#v (an inf.Dec from a fine or a
    huge quantity, texts String cached by an earlier check, RoundUp's rescaling, SI exponents past
    E), numbers a typed field refuses quoted as written (by create and by every patch type) and
    quantities given as numbers parsed from their text, floats in quoted JSON (a YAML body without a kind, a custom object's patch result without one)."""
    limit_ranges = kind_named("limitranges").collection()

    def limit_range(*items: dict) -> Probe:
        body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "q"}, "spec": {"limits": list(items)}}
        return Probe("gaps21", "POST", limit_ranges, "dryRun=All", JSON, encode(body))

    bounds = [({"cpu": "1000m"}, {"cpu": "0.5"}), ({"cpu": "2"}, {"cpu": "1e-1000"}), ({"cpu": "2000m"}, {"cpu": "0.0000000001"}),
              ({"cpu": "1"}, {"cpu": "-0"}), ({"cpu": "1"}, {"cpu": "0.5m"}), ({"cpu": "0.9999"}, {"cpu": "1000u"}),
              ({"cpu": "1000E"}, {"cpu": "10E"}), ({"memory": "3Gi"}, {"memory": "1.5Gi"})]
    probes = [limit_range({"type": "Container", "min": low, "max": high}) for low, high in bounds]
    probes += [limit_range({"type": "Container", "default": {"cpu": "2.0001"}, "defaultRequest": {"cpu": "3000m"},
                            "max": {"cpu": "1.5"}, "min": {"cpu": "4000m"}}),
               limit_range({"type": "Container", "default": {"nvidia.com/gpu": "2.5"},
                            "defaultRequest": {"nvidia.com/gpu": "1.0000000001"}}),
               limit_range({"type": "PersistentVolumeClaim", "min": {"storage": "2000000000000000000000"},
                            "max": {"storage": "1Ki"}}),
               limit_range({"type": "Pod", "min": {"cpu": "1E3"}, "max": {"cpu": "100"}, "maxLimitRequestRatio": {"cpu": "1.5"}})]
    deployment = f"{kind_named('deployments').collection()}/{NAMESPACE}-probe"
    pod = kind_named("pods").object("gaps21")
    for literal in (b"1.0e0", b"2.50", b"1E+2", b"0.000001", b"1e-7", b"1e21", b"0.1e1"):
        probes.append(Probe("gaps21", "POST", kind_named("pods").collection(), "dryRun=All", JSON,
                            encode(pod).replace(b'"spec":{', b'"spec":{"terminationGracePeriodSeconds":' + literal + b",")))
        for media, body in ((MERGE, b'{"spec":{"replicas":' + literal + b"}}"), (STRATEGIC, b'{"spec":{"replicas":' + literal + b"}}"),
                            (JSON_PATCH, b'[{"op":"replace","path":"/spec/replicas","value":' + literal + b"}]")):
            probes.append(Probe("gaps21", "PATCH", deployment, "dryRun=All", media, body))
    quotas = kind_named("resourcequotas").collection()
    probes += [Probe("gaps21", "POST", quotas, "dryRun=All", JSON, b'{"apiVersion":"v1","kind":"ResourceQuota","metadata":'
                     b'{"name":"q"},"spec":{"hard":{"pods":' + literal + b"}}}") for literal in (b"2.50", b"1.5e-3", b"-1.5e-3")]
    gadgets = f"/apis/diff.example.com/v1/namespaces/{NAMESPACE}/gadgets"
    floats = b'{"apiVersion":"v1","kind":"X","a":1e-7,"b":1.0,"c":1e20,"d":1.5e300,"e":0.000001,"f":1e-5,"h":1e21}'
    probes += [Probe("gaps21", "POST", gadgets, "", JSON,
                     b'{"apiVersion":"diff.example.com/v1","kind":"Gadget","metadata":{"name":"floats"},"spec":{"emb":' + floats + b"}}"),
               Probe("gaps21", "PATCH", f"{gadgets}/floats", "dryRun=All", JSON_PATCH, b'[{"op":"remove","path":"/kind"}]'),
               Probe("gaps21", "PATCH", f"{gadgets}/floats", "dryRun=All", MERGE, b'{"kind":null,"spec":{"x":1e-7}}'),
               Probe("gaps21", "POST", gadgets, "dryRun=All", "application/yaml",
                     b"apiVersion: diff.example.com/v1\nmetadata: {name: k2}\nspec: {emb: {apiVersion: v1, kind: X, a: 1e-7, "
                     b"b: 1.0, c: 1e20, e: 0.000001, f: 1.0e-5, h: 1e21}}\n")]
    return probes


def crdterm20_probes() -> list[Probe]:
    """The gadgets CRD deleted while its object `held` has a finalizer of its own: the CRD stays,
    Terminating; creates (a dry run too) are refused, reads, patches and deletes are served; then
    the finalizer is removed. Last in the corpus: the gadgets CRD is gone afterwards."""
    gadgets = f"/apis/diff.example.com/v1/namespaces/{NAMESPACE}/gadgets"
    gadget = {"apiVersion": "diff.example.com/v1", "kind": "Gadget", "metadata": {"name": "held"}}
    held = {**gadget, "metadata": {"name": "held", "finalizers": ["diff.example.com/hold"]}}
    remove = [[{"op": "remove", "path": path}] for path in ("/kind", "/apiVersion")]
    return [Probe("crdterm20", "POST", gadgets, "", JSON, encode(held)),
            Probe("crdterm20", "DELETE", f"{CRDS}/gadgets.diff.example.com"),
            Probe("crdterm20", "GET", f"{CRDS}/gadgets.diff.example.com"),  # the informers catch up meanwhile
            Probe("crdterm20", "GET", f"{gadgets}/held"),
            Probe("crdterm20", "GET", gadgets),
            *[Probe("crdterm20", "POST", gadgets, query, JSON, encode({**gadget, "metadata": {"name": "new"}}))
              for query in ("", "dryRun=All")],
            Probe("crdterm20", "PUT", f"{gadgets}/new", "", JSON, encode({**gadget, "metadata": {"name": "new"}})),
            Probe("crdterm20", "PATCH", f"{gadgets}/held", "", MERGE, b'{"metadata":{"labels":{"a":"b"}}}'),
            *[Probe("crdterm20", "PATCH", f"{gadgets}/held", "", JSON_PATCH, encode(body)) for body in remove],
            Probe("crdterm20", "DELETE", f"{gadgets}/absent"),
            Probe("crdterm20", "DELETE", f"{CRDS}/gadgets.diff.example.com", "", JSON,
                  encode({"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}})),
            Probe("crdterm20", "PATCH", f"{gadgets}/held", "", MERGE, b'{"metadata":{"finalizers":null}}')]


def setup_probes() -> list[Probe]:
    """Namespace `diff` first, its default ServiceAccount (upstream's ServiceAccount admission
    refuses pods without it, and no controller-manager makes it here), then one valid object of
    every other kind in it, a pod with restartPolicy Never whose containers have terminated (for
    the state transitions a status update may not make), the gadgets CRD of the crd category, a
    CertificateSigningRequest, an APIService of an aggregated API whose service does not exist
    and the widget CRD (its object is made by the first custom request, once the CRD is
    established)."""
    namespaces = KINDS[6]
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}
    probes = [Probe("setup", "POST", namespaces.collection(), "", JSON, encode(namespaces.object(NAMESPACE))),
              Probe("setup", "POST", f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts", "", JSON, encode(account))]
    probes += [Probe("setup", "POST", k.collection(), "", JSON, encode(k.object(k.existing)))
               for k in KINDS + MORE_KINDS if k is not namespaces]
    pods, never = KINDS[0], finished_pod()
    probes += [Probe("setup", "POST", pods.collection(), "", JSON, encode(never)),
               Probe("setup", "PUT", f"{pods.collection()}/{NAMESPACE}-never/status", "", JSON,
                     encode({**never, "status": NEVER_STATUS}))]
    api_service = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                   "metadata": {"name": f"{AGGREGATED['version']}.{AGGREGATED['group']}"}, "spec": AGGREGATED}
    probes.append(Probe("setup", "POST", CRDS, "", JSON, encode(crd_object("gadgets", GADGET_SCHEMA))))
    return probes + [Probe("setup", "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", "", JSON,
                           encode(CSR)),
                     Probe("setup", "POST", "/apis/apiregistration.k8s.io/v1/apiservices", "", JSON, encode(api_service)),
                     Probe("setup", "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "", JSON,
                           encode(WIDGETS_CRD))]


# --- answers and how they compare ----------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    code: int
    reason: str
    message: str


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
RESOURCE_VERSION = re.compile(r'(resourceVersion\\?"?:?\s*\\?"?|ResourceVersion: |resource version:? '
                              r'|ResourceVersion in record \(|ResourceVersion in object meta: |, current: )\d+', re.I)
GENERATED = re.compile(r"\b(UPPER-)[a-z0-9]{5}\b")
# The name made from a generateName that validation then refuses, wherever the message quotes
# it: its five random characters (names.SimpleNameGenerator's alphabet) end it.
GENERATED_NAME = re.compile(r'^\w[\w.]* "([^"]*[bcdfghjklmnpqrstvwxz2456789]{5})" is invalid: \[?metadata\.generateName')
# Upstream quotes the whole patched object when it does not decode; the patch itself is in the request.
PATCHED_OBJECT = re.compile(r'(patch: Invalid value: )"(?:[^"\\]|\\.)*"')
# The go-cmp diff upstream appends to some messages (ValidatePodUpdate's, "core.PodSpec{...") has
# its spacing varied from run to run on purpose, and the reference writes none: messages are
# compared without it, up to its closing brace (the only one at its indentation), so that the
# `]` ending an aggregate of errors after it stays.
GO_CMP_DIFF = re.compile(r"\n[\xa0 ]{2}[\w.\[\]*&]+\{\n.*?\n[\xa0 ]{2}\}\n", re.S)
# The same diff written right after a colon, ending the message (NodeRestriction's of a claim's status).
GO_CMP_DIFF_AFTER_COLON = re.compile(r"(?<=: )[\xa0 ]{2}[\w.\[\]*&]+\{\n.*\n[\xa0 ]{2}\}\n\Z", re.S)
# Go's %#v and %v print a pointer as its address, in parentheses or opening a struct
# ("{0xc00578e3d0 {<nil> ...}}"); the reference prints one address for all.
POINTER = re.compile(r"(?<=[({])0xc[0-9a-f]+\b")
# A time the server set, as %#v prints it (time.Date with its nanoseconds): it is never the same
# on both servers; the zero time and the zone still compare.
GO_TIME = re.compile(r"time\.Date\((?!1, time\.January, 1, 0, 0, 0, 0,)[^()]*?, (time\.\w+)\)")


# RBAC's resolution errors, aggregated in the order its informer cache lists bindings (a Go
# map's): compared sorted.
RBAC_ERRORS = re.compile(r'(RBAC: \[|^\[|resolution errors: \[)((?:[\w.]+ "[^"]*" not found, )+[\w.]+ "[^"]*" not found)\]')


def normalise(message: str) -> str:
    message = RBAC_ERRORS.sub(lambda m: m.group(1) + ", ".join(sorted(m.group(2).split(", "))) + "]", message)
    message = UUID.sub("<uid>", message)
    message = TIMESTAMP.sub("<time>", message)
    message = RESOURCE_VERSION.sub(lambda m: m.group(1) + "<rv>", message)
    message = PATCHED_OBJECT.sub(r'\1"<patched object>"', message)
    message = GO_CMP_DIFF.sub("", message)
    message = GO_CMP_DIFF_AFTER_COLON.sub("", message)
    message = POINTER.sub("0xc000000000", message)
    message = GO_TIME.sub(r"time.Date(<time>, \1)", message)
    generated = GENERATED_NAME.match(message)
    if generated:
        name = generated.group(1)
        message = message.replace(f'"{name}"', f'"{name[:-5]}<suffix>"')
    return GENERATED.sub(r"\1<suffix>", message)


def answer_of(code: int, content_type: str, body: bytes) -> Answer:
    """Reason and message of a Status body; of anything else, the first bytes of the body."""
    if code < 400:
        return Answer(code, "", "")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("kind") == "Status":
        return Answer(code, str(data.get("reason", "")), normalise(str(data.get("message", ""))))
    if content_type.startswith(PROTOBUF) and body.startswith(PB_MAGIC):
        return protobuf_status_answer(code, content_type, body)
    kind = content_type.split(";")[0] or "no content type"
    return Answer(code, f"({kind})", normalise(body[:200].decode(errors="replace").strip()))


def protobuf_status_answer(code: int, content_type: str, body: bytes) -> Answer:
    """A protobuf Status as its reason and message, the rest of its fields (details, code) and its
    media type after them; a body the reference serializer cannot read, in hex."""
    from reference_impl.apiserver.core import protobuf
    try:
        status = protobuf.decode(body)
    except ValueError:
        return Answer(code, f"({content_type})", body[:200].hex())
    rest = {key: value for key, value in status.items() if key not in ("reason", "message")}
    return Answer(code, f"{status.get('reason', '')} ({content_type})",
                  normalise(f"{status.get('message', '')} {json.dumps(rest, sort_keys=True)}"))


class Server:
    """HTTPS to one apiserver, one kept-alive connection per user."""

    def __init__(self, name: str, url: str, contexts: dict[str, ssl.SSLContext], signing_key: Path | None = None) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.name, self.host, self.port, self.contexts = name, parsed.hostname, parsed.port, contexts
        self.signing_key = signing_key  # the key service account tokens are signed with (authz20 forges some)
        self.connections: dict[str, http.client.HTTPSConnection] = {}
        self._token: str | None = None
        self.remembered: dict[str, str] = {}  # authz20's tokens by name (Probe.remember)

    def connection(self, user: str) -> http.client.HTTPSConnection:
        if user not in self.connections:
            self.connections[user] = http.client.HTTPSConnection(
                self.host, self.port, context=self.contexts[user], timeout=REQUEST_TIMEOUT)
        return self.connections[user]

    def token(self) -> str:
        """A TokenRequest token of service account diff19/sa1 (authz19's), asked for once."""
        if self._token is None:
            connection = self.connection("admin")
            connection.request("POST", f"/api/v1/namespaces/{NS19}/serviceaccounts/sa1/token", body=b'{"spec":{}}',
                               headers={"Content-Type": JSON, "Accept": JSON})
            response = connection.getresponse()
            body = response.read()
            self._token = json.loads(body)["status"]["token"] if response.status == 201 else "no-token"
        return self._token

    def substituted(self, text: str) -> str:
        """`text` with $TOKEN and the remembered $TOKEN20:NAME replaced by this server's tokens."""
        text = REMEMBERED.sub(lambda m: self.remembered.get(m.group(2), "no-token") if m.group(1) == "TOKEN20"
                              else self.forged(m.group(2)), text)
        text = UID_OF.sub(lambda m: self.uid_of(m.group(1)), text)
        return text.replace(TOKEN, self.token()) if TOKEN in text else text

    def uid_of(self, path: str) -> str:
        """The uid of the object at `path`, as the administrator reads it from this server."""
        connection = self.connection("admin")
        connection.request("GET", path, headers={"Accept": JSON})
        response = connection.getresponse()
        body = response.read()
        return json.loads(body).get("metadata", {}).get("uid", "no-uid") if response.status == 200 else "no-uid"

    def send(self, probe: Probe) -> Answer:
        target = probe.path + (f"?{probe.query}" if probe.query else "")
        headers = {"Accept": "application/json"}
        if probe.content_type:
            headers["Content-Type"] = probe.content_type
        sent = [(name, self.substituted(value)) for name, value in probe.headers]
        substitutes = (b"$TOKEN", b"$FORGED20", b"$UID[")
        body = self.substituted(probe.body.decode()).encode() if any(mark in probe.body for mark in substitutes) \
            else probe.body
        headers.update(sent)
        # A header named twice is sent twice (http.client's request takes a mapping).
        repeated = len({name.lower() for name, _ in sent}) < len(sent)
        for attempt in (1, 2):  # once more on a connection the server closed since the last request
            connection = self.connection(probe.user)
            try:
                if repeated:
                    connection.putrequest(probe.method, target)
                    media = [("Content-Type", probe.content_type)] if probe.content_type else []
                    for name, value in [("Accept", "application/json")] + media + sent:
                        connection.putheader(name, value)
                    if probe.method not in ("GET", "HEAD"):
                        connection.putheader("Content-Length", str(len(body)))
                    connection.endheaders(body if probe.method not in ("GET", "HEAD") else None)
                else:
                    connection.request(probe.method, target, body=body if probe.method not in ("GET", "HEAD") else None,
                                       headers=headers)
                response = connection.getresponse()
                if response.status < 400 and probe.observe == "-media":  # proto22's: what a success is written in
                    connection.close()
                    self.connections.pop(probe.user)
                    return Answer(response.status, response.getheader("Content-Type", ""), "")
                if response.status < 400 and (probe.compare or probe.remember):
                    return self.kept(probe, response.status, response.read())
                if response.status < 400 or probe.method == "HEAD":
                    # Success bodies are not compared; a watch would stream until its timeout.
                    connection.close()
                    self.connections.pop(probe.user)
                    return Answer(response.status, "", "")
                return answer_of(response.status, response.getheader("Content-Type", ""), response.read())
            except (OSError, http.client.HTTPException) as err:
                connection.close()
                self.connections.pop(probe.user, None)
                if attempt == 2 or isinstance(err, TimeoutError):
                    return Answer(0, "(no answer)", f"{type(err).__name__}: {err}")
        raise AssertionError("unreachable")


    def forged(self, variant: str) -> str:
        """A token signed with this server's service-account key: the claims of authz20's `good`
        token changed as FORGERIES20[variant] says (expired, not yet valid, another issuer, a
        legacy Secret's token, ...)."""
        good = self.remembered.get("good", "")
        if not self.signing_key or good.count(".") != 2:
            return "no-token"
        if f"forged:{variant}" in self.remembered:  # made once: a legacy Secret holds its very token
            return self.remembered[f"forged:{variant}"]
        payload = good.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims = FORGERIES20[variant](claims, int(time.time()))
        key = serialization.load_pem_private_key(self.signing_key.read_bytes(), None)
        if variant == "other-key":
            key = ec.generate_private_key(ec.SECP256R1()) if isinstance(key, ec.EllipticCurvePrivateKey) else \
                rsa.generate_private_key(public_exponent=65537, key_size=2048)
        header = {"alg": "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256",
                  "kid": public_key_id(key.public_key())}
        b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
        signing_input = f"{b64(encode(header))}.{b64(encode(claims))}"
        if isinstance(key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        else:
            signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        self.remembered[f"forged:{variant}"] = f"{signing_input}.{b64(signature)}"
        return self.remembered[f"forged:{variant}"]

    def kept(self, probe: Probe, code: int, body: bytes) -> Answer:
        """A success whose token is remembered, or whose status is compared (as the message)."""
        try:
            status = json.loads(body)
            for step in probe.observe.split("."):  # proto22's observe a path: spec.containers.0.resources
                status = status[int(step)] if isinstance(status, list) else status.get(step)
            status = status or {}
        except (ValueError, AttributeError, IndexError, TypeError):
            status = {"undecodable": body[:200].decode(errors="replace")}
        if not isinstance(status, dict):  # a metav1.Status's "Success", not a review's status; a role's rules
            status = {"value": status}
        if probe.observe == "spec":  # a CSR's: who asked, as the server saw them (the request bytes left out)
            status.pop("request", None)
        if probe.remember:
            self.remembered[probe.remember] = status.get("token", "no-token")
            return Answer(code, "", "")
        for key in ("evaluationError", "reason"):
            if isinstance(status.get(key), str):
                status[key] = normalise(status[key])
        if "resourceRules" in status:
            # RBAC visits the bindings in its informer cache's order, a Go map's: rules are compared as sets.
            for key in ("resourceRules", "nonResourceRules"):
                status[key] = sorted(status.get(key) or [], key=lambda rule: json.dumps(rule, sort_keys=True))
        return Answer(code, "", normalise(json.dumps(status, sort_keys=True)))


def pattern(probe: Probe, real: Answer, ours: Answer) -> tuple:
    """What a difference is an instance of: its category, the two codes and reasons, and, when
    those agree, that the messages do not."""
    same_code = real.code == ours.code and real.reason == ours.reason
    return (probe.category, probe.method, real.code, real.reason, ours.code, ours.reason,
            "message differs" if same_code else "")


# --- the two servers ------------------------------------------------------------------------------

def context(ca: Path, pair: KeyPair, directory: Path, name: str) -> ssl.SSLContext:
    (directory / f"{name}.crt").write_bytes(pair.cert_pem)
    (directory / f"{name}.key").write_bytes(pair.key_pem)
    tls = ssl.create_default_context(cafile=str(ca))
    tls.load_cert_chain(directory / f"{name}.crt", directory / f"{name}.key")
    return tls


def user_contexts(pki: Path, ca: KeyPair) -> dict[str, ssl.SSLContext]:
    """The unprivileged user's and a kubelet's (of a node that does not exist) client certificates,
    none at all (system:anonymous), and authz19's odd certificates."""
    contexts = {USER: context(pki / "ca.crt", issue_client_cert(ca, USER), pki, USER),
                NODE_USER: context(pki / "ca.crt", issue_client_cert(ca, NODE_USER, (NODES_GROUP,)), pki, "diff-node"),
                ANONYMOUS: ssl.create_default_context(cafile=str(pki / "ca.crt"))}
    # authz19's: several groups, no user at all (whatever its O= says), a name with colons, a
    # service account's name, and a user allowed to impersonate only some names.
    for name, common_name, groups in (("diff-multi", "a19-multi", ("g:1", "system:authenticated", "other")),
                                      ("diff-nocn", "", ("system:masters", "system:authenticated")),
                                      ("diff-colon", "a:b:c", ()), ("diff-sacert", f"system:serviceaccount:{NS19}:sa1", ()),
                                      ("diff-impersonator", "a19-impersonator", ()),
                                      ("diff-impersonator20", "a20-impersonator", ())):
        contexts[name] = context(pki / "ca.crt", issue_client_cert(ca, common_name, groups), pki, name)
    return contexts


def start_real(binary: Path, etcd: Path, directory: Path,
               extra: tuple[str, ...] = ()) -> tuple[list[local_cluster.Process], Server, str]:
    """Real etcd and the real kube-apiserver on loopback, with a CA, serving and client certificates
    and a service-account key made here, and the `extra` flags; the processes (etcd first), the
    server and etcd's client URL."""
    pki = directory / "pki"
    pki.mkdir(parents=True)
    ca = new_ca()
    serving = issue_apiserver_serving_cert(ca)
    for name, pair in (("ca", ca), ("apiserver", serving)):
        (pki / f"{name}.crt").write_bytes(pair.cert_pem)
        (pki / f"{name}.key").write_bytes(pair.key_pem)
    account_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (pki / "sa.key").write_bytes(account_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    started: list[local_cluster.Process] = []
    try:
        argv, readiness, etcd_url = local_cluster.etcd_argv(etcd, directory)
        started.append(local_cluster.start_process(directory, "etcd", argv, readiness)[0])
        port = local_cluster.free_port()
        argv = (str(binary), f"--etcd-servers={etcd_url}", "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1", f"--secure-port={port}", f"--cert-dir={pki}",
                f"--tls-cert-file={pki / 'apiserver.crt'}", f"--tls-private-key-file={pki / 'apiserver.key'}",
                f"--client-ca-file={pki / 'ca.crt'}", "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction", f"--service-account-key-file={pki / 'sa.key'}",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-cluster-ip-range=10.96.0.0/12",
                # As kubeadm and kind set it, and as the reference apiserver always behaves
                # (podsecuritycontext): without it a privileged container is a 422.
                "--allow-privileged=true", *extra)
        # /readyz is public (system:public-info-viewer) once the bootstrap roles exist; without
        # anonymous requests it answers 401: then the log says when the server listens, and the
        # administrator's /readyz (below) when it is ready.
        anonymous = "--anonymous-auth=false" not in extra
        ready = local_cluster.Ready(url=f"https://127.0.0.1:{port}/readyz") if anonymous else \
            local_cluster.Ready(line="Serving securely on")
        started.append(local_cluster.start_process(directory, "kube-apiserver", argv, ready, READY_TIMEOUT)[0])
    except BaseException:
        local_cluster.stop(started)
        raise
    contexts = {"admin": context(pki / "ca.crt", issue_client_cert(ca, ADMIN_USER, (ADMIN_GROUP,)), pki, "admin"),
                **user_contexts(pki, ca)}
    server = Server("real", f"https://127.0.0.1:{port}", contexts, pki / "sa.key")
    deadline = time.monotonic() + READY_TIMEOUT
    while not anonymous and server.send(Probe("setup", "GET", "/readyz")).code != 200:
        if time.monotonic() > deadline:
            local_cluster.stop(started)
            raise TimeoutError("the real kube-apiserver never became ready")
        time.sleep(1)
    return started, server, etcd_url


def start_ours(directory: Path, extra: tuple[str, ...] = ()) -> tuple[list[local_cluster.Process], Server]:
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"), apiserver_args=extra)
    pki = directory / "pki"
    ca = KeyPair((pki / "ca.crt").read_bytes(), (pki / "ca.key").read_bytes())
    admin = KeyPair((pki / "admin.crt").read_bytes(), (pki / "admin.key").read_bytes())
    contexts = {"admin": context(pki / "ca.crt", admin, pki, "probe-admin"), **user_contexts(pki, ca)}
    url = yaml.safe_load(Path(plane.kubeconfig).read_text())["clusters"][0]["cluster"]["server"]
    return list(plane.processes), Server("ours", url, contexts, pki / "apiserver.key")


# --- main -----------------------------------------------------------------------------------------

def wait_for_custom_groups(servers: tuple[Server, ...], timeout: float = 20.0) -> None:
    """Until both servers serve the groups of the CRDs the setup made (upstream establishes a CRD
    a moment after its create): run alone, the custom category would else reach upstream first."""
    deadline = time.monotonic() + timeout
    for server in servers:
        for group in (WIDGETS_GROUP, "diff.example.com"):
            probe = Probe("setup", "GET", f"/apis/{group}/v1")
            while server.send(probe).code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)


def print_report(rows: list[dict], total: int, show: int) -> list[dict]:
    differing = [row for row in rows if row["differs"]]
    print(f"{len(differing)} of {total} requests answered differently\n")
    for row in differing[:show]:
        real, ours = row["real"], row["ours"]
        print(f"[{row['category']}] {row['request']}\n    real {real['code']} {real['reason']}: {real['message'][:300]}"
              f"\n    ours {ours['code']} {ours['reason']}: {ours['message'][:300]}")
    if len(differing) > show:
        print(f"  … {len(differing) - show} more in the JSON")
    groups = collections.defaultdict(list)
    for row in differing:
        groups[tuple(row["pattern"])].append(row)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    print(f"\n{len(ordered)} patterns, most frequent first\n")
    print(f"{'count':>5}  {'category':<10} {'method':<7} {'real':<28} {'ours':<28} note")
    summary = []
    for key, members in ordered:
        category, method, real_code, real_reason, our_code, our_reason, note = key
        print(f"{len(members):>5}  {category:<10} {method:<7} {f'{real_code} {real_reason}':<28} "
              f"{f'{our_code} {our_reason}':<28} {note}")
        example = members[0]
        print(f"{'':>7}e.g. {example['request'][:150]}\n{'':>12}real: {example['real']['message'][:200]}"
              f"\n{'':>12}ours: {example['ours']['message'][:200]}")
        summary.append({"pattern": list(key), "count": len(members), "examples": members[:5]})
    return summary



# -- what the seeded random differentials (rbac_random_differential, request_random_differential) share

def random_run_parser(description: str) -> argparse.ArgumentParser:
    """The arguments of a seeded random run against the real kube-apiserver and ours."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("binary", type=Path, help="the real kube-apiserver (1.24), already built")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"), help="the real etcd 3.4 binary")
    parser.add_argument("--seed", type=int, default=None, help="seeds every case (default: a new one, printed)")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--show", type=int, default=60, help="differing requests printed one by one")
    parser.add_argument("--only-case", type=int, action="append", help="run only these cases (drawn as in the full run)")
    parser.add_argument("--all-rows", action="store_true", help="write every request to the JSON, not only differing ones")
    return parser


def run_seed(args: argparse.Namespace) -> int:
    """The seed given, or a new one; printed either way, so that any run can be repeated."""
    return args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)


def start_both(args: argparse.Namespace, work: Path, processes: list) -> tuple[Server, Server]:
    """The real kube-apiserver (on the real etcd) and ours, each under `work`; their processes are
    added to `processes` as they start, for the caller to stop."""
    real_processes, real, _ = start_real(args.binary.resolve(), args.etcd.resolve(), work / "real")
    processes += real_processes
    our_processes, ours = start_ours(work / "ours")
    processes += our_processes
    return real, ours


def print_patterns(differing: list[dict], widths: tuple[int, ...]) -> list[dict]:
    """Print the differing rows grouped by their `pattern` (labels of `widths`, then the real
    server's code and reason, ours, and a note), most frequent first, with an example each; the
    groups as the results JSON keeps them."""
    groups = collections.defaultdict(list)
    for row in differing:
        groups[tuple(row["pattern"])].append(row)
    print(f"\n{len(groups)} patterns, most frequent first\n")
    summary = []
    for key, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        labels, (real_code, real_reason, our_code, our_reason, note) = key[:-5], key[-5:]
        columns = " ".join(f"{label:<{width}}" for label, width in zip(labels, widths))
        print(f"{len(members):>5}  {columns} {f'{real_code} {real_reason}':<28} {f'{our_code} {our_reason}':<28} {note}")
        print(f"{'':>7}e.g. case {members[0]['case']}: {members[0]['request'][:200]}")
        summary.append({"pattern": list(key), "count": len(members), "examples": members[:5]})
    return summary


def write_random_results(name: str, args: argparse.Namespace, seed: int, rows: list[dict], summary: list[dict],
                         work: Path, exited: list[str]) -> None:
    """results/NAME.json: the run's seed, counts, patterns and differing rows (every row with
    --all-rows)."""
    if exited:
        print(f"\nexited before the end: {', '.join(exited)} (logs in {work})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps({"seed": seed, "cases": args.cases, "requests": len(rows),
                               "differing": sum(row["differs"] for row in rows), "patterns": summary,
                               "rows": rows if args.all_rows else [row for row in rows if row["differs"]],
                               "work": str(work)}, indent=2) + "\n")
    print(f"\nseed {seed}; wrote {out}; logs in {work}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver (1.24), already built")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"), help="the real etcd 3.4 binary")
    parser.add_argument("--seed", type=int, default=1324, help="seeds the fuzzed bodies")
    parser.add_argument("--fuzz-per-kind", type=int, default=30, help="fuzzed bodies per kind")
    parser.add_argument("--show", type=int, default=200, help="differing requests printed one by one")
    parser.add_argument("--values-per-kind", type=int, default=30,
                        help="wrong values per kind: its own list, filled up with generic ones")
    parser.add_argument("--category", action="append",
                        help="run only the requests of this category (and the setup); may be repeated")
    parser.add_argument("--apiserver-arg", action="append", default=[], metavar="FLAG",
                        help="a flag given to both apiservers (--apiserver-arg=--anonymous-auth=false with "
                             "--category authz20-anonymous); may be repeated")
    parser.add_argument("--budget", type=float, default=900.0, help="seconds after which the corpus stops")
    args = parser.parse_args(argv)
    for path in (args.binary, args.etcd):
        if not (path.is_file() and os.access(path, os.X_OK)):
            parser.error(f"{path} is not an executable file")
    work = Path(tempfile.mkdtemp(prefix="apiserver-differential-"))
    processes: list[local_cluster.Process] = []
    try:
        extra = tuple(args.apiserver_arg)
        real_processes, real, _ = start_real(args.binary.resolve(), args.etcd.resolve(), work / "real", extra)
        processes += real_processes
        our_processes, ours = start_ours(work / "ours", extra)
        processes += our_processes
        probes = setup_probes() + [probe for probe in corpus(args.seed, args.fuzz_per_kind, args.values_per_kind)
                                   if not args.category or probe.category in args.category]
        rows, started = [], time.monotonic()
        setup_count = len(setup_probes())
        for index, probe in enumerate(probes):
            if index == setup_count:
                wait_for_custom_groups((real, ours))
            if time.monotonic() - started > args.budget:
                print(f"budget of {args.budget:.0f} s spent: stopped after {len(rows)} of {len(probes)} requests")
                break
            real_answer, our_answer = real.send(probe), ours.send(probe)
            rows.append({"category": probe.category, "request": probe.describe(), "real": asdict(real_answer),
                         "ours": asdict(our_answer), "differs": real_answer != our_answer,
                         "pattern": list(pattern(probe, real_answer, our_answer))})
        exited = [p.name for p in processes if not p.running()]
    finally:
        local_cluster.stop(processes)
    summary = print_report(rows, len(rows), args.show)
    if exited:
        print(f"\nexited before the end: {', '.join(exited)} (logs in {work})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "apiserver_differential.json"
    out.write_text(json.dumps({"seed": args.seed, "requests": len(rows),
                               "differing": sum(row["differs"] for row in rows), "patterns": summary,
                               "rows": rows, "work": str(work)}, indent=2) + "\n")
    print(f"\nwrote {out}; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
