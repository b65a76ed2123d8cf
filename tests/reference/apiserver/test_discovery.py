"""Discovery, /version, health and OpenAPI: the documents kubectl reads before anything else.

The chain is called in-process (no registry is needed for these paths); the kubectl tests start
the server on a free loopback port and run every kubectl version installed (1.27 ... 1.33)."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from reference_impl.apiserver.core import discovery, openapi, openapi_proto, protobuf, schemas
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.adapter.server import APIServer, HandlerChain

KUBECTLS = sorted(Path("/usr/lib/google-cloud-sdk/bin").glob("kubectl.1.*"))


def get(path: str, accept: str = "application/json", query: dict | None = None):
    response = HandlerChain(registry=None).handle(Request("GET", path, query or {}, {"Accept": accept}))
    return response.code, response


def get_json(path: str, **kwargs) -> dict:
    code, response = get(path, **kwargs)
    assert code == 200, response.body
    return json.loads(response.body)


def test_api_lists_v1_and_apis_lists_groups():
    assert get_json("/api")["versions"] == ["v1"]
    groups = {g["name"]: g for g in get_json("/apis")["groups"]}
    assert {"apps", "coordination.k8s.io", "rbac.authorization.k8s.io", "authorization.k8s.io"} <= set(groups)
    assert groups["apps"]["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    assert get_json("/apis/apps")["kind"] == "APIGroup"


# What the real 1.24 kube-apiserver's /apis lists, in its order.
REAL_GROUP_ORDER = [
    "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling",
    "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
    "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"]


def test_apis_lists_groups_as_the_aggregator_orders_their_api_services():
    """The aggregator's own group first, then by group priority (apiVersionPriorities), ties by
    APIService name (admissionregistration before apiextensions); versions by version priority."""
    groups = get_json("/apis")["groups"]
    assert [g["name"] for g in groups] == REAL_GROUP_ORDER
    autoscaling = next(g for g in groups if g["name"] == "autoscaling")
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1", "v2beta1", "v2beta2"]
    assert autoscaling["preferredVersion"]["version"] == "v2"


def test_custom_resource_groups_follow_the_built_in_ones_ordered_by_api_service_name():
    """crdregistration gives every CRD version priorities 1000 and 100: its groups come last, each
    where its first APIService name sorts, its versions in Kubernetes' version order."""
    services = [discovery.api_service_order(group, version, custom=True) for group, version in
                (("a.example.com", "v1beta1"), ("b.example.com", "v1"), ("a.example.com", "v2"))]
    services.append(discovery.api_service_order("apps", "v1", custom=False))
    ordered = discovery.sorted_by_group_and_version(services)
    assert [[s.name for s in group] for group in ordered] == [
        ["v1.apps"], ["v1.b.example.com"], ["v2.a.example.com", "v1beta1.a.example.com"]]


# storageVersionHash of a few resources, as a real 1.24 server lists them: of the version etcd
# holds each in (the core group's as "/v1/Event", events.k8s.io's Events being core ones).
REAL_STORAGE_VERSION_HASHES = [
    ("apps/v1", "controllerrevisions", "85nkx63pcBU="), ("v1", "events", "r2yiGXH7wu8="),
    ("events.k8s.io/v1", "events", "r2yiGXH7wu8="), ("autoscaling/v2beta1", "horizontalpodautoscalers", "oQlkt7f5j/A="),
    ("policy/v1", "poddisruptionbudgets", "6BGBu0kpHtk="), ("storage.k8s.io/v1beta1", "csistoragecapacities", "4as6MA/kOg0=")]


@pytest.mark.parametrize("group_version,plural,expected", REAL_STORAGE_VERSION_HASHES)
def test_a_stored_resource_lists_the_hash_of_its_storage_version(group_version, plural, expected):
    path = f"/api/{group_version}" if group_version == "v1" else f"/apis/{group_version}"
    resources = {r["name"]: r for r in get_json(path)["resources"]}
    assert resources[plural]["storageVersionHash"] == expected


def test_built_in_resources_have_no_singular_name_and_what_is_not_stored_no_hash():
    """1.24 gives built-in kinds no singularName; reviews, bindings and subresources no hash; an
    APIResource's fields come in the Go struct's order (group and version before kind)."""
    core = {r["name"]: r for r in get_json("/api/v1")["resources"]}
    assert core["pods"]["singularName"] == "" and "storageVersionHash" not in core["bindings"]
    assert "storageVersionHash" not in core["pods/status"]
    reviews = get_json("/apis/authentication.k8s.io/v1")["resources"]
    assert [r.get("storageVersionHash") for r in reviews] == [None]
    scale = next(r for r in get_json("/apis/apps/v1")["resources"] if r["name"] == "deployments/scale")
    assert list(scale) == ["name", "singularName", "namespaced", "group", "version", "kind", "verbs"]


def test_core_resource_list_has_verbs_kinds_short_names_and_subresources():
    resources = {r["name"]: r for r in get_json("/api/v1")["resources"]}
    pods = resources["pods"]
    assert pods["kind"] == "Pod" and pods["namespaced"] and "po" in pods["shortNames"]
    assert {"get", "list", "watch", "create", "update", "patch", "delete"} <= set(pods["verbs"])
    assert resources["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert resources["pods/binding"] == {"name": "pods/binding", "singularName": "", "namespaced": True,
                                         "kind": "Binding", "verbs": ["create"]}
    assert resources["namespaces"]["namespaced"] is False


def test_pods_ephemeralcontainers_is_listed_for_get_patch_and_update():
    """EphemeralContainers is beta and on in 1.24: kubectl debug finds the subresource here."""
    resources = {r["name"]: r for r in get_json("/api/v1")["resources"]}
    assert resources["pods/ephemeralcontainers"] == {"name": "pods/ephemeralcontainers", "singularName": "",
                                                     "namespaced": True, "kind": "Pod",
                                                     "verbs": ["get", "patch", "update"]}


def test_namespaces_finalize_is_listed_for_update_only():
    """namespaces/finalize takes only a PUT upstream; discovery said get, the one verb its path
    never served."""
    finalize = {r["name"]: r for r in get_json("/api/v1")["resources"]}["namespaces/finalize"]
    assert (finalize["kind"], finalize["verbs"]) == ("Namespace", ["update"])


def test_scale_subresource_names_its_own_group_version():
    """deployments/scale is an autoscaling/v1 Scale, which discovery says explicitly."""
    scale = {r["name"]: r for r in get_json("/apis/apps/v1")["resources"]}["deployments/scale"]
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")


def test_resources_are_listed_sorted_by_path():
    """APIInstaller.Install registers a group version's storage paths sorted (sort.Strings), and
    discovery lists them in that order, subresources after their resource; `kubectl get all`
    prints its kinds in this order (daemonsets before deployments)."""
    for path in ("/api/v1", "/apis/apps/v1", "/apis/batch/v1", "/apis/rbac.authorization.k8s.io/v1"):
        names = [r["name"] for r in get_json(path)["resources"]]
        assert names == sorted(names), path
    assert [r["name"] for r in get_json("/apis/apps/v1")["resources"]][:4] == [
        "controllerrevisions", "daemonsets", "daemonsets/status", "deployments"]


def test_aggregated_discovery_accept_gets_plain_discovery():
    """kubectl 1.26+ asks for APIGroupDiscoveryList first and takes the plain list too."""
    accept = ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
    assert get_json("/apis", accept=accept)["kind"] == "APIGroupList"


@pytest.mark.parametrize("path", ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1"])
def test_discovery_is_protobuf_for_a_client_that_takes_only_protobuf(path):
    """WriteObjectNegotiated: the documents are in the codecs' protobuf too, their typeMeta the
    JSON's (the core resource list has no apiVersion)."""
    code, response = get(path, accept="application/vnd.kubernetes.protobuf")
    assert (code, response.content_type) == (200, "application/vnd.kubernetes.protobuf")
    assert protobuf.decode(response.body) == {"apiVersion": "", **get_json(path)}


def test_discovery_is_yaml_when_asked():
    code, response = get("/apis/apps", accept="application/yaml")
    assert (code, response.content_type) == (200, "application/yaml")
    assert yaml.safe_load(response.body) == get_json("/apis/apps")


@pytest.mark.parametrize("path", ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1"])
@pytest.mark.parametrize("accept", ["application/json;as=Table;g=meta.k8s.io;v=v1", "application/json;g=meta.k8s.io;v=v1",
                                    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
                                    "application/json;sv=v1", "application/yaml;stream=watch"])
def test_discovery_converts_to_nothing(path, accept):
    """DefaultEndpointRestrictions allow no conversion and no server version: any `as`, `g` or
    `v` (a Table, or a group and version without a kind) is a 406 listing the serializers."""
    code, response = get(path, accept=accept)
    assert (code, json.loads(response.body)["message"]) == (406, NEGOTIATION_406)


GO_RESTFUL_406 = "406: Not Acceptable"
NEGOTIATION_406 = ("only the following media types are accepted: application/json, application/yaml, "
                   "application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("path, accept, message", [
    ("/api", "text/html", GO_RESTFUL_406), ("/api/v1", "application/*", GO_RESTFUL_406),
    ("/apis/apps/v1", "text/html", GO_RESTFUL_406), ("/version", "text/plain", GO_RESTFUL_406),
    ("/apis", "text/html", NEGOTIATION_406), ("/apis/apps", "text/html", NEGOTIATION_406),
    ("/apis", "application/*", None), ("/apis/apps", "application/*", None)])
def test_a_discovery_route_refuses_what_it_does_not_produce(path, accept, message):
    """go-restful's own 406 for an Accept no route produces (a wildcard subtype is none; /version
    produces JSON only); /apis and /apis/<group> are the aggregator's plain handlers, where only
    the negotiation refuses, and application/* is JSON (as the real 1.24 server answers)."""
    response = get(path, accept=accept)[1]
    if message is None:
        assert (response.code, response.content_type) == (200, "application/json")
    else:
        assert (response.code, json.loads(response.body)["message"]) == (406, message)


@pytest.mark.parametrize("path", ["/api/v2", "/apis/apps/v1/frobs", "/apis/apps/v9", "/apis/apps/v9/deployments",
                                  "/api/v1/namespaces/default/pods/web/frobs"])
def test_a_miss_under_a_served_web_service_is_a_status_with_empty_details(path):
    """go-restful's miss: kubectl debug reads details.name of the 404 to tell a missing
    subresource from a missing pod, and panicked on a Status without details."""
    code, response = get(path)
    assert code == 404 and json.loads(response.body) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server could not find the requested resource", "reason": "NotFound", "details": {},
        "code": 404}


@pytest.mark.parametrize("path", ["/apis/foo", "/apis/foo/v1", "/apis/foo.io/v1/bars", "/nothing", "/openapi/v3",
                                  "/healthz/nothing"])
def test_a_path_no_server_routes_is_gos_plain_404(path):
    """http.NotFound, with http.Error's X-Content-Type-Options: nosniff (the real 1.24 sends it)."""
    code, response = get(path)
    assert (code, response.body, response.content_type) == (404, b"404 page not found\n", "text/plain; charset=utf-8")
    assert response.headers == (("X-Content-Type-Options", "nosniff"),)


def test_the_root_lists_the_served_paths():
    code, response = get("/")
    paths = json.loads(response.body)["paths"]
    assert code == 200 and response.body.startswith(b'{\n  "paths": [\n    "/api",\n')
    assert paths == sorted(paths)
    assert {"/api/v1", "/apis/apps", "/apis/apps/v1", "/healthz/etcd", "/readyz/informer-sync", "/metrics",
            "/openapi/v2", "/version"} <= set(paths)


def test_version():
    version = get_json("/version")
    assert (version["major"], version["minor"], version["gitVersion"]) == ("1", "24", "v1.24.0")


def test_the_core_resource_list_has_no_api_version_as_the_named_groups_lists_have():
    """What the real kube-apiserver 1.24 answers: /api/v1 starts {"kind":"APIResourceList","groupVersion":"v1",
    while /apis/apps/v1 carries "apiVersion":"v1"."""
    assert get_json("/api/v1").keys() >= {"kind", "groupVersion"} and "apiVersion" not in get_json("/api/v1")
    assert get_json("/apis/apps/v1")["apiVersion"] == "v1"


def test_version_is_written_indented_as_write_raw_json_writes_it():
    """The version handler writes with WriteRawJSON (json.MarshalIndent): indented, no newline after."""
    _, response = get("/version")
    assert response.body.startswith(b'{\n  "major": "1",\n  "minor": "24",\n') and response.body.endswith(b'"\n}')


@pytest.mark.parametrize("path", ["/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1"])
def test_a_discovery_document_ends_with_a_newline_and_is_indented_when_asked(path):
    """Discovery documents go through the negotiated serializer, as objects do."""
    _, response = get(path)
    assert response.body.endswith(b"}\n") and b"\n" not in response.body[:-1]
    _, response = get(path, query={"pretty": ["true"]})
    assert response.body.startswith(b'{\n  "kind": "') and response.body.endswith(b"\n}")


@pytest.mark.parametrize("path, nosniff", [("/healthz", True), ("/livez", True), ("/readyz", True),
                                           ("/readyz/ping", False)])
def test_health_endpoints(path, nosniff):
    """The root checks (handleRootHealth) send X-Content-Type-Options: nosniff, a single check
    does not, as the real 1.24 answered side by side."""
    code, response = get(path)
    assert (code, response.body) == (200, b"ok")
    assert (("X-Content-Type-Options", "nosniff") in response.headers) == nosniff


def test_verbose_readyz_lists_checks():
    code, response = get("/readyz", query={"verbose": [""]})
    assert code == 200 and b"[+]ping ok" in response.body and response.body.endswith(b"readyz check passed\n")


# What a real 1.24 kube-apiserver's /readyz?verbose lists, in its order.
REAL_READYZ_CHECKS = [
    "ping", "log", "etcd", "informer-sync", "poststarthook/start-kube-apiserver-admission-initializer",
    "poststarthook/generic-apiserver-start-informers", "poststarthook/priority-and-fairness-config-consumer",
    "poststarthook/priority-and-fairness-filter", "poststarthook/start-apiextensions-informers",
    "poststarthook/start-apiextensions-controllers", "poststarthook/crd-informer-synced",
    "poststarthook/bootstrap-controller", "poststarthook/rbac/bootstrap-roles",
    "poststarthook/scheduling/bootstrap-system-priority-classes", "poststarthook/priority-and-fairness-config-producer",
    "poststarthook/start-cluster-authentication-info-controller", "poststarthook/start-kube-aggregator-informers",
    "poststarthook/apiservice-registration-controller", "poststarthook/apiservice-status-available-controller",
    "poststarthook/kube-apiserver-autoregistration", "autoregister-completion",
    "poststarthook/apiservice-openapi-controller", "shutdown"]


def test_health_lists_every_post_start_hook_as_the_real_server_does():
    """/readyz has informer-sync and shutdown besides /livez's and /healthz's checks: the generic
    ones and one per post-start hook; each is a path of its own, listed in /."""
    readyz = get("/readyz", query={"verbose": [""]})[1].body.decode().splitlines()
    assert readyz == [f"[+]{check} ok" for check in REAL_READYZ_CHECKS] + ["readyz check passed"]
    livez = get("/livez", query={"verbose": [""]})[1].body.decode().splitlines()
    assert livez == [f"[+]{c} ok" for c in REAL_READYZ_CHECKS if c not in ("informer-sync", "shutdown")] + [
        "livez check passed"]
    assert get("/healthz/poststarthook/rbac/bootstrap-roles")[1].body == b"ok"
    assert get("/livez/shutdown")[0] == 404
    paths = get_json("/")["paths"]
    assert {"/logs", "/readyz/shutdown", "/healthz/autoregister-completion"} <= set(paths)


def test_openapi_v2_definitions_carry_gvk_and_patch_metadata():
    document = get_json("/openapi/v2")
    assert document["swagger"] == "2.0"
    pod = document["definitions"]["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    containers = document["definitions"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert "io.k8s.api.apps.v1.Deployment" in document["definitions"]
    for schema in document["definitions"].values():  # every reference resolves
        for ref in schemas.references(schema):
            assert ref in document["definitions"], ref


def test_openapi_v2_protobuf_when_asked_and_406_for_other_types():
    code, response = get("/openapi/v2", accept="application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
    assert code == 200 and response.body == openapi.swagger_protobuf()
    assert response.body.startswith(b"\x0a\x032.0")  # field 1 (swagger), "2.0"
    assert get("/openapi/v2", accept="application/xml")[0] == 406


def test_openapi_v2_is_served_as_http_serve_content_serves_it():
    """kube-openapi sets an ETag (the upper-case hex SHA-512 of the bytes, quoted) and hands the
    bytes to http.ServeContent: If-None-Match naming it (or `*`) is a 304 without a body, a Range
    a 206 of those bytes, a range past the end a 416; the JSON's sniffed type is text/plain."""
    chain = HandlerChain(registry=None)

    def send(headers, method="GET"):
        return chain.handle(Request(method, "/openapi/v2", {}, {"Accept": "application/json", **headers}))

    full = send({})
    data = openapi.swagger_json()
    etag = '"%s"' % hashlib.sha512(data).hexdigest().upper()
    assert (full.code, full.content_type, full.body) == (200, "text/plain; charset=utf-8", data)
    assert ("Etag", etag) in full.headers and ("Accept-Ranges", "bytes") in full.headers
    for tag in (etag, "*", f'"x", W/{etag}'):
        answer = send({"If-None-Match": tag})
        assert (answer.code, answer.body) == (304, b"")
    assert send({"If-None-Match": '"x"'}).code == 200
    assert send({"If-None-Match": etag}, "POST").code == 412
    part = send({"Range": "bytes=0-9"})
    assert (part.code, part.body) == (206, data[:10]) and ("Content-Range", f"bytes 0-9/{len(data)}") in part.headers
    assert send({"Range": "bytes=0-9", "If-Range": '"x"'}).code == 200
    assert send({"Range": f"bytes={len(data)}-"}).code == 416


def test_protobuf_varint_and_strings():
    assert openapi_proto.put(1, 0, 300) == b"\x08\xac\x02"  # key, then 300 as a varint
    assert openapi_proto._string(1, "hi") == b"\x0a\x02hi"
    assert openapi_proto._string(1, "") == b""


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory):
    server = APIServer(registry=None)
    server.start()
    path = tmp_path_factory.mktemp("kubectl") / "config"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": server.url}}],
        "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    yield path
    server.stop()


def kubectl(binary: Path, kubeconfig: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), f"--kubeconfig={kubeconfig}", *args], capture_output=True, text=True,
                          timeout=60, env={"HOME": str(kubeconfig.parent), "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(not KUBECTLS, reason="no kubectl.1.* under /usr/lib/google-cloud-sdk/bin")
@pytest.mark.parametrize("binary", KUBECTLS, ids=lambda p: p.name)
def test_kubectl_explain_and_api_resources(binary, kubeconfig):
    """explain reads /openapi/v2 (protobuf; after a 404 on /openapi/v3 in newer kubectls)."""
    explained = kubectl(binary, kubeconfig, "explain", "deployments.spec.template.spec.containers.ports")
    assert explained.returncode == 0, explained.stderr
    assert "containerPort" in explained.stdout and "KIND:" in explained.stdout
    listed = kubectl(binary, kubeconfig, "api-resources", "--api-group=apps")
    assert listed.returncode == 0, listed.stderr
    assert "deployments" in listed.stdout and "deploy" in listed.stdout


@pytest.mark.parametrize("binary", KUBECTLS, ids=lambda p: p.name)
def test_kubectl_explain_describes_a_volume_source_field_by_field(binary, kubeconfig):
    """A pod's volumes are described down to each source's fields, as the real server's are."""
    explained = kubectl(binary, kubeconfig, "explain", "pods.spec.volumes.emptyDir")
    assert explained.returncode == 0, explained.stderr
    assert "RESOURCE: emptyDir <Object>" in explained.stdout
    assert "medium\t<string>" in explained.stdout and "sizeLimit\t<string>" in explained.stdout


UNKNOWN_FIELD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  bogus: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      volumes: [{name: v, emptyDir: {}}]
      containers: [{name: web, image: nginx, livenessProbe: {httpGet: {path: /, port: 80}}}]
"""


@pytest.mark.skipif(not KUBECTLS, reason="no kubectl.1.* under /usr/lib/google-cloud-sdk/bin")
@pytest.mark.parametrize("binary", KUBECTLS, ids=lambda p: p.name)
def test_kubectl_client_side_validation_rejects_an_unknown_field(binary, kubeconfig):
    """With no fieldValidation support advertised, kubectl validates against /openapi/v2 itself: a field
    a described object lacks is an error, and the objects the schemas leave opaque accept anything."""
    result = subprocess.run([str(binary), f"--kubeconfig={kubeconfig}", "create", "-f", "-"], input=UNKNOWN_FIELD,
                            capture_output=True, text=True, timeout=60,
                            env={"HOME": str(kubeconfig.parent), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert 'unknown field "bogus" in io.k8s.api.apps.v1.DeploymentSpec' in result.stderr, result.stderr
    assert "volumes" not in result.stderr and "livenessProbe" not in result.stderr, result.stderr


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")
def test_kubectl_version_reads_version(kubeconfig):
    result = kubectl(Path(shutil.which("kubectl")), kubeconfig, "version", "-o", "json")
    assert json.loads(result.stdout)["serverVersion"]["gitVersion"] == "v1.24.0"


@pytest.mark.parametrize("method, path, code, body", [
    # Plain handlers on a mux answer any method as a GET.
    ("POST", "/healthz", 200, b"ok"), ("DELETE", "/readyz/ping", 200, b"ok"), ("PUT", "/apis", 200, None),
    ("PATCH", "/apis/apps", 200, None), ("DELETE", "/openapi/v2", 200, None), ("POST", "/", 200, None),
    # go-restful routes only GET, HEAD included; a path below a web service's root is its 404 Status.
    ("POST", "/version", 405, "the server does not allow this method on the requested resource"),
    ("HEAD", "/api", 405, None),
    ("PUT", "/api/v1", 405, "the server does not allow this method on the requested resource"),
    ("DELETE", "/apis/apps/v1", 405, "the server does not allow this method on the requested resource"),
    ("POST", "/version/x", 404, "the server could not find the requested resource"),
    # Nothing routes the rest.
    ("POST", "/bogus", 404, b"404 page not found\n"), ("PUT", "/healthz/bogus", 404, b"404 page not found\n"),
    ("DELETE", "/apis/bogus", 404, b"404 page not found\n"), ("PATCH", "/metrics/x", 404, b"404 page not found\n"),
])
def test_a_non_resource_path_answers_other_methods_as_its_handler_does(method, path, code, body):
    """As the real 1.24 server answers each (compared request by request), where every one was
    '<method> is not supported on resources of kind "<path>"'."""
    response = HandlerChain(registry=None).handle(Request(method, path, {}, {"Accept": "application/json"}))
    assert response.code == code
    if isinstance(body, bytes):
        assert response.body == body
    elif body is not None:
        assert json.loads(response.body)["message"] == body
