"""A key written twice in a JSON body: what encoding/json makes of its values depends on the Go
type they decode into, and the kind's schema decides it here. Each expectation is what the real
1.24 kube-apiserver (built at e5f3f020, on Debian's etcd 3.4) answered and returned for the same
body sent with dryRun=All. The chain is called sans-IO over a real registry (the fixtures of
test_handlers)."""
from __future__ import annotations

import json
import time

import pytest

from reference_impl.apiserver.core import decoding, fieldvalidation
from reference_impl.apiserver.core.handlers import DELETE_OPTIONS_SCHEMA
from tests.reference.apiserver import test_handlers
from tests.reference.apiserver.test_handlers import call, ns_path

chain, etcd, registry = test_handlers.chain, test_handlers.etcd, test_handlers.registry  # fixtures, used by name

POD = '"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}'
CONTAINER = '{"name":"c","image":"i"}'
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def lookup(obj: dict, path: str) -> object:
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj.get(part)
    return obj


def created(chain, plural: str, body: str, group: str = "") -> dict:
    code, obj = call(chain, "POST", ns_path(chain, plural, group=group), body.encode(), query={"dryRun": "All"})
    assert code == 201, obj
    return obj


@pytest.mark.parametrize("body,path,expected", [
    ('{"metadata":{"name":"m","labels":{"a":"1"}},"metadata":{"labels":{"b":"2"}}}', "metadata",
     {"name": "m", "labels": {"a": "1", "b": "2"}}),
    ('{"metadata":{"name":"m","labels":{"a":"1","a":"2"}}}', "metadata.labels", {"a": "2"}),
    ('{"metadata":{"name":"m"},"data":{"x":"1"},"data":{"y":"2","x":"3"}}', "data", {"x": "3", "y": "2"}),
], ids=["struct", "map-entry", "map"])
def test_a_struct_or_map_written_twice_keeps_what_is_not_written_again(chain, body, path, expected):
    """A later object decodes into the struct or map already there: its fields and entries stay
    unless written again."""
    obj = created(chain, "configmaps", body)
    assert {key: value for key, value in lookup(obj, path).items() if key in expected} == expected


@pytest.mark.parametrize("containers,expected", [
    ('"containers":[{"name":"a","image":"x"}],"containers":[{"name":"b"}]', [("b", "x")]),
    ('"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}],"containers":[{"name":"c"}],'
     '"containers":[{"name":"d"},{"name":"e"}]', [("d", "x"), ("e", "y")]),
], ids=["element", "past-the-length"])
def test_an_array_written_twice_decodes_into_the_earlier_elements(chain, containers, expected):
    """A later array decodes each element into the element at its index, one past the slice's
    length too while the backing array holds it (golang/go#21092): a container written again
    without an image keeps the image it had."""
    obj = created(chain, "pods", '{' + POD + ',"spec":{' + containers + '}}')
    assert [(c["name"], c.get("image")) for c in obj["spec"]["containers"]] == expected


def test_an_empty_array_written_in_between_starts_a_new_slice(chain):
    """`[]` makes a new, empty slice: what a later array writes decodes into nothing (422, no image)."""
    body = '{' + POD + ',"spec":{"containers":[{"name":"a","image":"x"}],"containers":[],"containers":[{"name":"b"}]}}'
    code, status = call(chain, "POST", ns_path(chain, "pods"), body.encode(), query={"dryRun": "All"})
    assert (code, status["message"]) == (422, 'Pod "p" is invalid: spec.containers[0].image: Required value')


def test_a_list_of_structs_written_twice_merges_its_elements_fields(chain):
    """A service port written again keeps its port and targetPort and takes the later name."""
    body = ('{"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":8080}],'
            '"ports":[{"name":"x","targetPort":"http"}]}}')
    port = created(chain, "services", body)["spec"]["ports"][0]
    assert (port["name"], port["port"], port["targetPort"]) == ("x", 80, "http")


def test_quantities_in_a_resource_list_written_twice(chain):
    """ResourceRequirements is a struct, its limits and requests maps of Quantities: a map written
    again keeps its entries, a Quantity written again is the later one (the memory request is
    defaulting's, from the limit)."""
    body = ('{' + POD + ',"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}},'
            '"resources":{"limits":{"memory":"1Gi"},"requests":{"cpu":"100m","cpu":"200m"}}}]}}')
    resources = created(chain, "pods", body)["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "200m", "memory": "1Gi"}}


def test_a_value_of_any_content_written_twice_is_the_later_one(chain):
    """A ControllerRevision's data is a RawExtension, which unmarshals itself: the later value
    replaces the earlier one whole."""
    body = '{"metadata":{"name":"r"},"revision":1,"data":{"a":{"x":1}},"data":{"a":{"y":2}}}'
    assert created(chain, "controllerrevisions", body, group="apps/v1")["data"] == {"a": {"y": 2}}


def crd(plural: str, properties: str) -> bytes:
    kind = plural.rstrip("s").capitalize()
    text = json.dumps({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.k27.example.com"},
        "spec": {"group": "k27.example.com", "scope": "Namespaced",
                 "names": {"plural": plural, "singular": plural.rstrip("s"), "kind": kind},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": "PROPERTIES"}}}]}})
    return text.replace('"PROPERTIES"', properties).encode()


def test_a_crd_schemas_properties_written_twice_replace_each_property_whole(chain):
    """JSONSchemaProps.Properties is a map of schemas: the later `spec` schema replaces the earlier
    one, so it has no type (the real server's 422)."""
    body = crd("gadgets", '{"spec":{"type":"object","properties":{"a":{"type":"string"}}}},'
                          '"properties":{"spec":{"properties":{"b":{"type":"string"}}}}')
    code, status = call(chain, "POST", CRDS, body, query={"dryRun": "All"})
    assert (code, status["message"]) == (422, 'CustomResourceDefinition.apiextensions.k8s.io "gadgets.k27.example.com" '
                                              'is invalid: spec.validation.openAPIV3Schema.properties[spec].type: '
                                              'Required value: must not be empty for specified object fields')


def test_a_crd_default_written_twice_is_the_later_json(chain):
    """A schema's default is an apiextensions JSON, which unmarshals itself: the later replaces."""
    body = crd("things", '{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,'
                         '"default":{"a":1},"default":{"b":2}}}')
    code, obj = call(chain, "POST", CRDS, body, query={"dryRun": "All"})
    assert code == 201, obj
    assert obj["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["default"] == {"b": 2}


@pytest.mark.parametrize("plural,group,body,path,expected", [
    ("configmaps", "", '{"metadata":{"name":"m","generateName":"g"},"metadata":{"generateName":null}}',
     "metadata.generateName", "g"),
    ("pods", "", '{' + POD + ',"spec":{"containers":[' + CONTAINER + '],"hostname":"h","hostname":null}}',
     "spec.hostname", "h"),
    ("pods", "", '{' + POD + ',"spec":{"containers":[' + CONTAINER + '],"securityContext":{"runAsUser":1},'
     '"securityContext":null}}', "spec.securityContext", {}),
    ("deployments", "apps/v1", '{"metadata":{"name":"d"},"spec":{"replicas":3,"replicas":null,"selector":{"matchLabels":'
     '{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[' + CONTAINER + ']}}}}',
     "spec.replicas", 1),
    ("pods", "", '{' + POD + ',"spec":{"containers":[' + CONTAINER + '],"nodeSelector":{"a":"1"},"nodeSelector":null}}',
     "spec.nodeSelector", None),
    ("horizontalpodautoscalers", "autoscaling/v2", '{"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":'
     '"Deployment","name":"d","apiVersion":"apps/v1"},"maxReplicas":3,"metrics":[{"type":"Resource","resource":'
     '{"name":"cpu","target":{"type":"Utilization","type":null,"averageUtilization":50}}}]}}',
     "spec.metrics.0.resource.target.type", "Utilization"),
], ids=["string", "pod-string", "pointer-struct", "pointer-int", "map", "string-in-autoscaling-v2"])
def test_a_null_written_after_a_value_leaves_a_field_that_is_no_pointer_as_it_was(
        chain, plural, group, body, path, expected):
    """encoding/json ignores a null for a string or struct field and sets a pointer or map to nil
    (which defaulting may fill again: an empty securityContext, one replica)."""
    assert lookup(created(chain, plural, body, group=group), path) == expected


@pytest.mark.parametrize("written,rewritten,path,expected", [
    ('"scope": "Namespaced"', '"scope": "Namespaced", "scope": null', "spec.scope", "Namespaced"),
    ('"kind": "Thing"', '"kind": "Thing", "kind": null', "spec.names.kind", "Thing"),
    ('"served": true', '"served": true, "served": null', "spec.versions.0.served", True),
    ('"openAPIV3Schema": {"type": "object"', '"openAPIV3Schema": {"type": "object", "type": null',
     "spec.versions.0.schema.openAPIV3Schema.type", "object"),
    ('"properties": {}', '"properties": {"a": {"type": "string", "pattern": "^a", "pattern": null, "maxLength": 3, '
     '"maxLength": null, "nullable": true, "nullable": null}}',
     "spec.versions.0.schema.openAPIV3Schema.properties.a", {"type": "string", "pattern": "^a", "nullable": True}),
    ('"storage": true,', '"storage": true, "additionalPrinterColumns": [{"name": "c", "type": "integer", '
     '"jsonPath": ".x", "priority": 1, "priority": null}],', "spec.versions.0.additionalPrinterColumns.0.priority", 1),
], ids=["scope", "names-kind", "version-served", "schema-type", "schema-pattern-and-pointer-maxLength",
        "column-priority"])
def test_a_null_written_after_a_value_leaves_a_crd_field_that_is_no_pointer_as_it_was(
        chain, written, rewritten, path, expected):
    """The apiextensions v1 structs decode as any other: a null leaves a string, bool, int32 or
    struct field (Scope, Names.Kind, Served, JSONSchemaProps.Type and Pattern, a column's Priority)
    as it was and clears a pointer (JSONSchemaProps.MaxLength is an *int64)."""
    body = crd("things", "{}").replace(written.encode(), rewritten.encode(), 1)
    assert rewritten.encode() in body
    code, obj = call(chain, "POST", CRDS, body, query={"dryRun": "All"})
    assert code == 201, obj
    assert lookup(obj, path) == expected


def test_a_null_written_after_a_crd_versions_schema_clears_the_pointer(chain):
    """CustomResourceDefinitionVersion.Schema is a pointer: a null after it leaves none, which v1
    requires."""
    body = crd("things", "{}").replace(b'{}}}}]', b'{}}}, "schema": null}]')
    assert b'"schema": null' in body
    code, status = call(chain, "POST", CRDS, body, query={"dryRun": "All"})
    assert (code, status["message"]) == (422, 'CustomResourceDefinition.apiextensions.k8s.io "things.k27.example.com" '
                                              'is invalid: spec.versions[0].schema.openAPIV3Schema: Required value: '
                                              'schemas are required')


def test_a_custom_resource_keeps_the_last_value_of_a_key_written_twice(chain):
    """A custom resource decodes into an unstructured map[string]interface{}: a key written twice
    holds its last value whole, metadata too (the earlier labels are gone)."""
    code, answer = call(chain, "POST", CRDS, crd("sprockets", '{"spec":{"type":"object",'
                                                               '"x-kubernetes-preserve-unknown-fields":true}}'))
    assert code == 201, answer
    try:
        body = (b'{"apiVersion":"k27.example.com/v1","kind":"Sprocket","metadata":{"name":"w","labels":{"a":"1"}},'
                b'"metadata":{"name":"w"},"spec":{"a":1},"spec":{"b":2}}')
        code, obj = call(chain, "POST", f"/apis/k27.example.com/v1/namespaces/{chain.namespace}/sprockets", body)
        assert code == 201, obj
        assert ("labels" in obj["metadata"], obj["spec"]) == (False, {"b": 2})
    finally:
        call(chain, "DELETE", f"{CRDS}/sprockets.k27.example.com")


def test_a_yaml_body_keeps_the_last_value_of_a_key_written_twice(chain):
    """sigs.k8s.io/yaml turns YAML into JSON through a map, so a key written twice in YAML reaches
    the struct once, with its last value (and `y`, YAML 1.1's true, becomes the key "true")."""
    body = b'metadata: {name: y1, labels: {a: "1"}}\nmetadata: {name: y1}\ndata: {x: "1"}\ndata: {y: "2"}\n'
    code, obj = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type="application/yaml",
                     query={"dryRun": "All"})
    assert code == 201, obj
    assert ("labels" in obj["metadata"], obj["data"]) == (False, {"true": "2"})


def test_delete_options_written_twice_decode_into_one_struct(chain):
    """A DeleteOptions body's preconditions written twice merge: the earlier uid stays beside the
    later resourceVersion and fails the delete (the real server's 409, the object kept)."""
    code, obj = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "del"}})
    assert code == 201, obj
    body = ('{"preconditions":{"uid":"bogus"},"preconditions":{"resourceVersion":"%s"}}'
            % obj["metadata"]["resourceVersion"]).encode()
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "del"), body)
    assert (code, status["message"]) == (409, 'Operation cannot be fulfilled on ConfigMap "del": the UID in the '
                                              'precondition (bogus) does not match the UID in record '
                                              f'({obj["metadata"]["uid"]}). The object might have been deleted '
                                              'and then recreated')
    assert call(chain, "GET", ns_path(chain, "configmaps", "del"))[0] == 200


@pytest.mark.parametrize("collection", [False, True], ids=["delete", "deletecollection"])
def test_a_null_delete_options_body_deletes_as_if_it_were_empty(chain, collection):
    """A body of `null` decodes into DeleteOptions as nothing, so the delete goes ahead (it was a
    500 TypeError when the per-value type check was handed the None)."""
    assert call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "gone"}})[0] == 201
    code, _ = call(chain, "DELETE", ns_path(chain, "configmaps", "" if collection else "gone"), b"null")
    assert code == 200
    assert call(chain, "GET", ns_path(chain, "configmaps", "gone"))[0] == 404


def test_a_delete_names_the_first_wrong_value_in_the_bodys_order(chain):
    """encoding/json keeps the first type error it meets: with a grace period written again as a
    string after a wrong orphanDependents, the real 1.24 server names orphanDependents."""
    body = b'{"gracePeriodSeconds":1,"orphanDependents":"x","gracePeriodSeconds":"y"}'
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "any"), body)
    assert (code, status["message"]) == (
        400, "json: cannot unmarshal string into Go struct field DeleteOptions.orphanDependents of type bool")


def test_an_object_written_many_times_is_copied_once(monkeypatch):
    """Merging a key's objects written n times copies the earlier object once and writes the rest
    into it: a copy per write (each holding what was shadowed so far) made the work quadratic."""
    body = '{' + ",".join(['"preconditions":{"uid":"a"}'] * 50) + ',"preconditions":{"resourceVersion":"1"}}'
    decoded = decoding.decode_json(body.encode(), into_struct=True)
    copies = []
    copy = decoding.repeated
    monkeypatch.setattr(decoding, "repeated", lambda obj: copies.append(obj) or copy(obj))
    merged = decoding.merged(decoded)
    assert merged == {"preconditions": {"uid": "a", "resourceVersion": "1"}}
    assert len(copies) == 1


class _PairsWritesCounted(decoding.RepeatedKeys):
    """A decoded object that counts how often its `pairs` list is written."""

    pairs_written = 0

    def __setattr__(self, name: str, value: object) -> None:
        if name == "pairs":
            self.pairs_written += 1
        super().__setattr__(name, value)


def test_dropping_the_unknown_keys_of_an_object_with_a_repeat_rewrites_its_pairs_once(monkeypatch):
    """Skipping the fields DeleteOptions does not have in a deep body with a key written twice
    rewrites the object's pairs once, not once per dropped key: per key it was quadratic (20,000
    unknown keys took 42 s)."""
    keys = ",".join(f'"k{index}":0' for index in range(500))
    body = '{' + keys + ',"k0":1,"dryRun":["All"],"x":' + '{"a":' * 300 + '1' + '}' * 300 + '}'
    monkeypatch.setattr(decoding, "RepeatedKeys", _PairsWritesCounted)
    decoded = decoding.decode_json(body.encode(), decoding.MAX_JSON_DEPTH, into_struct=True)
    decoded.pairs_written = 0
    fieldvalidation.within_processed_depth(decoded, DELETE_OPTIONS_SCHEMA)
    assert decoded.pairs == [("dryRun", ["All"])] and dict(decoded) == {"dryRun": ["All"]}
    assert decoded.pairs_written == 1


def test_a_wrong_type_written_before_the_last_value_refuses_the_delete(chain):
    """encoding/json type-checks every value it decodes into DeleteOptions, an earlier one of a key
    written twice too: the real server refuses the body (its 500, our 400, in the same words) and
    deletes nothing."""
    code, obj = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "kept"}})
    assert code == 201, obj
    body = b'{"gracePeriodSeconds":"x","gracePeriodSeconds":1}'
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "kept"), body)
    assert (code, status["message"]) == (400, 'json: cannot unmarshal string into Go struct field '
                                              'DeleteOptions.gracePeriodSeconds of type int64')
    assert call(chain, "GET", ns_path(chain, "configmaps", "kept"))[0] == 200


@pytest.mark.parametrize("options,problem", [
    ('"preconditions":{"uid":1},"preconditions":{"uid":"u"}',
     "Go struct field Preconditions.preconditions.uid of type types.UID"),
    ('"dryRun":[1],"dryRun":["All"]', "Go struct field DeleteOptions.dryRun of type string"),
], ids=["preconditions", "dry-run"])
def test_a_wrong_type_inside_an_earlier_object_or_array_refuses_the_delete(chain, options, problem):
    """An object or array written before the last one is decoded into the struct too, every value
    in it checked."""
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "any"), ('{' + options + '}').encode())
    assert (code, status["message"]) == (400, f"json: cannot unmarshal number into {problem}")


@pytest.mark.parametrize("delete_options", [
    b'"deleteOptions":{"gracePeriodSeconds":"1"},"deleteOptions":{"dryRun":["All"]}',
    b'"deleteOptions":{"gracePeriodSeconds":"1","gracePeriodSeconds":0}'], ids=["objects-twice", "key-twice"])
def test_a_wrong_type_written_before_the_last_value_refuses_the_eviction(chain, delete_options):
    """An Eviction is checked against no schema here, yet its deleteOptions are decoded as a
    DeleteOptions body is: written twice they decode into one v1.DeleteOptions, and a grace period
    of the wrong type written first is the decoder's 400, though the later value is right."""
    body = b'{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"},' + delete_options + b'}'
    code, status = call(chain, "POST", ns_path(chain, "pods", "p") + "/eviction", body)
    assert (code, status["message"]) == (400, 'Eviction in version "v1" cannot be handled as a Eviction: json: cannot '
                                              'unmarshal string into Go struct field DeleteOptions.deleteOptions.'
                                              'gracePeriodSeconds of type int64')


@pytest.mark.parametrize("plural,body,problem", [
    ("configmaps", '{"metadata":{"name":"m"},"data":"x","data":{"a":"b"}}',
     "string into Go struct field ConfigMap.data of type map[string]string"),
    ("configmaps", '{"metadata":{"name":1,"name":"m"}}',
     "number into Go struct field ObjectMeta.metadata.name of type string"),
    ("configmaps", '{"metadata":{"name":"m"},"immutable":"x","immutable":true}',
     "string into Go struct field ConfigMap.immutable of type bool"),
    ("pods", '{' + POD + ',"spec":{"containers":[' + CONTAINER + '],"activeDeadlineSeconds":"x",'
     '"activeDeadlineSeconds":5}}', "string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64"),
    ("pods", '{' + POD + ',"spec":{"containers":[{"name":"c","image":1,"image":"i"}]}}',
     "number into Go struct field Container.spec.containers.image of type string"),
], ids=["map", "meta-string", "bool", "int64", "container-string"])
def test_a_wrong_type_written_before_the_last_value_refuses_a_create(chain, plural, body, problem):
    """A typed object's earlier value of a key written twice is type-checked as the last one is."""
    kind = "ConfigMap" if plural == "configmaps" else "Pod"
    code, status = call(chain, "POST", ns_path(chain, plural), body.encode(), query={"dryRun": "All"})
    assert (code, status["message"]) == (400, f'{kind} in version "v1" cannot be handled as a {kind}: '
                                              f'json: cannot unmarshal {problem}')


def test_a_wrong_type_in_an_evictions_nested_object_written_twice_refuses_the_eviction(chain):
    """Merging the keys written twice leaves the body as decoded: the earlier uid of preconditions
    inside deleteOptions is still checked."""
    body = (b'{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"},'
            b'"deleteOptions":{"preconditions":{"uid":1,"uid":"u"}}}')
    code, status = call(chain, "POST", ns_path(chain, "pods", "p") + "/eviction", body)
    assert (code, status["message"]) == (400, 'Eviction in version "v1" cannot be handled as a Eviction: json: cannot '
                                              'unmarshal number into Go struct field Preconditions.deleteOptions.'
                                              'preconditions.uid of type types.UID')


@pytest.mark.parametrize("containers,expected", [
    ('"containers":[{"name":"a","image":"x"}],"containers":[null]', [("a", "x")]),
    ('"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}],"containers":[null,{"name":"c"}]',
     [("a", "x"), ("c", "y")]),
], ids=["one", "beside-another"])
def test_a_null_element_of_a_later_array_of_structs_keeps_the_earlier_element(chain, containers, expected):
    """A null decoded into a slice element that is a struct leaves it as it was (literalStore
    ignores a null for anything but a pointer, map, slice or interface)."""
    obj = created(chain, "pods", '{' + POD + ',"spec":{' + containers + '}}')
    assert [(c["name"], c.get("image")) for c in obj["spec"]["containers"]] == expected


@pytest.mark.parametrize("limits", ['{"cpu":"1","cpu":null}', '{"cpu":null}'], ids=["after-a-value", "alone"])
def test_a_null_written_after_a_quantity_is_the_zero_quantity(chain, limits):
    """Quantity unmarshals itself, and its UnmarshalJSON makes null the zero Quantity ("0"), which
    defaulting copies to the request."""
    body = '{' + POD + ',"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":' + limits + '}}]}}'
    assert created(chain, "pods", body)["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "0"},
                                                                                   "requests": {"cpu": "0"}}


@pytest.mark.parametrize("ports", [
    '"ports":[{"port":80,"targetPort":"http","targetPort":null}]',
    '"ports":[{"port":80,"targetPort":"http"}],"ports":[{"targetPort":null}]',
], ids=["key", "array"])
def test_a_null_written_after_an_int_or_string_string_is_the_int_zero(chain, ports):
    """IntOrString's UnmarshalJSON reads anything but a string as an int: null makes it an int and
    leaves its IntVal, 0 after a string (the real server's 422)."""
    body = '{"metadata":{"name":"s"},"spec":{' + ports + '}}'
    code, status = call(chain, "POST", ns_path(chain, "services"), body.encode(), query={"dryRun": "All"})
    assert (code, status["message"]) == (422, 'Service "s" is invalid: spec.ports[0].targetPort: Invalid value: 0: '
                                              'must be between 1 and 65535, inclusive')


def test_a_null_written_after_an_int_or_string_int_keeps_the_int(chain):
    """After an int, null leaves the IntOrString as it was."""
    body = '{"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":8080,"targetPort":null}]}}'
    assert created(chain, "services", body)["spec"]["ports"][0]["targetPort"] == 8080


@pytest.mark.parametrize("max_surge", ['"maxSurge":null', '"maxSurge":"50%","maxSurge":null'], ids=["alone", "after"])
def test_a_null_int_or_string_pointer_is_nil(chain, max_surge):
    """A null sets a *IntOrString to nil, alone or after a value: defaulting then fills maxSurge
    (it was a TypeError 500)."""
    body = ('{"metadata":{"name":"d"},"spec":{"strategy":{"rollingUpdate":{' + max_surge + '}},"selector":'
            '{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":['
            + CONTAINER + ']}}}}')
    assert created(chain, "deployments", body, group="apps/v1")["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "25%"


def test_a_null_written_after_a_raw_extension_leaves_it(chain):
    """RawExtension's UnmarshalJSON ignores a null: a ControllerRevision's data written again as
    null keeps the earlier data (it was the 422 of a revision without data)."""
    body = '{"metadata":{"name":"r"},"revision":1,"data":{"a":1},"data":null}'
    assert created(chain, "controllerrevisions", body, group="apps/v1")["data"] == {"a": 1}


def test_a_null_int_or_string_alone_is_the_int_zero_that_defaulting_fills(chain):
    """A null alone makes an IntOrString that is no pointer the Int 0, which SetDefaults_Service
    replaces with the port."""
    body = '{"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":null}]}}'
    assert created(chain, "services", body)["spec"]["ports"][0]["targetPort"] == 80


def test_an_array_written_many_times_decodes_in_place(chain):
    """Each later array decodes into the slice's backing array in place, as encoding/json does, so
    a key written n times costs work linear in n: four times the writes (after an array four times
    as long) take well under eight times the CPU time (copying the backing array for each write
    made it sixteen times: 30,000 writes took 15 s). The least of two runs each, so that a busy
    machine's pause in one run is not taken for work."""
    def cpu_seconds(repeats: int) -> float:
        containers = '"containers":[' + ",".join(["{}"] * repeats) + "]," + ",".join(
            ['"containers":[{"name":"c","image":"i"}]'] * repeats)
        runs = []
        for _ in range(2):
            started = time.process_time()
            obj = created(chain, "pods", '{' + POD + ',"spec":{' + containers + '}}')
            runs.append(time.process_time() - started)
            assert [(c["name"], c["image"]) for c in obj["spec"]["containers"]] == [("c", "i")]
        return min(runs)

    assert cpu_seconds(20_000) < 8 * cpu_seconds(5_000)
