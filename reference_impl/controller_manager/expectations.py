"""ControllerExpectations: how many creates/deletes a controller has asked for and not yet seen in
its watch. While any are outstanding the controller does not act on its (stale) cache, so a slow
watch never makes it create twice. Expectations expire after a TTL (5 minutes upstream).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from reference_impl.mirrors import mirrors

EXPECTATIONS_TIMEOUT = 5 * 60.0


@dataclass
class _Expectation:
    add: int
    delete: int
    timestamp: float


class ControllerExpectations:
    def __init__(self, clock):
        self.clock = clock
        self._store: dict[str, _Expectation] = {}
        # Counts are lowered from the informers' threads and from a batch's create threads at
        # once; upstream lowers them with atomic.AddInt64.
        self._lowering = threading.Lock()

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).SatisfiedExpectations")
    def satisfied(self, key: str) -> bool:
        exp = self._store.get(key)
        if exp is None:
            return True  # never set, or deleted: sync
        if exp.add <= 0 and exp.delete <= 0:
            return True
        return self.clock.now() - exp.timestamp > EXPECTATIONS_TIMEOUT

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).SetExpectations")
    def set(self, key: str, add: int, delete: int) -> None:
        self._store[key] = _Expectation(add, delete, self.clock.now())

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).ExpectCreations")
    def expect_creations(self, key: str, adds: int) -> None:
        self.set(key, adds, 0)

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).ExpectDeletions")
    def expect_deletions(self, key: str, deletes: int) -> None:
        self.set(key, 0, deletes)

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).CreationObserved")
    def creation_observed(self, key: str) -> None:
        with self._lowering:
            if key in self._store:
                self._store[key].add -= 1

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).DeletionObserved")
    def deletion_observed(self, key: str) -> None:
        with self._lowering:
            if key in self._store:
                self._store[key].delete -= 1

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).DeleteExpectations")
    def delete(self, key: str) -> None:
        self._store.pop(key, None)


class UIDTrackingControllerExpectations(ControllerExpectations):
    """Expectations whose deletions are the keys of the pods deleted: a pod's deletion lowers them
    once, whether the watch saw it go or its delete failed (answered 404 included), so the same pod
    is never counted twice. The ReplicaSet and ReplicationController controllers use these."""

    def __init__(self, clock):
        super().__init__(clock)
        self._deleting: dict[str, set[str]] = {}
        # A pod's delete thread and the informer's thread may both observe its deletion at once;
        # upstream checks and removes its key under uidStoreLock so that it counts once. The lock
        # also covers storing the keys with their count (and dropping both), as upstream's: a pod
        # observed between the two would leave a count nobody lowers until the TTL.
        self._uid_store_lock = threading.Lock()

    @mirrors("(*k8s.io/kubernetes/pkg/controller.UIDTrackingControllerExpectations).ExpectDeletions")
    def expect_deletions(self, key: str, pod_keys: list[str]) -> None:
        with self._uid_store_lock:
            self._deleting[key] = set(pod_keys)
            super().expect_deletions(key, len(self._deleting[key]))

    @mirrors("(*k8s.io/kubernetes/pkg/controller.UIDTrackingControllerExpectations).DeletionObserved")
    def deletion_observed(self, key: str, pod_key: str) -> None:
        with self._uid_store_lock:
            pending = self._deleting.get(key)
            if pending is not None and pod_key in pending:
                pending.discard(pod_key)
                super().deletion_observed(key)

    @mirrors("(*k8s.io/kubernetes/pkg/controller.UIDTrackingControllerExpectations).DeleteExpectations")
    def delete(self, key: str) -> None:
        with self._uid_store_lock:
            super().delete(key)
            self._deleting.pop(key, None)
