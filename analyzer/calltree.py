"""Symbols and call trees as the site's pages show them.

A symbol is shown by its short name, signature and the first sentence of its doc comment, with a
permalink pinned to the analysed commit. A call tree is bounded for reading: a few levels deep,
a few callees per function (the rest counted), the implementations found for an interface call
beneath it, and a function already expanded elsewhere on the page not repeated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzer import render
from analyzer.graph import GO, IMPLEMENTATION, Edge
from analyzer.manifest import SymbolRef
from analyzer.query import Filters, GraphIndex
from analyzer.permalinks import permalink

MAX_CHILDREN = 8  # callees listed per function; the rest are counted
MAX_IMPLEMENTATIONS = 4  # implementations listed under an interface call


@dataclass(frozen=True)
class SymbolView:
    name: str  # go/ssa name
    short: str  # `(*scheduler.Scheduler).Run`
    kind: str
    signature: str
    summary: str  # the first sentence of its doc comment
    permalink: str  # "" when the commit does not define it
    location: str  # "path:line"
    annotations: tuple[str, ...]


@dataclass
class TreeNode:
    symbol: SymbolView
    edge: Edge | None = None  # the call that reached it; None at the root
    call_site: str = ""  # permalink of that call
    calls: int = 1  # call sites of this callee in its caller
    children: list[TreeNode] = field(default_factory=list)
    omitted: int = 0  # callees not listed
    seen: bool = False  # expanded earlier on the page: not repeated
    spawns: bool = False  # reached through a `go` statement


_SENTENCE_END = re.compile(r"(?<![^A-Za-z][A-Z])\.(\s|$)")


def first_sentence(doc: str) -> str:
    """Go doc's synopsis: the first paragraph up to its first period that is followed by a space
    and does not follow a lone capital letter (`T.` stays in)."""
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    match = _SENTENCE_END.search(paragraph)
    return paragraph[: match.start() + 1] if match else paragraph


class Symbols:
    """Symbol views of one commit, each looked up once."""

    def __init__(self, index: GraphIndex):
        self.index = index
        self._views: dict[str, SymbolView | None] = {}

    def view(self, name: str) -> SymbolView | None:
        """The symbol as pages show it; None when the commit neither defines it nor calls it."""
        if name not in self._views:
            info = self.index.describe(name) if self.index.has(name) else None
            self._views[name] = info and SymbolView(
                info.name, render.short_name(info.name), info.kind, info.signature,
                first_sentence(info.doc), info.permalink,
                f"{info.path}:{info.line}" if info.path else "", info.annotations)
        return self._views[name]

    def defines(self, name: str) -> bool:
        view = self.view(name)
        return bool(view and view.permalink)

    def defined(self, ref: SymbolRef) -> SymbolView | None:
        """The first name of `ref` (its own, then each alternative) the commit defines."""
        return next((self.view(name) for name in ref.names if self.defines(name)), None)

    def link(self, edge: Edge) -> str:
        commit = self.index.commit
        return permalink(commit.remote_url, commit.sha, edge.path, edge.line)


def call_tree(index: GraphIndex, symbols: Symbols, root: str, depth: int, filters: Filters,
              expanded: set[str]) -> TreeNode:
    """The callees of `root` to `depth` levels: one child per distinct callee, in call order, and
    under an interface call the implementations found for it. Past MAX_CHILDREN callees, those
    that start goroutines and then those that call the most are kept. A function already expanded
    on the page is marked, not repeated."""
    tree = index.tree(root, "callees", depth, filters)
    by_caller: dict[str, dict[str, list[Edge]]] = {}
    for edge in tree.edges:
        by_caller.setdefault(edge.caller, {}).setdefault(edge.callee, []).append(edge)

    def node(callee: str, edges: list[Edge]) -> TreeNode:
        return TreeNode(symbols.view(callee) or external(callee), edges[0], symbols.link(edges[0]),
                        len(edges), spawns=any(e.kind == GO for e in edges))

    def grow(parent: TreeNode, level: int) -> None:
        name = parent.symbol.name
        if name in expanded:
            parent.seen = name in by_caller
            return
        if level >= depth or name not in by_caller:
            return
        expanded.add(name)
        groups = _group_implementations(by_caller[name])
        kept = _most_telling(groups, by_caller)
        parent.omitted = len(groups) - len(kept)
        for callee, edges, implementations in kept:
            child = node(callee, edges)
            parent.children.append(child)
            grow(child, level + 1)
            for implementation, impl_edges in implementations[:MAX_IMPLEMENTATIONS]:
                grandchild = node(implementation, impl_edges)
                child.children.append(grandchild)
                grow(grandchild, level + 1)  # the same call, so the same level
            child.omitted += max(0, len(implementations) - MAX_IMPLEMENTATIONS)

    top = TreeNode(symbols.view(tree.root) or external(tree.root))
    grow(top, 0)
    return top


Group = tuple[str, list[Edge], list[tuple[str, list[Edge]]]]  # callee, its calls, implementations


def _group_implementations(callees: dict[str, list[Edge]]) -> list[Group]:
    """Callees in call order, each `implementation` edge put under the call it was found for
    (the edge with the same call site), or left on its own when there is none."""
    groups: list[Group] = []
    at_site: dict[tuple[str, int, int], Group] = {}
    for callee, edges in callees.items():
        if all(edge.kind == IMPLEMENTATION for edge in edges):
            continue
        group = (callee, edges, [])
        groups.append(group)
        for edge in edges:
            at_site.setdefault((edge.path, edge.line, edge.col), group)
    for callee, edges in callees.items():
        if all(edge.kind == IMPLEMENTATION for edge in edges):
            owner = at_site.get((edges[0].path, edges[0].line, edges[0].col))
            if owner:
                owner[2].append((callee, edges))
            else:
                groups.append((callee, edges, []))
    return groups


def _most_telling(groups: list[Group], by_caller: dict[str, dict[str, list[Edge]]]) -> list[Group]:
    """At most MAX_CHILDREN groups, in their order: goroutine spawns first, then the callees that
    call the most (through their implementations, for an interface call)."""
    if len(groups) <= MAX_CHILDREN:
        return groups

    def weight(group: Group) -> tuple[bool, int]:
        callee, edges, implementations = group
        reach = len(by_caller.get(callee, ())) + sum(len(by_caller.get(i, ())) for i, _ in implementations)
        return any(edge.kind == GO for edge in edges), reach

    ranked = sorted(range(len(groups)), key=lambda i: (weight(groups[i]), -i), reverse=True)
    return [groups[i] for i in sorted(ranked[:MAX_CHILDREN])]


def external(name: str) -> SymbolView:
    """A symbol the commit does not define: an interface method, another module's function."""
    return SymbolView(name, render.short_name(name), "external", "", "", "", "", ())
