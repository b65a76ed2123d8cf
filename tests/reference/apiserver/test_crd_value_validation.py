"""A custom object's values against its schema as kube-openapi's validator checks them: formats,
the junctors, enums and the validators that run whatever the type says; and embedded resources as
the decoder coerces and validation checks them. Every expected text was answered by the real
kube-apiserver 1.24 to the same object."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.core import crdobjectmeta, crdschema
from reference_impl.apiserver.core.crdvalidate import validate

EMBEDDED = {"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}


def spec(**properties) -> dict:
    return {"type": "object", "properties": {"spec": {"type": "object", "properties": properties}}}


@pytest.mark.parametrize("format_, value", [
    ("date", "2020-02-30"), ("date", "2020-1-01"), ("date-time", "2020-01-01 10:00"), ("datetime", "x"),
    ("date-time", "2020-01-01T24:00:00Z"), ("duration", "5 parsecs"), ("duration", "5"), ("uuid", "x"),
    ("uuid3", "00000000-0000-4000-8000-000000000000"), ("email", "nope"), ("email", "a b@c"), ("hostname", "my-host"),
    ("hostname", "-a"), ("hostname", "a.b"), ("hostname", "a_b"), ("hostname", "x" * 64), ("ipv4", "1.2.3"),
    ("ipv4", "1.2.3.256"), ("ipv6", "1.2.3.4"), ("ipv6", "fe80::1%eth0"), ("cidr", "10.0.0.0"), ("cidr", "1.2.3.4/33"),
    ("mac", "00:11"), ("uri", "x"), ("uri", "http://a b/"), ("uri", "http://[::1/"), ("uri", "http://a:x/"),
    ("byte", ""), ("byte", "aGk"), ("bsonobjectid", "x"), ("isbn", "123"), ("hexcolor", "#12"), ("rgbcolor", "rgb(1,2)"),
    ("ssn", "123-45-678"), ("creditcard", "1234"),
])
def test_a_supported_format_refuses_a_string_it_does_not_parse(format_, value):
    """strfmt's registry checks a string against each format the apiextensions validator keeps,
    and names the format as the schema writes it."""
    assert validate(spec(a={"type": "string", "format": format_}), {"spec": {"a": value}}) == [
        f'spec.a: Invalid value: "{value}": spec.a in body must be of type {format_}: "{value}"']


@pytest.mark.parametrize("format_, value", [
    ("int32", "x"), ("int64", "x"), ("float", "x"), ("double", "x"), ("bogus", "x"), ("password", ""),
    ("hostname", "a-b"), ("hostname", "é.com"), ("date-time", "2020-01-01t10:00:00z"),
    ("date-time", "2020-01-01T10:00:00.5+01:00"), ("duration", "5 minutes"), ("duration", "1.5h"), ("duration", "-1s"),
    ("ipv4", "001.2.3.4"), ("ipv4", "::ffff:1.2.3.4"), ("uri", "http://a/b#c"), ("uri", "mailto:x"), ("uri", "//a/b"),
    ("email", "A <a@b.c>"), ("email", "a@b"), ("byte", "aGk="), ("cidr", "::/0"), ("mac", "00-11-22-33-44-55"),
    ("mac", "0011.2233.4455"), ("isbn", "978-0-306-40615-7"), ("creditcard", "4111 1111 1111 1111"),
    ("ssn", "123 45 6789"), ("hexcolor", "fff"), ("rgbcolor", "rgb(255, 0, 0)"),
    ("bsonobjectid", "507f1f77bcf86cd799439011"),
])
def test_a_format_outside_the_supported_list_or_a_parsed_value_passes(format_, value):
    """int32, int64, float, double and unknown names are dropped before validating; the rest take
    what strfmt's parsers take."""
    assert validate(spec(a={"type": "string", "format": format_}), {"spec": {"a": value}}) == []


@pytest.mark.parametrize("node, value, errors", [
    # A format applies to a string or an array whatever the type; another value fails on it first.
    ({"type": "object", "format": "date"}, "2020-01-01", []),
    ({"type": "object", "format": "date"}, "x", ['spec.a: Invalid value: "x": spec.a in body must be of type date: "x"']),
    ({"type": "object", "format": "date"}, 5, ['spec.a: Invalid value: "int64": spec.a in body must be of type date: "int64"']),
    ({"type": "object", "format": "date"}, True, ['spec.a: Invalid value: "": spec.a in body must be of type date: ""']),
    ({"type": "integer", "format": "uuid"}, 1.5,
     ['spec.a: Invalid value: "float64": spec.a in body must be of type uuid: "float64"']),
    ({"type": "integer", "format": "uuid"}, "x",
     ['spec.a: Invalid value: "string": spec.a in body must be of type integer: "string"',
      'spec.a: Invalid value: "x": spec.a in body must be of type uuid: "x"']),
])
def test_the_type_validator_defers_to_a_format(node, value, errors):
    """typeValidator: with a format, a string or an array is not type checked, and a value of
    another kind must have the format's own type."""
    assert validate(spec(a=node), {"spec": {"a": value}}) == errors


@pytest.mark.parametrize("node, value, errors", [
    ({"type": "string", "anyOf": [{"maxLength": 2}, {"pattern": "^x"}]}, "abc",
     ['<nil>: Invalid value: "": "spec.a" must validate at least one schema (anyOf)',
      'spec.a: Invalid value: "abc": spec.a in body should be at most 2 chars long']),
    ({"type": "string", "anyOf": [{"maxLength": 2}, {"pattern": "^x"}]}, "xbc", []),
    ({"type": "integer", "oneOf": [{"minimum": 5}, {"maximum": 10}]}, 7,
     ['<nil>: Invalid value: "": "spec.a" must validate one and only one schema (oneOf). Found 2 valid alternatives']),
    ({"type": "integer", "oneOf": [{"minimum": 5}, {"maximum": 10}]}, 3, []),
    ({"type": "integer", "allOf": [{"minimum": 5}, {"maximum": 10}]}, 3,
     ['spec.a: Invalid value: 3: spec.a in body should be greater than or equal to 5',
      '<nil>: Invalid value: "": "spec.a" must validate all the schemas (allOf)']),
    ({"type": "string", "not": {"enum": ["bad"]}}, "bad",
     ['<nil>: Invalid value: "": "spec.a" must not validate the schema (not)']),
    ({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
      "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}, {},
     ['<nil>: Invalid value: "": "spec.a" must validate at least one schema (anyOf)', "spec.a.a: Required value"]),
])
def test_the_junctors_check_values_and_report_at_no_path(node, value, errors):
    """anyOf, oneOf, allOf and not hold for values; their own error is a composite one, which
    ValidateCustomResource puts at a nil path, and anyOf explains with its best failing branch."""
    assert validate(spec(a=node), {"spec": {"a": value}}) == errors


@pytest.mark.parametrize("node, value, errors", [
    # An int64 converts to a string of its rune, and a float64 to an int64 enum value by truncation.
    ({"x-kubernetes-int-or-string": True, "enum": [1, "a", 2.5]}, 97, []),
    ({"x-kubernetes-int-or-string": True, "enum": [1, "a", 2.5]}, 3,
     ['spec.a: Unsupported value: 3: supported values: "1", "a", "2.5"']),
    ({"type": "integer", "enum": [1, 2]}, 1.5,
     ['spec.a: Invalid value: "number": spec.a in body must be of type integer: "number"']),
    # The enum validator runs after a type or pattern error.
    ({"type": "integer", "enum": [1, 2]}, "1",
     ['spec.a: Invalid value: "string": spec.a in body must be of type integer: "string"',
      'spec.a: Unsupported value: "1": supported values: "1", "2"']),
    ({"type": "string", "enum": ["a", "b"], "pattern": "^z"}, "c",
     ["spec.a: Invalid value: \"c\": spec.a in body should match '^z'",
      'spec.a: Unsupported value: "c": supported values: "a", "b"']),
    # Objects compare with their number types: 1 and 1.0 differ.
    ({"type": "object", "x-kubernetes-preserve-unknown-fields": True, "enum": [{"a": 1}]}, {"a": 1}, []),
    ({"type": "object", "x-kubernetes-preserve-unknown-fields": True, "enum": [{"a": 1}, {"b": "x"}]}, {"a": 1.0},
     ['spec.a: Unsupported value: map[string]interface {}{"a":1}: supported values: "{\\"a\\":1}", '
      '"{\\"b\\":\\"x\\"}"']),
])
def test_enum_values_compare_as_go_converts_them(node, value, errors):
    """basicCommonValidator: a value matches an enum value it converts to; Unsupported shows an
    int64 bare and an object as %#v."""
    assert validate(spec(a=node), {"spec": {"a": value}}) == errors


@pytest.mark.parametrize("node, value, errors", [
    ({"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"}}, {"a": "x"},
     ["spec.a: Invalid value: 2: spec.a in body should have at least 2 properties"]),
    ({"type": "object", "maxProperties": 1, "additionalProperties": {"type": "integer"}}, {"a": 1, "b": "x"},
     ["spec.a: Invalid value: 1: spec.a in body should have at most 1 properties"]),
])
def test_a_property_count_error_stops_the_object_validator(node, value, errors):
    """objectValidator returns on minProperties or maxProperties: the members go unchecked."""
    assert validate(spec(a=node), {"spec": {"a": value}}) == errors


def test_a_default_is_validated_under_its_own_path():
    """ValidateDefaults reports the validator's errors under `<node>.default`; their texts name
    the default's own path, which is empty, and a junctor's error is at `<node>.default` too."""
    assert crdschema.validate({"type": "integer"}, "x", "p.default") == [
        'p.default: Invalid value: "string":  in body must be of type integer: "string"']
    assert crdschema.validate({"type": "integer", "not": {"minimum": 1}}, 5, "p.default") == [
        'p.default: Invalid value: "": "" must not validate the schema (not)']


def test_pruning_keeps_an_embedded_resources_type_meta_and_metadata():
    """An embedded resource's apiVersion, kind and metadata are never pruned, even when its schema
    does not name them."""
    schema = spec(embs={"type": "array", "items": {"type": "object", "x-kubernetes-embedded-resource": True,
                                                   "properties": {"spec": {"type": "string"}}}})
    obj = {"spec": {"embs": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "x": 1}]}}
    crdschema.prune(schema, obj)
    assert obj == {"spec": {"embs": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}]}}


def test_additional_properties_true_keeps_members_but_nothing_inside_their_objects():
    """additionalProperties true has no schema under it: a member stays, an object in it is
    emptied, as pruning with a nil schema does (seen from the real 1.24 server)."""
    obj = {"spec": {"any": {"k": {"deep": 1}, "s": 5, "l": [{"x": 1}, 2]}}}
    crdschema.prune(spec(any={"type": "object", "additionalProperties": True}), obj)
    assert obj == {"spec": {"any": {"k": {}, "s": 5, "l": [{}, 2]}}}


@pytest.mark.parametrize("emb, message", [
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}},
     'spec.emb.metadata: Invalid value: map[string]interface {}{"name":5}: json: cannot unmarshal number into Go '
     "struct field ObjectMeta.name of type string"),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": "x"},
     'spec.emb.metadata: Invalid value: "x": json: cannot unmarshal string into Go value of type v1.ObjectMeta'),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a b": "c"}, "annotations": {"x": 1}}},
     'spec.emb.metadata: Invalid value: map[string]interface {}{"annotations":map[string]interface {}{"x":1}, '
     '"labels":map[string]interface {}{"a b":"c"}}: json: cannot unmarshal number into Go struct field '
     "ObjectMeta.annotations of type string"),
    ({"apiVersion": 5, "kind": "Pod"}, "spec.emb.apiVersion: Invalid value: 5: must be a string"),
])
def test_the_decoder_refuses_an_embedded_resource_it_cannot_coerce(emb, message):
    """Coerce: apiVersion and kind strings, metadata an ObjectMeta (the handler's 400)."""
    with pytest.raises(crdobjectmeta.CoerceError) as raised:
        crdobjectmeta.coerce(spec(emb=EMBEDDED), {"spec": {"emb": emb}})
    assert str(raised.value) == message


def test_the_decoder_writes_an_embedded_resources_metadata_as_object_meta():
    """Unknown metadata fields and empty values go; what ObjectMeta holds stays."""
    obj = {"spec": {"emb": {"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": "p", "bogus": 1, "labels": {}, "annotations": {"a": ""}}}}}
    crdobjectmeta.coerce(spec(emb=EMBEDDED), obj)
    assert obj["spec"]["emb"]["metadata"] == {"name": "p", "annotations": {"a": ""}}


@pytest.mark.parametrize("emb, errors", [
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a/b"}},
     ["spec.emb.metadata.name: Invalid value: \"a/b\": may not contain '/'"]),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "a/", "namespace": "Bad"}},
     ["spec.emb.metadata.generateName: Invalid value: \"a/\": may not contain '/'",
      'spec.emb.metadata.namespace: Invalid value: "Bad": a lowercase RFC 1123 label must consist of lower case '
      "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
      "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "..", "finalizers": ["x y"]}},
     ["spec.emb.metadata.name: Invalid value: \"..\": may not be '..'",
      'spec.emb.metadata.finalizers: Invalid value: "x y": name part must consist of alphanumeric characters, '
      "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
      "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
    ({"apiVersion": "v1", "kind": "Pod", "metadata": {}}, []),
])
def test_an_embedded_resources_metadata_is_validated_with_path_segment_names(emb, errors):
    """validateEmbeddedResource: ValidateObjectMeta with ValidatePathSegmentName, a made-up name
    when there is none, and the namespace a label when it is set."""
    assert crdobjectmeta.problems(spec(emb=EMBEDDED), {"spec": {"emb": emb}}) == errors


def test_an_integer_past_float64_fails_maximum_and_multiple_of_without_overflowing():
    """Such an integer never comes out of Go's decoder; should one reach the validator (from
    YAML, say), it is reported, not a 500."""
    errors = validate({"type": "integer", "maximum": 10, "multipleOf": 3}, 10 ** 400, "spec.replicas")
    shown = "spec.replicas: Invalid value: 1" + "0" * 400
    assert f"{shown}:  in body should be less than or equal to 10" in errors
    assert f"{shown}:  in body should be a multiple of 3" in errors


def test_reading_storage_drops_what_an_embedded_resource_cannot_hold():
    """objectmeta.Coerce with dropInvalidFields (the storage decoder's): an apiVersion or kind
    that is no string is removed, and metadata keeps the fields that decode one by one."""
    schema = {"type": "object", "properties": {"emb": {"type": "object", "x-kubernetes-embedded-resource": True}}}
    value = {"emb": {"apiVersion": "v1", "kind": 5, "metadata": {"name": "a", "labels": 5, "generation": 2}}}
    crdobjectmeta.coerce(schema, value, drop_invalid=True)
    assert value == {"emb": {"apiVersion": "v1", "metadata": {"name": "a", "generation": 2}}}
    with pytest.raises(crdobjectmeta.CoerceError):
        crdobjectmeta.coerce(schema, {"emb": {"kind": 5}})
