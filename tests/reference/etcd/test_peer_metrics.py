"""rafthttp's etcd_network_* families for the reference's peer transport, which etcd's dashboard
reads for a cluster (peer sent and received bytes) and the reference did not serve: counted on
two transports talking over loopback."""
from __future__ import annotations

import json
import queue
import socket
import struct
import threading
import time

from reference_impl.cluster import free_port
from reference_impl.etcd.peer import Transport, encode_message
from reference_impl.etcd.raft import Message, MessageType


def _transport(port: int | None, local_id: int, received: queue.Queue) -> Transport:
    return Transport(("127.0.0.1", port) if port else None, received.put, lambda peer: None,
                     lambda peer, failed: None, local_id=local_id)


def test_peer_bytes_are_counted_each_way_and_a_connection_is_an_active_peer():
    """Labels as etcd writes them: member ids in hexadecimal, To and From by peer, Local and
    Remote for the connection; a frame counts whole, its length prefix too."""
    port = free_port()
    received: queue.Queue = queue.Queue()
    a, b = _transport(None, 0xA1, queue.Queue()), _transport(port, 0xB2, received)
    try:
        a.add_peer(0xB2, (f"http://127.0.0.1:{port}",))
        b.add_peer(0xA1, (f"http://127.0.0.1:{free_port()}",))  # a member b knows; a does not listen
        message = Message(MessageType.MsgHeartbeat, to=0xB2, from_=0xA1, term=3, commit=7)
        a.send([message])
        assert received.get(timeout=5) == message
        frame = struct.calcsize(">I") + len(encode_message(message))
        for _ in range(100):  # counted once the write returned, which may be after b read it
            if a.metrics.sent_bytes.value("b2"):
                break
            time.sleep(0.01)
        assert a.metrics.sent_bytes.value("b2") == frame
        assert b.metrics.received_bytes.value("a1") == frame
        assert a.metrics.active_peers.value("a1", "b2") == 1
        assert 'etcd_network_peer_sent_bytes_total{To="b2"}' in a.metrics.sent_bytes.text()
    finally:
        a.close()
        b.close()


def test_a_message_to_a_peer_that_cannot_be_reached_is_a_send_failure():
    a = _transport(None, 0xA1, queue.Queue())
    try:
        a.add_peer(0xB2, (f"http://127.0.0.1:{free_port()}",))  # nobody listens there
        a.send([Message(MessageType.MsgHeartbeat, to=0xB2, from_=0xA1)])
        for _ in range(100):
            if a.metrics.sent_failures.value("b2"):
                break
            time.sleep(0.05)
        assert a.metrics.sent_failures.value("b2") == 1
        assert a.metrics.active_peers.value("a1", "b2") == 0
    finally:
        a.close()


def test_a_frame_from_an_unknown_or_malformed_sender_adds_no_series(monkeypatch):
    """etcd takes a peer stream only from a member it knows, so received bytes are labelled by
    members alone: a client of the peer port naming ever new senders adds no series; a sender
    that is no integer (1.5) drops the connection as any malformed frame does, where it raised
    in the reading thread."""
    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    port = free_port()
    b = _transport(port, 0xB2, queue.Queue())
    try:
        plain = json.loads(encode_message(Message(MessageType.MsgHeartbeat, to=0xB2, from_=0xEE, term=3)))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            for sender in (0xEE, 0xEF, 1.5):
                frame = json.dumps({**plain, "from": sender}).encode()
                connection.sendall(struct.pack(">I", len(frame)) + frame)
            assert connection.recv(1) == b""
        assert "{" not in b.metrics.received_bytes.text()
        assert failures == []
    finally:
        b.close()
