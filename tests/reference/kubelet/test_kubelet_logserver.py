"""The kubelet's container-log endpoint: option parsing, file selection from the pod's status,
tail, since, timestamps and limit over the CRI records, and the HTTP adapter answering from files
on disk."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from reference_impl.kubelet.actions import PodKey
from reference_impl.kubelet.crilog import LogRecord, parse_timestamp, records
from reference_impl.kubelet.logserver import (ContainerLogError, LogOptions, LogServer, log_file_index,
                                              parse_log_options, read_log, tail)
from reference_impl.kubelet.runtime import log_path

SECOND = 1_000_000_000
T0 = parse_timestamp("2026-01-02T03:04:05.5Z")


def write_log(path, *lines: tuple[int, bytes]) -> None:
    """A CRI log of (time in ns, output) pieces, as the runtime writes one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(records(data, when) for when, data in lines))


def pod(state: dict, last_state: dict | None = None, restarts: int = 0, name: str = "web") -> dict:
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
            "spec": {"containers": [{"name": name}]},
            "status": {"containerStatuses": [{"name": name, "state": state, "lastState": last_state or {},
                                              "restartCount": restarts}]}}


RUNNING = {"running": {"startedAt": "2024-01-01T00:00:00Z"}}
EXITED = {"terminated": {"exitCode": 1, "containerID": "process://10"}}


def test_a_running_container_reads_the_file_of_its_restart_count():
    """A running container writes to <restartCount>.log."""
    assert log_file_index(pod(RUNNING, restarts=2), "web", previous=False) == 2


def test_previous_of_a_running_container_is_the_run_before():
    """--previous on a restarted, running container reads <restartCount - 1>.log."""
    assert log_file_index(pod(RUNNING, EXITED, restarts=2), "web", previous=True) == 1


def test_previous_while_crash_looping_is_the_run_that_just_ended():
    """A container waiting to be restarted has not been counted again: its last run is <restartCount>.log."""
    waiting = {"waiting": {"reason": "CrashLoopBackOff"}}
    assert log_file_index(pod(waiting, EXITED, restarts=3), "web", previous=True) == 3
    assert log_file_index(pod(waiting, EXITED, restarts=3), "web", previous=False) == 3


def test_previous_without_a_terminated_run_is_an_error():
    """--previous with no earlier terminated container answers 400 in upstream's words."""
    with pytest.raises(ContainerLogError) as caught:
        log_file_index(pod(RUNNING), "web", previous=True)
    assert caught.value.code == 400
    assert caught.value.message == 'previous terminated container "web" in pod "p" not found'


def test_an_ephemeral_container_reads_its_file_from_the_ephemeral_statuses():
    """validateContainerLogStatus finds a container in any of the pod's status lists."""
    debugged = pod(RUNNING)
    debugged["status"]["ephemeralContainerStatuses"] = [{"name": "debugger", "state": EXITED, "lastState": {},
                                                          "restartCount": 0}]
    assert log_file_index(debugged, "debugger", previous=False) == 0


def test_a_waiting_container_has_no_logs_yet():
    """A container not yet started answers with its waiting reason."""
    with pytest.raises(ContainerLogError) as caught:
        log_file_index(pod({"waiting": {"reason": "ContainerCreating"}}), "web", previous=False)
    assert caught.value.message == 'container "web" in pod "p" is waiting to start: ContainerCreating'


def test_a_container_without_status_is_not_available():
    """A container the status does not list yet is "not available"."""
    with pytest.raises(ContainerLogError, match='container "web" in pod "p" is not available'):
        log_file_index({"metadata": {"name": "p"}, "status": {}}, "web", previous=False)


def test_tail_keeps_the_last_records_including_a_partial_one():
    """tailLines=N keeps the last N records, as the file's last N lines; a partial one counts."""
    a, b, c = (LogRecord(T0, "stdout", name == "c", name.encode()) for name in "abc")
    assert tail([a, b, c], 2) == [b, c]
    assert tail([a, b], 5) == [a, b]
    assert tail([a, b], 0) == []
    assert tail([a, b], None) == [a, b]


def test_options_come_from_the_query():
    """follow/previous/timestamps are booleans, tailLines/limitBytes/sinceSeconds int64, sinceTime
    an RFC 3339 time; the old `tail` stands for tailLines (`all` for none)."""
    assert parse_log_options({"follow": ["true"], "tailLines": ["3"]}) == LogOptions(follow=True, tail_lines=3)
    assert parse_log_options({"sinceTime": ["2026-01-02T03:04:05.5Z"], "timestamps": ["true"]}) == LogOptions(
        since_time=T0, timestamps=True)
    assert parse_log_options({"tail": ["2"], "sinceSeconds": ["5"]}) == LogOptions(tail_lines=2, since_seconds=5)
    assert parse_log_options({"tail": ["all"]}) == LogOptions()
    assert parse_log_options({"tailLines": ["+3"], "limitBytes": ["9223372036854775807"]}) == LogOptions(
        tail_lines=3, limit_bytes=2**63 - 1)


@pytest.mark.parametrize("query,code,message", [
    ({"tailLines": ["x"]}, 400, '{"message": "Unable to decode query."}'),
    ({"tailLines": ["9223372036854775808"]}, 400, '{"message": "Unable to decode query."}'),
    ({"limitBytes": [" 5"]}, 400, '{"message": "Unable to decode query."}'),
    ({"sinceSeconds": ["1_0"]}, 400, '{"message": "Unable to decode query."}'),
    ({"tailLines": ["\u0663"]}, 400, '{"message": "Unable to decode query."}'),
    ({"sinceTime": ["2026-01-02T03:04:05.\u0663Z"]}, 400, '{"message": "Unable to decode query."}'),
    ({"sinceTime": ["yesterday"]}, 400, '{"message": "Unable to decode query."}'),
    ({"tailLines": ["-1"]}, 422, '{"message": "Invalid request."}'),
    ({"limitBytes": ["0"]}, 422, '{"message": "Invalid request."}'),
    ({"sinceSeconds": ["0"]}, 422, '{"message": "Invalid request."}'),
    ({"sinceSeconds": ["5"], "sinceTime": ["2026-01-02T03:04:05Z"]}, 422, '{"message": "Invalid request."}')])
def test_options_the_kubelet_refuses_in_upstreams_words(query, code, message):
    """getContainerLogs: a value that does not decode is a 400, one ValidatePodLogOptions refuses
    (negative tailLines, limitBytes or sinceSeconds below 1, both since options) a 422."""
    with pytest.raises(ContainerLogError) as caught:
        parse_log_options(query)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_since_is_the_later_of_since_seconds_ago_and_since_time():
    assert LogOptions(since_seconds=10).since(T0) == T0 - 10 * SECOND
    assert LogOptions(since_time=T0).since(T0 + SECOND) == T0
    assert LogOptions().since(T0) == 0


@pytest.mark.parametrize("value,on", [("true", True), ("True", True), ("yes", True), ("", True),
                                      ("0", False), ("False", False)])
def test_boolean_options_read_as_go_converts_a_query_bool(value, on):
    """Only "0" and "false" in any case are false (Convert_Slice_string_To_bool): `follow=yes`
    follows, as the real kubelet does."""
    assert parse_log_options({"follow": [value], "previous": [value]}) == LogOptions(follow=on, previous=on)


def test_read_log_applies_tail_then_limit_and_a_missing_file_is_empty(tmp_path):
    """limitBytes cuts what tailLines left; a log never written reads as empty."""
    path = tmp_path / "0.log"
    write_log(path, (T0, b"one\ntwo\nthree\n"))
    assert read_log(path, LogOptions(tail_lines=2, limit_bytes=5), T0)[0] == b"two\nt"
    assert read_log(tmp_path / "missing.log", LogOptions(), T0) == (b"", 0)


def test_timestamps_put_each_records_time_first_in_nine_digits(tmp_path):
    """--timestamps: every line starts with its time in RFC3339NanoFixed and a space, a partial
    record too, and limitBytes counts the timestamp as the kubelet's logWriter does."""
    path = tmp_path / "0.log"
    write_log(path, (T0, b"one\n"), (T0 + 1, b"tw"))
    assert read_log(path, LogOptions(timestamps=True), T0)[0] == (
        b"2026-01-02T03:04:05.500000000Z one\n2026-01-02T03:04:05.500000001Z tw")
    assert read_log(path, LogOptions(timestamps=True, limit_bytes=33), T0)[0] == b"2026-01-02T03:04:05.500000000Z on"


def test_since_leaves_out_older_records_after_tail_picked_them(tmp_path):
    """sinceSeconds/sinceTime drop the records written before; tailLines is counted first, so a
    tail of 2 with the older one dropped shows one line."""
    path = tmp_path / "0.log"
    write_log(path, (T0, b"old\n"), (T0 + 5 * SECOND, b"mid\n"), (T0 + 9 * SECOND, b"new\n"))
    now = T0 + 10 * SECOND
    assert read_log(path, LogOptions(since_seconds=6), now)[0] == b"mid\nnew\n"
    assert read_log(path, LogOptions(since_time=T0 + 6 * SECOND), now)[0] == b"new\n"
    assert read_log(path, LogOptions(since_time=T0 + 6 * SECOND, tail_lines=2), now)[0] == b"new\n"


def test_the_server_answers_from_the_selected_file(tmp_path):
    """GET /containerLogs/ns/pod/container serves the file the status selects; errors come as text."""
    key = PodKey("ns", "p", "u1")
    for index, text in ((0, b"first run\n"), (1, b"second run\nlast line\n")):
        write_log(log_path(tmp_path, key, "web", index), (T0, text))
    pods = {("ns", "p"): pod(RUNNING, EXITED, restarts=1)}
    server = LogServer(tmp_path, lambda ns, name: pods.get((ns, name)), lambda key, name: False,
                       tls=None, auth=None)
    server.start()
    base = f"http://127.0.0.1:{server.port}/containerLogs/ns"
    try:
        assert urllib.request.urlopen(f"{base}/p/web").read() == b"second run\nlast line\n"
        assert urllib.request.urlopen(f"{base}/p/web?tailLines=1").read() == b"last line\n"
        assert urllib.request.urlopen(f"{base}/p/web?previous=true").read() == b"first run\n"
        assert urllib.request.urlopen(f"{base}/p/web?follow=true").read() == b"second run\nlast line\n"
        assert urllib.request.urlopen(f"{base}/p/web?tailLines=1&timestamps=true").read() == (
            b"2026-01-02T03:04:05.500000000Z last line\n")
        for path, code, text in (("gone/web", 404, b'pod "gone" does not exist'),
                                 ("p/web?sinceSeconds=1&sinceTime=2026-01-02T03:04:05Z", 422,
                                  b'{"message": "Invalid request."}')):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"{base}/{path}")
            assert (caught.value.code, caught.value.read()) == (code, text)
    finally:
        server.stop()


def test_a_follow_stamps_what_the_container_appends_and_ends_when_it_stops(tmp_path):
    """follow=true&timestamps=true: the records there, then each one appended, with its time,
    until the container is no longer running."""
    key = PodKey("ns", "p", "u1")
    path = log_path(tmp_path, key, "web", 0)
    write_log(path, (T0, b"first\n"))
    running = threading.Event()
    running.set()
    server = LogServer(tmp_path, lambda ns, name: pod(RUNNING), lambda key, name: running.is_set(),
                       tls=None, auth=None)
    server.start()
    try:
        response = urllib.request.urlopen(
            f"http://127.0.0.1:{server.port}/containerLogs/ns/p/web?follow=true&timestamps=true", timeout=10)
        assert response.readline() == b"2026-01-02T03:04:05.500000000Z first\n"
        with open(path, "ab") as log:
            log.write(records(b"second\n", T0 + SECOND))
        assert response.readline() == b"2026-01-02T03:04:06.500000000Z second\n"
        running.clear()
        assert response.read() == b""
    finally:
        server.stop()
