"""The process runtime with real short-lived `python -c` containers, driven by the kubelet core."""
from __future__ import annotations

import http.server
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.kubelet.actions import RunProbe  # noqa: E402
from reference_impl.kubelet.crilog import read_records  # noqa: E402
from reference_impl.machinery.actions import Patch, RecordEvent  # noqa: E402
from reference_impl.kubelet.kubelet import Kubelet  # noqa: E402
from reference_impl.kubelet.runtime import (AttachTarget, ProbeResult, ProcessRuntime, execute,  # noqa: E402
                                            log_path, output_path, run_probe)

PY = sys.executable


def pod(container, restart_policy="Never", **spec):
    return {"metadata": {"namespace": "ns", "name": "p", "uid": "u1"},
            "spec": {"nodeName": "n1", "restartPolicy": restart_policy, "containers": [container], **spec}}


def run_until(kubelet, runtime, predicate, timeout=10.0, clock=None, step=0.0):
    """Iterate core + runtime until `predicate(last status)` holds; returns that status."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        for action in execute(kubelet, runtime, kubelet.sync_loop_iteration()):
            if isinstance(action, Patch) and action.resource == "pods":
                status = action.patch["status"]
        if status is not None and predicate(status):
            return status
        if clock is not None:
            clock.advance(step)
        time.sleep(0.02)
    raise AssertionError(f"condition not reached; last status {status}")


@pytest.fixture
def setup(tmp_path):
    clock = ManualClock(1_700_000_000.0)
    return Kubelet("n1", clock), ProcessRuntime(tmp_path / "pods"), clock, tmp_path


def test_process_exit_code_reaches_status(setup):
    """A container's real exit code becomes status.containerStatuses[].state.terminated.exitCode."""
    kubelet, runtime, _, _ = setup
    kubelet.set_desired_pods([pod({"name": "c", "command": [PY, "-c", "import sys; sys.exit(3)"]})])
    status = run_until(kubelet, runtime, lambda s: s["phase"] == "Failed")
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3


def test_command_args_env_workdir_and_log_file(setup):
    """command+args run with env and workingDir; stdout and stderr land in the per-container log file."""
    kubelet, runtime, _, tmp = setup
    work = tmp / "work"
    work.mkdir()
    code = ("import os,sys; print(os.environ['GREETING'], sys.argv[1], os.getcwd(), flush=True); "
            "print('err', file=sys.stderr)")
    kubelet.set_desired_pods([pod({"name": "c", "command": [PY, "-c", code], "args": ["world"],
                                   "env": [{"name": "GREETING", "value": "hello"}], "workingDir": str(work)})])
    run_until(kubelet, runtime, lambda s: s["phase"] == "Succeeded")
    key = next(iter(kubelet.pods.values())).key
    text = output_path(tmp / "pods", key, "c", 0).read_text()
    assert text == f"hello world {work}\nerr\n"


def test_the_log_file_holds_cri_records_stamped_when_the_output_came(setup):
    """The runtime writes the container log as a CRI runtime does: `<RFC3339Nano> stdout F <line>`,
    a `P` record for output not yet ended by a newline, times in the order the output came."""
    kubelet, runtime, _, tmp = setup
    code = "import sys, time; print('one', flush=True); time.sleep(0.3); sys.stdout.write('two'); sys.stdout.flush()"
    before = time.time_ns()
    kubelet.set_desired_pods([pod({"name": "c", "command": [PY, "-c", code]})])
    run_until(kubelet, runtime, lambda s: s["phase"] == "Succeeded")
    records, _ = read_records(log_path(tmp / "pods", next(iter(kubelet.pods.values())).key, "c", 0))
    assert [(r.stream, r.partial, r.content) for r in records] == [("stdout", False, b"one\n"),
                                                                   ("stdout", True, b"two")]
    assert before <= records[0].timestamp_ns <= records[1].timestamp_ns - 250_000_000 <= time.time_ns()


def test_restart_writes_a_new_log_file(setup):
    """Each restart logs to <restartCount>.log, so the previous run's log stays readable."""
    kubelet, runtime, clock, tmp = setup
    kubelet.set_desired_pods([pod({"name": "c", "command": [PY, "-c", "print('run')"]}, restart_policy="Always")])
    run_until(kubelet, runtime, lambda s: s["containerStatuses"][0]["restartCount"] >= 1)
    key = next(iter(kubelet.pods.values())).key
    assert output_path(tmp / "pods", key, "c", 0).read_text() == "run\n"


def test_sigterm_stops_a_sleeping_process(setup):
    """Deleting the pod SIGTERMs the process; it dies with 128+15 and the pod deletion completes."""
    kubelet, runtime, _, _ = setup
    p = pod({"name": "c", "command": [PY, "-c", "import time; time.sleep(30)"]})
    kubelet.set_desired_pods([p])
    run_until(kubelet, runtime, lambda s: s["phase"] == "Running")
    p["metadata"]["deletionTimestamp"] = "2023-01-01T00:00:00Z"
    kubelet.set_desired_pods([p])
    status = run_until(kubelet, runtime, lambda s: "terminated" in s["containerStatuses"][0]["state"])
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 143


def test_sigkill_after_grace_for_a_process_ignoring_sigterm(setup):
    """A process that ignores SIGTERM is SIGKILLed once the grace period has passed (exit 137)."""
    kubelet, runtime, clock, tmp = setup
    code = ("import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ignoring', flush=True); time.sleep(30)")
    p = pod({"name": "c", "command": [PY, "-c", code]}, terminationGracePeriodSeconds=2)
    kubelet.set_desired_pods([p])
    run_until(kubelet, runtime, lambda s: s["phase"] == "Running")
    log = output_path(tmp / "pods", next(iter(kubelet.pods.values())).key, "c", 0)
    deadline = time.monotonic() + 10
    while log.read_text() != "ignoring\n":  # SIGTERM before the handler is installed would kill it
        assert time.monotonic() < deadline, "the process never installed its handler"
        time.sleep(0.02)
    p["metadata"]["deletionTimestamp"] = "2023-01-01T00:00:00Z"
    kubelet.set_desired_pods([p])
    status = run_until(kubelet, runtime, lambda s: "terminated" in s["containerStatuses"][0]["state"],
                       clock=clock, step=0.5)
    assert status["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 137


def test_missing_command_is_a_start_error(setup):
    """A container without a command cannot run as a process: exit code 128, reason StartError."""
    kubelet, runtime, _, _ = setup
    kubelet.set_desired_pods([pod({"name": "c", "image": "nginx"})])
    status = run_until(kubelet, runtime, lambda s: s["phase"] == "Failed")
    assert status["containerStatuses"][0]["state"]["terminated"]["reason"] == "StartError"


def test_a_process_that_cannot_start_is_a_failed_event_after_created(setup):
    """startContainer: the container was created, so Pulled and Created come first; the start's
    error is the Warning `Failed` with `Error: <why>` in place of Started."""
    kubelet, runtime, _, _ = setup
    kubelet.set_desired_pods([pod({"name": "c", "image": "nginx", "command": ["/nonexistent/run"]},
                                  restart_policy="Never")])
    events = [a for a in execute(kubelet, runtime, kubelet.sync_loop_iteration()) if isinstance(a, RecordEvent)]
    assert [(e.type, e.reason) for e in events] == [("Normal", "Pulled"), ("Normal", "Created"), ("Warning", "Failed")]
    assert events[2].message.startswith("Error: ") and "/nonexistent/run" in events[2].message
    assert events[2].involved["fieldPath"] == "spec.containers{c}"


def test_a_nul_byte_in_a_command_fails_that_container_and_the_kubelet_keeps_running(setup):
    """The apiserver accepts "36\u00000" in a command; exec(2) cannot take it. Go's runtime returns an
    error for that one container (Warning Failed, StartError) and the kubelet goes on syncing."""
    kubelet, runtime, _, _ = setup
    kubelet.set_desired_pods([pod({"name": "c", "image": "x", "command": ["sleep", "36\u00000"]})])
    events = [a for a in execute(kubelet, runtime, kubelet.sync_loop_iteration()) if isinstance(a, RecordEvent)]
    assert [(e.type, e.reason) for e in events][-1] == ("Warning", "Failed")
    status = run_until(kubelet, runtime, lambda s: s["phase"] == "Failed")
    assert status["containerStatuses"][0]["state"]["terminated"]["reason"] == "StartError"


def test_a_container_that_cannot_start_waits_as_run_container_error_then_crash_loop_back_off(setup):
    """convertToAPIContainerStatuses shows the last sync's start error (reasonCache) as Waiting:
    after a failed start, RunContainerError with the runtime's message and lastState StartError;
    once the restart is backed off, CrashLoopBackOff, which the restart after the back-off keeps (the
    reasonCache changes only when a sync ends), never ContainerCreating again. Each failed start is
    a Warning Failed event."""
    kubelet, runtime, clock, _ = setup
    kubelet.set_desired_pods([pod({"name": "c", "image": "x", "command": ["sleep", "36\u00000"]},
                                  restart_policy="Always")])
    waiting, event_reasons = [], []
    for seconds in (1, 1, 1, 10, 1):
        for action in execute(kubelet, runtime, kubelet.sync_loop_iteration()):
            if isinstance(action, Patch) and action.resource == "pods":
                status = action.patch["status"]["containerStatuses"][0]
                waiting.append((status["state"]["waiting"]["reason"], status["state"]["waiting"].get("message")))
            elif isinstance(action, RecordEvent):
                event_reasons.append((action.reason, action.message))
        clock.advance(seconds)
    assert [reason for reason, _ in waiting] == ["ContainerCreating", "RunContainerError", "CrashLoopBackOff",
                                                 "CrashLoopBackOff"]
    assert waiting[1][1] == "embedded null byte"
    assert status["lastState"]["terminated"]["reason"] == "StartError"
    assert [reason for reason, _ in event_reasons] == ["Pulled", "Created", "Failed", "Pulled", "Created", "Failed",
                                                       "BackOff", "Pulled", "Created", "Failed"]
    assert event_reasons[2][1] == "Error: embedded null byte"


def test_an_exec_probe_with_a_nul_byte_fails_and_does_not_raise():
    """An exec probe's command exec(2) cannot take is a failed probe, as Go's exec error is."""
    assert run_probe(_probe({"exec": {"command": ["true", "a\u0000b"]}})).success is False


def test_an_exec_probe_command_that_is_not_strings_is_a_bug_not_a_failed_probe():
    """The apiserver refuses a command that is not a list of strings, so Popen's TypeError for one
    is the kubelet's own bug: raised (a Go panic), never reported as the probe's failure."""
    with pytest.raises(TypeError):
        run_probe(_probe({"exec": {"command": ["true", 1]}}))

def _probe(kind_spec):
    return RunProbe(None, "c", "liveness", {**kind_spec, "timeoutSeconds": 2})


def test_exec_probe():
    """An exec probe succeeds exactly when its command exits 0."""
    assert run_probe(_probe({"exec": {"command": [PY, "-c", "pass"]}})).success
    assert not run_probe(_probe({"exec": {"command": [PY, "-c", "raise SystemExit(1)"]}})).success


def test_tcp_probe():
    """A tcpSocket probe succeeds when the port accepts a connection."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert run_probe(_probe({"tcpSocket": {"port": port}})).success
    assert not run_probe(_probe({"tcpSocket": {"port": port}})).success


def test_http_probe():
    """An httpGet probe succeeds on 2xx/3xx and fails on 5xx."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/ok" else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        assert run_probe(_probe({"httpGet": {"path": "/ok", "port": port}})).success
        assert run_probe(_probe({"httpGet": {"path": "/bad", "port": port}})) == ProbeResult(
            False, "HTTP probe failed with statuscode: 500")
        assert run_probe(_probe({"httpGet": {"path": "ok", "port": port}})).success  # formatURL adds the "/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("spec", [{"httpGet": {"path": "/", "port": "http"}},
                                  {"httpGet": {"path": "/", "port": 1, "host": "bad host"}},
                                  {"httpGet": {"path": "/", "port": 70000}},
                                  {"tcpSocket": {"port": 70000}}])
def test_a_probe_that_cannot_be_sent_fails_and_does_not_raise(spec):
    """An unusable URL or port (which the core should not hand over) is a failed probe, not an
    exception out of the kubelet's loop."""
    assert run_probe(_probe(spec)).success is False


def test_a_started_container_is_reported_in_pulled_created_and_started_events(setup):
    """startContainer records, about the container (fieldPath spec.containers{<name>}), the image
    `already present on machine` (Pulled: the process runtime has every image), `Created container
    <name>` and `Started container <name>` (Normal), which `kubectl describe pod` shows."""
    kubelet, runtime, _, _ = setup
    kubelet.set_desired_pods([pod({"name": "c", "image": "busybox:1.36", "command": [PY, "-c", "pass"]})])
    deadline, events = time.monotonic() + 10, []
    while len(events) < 3 and time.monotonic() < deadline:
        events += [a for a in execute(kubelet, runtime, kubelet.sync_loop_iteration()) if isinstance(a, RecordEvent)]
        time.sleep(0.02)
    assert [(e.type, e.reason, e.message) for e in events] == [
        ("Normal", "Pulled", 'Container image "busybox:1.36" already present on machine'),
        ("Normal", "Created", "Created container c"), ("Normal", "Started", "Started container c")]
    assert {e.involved["fieldPath"] for e in events} == {"spec.containers{c}"}


def test_a_failed_exec_probe_gives_its_combined_output():
    """execProber: the output an Unhealthy event quotes is the command's stdout and stderr together."""
    result = run_probe(_probe({"exec": {"command": [PY, "-c", "import sys; print('out'); sys.exit('err')"]}}))
    assert result == ProbeResult(False, "out\nerr\n")


def test_an_exec_probe_that_runs_too_long_times_out():
    result = run_probe(RunProbe(None, "c", "liveness", {"exec": {"command": [PY, "-c", "import time; time.sleep(5)"]},
                                                         "timeoutSeconds": 0.2}))
    assert result == ProbeResult(False, f'command "{PY} -c import time; time.sleep(5)" timed out')


def test_a_refused_probe_reads_as_go_dial_error():
    """tcpSocket and httpGet probes to a closed port fail with net.Dial's words (the HTTP one
    prefixed by the request, as Go's url.Error is)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    assert run_probe(_probe({"tcpSocket": {"port": port}})) == ProbeResult(
        False, f"dial tcp 127.0.0.1:{port}: connect: connection refused")
    assert run_probe(_probe({"httpGet": {"path": "/z", "port": port}})) == ProbeResult(
        False, f'Get "http://127.0.0.1:{port}/z": dial tcp 127.0.0.1:{port}: connect: connection refused')


class ClosedMeanwhile:
    """A container's stdin that another thread (another attach letting go of a stdinOnce input)
    closes just after an attach has seen it open: what a thread switch there does."""

    def __init__(self, target_holder: list) -> None:
        read_end, write_end = os.pipe()
        os.close(read_end)
        self.file, self.target_holder = open(write_end, "wb"), target_holder
        self.closer: threading.Thread | None = None

    @property
    def closed(self) -> bool:
        was_closed = self.file.closed
        if self.closer is None:
            self.closer = threading.Thread(target=self.target_holder[0].detach_stdin)
            self.closer.start()
            self.closer.join(0.2)  # the close runs now, unless it has to wait for the attach
        return was_closed

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.file.close()


def test_a_stdin_closed_while_an_attach_takes_it_is_taken_whole_or_not_at_all(tmp_path):
    """AttachTarget.stdin dups the container's stdin under the lock its closes take: a close
    racing it waits, instead of leaving the attach a closed stream (or another file's number)."""
    holder: list = []
    process = type("Process", (), {"stdin": ClosedMeanwhile(holder)})()
    holder.append(AttachTarget(tmp_path / "log", process, stdin_once=True))
    dup = holder[0].stdin()
    try:
        assert dup is not None and os.fstat(dup)
    finally:
        os.close(dup)
    process.stdin.closer.join(5)
    assert process.stdin.file.closed  # the close that waited has run since
