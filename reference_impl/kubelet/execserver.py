"""The kubelet's `/exec/<namespace>/<pod>/<container>` endpoint, which the apiserver's `pods/exec`
proxies to (`kubectl exec`), spoken as remotecommand's WebSocket channel protocols.

Every binary message carries one channel: its first byte is the stream (stdin 0, stdout 1, stderr
2, error 3, resize 4), the rest its data. The error channel carries the outcome once, at the end:
for v4 and v5 a metav1.Status JSON (Success, or NonZeroExitCode with the exit code as an ExitCode
cause), before v4 only a failure's message. v5 adds the close signal, `255 <stream>`, with which the
client half-closes stdin. Upstream the kubelet hands the exec to the runtime's streaming server;
here the process runtime is the kubelet's own, so the command runs right here, as a child of the
container's environment: the env, working directory and CONTAINER_ROOT its process was started with.

The base64 subprotocols and SPDY are not served: kubectl speaks binary WebSocket first since 1.30.
The core is `parse_exec_options`, `negotiate_protocol` and `exec_status`; `ExecSession` is the I/O.
"""
from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import termios
import threading
from dataclasses import dataclass
from typing import BinaryIO

from reference_impl.machinery import websocket
from reference_impl.machinery.params import KUBELET_STREAM_PARAMS
from reference_impl.mirrors import mirrors

from .runtime import ExecTarget

STDIN, STDOUT, STDERR, ERROR, RESIZE = range(5)
CLOSE_SIGNAL = 255  # v5: `255 <stream>` closes that stream

V5, V4, V1 = "v5.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io"
# What the server takes, in the order it prefers them when a client lists several at once.
SUPPORTED_PROTOCOLS = (V5, V4, V1)

NON_ZERO_EXIT_CODE = "NonZeroExitCode"
EXIT_CODE_CAUSE = "ExitCode"


class ExecRequestError(Exception):
    """An exec request the kubelet refuses before upgrading; `code` is its HTTP status. Upstream's
    refusals are plain text; `as_status` ones (this kubelet's own) go out as a metav1.Status, which
    a SPDY-only kubectl prints instead of an empty "Error from server"."""

    def __init__(self, code: int, message: str, as_status: bool = False) -> None:
        self.code = code
        self.message = message
        self.as_status = as_status
        super().__init__(message)

    def body(self) -> tuple[bytes, str]:
        if not self.as_status:
            return self.message.encode(), "text/plain; charset=utf-8"
        status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": self.message, "reason": "BadRequest", "code": self.code}
        return json.dumps(status).encode(), "application/json"


@dataclass(frozen=True)
class ExecOptions:
    """The command and the streams a request asks for (remotecommand.Options plus the command)."""

    command: tuple[str, ...]
    stdin: bool = False
    stdout: bool = False
    stderr: bool = False
    tty: bool = False


@mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/remotecommand.NewOptions")
def parse_exec_options(query: dict) -> ExecOptions:
    """A parsed query's options: a stream is on only for "1" under the name the apiserver
    writes (`output` for stdout, ...); a TTY merges stderr into stdout, so stderr is dropped with
    it; at least one stream is required."""
    def on(stream: str) -> bool:
        return (query.get(KUBELET_STREAM_PARAMS[stream]) or [""])[0] == "1"

    tty = on("tty")
    options = ExecOptions(tuple(query.get("command") or ()), stdin=on("stdin"), stdout=on("stdout"),
                          stderr=on("stderr") and not tty, tty=tty)
    if not (options.stdin or options.stdout or options.stderr):
        raise ExecRequestError(400, "you must specify at least 1 of stdin, stdout, stderr")
    return options


@mirrors("k8s.io/apiserver/pkg/util/wsstream.handshake")
def negotiate_protocol(offered: str) -> str | None:
    """The first subprotocol of the client's Sec-WebSocket-Protocol the server speaks; "" (the
    binary channel protocol, unversioned) when the client names none; None when it names only
    protocols the server does not speak."""
    names = [name.strip() for name in offered.split(",") if name.strip()]
    if not names:
        return ""
    return next((name for name in names if name in SUPPORTED_PROTOCOLS), None)


@mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/remotecommand.ServeExec")
def exec_status(command: tuple[str, ...], exit_code: int) -> dict:
    """The metav1.Status the error channel ends with (v4 and later)."""
    if exit_code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
                       f"[{' '.join(command)}], exit code {exit_code}",
            "reason": NON_ZERO_EXIT_CODE,
            "details": {"causes": [{"reason": EXIT_CODE_CAUSE, "message": str(exit_code)}]}}


def internal_error(message: str) -> dict:
    """apierrors.NewInternalError's Status, which an exec that could not run ends with."""
    return {"metadata": {}, "status": "Failure", "message": f"Internal error occurred: {message}",
            "reason": "InternalError", "details": {"causes": [{"message": message}]}, "code": 500}


def error_channel_message(protocol: str, status: dict) -> bytes:
    """What the error channel carries: the Status for v4 and v5; before v4 a failure's message only."""
    if protocol in (V5, V4):
        return json.dumps(status, separators=(",", ":")).encode()
    return b"" if status["status"] == "Success" else status["message"].encode()


# --- the I/O -----------------------------------------------------------------------------------

class ExecSession:
    """One upgraded connection: runs the command and moves bytes between it and the channels.

    `rfile` is the request's buffered reader (it may already hold the client's first frames) and
    `sock` the connection. A client that goes away before the command ends takes the command with
    it: its process group is killed, as nothing could read what it writes.
    """

    def __init__(self, rfile: BinaryIO, sock, protocol: str, options: ExecOptions, target: ExecTarget):
        self.rfile, self.sock, self.protocol, self.options, self.target = rfile, sock, protocol, options, target
        self._write_lock = threading.Lock()
        self._stdin_lock = threading.Lock()
        self._stdin: int | None = None
        self._proc: subprocess.Popen | None = None
        self._tty_master: int | None = None
        self._client_gone = threading.Event()
        self._finished = threading.Event()

    def run(self) -> None:
        try:
            if not self.options.command:  # the apiserver passes an empty command on; the runtime refuses it
                raise OSError("the command is empty")
            proc, outputs = self._start()
        except OSError as err:  # no such command: the runtime's exec fails, an internal error
            self._finish(internal_error(f"error executing command in container: {err}"))
            return
        self._proc = proc
        self._send(STDOUT if self.options.stdout else STDERR if self.options.stderr else ERROR, b"")
        reader = threading.Thread(target=self._read_client, name="kubelet-exec-in", daemon=True)
        reader.start()
        pumps = [threading.Thread(target=self._pump, args=(fd, channel), daemon=True) for fd, channel in outputs]
        for pump in pumps:
            pump.start()
        exit_code = proc.wait()
        for pump in pumps:
            pump.join()
        self._close_stdin()
        self._finish(exec_status(self.options.command, 128 - exit_code if exit_code < 0 else exit_code))
        # The client answers the close frame with its own; until then a resize may still arrive,
        # so the pty is closed only after the reader has stopped.
        reader.join(timeout=5)
        if self._tty_master is not None:
            os.close(self._tty_master)

    def _start(self) -> tuple[subprocess.Popen, list[tuple[int, int]]]:
        """The command's process and the (fd, channel) pairs its output is read from."""
        options, target = self.options, self.target
        common = dict(env=target.env, cwd=target.working_dir, start_new_session=True)
        if options.tty:
            master, slave = pty.openpty()
            try:
                proc = subprocess.Popen(options.command, stdin=slave, stdout=slave, stderr=slave, **common)
            except OSError:
                os.close(master)
                raise
            finally:
                os.close(slave)
            self._tty_master = master
            self._stdin = master if options.stdin else None
            return proc, [(master, STDOUT)] if options.stdout else []
        proc = subprocess.Popen(options.command, stdin=subprocess.PIPE if options.stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE if options.stdout else subprocess.DEVNULL,
                                stderr=subprocess.PIPE if options.stderr else subprocess.DEVNULL, **common)
        if proc.stdin is not None:
            self._stdin = os.dup(proc.stdin.fileno())
            proc.stdin.close()
        return proc, [(f.fileno(), channel) for f, channel in ((proc.stdout, STDOUT), (proc.stderr, STDERR)) if f]

    def _pump(self, fd: int, channel: int) -> None:
        while True:
            try:
                data = os.read(fd, 32 * 1024)
            except OSError:  # a pty reads EIO once every process holding it has gone
                return
            if not data:
                return
            self._send(channel, data)

    def _read_client(self) -> None:
        """stdin, resizes and close signals from the client, until it closes or goes away."""
        reader = websocket.FrameReader()
        try:
            while data := self.rfile.read1(64 * 1024):
                for message in reader.feed(data):
                    if message.opcode == websocket.OP_CLOSE:
                        raise EOFError
                    if message.opcode == websocket.OP_PING:
                        self._write(websocket.encode_frame(websocket.OP_PONG, message.payload))
                    elif message.opcode in (websocket.OP_BINARY, websocket.OP_TEXT) and message.payload:
                        self._on_channel(message.payload[0], message.payload[1:])
        except (OSError, ValueError, EOFError, websocket.WebSocketError):
            pass
        self._close_stdin()
        if not self._finished.is_set():
            self._client_left()

    def _client_left(self) -> None:
        """The client went away before the command ended: nothing could read what it writes."""
        if self._proc.poll() is None:
            self._client_gone.set()
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _on_channel(self, channel: int, data: bytes) -> None:
        if channel == STDIN and self._stdin is not None:
            try:
                os.write(self._stdin, data)
            except OSError:  # the command closed its stdin
                self._close_stdin()
        elif channel == RESIZE and self._tty_master is not None:
            self._resize(data)
        elif channel == CLOSE_SIGNAL and self.protocol == V5 and data[:1] == bytes([STDIN]):
            self._close_stdin()

    def _resize(self, data: bytes) -> None:
        """A TerminalSize JSON ({"Width": .., "Height": ..}) sets the pty's window size."""
        try:
            size = json.loads(data)
            fcntl.ioctl(self._tty_master, termios.TIOCSWINSZ,
                        struct.pack("HHHH", int(size.get("Height", 0)), int(size.get("Width", 0)), 0, 0))
        except (ValueError, TypeError, AttributeError, OSError, struct.error):
            pass

    def _close_stdin(self) -> None:
        """End the command's stdin (a pty's master stays open for output; an EOF is sent instead)."""
        with self._stdin_lock:
            stdin, self._stdin = self._stdin, None
        if stdin is None:
            return
        try:
            if stdin == self._tty_master:
                os.write(stdin, b"\x04")
            else:
                os.close(stdin)
        except OSError:
            pass

    def _finish(self, status: dict) -> None:
        """The error channel's message, then a normal close; the client's reads end there."""
        self._finished.set()
        if self._client_gone.is_set():
            return
        self._send(ERROR, error_channel_message(self.protocol, status))
        self._write(websocket.encode_frame(websocket.OP_CLOSE, websocket.close_payload()))

    def _send(self, channel: int, data: bytes) -> None:
        self._write(websocket.encode_frame(websocket.OP_BINARY, bytes([channel]) + data))

    def _write(self, frame: bytes) -> None:
        with self._write_lock:
            try:
                self.sock.sendall(frame)
            except OSError:
                self._client_gone.set()
