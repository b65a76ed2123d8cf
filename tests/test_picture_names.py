"""DOT and Mermaid pictures of call graphs whose names hold what their languages give meaning to.

Go allows `#`, `%`, `&`, `;`, braces and brackets in a package folder's name, a generic's name
carries `[T]`, and an unresolved callee is named by its expression as written, quotes, newlines
and all. Whatever the name, the picture is one its reader accepts and shows the name as it is.
"""
from __future__ import annotations

import html
import re
import subprocess

import pytest

from analyzer import graph, render

ODD_NAMES = [
    "example.com/app.F[T]", "(*example.com/app.List[K,V]).Push", 'example.com/a"b.Run',
    "example.com/a#b.Run", "example.com/a%b.Run", "example.com/a%%{init: {}}%%b.Run",
    "example.com/a;b.Run", "example.com/a{b}.Run", "example.com/日本.Run", "example.com/😀.Run",
    "example.com/a&amp;b.Run", "example.com/a&b.Run", "example.com/a#quot;b.Run",
    "example.com/a<b>.Run", "`example.com/md`.Run", "example.com/a|b.Run", "example.com/a\\b.Run",
    "example.com/a-->b.Run", "example.com/end.Run", "example.com/a$1.Run", 'fns["x"]',
    'func() {\n\tx := "}"\n}', "a\u2028b", "a\tb", "example.com/a." + "X" * 20_000,
    "example.com/a." + '"' * 20_000,
]

# A Mermaid node `id["label"]`: inside the quotes, no `"`, and `#` only to start an entity code.
MERMAID_NODE = re.compile(r'  (n\d+)\["((?:[^"#]|#\w+;)+)"\]')
# What Mermaid would still read as something other than text inside a quoted label.
MERMAID_MEANINGFUL = re.compile(r"[<>&`]|%%|[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


def _mermaid_shows(label: str) -> str:
    """The text Mermaid shows for a quoted label: its entity codes (`#quot;`, `#35;`) decoded."""
    return html.unescape(re.sub(r"#([a-z]+);", r"&\1;", re.sub(r"#(\d+);", r"&#\1;", label)))


def _edge(callee: str) -> graph.Edge:
    return graph.Edge("example.com/app.main", callee, graph.UNRESOLVED, "main.go", 5, 14, 1.0)


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda name: repr(name)[:30])
def test_a_mermaid_label_is_quoted_text_mermaid_shows_as_the_name(name):
    """`a&amp;b` showed as `a&b`, a `%%{…}%%` in a name was taken out as a directive (leaving an
    empty label Mermaid refuses), a name in backticks became Markdown, and a line separator ended
    the line: each such character is written as an entity code, checked against Mermaid 11."""
    node_lines = render.mermaid([_edge(name)], "example.com/app.main").splitlines()[1:3]
    labels = []
    for line in node_lines:
        match = MERMAID_NODE.fullmatch(line)
        assert match, line
        assert not MERMAID_MEANINGFUL.search(match.group(2)), match.group(2)
        labels.append(_mermaid_shows(match.group(2)))
    assert labels[0] == "app.main"
    full = render.short_name(name)
    if len(full) <= render.PICTURE_NAME_LIMIT:
        assert labels[1] == full
    else:  # its start and its end, as many characters in all
        head, tail = labels[1].split("…")
        assert len(labels[1]) == render.PICTURE_NAME_LIMIT
        assert full.startswith(head) and full.endswith(tail)


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda name: repr(name)[:30])
def test_graphviz_draws_a_dot_picture_of_any_name(name):
    """A name of more than 16384 bytes (an unresolved callee that is a whole function literal)
    made `dot` fail with "syntax error ... longer than 16384?": a picture shows at most
    PICTURE_NAME_LIMIT characters of a name."""
    drawn = subprocess.run(["dot", "-Tsvg"], input=render.dot([_edge(name)], "example.com/app.main"),
                           capture_output=True, text=True)
    assert (drawn.returncode, drawn.stderr) == (0, "")


@pytest.mark.parametrize("name, short", [
    ("example.com/a.F[example.com/b.T]", "a.F[example.com/b.T]"),
    ("(*example.com/a.List[example.com/b.T]).Push", "(*a.List[example.com/b.T]).Push"),
    ('handlers["a/b.c"]', 'handlers["a/b.c"]'),
])
def test_a_picture_names_a_generic_by_its_own_package(name, short):
    """`example.com/a.F[example.com/b.T]` was drawn as `b.T]`: the package was looked for after
    the last slash, which was the type argument's."""
    assert render.short_name(name) == short
