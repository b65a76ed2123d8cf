"""The kubelet's port-forward endpoint: the checks before the SPDY upgrade, streams paired by
request, and the bytes of each pair copied to and from the pod's port, a failed dial reported on
the error stream as kubectl prints it."""
from __future__ import annotations

import email.message
import socket
import threading

import pytest

from reference_impl.kubelet.actions import PodKey
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.portforward import PortForwardRequestError, StreamPairs, negotiate, stream_problem
from reference_impl.machinery import spdy

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"}, "spec": {"containers": [{"name": "c"}]}}
KEY = PodKey("ns", "p", "u1")
SPDY_UPGRADE = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": "portforward.k8s.io"}


def headers(**values: str) -> email.message.Message:
    message = email.message.Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = value
    return message


def test_a_client_that_does_not_speak_portforward_k8s_io_is_forbidden():
    with pytest.raises(PortForwardRequestError) as caught:
        negotiate(headers(Connection="Upgrade", Upgrade="SPDY/3.1", X_Stream_Protocol_Version="v4.channel.k8s.io"))
    assert (caught.value.code, caught.value.body()[-1]) == (403, "\n")  # http.Error's Fprintln
    assert caught.value.message == ("unable to upgrade: unable to negotiate protocol: client supports "
                                    "[v4.channel.k8s.io], server accepts [portforward.k8s.io]")
    assert caught.value.headers == (("X-Accepted-Stream-Protocol-Versions", "portforward.k8s.io"),)


def test_the_protocol_is_checked_before_the_upgrade_headers():
    """Handshake runs first (403); only then does the SPDY upgrader want its headers (400)."""
    with pytest.raises(PortForwardRequestError) as caught:
        negotiate(headers(X_Stream_Protocol_Version="portforward.k8s.io"))
    assert caught.value.code == 400
    assert negotiate(headers(**{k.replace("-", "_"): v for k, v in SPDY_UPGRADE.items()})) == "portforward.k8s.io"


@pytest.mark.parametrize("values, problem", [
    ({"streamtype": "data"}, '"port" header is required'),
    ({"streamtype": "data", "port": "http"}, 'unable to parse "http" as a port'),
    ({"streamtype": "data", "port": "0"}, 'port "0" must be > 0'),
    ({"port": "80"}, '"streamType" header is required'),
    ({"port": "80", "streamtype": "resize"}, 'invalid stream type "resize"'),
    ({"port": "80", "streamtype": "error"}, None),
])
def test_a_stream_needs_a_port_and_a_known_type(values, problem):
    assert stream_problem(values) == problem


def test_a_pair_is_complete_with_its_error_and_data_streams():
    pairs = StreamPairs()
    pair, complete = pairs.add(1, {"streamtype": "error", "port": "80", "requestid": "7"})
    assert not complete
    pair, complete = pairs.add(3, {"streamtype": "data", "port": "80", "requestid": "7"})
    assert complete and (pair.error_stream, pair.data_stream, pair.port) == (1, 3, 80)
    assert pairs.pairs == {}


def test_streams_without_a_request_id_pair_by_their_ids():
    """An old client sends no requestID: the data stream is the error stream's id plus two."""
    pairs = StreamPairs()
    pairs.add(5, {"streamtype": "error", "port": "80"})
    pair, complete = pairs.add(7, {"streamtype": "data", "port": "80"})
    assert complete and pair.request_id == "5"


def test_a_second_stream_of_one_type_is_refused():
    pairs = StreamPairs()
    pairs.add(1, {"streamtype": "error", "port": "80", "requestid": "0"})
    with pytest.raises(ValueError, match="error stream already assigned"):
        pairs.add(3, {"streamtype": "error", "port": "80", "requestid": "0"})


# --- the server -----------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path):
    pods = {("ns", "p"): POD}
    log_server = LogServer(tmp_path, lambda ns, name: pods.get((ns, name)), lambda key, name: True,
                           pod_address=lambda key: "127.0.0.1" if key == KEY else None, tls=None, auth=None)
    log_server.start()
    yield log_server
    log_server.stop()


@pytest.fixture
def echo_port():
    """A pod's port on 127.0.0.1 that answers each connection with what it read, upper-cased, once
    the client half-closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
                conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def upgrade(server, path="/portForward/ns/p", extra=SPDY_UPGRADE) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection((server.host, server.port), timeout=10)
    lines = [f"POST {path} HTTP/1.1", "Host: kubelet", *(f"{k}: {v}" for k, v in extra.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    return sock, head


def frames_until(sock, reader: spdy.FrameReader, done) -> list:
    """Frames read until `done(frames)` holds."""
    frames: list = []
    while not done(frames):
        data = sock.recv(65536)
        assert data, f"the kubelet closed the connection after {frames}"
        frames += reader.feed(data)
    return frames


def finished(stream_id: int):
    return lambda frames: any(isinstance(f, spdy.Data) and f.stream_id == stream_id and f.fin for f in frames)


def open_pair(sock, writer: spdy.FrameWriter, port: int, request_id: str, first_id: int) -> None:
    """What kubectl sends per connection: an error stream closed at once, then a data stream."""
    sock.sendall(writer.syn_stream(first_id, {"streamType": "error", "port": str(port), "requestID": request_id},
                                   fin=True))
    sock.sendall(writer.syn_stream(first_id + 2, {"streamType": "data", "port": str(port), "requestID": request_id}))


def test_the_data_stream_carries_bytes_to_the_pods_port_and_back(server, echo_port):
    sock, head = upgrade(server)
    assert head.startswith(b"HTTP/1.1 101") and b"X-Stream-Protocol-Version: portforward.k8s.io" in head
    writer, reader = spdy.FrameWriter(), spdy.FrameReader()
    with sock:
        open_pair(sock, writer, echo_port, "0", 1)
        sock.sendall(writer.data(3, b"hello ") + writer.data(3, b"pod", fin=True))
        frames = frames_until(sock, reader, finished(1))
    assert [f.stream_id for f in frames if isinstance(f, spdy.SynReply)] == [1, 3]
    assert b"".join(f.data for f in frames if isinstance(f, spdy.Data) and f.stream_id == 3) == b"HELLO POD"
    assert all(f.data == b"" for f in frames if isinstance(f, spdy.Data) and f.stream_id == 1)


def test_two_connections_forward_side_by_side_on_one_upgrade(server, echo_port):
    sock, _ = upgrade(server)
    writer, reader = spdy.FrameWriter(), spdy.FrameReader()
    with sock:
        open_pair(sock, writer, echo_port, "0", 1)
        open_pair(sock, writer, echo_port, "1", 5)
        sock.sendall(writer.data(7, b"second", fin=True) + writer.data(3, b"first", fin=True))
        frames = frames_until(sock, reader, lambda fs: finished(1)(fs) and finished(5)(fs))
    data = {sid: b"".join(f.data for f in frames if isinstance(f, spdy.Data) and f.stream_id == sid) for sid in (3, 7)}
    assert data == {3: b"FIRST", 7: b"SECOND"}


def test_a_port_nobody_listens_on_is_reported_on_the_error_stream(server):
    """kubectl prints it as `an error occurred forwarding L -> R: <this text>`; the pod is named by
    its sandbox (here its uid) and the uid left empty, as the CRI streaming server does."""
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    sock, _ = upgrade(server)
    writer, reader = spdy.FrameWriter(), spdy.FrameReader()
    with sock:
        open_pair(sock, writer, port, "0", 1)
        frames = frames_until(sock, reader, finished(1))
    error = b"".join(f.data for f in frames if isinstance(f, spdy.Data) and f.stream_id == 1).decode()
    assert error == (f"error forwarding port {port} to pod u1, uid : "
                     f"dial tcp 127.0.0.1:{port}: connect: connection refused")


def test_a_stream_without_a_port_is_reset(server):
    sock, _ = upgrade(server)
    writer, reader = spdy.FrameWriter(), spdy.FrameReader()
    with sock:
        sock.sendall(writer.syn_stream(1, {"streamType": "data"}))
        frames = frames_until(sock, reader, lambda fs: bool(fs))
    assert frames == [spdy.RstStream(1, spdy.CANCEL)]


def test_a_ping_is_answered(server):
    """client-go pings a port-forward connection to keep proxies from closing it."""
    sock, _ = upgrade(server)
    with sock:
        sock.sendall(spdy.FrameWriter.ping(1))
        assert frames_until(sock, spdy.FrameReader(), lambda fs: bool(fs)) == [spdy.Ping(1)]


def test_a_websocket_request_without_ports_is_refused_so_kubectl_falls_back_to_spdy(server):
    """kubectl 1.31+ first tunnels SPDY in a WebSocket; the 1.24 kubelet wants WebSocket ports in
    the query and answers 400, after which kubectl upgrades to SPDY instead."""
    sock, head = upgrade(server, extra={"Connection": "Upgrade", "Upgrade": "websocket",
                                        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                        "Sec-WebSocket-Protocol": "SPDY/3.1+portforward.k8s.io"})
    with sock:
        body = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 400") and body == b'query parameter "port" is required'


def test_a_pod_the_kubelet_does_not_have_is_404_and_one_without_a_sandbox_500(server):
    sock, head = upgrade(server, path="/portForward/ns/other")
    sock.close()
    assert head.startswith(b"HTTP/1.1 404")
    server._httpd.pod_address = lambda key: None
    sock, head = upgrade(server)
    with sock:
        body = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 500") and body == b"failed to find sandboxID for pod p_ns(u1)"
