"""`kubeatlas index`: one fetched commit → facts of every Go file and its call graph, indexed.

The commit's tree is listed from git; blobs the index already holds (from any commit) are reused,
the rest are read and parsed by a pool of processes, one per core, and saved in batches as they
arrive, so an interrupted run keeps the work it did. The facts of the blobs parsed now are decoded
for the resolver as they arrive too, while the pool works on, rather than read back from the index
after it: all but their function bodies' (`facts.Declarations`), which the resolver decodes file by
file as it resolves each one. The call graph is then resolved against the standard library when a
Go installation is found, the files' call sites shared among as many processes. The graph is
written while the resolver still works (the symbols and the first share's edges while other
processes resolve call sites, the other edges while another process finds the implementations of
the interfaces called, the implementations and the rest while another process works out the command
programs, the tables' indexes from then on, in a thread), but the commit becomes visible only at
the end, in one transaction, with its files, module map, symbols and edges.
"""
from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from analyzer import stdlib, store
from analyzer.buildtags import COMMANDS, BuildContext, describe, tags_named
from analyzer.errors import DamagedIndex, IndexError_, OutdatedIndex
from analyzer.facts import FileFacts, decode_declarations, encode_declarations, encode_row
from analyzer.gitobjects import BlobReader, TreeEntry, list_tree
from analyzer.manifest import load_manifest
from analyzer.modules import build_module_map
from analyzer.parse import parse_rows
from analyzer.parseversion import PARSER_VERSION
from analyzer.progress import Progress
from analyzer.resolve import resolve
from analyzer.sources import Checkout
from analyzer.stdlib import GoRoot
from analyzer.workspace import exclusive, index_writer_lock

CHUNK = 32  # blobs per task handed to a parser process
SAVE_EVERY = 512  # parsed blobs per write transaction
LISTED = 10  # problem files named in the text summary; --json lists them all


@dataclass
class IndexSummary:
    repo: str
    ref: str
    commit: str
    go_files: int = 0
    parsed_now: int = 0
    reused: int = 0
    packages: int = 0
    funcs: int = 0
    calls: int = 0
    syntax_errors: list[tuple[str, str]] = field(default_factory=list)  # (path, first problem)
    # (path, exception) of files the parser failed on in this run: kubeatlas' bugs, not the
    # user's syntax errors; their facts are not saved, so the next run parses them again.
    parser_failed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_utf8: list[str] = field(default_factory=list)
    symlinks: int = 0  # in the whole tree, Go or not
    outside_modules: int = 0  # Go files no go.mod covers: no import path, so never resolved
    nameless_modules: dict[str, int] = field(default_factory=dict)  # go.mod naming no module →
    # the Go files below it, which have no import path either
    library: str = ""  # the Go version whose standard library calls resolve into, if any
    no_library: str = "no Go installation given"  # why, when there is no `library`
    build: str = ""  # the GOOS/GOARCH+tags each command's program is built for
    programs: dict[str, int] = field(default_factory=dict)  # command → packages it links
    implements: int = 0  # (interface method, implementation) pairs found by method sets
    symbols: int = 0
    edges: dict[str, int] = field(default_factory=dict)  # edge kind → count
    resolve_seconds: float = 0.0
    library_seconds: float = 0.0  # spent indexing the standard library in this run
    seconds: float = 0.0
    already_indexed: bool = False
    unnamed_tags: list[str] = field(default_factory=list)  # --tags no build constraint names

    def as_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        state = "already indexed" if self.already_indexed else (
            f"indexed in {self.seconds:.1f} s ({self.resolve_seconds:.1f} s resolving)")
        lines = [
            f"{self.repo} {self.ref} ({self.commit[:12]}): {state}",
            f"  Go files        {self.go_files:>9,}  ({self.parsed_now:,} parsed now, "
            f"{self.reused:,} with facts already in the index)",
            f"  packages        {self.packages:>9,}",
            f"  functions       {self.funcs:>9,}",
            f"  call sites      {self.calls:>9,}",
            f"  symbols         {self.symbols:>9,}",
            f"  call edges      {sum(self.edges.values()):>9,}  "
            + ", ".join(f"{kind} {count:,}" for kind, count in sorted(self.edges.items())),
            f"  implementations {self.implements:>9,}  (interface method, concrete method) pairs",
            f"  programs        {len(self.programs):>9,}  built for {self.build}: "
            + (", ".join(f"{name} ({count:,} packages)" for name, count in self.programs.items())
               or "no command of the manifest in this commit"),
            f"  standard library {self.library or f'not indexed ({self.no_library})'}",
            f"  syntax errors   {len(self.syntax_errors):>9,}  files",
            f"  missing blobs   {len(self.missing):>9,}  files absent from the object store",
            f"  not UTF-8       {len(self.not_utf8):>9,}  files (read with replacement)",
            *([f"  parser failed   {len(self.parser_failed):>9,}  files (not indexed; "
               "parsed again next run)"] if self.parser_failed else []),
            f"  symlinks        {self.symlinks:>9,}  not followed",
            f"  outside modules {self.outside_modules:>9,}  files no go.mod covers: not resolved"
            + (f" ({sum(self.nameless_modules.values()):,} under a go.mod naming no module)"
               if self.nameless_modules else " (a tree from before Go modules?)"
               if self.outside_modules > self.go_files // 2 else ""),
        ]
        for title, items in (("syntax errors", [f"{p}:{where}" for p, where in self.syntax_errors]),
                             ("missing", self.missing), ("not UTF-8", self.not_utf8),
                             (f"parser failed on {len(self.parser_failed)} files",
                              [f"{p}: {error}" for p, error in self.parser_failed])):
            if items:
                lines.append(f"  {title}:")
                lines.extend(f"    {item}" for item in items[:LISTED])
                if len(items) > LISTED:
                    lines.append(f"    … and {len(items) - LISTED} more (--json lists all)")
        return "\n".join(lines)


def is_indexed_go_file(entry: TreeEntry, include_tests: bool) -> bool:
    return entry.path.endswith(".go") and (include_tests or not entry.path.endswith("_test.go"))


# --- the trees it reads ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TreeSource:
    """Where blobs come from: a git directory (a fetched checkout) or a GOROOT on disk. Plain
    data, so that each parser process can open its own reader."""

    git_dir: str | None = None
    goroot: str | None = None

    def open(self):
        return _GitReader(self.git_dir) if self.git_dir else _GoRootReader(GoRoot(self.goroot))


class _GitReader(BlobReader):
    def read(self, sha: str, path: str) -> bytes | None:  # git needs no path: the SHA names it
        return super().read(sha)


class _GoRootReader:
    def __init__(self, goroot: GoRoot):
        self.goroot = goroot

    def read(self, sha: str, path: str) -> bytes | None:
        return self.goroot.read(path)

    def close(self) -> None:
        pass


# --- the parser processes ------------------------------------------------------------------------

_reader = None


def _start_worker(source: TreeSource) -> None:
    global _reader
    _reader = source.open()


def _start_pool_worker(source: TreeSource) -> None:
    """A pool worker leaves interruption to the writer: a Ctrl-C reaches the whole process group,
    and the writer answers it by terminating the pool (with SIGTERM, whose default action must
    stay, not a handler the writer installed before forking)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The collector stays off, as the writer forked the pool: parsing a file makes no reference
    # cycles (its trees, rows and records are freed by reference counting), so the collector
    # would only scan, again and again, the objects inherited from the writer and each file's
    # rows, touching pages the worker shares with the writer (3% of a parse's CPU, measured).
    _start_worker(source)


@dataclass(frozen=True)
class ParserFailure:
    """A blob the parser raised on: a kubeatlas bug, which one file must not turn into a failed
    index of thousands."""
    sha: str
    error: str  # "IndexError: list index out of range"


ParseResult = tuple[store.BlobRecord, bytes] | ParserFailure | str


def _parse_blobs(blobs: list[tuple[str, str]]) -> list[ParseResult]:
    """Parse each (sha, path) into its record and its declarations (`encode_declarations`); a
    blob the object store lacks comes back as its bare SHA, one the parser fails on as a
    `ParserFailure`. Running out of memory is no parser bug: it stops the index."""
    out: list[ParseResult] = []
    for sha, path in blobs:
        source = _reader.read(sha, path)
        if source is None:
            out.append(sha)
            continue
        try:
            row = parse_rows(source)
        except MemoryError:
            raise
        except Exception as error:  # noqa: BLE001 - any parser bug, reported with the file
            out.append(ParserFailure(sha, f"{type(error).__name__}: {error}"))
            continue
        out.append((blob_record(sha, source, row), encode_declarations(row)))
    return out


def blob_record(sha: str, source: bytes, row: tuple | None = None) -> store.BlobRecord:
    """The record of a blob, from its `row` when it was parsed already."""
    if row is None:
        row = parse_rows(source)
    (package, build_constraint, generated, _, _, funcs, _, calls, *_, problems) = row
    try:
        source.decode("utf-8")
        not_utf8 = False
    except UnicodeDecodeError:
        not_utf8 = True
    first = problems[0] if problems else None  # a SyntaxProblem row: line, col, what
    count = len(problems)
    nul = _nul_character(source)
    if nul is not None and (first is None or nul <= first[:2]):
        # tree-sitter reads a NUL as any other byte and calls the place only "error" (or
        # nothing, inside a comment); `go build` refuses the file there, in these words.
        count += first is None or nul != first[:2]
        first = (*nul, "invalid NUL character")
    return store.BlobRecord(
        sha, encode_row(row), package, len(funcs), len(calls), count,
        f"{first[0]}:{first[1]} {first[2]}" if first else None, not_utf8, generated,
        build_constraint)


def _nul_character(source: bytes) -> tuple[int, int] | None:
    """Line and byte column (from 1) of the first NUL byte in `source`, if it holds one."""
    at = source.find(b"\0")
    if at < 0:
        return None
    return source.count(b"\n", 0, at) + 1, at - source.rfind(b"\n", 0, at)


def _parse_all(source: TreeSource, blobs: list[tuple[str, str]],
               jobs: int) -> Iterator[ParseResult]:
    chunks = [blobs[i:i + CHUNK] for i in range(0, len(blobs), CHUNK)]
    if jobs <= 1 or len(chunks) <= 1:
        _start_worker(source)
        try:
            for chunk in chunks:
                yield from _parse_blobs(chunk)
        finally:
            _reader.close()
        return
    with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks)), _start_pool_worker,
                                                  (source,)) as pool:
        for results in pool.imap_unordered(_parse_blobs, chunks):
            yield from results


# --- the stage -----------------------------------------------------------------------------------

def index_checkout(index_path: Path, checkout: Checkout, include_tests: bool = False,
                   jobs: int | None = None, progress: Progress | None = None,
                   goroot: Path | None = None,
                   build: BuildContext = COMMANDS) -> IndexSummary:
    """Parse a fetched commit, resolve its call graph (against the standard library of `goroot`
    when given; each command's program as `build` builds it) and make both visible at once."""
    progress = progress or Progress(quiet=True)
    jobs = jobs or os.cpu_count() or 1
    started = time.monotonic()
    with _writer_lock(index_path):
        try:
            return _index(index_path, checkout, include_tests, jobs, progress, goroot, build,
                          started)
        except (DamagedIndex, OutdatedIndex) as err:
            damage = err.damage
            outdated = err.schema if isinstance(err, OutdatedIndex) else None
            what = "was made by an older kubeatlas" if outdated is not None else "was damaged"
        except sqlite3.DatabaseError as err:
            if not store.is_damage(err):
                raise
            damage, what, outdated = str(err), "was damaged", None
        # Nothing in a damaged index can be trusted, the blobs' facts included, and an outdated
        # one's facts are in a shape this kubeatlas does not read: start afresh, keeping the file.
        aside = store.move_aside(index_path, schema=outdated)
        progress.warn(f"index {index_path} {what} ({damage}): moved it to {aside.name} "
                      "and building a new one")
        return _index(index_path, checkout, include_tests, jobs, progress, goroot, build, started)


def _writer_lock(index_path: Path):
    """One writer at a time: a second `kubeatlas index` on the same index would drop the first
    one's commit in progress. Readers never take it. Killed with -9, a writer frees it at once,
    whatever its parse workers are still doing."""
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return exclusive(index_writer_lock(index_path), IndexError_(
        str(index_path), "another `kubeatlas index` is writing it; wait for that one to finish"),
        note=f"started at {started} by process {os.getpid()}")


def _index(index_path: Path, checkout: Checkout, include_tests: bool, jobs: int,
           progress: Progress, goroot: Path | None, build: BuildContext,
           started: float) -> IndexSummary:
    db = store.connect(index_path, create=True)
    stack = ExitStack()  # what must be undone if indexing stops: a graph half written
    try:
        store.check_reported(db, index_path)
        library = _index_library(db, GoRoot(str(goroot)), jobs, progress) if goroot else None
        summary = IndexSummary(checkout.name, checkout.ref, checkout.commit,
                               library=library.ref if library else "",
                               library_seconds=time.monotonic() - started)
        entries = list_tree(checkout.git_dir, checkout.commit)
        summary.symlinks = sum(e.symlink for e in entries)
        go_entries = [e for e in entries if is_indexed_go_file(e, include_tests)]
        key = store.CommitKey(checkout.name, checkout.commit, include_tests, summary.library,
                              describe(build))
        done = store.find_complete(db, key)
        if done is not None:
            summary.already_indexed = True
            store.touch(db, done.id)  # asked for again: it is the current index of its repo
            with _stored(checkout.name):
                _fill_counts(db, done.id, summary)
                summary.unnamed_tags = _unnamed_tags(db, build, done.id, library)
            return summary

        commit_id = store.begin_commit(db, key, checkout.ref, checkout.remote_url)
        modules = _module_map(checkout.git_dir, entries)
        source = TreeSource(git_dir=checkout.git_dir)
        # Facts decoded while the pool parses live until resolution ends: the collector is off
        # from the start, or it would scan them over and over as they pile up.
        with _without_gc():
            parsed: dict[str, FileFacts] = {}
            unread = _parse_entries(db, source, go_entries, jobs, progress, checkout.name,
                                    summary, parsed)
            files = [store.FileRecord(e.path, e.blob_sha, modules.import_path_of(e.path),
                                      _status(e, unread)) for e in go_entries]

            progress.note(f"{checkout.name}: resolving the call graph …")
            resolve_started = time.monotonic()
            # The standard library is resolved with the repository, so that paths can run
            # through it (net/http's server calling a Handler); its call sites are named by
            # stdlib.site_path, which permalinks take to the Go repository.
            library_files = ((record._replace(path=stdlib.site_path(library.ref, record.path)), facts)
                             for record, facts in (store.file_facts(db, library.id, bodies=False)
                                                   if library else ()))
            # The symbols and the first share's edges are stored while other processes still
            # resolve call sites, rather than after resolution, when one core would idle, and
            # the implementations while another process works out the command programs (with
            # -j 1, after the programs, while a thread made the symbols' and edges' indexes); the
            # transaction that begins then makes the commit visible at the end, or rolls back.
            writer = stack.enter_context(store.GraphWriter(
                db, commit_id, files, [(m.path, m.dir) for m in modules.modules]))
            # Read lazily, so that reading the facts counts as the resolver's first stage.
            resolution = resolve(itertools.chain(store.file_facts_of(db, files, parsed),
                                                 library_files), (),
                                 commands_of(checkout.name), build,
                                 _resolve_progress(progress, checkout.name), processes=jobs,
                                 partial=lambda so_far, complete: writer.write(
                                     so_far.symbols, so_far.edges, complete),
                                 before_programs=lambda so_far: writer.write_found(
                                     so_far.implements, so_far.annotations, so_far.signatures))
            parsed.clear()  # the resolver is done with them: freed before the graph is written
        summary.resolve_seconds = time.monotonic() - resolve_started
        # Tens of seconds on Kubernetes, which a log should not show as the resolver's last stage.
        progress.note(f"{checkout.name}: storing the call graph in the index …")
        writer.finish(resolution.symbols, resolution.edges, resolution.implements,
                      resolution.annotations, resolution.programs, resolution.signatures)
        with _stored(checkout.name):
            del resolution
            gc.unfreeze()  # what resolution froze is garbage now, or soon; let the collector see it
            _fill_counts(db, commit_id, summary)
            summary.seconds = time.monotonic() - started
            summary.unnamed_tags = _unnamed_tags(db, build, commit_id, library)
        return summary
    finally:
        stack.close()
        db.close()


@contextmanager
def _stored(repo: str):
    """Mark a Ctrl-C or SIGTERM felt once the commit is the current index of `repo` (freeing the
    resolver's objects and counting the summary take seconds on Kubernetes) with `stored`, so
    that the CLI says `repo` was indexed instead of that its previous index stands."""
    try:
        yield
    except BaseException as stop:
        stop.stored = repo
        raise


def _resolve_progress(progress: Progress, repo: str):
    """The resolver's stages as progress lines:
    `kubernetes: resolving the call graph, call sites: 812/12691 files (6%)`."""
    def report(stage: str, done: int | None, total: int, unit: str) -> None:
        progress.update(f"{repo}: resolving the call graph, {stage}", done, total, unit)
    return report


def commands_of(repo: str) -> list[tuple[str, str]]:
    """(component, main package) of each command the manifest names in `repo`, every era's
    spelling in turn: `resolve` gives the first that the commit has its own program."""
    pairs = []
    for component in load_manifest():
        if component.repo == repo and component.entrypoints:
            pairs.extend((component.name, name.removesuffix(".main"))
                         for name in component.entrypoints[0].names if name.endswith(".main"))
    return pairs


@contextmanager
def _without_gc():
    """Resolution builds millions of small objects that all live until it ends; the cyclic
    garbage collector would scan them again and again (it doubled resolution time) and has
    nothing to free. They are frozen before it is enabled again, or its first full collection
    (seconds long) would scan them once more; refcounting still frees them."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _status(entry: TreeEntry, unread: dict[str, str]) -> str:
    if entry.symlink:
        return "symlink"
    return unread.get(entry.blob_sha, "parsed")


def _parse_entries(db, source: TreeSource, entries: list[TreeEntry], jobs: int,
                   progress: Progress, repo: str, summary: IndexSummary | None = None,
                   parsed: dict[str, FileFacts] | None = None) -> dict[str, str]:
    """Parse the entries whose blobs the index lacks; return the SHAs that could not be read or
    parsed, with their status ("missing", "unparsed"). `parsed`, when given, gets the decoded
    facts of each blob parsed (see `_parse_into`)."""
    known = store.known_blobs(db, PARSER_VERSION)
    todo: dict[str, str] = {}
    reused = 0
    for entry in entries:
        if entry.symlink:
            continue
        if entry.blob_sha in known:
            reused += 1
        else:
            todo.setdefault(entry.blob_sha, entry.path)
    missing, failed = _parse_into(db, source, sorted(todo.items()), jobs, progress, repo, parsed)
    if summary is not None:
        summary.reused = reused
        summary.parsed_now = len(todo) - len(missing) - len(failed)
        summary.parser_failed = [(e.path, failed[e.blob_sha]) for e in entries
                                 if e.blob_sha in failed and not e.symlink]
    return {**dict.fromkeys(missing, "missing"), **dict.fromkeys(failed, "unparsed")}


def _index_library(db, goroot: GoRoot, jobs: int, progress: Progress) -> store.CommitRecord:
    """The standard library's files and facts, indexed once per Go version."""
    version = goroot.version
    key = store.CommitKey(stdlib.REPO, version, False, "")
    done = store.find_complete(db, key)
    if done is not None:
        return done
    entries = goroot.entries()
    commit_id = store.begin_commit(db, key, version, stdlib.REMOTE)
    unread = _parse_entries(db, TreeSource(goroot=goroot.root), entries, jobs, progress,
                            f"standard library {version}")
    files = [store.FileRecord(e.path, e.blob_sha, stdlib.import_path_of(e.path),
                              _status(e, unread)) for e in entries]
    store.finish_commit(db, commit_id, files, (), (), ())
    progress.note(f"indexed the standard library {version}: {len(files):,} files")
    unparsed = sorted(e.path for e in entries if unread.get(e.blob_sha) == "unparsed")
    if unparsed:
        progress.warn(f"standard library {version}: the parser failed on {len(unparsed)} files "
                      f"({', '.join(unparsed[:3])}{', …' if len(unparsed) > 3 else ''}); "
                      "they are parsed again next run")
    # Not find_complete's answer: it passes over a commit with files the parser failed on.
    return store.CommitRecord(commit_id, key.repo, key.sha, version, stdlib.REMOTE,
                              key.include_tests)


def _nameless_modules(db, commit_id: int) -> dict[str, int]:
    """Each go.mod of the commit that names no module (and no `replace` names), with the Go
    files it is the nearest go.mod of: they have no import path, as files outside modules."""
    modules = dict(db.execute("SELECT dir, path FROM modules WHERE commit_id = ?", (commit_id,)))
    if "" not in modules.values():
        return {}
    found: dict[str, int] = {}
    for (path,) in db.execute("SELECT path FROM files WHERE commit_id = ? AND status = 'parsed' "
                              "AND import_path IS NULL", (commit_id,)):
        directory = path.rpartition("/")[0]
        while directory not in modules and directory:
            directory = directory.rpartition("/")[0]
        if modules.get(directory) == "":
            go_mod = f"{directory}/go.mod" if directory else "go.mod"
            found[go_mod] = found.get(go_mod, 0) + 1
    return dict(sorted(found.items()))


def _module_map(git_dir: str, entries: list[TreeEntry]):
    """The tree's module map, from its go.mod, go.work and vendor/modules.txt blobs."""
    by_path = {e.path: e.blob_sha for e in entries if not e.symlink}
    with BlobReader(git_dir) as reader:
        return build_module_map(
            [e.path for e in entries], lambda path: reader.read(by_path[path]) if path in by_path
            else None)


def _parse_into(db, source: TreeSource, blobs: list[tuple[str, str]], jobs: int,
                progress: Progress, repo: str,
                parsed: dict[str, FileFacts] | None = None) -> tuple[set[str], dict[str, str]]:
    """Parse and save the given (sha, path) blobs; return the SHAs that could not be read, and
    those the parser failed on with the failure (not saved, so that a later run tries again).

    With `parsed`, each blob's facts are also decoded into it (SHA → facts) as they arrive. The
    resolver would otherwise read them back from the index once the parse is over, alone on one
    core (3.5 CPU s on Kubernetes); here the decoding shares the cores with the pool instead."""
    missing: set[str] = set()
    failed: dict[str, str] = {}
    batch: list[store.BlobRecord] = []
    for count, result in enumerate(_parse_all(source, blobs, jobs), 1):
        if isinstance(result, str):
            missing.add(result)
        elif isinstance(result, ParserFailure):
            failed[result.sha] = result.error
        else:
            record, declared = result
            batch.append(record)
            if parsed is not None:
                parsed[record.sha] = decode_declarations(record.facts, declared)
        if len(batch) >= SAVE_EVERY:
            store.save_blobs(db, PARSER_VERSION, batch)
            batch = []
        progress.update(f"{repo}: parsing", count, len(blobs), "files")
    if batch:
        store.save_blobs(db, PARSER_VERSION, batch)
    return missing, failed


def _unnamed_tags(db, build: BuildContext, commit_id: int,
                  library: store.CommitRecord | None) -> list[str]:
    """The --tags no build constraint of the commit's files, or its standard library's, names:
    most likely mistyped, since they change no file."""
    constraints = db.execute(
        "SELECT DISTINCT b.build_constraint FROM files f JOIN blobs b ON b.sha = f.blob_sha "
        "WHERE f.commit_id IN (?, ?) AND b.build_constraint IS NOT NULL",
        (commit_id, library.id if library else None))
    named = {tag for (constraint,) in constraints for tag in tags_named(constraint)}
    return sorted(build.tags - named)


def _fill_counts(db, commit_id: int, summary: IndexSummary) -> None:
    """Summary figures of a stored commit, from the index alone."""
    statuses = dict(db.execute(
        "SELECT status, count(*) FROM files WHERE commit_id = ? GROUP BY status", (commit_id,)))
    summary.go_files = sum(statuses.values())
    if summary.already_indexed:
        summary.reused = statuses.get("parsed", 0)
    summary.missing = [p for (p,) in db.execute(
        "SELECT path FROM files WHERE commit_id = ? AND status = 'missing' ORDER BY path",
        (commit_id,))]
    packages, funcs, calls = db.execute(
        "SELECT count(DISTINCT f.import_path), coalesce(sum(b.funcs), 0), "
        "coalesce(sum(b.calls), 0) FROM files f JOIN blobs b ON b.sha = f.blob_sha "
        "WHERE f.commit_id = ? AND f.status = 'parsed'", (commit_id,)).fetchone()
    summary.packages, summary.funcs, summary.calls = packages, funcs, calls
    summary.syntax_errors = list(db.execute(
        "SELECT f.path, b.first_problem FROM files f JOIN blobs b ON b.sha = f.blob_sha "
        "WHERE f.commit_id = ? AND b.syntax_problems > 0 ORDER BY f.path", (commit_id,)))
    summary.symbols, summary.edges = store.graph_counts(db, commit_id)
    summary.build = db.execute("SELECT build FROM commits WHERE id = ?", (commit_id,)).fetchone()[0]
    summary.implements = db.execute("SELECT count(*) FROM implements WHERE commit_id = ?",
                                    (commit_id,)).fetchone()[0]
    summary.programs = dict(db.execute(
        "SELECT program, count(*) FROM program_members WHERE commit_id = ? AND kind = 'package' "
        "GROUP BY program ORDER BY program", (commit_id,)))
    summary.outside_modules = db.execute(
        "SELECT count(*) FROM files WHERE commit_id = ? AND status = 'parsed' "
        "AND import_path IS NULL", (commit_id,)).fetchone()[0]
    summary.nameless_modules = _nameless_modules(db, commit_id)
    summary.not_utf8 = [p for (p,) in db.execute(
        "SELECT f.path FROM files f JOIN blobs b ON b.sha = f.blob_sha "
        "WHERE f.commit_id = ? AND b.not_utf8 ORDER BY f.path", (commit_id,))]
