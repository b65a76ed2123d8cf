"""The facts that parsing one Go file yields: immutable, positioned, free of parser objects.

Stages pass these along, never tree-sitter nodes or database handles. Positions are 1-based lines
and 1-based byte columns, as Go's `go/token` reports them.

Expressions that later stages must type (callees, right-hand sides, range operands) are kept as
small nested tuples, `Expr`, so the resolver can follow `a.b.C()` without re-parsing source:

    ("id", name)                    identifier            ("sel", X, field)     selector X.field
    ("call", F[, X])                call of F, F(X)       ("new", type)         new(T)
    ("make", type)                  make(T, …)            ("append", X)         append(X, …)
    ("addr", X)  &X                 ("deref", X)  *X      ("recv", X)  <-X
    ("comp", type, line, col)       composite literal T{...}, and where it starts
    ("func", scope)                 function literal, named by its closure scope (F$1)
    ("index", X)  X[i]              ("slice", X)  X[i:j]  ("assert", X, type)  X.(T)
    ("conv", type[, X])             conversion to a parenthesised type, (*T)(X)
    (a call's or conversion's X is kept when it is its one operand and could be a function)
    ("lit", kind)                   a basic literal       ("expr", node kind)   anything else
"""
from __future__ import annotations

from typing import NamedTuple

Expr = tuple  # see the module docstring for its shapes

# What a call site's `mode` says about how the call is made.
CALL, GO, DEFER = "call", "go", "defer"


class Import(NamedTuple):
    path: str
    alias: str | None  # None, "_", ".", or a package name
    line: int


class Param(NamedTuple):
    name: str | None  # None for an unnamed parameter or result
    type: str
    variadic: bool = False


class TypeParam(NamedTuple):
    name: str
    constraint: str


class Field(NamedTuple):
    name: str | None  # None for an embedded field
    type: str  # for an embedded field, the embedded type without its `*`
    embedded: bool
    pointer: bool  # embedded as *T
    line: int


class InterfaceMethod(NamedTuple):
    name: str
    params: tuple[Param, ...]
    results: tuple[Param, ...]
    line: int


class TypeDecl(NamedTuple):
    name: str
    kind: str  # "struct", "interface", "alias" or "named" (a defined type over another type)
    underlying: str  # the type expression's text; for struct and interface, "struct" / "interface"
    type_params: tuple[TypeParam, ...]
    fields: tuple[Field, ...]  # struct fields, embedded ones included
    methods: tuple[InterfaceMethod, ...]  # interface method set as declared
    embeds: tuple[str, ...]  # interfaces (or constraint terms) embedded in an interface
    line: int
    col: int
    doc: str


class Func(NamedTuple):
    """A function or method declaration. `scope` is its name inside the package, in the go/ssa
    form: `New`, `(*Scheduler).scheduleOne`, `(Verbose).InfoS`."""

    scope: str
    name: str
    receiver_type: str | None  # base type name, without `*` and type arguments
    pointer_receiver: bool
    receiver_name: str | None
    type_params: tuple[TypeParam, ...]
    params: tuple[Param, ...]
    results: tuple[Param, ...]
    line: int
    col: int
    end_line: int
    doc: str


class FuncLit(NamedTuple):
    """A function literal; `scope` is `Parent$N`, numbered in source order within its parent
    (for `init$N`, go/ssa's order only while no initialiser depends on a later variable: see
    `Program.renumbered_scope`)."""

    scope: str
    parent: str
    params: tuple[Param, ...]
    results: tuple[Param, ...]
    line: int
    col: int
    end_line: int


class CallSite(NamedTuple):
    callee: Expr  # the whole callee expression: a.b.C(...) keeps ("sel", ("sel", a, b), C)
    text: str  # the callee as written, whitespace folded
    scope: str  # enclosing function or literal; "init" for package-level initialisers
    mode: str  # CALL, GO or DEFER
    args: tuple[Expr, ...]
    line: int  # position of the call's "(", or of the go/defer keyword (go/ssa's positions)
    col: int


class CompositeLit(NamedTuple):
    """`T{…}`, or a literal whose type is left out (`{f, g}` in `[]T{{f, g}}`, kept only when it
    holds an element that could be a function): then `type` is the written type of the literal
    around it, and `depth` how many element types down from that its own type is."""

    type: str
    scope: str
    # (key, value) pairs whose value could be a function; the key a field name, a map key as
    # written, or for an unkeyed element its position (an int: T{f, g} keeps (0, f), (1, g)).
    keyed: tuple[tuple[str | int, Expr], ...]
    line: int
    col: int
    depth: int = 0


class VarDecl(NamedTuple):
    """`var a, b T = x, y` and `a, b := x, y`; `type` is None when it is inferred."""

    names: tuple[str, ...]
    type: str | None
    values: tuple[Expr, ...]
    scope: str
    short: bool
    line: int
    visible_until: int  # last line of the block (or if/for/switch/case) the names belong to


class Assign(NamedTuple):
    targets: tuple[Expr, ...]
    values: tuple[Expr, ...]
    scope: str
    line: int


class Return(NamedTuple):
    """`return a, b` inside a function or literal: what it hands back, for function values."""

    values: tuple[Expr, ...]
    scope: str
    line: int


class RangeLoop(NamedTuple):
    names: tuple[str, ...]  # key and value variables, "" where absent
    over: Expr
    define: bool  # `:=` rather than `=`
    scope: str
    line: int
    visible_until: int  # last line of the for statement


class TypeSwitch(NamedTuple):
    alias: str | None  # t in `switch t := x.(type)`
    value: Expr
    cases: tuple[tuple[tuple[str, ...], int, int], ...]  # (types, first line, last line)
    scope: str
    line: int


class SyntaxProblem(NamedTuple):
    line: int
    col: int
    what: str  # "error" or "missing <token>"


class FileFacts(NamedTuple):
    package: str | None
    build_constraint: str | None  # the //go:build expression, or the // +build lines joined by " && "
    generated: bool
    imports: tuple[Import, ...] = ()
    types: tuple[TypeDecl, ...] = ()
    funcs: tuple[Func, ...] = ()
    func_lits: tuple[FuncLit, ...] = ()
    calls: tuple[CallSite, ...] = ()
    composites: tuple[CompositeLit, ...] = ()
    vars: tuple[VarDecl, ...] = ()
    assigns: tuple[Assign, ...] = ()
    returns: tuple[Return, ...] = ()
    ranges: tuple[RangeLoop, ...] = ()
    type_switches: tuple[TypeSwitch, ...] = ()
    syntax_problems: tuple[SyntaxProblem, ...] = ()

    def whole(self) -> FileFacts:
        """These facts with their function bodies' (see `decode_declarations`)."""
        return self

    def call_count(self) -> int:
        return len(self.calls)


# --- storage codec -----------------------------------------------------------------------------
# Facts are stored per blob as marshal'd nested tuples (zlib-compressed): several times faster to
# write and read than pickle, and only the schema below is needed to rebuild them. Facts are named
# tuples, not dataclasses, because a whole tree's are rebuilt before resolving: a tuple is made in
# one step, a frozen dataclass in one per field (they took twice as long to decode).

import marshal  # noqa: E402  (kept beside the codec it serves)
import zlib  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402

# For each fact class, which of its fields hold tuples of another fact class.
_NESTED: dict[type, dict[str, type]] = {
    FileFacts: {"imports": Import, "types": TypeDecl, "funcs": Func, "func_lits": FuncLit,
                "calls": CallSite, "composites": CompositeLit, "vars": VarDecl, "assigns": Assign,
                "returns": Return, "ranges": RangeLoop, "type_switches": TypeSwitch, "syntax_problems": SyntaxProblem},
    TypeDecl: {"type_params": TypeParam, "fields": Field, "methods": InterfaceMethod},
    InterfaceMethod: {"params": Param, "results": Param},
    Func: {"type_params": TypeParam, "params": Param, "results": Param},
    FuncLit: {"params": Param, "results": Param},
}
# For each fact class with nested facts: per field, in order, the class of its items or None.
_LAYOUT: dict[type, tuple[type | None, ...]] = {
    cls: tuple(nested.get(name) for name in cls._fields) for cls, nested in _NESTED.items()}


class _FlatMakers(dict):
    """For each class of facts with no nested facts, what makes one from its row without a
    Python call (a named tuple's `_make` is one, and checks a length the codec already fixed):
    millions of facts are made so when the resolver decodes a tree's."""

    def __missing__(self, cls: type) -> Callable[[tuple], tuple]:
        make = self[cls] = partial(tuple.__new__, cls)
        return make


_MAKE_FLAT = _FlatMakers()


def from_row(cls: type, row: tuple):
    """A fact of `cls` from its row (its fields in order, nested facts as rows), nested facts included."""
    layout = _LAYOUT.get(cls)
    if layout is None:
        return cls._make(row)
    return cls._make([value if item_cls is None  # `_items` inlined: this is called per fact
                      else tuple(map(_MAKE_FLAT[item_cls], value)) if item_cls not in _LAYOUT
                      else tuple([from_row(item_cls, item) for item in value])
                      for item_cls, value in zip(layout, row)])


def _items(item_cls: type, rows: tuple) -> tuple:
    """The facts of one field holding facts of `item_cls`, from their rows (as `from_row`)."""
    if item_cls not in _LAYOUT:
        return tuple(map(_MAKE_FLAT[item_cls], rows))
    return tuple([from_row(item_cls, item) for item in rows])


def encode_row(row: tuple) -> bytes:
    """Store a `FileFacts` row as the parser builds it, with no dataclass in between."""
    return zlib.compress(marshal.dumps(row), 1)


def decode(data: bytes) -> FileFacts:
    return from_row(FileFacts, marshal.loads(zlib.decompress(data)))


# What only the statements inside function bodies give: most of a file's facts (two thirds of the
# Kubernetes tree's, about 700 MB decoded), which the resolver reads once, file by file.
BODY_FIELDS = ("calls", "composites", "assigns", "returns", "ranges", "type_switches")
_BODY_AT = tuple(FileFacts._fields.index(name) for name in BODY_FIELDS)


class Declarations(FileFacts):
    """A file's facts without those of its function bodies (`BODY_FIELDS` are empty), which
    `whole()` decodes again from the stored row, `data`, when they are wanted. The resolver holds
    every file's facts at once and reads each body once: decoded all at once, the bodies made
    most of its memory, and the pages a forked resolver process touched to read them were copied.

    `data` and `calls_made` are not fields: `_make` takes them as arguments (a Declarations
    made from its fields alone would have lost its bodies), and `_replace` carries them."""

    @classmethod
    def _make(cls, iterable, *, data: bytes, calls_made: int) -> Declarations:
        facts = tuple.__new__(cls, iterable)
        facts.data, facts.calls_made = data, calls_made
        return facts

    def _replace(self, /, **changes) -> FileFacts:
        if changes.keys() & set(BODY_FIELDS):  # the bodies given: nothing is left to decode
            return self.whole()._replace(**changes)
        fields = [changes.pop(name, value) for name, value in zip(self._fields, self)]
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return type(self)._make(fields, data=self.data, calls_made=self.calls_made)

    def whole(self) -> FileFacts:
        row = marshal.loads(zlib.decompress(self.data))
        fields = list(self)
        layout = _LAYOUT[FileFacts]
        for at in _BODY_AT:
            fields[at] = _items(layout[at], row[at])
        # The declarations stay the objects they were: the resolver's tables hold them.
        return FileFacts._make(fields)

    def call_count(self) -> int:
        return self.calls_made


def decode_declarations(data: bytes, declared: bytes | None = None) -> Declarations:
    """`decode`, but the function bodies' facts are left in `data`, for `whole()`; from
    `declared` (what `encode_declarations` made of the same row) when given, so that the bodies
    are neither decompressed nor read here."""
    calls_made, row = (marshal.loads(declared) if declared is not None
                       else _without_bodies(marshal.loads(zlib.decompress(data))))
    return Declarations._make([
        value if item_cls is None else _items(item_cls, value)
        for item_cls, value in zip(_LAYOUT[FileFacts], row)],
        data=data, calls_made=calls_made)


def encode_declarations(row: tuple) -> bytes:
    """A `FileFacts` row without its function bodies' facts (see `Declarations`), marshalled but
    not compressed, with its count of call sites: a parser process sends it beside the stored
    `encode_row`, so that the process decoding the declarations for the resolver reads a third of
    the row and decompresses nothing (the writer, which shares the cores with the pool, spent a
    third of its CPU while parsing on that)."""
    return marshal.dumps(_without_bodies(row))


def _without_bodies(row: tuple) -> tuple[int, tuple]:
    """(the row's count of call sites, the row with its `BODY_FIELDS` empty)."""
    return len(row[_BODY_AT[0]]), tuple([() if at in _BODY_AT else value
                                          for at, value in enumerate(row)])
