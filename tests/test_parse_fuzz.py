"""The parse stage on broken Go: tree-sitter recovers from any syntax error, and `parse_source`
keeps the facts of what parsed and never raises. Crashing inputs found by fuzzing are kept here as
cases; a seeded generator mutates Go the way an editor or a bad merge does."""
from __future__ import annotations

import random

import pytest

from analyzer.parse import parse_source

# Each input raised before parse_source learnt to skip the shape (found by fuzzing, minimised).
CRASHED = {
    # A literal body opened inside an element and never closed: tree-sitter puts the inner `{…}`
    # in an ERROR node, outside any literal, and its elements had no body to be filed under.
    "unclosed elided literal": "package p\nfunc before() { a() }\nvar x = T{{{}}\n",
    "unclosed elided literal holding a name": "package p\nfunc before() { a() }\nvar x = T{{{f}}\n",
    # Every literal around a keyed element is in an ERROR node: no composite literal at all.
    "keyed element and no literal": "package p\nfunc before() { a() }\nvar x = []T{{f}, {{g}\n",
}


@pytest.mark.parametrize("go", CRASHED.values(), ids=CRASHED.keys())
def test_a_syntax_error_inside_literals_keeps_the_facts_of_what_parsed(go):
    """A broken literal is reported where tree-sitter recovered, and the declarations before it
    keep their facts (an unclosed brace takes in everything after it)."""
    facts = parse_source(go.encode())
    assert facts.syntax_problems
    assert facts.syntax_problems[0].line == 3
    assert "before" in [f.name for f in facts.funcs]
    assert "a" in [c.text for c in facts.calls]


SEED_GO = """package p

import "m"

type T struct{ Run func(); Next []T }

func f() {}

var table = map[string][]T{"a": {{Run: f}, {Run: m.F, Next: []T{{f, nil}}}}, "b": nil}

func g(x []T) (err error) {
	defer func() { recover() }()
	go m.Until(func() { f() }, 1)
	for _, t := range x {
		switch v := interface{}(t).(type) {
		case T:
			v.Run()
		}
	}
	y := [][]func(){{f}, {m.F, func() {}}}
	return m.Wrap(y, T{Run: f, Next: []T{{Run: f}}})
}
"""
# What the generator writes between the halves of a span it nests: deep and unclosed.
NESTINGS = [("{", "}"), ("T{", "}"), ("(", ")"), ("[", "]"), ("func(){", "}"), ("{k: ", "}"),
            ("map[K]T{{", "}: v}"), ("go f(", ")")]


def mutate(source: bytes, rnd: random.Random) -> bytes:
    """Delete, duplicate or cut a span, insert a punctuation byte, or open literals deep."""
    for _ in range(rnd.randint(1, 4)):
        start = rnd.randrange(len(source) + 1)
        end = min(len(source), start + rnd.randint(0, 40))
        choice = rnd.random()
        if choice < 0.3:
            source = source[:start] + source[end:]
        elif choice < 0.5:
            source = source[:end] + source[start:]
        elif choice < 0.6:
            source = source[:start]
        elif choice < 0.8:
            source = source[:start] + bytes([rnd.choice(b"{}()[],:;.=*&\n\"`/")]) + source[start:]
        else:
            depth = rnd.randint(1, 50)
            opening, closing = rnd.choice(NESTINGS)
            source = (source[:start] + opening.encode() * depth + b"f"
                      + closing.encode() * rnd.randint(0, depth) + source[start:])
    return source


def test_mutated_go_never_raises():
    """Five hundred mutations of one file, the same each run: none raises."""
    rnd = random.Random(28)
    for _ in range(500):
        mutated = mutate(SEED_GO.encode(), rnd)
        try:
            parse_source(mutated)
        except Exception as error:  # noqa: BLE001 - the input is what the failure must show
            pytest.fail(f"{error!r} on {mutated!r}")
