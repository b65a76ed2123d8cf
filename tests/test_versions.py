"""The call-tree diff behind the version pages: one test per rule of `versions.diff`."""
from __future__ import annotations

from analyzer.versions import Function, Moved, Renamed, diff, local_name

SCHED = "k8s.io/kubernetes/pkg/scheduler"


def test_a_function_only_in_the_new_tree_is_added_and_only_in_the_old_removed():
    result = diff({f"{SCHED}.New": "pkg/scheduler/scheduler.go"},
                  {f"{SCHED}.Run": "pkg/scheduler/run.go"})
    assert result.added == (Function(f"{SCHED}.Run", "pkg/scheduler/run.go"),)
    assert result.removed == (Function(f"{SCHED}.New", "pkg/scheduler/scheduler.go"),)
    assert result.moved == result.renamed == ()


def test_the_same_name_defined_in_another_file_is_moved():
    name = f"(*{SCHED}.Scheduler).prioritizeNodes"
    result = diff({name: "pkg/scheduler/schedule_one.go"}, {name: "pkg/scheduler/score.go"})
    assert result.moved == (Moved(Function(name, "pkg/scheduler/schedule_one.go"),
                                  Function(name, "pkg/scheduler/score.go")),)
    assert result.added == result.removed == ()


def test_the_same_local_name_in_another_package_is_moved_when_it_is_unique():
    old = {f"(*{SCHED}/core.genericScheduler).Schedule": "pkg/scheduler/core/generic.go",
           f"{SCHED}/core.New": "pkg/scheduler/core/new.go",
           f"{SCHED}/other.New": "pkg/scheduler/other/new.go"}
    new = {f"(*{SCHED}.genericScheduler).Schedule": "pkg/scheduler/generic.go",
           f"{SCHED}.New": "pkg/scheduler/new.go"}
    result = diff(old, new)
    assert [(m.old.name, m.new.name) for m in result.moved] == [
        (f"(*{SCHED}/core.genericScheduler).Schedule", f"(*{SCHED}.genericScheduler).Schedule")]
    # two removed `New`s: which one went where is a guess, so neither is called moved
    assert [f.name for f in result.added] == [f"{SCHED}.New"]
    assert len(result.removed) == 2


def test_main_and_init_are_never_moved_between_packages():
    result = diff({"k8s.io/kubernetes/cmd/a.main": "cmd/a/main.go"},
                  {"k8s.io/kubernetes/cmd/b.main": "cmd/b/main.go"})
    assert result.moved == () and len(result.added) == len(result.removed) == 1


def test_a_function_no_commit_defines_is_never_moved():
    """An interface method, say, has no file in either commit ("")."""
    interface_method = f"({SCHED}.Algorithm).Schedule"
    assert diff({interface_method: ""}, {interface_method: ""}) == diff({}, {})
    result = diff({f"({SCHED}/core.Algorithm).Schedule": ""}, {f"({SCHED}.Algorithm).Schedule": ""})
    assert result.moved == ()


def test_close_names_in_the_same_package_are_a_rename():
    old, new = f"(*{SCHED}.Scheduler).bind", f"(*{SCHED}.Scheduler).bindPod"
    result = diff({old: "pkg/scheduler/scheduler.go"}, {new: "pkg/scheduler/scheduler.go"})
    assert result.renamed == (Renamed(Function(old, "pkg/scheduler/scheduler.go"),
                                      Function(new, "pkg/scheduler/scheduler.go"), 0.92),)
    assert result.added == result.removed == ()


def test_names_less_alike_than_the_ratio_stay_added_and_removed():
    old, new = f"{SCHED}.selectHost", f"{SCHED}.pickNode"
    result = diff({old: "a.go"}, {new: "a.go"})
    assert result.renamed == ()
    assert [f.name for f in result.added] == [new] and [f.name for f in result.removed] == [old]


def test_lists_are_in_file_order_and_undefined_functions_come_last():
    new = {f"{SCHED}.z": "a.go", f"{SCHED}.a": "b.go", f"({SCHED}.I).M": ""}
    assert [f.name for f in diff({}, new).added] == [f"{SCHED}.z", f"{SCHED}.a", f"({SCHED}.I).M"]


def test_close_names_in_unrelated_packages_and_files_are_not_a_rename():
    old, new = "k8s.io/kubernetes/pkg/a.syncPods", "k8s.io/kubernetes/pkg/b.syncPod"
    result = diff({old: "pkg/a/a.go"}, {new: "pkg/b/b.go"})
    assert result.renamed == result.moved == ()


def test_a_function_that_changed_package_in_the_same_file_can_be_a_rename():
    old, new = "k8s.io/kubernetes/pkg/core.schedule", "k8s.io/kubernetes/pkg/scheduler.Schedule"
    result = diff({old: "pkg/scheduler/generic.go"}, {new: "pkg/scheduler/generic.go"})
    assert [(r.old.name, r.new.name) for r in result.renamed] == [(old, new)]


def test_each_function_is_in_at_most_one_rename_the_closest_pair_first():
    old = {f"{SCHED}.runFilter": "f.go", f"{SCHED}.runScore": "f.go"}
    new = {f"{SCHED}.runFilters": "f.go", f"{SCHED}.runScores": "f.go"}
    result = diff(old, new)
    assert sorted((local_name(r.old.name), local_name(r.new.name)) for r in result.renamed) == [
        ("runFilter", "runFilters"), ("runScore", "runScores")]
    assert result.added == result.removed == ()


def test_the_outcome_does_not_depend_on_the_order_of_the_maps():
    old = {f"{SCHED}.a{i}": "x.go" for i in range(5)}
    new = {f"{SCHED}.a{i}x": "x.go" for i in range(5)}
    forward = diff(old, new)
    backward = diff(dict(reversed(old.items())), dict(reversed(new.items())))
    assert forward == backward


def test_local_name_drops_the_import_path_and_keeps_receiver_and_closure():
    assert local_name(f"(*{SCHED}.Scheduler).scheduleOne$1") == "(*Scheduler).scheduleOne$1"
    assert local_name("go.etcd.io/etcd/server/v3.main") == "main"
    assert local_name("(k8s.io/klog/v2.Verbose).InfoS") == "(Verbose).InfoS"
