"""The kubelet's container-log endpoint: option parsing, file selection from the pod's status,
tail and limit, and the HTTP adapter answering from files on disk."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from reference_impl.kubelet.actions import PodKey
from reference_impl.kubelet.logserver import (ContainerLogError, LogOptions, LogServer, log_file_index,
                                              parse_log_options, read_log, tail)
from reference_impl.kubelet.runtime import log_path


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


def test_tail_keeps_the_last_lines_including_an_unterminated_one():
    """tailLines=N keeps the last N lines; a final line without a newline counts as one."""
    assert tail(b"a\nb\nc\n", 2) == b"b\nc\n"
    assert tail(b"a\nb\nc", 1) == b"c"
    assert tail(b"a\nb\n", 5) == b"a\nb\n"
    assert tail(b"a\nb\n", 0) == b""
    assert tail(b"a\nb\n", None) == b"a\nb\n"


def test_options_come_from_the_query_and_bad_numbers_are_refused():
    """follow/previous are booleans, tailLines/limitBytes non-negative integers (400 otherwise)."""
    assert parse_log_options({"follow": ["true"], "tailLines": ["3"]}) == LogOptions(follow=True, tail_lines=3)
    for bad in ({"tailLines": ["x"]}, {"tailLines": ["-1"]}, {"limitBytes": ["0"]}):
        with pytest.raises(ContainerLogError):
            parse_log_options(bad)


@pytest.mark.parametrize("value,on", [("true", True), ("True", True), ("yes", True), ("", True),
                                      ("0", False), ("False", False)])
def test_boolean_options_read_as_go_converts_a_query_bool(value, on):
    """Only "0" and "false" in any case are false (Convert_Slice_string_To_bool): `follow=yes`
    follows, as the real kubelet does."""
    assert parse_log_options({"follow": [value], "previous": [value]}) == LogOptions(follow=on, previous=on)


def test_read_log_applies_tail_then_limit_and_a_missing_file_is_empty(tmp_path):
    """limitBytes cuts what tailLines left; a log never written reads as empty."""
    path = tmp_path / "0.log"
    path.write_bytes(b"one\ntwo\nthree\n")
    assert read_log(path, LogOptions(tail_lines=2, limit_bytes=5)) == b"two\nt"
    assert read_log(tmp_path / "missing.log", LogOptions()) == b""


def test_the_server_answers_from_the_selected_file(tmp_path):
    """GET /containerLogs/ns/pod/container serves the file the status selects; errors come as text."""
    key = PodKey("ns", "p", "u1")
    for index, text in ((0, b"first run\n"), (1, b"second run\nlast line\n")):
        path = log_path(tmp_path, key, "web", index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text)
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
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{base}/gone/web")
        assert caught.value.code == 404
    finally:
        server.stop()
