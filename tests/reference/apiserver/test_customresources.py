"""CustomResourceDefinitions and the custom resources they serve, through the handler chain over a
real registry on the reference etcd. One rule per test, named in its docstring; the texts are the
ones Kubernetes 1.24's apiextensions apiserver writes."""
from __future__ import annotations

import copy
import json
import threading

import pytest

from reference_impl.apiserver.core import crdschema
from reference_impl.apiserver.core import protobuf
from reference_impl.apiserver.core.handlers import Request
from reference_impl.machinery.clock import ManualClock
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.adapter.server import HandlerChain
from tests.reference.apiserver import test_handlers
from tests.reference.apiserver.test_handlers import NOW, TABLE, call
from tests.reference.apiserver.watching import collect

etcd, registry = test_handlers.etcd, test_handlers.registry  # fixtures, used by name

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
SCHEMA = {"type": "object", "properties": {
    "spec": {"type": "object", "required": ["image"], "properties": {
        "image": {"type": "string", "minLength": 1, "pattern": "^[a-z]"},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
        "colour": {"type": "string", "enum": ["red", "blue"]},
        "ports": {"type": "array", "maxItems": 2, "items": {"type": "integer"}},
        "port": {"x-kubernetes-int-or-string": True},
        "note": {"type": "string", "nullable": True},
        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}},
    "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}}}
CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wg"],
                          "categories": ["all"]},
                "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": SCHEMA},
                              "subresources": {"status": {}},
                              "additionalPrinterColumns": [
                                  {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                                  {"name": "Image", "type": "string", "jsonPath": ".spec.image"}]}]}}
WIDGET = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"},
          "spec": {"image": "nginx"}}


@pytest.fixture
def chain(registry, request):
    """A chain with a namespace of the test's own and the widgets CRD, removed afterwards."""
    namespace = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    chain = HandlerChain(registry, now=lambda: NOW + 90)
    chain.namespace = namespace
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    code, body = call(chain, "POST", CRDS, CRD)
    assert code == 201, body
    yield chain
    call(chain, "DELETE", f"{CRDS}/widgets.example.com")


def widgets(chain, name: str = "") -> str:
    return f"/apis/example.com/v1/namespaces/{chain.namespace}/widgets" + (f"/{name}" if name else "")


def crd_with(**changes) -> dict:
    crd = copy.deepcopy(CRD)
    crd["metadata"]["name"] = "gadgets.example.com"
    crd["spec"]["names"] = {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"}
    for path, value in changes.items():
        target = crd
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value
    return crd


NODE_A = "spec.validation.openAPIV3Schema.properties[spec].properties[a]"


def spec_schema(properties: dict) -> dict:
    return {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": properties}}}}


def test_crd_is_established_with_its_names_accepted(chain):
    """A created CRD reports NamesAccepted and Established, its acceptedNames and storedVersions."""
    code, crd = call(chain, "GET", f"{CRDS}/widgets.example.com")
    assert code == 200
    assert [(c["type"], c["status"], c["reason"]) for c in crd["status"]["conditions"]] == [
        ("NamesAccepted", "True", "NoConflicts"), ("Established", "True", "InitialNamesAccepted")]
    assert crd["status"]["acceptedNames"] == {"plural": "widgets", "singular": "widget", "shortNames": ["wg"],
                                              "kind": "Widget", "listKind": "WidgetList", "categories": ["all"]}
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["spec"]["conversion"] == {"strategy": "None"}


@pytest.mark.parametrize("changes,message", [
    ({"metadata__name": "gadgets.other.com"},
     'metadata.name: Invalid value: "gadgets.other.com": must be spec.names.plural+"."+spec.group'),
    ({"metadata__name": "gadgets.example", "spec__group": "example"},
     'spec.group: Invalid value: "example": should be a domain with at least one dot'),
    ({"spec__scope": "Global"},
     'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    ({"spec__versions__0__name": "V1"},
     '[spec.versions[0].name: Invalid value: "V1": a DNS-1035 label must consist of lower case alphanumeric '
     "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
     "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'), "
     # the internal spec.version, conversion's copy of the first version's name, is checked too
     'spec.version: Invalid value: "V1": a DNS-1035 label must consist of lower case alphanumeric '
     "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
     "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')]"),
    ({"spec__versions__0__schema": {}},
     "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"),
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {}}}}},
     "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for "
     "specified object fields"),
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "string"}}},
     '[spec.validation.openAPIV3Schema.type: Invalid value: "string": only "object" is allowed as the '
     "type at the root of the schema if the status subresource is enabled, "
     'spec.validation.openAPIV3Schema.type: Invalid value: "string": must be object at the root]'),
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": False}}},
     "spec.validation.openAPIV3Schema.x-kubernetes-preserve-unknown-fields: Invalid value: false: "
     "must be true or undefined"),
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": False}}}}},
     "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: "
     "false: must be true or undefined"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}})},
     f"{NODE_A}.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "object", "x-kubernetes-map-type": "bogus"}})},
     f'{NODE_A}.x-kubernetes-map-type: Unsupported value: "bogus": supported values: "atomic", "granular"'),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "items": {"type": "string"},
                                                      "x-kubernetes-list-type": "bogus"}})},
     f'{NODE_A}.x-kubernetes-list-type: Unsupported value: "bogus": supported values: "atomic", "set", "map"'),
    ({"spec__versions__0__deprecated": True, "spec__versions__0__deprecationWarning": "x" * 257},
     f'spec.versions[0].deprecationWarning: Invalid value: "{"x" * 257}": must be <= 256 characters long'),
    ({"spec__versions__0__deprecationWarning": "old"},
     'spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions'),
    ({"spec__versions__0__deprecated": True, "spec__versions__0__deprecationWarning": "é\x07"},
     'spec.versions[0].deprecationWarning: Invalid value: "é\\a": must only contain printable UTF-8 characters; '
     "non-printable character found at index 2"),
    # The OpenAPI schema rules come in the order they are walked, not sorted as the structural ones.
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "items": {"type": "string"},
                                                      "x-kubernetes-list-type": "map"}})},
     f"[{NODE_A}.x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map, "
     f'{NODE_A}.items.type: Invalid value: "string": must be object if parent array\'s x-kubernetes-list-type is map]'),
    # Keywords a CRD may not use; NewStructural cannot convert such a schema, so no structural error follows.
    ({"spec__versions__0__schema": spec_schema({"a": {"$ref": "#/definitions/x"}})},
     f"{NODE_A}.$ref: Forbidden: $ref is not supported"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "items": [{"type": "string"}]}})},
     f"{NODE_A}.items: Forbidden: items must be a schema object and not an array"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "null"}})},
     f'[{NODE_A}.type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", '
     f'"object", "string", {NODE_A}.type: Forbidden: type cannot be set to null, use nullable as an alternative]'),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "object", "x-kubernetes-list-type": "set"}})},
     f'{NODE_A}.type: Invalid value: "object": must be array if x-kubernetes-list-type is specified'),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "x-kubernetes-list-type": "set",
                                                      "items": {"type": "object"}}})},
     f'{NODE_A}.items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with '
     "x-kubernetes-list-type=set"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "x-kubernetes-list-map-keys": ["k"],
                                                      "items": {"type": "object"}}})},
     f"{NODE_A}.x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty"),
    ({"spec__versions__0__schema": spec_schema({"a": {
        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["z", "k"],
        "items": {"type": "object", "properties": {"k": {"type": "string"}}}}})},
     f'[{NODE_A}.x-kubernetes-list-map-keys: Invalid value: []string{{"z", "k"}}: entries must all be names of '
     f"item properties, {NODE_A}.items.properties[k].default: Required value: this property is in "
     "x-kubernetes-list-map-keys, so it must have a default or be a required property]"),
    # ValidateStructural: metadata at the root names only name and generateName, kind a string;
    # schemas under a junctor only add value rules; an embedded resource is an object with fields.
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "metadata": {"type": "object", "properties": {"labels": {"type": "object"}}}, "kind": {"type": "integer"}}}}},
     '[spec.validation.openAPIV3Schema.properties[kind].type: Invalid value: "integer": must be string, '
     "spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name "
     "and generateName, but metadata is implicitly specified]"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "string", "x-kubernetes-embedded-resource": True,
                                                      "anyOf": [{"type": "string", "description": "x"}]}})},
     f"[{NODE_A}.anyOf[0].description: Forbidden: must be empty to be structural, "
     f"{NODE_A}.anyOf[0].type: Forbidden: must be empty to be structural, "
     f"{NODE_A}.properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without "
     f'x-kubernetes-preserve-unknown-fields, {NODE_A}.type: Invalid value: "string": must be object if '
     "x-kubernetes-embedded-resource is true]"),
    ({"spec__versions__0__schema": spec_schema({"a": {"x-kubernetes-int-or-string": True,
                                                      "x-kubernetes-preserve-unknown-fields": True,
                                                      "anyOf": [{"type": "integer"}, {"type": "string"}]}})},
     f"{NODE_A}.x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if "
     "x-kubernetes-int-or-string is true"),
    # ValidateDefaults, once the schema is structural: a default is pruned already, names apiVersion
    # and kind where its node is a resource, and is valid against its node; none in the root's metadata.
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "integer", "default": "x"}, "n": {
        "type": "string", "default": None}})},
     f'{NODE_A}.default: Invalid value: "string":  in body must be of type integer: "string"'),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "object", "properties": {
        "b": {"type": "string", "maxLength": 1}}, "default": {"b": "long", "c": 1}}})},
     f'[{NODE_A}.default: Invalid value: map[string]interface {{}}{{"b":"long", "c":1}}: must not have unknown '
     f'fields, {NODE_A}.default.b: Invalid value: "long": b in body should be at most 1 chars long]'),
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object"}, "metadata": {"type": "object", "properties": {
            "name": {"type": "string", "default": "x"}}}}}}},
     "spec.validation.openAPIV3Schema.properties[metadata].properties[name].default: Forbidden: must not be set "
     "in top-level metadata"),
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "default": {"spec": {}}, "properties": {
        "spec": {"type": "object"}}}}},
     "[spec.validation.openAPIV3Schema.default.apiVersion: Required value: must not be empty, "
     "spec.validation.openAPIV3Schema.default.kind: Required value: must not be empty]"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "array", "items": 5}})},
     f"{NODE_A}.items: Required value: must be specified"),
    # A pattern must compile as Go's regexp (RE2): no lookaround or backreference, in regexp/syntax's words.
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "string", "pattern": "(["}})},
     f'{NODE_A}.pattern: Invalid value: "([": must be a valid regular expression, but isn\'t: '
     "error parsing regexp: missing closing ]: `[`"),
    ({"spec__versions__0__schema": spec_schema({"a": {"type": "string", "pattern": "(?=a)a"}})},
     f'{NODE_A}.pattern: Invalid value: "(?=a)a": must be a valid regular expression, but isn\'t: '
     "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    # A false x-kubernetes-preserve-unknown-fields is refused on its own, not as a metadata field.
    ({"spec__versions__0__schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "metadata": {"type": "object", "x-kubernetes-preserve-unknown-fields": False}}}}},
     "spec.validation.openAPIV3Schema.properties[metadata].x-kubernetes-preserve-unknown-fields: Invalid value: "
     "false: must be true or undefined"),
])
def test_invalid_crd_is_422_with_upstreams_text(chain, changes, message):
    """ValidateCustomResourceDefinition's errors for the usual mistakes."""
    code, status = call(chain, "POST", CRDS, crd_with(**changes))
    assert code == 422, status
    name = changes.get("metadata__name", "gadgets.example.com")
    assert status["message"] == f'CustomResourceDefinition.apiextensions.k8s.io "{name}" is invalid: {message}'



@pytest.mark.parametrize("additional", ["x", 5, []])
def test_additional_properties_is_a_schema_or_a_boolean_when_decoded(chain, additional):
    """JSONSchemaPropsOrBool.UnmarshalJSON refuses anything but an object or a boolean: a 400."""
    code, status = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema=spec_schema({"a": {
        "type": "object", "additionalProperties": additional}})))
    assert code == 400, status
    assert status["message"] == ('CustomResourceDefinition in version "v1" cannot be handled as a '
                                 "CustomResourceDefinition: boolean or JSON schema expected")


def test_a_generate_name_is_held_to_the_crd_name_rule_before_the_name(chain):
    """ValidateObjectMeta gives generateName to the CRD's name function too, before the name it made."""
    crd = crd_with()
    crd["metadata"] = {"generateName": "gadgets-"}
    code, status = call(chain, "POST", CRDS, crd)
    assert code == 422, status
    generated = status["details"]["name"]
    assert status["message"] == (
        f'CustomResourceDefinition.apiextensions.k8s.io "{generated}" is invalid: ['
        'metadata.generateName: Invalid value: "gadgets-": must be spec.names.plural+"."+spec.group, '
        f'metadata.name: Invalid value: "{generated}": must be spec.names.plural+"."+spec.group]')


def test_a_pattern_is_matched_as_go_matches_it(chain):
    """A value is matched against its pattern with RE2's meaning: `\\z` is the end of the text."""
    code, crd = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema=spec_schema(
        {"a": {"type": "string", "pattern": "^a+\\z"}})))
    assert code == 201, crd
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    gadgets = f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets"
    try:
        refused, status = call(chain, "POST", gadgets, {**gadget, "spec": {"a": "ab"}})
        created, _ = call(chain, "POST", gadgets, {**gadget, "spec": {"a": "aa"}})
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")
    assert refused == 422 and "spec.a in body should match" in status["message"], status
    assert created == 201


def test_a_schema_and_columns_every_version_shares_are_checked_once_at_the_top(chain):
    """The internal CRD holds what all versions share once, at spec.validation and
    spec.additionalPrinterColumns (Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_...),
    and its errors are reported there, after the versions' own."""
    crd = crd_with(spec__versions__0__schema={"openAPIV3Schema": {"type": "object", "properties": {"spec": {}}}},
                   spec__versions__0__additionalPrinterColumns=[{"name": "A", "type": "bogus", "jsonPath": "x"}])
    second = copy.deepcopy(crd["spec"]["versions"][0])
    second.update(name="V2", storage=False)
    crd["spec"]["versions"].append(second)
    code, status = call(chain, "POST", CRDS, crd)
    assert code == 422, status
    assert status["message"].split(" is invalid: ")[1] == (
        '[spec.versions[1].name: Invalid value: "V2": a DNS-1035 label must consist of lower case alphanumeric '
        "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
        "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'), "
        "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified "
        'object fields, spec.additionalPrinterColumns[0].type: Invalid value: "bogus": must be one of '
        "boolean,date,integer,number,string, spec.additionalPrinterColumns[0].JSONPath: Invalid value: \"x\": "
        "must be a simple json path starting with .]")


def test_properties_and_additional_properties_together_are_forbidden(chain):
    """ValidateCustomResourceDefinitionOpenAPISchema: a struct's properties and a map's
    additionalProperties exclude each other (`additionalProperties: true` alone is let through).
    Two versions with different schemas are each checked at their own path."""
    spec_schema = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}
    crd = crd_with(spec__versions__0__schema={"openAPIV3Schema": {"type": "object", "properties": {
        "spec": spec_schema, "status": {"type": "object", "properties": {"n": {"type": "integer"}},
                                        "additionalProperties": True}}}})
    second = copy.deepcopy(crd["spec"]["versions"][0])
    second.update(name="v2", storage=False)
    second["schema"]["openAPIV3Schema"]["properties"]["extra"] = {"type": "string"}
    crd["spec"]["versions"].append(second)
    code, status = call(chain, "POST", CRDS, crd)
    assert code == 422, status
    forbidden = "additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
    assert status["message"] == (
        'CustomResourceDefinition.apiextensions.k8s.io "gadgets.example.com" is invalid: ['
        f"spec.versions[0].schema.openAPIV3Schema.properties[spec].{forbidden}, "
        f"spec.versions[1].schema.openAPIV3Schema.properties[spec].{forbidden}]")


def _stored_schema(chain, crd: dict) -> dict:
    code, created = call(chain, "POST", CRDS, crd)
    assert code == 201, created
    stored = call(chain, "GET", f"{CRDS}/{crd['metadata']['name']}")[1]
    call(chain, "DELETE", f"{CRDS}/{crd['metadata']['name']}")
    assert stored["spec"] == created["spec"]
    return stored["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_validation_rules_are_dropped_while_custom_resource_validation_expressions_is_off(chain):
    """dropXValidationsField clears x-kubernetes-validations from the root, properties, items and
    additionalProperties: the CEL rules are an alpha feature, off in 1.24."""
    rule = [{"rule": "self.a > 0", "message": "m"}]
    schema = {"type": "object", "x-kubernetes-validations": rule, "properties": {"spec": {
        "type": "object", "x-kubernetes-validations": rule, "properties": {
            "a": {"type": "integer"},
            "l": {"type": "array", "items": {"type": "string", "x-kubernetes-validations": rule}},
            "m": {"type": "object", "additionalProperties": {"type": "string", "x-kubernetes-validations": rule}}}}}}
    stored = _stored_schema(chain, crd_with(spec__versions__0__schema={"openAPIV3Schema": schema}))
    assert "x-kubernetes-validations" not in json.dumps(stored)


def test_false_schema_flags_are_left_out_as_go_omits_them(chain):
    """JSONSchemaProps' plain bools (exclusiveMaximum, exclusiveMinimum, uniqueItems, nullable,
    x-kubernetes-int-or-string, x-kubernetes-embedded-resource) are `omitempty`: false is not
    stored; additionalProperties false is a value of its own and stays."""
    spec = {"type": "object", "properties": {
        "n": {"type": "integer", "maximum": 5, "exclusiveMaximum": False, "minimum": 1, "exclusiveMinimum": False},
        "l": {"type": "array", "items": {"type": "string", "nullable": False}, "uniqueItems": False},
        "s": {"type": "string", "x-kubernetes-int-or-string": False},
        "o": {"type": "object", "x-kubernetes-embedded-resource": False, "additionalProperties": False}}}
    stored = _stored_schema(chain, crd_with(spec__versions__0__schema={"openAPIV3Schema": {
        "type": "object", "properties": {"spec": spec}}}))
    assert stored["properties"]["spec"]["properties"] == {
        "n": {"type": "integer", "maximum": 5, "minimum": 1}, "l": {"type": "array", "items": {"type": "string"}},
        "s": {"type": "string"}, "o": {"type": "object", "additionalProperties": False}}


def test_empty_omitempty_fields_are_left_out_as_go_omits_them(chain):
    """Every `omitempty` field of the v1 structs holding its zero value (an empty string or list,
    false, a nil pointer) is left out of what is stored and answered; an omitempty pointer holding
    a zero (`maxLength: 0`, `default: {}`) stays. Real 1.24 answers this create 201 with exactly
    the spec asserted here."""
    crd = crd_with(spec__preserveUnknownFields=False, spec__names__shortNames=[], spec__names__categories=[],
                   spec__versions__0__deprecated=False, spec__versions__0__additionalPrinterColumns=[],
                   spec__versions__0__subresources={"status": {}, "scale": None})
    crd["spec"]["versions"][0]["schema"] = {"openAPIV3Schema": {
        "type": "object", "description": "", "required": [], "format": "", "title": "", "properties": {
            "a": {"type": "string", "enum": [], "pattern": "", "maxLength": 0},
            "b": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "default": {}, "example": None,
                  "allOf": [], "x-kubernetes-list-map-keys": []}}}}
    code, created = call(chain, "POST", CRDS, crd)
    assert code == 201, created
    stored = call(chain, "GET", f"{CRDS}/{crd['metadata']['name']}")[1]
    call(chain, "DELETE", f"{CRDS}/{crd['metadata']['name']}")
    assert stored["spec"] == created["spec"]
    assert created["spec"]["names"] == {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                                        "listKind": "GadgetList"}
    assert "preserveUnknownFields" not in created["spec"]
    version = created["spec"]["versions"][0]
    assert "deprecated" not in version and "additionalPrinterColumns" not in version
    assert version["subresources"] == {"status": {}}
    assert version["schema"]["openAPIV3Schema"] == {"type": "object", "properties": {
        "a": {"type": "string", "maxLength": 0},
        "b": {"type": "object", "default": {}, "x-kubernetes-preserve-unknown-fields": True}}}


def _fields_by_manager(obj: dict) -> dict:
    return {entry["manager"]: entry["fieldsV1"] for entry in obj["metadata"]["managedFields"]}


def test_managed_fields_leave_out_what_go_omits(chain):
    """The field manager sees the CRD as its Go struct encodes it: an omitempty field holding its
    zero value (`shortNames: []`, `preserveUnknownFields: false`, `categories: []`) is no field a
    create, a merge patch or an update sets. Real 1.24 records exactly these entries for the
    same three writes; the update changes nothing it keeps, so `putter` has no entry. (The naming
    controller's status entry, Go-http-client's, takes the accepted short name as upstream's does.)"""
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "mfes.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced", "preserveUnknownFields": False,
                    "names": {"plural": "mfes", "kind": "Mfe", "shortNames": [], "singular": ""},
                    "versions": [{"name": "v1", "served": True, "storage": True, "deprecated": False,
                                  "additionalPrinterColumns": [], "schema": {"openAPIV3Schema": {
                                      "type": "object", "description": "", "required": [],
                                      "properties": {"a": {"type": "string", "description": "", "enum": []}}}}}]}}
    code, created = call(chain, "POST", CRDS, crd, query={"fieldManager": "creator"})
    assert code == 201, created
    assert _fields_by_manager(created)["creator"] == {"f:spec": {
        "f:conversion": {".": {}, "f:strategy": {}}, "f:group": {},
        "f:names": {"f:kind": {}, "f:listKind": {}, "f:plural": {}, "f:singular": {}},
        "f:scope": {}, "f:versions": {}}}
    path = f"{CRDS}/mfes.example.com"
    code, patched = call(chain, "PATCH", path, {"spec": {"names": {"categories": [], "shortNames": ["m"]}}},
                         content_type="application/merge-patch+json", query={"fieldManager": "patcher"})
    assert code == 200, patched
    assert _fields_by_manager(patched)["patcher"] == {"f:spec": {"f:names": {"f:shortNames": {}}}}
    assert "f:shortNames" in _fields_by_manager(patched)["Go-http-client"]["f:status"]["f:acceptedNames"]
    patched["spec"]["names"]["categories"] = []
    patched["spec"]["preserveUnknownFields"] = False
    code, updated = call(chain, "PUT", path, patched, query={"fieldManager": "putter"})
    assert code == 200, updated
    assert set(_fields_by_manager(updated)) == {"creator", "Go-http-client", "patcher"}
    call(chain, "DELETE", path)


def test_an_empty_list_sent_for_none_is_no_spec_change(chain):
    """The CRD strategy bumps metadata.generation when apiequality.Semantic.DeepEqual finds the
    spec changed, and it holds an empty list equal to a nil one: a patch sending
    `shortNames: []` to a CRD with none leaves generation 1, as real 1.24 answers it."""
    crd = crd_with()
    assert call(chain, "POST", CRDS, crd)[0] == 201
    path = f"{CRDS}/{crd['metadata']['name']}"
    for content_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        code, patched = call(chain, "PATCH", path, {"spec": {"names": {"shortNames": []}}}, content_type=content_type)
        assert code == 200, patched
        assert patched["metadata"]["generation"] == 1
    call(chain, "DELETE", path)


@pytest.mark.parametrize("names", [{"singular": ""}, {"listKind": ""}, {"singular": None, "listKind": None}],
                         ids=["empty-singular", "empty-list-kind", "null-both"])
def test_an_empty_singular_or_list_kind_is_defaulted_from_the_kind(chain, names):
    """SetDefaults_CustomResourceDefinitionSpec tests len(Singular) and len(ListKind): a name
    written as "" (or null) is defaulted as one left out (real 1.24: 201 with singular "gadget",
    listKind "GadgetList" for each)."""
    crd = crd_with(spec__names={"plural": "gadgets", "kind": "Gadget", **names})
    code, created = call(chain, "POST", CRDS, crd)
    call(chain, "DELETE", f"{CRDS}/{crd['metadata']['name']}")
    assert (code, created["spec"]["names"]) == (201, {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                                                      "listKind": "GadgetList"})


@pytest.mark.parametrize("storage,stored_versions", [
    ((True, True), 'Invalid value: apiextensions.CustomResourceDefinitionVersion{Name:"v2", Served:true, Storage:true, '
                   "Deprecated:false, DeprecationWarning:(*string)(nil), "
                   "Schema:(*apiextensions.CustomResourceValidation)(nil), "
                   "Subresources:(*apiextensions.CustomResourceSubresources)(nil), "
                   "AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil)}: "
                   "must have the storage version v2"),
    ((False, False), "Invalid value: []string(nil): must have at least one stored version"),
], ids=["two", "none"])
def test_crd_needs_exactly_one_storage_version(chain, storage, stored_versions):
    """Two versions both marked storage, or none, are refused; status.storedVersions (the first
    storage version, as PrepareForCreate records it) then misses the other one or is empty. The
    schema all versions share is the internal spec's, so each version's Schema is nil."""
    crd = crd_with()
    crd["spec"]["versions"].append({**crd["spec"]["versions"][0], "name": "v2"})
    for version, flag in zip(crd["spec"]["versions"], storage):
        version["storage"] = flag
    code, status = call(chain, "POST", CRDS, crd)
    assert code == 422
    causes = [(cause["field"], cause["message"]) for cause in status["details"]["causes"]]
    assert [field for field, _ in causes] == ["spec.versions", "status.storedVersions"]
    assert causes[0][1].endswith("must have exactly one version marked as storage version")
    assert causes[1][1] == stored_versions


@pytest.mark.parametrize("versions,printed", [(None, "(nil)"), ([], "{}")], ids=["left-out", "empty"])
def test_crd_versions_left_out_print_as_a_nil_slice(chain, versions, printed):
    """%#v prints the internal spec.versions nil when the body has none (or null), empty when it
    sends [] (the real 1.24 server, request_random_differential)."""
    crd = crd_with()
    crd["spec"]["versions"] = versions
    code, status = call(chain, "POST", CRDS, crd, query={"dryRun": "All"})
    assert code == 422
    assert "spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion" + printed + \
        ": must have exactly one version marked as storage version" in status["message"]


def conditions(crd: dict) -> list[tuple]:
    return [(c["type"], c["status"], c["reason"], c["message"]) for c in crd["status"]["conditions"]]


def test_a_create_answers_the_status_before_the_controllers_ran(chain):
    """The create's answer has the status the strategy wrote: no names accepted, no conditions,
    the storage version stored; a read has the controllers' (seen from the real 1.24 server)."""
    code, dry = call(chain, "POST", CRDS, crd_with(), query={"dryRun": "All"})
    assert (code, dry["status"]["conditions"]) == (201, None)
    code, created = call(chain, "POST", CRDS, crd_with())
    assert (code, created["status"]) == (201, {"acceptedNames": {"plural": "", "kind": ""}, "conditions": None,
                                               "storedVersions": ["v1"]})
    assert call(chain, "GET", f"{CRDS}/gadgets.example.com")[1]["status"]["acceptedNames"]["kind"] == "Gadget"
    call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


def test_a_kind_another_crd_of_the_group_holds_is_not_accepted(chain):
    """The naming controller accepts no name another CRD of the group was accepted with: a second
    CRD of kind Widget is stored, not established, and not served."""
    crd = crd_with(spec__names={"plural": "widgetz", "singular": "widgetz", "kind": "Widget", "listKind": "WidgetzList"},
                   metadata__name="widgetz.example.com")
    code, created = call(chain, "POST", CRDS, crd)
    try:
        assert code == 201, created
        created = call(chain, "GET", f"{CRDS}/widgetz.example.com")[1]
        assert conditions(created) == [
            ("NamesAccepted", "False", "KindConflict", '"Widget" is already in use'),
            ("Established", "False", "NotAccepted", "not all names are accepted")]
        assert created["status"]["acceptedNames"] == {"plural": "widgetz", "singular": "widgetz",
                                                      "listKind": "WidgetzList"}
        path = f"/apis/example.com/v1/namespaces/{chain.namespace}/widgetz"
        assert call(chain, "POST", path, {**WIDGET, "kind": "Widget"})[0] == 404
    finally:
        call(chain, "DELETE", f"{CRDS}/widgetz.example.com")


def test_a_short_name_or_plural_held_in_the_group_is_not_accepted(chain):
    """Plural, singular and short names share one set per group: "wg" is the widgets' short name,
    "widget" their singular."""
    for names, reason, message in (({"plural": "gadgets", "kind": "Gadget", "shortNames": ["wg", "gd"]},
                                    "ShortNamesConflict", '"wg" is already in use'),
                                   ({"plural": "widget", "singular": "gadget", "kind": "Gadget"},
                                    "PluralConflict", '"widget" is already in use')):
        crd = crd_with(spec__names=names, metadata__name=f"{names['plural']}.example.com")
        code, created = call(chain, "POST", CRDS, crd)
        read = call(chain, "GET", f"{CRDS}/{names['plural']}.example.com")[1]
        call(chain, "DELETE", f"{CRDS}/{names['plural']}.example.com")
        assert code == 201, created
        assert conditions(read)[0] == ("NamesAccepted", "False", reason, message)
        assert not any(r.plural == names["plural"] for r in chain.rest.registry.custom_resources())


APPROVAL = "api-approved.kubernetes.io"


def in_group(group: str, approval: str | None = None) -> dict:
    crd = crd_with(**{"metadata__name": f"gadgets.{group}", "spec__group": group})
    if approval is not None:
        crd["metadata"]["annotations"] = {APPROVAL: approval}
    return crd


@pytest.mark.parametrize("group", ["k8s.io", "rbac.authorization.k8s.io", "kubernetes.io", "x.kubernetes.io"])
def test_a_protected_group_needs_the_api_approval_annotation(chain, group):
    """k8s.io, kubernetes.io and their subdomains are the community's: a CRD there needs
    api-approved.kubernetes.io (validateAPIApproval)."""
    code, status = call(chain, "POST", CRDS, in_group(group))
    assert code == 422, status
    assert status["message"] == (
        f'CustomResourceDefinition.apiextensions.k8s.io "gadgets.{group}" is invalid: '
        f'metadata.annotations[{APPROVAL}]: Required value: protected groups must have approval annotation '
        f'"{APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111')


def test_the_approval_is_a_url_or_a_reason_starting_with_unapproved(chain):
    """Any other text is invalid; a URL approves, "unapproved..." bypasses the approval."""
    code, status = call(chain, "POST", CRDS, in_group("k8s.io", "yes"))
    assert (code, status["details"]["causes"][0]["message"]) == (422, (
        f'Invalid value: "yes": protected groups must have approval annotation "{APPROVAL}" with either a URL or a '
        'reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111'))
    for group, approval in (("k8s.io", "https://github.com/kubernetes/kubernetes/pull/1"),
                            ("kubernetes.io", "unapproved, testing only")):
        code, created = call(chain, "POST", CRDS, in_group(group, approval))
        assert code == 201, created
        call(chain, "DELETE", f"{CRDS}/gadgets.{group}")


def test_an_update_keeping_the_approval_state_is_not_judged_by_it(chain):
    """An update is refused only when it changes the approval state to a bad one: removing the
    annotation of an approved CRD is."""
    code, crd = call(chain, "POST", CRDS, in_group("k8s.io", "unapproved"))
    assert code == 201, crd
    try:
        crd["metadata"]["annotations"] = {APPROVAL: "unapproved, still"}
        code, crd = call(chain, "PUT", f"{CRDS}/gadgets.k8s.io", crd)
        assert code == 200, crd
        crd["metadata"]["annotations"] = {}
        code, status = call(chain, "PUT", f"{CRDS}/gadgets.k8s.io", crd)
        assert (code, status["details"]["causes"][0]["field"]) == (422, f"metadata.annotations[{APPROVAL}]")
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.k8s.io")


def test_crd_update_changes_what_is_served(chain):
    """An updated CRD is served as updated: here a new printer column, a new version, and its
    generation counts the spec change."""
    crd = call(chain, "GET", f"{CRDS}/widgets.example.com")[1]
    version = crd["spec"]["versions"][0]
    version["additionalPrinterColumns"].append({"name": "Colour", "type": "string", "jsonPath": ".spec.colour"})
    crd["spec"]["versions"].append({**copy.deepcopy(version), "name": "v2beta1", "storage": False})
    code, updated = call(chain, "PUT", f"{CRDS}/widgets.example.com", crd)
    assert code == 200, updated
    assert updated["metadata"]["generation"] == 2 and updated["status"]["storedVersions"] == ["v1"]
    call(chain, "POST", widgets(chain), {**WIDGET, "spec": {"image": "nginx", "colour": "red"}})
    table = call(chain, "GET", widgets(chain), accept=TABLE)[1]
    assert table["rows"][0]["cells"] == ["w1", 1, "nginx", "red"]
    code, widget = call(chain, "GET", f"/apis/example.com/v2beta1/namespaces/{chain.namespace}/widgets/w1")
    assert code == 200 and widget["apiVersion"] == "example.com/v2beta1"
    assert chain.rest.registry.storage.get(
        f"/registry/example.com/widgets/{chain.namespace}/w1")["apiVersion"] == "example.com/v1"


def test_scope_of_an_established_crd_is_immutable(chain):
    """Once established, a CRD keeps its scope (and always its group and plural)."""
    crd = call(chain, "GET", f"{CRDS}/widgets.example.com")[1]
    crd["spec"]["scope"] = "Cluster"
    code, status = call(chain, "PUT", f"{CRDS}/widgets.example.com", crd)
    assert code == 422
    assert status["message"] == ('CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: '
                                 'spec.scope: Invalid value: "Cluster": field is immutable')


@pytest.mark.parametrize("field,value", [("group", "other.com"), ("names__plural", "gizmos")])
def test_an_update_is_not_held_to_the_name_rule_but_to_immutable_names(chain, field, value):
    """ValidateCustomResourceDefinitionUpdate checks the object meta without the CRD's name
    function: a changed group or plural is immutable, not a name that no longer matches."""
    crd = call(chain, "GET", f"{CRDS}/widgets.example.com")[1]
    *parents, last = ["spec"] + field.split("__")
    target = crd
    for part in parents:
        target = target[part]
    target[last] = value
    code, status = call(chain, "PUT", f"{CRDS}/widgets.example.com", crd)
    assert code == 422
    assert status["message"] == ('CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: '
                                 f'spec.{field.replace("__", ".")}: Invalid value: "{value}": field is immutable')


def test_custom_object_crud(chain):
    """Create, get, list, update and delete a custom object; it is stored under
    /registry/<group>/<plural>/<namespace>/<name>."""
    code, created = call(chain, "POST", widgets(chain), WIDGET)
    assert code == 201, created
    assert created["metadata"]["generation"] == 1 and created["metadata"]["namespace"] == chain.namespace
    raw = chain.rest.registry.storage.get(f"/registry/example.com/widgets/{chain.namespace}/w1")
    assert raw["spec"]["image"] == "nginx"
    code, listed = call(chain, "GET", widgets(chain))
    assert code == 200 and listed["kind"] == "WidgetList"
    assert [item["metadata"]["name"] for item in listed["items"]] == ["w1"]
    created["spec"]["image"] = "redis"
    code, updated = call(chain, "PUT", widgets(chain, "w1"), created)
    assert code == 200 and updated["metadata"]["generation"] == 2
    code, _ = call(chain, "DELETE", widgets(chain, "w1"))
    assert code == 200
    assert call(chain, "GET", widgets(chain, "w1"))[0] == 404


def test_a_custom_object_is_written_as_encoding_json_writes_a_map(chain):
    """An Unstructured is a map[string]interface{}: kube-apiserver 1.24 answers and stores a
    custom object with every key sorted, metadata's resourceVersion among them, and each number
    as the int64 or float64 it decoded to; a quantity in it is a string kept as sent."""
    widget = {"kind": "Widget", "apiVersion": "example.com/v1",
              "metadata": {"name": "sorted", "labels": {"z": "1", "a": "2"}},
              "spec": {"image": "nginx", "extra": {"zeta": 1, "n": 1e3, "cpu": "0.5", "big": 12345678901234567890,
                                                   "nested": [{"b": 1.0, "a": 2.5}]}}}
    code, created = call(chain, "POST", widgets(chain), widget)
    assert code == 201, created
    _, read = call(chain, "GET", widgets(chain, "sorted"))
    for answer in (created, read):
        assert list(answer) == ["apiVersion", "kind", "metadata", "spec"]
        assert list(answer["metadata"]) == ["creationTimestamp", "generation", "labels", "managedFields", "name",
                                            "namespace", "resourceVersion", "uid"]
        assert list(answer["metadata"]["labels"]) == ["a", "z"]
        extra = answer["spec"]["extra"]
        assert list(extra) == ["big", "cpu", "n", "nested", "zeta"]
        assert extra["n"] == 1000 and type(extra["n"]) is int and extra["cpu"] == "0.5"
        assert extra["big"] == 12345678901234567000 and extra["nested"] == [{"a": 2.5, "b": 1}]


def test_a_custom_objects_metadata_is_typed_as_object_meta_by_its_field_manager(chain):
    """The CRD's OpenAPI model types metadata as ObjectMeta: finalizers are a set, listed item by
    item in managedFields (by an update and by an apply), as the real 1.24 server lists them."""
    widget = {**WIDGET, "metadata": {"name": "fin", "finalizers": ["a/b", "c"]}}
    # dry runs: an object with finalizers would hold the CRD the fixture deletes
    code, created = call(chain, "POST", widgets(chain), widget, query={"dryRun": "All"})
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"] == {
        "f:finalizers": {".": {}, 'v:"a/b"': {}, 'v:"c"': {}}}
    applied = {**WIDGET, "metadata": {"name": "fin2", "finalizers": ["x"]}}
    code, created = call(chain, "PATCH", widgets(chain, "fin2"), applied, content_type="application/apply-patch+yaml",
                         query={"fieldManager": "m", "dryRun": "All"})
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:metadata"] == {"f:finalizers": {'v:"x"': {}}}


def test_a_null_label_of_a_custom_object_is_an_empty_one(chain):
    """A label or annotation written as null is "" once the metadata is decoded into ObjectMeta,
    for a create, an update and an apply alike (an apply was a 500, a KeyError)."""
    nulls = {"labels": {"a": None}, "annotations": {"b": None}}
    code, created = call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "w1", **nulls}})
    assert code == 201, created
    applied_config = {**WIDGET, "metadata": {"name": "w1", "labels": {"c": None}}}
    code, applied = call(chain, "PATCH", widgets(chain, "w1"), applied_config,
                         content_type="application/apply-patch+yaml", query={"fieldManager": "fz"})
    assert code == 200, applied
    assert (created["metadata"]["labels"], created["metadata"]["annotations"]) == ({"a": ""}, {"b": ""})
    assert applied["metadata"]["labels"] == {"a": "", "c": ""}


def test_a_custom_list_is_an_unstructured_list(chain):
    """Its items keep their apiVersion and kind, and its metadata has an empty continue (as the real
    kube-apiserver 1.24 lists them), unlike a built-in kind's typed list."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, listed = call(chain, "GET", widgets(chain))
    assert code == 200, listed
    assert [(item["apiVersion"], item["kind"]) for item in listed["items"]] == [("example.com/v1", "Widget")]
    assert listed["metadata"]["continue"] == ""


def test_watch_sees_custom_objects(chain):
    """A watch of a custom resource (from its watch cache) sees its objects change."""
    code, created = call(chain, "POST", widgets(chain), WIDGET)
    registry = chain.rest.registry
    widget_resource = next(r for r in registry.custom_resources() if r.plural == "widgets")
    watch = registry.watch(widget_resource, chain.namespace, resource_version=created["metadata"]["resourceVersion"])
    call(chain, "PATCH", widgets(chain, "w1"), {"spec": {"replicas": 2}}, content_type="application/merge-patch+json")
    call(chain, "DELETE", widgets(chain, "w1"))
    events = collect(watch, 2)
    assert [(kind, obj["kind"], obj["spec"]["replicas"]) for kind, obj in events] == [
        ("MODIFIED", "Widget", 2), ("DELETED", "Widget", 2)]


# The garbage collector's metadata informer, as the real kube-controller-manager 1.24 watched a
# custom resource through a recording proxy: its Accept header and query.
METADATA_INFORMER_ACCEPT = ("application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,"
                            "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")


def test_deleting_the_crd_ends_the_watches_of_its_resource(chain):
    """Deleting a CRD tears its storage down, which ends the open watches of its resource
    (crdHandler.tearDown) after they have heard its objects deleted: the controller-manager's
    informers list again and get the 404 that tells them the resource is gone. With the watch
    left open they kept watching a resource no longer served (seen against the real 1.24
    kube-apiserver: its watch ended and the relist was a 404)."""
    code, created = call(chain, "POST", widgets(chain), WIDGET)
    assert code == 201, created
    revision = created["metadata"]["resourceVersion"]
    code, response = call(chain, "GET", "/apis/example.com/v1/widgets", accept=METADATA_INFORMER_ACCEPT,
                          query={"allowWatchBookmarks": "true", "resourceVersion": revision,
                                 "timeout": "7m24s", "timeoutSeconds": "444", "watch": "true"})
    assert code == 200
    frames: list[bytes] = []
    reader = threading.Thread(target=lambda: frames.extend(response.chunks), daemon=True)
    reader.start()
    assert call(chain, "DELETE", f"{CRDS}/widgets.example.com")[0] == 200
    reader.join(10)
    ended = not reader.is_alive()
    response.stop()
    assert ended, "the watch is still open"
    assert b"DELETED" in b"".join(frames)
    code, body = call(chain, "GET", "/apis/example.com/v1/widgets", query={"resourceVersion": revision})
    assert code == 404


def test_a_bookmark_to_a_metadata_watch_carries_partial_object_metadata(chain, monkeypatch):
    """Every event object but an ERROR's Status goes through the watch's Fixup, BOOKMARKs too: a
    metadata informer's watch of CRDs (the real kube-controller-manager 1.24's request, recorded)
    gets its bookmark as PartialObjectMetadata. Sent as a CustomResourceDefinition, the real
    controller-manager logged "unable to decode an event from the watch stream: ... no kind
    \"CustomResourceDefinition\" is registered" and watched again."""
    registry = chain.rest.registry
    watch = registry.watch
    monkeypatch.setattr(registry, "watch", lambda *args, **kwargs: watch(*args, **kwargs, bookmark_interval=0.2))
    code, response = call(chain, "GET", CRDS, accept=METADATA_INFORMER_ACCEPT,
                          query={"allowWatchBookmarks": "true", "resourceVersion": "0",
                                 "timeout": "5m9s", "timeoutSeconds": "309", "watch": "true"})
    assert code == 200
    frames: list[bytes] = []

    def read() -> None:
        for chunk in response.chunks:
            frames.append(chunk)
            if b"BOOKMARK" in chunk:
                return
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    gadgets = crd_with()
    assert call(chain, "POST", CRDS, gadgets)[0] == 201
    try:
        reader.join(10)
    finally:
        response.stop()
        call(chain, "DELETE", f"{CRDS}/{gadgets['metadata']['name']}")
    bookmark = [frame for frame in frames if b"BOOKMARK" in frame]
    assert bookmark, "no bookmark within 10 s"
    assert b"PartialObjectMetadata" in bookmark[0] and b"CustomResourceDefinition" not in bookmark[0]


def test_deletecollection(chain):
    """DELETE on the collection deletes the custom objects its selector picks."""
    for name, colour in (("a", "red"), ("b", "blue")):
        call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": name, "labels": {"colour": colour}}})
    code, deleted = call(chain, "DELETE", widgets(chain), query={"labelSelector": "colour=red"})
    assert code == 200 and [item["metadata"]["name"] for item in deleted["items"]] == ["a"]
    assert [item["metadata"]["name"] for item in call(chain, "GET", widgets(chain))[1]["items"]] == ["b"]


def test_unknown_fields_are_pruned_and_defaults_applied(chain):
    """Fields the schema does not specify are dropped (but kept under preserve-unknown-fields);
    a missing field with a default gets it."""
    widget = copy.deepcopy(WIDGET)
    widget["spec"].update(unknown=1, extra={"anything": {"goes": True}})
    widget["top"] = "level"
    code, created = call(chain, "POST", widgets(chain), widget)
    assert code == 201, created
    assert "top" not in created and "unknown" not in created["spec"]
    assert created["spec"]["extra"] == {"anything": {"goes": True}}
    assert created["spec"]["replicas"] == 1


def test_a_null_the_schema_does_not_allow_is_dropped_before_validation(chain):
    """PruneNonNullableNullsWithoutDefaults: a null where the schema is neither nullable nor
    defaulted is dropped as if not sent (status: null, spec.colour: null); a nullable one stays
    null and a defaulted one gets its default."""
    body = {**WIDGET, "spec": {"image": "nginx", "colour": None, "note": None, "replicas": None}, "status": None}
    code, created = call(chain, "POST", widgets(chain), body)
    assert code == 201, created
    assert "status" not in created
    assert created["spec"] == {"image": "nginx", "note": None, "replicas": 1}


@pytest.mark.parametrize("spec,message", [
    ({"replicas": "two"}, 'spec.replicas: Invalid value: "string": spec.replicas in body must be of type '
                          'integer: "string"'),
    ({"replicas": 0}, "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"),
    ({"replicas": 11}, "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"),
    ({"colour": "pink"}, 'spec.colour: Unsupported value: "pink": supported values: "red", "blue"'),
    ({"image": ""}, 'spec.image: Invalid value: "": spec.image in body should be at least 1 chars long'),
    ({"image": "Nginx"}, "spec.image: Invalid value: \"Nginx\": spec.image in body should match '^[a-z]'"),
    # TooManyItems shows how many items there are (seen from the real 1.24 server).
    ({"ports": [1, 2, 3]}, "spec.ports: Invalid value: 3: spec.ports in body should have at most 2 items"),
    # schemaSliceValidator checks every item at the list's path (seen from the real 1.24 server).
    ({"ports": ["a"]}, 'spec.ports: Invalid value: "string": spec.ports in body must be of type integer: "string"'),
    ({"ports": [1.5]}, 'spec.ports: Invalid value: "number": spec.ports in body must be of type integer: "number"'),
    ({"port": True}, 'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: '
                     '"boolean"'),
    # A number whose text is no int64 decodes as a float64, a "number"; the number validator runs
    # whatever the type says (seen from the real 1.24 server).
    ({"replicas": 2**63}, '[spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: '
                          '"number", spec.replicas: Invalid value: 9.223372036854776e+18: spec.replicas in body '
                          'should be less than or equal to 10]'),
    ({"replicas": 2.0**53}, '[spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: '
                            '"number", spec.replicas: Invalid value: 9.007199254740992e+15: spec.replicas in body '
                            'should be less than or equal to 10]'),
    ({"image": 1.0}, 'spec.image: Invalid value: "number": spec.image in body must be of type string: "number"'),
])
def test_invalid_custom_object_is_422_with_upstreams_text(chain, spec, message):
    """The schema's value rules, reported as field errors of <Kind>.<group>."""
    widget = copy.deepcopy(WIDGET)
    widget["spec"].update(spec)
    code, status = call(chain, "POST", widgets(chain), widget)
    assert code == 422, status
    assert status["message"] == f'Widget.example.com "w1" is invalid: {message}'


@pytest.mark.parametrize("spec,message", [
    ({"ratio": 0.3}, "spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.5"),
    ({"count": 7}, "spec.count: Invalid value: 7: spec.count in body should be a multiple of 2"),
    ({"never": 4}, "spec.never: Invalid value: 4: spec.never in body should be a multiple of 0"),
    # multipleOf comes before the bounds, as numberValidator merges them.
    ({"count": 13}, "[spec.count: Invalid value: 13: spec.count in body should be a multiple of 2, "
                    "spec.count: Invalid value: 13: spec.count in body should be less than or equal to 10]"),
    # The properties' errors show the bound, not the count (kube-openapi's Value).
    ({"labels": {}}, "spec.labels: Invalid value: 1: spec.labels in body should have at least 1 properties"),
    ({"labels": {"a": "", "b": "", "c": ""}},
     "spec.labels: Invalid value: 2: spec.labels in body should have at most 2 properties"),
])
def test_multiple_of_and_property_counts_are_checked(chain, spec, message):
    """multipleOf and min/maxProperties, in kube-openapi's words."""
    code, crd = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema=spec_schema({
        "ratio": {"type": "number", "multipleOf": 0.5}, "count": {"type": "integer", "multipleOf": 2, "maximum": 10},
        "never": {"type": "integer", "multipleOf": 0},
        "labels": {"type": "object", "minProperties": 1, "maxProperties": 2,
                   "additionalProperties": {"type": "string"}}})))
    assert code == 201, crd
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": spec}
    try:
        code, status = call(chain, "POST", f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets", gadget)
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")
    assert code == 422, status
    assert status["message"] == f'Gadget.example.com "g" is invalid: {message}'


LISTS = spec_schema({
    "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
              "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
    "pairs": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["a", "b"],
              "items": {"type": "object", "required": ["a", "b"], "properties": {
                  "a": {"type": "string"}, "b": {"type": "integer"}}}}})


@pytest.mark.parametrize("spec,message", [
    ({"tags": ["a", "b", "a", "a"]}, 'spec.tags[2]: Duplicate value: "a"'),
    ({"ports": [{"name": "x"}, {"name": "x"}]}, 'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"x"}'),
    ({"pairs": [{"a": "x", "b": 1}, {"b": 1, "a": "x"}]},
     'spec.pairs[1]: Duplicate value: map[string]interface {}{"a":"x", "b":1}'),
])
def test_a_set_or_map_list_holds_each_item_or_key_once(chain, spec, message):
    """ValidateListSetsAndMaps: the second appearance of a set item or a map list's keys is a Duplicate."""
    code, crd = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema=LISTS))
    assert code == 201, crd
    gadgets = f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets"
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": spec}
    try:
        code, status = call(chain, "POST", gadgets, gadget)
        created, _ = call(chain, "POST", gadgets, {**gadget, "spec": {}})
        patched, patch_status = call(chain, "PATCH", f"{gadgets}/g", [{"op": "add", "path": "/spec", "value": spec}],
                                     content_type="application/json-patch+json")
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")
    assert code == 422, status
    assert status["message"] == f'Gadget.example.com "g" is invalid: {message}'
    assert (created, patched) == (201, 422), patch_status


def test_an_object_stored_with_repeated_set_items_may_keep_them(chain):
    """Ratcheting: an update is held to the list rules only if the stored object passed them."""
    tags = {"type": "array", "items": {"type": "string"}}
    schema = spec_schema({"tags": tags, "note": {"type": "string"}})
    code, crd = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema=schema))
    assert code == 201, crd
    gadgets = f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets"
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"tags": ["a", "a"]}}
    try:
        stored, _ = call(chain, "POST", gadgets, gadget)
        crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["tags"] = {
            **tags, "x-kubernetes-list-type": "set"}
        call(chain, "PUT", f"{CRDS}/gadgets.example.com", crd)
        kept, _ = call(chain, "PATCH", f"{gadgets}/g", {"spec": {"note": "n"}},
                       content_type="application/merge-patch+json")
        created, _ = call(chain, "POST", gadgets, {**gadget, "metadata": {"name": "h"}})
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")
    assert (stored, kept, created) == (201, 200, 422)


@pytest.mark.parametrize("embedded,message", [
    ({}, "[spec.emb.apiVersion: Required value: must not be empty, spec.emb.kind: Required value: must not be empty]"),
    ({"apiVersion": "a/b/c", "kind": "My_Kind"},
     '[spec.emb.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c, '
     'spec.emb.kind: Invalid value: "My_Kind": may have mixed case, but should otherwise match: a DNS-1035 label '
     "must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with "
     "an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
     "'[a-z]([-a-z0-9]*[a-z0-9])?')]"),
    ({"apiVersion": "", "kind": "Pod"}, 'spec.emb.apiVersion: Invalid value: "": must not be empty'),
])
def test_an_embedded_resource_names_its_api_version_and_kind(chain, embedded, message):
    """objectmeta.Validate: an x-kubernetes-embedded-resource object has a parseable apiVersion
    and a DNS-1035 kind (in any case)."""
    code, crd = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema=spec_schema({"emb": {
        "type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}})))
    assert code == 201, crd
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"emb": embedded}}
    try:
        code, status = call(chain, "POST", f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets", gadget)
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")
    assert code == 422, status
    assert status["message"] == f'Gadget.example.com "g" is invalid: {message}'


def test_a_whole_float64_within_2_pow_53_is_an_integer(chain):
    """IsFloat64AJSONInteger: the integer type takes 2.0, and so does an int-or-string field."""
    code, created = call(chain, "POST", widgets(chain), {**WIDGET, "spec": {"image": "a", "replicas": 2.0,
                                                                             "port": 8080.0}})
    assert code == 201, created


def test_required_and_nullable(chain):
    """A missing required field is Required; null is fine where nullable, a type error elsewhere."""
    code, status = call(chain, "POST", widgets(chain), {**WIDGET, "spec": {"note": None}})
    assert status["message"] == 'Widget.example.com "w1" is invalid: spec.image: Required value'
    code, created = call(chain, "POST", widgets(chain), {**WIDGET, "spec": {"image": "a", "note": None,
                                                                             "port": "http"}})
    assert code == 201, created


def test_status_subresource(chain):
    """With a status subresource the main resource ignores status and /status changes only status,
    validated by the schema."""
    widget = {**WIDGET, "status": {"ready": True}}
    code, created = call(chain, "POST", widgets(chain), widget)
    assert code == 201 and "status" not in created
    code, updated = call(chain, "PUT", widgets(chain, "w1") + "/status",
                         {**created, "spec": {"image": "changed"}, "status": {"ready": True}})
    assert code == 200, updated
    assert updated["status"] == {"ready": True} and updated["spec"]["image"] == "nginx"
    assert updated["metadata"]["generation"] == 1
    code, status = call(chain, "PUT", widgets(chain, "w1") + "/status", {**updated, "status": {"ready": "yes"}})
    assert code == 422
    assert status["message"] == ('Widget.example.com "w1" is invalid: status.ready: Invalid value: "string": '
                                 'status.ready in body must be of type boolean: "string"')


def test_a_custom_resources_status_converts_to_a_table(chain):
    """The CRD handler's status storage carries its store's TableConvertor, so, unlike a built-in
    kind's status, /status answers the Table asked for (the real kube-apiserver 1.24 does)."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, table = call(chain, "GET", widgets(chain, "w1") + "/status",
                       accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert (code, table["kind"], table["rows"][0]["cells"][0]) == (200, "Table", "w1")


def test_a_custom_object_of_another_kind_is_invalid_in_its_own_name(chain):
    """The CRD handler decodes any kind; the strategy's ValidateTypeMeta refuses one that is not
    the resource's, and says nothing else (what the real kube-apiserver 1.24 answers)."""
    code, status = call(chain, "POST", widgets(chain), {**WIDGET, "kind": "Other", "spec": {"image": 5}})
    assert (code, status["message"]) == (422, 'Other.example.com "w1" is invalid: kind: Invalid value: "Other": '
                                              'must be Widget')


def test_merge_and_json_patch_but_no_strategic_merge(chain):
    """Custom resources take merge and JSON patches; a strategic merge patch is 415."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, patched = call(chain, "PATCH", widgets(chain, "w1"), {"spec": {"replicas": 3}},
                         content_type="application/merge-patch+json")
    assert code == 200 and patched["spec"]["replicas"] == 3
    code, patched = call(chain, "PATCH", widgets(chain, "w1"), [{"op": "replace", "path": "/spec/image",
                                                                 "value": "redis"}],
                         content_type="application/json-patch+json")
    assert code == 200 and patched["spec"]["image"] == "redis"
    code, status = call(chain, "PATCH", widgets(chain, "w1"), {"spec": {"replicas": 4}},
                        content_type="application/strategic-merge-patch+json")
    assert code == 415
    assert status["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


@pytest.mark.parametrize("metadata,problem", [
    ({"generateName": 1}, "json: cannot unmarshal number into Go struct field ObjectMeta.generateName of type string"),
    ({"finalizers": "x"}, "json: cannot unmarshal string into Go struct field ObjectMeta.finalizers of type []string"),
    ({"labels": {"a": 1}}, "json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string"),
    ({"ownerReferences": [{"uid": 1}]},
     "json: cannot unmarshal number into Go struct field OwnerReference.ownerReferences.uid of type types.UID"),
])
def test_metadata_of_the_wrong_type_is_the_object_meta_decoders_error(chain, metadata, problem):
    """The CRD handler unmarshals a custom object's metadata into ObjectMeta on its own
    (GetObjectMeta): a value of the wrong JSON type is a create's 400 and a merge patch's 422, the
    field's path starting at ObjectMeta (seen from the real 1.24 server)."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, status = call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "w2", **metadata}})
    assert (code, status["message"]) == (400, f'Widget in version "v1" cannot be handled as a Widget: {problem}')
    code, status = call(chain, "PATCH", widgets(chain, "w1"), {"metadata": metadata},
                        content_type="application/merge-patch+json")
    assert (code, status["details"]["causes"][0]["field"]) == (422, "patch")
    assert status["message"].endswith(f": {problem}")


def test_a_patch_that_makes_the_kind_no_string_is_invalid_in_the_meta_factorys_words(chain):
    """The patched object goes through the unstructured codec, which reads apiVersion and kind
    into strings first: a number there is an invalid patch, not a kind "7"."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, status = call(chain, "PATCH", widgets(chain, "w1"), {"kind": 7}, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].endswith(": couldn't get version/kind; json parse error: json: cannot unmarshal number "
                                      "into Go struct field .kind of type string")


@pytest.mark.parametrize("method,name,body", [("GET", "", None), ("GET", "absent", None), ("POST", "", b"{")])
def test_a_client_that_takes_only_protobuf_is_refused_before_anything_else(chain, method, name, body):
    """The CRD handler's StandardSerializers have no protobuf, so every handler's first step,
    NegotiateOutputMediaType, refuses a client that takes nothing else: 406 before a lookup or a
    decode, its Status itself in protobuf (seen from the real 1.24 server)."""
    code, raw = call(chain, method, widgets(chain, name), body, accept=protobuf.MEDIA_TYPE)
    status = protobuf.decode(raw)
    assert (code, status["reason"], status["message"]) == (
        406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml, "
                              "application/vnd.kubernetes.protobuf")


def _envelope(api_version: bytes, kind: bytes, raw: bytes = b"") -> bytes:
    type_meta = protobuf.put(1, 2, api_version) + protobuf.put(2, 2, kind)
    return protobuf.MAGIC + protobuf.put(1, 2, type_meta) + protobuf.put(2, 2, raw)


@pytest.mark.parametrize("method,name,body,message", [
    ("POST", "", _envelope(b"", b"", b"\x0a\x04\x0a\x02w9"),
     "Widget in version \"v1\" cannot be handled as a Widget: Object 'Kind' is missing in 'object has no kind field '"),
    ("PUT", "w9", _envelope(b"v9", b"Gadget"),
     "Gadget in version \"v9\" cannot be handled as a Widget: Object 'Kind' is missing in 'object has no kind field '"),
    ("POST", "", b"k8s\x00\x0a\xff", "the object provided is unrecognized (must be of type Widget): unexpected EOF "
                                      "(6b3873000aff)"),
])
def test_a_protobuf_body_never_decodes_into_a_custom_object(chain, method, name, body, message):
    """The CRD handler's protobuf serializer reads the envelope, then asks the kind of the empty
    Unstructured it decodes into, which has none: every protobuf body is a 400 naming the kind
    and version the envelope gave (or the endpoint's), as kube-apiserver 1.24 answers."""
    code, status = call(chain, method, widgets(chain, name), body, content_type=protobuf.MEDIA_TYPE)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


@pytest.mark.parametrize("name,accept,message", [
    ("", "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
     "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)"),
    ("w1", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
     "content is not a list"),
])
def test_metadata_of_the_wrong_shape_names_the_unstructured_type(chain, name, accept, message):
    """The CRD handler serves unstructured objects: the 406 for a list names their Go type as %T
    does; for one object, upstream's list accessor refuses it with a 500 (a 406 here, in its words)."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, status = call(chain, "GET", widgets(chain, name), accept=accept)
    assert (code, status["message"]) == (406, message)


@pytest.mark.parametrize("method", ["OPTIONS", "PROPFIND", "get"])
def test_a_method_with_no_verb_is_the_crd_handlers_405(chain, method):
    """The CRD handler serves by the request's verb, and a method that has none (verb "", `get`
    too: methods are case-sensitive) is NewMethodNotSupported's 405, naming the resource (seen
    from the real 1.24 server)."""
    code, status = call(chain, method, widgets(chain))
    assert (code, status["reason"], status["message"], status["details"]) == (
        405, "MethodNotAllowed", ' is not supported on resources of kind "widgets.example.com"',
        {"group": "example.com", "kind": "widgets"})


def test_head_is_served_as_get(chain):
    """HEAD's verb is get (or list): the CRD handler serves it, unlike go-restful's routes."""
    call(chain, "POST", widgets(chain), WIDGET)
    assert call(chain, "HEAD", widgets(chain))[0] == 200
    assert call(chain, "HEAD", widgets(chain, "absent"))[0] == 404


@pytest.mark.parametrize("suffix,code,message", [
    ("/bogus", 404, 'widgets.example.com "w1" not found'),
    ("/scale", 404, 'widgets.example.com "w1" not found'),  # no scale subresource in this CRD
    ("/status/extra", 200, None),  # no part past the subresource is read
    ("//status", 200, None),  # an empty subresource is none: the object itself
])
def test_the_crd_handler_routes_by_the_subresource_alone(chain, suffix, code, message):
    """The CRD handler serves the status and scale it has, reads nothing past the subresource,
    and answers any other subresource as its object not found (seen from the real 1.24 server)."""
    call(chain, "POST", widgets(chain), WIDGET)
    answer_code, answer = call(chain, "GET", widgets(chain, "w1") + suffix)
    assert (answer_code, answer.get("message")) == (code, message)


def test_table_has_the_printer_columns(chain):
    """A Table of custom objects has Name, then the CRD's additionalPrinterColumns."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, table = call(chain, "GET", widgets(chain), accept=TABLE)
    assert code == 200
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Replicas", "Image"]
    assert table["rows"][0]["cells"] == ["w1", 1, "nginx"]


def test_table_columns_are_described_as_the_crd_handler_describes_them(chain):
    """Name is described by ObjectMeta's swagger doc; a column keeps the format the CRD gives it;
    a number column writes a whole float64 without a fraction; includeObject=None leaves each row's
    object null; an empty continue is left out (seen from the real 1.24 server)."""
    crd = crd_with()
    crd["spec"]["versions"][0]["additionalPrinterColumns"] = [
        {"name": "Replicas", "type": "number", "jsonPath": ".spec.replicas", "format": "double"}]
    assert call(chain, "POST", CRDS, crd)[0] == 201
    gadgets = f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets"
    call(chain, "POST", gadgets, {**WIDGET, "kind": "Gadget", "spec": {"image": "nginx", "replicas": 2}})
    raw = chain.handle(Request("GET", gadgets, {"includeObject": ["None"]}, {"Accept": TABLE}, b"")).body
    table = json.loads(raw)
    name, replicas = table["columnDefinitions"]
    assert name["description"].startswith("Name must be unique within a namespace. Is required when creating")
    assert (name["format"], replicas["format"]) == ("name", "double")
    assert b'"cells":["w1",2]' in raw and table["rows"][0]["object"] is None
    assert "continue" not in table["metadata"]
    call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


def test_a_default_added_to_the_crd_later_shows_on_reads(chain):
    """The storage decoder defaults what it reads with the schema of today, so an object written
    before a default existed reads with it (seen from the real 1.24 server)."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, crd = call(chain, "GET", f"{CRDS}/widgets.example.com")
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["tier"] = {"type": "string", "default": "gold"}
    assert call(chain, "PUT", f"{CRDS}/widgets.example.com", crd)[0] == 200
    assert call(chain, "GET", widgets(chain, "w1"))[1]["spec"]["tier"] == "gold"
    assert call(chain, "GET", widgets(chain))[1]["items"][0]["spec"]["tier"] == "gold"


def test_a_field_the_crd_stops_preserving_is_pruned_on_reads_by_a_schema_without_defaults(chain):
    """The storage decoder (schemaCoercingDecoder) prunes every read by today's schema, whether
    or not the schema has defaults: an object written while `extra` kept unknown fields reads
    without them once the CRD stops keeping them."""
    call(chain, "POST", widgets(chain), {**WIDGET, "spec": {"image": "nginx", "extra": {"x": 1}}})
    code, crd = call(chain, "GET", f"{CRDS}/widgets.example.com")
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    del spec["properties"]["replicas"]["default"]
    spec["properties"]["extra"] = {"type": "object"}
    assert call(chain, "PUT", f"{CRDS}/widgets.example.com", crd)[0] == 200
    assert call(chain, "GET", widgets(chain, "w1"))[1]["spec"] == {"image": "nginx", "replicas": 1, "extra": {}}
    assert call(chain, "GET", widgets(chain))[1]["items"][0]["spec"]["extra"] == {}


def test_an_emptied_stored_versions_is_defaulted_to_the_storage_version(chain):
    """SetDefaults_CustomResourceDefinition: a status write leaving storedVersions empty gets
    the storage version back (seen from the real 1.24 server)."""
    code, crd = call(chain, "PATCH", f"{CRDS}/widgets.example.com/status", {"status": {"storedVersions": []}},
                     content_type="application/merge-patch+json")
    assert (code, crd["status"]["storedVersions"]) == (200, ["v1"])


def test_table_defaults_to_age(chain):
    """A version without additionalPrinterColumns prints Name and Age."""
    crd = crd_with(spec__scope="Cluster")
    del crd["spec"]["versions"][0]["additionalPrinterColumns"]
    assert call(chain, "POST", CRDS, crd)[0] == 201
    call(chain, "POST", "/apis/example.com/v1/gadgets", {**WIDGET, "kind": "Gadget", "metadata": {"name": "g"}})
    code, table = call(chain, "GET", "/apis/example.com/v1/gadgets", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Age"]
    assert table["rows"][0]["cells"] == ["g", "90s"]
    call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


def test_discovery_lists_the_group_and_resource(chain):
    """/apis lists the CRD's group; its version lists the resource with short names, categories
    and the status subresource."""
    groups = call(chain, "GET", "/apis")[1]["groups"]
    assert {"name": "example.com", "versions": [{"groupVersion": "example.com/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "example.com/v1", "version": "v1"}} in groups
    code, resources = call(chain, "GET", "/apis/example.com/v1")
    assert code == 200
    widget, status = resources["resources"]
    assert widget["name"] == "widgets" and widget["shortNames"] == ["wg"] and widget["categories"] == ["all"]
    assert widget["namespaced"] and widget["kind"] == "Widget"
    assert status["name"] == "widgets/status"


@pytest.mark.parametrize("method, path", [
    ("GET", "/apis/example.com/v2"), ("GET", "/apis/example.com/v1/bogus"), ("GET", "/apis/example.com/v2/widgets"),
    ("GET", "/apis/example.com/v1/widgets/w1"), ("DELETE", "/apis/example.com/v1/widgets"),
    ("GET", "/apis/example.com/v1/namespaces/default/bogus")])
def test_a_miss_in_a_custom_group_is_gos_plain_404(chain, method, path):
    """A group only custom resources are in has no go-restful web service: what the CRD handler
    does not serve (another version or resource, a namespaced one outside a namespace but to list
    or watch) goes on to the end of the chain, Go's plain 404 (as the real 1.24 server answers)."""
    assert call(chain, method, path) == (404, b"404 page not found\n")


@pytest.mark.parametrize("method, accept, code", [
    ("POST", "application/json", 200), ("DELETE", "application/json", 200), ("GET", "application/*", 200),
    ("GET", "text/html", 406)])
def test_a_custom_group_versions_discovery_is_a_plain_handler(chain, method, accept, code):
    """The CRD's version discovery answers any method as a GET and only its negotiation refuses
    an Accept (the serializers' 406, not go-restful's)."""
    answer = call(chain, method, "/apis/example.com/v1", accept=accept)
    assert answer[0] == code
    if code == 406:
        assert answer[1]["message"] == ("only the following media types are accepted: application/json, "
                                        "application/yaml, application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("options, message", [
    ({"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"},
     'no kind "DeleteOptions" is registered for version "meta.k8s.io/v1" in scheme '
     '"k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:55"'),
    ({"kind": "Widget", "apiVersion": "example.com/v1"},
     'no kind "Widget" is registered for version "example.com/v1" in scheme '
     '"k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:55"'),
    ({"apiVersion": "v1"}, """Object 'Kind' is missing in '{"apiVersion": "v1"}'"""),
])
def test_a_collection_delete_refuses_options_the_crd_codec_does_not_decode(chain, options, message):
    """DeleteCollection decodes its body with the CRD's codec, which knows DeleteOptions of v1 and
    of the resource's own version only: anything else deletes nothing. The real 1.24 server hands
    the decoder's error on as no Status, a 500 with no reason; a client's mistake is a 400 here,
    in the decoder's words."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, status = call(chain, "DELETE", widgets(chain), options)
    assert (code, status.get("reason", ""), status["message"]) == (400, "BadRequest", message)
    assert call(chain, "GET", widgets(chain, "w1"))[0] == 200
    for accepted in ({"kind": "DeleteOptions", "apiVersion": "v1"}, {"kind": "DeleteOptions", "apiVersion": "example.com/v1"}):
        assert call(chain, "DELETE", widgets(chain), {**accepted, "dryRun": ["All"]})[0] == 200


@pytest.mark.parametrize("method, content_type", [("PUT", "application/json"), ("PATCH", "application/merge-patch+json")])
def test_an_update_of_the_collection_wants_a_name(chain, method, content_type):
    """The CRD handler serves PUT and PATCH by their verbs on any path: on the collection the
    naming finds no name, a 400 (as the real 1.24 server says), not go-restful's 405."""
    code, status = call(chain, method, widgets(chain), WIDGET, content_type=content_type)
    assert (code, status["message"]) == (400, "name must be provided")


def test_deleting_the_crd_deletes_its_objects_and_stops_serving(chain):
    """Once the CRD is deleted its objects are gone from etcd and its group is a 404."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, _ = call(chain, "DELETE", f"{CRDS}/widgets.example.com")
    assert code == 200
    assert call(chain, "GET", widgets(chain))[0] == 404
    assert chain.rest.registry.storage.list("/registry/example.com/widgets/").items == []


HELD = {**WIDGET, "metadata": {"name": "held", "finalizers": ["example.com/hold"]}}
MERGE = "application/merge-patch+json"


def terminating_condition(crd: dict) -> tuple:
    found = [c for c in crd["status"]["conditions"] if c["type"] == "Terminating"]
    return tuple((c["status"], c["reason"], c["message"]) for c in found)


def release(chain, name: str = "held") -> int:
    """Remove the finalizer that holds `name`; the PATCH's code."""
    return call(chain, "PATCH", widgets(chain, name), {"metadata": {"finalizers": None}}, content_type=MERGE)[0]


def test_deleting_a_crd_only_marks_it_with_the_cleanup_finalizer(chain):
    """The CRD REST's Delete answers the CRD marked, not gone: a deletionTimestamp, the
    customresourcecleanup finalizer and Terminating InstanceDeletionPending (as the real 1.24
    server answers); the finalizer controller then says InstanceDeletionInProgress while an
    object's own finalizer holds it."""
    call(chain, "POST", widgets(chain), HELD)
    code, crd = call(chain, "DELETE", f"{CRDS}/widgets.example.com")
    assert code == 200 and crd["metadata"]["deletionTimestamp"]
    assert crd["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert terminating_condition(crd) == (("True", "InstanceDeletionPending", "CustomResourceDefinition marked for "
                                                   "deletion; CustomResource deletion will begin soon"),)
    code, crd = call(chain, "GET", f"{CRDS}/widgets.example.com")
    assert code == 200
    assert terminating_condition(crd) == (("True", "InstanceDeletionInProgress", "CustomResource deletion is in progress"),)
    assert release(chain) == 200


def test_an_object_with_its_own_finalizer_holds_the_crd_until_released(chain):
    """The finalizer controller deletes each object through its own deletion: one without
    finalizers goes at once, one with a finalizer is only marked and keeps the CRD (and its group)
    until its finalizer is removed; then the CRD is gone."""
    call(chain, "POST", widgets(chain), HELD)
    call(chain, "POST", widgets(chain), WIDGET)
    call(chain, "DELETE", f"{CRDS}/widgets.example.com")
    assert call(chain, "GET", widgets(chain, "w1"))[0] == 404
    code, held = call(chain, "GET", widgets(chain, "held"))
    assert code == 200 and held["metadata"]["deletionTimestamp"]
    assert call(chain, "GET", f"{CRDS}/widgets.example.com")[0] == 200
    assert release(chain) == 200
    assert call(chain, "GET", f"{CRDS}/widgets.example.com")[0] == 404
    assert call(chain, "GET", widgets(chain))[0] == 404


def test_a_terminating_crd_refuses_creates_but_serves_the_rest(chain):
    """While the CRD terminates its objects are still read, listed, updated and deleted, but a
    create (a dry run too) is a 405 MethodNotAllowed in the crdHandler's words (real 1.24 server)."""
    call(chain, "POST", widgets(chain), HELD)
    call(chain, "DELETE", f"{CRDS}/widgets.example.com")
    for query in ({}, {"dryRun": "All"}):
        code, status = call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "w2"}}, query=query)
        assert (code, status["reason"], status["message"], status["details"]) == (
            405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating",
            {"group": "example.com", "kind": "widgets"})
    assert call(chain, "GET", widgets(chain))[1]["items"][0]["metadata"]["name"] == "held"
    assert call(chain, "PATCH", widgets(chain, "held"), {"metadata": {"labels": {"a": "b"}}}, content_type=MERGE)[0] == 200
    assert release(chain) == 200


def test_discovery_lists_no_writes_but_deletes_of_a_terminating_crd(chain):
    """The discovery controller lists delete, deletecollection, get, list and watch only for a
    terminating CRD's resource (as the real 1.24 server's group version shows)."""
    call(chain, "POST", widgets(chain), HELD)
    call(chain, "DELETE", f"{CRDS}/widgets.example.com")
    code, listed = call(chain, "GET", "/apis/example.com/v1")
    assert code == 200
    assert listed["resources"][0]["verbs"] == ["delete", "deletecollection", "get", "list", "watch"]
    assert release(chain) == 200


def test_a_collection_delete_of_crds_removes_them_at_once_leaving_their_objects(chain):
    """Store.DeleteCollection calls the Store's Delete, not the CRD REST's: each CRD is gone at
    once and its group no longer served, but no finalizer deletes its objects, which a CRD made
    again under that name serves again (as the real 1.24 server does)."""
    call(chain, "POST", widgets(chain), WIDGET)
    assert call(chain, "DELETE", CRDS)[0] == 200
    assert call(chain, "GET", f"{CRDS}/widgets.example.com")[0] == 404
    assert call(chain, "GET", widgets(chain))[0] == 404
    assert call(chain, "POST", CRDS, CRD)[0] == 201
    assert call(chain, "GET", widgets(chain, "w1"))[0] == 200


def test_a_crd_delete_checks_its_uid_precondition_in_the_crd_rests_words(chain):
    """The CRD REST's Delete checks a uid precondition itself, before and while the CRD
    terminates: a 409 Conflict saying `Precondition failed: UID in precondition: ..., UID in
    object meta: ...` (real 1.24), not the Store's wording."""
    call(chain, "POST", widgets(chain), HELD)
    uid = call(chain, "GET", f"{CRDS}/widgets.example.com")[1]["metadata"]["uid"]
    wrong = {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}
    expected = ('Operation cannot be fulfilled on customresourcedefinitions.apiextensions.k8s.io "widgets.example.com": '
                f"Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, "
                f"UID in object meta: {uid}")
    for _ in ("active", "terminating"):
        code, status = call(chain, "DELETE", f"{CRDS}/widgets.example.com", wrong)
        assert (code, status["reason"], status["message"]) == (409, "Conflict", expected)
        assert call(chain, "DELETE", f"{CRDS}/widgets.example.com")[0] == 200
    assert release(chain) == 200


def test_crd_served_after_restart(chain, etcd):  # noqa: F811
    """A new registry on the same etcd serves the CRDs stored there."""
    call(chain, "POST", widgets(chain), WIDGET)
    fresh = HandlerChain(Registry(etcd, ManualClock(NOW)))
    code, widget = call(fresh, "GET", widgets(chain, "w1"))
    assert code == 200 and widget["spec"]["image"] == "nginx"


def test_an_update_without_resource_version_is_invalid(chain):
    """Neither the CRD strategy nor the custom resource strategy allows an unconditional update: a
    PUT without metadata.resourceVersion is Invalid, named by the resource (Store.Update)."""
    call(chain, "POST", widgets(chain), WIDGET)
    code, status = call(chain, "PUT", widgets(chain, "w1"), WIDGET)
    assert (code, status["message"]) == (422, 'widgets.example.com "w1" is invalid: metadata.resourceVersion: '
                                              'Invalid value: 0x0: must be specified for an update')
    code, status = call(chain, "PUT", f"{CRDS}/widgets.example.com", CRD)
    assert (code, status["message"]) == (
        422, 'customresourcedefinitions.apiextensions.k8s.io "widgets.example.com" is invalid: '
             'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update')


def test_a_custom_objects_status_update_is_written_sorted_too(chain):
    """The status subresource puts the stored spec back after the status sent: the object is
    still written as a map, its keys sorted."""
    code, created = call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "status-sorted"}})
    assert code == 201, created
    reversed_keys = {"status": {"ready": True}, **{key: created[key] for key in reversed(created)}}
    code, updated = call(chain, "PUT", widgets(chain, "status-sorted") + "/status", reversed_keys)
    assert code == 200, updated
    assert list(updated) == ["apiVersion", "kind", "metadata", "spec", "status"]


def test_a_stored_pattern_go_cannot_compile_fails_the_value_not_the_request():
    """kube-openapi's validate.Pattern: a CRD stored before its pattern was checked (a lookaround)
    refuses each value with the compile error in the message; it is never a 500."""
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "(?=a)a"}}}
    assert crdschema.validate(schema, {"a": "a"}) == [
        "a: Invalid value: \"a\": a in body should match '(?=a)a, but pattern is invalid: "
        "error parsing regexp: invalid or unsupported Perl syntax: `(?=`'"]


def test_zero_values_on_the_root_metadata_schema_say_nothing(chain):
    """validateStructuralMetadataInvariants compares Go's struct, where `nullable: false`,
    `description: ""`, `x-kubernetes-embedded-resource: false` or `enum: []` are no field at all
    (the real 1.24 server takes this schema)."""
    metadata = {"type": "object", "nullable": False, "description": "", "x-kubernetes-embedded-resource": False,
                "title": "", "format": "", "uniqueItems": False, "exclusiveMinimum": False, "exclusiveMaximum": False,
                "pattern": "", "x-kubernetes-int-or-string": False, "enum": [], "allOf": [], "anyOf": [], "oneOf": [],
                "properties": {"name": {"type": "string"}}}
    code, crd = call(chain, "POST", CRDS, crd_with(spec__versions__0__schema={"openAPIV3Schema": {
        "type": "object", "properties": {"metadata": metadata}}}))
    call(chain, "DELETE", f"{CRDS}/gadgets.example.com")
    assert code == 201, crd


def test_of_two_crds_created_at_once_with_one_kind_only_one_is_accepted(chain):
    """Upstream's naming controller is one worker deciding one CRD at a time: of two CRDs of the
    group created at once with kind Gizmo, one has its names accepted and the other is told its
    list kind is in use (real 1.24: 4 at once, one accepted). Here the rival's create starts while
    the first is between reading its group's CRDs and writing itself."""
    def gizmos(plural: str) -> dict:
        return crd_with(spec__names={"plural": plural, "singular": plural[:-1], "kind": "Gizmo"},
                        metadata__name=f"{plural}.example.com")

    storage, rival = chain.registry.storage, {}
    write = storage.create

    def create_with_a_rival_starting(key, obj, *args):
        if "gizmo" in key and not rival:
            rival["thread"] = threading.Thread(target=lambda: call(chain, "POST", CRDS, gizmos("gizmobs")))
            rival["thread"].start()
            rival["thread"].join(0.5)  # long enough for the rival to write itself, unless it must wait
        return write(key, obj, *args)

    storage.create = create_with_a_rival_starting
    try:
        assert call(chain, "POST", CRDS, gizmos("gizmoas"))[0] == 201
        rival["thread"].join(10)
    finally:
        storage.create = write
    try:
        accepted = sorted(conditions(call(chain, "GET", f"{CRDS}/{plural}.example.com")[1])[0]
                          for plural in ("gizmoas", "gizmobs"))
    finally:
        for plural in ("gizmoas", "gizmobs"):
            call(chain, "DELETE", f"{CRDS}/{plural}.example.com")
    assert accepted == [("NamesAccepted", "False", "ListKindConflict", '"GizmoList" is already in use'),
                        ("NamesAccepted", "True", "NoConflicts", "no conflicts found")]


def test_a_crd_written_during_anothers_admission_goes_ahead_and_sees_its_names_claimed(chain):
    """A CRD's names are decided before admission and stay claimed through it: a CRD of the same
    group written while another is in validating admission is not held up until that one is
    stored, and is not accepted with the kind the first one claimed."""
    answers = {}
    rival = crd_with(spec__names={"plural": "gadgetz", "singular": "gadgetz", "kind": "Gadget",
                                  "listKind": "GadgetzList"}, metadata__name="gadgetz.example.com")

    def admission_writing_a_crd(obj: dict) -> None:
        writer = threading.Thread(target=lambda: answers.setdefault("rival", call(chain, "POST", CRDS, rival)))
        writer.start()
        writer.join(3)
        answers["done during admission"] = not writer.is_alive()

    registry = chain.rest.registry
    try:
        registry.create("customresourcedefinitions", None, crd_with(), create_validation=admission_writing_a_crd)
        assert answers["done during admission"]
        code, created = answers["rival"]
        assert code == 201, created
        stored = call(chain, "GET", f"{CRDS}/gadgetz.example.com")[1]
        assert conditions(stored)[0] == ("NamesAccepted", "False", "KindConflict", '"Gadget" is already in use')
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgetz.example.com")
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


def test_the_refresh_that_lists_crds_last_is_the_one_whose_view_stays(chain):
    """CRD writes run side by side: a refresh of the served resources that listed before another
    CRD was written does not overwrite, after it, the view of a refresh that listed that CRD."""
    registry = chain.rest.registry
    storage, list_ = registry.storage, registry.storage.list
    second_done, slow = threading.Event(), {"thread": threading.current_thread()}

    def list_then_wait(prefix, *args, **kwargs):
        listed = list_(prefix, *args, **kwargs)
        if "customresourcedefinitions" in prefix and threading.current_thread() is slow.pop("thread", None):
            writer = threading.Thread(target=lambda: (call(chain, "POST", CRDS, crd_with()), second_done.set()))
            writer.start()
            second_done.wait(0.5)
        return listed

    storage.list = list_then_wait
    try:
        registry._refresh_custom_resources()
        second_done.wait(5)
        assert any(r.plural == "gadgets" for r in registry.custom_resources())
    finally:
        storage.list = list_
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


@pytest.mark.parametrize("spec, problem", [
    ({"image": "nginx", "bogus": 1}, ".spec.bogus: field not declared in schema"),
    ({"image": "nginx", "replicas": "two"}, ".spec.replicas: expected numeric (int or float), got string")])
def test_an_apply_is_typed_by_the_crds_schema(chain, spec, problem):
    """Server-side apply types a custom object by its CRD's schema (buildOpenAPIModelsForApply):
    a field the schema does not declare, or a value of another type, does not type, before any
    pruning (upstream's words; a plain 500 there, a 400 here as for the built-in kinds)."""
    applied = {**WIDGET, "metadata": {"name": "typed"}, "spec": spec}
    code, status = call(chain, "PATCH", widgets(chain, "typed"), applied, content_type="application/apply-patch+yaml",
                        query={"fieldManager": "m"})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", (
        f"failed to create typed patch object (/typed; example.com/v1, Kind=Widget): {problem}"))


def test_an_apply_types_a_field_that_keeps_unknown_fields_by_its_values(chain):
    """Below x-kubernetes-preserve-unknown-fields any field types; the map list of the CRD's
    schema is tracked item by item, as the real 1.24 server tracks it."""
    crd = crd_with(spec__versions__0__schema=spec_schema({
        "items": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "required": ["name"],
                            "properties": {"name": {"type": "string"}, "v": {"type": "string"}}}},
        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}))
    code, body = call(chain, "POST", CRDS, crd)
    assert code == 201, body
    try:
        applied = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"},
                   "spec": {"items": [{"name": "a", "v": "1"}], "extra": {"x": {"y": 1}}}}
        path = f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets/g"
        code, created = call(chain, "PATCH", path, applied, content_type="application/apply-patch+yaml",
                             query={"fieldManager": "m", "dryRun": "All"})
        assert code == 201, created
        assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:items"] == {
            'k:{"name":"a"}': {".": {}, "f:name": {}, "f:v": {}}}
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


KEEPS_UNKNOWN = {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {
    "replicas": {"type": "integer"}, "inner": {"type": "object", "properties": {"a": {"type": "string"}}}}}


@pytest.mark.parametrize("schema, spec, problem", [
    ({"type": "object", "properties": {"spec": KEEPS_UNKNOWN}}, {"replicas": "x", "other": 1},
     ".spec.replicas: expected numeric (int or float), got string"),
    ({"type": "object", "properties": {"spec": KEEPS_UNKNOWN}}, {"inner": {"a": 1, "b": 2}},
     ".spec.inner.a: expected string, got &value.valueUnstructured{Value:1}"),
    ({**KEEPS_UNKNOWN, "properties": {"spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}},
     "str", ".spec: expected map, got &{str}"),
    (None, {"replicas": 2, "other": 1, "inner": {"b": 2}}, None)])
def test_an_apply_types_the_declared_fields_of_a_node_that_keeps_unknown_fields(chain, schema, spec, problem):
    """schemaconv types the properties a node with x-kubernetes-preserve-unknown-fields declares
    (at the root too), and those of the objects below it, letting only undeclared members through
    untyped: a declared field of another type does not type, as the real 1.24 server answered
    (its 500, our 400)."""
    crd = crd_with(spec__versions__0__schema={"openAPIV3Schema": schema or {
        "type": "object", "properties": {"spec": KEEPS_UNKNOWN}}})
    code, body = call(chain, "POST", CRDS, crd)
    assert code == 201, body
    try:
        applied = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": spec}
        path = f"/apis/example.com/v1/namespaces/{chain.namespace}/gadgets/g"
        code, answer = call(chain, "PATCH", path, applied, content_type="application/apply-patch+yaml",
                            query={"fieldManager": "m", "dryRun": "All"})
        if problem is None:  # typed, then pruned: inner keeps no unknown fields of its own
            assert (code, answer["spec"]) == (201, {**spec, "inner": {}})
        else:
            assert (code, answer["message"]) == (400, "failed to create typed patch object (/g; example.com/v1, "
                                                      f"Kind=Gadget): {problem}")
    finally:
        call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


def test_a_create_of_a_custom_object_owns_its_spec_itself(chain):
    """A custom object is a map, so a create adds its spec (".") as well as the spec's fields,
    though the CRD's schema types the spec as an object of properties (1.24: f:spec has ".")."""
    code, created = call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "own"}},
                         query={"dryRun": "All"})
    assert code == 201, created
    assert created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"] == {".": {}, "f:image": {}, "f:replicas": {}}


# A CRD with every struct's keys in an order Go's is not, its maps unsorted too.
ODD_ORDER_CRD = (
    b'{"kind":"CustomResourceDefinition","metadata":{"name":"gizmos.example.com","labels":{"z":"1","a":"2"},'
    b'"annotations":{"y":"1","b":"2"}},"apiVersion":"apiextensions.k8s.io/v1","spec":{"versions":[{"storage":true,'
    b'"served":true,"name":"v1","additionalPrinterColumns":[{"type":"string","name":"X","jsonPath":".x"}],'
    b'"subresources":{"scale":{"statusReplicasPath":".status.r","specReplicasPath":".spec.r"},"status":{}},'
    b'"schema":{"openAPIV3Schema":{"properties":{"status":{"type":"object",'
    b'"x-kubernetes-preserve-unknown-fields":true},"spec":{"x-kubernetes-preserve-unknown-fields":true,'
    b'"type":"object","description":"d","default":{"z":1,"a":2}},"b":{"type":"array","items":{"type":"string",'
    b'"format":"byte"}},"a":{"type":"integer","maximum":5}},"type":"object"}}}],"scope":"Namespaced",'
    b'"names":{"singular":"gizmo","plural":"gizmos","kind":"Gizmo"},"group":"example.com"}}')


def key_orders(crd: dict) -> dict[str, list[str]]:
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    return {"crd": list(crd), "metadata": [key for key in crd["metadata"] if key != "resourceVersion"],
            "labels": list(crd["metadata"]["labels"]), "spec": list(crd["spec"]), "names": list(crd["spec"]["names"]),
            "version": list(version), "column": list(version["additionalPrinterColumns"][0]),
            "subresources": list(version["subresources"]), "scale": list(version["subresources"]["scale"]),
            "schema": list(schema), "properties": list(schema["properties"]),
            "property": list(schema["properties"]["spec"]), "default": list(schema["properties"]["spec"]["default"]),
            "status": list(crd["status"])}


@pytest.mark.parametrize("query", [{}, {"dryRun": "All"}], ids=["create", "dry-run"])
def test_a_crd_is_written_in_its_go_structs_field_order(chain, query):
    """A CustomResourceDefinition is a typed object: encoding/json writes each struct's fields in the
    Go struct's order (ObjectMeta's too), each map's keys sorted, and a default as the internal
    type's interface{} again, whatever order the client wrote them in. The real 1.24 server answers
    this create, its dry run and a read of it so (seen with curl); the reference kept the client's
    order."""
    response = chain.handle(Request("POST", CRDS, {k: [v] for k, v in query.items()},
                                    {"Accept": "application/json", "Content-Type": "application/json"},
                                    ODD_ORDER_CRD))
    assert response.code == 201, response.body
    answers = [json.loads(response.body)]
    if not query:
        answers.append(call(chain, "GET", f"{CRDS}/gizmos.example.com")[1])
        call(chain, "DELETE", f"{CRDS}/gizmos.example.com")
    for answer in answers:
        assert key_orders(answer) == {
            "crd": ["kind", "apiVersion", "metadata", "spec", "status"],
            "metadata": ["name", "uid", "generation", "creationTimestamp", "labels", "annotations", "managedFields"],
            "labels": ["a", "z"], "spec": ["group", "names", "scope", "versions", "conversion"],
            "names": ["plural", "singular", "kind", "listKind"],
            "version": ["name", "served", "storage", "schema", "subresources", "additionalPrinterColumns"],
            "column": ["name", "type", "jsonPath"], "subresources": ["status", "scale"],
            "scale": ["specReplicasPath", "statusReplicasPath"], "schema": ["type", "properties"],
            "properties": ["a", "b", "spec", "status"],
            "property": ["description", "type", "default", "x-kubernetes-preserve-unknown-fields"],
            "default": ["a", "z"], "status": ["conditions", "acceptedNames", "storedVersions"]}


def test_the_naming_controller_owns_the_status_it_writes(chain):
    """The naming and establishing controllers update a CRD's status through the loopback client:
    as on the real 1.24 server, a managedFields entry of manager Go-http-client (Update, the status
    subresource) owns the accepted names and each condition they set, beside the creator's."""
    code, created = call(chain, "POST", CRDS, crd_with(), query={"fieldManager": "maker"})
    assert code == 201, created
    condition = {".": {}, "f:lastTransitionTime": {}, "f:message": {}, "f:reason": {}, "f:status": {}, "f:type": {}}
    entries = [{key: entry[key] for key in ("manager", "operation", "apiVersion", "subresource") if key in entry}
               for entry in created["metadata"]["managedFields"]]
    assert entries == [
        {"manager": "Go-http-client", "operation": "Update", "apiVersion": "apiextensions.k8s.io/v1",
         "subresource": "status"},
        {"manager": "maker", "operation": "Update", "apiVersion": "apiextensions.k8s.io/v1"}]
    assert created["metadata"]["managedFields"][0]["fieldsV1"] == {"f:status": {
        "f:acceptedNames": {"f:kind": {}, "f:plural": {}, "f:singular": {}, "f:listKind": {}},
        "f:conditions": {'k:{"type":"Established"}': condition, 'k:{"type":"NamesAccepted"}': condition}}}
    assert "f:status" not in created["metadata"]["managedFields"][1]["fieldsV1"]
    call(chain, "DELETE", f"{CRDS}/gadgets.example.com")


def _gizmos_in(chain, version: str) -> None:
    """A cluster-scoped Gizmo `g1` of example.com, its CRD serving only `version`."""
    gizmos = crd_with(spec__scope="Cluster", spec__versions__0__name=version)
    gizmos["metadata"]["name"] = "gizmos.example.com"
    gizmos["spec"]["names"] = {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"}
    assert call(chain, "POST", CRDS, gizmos)[0] == 201
    code, created = call(chain, "POST", f"/apis/example.com/{version}/gizmos", {
        "apiVersion": f"example.com/{version}", "kind": "Gizmo", "metadata": {"name": "g1"}, "spec": {"image": "x"}})
    assert code == 201, created


def test_a_list_in_namespace_dot_dot_reads_the_objects_of_the_group_in_its_versions(chain):
    """etcd3's store cleans `/registry/example.com/widgets/..` to the group's keys, and the
    unstructured codec decodes every object there stored in a version of the listed CRD: the real
    1.24 server lists a cluster-scoped example.com/v1 Gizmo beside the Widget, each with its own
    kind."""
    assert call(chain, "POST", widgets(chain), WIDGET)[0] == 201
    _gizmos_in(chain, "v1")
    code, listed = call(chain, "GET", "/apis/example.com/v1/namespaces/../widgets")
    assert (code, listed["kind"]) == (200, "WidgetList")
    found = {(item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]) for item in listed["items"]}
    assert {("Gizmo", None, "g1"), ("Widget", chain.namespace, "w1")} <= found
    call(chain, "DELETE", f"{CRDS}/gizmos.example.com")


def test_a_list_in_namespace_dot_dot_refuses_an_object_of_another_version(chain):
    """crConverter converts only from a version of its own CRD: with a Gizmo stored as
    example.com/v2 under the group's keys, the real 1.24 server answers a list of widgets (v1 only)
    in namespace `..` with 500 `request to convert CR from an invalid group/version:
    example.com/v2`; the reference gives those words with a 400, never a Gizmo made v1."""
    assert call(chain, "POST", widgets(chain), WIDGET)[0] == 201
    _gizmos_in(chain, "v2")
    code, status = call(chain, "GET", "/apis/example.com/v1/namespaces/../widgets")
    assert (code, status["message"]) == (400, "request to convert CR from an invalid group/version: example.com/v2")
    call(chain, "DELETE", f"{CRDS}/gizmos.example.com")
