"""The pod requests a controller sends together (a slow start's batches of creates, a sync's
deletes) go over the kept-alive connections of the controller's client, as upstream's go over
its one transport: a batch reuses the connections the batches before it left idle, and of a large
batch's connections at most IDLE_CONNS_PER_HOST stay open."""
from __future__ import annotations

import io
import ssl
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "client"))
from tls_apiserver import CountingServer, JsonAnswers, tls_apiserver  # noqa: E402,F401 - the fixture

from reference_impl.client.flowcontrol import rate_limiter_for  # noqa: E402
from reference_impl.client.rest import IDLE_CONNS_PER_HOST  # noqa: E402
from reference_impl.controller_manager.podcontrol import DeletePods  # noqa: E402
from reference_impl.controller_manager import run as controller_manager_run  # noqa: E402
from reference_impl.controller_manager.run import ControllerManager, parse_args  # noqa: E402
from reference_impl.machinery.process import Process  # noqa: E402
from reference_impl.machinery.actions import Delete  # noqa: E402

BATCH = 500  # a ReplicaSet's burstReplicas, a Job's MaxPodCreateDeletePerSync


class PodAnswers(JsonAnswers):
    """A pod delete answered with a Success Status once its server's `together` deletes are in
    flight; the connection kept alive."""

    def do_DELETE(self) -> None:
        self.request_body()  # the DeleteOptions, read so that the connection's next request starts clean
        self.server.together.wait()
        self.send_json(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})


class CountingApiserver(CountingServer):
    """PodAnswers, counting the connections accepted and closed."""

    request_queue_size = BATCH  # the listen backlog: a batch's connections all at once are not refused

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(tls, PodAnswers)
        self.together = threading.Barrier(1)

    def hold_deletes(self, together: int) -> None:
        """Answer no delete until `together` are in flight (sent fewer at a time, none would be)."""
        self.together = threading.Barrier(together, timeout=60)


@pytest.fixture
def apiserver_and_client(tls_apiserver):
    return tls_apiserver(CountingApiserver)


def deletes(prefix: str, count: int) -> DeletePods:
    return DeletePods(tuple(Delete("pods", "default", f"{prefix}{i}") for i in range(count)))


def test_a_second_sync_reuses_the_connections_of_the_first(apiserver_and_client):
    """Two syncs of IDLE_CONNS_PER_HOST deletes, each all in flight at once: the first opens a
    connection per delete, the second none, as they stayed open for it."""
    server, client = apiserver_and_client
    manager = ControllerManager(client)
    server.hold_deletes(IDLE_CONNS_PER_HOST)
    assert manager.perform(deletes("p", IDLE_CONNS_PER_HOST))
    assert server.accepted == IDLE_CONNS_PER_HOST
    server.hold_deletes(IDLE_CONNS_PER_HOST)
    assert manager.perform(deletes("q", IDLE_CONNS_PER_HOST))
    assert server.accepted == IDLE_CONNS_PER_HOST


def test_a_sync_of_500_deletes_leaves_no_more_connections_open_than_kept_idle(apiserver_and_client):
    """A sync of 500 deletes, a hundred at a time in flight at least, opens a hundred connections
    or more; of them IDLE_CONNS_PER_HOST stay open: the next sync, IDLE_CONNS_PER_HOST + 1 deletes
    all in flight at once, opens exactly one."""
    server, client = apiserver_and_client
    manager = ControllerManager(client)
    server.hold_deletes(100)
    assert manager.perform(deletes("p", BATCH))
    assert server.accepted >= 100
    opened = server.accepted
    server.hold_deletes(IDLE_CONNS_PER_HOST + 1)
    assert manager.perform(deletes("q", IDLE_CONNS_PER_HOST + 1))
    assert server.accepted == opened + 1


def test_the_kube_api_flags_default_to_qps_20_and_burst_30():
    """kube-controller-manager 1.24 --help: "--kube-api-burst int32 ... (default 30)",
    "--kube-api-qps float32 ... (default 20)"; given, they are read."""
    args = parse_args(["--kubeconfig", "k"], {})
    assert (args.kube_api_qps, args.kube_api_burst) == (20.0, 30)
    args = parse_args(["--kubeconfig", "k", "--kube-api-qps=50.5", "--kube-api-burst", "100"], {})
    assert (args.kube_api_qps, args.kube_api_burst, args.no_effect) == (50.5, 100, [])


def test_the_deletes_of_a_sync_wait_on_the_default_rate_limit(apiserver_and_client):
    """Each delete's thread waits on the client's token bucket first, as a goroutine in
    Request.tryThrottle: with the defaults (QPS 20, burst 30), 30 of a sync's 60 deletes go at
    once and the others one each 1/20 s, so the sync takes 1.5 s however fast the server answers."""
    server, client = apiserver_and_client
    manager = default_rate_limited(client)
    started = time.monotonic()
    with manager.syncing("replicaset"):
        assert manager.perform(deletes("p", 60))
    assert time.monotonic() - started >= 1.4


def test_each_controller_waits_on_its_own_token_bucket(apiserver_and_client):
    """ClientBuilder.ClientOrDie gives each controller its own clientset, so its own QPS 20 /
    burst 30 bucket: a ReplicaSet sync's 30 deletes and then a Job sync's 30 go out in two bursts
    at once (one shared bucket would hold the Job's back 1.5 s)."""
    server, client = apiserver_and_client
    manager = default_rate_limited(client)
    started = time.monotonic()
    with manager.syncing("replicaset"):
        assert manager.perform(deletes("p", 30))
    with manager.syncing("job"):
        assert manager.perform(deletes("q", 30))
    assert time.monotonic() - started < 1.0


def test_the_two_queues_of_the_job_controller_share_its_token_bucket(apiserver_and_client):
    """The Job controller's orphan-pod queue sends on the Job controller's one clientset: after
    the Job queue's burst of 30, its 30 wait their turn at 20 a second."""
    server, client = apiserver_and_client
    manager = default_rate_limited(client)
    started = time.monotonic()
    with manager.syncing("job"):
        assert manager.perform(deletes("p", 30))
    with manager.syncing("job-orphan-pod"):
        assert manager.perform(deletes("q", 30))
    assert time.monotonic() - started >= 1.4


def default_rate_limited(client) -> ControllerManager:
    """A manager whose controllers each get the limiter of the default --kube-api-qps/-burst."""
    defaults = parse_args(["--kubeconfig", "k"], {})
    return ControllerManager(client, new_rate_limiter=lambda: rate_limiter_for(defaults.kube_api_qps,
                                                                               defaults.kube_api_burst))


def test_the_end_of_the_run_closes_the_kept_alive_connections(apiserver_and_client, monkeypatch):
    """When the controller-manager's run ends, the connections its controllers left idle are
    closed (the transport's CloseIdleConnections), not left for the apiserver to time out: the
    server sees each of a sync's three connections end."""
    server, client = apiserver_and_client
    monkeypatch.setattr(controller_manager_run, "load_client", lambda _kubeconfig: client)

    def one_sync(manager, _leader_elect, _out) -> None:
        with manager.syncing("replicaset"):
            assert manager.perform(deletes("p", 3))
    monkeypatch.setattr(ControllerManager, "run", one_sync)
    server.hold_deletes(3)
    args = parse_args(["--kubeconfig", "k", "--secure-port=0", "--leader-elect=false"], {})
    controller_manager_run.run(args, Process({}, threading.Event(), io.StringIO()))
    deadline = time.monotonic() + 10
    while server.closed < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (server.accepted, server.closed) == (3, 3)
