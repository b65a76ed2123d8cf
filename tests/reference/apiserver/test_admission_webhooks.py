"""Admission webhooks called by the reference apiserver: a real HTTPS webhook server started here
(http.server with a test CA), the handler chain with the server's admission chain on the reference
etcd, and kubectl against a whole reference apiserver. One rule per test, named in its docstring;
the messages are upstream's (ToStatusErr, ErrCallingWebhook, NewDryRunUnsupportedErr)."""
from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Callable

import pytest

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)
from reference_impl.machinery.certutil import issue_serving_cert, new_ca
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.adapter.webhookclient import WebhookClient
from reference_impl.apiserver.core import webhooks
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.kinds import find
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, call, etcd  # noqa: F401 (etcd: a fixture)

GROUP = "/apis/admissionregistration.k8s.io/v1"
SERVICE_NAME = "hooks.webhooks.svc"  # the name a Service-backed webhook's certificate must carry
Answer = Callable[[dict], tuple[int, object]]  # an AdmissionReview request -> HTTP code and body


def allow(request: dict, **response) -> dict:
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": {"uid": request["uid"], "allowed": True, **response}}


def json_patch(*operations: dict) -> str:
    return base64.b64encode(json.dumps(list(operations)).encode()).decode()


class WebhookServer:
    """An HTTPS server whose paths answer as `answers` says, recording every review it is sent."""

    def __init__(self, tmp_path, answers: dict[str, Answer]) -> None:
        self.ca = new_ca("webhook test CA")
        serving = issue_serving_cert(self.ca, dns_names=("localhost", SERVICE_NAME), ips=("127.0.0.1",))
        (tmp_path / "hook.crt").write_bytes(serving.cert_pem)
        (tmp_path / "hook.key").write_bytes(serving.key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "hook.crt", tmp_path / "hook.key")
        self.answers, self.reviews, self.bodies = answers, [], []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                review = json.loads(body)
                server.reviews.append((self.path, review))
                server.bodies.append(body)
                code, body = server.answers[self.path.split("?")[0]](review["request"])
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain" if isinstance(body, bytes) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def client_config(self, path: str, ca_pem: bytes | None = None) -> dict:
        return {"url": f"https://127.0.0.1:{self.port}{path}",
                "caBundle": base64.b64encode(ca_pem or self.ca.cert_pem).decode()}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def slow(request: dict) -> tuple[int, dict]:
    time.sleep(1.5)
    return 200, allow(request)


ANSWERS: dict[str, Answer] = {
    "/allow": lambda r: (200, allow(r)),
    "/deny": lambda r: (200, {**allow(r), "response": {"uid": r["uid"], "allowed": False,
                                                       "status": {"code": 403, "message": "no configmaps named bad"}}}),
    "/deny-silently": lambda r: (200, {**allow(r), "response": {"uid": r["uid"], "allowed": False}}),
    "/label": lambda r: (200, allow(r, patchType="JSONPatch", patch=json_patch(
        {"op": "add", "path": "/metadata/labels", "value": {"stamped": "yes"}}))),
    "/merge-patch": lambda r: (200, allow(r, patchType="Merge", patch=json_patch({"op": "remove", "path": "/data"}))),
    "/warn": lambda r: (200, allow(r, warnings=["configmaps are old-fashioned"])),
    "/wrong-uid": lambda r: (200, allow({"uid": "not-the-request"})),
    "/crash": lambda r: (500, b"boom"),
    "/crash-json": lambda r: (500, {"oops": True}),
    "/slow": slow,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = WebhookServer(tmp_path_factory.mktemp("webhook"), ANSWERS)
    yield server
    server.close()


@pytest.fixture
def registry(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    yield registry
    for plural in ("validatingwebhookconfigurations", "mutatingwebhookconfigurations"):
        for config in registry.list(plural)["items"]:
            registry.delete(plural, None, config["metadata"]["name"])
    registry.close()


@pytest.fixture
def chain(registry, request, server):
    namespace = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    chain = HandlerChain(registry, admission=new_admission_chain(registry, webhook_call=WebhookClient(registry)),
                         now=lambda: NOW + 90)
    chain.namespace = namespace
    assert call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": namespace, "labels": {"team": "a"}}})[0] == 201
    server.reviews.clear()
    return chain


def hook(client_config: dict, name: str = "check.example.com", resources: tuple[str, ...] = ("configmaps",),
         **fields) -> dict:
    return {"name": name, "clientConfig": client_config, "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "rules": [{"operations": ["CREATE", "UPDATE", "DELETE"], "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": list(resources)}], **fields}


def register(chain, kind: str, *hooks: dict, name: str = "test-hooks") -> None:
    plural = kind.lower() + "s"
    code, body = call(chain, "POST", f"{GROUP}/{plural}", {"apiVersion": "admissionregistration.k8s.io/v1",
                                                           "kind": kind, "metadata": {"name": name},
                                                           "webhooks": list(hooks)})
    assert code == 201, body


def configmap(chain, name: str = "settings", **labels) -> tuple[int, dict]:
    return call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/configmaps",
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels},
                 "data": {"a": "1"}})


def test_a_mutating_webhooks_json_patch_is_stored(chain, server):
    """The object the webhook returns a JSONPatch for is stored patched."""
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/label")))
    code, created = configmap(chain)
    assert code == 201, created
    assert created["metadata"]["labels"] == {"stamped": "yes"}


def test_the_review_describes_the_request(chain, server):
    """CreateV1AdmissionReview: a uid, the kind and resource (also as requested), the name and
    namespace, the operation, who asks, the object, dryRun and the operation's options; the
    REST client tells the webhook its timeout."""
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow"), timeoutSeconds=7))
    assert configmap(chain)[0] == 201
    (path, review), = server.reviews
    request = review["request"]
    assert (review["apiVersion"], review["kind"], path) == ("admission.k8s.io/v1", "AdmissionReview", "/allow?timeout=7s")
    assert request["kind"] == request["requestKind"] == {"group": "", "version": "v1", "kind": "ConfigMap"}
    assert request["resource"] == request["requestResource"] == {"group": "", "version": "v1", "resource": "configmaps"}
    assert (request["name"], request["namespace"], request["operation"]) == ("settings", chain.namespace, "CREATE")
    assert request["object"]["data"] == {"a": "1"} and request["oldObject"] is None
    assert request["dryRun"] is False and request["options"] == {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
    assert len(request["uid"]) == 36


def test_the_review_is_written_as_go_encodes_it(chain, server):
    """The REST client writes the review with the JSON serializer: compact, kind before apiVersion,
    a newline after (json.Encoder), and the object in its Go struct's order even once a mutating
    webhook's patch added a field (the real 1.24 server sent a validating webhook
    `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":...` and the
    object's labels after its creationTimestamp)."""
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/label")))
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow")))
    code, created = call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/configmaps",
                         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ordered"}, "data": {"a": "1"}})
    assert code == 201, created
    body = server.bodies[-1]
    assert body.startswith(b'{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"')
    assert body.endswith(b"}}\n")
    sent = server.reviews[-1][1]["request"]["object"]
    assert list(sent) == ["kind", "apiVersion", "metadata", "data"]
    assert list(sent["metadata"]) == ["name", "namespace", "uid", "creationTimestamp", "labels", "managedFields"]


def test_a_mutating_webhook_is_sent_the_created_object_as_go_encodes_its_struct(chain, server):
    """The first webhook of a create is sent the decoded object as Go encodes its struct: fields in
    the struct's order, a map's keys sorted, no namespace yet (the Store's BeforeCreate fills it in
    after mutating admission). The real 1.24 server sent `"metadata":{"name":"c","creationTimestamp":
    null,"annotations":{"a":"2","z":"1"},"managedFields":[...]},"data":{"a":"2","b":"1"}` for this body."""
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/allow")))
    code, created = call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/configmaps",
                         {"apiVersion": "v1", "kind": "ConfigMap", "data": {"b": "1", "a": "2"},
                          "metadata": {"annotations": {"z": "1", "a": "2"}, "name": "c"}})
    assert code == 201 and created["metadata"]["namespace"] == chain.namespace
    sent = server.reviews[-1][1]["request"]["object"]
    assert list(sent) == ["kind", "apiVersion", "metadata", "data"]
    assert list(sent["metadata"]) == ["name", "creationTimestamp", "annotations", "managedFields"]
    assert (list(sent["metadata"]["annotations"]), list(sent["data"])) == (["a", "z"], ["a", "b"])


def test_a_merge_patch_sends_the_patched_maps_keys_sorted(chain, server):
    """An update's object is the struct the patch decoded into: a key the patch added to a map is
    sent in its sorted place (the real 1.24 server: `"data":{"a":..,"b":..,"c":..,"u":..}`)."""
    call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/configmaps",
         {"metadata": {"name": "c"}, "data": {"u": "1", "a": "2"}})
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/allow")))
    code, _ = call(chain, "PATCH", f"/api/v1/namespaces/{chain.namespace}/configmaps/c", {"data": {"c": "3"}},
                   content_type="application/merge-patch+json")
    assert code == 200
    assert list(server.reviews[-1][1]["request"]["object"]["data"]) == ["a", "c", "u"]


def test_a_delete_sends_its_body_options_as_the_meta_v1_struct(chain, server):
    """DeleteOptions decoded from a body are sent converted to meta.k8s.io/v1, in the struct's
    order, whatever apiVersion and order the client wrote (the real 1.24 server sent
    `{"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1","gracePeriodSeconds":0,
    "propagationPolicy":"Background"}` for this body)."""
    assert configmap(chain, "doomed")[0] == 201
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow")))
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background", "gracePeriodSeconds": 0}
    assert call(chain, "DELETE", f"/api/v1/namespaces/{chain.namespace}/configmaps/doomed", body)[0] == 200
    options = server.reviews[-1][1]["request"]["options"]
    assert list(options.items()) == [("kind", "DeleteOptions"), ("apiVersion", "meta.k8s.io/v1"),
                                     ("gracePeriodSeconds", 0), ("propagationPolicy", "Background")]


def test_a_custom_resource_is_sent_as_an_unstructured_map_with_sorted_keys(chain, server):
    """A custom resource is a map, which encoding/json writes with every object's keys sorted,
    managedFields entries too (the real 1.24 server sent a created widget's metadata as
    `{"creationTimestamp":null,"managedFields":[{"apiVersion":..,"fieldsType":..,"fieldsV1":..,
    "manager":..,"operation":..,"time":..}],"name":"w"}`)."""
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gizmos.hooks.example.com"},
           "spec": {"group": "hooks.example.com", "scope": "Namespaced",
                    "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {"type": "object", "properties": {
                            "size": {"type": "integer"}, "colour": {"type": "string"}}}}}}}]}}
    assert call(chain, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)[0] == 201
    try:
        register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/allow"), rules=[
            {"operations": ["CREATE"], "apiGroups": ["hooks.example.com"], "apiVersions": ["v1"],
             "resources": ["gizmos"]}]))
        code, _ = call(chain, "POST", f"/apis/hooks.example.com/v1/namespaces/{chain.namespace}/gizmos",
                       {"kind": "Gizmo", "apiVersion": "hooks.example.com/v1", "metadata": {"name": "w"},
                        "spec": {"size": 1, "colour": "red"}})
        assert code == 201
        sent = server.reviews[-1][1]["request"]["object"]
        assert list(sent) == ["apiVersion", "kind", "metadata", "spec"] and list(sent["spec"]) == ["colour", "size"]
        assert list(sent["metadata"]) == ["creationTimestamp", "managedFields", "name"]
        assert list(sent["metadata"]["managedFields"][0]) == ["apiVersion", "fieldsType", "fieldsV1", "manager",
                                                               "operation", "time"]
    finally:
        call(chain, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.hooks.example.com")


def test_a_dry_run_sends_the_clients_options(chain, server):
    """The options are the ones the client gave (fieldManager, dryRun), as CreateOptions."""
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow")))
    code, _ = call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/configmaps",
                   {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}},
                   query={"dryRun": "All", "fieldManager": "me"})
    request = server.reviews[-1][1]["request"]
    assert (code, request["dryRun"], request["options"]) == (201, True, {
        "kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "dryRun": ["All"], "fieldManager": "me"})


def test_a_delete_sends_the_stored_object_as_the_old_one(chain, server):
    """Both phases of a delete send no object and the stored one as oldObject, with the DeleteOptions given."""
    assert configmap(chain, "doomed")[0] == 201
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/allow")))
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow")))
    code, _ = call(chain, "DELETE", f"/api/v1/namespaces/{chain.namespace}/configmaps/doomed",
                   query={"propagationPolicy": "Background"})
    assert code == 200
    assert [(r["request"]["operation"], r["request"]["object"], r["request"]["oldObject"]["metadata"]["name"],
             r["request"]["options"]) for _, r in server.reviews] == 2 * [
        ("DELETE", None, "doomed", {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1",
                                    "propagationPolicy": "Background"})]


def test_a_mutating_webhook_is_sent_the_defaulted_object(chain, server):
    """Decoding defaults the object before admission: a pod's restartPolicy is there for the webhook,
    and a creationTimestamp not yet set is sent as null, as Go encodes it."""
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/allow"), resources=("pods",)))
    call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/serviceaccounts",
         {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}})
    code, created = call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/pods",
                         {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                          "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    assert code == 201, created
    sent = server.reviews[-1][1]["request"]["object"]
    assert (sent["spec"]["restartPolicy"], sent["metadata"]["creationTimestamp"]) == ("Always", None)


def test_a_namespace_request_names_the_namespace_as_its_own(chain, server):
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow"), resources=("namespaces",)))
    assert call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": f"{chain.namespace}-x"}})[0] == 201
    request = server.reviews[-1][1]["request"]
    assert request["namespace"] == request["name"] == f"{chain.namespace}-x"


def test_a_refusal_carries_the_webhooks_code_and_message(chain, server):
    """ToStatusErr: the webhook's status code, its message after `admission webhook "NAME" denied the request`."""
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/deny"), name="deny.example.com"))
    code, status = configmap(chain)
    assert (code, status["message"]) == (403, 'admission webhook "deny.example.com" denied the request: '
                                              "no configmaps named bad")


def test_a_refusal_without_status_is_a_400_without_explanation(chain, server):
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/deny-silently"), name="quiet.example.com"))
    code, status = configmap(chain)
    assert (code, status["message"]) == (400, 'admission webhook "quiet.example.com" denied the request without '
                                              "explanation")


def test_a_webhook_that_cannot_be_reached_fails_the_request_unless_it_is_ignored(chain, server):
    """failurePolicy Fail: a 500 naming the webhook and Go's dial error; Ignore: the write goes on."""
    unreachable = {"url": "https://127.0.0.1:1/x", "caBundle": server.client_config("/")["caBundle"]}
    register(chain, "ValidatingWebhookConfiguration", hook(unreachable, name="gone.example.com"))
    code, status = configmap(chain)
    assert (code, status["reason"], status["message"]) == (
        500, "InternalError", 'Internal error occurred: failed calling webhook "gone.example.com": failed to call '
                              'webhook: Post "https://127.0.0.1:1/x?timeout=10s": dial tcp 127.0.0.1:1: connect: '
                              "connection refused")
    register(chain, "ValidatingWebhookConfiguration", hook(unreachable, name="gone.example.com", failurePolicy="Ignore"),
             name="ignored")
    call(chain, "DELETE", f"{GROUP}/validatingwebhookconfigurations/test-hooks")
    assert configmap(chain)[0] == 201


def test_a_webhook_slower_than_its_timeout_fails_the_request(chain, server):
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/slow"), name="slow.example.com",
                                                         timeoutSeconds=1))
    code, status = configmap(chain)
    assert (code, status["message"]) == (
        500, f'Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post '
             f'"https://127.0.0.1:{server.port}/slow?timeout=1s": context deadline exceeded')


def test_the_serving_certificate_is_verified_against_the_ca_bundle(chain, server):
    other_ca = new_ca("another CA")
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/allow", other_ca.cert_pem),
                                                           name="ca.example.com"))
    code, status = configmap(chain)
    assert (code, status["message"]) == (
        500, f'Internal error occurred: failed calling webhook "ca.example.com": failed to call webhook: Post '
             f'"https://127.0.0.1:{server.port}/allow?timeout=10s": x509: certificate signed by unknown authority')


def test_an_answer_for_another_request_is_an_invalid_response(chain, server):
    """VerifyAdmissionResponse: the response's uid must be the request's."""
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/wrong-uid"), name="uid.example.com"))
    code, status = configmap(chain)
    uid = server.reviews[-1][1]["request"]["uid"]
    assert (code, status["message"]) == (
        500, f'Internal error occurred: failed calling webhook "uid.example.com": received invalid webhook response: '
             f'expected response.uid="{uid}", got "not-the-request"')


def test_a_patch_of_another_type_than_json_patch_is_a_failed_call(chain, server):
    register(chain, "MutatingWebhookConfiguration", hook(server.client_config("/merge-patch"), name="merge.example.com"))
    assert configmap(chain)[1]["message"] == (
        'Internal error occurred: failed calling webhook "merge.example.com": unsupported patch type "Merge"')


def test_an_error_answer_is_worded_as_the_rest_client_words_it(chain, server):
    """newUnstructuredResponseError: a 500 with a text body quotes the body."""
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/crash"), name="crash.example.com"))
    code, status = configmap(chain)
    assert (code, status["message"]) == (
        500, 'Internal error occurred: failed calling webhook "crash.example.com": failed to call webhook: an error '
             'on the server ("boom") has prevented the request from succeeding')


def test_an_error_answer_in_json_that_is_no_status_is_unknown(chain, server):
    """newUnstructuredResponseError quotes no body but a text/* one."""
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/crash-json"), name="crash.example.com"))
    assert configmap(chain)[1]["message"] == (
        'Internal error occurred: failed calling webhook "crash.example.com": failed to call webhook: an error on the '
        'server ("unknown") has prevented the request from succeeding')


def test_warnings_reach_the_client(chain, server, registry):
    register(chain, "ValidatingWebhookConfiguration", hook(server.client_config("/warn"), name="warn.example.com"))
    response = chain.handle(Request(
        "POST", f"/api/v1/namespaces/{chain.namespace}/configmaps", {},
        {"Content-Type": "application/json", "Accept": "application/json"},
        json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "warned"}}).encode()))
    assert (response.code, response.warnings) == (201, ["configmaps are old-fashioned"])


def test_selectors_choose_the_namespaces_and_objects_sent(chain, server):
    """namespaceSelector matches the namespace's labels, objectSelector the object's."""
    register(chain, "ValidatingWebhookConfiguration",
             hook(server.client_config("/deny"), name="other-team.example.com",
                  namespaceSelector={"matchLabels": {"team": "b"}}),
             hook(server.client_config("/deny"), name="protected.example.com",
                  objectSelector={"matchExpressions": [{"key": "protected", "operator": "Exists"}]}))
    assert configmap(chain, "open")[0] == 201
    code, status = configmap(chain, "locked", protected="yes")
    assert (code, status["message"].split(":")[0]) == (403, 'admission webhook "protected.example.com" denied the request')


def test_webhook_configurations_are_never_sent_to_webhooks(chain, server):
    """IsWebhookConfigurationResource: a webhook matching every resource still cannot refuse a
    change of the configurations, or it could lock itself in."""
    everything = hook(server.client_config("/deny"), name="all.example.com")
    everything["rules"] = [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}]
    register(chain, "ValidatingWebhookConfiguration", everything)
    assert call(chain, "DELETE", f"{GROUP}/validatingwebhookconfigurations/test-hooks")[0] == 200
    assert server.reviews == []


def behind_service(chain, server: "WebhookServer", path: str) -> dict:
    """A clientConfig naming the Service `hooks.webhooks` whose Endpoints are the test's server."""
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "webhooks"}})
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "hooks"},
               "spec": {"ports": [{"name": "https", "port": 443, "targetPort": server.port}]}}
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "hooks"},
                 "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"name": "https", "port": server.port}]}]}
    for plural, obj in (("services", service), ("endpoints", endpoints)):
        code, body = call(chain, "POST", f"/api/v1/namespaces/webhooks/{plural}", obj)
        assert code in (201, 409), body
    return {"service": {"namespace": "webhooks", "name": "hooks", "path": path},
            "caBundle": server.client_config("/")["caBundle"]}


def test_a_service_is_reached_at_its_endpoints_with_its_dns_name_verified(chain, server):
    """A service reference resolves to the Endpoints' first ready address on the port the service
    port targets; the certificate is checked for NAME.NAMESPACE.svc (the test's names hooks.webhooks.svc)."""
    client_config = behind_service(chain, server, "/deny")
    register(chain, "ValidatingWebhookConfiguration", hook(client_config, name="svc.example.com"))
    code, status = configmap(chain)
    assert (code, status["message"]) == (403, 'admission webhook "svc.example.com" denied the request: '
                                              "no configmaps named bad")
    assert server.reviews[-1][0] == "/deny?timeout=10s"


# --- the core, without sockets ----------------------------------------------------------------------

def attributes(operation: str = "CREATE", plural: str = "pods", namespace: str = "ns", subresource: str = "",
               dry_run: bool = False) -> SimpleNamespace:
    return SimpleNamespace(operation=operation, resource=find("", "v1", plural) or find("apps", "v1", plural),
                           subresource=subresource, namespace=namespace, name="x", obj={}, old_obj=None, user=None,
                           dry_run=dry_run, warnings=[], options={})


@pytest.mark.parametrize("rule,request_,matches", [
    ({"resources": ["pods"]}, attributes(), True),
    ({"resources": ["pods"]}, attributes(subresource="status"), False),
    ({"resources": ["pods/*"]}, attributes(subresource="status"), True),
    ({"resources": ["*/status"]}, attributes(subresource="status"), True),
    ({"resources": ["*"]}, attributes(subresource="status"), False),
    ({"resources": ["*/*"]}, attributes(subresource="status"), True),
    ({"resources": ["pods"], "operations": ["UPDATE"]}, attributes(), False),
    ({"resources": ["pods"], "scope": "Cluster"}, attributes(), False),
    ({"resources": ["namespaces"], "scope": "Cluster"}, attributes(plural="namespaces", namespace="ns"), True),
    ({"resources": ["namespaces"], "scope": "Namespaced"}, attributes(plural="namespaces", namespace="ns"), False),
    ({"resources": ["deployments"], "apiGroups": ["apps"]}, attributes(plural="deployments"), True),
])
def test_rules_match_operation_group_version_resource_subresource_and_scope(rule, request_, matches):
    full = {"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], **rule}
    assert webhooks.rule_matches(full, request_) is matches


def test_a_webhook_with_side_effects_is_not_called_in_a_dry_run():
    """A configuration stored before v1 may say sideEffects Some: a dry run may not call it, a 400
    whatever its failurePolicy."""
    config = {"metadata": {"name": "legacy"}, "webhooks": [
        {**hook({"url": "https://127.0.0.1:1/"}, name="effects.example.com", resources=("pods",)),
         "sideEffects": "Some", "failurePolicy": "Ignore"}]}
    calls = []
    plugin = webhooks.ValidatingWebhooks(SimpleNamespace(list=lambda plural: {"items": [config]}),
                                         lambda *args: calls.append(args))
    with pytest.raises(StatusError) as refused:
        plugin.validate(attributes(dry_run=True, namespace=""), {})
    assert (refused.value.code, refused.value.message, calls) == (
        400, 'admission webhook "effects.example.com" does not support dry run', [])


def test_kubectl_lists_describes_and_is_refused_by_a_webhook(reference_control_plane: Cluster, tmp_path):  # noqa: F811
    """kubectl apply creates and then changes a configuration, get prints NAME WEBHOOKS AGE,
    describe shows the webhook, and a refused create prints the webhook's message."""
    server = WebhookServer(tmp_path, ANSWERS)
    try:
        manifest = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                    "metadata": {"name": "kubectl-hooks"},
                    "webhooks": [hook(server.client_config("/deny"), name="deny.example.com")]}
        applied = reference_control_plane.kubectl("apply", "-f", "-", input=json.dumps(manifest))
        assert applied.stdout.strip() == \
            "validatingwebhookconfiguration.admissionregistration.k8s.io/kubectl-hooks created", applied.stderr
        listed = reference_control_plane.kubectl("get", "validatingwebhookconfigurations").stdout.splitlines()
        assert listed[0].split() == ["NAME", "WEBHOOKS", "AGE"]
        assert listed[1].split()[:2] == ["kubectl-hooks", "1"]
        described = reference_control_plane.kubectl("describe", "validatingwebhookconfiguration", "kubectl-hooks")
        assert "deny.example.com" in described.stdout and "Failure Policy:  Fail" in described.stdout, described.stderr
        manifest["webhooks"][0]["timeoutSeconds"] = 5  # a strategic merge patch of the list merged by name
        reapplied = reference_control_plane.kubectl("apply", "-f", "-", input=json.dumps(manifest))
        assert reapplied.stdout.strip() == \
            "validatingwebhookconfiguration.admissionregistration.k8s.io/kubectl-hooks configured", reapplied.stderr
        stored = json.loads(reference_control_plane.kubectl("get", "validatingwebhookconfiguration", "kubectl-hooks",
                                                            "-o", "json").stdout)
        assert (stored["metadata"]["generation"], stored["webhooks"][0]["timeoutSeconds"]) == (2, 5)
        for _ in range(50):  # the server's informer sees the new configuration a moment later
            refused = reference_control_plane.kubectl("create", "configmap", "bad", "-n", "default")
            if refused.returncode != 0:
                break
            reference_control_plane.kubectl("delete", "configmap", "bad", "-n", "default")
            time.sleep(0.1)
        assert refused.stderr.strip() == ('error: failed to create configmap: admission webhook "deny.example.com" '
                                          "denied the request: no configmaps named bad")
    finally:
        reference_control_plane.kubectl("delete", "validatingwebhookconfiguration", "kubectl-hooks")
        server.close()


def labelling_plugin(*hooks: tuple[str, str, str]) -> tuple[webhooks.MutatingWebhooks, list[str]]:
    """A mutating plugin of webhooks (name, reinvocationPolicy, label each adds) answered in
    process, and the names in the order they are called."""
    config = {"metadata": {"name": "labellers"}, "webhooks": [
        {**hook({"url": "https://in-process/"}, name=name, resources=("pods",)), "reinvocationPolicy": policy}
        for name, policy, _ in hooks]}
    labels_added = {name: label for name, _, label in hooks}
    called = []

    def answer(webhook: webhooks.Webhook, review: dict, timeout: float) -> dict:
        called.append(webhook.name)
        request = review["request"]
        present = (request["object"]["metadata"].get("labels") or {})
        if labels_added[webhook.name] in present:
            return allow(request)
        patch = {"op": "add", "path": "/metadata/labels", "value": {**present, labels_added[webhook.name]: "y"}}
        return allow(request, patchType="JSONPatch", patch=json_patch(patch))
    registry = SimpleNamespace(list=lambda plural: {"items": [config]})
    return webhooks.MutatingWebhooks(registry, answer, new_uid=lambda: "uid"), called


def test_an_if_needed_webhook_is_called_again_when_a_later_one_changes_the_object():
    """reinvocationPolicy IfNeeded: a webhook whose output a later webhook changed is called once more."""
    plugin, called = labelling_plugin(("first.example.com", "IfNeeded", "a"), ("second.example.com", "Never", "b"))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}
    admitted = plugin.admit(attributes(namespace=""), pod)
    assert (called, admitted["metadata"]["labels"]) == (
        ["first.example.com", "second.example.com", "first.example.com"], {"a": "y", "b": "y"})


def test_a_never_webhook_is_called_once():
    plugin, called = labelling_plugin(("first.example.com", "Never", "a"), ("second.example.com", "IfNeeded", "b"))
    plugin.admit(attributes(namespace=""), {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                           "spec": {"containers": []}})
    assert called == ["first.example.com", "second.example.com"]
