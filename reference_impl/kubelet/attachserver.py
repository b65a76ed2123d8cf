"""The kubelet's `/attach/<namespace>/<pod>/<container>` endpoint, which the apiserver's
`pods/attach` proxies to (`kubectl attach`, `kubectl run -i`), spoken as the same WebSocket channel
protocols as exec, over WebSocket or SPDY/3.1 (`channels`).

An attach joins the container's own process instead of starting one: what it writes from now on
goes to the client, and the client's stdin to the container's (when its spec has `stdin: true`).
The process runtime sends a container's stdout and stderr to one log file, so both reach the
client on the stdout channel, read as the log grows. The session ends with a Success status when
the container exits; a client that leaves only detaches, and with `stdinOnce` closes the
container's stdin. A container with `tty: true` gets no terminal from the process runtime: its
input and output are lines through pipes, and resizes are dropped.
"""
from __future__ import annotations

import os
import threading

from reference_impl.machinery.pollfd import FD
from reference_impl.mirrors import mirrors

from .channels import STDERR, STDOUT, SpdyChannels, WebSocketChannels
from .execserver import CLIENT_CLOSE_SECONDS, ExecOptions, ExecSession, internal_error
from .runtime import AttachTarget

FOLLOW_POLL_SECONDS = 0.1


class AttachSession(ExecSession):
    """One upgraded connection attached to a running container (see ExecSession for the channels)."""

    def __init__(self, channels: WebSocketChannels | SpdyChannels, options: ExecOptions, target: AttachTarget):
        super().__init__(channels, options, target=None)
        self.attached = target

    @mirrors("k8s.io/kubernetes/pkg/kubelet/cri/streaming/remotecommand.ServeAttach")
    def run(self) -> None:
        try:
            log = open(self.attached.log, "rb")
        except OSError as err:
            self._finish(internal_error(f"error attaching to container: {err}"))
            return
        with log:
            # From the end as it is before any stdin is passed on: what that input makes the
            # container write is the client's to see.
            log.seek(0, os.SEEK_END)
            if self.options.stdin and (stdin := self.attached.stdin()) is not None:
                self._stdin = FD(stdin)
            self.channels.open(self._first_output())
            reader = threading.Thread(target=self._read_client, name="kubelet-attach-in", daemon=True)
            reader.start()
            self._follow(log)
        self.close_stdin()
        self._finish({"metadata": {}, "status": "Success"})
        reader.join(CLIENT_CLOSE_SECONDS)

    def _follow(self, log) -> None:
        """What the container writes, until it exits or the client leaves."""
        while not self._client_gone.is_set():
            alive = self.attached.running()
            data = log.read()
            if data and (self.options.stdout or self.options.stderr):
                self.channels.send(STDOUT if self.options.stdout else STDERR, data)
            if not alive:
                return
            self._client_gone.wait(FOLLOW_POLL_SECONDS)

    def close_stdin(self) -> None:
        """The client is done with stdin: the container keeps it, unless it is stdinOnce."""
        had_stdin = self._stdin is not None
        super().close_stdin()
        if had_stdin:
            self.attached.detach_stdin()

    def _client_left(self) -> None:
        """Detaching leaves the container running."""
        self._client_gone.set()
