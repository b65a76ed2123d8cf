"""The kubelet's `/exec/<namespace>/<pod>/<container>` endpoint, which the apiserver's `pods/exec`
proxies to (`kubectl exec`), spoken as remotecommand's channel protocols over WebSocket (kubectl
1.30 and later) or SPDY/3.1 (kubectl before 1.30); `channels` holds the two wires.

The error channel carries the outcome once, at the end: for v4 and v5 a metav1.Status JSON
(Success, or NonZeroExitCode with the exit code as an ExitCode cause), before v4 only a failure's
message. A WebSocket client names its protocol in Sec-WebSocket-Protocol (v5, v4 or the
unversioned channel.k8s.io; the base64 ones are not served); a SPDY client in
X-Stream-Protocol-Version (v4, v3, v2 or channel.k8s.io, as upstream's kubelet takes them; v1's
quirk of resetting the error stream is not kept). Upstream the kubelet hands the exec to the
runtime's streaming server; here the process runtime is the kubelet's own, so the command runs
right here, as a child of the container's environment: the env, working directory and
CONTAINER_ROOT its process was started with.

The core is `parse_exec_options`, `negotiate_protocol`, `negotiate_stream_protocol` and
`exec_status`; `ExecSession` is the I/O.
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

from reference_impl.machinery import httpstream
from reference_impl.machinery.params import KUBELET_STREAM_PARAMS
from reference_impl.machinery.pollfd import FD
from reference_impl.mirrors import mirrors

from .channels import ERROR, STDERR, STDOUT, V1, V2, V3, V4, V5, SpdyChannels, WebSocketChannels
from .runtime import ExecTarget

CLIENT_CLOSE_SECONDS = 5.0  # how long a finished session waits for the client to answer its close
# What the server takes, in the order it prefers them when a client lists several at once.
SUPPORTED_PROTOCOLS = (V5, V4, V1)
SPDY_PROTOCOLS = (V4, V3, V2, V1)  # remotecommand.SupportedStreamingProtocols
STREAM_CREATION_TIMEOUT_SECONDS = 30  # remotecommand.DefaultStreamCreationTimeout

NON_ZERO_EXIT_CODE = "NonZeroExitCode"
EXIT_CODE_CAUSE = "ExitCode"


class ExecRequestError(Exception):
    """An exec request the kubelet refuses before upgrading; `code` is its HTTP status. Upstream's
    refusals are plain text; `as_status` ones (this kubelet's own) go out as a metav1.Status, whose
    message kubectl prints instead of an empty "Error from server"."""

    def __init__(self, code: int, message: str, as_status: bool = False,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.code = code
        self.message = message
        self.as_status = as_status
        self.headers = headers
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


@mirrors("k8s.io/apimachinery/pkg/util/httpstream.Handshake",
         "(k8s.io/apimachinery/pkg/util/httpstream/spdy.responseUpgrader).UpgradeResponse")
def negotiate_stream_protocol(headers) -> str:
    """The client's first X-Stream-Protocol-Version the kubelet speaks, after upstream's checks in
    this order: 400 without the header, 403 when none is shared, 400 when the request does not ask
    to upgrade to SPDY/3.1. These refusals are Go's http.Error text; on a 403 the caller's own
    http.Error appends the message a second time to the body already written."""
    offered = httpstream.offered_protocols(headers)
    if not offered:
        raise ExecRequestError(400, "unable to upgrade: X-Stream-Protocol-Version is required\n")
    protocol = httpstream.negotiate(offered, SPDY_PROTOCOLS)
    if protocol is None:
        raise ExecRequestError(403, (httpstream.no_common_protocol(offered, SPDY_PROTOCOLS) + "\n") * 2,
                               headers=httpstream.accepted_protocols(SPDY_PROTOCOLS))
    if not httpstream.is_spdy_upgrade(headers):
        raise ExecRequestError(400, "unable to upgrade: missing upgrade headers in request\n")
    return protocol


def expected_streams(protocol: str, options: ExecOptions) -> int:
    """How many streams a SPDY client opens: error, one per stream asked for, and resize with a
    TTY from v3 on."""
    resize = options.tty and protocol in (V4, V3)
    return 1 + sum((options.stdin, options.stdout, options.stderr, resize))


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
    """One upgraded connection: runs the command and moves bytes between it and the client's
    `channels` (a WebSocketChannels or SpdyChannels).

    A client that goes away before the command ends takes the command with it: its process group
    is killed, as nothing could read what it writes.
    """

    def __init__(self, channels: WebSocketChannels | SpdyChannels, options: ExecOptions, target: ExecTarget):
        self.channels, self.options, self.target = channels, options, target
        self._stdin_lock = threading.Lock()
        self._stdin: FD | None = None
        self._proc: subprocess.Popen | None = None
        self._tty_master: FD | None = None
        self._client_gone = channels.gone
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
        self.channels.open(self._first_output())
        reader = threading.Thread(target=self._read_client, name="kubelet-exec-in", daemon=True)
        reader.start()
        pumps = [threading.Thread(target=self._pump, args=(fd, channel), daemon=True) for fd, channel in outputs]
        for pump in pumps:
            pump.start()
        exit_code = proc.wait()
        for pump in pumps:
            pump.join()
        self.close_stdin()
        self._finish(exec_status(self.options.command, 128 - exit_code if exit_code < 0 else exit_code))
        # The client answers the close with its own; until then a resize may still arrive. A
        # client that never answers leaves the reader running: the pty's FD then fails its late
        # resize instead of handing it to whatever file got the number.
        reader.join(CLIENT_CLOSE_SECONDS)
        if self._tty_master is not None:
            self._tty_master.close()

    def _first_output(self) -> int:
        return STDOUT if self.options.stdout else STDERR if self.options.stderr else ERROR

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
            self._tty_master = FD(master)
            self._stdin = self._tty_master if options.stdin else None
            return proc, [(master, STDOUT)] if options.stdout else []
        proc = subprocess.Popen(options.command, stdin=subprocess.PIPE if options.stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE if options.stdout else subprocess.DEVNULL,
                                stderr=subprocess.PIPE if options.stderr else subprocess.DEVNULL, **common)
        if proc.stdin is not None:
            self._stdin = FD(os.dup(proc.stdin.fileno()))
            proc.stdin.close()
        return proc, [(f.fileno(), channel) for f, channel in ((proc.stdout, STDOUT), (proc.stderr, STDERR)) if f]

    def _pump(self, fd: int, channel: int) -> None:
        while True:
            try:
                data = os.read(fd, 32 * 1024)
            except OSError:  # a pty reads EIO once every process holding it has gone
                break
            if not data:
                break
            self.channels.send(channel, data)
        self.channels.close(channel)

    def _read_client(self) -> None:
        """stdin, resizes and stdin's close from the client, until it closes or goes away."""
        self.channels.serve(self)
        self.close_stdin()
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

    def write_stdin(self, data: bytes) -> None:
        stdin = self._stdin
        if stdin is not None:
            try:
                with stdin.use() as fd:
                    os.write(fd, data)
            except OSError:  # the command closed its stdin
                self.close_stdin()

    def resize(self, data: bytes) -> None:
        """A TerminalSize JSON ({"Width": .., "Height": ..}) sets the pty's window size."""
        if self._tty_master is None:
            return
        try:
            size = json.loads(data)
            window = struct.pack("HHHH", int(size.get("Height", 0)), int(size.get("Width", 0)), 0, 0)
            with self._tty_master.use() as master:
                fcntl.ioctl(master, termios.TIOCSWINSZ, window)
        except (ValueError, TypeError, AttributeError, OSError, struct.error):
            pass

    def close_stdin(self) -> None:
        """End the command's stdin (a pty's master stays open for output; an EOF is sent instead)."""
        with self._stdin_lock:
            stdin, self._stdin = self._stdin, None
        if stdin is None:
            return
        if stdin is not self._tty_master:
            stdin.close()
            return
        try:
            with stdin.use() as master:
                os.write(master, b"\x04")
        except OSError:
            pass

    def _finish(self, status: dict) -> None:
        """The error channel's message, then the end of the connection; the client's reads end there."""
        self._finished.set()
        if not self._client_gone.is_set():
            self.channels.finish(error_channel_message(self.channels.protocol, status))
