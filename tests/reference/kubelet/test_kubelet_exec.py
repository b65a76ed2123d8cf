"""The kubelet's exec endpoint: option parsing, subprotocol negotiation, the error channel's Status,
and the server running commands in a container's environment over remotecommand's channels."""
from __future__ import annotations

import email.message
import fcntl
import io
import http.client
import json
import os
import pty
import socket
import struct
import termios
import threading
import time

import pytest

from reference_impl.kubelet.actions import PodKey, StartContainer
from reference_impl.kubelet import execserver
from reference_impl.kubelet.execserver import (ExecOptions, ExecSession, ExecRequestError, exec_status, expected_streams,
                                               negotiate_protocol, negotiate_stream_protocol, parse_exec_options)
from reference_impl.kubelet import logserver
from reference_impl.kubelet.channels import MAX_RESIZE_DOCUMENT, SpdyChannels
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.runtime import ExecTarget, ProcessRuntime
from reference_impl.machinery import spdy

from tests.reference.kubelet import execclient, spdyclient
from tests.reference.kubelet.execclient import CLOSE, ERROR, RESIZE, STDERR, STDIN, STDOUT


def test_a_stream_is_on_only_for_1():
    """NewOptions reads FormValue == "1": the apiserver writes "1", so "true" is off."""
    options = parse_exec_options({"command": ["ls", "-l"], "output": ["1"], "error": ["true"]})
    assert options.command == ("ls", "-l") and options.stdout and not options.stderr


def test_the_streams_are_named_as_the_apiserver_writes_them():
    """core/v1's ExecStdinParam is "input", ExecStdoutParam "output": a query naming the streams
    as a client names them to the apiserver (stdout) asks the kubelet for none."""
    with pytest.raises(ExecRequestError):
        parse_exec_options({"command": ["ls"], "stdout": ["1"]})
    assert parse_exec_options({"command": ["cat"], "input": ["1"]}).stdin


def test_a_tty_drops_stderr():
    """A TTY merges stderr into stdout: stderr is bypassed, not refused."""
    options = parse_exec_options({"command": ["sh"], "tty": ["1"], "output": ["1"], "error": ["1"]})
    assert options.tty and options.stdout and not options.stderr


def test_no_stream_at_all_is_refused_in_upstreams_words():
    with pytest.raises(ExecRequestError) as caught:
        parse_exec_options({"command": ["ls"], "tty": ["1"], "error": ["1"]})
    assert (caught.value.code, caught.value.message) == (400, "you must specify at least 1 of stdin, stdout, stderr")


def test_the_clients_first_known_subprotocol_wins():
    """wsstream's handshake walks the client's list in its order; none listed is the binary default."""
    assert negotiate_protocol("v5.channel.k8s.io, v4.channel.k8s.io") == "v5.channel.k8s.io"
    assert negotiate_protocol("base64.channel.k8s.io, v4.channel.k8s.io") == "v4.channel.k8s.io"
    assert negotiate_protocol("") == ""
    assert negotiate_protocol("v9.channel.k8s.io") is None


def test_a_non_zero_exit_is_a_NonZeroExitCode_status_with_the_code_as_its_cause():
    """client-go's v4 error decoder reads the exit code from the ExitCode cause's message."""
    status = exec_status(("sh", "-c", "exit 3"), 3)
    assert (status["status"], status["reason"]) == ("Failure", "NonZeroExitCode")
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
    assert exec_status(("true",), 0) == {"metadata": {}, "status": "Success"}


# --- the server -----------------------------------------------------------------------------

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"}, "spec": {"containers": [{"name": "c"}]}}
KEY = PodKey("ns", "p", "u1")


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "rootfs"
    root.mkdir()
    target = ExecTarget({"PATH": "/usr/bin:/bin", "GREETING": "hi", "CONTAINER_ROOT": str(root)}, str(tmp_path))
    pods = {("ns", "p"): POD}
    log_server = LogServer(tmp_path, lambda ns, name: pods.get((ns, name)), lambda key, name: True,
                           exec_target=lambda key, name: target if (key, name) == (KEY, "c") else None,
                           tls=None, auth=None)
    log_server.start()
    yield log_server
    log_server.stop()


def run(server, command, messages=(), protocols="v5.channel.k8s.io", container="c", pod="p", pings=(), **streams):
    path = execclient.kubelet_path(f"/exec/ns/{pod}/{container}", command, **streams)
    return execclient.run(server.host, server.port, path, list(messages), protocols, pings=list(pings))


def test_outputs_go_to_their_own_channels_and_the_exit_code_to_the_error_channel(server):
    result = run(server, ["sh", "-c", "echo out; echo err >&2; exit 3"], stdout=True, stderr=True)
    assert (result.code, result.protocol) == (101, "v5.channel.k8s.io")
    assert (result.channels[STDOUT], result.channels[STDERR]) == (b"out\n", b"err\n")
    assert result.status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]


def test_the_path_with_a_uid_runs_the_command_by_the_pods_name_whatever_the_uid(server):
    """findContainer finds the pod by its full name and looks at the uid only without one."""
    path = execclient.kubelet_path("/exec/ns/p/any-uid/c", ["echo", "by uid"], stdout=True)
    result = execclient.run(server.host, server.port, path, [], "v5.channel.k8s.io")
    assert (result.code, result.channels[STDOUT]) == (101, b"by uid\n")


def test_the_connection_closes_when_the_session_ends_though_the_client_never_answers_the_close(server):
    """The client's reader held the connection's reader lock, and the handler waited for it for
    ever to close the connection."""
    with socket.create_connection((server.host, server.port)) as connection:
        connection.sendall(execclient.WEBSOCKET_EXEC)
        assert execclient.read_to_end(connection, 15).startswith(b"HTTP/1.1 101 ")


def test_the_command_runs_in_the_containers_environment(server, tmp_path):
    """Its env (CONTAINER_ROOT included) and working directory are the container process's."""
    result = run(server, ["sh", "-c", 'echo "$GREETING $CONTAINER_ROOT $(pwd)"'], stdout=True)
    assert result.channels[STDOUT].decode().split() == ["hi", str(tmp_path / "rootfs"), str(tmp_path)]
    assert result.status == {"metadata": {}, "status": "Success"}


def test_stdin_is_read_until_the_v5_close_signal(server):
    """v5's `255 0` half-closes stdin: `cat` sees EOF and the command ends."""
    result = run(server, ["cat"], [bytes([STDIN]) + b"hello ", bytes([STDIN]) + b"world", bytes([CLOSE, STDIN])],
                 stdin=True, stdout=True)
    assert result.channels[STDOUT] == b"hello world"
    assert result.status["status"] == "Success"


def test_a_ping_is_answered_with_its_payload(server):
    """client-go's heartbeat pings the connection and gives up on it without a pong."""
    result = run(server, ["sh", "-c", "sleep 0.3"], pings=[b"beat"], stdout=True)
    assert result.pongs == [b"beat"]


def test_a_client_that_goes_away_takes_the_command_with_it(server, tmp_path):
    """Nothing could read the command's output any more: its process group is killed."""
    pid_file = tmp_path / "pid"
    path = execclient.kubelet_path("/exec/ns/p/c", ["sh", "-c", f"echo $$ > {pid_file}; sleep 30"], stdout=True)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(execclient.upgrade_request(path, "kubelet"))
        assert sock.recv(4096).startswith(b"HTTP/1.1 101")
        pid = _started(pid_file)
    _wait_gone(pid)


def _started(pid_file) -> int:
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the command did not start"
        time.sleep(0.05)
    return int(pid_file.read_text())


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while _alive(pid):
        assert time.monotonic() < deadline, "the command outlived its client"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_tty_carries_stdout_and_takes_a_resize(server):
    """With a TTY the command sees a terminal, sized by the resize channel."""
    size = json.dumps({"Width": 100, "Height": 40}).encode()
    result = run(server, ["sh", "-c", "read x; stty size; test -t 1 && echo tty"],
                 [bytes([RESIZE]) + size, bytes([STDIN]) + b"go\n"], stdin=True, stdout=True, tty=True)
    assert result.channels[STDOUT].replace(b"\r", b"").endswith(b"40 100\ntty\n")


class LateClient:
    """Channels whose client answers nothing until `released`, then sends a resize: a client
    that never answered the session's close, still read by the session's leftover reader."""

    protocol = "v4.channel.k8s.io"

    def __init__(self) -> None:
        self.gone, self.released, self.served = threading.Event(), threading.Event(), threading.Event()

    def open(self, first_output: int) -> None: ...

    def send(self, channel: int, data: bytes) -> None: ...

    def close(self, channel: int) -> None: ...

    def finish(self, message: bytes) -> None: ...

    def serve(self, session) -> None:
        self.released.wait(10)
        session.resize(json.dumps({"Width": 100, "Height": 40}).encode())
        self.served.set()


def window_size(terminal: int) -> tuple[int, int]:
    rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(terminal, termios.TIOCGWINSZ, bytes(8)))
    return rows, cols


def test_a_resize_after_the_session_ends_touches_no_other_terminal(monkeypatch):
    """The session closes its pty once the client had CLIENT_CLOSE_SECONDS to answer; a resize
    the client sends later fails on the closed FD, instead of resizing whatever terminal the
    process has opened on the same number since."""
    monkeypatch.setattr(execserver, "CLIENT_CLOSE_SECONDS", 0.1, raising=False)
    opened, real_openpty = [], pty.openpty

    def openpty():
        opened.append(real_openpty())
        return opened[-1]

    monkeypatch.setattr(execserver.pty, "openpty", openpty)
    client = LateClient()
    ExecSession(client, ExecOptions(("true",), stdout=True, tty=True), ExecTarget(dict(os.environ), None)).run()
    number = opened[0][0]
    master, terminal = real_openpty()
    try:
        os.dup2(master, number)  # the session's master number, free again, is another terminal's
        client.released.set()
        assert client.served.wait(10)
        assert window_size(terminal) == (0, 0)
    finally:
        for fd in {master, terminal, number}:
            os.close(fd)


def test_v4_reports_the_status_and_v1_only_a_failures_message(server):
    v4 = run(server, ["sh", "-c", "exit 2"], protocols="v4.channel.k8s.io", stdout=True)
    assert (v4.protocol, v4.status["reason"]) == ("v4.channel.k8s.io", "NonZeroExitCode")
    v1 = run(server, ["sh", "-c", "exit 2"], protocols="channel.k8s.io", stdout=True)
    assert v1.channels[ERROR].startswith(b"command terminated with non-zero exit code")


def test_a_command_that_cannot_start_ends_with_an_internal_error(server):
    result = run(server, ["/no/such/command"], stdout=True)
    assert result.status["reason"] == "InternalError" and result.status["code"] == 500
    assert result.status["message"].startswith("Internal error occurred: error executing command in container: ")


@pytest.mark.parametrize("pod, container, streams, code, body", [
    ("p", "c", {}, 400, b"you must specify at least 1 of stdin, stdout, stderr"),
    ("q", "c", {"stdout": True}, 404, b"pod does not exist"),
    ("p", "gone", {"stdout": True}, 500, b'container not found ("gone")'),
])
def test_refusals_before_the_upgrade_are_upstreams(server, pod, container, streams, code, body):
    """getExec checks options, then the pod, then the container, and answers in plain text."""
    result = run(server, ["ls"], pod=pod, container=container, **streams)
    assert (result.code, result.body) == (code, body)


def test_a_request_that_is_no_upgrade_at_all_is_refused_in_httpstreams_words(server):
    """What is not a WebSocket request is an httpstream one, which must name its protocols."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("POST", execclient.kubelet_path("/exec/ns/p/c", ["ls"], stdout=True))
    response = conn.getresponse()
    assert (response.status, response.read()) == (400, b"unable to upgrade: X-Stream-Protocol-Version is required\n")
    conn.close()


# --- SPDY/3.1 (kubectl 1.27 to 1.29) -----------------------------------------------------------

def spdy_headers(**values: str) -> email.message.Message:
    message = email.message.Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = value
    return message


SPDY_UPGRADE = {"Connection": "Upgrade", "Upgrade": "SPDY/3.1"}


def test_the_clients_first_stream_protocol_the_kubelet_speaks_wins():
    """Handshake walks the client's X-Stream-Protocol-Version values in its order."""
    offered = spdy_headers(X_Stream_Protocol_Version="v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io",
                           **SPDY_UPGRADE)
    assert negotiate_stream_protocol(offered) == "v4.channel.k8s.io"


@pytest.mark.parametrize("values, code, body", [
    ({}, 400, "unable to upgrade: X-Stream-Protocol-Version is required\n"),
    ({"X_Stream_Protocol_Version": "v9.channel.k8s.io"}, 403,
     "unable to upgrade: unable to negotiate protocol: client supports [v9.channel.k8s.io], server accepts "
     "[v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io]\n" * 2),
    ({"X_Stream_Protocol_Version": "v4.channel.k8s.io", "Upgrade": "h2c", "Connection": "Upgrade"}, 400,
     "unable to upgrade: missing upgrade headers in request\n"),
])
def test_stream_protocol_refusals_come_in_upstreams_order_and_words(values, code, body):
    """No header 400, nothing shared 403 (its message twice: Handshake's http.Error, then the
    caller's), no SPDY/3.1 upgrade 400."""
    with pytest.raises(ExecRequestError) as caught:
        negotiate_stream_protocol(spdy_headers(**values))
    assert (caught.value.code, caught.value.message) == (code, body)


def test_a_spdy_client_with_no_protocol_in_common_is_told_which_the_kubelet_accepts(server):
    """Handshake's 403 lists the server's protocols, one X-Accepted-Stream-Protocol-Versions each."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("POST", execclient.kubelet_path("/exec/ns/p/c", ["ls"], stdout=True),
                 headers={"X-Stream-Protocol-Version": "v9.channel.k8s.io", **SPDY_UPGRADE})
    response = conn.getresponse()
    response.read()
    assert response.status == 403
    assert response.headers.get_all("X-Accepted-Stream-Protocol-Versions") == [
        "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]
    conn.close()


def test_a_resize_stream_is_expected_with_a_tty_from_v3_on():
    """The error stream, one per stream asked for, and resize only where the protocol has it."""
    tty = ExecOptions(("sh",), stdin=True, stdout=True, tty=True)
    assert expected_streams("v4.channel.k8s.io", tty) == 4
    assert expected_streams("v2.channel.k8s.io", tty) == 3
    assert expected_streams("v4.channel.k8s.io", ExecOptions(("ls",), stdout=True, stderr=True)) == 3


def test_spdy_streams_are_counted_as_upstream_counts_them():
    """waitForStreams counts every reply to a stream of a known type, a repeated type too; a
    stream of an unknown type is answered and not counted."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        writer = spdy.FrameWriter()
        for stream_id, stream_type in ((1, "error"), (3, "bogus"), (5, "error")):
            theirs.sendall(writer.syn_stream(stream_id, {"streamType": stream_type}))
        with ours.makefile("rb") as reader:
            SpdyChannels(reader, ours, "v4.channel.k8s.io").accept(expected=2, timeout=5)
        replies = spdy.FrameReader().feed(theirs.recv(65536))
    assert [frame.stream_id for frame in replies] == [1, 3, 5]


def run_spdy(server, command, channels, messages=(), close_stdin=False, protocols=spdyclient.CLIENT_PROTOCOLS,
             **streams):
    path = execclient.kubelet_path("/exec/ns/p/c", command, **streams)
    return spdyclient.run(server.host, server.port, path, channels, list(messages), close_stdin, protocols)


def test_spdy_outputs_go_to_their_streams_and_the_exit_code_to_the_error_stream(server):
    """Each output stream ends with a FIN, then the error stream carries v4's Status and ends."""
    result = run_spdy(server, ["sh", "-c", "echo out; echo err >&2; exit 3"], [ERROR, STDOUT, STDERR],
                      stdout=True, stderr=True)
    assert (result.code, result.protocol) == (101, "v4.channel.k8s.io")
    assert (result.channels[STDOUT], result.channels[STDERR]) == (b"out\n", b"err\n")
    assert result.status["reason"] == "NonZeroExitCode"
    assert result.status["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
    assert sorted(result.closed) == [STDOUT, STDERR, ERROR]


def test_spdy_stdin_is_read_until_the_clients_fin(server):
    """client-go closes its stdin stream when its input ends: `cat` sees EOF."""
    result = run_spdy(server, ["cat"], [ERROR, STDIN, STDOUT], [(STDIN, b"hello "), (STDIN, b"world")],
                      close_stdin=True, stdin=True, stdout=True)
    assert result.channels[STDOUT] == b"hello world"
    assert result.status == {"metadata": {}, "status": "Success"}


def test_spdy_resizes_are_json_documents_however_the_frames_cut_them(server):
    """The resize stream is read with a JSON decoder, not one document per frame."""
    sizes = b'{"Width":80,"Height":24}{"Width":1' + b'00,"Height":40}\n'
    messages = [(RESIZE, sizes[:30]), (RESIZE, sizes[30:]), (STDIN, b"go\n")]
    result = run_spdy(server, ["sh", "-c", "read x; stty size; test -t 1 && echo tty"],
                      [ERROR, STDIN, STDOUT, RESIZE], messages, stdin=True, stdout=True, tty=True)
    assert result.channels[STDOUT].replace(b"\r", b"").endswith(b"40 100\ntty\n")


def test_spdy_a_client_that_goes_away_takes_the_command_with_it(server, tmp_path):
    pid_file = tmp_path / "pid"
    path = execclient.kubelet_path("/exec/ns/p/c", ["sh", "-c", f"echo $$ > {pid_file}; sleep 30"], stdout=True)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        result, reader, frames = spdyclient.upgrade(sock, path, "kubelet")
        spdyclient.open_streams(sock, reader, frames, [ERROR, STDOUT])
        pid = _started(pid_file)
    _wait_gone(pid)


def test_spdy_a_client_that_never_opens_its_streams_is_hung_up_on(server, monkeypatch):
    """createHTTPStreamStreams gives up after streamCreationTimeout; nothing runs."""
    monkeypatch.setattr(logserver, "STREAM_CREATION_TIMEOUT_SECONDS", 0.3)
    path = execclient.kubelet_path("/exec/ns/p/c", ["echo", "ran"], stdout=True)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        result, reader, frames = spdyclient.upgrade(sock, path, "kubelet")
        spdyclient.open_streams(sock, reader, frames, [ERROR])
        rest = b""
        while data := sock.recv(65536):
            rest += data
    assert result.code == 101 and reader.feed(rest) == []


def test_spdy_v2_reports_only_a_failures_message(server):
    result = run_spdy(server, ["sh", "-c", "exit 2"], [ERROR, STDOUT], protocols="v2.channel.k8s.io", stdout=True)
    assert result.protocol == "v2.channel.k8s.io"
    assert result.channels[ERROR].startswith(b"command terminated with non-zero exit code")


def test_spdy_a_command_that_cannot_start_ends_with_an_internal_error(server):
    result = run_spdy(server, ["/no/such/command"], [ERROR, STDOUT], stdout=True)
    assert (result.status["reason"], result.status["code"]) == ("InternalError", 500)


def test_the_runtime_offers_a_running_containers_environment_and_nothing_after_it_exits(tmp_path):
    """An exec gets the env and workingDir the container's process started with; once the
    process has been reaped there is no container to exec in (findContainer finds none)."""
    runtime = ProcessRuntime(tmp_path / "pods")
    container = {"name": "c", "command": ["sleep", "30"], "env": [{"name": "GREETING", "value": "hi"}],
                 "workingDir": str(tmp_path)}
    runtime.start(StartContainer(KEY, container, 0))
    target = runtime.exec_target(KEY, "c")
    assert target.env["GREETING"] == "hi" and target.working_dir == str(tmp_path)
    assert runtime.exec_target(KEY, "other") is None
    process = runtime.processes[(KEY, "c")]
    process.kill()
    process.wait(10)
    assert runtime.exec_target(KEY, "c") is None
    assert runtime.poll() == [(KEY, "c", 137)] and not runtime.exec_targets


def test_spdy_a_resize_stream_that_is_no_json_is_read_no_further():
    """handleResizeEvents returns at a decode error: before, every later frame was kept behind
    the bad byte in a buffer that only grew, and no size after it was ever applied."""
    channels = SpdyChannels(io.BytesIO(), None, "v4.channel.k8s.io")
    good = b'{"Width":80,"Height":24}'
    assert channels._terminal_sizes(good + b" x") == [good]
    assert channels._terminal_sizes(good * 100) == [] and channels._resize_buffer is None
    endless = SpdyChannels(io.BytesIO(), None, "v4.channel.k8s.io")
    assert endless._terminal_sizes(b'{"Width":80,' + b" " * MAX_RESIZE_DOCUMENT) == []
    assert endless._resize_buffer is None
