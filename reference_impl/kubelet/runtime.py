"""A thin process runtime: carries out the kubelet core's actions with local processes.

Each container runs as `command + args` with its `env` and `workingDir`, in its own process group
so signals reach its children too. Output goes where the real kubelet puts it,
`<log_root>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log`, in the CRI log format a real
runtime writes (`crilog`), so a `kubectl logs` backend can read it later with each line's time;
the same bytes, unchanged, go to `<restartCount>.out` beside it for an attach to follow. Probes
are run here too (exec, httpGet, tcpSocket); the core only sees results.

Volumes: a process cannot be given mounts without privileges, and writing at a container's
mountPath on the host (/etc/config...) would be neither possible nor honest. So each container gets
a root directory of its own, `<root-dir>/pods/<uid>/containers/<name>/rootfs`, in which every
volumeMount's mountPath is a symlink to the volume's directory on the node (`volumemanager`). The
process finds it in the environment variable CONTAINER_ROOT and reads `$CONTAINER_ROOT/etc/config/key`
where a real container reads `/etc/config/key`. Nothing else is rewritten: absolute paths in the
command are the host's, and readOnly is not enforced.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from reference_impl.machinery.actions import RecordEvent
from reference_impl.mirrors import mirrors

from .actions import (MountVolumes, PodKey, RunProbe, SignalContainer, StartContainer, UnmountVolumes,
                      container_field_path, image_present_message, pod_event)
from .crilog import CRILogWriter
from .errors import ContainerStartError
from .volumemanager import VolumeManager

CONTAINER_ROOT_ENV = "CONTAINER_ROOT"
LOG_DRAIN_SECONDS = 1.0

# What Popen raises for a command it cannot exec: a missing program (OSError), and a NUL byte the
# apiserver accepts in argv or env but exec(2) cannot take (ValueError). Go's exec returns these as
# errors (EINVAL), so they fail the one container and never stop the kubelet. A non-string cannot
# reach here (the apiserver's schema refuses it): a TypeError is a bug and is not caught.
BAD_EXEC_INPUT = (OSError, ValueError)


def log_path(log_root: Path, key: PodKey, container_name: str, restart_count: int) -> Path:
    """The container's CRI log for the run started at `restart_count`."""
    return Path(log_root) / f"{key.namespace}_{key.name}_{key.uid}" / container_name / f"{restart_count}.log"


def output_path(log_root: Path, key: PodKey, container_name: str, restart_count: int) -> Path:
    """What that run wrote, byte for byte, with no record around it."""
    return log_path(log_root, key, container_name, restart_count).with_suffix(".out")


@dataclass(frozen=True)
class ExecTarget:
    """What a running container's process was started with, which a command exec'd in it gets too."""

    env: dict[str, str]
    working_dir: str | None


@dataclass
class AttachTarget:
    """What `kubectl attach` reaches of a running container: the log its output goes to and, for a
    container with `stdin: true`, its standard input; `stdin_once` closes that input when the first
    attach that used it lets go, as the runtimes do for `kubectl run -i`."""

    log: Path
    process: subprocess.Popen
    stdin_once: bool = False
    # Attaches take the stdin from their own threads while another attach or the runtime's reaping
    # closes it: a close between the check and the dup would hand out another file's number.
    _stdin_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def running(self) -> bool:
        return self.process.poll() is None

    def stdin(self) -> int | None:
        """A descriptor of its own for the container's stdin (the caller closes it); None without one."""
        with self._stdin_lock:
            stream = self.process.stdin
            if stream is None or stream.closed:
                return None
            return os.dup(stream.fileno())

    def detach_stdin(self) -> None:
        if self.stdin_once:
            self.close_stdin()

    def close_stdin(self) -> None:
        with self._stdin_lock:
            if self.process.stdin is not None:
                self.process.stdin.close()


@dataclass
class ProcessRuntime:
    """Starts, signals and reaps container processes; `poll()` reports exits as (key, name, exit_code)."""

    log_root: Path
    volumes: VolumeManager | None = None  # sets up volumes and the container roots that show them
    processes: dict[tuple[PodKey, str], subprocess.Popen] = field(default_factory=dict)
    exec_targets: dict[tuple[PodKey, str], ExecTarget] = field(default_factory=dict)
    attach_targets: dict[tuple[PodKey, str], AttachTarget] = field(default_factory=dict)
    log_writers: dict[tuple[PodKey, str], CRILogWriter] = field(default_factory=dict)

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/kuberuntime.kubeGenericRuntimeManager).startContainer")
    def start(self, action: StartContainer) -> str:
        """Start the container's process; returns its container ID ("process://<pid>")."""
        spec = action.container
        argv = list(spec.get("command") or []) + list(spec.get("args") or [])
        if not argv:
            raise ContainerStartError(str(action.pod), spec["name"], "no command: the process runtime has no images")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if self.volumes is not None:
            env[CONTAINER_ROOT_ENV] = str(self.volumes.container_root(action.pod, spec))
        env.update({e["name"]: e.get("value", "") for e in spec.get("env") or []})
        path = log_path(self.log_root, action.pod, spec["name"], action.restart_count)
        output = output_path(self.log_root, action.pod, spec["name"], action.restart_count)
        path.parent.mkdir(parents=True, exist_ok=True)
        output.touch()  # an attach opens it at once
        target = ExecTarget(env, spec.get("workingDir") or None)
        try:
            proc = subprocess.Popen(argv, env=env, cwd=target.working_dir,
                                    stdin=subprocess.PIPE if spec.get("stdin") else subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        except BAD_EXEC_INPUT as exc:
            raise ContainerStartError(str(action.pod), spec["name"], str(exc)) from None
        writer = CRILogWriter(proc.stdout, path, output)
        writer.start()
        self.processes[(action.pod, spec["name"])] = proc
        self.log_writers[(action.pod, spec["name"])] = writer
        self.exec_targets[(action.pod, spec["name"])] = target
        self.attach_targets[(action.pod, spec["name"])] = AttachTarget(output, proc, bool(spec.get("stdinOnce")))
        return f"process://{proc.pid}"

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).findContainer")
    def exec_target(self, key: PodKey, container_name: str) -> ExecTarget | None:
        """The running container's environment for an exec; None when it is not running."""
        proc = self.processes.get((key, container_name))
        if proc is None or proc.poll() is not None:
            return None
        return self.exec_targets.get((key, container_name))

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/kuberuntime.kubeGenericRuntimeManager).GetAttach")
    def attach_target(self, key: PodKey, container_name: str) -> AttachTarget | None:
        """The running container's output and input for an attach; None when it is not running."""
        target = self.attach_targets.get((key, container_name))
        return target if target is not None and target.running() else None

    def signal(self, action: SignalContainer) -> None:
        proc = self.processes.get((action.pod, action.container_name))
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, getattr(signal, action.signal))
        except ProcessLookupError:
            pass

    def poll(self) -> list[tuple[PodKey, str, int]]:
        """Reap exited processes; a signal death reports as 128 + signal number, as runtimes do."""
        exited = []
        for (key, name), proc in list(self.processes.items()):
            code = proc.poll()
            if code is None:
                continue
            del self.processes[(key, name)]
            # The exit is reported once the log holds what the process wrote last; a child that
            # outlives it and keeps the pipe open is not waited for long.
            self.log_writers.pop((key, name)).thread.join(LOG_DRAIN_SECONDS)
            self.exec_targets.pop((key, name), None)
            attached = self.attach_targets.pop((key, name), None)
            if attached is not None:
                attached.close_stdin()
            exited.append((key, name, 128 - code if code < 0 else code))
        return exited

    def wait(self, timeout: float) -> None:
        """Block until every process has exited or `timeout` passes (adapter and test helper)."""
        for proc in list(self.processes.values()):
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return


@dataclass(frozen=True)
class ProbeResult:
    """A probe's outcome and its output, which an Unhealthy event quotes."""

    success: bool
    output: str = ""


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/prober.prober).runProbe")
def run_probe(action: RunProbe, host: str | None = None) -> ProbeResult:
    """Run one probe against a local process container. The output is what upstream's probers
    give: an exec probe's combined stdout and stderr, an HTTP probe's status code, the dial error."""
    probe = action.probe
    host = host or action.pod_ip
    timeout = probe.get("timeoutSeconds", 1)
    if "exec" in probe:
        return _exec_probe(probe["exec"]["command"], timeout)
    if "httpGet" in probe:
        url = format_url(probe["httpGet"], host)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                code = resp.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        except urllib.error.URLError as exc:
            return ProbeResult(False, f'Get "{url}": {_dial_error(host, probe["httpGet"]["port"], exc.reason)}')
        except (OSError, ValueError, http.client.HTTPException) as exc:  # InvalidURL: a host or port no URL takes
            return ProbeResult(False, f'Get "{url}": {exc}')
        if 200 <= code < 400:
            return ProbeResult(True)
        return ProbeResult(False, f"HTTP probe failed with statuscode: {code}")
    if "tcpSocket" in probe:
        address = (probe["tcpSocket"].get("host") or host, probe["tcpSocket"]["port"])
        try:
            with socket.create_connection(address, timeout=timeout):
                return ProbeResult(True)
        except (OSError, OverflowError, TypeError) as exc:  # a port outside 0-65535 or not a number
            return ProbeResult(False, _dial_error(*address, exc))
    return ProbeResult(False)


@mirrors("(k8s.io/kubernetes/pkg/probe/exec.execProber).Probe")
def _exec_probe(command: list[str], timeout: float) -> ProbeResult:
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ProbeResult(False, f'command "{" ".join(command)}" timed out')
    except BAD_EXEC_INPUT as exc:
        return ProbeResult(False, str(exc))
    return ProbeResult(result.returncode == 0, result.stdout.decode(errors="replace"))


def _dial_error(host: str, port, error) -> str:
    """Go's net.Dial error text for the common refusal, Python's own words otherwise."""
    if isinstance(error, ConnectionRefusedError):
        return f"dial tcp {host}:{port}: connect: connection refused"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"dial tcp {host}:{port}: i/o timeout"
    return f"dial tcp {host}:{port}: {getattr(error, 'strerror', None) or error}"


@mirrors("k8s.io/kubernetes/pkg/kubelet/prober.formatURL")
def format_url(get: dict, host: str) -> str:
    """An httpGet probe's URL; a path without its leading "/" gets one, as Go's URL.String adds it."""
    path = get.get("path") or "/"
    if not path.startswith("/"):
        path = "/" + path
    return f"{get.get('scheme', 'HTTP').lower()}://{get.get('host') or host}:{get['port']}{path}"


@mirrors("(*k8s.io/kubernetes/pkg/kubelet/kuberuntime.kubeGenericRuntimeManager).startContainer",
         "(*k8s.io/kubernetes/pkg/kubelet/images.imageManager).EnsureImageExists")
def container_start_events(action: StartContainer, failure: str | None = None) -> list[RecordEvent]:
    """What `kubectl describe pod` lists once a container was started: Pulled, Created, then
    Started, or the Warning `Failed` with `Error: <failure>` when the process could not start. The
    process runtime runs the host's programs, so every image is present and none is pulled: the
    Pulled event is the one upstream writes for an image already on the node (even for
    imagePullPolicy Always, where a real node would pull)."""
    name = action.container["name"]
    field_path = container_field_path(name, action.ephemeral)
    pulled = image_present_message(action.container.get("image", ""))
    outcome = ("Normal", "Started", f"Started container {name}") if failure is None else \
        ("Warning", "Failed", f"Error: {failure}")
    events = (("Normal", "Pulled", pulled), ("Normal", "Created", f"Created container {name}"), outcome)
    return [pod_event(action.pod, type_, reason, message, field_path) for type_, reason, message in events]


def execute(kubelet, runtime: ProcessRuntime, actions: list) -> list:
    """Carry out the node-local actions, feeding outcomes back to `kubelet`; return the API actions.

    Probes run inline here for simplicity; a long-running adapter would run them on workers.
    """
    api_actions = []
    for action in actions:
        if isinstance(action, StartContainer):
            try:
                container_id = runtime.start(action)
            except ContainerStartError as exc:
                kubelet.container_start_failed(action.pod, action.container["name"], exc.reason)
                api_actions.extend(container_start_events(action, exc.reason))
            else:
                kubelet.container_started(action.pod, action.container["name"], container_id)
                api_actions.extend(container_start_events(action))
        elif isinstance(action, SignalContainer):
            runtime.signal(action)
        elif isinstance(action, RunProbe):
            result = run_probe(action)
            api_actions.extend(kubelet.probe_result(action.pod, action.container_name, action.probe_type,
                                                    result.success, result.output))
        elif isinstance(action, MountVolumes) and runtime.volumes is not None:
            api_actions.extend(kubelet.volumes_set_up(action.pod, runtime.volumes.set_up(action)))
        elif isinstance(action, UnmountVolumes) and runtime.volumes is not None:
            runtime.volumes.tear_down(action.pod)
        else:
            api_actions.append(action)
    for key, name, exit_code in runtime.poll():
        kubelet.container_exited(key, name, exit_code)
    return api_actions
