"""Leader election on a coordination.k8s.io/v1 Lease, as client-go's LeaderElector does it.

The core decides from the Lease it last read (or None when it does not exist) whether to write
one — a create, or an update carrying the read resourceVersion so a racing candidate gets 409 —
and tracks when it last saw the record change on its own clock: another holder's lease counts as
expired only when it has not changed for leaseDurationSeconds of *our* time, so clock skew between
candidates does not matter. A leader that cannot renew within renew_deadline stops leading; one
that stops on purpose may release the Lease (`release`) so that a candidate need not wait it out.
"""
from __future__ import annotations

import copy

from reference_impl.mirrors import mirrors
from reference_impl.machinery.timefmt import micro_time


def _record(lease: dict | None) -> tuple:
    spec = (lease or {}).get("spec") or {}  # JSON null is an empty LeaseSpec
    return (spec.get("holderIdentity"), spec.get("renewTime"), spec.get("leaseTransitions"))


class LeaderElector:
    def __init__(self, identity: str, clock, lease_duration: float = 15.0,
                 renew_deadline: float = 10.0, namespace: str = "kube-system",
                 name: str = "kube-controller-manager"):
        self.identity, self.clock = identity, clock
        self.lease_duration, self.renew_deadline = lease_duration, renew_deadline
        self.namespace, self.name = namespace, name
        self.observed_record: tuple | None = None
        self.observed_time = 0.0
        self.last_renew: float | None = None
        self.written: dict | None = None  # the Lease as our last write returned it

    @mirrors("(*k8s.io/client-go/tools/leaderelection.LeaderElector).tryAcquireOrRenew")
    def try_acquire_or_renew(self, current: dict | None) -> dict | None:
        """The Lease to write (create when `current` is None, else an update), or None when
        another holder's lease has not expired."""
        now = self.clock.now()
        if current is None:
            return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": {"name": self.name, "namespace": self.namespace},
                    "spec": {"holderIdentity": self.identity,
                             "leaseDurationSeconds": int(self.lease_duration),
                             "acquireTime": micro_time(now), "renewTime": micro_time(now),
                             "leaseTransitions": 0}}
        record = _record(current)
        if record != self.observed_record:
            self.observed_record, self.observed_time = record, now
        spec = current.get("spec") or {}
        holder = spec.get("holderIdentity")
        duration = spec.get("leaseDurationSeconds") or self.lease_duration
        if holder and holder != self.identity and self.observed_time + duration > now:
            return None
        desired = copy.deepcopy(current)
        new_spec = desired["spec"] = desired.get("spec") or {}
        if holder == self.identity:
            new_spec["renewTime"] = micro_time(now)
        else:
            new_spec.update(holderIdentity=self.identity, acquireTime=micro_time(now),
                            renewTime=micro_time(now),
                            leaseDurationSeconds=int(self.lease_duration),
                            leaseTransitions=(spec.get("leaseTransitions") or 0) + 1)
        return desired

    def on_written(self, lease: dict) -> None:
        """The write succeeded: we hold the lease as of now."""
        self.observed_record, self.observed_time = _record(lease), self.clock.now()
        self.last_renew, self.written = self.clock.now(), lease

    @mirrors("(*k8s.io/client-go/tools/leaderelection.LeaderElector).release")
    def release(self) -> dict | None:
        """The update that gives the Lease up (ReleaseOnCancel): no holder and a one-second
        duration, written over the Lease we last wrote; None when we do not lead."""
        if not self.is_leader() or self.written is None:
            return None
        now = micro_time(self.clock.now())
        released = copy.deepcopy(self.written)
        released["spec"] = {"holderIdentity": "", "leaseDurationSeconds": 1, "acquireTime": now,
                            "renewTime": now, "leaseTransitions": self.observed_record[2] or 0}
        return released

    @mirrors("(*k8s.io/client-go/tools/leaderelection.LeaderElector).IsLeader")
    def is_leader(self) -> bool:
        return (self.last_renew is not None
                and self.observed_record is not None and self.observed_record[0] == self.identity
                and self.clock.now() - self.last_renew < self.renew_deadline)

    @mirrors("(*k8s.io/client-go/tools/leaderelection.LeaderElector).Check")
    def check(self, max_tolerable_expired_lease: float) -> str | None:
        """Why the leader is unhealthy: it still holds the lease it last saw but has not renewed it
        for leaseDuration plus `max_tolerable_expired_lease` (a leader wedged without exiting).
        A candidate that does not hold the lease is healthy."""
        holds = self.observed_record is not None and self.observed_record[0] == self.identity
        if holds and self.clock.now() - self.observed_time > self.lease_duration + max_tolerable_expired_lease:
            return f"failed election to renew leadership on lease {self.name}"
        return None
