"""`pods/exec`: the checks ExecREST.Connect and ExecLocation make before the upgrade is proxied,
the kubelet URL they write, and the proxy carrying an exec between a client and a kubelet."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver.adapter.server import APIServer, HandlerChain
from reference_impl.apiserver.core import discovery
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.podexec import UpgradeResponse
from reference_impl.apiserver.core.rbac import AttributesRecord
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.runtime import ExecTarget
from tests.reference.apiserver.test_handlers import POD, call, chain, etcd, ns_path, registry  # noqa: F401
from tests.reference.kubelet import execclient
from tests.reference.kubelet.execclient import STDERR, STDOUT

UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket"}


def scheduled(node="n1", containers=("web",)):
    return {**POD, "spec": {"nodeName": node, "containers": [{"name": c, "image": "nginx"} for c in containers]}}


def node(name="n1", port=10250):
    return {"metadata": {"name": name}, "status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                                                   "daemonEndpoints": {"kubeletEndpoint": {"Port": port}}}}


def exec_request(chain, query: dict, method="GET", headers=UPGRADE, user=None):
    request = Request(method, ns_path(chain, "pods", "web") + "/exec", query, headers)
    if user is not None:
        request.user = user
    return chain.handle(request)


def status_of(response):
    return response.code, json.loads(response.body)


def test_an_upgrade_goes_to_the_kubelets_exec_url_with_the_streams_as_1(chain):
    """ExecLocation: /exec/<ns>/<pod>/<container>, each stream asked for as "1" under the kubelet's
    name for it (core/v1 ExecStdinParam "input", ExecStdoutParam "output"), then the command."""
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    response = exec_request(chain, {"command": ["sh", "-c", "echo hi"], "stdout": ["true"], "stdin": ["1"],
                                    "stderr": ["false"]})
    assert isinstance(response, UpgradeResponse)
    assert (response.host, response.port) == ("127.0.0.1", 10250)
    assert response.path == f"/exec/{chain.namespace}/web/web?input=1&output=1&command=sh&command=-c&command=echo+hi"


@pytest.mark.parametrize("containers, container, message", [
    (("web",), "nope", "container nope is not valid for pod web"),
    (("a", "b"), "", "a container name must be specified for pod web, choose one of: [a b]"),
])
def test_the_container_must_be_the_pods(chain, containers, container, message):
    """validateContainer's 400s, in its words."""
    call(chain, "POST", ns_path(chain, "pods"), scheduled(containers=containers))
    code, status = status_of(exec_request(chain, {"container": [container], "command": ["ls"], "stdout": ["1"]}))
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_a_pod_without_a_node_has_no_host_to_exec_on(chain):
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = status_of(exec_request(chain, {"command": ["ls"], "stdout": ["1"]}))
    assert (code, status["message"]) == (400, "pod web does not have a host assigned")


@pytest.mark.parametrize("dry_run", ["All", "Bogus", ""])
def test_a_connect_subresource_cannot_be_dry_run(chain, dry_run):
    """ConnectResource refuses any dryRun (even an empty one) before it looks for the pod."""
    code, status = status_of(exec_request(chain, {"command": ["ls"], "dryRun": [dry_run]}))
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", "dryRun is not supported")


def test_a_request_that_does_not_upgrade_is_refused_after_the_checks(chain):
    """The UpgradeAwareHandler requires an upgrade; it only runs once Connect found the location."""
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    code, status = status_of(exec_request(chain, {"command": ["ls"], "stdout": ["1"]}, method="POST", headers={}))
    assert (code, status["message"]) == (400, "Upgrade request required")


def test_an_attach_goes_to_the_kubelets_attach_url_with_no_command(chain):
    """AttachLocation is ExecLocation's streamLocation with `attach` and PodAttachOptions, which
    have no command: a command in the query is not passed on."""
    call(chain, "POST", "/api/v1/nodes", node())
    call(chain, "POST", ns_path(chain, "pods"), scheduled())
    request = Request("GET", ns_path(chain, "pods", "web") + "/attach",
                      {"command": ["ls"], "stdin": ["true"], "stdout": ["1"], "tty": ["1"]}, UPGRADE)
    response = chain.handle(request)
    assert isinstance(response, UpgradeResponse)
    assert response.path == f"/attach/{chain.namespace}/web/web?input=1&output=1&tty=1"


def test_attach_is_discovered_with_its_kind_and_verbs(chain):
    resources = call(chain, "GET", "/api/v1")[1]["resources"]
    entry = next(r for r in resources if r["name"] == "pods/attach")
    assert (entry["kind"], entry["verbs"]) == ("PodAttachOptions", ["create", "get"])


def test_exec_is_discovered_with_its_kind_and_verbs():
    """pods/exec is listed as PodExecOptions with create and get (its POST and GET routes)."""
    assert discovery.SUBRESOURCES["exec"] == ("", "v1", "PodExecOptions", ["create", "get"])


class GetOnly:
    """An authorizer that allows every verb but `create`, whose denial it explains."""

    def __init__(self):
        self.asked: list[AttributesRecord] = []

    def authorize(self, attributes: AttributesRecord):
        self.asked.append(attributes)
        return attributes.verb != "create", "no create for you"


def test_a_websocket_get_must_also_be_allowed_to_create(registry):
    """ensureAuthorizedForVerb: a GET (WebSocket) is authorized as `get` by the filter, then again
    as `create`; a denial names the pod and the authorizer's reason only."""
    authorizer = GetOnly()
    guarded = HandlerChain(registry, authorizer=authorizer)
    guarded.namespace = "exec-authz"
    call(guarded, "POST", "/api/v1/namespaces", {"metadata": {"name": guarded.namespace}})
    call(guarded, "POST", ns_path(guarded, "pods"), scheduled())
    authorizer.asked.clear()
    code, status = status_of(exec_request(guarded, {"command": ["ls"], "stdout": ["1"]}))
    assert [(a.verb, a.resource, a.subresource) for a in authorizer.asked] == [("get", "pods", "exec"),
                                                                              ("create", "pods", "exec")]
    assert (code, status["reason"], status["message"]) == (403, "Forbidden", 'pods "web" is forbidden: no create for you')
    assert status["details"] == {"name": "web", "kind": "pods"}


# --- through the HTTP server to a kubelet ----------------------------------------------------

@pytest.fixture
def cluster(registry, tmp_path):
    """The apiserver over plain HTTP, and a kubelet exec server whose only container is ns/web/web."""
    server = APIServer(registry)
    server.start()
    target = ExecTarget({"PATH": "/usr/bin:/bin"}, str(tmp_path))
    pods = {}
    kubelet = LogServer(tmp_path, lambda ns, name: pods.get((ns, name)), lambda key, name: True,
                        exec_target=lambda key, name: target if name == "web" else None, tls=None, auth=None)
    kubelet.start()
    namespace = node_name = f"exec-live-{kubelet.port}"  # the etcd outlives the test: names of its own
    call(server.chain, "POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    call(server.chain, "POST", "/api/v1/nodes", node(node_name, kubelet.port))
    pod = {**scheduled(node_name, ("web", "sidecar")), "metadata": {"name": "web", "namespace": namespace}}
    created = call(server.chain, "POST", f"/api/v1/namespaces/{namespace}/pods", pod)[1]
    pods[(namespace, "web")] = created
    yield server, namespace
    kubelet.stop()
    server.stop()


def test_an_exec_streams_through_the_apiserver(cluster):
    server, namespace = cluster
    path = execclient.exec_path(f"/api/v1/namespaces/{namespace}/pods/web/exec",
                                ["sh", "-c", "echo out; echo err >&2; exit 3"], stdout=True, stderr=True)
    result = execclient.run("127.0.0.1", server.port, path + "&container=web")
    assert (result.code, result.protocol) == (101, "v5.channel.k8s.io")
    assert (result.channels[STDOUT], result.channels[STDERR]) == (b"out\n", b"err\n")
    assert result.status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]


def test_the_kubelets_refusal_reaches_the_client_as_the_kubelet_wrote_it(cluster):
    """A container that does not run: the kubelet's 500 text goes back unchanged (kubectl prints
    `unable to upgrade connection: container not found ("sidecar")`)."""
    server, namespace = cluster
    path = execclient.exec_path(f"/api/v1/namespaces/{namespace}/pods/web/exec", ["ls"], stdout=True)
    result = execclient.run("127.0.0.1", server.port, path + "&container=sidecar")
    assert (result.code, result.body) == (500, b'container not found ("sidecar")')


def test_a_kubelet_that_cannot_be_reached_is_a_500_status_in_gos_words(registry):
    server = APIServer(registry)
    server.start()
    try:
        chain = server.chain
        call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "exec-down"}})
        call(chain, "POST", "/api/v1/nodes", node("down", 1))
        pod = {**scheduled("down"), "metadata": {"name": "web", "namespace": "exec-down"}}
        call(chain, "POST", "/api/v1/namespaces/exec-down/pods", pod)
        path = execclient.exec_path("/api/v1/namespaces/exec-down/pods/web/exec", ["ls"], stdout=True)
        result = execclient.run("127.0.0.1", server.port, path)
        status = json.loads(result.body)
        # The real 1.24 apiserver's answer, reason and all (a plain error has StatusReasonUnknown).
        assert (result.code, status.get("reason"), status["message"]) == (
            500, None, "error dialing backend: dial tcp 127.0.0.1:1: connect: connection refused")
    finally:
        server.stop()
