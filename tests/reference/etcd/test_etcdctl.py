"""Real etcdctl 3.4 against the reference server, started as a subprocess on a free loopback port.

Each test works under its own key prefix on one shared server, so they do not depend on each
other's revisions; the tests that compact history get a server of their own. Expected outputs
are etcdctl 3.4.23's against real etcd (test_differential.py compares the two servers whole).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import grpc
import pytest

from processes import ROOT, etcdctl, etcdctl_stream, reference_server, require

@pytest.fixture(scope="module", autouse=True)
def binaries():
    require("etcdctl")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with reference_server(tmp_path_factory.mktemp("etcdctl")) as running:
        yield running


@pytest.fixture
def fresh(tmp_path):
    """A server of the test's own, for tests that compact or count revisions from the start."""
    with reference_server(tmp_path / "fresh") as running:
        yield running


def ok(server, *args, input=None) -> str:
    """etcdctl's stdout, failing the test with its stderr if it exited non-zero."""
    result = etcdctl(server, *args, input=input)
    assert result.returncode == 0, f"etcdctl {' '.join(args)}: {result.stderr}"
    return result.stdout


def fails(server, *args, input=None) -> str:
    """etcdctl's last stderr line (its "Error: ..."), asserting it exited non-zero."""
    result = etcdctl(server, *args, input=input)
    assert result.returncode != 0, f"etcdctl {' '.join(args)} succeeded: {result.stdout}"
    return result.stderr.strip().splitlines()[-1]


def revision(server) -> int:
    return json.loads(ok(server, "get", "x", "-w", "json"))["header"]["revision"]


def lines(text: str) -> list[str]:
    return text.splitlines()


# --- KV ---------------------------------------------------------------------------------------

def test_put_then_get(server):
    assert ok(server, "put", "kv/k", "v") == "OK\n"
    assert lines(ok(server, "get", "kv/k")) == ["kv/k", "v"]
    assert ok(server, "get", "kv/missing") == ""


def test_get_json_carries_header_and_revisions(server):
    ok(server, "put", "json/k", "one")
    first = revision(server)
    ok(server, "put", "json/k", "two")
    response = json.loads(ok(server, "get", "json/k", "-w", "json"))
    assert response["header"]["revision"] == first + 1
    assert set(response["header"]) == {"cluster_id", "member_id", "revision", "raft_term"}
    (kv,) = response["kvs"]
    assert kv["create_revision"] == first and kv["mod_revision"] == first + 1
    assert kv["version"] == 2 and response["count"] == 1


def test_get_prefix(server):
    for key in ("pre/a", "pre/b", "prf/c"):
        ok(server, "put", key, key.upper())
    assert lines(ok(server, "get", "--prefix", "pre/")) == ["pre/a", "PRE/A", "pre/b", "PRE/B"]
    assert lines(ok(server, "get", "pre/a", "pre/c", "--keys-only")) == ["pre/a", "", "pre/b", ""]
    assert lines(ok(server, "get", "--from-key", "prf/", "--keys-only"))[0] == "prf/c"


def test_get_at_an_earlier_revision(server):
    ok(server, "put", "rev/k", "old")
    old = revision(server)
    ok(server, "put", "rev/k", "new")
    assert lines(ok(server, "get", "rev/k", f"--rev={old}")) == ["rev/k", "old"]
    assert lines(ok(server, "get", "rev/k")) == ["rev/k", "new"]


def test_get_limit_reports_more_and_the_full_count(server):
    for n in range(3):
        ok(server, "put", f"lim/{n}", str(n))
    response = json.loads(ok(server, "get", "--prefix", "lim/", "--limit", "2", "-w", "json"))
    assert len(response["kvs"]) == 2 and response["more"] is True and response["count"] == 3
    assert lines(ok(server, "get", "--prefix", "lim/", "--limit", "1")) == ["lim/0", "0"]


def test_sort_by_and_order(server):
    # written in the order c, a, b; b twice so its version is 2; values sort opposite to keys
    for key, value in [("c", "1"), ("a", "3"), ("b", "2"), ("b", "2")]:
        ok(server, "put", f"sort/{key}", value)

    def keys(*flags):
        return lines(ok(server, "get", "--prefix", "sort/", "--keys-only", *flags))[::2]

    assert keys() == ["sort/a", "sort/b", "sort/c"]
    assert keys("--order=DESCEND") == ["sort/c", "sort/b", "sort/a"]
    assert keys("--sort-by=MODIFY") == ["sort/c", "sort/a", "sort/b"]
    assert keys("--sort-by=MODIFY", "--order=DESCEND") == ["sort/b", "sort/a", "sort/c"]
    assert keys("--sort-by=CREATE") == ["sort/c", "sort/a", "sort/b"]
    assert keys("--sort-by=VALUE") == ["sort/c", "sort/b", "sort/a"]
    assert keys("--sort-by=VERSION", "--order=DESCEND")[0] == "sort/b"


def test_keys_only_leaves_values_out(server):
    ok(server, "put", "ko/k", "secret")
    response = json.loads(ok(server, "get", "ko/k", "--keys-only", "-w", "json"))
    assert "value" not in response["kvs"][0]
    assert lines(ok(server, "get", "ko/k", "--keys-only")) == ["ko/k", ""]


def test_count_only(server):
    """etcdctl 3.4 has no --count-only flag (3.5 added it), so the request goes over gRPC."""
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    for n in range(4):
        ok(server, "put", f"count/{n}", "v")
    with grpc.insecure_channel(server.address) as channel:
        response = rpc_pb2_grpc.KVStub(channel).Range(
            rpc_pb2.RangeRequest(key=b"count/", range_end=b"count0", count_only=True), timeout=5)
    assert response.count == 4 and list(response.kvs) == []


def test_delete(server):
    for key in ("del/a", "del/b", "del/c"):
        ok(server, "put", key, "v")
    assert lines(ok(server, "del", "del/a", "--prev-kv")) == ["1", "del/a", "v"]
    assert ok(server, "del", "del/missing") == "0\n"
    assert ok(server, "del", "--prefix", "del/") == "2\n"
    assert ok(server, "get", "--prefix", "del/") == ""


def test_interactive_txn_takes_the_branch_its_compare_selects(server):
    ok(server, "put", "txn/k", "v1")
    script = ('value("txn/k") = "v1"\n\n'
              'put txn/k v2\nget txn/k\n\n'
              'put txn/k failed\n\n')
    out = lines(ok(server, "txn", "-i", input=script))
    assert out[3:] == ["SUCCESS", "", "OK", "", "txn/k", "v2"]
    out = lines(ok(server, "txn", "-i", input=script))  # the value is v2 now
    assert out[3:] == ["FAILURE", "", "OK"]
    assert lines(ok(server, "get", "txn/k")) == ["txn/k", "failed"]


def test_txn_compares_revisions_and_nests_headers(server):
    ok(server, "put", "txn2/k", "v")
    script = 'mod("txn2/k") > "0"\n\nget txn2/k\n\n\n'
    response = json.loads(ok(server, "txn", "-i", "-w", "json", input=script).splitlines()[-1])
    assert response["succeeded"] is True
    inner = response["responses"][0]["Response"]["ResponseRange"]
    assert inner["kvs"][0]["value"] == "dg=="  # base64 "v"
    assert inner["header"] == {"revision": response["header"]["revision"]}


def test_empty_key_is_rejected(server):
    assert fails(server, "put", "", "v") == "Error: etcdserver: key is not provided"


def test_request_too_large(server):
    value = "a" * (1700 * 1024)  # over etcd's 1.5 MiB --max-request-bytes; read from stdin
    assert fails(server, "put", "big/k", input=value) == "Error: etcdserver: request is too large"


def test_future_revision(server):
    future = revision(server) + 100
    assert fails(server, "get", "kv/k", f"--rev={future}") == \
        "Error: etcdserver: mvcc: required revision is a future revision"


# --- watch ------------------------------------------------------------------------------------

def test_watch_sees_puts_and_deletes(server):
    start = revision(server) + 1  # from the next revision, so no event is lost to a slow start
    with etcdctl_stream(server, "watch", "--prefix", "w/", f"--rev={start}") as watch:
        ok(server, "put", "w/a", "1")
        ok(server, "put", "other", "x")
        ok(server, "del", "w/a")
        assert watch.read(5) == ["PUT", "w/a", "1", "DELETE", "w/a"]


def test_watch_from_an_old_revision_replays_history(server):
    ok(server, "put", "wh/k", "1")
    first = revision(server)
    ok(server, "put", "wh/k", "2")
    ok(server, "del", "wh/k")
    with etcdctl_stream(server, "watch", "wh/k", f"--rev={first}", "--prev-kv") as watch:
        # each event: its type, then the previous key and value if any, then the key and value
        assert watch.read(13) == ["PUT", "wh/k", "1",
                                  "PUT", "wh/k", "1", "wh/k", "2",
                                  "DELETE", "wh/k", "2", "wh/k", ""]


def test_watch_below_the_compacted_revision_is_canceled(fresh):
    for n in range(3):
        ok(fresh, "put", "wc/k", str(n))
    ok(fresh, "compaction", str(revision(fresh)))
    with etcdctl_stream(fresh, "watch", "wc/k", "--rev=2") as watch:
        assert watch.read(1) == [
            "watch was canceled (etcdserver: mvcc: required revision has been compacted)"]
        watch.process.wait(timeout=10)
        assert watch.process.returncode != 0


# --- leases -----------------------------------------------------------------------------------

LEASE_GRANTED = re.compile(r"lease ([0-9a-f]{16}) granted with TTL\((\d+)s\)")


def grant(server, ttl: int) -> tuple[str, int]:
    match = LEASE_GRANTED.fullmatch(ok(server, "lease", "grant", str(ttl)).strip())
    assert match, "unexpected lease grant output"
    return match.group(1), int(match.group(2))


def test_lease_lifecycle(server):
    lease, ttl = grant(server, 60)
    assert ttl == 60
    ok(server, "put", f"--lease={lease}", "lease/k", "v")
    out = ok(server, "lease", "timetolive", "--keys", lease).strip()
    match = re.fullmatch(rf"lease {lease} granted with TTL\(60s\), remaining\((\d+)s\), "
                         r"attached keys\(\[lease/k\]\)", out)
    assert match and 55 <= int(match.group(1)) <= 60, out
    assert ok(server, "lease", "keep-alive", "--once", lease) == f"lease {lease} keepalived with TTL(60)\n"
    assert lease in lines(ok(server, "lease", "list"))
    assert ok(server, "lease", "revoke", lease) == f"lease {lease} revoked\n"
    assert ok(server, "get", "lease/k") == ""


def test_lease_keep_alive_stream_renews(server):
    lease, _ = grant(server, 30)
    with etcdctl_stream(server, "lease", "keep-alive", lease) as keepalive:
        assert keepalive.read(1) == [f"lease {lease} keepalived with TTL(30)"]
    ok(server, "lease", "revoke", lease)


def test_lease_expiry_deletes_its_keys(server):
    lease, ttl = grant(server, 1)
    assert ttl == 2  # etcd raises a TTL below its minimum (1.5 election timeouts) to 2 s
    ok(server, "put", f"--lease={lease}", "expire/k", "v")
    deadline = time.monotonic() + 8
    while ok(server, "get", "expire/k") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ok(server, "get", "expire/k") == ""
    assert ok(server, "lease", "timetolive", lease) == f"lease {lease} already expired\n"


def test_unknown_lease(server):
    assert fails(server, "lease", "revoke", "1234") == \
        "Error: failed to revoke lease (etcdserver: requested lease not found)"
    assert ok(server, "lease", "timetolive", "1234") == "lease 0000000000001234 already expired\n"
    assert fails(server, "lease", "keep-alive", "--once", "1234") == \
        "Error: etcdserver: requested lease not found"
    assert fails(server, "put", "--lease=1234", "ul/k", "v") == \
        "Error: etcdserver: requested lease not found"


# --- compaction -------------------------------------------------------------------------------

def test_compaction(fresh):
    for n in range(4):
        ok(fresh, "put", "c/k", str(n))
    current = revision(fresh)
    assert ok(fresh, "compaction", str(current - 1)) == f"compacted revision {current - 1}\n"
    assert lines(ok(fresh, "get", "c/k", f"--rev={current - 1}")) == ["c/k", "2"]
    assert fails(fresh, "get", "c/k", f"--rev={current - 2}") == \
        "Error: etcdserver: mvcc: required revision has been compacted"
    assert fails(fresh, "compaction", str(current - 2)) == \
        "Error: etcdserver: mvcc: required revision has been compacted"
    assert fails(fresh, "compaction", str(current + 10)) == \
        "Error: etcdserver: mvcc: required revision is a future revision"


# --- cluster and maintenance ------------------------------------------------------------------

def test_endpoint_health(server):
    result = etcdctl(server, "endpoint", "health")  # etcdctl 3.4 prints the verdict on stderr
    assert result.returncode == 0
    out = result.stderr.strip()
    assert re.fullmatch(rf"{re.escape(server.address)} is healthy: successfully committed "
                        r"proposal: took = [0-9.]+[µm]?s", out), out


def test_endpoint_status(server):
    (status,) = json.loads(ok(server, "endpoint", "status", "-w", "json"))
    assert status["Endpoint"] == server.address
    body = status["Status"]
    assert body["leader"] == body["header"]["member_id"]
    assert body["header"]["revision"] == revision(server)
    assert body["raftTerm"] >= 1 and body["dbSize"] > 0
    row = ok(server, "endpoint", "status").strip().split(", ")
    assert row[0] == server.address and row[4] == "true" and row[5] == "false"


def test_member_list(server):
    (member,) = lines(ok(server, "member", "list"))
    member_id, state, name, peers, clients, learner = member.split(", ")
    assert (state, name, clients, learner) == ("started", "default", server.client_url, "false")
    assert json.loads(ok(server, "member", "list", "-w", "json"))["members"][0]["ID"] == \
        int(member_id, 16)


# --- the process ------------------------------------------------------------------------------

def test_writes_survive_a_restart(tmp_path):
    with reference_server(tmp_path / "restart") as first:
        ok(first, "put", "durable/k", "v")
        lease, _ = grant(first, 600)
        ok(first, "put", f"--lease={lease}", "durable/leased", "w")
    first.process.wait(timeout=10)
    assert first.process.returncode == 0, "SIGTERM should end the server cleanly"
    with reference_server(tmp_path / "restart") as second:
        assert lines(ok(second, "get", "durable/k")) == ["durable/k", "v"]
        assert lines(ok(second, "get", "durable/leased")) == ["durable/leased", "w"]
        assert lease in lines(ok(second, "lease", "list"))


def run_reference(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reference_impl.etcd.run", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)


def test_busy_port_is_one_clear_line(server, tmp_path):
    result = run_reference("--data-dir", str(tmp_path), "--listen-client-urls", server.client_url)
    assert result.returncode == 1
    assert result.stderr == (f"reference etcd: error: cannot listen on {server.address}: "
                             "the port is already in use\n")


@pytest.mark.parametrize("url, problem", [
    ("https://127.0.0.1:2379", "uses TLS, which the reference does not serve; use http://"),
    ("http://127.0.0.1:70000", "has a port that is not a number from 0 to 65535"),
    ("http://etcd.example:2379", "must name an IP address or localhost, as etcd's listen URLs do"),
])
def test_bad_listen_url_is_one_clear_line(tmp_path, url, problem):
    result = run_reference("--data-dir", str(tmp_path), "--listen-client-urls", url)
    assert result.returncode == 1
    assert result.stderr == f"reference etcd: error: --listen-client-urls: {url!r} {problem}\n"


def test_a_bad_peer_url_is_reported_under_its_own_flag(tmp_path):
    """A bad --listen-peer-urls entry was reported as a --listen-client-urls one."""
    url = "https://127.0.0.1:2380"
    result = run_reference("--data-dir", str(tmp_path), "--listen-client-urls", "http://127.0.0.1:0",
                           "--listen-peer-urls", url)
    assert result.returncode == 1
    assert result.stderr == ("reference etcd: error: --listen-peer-urls: 'https://127.0.0.1:2380' "
                             "uses TLS, which the reference does not serve; use http://\n")


# --- watch stream details no etcdctl command reaches, over gRPC -------------------------------

class WatchStream:
    """A raw Watch RPC: send requests with `send`, read responses with `next`."""

    def __init__(self, channel):
        import queue

        from aetcd.rpc import rpc_pb2_grpc

        self._requests: queue.Queue = queue.Queue()
        self.call = rpc_pb2_grpc.WatchStub(channel).Watch(iter(self._requests.get, None),
                                                           timeout=30)

    def send(self, **request) -> None:
        from aetcd.rpc import rpc_pb2

        self._requests.put(rpc_pb2.WatchRequest(**request))

    def next(self):
        return next(self.call)

    def close(self) -> None:
        self._requests.put(None)
        self.call.cancel()


def test_watch_ids_are_per_stream_and_duplicates_are_refused(server):
    from aetcd.rpc import rpc_pb2

    create = rpc_pb2.WatchCreateRequest
    with grpc.insecure_channel(server.address) as channel:
        first, second = WatchStream(channel), WatchStream(channel)
        try:
            first.send(create_request=create(key=b"ids/k"))
            second.send(create_request=create(key=b"ids/k"))
            a, b = first.next(), second.next()
            assert (a.created, a.watch_id) == (True, 0) and (b.created, b.watch_id) == (True, 0)

            first.send(create_request=create(key=b"ids/k", watch_id=7))
            assert (first.next().watch_id) == 7
            first.send(create_request=create(key=b"ids/k", watch_id=7))
            refused = first.next()
            assert (refused.watch_id, refused.created, refused.canceled) == (-1, True, True)
            assert refused.cancel_reason == "mvcc: duplicate watch ID provided on the WatchStream"

            ok(server, "put", "ids/k", "v")
            events = [first.next(), first.next()]
            assert sorted(r.watch_id for r in events) == [0, 7]
            assert all(r.events[0].kv.value == b"v" for r in events)

            first.send(progress_request=rpc_pb2.WatchProgressRequest())
            progress = first.next()  # one for the stream, as etcd 3.4 sends, not one per watch
            assert (progress.watch_id, progress.events) == (-1, [])
            assert progress.header.revision == revision(server)

            first.send(cancel_request=rpc_pb2.WatchCancelRequest(watch_id=7))
            canceled = first.next()
            assert (canceled.watch_id, canceled.canceled) == (7, True)
        finally:
            first.close()
            second.close()
