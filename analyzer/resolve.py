"""The `resolve` stage: every call site of a commit → labelled edges between go/ssa-named symbols.

One pass over each file's call sites, composite literals and assignments:

- a call is resolved by the shape of its callee (`f`, `pkg.F`, `x.M`, `func(){…}()`, `F[T]`)
  through `FileScopes` and the `Program`, and becomes a `static`, `method`, `interface`, `closure`
  or `funcvalue` edge, wrapped as `go`/`defer` when spawned or deferred; a call we cannot resolve
  is kept as an `unresolved` edge with its callee as written;
- an interface call also gets `implementation` edges to the concrete types whose methods cover the
  interface, when they are few;
- a function value passed as an argument or set as a struct field in a composite literal
  (`wait.Until(s.scheduleOne, …)`, `ResourceEventHandlerFuncs{AddFunc: c.addPod}`, cobra's
  `RunE: func…`) gets a `funcvalue` edge from where it is passed;
- a func-typed struct field collects every function stored in it (`c.syncHandler = c.syncReplicaSet`,
  literal fields); a call through the field (`c.syncHandler(key)`) gets `funcvalue` edges to them;
- likewise a named func type collects every function stored where that type is expected (a map
  of `InitFunc` filled with `controllers["replicaset"] = startReplicaSetController`), and a call of
  a variable of that type (`initFn(ctx)` in a range over the map) gets edges to them all.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from analyzer import graph
from analyzer.facts import CALL, GO, CallSite, FileFacts
from analyzer.gotypes import Func as FuncType
from analyzer.gotypes import Map, Named, Pointer
from analyzer.graph import Edge, Symbol
from analyzer.infer import FileScopes, file_scopes
from analyzer.program import BUILTIN_FUNCS, FileContext, FuncInfo, Program, TypeInfo, VarInfo, symbol_name
from analyzer.store import FileRecord

MAX_IMPLEMENTATIONS = 8  # more candidates than this say little about an interface call
MAX_STORED = 100  # a call through a field or func type fans out to at most this many functions
CONFIDENCE = {graph.STATIC: 1.0, graph.METHOD: 0.95, graph.CLOSURE: 1.0, graph.INTERFACE: 0.9,
              graph.FUNCVALUE: 0.8, graph.UNRESOLVED: 0.0}


def resolve(files: Iterable[tuple[FileRecord, FileFacts]],
            library: Iterable[tuple[FileRecord, FileFacts]] = ()) -> tuple[list[Symbol], list[Edge]]:
    """Symbols and edges of `files`; `library` (the standard library) only answers lookups."""
    files = list(files)
    program = Program.build([*files, *library])
    resolver = _Resolver(program)
    own = {record.path for record, _ in files}
    try:
        for package in program.packages.values():
            for context in package.files:
                if context.path in own:
                    resolver.resolve_file(context)
        return resolver.symbols, resolver.finish()
    finally:
        program.file_scopes.clear()  # scopes point back at the program: no cycle is left behind


class _Resolver:
    def __init__(self, program: Program):
        self.program = program
        self.symbols: list[Symbol] = []
        self.edges: list[Edge] = []
        # ("field", package, struct, field) or ("functype", package, type) → functions stored there
        self.stored: dict[tuple, set[tuple[str, str]]] = {}
        self.stored_calls: list[tuple[tuple, Edge]] = []  # calls resolved once all stores are known
        self._callers: dict[str, str] = {}  # this file's scopes → their symbols
        # This file's local function variables: those a closure captures, and direct calls of
        # them, which become funcvalue edges if the variable turns out to be captured.
        self._captured: set[tuple[str, str, int]] = set()
        self._direct_calls: list[tuple[tuple[str, str, int], int, Edge]] = []

    def resolve_file(self, context: FileContext) -> None:
        scopes = file_scopes(self.program, context)
        self._callers, self._captured, self._direct_calls = {}, set(), []
        facts = context.facts
        self._symbols(context, scopes)
        for call in facts.calls:
            caller = self._caller(scopes, call.scope)
            self._call(scopes, caller, call)
        for variable, index, edge in self._direct_calls:
            if variable in self._captured:
                spawned = edge.kind in (graph.GO, graph.DEFER)
                self.edges[index] = replace(
                    edge, kind=edge.kind if spawned else graph.FUNCVALUE,
                    via=graph.FUNCVALUE if spawned else "captured variable",
                    confidence=CONFIDENCE[graph.FUNCVALUE])
        for literal in facts.composites:
            self._composite(scopes, literal)
        for assign in facts.assigns:
            for target, value in zip(assign.targets, assign.values):
                function = scopes.target_of(value, assign.scope, assign.line)
                if function is not None:
                    self._assigned(scopes, target, assign.scope, assign.line, function)
        # Done with this file's local tables; package-level lookups rebuild them when needed.
        self.program.file_scopes.pop(context.path, None)

    def _assigned(self, scopes: FileScopes, target: tuple, scope: str, line: int,
                  function: tuple[str, str]) -> None:
        """Remember a function stored into a field, or into a place of a named func type."""
        if target[0] == "sel":
            member = self.program.member(scopes.type_of(target[1], scope, line), target[2])
            if member is not None and member.owner is not None:
                self._store(("field", *member.owner, target[2]), function)
            if member is not None:
                self._store_by_type(member.type, function)
        elif target[0] == "index":
            self._store_by_type(scopes.element_type(target[1], scope, line), function)
        elif target[0] == "id":
            self._store_by_type(scopes.type_of(target, scope, line), function)

    def _store(self, key: tuple, function: tuple[str, str]) -> None:
        self.stored.setdefault(key, set()).add(function)

    def _store_by_type(self, place_type, function: tuple[str, str]) -> None:
        key = self._functype_key(place_type)
        if key is not None:
            self._store(key, function)

    def _functype_key(self, t) -> tuple | None:
        if isinstance(t, Named) and t.qualifier and isinstance(self.program.underlying(t), FuncType):
            return ("functype", t.qualifier, t.name)
        return None

    def _caller(self, scopes: FileScopes, scope: str) -> str:
        caller = self._callers.get(scope)
        if caller is None:
            caller = self._callers[scope] = self.program.symbol_of(scopes.context, scope)
        return caller

    def _symbols(self, context: FileContext, scopes: FileScopes) -> None:
        package = context.package
        for func in context.facts.funcs:
            name = self.program.symbol_of(context, func.scope)
            kind = "method" if func.receiver_type else ("init" if func.name == "init" else "func")
            signature = "(" + ", ".join(f"{p.name + ' ' if p.name else ''}{'...' if p.variadic else ''}{p.type}"
                                        for p in func.params) + ")"
            if func.results:
                results = ", ".join(f"{r.name + ' ' if r.name else ''}{r.type}" for r in func.results)
                signature += f" ({results})" if len(func.results) > 1 or func.results[0].name else f" {results}"
            self.symbols.append(Symbol(name, kind, package, context.path, func.line, func.col,
                                       func.end_line, func.doc, signature))
        for lit in context.facts.func_lits:
            self.symbols.append(Symbol(scopes.closure_symbol(lit.scope), "closure", package,
                                       context.path, lit.line, lit.col, lit.end_line, "", ""))

    # --- calls -------------------------------------------------------------------------------

    def _edge(self, caller: str, callee: str, kind: str, call: CallSite, context: FileContext,
              via: str = "", confidence: float | None = None) -> Edge:
        if call.mode != CALL and kind not in (graph.UNRESOLVED, graph.IMPLEMENTATION):
            via, kind = kind, (graph.GO if call.mode == GO else graph.DEFER)
        edge = Edge(caller, callee, kind, context.path, call.line, call.col,
                    CONFIDENCE.get(via if kind in (graph.GO, graph.DEFER) else kind, 0.5)
                    if confidence is None else confidence, via)
        self.edges.append(edge)
        return edge

    def _call(self, scopes: FileScopes, caller: str, call: CallSite) -> None:
        context = scopes.context
        callee, scope, line = call.callee, call.scope, call.line
        if callee[0] == "index":  # F[T](…) calls F
            callee = callee[1]
        kind = callee[0]
        if kind == "func":
            self._edge(caller, scopes.closure_symbol(callee[1]), graph.CLOSURE, call, context)
        elif kind == "id":
            self._call_name(scopes, caller, call, callee[1])
        elif kind == "sel":
            self._call_selector(scopes, caller, call, callee)
        elif kind not in ("conv", "new", "make", "append"):
            self._edge(caller, call.text, graph.UNRESOLVED, call, context, via="computed callee")
        for arg in call.args:
            if arg[0] in ("id", "sel", "func", "index"):
                target = scopes.target_of(arg, scope, line)
                if target is not None:
                    self.edges.append(Edge(caller, target[0], graph.FUNCVALUE, context.path,
                                           line, call.col, CONFIDENCE[graph.FUNCVALUE],
                                           "passed as argument"))

    def _call_name(self, scopes: FileScopes, caller: str, call: CallSite, name: str) -> None:
        context = scopes.context
        bound = scopes.lookup(call.scope, name, call.line)
        if bound is not None:
            target = scopes.target_of(("id", name), call.scope, call.line)
            if target is not None:
                # A variable bound to a literal or a function is that function to go/ssa too
                # (`f := func(){…}; f()` calls the closure) unless a closure captures it, which
                # makes every call of it dynamic; a method value goes through a wrapper.
                variable = (bound[1], name, bound[2])
                if bound[1] != call.scope:
                    self._captured.add(variable)
                kind = target[1] if target[1] in (graph.CLOSURE, graph.STATIC) else graph.FUNCVALUE
                edge = self._edge(caller, target[0], kind, call, context, via="local variable")
                if kind != graph.FUNCVALUE:
                    self._direct_calls.append((variable, len(self.edges) - 1, edge))
            else:
                key = self._functype_key(scopes.type_of(("id", name), call.scope, call.line))
                self._stored_call(key, caller, call, context, "local function value")
            return
        found = self.program.lookup_in_file(context, name)
        if isinstance(found, FuncInfo):
            self._edge(caller, found.symbol, graph.STATIC, call, context)
        elif isinstance(found, VarInfo):
            self._stored_in_variable(scopes, caller, call, found)
        elif found is None and name not in BUILTIN_FUNCS and scopes.conversion_type(
                ("id", name), call.scope, call.line) is None:
            self._edge(caller, name, graph.UNRESOLVED, call, context, via="unknown name")

    def _stored_in_variable(self, scopes: FileScopes, caller: str, call: CallSite,
                            var: VarInfo) -> None:
        values = var.decl.values
        target = None
        if len(values) == len(var.decl.names):
            owner = scopes if var.file is scopes.context else file_scopes(self.program, var.file)
            target = owner.target_of(values[var.index], "init", var.decl.line)
        if target is not None:
            self._edge(caller, target[0], graph.FUNCVALUE, call, scopes.context,
                       via="package variable")
        else:
            self._edge(caller, symbol_name(var.file.package, var.decl.names[var.index]),
                       graph.UNRESOLVED, call, scopes.context, via="package variable")

    def _call_selector(self, scopes: FileScopes, caller: str, call: CallSite, callee: tuple) -> None:
        context = scopes.context
        operand, name = callee[1], callee[2]
        path = scopes._imported_package(operand, call.scope, call.line)
        if path is not None:
            found = self.program.lookup_package_member(path, name)
            if isinstance(found, FuncInfo):
                self._edge(caller, found.symbol, graph.STATIC, call, context)
            elif isinstance(found, VarInfo):
                self._stored_in_variable(scopes, caller, call, found)
            elif not isinstance(found, TypeInfo):
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
        elif member.kind == "interface method":
            self._edge(caller, member.symbol, graph.INTERFACE, call, context)
            self._implementations(caller, call, context, receiver, name)
        elif member.owner is not None and isinstance(self.program.underlying(member.type), FuncType):
            self._stored_call(("field", *member.owner, name), caller, call, context, "func field")
        else:
            self._stored_call(self._functype_key(member.type), caller, call, context, "func field")

    def _stored_call(self, key: tuple | None, caller: str, call: CallSite, context: FileContext,
                     via: str) -> None:
        """A call of whatever was stored under `key`: decided in `finish`, once all is seen."""
        edge = Edge(caller, call.text, graph.UNRESOLVED, context.path, call.line, call.col, 0.0,
                    via)
        if key is None:
            self.edges.append(edge)
        else:
            self.stored_calls.append((key, edge))

    def _implementations(self, caller: str, call: CallSite, context: FileContext, receiver,
                         name: str) -> None:
        if isinstance(receiver, Pointer):
            receiver = receiver.elem
        if not isinstance(receiver, Named):
            return
        candidates = self.program.implementations(receiver, MAX_IMPLEMENTATIONS)
        for package, type_name in candidates:
            method = self.program.packages[package].methods.get((type_name, name))
            if method is not None:
                self.edges.append(Edge(caller, method.symbol, graph.IMPLEMENTATION, context.path,
                                       call.line, call.col, round(0.5 / len(candidates), 3),
                                       f"implements {receiver.qualifier}.{receiver.name}"))

    # --- stored function values ----------------------------------------------------------------

    def _composite(self, scopes: FileScopes, literal) -> None:
        if not literal.keyed:
            return
        context = scopes.context
        caller = self._caller(scopes, literal.scope)
        composite = scopes.canon(literal.type, literal.scope)
        is_map = isinstance(self.program.underlying(composite), Map)
        for key, value in literal.keyed:
            function = scopes.target_of(value, literal.scope, literal.line)
            if function is None:
                continue
            self.edges.append(Edge(caller, function[0], graph.FUNCVALUE, context.path,
                                   literal.line, literal.col, CONFIDENCE[graph.FUNCVALUE],
                                   f"stored in {'map' if is_map else 'field'} {key}"))
            if is_map:
                self._store_by_type(self.program.underlying(composite).value, function)
                continue
            member = self.program.member(composite, key)
            if member is not None and member.owner is not None:
                self._store(("field", *member.owner, key), function)
                self._store_by_type(member.type, function)

    def finish(self) -> list[Edge]:
        """Calls through func-typed fields and func types, now that every store is known."""
        for key, edge in self.stored_calls:
            functions = self.stored.get(key)
            if not functions or len(functions) > MAX_STORED:
                self.edges.append(edge)
                continue
            confidence = round(CONFIDENCE[graph.FUNCVALUE] / max(1, len(functions) ** 0.5), 3)
            where = f"field {key[3]}" if key[0] == "field" else f"a {key[1]}.{key[2]}"
            for symbol, _ in sorted(functions):
                self.edges.append(Edge(edge.caller, symbol, graph.FUNCVALUE, edge.path, edge.line,
                                       edge.col, confidence, f"stored in {where}"))
        return self.edges
