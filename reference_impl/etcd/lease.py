"""Leases: time-limited grants that keys can be attached to (sans-IO, time passed in).

Mirrors etcd's server/lease lessor for a single member that is always the leader (the
"primary" lessor): a lease has a granted TTL and an expiry time; a keep-alive moves the expiry to
now + TTL; once the expiry has passed the server revokes the lease, deleting its keys. The lessor
only keeps the books: deleting keys is the server's job (it must happen in one write
transaction), and "now" is always an argument, never read from a clock here.

With checkpoints on (--experimental-enable-lease-checkpoint), the leader records every
CHECKPOINT_INTERVAL the remaining TTL of each lease that has more than that left
(`due_checkpoints`, proposed as a LeaseCheckpointRequest), and a later leader starts the lease
from it instead of its whole TTL: a lease kept alive by nobody then expires in the end, however
often leadership moves or the member restarts. The remaining TTL lives in memory, in the lease
bucket too with --experimental-enable-lease-checkpoint-persist (`dump` carries it then).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from reference_impl.etcd.errors import ErrLeaseExist, ErrLeaseNotFound, ErrLeaseTTLTooLarge
from reference_impl.etcd.metrics import Histogram
from reference_impl.mirrors import mirrors

LEASE = "go.etcd.io/etcd/server/v3/lease"

# lease.MaxLeaseTTL: the largest TTL etcd grants (about 285 years).
MAX_LEASE_TTL = 9_000_000_000

# etcd's minimum TTL is 1.5 election timeouts rounded up to seconds: 2 s with default flags.
DEFAULT_MIN_TTL = 2

CHECKPOINT_INTERVAL = 300.0  # seconds: lease's defaultLeaseCheckpointInterval (no flag in 3.4)
MAX_CHECKPOINT_BATCH = 1000  # maxLeaseCheckpointBatchSize
# etcd_debugging_lease_ttl_total's buckets: prometheus.ExponentialBuckets(1, 2, 24), 1 s to 3 months.
LEASE_TTL_BUCKETS = tuple(float(2**i) for i in range(24))


@dataclass
class Lease:
    id: int
    ttl: int
    expiry: float
    keys: set[bytes] = field(default_factory=set)
    remaining_ttl: int = 0  # the last checkpoint's, 0 when none is set

    @mirrors(f"(*{LEASE}.Lease).RemainingTTL")
    def checkpointed_ttl(self) -> int:
        """What a new leader gives the lease: its checkpointed remaining TTL, or its TTL."""
        return self.remaining_ttl if self.remaining_ttl > 0 else self.ttl

    @mirrors(f"(*{LEASE}.Lease).Remaining")
    def remaining(self, now: float) -> float:
        return self.expiry - now

    @mirrors(f"(*{LEASE}.Lease).expired")
    def expired(self, now: float) -> bool:
        return self.remaining(now) <= 0


class Lessor:
    """Every lease of the member, by id."""

    def __init__(self, min_ttl: int = DEFAULT_MIN_TTL, *, checkpoints: bool = False,
                 persist_checkpoints: bool = False) -> None:
        self.min_ttl = min_ttl
        self.checkpoints = checkpoints
        self.persist_checkpoints = persist_checkpoints
        self._leases: dict[int, Lease] = {}
        self._checkpoints_due: dict[int, float] = {}  # lease id -> when to checkpoint it next
        # lease/metrics.go's counters and TTL histogram, counted where lessor counts them: every
        # applied grant and revoke, and each renewal on the leader.
        self.granted = self.revoked = self.renewed = 0
        self.ttls = Histogram(LEASE_TTL_BUCKETS)

    @mirrors(f"(*{LEASE}.lessor).Grant")
    def grant(self, lease_id: int, ttl: int, now: float) -> Lease:
        """Create lease `lease_id` expiring `ttl` seconds from `now` (at least the minimum TTL)."""
        if lease_id == 0:
            raise ErrLeaseNotFound(lease_id=lease_id)
        if ttl > MAX_LEASE_TTL:
            raise ErrLeaseTTLTooLarge(ttl=ttl, max_ttl=MAX_LEASE_TTL)
        if lease_id in self._leases:
            raise ErrLeaseExist(lease_id=lease_id)
        ttl = max(ttl, self.min_ttl)
        lease = self._leases[lease_id] = Lease(lease_id, ttl, now + ttl)
        self._schedule_checkpoint(lease, now)
        self.ttls.observe(ttl)
        self.granted += 1
        return lease

    @mirrors(f"(*{LEASE}.lessor).Revoke")
    def revoke(self, lease_id: int) -> list[bytes]:
        """Forget the lease; returns its keys, sorted, for the caller to delete in one transaction."""
        lease = self._leases.pop(lease_id, None)
        if lease is None:
            raise ErrLeaseNotFound(lease_id=lease_id)
        self._checkpoints_due.pop(lease_id, None)
        self.revoked += 1
        return sorted(lease.keys)

    @mirrors(f"(*{LEASE}.lessor).Renew")
    def renew(self, lease_id: int, now: float) -> int:
        """Keep the lease alive for another TTL from `now`; returns the TTL.

        An expired lease is as good as revoked (etcd waits for the revoke and answers not found),
        so it cannot be brought back by a late keep-alive.
        """
        lease = self._leases.get(lease_id)
        if lease is None or lease.expired(now):
            raise ErrLeaseNotFound(lease_id=lease_id)
        lease.expiry = now + lease.ttl
        self.renewed += 1
        return lease.ttl

    @mirrors(f"(*{LEASE}.lessor).Lookup")
    def lookup(self, lease_id: int) -> Lease | None:
        return self._leases.get(lease_id)

    @mirrors(f"(*{LEASE}.lessor).Attach")
    def attach(self, lease_id: int, key: bytes) -> None:
        lease = self._leases.get(lease_id)
        if lease is None:
            raise ErrLeaseNotFound(lease_id=lease_id)
        lease.keys.add(key)

    @mirrors(f"(*{LEASE}.lessor).Detach")
    def detach(self, lease_id: int, key: bytes) -> None:
        # A revoked lease has no keys left to detach; etcd only logs this case.
        lease = self._leases.get(lease_id)
        if lease is not None:
            lease.keys.discard(key)

    @mirrors(f"(*{LEASE}.lessor).Leases")
    def leases(self) -> list[Lease]:
        """Every lease, soonest expiry first."""
        return sorted(self._leases.values(), key=lambda lease: (lease.expiry, lease.id))

    @mirrors(f"(*{LEASE}.lessor).findExpiredLeases")
    def expired(self, now: float) -> list[int]:
        """Ids of the leases whose expiry has passed at `now`, soonest first."""
        return [lease.id for lease in self.leases() if lease.expired(now)]

    @mirrors(f"(*{LEASE}.lessor).Promote")
    def promote(self, now: float, extend: float = 0.0) -> None:
        """A new leader's leases, their expiries last set on other clocks or before a restart,
        each get their whole TTL again from `now`, and `extend` (etcd's server passes its
        election timeout) on top, as etcd's lessor does without checkpoints: clients could not
        keep them alive while no leader was there to hear them."""
        for lease in self._leases.values():
            lease.expiry = now + extend + lease.checkpointed_ttl()
            self._schedule_checkpoint(lease, now)

    @mirrors(f"(*{LEASE}.lessor).scheduleCheckpointIfNeeded")
    def _schedule_checkpoint(self, lease: Lease, now: float) -> None:
        if self.checkpoints and lease.checkpointed_ttl() > CHECKPOINT_INTERVAL:
            self._checkpoints_due[lease.id] = now + CHECKPOINT_INTERVAL

    @mirrors(f"(*{LEASE}.lessor).findDueScheduledCheckpoints")
    def due_checkpoints(self, now: float) -> list[tuple[int, int]]:
        """(id, remaining TTL in whole seconds, rounded up) of the leases due for a checkpoint,
        taken off the schedule; a lease with its whole TTL left needs none."""
        due = sorted((when, lease_id) for lease_id, when in self._checkpoints_due.items() if when <= now)
        checkpoints = []
        for _, lease_id in due[:MAX_CHECKPOINT_BATCH]:
            del self._checkpoints_due[lease_id]
            lease = self._leases.get(lease_id)
            if lease is None or lease.expiry <= now:
                continue
            remaining = math.ceil(lease.expiry - now)
            if remaining < lease.ttl:
                checkpoints.append((lease_id, remaining))
        return checkpoints

    @mirrors(f"(*{LEASE}.lessor).Checkpoint")
    def checkpoint(self, lease_id: int, remaining_ttl: int, now: float) -> None:
        """Record a lease's remaining TTL (0: clear it), and schedule its next checkpoint."""
        lease = self._leases.get(lease_id)
        if lease is not None:
            lease.remaining_ttl = remaining_ttl
            self._schedule_checkpoint(lease, now)

    def forget_unpersisted_checkpoints(self) -> None:
        """Drop the remaining TTLs only memory held (see raftnode's replay)."""
        if not self.persist_checkpoints:
            for lease in self._leases.values():
                lease.remaining_ttl = 0

    def dump(self) -> list[tuple[int, int, float, int]]:
        """(id, ttl, expiry, remaining TTL if persisted) of every lease, for a snapshot; keys come
        back from the store."""
        return [(lease.id, lease.ttl, lease.expiry, lease.remaining_ttl if self.persist_checkpoints else 0)
                for lease in self._leases.values()]

    @mirrors(f"(*{LEASE}.lessor).Recover")
    def recover(self, leases: list[tuple]) -> None:
        """What `dump` wrote; a snapshot from before checkpoints has no remaining TTLs."""
        self._leases = {lease[0]: Lease(*lease[:3], remaining_ttl=lease[3] if len(lease) > 3 else 0)
                        for lease in leases}
        self._checkpoints_due = {}
