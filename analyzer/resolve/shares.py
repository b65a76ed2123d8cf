"""Call sites of many files in several processes, with the same result as in one.

Resolving call sites is most of the resolver's time and reads only the program's tables, which
are complete before it starts; what it adds per file is gathered, not read back, until `finish`.
So the resolver forks once its tables are built: each child starts with them (copy-on-write, not
copied) and an empty resolver, resolves one contiguous share of the files in the order a single
process would, and hands back what it added (`Resolver.file_results`). The parent resolves the
first share itself and absorbs the others in order, so that edges come out in the order one
process gives them. Between its own share and the others', the parent may do other work with what
it holds (`between`: the indexer stores the edges so far) while the children still resolve; its
share is lighter by that much.

Once every edge is known, the implementations of the interfaces called are found the same way, by
a forked process that starts from the parent's state (`Beside`), while the parent hands the edges
over to be stored; that process then works out the command programs while the parent hands over
what it found.
"""
from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Generator
from functools import partial
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.resolve.calls import FileResults, Resolver
    from analyzer.resolve.program import FileContext

# Each child copies the pages of the tables it reads (about 1 GB of the Kubernetes tree's) and the
# parent absorbs the shares one after another: more processes than this would cost more memory
# than they save time.
MAX_PROCESSES = 4
# A child's results are pickled there and unpickled here, which costs about this fraction of the
# time it took to resolve them (measured on the Kubernetes tree: 0.8 s after 6 s).
HANDOVER = 0.15
# What the parent's `between` costs, as a fraction of the time it took to resolve its share
# (making every symbol and storing them with the first share's edges, measured on a 2,877-file
# Kubernetes subset: 0.07 + 0.33 CPU s after a 1.1 s share).
BETWEEN = 0.35
# What a forked child resolves from: set just before the fork, so that it is inherited, never
# pickled.
_inherited: tuple[Resolver, list[FileContext]] | None = None
# The parent's ends of the pipes forked so far, which each child closes: a child holding a read
# end of its own pipe would block forever sending a large share to a parent that had gone.
_receivers: list = []
STOPS = {signal.SIGINT, signal.SIGTERM}


def resolve_files(resolver: Resolver, contexts: list[FileContext], processes: int,
                  progress: Callable[[int], None],
                  between: Callable[[], None] | None = None) -> None:
    """`resolver.resolve_file` for each context, shared among `processes` processes (this one
    included, at most MAX_PROCESSES); `progress(done)` hears of each file this process resolves,
    and of the end. `between()` is called once this process resolved its share, before it takes
    in the others': what the resolver holds then stays as it is."""
    shares = _shares(contexts, min(processes, MAX_PROCESSES),
                     HANDOVER - (BETWEEN if between else 0))
    global _inherited
    _inherited = (resolver, contexts)
    children = []
    try:
        # One process per share, all forked before this one resolves anything: each must start
        # from the empty resolver (a pool's worker could take two shares).
        for share in shares[1:]:
            _fork(partial(_resolve_share, share), children)
        start, end = shares[0]
        for done, context in enumerate(contexts[start:end], 1):
            resolver.resolve_file(context)
            progress(done)
        if between is not None:
            between()
        for child, receiver in children:
            resolver.absorb(_received(child, receiver))
        if children:
            progress(len(contexts))
    finally:
        _inherited = None
        _ended(children)


class Beside:
    """`work()` in a process forked on entering, while this one goes on with the `with` block;
    `received()` is what `work` returned (pickled), or raises the exception it raised. A `work`
    that is a generator sends each value as soon as it yields it, one per `received()`, so that
    this process can use the first ones while the child makes the rest. Leaving the block ends
    the child if it is still running."""

    def __init__(self, work: Callable[[], object]):
        self.work, self.children = work, []

    def __enter__(self) -> Beside:
        _fork(self.work, self.children)
        return self

    def __exit__(self, *stopped) -> None:
        _ended(self.children)

    def received(self):
        return _received(*self.children[0])


def _fork(work: Callable[[], object], children: list) -> None:
    """Fork a process that runs `work()` and sends back what it returns; list it in `children`
    as (process, the pipe's read end)."""
    receiver, sender = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_run, args=(work, sender), daemon=True)
    # A stop that arrived between the fork and the child's own handlers ran this process's in
    # the child (a Terminated it printed and survived, never to be joined), or came here before
    # the child was listed to be stopped: both wait for the fork. The mask holds them for this
    # thread and the child; the deferred handlers for a stop another thread of this process
    # takes in, whose Python handler would run here at once.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    deferred = _defer_stops()
    try:
        _receivers.append(receiver)
        child.start()
        children.append((child, receiver))
        sender.close()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        _undefer_stops(deferred)


def _defer_stops() -> tuple[dict, list[int]]:
    """Handlers that only note a stop, in place of this process's (which only its main thread
    may replace): (the handlers replaced, the stops noted)."""
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        return {}, noted
    return {stop: signal.signal(stop, lambda signum, frame: noted.append(signum)) for stop in STOPS}, noted


def _undefer_stops(deferred: tuple[dict, list[int]]) -> None:
    """Put the replaced handlers back, then raise each stop noted meanwhile to them."""
    replaced, noted = deferred
    for stop, handler in replaced.items():
        signal.signal(stop, handler)
    for stop in dict.fromkeys(noted):
        signal.raise_signal(stop)


def _ended(children: list) -> None:
    """Close the pipes of `children` and reap them: only one that has not sent its results,
    when this process stopped or failed first, is still running, and is terminated."""
    for child, receiver in children:
        if receiver in _receivers:
            _receivers.remove(receiver)
        receiver.close()
        child.terminate()
        child.join()


_FORK = multiprocessing.get_context("fork")


def _shares(contexts: list[FileContext], processes: int,
            heavier: float = HANDOVER) -> list[tuple[int, int]]:
    """Contiguous (start, end) slices of `contexts`, by their call sites: the first, this
    process's, `heavier` (a fraction) more than each other one, which is done that much sooner
    (lighter, when `heavier` is below 0)."""
    if processes <= 1 or len(contexts) < 2:
        return [(0, len(contexts))]
    if processes >= len(contexts):  # a file each, rather than weighing once per process
        return [(i, i + 1) for i in range(len(contexts))]
    ends = list(accumulate(context.facts.call_count() + 1 for context in contexts))
    bounds = [0]
    for share in range(1, processes):
        target = ends[-1] * (share + heavier) / (processes + heavier)
        bounds.append(max(bounds[-1], next(i for i, end in enumerate(ends, 1) if end >= target)))
    bounds.append(len(contexts))
    return [(start, end) for start, end in zip(bounds, bounds[1:]) if end > start]


def _run(work: Callable[[], object], sender) -> None:
    """In a forked child: run `work` and send what it returned (each value, one by one, for a
    generator), or why it could not."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler the parent may have installed
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)  # held by the parent across the fork
    for receiver in _receivers:
        receiver.close()
    # A broken pipe when sending means the parent has gone (stopped, killed): nobody waits for
    # the results. One that the work raises is an error like any other, for the parent to report.
    try:
        results = work()
        for value in results if isinstance(results, Generator) else (results,):
            if not _sent(sender, value):
                break
    except Exception as err:  # noqa: BLE001 (raised again in the parent, which reports it)
        _sent(sender, err)
    sender.close()


def _sent(sender, value) -> bool:
    """Send `value`; False when the parent is no longer there to receive it."""
    try:
        sender.send(value)
    except BrokenPipeError:
        return False
    return True


def _resolve_share(share: tuple[int, int]) -> FileResults:
    """In a forked child: resolve one share; what the resolver added."""
    resolver, contexts = _inherited
    start, end = share
    for context in contexts[start:end]:
        resolver.resolve_file(context)
    return resolver.file_results()


def _received(child, receiver):
    try:
        results = receiver.recv()
    except EOFError:
        child.join()
        raise RuntimeError(f"a resolver process ended (exit code {child.exitcode}) without "
                           "handing back its results") from None
    if isinstance(results, Exception):
        raise results
    return results
