"""The kubelet process's adapter (run.py) in hollow mode without sockets: a fake REST client, the pod
informer's store filled by hand. A pod event marks only its own node for the next sync; events are
counted on the Event written before; service account tokens are kept until due for refresh."""
from __future__ import annotations

import copy
import http.client
import io
import json
import resource
import socket
import sys
import threading
from pathlib import Path

import pytest

from reference_impl.client import APIStatusError
from reference_impl.client.cache import ResourceEventHandler
from reference_impl.kubelet.actions import PodKey, node_event, pod_event
from reference_impl.kubelet.errors import KubeletError
from reference_impl.kubelet import logserver, run as kubelet_run
from reference_impl.kubelet.run import ApiVolumeSources, KubeletRunner, NodeServing, raise_open_file_limit
from reference_impl.kubelet.volumes import VolumeSetUpError
from reference_impl.machinery.actions import Delete, Patch
from reference_impl.machinery.clock import ManualClock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "machinery"))
from panicking import exit_code_and_stderr  # noqa: E402


def plain(node_name: str) -> NodeServing:
    """Each node's API over plain HTTP, every request served."""
    return NodeServing(tls=None, auth=None)


class FakeClient:
    timeout = 30.0  # seconds, as RestClient's: the event recorder bounds its waits by it

    def __init__(self) -> None:
        self.patches: list[str] = []

    def request(self, method, path, body=None):
        return {"metadata": {"name": path.rsplit("/", 1)[1]}}  # a Lease GET finds one to renew

    def request_patch(self, path, patch):
        self.patches.append(path)
        return {}


def bound_pod(name: str, node: str) -> dict:
    return {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "pause"}]}}


CAPACITY = {"cpu": "4", "memory": "8Gi", "pods": "110"}


@pytest.fixture
def make_runner(tmp_path):
    """KubeletRunner over tmp_path, each node's API in plain HTTP; the listening sockets of every
    runner made are closed after the test."""
    made: list[KubeletRunner] = []

    def make(client, node_name: str, hollow_nodes: int, **kwargs) -> KubeletRunner:
        made.append(KubeletRunner(client, node_name, tmp_path, hollow_nodes, CAPACITY, serving=plain, **kwargs))
        return made[-1]
    yield make
    for runner in made:
        runner.close()


def hollow_runner(make_runner, nodes: int = 3) -> tuple[KubeletRunner, FakeClient]:
    client = FakeClient()
    runner = make_runner(client, "hollow", nodes)
    for kubelet in runner.kubelets.values():
        kubelet.node_registered()
    return runner, client


def test_a_pod_event_marks_only_its_node(make_runner):
    runner, _ = hollow_runner(make_runner)
    runner.pods.store.add(bound_pod("web", "hollow-1"))
    runner.pods.store.add({**bound_pod("pending", ""), "spec": {"containers": []}})
    assert runner.dirty == {"hollow-1"}
    moved = bound_pod("web", "hollow-2")
    runner.pods.store.update(moved)
    assert runner.dirty == {"hollow-1", "hollow-2"}


def test_syncing_a_node_reports_only_its_pods(make_runner):
    runner, client = hollow_runner(make_runner)
    runner.pods.store.add(bound_pod("a", "hollow-0"))
    runner.pods.store.add(bound_pod("b", "hollow-2"))
    runner.sync_nodes(["hollow-2"])
    assert [p for p in client.patches if "/pods/" in p] == ["/api/v1/namespaces/default/pods/b/status"]
    runner.sync_nodes(["hollow-0", "no-such-node"])
    assert [p for p in client.patches if "/pods/" in p][-1] == "/api/v1/namespaces/default/pods/a/status"


def test_a_node_whose_sync_returns_an_error_does_not_stop_the_others(make_runner, monkeypatch, capsys):
    """An error out of one node's sync that Go returns (here the runtime's OSError) is logged; the
    nodes after it are still synced."""
    runner, client = hollow_runner(make_runner)
    runner.pods.store.add(bound_pod("b", "hollow-2"))

    def broken():
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(runner.kubelets["hollow-0"], "sync_loop_iteration", broken)
    runner.sync_nodes(["hollow-0", "hollow-2"])
    assert "/api/v1/namespaces/default/pods/b/status" in client.patches
    assert "hollow-0" in capsys.readouterr().err


class LeaseStore:
    """A fake apiserver for Leases: GET, POST, and PUT that answers 409 on a stale resourceVersion."""

    def __init__(self) -> None:
        self.leases: dict[str, dict] = {}
        self.calls: list[str] = []

    def request(self, method, path, body=None):
        return copy.deepcopy(self._answer(method, path, body))  # decoded afresh, as off the wire

    def _answer(self, method, path, body):
        self.calls.append(method)
        if method == "POST":
            path = f"{path}/{body['metadata']['name']}"
            self.leases[path] = {**body, "metadata": {**body["metadata"], "resourceVersion": "1"}}
            return self.leases[path]
        current = self.leases.get(path)
        if current is None:
            raise APIStatusError(method, path, 404, {"code": 404})
        if method == "GET":
            return current
        if body["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise APIStatusError(method, path, 409, {"code": 409})
        rv = str(int(current["metadata"]["resourceVersion"]) + 1)
        self.leases[path] = {**body, "metadata": {**body["metadata"], "resourceVersion": rv}}
        return self.leases[path]

    def bump(self) -> None:
        """Another writer updates every Lease."""
        for lease in self.leases.values():
            lease["metadata"]["resourceVersion"] = str(int(lease["metadata"]["resourceVersion"]) + 1)


def test_lease_renewals_write_on_the_last_answer_without_a_get(make_runner):
    """As upstream's lease controller: GET then create the first time; after that one PUT on top of
    the Lease the last write returned; a conflict falls back to GET and PUT."""
    store = LeaseStore()
    runner = make_runner(store, "hollow", 1)
    kubelet = runner.kubelets["hollow-0"]
    runner._update_lease(kubelet.lease())
    assert store.calls == ["GET", "POST"]
    runner._update_lease(kubelet.lease())
    runner._update_lease(kubelet.lease())
    assert store.calls[2:] == ["PUT", "PUT"]
    (lease,) = store.leases.values()
    assert lease["metadata"]["resourceVersion"] == "3" and lease["spec"]["holderIdentity"] == "hollow-0"
    store.bump()
    runner._update_lease(kubelet.lease())
    assert store.calls[4:] == ["PUT", "GET", "PUT"]
    runner._update_lease(kubelet.lease())
    assert store.calls[7:] == ["PUT"]


class EventClient:
    """Records event writes and answers them as the apiserver would (the object back)."""

    timeout = 30.0  # seconds, as RestClient's: the event recorder bounds its waits by it

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []

    def request(self, method, path, body=None):
        self.calls.append((method, path, body))
        if path.endswith("/token"):
            return {"spec": {"expirationSeconds": body["spec"]["expirationSeconds"]},
                    "status": {"token": f"token-{len(self.calls)}"}}
        return copy.deepcopy(body)

    def request_patch(self, path, patch):
        self.calls.append(("PATCH", path, patch))
        return {"metadata": {"name": path.rsplit("/", 1)[1]}, **patch}


def test_a_repeated_event_is_counted_on_the_event_written_before(make_runner):
    """As client-go's correlator: the same reason and message again PATCHes count, not a new Event."""
    client = EventClient()
    runner = make_runner(client, "node-1", 0)
    event = pod_event(PodKey("ns", "web", "u1"), "Warning", "FailedMount", "configmap \"x\" not found")
    runner.perform(runner.kubelets["node-1"], [event, event, event])
    (post, *patches) = client.calls
    assert post[:2] == ("POST", "/api/v1/namespaces/ns/events")
    assert (post[2]["reason"], post[2]["count"], post[2]["source"]) == ("FailedMount", 1,
                                                                        {"component": "kubelet", "host": "node-1"})
    name = post[2]["metadata"]["name"]
    assert name.startswith("web.")
    assert [(m, p, b["count"]) for m, p, b in patches] == [("PATCH", f"/api/v1/namespaces/ns/events/{name}", 2),
                                                           ("PATCH", f"/api/v1/namespaces/ns/events/{name}", 3)]


def test_an_event_about_a_container_names_it_in_the_involved_object(make_runner):
    """GenerateContainerRef: the involvedObject of a container's event carries its fieldPath (the
    SUBOBJECT `kubectl get events -o wide` shows); an event about the pod has none."""
    client = EventClient()
    runner = make_runner(client, "node-1", 0)
    key = PodKey("ns", "web", "u1")
    runner.perform(runner.kubelets["node-1"], [pod_event(key, "Normal", "Started", "Started container c",
                                                         "spec.containers{c}"),
                                               pod_event(key, "Warning", "FailedMount", "timed out")])
    assert [body["involvedObject"].get("fieldPath") for _, _, body in client.calls] == ["spec.containers{c}", None]


def test_an_event_about_the_node_is_written_to_the_default_namespace(make_runner):
    """The kubelet's nodeRef is kind Node with the node's name as UID and no namespace; the
    recorder writes its events in `default`, named after the node."""
    client = EventClient()
    runner = make_runner(client, "node-1", 0)
    runner.perform(runner.kubelets["node-1"], [node_event("node-1", "Normal", "Starting", "Starting kubelet.")])
    ((method, path, body),) = client.calls
    assert (method, path) == ("POST", "/api/v1/namespaces/default/events")
    assert body["involvedObject"] == {"kind": "Node", "name": "node-1", "uid": "node-1"}
    assert body["metadata"]["name"].startswith("node-1.") and body["source"] == {"component": "kubelet",
                                                                                "host": "node-1"}


def test_a_pod_is_patched_through_status_and_deleted_at_once_for_its_uid_only(make_runner):
    """The status manager patches pods/<name>/status; the kubelet ends a graceful deletion with
    gracePeriodSeconds 0 and a uid precondition, so that a new pod of the same name survives."""
    client = EventClient()
    runner = make_runner(client, "node-1", 0)
    runner.perform(runner.kubelets["node-1"], [
        Patch("pods", "ns", "web", {"status": {"phase": "Succeeded"}}, "status"),
        Delete("pods", "ns", "web", grace_period_seconds=0, uid="u1")])
    assert client.calls == [
        ("PATCH", "/api/v1/namespaces/ns/pods/web/status", {"status": {"phase": "Succeeded"}}),
        ("DELETE", "/api/v1/namespaces/ns/pods/web", {"apiVersion": "v1", "kind": "DeleteOptions",
                                                      "gracePeriodSeconds": 0, "preconditions": {"uid": "u1"}})]


def test_a_restarted_kubelet_reads_its_node_and_records_it_ready_again(make_runner):
    """Registering finds the Node there (409): its status is read, brought up to date, and the
    Ready it had lost is recorded in a NodeReady event about the node."""

    class Registered(EventClient):
        def request(self, method, path, body=None):
            if (method, path) == ("POST", "/api/v1/nodes"):
                self.calls.append((method, path, body))
                raise APIStatusError(method, path, 409, {"message": 'nodes "node-1" already exists'})
            if method == "GET":
                self.calls.append((method, path, body))
                return {"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}
            return super().request(method, path, body)

    client = Registered()
    runner = make_runner(client, "node-1", 0)
    kubelet = runner.kubelets["node-1"]
    runner.perform(kubelet, kubelet.register_node())
    assert kubelet.registered
    assert [(method, path) for method, path, _ in client.calls if "/nodes" in path] == [
        ("POST", "/api/v1/nodes"), ("GET", "/api/v1/nodes/node-1"), ("PATCH", "/api/v1/nodes/node-1/status")]
    assert [body["reason"] for method, path, body in client.calls if path.endswith("/events")] == [
        "Starting", "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID",
        "NodeAllocatableEnforced", "NodeReady"]


def test_service_account_tokens_are_kept_until_most_of_their_lifetime_has_passed(tmp_path):
    """The token manager asks again once 80% of the token's lifetime is gone, not at each remount."""
    client, clock = EventClient(), ManualClock(1000.0)
    sources = ApiVolumeSources(client, clock)
    spec = {"audiences": [], "expirationSeconds": 3600, "boundObjectRef": {"uid": "u1"}}
    first = sources.service_account_token("ns", "default", spec)
    clock.advance(0.8 * 3600 - 1)
    assert sources.service_account_token("ns", "default", spec) == first
    clock.advance(1)
    assert sources.service_account_token("ns", "default", spec) != first
    assert [p for _, p, _ in client.calls] == ["/api/v1/namespaces/ns/serviceaccounts/default/token"] * 2


def test_a_refused_token_request_is_reported_in_the_status_words(tmp_path):
    """A Go StatusError prints its Status message: `serviceaccounts "robot" not found`."""

    class Refusing:
        def request(self, method, path, body=None):
            raise APIStatusError(method, path, 404, {"message": 'serviceaccounts "robot" not found'})

    spec = {"audiences": [], "expirationSeconds": 3600, "boundObjectRef": {"uid": "u1"}}
    sources = ApiVolumeSources(Refusing(), ManualClock(0.0))
    with pytest.raises(VolumeSetUpError, match='^serviceaccounts "robot" not found$'):
        sources.service_account_token("ns", "robot", spec)


def test_each_hollow_node_writes_as_itself(make_runner):
    """With a client per node (system:node:<name>, for the Node authorizer), a node's registration,
    Lease and pods' status go out through its own client, none through another node's."""
    clients: dict[str, FakeClient] = {}

    def node_client(name: str) -> FakeClient:
        return clients.setdefault(name, FakeClient())
    runner = make_runner(FakeClient(), "hollow", 3, node_client=node_client)
    for kubelet in runner.kubelets.values():
        kubelet.node_registered()
    runner.pods.store.add(bound_pod("b", "hollow-2"))
    runner.sync_nodes(["hollow-2"])
    assert "/api/v1/namespaces/default/pods/b/status" in clients["hollow-2"].patches
    assert clients["hollow-0"].patches == clients["hollow-1"].patches == []
    assert runner.clients["hollow-1"] is clients["hollow-1"]


class Registering(FakeClient):
    """Keeps each Node a registration POSTs."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, dict] = {}

    def request(self, method, path, body=None):
        if (method, path) == ("POST", "/api/v1/nodes"):
            self.nodes[body["metadata"]["name"]] = body
        return super().request(method, path, body)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_each_hollow_node_serves_its_own_api_on_the_port_its_status_reports(make_runner):
    """As each of kubemark's hollow kubelets runs its own server: the port a node reports in
    status.daemonEndpoints is its own, and what is served there (its pods, a pod's logs) is that
    node's, so `kubectl logs` of a pod on node 2 reaches node 2; another node knows no such pod."""
    client = Registering()
    runner = make_runner(client, "hollow", 3)
    for kubelet in runner.kubelets.values():
        runner.perform(kubelet, kubelet.register_node())
    ports = {name: node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] for name, node in client.nodes.items()}
    assert sorted(ports) == ["hollow-0", "hollow-1", "hollow-2"] and len(set(ports.values())) == 3
    runner.pods.store.add(bound_pod("web", "hollow-2"))
    runner.sync_nodes(["hollow-2"])
    runner.accept_loop.start()
    try:
        status, body = get(ports["hollow-2"], "/pods")
        assert status == 200 and [p["metadata"]["name"] for p in json.loads(body)["items"]] == ["web"]
        assert json.loads(get(ports["hollow-1"], "/pods")[1])["items"] is None  # Go's nil slice
        assert get(ports["hollow-1"], "/containerLogs/default/web/c") == (404, b'pod "web" does not exist')
        # node 2 has the pod: a hollow container has no log to serve, which it says as the kubelet does
        assert get(ports["hollow-2"], "/containerLogs/default/web/c") == (
            400, b'container "c" in pod "web" is not available')
    finally:
        runner.accept_loop.stop()


def open_file_limits(monkeypatch, soft: int, hard: int) -> list:
    """The process's RLIMIT_NOFILE as `raise_open_file_limit` reads it; what it sets is recorded."""
    set_to: list = []
    monkeypatch.setattr(kubelet_run.resource, "getrlimit", lambda which: (soft, hard))
    monkeypatch.setattr(kubelet_run.resource, "setrlimit", lambda which, limits: set_to.append(limits))
    return set_to


def test_the_soft_open_file_limit_is_lifted_to_the_hard_one_for_many_hollow_nodes(monkeypatch):
    """As Go programs do at start: a soft limit below what the nodes may use is raised to the hard one."""
    set_to = open_file_limits(monkeypatch, 1024, 65536)
    raise_open_file_limit(1000)
    assert set_to == [(65536, 65536)]


def test_a_hard_open_file_limit_below_the_hollow_nodes_listeners_is_refused_at_start(monkeypatch):
    """60 hollow nodes under a hard limit of 64: a listener each does not fit, which is said at
    once (the process used to run on, every node's registration failing on EMFILE)."""
    set_to = open_file_limits(monkeypatch, 64, 64)
    with pytest.raises(KubeletError, match=r"^--hollow-nodes 60 needs at least 124 open files \(a listening "
                                           r"socket per node\), more than the hard limit of 64 \(ulimit -Hn\)$"):
        raise_open_file_limit(60)
    assert set_to == []



def test_a_lone_kubelet_is_never_refused_for_its_open_file_limit(monkeypatch):
    """No hollow nodes, no listeners to count: "--hollow-nodes 0 needs at least 64" was said
    under a hard limit of 32."""
    open_file_limits(monkeypatch, 32, 32)
    raise_open_file_limit(0)


def test_a_failed_accept_loop_ends_the_kubelet_as_a_failed_server_does(make_runner, monkeypatch):
    """ListenAndServeKubeletServer exits the process once its server stops serving: when the one
    thread that accepts for every hollow node fails (here its epoll cannot be made, out of
    descriptors), the runner stops and says why instead of running on with no node reachable."""
    runner, _ = hollow_runner(make_runner)

    def no_epoll():
        raise OSError(24, "Too many open files")
    monkeypatch.setattr(logserver.selectors, "DefaultSelector", no_epoll)
    outcome: list = []

    def run() -> None:
        try:
            runner.run(io.StringIO())
        except KubeletError as error:
            outcome.append(str(error))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    runner.stop.set()
    assert outcome == ["Failed to listen and serve: [Errno 24] Too many open files"]


@pytest.mark.parametrize("error", [ValueError("not allowed to raise maximum limit"), PermissionError(1, "EPERM")])
def test_a_hard_open_file_limit_that_cannot_be_granted_is_ignored(monkeypatch, error):
    """As Go's os package at start: a hard limit setrlimit refuses (unlimited, on macOS and some
    containers) leaves the soft one as it was, no error."""
    def refuse(which, limits):
        raise error
    monkeypatch.setattr(kubelet_run.resource, "getrlimit", lambda which: (256, resource.RLIM_INFINITY))
    monkeypatch.setattr(kubelet_run.resource, "setrlimit", refuse)
    raise_open_file_limit(4096)


def test_closing_a_runner_that_never_ran_closes_each_nodes_listening_socket(make_runner):
    """Each node's API port is bound when the runner is made; close() frees them all."""
    runner = make_runner(FakeClient(), "hollow", 2)
    ports = [server.port for server in runner.log_servers.values()]
    runner.close()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_an_answer_cut_off_fails_its_action_only(make_runner, capsys):
    """A pod status patch whose answer is cut off mid-body (http.client.IncompleteRead, no
    OSError) is logged as a failed request, as a refused connection is; the actions after it are
    still sent."""

    class CutOff(FakeClient):
        def request_patch(self, path, patch):
            super().request_patch(path, patch)
            if path.endswith("/pods/first/status"):
                raise http.client.IncompleteRead(b"{", 10)
            return {}

    client = CutOff()
    runner = make_runner(client, "node-1", 0)
    runner.perform(runner.kubelets["node-1"], [
        Patch("pods", "default", "first", {"status": {}}, subresource="status"),
        Patch("pods", "default", "second", {"status": {}}, subresource="status")])
    assert client.patches == ["/api/v1/namespaces/default/pods/first/status",
                              "/api/v1/namespaces/default/pods/second/status"]
    assert "IncompleteRead" in capsys.readouterr().err


def test_a_pod_handler_that_raises_ends_the_process_with_a_panic(make_runner, monkeypatch, capsys):
    """The kubelet's pod source (config.NewSourceApiserver) is a Reflector whose Run loops under
    wait.BackoffUntil, whose HandleCrash logs "Observed a panic" and panics on: what it hands the
    pods to raising ends the kubelet with Go's `panic: VALUE [recovered]` (exit 2), not a log line."""
    monkeypatch.setattr(kubelet_run, "start_and_sync", lambda informers, stop, what: True)
    runner, _ = hollow_runner(make_runner, nodes=1)

    def unreadable(pod):
        raise KeyError("spec")
    runner.pods.store.add_event_handler(ResourceEventHandler(on_add=unreadable))
    code, err = exit_code_and_stderr("reference kubelet", runner.run, runner.stop,
                                     lambda: runner.pods.store.add(bound_pod("web", "hollow-0")))
    assert (code, err) == (2, "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n")
    assert "Observed a panic: KeyError('spec')" in capsys.readouterr().err


def test_a_node_sync_that_raises_a_bug_ends_the_process_with_a_panic(make_runner, monkeypatch, capsys):
    """A node's sync raising what Go would not return as an error (here a KeyError) is a panic
    under the HandleCrash of the pod workers and status loops it stands for: the kubelet ends with
    Go's `panic: VALUE [recovered]` (exit 2), not a log line and the next node."""
    monkeypatch.setattr(kubelet_run, "start_and_sync", lambda informers, stop, what: True)
    runner, client = hollow_runner(make_runner)

    def broken():
        raise KeyError("containers")
    monkeypatch.setattr(runner.kubelets["hollow-0"], "sync_loop_iteration", broken)
    code, err = exit_code_and_stderr("reference kubelet", runner.run, runner.stop)
    assert (code, err) == (2, "panic: KeyError('containers') [recovered]\n\tpanic: KeyError('containers')\n")
    assert "Observed a panic: KeyError('containers') ('containers')\nTraceback" in capsys.readouterr().err
