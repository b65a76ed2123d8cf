"""Questions asked of an indexed call graph: which symbol a name means, and how one symbol reaches
another. Answers come from the index alone; nothing is parsed again.
"""
from __future__ import annotations

import difflib
import sqlite3
from collections import deque
from dataclasses import dataclass

from analyzer import graph, store
from analyzer.errors import AnalyzerError
from analyzer.graph import Edge


class SymbolNotFound(AnalyzerError):
    def __init__(self, name: str, closest: list[str]):
        self.name, self.closest = name, closest
        hint = ("; closest: " + ", ".join(closest)) if closest else ""
        super().__init__(f"no symbol {name!r}{hint}")


class AmbiguousSymbol(AnalyzerError):
    def __init__(self, name: str, candidates: list[str]):
        self.name, self.candidates = name, candidates
        shown = ", ".join(candidates[:8]) + (" …" if len(candidates) > 8 else "")
        super().__init__(f"{name!r} matches {len(candidates)} symbols: {shown}")


class NoPath(AnalyzerError):
    def __init__(self, start: str, goal: str):
        super().__init__(f"no call path from {start} to {goal}")


@dataclass
class CallGraph:
    """The edges of one indexed commit, by caller."""

    commit: store.CommitRecord
    callees: dict[str, list[Edge]]
    symbols: set[str]

    @classmethod
    def load(cls, db: sqlite3.Connection, repo: str) -> CallGraph:
        commits = store.latest_commits(db)
        if repo not in commits:
            raise AnalyzerError(f"{repo} is not indexed: run `kubeatlas index {repo}` first")
        commit = commits[repo]
        callees: dict[str, list[Edge]] = {}
        reached: set[str] = set()  # callees outside the commit, the standard library's included
        for edge in store.load_edges(db, commit.id):
            callees.setdefault(edge.caller, []).append(edge)
            if edge.kind != graph.UNRESOLVED:
                reached.add(edge.callee)
        symbols = {name for (name,) in db.execute(
            "SELECT n.name FROM symbols s JOIN names n ON n.id = s.name WHERE s.commit_id = ?",
            (commit.id,))}
        return cls(commit, callees, symbols | set(callees) | reached)

    def find(self, name: str) -> str:
        """A symbol from its full go/ssa name or an unambiguous ending of it
        (`scheduler.(*Scheduler).scheduleOne` → the full name)."""
        if name in self.symbols:
            return name
        matches = sorted(s for s in self.symbols if _ends_like(s, name))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousSymbol(name, matches)
        raise SymbolNotFound(name, difflib.get_close_matches(name, self.symbols, n=5, cutoff=0.6))

    def path(self, start: str, goal: str, kinds: frozenset[str] | None = None) -> list[Edge]:
        """A shortest chain of edges from start to goal (breadth first), unresolved edges aside."""
        allowed = kinds or frozenset(graph.EDGE_KINDS) - {graph.UNRESOLVED}
        came_from: dict[str, Edge | None] = {start: None}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            if current == goal:
                chain = []
                while came_from[current] is not None:
                    edge = came_from[current]
                    chain.append(edge)
                    current = edge.caller
                return chain[::-1]
            for edge in self.callees.get(current, ()):
                if edge.kind in allowed and edge.callee not in came_from:
                    came_from[edge.callee] = edge
                    queue.append(edge.callee)
        raise NoPath(start, goal)


def _ends_like(symbol: str, name: str) -> bool:
    """Whether `name` is a short form of `symbol`: a trailing part of it that starts at a
    package path element (`scheduler.New`), or, for methods, `scheduler.(*Scheduler).Run` for
    `(*k8s.io/kubernetes/pkg/scheduler.Scheduler).Run`."""
    if ".(" in name and not name.startswith("("):
        package, _, method = name.partition(".(")
        pointer = method.startswith("*")
        receiver = "(*" if pointer else "("
        name = method[1:] if pointer else method
        if not symbol.startswith(receiver):
            return False
        symbol, name = symbol[len(receiver):], f"{package}.{name}"
    if not symbol.endswith(name):
        return False
    return len(symbol) == len(name) or symbol[-len(name) - 1] in "/.(*"


def path_through(call_graph: CallGraph, points: list[str],
                 kinds: frozenset[str] | None = None) -> list[Edge]:
    """Shortest segments joined: from points[0] through each point in turn to the last."""
    chain: list[Edge] = []
    for start, goal in zip(points, points[1:]):
        chain.extend(call_graph.path(start, goal, kinds))
    return chain


def render_path(chain: list[Edge], start: str) -> str:
    lines = [start]
    for edge in chain:
        kind = edge.kind if not edge.via or edge.kind not in (graph.GO, graph.DEFER) else (
            f"{edge.kind}/{edge.via}")
        lines.append(f"  → [{kind}] {edge.callee}    ({edge.path}:{edge.line})")
    return "\n".join(lines)
