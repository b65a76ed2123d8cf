"""The parts of a pod are described field by field, as the real 1.24 OpenAPI document describes them:
an unknown field inside a volume, a probe, a security context or an affinity term is dropped (with
`fieldValidation=Strict`, refused), and every known field is kept. The property names, types,
formats and references are checked against facts read from the real kube-apiserver's
`/openapi/v2` (`data/openapi_property_names_1_24.json`; the other definitions both serve, but
ControllerRevision whose data is a RawExtension there, in `data/openapi_other_shapes_1_24.json`;
what each requires in `data/openapi_required_1_24.json`), so a field is never dropped by mistake."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.reference.apiserver.test_handlers import call, chain, etcd, ns_path, registry  # noqa: F401
from reference_impl.apiserver.core import fieldvalidation, openapi
from reference_impl.apiserver.core.schemas import QUANTITY, REF_PREFIX


@pytest.fixture(autouse=True)
def server_side_field_validation(monkeypatch):
    """These tests read what the decoder knows through `fieldValidation=Strict`, which 1.24 has
    behind the ServerSideFieldValidation feature gate (off by default): they turn it on."""
    monkeypatch.setattr(fieldvalidation, "SERVER_SIDE_FIELD_VALIDATION", True)

FACTS = json.loads((Path(__file__).parent / "data" / "openapi_property_names_1_24.json").read_text())


def _shape(schema: dict) -> dict:
    shape = {key: schema[key] for key in ("type", "format", "$ref") if key in schema}
    for key in ("items", "additionalProperties"):
        if key in schema:
            shape[key] = _shape(schema[key])
    return shape


@pytest.mark.parametrize("name", sorted(FACTS))
def test_a_definition_has_the_real_property_names_types_and_formats(name):
    """Each filled definition has exactly upstream's properties, each of upstream's type, format and $ref."""
    properties = openapi.definitions()[name].get("properties", {})
    assert {key: _shape(schema) for key, schema in properties.items()} == FACTS[name]


OTHER_SHAPES = json.loads((Path(__file__).parent / "data" / "openapi_other_shapes_1_24.json").read_text())


def test_every_other_definition_has_the_real_property_names_types_and_formats():
    """The definitions no full object above reaches (older versions, reviews, lists, ...) have
    upstream's properties too: a v2beta1 HPA status's observedGeneration is an int64, a PDB's
    disruptedPods a map of Time."""
    served = openapi.definitions()
    assert {name: {key: _shape(schema) for key, schema in served[name].get("properties", {}).items()}
            for name in OTHER_SHAPES} == OTHER_SHAPES


REQUIRED = json.loads((Path(__file__).parent / "data" / "openapi_required_1_24.json").read_text())


def test_a_definition_requires_what_the_real_one_requires():
    """Each definition both servers describe requires exactly the properties the real 1.24
    /openapi/v2 requires (`kubectl explain` marks them -required-): v2beta2's HPA status still
    requires currentReplicas, an events.k8s.io EventSeries its count and time, and the group
    strategies of a PodSecurityPolicy nothing."""
    served = openapi.definitions()
    shared = [name for name in {**FACTS, **OTHER_SHAPES} if name in served]
    assert {name: sorted(served[name].get("required", ())) for name in shared} == \
        {name: REQUIRED.get(name, []) for name in shared}


def test_only_managed_fields_are_left_opaque():
    """Every definition is described field by field but FieldsV1, a trie of field paths that is
    an untyped object upstream too."""
    opaque = sorted(name for name, schema in openapi.definitions().items()
                    if schema.get("type") == "object" and "properties" not in schema
                    and "additionalProperties" not in schema)
    assert opaque == ["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"]


def _refs(schema: object) -> list[str]:
    if isinstance(schema, dict):
        return ([schema["$ref"]] if "$ref" in schema else []) + [r for value in schema.values() for r in _refs(value)]
    if isinstance(schema, list):
        return [r for item in schema for r in _refs(item)]
    return []


_SCALARS = {"date-time": "2024-01-02T03:04:05Z", "byte": "eA==", "int-or-string": 8080, "int32": 1, "int64": 2,
            "double": 0.5}


def _full(schema: dict, seen: tuple = ()) -> object:
    """A value of `schema` with every property set, entering a definition at most twice on the way
    down: a recursive one (JSONSchemaProps) is written whole once, its own kind inside it once more
    without the recursive fields."""
    name = schema.get("$ref", "").removeprefix(REF_PREFIX)
    if name == QUANTITY:
        return "1"
    if name:
        if seen.count(name) == 2:
            return None
        seen, schema = (*seen, name), openapi.definitions()[name]
    if "format" in schema:
        return _SCALARS[schema["format"]]
    if schema.get("type") == "array":
        item = _full(schema["items"], seen)
        return None if item is None else [item]
    if "properties" in schema:
        full = {key: _full(child, seen) for key, child in schema["properties"].items()}
        return {key: value for key, value in full.items() if value is not None}
    if "additionalProperties" in schema:
        value = _full(schema["additionalProperties"], seen)
        return None if value is None else {"k": value}
    return {"string": "x", "boolean": True, "integer": 3}.get(schema.get("type"), {"any": "thing"})


KINDS_WITH_FILLED_PARTS = [("", "v1", "Pod"), ("", "v1", "Node"), ("", "v1", "Namespace"),
                           ("", "v1", "ReplicationController"), ("", "v1", "PersistentVolume"),
                           ("", "v1", "PersistentVolumeClaim"), ("apps", "v1", "DaemonSet"),
                           ("apps", "v1", "StatefulSet"), ("apps", "v1", "Deployment"), ("apps", "v1", "ReplicaSet"),
                           ("batch", "v1", "CronJob"), ("discovery.k8s.io", "v1", "EndpointSlice"),
                           ("storage.k8s.io", "v1", "CSIDriver"), ("storage.k8s.io", "v1", "CSINode"),
                           ("storage.k8s.io", "v1", "VolumeAttachment"), ("storage.k8s.io", "v1", "StorageClass"),
                           ("", "v1", "Service"), ("networking.k8s.io", "v1", "Ingress"),
                           ("rbac.authorization.k8s.io", "v1", "ClusterRole"),
                           ("certificates.k8s.io", "v1", "CertificateSigningRequest"),
                           ("autoscaling", "v2", "HorizontalPodAutoscaler"),
                           ("apiextensions.k8s.io", "v1", "CustomResourceDefinition")]


def _full_object(group: str, version: str, kind: str) -> dict:
    prefix = {"": "io.k8s.api.core.v1.", "apps": "io.k8s.api.apps.v1.", "batch": "io.k8s.api.batch.v1.",
              "discovery.k8s.io": "io.k8s.api.discovery.v1.", "storage.k8s.io": "io.k8s.api.storage.v1.",
              "networking.k8s.io": "io.k8s.api.networking.v1.",
              "rbac.authorization.k8s.io": "io.k8s.api.rbac.v1.",
              "certificates.k8s.io": "io.k8s.api.certificates.v1.", "autoscaling": "io.k8s.api.autoscaling.v2.",
              "apiextensions.k8s.io": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."}[group]
    return _full({"$ref": REF_PREFIX + prefix + kind})


@pytest.mark.parametrize("group,version,kind", KINDS_WITH_FILLED_PARTS)
def test_every_known_field_is_kept(group, version, kind):
    """An object with every field of every part set decodes with nothing dropped."""
    obj = _full_object(group, version, kind)
    decoded = fieldvalidation.decode_into_kind(group, version, kind, copy.deepcopy(obj))
    assert decoded.unknown == () and decoded.obj == obj


def test_the_full_objects_reach_every_filled_definition():
    reached = set().union(*(_definitions_in(_full_object(*gvk)) for gvk in KINDS_WITH_FILLED_PARTS))
    assert {name for name, properties in FACTS.items() if properties} <= reached


def test_unknown_fields_in_a_status_and_in_managed_fields_are_dropped():
    daemon_set = {"metadata": {"name": "d", "managedFields": [{"manager": "m", "bogus": 1}]},
                  "status": {"numberReady": 1, "bogus": 1,
                             "conditions": [{"type": "X", "status": "True", "bogus": 1}]}}
    decoded = fieldvalidation.decode_into_kind("apps", "v1", "DaemonSet", daemon_set)
    assert decoded.unknown == ("metadata.managedFields[0].bogus", "status.bogus", "status.conditions[0].bogus")
    assert decoded.obj == {"metadata": {"name": "d", "managedFields": [{"manager": "m"}]},
                           "status": {"numberReady": 1, "conditions": [{"type": "X", "status": "True"}]}}


def _definitions_in(obj: dict) -> set[str]:
    """The definitions whose every property `_full` wrote, found again by their property names."""
    found = set()

    def visit(value: object) -> None:
        if isinstance(value, dict):
            for name, properties in FACTS.items():
                if properties and set(properties) == set(value):
                    found.add(name)
            for child in value.values():
                visit(child)
        elif isinstance(value, list):
            for child in value:
                visit(child)
    visit(obj)
    return found


def _pod(name: str) -> dict:
    return {"metadata": {"name": name}, "spec": {
        "containers": [{
            "name": "c", "image": "i",
            "livenessProbe": {"httpGet": {"port": 8080, "path": "/healthz", "scheme": "HTTP",
                                          "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
                              "initialDelaySeconds": 3, "periodSeconds": 5, "timeoutSeconds": 1,
                              "successThreshold": 1, "failureThreshold": 3},
            "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 10, "timeoutSeconds": 1,
                               "successThreshold": 1, "failureThreshold": 3},
            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "1"]}}},
            "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]},
                                "runAsUser": 1000, "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                                "seLinuxOptions": {"level": "s0:c1,c2"}},
            "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
            "envFrom": [{"prefix": "CM_", "configMapRef": {"name": "settings", "optional": True}}],
            "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}, {"name": "conf", "mountPath": "/conf"}],
        }],
        "volumes": [{"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                    {"name": "conf", "configMap": {"name": "settings", "defaultMode": 420,
                                                   "items": [{"key": "a", "path": "a.conf"}]}}],
        "securityContext": {"fsGroup": 2000, "supplementalGroups": [3000],
                            "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}]},
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}},
            "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                   "labelSelector": {"matchLabels": {"app": "x"}}}}]}},
    }}


def _with_unknown_fields(pod: dict) -> dict:
    pod = copy.deepcopy(pod)
    spec = pod["spec"]
    spec["volumes"][0]["emptyDir"]["bogus"] = 1
    spec["containers"][0]["livenessProbe"]["httpGet"]["bogus"] = 1
    spec["containers"][0]["securityContext"]["bogus"] = 1
    spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"][0]["bogus"] = 1
    return pod


def test_a_pods_known_fields_round_trip(chain):
    """What a pod's volume, probes, hooks, security contexts, env sources and affinity hold is stored
    and read back."""
    code, created = call(chain, "POST", ns_path(chain, "pods"), _pod("kept"))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "pods", "kept"))[1]
    for spec in (created["spec"], stored["spec"]):
        sent = _pod("kept")["spec"]
        for key in ("volumes", "securityContext", "affinity"):
            assert spec[key] == sent[key]
        for key in ("livenessProbe", "readinessProbe", "lifecycle", "securityContext", "env", "envFrom"):
            assert spec["containers"][0][key] == sent["containers"][0][key], key


def test_unknown_fields_inside_a_pods_parts_are_dropped(chain):
    """1.24 decodes into the Go structs: a field they lack is not stored, at any depth."""
    code, created = call(chain, "POST", ns_path(chain, "pods"), _with_unknown_fields(_pod("dropped")))
    assert code == 201, created
    stored = call(chain, "GET", ns_path(chain, "pods", "dropped"))[1]
    assert "bogus" not in json.dumps(created) and "bogus" not in json.dumps(stored)


def test_strict_field_validation_refuses_unknown_fields_inside_a_pods_parts(chain):
    code, status = call(chain, "POST", ns_path(chain, "pods"), _with_unknown_fields(_pod("strict")),
                        query={"fieldValidation": "Strict"})
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == (  # in the order the decoder meets them
        'strict decoding error: unknown field "spec.containers[0].livenessProbe.httpGet.bogus", '
        'unknown field "spec.containers[0].securityContext.bogus", unknown field "spec.volumes[0].emptyDir.bogus", '
        'unknown field "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution'
        '.nodeSelectorTerms[0].bogus"')


# Server-side apply markers as the real 1.24 `/openapi/v2` carries them: (definition, property or
# "" for the definition itself, the markers).
ATOMIC = {"x-kubernetes-list-type": "atomic"}
SSA_MARKERS = [
    ("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.core.v1.LocalObjectReference", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.rbac.v1.RoleRef", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.rbac.v1.Subject", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.core.v1.EndpointAddress", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.core.v1.EndpointPort", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.core.v1.ScopeSelector", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.autoscaling.v1.CrossVersionObjectReference", "", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.autoscaling.v2.CrossVersionObjectReference", "", {}),
    ("io.k8s.api.apps.v1.DeploymentSpec", "strategy", {"x-kubernetes-patch-strategy": "retainKeys"}),
    ("io.k8s.api.policy.v1.PodDisruptionBudgetSpec", "selector", {"x-kubernetes-patch-strategy": "replace"}),
    ("io.k8s.api.storage.v1beta1.CSIStorageCapacityList", "items",
     {"x-kubernetes-list-map-keys": ["name"], "x-kubernetes-list-type": "map"}),
    ("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement", "key",
     {"x-kubernetes-patch-merge-key": "key", "x-kubernetes-patch-strategy": "merge"}),
    ("io.k8s.api.core.v1.ReplicationControllerSpec", "selector", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.core.v1.ServiceSpec", "selector", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.core.v1.ServiceSpec", "clusterIPs", ATOMIC),
    ("io.k8s.api.core.v1.ServiceSpec", "ipFamilies", ATOMIC),
    ("io.k8s.api.networking.v1.IngressSpec", "rules", ATOMIC),
    ("io.k8s.api.networking.v1.IngressSpec", "tls", ATOMIC),
    ("io.k8s.api.networking.v1.HTTPIngressRuleValue", "paths", ATOMIC),
    ("io.k8s.api.networking.v1.IngressTLS", "hosts", ATOMIC),
    ("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "groups", ATOMIC),
    ("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "request", ATOMIC),
    ("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "usages", ATOMIC),
    ("io.k8s.api.certificates.v1.CertificateSigningRequestStatus", "certificate", ATOMIC),
    ("io.k8s.api.node.v1.Scheduling", "nodeSelector", {"x-kubernetes-map-type": "atomic"}),
    ("io.k8s.api.node.v1.Scheduling", "tolerations", ATOMIC),
    ("io.k8s.api.batch.v1.JobStatus", "conditions", {**ATOMIC, "x-kubernetes-patch-merge-key": "type",
                                                      "x-kubernetes-patch-strategy": "merge"}),
    ("io.k8s.api.batch.v1.UncountedTerminatedPods", "failed", {"x-kubernetes-list-type": "set"}),
    ("io.k8s.api.batch.v1.UncountedTerminatedPods", "succeeded", {"x-kubernetes-list-type": "set"}),
    *((definition, "conditions", {"x-kubernetes-list-map-keys": ["type"], "x-kubernetes-list-type": "map",
                                  "x-kubernetes-patch-merge-key": "type", "x-kubernetes-patch-strategy": "merge"})
      for definition in ("io.k8s.api.core.v1.ServiceStatus", "io.k8s.api.policy.v1.PodDisruptionBudgetStatus")),
    ("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus", "conditions",
     {"x-kubernetes-list-map-keys": ["type"], "x-kubernetes-list-type": "map"}),
]


@pytest.mark.parametrize("name,prop,markers", SSA_MARKERS,
                         ids=[f"{n.rsplit('.', 1)[1]}.{p}" for n, p, _ in SSA_MARKERS])
def test_a_definition_carries_the_real_server_side_apply_markers(name, prop, markers):
    """The list-type, list-map-keys, map-type and patch markers that decide how server-side apply
    owns and merges a field are upstream's (`+listType`, `+mapType`, `+structType`)."""
    schema = openapi.definitions()[name]
    schema = schema["properties"][prop] if prop else schema
    assert {key: value for key, value in schema.items() if key.startswith("x-kubernetes-")
            and key != "x-kubernetes-group-version-kind"} == markers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_cluster_name_is_a_known_field_never_saved(chain, method):
    """ObjectMeta still declares clusterName in 1.24: strict field validation accepts it, and
    BeforeCreate and BeforeUpdate clear it, so a create, an update or a patch never stores it."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "cn"}})
    body = {"metadata": {"name": "cn", "clusterName": "elsewhere"}, "data": {"a": "1"}}
    path, content_type = (ns_path(chain, "configmaps"), "application/json") if method == "POST" else \
        (ns_path(chain, "configmaps", "cn"), "application/merge-patch+json" if method == "PATCH" else
         "application/json")
    if method == "POST":
        body["metadata"]["name"] = "cn2"
    code, answer = call(chain, method, path, body, content_type=content_type, query={"fieldValidation": "Strict"})
    assert code in (200, 201), answer
    stored = call(chain, "GET", ns_path(chain, "configmaps", answer["metadata"]["name"]))[1]
    assert "clusterName" not in answer["metadata"] and "clusterName" not in stored["metadata"]


def test_a_cron_jobs_time_zone_is_an_unknown_field(chain):
    """The 1.24 tree the real server is built from has no CronJobSpec.timeZone: it is dropped like
    any unknown field, and strict field validation refuses it."""
    cron_job = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tz"},
                "spec": {"schedule": "@hourly", "timeZone": "Europe/Paris", "jobTemplate": {"spec": {"template": {
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}}
    code, created = call(chain, "POST", ns_path(chain, "cronjobs", group="batch/v1"), cron_job)
    assert code == 201 and "timeZone" not in created["spec"], created
    code, status = call(chain, "POST", ns_path(chain, "cronjobs", group="batch/v1"),
                        {**cron_job, "metadata": {"name": "tz2"}}, query={"fieldValidation": "Strict"})
    assert (code, status["message"]) == (400, 'strict decoding error: unknown field "spec.timeZone"'), status
