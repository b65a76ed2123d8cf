"""The apiserver's etcd3 storage: objects as JSON under `/registry/...` keys, like
k8s.io/apiserver/pkg/storage/etcd3.

An object's resourceVersion is the etcd mod revision of its key: it is stripped before an object
is written and set from the revision when it is read back, so the two can never disagree. Every
write is an etcd transaction conditioned on the mod revision the writer read (0 for a create), so
of two racing writers exactly one wins and the other re-reads or fails. Lists read at a single
revision and page with upstream's continue tokens; watches start from a revision and report
compaction as 410.

Knowing nothing of resources, it raises `KeyNotFound`/`KeyExists`/`InvalidObj` for the registry to
turn into NotFound/AlreadyExists/Conflict with the resource's name, and `StatusError` for the rest.
"""
from __future__ import annotations

import base64
import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from reference_impl.apiserver.core import errors, jsonserializer
from reference_impl.apiserver.storage.etcdclient import (Compacted, EtcdClient, EtcdClientError, EtcdWatch,
                                                  FutureRevision, KeyValue)
from reference_impl.apiserver.storage.metrics import StorageMetrics
from reference_impl.machinery import gojson, gopath, trace
from reference_impl.mirrors import mirrors

Predicate = Callable[[dict], bool]
CONTINUE_VERSION = "meta.k8s.io/v1"
PAGE = 1000  # keys fetched per etcd range while filtering a list


class KeyNotFound(Exception):
    def __init__(self, key: str):
        super().__init__(f"key not found: {key}")
        self.key = key


class KeyExists(Exception):
    def __init__(self, key: str):
        super().__init__(f"key exists: {key}")
        self.key = key


class InvalidObj(Exception):
    """storage.StorageError with ErrCodeInvalidObj, worded as its Error() writes it."""

    def __init__(self, key: str, message: str):
        super().__init__(f"StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, "
                         f"AdditionalErrorMsg: {message}")


@dataclass(frozen=True)
class Preconditions:
    """storage.Preconditions: the uid (an update's, a delete's) and the resourceVersion (a
    delete's) the object must have; None checks nothing."""

    uid: str | None = None
    resource_version: str | None = None

    @mirrors("(*k8s.io/apiserver/pkg/storage.Preconditions).Check")
    def check(self, key: str, obj: dict) -> None:
        meta = obj["metadata"]
        found = meta.get("uid", "")
        if self.uid is not None and self.uid != found:
            raise InvalidObj(key, f"Precondition failed: UID in precondition: {self.uid}, UID in object meta: {found}")
        found = meta.get("resourceVersion", "")
        if self.resource_version is not None and self.resource_version != found:
            raise InvalidObj(key, f"Precondition failed: ResourceVersion in precondition: {self.resource_version}, "
                                  f"ResourceVersion in object meta: {found}")


@dataclass(frozen=True)
class ListResult:
    items: list[dict]
    resource_version: str
    continue_token: str = ""
    remaining_item_count: int | None = None


def encode(obj: dict) -> bytes:
    """The stored form: JSON without metadata.resourceVersion (PrepareObjectForStorage)."""
    stored = dict(obj)
    stored["metadata"] = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    return jsonserializer.encode_stored(stored)


def decode(value: bytes, revision: int) -> dict:
    """An object read back, its resourceVersion set from `revision` (APIObjectVersioner.UpdateObject)."""
    obj = jsonserializer.decode(value)
    meta = obj.get("metadata")  # an older writer's null metadata reads as empty
    obj["metadata"] = with_resource_version(meta if isinstance(meta, dict) else {}, str(revision))
    return obj


def read_back(obj: dict, revision: int) -> dict:
    """What `decode(encode(obj), revision)` gives, without the JSON round trip: a new top level and
    metadata with the resourceVersion; everything below is `obj`'s own, which the writer
    hands over (upstream decodes its write back; here the writer's private object is reused)."""
    return {**obj, "metadata": with_resource_version(obj.get("metadata") or {}, str(revision))}


# ObjectMeta's fields before resourceVersion in its struct, which encoding/json writes in order.
_BEFORE_RESOURCE_VERSION = frozenset(("name", "generateName", "namespace", "selfLink", "uid"))


def with_resource_version(meta: dict, resource_version: str) -> dict:
    """A copy of `meta` with its resourceVersion, where the struct has it: after the uid; in a
    custom object's metadata, a map whose keys encoding/json sorted, in its sorted place."""
    if _is_sorted_map(meta):
        return dict(sorted({**meta, "resourceVersion": resource_version}.items()))
    placed = {}
    for key, value in meta.items():
        if key == "resourceVersion":
            continue
        if key not in _BEFORE_RESOURCE_VERSION and "resourceVersion" not in placed:
            placed["resourceVersion"] = resource_version
        placed[key] = value
    placed.setdefault("resourceVersion", resource_version)
    return placed


def _is_sorted_map(meta: dict) -> bool:
    """Whether `meta` is an Unstructured's metadata: its keys sorted, and so (with a
    creationTimestamp) not starting with the name ObjectMeta's struct order puts first."""
    return next(iter(meta), "name") != "name" and list(meta) == sorted(meta)


def _previous(event, revision: int) -> dict | None:
    """A watch event's object as it was before, if etcd sent it, at the event's revision."""
    return decode(event.prev_kv.value, revision) if event.prev_kv else None


@mirrors("(k8s.io/apiserver/pkg/storage.APIObjectVersioner).ParseResourceVersion")
def parse_resource_version(resource_version: str) -> int:
    """A resourceVersion string as a revision ("" and "0" are 0), refused as strconv.ParseUint
    refuses it. The real server answers this InvalidError from its watch cache as a 500; a
    client's mistake is a 400 here, in the same words."""
    if not resource_version:
        return 0
    problem = parse_uint_problem(resource_version)
    if problem:
        raise errors.bad_request(f"resourceVersion: Invalid value: {gojson.quote(resource_version)}: {problem}")
    return int(resource_version)


def parse_read_resource_version(resource_version: str) -> int:
    """parse_resource_version as etcd3's store reads with it (GetList, Get): its error wrapped in
    a BadRequest of its own, which the real server answers as a 400 too."""
    try:
        return parse_resource_version(resource_version)
    except errors.StatusError as error:
        raise errors.bad_request(f"invalid resource version: {error.message}") from None


def parse_uint_problem(resource_version: str) -> str | None:
    """strconv.ParseUint's error for a resourceVersion that is no uint64, None for one that is."""
    if not (resource_version.isascii() and resource_version.isdigit()):
        why = "invalid syntax"
    elif int(resource_version) >= 1 << 64:
        why = "value out of range"
    else:
        return None
    return f"strconv.ParseUint: parsing {gojson.quote(resource_version)}: {why}"


def encode_continue(next_key: str, prefix: str, revision: int) -> str:
    """The opaque continue token upstream hands out: base64url of {"v","rv","start"}."""
    token = {"v": CONTINUE_VERSION, "rv": revision, "start": next_key.removeprefix(prefix)}
    return base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")


@mirrors("k8s.io/apiserver/pkg/storage/etcd3.handleCompactedErrorForPaging")
def inconsistent_continue(continue_key: str, prefix: str) -> errors.StatusError:
    """410 for a continue token whose revision is compacted, carrying a token that lists the
    rest at the latest revision (rv -1), with the warning that the list is then inconsistent."""
    error = errors.gone("The provided continue parameter is too old to display a consistent list result. You can "
                        "start a new list without the continue parameter, or use the continue token in this "
                        "response to retrieve the remainder of the results. Continuing with the provided token "
                        "results in an inconsistent list - objects that were created, modified, or deleted "
                        "between the time the first chunk was returned and now may show up in the list.")
    error.list_meta["continue"] = encode_continue(continue_key, prefix, -1)
    return error


@mirrors("k8s.io/apiserver/pkg/storage/etcd3.decodeContinue")
def decode_continue(token: str, prefix: str) -> tuple[str, int]:
    """The start key and revision of a continue token (a negative revision: read the latest);
    400 in upstream's words when it is not one."""
    try:
        start, revision = _decode_continue_token(token)
    except ValueError as error:
        raise errors.bad_request(f"invalid continue token: continue key is not valid: {error}") from None
    return prefix + start, revision


# etcd3.continueToken as encoding/json decodes a token into it: keys matched case-insensitively,
# the last of duplicates winning, rv an int64 (a number past its range or with a fraction is a
# type error, as is a string).
_CONTINUE_TOKEN = gojson.GoType("etcd3.continueToken", "struct", (
    ("v", gojson.GoType("string", "string")), ("rv", gojson.GoType("int64", "int64")),
    ("start", gojson.GoType("string", "string"))))


def _decode_continue_token(token: str) -> tuple[str, int]:
    data = _raw_url_base64_decode(token)
    problem = gojson.syntax_error(data)
    if problem:
        raise ValueError(problem)
    # Outside strings, bytes that are no UTF-8 are syntax errors (found above); inside them Go
    # reads each as U+FFFD.
    token_fields = gojson.unmarshal(data.decode("utf-8", errors="replace"), _CONTINUE_TOKEN) or {}
    version = token_fields.get("v") or ""
    if version != CONTINUE_VERSION:
        raise ValueError(f"server does not recognize this encoded version {gojson.quote(version)}")
    revision, start = token_fields.get("rv") or 0, token_fields.get("start") or ""
    if revision == 0:
        raise ValueError(f"incorrect encoded start resourceVersion (version {CONTINUE_VERSION})")
    if not start:
        raise ValueError(f"encoded start key empty (version {CONTINUE_VERSION})")
    # path.Clean keeps the start key from reaching above the listed prefix.
    key = start if start.startswith("/") else "/" + start
    if gopath.clean(key) != key:
        raise ValueError(start)
    return key[1:], revision


def _raw_url_base64_decode(token: str) -> bytes:
    """base64.RawURLEncoding.DecodeString, its CorruptInputError in its words."""
    bad = next((i for i, char in enumerate(token) if not (char.isascii() and (char.isalnum() or char in "-_"))),
               len(token) - 1 if len(token) % 4 == 1 else None)
    if bad is not None:
        raise ValueError(f"illegal base64 data at input byte {bad}")
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


KNOWN_STATES = 50_000  # keys whose last-seen state a Storage remembers for GuaranteedUpdate


@mirrors("k8s.io/apiserver/pkg/storage/etcd3.leaseManager")
class LeaseManager:
    """The etcd leases of objects written with a TTL (Events). One lease serves many objects: it
    is reused while it would expire after the object's TTL, but within the reuse window (5% of
    the TTL, at most 60 s) of it, and has fewer than 1,000 objects attached. A busy cluster's
    Events then cost one LeaseGrant per thousand, not one each."""

    REUSE_SECONDS = 60
    REUSE_FRACTION = 0.05
    MAX_OBJECTS = 1000

    def __init__(self, client: EtcdClient, clock: Callable[[], float]):
        self.client = client
        self.clock = clock
        self._lock = threading.Lock()
        self._lease_id = 0
        self._expires = 0.0
        self._attached = 0

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.leaseManager).GetLease")
    def get_lease(self, ttl: int) -> int:
        now = self.clock()
        with self._lock:
            reuse = min(int(self.REUSE_FRACTION * ttl), self.REUSE_SECONDS)
            valid = now + ttl < self._expires
            sufficient = now + ttl + reuse > self._expires
            self._attached += 1  # every call counts, whether its write then succeeds or not
            if valid and sufficient and self._attached <= self.MAX_OBJECTS:
                return self._lease_id
            # a little longer than asked, so that the lease can serve the next writes too
            self._lease_id = self.client.lease_grant(ttl + reuse)
            self._expires = now + ttl + reuse
            self._attached = 1
            return self._lease_id


class Storage:
    """etcd3.store over an `EtcdClient`.

    It remembers the last state it read or wrote of each key: GuaranteedUpdate starts from that
    instead of reading etcd first, as upstream starts from the watch cache's copy
    (cachedExistingObject). A stale state costs nothing in correctness: the write's compare on
    the mod revision fails and reads the current state back in the same transaction.
    """

    def __init__(self, client: EtcdClient, clock: Callable[[], float] = time.monotonic):
        self.client = client
        self._known: dict[str, KeyValue] = {}
        self.leases = LeaseManager(client, clock)
        self.metrics = StorageMetrics()
        # The Go type each resource prefix (`/registry/pods/`) decodes into, as the registry names it.
        self.object_types: dict[str, str] = {}

    def _object_type(self, key: str) -> str:
        """The type of `key`'s resource, found by its resource prefix: a key's or list prefix's
        parent, or for a namespaced one the parent's parent."""
        prefix = key if key.endswith("/") else key[:key.rindex("/") + 1]
        found = self.object_types.get(prefix)
        return found if found is not None else self.object_types.get(prefix[:prefix.rindex("/", 0, -1) + 1], "")

    def _etcd(self, operation: str, type_name: str, call: Callable, *args, **kwargs):
        """One etcd request, its latency recorded whether it fails or not (RecordEtcdRequestLatency)."""
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.metrics.record_etcd_request_latency(operation, type_name, time.perf_counter() - started)

    def _read(self, key: str) -> KeyValue | None:
        kvs = self._etcd("get", f"*{self._object_type(key)}", self.client.range, key).kvs
        self._remember(key, kvs[0] if kvs else None)
        return kvs[0] if kvs else None

    def _remember(self, key: str, kv: KeyValue | None) -> None:
        if kv is None:
            self._known.pop(key, None)
            return
        if len(self._known) >= KNOWN_STATES:
            self._known.clear()
        self._known[key] = kv

    def current_revision(self) -> int:
        return self.client.range("/registry/", count_only=True).revision

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).Count")
    def count(self, prefix: str) -> int:
        """How many keys are under `prefix` (a count_only range), observed as listWithCount with
        the prefix itself as the type."""
        return self._etcd("listWithCount", prefix, self.client.range, prefix, prefix=True, count_only=True).count

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).Create")
    def create(self, key: str, obj: dict, ttl: int = 0) -> dict:
        """Store `obj` at `key` if the key is absent (one txn: mod_revision == 0 → put, no read back); with a
        `ttl`, etcd deletes it that many seconds later (or up to a minute more, see LeaseManager)."""
        data = encode(obj)
        lease = self._lease(ttl)
        result = self._etcd("create", f"*{self._object_type(key)}", self.client.create, key, data, lease)
        if not result.succeeded:
            raise KeyExists(key)
        self._remember(key, KeyValue(key, data, result.revision, result.revision, 1))
        trace.record("etcd txn", op="create", key=key, revision=result.revision)
        return read_back(obj, result.revision)

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).Get",
             "(*k8s.io/apiserver/pkg/storage/etcd3.store).validateMinimumResourceVersion")
    def get(self, key: str, resource_version: str = "") -> dict:
        """The object at `key`, read at a revision no older than `resource_version`."""
        minimum = parse_read_resource_version(resource_version)
        result = self._etcd("get", f"*{self._object_type(key)}", self.client.range, key)
        kv = result.kvs[0] if result.kvs else None
        self._remember(key, kv)
        if minimum > result.revision:
            raise errors.too_large_resource_version(minimum, result.revision, 0)
        if kv is None:
            raise KeyNotFound(key)
        return decode(kv.value, kv.mod_revision)

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).GuaranteedUpdate")
    def guaranteed_update(self, key: str, update: Callable[[dict], dict], ttl: int = 0,
                          preconditions: Preconditions | None = None) -> dict:
        """Write `update(current)` conditioned on the revision `current` was read at; on a lost
        race re-read and call `update` again. `update` may raise to refuse (a conflict, an
        invalid object). An update that changes nothing writes nothing. `preconditions` are
        checked first, a missing key standing for an object with no metadata (InvalidObj).

        `current` may first be the remembered state; when `update` refuses it or finds nothing
        to change, that verdict is only trusted after a read from etcd (origStateIsCurrent).
        `update` gets the decoded object to change in place; the object it returns is handed
        back as stored, so it must be the caller's own. A write with a `ttl` starts it again."""
        kv = self._known.get(key)
        is_current = kv is None
        if is_current:
            kv = self._read(key)
        while True:
            try:
                current = decode(kv.value, kv.mod_revision) if kv else None
                if preconditions:  # read before `update` may change `current`
                    preconditions.check(key, current if current is not None else {"metadata": {}})
                if current is None:
                    raise KeyNotFound(key)
                updated = update(current)
                data = encode(updated)
            except Exception:
                if is_current:
                    raise
                kv, is_current = self._read(key), True
                continue
            if data == kv.value:
                if is_current:
                    return read_back(updated, kv.mod_revision)
                kv, is_current = self._read(key), True
                continue
            lease = self._lease(ttl)
            result = self._etcd("update", f"*{self._object_type(key)}", self.client.put_if_mod_revision, key, data,
                                kv.mod_revision, lease)
            if result.succeeded:
                kv = KeyValue(key, data, kv.create_revision, result.revision, kv.version + 1)
                self._remember(key, kv)
                trace.record("etcd txn", op="update", key=key, revision=result.revision)
                return read_back(updated, result.revision)
            kv, is_current = result.current, True
            self._remember(key, kv)

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).ttlOpts")
    def _lease(self, ttl: int) -> int:
        return self.leases.get_lease(ttl) if ttl else 0

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).Delete",
             "(*k8s.io/apiserver/pkg/storage/etcd3.store).conditionalDelete")
    def delete(self, key: str, check: Callable[[dict], None] | None = None) -> dict:
        """Delete `key` if `check(current)` passes (it raises to refuse), retrying while the key
        changes under us; returns the object as it was."""
        kv = self._read(key)
        while True:
            if kv is None:
                raise KeyNotFound(key)
            current = decode(kv.value, kv.mod_revision)
            if check is not None:
                check(current)
            result = self._etcd("delete", f"*{self._object_type(key)}", self.client.delete_if_mod_revision, key,
                                kv.mod_revision)
            if result.succeeded:
                self._remember(key, None)
                trace.record("etcd txn", op="delete", key=key, revision=result.revision)
                return current
            kv = result.current

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).List")
    def list(self, prefix: str, *, predicate: Predicate | None = None, limit: int = 0,
             continue_token: str = "", resource_version: str = "",
             resource_version_match: str = "") -> ListResult:
        """Objects under `prefix` that `predicate` accepts, all read at one revision.

        With a continue token the read resumes at the token's revision and key; with
        resourceVersion N and a limit, or with resourceVersionMatch=Exact, it reads at exactly N
        (410 once compacted); otherwise (no limit, or NotOlderThan) it reads the latest state,
        refusing an N newer than etcd has seen.
        """
        start, revision = prefix, 0
        requested = parse_read_resource_version(resource_version)
        if continue_token:
            continue_key, revision = decode_continue(continue_token, prefix)
            start = continue_key
            if resource_version not in ("", "0"):
                raise errors.bad_request("specifying resource version is not allowed when using continue")
            revision = max(revision, 0)
        elif requested and (resource_version_match == "Exact"
                            or (limit and resource_version_match != "NotOlderThan")):
            # Go's int64(fromRV): one past 2^63 wraps negative, which etcd reads as the latest
            # revision, and the latest is then too old for it.
            revision = requested if requested < 2**63 else 0
        latest = not revision
        items: list[dict] = []
        remaining = None
        list_type = f"*[]{self._object_type(prefix)}"
        while True:
            page = limit if (limit and predicate is None) else (PAGE if limit else 0)
            try:
                result = self._etcd("list", list_type, self.client.range, prefix, prefix=True, start=start,
                                    limit=page, revision=revision)
            except Compacted:
                if continue_token:
                    raise inconsistent_continue(continue_key, prefix) from None
                raise errors.gone("The resourceVersion for the provided list is too old.") from None
            except FutureRevision as error:
                # etcd's ErrFutureRev is no API error: ErrorToAPIStatus makes it a 500 of unknown reason.
                raise errors.StatusError(500, "", str(error)) from None
            revision = revision or result.revision
            if requested and latest and requested > revision:
                raise errors.too_large_resource_version(requested, revision, 0)
            for kv in result.kvs:
                obj = decode(kv.value, kv.mod_revision)
                if predicate is None or predicate(obj):
                    items.append(obj)
                if limit and len(items) == limit:
                    more = kv is not result.kvs[-1] or result.more
                    if predicate is None and more:
                        remaining = result.count - result.kvs.index(kv) - 1
                    token = encode_continue(kv.key + "\x00", prefix, revision) if more else ""
                    return ListResult(items, str(revision), token, remaining)
            if not result.more:
                return ListResult(items, str(revision))
            start = result.kvs[-1].key + "\x00"

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).Watch")
    def watch(self, prefix: str, *, resource_version: str = "", predicate: Predicate | None = None,
              allow_bookmarks: bool = False, bookmark_interval: float = 30.0,
              bookmark_object: Callable[[int], dict] | None = None,
              convert: Callable[[dict], dict] | None = None, timeout: float | None = None) -> Watch:
        """A watch of `prefix`: from "" or "0", the current objects as ADDED first; from N, the
        changes after revision N. `convert` turns each object read into the version watched.

        The bookmark options, and the `timeout` that schedules the last bookmark, are the watch
        cache's (every storage is handed them): etcd3's watcher sends a client no BOOKMARK."""
        revision = parse_resource_version(resource_version)
        initial: list[dict] = []
        if revision == 0:
            listed = self.list(prefix, predicate=predicate)
            initial, revision = listed.items, int(listed.resource_version)
        return Watch(self.client.watch(prefix, start_revision=revision + 1), initial=initial, predicate=predicate,
                     convert=convert)

    def compact(self, revision: int) -> None:
        self.client.compact(revision)


class Watch:
    """A running watch: iterate for `(type, object)` events, `stop()` from any thread to end it.

    A thread pumps etcd's watch responses into a queue, which `stop()` can end while the iterator
    waits. Events are filtered like watchChan.filter: an object that stops matching the predicate
    is reported DELETED, one that starts matching ADDED.
    """

    _END = object()

    def __init__(self, etcd_watch: EtcdWatch, *, initial: list[dict], predicate: Predicate | None,
                 convert: Callable[[dict], dict] | None = None):
        self._etcd_watch = etcd_watch
        self._convert = convert or (lambda obj: obj)
        self._initial = initial
        self._accept_all = predicate is None
        self._matches = predicate or (lambda obj: True)
        self._queue: queue.Queue = queue.Queue()
        self._stopped = threading.Event()
        threading.Thread(target=self._pump, daemon=True, name="apiserver-watch").start()

    def _pump(self) -> None:
        try:
            for batch in self._etcd_watch:
                self._queue.put(batch)
        except EtcdClientError as error:
            self._queue.put(error)
        finally:
            self._queue.put(self._END)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def pending(self) -> bool:
        """Always False: the watch server flushes every event. A queued batch may hold nothing this
        watch's predicate accepts, so it cannot promise another event is coming."""
        return False

    def stop(self) -> None:
        """End the watch; the iterator returns after the event it is delivering."""
        self._stopped.set()
        self._etcd_watch.cancel()
        self._queue.put(self._END)

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.watchChan).run",
             "(*k8s.io/apiserver/pkg/storage/etcd3.watchChan).sync")
    def __iter__(self) -> Iterator[tuple[str, dict]]:
        for obj in self._initial:
            if self._stopped.is_set():
                return
            yield "ADDED", self._convert(obj)
        while not self._stopped.is_set():
            item = self._queue.get()
            if item is self._END or self._stopped.is_set():
                return
            if isinstance(item, Compacted):
                yield "ERROR", errors.gone("The resourceVersion for the provided watch is too old.").status()
                return
            if isinstance(item, EtcdClientError):
                yield "ERROR", errors.internal_error(str(item)).status()
                return
            for event in item.events:
                transformed = self._transform(event)
                if transformed is not None and not self._stopped.is_set():
                    yield transformed[0], self._convert(transformed[1])

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.watchChan).transform")
    def _transform(self, event) -> tuple[str, dict] | None:
        revision = event.kv.mod_revision
        if event.type == "DELETE":
            old = _previous(event, revision)
            return ("DELETED", old) if old is not None and self._matches(old) else None
        new = decode(event.kv.value, revision)
        new_matches = self._matches(new)
        if event.kv.create_revision == revision:
            return ("ADDED", new) if new_matches else None
        if self._accept_all:
            return "MODIFIED", new
        old = _previous(event, revision)
        old_matches = old is not None and self._matches(old)
        if new_matches:
            return ("MODIFIED" if old_matches else "ADDED"), new
        return ("DELETED", old) if old_matches else None
