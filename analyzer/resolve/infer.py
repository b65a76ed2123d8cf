"""Local names and expression types inside one file's functions, without a type checker.

`FileScopes` knows, for each function and function literal of a file, the names it binds —
receiver, parameters, named results, `var` and `:=` declarations, range variables, type-switch
variables — and how each gets its type: written out, or from the expression it was bound to. A
literal sees its parent's names, as a closure captures them. Block scoping inside one function is
approximated by position: the latest binding of a name at or above the line asking wins.

`type_of` follows an `Expr` (see `analyzer.facts`) through these bindings, package-level
variables, declared results of called functions, struct fields (embedding included), element
types, type assertions and conversions. `target_of` says which function a function-valued
expression denotes, for calls of stored or passed functions.
"""
from __future__ import annotations

from bisect import bisect_right
from operator import itemgetter

from analyzer import graph
from analyzer.facts import FileFacts, Func, FuncLit, Param, VarDecl
from analyzer.gotypes import Chan, GoType, Named, Pointer, element_of, parse_type, range_types
from analyzer.gotypes import Func as FuncType
from analyzer.resolve.flow import Place
from analyzer.resolve.program import (
    NOT_CACHED, PREDECLARED_TYPES, UNIVERSE, FileContext, FuncInfo, Program, TypeInfo, VarInfo,
)

_FIRST = itemgetter(0)
# A safety net only: cycles (x := x.Next()) are cut by the cache; a chain of n calls nests 2n deep.
MAX_DEPTH = 64
INT, BOOL, STRING, RUNE = (Named(UNIVERSE, n) for n in ("int", "bool", "string", "rune"))
LITERAL_TYPES = {"int_literal": INT, "interpreted_string_literal": STRING,
                 "raw_string_literal": STRING, "rune_literal": RUNE, "true": BOOL, "false": BOOL,
                 "float_literal": Named(UNIVERSE, "float64")}


def _param_type(param: Param) -> str:
    return f"[]{param.type}" if param.variadic else param.type


def binds_value(var: VarDecl) -> bool:
    """Whether each name a local declaration gives a value is bound to that value, as go/ssa lifts
    it: untyped (f := New), or of a func type written out (var f func() = New), which the value's
    type is identical to; a named type (var f Fn = New) changes it, an interface type boxes it."""
    return len(var.values) == len(var.names) and (
        var.type is None or isinstance(parse_type(var.type), FuncType))


class FileScopes:
    def __init__(self, program: Program, context: FileContext, facts: FileFacts | None = None,
                 package_level: bool = False):
        """`facts`: the file's facts with its function bodies' (`FileFacts.whole`), when the
        caller already has them. `package_level`: only what questions asked at package level
        (scope "init", a package-level value's initialiser) need, which is no function's names:
        a name is looked up in its scope and the literals' parents, and "init" is no literal's
        child. Its function literals are known, and no body is decoded."""
        self.program = program
        self.package_level = package_level
        self.context = context
        self.parents: dict[str, str] = {}
        self.type_params: dict[str, tuple] = {}
        self.literal_results: dict[str, tuple[Param, ...]] = {}
        # scope → name → [(first line, last line or 0, binding)], then ([first lines], that list)
        self.bindings: dict[str, dict[str, list]] = {}
        self._types: dict[tuple, GoType | None] = {}
        self.bound_names: frozenset[str] = frozenset()
        if package_level:
            for lit in context.facts.func_lits:
                self.parents[lit.scope] = lit.parent
                self.literal_results[lit.scope] = lit.results
        else:
            self._index(facts if facts is not None else context.facts.whole())

    def _bind(self, scope: str, name: str | None, line: int, binding: tuple, last: int = 0) -> None:
        if name and name != "_":
            self.bindings.setdefault(scope, {}).setdefault(name, []).append((line, last, binding))

    def _bind_signature(self, func: Func | FuncLit) -> None:
        """A function's or a function literal's parameters and named results, in scope from its
        first line to its last."""
        for index, param in enumerate(func.params):
            self._bind(func.scope, param.name, func.line, ("param", _param_type(param), index),
                       func.end_line)
        for param in func.results:
            self._bind(func.scope, param.name, func.line, ("type", _param_type(param)),
                       func.end_line)

    def _index(self, facts: FileFacts) -> None:
        package = self.program.packages.get(self.context.package)
        for func in facts.funcs:
            info = None
            if package is not None:
                info = (package.methods.get(func.receiver_type, {}).get(func.name) if func.receiver_type
                        else package.funcs.get(func.name))
            params = tuple((p.name, p.constraint) for p in func.type_params)
            if info is not None and info.decl is func:
                params = self.program.type_params_of(info)
            self.type_params[func.scope] = params
            if func.receiver_name and func.receiver_type:
                receiver = ("*" if func.pointer_receiver else "") + func.receiver_type
                self._bind(func.scope, func.receiver_name, func.line, ("type", receiver),
                           func.end_line)
            self._bind_signature(func)
        for lit in facts.func_lits:
            self.parents[lit.scope] = lit.parent
            self.literal_results[lit.scope] = lit.results
            self._bind_signature(lit)
        for var in facts.vars:
            if not var.short and var.scope == "init":
                continue  # package-level: the Program has it
            for index, name in enumerate(var.names):
                if var.type is not None and not binds_value(var):
                    binding = ("type", var.type)
                elif len(var.values) == len(var.names):
                    binding = ("value", var.values[index], var.type)
                elif len(var.values) == 1:
                    binding = ("multi", var.values[0], index)
                else:
                    continue
                # Visible from the next line: in `meta, err := meta.Accessor(obj)` the callee is
                # still the package.
                self._bind(var.scope, name, var.line + 1, binding, var.visible_until)
        for loop in facts.ranges:
            if loop.define:
                for index, name in enumerate(loop.names[:2]):
                    self._bind(loop.scope, name, loop.line + 1, ("range", loop.over, index),
                               loop.visible_until)
        for switch in facts.type_switches:
            for types, first, last in switch.cases:
                self._bind(switch.scope, switch.alias, first,
                           ("case", types, switch.value, switch.line), last)
        # Each name's bindings sorted by line, with the lines alone beside them for bisect.
        for names in self.bindings.values():
            for name, entries in names.items():
                if len(entries) > 1:  # most names are bound once
                    entries.sort(key=_FIRST)
                names[name] = ([entry[0] for entry in entries], entries)
        # Most names looked up (imported packages, package-level functions) are bound nowhere in
        # the file: one set answers them without walking the scopes.
        self.bound_names = frozenset(name for names in self.bindings.values() for name in names)

    def _root_type_params(self, scope: str) -> tuple:
        while scope in self.parents:
            scope = self.parents[scope]
        return self.type_params.get(scope, ())

    def lookup(self, scope: str, name: str, line: int) -> tuple[tuple, str, int] | None:
        """(binding, scope it is in, its line) of a local name at a line, searching enclosing
        literals' parents too."""
        if name not in self.bound_names:
            return None
        current: str | None = scope
        while current is not None:
            names = self.bindings.get(current)
            found = names.get(name) if names else None
            if found:
                firsts, entries = found
                for index in range(bisect_right(firsts, line) - 1, -1, -1):  # latest first
                    first, last, binding = entries[index]
                    if not last or line <= last:
                        return binding, current, first
            current = self.parents.get(current)
        return None

    def is_local(self, scope: str, name: str, line: int) -> bool:
        return self.lookup(scope, name, line) is not None

    # --- types -------------------------------------------------------------------------------

    def canon(self, text: str, scope: str) -> GoType:
        return self.program.canon(parse_type(text), self.context, self._root_type_params(scope))

    def type_of(self, expr: tuple, scope: str, line: int, depth: int = 0) -> GoType | None:
        # By line too: a name rebound further down (a second `for _, f := range`) has another type.
        key = (expr, scope, line)
        known = self._types.get(key, NOT_CACHED)
        if known is not NOT_CACHED:
            return known
        self._types[key] = None  # a cycle meets None, not infinite recursion
        result = self._type_of(expr, scope, line, depth) if depth < MAX_DEPTH else None
        self._types[key] = result
        return result

    def _type_of(self, expr: tuple, scope: str, line: int, depth: int) -> GoType | None:
        kind = expr[0]
        program = self.program
        if kind == "id":
            found = self.lookup(scope, expr[1], line)
            if found is not None:
                binding, bound_in, bound_at = found
                # What a binding is bound to is read where it is declared, before the name
                # exists: in `in, out := &in.X, &out.X` the right-hand `in` is the outer one.
                at = bound_at - 1 if binding[0] in ("value", "multi", "range") else bound_at
                return self._binding_type(binding, bound_in, at, depth)
            return self._package_level_type(program.lookup_in_file(self.context, expr[1]))
        if kind == "sel":
            operand, name = expr[1], expr[2]
            path = self._imported_package(operand, scope, line)
            if path is not None:
                return self._package_level_type(program.lookup_package_member(path, name))
            member = program.member(self.type_of(operand, scope, line, depth + 1), name)
            return member.type if member is not None else None
        if kind == "call":
            return self._call_result(expr[1], scope, line, depth)
        if kind in ("new",):
            return Pointer(self.canon(expr[1], scope))
        if kind in ("make", "comp", "conv"):
            return self.canon(expr[1], scope)
        if kind == "assert":
            return self.canon(expr[2], scope)
        if kind in ("append", "slice"):
            return self.type_of(expr[1], scope, line, depth + 1)
        if kind == "addr":
            inner = self.type_of(expr[1], scope, line, depth + 1)
            return Pointer(inner) if inner is not None else None
        if kind == "deref":
            inner = self.type_of(expr[1], scope, line, depth + 1)
            return inner.elem if isinstance(inner, Pointer) else None
        if kind == "index":
            inner = self.type_of(expr[1], scope, line, depth + 1)
            return inner if isinstance(inner, FuncType) else self._element(inner)
        if kind == "recv":
            inner = program.underlying(self.type_of(expr[1], scope, line, depth + 1))
            return inner.elem if isinstance(inner, Chan) else None
        if kind == "func":
            results = self.literal_results.get(expr[1], ())
            return FuncType((), tuple(self.canon(_param_type(r), scope) for r in results))
        if kind == "lit":
            return LITERAL_TYPES.get(expr[1])
        return None

    def _binding_type(self, binding: tuple, scope: str, line: int, depth: int) -> GoType | None:
        kind = binding[0]
        if kind in ("type", "param"):
            return self.canon(binding[1], scope)
        if kind == "value":
            if binding[2] is not None:  # var f func() = New
                return self.canon(binding[2], scope)
            return self.type_of(binding[1], scope, line, depth + 1)
        if kind == "multi":
            value, index = binding[1], binding[2]
            if value[0] == "call":
                callee = self.type_of(value[1], scope, line, depth + 1)
                if isinstance(callee, FuncType) and index < len(callee.results):
                    return callee.results[index]
                return None
            if index == 1:
                return BOOL  # v, ok := m[k] / x.(T) / <-ch
            return self.type_of(value, scope, line, depth + 1)
        if kind == "range":
            over = self.program.underlying(self.type_of(binding[1], scope, line, depth + 1))
            return range_types(over)[binding[2]]
        if kind == "case":
            types = binding[1]
            if len(types) == 1 and types[0] != "nil":
                return self.canon(types[0], scope)
            return self.type_of(binding[2], scope, binding[3], depth + 1)  # x in switch v := x.(type)
        return None

    def _package_level_type(self, found) -> GoType | None:
        if isinstance(found, FuncInfo):
            return FuncType((), self.program.results_of(found))
        if isinstance(found, VarInfo):
            decl = found.decl
            if decl.type is not None:
                return self.program.canon_text(decl.type, found.file)
            scopes = self if found.file is self.context else file_scopes(self.program, found.file)
            if len(decl.values) == len(decl.names):
                return scopes.type_of(decl.values[found.index], "init", decl.line)
            if len(decl.values) == 1:
                return scopes._binding_type(("multi", decl.values[0], found.index), "init",
                                            decl.line, 1)
        return None

    def _call_result(self, callee: tuple, scope: str, line: int, depth: int) -> GoType | None:
        converted = self.conversion_type(callee, scope, line)
        if converted is not None:
            return converted
        if callee[0] == "index":  # an instantiated generic function, F[T](…)
            callee = callee[1]
        function = self.type_of(callee, scope, line, depth + 1)
        if isinstance(function, FuncType) and function.results:
            return function.results[0]
        return None

    def element_type(self, expr: tuple, scope: str, line: int) -> GoType | None:
        """The type of `expr[i]`."""
        return self._element(self.type_of(expr, scope, line))

    def _element(self, t: GoType | None) -> GoType | None:
        return element_of(self.program.underlying(t))

    # --- names that are not values -----------------------------------------------------------

    def _imported_package(self, operand: tuple, scope: str, line: int) -> str | None:
        """The import path when `operand` is a package name of this file, not shadowed."""
        if operand[0] != "id":
            return None
        # Most operands are not a package name: only those that are need the local scopes.
        path = self.context.imports.get(operand[1])
        if path is None or self.is_local(scope, operand[1], line):
            return None
        return path

    def conversion_type(self, callee: tuple, scope: str, line: int) -> GoType | None:
        """The type converted to when a 'call' is a conversion, T(x) or pkg.T(x)."""
        if callee[0] == "id" and not self.is_local(scope, callee[1], line):
            found = self.program.lookup_in_file(self.context, callee[1])
            if isinstance(found, TypeInfo):
                return Named(found.package, callee[1])
            if found is None and callee[1] in PREDECLARED_TYPES:
                return Named(UNIVERSE, callee[1])
        if callee[0] == "sel":
            path = self._imported_package(callee[1], scope, line)
            if path is not None and isinstance(
                    self.program.lookup_package_member(path, callee[2]), TypeInfo):
                return Named(path, callee[2])
        return None

    # --- function values ---------------------------------------------------------------------

    def closure_symbol(self, literal_scope: str) -> str:
        return self.program.symbol_of(self.context, literal_scope)

    def func_conversion_operand(self, expr: tuple, scope: str, line: int) -> tuple | None:
        """The operand of a conversion to a func type, `HandlerFunc(f)`, `pkg.F((f))`,
        `(func())(f)`: the converted value is the operand's function, as go/ssa's ChangeType
        keeps it, and not any other value of that type."""
        if len(expr) < 3:
            return None
        if expr[0] == "call":
            converted = self.conversion_type(expr[1], scope, line)
        elif expr[0] == "conv":
            converted = self.canon(expr[1], scope)
        else:
            return None
        return expr[2] if isinstance(self.program.underlying(converted), FuncType) else None

    def target_of(self, expr: tuple, scope: str, line: int, depth: int = 0) -> tuple[str, str] | None:
        """(symbol, edge kind) of the function a function-valued expression denotes, if known."""
        kind = expr[0]
        if depth > 4:
            return None
        operand = self.func_conversion_operand(expr, scope, line)
        if operand is not None:
            return self.target_of(operand, scope, line, depth + 1)
        if kind == "func":
            return self.closure_symbol(expr[1]), graph.CLOSURE
        if kind == "index":
            return self.target_of(expr[1], scope, line, depth + 1)
        if kind == "id":
            found = self.lookup(scope, expr[1], line)
            if found is not None:
                binding, bound_in, bound_at = found
                if binding[0] == "value":
                    return self.target_of(binding[1], bound_in, bound_at - 1, depth + 1)
                return None
            declared = self.program.lookup_in_file(self.context, expr[1])
            return (declared.symbol, graph.STATIC) if isinstance(declared, FuncInfo) else None
        if kind == "sel":
            path = self._imported_package(expr[1], scope, line)
            if path is not None:
                declared = self.program.lookup_package_member(path, expr[2])
                return (declared.symbol, graph.STATIC) if isinstance(declared, FuncInfo) else None
            member = self.program.member(self.type_of(expr[1], scope, line), expr[2])
            if member is None or member.kind == "field":
                return None
            return member.symbol, (graph.METHOD if member.kind == "method" else graph.INTERFACE)
        return None


    def place_of(self, expr: tuple, scope: str, line: int, depth: int = 0) -> Place | None:
        """The place (see `analyzer.resolve.flow`) that holds the value of `expr`, when it is
        one a function can be stored in: a parameter, a field, a variable, an element, a result."""
        kind = expr[0]
        if depth > 4:
            return None
        operand = self.func_conversion_operand(expr, scope, line)
        if operand is not None:
            return self.place_of(operand, scope, line, depth + 1)
        if kind == "id":
            found = self.lookup(scope, expr[1], line)
            if found is None:
                declared = self.program.lookup_in_file(self.context, expr[1])
                if isinstance(declared, VarInfo):
                    return ("var", declared.file.package, expr[1])
                return None
            binding, bound_in, bound_at = found
            if binding[0] == "param":
                return ("param", self.program.symbol_of(self.context, bound_in), binding[2])
            if binding[0] == "value":
                inner = self.place_of(binding[1], bound_in, bound_at - 1, depth + 1)
                if inner is not None:
                    return inner
            # `ctx, cancel := WithCancel(…)` makes cancel a place of its own, which the result
            # flows into (see `Resolver.resolve_file`): naming it the result would send what is
            # assigned to cancel later to every caller of WithCancel.
            if binding[0] == "multi" and binding[1][0] != "call" and binding[2] == 0:
                inner = self.place_of(binding[1], bound_in, bound_at - 1, depth + 1)
                if inner is not None:  # h, ok := m[k]: h is m's element, as `h := m[k]` is
                    return inner
            if binding[0] == "range" and binding[2] == 1:  # for _, f := range handlers
                inner = self.place_of(binding[1], bound_in, bound_at - 1, depth + 1)
                if inner is not None:
                    return ("elem", inner)
            return ("local", self.context.path, bound_in, expr[1], bound_at)
        if kind == "sel":
            path = self._imported_package(expr[1], scope, line)
            if path is not None:
                declared = self.program.lookup_package_member(path, expr[2])
                return ("var", path, expr[2]) if isinstance(declared, VarInfo) else None
            member = self.program.member(self.type_of(expr[1], scope, line), expr[2])
            if member is not None and member.kind == "field" and member.owner is not None:
                return ("field", *member.owner, expr[2])
            return None
        if kind in ("index", "recv"):  # fs[i], <-ch (and `ch <- f`, see `parse.on_send`)
            inner = self.place_of(expr[1], scope, line, depth + 1)
            return ("elem", inner) if inner is not None else None
        if kind in ("addr", "deref", "append"):
            # A pointer is the place it points to (p := &g; *p = New stores into g), as a slice
            # that append returns is the slice appended to: field-based, as VTA's nodes are.
            return self.place_of(expr[1], scope, line, depth + 1)
        if kind == "call":
            return self.result_place(expr[1], scope, line, 0, depth)
        return None

    def result_place(self, callee: tuple, scope: str, line: int, index: int,
                     depth: int = 0) -> Place | None:
        """Where result `index` of a call of `callee` is read from: the result of the function
        it names, or, for a call of a function value, what the functions at its place return."""
        target = self.target_of(callee, scope, line)
        if target is not None:
            return ("result", target[0], index)
        called = self.place_of(callee, scope, line, depth + 1)
        return ("returned", called, index) if called is not None else None


def file_scopes(program: Program, context: FileContext,
                facts: FileFacts | None = None) -> FileScopes:
    """The scopes of a file, made once per program: package-level values are typed in the file
    that declares them, whichever file asks. With `facts` (the whole facts of the file being
    resolved) every function's names are known; without, only the package level's
    (`FileScopes` package_level): a lookup from another file decodes no body, and what it keeps
    for the rest of the run is the file's function literals, not every function's names."""
    scopes = program.file_scopes.get(context.path)
    if scopes is None or (facts is not None and scopes.package_level):
        scopes = program.file_scopes[context.path] = FileScopes(program, context, facts,
                                                                package_level=facts is None)
    return scopes
