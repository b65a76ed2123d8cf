"""`kubeatlas cluster up|status|down`: the reference components as one local cluster of processes.

`up` starts etcd, the apiserver, the controller-manager, the scheduler, N kubelets and kube-proxy
in that order, each `python -m reference_impl.<component>.run …` in its own session with its
output in `<dir>/logs/<name>.log`, waits for each one's "ready" line, and records them in
`<dir>/cluster.json`. A component that dies before it is ready stops the start-up: what was
started is stopped again and the error names the component and its last log lines. `status` says
of each recorded process whether it still runs, so a crash is reported, not hidden; `down` stops
them all, last started first, SIGTERM then SIGKILL after a grace period.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

READY_TIMEOUT = 60.0  # seconds a component gets to print its ready line
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL on `down`
URL = re.compile(r"(https?://[0-9.]+:[0-9]+)")
ORDER = ("etcd", "apiserver", "controller-manager", "scheduler", "kubelet", "proxy")


class ClusterError(Exception):
    """A cluster that cannot start, or a command given where no cluster is recorded."""


@dataclass(frozen=True)
class Process:
    name: str
    pid: int
    argv: tuple[str, ...]
    log: str

    def running(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A zombie (exited, not yet reaped by its parent) counts as gone.
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
        except (OSError, IndexError):
            return True


@dataclass(frozen=True)
class Cluster:
    dir: str
    kubeconfig: str
    processes: tuple[Process, ...]

    @property
    def state_file(self) -> Path:
        return Path(self.dir) / "cluster.json"

    def save(self) -> None:
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n")
        os.replace(temporary, self.state_file)

    @classmethod
    def load(cls, directory: Path) -> Cluster:
        state = directory / "cluster.json"
        if not state.exists():
            raise ClusterError(f"no cluster recorded in {directory}: run `kubeatlas cluster up`")
        data = json.loads(state.read_text())
        return cls(data["dir"], data["kubeconfig"],
                   tuple(Process(p["name"], p["pid"], tuple(p["argv"]), p["log"])
                         for p in data["processes"]))


def _module(component: str) -> str:
    return "reference_impl." + {"controller-manager": "controller_manager"}.get(component, component) + ".run"


def start(directory: Path, name: str, component: str, args: list[str],
          ready_timeout: float = READY_TIMEOUT) -> tuple[Process, str]:
    """Start one component and wait for its ready line; return it and that line."""
    logs = directory / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    argv = (sys.executable, "-m", _module(component), *args)
    with open(log, "w") as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
    process = Process(name, child.pid, argv, str(log))
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("ready"):
                return process, line
        if child.poll() is not None:
            raise ClusterError(f"{name} exited with status {child.returncode} before it was ready:\n"
                               + _tail(log))
        time.sleep(0.1)
    stop([process])
    raise ClusterError(f"{name} printed no ready line within {ready_timeout:.0f} s:\n" + _tail(log))


def _tail(log: Path, lines: int = 8) -> str:
    return "\n".join("  " + line for line in log.read_text(errors="replace").splitlines()[-lines:])


def up(directory: Path, kubelets: int = 3, only: tuple[str, ...] = ORDER,
       node_monitor_grace_period: float | None = None) -> Cluster:
    """Start a cluster in `directory` (its data, certificates, logs and kubeconfig live there).

    Kubelet i runs node-i with pods on 127.0.i.0/24. `node_monitor_grace_period` (seconds) is how
    long the controller-manager waits for a silent node before marking it NotReady (default 40);
    the kubelets' Lease duration follows it, so they renew (every quarter of it) well within it.
    """
    if kubelets > 254:
        raise ClusterError(f"{kubelets} kubelets: at most 254, one 127.0.N.0/24 pod range each")
    directory = directory.resolve()
    if (directory / "cluster.json").exists() and any(p.running() for p in Cluster.load(directory).processes):
        raise ClusterError(f"a cluster is already running from {directory}: `kubeatlas cluster down` first")
    directory.mkdir(parents=True, exist_ok=True)
    kubeconfig = directory / "admin.kubeconfig"
    started: list[Process] = []
    try:
        process, ready = start(directory, "etcd", "etcd", [
            "--data-dir", str(directory / "etcd"), "--listen-client-urls", "http://127.0.0.1:0"])
        started.append(process)
        etcd_url = URL.search(ready).group(1)
        if "apiserver" in only:
            process, _ = start(directory, "apiserver", "apiserver", [
                "--etcd-servers", etcd_url, "--cert-dir", str(directory / "pki"), "--secure-port", "0",
                "--kubeconfig-out", str(kubeconfig)])
            started.append(process)
        manager_args, kubelet_args = ["--kubeconfig", str(kubeconfig)], []
        if node_monitor_grace_period is not None:
            manager_args += ["--node-monitor-grace-period", f"{node_monitor_grace_period:g}"]
            kubelet_args = ["--node-lease-duration-seconds", str(max(1, int(node_monitor_grace_period)))]
        plan = [("controller-manager", "controller-manager", manager_args),
                ("scheduler", "scheduler", ["--kubeconfig", str(kubeconfig)])]
        plan += [(f"kubelet-{i}", "kubelet", ["--kubeconfig", str(kubeconfig), "--node-name", f"node-{i}",
                                               "--root-dir", str(directory / f"kubelet-{i}"),
                                               "--pod-cidr", f"127.0.{i}.0/24", *kubelet_args])
                 for i in range(1, kubelets + 1)]
        plan += [("proxy", "proxy", ["--kubeconfig", str(kubeconfig)])]
        for name, component, args in plan:
            if component in only:
                started.append(start(directory, name, component, args)[0])
    except BaseException:
        stop(started)
        raise
    cluster = Cluster(str(directory), str(kubeconfig), tuple(started))
    cluster.save()
    return cluster


def status(directory: Path) -> tuple[Cluster, list[tuple[Process, bool]]]:
    cluster = Cluster.load(directory.resolve())
    return cluster, [(p, p.running()) for p in cluster.processes]


def down(directory: Path) -> Cluster:
    cluster = Cluster.load(directory.resolve())
    stop(list(cluster.processes))
    cluster.state_file.unlink()
    return cluster


def stop(processes: list[Process]) -> None:
    """SIGTERM each process group, last started first; SIGKILL what is left after the grace."""
    for process in reversed(processes):
        _signal(process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and any(p.running() for p in processes):
        time.sleep(0.1)
    for process in processes:
        if process.running():
            _signal(process, signal.SIGKILL)
    for process in processes:  # reap the ones this process started itself
        try:
            os.waitpid(process.pid, os.WNOHANG)
        except ChildProcessError:
            pass


def _signal(process: Process, number: int) -> None:
    try:
        os.killpg(process.pid, number)
    except ProcessLookupError:
        pass
