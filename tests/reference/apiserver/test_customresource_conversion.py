"""Conversion webhooks of CustomResourceDefinitions (spec.conversion.strategy Webhook): the CRD's
conversion stanza validated, a ConversionReview sent to a real HTTPS webhook started here whenever
a custom object is read or written in a version other than the one it is stored in, and the
webhook's answer checked, through the handler chain on the reference etcd and through kubectl
against a whole reference apiserver. One rule per test, named in its docstring; every text was
compared with the real kube-apiserver 1.24 (webhookConverter's)."""
from __future__ import annotations

import copy
import json

import pytest

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.adapter.webhookclient import WebhookClient
from tests.reference.apiserver.test_admission_webhooks import WebhookServer, behind_service
from tests.reference.apiserver.test_handlers import NOW, call, etcd, registry  # noqa: F401  (fixtures)

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
OPEN = {"schema": {"openAPIV3Schema": {"type": "object", "properties": {
    "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}
V1, V2 = "/apis/example.com/v1/namespaces/default/gizmos", "/apis/example.com/v2/namespaces/default/gizmos"


def converted(obj: dict, api_version: str) -> dict:
    """v1's spec.colour is v2's spec.color."""
    obj = copy.deepcopy(obj)
    spec = obj.setdefault("spec", {})
    old, new = ("colour", "color") if api_version.endswith("/v2") else ("color", "colour")
    if old in spec:
        spec[new] = spec.pop(old)
    obj["apiVersion"] = api_version
    return obj


def answer(request: dict, objects: list | None = None, **response) -> dict:
    objects = [converted(o, request["desiredAPIVersion"]) for o in request["objects"]] if objects is None else objects
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionReview",
            "response": {"uid": request["uid"], "result": {"status": "Success"}, "convertedObjects": objects,
                         **response}}


def each_converted(change):
    def answered(request: dict) -> tuple[int, dict]:
        objects = [converted(o, request["desiredAPIVersion"]) for o in request["objects"]]
        for obj in objects:
            change(obj)
        return 200, answer(request, objects)
    return answered


def relabelled(obj: dict) -> None:
    obj["metadata"].update(labels={"converted": "yes"}, generation=99)


ANSWERS = {
    "/convert": lambda r: (200, answer(r)),
    "/relabel": each_converted(relabelled),
    "/wrong-uid": lambda r: (200, {**answer(r), "response": {**answer(r)["response"], "uid": "not-the-request"}}),
    "/fail": lambda r: (200, answer(r, result={"status": "Failure", "message": "cannot convert that"})),
    "/fail-silently": lambda r: (200, answer(r, result={"status": "Failure"})),
    "/twice": lambda r: (200, answer(r, [converted(o, r["desiredAPIVersion"]) for o in r["objects"]] * 2)),
    "/other-kind": each_converted(lambda obj: obj.update(kind="Other")),
    "/other-version": lambda r: (200, answer(r, [converted(o, "example.com/v9") for o in r["objects"]])),
    "/renamed": each_converted(lambda obj: obj["metadata"].update(name="other")),
    "/bad-label": each_converted(lambda obj: obj["metadata"].update(labels={"a": "not valid!"})),
    "/number-label": each_converted(lambda obj: obj["metadata"].update(labels={"a": 5})),
    "/crash": lambda r: (500, b"boom"),
    "/untyped": lambda r: (200, {"response": answer(r)["response"]}),
    "/v1beta1-answer": lambda r: (200, {**answer(r), "apiVersion": "apiextensions.k8s.io/v1beta1"}),
    "/no-response": lambda r: (200, {"apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionReview"}),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = WebhookServer(tmp_path_factory.mktemp("conversion-webhook"), ANSWERS)
    yield server
    server.close()


def crd(conversion: dict, **spec) -> dict:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "gizmos.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced", "conversion": conversion,
                     "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                     "versions": [{"name": "v1", "served": True, "storage": True, **OPEN},
                                  {"name": "v2", "served": True, "storage": False, **OPEN}], **spec}}


def webhook(client_config: dict, *review_versions: str) -> dict:
    return {"strategy": "Webhook", "webhook": {"clientConfig": client_config,
                                               "conversionReviewVersions": list(review_versions or ("v1",))}}


def gizmo(name: str, version: str = "v1", **spec) -> dict:
    return {"apiVersion": f"example.com/{version}", "kind": "Gizmo",
            "metadata": {"name": name, "labels": {"keep": "me"}}, "spec": spec}


@pytest.fixture
def chain(registry, server):
    registry.conversion_webhook = WebhookClient(registry).conversion
    chain = HandlerChain(registry, now=lambda: NOW + 90)
    yield chain
    call(chain, "DELETE", f"{CRDS}/gizmos.example.com")


def served_through(chain, server, path: str, *review_versions: str) -> None:
    """The gizmos CRD converting through the webhook at `path`, and a v1 gizmo g1 (red) stored."""
    code, body = call(chain, "POST", CRDS, crd(webhook(server.client_config(path), *review_versions)))
    assert code == 201, body
    code, body = call(chain, "POST", V1, gizmo("g1", colour="red"))
    assert code == 201, body
    server.reviews.clear()


# --- the CRD's conversion stanza ------------------------------------------------------------------

@pytest.mark.parametrize("conversion,message", [
    ({"strategy": "Webhook"}, "[spec.conversion.webhookClientConfig: Required value: required when strategy is set "
                              "to Webhook, spec.conversion.conversionReviewVersions: Required value]"),
    ({"strategy": "Foo"}, 'spec.conversion.strategy: Unsupported value: "Foo": supported values: "None", "Webhook"'),
    ({"strategy": ""}, "spec.conversion.strategy: Required value"),
    ({"strategy": "None", "webhook": {"conversionReviewVersions": ["v1"],
                                      "clientConfig": {"url": "https://x.example.com"}}},
     "[spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook, "
     "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook]"),
    ({"strategy": "Webhook", "webhook": {"conversionReviewVersions": [], "clientConfig": {}}},
     "[spec.conversion.webhookClientConfig: Required value: exactly one of url or service is required, "
     "spec.conversion.conversionReviewVersions: Required value]"),
])
def test_the_conversion_stanza_is_validated_as_upstream_does(chain, conversion, message):
    """validateCustomResourceConversion, with the internal type's field names: webhookClientConfig
    and conversionReviewVersions beside the strategy."""
    code, status = call(chain, "POST", CRDS, crd(conversion))
    assert (code, status["message"]) == (422, 'CustomResourceDefinition.apiextensions.k8s.io "gizmos.example.com" '
                                              f"is invalid: {message}")


def test_a_webhook_service_is_validated_with_name_and_namespace_swapped(chain):
    """validateCustomResourceConversion passes the service's name as ValidateWebhookService's
    namespace: an empty name is reported as a missing namespace."""
    conversion = webhook({"service": {"name": "", "namespace": "ns", "port": 0}})
    code, status = call(chain, "POST", CRDS, crd(conversion))
    assert (code, status["details"]["causes"][0]["field"], status["details"]["causes"][0]["message"]) == (
        422, "spec.conversion.webhookClientConfig.service.namespace", "Required value: service namespace is required")


def test_review_versions_need_one_this_server_speaks(chain):
    """Distinct names, and at least one of v1 and v1beta1."""
    conversion = webhook({"url": "https://x.example.com"}, "v3", "v3")
    code, status = call(chain, "POST", CRDS, crd(conversion))
    assert (code, [c["message"] for c in status["details"]["causes"]]) == (422, [
        'Invalid value: "v3": duplicate version', 'Invalid value: []string{"v3", "v3"}: must include at least one of '
                                                  "v1, v1beta1"])


def test_webhook_conversion_needs_preserve_unknown_fields_off(chain):
    """A Webhook strategy must be None with spec.preserveUnknownFields, which v1 refuses anyway."""
    code, status = call(chain, "POST", CRDS, crd(webhook({"url": "https://x.example.com"}), preserveUnknownFields=True))
    assert (code, status["message"]) == (
        422, 'CustomResourceDefinition.apiextensions.k8s.io "gizmos.example.com" is invalid: '
             '[spec.conversion.strategy: Invalid value: "Webhook": must be None if spec.preserveUnknownFields is true, '
             "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-preserve-unknown-fields to "
             "true in spec.versions[*].schema instead]")


def test_a_webhook_services_port_defaults_to_443(chain):
    """SetDefaults_ServiceReference."""
    conversion = webhook({"service": {"name": "hooks", "namespace": "webhooks"}})
    code, created = call(chain, "POST", CRDS, crd(conversion))
    assert code == 201, created
    assert created["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["port"] == 443


# --- converting ---------------------------------------------------------------------------------

def test_reading_another_version_sends_a_conversion_review(chain, server):
    """createConversionReviewObjects: a v1 ConversionReview with a fresh uid, the desired
    apiVersion and the stored object, beside the empty response Go writes."""
    served_through(chain, server, "/convert")
    code, read = call(chain, "GET", f"{V2}/g1")
    assert (code, read["apiVersion"], read["spec"]) == (200, "example.com/v2", {"color": "red"})
    (path, review), = server.reviews
    assert (path, review["apiVersion"], review["kind"]) == ("/convert?timeout=30s", "apiextensions.k8s.io/v1", "ConversionReview")
    request = review["request"]
    assert len(request["uid"]) == 36 and request["desiredAPIVersion"] == "example.com/v2"
    (sent,) = request["objects"]
    assert (sent["apiVersion"], sent["spec"], sent["metadata"]["name"]) == ("example.com/v1", {"colour": "red"}, "g1")
    assert review["response"] == {"uid": "", "convertedObjects": None, "result": {"metadata": {}}}


def test_the_stored_version_is_read_without_the_webhook(chain, server):
    """An object already in the version asked for is not sent."""
    served_through(chain, server, "/convert")
    assert call(chain, "GET", f"{V1}/g1")[1]["spec"] == {"colour": "red"}
    assert server.reviews == []


def test_an_object_written_in_another_version_is_stored_converted(chain, server):
    """A v2 create is converted to the storage version v1 to be stored, and back for the answer."""
    served_through(chain, server, "/convert")
    code, created = call(chain, "POST", V2, gizmo("g2", "v2", color="blue"))
    assert (code, created["apiVersion"], created["spec"]) == (201, "example.com/v2", {"color": "blue"})
    assert [r["request"]["desiredAPIVersion"] for _, r in server.reviews] == ["example.com/v1", "example.com/v2"]
    assert call(chain, "GET", f"{V1}/g2")[1]["spec"] == {"colour": "blue"}


def test_a_list_in_another_version_converts_each_object(chain, server):
    """The list's items in the version asked for, each keeping its apiVersion and kind as an
    UnstructuredList's do, with an empty continue."""
    served_through(chain, server, "/convert")
    call(chain, "POST", V1, gizmo("g2", colour="blue"))
    code, listed = call(chain, "GET", V2)
    assert code == 200, listed
    assert [(i["apiVersion"], i["kind"], i["spec"]) for i in listed["items"]] == [
        ("example.com/v2", "Gizmo", {"color": "red"}), ("example.com/v2", "Gizmo", {"color": "blue"})]
    assert (listed["kind"], listed["metadata"]["continue"]) == ("GizmoList", "")


def test_only_labels_and_annotations_of_the_answer_are_kept(chain, server):
    """restoreObjectMeta: the original metadata comes back, with the labels the webhook answered."""
    served_through(chain, server, "/relabel")
    read = call(chain, "GET", f"{V2}/g1")[1]
    assert (read["metadata"]["labels"], read["metadata"]["generation"]) == ({"converted": "yes"}, 1)


@pytest.mark.parametrize("path,message", [
    ("/fail", "failed: cannot convert that"),
    ("/fail-silently", "failed: response.result.status was 'Failure', not 'Success'"),
    ("/twice", "returned 2 objects, expected 1"),
    ("/other-kind", "returned invalid object at index 0: invalid kind (expected Gizmo, received Other)"),
    ("/other-version", "returned invalid object at index 0: invalid groupVersion (expected example.com/v2, received "
                       "example.com/v9)"),
    ("/renamed", "returned invalid object: must have the same name: g1 != other"),
    ("/bad-label", "returned invalid metadata: metadata.labels: Invalid value: \"not valid!\": a valid label must be "
                   "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                   "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                   "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ("/number-label", "returned invalid metadata: metadata.labels[a] must be a string, but is int64 in converted "
                      "object"),
    ("/crash", 'failed: an error on the server ("boom") has prevented the request from succeeding'),
    ("/untyped", "failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got /, Kind="),
    ("/v1beta1-answer", "failed: converting (v1beta1.ConversionReview) to (v1.ConversionReview): unknown conversion"),
    ("/no-response", "failed: no response provided"),
])
def test_a_bad_answer_fails_the_read_with_upstreams_text(chain, server, path, message):
    """getConvertedObjectsFromResponse and the checks of the converted object: a plain error (500,
    no reason) naming the group, version and kind converted from."""
    served_through(chain, server, path)
    code, status = call(chain, "GET", f"{V2}/g1")
    assert (code, status.get("reason"), status["message"]) == (
        500, None, f"conversion webhook for example.com/v1, Kind=Gizmo {message}")


def test_an_answer_for_another_request_is_refused(chain, server):
    """A v1 answer must carry the request's uid."""
    served_through(chain, server, "/wrong-uid")
    status = call(chain, "GET", f"{V2}/g1")[1]
    uid = server.reviews[-1][1]["request"]["uid"]
    assert status["message"] == (f'conversion webhook for example.com/v1, Kind=Gizmo failed: expected response.uid="{uid}", '
                                 'got "not-the-request"')


def test_a_failed_write_names_the_version_written(chain, server):
    """Converting a v2 create for storage fails naming example.com/v2."""
    served_through(chain, server, "/fail")
    code, status = call(chain, "POST", V2, gizmo("g2", "v2", color="blue"))
    assert (code, status["message"]) == (500, "conversion webhook for example.com/v2, Kind=Gizmo failed: cannot "
                                              "convert that")


def test_v1beta1_reviews_are_sent_when_asked_for(chain, server):
    """The first conversionReviewVersion this server speaks: a v1beta1 answer is not checked for
    its uid; a v1 answer to it cannot be converted."""
    served_through(chain, server, "/wrong-uid", "v1beta1")
    code, read = call(chain, "GET", f"{V2}/g1")
    assert (code, server.reviews[-1][1]["apiVersion"]) == (500, "apiextensions.k8s.io/v1beta1")
    assert read["message"].endswith("converting (v1.ConversionReview) to (v1beta1.ConversionReview): unknown conversion")


def test_a_v1beta1_answer_to_a_v1beta1_review_converts(chain, server):
    """A v1beta1 review answered in kind is used as a v1 one is."""
    served_through(chain, server, "/v1beta1-answer", "v1beta1")
    assert call(chain, "GET", f"{V2}/g1")[1]["spec"] == {"color": "red"}


def test_a_webhook_that_is_down_fails_with_the_dial_error(chain, server):
    """The transport's error, as url.Error words it."""
    code, body = call(chain, "POST", CRDS, crd(webhook({**server.client_config("/convert"),
                                                        "url": "https://127.0.0.1:9/convert"})))
    assert code == 201, body
    call(chain, "POST", V1, gizmo("g1", colour="red"))
    status = call(chain, "GET", f"{V2}/g1")[1]
    assert status["message"] == ('conversion webhook for example.com/v1, Kind=Gizmo failed: Post '
                                 '"https://127.0.0.1:9/convert?timeout=30s": dial tcp 127.0.0.1:9: connect: connection refused')


def test_a_webhook_service_is_reached_at_its_endpoints(chain, server):
    """The admission webhooks' rule: the Service's Endpoints, its certificate checked for NAME.NAMESPACE.svc."""
    client_config = behind_service(chain, server, "/convert")
    assert call(chain, "POST", CRDS, crd(webhook(client_config)))[0] == 201
    call(chain, "POST", V1, gizmo("g1", colour="red"))
    assert call(chain, "GET", f"{V2}/g1")[1]["spec"] == {"color": "red"}
    # The webhook client manager's REST client sends its 30s timeout (seen from the real 1.24 server).
    assert server.reviews[-1][0] == "/convert?timeout=30s"


# --- kubectl --------------------------------------------------------------------------------------

def test_kubectl_gets_a_custom_object_in_another_version(reference_control_plane: Cluster, tmp_path):  # noqa: F811
    """`kubectl get gizmos.v2.example.com` reads v1-stored objects through the webhook."""
    kube, server = reference_control_plane, WebhookServer(tmp_path, ANSWERS)
    try:
        result = kube.kubectl("apply", "-f", "-", input=json.dumps(crd(webhook(server.client_config("/convert")))))
        assert result.returncode == 0, result.stderr
        result = kube.kubectl("apply", "-n", "default", "-f", "-", input=json.dumps(gizmo("g1", colour="red")))
        assert result.returncode == 0, result.stderr
        result = kube.kubectl("get", "gizmos.v2.example.com", "g1", "-n", "default", "-o", "json")
        assert result.returncode == 0, result.stderr
        read = json.loads(result.stdout)
        assert (read["apiVersion"], read["spec"]) == ("example.com/v2", {"color": "red"})
        result = kube.kubectl("get", "gizmos.v1.example.com", "g1", "-n", "default",
                              "-o", "jsonpath={.spec.colour}")
        assert result.stdout == "red"
    finally:
        kube.kubectl("delete", "crd", "gizmos.example.com")
        server.close()


def test_a_missing_webhook_service_is_named_as_its_lister_names_it(chain):
    """ResolveEndpoint reads the Service from a lister, whose NotFound names the resource in the
    singular; the converter's error wraps the POST's (seen from the real 1.24 server)."""
    client_config = {"service": {"namespace": "default", "name": "nowhere", "path": "/convert"}}
    assert call(chain, "POST", CRDS, crd(webhook(client_config)))[0] == 201
    code, status = call(chain, "POST", V2, gizmo("g1", "v2", colour="red"))
    assert (code, status["message"]) == (500, 'conversion webhook for example.com/v2, Kind=Gizmo failed: Post '
                                               '"https://nowhere.default.svc:443/convert?timeout=30s": service '
                                               '"nowhere" not found')
