"""The linearizability checker on hand-made histories, then on a real concurrent history of puts,
gets and compare-and-swap transactions from several clients against the reference server."""
from __future__ import annotations

import dataclasses
import math
import random
import threading

import grpc
import pytest

from linearizability import (KV_MODEL, UNKNOWN, CheckResult, CompareAndSwap, Get, Operation, Put,
                             Recorder, check_operations)
from processes import reference_server

K = b"x"


def op(client: int, input_, call: float, ret: float, output=None) -> Operation:
    return Operation(client, input_, call, output, ret)


def check(*ops: Operation) -> CheckResult:
    return check_operations(KV_MODEL, ops, timeout=5)


def test_sequential_history_is_linearizable():
    """A put then a get that sees it, one after the other."""
    assert check(op(0, Put(K, b"1"), 0, 1), op(0, Get(K), 2, 3, b"1")) is CheckResult.OK


def test_stale_read_after_a_completed_put_is_not_linearizable():
    """A get invoked after a put returned must see it (or something later)."""
    assert check(op(0, Put(K, b"1"), 0, 1), op(1, Get(K), 2, 3, None)) is CheckResult.ILLEGAL


def test_concurrent_get_may_see_either_value():
    """A get overlapping a put may return the old or the new value."""
    put = op(0, Put(K, b"1"), 0, 10)
    assert check(put, op(1, Get(K), 5, 6, None)) is CheckResult.OK
    assert check(put, op(1, Get(K), 5, 6, b"1")) is CheckResult.OK


def test_reads_must_not_go_back_in_time():
    """Porcupine's register example: once one read saw the new value, a read that starts after
    it returned cannot see the old one, even while the put is still in flight."""
    put = op(0, Put(K, b"100"), 0, 100)
    new = op(1, Get(K), 25, 75, b"100")
    old_after = op(2, Get(K), 80, 90, None)
    old_overlapping = op(2, Get(K), 30, 60, None)
    assert check(put, new, old_overlapping) is CheckResult.OK
    assert check(put, new, old_after) is CheckResult.ILLEGAL


def test_two_concurrent_cas_from_the_same_value_cannot_both_succeed():
    start = op(0, Put(K, b"0"), 0, 1)
    first = op(1, CompareAndSwap(K, b"0", b"a"), 2, 10, True)
    second = op(2, CompareAndSwap(K, b"0", b"b"), 3, 9, True)
    assert check(start, first, second) is CheckResult.ILLEGAL
    assert check(start, first, dataclasses.replace(second, output=False)) is CheckResult.OK


def test_cas_on_an_absent_key():
    assert check(op(0, CompareAndSwap(K, None, b"a"), 0, 1, True),
                 op(1, Get(K), 2, 3, b"a")) is CheckResult.OK
    assert check(op(0, Put(K, b"z"), 0, 1),
                 op(1, CompareAndSwap(K, None, b"a"), 2, 3, True)) is CheckResult.ILLEGAL


def test_an_operation_with_unknown_outcome_may_or_may_not_take_effect():
    """A put that timed out may be seen by a later read, or never."""
    lost = op(0, Put(K, b"1"), 0, math.inf, UNKNOWN)
    assert check(lost, op(1, Get(K), 5, 6, b"1")) is CheckResult.OK
    assert check(lost, op(1, Get(K), 5, 6, None)) is CheckResult.OK
    assert check(lost, op(1, Get(K), 5, 6, b"2")) is CheckResult.ILLEGAL


def test_keys_are_checked_independently():
    """A violation on one key is found among many legal operations on others."""
    ops = [op(c, Put(bytes([65 + c]), b"v"), c * 10, c * 10 + 5) for c in range(20)]
    assert check(*ops) is CheckResult.OK
    assert check(*ops, op(99, Get(b"C"), 1000, 1001, b"other")) is CheckResult.ILLEGAL


def test_many_concurrent_writers_finish_quickly():
    """Memoization keeps a fully concurrent history of 12 puts and reads tractable."""
    puts = [op(c, Put(K, str(c).encode()), 0, 100) for c in range(12)]
    reads = [op(100 + i, Get(K), 10 + i, 11 + i, str(i % 12).encode()) for i in range(12)]
    assert check(*puts, *reads) is not CheckResult.UNKNOWN


# --- a real history ----------------------------------------------------------------------------

CLIENTS = 6
OPS_PER_CLIENT = 35
KEYS = [b"lin/a", b"lin/b", b"lin/c"]


def _client(address: str, client_id: int, recorder: Recorder, errors: list) -> None:
    from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

    rng = random.Random(client_id)
    last_seen: dict[bytes, bytes | None] = {}
    with grpc.insecure_channel(address) as channel:
        kv = rpc_pb2_grpc.KVStub(channel)

        def get(key):
            kvs = kv.Range(rpc_pb2.RangeRequest(key=key), timeout=5).kvs
            return kvs[0].value if kvs else None

        def put(key, value):
            kv.Put(rpc_pb2.PutRequest(key=key, value=value), timeout=5)

        def cas(key, expected, new):
            if expected is None:
                compare = rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.VERSION,
                                          result=rpc_pb2.Compare.EQUAL, version=0)
            else:
                compare = rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.VALUE,
                                          result=rpc_pb2.Compare.EQUAL, value=expected)
            success = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=new))
            return kv.Txn(rpc_pb2.TxnRequest(compare=[compare], success=[success]),
                          timeout=5).succeeded

        try:
            for n in range(OPS_PER_CLIENT):
                key = rng.choice(KEYS)
                value = f"{client_id}-{n}".encode()
                roll = rng.random()
                if roll < 0.4:
                    last_seen[key] = recorder.run(client_id, Get(key), lambda: get(key))
                elif roll < 0.7:
                    recorder.run(client_id, Put(key, value), lambda: put(key, value))
                else:
                    expected = last_seen.get(key)
                    recorder.run(client_id, CompareAndSwap(key, expected, value),
                                 lambda: cas(key, expected, value))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> list[Operation]:
    """~200 operations from 6 concurrent clients on 3 keys against a running reference."""
    with reference_server(tmp_path_factory.mktemp("lin")) as server:
        recorder, errors = Recorder(), []
        threads = [threading.Thread(target=_client, args=(server.address, c, recorder, errors))
                   for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in threads), "a client thread hung"
        assert not errors, errors
    return recorder.operations


def overlapping(history: list[Operation]) -> int:
    """How many operations ran concurrently with at least one other client's operation."""
    return sum(any(o.client_id != p.client_id and o.call < p.return_time and p.call < o.return_time
                   for p in history) for o in history)


def test_reference_server_history_is_linearizable(history):
    assert len(history) == CLIENTS * OPS_PER_CLIENT
    assert overlapping(history) > len(history) // 2, "the clients barely overlapped: not a real test"
    assert check_operations(KV_MODEL, history, timeout=20) is CheckResult.OK


def test_checker_catches_a_stale_read_planted_in_the_real_history(history):
    """Guard against a vacuous pass: after the real history, one client overwrites a key that the
    clients used and then another reads the overwritten value back — on top of the real history
    the checker must still find that illegal."""
    key = history[-1].input.key
    end = max(o.return_time for o in history)
    forged = [*history,
              op(0, Put(key, b"planted-1"), end + 1, end + 2),
              op(0, Put(key, b"planted-2"), end + 3, end + 4),
              op(1, Get(key), end + 5, end + 6, b"planted-1")]
    assert check_operations(KV_MODEL, forged, timeout=20) is CheckResult.ILLEGAL
