"""End to end through the CLI: index the fixture trees against the stand-in GOROOT and print the
paths from each component's main to its main loop, as users do on the real trees."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.cli import main

GOROOT = Path(__file__).parent / "fixtures" / "goroot"


@pytest.fixture
def home(tmp_path, monkeypatch, kube_repo, etcd_repo):
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    for name, repo in (("kubernetes", kube_repo), ("etcd", etcd_repo)):
        assert main(["fetch", name, "--from", str(repo), "--ref", "HEAD", "-q"]) == 0
    assert main(["index", "-q", "--goroot", str(GOROOT)]) == 0
    return tmp_path / "home"


def path_of(capsys, *args: str) -> list[tuple[str, str]]:
    capsys.readouterr()
    assert main(["path", "-f", "json", *args]) == 0
    (chain,) = json.loads(capsys.readouterr().out)
    return [(edge["kind"], edge["callee"]) for edge in chain]


def test_scheduler_main_reaches_schedule_one_through_its_command(home, capsys):
    chain = path_of(capsys, "kube-scheduler.main", "scheduler.(*Scheduler).scheduleOne",
                    "--through", "app.NewSchedulerCommand")
    assert chain == [
        ("static", "k8s.io/kubernetes/cmd/kube-scheduler/app.NewSchedulerCommand"),
        ("funcvalue", "k8s.io/kubernetes/cmd/kube-scheduler/app.NewSchedulerCommand$1"),
        ("static", "k8s.io/kubernetes/cmd/kube-scheduler/app.runCommand"),
        ("static", "k8s.io/kubernetes/cmd/kube-scheduler/app.Run"),
        ("go", "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).Run"),
        ("funcvalue", "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"),
    ]


def test_schedule_one_reaches_the_filter_plugins_through_the_framework_interface(home, capsys):
    chain = path_of(capsys, "scheduler.(*Scheduler).scheduleOne", "noderesources.(*Fit).Filter")
    assert [kind for kind, _ in chain][-1] == "implementation"


def test_replicaset_worker_reaches_sync_through_the_stored_handler(home, capsys):
    chain = path_of(capsys, "replicaset.(*ReplicaSetController).Run",
                    "replicaset.(*ReplicaSetController).syncReplicaSet")
    assert chain[-1] == ("funcvalue",
                         "(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).syncReplicaSet")


def test_etcd_main_reaches_the_apply_path(home, capsys):
    chain = path_of(capsys, "--repo", "etcd", "etcd/v3.main",
                    "etcdserver.(*EtcdServer).applyAll", "--through", "embed.StartEtcd")
    callees = [callee for _, callee in chain]
    assert callees[0] == "go.etcd.io/etcd/server/v3/etcdmain.Main"
    assert "(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).run" in callees


def test_standard_library_calls_resolve_against_the_given_goroot(home, capsys):
    capsys.readouterr()
    assert main(["index", "kubernetes", "--json", "-q", "--goroot", str(GOROOT)]) == 0
    (summary,) = json.loads(capsys.readouterr().out)
    assert summary["library"] == "go1.20-fixture"
    chain = path_of(capsys, "app.runCommand", "fmt.Errorf")
    assert chain == [("static", "fmt.Errorf")]


def test_an_unknown_symbol_gets_the_closest_names_not_a_traceback(home, capsys):
    capsys.readouterr()
    assert main(["path", "kube-scheduler.main", "scheduler.(*Scheduler).scheduleOnce"]) == 1
    err = capsys.readouterr().err
    assert "no symbol" in err and "scheduleOne" in err and "Traceback" not in err


def test_no_path_is_one_clear_line(home, capsys):
    capsys.readouterr()
    assert main(["path", "scheduler.(*Scheduler).scheduleOne", "kube-scheduler.main"]) == 1
    assert capsys.readouterr().err.startswith("kubeatlas: error: no call path from")


def callees_of(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["callees", "-f", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)["edges"]


def test_a_commands_view_follows_only_what_it_links(home, capsys):
    """From kube-scheduler's main, the fake framework (a package for tests that the command
    never imports) is no candidate; asked for the whole repository, it is one, ranked below the
    real implementation and labelled."""
    in_program = callees_of(capsys, "kube-scheduler.main", "-d", "9")
    callees = {edge["callee"] for edge in in_program}
    assert "(*k8s.io/kubernetes/pkg/scheduler/framework.frameworkImpl).RunFilterPlugins" in callees
    assert not any("/fake." in callee for callee in callees)

    everything = callees_of(capsys, "scheduler.(*Scheduler).scheduleOne", "-d", "3", "--program", "all")
    found = {edge["callee"]: edge for edge in everything if edge["kind"] == "implementation"}
    real = found["(*k8s.io/kubernetes/pkg/scheduler/framework.frameworkImpl).RunFilterPlugins"]
    fake = found["(*k8s.io/kubernetes/pkg/scheduler/framework/fake.Framework).RunFilterPlugins"]
    assert fake["confidence"] < real["confidence"]
    assert fake["via"].endswith("test double")


def test_an_unknown_program_is_a_clear_error(home, capsys):
    assert main(["path", "kube-scheduler.main", "scheduler.(*Scheduler).scheduleOne",
                 "--program", "kube-nothing"]) == 1
    assert "programs: kube-scheduler" in capsys.readouterr().err


def test_index_builds_programs_for_the_configuration_asked(home, capsys):
    capsys.readouterr()
    assert main(["index", "kubernetes", "--goroot", str(GOROOT), "--goos", "windows",
                 "--tags", "providerless"]) == 0
    summary = capsys.readouterr().out
    assert "built for windows/amd64+providerless: kube-scheduler (" in summary
    assert main(["index", "kubernetes", "--goos", "plan10"]) == 2
    assert "unknown GOOS 'plan10'" in capsys.readouterr().err


@pytest.mark.parametrize("name, repo, other", [("kube-scheduler", "kubernetes", "etcd"),
                                              ("etcd", "etcd", "kubernetes")])
def test_a_repo_that_is_not_the_components_is_refused(name, repo, other, tmp_path, capsys):
    """`component kube-scheduler --repo etcd` asks for two things that cannot both hold; it was
    answered from kubernetes as if --repo had not been given. (The line said "etcd is a etcd
    component".)"""
    assert main(["component", name, "--repo", other, "--home", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"kubeatlas: error: {name} is one of {repo}'s components, "
                                       f"not {other}'s: leave --repo out\n")
