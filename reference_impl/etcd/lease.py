"""Leases: time-limited grants that keys can be attached to (sans-IO, time passed in).

Mirrors etcd's server/lease lessor for a single member that is always the leader (the
"primary" lessor): a lease has a granted TTL and an expiry time; a keep-alive moves the expiry to
now + TTL; once the expiry has passed the server revokes the lease, deleting its keys. The lessor
only keeps the books: deleting keys is the server's job (it must happen in one write
transaction), and "now" is always an argument, never read from a clock here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reference_impl.etcd.errors import ErrLeaseExist, ErrLeaseNotFound, ErrLeaseTTLTooLarge
from reference_impl.mirrors import mirrors

LEASE = "go.etcd.io/etcd/server/v3/lease"

# lease.MaxLeaseTTL: the largest TTL etcd grants (about 285 years).
MAX_LEASE_TTL = 9_000_000_000

# etcd's minimum TTL is 1.5 election timeouts rounded up to seconds: 2 s with default flags.
DEFAULT_MIN_TTL = 2


@dataclass
class Lease:
    id: int
    ttl: int
    expiry: float
    keys: set[bytes] = field(default_factory=set)

    @mirrors(f"(*{LEASE}.Lease).Remaining")
    def remaining(self, now: float) -> float:
        return self.expiry - now

    @mirrors(f"(*{LEASE}.Lease).expired")
    def expired(self, now: float) -> bool:
        return self.remaining(now) <= 0


class Lessor:
    """Every lease of the member, by id."""

    def __init__(self, min_ttl: int = DEFAULT_MIN_TTL) -> None:
        self.min_ttl = min_ttl
        self._leases: dict[int, Lease] = {}

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
        return lease

    @mirrors(f"(*{LEASE}.lessor).Revoke")
    def revoke(self, lease_id: int) -> list[bytes]:
        """Forget the lease; returns its keys, sorted, for the caller to delete in one transaction."""
        lease = self._leases.pop(lease_id, None)
        if lease is None:
            raise ErrLeaseNotFound(lease_id=lease_id)
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
            lease.expiry = now + extend + lease.ttl

    def dump(self) -> list[tuple[int, int, float]]:
        """(id, ttl, expiry) of every lease, for a snapshot; keys come back from the store."""
        return [(lease.id, lease.ttl, lease.expiry) for lease in self._leases.values()]

    @mirrors(f"(*{LEASE}.lessor).Recover")
    def recover(self, leases: list[tuple[int, int, float]]) -> None:
        self._leases = {lid: Lease(lid, ttl, expiry) for lid, ttl, expiry in leases}
