"""Machine-readable links from reference code to the Go symbols it mirrors.

A reference function that re-implements a piece of Kubernetes or etcd carries the go/ssa name of
that Go function (as the index spells it, e.g. `(*go.etcd.io/etcd/server/v3/mvcc.store).Range`),
so the site and `kubeatlas` queries can jump between the two and a test can check that every
named symbol really exists in the analysed tree.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

# "module.qualname" of the Python function -> the Go symbols it mirrors.
REGISTRY: dict[str, tuple[str, ...]] = {}


def mirrors(*go_symbols: str) -> Callable[[F], F]:
    """Mark a function as mirroring `go_symbols`; records `fn.__mirrors__` and a REGISTRY entry.
    Stacked decorators add up (the inner one's symbols first), as the static reading of the
    source (analyzer.links) counts them: the outer one used to replace the inner."""
    if not go_symbols:
        raise ValueError("@mirrors needs at least one Go symbol")

    def mark(fn: F) -> F:
        marked = getattr(fn, "__dict__", {}).get("__mirrors__", ())
        symbols = marked + tuple(symbol for symbol in go_symbols if symbol not in marked)
        fn.__mirrors__ = symbols  # type: ignore[attr-defined]
        REGISTRY[f"{fn.__module__}.{fn.__qualname__}"] = symbols
        return fn

    return mark
