"""Go type texts parsed into the gotypes model, rendered back, and taken apart for the resolver."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.gotypes import (
    BYTE, INT, RUNE, Array, Chan, Func, Interface, Map, Named, Pointer, Slice, Struct, Tilde,
    Union, Unknown, deref, element_of, parse_type, range_types, type_text)
from analyzer.parse import parse_source


def n(name: str, qualifier: str | None = None, *args) -> Named:
    return Named(qualifier, name, tuple(args))


POD, STRING, ERROR = n("Pod", "v1"), n("string"), n("error")

CASES = [
    ("v1.Pod", POD),
    ("error", ERROR),
    ("any", n("any")),
    ("Set[string]", n("Set", None, STRING)),
    ("sets.Set[T]", n("Set", "sets", n("T"))),
    ("pkg.List[*v1.Pod]", n("List", "pkg", Pointer(POD))),
    ("Pair[K, V]", n("Pair", None, n("K"), n("V"))),
    ("*v1.Pod", Pointer(POD)),
    ("(*T)", Pointer(n("T"))),
    ("[]*v1.Pod", Slice(Pointer(POD))),
    ("map[string][]*v1.Pod", Map(STRING, Slice(Pointer(POD)))),
    ("[...]int", Array(INT, "...")),
    ("[N]T", Array(n("T"), "N")),
    ("[4]byte", Array(BYTE, "4")),
    ("[2 * N]T", Array(n("T"), "2 * N")),
    ("chan int", Chan(INT, "both")),
    ("chan<- int", Chan(INT, "send")),
    ("<-chan struct{}", Chan(Struct(), "recv")),
    ("chan<- chan int", Chan(Chan(INT), "send")),
    ("chan<- <-chan int", Chan(Chan(INT, "recv"), "send")),
    ("chan (<-chan int)", Chan(Chan(INT, "recv"))),
    ("func()", Func()),
    ("func(int, ...string) (string, error)", Func((INT, Slice(STRING)), (STRING, ERROR), True)),
    ("func(ctx context.Context, key string) error",
     Func((n("Context", "context"), STRING), (ERROR,))),
    ("func(a, b int)", Func((INT, INT))),
    ("func(a, b int, opts ...Option) (n int, err error)",
     Func((INT, INT, Slice(n("Option"))), (INT, ERROR), True)),
    ("func(a [N]int, b []int, m map[string]int)",
     Func((Array(INT, "N"), Slice(INT), Map(STRING, INT)))),
    ("func(T[int])", Func((n("T", None, INT),))),
    ("func(func() error) func()", Func((Func((), (ERROR,)),), (Func(),))),
    ("func() <-chan int", Func((), (Chan(INT, "recv"),))),
    ("func(obj interface{})", Func((Interface(),))),
    ("struct{}", Struct()),
    ("struct{ a int; B }", Struct((("a", INT), (None, n("B"))))),
    ("struct{ *T; pkg.U; a, b int; V[int] }",
     Struct(((None, Pointer(n("T"))), (None, n("U", "pkg")), ("a", INT), ("b", INT),
             (None, n("V", None, INT))))),
    ('struct{ Name string `json:"name"`; meta.ObjectMeta `json:",inline"` }',
     Struct((("Name", STRING), (None, n("ObjectMeta", "meta"))))),
    ("struct{ a [N]int; b []T }", Struct((("a", Array(INT, "N")), ("b", Slice(n("T")))))),
    ("interface{}", Interface()),
    ("interface{ M(int) error; io.Reader }",
     Interface(("M",), (n("Reader", "io"),), (Func((INT,), (ERROR,)),))),
    ("interface{ ~int | ~string; comparable }",
     Interface((), (Union((Tilde(INT), Tilde(STRING))), n("comparable")))),
    ("~int | string", Union((Tilde(INT), STRING))),
    ("~string", Tilde(STRING)),
    ("...T", Slice(n("T"))),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0] for c in CASES])
def test_parse_type(text, expected):
    assert parse_type(text) == expected


def test_folded_struct_reads_members_without_semicolons():
    """Facts fold multi-line types to one line, losing the newlines Go reads as `;`."""
    assert parse_type('struct { Name string `json:"name"` Count int *Status }') == Struct(
        (("Name", STRING), ("Count", INT), (None, Pointer(n("Status")))))


def test_folded_interface_reads_methods_without_semicolons():
    """A method name is an identifier followed by `(`, so `A() B()` is two methods, not A
    returning B."""
    assert parse_type("interface { Close() error Read(p []byte) (n int, err error) Stop() }") == \
        Interface(("Close", "Read", "Stop"), (), (
            Func((), (ERROR,)), Func((Slice(BYTE),), (INT, ERROR)), Func()))


def test_block_comments_are_skipped():
    assert parse_type("map[string] /* by name */ *v1.Pod") == Map(STRING, Pointer(POD))


@pytest.mark.parametrize("text", [
    "", "map[string]", "func(", "[]", "*", "v1.", "chan<-", "struct{ a int", "func(x int, error)",
    "Set[]", "a b", "~", "int |", "struct { // the name\n Name string }", "interface{ M( }",
    "[" * 5000 + "]int",
])
def test_unreadable_text_is_unknown_never_an_exception(text):
    assert parse_type(text) == Unknown(text)


def test_parse_type_is_cached():
    assert parse_type("map[string]*v1.Pod") is parse_type("map[string]*v1.Pod")


@pytest.mark.parametrize("text, canonical", [
    ("struct{ a int; B }", "struct{a int; B}"),
    ("func(ctx context.Context, a, b int) (n int, err error)",
     "func(context.Context, int, int) (int, error)"),
    ("func(opts ...Option)", "func(...Option)"),
    ("(*T)", "*T"),
    ("interface{ M(int) error; io.Reader }", "interface{M(int) error; io.Reader}"),
    ("~int|~string", "~int | ~string"),
    ("map[string]  []*v1.Pod", "map[string][]*v1.Pod"),
])
def test_type_text_is_go_types_spelling(text, canonical):
    assert type_text(parse_type(text)) == canonical


def test_type_text_keeps_a_both_ways_channel_of_a_receive_channel_apart():
    """`chan <-chan T` would read as `chan<- (chan T)`: Go binds <- to the leftmost chan."""
    t = Chan(Chan(INT, "recv"))
    assert type_text(t) == "chan (<-chan int)"
    assert parse_type(type_text(t)) == t


def test_deref_strips_one_pointer():
    assert deref(Pointer(Pointer(POD))) == Pointer(POD)
    assert deref(POD) == POD


@pytest.mark.parametrize("text, element", [
    ("[]*v1.Pod", Pointer(POD)),
    ("[3]int", INT),
    ("*[3]int", INT),
    ("map[string]error", ERROR),
    ("<-chan string", STRING),
    ("string", BYTE),
    ("*[]int", None),
    ("v1.PodList", None),
])
def test_element_of(text, element):
    assert element_of(parse_type(text)) == element


@pytest.mark.parametrize("text, key, value", [
    ("[]*v1.Pod", INT, Pointer(POD)),
    ("*[4]string", INT, STRING),
    ("map[types.UID]*v1.Pod", n("UID", "types"), Pointer(POD)),
    ("<-chan error", ERROR, None),
    ("string", INT, RUNE),
    ("int", INT, None),
    ("uint8", n("uint8"), None),
    ("iter.Seq[*v1.Pod]", Pointer(POD), None),
    ("iter.Seq2[string, int]", STRING, INT),
    ("func(yield func(string, error) bool)", STRING, ERROR),
    ("func(yield func() bool)", None, None),
    ("v1.PodList", None, None),
    ("map[string", None, None),
])
def test_range_types(text, key, value):
    assert range_types(parse_type(text)) == (key, value)


def test_every_type_text_in_the_golden_facts_parses():
    texts = set()

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("type", "constraint") and isinstance(value, str):
                    texts.add(value)
                elif key == "underlying" and value not in ("struct", "interface"):
                    texts.add(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    for golden in (Path(__file__).parent / "golden" / "facts").glob("*.json"):
        collect(json.loads(golden.read_text()))
    assert texts
    assert [t for t in texts if isinstance(parse_type(t), Unknown)] == []


def test_a_multi_line_field_type_from_the_parser_parses():
    facts = parse_source(b"package p\ntype T struct {\n  Spec struct {\n    Name string `json:\"n\"`\n"
                         b"    Ports []int\n  }\n  F func(\n    a, b int,\n  ) error\n}\n")
    (decl,) = facts.types
    spec, f = (parse_type(field.type) for field in decl.fields)
    assert spec == Struct((("Name", STRING), ("Ports", Slice(INT))))
    assert f == Func((INT, INT), (ERROR,))


# --- round trip ----------------------------------------------------------------------------------

_IDENT = st.sampled_from(["a", "b", "x1", "Name", "T", "K"])
_QUALIFIER = st.sampled_from([None, None, "v1", "sets", "metav1"])
_CHAN_DIR = st.sampled_from(["both", "send", "recv"])
_BUILTIN = st.sampled_from(["int", "string", "error", "bool", "any", "byte", "float64"]).map(n)


def _types(leaves):
    def extend(inner):
        named = st.builds(Named, _QUALIFIER, st.sampled_from(["Pod", "Set", "List"]),
                          st.lists(inner, min_size=1, max_size=2).map(tuple))
        params = st.lists(inner, max_size=3).map(tuple)
        func = st.builds(lambda ps, rs, variadic: Func(ps + (Slice(variadic),), rs, True)
                         if variadic is not None else Func(ps, rs, False),
                         params, params, st.none() | inner)
        embeddable = st.builds(Named, _QUALIFIER, st.sampled_from(["Meta", "Status"]))
        field = st.tuples(_IDENT, inner) | st.tuples(st.none(), embeddable | embeddable.map(Pointer))
        method_sig = st.builds(Func, params, params)
        interface = st.lists(st.tuples(st.sampled_from(["Get", "List", "Watch"]), method_sig),
                             max_size=2).flatmap(lambda ms: st.builds(
                                 Interface, st.just(tuple(m for m, _ in ms)),
                                 st.lists(embeddable | embeddable.map(Tilde), max_size=2).map(tuple),
                                 st.just(tuple(s for _, s in ms))))
        chan = st.builds(Chan, inner, _CHAN_DIR)
        return st.one_of(
            named, inner.map(Pointer), inner.map(Slice),
            st.builds(Array, inner, st.sampled_from(["4", "N", "..."])),
            st.builds(Map, inner, inner),
            chan, st.builds(Chan, chan, _CHAN_DIR),  # nested chans: where <- binding matters
            func, st.lists(field, max_size=3).map(lambda fs: Struct(tuple(fs))), interface)
    return st.recursive(leaves, extend, max_leaves=12)


GO_TYPES = _types(_BUILTIN | st.builds(Named, st.sampled_from(["v1", "pkg"]), st.just("Pod")))


@settings(max_examples=500, deadline=None)
@given(GO_TYPES)
def test_type_text_round_trips(t):
    text = type_text(t)
    assert type_text(parse_type(text)) == text


@settings(max_examples=500, deadline=None)
@given(GO_TYPES)
def test_parse_recovers_the_generated_model(t):
    assert parse_type(type_text(t)) == t


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]*(){}.,;~|<-. abcmapchanfuncstructinterface`\"0123456789", max_size=40))
def test_parse_type_never_raises(text):
    """Any text, however broken, parses to some type and renders back; an exception fails."""
    type_text(parse_type(text))
