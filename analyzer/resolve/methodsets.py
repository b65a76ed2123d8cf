"""Method sets and interface satisfaction, by Go's rules rather than by method names.

A concrete type implements an interface when the method set of the type (or of its pointer, which
is what a call through an interface reaches when `&T{}` was stored) has every method of the
interface with an identical signature. Here:

- the method set of `*T` holds T's methods with either receiver; that of `T` only value receivers;
- methods are promoted through embedded fields, shallower first: an embedded `S` lends `T` its
  value methods and `*T` all of them, an embedded `*S` lends both all of them, an embedded
  interface lends both its methods;
- signatures are compared as types: every named type qualified by import path, aliases followed
  to what they name, `byte`/`rune`/`any` spelt as `uint8`/`int32`/`interface{}`. A type the
  resolver cannot know (an unindexed package's alias, a type parameter) matches anything, so that
  what cannot be decided is kept rather than dropped.

The answer for one interface is a list of `Implementation`s, each naming the declared function a
call of each method reaches, and what the resolver knows of the type (built on linux/amd64 or not,
declared in a package that exists for tests).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from analyzer.gotypes import (
    Array, Chan, GoType, Interface, Map, Named, Pointer, Slice, Struct, Unknown, map_inner,
)
from analyzer.gotypes import Func as FuncType
from analyzer.resolve.program import ERROR, MAX_DEPTH, UNIVERSE, FuncInfo, Program, TypeInfo

# A type parameter is compared as this: it matches whatever it is instantiated with.
_TYPE_PARAMETER = "?"
_SPELLINGS = {"byte": Named(UNIVERSE, "uint8"), "rune": Named(UNIVERSE, "int32"),
              "any": Interface()}
# Last elements of import paths whose packages exist to fake or test other code.
_TEST_PACKAGE_NAMES = frozenset({"fake", "fakes", "testing", "testutil", "testutils", "testhelper",
                                 "testhelpers", "testserver", "testsupport", "testdata", "e2e"})


def is_test_double(import_path: str, type_name: str, path: str) -> bool:
    """Whether a type exists for tests: declared in a package for tests (`…/fake`, `…/testing`,
    `…/testutil`, `…/podtest`), in a `fake*.go` file, or named as Kubernetes names its fakes
    (`events.FakeRecorder`, `testing.FakeIPVS`)."""
    parts = import_path.split("/")
    return (type_name.startswith("Fake") or os.path.basename(path).startswith("fake")
            or any(part in _TEST_PACKAGE_NAMES or part.startswith("fake") or part.endswith("test")
                   for part in parts[1:]))


@dataclass(frozen=True, slots=True)
class Implementation:
    """A concrete type that implements an interface, and where each method call lands."""

    package: str
    type_name: str
    pointer_only: bool  # only *T has the whole method set
    methods: tuple[tuple[str, str], ...]  # (method name, go/ssa name of the declared function)
    other_platform: bool  # the type, or a method it needs, is not built on linux/amd64
    test_double: bool  # a fake or other type that exists for tests (see is_test_double)

    @property
    def type_symbol(self) -> str:
        return f"{self.package}.{self.type_name}"

    def callee(self, method: str) -> str | None:
        for name, symbol in self.methods:
            if name == method:
                return symbol
        return None


@dataclass(frozen=True, slots=True)
class _Method:
    symbol: str
    # A declared method's signature is worked out only when an interface asks for its name
    # (`MethodSets.signature`): the method name index holds every type's method set, and most
    # of their signatures are never compared.
    func: FuncInfo | None  # the declared method; None for one of an embedded interface
    signature: FuncType | None  # the embedded interface's method's; None for a declared one
    pointer_receiver: bool  # needs *T (declared on *T, or promoted through a value S from *S)
    in_build: bool


class MethodSets:
    """Method sets of every type of a Program, and the implementations of its interfaces."""

    def __init__(self, program: Program):
        self.program = program
        self._sets: dict[tuple[str, str], dict[str, _Method]] = {}
        self._interfaces: dict[Named, dict[str, FuncType] | None] = {}
        self._implementations: dict[Named, tuple[Implementation, ...]] = {}
        self._by_method_name: dict[str, set[tuple[str, str]]] | None = None
        self._normal: dict[GoType, GoType] = {}
        self._signatures: dict[int, FuncType] = {}  # id of a FuncInfo → its signature
        # Methods promoted from an embedded interface: a call lands in that interface's method
        # and dispatches again. Their go/ssa-style names → (interface, method name).
        self.embedded_interface_methods: dict[str, tuple[Named, str]] = {}

    # --- types as go/types compares them -----------------------------------------------------

    def normal(self, t: GoType, depth: int = 0) -> GoType:
        """`t` with aliases followed and predeclared synonyms spelt one way."""
        cached = self._normal.get(t)
        if cached is None:
            cached = self._normal[t] = self._normalize(t, depth)
        return cached

    def _normalize(self, t: GoType, depth: int) -> GoType:
        # `depth` counts aliases followed, the only way round in a cycle; not levels of a type's
        # structure, which is finite. Counting those made a type first met deep inside another
        # `too deep` in the cache for good, whatever asked for it next.
        if depth > MAX_DEPTH:
            return Unknown("too deep")
        again = lambda inner: self.normal(inner, depth)  # noqa: E731
        if isinstance(t, Named):
            if t.qualifier == UNIVERSE:
                return _SPELLINGS.get(t.name, t)
            info = self.program.type_info(t)
            if info is not None and info.decl.kind == "alias":
                return self.normal(self.program.canon_text(info.decl.underlying, info.file,
                                                           _unknown_params(info)), depth + 1)
            return Named(t.qualifier, t.name, tuple(map(again, t.args))) if t.args else t
        return map_inner(t, again)

    def signature_of(self, func: FuncInfo) -> FuncType:
        """A declared function's signature, canonical and normal."""
        cached = self._signatures.get(id(func))
        if cached is None:
            cached = self._signatures[id(func)] = self._signature_of(func)
        return cached

    def signature(self, method: _Method) -> FuncType:
        return method.signature if method.func is None else self.signature_of(method.func)

    def _signature_of(self, func: FuncInfo) -> FuncType:
        params = _unknown_params_of(self.program, func)
        decl = func.decl
        types = tuple(self.program.canon_text(("[]" if p.variadic else "") + p.type, func.file, params)
                      for p in decl.params)
        results = tuple(self.program.canon_text(r.type, func.file, params) for r in decl.results)
        variadic = bool(decl.params) and decl.params[-1].variadic
        return self.normal(FuncType(types, results, variadic))

    # --- interfaces ----------------------------------------------------------------------------

    def interface_methods(self, interface: Named) -> dict[str, FuncType] | None:
        """Method name → signature of an interface, embedded interfaces included; None when
        `interface` is not an interface the program declares."""
        if interface not in self._interfaces:
            self._interfaces[interface] = self._interface_methods(interface, 0)
        return self._interfaces[interface]

    def _interface_methods(self, interface: Named, depth: int) -> dict[str, FuncType] | None:
        if interface == ERROR:
            return {"Error": FuncType((), (Named(UNIVERSE, "string"),))}
        info = self.program.type_info(interface)
        if info is None or depth > MAX_DEPTH:
            return None
        if info.decl.kind == "alias":
            target = self.normal(interface)
            return self._interface_methods(target, depth + 1) if isinstance(target, Named) else None
        if info.decl.kind != "interface":
            return None
        params = _unknown_params(info)
        methods: dict[str, FuncType] = {}
        for m in info.decl.methods:
            types = tuple(self.program.canon_text(("[]" if p.variadic else "") + p.type, info.file,
                                                  params) for p in m.params)
            results = tuple(self.program.canon_text(r.type, info.file, params) for r in m.results)
            methods[m.name] = self.normal(
                FuncType(types, results, bool(m.params) and m.params[-1].variadic))
        for embedded in info.decl.embeds:
            inner = self.program.canon_text(embedded, info.file, params)
            if not isinstance(inner, Named):
                continue  # a constraint term (~int | string): no methods
            for name, signature in (self._interface_methods(inner, depth + 1) or {}).items():
                methods.setdefault(name, signature)
        return methods

    def implementations(self, interface: Named) -> tuple[Implementation, ...]:
        """Every concrete type of the program whose method set satisfies `interface`."""
        cached = self._implementations.get(interface)
        if cached is None:
            cached = self._implementations[interface] = self._find(interface)
        return cached

    def _find(self, interface: Named) -> tuple[Implementation, ...]:
        wanted = self.interface_methods(interface)
        if not wanted:
            return ()  # interface{} is implemented by everything: no call goes through it
        index = self._method_name_index()
        names = sorted(wanted, key=lambda name: len(index.get(name, ())))
        candidates = set(index.get(names[0], ()))
        for name in names[1:]:
            candidates &= index.get(name, set())
            if not candidates:
                return ()
        # An unexported method name belongs to its package: a type of another package whose
        # method has that name does not implement the interface (types2.Named does not implement
        # go/types' cleaner); one that embeds a type of the interface's package may.
        unexported = {name: self._declared_in(interface, name, 0) for name in wanted
                      if not name[:1].isupper()}
        found = []
        for candidate in sorted(candidates):
            implementation = self._implements(candidate, wanted, unexported)
            if implementation is not None:
                found.append(implementation)
        return tuple(found)

    def _declared_in(self, interface: Named, name: str, depth: int) -> str | None:
        """The import path of the package whose interface declares the method `name` of
        `interface`: its own, or that of the embedded interface it comes from."""
        info = self.program.type_info(interface)
        if info is None or depth > MAX_DEPTH:
            return None
        if info.decl.kind == "alias":
            target = self.normal(interface)
            return self._declared_in(target, name, depth + 1) if isinstance(target, Named) else None
        if any(method.name == name for method in info.decl.methods):
            return interface.qualifier
        params = _unknown_params(info)
        for embedded in info.decl.embeds:
            inner = self.program.canon_text(embedded, info.file, params)
            found = self._declared_in(inner, name, depth + 1) if isinstance(inner, Named) else None
            if found is not None:
                return found
        return None

    def _implements(self, candidate: tuple[str, str], wanted: dict[str, FuncType],
                    unexported: dict[str, str | None]) -> Implementation | None:
        method_set = self.method_set(candidate)
        pointer_only, in_build, methods = False, True, []
        for name, signature in wanted.items():
            method = method_set.get(name)
            if method is None or not identical(self.signature(method), signature):
                return None
            declared = unexported.get(name)
            if declared is not None and method.func is not None \
                    and _receiver_package(method.symbol) != declared:
                return None
            pointer_only = pointer_only or method.pointer_receiver
            in_build = in_build and method.in_build
            methods.append((name, method.symbol))
        package, type_name = candidate
        info = self.program.packages[package].types[type_name]
        return Implementation(package, type_name, pointer_only, tuple(methods),
                              other_platform=not (in_build and info.file.in_build),
                              test_double=is_test_double(package, type_name, info.file.path))

    # --- method sets ---------------------------------------------------------------------------

    def _method_name_index(self) -> dict[str, set[tuple[str, str]]]:
        if self._by_method_name is None:
            index: dict[str, set[tuple[str, str]]] = {}
            for package in self.program.packages.values():
                for type_name, info in package.types.items():
                    if info.decl.kind in ("interface", "alias"):
                        continue
                    for name in self.method_set((package.path, type_name)):
                        index.setdefault(name, set()).add((package.path, type_name))
            self._by_method_name = index
        return self._by_method_name

    def method_set(self, concrete: tuple[str, str]) -> dict[str, _Method]:
        """The method set of `*T` for T = (package, name); each method says if T alone lacks it."""
        cached = self._sets.get(concrete)
        if cached is None:
            self._sets[concrete] = {}  # a cycle through embedding adds nothing
            cached = self._sets[concrete] = self._method_set(concrete)
        return cached

    def _method_set(self, concrete: tuple[str, str]) -> dict[str, _Method]:
        package = self.program.packages.get(concrete[0])
        info = package.types.get(concrete[1]) if package else None
        if info is None:
            return {}
        methods: dict[str, _Method] = {}
        for name, func in package.methods.get(concrete[1], {}).items():
            methods[name] = _Method(func.symbol, func, None, func.decl.pointer_receiver,
                                    func.file.in_build)
        struct = self._struct_of(info, concrete)
        if struct is None:
            return methods
        # Promoted methods: a name at a shallower depth hides deeper ones; names found at the
        # same depth through two fields are ambiguous and promoted by neither.
        promoted: dict[str, _Method | None] = {}
        for field in struct.decl.fields:
            if not field.embedded:
                continue
            embedded = self.program.canon_text(field.type, struct.file, _unknown_params(struct))
            for name, method in self._promoted_from(embedded, field.pointer).items():
                promoted[name] = None if name in promoted else method
        for name, method in promoted.items():
            if method is not None and name not in methods:
                methods[name] = method
        return methods

    def _struct_of(self, info: TypeInfo, concrete: tuple[str, str]) -> TypeInfo | None:
        """The struct declaration whose fields a type has: its own, or for a type defined over
        another struct type (`type List metav1.List`), that one's, embedded fields and all."""
        if info.decl.kind == "struct":
            return info
        if info.decl.kind != "named":
            return None
        target = self.program.underlying(Named(*concrete))
        found = self.program.type_info(target) if isinstance(target, Named) else None
        return found if found is not None and found.decl.kind == "struct" else None

    def _promoted_from(self, embedded: GoType, by_pointer: bool) -> dict[str, _Method]:
        embedded = self.normal(embedded)
        if not isinstance(embedded, Named) or not embedded.qualifier:
            return {}
        interface = self.interface_methods(embedded)
        if interface is not None:
            promoted = {}
            for name, signature in interface.items():
                symbol = f"({embedded.qualifier}.{embedded.name}).{name}"
                self.embedded_interface_methods[symbol] = (embedded, name)
                promoted[name] = _Method(symbol, None, signature, False, True)
            return promoted
        inner = self.method_set((embedded.qualifier, embedded.name))
        if by_pointer:  # *S lends every method of S to T and *T alike
            return {name: _Method(m.symbol, m.func, m.signature, False, m.in_build)
                    for name, m in inner.items()}
        return inner


def _receiver_package(method: str) -> str:
    """The import path in a method's go/ssa name: `(*go/types.Named).cleanup` → go/types."""
    receiver = method[method.index("(") + 1:method.rindex(")")].lstrip("*")
    return receiver.rpartition(".")[0]


def identical(a: GoType, b: GoType) -> bool:
    """Type identity as go/types decides it, where what the resolver cannot know matches."""
    if a is b:  # normal() hands out one object for equal types: the common case, at once
        return True
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, Named):
        if (a.qualifier, a.name) != (b.qualifier, b.name):
            return False
        if not a.args or not b.args:
            return True  # an uninstantiated generic type is compared by its name
        return len(a.args) == len(b.args) and all(map(identical, a.args, b.args))
    if isinstance(a, (Pointer, Slice)):
        return identical(a.elem, b.elem)
    if isinstance(a, Array):
        return a.length == b.length and identical(a.elem, b.elem)
    if isinstance(a, Chan):
        return a.dir == b.dir and identical(a.elem, b.elem)
    if isinstance(a, Map):
        return identical(a.key, b.key) and identical(a.value, b.value)
    if isinstance(a, FuncType):
        return (a.variadic == b.variadic and len(a.params) == len(b.params)
                and len(a.results) == len(b.results) and all(map(identical, a.params, b.params))
                and all(map(identical, a.results, b.results)))
    if isinstance(a, Struct):
        return a.package == b.package and len(a.fields) == len(b.fields) and all(
            fa[0] == fb[0] and identical(fa[1], fb[1]) for fa, fb in zip(a.fields, b.fields))
    if isinstance(a, Interface):
        return sorted(a.methods) == sorted(b.methods)
    return a == b


def _unknown_params(info: TypeInfo) -> tuple:
    return tuple((p.name, _TYPE_PARAMETER) for p in info.decl.type_params)


def _unknown_params_of(program: Program, func: FuncInfo) -> tuple:
    return tuple((name, _TYPE_PARAMETER) for name, _ in program.type_params_of(func))
