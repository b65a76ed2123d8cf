"""`kubeatlas cluster up|status|down` with the components that exist as processes."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from analyzer.cli import main
from reference_impl import cluster


def test_up_status_down_and_a_crash_is_reported(tmp_path, capsys):
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd,apiserver"]) == 0
    out = capsys.readouterr().out
    assert "etcd\trunning" in out and "apiserver\trunning" in out
    kubeconfig = directory / "admin.kubeconfig"
    namespaces = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "ns", "-o", "name"],
                                capture_output=True, text=True, timeout=60)
    assert "namespace/default" in namespaces.stdout, namespaces.stderr
    try:
        assert main(["cluster", "status", "--dir", str(directory)]) == 0
        apiserver = [line for line in out.splitlines() if line.startswith("apiserver")][0]
        os.kill(int(apiserver.split("\t")[2].split()[1]), signal.SIGKILL)
        capsys.readouterr()
        for _ in range(50):  # the kill is asynchronous
            if main(["cluster", "status", "--dir", str(directory)]) == 1:
                break
            time.sleep(0.1)
        captured = capsys.readouterr()
        assert "apiserver\texited" in captured.out
        assert "not running: apiserver" in captured.err
    finally:
        assert main(["cluster", "down", "--dir", str(directory)]) == 0
    assert main(["cluster", "status", "--dir", str(directory)]) == 1
    assert "no cluster recorded" in capsys.readouterr().err


PANICKING_COMPONENT = """
import sys
from reference_impl.machinery import process

def run(options, proc):
    print("ready", flush=True)
    raise process.Panic("KeyError('spec')")

sys.exit(process.main(process.Component("reference kube-scheduler", lambda argv, env: None, run)))
"""


def test_status_names_a_crashed_component_its_exit_code_and_its_last_log_line(tmp_path, capsys):
    """A component that ended after start-up (here one that panics, exit 2) is reported by
    `cluster status` in one line: its name, its pid, the exit code it wrote and its log's
    "panic: " line, and the cluster restarts nothing."""
    directory = tmp_path / "cluster"
    child, process = cluster.launch(directory, "scheduler", (sys.executable, "-c", PANICKING_COMPONENT))
    assert child.wait(timeout=60) == 2
    cluster.Cluster(str(directory), "", (process,)).save()
    assert main(["cluster", "status", "--dir", str(directory)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"kubeatlas: error: scheduler (pid {process.pid}) exited with status 2; "
                      "its last log line: panic: KeyError('spec') [recovered]")
    assert err[1].startswith("kubeatlas: error: not running: scheduler")


@pytest.mark.parametrize("recorded, words", [
    ("0\n", "exited with status 0 (it was stopped)"),
    (None, "exited with no status recorded (SIGKILL ended it, or it is not a reference component)"),
])
def test_an_exit_report_says_a_stop_is_a_stop(tmp_path, recorded, words):
    """SIGTERM and SIGINT stop a reference component, which records 0 (stop_on_signals): that is a
    stop; only SIGKILL (or a real binary) leaves no status."""
    log = tmp_path / "scheduler.log"
    log.write_text("I1208 shutting down\n")
    if recorded is not None:
        cluster.exit_status_file(log).write_text(recorded)
    report = cluster.exit_report(cluster.Process("scheduler", 4242, ("x",), str(log)))
    assert report == f"scheduler (pid 4242) {words}; its last log line: I1208 shutting down"


def test_a_second_up_while_one_runs_is_refused(tmp_path, capsys):
    directory = tmp_path / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd"]) == 0
    try:
        assert main(["cluster", "up", "--dir", str(directory), "--only", "etcd"]) == 1
        assert "already running" in capsys.readouterr().err
    finally:
        main(["cluster", "down", "--dir", str(directory)])


def test_unknown_component_is_a_usage_error(tmp_path, capsys):
    assert main(["cluster", "up", "--dir", str(tmp_path), "--only", "etcd,bogus"]) == 2
    assert "unknown component 'bogus'" in capsys.readouterr().err


@pytest.mark.parametrize("seconds", ["nan", "inf", "-5", "0", "soon"])
def test_a_grace_period_that_is_no_duration_is_refused_before_anything_starts(seconds, tmp_path,
                                                                              capsys):
    """--node-monitor-grace-period takes a finite number of seconds above 0: `inf` used to end in
    an OverflowError traceback, `nan` too, and `-5` started a cluster that could not work."""
    with pytest.raises(SystemExit) as exit:
        main(["cluster", "up", "--dir", str(tmp_path / "c"), "--only", "etcd",
              "--node-monitor-grace-period", seconds])
    assert exit.value.code == 2
    assert capsys.readouterr().err == (
        "kubeatlas cluster: error: argument --node-monitor-grace-period: takes a number of seconds "
        f"above 0, not {seconds!r} (see `kubeatlas cluster --help`)\n")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("only", ["", " ", ","])
def test_an_empty_only_is_refused_not_read_as_every_component(only, tmp_path, capsys,
                                                               monkeypatch):
    """`--only "$COMPONENTS"` with the variable unset started the whole cluster: an --only that
    names nothing is refused before anything starts."""
    from reference_impl import cluster

    monkeypatch.setattr(cluster, "up", lambda *args: pytest.fail("the cluster was started"))
    with pytest.raises(SystemExit) as exit:
        main(["cluster", "up", "--dir", str(tmp_path / "c"), "--only", only])
    assert exit.value.code == 2
    assert capsys.readouterr().err == (
        "kubeatlas cluster: error: argument --only: names no component: give a comma-separated "
        "subset such as etcd,apiserver, or leave it out for all (see `kubeatlas cluster --help`)\n")


def test_only_ignores_empty_items_and_spaces(tmp_path, monkeypatch):
    """`--only "etcd, apiserver,"` (a trailing comma, a space) names two components; it was
    "unknown component ''"."""
    from reference_impl import cluster

    asked = []

    def up(directory, kubelets, only, *rest):
        asked.append(only)
        return cluster.Cluster(str(directory), str(directory / "admin.kubeconfig"), ())

    monkeypatch.setattr(cluster, "up", up)
    assert main(["cluster", "up", "--dir", str(tmp_path / "c"), "--only", "etcd, apiserver,"]) == 0
    assert asked == [("etcd", "apiserver")]


@pytest.mark.parametrize("action", ["up", "status", "down"])
def test_a_dir_that_cannot_be_a_folder_is_named_as_the_problem(action, tmp_path, capsys):
    """--dir naming a file or a symlink loop: one line saying so, rather than "File exists",
    "no cluster recorded", or a RuntimeError traceback."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "notes.txt").write_text("not a folder\n")
    give = "give --dir {} folder for the cluster's data, certificates and logs"
    cases = {tmp_path / "a": f"is a symlink loop: point it at a folder, or {give.format('another')}",
             tmp_path / "notes.txt": f"is a file, not a folder: {give.format('a')}"}
    for directory, problem in cases.items():
        only = ["--only", "etcd"] if action == "up" else []
        assert main(["cluster", action, "--dir", str(directory), *only]) == 2
        assert capsys.readouterr().err == f"kubeatlas: error: {directory} {problem}\n"


def test_a_recorded_pid_now_anothers_is_neither_running_nor_signalled(tmp_path):
    """A component that died leaves its pid in cluster.json, and the system may give that pid to
    another process: `cluster status` must not count it, nor `cluster down` kill its group."""
    from reference_impl import cluster

    stranger = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        recorded = cluster.Process("etcd", stranger.pid, ("python3", "-m", "reference_impl.etcd.run"), "")
        assert not recorded.running()
        cluster.stop([recorded])
        assert stranger.poll() is None
        ours = cluster.Process("sleep", stranger.pid, ("sleep", "30"), "")
        assert ours.running()
        cluster.stop([ours])  # reaps it too, as it reaps the components it started
        assert not ours.running()
    finally:
        stranger.kill()
        stranger.wait()


def test_a_script_started_through_its_interpreter_line_is_still_recognised(tmp_path):
    """For a #! script, the system's command line puts the interpreter before the argv it was
    started with: the recorded argv is its end, and the process is ours to stop."""
    from reference_impl import cluster

    script = tmp_path / "kube-scheduler"
    script.write_text("#!/usr/bin/env python3\nimport time\ntime.sleep(30)\n")
    script.chmod(0o755)
    argv = (str(script), "--kubeconfig=x")
    child = subprocess.Popen(argv, start_new_session=True)
    try:
        recorded = cluster.Process("scheduler", child.pid, argv, "")
        assert recorded.running()
        cluster.stop([recorded])
        assert not recorded.running()
    finally:
        child.kill()
        child.wait()



def test_a_ctrl_c_while_a_component_starts_stops_that_component(tmp_path, monkeypatch):
    """`cluster up` stopped with Ctrl-C while the apiserver started left it running, in its own
    session, recorded nowhere: `cluster down` could not stop it. Ctrl-C arrives here in the wait
    for its ready line, where it arrived then."""
    import sys

    from reference_impl import cluster

    launched, launch, sleep = [], cluster.launch, time.sleep

    def recorded_launch(*args, **kwargs):
        child, process = launch(*args, **kwargs)
        launched.append(process)
        return child, process

    def ctrl_c_once(seconds):
        monkeypatch.setattr(cluster.time, "sleep", sleep)
        raise KeyboardInterrupt

    monkeypatch.setattr(cluster, "launch", recorded_launch)
    monkeypatch.setattr(cluster.time, "sleep", ctrl_c_once)
    try:
        with pytest.raises(KeyboardInterrupt):
            cluster.start_process(tmp_path, "slow", (sys.executable, "-c", "import time; time.sleep(60)"),
                                  cluster.Ready(line="^ready"))
        assert launched and not launched[0].running()
    finally:
        cluster.stop(launched)


def test_etcd_members_whose_port_was_taken_start_again_on_other_ports(tmp_path, monkeypatch):
    """A port picked free can be taken before its member binds it (a member's own dial may use it
    as a source port): the members start again on other ports instead of `cluster up` failing."""
    pick = cluster.free_port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        picks = iter([port])  # the first member's peer port: in use
        monkeypatch.setattr(cluster, "free_port", lambda: next(picks, None) or pick())
        processes, client_urls = cluster.start_etcd_members(tmp_path, 1)
    try:
        assert [process.running() for process in processes] == [True]
        assert f":{port}" not in " ".join(processes[0].argv)
    finally:
        cluster.stop(processes)


def test_processes_given_different_port_slices_draw_from_disjoint_ports(monkeypatch):
    """Parallel test workers (KUBEATLAS_PORT_SLICE=INDEX/COUNT) never draw the same port."""
    floor = cluster.ephemeral_port_floor()
    drawn = []
    for index in range(2):
        monkeypatch.setenv(cluster.PORT_SLICE_ENV, f"{index}/2")
        drawn.append({cluster.free_port() for _ in range(50)})
    assert not drawn[0] & drawn[1]
    assert all(1024 <= port < floor for port in drawn[0] | drawn[1])
    middle = max(1024, floor - 12000) + (floor - max(1024, floor - 12000)) // 2
    assert max(drawn[0]) < middle <= min(drawn[1])


def test_free_ports_lie_below_the_ephemeral_range_and_are_never_handed_out_twice():
    # An outgoing connection anywhere on the machine may take an ephemeral port between the
    # check and the server's bind; a port below that range cannot be taken that way.
    floor = cluster.ephemeral_port_floor()
    ports = [cluster.free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    assert all(1024 <= port < floor for port in ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))
