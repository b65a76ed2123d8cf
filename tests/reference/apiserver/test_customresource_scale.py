"""The scale subresource of custom resources (subresources.scale of a CRD version): the CRD's scale
paths validated, an autoscaling/v1 Scale read from and written into them, the strategy's checks of
their values, and `kubectl scale` against a whole reference apiserver. One rule per test, named in
its docstring; every text was compared with the real kube-apiserver 1.24."""
from __future__ import annotations

import json

import pytest

import cluster
from cluster import Cluster
from reference_impl.apiserver.adapter.server import HandlerChain
from tests.reference.apiserver import test_handlers
from tests.reference.apiserver.test_handlers import NOW, call

# The fixtures of other modules this one uses (bound here so that pytest finds them).
reference_control_plane, registry, etcd = cluster.reference_control_plane, test_handlers.registry, test_handlers.etcd

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
OPEN = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
SCALE = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
         "labelSelectorPath": ".status.selector"}


def crd(scale: dict, plural: str = "gizmos", kind: str = "Gizmo") -> dict:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": plural, "singular": plural[:-1], "kind": kind},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object",
                                                                  "properties": {"spec": OPEN, "status": OPEN}}},
                                   "subresources": {"status": {}, "scale": scale}}]}}


@pytest.fixture
def chain(registry):
    chain = HandlerChain(registry, now=lambda: NOW + 90)
    code, body = call(chain, "POST", CRDS, crd(SCALE))
    assert code == 201, body
    yield chain
    call(chain, "DELETE", f"{CRDS}/gizmos.example.com")


def gizmos(name: str = "") -> str:
    return "/apis/example.com/v1/namespaces/default/gizmos" + (f"/{name}" if name else "")


def create(chain, name: str, spec: object, status: dict | None = None) -> tuple[int, dict]:
    code, created = call(chain, "POST", gizmos(), {"apiVersion": "example.com/v1", "kind": "Gizmo",
                                                   "metadata": {"name": name}, "spec": spec})
    if code == 201 and status is not None:
        code, created = call(chain, "PUT", gizmos(name) + "/status", {**created, "status": status})
    return code, created


def scale(name: str, replicas: int, **meta) -> dict:
    return {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": name, **meta},
            "spec": {"replicas": replicas}}


@pytest.mark.parametrize("paths,message", [
    ({"specReplicasPath": "spec.replicas", "statusReplicasPath": ".spec.x", "labelSelectorPath": "status"},
     '[spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path '
     'starting with ., spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.x": should be a json '
     'path under .status, spec.subresources.scale.labelSelectorPath: Invalid value: "status": must be a simple '
     'json path starting with .]'),
    ({"specReplicasPath": ".spec", "statusReplicasPath": "", "labelSelectorPath": ".metadata.x"},
     '[spec.subresources.scale.specReplicasPath: Invalid value: ".spec": should be a json path under .spec, '
     'spec.subresources.scale.statusReplicasPath: Required value, spec.subresources.scale.labelSelectorPath: '
     'Invalid value: ".metadata.x": should be a json path under either .spec or .status]'),
    ({}, "[spec.subresources.scale.specReplicasPath: Required value, "
         "spec.subresources.scale.statusReplicasPath: Required value]"),
])
def test_the_scale_paths_are_json_paths_under_spec_and_status(chain, paths, message):
    """ValidateCustomResourceDefinitionSubresources: the spec replicas under .spec, the status
    replicas under .status, a selector under either; subresources every version shares are
    reported at spec.subresources."""
    code, status = call(chain, "POST", CRDS, crd(paths, "bads", "Bad"))
    assert (code, status["message"]) == (422, f'CustomResourceDefinition.apiextensions.k8s.io "bads.example.com" '
                                              f"is invalid: {message}")


def test_discovery_lists_the_scale_subresource_after_status(chain):
    """The discovery controller lists a CRD's resource, its status, then its scale as an
    autoscaling/v1 Scale."""
    code, listed = call(chain, "GET", "/apis/example.com/v1")
    assert code == 200
    assert [(r["name"], r["kind"], r.get("group"), r.get("version")) for r in listed["resources"]] == [
        ("gizmos", "Gizmo", None, None), ("gizmos/status", "Gizmo", None, None),
        ("gizmos/scale", "Scale", "autoscaling", "v1")]


def test_the_scale_reads_the_paths(chain):
    """scaleFromCustomResource: spec and status replicas and the selector from their paths, the
    object's name, namespace, uid and resourceVersion."""
    code, created = create(chain, "g1", {"replicas": 2}, {"replicas": 1, "selector": "app=g"})
    assert code == 200, created
    code, read = call(chain, "GET", gizmos("g1") + "/scale")
    assert code == 200, read
    assert read["spec"] == {"replicas": 2} and read["status"] == {"replicas": 1, "selector": "app=g"}
    assert {k: read["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion")} == {
        k: created["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion")}


def test_no_selector_path_value_leaves_the_scales_selector_out(chain):
    """Scale's status.selector is omitempty: an object with no selector at the path has none."""
    create(chain, "g1", {"replicas": 2})
    assert call(chain, "GET", gizmos("g1") + "/scale")[1]["status"] == {"replicas": 0}


def test_a_scale_update_writes_the_spec_replicas(chain):
    """The Scale's replicas go to specReplicasPath; the object's generation counts the change."""
    create(chain, "g1", {"replicas": 2})
    code, updated = call(chain, "PUT", gizmos("g1") + "/scale", scale("g1", 5))
    assert (code, updated["kind"], updated["spec"]) == (200, "Scale", {"replicas": 5})
    stored = call(chain, "GET", gizmos("g1"))[1]
    assert (stored["spec"], stored["metadata"]["generation"]) == ({"replicas": 5}, 2)


def test_a_scales_resource_version_is_a_precondition(chain):
    """A Scale's resourceVersion is set on the object: a stale one is the object's Conflict."""
    create(chain, "g1", {"replicas": 2})
    code, status = call(chain, "PUT", gizmos("g1") + "/scale", scale("g1", 5, resourceVersion="1"))
    assert (code, status["message"]) == (409, 'Operation cannot be fulfilled on gizmos.example.com "g1": the object '
                                              "has been modified; please apply your changes to the latest version "
                                              "and try again")


def test_negative_replicas_are_the_custom_objects_invalid_value(chain):
    """No ValidateScale: the replicas are written and the custom resource's strategy refuses them."""
    create(chain, "g1", {"replicas": 2})
    code, status = call(chain, "PUT", gizmos("g1") + "/scale", scale("g1", -1))
    assert (code, status["message"]) == (422, 'Gizmo.example.com "g1" is invalid: .spec.replicas: Invalid value: -1: '
                                              "should be a non-negative integer")


def test_a_patch_sets_replicas_an_object_had_none_of(chain):
    """A merge patch of the Scale of an object without spec replicas sets them."""
    create(chain, "g1", {})
    code, patched = call(chain, "PATCH", gizmos("g1") + "/scale", {"spec": {"replicas": 3}},
                         content_type="application/merge-patch+json")
    assert (code, patched["spec"]) == (200, {"replicas": 3})
    assert call(chain, "GET", gizmos("g1"))[1]["spec"] == {"replicas": 3}


def test_without_spec_replicas_there_is_no_scale(chain):
    """Get is an InternalError and a patch that sets no replicas a BadRequest, both naming the path."""
    create(chain, "g1", {})
    code, status = call(chain, "GET", gizmos("g1") + "/scale")
    assert (code, status["reason"], status["message"]) == (
        500, "InternalError", 'Internal error occurred: the spec replicas field ".spec.replicas" does not exist')
    code, status = call(chain, "PATCH", gizmos("g1") + "/scale", {"metadata": {"labels": {"a": "b"}}},
                        content_type="application/merge-patch+json")
    assert (code, status["message"]) == (400, 'the spec replicas field ".spec.replicas" cannot be empty')


@pytest.mark.parametrize("method,body,content_type", [
    ("PATCH", {"spec": None}, "application/merge-patch+json"),
    ("PATCH", {"spec": {"replicas": None}}, "application/merge-patch+json"),
    ("PUT", {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "g1"}}, "application/json")])
def test_a_scale_without_replicas_writes_zero(chain, method, body, content_type):
    """The Scale decodes into autoscaling/v1's struct, where a spec or replicas left out or null is
    0: that is what the custom object gets (real 1.24 answered 200 with `spec: {}` and bumped the
    generation), where this was a 500 KeyError."""
    create(chain, "g1", {"replicas": 4})
    code, scaled = call(chain, method, gizmos("g1") + "/scale", body, content_type=content_type)
    assert (code, scaled["spec"]) == (200, {"replicas": 0})
    stored = call(chain, "GET", gizmos("g1"))[1]
    assert (stored["spec"], stored["metadata"]["generation"]) == ({"replicas": 0}, 2)


def test_a_status_patch_removing_the_status_leaves_none(chain):
    """A custom object is a map: a status update whose object has no status (a merge patch of
    `status: null`) leaves it without one, where a built-in kind's struct keeps `status: {}`
    (statusStrategy.PrepareForUpdate deletes the key; seen against the real 1.24 server)."""
    create(chain, "g1", {"replicas": 1}, status={"replicas": 1})
    code, patched = call(chain, "PATCH", gizmos("g1") + "/status", {"status": None},
                         content_type="application/merge-patch+json")
    assert code == 200 and "status" not in patched
    assert "status" not in call(chain, "GET", gizmos("g1"))[1]


@pytest.mark.parametrize("spec,message", [
    ({"replicas": "three"}, ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: three is of the type "
                            "string, expected int64"),
    ({"replicas": 1.5}, ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: 1.5 is of the type "
                        "float64, expected int64"),
    ({"replicas": -2}, ".spec.replicas: Invalid value: -2: should be a non-negative integer"),
    ({"replicas": 3000000000}, ".spec.replicas: Invalid value: 3000000000: should be less than or equal to "
                               "2147483647"),
    (5, '[spec: Invalid value: "integer": spec in body must be of type object: "integer", .spec.replicas: Invalid '
        "value: 0: .spec.replicas accessor error: 5 is of the type int64, expected map[string]interface{}]"),
])
def test_the_strategy_checks_the_values_at_the_scale_paths(chain, spec, message):
    """ValidateScaleSpec: the spec replicas an int64 (unstructured's accessor error otherwise),
    not negative, within int32; after the schema's own errors."""
    code, status = create(chain, "g1", spec)
    assert (code, status["message"]) == (422, f'Gizmo.example.com "g1" is invalid: {message}')


def test_a_status_update_checks_the_status_paths(chain):
    """ValidateScaleStatus on /status: the status replicas as the spec's, the selector a string."""
    _, created = create(chain, "g1", {"replicas": 1})
    code, status = call(chain, "PUT", gizmos("g1") + "/status", {**created, "status": {"replicas": -1,
                                                                                      "selector": ["x"]}})
    assert (code, status["message"]) == (
        422, 'Gizmo.example.com "g1" is invalid: [.status.replicas: Invalid value: -1: should be a non-negative '
             'integer, .status.selector: Invalid value: "": .status.selector accessor error: [x] is of the type '
             "[]interface {}, expected string]")


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_other_verbs_on_the_scale_are_refused_naming_the_resource(chain, method):
    """The CRD handler's serveScale: NewMethodNotSupported for the resource."""
    create(chain, "g1", {"replicas": 1})
    code, status = call(chain, method, gizmos("g1") + "/scale", {} if method == "POST" else None)
    verb = "delete" if method == "DELETE" else "create"
    assert (code, status["message"]) == (405, f'{verb} is not supported on resources of kind "gizmos.example.com"')


# --- kubectl --------------------------------------------------------------------------------------

def test_kubectl_scale_writes_a_custom_objects_replicas(reference_control_plane: Cluster):  # noqa: F811
    """`kubectl scale gizmo/NAME --replicas=N` finds the scale subresource through discovery and
    writes the replicas at specReplicasPath."""
    kube = reference_control_plane
    result = kube.kubectl("apply", "-f", "-", input=json.dumps(crd(SCALE)))
    assert result.returncode == 0, result.stderr
    gizmo = {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g1", "namespace": "default"},
             "spec": {"replicas": 1}}
    result = kube.kubectl("apply", "-f", "-", input=json.dumps(gizmo))
    assert result.returncode == 0, result.stderr
    result = kube.kubectl("scale", "gizmo/g1", "--replicas=4")
    assert (result.returncode, result.stdout.strip()) == (0, "gizmo.example.com/g1 scaled"), result.stderr
    result = kube.kubectl("get", "gizmo/g1", "-o", "jsonpath={.spec.replicas}")
    assert result.stdout == "4"
    result = kube.kubectl("scale", "gizmo/g1", "--replicas=2", "--current-replicas=3")
    assert result.returncode != 0
    assert "Expected replicas to be 3, was 4" in result.stderr
    kube.kubectl("delete", "crd", "gizmos.example.com")



# --- managed fields ---------------------------------------------------------------------------------

def managers(chain, name: str) -> list[tuple]:
    entries = call(chain, "GET", gizmos(name))[1]["metadata"].get("managedFields") or []
    return [(e["manager"], e.get("subresource"), json.dumps(e["fieldsV1"], sort_keys=True)) for e in entries]


def test_a_scale_update_leaves_no_owner_of_the_replicas(chain):
    """1.24's scale field manager of a custom resource cannot convert a Scale: its entries are
    dropped, so the parent's owner of the replicas loses them and the scaler is not recorded."""
    call(chain, "POST", gizmos(), {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g1"},
                                   "spec": {"replicas": 2, "other": "x"}}, query={"fieldManager": "creator"})
    code, _ = call(chain, "PUT", gizmos("g1") + "/scale", scale("g1", 5), query={"fieldManager": "scaler"})
    assert code == 200
    assert managers(chain, "g1") == [("creator", None, '{"f:spec": {".": {}, "f:other": {}}}')]


def test_applying_a_scale_fails_as_1_24_does(chain):
    """Server-side apply of a custom resource's Scale is a plain error: converting the empty Scale
    for the first-apply manager when nobody owns the replicas, typing the patch otherwise."""
    applied = json.dumps({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "g1"},
                          "spec": {"replicas": 6}}).encode()
    for name, spec in (("g1", {"other": "x"}), ("g2", {"replicas": 2})):
        call(chain, "POST", gizmos(), {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": name},
                                       "spec": spec}, query={"fieldManager": "creator"})
    code, status = call(chain, "PATCH", gizmos("g1") + "/scale", applied, content_type="application/apply-patch+yaml",
                        query={"fieldManager": "applier", "force": "true"})
    assert (code, status["message"]) == (500, "failed to create manager for existing fields: failed to convert live "
                                               "object (/; autoscaling/v1, Kind=Scale) to proper version: request to "
                                               "convert CR to an invalid group/version: autoscaling/v1")
    code, status = call(chain, "PATCH", gizmos("g2") + "/scale", applied.replace(b"g1", b"g2"),
                        content_type="application/apply-patch+yaml", query={"fieldManager": "applier", "force": "true"})
    assert (code, status["message"]) == (500, "failed to create typed patch object (/g2; autoscaling/v1, Kind=Scale): "
                                              "no corresponding type for autoscaling/v1, Kind=Scale")
    malformed = json.dumps({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": "x"}).encode()
    code, status = call(chain, "PATCH", gizmos("g2") + "/scale", malformed,
                        content_type="application/apply-patch+yaml", query={"fieldManager": "applier", "force": "true"})
    assert (code, status["message"]) == (500, "failed to create typed patch object (/; autoscaling/v1, Kind=Scale): "
                                              "no corresponding type for autoscaling/v1, Kind=Scale")


@pytest.mark.parametrize("applied, message", [
    ({"apiVersion": "autoscaling/v2", "kind": "Scale", "metadata": {"name": "g2"}},
     "Incorrect version specified in apply patch. Specified patch version: autoscaling/v2, expected: autoscaling/v1"),
    ({"apiVersion": "fz.example.com/v1", "kind": "Gizmo", "metadata": {"name": "g2"}},
     "Incorrect version specified in apply patch. Specified patch version: fz.example.com/v1, expected: "
     "autoscaling/v1"),
    ({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "g2", "managedFields": []}},
     "metadata.managedFields must be nil"),
])
def test_applying_a_scale_checks_version_and_managed_fields_before_it_fails(chain, applied, message):
    """structuredMergeManager.Apply refuses another group/version and sent managedFields (400s, as
    the real 1.24 server answers) before it types the patch, where a custom resource's Scale fails."""
    call(chain, "POST", gizmos(), {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g2"},
                                   "spec": {"replicas": 2}}, query={"fieldManager": "creator"})
    code, status = call(chain, "PATCH", gizmos("g2") + "/scale", json.dumps(applied).encode(),
                        content_type="application/apply-patch+yaml", query={"fieldManager": "applier"})
    assert (code, status["message"]) == (400, message)


@pytest.mark.parametrize("content_type", ["application/strategic-merge-patch+json", "application/json", "text/plain"])
def test_a_scale_patch_takes_the_custom_resource_patch_types_only(chain, content_type):
    """The CRD handler serves the scale too: a strategic merge patch is no type it takes, and any
    other is its own 415 listing the three it does, not go-restful's (as the real 1.24 server says)."""
    create(chain, "g1", {"replicas": 1})
    code, status = call(chain, "PATCH", gizmos("g1") + "/scale", b"{}", content_type=content_type)
    assert (code, status["message"]) == (415, "the body of the request was in an unknown format - accepted media "
                                              "types include: application/json-patch+json, "
                                              "application/merge-patch+json, application/apply-patch+yaml")


def test_a_scale_asked_for_as_a_list_names_autoscalings_own_type(chain):
    """The CRD handler's scale is autoscaling/v1's external Scale, which asPartialObjectMetadataList
    names in its 406 (as the real 1.24 server does), not an unstructured object."""
    create(chain, "g1", {"replicas": 1})
    code, status = call(chain, "GET", gizmos("g1") + "/scale",
                        accept="application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
    assert (code, status["message"]) == (406, "you requested PartialObjectMetadataList, but the requested object is "
                                              "not a list (*v1.Scale)")


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"apiVersion":"example.com/v1","kind":"Gizmo","metadata":{"name":"g1"}}',
                                  b'{"apiVersion":"autoscaling/v1","kind":"Scale","spec":{"replicas":"x"}}'])
def test_a_scale_put_that_does_not_decode_names_the_scale_scheme_lookup(chain, body):
    """transformDecodeError asks the CRD handler's scale scheme for the Scale's kind, which it does
    not know: that error is what the real 1.24 server answers for every body that fails to decode."""
    create(chain, "g1", {"replicas": 1})
    code, status = call(chain, "PUT", gizmos("g1") + "/scale", body)
    assert (code, status["message"]) == (400, 'no kind is registered for the type v1.Scale in scheme '
                                              '"k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go:713"')
