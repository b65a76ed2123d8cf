"""Real reference etcd members as processes on loopback, for the cluster integration tests.

Each member listens for peers on its own port, but the cluster knows it by the address of a
`PeerProxy` in front of that port: the proxy reads our transport's frames (length, JSON with
"from" and "to") and drops those from or to a member the test has cut off, which partitions that
member from its peers while its clients can still reach it.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # processes.py, linearizability.py

from processes import ROOT, free_port, read_ready_line, require, stop_process  # noqa: E402

START_TIMEOUT = 20.0
FAST = ("--heartbeat-interval", "50", "--election-timeout", "500")


class PeerProxy:
    """Forwards connections from `port` to `target`, frame by frame, minus the cut members'."""

    def __init__(self, target: int, cut: set[int]) -> None:
        self.target = target
        self.cut = cut
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(conn,), daemon=True).start()

    def _pipe(self, conn: socket.socket) -> None:
        try:
            out = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            conn.close()  # the member behind is down: the sender sees the connection fail
            return
        with conn, out:
            while True:
                header = self._read(conn, 4)
                if header is None:
                    return
                body = self._read(conn, struct.unpack(">I", header)[0])
                if body is None:
                    return
                m = json.loads(body)
                if "query" in m:  # a joining member's "who is in the cluster?": one answer back
                    out.sendall(header + body)
                    answer = self._read(out, 4)
                    conn.sendall(answer + (self._read(out, struct.unpack(">I", answer)[0]) or b""))
                    continue
                if m["from"] in self.cut or m["to"] in self.cut:
                    continue
                try:
                    out.sendall(header + body)
                except OSError:
                    return

    @staticmethod
    def _read(sock: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                chunk = sock.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf

    def close(self) -> None:
        self.listener.close()


@dataclass
class Node:
    name: str
    data_dir: Path
    client_port: int
    peer_port: int
    proxy: PeerProxy | None  # None for real etcd, whose peers talk HTTP straight to each other
    log: Path
    process: subprocess.Popen | None = None
    id: int = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy.port if self.proxy else self.peer_port}"


@dataclass
class RefCluster:
    nodes: list[Node]
    extra: tuple[str, ...]
    cut: set[int] = field(default_factory=set)
    kind: str = "reference"  # or "etcd": real etcd 3.4 with the same flags

    @property
    def initial_cluster(self) -> str:
        return ",".join(f"{n.name}={n.peer_url}" for n in self.nodes)

    @property
    def endpoints(self) -> str:
        return ",".join(n.address for n in self.nodes)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def start(self, node: Node, *, state: str = "new") -> None:
        if self.kind == "etcd":
            self._start_etcd(node, state)
            return
        argv = [sys.executable, "-m", "reference_impl.etcd.run", "--name", node.name,
                "--data-dir", str(node.data_dir), "--initial-cluster", self.initial_cluster,
                "--initial-cluster-state", state,
                "--listen-peer-urls", f"http://127.0.0.1:{node.peer_port}",
                "--initial-advertise-peer-urls", node.peer_url,
                "--listen-client-urls", f"http://{node.address}",
                "--advertise-client-urls", f"http://{node.address}", *self.extra]
        with open(node.log, "ab") as stderr:
            node.process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr,
                                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1",
                                                            "PYTHONPATH": str(ROOT)})
        line = read_ready_line(node.process, START_TIMEOUT)
        if "ready" not in line:
            stop_process(node.process)
            raise AssertionError(f"{node.name} did not start: {line!r}\n{node.log.read_text()[-3000:]}")
        node.id = int(line.split("(")[1].split(")")[0], 16)

    def _start_etcd(self, node: Node, state: str) -> None:
        argv = [require("etcd"), "--name", node.name, "--data-dir", str(node.data_dir),
                "--initial-cluster", self.initial_cluster, "--initial-cluster-state", state,
                "--listen-peer-urls", node.peer_url, "--initial-advertise-peer-urls", node.peer_url,
                "--listen-client-urls", f"http://{node.address}",
                "--advertise-client-urls", f"http://{node.address}", *self.extra,
                "--logger", "zap", "--log-outputs", "stderr"]
        with open(node.log, "ab") as out:
            node.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and node.process.poll() is None:
            try:
                node.id = self.status(node, timeout=1).header.member_id
                return
            except grpc.RpcError:
                time.sleep(0.1)
        raise AssertionError(f"etcd {node.name} did not start:\n{node.log.read_text()[-3000:]}")

    def kill(self, node: Node) -> None:
        """SIGKILL: no shutdown, no flush."""
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(timeout=10)

    def status(self, node: Node, timeout: float = 2.0):
        from aetcd.rpc import rpc_pb2, rpc_pb2_grpc
        with grpc.insecure_channel(node.address) as channel:
            return rpc_pb2_grpc.MaintenanceStub(channel).Status(rpc_pb2.StatusRequest(), timeout=timeout)

    def leader(self, among: list[Node] | None = None, timeout: float = 10.0) -> Node:
        """The member the live members agree leads (waiting for an election if need be)."""
        deadline = time.monotonic() + timeout
        live = among or [n for n in self.nodes if n.process and n.process.poll() is None]
        while time.monotonic() < deadline:
            try:
                leads = {self.status(n).leader for n in live}
            except grpc.RpcError:
                leads = set()
            found = [n for n in live if leads == {n.id}]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError("the members agree on no leader")

    def etcdctl(self, *args: str, endpoints: str | None = None, timeout: float = 20.0):
        env = {**os.environ, "ETCDCTL_API": "3"}
        return subprocess.run([require("etcdctl"), f"--endpoints={endpoints or self.endpoints}", *args],
                              capture_output=True, text=True, timeout=timeout, env=env)


def new_node(directory: Path, name: str, cut: set[int], kind: str = "reference") -> Node:
    peer_port = free_port()
    proxy = PeerProxy(peer_port, cut) if kind == "reference" else None
    return Node(name, directory / name, free_port(), peer_port, proxy, directory / f"{name}.log")


@contextlib.contextmanager
def reference_cluster(directory: Path, size: int = 3, *extra: str,
                      kind: str = "reference") -> Iterator[RefCluster]:
    """`size` members of the reference (or, with kind="etcd", of real etcd 3.4) on loopback."""
    directory.mkdir(parents=True, exist_ok=True)
    cut: set[int] = set()
    cluster = RefCluster([new_node(directory, f"n{i}", cut, kind) for i in range(1, size + 1)],
                         extra or FAST, cut, kind)
    try:
        starters = [threading.Thread(target=cluster.start, args=(n,)) for n in cluster.nodes]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        if any(n.process is None or n.id == 0 for n in cluster.nodes):
            raise AssertionError("a member did not start: " + "; ".join(
                n.log.read_text()[-800:] for n in cluster.nodes if n.log.exists()))
        cluster.leader()
        yield cluster
    finally:
        for node in cluster.nodes:
            if node.process is not None:
                stop_process(node.process)
                if node.process.stdout:
                    node.process.stdout.close()
            if node.proxy:
                node.proxy.close()
