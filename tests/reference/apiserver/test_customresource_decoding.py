"""Custom objects' bodies as Kubernetes 1.24 decodes them into an Unstructured and writes it again:
what the map refuses, and numbers, each held as an int64 or a float64, which encoding/json writes
in its own text. Each rule was seen against the real kube-apiserver 1.24 first."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.handlers import Request
from tests.reference.apiserver import test_customresources, test_handlers
from tests.reference.apiserver.test_customresources import WIDGET, widgets

# The fixtures this module shares with test_customresources: its chain, on test_handlers' registry.
chain, registry, etcd = test_customresources.chain, test_handlers.registry, test_handlers.etcd

# Sent, and as the real server wrote each back (in a field that keeps unknown fields).
NUMBERS = b'{"large": 1e25, "past_int64": 123456789012345678901234, "small": 2.5e-6, "tiny": 1.5e-7}'
WRITTEN = b'{"large":1e+25,"past_int64":1.2345678901234569e+23,"small":0.0000025,"tiny":1.5e-7}'


def _raw(chain, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = chain.handle(Request(method, path, {}, headers, body))
    return response.code, response.body


def test_floats_are_written_as_encoding_json_writes_them(chain):
    """A float64 from 1e21 up is written in exponent form with its sign (`1e+25`), one from 1e-6
    below 1e-5 in digits (`0.0000025`), one below 1e-6 in exponent form without a leading zero
    (`1.5e-7`); an integer past int64 is the float64 it becomes. So the create's answer, a read
    and a watch event write them."""
    body = json.dumps({**WIDGET, "spec": {**WIDGET["spec"], "extra": "EXTRA"}}).encode().replace(b'"EXTRA"', NUMBERS)
    code, created = _raw(chain, "POST", widgets(chain), body)
    assert code == 201, created
    assert WRITTEN in created
    code, read = _raw(chain, "GET", widgets(chain, "w1"))
    assert code == 200 and WRITTEN in read
    code, listed = _raw(chain, "GET", widgets(chain))
    assert code == 200 and WRITTEN in listed
    code, response = test_handlers.call(chain, "GET", widgets(chain), query={"watch": "true", "resourceVersion": "0"})
    assert code == 200
    try:
        first = next(iter(response.chunks))
    finally:
        response.stop()
    assert WRITTEN in first


def test_a_number_past_float64_is_the_map_decoders_error(chain):
    """A number past float64's range in good JSON is refused once Interpret has read the body's
    apiVersion and kind, by the map it decodes into: transformDecodeError names the kind and
    version, not the body's first bytes (real 1.24: `Widget in version "v1" cannot be handled as a
    Widget: json: cannot unmarshal number 1e400 into Go value of type float64`)."""
    body = json.dumps({**WIDGET, "spec": {**WIDGET["spec"], "extra": "EXTRA"}}).encode().replace(
        b'"EXTRA"', b'{"n": 1e400}')
    code, answer = _raw(chain, "POST", widgets(chain), body)
    assert (code, json.loads(answer)["message"]) == (400, 'Widget in version "v1" cannot be handled as a Widget: '
                                                          'json: cannot unmarshal number 1e400 into Go value of type float64')


def test_a_number_past_float64_deep_in_nested_lists_is_the_same_400(chain):
    """Nested past Python's recursion limit, the body's kind is still read (not a RecursionError
    and a 500)."""
    body = json.dumps({**WIDGET, "spec": {**WIDGET["spec"], "extra": "EXTRA"}}).encode().replace(
        b'"EXTRA"', b"[" * 3000 + b"1e400" + b"]" * 3000)
    code, answer = _raw(chain, "POST", widgets(chain), body)
    assert (code, json.loads(answer)["message"]) == (400, 'Widget in version "v1" cannot be handled as a Widget: '
                                                          'json: cannot unmarshal number 1e400 into Go value of type float64')


def test_a_field_the_schema_does_not_specify_5000_deep_is_pruned(chain):
    """The CRD's decoder prunes what the schema does not specify before anything walks the object:
    an unknown field 5,000 deep, at the root or in the spec, is dropped (real 1.24: 201 for both),
    where this server's 200-level limit refused it."""
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    for name, spec in (("w-root", {"image": "nginx"}), ("w-spec", {"image": "nginx", "unknown": "DEEP"})):
        body = json.dumps({**WIDGET, "metadata": {"name": name}, "spec": spec, "x": "DEEP"}).encode()
        code, answer = _raw(chain, "POST", widgets(chain), body.replace(b'"DEEP"', deep))
        assert code == 201, answer
        created = json.loads(answer)
        assert "x" not in created and created["spec"] == {"image": "nginx", "replicas": 1}


def test_content_the_schema_keeps_5000_deep_is_a_400_not_a_500(chain):
    """Content pruning keeps (a field that preserves unknown fields, lists nested in a typed items
    array) is still nested past what this server walks after the decoder's pruning: the 400 of
    its depth limit, where dropping the nulls recursed into it and raised a RecursionError (500)."""
    deep_object, deep_list = b'{"a":' * 5000 + b"1" + b"}" * 5000, b"[" * 5000 + b"1" + b"]" * 5000
    for name, spec, depth in (("w-extra", {"image": "nginx", "extra": {"k": "DEEP"}}, 5003),
                              ("w-ports", {"image": "nginx", "ports": "DEEP"}, 5002)):
        body = json.dumps({**WIDGET, "metadata": {"name": name}, "spec": spec}).encode()
        content = deep_list if name == "w-ports" else deep_object
        code, answer = _raw(chain, "POST", widgets(chain), body.replace(b'"DEEP"', content))
        assert (code, json.loads(answer)["message"]) == (
            400, f"the object is nested {depth} levels deep; this server accepts at most 200")


def test_metadata_5000_deep_is_decoded_as_objectmeta_not_a_500(chain):
    """ObjectMeta skips a field it does not have whatever it holds, and an annotation's value that is
    an object is its type error, however deep (real 1.24, fixrev29e: 201 without `x`; 400 with the
    message below, for `annotations` 5,000 deep and for one annotation 5,000 deep); copying the
    metadata first was a RecursionError and a 500."""
    deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
    body = json.dumps({**WIDGET, "metadata": {"name": "w-meta", "x": "DEEP"}}).encode()
    code, answer = _raw(chain, "POST", widgets(chain), body.replace(b'"DEEP"', deep))
    assert code == 201, answer[:300]
    assert "x" not in json.loads(answer)["metadata"]
    for written in ("DEEP", {"a": "DEEP"}):
        body = json.dumps({**WIDGET, "metadata": {"name": "w-annotated", "annotations": written}}).encode()
        code, answer = _raw(chain, "POST", widgets(chain), body.replace(b'"DEEP"', deep))
        assert (code, json.loads(answer)["message"]) == (
            400, 'Widget in version "v1" cannot be handled as a Widget: json: cannot unmarshal object into Go '
                 "struct field ObjectMeta.annotations of type string")


def test_a_body_without_a_kind_or_an_apiversion_is_a_400(chain):
    """The map a custom object decodes into must say its own kind: without one the 400 quotes the
    body (`Object 'Kind' is missing in '...'`, `null` included), in the version the body names;
    without an apiVersion the strategy cannot tell the object's kind in BeforeCreate or
    BeforeUpdate, which the real 1.24 server answers as a 500 and ours, a client's mistake, as a
    400 in the same words."""
    sent = b'{"apiVersion": "x.io/v9", "metadata": {"name": "w1"}}'
    code, answer = _raw(chain, "POST", widgets(chain), sent)
    assert (code, json.loads(answer)["message"]) == (
        400, f"Widget in version \"v9\" cannot be handled as a Widget: Object 'Kind' is missing in '{sent.decode()}'")
    code, answer = _raw(chain, "POST", widgets(chain), b"null")
    assert (code, json.loads(answer)["message"]) == (
        400, "Widget in version \"v1\" cannot be handled as a Widget: Object 'Kind' is missing in 'null'")
    code, answer = _raw(chain, "PUT", widgets(chain, "w1"), b"{}")
    assert code == 400 and json.loads(answer)["message"].endswith("Object 'Kind' is missing in '{}'")
    code, answer = _raw(chain, "POST", widgets(chain), json.dumps({"kind": "Widget", "metadata": {"name": "w1"}}).encode())
    assert (code, json.loads(answer)["message"]) == (
        400, "Object 'apiVersion' is missing in 'object has no apiVersion field'")


def test_a_list_of_custom_objects_is_written_as_one_sorted_map(chain):
    """An UnstructuredList is written as one map, keys sorted: apiVersion, items, kind, metadata,
    whose own keys are sorted too (`continue`, `remainingItemCount`, `resourceVersion`), as the real
    1.24 server wrote a page of custom objects."""
    for name in ("w1", "w2"):
        assert _raw(chain, "POST", widgets(chain), json.dumps({**WIDGET, "metadata": {"name": name}}).encode())[0] == 201
    response = chain.handle(Request("GET", widgets(chain), {"limit": ["1"]}, {"Accept": "application/json"}, b""))
    listed = json.loads(response.body)
    assert list(listed) == ["apiVersion", "items", "kind", "metadata"]
    assert list(listed["metadata"]) == ["continue", "remainingItemCount", "resourceVersion"]


def test_a_json_patch_removing_the_kind_or_apiversion_is_refused(chain):
    """A JSON patch that removes a custom object's kind leaves what the unstructured scheme cannot
    decode: a 422 quoting the patched object and MissingKind's words about it (real 1.24). One that
    removes its apiVersion is a 500 upstream (BeforeUpdate cannot tell its kind), a client's
    mistake: a 400 here in the same words. Neither is written."""
    assert _raw(chain, "POST", widgets(chain), json.dumps(WIDGET).encode())[0] == 201
    headers = {"Accept": "application/json", "Content-Type": "application/json-patch+json"}

    def patch(path: str) -> tuple[int, dict]:
        response = chain.handle(Request("PATCH", widgets(chain, "w1"), {}, headers,
                                        json.dumps([{"op": "remove", "path": path}]).encode()))
        return response.code, json.loads(response.body)

    code, status = patch("/kind")
    assert (code, status["reason"], status["details"]["causes"][0]["field"]) == (422, "Invalid", "patch")
    patched = status["message"].split("Object 'Kind' is missing in '")[1].rstrip("'")
    assert "kind" not in json.loads(patched) and json.loads(patched)["metadata"]["name"] == "w1"
    assert status["message"].startswith(' "" is invalid: patch: Invalid value: ')
    code, status = patch("/apiVersion")
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "Object 'apiVersion' is missing in 'object has no apiVersion field'")
    code, read = _raw(chain, "GET", widgets(chain, "w1"))
    assert code == 200 and json.loads(read)["kind"] == "Widget"


def test_a_yaml_body_without_a_kind_is_quoted_with_gos_float_text(chain):
    """The JSON a YAML body became, quoted in the missing-kind 400, writes each float as
    encoding/json does (`1e-7`, `1` for 1.0, `100000000000000000000`, `0.00001`), as the real 1.24
    server quoted this body."""
    body = b"apiVersion: example.com/v1\nmetadata: {name: k}\nspec: {a: 1e-7, b: 1.0, c: 1e20, d: 1.0e-5}\n"
    headers = {"Accept": "application/json", "Content-Type": "application/yaml"}
    response = chain.handle(Request("POST", widgets(chain), {}, headers, body))
    assert (response.code, json.loads(response.body)["message"]) == (
        400, 'Widget in version "v1" cannot be handled as a Widget: Object \'Kind\' is missing in \'{"apiVersion":'
             '"example.com/v1","metadata":{"name":"k"},"spec":{"a":1e-7,"b":1,"c":100000000000000000000,"d":0.00001}}\'')


def test_a_patch_result_without_a_kind_is_quoted_with_gos_float_text(chain):
    """A JSON patch removing the kind: the patched object is quoted as encoding/json marshals it."""
    body = json.dumps({**WIDGET, "spec": {**WIDGET["spec"], "extra": "EXTRA"}}).encode().replace(
        b'"EXTRA"', b'{"a": 1e-7, "b": 1e20}')
    assert _raw(chain, "POST", widgets(chain), body)[0] == 201
    headers = {"Accept": "application/json", "Content-Type": "application/json-patch+json"}
    response = chain.handle(Request("PATCH", widgets(chain, "w1"), {}, headers, b'[{"op":"remove","path":"/kind"}]'))
    message = json.loads(response.body)["message"]
    assert response.code == 422 and '"extra":{"a":1e-7,"b":100000000000000000000}' in message, message
