"""etcd's space quota and the alarms a member keeps (sans-IO).

A write that adds data (a Put, a Txn with a put, a LeaseGrant) is refused with ErrNoSpace when
the backend's size plus the request's estimated cost reaches --quota-backend-bytes; the refusal
raises the NOSPACE alarm through the log, and while it is active the applier refuses those
writes too (applierV3Capped), whatever their size. Alarms are raised and cleared by
AlarmRequests in the log, so every member holds the same set, and the backend keeps them (the
`alarm` bucket) across a restart.
"""
from __future__ import annotations

from reference_impl.etcd.messages import (
    AlarmMember, AlarmRequest, AlarmResponse, LeaseGrantRequest, PutRequest, TxnRequest)
from reference_impl.mirrors import mirrors

SERVER = "go.etcd.io/etcd/server/v3/etcdserver"
DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024
MAX_QUOTA_BYTES = 8 * 1024 * 1024 * 1024  # above it etcd warns, and still uses the value
LEASE_OVERHEAD = 64  # etcd's estimate of a lease's cost in the backend
KV_OVERHEAD = 256  # and of a key's metadata


@mirrors(f"{SERVER}.NewBackendQuota")
def backend_quota(configured: int) -> tuple[int, str | None]:
    """The quota --quota-backend-bytes gives (a negative value, kept as given since etcd's
    quota gauge shows it, means no quota; 0 means the default) and the warning etcd logs for
    it, if any."""
    if configured < 0:
        return configured, None
    if configured == 0:
        return DEFAULT_QUOTA_BYTES, None
    if configured > MAX_QUOTA_BYTES:
        return configured, f"quota exceeds the maximum value ({MAX_QUOTA_BYTES / 1e9:.1f} GB)"
    return configured, None


@mirrors(f"(*{SERVER}.backendQuota).Cost", f"{SERVER}.costPut", f"{SERVER}.costTxn",
         f"{SERVER}.costTxnReq")
def request_cost(request: object) -> int:
    """Bytes a request may add: a put's key, value and KV_OVERHEAD; for a txn, the puts (at its
    top level) of its larger branch; LEASE_OVERHEAD for a lease grant; nothing for the rest."""
    if isinstance(request, PutRequest):
        return KV_OVERHEAD + len(request.key) + len(request.value)
    if isinstance(request, TxnRequest):
        return max(sum(request_cost(op.request) for op in ops if isinstance(op.request, PutRequest))
                   for ops in (request.success, request.failure))
    if isinstance(request, LeaseGrantRequest):
        return LEASE_OVERHEAD
    return 0


@mirrors(f"(*{SERVER}.backendQuota).Available")
def quota_available(quota: int | None, db_size: int, request: object) -> bool:
    cost = request_cost(request)
    return quota is None or quota < 0 or cost == 0 or db_size + cost < quota


class AlarmStore:
    """The active alarms, one per (member id, alarm type), and which alarm's applier etcd's
    applyV3 is: raising the first NOSPACE or CORRUPT alarm puts applierV3Capped or
    applierV3Corrupt in place of the one before, and clearing the last of either puts the plain
    applier back, whatever other alarm stays raised."""

    def __init__(self) -> None:
        self._active: set[AlarmMember] = set()
        self.applier_alarm: str | None = None  # "NOSPACE", "CORRUPT" or None

    @mirrors("(*go.etcd.io/etcd/server/v3/etcdserver/api/v3alarm.AlarmStore).Get")
    def get(self, alarm: str = "NONE") -> tuple[AlarmMember, ...]:
        """The active alarms of type `alarm`, or all of them for NONE."""
        return tuple(sorted((m for m in self._active if alarm in ("NONE", m.alarm)),
                            key=lambda m: (m.alarm, m.member_id)))

    @mirrors(f"(*{SERVER}.applierV3backend).Alarm",
             "(*go.etcd.io/etcd/server/v3/etcdserver/api/v3alarm.AlarmStore).Activate",
             "(*go.etcd.io/etcd/server/v3/etcdserver/api/v3alarm.AlarmStore).Deactivate")
    def apply(self, request: AlarmRequest) -> AlarmResponse:
        """GET lists; ACTIVATE raises (for any member id, one that does not exist too; alarm
        NONE too) and answers the alarm; DEACTIVATE clears and answers it, or answers nothing
        if it was not raised."""
        member = AlarmMember(request.member_id, request.alarm)
        if request.action == "GET":
            return AlarmResponse(self.get(request.alarm))
        # Member 0's NONE alarm marshals to no bytes, a key bbolt refuses: etcd 3.4 exits on it.
        if request.action == "ACTIVATE" and member != AlarmMember(0, "NONE"):
            if member.alarm in ("NOSPACE", "CORRUPT") and not self.get(member.alarm):
                self.applier_alarm = member.alarm
            self._active.add(member)
            return AlarmResponse((member,))
        if request.action == "DEACTIVATE" and member in self._active:
            self._active.discard(member)
            if member.alarm in ("NOSPACE", "CORRUPT") and not self.get(member.alarm):
                self.applier_alarm = None
            return AlarmResponse((member,))
        return AlarmResponse()

    def dump(self) -> list[list]:
        return [[m.member_id, m.alarm] for m in self.get()]

    @mirrors(f"(*{SERVER}.EtcdServer).restoreAlarms")
    def recover(self, alarms: list[list]) -> None:
        """The alarms a restart reads back; CORRUPT's applier wraps NOSPACE's, so it answers."""
        self._active = {AlarmMember(member_id, alarm) for member_id, alarm in alarms}
        raised = {m.alarm for m in self._active}
        self.applier_alarm = next((a for a in ("CORRUPT", "NOSPACE") if a in raised), None)
