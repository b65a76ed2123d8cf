"""Whether a Go file is part of a build configuration, decided as go/build decides it.

A file is left out of a build by its name (`foo_windows.go`, `foo_linux_arm64_test.go`, a leading
`_` or `.`) or by its build constraint. The parser stores the constraint as text
(`FileFacts.build_constraint`): the `//go:build` expression, or, in a file that has only
`// +build` lines, those lines joined by `parse.build_constraint` as `(a,b c) && d` — a line with
a space is parenthesised, and within a line spaces mean OR and commas AND. One grammar reads both
forms, loosest to tightest:

    or    = and { "||" and }
    and   = spaced { "&&" spaced }
    spaced = comma { comma }          // +build: space-separated options are ORed
    comma = unary { "," unary }       // +build: comma-separated terms are ANDed
    unary = "!" unary | "(" or ")" | tag

A constraint this grammar cannot read counts as satisfied. go/build would reject the file with an
error rather than silently drop it; keeping it means a typo in one constraint costs at worst a
few spurious call edges, where dropping it would lose every function the file declares.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from analyzer.errors import UnknownName, UsageError

# internal/syslist: KnownOS, UnixOS and KnownArch, as of Go 1.24.
KNOWN_OS = frozenset({
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux",
    "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
})
UNIX_OS = frozenset({
    "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "linux",
    "netbsd", "openbsd", "solaris",
})
KNOWN_ARCH = frozenset({
    "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle",
    "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv",
    "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
})
# go/build's (*Context).matchTag: a GOOS that is a variant of another satisfies that one too.
IMPLIED_OS = {"android": "linux", "illumos": "solaris", "ios": "darwin"}

_GO_VERSION = re.compile(r"(?:go)?1\.(\d+)(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class BuildContext:
    """The part of go/build's Context that decides which files are built."""

    goos: str = "linux"
    goarch: str = "amd64"
    tags: frozenset[str] = frozenset()  # -tags, and tool tags such as "goexperiment.x"
    go_version: str = "1.24"  # the release whose go1.N tags are satisfied
    cgo: bool = True

    def __post_init__(self):
        if not _GO_VERSION.fullmatch(self.go_version):
            raise UsageError(f"go version {self.go_version!r}: expected 1.N, such as 1.24")


DEFAULT = BuildContext()
# How kubernetes and etcd build their commands: static binaries, no cgo.
COMMANDS = BuildContext(cgo=False)


def command_build(goos: str = "linux", goarch: str = "amd64", tags: str = "") -> BuildContext:
    """The build configuration `kubeatlas index --goos --goarch --tags` asks for, checked."""
    if goos not in KNOWN_OS:
        raise UnknownName("GOOS", goos, sorted(KNOWN_OS))
    if goarch not in KNOWN_ARCH:
        raise UnknownName("GOARCH", goarch, sorted(KNOWN_ARCH))
    names = frozenset(tag_list(tags))
    bad = sorted(tag for tag in names if not re.fullmatch(r"[\w.]+", tag))
    if bad:
        raise UsageError(f"build tag {bad[0]!r}: tags are letters, digits, '_' and '.'")
    return BuildContext(goos, goarch, names, cgo=False)


def tag_list(flag: str) -> list[str]:
    """The tags of a -tags value as cmd/go's tagsFlag.Set reads it: comma-separated, or, as Go
    1.12 and earlier took them and Go still does, separated by spaces and quoted."""
    if " " in flag or "'" in flag:
        import shlex

        try:
            return shlex.split(flag)
        except ValueError:  # an unclosed quote: it reaches the check as part of a tag
            return flag.split()
    return [tag.strip() for tag in flag.split(",") if tag.strip()]


def describe(ctx: BuildContext) -> str:
    """`linux/amd64`, with `+tag,tag` when there are tags: how an index names its build."""
    return f"{ctx.goos}/{ctx.goarch}" + ("+" + ",".join(sorted(ctx.tags)) if ctx.tags else "")


@lru_cache(maxsize=64)
def satisfied_tags(ctx: BuildContext) -> frozenset[str]:
    """Every build tag `ctx` satisfies (go/build's matchTag, with ReleaseTags go1.1..go1.N)."""
    tags = {ctx.goos, ctx.goarch, "gc", *ctx.tags}
    if ctx.goos in IMPLIED_OS:
        tags.add(IMPLIED_OS[ctx.goos])
    if ctx.goos in UNIX_OS:
        tags.add("unix")
    if ctx.cgo:
        tags.add("cgo")
    minor = int(_GO_VERSION.fullmatch(ctx.go_version).group(1))
    tags.update(f"go1.{n}" for n in range(1, minor + 1))
    return frozenset(tags)


def matches(path: str, constraint: str | None, ctx: BuildContext = DEFAULT) -> bool:
    """Whether the Go file at `path`, with `constraint` as the parser stored it, is built in
    `ctx` (go/build's (*Context).matchFile, less the reading: the constraint is given)."""
    name = os.path.basename(path)
    if name.startswith(("_", ".")):
        return False  # go/build ignores such files whatever their content
    tags = satisfied_tags(ctx)
    goos, goarch = filename_constraint(name)
    if (goos is not None and goos not in tags) or (goarch is not None and goarch not in tags):
        return False
    return constraint is None or _evaluate(_compile(constraint), tags)


def filename_constraint(path: str) -> tuple[str | None, str | None]:
    """The (GOOS, GOARCH) the file's name restricts it to, None where it does not
    (go/build's goodOSArchFile): name_GOOS_GOARCH.go, name_GOOS.go, name_GOARCH.go, each
    optionally followed by _test. Only a suffix counts, so `linux.go` is unconstrained."""
    name = os.path.basename(path).partition(".")[0]
    underscore = name.find("_")
    if underscore < 0:
        return None, None
    parts = name[underscore:].split("_")
    if parts[-1] == "test":
        parts.pop()
    if len(parts) >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return parts[-2], parts[-1]
    if parts[-1] in KNOWN_OS:
        return parts[-1], None
    if parts[-1] in KNOWN_ARCH:
        return None, parts[-1]
    return None, None


def file_constraint(path: str, constraint: str | None) -> str | None:
    """What the file's name and its stored constraint ask of a build, in `//go:build` syntax
    (`windows`, `linux && cgo` for x_linux.go with `// +build linux,cgo`): a name part the line
    already requires is said once, and a file go/build never reads (`_x.go`, `.x.go`) is
    `ignored`. None for a file that any build compiles."""
    name = os.path.basename(path)
    if name.startswith(("_", ".")):
        return "ignored"
    expr = _compile(constraint) if constraint else None
    if constraint and expr is None:  # malformed: said as written, and kept (see above)
        return " && ".join([*filter(None, filename_constraint(name)), f"({constraint.strip()})"])
    required = set(_conjuncts(expr)) if expr else set()
    by_name = [("tag", part) for part in filename_constraint(name)
               if part and ("tag", part) not in required]
    if expr is not None:
        by_name.append(expr)
    if not by_name:
        return None
    return _go_build_text(by_name[0] if len(by_name) == 1 else ("and", *by_name))


def _conjuncts(expr: tuple):
    if expr[0] == "and":
        for item in expr[1:]:
            yield from _conjuncts(item)
    else:
        yield expr


def _go_build_text(expr: tuple) -> str:
    """An expression written as go/build/constraint's Expr.String writes it: an operand of the
    other binary operator, or of `!`, is bracketed (`(a && b) || c`, `!(a || b)`)."""
    op = expr[0]
    if op == "tag":
        return expr[1]
    if op == "not":
        inner = _go_build_text(expr[1])
        return f"!({inner})" if expr[1][0] in ("and", "or") else f"!{inner}"
    parts = []
    for item in expr[1:]:
        if item[0] == op:  # (a && b) && c is a && b && c
            parts.append(_go_build_text(item))
        else:
            text = _go_build_text(item)
            parts.append(f"({text})" if item[0] in ("and", "or") else text)
    return f" {'&&' if op == 'and' else '||'} ".join(parts)


# --- constraint expressions --------------------------------------------------------------------
# A compiled constraint is a nested tuple: ("tag", name), ("not", x), ("and", x, ...), ("or", x, ...);
# None when the text does not parse.

_TOKEN = re.compile(r"\s*(\|\||&&|[!(),]|[\w.]+)")


def tags_named(constraint: str) -> set[str]:
    """The tags a constraint's text names, whatever it says of them (`!a && (b || c)` → a, b, c)."""
    return set(re.findall(r"[\w.]+", constraint))


class _Malformed(Exception):
    pass


@lru_cache(maxsize=4096)
def _compile(constraint: str) -> tuple | None:
    try:
        parser = _ConstraintParser(constraint)
        expr = parser.or_expr()
        if parser.peek() is not None:
            raise _Malformed
        return expr
    except (_Malformed, RecursionError):
        return None


def _evaluate(expr: tuple | None, tags: frozenset[str]) -> bool:
    if expr is None:
        return True  # malformed: keep the file (see the module docstring)
    op = expr[0]
    if op == "tag":
        return expr[1] in tags
    if op == "not":
        return not _evaluate(expr[1], tags)
    if op == "and":
        return all(_evaluate(x, tags) for x in expr[1:])
    return any(_evaluate(x, tags) for x in expr[1:])


class _ConstraintParser:
    def __init__(self, text: str):
        self.tokens: list[str] = []
        pos, text = 0, text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise _Malformed
            self.tokens.append(m.group(1))
            pos = m.end()
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, token: str) -> bool:
        if self.peek() == token:
            self.pos += 1
            return True
        return False

    def _chain(self, op: str, operand, separator: str | None) -> tuple:
        """operand { separator operand }; separator None means juxtaposition (a +build space)."""
        items = [operand()]
        while (self.take(separator) if separator else self.peek() not in (None, "||", "&&", ")", ",")):
            items.append(operand())
        return items[0] if len(items) == 1 else (op, *items)

    def or_expr(self) -> tuple:
        return self._chain("or", self.and_expr, "||")

    def and_expr(self) -> tuple:
        return self._chain("and", self.spaced, "&&")

    def spaced(self) -> tuple:
        return self._chain("or", self.comma, None)

    def comma(self) -> tuple:
        return self._chain("and", self.unary, ",")

    def unary(self) -> tuple:
        token = self.peek()
        if token is None or token in ("||", "&&", ")", ","):
            raise _Malformed
        self.pos += 1
        if token == "!":
            return ("not", self.unary())
        if token == "(":
            inner = self.or_expr()
            if not self.take(")"):
                raise _Malformed
            return inner
        return ("tag", token)
