"""The /openapi/v2 definitions a CRD publishes (crdopenapi), one rule per test; each expected
schema is what the real 1.24 apiserver served for the same CRD (compared side by side)."""
from __future__ import annotations

import json

from reference_impl.apiserver.core import crdopenapi, openapi
from reference_impl.apiserver.core.customresource import resources_for

WIDGETS = {"group": "example.com", "scope": "Namespaced",
           "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
           "versions": [{"name": "v1", "served": True, "storage": True,
                         "schema": {"openAPIV3Schema": {
                             "type": "object", "description": "A widget.",
                             "properties": {"spec": {"type": "object", "properties": {
                                 "size": {"type": "integer", "default": 1}}}}}}}]}
GVK = {"group": "example.com", "kind": "Widget", "version": "v1"}


def test_a_definition_is_named_by_the_reversed_group_version_and_kind():
    assert crdopenapi.definition_name("tools.example.org", "v1beta1", "Gadget") == "org.example.tools.v1beta1.Gadget"
    assert crdopenapi.definition_name("stable", "v1", "Thing") == "stable.v1.Thing"


def test_the_kind_has_the_objects_apiversion_kind_and_metadata_and_its_gvk():
    defined = crdopenapi.definitions_for(WIDGETS, WIDGETS["versions"][0])
    widget = defined["com.example.v1.Widget"]
    assert widget["x-kubernetes-group-version-kind"] == [GVK]
    assert widget["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    assert widget["properties"]["kind"] == crdopenapi.KIND and widget["description"] == "A widget."
    assert widget["properties"]["spec"] == {"type": "object", "properties": {"size": {"type": "integer"}}}


def test_the_list_kind_holds_items_of_the_kind():
    listed = crdopenapi.definitions_for(WIDGETS, WIDGETS["versions"][0])["com.example.v1.WidgetList"]
    assert listed["required"] == ["items"] and listed["description"] == "WidgetList is a list of Widget"
    assert listed["properties"]["items"]["items"] == {"$ref": "#/definitions/com.example.v1.Widget"}
    assert listed["x-kubernetes-group-version-kind"] == [{**GVK, "kind": "WidgetList"}]


def test_a_root_that_keeps_unknown_fields_publishes_a_bare_object():
    """kubectl would otherwise refuse every field the schema does not list."""
    version = {"name": "v1", "schema": {"openAPIV3Schema": {"type": "object",
                                                            "x-kubernetes-preserve-unknown-fields": True}}}
    assert crdopenapi.definitions_for(WIDGETS, version)["com.example.v1.Widget"] == {
        "type": "object", "x-kubernetes-group-version-kind": [GVK]}


def test_v2_has_no_nullable_and_a_nullable_property_is_not_required():
    fitted = crdopenapi.to_structural_openapi_v2({
        "type": "object", "required": ["maybe", "name"],
        "properties": {"maybe": {"type": "object", "nullable": True, "properties": {"x": {"type": "string"}}},
                       "name": {"type": "string"}}})
    assert fitted == {"type": "object", "required": ["name"], "properties": {"maybe": {}, "name": {"type": "string"}}}


def test_v2_has_no_junctors_nor_anything_below_a_field_that_keeps_unknown_fields():
    fitted = crdopenapi.to_structural_openapi_v2({"type": "object", "properties": {
        "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                 "properties": {"x": {"type": "string"}}},
        "anything": {"type": "array", "x-kubernetes-preserve-unknown-fields": True, "items": {"type": "string"}}}})
    assert fitted["properties"] == {"port": {"x-kubernetes-int-or-string": True},
                                    "free": {"x-kubernetes-preserve-unknown-fields": True},
                                    "anything": {"x-kubernetes-preserve-unknown-fields": True}}


def test_a_map_of_nullable_values_allows_no_other_properties():
    """The emptied value schema `{}` comes out as `false`: kube-openapi decodes a schema shorter
    than 4 bytes as a bool, as the real server serves it."""
    fitted = crdopenapi.to_structural_openapi_v2({"type": "object", "additionalProperties": {
        "type": "string", "nullable": True}})
    assert fitted == {"type": "object", "additionalProperties": False}


def test_an_embedded_resource_is_described_as_a_whole_object():
    version = {"name": "v1", "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "child": {"type": "object", "x-kubernetes-embedded-resource": True,
                  "properties": {"spec": {"type": "string"}}}}}}}
    child = crdopenapi.definitions_for(WIDGETS, version)["com.example.v1.Widget"]["properties"]["child"]
    assert child["required"] == ["kind", "apiVersion"]
    assert set(child["properties"]) == {"spec", "apiVersion", "kind", "metadata"}
    assert child["properties"]["kind"] == crdopenapi.EMBEDDED_KIND


def test_the_served_document_holds_the_custom_resources_definitions_and_paths():
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"}, "spec": WIDGETS,
           "status": {"conditions": [{"type": "Established", "status": "True"}],
                      "acceptedNames": WIDGETS["names"], "storedVersions": ["v1"]}}
    document = json.loads(openapi.swagger_json(resources_for(crd)))
    assert {"com.example.v1.Widget", "com.example.v1.WidgetList"} <= set(document["definitions"])
    item = document["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]
    assert item["patch"]["x-kubernetes-group-version-kind"] == GVK
    assert "com.example.v1.Widget" not in json.loads(openapi.swagger_json())["definitions"]
