"""The `resolve` stage: the facts of every file of a commit → symbols, call edges, the
implementations of the interfaces called, and each command's own program.

    program     whole-program tables: packages, functions, types, what a name means in a file
    infer       local names and expression types inside one file, without a type checker
    methodsets  method sets and interface satisfaction by identical signatures
    flow        where function values go: places, flows between them, calls of them
    calls       one pass over each file's call sites, then the calls that wait for all files
    shares      the files' call sites in several processes, and the implementations and the
                command programs beside the graph's storing
    rta         each command's package closure and the types it creates (rapid type analysis)
"""
from __future__ import annotations

# Bump when the resolver's output changes: a commit indexed by another version is resolved again
# (its blobs' facts are reused).
# 30: a local declared with a func type written out is bound to its value (var f func() = New)
# 31: a call site `T[int](x)` of a generic type is a conversion (it creates a T), not a call
# function values followed through *p = f, ch <- f, append(fs, f) and containers passed along
# 32: a function passed or stored twice at one call or literal gets one edge, not one per time
# 33: element flows stop at MAX_ELEMENT_NESTING; a value call's arguments reach the functions its
# edges name; `ext.Set[string](nil)` of a package not indexed is unresolved by its name
RESOLVER_VERSION = 33

from collections.abc import Callable, Iterable  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from analyzer.buildtags import BuildContext
    from analyzer.facts import FileFacts
    from analyzer.resolve.calls import Found, Resolution
    from analyzer.resolve.program import Program
    from analyzer.resolve.rta import CommandProgram


def resolve(files: Iterable[tuple[object, FileFacts]],
            library: Iterable[tuple[object, FileFacts]] = (),
            commands: Iterable[tuple[str, str]] = (), build: BuildContext | None = None,
            progress: Callable[[str, int | None, int, str], None] | None = None,
            processes: int = 1,
            partial: Callable[[Resolution, bool], None] | None = None,
            before_programs: Callable[[Resolution], None] | None = None) -> Resolution:
    """Resolve `files` (store.FileRecord, facts) pairs; `library` (the standard library) only
    answers lookups and lends its types to method sets. `commands` are (component, main package)
    pairs: the first main package of each component that `files` have gets its program (`rta`).
    `build` decides which of a package's files count when names clash, which types are of another
    platform, and what each command links. `progress(stage, done, total, unit)` hears of each
    stage (done None) and of each file and command done. Call sites are resolved by
    `processes` processes (`shares`). `partial(resolution, edges_known)`, when given, hears of the
    resolution as it stands, with every symbol and the edges so far, which stay as they are (later
    edges are only appended), so that the caller may store them meanwhile: once while other
    processes still resolve call sites (`edges_known` False), and once every edge is known (True):
    with several processes, while another one finds the implementations, which the resolution
    holds only afterwards; before the command programs are worked out in any case.
    `before_programs(resolution)`, when given, hears of the resolution once it holds everything
    but the command programs (the implementations, annotations and signatures too): with several
    processes, while another one works the programs out; with one, once they are worked out."""
    # Imported here, not above: the index's readers need RESOLVER_VERSION, never the resolver,
    # and a query process should start without loading it.
    from analyzer.buildtags import COMMANDS
    from analyzer.resolve.calls import Resolver
    from analyzer.resolve.program import Program
    from analyzer.resolve.shares import Beside, resolve_files

    build = build or COMMANDS
    report = progress or (lambda stage, done, total, unit: None)
    report("reading facts", None, 0, "")
    files = list(files)
    report("package tables", None, 0, "")
    program = Program.build([*files, *library], build)
    resolver = Resolver(program)
    own = {record.path for record, _ in files}
    try:
        contexts = [context for package in program.packages.values() for context in package.files
                    if context.path in own]

        def between() -> None:
            # The symbols are made while the forked processes resolve their shares, not before
            # they are forked; they need none of them.
            resolver.declare(contexts)
            if partial:
                partial(resolver.out, False)

        resolve_files(resolver, contexts, processes,
                      lambda done: report("call sites", done, len(contexts), "files"), between)
        report("calls through interfaces and function values", None, 0, "")

        def stored() -> None:
            if partial:
                partial(resolver.out, True)

        commands = list(commands)
        if processes > 1:
            # Once every edge is known, a forked process finds the implementations while this
            # one hands the edges over (the indexer stores them), then works out the command
            # programs while this one hands over what it found: one core idled in each.
            with ExitStack() as stack:
                children: list[Beside] = []

                def elsewhere(find: Callable[[], Found]) -> Found:
                    def found_then_programs():
                        found = find()
                        yield found
                        yield _programs(program, resolver.take(found), commands, build)
                    children.append(stack.enter_context(Beside(found_then_programs)))
                    stored()
                    return children[0].received()

                resolution = resolver.finish(elsewhere)
                if before_programs:
                    before_programs(resolution)
                report("command programs", 0, len(commands), "commands")
                resolution.programs.extend(children[0].received())
        else:
            resolution = resolver.finish()
            stored()
            # The programs first: meanwhile the writer's thread makes the symbols' and edges'
            # indexes, which `before_programs` (storing what was found) waits for.
            programs = _programs(program, resolution, commands, build, report)
            if before_programs:
                before_programs(resolution)
            resolution.programs.extend(programs)
        report("command programs", len(commands), len(commands), "commands")  # a log shows the end
        return resolution
    finally:
        program.file_scopes.clear()  # scopes point back at the program: no cycle is left behind


def _programs(program: Program, resolution: Resolution, commands: list[tuple[str, str]],
              build: BuildContext, report=None) -> list[CommandProgram]:
    """The program of the first main package of each component that the commit has."""
    from analyzer.resolve.rta import CallTables, analyse

    programs: list[CommandProgram] = []
    tables = None
    for step, (name, main_package) in enumerate(commands):
        if report:
            report("command programs", step, len(commands), "commands")
        if name not in {p.name for p in programs} and main_package in program.packages:
            if tables is None:
                tables = CallTables.build(resolution.edges, resolution.implements)
            programs.append(analyse(program, name, main_package, tables, resolution.created,
                                    build))
    return programs
