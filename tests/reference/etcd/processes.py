"""Start and stop the servers the etcd integration tests talk to: the reference
(`python -m reference_impl.etcd.run`) and real etcd 3.4 (Debian's etcd-server), each on free
loopback ports with a temporary data directory, and run etcdctl 3.4 against them.

Every process is stopped by the context manager that started it, also when a test fails; each
wait has a timeout so a hung server fails the test instead of hanging the suite.
"""
from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from reference_impl.cluster import ETCD_PEERS_ANY_PORT, free_port

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
# Which Debian package provides each binary; CI installs them (.ci/run).
PACKAGES = {"etcd": "etcd-server", "etcdctl": "etcd-client"}


def require(binary: str) -> str:
    """The path of `binary`, or fail the test saying which package to install."""
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"`{binary}` not found on PATH: install the Debian package {PACKAGES[binary]} "
                    f"(apt-get install {PACKAGES[binary]})", pytrace=False)
    return path


@dataclass
class Server:
    kind: str  # "reference" or "etcd"
    address: str  # host:port of the client URL
    process: subprocess.Popen
    peer_url: str
    log: Path
    ready: str = ""  # the reference's ready line

    @property
    def client_url(self) -> str:
        return f"http://{self.address}"


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def read_ready_line(process: subprocess.Popen, timeout: float) -> str:
    """The first stdout line of the reference (its "ready" line), read with a timeout."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def peers_apart(flags: tuple[str, ...]) -> tuple[str, ...]:
    """A free peer port for a lone member, which would listen on etcd's default localhost:2380
    (one test's member in another's way), unless `flags` say where or give it a cluster."""
    if any(flag.split("=")[0] in ("--initial-cluster", "--listen-peer-urls") for flag in flags):
        return ()
    return ETCD_PEERS_ANY_PORT


def start_refused(data_dir: Path, *flags: str) -> subprocess.CompletedProcess:
    """The reference etcd started on `data_dir` (any free port, unless `flags` say otherwise) by a
    test that expects it to refuse: how it exited and what it wrote."""
    return subprocess.run([sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir),
                           "--listen-client-urls", "http://127.0.0.1:0", *peers_apart(flags), *flags],
                          cwd=ROOT, capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@contextlib.contextmanager
def reference_server(data_dir: Path, *extra: str) -> Iterator[Server]:
    """The reference on an OS-assigned loopback port (so no port race): it prints the address
    it bound in its ready line."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}.reference.log"
    argv = [sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir / "data"),
            "--listen-client-urls", "http://127.0.0.1:0", *peers_apart(extra), *extra]
    with open(log, "wb") as stderr:
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = read_ready_line(process, START_TIMEOUT)
        if "ready" not in line:
            stop_process(process)
            pytest.fail(f"reference server did not start (stdout {line!r}); its log:\n"
                        f"{log.read_text()[-3000:]}", pytrace=False)
        address = re.search(r"http://([^\s,]+)", line).group(1)  # the first: gRPC's
        yield Server("reference", address, process, "http://localhost:2380", log, line)
    finally:
        stop_process(process)
        process.stdout.close()


@contextlib.contextmanager
def real_etcd(data_dir: Path, *extra: str) -> Iterator[Server]:
    """Real etcd 3.4 as a one-member cluster named "default" (the reference's name) on loopback;
    `extra` flags are added to its command line."""
    binary = require("etcd")
    client, peer = free_port(), free_port()
    client_url, peer_url = f"http://127.0.0.1:{client}", f"http://127.0.0.1:{peer}"
    log = data_dir.parent / f"{data_dir.name}.etcd.log"
    argv = [binary, "--name", "default", "--data-dir", str(data_dir),
            "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
            "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
            "--initial-cluster", f"default={peer_url}", "--logger", "zap",
            "--log-outputs", "stderr", *extra]
    with open(log, "wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_serving(process, f"127.0.0.1:{client}", log)
        yield Server("etcd", f"127.0.0.1:{client}", process, peer_url, log)
    finally:
        stop_process(process)


def _wait_serving(process: subprocess.Popen, address: str, log: Path) -> None:
    """Until one KV Range is answered (what `etcdctl endpoint health` does), with its keys or,
    with auth on, with a refusal."""
    import grpc
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    deadline = time.monotonic() + START_TIMEOUT
    with grpc.insecure_channel(address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                kv.Range(rpc_pb2.RangeRequest(key=b"health"), timeout=1)
                return
            except grpc.RpcError as err:
                if err.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    return
                time.sleep(0.05)
    stop_process(process)
    pytest.fail(f"etcd did not start serving on {address}; its log:\n{log.read_text()[-3000:]}",
                pytrace=False)


def etcdctl(server: Server, *args: str, input: str | None = None,
            timeout: float = 15.0) -> subprocess.CompletedProcess:
    """Run `etcdctl --endpoints=ADDRESS args...` (API v3) and capture its output."""
    binary = require("etcdctl")
    env = {**os.environ, "ETCDCTL_API": "3"}
    return subprocess.run([binary, f"--endpoints={server.address}", *args], input=input,
                          capture_output=True, text=True, timeout=timeout, env=env)


def put_all(server: Server, pairs: list[tuple[str, str]]) -> None:
    """Put each key and value in turn, a revision each as that many `etcdctl put`s would give, over
    one gRPC channel: a test that only needs the data saves an etcdctl process per key."""
    import grpc
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    with grpc.insecure_channel(server.address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        for key, value in pairs:
            kv.Put(rpc_pb2.PutRequest(key=key.encode(), value=value.encode()), timeout=10)


@contextlib.contextmanager
def etcdctl_stream(server: Server, *args: str) -> Iterator["LineReader"]:
    """A long-running etcdctl (watch, lease keep-alive) whose output is read line by line, its
    stderr merged into stdout in the order etcdctl wrote them."""
    binary = require("etcdctl")
    env = {**os.environ, "ETCDCTL_API": "3"}
    process = subprocess.Popen([binary, f"--endpoints={server.address}", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    reader = LineReader(process)
    try:
        yield reader
    finally:
        stop_process(process)
        process.stdout.close()


class LineReader:
    """Lines of a subprocess's stdout, collected by a thread so reads can time out."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for line in self.process.stdout:
                self._lines.put(line.rstrip("\n"))
        except ValueError:  # the test closed the pipe while a read was under way: the end
            pass
        self._lines.put(None)

    def read(self, count: int, timeout: float = 10.0) -> list[str]:
        """The next `count` lines; fewer if the process ended or `timeout` passed."""
        deadline = time.monotonic() + timeout
        lines: list[str] = []
        while len(lines) < count:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                self._lines.put(None)  # keep the end marker for later reads
                break
            lines.append(line)
        return lines
