"""The call graph accuracy benchmark's comparison, on hand-made edges: no Go toolchain needed."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analyzer import store
from analyzer.errors import IndexError_
from analyzer.graph import Edge

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
