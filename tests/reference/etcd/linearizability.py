"""A small linearizability checker in the spirit of porcupine (github.com/anishathalye/porcupine).

A history is a list of operations, each with the time its client invoked it and the time the
answer came back. The history is linearizable when there is one total order of the operations
that (a) respects real time: an operation that returned before another was invoked comes first,
and (b) is a legal run of a sequential model, here a key-value map with put, get and a
compare-and-swap transaction.

The search is Wing & Gong's, with Lowe's memoization as porcupine does it: walk the events in time
order; at each invocation try to linearize that operation now (apply it to the model state); on
reaching a return whose operation is not linearized yet, backtrack. A cache of (set of linearized
operations, model state) prunes configurations already seen, which is what turns the exponential
search into something that finishes on hundreds of operations. Operations on different keys
commute, so the history is first split per key (P-compositionality) and each part checked alone.

An operation whose outcome the client does not know (it timed out or the connection broke) has
`output=UNKNOWN` and a return time of infinity: it may take effect at any point after it was
invoked, or at none visible to the other operations.
"""
from __future__ import annotations

import enum
import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable

UNKNOWN = object()  # the output of an operation whose result the client never saw


class CheckResult(enum.Enum):
    OK = "linearizable"
    ILLEGAL = "not linearizable"
    UNKNOWN = "gave up: time limit"


@dataclass(frozen=True)
class Put:
    key: bytes
    value: bytes


@dataclass(frozen=True)
class Get:
    key: bytes


@dataclass(frozen=True)
class CompareAndSwap:
    """A txn: if the value of `key` is `expected` (None: the key is absent) then put `new`."""

    key: bytes
    expected: bytes | None
    new: bytes


Input = Put | Get | CompareAndSwap


@dataclass(frozen=True)
class Operation:
    """One client call: `output` is None for a put, the value (or None) for a get, the
    `succeeded` flag for a compare-and-swap, or UNKNOWN."""

    client_id: int
    input: Input
    call: float
    output: object
    return_time: float


@dataclass(frozen=True)
class Model:
    """A sequential specification: `step(state, input, output)` says whether that output is legal
    from `state`, and the state after it. States must be hashable (they key the cache)."""

    init: Callable[[], Hashable]
    step: Callable[[Hashable, Input, object], tuple[bool, Hashable]]
    partition: Callable[[list[Operation]], list[list[Operation]]] = lambda ops: [ops]


def _register_step(state: bytes | None, op: Input, output: object) -> tuple[bool, bytes | None]:
    """One key of the store: the state is that key's value, None while it is absent."""
    if isinstance(op, Put):
        return True, op.value
    if isinstance(op, Get):
        return output is UNKNOWN or output == state, state
    matches = state == op.expected
    if output is UNKNOWN:  # either branch may have happened: model the one the state allows
        return True, op.new if matches else state
    return output == matches, op.new if matches else state


def _partition_by_key(ops: list[Operation]) -> list[list[Operation]]:
    parts: dict[bytes, list[Operation]] = {}
    for op in ops:
        parts.setdefault(op.input.key, []).append(op)
    return list(parts.values())


KV_MODEL = Model(init=lambda: None, step=_register_step, partition=_partition_by_key)


class _Entry:
    """A node of the doubly linked event list: a call (with `match`, its return) or a return."""

    __slots__ = ("op_id", "is_call", "time", "match", "prev", "next")

    def __init__(self, op_id: int, is_call: bool, time_: float):
        self.op_id, self.is_call, self.time = op_id, is_call, time_
        self.match: _Entry | None = None
        self.prev: _Entry | None = None
        self.next: _Entry | None = None


def _event_list(ops: list[Operation]) -> _Entry:
    """Events sorted by time, calls before returns at equal times (ties count as concurrent, the
    permissive reading); returns a sentinel head."""
    events = []
    for op_id, op in enumerate(ops):
        events.append((op.call, 0, op_id))
        events.append((op.return_time, 1, op_id))
    events.sort()
    head = _Entry(-1, False, -math.inf)
    calls: dict[int, _Entry] = {}
    last = head
    for time_, kind, op_id in events:
        entry = _Entry(op_id, kind == 0, time_)
        if entry.is_call:
            calls[op_id] = entry
        else:
            calls[op_id].match = entry
        entry.prev, last.next = last, entry
        last = entry
    return head


def _lift(call: _Entry) -> None:
    """Take a call and its return out of the list (the operation is linearized)."""
    call.prev.next = call.next
    if call.next is not None:
        call.next.prev = call.prev
    ret = call.match
    ret.prev.next = ret.next
    if ret.next is not None:
        ret.next.prev = ret.prev


def _unlift(call: _Entry) -> None:
    """Put them back, in reverse order of `_lift`."""
    ret = call.match
    ret.prev.next = ret
    if ret.next is not None:
        ret.next.prev = ret
    call.prev.next = call
    if call.next is not None:
        call.next.prev = call


def _check_single(model: Model, ops: list[Operation], deadline: float) -> CheckResult:
    head = _event_list(ops)
    state = model.init()
    linearized = 0  # bitset of op ids
    cache: set[tuple[int, Hashable]] = {(0, state)}
    stack: list[tuple[_Entry, Hashable]] = []
    entry = head.next
    steps = 0
    while head.next is not None:
        steps += 1
        if steps % 4096 == 0 and time.monotonic() > deadline:
            return CheckResult.UNKNOWN
        if entry.is_call:
            op = ops[entry.op_id]
            legal, new_state = model.step(state, op.input, op.output)
            if legal:
                key = (linearized | (1 << entry.op_id), new_state)
                if key not in cache:
                    cache.add(key)
                    stack.append((entry, state))
                    state, linearized = new_state, key[0]
                    _lift(entry)
                    entry = head.next
                    continue
            entry = entry.next
        else:
            # A return whose call is still in the list: nothing we may linearize later can come
            # before it, so undo the most recent choice and try the next candidate after it.
            if not stack:
                return CheckResult.ILLEGAL
            entry, state = stack.pop()
            linearized &= ~(1 << entry.op_id)
            _unlift(entry)
            entry = entry.next
    return CheckResult.OK


def check_operations(model: Model, ops: Iterable[Operation], timeout: float = 10.0) -> CheckResult:
    """Whether the history `ops` is linearizable with respect to `model`; UNKNOWN if the search
    ran past `timeout` seconds on some partition."""
    deadline = time.monotonic() + timeout
    result = CheckResult.OK
    for part in model.partition(list(ops)):
        part_result = _check_single(model, part, deadline)
        if part_result is CheckResult.ILLEGAL:
            return CheckResult.ILLEGAL
        if part_result is CheckResult.UNKNOWN:
            result = CheckResult.UNKNOWN
    return result


class Recorder:
    """Collects operations from several client threads; `clock` returns seconds (monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self.operations: list[Operation] = []

    def run(self, client_id: int, op: Input, call: Callable[[], object]) -> object:
        """Time `call()` (which performs `op` on the server) and record it. An exception makes
        the outcome unknown: recorded with output UNKNOWN and no return time, then re-raised."""
        started = self._clock()
        try:
            output = call()
        except Exception:
            self._add(Operation(client_id, op, started, UNKNOWN, math.inf))
            raise
        self._add(Operation(client_id, op, started, output, self._clock()))
        return output

    def _add(self, op: Operation) -> None:
        with self._lock:
            self.operations.append(op)
