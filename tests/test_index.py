"""`kubeatlas index` on the fixture trees: what it stores, what it reuses, what it survives."""
from __future__ import annotations

import gc
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer import indexer, sources, store
from analyzer.cli import main
from analyzer.indexer import index_checkout
from analyzer.workspace import Workspace, index_writer_lock
from conftest import TREES, _git


def fetch_and_index(repo: Path, home: Path, name: str = "kubernetes", **options):
    ws = Workspace(home)
    checkout = sources.fetch(ws, name, source=str(repo), ref="HEAD")
    return index_checkout(ws.index_path, checkout, jobs=options.pop("jobs", 2), **options)


def test_summary_counts_the_kube_tree(kube_repo, tmp_path):
    summary = fetch_and_index(kube_repo, tmp_path / "home")
    assert summary.go_files > 20
    assert summary.parsed_now == summary.go_files  # nothing was in the index before
    assert summary.funcs > 50 and summary.calls > 100
    assert [path for path, _ in summary.syntax_errors] == ["pkg/broken/broken.go"]
    assert summary.not_utf8 == ["pkg/latin1/latin1.go"]
    assert summary.symlinks == 2  # vendor/k8s.io/{api,client-go} → staging, not followed
    assert summary.missing == []


def parser_failing(monkeypatch, error: BaseException,
                   on=lambda source: b"func (sched *Scheduler) scheduleOne(" in source):
    """Make the indexer's parser raise `error` on the files `on` picks (by default the fixture's
    scheduler.go), the others parsed as ever; returns the parser as it was."""
    parse_rows = indexer.parse_rows

    def failing(source: bytes):
        if on(source):
            raise error
        return parse_rows(source)

    monkeypatch.setattr(indexer, "parse_rows", failing)
    return parse_rows


def test_a_file_the_parser_fails_on_is_named_and_the_others_keep_their_facts(
        kube_repo, tmp_path, monkeypatch):
    """A parser bug on one file does not stop the index: the file is named with the exception,
    in one line, apart from the user's syntax errors, and every other file keeps its facts."""
    parser_failing(monkeypatch, IndexError("list index out of range"))
    summary = fetch_and_index(kube_repo, tmp_path / "home")
    assert summary.parser_failed == [
        ("pkg/scheduler/scheduler.go", "IndexError: list index out of range")]
    assert "pkg/scheduler/scheduler.go" not in dict(summary.syntax_errors)
    rendered = summary.render().splitlines()
    assert "  parser failed on 1 files:" in rendered
    assert "    pkg/scheduler/scheduler.go: IndexError: list index out of range" in rendered
    assert summary.parsed_now == summary.go_files - 1
    assert summary.funcs > 50 and summary.calls > 100


def test_a_file_the_parser_failed_on_is_parsed_again_next_run(kube_repo, tmp_path, monkeypatch):
    """A parser failure is not stored as the file's facts: the next index of the same commit
    parses the file again, and with a parser that reads it, it has its facts."""
    parse_rows = parser_failing(monkeypatch, RecursionError("maximum recursion depth exceeded"))
    first = fetch_and_index(kube_repo, tmp_path / "home")
    monkeypatch.setattr(indexer, "parse_rows", parse_rows)
    second = fetch_and_index(kube_repo, tmp_path / "home")
    assert not second.already_indexed
    assert (second.parsed_now, second.parser_failed) == (1, [])
    assert second.funcs > first.funcs


def test_a_standard_library_file_the_parser_fails_on_leaves_the_rest_resolved(
        kube_repo, tmp_path, monkeypatch):
    """The standard library is still resolved against when the parser fails on one of its
    files: the others keep their facts."""
    parser_failing(monkeypatch, IndexError("list index out of range"),
                   on=lambda source: source.startswith(b"package fmt") or b"\npackage fmt" in source)
    summary = fetch_and_index(kube_repo, tmp_path / "home",
                              goroot=Path(__file__).parent / "fixtures" / "goroot")
    assert summary.library == "go1.20-fixture"


def test_running_out_of_memory_while_parsing_stops_the_index(kube_repo, tmp_path, monkeypatch):
    """MemoryError is no parser bug to note and go on from: it stops the index."""
    parser_failing(monkeypatch, MemoryError())
    with pytest.raises(MemoryError):
        fetch_and_index(kube_repo, tmp_path / "home")


def test_test_files_are_parsed_only_when_asked(kube_repo, tmp_path):
    without = fetch_and_index(kube_repo, tmp_path / "a")
    with_tests = fetch_and_index(kube_repo, tmp_path / "b", include_tests=True)
    assert with_tests.go_files == without.go_files + 1  # scheduler_test.go


def test_files_know_their_import_paths(kube_repo, tmp_path):
    fetch_and_index(kube_repo, tmp_path / "home")
    db = store.connect(tmp_path / "home" / "index.sqlite")
    commit = store.latest_commits(db)["kubernetes"]
    paths = {f.path: f.import_path for f in store.commit_files(db, commit.id)}
    assert paths["pkg/scheduler/scheduler.go"] == "k8s.io/kubernetes/pkg/scheduler"
    assert paths["staging/src/k8s.io/api/core/v1/types.go"] == "k8s.io/api/core/v1"
    assert paths["vendor/github.com/spf13/cobra/command.go"] == "github.com/spf13/cobra"


def test_stored_facts_decode_to_what_parsing_gives(kube_repo, tmp_path):
    fetch_and_index(kube_repo, tmp_path / "home")
    db = store.connect(tmp_path / "home" / "index.sqlite")
    commit = store.latest_commits(db)["kubernetes"]
    facts = {record.path: facts for record, facts in store.file_facts(db, commit.id)}
    scheduler = facts["pkg/scheduler/scheduler.go"]
    assert scheduler.package == "scheduler"
    assert "New" in {f.name for f in scheduler.funcs}


def test_a_second_index_of_the_same_commit_parses_nothing(kube_repo, tmp_path):
    first = fetch_and_index(kube_repo, tmp_path / "home")
    second = fetch_and_index(kube_repo, tmp_path / "home")
    assert second.already_indexed and second.parsed_now == 0
    assert (second.go_files, second.funcs, second.calls) == (first.go_files, first.funcs, first.calls)


def test_a_new_commit_parses_only_the_blobs_that_changed(kube_repo, tmp_path):
    fetch_and_index(kube_repo, tmp_path / "home")
    target = kube_repo / "pkg" / "scheduler" / "queue.go"
    target.write_text(target.read_text() + "\nfunc addedLater() { println() }\n")
    _git(kube_repo, "commit", "--quiet", "-am", "change one file")
    summary = fetch_and_index(kube_repo, tmp_path / "home")
    assert summary.parsed_now == 1
    assert summary.reused == summary.go_files - 1


def _decodes_by_stage(monkeypatch) -> tuple[dict[str, int], object]:
    """Count the facts decoded while parsing and while resolving, in an index given the Progress
    returned."""
    from analyzer import facts, indexer
    from analyzer.progress import Progress

    progress, counts = Progress(quiet=True), {}
    decode = facts.decode_declarations  # as the resolver reads them, bodies left for later

    def counted(data: bytes, declared: bytes | None = None):
        stage = "resolving" if "resolving" in progress.stage else "parsing"
        counts[stage] = counts.get(stage, 0) + 1
        return decode(data, declared)

    monkeypatch.setattr(facts, "decode_declarations", counted)
    monkeypatch.setattr(indexer, "decode_declarations", counted, raising=False)
    return counts, progress


def test_the_facts_of_the_blobs_parsed_now_are_decoded_while_parsing(kube_repo, tmp_path,
                                                                    monkeypatch):
    """The resolver's first stage read every blob parsed in this run back from the index and
    decoded it once the parse was over, the other core idle. Each is decoded as the pool hands it
    over instead; the resolver reads from the index only the blobs an earlier run parsed."""
    counts, progress = _decodes_by_stage(monkeypatch)
    cold = fetch_and_index(kube_repo, tmp_path / "home", progress=progress)
    assert counts == {"parsing": cold.parsed_now}

    target = kube_repo / "pkg" / "scheduler" / "queue.go"
    target.write_text(target.read_text() + "\nfunc addedLater() { println() }\n")
    _git(kube_repo, "commit", "--quiet", "-am", "change one file")
    counts.clear()
    progress.stage = ""  # a new index begins
    again = fetch_and_index(kube_repo, tmp_path / "home", progress=progress)
    assert counts == {"parsing": 1, "resolving": again.reused}


def test_the_writer_decodes_the_declarations_parsed_now_without_decompressing_them(
        kube_repo, tmp_path, monkeypatch):
    """The writer decompressed and read each parsed blob's whole row (its function bodies are two
    thirds of it) to keep its declarations for the resolver, on a core the parser processes need.
    A parser process sends the declarations beside the stored row instead: while parsing, no row
    is decompressed, and the facts decoded are the same."""
    from analyzer import facts
    from analyzer.progress import Progress

    progress, decompressed = Progress(quiet=True), []
    decompress = facts.zlib.decompress

    def counted(data: bytes) -> bytes:
        if "resolving" not in progress.stage:
            decompressed.append(len(data))
        return decompress(data)

    monkeypatch.setattr(facts.zlib, "decompress", counted)
    summary = fetch_and_index(kube_repo, tmp_path / "home", progress=progress)
    assert summary.parsed_now > 20 and decompressed == []


def test_declarations_sent_by_a_parser_are_those_decoded_from_the_row(kube_repo):
    """`decode_declarations` from the parser's `encode_declarations` gives the facts it gives from
    the stored row alone: the declarations, the count of call sites, and the bodies of `whole()`."""
    from analyzer.facts import FileFacts, decode_declarations, encode_declarations, encode_row
    from analyzer.parse import parse_rows

    for path in sorted(kube_repo.rglob("*.go"))[:40]:
        row = parse_rows(path.read_bytes())
        data = encode_row(row)
        sent, read = decode_declarations(data, encode_declarations(row)), decode_declarations(data)
        assert sent == read and sent.call_count() == read.call_count() == len(row[FileFacts._fields.index("calls")])
        assert sent.whole() == read.whole()


def test_an_index_reusing_blobs_resolves_what_a_cold_one_does(kube_repo, tmp_path):
    """Facts decoded while parsing and facts read back from the index give one call graph."""
    fetch_and_index(kube_repo, tmp_path / "home")
    target = kube_repo / "pkg" / "scheduler" / "queue.go"
    target.write_text(target.read_text() + "\nfunc addedLater() { println() }\n")
    _git(kube_repo, "commit", "--quiet", "-am", "change one file")
    graphs = []
    for home in ("home", "cold"):
        fetch_and_index(kube_repo, tmp_path / home)
        db = store.connect(tmp_path / home / "index.sqlite")
        commit = store.latest_commits(db)["kubernetes"]
        graphs.append(sorted(store.load_edges(db, commit.id)))
    assert graphs[0] == graphs[1] and graphs[0]


def test_a_blob_missing_from_the_object_store_is_listed_not_fatal(kube_repo, tmp_path):
    sha = subprocess.run(["git", "rev-parse", "HEAD:pkg/scheduler/queue.go"], cwd=kube_repo,
                         capture_output=True, text=True, check=True).stdout.strip()
    (kube_repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    summary = fetch_and_index(kube_repo, tmp_path / "home")
    assert summary.missing == ["pkg/scheduler/queue.go"]
    assert summary.parsed_now == summary.go_files - 1


def test_one_process_and_a_pool_store_the_same_facts(kube_repo, tmp_path):
    one = fetch_and_index(kube_repo, tmp_path / "a", jobs=1)
    two = fetch_and_index(kube_repo, tmp_path / "b", jobs=2)
    assert (one.funcs, one.calls, one.packages) == (two.funcs, two.calls, two.packages)


def test_parser_processes_run_without_the_cyclic_collector(kube_repo):
    """A parser process keeps the collector off, as the writer forks it: parsing makes no
    reference cycles, and a collection would only scan what the process inherited."""
    enabled = gc.isenabled()
    gc.disable()  # as the writer forks its pool (indexer._without_gc)
    try:
        with multiprocessing.get_context("fork").Pool(
                1, indexer._start_pool_worker, (indexer.TreeSource(git_dir=str(kube_repo / ".git")),)) as pool:
            assert pool.apply(gc.isenabled) is False
    finally:
        if enabled:
            gc.enable()


def test_parsing_the_fixture_tree_leaves_no_cyclic_garbage():
    """What lets parser processes run without the collector: every file's facts, its syntax
    errors included, are freed by reference counting alone."""
    go_files = [path.read_bytes() for path in sorted((TREES / "kube").rglob("*.go"))]
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        records = [indexer.blob_record(str(i), source) for i, source in enumerate(go_files)]
        del records
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_cli_prints_a_json_summary(kube_repo, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    capsys.readouterr()
    assert main(["index", "--json", "-q", "--no-goroot"]) == 0
    (summary,) = json.loads(capsys.readouterr().out)
    assert summary["repo"] == "kubernetes" and summary["go_files"] > 20


def test_a_build_tag_no_constraint_names_is_one_warning_each_time(kube_repo, tmp_path, capsys,
                                                                 monkeypatch):
    """`--tags integraton` changed no file and said nothing: the index looked built with it.
    A tag no build constraint names is one warning line, also when the commit was already
    indexed so; a tag some constraint names is quiet."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    commit = capsys.readouterr().out.split("\t")[2]
    for _ in range(2):
        assert main(["index", "-q", "--no-goroot", "--tags", "ignore_autogenerated,integraton"]) == 0
        assert capsys.readouterr().err == (
            f"kubeatlas: warning: kubernetes: build tag 'integraton' is named by no build "
            f"constraint of {commit[:12]}: it changes no file\n")


def test_a_repository_named_twice_is_fetched_and_indexed_once(kube_repo, tmp_path, capsys,
                                                              monkeypatch):
    """`fetch kubernetes kubernetes --from PATH` was told that --from "applies to one
    repository: name it", and `index etcd etcd` indexed etcd twice."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD",
                 "-q"]) == 0
    assert main(["index", "kubernetes", "kubernetes", "-q", "--no-goroot", "--json"]) == 0
    assert [s["repo"] for s in json.loads(capsys.readouterr().out.split("\n", 1)[1])] == ["kubernetes"]


def test_a_repository_not_fetched_is_refused_before_another_is_indexed(kube_repo, tmp_path, capsys,
                                                                     monkeypatch):
    """`index kubernetes etcd` with etcd never fetched indexed kubernetes (minutes on the real
    tree) and then refused etcd, printing no summary of the work it had done."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    capsys.readouterr()
    assert main(["index", "kubernetes", "etcd", "-q", "--no-goroot"]) == 2
    assert capsys.readouterr().err == ("kubeatlas: error: etcd has not been fetched: run "
                                       "`kubeatlas fetch etcd` first\n")
    assert not (tmp_path / "home" / "index.sqlite").exists()


def test_cli_index_before_fetch_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["index"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "kubeatlas: error: nothing fetched yet: run `kubeatlas fetch` first"


def test_cli_output_into_a_closed_pipe_ends_quietly(kube_repo, tmp_path, monkeypatch):
    """`kubeatlas find … | head -1`: the reader leaving is not an error (exit 0, nothing on stderr)."""
    env = {**os.environ, "KUBEATLAS_HOME": str(tmp_path / "home")}
    run = [sys.executable, "-m", "analyzer.cli"]
    subprocess.run(run + ["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"], env=env, check=True)
    subprocess.run(run + ["index", "-q", "--no-goroot"], env=env, check=True)
    finder = subprocess.Popen(run + ["find", "."], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finder.stdout.close()  # gone before the first line is written
    assert finder.wait(timeout=60) == 0
    assert finder.stderr.read() == b""


def test_a_reader_of_the_progress_lines_leaving_does_not_stop_the_index(kube_repo, tmp_path):
    """`kubeatlas index 2>&1 | head -2`: the third progress line met a closed pipe, and the
    index stopped unbuilt with exit status 0. The lines stop; the index is built."""
    env = {**os.environ, "KUBEATLAS_HOME": str(tmp_path / "home")}
    run = [sys.executable, "-m", "analyzer.cli"]
    subprocess.run(run + ["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"],
                   env=env, check=True)
    indexer = subprocess.Popen(run + ["index", "--no-goroot"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    indexer.stderr.readline()
    indexer.stderr.close()
    summary = indexer.stdout.read().decode()
    assert indexer.wait(timeout=60) == 0
    assert summary.startswith("kubernetes HEAD (")
    found = subprocess.run(run + ["find", "kube-scheduler.main"], env=env, capture_output=True,
                           text=True, timeout=60)
    assert found.stdout == "k8s.io/kubernetes/cmd/kube-scheduler.main\n"


def _commit_new_repo(repo: Path, message: str) -> None:
    """Make `repo`, a folder of files, a git repository of one commit holding them all."""
    _git(repo, "init", "--quiet")
    _git(repo, "add", "--all")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", message)


def make_big_repo(path: Path, files: int) -> Path:
    """A repository with enough Go files that indexing it takes a few seconds."""
    (path / "pkg").mkdir(parents=True)
    (path / "go.mod").write_text("module example.com/big\n\ngo 1.20\n")
    body = "".join(f"func F{i}(x int) int {{ return F{i + 1}(x) + 1 }}\n" for i in range(60))
    for i in range(files):
        package = path / "pkg" / f"p{i // 50}"
        package.mkdir(exist_ok=True)
        (package / f"f{i}.go").write_text(f"package p{i // 50}\n\n// file {i}\n{body}")
    _commit_new_repo(path, "big")
    return path


def test_kill_9_mid_index_leaves_the_previous_index_readable(kube_repo, tmp_path):
    """A reader sees the last complete commit while a new index is written, and after a kill -9
    of the writer (workers included) it still does; the next run keeps the blobs already parsed."""
    home = tmp_path / "home"
    before = fetch_and_index(kube_repo, home)
    big = make_big_repo(tmp_path / "big", files=2500)
    env = {**os.environ, "KUBEATLAS_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "analyzer.cli", "fetch", "kubernetes", "--from", str(big),
                    "--ref", "HEAD", "-q"], env=env, check=True, capture_output=True)
    writer = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "index", "-q", "-j", "2",
                               "--no-goroot"],
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    reader = sqlite3.connect(home / "index.sqlite", timeout=30)
    deadline = time.monotonic() + 60
    saved = 0
    while time.monotonic() < deadline and saved < 1000:
        time.sleep(0.05)
        saved = reader.execute("SELECT count(*) FROM blobs").fetchone()[0] - before.parsed_now
        # While the writer works, readers keep answering from the previous complete commit.
        visible = reader.execute("SELECT sha FROM commits WHERE complete = 1").fetchall()
        assert len(visible) == 1
    assert writer.poll() is None, "the index finished before it could be interrupted"
    os.killpg(writer.pid, signal.SIGKILL)
    writer.wait()
    reader.close()

    db = store.connect(home / "index.sqlite")
    latest = store.latest_commits(db)["kubernetes"]
    assert latest.sha == before.commit
    assert sum(1 for _ in store.file_facts(db, latest.id)) == before.go_files - len(before.missing)
    db.close()

    resumed = index_checkout(home / "index.sqlite", sources.load_checkouts(Workspace(home))["kubernetes"],
                             jobs=2)
    assert resumed.go_files == 2501 - 1  # the 2,500 files; go.mod is not Go
    assert resumed.reused >= 1000 and resumed.parsed_now == resumed.go_files - resumed.reused


@pytest.mark.parametrize("repo_fixture", ["kube_repo", "etcd_repo"])
def test_every_fixture_tree_indexes_without_loss(repo_fixture, request, tmp_path):
    repo = request.getfixturevalue(repo_fixture)
    summary = fetch_and_index(repo, tmp_path / "home", name="etcd" if "etcd" in repo_fixture
                              else "kubernetes")
    assert summary.go_files == summary.parsed_now + len(summary.missing)


def test_indexing_an_older_commit_again_makes_it_the_current_one(kube_repo, tmp_path):
    first = fetch_and_index(kube_repo, tmp_path / "home")
    (kube_repo / "pkg" / "extra.go").write_text("package pkg\n\nfunc Extra() {}\n")
    _git(kube_repo, "add", "--all")
    _git(kube_repo, "commit", "--quiet", "-m", "second")
    second = fetch_and_index(kube_repo, tmp_path / "home")
    db = store.connect(tmp_path / "home" / "index.sqlite")
    assert store.latest_commits(db)["kubernetes"].sha == second.commit
    ws = Workspace(tmp_path / "home")
    index_checkout(ws.index_path, sources.fetch(ws, "kubernetes", source=str(kube_repo),
                                                ref=first.commit))
    assert store.latest_commits(db)["kubernetes"].sha == first.commit
    assert [c.sha for c in store.complete_commits(db)] == [first.commit, second.commit]


def _hold_writer_lock(index_path: Path, fork_child: bool = False) -> subprocess.Popen:
    """Another process holding the writer lock as a running `kubeatlas index` does (and, if asked,
    with a forked child alive, as its parse workers are); it prints "held" once it has it."""
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from analyzer.indexer import _writer_lock\n"
        f"with _writer_lock(Path({str(index_path)!r})):\n"
        f"    if {fork_child!r} and os.fork() == 0:\n"
        "        time.sleep(60); os._exit(0)\n"
        "    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_writer_is_refused_while_one_indexes(kube_repo, tmp_path):
    """While another process writes the index, `index` refuses in one line; once it is gone, it runs."""
    from analyzer.errors import IndexError_

    ws = Workspace(tmp_path / "home")
    checkout = sources.fetch(ws, "kubernetes", source=str(kube_repo), ref="HEAD")
    holder = _hold_writer_lock(ws.index_path)
    try:
        with pytest.raises(IndexError_, match="another `kubeatlas index` is writing it"):
            index_checkout(ws.index_path, checkout)
    finally:
        holder.kill()
        holder.wait()
    assert index_checkout(ws.index_path, checkout).go_files > 20  # free again afterwards


def test_a_writer_killed_with_9_frees_the_lock_while_its_workers_live(kube_repo, tmp_path):
    """The lock is the writer process's own: its forked workers do not hold it, so after a kill -9
    of the writer alone the next `index` runs at once, though a worker is still alive."""
    ws = Workspace(tmp_path / "home")
    checkout = sources.fetch(ws, "kubernetes", source=str(kube_repo), ref="HEAD")
    holder = _hold_writer_lock(ws.index_path, fork_child=True)
    holder.kill()
    holder.wait()
    try:
        assert index_checkout(ws.index_path, checkout).go_files > 20
    finally:
        os.killpg(holder.pid, signal.SIGKILL)  # the forked worker, still sleeping


def test_a_new_resolver_replaces_the_stale_index_of_a_commit(kube_repo, tmp_path, monkeypatch):
    first = fetch_and_index(kube_repo, tmp_path)
    monkeypatch.setattr(store, "RESOLVER_VERSION", store.RESOLVER_VERSION + 1)
    second = fetch_and_index(kube_repo, tmp_path)
    assert not second.already_indexed and second.edges == first.edges
    db = store.connect(tmp_path / "index.sqlite")
    assert [c.sha for c in store.complete_commits(db) if c.repo == "kubernetes"] == [first.commit]


def _damage(index: Path, how: str) -> None:
    if how == "truncated":
        os.truncate(index, index.stat().st_size // 3)
    elif how == "text":
        index.write_text("not a database, just some text\n")
    elif how == "empty":
        index.write_bytes(b"")
    else:  # pages zeroed in the middle: the header is whole, the tables are not
        data = index.read_bytes()
        index.write_bytes(data[:8192] + bytes(len(data) - 8192))


@pytest.mark.parametrize("how", ["truncated", "text", "empty", "zeroed"])
def test_a_damaged_index_is_one_line_for_queries_and_rebuilt_by_index(how, kube_repo, tmp_path,
                                                                       capsys, monkeypatch):
    """A query on a damaged index says so in one line and names the cure; `kubeatlas index`
    moves the damaged file aside, says so, and builds a new index that answers queries."""
    home = tmp_path / "home"
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    assert main(["index", "-q", "--no-goroot"]) == 0
    capsys.readouterr()
    index = Workspace(home).index_path
    _damage(index, how)

    for query in (["callees", "scheduler.(*Scheduler).Run"], ["find", "Scheduler"]):
        assert main(query) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"kubeatlas: error: index {index}: damaged")
        assert "`kubeatlas index`" in err

    assert main(["index", "-q", "--no-goroot"]) == 0
    err = capsys.readouterr().err
    (aside,) = [p for p in home.glob("index.sqlite.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert err == (f"kubeatlas: warning: index {index} was damaged ({err.split('(', 1)[1].split(')')[0]}): "
                   f"moved it to {aside.name} and building a new one\n")
    assert main(["find", "Scheduler"]) == 0
    assert "pkg/scheduler" in capsys.readouterr().out


@pytest.mark.parametrize("table", ["names", "edges_by_caller"])
def test_an_index_whose_damage_only_a_query_meets_is_rebuilt_by_index(table, kube_repo, tmp_path,
                                                                     capsys, monkeypatch):
    """One table's page overwritten, the header whole: the query said "`kubeatlas index` moves
    it aside and builds a new one", but index found the commit already indexed, touched it and
    left the damage, so the query said the same again. Now the query reports the damage and
    index checks the whole file."""
    home = tmp_path / "home"
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    assert main(["index", "-q", "--no-goroot"]) == 0
    index = Workspace(home).index_path
    with sqlite3.connect(index) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file, none in the WAL
        page_size, = db.execute("PRAGMA page_size").fetchone()
        root, = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    db.close()
    with index.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
    assert main(["callees", "scheduler.(*Scheduler).Run"]) == 1
    assert "damaged" in capsys.readouterr().err
    # The query leaves word of it, so that index checks every page (too slow to do each time).
    report = index.with_name(index.name + ".damage-seen")
    assert report.exists()

    assert main(["index", "-q", "--no-goroot"]) == 0
    assert "was damaged (" in capsys.readouterr().err
    assert main(["callees", "scheduler.(*Scheduler).Run"]) == 0
    assert not report.exists()


def test_goroot_and_no_goroot_together_are_refused(tmp_path, capsys, monkeypatch):
    """`--goroot X --no-goroot` asks for two opposite things: one line, exit 2, nothing indexed."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["index", "--goroot", "/usr/lib/go", "--no-goroot"]) == 2
    assert capsys.readouterr().err == (
        "kubeatlas: error: --goroot and --no-goroot contradict each other: give one of them\n")


@pytest.mark.parametrize("argv, go_on_path, reason", [
    (["--no-goroot"], True, "--no-goroot: calls into it stay unresolved"),
    ([], False, "no Go installation found: install Go or give --goroot; calls into it stay unresolved"),
])
def test_a_summary_without_the_standard_library_says_why(argv, go_on_path, reason, kube_repo,
                                                         tmp_path, capsys, monkeypatch):
    """`index --no-goroot` said the standard library was "not indexed (no Go installation
    found)" on a machine with Go installed: the user's own option was the reason. Without the
    option and with no `go` on $PATH, the summary says how to give one."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    if not go_on_path:  # a $PATH with git alone on it
        (tmp_path / "bin").mkdir()
        (tmp_path / "bin" / "git").symlink_to(shutil.which("git"))
        monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    capsys.readouterr()
    assert main(["index", "-q", *argv]) == 0
    assert f"  standard library not indexed ({reason})\n" in capsys.readouterr().out
    assert main(["index", "-q", "--json", *argv]) == 0
    assert json.loads(capsys.readouterr().out)[0]["no_library"] == reason


def test_progress_names_the_repository_and_every_stage(kube_repo, tmp_path):
    """Each progress line names the repository, and resolution reports its stages and files."""
    import io

    from analyzer.progress import Progress

    stream = io.StringIO()
    fetch_and_index(kube_repo, tmp_path / "home", progress=Progress(stream, interval=0))
    lines = stream.getvalue().splitlines()
    assert lines and all(line.startswith("kubernetes: ") for line in lines)
    stages = {line.split(":")[1].strip().removeprefix("resolving the call graph, ") for line in lines}
    assert {"parsing", "reading facts …", "package tables …", "call sites",
            "calls through interfaces and function values …", "command programs"} <= stages
    assert any(line.startswith("kubernetes: resolving the call graph, call sites: ")
               and "files (100%)" in line for line in lines)
    # The resolver's last stage says it ended too, or a log seems to stop in the middle of it.
    assert lines[-2].startswith("kubernetes: resolving the call graph, command programs: ")
    assert lines[-2].endswith("commands (100%)")
    # Then the graph is written, which takes long enough on Kubernetes to be a stage of its own.
    assert lines[-1] == "kubernetes: storing the call graph in the index …"


@pytest.mark.parametrize("term, redrawn", [("xterm-256color", True), ("dumb", False)])
def test_a_dumb_terminal_gets_progress_lines_not_escape_codes(term, redrawn, monkeypatch):
    """Emacs' shell is a terminal that says TERM=dumb and shows an escape code as text: each
    redraw of the progress line added a visible `^[[K`."""
    import io

    from analyzer.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("TERM", term)
    stream = Terminal()
    progress = Progress(stream, interval=0)
    for done in (1, 2):
        progress.update("kubernetes: parsing", done, 2, "files")
    assert ("\x1b[K" in stream.getvalue()) == redrawn
    if not redrawn:
        assert stream.getvalue() == ("kubernetes: parsing: 1/2 files (50%)\n"
                                     "kubernetes: parsing: 2/2 files (100%)\n")


def test_a_stage_line_is_drawn_again_after_a_warning_ends_it(monkeypatch):
    """A warning ends the drawn line; the stage's next update, the same text, must draw it
    again, or the terminal shows no progress under the warning."""
    import io

    from analyzer.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("TERM", "xterm")
    stream = Terminal()
    progress = Progress(stream, interval=0)
    progress.update("etcd: resolving calls", None)
    progress.warn("1 blob missing")
    progress.update("etcd: resolving calls", None)
    assert stream.getvalue().endswith("kubeatlas: warning: 1 blob missing\n\r\x1b[Ketcd: resolving calls …")


def test_a_first_index_leaves_every_table_index_in_place(kube_repo, tmp_path):
    """A first index drops the graph tables' indexes while it writes and makes them again:
    afterwards the schema holds every index a fresh one has, and a second commit adds to them."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    db = sqlite3.connect(Workspace(home).index_path)
    indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    fresh = sqlite3.connect(tmp_path / "fresh.sqlite")
    fresh.executescript(store.SCHEMA)
    expected = {name for (name,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert expected <= indexes
    assert "edges_by_caller" in indexes and "symbols_by_name" in indexes
    (commit,) = db.execute("SELECT id FROM commits WHERE complete = 1").fetchall()
    plan = db.execute("EXPLAIN QUERY PLAN SELECT * FROM edges WHERE caller = 1 AND commit_id = ?",
                      commit).fetchall()
    assert "edges_by_caller" in str(plan)


def test_the_graph_is_stored_while_a_child_still_resolves_call_sites(kube_repo, tmp_path,
                                                                    monkeypatch):
    """The symbols and the first share's edges go into the index while a forked process still
    resolves the other share, not all after resolution, when one core would idle: by the time
    the child's share is taken in, the writer's transaction holds them."""
    from analyzer.resolve.calls import Resolver

    stored_before_absorbing = []
    absorb = Resolver.absorb

    def counting_absorb(self, *args):
        stored_before_absorbing.append((len(self.out.symbols), len(self.out.edges), _open_graph()))
        return absorb(self, *args)

    writers = []
    monkeypatch.setattr(store, "GraphWriter", _Recorded(store.GraphWriter, writers))

    def _open_graph():
        (writer,) = writers
        return [writer.db.execute(f"SELECT count(*) FROM {table} WHERE commit_id = ?",
                                  (writer.commit_id,)).fetchone()[0]
                for table in ("symbols", "edges")]

    monkeypatch.setattr(Resolver, "absorb", counting_absorb)
    summary = fetch_and_index(kube_repo, tmp_path, jobs=2)
    ((symbols, edges, (stored_symbols, stored_edges)),) = stored_before_absorbing
    assert stored_symbols == symbols == summary.symbols
    assert 0 < stored_edges == edges < sum(summary.edges.values())


def test_implementations_are_stored_while_another_process_works_out_the_programs(
        kube_repo, tmp_path, monkeypatch):
    """With two processes, the implementations, signatures and annotations are in the open
    transaction before the command programs come back from the process that worked them out,
    and the index holds, table by table and row by row, what one process stores."""
    from analyzer.resolve import shares

    writers = []
    monkeypatch.setattr(store, "GraphWriter", _Recorded(store.GraphWriter, writers))
    received = shares.Beside.received
    stored_when_received = []

    def counting_received(self):
        (writer,) = writers
        stored_when_received.append([writer.db.execute(
            f"SELECT count(*) FROM {table} WHERE commit_id = ?", (writer.commit_id,)).fetchone()[0]
            for table in ("implements", "signatures", "annotations", "programs")])
        return received(self)

    monkeypatch.setattr(shares.Beside, "received", counting_received)
    two = fetch_and_index(kube_repo, tmp_path / "two", jobs=2)
    monkeypatch.undo()
    one = fetch_and_index(kube_repo, tmp_path / "one", jobs=1)
    found, programs = stored_when_received
    assert found == [0, 0, 0, 0]
    assert programs[0] > 0 and programs[1] > 0 and programs[2] > 0 and programs[3] == 0

    def rows(home):
        db = sqlite3.connect(Workspace(home).index_path)
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in ("names", "symbols", "edges", "implements", "signatures",
                              "annotations", "programs", "program_members")}
    assert rows(tmp_path / "two") == rows(tmp_path / "one")
    assert two.implements == one.implements > 0


class _Recorded:
    """A class whose instances are also listed in `made`."""

    def __init__(self, cls, made: list):
        self.cls, self.made = cls, made

    def __call__(self, *args, **kwargs):
        self.made.append(self.cls(*args, **kwargs))
        return self.made[-1]


@pytest.mark.parametrize("stage", ["finish", "write_found"])
def test_a_stop_after_part_of_the_graph_was_stored_keeps_the_previous_index(stage, kube_repo,
                                                                              tmp_path, monkeypatch):
    """Stopped once the symbols and some edges are written (the writer's transaction open, the
    graph tables' indexes dropped on a first index), or all of them and the implementations
    while the implementations' indexes are made (`write_found`: another process works out the
    command programs), an index leaves nothing of its commit and every table index in place;
    stopped on a second commit, the first stays the current one."""
    from analyzer.resolve.calls import Resolver

    where = Resolver if stage == "finish" else store.GraphWriter
    finish = getattr(where, stage)

    def ctrl_c(*args):
        if stage == "write_found":
            finish(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(where, stage, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        fetch_and_index(kube_repo, tmp_path, jobs=2)
    db = store.connect(Workspace(tmp_path).index_path)
    fresh = sqlite3.connect(":memory:")
    fresh.executescript(store.SCHEMA)
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
    assert set(db.execute(indexes)) == set(fresh.execute(indexes))
    for table in ("symbols", "edges", "implements", "files", "names"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)

    monkeypatch.setattr(where, stage, finish)
    first = fetch_and_index(kube_repo, tmp_path, jobs=2)
    (kube_repo / "pkg" / "extra.go").write_text("package pkg\n\nfunc Extra() {}\n")
    _git(kube_repo, "add", "--all")
    _git(kube_repo, "commit", "--quiet", "-m", "second")
    monkeypatch.setattr(where, stage, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        fetch_and_index(kube_repo, tmp_path, jobs=2)
    assert [c.sha for c in store.complete_commits(db)] == [first.commit]
    assert store.graph_counts(db, store.complete_commits(db)[0].id) == (first.symbols, first.edges)
    assert db.execute("SELECT count(DISTINCT commit_id) FROM edges").fetchone() == (1,)


def test_an_index_of_schema_3_is_upgraded_by_index_and_its_short_names_resolve(kube_repo, tmp_path,
                                                                              capsys, monkeypatch):
    """Schema 4 adds the reversed names (short-name look-ups) and an index of program members
    by member. A schema 3 index is refused by queries with one line, and `kubeatlas index` fills
    the new table from the names already stored, without indexing anything again."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    path = Workspace(home).index_path
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE names_reversed; DROP INDEX program_members_by_member; "
                     "UPDATE meta SET value = '3' WHERE key = 'schema_version';")
    db.close()
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    assert main(["show", "scheduler.(*Scheduler).scheduleOne"]) == 1
    assert "schema 3" in capsys.readouterr().err
    assert main(["index", "--no-goroot", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["parsed_now"] == 0
    db = store.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    assert db.execute("SELECT count(*) FROM names_reversed").fetchone() == db.execute(
        "SELECT count(*) FROM names").fetchone()
    assert store.names_ending(db, "scheduler.Scheduler).scheduleOne", 10, "(*") == [
        "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"]
    assert main(["show", "scheduler.(*Scheduler).scheduleOne"]) == 0


@pytest.mark.parametrize("signal_name, to_group, exit_code, word", [
    ("SIGINT", True, 130, "interrupted"),    # Ctrl-C in a terminal: the writer and its workers
    ("SIGTERM", False, 143, "terminated"),  # `kill PID`, a service manager, `timeout`
])
def test_a_stop_mid_parse_is_one_line_and_keeps_the_previous_index(signal_name, to_group,
                                                                     exit_code, word, kube_repo,
                                                                     tmp_path):
    """Stopped while its workers parse, `index` says so in one line (no worker's traceback), exits
    128 + the signal, leaves no process behind, and the previous index still answers."""
    home = tmp_path / "home"
    before = fetch_and_index(kube_repo, home)
    big = make_big_repo(tmp_path / "big", files=2500)
    env = {**os.environ, "KUBEATLAS_HOME": str(home)}
    cli = [sys.executable, "-m", "analyzer.cli"]
    subprocess.run(cli + ["fetch", "kubernetes", "--from", str(big), "--ref", "HEAD", "-q"],
                   env=env, check=True, capture_output=True)
    # With the default action for SIGINT, which a test suite started in the background of a
    # non-interactive shell would hand down as ignored (Python then installs no handler for it).
    writer = subprocess.Popen(cli + ["index", "-j", "2", "--no-goroot"], env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in writer.stderr:
        if line.startswith("kubernetes: parsing: "):
            break
    time.sleep(0.3)  # the workers are inside the parser
    stop = getattr(signal, signal_name)
    os.killpg(writer.pid, stop) if to_group else writer.send_signal(stop)
    rest = writer.stderr.read()
    assert writer.wait(timeout=60) == exit_code
    assert rest == f"kubeatlas: {word}; the previous index is unchanged\n"
    deadline = time.monotonic() + 10  # a worker's `git cat-file` ends once it reads EOF
    while time.monotonic() < deadline:
        try:
            os.killpg(writer.pid, 0)
        except ProcessLookupError:
            break  # no worker, and no git process of one, outlived the writer
        time.sleep(0.1)
    else:
        pytest.fail("a process of the stopped `index` is still running")
    db = store.connect(home / "index.sqlite")
    assert store.latest_commits(db)["kubernetes"].sha == before.commit


def test_a_stop_after_one_of_two_repositories_says_which_was_indexed(kube_repo, etcd_repo, tmp_path,
                                                                     capsys, monkeypatch):
    """Ctrl-C while `index` did kubernetes, etcd done before it, said "the previous index is
    unchanged", though etcd's new index had become the current one."""
    from analyzer import indexer

    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    for name, repo in (("etcd", etcd_repo), ("kubernetes", kube_repo)):
        assert main(["fetch", name, "--from", str(repo), "--ref", "HEAD", "-q", "--url",
                     f"https://example.invalid/{name}"]) == 0
    index_checkout = indexer.index_checkout

    def ctrl_c_in_kubernetes(index_path, checkout, **options):
        if checkout.name == "kubernetes":
            raise KeyboardInterrupt
        return index_checkout(index_path, checkout, **options)

    monkeypatch.setattr(indexer, "index_checkout", ctrl_c_in_kubernetes)
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot"]) == 130
    assert capsys.readouterr().err == ("kubeatlas: interrupted; etcd indexed, the previous index "
                                       "of kubernetes unchanged\n")


@pytest.mark.parametrize("again", [False, True], ids=["new", "already-indexed"])
def test_a_stop_once_the_new_index_is_current_says_it_was_indexed(again, kube_repo, tmp_path, capsys,
                                                                   monkeypatch):
    """Stopped after its commit became the current index (while the summary was counted, or the
    resolver's objects freed), `index` said "the previous index is unchanged"; the next query
    read the new one."""
    from analyzer import indexer

    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    if again:
        assert main(["index", "-q", "--no-goroot"]) == 0

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(indexer, "_fill_counts", ctrl_c)
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot"]) == 130
    assert capsys.readouterr().err == "kubeatlas: interrupted; kubernetes indexed\n"
    db = store.connect(tmp_path / "home" / "index.sqlite")
    assert store.latest_commits(db)["kubernetes"].sha == sources.load_checkouts(
        Workspace(tmp_path / "home"))["kubernetes"].commit


def test_a_tree_missing_from_the_object_store_is_named(kube_repo, tmp_path, capsys, monkeypatch):
    """A blob a snapshot lacks is counted; a missing tree ended `index` with git's "error: Could
    not read SHA", which said neither what the object is nor what to do."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    tree = _git_out(kube_repo, "rev-parse", "HEAD:pkg")
    (kube_repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    commit = _git_out(kube_repo, "rev-parse", "HEAD")
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: {kube_repo / '.git'}: {commit}: tree {tree} is not in the repository's "
        "objects (a pack or object file removed?): every tree of the commit is read to list its "
        "files; give a whole clone\n")


def _git_out(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_a_first_index_the_disk_refuses_is_one_line_and_leaves_no_index(kube_repo, tmp_path):
    """A write refused with an error other than a full disk (a quota's EDQUOT, here a file size
    limit's EFBIG) ended `index` in a traceback, "sqlite3.OperationalError: disk I/O error"; the
    empty file it left was then called a damaged index."""
    import resource

    home = tmp_path / "home"
    env = {**os.environ, "KUBEATLAS_HOME": str(home)}
    cli = [sys.executable, "-m", "analyzer.cli"]
    subprocess.run(cli + ["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"],
                   env=env, check=True, capture_output=True)

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    done = subprocess.run(cli + ["index", "-q", "--no-goroot"], env=env, capture_output=True,
                          text=True, preexec_fn=small_files)
    index = home / "index.sqlite"
    assert (done.returncode, done.stderr) == (1, (
        f"kubeatlas: error: {index}: disk I/O error: the disk would not take it (a quota or a full "
        "disk, or a failing one): free some space there, or give --home (or $KUBEATLAS_HOME) a "
        "folder on another disk\n"))
    assert not index.exists()
    query = subprocess.run(cli + ["find", "x"], env=env, capture_output=True, text=True)
    assert query.stderr == (f"kubeatlas: error: index {index}: no index yet: run `kubeatlas "
                            "index` first\n")


def test_two_indexes_moved_aside_in_one_second_are_both_kept(tmp_path, monkeypatch):
    """The name a damaged index is moved to says the second it was moved: a second one moved
    in the same second replaced the first, which the user may have wanted to look into."""
    monkeypatch.setattr(store.time, "strftime", lambda form: "20261206T120000")
    index = tmp_path / "index.sqlite"
    asides = []
    for damage in (b"first", b"second"):
        index.write_bytes(damage)
        asides.append(store.move_aside(index))
    assert [aside.name for aside in asides] == ["index.sqlite.damaged-20261206T120000",
                                                "index.sqlite.damaged-20261206T120000.2"]
    assert [aside.read_bytes() for aside in asides] == [b"first", b"second"]


def test_a_file_name_that_is_not_utf8_is_indexed_under_an_escaped_name(tmp_path, capsys,
                                                                      monkeypatch):
    """Git keeps a file name's bytes as they are; a Latin-1 one (`caf\\xe9.go`) is indexed, its
    calls found, and its path shown with the odd byte escaped, instead of SQLite refusing it."""
    repo = tmp_path / "latin"
    (repo / "pkg").mkdir(parents=True)
    (repo / "go.mod").write_text("module example.com/latin\n\ngo 1.20\n")
    (repo / "pkg" / "a.go").write_text("package pkg\n\nfunc A() {}\n")
    (repo / "pkg" / os.fsdecode(b"caf\xe9.go")).write_text("package pkg\n\nfunc B() { A() }\n")
    _commit_new_repo(repo, "latin")
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(repo), "--ref", "HEAD", "-q",
                 "--url", "https://example.com/latin"]) == 0
    assert main(["index", "-q", "--no-goroot"]) == 0
    capsys.readouterr()
    assert main(["callers", "example.com/latin/pkg.A"]) == 0
    assert "example.com/latin/pkg.B  pkg/caf\\xe9.go:3" in capsys.readouterr().out


def test_a_schema_version_that_is_not_a_number_is_damage(kube_repo, tmp_path, capsys, monkeypatch):
    """An index whose recorded schema is not a number (edited, or garbage) is damaged: queries
    say so in one line and `kubeatlas index` moves it aside and builds a new one."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    db = sqlite3.connect(home / "index.sqlite")
    db.execute("UPDATE meta SET value = 'four' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    capsys.readouterr()
    assert main(["find", "Scheduler"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: index {home / 'index.sqlite'}: damaged (schema version 'four' is not a "
        "number); `kubeatlas index` moves it aside and builds a new one\n")
    assert main(["index", "-q", "--no-goroot"]) == 0
    assert "moved it to index.sqlite.damaged-" in capsys.readouterr().err
    assert main(["find", "Scheduler"]) == 0


def test_an_index_nobody_may_write_is_read_without_writing_beside_it(kube_repo, tmp_path,
                                                                    monkeypatch):
    """A shared index in a folder the user cannot write (a read-only mount, another user's home)
    answers queries: it is opened read-only and immutable, so SQLite needs no -wal or -shm file
    beside it (which it could not create), rather than failing with "attempt to write a readonly
    database"."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    index = home / "index.sqlite"
    # The tests run as root, whom permissions do not stop: the folder is made read-only as
    # `os.access` reports it to the index's reader.
    monkeypatch.setattr(store.os, "access", lambda path, mode: Path(path) not in (index, home))
    db = store.connect(index)
    assert not Path(f"{index}-shm").exists() and not Path(f"{index}-wal").exists()
    assert store.latest_commits(db)["kubernetes"].sha
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("CREATE TABLE t (x)")


def _label_schema(index: Path, version: str) -> None:
    db = sqlite3.connect(index)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    db.commit()
    db.close()


def test_an_index_of_a_schema_too_old_to_upgrade_is_moved_aside_and_rebuilt(kube_repo, tmp_path,
                                                                           capsys, monkeypatch):
    """Schema 1 predates every upgrade this kubeatlas knows: a query says `index` will rebuild
    it, and `index` moves it aside (kept, renamed), says so in one line, and builds a new one."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    index = home / "index.sqlite"
    _label_schema(index, "1")
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    capsys.readouterr()
    assert main(["find", "Scheduler"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: index {index}: made by an older kubeatlas (schema 1, this one reads "
        f"{store.SCHEMA_VERSION}): `kubeatlas index` moves it aside and builds a new one\n")
    assert main(["index", "-q", "--no-goroot"]) == 0
    err = capsys.readouterr().err
    # Not damaged: its name says which kubeatlas can still read it.
    assert not list(home.glob("index.sqlite.damaged-*"))
    (aside,) = [p for p in home.glob("index.sqlite.schema1-*") if not p.name.endswith(("-wal", "-shm"))]
    assert err == (f"kubeatlas: warning: index {index} was made by an older kubeatlas (schema 1, "
                   f"this one reads {store.SCHEMA_VERSION}): moved it to {aside.name} and building "
                   "a new one\n")
    assert main(["find", "Scheduler"]) == 0


def test_an_index_of_a_newer_schema_is_left_alone(kube_repo, tmp_path, capsys, monkeypatch):
    """An index a newer kubeatlas made is that one's work: queries and `index` refuse it in one
    line, and it is not moved, rebuilt or written."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    index = home / "index.sqlite"
    _label_schema(index, str(store.SCHEMA_VERSION + 1))
    before = index.read_bytes()
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    capsys.readouterr()
    for argv in (["find", "Scheduler"], ["index", "-q", "--no-goroot"]):
        assert main(argv) == 1
        assert capsys.readouterr().err == (
            f"kubeatlas: error: index {index}: made by a newer kubeatlas (schema "
            f"{store.SCHEMA_VERSION + 1}, this one reads {store.SCHEMA_VERSION}): query it with "
            "that one, or give --home another folder\n")
    assert index.read_bytes() == before and not list(home.glob("index.sqlite.damaged-*"))


def test_a_schema_4_index_labelled_3_is_relabelled_without_error(kube_repo, tmp_path, monkeypatch):
    """The upgrade to 4 fills the reversed names; names already there (a newer index whose label
    was set back) are kept rather than failing the upgrade on a duplicate key."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    _label_schema(home / "index.sqlite", "3")
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    assert main(["index", "-q", "--no-goroot"]) == 0
    assert main(["find", "Scheduler"]) == 0


def test_files_no_go_mod_covers_are_counted_in_the_summary(tmp_path, capsys, monkeypatch):
    """A tree from before Go modules (etcd before 3.5, fetched by tag) has no import paths, so
    its packages are never resolved and queries find nothing: the summary says how many files
    that is, and what it likely means, instead of leaving the user to wonder."""
    repo = tmp_path / "gopath"
    (repo / "raft").mkdir(parents=True)
    (repo / "raft" / "node.go").write_text("package raft\n\nfunc StartNode() { run() }\n\nfunc run() {}\n")
    (repo / "main.go").write_text("package main\n\nfunc main() {}\n")
    _commit_new_repo(repo, "old")
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "etcd", "--from", str(repo), "--ref", "HEAD", "-q",
                 "--url", "https://example.com/etcd"]) == 0
    assert main(["index", "etcd", "-q", "--no-goroot"]) == 0
    assert ("  outside modules         2  files no go.mod covers: not resolved (a tree from before "
            "Go modules?)\n") in capsys.readouterr().out
    assert main(["index", "etcd", "-q", "--no-goroot", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["outside_modules"] == 2


def test_a_go_mod_naming_no_module_is_warned_about_with_the_line_to_write(tmp_path, capsys,
                                                                         monkeypatch):
    """A go.mod whose `module` line is empty leaves its files without an import path, and the
    summary counted them as files "no go.mod covers", which sent the user looking for a go.mod
    that is there: a warning names the go.mod, its files, and the line it lacks."""
    repo = tmp_path / "nameless"
    (repo / "raft").mkdir(parents=True)
    (repo / "go.mod").write_text("module\n\ngo 1.19\n")
    (repo / "raft" / "node.go").write_text("package raft\n\nfunc StartNode() {}\n")
    (repo / "main.go").write_text("package main\n\nfunc main() {}\n")
    _commit_new_repo(repo, "nameless")
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "etcd", "--from", str(repo), "--ref", "HEAD", "-q",
                 "--url", "https://example.com/etcd"]) == 0
    commit = sources.load_checkouts(Workspace(tmp_path / "home"))["etcd"].commit
    capsys.readouterr()
    assert main(["index", "etcd", "-q", "--no-goroot"]) == 0
    out, err = capsys.readouterr()
    assert err == (f"kubeatlas: warning: etcd: go.mod of {commit[:12]} declares no module path "
                   "(its `module` line is empty or missing), so its 2 Go files have no import "
                   "path and none of their calls is resolved: give it one, e.g. `module "
                   "go.etcd.io/etcd/v3`, commit, and fetch again\n")
    assert ("  outside modules         2  files no go.mod covers: not resolved (2 under a go.mod "
            "naming no module)\n") in out


def test_a_nul_byte_is_the_syntax_error_go_names(tmp_path):
    """A NUL byte in a Go file was summed up as "3:11 error" (tree-sitter's ERROR node), or not
    at all inside a comment, where `go build` refuses the file with "invalid NUL character"."""
    assert indexer.blob_record("x", b"package a\n\nfunc A() {\0 B() }\n").first_problem == \
        "3:11 invalid NUL character"
    in_comment = indexer.blob_record("x", b"package a\n\n// a\0b\nfunc A() {}\n")
    assert (in_comment.syntax_problems, in_comment.first_problem) == (1, "3:5 invalid NUL character")
    later = indexer.blob_record("x", b"package a\n\nfunc A( {}\n// \0\n")
    assert later.first_problem.endswith("missing )") and later.syntax_problems == 2


def test_a_file_parser_10_summed_up_is_parsed_again_for_its_nul_byte(tmp_path):
    """Parser version 10 stored a NUL byte inside a comment as no syntax problem, and its records
    were reused as they were once NUL was named: the same file was an error in a new index and
    fine in an old one. Records of version 10 are made again."""
    repo = tmp_path / "nul"
    repo.mkdir()
    (repo / "go.mod").write_text("module example.com/nul\n\ngo 1.19\n")
    (repo / "a.go").write_bytes(b"package a\n\n// a\0b\nfunc A() {}\n")
    _commit_new_repo(repo, "nul")
    home = tmp_path / "home"
    fetch_and_index(repo, home)
    db = sqlite3.connect(home / "index.sqlite")
    # What version 10 stored for the file before NUL bytes were named.
    db.execute("UPDATE blobs SET parser_version = 10, syntax_problems = 0, first_problem = NULL")
    db.commit()
    db.close()
    (repo / "b.go").write_text("package a\n\nfunc B() {}\n")
    _git(repo, "add", "b.go")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "b")
    summary = fetch_and_index(repo, home)
    assert summary.syntax_errors == [("a.go", "3:5 invalid NUL character")]


def test_a_tree_with_no_go_file_is_warned_about_not_summed_up_as_indexed(tmp_path, capsys,
                                                                          monkeypatch):
    """`fetch kubernetes --from` a repository that is not Go at all (a docs repository, the
    wrong folder) indexed it with exit 0 and a summary of zeros, and every query then found
    nothing: a warning names the commit, where it was read, and what to fetch instead."""
    repo = tmp_path / "website"
    repo.mkdir()
    (repo / "README.md").write_text("# Kubernetes docs\n")
    _commit_new_repo(repo, "docs")
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(repo), "--ref", "HEAD", "-q",
                 "--url", "https://example.com/website"]) == 0
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                            text=True, check=True).stdout.strip()
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot"]) == 0
    assert capsys.readouterr().err == (
        f"kubeatlas: warning: kubernetes: {commit[:12]} in {repo.resolve() / '.git'} has no Go "
        "file, so nothing was indexed: fetch kubernetes from its own repository, `kubeatlas "
        "fetch kubernetes --from PATH|URL`\n")


def test_a_fetched_repository_that_is_gone_is_named_with_the_cure(kube_repo, tmp_path, capsys,
                                                                   monkeypatch):
    """The local clone or mirror `fetch` recorded was deleted or moved: `index` says which and
    what to run, rather than git's "fatal: not a git repository" about a path. A repository read
    in place is fetched again from where it is now: a plain `fetch kubernetes` would clone the
    pinned upstream instead."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q",
                 "--url", "https://example.com/k"]) == 0
    git_dir = sources.load_checkouts(Workspace(tmp_path / "home"))["kubernetes"].git_dir
    kube_repo.rename(tmp_path / "moved")
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot"]) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: kubernetes: the local repository `fetch` read in place, {git_dir}, is "
        "gone: fetch it from where it is now, `kubeatlas fetch kubernetes --from PATH --ref HEAD "
        "--url https://example.com/k`\n")


def test_a_recorded_commit_pruned_from_its_repository_is_named_with_the_cure(kube_repo, tmp_path,
                                                                            capsys, monkeypatch):
    """A local repository fetched, then amended and pruned (`git commit --amend`, `git gc
    --prune=now`), said only "…/.git: 2c60d4f8…: fatal: not a tree object"."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    commit = capsys.readouterr().out.split("\t")[2]
    _git(kube_repo, "commit", "--quiet", "--amend", "-m", "amended")
    _git(kube_repo, "reflog", "expire", "--expire=now", "--all")
    _git(kube_repo, "gc", "--quiet", "--prune=now")
    assert main(["index", "-q", "--no-goroot"]) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: kubernetes: the commit `fetch` recorded, {commit[:12]}, is no longer in "
        f"{kube_repo / '.git'} (its history rewritten, or pruned by git gc): run `kubeatlas fetch "
        "kubernetes` again\n")


@pytest.mark.parametrize("other", ["another program's database", "meta dropped", "meta emptied"])
def test_an_sqlite_file_that_is_no_kubeatlas_index_is_moved_aside_untouched(other, kube_repo,
                                                                            tmp_path, capsys,
                                                                            monkeypatch):
    """An SQLite file without a schema version (another program's, or an index that lost it) is
    not written into: queries call it damaged, and `index` moves it aside as it was (its tables
    only its own) and builds a new index, as the query's line promised."""
    home = tmp_path / "home"
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q",
                 "--url", "https://example.com/k"]) == 0
    index = home / "index.sqlite"
    if other == "another program's database":
        db = sqlite3.connect(index)
        db.execute("CREATE TABLE notes (text)")
    else:
        assert main(["index", "-q", "--no-goroot"]) == 0
        db = sqlite3.connect(index)
        db.execute("DROP TABLE meta" if other == "meta dropped" else "DELETE FROM meta")
    db.commit()
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    capsys.readouterr()
    assert main(["find", "Scheduler"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: index {index}: damaged (no schema version: not a kubeatlas index); "
        "`kubeatlas index` moves it aside and builds a new one\n")
    assert main(["index", "-q", "--no-goroot"]) == 0
    assert "was damaged (no schema version: not a kubeatlas index): moved it to" in capsys.readouterr().err
    (aside,) = [p for p in home.glob("index.sqlite.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    db = sqlite3.connect(aside)
    assert {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == tables
    db.close()
    assert main(["find", "Scheduler"]) == 0


def test_more_jobs_than_work_start_only_the_processes_there_is_work_for(kube_repo, tmp_path,
                                                                       monkeypatch):
    """`-j 1000000` (a slip, or a script's huge default) parses with one process per chunk of
    blobs at most, rather than asking to fork a million parsers."""
    import multiprocessing

    from analyzer import indexer

    pools = []
    fork = multiprocessing.get_context("fork")
    real_pool = fork.Pool

    def pool(processes, *args):
        pools.append(processes)
        return real_pool(min(processes, 2), *args)

    monkeypatch.setattr(fork, "Pool", pool)
    monkeypatch.setattr(indexer, "CHUNK", 4)
    summary = fetch_and_index(kube_repo, tmp_path / "home", jobs=10**6)
    assert pools == [-(-summary.go_files // 4)] and sum(summary.edges.values()) > 100


def test_an_index_that_fills_the_disk_is_one_line_and_keeps_the_previous_index(kube_repo, tmp_path,
                                                                              capsys, monkeypatch):
    """A home on a full disk ended `kubeatlas index` in a traceback ending "sqlite3.
    OperationalError: database or disk is full" (SQLite reports no errno for the CLI to read).
    The disk fills here by SQLite's page limit, as it does on a tiny tmpfs."""
    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot", "--json"]) == 0
    (first,) = json.loads(capsys.readouterr().out)
    connect = store._connect

    def full_disk(path, create):
        db = connect(path, create)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        return db

    monkeypatch.setattr(store, "_connect", full_disk)
    assert main(["index", "-q", "--no-goroot", "--tests"]) == 1
    index = tmp_path / "home" / "index.sqlite"
    assert capsys.readouterr().err == (
        f"kubeatlas: error: {index}: database or disk is full: free some space there, or give "
        "--home (or $KUBEATLAS_HOME) a folder on another disk\n")
    monkeypatch.setattr(store, "_connect", connect)
    assert main(["index", "-q", "--no-goroot", "--json"]) == 0
    (again,) = json.loads(capsys.readouterr().out)
    assert again["already_indexed"] and again["edges"] == first["edges"]


def _no_file_may_grow():
    """In a child before exec: any write that extends a file fails with EFBIG, as a write to a
    full disk fails with ENOSPC (SIGXFSZ ignored, or it would kill the process)."""
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_a_query_on_a_full_disk_reads_the_index_it_cannot_write_beside(kube_repo, tmp_path):
    """A query writes nothing, but SQLite opens a WAL index by making its -shm file beside it:
    on a full disk `find` failed with "disk I/O error ... free some space" where the index was
    whole and readable. With no transaction waiting in a WAL, the file is read as it is."""
    home = tmp_path / "home"
    fetch_and_index(kube_repo, home)
    assert not Path(f"{home / 'index.sqlite'}-shm").exists()  # the last connection removed it
    found = subprocess.run([sys.executable, "-m", "analyzer.cli", "find", "kube-scheduler.main",
                            "--home", str(home)], capture_output=True, text=True, timeout=120,
                           preexec_fn=_no_file_may_grow)
    assert (found.returncode, found.stderr) == (0, "")
    assert found.stdout == "k8s.io/kubernetes/cmd/kube-scheduler.main\n"


def test_parser_processes_are_at_most_one_per_core(kube_repo, tmp_path, capsys, monkeypatch):
    """`-j 100000` forked as many parsers as there were chunks of blobs, each a copy of the
    indexer, with no word said: -j is capped at the cores this process may run on, in a warning."""
    from analyzer import indexer

    monkeypatch.setenv("KUBEATLAS_HOME", str(tmp_path / "home"))
    asked = []
    parse_all = indexer._parse_all
    monkeypatch.setattr(indexer, "_parse_all",
                        lambda source, blobs, jobs: asked.append(jobs) or parse_all(source, blobs, jobs))
    assert main(["fetch", "kubernetes", "--from", str(kube_repo), "--ref", "HEAD", "-q"]) == 0
    capsys.readouterr()
    assert main(["index", "-q", "--no-goroot", "-j", "100000"]) == 0
    cores = len(os.sched_getaffinity(0))
    assert capsys.readouterr().err == (f"kubeatlas: warning: -j 100000: {cores} parser processes, "
                                       "one per core this process may use\n")
    assert asked and set(asked) == {cores}


def test_the_lock_holder_is_asked_for_only_where_struct_flock_is_laid_out_as_on_linux(tmp_path, monkeypatch):
    """F_GETLK's answer is unpacked as Linux's struct flock; elsewhere (macOS and the BSDs put
    l_type at another offset) no holder is reported rather than a wrong one."""
    from analyzer import workspace
    index_path = tmp_path / "index.sqlite"
    holder = _hold_writer_lock(index_path)
    try:
        assert workspace.held_by(index_writer_lock(index_path)) is not None
        monkeypatch.setattr(workspace.sys, "platform", "darwin")
        assert workspace.held_by(index_writer_lock(index_path)) is None
    finally:
        holder.kill()
        holder.wait()


def test_a_query_during_a_first_index_says_it_is_being_indexed(etcd_repo, tmp_path, capsys,
                                                              monkeypatch):
    """A query while the first `kubeatlas index` ran said "no index yet: run `kubeatlas index`",
    as if none were running: it says that one is, since when, and to query once it has finished.
    Once no indexer holds the lock, the line is the usual one again."""
    home = tmp_path / "home"
    monkeypatch.setenv("KUBEATLAS_HOME", str(home))
    index_path = Workspace(home).index_path
    for before in ([], ["index"]):  # no index file yet; an index holding only etcd
        if before:
            assert main(["fetch", "etcd", "--from", str(etcd_repo), "--ref", "HEAD", "-q"]) == 0
            assert main(["index", "-q", "--no-goroot"]) == 0
            assert index_writer_lock(index_path).read_text() == ""  # the note goes with the lock
            capsys.readouterr()
        holder = _hold_writer_lock(index_path)
        try:
            assert main(["find", "Run"]) == 1
            err = capsys.readouterr().err
        finally:
            holder.kill()
            holder.wait()
        assert err.startswith(f"kubeatlas: error: index {index_path}: kubernetes is not indexed "
                              "yet: `kubeatlas index` is indexing (started at 20"), err
        assert err.endswith(f" UTC by process {holder.pid}); query once it has finished\n")
        assert main(["find", "Run"]) == 1
        assert "is indexing" not in capsys.readouterr().err  # a writer killed with -9 left its note
