"""HTTP/1 on the peer port, as etcd 3.4's peer mux answers what a person or a script asks it:
GET /members (the cluster's members, what a member being added reads), GET /version and the
probing endpoint /raft/probing that etcd's peers poll for health; any other path is Go's 404.

The reference's Raft messages and peer queries travel in frames of its own (peer.py), not in
rafthttp's and leasehttp's HTTP requests, so their paths (/raft, /raft/stream/, /raft/snapshot,
/leases, /members/promote/) are not served here. peer.Transport tells the two apart by a
connection's first byte: a frame opens with its length, under 512 MiB, so never with the
letter an HTTP method begins with.
"""
from __future__ import annotations

import datetime
import json
import socket

from reference_impl.etcd.backend import marshal_member
from reference_impl.etcd.etcdhttp import ETCDHTTP, JSON, PATH_VERSION, RAFTHTTP, MetricsHandler
from reference_impl.mirrors import mirrors

PATH_MEMBERS = "/members"
PATH_PROBING = "/raft/probing"  # rafthttp's ProbingPrefix


def is_http_request(first: bytes) -> bool:
    """Whether a peer connection's first byte opens an HTTP/1 request line (a method's letter)."""
    return first[:1].isalpha()


def members_json(members) -> bytes:
    """The members as json.Encoder writes etcd's []*membership.Member: in id order, each as
    the members bucket holds it, and a newline."""
    ordered = sorted(members, key=lambda member: member.id)
    return b"[" + b",".join(marshal_member(member)[1] for member in ordered) + b"]\n"


def go_time_json(now: datetime.datetime) -> str:
    """A UTC time as Go's time.Time marshals to JSON (RFC 3339, trailing zeros of the fraction
    dropped)."""
    text = now.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"


class PeerHTTP:
    """What the peer port's HTTP handlers serve: the member."""

    def __init__(self, member) -> None:
        self.member = member

    def serve_connection(self, connection: socket.socket, peer: tuple) -> None:
        PeerHandler(connection, peer, self)


class PeerHandler(MetricsHandler):
    """etcd's peer mux: "/" is http.NotFound, /members and /version its own handlers."""

    server: PeerHTTP

    def serve(self, path: str, query: str) -> None:
        if path == PATH_MEMBERS:
            self.members()
        elif path == PATH_VERSION:
            self.version()
        elif path == PATH_PROBING:
            self.probing()
        else:
            self.error(404, "404 page not found")

    @mirrors(f"(*{ETCDHTTP}.peerMembersHandler).ServeHTTP")
    def members(self) -> None:
        if self.command != "GET":
            self.error(405, "Method Not Allowed", {"Allow": "GET"})
            return
        member = self.server.member
        # types.ID.String: hexadecimal, not padded
        headers = {"Content-Type": JSON, "X-Etcd-Cluster-Id": f"{member.node.cluster_id:x}"}
        self.reply(200, members_json(member.members()), headers)

    @mirrors(f"(*{RAFTHTTP}.Transport).Handler")
    def probing(self) -> None:
        """The handler rafthttp's Transport puts at /raft/probing, github.com/xiang90/probing's (a
        module etcd's tree does not hold), any method: OK and the time now, written with no
        Content-Type (Go sniffs text/plain)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        body = json.dumps({"OK": True, "Now": go_time_json(now)}, separators=(",", ":")) + "\n"
        self.reply(200, body.encode(), {}, sniffed="text/plain; charset=utf-8")
