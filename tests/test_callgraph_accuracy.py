"""The call graph accuracy benchmark's comparison, on hand-made edges: no Go toolchain needed."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

from analyzer import query, store
from analyzer.errors import IndexError_, UsageError
from analyzer.graph import Edge, Implements
from analyzer.resolve.rta import CommandProgram

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import callgraph_accuracy as ca  # noqa: E402

SCHED = "k8s.io/kubernetes/pkg/scheduler"
NEW = f"{SCHED}.New"
RUN = f"(*{SCHED}.Scheduler).Run"
ONE = f"(*{SCHED}.Scheduler).scheduleOne"
HELPER = f"{SCHED}.helper"
FILE = "pkg/scheduler/scheduler.go"


def ours(caller, callee, line, kind="static", path=FILE, via=""):
    return Edge(caller, callee, kind, path, line, 5, 1.0, via)


# --- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, normal", [
    (NEW, NEW),
    ("example.com/p.F[int]", "example.com/p.F"),
    ("(*example.com/p.T[int]).M", "(*example.com/p.T).M"),
    ("example.com/p.F[map[string]example.com/q.T]$1", "example.com/p.F$1"),
])
def test_normalize_name_drops_generic_instantiations(name, normal):
    assert ca.normalize_name(name) == normal


@pytest.mark.parametrize("name, package, stdlib", [
    ("fmt.Sprintf", "fmt", True),
    ("(*sync.WaitGroup).Done", "sync", True),
    ("(net/http.Header).Set", "net/http", True),
    ("vendor/golang.org/x/net/http2/hpack.NewEncoder", "vendor/golang.org/x/net/http2/hpack", True),
    ("(k8s.io/klog/v2.Verbose).InfoS", "k8s.io/klog/v2", False),
    (f"{NEW}$1$2", SCHED, False),
    ("(*github.com/spf13/cobra.Command).Execute", "github.com/spf13/cobra", False),
    ("(*example.com/p.T[net/http.Header]).M", "example.com/p", False),
])
def test_package_and_stdlib_of_a_function(name, package, stdlib):
    assert ca.package_of(name) == package
    assert ca.is_stdlib(name) is stdlib


def test_wrappers_are_synthetic():
    assert ca.is_synthetic(f"{ONE}$bound")
    assert ca.is_synthetic(f"({SCHED}.Scheduler).Run$thunk")
    assert not ca.is_synthetic(f"{NEW}$1")


# --- Go's side -----------------------------------------------------------------------------------

def test_call_sites_are_made_relative_through_symlinks(tmp_path):
    tree = tmp_path / "tree"
    (tree / "staging/src/k8s.io/api").mkdir(parents=True)
    (tree / "vendor/k8s.io").mkdir(parents=True)
    (tree / "vendor/k8s.io/api").symlink_to("../../staging/src/k8s.io/api")
    lines = [
        f"{NEW}\t{RUN}\t{tree}/{FILE}\t10\n",
        f"k8s.io/api/core/v1.F\tfmt.Sprint\t{tree}/vendor/k8s.io/api/core/v1/types.go\t7\n",
        "fmt.Sprint\tfmt.newPrinter\t/usr/lib/go/src/fmt/print.go\t216\n",
        f"{SCHED}.init\tfmt.init\t\t0\n",
    ]
    assert ca.parse_callgraph_output(lines, tree) == [
        ca.GoEdge(NEW, RUN, FILE, 10),
        ca.GoEdge("k8s.io/api/core/v1.F", "fmt.Sprint",
                  "staging/src/k8s.io/api/core/v1/types.go", 7),
        ca.GoEdge("fmt.Sprint", "fmt.newPrinter", "/usr/lib/go/src/fmt/print.go", 216),
        ca.GoEdge(f"{SCHED}.init", "fmt.init", "", 0),
    ]


def test_go_edges_round_trip_through_tsv(tmp_path):
    edges = [ca.GoEdge(NEW, RUN, FILE, 10), ca.GoEdge(f"{SCHED}.init", "fmt.init", "", 0)]
    ca.write_go_edges(edges, tmp_path / "edges.tsv")
    assert ca.read_go_edges(tmp_path / "edges.tsv") == edges


def test_go_scope_keeps_sites_in_the_tree_outside_vendor_without_wrappers():
    edges = [
        ca.GoEdge(NEW, RUN, FILE, 10),
        ca.GoEdge(NEW, RUN, FILE, 10),  # a second call on the same line is the same edge
        ca.GoEdge("example.com/p.F[int]", "example.com/p.G[int]", "staging/src/p/f.go", 3),
        ca.GoEdge("github.com/x/y.F", "fmt.Sprint", "vendor/github.com/x/y/y.go", 4),
        ca.GoEdge("fmt.Sprint", "fmt.newPrinter", "/usr/lib/go/src/fmt/print.go", 216),
        ca.GoEdge(f"{SCHED}.init", "fmt.init", "", 0),
        ca.GoEdge(NEW, f"{ONE}$bound", FILE, 11),
    ]
    go = ca.go_graph(edges)
    assert go.edges == {
        (NEW, RUN, FILE, 10), ("example.com/p.F", "example.com/p.G", "staging/src/p/f.go", 3)}
    assert go.functions >= {NEW, RUN, "example.com/p.F", "fmt.init", f"{ONE}$bound"}
    assert go.files == {FILE, "staging/src/p/f.go", "vendor/github.com/x/y/y.go",
                        "/usr/lib/go/src/fmt/print.go"}


# --- our side ------------------------------------------------------------------------------------

@pytest.mark.parametrize("edge, compared", [
    (ours(NEW, RUN, 1, "static"), True),
    (ours(NEW, RUN, 1, "method"), True),
    (ours(NEW, f"{NEW}$1", 1, "closure"), True),
    (ours(NEW, RUN, 1, "go", via="method"), True),
    (ours(NEW, RUN, 1, "defer", via=""), True),
    (ours(NEW, RUN, 1, "go", via="funcvalue"), False),
    (ours(NEW, RUN, 1, "defer", via="interface"), False),
    (ours(NEW, RUN, 1, "interface"), False),
    (ours(NEW, RUN, 1, "implementation"), False),
    (ours(NEW, RUN, 1, "funcvalue"), False),
    (ours(NEW, "x.Y", 1, "unresolved"), False),
    (ours(NEW, RUN, 1, "static", path="vendor/github.com/x/y/y.go"), False),
])
def test_which_of_our_edges_are_compared(edge, compared):
    assert ca.is_compared(edge) is compared


def make_index(path: Path, edges: list[Edge]) -> None:
    """An index holding one complete kubernetes commit with these edges."""
    db = store.connect(path, create=True)
    commit_id = store.begin_commit(db, store.CommitKey("kubernetes", "a" * 40, False, ""),
                                   "HEAD", "https://github.com/kubernetes/kubernetes")
    store.finish_commit(db, commit_id, [], [], [], edges)
    db.close()


def test_our_edges_are_read_from_the_latest_complete_commit(tmp_path):
    edges = [ours(NEW, RUN, 10), ours(NEW, RUN, 12, "go", via="method")]
    make_index(tmp_path / "index.sqlite", edges)
    assert ca.load_our_edges(tmp_path / "index.sqlite") == edges
    with pytest.raises(IndexError_, match="indexed at aaaaaaaaaaaa, not at bbbbbbbbbbbb"):
        ca.load_our_edges(tmp_path / "index.sqlite", commit="b" * 40)


def test_an_index_without_edges_is_one_clear_error(tmp_path):
    make_index(tmp_path / "index.sqlite", [])
    with pytest.raises(IndexError_, match="no edges in the index: run `kubeatlas index` first"):
        ca.load_our_edges(tmp_path / "index.sqlite")


def test_a_missing_index_is_one_clear_error(tmp_path):
    with pytest.raises(IndexError_, match="run `kubeatlas index` first"):
        ca.load_our_edges(tmp_path / "nothing.sqlite")
    assert not (tmp_path / "nothing.sqlite").exists()


# --- the comparison ------------------------------------------------------------------------------

GO_EDGES = [
    ca.GoEdge(NEW, RUN, FILE, 10),  # we have it
    ca.GoEdge(NEW, HELPER, FILE, 11),  # we have it: a go statement
    ca.GoEdge(NEW, "fmt.Sprintf", FILE, 12),  # we have it, in the standard library
    ca.GoEdge(RUN, ONE, FILE, 20),  # we point elsewhere at that site
    ca.GoEdge(RUN, HELPER, FILE, 21),  # nothing of ours at that site
    ca.GoEdge(RUN, "(*sync.WaitGroup).Done", FILE, 22),  # nothing; the callee is the stdlib's
    ca.GoEdge(f"{SCHED}.init", HELPER, FILE, 30),  # we name no such caller
    ca.GoEdge(ONE, HELPER, FILE, 40),  # we have it, as a funcvalue edge
    ca.GoEdge(HELPER, "fmt.Sprint", FILE, 50),  # only calls the stdlib
    ca.GoEdge(HELPER, RUN, FILE, 52),  # we could not resolve it
]
GO = ca.go_graph(GO_EDGES)
OURS = [
    ours(NEW, RUN, 10, "method"),
    ours(NEW, HELPER, 11, "go", via="static"),
    ours(NEW, "fmt.Sprintf", 12),
    ours(RUN, f"(*{SCHED}.Scheduler).other", 20, "method"),  # false
    ours(RUN, "fmt.Println", 23),  # false, stdlib
    ours(ONE, HELPER, 40, "funcvalue"),  # not compared
    ours(HELPER, NEW, 51),  # false
    ours(NEW, RUN, 60, "interface"),  # not compared
    ours("k8s.io/kubernetes/pkg/kubelet.run", NEW, 1),  # caller outside Go's program
    ours(NEW, HELPER, 7, path="pkg/scheduler/scheduler_windows.go"),  # a file Go did not compile
    ours(HELPER, "s.Run", 52, "unresolved"),
    ours(HELPER, f"({SCHED}.Runner).Run", 52, "interface"),  # "unresolved" explains it better
]


def test_recall_and_precision_with_the_standard_library():
    c = ca.compare(GO, OURS, with_stdlib=True)
    assert (c.go_edges, c.our_edges, c.matched) == (10, 6, 3)
    assert c.recall == 3 / 10 and c.precision == 3 / 6
    assert c.by_kind == {"static": {"ours": 3, "true": 1}, "method": {"ours": 2, "true": 1},
                         "closure": {"ours": 0, "true": 0}, "go": {"ours": 1, "true": 1},
                         "defer": {"ours": 0, "true": 0}}
    assert c.by_reason == {ca.CALLER_UNKNOWN: 1, ca.EXCLUDED_KIND: 1, ca.UNRESOLVED_THERE: 1,
                           ca.DIFFERENT_CALLEE: 1, ca.CALLEE_IN_STDLIB: 2, ca.NO_EDGE: 1}
    assert c.false_edges == sorted([(RUN, f"(*{SCHED}.Scheduler).other", FILE, 20),
                                    (RUN, "fmt.Println", FILE, 23), (HELPER, NEW, FILE, 51)])


def test_without_the_standard_library_both_sides_drop_stdlib_callees():
    c = ca.compare(GO, OURS, with_stdlib=False)
    assert (c.go_edges, c.our_edges, c.matched) == (7, 4, 2)
    assert c.recall == 2 / 7 and c.precision == 2 / 4
    assert c.by_reason == {ca.CALLER_UNKNOWN: 1, ca.EXCLUDED_KIND: 1, ca.UNRESOLVED_THERE: 1,
                           ca.DIFFERENT_CALLEE: 1, ca.NO_EDGE: 1}


def test_a_caller_whose_edges_all_call_the_stdlib_is_still_known_without_it():
    go = ca.go_graph([ca.GoEdge(HELPER, NEW, FILE, 5), ca.GoEdge(HELPER, "fmt.Sprint", FILE, 6)])
    c = ca.compare(go, [ours(HELPER, "fmt.Sprint", 6)], with_stdlib=False)
    assert c.by_reason == {ca.NO_EDGE: 1}


def test_each_miss_gets_the_first_reason_that_applies():
    missed = sorted(GO.edges - {(NEW, RUN, FILE, 10), (NEW, HELPER, FILE, 11),
                                (NEW, "fmt.Sprintf", FILE, 12), (HELPER, "fmt.Sprint", FILE, 50)})
    reasons = {m.edge: (m.reason, m.ours_at_site) for m in ca.classify_misses(missed, OURS)}
    assert reasons == {
        (RUN, ONE, FILE, 20): (ca.DIFFERENT_CALLEE, [f"(*{SCHED}.Scheduler).other (method)"]),
        (RUN, HELPER, FILE, 21): (ca.NO_EDGE, []),
        (RUN, "(*sync.WaitGroup).Done", FILE, 22): (ca.CALLEE_IN_STDLIB, []),
        (f"{SCHED}.init", HELPER, FILE, 30): (ca.CALLER_UNKNOWN, []),
        (ONE, HELPER, FILE, 40): (ca.EXCLUDED_KIND, [f"{HELPER} (funcvalue)"]),
        (HELPER, RUN, FILE, 52): (ca.UNRESOLVED_THERE,
                                  [f"({SCHED}.Runner).Run (interface)", "s.Run (unresolved)"]),
    }


def test_empty_sides_give_zero_not_a_division_error():
    c = ca.compare(ca.go_graph([]), [])
    assert (c.recall, c.precision, c.misses, c.false_edges) == (0.0, 0.0, [], [])


def test_samples_are_the_same_on_every_run():
    items = [(str(i), "callee", FILE, i) for i in range(100)]
    assert ca.sample(items) == ca.sample(list(reversed(items)))
    assert len(ca.sample(items)) == ca.SAMPLES and ca.sample(items[:3]) == items[:3]


# --- Go's dynamic call graphs -------------------------------------------------------------------

PLUGINS = "k8s.io/kubernetes/pkg/scheduler/framework/plugins"
FW = "k8s.io/kubernetes/pkg/scheduler/framework"
IFACE = f"({FW}.Plugin).Name"  # the interface method our interface edges name
A, B, C = f"(*{PLUGINS}.A).Name", f"(*{PLUGINS}.B).Name", f"({PLUGINS}.C).Name"
K = "(*k8s.io/kubernetes/pkg/kubelet.K).Name"  # an implementation the scheduler does not link
INTERFACE, FUNCVALUE = "interface", "funcvalue"


@pytest.mark.parametrize("description, call", [
    ("dynamic method call", INTERFACE),
    ("concurrent dynamic method call", INTERFACE),
    ("deferred dynamic method call", INTERFACE),
    ("dynamic function call", FUNCVALUE),
    ("deferred dynamic function call", FUNCVALUE),
    ("static method call", None),
    ("static function closure call", None),
    ("deferred static function call", None),
    ("synthetic call", None),
])
def test_dynamic_sites_are_classified_by_ssa_description(description, call):
    assert ca.dynamic_call(description) == call


def test_dynamic_output_keeps_dynamic_sites_and_names_wrappers_by_the_method_they_wrap(tmp_path):
    tree = tmp_path / "tree"
    (tree / "staging/src/k8s.io/api").mkdir(parents=True)
    (tree / "vendor/k8s.io").mkdir(parents=True)
    (tree / "vendor/k8s.io/api").symlink_to("../../staging/src/k8s.io/api")
    lines = [
        f"{RUN}\t{A}\t{tree}/{FILE}\t10\tdynamic method call\t\n",
        f"{RUN}\t(*{PLUGINS}.C).Name\t{tree}/{FILE}\t11\tconcurrent dynamic method call\t{C}\n",
        f"{RUN}\t{HELPER}\t{tree}/{FILE}\t12\tdeferred dynamic function call\t\n",
        f"{RUN}\t{ONE}\t{tree}/{FILE}\t13\tstatic method call\t\n",
        f"k8s.io/api/core/v1.F\t{A}\t{tree}/vendor/k8s.io/api/core/v1/types.go\t7"
        "\tdynamic function call\t\n",
    ]
    assert ca.parse_dynamic_output(lines, tree) == [
        ca.GoDynamicEdge(RUN, A, FILE, 10, INTERFACE),
        ca.GoDynamicEdge(RUN, C, FILE, 11, INTERFACE),
        ca.GoDynamicEdge(RUN, HELPER, FILE, 12, FUNCVALUE),
        ca.GoDynamicEdge("k8s.io/api/core/v1.F", A, "staging/src/k8s.io/api/core/v1/types.go", 7,
                         FUNCVALUE),
    ]


def test_dynamic_edges_round_trip_through_tsv(tmp_path):
    edges = [ca.GoDynamicEdge(RUN, A, FILE, 10, INTERFACE),
             ca.GoDynamicEdge(RUN, HELPER, FILE, 12, FUNCVALUE)]
    ca.write_dynamic_edges(edges, tmp_path / "rta.tsv")
    assert ca.read_dynamic_edges(tmp_path / "rta.tsv") == edges


def test_dynamic_sites_group_callees_in_scope_by_call_site():
    edges = [
        ca.GoDynamicEdge(f"{SCHED}.F[int]", f"(*{PLUGINS}.A[int]).Name", FILE, 10, INTERFACE),
        ca.GoDynamicEdge(f"{SCHED}.F[string]", B, FILE, 10, INTERFACE),
        ca.GoDynamicEdge(f"{SCHED}.F", HELPER, FILE, 10, FUNCVALUE),
        ca.GoDynamicEdge("github.com/x/y.F", A, "vendor/github.com/x/y/y.go", 4, INTERFACE),
        ca.GoDynamicEdge("fmt.Fprint", A, "/usr/lib/go/src/fmt/print.go", 9, INTERFACE),
    ]
    assert ca.dynamic_callees(edges, INTERFACE) == {(f"{SCHED}.F", FILE, 10): {A, B}}
    assert ca.dynamic_callees(edges, FUNCVALUE) == {(f"{SCHED}.F", FILE, 10): {HELPER}}


def test_the_command_is_its_packages_and_the_files_go_compiles(tmp_path):
    tree = tmp_path / "tree"
    (tree / "staging/src/k8s.io/api/core/v1").mkdir(parents=True)
    (tree / "vendor/k8s.io").mkdir(parents=True)
    (tree / "vendor/k8s.io/api").symlink_to("../../staging/src/k8s.io/api")
    lines = [
        "fmt\t/usr/lib/go/src/fmt\tprint.go\tscan.go",
        "unsafe\t/usr/lib/go/src/unsafe",
        f"k8s.io/api/core/v1\t{tree}/vendor/k8s.io/api/core/v1\ttypes.go",
        f"{SCHED}\t{tree}/pkg/scheduler\tscheduler.go",
    ]
    packages = ca.parse_command(lines, tree)
    assert packages == [
        ("fmt", ["/usr/lib/go/src/fmt/print.go", "/usr/lib/go/src/fmt/scan.go"]),
        ("unsafe", []),
        ("k8s.io/api/core/v1", ["staging/src/k8s.io/api/core/v1/types.go"]),
        (SCHED, [FILE]),
    ]
    ca.write_command(packages, tmp_path / "packages.tsv")
    command = ca.read_command(tmp_path / "packages.tsv")
    assert command.packages == {"fmt", "unsafe", "k8s.io/api/core/v1", SCHED}
    assert FILE in command.files and "staging/src/k8s.io/api/core/v1/types.go" in command.files


@pytest.mark.parametrize("name, linked", [
    ("(*gopkg.in/yaml.v2.TypeError).Error", True),  # the package's last element has a dot
    ("gopkg.in/yaml.v2.Marshal", True),
    (f"(*{SCHED}.Scheduler[int]).Run", True),
    (f"{SCHED}.New$1", True),
    ("gopkg.in/yaml.v3.Marshal", False),
    ("k8s.io/kubernetes/pkg/kubelet.run", False),
])
def test_a_command_links_the_package_its_list_names(name, linked):
    command = ca.Command(frozenset({SCHED, "gopkg.in/yaml.v2"}), frozenset())
    assert command.links(name) is linked


# --- the dynamic comparison ----------------------------------------------------------------------

def go_at(caller, line, call, *callees):
    return [ca.GoDynamicEdge(caller, callee, FILE, line, call) for callee in callees]


INIT = f"{SCHED}.init"
# RTA's sites; CHA and VTA have more and fewer callees at the same sites.
RTA_EDGES = [
    *go_at(RUN, 10, INTERFACE, A, B),  # covered: we have A (and C, K), not B
    *go_at(RUN, 20, INTERFACE, C),  # uncovered: we name B there
    *go_at(ONE, 30, INTERFACE, A),  # uncovered: only our interface edge
    *go_at(ONE, 31, INTERFACE, A, B),  # uncovered: nothing of ours there
    *go_at(INIT, 40, INTERFACE, A),  # uncovered: we name no such caller
    ca.GoDynamicEdge(RUN, A, "vendor/github.com/x/y/y.go", 3, INTERFACE),  # out of scope
    *go_at(RUN, 50, FUNCVALUE, HELPER, f"{NEW}$1"),  # covered, both
    *go_at(RUN, 60, FUNCVALUE, HELPER),  # uncovered: unresolved there
    *go_at(ONE, 70, FUNCVALUE, "fmt.Sprint"),  # uncovered: nothing there, a stdlib callee
    *go_at(ONE, 71, FUNCVALUE, HELPER),  # uncovered: we have it as a static edge
]
CHA_EDGES = [
    *go_at(RUN, 10, INTERFACE, A, B, C),
    *go_at(RUN, 20, INTERFACE, C),
    *go_at(RUN, 50, FUNCVALUE, HELPER, f"{NEW}$1", f"{SCHED}.other"),
]
VTA_EDGES = [*go_at(RUN, 10, INTERFACE, A), *go_at(RUN, 50, FUNCVALUE, HELPER)]
GO_DYNAMIC = {algo: {call: ca.dynamic_callees(edges, call) for call in (INTERFACE, FUNCVALUE)}
              for algo, edges in (("rta", RTA_EDGES), ("cha", CHA_EDGES), ("vta", VTA_EDGES))}
OURS_DYNAMIC = [
    ours(RUN, IFACE, 10, "interface"),
    ours(RUN, A, 10, "implementation"),  # true: RTA, CHA and VTA have it
    ours(RUN, C, 10, "implementation"),  # CHA has it, RTA and VTA do not
    ours(RUN, K, 10, "implementation"),  # outside the command: left out of precision
    ours(RUN, B, 20, "defer", via="implementation"),  # false: CHA does not have it
    ours(ONE, IFACE, 30, "interface"),
    ours(NEW, K, 80, "implementation"),  # outside the command, at a site RTA does not have
    ours(NEW, B, 81, "implementation", path="pkg/scheduler/scheduler_windows.go"),  # not compiled
    ours("k8s.io/kubernetes/pkg/kubelet.run", K, 5, "implementation",
         path="pkg/kubelet/kubelet.go"),  # not the command's code
    ours(RUN, HELPER, 50, "funcvalue"),  # true, also in VTA
    ours(RUN, f"{NEW}$1", 50, "go", via="funcvalue"),  # true, not in VTA
    ours(RUN, "h", 60, "unresolved"),
    ours(ONE, HELPER, 71, "static"),
    ours(NEW, "k8s.io/kubernetes/pkg/kubelet.run", 90, "funcvalue"),  # outside the command
]
COMMAND = ca.Command(frozenset({SCHED, FW, PLUGINS, "fmt"}), frozenset({FILE}))


def compare_dynamic(call, go=GO_DYNAMIC):
    return ca.compare_dynamic(call, {algo: go[algo][call] for algo in go},
                              ca.our_sites(OURS_DYNAMIC), COMMAND)


@pytest.mark.parametrize("edge, kind", [
    (ours(RUN, A, 1, "implementation"), "implementation"),
    (ours(RUN, A, 1, "go", via="implementation"), "implementation"),
    (ours(RUN, A, 1, "defer", via="funcvalue"), "funcvalue"),
    (ours(RUN, A, 1, "funcvalue", via="passed as argument"), "funcvalue"),
    (ours(RUN, A, 1, "go", via="interface"), "interface"),
])
def test_go_and_defer_edges_count_as_the_call_under_them(edge, kind):
    assert ca.dynamic_kind(edge) == kind


def test_interface_sites_coverage_recall_precision_and_callees_outside():
    c = compare_dynamic(INTERFACE)
    assert (c.sites, c.covered, c.coverage) == (5, 1, 1 / 5)
    assert (c.pairs, c.matched, c.recall) == (7, 1, 1 / 7)
    assert (c.linked, c.in_cha, c.in_vta) == (3, 2, 1)  # A and C at 10, B at 20; K left out
    assert c.false_edges == [((RUN, FILE, 20), B)]
    assert c.from_command == 5 and c.outside == [((RUN, FILE, 10), K), ((NEW, FILE, 80), K)]


def test_func_value_sites_coverage_recall_precision_and_callees_outside():
    c = compare_dynamic(FUNCVALUE)
    assert (c.sites, c.covered, c.coverage) == (4, 1, 1 / 4)
    assert (c.pairs, c.matched, c.recall) == (5, 2, 2 / 5)
    assert (c.linked, c.in_cha, c.in_vta) == (2, 2, 1)
    assert c.false_edges == []
    assert c.from_command == 3
    assert c.outside == [((NEW, FILE, 90), "k8s.io/kubernetes/pkg/kubelet.run")]


def test_a_method_value_of_an_interface_counts_its_implementations_at_a_func_value_site():
    """Its interface edge's `via` says where the value was kept; a plain interface call on the
    same line (`register(x.Name())`) does not count there."""
    side = ca.OurDynamicSide(
        edges=[ours(RUN, IFACE, 65, "interface", via="package variable"),
               ours(RUN, RUNNER, 65, "interface"), ours(RUN, HELPER, 65, "funcvalue")],
        implements={IFACE: [(A, f"{PLUGINS}.A", 0)], RUNNER: [(B, f"{PLUGINS}.B", 0)]},
        program=None, signatures={})
    [view] = ca.implementation_views(None)
    sites = ca.our_sites([*side.edges, *ca.expand_interface_edges(side, view, COMMAND.files)])
    rta = {"rta": {(RUN, FILE, 65): frozenset({A, HELPER})}}
    c = ca.compare_dynamic(FUNCVALUE, rta, sites, COMMAND)
    assert (c.covered, c.matched, c.linked) == (1, 2, 2)  # A and HELPER; B is the plain call's
    assert (c.from_command, c.outside) == (1, [])  # funcvalue edges only: each kind counted once
    interface = ca.compare_dynamic(INTERFACE, {"rta": {(RUN, FILE, 65): frozenset({B})}}, sites,
                                   COMMAND)
    assert (interface.matched, interface.linked) == (1, 1)  # A, the method value's, is not here


def test_each_uncovered_site_gets_the_first_reason_that_applies():
    interface, funcvalue = compare_dynamic(INTERFACE), compare_dynamic(FUNCVALUE)
    assert {m.site[2]: m.reason for m in interface.uncovered} == {
        20: ca.OTHER_CALLEES, 30: ca.INTERFACE_ONLY, 31: ca.NO_EDGE, 40: ca.CALLER_UNKNOWN}
    assert {m.site[2]: m.reason for m in funcvalue.uncovered} == {
        60: ca.UNRESOLVED_THERE, 70: ca.CALLEE_IN_STDLIB, 71: ca.EXCLUDED_KIND}
    assert interface.by_reason == {ca.OTHER_CALLEES: 1, ca.INTERFACE_ONLY: 1, ca.NO_EDGE: 1,
                                   ca.CALLER_UNKNOWN: 1}


def test_a_covered_site_lacking_some_callees_lists_them():
    [miss] = compare_dynamic(INTERFACE).partly
    assert (miss.site, miss.callees, miss.reason) == ((RUN, FILE, 10), [B], ca.OTHER_CALLEES)
    assert miss.ours_at_site == sorted(f"{callee} ({kind})" for callee, kind in (
        (IFACE, "interface"), (A, "implementation"), (C, "implementation"),
        (K, "implementation")))
    assert compare_dynamic(FUNCVALUE).partly == []


def test_share_in_vta_counts_both_kinds_of_call():
    comparisons = [compare_dynamic(INTERFACE), compare_dynamic(FUNCVALUE)]
    assert ca.vta_row("in VTA", comparisons) == (
        "in VTA", "40.0%", "2 of our 5 edges at RTA's sites whose callee the command links")


def test_precision_is_not_run_without_cha_or_vta():
    c = compare_dynamic(INTERFACE, go={"rta": GO_DYNAMIC["rta"]})
    assert (c.in_cha, c.in_vta, c.false_edges) == (None, None, [])
    rows = {name.strip(): value for name, value, _ in ca.dynamic_rows("interface", "", c)}
    assert rows["edge precision (CHA)"] == rows["… also in VTA"] == "not run"
    assert rows["site coverage"] == "20.0%" and rows["edge recall (RTA)"] == "14.3%"


# --- our implementation edges, expanded from the implements table --------------------------------

RUNNER = f"({FW}.Runner).Run"  # an interface whose implementation is promoted from an embedding
OTHER = f"(*{PLUGINS}.W).Name"  # built for another platform
SIDE = ca.OurDynamicSide(
    edges=[ours(RUN, IFACE, 10, "interface"), ours(ONE, RUNNER, 30, "defer", via="interface"),
           ours(NEW, IFACE, 7, "interface", path="pkg/scheduler/scheduler_windows.go"),
           ours(RUN, HELPER, 50, "funcvalue")],
    implements={
        IFACE: [(A, f"{PLUGINS}.A", 0), (C, f"{PLUGINS}.C", 0),
                (K, "k8s.io/kubernetes/pkg/kubelet.K", 0), (OTHER, f"{PLUGINS}.W", 2),
                (RUNNER, f"{PLUGINS}.Wrapper", 0)],
        RUNNER: [(RUNNER, f"{FW}.Runner", 0), (B, f"{PLUGINS}.B", 0)],
    },
    program=query.ProgramView("kube-scheduler", frozenset({SCHED, FW, PLUGINS}),
                              frozenset({f"{PLUGINS}.A", f"{PLUGINS}.Wrapper"})),
    signatures={})


def expanded(view):
    return {(e.caller, e.callee, e.line, e.kind)
            for e in ca.expand_interface_edges(SIDE, view, COMMAND.files)}


def test_interface_edges_expand_into_every_candidate_of_the_whole_repository():
    whole, _, _ = ca.implementation_views(SIDE.program)
    assert expanded(whole) == {
        (RUN, A, 10, "implementation"), (RUN, C, 10, "implementation"),
        (RUN, K, 10, "implementation"), (RUN, OTHER, 10, "implementation"),
        (RUN, B, 10, "implementation"),  # through the promoted Runner.Run, which is not counted
        (ONE, B, 30, "implementation"),  # a deferred interface call; Runner.Run's self row skipped
    }  # and nothing for scheduler_windows.go, which the command does not compile


def test_a_program_view_keeps_what_the_command_links_and_optionally_what_it_creates():
    _, linked, created = ca.implementation_views(SIDE.program)
    assert {e[1] for e in expanded(linked) if e[2] == 10} == {A, C, B}
    assert {e[1] for e in expanded(created) if e[2] == 10} == {A}
    assert ca.implementation_views(None) == [ca.ImplementationView(
        "whole repository", "every candidate of the implements table")]


def test_each_view_is_compared_at_rtas_interface_sites():
    go = {algo: {call: ca.dynamic_callees(edges, call) for call in (INTERFACE, FUNCVALUE)}
          for algo, edges in (("rta", RTA_EDGES), ("cha", CHA_EDGES), ("vta", VTA_EDGES))}
    result = ca.compare_dynamic_views(go, SIDE, COMMAND)
    assert list(result.interface) == ["whole repository", "program", "program, created types"]
    whole = result.interface["whole repository"][1]
    # At 10: A, B, C, W (K is not linked), CHA lacks W; at 30: B, which CHA does not have there.
    assert (whole.covered, whole.matched, whole.linked, whole.in_cha) == (1, 2, 5, 3)
    assert [(site[2], callee) for site, callee in whole.false_edges] == [(10, OTHER), (30, B)]
    assert (whole.from_command, len(whole.outside)) == (6, 1)  # K at 10
    created = result.interface["program, created types"][1]
    assert (created.covered, created.matched, created.linked, created.in_cha) == (1, 1, 1, 1)
    assert result.funcvalue.matched == 1 and result.funcvalue.linked == 1


def test_the_implements_table_and_the_commands_program_are_read_from_the_index(tmp_path):
    db = store.connect(tmp_path / "index.sqlite", create=True)
    commit_id = store.begin_commit(db, store.CommitKey("kubernetes", "a" * 40, False, ""),
                                   "HEAD", "https://github.com/kubernetes/kubernetes")
    store.finish_commit(
        db, commit_id, [], [], [], SIDE.edges,
        implements=[Implements(IFACE, A, f"{PLUGINS}.A", True, False, False),
                    Implements(IFACE, OTHER, f"{PLUGINS}.W", False, True, False)],
        programs=[CommandProgram("kube-scheduler", "k8s.io/kubernetes/cmd/kube-scheduler",
                                 frozenset({SCHED}), frozenset({f"{PLUGINS}.A"}), 10)])
    db.close()
    side = ca.load_our_dynamic_side(tmp_path / "index.sqlite", "a" * 40, "cmd/kube-scheduler")
    assert side.edges == SIDE.edges
    assert side.implements == {IFACE: [(A, f"{PLUGINS}.A", 1), (OTHER, f"{PLUGINS}.W", 2)]}
    assert side.program == query.ProgramView("kube-scheduler", frozenset({SCHED}),
                                             frozenset({f"{PLUGINS}.A"}))
    assert ca.load_our_dynamic_side(tmp_path / "index.sqlite", "a" * 40,
                                    "cmd/kube-proxy").program is None


def test_reuse_reads_the_kept_go_outputs(tmp_path):
    base = tmp_path / "c0ffee"
    base.mkdir()
    ca.write_command([(SCHED, [FILE])], base / "cmd_kube-scheduler.packages.tsv")
    ca.write_dynamic_edges(RTA_EDGES, base / "cmd_kube-scheduler.rta.edges.tsv")
    run = ca.GoRun("callgraph -algo=rta", "go1.19", 1.5, 300, 12)
    (base / "cmd_kube-scheduler.rta.run.json").write_text(json.dumps(dataclasses.asdict(run)))
    command, edges, runs = ca.dynamic_go_side("unused", "c0ffee", "cmd/kube-scheduler", tmp_path,
                                              ["rta"], reuse=True)
    assert command == ca.Command(frozenset({SCHED}), frozenset({FILE}))
    assert edges == {"rta": RTA_EDGES} and runs == {"rta": run}
    with pytest.raises(UsageError, match="no cmd_kube-scheduler.cha.edges.tsv, "
                                         "cmd_kube-scheduler.cha.run.json at c0ffee"):
        ca.dynamic_go_side("unused", "c0ffee", "cmd/kube-scheduler", tmp_path, ["rta", "cha"],
                           reuse=True)


def test_algorithms_are_checked_on_the_command_line():
    assert ca.parse_args(["--tree", "t", "--algos", "rta, vta,rta"]).algos == ["rta", "vta"]
    assert ca.parse_args(["--tree", "t"]).algos == ["rta", "cha", "vta"]
    with pytest.raises(SystemExit):
        ca.parse_args(["--tree", "t", "--algos", "rta,pta"])


def test_the_dynamic_comparison_needs_rta(kube_repo, capsys):
    status = ca.main(["--tree", str(kube_repo / ".git"), "--dynamic", "--algos", "cha"])
    assert status == 2
    assert "--algos needs rta" in capsys.readouterr().err


# --- the tree on disk ----------------------------------------------------------------------------

def test_materialize_writes_files_and_symlinks_once(kube_repo, tmp_path):
    git_dir = str(kube_repo / ".git")
    commit = ca.resolve_commit(git_dir, "HEAD")
    dest = tmp_path / commit / "tree"
    dest.parent.mkdir()
    assert ca.materialize(git_dir, commit, dest) == []
    assert (dest / "go.mod").read_bytes() == (kube_repo / "go.mod").read_bytes()
    link = dest / "vendor/k8s.io/api"
    assert link.is_symlink() and link.resolve() == (dest / "staging/src/k8s.io/api").resolve()
    (dest / "go.mod").write_text("kept")  # a second run reuses the tree as it is
    assert ca.materialize(git_dir, commit, dest) == []
    assert (dest / "go.mod").read_text() == "kept"
    assert not dest.with_suffix(".partial").exists()
