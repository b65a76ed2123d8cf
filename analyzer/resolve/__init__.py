"""The `resolve` stage: the facts of every file of a commit → symbols, call edges, the
implementations of the interfaces called, and each command's own program.

    program     whole-program tables: packages, functions, types, what a name means in a file
    infer       local names and expression types inside one file, without a type checker
    methodsets  method sets and interface satisfaction by identical signatures
    flow        where function values go: places, flows between them, calls of them
    calls       one pass over each file's call sites, then the calls that wait for all files
    rta         each command's package closure and the types it creates (rapid type analysis)
"""
from __future__ import annotations

# Bump when the resolver's output changes: a commit indexed by another version is resolved again
# (its blobs' facts are reused).
RESOLVER_VERSION = 17

from collections.abc import Iterable  # noqa: E402

from analyzer.buildtags import COMMANDS, BuildContext  # noqa: E402
from analyzer.facts import FileFacts  # noqa: E402
from analyzer.resolve.calls import Resolution, Resolver  # noqa: E402
from analyzer.resolve.program import Program  # noqa: E402
from analyzer.resolve.rta import analyse  # noqa: E402


def resolve(files: Iterable[tuple[object, FileFacts]],
            library: Iterable[tuple[object, FileFacts]] = (),
            commands: Iterable[tuple[str, str]] = (), build: BuildContext = COMMANDS) -> Resolution:
    """Resolve `files` (store.FileRecord, facts) pairs; `library` (the standard library) only
    answers lookups and lends its types to method sets. `commands` are (component, main package)
    pairs: the first main package of each component that `files` have gets its program (`rta`).
    `build` decides which of a package's files count when names clash, which types are of another
    platform, and what each command links."""
    files = list(files)
    program = Program.build([*files, *library], build)
    resolver = Resolver(program)
    own = {record.path for record, _ in files}
    try:
        for package in program.packages.values():
            for context in package.files:
                if context.path in own:
                    resolver.resolve_file(context)
        resolution = resolver.finish()
        for name, main_package in commands:
            done = {p.name for p in resolution.programs}
            if name not in done and main_package in program.packages:
                resolution.programs.append(analyse(
                    program, name, main_package, resolution.edges, resolution.implements,
                    resolution.created, build))
        return resolution
    finally:
        program.file_scopes.clear()  # scopes point back at the program: no cycle is left behind
