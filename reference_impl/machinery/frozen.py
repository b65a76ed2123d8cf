"""A quicker `__init__` for frozen dataclasses that are made by the thousand.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__(self,
name, value)`, which looks the name up on the type before storing it: a 13-field message costs
about five times what the same class unfrozen does. `quick_init` gives such a class an
`__init__` of the same signature that stores the fields in the instance's dict directly; the
class stays frozen (assignment after construction still raises FrozenInstanceError), equal and
hashable as before. The reference etcd's messages are built many times a write.
"""
from __future__ import annotations

import dataclasses


def quick_init(cls: type) -> type:
    """`cls` with the quicker `__init__`, if it is a frozen dataclass whose fields are all plain
    init parameters (no default_factory, no keyword-only or init=False field, no __post_init__,
    no __slots__, no field named self or _dict); any other class is returned as it is."""
    if not _plain_frozen(cls):
        return cls
    fields = dataclasses.fields(cls)
    # The defaults are handed to the new function by name, as dataclasses does, not as text.
    defaults = {f"_default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_default_{f.name}"
                       for f in fields)
    stores = "".join(f"    _dict[{f.name!r}] = {f.name}\n" for f in fields)
    source = f"def __init__(self, {params}):\n    _dict = self.__dict__\n{stores}"
    namespace = dict(defaults)
    exec(source, namespace)  # noqa: S102 (field names come from the class, not from input)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__  # exec's namespace has no __name__ to take it from
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init
    return cls


def _plain_frozen(cls: type) -> bool:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        return False
    return all(f.init and not f.kw_only and f.default_factory is dataclasses.MISSING
               and f.name not in ("self", "_dict") for f in dataclasses.fields(cls))
