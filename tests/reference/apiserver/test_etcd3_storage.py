"""etcd3 storage against a real reference etcd process (and, for one smoke test, real etcd 3.4):
one test per storage rule. Each test writes under its own key prefix, so they share one server."""
from __future__ import annotations

import base64
import itertools
import json
import queue
import sys
import threading
import time
from pathlib import Path

import pytest
from aetcd.rpc import kv_pb2, rpc_pb2

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402
from watching import collect  # noqa: E402

from reference_impl.apiserver.core.errors import StatusError  # noqa: E402
from reference_impl.apiserver.storage import etcd3  # noqa: E402
from reference_impl.apiserver.storage.etcdclient import (EtcdClient, EtcdWatch,  # noqa: E402
                                                       WatchStream)
from reference_impl.apiserver.storage.etcd3 import (KeyExists, KeyNotFound, LeaseManager, Storage,  # noqa: E402
                                                   decode, encode, read_back)
from tests.reference.apiserver import test_handlers  # noqa: E402

# The fixture, shared (bound here, not imported, so that the tests' parameters shadow no import).
etcd = test_handlers.etcd

_prefixes = itertools.count()



@pytest.fixture
def storage(etcd):
    return Storage(etcd)


@pytest.fixture
def prefix():
    return f"/registry/tests/t{next(_prefixes)}/"


def obj(name: str, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, **extra}


def test_stored_form_has_no_resource_version():
    """PrepareObjectForStorage: the resourceVersion is never written, only read back."""
    stored = encode({"metadata": {"name": "a", "resourceVersion": "7"}})
    assert b"resourceVersion" not in stored
    assert decode(stored, 9)["metadata"]["resourceVersion"] == "9"


def test_resource_version_is_the_mod_revision(storage, prefix, etcd):
    created = storage.create(prefix + "a", obj("a"))
    kv = etcd.range(prefix + "a").kvs[0]
    assert created["metadata"]["resourceVersion"] == str(kv.mod_revision)
    assert storage.get(prefix + "a") == created


def test_create_of_an_existing_key_fails(storage, prefix):
    storage.create(prefix + "a", obj("a"))
    with pytest.raises(KeyExists):
        storage.create(prefix + "a", obj("a", data={"x": "y"}))
    assert "data" not in storage.get(prefix + "a")


def test_a_create_is_one_txn_with_no_else(storage, prefix, monkeypatch):
    """store.Create sends If(ModRevision(key) == 0).Then(OpPut) with no Else: a create that finds
    the key reads nothing back (an update's txn does, to try again)."""
    sent = []
    call = storage.client._call
    monkeypatch.setattr(storage.client, "_call", lambda method, request, *a, **kw:
                        sent.append((method, request)) or call(method, request, *a, **kw))
    storage.create(prefix + "a", obj("a"))
    with pytest.raises(KeyExists):
        storage.create(prefix + "a", obj("a"))
    storage.guaranteed_update(prefix + "a", lambda current: {**current, "data": {"k": "v"}})
    creates, update = [request for method, request in sent if method == "Txn"][:2], sent[-1][1]
    for request in creates:
        assert [(c.target, c.result, c.mod_revision) for c in request.compare] == [
            (rpc_pb2.Compare.MOD, rpc_pb2.Compare.EQUAL, 0)]
        assert [op.WhichOneof("request") for op in request.success] == ["request_put"]
        assert list(request.failure) == []
    assert [op.WhichOneof("request") for op in update.failure] == ["request_range"]


def test_racing_creates_have_exactly_one_winner(storage, prefix):
    """Create is one etcd txn (mod_revision == 0 → put): of two writers, one wins, one fails."""
    for round_ in range(10):
        key, barrier, outcomes = f"{prefix}race{round_}", threading.Barrier(2), []

        def writer(tag: str) -> None:
            barrier.wait()
            try:
                storage.create(key, obj("race", data={"writer": tag}))
                outcomes.append(("won", tag))
            except KeyExists:
                outcomes.append(("lost", tag))

        threads = [threading.Thread(target=writer, args=(tag,)) for tag in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        winners = [tag for result, tag in outcomes if result == "won"]
        assert len(winners) == 1 and len(outcomes) == 2
        assert storage.get(key)["data"]["writer"] == winners[0]


def test_get_of_a_missing_key(storage, prefix):
    with pytest.raises(KeyNotFound):
        storage.get(prefix + "missing")


def test_guaranteed_update_retries_after_losing_a_race(storage, prefix, etcd):
    """When the key changes between read and write, the update function runs again on the
    newer object, and the write is based on it."""
    storage.create(prefix + "a", obj("a", data={"n": "0"}))
    seen = []

    def bump(current):
        seen.append(current["data"]["n"])
        if len(seen) == 1:  # another writer slips in before our txn
            storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"n": "5"}})
        return {**current, "data": {"n": str(int(current["data"]["n"]) + 1)}}

    result = storage.guaranteed_update(prefix + "a", bump)
    assert seen == ["0", "5"]
    assert result["data"] == {"n": "6"} and storage.get(prefix + "a")["data"] == {"n": "6"}


def test_guaranteed_update_that_changes_nothing_writes_nothing(storage, prefix):
    created = storage.create(prefix + "a", obj("a"))
    assert storage.guaranteed_update(prefix + "a", lambda o: o) == created


class CountingReads:
    """An EtcdClient whose single-key ranges are counted."""

    def __init__(self, client):
        self.client, self.ranges = client, 0

    def range(self, *args, **kwargs):
        self.ranges += 1
        return self.client.range(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_an_update_after_this_servers_own_write_reads_nothing_first(storage, prefix, etcd):
    """The remembered state stands in for upstream's watch-cache copy: create, then update, is
    two transactions and no range."""
    counting = Storage(CountingReads(etcd))
    counting.create(prefix + "a", obj("a", data={"n": "0"}))
    updated = counting.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"n": "1"}})
    assert counting.client.ranges == 0
    assert updated == storage.get(prefix + "a")


def test_an_update_with_a_uid_precondition_decodes_the_object_once(storage, prefix, monkeypatch):
    """The state a precondition is checked on is the one `update` gets (one decode), as upstream
    checks preconditions on the existing object it then hands to tryUpdate; a uid that differs
    still refuses before `update` runs."""
    created = storage.create(prefix + "a", obj("a", data={"n": "0"}))
    uid_of_a = {**created, "metadata": {**created["metadata"], "uid": "u-a"}}
    storage.guaranteed_update(prefix + "a", lambda o: uid_of_a)
    decodes = []
    monkeypatch.setattr(etcd3, "decode", lambda *a: decodes.append(a) or decode(*a))
    updated = storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"n": "1"}},
                                        preconditions=etcd3.Preconditions("u-a"))
    assert updated["data"] == {"n": "1"} and len(decodes) == 1
    with pytest.raises(etcd3.InvalidObj):
        storage.guaranteed_update(prefix + "a", lambda o: pytest.fail("updated"),
                                  preconditions=etcd3.Preconditions("u-b"))


def test_a_stale_remembered_state_is_corrected_by_the_compare(storage, prefix, etcd):
    """Another writer changed the key: the compare fails, the update runs again on its state."""
    mine = Storage(etcd)
    mine.create(prefix + "a", obj("a", data={"n": "0"}))
    storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"n": "5"}})
    seen = []

    def bump(current):
        seen.append(current["data"]["n"])
        return {**current, "data": {"n": str(int(current["data"]["n"]) + 1)}}

    assert mine.guaranteed_update(prefix + "a", bump)["data"] == {"n": "6"}
    assert seen == ["0", "5"]


def test_a_refusal_or_no_change_on_a_stale_state_is_checked_against_etcd(storage, prefix, etcd):
    """origStateIsCurrent: what `update` concludes from a remembered state is trusted only after a read."""
    mine = Storage(etcd)
    mine.create(prefix + "a", obj("a", data={"n": "0"}))
    storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"n": "1"}})

    def needs_one(current):
        if current["data"]["n"] != "1":
            raise StatusError(409, "Conflict", "stale")
        return {**current, "data": {"n": "2"}}

    assert mine.guaranteed_update(prefix + "a", needs_one)["data"] == {"n": "2"}
    storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"n": "3"}})
    assert mine.guaranteed_update(prefix + "a", lambda o: o)["data"] == {"n": "3"}


def test_guaranteed_update_of_a_missing_key(storage, prefix):
    with pytest.raises(KeyNotFound):
        storage.guaranteed_update(prefix + "nope", lambda o: o)


def test_delete_check_can_refuse(storage, prefix):
    storage.create(prefix + "a", obj("a"))

    def refuse(current):
        raise StatusError(409, "Conflict", "no")

    with pytest.raises(StatusError):
        storage.delete(prefix + "a", refuse)
    assert storage.delete(prefix + "a")["metadata"]["name"] == "a"
    with pytest.raises(KeyNotFound):
        storage.get(prefix + "a")


def test_list_pages_are_read_at_one_revision(storage, prefix):
    """Continue tokens keep the first page's revision: objects created later do not appear."""
    for name in "abcde":
        storage.create(prefix + name, obj(name))
    first = storage.list(prefix, limit=2)
    assert [o["metadata"]["name"] for o in first.items] == ["a", "b"]
    assert first.remaining_item_count == 3
    storage.create(prefix + "f", obj("f"))
    names, token = ["a", "b"], first.continue_token
    while token:
        page = storage.list(prefix, limit=2, continue_token=token)
        assert page.resource_version == first.resource_version
        names += [o["metadata"]["name"] for o in page.items]
        token = page.continue_token
    assert names == list("abcde")


def test_a_list_at_a_compacted_revision_is_410_expired(storage, prefix, etcd):
    """An exact read at a compacted revision is NewResourceExpired (reason Expired), in
    interpretListError's words."""
    first = storage.create(prefix + "a", obj("a"))
    latest = storage.create(prefix + "b", obj("b"))
    etcd.compact(int(latest["metadata"]["resourceVersion"]))
    with pytest.raises(StatusError) as raised:
        storage.list(prefix, limit=1, resource_version=first["metadata"]["resourceVersion"])
    assert raised.value.status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "The resourceVersion for the provided list is too old.", "reason": "Expired", "code": 410}


def test_a_continue_after_compaction_is_410_with_an_inconsistent_continue_token(storage, prefix, etcd):
    """handleCompactedErrorForPaging: the Status carries a token for the rest of the list at the
    latest revision (rv -1), and the message says the list it gives is inconsistent."""
    for name in "abc":
        storage.create(prefix + name, obj(name))
    first = storage.list(prefix, limit=1)
    storage.create(prefix + "d", obj("d"))
    etcd.compact(int(storage.list(prefix).resource_version))
    with pytest.raises(StatusError) as raised:
        storage.list(prefix, limit=1, continue_token=first.continue_token)
    status = raised.value.status()
    assert (status["code"], status["reason"]) == (410, "Expired")
    assert status["message"] == (
        "The provided continue parameter is too old to display a consistent list result. You can start a new "
        "list without the continue parameter, or use the continue token in this response to retrieve the "
        "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
        "that were created, modified, or deleted between the time the first chunk was returned and now may show "
        "up in the list.")
    token = status["metadata"]["continue"]
    assert json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == {
        "v": "meta.k8s.io/v1", "rv": -1, "start": "a\x00"}
    rest = storage.list(prefix, limit=5, continue_token=token)
    assert [o["metadata"]["name"] for o in rest.items] == ["b", "c", "d"]


def test_limit_counts_matching_objects_only(storage, prefix):
    for i in range(6):
        storage.create(f"{prefix}{i}", obj(str(i), data={"even": str(i % 2 == 0)}))
    page = storage.list(prefix, limit=2, predicate=lambda o: o["data"]["even"] == "True")
    assert [o["metadata"]["name"] for o in page.items] == ["0", "2"]
    rest = storage.list(prefix, limit=2, continue_token=page.continue_token,
                        predicate=lambda o: o["data"]["even"] == "True")
    assert [o["metadata"]["name"] for o in rest.items] == ["4"] and not rest.continue_token


def _token(fields) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("token", "why"), [
    ("garbage", "invalid character '\\u0081' looking for beginning of value"),
    ("not.a.token", "illegal base64 data at input byte 3"),
    ("abcde", "illegal base64 data at input byte 4"),
    ("abc=", "illegal base64 data at input byte 3"),
    (_token([1]), "json: cannot unmarshal array into Go value of type etcd3.continueToken"),
    (_token({"v": "meta.k8s.io/v1", "rv": "5", "start": "a"}),
     "json: cannot unmarshal string into Go struct field continueToken.rv of type int64"),
    (_token({"v": "v2", "rv": 5, "start": "a"}), 'server does not recognize this encoded version "v2"'),
    (_token({"v": "meta.k8s.io/v1", "start": "a"}),
     "incorrect encoded start resourceVersion (version meta.k8s.io/v1)"),
    (_token({"v": "meta.k8s.io/v1", "rv": 5}), "encoded start key empty (version meta.k8s.io/v1)"),
    (_token({"v": "meta.k8s.io/v1", "rv": 5, "start": "../secrets/x"}), "../secrets/x"),
    (_token({"v": "meta.k8s.io/v1", "rv": 2 ** 63, "start": "a"}),
     "json: cannot unmarshal number 9223372036854775808 into Go struct field continueToken.rv of type int64"),
    (_token({"v": "meta.k8s.io/v1", "rv": 1.5, "start": "a"}),
     "json: cannot unmarshal number 1.5 into Go struct field continueToken.rv of type int64"),
    (_token({"V": "meta.k8s.io/v2", "RV": 5, "Start": "a"}), 'server does not recognize this encoded version "meta.k8s.io/v2"'),
])
def test_bad_continue_token_is_400_in_decode_continues_words(storage, prefix, token, why):
    """decodeContinue: base64url without padding, JSON, version meta.k8s.io/v1, a revision and a
    start key that path.Clean leaves as it is; anything else is a 400 "invalid continue token:
    continue key is not valid: " and encoding/json's, base64's or its own words."""
    with pytest.raises(StatusError) as raised:
        storage.list(prefix, limit=1, continue_token=token)
    assert (raised.value.code, raised.value.message) == (
        400, f"invalid continue token: continue key is not valid: {why}")


def test_continue_token_keys_match_case_insensitively(storage, prefix):
    """encoding/json matches the token's keys to continueToken's fields ignoring case, so a token
    spelling them "V", "RV", "Start" lists from its start key like any other."""
    for name in "abc":
        storage.create(prefix + name, obj(name))
    page = storage.list(prefix, limit=5, continue_token=_token({"V": "meta.k8s.io/v1", "RV": -1, "Start": "b"}))
    assert [o["metadata"]["name"] for o in page.items] == ["b", "c"]


def test_a_lone_surrogate_in_a_continue_token_is_read_as_the_replacement_character(storage, prefix):
    """encoding/json reads an unpaired surrogate escape as U+FFFD (a pair stays one character):
    the start key is "\ufffd", past every ASCII key, and the page is empty rather than a 500."""
    storage.create(prefix + "a", obj("a"))
    page = storage.list(prefix, limit=5, continue_token=_token({"v": "meta.k8s.io/v1", "rv": -1, "start": "\ud800"}))
    assert page.items == []
    token = _token({"v": "meta.k8s.io/v1", "rv": -1, "start": "\U0001f600\ud800x"})
    assert etcd3.decode_continue(token, prefix) == (prefix + "\U0001f600\ufffdx", -1)


def test_bad_continue_token_is_reported_before_a_resource_version(storage, prefix):
    """GetList decodes the token before it refuses a resourceVersion next to it."""
    with pytest.raises(StatusError) as raised:
        storage.list(prefix, limit=1, continue_token="x", resource_version="5")
    assert raised.value.message == "invalid continue token: continue key is not valid: illegal base64 data at input byte 0"


def test_list_at_an_exact_old_revision(storage, prefix):
    """resourceVersion N with a limit reads the state at N."""
    first = storage.create(prefix + "a", obj("a"))
    storage.create(prefix + "b", obj("b"))
    old = storage.list(prefix, limit=10, resource_version=first["metadata"]["resourceVersion"])
    assert [o["metadata"]["name"] for o in old.items] == ["a"]


@pytest.mark.parametrize("match", ["Exact", ""])
def test_an_exact_list_at_a_revision_past_int64_is_too_large(storage, prefix, match):
    """GetList converts the revision with int64(): 2^64-1 wraps to -1, etcd reads the latest, and
    the read is 504 Too large resource version, as kube-apiserver 1.24 answers (was a 500); etcd3's
    store, unlike the watch cache, asks for no retry delay."""
    storage.create(prefix + "a", obj("a"))
    with pytest.raises(StatusError) as raised:
        storage.list(prefix, limit=1, resource_version=str(2**64 - 1), resource_version_match=match)
    assert (raised.value.code, raised.value.message.split(",")[0]) == (
        504, f"Timeout: Too large resource version: {2**64 - 1}")
    assert "retryAfterSeconds" not in raised.value.details


def test_watch_from_a_revision_sees_later_changes(storage, prefix):
    created = storage.create(prefix + "a", obj("a"))
    updated = storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"k": "v"}})
    storage.delete(prefix + "a")
    watch = storage.watch(prefix, resource_version=created["metadata"]["resourceVersion"])
    events = collect(watch, 2)
    assert [t for t, _ in events] == ["MODIFIED", "DELETED"]
    assert events[0][1] == updated
    assert int(events[1][1]["metadata"]["resourceVersion"]) > int(updated["metadata"]["resourceVersion"])


def test_watch_from_zero_starts_with_the_current_objects(storage, prefix):
    storage.create(prefix + "a", obj("a"))
    watch = storage.watch(prefix, resource_version="0")
    storage.create(prefix + "b", obj("b"))
    events = collect(watch, 2)
    assert [(t, o["metadata"]["name"]) for t, o in events] == [("ADDED", "a"), ("ADDED", "b")]


def test_watch_from_a_compacted_revision_is_410(storage, prefix, etcd):
    """interpretWatchError: etcd's ErrCompacted is one ERROR event, 410 Expired in its own words
    (the watch cache's "too old resource version: N (M)" is another message)."""
    first = storage.create(prefix + "a", obj("a"))
    storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"k": "v"}})
    latest = storage.guaranteed_update(prefix + "a", lambda o: {**o, "data": {"k": "w"}})
    etcd.compact(int(latest["metadata"]["resourceVersion"]))
    events = collect(storage.watch(prefix, resource_version=first["metadata"]["resourceVersion"]), 1)
    assert len(events) == 1 and events[0][0] == "ERROR"
    status = events[0][1]
    assert (status["code"], status["reason"]) == (410, "Expired")
    assert status["message"] == "The resourceVersion for the provided watch is too old."


def test_a_watch_etcd_serves_sends_no_bookmarks(storage, prefix):
    """Bookmarks are the watch cache's: a watch served by etcd3's watcher (events, which have no
    cache) sends none, bookmarks allowed or not, however long it idles."""
    created = storage.create(prefix + "a", obj("a"))
    watch = storage.watch(prefix, resource_version=str(int(created["metadata"]["resourceVersion"]) - 1),
                          allow_bookmarks=True, bookmark_interval=0.2)
    storage.create(prefix + "b", obj("b"))
    assert [(t, o["metadata"]["name"]) for t, o in collect(watch, 3, timeout=1.5)] == [("ADDED", "a"), ("ADDED", "b")]


def test_stop_ends_a_watch_blocked_waiting(storage, prefix):
    watch = storage.watch(prefix)
    done = threading.Event()
    threading.Thread(target=lambda: (list(watch), done.set()), daemon=True).start()
    watch.stop()
    assert done.wait(5)


@pytest.mark.parametrize("kind", ["reference", "etcd"])
def test_storage_smoke_against_both_etcds(kind, tmp_path):
    """The same create/conflict/list/watch/compaction sequence behaves alike on the reference
    and on real etcd 3.4 (the Debian etcd-server binary; missing binary fails the test)."""
    start = processes.reference_server if kind == "reference" else processes.real_etcd
    with start(tmp_path / kind) as server:
        client = EtcdClient(server.client_url)
        try:
            storage = Storage(client)
            created = storage.create("/registry/smoke/a", obj("a"))
            with pytest.raises(KeyExists):
                storage.create("/registry/smoke/a", obj("a"))
            updated = storage.guaranteed_update("/registry/smoke/a", lambda o: {**o, "data": {"k": "v"}})
            storage.create("/registry/smoke/b", obj("b"))
            page = storage.list("/registry/smoke/", limit=1)
            assert [o["metadata"]["name"] for o in page.items] == ["a"] and page.continue_token
            events = collect(storage.watch("/registry/smoke/",
                                           resource_version=created["metadata"]["resourceVersion"]), 2)
            assert [(t, o["metadata"]["name"]) for t, o in events] == [("MODIFIED", "a"), ("ADDED", "b")]
            client.compact(int(updated["metadata"]["resourceVersion"]) + 1)
            events = collect(storage.watch("/registry/smoke/",
                                           resource_version=created["metadata"]["resourceVersion"]), 1)
            assert events[0][0] == "ERROR" and events[0][1]["code"] == 410
        finally:
            client.close()


def test_a_write_reads_back_as_its_json_round_trip_would():
    """read_back(obj, rev) is decode(encode(obj), rev), key order included (the resourceVersion
    where ObjectMeta's struct has it, as the real server writes it), without sharing the top level
    or metadata with the writer's object."""
    obj = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"resourceVersion": "3", "name": "p", "labels": {"a": "b"}},
           "spec": {"containers": [{"name": "c"}]}, "status": {}}
    back = read_back(obj, 7)
    assert back == decode(encode(obj), 7)
    assert list(back["metadata"]) == list(decode(encode(obj), 7)["metadata"]) == ["name", "resourceVersion", "labels"]
    assert back["metadata"] is not obj["metadata"] and obj["metadata"]["resourceVersion"] == "3"


class _Grants:
    """An etcd client that only grants leases, numbered from 1, and records their TTLs."""

    def __init__(self):
        self.ttls: list[int] = []

    def lease_grant(self, ttl: int) -> int:
        self.ttls.append(ttl)
        return len(self.ttls)


def _ticking(start: float):
    """A clock that moves on a millisecond at each reading, as time.Now() never stands still."""
    now = [start]

    def clock() -> float:
        now[0] += 0.001
        return now[0]
    return clock, now


def test_the_lease_manager_shares_a_lease_within_its_reuse_window():
    """leaseManager.GetLease: a lease granted for 5% more than the TTL (at most 60 s more) serves
    every object written until it would expire within the TTL, then a new one is granted."""
    grants = _Grants()
    clock, now = _ticking(1000.0)
    leases = LeaseManager(grants, clock)
    assert leases.get_lease(3600) == 1 and grants.ttls == [3660]
    now[0] += 59
    assert leases.get_lease(3600) == 1  # expires just before 1 s after this object's hour: still good
    now[0] += 1
    assert leases.get_lease(3600) == 2 and grants.ttls == [3660, 3660]
    assert leases.get_lease(100) == 3 and grants.ttls[-1] == 105  # 5% of a short TTL
    assert leases.get_lease(100) == 3


def test_the_lease_manager_attaches_at_most_a_thousand_objects_to_a_lease():
    grants = _Grants()
    leases = LeaseManager(grants, _ticking(0.0)[0])
    assert {leases.get_lease(3600) for _ in range(1000)} == {1}
    assert leases.get_lease(3600) == 2


def _lease_keys(etcd, key: str) -> list[bytes]:
    """The keys attached to the lease `key` is attached to (none: the key has no lease)."""
    member = etcd._members[0]
    kv = member.kv.Range(rpc_pb2.RangeRequest(key=key.encode())).kvs[0]
    if not kv.lease:
        return []
    return list(member.lease.LeaseTimeToLive(rpc_pb2.LeaseTimeToLiveRequest(ID=kv.lease, keys=True)).keys)


def test_an_object_written_with_a_ttl_is_deleted_by_etcd_when_it_runs_out(storage, prefix, etcd):
    """store.ttlOpts: a create or update with a TTL attaches the key to a lease; etcd deletes it
    when the lease expires. An object written without one has no lease."""
    storage.create(prefix + "kept", obj("kept"))
    assert _lease_keys(etcd, prefix + "kept") == []
    storage.create(prefix + "a", obj("a"), ttl=2)
    assert (prefix + "a").encode() in _lease_keys(etcd, prefix + "a")
    storage.guaranteed_update(prefix + "a", lambda current: {**current, "data": {"x": "y"}}, ttl=2)
    assert (prefix + "a").encode() in _lease_keys(etcd, prefix + "a")
    deadline = time.monotonic() + 15
    while etcd.range(prefix + "a").kvs and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not etcd.range(prefix + "a").kvs
    assert storage.get(prefix + "kept")["metadata"]["name"] == "kept"


def _reading(watch) -> list:
    """The batches `watch` yields, gathered by a thread of their own."""
    batches: list = []
    threading.Thread(target=lambda: batches.extend(watch), daemon=True).start()
    return batches


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_clients_watches_share_one_stream(etcd, prefix):
    """clientv3's watchGrpcStream: the watches of one client go on one gRPC stream (the apiserver's
    sixty watch caches are sixty watches of a stream, not sixty streams with two threads each), and
    each still gets only its own key range's events, a cancelled one nothing more."""
    etcd.watch(prefix + "warm/")  # the stream and its reader exist from here on
    threads = threading.active_count()
    # From the next revision, as the apiserver's watches start: the writes below may come before
    # etcd has created every watch (one create at a time).
    revision = etcd.range(prefix).revision
    watches = [etcd.watch(f"{prefix}{i}/", start_revision=revision + 1, prev_kv=False) for i in range(8)]
    readings = [_reading(watch) for watch in watches]
    assert threading.active_count() - threads <= len(watches)  # the readers above, no more
    watches[5].cancel()
    etcd.put_if_mod_revision(f"{prefix}5/x", b"5", 0)
    for i in (2, 7):
        etcd.put_if_mod_revision(f"{prefix}{i}/x", str(i).encode(), 0)
    _wait_for(lambda: readings[2] and readings[7])
    assert [[event.kv.key for batch in reading for event in batch.events] for reading in readings] == \
        [[], [], [f"{prefix}2/x"], [], [], [], [], [f"{prefix}7/x"]]
    for watch in watches:
        watch.cancel()


def test_a_progress_notification_reaches_every_watch_of_the_stream(etcd, prefix):
    """A progress request answers for the whole stream (watch id -1), which clientv3 hands to
    every watch on it: each learns that it has seen every change up to that revision."""
    watches = [etcd.watch(f"{prefix}{i}/", prev_kv=False) for i in range(2)]
    readings = [_reading(watch) for watch in watches]
    _wait_for(lambda: all(watch.created_revision for watch in watches))  # none still being created
    revision = etcd.put_if_mod_revision(f"{prefix}other", b"x", 0).revision
    watches[0].request_progress()
    _wait_for(lambda: all(any(not batch.events and batch.revision >= revision for batch in reading)
                          for reading in readings))
    for watch in watches:
        watch.cancel()


class _WatchCall:
    """One Watch RPC of `_WatchService`: the test reads the requests the client sends and writes
    etcd's responses."""

    def __init__(self, requests):
        self.requests: queue.Queue = queue.Queue()
        self._responses: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [self.requests.put(r) for r in requests], daemon=True).start()

    def sent(self) -> str:
        """The next request the client sent, in short: `create KEY`, `cancel ID` or `progress`."""
        request = self.requests.get(timeout=5)
        kind = request.WhichOneof("request_union")
        if kind == "create_request":
            return f"create {request.create_request.key.decode()}"
        if kind == "cancel_request":
            return f"cancel {request.cancel_request.watch_id}"
        return kind.removesuffix("_request")

    def answer(self, **fields) -> None:
        self._responses.put(rpc_pb2.WatchResponse(**fields))

    def end(self) -> None:
        """etcd ends the stream (the client opens another)."""
        self._responses.put(None)

    cancel = end

    def __iter__(self):
        while (response := self._responses.get()) is not None:
            yield response


class _WatchService:
    """etcd's Watch service played by the test, in place of a member's WatchStub."""

    def __init__(self):
        self.calls: queue.Queue = queue.Queue()

    def Watch(self, requests):
        call = _WatchCall(requests)
        self.calls.put(call)
        return call


@pytest.fixture
def watch_service():
    service = _WatchService()
    stream = WatchStream(lambda: (service, lambda: None))
    yield stream, service
    stream.close()


def _watch(stream, key: str) -> EtcdWatch:
    return EtcdWatch(stream, rpc_pb2.WatchCreateRequest(key=key.encode()))


def _put_event(key: str, revision: int):
    return kv_pb2.Event(kv=kv_pb2.KeyValue(key=key.encode(), mod_revision=revision))


def _outcome(watch) -> list[str]:
    """The keys of the events `watch` yields, then the error that ends it, gathered by a thread."""
    seen: list[str] = []

    def read():
        try:
            seen.extend(event.kv.key for batch in watch for event in batch.events)
        except Exception as error:
            seen.append(f"{type(error).__name__}: {error}")
    threading.Thread(target=read, daemon=True).start()
    return seen


def test_a_watch_is_created_only_once_etcd_has_answered_the_one_before(watch_service):
    """etcd's answer to a create names no request (a refusal has watch id -1): clientv3 sends one
    create at a time (its resuming queue), so an answer is always for the oldest create. With every
    create sent at once, an answer out of turn handed a watch another's id, events or error."""
    stream, service = watch_service
    valid, refused = _watch(stream, "/a"), _watch(stream, "/b")
    readings = [_outcome(valid), _outcome(refused)]
    refused.request_progress()  # goes out behind whatever the client has sent so far
    call = service.calls.get(timeout=5)
    assert [call.sent(), call.sent()] == ["create /a", "progress"]
    call.answer(watch_id=0, created=True)
    assert call.sent() == "create /b"
    call.answer(watch_id=-1, created=True, canceled=True, cancel_reason="permission denied")
    call.answer(watch_id=0, events=[_put_event("/a", 7)])
    _wait_for(lambda: readings[0] and readings[1])
    assert readings == [["/a"], ["Unavailable: etcd cancelled the watch: permission denied"]]


def test_cancelling_a_watch_leaves_another_holding_its_old_id(watch_service):
    """A watch keeps etcd's id of the stream it was created on only while that stream lasts: once
    the stream is made again, the id may be another watch's, and cancelling the first (here one
    etcd refused to create again) must neither detach nor cancel that other watch."""
    stream, service = watch_service
    refused, kept = _watch(stream, "/a"), _watch(stream, "/b")
    readings = [_outcome(refused), _outcome(kept)]
    call = service.calls.get(timeout=5)
    for watch_id, key in enumerate(("/a", "/b")):
        assert call.sent() == f"create {key}"
        call.answer(watch_id=watch_id, created=True)
    call.end()
    call = service.calls.get(timeout=5)
    assert call.sent() == "create /a"
    call.answer(watch_id=-1, created=True, canceled=True, cancel_reason="permission denied")
    assert call.sent() == "create /b"
    call.answer(watch_id=0, created=True)  # the id /a had on the first stream
    _wait_for(lambda: readings[0])
    refused.cancel()
    kept.request_progress()
    assert call.sent() == "progress"  # and no cancel of watch 0
    call.answer(watch_id=0, events=[_put_event("/b", 9)])
    _wait_for(lambda: readings[1])
    assert readings == [["Unavailable: etcd cancelled the watch: permission denied"], ["/b"]]


def test_a_watch_cancelled_before_its_create_is_sent_is_never_created(watch_service):
    """closeSubstream: a watch cancelled while it waits for the creates ahead of it leaves the
    queue; etcd never hears of it. One whose create is in flight is cancelled when its id comes."""
    stream, service = watch_service
    first, skipped, last = _watch(stream, "/a"), _watch(stream, "/b"), _watch(stream, "/c")
    call = service.calls.get(timeout=5)
    assert call.sent() == "create /a"
    skipped.cancel()
    call.answer(watch_id=0, created=True)
    assert call.sent() == "create /c"
    last.cancel()
    call.answer(watch_id=1, created=True)
    assert call.sent() == "cancel 1"
    first.cancel()
    assert call.sent() == "cancel 0"

