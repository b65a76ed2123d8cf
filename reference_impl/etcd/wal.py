"""The reference etcd's write-ahead log and snapshot files: records in, records back out, nothing
else. `member.ClusterMember` keeps its Raft entries and hard state here; the records are plain
JSON dicts carrying a `seq`, numbered without gaps.

Interface:
  WAL.read_all(after, newest_cut_snapshot)   the records with seq > after, in order; finds a torn tail
  WAL.repair_torn_tail()   cuts it off, once the start will not be refused
  WAL.open(first_seq)      start (or continue) the segment new records go to
  WAL.append(record, raw)  write one record whole, or leave the log as it was and raise
  WAL.sync() / cut() / release(seq) / close()
  Snapshotter.save(seq, state, raw) / load() / rewrite_from_db()
  touch_dir_all(dir) / write_atomically(path, data)   the data dir, and member_id

On disk (the folder 0700 and every file 0600 as etcd makes them: the log holds every value,
Secrets included, so no other local user may read it):
  wal-<first seq>.log   records: 4-byte length, CRC-32 of those 4 bytes, CRC-32 of the payload,
                        payload: JSON, then, if the record carries raw bytes, a newline and them;
                        the first a header {"segment": first seq, "member_id", "cluster_id"},
                        the file made whole with it (the ids, as etcd's metadata record holds
                        them, are what member_id is checked against)
  wal-headers           the layout marker, written once a segment with a header is in place
  snap-<seq>.json       one such record holding the whole state after record <seq> (the newest
                        MAX_SNAPSHOTS are kept, and the log back to the oldest of them; a damaged
                        one is renamed snap-<seq>.json.broken by a start that succeeds without it)
  db.json               the newest snapshot's record again, read when no snapshot file is whole
                        (and written back as that snapshot's file by the start that read it)

Raw bytes (Raft entries' data, a snapshot's state) follow the JSON as they are, so a write's
request, already encoded once into its entry, is neither base64-encoded nor scanned by a JSON
encoder again; a record read back carries them under "raw". (Compact JSON never holds a raw
newline, so the first one ends it.)

Damage versus a crash, as etcd 3.4's wal package tells them apart. A crash can only leave the
last segment torn: a record cut short (the file ends inside it), the sector where the next
record starts never written (zeros from its header to the sector's end; a zero length alone is
damage, as the reference preallocates nothing), or the sector a record header runs into never
written (a 12-byte header can straddle two sectors; etcd's 8-byte aligned ones cannot), or a
record with whole sectors of it never written, the last record or one before it, as a batch
written at once and synced once can leave it. Recovery cuts the segment there (wal.Repair),
keeping the file as it was in wal-<seq>.log.broken. Anything else, a length whose own checksum
fails or a payload whose checksum fails with no sector of zeros, anything at all wrong in an
earlier segment, and a segment header cut short (a segment appears whole with its header, so
no crash leaves one cut), is damage: recovery refuses with the file and the offset
(`ErrCorruptWAL`) and changes nothing. (etcd 3.4 repairs a last segment cut inside its first
record and starts at the index before it, losing nothing: its keys are in its bolt db. Here the
writes in that segment are in no other file.) The length has its own checksum because a damaged
length can point past the end of the file, which would otherwise read like a torn tail (etcd's
has none, and cuts the file there).
"""
from __future__ import annotations

import errno
import json
import os
import re
import stat
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from reference_impl.etcd.errors import ErrCorruptWAL, ErrWALWrite
from reference_impl.etcd.metrics import WAL_FSYNC_BUCKETS, Histogram
from reference_impl.machinery import jsonbytes
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

WAL_PKG = "go.etcd.io/etcd/server/v3/wal"
SNAP_PKG = "go.etcd.io/etcd/server/v3/etcdserver/api/snap"

_HEADER = struct.Struct("<III")  # payload length, CRC-32 of the length's 4 bytes, CRC-32 of payload
_LENGTH = struct.Struct("<I")
PRIVATE_FILE_MODE = 0o600  # fileutil.PrivateFileMode
PRIVATE_DIR_MODE = 0o700  # fileutil.PrivateDirMode
_SEGMENT_NAME = re.compile(r"wal-[0-9]{20}\.log")
_SNAP_NAME = re.compile(r"snap-[0-9]{20}\.json")
SECTOR = 512  # minSectorSize in etcd's wal: the unit a torn write leaves unwritten
MAX_SNAPSHOTS = 5  # etcd's DefaultMaxSnapshots: the snapshot files --max-snapshots keeps
# Written beside the log once a segment with a header is in place: from then on every segment
# is made whole with its header before it appears, so a last segment with no frame at all was
# emptied or zeroed afterwards, not left by a crash. A data dir without it may hold the empty
# segment an older reference etcd's cut made (or created and crashed before writing to).
SEGMENT_HEADERS = "wal-headers"
# The newest snapshot's record once more, in a file of its own. etcd keeps its keys in a bolt
# db apart from its snap files, so it starts with every snap file damaged (snap.ErrNoSnapshot):
# the reference's snapshots hold the whole state, and the log before the oldest one is released,
# so without this copy such a start would have nothing to recover from.
DB_FILE = "db.json"

Write = Callable[[int, bytes], int]
Fsync = Callable[[int], None]


def seq_in_name(path: Path) -> int:
    """The seq a segment (wal-<seq>.log) or a snapshot file (snap-<seq>.json) is named after."""
    return int(path.stem.split("-")[1])


def frame(payload: dict, raw: bytes = b"") -> bytes:
    body = jsonbytes.dumps(payload)
    if raw:
        body = b"".join((body, b"\n", raw))
    length = _LENGTH.pack(len(body))
    return _HEADER.pack(len(body), zlib.crc32(length), zlib.crc32(body)) + body


@mirrors(f"(*{WAL_PKG}.decoder).isTornEntry")
def _is_torn(data: bytes, start: int, end: int) -> bool:
    """Whether some sector the record covers is all zeros: a write the disk never finished."""
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(end, (chunk_start // SECTOR + 1) * SECTOR)
        if not any(data[chunk_start:chunk_end]):
            return True
        chunk_start = chunk_end
    return False


def _in_unwritten_sector(data: bytes, offset: int) -> bool:
    """Whether the record header at `offset` lies in sectors the disk never wrote: zeros from it
    to the end of the sector its last byte is in. etcd's decoder ends a file at a zero length
    because its files are preallocated with zeros; the reference never preallocates, so a zero
    length with written bytes after it in its sector is damage, and the records after it were
    acknowledged."""
    sector_end = ((offset + _HEADER.size - 1) // SECTOR + 1) * SECTOR
    return not any(data[offset:sector_end])


def _header_torn_across_sectors(data: bytes, offset: int) -> bool:
    """Whether the record header at `offset` runs into a sector the disk never wrote (all zeros
    to its end, or the file's). etcd's headers are 8 bytes at 8-byte offsets and never straddle
    a sector; the reference's are 12 bytes anywhere, so a torn write can leave the start of one
    written and the rest of it zeros, which reads as a bad length though no byte was damaged."""
    boundary = (offset // SECTOR + 1) * SECTOR
    return boundary < offset + _HEADER.size and not any(data[boundary:boundary + SECTOR])


@mirrors(f"(*{WAL_PKG}.decoder).decodeRecord")
def read_frames(path: Path, last_segment: bool) -> Iterator[tuple[int, dict]]:
    """(end offset, payload) of each record in a log file.

    Stops where the last segment was torn, as etcd's decoder stops on the last file with
    io.EOF or io.ErrUnexpectedEOF: the file ends inside a record, a record header in a sector
    never written (where etcd meets a zero length: its preallocated space), or a record failing
    its CRC with a whole sector of zeros in it, the final record or not (isTornEntry looks at
    any record of the last file). Raises ErrCorruptWAL
    (file, offset, what is wrong) for anything else that does not check out, and for all of it
    in an earlier segment, which etcd refuses too ("cannot be repaired").
    """
    data = path.read_bytes()
    offset = 0
    while offset < len(data):
        if last_segment and _in_unwritten_sector(data, offset):
            return  # where the next record should start the disk has written nothing: a crash
        if offset + _HEADER.size > len(data):
            if last_segment:
                return
            raise ErrCorruptWAL(path=str(path), offset=offset, problem=_cut_short(data, offset, "record header"))
        length, length_crc, body_crc = _HEADER.unpack_from(data, offset)
        if zlib.crc32(data[offset:offset + _LENGTH.size]) != length_crc:
            if last_segment and _header_torn_across_sectors(data, offset):
                return  # the header's first sector was written, the next one never was
            raise ErrCorruptWAL(path=str(path), offset=offset, problem="bad record length")
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        if end > len(data):
            if last_segment:
                return
            raise ErrCorruptWAL(path=str(path), offset=offset, problem=_cut_short(data, offset, "record"))
        if zlib.crc32(data[start:end]) != body_crc:
            if last_segment and _is_torn(data, start, end):
                return  # io.ErrUnexpectedEOF: wal.Repair cuts the segment here, last record or not
            raise ErrCorruptWAL(path=str(path), offset=offset, problem="CRC mismatch")
        head_end = data.find(b"\n", start, end)
        try:
            if head_end < 0:
                payload = json.loads(data[start:end])
            else:
                payload = json.loads(data[start:head_end])
                payload["raw"] = data[head_end + 1:end]
        except ValueError:
            raise ErrCorruptWAL(path=str(path), offset=offset, problem="unreadable record") from None
        offset = end
        yield offset, payload


def _cut_short(data: bytes, offset: int, cut: str) -> str:
    """What is wrong with an earlier segment that ends inside the record at `offset`, in etcd
    3.4's words first: its decoder meets io.ErrUnexpectedEOF, wal.Repair mends only the last
    segment, and the start ends "failed to read WAL, cannot be repaired" ("unexpected EOF",
    recorded with segment 0 of two cut at byte 5 and at byte 200000). At offset 0 the record
    cut is the segment's header."""
    if offset == 0:
        what = _why_no_header(data)
    else:
        what = f"{cut} cut short: the file ends at byte {len(data)}"
    return f"unexpected EOF, cannot be repaired (only the last segment can be): {what}"


def _why_no_header(data: bytes) -> str:
    """What happened to a segment that holds no whole frame, though it appeared whole with its
    header: truncated inside the header (which etcd's decoder meets as io.ErrUnexpectedEOF), or
    emptied, zeroed or damaged. No crash leaves any of these: each is refused."""
    if not any(data):
        return "no segment header (emptied or zeroed after it was written)"
    if len(data) < _HEADER.size:
        return (f"segment header cut short: the file ends at byte {len(data)}, inside its header "
                f"(truncated after it was written)")
    length, length_crc, _ = _HEADER.unpack_from(data)
    if zlib.crc32(data[:_LENGTH.size]) == length_crc and len(data) < _HEADER.size + length:
        return (f"segment header cut short: the file ends at byte {len(data)} of its "
                f"{_HEADER.size + length}-byte header (truncated after it was written)")
    return "no segment header (damaged after it was written)"


@mirrors("go.etcd.io/etcd/client/pkg/v3/fileutil.TouchDirAll")
def touch_dir_all(directory: Path) -> None:
    """Create `directory` and its missing parents 0700, as os.MkdirAll(dir, PrivateDirMode) does;
    an existing one is kept as it is, with etcd's warning if others may read or write it."""
    if directory.is_dir():
        mode = stat.S_IMODE(directory.stat().st_mode)
        if mode != PRIVATE_DIR_MODE:
            print(f"reference etcd: check file permission: directory {quote(str(directory))} exist, but the "
                  f"permission is {quote(stat.filemode(stat.S_IFDIR | mode))}. The recommended "
                  f"permission is {quote(_go_file_mode(PRIVATE_DIR_MODE))} to prevent possible "
                  f"unprivileged access to the data.", file=sys.stderr, flush=True)
        return
    missing = [directory, *(p for p in directory.parents if not p.exists())]
    for path in sorted(missing, key=lambda p: len(p.parts)):
        path.mkdir(PRIVATE_DIR_MODE, exist_ok=True)


def _go_file_mode(mode: int) -> str:
    """os.FileMode's String of bare permission bits: "-" where a type letter would be."""
    return "-" + stat.filemode(mode)[1:]


def open_private(path: Path, flags: int) -> int:
    """os.open of a data-dir file, created 0600 (fileutil.PrivateFileMode)."""
    return os.open(path, flags, PRIVATE_FILE_MODE)


def write_atomically(path: Path, data: bytes, *, write: Write, fsync: Fsync) -> None:
    """Write `path`.tmp, fsync, rename it to `path`, fsync the directory: after a crash `path` is
    wholly there or not at all. A tmp the disk could not take whole is removed, as etcd removes a
    broken snap file: left behind it would hold the space the log needs for the next writes
    (Snapshotter.load removes one a crash left)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        _write_synced(tmp, data, write, fsync)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    fsync_dir(path.parent, fsync)


@mirrors("go.etcd.io/etcd/pkg/v3/ioutil.WriteAndSyncFile")
def _write_synced(path: Path, data: bytes, write: Write, fsync: Fsync) -> None:
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        rest = memoryview(data)
        while rest:
            n = write(fd, rest)
            if n <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            rest = rest[n:]
        fsync(fd)
    finally:
        os.close(fd)


@mirrors("go.etcd.io/etcd/client/pkg/v3/fileutil.Fsync")
def fsync_dir(directory: Path, fsync: Fsync) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        fsync(dir_fd)
    finally:
        os.close(dir_fd)


@mirrors("go.etcd.io/etcd/server/v3/wal.Exist")
def wal_exists(directory: Path) -> bool:
    """Whether `directory` holds a log segment: a member that has one restarts from it, with
    no bootstrap checks of its cluster flags."""
    return any(_SEGMENT_NAME.fullmatch(p.name) for p in directory.glob("wal-*.log"))


class WAL:
    """Log segments in `directory`. `write` and `fsync` are os.write and os.fsync unless a test
    passes a faulty disk."""

    def __init__(self, directory: Path, *, write: Write = os.write, fsync: Fsync = os.fsync) -> None:
        self.directory = directory
        self._write = write
        self._fsync = fsync
        # The records' syncs use fdatasync, as etcd's WAL.sync does (fileutil.Fdatasync): it
        # flushes the data and the size that reading it back needs, but not the timestamps, which
        # spares a journal commit's work per write. macOS has no fdatasync: fsync there, as
        # etcd's Fdatasync does on darwin. A disk a test passes syncs with its own fsync.
        self._datasync: Fsync = getattr(os, "fdatasync", os.fsync) if fsync is os.fsync else fsync
        self._fd = -1
        self._closing = threading.Lock()
        self._path: Path | None = None
        self._size = 0  # bytes of whole records in the open segment
        self._broken: str | None = None  # why appending is no longer safe
        self.fsync_durations = Histogram(WAL_FSYNC_BUCKETS)
        # The member's and cluster's ids, written into the header of each new segment, as etcd
        # writes its metadata record (which holds them) at the start of every segment; and the
        # ids read_all found in the headers it read (None: segments of an older reference etcd).
        self.metadata: dict[str, int] | None = None
        self.read_metadata: dict[str, int] | None = None
        # Where read_all found the last segment torn: (the segment, the end of its last whole
        # record), cut there by repair_torn_tail once the start has nothing left to refuse.
        self.torn_tail: tuple[Path, int] | None = None

    def segments(self) -> list[Path]:
        return sorted(p for p in self.directory.glob("wal-*.log") if _SEGMENT_NAME.fullmatch(p.name))

    @mirrors(f"{WAL_PKG}.checkWalNames")
    def _warn_foreign_files(self) -> None:
        """A file named like a segment but not one (wal-old.log, a copy "wal-N (1).log") is no
        part of the log: it is left alone, with etcd's warning, instead of refusing the start."""
        for path in sorted(self.directory.glob("wal-*.log*")):
            if not _SEGMENT_NAME.fullmatch(path.name):
                print(f"reference etcd: ignored file {path.name} in wal", file=sys.stderr, flush=True)

    def _segment_path(self, first_seq: int) -> Path:
        return self.directory / f"wal-{first_seq:020d}.log"

    @mirrors(f"{WAL_PKG}.Open", f"(*{WAL_PKG}.WAL).ReadAll")
    def read_all(self, after: int, newest_cut_snapshot: int = 0) -> Iterator[dict]:
        """Every record with seq > `after`, in order, checking none is missing; a torn tail of the
        last segment ends the records (`torn_tail` then says where; repair_torn_tail cuts it
        off). A last segment with no frame is refused where the log's layout marker says
        segments have headers (cut inside its header too: no crash leaves that), and so is a log
        without the segment the cut before the newest snapshot made (`newest_cut_snapshot`:
        the seq that snapshot is named after, if it was taken after its cut; else 0)."""
        seq = after
        self.read_metadata, self.torn_tail = None, None
        self._warn_foreign_files()
        segments = self.segments()
        self._check_first_segment(segments, after)
        self._check_last_segment(segments, newest_cut_snapshot)
        segments = self._from_segment_of(segments, after + 1)
        headers = (self.directory / SEGMENT_HEADERS).exists()
        for i, path in enumerate(segments):
            valid_end, frames = 0, 0
            last = i == len(segments) - 1
            for end, record in read_frames(path, last_segment=last):
                start, valid_end = valid_end, end
                frames += 1
                if "seq" not in record:
                    self._check_metadata(path, start, record)
                    continue  # the segment's header
                if record["seq"] <= seq:
                    continue
                if record["seq"] != seq + 1:  # where it should be, another record is
                    raise ErrCorruptWAL(path=str(path), offset=start, missing_seq=seq + 1)
                seq = record["seq"]
                yield record
            if last and not frames and headers:
                raise ErrCorruptWAL(path=str(path), offset=0,
                                    problem=f"{_why_no_header(path.read_bytes())}: "
                                            f"records from {seq + 1} on are missing")
            if path.stat().st_size > valid_end:
                self.torn_tail = (path, valid_end)

    def _check_metadata(self, path: Path, offset: int, header: dict) -> None:
        """Keep the ids a segment header holds; refuse ids that differ from an earlier segment's,
        as etcd's ReadAll refuses a metadata record unlike the one before (ErrMetadataConflict)."""
        ids = {name: header[name] for name in ("member_id", "cluster_id") if name in header}
        if not ids:
            return
        if self.read_metadata is not None and ids != self.read_metadata:
            raise ErrCorruptWAL(path=str(path), offset=offset,
                                problem=f"conflicting metadata found: member {ids.get('member_id', 0):x} "
                                        f"of cluster {ids.get('cluster_id', 0):x}, where the segment "
                                        f"before says member {self.read_metadata['member_id']:x} of "
                                        f"cluster {self.read_metadata['cluster_id']:x}")
        self.read_metadata = ids

    @mirrors(f"{WAL_PKG}.selectWALFiles")
    def _from_segment_of(self, segments: list[Path], seq: int) -> list[Path]:
        """The segments from the one holding record `seq` on: those before it hold only what a
        snapshot covers (the log back to the oldest snapshot kept), and etcd does not read them."""
        firsts = [self._first_seq_of(path) for path in segments]
        start = max((i for i, first in enumerate(firsts) if first <= seq), default=0)
        return segments[start:]

    def _check_first_segment(self, segments: list[Path], after: int) -> None:
        """Some segment must start at or before record `after` + 1: a snapshot's cut makes that
        segment at once, so without one the log after the snapshot was deleted, and starting
        from the snapshot alone would drop every write since it without a word."""
        if after and (not segments or self._first_seq_of(segments[0]) > after + 1):
            where = segments[0] if segments else self.directory
            raise ErrCorruptWAL(path=str(where), offset=0, missing_seq=after + 1)

    @mirrors(f"(*{WAL_PKG}.WAL).ReadAll")
    def _check_last_segment(self, segments: list[Path], newest_cut_snapshot: int) -> None:
        """Some segment is there once the layout marker is; and a snapshot at record S taken
        after the cut to segment S + 1 (`newest_cut_snapshot`, 0 if there is none or the newest
        snapshot does not say it was) has that segment, or a later one, after it. Without it the
        newest segment was deleted, and starting would drop the writes it held without a word:
        refused, as etcd refuses a WAL without the record of its newest snapshot
        (ErrSnapshotNotFound). A snapshot an older reference etcd took, before its cut, says
        nothing: a crash or a full disk between the two left it with no segment after it, and
        the log it has is whole."""
        if not segments and (self.directory / SEGMENT_HEADERS).exists():
            raise ErrCorruptWAL(path=str(self.directory), offset=0,
                                problem=f"no WAL segment, though {SEGMENT_HEADERS} says one was written: "
                                        f"the log was deleted")
        if newest_cut_snapshot and (not segments or self._first_seq_of(segments[-1]) <= newest_cut_snapshot):
            missing = self._segment_path(newest_cut_snapshot + 1)
            raise ErrCorruptWAL(path=str(missing), offset=0,
                                problem=f"segment missing: the snapshot at record {newest_cut_snapshot} was "
                                        f"taken after the cut to it, so the log from record "
                                        f"{newest_cut_snapshot + 1} on was deleted")

    @mirrors(f"{WAL_PKG}.Repair")
    def repair_torn_tail(self) -> None:
        """Cut the last segment read_all found torn after its last whole record (if it found
        one), keeping the file as it was in *.broken first, as wal.Repair does (etcd zeroes a
        tail after a zero length without a copy; here a copy is kept for that too: the records
        cut off were possibly acknowledged). Called by the start once nothing is left to refuse:
        a refused start changes no file. New records go to a new segment, after which this one
        is no longer the last: a torn tail left in it would then read as damage."""
        if self.torn_tail is None:
            return
        (path, valid_end), self.torn_tail = self.torn_tail, None
        print(f"reference etcd: repairing {path}", file=sys.stderr, flush=True)
        broken = path.with_name(path.name + ".broken")
        write_atomically(broken, path.read_bytes(), write=self._write, fsync=self._fsync)
        with open(path, "r+b") as f:
            f.truncate(valid_end)
            self._fsync(f.fileno())
        print(f"reference etcd: repaired WAL error (unexpected EOF): {path} cut at offset {valid_end}, "
              f"the file as it was kept as {broken.name}", file=sys.stderr, flush=True)

    @mirrors(f"{WAL_PKG}.Create", f"(*{WAL_PKG}.WAL).cut")
    def open(self, first_seq: int) -> None:
        """Append from now on to the segment whose first record is `first_seq` (one of that name,
        from a cut with nothing written since, is simply reused). A new segment is made whole
        with its header, as etcd renames a segment into place only once its first records are
        written, and so is an empty one an older reference etcd left (replaced whole by one with
        its header); then the layout marker is written, after which a segment that exists but
        holds nothing was emptied afterwards (read_all)."""
        path = self._segment_path(first_seq)
        if not path.exists() or not path.stat().st_size:
            write_atomically(path, frame({"segment": first_seq, **(self.metadata or {})}),
                             write=self._write, fsync=self._fsync)
        marker = self.directory / SEGMENT_HEADERS
        if not marker.exists():
            write_atomically(marker, b"wal segments begin with a header\n", write=self._write,
                             fsync=self._fsync)
        fd = open_private(path, os.O_WRONLY | os.O_APPEND)
        self._fd, self._path, self._size = fd, path, os.fstat(fd).st_size
        fsync_dir(self.directory, self._fsync)

    @mirrors(f"(*{WAL_PKG}.WAL).Save", f"(*{WAL_PKG}.encoder).encode")
    def append(self, record: dict, raw: bytes = b"") -> None:
        """Write one record (not yet fsync'd). A short write is continued; if the disk refuses
        the rest (ENOSPC, EIO), the partial record is cut off again and ErrWALWrite raised, so
        the log holds whole records only and later appends stay readable."""
        if self._broken:
            raise ErrWALWrite(path=str(self._path), offset=self._size, problem=self._broken)
        data = frame(record, raw)
        written = 0
        try:
            while written < len(data):
                n = self._write(self._fd, data[written:])
                if n <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += n
        except OSError as err:
            if written:
                try:
                    os.ftruncate(self._fd, self._size)
                except OSError as cut:
                    # A partial record stays; anything appended after it would read as damage.
                    self._broken = f"a partial record could not be cut off: {cut.strerror}"
            raise ErrWALWrite(path=str(self._path), offset=self._size,
                              problem=err.strerror or str(err)) from None
        self._size += len(data)

    @mirrors(f"(*{WAL_PKG}.WAL).sync")
    def sync(self) -> None:
        self._sync(self._fd)

    def _sync(self, fd: int) -> None:
        start = time.perf_counter()
        self._datasync(fd)
        self.fsync_durations.observe(time.perf_counter() - start)

    def cut(self, first_seq: int) -> None:
        """Close the current segment (fsync'd) and start a new one at `first_seq`. The new one is
        opened first: if it cannot be made (disk full), records go on to the current one, which a
        restart reads as well, instead of to a closed descriptor the OS may have given to another
        file."""
        self.sync()
        closing = self._fd
        try:
            self.open(first_seq)
        finally:
            if self._fd != closing:
                os.close(closing)

    @mirrors(f"(*{WAL_PKG}.WAL).ReleaseLockTo")
    def release(self, seq: int) -> None:
        """Delete the closed segments holding only records up to `seq` (a snapshot covers them)."""
        old = [p for p in self.segments() if p != self._path]
        firsts = [seq_in_name(p) for p in old] + [self._first_seq_of(self._path)]
        for path, next_first in zip(old, firsts[1:]):
            if next_first - 1 <= seq:
                path.unlink()

    @staticmethod
    def _first_seq_of(path: Path | None) -> int:
        return seq_in_name(path) if path else 0

    @mirrors(f"(*{WAL_PKG}.WAL).Close")
    def close(self) -> None:
        """fsync the open segment and close it, once. The descriptor is taken before that last
        fsync, so a close meanwhile finds nothing to close (rather than a number the OS may have
        given to another file by then), and it is closed even when the fsync fails."""
        with self._closing:
            fd, self._fd = self._fd, -1
        if fd < 0:
            return
        try:
            self._sync(fd)
        finally:
            os.close(fd)

    @property
    def closed(self) -> bool:
        return self._fd < 0


@mirrors(f"{SNAP_PKG}.Read")
def read_snapshot_file(path: Path) -> tuple[int, dict]:
    """(seq, state) of one snapshot file; ErrCorruptWAL if it does not read whole."""
    frames = list(read_frames(path, last_segment=False))
    if not frames:
        raise ErrCorruptWAL(path=str(path), offset=0, problem="empty snapshot")  # snap.ErrEmptySnapshot
    if len(frames) != 1:
        raise ErrCorruptWAL(path=str(path), offset=0, problem="not one snapshot record")
    state = frames[0][1]
    return state["seq"], state


class Snapshotter:
    """Whole-state snapshots in `directory`: written atomically, the newest two kept. `write`
    and `fsync` are os.write and os.fsync unless a test passes a faulty disk."""

    def __init__(self, directory: Path, *, write: Write = os.write, fsync: Fsync = os.fsync) -> None:
        self.directory = directory
        self._write = write
        self._fsync = fsync
        self.damaged: list[ErrCorruptWAL] = []  # the snapshots the last load could not read
        self.from_db = False  # whether the last load found no snapshot whole and read DB_FILE
        self.db_seq = 0  # the seq of the record it read there
        self.misnamed: list[Path] = []  # snapshot files holding another snapshot's record

    @mirrors(f"(*{SNAP_PKG}.Snapshotter).snapNames")
    def snapshots(self) -> list[Path]:
        """The snapshot files, oldest first. Only the names this Snapshotter writes count: a copy
        someone left ("snap-N (copy).json", "snap-old.json") is theirs, neither loaded nor pruned."""
        return sorted(p for p in self.directory.glob("snap-*.json") if _SNAP_NAME.fullmatch(p.name))

    def newest_seq(self) -> int:
        """The seq the newest snapshot file is named after (damaged or not; a copy of another
        snapshot under a newer name aside), 0 if none: the log must reach past it if that
        snapshot was taken after its cut (read_all)."""
        return max((seq_in_name(p) for p in self.snapshots() if p not in self.misnamed), default=0)

    @mirrors(f"(*{SNAP_PKG}.Snapshotter).Load", f"(*{SNAP_PKG}.Snapshotter).loadMatching",
             f"{SNAP_PKG}.loadSnap")
    def load(self) -> tuple[int, dict] | None:
        """(seq, state) of the newest snapshot that reads whole; `damaged` then holds the damage
        of each newer one tried on the way, newest first, left in place until set_aside_damaged.
        With none left (etcd's snap.ErrNoSnapshot), the state comes from DB_FILE, as etcd's keys
        come from its bolt db then (`from_db` is set); its damage is raised, and it is left as it
        is. None: neither exists (a log that starts at the first record)."""
        for stale in self.directory.glob("*.tmp"):
            stale.unlink()
        self.damaged, self.from_db = [], False
        self.misnamed = []
        for path in reversed(self.snapshots()):
            try:
                seq, state = read_snapshot_file(path)
            except ErrCorruptWAL as err:
                self.damaged.append(err)
                continue
            if seq == seq_in_name(path):
                return seq, state
            # a copy of another snapshot under this name: loaded, it would put the state back
            # to its record while the log is read from the one its name says
            self.misnamed.append(path)
            self.damaged.append(ErrCorruptWAL(path=str(path), offset=0,
                                              problem=f"holds the snapshot at record {seq}, not the "
                                                      f"one its name says"))
        db = self.directory / DB_FILE
        if not db.exists():
            return None
        self.from_db = True
        loaded = read_snapshot_file(db)
        self.db_seq = loaded[0]
        return loaded

    def set_aside_damaged(self) -> None:
        """Rename *.broken each snapshot the last load found damaged, as etcd's loadSnap does
        whether an older one stands in for it or not. Called once the start that load was for
        has recovered its state: etcd renames as it reads, but a refused start here changes no
        file, so that the next start meets the same snapshots and says the same."""
        for damage in self.damaged:
            path = Path(damage.path)
            os.replace(path, path.with_name(path.name + ".broken"))

    def path_of(self, seq: int) -> Path:
        """The snapshot file of the snapshot after record `seq`."""
        return self.directory / f"snap-{seq:020d}.json"

    def rewrite_from_db(self) -> None:
        """Write snap-<seq>.json again from DB_FILE (after a start that found no snapshot file
        whole read its state there): until the next snapshot, that copy would otherwise be the
        only one, and damage to it would refuse every start. OSError if the disk refuses it."""
        write_atomically(self.path_of(self.db_seq), (self.directory / DB_FILE).read_bytes(),
                         write=self._write, fsync=self._fsync)

    @mirrors(f"(*{SNAP_PKG}.Snapshotter).SaveSnap", f"(*{SNAP_PKG}.Snapshotter).save")
    def save(self, seq: int, state: dict, raw: bytes = b"", *, keep_previous: bool = True) -> int:
        """Written atomically (write_atomically): the snapshot is wholly there or not; then
        again as DB_FILE, the state apart from the snapshot files (see load).

        The MAX_SNAPSHOTS - 1 before it are kept (unless `keep_previous` is false), so that a
        damaged newest one has a stand-in, as etcd keeps its newest --max-snapshots; returns the
        seq of the oldest snapshot kept, after which the log must stay."""
        final = self.path_of(seq)
        record = frame({**state, "seq": seq}, raw)
        write_atomically(final, record, write=self._write, fsync=self._fsync)
        write_atomically(self.directory / DB_FILE, record, write=self._write, fsync=self._fsync)
        snaps = self.snapshots()
        kept = snaps[-MAX_SNAPSHOTS:] if keep_previous else [final]
        for older in snaps:
            if older not in kept:
                older.unlink()
        return seq_in_name(kept[0])
