"""Whole-program tables for one analysed commit, and the type questions the resolver asks of them.

From every file's facts it builds, per package (import path): its functions, methods, types and
package-level variables, and per file: what each import name means. On top of these it answers
"what does this type name mean here" (`canon`) and "what is `.name` of a value of this type"
(`member`: a field, a declared method, a method promoted through embedding, or an interface
method), without a type checker.

Types are `analyzer.gotypes` values whose `Named.qualifier` is the import path after `canon`
("" for Go's predeclared types). When a package defines a name in several files, the file that is
in the default build (linux/amd64) wins, as it would for the go tool.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.buildtags import COMMANDS, BuildContext, matches
from analyzer.facts import FileFacts, Func, TypeDecl, VarDecl
from analyzer.gotypes import (
    GoType, Interface, Named, Pointer, Struct, Unknown, map_inner, parse_type, type_text,
)
from analyzer.gotypes import Func as FuncType

UNIVERSE = ""  # qualifier of predeclared types
BUILTIN_FUNCS = frozenset({
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
    "min", "new", "panic", "print", "println", "real", "recover",
})
PREDECLARED_TYPES = frozenset({
    "any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32", "float64",
    "int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16",
    "uint32", "uint64", "uintptr",
})
ERROR = Named(UNIVERSE, "error")
MAX_DEPTH = 8  # embedding and alias chains deeper than this are taken as cycles
NOT_CACHED = object()  # not yet in a cache whose values may be None


@dataclass(eq=False)
class FileContext:
    """One file as its package sees it: its import names and whether the default build has it."""

    path: str
    package: str
    facts: FileFacts
    in_build: bool
    imports: dict[str, str] = field(default_factory=dict)  # name used in the file → import path
    dot_imports: tuple[str, ...] = ()
    init_offset: int = 0  # init functions its package declares in files before this one
    closure_offset: int = 0  # function literals of package-level initialisers in those files


@dataclass(frozen=True, eq=False)
class FuncInfo:
    symbol: str  # go/ssa name
    package: str
    decl: Func
    file: FileContext


@dataclass(frozen=True, eq=False)
class TypeInfo:
    package: str
    decl: TypeDecl
    file: FileContext


@dataclass(frozen=True, eq=False)
class VarInfo:
    decl: VarDecl
    index: int  # which of decl.names
    file: FileContext


@dataclass(eq=False)
class Package:
    path: str
    name: str
    files: list[FileContext] = field(default_factory=list)
    funcs: dict[str, FuncInfo] = field(default_factory=dict)
    types: dict[str, TypeInfo] = field(default_factory=dict)
    methods: dict[str, dict[str, FuncInfo]] = field(default_factory=dict)  # by receiver type, then name
    vars: dict[str, VarInfo] = field(default_factory=dict)
    init_count: int = 0
    closure_count: int = 0  # function literals of package-level initialisers (init$N), see renumbered_scope


@dataclass(frozen=True)
class Member:
    """What `x.name` is, for a value x of some type."""

    kind: str  # "method", "interface method", "field"
    type: GoType | None = None  # the field's type, or the method's result types as a FuncType
    func: FuncInfo | None = None  # for a declared method
    symbol: str = ""  # for methods: the callee's go/ssa name
    # for fields: the struct (package, name) declaring it, or ("", its type spelt out) for a struct
    # type written out; for interface methods, the interface
    owner: tuple[str, str] | None = None


def _anonymous(struct: Struct) -> tuple[str, str]:
    """The owner of a field of a struct type written out (`struct{ fn func() }`), which has no
    name: the type itself, spelt out, so that every mention of an identical type meets its
    fields (`x.fn = f` in one function, `x.fn()` in another); with an unexported field, the
    type of one package only (`Struct.package`)."""
    return struct.package, type_text(struct)


def _spelt_in(t: GoType, context: FileContext) -> GoType:
    """`t` as written in `context`'s package: a struct type with an unexported field is that
    package's own."""
    if isinstance(t, Struct) and not all(name[:1].isupper() for name in t.field_names()):
        return Struct(t.fields, context.package)
    return t


def symbol_name(package: str, scope: str) -> str:
    """`(*Scheduler).scheduleOne$1` in package p → `(*p.Scheduler).scheduleOne$1`."""
    if scope.startswith("(*"):
        return f"(*{package}.{scope[2:]}"
    if scope.startswith("("):
        return f"({package}.{scope[1:]}"
    return f"{package}.{scope}"


def default_import_name(import_path: str) -> str:
    """The name an import binds when the imported package is not indexed: its last element,
    without a major-version suffix or a `go-` prefix (`gopkg.in/yaml.v2` → `yaml`)."""
    parts = import_path.split("/")
    last = parts[-1]
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        last = parts[-2]
    last = last.split(".")[0]
    return last.removeprefix("go-").replace("-", "_")


class Program:
    def __init__(self) -> None:
        self.packages: dict[str, Package] = {}
        self._canon: dict[tuple[str, str, tuple], GoType] = {}
        self._members: dict[tuple[GoType, str], Member | None] = {}
        self._results: dict[int, tuple[GoType, ...]] = {}
        self.file_scopes: dict[str, object] = {}  # path → infer.FileScopes, filled as needed

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, files: Iterable[tuple[object, FileFacts]],
              build: BuildContext = COMMANDS) -> Program:
        """From (store.FileRecord, facts) pairs."""
        program = cls()
        contexts = []
        for record, facts in files:
            if record.import_path is None or facts.package is None:
                continue
            if facts.package.endswith("_test") and record.path.endswith("_test.go"):
                continue  # an external test package (`package http_test`): another package
            in_build = matches(record.path, facts.build_constraint, build)
            contexts.append(FileContext(record.path, record.import_path, facts, in_build))
        # Files in the default build first, then by name (go/ssa numbers init#N in file order).
        contexts.sort(key=lambda c: (not c.in_build, c.path))
        for context in contexts:
            program._add_file(context)
        for package in program.packages.values():
            for context in package.files:
                program._bind_imports(context)
        return program

    def _add_file(self, context: FileContext) -> None:
        facts = context.facts
        package = self.packages.get(context.package)
        if package is None:
            package = self.packages[context.package] = Package(context.package, facts.package)
        elif package.name != facts.package and context.in_build and not package.files[0].in_build:
            package.name = facts.package
        package.files.append(context)
        context.init_offset = package.init_count
        context.closure_offset = package.closure_count
        package.closure_count += sum(1 for literal in facts.func_lits
                                     if literal.scope.startswith("init$")
                                     and "$" not in literal.scope[5:])
        for func in facts.funcs:
            scope = func.scope
            if scope.startswith("init#"):
                package.init_count += 1
                scope = self.renumbered_scope(context, scope)
            info = FuncInfo(symbol_name(context.package, scope), context.package, func, context)
            if func.receiver_type is None:
                package.funcs.setdefault(func.name if not scope.startswith("init#") else scope, info)
            else:
                package.methods.setdefault(func.receiver_type, {}).setdefault(func.name, info)
        for decl in facts.types:
            package.types.setdefault(decl.name, TypeInfo(context.package, decl, context))
        for var in facts.vars:
            if var.scope.startswith("init") and not var.short:
                for index, name in enumerate(var.names):
                    package.vars.setdefault(name, VarInfo(var, index, context))

    def _bind_imports(self, context: FileContext) -> None:
        dots = []
        for imp in context.facts.imports:
            if imp.alias == ".":
                dots.append(imp.path)
            elif imp.alias == "_":
                continue
            else:
                path = imp.path
                if "." not in context.package.split("/", 1)[0] and "vendor/" + path in self.packages:
                    path = "vendor/" + path  # the standard library importing what it vendors
                imported = self.packages.get(path)
                name = imp.alias or (imported.name if imported else default_import_name(path))
                context.imports[name] = path
        context.dot_imports = tuple(dots)

    def renumbered_scope(self, context: FileContext, scope: str) -> str:
        """A file's `init#k…` scope, or `init$k…` (a function literal in a package-level
        initialiser: `var _ = Describe("…", func() {…})` in each of a package's files), as its
        package numbers it: across the package's files, in their order. That is go/ssa's order
        for `init#k`; go/ssa numbers the literals of initialisers in initialisation order
        (types.Info.InitOrder), which is source order unless an initialiser depends on a variable
        declared after it (`var y = func() int { return z }()` before `var z = …`: go/ssa's
        init$1 is z's literal, ours y's)."""
        if scope.startswith("init#"):
            number, _, rest = scope[5:].partition("$")
            return f"init#{context.init_offset + int(number)}" + (f"${rest}" if rest else "")
        if scope.startswith("init$") and context.closure_offset:
            number, dollar, rest = scope[5:].partition("$")
            return f"init${context.closure_offset + int(number)}{dollar}{rest}"
        return scope

    def symbol_of(self, context: FileContext, scope: str) -> str:
        """The go/ssa name of the function (or closure) a file's `scope` denotes."""
        return symbol_name(context.package, self.renumbered_scope(context, scope))

    # --- names -------------------------------------------------------------------------------

    def lookup_package_member(self, import_path: str, name: str):
        """A package-level func, type or var of an indexed package, or None."""
        package = self.packages.get(import_path)
        if package is None:
            return None
        return package.funcs.get(name) or package.types.get(name) or package.vars.get(name)

    def lookup_in_file(self, context: FileContext, name: str):
        """An unqualified package-level name as the file sees it (its package, then dot imports)."""
        found = self.lookup_package_member(context.package, name)
        if found is None:
            for path in context.dot_imports:
                found = self.lookup_package_member(path, name)
                if found is not None:
                    break
        return found

    def canon(self, t: GoType, context: FileContext, type_params: tuple = ()) -> GoType:
        """Qualify every named type in `t` by import path, as `context`'s file means it.

        `type_params` are (name, constraint text) pairs in scope: a type parameter stands for its
        constraint, which is what the resolver can know of its methods."""
        key = (context.path, t, type_params)
        cached = self._canon.get(key)
        if cached is None:
            cached = self._canon[key] = self._canon_uncached(t, context, type_params, 0)
        return cached

    def canon_text(self, text: str, context: FileContext, type_params: tuple = ()) -> GoType:
        return self.canon(parse_type(text), context, type_params)

    def _canon_uncached(self, t: GoType, context: FileContext, type_params: tuple,
                        depth: int) -> GoType:
        if depth > MAX_DEPTH:
            return Unknown("too deep")

        def again(inner: GoType) -> GoType:
            return self._canon_uncached(inner, context, type_params, depth + 1)

        if isinstance(t, Named):
            if t.qualifier is not None and t.qualifier != UNIVERSE:
                path = context.imports.get(t.qualifier)
                return Named(path, t.name, tuple(map(again, t.args))) if path else Unknown(
                    f"{t.qualifier}.{t.name}")
            if t.qualifier == UNIVERSE:
                return t
            for name, constraint in type_params:
                if name == t.name:
                    return again(parse_type(constraint))
            found = self.lookup_in_file(context, t.name)
            if isinstance(found, TypeInfo):
                return Named(found.package, t.name, tuple(map(again, t.args)))
            if t.name in PREDECLARED_TYPES:
                return Named(UNIVERSE, t.name)
            return Unknown(t.name)
        return _spelt_in(map_inner(t, again), context)

    def type_info(self, t: Named) -> TypeInfo | None:
        package = self.packages.get(t.qualifier or "")
        return package.types.get(t.name) if package else None

    def underlying(self, t: GoType, depth: int = 0) -> GoType:
        """Follow aliases and defined types down to a type literal (struct, interface, map…)."""
        while isinstance(t, Named) and depth < MAX_DEPTH:
            if t == ERROR:
                return Interface(("Error",))
            info = self.type_info(t)
            if info is None or info.decl.kind in ("struct", "interface"):
                return t
            t = self.canon(parse_type(info.decl.underlying), info.file,
                           tuple((p.name, p.constraint) for p in info.decl.type_params))
            depth += 1
        return t

    # --- members -----------------------------------------------------------------------------

    def results_of(self, func: FuncInfo) -> tuple[GoType, ...]:
        """A function's result types, canonical in its own file."""
        cached = self._results.get(id(func))
        if cached is None:
            cached = self._results[id(func)] = tuple(
                self.canon_text(r.type, func.file, self.type_params_of(func)) for r in func.decl.results)
        return cached

    def type_params_of(self, func: FuncInfo) -> tuple:
        params = tuple((p.name, p.constraint) for p in func.decl.type_params)
        if func.decl.receiver_type:
            receiver = self.packages[func.package].types.get(func.decl.receiver_type)
            if receiver is not None:
                params += tuple((p.name, p.constraint) for p in receiver.decl.type_params)
        return params

    def member(self, t: GoType | None, name: str) -> Member | None:
        if t is None:
            return None
        key = (t, name)
        found = self._members.get(key, NOT_CACHED)  # one lookup: hashing a type runs Python code
        if found is NOT_CACHED:
            found = self._members[key] = self._member(t, name, 0)
        return found

    def _member(self, t: GoType, name: str, depth: int) -> Member | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(t, Pointer):
            t = t.elem
        if isinstance(t, Named):
            if t == ERROR:
                return Member("interface method", FuncType((), (Named(UNIVERSE, "string"),)),
                              symbol=f"(error).{name}", owner=(UNIVERSE, "error")) if name == "Error" else None
            package = self.packages.get(t.qualifier or "")
            if package is None:
                return None
            method = package.methods.get(t.name, {}).get(name)
            if method is not None:
                return Member("method", FuncType((), self.results_of(method)), method,
                              method.symbol)
            info = package.types.get(t.name)
            if info is None:
                return None
            decl = info.decl
            params = tuple((p.name, p.constraint) for p in decl.type_params)
            if decl.kind == "struct":
                return self._struct_member(t, decl, info.file, params, name, depth)
            if decl.kind == "interface":
                return self._interface_member(t, decl, info.file, params, name, depth)
            found = self._member(self.underlying(t), name, depth + 1)
            # A defined type keeps its underlying type's fields and interface methods, not its
            # declared methods; an alias keeps everything.
            if found is not None and (decl.kind == "alias" or found.kind != "method"):
                return found
            return None
        if isinstance(t, Interface):
            if name in t.methods:
                signature = t.signatures[t.methods.index(name)] if t.signatures else FuncType()
                return Member("interface method", signature, symbol=f"(interface).{name}")
            for embedded in t.embeds:
                found = self._member(embedded, name, depth + 1)
                if found is not None:
                    return found
            return None
        if isinstance(t, Struct):
            for field_name, field_type in t.fields:
                if field_name == name:
                    return Member("field", field_type, owner=_anonymous(t))
            for field_name, field_type in t.fields:
                if field_name is None:
                    found = self._member(field_type, name, depth + 1)
                    if found is not None:
                        return found
        return None

    def field_at(self, t: GoType | None, index: int) -> tuple[str, Member] | None:
        """The name and the member of the field in position `index` of struct type `t` (an
        element of a literal `T{f, g}`); an embedded field is named by its type."""
        if isinstance(t, Pointer):
            t = t.elem
        if isinstance(t, Named):
            info = self.type_info(t)
            if info is None:
                return None
            if info.decl.kind != "struct":
                return self.field_at(self.underlying(t), index) if info.decl.kind in (
                    "alias", "named") and self.underlying(t) != t else None
            fields = info.decl.fields
            if not 0 <= index < len(fields):
                return None
            name = fields[index].name or fields[index].type.rpartition(".")[2]
            member = self._struct_member(t, info.decl, info.file, tuple(
                (p.name, p.constraint) for p in info.decl.type_params), name, 0)
            return (name, member) if member is not None else None
        if isinstance(t, Struct) and 0 <= index < len(t.fields):
            name = t.field_names()[index]
            return (name, Member("field", t.fields[index][1], owner=_anonymous(t))) if name else None
        return None

    def _struct_member(self, t: Named, decl: TypeDecl, context: FileContext, params: tuple,
                       name: str, depth: int) -> Member | None:
        for f in decl.fields:
            if f.name == name:
                return Member("field", self.canon_text(f.type, context, params),
                              owner=(t.qualifier, t.name))
        for f in decl.fields:
            if f.embedded:
                embedded = self.canon_text(f.type, context, params)
                if isinstance(embedded, Named) and embedded.name == name:
                    # The embedded field itself, x.T: a field of t like another.
                    return Member("field", embedded, owner=(t.qualifier, t.name))
                found = self._member(embedded, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _interface_member(self, t: Named, decl: TypeDecl, context: FileContext, params: tuple,
                          name: str, depth: int) -> Member | None:
        for method in decl.methods:
            if method.name == name:
                results = tuple(self.canon_text(r.type, context, params) for r in method.results)
                return Member("interface method", FuncType((), results),
                              symbol=f"({t.qualifier}.{t.name}).{name}", owner=(t.qualifier, t.name))
        for embedded in decl.embeds:
            found = self._member(self.canon_text(embedded, context, params), name, depth + 1)
            if found is not None:
                return found
        return None
