"""Queries and their output formats, on the indexed fixture trees.

The text, DOT and Mermaid outputs for a few queries are golden files; refresh them after an
intended change with `python tests/test_query.py`.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import graph, query, render, sources, store
from analyzer.cli import main
from analyzer.indexer import index_checkout
from analyzer.query import (AmbiguousSymbol, Filters, GraphIndex, NoPath, QueryError, SymbolNotFound,
                            package_of)
from analyzer.workspace import Workspace

GOROOT = Path(__file__).parent / "fixtures" / "goroot"
GOLDEN = Path(__file__).parent / "golden" / "query"
SCHEDULE_ONE = "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"

# Routes to `target` of equal length, some through an interface call whose implementation the
# resolver can only guess (fast or slow), so path ranking and filtering have something to choose.
GUESSES = {
    "go.mod": "module example.com/app\n\ngo 1.20\n",
    "main.go": """package main

type Runner interface{ Run() }

type fast struct{}

func (fast) Run() { target() }

type slow struct{}

func (slow) Run() { target() }

func run(r Runner) { r.Run() }

// main reaches target in three calls through fast or slow (guessed) or through sure (static).
func main() { run(fast{}); sure() }

func sure() { direct() }

func direct() { target() }

// far reaches target in three calls only through a guess, and in four for certain.
func far() { run(slow{}); one() }

func one() { two() }

func two() { direct() }

func target() {}
""",
}
APP = "example.com/app"


def build_index(home: Path, repo: Path) -> GraphIndex:
    ws = Workspace(home)
    index_checkout(ws.index_path, sources.fetch(ws, "kubernetes", source=str(repo), ref="HEAD"),
                   goroot=GOROOT)
    return GraphIndex.open(store.connect(ws.index_path), "kubernetes")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import TREES, make_git_tree

    root = tmp_path_factory.mktemp("query")
    return build_index(root / "home", make_git_tree(TREES / "kube", root / "kubernetes"))


@pytest.fixture(scope="module")
def guesses_home(tmp_path_factory) -> Path:
    """A kubeatlas home whose index holds the GUESSES program."""
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import make_git_tree

    root = tmp_path_factory.mktemp("guesses")
    (root / "src").mkdir()
    for name, text in GUESSES.items():
        (root / "src" / name).write_text(text)
    build_index(root / "home", make_git_tree(root / "src", root / "kubernetes", symlinks={}))
    return root / "home"


@pytest.fixture(scope="module")
def guesses(guesses_home) -> GraphIndex:
    return GraphIndex.open(store.connect(Workspace(guesses_home).index_path), "kubernetes")


def callees(path: list[graph.Edge]) -> list[str]:
    return [edge.callee.removeprefix(APP + ".") for edge in path]


def golden_outputs(index: GraphIndex) -> dict[str, str]:
    tree = index.tree("scheduler.(*Scheduler).Run", "callees", 2, Filters(exclude=("stdlib",)))
    chain = index.paths("kube-scheduler.main", "scheduler.(*Scheduler).scheduleOne")
    return {
        "callees-run.txt": render.render_tree(tree, "text"),
        "callees-run.dot": render.render_tree(tree, "dot"),
        "callees-run.mmd": render.render_tree(tree, "mermaid"),
        "path-scheduler.txt": render.render_paths(chain, "k8s.io/kubernetes/cmd/kube-scheduler.main", "text"),
    }


def test_outputs_match_golden_files(index):
    for name, text in golden_outputs(index).items():
        golden = GOLDEN / name
        assert golden.exists(), f"no golden file {name}: run `python tests/test_query.py`"
        assert text + "\n" == golden.read_text(), f"{name} changed; if intended, run `python tests/test_query.py`"


def test_short_names_resolve_and_ambiguity_is_reported(index):
    assert index.resolve("scheduler.(*Scheduler).scheduleOne") == SCHEDULE_ONE
    assert index.resolve("kube-scheduler.main") == "k8s.io/kubernetes/cmd/kube-scheduler.main"
    with pytest.raises(AmbiguousSymbol) as raised:
        index.resolve("Run")
    assert len(raised.value.candidates) > 1


def test_a_method_named_by_its_receiver_type_alone_resolves(index):
    """`show '(*Scheduler).scheduleOne'`, a method as a Go method expression writes it, was
    "no symbol" with the right name first among the closest. The receiver's pointer-ness
    still counts: a pointer method is not found as `(Scheduler).scheduleOne`."""
    assert index.resolve("(*Scheduler).scheduleOne") == SCHEDULE_ONE
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("(Scheduler).scheduleOne")
    assert raised.value.closest[0] == SCHEDULE_ONE


def test_an_unknown_symbol_gets_the_closest_names(index):
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("scheduler.(*Scheduler).scheduleOnce")
    assert SCHEDULE_ONE in raised.value.closest


def test_a_mistyped_bare_name_gets_the_closest_names(index):
    """A bare method name with a typo is compared with the ends of stored names, not with
    whole import paths, so the name meant is offered."""
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("scheduleOen")
    assert raised.value.closest[0] == SCHEDULE_ONE


@pytest.mark.parametrize("name", ["SCHEDULEONE", "scheduler.(*SCHEDULER).SCHEDULEONE"])
def test_a_name_in_the_wrong_case_gets_the_name_meant(index, name):
    """Go names are case-sensitive, so `SCHEDULEONE` is not found; it was "no symbol" with no
    name offered at all (the closest were compared case and all), where `find` ignores case."""
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve(name)
    assert raised.value.closest[0] == SCHEDULE_ONE


def test_a_commit_of_another_repository_hints_at_repo(index):
    """--commit names a commit indexed for another repository: the error says which --repo."""
    commit = index.commit
    with pytest.raises(QueryError) as raised:
        GraphIndex.open(index.db, "etcd", commit.sha[:12])
    assert str(raised.value) == (f"etcd at {commit.sha[:12]} is not indexed; kubernetes is "
                                 f"indexed at {commit.sha[:12]}: add --repo kubernetes")


def test_a_repository_not_indexed_beside_one_that_is_hints_at_repo(index):
    """With only etcd fetched and indexed, `find StartEtcd` (kubernetes by default) said "run
    `kubeatlas index kubernetes` first", which then says kubernetes was never fetched."""
    with pytest.raises(QueryError) as raised:
        GraphIndex.open(index.db, "etcd")
    assert str(raised.value) == ("etcd is not indexed; kubernetes is: add --repo kubernetes, or "
                                 "fetch and index etcd")


def test_a_component_of_a_repository_not_indexed_says_to_index_that_one(index, capsys):
    """`component etcd` on an index of kubernetes alone said "add --repo kubernetes", which the
    component then refuses: the user gave no --repo."""
    index_path = Path(index.db.execute("PRAGMA database_list").fetchone()[2])
    assert main(["component", "etcd", "--home", str(index_path.parent)]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: index {index_path}: etcd is one of etcd's components, and etcd is "
        "not indexed: run `kubeatlas fetch etcd` and `kubeatlas index etcd`\n")


def test_a_mistyped_name_meets_its_closest_past_the_dots_of_a_domain(spellings):
    """`embed.StartEtc` offered os/exec's Start but not go.etcd.io/etcd/.../embed.StartEtcd:
    the name's two dotted parts were compared with `io/etcd/server/v3/embed.StartEtcd`, the
    domain's dots counted as the name's (here example.com's)."""
    with pytest.raises(SymbolNotFound) as raised:
        spellings.resolve("klog.Flushh")
    assert raised.value.closest[0] == f"{SPELL}/klog/v2.Flush"


def test_a_mistyped_name_meets_its_closest_in_a_package_of_a_major_version(spellings):
    """`klog.Infp` offered grpclog.Infof, not k8s.io/klog/v2.Infof: the path's /v2 was read as
    the package's name."""
    with pytest.raises(SymbolNotFound) as raised:
        spellings.resolve("klog.InfoZ")
    assert raised.value.closest[0] == f"{SPELL}/klog/v2.InfoS"


def test_a_name_mistyped_in_its_first_letters_still_meets_its_closest(index):
    """Only names sharing the first letters of the name's last part were compared: `wait.Untl`
    (and `kubelet.NewMianKubelet`) had no closest name at all."""
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("wait.Untl")
    assert raised.value.closest[0] == "k8s.io/kubernetes/pkg/util/wait.Until"


def test_a_name_of_the_repository_not_indexed_says_to_index_it(index):
    """With kubernetes alone indexed, `show go.etcd.io/etcd/server/v3/embed.StartEtcd` said
    only "no symbol": etcd, whose name it is, was never looked in."""
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("go.etcd.io/etcd/server/v3/embed.StartEtcd")
    assert str(raised.value) == (
        "no symbol 'go.etcd.io/etcd/server/v3/embed.StartEtcd': kubernetes "
        f"{index.commit.sha[:12]} does not define it, and etcd, which may, is not indexed: "
        "`kubeatlas fetch etcd` and `kubeatlas index etcd`, then add --repo etcd")


def test_a_name_under_an_import_path_names_no_other_repository_as_its_owner(index):
    """With kubernetes alone indexed and nothing close, `show k8s.io/kubernetes/pkg/zzz.Qqq`
    said etcd, "which may", was not indexed, as for any name: one under this repository's own
    module, or a third party's, is no name of etcd. A name without its import path may still be."""
    for name in ("k8s.io/kubernetes/pkg/zzz.Qqq", "(*k8s.io/kubernetes/pkg/zzz.T).Qqq",
                 "github.com/zzz/qqq.Qqq"):
        with pytest.raises(SymbolNotFound) as raised:
            index.resolve(name)
        assert str(raised.value) == f"no symbol '{name}'"
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("zzzqqq.Xyzzy")
    assert "and etcd, which may, is not indexed" in str(raised.value)


def test_a_query_of_an_index_of_no_repository_says_to_index(tmp_path):
    db = store.connect(tmp_path / "index.sqlite", create=True)
    with pytest.raises(QueryError, match=r"^kubernetes is not indexed: run `kubeatlas index "
                       r"kubernetes` first$"):
        GraphIndex.open(db, "kubernetes")


def _indexed(db, sha: str, ref: str, build: str = "linux/amd64") -> int:
    commit_id = store.begin_commit(db, store.CommitKey("kubernetes", sha, False, "", build), ref,
                                   "https://example.invalid/kubernetes")
    store.finish_commit(db, commit_id, (), (), (), ())
    return commit_id


def test_a_commit_prefix_two_indexed_commits_share_is_ambiguous(tmp_path):
    """`--commit abc` with abc1… and abc2… indexed answered from one of them, unsaid."""
    db = store.connect(tmp_path / "index.sqlite", create=True)
    _indexed(db, "abc1" + "0" * 36, "v1")
    _indexed(db, "abc2" + "0" * 36, "v2")
    with pytest.raises(QueryError) as raised:
        GraphIndex.open(db, "kubernetes", "abc")
    assert str(raised.value) == ("--commit abc is ambiguous: more than one indexed commit of "
                                 "kubernetes starts with it (indexed: abc100000000 v1, abc200000000 "
                                 "v2); give more of its digits")
    assert GraphIndex.open(db, "kubernetes", "abc2").commit.ref == "v2"


def test_a_commit_indexed_for_two_builds_is_read_as_indexed_last_with_or_without_commit(tmp_path):
    """Indexed for linux, then windows, then linux again: a query without --commit read the
    linux index (the last made or asked for), one naming the commit read the windows one."""
    db = store.connect(tmp_path / "index.sqlite", create=True)
    sha = "abc1" + "0" * 36
    linux = _indexed(db, sha, "v1")
    _indexed(db, sha, "v1", "windows/amd64")
    store.touch(db, linux)  # `kubeatlas index` of the linux build again
    assert GraphIndex.open(db, "kubernetes").commit.id == linux
    for given in (sha, sha[:7], "v1"):
        assert GraphIndex.open(db, "kubernetes", given).commit.id == linux, given


def test_callers_run_backwards(index):
    tree = index.tree("scheduler.(*Scheduler).scheduleOne", "callers", 1)
    # Run passes it to wait.UntilWithContext, whose closure calls it through a parameter.
    assert {(e.caller, e.kind) for e in tree.edges} == {
        ("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).Run", graph.FUNCVALUE),
        ("k8s.io/kubernetes/pkg/util/wait.JitterUntilWithContext$1", graph.FUNCVALUE)}


def test_filters_by_kind_package_and_confidence(index):
    everything = index.tree("app.Run", "callees", 1)
    assert any(package_of(e.callee) == "context" for e in everything.edges)
    no_stdlib = index.tree("app.Run", "callees", 1, Filters(exclude=("stdlib",)))
    assert not any(package_of(e.callee) == "context" for e in no_stdlib.edges)
    only_go = index.tree("app.Run", "callees", 1, Filters(kinds=frozenset({graph.GO})))
    assert only_go.edges and {e.kind for e in only_go.edges} == {graph.GO}
    sure = index.tree("app.Run", "callees", 1, Filters(min_confidence=0.95))
    assert all(e.confidence >= 0.95 for e in sure.edges) and len(sure.edges) < len(everything.edges)
    globbed = index.tree("app.Run", "callees", 1, Filters(exclude=("k8s.io/client-go/*",)))
    assert not any(e.callee.startswith("(k8s.io/client-go") for e in globbed.edges)


def test_vendor_preset_leaves_out_vendored_symbols(index):
    tree = index.tree("kube-scheduler.main", "callees", 1, Filters(exclude=("vendor",)))
    assert "(*github.com/spf13/cobra.Command).Execute" not in {e.callee for e in tree.edges}


def test_paths_are_shortest_and_absent_paths_are_an_error(index):
    (chain,) = index.paths("kube-scheduler.main", "scheduler.(*Scheduler).scheduleOne")
    assert chain[0].caller == "k8s.io/kubernetes/cmd/kube-scheduler.main"
    assert chain[-1].callee == SCHEDULE_ONE
    assert all(a.callee == b.caller for a, b in zip(chain, chain[1:]))
    with pytest.raises(NoPath):
        index.paths("scheduler.(*Scheduler).scheduleOne", "kube-scheduler.main")


def test_among_shortest_paths_the_surest_wins(guesses):
    """Three paths of three calls: the one through static calls beats those through a guessed
    implementation, though the guesses come first by name."""
    (path,) = guesses.paths("app.main", "app.target")
    assert callees(path) == ["sure", "direct", "target"]
    assert {edge.kind for edge in path} == {graph.STATIC}


def test_more_paths_come_surest_first_then_by_name(guesses):
    """-n 3: the static path, then the two equally sure guesses, fast before slow."""
    paths = guesses.paths("app.main", "app.target", count=3)
    assert [callees(path) for path in paths] == [
        ["sure", "direct", "target"],
        ["run", "(example.com/app.fast).Run", "target"],
        ["run", "(example.com/app.slow).Run", "target"],
    ]
    products = [math.prod(edge.confidence for edge in path) for path in paths]
    assert products[0] > products[1] == products[2]


def test_min_confidence_leaves_weak_edges_out_even_if_the_path_gets_longer(guesses):
    """far reaches target in three calls through a guess; above the guess's confidence only the
    four-call static path is left, and from run there is no path at all."""
    (guessed,) = guesses.paths("app.far", "app.target")
    weakest = min(edge.confidence for edge in guessed)
    assert len(guessed) == 3 and weakest < 1
    (sure,) = guesses.paths("app.far", "app.target", Filters(min_confidence=weakest + 0.01))
    assert callees(sure) == ["one", "two", "direct", "target"]
    with pytest.raises(NoPath):
        guesses.paths("app.run", "app.target", Filters(min_confidence=weakest + 0.01))


def test_kinds_limit_the_edges_a_path_follows(guesses):
    (path,) = guesses.paths("app.far", "app.target", Filters(kinds=frozenset({graph.STATIC})))
    assert callees(path) == ["one", "two", "direct", "target"]


def test_waypoints_join_each_segments_surest_paths(guesses):
    """Through run, main has only the guessed routes; -n 2 gives both, in order."""
    paths = guesses.path_through([f"{APP}.main", f"{APP}.run", f"{APP}.target"], count=2)
    assert [callees(path) for path in paths] == [
        ["run", "(example.com/app.fast).Run", "target"],
        ["run", "(example.com/app.slow).Run", "target"],
    ]


def test_path_text_shows_each_edges_kind_confidence_and_hint(guesses):
    (path,) = guesses.paths("app.far", "app.target")
    guess = next(edge for edge in path if edge.kind == graph.IMPLEMENTATION)
    text = render.render_paths([path], f"{APP}.far", "text")
    confidence = render.confidence_text(guess.confidence)
    assert f"→ {guess.callee}  [implementation {confidence}, {guess.via}]  main.go:{guess.line}" in text
    product = render.confidence_text(math.prod(edge.confidence for edge in path))
    assert text.splitlines()[0] == f"3 calls, confidence {product}, weakest link {confidence} at main.go:{guess.line}"
    assert "[static 1.00]" in text


def test_path_pictures_label_edges_with_kind_and_confidence_below_one(guesses):
    (path,) = guesses.paths("app.far", "app.target")
    confidence = render.confidence_text(min(edge.confidence for edge in path))
    dot = render.render_paths([path], f"{APP}.far", "dot")
    assert f'label="implementation {confidence}"' in dot and 'label="static"' in dot
    assert f"|implementation {confidence}|" in render.render_paths([path], f"{APP}.far", "mermaid")


def test_path_json_carries_kind_confidence_and_via(guesses):
    paths = guesses.paths("app.main", "app.target", count=2)
    data = json.loads(render.render_paths(paths, f"{APP}.main", "json"))
    assert [[graph.Edge(**edge) for edge in chain] for chain in data] == paths


def test_cli_path_honours_min_confidence_and_count(guesses_home, capsys):
    capsys.readouterr()
    assert main(["path", "--home", str(guesses_home), "app.far", "app.target",
                 "--min-confidence", "0.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 calls, confidence 1.00, weakest link 1.00") and "implementation" not in out
    assert main(["path", "--home", str(guesses_home), "app.main", "app.target", "-n", "2",
                 "-f", "json"]) == 0
    assert [len(chain) for chain in json.loads(capsys.readouterr().out)] == [3, 3]


def test_show_gives_signature_doc_permalink_and_idioms(index):
    info = index.show("replicaset.(*ReplicaSetController).addPod")
    assert info.kind == "method" and info.path == "pkg/controller/replicaset/pod_handlers.go"
    assert info.permalink.endswith(f"@{index.commit.sha}:{info.path}#L{info.line}")
    assert "informer event handler" in info.annotations
    assert "cobra command body" in index.show("app.NewSchedulerCommand$1").annotations


def test_find_ranks_the_closest_names_first(index):
    names = index.find("scheduleOne")
    assert names[0] == SCHEDULE_ONE


def test_json_output_parses_and_names_every_node(index):
    tree = index.tree("scheduler.(*Scheduler).Run", "callees", 2)
    data = json.loads(render.render_tree(tree, "json"))
    assert data["root"] == tree.root and data["direction"] == "callees"
    assert [graph.Edge(**e) for e in data["edges"]] == list(tree.edges)
    assert data["nodes"] == sorted({tree.root} | {e.caller for e in tree.edges} | {e.callee for e in tree.edges})


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import TREES, make_git_tree

    with tempfile.TemporaryDirectory() as tmp:
        built = build_index(Path(tmp) / "home", make_git_tree(TREES / "kube", Path(tmp) / "kubernetes"))
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in golden_outputs(built).items():
            (GOLDEN / name).write_text(text + "\n")
            print(f"wrote {GOLDEN / name}")


def test_a_signature_edge_stands_in_only_where_no_stored_function_in_view_reaches_the_call():
    """The functions of the called type fill in a call that no followed store reaches, ranked as
    unlikely; where a stored function in the view is followed, the type adds nothing."""
    def at(line, callee, kind, via=""):
        return graph.Edge("p.run", callee, kind, "run.go", line, 3, 0.8, via)

    signature = "func(int) error"
    edges = [at(10, signature, graph.SIGNATURE), at(10, "other.f", graph.FUNCVALUE),
             at(20, signature, graph.SIGNATURE), at(30, "func()", graph.SIGNATURE)]
    view = query.ProgramView("cmd", frozenset({"p"}), frozenset())
    functions = {signature: ["p.a", "p.b", "other.c"], "func()": []}
    out = query.by_signature(edges, view, lambda s: functions[s])
    # line 10: other.f is outside the view, so the type stands in there too
    assert {(e.line, e.callee, e.kind, e.confidence) for e in out} == {
        (10, "other.f", graph.FUNCVALUE, 0.8),
        (10, "p.a", graph.FUNCVALUE, 0.04), (10, "p.b", graph.FUNCVALUE, 0.04),
        (20, "p.a", graph.FUNCVALUE, 0.04), (20, "p.b", graph.FUNCVALUE, 0.04),
        (30, "func()", graph.SIGNATURE, 0.8)}
    whole = query.by_signature(edges, None, lambda s: functions[s])
    assert not any(e.line == 10 and e.callee.startswith("p.") for e in whole)


def test_a_tree_shows_the_surest_implementations_of_a_call_and_counts_the_rest():
    edges = [graph.Edge("p.run", "(p.I).M", graph.INTERFACE, "run.go", 5, 2, 0.9)] + [
        graph.Edge("p.run", f"(*p.T{n}).M", graph.IMPLEMENTATION, "run.go", 5, 2, n / 100)
        for n in range(1, 11)]
    tree = query.Tree("p.run", "callees", 1)
    kept = query.GraphIndex._surest_per_call(edges, tree)
    assert [e.callee for e in kept] == ["(p.I).M"] + [f"(*p.T{n}).M" for n in range(3, 11)]
    assert tree.left_out == 2
    assert "2 less likely implementation edges left out" in render.tree_text(tree)


def test_a_query_of_a_commit_an_older_resolver_indexed_warns_to_index_it(guesses_home, tmp_path,
                                                                           capsys):
    """An index made before a RESOLVER_VERSION bump was answered from unsaid: only `index`
    resolves it again, so a query says so in one line on stderr, and answers."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(guesses_home, home)
    assert main(["find", "app.target", "--home", str(home)]) == 0
    assert capsys.readouterr().err == ""
    db = store.connect(Workspace(home).index_path)
    with db:
        db.execute("UPDATE commits SET resolver_version = resolver_version - 1")
    sha = db.execute("SELECT sha FROM commits WHERE repo = 'kubernetes'").fetchone()[0]
    db.close()
    assert main(["find", "app.target", "--home", str(home)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{APP}.target\n"
    assert err == (f"kubeatlas: warning: kubernetes {sha[:12]} was indexed by an older resolver "
                   f"(version {store.RESOLVER_VERSION - 1}, this one is {store.RESOLVER_VERSION}): "
                   "run `kubeatlas index kubernetes`\n")


def test_a_query_of_a_commit_an_older_parser_read_warns_to_index_it(guesses_home, tmp_path,
                                                                   capsys):
    """A commit whose files an older parser read (PARSER_VERSION bumped since) is warned about as
    one an older resolver made, and in the same line when both are older."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(guesses_home, home)
    db = store.connect(Workspace(home).index_path)
    with db:
        db.execute("UPDATE commits SET parser_version = parser_version - 1")
    sha = db.execute("SELECT sha FROM commits WHERE repo = 'kubernetes'").fetchone()[0]
    assert main(["find", "app.target", "--home", str(home)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{APP}.target\n"
    parser = (f"an older parser (version {store.PARSER_VERSION - 1}, "
              f"this one is {store.PARSER_VERSION})")
    assert err == (f"kubeatlas: warning: kubernetes {sha[:12]} was indexed by {parser}: "
                   "run `kubeatlas index kubernetes`\n")
    with db:
        db.execute("UPDATE commits SET resolver_version = resolver_version - 1")
    db.close()
    assert main(["find", "app.target", "--home", str(home)]) == 0
    assert capsys.readouterr().err == (
        f"kubeatlas: warning: kubernetes {sha[:12]} was indexed by {parser} and an older resolver "
        f"(version {store.RESOLVER_VERSION - 1}, this one is {store.RESOLVER_VERSION}): "
        "run `kubeatlas index kubernetes`\n")


def test_a_query_process_loads_neither_git_nor_the_parser_nor_the_resolver(guesses_home):
    """A cold `kubeatlas callees` reads the graph tables only: GitPython, tree-sitter, the facts
    codec and the resolver stay unloaded, which is most of a cold query's start-up time."""
    probe = ("import sys, contextlib, io\n"
             "from analyzer.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    code = main(['callees', 'main', '--home', sys.argv[1]])\n"
             "heavy = ('git', 'tree_sitter', 'analyzer.facts', 'analyzer.parse', 'analyzer.sources',\n"
             "         'analyzer.resolve.calls', 'analyzer.manifest')\n"
             "print(code, sorted(m for m in heavy if m in sys.modules))\n")
    import subprocess

    out = subprocess.run([sys.executable, "-c", probe, str(guesses_home)], check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "0 []"


def test_a_text_query_loads_no_module_only_other_answers_need(guesses_home):
    """A cold `kubeatlas callees` printing text imports neither `dataclasses` (with the
    `inspect`, `ast` and `dis` it loads) nor json, subprocess or the build-tag reader: with them
    Python spent a third more instructions on the query than without. Modules the interpreter
    had loaded before the command (its `site`) do not count."""
    probe = ("import sys, contextlib, io\n"
             "before = set(sys.modules)\n"
             "from analyzer.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    code = main(['callees', 'main', '--home', sys.argv[1]])\n"
             "heavy = ('dataclasses', 'inspect', 'json', 'subprocess', 'analyzer.buildtags')\n"
             "print(code, sorted(m for m in heavy if m in sys.modules and m not in before))\n")
    import subprocess

    out = subprocess.run([sys.executable, "-c", probe, str(guesses_home)], check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "0 []"


def _like_candidates(index: GraphIndex, name: str) -> list[str]:
    """The short-name candidates as the `LIKE '%…'` scan of every name found them."""
    if ".(" in name and not name.startswith("("):
        package, _, method = name.partition(".(")
        like = ("(*" if method.startswith("*") else "(") + "%" + package + "." + method.lstrip("*")
    else:
        like = "%" + name
    return [n for (n,) in index.db.execute("SELECT name FROM names WHERE name LIKE ?", (like,))]


def test_the_reversed_names_find_the_short_forms_the_like_scan_found(index):
    """Short names are looked up in the reversed names' key; for every ending of every stored
    symbol, from the bare name to the whole one, the names it is a short form of are those the
    old `LIKE '%…'` scan of all names gave."""
    symbols = [n for (n,) in index.db.execute(
        "SELECT DISTINCT n.name FROM symbols s JOIN names n ON n.id = s.name")]
    short_forms = set()
    for symbol in symbols:
        if symbol.startswith("(") and ".(" not in symbol:  # (*pkg.T).M → pkg.(*T).M and endings
            receiver, _, method = symbol.partition(").")
            pointer = "*" if receiver.startswith("(*") else ""
            package, _, type_ = receiver.lstrip("(*").rpartition(".")
            elements = package.split("/")
            short_forms.update(f"{'/'.join(elements[i:])}.({pointer}{type_}).{method}"
                               for i in range(len(elements)))
        cuts = [i + 1 for i, char in enumerate(symbol) if char in "/.(*"]
        short_forms.update(symbol[cut:] for cut in [0, *cuts] if symbol[cut:])
    assert len(short_forms) > 500
    for name in short_forms:
        found = sorted(n for n in index._candidates(name) if query._ends_like(n, name))
        assert found == sorted(n for n in _like_candidates(index, name)
                               if query._ends_like(n, name)), name
    assert index.resolve("scheduler.(*Scheduler).scheduleOne") == SCHEDULE_ONE


def test_a_programs_members_answer_alike_looked_up_one_by_one_or_loaded(index, monkeypatch):
    """A program's packages and types answer `in` by one look-up each, then, past LOOKUPS
    questions, from the members loaded whole: both say what the stored rows say."""
    stored = {(kind, name) for name, kind in index.db.execute(
        "SELECT n.name, m.kind FROM program_members m JOIN names n ON n.id = m.member "
        "WHERE m.commit_id = ? AND m.program = 'kube-scheduler'", (index.commit.id,))}
    packages = {name for kind, name in stored if kind == "package"}
    types = {name for kind, name in stored if kind == "type"}
    assert "k8s.io/kubernetes/pkg/scheduler" in packages and types
    asked = sorted(packages | types) + ["fmt", "k8s.io/kubernetes/pkg/kubelet", "example.com/x.T"]
    for lookups in (len(asked), 2):  # one by one; loaded after two questions
        monkeypatch.setattr(query.ProgramMembers, "LOOKUPS", lookups)
        view = GraphIndex(index.db, index.commit).view("kube-scheduler")
        for name in asked:
            assert (name in view.packages) == (name in packages), name
            assert (name in view.types) == (name in types), name
        assert set(view.types) == types and len(view.packages) == len(packages)
        assert view == query.ProgramView("kube-scheduler", frozenset(packages), frozenset(types))
        assert hash(view.packages) == hash(frozenset(packages))


# --- careless command lines ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["callers"], ["callees"], ["show"], ["find"], ["path", "app.main"]])
def test_a_pasted_screenful_as_a_name_is_not_found_in_one_short_line(command, guesses_home, capsys):
    """A name longer than any symbol's (here 100,000 characters) is simply not found: one line
    that shows its start and length, never SQLite's "LIKE or GLOB pattern too complex"."""
    code = main([*command, "x" * 100_000, "--home", str(guesses_home)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and len(err) < 300
    assert err.startswith("kubeatlas: ") and "… (100,000 characters)" in err


def test_a_depth_past_the_whole_tree_stops_where_the_tree_does(guesses_home):
    """`--depth 100000000000000000000` expands until no symbol is left, then stops, rather than
    counting through every empty level."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "analyzer.cli", "callees", "app.main",
                           "--depth", str(10**20), "--home", str(guesses_home)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert "app.target" in done.stdout


@pytest.mark.parametrize("argv", [
    ["callers", "app.main", "--depth", "-1"], ["callers", "app.main", "--depth", "abc"],
    ["callees", "app.main", "-f", "bogus"], ["find", "app", "-n", "0"], ["path", "app.main"],
    ["show", "app.main", "--repo", "nosuch"], ["callers", "app.main", "--min-confidence", "abc"],
    ["fnid", "app"], [], ["find", "app", "--home", ""], ["find", "app", "--depth", "3"],
    ["find", ""], ["callers", " "], ["path", "app.main", ""], ["show", "\n"],
    ["callers", "app.main", "--commit", ""], ["callees", "app.main", "--program", ""],
    ["callers", "app.main", "--min-confidence", "2"], ["callers", "app.main", "--min-confidence", "nan"],
    ["path", "app.main", "app.target", "--kinds", ""], ["index", "--goroot", ""],
    ["check", "--manifest", ""], ["callees", "app.main", "--exclude", ""],
])
def test_a_bad_command_line_is_one_line_naming_the_help(argv, capsys):
    """argparse's refusals read like every other error: one line, exit 2, pointing at --help,
    not the whole usage block first."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert err.startswith("kubeatlas") and ": error: " in err and "--help`)" in err


def test_an_option_before_the_command_says_where_options_go(guesses_home, capsys):
    """`kubeatlas --home DIR find X` is a common slip: the error says options follow the command
    rather than calling the folder an invalid command."""
    with pytest.raises(SystemExit) as exit:
        main(["--home", str(guesses_home), "find", "app"])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert err.startswith("kubeatlas: error: --home comes before the command: options follow it")


def test_a_tree_on_an_ascii_stdout_is_escaped_not_a_traceback(guesses_home):
    """With an ASCII stdout (PYTHONIOENCODING=ascii, or a C locale Python does not coerce) the
    tree's box characters are written as escapes: the answer arrives, exit 0, nothing on stderr."""
    import os
    import subprocess

    done = subprocess.run([sys.executable, "-m", "analyzer.cli", "callees", "app.main",
                           "--home", str(guesses_home)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "ascii"}, timeout=60)
    assert done.returncode == 0 and done.stderr == b""
    assert b"\\u2500 [static] example.com/app.sure" in done.stdout


def test_a_name_pasted_with_stray_whitespace_is_found(guesses_home, capsys):
    """A name copied with a trailing newline or a leading space is the same name."""
    assert main(["show", "app.target\n", "--home", str(guesses_home)]) == 0
    assert capsys.readouterr().out.startswith("example.com/app.target\n")
    assert main(["path", " app.main", "app.target ", "--home", str(guesses_home)]) == 0


def test_a_call_target_no_file_defines_says_why_it_is_not_found(tmp_path, capsys):
    """`show fmt.Println` on an index built without the standard library: the calls are there,
    the definition is not; the line says so and how to get it, not "closest: (*logrus.Entry)…"."""
    from conftest import make_git_tree

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "go.mod").write_text("module example.com/app\n\ngo 1.20\n")
    (tmp_path / "src" / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("a"); fmt.Println("b") }\n\n'
        "func Println() {}\n")
    repo = make_git_tree(tmp_path / "src", tmp_path / "repo", symlinks={})
    ws = Workspace(tmp_path / "home")
    index_checkout(ws.index_path, sources.fetch(ws, "kubernetes", source=str(repo), ref="HEAD",
                                                url="https://example.invalid/app"))
    assert main(["show", "fmt.Println", "--home", str(ws.home)]) == 1
    assert capsys.readouterr().err == (
        "kubeatlas: error: no symbol 'fmt.Println': 2 calls name it, but the standard library is "
        "not in this index (`kubeatlas index` again with Go installed, or with --goroot)\n")


@pytest.mark.parametrize("argv", [
    ["find", "a", "--exclude", "stdlib"], ["find", "a", "--kinds", "static"],
    ["show", "app.main", "--program", "all"], ["show", "app.main", "--min-confidence", "0.5"],
])
def test_find_and_show_refuse_the_options_of_a_walk(argv, guesses_home, capsys):
    """find and show follow no edges: `find a --exclude stdlib` listed stdlib symbols all the
    same. A walk's option given to them is refused in one line, not silently ignored."""
    with pytest.raises(SystemExit) as exit:
        main([*argv, "--home", str(guesses_home)])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.count("\n") == 1
    assert err.startswith(f"kubeatlas: error: unrecognized arguments: {argv[2]}")


@pytest.fixture(scope="module")
def two_repos_home(tmp_path_factory) -> tuple[Path, str]:
    """A home indexing etcd (defining StartEtcd) and two commits of kubernetes, the first of
    which defines Old; returns the home and the first commit's SHA."""
    from conftest import _git, make_git_tree

    root = tmp_path_factory.mktemp("two-repos")
    ws = Workspace(root / "home")
    for name, module, text in (("etcd", "go.etcd.io/etcd", "func StartEtcd() {}\n"),
                               ("kubernetes", "k8s.io/kubernetes", "func Old() {}\n")):
        (root / name / "src").mkdir(parents=True)
        (root / name / "src" / "go.mod").write_text(f"module {module}\n\ngo 1.20\n")
        (root / name / "src" / "main.go").write_text(f"package main\n\nfunc main() {{}}\n\n{text}")
        repo = make_git_tree(root / name / "src", root / name / "repo", symlinks={})
        index_checkout(ws.index_path, sources.fetch(ws, name, source=str(repo), ref="HEAD",
                                                    url=f"https://example.invalid/{name}"))
    old = sources.load_checkouts(ws)["kubernetes"].commit
    (repo / "main.go").write_text("package main\n\nfunc main() {}\n")
    _git(repo, "commit", "--quiet", "--all", "-m", "Old is gone")
    index_checkout(ws.index_path, sources.fetch(ws, "kubernetes", source=str(repo), ref="HEAD",
                                                url="https://example.invalid/kubernetes"))
    return ws.home, old


@pytest.mark.parametrize("command", ["show", "callers", "callees"])
def test_a_symbol_only_another_repository_defines_names_its_repo(command, two_repos_home, capsys):
    """`show StartEtcd` without --repo looked in kubernetes and said only "no symbol", as if
    the index did not know it."""
    home, _ = two_repos_home
    assert main([command, "StartEtcd", "--home", str(home)]) == 1
    assert capsys.readouterr().err == (
        "kubeatlas: error: no symbol 'StartEtcd' in kubernetes; etcd defines "
        "go.etcd.io/etcd.StartEtcd: add --repo etcd\n")


def test_a_symbol_only_an_older_commit_defines_names_that_commit(two_repos_home, capsys):
    """A function removed since an earlier indexed commit is found there, with the --commit
    that reaches it."""
    home, old = two_repos_home
    assert main(["show", "Old", "--home", str(home)]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: no symbol 'Old' in kubernetes; kubernetes at {old[:12]} defines "
        f"k8s.io/kubernetes.Old: add --commit {old[:12]}\n")
    assert main(["show", "Old", "--commit", old[:12], "--home", str(home)]) == 0


def test_mermaid_labels_keep_every_character_of_a_name():
    """A package folder named `a"b\\c<d>-->{}#x` (Go's own tool refuses it, kubeatlas indexes
    it): Mermaid reads `<d>` in a label as an HTML tag and drops it, and `#x;` as an entity,
    so those are written as entity codes, as `"` already was."""
    name = 'example.com/app/a"b\\c<d>-->{}#x;.Run'
    edge = graph.Edge("example.com/app.main", name, graph.STATIC, "main.go", 5, 14, 1.0)
    assert render.mermaid([edge], "example.com/app.main").splitlines()[2] == (
        '  n1["a#quot;b\\c#lt;d#gt;--#gt;{}#35;x;.Run"]')


def test_a_pattern_starting_with_a_dash_is_searched_for(guesses_home, capsys):
    """`kubeatlas find -x` reaches the index as the pattern `-x`, not as an unknown option."""
    assert main(["find", "-x", "--home", str(guesses_home)]) == 1
    assert capsys.readouterr().err == "kubeatlas: no symbol contains '-x'\n"


def test_find_json_with_no_match_prints_an_empty_list_and_exits_1(guesses_home, capsys):
    """`find --json` with nothing found exited 0 while the text form exits 1: a script could not
    tell "no match" by the exit code alone."""
    assert main(["find", "zzzqqq", "--json", "--home", str(guesses_home)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == []
    assert err == "kubeatlas: no symbol contains 'zzzqqq'\n"


def test_a_trailing_comma_in_kinds_names_no_extra_kind(guesses_home, capsys):
    """`--kinds static,` (a list built in a shell loop) was refused as "unknown edge kind ''"."""
    home = ["--home", str(guesses_home)]
    assert main(["callees", "app.main", "--kinds", "static", *home]) == 0
    static = capsys.readouterr().out
    assert main(["callees", "app.main", "--kinds", "static,", *home]) == 0
    assert capsys.readouterr().out == static
    with pytest.raises(SystemExit) as exit:
        main(["callees", "app.main", "--kinds", " , ", *home])
    assert exit.value.code == 2
    assert capsys.readouterr().err == (
        "kubeatlas callees: error: argument --kinds: names no edge kind: choose from "
        f"{', '.join(graph.EDGE_KINDS)} (see `kubeatlas callees --help`)\n")


@pytest.mark.parametrize("exclude, near", [
    ("exmaple.com/app*", "; did you mean 'example.com/app*'?"), ("stdlb", "; did you mean 'stdlib'?"),
    ("example.com", "; did you mean 'example.com/*'?"), ("vendor", ""), ("nothing/like/it", ""),
])
def test_an_exclude_that_matches_no_package_says_so(exclude, near, guesses_home, capsys):
    """`--exclude exmaple.com/app*` left nothing out and said nothing: the answer looked as if
    the pattern had been applied. A pattern (or preset) covering no package of the commit is
    one warning line, with the near pattern that does cover some; the answer is unchanged."""
    home = ["--home", str(guesses_home)]
    assert main(["callees", "app.main", *home]) == 0
    plain = capsys.readouterr().out
    assert main(["callees", "app.main", "--exclude", exclude, *home]) == 0
    out, err = capsys.readouterr()
    commit = GraphIndex.open(store.connect(Workspace(guesses_home).index_path), "kubernetes").commit
    assert out == plain
    assert err == (f"kubeatlas: warning: --exclude {exclude!r} matches no package of kubernetes "
                   f"{commit.sha[:12]}{near}\n")


@pytest.mark.parametrize("exclude", ["stdlib", "example.com/*", "exam?le.com/app", "sort"])
def test_an_exclude_that_matches_a_package_says_nothing(exclude, guesses_home, capsys):
    """A pattern covering some package of the commit is quiet, whether or not this answer
    reached that package (main calls nothing in `sort`)."""
    assert main(["callees", "app.main", "--exclude", exclude, "--home", str(guesses_home)]) == 0
    assert "matches no package" not in capsys.readouterr().err


def test_a_mistyped_exclude_is_corrected_by_whole_path_elements(index):
    """The near pattern keeps the user's glob and corrects the literal start up to a whole
    element, rather than cutting a package name at the typed length (`k8s.io/client-g*`)."""
    packages = index.packages()
    assert query.near_pattern("k8s.io/clent-go*", packages) == "k8s.io/client-go*"
    assert query.near_pattern("k8s.io/kubernetes/pkg/schedular/*", packages) == (
        "k8s.io/kubernetes/pkg/scheduler/*")
    assert query.near_pattern("github.com/spf31/cobra", packages) == "github.com/spf13/cobra"


def test_a_mistyped_program_is_answered_with_the_near_one(index):
    """`--program kube-schedulr` listed the programs there are; the near one comes first."""
    with pytest.raises(QueryError) as raised:
        index.view("kube-schedulr")
    assert str(raised.value) == (f"no program 'kube-schedulr' in kubernetes {index.commit.sha[:12]}: "
                                 "did you mean 'kube-scheduler'? (programs: kube-scheduler)")


def test_a_commit_not_indexed_lists_the_ones_that_are(two_repos_home, capsys):
    """`--commit deadbeef` said only "fetch and index it first", leaving the user to guess which
    commits --commit can name."""
    home, old = two_repos_home
    new = GraphIndex.open(store.connect(Workspace(home).index_path), "kubernetes").commit.sha
    assert main(["show", "Old", "--commit", "deadbeef", "--home", str(home)]) == 1
    assert capsys.readouterr().err == (
        "kubeatlas: error: kubernetes at deadbeef is not indexed: fetch and index it first "
        f"(indexed: {old[:12]} HEAD, {new[:12]} HEAD)\n")


def test_a_commit_indexed_with_other_options_is_listed_once(tmp_path, capsys):
    """`--commit nope` listed "(indexed: ccbbdcf7f1d5 HEAD, ccbbdcf7f1d5 HEAD, ccbbdcf7f1d5 HEAD)"
    after the same commit was indexed with and without --tests and the standard library."""
    from conftest import make_git_tree

    (tmp_path / "src").mkdir()
    for name, text in GUESSES.items():
        (tmp_path / "src" / name).write_text(text)
    repo = make_git_tree(tmp_path / "src", tmp_path / "kubernetes", symlinks={})
    ws = Workspace(tmp_path / "home")
    checkout = sources.fetch(ws, "kubernetes", source=str(repo), ref="HEAD",
                             url="https://example.invalid/kubernetes")
    for include_tests, goroot in ((False, None), (True, None), (False, GOROOT)):
        index_checkout(ws.index_path, checkout, include_tests=include_tests, goroot=goroot)
    assert main(["find", "main", "--commit", "nope", "--home", str(ws.home)]) == 1
    assert capsys.readouterr().err == (
        "kubeatlas: error: kubernetes at nope is not indexed: fetch and index it first "
        f"(indexed: {checkout.commit[:12]} HEAD)\n")


def test_kinds_given_twice_follow_both(guesses_home, capsys):
    """`--kinds static --kinds interface` followed interface calls only: the last one given
    silently replaced the first. Like --exclude, each one adds to the others."""
    home = ["--home", str(guesses_home)]
    outputs = []
    for kinds in (["--kinds", "static,interface"], ["--kinds", "static", "--kinds", "interface"],
                  ["--kinds", "interface"]):
        assert main(["callees", "app.main", "-d", "3", *kinds, *home]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] != outputs[2]


@pytest.mark.parametrize("place", ["pkg/scheduler/scheduler.go:60", "pkg/scheduler/scheduler.go:60:9",
                                   "./pkg/scheduler/scheduler.go:58", "/src/kubernetes/pkg/scheduler/scheduler.go:69",
                                   "pkg/scheduler/scheduler.go:60:9: undefined: x",
                                   "pkg/scheduler/scheduler.go:60:\tsched.scheduleOne(ctx)",
                                   "/src/kubernetes/pkg/scheduler/scheduler.go:60 +0x1d"])
def test_a_place_in_a_file_names_the_function_that_holds_it(place, index):
    """`callers pkg/scheduler/scheduler.go:60`, a place as compilers, `grep -n` and stack traces
    print it (with a column, from the current folder, or absolute in a clone), was "no symbol"."""
    assert index.resolve(place) == SCHEDULE_ONE


@pytest.mark.parametrize("place", ["scheduler/scheduler.go:60", "scheduler/scheduler.go:60:9"])
def test_a_place_given_by_the_end_of_its_path_names_the_one_file_it_ends(place, index):
    """`show scheduler/scheduler.go:60` (the path from a folder above the package's) was "has no
    Go file scheduler/scheduler.go"."""
    assert index.resolve(place) == SCHEDULE_ONE


def test_a_place_whose_path_ends_several_files_lists_them(index):
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("types.go:10")
    assert str(raised.value).endswith(
        "2 Go files of kubernetes " f"{index.commit.sha[:12]} end with types.go (pkg/proxy/types.go, "
        "staging/src/k8s.io/api/core/v1/types.go): give more of its path")


def test_a_place_whose_line_is_no_number_says_so(index):
    """`callers scheduler.go:abc` said only "no symbol 'scheduler.go:abc'"."""
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("pkg/scheduler/scheduler.go:abc")
    assert str(raised.value) == ("no symbol 'pkg/scheduler/scheduler.go:abc': a place is FILE.go:LINE, "
                                 "its line a number")


def test_a_place_inside_a_closure_names_the_closure_and_a_file_alone_lists_its_functions(index):
    """The innermost function holds the line; a file without a line is ambiguous, and the error
    lists what it defines; a line no function holds and a file the commit lacks say so."""
    assert index.resolve("pkg/scheduler/scheduler.go:33") == (
        "k8s.io/kubernetes/pkg/scheduler.WithPercentageOfNodesToScore$1")
    with pytest.raises(AmbiguousSymbol) as raised:
        index.resolve("pkg/scheduler/scheduler.go")
    assert SCHEDULE_ONE in raised.value.candidates
    with pytest.raises(SymbolNotFound, match="no function of pkg/scheduler/scheduler.go holds line 1$"):
        index.resolve("pkg/scheduler/scheduler.go:1")
    with pytest.raises(SymbolNotFound, match="has no Go file pkg/nosuch.go$"):
        index.resolve("pkg/nosuch.go:3")


def test_a_package_given_as_a_symbol_says_how_to_list_its_functions(index):
    """`callers k8s.io/kubernetes/pkg/scheduler` offered five functions of it as the closest."""
    with pytest.raises(SymbolNotFound) as raised:
        index.resolve("k8s.io/kubernetes/pkg/scheduler")
    assert str(raised.value) == ("no symbol 'k8s.io/kubernetes/pkg/scheduler': it is a package: "
                                 "`kubeatlas find 'k8s.io/kubernetes/pkg/scheduler.'` lists its functions")


def test_filters_that_leave_out_every_edge_say_so(guesses_home, guesses, capsys):
    """`callees app.main --kinds closure` printed main alone, which reads as "main calls
    nothing". When the filters left out every edge, one warning line names them; a tree that
    is empty without them (nothing calls main) or that keeps some edges is quiet."""
    home = ["--home", str(guesses_home)]
    every = len(guesses.tree("app.main", "callees", 1).edges)
    assert main(["callees", "app.main", "--kinds", "closure", *home]) == 0
    out, err = capsys.readouterr()
    assert out == "example.com/app.main\n"
    assert err == (f"kubeatlas: warning: --kinds left out all {every} call edges from "
                   "example.com/app.main\n")
    for argv in (["callers", "app.main"], ["callees", "app.main", "--kinds", "static"]):
        assert main([*argv, *home]) == 0
        assert capsys.readouterr().err == ""


def test_a_path_the_filters_left_out_says_which_options_did(guesses_home, capsys):
    """`path app.main app.target --kinds closure` said "no call path", as if main never
    reached target; the line names the options that left every path out. Where no path
    exists at all, it says only that."""
    home = ["--home", str(guesses_home)]
    assert main(["path", "app.main", "app.target", "--kinds", "closure", *home]) == 1
    assert capsys.readouterr().err == ("kubeatlas: error: no call path from example.com/app.main "
                                       "to example.com/app.target: --kinds left out every one\n")
    assert main(["path", "app.target", "app.main", "--kinds", "closure", *home]) == 1
    assert capsys.readouterr().err == ("kubeatlas: error: no call path from example.com/app.target "
                                       "to example.com/app.main\n")


def test_no_path_in_json_is_the_empty_list_and_exit_status_one(guesses_home, capsys):
    """`path A B -f json` with no path printed nothing on stdout, which a script's JSON reader
    refuses: it prints `[]`, and the status stays 1 with the error on stderr, as `path --help`
    documents (and as `find --json` answers no match)."""
    home = ["--home", str(guesses_home)]
    capsys.readouterr()
    assert main(["path", "app.target", "app.main", "-f", "json", *home]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == []
    assert err == ("kubeatlas: error: no call path from example.com/app.target "
                   "to example.com/app.main\n")


@pytest.mark.parametrize("command", [["find", "main"], ["callees", "app.main", "-f", "dot"]])
def test_an_answer_stdout_cannot_take_is_stdouts_error_not_the_homes(command, guesses_home, capsys,
                                                                    monkeypatch):
    """`kubeatlas callees … > /dev/full` said "No space left on device: free some space there,
    or give --home (or $KUBEATLAS_HOME) a folder on another disk": the home was never written."""
    import errno

    class Full:
        encoding = "utf-8"

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Full())
    assert main([*command, "--home", str(guesses_home)]) == 1
    assert capsys.readouterr().err == "kubeatlas: error: stdout: No space left on device\n"


def test_a_parent_a_shallow_fetch_does_not_hold_says_to_fetch_full_history(tmp_path, capsys):
    """`--commit HEAD~1` after a fetch over a URL (depth 1) said "kubernetes at HEAD~1 is not
    indexed: fetch and index it first", though a fetch as before would not bring it."""
    from conftest import _git, make_git_tree

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "go.mod").write_text("module k8s.io/kubernetes\n\ngo 1.20\n")
    (tmp_path / "src" / "main.go").write_text("package main\n\nfunc main() {}\n")
    repo = make_git_tree(tmp_path / "src", tmp_path / "repo", symlinks={})
    (repo / "main.go").write_text("package main\n\nfunc main() { main() }\n")
    _git(repo, "commit", "--quiet", "--all", "-m", "second")
    home = tmp_path / "home"
    assert main(["fetch", "kubernetes", "--from", repo.as_uri(), "--ref", "main", "-q",
                 "--home", str(home)]) == 0
    assert main(["index", "-q", "--no-goroot", "--home", str(home)]) == 0
    capsys.readouterr()
    for rev in ("HEAD~1", "main^"):
        assert main(["find", "main", "--commit", rev, "--home", str(home)]) == 1
        assert capsys.readouterr().err == (
            f"kubeatlas: error: --commit {rev} is older than the history "
            f"{home.resolve() / 'repos' / 'kubernetes.git'} holds (fetched shallow): fetch "
            "kubernetes again with --full, then index the commit\n")


def test_commit_head_and_revisions_are_resolved_through_the_fetched_repository(tmp_path, capsys):
    """`--commit HEAD` said "kubernetes at HEAD is not indexed" when the commit was fetched as a
    branch or tag: HEAD is the commit `fetch` recorded (HEAD~1 its parent), and a branch or tag
    means what git says in the fetched repository (a ref a commit was fetched as still names
    that commit). One that names a commit not indexed says
    which commit that is and how to index it."""
    from conftest import _git, make_git_tree

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "go.mod").write_text("module k8s.io/kubernetes\n\ngo 1.20\n")
    (tmp_path / "src" / "main.go").write_text("package main\n\nfunc main() {}\n\nfunc Old() {}\n")
    repo = make_git_tree(tmp_path / "src", tmp_path / "repo", symlinks={})
    home = str(tmp_path / "home")

    def fetch_and_index() -> str:
        assert main(["fetch", "kubernetes", "--from", str(repo), "--ref", "main", "-q",
                     "--home", home]) == 0
        assert main(["index", "-q", "--no-goroot", "--home", home]) == 0
        return capsys.readouterr().out.split("\t")[2]

    old = fetch_and_index()
    (repo / "main.go").write_text("package main\n\nfunc main() {}\n")
    _git(repo, "commit", "--quiet", "--all", "-m", "Old is gone")
    _git(repo, "tag", "v2")
    new = fetch_and_index()
    # `:/text` is the newest commit whose message matches, as git reads it (with `^{commit}`
    # appended, git looked for the text "Old is gone^{commit}" and the query found nothing).
    for rev, defines_old in (("HEAD", False), ("HEAD~1", True), ("main^", True), ("v2", False),
                             (":/Old is gone", False), (":/fixture tree", True)):
        assert main(["show", "--home", home, "--commit", rev, "Old"]) == (0 if defines_old else 1), rev
        assert ("no symbol 'Old'" in capsys.readouterr().err) != defines_old, rev

    (repo / "main.go").write_text("package main\n")
    _git(repo, "commit", "--quiet", "--all", "-m", "main is gone")
    _git(repo, "branch", "next")
    assert main(["find", "--home", home, "--commit", "next", "main"]) == 1
    newest = _git_out(repo, "rev-parse", "HEAD")
    assert capsys.readouterr().err == (
        f"kubeatlas: error: --commit next is {newest[:12]} in {repo / '.git'}, which is not "
        f"indexed: run `kubeatlas fetch kubernetes --ref {newest}` and index it\n")
    assert main(["fetch", "kubernetes", "--from", str(repo), "--ref", "main", "-q",
                 "--home", home]) == 0
    capsys.readouterr()
    assert main(["find", "--home", home, "--commit", "HEAD", "main"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: --commit HEAD is the commit `fetch` recorded, {newest[:12]}, which "
        "is not indexed: run `kubeatlas index kubernetes`\n")
    assert old != new
    assert main(["find", "--home", home, "--commit", "nosuchbranch", "main"]) == 1
    assert "kubernetes at nosuchbranch is not indexed" in capsys.readouterr().err


def _git_out(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


# Names as Go programmers and Go's tools write them: generics, receivers, closures and init
# functions as stack traces print them, and a package named otherwise than its path ends.
SPELLINGS = {
    "go.mod": "module example.com/spell\n\ngo 1.20\n",
    "klog/v2/klog.go": """package klog

type Verbose bool

func (v Verbose) InfoS(msg string) {}

func InfoS(msg string) {}

func Flush() {}

var hook = func() {}
""",
    # A package whose clause names it otherwise than its path ends, as etcd's client/v3 is.
    "client/v3/client.go": "package clientv3\n\ntype Client struct{}\n\nfunc New() *Client { "
                           "return nil }\n\nfunc (c *Client) Close() {}\n",
    # A type named as klog's package is, with a method named as one of its functions.
    "other/other.go": """package other

type klog struct{}

func (*klog) Flush() {}
""",
    "main.go": """package main

import (
	"example.com/spell/klog/v2"
	"github.com/elsewhere/lib"
)

type List[T any] struct{ items []T }

func (l *List[T]) Push(x T) { l.items = append(l.items, x) }

type Map[K comparable, V any] map[K]V

func (m Map[K, V]) Get(k K) V { return m[k] }

func Filter[T any](items []T) []T { return items }

type Item struct{}

func newItem() *Item { return &Item{} }

// build calls through a func value: a parameter, which no static call can stand for.
func build(make func() *Item) *Item { return make() }

func init() {}

func init() {}

func Grüße() {}

// TempK ends in the Kelvin sign (U+212A), which str.casefold makes an ASCII k.
func TempK() {}

type Set[E comparable] map[E]struct{}

// Len names the receiver's type parameter T where the type declares E, as Go allows.
func (s Set[T]) Len() int { return len(s) }

func ping(n int) { pong(n - 1) }

func pong(n int) { ping(n - 1) }

func walk(n int) { walk(n - 1) }

func main() {
	go func() {
		func() { klog.InfoS("x") }()
	}()
	build(newItem)
	klog.Verbose(true).InfoS("y")
	(&List[int]{}).Push(1)
	Map[string, int]{}.Get("a")
	Filter([]int{1})
	Grüße()
	lib.Do()
	Set[int]{}.Len()
	ping(1)
	walk(1)
}
""",
}
SPELL = "example.com/spell"


@pytest.fixture(scope="module")
def spellings(tmp_path_factory) -> GraphIndex:
    from conftest import make_git_tree

    root = tmp_path_factory.mktemp("spellings")
    for name, text in SPELLINGS.items():
        (root / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "src" / name).write_text(text)
    return build_index(root / "home", make_git_tree(root / "src", root / "kubernetes", symlinks={}))


@pytest.mark.parametrize("spelling, symbol", [
    (f"(*{SPELL}.List[T]).Push", f"(*{SPELL}.List).Push"),  # go/ssa's own name of it
    ("spell.List[T].Push", f"(*{SPELL}.List).Push"),
    ("List[int].Push", f"(*{SPELL}.List).Push"),
    ("spell.List.Push", f"(*{SPELL}.List).Push"),  # T.M for a pointer receiver
    ("Map[K, V].Get", f"({SPELL}.Map).Get"),
    ("(*spell.Map[K, V]).Get", f"({SPELL}.Map).Get"),  # a value method through a pointer
    ("spell.Filter[...]", f"{SPELL}.Filter"),  # the runtime's spelling of an instance
    ("spell.main.func1", f"{SPELL}.main$1"),  # as a stack trace prints closures
    ("spell.main.func1.1", f"{SPELL}.main$1$1"),
    ("spell.init.1", f"{SPELL}.init#2"),  # the runtime counts init functions from 0
    ("klog.glob..func1", f"{SPELL}/klog/v2.init$1"),  # a package-level closure
    ("klog.InfoS", f"{SPELL}/klog/v2.InfoS"),  # package klog at .../klog/v2
    ("klog.Verbose.InfoS", f"({SPELL}/klog/v2.Verbose).InfoS"),
    ("(*klog.Verbose).InfoS", f"({SPELL}/klog/v2.Verbose).InfoS"),
    ("spell.Grüße", f"{SPELL}.Grüße"),
    (f"k8s.io/kubernetes/vendor/{SPELL}/klog/v2.InfoS", f"{SPELL}/klog/v2.InfoS"),  # GOPATH's
    (f"(vendor/{SPELL}/klog/v2.Verbose).InfoS", f"({SPELL}/klog/v2.Verbose).InfoS"),
    ("clientv3.New", f"{SPELL}/client/v3.New"),  # package clientv3 at .../client/v3
    ("(*clientv3.Client).Close", f"(*{SPELL}/client/v3.Client).Close"),
    ("clientv3.Client.Close", f"(*{SPELL}/client/v3.Client).Close"),
    # A stack trace's frame line, the arguments printed after the function.
    ("spell.(*List[...]).Push(0xc000010000, {0x1, 0x2})", f"(*{SPELL}.List).Push"),
    ("spell.main.func1(...)", f"{SPELL}.main$1"),
    (f"{SPELL}/klog/v2.InfoS()", f"{SPELL}/klog/v2.InfoS"),
])
def test_a_name_as_go_spells_it_is_the_go_ssa_symbol(spellings, spelling, symbol):
    """Type parameters, `T.M` for any receiver, a stack trace's `func1` and `init.0`, and a
    package's own name (klog for k8s.io/klog/v2, clientv3 for go.etcd.io/etcd/client/v3) were
    'no symbol', where a Go reader types them."""
    assert spellings.resolve(spelling) == symbol


def test_a_name_that_matches_nothing_reads_the_declared_packages_once_per_qualifier(spellings):
    """`clientv3.Client.Nwe` (a typo) is spelled three ways, all qualified by clientv3: the
    package clauses were read once per spelling before any was tried, for a name that matches
    nothing whatever the qualifier is; they are read once per qualifier and commit."""
    looked_up = []
    spellings.db.set_trace_callback(looked_up.append)
    try:
        with pytest.raises(QueryError):
            spellings.resolve("clientv3.Client.Nwe")
    finally:
        spellings.db.set_trace_callback(None)
    # One read per commit looked at (the library's too, see `_look_elsewhere`), none twice.
    clauses_read = [statement for statement in looked_up if "b.package = " in statement]
    assert clauses_read and len(clauses_read) == len(set(clauses_read))


def test_a_package_name_and_a_type_of_that_name_make_a_name_ambiguous(spellings):
    """`klog.Flush` resolved to `(*other.klog).Flush`, a method of a type named klog, because
    the receiver spellings were tried before klog's import path and the first match won: both
    are what the name may mean, so it is ambiguous and both are listed."""
    with pytest.raises(AmbiguousSymbol) as raised:
        spellings.resolve("klog.Flush")
    assert raised.value.candidates == [f"(*{SPELL}/other.klog).Flush", f"{SPELL}/klog/v2.Flush"]


def test_a_qualified_name_not_found_reads_the_package_list_once(spellings, monkeypatch):
    """The packages (a GROUP BY over the commit's files) were read again for each spelling of
    the name; an unqualified name needs them not at all."""
    reads = []
    packages = spellings.packages
    monkeypatch.setattr(spellings, "packages", lambda: reads.append(1) or packages())
    assert spellings._spelled("klog.Verbose.NoSuchMethod") == []
    assert len(reads) == 1
    assert spellings._spelled("NoSuchFunction") == [] and len(reads) == 1


def test_type_parameters_named_ask_for_a_generic_symbol(spellings):
    """`Map[K, V].Get` found expvar's Map.Get in the Kubernetes index, which has no type
    parameters: a symbol whose signature uses none of those named is not the one asked for."""
    assert spellings.resolve("Map.Get") == f"({SPELL}.Map).Get"
    assert spellings.resolve("Map[K, V].Get") == f"({SPELL}.Map).Get"
    with pytest.raises(SymbolNotFound):
        spellings.resolve("Verbose[T].InfoS")  # klog's Verbose is no generic type
    with pytest.raises(SymbolNotFound):
        spellings.resolve("Push[T]")  # a method has no type parameters of its own


def test_a_generic_method_whose_signature_uses_no_type_parameter_is_found(spellings):
    """`Set[T].Len` was 'no symbol': Len's signature, `() int`, names no T, and the index keeps
    no type declarations, so its receiver's type parameters were not seen."""
    assert spellings.resolve("Set[T].Len") == f"({SPELL}.Set).Len"
    assert spellings.resolve("(spell.Set[E]).Len") == f"({SPELL}.Set).Len"


def test_a_path_from_a_function_to_itself_is_its_recursion(spellings):
    """`path A A` was one path of no call (`-f json` printed `[[]]`): it is the shortest way
    the function is called again from itself, or no path when it never is."""
    (cycle,) = spellings.paths("spell.ping", "spell.ping")
    assert [(edge.caller, edge.callee) for edge in cycle] == [
        (f"{SPELL}.ping", f"{SPELL}.pong"), (f"{SPELL}.pong", f"{SPELL}.ping")]
    (itself,) = spellings.paths("spell.walk", "spell.walk")
    assert [(edge.caller, edge.callee) for edge in itself] == [(f"{SPELL}.walk", f"{SPELL}.walk")]
    with pytest.raises(NoPath, match="calls nothing that calls it back"):
        spellings.paths("spell.main", "spell.main")
    # `--through` the start (or TO) is passed once, not a way round again.
    (through,) = spellings.path_through(["spell.ping", "spell.ping", "spell.pong"])
    assert [(edge.caller, edge.callee) for edge in through] == [(f"{SPELL}.ping", f"{SPELL}.pong")]
    assert spellings.path_through(["spell.walk", "spell.walk", "spell.walk"]) == [itself]


def test_find_folds_case_beyond_ascii(spellings):
    """SQLite's LIKE folds ASCII letters only: `find GRÜSSE` (or grüße) found nothing where
    `find grüße` found Grüße."""
    for pattern in ("grüße", "GRÜSSE", "grüsse", "Grüße"):
        assert spellings.find(pattern) == [f"{SPELL}.Grüße"], pattern


def test_find_of_an_ascii_pattern_matches_ascii_letters_alone(spellings):
    """`find ss` listed names holding 'ß' and `find k` the Kelvin sign, as str.casefold folds
    them, and scanned every name beyond ASCII to do so: an ASCII pattern matches as SQLite's
    LIKE does, its letters in either case."""
    assert f"{SPELL}.Grüße" not in spellings.find("sse", limit=1000)
    assert spellings.find("tempk") == []
    assert spellings.find("TEMP\u212a") == [f"{SPELL}.Temp\u212a"]
    assert f"{SPELL}.Grüße" in spellings.find("GRÜ")


def test_a_type_is_not_taken_for_the_function_type_that_returns_it(spellings):
    """`v1.Pod` matched `func() []*k8s.io/api/core/v1.Pod`, the name of a call through a func
    value, and `show` described a function type as if it were the symbol asked for."""
    assert spellings.has(f"func() *{SPELL}.Item")
    with pytest.raises(SymbolNotFound):
        spellings.resolve("spell.Item")


def test_a_function_type_is_shown_as_a_signature_of_no_package(spellings):
    """`show 'func() error'` said 'kind external, package func() error': the callee of calls
    through func values, named by its type, is a signature, and no package holds it."""
    info = spellings.show(f"func() *{SPELL}.Item")
    assert (info.kind, info.package, info.callers) == ("signature", "", 1)
    assert render.symbol_text(info).splitlines()[:3] == [
        f"func() *{SPELL}.Item", "  kind       signature", "  calls      0 edges out, 1 edges in"]


def test_a_mermaid_diagram_mermaid_would_refuse_is_said_to_be_one(guesses_home, monkeypatch,
                                                                  capsys):
    """Mermaid draws at most 500 edges and 50,000 characters unless told otherwise: `callers
    klog.InfoS -d 3 -f mermaid` (1,501 edges) printed a diagram whose page said only 'Too many
    edges'. The diagram is still printed, and a warning says what to do."""
    argv = ["callees", "app.main", "-d", "3", "-f", "mermaid", "--home", str(guesses_home)]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    edges = out.count(" -->|") + out.count(" -.->|")
    assert err == "" and edges > 2
    monkeypatch.setattr(render, "MERMAID_MAX_EDGES", edges - 1)
    monkeypatch.setattr(render, "MERMAID_MAX_TEXT", len(out) - 2)  # out ends in print's newline
    assert main(argv) == 0
    again, err = capsys.readouterr()
    assert again == out
    assert err == (f"kubeatlas: warning: the diagram has {edges} edges, past the {edges - 1} "
                   f"Mermaid draws by default (maxEdges) and {len(out) - 1} characters, past the "
                   f"{len(out) - 2} Mermaid draws by default (maxTextSize): narrow it with "
                   "--depth, --kinds or --exclude, raise those options where it is drawn, or draw "
                   "it with -f dot\n")
    assert main([*argv[:-4], "-f", "dot", *argv[-2:]]) == 0  # Graphviz has no such limit
    assert capsys.readouterr().err == ""


def test_a_tree_says_how_many_unresolved_calls_it_leaves_out(spellings):
    """Calls into code the index does not hold (a module etcd does not vendor) are left out by
    default, and a tree of callees read as all the function calls: etcd's
    gw.local_request_Auth_UserList_0 showed one call of its seven. They are counted and said."""
    tree = spellings.tree("spell.main", "callees", 1)
    assert tree.unresolved == 1 and "github.com/elsewhere/lib.Do" not in {e.callee for e in tree.edges}
    assert render.tree_text(tree).endswith(
        "\n… 1 unresolved call (into code the index does not hold) left out: add unresolved to "
        "--kinds to list them")
    assert json.loads(render.render_tree(tree, "json"))["unresolved_left_out"] == 1
    every = spellings.tree("spell.main", "callees", 1, Filters(kinds=frozenset(graph.EDGE_KINDS)))
    assert every.unresolved == 0 and "github.com/elsewhere/lib.Do" in {e.callee for e in every.edges}


# One function declared once per platform, as kubelet's NewContainerManager is: one symbol.
PLATFORMS = {
    "go.mod": "module k8s.io/kubernetes\n\ngo 1.20\n",
    "cmd/kube-scheduler/scheduler.go": """package main

import "k8s.io/kubernetes/pkg/cm"

func main() { cm.New() }
""",
    "pkg/cm/cm_linux.go": "//go:build linux\n\npackage cm\n\nfunc New() { cgroups() }\n\n"
                          "func cgroups() {}\n",
    "pkg/cm/cm_windows.go": "package cm\n\nfunc New() { jobObjects() }\n\nfunc jobObjects() {}\n",
    "pkg/cm/cm_other.go": "//go:build !linux && !windows\n\npackage cm\n\nfunc New() { nothing() }\n\n"
                          "func nothing() {}\n",
    # Implementations on one platform, and names and lines that say a build twice or in +build.
    "pkg/drv/drv.go": """package drv

type Driver interface{ Start() }

type a struct{}
type b struct{}
type c struct{}

func (a) Start() {}
func (b) Start() {}
func (c) Start() {}

func Run(d Driver) {
	d.Start()
	Linux64()
	Cgo()
	Ignored()
}

func helper() {}
""",
    "pkg/drv/hyperv_windows.go": "package drv\n\ntype hyperv struct{}\n\nfunc (hyperv) Start() {}\n\n"
                                 "func Windows(d Driver) { d.Start() }\n",
    "pkg/drv/x_linux_amd64.go": "//go:build linux && amd64\n\npackage drv\n\nfunc Linux64() { helper() }\n",
    "pkg/drv/x_linux.go": "// +build linux,cgo\n\npackage drv\n\nfunc Cgo() { helper() }\n",
    "pkg/drv/_x.go": "package drv\n\nfunc Ignored() { helper() }\n",
}


@pytest.fixture(scope="module")
def platforms(tmp_path_factory) -> GraphIndex:
    from conftest import make_git_tree

    root = tmp_path_factory.mktemp("platforms")
    for name, text in PLATFORMS.items():
        (root / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "src" / name).write_text(text)
    return build_index(root / "home", make_git_tree(root / "src", root / "kubernetes", symlinks={}))


def test_show_of_a_function_declared_per_platform_counts_each_declarations_own_calls(platforms):
    """show (*Options).addOSFlags (kube-proxy, e5f3f020) said 'defined init_others.go:30-31' (its
    build's, an empty body) and 'calls 4 edges out': init_windows.go's four. The build's
    declaration counts its own calls, and each other one is listed with its constraint and its
    calls."""
    from analyzer.query import Declaration

    info = platforms.show("k8s.io/kubernetes/pkg/cm.New")
    assert (info.path, info.line, info.callees) == ("pkg/cm/cm_linux.go", 5, 1)
    assert info.also_declared == (
        Declaration("pkg/cm/cm_other.go", 5, 5, "!linux && !windows", 1),
        Declaration("pkg/cm/cm_windows.go", 3, 3, "windows", 1))
    assert "  also       pkg/cm/cm_windows.go:3-3  [build: windows]  1 edges out" in (
        render.symbol_text(info).splitlines())
    assert platforms.show("k8s.io/kubernetes/pkg/cm.cgroups").also_declared == ()


def test_a_package_page_lists_each_platforms_declaration_with_its_own_calls(platforms):
    """A package page listed New under cm_linux.go, cm_other.go and cm_windows.go each with the
    calls of all three (cgroups, jobObjects, nothing), under one anchor thrice: each declaration
    now lists its own body's calls under an anchor of its own."""
    from analyzer import codepages

    class NoText:
        def lines(self, path):
            return None

    (page,) = codepages.package_pages(platforms.db, platforms.commit,
                                      {"k8s.io/kubernetes/pkg/cm": ("kube-scheduler",)}, NoText(),
                                      set(), frozenset(), codepages.Budget(excerpts=0))
    news = [(f.path, f.anchor, f.callees) for f in page.functions if f.short.endswith("New")]
    assert news == [
        ("pkg/cm/cm_linux.go", "New", ("k8s.io/kubernetes/pkg/cm.cgroups",)),
        ("pkg/cm/cm_other.go", "New-cm_other.go", ("k8s.io/kubernetes/pkg/cm.nothing",)),
        ("pkg/cm/cm_windows.go", "New-cm_windows.go", ("k8s.io/kubernetes/pkg/cm.jobObjects",))]


def test_the_plain_anchor_of_a_function_declared_per_platform_is_on_the_builds_declaration(platforms):
    """The plain anchor `#New`, the one links name, went to whichever declaration sorted first
    (cm_darwin.go before cm_linux.go): it is on the declaration the build compiles."""
    from analyzer import codepages

    class NoText:
        def lines(self, path):
            return None

    def anchors(in_build):
        (page,) = codepages.package_pages(
            platforms.db, platforms.commit, {"k8s.io/kubernetes/pkg/cm": ("kube-scheduler",)},
            NoText(), set(), frozenset(), codepages.Budget(excerpts=0), in_build)
        return {f.path: f.anchor for f in page.functions if f.short.endswith("New")}

    assert anchors(lambda path: not path.endswith("_linux.go")) == {
        "pkg/cm/cm_linux.go": "New-cm_linux.go", "pkg/cm/cm_other.go": "New",
        "pkg/cm/cm_windows.go": "New-cm_windows.go"}
    assert anchors(platforms.in_build)["pkg/cm/cm_linux.go"] == "New"


def test_a_page_gives_at_most_its_budget_of_excerpts_to_a_function_declared_per_platform(platforms):
    """Excerpts were chosen by name, so the three declarations of a key function New took three
    excerpts where the budget allowed one: each declaration counts as one."""
    from analyzer import codepages

    class Text(codepages.SourceText):
        def __init__(self):
            self.commit = platforms.commit

        def lines(self, path):
            return PLATFORMS[path].splitlines()

    (page,) = codepages.package_pages(platforms.db, platforms.commit,
                                      {"k8s.io/kubernetes/pkg/cm": ("kube-scheduler",)}, Text(),
                                      {"k8s.io/kubernetes/pkg/cm.New"}, frozenset(),
                                      codepages.Budget(excerpts=1))
    (part,) = page.parts
    assert [(f.path, f.short) for f in part.functions if f.excerpt] == [("pkg/cm/cm_linux.go", "cm.New")]


def test_links_to_a_function_declared_per_platform_go_to_the_part_that_has_its_anchor(platforms):
    """With one function a page, New's three declarations are on three parts of pkg/cm's page;
    links went to the last part showing the name, `…-3.md#New`, where the anchor is
    `New-cm_windows.go`: they go to the part with the build's declaration and its plain anchor."""
    from analyzer import codepages, releases, site
    from analyzer.progress import Progress
    from analyzer.manifest import Component, SymbolRef

    scheduler = Component("kube-scheduler", "", "kubernetes", "", "", (),
                          SymbolRef("k8s.io/kubernetes/cmd/kube-scheduler.main"), (), ())
    code = site._Code(platforms.db, [scheduler], releases.Stores([]),
                      codepages.Budget(functions=1, excerpts=0))
    pages = code.package_pages(Progress(quiet=True))
    (cm,) = [page for page in pages if page.import_path == "k8s.io/kubernetes/pkg/cm"]
    page, _, mark = code.page("k8s.io/kubernetes/pkg/cm.New").partition("#")
    (part,) = [part for part in cm.parts if part.page == page]
    assert [(f.path, f.anchor) for f in part.functions if f.anchor == mark] == [
        ("pkg/cm/cm_linux.go", "New")]


def test_a_program_follows_the_calls_of_the_files_its_build_compiles(platforms):
    """`callees cm.NewContainerManager` (kubelet's program, built for linux/amd64) listed the
    calls of container_manager_windows.go and _unsupported.go beside those of _linux.go, and
    kubelet.main's tree ran through osflags_windows.go and the race detector's hooks: a program's
    view follows only the call sites its build compiles; --program all still shows every one."""
    new = "k8s.io/kubernetes/pkg/cm.New"
    linux = platforms.tree(new, "callees", 1, Filters(program="kube-scheduler"))
    assert [edge.callee for edge in linux.edges] == ["k8s.io/kubernetes/pkg/cm.cgroups"]
    every = platforms.tree(new, "callees", 1)
    assert sorted(edge.callee.rsplit(".", 1)[1] for edge in every.edges) == [
        "cgroups", "jobObjects", "nothing"]
    (path,) = platforms.paths("kube-scheduler.main", "cm.cgroups", Filters(program="kube-scheduler"))
    assert len(path) == 2
    with pytest.raises(NoPath):
        platforms.paths("kube-scheduler.main", "cm.jobObjects", Filters(program="kube-scheduler"))


@pytest.fixture(scope="module")
def etcdish_home(tmp_path_factory) -> Path:
    """A home indexing the etcd-like fixture tree, whose component has several entrypoints."""
    from conftest import TREES, make_git_tree

    root = tmp_path_factory.mktemp("etcdish")
    ws = Workspace(root / "home")
    repo = make_git_tree(TREES / "etcdish", root / "etcd")
    index_checkout(ws.index_path, sources.fetch(ws, "etcd", source=str(repo), ref="HEAD",
                                                url="https://github.com/etcd-io/etcd"), goroot=GOROOT)
    return root / "home"


def test_a_components_json_counts_what_every_entrypoints_tree_left_out(etcdish_home, capsys):
    """`component etcd -f json` named the first entrypoint alone as its root and said 0 edges
    left out where the text listed 287 less likely implementations and 635 unresolved calls
    (etcd v3.5.1, -d 3): the counts were dropped when the trees were joined."""
    assert main(["component", "etcd", "-d", "3", "-f", "json", "--home", str(etcdish_home)]) == 0
    answer = json.loads(capsys.readouterr().out)
    index = GraphIndex.open(store.connect(Workspace(etcdish_home).index_path), "etcd")
    filters = Filters(exclude=("stdlib", "logging"), program="etcd" if "etcd" in index.programs() else None)
    trees = [index.tree(root, "callees", 3, filters) for root in answer["roots"]]
    assert len(trees) > 1 and answer["root"] == answer["roots"][0]
    assert answer["unresolved_left_out"] == sum(tree.unresolved for tree in trees)
    assert answer["left_out"] == sum(tree.left_out for tree in trees)


def test_a_tree_of_every_platform_marks_the_build_constraint_of_each_call(platforms):
    """With no program's view (`--program all`, or a package no command links) `callees cm.New`
    listed the calls of cm_linux.go, cm_windows.go and cm_other.go alike, as if New made all
    three: each line now says the constraint of its file, and the tree counts the calls the
    commit's build does not compile and says how to follow one build's."""
    tree = platforms.tree("k8s.io/kubernetes/pkg/cm.New", "callees", 1)
    platforms.mark_builds(tree)
    marks = {edge.callee.rsplit(".", 1)[1]: tree.constraints.get(edge.path) for edge in tree.edges}
    assert marks == {"cgroups": "linux", "jobObjects": "windows", "nothing": "!linux && !windows"}
    text = render.tree_text(tree)
    assert "cm_windows.go:3  [build: windows]" in text
    assert "cm_other.go:5  [build: !linux && !windows]" in text
    assert text.endswith("… 2 edges above are not in linux/amd64's build (a call from, or an "
                         "implementation declared in, a file marked [build: …]): --program NAME "
                         "follows the files of one command's build")
    answer = json.loads(render.render_tree(tree, "json"))
    assert answer["not_built"] == 2 and answer["build_constraints"]["pkg/cm/cm_linux.go"] == "linux"
    one = platforms.tree("k8s.io/kubernetes/pkg/cm.New", "callees", 1, Filters(program="kube-scheduler"))
    assert "[build:" not in render.tree_text(one) and one.not_built == 0


def test_build_marks_say_each_constraint_once_and_count_edges_the_build_does_not_make(platforms):
    """`x_linux_amd64.go` with `//go:build linux && amd64` read [build: linux && amd64 &&
    (linux && amd64)], a `+build linux,cgo` line was shown in its old syntax, `_x.go` was
    counted but not marked, and an implementation declared only in hyperv_windows.go was
    neither: the marks now say each requirement once in //go:build syntax, and the count says
    it counts edges (an interface call in a windows file with its 4 implementations is 5)."""
    run = platforms.tree("k8s.io/kubernetes/pkg/drv.Run", "callees", 2)
    platforms.mark_builds(run)
    text = render.tree_text(run)
    assert "x_linux_amd64.go:5  [build: linux && amd64]" in text
    assert "x_linux.go:5  [build: linux && cgo]" in text
    assert "_x.go:3  [build: ignored]" in text
    assert "drv.hyperv).Start  pkg/drv/drv.go:14  [build: windows, declared in hyperv_windows.go]" in text
    # Not built: the implementation in hyperv_windows.go, Cgo's call and Ignored's.
    assert run.not_built == 3
    assert text.endswith("… 3 edges above are not in linux/amd64's build (a call from, or an "
                         "implementation declared in, a file marked [build: …]): --program NAME "
                         "follows the files of one command's build")
    answer = json.loads(render.render_tree(run, "json"))
    assert answer["build"] == "linux/amd64" and answer["not_built"] == 3
    assert answer["declared_in"] == {
        "(k8s.io/kubernetes/pkg/drv.hyperv).Start": "pkg/drv/hyperv_windows.go"}
    windows = platforms.tree("k8s.io/kubernetes/pkg/drv.Windows", "callees", 1)
    platforms.mark_builds(windows)
    assert len(windows.edges) == windows.not_built == 5


# kubernetes vendoring a package of etcd's that etcd's own index also holds.
VENDORED = {
    "kubernetes": {
        "go.mod": "module k8s.io/kubernetes\n\ngo 1.20\n\nrequire go.etcd.io/etcd/client/v3 v3.5.1\n",
        "vendor/modules.txt": "# go.etcd.io/etcd/client/v3 v3.5.1\n## explicit; go 1.17\n"
                              "go.etcd.io/etcd/client/v3\n",
        "vendor/go.etcd.io/etcd/client/v3/client.go": "package clientv3\n\nfunc New() {}\n",
        "cmd/app/main.go": "package main\n\nimport clientv3 \"go.etcd.io/etcd/client/v3\"\n\n"
                           "func main() { clientv3.New() }\n",
    },
    "etcd": {
        "go.mod": "module go.etcd.io/etcd/client/v3\n\ngo 1.20\n",
        "client.go": "package clientv3\n\nfunc New() { dial() }\n\nfunc dial() {}\n",
    },
}


def _indexed_home(tmp_path, repositories: dict[str, dict[str, str]]) -> Workspace:
    """A home with each repository (name → its files' texts) fetched from a git tree and indexed."""
    from conftest import make_git_tree

    ws = Workspace(tmp_path / "home")
    for repo, files in repositories.items():
        for name, text in files.items():
            (tmp_path / repo / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / repo / name).write_text(text)
        tree = make_git_tree(tmp_path / repo, tmp_path / f"{repo}.git", symlinks={})
        index_checkout(ws.index_path, sources.fetch(ws, repo, source=str(tree), ref="HEAD"),
                       goroot=GOROOT)
    return ws


def test_a_name_answered_from_a_vendored_copy_notes_the_repository_that_owns_it(tmp_path, capsys):
    """With kubernetes and etcd indexed, `show go.etcd.io/etcd/client/v3.New` answered from
    kubernetes' vendored copy unsaid, which may be another version than etcd's own: a note on
    stderr names the copy and `--repo etcd`; given --repo, or a name kubernetes defines, none."""
    ws = _indexed_home(tmp_path, VENDORED)
    capsys.readouterr()  # fetch's warnings of no remote
    home = ["--home", str(ws.home)]
    name = "go.etcd.io/etcd/client/v3.New"
    assert main(["show", name, *home]) == 0
    err = capsys.readouterr().err
    assert err == (f"kubeatlas: note: {name} is answered from the copy kubernetes vendors "
                   "(vendor/go.etcd.io/etcd/client/v3/client.go); etcd's own is indexed too: add "
                   "--repo etcd for it\n")
    assert main(["callees", name, *home]) == 0
    assert capsys.readouterr().err == err
    for argv in (["show", name, "--repo", "etcd"], ["show", name, "--repo", "kubernetes"],
                 ["callees", "k8s.io/kubernetes/cmd/app.main"]):
        assert main([*argv, *home]) == 0
        assert capsys.readouterr().err == ""


def test_a_vendored_copy_is_not_noted_when_the_other_repository_vendors_it_too(tmp_path, capsys):
    """The note says "{repo}'s own": where the other indexed repository holds the package only
    in its vendor/ folder, its copy is not its own either, and nothing is noted."""
    vendoring = {**VENDORED, "etcd": {
        "go.mod": "module go.etcd.io/etcd/server/v3\n\ngo 1.20\n\n"
                  "require go.etcd.io/etcd/client/v3 v3.5.1\n",
        "vendor/modules.txt": VENDORED["kubernetes"]["vendor/modules.txt"],
        "vendor/go.etcd.io/etcd/client/v3/client.go": "package clientv3\n\nfunc New() {}\n"}}
    ws = _indexed_home(tmp_path, vendoring)
    capsys.readouterr()
    assert main(["show", "go.etcd.io/etcd/client/v3.New", "--home", str(ws.home)]) == 0
    assert capsys.readouterr().err == ""
