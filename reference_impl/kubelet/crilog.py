"""The CRI container log format, which a container runtime writes and the kubelet reads back for
`kubectl logs`: one record per line, `<RFC3339Nano time> <stream> <tag> <content>`, the tag `F` for
a full line and `P` for a part of one (output that did not end in a newline yet).

`CRILogWriter` is the runtime's side (containerd's cio logger): it stamps each piece of output with
the time it was read. `parse_record` is the kubelet's (`logs.parseCRILog`), and `LogRecord.render`
applies `--timestamps` as the kubelet's logWriter does.
"""
from __future__ import annotations

import datetime
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

from reference_impl.mirrors import mirrors

from .errors import KubeletError

FULL, PARTIAL = b"F", b"P"


class CRILogError(KubeletError):
    """A line of a container log that is no CRI record."""


@dataclass(frozen=True)
class LogRecord:
    timestamp_ns: int  # nanoseconds since the epoch
    stream: str  # stdout | stderr
    partial: bool
    content: bytes  # with its newline, unless partial

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/kuberuntime/logs.logWriter).write")
    def render(self, timestamps: bool) -> bytes:
        """What the kubelet writes of the record: its content, after its time (RFC3339NanoFixed) and a
        space with `timestamps`."""
        return (format_fixed(self.timestamp_ns) + " ").encode() + self.content if timestamps else self.content


def lines(data: bytes) -> list[bytes]:
    """`data` cut after each newline; the last piece has none when `data` does not end in one."""
    pieces = [piece + b"\n" for piece in data.split(b"\n")]
    pieces[-1] = pieces[-1][:-1]
    return pieces if pieces[-1] else pieces[:-1]


def format_nano(timestamp_ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: the fraction without its trailing zeros (none for whole seconds)."""
    fraction = f"{timestamp_ns % 1_000_000_000:09d}".rstrip("0")
    return _seconds(timestamp_ns) + (f".{fraction}" if fraction else "") + "Z"


def format_fixed(timestamp_ns: int) -> str:
    """The kubelet's RFC3339NanoFixed in UTC: always nine digits of fraction."""
    return f"{_seconds(timestamp_ns)}.{timestamp_ns % 1_000_000_000:09d}Z"


def _seconds(timestamp_ns: int) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp_ns // 1_000_000_000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def parse_timestamp(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 time with any fraction (up to nine digits) and a zone."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    seconds = datetime.datetime.fromisoformat(match["seconds"] + match["zone"]).timestamp()
    return int(seconds) * 1_000_000_000 + int((match["fraction"] or "").ljust(9, "0"))


_RFC3339 = re.compile(r"(?P<seconds>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d{1,9}))?"
                      r"(?P<zone>Z|[+-]\d\d:\d\d)", re.ASCII)  # Go's digits are ASCII only


@mirrors("k8s.io/kubernetes/pkg/kubelet/kuberuntime/logs.parseCRILog")
def parse_record(line: bytes) -> LogRecord:
    """One line of the file (with its newline) as a record; the content of a full record keeps the
    newline, a partial one has none."""
    try:
        timestamp, stream, tag, content = line.split(b" ", 3)
        if stream not in (b"stdout", b"stderr") or tag not in (FULL, PARTIAL):
            raise ValueError(line)
        when = parse_timestamp(timestamp.decode())
    except ValueError:
        raise CRILogError(f"unexpected CRI log line {line[:80]!r}") from None
    partial = tag == PARTIAL
    content = content[:-1] if content.endswith(b"\n") else content
    return LogRecord(when, stream.decode(), partial, content if partial else content + b"\n")


def read_records(path: Path, offset: int = 0) -> tuple[list[LogRecord], int]:
    """The whole records of the file from `offset`, and the offset after them (a record still
    being written is left for the next read); none for a file never written."""
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            data = log.read()
    except FileNotFoundError:
        return [], offset
    whole = data[:data.rfind(b"\n") + 1]
    return [record for line in lines(whole) if (record := _record_or_none(line))], offset + len(whole)


def _record_or_none(line: bytes) -> LogRecord | None:
    """A line that is no record (a log written before the runtime wrote CRI, a damaged line) is
    passed over, as ReadLogs logs it and goes on: one bad line must not end a `kubectl logs`."""
    try:
        return parse_record(line)
    except CRILogError:
        return None


def records(data: bytes, timestamp_ns: int, stream: str = "stdout") -> bytes:
    """The CRI lines of one read of output, as containerd's log redirect writes them (it is no
    part of the Kubernetes tree): a full record per line, a partial one for the rest."""
    head = f"{format_nano(timestamp_ns)} {stream} ".encode()
    return b"".join(head + (FULL + b" " + line if line.endswith(b"\n") else PARTIAL + b" " + line + b"\n")
                    for line in lines(data))


class CRILogWriter:
    """Copies a container's output from a pipe to its CRI log, each read stamped with the time it
    arrived; `raw` gets the bytes unchanged (what an attach follows). Runs in its own thread until
    the pipe closes, which is when every process holding it has exited. The process runtime sends
    stderr into the same pipe, as two pipes read apart would reorder lines: all is `stdout`."""

    def __init__(self, pipe: BinaryIO, log: Path, raw: Path, clock_ns: Callable[[], int] = time.time_ns):
        self.pipe, self.log, self.raw, self.clock_ns = pipe, log, raw, clock_ns
        self.thread = threading.Thread(target=self._copy, name=f"cri-log-{log.parent.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _copy(self) -> None:
        with self.pipe, open(self.log, "ab") as log, open(self.raw, "ab") as raw:
            while True:
                data = os.read(self.pipe.fileno(), 65536)
                if not data:
                    return
                raw.write(data)
                raw.flush()
                log.write(records(data, self.clock_ns()))
                log.flush()
