"""Call sites read on two cores: the packages in two halves, the later half in a forked process.

Reading a file's call sites depends on the whole-program tables (built before the fork, shared
copy-on-write), on caches of answers each process fills for itself (canonical types, members,
method sets), and on nothing another file's reading adds to the tables it appends to: edges,
symbols, annotations, created types, stores and flows of function values, calls of them,
interface methods called (see `Resolver._target_kind`). The child reads the later packages with
those tables empty and sends them back as plain rows (tuples pickle several times faster than
dataclasses); the parent reads the earlier packages meanwhile, then appends the child's rows
after its own. Lists are extended and dicts merged key by key, so the tables come out as one
process reading the files in order makes them, in the same order.

The price is memory: writing reference counts, the child copies nearly every page it shares
(on the Kubernetes tree the index's peak goes from about 1.7 to 2.9 GiB), so it is forked only
when the machine has the room, and never with one job.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from operator import attrgetter

from analyzer.graph import Annotation, Edge, Symbol
from analyzer.resolve.calls import Resolver, _ValueCall
from analyzer.resolve.program import FileContext

# Below this many call sites in the later half, forking and sending rows back costs more than
# reading them here.
MIN_FORKED_CALLS = 50_000

_forked: tuple[Resolver, list[FileContext]] | None = None  # what the child reads, set before fork


def split(files: list[FileContext]) -> tuple[list[FileContext], list[FileContext]]:
    """The files in order, cut between two packages where the call sites before and after are
    nearest to equal (a package's files stay together: its `init` gathers what all of them do)."""
    total = sum(len(context.facts.calls) for context in files)
    cut, gap, seen = len(files), total, 0
    for index, context in enumerate(files):
        if index and context.package != files[index - 1].package and abs(2 * seen - total) < gap:
            cut, gap = index, abs(2 * seen - total)
        seen += len(context.facts.calls)
    return files[:cut], files[cut:]


def resolve_files(resolver: Resolver, files: list[FileContext], jobs: int,
                  report: Callable[[int], None]) -> None:
    """Read the call sites of `files` (in package order), forking for the later half when
    `jobs` allows and the half is worth it; `report(done)` after each file read here."""
    first, later = split(files) if jobs > 1 else (files, [])
    if (sum(len(context.facts.calls) for context in later) < MIN_FORKED_CALLS
            or not _room_for_a_copy()):
        first, later = files, []
    if not later:
        for done, context in enumerate(files, 1):
            resolver.resolve_file(context)
            report(done)
        return
    global _forked
    _forked = (resolver, later)
    try:
        # An executor, not a Pool: a child killed (by the OOM killer, say) raises
        # BrokenProcessPool here instead of leaving the parent waiting for ever.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as child:
            pending = child.submit(_read_later_half)  # forks now, with `_forked` set
            _forked = None  # the child has its own copy; the parent keeps no second reference
            for done, context in enumerate(first, 1):
                resolver.resolve_file(context)
                report(done)
            resolver.prepare_finish()  # while the child, with its rows to pickle, is still busy
            rows = pending.result()
    finally:
        _forked = None
    _append(resolver, later, *rows)
    report(len(files))


def _room_for_a_copy() -> bool:
    """Whether the machine has the memory for a second copy of this process: the child ends up
    touching, so copying, nearly every page it shares (reference counts are written to), about
    1.2 GiB for the Kubernetes tree. Without /proc to tell, one process it is."""
    try:
        with open("/proc/meminfo") as meminfo:
            available = next(int(line.split()[1]) for line in meminfo
                             if line.startswith("MemAvailable:"))
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, StopIteration, ValueError):
        return False
    return available > 2 * resident  # kB both; a margin for the rest of the machine


def _read_later_half():
    resolver, files = _forked
    for context in files:
        resolver.resolve_file(context)
    out, flow = resolver.out, resolver.flow
    edge_row, symbol_row, annotation_row = (attrgetter(*cls.__slots__)
                                            for cls in (Edge, Symbol, Annotation))
    return (list(map(edge_row, out.edges)), list(map(symbol_row, out.symbols)),
            list(map(annotation_row, out.annotations)), out.created, flow.functions, flow.flows,
            [(call.place, call.fallback, edge_row(call.edge), call.mode, call.signature,
              call.arguments) for call in resolver.value_calls],
            resolver.interfaces)


def _append(resolver: Resolver, files: list[FileContext], edges, symbols, annotations, created,
            functions, flows, value_calls, interfaces) -> None:
    out = resolver.out
    out.edges.extend(Edge(*row) for row in edges)
    out.symbols.extend(Symbol(*row) for row in symbols)
    out.annotations.extend(Annotation(*row) for row in annotations)
    for function, types in created.items():
        out.created.setdefault(function, set()).update(types)
    resolver.flow.merge(functions, flows)
    resolver.value_calls.extend(
        _ValueCall(place, fallback, Edge(*edge), mode, signature, arguments)
        for place, fallback, edge, mode, signature, arguments in value_calls)
    for symbol, found in interfaces.items():
        resolver.interfaces.setdefault(symbol, found)
    for context in files:  # closures' declarations, for their signatures: objects of this process
        resolver.note_literals(context)
