"""Go type expressions, parsed from the text the facts store into a small frozen model.

The parser keeps types as the text written in Go source (`analyzer.facts`); the resolver needs to
take them apart: strip a `*`, find a map's value type, a function's results, a range loop's
variables. `parse_type` is a pure-Python tokenizer and recursive-descent parser of Go's `Type`
production (go/parser's `parseType`), cached because the same few thousand texts recur across the
whole Kubernetes tree. It never raises: text it cannot read becomes `Unknown(text)`.

Choices the model makes, beyond Go's grammar:

* Parentheses are dropped: `(*T)` is `Pointer(Named(None, "T"))`.
* Parameter and result names are dropped; `func(a, b int)` has params `(int, int)`. A variadic
  last parameter `...T` is stored as `Slice(T)` with `Func.variadic` set.
* Constraint terms: `~T` is `Tilde(T)` and `A | B` is `Union((A, B))`; either may stand alone, as
  a type parameter's constraint text or an interface's embedded element.
* `Interface.methods` holds method names; `Interface.signatures` holds their `Func` types in the
  same order, so `type_text` can render the interface back in full.
* Facts fold multi-line text to one line, which drops the newlines Go reads as `;`. Struct and
  interface bodies are therefore read without requiring `;` between members, greedily: a
  member ends where its type does. A `//` comment folded into a text hides where it ended, so
  such a text is `Unknown`; `/* */` comments are skipped.

`type_text` renders a model back in go/types' spelling (`struct{a int; B}`, `map[string][]*v1.Pod`),
so that `type_text(parse_type(type_text(t))) == type_text(t)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Named:
    qualifier: str | None  # the package name in `v1.Pod`; None for `error`, `T`, `Set`
    name: str
    args: tuple[GoType, ...] = ()  # type arguments of an instantiated generic type


@dataclass(frozen=True, slots=True)
class Pointer:
    elem: GoType


@dataclass(frozen=True, slots=True)
class Slice:
    elem: GoType


@dataclass(frozen=True, slots=True)
class Array:
    elem: GoType
    length: str  # the length expression as written: "4", "N", "..."


@dataclass(frozen=True, slots=True)
class Map:
    key: GoType
    value: GoType


@dataclass(frozen=True, slots=True)
class Chan:
    elem: GoType
    dir: str = "both"  # "both" (chan T), "send" (chan<- T) or "recv" (<-chan T)


@dataclass(frozen=True, slots=True)
class Func:
    params: tuple[GoType, ...] = ()
    results: tuple[GoType, ...] = ()
    variadic: bool = False  # the last param, a Slice, was written ...T


@dataclass(frozen=True, slots=True)
class Struct:
    fields: tuple[tuple[str | None, GoType], ...] = ()  # (None, T) for an embedded field
    # The package whose file spells the type when a field name is unexported, else "": Go keeps
    # such a type apart per package (the spec's type identity), so its fields are too.
    package: str = ""

    def field_names(self) -> tuple[str, ...]:
        """The field names, an embedded field named by its type (`*pkg.T` → `T`)."""
        return tuple(name if name is not None else getattr(deref(t), "name", "")
                     for name, t in self.fields)


@dataclass(frozen=True, slots=True)
class Interface:
    methods: tuple[str, ...] = ()
    embeds: tuple[GoType, ...] = ()  # embedded interfaces and constraint terms
    signatures: tuple[Func, ...] = ()  # signatures[i] is the type of methods[i]


@dataclass(frozen=True, slots=True)
class Tilde:
    elem: GoType  # ~T: every type whose underlying type is T


@dataclass(frozen=True, slots=True)
class Union:
    terms: tuple[GoType, ...]  # A | ~B


@dataclass(frozen=True, slots=True)
class Unknown:
    text: str


GoType = Named | Pointer | Slice | Array | Map | Chan | Func | Struct | Interface | Tilde | Union | Unknown

INTEGER_TYPES = frozenset({"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
                           "uint32", "uint64", "uintptr", "byte", "rune"})
INT, RUNE, BYTE = Named(None, "int"), Named(None, "rune"), Named(None, "byte")

_KEYWORDS = frozenset({"func", "map", "chan", "struct", "interface"})
_SPACE = re.compile(r"(?:\s+|/\*.*?\*/)*", re.DOTALL)
_TOKEN = re.compile(r"""
    ([^\W\d]\w*)                                        # identifier or keyword
  | (\.?\d[\w.]*)                                       # number (array lengths)
  | (`[^`]*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')       # string (struct tags) or rune
  | (\.\.\.|<-|<<|>>|//|\S)                             # punctuation and operators
""", re.VERBOSE)
_TAG = 3  # token kind of strings


class _Fail(Exception):
    """The text is not a type this parser reads; `parse_type` turns it into Unknown."""


def _tokenize(text: str) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    values, kinds, spans = [], [], []
    pos = _SPACE.match(text).end()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        kind = m.lastindex
        if m.group(kind) == "//":
            raise _Fail  # a folded line comment: where it ended is lost
        values.append(m.group(kind))
        kinds.append(kind)
        spans.append(m.span(kind))
        pos = _SPACE.match(text, m.end()).end()
    return values, kinds, spans


class _Parser:
    """Recursive descent over one text's tokens; backtracks by resetting `pos`."""

    def __init__(self, text: str):
        self.text = text
        self.toks, self.kinds, self.spans = _tokenize(text)
        self.toks += ("", "")  # end markers, so that peek(1) never runs off the end
        self.kinds += (0, 0)
        self.pos = 0

    def peek(self, ahead: int = 0) -> str:
        return self.toks[self.pos + ahead]

    def is_ident(self, ahead: int = 0) -> bool:
        return self.kinds[self.pos + ahead] == 1 and self.toks[self.pos + ahead] not in _KEYWORDS

    def take(self, tok: str) -> bool:
        if self.toks[self.pos] == tok:
            self.pos += 1
            return True
        return False

    def expect(self, tok: str) -> None:
        if not self.take(tok):
            raise _Fail

    def ident(self) -> str:
        if not self.is_ident():
            raise _Fail
        self.pos += 1
        return self.toks[self.pos - 1]

    def constraint(self) -> GoType:
        """A union of terms, each T or ~T: a type parameter's constraint or interface element."""
        terms = [self.term()]
        while self.take("|"):
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else Union(tuple(terms))

    def term(self) -> GoType:
        return Tilde(self.type()) if self.take("~") else self.type()

    def type(self) -> GoType:
        tok = self.peek()
        if self.is_ident():
            return self.named()
        if tok == "":
            raise _Fail
        self.pos += 1
        if tok == "*":
            return Pointer(self.type())
        if tok == "(":
            inner = self.type()
            self.expect(")")
            return inner
        if tok == "[":
            return self.slice_or_array()
        if tok == "map":
            self.expect("[")
            key = self.type()
            self.expect("]")
            return Map(key, self.type())
        if tok == "chan":
            return Chan(self.type(), "send") if self.take("<-") else Chan(self.type())
        if tok == "<-":
            self.expect("chan")
            return Chan(self.type(), "recv")
        if tok == "func":
            return self.signature()
        if tok == "struct":
            return self.struct()
        if tok == "interface":
            return self.interface()
        raise _Fail

    def named(self) -> Named:
        qualifier, name = None, self.ident()
        if self.peek() == "." and self.is_ident(1):
            self.pos += 1
            qualifier, name = name, self.ident()
        if self.peek() != "[" or self.peek(1) == "]":
            return Named(qualifier, name)
        start = self.pos
        try:
            return Named(qualifier, name, self.type_args())
        except _Fail:  # `a [N]T` in a field or parameter: the caller re-reads it as a name
            self.pos = start
            return Named(qualifier, name)

    def type_args(self) -> tuple[GoType, ...]:
        self.expect("[")
        args = [self.type()]
        while self.take(",") and self.peek() != "]":
            args.append(self.type())
        self.expect("]")
        return tuple(args)

    def slice_or_array(self) -> GoType:
        if self.take("]"):
            return Slice(self.type())
        start, depth = self.pos, 0
        while depth or self.peek() != "]":
            tok = self.peek()
            if tok == "":
                raise _Fail
            depth += (tok in "([{") - (tok in ")]}")
            self.pos += 1
        if self.pos == start:
            raise _Fail
        length = self.text[self.spans[start][0]:self.spans[self.pos - 1][1]]
        self.pos += 1
        return Array(self.type(), " ".join(length.split()))

    def signature(self) -> Func:
        params, variadic = self.parameters()
        results: tuple[GoType, ...] = ()
        if self.peek() == "(":
            results, _ = self.parameters()
        elif self.starts_result():
            results = (self.type(),)
        return Func(params, results, variadic)

    def starts_result(self) -> bool:
        tok = self.peek()
        if self.is_ident():
            return self.peek(1) != "("  # `M() N()` in a folded interface body: N is a method
        return tok in ("*", "[", "(", "<-") or tok in _KEYWORDS

    def parameters(self) -> tuple[tuple[GoType, ...], bool]:
        """A parenthesised parameter list: types only, names dropped, groups `a, b T` expanded."""
        self.expect("(")
        items: list[tuple[str | None, GoType | None, bool]] = []  # (name, type, variadic)
        while not self.take(")"):
            items.append(self.parameter())
            if not self.take(","):
                self.expect(")")
                break
        if any(name is not None for name, _, _ in items):
            items = self.group_names(items)
        types = tuple(t for _, t, _ in items)
        return types, bool(items) and items[-1][2]

    def parameter(self) -> tuple[str | None, GoType | None, bool]:
        if self.take("..."):
            return None, Slice(self.type()), True
        start = self.pos
        first = self.type()
        if self.peek() in (",", ")"):
            return None, first, False
        if not isinstance(first, Named) or first.qualifier is not None:
            raise _Fail
        self.pos = start + 1  # `name T`: re-read what followed the name as its type
        if self.take("..."):
            return self.toks[start], Slice(self.type()), True
        return self.toks[start], self.type(), False

    @staticmethod
    def group_names(items):
        """In a named list, a bare identifier is a name sharing the next written type."""
        out, pending = [], 0
        for name, type_, variadic in items:
            if name is None:
                if not (isinstance(type_, Named) and type_.qualifier is None and not type_.args):
                    raise _Fail
                pending += 1
                continue
            out.extend([(name, type_, False)] * pending + [(name, type_, variadic)])
            pending = 0
        if pending:
            raise _Fail
        return out

    def member_ends(self) -> bool:
        return self.peek() in (";", "}", "") or self.kinds[self.pos] == _TAG

    def struct(self) -> Struct:
        self.expect("{")
        fields: list[tuple[str | None, GoType]] = []
        while not self.take("}"):
            if not self.take(";"):
                fields.extend(self.field_decl())
                if self.kinds[self.pos] == _TAG:
                    self.pos += 1
        return Struct(tuple(fields))

    def field_decl(self) -> list[tuple[str | None, GoType]]:
        if not self.is_ident() or self.peek(1) == ".":
            return [(None, self.type())]  # embedded *T or pkg.T
        start = self.pos
        names = [self.ident()]
        if self.peek() == ",":
            while self.take(","):
                names.append(self.ident())
            field_type = self.type()
            return [(name, field_type) for name in names]
        self.pos = start
        embedded = self.type()
        if self.member_ends():
            return [(None, embedded)]  # T or T[A]
        self.pos = start + 1
        return [(names[0], self.type())]

    def interface(self) -> Interface:
        self.expect("{")
        methods, signatures, embeds = [], [], []
        while not self.take("}"):
            if self.take(";"):
                continue
            if self.is_ident() and self.peek(1) == "(":
                methods.append(self.ident())
                signatures.append(self.signature())
            else:
                embeds.append(self.constraint())
        return Interface(tuple(methods), tuple(embeds), tuple(signatures))


@lru_cache(maxsize=1 << 18)
def parse_type(text: str) -> GoType:
    """The type written as `text`; a leading `...T` reads as the parameter's type `[]T`."""
    try:
        parser = _Parser(text)
        if parser.take("..."):
            parsed: GoType = Slice(parser.type())
        else:
            parsed = parser.constraint()
        if parser.peek() != "":
            raise _Fail
        return parsed
    except (_Fail, RecursionError):
        return Unknown(text)


def type_text(t: GoType) -> str:
    """`t` in Go syntax, spelt as go/types spells it."""
    match t:
        case Named(qualifier, name, args):
            base = f"{qualifier}.{name}" if qualifier else name
            return f"{base}[{', '.join(map(type_text, args))}]" if args else base
        case Pointer(elem):
            return "*" + type_text(elem)
        case Slice(elem):
            return "[]" + type_text(elem)
        case Array(elem, length):
            return f"[{length}]{type_text(elem)}"
        case Map(key, value):
            return f"map[{type_text(key)}]{type_text(value)}"
        case Chan(elem, dir):
            return _chan_text(elem, dir)
        case Func():
            return "func" + _signature_text(t)
        case Struct(fields):
            return "struct{" + "; ".join(
                type_text(ft) if name is None else f"{name} {type_text(ft)}"
                for name, ft in fields) + "}"
        case Interface(methods, embeds, signatures):
            sigs = signatures + (Func(),) * (len(methods) - len(signatures))
            members = [name + _signature_text(sig) for name, sig in zip(methods, sigs)]
            return "interface{" + "; ".join(members + [type_text(e) for e in embeds]) + "}"
        case Tilde(elem):
            return "~" + type_text(elem)
        case Union(terms):
            return " | ".join(map(type_text, terms))
        case Unknown(text):
            return text
    raise TypeError(f"not a GoType: {t!r}")


def _chan_text(elem: GoType, dir: str) -> str:
    inner = type_text(elem)
    if dir == "send":
        return "chan<- " + inner
    if dir == "recv":
        return "<-chan " + inner
    # `chan <-chan T` would read as `chan<- (chan T)`: Go binds <- to the leftmost chan.
    if isinstance(elem, Chan) and elem.dir == "recv":
        return f"chan ({inner})"
    return "chan " + inner


def _signature_text(f: Func) -> str:
    params = [type_text(p) for p in f.params]
    if f.variadic and f.params and isinstance(f.params[-1], Slice):
        params[-1] = "..." + type_text(f.params[-1].elem)
    text = f"({', '.join(params)})"
    if len(f.results) == 1:
        return f"{text} {type_text(f.results[0])}"
    if f.results:
        return f"{text} ({', '.join(map(type_text, f.results))})"
    return text


def map_inner(t: GoType, inner) -> GoType:
    """`t` rebuilt with `inner` applied to each type directly inside it (a pointer's element, a
    map's key and value, a signature's parameters and results, …); a named or unknown type, or
    a constraint term, is returned as it is."""
    match t:
        case Pointer(elem):
            return Pointer(inner(elem))
        case Slice(elem):
            return Slice(inner(elem))
        case Array(elem, length):
            return Array(inner(elem), length)
        case Map(key, value):
            return Map(inner(key), inner(value))
        case Chan(elem, dir):
            return Chan(inner(elem), dir)
        case Func(params, results, variadic):
            return Func(tuple(map(inner, params)), tuple(map(inner, results)), variadic)
        case Struct(fields, package):
            return Struct(tuple((name, inner(ft)) for name, ft in fields), package)
        case Interface(methods, embeds, signatures):
            return Interface(methods, tuple(map(inner, embeds)), tuple(map(inner, signatures)))
    return t


def deref(t: GoType) -> GoType:
    """`t` with one `*` stripped, if it has one."""
    return t.elem if isinstance(t, Pointer) else t


def element_of(t: GoType) -> GoType | None:
    """The type of `x[i]` (or `<-x` for a channel) when x has type `t`; None if it has none
    here. A named type must be resolved to its underlying type first. Predeclared types may be
    qualified None (as parsed) or "" (as the resolver qualifies them)."""
    if isinstance(t, Pointer) and isinstance(t.elem, Array):
        t = t.elem
    match t:
        case Slice(elem) | Array(elem) | Chan(elem):
            return elem
        case Map(_, value):
            return value
        case Named(None | "", "string"):
            return BYTE
    return None


def range_types(t: GoType) -> tuple[GoType | None, GoType | None]:
    """The (key, value) types `for k, v := range x` gives when x has type `t`; None where the
    loop has no such variable or the type is not known here (a named type must be resolved to
    its underlying type first)."""
    if isinstance(t, Pointer) and isinstance(t.elem, Array):
        t = t.elem
    match t:
        case Slice(elem) | Array(elem):
            return INT, elem
        case Map(key, value):
            return key, value
        case Chan(elem):
            return elem, None
        case Named(None | "", "string"):
            return INT, RUNE
        case Named(None | "", name) if name in INTEGER_TYPES:
            return t, None  # Go 1.22: the variable has the operand's type
        case Named("iter", "Seq", (value,)):
            return value, None
        case Named("iter", "Seq2", (key, value)):
            return key, value
        case Func(params=(Func(params=yielded, results=(Named(None, "bool"),)),), results=()):
            return (yielded + (None, None))[:2]  # Go 1.23 range over func(yield func(K, V) bool)
    return None, None
