"""Each command's own program: the packages it links and the types it creates.

A command (`cmd/kube-scheduler`, etcd's `server`) links the closure of its main package's imports,
read from the files built in its configuration (linux/amd64, no cgo, by default). Views of a
component follow only calls into those packages: the index keeps the whole repository, with its
test doubles and other platforms' code, but a component's page must not.

Within that closure, rapid type analysis (Bacon and Sweeney's RTA, as golang.org/x/tools'
callgraph/rta does it) tells which implementations of an interface a call can really reach: walk
the call graph from `main` and every `init`, collect the types created by the functions reached
(`T{}`, `&T{}`, `new(T)`, `var t T`, conversions), and follow an interface call only into the
methods of types created so far; a type created later releases the calls that waited for it.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer import graph
from analyzer.buildtags import COMMANDS, BuildContext, matches
from analyzer.graph import Edge, Implements
from analyzer.resolve.program import Program

DYNAMIC_KINDS = frozenset({graph.INTERFACE})


@dataclass(frozen=True)
class CommandProgram:
    name: str  # the component it runs, e.g. "kube-scheduler"
    main_package: str  # import path of its package main
    packages: frozenset[str]  # what it links: its main package's import closure
    types: frozenset[str]  # pkg.T of every type created in code reachable from main and init
    functions: int  # how many functions RTA reached


def import_closure(program: Program, main_package: str,
                   build: BuildContext = COMMANDS) -> frozenset[str]:
    """Every package `main_package` imports, directly or not, through files built in `build`."""
    seen = {main_package}
    work = deque([main_package])
    while work:
        package = program.packages.get(work.popleft())
        if package is None:
            continue  # not indexed (etcd's dependencies): linked, but its imports are unknown
        for context in package.files:
            if not matches(context.path, context.facts.build_constraint, build):
                continue
            for imported in context.facts.imports:
                if imported.path not in seen and imported.path != "C":
                    seen.add(imported.path)
                    work.append(imported.path)
    return frozenset(seen)


@dataclass(frozen=True)
class CallTables:
    """The resolved calls by caller and the implementations built here by interface method:
    what every command's analysis walks, made once for all of them."""

    calls: dict[str, list[Edge]]
    by_interface: dict[str, list[Implements]]

    @classmethod
    def build(cls, edges: Iterable[Edge], implements: Iterable[Implements]) -> CallTables:
        calls: dict[str, list[Edge]] = {}
        for edge in edges:
            if edge.kind != graph.UNRESOLVED:
                calls.setdefault(edge.caller, []).append(edge)
        by_interface: dict[str, list[Implements]] = {}
        for row in implements:
            if not row.other_platform:
                by_interface.setdefault(row.interface_method, []).append(row)
        return cls(calls, by_interface)


def analyse(program: Program, name: str, main_package: str, tables: CallTables,
            created: Mapping[str, set[str]], build: BuildContext = COMMANDS) -> CommandProgram:
    packages = import_closure(program, main_package, build)
    calls, by_interface = tables.calls, tables.by_interface

    reached: set[str] = set()
    types: set[str] = set()
    waiting: dict[str, list[str]] = {}  # type → methods an interface call reaches once it exists
    work: deque[str] = deque()

    def reach(function: str) -> None:
        if function not in reached and graph.package_in(function, packages) is not None:
            reached.add(function)
            work.append(function)

    reach(f"{main_package}.main")
    for package in sorted(packages):
        info = program.packages.get(package)
        if info is not None:
            reach(f"{package}.init")
            for number in range(1, info.init_count + 1):
                reach(f"{package}.init#{number}")
    while work:
        function = work.popleft()
        for made in created.get(function, ()):
            if made not in types and graph.package_in(made, packages) is not None:
                types.add(made)
                for method in waiting.pop(made, ()):
                    reach(method)
        for edge in calls.get(function, ()):
            if edge.kind in DYNAMIC_KINDS or edge.via in DYNAMIC_KINDS:
                for row in by_interface.get(edge.callee, ()):
                    if row.type in types:
                        reach(row.method)
                    else:
                        waiting.setdefault(row.type, []).append(row.method)
            else:
                reach(edge.callee)
    return CommandProgram(name, main_package, packages, frozenset(types), len(reached))
