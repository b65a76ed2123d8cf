"""Query answers as text for people, JSON for scripts, and DOT or Mermaid for pictures."""
from __future__ import annotations

import math

from analyzer import graph
from analyzer.graph import Edge
from analyzer.query import SHOWN_PER_CALL, SymbolInfo, Tree, package_of

FORMATS = ("text", "json", "dot", "mermaid")


def short_name(symbol: str) -> str:
    """`(*k8s.io/kubernetes/pkg/scheduler.Scheduler).Run` → `(*scheduler.Scheduler).Run`."""
    package = package_of(symbol)
    return symbol.replace(package, package.rsplit("/", 1)[-1], 1)


def edge_label(edge: Edge) -> str:
    if edge.kind in (graph.GO, graph.DEFER) and edge.via:
        return f"{edge.kind}/{edge.via}"
    return edge.kind


# --- trees ---------------------------------------------------------------------------------------

def tree_text(tree: Tree) -> str:
    """An indented tree; a symbol already expanded above is marked, not repeated."""
    children: dict[str, list[Edge]] = {}
    for edge in tree.edges:
        parent = edge.caller if tree.direction == "callees" else edge.callee
        children.setdefault(parent, []).append(edge)
    lines = [tree.root]
    expanded = {tree.root}

    def walk(symbol: str, prefix: str) -> None:
        edges = children.get(symbol, [])
        for index, edge in enumerate(edges):
            last = index == len(edges) - 1
            other = edge.callee if tree.direction == "callees" else edge.caller
            again = other in expanded and other in children
            lines.append(f"{prefix}{'└─' if last else '├─'} [{edge_label(edge)}] {other}  "
                         f"{edge.path}:{edge.line}{_build_marks(tree, edge)}"
                         f"{'  (expanded above)' if again else ''}")
            if not again and other in children:
                expanded.add(other)
                walk(other, prefix + ("   " if last else "│  "))

    walk(tree.root, "")
    if tree.left_out:
        lines.append(f"… {tree.left_out:,} less likely implementation edges left out (at most "
                     f"{SHOWN_PER_CALL} per call, the surest first; --program narrows the rest)")
    if tree.unresolved:
        lines.append(f"… {tree.unresolved:,} unresolved call{'s' if tree.unresolved > 1 else ''} "
                     "(into code the index does not hold) left out: add unresolved to --kinds to "
                     "list them")
    if tree.not_built:
        lines.append(f"… {tree.not_built:,} edge{'s' if tree.not_built > 1 else ''} above "
                     f"{'are' if tree.not_built > 1 else 'is'} not in {tree.build}'s build (a call "
                     "from, or an implementation declared in, a file marked [build: …]): "
                     "--program NAME follows the files of one command's build")
    if tree.truncated:
        lines.append("… cut at the node limit: narrow it with --depth, --kinds or --exclude")
    return "\n".join(lines)


def _build_marks(tree: Tree, edge: Edge) -> str:
    """`  [build: windows]` for a call site in a constrained file; for an implementation declared
    in another constrained file, that file's constraint and name."""
    marks = ""
    constraint = tree.constraints.get(edge.path)
    if constraint:
        marks += f"  [build: {constraint}]"
    declared = tree.declared_in.get(edge.callee) if edge.kind == graph.IMPLEMENTATION else None
    if declared:
        marks += f"  [build: {tree.constraints[declared]}, declared in {declared.rpartition('/')[2]}]"
    return marks


def edges_json(root: str | None, edges: list[Edge], **extra) -> str:
    import json  # here, not at the top: a query that prints text starts cold without it

    nodes = sorted(({root} if root else set()) | {e.caller for e in edges} | {e.callee for e in edges})
    return json.dumps({**({"root": root} if root else {}), **extra, "nodes": nodes,
                       "edges": [e._asdict() for e in edges]}, indent=2)


def dot(edges: list[Edge], root: str | None = None, label=edge_label) -> str:
    ids = node_ids(edges, root)
    lines = ["digraph calls {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];']
    for symbol, node_id in ids.items():
        attrs = ', style="bold"' if symbol == root else ""
        lines.append(f'  {node_id} [label="{_escape(_shortened(short_name(symbol)))}", '
                     f'tooltip="{_escape(_shortened(symbol))}"{attrs}];')
    for edge in _unique(edges):
        style = {graph.INTERFACE: "dashed", graph.IMPLEMENTATION: "dotted",
                 graph.FUNCVALUE: "dashed", graph.GO: "bold"}.get(edge.kind, "solid")
        lines.append(f'  {ids[edge.caller]} -> {ids[edge.callee]} '
                     f'[label="{label(edge)}", style={style}, fontsize=8];')
    lines.append("}")
    return "\n".join(lines)


def mermaid(edges: list[Edge], root: str | None = None, label=edge_label) -> str:
    ids = node_ids(edges, root)
    lines = ["flowchart LR"]
    for symbol, node_id in ids.items():
        lines.append(f'  {node_id}["{_mermaid_escape(_shortened(short_name(symbol)))}"]')
    for edge in _unique(edges):
        arrow = "-.->" if edge.kind in (graph.INTERFACE, graph.IMPLEMENTATION, graph.FUNCVALUE) else "-->"
        lines.append(f"  {ids[edge.caller]} {arrow}|{label(edge)}| {ids[edge.callee]}")
    return "\n".join(lines)


# Mermaid's own defaults (maxEdges and maxTextSize in its configuration schema): a flowchart
# with more edges, or a longer text, is refused ("Too many edges", "Maximum text size in diagram
# exceeded") unless the page that draws it raises them.
MERMAID_MAX_EDGES = 500
MERMAID_MAX_TEXT = 50_000


def mermaid_overflow(text: str) -> str | None:
    """What of a `mermaid` flowchart is past Mermaid's defaults, if anything is: its edges (one
    arrow a line; labels cannot hold one, `>` being escaped) and its characters."""
    edges = sum(1 for line in text.splitlines() if " -->|" in line or " -.->|" in line)
    over = [f"{count:,} {what}, past the {limit:,} Mermaid draws by default ({option})"
            for count, what, limit, option in ((edges, "edges", MERMAID_MAX_EDGES, "maxEdges"),
                                               (len(text), "characters", MERMAID_MAX_TEXT,
                                                "maxTextSize"))
            if count > limit]
    return " and ".join(over) or None


def node_ids(edges: list[Edge], root: str | None) -> dict[str, str]:
    """The node id (n0, n1, …) `dot` and `mermaid` give each symbol: the root first, then in edge order."""
    ids: dict[str, str] = {}
    for symbol in ([root] if root else []) + [s for e in edges for s in (e.caller, e.callee)]:
        ids.setdefault(symbol, f"n{len(ids)}")
    return ids


def _unique(edges: list[Edge]) -> list[Edge]:
    """One arrow per (caller, callee, kind): a function calling another five times draws once."""
    seen, out = set(), []
    for edge in edges:
        key = (edge.caller, edge.callee, edge.kind)
        if key not in seen:
            seen.add(key)
            out.append(edge)
    return out


# The most characters of a name a picture shows. An unresolved callee is named by its expression
# as written, which can be a whole function literal: Graphviz refuses a quoted string longer than
# 16384 bytes, and Mermaid a diagram longer than 50000 characters.
PICTURE_NAME_LIMIT = 1000


def _shortened(text: str) -> str:
    """`text` within PICTURE_NAME_LIMIT characters, its middle left out for `…`."""
    if len(text) <= PICTURE_NAME_LIMIT:
        return text
    half = PICTURE_NAME_LIMIT // 2
    return f"{text[:half]}…{text[-(PICTURE_NAME_LIMIT - half - 1):]}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# What a quoted Mermaid label cannot hold as it is, checked with Mermaid 11's own parser and
# renderer: `"` ends the label and `#` starts an entity code; `<`, `>` and `&` are read as HTML
# (`a&amp;b` shows as `a&b`); `%%{…}%%` anywhere is taken out as a directive; a label in
# backticks is Markdown. Each is written as the entity code Mermaid turns back into it.
_MERMAID_ENTITIES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "#": "#35;",
                     "%": "#37;", "`": "#96;"}


def _mermaid_escape(text: str) -> str:
    """`text` as a quoted Mermaid label shows it, every character kept; control characters and
    line separators (a multi-line callee expression), which end the line or vanish, as codes too."""
    return "".join(_MERMAID_ENTITIES.get(char) or (f"#{ord(char)};" if _unprintable(char) else char)
                   for char in text)


def _unprintable(char: str) -> bool:
    import unicodedata  # here, not at the top: only Mermaid needs it, and a query starts cold

    return unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp")


def render_tree(tree: Tree, fmt: str) -> str:
    if fmt == "json":
        return edges_json(tree.root, tree.edges, direction=tree.direction, depth=tree.depth,
                          truncated=tree.truncated, left_out=tree.left_out,
                          unresolved_left_out=tree.unresolved,
                          build=tree.build, build_constraints=tree.constraints,
                          declared_in=tree.declared_in, not_built=tree.not_built)
    if fmt == "dot":
        return dot(tree.edges, tree.root)
    if fmt == "mermaid":
        return mermaid(tree.edges, tree.root)
    return tree_text(tree)


# --- paths and symbols -----------------------------------------------------------------------------

def path_text(chain: list[Edge], start: str) -> str:
    """A path with its summary first, each edge showing how it was found and how sure it is, so
    a path through a guessed edge does not read like one through static calls."""
    lines = [path_summary(chain), start]
    for edge in chain:
        lines.append(f"  → {edge.callee}  [{_how(edge)}]  {edge.path}:{edge.line}")
    return "\n".join(lines)


def path_summary(chain: list[Edge]) -> str:
    """`6 calls, confidence 0.608, weakest link 0.80 at path:line`: the confidence is the edges'
    product, what `paths` ranks by; the weakest link is the edge to check first."""
    if not chain:
        return "0 calls: the start is the goal"
    weakest = min(chain, key=lambda edge: edge.confidence)
    return (f"{len(chain)} call{'s' if len(chain) > 1 else ''}, "
            f"confidence {confidence_text(math.prod(edge.confidence for edge in chain))}, "
            f"weakest link {confidence_text(weakest.confidence)} at {weakest.path}:{weakest.line}")


def _how(edge: Edge) -> str:
    """`funcvalue 0.80, stored in field RunE`: kind, confidence and the resolver's hint; for go
    and defer edges the hint is the underlying kind, already in the label."""
    hint = "" if edge.kind in (graph.GO, graph.DEFER) or not edge.via else f", {edge.via}"
    return f"{edge_label(edge)} {confidence_text(edge.confidence)}{hint}"


def confidence_text(confidence: float) -> str:
    """Two decimals, or three when needed: the index stores confidences to three (0.80, 0.128)."""
    if 0 < confidence < 0.001:
        return f"{confidence:.1e}"
    text = f"{confidence:.3f}"
    return text[:-1] if text.endswith("0") else text


def sure_label(edge: Edge) -> str:
    """An edge's label in a path picture: its kind, and its confidence when it is below 1."""
    if edge.confidence < 1:
        return f"{edge_label(edge)} {confidence_text(edge.confidence)}"
    return edge_label(edge)


def render_paths(paths: list[list[Edge]], start: str, fmt: str) -> str:
    if fmt == "json":
        import json

        return json.dumps([[e._asdict() for e in chain] for chain in paths], indent=2)
    edges = [edge for chain in paths for edge in chain]
    if fmt == "dot":
        return dot(edges, start, sure_label)
    if fmt == "mermaid":
        return mermaid(edges, start, sure_label)
    return "\n\n".join(path_text(chain, start) for chain in paths)


def symbol_text(info: SymbolInfo) -> str:
    lines = [info.name, f"  kind       {info.kind}"]
    if info.package:  # a signature (`func() error`) has none
        lines.append(f"  package    {info.package}")
    if info.signature:
        lines.append(f"  signature  {info.signature}")
    if info.path:
        lines.append(f"  defined    {info.path}:{info.line}-{info.end_line}")
        lines.append(f"  source     {info.permalink}")
    for other in info.also_declared:
        build = f"  [build: {other.build}]" if other.build else ""
        lines.append(f"  also       {other.path}:{other.line}-{other.end_line}{build}  "
                     f"{other.callees} edges out")
    lines.append(f"  calls      {info.callees} edges out, {info.callers} edges in")
    for note in info.annotations:
        lines.append(f"  note       {note}")
    if info.doc:
        lines.append("")
        lines.extend("  " + line for line in info.doc.splitlines())
    return "\n".join(lines)
