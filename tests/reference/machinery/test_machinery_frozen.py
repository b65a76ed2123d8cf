"""machinery.frozen: a frozen dataclass given the quicker __init__ behaves as dataclasses made it."""
from __future__ import annotations

import dataclasses
import inspect

import pytest

from reference_impl.machinery.frozen import quick_init


@dataclasses.dataclass(frozen=True, order=True)
class _Plain:
    key: bytes
    revision: int = 0
    sort_order: str = "NONE"
    kvs: tuple = ()


@quick_init
@dataclasses.dataclass(frozen=True, order=True)
class _Quick:
    key: bytes
    revision: int = 0
    sort_order: str = "NONE"
    kvs: tuple = ()


def test_the_quick_init_takes_the_same_arguments_and_makes_an_equal_frozen_object():
    """Same signature (positional, keyword, defaults), same fields, equality, hash, order and
    repr; assigning a field afterwards still raises FrozenInstanceError."""
    assert str(inspect.signature(_Quick.__init__)) == str(inspect.signature(_Plain.__init__))
    assert _Quick.__init__.__module__ == _Plain.__init__.__module__ == __name__
    assert _Quick.__init__.__qualname__ == "_Quick.__init__"
    quick, plain = _Quick(b"k", sort_order="ASCEND"), _Plain(b"k", sort_order="ASCEND")
    assert dataclasses.astuple(quick) == dataclasses.astuple(plain) == (b"k", 0, "ASCEND", ())
    assert quick == _Quick(b"k", 0, "ASCEND") and hash(quick) == hash(_Quick(b"k", 0, "ASCEND"))
    assert _Quick(b"a") < _Quick(b"b")
    assert repr(quick).removeprefix("_Quick") == repr(plain).removeprefix("_Plain")
    assert dataclasses.replace(quick, revision=3).revision == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.key = b"x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Quick()  # type: ignore[call-arg]


@dataclasses.dataclass(frozen=True)
class _PostInit:
    x: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", self.x + 1)


@pytest.mark.parametrize("cls", [
    dataclasses.make_dataclass("F", [("xs", list, dataclasses.field(default_factory=list))], frozen=True),
    dataclasses.make_dataclass("U", [("x", int)]),
    _PostInit,
    dataclasses.make_dataclass("K", [("x", int, dataclasses.field(kw_only=True))], frozen=True),
    dataclasses.make_dataclass("I", [("x", int), ("y", int, dataclasses.field(init=False, default=0))],
                               frozen=True),
    dataclasses.make_dataclass("S", [("x", int)], frozen=True, slots=True),
], ids=["default_factory", "unfrozen", "__post_init__", "kw_only", "init=False", "__slots__"])
def test_a_class_the_quick_init_cannot_mirror_keeps_its_own(cls):
    """A default_factory, an unfrozen class, a __post_init__, a keyword-only field, an
    init=False field or __slots__ (no instance dict to store into): left as dataclasses made it."""
    init = cls.__init__
    assert quick_init(cls).__init__ is init


def test_the_etcd_messages_are_built_without_object_setattr():
    """The reference etcd's requests, responses and Raft messages, built many times a write, store
    their fields directly: the generated init's object.__setattr__ per field was the largest
    single share of a Txn's CPU (benchmarks/etcd_cpu_profile.py)."""
    from reference_impl.etcd import messages
    from reference_impl.etcd.mvcc import RangeResult, Revision
    from reference_impl.etcd.raft.messages import Entry, Message

    for cls in (*messages.MESSAGE_TYPES.values(), Entry, Message, Revision, RangeResult):
        assert "__setattr__" not in cls.__init__.__code__.co_names, cls.__name__
