"""The handler chain and REST handlers over a real registry on the reference etcd.

Most tests call `HandlerChain.handle` with a fake request (no sockets); the streaming and TLS tests
start `APIServer` on a free loopback port. One rule per test, named in its docstring."""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field

import pytest
import yaml

from reference_impl.machinery.clock import ManualClock
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.storage.etcdclient import EtcdClient
from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import handlers, protobuf
from reference_impl.apiserver.core.handlers import Request, WatchResponse, kubelet_log_query, request_info
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.adapter.server import APIServer, HandlerChain
from tests.reference.etcd.processes import reference_server

NOW = 1_700_000_000.0
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "nginx", "image": "nginx:1.21"}]}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.21",
                                                             "env": [{"name": "A", "value": "1"}]}]}}}}



@pytest.fixture(scope="module")
def etcd(tmp_path_factory):
    """A client of a reference etcd started for the module (test modules import this fixture)."""
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        yield client
        client.close()


@pytest.fixture
def registry(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    yield registry
    registry.close()


@pytest.fixture
def chain(registry, request):
    namespace = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    chain = HandlerChain(registry, now=lambda: NOW + 90)
    chain.namespace = namespace
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    return chain


def call(chain, method: str, path: str, body=None, *, accept: str = "application/json",
         content_type: str = "application/json", query: dict | None = None):
    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    headers = {"Accept": accept, "Content-Type": content_type}
    response = chain.handle(Request(method, path, {k: [v] for k, v in (query or {}).items()}, headers, raw))
    if isinstance(response, WatchResponse):
        return response.code, response
    return response.code, json.loads(response.body) if response.content_type == "application/json" else response.body


def ns_path(chain, plural: str, name: str = "", group: str = "") -> str:
    root = f"/apis/{group}" if group else "/api/v1"
    return f"{root}/namespaces/{chain.namespace}/{plural}" + (f"/{name}" if name else "")


# --- request info ---

@pytest.mark.parametrize("method,path,query,expected", [
    ("GET", "/api/v1/namespaces/ns/pods", {}, ("list", "", "pods", "ns", "", "")),
    ("GET", "/api/v1/namespaces/ns/pods", {"watch": ["true"]}, ("watch", "", "pods", "ns", "", "")),
    ("GET", "/api/v1/watch/namespaces/ns/pods", {}, ("watch", "", "pods", "ns", "", "")),
    ("PUT", "/api/v1/namespaces/ns/pods/p/status", {}, ("update", "", "pods", "ns", "p", "status")),
    ("GET", "/api/v1/namespaces/ns", {}, ("get", "", "namespaces", "ns", "ns", "")),
    ("PUT", "/api/v1/namespaces/ns/finalize", {}, ("update", "", "namespaces", "ns", "ns", "finalize")),
    ("DELETE", "/apis/apps/v1/namespaces/ns/deployments", {}, ("deletecollection", "apps", "deployments", "ns", "", "")),
    ("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/scale", {}, ("patch", "apps", "deployments", "ns", "d", "scale")),
    ("GET", "/api/v1/nodes/n1", {}, ("get", "", "nodes", "", "n1", "")),
    # splitPath keeps an empty segment: the namespace is "", not the next part.
    ("GET", "/api/v1/namespaces//pods", {}, ("list", "", "pods", "", "", "")),
    ("GET", "/api/v1/namespaces/ns/pods", {"fieldSelector": ["metadata.name=p"], "watch": ["1"]},
     ("watch", "", "pods", "ns", "p", "")),
    # Only a GET that turned into a list or watch takes its name from the field selector.
    ("GET", "/api/v1/watch/namespaces/ns/pods", {"fieldSelector": ["metadata.name=p"]},
     ("watch", "", "pods", "ns", "", "")),
    # ListOptions that do not decode: the name is dropped (a resourceNames rule must not allow
    # the request), the watch flag kept.
    ("GET", "/api/v1/namespaces/ns/pods", {"fieldSelector": ["metadata.name=p"], "limit": ["abc"]},
     ("list", "", "pods", "ns", "", "")),
    ("GET", "/api/v1/namespaces/ns/pods", {"fieldSelector": ["metadata.name=p"], "timeoutSeconds": ["9" * 20],
                                           "watch": ["true"]},
     ("watch", "", "pods", "ns", "", "")),
    ("GET", "/api/v1/namespaces/ns/pods", {"fieldSelector": ["metadata.name=p"], "labelSelector": ["a in (b"]},
     ("list", "", "pods", "ns", "", "")),
    # proxy is a special verb as watch is: the deprecated proxy paths are authorized as proxy.
    ("GET", "/api/v1/proxy/namespaces/ns/pods/p", {}, ("proxy", "", "pods", "ns", "p", "")),
    ("DELETE", "/api/v1/proxy/nodes/n1", {}, ("proxy", "", "nodes", "", "n1", "")),
])
def test_request_info(method, path, query, expected):
    """URLs parse into verb, group, resource, namespace, name and subresource like NewRequestInfo."""
    info = request_info(method, path, query)
    assert info.is_resource_request
    assert (info.verb, info.api_group, info.resource, info.namespace, info.name, info.subresource) == expected


@pytest.mark.parametrize("uri", ["/api/v1/watch", "/apis/apps/v1/proxy/", "/api/v1/watch?a=1&b=<c>"])
def test_a_special_verb_with_nothing_after_it_is_request_infos_500_before_authentication(uri):
    """NewRequestInfo fails on `.../watch` or `.../proxy` alone, and WithRequestInfo answers with
    InternalError's plain text (the URI quoted, the sentence HTML-escaped) before anyone is
    authenticated, as the real 1.24 server answers (ours said 403 or 404)."""
    path, _, query = uri.partition("?")
    answer = HandlerChain(registry=None, authenticator=Authn(), authorizer=Authz()).handle(
        Request("GET", path, {}, {}, request_uri=uri))
    shown = uri.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert (answer.code, answer.content_type, answer.body.decode()) == (
        500, "text/plain; charset=utf-8", f'Internal Server Error: "{shown}": failed to create RequestInfo: '
                                          f"unable to determine kind and namespace from url, {shown}\n")


def test_a_resource_request_for_an_empty_resource_is_denied_naming_it(registry):
    """/api/v1//watch is a resource request for the resource "" named watch: the denial names that
    resource, not the path, as the real 1.24 server words it."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    answer = chain.handle(Request("POST", "/api/v1//watch", {}, {"Authorization": "Bearer bob"}))
    assert (answer.code, json.loads(answer.body)["message"]) == (
        403, 'forbidden: User "bob" cannot create resource "" in API group "" at the cluster scope')


def test_a_proxy_path_is_authorized_as_proxy_and_served_by_no_route(registry):
    """As the real 1.24 server answers /api/v1/proxy/nodes/n1: 403 naming the verb proxy, and for
    a user who may, go-restful's 404 (ours answered 405)."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    for user, code, message in (("bob", 403, 'nodes "n1" is forbidden: User "bob" cannot proxy resource "nodes" in '
                                               'API group "" at the cluster scope'),
                                ("admin", 404, "the server could not find the requested resource")):
        answer = chain.handle(Request("DELETE", "/api/v1/proxy/nodes/n1", {}, {"Authorization": f"Bearer {user}"}))
        assert (answer.code, json.loads(answer.body)["message"]) == (code, message)


def test_discovery_paths_are_not_resource_requests():
    for path in ("/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/healthz"):
        assert not request_info("GET", path, {}).is_resource_request


# --- CRUD ---

def test_create_get_list_delete(chain):
    """POST creates (201), GET reads, list returns a PodList, DELETE removes (200)."""
    code, created = call(chain, "POST", ns_path(chain, "pods"), POD)
    assert code == 201 and created["metadata"]["namespace"] == chain.namespace and created["metadata"]["uid"]
    assert call(chain, "GET", ns_path(chain, "pods", "web"))[1]["metadata"]["uid"] == created["metadata"]["uid"]
    code, listed = call(chain, "GET", ns_path(chain, "pods"))
    assert code == 200 and listed["kind"] == "PodList" and [p["metadata"]["name"] for p in listed["items"]] == ["web"]
    code, _ = call(chain, "DELETE", ns_path(chain, "pods", "web"), query={"gracePeriodSeconds": "0"})
    assert code == 200
    code, missing = call(chain, "GET", ns_path(chain, "pods", "web"))
    assert (code, missing["reason"], missing["message"]) == (404, "NotFound", 'pods "web" not found')


def test_create_twice_is_already_exists(chain):
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, "POST", ns_path(chain, "pods"), POD)
    assert (code, status["reason"]) == (409, "AlreadyExists")


def test_yaml_body_is_accepted(chain):
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yml\ndata:\n  k: v\n"
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type="application/yaml")
    assert code == 201 and created["data"] == {"k": "v"}


def test_update_with_stale_resource_version_conflicts(chain):
    """PUT with an old resourceVersion is a 409 Conflict with upstream's message."""
    _, created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    call(chain, "PUT", ns_path(chain, "configmaps", "c"), {**created, "data": {"a": "2"}})
    code, status = call(chain, "PUT", ns_path(chain, "configmaps", "c"), {**created, "data": {"a": "3"}})
    assert code == 409 and status["reason"] == "Conflict"
    assert "the object has been modified" in status["message"]


def test_cluster_scoped_resources_route_without_namespace(chain):
    code, node = call(chain, "POST", "/api/v1/nodes", {"metadata": {"name": f"{chain.namespace[:40]}-n"}})
    assert code == 201 and "namespace" not in node["metadata"]
    assert call(chain, "GET", f"/api/v1/nodes/{node['metadata']['name']}")[0] == 200


def test_dry_run_create_update_patch_delete_store_nothing(chain):
    """dryRun=All runs every step but the write."""
    dry = {"dryRun": "All"}
    code, _ = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "d"}}, query=dry)
    assert code == 201 and call(chain, "GET", ns_path(chain, "configmaps", "d"))[0] == 404
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "d"}, "data": {"a": "1"}})
    call(chain, "PUT", ns_path(chain, "configmaps", "d"), {"metadata": {"name": "d"}, "data": {"a": "2"}}, query=dry)
    code, patched = call(chain, "PATCH", ns_path(chain, "configmaps", "d"), {"data": {"a": "3"}},
                         content_type="application/merge-patch+json", query=dry)
    assert code == 200 and patched["data"] == {"a": "3"}
    assert call(chain, "DELETE", ns_path(chain, "configmaps", "d"), query=dry)[0] == 200
    assert call(chain, "GET", ns_path(chain, "configmaps", "d"))[1]["data"] == {"a": "1"}


# --- patch ---

@pytest.mark.parametrize("content_type,patch", [
    ("application/json-patch+json", [{"op": "replace", "path": "/spec/template/spec/containers/0/image",
                                      "value": "nginx:1.22"}]),
    ("application/merge-patch+json", {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.22"}]}}}}),
    ("application/strategic-merge-patch+json", {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.22"}]}}}}),
])
def test_patch_types(chain, content_type, patch):
    """All three patch types change the image; only merge patch drops the env it did not repeat."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, patched = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1"), patch,
                         content_type=content_type)
    assert code == 200, patched
    container = patched["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.22"
    assert ("env" in container) == (content_type != "application/merge-patch+json")
    assert patched["metadata"]["generation"] == 2


def test_patch_errors(chain):
    """A malformed patch is 400, a failing json-patch test is 422, an unknown patch type 415."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "p"}})
    path = ns_path(chain, "configmaps", "p")
    assert call(chain, "PATCH", path, b"{nope", content_type="application/merge-patch+json")[0] == 400
    failing = [{"op": "test", "path": "/metadata/name", "value": "q"}]
    assert call(chain, "PATCH", path, failing, content_type="application/json-patch+json")[0] == 422
    assert call(chain, "PATCH", path, {}, content_type="application/json")[0] == 415
    assert call(chain, "PATCH", ns_path(chain, "configmaps", "absent"), {},
                content_type="application/merge-patch+json")[0] == 404


@pytest.mark.parametrize("ops", [[{"op": "test", "path": "/metadata/name", "value": "q"}],
                                 [{"op": "remove", "path": "/data/absent"}], [{"op": "frobnicate", "path": "/a"}]])
def test_json_patch_that_does_not_apply_is_upstreams_generic_422(chain, ops):
    """applyJSPatch answers any Apply error with NewGenericServerResponse(422): reason Invalid, a
    fixed message that does not show the json-patch error, and empty details."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "j"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "j"), ops,
                        content_type="application/json-patch+json")
    assert code == 422
    assert status == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": "the server rejected our request due to an error in our request",
                      "reason": "Invalid", "details": {}, "code": 422}


def test_a_json_patch_of_more_than_10000_operations_is_413_before_any_applies(chain):
    """applyJSPatch counts the decoded operations first: 10001 of them, even ones that would all
    pass, are a 413 (as the real 1.24 server answers); 10000 apply."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "j"}})
    passing = {"op": "test", "path": "/metadata/name", "value": "j"}
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "j"), [passing] * 10001,
                        content_type="application/json-patch+json")
    assert (code, status["reason"], status["message"]) == (
        413, "RequestEntityTooLarge",
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001")
    assert call(chain, "PATCH", ns_path(chain, "configmaps", "j"), [passing] * 10000,
                content_type="application/json-patch+json")[0] == 200


def test_json_patch_body_that_is_not_a_list_is_400(chain):
    """DecodePatch's error is a 400 with encoding/json's words."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "j"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "j"), {"op": "add"},
                        content_type="application/json-patch+json")
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")


@pytest.mark.parametrize(("content_type", "body", "message"), [
    ("application/json-patch+json", b"{nope", "invalid character 'n' looking for beginning of object key string"),
    ("application/json-patch+json", b"", "unexpected end of JSON input"),
    ("application/strategic-merge-patch+json", b"", "unexpected end of JSON input"),
    ("application/merge-patch+json", b"", "Invalid JSON Patch"),
    ("application/strategic-merge-patch+json", b"[1,]", "invalid character ']' looking for beginning of value"),
    ("application/merge-patch+json", b"{nope", "Invalid JSON Patch"),
])
def test_patch_body_that_is_not_json_is_400_in_the_patchers_words(chain, content_type, body, message):
    """DecodePatch and the strategic patcher refuse a body that is not JSON with encoding/json's
    syntax error, MergePatch with its ErrBadJSONPatch."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "j"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "j"), body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


@pytest.mark.parametrize("body,message", [
    (b"[1]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    (b"1", "json: cannot unmarshal number into Go value of type map[string]interface {}"),
])
def test_a_strategic_merge_patch_that_is_no_object_is_400_as_it_cannot_unmarshal(chain, body, message):
    """strategicPatchObject unmarshals the patch into a map; another JSON value is a 400 with the
    decoder's UnmarshalTypeError."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "s"}, "data": {"a": "1"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "s"), body,
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


@pytest.mark.parametrize("content_type,body", [
    ("application/merge-patch+json", b'["a"]'),
    ("application/json-patch+json", b'[{"op": "replace", "path": "", "value": ["a"]}]'),
])
def test_a_patch_that_makes_no_object_is_422_as_the_result_does_not_decode(chain, content_type, body):
    """A merge patch that is an array, or a JSON patch replacing the whole document with one,
    makes JSON that jsonPatcher cannot decode into the kind: NewInvalid on the field "patch"
    with the patched JSON and Interpret's error, for no kind and no name."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "p"}, "data": {"a": "1"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "p"), body, content_type=content_type)
    problem = ("couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type "
               'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
               'Kind string "json:\\"kind,omitempty\\"" }')
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", f' "" is invalid: patch: Invalid value: "[\\"a\\"]": {problem}')
    assert status["details"] == {"causes": [{"reason": "FieldValueInvalid", "field": "patch",
                                             "message": f'Invalid value: "[\\"a\\"]": {problem}'}]}
    assert call(chain, "GET", ns_path(chain, "configmaps", "p"))[1]["data"] == {"a": "1"}


@pytest.mark.parametrize("body,message", [
    ({"$patch": "bogus"}, "unknown patch type: bogus in map: map[$patch:bogus]"),
    ({"metadata": {"$retainKeys": "x"}}, "invalid patch format of retainKeys"),
    ({"spec": {"$setElementOrder/containers": "x"}}, "expected a []interface {}, but received a string"),
    ({"spec": {"template": {"spec": {"containers": [{"$patch": "bogus"}]}}}},
     "unknown patch type: bogus in map: map[$patch:bogus]"),
])
def test_a_strategic_merge_patch_with_a_bad_directive_is_400_in_strategicpatchs_words(chain, body, message):
    """A directive strategicpatch refuses: a bad retainKeys list is upstream's 400; an unknown
    `$patch` or a `$setElementOrder/` that is no list is a plain error upstream answers 500, a
    client's mistake that stays a 400 here, with upstream's message."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1"), body,
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


@pytest.mark.parametrize("body,message", [
    ({"spec": {"containers": [{"name": "nginx", "image": "x"}], "$setElementOrder/containers": [{"name": "zz"}]}},
     "The order in patch list:\n[map[image:x name:nginx]]\n doesn't match $setElementOrder list:\n[map[name:zz]]\n"),
    ({"spec": {"$setElementOrder/containers": [{"image": "x"}]}},
     "map: map[image:x] does not contain declared merge key: name"),
    ({"spec": {"containers": [1]}},
     "list element types are not identical: [[map[image:nginx:1.21 imagePullPolicy:IfNotPresent name:nginx "
     "resources:map[] terminationMessagePath:/dev/termination-log terminationMessagePolicy:File]] [1]]"),
])
def test_a_strategic_merge_patch_whose_lists_do_not_merge_is_400_in_strategicpatchs_words(chain, body, message):
    """A `$setElementOrder/` list that does not hold the patch list's items in order or lacks the
    merge key, and a merged list whose items are not all of one type, are plain strategicpatch
    errors that upstream answers with a 500: the client's mistake, a 400 here with its message."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, "PATCH", ns_path(chain, "pods", "web"), body,
                        content_type="application/strategic-merge-patch+json", query={"dryRun": "All"})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_a_strategic_merge_patch_adds_a_new_list_item_as_it_is_with_its_directives_unread(chain):
    """mergeSliceWithoutSpecialElements appends an item the original lacks without merging it: its
    `$retainKeys` is not read (no 400 for keys it does not name), and the pod gets a new volume,
    which a pod update may not add."""
    volume = {"name": "data", "emptyDir": {}}
    call(chain, "POST", ns_path(chain, "pods"), {**POD, "spec": {**POD["spec"], "volumes": [volume]}})
    body = {"spec": {"volumes": [{"name": "v", "emptyDir": {}, "$retainKeys": ["bogus"]}]}}
    code, status = call(chain, "PATCH", ns_path(chain, "pods", "web"), body,
                        content_type="application/strategic-merge-patch+json", query={"dryRun": "All"})
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('Pod "web" is invalid: spec: Forbidden: pod updates may not change fields '
                                        "other than"), status


def test_a_strategic_merge_patch_directive_in_a_field_the_object_lacks_is_not_read(chain):
    """A ConfigMap has no spec: the patch's spec is taken as it is, its `$setElementOrder/` unread,
    and dropped with the field the kind does not have."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "s"}, "data": {"a": "1"}})
    code, patched = call(chain, "PATCH", ns_path(chain, "configmaps", "s"), {"spec": {"$setElementOrder/containers": "x"}},
                         content_type="application/strategic-merge-patch+json")
    assert (code, "spec" in patched, patched["data"]) == (200, False, {"a": "1"})


def test_a_strategic_merge_patch_keeps_the_bits_of_an_integer_its_field_cannot_hold(chain):
    """The unstructured converter converts an integer into the field's Go type as Go converts
    integers, where encoding/json would refuse it: 4294967298 replicas are 2, a history limit of
    -2147483649 is 2147483647 (what the real kube-apiserver 1.24 answers)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), {
        "metadata": {"name": "d"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {
            "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}})
    patch = {"spec": {"replicas": 4294967298, "revisionHistoryLimit": -2147483649}}
    code, patched = call(chain, "PATCH", ns_path(chain, "deployments", "d", group="apps/v1"), patch,
                         content_type="application/strategic-merge-patch+json", query={"dryRun": "All"})
    assert code == 200 and (patched["spec"]["replicas"], patched["spec"]["revisionHistoryLimit"]) == (2, 2147483647)
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "d", group="apps/v1"), patch,
                        content_type="application/merge-patch+json", query={"dryRun": "All"})
    assert code == 422 and "cannot unmarshal number 4294967298 into Go struct field" in status["message"]


def test_a_scales_replicas_past_int32_by_strategic_merge_patch_are_negative(chain):
    """The scale subresource's strategic merge patch goes through the converter too: 2147483648
    replicas are -2147483648, which validation refuses (the real kube-apiserver 1.24's 422)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1") + "/scale",
                        {"spec": {"replicas": 2147483648}}, content_type="application/strategic-merge-patch+json")
    assert (code, status["message"]) == (422, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: '
                                              '-2147483648: must be greater than or equal to 0')


def test_a_priority_class_value_past_int32_by_strategic_merge_patch_is_a_change_of_value(chain):
    """2147483648 becomes -2147483648 in the converter, so the update is refused for changing the
    value, as the real kube-apiserver 1.24 refuses it."""
    call(chain, "POST", "/apis/scheduling.k8s.io/v1/priorityclasses", {"metadata": {"name": chain.namespace},
                                                                       "value": 5})
    code, status = call(chain, "PATCH", f"/apis/scheduling.k8s.io/v1/priorityclasses/{chain.namespace}",
                        {"value": 2147483648}, content_type="application/strategic-merge-patch+json")
    assert (code, status["message"]) == (422, f'PriorityClass.scheduling.k8s.io "{chain.namespace}" is invalid: '
                                              f'Value: Forbidden: may not be changed in an update.')


def test_a_strategic_merge_patch_of_null_changes_nothing(chain):
    """null unmarshals into the patch map as a nil map: a patch with nothing in it."""
    created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "s"}, "data": {"a": "1"}})[1]
    code, patched = call(chain, "PATCH", ns_path(chain, "configmaps", "s"), b"null",
                         content_type="application/strategic-merge-patch+json")
    assert (code, patched["data"]) == (200, {"a": "1"})
    assert patched["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


@pytest.mark.parametrize("content_type", ["application/json-patch+json", "application/merge-patch+json",
                                          "application/strategic-merge-patch+json"])
def test_a_patch_of_a_missing_object_is_404_before_its_body_is_decoded(chain, content_type):
    """Every patcher decodes the patch only when it applies it to the object read from storage, so
    a patch of an object that does not exist is a 404 whatever its body."""
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "absent"), b"{nope", content_type=content_type)
    assert (code, status["reason"], status["message"]) == (404, "NotFound", 'configmaps "absent" not found')


@pytest.mark.parametrize("body", [b"null", b"1", b'"x"', b"true"])
def test_a_merge_patch_that_is_null_or_a_scalar_is_400_invalid_json_patch(chain, body):
    """evanphx's MergePatch refuses a patch that decodes to a nil map, or to no map and no array,
    with ErrBadJSONPatch, which applyJSPatch answers as a 400 of its words; nothing is written."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "m"}, "data": {"a": "1"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "m"), body,
                        content_type="application/merge-patch+json")
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", "Invalid JSON Patch")
    assert call(chain, "GET", ns_path(chain, "configmaps", "m"))[1]["data"] == {"a": "1"}


@pytest.mark.parametrize("method,body,content_type,message", [
    ("PUT", {"metadata": {"name": "c", "deletionTimestamp": "2026-01-02T03:04:05Z"}}, "application/json",
     "metadata.deletionTimestamp: Invalid value: 2026-01-02 03:04:05 +0000 UTC: field is immutable"),
    ("PATCH", {"metadata": {"deletionTimestamp": "2026-01-02T05:04:05+02:00"}}, "application/merge-patch+json",
     "metadata.deletionTimestamp: Invalid value: 2026-01-02 03:04:05 +0000 UTC: field is immutable"),
    ("PATCH", {"metadata": {"deletionGracePeriodSeconds": 30}}, "application/strategic-merge-patch+json",
     "metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable"),
    ("PATCH", [{"op": "add", "path": "/metadata/deletionGracePeriodSeconds", "value": 0}],
     "application/json-patch+json", "metadata.deletionGracePeriodSeconds: Invalid value: 0: field is immutable"),
])
def test_a_client_cannot_start_an_objects_deletion_by_update(chain, method, body, content_type, message):
    """ValidateObjectMetaUpdate: on an object not being deleted, a PUT or patch that sets
    deletionTimestamp (shown as Go's time.Time prints it) or deletionGracePeriodSeconds is a 422
    "field is immutable", and nothing is written."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    code, status = call(chain, method, ns_path(chain, "configmaps", "c"), body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (422, "Invalid", f'ConfigMap "c" is invalid: {message}')
    assert status["details"]["causes"][0]["field"] == message.split(":")[0]
    assert "deletionTimestamp" not in call(chain, "GET", ns_path(chain, "configmaps", "c"))[1]["metadata"]


UNNAMED = "the name of the object (c based on URL) was undeterminable: name must be provided"


@pytest.mark.parametrize("method,body,content_type,message", [
    ("PUT", {"data": {"a": "2"}}, "application/json", UNNAMED),
    ("PUT", {"metadata": None, "data": {"a": "2"}}, "application/json", UNNAMED),
    ("PATCH", {"metadata": None}, "application/merge-patch+json", UNNAMED),
    ("PATCH", [{"op": "remove", "path": "/metadata/name"}], "application/json-patch+json", UNNAMED),
    ("PUT", {"metadata": {"name": "d"}, "data": {"a": "2"}}, "application/json",
     "the name of the object (d) does not match the name on the URL (c)"),
    ("PATCH", [{"op": "replace", "path": "/metadata/namespace", "value": "other"}], "application/json-patch+json",
     "the namespace of the object (other) does not match the namespace on the request ({namespace})"),
    # checkName runs before BeforeUpdate's namespace check, whose words are a create's (fuzz20)
    ("PUT", {"metadata": {"name": "c", "namespace": "other"}, "data": {"a": "2"}}, "application/json",
     "the namespace of the object (other) does not match the namespace on the request ({namespace})"),
])
def test_an_update_or_patch_must_name_the_objects_url(chain, method, body, content_type, message):
    """checkName: the object a PUT sends or a patch makes has the URL's name (one without a name is
    the namer's "undeterminable", as the real 1.24 server words it) and, if it names a namespace, the
    URL's; 400 otherwise, and nothing is written."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    code, status = call(chain, method, ns_path(chain, "configmaps", "c"), body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest",
                                                           message.format(namespace=chain.namespace))
    assert call(chain, "GET", ns_path(chain, "configmaps", "c"))[1]["data"] == {"a": "1"}


def test_scale_subresource_get_put_patch(chain):
    """deployments/scale reads and writes spec.replicas as an autoscaling/v1 Scale."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", "apps/v1") + "/scale"
    code, scale = call(chain, "GET", path)
    assert code == 200 and scale["kind"] == "Scale" and scale["spec"]["replicas"] == 2
    code, scale = call(chain, "PUT", path, {**scale, "spec": {"replicas": 4}})
    assert code == 200 and scale["spec"]["replicas"] == 4
    code, scale = call(chain, "PATCH", path, {"spec": {"replicas": 1}}, content_type="application/merge-patch+json")
    assert code == 200 and scale["spec"]["replicas"] == 1
    deployment = call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"))[1]
    assert deployment["spec"]["replicas"] == 1


SCALE = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}, "spec": {"replicas": 3}}


@pytest.mark.parametrize("body,message", [
    ({**SCALE, "apiVersion": "autoscaling/v2"}, 'Scale in version "v2" cannot be handled as a Scale: no kind "Scale" '
                                                'is registered for version "autoscaling/v2" in scheme '
                                                '"pkg/api/legacyscheme/scheme.go:30"'),
    ({**SCALE, "kind": "Deployment"}, 'Deployment in version "v1" cannot be handled as a Scale: no kind "Deployment" '
                                      'is registered for version "autoscaling/v1" in scheme '
                                      '"pkg/api/legacyscheme/scheme.go:30"'),
    (b"{", "the object provided is unrecognized (must be of type Scale): couldn't get version/kind; json parse "
           "error: unexpected end of JSON input ({)"),
    (b"", "the object provided is unrecognized (must be of type Scale): couldn't get version/kind; json parse "
          "error: unexpected end of JSON input (<empty>)"),
])
def test_a_scale_update_decodes_its_body_as_an_autoscaling_v1_scale(chain, body, message):
    """UpdateResource decodes a scale's body into autoscaling/v1 Scale, the only version that has
    one, with transformDecodeError's words for what does not decode."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "PUT", ns_path(chain, "deployments", "web", "apps/v1") + "/scale", body)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_a_bindings_create_options_are_validated_before_its_body(chain):
    """createHandler validates a binding's CreateOptions as of any create: a bad dryRun is the
    options' 422 (test_tokenrequest checks a token request's)."""
    body = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"name": "n"}}
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding", body, query={"dryRun": "Bogus"})
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Bogus"}: '
                        'supported values: "All"')


@pytest.mark.parametrize("method,query,message", [
    ("PUT", "dryRun=Bogus", 'UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Bogus"}: '
                            'supported values: "All"'),
    ("PUT", "fieldManager=" + "m" * 129, 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have '
                                         "at most 128 bytes"),
    ("PATCH", "fieldValidation=Bogus", 'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: '
                                       '"Bogus": supported values: "", "Ignore", "Strict", "Warn"'),
])
def test_a_scales_write_options_are_validated_as_any_writes(chain, method, query, message):
    """UpdateResource and PatchResource validate a scale's UpdateOptions or PatchOptions as they do
    the main resource's: a bad dryRun is the options' 422, not a 400."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", "apps/v1") + "/scale"
    body = {**SCALE, "metadata": {"name": "web", "namespace": chain.namespace}}
    key, _, value = query.partition("=")
    code, status = call(chain, method, path, body, query={key: value},
                        content_type="application/merge-patch+json" if method == "PATCH" else "application/json")
    assert (code, status["reason"], status["message"]) == (422, "Invalid", message)
    assert call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"))[1]["spec"]["replicas"] == 2


@pytest.mark.parametrize("resource_version,why", [("x", "invalid syntax"), ("18446744073709551616", "value out of range")])
def test_a_scale_update_with_an_unparsable_resource_version_is_400(chain, resource_version, why):
    """scaleUpdatedObjectInfo moves the Scale's resourceVersion to the parent, whose version
    Store.Update parses with strconv.ParseUint (upstream answers its error as a 500)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    body = {**SCALE, "metadata": {"name": "web", "namespace": chain.namespace,
                                  "resourceVersion": resource_version}}
    code, status = call(chain, "PUT", ns_path(chain, "deployments", "web", "apps/v1") + "/scale", body)
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", f'strconv.ParseUint: parsing "{resource_version}": {why}')
    assert call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"))[1]["spec"]["replicas"] == 2


def test_a_scale_patch_whose_result_does_not_decode_is_invalid(chain):
    """jsonPatcher decodes the patched Scale; a replicas that is no int32 is its 422 on the patch."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1") + "/scale",
                        {"spec": {"replicas": "x"}}, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].endswith(": json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas "
                                      "of type int32"), status
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1") + "/scale",
                        {"spec": {"replicas": 2**40}}, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid") and "of type int32" in status["message"], status
    assert call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"))[1]["spec"]["replicas"] == 2


@pytest.mark.parametrize("patch,message", [
    ({"kind": "Deployment"}, 'no kind "Deployment" is registered for version "autoscaling/v1" in scheme '
                             '"pkg/api/legacyscheme/scheme.go:30"'),
    ({"apiVersion": "autoscaling/v2"}, 'no kind "Scale" is registered for version "autoscaling/v2" in scheme '
                                       '"pkg/api/legacyscheme/scheme.go:30"'),
    # A kind the scheme lacks is decoded into no struct: its status of the wrong type is not read.
    ({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "status": 5},
     'no kind "CustomResourceDefinition" is registered for version "apiextensions.k8s.io/v1" in scheme '
     '"pkg/api/legacyscheme/scheme.go:30"'),
])
def test_a_scale_patch_decodes_as_the_kind_its_result_names(chain, patch, message):
    """jsonPatcher decodes the patched Scale by the apiVersion and kind the patch left in it: one
    autoscaling/v1 does not register is the patch's 422, and nothing is scaled (fuzz20: as the real
    kube-apiserver 1.24 answers; it was a 200)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1") + "/scale",
                        {**patch, "spec": {"replicas": 5}}, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert status["message"].startswith(' "" is invalid: patch: Invalid value: ')
    assert status["message"].endswith(message)
    assert call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"))[1]["spec"]["replicas"] == 2


@pytest.mark.parametrize("patch,content_type", [
    ({"spec": {"replicas": None}}, "application/merge-patch+json"),
    ({"spec": None}, "application/merge-patch+json"),
    ([{"op": "remove", "path": "/spec/replicas"}], "application/json-patch+json"),
])
def test_a_scale_whose_replicas_are_left_out_scales_to_zero(chain, patch, content_type):
    """ScaleSpec.Replicas is an int32, not a pointer: a patch that removes it (or the spec) scales
    the workload to 0, as the real kube-apiserver 1.24 does (fuzz20: it was a 422 on None)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, scale = call(chain, "PATCH", ns_path(chain, "deployments", "web", "apps/v1") + "/scale", patch,
                       content_type=content_type)
    assert (code, scale["spec"]) == (200, {"replicas": 0}), scale
    assert call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"))[1]["spec"]["replicas"] == 0


@pytest.mark.parametrize("plural,group,message", [
    ("deployments", "apps/v1", 'deployments/scale.apps "absent" not found'),
    ("replicasets", "apps/v1", 'replicasets/scale.apps "absent" not found'),
    ("replicationcontrollers", "", 'replicationcontrollers/scale.autoscaling "absent" not found'),
    ("statefulsets", "apps/v1", 'statefulsets.apps "absent" not found'),
])
def test_the_scale_of_a_missing_object_is_not_found_as_its_scale_rest_names_it(chain, plural, group, message):
    """ScaleREST.Get answers the parent's NotFound with one of `<plural>/scale` (a
    ReplicationController's in group autoscaling); StatefulSet's returns the store's own. A write
    to the scale of a missing object is the store's NotFound of the parent."""
    path = ns_path(chain, plural, "absent", group) + "/scale"
    code, status = call(chain, "GET", path)
    assert (code, status["reason"], status["message"]) == (404, "NotFound", message), status
    code, status = call(chain, "PATCH", path, {"spec": {"replicas": 1}}, content_type="application/merge-patch+json")
    assert (code, status["message"]) == (404, f'{plural}{".apps" if group else ""} "absent" not found'), status


def test_status_and_binding_subresources(chain):
    """pods/status writes only the status; pods/binding sets spec.nodeName."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    pod = call(chain, "GET", ns_path(chain, "pods", "web"))[1]
    code, updated = call(chain, "PUT", ns_path(chain, "pods", "web") + "/status",
                         {**pod, "status": {"phase": "Running"}, "spec": {**pod["spec"], "nodeName": "ignored"}})
    assert code == 200 and updated["status"]["phase"] == "Running" and "nodeName" not in updated["spec"]
    code, _ = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding",
                   {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"name": "n1"}})
    assert code == 201
    assert call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]["nodeName"] == "n1"


BINDING = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"name": "n1"}}


def test_a_bound_pod_is_stored_as_the_pod_struct_encodes(chain):
    """setPodHostAndAnnotations makes an annotations map for the binding's annotations, and Go
    writes an empty one as nothing: a pod bound without any keeps none (the real kube-apiserver
    1.24 answers without `annotations: {}`), with spec.nodeName in the struct's place."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    assert call(chain, "POST", ns_path(chain, "pods", "web") + "/binding", BINDING)[0] == 201
    bound = call(chain, "GET", ns_path(chain, "pods", "web"))[1]
    assert "annotations" not in bound["metadata"]
    assert list(bound["spec"]).index("nodeName") < list(bound["spec"]).index("securityContext")


@pytest.mark.parametrize("body,message", [
    ({**BINDING, "apiVersion": "v9"}, 'Binding in version "v9" cannot be handled as a Binding: no kind "Binding" is '
                                      'registered for version "v9" in scheme "pkg/api/legacyscheme/scheme.go:30"'),
    ({**BINDING, "kind": "Pod"}, 'Pod in version "v1" cannot be handled as a Binding: converting (v1.Pod) to '
                                 '(core.Binding): unknown conversion'),
    ({**BINDING, "target": "x"}, 'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal '
                                 'string into Go struct field Binding.target of type v1.ObjectReference'),
    (b"{", "the object provided is unrecognized (must be of type Binding): couldn't get version/kind; json parse "
           "error: unexpected end of JSON input ({)"),
    ({**BINDING, "metadata": {"name": "other"}}, "name in URL does not match name in Binding object"),
    ({**BINDING, "metadata": {}}, "name in URL does not match name in Binding object"),
    # ValidatePodBinding's errors go back as an Aggregate, a 500 upstream: a 400 here, in its words.
    ({**BINDING, "target": {}}, "target.name: Required value"),
    ({**BINDING, "target": {"kind": "Pod", "name": "n1"}},
     'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"'),
])
@pytest.mark.parametrize("dry_run", [{}, {"dryRun": "All"}])
def test_a_binding_is_decoded_named_and_validated_before_the_pod_is_assigned(chain, body, message, dry_run):
    """createHandler decodes the body into a v1 Binding; BindingREST.Create wants the URL's name
    and ValidatePodBinding's target, dry run or not."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding", body, query=dry_run)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)
    assert "nodeName" not in call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]


def test_a_dry_run_binding_reads_the_pod_but_does_not_assign_it(chain):
    """BindingREST's GuaranteedUpdate runs in a dry run too: a missing pod is 404, a bound one a
    conflict, and the pod is left as it was."""
    code, status = call(chain, "POST", ns_path(chain, "pods", "absent") + "/binding",
                        {**BINDING, "metadata": {"name": "absent"}}, query={"dryRun": "All"})
    assert (code, status["message"]) == (404, 'pods "absent" not found')
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, _ = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding", BINDING, query={"dryRun": "All"})
    assert code == 201 and "nodeName" not in call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]
    call(chain, "POST", ns_path(chain, "pods", "web") + "/binding", BINDING)
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding",
                        {**BINDING, "target": {"name": "n2"}}, query={"dryRun": "All"})
    assert (code, status["message"]) == (409, 'Operation cannot be fulfilled on pods/binding "web": '
                                              'pod web is already assigned to node "n1"')


def test_a_binding_posted_to_the_bindings_collection_binds_the_pod_it_names(chain):
    """LegacyBindingREST: POST /api/v1/namespaces/NS/bindings binds the pod the Binding's metadata
    names, as its pods/NAME/binding would (what the real kube-apiserver 1.24 serves, and lists in
    discovery as a create-only resource)."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, "POST", ns_path(chain, "bindings"), BINDING, query={"dryRun": "All"})
    assert code == 201 and "nodeName" not in call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]
    code, status = call(chain, "POST", ns_path(chain, "bindings"), BINDING)
    assert (code, status["status"]) == (201, "Success")
    assert call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]["nodeName"] == "n1"
    code, status = call(chain, "POST", ns_path(chain, "bindings"), BINDING)
    assert (code, status["message"]) == (409, 'Operation cannot be fulfilled on pods/binding "web": '
                                              'pod web is already assigned to node "n1"')
    entry = next(r for r in call(chain, "GET", "/api/v1")[1]["resources"] if r["name"] == "bindings")
    assert entry == {"name": "bindings", "singularName": "", "namespaced": True, "kind": "Binding",
                     "verbs": ["create"]}


NOT_ACCEPTABLE = ("only the following media types are accepted: application/json, application/yaml, "
                  "application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("collection", [False, True])
def test_a_bindings_accept_is_negotiated_before_its_options_and_body(chain, collection):
    """createHandler negotiates the output media type first: an Accept no endpoint serves is a 406
    before a bad dryRun or a body that does not decode (the real 1.24 server, request_random_differential)."""
    path = ns_path(chain, "bindings") if collection else ns_path(chain, "pods", "web") + "/binding"
    code, status = call(chain, "POST", path, b"1", query={"dryRun": "Bogus"},
                        accept="application/json;as=Nope;g=meta.k8s.io;v=v1")
    assert (code, status["reason"], status["message"]) == (406, "NotAcceptable", NOT_ACCEPTABLE)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PROPFIND"])
def test_the_bindings_collection_answers_other_methods_than_post_with_405(chain, method):
    """Its one route is a POST to the namespace's collection: go-restful finds the path and no
    route of the method (405), where a path it has no route for at all is a 404."""
    code, status = call(chain, method, ns_path(chain, "bindings"), b"{}" if method == "PUT" else None)
    assert (code, status["reason"]) == (405, "MethodNotAllowed")
    assert call(chain, "GET", ns_path(chain, "bindings", "web"))[0] == 404


def test_a_patch_body_no_route_consumes_is_a_415_before_an_accept_no_route_produces(chain):
    """go-restful selects a route by Content-Type (when there is a body) before Accept."""
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "absent"), b"{}", content_type="text/plain",
                        accept="text/html")
    assert (code, status["message"]) == (415, "415: Unsupported Media Type")
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "absent"), b"", content_type="text/plain",
                        accept="text/html")
    assert (code, status["message"]) == (406, "406: Not Acceptable")


def test_a_chunked_patch_body_no_route_consumes_is_go_restfuls_406(chain):
    """go-restful refuses the Content-Type only when ContentLength > 0; a chunked body's length is
    unknown (-1), so no route is left for the Accept check: a 406, not a 415."""
    request = Request("PATCH", ns_path(chain, "configmaps", "absent"), {},
                      {"Accept": "application/json", "Content-Type": "text/plain", "Transfer-Encoding": "chunked"},
                      b"{}")
    response = chain.handle(request)
    assert (response.code, json.loads(response.body)["message"]) == (406, "406: Not Acceptable")


@pytest.mark.parametrize("accept", ["application/json", "application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1"])
def test_a_bodiless_patch_no_route_consumes_is_go_restfuls_406_whatever_it_accepts(chain, accept):
    """Without a body go-restful does not refuse the Content-Type, but no route is left for the
    Accept check: its own 406, even for an Accept the handler would have refused in other words
    (the real 1.24 server)."""
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "absent"), b"", content_type="text/plain",
                        accept=accept)
    assert (code, status["message"]) == (406, "406: Not Acceptable")


@pytest.mark.parametrize("method,path,accept", [("DELETE", "/api/v1/namespaces", "application/*"),
                                                ("DELETE", "/api/v1/namespaces", "text/html"),
                                                ("PATCH", "/api/v1/namespaces", "text/html")])
def test_a_method_no_route_of_the_path_takes_is_a_405_before_the_accept(chain, method, path, accept):
    """go-restful looks for a route of the method before it compares Content-Type and Accept:
    namespaces have no collection delete (the real 1.24 server)."""
    code, status = call(chain, method, path, b"", accept=accept, content_type="text/plain")
    assert (code, status["reason"]) == (405, "MethodNotAllowed")


@pytest.mark.parametrize("name", ["a,b", "a=b", "a%5Cb"])
def test_the_watch_of_one_object_selects_its_name_whatever_characters_it_has(chain, name):
    """ListResource makes the name a one-term selector itself (OneTermEqualSelector), never a text
    to parse: a backslash, comma or equals sign in the path's name is no selector error (the real
    1.24 server watches)."""
    code, _ = call(chain, "GET", f"/api/v1/watch/namespaces/{chain.namespace}/configmaps/{name}",
                   query={"timeoutSeconds": "1"})
    assert code == 200


@pytest.mark.parametrize("path,query", [
    ("/api/v1/watch/nodes/x", {"resourceVersionMatch": "exact", "labelSelector": "a in (b"}),
    ("/api/v1/nodes", {"watch": "true", "resourceVersionMatch": "exact", "labelSelector": "a in (b"}),
    ("/api/v1/nodes", {"watch": "true", "resourceVersionMatch": "exact", "fieldSelector": "a"})])
def test_a_watch_parses_its_selectors_before_it_validates_its_list_options(chain, path, query):
    """As for a list, the conversion to the internal ListOptions parses the selectors (400) before
    ValidateListOptions refuses a resourceVersionMatch (422) (the real 1.24 server)."""
    code, status = call(chain, "GET", path, query=query)
    assert (code, status["reason"]) == (400, "BadRequest")


def test_a_collection_delete_negotiates_its_accept_before_its_list_options(chain):
    """DeleteCollection negotiates the output media type before it decodes the list options."""
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps"), query={"resourceVersion": "-1"},
                        accept="application/json;g=meta.k8s.io;v=v1")
    assert (code, status["reason"], status["message"]) == (406, "NotAcceptable", NOT_ACCEPTABLE)


@pytest.mark.parametrize("content_type", ["text/plain", "text/yaml"])
def test_a_creates_content_type_is_refused_before_its_options(chain, content_type):
    """createHandler asks NegotiateInputSerializer (415) before it validates the CreateOptions (422)."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), b"{}", content_type=content_type,
                        query={"fieldValidation": "x"})
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")


@pytest.mark.parametrize("accept,content_type,code,message", [
    ("application", "application/json", 406, "406: Not Acceptable"),
    ("application/json;g=meta.k8s.io;v=v1", "application/json", 406, NOT_ACCEPTABLE),
    ("application/json;as=Table;g=meta.k8s.io;v=v1", "application/merge-patch+json", 406, NOT_ACCEPTABLE),
    ("application/json", "text/plain", 415, "the body of the request was in an unknown format - accepted media "
                                            "types include: application/json, application/yaml, "
                                            "application/vnd.kubernetes.protobuf")])
def test_a_reviews_media_types_are_checked_before_its_options_and_body(chain, accept, content_type, code, message):
    """A review's route checks the Accept (go-restful's 406), then createHandler negotiates it (a
    review converts to no Table) and the Content-Type, all before a bad dryRun's 422."""
    answer, status = call(chain, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", b"{}",
                          accept=accept, content_type=content_type, query={"dryRun": "x"})
    assert (answer, status["message"]) == (code, message)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_api_version_of_two_slashes_does_not_interpret(chain, method):
    """SimpleMetaFactory.Interpret parses the apiVersion with ParseGroupVersion: `a/b/c` is
    transformDecodeError's 400 before the object is looked for (a PUT of events took it)."""
    path = ns_path(chain, "configmaps") + ("/absent" if method == "PUT" else "")
    body = {"apiVersion": "a/b/c", "kind": "ConfigMap", "metadata": {"name": "absent"}}
    code, status = call(chain, method, path, body, query={"dryRun": "All"})
    assert (code, status["message"]) == (400, 'the object provided is unrecognized (must be of type ConfigMap): '
                                              'unexpected GroupVersion string: a/b/c ({"apiVersion": "a/b/c", "kind" ...)')


def test_a_body_of_another_version_is_decoded_in_it_before_the_version_is_refused(chain):
    """The codec decodes the body in the version it names (a v1 PodDisruptionBudget sent to
    v1beta1): its field of the wrong type is that decode's 400, before AcceptsGroupVersion's."""
    path = ns_path(chain, "poddisruptionbudgets", "p", "policy/v1beta1")
    body = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}, "spec": [1]}
    code, status = call(chain, "PUT", path, body, query={"dryRun": "All"})
    assert (code, status["message"]) == (
        400, 'PodDisruptionBudget in version "v1" cannot be handled as a PodDisruptionBudget: json: cannot unmarshal '
             'array into Go struct field PodDisruptionBudget.spec of type v1.PodDisruptionBudgetSpec')
    code, status = call(chain, "PUT", path, {**body, "spec": {}}, query={"dryRun": "All"})
    assert (code, status["message"]) == (400, "the API version in the data (policy/v1) does not match the expected "
                                              "API version (policy/v1beta1)")


def test_a_scale_patch_naming_another_kind_is_decoded_in_it_before_it_converts(chain):
    """A merge patch of a scale leaving kind Deployment: the codec decodes the Deployment struct
    first (its metadata of the wrong type is the error), then finds no conversion to Scale."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", "apps/v1") + "/scale"
    for metadata, problem in (("x", "json: cannot unmarshal string into Go struct field Deployment.metadata of type "
                                    "v1.ObjectMeta"),
                              ({}, "converting (v1.Deployment) to (autoscaling.Scale): unknown conversion")):
        body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata}
        code, status = call(chain, "PATCH", path, body, content_type="application/merge-patch+json")
        assert code == 422 and status["message"].endswith(problem)


@pytest.mark.parametrize("query,path", [({"resourceVersion": "abc"}, "/apis/apps/v1/namespaces/{ns}/deployments/web/scale"),
                                        ({}, "/apis/apps/v1/namespaces//deployments/web/scale")])
def test_a_deployments_scale_read_answers_any_error_as_not_found(chain, query, path):
    """Deployments' ScaleREST.Get reads with the request's GetOptions and answers any error of the
    read (a resourceVersion that is no number, a key without its namespace) as its NotFound."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "GET", path.format(ns=chain.namespace), query=query)
    assert (code, status["message"]) == (404, 'deployments/scale.apps "web" not found')


@pytest.mark.parametrize("api_version", [1.5, None, ["v1"]])
def test_an_apply_configurations_api_version_that_is_no_string_reads_as_empty(chain, api_version):
    """structuredMergeManager.Apply compares Unstructured's GetAPIVersion, which reads a string only."""
    body = json.dumps({"apiVersion": api_version, "kind": "ConfigMap", "metadata": {"name": "applied"}}).encode()
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "applied"), body,
                        content_type="application/apply-patch+yaml", query={"fieldManager": "m"})
    assert (code, status["message"]) == (400, "Incorrect version specified in apply patch. Specified patch version: "
                                              ", expected: v1")


def test_a_watch_of_one_object_checks_its_field_labels_before_the_name(chain):
    """ListResource transforms the field selector's labels before it compares metadata.name with
    the watched object's: a label the kind does not know is that 400."""
    path = "/apis/rbac.authorization.k8s.io/v1/watch/clusterroles/view"
    code, status = call(chain, "GET", path, query={"fieldSelector": "status.phase=Running"})
    assert (code, status["message"]) == (400, '"status.phase" is not a known field selector: only "metadata.name", '
                                              '"metadata.namespace"')
    code, status = call(chain, "GET", path, query={"fieldSelector": "metadata.namespace=x"})
    assert (code, status["message"]) == (400, "fieldSelector metadata.name doesn't match requested name")


ROLES = "/apis/rbac.authorization.k8s.io/v1/namespaces//roles"


@pytest.mark.parametrize("method,path,body", [
    ("GET", ROLES + "/r", None), ("PUT", ROLES + "/r", {"metadata": {"name": "r"}, "rules": []}),
    ("PATCH", ROLES + "/r", {}), ("DELETE", ROLES + "/r", None), ("DELETE", ROLES, None),
    ("GET", "/api/v1/namespaces//pods/p/status", None)])
def test_an_empty_namespace_in_the_path_is_routed_and_its_key_refused(chain, method, path, body):
    """go-restful matches {namespace} to an empty segment: the handler runs, and NamespaceKeyFunc
    refuses the key with a 400 (a collection delete lists every namespace and refuses the first
    delete, deleting nothing)."""
    roles = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{chain.namespace}/roles"
    assert call(chain, "POST", roles, {"metadata": {"name": "r"}, "rules": []})[0] in (201, 409)  # one per module
    content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"
    code, status = call(chain, method, path, body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", "Namespace parameter required.")
    assert call(chain, "GET", f"{roles}/r")[0] == 200


def test_a_create_under_an_empty_namespace_is_invalid_for_its_missing_namespace(chain):
    code, status = call(chain, "POST", ROLES, {"metadata": {"name": "r"}, "rules": []})
    assert (code, status["message"]) == (
        422, 'Role.rbac.authorization.k8s.io "r" is invalid: metadata.namespace: Required value')
    assert call(chain, "GET", ROLES)[0] == 200  # a list across namespaces
    assert call(chain, "GET", "/api/v1/namespaces//nodes/n")[0] == 404  # a cluster-scoped kind has no such route


NOT_FOUND = (404, "NotFound", "the server could not find the requested resource")
AUTHORIZATION_V1 = "/apis/authorization.k8s.io/v1"
ACCESS_SPEC = {"user": "bob", "resourceAttributes": {"verb": "get", "resource": "pods"}}


@pytest.mark.parametrize("method,path,body,expected", [
    ("POST", AUTHORIZATION_V1 + "/namespaces//selfsubjectaccessreviews",
     {"kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"verb": "get"}}}, NOT_FOUND),
    ("POST", AUTHORIZATION_V1 + "/namespaces//subjectaccessreviews",
     {"kind": "SubjectAccessReview", "spec": ACCESS_SPEC}, NOT_FOUND),
    ("POST", AUTHORIZATION_V1 + "/namespaces//selfsubjectrulesreviews",
     {"kind": "SelfSubjectRulesReview", "spec": {"namespace": "x"}}, NOT_FOUND),
    ("POST", "/apis/authentication.k8s.io/v1/namespaces//tokenreviews",
     {"kind": "TokenReview", "spec": {"token": "abc"}}, NOT_FOUND),
    ("POST", AUTHORIZATION_V1 + "/namespaces//localsubjectaccessreviews",
     {"kind": "LocalSubjectAccessReview", "spec": ACCESS_SPEC},
     (400, "BadRequest", "namespace is required on this type: ")),
    ("POST", "/api/v1/namespaces//bindings",
     {"kind": "Binding", "metadata": {"name": "p"}, "target": {"kind": "Node", "name": "n"}},
     (400, "BadRequest", "Namespace parameter required.")),
    ("GET", "/api/v1/namespaces//bindings", None,
     (405, "MethodNotAllowed", "the server does not allow this method on the requested resource"))])
def test_an_empty_namespace_routes_the_namespaced_reviews_and_bindings_only(chain, method, path, body, expected):
    """An empty namespace segment is a namespaced route: the cluster-scoped reviews have none
    (404), a LocalSubjectAccessReview's REST refuses the empty namespace, and the bindings
    collection's key has none (as the real 1.24 server answers each)."""
    code, status = call(chain, method, path, body)
    assert (code, status["reason"], status["message"]) == expected


NO_ATTRIBUTES = ('spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or '
                 'resourceAttributes must be specified')


@pytest.mark.parametrize("path,expected", [
    (AUTHORIZATION_V1 + "/namespaces/ns/localsubjectaccessreviews",
     (422, f'.authorization.k8s.io "" is invalid: [{NO_ATTRIBUTES}, spec.user: Invalid value: "": '
           'at least one of user or group must be specified]')),
    (AUTHORIZATION_V1 + "/subjectaccessreviews", (422, f'.authorization.k8s.io "" is invalid: [{NO_ATTRIBUTES}, spec.user: Invalid value: '
                                   '"": at least one of user or group must be specified]')),
    (AUTHORIZATION_V1 + "/selfsubjectaccessreviews", (422, f'.authorization.k8s.io "" is invalid: {NO_ATTRIBUTES}')),
    (AUTHORIZATION_V1 + "/selfsubjectrulesreviews", (400, "no namespace on request")),
    ("/apis/authentication.k8s.io/v1/tokenreviews", (400, "token is required for TokenReview in authentication"))])
def test_a_review_whose_body_is_null_is_the_empty_review(chain, path, expected):
    """encoding/json decodes `null` into a struct as nothing at all: the review is the empty one,
    refused by its validation or REST as the real 1.24 server refuses it, not as no review."""
    code, status = call(chain, "POST", path, b"null")
    assert (code, status["message"]) == expected


def test_the_namespace_in_the_path_is_not_checked_as_a_name(chain):
    """NamespaceKeyFunc checks the name's path segment only: namespace `..` names a key nothing is at."""
    code, status = call(chain, "GET", "/apis/apps/v1/namespaces/../statefulsets/s")
    assert (code, status["message"]) == (404, 'statefulsets.apps "s" not found')


def test_a_list_in_namespace_dot_reads_every_namespace_from_etcd(chain):
    """etcd3's store cleans its list key with path.Join: `/registry/configmaps/.` is the whole
    resource, so the real 1.24 server lists every namespace's configmaps for namespace `.`, while
    the watch cache (resourceVersion=0) matches the prefix as given and finds none."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "dot"}})
    code, listed = call(chain, "GET", "/api/v1/namespaces/./configmaps")
    assert code == 200
    assert (chain.namespace, "dot") in {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in listed["items"]}
    code, cached = call(chain, "GET", "/api/v1/namespaces/./configmaps", query={"resourceVersion": "0"})
    assert (code, cached["items"]) == (200, [])


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_list_in_namespace_dot_dot_is_a_bad_request(chain, method):
    """Namespace `..` climbs out of the resource's keys (upstream's 500 names another kind it
    failed to decode): a list or a collection delete read from etcd is a 400, never a 5xx; from the
    watch cache it holds nothing."""
    code, status = call(chain, method, "/api/v1/namespaces/../configmaps")
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == 'Namespace parameter invalid: "..": may not be \'..\''
    code, cached = call(chain, "GET", "/api/v1/namespaces/../configmaps", query={"resourceVersion": "0"})
    assert (code, cached["items"]) == (200, [])


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_list_in_namespace_dot_dot_selecting_one_name_reads_one_key(chain, method):
    """ListPredicate reads the one key a metadata.name field selector pins (MatchesSingle ->
    GetToList) before any prefix: for namespace `..` the real 1.24 server answered a GET list and
    a dryRun collection delete with 200 and no items, and the ConfigMap stayed."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "x"}})
    code, listed = call(chain, method, "/api/v1/namespaces/../configmaps",
                        query={"fieldSelector": "metadata.name=x", "dryRun": "All"} if method == "DELETE"
                        else {"fieldSelector": "metadata.name=x"})
    assert (code, listed["items"]) == (200, [])
    assert call(chain, "GET", ns_path(chain, "configmaps", "x"))[0] == 200


def test_pod_status_update_keeps_metadata_changes_but_not_spec_or_owner_references(chain):
    """podStatusStrategy.PrepareForUpdate resets only the spec, ownerReferences and
    deletionTimestamp: labels and annotations sent to pods/status (PUT or patch) are written."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    pod = call(chain, "GET", ns_path(chain, "pods", "web"))[1]
    owner = {"apiVersion": "v1", "kind": "ReplicationController", "name": "rc", "uid": "u1"}
    sent = {**pod, "metadata": {**pod["metadata"], "labels": {"app": "web", "tier": "x"},
                                "annotations": {"note": "1"}, "ownerReferences": [owner]},
            "spec": {**pod["spec"], "nodeName": "ignored"}, "status": {"phase": "Running"}}
    code, updated = call(chain, "PUT", ns_path(chain, "pods", "web") + "/status", sent)
    assert code == 200, updated
    assert updated["metadata"]["labels"] == {"app": "web", "tier": "x"}
    assert updated["metadata"]["annotations"] == {"note": "1"}
    assert "ownerReferences" not in updated["metadata"] and "nodeName" not in updated["spec"]
    code, patched = call(chain, "PATCH", ns_path(chain, "pods", "web") + "/status",
                         {"metadata": {"labels": {"tier": "y"}}, "status": {"phase": "Succeeded"}},
                         content_type="application/merge-patch+json")
    assert code == 200 and patched["metadata"]["labels"] == {"app": "web", "tier": "y"}
    assert call(chain, "GET", ns_path(chain, "pods", "web"))[1]["metadata"]["labels"]["tier"] == "y"


def test_an_empty_restart_policy_is_defaulted_before_validation(chain):
    """The decoder defaults `restartPolicy: ""` to Always (Go sees no difference between empty and
    unset) before the strategy validates: 201, not an Unsupported value."""
    code, pod = call(chain, "POST", ns_path(chain, "pods"), {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"restartPolicy": "", "dnsPolicy": "", "containers": [{"name": "c", "image": "nginx"}]}})
    assert code == 201, pod
    assert (pod["spec"]["restartPolicy"], pod["spec"]["dnsPolicy"]) == ("Always", "ClusterFirst")


def test_a_created_pod_is_defaulted_by_the_handler_once_for_its_field_manager_and_admission(chain, monkeypatch):
    """Upstream's decoder defaults a create's object once; the field manager and mutating
    admission see that object, and the registry defaults what admission left: two runs of the
    pod's defaulter per create (three, when the field manager defaulted a copy of its own)."""
    runs = []
    defaulter = kinds.DEFAULTS["Pod"]
    monkeypatch.setitem(kinds.DEFAULTS, "Pod", lambda obj, spec: runs.append(1) or defaulter(obj, spec))
    code, pod = call(chain, "POST", ns_path(chain, "pods"), POD)
    assert code == 201, pod
    assert len(runs) == 2
    # the field manager still compares the defaulted pod: its entry owns the defaults
    assert pod["spec"]["restartPolicy"] == "Always"
    assert '"f:restartPolicy"' in json.dumps(pod["metadata"]["managedFields"])


def test_pod_status_update_validates_the_metadata_it_keeps(chain):
    """The metadata a status update keeps is validated as any update's: a bad label is a 422."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, "PATCH", ns_path(chain, "pods", "web") + "/status",
                        {"metadata": {"labels": {"app": "-bad"}}}, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('Pod "web" is invalid: metadata.labels: Invalid value: "-bad": ')


# --- other media types ---

def test_accept_yaml_gets_a_yaml_body(chain):
    """Accept: application/yaml is served by the YAML serializer: the object as YAML with sorted
    keys and go-yaml's double quotes (of the key n too, a boolean to go-yaml, as the real server
    quotes a ConfigMap key y), Content-Type application/yaml; a list too."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "y"}, "data": {"n": "1"}})
    response = chain.handle(Request("GET", ns_path(chain, "configmaps", "y"), {}, {"Accept": "application/yaml"}, b""))
    assert (response.code, response.content_type) == (200, "application/yaml")
    text = response.body.decode()
    assert text.startswith('apiVersion: v1\ndata:\n  "n": "1"\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "')
    assert yaml.safe_load(text)["metadata"]["name"] == "y"
    listed = chain.handle(Request("GET", ns_path(chain, "configmaps"), {}, {"Accept": "application/yaml"}, b""))
    assert listed.content_type == "application/yaml" and yaml.safe_load(listed.body)["kind"] == "ConfigMapList"


def test_accept_yaml_gets_a_failure_as_yaml_too(chain):
    """ErrorNegotiated writes a Status in the media type negotiated, so a 404 is YAML as well."""
    response = chain.handle(Request("GET", ns_path(chain, "configmaps", "absent"), {}, {"Accept": "application/yaml"},
                                    b""))
    assert (response.code, response.content_type) == (404, "application/yaml")
    assert yaml.safe_load(response.body) == {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
                                             "message": 'configmaps "absent" not found', "reason": "NotFound",
                                             "details": {"name": "absent", "kind": "configmaps"}, "code": 404}


@pytest.mark.parametrize("accept,content_type", [
    ("application/json;q=0.5, application/yaml;q=0.9", "application/yaml"),
    ("application/yaml;q=0, application/json;q=0.1", "application/json"),
    ("application/yaml;q=abc, application/json;q=0.1", "application/json"),
    ("*/*;q=0.9, application/yaml", "application/yaml"),
    ("text/html, application/yaml;q=0.2", "application/yaml"),
])
def test_accept_clauses_are_tried_highest_q_first(chain, accept, content_type):
    """goautoneg sorts the Accept clauses by q, highest first (a q that is no number is 0), and
    the first a serializer takes wins, as kube-apiserver 1.24 negotiates (the first was taken)."""
    response = chain.handle(Request("GET", ns_path(chain, "configmaps", "absent"), {}, {"Accept": accept}, b""))
    assert (response.code, response.content_type) == (404, content_type)


def test_a_yaml_string_is_single_quoted_where_only_its_syntax_needs_quotes(chain):
    """go-yaml double-quotes only a string that would read back as another type; one that plain
    style cannot hold (`: ` in a message) the emitter single-quotes, folding it at 80 columns:
    byte for byte what the real 1.24 server sent."""
    response = chain.handle(Request("POST", ns_path(chain, "configmaps"), {}, {"Accept": "application/yaml"}, b"{"))
    assert response.body == (
        b"apiVersion: v1\ncode: 400\nkind: Status\nmessage: 'the object provided is unrecognized (must be of type "
        b"ConfigMap): couldn''t\n  get version/kind; json parse error: unexpected end of JSON input ({)'\nmetadata: "
        b"{}\nreason: BadRequest\nstatus: Failure\n")


def test_a_watch_in_yaml_is_406_as_yaml_has_no_stream_serializer(chain):
    """serveWatch asks NegotiateOutputMediaTypeStream for a stream serializer; YAML has none, so a
    watch that accepts YAML first is a 406 listing the stream media types, written as YAML."""
    response = chain.handle(Request("GET", ns_path(chain, "configmaps"), {"watch": ["1"]},
                                    {"Accept": "application/yaml, application/json"}, b""))
    assert (response.code, response.content_type) == (406, "application/yaml")
    assert yaml.safe_load(response.body) == {
        "apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure", "reason": "NotAcceptable",
        "message": "only the following media types are accepted: application/json;stream=watch, "
                   "application/vnd.kubernetes.protobuf;stream=watch", "code": 406}


def test_a_json_answer_ends_with_the_newline_json_encoder_writes(chain):
    """json.Serializer encodes with a json.Encoder, which ends each value with a newline: objects,
    lists and Status errors alike (compared byte for byte with the real kube-apiserver 1.24)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "n"}})
    for path in (ns_path(chain, "configmaps", "n"), ns_path(chain, "configmaps"), ns_path(chain, "configmaps", "no")):
        body = chain.handle(Request("GET", path, {}, {"Accept": "application/json"})).body
        assert body.endswith(b"}\n") and b"\n" not in body[:-1]


@pytest.mark.parametrize("query,user_agent,pretty", [
    ({"pretty": ["true"]}, "", True), ({"pretty": ["1"]}, "", True), ({"pretty": ["T"]}, "", True),
    ({}, "curl/8.0", True), ({}, "Wget/1.21", True), ({}, "Mozilla/5.0 (X11)", True),
    ({"pretty": [""]}, "curl/8.0", True),  # an empty value leaves it to the user agent
    ({"pretty": ["false"]}, "curl/8.0", False), ({"pretty": ["yes"]}, "curl/8.0", False),  # not a Go bool: false
    ({}, "kubectl/v1.24.0", False), ({}, "", False)])
def test_the_pretty_parameter_or_a_human_user_agent_indents_json(chain, query, user_agent, pretty):
    """isPrettyPrint: the pretty parameter as strconv.ParseBool reads it when it has a value, else
    a curl, wget or browser user agent; the pretty serializer (json.MarshalIndent) writes no
    newline after the value. Errors are negotiated the same way."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "p"}})
    for path in (ns_path(chain, "configmaps", "p"), ns_path(chain, "configmaps", "absent")):
        body = chain.handle(Request("GET", path, query, {"Accept": "application/json", "User-Agent": user_agent})).body
        assert body.startswith(b'{\n  "') == pretty and body.endswith(b"\n") != pretty


def test_the_accept_parameter_pretty_1_indents_json(chain):
    """The media type's own pretty=1 (MediaTypeOptions.Pretty) asks for the pretty serializer too."""
    response = chain.handle(Request("GET", ns_path(chain, "configmaps"), {}, {"Accept": "application/json;pretty=1"}))
    assert response.body.startswith(b'{\n  "kind": "ConfigMapList",\n')


def test_a_status_for_an_accept_nothing_serves_is_indented(chain):
    """When negotiation fails, ErrorNegotiated writes its Status with WriteRawJSON: indented."""
    response = chain.handle(Request("GET", ns_path(chain, "configmaps"), {}, {"Accept": "text/foo"}))
    assert response.code == 406
    assert response.body == (b'{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  '
                             b'"status": "Failure",\n  "message": "406: Not Acceptable",\n  "reason": "NotAcceptable",'
                             b'\n  "details": {},\n  "code": 406\n}')


@pytest.mark.parametrize("accept", ["application/json;as=Table;v=v1;g=meta.k8s.io",
                                    "application/yaml;as=Table;v=v1;g=meta.k8s.io",
                                    "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"])
def test_an_error_is_negotiated_without_conversions(chain, accept):
    """ErrorNegotiated writes with DefaultEndpointRestrictions, which allow no conversion: a
    client that accepts only a Table or PartialObjectMetadata gets its Status indented, as
    WriteRawJSON writes it (the real kube-apiserver 1.24's answer to a 404)."""
    response = chain.handle(Request("GET", ns_path(chain, "configmaps", "absent"), {}, {"Accept": accept}))
    assert (response.code, response.content_type) == (404, "application/json")
    assert response.body.startswith(b'{\n  "kind": "Status",\n') and not response.body.endswith(b"\n")


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/*", "Application/JSON",
                                    "text/plain"])
def test_an_accept_no_route_produces_is_go_restfuls_406(chain, accept):
    """go-restful picks a route before any handler runs; one whose Produces has none of the Accept
    entries (their parameters cut off, compared exactly: no wildcards but */*) is refused with its
    own message, which the apiserver's service error handler writes as a Status."""
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), accept=accept)
    assert code == 406
    assert status == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": "406: Not Acceptable", "reason": "NotAcceptable", "details": {}, "code": 406}


@pytest.mark.parametrize("accept", ["application/xml, */*", "text/html,application/json;q=0.9",
                                    " application/yaml ;q=1", ""])
def test_an_accept_with_one_entry_a_route_produces_reaches_the_handler(chain, accept):
    code, _ = call(chain, "GET", ns_path(chain, "configmaps"), accept=accept)
    assert code == 200


@pytest.mark.parametrize("accept,code", [
    ("text/plain", 406), ("application/json;as=Table;g=meta.k8s.io;v=v1", 406), ("application/json;g=meta.k8s.io;v=v1", 406),
    ("application/json, */*", 204), ("application/yaml", 204), ("*/*", 204)])
def test_a_pods_log_negotiates_with_the_serializers_before_it_reads_the_pod(chain, accept, code):
    """LogREST.ProducesMIMETypes adds text/plain to the route's types (no go-restful 406), but
    getResourceHandler negotiates with JSON, YAML and protobuf (no Table) before anything else:
    text/plain alone is its 406, before bad options or a missing pod (the real 1.24 server)."""
    call(chain, "POST", ns_path(chain, "pods"), {"metadata": {"name": "p"},
                                                 "spec": {"containers": [{"name": "c", "image": "i"}]}})
    answer, status = call(chain, "GET", ns_path(chain, "pods", "p") + "/log", accept=accept)
    assert answer == code
    if code == 406:
        assert status["message"] == NOT_ACCEPTABLE
        answer, _ = call(chain, "GET", ns_path(chain, "pods", "absent") + "/log", accept=accept, query={"tailLines": "x"})
        assert answer == 406


def test_the_bindings_collection_converts_to_no_table(chain):
    code, status = call(chain, "POST", ns_path(chain, "bindings"), {}, accept="application/json;as=Table;g=meta.k8s.io;v=v1beta1")
    assert (code, status["message"]) == (406, NOT_ACCEPTABLE)


PARTIAL = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


def test_partial_object_metadata_is_the_metadata_only(chain):
    """as=PartialObjectMetadata on a get, as=PartialObjectMetadataList on a list: meta.k8s.io
    objects carrying only metadata (each item a PartialObjectMetadata), what client-go's
    metadata client and informers ask for."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "m", "labels": {"a": "b"}}, "data": {}})
    code, partial = call(chain, "GET", ns_path(chain, "configmaps", "m"), accept=PARTIAL)
    assert code == 200 and set(partial) == {"kind", "apiVersion", "metadata"}
    assert (partial["kind"], partial["apiVersion"], partial["metadata"]["labels"]) == (
        "PartialObjectMetadata", "meta.k8s.io/v1", {"a": "b"})
    code, listed = call(chain, "GET", ns_path(chain, "configmaps"), accept=PARTIAL_LIST)
    assert code == 200 and (listed["kind"], listed["apiVersion"]) == ("PartialObjectMetadataList", "meta.k8s.io/v1")
    assert listed["metadata"]["resourceVersion"]
    assert [(i["kind"], i["metadata"]["name"], set(i)) for i in listed["items"]] == [
        ("PartialObjectMetadata", "m", {"kind", "apiVersion", "metadata"})]


@pytest.mark.parametrize(("accept", "name", "message"), [
    (PARTIAL, "", "you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)"),
    (PARTIAL_LIST, "m", "you requested PartialObjectMetadataList, but the requested object is not a list "
                        "(*core.ConfigMap)"),
])
def test_partial_object_metadata_of_the_wrong_shape_is_406(chain, accept, name, message):
    """asPartialObjectMetadata(List): a single object asked for as a list, or a list as a single
    object, is a 406 naming the internal Go type."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "m"}})
    code, status = call(chain, "GET", ns_path(chain, "configmaps", name), accept=accept)
    assert (code, status["reason"], status["message"]) == (406, "NotAcceptable", message)


@pytest.mark.parametrize("accept", ["application/json;g=meta.k8s.io;v=v1", "application/json;as=Table",
                                    "application/json;stream=bogus", "application/yaml;stream=watch",
                                    "application/json;sv=v2"])
def test_media_type_parameters_no_endpoint_serves_are_406(chain, accept):
    """acceptMediaTypeOptions: a group and version without `as` convert to no kind, `as` without
    them to no meta.k8s.io kind; a stream other than watch, or any for YAML (it has no stream
    serializer), and a server version other than meta's v1 make the clause unacceptable too."""
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), accept=accept)
    assert (code, status["message"]) == (406, "only the following media types are accepted: application/json, "
                                              "application/yaml, application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_partial_object_metadata_comes_in_protobuf_too(chain, version):
    """A client that takes only protobuf gets the metadata in protobuf (as the real 1.24 server
    sends it), the list's items without their typeMeta; v1beta1's list numbers its fields the
    other way round."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "m", "labels": {"a": "b"}}})
    protobuf_media = f"application/vnd.kubernetes.protobuf;g=meta.k8s.io;v={version};as=PartialObjectMetadata"
    code, body = call(chain, "GET", ns_path(chain, "configmaps", "m"), accept=protobuf_media)
    decoded = protobuf.decode(body)
    assert (code, decoded["kind"], decoded["metadata"]["labels"]) == (200, "PartialObjectMetadata", {"a": "b"})
    code, body = call(chain, "GET", ns_path(chain, "configmaps"), accept=protobuf_media + "List")
    decoded = protobuf.decode(body)
    assert (code, decoded["apiVersion"], decoded["kind"]) == (200, f"meta.k8s.io/{version}", "PartialObjectMetadataList")
    assert [item["metadata"]["name"] for item in decoded["items"]] == ["m"] and decoded["metadata"]["resourceVersion"]


def test_a_scale_asked_for_as_a_list_names_its_own_go_type(chain):
    """The 406 of a subresource names the type it answers with, not its resource's: a Deployment's
    scale is an *autoscaling.Scale (as the real 1.24 server says)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "GET", ns_path(chain, "deployments", "web", group="apps/v1") + "/scale",
                        accept=PARTIAL_LIST)
    assert (code, status["message"]) == (406, "you requested PartialObjectMetadataList, but the requested object "
                                               "is not a list (*autoscaling.Scale)")


def test_a_watch_as_partial_object_metadata_list_ends_without_a_frame(chain):
    """A watch's Fixup leaves an object it cannot make a PartialObjectMetadataList as it is, and
    the encoder for meta.k8s.io/v1 cannot write a ConfigMap: the real server ends the stream there."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "m"}})
    code, watch = call(chain, "GET", ns_path(chain, "configmaps"), accept=PARTIAL_LIST,
                       query={"watch": "1", "resourceVersion": "0", "timeoutSeconds": "5"})
    assert (code, list(watch.chunks)) == (200, [])


# --- Table ---

def test_table_for_pods_has_kubectl_columns(chain):
    """Accept as=Table answers a meta.k8s.io Table with printers.go's pod columns, wide ones at priority 1."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, table = call(chain, "GET", ns_path(chain, "pods"), accept=TABLE)
    assert code == 200 and table["kind"] == "Table"
    columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert columns[:5] == [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0)]
    assert ("IP", 1) in columns and ("Node", 1) in columns
    row = table["rows"][0]
    assert row["cells"][:5] == ["web", "0/1", "Pending", "0", "90s"]
    assert row["object"]["kind"] == "PartialObjectMetadata" and row["object"]["metadata"]["name"] == "web"


def test_table_for_one_deployment(chain):
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, table = call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1"), accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]][:5] == ["Name", "Ready", "Up-to-date", "Available", "Age"]
    assert table["rows"][0]["cells"] == ["web", "0/2", 0, 0, "90s", "nginx", "nginx:1.21", "app=web"]


def test_a_table_of_one_object_carries_only_its_resource_version(chain):
    """DefaultTableConvertor gives the Table of a single object that object's resourceVersion (and
    selfLink), not the rest of its metadata, which the row's object holds."""
    _, created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "one", "labels": {"a": "b"}}})
    _, table = call(chain, "GET", ns_path(chain, "configmaps", "one"), accept=TABLE)
    assert table["metadata"] == {"resourceVersion": created["metadata"]["resourceVersion"]}


def test_a_table_row_with_include_object_is_the_object_in_its_version(chain):
    """includeObject=Object: asTable converts each row's object to the resource's version, so it
    carries its kind and apiVersion, as a list's items do not."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "o"}, "data": {"k": "v"}})
    _, table = call(chain, "GET", ns_path(chain, "configmaps"), accept=TABLE, query={"includeObject": "Object"})
    row = table["rows"][0]["object"]
    assert (row["kind"], row["apiVersion"], row["data"]) == ("ConfigMap", "v1", {"k": "v"})


def test_an_unknown_include_object_is_400(chain):
    """ValidateTableOptions: includeObject is Metadata, Object, None or empty; anything else is a
    400 instead of the Table."""
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), accept=TABLE, query={"includeObject": "Bad"})
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "Unable to convert to Table as requested: includeObject: Invalid value: \"Bad\": "
                           "must be 'Metadata', 'Object', 'None', or empty")


def test_a_v1beta1_table_is_written_in_meta_v1beta1(chain):
    """The Table, and the PartialObjectMetadata of its rows, are in the meta.k8s.io version asked for."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "b"}})
    _, table = call(chain, "GET", ns_path(chain, "configmaps"), accept="application/json;as=Table;v=v1beta1;g=meta.k8s.io")
    assert (table["apiVersion"], table["rows"][0]["object"]["apiVersion"]) == ("meta.k8s.io/v1beta1",) * 2



TABLE_ONLY = "application/json;as=Table;v=v1;g=meta.k8s.io"


@pytest.mark.parametrize("subresource", ["status", "ephemeralcontainers"])
def test_a_subresource_converts_nothing_to_a_table(chain, subresource):
    """A subresource's storage has no TableConvertor, so AllowsMediaTypeTransform refuses the
    Table clause: with nothing else accepted a 406, else the next clause (the real kube-apiserver
    1.24 answers pods/status, deployments/scale and the rest so)."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    path = ns_path(chain, "pods", "web") + "/" + subresource
    code, status = call(chain, "GET", path, accept=TABLE_ONLY)
    assert (code, status["message"]) == (406, "only the following media types are accepted: application/json, "
                                              "application/yaml, application/vnd.kubernetes.protobuf")
    code, pod = call(chain, "GET", path, accept=TABLE)
    assert (code, pod["kind"]) == (200, "Pod")


def test_a_scale_is_answered_as_the_partial_object_metadata_asked_for(chain):
    """The scale subresource's answers go through transformResponseObject like any other: get
    and update return PartialObjectMetadata when asked; a Table is refused before the update."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", "apps/v1") + "/scale"
    code, partial = call(chain, "GET", path, accept=PARTIAL)
    assert (code, partial["kind"], partial["metadata"]["name"]) == (200, "PartialObjectMetadata", "web")
    scale = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web", "namespace": chain.namespace},
             "spec": {"replicas": 5}}
    code, _ = call(chain, "PUT", path, scale, accept=TABLE_ONLY)
    assert code == 406 and call(chain, "GET", path)[1]["spec"]["replicas"] == 2
    code, partial = call(chain, "PUT", path, scale, accept=PARTIAL)
    assert (code, partial["kind"]) == (200, "PartialObjectMetadata")


def test_a_delete_answers_the_deleted_object_and_the_deleted_list_as_the_table_asked_for(chain):
    """DeleteResource and DeleteCollection transform what they return as the other verbs do: a
    pod's delete returns the pod, as a Table row when asked; a Status stays a Status."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, table = call(chain, "DELETE", ns_path(chain, "pods", "web"), accept=TABLE, query={"dryRun": "All"})
    assert (code, table["kind"], table["rows"][0]["cells"][0]) == (200, "Table", "web")
    code, table = call(chain, "DELETE", ns_path(chain, "pods"), accept=TABLE, query={"dryRun": "All"})
    assert (code, table["kind"], [row["cells"][0] for row in table["rows"]]) == (200, "Table", ["web"])
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "c"), accept=TABLE)
    assert (code, status["kind"], status["status"]) == (200, "Status", "Success")



def test_an_endpoint_slice_generation_counts_changes_beyond_its_metadata_and_to_its_labels(chain):
    """endpointSliceStrategy: a slice is created at generation 1, and an update raises it when
    anything but the metadata changes, or the labels do; an annotation alone does not (the real
    kube-apiserver 1.24 answers 1, 1, 1, 2, 3 for create, same, annotation, labels, endpoints)."""
    path = ns_path(chain, "endpointslices", group="discovery.k8s.io/v1")
    code, slice_ = call(chain, "POST", path, {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                              "metadata": {"name": "es"}, "addressType": "IPv4",
                                              "endpoints": [{"addresses": ["10.0.0.1"]}]})
    generations = [slice_["metadata"]["generation"]]
    for change in ("same", "annotation", "labels", "endpoints"):
        if change == "annotation":
            slice_["metadata"]["annotations"] = {"a": "b"}
        elif change == "labels":
            slice_["metadata"]["labels"] = {"l": "m"}
        elif change == "endpoints":
            slice_["endpoints"][0]["addresses"] = ["10.0.0.2"]
        _, slice_ = call(chain, "PUT", f"{path}/es", slice_)
        generations.append(slice_["metadata"]["generation"])
    assert generations == [1, 1, 1, 2, 3]


@pytest.mark.parametrize("value,code", [("true", 400), ("1", 400), ("", 400), ("false", 200), ("FALSE", 200),
                                        ("0", 200)])
def test_a_get_of_one_object_refuses_the_export_parameter(chain, value, code):
    """GetResource: export, removed in 1.18, is a 400 for any value Convert_Slice_string_To_bool
    reads as true, on an object and its subresources; a list ignores it (as the real kube-apiserver
    1.24 answers)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", "apps/v1")
    for target in (path, path + "/status", path + "/scale"):
        got, answer = call(chain, "GET", target, query={"export": value})
        assert got == code
        if code == 400:
            assert answer["message"] == "the export parameter, deprecated since v1.14, is no longer supported"
    assert call(chain, "GET", ns_path(chain, "deployments", group="apps/v1"), query={"export": value})[0] == 200

# --- errors ---

def test_unknown_resource_and_group_are_404(chain):
    """A served group's miss is a Status; a group no one serves ends at Go's plain 404."""
    for path in ("/api/v1/namespaces/x/frobs", "/apis/apps/v2/deployments"):
        code, status = call(chain, "GET", path)
        assert (code, status["kind"], status["reason"], status["details"]) == (404, "Status", "NotFound", {})
    assert call(chain, "GET", "/apis/nope/v1/things") == (404, b"404 page not found\n")


@pytest.mark.parametrize("path", ["//api/v1/namespaces", "//apis/apps/v1/deployments", "//healthz", "*", "//"])
def test_a_path_no_handler_matches_as_sent_is_gos_plain_404(chain, path):
    """The director and the non-go-restful mux compare the path as sent: a doubled leading slash
    or `*` reaches no handler, though the request-info filter trims the slashes to a resource."""
    assert call(chain, "GET", path) == (404, b"404 page not found\n")


def test_body_errors(chain):
    """Malformed JSON 400, wrong content type 415, over 3 MiB 413, wrong kind 400."""
    path = ns_path(chain, "configmaps")
    assert call(chain, "POST", path, b"{", content_type="application/json")[0] == 400
    assert call(chain, "POST", path, b"a: [", content_type="application/yaml")[0] == 400
    assert call(chain, "POST", path, b"{}", content_type="text/plain")[0] == 415
    assert call(chain, "POST", path, b" " * (3 * 1024 * 1024 + 1))[0] == 413
    code, status = call(chain, "POST", path, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}})
    assert code == 400 and status["reason"] == "BadRequest"


@pytest.mark.parametrize("method,suffix", [("POST", ""), ("PUT", "/web"), ("PUT", "/web/status"),
                                           ("POST", "/web/binding"), ("POST", "/web/eviction")])
def test_a_body_of_an_unknown_media_type_is_415_listing_the_serializers(chain, method, suffix):
    """NegotiateInputSerializer refuses a Content-Type no serializer reads with
    errUnsupportedMediaType, which lists JSON, YAML and protobuf and does not repeat the type."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, method, ns_path(chain, "pods") + suffix, POD, content_type="text/plain")
    assert (code, status["reason"], status["message"]) == (
        415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types "
                                     "include: application/json, application/yaml, application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("method,name,body,content_type,problem", [
    ("POST", "", b"", "application/json",
     "couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)"),
    ("PUT", "c", b"", "application/json",
     "couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)"),
    ("POST", "", b"{", "application/json",
     "couldn't get version/kind; json parse error: unexpected end of JSON input ({)"),
    ("POST", "", b"  ", "application/json",
     "couldn't get version/kind; json parse error: unexpected end of JSON input (2020)"),
    ("PUT", "c", b'{"data": {"a": "1"}, "metadata": {"name": "c"}} x', "application/json",
     "couldn't get version/kind; json parse error: invalid character 'x' after top-level value "
     '({"data": {"a": "1"}, "metadata ...)'),
    ("POST", "", b"", "application/vnd.kubernetes.protobuf", "empty data (<empty>)"),
    ("POST", "", b'{"metadata": {"name": "c"}}', "application/vnd.kubernetes.protobuf",
     'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"metadata": {"name": "c"}})'),
])
def test_a_body_the_decoder_cannot_read_is_400_naming_the_kind_it_must_be(chain, method, name, body,
                                                                          content_type, problem):
    """transformDecodeError: a create or update whose body does not decode (an empty one too) is a
    400 saying the object is unrecognized, with the decoder's error and a summary of the body: the
    first 30 bytes of a body starting with `{`, else their hex, `<empty>` for none."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    code, status = call(chain, method, ns_path(chain, "configmaps", name), body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", f"the object provided is unrecognized (must be of type ConfigMap): {problem}")


@pytest.mark.parametrize("body,content_type,value", [(b"[1]", "application/json", "array"),
                                                      (b'"x"', "application/json", "string"),
                                                      (b"- 1\n", "application/yaml", "array")])
def test_a_body_that_is_no_json_object_is_400_as_its_kind_cannot_be_read(chain, body, content_type, value):
    """SimpleMetaFactory.Interpret unmarshals the body into a struct of apiVersion and kind, so a
    body that is another JSON value (YAML converts to JSON first) is transformDecodeError's 400
    with encoding/json's UnmarshalTypeError."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "the object provided is unrecognized (must be of type ConfigMap): couldn't get "
                           f"version/kind; json parse error: json: cannot unmarshal {value} into Go value of type "
                           'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
                           'Kind string "json:\\"kind,omitempty\\"" }'
                           f" ({body.hex()})")


@pytest.mark.parametrize("body,content_type", [(b"", "application/yaml"), (b"null", "application/json")])
def test_a_body_that_decodes_to_null_is_an_empty_object(chain, body, content_type):
    """YAML's empty document converts to JSON null, and null decodes into the kind's struct as no
    fields at all: a create of it is refused for its missing name, not for its body."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body, content_type=content_type)
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required')


MUX_405 = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": "the server does not allow this method on the requested resource",
           "reason": "MethodNotAllowed", "details": {}, "code": 405}


def test_method_not_allowed_on_a_subresource(chain):
    """A method no route serves at a path is go-restful's 405, which serviceErrorHandler writes as
    NewGenericServerResponse: a fixed message and empty details."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    assert call(chain, "DELETE", ns_path(chain, "pods", "web") + "/status") == (405, MUX_405)
    assert call(chain, "GET", ns_path(chain, "pods", "web") + "/binding") == (405, MUX_405)
    assert call(chain, "DELETE", "/api/v1/configmaps") == (405, MUX_405)


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PROPFIND"])
@pytest.mark.parametrize("suffix", ["", "/web", "/web/status"])
def test_a_method_the_api_routes_nowhere_is_go_restfuls_405(chain, method, suffix):
    """go-restful routes GET, POST, PUT, PATCH and DELETE only: HEAD of a list or an object (which
    listed or read it) and OPTIONS or PROPFIND are its 405."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    assert call(chain, method, ns_path(chain, "pods") + suffix) == (405, MUX_405)


@pytest.mark.parametrize("method, path", [
    ("POST", "configmaps/web"), ("PUT", "configmaps"), ("PATCH", "configmaps"), ("POST", "/api/v1/namespaces/x"),
])
def test_post_is_routed_to_collections_and_put_and_patch_to_objects(chain, method, path):
    """The installer routes POST at a collection's path only and PUT and PATCH at an object's: a
    POST to .../configmaps/web created the ConfigMap, a PUT to .../configmaps got a name mismatch."""
    path = path if path.startswith("/") else ns_path(chain, *path.split("/"))
    body = {"metadata": {"name": "web"}}
    assert call(chain, method, path, body, content_type="application/merge-patch+json" if method == "PATCH"
                else "application/json") == (405, MUX_405)
    assert call(chain, "GET", ns_path(chain, "configmaps", "web"))[0] == 404


@pytest.mark.parametrize("method,subresource", [
    ("DELETE", "scale"), ("POST", "scale"), ("DELETE", "binding"), ("GET", "binding"), ("PUT", "binding"),
    ("DELETE", "finalize"), ("GET", "finalize"), ("PATCH", "finalize"),
])
def test_a_subresource_serves_only_its_own_verbs(chain, method, subresource):
    """A subresource path is routed for its verbs alone (scale: get/update/patch, binding: create,
    finalize: update); DELETE .../deployments/web/scale deleted the Deployment, DELETE
    .../pods/web/binding the pod and DELETE /api/v1/namespaces/x/finalize the namespace, so a
    user granted a subresource could read, create or delete its parent."""
    pod_path, deployment_path = ns_path(chain, "pods", "web"), ns_path(chain, "deployments", "web", "apps/v1")
    call(chain, "POST", ns_path(chain, "pods"), POD)
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    parent = {"scale": deployment_path, "binding": pod_path,
              "finalize": f"/api/v1/namespaces/{chain.namespace}"}[subresource]
    body = {"scale": DEPLOYMENT, "binding": POD, "finalize": {"metadata": {"name": chain.namespace}}}[subresource]
    code, status = call(chain, method, f"{parent}/{subresource}", body if method in ("POST", "PUT") else
                        {"metadata": {"labels": {"a": "b"}}} if method == "PATCH" else None,
                        content_type="application/merge-patch+json" if method == "PATCH" else "application/json")
    assert (code, status["reason"]) == (405, "MethodNotAllowed"), status
    assert not call(chain, "GET", parent)[1]["metadata"].get("deletionTimestamp")
    assert call(chain, "GET", pod_path)[0] == call(chain, "GET", deployment_path)[0] == 200


# --- the chain's filters ---

@dataclass
class FakeUser:
    name: str
    uid: str = ""
    groups: list = field(default_factory=list)


class Authn:
    def authenticate(self, request):
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        return FakeUser(token) if token else None


class Authz:
    def __init__(self):
        self.seen = []

    def authorize(self, attributes):
        self.seen.append(attributes)
        everyone = attributes.verb in ("get", "list") or attributes.resource == "selfsubjectaccessreviews"
        return attributes.user.name == "admin" or everyone, ""


class DenyConfigMapsAdmission:
    def admit(self, request):
        if request.resource.plural == "configmaps" and request.operation == "CREATE":
            raise StatusError(403, "Forbidden", "admission says no")
        return request.obj

    def validate(self, request):
        pass


def test_authentication_authorization_admission_order(registry):
    """No credentials → 401; denied → 403 in upstream's words; admission runs after authorization."""
    authz = Authz()
    chain = HandlerChain(registry, Authn(), authz, DenyConfigMapsAdmission(), now=lambda: NOW)

    def handle(user, method, path, body=b""):
        headers = {"Authorization": f"Bearer {user}"} if user else {}
        return chain.handle(Request(method, path, {}, {**headers, "Content-Type": "application/json"}, body))

    assert handle("", "GET", "/api/v1/namespaces/default/pods").code == 401
    denied = handle("bob", "POST", "/api/v1/namespaces/default/pods", b"{}")
    assert denied.code == 403
    assert json.loads(denied.body)["message"] == ('pods is forbidden: User "bob" cannot create resource "pods" '
                                                  'in API group "" in the namespace "default"')
    assert authz.seen[-1].verb == "create" and authz.seen[-1].resource == "pods"
    refused = handle("admin", "POST", "/api/v1/namespaces/default/configmaps", b'{"metadata":{"name":"x"}}')
    assert (refused.code, json.loads(refused.body)["message"]) == (403, "admission says no")
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "delete", "resource": "pods", "namespace": "default"}}}
    answer = handle("bob", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", json.dumps(review).encode())
    assert answer.code == 201 and json.loads(answer.body)["status"]["allowed"] is False


NOT_REGISTERED = 'no kind "{kind}" is registered for version "{gv}" in scheme "pkg/api/legacyscheme/scheme.go:30"'


@pytest.mark.parametrize("path, api_version, kind, message", [
    ("authorization.k8s.io/v1/selfsubjectaccessreviews", "authorization.k8s.io/v1beta1", "SelfSubjectAccessReview",
     "the API version in the data (authorization.k8s.io/v1beta1) does not match the expected API version "
     "(authorization.k8s.io/v1)"),
    ("authentication.k8s.io/v1/tokenreviews", "authentication.k8s.io/v1beta1", "TokenReview",
     "the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version "
     "(authentication.k8s.io/v1)"),
    ("authorization.k8s.io/v1/subjectaccessreviews", "v1", "SubjectAccessReview",
     'SubjectAccessReview in version "v1" cannot be handled as a SubjectAccessReview: '
     + NOT_REGISTERED.format(kind="SubjectAccessReview", gv="v1")),
    ("authorization.k8s.io/v1/selfsubjectrulesreviews", "authorization.k8s.io/v1", "SubjectAccessReview",
     'SubjectAccessReview in version "v1" cannot be handled as a SelfSubjectRulesReview: converting '
     "(v1.SubjectAccessReview) to (authorization.SelfSubjectRulesReview): unknown conversion"),
    ("authentication.k8s.io/v1/tokenreviews", "authorization.k8s.io/v1", "",
     'TokenReview in version "v1" cannot be handled as a TokenReview: '
     + NOT_REGISTERED.format(kind="TokenReview", gv="authorization.k8s.io/v1")),
])
def test_a_review_of_another_kind_or_version_is_refused_in_the_codecs_words(registry, path, api_version, kind,
                                                                             message):
    """A review body is decoded by the codec as any created object is, and createHandler refuses a
    registered kind in a version the endpoint does not serve (as the real 1.24 server answers)."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    body = {"apiVersion": api_version, "kind": kind, "spec": {"token": "t"}}
    answer = chain.handle(Request("POST", f"/apis/{path}", {}, {"Authorization": "Bearer admin"},
                                  json.dumps(body).encode()))
    assert (answer.code, json.loads(answer.body)["message"]) == (400, message)


CRD_NOT_REGISTERED = 'no kind "ConfigMap" is registered for version "v1" in scheme ' \
    '"k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:55"'


@pytest.mark.parametrize("method, path, body, message", [
    ("POST", "configmaps", {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": 5},
     'CustomResourceDefinition in version "v1" cannot be handled as a ConfigMap: '
     + NOT_REGISTERED.format(kind="CustomResourceDefinition", gv="apiextensions.k8s.io/v1")),
    ("PUT", "configmaps/x", {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": 5},
     'CustomResourceDefinition in version "v1" cannot be handled as a ConfigMap: '
     + NOT_REGISTERED.format(kind="CustomResourceDefinition", gv="apiextensions.k8s.io/v1")),
    ("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {"apiVersion": "v1", "kind": "ConfigMap",
                                                                         "data": 5},
     'ConfigMap in version "v1" cannot be handled as a CustomResourceDefinition: ' + CRD_NOT_REGISTERED),
])
def test_a_body_of_a_kind_the_groups_scheme_lacks_is_decoded_into_no_struct(chain, method, path, body, message):
    """The codec decodes a body into the struct of its kind only where the endpoint's scheme
    registers that kind: the real 1.24 server named the scheme's NotRegistered error, never the
    struct's (a CustomResourceDefinition with `spec: 5` sent to configmaps, a ConfigMap with
    `data: 5` to customresourcedefinitions)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "x"}})
    named = {**body, "metadata": {"name": "x"}}
    code, status = call(chain, method, path if path.startswith("/") else ns_path(chain, *path.split("/")), named)
    assert (code, status["message"]) == (400, message)


def test_a_protobuf_review_without_a_kind_is_the_endpoints(registry):
    """A review's protobuf envelope may leave out apiVersion and kind: the codec fills them from
    the endpoint, as for any create (the real 1.24 server answers 201)."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    attributes = protobuf.put(1, 2, protobuf.put(1, 2, b"default") + protobuf.put(2, 2, b"get")
                              + protobuf.put(5, 2, b"pods"))
    body = protobuf.MAGIC + protobuf.put(1, 2, b"") + protobuf.put(2, 2, protobuf.put(2, 2, attributes))
    answer = chain.handle(Request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {},
                                  {"Authorization": "Bearer admin", "Content-Type": protobuf.MEDIA_TYPE}, body))
    assert answer.code == 201 and json.loads(answer.body)["status"]["allowed"] is True


@pytest.mark.parametrize("method, path, code", [
    ("GET", "/apis/authentication.k8s.io/v1/tokenreviews", 405),
    ("DELETE", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 405),
    ("PUT", "/apis/authorization.k8s.io/v1/namespaces/ns/localsubjectaccessreviews", 405),
    ("GET", "/apis/authorization.k8s.io/v1/namespaces/ns/localsubjectaccessreviews/x", 404),
    ("GET", "/apis/authorization.k8s.io/v1/localsubjectaccessreviews", 404),
    ("GET", "/apis/authorization.k8s.io/v1/watch/subjectaccessreviews", 404),
    ("POST", "/apis/authorization.k8s.io/v1/watch/subjectaccessreviews", 404),
    ("GET", "/apis/authentication.k8s.io/v1/proxy/tokenreviews", 404),
    ("POST", "/apis/authorization.k8s.io/v1/proxy/subjectaccessreviews", 404),
    ("GET", "/apis/authorization.k8s.io/v1/watch/namespaces/ns/localsubjectaccessreviews", 404)])
def test_a_reviews_collection_takes_post_only(registry, method, path, code):
    """A review's one route is a POST to its collection: another method there is go-restful's 405,
    a name, the other scope or a /watch/ or /proxy/ path no route at all (as the real 1.24 server
    answers)."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    answer = chain.handle(Request(method, path, {}, {"Authorization": "Bearer admin"}, b"{}"))
    assert (answer.code, json.loads(answer.body)["reason"]) == (code, {404: "NotFound", 405: "MethodNotAllowed"}[code])


def test_a_denied_path_is_a_forbidden_status_with_empty_details(registry):
    """NewForbidden always sets Details, so a non-resource path's 403 names no object but still
    carries "details": {}."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    denied = chain.handle(Request("POST", "/logs/x", {}, {"Authorization": "Bearer bob"}, b""))
    assert (denied.code, json.loads(denied.body)) == (403, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'forbidden: User "bob" cannot post path "/logs/x"', "reason": "Forbidden", "details": {},
        "code": 403})


def test_a_denied_path_is_quoted_as_percent_q_writes_it(registry):
    """forbiddenMessage prints the user and the path with %q: a control character is escaped."""
    chain = HandlerChain(registry, Authn(), Authz(), now=lambda: NOW)
    denied = chain.handle(Request("POST", "/logs/x\x00", {}, {"Authorization": "Bearer bob"}, b""))
    assert json.loads(denied.body)["message"] == 'forbidden: User "bob" cannot post path "/logs/x\\x00"'


@pytest.mark.parametrize("method,body,message", [
    ("GET", None, 'configmaps "a\\x00\\"b" not found'),
    ("PUT", {"metadata": {"name": "other"}},
     'the name of the object (other) does not match the name on the URL (a\x00"b)'),
])
def test_a_name_in_an_api_error_is_quoted_as_percent_q_writes_it(chain, method, body, message):
    """NewNotFound, NewAlreadyExists, NewConflict, NewInvalid and NewForbidden print the name with
    %q: quotes and control characters escaped (a name from the URL may hold any of them)."""
    code, status = call(chain, method, ns_path(chain, "configmaps", 'a\x00"b'), body)
    assert status["message"] == message


def test_a_bug_becomes_a_500_status(registry):
    class Broken:
        def authorize(self, attributes):
            raise RuntimeError("boom")

    response = HandlerChain(registry, authorizer=Broken()).handle(Request("GET", "/api/v1/pods"))
    status = json.loads(response.body)
    assert (response.code, status["reason"]) == (500, "InternalError") and "boom" in status["message"]


# --- over the wire: watch streams and TLS ---

@pytest.fixture
def server(registry):
    server = APIServer(registry, now=lambda: NOW)
    server.start()
    yield server
    server.stop()


def read_events(response: http.client.HTTPResponse, count: int) -> list[dict]:
    return [json.loads(response.readline()) for _ in range(count)]


def test_watch_streams_chunked_json_lines(server, chain):
    """?watch=1 answers chunked JSON lines: existing objects as ADDED, then changes as they happen."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "w1"}})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + "?watch=1")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
    assert read_events(response, 1)[0]["type"] == "ADDED"
    call(chain, "PUT", ns_path(chain, "configmaps", "w1"), {"metadata": {"name": "w1"}, "data": {"a": "b"}})
    call(chain, "DELETE", ns_path(chain, "configmaps", "w1"))
    events = read_events(response, 2)
    assert [e["type"] for e in events] == ["MODIFIED", "DELETED"] and events[0]["object"]["data"] == {"a": "b"}
    connection.close()


def test_the_url_path_is_read_percent_decoded(server, chain):
    """net/http hands the handlers URL.Path, the path with its escapes decoded: c%31 names c1,
    and an escaped %25 is a literal '%' that no name may hold."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c1"}})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps", "c%31"))
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())["metadata"]["name"]) == (200, "c1")
    connection.request("GET", ns_path(chain, "configmaps", "c%251"))
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())["message"]) == (
        400, """Name parameter invalid: "c%1": may not contain '%'""")
    connection.close()


def test_a_path_with_a_malformed_escape_is_400(server, chain):
    """url.ParseRequestURI refuses a '%' not followed by two hex digits: net/http answers 400 and
    closes the connection before any handler runs."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps", "c%zz"))
    response = connection.getresponse()
    assert (response.status, response.getheader("Connection")) == (400, "close")
    connection.close()


def test_watch_as_table_and_timeout(server, chain):
    """A Table watch sends each object as a one-row Table; timeoutSeconds ends the stream."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "t1"}})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + "?watch=true&timeoutSeconds=1", headers={"Accept": TABLE})
    response = connection.getresponse()
    event = read_events(response, 1)[0]
    assert event["object"]["kind"] == "Table" and event["object"]["rows"][0]["cells"][0] == "t1"
    assert response.read() == b""  # the stream ends after the timeout
    connection.close()


@pytest.mark.parametrize("timeout_seconds,jitter,seconds", [
    (None, 0.0, 1800.0), (0, 0.5, 2700.0), (5, 0.5, 5.0), (-5, 0.5, -5.0),
    (9223372036, 0.5, 9223372036.0),
    (9223372037, 0.5, (9223372037 * 10**9 - 2**64) / 1e9),  # past int64 nanoseconds: negative
    (18446744074, 0.5, 0.290448384)])  # wrapped around once: under a second
def test_a_watch_runs_for_timeout_seconds_as_go_duration_holds_them(timeout_seconds, jitter, seconds):
    """ListResource: timeoutSeconds times time.Second, an int64 of nanoseconds that wraps; when
    that is 0 (or none was given), minRequestTimeout (1800 s) times 1 to 2."""
    assert handlers.watch_timeout(timeout_seconds, jitter) == pytest.approx(seconds)


def test_a_watch_with_a_timeout_that_wraps_to_under_a_second_ends(server, chain):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + "?watch=true&timeoutSeconds=18446744074")
    response = connection.getresponse()
    assert response.status == 200 and response.read() == b""
    connection.close()


def test_a_table_watch_sends_column_definitions_in_its_first_event_only(server, chain):
    """The watch's Fixup sets NoHeaders after the first object: later Tables have no column
    definitions (null); each Table carries its object's resourceVersion."""
    for name in ("h1", "h2"):
        call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": name}})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + "?watch=true&timeoutSeconds=1", headers={"Accept": TABLE})
    tables = [event["object"] for event in read_events(connection.getresponse(), 2)]
    assert [bool(t["columnDefinitions"]) for t in tables] == [True, False] and tables[1]["columnDefinitions"] is None
    assert all(t["metadata"]["resourceVersion"] == t["rows"][0]["object"]["metadata"]["resourceVersion"]
               for t in tables)
    connection.close()


def test_a_watch_of_one_object_path_sees_that_object_only(server, chain):
    """/watch/namespaces/ns/configmaps/NAME: ListResource treats the name as the field selector
    metadata.name=NAME, so the other objects of the collection are not sent."""
    for name in ("n1", "n2"):
        call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": name}})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", f"/api/v1/watch/namespaces/{chain.namespace}/configmaps/n2?timeoutSeconds=1")
    response = connection.getresponse()
    assert [e["object"]["metadata"]["name"] for e in read_events(response, 1)] == ["n2"]
    assert response.read() == b""
    connection.close()


def test_a_watch_of_one_object_path_with_another_name_selected_is_400(chain):
    """A field selector on an object's watch path may only select that object's name."""
    code, status = call(chain, "GET", f"/api/v1/watch/namespaces/{chain.namespace}/configmaps/n2",
                        query={"fieldSelector": "metadata.name=n3"})
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "fieldSelector metadata.name doesn't match requested name")


@pytest.mark.parametrize("method, path, code", [
    ("POST", "/api/v1/watch/namespaces/{ns}/configmaps", 405), ("DELETE", "/api/v1/watch/namespaces/{ns}/configmaps/n2", 405),
    ("PUT", "/api/v1/watch/namespaces/{ns}", 405), ("HEAD", "/api/v1/watch/configmaps", 405),
    ("GET", "/api/v1/watch/namespaces/{ns}/pods/p/status", 404),
    ("GET", "/apis/apps/v1/watch/namespaces/{ns}/deployments/d/scale", 404)])
def test_the_watch_prefix_routes_get_of_collections_and_objects_only(chain, method, path, code):
    """The installer's deprecated /watch/ routes are GETs of a collection or an object: another
    method is go-restful's 405, a subresource no route at all (as the real 1.24 server answers;
    ours watched for any method, and 405'd a subresource)."""
    response = chain.handle(Request(method, path.format(ns=chain.namespace), {"timeoutSeconds": ["1"]},
                                    {"Accept": "application/json"}))
    assert response.code == code and not isinstance(response, WatchResponse)
    if method != "HEAD":
        assert json.loads(response.body)["message"] == {
            405: "the server does not allow this method on the requested resource",
            404: "the server could not find the requested resource"}[code]


def test_a_watch_selecting_two_names_watches_the_first(chain):
    """RequiresExactMatch takes the first metadata.name term, so a collection watch selecting
    `metadata.name=a,,metadata.name=b` is the watch of `a` and no 400, as kube-apiserver 1.24
    answers (it was refused as not matching the name)."""
    code, _ = call(chain, "GET", ns_path(chain, "configmaps"),
                   query={"fieldSelector": "metadata.name=a,,metadata.name=b", "watch": "true", "timeoutSeconds": "1"})
    assert code == 200


def test_watch_as_partial_object_metadata(server, chain):
    """A metadata informer's watch (as=PartialObjectMetadata) gets each object's metadata only."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "p1"}, "data": {"a": "1"}})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + "?watch=true&timeoutSeconds=1", headers={"Accept": PARTIAL})
    event = read_events(connection.getresponse(), 1)[0]
    assert (event["type"], event["object"]["kind"], event["object"]["metadata"]["name"]) == (
        "ADDED", "PartialObjectMetadata", "p1")
    assert "data" not in event["object"]
    connection.close()


def test_watch_from_a_compacted_revision_is_410(server, chain, etcd):
    """A watch from a compacted resourceVersion gets one ERROR event with a 410 Expired Status."""
    _, first = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "old"}})
    for value in ("y", "z"):
        _, last = call(chain, "PUT", ns_path(chain, "configmaps", "old"), {"metadata": {"name": "old"}, "data": {"x": value}})
    etcd.compact(int(last["metadata"]["resourceVersion"]))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + f"?watch=1&resourceVersion={first['metadata']['resourceVersion']}")
    event = read_events(connection.getresponse(), 1)[0]
    assert event["type"] == "ERROR" and event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
    connection.close()


def test_tls_server(registry, tmp_path):
    """With an SSLContext the server speaks HTTPS (certificates from certs.py's CA)."""
    from reference_impl.apiserver.adapter.certs import ensure_certs

    ensure_certs(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "apiserver.crt", tmp_path / "apiserver.key")
    server = APIServer(registry, ssl_context=context)
    server.start()
    try:
        client = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=client, timeout=10)
        connection.request("GET", "/version")
        assert json.loads(connection.getresponse().read())["gitVersion"] == "v1.24.0"
        assert server.url.startswith("https://127.0.0.1:")
    finally:
        server.stop()


def test_stop_ends_open_watches(registry, chain):
    server = APIServer(registry)
    server.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", ns_path(chain, "configmaps") + "?watch=1&resourceVersion=" +
                       call(chain, "GET", ns_path(chain, "configmaps"))[1]["metadata"]["resourceVersion"])
    response = connection.getresponse()
    done = threading.Event()
    threading.Thread(target=lambda: (response.read(), done.set()), daemon=True).start()
    server.stop()
    assert done.wait(5), "the watch stream did not end when the server stopped"
    connection.close()


def test_a_stopping_server_closes_its_port_before_it_ends_the_watches(registry, chain):
    """When a watch ends because the server stops, a new connection is already refused: the real
    kube-controller-manager's reflectors then retry their watch quietly (as when kube-apiserver
    exits), where a port still open took their new watch and cut it, and each informer logged
    "very short watch" and "failed to list" until the server was back. The watch is the one its
    pod informer sent (recorded)."""
    server = APIServer(registry)
    server.start()
    rv = call(chain, "GET", "/api/v1/pods")[1]["metadata"]["resourceVersion"]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", f"/api/v1/pods?allowWatchBookmarks=true&resourceVersion={rv}"
                              "&timeout=9m5s&timeoutSeconds=545&watch=true")
    response = connection.getresponse()
    refused = []

    def read_then_dial() -> None:
        response.read()
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
            refused.append(False)
        except ConnectionRefusedError:
            refused.append(True)
    reader = threading.Thread(target=read_then_dial, daemon=True)
    reader.start()
    server.stop()
    reader.join(5)
    connection.close()
    assert refused == [True]


def test_a_stopping_server_serves_no_request_on_a_kept_alive_connection(registry, chain):
    """A connection kept alive after a list is closed when the server stops, and a watch sent on
    it is not served: the real kube-controller-manager reused such connections for the new watches
    of the informers whose watches the stop had ended, and each was cut at once ("very short
    watch", then "failed to list" until the server was back). Go's transport sends a request
    that got no answer on a reused connection again, on a new one: refused, and retried quietly.
    The requests are the ones its endpoint slice informer sent (recorded)."""
    server = APIServer(registry)
    server.start()
    kept = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    kept.sendall(b"GET /apis/discovery.k8s.io/v1/endpointslices?limit=500&resourceVersion=0 HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
    answer = http.client.HTTPResponse(kept)
    answer.begin()
    rv = json.loads(answer.read())["metadata"]["resourceVersion"]
    server.stop()
    try:
        kept.sendall(b"GET /apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion="
                     + rv.encode() + b"&timeout=7m14s&timeoutSeconds=434&watch=true HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
        received = kept.recv(4096)
    except (BrokenPipeError, ConnectionResetError):
        received = b""
    finally:
        kept.close()
    assert received == b""


def test_a_watch_can_be_stopped_before_its_first_chunk_is_read(chain):
    """The client has the headers before the stream is iterated: a server stopping in between
    must still end the watch (it used to be registered only once iteration began)."""
    rv = call(chain, "GET", ns_path(chain, "configmaps"))[1]["metadata"]["resourceVersion"]
    _, response = call(chain, "GET", ns_path(chain, "configmaps"), query={"watch": "1", "resourceVersion": rv})
    chain.rest.stop_watches()
    done = threading.Event()
    threading.Thread(target=lambda: (list(response.chunks), done.set()), daemon=True).start()
    assert done.wait(5), "the watch stream did not end"


def test_age_column_uses_the_clock():
    from reference_impl.apiserver.kinds._columns import human_duration

    assert [human_duration(s) for s in (5, 119, 200, 3600 * 5 + 60, 86400 * 3, 86400 * 800)] == \
        ["5s", "119s", "3m20s", "5h1m", "3d", "2y70d"]


# --- protobuf request bodies (kubectl 1.32+ `kubectl create <kind>`) ---

def protobuf_configmap(namespace: str) -> bytes:
    """A ConfigMap as kubectl's typed client encodes it: magic, runtime.Unknown, gogo ConfigMap."""
    from reference_impl.apiserver.core.openapi_proto import _bytes_field, _string

    meta = _string(1, "pb") + _string(3, namespace) + _bytes_field(8, b"")  # a zero creationTimestamp
    data = _bytes_field(2, _string(1, "k") + _string(2, "v"))
    raw = _bytes_field(1, meta) + data
    type_meta = _string(1, "v1") + _string(2, "ConfigMap")
    return b"k8s\x00" + _bytes_field(1, type_meta) + _bytes_field(2, raw) + _string(4, "application/vnd.kubernetes.protobuf")


def test_protobuf_body_is_decoded(chain):
    """A `application/vnd.kubernetes.protobuf` body creates the same object JSON would."""
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), protobuf_configmap(chain.namespace),
                         content_type="application/vnd.kubernetes.protobuf")
    assert code == 201, created
    assert created["data"] == {"k": "v"} and created["metadata"]["name"] == "pb"
    assert created["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z"  # the registry's, not the zero time


def test_malformed_protobuf_is_400(chain):
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), b"nope",
                        content_type="application/vnd.kubernetes.protobuf")
    assert (code, status["reason"]) == (400, "BadRequest")


def test_watch_frames_waiting_together_go_out_as_one_chunk_of_at_most_64_KiB(chain):
    """Events queued behind the one being written are joined into one chunk (one write), as
    upstream's WatchServer flushes only when none wait; a chunk is cut once it passes 64 KiB."""
    from reference_impl.apiserver.core.handlers import WATCH_FLUSH_BYTES

    # A list at "0" is the watch cache's, which starts with it; the watch is then served from it.
    rv = call(chain, "GET", ns_path(chain, "configmaps"), query={"resourceVersion": "0"})[1]["metadata"]["resourceVersion"]
    names = [f"small-{i}" for i in range(20)] + [f"big-{i}" for i in range(3)]
    for name in names:
        data = {"blob": "x" * 40_000} if name.startswith("big") else {"k": "v"}
        status, _ = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": name}, "data": data})
        assert status == 201
    _, response = call(chain, "GET", ns_path(chain, "configmaps"), query={"watch": "1", "resourceVersion": rv, "timeoutSeconds": "10"})
    chunks: list[bytes] = []  # the timeout ends the stream should an event never come
    for chunk in response.chunks:
        chunks.append(chunk)
        if sum(c.count(b"\n") for c in chunks) >= len(names):
            break
    chain.rest.stop_watches()
    frames = [json.loads(line) for chunk in chunks for line in chunk.splitlines()]
    assert [f["object"]["metadata"]["name"] for f in frames] == names
    assert 2 <= len(chunks) < len(names)
    for chunk in chunks:  # a chunk grows past the limit only by the frame that crossed it
        assert len(chunk) - len(chunk.splitlines(keepends=True)[-1]) < WATCH_FLUSH_BYTES


@pytest.mark.parametrize("method,name,query,body", [
    ("DELETE", "", {"propagationPolicy": "bogus"}, None),
    ("DELETE", "keep", {"propagationPolicy": "bogus"}, None),
    ("DELETE", "keep", {}, {"propagationPolicy": "Sideways"}),
    ("DELETE", "", {}, {"orphanDependents": True, "propagationPolicy": "Foreground"}),
    ("DELETE", "keep", {"orphanDependents": "true", "propagationPolicy": "Orphan"}, None),
])
def test_invalid_delete_options_are_422_and_delete_nothing(chain, method, name, query, body):
    """ValidateDeleteOptions runs before any deletion: an unknown propagationPolicy, or one beside
    orphanDependents, is 422 Invalid for DeleteOptions, and a collection delete keeps every item."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, method, ns_path(chain, "configmaps", name), body, query=query)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: ')
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200


def test_a_known_propagation_policy_in_the_query_deletes(chain):
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "gone"}})
    assert call(chain, "DELETE", ns_path(chain, "configmaps", "gone"), query={"propagationPolicy": "Background"})[0] == 200
    assert call(chain, "GET", ns_path(chain, "configmaps", "gone"))[0] == 404


@pytest.mark.parametrize("query,code", [({}, 200), ({"propagationPolicy": "Foreground"}, 200),
                                        ({"orphanDependents": "false"}, 202)])
def test_a_delete_that_only_marks_the_object_is_202_only_without_orphaning(chain, query, code):
    """DeleteResource answers 202 for an object not deleted at once only when the options set
    orphanDependents to false (upstream keeps the 200 other clients expect): a configmap held by
    a finalizer, or kept for the garbage collector, is a 200."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "held", "finalizers": ["example.com/x"]}})
    answer_code, answer = call(chain, "DELETE", ns_path(chain, "configmaps", "held"), query=query)
    assert (answer_code, bool(answer["metadata"]["deletionTimestamp"])) == (code, True)


@pytest.mark.parametrize("value,verb", [("maybe", "watch"), ("True", "watch"), ("1", "watch"),
                                        ("0", "list"), ("FALSE", "list")])
def test_the_watch_parameter_reads_as_go_reads_a_bool(value, verb):
    """RequestInfoFactory decodes `watch` with Convert_Slice_string_To_bool: only "0" and "false"
    (any case) are false, so `watch=maybe` is a watch."""
    assert request_info("GET", "/api/v1/namespaces/a/pods", {"watch": [value]}).verb == verb


@pytest.mark.parametrize("content_type", [";;;", "; charset=utf-8", "text/plain", "*/*", "application/*"])
def test_a_content_type_that_names_no_known_media_type_is_415(chain, content_type):
    """Only a missing Content-Type defaults to JSON; one with no media type is unparsable (415), and
    NegotiateInputSerializer matches a serializer's media type exactly, so a wildcard is none."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "ct"}},
                        content_type=content_type)
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")


@pytest.mark.parametrize("method,name,query,message", [
    ("POST", "", {"fieldManager": "m" * 129}, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: '
                                              'must have at most 128 bytes'),
    ("PUT", "o", {"fieldManager": "a\x00b"}, 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: '),
    ("PATCH", "o", {"force": "true"}, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
                                      'specified for non-apply patch'),
])
def test_invalid_write_options_are_422(chain, method, name, query, message):
    """ValidateCreateOptions/UpdateOptions/PatchOptions: fieldManager at most 128 printable bytes;
    `force` only on an apply patch."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "o"}})
    body = {"data": {"a": "b"}} if method == "PATCH" else {"metadata": {"name": "o"}}
    code, status = call(chain, method, ns_path(chain, "configmaps", name), body, query=query,
                        content_type="application/merge-patch+json" if method == "PATCH" else "application/json")
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith(message)
    assert call(chain, "GET", ns_path(chain, "configmaps", "o"))[1].get("data") is None


@pytest.mark.parametrize("query,code,message", [
    ({"limit": "abc"}, 400, 'strconv.ParseInt: parsing "abc": invalid syntax'),
    ({"timeoutSeconds": "x"}, 400, 'strconv.ParseInt: parsing "x": invalid syntax'),
    ({"resourceVersionMatch": "Exact"}, 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: '
                                             "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ({"continue": "garbage"}, 400, "invalid continue token: continue key is not valid: "
                                   "invalid character '\\u0081' looking for beginning of value"),
    # The selectors are parsed and the field selector converted before the DeleteOptions are read:
    # a bad dryRun is reported after them (fuzz20, as the real kube-apiserver 1.24 answers).
    ({"labelSelector": "a in (b", "dryRun": "Bogus"}, 400, "unable to parse requirement: found '', expected: ',' or ')'"),
    ({"fieldSelector": "bogus=x", "dryRun": "Bogus"}, 400,
     '"bogus" is not a known field selector: only "metadata.name", "metadata.namespace"'),
])
def test_deletecollection_reads_its_list_options_as_a_list_does(chain, query, code, message):
    """DeleteCollection decodes and validates the ListOptions before it deletes anything: a bad
    one is the list's 400 or 422, and nothing is deleted."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "kept"}})
    code_, status = call(chain, "DELETE", ns_path(chain, "configmaps"), query=query)
    assert (code_, status["message"]) == (code, message)
    assert call(chain, "GET", ns_path(chain, "configmaps", "kept"))[0] == 200


@pytest.mark.parametrize("query,why", [
    ({"resourceVersion": "-1"}, "the ResourceVersion in the precondition (-1) does not match the ResourceVersion in "
                                "record ("),
    ({"uid": "x"}, "the UID in the precondition (x) does not match the UID in record ("),
])
def test_uid_and_resource_version_in_a_delete_query_are_preconditions(chain, query, why):
    """Convert_url_Values_To_v1_DeleteOptions reads `uid` and `resourceVersion` into the options'
    Preconditions, a dry run's too (as the real kube-apiserver 1.24 answers); an empty one is none."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "a"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "a"), query={"dryRun": "All", **query})
    assert (code, status["reason"]) == (409, "Conflict")
    assert status["message"].startswith(f'Operation cannot be fulfilled on ConfigMap "a": {why}')
    assert call(chain, "DELETE", ns_path(chain, "configmaps", "a"), query={"dryRun": "All", "uid": ""})[0] == 200


def test_deletecollection_checks_the_body_preconditions_on_each_object(chain):
    """Store.DeleteCollection deletes each listed object with the request's DeleteOptions, so
    their preconditions apply to every one, in a dry run too: the first that does not match is
    a 409 and the rest stay (as the real kube-apiserver 1.24 answers)."""
    for name in ("a", "b"):
        call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": name}})
    for query in ({"dryRun": "All"}, {}):
        code, status = call(chain, "DELETE", ns_path(chain, "configmaps"),
                            {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "x"}}, query=query)
        assert (code, status["reason"]) == (409, "Conflict")
        assert status["message"].startswith('Operation cannot be fulfilled on ConfigMap "a": the UID in the '
                                            'precondition (x) does not match the UID in record (')
    assert [item["metadata"]["name"] for item in call(chain, "GET", ns_path(chain, "configmaps"))[1]["items"]] == \
        ["a", "b"]


def test_deletecollection_deletes_the_page_its_limit_lists(chain):
    """Store.DeleteCollection deletes what List answers for its options, one page under a limit."""
    for name in ("a", "b"):
        call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": name}})
    code, deleted = call(chain, "DELETE", ns_path(chain, "configmaps"), query={"limit": "1"})
    assert (code, [item["metadata"]["name"] for item in deleted["items"]]) == (200, ["a"])
    assert [item["metadata"]["name"] for item in call(chain, "GET", ns_path(chain, "configmaps"))[1]["items"]] == ["b"]


@pytest.mark.parametrize("manager,problems", [
    ("a\x00b", ['Invalid value: "a\\x00b": invalid character U+0000 (at position 1)']),
    ("\u00e9\t\u2028", ['Invalid value: "\u00e9\\t\\u2028": invalid character U+0009 (at position 2)',
                       'Invalid value: "\u00e9\\t\\u2028": invalid character U+2028 (at position 3)']),
])
def test_each_unprintable_character_of_a_field_manager_is_its_own_cause(chain, manager, problems):
    """ValidateFieldManager ranges over the runes: one Invalid per unprintable one, naming it and
    its byte offset."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "fm"}},
                        query={"fieldManager": manager})
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["details"]["causes"] == [
        {"reason": "FieldValueInvalid", "field": "fieldManager", "message": problem} for problem in problems]


@pytest.mark.parametrize("target", [{"kind": "Node", "name": 5}, {"name": ["n1"]}, {"name": "n1", "uid": {}}])
def test_a_binding_target_of_the_wrong_type_is_400_and_leaves_the_pod_unbound(chain, target):
    """The body decodes as a v1.Binding: a target name that is no string was stored as the pod's
    nodeName, and every later write of the pod failed to decode it."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/binding",
                        {"metadata": {"name": "web"}, "target": target})
    assert (code, status["reason"]) == (400, "BadRequest")
    assert "nodeName" not in call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]
    assert call(chain, "PATCH", ns_path(chain, "pods", "web"), {"metadata": {"labels": {"a": "b"}}},
                content_type="application/merge-patch+json")[0] == 200


@pytest.mark.parametrize("query,code,message", [
    ({"tailLines": "abc"}, 400, 'strconv.ParseInt: parsing "abc": invalid syntax'),
    ({"tailLines": "-1"}, 422, "tailLines: Invalid value: -1: must be greater than or equal to 0"),
    ({"limitBytes": "0"}, 422, "limitBytes: Invalid value: 0: must be greater than 0"),
    ({"sinceSeconds": "-5"}, 422, "sinceSeconds: Invalid value: -5: must be greater than 0"),
    # field.NewPath("") prints as the index of a root without a name: "[]".
    ({"sinceSeconds": "5", "sinceTime": "2024-01-01T00:00:00Z"}, 422,
     'PodLogOptions "web" is invalid: []: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified'),
    # metav1.Time's UnmarshalQueryParameter: time.Parse(time.RFC3339, ...)'s error as it is.
    ({"sinceTime": "yesterday"}, 400,
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'),
    ({"sinceTime": "2024-01-01"}, 400,
     'parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"'),
    ({"sinceTime": "2024-13-01T00:00:00Z"}, 400, 'parsing time "2024-13-01T00:00:00Z": month out of range'),
    ({"sinceTime": "2024-01-01T00:00:00+0100"}, 400,
     'parsing time "2024-01-01T00:00:00+0100" as "2006-01-02T15:04:05Z07:00": cannot parse "+0100" as "Z07:00"'),
    ({"sinceTime": "2024-01-01T00:00:00Zjunk"}, 400, 'parsing time "2024-01-01T00:00:00Zjunk": extra text: junk'),
])
def test_invalid_pod_log_options_are_refused_before_the_kubelet_is_asked(chain, query, code, message):
    """LogREST.Get decodes and validates PodLogOptions first (the pod here is not even scheduled)."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    got, status = call(chain, "GET", ns_path(chain, "pods", "web") + "/log", query=query)
    assert (got, status["reason"]) == (code, "BadRequest" if code == 400 else "Invalid")
    assert status["message"].endswith(message)


def test_the_kubelet_is_asked_with_every_log_option_and_since_time_in_whole_utc_seconds():
    """LogLocation passes each option it decoded on to the kubelet's /containerLogs query,
    sinceTime as metav1.Time formats it (time.RFC3339: no fraction, the server's zone, UTC)."""
    query = {"follow": "true", "previous": "true", "timestamps": "true", "tailLines": "3", "limitBytes": "10",
             "sinceTime": "2024-01-02T03:04:05.678+02:00", "container": "web"}
    request = Request("GET", "/api/v1/namespaces/ns/pods/web/log", {k: [v] for k, v in query.items()}, {}, b"")
    assert kubelet_log_query(request) == {"follow": "true", "previous": "true", "timestamps": "true",
                                          "tailLines": "3", "limitBytes": "10", "sinceTime": "2024-01-02T01:04:05Z"}


def test_the_log_of_a_pod_not_yet_scheduled_is_204_with_no_body(chain):
    """LogLocation gives no location for a pod with no node; StreamObject answers the empty stream
    with a bare 204, no Content-Type (as the real 1.24 server does)."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    response = chain.handle(Request("GET", ns_path(chain, "pods", "web") + "/log", {}, {"Accept": "application/json"}))
    assert (response.code, response.body, response.content_type) == (204, b"", "")


def test_the_log_of_a_pod_on_a_missing_node_names_the_node_as_a_pod(chain):
    """The node store's Get inside a pods/log request names its NotFound by the request's
    resource (qualifiedResourceFromContext): `pods "<node>" not found`, as kubectl logs prints."""
    call(chain, "POST", ns_path(chain, "pods"), {**POD, "spec": {**POD["spec"], "nodeName": "gone"}})
    code, status = call(chain, "GET", ns_path(chain, "pods", "web") + "/log")
    assert (code, status["message"], status["details"]) == (404, 'pods "gone" not found',
                                                            {"name": "gone", "kind": "pods"})


@pytest.mark.parametrize("name", ["keep", ""])
def test_dry_run_in_the_delete_options_body_deletes_nothing(chain, name):
    """kubectl --dry-run=server sends `dryRun: [All]` inside the DeleteOptions body, not in the
    query: the object (or collection) must survive it."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, _ = call(chain, "DELETE", ns_path(chain, "configmaps", name),
                   {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background", "dryRun": ["All"]})
    assert code == 200
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200


def test_an_unknown_dry_run_value_in_the_delete_options_is_422(chain):
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "keep"), {"dryRun": ["Some"]})
    assert (code, status["reason"]) == (422, "Invalid")
    assert 'dryRun: Unsupported value: []string{"Some"}: supported values: "All"' in status["message"]
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200


def test_an_apply_patch_takes_the_force_option(chain):
    """`kubectl apply --server-side` sends force=false with an apply patch: only other patch types
    refuse the option."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "a"}})
    code, applied = call(chain, "PATCH", ns_path(chain, "configmaps", "a"),
                         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}},
                         content_type="application/apply-patch+yaml", query={"force": "false", "fieldManager": "k"})
    assert (code, applied["data"]) == (200, {"k": "v"})


@pytest.mark.parametrize("options,words", [
    ({"gracePeriodSeconds": [1]}, "unmarshal array into Go struct field DeleteOptions.gracePeriodSeconds of type int64"),
    ({"gracePeriodSeconds": True}, "unmarshal bool into Go struct field DeleteOptions.gracePeriodSeconds"),
    ({"preconditions": "x"}, "unmarshal string into Go struct field DeleteOptions.preconditions"),
    ({"preconditions": {"uid": 5}},
     "unmarshal number into Go struct field Preconditions.preconditions.uid of type types.UID"),
    ({"preconditions": {"resourceVersion": 5}},
     "unmarshal number into Go struct field Preconditions.preconditions.resourceVersion of type string"),
    ({"propagationPolicy": 1}, "DeleteOptions.propagationPolicy"),
    ({"dryRun": "All"}, "unmarshal string into Go struct field DeleteOptions.dryRun of type []string"),
    ({"orphanDependents": "yes"}, "DeleteOptions.orphanDependents of type bool"),
    # A number an int64 cannot hold is shown with its digits (as the real 1.24 server's 500 says).
    ({"gracePeriodSeconds": 2 ** 63}, "unmarshal number 9223372036854775808 into Go struct field "
                                      "DeleteOptions.gracePeriodSeconds of type int64"),
    ({"gracePeriodSeconds": 1.5}, "unmarshal number 1.5 into Go struct field DeleteOptions.gracePeriodSeconds"),
])
def test_delete_options_of_the_wrong_type_are_400_and_delete_nothing(chain, options, words):
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "keep"), options)
    assert (code, status["reason"]) == (400, "BadRequest") and words in status["message"]
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200


@pytest.mark.parametrize("path,body,message", [
    ("configmaps", b'{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":1,"orphanDependents":"true"}',
     "json: cannot unmarshal number into Go struct field DeleteOptions.propagationPolicy of type v1.DeletionPropagation"),
    ("configmaps", b'{"preconditions":{"resourceVersion":1},"gracePeriodSeconds":"1"}',
     "json: cannot unmarshal number into Go struct field Preconditions.preconditions.resourceVersion of type string"),
    ("/apis/scheduling.k8s.io/v1/priorityclasses",
     b'{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"p"},"value":1,'
     b'"globalDefault":"x"}',
     "json: cannot unmarshal string into Go struct field PriorityClass.globalDefault of type bool"),
], ids=["first-in-the-body", "preconditions-first", "another-kinds-struct"])
def test_a_delete_collection_body_is_refused_for_its_first_wrong_value(chain, path, body, message):
    """The codec decodes a DeleteOptions body into the struct of the kind it names and reports the
    first value of the wrong type in the body's order (the real 1.24 server's 500 in these words,
    seed 34's cases 26 and 1152 of request_random_differential; a 400 here)."""
    path = path if path.startswith("/") else ns_path(chain, path)
    code, status = call(chain, "DELETE", path, body, query={"dryRun": "All"})
    assert (code, status["message"]) == (400, message)


def test_a_delete_body_of_a_kind_the_meta_scheme_does_not_register_is_decoded_into_no_struct(chain):
    """An object's DELETE decodes its body with the meta internal-version scheme, which makes no
    StorageClass: its value of the wrong type is never read, the kind is what is refused (the real
    1.24 server's 500 in these words, seed 42's case 13 of request_random_differential; a 400 here)."""
    body = (b'{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"s"},'
            b'"provisioner":"example.com/p","reclaimPolicy":100000000000000}')
    code, status = call(chain, "DELETE", "/apis/storage.k8s.io/v1/storageclasses/s", body, query={"dryRun": "All"})
    assert (code, status["message"]) == (400, 'no kind "StorageClass" is registered for version "storage.k8s.io/v1" '
                                              'in scheme "k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme/'
                                              'register.go:27"')


@pytest.mark.parametrize("path", ["bindings", "pods/x/binding"])
def test_a_binding_for_an_accept_no_route_produces_is_406_before_its_body_is_read(chain, path):
    """go-restful's route for a Binding, in the namespace's collection as under a pod, produces
    JSON, YAML and protobuf: `Accept: application/*` finds none (the real 1.24 server's 406, its
    body not read: seed 34's case 543 of request_random_differential, a YAML alias loop)."""
    code, status = call(chain, "POST", ns_path(chain, path), b"a: &a [*a]\n", accept="application/*",
                        content_type="application/yaml", query={"dryRun": "All"})
    assert (code, status["message"]) == (406, "406: Not Acceptable")


@pytest.mark.parametrize("suffix,query", [("/namespaces", {}), ("/namespaces", {"watch": "true"}),
                                          ("/namespaces/NS", {}), ("/namespaces/NS/status", {})])
def test_namespaces_are_not_routed_inside_a_namespace(chain, suffix, query):
    """Namespaces are cluster-scoped: /api/v1/namespaces/NS/namespaces[/NAME] has no route (404),
    list, watch or get; the reference answered them as if the prefix were not there."""
    path = f"/api/v1/namespaces/{chain.namespace}" + suffix.replace("NS", chain.namespace)
    code, status = call(chain, "GET", path, query=query)
    assert (code, status["reason"], status["message"]) == (404, "NotFound",
                                                           "the server could not find the requested resource")


@pytest.mark.parametrize("suffix", ["/scale/extra", "/status/x/y"])
def test_no_route_goes_past_a_subresource(chain, suffix):
    """A path longer than resource/name/subresource is go-restful's 404 (the proxy subresources,
    which take a path, are not served): GET .../deployments/web/scale/extra answered the Scale."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, status = call(chain, "GET", ns_path(chain, "deployments", "web", "apps/v1") + suffix)
    assert (code, status["reason"], status["message"]) == (404, "NotFound",
                                                           "the server could not find the requested resource")


def test_an_empty_namespace_in_the_path_lists_every_namespace(chain):
    """/api/v1/namespaces//pods is a list in namespace "", which is every namespace, as the real
    server answers it; it was a get of the namespace "pods" (404)."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, listed = call(chain, "GET", "/api/v1/namespaces//pods")
    assert (code, listed["kind"]) == (200, "PodList"), listed
    assert (chain.namespace, "web") in [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in listed["items"]]
    assert call(chain, "GET", "/apis//v1/pods")[0] == 404  # the empty group is not the core group


@pytest.mark.parametrize("method,path,code", [
    ("DELETE", "/api/v1/configmaps", 405), ("POST", "/api/v1/configmaps", 405),
    ("GET", "/api/v1/configmaps/keep", 404), ("DELETE", "/api/v1/configmaps/keep", 404),
    ("PUT", "/api/v1/configmaps/keep", 404),
])
def test_a_namespaced_resource_across_namespaces_serves_only_list_and_watch(chain, method, path, code):
    """A DELETE of /api/v1/configmaps was a delete of every ConfigMap in every namespace."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    got, _ = call(chain, method, path, {"metadata": {"name": "keep", "namespace": chain.namespace}}
                  if method in ("POST", "PUT") else None)
    assert got == code
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200
    assert call(chain, "GET", "/api/v1/configmaps")[0] == 200


@pytest.mark.parametrize("method,body,words", [
    ("PUT", {"metadata": {"name": "web"}, "spec": {"replicas": 2**40}}, "of type int32"),
    ("PUT", {"metadata": {"name": "web"}, "spec": {"replicas": "3"}}, "of type int32"),
    ("PUT", {"metadata": {"name": "other"}, "spec": {"replicas": 3}}, "does not match the name on the URL (web)"),
    ("PUT", {"spec": {"replicas": 3}}, "the name of the object (web based on URL) was undeterminable: name must be provided"),
    ("PATCH", {"metadata": {"name": "other"}}, "does not match the name on the URL (web)"),
])
def test_a_scale_that_is_no_autoscaling_v1_scale_for_this_name_is_400(chain, method, body, words):
    """The scale body decodes as autoscaling/v1.Scale (replicas an int32) and names the URL's
    object; a replicas of 2^40 was stored in the Deployment (a patch that makes one is a 422)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    path = ns_path(chain, "deployments", "web", group="apps/v1") + "/scale"
    code, status = call(chain, method, path, body,
                        content_type="application/merge-patch+json" if method == "PATCH" else "application/json")
    assert (code, status["reason"]) == (400, "BadRequest") and words in status["message"], status
    assert call(chain, "GET", path)[1]["spec"]["replicas"] == 2


def test_delete_options_come_from_the_body_or_the_query_never_both(chain):
    """DeleteResource decodes the body when there is one and reads the query only when there is
    none: beside a body, `?dryRun=All` does not spare the object and a bad `gracePeriodSeconds`
    in the query is not even read."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "gone"}})
    code, _ = call(chain, "DELETE", ns_path(chain, "configmaps", "gone"), {"kind": "DeleteOptions"},
                   query={"dryRun": "All", "gracePeriodSeconds": "x"})
    assert code == 200
    assert call(chain, "GET", ns_path(chain, "configmaps", "gone"))[0] == 404


def test_an_unknown_dry_run_value_in_the_delete_query_is_422(chain):
    """Without a body the query is decoded into DeleteOptions and validated like a body."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "keep"), query={"dryRun": "Some"})
    assert (code, status["reason"]) == (422, "Invalid")
    assert 'dryRun: Unsupported value: []string{"Some"}: supported values: "All"' in status["message"]
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200


@pytest.mark.parametrize("value,allowed", [("true", True), ("True", True), ("1", True), ("", True),
                                           ("false", False), ("FALSE", False), ("0", False)])
def test_allow_watch_bookmarks_is_read_as_go_converts_a_query_bool(chain, monkeypatch, value, allowed):
    """Only "0" and "false" in any case are false (Convert_Slice_string_To_bool): "True" asks for
    bookmarks too."""
    seen = {}
    real_watch = chain.rest.registry.watch

    def watch(*args, **kwargs):
        seen["allow_bookmarks"] = kwargs["allow_bookmarks"]
        return real_watch(*args, **kwargs)

    monkeypatch.setattr(chain.rest.registry, "watch", watch)
    code, response = call(chain, "GET", ns_path(chain, "configmaps"),
                          query={"watch": "1", "allowWatchBookmarks": value})
    response.stop()
    assert (code, seen["allow_bookmarks"]) == (200, allowed)


def test_a_pod_update_with_null_containers_is_422(chain):
    """`containers: null` is Go's nil slice: the update is refused by validation (422), where the
    comparison of the immutable spec iterated it (500)."""
    call(chain, "POST", ns_path(chain, "pods"), {**POD, "metadata": {"name": "null-containers"}})
    current = call(chain, "GET", ns_path(chain, "pods", "null-containers"))[1]
    code, status = call(chain, "PUT", ns_path(chain, "pods", "null-containers"),
                        {**current, "spec": {**current["spec"], "containers": None}})
    assert code == 422, status


@pytest.mark.parametrize("content_type,body", [
    ("application/merge-patch+json", {"metadata": {"labels": "x"}}),
    ("application/json-patch+json", [{"op": "replace", "path": "/metadata/labels", "value": "x"}])])
def test_a_patch_whose_result_the_kind_cannot_hold_is_invalid(chain, content_type, body):
    """jsonPatcher decodes the patched document into the kind: what it cannot hold is a 422 quoting
    that document and the decoder's error."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "patched", "labels": {"a": "b"}}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "patched"), body, content_type=content_type)
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert status["message"].startswith(' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":\\"v1\\",')
    assert status["message"].endswith('": json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels '
                                      'of type map[string]string')


def test_the_invalid_patched_document_keeps_the_templates_null_creation_timestamp(chain):
    """jsonPatcher patches the current object as its Go struct encodes it, whose pod template's
    zero creationTimestamp is a null, and its 422 quotes the patched document before decoding
    (`kubectl patch deployment --type=merge -p '{"spec":{"replicas":"two"}}'` against the real
    1.24 server: `"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"d"}}`)."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), {
        "metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {
            "metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "d", group="apps/v1"),
                        {"spec": {"replicas": "two"}}, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert '\\"template\\":{\\"metadata\\":{\\"creationTimestamp\\":null,\\"labels\\":{\\"app\\":\\"d\\"}}' \
        in status["message"]


def quoted_document_keys(message: str) -> dict:
    """The key order of each map along the way in the document a patch's 422 quotes."""
    start = message.index("Invalid value: ") + len("Invalid value: ")
    quoted, _ = json.JSONDecoder().raw_decode(message[start:])
    document = json.loads(quoted, object_pairs_hook=lambda pairs: pairs)

    def keys(pairs):
        return [key for key, _ in pairs]

    def member(pairs, *path):
        for key in path:
            pairs = dict(pairs)[key]
        return pairs
    return {"top": keys(document), "metadata": keys(member(document, "metadata")),
            "spec": keys(member(document, "spec")), "strategy": keys(member(document, "spec", "strategy")),
            "template.spec": keys(member(document, "spec", "template", "spec"))[:4]}


@pytest.mark.parametrize("content_type,body,spec_keys", [
    ("application/merge-patch+json",
     {"spec": {"replicas": "two", "template": {"metadata": {"labels": {"z": "1"}}}}},
     ["progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector", "strategy", "template"]),
    ("application/json-patch+json",
     [{"op": "replace", "path": "/spec/replicas", "value": "two"},
      {"op": "add", "path": "/spec/template/metadata/labels/z", "value": "1"}],
     ["progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "selector", "strategy", "template"])])
def test_the_patched_document_a_422_quotes_has_its_keys_as_the_patch_library_writes_them(chain, content_type, body,
                                                                                       spec_keys):
    """evanphx/json-patch parses the maps a patch goes into (and those a merge patch brings) and
    writes them with their keys sorted, as json.Marshal writes a map; what the patch left alone
    keeps the stored object's order (a lazyNode keeps its bytes). So the quoted document has its
    top level and `spec` sorted, ObjectMeta, the strategy and the pod spec in struct order (the
    real 1.24 server, both patches by curl; seed 17 step 119 of the kubectl random differential).
    The real server's template metadata also holds `"creationTimestamp":null`, which ours leaves
    out: not compared here."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ordered", "labels": {"b": "1"}},
                  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "o"}},
                           "template": {"metadata": {"labels": {"app": "o"}},
                                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), deployment)
    code, status = call(chain, "PATCH", ns_path(chain, "deployments", "ordered", group="apps/v1"), body,
                        content_type=content_type)
    call(chain, "DELETE", ns_path(chain, "deployments", "ordered", group="apps/v1"))
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert quoted_document_keys(status["message"]) == {
        "top": ["apiVersion", "kind", "metadata", "spec", "status"],
        "metadata": ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "labels",
                     "managedFields"],
        "spec": spec_keys, "strategy": ["type", "rollingUpdate"],
        "template.spec": ["containers", "restartPolicy", "terminationGracePeriodSeconds", "dnsPolicy"]}


@pytest.mark.parametrize("body,shown,problem", [
    ({"metadata": {"labels": {"$patch": "replace", "a": 1}}}, "map[metadata:map[labels:map[$patch:replace a:1]]]",
     "cannot convert int64 to string"),
    ({"metadata": {"labels": {"a": True}}}, "map[metadata:map[labels:map[a:true]]]", "unrecognized type: string"),
    ({"metadata": {"labels": "x"}}, "map[metadata:map[labels:x]]", "cannot restore map from string"),
    ({"metadata": "x"}, "map[metadata:x]", "cannot restore struct from: string"),
    ({"metadata": {"finalizers": {}}}, "map[metadata:map[finalizers:map[]]]", "cannot restore slice from map"),
    ({"immutable": "yes"}, "map[immutable:yes]", "unrecognized type: bool"),
    # A number past int64 is a float64, which converts to no string (the real 1.24 server).
    ({"apiVersion": 2**63}, "map[apiVersion:9.223372036854776e+18]", "unrecognized type: string"),
])
def test_a_strategic_merge_patch_whose_result_the_kind_cannot_hold_is_invalid(chain, body, shown, problem):
    """applyPatchToObject converts the merged map into the kind with the unstructured converter:
    what it cannot hold is a 422 on the field "patch", quoting the patch map with %+v and the
    converter's error."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "s"}, "data": {"a": "1"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "s"), body,
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", f' "" is invalid: patch: Invalid value: "{shown}": {problem}')


@pytest.mark.parametrize("body", [{"apiVersion": "v9"}, {"kind": "Secret"}, {"apiVersion": "apps/v1", "kind": ""}])
def test_a_strategic_merge_patch_cannot_change_apiversion_or_kind(chain, body):
    """The unstructured converter fills the kind's struct, whose conversion back to the internal
    version ignores what its TypeMeta says: a string apiVersion or kind in the patch is no error."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    code, patched = call(chain, "PATCH", ns_path(chain, "configmaps", "c"), {**body, "data": {"b": "2"}},
                         content_type="application/strategic-merge-patch+json")
    assert code == 200, patched
    assert (patched["apiVersion"], patched["kind"], patched["data"]) == ("v1", "ConfigMap", {"a": "1", "b": "2"})


def test_a_strategic_merge_patch_of_a_number_apiversion_is_the_converters_refusal(chain):
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "c"), {"apiVersion": 1},
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["message"]) == (
        422, ' "" is invalid: patch: Invalid value: "map[apiVersion:1]": cannot convert int64 to string')


@pytest.mark.parametrize("status,problem", [
    ({"succeeded": "x"}, "json: cannot unmarshal string into Go struct field JobStatus.status.succeeded of type int32"),
    ({"startTime": "yesterday"},
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'),
    ({"uncountedTerminatedPods": {"failed": [1]}},
     "json: cannot unmarshal number into Go struct field UncountedTerminatedPods.status.uncountedTerminatedPods.failed "
     "of type types.UID"),
    ({"conditions": [{"type": "Complete", "status": 1}]},
     "json: cannot unmarshal number into Go struct field JobCondition.status.conditions.status of type "
     "v1.ConditionStatus"),
])
def test_a_job_status_is_decoded_into_its_struct(chain, status, problem):
    """A Job's status is a typed JobStatus, not any content: its /status refuses what it cannot hold."""
    name = "status-" + next(iter(status)).lower()
    job = {"metadata": {"name": name}, "spec": {"template": {
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    code, job = call(chain, "POST", ns_path(chain, "jobs", group="batch/v1"), job)
    assert code == 201, job
    code, answer = call(chain, "PUT", ns_path(chain, "jobs", name, group="batch/v1") + "/status",
                        {**job, "status": status})
    assert (code, answer["message"]) == (400, f'Job in version "v1" cannot be handled as a Job: {problem}')


@pytest.mark.parametrize("subresource,status,problem", [
    ("status", {"certificate": "x"}, "illegal base64 data at input byte 0"),
    ("approval", {"conditions": "x"}, "json: cannot unmarshal string into Go struct field "
                                      "CertificateSigningRequestStatus.status.conditions of type "
                                      "[]v1.CertificateSigningRequestCondition"),
])
def test_a_csr_status_is_decoded_into_its_struct(chain, subresource, status, problem):
    """A CSR's status is a typed CertificateSigningRequestStatus: conditions a list, the certificate
    base64 bytes."""
    from tests.reference.apiserver import csrs

    name = f"csr-{subresource}"
    code, csr = call(chain, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", {
        "metadata": {"name": name}, "spec": {"request": csrs.request(), "usages": ["client auth"],
                                             "signerName": "kubernetes.io/kube-apiserver-client"}})
    assert code == 201, csr
    code, answer = call(chain, "PUT", f"/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/{subresource}",
                        {**csr, "status": status})
    assert (code, answer["message"]) == (
        400, f'CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: {problem}')


def test_the_converter_names_a_named_string_type_it_cannot_convert_to(chain):
    """A Secret's type is a v1.SecretType: the unstructured converter says so, not `string`."""
    call(chain, "POST", ns_path(chain, "secrets"), {"metadata": {"name": "s"}, "type": "Opaque"})
    code, status = call(chain, "PATCH", ns_path(chain, "secrets", "s"), {"type": 1},
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["message"]) == (
        422, ' "" is invalid: patch: Invalid value: "map[type:1]": cannot convert int64 to v1.SecretType')


def test_the_converter_names_the_kind_of_a_named_string_type_it_has_no_conversion_to(chain):
    """Where there is no conversion at all (an object into a v1.PersistentVolumeAccessMode), the
    converter names the destination's reflect kind, `string` (the real 1.24 server)."""
    volume = {"metadata": {"name": "pv-modes"}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                                          "hostPath": {"path": "/tmp"}}}
    call(chain, "POST", "/api/v1/persistentvolumes", volume)
    code, status = call(chain, "PATCH", "/api/v1/persistentvolumes/pv-modes", {"spec": {"accessModes": [{"a": None}]}},
                        content_type="application/strategic-merge-patch+json")
    assert code == 422 and status["message"].endswith("]]]]\": unrecognized type: string"), status


@pytest.mark.parametrize("plural,body,patch,message", [
    ("secrets", {"metadata": {"name": "s"}, "data": {"a": "YQ=="}}, {"data": {"k": "Not_A.DNS-name!"}},
     'patch: Invalid value: "map[data:map[k:Not_A.DNS-name!]]": error decoding from json: '
     "illegal base64 data at input byte 3"),
    ("pods", {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}},
     {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": ""}}}]}},
     'patch: Invalid value: "map[spec:map[containers:[map[name:c resources:map[limits:map[cpu:]]]]]]": '
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("pods", {"metadata": {"name": "p-start"}, "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}},
     {"status": {"startTime": "yesterday"}},
     'patch: Invalid value: "map[status:map[startTime:yesterday]]": parsing time "yesterday" as '
     '"2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'),
])
def test_a_strategic_merge_patch_to_a_value_that_does_not_unmarshal_is_the_converters_refusal(
        chain, plural, body, patch, message):
    """The unstructured converter unmarshals bad base64 bytes, a bad quantity and a bad time itself
    (a []byte with its own "error decoding from json" words): the patch is invalid, a 422, not a 400."""
    code, created = call(chain, "POST", ns_path(chain, plural), body)
    assert code == 201, created
    code, status = call(chain, "PATCH", ns_path(chain, plural, body["metadata"]["name"]), patch,
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["reason"], status["message"]) == (422, "Invalid", f' "" is invalid: {message}')


@pytest.mark.parametrize("content_type,problem", [
    ("application/merge-patch+json", "json: cannot unmarshal array into Go struct field JobSpec.spec.template of type "
                                     "v1.PodTemplateSpec"),
    ("application/strategic-merge-patch+json", "cannot restore struct from: slice")])
def test_a_patched_object_is_decoded_before_the_field_manager_defaults_it(chain, content_type, problem):
    """A Job patched to a list template was a 500 (the field manager defaulted what the kind could
    not hold); the patchers decode first, so it is the decoder's refusal."""
    job = {"metadata": {"name": "j"}, "spec": {"template": {
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    call(chain, "POST", ns_path(chain, "jobs", group="batch/v1"), job)
    code, status = call(chain, "PATCH", ns_path(chain, "jobs", "j", group="batch/v1"), {"spec": {"template": [1]}},
                        content_type=content_type)
    assert code == 422 and status["message"].endswith(problem)


@pytest.mark.parametrize("method,path_name,kind", [("POST", "", "CreateOptions"), ("PUT", "keep", "UpdateOptions"),
                                                   ("PATCH", "keep", "PatchOptions")])
def test_an_unknown_dry_run_value_on_a_write_is_its_options_422(chain, method, path_name, kind):
    """ValidateCreateOptions (and Update, Patch) refuse a dryRun other than All before anything is written."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"
    code, status = call(chain, method, ns_path(chain, "configmaps", path_name), {"metadata": {"name": "keep"}},
                        query={"dryRun": "Some"}, content_type=content_type)
    assert (code, status["message"]) == (422, f'{kind}.meta.k8s.io "" is invalid: dryRun: Unsupported value: '
                                              '[]string{"Some"}: supported values: "All"')


def test_a_grace_period_in_the_delete_query_that_is_no_int64_is_strconvs_400(chain):
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "keep"), query={"gracePeriodSeconds": "x"})
    assert (code, status["message"]) == (400, 'strconv.ParseInt: parsing "x": invalid syntax')


@pytest.mark.parametrize("content_type", ["application/x-bogus", "application/json", ""])
def test_a_patch_of_a_type_no_route_consumes_is_go_restfuls_415(chain, content_type):
    """A built-in kind's PATCH route consumes only the patch types: go-restful refuses any other
    Content-Type before PatchResource runs, in its own words (seen from the real 1.24 server)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "keep"), {"data": {"a": "b"}},
                        content_type=content_type)
    assert (code, status["reason"], status["message"], status["details"]) == (
        415, "UnsupportedMediaType", "415: Unsupported Media Type", {})


@pytest.mark.parametrize("content_type", ["application/x-bogus", ""])
def test_an_empty_patch_of_a_type_no_route_consumes_is_go_restfuls_406(chain, content_type):
    """go-restful refuses a Content-Type only when the request has a body (ContentLength > 0):
    with none, no route is left for its Accept check, so any Accept is refused with its 406 (seen
    from the real 1.24 server)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "keep"), b"", content_type=content_type,
                        accept="*/*")
    assert (code, status["reason"], status["message"], status["details"]) == (
        406, "NotAcceptable", "406: Not Acceptable", {})


@pytest.mark.parametrize("plural,group,kind,metadata,shown", [("configmaps", "", "ConfigMap", 1.5, "number"),
                                                             ("deployments", "apps/v1", "Deployment", ["x"], "array")])
def test_metadata_that_is_no_object_is_the_decoders_400(chain, plural, group, kind, metadata, shown):
    code, status = call(chain, "POST", ns_path(chain, plural, group=group), {"metadata": metadata})
    assert (code, status["message"]) == (400, f'{kind} in version "v1" cannot be handled as a {kind}: json: cannot '
                                              f"unmarshal {shown} into Go struct field {kind}.metadata of type "
                                              "v1.ObjectMeta")


# --- a body's apiVersion and kind, as the codec reads them ---

LEGACY_SCHEME = "pkg/api/legacyscheme/scheme.go:30"
META_SCHEME = "k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme/register.go:27"


@pytest.mark.parametrize("method,name,body,problem,summary", [
    ("POST", "", {"apiVersion": 1.5, "kind": "ConfigMap"}, "number into Go struct field .apiVersion",
     '{"apiVersion": 1.5, "kind": "C ...'),
    ("PUT", "c", {"apiVersion": "v1", "kind": [1], "metadata": {"name": "c"}}, "array into Go struct field .kind",
     '{"apiVersion": "v1", "kind": [ ...'),
    ("PUT", "c", {"kind": True}, "bool into Go struct field .kind", '{"kind": true}'),
    ("POST", "", {"KIND": {}, "apiVersion": [], "metadata": {"name": "c"}}, "object into Go struct field .kind",
     '{"KIND": {}, "apiVersion": [], ...'),
])
def test_an_apiversion_or_kind_that_is_no_string_is_400_as_interpret_cannot_read_it(chain, method, name, body,
                                                                                    problem, summary):
    """SimpleMetaFactory.Interpret unmarshals the body into a struct of two strings (matching keys
    as encoding/json does, case-insensitively): the first value that is no string is its
    UnmarshalTypeError, of the anonymous struct's field, in transformDecodeError's 400."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    code, status = call(chain, method, ns_path(chain, "configmaps", name), body)
    assert (code, status["message"]) == (
        400, "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json "
             f"parse error: json: cannot unmarshal {problem} of type string ({summary})")


@pytest.mark.parametrize("method,plural,group,api_version,kind,message", [
    ("POST", "configmaps", "", "v1", "x",
     f'x in version "v1" cannot be handled as a ConfigMap: no kind "x" is registered for version "v1" in scheme '
     f'"{LEGACY_SCHEME}"'),
    ("PUT", "configmaps", "", "a=b", "ConfigMap",
     f'ConfigMap in version "a=b" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version '
     f'"a=b" in scheme "{LEGACY_SCHEME}"'),
    ("POST", "deployments", "apps/v1", "apps/v1", "..",
     f'.. in version "v1" cannot be handled as a Deployment: no kind ".." is registered for version "apps/v1" in '
     f'scheme "{LEGACY_SCHEME}"'),
    ("POST", "deployments", "apps/v1", "x", "Deployment",
     f'Deployment in version "x" cannot be handled as a Deployment: no kind "Deployment" is registered for version '
     f'"x" in scheme "{LEGACY_SCHEME}"'),
    # transformDecodeError quotes the version with %q, as Scheme.New quotes it: control characters escaped.
    ("POST", "configmaps", "", "\x01\u202e", "ConfigMap",
     'ConfigMap in version "\\x01\\u202e" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for '
     f'version "\\x01\\u202e" in scheme "{LEGACY_SCHEME}"'),
    ("POST", "configmaps", "", "v1", "Secret",
     'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): '
     "unknown conversion"),
    ("POST", "configmaps", "", "policy/v1", "Status",
     'Status in version "v1" cannot be handled as a ConfigMap: converting (v1.Status) to (core.ConfigMap): '
     "unknown conversion"),
    ("POST", "deployments", "apps/v1", "apps/v1beta1", "Deployment",
     "the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)"),
    ("POST", "deployments", "apps/v1", "extensions/v1beta1", "Deployment",
     "the API version in the data (extensions/v1beta1) does not match the expected API version (apps/v1)"),
    ("POST", "customresourcedefinitions", "apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1", "Pod",
     'Pod in version "v1" cannot be handled as a CustomResourceDefinition: no kind "Pod" is registered for version '
     '"apiextensions.k8s.io/v1" in scheme "k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:55"'),
])
def test_a_body_of_another_kind_or_version_is_the_codecs_400(chain, method, plural, group, api_version, kind,
                                                             message):
    """The codec makes the body's kind in the body's version: one the scheme does not register is
    Scheme.New's "no kind is registered", one it cannot convert into the resource's internal type
    the converter's "unknown conversion" (both in transformDecodeError's words, naming what the body
    said it was); a kind that converts but in a version the endpoint does not take is createHandler's
    "does not match the expected API version"."""
    root = f"/apis/{group}" if group else "/api/v1"
    path = ns_path(chain, plural, group=group) if plural != "customresourcedefinitions" else f"{root}/{plural}"
    name = "c" if method == "PUT" else ""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    code, status = call(chain, method, f"{path}/{name}".rstrip("/"),
                        {"apiVersion": api_version, "kind": kind, "metadata": {"name": "c"}})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_a_body_of_another_kind_is_decoded_into_its_own_struct_before_it_converts(chain):
    """The codec unmarshals the body into the Go struct of the kind it names, then converts: a value
    that struct cannot hold is encoding/json's error, not the converter's "unknown conversion"."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    code, status = call(chain, "PUT", ns_path(chain, "configmaps") + "/c",
                        {"apiVersion": "autoscaling/v1", "kind": "Scale", "spec": {"replicas": "2"}})
    assert (code, status["message"]) == (400, 'Scale in version "v1" cannot be handled as a ConfigMap: json: cannot '
                                              "unmarshal string into Go struct field ScaleSpec.spec.replicas of "
                                              "type int32")


@pytest.mark.parametrize("patch,problem", [
    ({"kind": 0}, "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field "
                  ".kind of type string"),
    ({"apiVersion": {"a": 1}}, "couldn't get version/kind; json parse error: json: cannot unmarshal object into Go "
                               "struct field .apiVersion of type string"),
    ({"kind": "Other"}, f'no kind "Other" is registered for version "v1" in scheme "{LEGACY_SCHEME}"'),
    ({"apiVersion": "v9"}, f'no kind "ConfigMap" is registered for version "v9" in scheme "{LEGACY_SCHEME}"'),
    ({"kind": "Secret"}, "converting (v1.Secret) to (core.ConfigMap): unknown conversion"),
    ({"metadata": 1.5}, "json: cannot unmarshal number into Go struct field ConfigMap.metadata of type v1.ObjectMeta"),
])
def test_a_merge_patch_whose_result_the_codec_cannot_decode_is_invalid(chain, patch, problem):
    """jsonPatcher decodes the patched document with DecodeInto: whatever the codec refuses (an
    apiVersion or kind Interpret cannot read, a kind the scheme does not register or cannot convert,
    metadata that is no object) is NewInvalid on the field "patch"."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "c"), patch,
                        content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert status["message"].startswith(' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":')
    assert status["message"].endswith(f'": {problem}')
    assert call(chain, "GET", ns_path(chain, "configmaps", "c"))[1]["data"] == {"a": "1"}


def test_null_metadata_decodes_as_none_at_all(chain):
    """encoding/json leaves a struct field alone for a JSON null: a body with `"metadata": null`
    has no name, which validation says, not the decoder."""
    code, status = call(chain, "POST", ns_path(chain, "configmaps"),
                        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": None})
    assert (code, status["message"]) == (
        422, 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required')


def test_a_merge_patch_to_another_version_of_the_kind_converts(chain):
    """DecodeInto converts a patched object the scheme knows in another version of the same kind into
    the internal type: the patch applies as if it kept the version."""
    call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), DEPLOYMENT)
    code, patched = call(chain, "PATCH", ns_path(chain, "deployments", "web", group="apps/v1"),
                         {"apiVersion": "extensions/v1beta1", "metadata": {"labels": {"a": "b"}}},
                         content_type="application/merge-patch+json")
    assert (code, patched["apiVersion"], patched["metadata"]["labels"]) == (200, "apps/v1", {"a": "b"})


def test_a_merge_patch_that_empties_the_api_version_decodes_the_internal_type_without_metadata(chain):
    """DecodeInto has no default version: an empty apiVersion takes the internal one and the body
    decodes into the internal type, where ObjectMeta is embedded with no "metadata" field; the
    object has no name and checkName refuses it."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}, "data": {"a": "1"}})
    code, status = call(chain, "PATCH", ns_path(chain, "configmaps", "c"), {"apiVersion": ""},
                        content_type="application/merge-patch+json")
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", UNNAMED)


@pytest.mark.parametrize("body,message", [
    (b"[]", "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type "
            'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'),
    (b'{"kind": 1}', "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field "
                     ".kind of type string"),
    (b'{"kind": "Pod", "apiVersion": "v1"}', f'no kind "Pod" is registered for version "v1" in scheme "{META_SCHEME}"'),
    (b'{"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}',
     "converting (v1.CreateOptions) to (v1.DeleteOptions): unknown conversion"),
])
def test_delete_options_of_another_kind_are_400_in_the_meta_schemes_words(chain, body, message):
    """DeleteResource decodes its body with the meta.k8s.io internal scheme's codec and hands any
    error to scope.err, a 500 upstream; a client's mistake is a 400 here, in the codec's words."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep"}})
    code, status = call(chain, "DELETE", ns_path(chain, "configmaps", "keep"), body)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == 200


@pytest.mark.parametrize("api_version", ["v1", "apps/v1", "meta.k8s.io/v1", "x"])
def test_delete_options_of_any_version_are_decoded(chain, api_version):
    """DeleteOptions is an unversioned type of the meta internal scheme: a body naming it in any
    version decodes (clients send their group's version)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "gone"}})
    code, _ = call(chain, "DELETE", ns_path(chain, "configmaps", "gone"),
                   {"kind": "DeleteOptions", "apiVersion": api_version})
    assert code == 200
    assert call(chain, "GET", ns_path(chain, "configmaps", "gone"))[0] == 404


@pytest.mark.parametrize("body,code,message", [
    ({"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"}, 400,
     'no kind "DeleteOptions" is registered for version "meta.k8s.io/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"'),
    ({"kind": "ListOptions", "apiVersion": "v1"}, 400, "converting (v1.ListOptions) to (v1.DeleteOptions): unknown conversion"),
    ({"kind": "DeleteOptions", "apiVersion": "apps/v1"}, 200, None),
    ({"kind": "DeleteOptions"}, 200, None),
])
def test_a_collection_delete_decodes_its_options_with_the_groups_codec(chain, body, code, message):
    """DeleteCollection decodes its body with the resource's own codec, where DeleteOptions is
    registered in every version of every group but not in meta.k8s.io/v1, and another meta kind
    does not convert; upstream hands the codec's error to scope.err (a 500), a 400 here."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "keep", "labels": {"a": "b"}}})
    answer, status = call(chain, "DELETE", ns_path(chain, "configmaps"), body, query={"labelSelector": "a=b"})
    assert answer == code
    if message:
        assert (status["reason"], status["message"]) == ("BadRequest", message)
    assert call(chain, "GET", ns_path(chain, "configmaps", "keep"))[0] == (404 if code == 200 else 200)


def test_a_status_patch_setting_pod_ip_and_pod_ips_apart_keeps_pod_ip(chain):
    """v1 → internal conversion: podIP is authoritative over podIPs (older kubelets set podIP
    alone), so the stored status holds podIPs [podIP] and the other address is gone."""
    call(chain, "POST", ns_path(chain, "pods"), {"metadata": {"name": "ip"},
                                                 "spec": {"containers": [{"name": "c", "image": "i"}]}})
    code, _ = call(chain, "PATCH", ns_path(chain, "pods", "ip") + "/status",
                   {"status": {"podIP": "10.0.0.3", "podIPs": [{"ip": "10.0.0.1"}]}},
                   content_type="application/merge-patch+json")
    assert code == 200
    _, stored = call(chain, "GET", ns_path(chain, "pods", "ip"))
    assert (stored["status"]["podIP"], stored["status"]["podIPs"]) == ("10.0.0.3", [{"ip": "10.0.0.3"}])


def test_duplicate_owner_references_are_dropped_with_a_warning(chain):
    """dedupOwnerReferencesAndAddWarning: an owner reference equal to an earlier one (a null field
    is an unset one) is dropped before validation, so two equal controller references are one;
    creates and updates warn that they saw it before mutating admission, patches after it."""
    owner = {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u1", "controller": True}
    refs = [owner, owner, {**owner, "name": "q", "controller": None}, {**owner, "blockOwnerDeletion": None}]
    path = ns_path(chain, "configmaps")

    def send(method, target, body, content_type="application/json"):
        response = chain.handle(Request(method, target, {}, {"Accept": "application/json", "Content-Type": content_type},
                                        json.dumps(body).encode()))
        return response.code, json.loads(response.body), response.warnings

    code, created, warnings = send("POST", path, {"metadata": {"name": "own", "ownerReferences": refs}})
    assert code == 201 and [r["name"] for r in created["metadata"]["ownerReferences"]] == ["p", "q"]
    saw = ("; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix "
           "your requests; duplicate UID(s) observed: ")
    assert warnings == [".metadata.ownerReferences contains duplicate entries" + saw + "u1, u1"]
    code, _, warnings = send("PUT", f"{path}/own", {"metadata": {"name": "own", "ownerReferences": [owner, owner]}})
    assert (code, warnings) == (200, [".metadata.ownerReferences contains duplicate entries" + saw + "u1"])
    code, patched, warnings = send("PATCH", f"{path}/own", {"metadata": {"ownerReferences": [owner] * 3}},
                                   "application/merge-patch+json")
    assert code == 200 and len(patched["metadata"]["ownerReferences"]) == 1
    assert warnings == [".metadata.ownerReferences contains duplicate entries after mutating admission happens"
                        + saw + "u1, u1"]


@pytest.mark.parametrize("query,expected", [
    ("limit=1;continue=x", {}), ("limit=%zz&watch=1", {"watch": ["1"]}), ("a=%2", {}), ("%zz=1", {}),
    ("a=b+c%20d&&=x&e", {"a": ["b c d"], "": ["x"], "e": [""]}), ("limit=1&limit=2", {"limit": ["1", "2"]}),
    ("labelSelector=a%3D%FF&b=%FF", {"labelSelector": ["a=\udcff"], "b": ["\ufffd"]}),
])
def test_the_query_is_read_as_url_parse_query_reads_it(query, expected):
    """url.ParseQuery (whose error URL.Query drops) skips a pair holding a semicolon or a bad
    escape, so `?limit=1;continue=x` lists everything, as the real server answers it."""
    from reference_impl.apiserver.adapter.server import parse_query
    assert parse_query(query) == expected


@pytest.mark.parametrize("accept,message", [
    (PARTIAL, "object does not implement the Object interfaces"),
    ("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1",
     "object does not implement the Object interfaces"),
    ("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
     "you requested PartialObjectMetadataList, but the requested object is not a list (*rest.LocationStreamer)"),
], ids=["metadata", "metadata-v1beta1", "metadata-list"])
def test_a_pods_log_asked_for_as_metadata_is_406_before_the_kubelet_is_asked(chain, accept, message):
    """transformObject converts the log's stream before writing it, and a stream is neither a list
    nor an object: the real 1.24 server answers a pod's log asked for as PartialObjectMetadataList
    406, and as PartialObjectMetadata 500 in meta.Accessor's words (a 406 here, a client's
    mistake), for an unscheduled pod and before any kubelet is asked."""
    opened = []
    chain.rest.open_log = opened.append
    call(chain, "POST", "/api/v1/nodes", {"metadata": {"name": "log-node"}, "status": {
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}]}})
    call(chain, "POST", ns_path(chain, "pods"), POD)
    call(chain, "POST", ns_path(chain, "pods"), {**POD, "metadata": {"name": "placed"},
                                                 "spec": {**POD["spec"], "nodeName": "log-node"}})
    for pod in ("web", "placed"):
        code, status = call(chain, "GET", ns_path(chain, "pods", pod) + "/log", accept=accept)
        assert (code, status["reason"], status["message"]) == (406, "NotAcceptable", message)
    assert opened == []
