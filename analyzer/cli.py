"""The `kubeatlas` command: one parser, one place that maps errors to exit codes.

`main(argv) -> int` never lets a user mistake escape as a traceback: every `AnalyzerError` becomes
one line on stderr and its exit code. Results go to stdout; progress and warnings to stderr.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from analyzer import graph, sources, stdlib
from analyzer.errors import AnalyzerError, UsageError
from analyzer.progress import Progress
from analyzer.workspace import Workspace, default_home

REPOS = ("kubernetes", "etcd")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=Path, default=None,
        help="working folder for clones and the index (default: $KUBEATLAS_HOME or ~/.cache/kubeatlas)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kubeatlas",
        description="Map the Kubernetes and etcd source trees: fetch them, index every Go file, "
        "and query the result.",
        epilog="Typical use: kubeatlas fetch && kubeatlas index",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fetch = commands.add_parser(
        "fetch",
        help="clone or update kubernetes and etcd at pinned refs",
        description="Bring each repository to the local cache at a ref, and record its commit and "
        "remote URL for permalinks. Without options, the upstream release tags pinned in "
        "analyzer/pins.toml are shallow-cloned. A local path (a work tree, a bare repository or a "
        "mirror) is read in place, never copied.",
    )
    fetch.add_argument("repos", nargs="*", metavar="REPO",
                       help="kubernetes and/or etcd (default: both)")
    fetch.add_argument("--from", dest="source", metavar="URL|PATH",
                       help="where to fetch from: a git URL, or a local repository or mirror")
    fetch.add_argument("--ref", help="tag, branch or commit to fetch (default: the pinned tag)")
    fetch.add_argument("--url", help="remote URL to record for permalinks (default: the source's own)")
    fetch.add_argument("--full", action="store_true", help="fetch full history instead of depth 1")
    _add_common(fetch)

    index = commands.add_parser(
        "index",
        help="parse every Go file of the fetched trees into the SQLite index",
        description="Parse every Go file of each fetched repository (vendor/ and staging/ "
        "included) with tree-sitter and store the facts, keyed by git blob SHA, in the index. "
        "Unchanged blobs are never parsed twice. The previous index stays usable until the new "
        "one is complete.",
    )
    index.add_argument("repos", nargs="*", metavar="REPO",
                       help="kubernetes and/or etcd (default: every fetched repository)")
    index.add_argument("--tests", action="store_true", help="also parse _test.go files")
    index.add_argument("-j", "--jobs", type=int, default=None,
                       help="parser processes (default: one per core)")
    index.add_argument("--goroot", metavar="PATH",
                       help="Go installation whose standard library calls resolve into "
                       "(default: `go env GOROOT` when go is installed)")
    index.add_argument("--no-goroot", action="store_true",
                       help="do not index the standard library; calls into it stay unresolved")
    index.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_common(index)

    path = commands.add_parser(
        "path",
        help="print a shortest call path between two symbols",
        description="Find a shortest chain of call edges from one symbol to another in the "
        "index. Symbols are go/ssa names, e.g. '(*k8s.io/kubernetes/pkg/scheduler.Scheduler)"
        ".scheduleOne'; an unambiguous ending such as 'kube-scheduler.main' is enough.",
    )
    path.add_argument("start", metavar="FROM")
    path.add_argument("goal", metavar="TO")
    path.add_argument("--through", action="append", default=[], metavar="SYMBOL",
                      help="a symbol the path must pass through (repeatable, in order)")
    path.add_argument("--repo", default="kubernetes", choices=REPOS,
                      help="which indexed repository (default: kubernetes)")
    path.add_argument("--kinds", help="comma-separated edge kinds to follow "
                      f"(default: all but unresolved; kinds: {', '.join(graph.EDGE_KINDS)})")
    path.add_argument("--json", action="store_true", help="print the edges as JSON")
    _add_common(path)
    return parser


def _workspace(args: argparse.Namespace) -> Workspace:
    return Workspace(args.home or default_home())


def _repo_names(args: argparse.Namespace, default: list[str]) -> list[str]:
    unknown = [name for name in args.repos if name not in REPOS]
    if unknown:
        raise UsageError(f"unknown repository {unknown[0]!r}: choose from {', '.join(REPOS)}")
    return args.repos or default


def cmd_fetch(args: argparse.Namespace) -> int:
    names = _repo_names(args, list(REPOS))
    if (args.source or args.ref or args.url) and len(names) != 1:
        raise UsageError("--from, --ref and --url apply to one repository: name it, "
                         "e.g. `kubeatlas fetch etcd --ref v3.5.1`")
    progress = Progress(quiet=args.quiet)
    ws = _workspace(args)
    for name in names:
        checkout = sources.fetch(ws, name, source=args.source, ref=args.ref, url=args.url,
                                 depth=0 if args.full else 1, progress=progress)
        print(f"{name}\t{checkout.ref}\t{checkout.commit}\t{checkout.remote_url}")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from analyzer import indexer

    ws = _workspace(args)
    checkouts = sources.load_checkouts(ws)
    names = _repo_names(args, sorted(checkouts))
    if not names:
        raise UsageError("nothing fetched yet: run `kubeatlas fetch` first")
    progress = Progress(quiet=args.quiet)
    goroot = None if args.no_goroot else stdlib.find_goroot(args.goroot)
    summaries = []
    for name in names:
        if name not in checkouts:
            raise UsageError(f"{name} has not been fetched: run `kubeatlas fetch {name}` first")
        summaries.append(indexer.index_checkout(
            ws.index_path, checkouts[name], include_tests=args.tests, jobs=args.jobs,
            progress=progress, goroot=goroot))
    if args.json:
        json.dump([s.as_dict() for s in summaries], sys.stdout, indent=2)
        print()
    else:
        for summary in summaries:
            print(summary.render())
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    from analyzer import query, store

    kinds = frozenset(k.strip() for k in args.kinds.split(",")) if args.kinds else None
    unknown = sorted((kinds or set()) - set(graph.EDGE_KINDS))
    if unknown:
        raise UsageError(f"unknown edge kind {unknown[0]!r}: choose from {', '.join(graph.EDGE_KINDS)}")
    db = store.connect(_workspace(args).index_path)
    call_graph = query.CallGraph.load(db, args.repo)
    points = [call_graph.find(name) for name in (args.start, *args.through, args.goal)]
    chain = query.path_through(call_graph, points, kinds)
    start = points[0]
    if args.json:
        json.dump([dataclasses.asdict(edge) for edge in chain], sys.stdout, indent=2)
        print()
    else:
        print(query.render_path(chain, start))
    return 0


COMMANDS = {"fetch": cmd_fetch, "index": cmd_index, "path": cmd_path}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AnalyzerError as err:
        print(f"kubeatlas: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("kubeatlas: interrupted; the previous index is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
