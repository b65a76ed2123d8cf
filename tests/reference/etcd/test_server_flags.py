"""etcd 3.4 flags that set a server limit, each checked side by side with real etcd: the same
flag on both servers, the same answers."""
from __future__ import annotations

import contextlib
import io
import queue
import threading
import time

import grpc
import pytest

from processes import real_etcd, reference_server
from reference_impl.etcd.run import parse_args, progress_notify_interval

SERVERS = {"reference": reference_server, "etcd": real_etcd}


def _txn_of_puts(channel, count: int) -> str:
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    ops = [rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=b"k%d" % i, value=b"v")) for i in range(count)]
    try:
        rpc_pb2_grpc.KVStub(channel).Txn(rpc_pb2.TxnRequest(success=ops), timeout=5)
        return "OK"
    except grpc.RpcError as err:
        return f"{err.code().name}: {err.details()}"


@pytest.mark.parametrize("kind", SERVERS)
def test_max_txn_ops_caps_the_operations_of_one_txn(tmp_path, kind):
    """--max-txn-ops 3: a txn of three puts passes, one of four is refused before raft."""
    with SERVERS[kind](tmp_path / kind, "--max-txn-ops", "3") as server, \
            grpc.insecure_channel(server.address) as channel:
        assert [_txn_of_puts(channel, n) for n in (3, 4)] == [
            "OK", "INVALID_ARGUMENT: etcdserver: too many operations in txn request"]


@pytest.mark.parametrize("kind", SERVERS)
def test_max_request_bytes_sizes_what_a_client_may_send(tmp_path, kind):
    """--max-request-bytes 1024: a put whose raft request passes 1024 bytes is "request is too
    large", and gRPC refuses a message past 1024 bytes plus etcd's 512 KiB of overhead in
    grpc-go's words (the reference had no such flag and refused to start)."""
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    def put(size: int) -> str:
        try:
            rpc_pb2_grpc.KVStub(channel).Put(rpc_pb2.PutRequest(key=b"k", value=b"x" * size), timeout=5)
            return "OK"
        except grpc.RpcError as err:
            return f"{err.code().name}: {err.details()}"

    with SERVERS[kind](tmp_path / kind, "--max-request-bytes", "1024") as server, \
            grpc.insecure_channel(server.address) as channel:
        assert [put(size) for size in (1000, 1010, 2 * 1024 * 1024)] == [
            "OK", "INVALID_ARGUMENT: etcdserver: request is too large",
            "RESOURCE_EXHAUSTED: grpc: received message larger than max (2097160 vs. 525312)"]


@pytest.mark.parametrize("kind", SERVERS)
def test_a_max_request_bytes_past_16_mib_lets_a_20_mib_put_through(tmp_path, kind):
    """--max-request-bytes 33554432: etcd's gRPC receive limit is that plus 512 KiB, so a
    20 MiB put is stored (the reference's grpcio refused past 16 MiB, RESOURCE_EXHAUSTED)."""
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    value = b"x" * (20 * 1024 * 1024)
    options = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    with SERVERS[kind](tmp_path / kind, "--max-request-bytes", "33554432") as server, \
            grpc.insecure_channel(server.address, options=options) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)
        kv.Put(rpc_pb2.PutRequest(key=b"big", value=value), timeout=30)
        assert kv.Range(rpc_pb2.RangeRequest(key=b"big"), timeout=30).kvs[0].value == value


def test_max_request_bytes_defaults_to_etcds_and_reads_its_variable():
    base = ["--data-dir", "d"]
    assert parse_args(base, {}).max_request_bytes == 1572864
    assert parse_args(base, {"ETCD_MAX_REQUEST_BYTES": "2048"}).max_request_bytes == 2048
    assert parse_args([*base, "--max-request-bytes", "1024"], {}).max_request_bytes == 1024


@pytest.mark.parametrize("kind", SERVERS)
def test_watch_progress_notify_interval_sets_how_often_an_idle_watch_hears(tmp_path, kind):
    """--experimental-watch-progress-notify-interval 1s: a progress_notify watch on a key nobody
    writes gets an empty response (the server's revision) about every second; etcd adds up to a
    tenth of the interval as jitter."""
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    with SERVERS[kind](tmp_path / kind, "--experimental-watch-progress-notify-interval", "1s") as server, \
            grpc.insecure_channel(server.address) as channel:
        requests: queue.Queue = queue.Queue()
        create = rpc_pb2.WatchCreateRequest(key=b"idle", progress_notify=True)
        requests.put(rpc_pb2.WatchRequest(create_request=create))
        stream = rpc_pb2_grpc.WatchStub(channel).Watch(iter(requests.get, None), timeout=4.5)
        responses = []
        threading.Thread(target=lambda: _drain(stream, responses), daemon=True).start()
        time.sleep(3.6)
        requests.put(None)
        stream.cancel()
        created, *notifies = responses
        assert created.created
        assert 2 <= len(notifies) <= 3
        assert all(not n.events and n.header.revision == 1 for n in notifies)


def _drain(stream, into: list) -> None:
    try:
        for response in stream:
            into.append(response)
    except grpc.RpcError:
        pass


def test_a_progress_notify_interval_below_100ms_is_raised_and_a_zero_one_kept_at_10m():
    """NewWatchServer: a positive interval under minWatchProgressInterval becomes 100 ms; zero or
    less leaves etcd's ten minutes."""
    assert [progress_notify_interval(s) for s in (0.01, 0.5, 0.0, -1.0)] == [0.1, 0.5, 600.0, 600.0]


def enable_auth_for_root(auth, password: str) -> None:
    """Add user root with `password` and the root role, then turn auth on."""
    from aetcd.rpc import rpc_pb2

    auth.UserAdd(rpc_pb2.AuthUserAddRequest(name="root", password=password), timeout=5)
    auth.UserGrantRole(rpc_pb2.AuthUserGrantRoleRequest(user="root", role="root"), timeout=5)
    auth.AuthEnable(rpc_pb2.AuthEnableRequest(), timeout=5)


@pytest.mark.parametrize("kind", SERVERS)
def test_an_empty_auth_token_type_gives_no_token_and_takes_none(tmp_path, kind):
    """--auth-token '' is etcd's tokenNop: with auth on, Authenticate fails for a right password
    as for a wrong one, and any token is refused at once, with no wait for the index it names
    (the reference ran it as simple tokens: root's password gave a token that served)."""
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    with SERVERS[kind](tmp_path / kind, "--auth-token", "") as server, \
            grpc.insecure_channel(server.address) as channel:
        auth, kv = rpc_pb2_grpc.AuthStub(channel), rpc_pb2_grpc.KVStub(channel)
        enable_auth_for_root(auth, "pw")
        answers = []
        for password in ("pw", "wrong"):
            with pytest.raises(grpc.RpcError) as refused:
                auth.Authenticate(rpc_pb2.AuthenticateRequest(name="root", password=password), timeout=5)
            answers.append((refused.value.code(), refused.value.details()))
        assert answers == [(grpc.StatusCode.INVALID_ARGUMENT,
                            "etcdserver: authentication failed, invalid user ID or password")] * 2
        with pytest.raises(grpc.RpcError) as refused:
            kv.Range(rpc_pb2.RangeRequest(key=b"k"), metadata=(("token", "x.999999"),), timeout=3)
        assert (refused.value.code(), refused.value.details()) == (
            grpc.StatusCode.UNAUTHENTICATED, "etcdserver: invalid auth token")


@pytest.mark.parametrize("kind", SERVERS)
def test_auth_token_ttl_sets_how_long_an_unused_token_lives(tmp_path, kind):
    """--auth-token-ttl 2: a token used every second stays valid; one left alone for more than
    two seconds is refused as an invalid auth token (etcd's TTL keeper ticks once a second)."""
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    with SERVERS[kind](tmp_path / kind, "--auth-token-ttl", "2") as server, \
            grpc.insecure_channel(server.address) as channel:
        auth, kv = rpc_pb2_grpc.AuthStub(channel), rpc_pb2_grpc.KVStub(channel)
        enable_auth_for_root(auth, "pw")
        used, idle = (auth.Authenticate(rpc_pb2.AuthenticateRequest(name="root", password="pw"),
                                        timeout=5).token for _ in range(2))

        def answer(token: str) -> str:
            try:
                kv.Range(rpc_pb2.RangeRequest(key=b"k"), metadata=(("token", token),), timeout=5)
                return "OK"
            except grpc.RpcError as err:
                return err.details()

        assert [(time.sleep(1), answer(used))[1] for _ in range(4)] == ["OK"] * 4
        assert answer(idle) == "etcdserver: invalid auth token"


def test_an_empty_data_dir_is_the_members_name_dot_etcd():
    """An empty --data-dir (or ETCD_DATA_DIR) is NAME.etcd, as etcd 3.4 makes it (seen: --name n1
    --data-dir "" made n1.etcd, an empty ETCD_DATA_DIR default.etcd); it was the working
    directory, which then got the log's files among whatever else it held."""
    base = ["--listen-client-urls", "http://127.0.0.1:0"]
    assert parse_args([*base, "--name", "n1", "--data-dir", ""], {}).data_dir == "n1.etcd"
    assert parse_args(base, {"ETCD_DATA_DIR": ""}).data_dir == "default.etcd"
    assert parse_args([*base, "--data-dir", "d"], {}).data_dir == "d"


def test_lease_checkpoint_flags_are_go_bools_and_persist_needs_checkpoints():
    """--experimental-enable-lease-checkpoint[-persist] take pflag's booleans; persisting without
    checkpoints is refused with etcd's words (`error verifying flags, setting
    experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint`)."""
    base = ["--data-dir", "d"]
    args = parse_args([*base, "--experimental-enable-lease-checkpoint",
                       "--experimental-enable-lease-checkpoint-persist=true"], {})
    assert (args.experimental_enable_lease_checkpoint, args.experimental_enable_lease_checkpoint_persist) == (
        True, True)
    assert not parse_args(base, {}).experimental_enable_lease_checkpoint
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), pytest.raises(SystemExit):
        parse_args([*base, "--experimental-enable-lease-checkpoint-persist"], {})
    assert errors.getvalue().strip().endswith(
        "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint")


@pytest.mark.parametrize("variable", ["ETCD_QUOTA_BACKEND_BYTES", "ETCD_MAX_TXN_OPS", "ETCD_AUTH_TOKEN_TTL",
                                      "ETCD_EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT", "ETCD_HEARTBEAT_INTERVAL",
                                      "ETCD_EXPERIMENTAL_ENABLE_LEASE_CHECKPOINT_PERSIST", "ETCD_ELECTION_TIMEOUT"])
def test_a_bad_value_in_an_etcd_variable_is_a_usage_error_not_a_traceback(variable, monkeypatch, capsys):
    """The variables are read as their flags are: a value the flag's type refuses is one line,
    exit 1, as etcd's SetFlagsFromEnv refuses it (etcd 3.4.23: 'error verifying flags, invalid
    value "abc" for ETCD_SNAPSHOT_COUNT: parse error. See 'etcd --help'.')."""
    from reference_impl.etcd import run

    monkeypatch.setattr(run, "run", lambda *args, **kwargs: None)
    assert run.main(["--data-dir", "d"], {variable: "yes please"}) == 1
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f'invalid value "yes please" for {variable}: ' in line and line.endswith("See 'etcd --help'.")
