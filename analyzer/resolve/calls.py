"""Call sites → labelled edges, one file at a time, then the calls that wait for the whole program.

Each call is resolved by the shape of its callee (`f`, `pkg.F`, `x.M`, `func(){…}()`, `F[T]`)
through `FileScopes` and the `Program`, and becomes a `static`, `method`, `interface`, `closure`
or `funcvalue` edge, wrapped as `go`/`defer` when spawned or deferred; a call we cannot resolve is
kept as an `unresolved` edge with its callee as written.

- An interface call gets one `interface` edge to `(pkg.Iface).M`, the interface the call goes
  through; the concrete methods it can reach are found by method sets (`methodsets`) and kept once
  per interface method as `Implements` rows, not once per call site.
- Function values are followed as data (`flow`): what is stored into fields, parameters, results,
  variables and elements, and what flows from one of those places into another. A call of a place
  waits until every file was read; `finish` then gives it a `funcvalue` edge to each function that
  reaches it, and passes the call's own function arguments on into those functions' parameters
  and what they return on to where the call's result goes (`f := pick(); f()`).
- Such a call also gets a `signature` edge to its function type, and the functions whose value is
  taken anywhere are listed by type: where none of the functions that reach it is in a command's
  view, queries fall back on those of the right type, as Go's RTA does.
- A function passed as an argument or stored in a composite literal also gets a `funcvalue` edge
  from where it is passed (`wait.Until(s.scheduleOne, …)`), so a reader sees who hands it on.
- The types each function creates (composite literals, `new`, conversions) are recorded for rapid
  type analysis (`rta`), and Kubernetes idioms for typed annotations.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from analyzer import graph
from analyzer.facts import CALL, GO, CallSite, CompositeLit
from analyzer.gotypes import Func as FuncType
from analyzer.gotypes import Array, Map, Named, Pointer, Slice, Struct, element_of, type_text
from analyzer.graph import Annotation, Edge, Implements, Symbol
from analyzer.resolve.flow import FlowGraph, Place
from analyzer.resolve.infer import FileScopes, binds_value, file_scopes
from analyzer.resolve.methodsets import MethodSets
from analyzer.resolve.program import (
    BUILTIN_FUNCS, UNIVERSE, FileContext, FuncInfo, Program, TypeInfo, VarInfo,
)

CONFIDENCE = {graph.STATIC: 1.0, graph.METHOD: 0.95, graph.CLOSURE: 1.0, graph.INTERFACE: 0.9,
              graph.FUNCVALUE: 0.8, graph.UNRESOLVED: 0.0}
MAX_REACHING = 200  # a call of a place more functions reach than this is left unresolved
FLOW_ROUNDS = 6  # arguments of dynamic calls passed on into their callees, at most this often
MAX_ELEMENT_DEPTH = 4  # a result type's elements looked into for a function type, at most
COBRA_FIELDS = frozenset({"Run", "RunE", "PreRun", "PreRunE", "PersistentPreRun",
                          "PersistentPreRunE", "PostRun", "PostRunE"})
INFORMER_FIELDS = frozenset({"AddFunc", "UpdateFunc", "DeleteFunc"})
SCHEDULER_FRAMEWORK = "k8s.io/kubernetes/pkg/scheduler/framework"


@dataclass
class Resolution:
    """What resolving a commit yields, beside its files' facts."""

    symbols: list[Symbol] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    implements: list[Implements] = field(default_factory=list)
    created: dict[str, set[str]] = field(default_factory=dict)  # function → types it creates
    annotations: list[Annotation] = field(default_factory=list)
    signatures: list[tuple[str, str]] = field(default_factory=list)  # (func type, function)
    programs: list = field(default_factory=list)  # rta.CommandProgram of each command


@dataclass
class FileResults:
    """What `Resolver.resolve_file` added to a resolver, as plain data (plain tuples for the many
    edges, which pickle faster than named ones): how a resolver forked to take a share of the
    files hands its work to the one that finishes (`absorb`). The files' symbols are not in it:
    `declare` made them all before the fork."""

    edges: list[tuple]
    created: dict[str, set[str]]
    annotations: list[Annotation]
    stores: dict[Place, set[str]]  # the flow graph's
    flows: dict[Place, set[Place]]
    value_calls: list[tuple]  # _ValueCall fields, the edge as a tuple
    interfaces: dict[str, tuple[Named, str]]
    embedded_interface_methods: dict[str, tuple[Named, str]]


@dataclass
class Found:
    """What `Resolver.finish` finds once every edge is known, as plain data that pickles fast
    (implements rows as plain tuples)."""

    implements: list[tuple]
    annotations: list[Annotation]
    signatures: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class _ValueCall:
    """A call of whatever reaches `place` (or, failing that, the func type `fallback`)."""

    place: Place | None
    fallback: Place | None
    edge: Edge  # unresolved, as a template: its callee is the call as written
    mode: str  # CALL, GO or DEFER
    signature: str | None  # the function type called, as go/types spells it
    arguments: tuple[tuple[int, object], ...]  # (index, function symbol or place)


class Resolver:
    def __init__(self, program: Program):
        self.program = program
        self.methods = MethodSets(program)
        self.out = Resolution()
        self.flow = FlowGraph()
        self.value_calls: list[_ValueCall] = []
        self.interfaces: dict[str, tuple[Named, str]] = {}  # (pkg.I).M → (I, M)
        self._functions: dict[str, FuncInfo] | None = None  # go/ssa name → declared function
        self._parameters: dict[str, dict[int, Place]] = {}  # see _parameter_types
        self._literals: dict[str, tuple] = {}  # closure → (file, FuncLit), for its signature
        self._callers: dict[str, str] = {}  # this file's scopes → their symbols
        # This file's local function variables: those a closure captures, and direct calls of
        # them, which become funcvalue edges if the variable turns out to be captured.
        self._captured: set[tuple[str, str, int]] = set()
        self._direct_calls: list[tuple[tuple[str, str, int], int, Edge]] = []
        # The locals bound to a value that an assignment changes (f := New; f = Other): a call of
        # one calls whatever its place holds, not the value it was bound to.
        self._reassigned: set[tuple[str, str, int]] = set()
        self._elements: dict[tuple[int, int], CompositeLit] = {}  # this file's, by position
        # This file's written literal types (text, scope) → the element types down from each.
        self._element_types: dict[tuple[str, str], list] = {}

    # --- one file ----------------------------------------------------------------------------

    def declare(self, contexts: list[FileContext]) -> None:
        """The symbols of the functions and function literals of `contexts`, in file order:
        they need no call resolved, so they are known before any is (and final from then on)."""
        for context in contexts:
            self._symbols(context)

    def resolve_file(self, context: FileContext) -> None:
        """The edges of a file's call sites and what they store and create (its symbols come
        from `declare`)."""
        # The bodies' facts are decoded here, file by file, and dropped with the file.
        facts = context.facts.whole()
        scopes = file_scopes(self.program, context, facts)
        self._callers, self._captured, self._direct_calls = {}, set(), []
        self._reassigned = _reassigned_locals(scopes, facts.assigns)
        self._elements = {(literal.line, literal.col): literal for literal in facts.composites
                          if literal.keyed}
        self._element_types = {}
        for call in facts.calls:
            self._call(scopes, self._caller(scopes, call.scope), call)
        edges = self.out.edges
        for variable, index, edge in self._direct_calls:
            if variable in self._captured:
                spawned = edge.kind in (graph.GO, graph.DEFER)
                edges[index] = edge._replace(
                    kind=edge.kind if spawned else graph.FUNCVALUE,
                    via=graph.FUNCVALUE if spawned else "captured variable",
                    confidence=CONFIDENCE[graph.FUNCVALUE])
        for literal in facts.composites:
            self._composite(scopes, literal)
        for assign in facts.assigns:
            if len(assign.values) == 1 < len(assign.targets) and assign.values[0][0] == "call":
                # w.ctx, w.cancel = WithCancel(); `h, ok = m[k]` is zipped below: h gets m's element.
                self._flow_results(scopes, assign.values[0], [
                    (scopes.place_of(target, assign.scope, assign.line),
                     scopes.type_of(target, assign.scope, assign.line))
                    for target in assign.targets], assign.scope, assign.line)
                continue
            for target, value in zip(assign.targets, assign.values):
                place = scopes.place_of(target, assign.scope, assign.line)
                if place is not None:
                    self._flow_into(scopes, place, value, assign.scope, assign.line,
                                    scopes.type_of(target, assign.scope, assign.line))
        for ret in facts.returns:
            function = self._caller(scopes, ret.scope)
            if len(ret.values) == 1 and ret.values[0][0] == "call":
                # return WithDeadline(…): each result of the call is one of the function's.
                results = self._result_count(scopes, ret.scope, function)
                if results > 1:
                    self._flow_results(scopes, ret.values[0], [
                        (("result", function, index), None) for index in range(results)],
                        ret.scope, ret.line)
                    continue
            for index, value in enumerate(ret.values):
                self._flow_into(scopes, ("result", function, index), value, ret.scope, ret.line)
        for var in facts.vars:
            if len(var.values) == 1 < len(var.names):
                # ctx, cancel := WithCancel(…): each name a local place (see `place_of`); at
                # package level (var h, herr = mk()) each a package variable.
                at_init = var.scope == "init" and not var.short
                self._flow_results(scopes, var.values[0], [
                    (("var", context.package, name), scopes.type_of(("id", name), "init", var.line))
                    if at_init else (("local", context.path, var.scope, name, var.line + 1), None)
                    for name in var.names], var.scope, var.line)
            if var.type is not None and not var.values:  # var buf bytes.Buffer
                self._created(self._caller(scopes, var.scope), scopes.canon(var.type, var.scope))
            if var.scope == "init" and not var.short and len(var.values) == len(var.names):
                for name, value in zip(var.names, var.values):
                    self._flow_into(scopes, ("var", context.package, name), value, "init",
                                    var.line)
            elif len(var.values) == len(var.names):
                # table := map[string]func(){…}: the literal's elements are the local's (a local
                # bound to another value is that value's place, see `place_of`). A local declared
                # with a type that changes its value (var f Fn = New, see `binds_value`) is a
                # place of its own, which its value flows into as an assignment's does.
                for name, value in zip(var.names, var.values):
                    local = ("local", context.path, var.scope, name, var.line + 1)
                    if not binds_value(var):
                        self._flow_into(scopes, local, value, var.scope, var.line,
                                        scopes.canon(var.type, var.scope))
                    elif value[0] == "comp":
                        self._flow_elements(scopes, local, value, var.scope, var.line)
                    elif ((var.scope, name, var.line + 1) in self._reassigned
                          and scopes.place_of(("id", name), var.scope, var.line + 1) == local):
                        self._flow_into(scopes, local, value, var.scope, var.line)
        # Done with this file's local tables; package-level lookups rebuild them when needed.
        self.program.file_scopes.pop(context.path, None)

    def _caller(self, scopes: FileScopes, scope: str) -> str:
        caller = self._callers.get(scope)
        if caller is None:
            caller = self._callers[scope] = self.program.symbol_of(scopes.context, scope)
        return caller

    def _symbols(self, context: FileContext) -> None:
        package = context.package
        for func in context.facts.funcs:
            name = self.program.symbol_of(context, func.scope)
            kind = "method" if func.receiver_type else ("init" if func.name == "init" else "func")
            signature = "(" + ", ".join(f"{p.name + ' ' if p.name else ''}{'...' if p.variadic else ''}{p.type}"
                                        for p in func.params) + ")"
            if func.results:
                results = ", ".join(f"{r.name + ' ' if r.name else ''}{r.type}" for r in func.results)
                signature += f" ({results})" if len(func.results) > 1 or func.results[0].name else f" {results}"
            self.out.symbols.append(Symbol(name, kind, package, context.path, func.line, func.col,
                                           func.end_line, func.doc, signature))
        for lit in context.facts.func_lits:
            symbol = self.program.symbol_of(context, lit.scope)
            self._literals[symbol] = (context, lit)  # for its signature, in `finish`
            self.out.symbols.append(Symbol(symbol, "closure", package, context.path, lit.line,
                                           lit.col, lit.end_line, "", ""))

    # --- files resolved by another process -----------------------------------------------------

    def file_results(self) -> FileResults:
        """Everything `resolve_file` added so far (to a resolver that resolved nothing else)."""
        out = self.out
        return FileResults(
            list(map(tuple, out.edges)), out.created,
            out.annotations, self.flow.functions, self.flow.flows,
            [(call.place, call.fallback, tuple(call.edge), call.mode, call.signature,
              call.arguments) for call in self.value_calls],
            self.interfaces, self.methods.embedded_interface_methods)

    def absorb(self, results: FileResults) -> None:
        """Take in what another resolver's `resolve_file` found for its files, as if this one
        had resolved them next."""
        out = self.out
        out.edges.extend(map(Edge._make, results.edges))
        for function, types in results.created.items():
            out.created.setdefault(function, set()).update(types)
        out.annotations.extend(results.annotations)
        self.flow.absorb(results.stores, results.flows)
        self.value_calls.extend(
            _ValueCall(place, fallback, Edge._make(edge), mode, signature, arguments)
            for place, fallback, edge, mode, signature, arguments in results.value_calls)
        for symbol, found in results.interfaces.items():
            self.interfaces.setdefault(symbol, found)
        for symbol, found in results.embedded_interface_methods.items():
            self.methods.embedded_interface_methods.setdefault(symbol, found)

    # --- function values as data ---------------------------------------------------------------

    def _flow_into(self, scopes: FileScopes, place: Place, value: tuple, scope: str, line: int,
                   place_type=None) -> None:
        """Whatever function `value` is, or holds, is stored into `place` (and into its named
        func type, which every value of that type can be called through)."""
        target = self._functype_key(place_type)
        if target is not None:
            self.flow.flow(place, target)
        if value[0] == "comp":
            self._flow_elements(scopes, place, value, scope, line)
            return
        function = self._target(scopes, value, scope, line)
        if function is not None:
            self.flow.store(place, function[0])
            return
        source = scopes.place_of(value, scope, line)
        if source is not None:
            self.flow.flow(source, place)

    def _flow_elements(self, scopes: FileScopes, place: Place, value: tuple, scope: str,
                       line: int) -> None:
        """A map, slice or array literal kept in `place`: its elements' functions are the
        elements of `place` (`var handlers = map[string]func(){"a": a}` then `handlers[k]()`),
        as Go's VTA follows a literal's elements to the index expressions that read them."""
        literal = self._elements.get(value[2:4]) if len(value) > 2 else None
        if literal is None:
            return
        container = self.program.underlying(self._literal_type(scopes, literal))
        if not isinstance(container, (Map, Slice, Array)):
            return
        element_type = container.value if isinstance(container, Map) else container.elem
        for _, element in literal.keyed:
            self._flow_into(scopes, ("elem", place), element, scope, line, element_type)

    def _result_count(self, scopes: FileScopes, scope: str, function: str) -> int:
        if scope in scopes.literal_results:
            return len(scopes.literal_results[scope])
        info = self._function_info(function)
        return len(info.decl.results) if info is not None else 0

    def _flow_results(self, scopes: FileScopes, value: tuple, targets: list, scope: str,
                      line: int) -> None:
        """`a, b = f()`: each result of f flows into the place assigned it (and into its named
        func type), as go/ssa's extracts of a tuple do, not the first alone."""
        first = scopes.result_place(value[1], scope, line, 0) if value[0] == "call" else None
        if first is None:
            return
        for index, (place, place_type) in enumerate(targets):
            if place is None:
                continue
            self.flow.flow((*first[:2], index), place)
            typed = self._functype_key(place_type)
            if typed is not None:
                self.flow.flow(place, typed)

    def _target(self, scopes: FileScopes, expr: tuple, scope: str, line: int):
        """`scopes.target_of`, remembering method values of interfaces (`r.MustRegister` for an
        interface-typed r): a call of one is an interface call, to expand like any other."""
        target = scopes.target_of(expr, scope, line)
        if target is not None and target[1] == graph.INTERFACE and target[0] not in self.interfaces:
            receiver, _, name = target[0].rpartition(".")
            package, _, interface = receiver.strip("()").rpartition(".")
            if package:
                self.interfaces[target[0]] = (Named(package, interface), name)
        return target

    def _value_kind(self, function: str) -> str:
        """The kind of an edge calling a function value: an interface method value dispatches."""
        return graph.INTERFACE if function in self.interfaces else graph.FUNCVALUE

    def _function_info(self, function: str) -> FuncInfo | None:
        if self._functions is None:
            self._functions = {info.symbol: info for package in self.program.packages.values()
                               for info in (*package.funcs.values(),
                                            *(m for by_name in package.methods.values() for m in by_name.values()))}
        return self._functions.get(function)

    def _parameter_types(self, function: str) -> dict[int, Place]:
        """Parameter index → named func type key, for the parameters of `function` that have one."""
        found = self._parameters.get(function)
        if found is None:
            info = self._function_info(function)
            found = {}
            if info is not None:
                params = self.program.type_params_of(info)
                for index, param in enumerate(info.decl.params):
                    key = self._functype_key(self.program.canon_text(param.type, info.file, params))
                    if key is not None:
                        found[index] = key
            self._parameters[function] = found
        return found

    def _functype_key(self, t) -> Place | None:
        if isinstance(t, Named) and t.qualifier and isinstance(self.program.underlying(t), FuncType):
            return ("functype", t.qualifier, t.name)
        return None

    def _arguments(self, scopes: FileScopes, call: CallSite) -> tuple[tuple[int, object], ...]:
        """The call's arguments that are, or may hold, functions: (index, symbol or place)."""
        out = []
        for index, arg in enumerate(call.args):
            if arg[0] not in ("id", "sel", "func", "index", "call", "conv", "addr"):
                continue
            function = self._target(scopes, arg, call.scope, call.line)
            if function is not None:
                out.append((index, function[0]))
                continue
            place = scopes.place_of(arg, call.scope, call.line)
            if place is not None:
                out.append((index, place))
        return tuple(out)

    def _pass(self, callee: str, arguments: tuple[tuple[int, object], ...]) -> bool:
        """Store a call's function arguments into its callee's parameters (and, for a parameter
        of a named func type, into that type)."""
        changed = False
        for index, value in arguments:
            place = ("param", callee, index)
            typed = self._parameter_types(callee).get(index)
            if typed is not None:
                changed = self.flow.flow(place, typed) or changed
            if isinstance(value, str):
                if value not in self.flow.functions.get(place, ()):
                    self.flow.store(place, value)
                    changed = True
            else:
                changed = self.flow.flow(value, place) or changed
        return changed

    # --- calls ---------------------------------------------------------------------------------

    def _edge(self, caller: str, callee: str, kind: str, call: CallSite, context: FileContext,
              via: str = "", confidence: float | None = None) -> Edge:
        if call.mode != CALL and kind != graph.UNRESOLVED:
            via, kind = kind, (graph.GO if call.mode == GO else graph.DEFER)
        edge = Edge(caller, callee, kind, context.path, call.line, call.col,
                    CONFIDENCE.get(via if kind in (graph.GO, graph.DEFER) else kind, 0.5)
                    if confidence is None else confidence, via)
        self.out.edges.append(edge)
        return edge

    def _call(self, scopes: FileScopes, caller: str, call: CallSite) -> None:
        context = scopes.context
        callee = call.callee
        arguments = self._arguments(scopes, call)
        kind = callee[0]
        if kind == "index":
            if scopes.target_of(callee[1], call.scope, call.line) is not None:
                callee, kind = callee[1], callee[1][0]  # F[T](…) calls F
            elif (generic := scopes.conversion_type(callee[1], call.scope, call.line)) is not None:
                self._converted(scopes, caller, call, generic)  # Set[int](nil) converts
                kind = None
            elif self._names_unindexed_member(scopes, callee[1], call):
                # maps.Keys[M](m), ext.Set[string](nil) of a package not indexed: a generic
                # function or type (or a variable's element), unresolved as maps.Keys(m) is.
                callee = callee[1]
                kind = "sel"
            else:  # handlers[name](…) calls what the map or slice holds
                self._call_place(scopes, caller, call, scopes.place_of(callee, call.scope, call.line),
                                 scopes.element_type(callee[1], call.scope, call.line),
                                 "element", arguments)
                kind = None
        if kind == "func":
            symbol = scopes.closure_symbol(callee[1])
            self._edge(caller, symbol, graph.CLOSURE, call, context)
            self._pass(symbol, arguments)
        elif kind == "id":
            self._call_name(scopes, caller, call, callee[1], arguments)
        elif kind == "sel":
            self._call_selector(scopes, caller, call, callee, arguments)
        elif kind in ("call", "conv") and (converted := self._target(scopes, callee, call.scope,
                                                                     call.line)) is not None:
            # HandlerFunc(f)(…): a call of the converted function, a dynamic call to go/ssa.
            self._edge(caller, converted[0], self._value_kind(converted[0]), call, context,
                       via="converted function")
            self._pass(converted[0], arguments)
        elif kind == "call":  # F()(…): a call of what F returns
            self._call_place(scopes, caller, call, scopes.place_of(callee, call.scope, call.line),
                             None, "returned function", arguments)
        elif kind == "new":
            self._created(caller, scopes.canon(callee[1], call.scope))
        elif kind == "conv":
            self._converted(scopes, caller, call, scopes.canon(callee[1], call.scope))
        elif kind not in (None, "make", "append"):
            self._edge(caller, call.text, graph.UNRESOLVED, call, context, via="computed callee")
        # Joiner(IC, IC): one edge per function passed, however often the call passes it.
        for value in dict.fromkeys(value for _, value in arguments if isinstance(value, str)):
            self.out.edges.append(Edge(caller, value, graph.FUNCVALUE, context.path, call.line,
                                       call.col, CONFIDENCE[graph.FUNCVALUE], "passed as argument"))

    def _created(self, function: str, t) -> None:
        """Record that `function` makes a value of named type `t` (or *t), for RTA."""
        if isinstance(t, Pointer):
            t = t.elem
        if isinstance(t, Named) and t.qualifier and t.qualifier != UNIVERSE:
            self.out.created.setdefault(function, set()).add(f"{t.qualifier}.{t.name}")

    def _converted(self, scopes: FileScopes, caller: str, call: CallSite, t) -> None:
        """T(x): a value of T is made; converting a function to a named func type stores it."""
        self._created(caller, t)
        key = self._functype_key(t)
        if key is not None and call.args:
            self._flow_into(scopes, key, call.args[0], call.scope, call.line)

    def _call_name(self, scopes: FileScopes, caller: str, call: CallSite, name: str,
                   arguments) -> None:
        context = scopes.context
        bound = scopes.lookup(call.scope, name, call.line)
        if bound is not None:
            variable = (bound[1], name, bound[2])
            target = (None if variable in self._reassigned
                      else self._target(scopes, ("id", name), call.scope, call.line))
            if target is not None:
                # A variable bound to a literal or a function is that function to go/ssa too
                # (`f := func(){…}; f()` calls the closure) unless a closure captures it, which
                # makes every call of it dynamic; a method value goes through a wrapper.
                if bound[1] != call.scope:
                    self._captured.add(variable)
                kind = (target[1] if target[1] in (graph.CLOSURE, graph.STATIC)
                        else self._value_kind(target[0]))
                edge = self._edge(caller, target[0], kind, call, context, via="local variable")
                self._pass(target[0], arguments)
                if kind in (graph.CLOSURE, graph.STATIC):
                    self._direct_calls.append((variable, len(self.out.edges) - 1, edge))
            else:
                self._call_place(scopes, caller, call,
                                 scopes.place_of(("id", name), call.scope, call.line),
                                 scopes.type_of(("id", name), call.scope, call.line),
                                 "local function value", arguments)
            return
        found = self.program.lookup_in_file(context, name)
        if isinstance(found, FuncInfo):
            self._edge(caller, found.symbol, graph.STATIC, call, context)
            self._pass(found.symbol, arguments)
        elif found is None and name == "append" and call.args:
            self._appended(scopes, call)
        elif isinstance(found, VarInfo):
            self._call_variable(scopes, caller, call, found, arguments)
        elif isinstance(found, TypeInfo):
            self._converted(scopes, caller, call, Named(found.package, name))
        elif found is None and name not in BUILTIN_FUNCS and scopes.conversion_type(
                ("id", name), call.scope, call.line) is None:
            self._edge(caller, name, graph.UNRESOLVED, call, context, via="unknown name")

    def _appended(self, scopes: FileScopes, call: CallSite) -> None:
        """append(fs, f, g): f and g become elements of fs's place (and so of the slice append
        returns, see `FileScopes.place_of`), read by `for _, f := range fs` and `fs[i]()`."""
        place = scopes.place_of(call.args[0], call.scope, call.line)
        if place is None:
            return
        for value in call.args[1:]:
            self._flow_into(scopes, ("elem", place), value, call.scope, call.line)

    def _call_variable(self, scopes: FileScopes, caller: str, call: CallSite, var: VarInfo,
                       arguments) -> None:
        """A call of a package-level variable: its initialiser, and whatever is stored in it."""
        values = var.decl.values
        if len(values) == len(var.decl.names):
            owner = scopes if var.file is scopes.context else file_scopes(self.program, var.file)
            target = self._target(owner, values[var.index], "init", var.decl.line)
            if target is not None:
                self._edge(caller, target[0], self._value_kind(target[0]), call, scopes.context,
                           via="package variable")
                self._pass(target[0], arguments)
                return
        name = var.decl.names[var.index]
        self._call_place(scopes, caller, call, ("var", var.file.package, name),
                         scopes.type_of(("id", name), "init", var.decl.line)
                         if var.file is scopes.context else None,
                         "package variable", arguments)

    def _names_unindexed_member(self, scopes: FileScopes, expr: tuple, call: CallSite) -> bool:
        """Whether `expr` is `pkg.Name` of an imported package that is not indexed."""
        if expr[0] != "sel":
            return False
        path = scopes._imported_package(expr[1], call.scope, call.line)
        return path is not None and path not in self.program.packages

    def _call_selector(self, scopes: FileScopes, caller: str, call: CallSite, callee: tuple,
                       arguments) -> None:
        context = scopes.context
        operand, name = callee[1], callee[2]
        path = scopes._imported_package(operand, call.scope, call.line)
        if path is not None:
            found = self.program.lookup_package_member(path, name)
            if isinstance(found, FuncInfo):
                self._edge(caller, found.symbol, graph.STATIC, call, context)
                self._pass(found.symbol, arguments)
                if name.startswith("Register") and name.endswith("Server"):
                    self.out.annotations.append(Annotation(caller, graph.GRPC_REGISTRATION,
                                                           found.symbol))
            elif isinstance(found, VarInfo):
                self._call_variable(scopes, caller, call, found, arguments)
            elif isinstance(found, TypeInfo):
                self._converted(scopes, caller, call, Named(path, name))
            else:
                why = "package not indexed" if path not in self.program.packages else "no such name"
                self._edge(caller, f"{path}.{name}", graph.UNRESOLVED, call, context, via=why)
            return
        receiver = scopes.type_of(operand, call.scope, call.line)
        member = self.program.member(receiver, name)
        if member is None:
            why = "receiver type unknown" if receiver is None else "no such member"
            self._edge(caller, call.text, graph.UNRESOLVED, call, context, via=why)
        elif member.kind == "method":
            self._edge(caller, member.symbol, graph.METHOD, call, context)
            self._pass(member.symbol, arguments)
        elif member.kind == "interface method":
            self._call_interface(caller, call, context, receiver, member, name, arguments)
        else:
            place = ("field", *member.owner, name) if member.owner is not None else None
            self._call_place(scopes, caller, call, place, member.type, "func field", arguments)

    def _call_interface(self, caller: str, call: CallSite, context: FileContext, receiver,
                        member, name: str, arguments) -> None:
        """`x.M()` on an interface: the edge names the interface the call goes through, which
        decides the implementations (an embedding interface has fewer than the embedded one).
        Its function arguments are stored in the interface method's parameters, which `finish`
        passes on into each implementation's (`_link_interface_parameters`)."""
        if isinstance(receiver, Pointer):
            receiver = receiver.elem
        interface = receiver if (isinstance(receiver, Named)
                                 and self.methods.interface_methods(receiver)) else None
        if interface is None and member.owner is not None:
            interface = Named(*member.owner)
        if interface is None:
            self._edge(caller, member.symbol, graph.INTERFACE, call, context)
            return
        symbol = (f"({interface.name}).{name}" if interface.qualifier == UNIVERSE
                  else f"({interface.qualifier}.{interface.name}).{name}")
        self.interfaces.setdefault(symbol, (Named(interface.qualifier, interface.name), name))
        self._edge(caller, symbol, graph.INTERFACE, call, context)
        self._pass(symbol, arguments)
        # An argument that is a call no function's result answers (a conversion,
        # `q.Pop(PopProcessFunc(c.Process))`) is not followed: any value of the parameter's
        # named func type may be it, as a call of that parameter assumed when nothing else
        # reached it.
        passed = {index for index, _ in arguments}
        opaque = [index for index, arg in enumerate(call.args)
                  if arg[0] in ("call", "conv") and index not in passed]
        signature = (self.methods.interface_methods(interface) or {}).get(name) if opaque else None
        for index in opaque if signature is not None else ():
            typed = (self._functype_key(signature.params[index])
                     if index < len(signature.params) else None)
            if typed is not None:
                self.flow.flow(typed, ("param", symbol, index))

    def _call_place(self, scopes: FileScopes, caller: str, call: CallSite, place: Place | None,
                    place_type, via: str, arguments) -> None:
        """A call of a function value: decided in `finish`, once every store is known."""
        edge = Edge(caller, call.text, graph.UNRESOLVED, scopes.context.path, call.line, call.col,
                    0.0, via)
        fallback = self._functype_key(self.program.underlying(place_type)
                                      if isinstance(place_type, Pointer) else place_type)
        signature = self._signature_text(place_type)
        if place is None and fallback is None and signature is None:
            self.out.edges.append(edge)
        else:
            self.value_calls.append(_ValueCall(place, fallback, edge, call.mode, signature,
                                               arguments))

    def _signature_text(self, t) -> str | None:
        """`func(…) …` of a func-typed value, normal; None when the type is not known here."""
        t = self.program.underlying(t) if isinstance(t, Named) else t
        if not isinstance(t, FuncType):
            return None
        text = type_text(self.methods.normal(t))
        return None if "?" in text else text

    # --- composite literals ------------------------------------------------------------------------

    def _composite(self, scopes: FileScopes, literal) -> None:
        context = scopes.context
        caller = self._caller(scopes, literal.scope)
        composite = self._literal_type(scopes, literal)
        if not literal.depth:
            self._created(caller, composite)
        if not literal.keyed:
            return
        underlying = self.program.underlying(composite)
        is_map = isinstance(underlying, Map)
        info = self.program.type_info(underlying) if isinstance(underlying, Named) else None
        is_struct = isinstance(underlying, Struct) or (info is not None and info.decl.kind == "struct")
        # []func(){IC, IC} stores IC twice at one position: one edge says so.
        stored: set[tuple[str, str]] = set()
        for key, value in literal.keyed:
            if isinstance(key, int):
                # T{f, g}: an unkeyed element of a struct literal is its field in that position.
                field = self.program.field_at(underlying, key) if is_struct else None
                name, member = field if field is not None else (None, None)
            else:
                # A slice's or an array's key is an index, not a field name.
                name = None if isinstance(underlying, (Slice, Array)) else key
                member = None if is_map or name is None else self.program.member(composite, key)
            function = self._target(scopes, value, literal.scope, literal.line)
            if function is not None:
                via = (f"stored in map {key}" if is_map else f"stored in field {name}" if name else
                       "stored in a field" if is_struct else "stored in an element")
                if (function[0], via) not in stored:
                    stored.add((function[0], via))
                    self.out.edges.append(Edge(caller, function[0], graph.FUNCVALUE, context.path,
                                               literal.line, literal.col,
                                               CONFIDENCE[graph.FUNCVALUE], via))
            if is_map:
                place = self._functype_key(underlying.value)
                if place is not None:
                    self._flow_into(scopes, place, value, literal.scope, literal.line)
                    if function is not None and place[2] == "InitFunc":
                        self._annotate(function[0], graph.CONTROLLER_INITIALISER, place[2])
                continue
            if member is None or member.owner is None:
                continue
            self._flow_into(scopes, ("field", *member.owner, name), value, literal.scope,
                            literal.line, member.type)
            if function is not None:
                if name in COBRA_FIELDS and member.owner[1] == "Command":
                    self._annotate(function[0], graph.COBRA_COMMAND, name)
                elif name in INFORMER_FIELDS:
                    self._annotate(function[0], graph.INFORMER_HANDLER, name)

    def _literal_type(self, scopes: FileScopes, literal: CompositeLit):
        """The type of a composite literal; of `{f, g}` in []T{{f, g}}, the element type of the
        literal around it (a *T element's `{…}` is &T{…})."""
        if not literal.depth:
            return scopes.canon(literal.type, literal.scope)
        # Every literal inside a written one steps down from the same written type: the steps are
        # kept, so that literals nested N deep cost N steps, not N²/2.
        key = (literal.type, literal.scope)
        down = self._element_types.get(key)
        if down is None:
            down = self._element_types[key] = [scopes.canon(literal.type, literal.scope)]
        while len(down) <= literal.depth:
            down.append(element_of(self.program.underlying(down[-1])))
        composite = down[literal.depth]
        return composite.elem if isinstance(composite, Pointer) else composite

    def _annotate(self, symbol: str, kind: str, detail: str) -> None:
        self.out.annotations.append(Annotation(symbol, kind, detail))

    # --- the whole program ---------------------------------------------------------------------

    def finish(self, elsewhere: Callable[[Callable[[], Found]], Found] | None = None
               ) -> Resolution:
        """Calls of function values, now that every store is known; implementations of every
        interface called. `elsewhere(find)`, when given, runs `find` and returns what it
        found, in another process perhaps: every edge is known by then, so the caller may store
        them meanwhile."""
        addressed = self._value_call_edges()
        # Nothing reads the flow graph (nor its solution) or the value calls any more: freed
        # before `elsewhere` forks, which would otherwise keep them in two processes' pages.
        self.flow, self.value_calls, self._parameters = FlowGraph(), [], {}
        return self.take((elsewhere or _here)(lambda: self._found(addressed)))

    def take(self, found: Found) -> Resolution:
        """The resolution with what `finish` found (here or in another process) added."""
        out = self.out
        out.implements.extend(map(Implements._make, found.implements))
        out.annotations.extend(found.annotations)
        out.signatures.extend(found.signatures)
        return out

    def _value_call_edges(self) -> set[str]:
        """The edges of the calls of function values; the functions whose value is taken."""
        self.flow.note_fallbacks(call.place for call in self.value_calls
                                 if call.fallback is not None and call.place is not None)
        self._pass_dynamic_arguments()
        solved = self.flow.solve()
        for call in self.value_calls:
            functions, where = self._called_functions(call, solved)
            edge = call.edge
            if call.signature is not None:
                self.out.edges.append(edge._replace(
                    callee=call.signature, kind=_spawned(call.mode, graph.SIGNATURE),
                    via=graph.SIGNATURE if call.mode != CALL else edge.via,
                    confidence=CONFIDENCE[graph.FUNCVALUE]))
            if not functions or len(functions) > MAX_REACHING:
                if call.signature is None:
                    self.out.edges.append(edge)
                continue
            # Every function kept in a map or slice is called when a loop calls its elements
            # (`for _, initFn := range controllers`); one held in a field or parameter is one
            # of those that reach it.
            spread = 1 if call.place and call.place[0] == "elem" else len(functions) ** 0.5
            confidence = round(CONFIDENCE[graph.FUNCVALUE] / max(1, spread), 3)
            kind = _spawned(call.mode, graph.FUNCVALUE)
            via = f"stored in {_describe(where)}" if call.mode == CALL else graph.FUNCVALUE
            for symbol in sorted(functions):
                dispatch = self._value_kind(symbol) == graph.INTERFACE
                self.out.edges.append(Edge(
                    edge.caller, symbol, graph.INTERFACE if dispatch and kind == graph.FUNCVALUE
                    else kind, edge.path, edge.line, edge.col, confidence,
                    graph.INTERFACE if dispatch and kind != graph.FUNCVALUE else via))
        return set().union(*solved.values()) if solved else set()

    def _called_functions(self, call: _ValueCall, solved: dict[Place, set[str]]) -> tuple[set[str], Place]:
        """The functions a call of a function value runs and the place they are named after:
        those reaching its place, and those of its named func type when nothing else does or
        only element flows do (see `FlowGraph.solve`)."""
        functions = solved.get(call.place, set()) if call.place is not None else set()
        if call.fallback is not None and (
                not functions or call.place in self.flow.reached_by_elements_only):
            return {*functions, *solved.get(call.fallback, ())}, call.fallback
        return functions, call.place

    def _found(self, addressed: set[str]) -> Found:
        """The implementations of the interfaces called and the signatures of the functions
        whose value is taken, as plain data: what `finish` adds to the resolution last, and
        may have found in another process."""
        found = Found([], [], [])
        self._implementations(found)
        self._signatures(addressed, found)
        found.implements = list(map(tuple, found.implements))
        return found

    def _signatures(self, addressed: set[str], found: Found) -> None:
        """(signature, function) of every function whose value is taken somewhere: what a
        call through a function type may run when no store was seen to reach it."""
        for function in sorted(addressed):
            signature = self._function_signature(function)
            if signature is not None:
                found.signatures.append((signature, function))

    def _function_signature(self, function: str) -> str | None:
        info = self._function_info(function)
        if info is not None:
            return self._signature_text(self.methods.signature_of(info))
        literal = self._literals.get(function)
        if literal is None:
            return None
        context, lit = literal
        params = tuple(self.program.canon_text(("[]" if p.variadic else "") + p.type, context)
                       for p in lit.params)
        results = tuple(self.program.canon_text(r.type, context) for r in lit.results)
        return self._signature_text(
            FuncType(params, results, bool(lit.params) and lit.params[-1].variadic))

    def _pass_dynamic_arguments(self) -> None:
        """A function passed to a call of a function value reaches the parameters of every
        function called there; that can make more calls resolve, so repeat a few times."""
        with_arguments = [call for call in self.value_calls if call.arguments]
        interface_parameters = self._interface_parameters()
        readers = self._result_readers()
        self._link_results({}, [reader for reader in readers if reader[1][0] == "result"])
        readers = [reader for reader in readers if reader[1][0] == "returned"]
        for _ in range(FLOW_ROUNDS):
            solved = self.flow.solve()
            changed = self._link_interface_parameters(solved, interface_parameters)
            changed = self._link_results(solved, readers) or changed
            for call in with_arguments:
                functions, _ = self._called_functions(call, solved)
                if len(functions) > MAX_REACHING:
                    continue
                for function in functions:
                    changed = self._pass(function, call.arguments) or changed
            if not changed:
                return

    def _result_readers(self) -> list[tuple[Place, Place, int]]:
        """Where the results of dynamic calls are read (`f := pick(); f()`, `h := m.Handler()`):
        (the place read, the call's result place under its elements, how many elements down),
        for a call of a function value ("returned") or through an interface method whose result
        can hold a function ("result" of it); a declared function's result needs no link."""
        read = {*self.flow.flows, *(call.place for call in self.value_calls)}
        read.update(value for call in self.value_calls for _, value in call.arguments
                    if not isinstance(value, str))
        out, seen = [], set()
        while read:
            place = read.pop()
            root, depth = place, 0
            while root is not None and root[0] == "elem":
                root, depth = root[1], depth + 1
            if root is None or place in seen:
                continue
            seen.add(place)
            if root[0] == "returned":
                out.append((place, root, depth))
                read.add(root[1])  # g()(): what the call of g returns is a reader too
            elif root[0] == "result" and self._interface_result(root[1], root[2]):
                out.append((place, root, depth))
        return out

    def _interface_result(self, symbol: str, index: int) -> bool:
        """Whether `symbol` is an interface method whose result `index` can hold a function."""
        interface, name = self._interface_method(symbol)
        methods = self.methods.interface_methods(interface) if interface is not None else None
        signature = (methods or {}).get(name)
        if signature is None or index >= len(signature.results):
            return False
        held = signature.results[index]
        for _ in range(MAX_ELEMENT_DEPTH):
            held = self.program.underlying(held)
            if isinstance(held, FuncType):
                return True
            held = element_of(held)
        return False

    def _interface_method(self, symbol: str) -> tuple[Named | None, str]:
        """(interface, method) of `(pkg.I).M`, as the calls through it registered it or spelt
        out; (None, "") for any other function."""
        found = self.interfaces.get(symbol)
        if found is not None:
            return found
        receiver, _, name = symbol.rpartition(".")
        package, _, interface = receiver.strip("()").rpartition(".")
        if not package or not receiver.startswith("(") or receiver.startswith("(*"):
            return None, ""
        return Named(package, interface), name

    def _link_results(self, solved: dict[Place, set[str]],
                      readers: list[tuple[Place, Place, int]]) -> bool:
        """Each reader of a dynamic call's result gets the results of the functions called
        there, as Go's VTA links a call's value to its callees' returns: those that reach the
        called place ("returned"; an interface method value among them dispatches), or the
        implementations of the interface method ("result")."""
        changed = False
        for place, (kind, called, index), depth in readers:
            if kind == "result":
                callees = self._implementing(called)
            else:
                functions = solved.get(called, ())
                if len(functions) > MAX_REACHING:
                    continue
                callees = [method for function in functions
                           for method in (self._implementing(function)
                                          if function in self.interfaces else (function,))]
            for callee in callees:
                source = ("result", callee, index)
                for _ in range(depth):
                    source = ("elem", source)
                changed = self.flow.flow(source, place) or changed
        return changed

    def _implementing(self, symbol: str) -> list[str]:
        """The methods that implement interface method `symbol`."""
        interface, name = self._interface_method(symbol)
        if interface is None:
            return []
        return [method for implementation in self.methods.implementations(interface)
                if (method := implementation.callee(name)) is not None]

    def _interface_parameters(self) -> dict[Place, tuple[Named, str, int]]:
        """The parameters of the interface methods called: place → (interface, method, index)."""
        out = {}
        for symbol, (interface, name) in self.interfaces.items():
            signature = (self.methods.interface_methods(interface) or {}).get(name)
            for index in range(len(signature.params) if signature is not None else 0):
                out[("param", symbol, index)] = (interface, name, index)
        return out

    def _link_interface_parameters(self, solved: dict[Place, set[str]],
                                   parameters: dict[Place, tuple[Named, str, int]]) -> bool:
        """A function passed to an interface method (`queue.Pop(func(obj interface{}) error
        {…})`) reaches that parameter of each implementation (DeltaFIFO's and FIFO's Pop call
        it as `process(item)`), as Go's VTA passes a call's arguments to each callee it finds
        there. Each parameter that a function reaches is linked once (and dropped)."""
        changed = False
        for place in [place for place in parameters if place in solved]:
            interface, name, index = parameters.pop(place)
            for implementation in self.methods.implementations(interface):
                method = implementation.callee(name)
                if method is not None:
                    target = ("param", method, index)
                    changed = self.flow.flow(place, target) or changed
                    typed = self._parameter_types(method).get(index)
                    if typed is not None:
                        self.flow.flow(target, typed)
        return changed

    def _implementations(self, found: Found) -> None:
        """Implements rows of every interface method called, and of those that implementations
        reach through an embedded interface (a call then dispatches twice)."""
        done: set[str] = set()
        embedded = self.methods.embedded_interface_methods  # only grows
        taken = 0  # how many of its entries are in self.interfaces already
        while len(done) < len(self.interfaces):
            for symbol in sorted(set(self.interfaces) - done):
                done.add(symbol)
                self._implementations_of(found, symbol, *self.interfaces[symbol])
                if len(embedded) > taken:
                    for method, interface_method in itertools.islice(embedded.items(), taken, None):
                        self.interfaces.setdefault(method, interface_method)
                    taken = len(embedded)

    def _implementations_of(self, found: Found, symbol: str, interface: Named,
                            name: str) -> None:
        for implementation in self.methods.implementations(interface):
            method = implementation.callee(name)
            if method is None:
                continue
            found.implements.append(Implements(
                symbol, method, implementation.type_symbol, implementation.pointer_only,
                implementation.other_platform, implementation.test_double))
            if (interface.qualifier == SCHEDULER_FRAMEWORK and interface.name.endswith("Plugin")
                    and name != "Name"):  # the extension point, on the method that runs it
                found.annotations.append(Annotation(method, graph.SCHEDULER_PLUGIN,
                                                    interface.name))


def _here(find: Callable[[], Found]) -> Found:
    return find()


def _spawned(mode: str, kind: str) -> str:
    return graph.GO if mode == GO else graph.DEFER if mode != CALL else kind


def _describe(place: Place) -> str:
    kind = place[0]
    if kind == "field":
        return f"field {place[3]}"
    if kind == "functype":
        return f"a {place[1]}.{place[2]}"
    if kind == "param":
        return f"parameter {place[2]} of {place[1]}"
    if kind == "result":
        return f"the result of {place[1]}"
    if kind == "var":
        return f"variable {place[1]}.{place[2]}"
    if kind == "elem":
        return f"an element of {_describe(place[1])}"
    if kind == "returned":
        return f"what {_describe(place[1])} returns"
    return f"local {place[3]}"


def _reassigned_locals(scopes: FileScopes, assigns) -> set[tuple[str, str, int]]:
    """(scope, name, line bound from) of each local bound to a value (`f := New`) that a later
    assignment (`f = Other`, in its scope or a literal's) changes."""
    found = set()
    for assign in assigns:
        for target in assign.targets:
            if target[0] != "id":
                continue
            bound = scopes.lookup(assign.scope, target[1], assign.line)
            if bound is not None and bound[0][0] == "value":
                found.add((bound[1], target[1], bound[2]))
    return found
