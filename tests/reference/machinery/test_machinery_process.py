"""`main(argv, env)`, the one entry every component process runs through, run in-process with the
environment passed in and stdout/stderr captured."""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import threading

import pytest

from reference_impl.apiserver.core.discovery import version_info
from reference_impl.controller_manager.run import parse_args as controller_manager_args
from reference_impl.machinery import process

RUN_MODULES = ["etcd", "apiserver", "controller_manager", "scheduler", "kubelet", "proxy"]


def component_main(name: str):
    return importlib.import_module(process.COMPONENT_MODULES[name.replace("_", "-")]).main


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


KUBERNETES_COMMANDS = ["controller_manager", "scheduler", "kubelet", "proxy"]  # cobra and pflag upstream


@pytest.mark.parametrize("name, expected", [
    ("etcd", "flag provided but not defined: -no-such-flag")])  # Go's flag package, as etcd's first line
def test_unknown_flag_exits_2_with_one_line(name, expected, capsys):
    """A flag the component does not know is exit code 2 and one error line on stderr: no usage
    block, no traceback, nothing on stdout."""
    assert component_main(name)(["--no-such-flag"], {}) == 2
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert expected in line and ("-no-such-flag" in line or "required" in line)
    assert captured.out == ""


@pytest.mark.parametrize("name", KUBERNETES_COMMANDS)
@pytest.mark.parametrize("argv, line", [
    (["--no-such-flag"], "Error: unknown flag: --no-such-flag"),
    (["--kubeconf=k"], "Error: unknown flag: --kubeconf"),  # no abbreviations, as argparse would take
    (["-z"], "Error: unknown shorthand flag: 'z' in -z"),
    (["--kubeconfig"], "Error: flag needs an argument: --kubeconfig")])
def test_a_kubernetes_component_refuses_a_command_line_as_pflag_does(name, argv, line, capsys):
    """The words of the real kube-scheduler and kube-proxy 1.24 (compared side by side), on one line
    without the usage block; exit 1, as cobra's Execute error is."""
    assert component_main(name)(argv, {}) == 1
    captured = capsys.readouterr()
    assert (one_line(captured.err), captured.out) == (line, "")


@pytest.mark.parametrize("name, command", [("scheduler", "kube-scheduler"), ("proxy", "kube-proxy")])
def test_a_word_that_is_no_flag_is_refused_as_cobras_args_check_does(name, command, capsys):
    assert component_main(name)(["--kubeconfig", "k", "foo"], {}) == 1
    assert one_line(capsys.readouterr().err) == f'Error: "{command}" does not take any arguments, got ["foo"]'


@pytest.mark.parametrize("name", KUBERNETES_COMMANDS)
def test_version_prints_the_release_and_exits_0(name, capsys):
    """verflag: --version prints "Kubernetes <gitVersion>" before any other check (no kubeconfig
    needed), --version=raw the version.Info struct, a value ParseBool refuses is a flag error."""
    info = version_info()
    assert component_main(name)(["--version"], {}) == 0
    assert capsys.readouterr().out == f"Kubernetes {info['gitVersion']}\n"
    assert component_main(name)(["--version=raw"], {}) == 0
    assert capsys.readouterr().out.startswith(f'version.Info{{Major:"{info["major"]}", Minor:"{info["minor"]}", '
                                              f'GitVersion:"{info["gitVersion"]}", GitCommit:"{info["gitCommit"]}"')
    assert component_main(name)(["--version=maybe"], {}) == 1
    assert one_line(capsys.readouterr().err) == ('Error: invalid argument "maybe" for "--version" flag: '
                                                 'strconv.ParseBool: parsing "maybe": invalid syntax')


@pytest.mark.parametrize("name", ["controller_manager", "kubelet"])
def test_the_reference_requires_a_kubeconfig_of_these_components_without_the_env_variable(name, capsys):
    """The reference's own rule for these two (no real binary here to compare with; upstream would
    try the in-cluster configuration, or the kubelet run standalone): with neither --kubeconfig nor
    KUBECONFIG the command line is wrong, said as cobra says a required flag is missing."""
    assert component_main(name)(["--node-name", "n", "--root-dir", "/tmp"] if name == "kubelet" else [], {}) == 1
    assert one_line(capsys.readouterr().err) == 'Error: required flag(s) "kubeconfig" not set'


@pytest.mark.parametrize("name, line", [
    ("scheduler", "reference kube-scheduler: error: invalid configuration: no configuration has been provided, "
                  "try setting KUBERNETES_MASTER environment variable"),
    ("proxy", "reference kube-proxy: error: unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
              "KUBERNETES_SERVICE_PORT must be defined")])
def test_without_a_kubeconfig_the_in_cluster_fallback_fails_as_upstreams_does(name, line, capsys):
    """The real kube-scheduler and kube-proxy 1.24 with no kubeconfig and no KUBERNETES_* variables
    (compared) fall back to the in-cluster configuration and fail at run time in these words, exit 1."""
    assert component_main(name)([], {}) == 1
    assert one_line(capsys.readouterr().err) == line


@pytest.mark.parametrize("name", ["controller_manager", "scheduler", "kubelet", "proxy"])
def test_unreadable_kubeconfig_from_env_exits_2_with_one_line(name, tmp_path, capsys):
    """KUBECONFIG from the environment passed in (not os.environ) stands in for --kubeconfig; a
    file that cannot be read is a configuration mistake: exit 2 and one line naming the path."""
    missing = tmp_path / "no-such-kubeconfig"
    argv = ["--node-name", "n", "--root-dir", str(tmp_path / "root")] if name == "kubelet" else []
    assert component_main(name)(argv, {"KUBECONFIG": str(missing)}) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("reference ") and f"cannot use kubeconfig {missing}" in line


KUBECONFIG_CONTEXT = "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"


@pytest.mark.parametrize("text, reason", [
    ("a: [\n", "yaml: line 2: expected the node content, but found '<stream end>'"),
    # The words kubectl 1.27's clientcmd says (go-yaml's reader), where a NUL was a traceback
    # and bytes not UTF-8 Python's codec error.
    (b"a: b\x00\n", "yaml: control characters are not allowed"),
    (b"a: \xff\n", "yaml: invalid leading UTF-8 octet"),
    (b"a: \xc3(\n", "yaml: invalid trailing UTF-8 octet"),
    ("root:x:0:0:root:/root:/bin/bash\n", "not a kubeconfig: its top level is not a mapping"),
    ("", "invalid configuration: no configuration has been provided"),
    ("contexts: 5\n", "contexts must be a list of {name, context} mappings"),
    ("current-context: y\n" + KUBECONFIG_CONTEXT,
     "invalid configuration: context was not found for specified context: y"),
    (KUBECONFIG_CONTEXT, 'invalid configuration: cluster "c" was not found for context "x"'),
    (KUBECONFIG_CONTEXT + "clusters:\n- name: c\n  cluster: {}\n",
     'invalid configuration: no server found for cluster "c"'),
    (KUBECONFIG_CONTEXT + "clusters:\n- name: c\n  cluster: {server: 'https://h'}\n",
     'invalid configuration: user "u" was not found for context "x"'),
])
def test_a_kubeconfig_that_is_not_usable_is_one_line_saying_why(text, reason, tmp_path, capsys):
    """A YAML syntax error (a control character, bytes that are not UTF-8 among them), a file
    that is no kubeconfig, or a context, cluster or user it lacks:
    exit 2 with clientcmd's reason, never a traceback or a Python error's text."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert component_main("scheduler")(["--kubeconfig", str(kubeconfig)], {}) == 2
    assert one_line(capsys.readouterr().err) == (
        f"reference kube-scheduler: error: cannot use kubeconfig {kubeconfig}: {reason}")


@pytest.mark.parametrize("capacity, reason", [
    ("cpu", "'cpu': expected name=quantity,..."), ("cpu=1,memory=1Qi", "memory=1Qi: not a quantity"),
    ("cpu=-1", "cpu=-1: negative")])
def test_bad_flag_value_checked_by_the_component_is_a_flag_error(capacity, reason, capsys):
    """A value the component's parser refuses (kubelet's --capacity) is refused as a pflag Value's
    Set error is, one line."""
    argv = ["--kubeconfig", "k", "--node-name", "n", "--root-dir", "r", "--capacity", capacity]
    assert component_main("kubelet")(argv, {}) == 1
    assert one_line(capsys.readouterr().err).startswith(
        f'Error: invalid argument "{capacity}" for "--capacity" flag: {reason}')


@pytest.mark.parametrize("value, reason", [
    ("40", 'time: missing unit in duration "40"'), ("abc", 'time: invalid duration "abc"'),
    ("-1s", "'-1s': must be longer than 0")])
def test_node_monitor_grace_period_is_a_go_duration(value, reason, capsys):
    """kube-controller-manager's --node-monitor-grace-period takes "40s" as upstream's does; a bare
    number is refused in Go's words."""
    assert component_main("controller_manager")(
        ["--kubeconfig", "k", f"--node-monitor-grace-period={value}"], {}) == 1
    assert one_line(capsys.readouterr().err) == (
        f'Error: invalid argument "{value}" for "--node-monitor-grace-period" flag: {reason}')
    assert controller_manager_args(["--kubeconfig", "k", "--node-monitor-grace-period", "1m30s"],
                      {}).node_monitor_grace_period == 90


@pytest.mark.parametrize("flag, value, reason", [
    ("--bind-address", "999.1.1.1", '"999.1.1.1" is not a valid IP address'),
    ("--status-file", "{tmp}/missing/ports.json", "{tmp}/missing/ports.json: its folder {tmp}/missing does not exist"),
    ("--status-file", "{tmp}", "{tmp}: is a folder, not a file")])
def test_kube_proxy_flags_are_checked_before_it_starts(flag, value, reason, tmp_path, capsys):
    """An address that is no IP (in the real kube-proxy's words) or a status file it could never
    write is refused at start, not a proxy that fails on the first Service."""
    value = value.format(tmp=tmp_path)
    assert component_main("proxy")(["--kubeconfig", "k", flag, value], {}) == 1
    assert one_line(capsys.readouterr().err) == (
        f'Error: invalid argument "{value}" for "{flag}" flag: {reason.format(tmp=tmp_path)}')


@pytest.mark.parametrize("root", ["file", "file/pods"])
def test_a_kubelet_root_dir_it_cannot_make_is_one_line_in_gos_words(root, tmp_path, capsys):
    """--root-dir where a file is (or under one): the kubelet's own start-up error, exit 1."""
    (tmp_path / "file").write_text("")
    argv = ["--kubeconfig", "k", "--node-name", "n", "--root-dir", str(tmp_path / root)]
    assert component_main("kubelet")(argv, {}) == 1
    assert one_line(capsys.readouterr().err) == (
        f"reference kubelet: error: error creating root directory: mkdir {tmp_path / root}: "
        "not a directory")


def test_etcd_data_dir_may_come_from_the_environment(tmp_path, capsys):
    """ETCD_DATA_DIR stands in for --data-dir, as upstream; a data directory that is a file is a
    run-time failure of the component: exit 1 and one line naming it."""
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    env = {"ETCD_DATA_DIR": str(not_a_dir), "ETCD_LISTEN_CLIENT_URLS": "http://127.0.0.1:0",
           "ETCD_LISTEN_PEER_URLS": "http://127.0.0.1:0"}  # not etcd's default localhost:2380, maybe taken
    assert component_main("etcd")([], env) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("reference etcd: error:") and str(not_a_dir) in line


def _component(run, errors=(), config_errors=()):
    def parse(argv, env):
        parser = argparse.ArgumentParser(prog="demo")
        parser.add_argument("--name", **process.env_default(env, "DEMO_NAME"))
        return parser.parse_args(argv)
    return process.Component("reference demo", parse, run, errors, config_errors)


class DemoError(Exception):
    pass


class DemoConfigError(DemoError):
    pass


def test_config_errors_exit_2_and_other_package_errors_exit_1(capsys):
    """An error the component lists as a configuration mistake is exit 2, one of its error roots
    exit 1, each with one line "NAME: error: MESSAGE"; a subclass listed as config wins."""
    def fails(error):
        def run(options, proc):
            raise error
        return _component(run, errors=(DemoError,), config_errors=(DemoConfigError,))

    assert process.main(fails(DemoConfigError("bad config")), ["--name", "x"], {}) == 2
    assert one_line(capsys.readouterr().err) == "reference demo: error: bad config"
    assert process.main(fails(DemoError("port in use")), ["--name", "x"], {}) == 1
    assert one_line(capsys.readouterr().err) == "reference demo: error: port in use"


def test_a_panic_exits_2_with_gos_panic_lines(capsys):
    """A Panic (what the upstream component does not recover from) ends the process as Go's
    runtime does a value HandleCrash recovered and panicked on again: both panics, the second
    indented, exit 2. A Go 1.19 program panicking under 1.24's wait.Until printed
    "panic: runtime error: slice bounds out of range [5:0] [recovered]" and
    "\tpanic: runtime error: slice bounds out of range [5:0]" before its goroutine's stack."""
    def run(options, proc):
        raise process.Panic("KeyError('spec')")

    assert process.main(_component(run, errors=(DemoError,)), ["--name", "x"], {}) == 2
    assert capsys.readouterr().err == "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n"


def test_the_exit_code_is_written_where_the_environment_says(tmp_path, capsys):
    """With $KUBEATLAS_EXIT_STATUS_FILE (the local cluster's, whose processes outlive the command
    that started them) main writes its exit code there: 2 for a panic, 0 for a run that returned."""
    status = tmp_path / "scheduler.exit"

    def panics(options, proc):
        raise process.Panic("KeyError('spec')")

    env = {"KUBEATLAS_EXIT_STATUS_FILE": str(status)}
    assert process.main(_component(panics), ["--name", "x"], env) == 2
    assert status.read_text() == "2\n"
    assert process.main(_component(lambda options, proc: None), ["--name", "x"], env) == 0
    assert status.read_text() == "0\n"


def test_a_panic_no_one_recovered_has_no_recovered_mark(capsys):
    """A panic in a goroutine with no recover (no HandleCrash logged it first) is printed by Go's
    runtime without " [recovered]": `panic: VALUE`, exit 2."""
    def run(options, proc):
        raise process.Panic("KeyError('spec')", recovered=False)

    assert process.main(_component(run, errors=(DemoError,)), ["--name", "x"], {}) == 2
    assert one_line(capsys.readouterr().err) == "panic: KeyError('spec')"


def test_env_mapping_is_used_instead_of_os_environ(monkeypatch):
    """The env passed in is what the component sees; os.environ is not read when one is given."""
    monkeypatch.setenv("DEMO_NAME", "from-os-environ")
    seen = {}

    def run(options, proc):
        seen["name"], seen["env"] = options.name, proc.env

    assert process.main(_component(run), [], {"DEMO_NAME": "given"}) == 0
    assert seen == {"name": "given", "env": {"DEMO_NAME": "given"}}


def test_sigterm_sets_the_stop_event_and_exits_0(capsys):
    """SIGTERM does not kill the process: it sets the stop event the run function waits on, and
    main returns 0; the previous handler is back afterwards."""
    before = signal.getsignal(signal.SIGTERM)

    def run(options, proc):
        print("ready: demo", file=proc.out, flush=True)
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGTERM)).start()
        assert proc.stop.wait(10)

    assert process.main(_component(run), ["--name", "x"], {}) == 0
    assert capsys.readouterr().out == "ready: demo\n"
    assert signal.getsignal(signal.SIGTERM) is before


def test_help_exits_0():
    """--help prints the usage on stdout and is exit 0, not an error."""
    assert component_main("scheduler")(["--help"], {}) == 0


@pytest.mark.parametrize("name, flags, said", [
    ("scheduler", ["-v=4", "--profiling=false", "--kube-api-qps", "50"],
     ["--v", "--profiling", "--kube-api-qps"]),
    ("proxy", ["--v", "2", "--conntrack-max-per-core=0", "--proxy-mode", "iptables"],
     ["--v", "--conntrack-max-per-core", "--proxy-mode"]),
    ("controller_manager", ["--controllers=*", "--use-service-account-credentials=false", "--v=2"],
     ["--controllers", "--use-service-account-credentials", "--v"]),
    ("kubelet", ["--register-node", "--max-pods=30", "--housekeeping-interval=10s"],
     ["--register-node", "--max-pods", "--housekeeping-interval"])])
def test_a_flag_of_the_real_command_is_taken_and_said_to_have_no_effect(name, flags, said, tmp_path, capsys):
    """A command line written for the real component is not refused for the flags the reference
    does not act on; each is named once in the log (by its long name) before the run starts."""
    missing = tmp_path / "no-kubeconfig"
    node = ["--node-name", "n", "--root-dir", str(tmp_path / "root")] if name == "kubelet" else []
    assert component_main(name)(["--kubeconfig", str(missing), *node, *flags], {}) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(": ", 1)[1].split()[0] for line in lines[:-1]] == said
    assert f"cannot use kubeconfig {missing}" in lines[-1]


@pytest.mark.parametrize("name, flag, line", [
    ("scheduler", "--v=x", 'Error: invalid argument "x" for "-v, --v" flag: strconv.ParseUint: parsing "x": '
                           'invalid syntax'),
    ("scheduler", "--leader-elect-lease-duration=5", 'Error: invalid argument "5" for "--leader-elect-lease-duration" '
                                                     'flag: time: missing unit in duration "5"'),
    ("proxy", "--kube-api-qps=abc", 'Error: invalid argument "abc" for "--kube-api-qps" flag: strconv.ParseFloat: '
                                    'parsing "abc": invalid syntax'),
    ("proxy", "--masquerade-all=maybe", 'Error: invalid argument "maybe" for "--masquerade-all" flag: '
                                        'strconv.ParseBool: parsing "maybe": invalid syntax'),
    ("controller_manager", "--concurrent-deployment-syncs=x", 'Error: invalid argument "x" for '
     '"--concurrent-deployment-syncs" flag: strconv.ParseInt: parsing "x": invalid syntax'),
    ("kubelet", "--sync-frequency=1", 'Error: invalid argument "1" for "--sync-frequency" flag: '
                                      'time: missing unit in duration "1"')])
def test_a_bad_value_of_a_flag_without_effect_is_refused_as_upstream_refuses_it(name, flag, line, capsys):
    """Compared with the real kube-scheduler and kube-proxy 1.24 side by side (pflag's same words
    for kube-controller-manager's and the kubelet's)."""
    node = ["--node-name", "n", "--root-dir", "r"] if name == "kubelet" else []
    assert component_main(name)(["--kubeconfig", "k", *node, flag], {}) == 1
    assert one_line(capsys.readouterr().err) == line
