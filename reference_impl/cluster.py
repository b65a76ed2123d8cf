"""`kubeatlas cluster up|status|down`: the reference components as one local cluster of processes.

`up` starts etcd, the apiserver, the controller-manager, the scheduler, N kubelets and kube-proxy
in that order, each `python -m reference_impl.<component>.run …` in its own session with its
output in `<dir>/logs/<name>.log`, waits for each one's "ready" line, and records them in
`<dir>/cluster.json`. A component that dies before it is ready stops the start-up: what was
started is stopped again and the error names the component and its last log lines. `status` says
of each recorded process whether it still runs, so a crash is reported, not hidden: one that
ended is named with its exit code (a reference component writes it to `logs/<name>.exit`, as no
parent is left to wait for it) and its log's "panic: " line or last line. Nothing is restarted:
the processes outlive `up`, and no supervisor stays to do what a kubelet does for static pods
(CrashLoopBackOff). `down` stops them all, last started first, SIGTERM then SIGKILL after a grace
period.

A mixed cluster runs a real component in place of a reference one (`upstream`: the real
kube-scheduler and kube-controller-manager, kubemark's hollow kubelet and kube-proxy) and a real
etcd in place of the reference one (`etcd`). They get the admin kubeconfig, loopback addresses and
free ports, and have no "ready" line, so readiness is read where each shows it: etcd answers
`/health`, kube-scheduler and kube-controller-manager answer `/healthz` on their secure port (an
always-allowed path, so no credentials are needed), and kubemark, which serves no health endpoint
of its own on a port we choose, logs "Starting kubelet main sync loop" or "Starting endpoint slice
config controller" once its loops run.

Each reference kubelet talks to the apiserver as its node (system:node:<name>, which the Node
authorizer judges), and its API is secured as kubeadm secures it: it serves a certificate
the cluster CA signed for its node (system:node:<name>, as an approved serving CSR), accepts client certificates of that CA, and asks the
apiserver about every request; the apiserver shows them its apiserver-kubelet-client certificate
and checks their serving certificates against the cluster CA (not a real kubelet's, which serves
a self-signed one).
"""
from __future__ import annotations

import json
import socket
import ssl
import urllib.request
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from reference_impl.kubelet.certificate import store_node_serving_cert
from reference_impl.kubelet.kubelet import NODE_IP
from reference_impl.machinery.process import COMPONENT_MODULES, EXIT_STATUS_FILE

READY_TIMEOUT = 60.0  # seconds a component gets to print its ready line
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL on `down`
URL = re.compile(r"(https?://[0-9.]+:[0-9]+)")
# The apiserver speaks only gRPC to etcd: serving HTTP on a port of its own leaves the client port
# to the gRPC server, with no relay in between (cmux.py), which costs a third less CPU a call.
ETCD_HTTP_APART = ("--listen-client-http-urls", "http://127.0.0.1:0")
# A lone etcd member listens for peers on etcd's default, localhost:2380: one run beside another
# (a second cluster, a test, a benchmark) has it listen on a free port instead.
ETCD_PEERS_ANY_PORT = ("--listen-peer-urls", "http://127.0.0.1:0")
# grpcio (1.85) reads and writes through its EventEngine's own threads by default, each read or
# write then woken over to the Python thread waiting on the completion queue (the synchronous
# server's polling thread, a blocking client call). With the EventEngine listener, client and
# endpoints turned off the waiting thread polls the sockets itself. Six alternated pairs of
# scheduler_throughput runs (1,000 hollow nodes, 3,000 pods, load 10-33 on 2 cores): the reference
# etcd's and apiserver's context switches per pod about 10% fewer in every pair (etcd 96-108 ->
# 81-96), their CPU per pod 3% less on average, within this machine's noise (-12% to +7%).
# grpcio reads the setting once, when grpc is imported, so it is given to the processes that use
# gRPC (the reference etcd and apiserver) as they start; a GRPC_EXPERIMENTS of the user's is kept.
GRPC_EXPERIMENTS = ("-event_engine_client,-event_engine_listener,-event_engine_for_all_other_endpoints,"
                    "-event_engine_callback_cq")
GRPC_MODULES = (COMPONENT_MODULES["etcd"], COMPONENT_MODULES["apiserver"])
PORT_ATTEMPTS = 3  # times etcd members are started on freshly picked ports when one was taken
PORT_TAKEN = "the port is already in use"  # how the reference etcd refuses a port bound by another
ORDER = ("etcd", "apiserver", "controller-manager", "scheduler", "kubelet", "proxy")
UPSTREAM = ("controller-manager", "scheduler", "kubelet", "proxy")  # what `upstream` may replace
MAX_KUBELETS = 254  # kubelet N runs its pods on 127.0.N.0/24


class ClusterError(Exception):
    """A cluster that cannot start, or a command given where no cluster is recorded."""


@dataclass(frozen=True)
class Process:
    name: str
    pid: int
    argv: tuple[str, ...]
    log: str
    serving: tuple[str, ...] = ()  # the URLs of its own HTTP(S) ports (health, metrics)

    def running(self) -> bool:
        """Whether the process is alive and still the one started: after it died, the system may
        give its pid to another process, which is not ours to count or to signal."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return False  # another user's process: not one this user started
        proc = Path(f"/proc/{self.pid}")
        try:
            # A zombie (exited, not yet reaped by its parent) counts as gone.
            if (proc / "stat").read_text().split(") ", 1)[1][0] == "Z":
                return False
            command = _command_line(proc)
        except (OSError, IndexError):
            return True  # no /proc to ask: alive is all that is known
        # A script's interpreter comes before the argv it was started with (its #! line).
        return command[len(command) - len(self.argv):] == tuple(map(str, self.argv))


def _command_line(proc: Path) -> tuple[str, ...]:
    """A live process's argv from /proc. It reads empty for a moment while the process execs
    (a #! script's `env` becoming the interpreter), so an empty one is read again."""
    for _ in range(50):
        raw = (proc / "cmdline").read_bytes()
        if raw:
            break
        time.sleep(0.01)
    return tuple(raw.decode(errors="replace").split("\0")[:-1])


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
        try:
            data = json.loads(state.read_text())
            return cls(_text(data["dir"]), _text(data["kubeconfig"]),
                       tuple(_process(record) for record in data["processes"]))
        except (ValueError, KeyError, TypeError) as err:  # JSONDecodeError is a ValueError
            # Written whole by `save` (a rename); damaged by hand or by another program.
            raise ClusterError(f"{state} is damaged ({type(err).__name__}: {err}): stop the "
                               "processes it recorded, if any still run, and remove it") from None


def _process(record: dict) -> Process:
    if not isinstance(record["pid"], int) or isinstance(record["pid"], bool):
        raise TypeError(f"pid {record['pid']!r} is not a number")
    return Process(_text(record["name"]), record["pid"], tuple(map(_text, record["argv"])),
                   _text(record["log"]), tuple(map(_text, record.get("serving", ()))))


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


@dataclass(frozen=True)
class Ready:
    """How a process says it is ready: a log line `line` (a regular expression) finds, or a 200
    from `url`."""
    line: str | None = None
    url: str | None = None

    def seen(self, log: Path) -> str | None:
        if self.line is not None:
            for text in log.read_text(errors="replace").splitlines():
                if re.search(self.line, text):
                    return text
            return None
        try:  # upstream serving certificates are self-signed: readiness, not identity, is checked
            with urllib.request.urlopen(self.url, timeout=2, context=ssl._create_unverified_context()) as answer:
                return f"ready: {self.url} answered {answer.status}" if answer.status == 200 else None
        except OSError:
            return None


class UnknownUpstream(ValueError):
    """An --upstream entry naming no component a real binary may replace; it carries the name,
    so that the command line can suggest the near one (`kube-scheduler` → `scheduler`)."""

    def __init__(self, component: str):
        self.component = component
        super().__init__(f"unknown component {component!r}: choose from {', '.join(UPSTREAM)}")


def parse_upstream(value: str) -> dict[str, Path]:
    """`scheduler=PATH,kubelet=PATH,…` → {component: binary}; ValueError names what is wrong."""
    binaries: dict[str, Path] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        component, equals, path = item.partition("=")
        if not equals or not path:
            raise ValueError(f"{item!r} is not COMPONENT=PATH")
        if component not in UPSTREAM:
            raise UnknownUpstream(component)
        binary = Path(path).expanduser().resolve()
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            raise ValueError(f"{component}: {path} is not an executable file")
        binaries[component] = binary
    return binaries


_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port no one listens on, for a server about to start.

    It is drawn below the kernel's ephemeral range: a port from that range may be taken, between
    this check and the server's bind, as the local end of any outgoing connection on the machine
    (it happened in CI: "the port is already in use"). One process never gets the same port twice.
    """
    low = ephemeral_port_floor()
    first, end = port_slice(max(1024, low - 12000), low)
    for _ in range(200):
        port = random.randrange(first, end) if low > 2048 else 0
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = sock.getsockname()[1]
        _handed_out.add(port)
        return port
    raise OSError("no free loopback port below the ephemeral range")


# Processes that start servers side by side (the test suite's parallel workers) each draw from a
# slice of their own, "INDEX/COUNT", so two of them cannot hand out the same port between one's
# check and its server's bind. Children inherit the variable, and with it their parent's slice.
PORT_SLICE_ENV = "KUBEATLAS_PORT_SLICE"


def port_slice(first: int, end: int) -> tuple[int, int]:
    """The part of the ports [first, end) this process draws from: all of them, or the slice
    KUBEATLAS_PORT_SLICE names."""
    index, _, count = os.environ.get(PORT_SLICE_ENV, "").partition("/")
    if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
        return first, end
    size = (end - first) // int(count)
    return first + int(index) * size, first + (int(index) + 1) * size


def ephemeral_port_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def upstream_argv(component: str, binary: Path, directory: Path, name: str, kubeconfig: Path,
                  node: str = "node-1") -> tuple[tuple[str, ...], Ready]:
    """The real component's command line on loopback, and how its readiness shows."""
    if component in ("scheduler", "controller-manager"):
        port = free_port()
        argv = [str(binary), f"--kubeconfig={kubeconfig}", "--leader-elect=false",
                "--bind-address=127.0.0.1", f"--secure-port={port}", f"--cert-dir={directory / name}"]
        if component == "controller-manager":
            # No --service-account-private-key-file: the tokens controller stays off (it says so).
            # Approved CSRs are signed with the cluster CA, as the reference controller-manager's are.
            argv += ["--controllers=*", "--use-service-account-credentials=false",
                     f"--root-ca-file={directory / 'pki' / 'ca.crt'}"]
            if (directory / "pki" / "ca.key").exists():
                argv += [f"--cluster-signing-cert-file={directory / 'pki' / 'ca.crt'}",
                         f"--cluster-signing-key-file={directory / 'pki' / 'ca.key'}"]
        return tuple(argv), Ready(url=f"https://127.0.0.1:{port}/healthz")
    argv = [str(binary), f"--morph={component}", f"--name={node}", f"--kubeconfig={kubeconfig}"]
    if component == "kubelet":
        # kubemark binds its kubelet port on every interface (hard-coded); a free port and no
        # read-only port keep several on one host; the fake image service keeps it off the host's.
        argv += [f"--kubelet-port={free_port()}", "--kubelet-read-only-port=0", "--use-host-image-service=false"]
        return tuple(argv), Ready(line="Starting kubelet main sync loop")
    # At -v=2 kube-proxy logs each iptables sync, the only trace of rules a fake iptables leaves.
    return tuple(argv) + ("--v=2",), Ready(line="Starting endpoint slice config controller")


def serving_args(component: str, directory: Path, name: str, kubeconfig: Path) -> tuple[list[str], tuple[str, ...]]:
    """A reference component's own HTTP(S) ports on free loopback ports, so that several run on
    one host: its flags, and the URLs they serve. The scheduler's and controller-manager's secure
    ports delegate authentication and authorization to the cluster's apiserver."""
    if component in ("scheduler", "controller-manager"):
        port = free_port()
        flags = ["--bind-address", "127.0.0.1", "--secure-port", str(port), "--cert-dir", str(directory / name),
                 "--authentication-kubeconfig", str(kubeconfig), "--authorization-kubeconfig", str(kubeconfig)]
        if (directory / "pki" / "ca.crt").exists():  # kubeadm's components trust the cluster CA's clients
            flags += ["--client-ca-file", str(directory / "pki" / "ca.crt")]
        return flags, (f"https://127.0.0.1:{port}/healthz",)
    if component == "proxy":
        healthz, metrics = free_port(), free_port()
        return ["--healthz-bind-address", f"127.0.0.1:{healthz}", "--metrics-bind-address", f"127.0.0.1:{metrics}"], \
            (f"http://127.0.0.1:{healthz}/healthz", f"http://127.0.0.1:{metrics}/metrics")
    return [], ()


def start_component(directory: Path, name: str, component: str, args: list[str], kubeconfig: Path,
                    upstream: dict[str, Path], node: str = "node-1") -> Process:
    """Start the reference component with `args`, or the real one `upstream` names for it."""
    if component not in upstream:
        flags, urls = serving_args(component, directory, name, kubeconfig)
        return replace(start(directory, name, component, [*args, *flags])[0], serving=urls)
    argv, ready = upstream_argv(component, upstream[component], directory, name, kubeconfig, node)
    # kubemark makes its root and socket directories under TMPDIR: keep them in the cluster's.
    scratch = directory / name / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    process = start_process(directory, name, argv, ready, env={"TMPDIR": str(scratch)})[0]
    return replace(process, serving=(ready.url,) if ready.url else ())


def etcd_argv(binary: Path, directory: Path) -> tuple[tuple[str, ...], Ready, str]:
    """A real single-member etcd on loopback: its command line, readiness and client URL."""
    client, peer = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    argv = (str(binary), "--name=default", f"--data-dir={directory / 'etcd'}",
            f"--listen-client-urls={client}", f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}", f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=default={peer}")
    return argv, Ready(url=f"{client}/health"), client


def start_etcd_members(directory: Path, members: int) -> tuple[list[Process], str]:
    """`members` reference etcd members on loopback as one Raft cluster (etcd-1, etcd-2, …); the
    processes and the comma-separated client URLs of all of them.

    Their ports are picked free before any starts, so one may be taken before its member binds
    it (the first members dial the others from ports of the same ephemeral range): the members
    are then started again on other ports, their fresh data directories removed first."""
    for _ in range(PORT_ATTEMPTS - 1):
        try:
            return _start_etcd_members(directory, members)
        except ClusterError as error:
            if PORT_TAKEN not in str(error):
                raise
        for i in range(1, members + 1):
            shutil.rmtree(directory / f"etcd-{i}", ignore_errors=True)
    return _start_etcd_members(directory, members)


def _start_etcd_members(directory: Path, members: int) -> tuple[list[Process], str]:
    names = [f"etcd-{i}" for i in range(1, members + 1)]
    peers = {name: f"http://127.0.0.1:{free_port()}" for name in names}
    clients = {name: f"http://127.0.0.1:{free_port()}" for name in names}
    initial_cluster = ",".join(f"{name}={url}" for name, url in peers.items())
    launched: list[tuple[subprocess.Popen, Process]] = []
    try:
        # All before waiting: a member serves clients only once a quorum has elected a leader.
        for name in names:
            launched.append(launch(directory, name, (sys.executable, "-m", COMPONENT_MODULES["etcd"],
                "--name", name, "--data-dir", str(directory / name),
                "--initial-cluster", initial_cluster, "--listen-peer-urls", peers[name],
                "--initial-advertise-peer-urls", peers[name], "--listen-client-urls", clients[name],
                "--advertise-client-urls", clients[name], *ETCD_HTTP_APART)))
        for child, process in launched:
            wait_ready(child, process, Ready(line="^ready"))
    except BaseException:
        stop([process for _, process in launched])
        raise
    return [process for _, process in launched], ",".join(clients.values())


def start(directory: Path, name: str, component: str, args: list[str],
          ready_timeout: float = READY_TIMEOUT) -> tuple[Process, str]:
    """Start one reference component and wait for its ready line; return it and that line."""
    return start_process(directory, name, (sys.executable, "-m", COMPONENT_MODULES[component], *args),
                         Ready(line="^ready"), ready_timeout)


def start_process(directory: Path, name: str, argv: tuple[str, ...], ready: Ready,
                  ready_timeout: float = READY_TIMEOUT, env: dict[str, str] | None = None
                  ) -> tuple[Process, str]:
    """Start any process, its output in logs/<name>.log, and wait until `ready` is seen."""
    child, process = launch(directory, name, argv, env)
    try:
        return process, wait_ready(child, process, ready, ready_timeout)
    except BaseException:  # Ctrl-C while it starts: the caller knows only what is ready
        stop([process])
        raise


def launch(directory: Path, name: str, argv: tuple[str, ...], env: dict[str, str] | None = None
           ) -> tuple[subprocess.Popen, Process]:
    """Start a process in its own session, its output in logs/<name>.log."""
    logs = directory / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    exit_status = exit_status_file(log)
    exit_status.unlink(missing_ok=True)  # a status left by an earlier run of this name
    with open(log, "w") as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True,
                                 env=child_environment(argv, {**(env or {}), EXIT_STATUS_FILE: str(exit_status)}))
    return child, Process(name, child.pid, argv, str(log))


def exit_status_file(log: Path) -> Path:
    """Where a reference component started with `log` writes its exit code (process.main)."""
    return log.with_suffix(".exit")


def exit_report(process: Process) -> str:
    """One line on a process that no longer runs: its name, its exit code where it wrote one (a
    reference component does, 0 when SIGTERM or SIGINT stopped it; a real binary, or one SIGKILL
    ended, does not), and the line of its log that says why: Go's runtime's last "panic: " line,
    else its last line."""
    try:
        status = int(exit_status_file(Path(process.log)).read_text())
        code = f"with status {status}" + (" (it was stopped)" if status == 0 else "")
    except (OSError, ValueError):
        code = "with no status recorded (SIGKILL ended it, or it is not a reference component)"
    lines = [line for line in _last_lines(Path(process.log)) if line.strip()]
    why = next((line for line in reversed(lines) if line.startswith("panic: ")), lines[-1] if lines else "")
    return f"{process.name} (pid {process.pid}) exited {code}; its last log line: {why or '(none)'}"


def _last_lines(log: Path, size: int = 64 * 1024) -> list[str]:
    """The lines of the last `size` bytes of `log` (a crashed Go binary ends on its goroutines'
    stacks; a long-running component's log is large), none when it cannot be read."""
    try:
        with open(log, "rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - size))
            return file.read().decode(errors="replace").splitlines()
    except OSError:
        return []


def child_environment(argv: tuple[str, ...], env: dict[str, str] | None = None,
                      environ: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with `env` over it; for a reference component that uses gRPC,
    GRPC_EXPERIMENTS turning grpcio's EventEngine threads off unless it is set already."""
    child = {**(os.environ if environ is None else environ), **(env or {})}
    if len(argv) >= 3 and argv[1] == "-m" and argv[2] in GRPC_MODULES:
        child.setdefault("GRPC_EXPERIMENTS", GRPC_EXPERIMENTS)
    return child


def wait_ready(child: subprocess.Popen, process: Process, ready: Ready,
               ready_timeout: float = READY_TIMEOUT) -> str:
    """The line (or answer) showing `process` is ready; ClusterError if it exits or times out."""
    log = Path(process.log)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        line = ready.seen(log)
        if line is not None:
            return line
        if child.poll() is not None:
            raise ClusterError(f"{process.name} exited with status {child.returncode} before it was ready:\n"
                               + _tail(log))
        time.sleep(0.1)
    stop([process])
    raise ClusterError(f"{process.name} printed no ready line within {ready_timeout:.0f} s:\n" + _tail(log))


def _tail(log: Path, lines: int = 8) -> str:
    return "\n".join("  " + line for line in log.read_text(errors="replace").splitlines()[-lines:])


def up(directory: Path, kubelets: int = 3, only: tuple[str, ...] = ORDER,
       node_monitor_grace_period: float | None = None, upstream: dict[str, Path] | None = None,
       etcd: Path | None = None, etcd_members: int = 1, apiserver_args: tuple[str, ...] = ()) -> Cluster:
    """Start a cluster in `directory` (its data, certificates, logs and kubeconfig live there).

    Kubelet i runs node-i with pods on 127.0.i.0/24. `node_monitor_grace_period` (seconds) is how
    long the controller-manager waits for a silent node before marking it NotReady (default 40);
    the kubelets' Lease duration follows it, so they renew (every quarter of it) well within it.
    `upstream` maps components to real binaries to run in their place, `etcd` is a real etcd's.
    `etcd_members` reference etcd members form one Raft cluster; the apiserver gets all their URLs.
    `apiserver_args` are added to the reference apiserver's flags (`--anonymous-auth=false`).
    """
    if kubelets > MAX_KUBELETS:
        raise ClusterError(f"{kubelets} kubelets: at most {MAX_KUBELETS}, one 127.0.N.0/24 pod "
                           "range each")
    directory = directory.resolve()
    if (directory / "cluster.json").exists() and any(p.running() for p in Cluster.load(directory).processes):
        raise ClusterError(f"a cluster is already running from {directory}: `kubeatlas cluster down` first")
    directory.mkdir(parents=True, exist_ok=True)
    kubeconfig = directory / "admin.kubeconfig"
    started: list[Process] = []
    try:
        if etcd is None and etcd_members > 1:
            processes, etcd_url = start_etcd_members(directory, etcd_members)
            started += processes
        elif etcd is None:
            process, ready = start(directory, "etcd", "etcd", [
                "--data-dir", str(directory / "etcd"), "--listen-client-urls", "http://127.0.0.1:0",
                *ETCD_HTTP_APART, *ETCD_PEERS_ANY_PORT])
            etcd_url = URL.search(ready).group(1)
            started.append(process)
        else:
            if etcd_members > 1:
                raise ClusterError("--etcd-members above 1 runs reference members only; a real "
                                   "etcd runs as one member here")
            argv, readiness, etcd_url = etcd_argv(etcd, directory)
            process, _ = start_process(directory, "etcd", argv, readiness)
            started.append(process)
        if "apiserver" in only:
            process, _ = start(directory, "apiserver", "apiserver", [
                "--etcd-servers", etcd_url, "--cert-dir", str(directory / "pki"), "--secure-port", "0",
                "--kubeconfig-out", str(kubeconfig), *kubelet_client_args(directory / "pki", upstream or {}),
                *apiserver_args])
            started.append(process)
        started += start_nodes_and_controllers(directory, kubeconfig, kubelets, only,
                                               node_monitor_grace_period, upstream or {})
    except BaseException:
        stop(started)
        raise
    cluster = Cluster(str(directory), str(kubeconfig), tuple(started))
    cluster.save()
    return cluster


def kubelet_client_args(pki: Path, upstream: dict[str, Path]) -> list[str]:
    """The apiserver's flags for reaching kubelets, as kubeadm writes them: its kubelet client
    pair, and the cluster CA to check their serving certificates by, unless the kubelets are real
    ones serving self-signed certificates."""
    args = ["--kubelet-client-certificate", str(pki / "apiserver-kubelet-client.crt"),
            "--kubelet-client-key", str(pki / "apiserver-kubelet-client.key")]
    if "kubelet" not in upstream:
        args += ["--kubelet-certificate-authority", str(pki / "ca.crt")]
    return args


def kubelet_serving_args(pki: Path, node: str) -> list[str]:
    """A reference kubelet's serving pair, signed by the cluster CA now, and that CA as the one
    its clients' certificates must chain to and the one that signs its own client certificate
    (system:node:<name>), as kubeadm gives each kubelet its kubelet.conf."""
    pair = store_node_serving_cert(pki, node, NODE_IP)
    return ["--tls-cert-file", str(pair.cert_path), "--tls-private-key-file", str(pair.key_path),
            "--client-ca-file", str(pki / "ca.crt"),
            "--node-ca-cert-file", str(pki / "ca.crt"), "--node-ca-key-file", str(pki / "ca.key")]


def start_nodes_and_controllers(directory: Path, kubeconfig: Path, kubelets: int = 3,
                                only: tuple[str, ...] = ORDER, node_monitor_grace_period: float | None = None,
                                upstream: dict[str, Path] | None = None) -> list[Process]:
    """Everything after the apiserver, talking to it through `kubeconfig`; on a failure what was
    started here is stopped again. The upstream compatibility benchmark calls this with a
    kubeconfig that points at its recording proxy."""
    pki = directory / "pki"
    manager_args, kubelet_args = ["--kubeconfig", str(kubeconfig)], []
    if (pki / "ca.key").exists():  # the cluster's own CA (a benchmark's recording proxy has none here)
        manager_args += ["--cluster-signing-cert-file", str(pki / "ca.crt"),
                         "--cluster-signing-key-file", str(pki / "ca.key")]
    if node_monitor_grace_period is not None:
        manager_args += ["--node-monitor-grace-period", f"{node_monitor_grace_period:g}s"]
        kubelet_args = ["--node-lease-duration-seconds", str(max(1, int(node_monitor_grace_period)))]
    # One of each, as the real ones get here: no Lease to take and renew (upstream's default is on).
    plan = [("controller-manager", "controller-manager", [*manager_args, "--leader-elect=false"], ""),
            ("scheduler", "scheduler", ["--kubeconfig", str(kubeconfig), "--leader-elect=false"], "")]
    # Reference kubelets serve what the cluster CA signs; without it, their self-signed pairs.
    signed = (pki / "ca.key").exists() and "kubelet" in only and "kubelet" not in (upstream or {})
    plan += [(f"kubelet-{i}", "kubelet", ["--kubeconfig", str(kubeconfig), "--node-name", f"node-{i}",
                                           "--root-dir", str(directory / f"kubelet-{i}"),
                                           "--pod-cidr", f"127.0.{i}.0/24", *kubelet_args,
                                           *(kubelet_serving_args(pki, f"node-{i}") if signed else ())], f"node-{i}")
             for i in range(1, kubelets + 1)]
    plan += [("proxy", "proxy", ["--kubeconfig", str(kubeconfig)], "node-1")]
    started: list[Process] = []
    try:
        for name, component, args, node in plan:
            if component in only:
                started.append(start_component(directory, name, component, args, kubeconfig,
                                               upstream or {}, node))
    except BaseException:
        stop(started)
        raise
    return started


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
    if not process.running():
        return  # gone, or its pid now another process's
    try:
        os.killpg(process.pid, number)
    except ProcessLookupError:
        pass
