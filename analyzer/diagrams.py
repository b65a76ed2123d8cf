"""A component's call diagram for the site: which calls to draw, and Graphviz to draw them.

The picture answers "how does the program get from `main` to the loop that does the work, and
what does that loop do": the shortest call paths from each entrypoint to the main loop, and the
main loop's direct callees, at most DIAGRAM_NODES boxes. The paths are stacked in one column on
the left, so the picture grows down the page rather than across it; the callees fan out to the
right. `render.dot` writes the DOT text; the `dot` program of Graphviz turns it into an SVG
element when the site is built, so a reader's browser needs nothing from the network.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer import render
from analyzer.errors import AnalyzerError
from analyzer.graph import GO, Edge
from analyzer.query import Filters, GraphIndex, NoPath, package_of

DIAGRAM_NODES = 30

# Calls that set a program up or report on it rather than do its work. Among the main loop's
# callees, each kind is drawn as one labelled box ("metrics: 4 functions"), so the boxes left
# are the work itself.
BOILERPLATE = (
    ("flags", re.compile(r"(flag|github\.com/spf13/pflag|k8s\.io/component-base/cli/flag)")),
    ("cobra", re.compile(r"(github\.com/spf13/cobra|k8s\.io/component-base/cli)(/.*)?")),
    ("logging", re.compile(r"(log|k8s\.io/klog(/v2)?|k8s\.io/component-base/logs|go\.uber\.org/zap)(/.*)?")),
    ("metrics", re.compile(r"(.*/)?metrics(/.*)?|github\.com/prometheus/.*|expvar")),
    ("tracing", re.compile(r"(k8s\.io/utils/trace|go\.opentelemetry\.io)(/.*)?")),
)
DIAGRAM_PATHS = 3  # shortest paths drawn from each entrypoint to the main loop


class GraphvizError(AnalyzerError):
    """Graphviz is not installed, or could not draw a diagram."""


@dataclass(frozen=True)
class Core:
    """What to draw: edges, the path nodes to stack in a column, and what was left out."""

    root: str
    edges: tuple[Edge, ...]
    column: frozenset[str]  # nodes on the entrypoint → main loop paths, main loop excluded
    omitted: int  # callees left out to stay within DIAGRAM_NODES
    reaches_main_loop: bool

    @property
    def nodes(self) -> frozenset[str]:
        return frozenset({self.root} | {e.caller for e in self.edges} | {e.callee for e in self.edges})


def require_dot() -> str:
    """The path of Graphviz's `dot`, or an error that says how to install it."""
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizError("Graphviz's `dot` is not installed; the site's diagrams are drawn with "
                            "it when the site is built (Debian: apt-get install graphviz)")
    return binary


def core(index: GraphIndex, entrypoints: list[str], main_loop: str | None, filters: Filters) -> Core:
    """The paths from each entrypoint to the main loop and the main loop's direct callees; when
    no entrypoint reaches the main loop, the entrypoints' first two levels of calls."""
    paths: list[Edge] = []
    for entry in entrypoints if main_loop else ():
        try:
            for chain in index.paths(entry, main_loop, filters, DIAGRAM_PATHS):
                paths.extend(chain)
        except NoPath:
            continue
    reached = bool(paths) or main_loop in entrypoints
    root = entrypoints[0] if entrypoints else main_loop
    column = {root} | {e.caller for e in paths} | {e.callee for e in paths}
    nodes = column | ({main_loop} if reached else set())
    if reached:
        fan = _busiest_first(index.tree(main_loop, "callees", 2, filters).edges, main_loop,
                             DIAGRAM_NODES - len(nodes))
    else:
        fan = [edge for entry in entrypoints for edge in index.tree(entry, "callees", 2, filters).edges]
    edges, left_out = list(paths), set()
    for edge in _collapse_boilerplate(fan, column):
        if edge.caller in nodes and (edge.callee in nodes or len(nodes) < DIAGRAM_NODES):
            nodes.add(edge.callee)
            edges.append(edge)
        else:
            left_out.add(edge.callee)
    column.discard(main_loop)
    return Core(root, tuple(edges), frozenset(column if reached else ()),
                len(left_out - nodes), reached)


def boilerplate(symbol: str) -> str | None:
    """The kind of set-up or reporting code `symbol` is (see BOILERPLATE), or None."""
    package = package_of(symbol)
    return next((kind for kind, pattern in BOILERPLATE if pattern.fullmatch(package)), None)


def _collapse_boilerplate(edges: list[Edge], column: set[str]) -> list[Edge]:
    """Each call of boilerplate (off the entrypoint → main loop paths) redirected to one box per
    caller and kind, named after how many functions it stands for."""
    grouped: dict[tuple[str, str], set[str]] = {}
    for edge in edges:
        kind = boilerplate(edge.callee)
        if kind and edge.callee not in column:
            grouped.setdefault((edge.caller, kind), set()).add(edge.callee)
    out, drawn = [], set()
    for edge in edges:
        kind = boilerplate(edge.callee)
        if not kind or edge.callee in column:
            out.append(edge)
            continue
        callees = grouped[(edge.caller, kind)]
        box = f"{kind}: {len(callees)} function{'s' if len(callees) > 1 else ''}"
        if (edge.caller, box) not in drawn:
            drawn.add((edge.caller, box))
            out.append(edge._replace(callee=box))
    return out


def _busiest_first(edges: list[Edge], caller: str, room: int) -> list[Edge]:
    """`caller`'s own calls among `edges` (a two-level tree from it), in call order, except that
    when there is room for only some callees, those started with `go` and then those that call
    the most come first."""
    calls = [edge for edge in edges if edge.caller == caller]
    callees = list(dict.fromkeys(edge.callee for edge in calls))
    if len(callees) <= room:
        return calls
    degree = Counter(edge.caller for edge in edges)
    spawned = {edge.callee for edge in calls if edge.kind == GO}
    order = {callee: position for position, callee in enumerate(callees)}
    ranked = sorted(callees, key=lambda c: (c not in spawned, -degree[c], order[c]))
    kept = set(ranked[:room])
    return [edge for edge in calls if edge.callee in kept] + \
        [edge for edge in calls if edge.callee not in kept]


def draw(drawing: Core, links: Mapping[str, str], dot_binary: str) -> str:
    """The picture as an <svg> element to put inline; each box whose symbol has a link in `links`
    links to it."""
    edges = list(drawing.edges)
    source = render.dot(edges, drawing.root)
    ids = render.node_ids(edges, drawing.root)
    extra = [f'  {ids[name]} [URL="{links[name]}", target="_top"];'
             for name in sorted(ids) if links.get(name)]
    if len(drawing.column) > 1:
        extra.append("  { rank=same; " + " ".join(ids[name] for name in sorted(drawing.column)) + " }")
    if extra:
        source = source.removesuffix("}") + "\n".join(extra) + "\n}"
    return _svg(source, dot_binary)


_SVG_WIDTH = re.compile(r'<svg width="([\d.]+)pt"')


def _svg(source: str, dot_binary: str) -> str:
    """DOT → an <svg> element: no XML prolog, doctype or comments outside it. It is its natural
    size, shrunk to fit the page's column when wider; the picture on its own is there to zoom."""
    result = subprocess.run([dot_binary, "-Tsvg"], input=source, capture_output=True, text=True)
    if result.returncode != 0:
        raise GraphvizError(f"dot could not draw a diagram: {result.stderr.strip()}")
    svg = result.stdout[result.stdout.index("<svg"):].strip()
    width = _SVG_WIDTH.match(svg)
    if not width:
        return svg
    pixels = float(width.group(1)) * 4 / 3
    style = f"max-width: 100%; height: auto; width: {pixels:.0f}px"
    return svg.replace("<svg ", f'<svg style="{style}" ', 1)
