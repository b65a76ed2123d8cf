"""The replicated etcd server's core: requests become Raft entries, committed entries are applied
to the `EtcdServer` state machine in log order, and membership changes are conf-change entries.

Sans-IO, like the Raft core under it: `RaftNode` is driven by its owner (member.py's driver
thread, or a test's simulated network) and never reads a clock, sleeps, touches a socket or the
disk. The owner calls `propose`, `read_index`, `step`, `tick`; then, while `has_ready()`, takes
`ready()`, persists it, sends its messages, hands it to `apply`, and calls `advance`. `apply`
returns what the waiters need: the answer to each request id proposed here, the conf changes
decided, and whether this member was removed.

An entry's payload is JSON: the request id (unique per proposing member, so only the member a
client asked wakes that client), the proposer's clock reading (lease expiry is computed from it,
so every member computes the same expiry), and the request in state.py's plain form; then a
newline and the request's bytes, which the plain form locates by offset. A snapshot
is the state machine plus the member list, as state.encode_snapshot writes them.

Member and cluster ids are computed as etcd computes them (a SHA-1 of the peer URLs and the
cluster token; of the sorted member ids), so a cluster started with the same flags as a real etcd
gets the same ids.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from reference_impl.etcd.errors import (
    EtcdError, ErrBadCluster, ErrMemberBadURLs, ErrMemberIDExists, ErrMemberNotFound,
    ErrMemberNotLearner, ErrPeerURLExist, ErrTooManyLearners)
from reference_impl.etcd.messages import (
    LeaseCheckpoint, LeaseCheckpointRequest, LeaseRevokeRequest, Member, MutatingRequest, bytes_of)
from reference_impl.etcd.raft import (
    ConfChange, ConfChangeType, Entry, EntryType, Ready, Snapshot)
from reference_impl.etcd.raft.rawnode import RawNode
from reference_impl.etcd.server import EtcdServer
from reference_impl.etcd.state import (
    decode_snapshot, encode_snapshot, from_plain, recover_state, to_plain)
from reference_impl.machinery import jsonbytes
from reference_impl.mirrors import mirrors

ETCDSERVER = "go.etcd.io/etcd/server/v3/etcdserver"
MEMBERSHIP = "go.etcd.io/etcd/server/v3/etcdserver/api/membership"
DEFAULT_CLUSTER_TOKEN = "etcd-cluster"
MAX_LEARNERS = 1  # membership's maxLearners


# -- ids and the --initial-cluster flag ---------------------------------------------------------

@mirrors(f"{MEMBERSHIP}.computeMemberId", f"{MEMBERSHIP}.NewMember")
def compute_member_id(peer_urls: Iterable[str], cluster_token: str, added_at: int | None = None) -> int:
    """SHA-1 over the sorted peer URLs, the cluster token and, for a member added later with
    `member add`, the second it was added; the first 8 bytes, big-endian."""
    data = "".join(sorted(peer_urls)) + cluster_token + ("" if added_at is None else str(added_at))
    return int.from_bytes(hashlib.sha1(data.encode()).digest()[:8], "big")


@mirrors(f"(*{MEMBERSHIP}.RaftCluster).genID")
def compute_cluster_id(member_ids: Iterable[int]) -> int:
    data = b"".join(i.to_bytes(8, "big") for i in sorted(member_ids))
    return int.from_bytes(hashlib.sha1(data).digest()[:8], "big")


@mirrors("go.etcd.io/etcd/client/pkg/v3/types.NewURLsMap", f"{MEMBERSHIP}.NewClusterFromURLsMap")
def parse_initial_cluster(text: str, cluster_token: str = DEFAULT_CLUSTER_TOKEN) -> dict[int, Member]:
    """`n1=http://127.0.0.1:2380,n2=...` (a name may repeat, one URL each) → members by id."""
    urls: dict[str, list[str]] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, url = item.partition("=")
        parts = urlsplit(url)
        if not sep or not name or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ErrBadCluster(problem=f"--initial-cluster: {item!r} is not NAME=http://HOST:PORT")
        urls.setdefault(name, []).append(url)
    if not urls:
        raise ErrBadCluster(problem="--initial-cluster names no member")
    members: dict[int, Member] = {}
    for name, peer_urls in urls.items():
        member = Member(compute_member_id(peer_urls, cluster_token), name, tuple(sorted(peer_urls)))
        if member.id in members:
            raise ErrBadCluster(problem=f"--initial-cluster: {name} and {members[member.id].name} "
                                        f"have the same peer URLs")
        members[member.id] = member
    return members


DEFAULT_NAME = "default"


@mirrors("(*go.etcd.io/etcd/server/v3/embed.Config).UpdateDefaultClusterFromName",
         "(go.etcd.io/etcd/server/v3/embed.Config).InitialClusterFromName")
def default_initial_cluster(name: str, initial_cluster: str | None, advertised: Sequence[str]) -> str:
    """--initial-cluster as etcd reads it: without one (or with its default,
    default=http://localhost:2380), a member named other than "default" is the only member,
    at the peer URLs it advertises."""
    default = f"{DEFAULT_NAME}=http://localhost:2380"
    if name != DEFAULT_NAME and initial_cluster in (None, default):
        return ",".join(f"{name}={url}" for url in advertised)
    return initial_cluster or default


@mirrors("(*go.etcd.io/etcd/server/v3/etcdserver.ServerConfig).advertiseMatchesCluster",
         "go.etcd.io/etcd/pkg/v3/netutil.URLStringsEqual")
def check_advertised_peer_urls(members: Mapping[int, Member], name: str, advertised: Sequence[str]) -> None:
    """A member bootstrapping a new cluster advertises (--initial-advertise-peer-urls) the peer
    URLs --initial-cluster gives its name, compared sorted, then with host names other than
    localhost resolved (as netutil does); else ErrBadCluster in etcd's words."""
    urls = sorted(u for m in members.values() if m.name == name for u in m.peer_urls)
    if not urls:
        return  # no member of that name: refused as such when the member starts
    apurls = sorted(advertised)
    if len(urls) != len(apurls):
        why = f"len({_go_quoted(apurls)}) != len({_go_quoted(urls)})"
    else:
        try:
            resolved_ap, resolved = sorted(map(_resolved, apurls)), sorted(map(_resolved, urls))
            differing = [(a, b) for a, b in zip(resolved_ap, resolved) if a != b]
            if not differing:
                return
            why = f'resolved urls: "{differing[0][0]}" != "{differing[0][1]}"'
        except _Unresolved as err:
            why = str(err)
    advertised_as_flag = ",".join(f"{name}={u}" for u in apurls)
    missing = [u for u in dict.fromkeys(urls) if u not in apurls]
    if missing:
        raise ErrBadCluster(problem=f"--initial-cluster has {','.join(f'{name}={u}' for u in missing)} "
                                    f"but missing from --initial-advertise-peer-urls={','.join(apurls)} ({why})")
    extra = [u for u in dict.fromkeys(apurls) if u not in urls]
    if extra:
        raise ErrBadCluster(problem=f"--initial-advertise-peer-urls has {','.join(extra)} but missing from "
                                    f"--initial-cluster={advertised_as_flag}")
    # the same URLs, one of them given twice, or a host name that did not resolve
    raise ErrBadCluster(problem=f"failed to resolve {','.join(apurls)} to match "
                                f"--initial-cluster={advertised_as_flag} ({why})")


def _go_quoted(strings: Sequence[str]) -> str:
    """A []string as Go's %q prints it."""
    return "[" + " ".join(json.dumps(s) for s in strings) + "]"


class _Unresolved(Exception):
    """A URL netutil's resolveTCPAddrs gives up on, with its words for why."""


def _resolved(url: str) -> str:
    """The URL with its host name looked up (IPv4), as netutil's resolveURL does for any host
    that is neither localhost nor an IP address; a name that does not resolve stays. A port
    that is no number from 0 to 65535 raises _Unresolved at once (etcd retries for 30 seconds
    before it gives up)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.netloc.rpartition("]")[2].rpartition(":")[2]
    if host == "localhost" or _is_ip(host) or not port:
        return url
    if port.strip("0123456789") or int(port) > 65535:  # net.LookupPort
        raise _Unresolved(f'failed to resolve "{url}" (address {port}: invalid port)')
    try:
        address = socket.gethostbyname(host)
    except OSError:
        return url
    return parts._replace(netloc=f"{address}:{int(port)}").geturl()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@mirrors("go.etcd.io/etcd/client/pkg/v3/types.NewURLs")
def check_peer_urls(peer_urls: Sequence[str]) -> tuple[str, ...]:
    """The peer URLs a member add gives, as Go's url.URL prints them back (trimmed, the scheme
    in lower case) and sorted; at least one, each SCHEME://HOST:PORT (http, https, unix or
    unixs) with no path and no character url.Parse refuses in a host name, else
    ErrMemberBadURLs, as v3rpc's MemberAdd checks them (etcd 3.4's MemberUpdate checks nothing)."""
    if not peer_urls:
        raise ErrMemberBadURLs(problem="no URL given")
    checked = []
    for url in peer_urls:
        text = url.strip()
        try:
            parts = urlsplit(text)
        except ValueError:
            raise ErrMemberBadURLs(url=url) from None
        host = parts.netloc.rpartition("@")[2]
        if (_BAD_ESCAPE.search(text) or parts.scheme not in ("http", "https", "unix", "unixs")
                or parts.path or not _is_host_port(host) or not _valid_optional_port(host)
                or _BAD_HOST_CHAR.search(host)):
            raise ErrMemberBadURLs(url=url)
        rest = text[len(parts.scheme):].replace(parts.netloc, _escape_non_ascii(parts.netloc), 1)
        checked.append(parts.scheme + rest)
    return tuple(sorted(checked))


@mirrors("go.etcd.io/etcd/client/pkg/v3/types.NewURLs")
def url_flag_problem(urls: Sequence[str]) -> str | None:
    """Why a URL flag's value (its comma-separated URLs) does not parse, in the words of
    types.NewURLs and url.Parse, which etcd's flag parsing prints; None if it parses."""
    if not urls:
        return "no valid URLs given"
    for url in urls:
        text = url.strip()
        try:
            parts = urlsplit(text)
        except ValueError:
            return f'parse "{text}": invalid URL'
        if text.startswith(":"):
            return f'parse "{text}": missing protocol scheme'
        if not parts.scheme and ":" in text.partition("/")[0]:  # url.Parse takes no scheme before a digit
            return f'parse "{text}": first path segment in URL cannot contain colon'
        host = parts.netloc.rpartition("@")[2]
        colon, port = host.rpartition("]")[2].rpartition(":")[1:]
        if colon and port.strip("0123456789"):
            return f'parse "{text}": invalid port ":{port}" after host'
        if parts.scheme not in ("http", "https", "unix", "unixs"):
            return f"URL scheme must be http, https, unix, or unixs: {text}"
        if not _is_host_port(host):
            return f'URL address does not have the form "host:port": {text}'
        if parts.path:
            return f"URL must not contain a path: {text}"
    return None


# ASCII that net/url's shouldEscape refuses in a host name (bytes past ASCII it lets through).
_BAD_HOST_CHAR = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:\[\]<>\"%\x80-\U0010ffff]")


def _escape_non_ascii(netloc: str) -> str:
    """A host (and user) as url.URL's String writes it: each byte past ASCII as %XX."""
    return re.sub(r"[^\x00-\x7f]+", lambda run: "".join(f"%{b:02X}" for b in bytes_of(run[0])), netloc)


def _valid_optional_port(host: str) -> bool:
    """Whether url.Parse takes the port after a host's last colon outside brackets (net/url's
    validOptionalPort): ASCII digits only, or none."""
    port = host.rpartition("]")[2].rpartition(":")[2]
    return all("0" <= c <= "9" for c in port)


def _is_host_port(text: str) -> bool:
    """Whether Go's net.SplitHostPort accepts `text`: HOST:PORT or [HOST]:PORT, one colon outside
    brackets (the port need not be a number)."""
    if text.startswith("["):
        host, sep, port = text[1:].partition("]")
        return bool(sep) and port.startswith(":") and ":" not in port[1:] and "[" not in host
    host, sep, _ = text.rpartition(":")
    return bool(sep) and ":" not in host and "[" not in text and "]" not in text


def member_to_plain(member: Member) -> dict:
    return {"id": member.id, "name": member.name, "peer_urls": list(member.peer_urls),
            "client_urls": list(member.client_urls), "is_learner": member.is_learner}


def member_from_plain(data: Mapping) -> Member:
    return Member(data["id"], data["name"], tuple(data["peer_urls"]), tuple(data["client_urls"]),
                  data["is_learner"])


# -- entries --------------------------------------------------------------------------------------

def encode_request(request_id: int, request: MutatingRequest, now: float) -> bytes:
    """An entry's payload: etcd's InternalRaftRequest, as JSON, a newline and the request's
    bytes (keys, values) raw."""
    raw = bytearray()
    head = jsonbytes.dumps({"id": request_id, "now": now, "req": to_plain(request, raw)})
    return b"".join((head, b"\n", raw))


def decode_entry(data: bytes) -> tuple[dict, bytes]:
    """(the JSON, the raw bytes after it) of a normal entry's payload. Compact JSON holds no
    raw newline, so the first one ends it; a payload with none is all JSON."""
    head, _, raw = data.partition(b"\n")
    return json.loads(head), raw


@mirrors(f"(*{ETCDSERVER}.EtcdServer).publishV3")
def encode_attributes(request_id: int, member: Member) -> bytes:
    """The payload announcing a member's name and client URLs to the cluster once it has started."""
    return jsonbytes.dumps({"id": request_id, "attr": member_to_plain(member)})


@mirrors(f"(*{ETCDSERVER}.EtcdServer).updateClusterVersionV2")
def encode_cluster_version(request_id: int, version: str) -> bytes:
    """The payload by which the leader sets the cluster version (major.minor.0) for everyone."""
    return jsonbytes.dumps({"id": request_id, "cluster_version": version})


@dataclass
class Applied:
    """What applying one Ready decided, for the owner to hand to the waiting clients."""

    # request id → (True, response) or (False, the EtcdError it got)
    results: dict[int, tuple[bool, object]] = field(default_factory=dict)
    # conf change id → (True, members after it) or (False, the EtcdError that refused it)
    conf_changes: dict[int, tuple[bool, object]] = field(default_factory=dict)
    snapshot_installed: bool = False
    removed: bool = False


class RaftNode:
    """One member's replicated state machine: a RawNode in front of an `EtcdServer`."""

    def __init__(self, rawnode: RawNode, server: EtcdServer, members: Mapping[int, Member],
                 *, cluster_id: int, snapshot_count: int, catch_up_entries: int) -> None:
        self.rawnode = rawnode
        self.server = server
        self.members = dict(members)
        # Fixed when the cluster is bootstrapped (from its first members), whatever joins later.
        self.cluster_id = cluster_id
        self.snapshot_count = snapshot_count
        self.catch_up_entries = catch_up_entries
        self.applied = rawnode.raft.raft_log.applied
        self.snapshot_index = rawnode.raft.raft_log.storage.snapshot().metadata.index
        self.conf_state = rawnode.raft.prs.conf_state()
        self.revoking: set[int] = set()  # leases whose revoke this leader has proposed
        # The last entry a restart applies again (see _apply_normal).
        self.replay_until = rawnode.raft.raft_log.committed
        # Requests proposed here, by their entry's payload: applying one needs no decoding. (A
        # payload names its request completely, so an equal payload from elsewhere is the same.)
        self._proposed: dict[bytes, tuple[int, MutatingRequest, float]] = {}
        self._sync_header()

    @property
    def id(self) -> int:
        return self.rawnode.raft.id

    def _sync_header(self) -> None:
        self.server.raft_term = self.rawnode.raft.term
        self.server.cluster_id = self.cluster_id

    # -- input -----------------------------------------------------------------------------------

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).processInternalRaftRequestOnce")
    def propose(self, request_id: int, request: MutatingRequest, now: float, *, checked: bool = False) -> None:
        """Check and prepare `request` as the one-member server would, then propose it; raises
        ErrProposalDropped when there is no leader to take it (the caller answers "no leader").
        `checked`: its form was checked already, which leaves its size."""
        self.server.check(request, checked=checked)
        request = self.server.prepare(request)
        data = encode_request(request_id, request, now)
        self._proposed[data] = (request_id, request, now)
        try:
            self.rawnode.propose(data)
        except BaseException:
            del self._proposed[data]
            raise

    def forget_proposals(self) -> None:
        """Leadership moved: what was proposed here and not applied may never commit."""
        self._proposed.clear()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).AddMember", f"(*{ETCDSERVER}.EtcdServer).RemoveMember",
             f"(*{ETCDSERVER}.EtcdServer).PromoteMember", f"(*{ETCDSERVER}.EtcdServer).UpdateMember")
    def propose_conf_change(self, cc: ConfChange) -> None:
        """Refuse a change that cannot apply (as etcd checks before proposing), then propose it."""
        self.validate_conf_change(cc, proposing=True)
        self.rawnode.propose_conf_change(cc)

    @mirrors(f"(*{MEMBERSHIP}.RaftCluster).ValidateConfigurationChange")
    def validate_conf_change(self, cc: ConfChange, proposing: bool = False) -> None:
        T = ConfChangeType
        if cc.node_id in self.server.removed_members:
            # ErrIDRemoved, which v3rpc answers as "member not found": the same URLs added again
            # within the second they were removed in hash to the removed id.
            raise ErrMemberNotFound(member_id=cc.node_id, removed=True)
        if cc.type in (T.ConfChangeAddNode, T.ConfChangeAddLearnerNode) and cc.context:
            new = member_from_plain(json.loads(cc.context))
            # An add, not a promotion (which carries no member): its id must be new. An id
            # hashes the peer URLs and the second: the same URLs again within it are refused.
            if cc.node_id in self.members:
                raise ErrMemberIDExists(member_id=cc.node_id)
            urls = {u for m in self.members.values() for u in m.peer_urls}
            if urls & set(new.peer_urls):
                raise ErrPeerURLExist()
            if new.is_learner and sum(m.is_learner for m in self.members.values()) >= MAX_LEARNERS:
                raise ErrTooManyLearners()
        elif cc.type == T.ConfChangeAddNode:
            # A promotion; or, once applied, a bootstrap entry naming a member of --initial-cluster.
            member = self.members.get(cc.node_id)
            if member is None:
                raise ErrMemberNotFound()
            if proposing and not member.is_learner:
                raise ErrMemberNotLearner()
        elif cc.node_id not in self.members:
            raise ErrMemberNotFound()
        elif cc.type == T.ConfChangeUpdateNode:
            # The new URLs may not be another member's.
            taken = {u for m in self.members.values() if m.id != cc.node_id for u in m.peer_urls}
            if taken & set(member_from_plain(json.loads(cc.context)).peer_urls):
                raise ErrPeerURLExist()

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).revokeExpiredLeases")
    def expired_leases(self, now: float) -> list[int]:
        """On the leader only (followers never expire leases): leases due for a revoke proposal."""
        if not self.is_leader():
            self.revoking.clear()
            return []
        due = [i for i in self.server.expired_leases(now) if i not in self.revoking]
        self.revoking.update(due)
        return due

    @mirrors("(*go.etcd.io/etcd/server/v3/lease.lessor).checkpointScheduledLeases")
    def due_checkpoints(self, now: float) -> LeaseCheckpointRequest | None:
        """On the leader only: the checkpoints due now, as one request (None: none due)."""
        if not self.is_leader():
            return None
        due = self.server.lessor.due_checkpoints(now)
        return LeaseCheckpointRequest(tuple(LeaseCheckpoint(*c) for c in due)) if due else None

    def is_leader(self) -> bool:
        return self.rawnode.raft.lead == self.id

    # -- the Ready ---------------------------------------------------------------------------------

    @mirrors(f"(*{ETCDSERVER}.raftNode).start")
    def stable(self, rd: Ready) -> None:
        """Hand what `rd` asked to persist to the Raft storage: the owner calls this once the
        snapshot, entries and hard state are on its disk (or at once, in a simulation)."""
        storage = self.rawnode.raft.raft_log.storage
        if not rd.snapshot.is_empty():
            storage.apply_snapshot(rd.snapshot)
        storage.append(rd.entries)
        if not rd.hard_state.is_empty():
            storage.set_hard_state(rd.hard_state)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).applyAll", f"(*{ETCDSERVER}.EtcdServer).apply")
    def apply(self, rd: Ready) -> Applied:
        """Install `rd.snapshot` if there is one, then apply the committed entries in order."""
        out = Applied()
        if not rd.snapshot.is_empty() and rd.snapshot.metadata.index > self.applied:
            self.install_snapshot(rd.snapshot)
            out.snapshot_installed = True
        for entry in rd.committed_entries:
            if entry.index <= self.applied:
                continue
            if entry.type == EntryType.EntryConfChange:
                self._apply_conf_change(entry, out)
            elif entry.data:
                self._apply_normal(entry, out)
            self.applied = entry.index
            self.server.raft_index = entry.index
        self._sync_header()
        return out

    def publish(self, request_id: int, member: Member) -> None:
        self.rawnode.propose(encode_attributes(request_id, member))

    def propose_cluster_version(self, request_id: int, version: str) -> None:
        self.rawnode.propose(encode_cluster_version(request_id, version))

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).applyEntryNormal")
    def _apply_normal(self, entry: Entry, out: Applied) -> None:
        proposed = self._proposed.pop(entry.data, None)
        if proposed is not None:
            request_id, request, now = proposed
        else:
            plain, raw = decode_entry(entry.data)
            request_id = plain["id"]
            if "attr" in plain:
                member = member_from_plain(plain["attr"])
                if member.id in self.members:
                    self.members[member.id] = replace(self.members[member.id], name=member.name,
                                                      client_urls=member.client_urls)
                out.results[request_id] = (True, None)
                return
            if "cluster_version" in plain:
                self.server.cluster_version = plain["cluster_version"]
                out.results[request_id] = (True, None)
                return
            request, now = from_plain(plain["req"], raw), plain["now"]
        revision = self.server.store.current_revision
        try:
            out.results[request_id] = (True, self.server.apply(request, now))
        except EtcdError as err:
            out.results[request_id] = (False, err)
        if entry.index <= self.replay_until and self.server.store.current_revision != revision:
            # etcd 3.4 saves its consistent index with each key-value write only, and a restart
            # applies just the entries after it: what the entries before this write left in
            # memory only (tokens, unpersisted lease checkpoints) was never set again there.
            self.server.auth.forget_tokens()
            self.server.lessor.forget_unpersisted_checkpoints()
        if isinstance(request, LeaseRevokeRequest):
            self.revoking.discard(request.id)

    def _validate_committed(self, cc: ConfChange) -> None:
        """The check every member repeats when a conf change commits. It reads the Raft
        configuration, which every member rebuilds identically from the log, not the member
        list: a member that joined late starts from today's list and replays old entries, so
        judging them by the list would make it decide differently from the others."""
        T = ConfChangeType
        progress = self.rawnode.raft.prs.progress
        if cc.type == T.ConfChangeRemoveNode and cc.node_id not in progress:
            raise ErrMemberNotFound()
        if cc.type == T.ConfChangeAddLearnerNode and cc.node_id in progress:
            raise ErrMemberIDExists(member_id=cc.node_id)

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).applyConfChange")
    def _apply_conf_change(self, entry: Entry, out: Applied) -> None:
        cc = ConfChange.unmarshal(entry.data)
        try:
            self._validate_committed(cc)
        except EtcdError as err:
            # Decided not to apply, on every member alike: raft still hears of it, with no node.
            self.conf_state = self.rawnode.apply_conf_change(replace(cc, node_id=0))
            out.conf_changes[cc.id] = (False, err)
            return
        self.conf_state = self.rawnode.apply_conf_change(cc)
        T = ConfChangeType
        if cc.type in (T.ConfChangeAddNode, T.ConfChangeAddLearnerNode):
            if cc.context:
                self.members[cc.node_id] = member_from_plain(json.loads(cc.context))
            elif cc.node_id in self.members:
                # A bootstrap entry (the member list has it from --initial-cluster) or a
                # learner's promotion.
                self.members[cc.node_id] = replace(self.members[cc.node_id], is_learner=False)
        elif cc.type == T.ConfChangeRemoveNode:
            self.members.pop(cc.node_id, None)
            self.server.removed_members.add(cc.node_id)
            out.removed = out.removed or cc.node_id == self.id
        elif cc.type == T.ConfChangeUpdateNode and cc.context and cc.node_id in self.members:
            # RaftCluster.UpdateRaftAttributes replaces the raft attributes whole: the learner
            # flag too, which etcd 3.4's MemberUpdate never sets (Raft keeps its learner).
            updated = member_from_plain(json.loads(cc.context))
            self.members[cc.node_id] = replace(self.members[cc.node_id], peer_urls=updated.peer_urls,
                                               is_learner=updated.is_learner)
        out.conf_changes[cc.id] = (True, tuple(self.members.values()))

    def advance(self, rd: Ready) -> None:
        self.rawnode.advance(rd)

    # -- snapshots ---------------------------------------------------------------------------------

    def snapshot_data(self) -> bytes:
        return encode_snapshot(self.server, [member_to_plain(m) for m in self.members.values()])

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).applySnapshot")
    def install_snapshot(self, snap: Snapshot) -> None:
        """Replace the state machine with the leader's snapshot (a follower far behind)."""
        state, records, members = decode_snapshot(snap.data)
        old = self.server
        server = EtcdServer(old.clock, name=old.member.name, member_id=old.member.id,
                            peer_urls=old.member.peer_urls, client_urls=old.member.client_urls,
                            quota_backend_bytes=old.quota_backend_bytes,
                            max_request_bytes=old.max_request_bytes, max_txn_ops=old.max_txn_ops,
                            min_lease_ttl=old.lessor.min_ttl,
                            progress_interval=old.watches.progress_interval,
                            token_ttl=old.auth.token_ttl, token_type=old.auth.token_type,
                            lease_checkpoints=old.lessor.checkpoints,
                            persist_lease_checkpoints=old.lessor.persist_checkpoints)
        recover_state(server, state, records)
        server.set_watch_listener(old.watches.listener)
        self.server = server
        self.members = {m.id: m for m in map(member_from_plain, members)}
        self.applied = snap.metadata.index
        self.snapshot_index = snap.metadata.index
        self.conf_state = snap.metadata.conf_state
        self.server.raft_index = snap.metadata.index

    @mirrors(f"(*{ETCDSERVER}.EtcdServer).triggerSnapshot", f"(*{ETCDSERVER}.EtcdServer).snapshot")
    def maybe_snapshot(self, force: bool = False) -> Snapshot | None:
        """Every `snapshot_count` applied entries (or now, if `force` and anything was applied
        since the last): a snapshot at the applied index, and the log before it compacted, all
        but `catch_up_entries` kept for slow followers. The owner must persist it."""
        if self.applied - self.snapshot_index <= (0 if force else self.snapshot_count):
            return None
        storage = self.rawnode.raft.raft_log.storage
        snap = storage.create_snapshot(self.applied, self.conf_state, self.snapshot_data())
        compact_to = self.applied - self.catch_up_entries
        if compact_to > storage.first_index():
            storage.compact(compact_to)
        self.snapshot_index = self.applied
        return snap


def conf_change_for_add(member: Member, learner: bool, change_id: int) -> ConfChange:
    kind = ConfChangeType.ConfChangeAddLearnerNode if learner else ConfChangeType.ConfChangeAddNode
    return ConfChange(kind, member.id, json.dumps(member_to_plain(member)).encode(), change_id)
