"""The CRI container log format the process runtime writes and the kubelet reads: one rule each."""
from __future__ import annotations

import pytest

from reference_impl.kubelet.crilog import (CRILogError, LogRecord, format_fixed, format_nano, parse_record,
                                           parse_timestamp, read_records, records)

T0 = 1_767_323_045_500_000_000  # 2026-01-02T03:04:05.5Z


def test_a_record_is_written_as_containerd_writes_it():
    """`<RFC3339Nano> <stream> F <line>` per whole line, `P` for output that did not end it yet,
    the time without trailing zeros."""
    assert records(b"one\ntwo", T0) == (b"2026-01-02T03:04:05.5Z stdout F one\n"
                                        b"2026-01-02T03:04:05.5Z stdout P two\n")
    assert records(b"", T0) == b""


def test_times_are_go_rfc3339nano_on_the_wire_and_fixed_width_when_shown():
    assert format_nano(T0 - 500_000_000) == "2026-01-02T03:04:05Z"
    assert format_nano(T0 + 1) == "2026-01-02T03:04:05.500000001Z"
    assert format_fixed(T0) == "2026-01-02T03:04:05.500000000Z"


def test_a_time_with_any_fraction_and_zone_reads_to_the_nanosecond():
    assert parse_timestamp("2026-01-02T03:04:05.5Z") == T0
    assert parse_timestamp("2026-01-02T05:04:05.500000001+02:00") == T0 + 1
    with pytest.raises(ValueError):
        parse_timestamp("2026-01-02 03:04:05Z")


def test_parse_record_keeps_the_newline_of_a_full_line_only():
    """parseCRILog: the content after the tag; a full record ends in a newline, a partial one not."""
    assert parse_record(b"2026-01-02T03:04:05.5Z stderr F a b \n") == LogRecord(T0, "stderr", False, b"a b \n")
    assert parse_record(b"2026-01-02T03:04:05.5Z stdout P ab\n") == LogRecord(T0, "stdout", True, b"ab")


@pytest.mark.parametrize("line", [b"hello world\n", b"2026-01-02T03:04:05Z stdin F x\n",
                                  b"2026-01-02T03:04:05Z stdout X x\n", b"yesterday stdout F x\n"])
def test_a_line_that_is_no_record_is_an_error(line):
    with pytest.raises(CRILogError):
        parse_record(line)


def test_read_records_leaves_a_record_still_being_written_for_the_next_read(tmp_path):
    path = tmp_path / "0.log"
    path.write_bytes(records(b"one\n", T0) + b"2026-01-02T03:04:05Z std")
    got, offset = read_records(path)
    assert [r.content for r in got] == [b"one\n"] and offset == len(records(b"one\n", T0))
    with open(path, "ab") as log:
        log.write(b"out F two\n")
    assert [r.content for r in read_records(path, offset)[0]] == [b"two\n"]
    assert read_records(tmp_path / "never.log") == ([], 0)


def test_a_line_that_is_no_record_is_passed_over_by_read_records(tmp_path):
    """A plain-text line (a log from before the CRI format, or damage) raised out of the log
    server and dropped `kubectl logs`' connection without an answer; ReadLogs skips it."""
    path = tmp_path / "0.log"
    path.write_bytes(records(b"one\n", T0) + b"plain old line\n" + records(b"two\n", T0))
    got, offset = read_records(path)
    assert [r.content for r in got] == [b"one\n", b"two\n"] and offset == path.stat().st_size
