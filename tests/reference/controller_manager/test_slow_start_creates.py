"""Pod creates sent in slow-start batches, as 1.24's slowStartBatch sends the ReplicaSet's and
ReplicationController's, syncNodes the DaemonSet's and manageJob the Job's: 1, then 2, 4, ... while
every create succeeds, the creates of a batch at once (a goroutine each); after the first batch
with a failure nothing more is sent, and the skipped pods are no longer expected, so the key's
next sync creates at once."""
from __future__ import annotations

import copy
import http.client
import threading

import pytest

from cm_fixtures import replicaset
from workload_fixtures import daemonset, job, node, replicationcontroller

from reference_impl.client import APIStatusError
from reference_impl.controller_manager.podcontrol import slow_start_batches
from reference_impl.controller_manager.run import ControllerManager

QUOTA_STATUS = {"kind": "Status", "code": 403, "reason": "Forbidden",
                "message": 'pods "rs-x" is forbidden: exceeded quota: q'}
TERMINATING_STATUS = {"kind": "Status", "code": 403, "reason": "Forbidden",
                      "message": "unable to create new content in namespace default because it is being terminated",
                      "details": {"causes": [{"reason": "NamespaceTerminating"}]}}


class CreateRefusingApiserver:
    """Answers every request; refuses the pod creates whose 1-based numbers are in `refused`."""

    timeout = 30.0

    def __init__(self, refused=(), status=QUOTA_STATUS) -> None:
        self.refused, self.status, self.creates = set(refused), status, 0
        self._numbering = threading.Lock()  # the creates of a batch arrive from several threads

    def request(self, method, path, body=None, content_type=None):
        if method == "POST" and path.endswith("/pods"):
            with self._numbering:
                self.creates += 1
                number = self.creates
            self.hold(number)
            if number in self.refused:
                raise APIStatusError(method, path, self.status["code"], self.status)
            created = copy.deepcopy(body)
            created["metadata"]["name"] = f"{body['metadata']['generateName']}{number}"
            return created
        return body

    def hold(self, number: int) -> None:
        """Where the create numbered `number` waits before it is answered: nowhere here."""


class BatchBarrierApiserver(CreateRefusingApiserver):
    """Holds each pod create until every create of its batch (`batches`: their sizes, in order)
    is in flight, for at most 5 s: creates sent one after another break the first barrier of two."""

    def __init__(self, batches, refused=()) -> None:
        super().__init__(refused)
        self.barriers = [barrier for size in batches for barrier in [threading.Barrier(size, timeout=5)] * size]

    def hold(self, number: int) -> None:
        self.barriers[number - 1].wait()


def wanting(manager, kind, count):
    """(the sync of `kind`'s controller, its arguments for an object that wants `count` pods and
    has none, the expectations the controller keeps of it)."""
    if kind == "ReplicaSet":
        return manager.replicaset.sync, (replicaset(replicas=count), []), \
            manager.replicaset.expectations._store, "default/rs"
    if kind == "ReplicationController":
        return manager.replication.sync, (replicationcontroller(replicas=count), []), \
            manager.replication.core.expectations._store, "default/rc"
    if kind == "DaemonSet":
        return manager.daemonset.sync, (daemonset(), [node(f"n{i}") for i in range(count)], [], []), \
            manager.daemonset.expectations._store, "default/ds"
    return manager.job.sync, (job(completions=count, parallelism=count), []), \
        manager.job.expectations._store, "default/pi"


def sync_and_perform(manager, sync, *args) -> list[bool]:
    return [manager.perform(action) for action in sync(*args)]


def test_slow_start_batches_double_from_one():
    """The batch sizes: 1, 2, 4, ..., the last one what remains."""
    assert slow_start_batches(10) == [1, 2, 4, 3]
    assert slow_start_batches(1) == [1]
    assert slow_start_batches(0) == []


def test_a_replicaset_stops_after_the_batch_with_a_refused_create():
    """Ten pods to create and the third refused: batches of 1 and 2 are sent (3 creates), the
    other seven are not, and the failure is the key's error."""
    client = CreateRefusingApiserver(refused={3})
    manager = ControllerManager(client)
    done = sync_and_perform(manager, manager.replicaset.sync, replicaset(replicas=10), [])
    assert client.creates == 3
    assert not all(done)


def test_a_replicaset_whose_creates_were_skipped_syncs_again_at_once():
    """The skipped pods and the refused one are no longer expected (CreationObserved each), so
    the expectations wait only for the two pods created."""
    client = CreateRefusingApiserver(refused={3})
    manager = ControllerManager(client)
    rs = replicaset(replicas=10)
    sync_and_perform(manager, manager.replicaset.sync, rs, [])
    exp = manager.replicaset.expectations._store["default/rs"]
    assert (exp.add, exp.delete) == (2, 0)


def test_every_batch_is_sent_while_all_succeed():
    """No refusal: all ten creates, in batches of 1, 2, 4 and 3."""
    client = CreateRefusingApiserver()
    manager = ControllerManager(client)
    assert all(sync_and_perform(manager, manager.replicaset.sync, replicaset(replicas=10), []))
    assert client.creates == 10


def test_a_create_refused_in_a_terminating_namespace_does_not_stop_the_batches():
    """The namespace being terminated is no failure to slowStartBatch (the create func answers
    nil), so every create is still sent."""
    client = CreateRefusingApiserver(refused={1}, status=TERMINATING_STATUS)
    manager = ControllerManager(client)
    sync_and_perform(manager, manager.replicaset.sync, replicaset(replicas=4), [])
    assert client.creates == 4


def test_a_replication_controller_stops_after_the_batch_with_a_refused_create():
    client = CreateRefusingApiserver(refused={1})
    manager = ControllerManager(client)
    sync_and_perform(manager, manager.replication.sync, replicationcontroller(replicas=5), [])
    assert client.creates == 1
    assert manager.replication.core.expectations.satisfied("default/rc")


def test_a_daemonset_stops_after_the_batch_with_a_refused_create():
    """syncNodes' batches: five nodes, the second create refused: 1 + 2 sent, the two skipped
    lowered with the refused one, leaving the two pods created expected."""
    client = CreateRefusingApiserver(refused={2})
    manager = ControllerManager(client)
    nodes = [node(f"n{i}") for i in range(5)]
    sync_and_perform(manager, manager.daemonset.sync, daemonset(), nodes, [], [])
    assert client.creates == 3
    assert manager.daemonset.expectations._store["default/ds"].add == 2


def test_a_job_stops_after_the_batch_with_a_refused_create():
    """manageJob's batches: parallelism 6, the first create refused: nothing more is sent and no
    pod is left expected."""
    client = CreateRefusingApiserver(refused={1})
    manager = ControllerManager(client)
    sync_and_perform(manager, manager.job.sync, job(completions=6, parallelism=6), [])
    assert client.creates == 1
    assert manager.job.expectations.satisfied("default/pi")


KINDS = ("ReplicaSet", "ReplicationController", "DaemonSet", "Job")


@pytest.mark.parametrize("kind", KINDS)
def test_the_creates_of_a_batch_are_in_flight_together(kind):
    """slowStartBatch's wg.Add(batchSize), a goroutine per create: seven pods are created in
    batches of 1, 2 and 4, each batch's creates all in flight at once."""
    client = BatchBarrierApiserver([1, 2, 4])
    manager = ControllerManager(client)
    sync, args, _expectations, _key = wanting(manager, kind, 7)
    assert all(sync_and_perform(manager, sync, *args))
    assert client.creates == 7


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_with_a_refused_create_is_sent_whole_and_ends_the_slow_start(kind):
    """Ten pods wanted and one create of the batch of 4 refused: that batch is still sent whole,
    together, and nothing after it; the refused pod and the three skipped are no longer expected."""
    client = BatchBarrierApiserver([1, 2, 4], refused={5})
    manager = ControllerManager(client)
    sync, args, expectations, key = wanting(manager, kind, 10)
    assert not all(sync_and_perform(manager, sync, *args))
    assert client.creates == 7
    assert expectations[key].add == 6


class CutOffApiserver(CreateRefusingApiserver):
    """Cuts off the answers to the pod creates whose 1-based numbers are in `cut` mid-body."""

    def __init__(self, cut) -> None:
        super().__init__()
        self.cut = set(cut)

    def hold(self, number: int) -> None:
        if number in self.cut:
            raise http.client.IncompleteRead(b"{", 10)


@pytest.mark.parametrize("kind", KINDS)
def test_a_create_whose_answer_is_cut_off_is_a_failed_create(kind):
    """An answer cut off mid-body (http.client.IncompleteRead, no OSError) fails its create as a
    refused connection does: the slow start ends after its batch, and neither it nor the skipped
    pods are expected any more, so the next sync creates at once instead of waiting out the
    expectations' five minutes."""
    client = CutOffApiserver(cut={1})
    manager = ControllerManager(client)
    sync, args, expectations, key = wanting(manager, kind, 3)
    assert not all(sync_and_perform(manager, sync, *args))
    assert client.creates == 1
    assert expectations[key].add == 0
