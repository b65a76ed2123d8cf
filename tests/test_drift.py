"""The drift check on the fixture trees: two versions of the kube tree, in which code moved, was
renamed and was deleted, and one of the etcd tree, checked against a small manifest."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import drift, sources, store
from analyzer.indexer import index_checkout
from analyzer.manifest import parse_manifest
from analyzer.workspace import Workspace
from conftest import TREES, _git, make_git_tree

MANIFEST = '''
[[component]]
name = "kube-scheduler"
zh = "调度器"
repo = "kubernetes"
logic = "Picks a node for every pod that has none."
logic_zh = "为每个还没有节点的 Pod 选一个节点。"
entrypoints = ["k8s.io/kubernetes/cmd/kube-scheduler.main", "k8s.io/kubernetes/cmd/kube-nothing.main"]
main_loop = "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"
key_files = [
    "cmd/kube-scheduler/scheduler.go",
    "pkg/scheduler/",
    "pkg/scheduler/queue.go",
    { path = "pkg/proxy/types.go", alternatives = ["pkg/proxy/interface.go"] },
    "pkg/proxy/winkernel/proxier_windows.go",
    "pkg/elsewhere/scheduler.go",
]

[[component.capabilities]]
name = "node selection"
zh = "节点选择"
claim = "Feasible nodes are scored and the best one wins."
claim_zh = "可行的节点被打分，得分最高者胜出。"
evidence = [
    "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).findNodesThatFitPod",
    { symbol = "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).prioritizeNodes", alternatives = ["(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scoreNodes"] },
    "k8s.io/kubernetes/pkg/scheduler.selectHost",
    "(*k8s.io/kubernetes/pkg/scheduler.podQueue).Pop",
]

[[component.capabilities]]
name = "windows rules"
zh = "Windows 规则"
claim = "On Windows the proxier syncs load-balancer policies."
claim_zh = "在 Windows 上代理器同步负载均衡策略。"
evidence = ["(*k8s.io/kubernetes/pkg/proxy/winkernel.Proxier).SyncLoop"]

[[component]]
name = "etcd"
zh = "分布式键值存储"
repo = "etcd"
logic = "Stores every object."
logic_zh = "保存每个对象。"
entrypoints = ["go.etcd.io/etcd/v3.main"]
main_loop = "(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).run"
key_files = ["server/etcdserver/server.go"]

[[component.capabilities]]
name = "storage"
zh = "存储"
claim = "Applied requests land in the backend."
claim_zh = "已应用的请求写入后端。"
evidence = [
    "(*go.etcd.io/etcd/server/v3/etcdserver.applierV3backend).Put",
    "(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).watch",
]
'''


def _index(repo: Path, home: Path, name: str, **options) -> str:
    ws = Workspace(home)
    checkout = sources.fetch(ws, name, source=str(repo), ref="HEAD")
    index_checkout(ws.index_path, checkout, jobs=1, **options)
    return checkout.commit


def _second_version(repo: Path) -> None:
    """The kube tree after a refactoring: a file and its type moved into a subpackage, a file
    renamed, a method renamed, a function moved to a subpackage, the Windows proxier deleted."""
    scheduler = repo / "pkg" / "scheduler"
    (scheduler / "internal" / "queue").mkdir(parents=True)
    _git(repo, "mv", "pkg/scheduler/queue.go", "pkg/scheduler/internal/queue/queue.go")
    moved = scheduler / "internal" / "queue" / "queue.go"
    moved.write_text(moved.read_text().replace("package scheduler", "package queue", 1))
    _git(repo, "mv", "pkg/proxy/types.go", "pkg/proxy/interface.go")
    schedule_one = scheduler / "schedule_one.go"
    text = schedule_one.read_text().replace("prioritizeNodes", "scoreNodes")
    head, _, select_host = text.partition("func selectHost(")
    helper, _, tail = select_host.partition("\n}\n")
    schedule_one.write_text(head + tail)
    (scheduler / "core").mkdir()
    (scheduler / "core" / "select.go").write_text(
        'package core\n\nimport "fmt"\n\nfunc selectHost(' + helper + "\n}\n")
    _git(repo, "rm", "--quiet", "pkg/proxy/winkernel/proxier_windows.go")
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--no-verify", "-m", "refactor")


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> tuple[Path, str, str, str]:
    """An index holding kube v1 and v2 and the etcd tree: (path, v1 SHA, v2 SHA, etcd SHA)."""
    root = tmp_path_factory.mktemp("drift")
    kube = make_git_tree(TREES / "kube", root / "kubernetes")
    etcd = make_git_tree(TREES / "etcdish", root / "etcd")
    home = root / "home"
    first = _index(kube, home, "kubernetes")
    _second_version(kube)
    second = _index(kube, home, "kubernetes")
    etcd_sha = _index(etcd, home, "etcd")
    return home / "index.sqlite", first, second, etcd_sha


@pytest.fixture
def rows(index) -> list[drift.DriftRow]:
    db = store.connect(index[0])
    return drift.check(db, parse_manifest(MANIFEST))


def _by_item(rows, sha: str) -> dict[str, drift.DriftRow]:
    return {row.item: row for row in rows if row.sha == sha}


V1_V2_STATUS = [
    # item, in v1, in v2
    ("k8s.io/kubernetes/cmd/kube-scheduler.main", "found", "found"),
    ("k8s.io/kubernetes/cmd/kube-nothing.main", "missing", "missing"),
    ("cmd/kube-scheduler/scheduler.go", "found", "found"),
    ("pkg/scheduler/", "found", "found"),
    ("pkg/scheduler/queue.go", "found", "moved"),  # same file name, in a subdirectory
    ("pkg/proxy/types.go", "found", "moved"),  # renamed: found as its listed alternative
    ("pkg/proxy/winkernel/proxier_windows.go", "found", "missing"),  # deleted
    ("pkg/elsewhere/scheduler.go", "missing", "missing"),  # namesakes in unrelated directories
    ("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne", "found", "found"),
    ("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).findNodesThatFitPod", "found", "found"),
    ("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).prioritizeNodes", "found", "moved"),
    ("k8s.io/kubernetes/pkg/scheduler.selectHost", "found", "moved"),  # to a subpackage
    ("(*k8s.io/kubernetes/pkg/scheduler.podQueue).Pop", "found", "moved"),  # with its file
    # Deleted; iptables' Proxier.SyncLoop is a namesake in an unrelated package, not a move.
    ("(*k8s.io/kubernetes/pkg/proxy/winkernel.Proxier).SyncLoop", "found", "missing"),
]


@pytest.mark.parametrize("item, first, second", V1_V2_STATUS,
                         ids=[case[0] for case in V1_V2_STATUS])
def test_each_item_is_found_moved_or_missing_in_each_commit(rows, index, item, first, second):
    _, v1, v2, _ = index
    assert _by_item(rows, v1)[item].status == first
    assert _by_item(rows, v2)[item].status == second


def test_moved_items_say_where_they_went(rows, index):
    v2 = _by_item(rows, index[2])
    assert v2["pkg/scheduler/queue.go"].where == "pkg/scheduler/internal/queue/queue.go"
    assert v2["pkg/proxy/types.go"].where == "pkg/proxy/interface.go"
    assert v2["(*k8s.io/kubernetes/pkg/scheduler.Scheduler).prioritizeNodes"].where.startswith(
        "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scoreNodes (pkg/scheduler/schedule_one.go:")
    assert v2["k8s.io/kubernetes/pkg/scheduler.selectHost"].where == (
        "k8s.io/kubernetes/pkg/scheduler/core.selectHost (pkg/scheduler/core/select.go:5)")
    assert v2["(*k8s.io/kubernetes/pkg/scheduler.podQueue).Pop"].where.startswith(
        "(*k8s.io/kubernetes/pkg/scheduler/internal/queue.podQueue).Pop "
        "(pkg/scheduler/internal/queue/queue.go:")


def test_found_items_say_where_they_are(rows, index):
    v1 = _by_item(rows, index[1])
    assert v1["(*k8s.io/kubernetes/pkg/scheduler.Scheduler).findNodesThatFitPod"].where == (
        "pkg/scheduler/schedule_one.go:28")
    assert v1["cmd/kube-scheduler/scheduler.go"].where == "cmd/kube-scheduler/scheduler.go"
    assert v1["pkg/scheduler/"].where.startswith("pkg/scheduler/ (")
    assert v1["k8s.io/kubernetes/cmd/kube-nothing.main"].where == ""


def test_rows_carry_kind_role_and_repo(rows, index):
    v1 = _by_item(rows, index[1])
    assert v1["k8s.io/kubernetes/cmd/kube-scheduler.main"].kind == drift.ENTRYPOINT
    assert v1["pkg/proxy/types.go"].kind == drift.FILE
    main_loop = v1["(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"]
    assert (main_loop.kind, main_loop.role) == (drift.SYMBOL, drift.MAIN_LOOP)
    assert v1["k8s.io/kubernetes/pkg/scheduler.selectHost"].role == "node selection"
    assert {row.repo for row in rows if row.component == "kube-scheduler"} == {"kubernetes"}


def test_a_component_is_checked_only_against_its_own_repository(rows, index):
    _, v1, v2, etcd_sha = index
    assert {row.sha for row in rows if row.component == "kube-scheduler"} == {v1, v2}
    etcd = _by_item([row for row in rows if row.component == "etcd"], etcd_sha)
    assert {row.sha for row in rows if row.component == "etcd"} == {etcd_sha}
    assert {item: row.status for item, row in etcd.items()} == {
        "go.etcd.io/etcd/v3.main": "found",
        "server/etcdserver/server.go": "found",
        "(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).run": "found",
        "(*go.etcd.io/etcd/server/v3/etcdserver.applierV3backend).Put": "found",
        "(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).watch": "missing",
    }


def test_rows_come_in_manifest_order_one_per_commit(rows, index):
    _, v1, v2, _ = index
    kube = [row for row in rows if row.component == "kube-scheduler"]
    assert [row.sha for row in kube[:2]] == [v1, v2]  # commits in the order they were indexed
    assert [row.item for row in kube[::2]][:3] == [
        "k8s.io/kubernetes/cmd/kube-scheduler.main", "k8s.io/kubernetes/cmd/kube-nothing.main",
        "cmd/kube-scheduler/scheduler.go"]
    assert len(kube) == 2 * (2 + 6 + 1 + 4 + 1)


def test_has_missing_tells_whether_anything_resolves_nowhere(rows):
    assert drift.has_missing(rows)
    assert not drift.has_missing([row for row in rows if row.status != drift.MISSING])
    assert not drift.has_missing([])


def test_the_text_table_has_a_column_per_commit_and_notes_for_moves(rows, index):
    _, v1, v2, etcd_sha = index
    text = drift.render(rows)
    blocks = text.split("\n\n")
    scheduler, etcd, summary = blocks
    header, *lines = scheduler.splitlines()
    assert header.startswith("kube-scheduler [kubernetes]")
    assert header.split()[-4:] == ["HEAD", f"({v1[:8]})", "HEAD", f"({v2[:8]})"]
    line = next(line for line in lines if "pkg/proxy/types.go" in line)
    assert line.split()[:2] == ["file", "pkg/proxy/types.go"]
    assert line.split()[2:] == ["found", "moved", "[2]"]
    line = next(line for line in lines if "winkernel.Proxier).SyncLoop" in line)
    assert line.split()[:3] == ["symbol:", "windows", "rules"]
    assert line.split()[-2:] == ["found", "MISSING"]
    note = f"  [2] HEAD ({v2[:8]}): pkg/proxy/types.go\n      → pkg/proxy/interface.go"
    assert note in scheduler
    assert etcd.splitlines()[0].split()[-2:] == ["HEAD", f"({etcd_sha[:8]})"]
    counts = {status: sum(row.status == status for row in rows)
              for status in ("found", "moved", "missing")}
    assert summary == (f"{len(rows)} checks: {counts['found']} found, {counts['moved']} moved, "
                       f"{counts['missing']} missing")


def test_json_lists_every_row(rows):
    decoded = json.loads(drift.as_json(rows))
    assert len(decoded) == len(rows)
    assert decoded[0] == {
        "component": "kube-scheduler", "kind": "entrypoint",
        "item": "k8s.io/kubernetes/cmd/kube-scheduler.main", "ref": "HEAD", "sha": rows[0].sha,
        "status": "found", "where": rows[0].where, "role": "", "repo": "kubernetes"}


def test_each_commit_is_read_once(index):
    db = sqlite3.connect(f"file:{index[0]}?mode=ro", uri=True)
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    manifest = parse_manifest(MANIFEST)
    drift.check(db, manifest + manifest)  # the same components twice: no second load
    assert sum("FROM symbols" in s for s in statements) == 3  # kube v1, kube v2, etcd
    assert sum("FROM files" in s for s in statements) == 3


def test_a_commit_indexed_twice_is_checked_once(kube_repo, tmp_path):
    home = tmp_path / "home"
    sha = _index(kube_repo, home, "kubernetes")
    _index(kube_repo, home, "kubernetes", include_tests=True)  # a second complete index
    db = store.connect(home / "index.sqlite")
    assert db.execute("SELECT count(*) FROM commits WHERE complete = 1").fetchone()[0] == 2
    (commit,) = drift.analysed_commits(db)["kubernetes"]
    assert commit.sha == sha
    manifest = parse_manifest(MANIFEST)
    assert drift.not_indexed(db, manifest) == ["etcd"]
    rows = drift.check(db, manifest)
    assert {row.component for row in rows} == {"kube-scheduler"}
    assert len({row.item for row in rows}) == len(rows)


def test_an_index_without_the_repositories_renders_a_sentence():
    assert drift.render([]) == "nothing to check: no component's repository is indexed"


def test_check_read_by_a_reader_that_leaves_still_fails_on_a_missing_item(index, tmp_path):
    """`kubeatlas check | head` exited 0 while `check` found items missing: the pipe closing was
    taken for the end of the command. The verdict is reached before a row is printed, and is the
    status whoever reads the rows."""
    manifest = tmp_path / "components.toml"
    manifest.write_text(MANIFEST)
    run = [sys.executable, "-m", "analyzer.cli", "check", "--manifest", str(manifest), "--home",
           str(index[0].parent)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    checker = subprocess.Popen(run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    checker.stdout.close()  # gone before the first row is written
    assert checker.wait(timeout=120) == 1
    assert checker.stderr.read() == b""
