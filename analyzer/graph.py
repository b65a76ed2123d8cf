"""The call graph's data: symbols and edges, as the resolver produces and the index stores them.

Symbol names follow go/ssa, so they can be compared with Go's own `callgraph` and read by Go
programmers: `k8s.io/kubernetes/pkg/scheduler.New`, `(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne`,
`(k8s.io/klog/v2.Verbose).InfoS`, closures `k8s.io/kubernetes/pkg/scheduler.New$1`.
"""
from __future__ import annotations

from typing import NamedTuple

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
# A call of a function value, to its function type (`func(*v1.ListOptions)`): queries list the
# functions of that type whose value a command takes, where no stored function was seen to reach.
SIGNATURE = "signature"

EDGE_KINDS = (STATIC, METHOD, INTERFACE, IMPLEMENTATION, FUNCVALUE, SIGNATURE, CLOSURE, GO, DEFER,
              UNRESOLVED)


class Symbol(NamedTuple):
    """A declared function, method, closure or interface method, where it is and what it says."""

    name: str  # go/ssa form
    kind: str  # "func", "method", "closure", "interface method", "init"
    package: str  # import path
    path: str  # file, relative to the repository root
    line: int
    col: int
    end_line: int
    doc: str
    signature: str


class Edge(NamedTuple):
    """One call site from `caller` to `callee`, with how the callee was resolved (`kind`)."""

    caller: str
    callee: str  # a symbol name; for an unresolved edge, the callee as written
    kind: str
    path: str  # the call site
    line: int
    col: int
    confidence: float  # 1.0 when the rule is exact; lower when a heuristic chose the callee
    via: str = ""  # for go/defer edges, the kind of the underlying call; for others, a hint


class Implements(NamedTuple):
    """A concrete method that a call of an interface method can reach, found by method sets.

    Stored once per interface method rather than once per call site: queries expand each
    `interface` edge into these, ranked by what a command creates (see `analyzer.resolve.rta`)."""

    interface_method: str  # (pkg.Iface).M, the callee of the interface edges
    method: str  # the declared function the call lands in
    type: str  # pkg.T, the concrete type
    pointer_only: bool  # only *T implements the interface
    other_platform: bool  # not built on linux/amd64
    test_double: bool  # a type that exists for tests (fake packages and files, Fake… types)


# Kubernetes idioms recognised while resolving, kept as typed annotations on a symbol.
COBRA_COMMAND = "cobra command body"
INFORMER_HANDLER = "informer event handler"
CONTROLLER_INITIALISER = "controller initialiser"
SCHEDULER_PLUGIN = "scheduler plugin"
GRPC_REGISTRATION = "registers gRPC services"


class Annotation(NamedTuple):
    """A Kubernetes idiom a symbol takes part in: a cobra command body, an informer handler, …."""

    symbol: str
    kind: str  # one of the idioms above
    detail: str  # the field, func type or interface that shows it (RunE, AddFunc, FilterPlugin)


def package_candidates(symbol: str) -> list[str]:
    """The import paths a go/ssa name may start with, longest first: `gopkg.in/yaml.v2.Marshal`
    could be package `gopkg.in/yaml.v2` or `gopkg.in/yaml`; only a list of packages tells."""
    name = symbol.lstrip("(*")
    slash = name.rfind("/")
    cuts = [i for i in range(slash + 1, len(name)) if name[i] == "."]
    return [name[:i] for i in reversed(cuts)] or [name]


def package_in(symbol: str, packages) -> str | None:
    """The package of `symbol` among `packages` (a set of import paths), if it is in one."""
    for candidate in package_candidates(symbol):
        if candidate in packages:
            return candidate
    return None
