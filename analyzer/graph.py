"""The call graph's data: symbols and edges, as the resolver produces and the index stores them.

Symbol names follow go/ssa, so they can be compared with Go's own `callgraph` and read by Go
programmers: `k8s.io/kubernetes/pkg/scheduler.New`, `(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne`,
`(k8s.io/klog/v2.Verbose).InfoS`, closures `k8s.io/kubernetes/pkg/scheduler.New$1`.
"""
from __future__ import annotations

from dataclasses import dataclass

# Edge kinds: how the callee was found.
STATIC = "static"  # a package-level function, through the file's imports or its own package
METHOD = "method"  # a method of a concrete type, the receiver's type inferred
INTERFACE = "interface"  # a call through an interface: the edge points at the interface method
IMPLEMENTATION = "implementation"  # a candidate implementation of an interface call, found structurally
FUNCVALUE = "funcvalue"  # a function or method value stored or passed, called later
CLOSURE = "closure"  # a call of a function literal
GO = "go"  # a `go` statement's call, whatever the callee's kind
DEFER = "defer"  # a `defer` statement's call
UNRESOLVED = "unresolved"  # kept with its textual target, never dropped

EDGE_KINDS = (STATIC, METHOD, INTERFACE, IMPLEMENTATION, FUNCVALUE, CLOSURE, GO, DEFER, UNRESOLVED)


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str  # go/ssa form
    kind: str  # "func", "method", "closure", "interface method", "init"
    package: str  # import path
    path: str  # file, relative to the repository root
    line: int
    col: int
    end_line: int
    doc: str
    signature: str


@dataclass(frozen=True, slots=True)
class Edge:
    caller: str
    callee: str  # a symbol name; for an unresolved edge, the callee as written
    kind: str
    path: str  # the call site
    line: int
    col: int
    confidence: float  # 1.0 when the rule is exact; lower when a heuristic chose the callee
    via: str = ""  # for go/defer edges, the kind of the underlying call; for others, a hint
