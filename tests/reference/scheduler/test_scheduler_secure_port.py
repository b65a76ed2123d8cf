"""The reference kube-scheduler's secure port: its metrics counted from the scheduling it did, its
mux as upstream's newHealthzAndMetricsHandler builds it, and its flags."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from sched_fixtures import fake_clock, node, pod
from test_scheduler_runner import FakeClient

from reference_impl.client.leaderelection import LeaderElector
from reference_impl.machinery.certutil import new_ca
from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery import componentserver as cs
from reference_impl.machinery.process import main as process_main
from reference_impl.scheduler import Scheduler
from reference_impl.scheduler.metrics import SchedulerMetrics
from reference_impl.scheduler.run import COMMAND, SchedulerRunner, parse_args, secure_mux

def kubeconfig_text(ca: Path) -> str:
    """A kubeconfig the client loads, for an apiserver that is never reached."""
    cluster = f'{{server: "https://127.0.0.1:1", certificate-authority: "{ca}"}}'
    return (f"apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {cluster}}}]\n"
            "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
            "current-context: x\n")


def run_cycles(runner: SchedulerRunner, cycles: int = 10) -> None:
    """The scheduling loop's part that counts: each cycle timed, its actions performed."""
    for _ in range(cycles):
        with runner.lock:
            actions = runner.scheduler.schedule_one()
        if not actions:
            return
        runner.perform(actions, 0.0)


def runner_with(nodes, pods) -> tuple[SchedulerRunner, FakeClient]:
    client = FakeClient()
    runner = SchedulerRunner(client, Scheduler(fake_clock(), random.Random(1)), metrics=SchedulerMetrics())
    for obj in nodes:
        runner.nodes.store.add(obj)
    for obj in pods:
        runner.pods.store.add(obj)
    return runner, client


def test_attempts_are_counted_by_result_from_the_cycles_run():
    """Two pods fit, one asks for more CPU than any node has: 2 scheduled, 1 unschedulable, and
    the unschedulable one waits in the unschedulable queue."""
    runner, _ = runner_with([node("n1", cpu="2")], [pod("a", cpu="1"), pod("b", cpu="500m"), pod("big", cpu="8")])
    run_cycles(runner)
    runner.binders.shutdown(wait=True)
    attempts = runner.metrics.schedule_attempts
    assert attempts.value("scheduled", "default-scheduler") == 2
    assert attempts.value("unschedulable", "default-scheduler") == 1
    assert runner.metrics.attempt_duration.value("scheduled", "default-scheduler") == 2
    text = runner.metrics.registry.text().decode()
    assert 'scheduler_pending_pods{queue="unschedulable"} 1\n' in text
    assert 'scheduler_pending_pods{queue="active"} 0\n' in text


def test_the_pending_pods_are_counted_when_metrics_are_written():
    """scheduler_pending_pods says what the queue holds when /metrics is read, with no count
    taken since the pods were queued (none is taken per informer event or cycle)."""
    runner, _ = runner_with([node("n1", cpu="2")], [pod("a", cpu="1"), pod("b", cpu="500m")])
    assert runner.scheduler.schedule_one()  # one popped by a cycle that counts nothing
    text = runner.metrics.registry.text().decode()
    assert 'scheduler_pending_pods{queue="active"} 1\n' in text
    assert 'scheduler_pending_pods{queue="unschedulable"} 0\n' in text


def test_a_bind_the_apiserver_refuses_is_an_error_attempt():
    runner, client = runner_with([node("n1")], [pod("a", cpu="1")])
    client.refuse_binds = True
    run_cycles(runner, cycles=1)
    runner.binders.shutdown(wait=True)
    assert runner.metrics.schedule_attempts.value("error", "default-scheduler") == 1
    assert runner.metrics.schedule_attempts.value("scheduled", "default-scheduler") == 0


def test_the_mux_serves_healthz_ping_metrics_and_configz_and_no_livez(tmp_path):
    """kube-scheduler 1.24 installs /healthz with the ping check only (no /livez or /readyz)."""
    scheduler = Scheduler(fake_clock(), random.Random(1))
    mux = secure_mux(scheduler, SchedulerMetrics(), tmp_path / "kubeconfig")
    assert mux(cs.Request("GET", "/healthz", "verbose")).body == b"[+]ping ok\nhealthz check passed\n"
    assert mux(cs.Request("GET", "/healthz/ping")).body == b"ok"
    for path in ("/livez", "/readyz", "/debug/pprof/"):
        assert mux(cs.Request("GET", path)).code == 404
    configz = json.loads(mux(cs.Request("GET", "/configz")).body)["componentconfig"]
    assert configz["Profiles"][0]["SchedulerName"] == "default-scheduler"
    assert configz["ClientConnection"] == {"Kubeconfig": str(tmp_path / "kubeconfig")}
    assert mux(cs.Request("DELETE", "/metrics")).body == b"metrics reset\n"


def test_with_leader_election_healthz_has_the_election_check_alone(tmp_path):
    """As the real kube-scheduler 1.24 answers with --leader-elect (its default): /healthz lists
    leaderElection and no ping, /healthz/ping is a 404, /healthz/leaderElection is "ok"."""
    elector = LeaderElector("me", ManualClock(), name="kube-scheduler")
    mux = secure_mux(Scheduler(fake_clock(), random.Random(1)), SchedulerMetrics(), tmp_path / "kubeconfig", elector)
    assert mux(cs.Request("GET", "/healthz", "verbose")).body == b"[+]leaderElection ok\nhealthz check passed\n"
    assert mux(cs.Request("GET", "/healthz/ping")).body == b"404 page not found\n"
    assert mux(cs.Request("GET", "/healthz/leaderElection")).body == b"ok"
    assert parse_args(["--kubeconfig", "k", "--leader-elect"], {}).leader_elect
    configz = json.loads(mux(cs.Request("GET", "/configz")).body)["componentconfig"]
    assert list(configz)[:2] == ["apiVersion", "LeaderElection"]  # the real one's /configz, Parallelism aside
    assert configz["LeaderElection"] == {"LeaderElect": True, "LeaseDuration": "15s", "RenewDeadline": "10s",
                                         "RetryPeriod": "2s", "ResourceLock": "leases",
                                         "ResourceName": "kube-scheduler", "ResourceNamespace": "kube-system"}


def test_secure_serving_flags_default_to_upstream():
    args = parse_args(["--kubeconfig", "k"], {})
    assert (args.secure_port, args.bind_address) == (10259, "0.0.0.0")
    assert args.authorization_always_allow_paths == ("/healthz", "/readyz", "/livez")


@pytest.mark.parametrize("flag, line", [
    ("--secure-port=70000", "Error: --secure-port 70000 must be between 1 and 65535, inclusive. "
                            "It cannot be turned off with 0"),
    ("--secure-port=-1", "Error: --secure-port -1 must be between 0 and 65535, inclusive. 0 for turning off secure port"),
    ("--secure-port=abc", 'Error: invalid argument "abc" for "--secure-port" flag: strconv.ParseInt: parsing "abc": '
                          "invalid syntax"),
    ("--bind-address=localhost", 'Error: invalid argument "localhost" for "--bind-address" flag: '
                                 'failed to parse IP: "localhost"'),
    ("--authorization-always-allow-paths=/a*b", 'Error: only trailing * allowed in "a*b"'),
    ("--leader-elect=maybe", 'Error: invalid argument "maybe" for "--leader-elect" flag: strconv.ParseBool: '
                             'parsing "maybe": invalid syntax')])
def test_bad_serving_flags_are_refused_in_upstreams_words(flag, line, capsys):
    """The real kube-scheduler 1.24's messages, compared side by side (it prints a validation error
    as klog's "command failed" line, a flag's as "Error: ..."); exit 1 either way."""
    assert process_main(COMMAND, ["--kubeconfig", "k", flag], {}) == 1
    assert capsys.readouterr().err == line + "\n"


def test_a_secure_port_in_use_is_a_one_line_error(tmp_path, capsys):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "ca.crt").write_bytes(new_ca().cert_pem)
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(kubeconfig_text(tmp_path / "ca.crt"))
        code = process_main(COMMAND, ["--kubeconfig", str(kubeconfig), "--bind-address", "127.0.0.1",
                                      "--secure-port", str(port), "--cert-dir", str(tmp_path)], {})
    assert code == 1
    assert f"127.0.0.1:{port}: failed to listen" in capsys.readouterr().err

