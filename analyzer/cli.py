"""The `kubeatlas` command: one parser, one place that maps errors to exit codes.

`main(argv) -> int` never lets a user mistake escape as a traceback: every `AnalyzerError` becomes
one line on stderr and its exit code. Results go to stdout; progress and warnings to stderr.
"""
from __future__ import annotations

import sys

# A Ctrl-C while the command starts (these imports take half a second on a busy machine) would
# end in a traceback, and Python would then kill itself with SIGINT: it ends as one later does.
try:
    import analyzer  # see there: a Ctrl-C while Python loaded this file ends here, as any other
    analyzer.let_interrupts_go()

    import argparse
    import errno
    import importlib
    import math
    import os
    import re
    import signal
    import sqlite3
    import threading
    from pathlib import Path

    from analyzer import graph, query, render, store
    from analyzer.errors import (AnalyzerError, DamagedIndex, IndexError_, OutdatedIndex,
                                 UnknownName, UsageError, nearest, one_line)
    from analyzer.progress import Progress
    from analyzer.workspace import (REPOS, Workspace, check_folder, check_home, default_home,
                                    forget_callers_repository, held_by, index_writer_lock)
except KeyboardInterrupt:
    print("kubeatlas: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

# Modules only `fetch` and `index` need (GitPython, the parser, the resolver, build tags) are
# imported in those commands, and json, dataclasses, subprocess and shutil where a command uses them: a query
# process starts without them (a cold query is mostly Python starting and importing).



class Formatter(argparse.HelpFormatter):
    """argparse's help, its prose filled to the terminal as usual, but each example command (a
    line that starts `  kubeatlas `) kept whole on its line, so that it can be copied."""

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line if line.startswith("  kubeatlas ")
                         else super(Formatter, self)._fill_text(line, width, indent)
                         for line in text.splitlines())


def examples(*commands: str) -> str:
    """A --help epilog: the commands, each on its line."""
    return "examples:\n" + "\n".join(f"  kubeatlas {command}" for command in commands)


def answer(command: str) -> str:
    """The --help section saying what `command` prints, before its examples: a newcomer reads
    what to expect before running it."""
    return f"output:\n  {ANSWERS[command]}\n\n"


_CALL_LINE = ("`├─ [KIND] {who}  FILE:LINE`, FILE:LINE being the call site and KIND how the call "
              "was resolved: static, method, interface (each likely implementation follows on an "
              "[implementation] line), funcvalue, closure, signature, go/… or defer/…. A symbol "
              "already expanded is marked (expanded above).")
_WALK_JSON = ("-f json prints {root, direction, depth, nodes, edges, ...}, each edge {caller, "
              "callee, kind, path, line, col, confidence, via}; -f dot and -f mermaid a graph to "
              "draw.")
ANSWERS = {
    "fetch": "One line per repository, its fields separated by tabs: name, ref, commit SHA, and "
             "the remote URL its permalinks use.",
    "index": "A summary per repository: files parsed, packages, functions, symbols, call edges "
             "by kind, implementations, programs, and the files left out and why. --json prints "
             "a list of objects with the same counts.",
    "callees": "The symbol, then one line per call, indented by level: "
               + _CALL_LINE.format(who="CALLEE") + " " + _WALK_JSON,
    "callers": "The symbol, then one line per call of it, indented by level: "
               + _CALL_LINE.format(who="CALLER") + " " + _WALK_JSON,
    "path": "For each path, a summary (its calls, the confidence of the whole path, its weakest "
            "link), then FROM and one line per call: `→ CALLEE  [KIND CONFIDENCE, how it was "
            "found]  FILE:LINE`. FROM and TO the same symbol asks how it is called again from "
            "itself (recursion). -f json prints a list of paths, each a list of edges {caller, "
            "callee, kind, path, line, col, confidence, via}. No path: an error, exit status 1 "
            "(-f json prints the empty list first).",
    "find": "One name a line, the best matches first (names it ends, then the shortest), at most "
            "--limit; --json prints them as a list. When nothing matches it prints nothing and "
            "exits 1, as grep does.",
    "show": "Its kind, package, signature, where it is defined with a source permalink, how many "
            "call edges go out and come in, notes (goroutines started, idioms), then its doc "
            "comment. A function declared once per platform is shown where the commit's build "
            "compiles it, each other declaration on an `also` line with its build constraint and "
            "its own calls. --json prints the same as an object (also_declared).",
    "component": "One callees tree per entrypoint, as `kubeatlas callees` prints it; -f json, dot "
                 "or mermaid one graph of them all.",
    "site": "A summary of the pages and diagrams written and the evidence found, and a warning "
            "for what is left out; progress on stderr.",
    "check": "A table per component and analysed commit, each entrypoint, key file and evidence "
             "symbol found, moved (and where) or MISSING; then each @mirrors link, ok or missing. "
             "--json prints {manifest, reference_links}.",
    "journeys": "One line per journey: its steps, and whether every Go name resolves; then a "
                "line per step whose Go name does not.",
}


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, as every other error is reported,
    instead of the whole usage block before it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        # `--dep 3` for --depth would stop working, or mean another option, the day an option
        # sharing its first letters is added: an option is spelled whole.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str, help_of: str | None = None):
        # argparse quotes a bad value whole: a pasted screenful would fill the terminal.
        message = cut_pasted(message, 120)
        self.exit(2, f"{self.prog}: error: {message} (see `{help_of or self.prog} --help`)\n")

    def parse_args(self, args=None, namespace=None):
        # The subcommand leaves an option it does not know to this parser, whose --help lists
        # only the commands: point at the help that lists the options.
        parsed, unrecognized = self.parse_known_args(args, namespace)
        if unrecognized and hasattr(parsed, "repos") and not any(
                word.startswith("-") for word in unrecognized):
            # argparse reads a list of positionals in one run: `index kubernetes --tests etcd`
            # left etcd over, where a shell user names both.
            parsed.repos += unrecognized
            unrecognized = []
        if unrecognized:
            # An option left over is the mistake to name (`index kubernetes --tests etcd
            # --bogus` leaves etcd too, which is only a repository argparse did not take).
            word = next((w for w in unrecognized if w.startswith("-")), unrecognized[0])
            options = _options_of(_subcommand(self, parsed.command))
            if word.split("=", 1)[0] in options:  # one the command takes, so it followed `--`
                hint = f"; {word} follows `--`, after which every word is a name: give it before"
            elif not word.startswith("-"):
                hint = _one_too_many(_subcommand(self, parsed.command))
            else:
                near = _near_option(word, options)
                hint = (f"; did you mean {near}?" if near else
                        _taken_elsewhere(word.split("=", 1)[0], parsed))
            self.error(f"unrecognized arguments: {' '.join(unrecognized)}{hint}",
                       f"{self.prog} {parsed.command}")
        return parsed

    def _parse_optional(self, arg_string):
        # `find -scheduler` (names in kube-scheduler's package) was "required: PATTERN": a word
        # of one dash that is no option of a command taking a symbol is a name, as if after `--`.
        # An option keeps its attached value (`-d2`); a flag cannot take one (`-handler` is not -h).
        found = super()._parse_optional(arg_string)
        if not found or arg_string.startswith("--") or not self._takes_symbols():
            return found
        # (action, option string, [separator,] attached value): 3.12.7 and 3.13.1 added the
        # separator and return a list of such tuples, earlier versions one tuple.
        action, *_, attached = found[0] if isinstance(found, list) else found
        return None if action is None or (attached is not None and action.nargs == 0) else found

    def _takes_symbols(self) -> bool:
        return any(action.type is symbol_name for action in self._actions)

    def _check_value(self, action, value):
        # argparse lists the choices; a typo is easier to mend when the near one is named.
        near = nearest(value, action.choices) if action.choices and value not in action.choices else None
        if near:
            choices = ", ".join(map(repr, action.choices))
            raise argparse.ArgumentError(action, f"invalid choice: {value!r}: did you mean {near!r}? "
                                         f"(choose from {choices})")
        super()._check_value(action, value)


def cut_pasted(message: str, longest: int = 1000) -> str:
    """`message` with each word longer than `longest` cut to its start, as `quote_name` cuts a
    name: a value pasted by the screenful (a --commit, a path, a component) would fill the
    terminal. A value in an argparse error is cut past 120 characters; an error line's words
    may be paths kubeatlas made, so only past any a user would have. Control characters are
    escaped (`one_line`)."""
    # A word ends at a colon too, so that `PATH: reason` keeps its colon when PATH is cut.
    message = re.sub(rf"'?([^\s':]{{{longest + 1},}})'?", lambda word: query.quote_name(word[1]),
                     message)
    return one_line(message)


# Walks choose their output with `-f FORMAT`, the other commands print JSON with `--json`:
# either spelling given to a command that takes the other is pointed at it.
OUTPUT_SPELLINGS = {"--json": ("-f", "-f json"), "-f": ("--json", "--json"),
                    "--format": ("--json", "--json")}


def _one_too_many(command: argparse.ArgumentParser) -> str:
    """Why a word is left over when a command takes no more (`find Start Etcd`, a name with a
    blank unquoted; `component etcd kubelet`): what the command takes, and how to ask for two."""
    takes = [action.metavar or action.dest for action in command._actions
             if not action.option_strings and action.nargs is None]
    if not takes:
        return f"; {command.prog} takes no name"
    if any(action.type is symbol_name for action in command._actions if not action.option_strings):
        return f"; {command.prog} takes {' and '.join(takes)} alone: quote a name with a blank in it"
    return f"; {command.prog} takes one {takes[0]}: run it once for each"


def _taken_elsewhere(option: str, parsed: argparse.Namespace) -> str:
    """Why an option another command takes is refused by this one: `find -d 2` (find follows no
    call), `callees -n 3`, `index --repo etcd` (index names repositories as words, as fetch
    does, where queries take --repo)."""
    if option == "--repo" and hasattr(parsed, "repos"):
        return (f"; {parsed.command} names repositories as words, not with --repo: "
                f"`kubeatlas {parsed.command} etcd`")
    if not option.startswith("--") and len(option) > 2:
        option = option[:2]  # `-d2`: a short option with its value attached
    commands = _subcommands(build_parser()).choices
    takers = [name for name, command in commands.items()
              if name != parsed.command and option in _options_of(command)]
    if not takers:
        return ""
    listed = ", ".join(takers[:-1]) + (" and " if len(takers) > 1 else "") + takers[-1]
    return f"; {parsed.command} takes no {option}: it is an option of {listed}"


def _near_option(word: str, options: list[str]) -> str | None:
    """The option a mistyped or misplaced `word` likely meant, among a command's `options`."""
    if not word.startswith("-"):
        return None
    name = word.split("=", 1)[0]
    other = OUTPUT_SPELLINGS.get(name)
    if other and other[0] in options:
        return other[1]
    # Compared without their dashes, which every option shares: `--bogus` is not near `--tags`.
    bare = {option.lstrip("-"): option for option in options}
    return bare.get(nearest(name.lstrip("-"), bare))


class Once(argparse.Action):
    """An option that names one thing. argparse keeps the last of two silently, and a user who
    wrote `--repo etcd --repo kubernetes` (as `site` takes it) expects both: a second, different
    value is refused, `why` saying what to do. The same value twice (an alias and a script
    agreeing) is fine."""

    def __init__(self, *args, why: str = "it takes one: give it once", **kwargs):
        super().__init__(*args, **kwargs)
        self.why = why

    def __call__(self, parser, namespace, values, option_string=None):
        # Given before on this command line, not a default (--out has one).
        given = namespace.__dict__.setdefault("_given_once", {})
        earlier = given.get(self.dest, values)
        if earlier != values:
            shown = [str(value) if isinstance(value, Path) else value for value in (earlier, values)]
            raise argparse.ArgumentError(self, f"given twice, {shown[0]!r} and {shown[1]!r}: "
                                         f"{self.why}")
        given[self.dest] = values
        setattr(namespace, self.dest, values)


QUERY_ONCE = "a query reads one repository at one commit; run it once for each"


def positive_int(text: str) -> int:
    """argparse type for counts and depths: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"takes a whole number of at least 1, not {text!r}")
    return value


def kubelet_count(text: str) -> int:
    """argparse type for `cluster up --kubelets`: each kubelet has a loopback /24 of its own."""
    from reference_impl.cluster import MAX_KUBELETS

    value = positive_int(text)
    if value > MAX_KUBELETS:
        raise argparse.ArgumentTypeError(f"takes at most {MAX_KUBELETS}, not {value}: kubelet N "
                                         "runs its pods on 127.0.N.0/24")
    return value


def positive_seconds(text: str) -> float:
    """argparse type for a duration: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"takes a number of seconds above 0, not {text!r}")
    return value


def given(text: str) -> str:
    """argparse type for an option with a default: given empty (an unset shell variable), it
    would silently mean the default."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: leave the option out for its default")
    return text


def given_path(text: str) -> Path:
    """argparse type for a path: given as `--opt=~/x`, the shell leaves the `~` to us."""
    return Path(given(text)).expanduser()


def symbol_name(text: str) -> str:
    """argparse type for a symbol or a pattern: pasted with a stray space or newline it is still
    found; an empty one asks for nothing."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: give a name or part of one, e.g. scheduleOne")
    return utf8_text(text).strip()


def utf8_text(text: str) -> str:
    """argparse type for a word kubeatlas stores or looks up in the index (a name, a URL, a ref),
    which holds UTF-8 text: Python hands other bytes over as lone surrogates (U+DCFF for 0xFF),
    which SQLite refuses. UTF-8 read in a locale that is not (LC_ALL=C with PYTHONUTF8=0) comes
    as such surrogates too: its bytes are the word."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        try:
            return os.fsencode(text).decode("utf-8")
        except (UnicodeError, ValueError):
            pass
        byte = ord(text[err.start]) - 0xDC00
        raise argparse.ArgumentTypeError(f"is not UTF-8 (byte 0x{byte:02X} at {err.start}): "
                                         "check the terminal's encoding") from None
    return text


def git_ref(text: str) -> str:
    """argparse type for --ref: pasted with a blank or a newline around it (`--ref ' v3.5.1'`,
    a variable read from a file), it is still the ref; no git ref begins or ends with one."""
    return utf8_text(text).strip()


def component_names(text: str) -> str:
    """argparse type for a comma-separated subset: one naming nothing (an unset shell variable)
    would silently mean all of them."""
    if not any(name.strip() for name in text.split(",")):
        raise argparse.ArgumentTypeError("names no component: give a comma-separated subset such "
                                         "as etcd,apiserver, or leave it out for all")
    return text


def edge_kinds(text: str) -> frozenset[str]:
    """argparse type for --kinds: checked when the command line is read, so that a typo is
    named before the index is opened. A trailing comma (a list built in a shell loop) names
    no extra kind."""
    kinds = frozenset(kind.strip() for kind in text.split(",")) - {""}
    if not kinds:
        raise argparse.ArgumentTypeError(f"names no edge kind: choose from {', '.join(graph.EDGE_KINDS)}")
    unknown = sorted(kinds - set(graph.EDGE_KINDS))
    if unknown:
        raise argparse.ArgumentTypeError(str(UnknownName("edge kind", unknown[0], graph.EDGE_KINDS)))
    return kinds


def confidence(text: str) -> float:
    """argparse type for --min-confidence: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"takes a number from 0 to 1, not {text!r}")
    return value


def folder(text: str) -> Path:
    """argparse type for a folder option: an empty one would silently mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: name a folder")
    return Path(text).expanduser()  # `--out=~/docs`: the shell expands no `~` after `=`


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=folder, default=None, action=Once,
        why="one home holds the clones and the index; run the command once for each",
        help="working folder for clones and the index (default: $KUBEATLAS_HOME or ~/.cache/kubeatlas)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of `command` alone: a query process builds the one it
    runs (argparse takes milliseconds per subcommand, a cold query only tens in all)."""
    parser = Parser(
        prog="kubeatlas",
        description="Map the Kubernetes and etcd source trees: fetch them, index every Go file, "
        "and query the result.",
        epilog="Options follow the command; `kubeatlas COMMAND --help` lists them.\n"
        + examples("fetch", "index", "callers 'scheduler.(*Scheduler).scheduleOne'"),
    )
    if command is None:  # `kubeatlas --version` names no command; a query need not look it up
        import importlib.metadata
        parser.add_argument("-V", "--version", action="version",
                            version=f"%(prog)s {importlib.metadata.version('kubeatlas')}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in SUBCOMMANDS.items():
        if command is None or command == name:
            add(commands)
    return parser


def _add_fetch(commands) -> None:
    fetch = commands.add_parser(
        "fetch",
        help="clone or update kubernetes and etcd at pinned refs",
        description="Bring each repository to the local cache at a ref, and record its commit and "
        "remote URL for permalinks. Without options, the upstream release tags pinned in "
        "analyzer/pins.toml are shallow-cloned. A local path (a work tree, a bare repository or a "
        "mirror) is read in place, never copied.",
        epilog=answer("fetch") + examples("fetch", "fetch etcd --ref v3.5.9",
                        "fetch kubernetes --from ~/src/kubernetes "
                        "--url https://github.com/kubernetes/kubernetes"),
    )
    fetch.add_argument("repos", nargs="*", metavar="REPO",
                       help="kubernetes and/or etcd (default: both)")
    fetch.add_argument("--from", dest="source", action=Once,
                       why="a repository is fetched from one place", metavar="URL|PATH",
                       help="where to fetch from: a git URL, or a local repository or mirror")
    fetch.add_argument("--ref", type=git_ref, action=Once,
                       why="a fetch brings one ref; run it once for each",
                       help="tag, branch or commit to fetch (default: the pinned tag)")
    fetch.add_argument("--url", type=utf8_text, action=Once,
                       why="permalinks link to one address",
                       help="remote URL to record for permalinks (default: the source's own)")
    fetch.add_argument("--full", action="store_true", help="fetch full history instead of depth 1")
    _add_common(fetch)


def _add_index(commands) -> None:
    index = commands.add_parser(
        "index",
        help="parse every Go file of the fetched trees into the SQLite index",
        description="Parse every Go file of each fetched repository (vendor/ and staging/ "
        "included) with tree-sitter and store the facts, keyed by git blob SHA, in the index. "
        "Unchanged blobs are never parsed twice. The previous index stays usable until the new "
        "one is complete.",
        epilog=answer("index") + examples("index", "index kubernetes --goos windows --tags providerless"),
    )
    index.add_argument("repos", nargs="*", metavar="REPO",
                       help="kubernetes and/or etcd (default: every fetched repository)")
    index.add_argument("--tests", action="store_true", help="also parse _test.go files")
    index.add_argument("-j", "--jobs", type=positive_int, default=None,
                       help="parser processes, at most one per core (default: one per core)")
    index.add_argument("--goroot", metavar="PATH", type=given_path, action=Once,
                       help="Go installation whose standard library calls resolve into "
                       "(default: `go env GOROOT` when go is installed)")
    index.add_argument("--no-goroot", action="store_true",
                       help="do not index the standard library; calls into it stay unresolved")
    index.add_argument("--goos", default="linux", help="the GOOS commands are built for: which "
                       "files count and what each command links (default: linux)")
    index.add_argument("--goarch", default="amd64", help="the GOARCH likewise (default: amd64)")
    index.add_argument("--tags", default="", metavar="TAG,TAG",
                       help="build tags, as `go build -tags` takes them (default: none)")
    index.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_common(index)


def _add_site(commands) -> None:
    site = commands.add_parser(
        "site", help="generate the documentation site's pages from the index",
        description="Write the generated pages (components/, versions/, drift.md, "
        "assets/generated/) into the docs folder; `mkdocs build` then makes the HTML. Diagrams "
        "are drawn with Graphviz (`dot`).",
        epilog=answer("site") + examples("site --out site", "site --out site --repo etcd"))
    site.add_argument("--out", type=folder, default=Path("site"), metavar="DIR", action=Once,
                      why="a build writes one docs folder; run it once for each",
                      help="docs folder to write into (default: site)")
    site.add_argument("--repo", action="append", default=[], choices=REPOS,
                      help="only the components of this repository (repeatable; default: all)")
    site.add_argument("--git-dir", action="append", default=[], metavar="DIR", type=given,
                      help="another clone holding analysed commits, for their source excerpts and "
                      "release names (repeatable; the clones `fetch` recorded are always read)")
    _add_common(site)


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run", help="run a reference component (reference_impl/) as a process",
        description="Run one of the reference components; its own options follow its name, "
        "e.g. `kubeatlas run etcd --data-dir DIR --listen-client-urls http://127.0.0.1:2379`.",
        epilog=examples("run etcd --data-dir /tmp/etcd --listen-client-urls http://127.0.0.1:2379",
                        "run scheduler --help"))
    from reference_impl.machinery.process import COMPONENT_MODULES
    run.add_argument("component", choices=sorted(COMPONENT_MODULES), help="the component to run")
    options = run.add_argument("options", nargs=argparse.REMAINDER, help="the component's own options")
    options.required = False  # argparse counts a REMAINDER positional as required, and would say so


def _add_cluster(commands) -> None:
    cluster = commands.add_parser(
        "cluster", help="run the reference components together as a local cluster",
        description="`up` starts etcd, the apiserver, the controller-manager, the scheduler, the "
        "kubelets and kube-proxy as processes and writes an admin kubeconfig; `status` reports "
        "each one (a crashed component is named, and the exit status is 1); `down` stops them.",
        epilog=examples("cluster up --only etcd,apiserver", "cluster status", "cluster down"))
    cluster.add_argument("action", choices=("up", "status", "down"),
                         help="up starts the cluster, status reports each component, down stops "
                         "them")
    cluster.add_argument("--dir", type=folder, default=None,
                         help="where data, certificates, logs and the kubeconfig live "
                         "(default: <home>/cluster)")
    cluster.add_argument("--kubelets", type=kubelet_count, default=3,
                         help="kubelets to start, at most 254 (default 3)")
    cluster.add_argument("--only", default=None, metavar="COMPONENTS", type=component_names,
                         help="comma-separated subset to start, e.g. etcd,apiserver")
    cluster.add_argument("--node-monitor-grace-period", type=positive_seconds, default=None,
                         metavar="SECONDS",
                         help="seconds before the controller-manager marks a silent node NotReady "
                         "(default 40)")
    cluster.add_argument("--upstream", default=None, metavar="COMPONENT=PATH,…", type=given,
                         help="run real binaries in place of reference components, e.g. "
                         "scheduler=PATH,controller-manager=PATH,kubelet=PATH,proxy=PATH "
                         "(kubelet and proxy: a kubemark binary)")
    cluster.add_argument("--etcd", default="reference", metavar="reference|PATH",
                         help="the reference etcd (default) or a real etcd binary")
    cluster.add_argument("--etcd-members", type=positive_int, default=1, metavar="N",
                         help="reference etcd members forming one Raft cluster; the apiserver "
                         "uses all of them (default 1)")
    _add_common(cluster)


def _add_journeys(commands) -> None:
    journeys = commands.add_parser(
        "journeys", help="check that every step of the site's request journeys resolves in the index",
        description="Each recorded journey (analyzer/journeys/*.json, written by "
        "benchmarks/record_journeys.py) names, for every step, the reference function that did it; "
        "its @mirrors names the Go function upstream. Lists every such Go name the newest "
        "kubernetes index does not define, and exits 1 if there is one.",
        epilog=answer("journeys") + examples("journeys",
                        "journeys --dir /tmp/j  # after benchmarks/record_journeys.py --out /tmp/j"))
    journeys.add_argument("--dir", type=folder, default=None, metavar="DIR",
                          help="read the journeys from DIR (default: the packaged ones)")
    _add_common(journeys)


def _add_check(commands) -> None:
    check = commands.add_parser(
        "check", help="check the component manifest against every indexed version",
        description="For every analysed commit, say whether each key file and evidence symbol "
        "of analyzer/components.toml is found, found at a new place (moved), or missing; and "
        "whether every Go symbol a reference implementation names with @mirrors exists in the "
        "newest index of its repository. Exits 1 when an entry or a link resolves nowhere.",
        epilog=answer("check") + examples("check", "check --json > drift.json"))
    check.add_argument("--manifest", type=given_path, help="another manifest file to check")
    check.add_argument("--json", action="store_true", help="print the rows as JSON")
    _add_common(check)


def _add_query_options(parser: argparse.ArgumentParser, walks: bool = True) -> None:
    """The options of every query; with `walks`, also those of a walk along call edges and
    its output formats (find and show follow no edge, so they take none)."""
    parser.add_argument("--repo", default=None, choices=REPOS, action=Once, why=QUERY_ONCE,
                        help="which indexed repository (default: kubernetes)")
    parser.add_argument("--commit", metavar="SHA|REF", type=given, action=Once, why=QUERY_ONCE,
                        help="which indexed commit (default: the newest index of the repository)")
    if walks:
        _add_walk_options(parser)
    _add_common(parser)


def _add_walk_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kinds", type=edge_kinds, action="append",
                        help="comma-separated edge kinds to follow (repeatable; default: all but "
                        f"unresolved; kinds: {', '.join(graph.EDGE_KINDS)})")
    parser.add_argument("--exclude", action="append", default=[], metavar="PATTERN", type=given,
                        help="leave out packages matching a glob (k8s.io/klog*) or a preset: "
                        "stdlib, logging, vendor (repeatable)")
    parser.add_argument("--min-confidence", type=confidence, default=0.0, metavar="X",
                        help="follow only edges at least this sure (0 to 1)")
    parser.add_argument("--program", metavar="NAME|all", type=given,
                        help="follow only calls into the packages this command links, ranking "
                        "interface calls by the types it creates (kube-scheduler, etcd, …); "
                        "default: the command whose main the query starts from, or the only one "
                        "that links it; else all")
    parser.add_argument("-f", "--format", default="text", choices=render.FORMATS,
                        help="text (default), json, dot or mermaid")


EXAMPLES = ("Symbols are go/ssa names, e.g. '(*k8s.io/kubernetes/pkg/scheduler.Scheduler)"
            ".scheduleOne'; an unambiguous ending such as 'scheduler.(*Scheduler).scheduleOne' "
            "or 'kube-scheduler.main' is enough, and so is a place in a file, "
            "'pkg/scheduler/schedule_one.go:66', for the function that holds it.")


TREE_EXAMPLES = {
    "callees": ("callees 'scheduler.(*Scheduler).scheduleOne' -d 2 --exclude logging",
                "callees kube-scheduler.main -d 3 -f dot | dot -Tsvg > callees.svg"),
    "callers": ("callers 'cache.(*sharedIndexInformer).AddEventHandler'",
                "callers embed.StartEtcd --repo etcd -d 2 -f json"),
}


def _add_tree(commands, direction: str) -> None:
    sub = commands.add_parser(direction, help=f"the {direction} of a symbol, as a tree",
                              description=f"Print the {direction} of SYMBOL, breadth first, "
                              f"to --depth levels. {EXAMPLES}",
                              epilog=answer(direction) + examples(*TREE_EXAMPLES[direction]))
    sub.add_argument("symbol", metavar="SYMBOL", type=symbol_name,
                     help="a go/ssa name, an unambiguous ending of one, or a place: file.go:LINE")
    sub.add_argument("-d", "--depth", type=positive_int, default=1, help="levels to expand (default 1)")
    _add_query_options(sub)


def _add_path(commands) -> None:
    path = commands.add_parser("path", help="shortest call paths between two symbols",
                               description="Find the shortest chains of call edges, the surest "
                               "first: the highest product of the edges' confidences. Each edge is "
                               f"printed with its kind and confidence. {EXAMPLES}",
                               epilog=answer("path") + examples(
                                   "path kube-scheduler.main 'scheduler.(*Scheduler).scheduleOne'",
                                   "path kube-scheduler.main 'scheduler.(*Scheduler).scheduleOne' "
                                   "-n 3 --min-confidence 0.5"))
    path.add_argument("start", metavar="FROM", type=symbol_name,
                      help="the symbol the paths start at: a go/ssa name, an unambiguous ending "
                      "of one, or a place: file.go:LINE")
    path.add_argument("goal", metavar="TO", type=symbol_name,
                      help="the symbol they end at, named as FROM")
    path.add_argument("--through", action="append", default=[], metavar="SYMBOL", type=symbol_name,
                      help="a symbol the path must pass through (repeatable, in order)")
    path.add_argument("-n", "--count", type=positive_int, default=1,
                      help="how many shortest paths to print, surest first (default 1)")
    _add_query_options(path)


def _add_find(commands) -> None:
    find = commands.add_parser("find", help="symbols whose name contains a pattern",
                               description="List symbols whose go/ssa name contains PATTERN.",
                               epilog=answer("find") + examples("find scheduleOne",
                                                                "find StartEtcd --repo etcd --json"))
    find.add_argument("pattern", metavar="PATTERN", type=symbol_name,
                      help="part of a name, matched without regard to case")
    find.add_argument("-n", "--limit", type=positive_int, default=20, help="at most this many (default 20)")
    find.add_argument("--json", action="store_true", help="print a JSON list")
    _add_query_options(find, walks=False)


def _add_show(commands) -> None:
    show = commands.add_parser("show", help="a symbol's signature, doc, source link and notes",
                               description=f"Describe one symbol. {EXAMPLES}",
                               epilog=answer("show") + examples("show 'scheduler.(*Scheduler).scheduleOne'",
                                               "show embed.StartEtcd --repo etcd --json"))
    show.add_argument("symbol", metavar="SYMBOL", type=symbol_name,
                      help="a go/ssa name, an unambiguous ending of one, or a place: file.go:LINE")
    show.add_argument("--json", action="store_true", help="print JSON")
    _add_query_options(show, walks=False)


def _add_component(commands) -> None:
    component = commands.add_parser(
        "component", help="a component's entrypoint call graph",
        description="The call tree from a component's entrypoints (analyzer/components.toml), "
        "leaving out the standard library and logging unless --exclude is given.",
        epilog=answer("component") + examples("component kube-scheduler", "component etcd -d 2 -f mermaid"))
    component.add_argument("name", metavar="NAME",
                           help="kube-apiserver, etcd, kube-controller-manager, kube-scheduler, "
                           "kubelet or kube-proxy")
    component.add_argument("-d", "--depth", type=positive_int, default=3, help="levels to expand (default 3)")
    _add_query_options(component)


# In the order `kubeatlas --help` lists them.
SUBCOMMANDS = {"fetch": _add_fetch, "index": _add_index,
               "callees": lambda commands: _add_tree(commands, "callees"),
               "callers": lambda commands: _add_tree(commands, "callers"),
               "path": _add_path, "find": _add_find, "show": _add_show,
               "component": _add_component, "site": _add_site, "run": _add_run,
               "cluster": _add_cluster, "check": _add_check, "journeys": _add_journeys}


def _filters(args: argparse.Namespace, default_exclude: tuple[str, ...] = (),
             index: query.GraphIndex | None = None, start: str | None = None) -> query.Filters:
    program = None
    if args.program and args.program != "all":
        program = index.view(args.program).name  # raises, naming the programs there are
    elif args.program is None and start is not None:
        program = index.program_of(start) or index.program_linking(start)
    for item in args.exclude:
        _warn_if_unmatched(item, index)
    kinds = frozenset().union(*args.kinds) if args.kinds else None
    return query.Filters(kinds, tuple(args.exclude) or default_exclude, args.min_confidence,
                         program)


def _warn_if_unmatched(exclude: str, index: query.GraphIndex) -> None:
    """An --exclude that covers no package leaves nothing out, which the answer cannot show."""
    if not index.unmatched_exclude(exclude):
        return
    near = query.near_pattern(exclude, index.packages())
    print(f"kubeatlas: warning: --exclude {query.quote_name(exclude)} matches no package of "
          f"{index.commit.repo} {index.commit.sha[:12]}"
          + (f"; did you mean {near!r}?" if near else ""), file=sys.stderr)


def _graph_index(args: argparse.Namespace) -> query.GraphIndex:
    index = _open_graph_index(args)
    _warn_if_indexed_by_an_older_kubeatlas(index)
    return index


def _warn_if_indexed_by_an_older_kubeatlas(index: query.GraphIndex) -> None:
    """A commit whose files an older parser read, or an older resolver resolved, is still
    answered from: only `index` makes it again, and a query would otherwise never say its calls
    may be ones this kubeatlas corrects."""
    older = [f"an older {stage} (version {made_by}, this one is {current})"
             for stage, made_by, current in zip(
                 ("parser", "resolver"), store.stage_versions(index.db, index.commit.id),
                 (store.PARSER_VERSION, store.RESOLVER_VERSION))
             if made_by < current]
    if older:
        print(f"kubeatlas: warning: {index.commit.repo} {index.commit.sha[:12]} was indexed by "
              f"{' and '.join(older)}: run `kubeatlas index {index.commit.repo}`", file=sys.stderr)


def _open_graph_index(args: argparse.Namespace) -> query.GraphIndex:
    ws = _workspace(args)
    repo = args.repo or "kubernetes"
    try:
        db = store.connect(ws.index_path)
        return query.GraphIndex.open(db, repo, args.commit)
    except (DamagedIndex, OutdatedIndex):
        raise
    except query.QueryError as err:
        if args.commit is not None:
            return _open_revision(db, ws, repo, args.commit, err)
        _raise_if_being_indexed(ws.index_path, repo, err)
        raise
    except IndexError_ as err:  # no index yet
        _raise_if_being_indexed(ws.index_path, repo, err)
        raise


def _raise_if_being_indexed(index_path: Path, repo: str, not_indexed: Exception) -> None:
    """Say so when `repo` is not indexed because a running `kubeatlas index` has not finished:
    the index it makes becomes visible only once complete."""
    writer = held_by(index_writer_lock(index_path))
    if writer is not None:
        raise IndexError_(str(index_path), f"{repo} is not indexed yet: `kubeatlas index` is "
                          f"indexing ({writer or 'just started'}); query once it has finished"
                          ) from not_indexed


def _open_revision(db, ws: Workspace, repo: str, rev: str, unknown: Exception) -> query.GraphIndex:
    """The index of the commit `rev` names in the repository `fetch` recorded, for a --commit no
    indexed SHA or fetched ref matches: HEAD (and HEAD~1, HEAD^2...) is the commit fetched, as
    a work tree's HEAD is the commit checked out; a branch or tag means what git says it means
    there. `unknown` is raised when git resolves nothing either."""
    from analyzer import sources

    checkout = sources.load_checkouts(ws).get(repo)
    if checkout is None or rev.startswith("-"):
        raise unknown
    revision = re.sub(r"^HEAD(?=$|[~^])", checkout.commit, rev)
    sha = _git_commit(checkout.git_dir, revision)
    shallow = (Path(checkout.git_dir) / "shallow").exists()
    if sha is None and shallow and re.search(r"[~^](\d|$|[~^])", rev):
        # A fetch takes one commit by default: its parents are not there to name.
        raise query.QueryError(f"--commit {rev} is older than the history {checkout.git_dir} "
                               f"holds (fetched shallow): fetch {repo} again with --full, "
                               "then index the commit") from None
    if sha is None:
        raise unknown
    try:
        return query.GraphIndex.open(db, repo, sha)
    except query.QueryError:
        if sha == checkout.commit:
            reason = f"the commit `fetch` recorded, {sha[:12]}, which is not indexed: run " \
                     f"`kubeatlas index {repo}`"
        else:
            reason = f"{sha[:12]} in {checkout.git_dir}, which is not indexed: run " \
                     f"`kubeatlas fetch {repo} --ref {sha}` and index it"
        raise query.QueryError(f"--commit {rev} is {reason}") from None


def _git_commit(git_dir: str, revision: str) -> str | None:
    """The commit `revision` names in `git_dir`, as git reads it; None if it names none."""
    import subprocess

    def rev_parse(rev: str) -> str | None:
        found = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "--verify", "--quiet",
                                rev], capture_output=True, text=True)
        return found.stdout.strip() if found.returncode == 0 else None

    # `:/fix` (the newest commit whose message matches) reads a suffix as more of its pattern:
    # `:/fix^{commit}` looks for that text. It names a commit alone, as nothing else does.
    if revision.startswith(":/"):
        return rev_parse(revision)
    return rev_parse(f"{revision}^{{commit}}")


def _workspace(args: argparse.Namespace) -> Workspace:
    home = (args.home or default_home()).expanduser()  # `--home=~/x` reaches us unexpanded
    check_home(home)
    return Workspace(home)


def _repo_names(args: argparse.Namespace, default: list[str]) -> list[str]:
    unknown = [name for name in args.repos if name not in REPOS]
    if unknown:
        raise UnknownName("repository", unknown[0], REPOS)
    return list(dict.fromkeys(args.repos)) or default  # `index etcd etcd` indexes etcd once


def cmd_fetch(args: argparse.Namespace) -> int:
    from analyzer import sources

    names = _repo_names(args, list(REPOS))
    for option, value in (("--from", args.source), ("--ref", args.ref), ("--url", args.url)):
        if value is not None and not value.strip():
            raise UsageError(f"{option} is empty: leave it out for the default")
    if args.url and not sources.is_url(args.url):
        raise UsageError(f"--url {args.url} is not a URL: permalinks link to it, so give the "
                         "repository's web address, e.g. https://github.com/etcd-io/etcd")
    flaw = args.url and _url_flaw(args.url)
    if flaw:
        shown = sources.without_credentials(args.url)  # a token in it is never printed
        raise UsageError(f"--url {shown!r} {flaw}: permalinks link to it, so give the "
                         "repository's web address, e.g. https://github.com/etcd-io/etcd")
    if (args.source or args.ref or args.url) and len(names) != 1:
        raise UsageError("--from, --ref and --url apply to one repository: name it, "
                         "e.g. `kubeatlas fetch etcd --ref v3.5.1`")
    if args.full and args.source and not sources.is_url(args.source):
        raise UsageError(f"--full fetches history into a clone, but {args.source} is a local "
                         "path, read in place with all the history it has: leave --full out")
    progress = Progress(quiet=args.quiet)
    ws = _workspace(args)
    fetched: list[str] = []
    for name in names:
        try:
            checkout = sources.fetch(ws, name, source=args.source, ref=args.ref, url=args.url,
                                     depth=0 if args.full else 1, progress=progress)
        except (KeyboardInterrupt, Terminated) as stop:
            stop.fetched = fetched  # for the line `main` prints
            stop.left = _left_by_fetch(ws, name, args.source)
            raise
        fetched.append(name)
        print(f"{name}\t{checkout.ref}\t{checkout.commit}\t{checkout.remote_url}")
    return 0


def _url_flaw(url: str) -> str | None:
    """What makes a URL that is one by its form useless as the base of every permalink: no host
    (`https://`, a variable left unset), a blank inside it (two words pasted as one), or a host
    that cannot be parsed (`https://[oops`)."""
    from urllib.parse import urlsplit

    if any(character.isspace() for character in url):
        return "has a blank in it"
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [ of an IPv6 host, say
        return "is not a URL"
    if "://" in url and parts.scheme.lower() != "file" and not parts.hostname:
        return "names no host"
    return None


def _left_by_fetch(ws: Workspace, name: str, source: str | None) -> str:
    """What a fetch of `name` stopped midway leaves: its record is written only once the fetch
    is complete, and a first clone is made aside and removed (sources._clone_or_update)."""
    from analyzer import sources

    recorded = ("its previous record unchanged" if name in sources.load_checkouts(ws)
                else "nothing recorded")
    if not sources.is_url(source or sources.load_pins()[name].url):
        return f"{name} not fetched, {recorded}"
    clone = ws.repos_dir / f"{name}.git"
    if clone.is_dir():
        return f"{name} not fetched, {recorded}; its clone {clone} keeps the commits it had"
    return f"{name} not fetched, {recorded}; the partial clone was removed"


def cmd_index(args: argparse.Namespace) -> int:
    from analyzer import buildtags, indexer, sources, stdlib

    if args.goroot and args.no_goroot:
        raise UsageError("--goroot and --no-goroot contradict each other: give one of them")
    build = buildtags.command_build(args.goos, args.goarch, args.tags)
    ws = _workspace(args)
    checkouts = sources.load_checkouts(ws)
    names = _repo_names(args, sorted(checkouts))
    if not names:
        raise UsageError("nothing fetched yet: run `kubeatlas fetch` first")
    progress = Progress(quiet=args.quiet)
    jobs = _parser_processes(args.jobs, progress)
    goroot = None if args.no_goroot else stdlib.find_goroot(args.goroot and str(args.goroot))
    # Said in the summary, where a standard library is expected: asked for, or not found.
    no_library = ("--no-goroot: calls into it stay unresolved" if args.no_goroot else
                  "no Go installation found: install Go or give --goroot; calls into it stay "
                  "unresolved")
    for name in names:  # all before any is indexed, which may take minutes each
        _check_fetched(name, checkouts, ws)
    summaries = []
    try:
        for name in names:
            summaries.append(indexer.index_checkout(
                ws.index_path, checkouts[name], include_tests=args.tests, jobs=jobs,
                progress=progress, goroot=goroot, build=build))
            summaries[-1].no_library = no_library
            for tag in summaries[-1].unnamed_tags:
                progress.warn(f"{name}: build tag {tag!r} is named by no build constraint of "
                              f"{checkouts[name].commit[:12]}: it changes no file")
            for go_mod, files in summaries[-1].nameless_modules.items():
                # Counted among the files "no go.mod covers", which reads as a go.mod missing.
                progress.warn(f"{name}: {go_mod} of {checkouts[name].commit[:12]} declares no "
                              f"module path (its `module` line is empty or missing), so its "
                              f"{files:,} Go files have no import path and none of their calls "
                              f"is resolved: give it one, e.g. `module "
                              f"{_MODULE_EXAMPLES[name]}`, commit, and fetch again")
            if not summaries[-1].go_files:
                # The summary's zeros read as a tree indexed; every query would then find nothing.
                source = checkouts[name].git_dir
                progress.warn(f"{name}: {checkouts[name].commit[:12]} in {source} has no Go "
                              f"file, so nothing was indexed: fetch {name} from its own "
                              f"repository, `kubeatlas fetch {name} --from PATH|URL`")
    except (KeyboardInterrupt, Terminated) as stop:
        # For the line `main` prints; `stored` names a repository stopped after its new index
        # had become the current one.
        stop.indexed = [summary.repo for summary in summaries] + (
            [stop.stored] if hasattr(stop, "stored") else [])
        stop.unchanged = names[len(stop.indexed):]
        raise
    if args.json:
        import json

        json.dump([s.as_dict() for s in summaries], sys.stdout, indent=2)
        print()
    else:
        for summary in summaries:
            print(summary.render())
    return 0


_MODULE_EXAMPLES = {"kubernetes": "k8s.io/kubernetes", "etcd": "go.etcd.io/etcd/v3"}


def _parser_processes(asked: int | None, progress: Progress) -> int:
    """`-j`, at most one parser per core this process may run on: parsing keeps each one busy,
    so more only add memory (a forked copy of the indexer each) and switching."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if asked is None:
        return cores
    if asked > cores:
        progress.warn(f"-j {asked}: {cores} parser processes, one per core this process may use")
        return cores
    return asked


def _check_fetched(name: str, checkouts: dict, ws: Workspace) -> None:
    """Refuse a repository `fetch` has not brought, or whose recorded commit is gone since."""
    from analyzer import gitobjects

    if name not in checkouts:
        raise UsageError(f"{name} has not been fetched: run `kubeatlas fetch {name}` first")
    git_dir, commit = checkouts[name].git_dir, checkouts[name].commit
    if not Path(git_dir).is_dir():
        if not Path(os.path.abspath(git_dir)).is_relative_to(os.path.abspath(ws.repos_dir)):
            # A local repository read in place, moved or deleted: a plain `fetch` would clone
            # the pinned upstream instead.
            raise UsageError(f"{name}: the local repository `fetch` read in place, {git_dir}, is "
                             f"gone: fetch it from where it is now, `kubeatlas fetch {name} "
                             f"--from PATH --ref {checkouts[name].ref} --url "
                             f"{checkouts[name].remote_url}`")
        raise UsageError(f"{name}: the repository `fetch` recorded, {git_dir}, is gone: run "
                         f"`kubeatlas fetch {name}` again")
    if not gitobjects.has_commit(git_dir, commit):
        raise UsageError(f"{name}: the commit `fetch` recorded, {commit[:12]}, is no longer in "
                         f"{git_dir} (its history rewritten, or pruned by git gc): run "
                         f"`kubeatlas fetch {name}` again")


def _note_if_a_vendored_copy(args: argparse.Namespace, index: query.GraphIndex,
                             symbol: str, path: str | None = None) -> None:
    """kubernetes vendors etcd's client and server: with both indexed, a bare etcd name is
    answered from kubernetes' copy, which may be another version than etcd's own. `path` is
    the symbol's file when the caller has it."""
    if args.repo is not None or args.commit is not None:
        return  # the user chose where to look
    path = index.path_of(symbol) if path is None else path
    if not path.startswith("vendor/"):
        return
    for repo, commit in store.latest_commits(index.db).items():
        own = query.GraphIndex(index.db, commit).path_of(symbol) if repo != index.commit.repo else ""
        if own and not own.startswith("vendor/"):  # another copy is no more the owner's
            print(f"kubeatlas: note: {symbol} is answered from the copy {index.commit.repo} vendors "
                  f"({path}); {repo}'s own is indexed too: add --repo {repo} for it",
                  file=sys.stderr)


def cmd_tree(args: argparse.Namespace) -> int:
    index = _graph_index(args)
    root = index.resolve(args.symbol)
    _note_if_a_vendored_copy(args, index, root)
    filters = _filters(args, index=index, start=root)
    tree = index.tree(root, args.command, args.depth, filters)
    if filters.program is None:
        index.mark_builds(tree)
    _print_answer(render.render_tree(tree, args.format), args.format)
    if not tree.edges:
        # A tree with no edge reads as a function that calls nothing (or that nothing calls).
        left_out_by = _left_out_by(filters, lambda f: not index.tree(root, args.command, 1, f).edges)
        if left_out_by:
            every = index.tree(root, args.command, 1).edges
            print(f"kubeatlas: warning: {left_out_by} left out all {len(every)} call edges "
                  f"{'from' if args.command == 'callees' else 'to'} {root}", file=sys.stderr)
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    index = _graph_index(args)
    points = [index.resolve(name) for name in (args.start, *args.through, args.goal)]
    filters = _filters(args, index=index, start=points[0])
    try:
        paths = index.path_through(points, filters, args.count)
    except query.NoPath as err:
        if args.format == "json":
            print("[]")  # as `find --json` does: a script reads the empty list and the status alike
        left_out_by = _left_out_by(filters, lambda f: not _has_path(index, points, f))
        if not left_out_by:
            raise
        raise query.NoPath(err.start, err.goal, f"{left_out_by} left out every one") from None
    _print_answer(render.render_paths(paths, points[0], args.format), args.format)
    return 0


def _print_answer(text: str, fmt: str) -> None:
    """Print a walk's answer; a Mermaid diagram Mermaid would refuse to draw is said to be one,
    where the page showed only 'Too many edges' or 'Maximum text size in diagram exceeded'."""
    print(text)
    overflow = render.mermaid_overflow(text) if fmt == "mermaid" else None
    if overflow:
        print(f"kubeatlas: warning: the diagram has {overflow}: narrow it with --depth, --kinds "
              "or --exclude, raise those options where it is drawn, or draw it with -f dot",
              file=sys.stderr)


def _has_path(index: query.GraphIndex, points: list[str], filters: query.Filters) -> bool:
    try:
        return bool(index.path_through(points, filters))
    except query.NoPath:
        return False


def _left_out_by(filters: query.Filters, finds_nothing) -> str | None:
    """Which of `filters` made an answer empty, for a warning: None when `finds_nothing` with
    no filter either, so the answer is empty on its own."""
    if finds_nothing(query.Filters()):
        return None
    given = [name for name, used in (("--kinds", filters.kinds), ("--exclude", filters.exclude),
                                     ("--min-confidence", filters.min_confidence)) if used]
    # The program, often chosen for the user, is named only when it alone leaves all out.
    if filters.program and finds_nothing(query.Filters(program=filters.program)):
        given.append(f"the program {filters.program} (--program all follows every call)")
    return ", ".join(given) or "the filters"


def cmd_find(args: argparse.Namespace) -> int:
    names = _graph_index(args).find(args.pattern, args.limit)
    if args.json:
        import json

        print(json.dumps(names, indent=2))
    elif names:
        print("\n".join(names))
    if names:
        return 0
    # As grep does: a script reads the empty list and the exit code alike.
    print(f"kubeatlas: no symbol contains {query.quote_name(args.pattern)}", file=sys.stderr)
    return 1


def cmd_show(args: argparse.Namespace) -> int:
    index = _graph_index(args)
    info = index.show(args.symbol)
    _note_if_a_vendored_copy(args, index, info.name, info.path)
    if args.json:
        import json

        print(json.dumps(info.as_dict(), indent=2))
    else:
        print(render.symbol_text(info))
    return 0


def cmd_component(args: argparse.Namespace) -> int:
    from analyzer.manifest import load_manifest

    components = {c.name: c for c in load_manifest()}
    if args.name not in components:
        raise UnknownName("component", args.name, components)
    component = components[args.name]
    if args.repo not in (None, component.repo):
        raise UsageError(f"{args.name} is one of {component.repo}'s components, not "
                         f"{args.repo}'s: leave --repo out")
    args.repo = component.repo
    try:
        index = _graph_index(args)
    except query.QueryError as err:
        if args.commit is None and component.repo not in store.latest_commits(
                store.connect(_workspace(args).index_path)):
            # The repository was chosen here, not by the user: "add --repo etcd" would name
            # the repository the component is not one of.
            raise IndexError_(str(_workspace(args).index_path), f"{args.name} is one of "
                              f"{component.repo}'s components, and {component.repo} is not "
                              f"indexed: run `kubeatlas fetch {component.repo}` and `kubeatlas "
                              f"index {component.repo}`") from err
        raise
    if args.program is None and component.name in index.programs():
        args.program = component.name
    filters = _filters(args, default_exclude=("stdlib", "logging"), index=index)
    trees = []
    for entrypoint in component.entrypoints:
        found = [name for name in entrypoint.names if index.has(name)]
        if not found:
            continue  # an entrypoint of another era; `kubeatlas check` reports it
        trees.append(index.tree(found[0], "callees", args.depth, filters))
        if args.format == "text":
            print(render.tree_text(trees[-1]))
    if not trees:
        raise UsageError(f"none of {args.name}'s entrypoints is in this index")
    if args.format == "json":
        # One graph of every entrypoint's tree: what each left out is the sum of theirs (it
        # said 0 where the text listed hundreds), and every entrypoint is a root.
        print(render.edges_json(
            trees[0].root, [edge for tree in trees for edge in tree.edges], roots=[t.root for t in trees],
            direction="callees", depth=args.depth, truncated=any(t.truncated for t in trees),
            left_out=sum(t.left_out for t in trees),
            unresolved_left_out=sum(t.unresolved for t in trees)))
    elif args.format != "text":
        _print_answer(render.render_tree(query.Tree(trees[0].root, "callees", args.depth,
                                                    [e for tree in trees for e in tree.edges]),
                                         args.format), args.format)
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from analyzer import site, sources

    check_folder(args.out, "give --out {} folder for the pages")
    ws = _workspace(args)
    out = Path(os.path.realpath(args.out))
    for tree, what in _source_trees(ws):
        if out.is_relative_to(tree):
            raise UsageError(f"--out {args.out} is inside {tree}, {what}: the generated folders "
                             "would replace its own; give a docs folder of its own, e.g. --out site")
    for git_dir in args.git_dir:
        if not Path(git_dir).expanduser().is_dir():
            problem = "a file, not a folder" if Path(git_dir).expanduser().exists() else "no such folder"
            raise UsageError(f"--git-dir {git_dir}: {problem}")
        if not sources.is_repository(Path(git_dir).expanduser()):
            raise UsageError(f"--git-dir {git_dir}: not a git repository")
    progress = Progress(quiet=args.quiet)
    try:
        summary = site.run(ws.index_path, args.out, progress, args.repo, args.git_dir)
    except (KeyboardInterrupt, Terminated) as stop:
        stop.stage = progress.stage  # for the line `main` prints
        raise
    print(summary.render())
    return 0


def _source_trees(ws: Workspace) -> list[tuple[Path, str]]:
    """Folders whose files are not the site's to replace: kubeatlas' own packages, and each
    repository `fetch` recorded: its work tree, or the bare repository itself (a mirror read in
    place, a clone of the home's), whose refs and objects live beside where pages would go."""
    import analyzer
    import reference_impl
    from analyzer import sources

    trees = [(Path(package.__file__).parent, "kubeatlas' own code")
             for package in (analyzer, reference_impl)]
    for name, checkout in sources.load_checkouts(ws).items():
        git_dir = Path(os.path.realpath(checkout.git_dir))
        if git_dir.name == ".git":
            trees.append((git_dir.parent, f"the work tree of the {name} repository `fetch` recorded"))
        else:
            trees.append((git_dir, f"the bare {name} repository `fetch` recorded"))
    return trees


def cmd_run(args: argparse.Namespace) -> int:
    from reference_impl.machinery.process import COMPONENT_MODULES
    return importlib.import_module(COMPONENT_MODULES[args.component]).main(args.options)


def cmd_cluster(args: argparse.Namespace) -> int:
    from reference_impl import cluster

    directory = args.dir or _workspace(args).home / "cluster"
    check_folder(directory, "give --dir {} folder for the cluster's data, certificates and logs")
    try:
        if args.action == "up":
            only = tuple(name.strip() for name in args.only.split(",")
                         if name.strip()) if args.only else cluster.ORDER
            unknown = sorted(set(only) - set(cluster.ORDER))
            if unknown:
                raise UnknownName("component", unknown[0], cluster.ORDER)
            try:
                upstream = cluster.parse_upstream(args.upstream or "")
            except cluster.UnknownUpstream as err:
                unknown = UnknownName("component", err.component, cluster.UPSTREAM)
                raise UsageError(f"--upstream: {unknown}") from None
            except ValueError as err:
                raise UsageError(f"--upstream: {err}") from None
            etcd = None if args.etcd == "reference" else _executable(args.etcd)
            if etcd is not None and not (etcd.is_file() and os.access(etcd, os.X_OK)):
                raise UsageError(f"--etcd: {args.etcd} is neither 'reference' nor an executable file")
            if etcd is not None and args.etcd_members > 1:
                raise UsageError(f"--etcd {args.etcd} runs as one member: --etcd-members above 1 "
                                 "starts reference members; give one of them")
            started = cluster.up(directory, args.kubelets, only, args.node_monitor_grace_period,
                                 upstream, etcd, args.etcd_members)
            for process in started.processes:
                print(f"{process.name}\trunning\tpid {process.pid}\t{process.log}")
            print(f"kubeconfig\t{started.kubeconfig}")
            for process in started.processes:
                for url in process.serving:
                    print(f"{process.name}\tserving\t{url}")
            return 0
        if args.action == "status":
            recorded, states = cluster.status(directory)
            for process, running in states:
                print(f"{process.name}\t{'running' if running else 'exited'}\tpid {process.pid}\t{process.log}")
            crashed = [p for p, running in states if not running]
            for process in crashed:
                print(f"kubeatlas: error: {cluster.exit_report(process)}", file=sys.stderr)
            if crashed:
                print(f"kubeatlas: error: not running: {', '.join(p.name for p in crashed)} (see their logs; "
                      "the local cluster restarts nothing: `cluster down`, then `cluster up`)", file=sys.stderr)
                return 1
            return 0
        stopped = cluster.down(directory)
        print(f"stopped {len(stopped.processes)} processes")
        return 0
    except cluster.ClusterError as err:
        print(f"kubeatlas: error: {err}", file=sys.stderr)
        return 1


def _executable(text: str) -> Path:
    """A binary named as a shell would take it: a bare name (`etcd`) is looked up on $PATH."""
    import shutil

    found = shutil.which(text) if os.sep not in text else None
    return Path(found or text).expanduser().resolve()


def cmd_check(args: argparse.Namespace) -> int:
    from analyzer import drift, links, manifest

    db = store.connect(_workspace(args).index_path)
    components = manifest.load_manifest(args.manifest)
    for name in drift.not_indexed(db, components):
        print(f"kubeatlas: warning: {name}: its repository is not indexed", file=sys.stderr)
    rows = drift.check(db, components)
    link_rows = links.check_links(db, links.reference_links())
    missing_link = any(r.status == "missing" for r in link_rows)
    # Known before a row is printed: `check | head` still fails a script when something is missing.
    args.verdict = 1 if drift.has_missing(rows) or missing_link else 0
    if args.json:
        import dataclasses
        import json

        print(json.dumps({"manifest": json.loads(drift.as_json(rows)),
                          "reference_links": [dataclasses.asdict(r) for r in link_rows]}, indent=2))
    else:
        print(drift.render(rows))
        print()
        print(links.render(link_rows))
    return args.verdict


def cmd_journeys(args: argparse.Namespace) -> int:
    from analyzer import journeys

    if args.dir is not None and not args.dir.is_dir():
        problem = "a file, not a folder" if args.dir.exists() else "no such folder"
        raise UsageError(f"--dir {args.dir}: {problem}")
    index = _workspace(args).index_path
    db = store.connect(index)
    if "kubernetes" not in store.latest_commits(db):
        # Every Go name of every step would be listed as missing.
        raise IndexError_(str(index), "holds no kubernetes commit, whose functions the journeys' "
                          "steps name: fetch and index kubernetes")
    recorded = journeys.load(args.dir) if args.dir else journeys.load()
    if not recorded:
        raise UsageError(f"no journeys (*.json) in {args.dir or journeys.DATA}")
    missing = journeys.check(db, recorded)
    args.verdict = 1 if missing else 0  # as check's: the verdict outlives a reader gone
    for name, journey in recorded.items():
        unresolved = {m.go or m.reference for m in missing if m.journey == name}
        print(f"{name:<20} {len(journey['steps']):>4} steps  "
              + (f"{len(unresolved)} Go names unresolved" if unresolved else "every Go name resolves"))
    for m in missing:
        print(f"  {m.journey} step {m.step}: {m.reference}: "
              + (f"{m.go} is not in the index" if m.go else "no @mirrors Go name"))
    return args.verdict


COMMANDS = {"fetch": cmd_fetch, "index": cmd_index, "callees": cmd_tree, "callers": cmd_tree,
            "path": cmd_path, "find": cmd_find, "show": cmd_show, "component": cmd_component,
            "check": cmd_check, "journeys": cmd_journeys, "site": cmd_site, "run": cmd_run, "cluster": cmd_cluster}


class Terminated(BaseException):
    """SIGTERM, raised where the process is, so that it ends as a Ctrl-C does: `finally` blocks
    run, parse workers are stopped, and one line says so."""


HOME_OPTION = "--home (or $KUBEATLAS_HOME)"

# {option} names the folder's option (see _written_folder).
OS_ERROR_REMEDIES = {
    errno.EACCES: ": give this user access to it, or give {option} a folder of its own",
    errno.EPERM: ": give this user access to it, or give {option} a folder of its own",
    errno.EROFS: ": give {option} a folder on a writable file system",
    errno.ENOSPC: ": free some space there, or give {option} a folder on another disk",
    errno.EDQUOT: ": free some space there, or give {option} a folder on another disk",
    errno.EIO: ": the disk would not take it (a quota or a full disk, or a failing one): free "
               "some space there, or give {option} a folder on another disk",
}


def _written_folder(args: argparse.Namespace, filename: str | None) -> tuple[str, Path | None]:
    """The option to change for an OS error at `filename`, and the folder it names when that is
    not the home: `site` writes its pages into --out, `cluster` its data into --dir. A write
    that fails as the disk fills names no file: it is taken for one in that folder."""
    option, folder = {"site": ("--out", getattr(args, "out", None)),
                      "cluster": ("--dir", getattr(args, "dir", None))}.get(args.command, ("", None))
    inside = folder is not None and (not filename or Path(os.path.abspath(filename)).is_relative_to(
        os.path.abspath(folder)))
    return (option, folder) if inside else (HOME_OPTION, None)


# Commands that write nothing but their answer: a write that fails naming no file is stdout's
# (`> answer.json` on a full disk), which no option of ours moves.
ANSWERING = ("callees", "callers", "path", "find", "show", "component", "check", "journeys")


def _os_error_line(args: argparse.Namespace, err: OSError) -> str:
    """`PATH: strerror: remedy`, the remedy naming the option that chose the folder."""
    if err.filename is None and args.command in ANSWERING:
        return f"stdout: {err.strerror or err}"
    option, folder = _written_folder(args, err.filename)
    where = err.filename or folder
    remedy = OS_ERROR_REMEDIES.get(err.errno, "").format(option=option)
    return f"{f'{where}: ' if where else ''}{err.strerror or err}{remedy}"


# SQLite's own words for the same troubles, met while it writes the index (it reports no errno).
SQLITE_ERRNOS = {"SQLITE_FULL": errno.ENOSPC, "SQLITE_READONLY": errno.EROFS,
                 "SQLITE_PERM": errno.EACCES, "SQLITE_CANTOPEN": errno.EACCES,
                 # Any other failed write, a disk quota's EDQUOT or a file size limit's EFBIG.
                 "SQLITE_IOERR": errno.EIO}


def _sqlite_errno(err: sqlite3.DatabaseError) -> int | None:
    name = getattr(err, "sqlite_errorname", "") or ""
    return next((number for prefix, number in SQLITE_ERRNOS.items() if name.startswith(prefix)), None)


def _raise_terminated(signum, frame):
    raise Terminated


def _command_options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string some command takes."""
    return {option for command in _subcommands(parser).choices.values()
            for option in _options_of(command)}


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    return _subcommands(parser).choices[name]


def _options_of(parser: argparse.ArgumentParser) -> list[str]:
    return [option for action in parser._actions for option in action.option_strings]


def main(argv: list[str] | None = None) -> int:
    status = 1  # an exception other than these two is Python's to report, with its status
    try:
        status = _main(argv)
        return status
    except KeyboardInterrupt:
        # Before the command began (reading the command line, importing what it needs) or as
        # it ended: nothing was done, or all was; the status is a Ctrl-C's all the same.
        print("kubeatlas: interrupted", file=sys.stderr)
        status = 130
        return status
    except SystemExit as err:  # argparse's usage errors and --help
        status = err.code if isinstance(err.code, int) else 0 if err.code is None else 1
        raise
    finally:
        _done_with_interrupts(status)


def _done_with_interrupts(status: int) -> None:
    """The command has answered (or said why not): a Ctrl-C from here on ends the process at
    once with that answer's status, quietly, where Python's exit (its atexit calls: the pools'
    threads joined, a reference component's threads stopped) printed an 'Exception ignored ...
    KeyboardInterrupt' traceback, or died by the signal (-2 to a caller, not its status); and
    where ignoring it left a shutdown that hangs on a join impossible to stop. Only in the
    command: a program that calls `main` keeps its own handler."""
    if _main_thread() and analyzer._started_as_the_command(getattr(sys, "orig_argv", [])):
        signal.signal(signal.SIGINT, lambda signum, frame: _exit_now(status))


def _exit_now(status: int) -> None:
    """End the process with `status`, its answer written out first (os._exit flushes nothing)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone, a stream closed: nothing more to say
            pass
    os._exit(status)


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["help"], ["version"]) and len(argv) > (2 if argv[0] == "help" else 1) \
            and argv[1] not in ("-h", "--help"):
        # Left over, the extra words were dropped (`help find extra`), or made `version` an
        # unknown command.
        takes = "one COMMAND" if argv[0] == "help" else "no argument"
        build_parser(argv[0]).error(f"{argv[0]} takes {takes}, not {' '.join(argv[1:])}")
    if argv[:1] == ["help"]:  # `kubeatlas help [COMMAND]`, as git, go and kubectl take it
        argv = [*(argv[1:2] if argv[1:2] != ["help"] else []), "--help"]
    elif argv[:1] == ["version"]:
        argv = ["--version"]
    # Options come after the command, so a first word naming one is the command to build.
    parser = build_parser(argv[0] if argv and argv[0] in SUBCOMMANDS else None)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "-V", "--version"):
        options = _command_options(parser)
        if argv[0].split("=", 1)[0] not in options:
            near = _near_option(argv[0], sorted(options))
            parser.error(f"unrecognized option {argv[0]}" + (f"; did you mean {near}?" if near else ""))
        parser.error(f"{argv[0]} comes before the command: options follow it, "
                     "as in `kubeatlas find --home DIR PATTERN`")
    if argv[:1] == ["run"] and argv[1:2] and argv[1].startswith("-") and argv[1] not in ("-h", "--help"):
        # `run` has no options of its own: argparse took the option's value for the component.
        _subcommand(parser, "run").error(f"{argv[1]} comes before the component: the component's "
                                         "options follow its name, as in `kubeatlas run etcd "
                                         "--data-dir DIR`")
    args = parser.parse_args(argv)
    if sys.stdout is None and args.command in ANSWERING:
        # Started with stdout closed (`>&-`), Python writes print() nowhere, and says nothing.
        print("kubeatlas: error: stdout is closed: the answer would be lost; send it to a file "
              "or to /dev/null", file=sys.stderr)
        return 1
    _escape_what_stdout_cannot_encode()
    forget_callers_repository(os.environ)
    # `run` and `cluster` start reference components, which answer SIGTERM themselves.
    on_term = (signal.signal(signal.SIGTERM, _raise_terminated)
               if args.command not in ("run", "cluster") and _main_thread() else None)
    try:
        return COMMANDS[args.command](args)
    except AnalyzerError as err:
        print(f"kubeatlas: error: {cut_pasted(str(err))}", file=sys.stderr)
        return err.exit_code
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] in ("analyzer", "reference_impl"):
            raise  # our own code missing: a broken checkout, whose traceback says where
        # A command imports what it alone needs when it runs: another Python than the one
        # kubeatlas was installed into (`python3 -m analyzer.cli` as another user) lacks it.
        print(f"kubeatlas: error: {args.command} needs the Python package {err.name}, which "
              f"{sys.executable} cannot import: run kubeatlas with the Python it was installed "
              f"into, or install its dependencies into this one (pip install kubeatlas)",
              file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as err:
        index = _workspace(args).index_path
        number = _sqlite_errno(err)
        if number is not None:  # SQLite writing on a full or read-only disk, as OSError below
            line = _os_error_line(args, OSError(number, str(err), str(index)))
            print(f"kubeatlas: error: {cut_pasted(line)}", file=sys.stderr)
            return 1
        if not store.is_damage(err):
            raise
        # Found deep inside a query: a page that is not there.
        store.report_damage(index)
        print(f"kubeatlas: error: {cut_pasted(str(DamagedIndex(str(index), str(err))))}",
              file=sys.stderr)
        return DamagedIndex.exit_code
    except BrokenPipeError:  # before OSError, its base class
        # The reader (`| head`) has gone: stop quietly, and keep Python from complaining at exit.
        # A command whose status is a verdict (check, journeys) had reached it: that is the
        # status, as `check > /dev/null` would have it; the rest end well.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return getattr(args, "verdict", 0)
    except OSError as err:  # a folder we cannot write, a disk that is full: the user's to fix
        print(f"kubeatlas: error: {cut_pasted(_os_error_line(args, err))}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Terminated) as stop:
        what = "terminated" if isinstance(stop, Terminated) else "interrupted"
        kept = (_kept_by_index(stop) if args.command == "index" else
                _kept_by_fetch(stop) if args.command == "fetch" else
                _kept_by_site(stop, args.out) if args.command == "site" else "")
        print(f"kubeatlas: {what}{kept}", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    finally:
        if on_term is not None:
            signal.signal(signal.SIGTERM, on_term)


def _kept_by_index(stop: BaseException) -> str:
    """What an interrupted `index` leaves: the repositories it had indexed are new, the others'
    previous index stands."""
    indexed, unchanged = getattr(stop, "indexed", []), getattr(stop, "unchanged", [])
    if not indexed:
        return "; the previous index is unchanged"
    kept = f", the previous index of {', '.join(unchanged)} unchanged" if unchanged else ""
    return f"; {', '.join(indexed)} indexed{kept}"


def _kept_by_fetch(stop: BaseException) -> str:
    """What an interrupted `fetch` leaves: the repositories fetched before are recorded, the one
    stopped is as it was."""
    if not hasattr(stop, "left"):  # stopped before the first fetch began
        return "; nothing fetched"
    done = f"; {', '.join(stop.fetched)} fetched and recorded" if stop.fetched else ""
    return f"{done}; {stop.left}"


def _kept_by_site(stop: BaseException, out: Path) -> str:
    """Where an interrupted `site` stopped, and that the docs folder holds the previous pages
    (the new ones replace them all at once, at the end) or, stopped during that, the new ones."""
    from analyzer.site import SWAP_STAGE

    stage = getattr(stop, "stage", "")
    if stage == SWAP_STAGE:
        return f"; the new pages had replaced the previous ones in {out}"
    where = f" during {stage}" if stage else " before any page was written"
    return f"{where}; {out} is as it was: the new pages replace the previous ones only once all are written"


def _escape_what_stdout_cannot_encode() -> None:
    """Trees are drawn with box characters, and Go names may be Unicode: on an ASCII stdout
    (PYTHONIOENCODING=ascii, a C locale without coercion) they are written as escapes rather
    than ending the command with UnicodeEncodeError."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if encoding != "utf8" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
