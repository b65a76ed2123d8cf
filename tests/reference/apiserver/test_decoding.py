"""Request bodies that would blow up a naive decoder get a 400 Status, as upstream's bounded
decoders answer: JSON nested past 10,000 levels, YAML alias bombs, YAML nested thousands deep.
The chain is called sans-IO over a real registry (the fixtures of test_handlers)."""
from __future__ import annotations

import json
import time

import pytest

from reference_impl.apiserver.core import decoding, fieldvalidation
from tests.reference.apiserver import test_handlers, test_tokenrequest
from tests.reference.apiserver.test_handlers import call, ns_path

chain, etcd, registry = test_handlers.chain, test_handlers.etcd, test_handlers.registry  # fixtures, used by name

ALIAS_BOMB = b"""apiVersion: v1
kind: ConfigMap
metadata: {name: bomb}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def configmap_nested(depth: int) -> bytes:
    return b'{"metadata":{"name":"deep"},"x":' + b"[" * depth + b"]" * depth + b"}"


def test_a_yaml_alias_bomb_is_refused_with_400(chain):
    """~330 bytes that expand to 10^7 elements end at go-yaml's alias ratio with a 400."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), ALIAS_BOMB, content_type="application/yaml")
    assert (code, status["reason"]) == (400, "BadRequest")
    assert "excessive aliasing" in status["message"]


def test_yaml_aliases_within_the_ratio_are_expanded():
    """A few aliases and merge keys decode as go-yaml expands them."""
    value = decoding.decode_yaml(b"base: &b {a: 1}\ncopy: *b\nmerged:\n  <<: *b\n  c: 2\n")
    assert value == {"base": {"a": 1}, "copy": {"a": 1}, "merged": {"a": 1, "c": 2}}


def merge_bomb(levels: int) -> bytes:
    """A ConfigMap whose data holds maps each merging the one before ten times over: ~470 bytes
    for 7 levels that go-yaml would expand to 10^7 merged maps."""
    lines = ['l0: &l0 {a: "1"}', *(f"l{i}: &l{i} {{<<: [{', '.join([f'*l{i - 1}'] * 10)}]}}"
                                   for i in range(1, levels + 1))]
    return b"metadata: {name: merges}\ndata:\n" + "".join(f"  {line}\n" for line in lines).encode()


def test_merges_of_merges_count_as_go_yamls_aliases_do(chain):
    """go-yaml decodes a merged alias as any alias, so merges of merges meet its alias ratio: real
    1.24 takes 3 levels (the ConfigMap's data then has the wrong type) and refuses 4."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), merge_bomb(3), content_type="application/yaml")
    assert (code, status["message"]) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: '
                                               "cannot unmarshal object into Go struct field ConfigMap.data of type string")
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), merge_bomb(4), content_type="application/yaml")
    assert code == 400 and "yaml: document contains excessive aliasing" in status["message"]


def test_a_merge_bomb_is_refused_before_it_is_expanded(monkeypatch):
    """7 levels of merges are refused after a bounded walk, not after building 10^7 pairs: no more
    than a few thousand scalars are resolved."""
    resolved = 0
    resolve = decoding._scalar

    def counted(node, loader):
        nonlocal resolved
        resolved += 1
        assert resolved < 10_000, "the merges are being expanded"
        return resolve(node, loader)

    monkeypatch.setattr(decoding, "_scalar", counted)
    with pytest.raises(decoding.DecodeError, match="yaml: document contains excessive aliasing"):
        decoding.decode_yaml(merge_bomb(7))


def test_merge_keys_nest_without_recursion_up_to_go_yamls_depth(chain):
    """600 nested `<<:` maps are one map to go-yaml (real 1.24: 201); past its 10,000 levels its
    parser refuses them."""
    def nested(depth: int) -> bytes:
        return f"metadata: {{name: merged-{depth}}}\ndata: {'{<<: ' * depth}{{a: \"1\"}}{'}' * depth}\n".encode()

    code, created = call(chain, "POST", ns_path(chain, "configmaps"), nested(600), content_type="application/yaml")
    assert (code, created["data"]) == (201, {"a": "1"})
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), nested(10_001), content_type="application/yaml")
    assert code == 400 and "yaml: line 2: exceeded max depth of 10000" in status["message"]


def test_yaml_becomes_json_values_timestamps_and_keys_stay_strings(chain):
    """sigs.k8s.io/yaml converts YAML to JSON: a timestamp stays a string, a key becomes one."""
    body = b"metadata:\n  name: when\n  annotations:\n    at: 2020-01-01\ndata:\n  1: x\n"
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type="application/yaml")
    assert code == 201, created
    assert created["metadata"]["annotations"]["at"] == "2020-01-01" and created["data"] == {"1": "x"}


def test_json_nested_1000_deep_in_an_unknown_field_is_decoded_and_dropped(chain):
    """Up to upstream's 10,000 levels the body is decoded (without recursion); the deep field is
    not the kind's, so it is dropped as the Go struct drops it."""
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), configmap_nested(1_000))
    assert code == 201 and "x" not in created


def test_json_nested_1000_deep_where_the_kind_keeps_it_is_400(chain):
    """Deep content in a field of any content (a ControllerRevision's data here) is refused cleanly,
    and so is a deep value where the kind wants a string."""
    deep = b"[" * 1_000 + b"]" * 1_000
    revision = b'{"metadata":{"name":"deep"},"revision":1,"data":' + deep + b"}"
    code, status = call(chain, "POST", ns_path(chain, "controllerrevisions", group="apps/v1"), revision)
    assert (code, status["reason"]) == (400, "BadRequest") and "nested" in status["message"]
    data = b'{"metadata":{"name":"deep"},"data":{"k":' + deep + b"}}"
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), data)
    assert (code, status["reason"]) == (400, "BadRequest")


def test_an_unknown_field_written_twice_3000_deep_is_merged_without_recursion(chain):
    """Both values of a key written twice are objects nested past Python's recursion limit: they
    merge as encoding/json would (the field is not the kind's, so it is dropped), where the merge
    recursed into a RecursionError."""
    deep = b'{"a":' * 3_000 + b"1" + b"}" * 3_000
    body = b'{"metadata":{"name":"twice-deep"},"x":' + deep + b',"x":' + deep + b"}"
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert code == 201 and "x" not in created


def deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# Subresource and option bodies that carry an unknown field 5,000 deep, with what the real 1.24
# server answered each (fixapi29, against /work/k8s-bin/kube-apiserver on etcd 3.4): the typed
# decode skips the field, so the request goes on to the object it names, which does not exist.
DEEP_UNKNOWN_FIELD_REQUESTS = [
    ("POST", "", "serviceaccounts/\\/token", '{"x":DEEP}', 404, r'serviceaccounts "\\" not found'),
    ("POST", "", "serviceaccounts/nobody/token", '{"spec":{"x":DEEP}}', 404, 'serviceaccounts "nobody" not found'),
    ("POST", "", "pods/nope/eviction", '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"nope"},'
                                       '"deleteOptions":{"x":DEEP}}', 404, 'pods "nope" not found'),
    ("POST", "", "pods/nope/binding", '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"nope"},'
                                      '"target":{"name":"n"},"x":DEEP}', 404, 'pods "nope" not found'),
    ("DELETE", "", "configmaps/nope", '{"x":DEEP}', 404, 'configmaps "nope" not found'),
    ("DELETE", "", "configmaps", '{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"],"x":DEEP}', 200, ""),
    ("PUT", "apps/v1", "deployments/nope/scale", '{"apiVersion":"autoscaling/v1","kind":"Scale",'
                                                 '"metadata":{"name":"nope"},"x":DEEP}', 404,
     'deployments.apps "nope" not found'),
]


@pytest.mark.parametrize("method,group,target,body,code,message", DEEP_UNKNOWN_FIELD_REQUESTS,
                         ids=["token-root", "token-spec", "eviction", "binding", "delete", "deletecollection",
                              "scale"])
@pytest.mark.parametrize("content_type", ["application/json", "application/yaml"])
def test_an_unknown_field_5000_deep_in_a_subresource_or_options_body_is_skipped(chain, method, group, target, body,
                                                                               code, message, content_type):
    """encoding/json skips a field its struct does not have, whatever it holds, up to 10,000 levels:
    a TokenRequest, Eviction, Binding, Scale or DeleteOptions body decodes as the real server's does
    (seed 42 case 971 of request_random_differential), where the 200 levels this server's recursive
    code takes refused it with a 400."""
    chain.rest.token_key = test_tokenrequest.KEY
    body = body.replace("DEEP", deep_object(5_000)).encode()
    answer, status = call(chain, method, ns_path(chain, target, group=group), body, content_type=content_type)
    assert (answer, status.get("message", "") if answer != 200 else "") == (code, message)


def test_a_self_subject_access_review_with_an_unknown_field_5000_deep_is_answered(chain):
    """A review's body is decoded into its struct too (the real 1.24 server answers 201)."""
    review = ('{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":'
              '{"nonResourceAttributes":{"path":"/x","verb":"get"}},"x":' + deep_object(5_000) + "}")
    answer, status = call(chain, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.encode())
    assert answer == 201 and "x" not in status


def test_a_deep_value_of_a_known_field_of_another_type_is_the_decoders_type_error(chain):
    """An object where the struct wants a list is skipped after its JSON type is noted, however
    deep it goes: the answer is the type error (the real 1.24 server's words), not this server's
    depth limit."""
    chain.rest.token_key = test_tokenrequest.KEY
    body = ('{"spec":{"audiences":' + deep_object(5_000) + "}}").encode()
    answer, status = call(chain, "POST", ns_path(chain, "serviceaccounts/nobody/token"), body)
    assert (answer, status["message"]) == (400, 'TokenRequest in version "v1" cannot be handled as a TokenRequest: '
                                                "json: cannot unmarshal object into Go struct field "
                                                "TokenRequestSpec.spec.audiences of type []string")


def test_deep_preconditions_skip_the_fields_preconditions_do_not_have(chain):
    """DeleteOptions.preconditions is a struct of uid and resourceVersion: anything else in it is
    skipped (real 1.24: 404 for the missing object)."""
    body = ('{"preconditions":' + deep_object(5_000) + "}").encode()
    answer, status = call(chain, "DELETE", ns_path(chain, "configmaps", "nope"), body)
    assert (answer, status["message"]) == (404, 'configmaps "nope" not found')


def test_deep_content_a_field_of_any_content_keeps_is_still_refused_with_400(chain):
    """Deep content the kind would keep is still a client's 400, never a RecursionError's 500."""
    body = ('{"apiVersion":"v1","kind":"Binding","metadata":{"name":"nope","annotations":{},'
            '"managedFields":[{"fieldsV1":' + deep_object(5_000) + "}]}}").encode()
    answer, status = call(chain, "POST", ns_path(chain, "pods", "nope") + "/binding", body)
    assert (answer, status["reason"]) == (400, "BadRequest")


def test_a_crd_schema_nested_past_pythons_stack_is_a_400_not_a_500(chain):
    """JSONSchemaProps holds itself, so the walk into its struct follows the body as deep as it goes:
    a schema 2,000 properties deep (4,006 JSON levels) was a RecursionError and a 500. It is a
    client's 400 now. A known, deliberate difference: the real 1.24 server creates it (201), as
    its decoder takes 10,000 levels, but this server's CRD validation and OpenAPI publishing walk a
    schema recursively, so it accepts at most 200 levels."""
    schema = '{"type":"object","properties":{"a":' * 2_000 + '{"type":"string"}' + "}}" * 2_000
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gadgets.deep.example.com"},
           "spec": {"group": "deep.example.com", "scope": "Namespaced",
                    "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": "SCHEMA"}}]}}
    body = json.dumps(crd).replace('"SCHEMA"', schema).encode()
    answer, status = call(chain, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)
    assert (answer, status["message"]) == (400, "the object is nested 4006 levels deep; this server accepts at most 200")


# A ConfigMap patched with a value 5,000 levels deep, with what the real 1.24 server answered each
# (fixapi29b, /work/k8s-bin/kube-apiserver on etcd 3.4): the patchers apply it whatever its depth,
# and the decode of the result skips a field the kind does not have, or notes the type of a value
# that cannot be an annotation's string.
DEEP_PATCHES = [
    ("application/merge-patch+json", '{"x":DEEP}', 200, ""),
    ("application/strategic-merge-patch+json", '{"x":DEEP}', 200, ""),
    ("application/json-patch+json", '[{"op":"add","path":"/x","value":DEEP}]', 200, ""),
    ("application/merge-patch+json", '{"metadata":{"annotations":{"a":DEEP}}}', 422,
     "json: cannot unmarshal object into Go struct field ObjectMeta.metadata.annotations of type string"),
    ("application/strategic-merge-patch+json", '{"metadata":{"annotations":{"a":DEEP}}}', 422,
     "unrecognized type: string"),
    ("application/json-patch+json", '[{"op":"add","path":"/metadata/annotations/a","value":DEEP}]', 422,
     "json: cannot unmarshal object into Go struct field ObjectMeta.metadata.annotations of type string"),
    ("application/json-patch+json", '[{"op":"test","path":"/data","value":DEEP}]', 422, ""),
]


@pytest.mark.parametrize("content_type,patch,code,problem", DEEP_PATCHES,
                         ids=["merge-unknown", "strategic-unknown", "json-unknown", "merge-annotation",
                              "strategic-annotation", "json-annotation", "json-test"])
def test_a_patch_5000_deep_is_applied_and_its_result_decoded_as_upstreams(chain, content_type, patch, code,
                                                                          problem):
    """A patch is decoded up to 10,000 levels (as DecodePatch and the merge patchers read it), applied
    without recursion, and its result pruned to the kind's struct before anything walks it: where
    200 levels were taken, every one of these was a 400 "nested 5001 levels deep"."""
    name = f"seed{DEEP_PATCHES.index((content_type, patch, code, problem))}"  # the chain outlives a test
    configmap = {"metadata": {"name": name, "annotations": {"k": "v"}}, "data": {"d": "v"}}
    assert call(chain, "POST", ns_path(chain, "configmaps"), configmap)[0] == 201
    body = patch.replace("DEEP", deep_object(5_000)).encode()
    answer, status = call(chain, "PATCH", ns_path(chain, "configmaps", name), body, content_type=content_type)
    if code == 200:
        assert (answer, "x" in status, status["data"]) == (200, False, {"d": "v"})
    else:
        assert (answer, status["reason"]) == (code, "Invalid") and status["message"].endswith(problem)


def test_a_json_patch_may_test_a_value_5000_deep_that_an_earlier_operation_added(chain):
    """The `test` operation compares values member by member whatever their depth (lazyNode.equal):
    a value an earlier operation added, then tested equal, leaves a result the decode prunes."""
    assert call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "tested"}})[0] == 201
    deep = deep_object(5_000)
    patch = f'[{{"op":"add","path":"/x","value":{deep}}},{{"op":"test","path":"/x","value":{deep}}}]'
    answer, status = call(chain, "PATCH", ns_path(chain, "configmaps", "tested"), patch.encode(),
                          content_type="application/json-patch+json")
    assert (answer, "x" in status) == (200, False)


def test_a_json_patch_may_copy_a_value_5000_deep_that_an_earlier_operation_added(chain):
    """`copy` takes a copy of the value as deepCopy marshals it, whatever its depth: the copy ended
    in a RecursionError, a 500 for a client's body; the result, its deep fields unknown to the
    kind, is pruned by the decode."""
    assert call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "copied"}})[0] == 201
    patch = f'[{{"op":"add","path":"/x","value":{deep_object(5_000)}}},{{"op":"copy","from":"/x","path":"/y"}}]'
    answer, status = call(chain, "PATCH", ns_path(chain, "configmaps", "copied"), patch.encode(),
                          content_type="application/json-patch+json")
    assert (answer, "x" in status, "y" in status) == (200, False, False)


@pytest.mark.parametrize("content_type,patch", [
    ("application/merge-patch+json", "DEEP"),
    ("application/json-patch+json", '[{"op":"replace","path":"","value":DEEP}]'),
], ids=["merge", "json"])
def test_a_patch_whose_result_is_a_list_5000_deep_is_400_not_500(chain, content_type, patch):
    """A result that is no object is invalid, quoted whole by upstream (422); one nested past what
    this server's encoder walks stays a client's 400, never a RecursionError's 500."""
    assert call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "listed"}})[0] in (201, 409)
    body = patch.replace("DEEP", "[" * 5_000 + "]" * 5_000).encode()
    answer, status = call(chain, "PATCH", ns_path(chain, "configmaps", "listed"), body, content_type=content_type)
    assert (answer, status["message"]) == (400, "the object is nested 5000 levels deep; this server accepts at most 200")


@pytest.mark.parametrize("fields_v1", [5, "x"], ids=["number", "string"])
def test_a_managed_fields_entry_takes_any_json_as_its_fields_v1(chain, fields_v1):
    """FieldsV1.UnmarshalJSON keeps any JSON as raw bytes, so the decoder names the next wrong
    field; one it cannot read resets managedFields to the create's own entry (real 1.24: 400 on
    ConfigMap.data for the first body, 201 with only manager "unknown"'s entry for the second)."""
    entry = {"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": fields_v1}
    code, status = call(chain, "POST", ns_path(chain, "configmaps"),
                        {"metadata": {"name": "raw-fields", "managedFields": [entry]}, "data": {"a": 5}})
    assert (code, status["message"]) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: '
                                              "cannot unmarshal number into Go struct field ConfigMap.data of type string")
    code, created = call(chain, "POST", ns_path(chain, "configmaps"),
                         {"metadata": {"name": f"raw-fields-{type(fields_v1).__name__}", "managedFields": [entry]},
                          "data": {"a": "5"}})
    assert code == 201, created
    assert [(e["manager"], e["fieldsV1"]) for e in created["metadata"]["managedFields"]] == [
        ("unknown", {"f:data": {".": {}, "f:a": {}}})]


@pytest.mark.parametrize("depth", [10_000, 10_001])
def test_json_nested_past_10000_is_400_with_upstreams_message(chain, depth):
    """Interpret's encoding/json scans the whole text first: the bracket opening level 10,001
    (the object around counts) is its SyntaxError (the real 1.24 server's words)."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), configmap_nested(depth))
    assert (code, status["reason"]) == (400, "BadRequest")
    assert "couldn't get version/kind; json parse error: invalid character '[' exceeded max depth (" \
        in status["message"]


@pytest.mark.parametrize("content_type,message", [
    ("application/merge-patch+json", "Invalid JSON Patch"),
    ("application/strategic-merge-patch+json", "invalid character '[' exceeded max depth"),
    ("application/json-patch+json", "invalid character '[' exceeded max depth")])
def test_a_patch_nested_past_10000_is_the_patchers_syntax_error(chain, content_type, message):
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "deep-patch"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "deep-patch"), configmap_nested(10_001),
                        content_type=content_type)
    assert (code, status["message"]) == (400, message)


def test_the_iterative_decoder_agrees_with_json_loads():
    """Past Python's recursion the explicit-stack decoder takes over; on what both decode, both agree,
    and what json refuses it refuses too."""
    import random

    rng = random.Random(7)

    def value(depth):
        if depth == 0 or rng.random() < 0.3:
            return rng.choice([0, -1, 2.5, -3e-7, "", "é\"\\\n", True, False, None])
        if rng.random() < 0.5:
            return [value(depth - 1) for _ in range(rng.randrange(4))]
        return {f"k{i}": value(depth - 1) for i in range(rng.randrange(4))}

    for _ in range(500):
        text = json.dumps(value(6), indent=rng.choice([None, 2]))
        assert decoding._decode_deep(text) == json.loads(text)
    for bad in ("{", "[1,]", '{"a" 1}', '{"a":1,}', "[1 2]", "01", "[1]x", "{1:2}", "", "nul", '["a]', "[,1]"):
        with pytest.raises(ValueError):
            decoding._decode_deep(bad)


@pytest.mark.parametrize("depth", [5_000, 9_999])
def test_yaml_nested_up_to_go_yamls_10000_in_an_unknown_field_is_decoded_and_dropped(chain, depth):
    """go-yaml takes flow collections 10,000 deep (the object around counts): composed without
    recursion, then pruned to the kind's schema like deep JSON (the real 1.24 server creates it)."""
    body = b"metadata: {name: deep-yaml-%d}\nx: " % depth + b"[" * depth + b"]" * depth + b"\n"
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type="application/yaml")
    assert code == 201 and "x" not in created


@pytest.mark.parametrize("body,where", [
    (b"metadata: {name: deep}\nx: " + b"[" * 10_001 + b"]" * 10_001 + b"\n", "line 2: "),
    (b"{a: [" * 6_000, ""),
], ids=["flow-past-10000-on-line-2", "open-flow-past-10000"])
def test_yaml_nested_past_10000_is_go_yamls_scanner_error(chain, body, where):
    """The scanner refuses the 10,001st flow level, naming its line as go-yaml's parser does (none
    on the first), before the end of the document (the real 1.24 server's words)."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type="application/yaml")
    assert (code, status["reason"]) == (400, "BadRequest")
    assert f"(must be of type ConfigMap): yaml: {where}exceeded max depth of 10000 (" in status["message"]


def test_yaml_block_indentation_past_10000_is_refused_too():
    """go-yaml's indent stack has the same bound as its flow levels: each `- ` on a line opens one."""
    value = decoding.decode_yaml(b"- " * 300 + b"1\n", decoding.MAX_JSON_DEPTH)
    assert decoding.nesting_of(value) == 300
    with pytest.raises(decoding.DecodeError, match="^yaml: exceeded max depth of 10000$"):
        decoding.decode_yaml(b"- " * 10_001 + b"1\n", decoding.MAX_JSON_DEPTH)


def test_deep_yaml_finds_its_simple_keys_without_looking_through_every_level(monkeypatch):
    """PyYAML's scanner looks through its possible simple keys, one per open flow level, at every
    token; the loader keeps them in a heap, so a document 10,000 levels deep never walks them all."""
    import yaml.scanner

    def walks_every_level(self):
        raise AssertionError("walked every possible simple key")

    monkeypatch.setattr(yaml.scanner.Scanner, "next_possible_simple_key", walks_every_level)
    monkeypatch.setattr(yaml.scanner.Scanner, "stale_possible_simple_keys", walks_every_level)
    depth = 9_999
    value = decoding.decode_yaml(b"x: " + b"[" * depth + b"]" * depth + b"\n", decoding.MAX_JSON_DEPTH)
    assert decoding.nesting_of(value) == depth + 1


def test_brackets_inside_strings_do_not_count_as_nesting():
    """The depth scan skips string contents, escaped quotes included."""
    text = json.dumps({"a": "[[[[{{{{\\\"[[[", "b": [[1]]}).encode()
    assert decoding.nesting_depth(text) == 3


def test_json_python_decodes_is_still_held_to_the_callers_depth():
    """300 levels decode with Python's own decoder, yet a caller allowing 200 gets a DecodeError
    naming the depth; one allowing 10,000 gets the value."""
    text = b"[" * 300 + b"]" * 300
    with pytest.raises(decoding.DecodeError, match="nested 300 levels deep"):
        decoding.decode_json(text)
    assert decoding.nesting_of(decoding.decode_json(text, decoding.MAX_JSON_DEPTH)) == 300


def test_json_past_the_recursion_limit_is_measured_before_the_stack_decoder_runs():
    """Deeper than Python's decoder goes, the depth check still comes first."""
    text = b"[" * 5_000 + b"]" * 5_000
    with pytest.raises(decoding.DecodeError, match="nested 5000 levels deep"):
        decoding.decode_json(text)
    assert decoding.nesting_of(decoding.decode_json(text, decoding.MAX_JSON_DEPTH)) == 5_000


def test_nesting_is_measured_level_by_level_looking_at_each_scalar_once(monkeypatch):
    """Every body's depth is measured, so each value costs as little as it can: a scalar is
    type-checked once (not as "no dict, then no list"), and the depth is that of the deepest
    list or object, whichever mixes of them a level holds."""
    body = {"metadata": {"labels": {f"k{i}": f"v{i}" for i in range(100)}}, "spec": [[], {"a": [{}]}], "n": 1}
    checks = []
    monkeypatch.setattr(decoding, "isinstance", lambda value, types: checks.append(value) or isinstance(value, types),
                        raising=False)
    assert decoding.nesting_of(body) == 5  # body, spec, its object, the list in it, the object in that
    scalars = [value for value in checks if not isinstance(value, (dict, list))]
    assert len(scalars) == len(set(body["metadata"]["labels"].values())) + 1
    monkeypatch.undo()
    assert [decoding.nesting_of(value) for value in ("x", [], {}, [[]], {"a": {"b": []}}, [1, [2, [3]]])] == \
        [0, 1, 1, 2, 3, 3]


def test_json_nan_and_infinity_are_not_json():
    """Python's json accepts NaN and Infinity; Go's does not."""
    for text in (b'{"a": NaN}', b'{"a": -Infinity}'):
        with pytest.raises(decoding.DecodeError):
            decoding.decode_json(text)


@pytest.mark.parametrize("body,content_type", [
    (b'{"metadata":{"name":"sur-json"},"data":{"k":"a\\ud800","b":"\\ud83d\\ude00"}}', "application/json"),
    (b'metadata: {name: sur-yaml}\ndata: {k: "a\\ud800", b: "\\U0001F600"}\n', "application/yaml"),
])
def test_unpaired_surrogate_escapes_become_the_replacement_character(chain, body, content_type):
    """encoding/json decodes an unpaired `\\ud800` as U+FFFD; kept as is it cannot be encoded to
    UTF-8 and the create was a 500. A proper pair stays the one character it encodes."""
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type=content_type)
    assert code == 201, created
    assert created["data"] == {"k": "a\ufffd", "b": "\U0001F600"}
    assert decoding.decode_json(b'{"\\udc00": ["\\udbff"]}') == {"\ufffd": ["\ufffd"]}


def test_invalid_utf8_becomes_the_replacement_character_and_a_bom_is_refused():
    """Go reads invalid UTF-8 inside strings as U+FFFD and refuses a byte-order mark."""
    assert decoding.decode_json(b'{"a":"x\xffy"}') == {"a": "x\ufffdy"}
    with pytest.raises(decoding.DecodeError):
        decoding.decode_json(b'\xef\xbb\xbf{"a":1}')


@pytest.mark.parametrize("document,message", [
    ("{", "yaml: line 1: did not find expected node content"),
    ("{a: 1", "yaml: line 1: did not find expected ',' or '}'"),
    ("[1, 2", "yaml: line 1: did not find expected ',' or ']'"),
    ("a: [1, 2}", "yaml: did not find expected ',' or ']'"),
    ("- a\nb: c", "yaml: line 1: did not find expected '-' indicator"),
    ("a:\n  - b\n c: d", "yaml: line 2: did not find expected key"),
    ("a: b: c", "yaml: mapping values are not allowed in this context"),
    ("a: 1\n  b: 2", "yaml: line 2: mapping values are not allowed in this context"),
    ("a: 1\nb", "yaml: line 3: could not find expected ':'"),
    ("a: 'x", "yaml: found unexpected end of stream"),
    ("a: @x", "yaml: found character that cannot start any token"),
    ("a: !foo!bar x", "yaml: found undefined tag handle"),
    ("a: *x", "yaml: unknown anchor 'x' referenced"),
])
def test_yaml_that_does_not_parse_is_refused_in_go_yamls_words(document, message):
    """go-yaml's parser.fail: its own problem text, after "line N: " where N is the problem's
    0-based line (a scanner's counted from 1), or the context's, when not 0; the end of the stream
    is on a line of its own."""
    with pytest.raises(decoding.DecodeError) as err:
        decoding.decode_yaml(document.encode())
    assert str(err.value) == message


@pytest.mark.parametrize("document,message", [
    ("%YAML 1.2\n---\na: 1\n", "yaml: found incompatible YAML document"),
    ("a:\n  ? [x, y]\n  : c\n", 'yaml: invalid map key: []interface {}{"x", true}'),
    ("a: {? {x: 1} : c}\n", 'yaml: invalid map key: map[interface {}]interface {}{"x":1}'),
    ("a: .inf\n", "json: unsupported value: +Inf"),
    ("a: [-.inf]\n", "json: unsupported value: -Inf"),
    ('a: {<<: [{b: "1"}, "x"]}\n', "yaml: map merge requires map or sequence of maps as the value"),
    ("null: b\n", 'Unsupported map key of type: %!s(<nil>), key: <nil>, value: "b"'),
    ("~: [1234567.5, 0.5]\n", 'Unsupported map key of type: %!s(<nil>), key: <nil>, value: []interface {}{1.2345675e+06, 0.5}'),
    ("~: [1, x, ~]\n", 'Unsupported map key of type: %!s(<nil>), key: <nil>, value: []interface {}{1, "x", interface {}(nil)}'),
    ("x: &a [*a]\n", "yaml: anchor 'a' value contains itself"),
    ("x: &a {y: {z: *a}}\n", "yaml: anchor 'a' value contains itself"),
    ("a: !!binary aGVsbG8\n", "yaml: !!binary value contains invalid base64 data"),
    ("a: b\n\t\n", "yaml: line 2: found a tab character that violates indentation"),
    ("a:\n  b: c\n\t\n", "yaml: line 3: found a tab character that violates indentation"),
    ("- a\n\tb\n", "yaml: line 2: found a tab character that violates indentation"),
    ("a:\n\tb: c\n", "yaml: line 2: found character that cannot start any token"),
    ("a: !!bool x\n", "yaml: cannot decode !!str `x` as a !!bool"),
    # A tag the text does not resolve to, named by what it resolves to untagged (fuzz20)
    ("a: !!bool 1\n", "yaml: cannot decode !!int `1` as a !!bool"),
    ("a: !!int 1e3\n", "yaml: cannot decode !!float `1e3` as a !!int"),
    ("a: !!float 1:30\n", "yaml: cannot decode !!str `1:30` as a !!float"),
    ("a: !!null x\n", "yaml: cannot decode !!str `x` as a !!null"),
    ("x: 1\na: -\n", "yaml: line 2: block sequence entries are not allowed in this context"),
])
def test_yaml_go_yaml_or_yamltojson_refuses_is_refused_in_their_words(document, message):
    """What go-yaml v2 (a %YAML other than 1.1, a collection as a key, an alias inside its own
    anchor, bad base64, a tab left of a plain scalar's indent) or sigs.k8s.io/yaml's conversion (a null key, an infinity) refuses, in
    their words, as kube-apiserver 1.24 answers them."""
    with pytest.raises(decoding.DecodeError) as err:
        decoding.decode_yaml(document.encode())
    assert str(err.value) == message


@pytest.mark.parametrize("document,value", [
    ("a: 1\n---\nb: 2\n", {"a": 1}),
    ("---\n", None),
    ("--- \n...\n", None),
    ("a: 1\n--- [unclosed\n", {"a": 1}),
    ("%YAML 1.1\n---\na: 1\n", {"a": 1}),
    ("name: a\nname: b\n", {"name": "b"}),
    ("m: {a: 1, b: 2, a: 3}\n", {"m": {"b": 2, "a": 3}}),
    ("a: !!binary aGVsbG8=\n", {"a": "hello"}),
    ("a: 123456789012345678901234567890\n", {"a": 1.2345678901234568e+29}),
    ("a: y\nb: N\nc: Off\nd: 'y'\ny: e\n", {"a": True, "b": False, "c": False, "d": "y", "true": "e"}),
    ("x: &a [1]\nz: [*a, *a]\n", {"x": [1], "z": [[1], [1]]}),
    ("1: a\n0x1: b\n", {"1": "b"}),
    ("true: a\nyes: b\n", {"true": "b"}),
    # Numbers as strconv reads them, not YAML 1.1 (fuzz20): exponents without a dot, 0o, a leading
    # 0 for octal, no base 60; a float out of range is a string; a whole float is written as an integer
    # (an int field takes it); a float key as FormatFloat(k, 'g', -1, 32) writes it.
    ("a: 1e3\nb: 0o17\nc: 017\nd: 08\ne: 1:30\nf: 1e400\ng: 1.5\nh: !!float 2\ni: 1_0e1_0\n",
     {"a": 1000, "b": 15, "c": 15, "d": 8, "e": "1:30", "f": "1e400", "g": 1.5, "h": 2, "i": 100000000000}),
    ("1e11: a\n0.1: b\n!!float 2: c\n1e6: d\n", {"1e+11": "a", "0.1": "b", "2": "c", "1e+06": "d"}),
    # A float key past float32 is an infinity there, which convertToJSONableObject writes as YAML
    # does, as an infinite or NaN key is (real 1.24: ConfigMap data keys .inf, -.inf, .nan); 5,000
    # digits are a float out of range: a string.
    ("1e39: a\n-1e39: b\n", {".inf": "a", "-.inf": "b"}),
    (".inf: a\n-.Inf: b\n.nan: c\n", {".inf": "a", "-.inf": "b", ".nan": "c"}),
    ("a: " + "9" * 5000 + "\n", {"a": "9" * 5000}),
    # A merge key sets the merged map where it stands (go-yaml's rule, not the YAML spec's): it
    # overrides the keys before it; of a sequence of maps, the first wins (real 1.24, ConfigMap data).
    ('{q: "1", a: "0", <<: {c: "3", a: "1"}}\n', {"a": "1", "c": "3", "q": "1"}),
    ('{b: "1", <<: [{a: "1"}, {a: "2", b: "2"}]}\n', {"a": "1", "b": "2"}),
    ('{<<: {<<: {a: "1", b: "1"}, a: "2"}, c: "3"}\n', {"a": "2", "b": "1", "c": "3"}),
])
def test_yaml_is_read_as_go_yaml_unmarshal_reads_it(document, value):
    """Only the first document is read; a key written twice (or two that read the same, `1` and
    `0x1`) keeps its last value; !!binary is
    base64-decoded; an integer past 64 bits is a float; y, Y, n and N are booleans as on and off
    are; an anchor used beside itself is no cycle."""
    assert decoding.decode_yaml(document.encode()) == value


@pytest.mark.parametrize("digits", [400, 5000])
def test_an_integer_past_float64_is_refused_as_a_float_past_it_is(digits):
    """Go decodes an integer past int64 as a float64, so one past float64's range is the same
    "cannot unmarshal number" error as 1e400, on the fast and the deep decoder alike."""
    number = "1" + "0" * digits
    message = f"json: cannot unmarshal number {number} into Go value of type float64"
    with pytest.raises(decoding.DecodeError) as raised:
        decoding.decode_json(b'{"spec":{"replicas":' + number.encode() + b'}}')
    assert str(raised.value) == message
    with pytest.raises(ValueError, match=message):
        decoding._decode_deep('[' + number + ']')
    assert decoding.decode_json(b"[-9223372036854775808, 100000000000000000000000]") == [-2 ** 63, 10 ** 23]


@pytest.mark.parametrize("literal", ["1.0e0", "2.50", "1E+2", "0.000001", "1e-7", "1e21", "0.1e1"])
def test_a_number_an_int64_field_refuses_is_quoted_as_written(chain, literal):
    """encoding/json's UnmarshalTypeError quotes the number's text from the request (`1.0e0`, not
    the float's `1.0`), as the real 1.24 server answered each of these."""
    body = ('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"terminationGracePeriodSeconds":'
            + literal + ',"containers":[{"name":"c","image":"x"}]}}').encode()
    code, status = call(chain, "POST", ns_path(chain, "pods"), body)
    assert (code, status["message"]) == (400, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '
                                              f'number {literal} into Go struct field PodSpec.spec.'
                                              'terminationGracePeriodSeconds of type int64')



@pytest.mark.parametrize("literal,replicas", [("1.0e0", 1), ("1E+2", 100)])
def test_a_strategic_merge_patch_converts_a_float_without_a_fraction_to_an_integer(chain, literal, replicas):
    """A strategic merge patch's result goes through the unstructured converter, which puts a float
    with no fraction into an int32 (the real 1.24 server answered 200 to these)."""
    name = f"smp-{replicas}"
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                      "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}
    path = ns_path(chain, "deployments", group="apps/v1")
    assert call(chain, "POST", path, deployment)[0] == 201
    code, patched = call(chain, "PATCH", f"{path}/{name}", ('{"spec":{"replicas":' + literal + '}}').encode(),
                         content_type="application/strategic-merge-patch+json")
    assert (code, patched["spec"]["replicas"]) == (200, replicas), patched


@pytest.mark.parametrize("body,problem", [
    (b'{"metadata":{"name":0},"metadata":{"name":"dup-a"}}',
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field '
     'ObjectMeta.metadata.name of type string'),
    (b'{"metadata":{"name":"dup-b"},"data":{"x":1},"data":{"x":"2"}}',
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field '
     'ConfigMap.data of type string'),
    (b'{"metadata":1.5,"data":{"a":"b"},"metadata":{"name":"dup-d"}}',
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field '
     'ConfigMap.metadata of type v1.ObjectMeta'),
    (b'{"kind":1,"kind":"ConfigMap","metadata":{"name":"dup-c"}}',
     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
     'json: cannot unmarshal number into Go struct field .kind of type string ({"kind":1,"kind":"ConfigMap"," ...)'),
], ids=["name", "data-value", "top-level", "kind"])
def test_a_key_written_twice_whose_first_value_has_the_wrong_type_is_refused(chain, body, problem):
    """encoding/json decodes every value of a key written twice into the struct, keeps the first
    type error and reports it: the value kept last does not hide it (the real 1.24 server)."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert (code, status["message"]) == (400, problem)


def test_a_key_written_twice_merges_as_a_struct_decodes_it(chain):
    """A later object decodes into the same struct or map: fields and map entries written before
    stay unless written again; a later null empties a map (the real 1.24 server)."""
    body = (b'{"metadata":{"name":"dup-merged","labels":{"a":"b"}},"data":{"x":"1"},'
            b'"metadata":{"name":"dup-merged","annotations":{"c":"d"}},"data":{"y":"2"},"binaryData":{"z":"YQ=="},'
            b'"binaryData":null}')
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert code == 201, created
    assert (created["metadata"]["labels"], created["metadata"]["annotations"], created["data"]) == (
        {"a": "b"}, {"c": "d"}, {"x": "1", "y": "2"})
    assert "binaryData" not in created


@pytest.mark.parametrize("path,body,problem", [
    ("/apis/autoscaling/v2beta1/namespaces/{ns}/horizontalpodautoscalers/absent",
     b'{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":-1},'
     b'"metadata":{"name":"absent"}}',
     'HorizontalPodAutoscaler in version "v2" cannot be handled as a HorizontalPodAutoscaler: json: cannot unmarshal '
     'number into Go struct field ObjectMeta.metadata.name of type string'),
], ids=["other-version"])
def test_a_key_written_twice_in_a_body_of_another_version_is_checked_in_its_struct(chain, path, body, problem):
    """The codec decodes the body into the struct of what it says it is before it converts: the
    value a later one replaced is that struct's type error (the real 1.24 server)."""
    code, status = call(chain, "PUT", path.format(ns=chain.namespace), body, query={"dryRun": "All"})
    assert (code, status["message"]) == (400, problem)


def test_a_key_written_many_times_decodes_in_time_linear_in_the_body():
    """Each repeat of a map decodes into the map kept so far in place, not into a copy of it: 60,000
    repeats of an object key (1.4 MB) take a fraction of a second of CPU, where copying took seconds."""
    body = (b'{"metadata":{"name":"many"},' + b",".join(b'"data":{"k%d":"v"}' % i for i in range(60_000))
            + b"}")
    started = time.process_time()
    obj = fieldvalidation.decode_into_kind("", "v1", "ConfigMap", decoding.decode_json(body, into_struct=True)).obj
    assert time.process_time() - started < 1.0
    assert len(obj["data"]) == 60_000


@pytest.mark.parametrize("kind,resource,once,twice", [
    ("ConfigMap", "configmaps", b'"metadata":{"name":{"a":1}}', b'"metadata":{"name":{"a":1,"a":2}}'),
    ("ConfigMap", "configmaps", b'"metadata":{"name":"dup-e"},"data":{"k":{"a":1}}',
     b'"metadata":{"name":"dup-e"},"data":{"k":{"a":1,"a":2}}'),
    ("Pod", "pods", b'"metadata":{"name":"dup-f"},"spec":{"containers":[{"name":"c","image":"i","args":[{"a":1}]}]}',
     b'"metadata":{"name":"dup-f"},"spec":{"containers":[{"name":"c","image":"i","args":[{"a":1,"a":2}]}]}'),
    ("ConfigMap", "configmaps", b'"kind":{"a":1},"metadata":{"name":"dup-g"}', b'"kind":{"a":1,"a":2},"metadata":{"name":"dup-g"}'),
], ids=["metadata-name", "data-value", "list-item", "kind"])
def test_an_object_with_a_key_written_twice_where_the_kind_takes_no_object_is_the_same_400(
        chain, kind, resource, once, twice):
    """An object where the struct has a string is encoding/json's type error whether or not a key
    in it was written twice (a 400, never a server error)."""
    answers = []
    for members in (once, twice):
        body = b'{"apiVersion":"v1","kind":"%s",%s}' % (kind.encode(), members) if b'"kind"' not in members \
            else b'{"apiVersion":"v1",%s}' % members
        code, status = call(chain, "POST", ns_path(chain, resource), body)
        answers.append((code, status.get("message")))
    assert answers[0][0] == 400 and answers[1] == answers[0]


@pytest.mark.parametrize("kind,body", [
    ("Pod", b'{"metadata":{"name":"p","labels":{"a":"1"},"labels":{"b":"2"}},"spec":{"containers":['
            b'{"name":"c","image":"x","image":"y","env":[{"name":"e","value":"1","value":"2"}]}]}}'),
    ("ControllerRevision", b'{"apiVersion":"apps/v1","metadata":{"name":"r"},"revision":1,'
                           b'"data":{"a":{"b":1,"b":2},"c":[{"d":1,"d":2}]}}'),
], ids=["list-items", "any-content"])
def test_a_body_with_keys_written_twice_decodes_to_plain_json_values(kind, body):
    """What is stored holds JSON values only: every object in a list, a map or a field of any
    content is a plain dict once decoded, whatever was written twice inside it."""
    group, version = ("apps", "v1") if kind == "ControllerRevision" else ("", "v1")
    obj = fieldvalidation.decode_into_kind(group, version, kind, decoding.decode_json(body, into_struct=True)).obj
    stack, types = [obj], set()
    while stack:
        item = stack.pop()
        types.add(type(item))
        stack.extend(item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
    assert types <= {dict, list, str, int}, types


@pytest.mark.parametrize("first,problem", [
    (b'{"name":1}', "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"),
], ids=["name"])
def test_a_key_written_twice_in_a_body_past_the_recursion_limit_is_handled_alike(chain, first, problem):
    """A body too deep for Python's recursive decoder (3,000 levels in an unknown field) merges a
    key written twice the same way, its first value type-checked too."""
    nested = b"[" * 3000 + b"]" * 3000
    body = b'{"metadata":' + first + b',"metadata":{"name":"deep-dup"},"x":' + nested + b"}"
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert (code, status["message"]) == (400, f'ConfigMap in version "v1" cannot be handled as a ConfigMap: {problem}')


def test_a_key_written_twice_past_the_recursion_limit_merges_its_objects():
    nested = b"[" * 3000 + b"]" * 3000
    body = b'{"metadata":{"labels":{"a":"1"}},"metadata":{"name":"deep-merge"},"x":' + nested + b"}"
    obj = decoding.decode_json(body, max_depth=decoding.MAX_JSON_DEPTH, into_struct=True)
    obj = fieldvalidation.decode_into_kind("", "v1", "ConfigMap", obj).obj
    assert obj["metadata"] == {"name": "deep-merge", "labels": {"a": "1"}}



def test_yaml_mappings_come_out_with_their_keys_sorted():
    """YAMLToJSON marshals the map go-yaml decoded with encoding/json, which sorts its keys."""
    value = decoding.decode_yaml(b"spec:\n  z: 1\n  b: {c: 1, a: 2}\nkind: X\n")
    assert (list(value), list(value["spec"]), list(value["spec"]["b"])) == (["kind", "spec"], ["b", "z"], ["a", "c"])


def test_a_yaml_body_names_its_first_wrong_value_in_sorted_key_order(chain):
    """The decoder meets a YAML body's values in the order YAMLToJSON wrote them, keys sorted, not
    the document's: the real 1.24 server names `labels` before `name` (seen with curl)."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), b"metadata:\n  name: 5\n  labels: 7\n",
                        content_type="application/yaml")
    assert (code, status["message"]) == (
        400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go '
             "struct field ObjectMeta.metadata.labels of type map[string]string")


def test_a_managed_fields_entry_nested_5000_deep_is_refused_a_known_difference(chain):
    """Upstream keeps fieldsV1 as raw bytes, and the real 1.24 server answers this merge patch 200
    (the reviewer's run, rev29g). This server refuses it 400, deliberately: its field manager reads
    fieldsV1 through recursive JSON code, which would end in a RecursionError (a 500)."""
    assert call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "deep-fields"}})[0] == 201
    entry = ('{"manager":"m","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":'
             + deep_object(5_000) + "}")
    patch = ('{"metadata":{"managedFields":[' + entry + "]}}").encode()
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "deep-fields"), patch,
                        content_type="application/merge-patch+json")
    assert (code, status["message"]) == (400, "the object is nested 5004 levels deep; this server accepts at most 200")
