"""Our calls through interfaces and function values on one package, against `callgraph -algo=vta`.

callgraph_accuracy.py --dynamic compares a whole command; this compares one package quickly, as
VTA sees it: our resolver runs over the package's `go list -deps` closure (the program VTA builds,
standard library included), parsed from a checked-out tree, with no index. At each dynamic call
site of the package's own files (tests excluded) it counts VTA's (site, callee) pairs we have
(recall) and our pairs there that VTA has (precision; VTA sees no caller outside the closure, so
this is a lower bound), and lists the misses and extras with --misses. Go's edges come from a TSV
written by

    cd TREE && GOFLAGS='-mod=vendor -tags=providerless' GOPROXY=off CGO_ENABLED=0 \\
        callgraph -algo=vta -format "$(python benchmarks/vta_packages.py --format)" PKG > PKG.tsv

    python benchmarks/vta_packages.py --tree /work/k8s-src PKG PKG.tsv [--misses]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import graph, query  # noqa: E402
from analyzer.parse import parse_source  # noqa: E402
from analyzer.resolve import resolve  # noqa: E402
from analyzer.store import FileRecord  # noqa: E402

GO_ENV = {"GOFLAGS": "-mod=vendor -tags=providerless", "GOPROXY": "off", "GO111MODULE": "on",
          "GOWORK": "off", "CGO_ENABLED": "0"}
FORMAT = ("{{.Caller}}\t{{.Callee}}\t{{.Filename}}\t{{.Line}}\t{{.Description}}"
          "\t{{if .Callee.Synthetic}}{{with .Callee.Object}}{{.FullName}}{{end}}{{end}}")
DYNAMIC = ("dynamic method call", "dynamic function call")
SYNTHETIC = ("$bound", "$thunk", "$wrapper")


def closure(tree: str, package: str) -> list[dict]:
    """`go list -deps -json` of the package: import path, folder, files, standard or not."""
    out = subprocess.run(["go", "list", "-deps", "-json", package], cwd=tree,
                         env={**os.environ, **GO_ENV}, capture_output=True, text=True,
                         check=True).stdout
    decoder, at, packages = json.JSONDecoder(), 0, []
    while out[at:].strip():
        while out[at].isspace():
            at += 1
        item, at = decoder.raw_decode(out, at)
        packages.append(item)
    return packages


def normal(name: str) -> str:
    """A go/ssa name without type arguments: `(*p.T[int]).M` → `(*p.T).M`."""
    out, depth = [], 0
    for char in name:
        depth += (char == "[") - (char == "]")
        if depth == 0 and char != "]":
            out.append(char)
    return "".join(out)


def is_stdlib(name: str) -> bool:
    return query.is_stdlib(query.package_of(normal(name)))


def our_callees(tree: str, package: str) -> tuple[str, dict[tuple, set[str]]]:
    """The package's folder (relative to the tree) and our callees at each dynamic call site."""
    root = os.path.realpath(tree)
    files, library, folder = [], [], ""
    for item in closure(tree, package):
        names = item.get("GoFiles", [])
        if item.get("Standard"):
            library += [(FileRecord(f"goroot{item['Dir']}/{name}", "", item["ImportPath"],
                                    "parsed"), parse_source(Path(item["Dir"], name).read_bytes()))
                        for name in names]
            continue
        relative = os.path.relpath(os.path.realpath(item["Dir"]), root)
        if item["ImportPath"] == package:
            folder = relative
        files += [(FileRecord(f"{relative}/{name}", "", item["ImportPath"], "parsed"),
                   parse_source(Path(root, relative, name).read_bytes())) for name in names]
    resolution = resolve(files, library)
    implements: dict[str, list[str]] = defaultdict(list)
    for row in resolution.implements:
        implements[row.interface_method].append(row.method)

    def methods(interface_method: str, depth: int = 0) -> set[str]:
        out = set()
        for method in implements.get(interface_method, ()):
            if method not in implements:
                out.add(method)
            elif depth < query.MAX_DISPATCH and method != interface_method:
                out |= methods(method, depth + 1)
        return out

    ours: dict[tuple, set[str]] = defaultdict(set)
    for edge in resolution.edges:
        if os.path.dirname(edge.path) != folder:
            continue
        site = (edge.caller, edge.path, edge.line)
        if graph.FUNCVALUE in (edge.kind, edge.via):
            ours[site].add(edge.callee)
        elif graph.INTERFACE in (edge.kind, edge.via):
            ours[site] |= methods(edge.callee)
    return folder, ours


def vta_callees(tree: str, folder: str, tsv: Path) -> dict[tuple, set[str]]:
    root = os.path.realpath(tree)
    out: dict[tuple, set[str]] = defaultdict(set)
    for line in tsv.open():
        caller, callee, filename, number, description, wrapped = line.rstrip("\n").split("\t")
        plain = description.removeprefix("concurrent ").removeprefix("deferred ")
        if plain not in DYNAMIC or not filename:
            continue
        path = os.path.relpath(os.path.realpath(filename), root)
        callee = wrapped or callee
        if (os.path.dirname(path) != folder or is_stdlib(callee)
                or any(m in caller or m in callee for m in SYNTHETIC)):
            continue
        out[normal(caller), path, int(number)].add(normal(callee))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", action="store_true", help="print callgraph's -format and stop")
    parser.add_argument("--tree", default="/work/k8s-src", help="the checked-out kubernetes tree")
    parser.add_argument("package", nargs="?")
    parser.add_argument("tsv", nargs="?", type=Path, help="callgraph -algo=vta's output")
    parser.add_argument("--misses", action="store_true", help="list VTA's pairs we lack, and ours it lacks")
    options = parser.parse_args(argv)
    if options.format:
        print(FORMAT)
        return 0
    if not options.package or not options.tsv:
        parser.error("give the package and callgraph's output")
    folder, ours = our_callees(options.tree, options.package)
    vta = vta_callees(options.tree, folder, options.tsv)
    pairs = {(site, callee) for site, callees in vta.items() for callee in callees}
    ours_there = {(site, callee) for site in vta for callee in ours.get(site, ())
                  if not is_stdlib(callee)}
    matched = pairs & ours_there
    print(f"{options.package}: VTA {len(vta)} sites, {len(pairs)} pairs; we have {len(matched)} "
          f"(recall {len(matched) / max(1, len(pairs)):.3f}); ours at those sites {len(ours_there)} "
          f"(precision {len(matched) / max(1, len(ours_there)):.3f})")
    if options.misses:
        for site, callee in sorted(pairs - ours_there):
            print("missed", callee, f"{site[1]}:{site[2]}", site[0], sep="\t")
        for site, callee in sorted(ours_there - pairs):
            print("extra", callee, f"{site[1]}:{site[2]}", site[0], sep="\t")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
