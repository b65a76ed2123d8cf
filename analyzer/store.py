"""The SQLite index: what was analysed (repositories, commits, files) and the facts of every blob.

Facts are keyed by git blob SHA and parser version, so an unchanged file is never parsed twice,
whichever commit or repository it appears in. A commit becomes visible to readers only when the
transaction that marks it complete commits; until then readers keep seeing the previous one. The
database runs in WAL mode, so a reader can query while an index is being written, and a process
killed mid-index leaves the last complete commit (and every blob already parsed) intact.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import struct
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from typing import TYPE_CHECKING, NamedTuple

from analyzer.errors import DamagedIndex, IndexError_, OutdatedIndex
from analyzer.graph import Annotation, Edge, Implements, Symbol
from analyzer.parseversion import PARSER_VERSION
from analyzer.resolve import RESOLVER_VERSION

if TYPE_CHECKING:
    from analyzer.facts import FileFacts

# The parser (tree-sitter, its query) and the facts codec are imported by the functions that
# write or decode facts, not here: a query process reads the graph tables only, and starts faster
# without them.

SCHEMA_VERSION = 4
UPGRADABLE = (2, 3)  # schemas this one extends (tables, a column): upgraded in place by `index`

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
    sha TEXT PRIMARY KEY,
    parser_version INTEGER NOT NULL,
    facts BLOB NOT NULL,
    package TEXT,
    funcs INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    syntax_problems INTEGER NOT NULL,
    first_problem TEXT,            -- "line:col what" of the first syntax problem
    not_utf8 INTEGER NOT NULL,
    generated INTEGER NOT NULL,
    build_constraint TEXT
);
CREATE TABLE IF NOT EXISTS commits (
    id INTEGER PRIMARY KEY,
    repo TEXT NOT NULL,            -- "kubernetes" or "etcd"
    sha TEXT NOT NULL,
    ref TEXT NOT NULL,
    remote_url TEXT NOT NULL,
    include_tests INTEGER NOT NULL,
    library TEXT NOT NULL,         -- the Go version whose standard library was resolved against
    build TEXT NOT NULL DEFAULT 'linux/amd64',  -- GOOS/GOARCH+tags the programs were built for
    parser_version INTEGER NOT NULL,
    resolver_version INTEGER NOT NULL,
    started REAL NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS files (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    blob_sha TEXT NOT NULL,
    import_path TEXT,
    status TEXT NOT NULL,          -- "parsed", "missing" (blob absent from the store), "symlink",
                                   -- "unparsed" (the parser failed on it: no facts stored)
    PRIMARY KEY (commit_id, path)
);
CREATE TABLE IF NOT EXISTS modules (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    dir TEXT NOT NULL,
    PRIMARY KEY (commit_id, dir)
);
CREATE INDEX IF NOT EXISTS files_by_blob ON files (blob_sha);
-- Symbol names, paths and edge notes recur across edges and commits: stored once each.
CREATE TABLE IF NOT EXISTS names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- Every name spelled backwards: the names ending in a short form (`kubelet.(*Kubelet).Run`) are
-- one range of its key, where `LIKE '%…'` reads all the names.
CREATE TABLE IF NOT EXISTS names_reversed (
    reversed TEXT PRIMARY KEY,
    id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS symbols (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    name INTEGER NOT NULL,
    kind TEXT NOT NULL,
    package INTEGER NOT NULL,
    path INTEGER NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    doc TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS edges (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    caller INTEGER NOT NULL,
    callee INTEGER NOT NULL,
    kind TEXT NOT NULL,
    path INTEGER NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    confidence REAL NOT NULL,
    via INTEGER NOT NULL
);
-- The concrete methods an interface method's calls can reach (graph.Implements). Its flags:
-- bit 0 pointer only, bit 1 other platform, bit 2 test double.
CREATE TABLE IF NOT EXISTS implements (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    interface_method INTEGER NOT NULL,
    method INTEGER NOT NULL,
    type INTEGER NOT NULL,
    flags INTEGER NOT NULL
);
-- Functions whose value is taken, by function type: what a `signature` edge may run.
CREATE TABLE IF NOT EXISTS signatures (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    signature INTEGER NOT NULL,
    function INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS annotations (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    symbol INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
-- Each command's own program (resolve.rta): the packages it links, the types it creates.
CREATE TABLE IF NOT EXISTS programs (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    main_package TEXT NOT NULL,
    functions INTEGER NOT NULL,
    PRIMARY KEY (commit_id, name)
);
CREATE TABLE IF NOT EXISTS program_members (
    commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
    program TEXT NOT NULL,
    member INTEGER NOT NULL,
    kind TEXT NOT NULL             -- "package" (linked) or "type" (created in reachable code)
);
CREATE INDEX IF NOT EXISTS implements_by_interface ON implements (interface_method, commit_id);
CREATE INDEX IF NOT EXISTS implements_by_method ON implements (method, commit_id);
CREATE INDEX IF NOT EXISTS signatures_by_signature ON signatures (signature, commit_id);
CREATE INDEX IF NOT EXISTS annotations_by_symbol ON annotations (symbol, commit_id);
CREATE INDEX IF NOT EXISTS program_members_by_program ON program_members (commit_id, program);
CREATE INDEX IF NOT EXISTS program_members_by_member ON program_members (member, commit_id);
CREATE INDEX IF NOT EXISTS symbols_by_name ON symbols (name, commit_id);
CREATE INDEX IF NOT EXISTS edges_by_caller ON edges (caller, commit_id);
CREATE INDEX IF NOT EXISTS edges_by_callee ON edges (callee, commit_id);
"""


class BlobRecord(NamedTuple):
    """What the parse stage keeps of one Go blob: its encoded facts and the counts it reports."""

    sha: str
    facts: bytes  # encoded FileFacts
    package: str | None
    funcs: int
    calls: int
    syntax_problems: int
    first_problem: str | None
    not_utf8: bool
    generated: bool
    build_constraint: str | None


class CommitKey(NamedTuple):
    """What makes two indexes of a commit the same: with it, a second index does nothing."""

    repo: str
    sha: str
    include_tests: bool
    library: str
    build: str = "linux/amd64"  # buildtags.describe of the configuration resolved under


class CommitRecord(NamedTuple):
    """One indexed commit of a repository, and where its permalinks point."""

    id: int
    repo: str
    sha: str
    ref: str
    remote_url: str
    include_tests: bool


class FileRecord(NamedTuple):
    """A Go file of an indexed commit: its blob, package and status (parsed, missing,
    symlink, unparsed)."""

    path: str
    blob_sha: str
    import_path: str | None
    status: str


def connect(path: Path, create: bool = False) -> sqlite3.Connection:
    """Open the index (made empty when `create`); a damaged one raises `DamagedIndex`."""
    if not create and not path.exists():
        raise IndexError_(str(path), "no index yet: run `kubeatlas index` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    check_header(path)
    made = create and not path.exists()
    try:
        return _connect(path, create)
    except sqlite3.DatabaseError as err:
        if made:  # left, the file a disk too full for its schema stopped would read as damaged
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        if is_damage(err):
            raise DamagedIndex(str(path), str(err)) from None
        raise


def check_header(path: Path) -> None:
    """Raise `DamagedIndex` for a file that cannot be a whole SQLite database: empty, another kind
    of file, or shorter than its header says. SQLite itself would take an empty file for a new
    database and read a truncated one until it hits a missing page, deep inside some query."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        return
    if not header:
        raise DamagedIndex(str(path), "empty file")
    if not header.startswith(b"SQLite format 3\x00") or len(header) < 100:
        raise DamagedIndex(str(path), "not an SQLite database")
    page_size, = struct.unpack(">H", header[16:18])
    pages, = struct.unpack(">I", header[28:32])
    page_size = 65536 if page_size == 1 else page_size
    wal = Path(f"{path}-wal")
    # While a checkpoint copies the WAL into the file, the header may run ahead of the file's
    # size; with a WAL present, SQLite is left to judge.
    if pages * page_size > size and not (wal.exists() and wal.stat().st_size):
        raise DamagedIndex(str(path), f"truncated: {size:,} of {pages * page_size:,} bytes")


def report_damage(path: Path) -> None:
    """Leave word beside the index that a query met a damaged page, for `check_reported`. A
    damaged page is met only by the query that reads it: an index of an already indexed commit
    reads none of it."""
    with contextlib.suppress(OSError):  # a read-only home: the query's error still says what to do
        _damage_report(path).touch()


def check_reported(db: sqlite3.Connection, path: Path) -> None:
    """Where a query reported damage, raise `DamagedIndex` unless SQLite finds every page of the
    index sound (about 2 s a GB, too long to spend on every index)."""
    report = _damage_report(path)
    if not report.exists():
        return
    problem, = db.execute("PRAGMA quick_check(1)").fetchone()
    if problem != "ok":
        raise DamagedIndex(str(path), problem)
    report.unlink()


def _damage_report(path: Path) -> Path:
    return path.with_name(path.name + ".damage-seen")


def is_damage(err: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is corrupt or not a database (rather than busy or full)."""
    name = getattr(err, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "no such table" in str(err)


def move_aside(path: Path, schema: int | None = None) -> Path:
    """Rename a damaged index (and its WAL files) out of the way; return its new name. An index
    an older kubeatlas made (of `schema`) is not damaged, and its new name says which schema it
    is; that kubeatlas reads only `<home>/index.sqlite`, so to use it again the file must be
    renamed back or moved into a home of its own (`--home`). One moved aside earlier in the same
    second keeps its name: the new one takes the next free `.N`."""
    what = "damaged" if schema is None else f"schema{schema}"
    stem = f"{path.name}.{what}-{time.strftime('%Y%m%dT%H%M%S')}"
    aside = path.with_name(stem)
    for number in itertools.count(2):
        if not any(Path(f"{aside}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
            break
        aside = path.with_name(f"{stem}.{number}")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    _damage_report(path).unlink(missing_ok=True)
    return aside


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    if not create and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        # A shared, read-only index: nobody can write it, and a WAL reader would need to create
        # the -shm file beside it, so it is read as an immutable file.
        db = _immutable(path)
    else:
        # A writer's graph indexes are made in a thread of its own (GraphWriter), never while
        # another uses the connection.
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as err:
            # A full disk cannot take the -shm file a WAL reader maps: a query, which writes
            # nothing, reads the file as it is, when no writer left transactions in a WAL.
            db.close()
            if create or not _no_room_for_shm(err, path):
                raise
            db = _immutable(path)
        else:
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL is still crash-safe
    db.execute("PRAGMA foreign_keys=ON")
    # An index writes a million rows into indexed tables in one transaction; SQLite's default
    # 2 MB page cache spills and re-reads B-tree pages all along. Pages are only taken as needed.
    db.execute("PRAGMA cache_size=-262144")
    if create:
        with transaction(db):
            # What is there is judged before anything is added to it: another program's SQLite
            # file, or an index of a schema this one cannot read, is left exactly as it was.
            made = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
            found = _checked_version(db, path, readable=(SCHEMA_VERSION, *UPGRADABLE)) if made \
                else SCHEMA_VERSION
            # executescript() would commit on its own; statements one by one stay in this one.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                       (str(SCHEMA_VERSION),))
            if found in UPGRADABLE:
                _upgrade(db, found)
    _checked_version(db, path, readable=(SCHEMA_VERSION,))
    return db


def _immutable(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                           isolation_level=None)


def _no_room_for_shm(err: sqlite3.OperationalError, path: Path) -> bool:
    """Whether opening the index failed only for want of room for its -shm file, with no
    transaction waiting in its WAL (which an immutable reader would not see)."""
    name = getattr(err, "sqlite_errorname", "") or ""
    wal = Path(f"{path}-wal")
    return name.startswith(("SQLITE_IOERR", "SQLITE_FULL")) and not (wal.exists()
                                                                     and wal.stat().st_size)


def _checked_version(db: sqlite3.Connection, path: Path, readable: tuple[int, ...]) -> int:
    """The index's schema version if it is one of `readable`; otherwise the error that says what
    the file is: damaged (no number), newer, or older."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:  # no meta table: some other SQLite file
        row = None
    if row is None:
        raise DamagedIndex(str(path), "no schema version: not a kubeatlas index")
    try:
        version = int(row[0])
    except ValueError:  # no kubeatlas writes this: the file was edited or damaged
        raise DamagedIndex(str(path), f"schema version {row[0]!r} is not a number") from None
    if version > SCHEMA_VERSION:
        # Left as it is: it is the newer kubeatlas' work, and that one reads it.
        raise IndexError_(str(path), f"made by a newer kubeatlas (schema {version}, this one "
                          f"reads {SCHEMA_VERSION}): query it with that one, or give --home "
                          "another folder")
    if version not in readable:
        raise OutdatedIndex(str(path), version, SCHEMA_VERSION, version in UPGRADABLE)
    return version


def _upgrade(db: sqlite3.Connection, version: int) -> None:
    """Bring an index of an older schema to this one, in the caller's transaction (the new
    tables themselves are made by SCHEMA's CREATE … IF NOT EXISTS)."""
    if version < 3:
        db.execute("ALTER TABLE commits ADD COLUMN build TEXT NOT NULL DEFAULT 'linux/amd64'")
    if version < 4:
        db.executemany("INSERT OR IGNORE INTO names_reversed VALUES (?, ?)",
                       [(name[::-1], name_id) for name_id, name in db.execute(
                           "SELECT id, name FROM names")])
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


def names_ending(db: sqlite3.Connection, ending: str, limit: int, starting: str = "") -> list[str]:
    """Up to `limit` names that end with `ending` and start with `starting` (case-sensitively),
    from the reversed names' key: a range read however many names the index holds."""
    start = ending[::-1]
    # U+10FFFF sorts after every character a name can continue with (SQLite compares UTF-8
    # bytes, and its encoding is the greatest there is).
    return [name for (name,) in db.execute(
        "SELECT n.name FROM names_reversed r JOIN names n ON n.id = r.id "
        "WHERE r.reversed >= ? AND r.reversed < ? AND substr(n.name, 1, ?) = ? LIMIT ?",
        (start, start + "\U0010ffff", len(starting), starting, limit))]


class transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (KeyboardInterrupt included)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        elif self.db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
            self.db.execute("ROLLBACK")


def known_blobs(db: sqlite3.Connection, parser_version: int) -> set[str]:
    return {sha for (sha,) in db.execute(
        "SELECT sha FROM blobs WHERE parser_version = ?", (parser_version,))}


def save_blobs(db: sqlite3.Connection, parser_version: int, records: Iterable[BlobRecord]) -> None:
    with transaction(db):
        db.executemany(
            "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.sha, parser_version, r.facts, r.package, r.funcs, r.calls, r.syntax_problems,
              r.first_problem, r.not_utf8, r.generated, r.build_constraint) for r in records])


def find_complete(db: sqlite3.Connection, key: CommitKey) -> CommitRecord | None:
    """The index of `key`, unless the parser failed on some of its files: indexing it again
    parses those again (a fixed parser, or memory back)."""
    row = db.execute(
        "SELECT id, repo, sha, ref, remote_url, include_tests FROM commits WHERE complete = 1 AND "
        "repo = ? AND sha = ? AND include_tests = ? AND library = ? AND build = ? AND "
        "parser_version = ? AND resolver_version = ? AND NOT EXISTS (SELECT 1 FROM files WHERE "
        "files.commit_id = commits.id AND files.status = 'unparsed') ORDER BY id DESC LIMIT 1",
        (key.repo, key.sha, key.include_tests, key.library, key.build, PARSER_VERSION,
         RESOLVER_VERSION)).fetchone()
    return CommitRecord(*row) if row else None


def begin_commit(db: sqlite3.Connection, key: CommitKey, ref: str, remote_url: str) -> int:
    """Record an index in progress; leftovers of an index that was killed are dropped first."""
    with transaction(db):
        db.execute("DELETE FROM commits WHERE complete = 0")
        cursor = db.execute(
            "INSERT INTO commits (repo, sha, ref, remote_url, include_tests, library, build, "
            "parser_version, resolver_version, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key.repo, key.sha, ref, remote_url, key.include_tests, key.library, key.build,
             PARSER_VERSION, RESOLVER_VERSION, time.time()))
        return cursor.lastrowid


def finish_commit(db: sqlite3.Connection, commit_id: int, files: Iterable[FileRecord],
                  modules: Iterable[tuple[str, str]], symbols: Iterable[Symbol],
                  edges: Iterable[Edge], implements: Iterable[Implements] = (),
                  annotations: Iterable[Annotation] = (), programs: Iterable = (),
                  signatures: Iterable[tuple[str, str]] = ()) -> None:
    """Store the commit's files, modules and call graph (with the implementations, annotations
    and command programs the resolver found) and make it visible, in one transaction: a
    `GraphWriter` given everything at once."""
    with GraphWriter(db, commit_id, files, modules) as writer:
        writer.finish(symbols, edges, implements, annotations, programs, signatures)


class GraphWriter:
    """A commit's files, modules and call graph, written while the resolver still works and made
    visible at the end, all in one transaction: `write` stores the symbols and edges the resolver
    holds so far (rows it never changes again), `write_found` the implementations, signatures and
    annotations once they are known, `finish` the rest, and marks the commit complete.
    Leaving the `with` block by an exception rolls everything back, so an interrupted index leaves
    the previous one as it was. An index of the same commit by an older parser or resolver goes in
    the same transaction: it is stale.

    Into empty graph tables (a first index), the large tables' indexes are dropped and made again
    after the rows are in: one sort each instead of a million random B-tree inserts. Both happen
    in the transaction, so an interrupted run leaves the schema as it was. Once every symbol and
    edge is written (`write(..., complete=True)`), their tables' indexes are made in a thread while
    the caller goes on resolving, and the implementations' index once `write_found` stored them:
    SQLite builds an index in one step, without Python's lock. The next call that uses the
    connection (`write_found`, `finish`) first waits for the thread."""

    def __init__(self, db: sqlite3.Connection, commit_id: int, files: Iterable[FileRecord],
                 modules: Iterable[tuple[str, str]]):
        self.db, self.commit_id = db, commit_id
        self.files, self.modules = files, modules
        self.rebuilt: list[tuple[str, str]] = []
        self.ids: _NameIds | None = None  # set once the transaction began
        self.symbols_written = self.edges_written = 0
        self.found_written = False
        self.indexing: threading.Thread | None = None
        self.indexing_failed: BaseException | None = None

    def __enter__(self) -> GraphWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.indexing is not None:  # stopped while the indexes were made: stop making them
            self.db.interrupt()  # (they are rolled back with the rest)
            self.indexing.join()
        if self.db.in_transaction:  # left before `finish` committed: nothing of it stays
            self.db.execute("ROLLBACK")

    def _begin(self) -> _NameIds:
        db, commit_id = self.db, self.commit_id
        db.execute("BEGIN IMMEDIATE")
        first = db.execute("SELECT 1 FROM edges LIMIT 1").fetchone() is None
        self.rebuilt = [(name, sql) for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
            "('edges', 'symbols', 'implements') AND sql IS NOT NULL")] if first else []
        for name, _ in self.rebuilt:
            db.execute(f"DROP INDEX {name}")
        db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?)",
                       [(commit_id, f.path, f.blob_sha, f.import_path, f.status)
                        for f in self.files])
        db.executemany("INSERT INTO modules VALUES (?, ?, ?)",
                       [(commit_id, path, dir_) for path, dir_ in self.modules])
        self.ids = _NameIds(db)
        return self.ids

    def write(self, symbols: list[Symbol], edges: list[Edge], complete: bool = False) -> None:
        """Store the symbols and edges not written yet: those after the ones an earlier call
        was given, which must be unchanged. `complete`: there are no more, and their tables'
        indexes are made from now on, in a thread."""
        self._rows(symbols[self.symbols_written:], edges[self.edges_written:])
        self.symbols_written, self.edges_written = len(symbols), len(edges)
        self.ids.flush()
        if complete:
            self._index_in_thread(("symbols", "edges"))

    def write_found(self, implements: Iterable[Implements], annotations: Iterable[Annotation],
                    signatures: Iterable[tuple[str, str]]) -> None:
        """Store the implementations, signatures and annotations (after every symbol and edge:
        `write(..., complete=True)`), which `finish` then leaves out; the implementations'
        indexes are made from now on, in a thread (with several processes, while the caller
        waits for the command programs)."""
        self._indexed()
        if self.ids is None:
            self._begin()
        self._found(implements, annotations, signatures)
        self.ids.flush()
        self.found_written = True
        self._index_in_thread(("implements",))

    def _index_in_thread(self, tables: tuple[str, ...]) -> None:
        ready = [sql for _, sql in self.rebuilt if _table_of(sql) in tables]
        self.rebuilt = [(name, sql) for name, sql in self.rebuilt if sql not in ready]
        self.indexing = threading.Thread(target=self._index, args=(ready,),
                                         name="graph-indexes", daemon=True)
        self.indexing.start()

    def _index(self, statements: list[str]) -> None:
        try:
            for sql in statements:
                self.db.execute(sql)
        except BaseException as err:  # noqa: BLE001 (raised again by the thread that waits)
            self.indexing_failed = err

    def _indexed(self) -> None:
        """Wait for the indexes being made, if any; raise what stopped them."""
        if self.indexing is not None:
            self.indexing.join()
            self.indexing = None
            failed, self.indexing_failed = self.indexing_failed, None
            if failed is not None:
                raise failed

    def _rows(self, symbols: Iterable[Symbol], edges: Iterable[Edge]) -> None:
        ids = self.ids if self.ids is not None else self._begin()  # (an empty dict at first)
        commit_id = self.commit_id
        # Rows made one at a time as SQLite takes them, not first a list of every edge's row
        # (hundreds of thousands of them, beside the resolver's objects).
        self.db.executemany(
            "INSERT INTO symbols VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((commit_id, ids[s.name], s.kind, ids[s.package], ids[s.path], s.line, s.col,
              s.end_line, s.doc, s.signature) for s in symbols))
        self.db.executemany(
            "INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((commit_id, ids[e.caller], ids[e.callee], e.kind, ids[e.path], e.line, e.col,
              e.confidence, ids[e.via]) for e in edges))

    def _found(self, implements: Iterable[Implements], annotations: Iterable[Annotation],
               signatures: Iterable[tuple[str, str]]) -> None:
        db, commit_id, ids = self.db, self.commit_id, self.ids
        db.executemany(
            "INSERT INTO implements VALUES (?, ?, ?, ?, ?)",
            ((commit_id, ids[i.interface_method], ids[i.method], ids[i.type],
              i.pointer_only | i.other_platform << 1 | i.test_double << 2) for i in implements))
        db.executemany("INSERT INTO signatures VALUES (?, ?, ?)",
                       [(commit_id, ids[signature], ids[function])
                        for signature, function in signatures])
        db.executemany("INSERT INTO annotations VALUES (?, ?, ?, ?)",
                       [(commit_id, ids[a.symbol], a.kind, a.detail)
                        for a in dict.fromkeys(annotations)])

    def finish(self, symbols: Iterable[Symbol], edges: Iterable[Edge],
               implements: Iterable[Implements] = (), annotations: Iterable[Annotation] = (),
               programs: Iterable = (), signatures: Iterable[tuple[str, str]] = ()) -> None:
        """Store the rest of the graph (the symbols and edges after those written) and make the
        commit visible."""
        db, commit_id = self.db, self.commit_id
        self._indexed()
        self._rows(itertools.islice(symbols, self.symbols_written, None),
                   itertools.islice(edges, self.edges_written, None))
        ids = self.ids
        if not self.found_written:
            self._found(implements, annotations, signatures)
        for program in programs:
            db.execute("INSERT INTO programs VALUES (?, ?, ?, ?)",
                       (commit_id, program.name, program.main_package, program.functions))
            db.executemany(
                "INSERT INTO program_members VALUES (?, ?, ?, ?)",
                [(commit_id, program.name, ids[member], kind)
                 for kind, members in (("package", program.packages), ("type", program.types))
                 for member in sorted(members)])
        ids.flush()
        for _, sql in self.rebuilt:
            db.execute(sql)
        db.execute("UPDATE commits SET complete = 1 WHERE id = ?", (commit_id,))
        db.execute("DELETE FROM commits WHERE id != ? AND complete = 1 AND (repo, sha, "
                   "include_tests, library, build) = (SELECT repo, sha, include_tests, library, "
                   "build FROM commits WHERE id = ?)", (commit_id, commit_id))
        db.execute("COMMIT")


def _table_of(create_index: str) -> str:
    """The table of a `CREATE INDEX name ON table (...)` statement."""
    return create_index.split(" ON ", 1)[1].split("(", 1)[0].strip()


class _NameIds(dict):
    """Name → id in the names table, adding names not seen before (written by `flush`)."""

    def __init__(self, db: sqlite3.Connection):
        super().__init__(db.execute("SELECT name, id FROM names"))
        self.db = db
        self.next_id = max(self.values(), default=0) + 1
        self.new: list[tuple[int, str]] = []

    def __missing__(self, name: str) -> int:
        self[name] = self.next_id
        self.new.append((self.next_id, name))
        self.next_id += 1
        return self[name]

    def flush(self) -> None:
        # In name order, the UNIQUE index on names grows at its end instead of all over.
        self.db.executemany("INSERT INTO names VALUES (?, ?)",
                            sorted(self.new, key=lambda row: row[1]))
        self.db.executemany("INSERT INTO names_reversed VALUES (?, ?)",
                            sorted((name[::-1], name_id) for name_id, name in self.new))
        self.new = []


def graph_counts(db: sqlite3.Connection, commit_id: int) -> tuple[int, dict[str, int]]:
    symbols = db.execute("SELECT count(*) FROM symbols WHERE commit_id = ?",
                         (commit_id,)).fetchone()[0]
    edges = dict(db.execute(
        "SELECT kind, count(*) FROM edges WHERE commit_id = ? GROUP BY kind", (commit_id,)))
    return symbols, edges


def load_edges(db: sqlite3.Connection, commit_id: int) -> list[Edge]:
    """Every edge of a commit, names spelled out."""
    rows = db.execute(
        "SELECT a.name, b.name, e.kind, p.name, e.line, e.col, e.confidence, v.name FROM edges e "
        "JOIN names a ON a.id = e.caller JOIN names b ON b.id = e.callee "
        "JOIN names p ON p.id = e.path JOIN names v ON v.id = e.via WHERE e.commit_id = ?",
        (commit_id,))
    return [Edge(*row) for row in rows]


def complete_commits(db: sqlite3.Connection) -> list[CommitRecord]:
    """Every complete index, in the order they were first made."""
    return [CommitRecord(*row) for row in db.execute(
        "SELECT id, repo, sha, ref, remote_url, include_tests FROM commits WHERE complete = 1 "
        "ORDER BY id")]


def stage_versions(db: sqlite3.Connection, commit_id: int) -> tuple[int, int]:
    """The PARSER_VERSION that read the commit's files and the RESOLVER_VERSION that resolved
    them."""
    return db.execute("SELECT parser_version, resolver_version FROM commits WHERE id = ?",
                      (commit_id,)).fetchone()


def touch(db: sqlite3.Connection, commit_id: int) -> None:
    with transaction(db):
        db.execute("UPDATE commits SET started = ? WHERE id = ?", (time.time(), commit_id))


def latest_commits(db: sqlite3.Connection) -> dict[str, CommitRecord]:
    """The most recently indexed (or re-indexed) complete commit of each repository: what
    queries answer from unless told otherwise."""
    rows = db.execute(
        "SELECT id, repo, sha, ref, remote_url, include_tests FROM commits WHERE complete = 1 "
        "ORDER BY started, id")
    return {row[1]: CommitRecord(*row) for row in rows}


def commit_files(db: sqlite3.Connection, commit_id: int) -> list[FileRecord]:
    return [FileRecord(*row) for row in db.execute(
        "SELECT path, blob_sha, import_path, status FROM files WHERE commit_id = ? ORDER BY path",
        (commit_id,))]


def file_facts_of(db: sqlite3.Connection, files: Iterable[FileRecord],
                  decoded: Mapping[str, FileFacts] | None = None,
                  ) -> Iterator[tuple[FileRecord, FileFacts]]:
    """The facts of files not yet stored as a commit's (an index in progress): those `decoded`
    holds (blob SHA → facts, the blobs parsed in this run) as they are, the rest read from the
    index, without their function bodies' (`facts.Declarations`, as the resolver reads them)."""
    from analyzer.facts import decode_declarations

    decoded = decoded or {}
    by_sha: dict[str, list[FileRecord]] = {}
    for record in files:
        if record.status != "parsed":
            continue
        facts = decoded.get(record.blob_sha)
        if facts is not None:
            yield record, facts
        else:
            by_sha.setdefault(record.blob_sha, []).append(record)
    if not by_sha:
        return
    db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (sha TEXT PRIMARY KEY)")
    db.execute("DELETE FROM wanted")
    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((sha,) for sha in by_sha))
    for sha, facts in db.execute("SELECT b.sha, b.facts FROM blobs b JOIN wanted w ON w.sha = b.sha"):
        decoded = decode_declarations(facts)
        for record in by_sha[sha]:
            yield record, decoded


def file_facts(db: sqlite3.Connection, commit_id: int,
               bodies: bool = True) -> Iterator[tuple[FileRecord, FileFacts]]:
    """Every parsed file of a commit with its facts, decoded (without their function bodies'
    unless `bodies`: `facts.Declarations`)."""
    from analyzer.facts import decode, decode_declarations

    decoded = decode if bodies else decode_declarations

    rows = db.execute(
        "SELECT f.path, f.blob_sha, f.import_path, f.status, b.facts FROM files f "
        "JOIN blobs b ON b.sha = f.blob_sha WHERE f.commit_id = ? AND f.status = 'parsed' "
        "ORDER BY f.path", (commit_id,))
    for path, sha, import_path, status, facts in rows:
        yield FileRecord(path, sha, import_path, status), decoded(facts)
