"""Pod deletes sent all at once, as 1.24's manageReplicas sends the ReplicaSet's and
ReplicationController's and syncNodes the DaemonSet's (wg.Add(diff), a goroutine per pod, then
wg.Wait()): every delete goes out even when one fails, a failed one is no longer expected, and a
pod already gone (NotFound) is no error."""
from __future__ import annotations

import threading
import time

import pytest

from cm_fixtures import pod, replicaset
from workload_fixtures import daemonset, node, replicationcontroller

from reference_impl.client import APIStatusError
from reference_impl.controller_manager.podcontrol import DeletePods
from reference_impl.controller_manager.run import ControllerManager
from reference_impl.machinery.actions import Delete

REFUSALS = {
    500: {"kind": "Status", "code": 500, "reason": "InternalError", "message": "etcdserver: request timed out"},
    404: {"kind": "Status", "code": 404, "reason": "NotFound", "message": "pods not found"},
}


class DeleteBarrierApiserver:
    """Holds each pod delete until `together` deletes are in flight, for at most `wait` seconds
    (deletes sent one after another break the barrier); refuses the first deletes answered with the
    Status of each code in `refusals`, in turn, and answers every other request with its body.
    Records the threads the deletes came from."""

    timeout = 30.0

    def __init__(self, together: int, refusals=(), wait: float = 5.0) -> None:
        self.barrier = threading.Barrier(together, timeout=wait)
        self.refusals = list(refusals)
        self.deleted: list[str] = []
        self.senders: set[threading.Thread] = set()
        self._answering = threading.Lock()  # the deletes arrive from several threads

    def request(self, method, path, body=None, content_type=None):
        if method == "DELETE" and "/pods/" in path:
            self.barrier.wait()
            with self._answering:
                self.deleted.append(path.rsplit("/", 1)[1])
                self.senders.add(threading.current_thread())
                code = self.refusals.pop(0) if self.refusals else None
            if code is not None:
                raise APIStatusError(method, path, code, REFUSALS[code])
            return {"kind": "Status", "apiVersion": "v1", "status": "Success"}
        return body


def with_surplus(manager, kind, surplus):
    """(the sync of `kind`'s controller, its arguments for an object with `surplus` pods too many,
    the expectations the controller keeps of it, its key)."""
    if kind == "ReplicaSet":
        rs = replicaset(replicas=1)
        pods = [pod(f"rs-{i}", {"app": "rs"}, owner=rs) for i in range(surplus + 1)]
        return manager.replicaset.sync, (rs, pods), manager.replicaset.expectations._store, "default/rs"
    if kind == "ReplicationController":
        rc = replicationcontroller(replicas=1)
        owner = {**rc, "kind": "ReplicationController"}
        pods = [pod(f"rc-{i}", {"app": "rc"}, owner=owner) for i in range(surplus + 1)]
        return manager.replication.sync, (rc, pods), manager.replication.core.expectations._store, "default/rc"
    # Daemon pods on nodes the DaemonSet's selector no longer matches.
    ds = daemonset(node_selector={"disk": "ssd"})
    nodes = [node(f"n{i}") for i in range(surplus)]
    pods = [pod(f"ds-{i}", {"app": "ds"}, owner={**ds, "kind": "DaemonSet"}, node=f"n{i}") for i in range(surplus)]
    return manager.daemonset.sync, (ds, nodes, pods, []), manager.daemonset.expectations._store, "default/ds"


def sync_and_perform(manager, sync, *args) -> list[bool]:
    return [manager.perform(action) for action in sync(*args)]


KINDS = ("ReplicaSet", "ReplicationController", "DaemonSet")


@pytest.mark.parametrize("kind", KINDS)
def test_the_pod_deletes_of_a_sync_are_in_flight_together(kind):
    """manageReplicas' and syncNodes' goroutine per pod: three surplus pods are all being deleted
    at once, and the sync succeeds."""
    client = DeleteBarrierApiserver(3)
    manager = ControllerManager(client)
    sync, args, expectations, key = with_surplus(manager, kind, 3)
    assert all(sync_and_perform(manager, sync, *args))
    assert len(client.deleted) == 3
    assert expectations[key].delete == 3  # each awaited from the watch


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_pod_delete_does_not_stop_the_others(kind):
    """One of three deletes refused: all three are still sent together, the refused pod is no
    longer expected to go (DeletionObserved), the two others still are, and the sync fails."""
    client = DeleteBarrierApiserver(3, refusals=[500])
    manager = ControllerManager(client)
    sync, args, expectations, key = with_surplus(manager, kind, 3)
    assert not all(sync_and_perform(manager, sync, *args))
    assert len(client.deleted) == 3
    assert expectations[key].delete == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_pod_delete_that_finds_the_pod_gone_is_no_failure(kind):
    """apierrors.IsNotFound is not sent to errCh: a delete answered 404 is no longer expected, and
    the sync succeeds."""
    client = DeleteBarrierApiserver(2, refusals=[404])
    manager = ControllerManager(client)
    sync, args, expectations, key = with_surplus(manager, kind, 2)
    assert all(sync_and_perform(manager, sync, *args))
    assert len(client.deleted) == 2
    assert expectations[key].delete == 1


def test_a_sync_sends_each_of_its_500_deletes_from_its_own_thread():
    """A ReplicaSet's burstReplicas and a Job's MaxPodCreateDeletePerSync let one sync delete 500
    pods, each from its own goroutine, which waits only on the client's rate limiter: from a client
    with none (as here) all 500 are in flight at once (given 60 s to start on a loaded machine;
    sent from fewer threads, they never would be)."""
    client = DeleteBarrierApiserver(500, wait=60)
    manager = ControllerManager(client)
    assert manager.perform(DeletePods(tuple(Delete("pods", "default", f"p{i}") for i in range(500))))
    assert len(client.deleted) == 500


def test_the_pod_control_threads_end_with_their_sync():
    """The threads a sync's deletes were sent from are gone once the sync is done, as the
    goroutines of manageReplicas return before it does: no thread outlives a controller manager."""
    client = DeleteBarrierApiserver(3)
    manager = ControllerManager(client)
    assert manager.perform(DeletePods(tuple(Delete("pods", "default", f"p{i}") for i in range(3))))
    assert len(client.senders) == 3
    assert not any(thread.is_alive() for thread in client.senders)


class FailingFirstDelete(DeleteBarrierApiserver):
    """Raises an unexpected error for the delete of p0 at once; holds the others for 0.2 s."""

    def request(self, method, path, body=None, content_type=None):
        if path.endswith("/pods/p0"):
            raise RuntimeError("unexpected")
        time.sleep(0.2)
        return super().request(method, path, body, content_type)


def test_an_unexpected_error_of_one_delete_waits_for_the_others():
    """As wg.Wait() in manageReplicas: the sync ends only once every delete it sent is answered,
    even when one of them failed in a way no request error explains (which it then raises)."""
    client = FailingFirstDelete(9)
    manager = ControllerManager(client)
    with pytest.raises(RuntimeError):
        manager.perform(DeletePods(tuple(Delete("pods", "default", f"p{i}") for i in range(10))))
    assert len(client.deleted) == 9
