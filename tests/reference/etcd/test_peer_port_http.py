"""HTTP/1 on the peer port, side by side with real etcd 3.4: GET /members and /version (what
`curl PEER_URL/members` shows an operator), the probing endpoint, Go's mux answers for a wrong
method, an unclean path and an unknown one. The reference answered none of them: its peer port
speaks only its own framed Raft transport, and closed the connection."""
from __future__ import annotations

import queue
import re
import socket
import time

import pytest

from processes import real_etcd, reference_server
from reference_impl.cluster import free_port
from reference_impl.etcd.peer import Transport
from reference_impl.etcd.peerhttp import PeerHTTP
from reference_impl.etcd.raft import Message, MessageType
from test_client_port_http import exchange

REQUESTS = [("GET", "/members"), ("GET", "/members?x=1"), ("GET", "/version"), ("POST", "/members"),
            ("HEAD", "/members"), ("PUT", "/version"), ("GET", "//members"), ("GET", "/members/"),
            ("GET", "/raft/probing"), ("GET", "/nothing")]


def normalise(response: str) -> str:
    response = re.sub(r"Date: [^\r]*", "Date: <date>", response)
    response = re.sub(r"Content-Length: \d+", "Content-Length: <n>", response)
    response = re.sub(r"X-Etcd-Cluster-Id: [0-9a-f]+", "X-Etcd-Cluster-Id: <id>", response)
    response = re.sub(r'"id":\d+', '"id":<n>', response)
    response = re.sub(r'"Now":"[^"]+"', '"Now":"<now>"', response)
    return re.sub(r"http://(127\.0\.0\.1|localhost):\d+", "<url>", response)


def peer_address(server) -> str:
    """host:port of the peer URL: the reference's is the last URL of its ready line."""
    url = re.findall(r"http://[^\s,]+", server.ready)[-1] if server.kind == "reference" else server.peer_url
    return url.removeprefix("http://")


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory):
    seen = {}
    for kind, start in (("etcd", real_etcd), ("reference", reference_server)):
        with start(tmp_path_factory.mktemp(kind) / "data") as server:
            address = peer_address(server)
            seen[kind] = [f"$ {method} {path}\n{normalise(exchange(address, method, path, None))}"
                          for method, path in REQUESTS]
    return seen


def test_the_peer_port_answers_http_as_real_etcd(transcripts):
    assert transcripts["reference"] == transcripts["etcd"]


def test_members_on_the_peer_port_lists_the_member_as_etcd_encodes_it(transcripts):
    """One member, in the JSON json.Encoder writes for membership.Member (newline-ended)."""
    members = transcripts["reference"][0]
    assert members.startswith("$ GET /members\nHTTP/1.1 200 OK\r\n")
    assert members.endswith('[{"id":<n>,"peerURLs":["<url>"],"name":"default","clientURLs":["<url>"]}]\n')


def test_raft_frames_still_arrive_on_a_port_that_answers_http():
    """A frame opens with its length, never with a letter: it is read as before."""
    port, received, served = free_port(), queue.Queue(), []
    listening = Transport(("127.0.0.1", port), received.put, lambda peer: None, lambda peer, failed: None,
                          local_id=0xB2, on_http=lambda conn, address: served.append(address))
    sending = Transport(None, queue.Queue().put, lambda peer: None, lambda peer, failed: None, local_id=0xA1)
    try:
        sending.add_peer(0xB2, (f"http://127.0.0.1:{port}",))
        message = Message(MessageType.MsgHeartbeat, to=0xB2, from_=0xA1, term=2)
        sending.send([message])
        assert received.get(timeout=5) == message
        assert served == []
    finally:
        sending.close()
        listening.close()


def test_an_idle_raft_stream_stays_connected_past_the_read_timeout():
    """etcd's Raft streams have no timeout: a follower's stream to another follower may carry
    nothing for long. One that has connected but sent no frame yet is not cut after the HTTP
    read timeout, so the sender's active_since is not reset."""
    port = free_port()
    received = queue.Queue()
    listening = Transport(("127.0.0.1", port), received.put, lambda peer: None,
                          lambda peer, failed: None, local_id=0xB2,
                          on_http=PeerHTTP(member=None).serve_connection, read_timeout=0.3)
    sending = Transport(None, queue.Queue().put, lambda peer: None, lambda peer, failed: None, local_id=0xA1)
    try:
        sending.add_peer(0xB2, (f"http://127.0.0.1:{port}",))
        deadline = time.monotonic() + 5
        while sending.active_since(0xB2) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        since = sending.active_since(0xB2)
        assert since is not None
        time.sleep(1.5)  # five read timeouts, three probes of the sender
        assert sending.active_since(0xB2) == since
        assert len(listening._conns) == 1
        message = Message(MessageType.MsgHeartbeat, to=0xB2, from_=0xA1, term=2)
        sending.send([message])
        assert received.get(timeout=5) == message
    finally:
        sending.close()
        listening.close()


def test_a_half_sent_request_is_dropped_after_the_read_timeout():
    """etcd's peer http.Server has a ReadTimeout (5 minutes): half a request is closed when it
    runs out, not served by a thread for good. (A connection that sends nothing at all is held:
    it cannot be told from a Raft stream that has nothing to say yet.)"""
    sent = b"GET /members HTTP/1.1\r\nHost: x"
    port = free_port()
    listening = Transport(("127.0.0.1", port), queue.Queue().put, lambda peer: None,
                          lambda peer, failed: None, on_http=PeerHTTP(member=None).serve_connection,
                          read_timeout=0.3)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(sent)
            assert client.recv(1) == b""
            assert listening._conns == set()
    finally:
        listening.close()
