"""The `parse` stage: one Go file's bytes → `FileFacts`.

One tree-sitter query (`queries/facts.scm`) captures every node that carries a fact; this module
classifies the captures and gives each the function or function literal that encloses it, looked
up by byte position in a table of scope boundaries. Nothing here knows about other files: names
stay as written (`v1.Pod`, `sched.scheduleOne`) and the resolver gives them meaning.

tree-sitter recovers from syntax errors, so a broken file still yields the facts of its intact
parts, plus the positions of what could not be parsed. Bytes that are not UTF-8 are replaced in
names and texts, never fatal.
"""
from __future__ import annotations

import operator
import re
from bisect import bisect_left, bisect_right
from pathlib import Path

import tree_sitter
import tree_sitter_go

from analyzer.facts import CALL, DEFER, GO, Expr, FileFacts, from_row

Row = tuple  # a fact's fields in the order of its `analyzer.facts` class (see _FileParser)

GO_LANGUAGE = tree_sitter.Language(tree_sitter_go.language())
FACTS_QUERY = tree_sitter.Query(
    GO_LANGUAGE, (Path(__file__).parent / "queries" / "facts.scm").read_text())

# Children are read by field id: `child_by_field_name` looks the name up by string each time.
(ALIAS, ARGUMENTS, BODY, FIELD, FIELD_CHANNEL, FUNCTION, KEY, LEFT, NAME, OPERAND, OPERATOR,
 PARAMETERS, PATH, RECEIVER, RESULT, RIGHT, TYPE, TYPE_PARAMETERS, VALUE) = map(
    GO_LANGUAGE.field_id_for_name, (
        "alias", "arguments", "body", "field", "channel", "function", "key", "left", "name",
        "operand", "operator", "parameters", "path", "receiver", "result", "right", "type",
        "type_parameters", "value"))


_START, _END = operator.attrgetter("start_byte"), operator.attrgetter("end_byte")
# Captures read before the facts.
_NOT_FACTS = frozenset({"package", "literal_body", "keyed", "key_literal", GO, DEFER})
_FIRST = operator.itemgetter(0)
PACKAGE_SCOPE = "init"  # go/ssa puts package-level initialisers (and their closures) in init
GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.$", re.MULTILINE)
MAX_DOC = 2000
LITERAL_KINDS = frozenset({
    "int_literal", "float_literal", "imaginary_literal", "rune_literal", "interpreted_string_literal",
    "raw_string_literal", "true", "false", "nil", "iota",
})
NAME_KINDS = frozenset({"identifier", "type_identifier", "field_identifier", "package_identifier"})
# Names joined by dots with nothing else between them (\w is Unicode, as Go's identifiers are).
DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)+")
# Expressions nest as deep as a file likes (Go sets no bound): an Expr is encoded this many levels
# down and summarised by its kind below, so that encoding neither recurses without bound nor
# encodes a chain of N calls (a.b().b()…, g(g(…))) N times over, once for each call in it.
MAX_EXPR_DEPTH = 64
MAX_CALLEE_TEXT = 500  # bytes of a callee's text kept (see `callee_text`)
BUILTINS = frozenset({"new", "make", "append"})  # calls encoded as their own Expr shapes
# Arguments and returned values of these kinds are stored as their kind alone (see `argument`).
SUMMARISED = frozenset({"binary_expression", "composite_literal"})
# Composite literal elements that could be a function, and nested literals that could hold one.
FUNCTION_VALUES = frozenset({"identifier", "selector_expression", "func_literal"})
NESTED_LITERALS = frozenset({"literal_value", "composite_literal"})
# Elements of a literal whose value could be a function or hold one (a nested literal,
# [][]func(){{f}}; a call, whose result it is: Handler: wrap(h), []func(){mk()}), keyed by a field
# name or a map key or index of any kind (metav1.ObjectNameField, "a", 1, {k: 1}), or unkeyed
# ([]func(){a, b}, T{f, g}); `on_composite` checks the exact shape. Unkeyed numbers and strings are
# never kept, but a table of names ([]string{a, b}, T{x, y}) is listed element by element.
ELEMENT_VALUES = FUNCTION_VALUES | NESTED_LITERALS | {"call_expression",
                                                      "type_conversion_expression"}
# Operands of a conversion kept with it, as they could be a function value (see `converted`).
FUNCTION_OPERANDS = FUNCTION_VALUES | {"parenthesized_expression", "call_expression",
                                       "index_expression", "type_conversion_expression"}
# Nodes that end the region a declared name is visible in (Go's blocks, explicit and implicit).
BLOCK_KINDS = frozenset({
    "block", "if_statement", "for_statement", "expression_switch_statement",
    "type_switch_statement", "select_statement", "expression_case", "type_case", "default_case",
    "communication_case", "func_literal", "function_declaration", "method_declaration",
    "source_file",
})


def _char_start(source: bytes, at: int) -> int:
    """`at`, or the start of the UTF-8 character whose continuation byte it is."""
    while 0x80 <= source[at] < 0xC0:
        at -= 1
    return at


def _squeezed(text: bytes) -> str:
    """Source text on one line, each run of white space one space."""
    return " ".join(text.decode("utf-8", "replace").split())


def _body(literal: tree_sitter.Node) -> tree_sitter.Node | None:
    """The `{…}` of a literal: itself when its type is left out, else its body field."""
    return literal if literal.type == "literal_value" else literal.child_by_field_id(BODY)


def visible_until(node: tree_sitter.Node) -> int:
    """The last line of the innermost block enclosing a declaration."""
    parent = node.parent
    while parent is not None and parent.type not in BLOCK_KINDS:
        parent = parent.parent
    return (parent or node).end_point.row + 1


def _same_row(row: int) -> int:
    return row


def doc_comment(node: tree_sitter.Node, line_of=_same_row) -> str:
    """go/ast's Doc of a declaration, as `CommentGroup.Text` gives it (without its final newline)."""
    return comment_text(doc_group(node, line_of))


def doc_group(node: tree_sitter.Node, line_of=_same_row) -> list[tree_sitter.Node]:
    """The comments go/parser makes a declaration's Doc, last first: the group that ends on the
    line directly above it, each comment on or above the line after the one before, less its
    first comments when they end a line of code (go/parser makes those that line's own comment).

    go/parser compares lines as `//line` directives renumber them (`line_of`, see
    `LineDirectives`): a directive between a comment and a declaration parts them unless it
    numbers the declaration's line the one after the comment's."""
    group = []
    row = line_of(node.start_point.row)
    previous = _previous(node)
    while previous is not None and previous.type == "comment":
        end = line_of(previous.end_point.row)
        if end != row - 1 and not (group and end >= row):
            break
        group.append(previous)
        row = line_of(previous.start_point.row)
        previous = _previous(previous)
    if previous is not None:
        code_row = previous.end_point.row
        while group and group[-1].start_point.row == code_row:
            code_row = group.pop().end_point.row
    return group


def _previous(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The node before this one in the source; a block's first statement is preceded by what
    precedes its statement_list (the `{` and the comments below it)."""
    previous = node.prev_sibling
    if previous is None:
        parent = node.parent
        if parent is not None and parent.type == "statement_list":
            return parent.prev_sibling
    return previous


# A `//line filename:line` or `//line filename:line:col` directive, at the start of its line;
# go/scanner strips the \r that ends a line comment of a CRLF file before reading it.
LINE_DIRECTIVE = re.compile(rb"^//line (.*?):(\d+)(?::(\d+))?\r?$", re.MULTILINE)


class LineDirectives:
    """The lines go/scanner numbers a file's rows as, by its `//line` directives: the row after
    `//line gen.y:100` is line 100, and the rows below follow. Positions kubeatlas records stay
    the real ones (a link opens the file as it is); only the doc reader compares lines as
    go/parser does. `/*line …*/` directives, which renumber from within a line, are not read."""

    def __init__(self, source: bytes, root: tree_sitter.Node):
        self.rows: list[int] = []  # the row after each directive, ascending
        self.lines: list[int] = []  # the 0-based line that row is given
        for found in LINE_DIRECTIVE.finditer(source):
            line, column = int(found.group(2)), found.group(3)
            if line == 0 or (column is not None and int(column) == 0):
                continue  # go/scanner refuses it and numbers on
            at = found.start()
            node = root.descendant_for_byte_range(at, at + 2)
            if node is None or node.type != "comment" or node.start_byte != at:
                continue  # `//line` inside a raw string or a /* */ comment
            self.rows.append(node.start_point.row + 1)
            self.lines.append(line - 1)

    def line_of(self, row: int) -> int:
        at = bisect_right(self.rows, row) - 1
        return row if at < 0 else self.lines[at] + row - self.rows[at]


# "//line ", "//extern ", "//export " and "//[a-z0-9]+:[a-z0-9]" (//go:generate, //nolint:errcheck).
DIRECTIVE = re.compile(r"line |extern |export |[a-z0-9]+:[a-z0-9]")


def comment_text(group: list[tree_sitter.Node]) -> str:
    """go/ast's CommentGroup.Text of comments given last first: markers, the first space of a
    `//` comment, directives, trailing spaces and leading, trailing and repeated blank lines go."""
    lines = []
    for comment in reversed(group):
        # go/scanner strips every \r from a comment: a CRLF file has the same doc as an LF one.
        text = comment.text.decode("utf-8", "replace").replace("\r", "")
        if text[1] == "/":
            text = text[2:]
            if text.startswith(" "):
                text = text[1:]
            elif DIRECTIVE.match(text):
                continue
        else:
            text = text[2:-2]
        for line in text.split("\n"):
            line = line.rstrip(" \t\n\r")
            if line or (lines and lines[-1]):
                lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)[:MAX_DOC]


class _FileParser:
    """Turns one tree into facts; holds the per-file tables the handlers read and fill.

    Facts are built as rows: tuples in the field order of their `analyzer.facts` class, which is
    what `facts.encode_row` stores. A file indexed in a parser process is never made into
    dataclasses (frozen ones cost a call per field); `parse_source` makes them for other callers.

    Nodes are read through the cheapest calls the binding offers, since a file's facts take
    thousands: children by field id rather than field name (which is looked up by string
    comparison each time), texts sliced from the source rather than `node.text` (which goes
    through a memoryview), and no `node.parent` where a query capture can say the same (tree-sitter
    finds a parent by walking down from the root).
    """

    def __init__(self, source: bytes):
        self.source = source
        # An ASCII file (nearly all Go) is sliced as a str: its byte offsets are its indexes.
        self.chars = source.decode("ascii") if source.isascii() else None
        self.literal_names: dict[int, str] = {}
        self.declared: dict[int, tuple] = {}  # a declaration's start → (go/ssa name, name, receiver)
        self.keyed: dict[int, list[tree_sitter.Node]] = {}  # literal body's start → its keyed elements
        # A literal whose type is left out, by start: (the literal whose type is written, depth).
        self.elided: dict[int, tuple[tree_sitter.Node, int]] = {}
        self.written_types: dict[int, str] = {}  # see written_type
        self.holding: dict[int, bool] = {}  # a literal body's start → whether it holds a function
        self.declaration_docs: dict[int, str] = {}  # a `type` declaration's start → its doc
        # The call of each go and defer statement → (GO or DEFER, the statement's start).
        self.spawned: dict[tree_sitter.Node, tuple[str, tree_sitter.Point]] = {}
        self.closure_bodies: tuple[list[int], list[int]] = ([], [])  # starts, ends; by start
        self.line_of = _same_row  # a row → its line as go/parser numbers it (see doc_group)
        self.out: dict[str, list] = {k: [] for k in (
            "imports", "types", "funcs", "func_lits", "calls", "composites", "vars", "assigns",
            "returns", "ranges", "type_switches")}

    def run(self, tree: tree_sitter.Tree) -> Row:
        root = tree.root_node
        if b"//line " in self.source:
            self.line_of = LineDirectives(self.source, root).line_of
        captures = tree_sitter.QueryCursor(FACTS_QUERY).captures(root)
        bounds, scopes = self.name_scopes(captures.get("func", []), captures.get("funclit", []))
        self.literal_elements(captures)
        if "keyed" in captures:
            self.group_keyed(captures["keyed"], captures.get("composite", ()),
                             captures.get("key_literal", ()))
        self.spawned_calls(captures)
        self.note_closure_bodies(captures.get("funclit", ()))

        # Each kind of fact is visited on its own, in source order; a fact's scope is looked up
        # in the table of scope boundaries by its start (doubled, see name_scopes).
        for kind, nodes in captures.items():
            if kind in _NOT_FACTS:
                continue
            handler = getattr(self, "on_" + kind)
            if kind == "call":
                # Calls nested in a callee (`a(b)(c)` holds `a(b)`) start together: the enclosing
                # one first, as a pre-order walk meets them; the captures' own order for them
                # changes from run to run. Both sorts are stable.
                nodes.sort(key=_END, reverse=True)
            nodes.sort(key=_START)
            for node in nodes:
                handler(node, scopes[bisect_right(bounds, 2 * node.start_byte) - 1])

        package = captures.get("package")
        return (  # FileFacts, in its field order
            self.text(package[0]) if package else None,
            build_constraint(root),
            bool(GENERATED.search(self.source, 0, self._header_end(root))),
            *map(tuple, self.out.values()),
            syntax_problems(root) if root.has_error else (),
        )

    def _header_end(self, root: tree_sitter.Node) -> int:
        for child in root.children:
            if child.type == "package_clause":
                return child.start_byte
        return min(len(self.source), 4096)

    # --- texts and expressions ---

    def text(self, node: tree_sitter.Node | None) -> str:
        if node is None:
            return ""
        # `name`, inlined: this is the most called function of parsing.
        if self.chars is not None:
            raw = self.chars[node.start_byte:node.end_byte]
        else:
            raw = self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")
        # Types and callees that span lines or carry comments are folded to one line.
        return " ".join(raw.split()) if ("\n" in raw or "  " in raw or "\t" in raw) else raw

    def name(self, node: tree_sitter.Node) -> str:
        """The text of a node that holds no space: a name or a literal."""
        if self.chars is not None:
            return self.chars[node.start_byte:node.end_byte]
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def expr(self, node: tree_sitter.Node, depth: int = 0) -> Expr:
        """Encode an expression in the `Expr` shapes of `analyzer.facts`, `depth` levels down
        from the one asked for (see MAX_EXPR_DEPTH)."""
        kind = node.type
        if depth > MAX_EXPR_DEPTH:
            return ("expr", kind)
        if kind in NAME_KINDS:
            return ("id", self.name(node))
        if kind == "selector_expression":
            return ("sel", self.expr(node.child_by_field_id(OPERAND), depth + 1),
                    self.name(node.child_by_field_id(FIELD)))
        if kind == "call_expression":
            function = node.child_by_field_id(FUNCTION)
            if function.type == "identifier" and (name := self.name(function)) in BUILTINS:
                args = node.child_by_field_id(ARGUMENTS).named_children
                if name == "append":
                    return ("append", self.expr(args[0], depth + 1) if args else ("expr", "none"))
                return (name, self.text(args[0]) if args else "")
            operand = self.converted(node.child_by_field_id(ARGUMENTS), depth + 1)
            if function.type == "parenthesized_type":
                return ("conv", self.text(function.named_children[0]), *operand)
            return ("call", self.expr(function, depth + 1), *operand)
        if kind == "unary_expression":
            operator = node.child_by_field_id(OPERATOR).type
            operand = self.expr(node.child_by_field_id(OPERAND), depth + 1)
            return {"&": ("addr", operand), "*": ("deref", operand), "<-": ("recv", operand)}.get(
                operator, ("expr", "unary"))
        if kind == "parenthesized_expression" and node.named_child_count:
            return self.expr(node.named_children[0], depth + 1)
        if kind == "composite_literal":
            at = node.start_point  # where, to find the literal's elements (`facts.composites`)
            return ("comp", self.text(node.child_by_field_id(TYPE)), at.row + 1, at.column + 1)
        if kind == "func_literal":
            return ("func", self.literal_names.get(node.start_byte, "?"))
        if kind == "index_expression":
            return ("index", self.expr(node.child_by_field_id(OPERAND), depth + 1))
        if kind == "slice_expression":
            return ("slice", self.expr(node.child_by_field_id(OPERAND), depth + 1))
        if kind == "type_assertion_expression":
            return ("assert", self.expr(node.child_by_field_id(OPERAND), depth + 1),
                    self.text(node.child_by_field_id(TYPE)))
        if kind == "type_conversion_expression":
            return ("conv", self.text(node.child_by_field_id(TYPE)),
                    *self.convertible(node.child_by_field_id(OPERAND), depth + 1))
        if kind in LITERAL_KINDS:
            return ("lit", kind)
        return ("expr", kind)

    def converted(self, arguments: tree_sitter.Node, depth: int = 0) -> tuple[Expr, ...]:
        """The operand a call of one argument would convert, when it could be a function value:
        whether `F(g)` is a conversion the resolver decides, and a conversion's value is its
        operand's (`return WaitWithContextFunc(func(…){…})`)."""
        if arguments.named_child_count != 1:
            return ()
        return self.convertible(arguments.named_children[0], depth)

    def convertible(self, operand: tree_sitter.Node | None, depth: int = 0) -> tuple[Expr, ...]:
        """(operand,) when a conversion's operand could be a function value, else ()."""
        if operand is None or operand.type not in FUNCTION_OPERANDS:
            return ()
        return (self.expr(operand, depth),)

    def argument(self, node: tree_sitter.Node) -> Expr:
        """A call argument, encoded only as deep as a function value could be: a nested call
        keeps its callee (what it returns is what is passed: `Until(c.worker(), …)`) and no
        argument but a convertible one (see `converted`), operators are summarised by their
        kind, which keeps the hottest loop of parsing short."""
        kind = node.type
        if kind in SUMMARISED:
            return ("expr", kind)
        return self.expr(node)

    # --- declarations ---

    def params(self, node: tree_sitter.Node | None) -> tuple[Row, ...]:
        """Parameters or results: a parameter_list, or a single bare result type."""
        if node is None:
            return ()
        if node.type != "parameter_list":
            return ((None, self.text(node), False),)
        out = []
        for decl in node.named_children:
            kind = decl.type
            if kind not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            type_ = self.text(decl.child_by_field_id(TYPE))
            variadic = kind == "variadic_parameter_declaration"
            names = decl.children_by_field_id(NAME)
            if names:
                out.extend((self.text(n), type_, variadic) for n in names)
            else:
                out.append((None, type_, variadic))
        return tuple(out)

    def type_params(self, node: tree_sitter.Node | None) -> tuple[Row, ...]:
        if node is None:
            return ()
        out = []
        for decl in node.named_children:
            constraint = self.text(decl.child_by_field_id(TYPE))
            out.extend((self.text(n), constraint) for n in decl.children_by_field_id(NAME))
        return tuple(out)

    def receiver(self, node: tree_sitter.Node) -> tuple[str | None, str | None, bool]:
        """(receiver name, base type name, pointer?) of a method declaration."""
        decls = node.child_by_field_id(RECEIVER).named_children
        if not decls:
            return None, None, False
        decl = decls[0]
        name = decl.child_by_field_id(NAME)
        type_ = decl.child_by_field_id(TYPE)
        pointer = False
        while type_ is not None and type_.type in ("pointer_type", "parenthesized_type"):
            pointer = pointer or type_.type == "pointer_type"
            type_ = type_.named_children[0] if type_.named_child_count else None
        if type_ is not None and type_.type == "generic_type":
            type_ = type_.child_by_field_id(TYPE)
        return (self.text(name) if name else None), (self.text(type_) if type_ else None), pointer

    def struct_fields(self, struct: tree_sitter.Node) -> list[Row]:
        fields = []
        for body in struct.named_children:
            for decl in body.named_children:
                if decl.type != "field_declaration":
                    continue
                type_ = decl.child_by_field_id(TYPE)
                names = decl.children_by_field_id(NAME)
                line = decl.start_point.row + 1
                if names:
                    fields.extend((self.text(n), self.text(type_), False, False, line)
                                  for n in names)
                else:
                    pointer = any(c.type == "*" for c in decl.children)
                    if type_ is not None and type_.type == "generic_type":
                        type_ = type_.child_by_field_id(TYPE)
                    fields.append((None, self.text(type_), True, pointer, line))
        return fields

    def name_scopes(self, funcs: list, literals: list) -> tuple[list[int], list[str]]:
        """Name functions and literals as go/ssa does: literals `Parent$1`, `Parent$1$1`,
        numbered in source order; a package may declare several `func init()`, which go/ssa calls
        `init#1`, `init#2`, … — numbered here within the file, renumbered per package later.

        Returns the scope table: sorted keys and the scope each one starts. A scope opened at
        byte s holds the facts that start after s (a call `func(){...}()` starts where its
        literal does and belongs to the outer scope), and one that ends at byte e none from e on:
        with positions doubled, its keys are 2s+1 and 2e, and a fact at p is in the scope of the
        last key <= 2p."""
        scopes = sorted([(n.start_byte, n.end_byte, n, False) for n in funcs]
                        + [(n.start_byte, n.end_byte, n, True) for n in literals],
                        key=_FIRST)
        bounds, names = [-1], [PACKAGE_SCOPE]
        stack: list[tuple[int, str]] = []
        counts: dict[str, int] = {}
        inits = 0

        def close_until(position: float) -> None:  # the scopes that end at or before `position`
            while stack and stack[-1][0] <= position:
                bounds.append(2 * stack.pop()[0])
                names.append(stack[-1][1] if stack else PACKAGE_SCOPE)

        for start, end, node, is_literal in scopes:
            close_until(start)
            if is_literal:
                parent = stack[-1][1] if stack else PACKAGE_SCOPE
                counts[parent] = counts.get(parent, 0) + 1
                name = f"{parent}${counts[parent]}"
                self.literal_names[start] = name
            else:
                name, declared_name, receiver = self.func_scope(node)
                if name == "init":
                    inits += 1
                    name = f"init#{inits}"
                self.declared[start] = (name, declared_name, receiver)
            stack.append((end, name))
            bounds.append(2 * start + 1)
            names.append(name)
        close_until(float("inf"))
        return bounds, names

    def literal_elements(self, captures: dict[str, list]) -> None:
        """Read each literal body's own elements into `captures`: those that could hold a function
        (`keyed`, see ELEMENT_VALUES), the nested literals whose type is left out, as an element or
        a map value (`composite`: []T{{f, g}}, map[string]T{"k": {f}}), and those that are a map
        key (`key_literal`: map[K]V{{a, b}: v}, which holds its own elements, never the map's)."""
        keyed, elided, key_literals = [], [], []
        for body in captures.get("literal_body", ()):
            for element in body.named_children:
                if element.type == "keyed_element":
                    key, value = (element.child_by_field_id(KEY),
                                  element.child_by_field_id(VALUE))
                    key_value = key.named_child(0) if key is not None else None
                    if key_value is not None and key_value.type == "literal_value":
                        key_literals.append(key_value)
                elif element.type == "literal_element":
                    value = element
                else:
                    continue
                inner = value.named_child(0) if value is not None else None
                if inner is None or inner.type not in ELEMENT_VALUES:
                    continue
                if inner.type == "literal_value":
                    elided.append(inner)
                if value is element or (key is not None and key.type == "literal_element"):
                    keyed.append(element)
        for kind, found in (("keyed", keyed), ("composite", elided), ("key_literal", key_literals)):
            if found:
                captures.setdefault(kind, []).extend(found)

    def group_keyed(self, elements: list, literals: list, key_literals=()) -> None:
        """File each keyed element under the start of the literal body it is an element of,
        which is the innermost literal body around it (a query capture has no parent at hand:
        `node.parent` walks down from the root); note, for each literal whose type is left out
        (`{f, g}` in `[]T{{f, g}}`), the literal whose type is written and how many element types
        down from it its own is. `key_literals` (`{a, b}` in map[K]V{{a, b}: v}) only hold their
        own elements."""
        bodies = sorted([*((body.start_byte, body.end_byte, literal) for literal in literals
                           if (body := _body(literal))),
                         *((key.start_byte, key.end_byte, None) for key in key_literals)],
                        key=_FIRST)
        # The bodies around the current position, nested: (start, end, the literal whose type is
        # written or None, element types down from it).
        open_bodies: list[tuple[int, int, tree_sitter.Node | None, int]] = []
        following = iter(bodies)
        upcoming = next(following, None)
        for element in sorted(elements, key=_START):
            start = element.start_byte
            while upcoming is not None and upcoming[0] < start:
                body_start, body_end, literal = upcoming
                while open_bodies and open_bodies[-1][1] <= body_start:
                    open_bodies.pop()
                if literal is None or literal.type != "literal_value":
                    open_bodies.append((body_start, body_end, literal, 0))
                elif open_bodies:  # an element's literal: its parent's body is open around it
                    _, _, written, depth = open_bodies[-1]
                    open_bodies.append((body_start, body_end, written, depth + 1))
                    if written is not None:
                        self.elided[body_start] = (written, depth + 1)
                upcoming = next(following, None)
            while open_bodies and open_bodies[-1][1] <= start:
                open_bodies.pop()
            # A body tree-sitter left outside any literal (in an ERROR node) has no fact to keep.
            if open_bodies:
                self.keyed.setdefault(open_bodies[-1][0], []).append(element)

    def spawned_calls(self, captures: dict[str, list]) -> None:
        """Note the call each go and defer statement makes, one level down (the spec allows no
        parentheses around it), with where the statement starts: `node.parent` of the call would
        walk down from the root each time, N² for statements nested N deep. A comment between
        the keyword and the call (`defer /* why */ mu.Unlock()`) is a named child too."""
        for mode in (GO, DEFER):
            for statement in captures.get(mode, ()):
                call = next((child for child in statement.named_children
                             if child.type != "comment"), None)
                if call is not None and call.type in ("call_expression",
                                                      "type_conversion_expression"):
                    self.spawned[call] = (mode, statement.start_point)

    def note_closure_bodies(self, literals: list) -> None:
        """Note where each function literal's body starts and ends, sorted by start, and which of
        them it lies in (-1 for none), for callee_text to write each body `{…}`."""
        bodies = sorted((body.start_byte, body.end_byte) for literal in literals
                        if (body := literal.child_by_field_id(BODY)) is not None)
        parents, around = [], []
        for index, (start, _) in enumerate(bodies):
            while around and bodies[around[-1]][1] <= start:
                around.pop()
            parents.append(around[-1] if around else -1)
            around.append(index)
        self.closure_bodies = ([start for start, _ in bodies], [end for _, end in bodies], parents)

    def callee_text(self, node: tree_sitter.Node) -> str:
        """A callee as written, with the body of each function literal in it written `{…}`: a
        literal called where it is written (`defer func() {…}()`) is named by its scope. Past
        MAX_CALLEE_TEXT bytes its head and its tail are kept around a `…`: each call of a chain
        (a.b().b()…) holds the calls before it, whole texts would be N² bytes for N deep, and the
        tail holds the method the call makes (`ws.PATCH(…)…Returns(…).Writes`)."""
        starts, _, _ = self.closure_bodies
        start, end = node.start_byte, node.end_byte
        index = bisect_left(starts, start)
        if end - start <= MAX_CALLEE_TEXT and (index == len(starts) or starts[index] >= end):
            return self.text(node)
        whole, at = self.elided_head(start, end, MAX_CALLEE_TEXT)
        if at == end:
            return _squeezed(whole)
        head, _ = self.elided_head(start, end, MAX_CALLEE_TEXT // 2)
        tail = self.elided_tail(start, end, MAX_CALLEE_TEXT // 2)
        return _squeezed(head) + "…" + _squeezed(tail)

    def elided_head(self, start: int, end: int, room: int) -> tuple[bytes, int]:
        """The first `room` bytes of the source from start to end (whole UTF-8 characters), each
        function literal's body written `{…}`, and where they stop."""
        starts, ends, _ = self.closure_bodies
        index = bisect_left(starts, start)
        pieces, at = [], start
        while at < end:
            body = starts[index] if index < len(starts) and starts[index] < end else end
            if body - at > room:
                pieces.append(self.source[at:_char_start(self.source, at + room)])
                return b"".join(pieces), at + len(pieces[-1])
            pieces.append(self.source[at:body])
            room -= body - at
            at = body
            if body < end:
                pieces.append("{…}".encode())
                at = ends[index]
                index = bisect_left(starts, at, index + 1)
        return b"".join(pieces), at

    def elided_tail(self, start: int, end: int, room: int) -> bytes:
        """The last `room` bytes of the source from start to end (whole UTF-8 characters), each
        function literal's body written `{…}`."""
        starts, ends, parents = self.closure_bodies
        first = bisect_left(starts, start)
        pieces, at = [], end
        while at > start:
            # The last body before `at` that lies in no other body inside start..end.
            index = bisect_left(starts, at) - 1
            while index >= first and parents[index] >= first:
                index = parents[index]
            body_end = ends[index] if index >= first else start
            if at - body_end > room:
                cut = at - room
                while 0x80 <= self.source[cut] < 0xC0:
                    cut += 1
                pieces.append(self.source[cut:at])
                break
            pieces.append(self.source[body_end:at])
            room -= at - body_end
            at = body_end
            if body_end > start:
                pieces.append("{…}".encode())
                at = starts[index]
        return b"".join(reversed(pieces))

    def func_scope(self, node: tree_sitter.Node) -> tuple[str, str, tuple]:
        """A declaration's go/ssa name, its name, and its receiver (name, base type, pointer?)."""
        name = self.text(node.child_by_field_id(NAME))
        if node.type == "function_declaration":
            return name, name, (None, None, False)
        receiver = self.receiver(node)
        _, base, pointer = receiver
        return (f"(*{base}).{name}" if pointer else f"({base}).{name}"), name, receiver

    def on_import(self, node, scope) -> None:
        alias = node.child_by_field_id(NAME)
        path = self.text(node.child_by_field_id(PATH)).strip('"`')
        self.out["imports"].append((path, self.text(alias) if alias else None,
                                          node.start_point.row + 1))

    def on_type(self, node, scope) -> None:
        type_ = node.child_by_field_id(TYPE)
        fields: list[Row] = []
        methods: list[Row] = []
        embeds: list[str] = []
        if node.type == "type_alias":
            kind, underlying = "alias", self.text(type_)
        elif type_ is not None and type_.type == "struct_type":
            kind, underlying = "struct", "struct"
            fields = self.struct_fields(type_)
        elif type_ is not None and type_.type == "interface_type":
            kind, underlying = "interface", "interface"
            for elem in type_.named_children:
                if elem.type == "method_elem":
                    methods.append((
                        self.text(elem.child_by_field_id(NAME)),
                        self.params(elem.child_by_field_id(PARAMETERS)),
                        self.params(elem.child_by_field_id(RESULT)), elem.start_point.row + 1))
                elif elem.type == "type_elem":
                    embeds.append(self.text(elem))
        else:
            kind, underlying = "named", self.text(type_)
        self.out["types"].append((
            self.text(node.child_by_field_id(NAME)), kind, underlying,
            self.type_params(node.child_by_field_id(TYPE_PARAMETERS)), tuple(fields),
            tuple(methods), tuple(embeds), node.start_point.row + 1, node.start_point.column + 1,
            self.type_doc(node)))

    def type_doc(self, spec) -> str:
        """go/doc gives a type spec without a Doc of its own its declaration's (`type ( ... )`
        too). The declaration's is read once: every spec of a group without a doc asks for it,
        and reading it walks back over all its comments."""
        group = doc_group(spec, self.line_of)
        if group:
            return comment_text(group)
        declaration = spec.parent
        doc = self.declaration_docs.get(declaration.start_byte)
        if doc is None:
            doc = self.declaration_docs[declaration.start_byte] = doc_comment(declaration,
                                                                              self.line_of)
        return doc

    def on_func(self, node, scope) -> None:
        ssa_name, name, (receiver_name, receiver_type, pointer) = self.declared[node.start_byte]
        start, end = node.start_point, node.end_point
        self.out["funcs"].append((
            ssa_name, name, receiver_type, pointer,
            receiver_name, self.type_params(node.child_by_field_id(TYPE_PARAMETERS)),
            self.params(node.child_by_field_id(PARAMETERS)),
            self.params(node.child_by_field_id(RESULT)),
            start.row + 1, start.column + 1, end.row + 1, doc_comment(node, self.line_of)))

    def on_funclit(self, node, scope) -> None:
        start, end = node.start_point, node.end_point
        self.out["func_lits"].append((
            self.literal_names[node.start_byte], scope,
            self.params(node.child_by_field_id(PARAMETERS)),
            self.params(node.child_by_field_id(RESULT)),
            start.row + 1, start.column + 1, end.row + 1))

    def on_call(self, node, scope) -> None:
        if node.type == "type_conversion_expression":
            self.on_generic_conversion(node, scope)
            return
        function = node.child_by_field_id(FUNCTION)
        arguments = node.child_by_field_id(ARGUMENTS)
        # go/ssa places a call at its "(", and a go or defer statement at its keyword.
        mode, at = self.spawned.get(node) or (CALL, (arguments or node).start_point)
        args = tuple(map(self.argument, arguments.named_children)) if arguments else ()
        text = self.callee_text(function)
        # Most callees are a chain of selectors (`a.b.C`): its Expr is read off the text, which
        # is already at hand, rather than from two nodes per name.
        if function.type == "selector_expression" and DOTTED.fullmatch(text):
            names = text.split(".")
            callee = ("id", names[0])
            for name in names[1:]:
                callee = ("sel", callee, name)
        else:
            callee = self.expr(function)
        self.out["calls"].append((callee, text, scope, mode, args, at.row + 1, at.column + 1))

    def on_generic_conversion(self, node, scope) -> None:
        """`g[int](x)`, `pkg.G[int, string](x)`: tree-sitter-go reads a generic function
        instantiated and called with one argument as a conversion to a generic type. It is kept
        as a call of `g[int]`, encoded as `g[int](x, y)` is (`("index", g)`): the resolver tells
        a function from a type. `handlers[name](x)`, `s.handlers[name](x)` and `go fs[i](3)` read
        the same way (an index looks like a type argument) and are kept alike: a call of the
        element, which the resolver follows to what the map or slice holds. Other conversions
        (`[]byte(s)`, `(*T)(x)`) are no call."""
        generic = node.child_by_field_id(TYPE)
        if generic is None or generic.type != "generic_type":
            return
        name = generic.child_by_field_id(TYPE)
        if name is None:
            return
        if name.type == "qualified_type":
            package, member = name.named_children[0], name.named_children[-1]
            function = ("sel", ("id", self.name(package)), self.name(member))
        else:
            function = self.expr(name)
        operand = node.child_by_field_id(OPERAND)
        paren = next((child for child in node.children if child.type == "("), node)
        mode, at = self.spawned.get(node) or (CALL, paren.start_point)
        args = (self.argument(operand),) if operand is not None else ()
        self.out["calls"].append((("index", function), self.callee_text(generic), scope, mode,
                                  args, at.row + 1, at.column + 1))

    def on_composite(self, node, scope) -> None:
        if node.type == "literal_value":  # `{…}` inside another literal: its type is left out
            body = node
            written, depth = self.elided.get(node.start_byte, (None, 0))
            if written is None or body.start_byte not in self.keyed:
                return  # no element that could be a function (see below)
            type_ = self.written_type(written)
        else:
            body, depth = node.child_by_field_id(BODY), 0
            type_ = self.text(node.child_by_field_id(TYPE))
        keyed = []
        elements = self.keyed.get(body.start_byte, ()) if body else ()
        positions = None
        for element in sorted(elements, key=_START):
            if element.type == "literal_element":  # unkeyed: keyed by its position (T{f, g})
                if positions is None:
                    positions = {child.start_byte: index for index, child in enumerate(
                        child for child in body.named_children if child.type != "comment")}
                key, value = positions.get(element.start_byte), element
                if key is None:
                    continue
            elif element.named_child_count != 2:
                continue
            else:
                key, value = element.named_children
                # A field's name, or a map key or index of any kind (1: a, {k: 1}: b), by its text.
                key = self.text(key.named_children[0] if key.named_child_count else key)
            value = value.named_children[0] if value.named_child_count else value
            if self.could_be_function(value):
                keyed.append((key, self.expr(value)))
            elif self.holds_functions(value):
                at = value.start_point  # the nested literal's own fact is found by its position
                keyed.append((key, ("comp", self.text(value.child_by_field_id(TYPE)) if
                                    value.type == "composite_literal" else "",
                                    at.row + 1, at.column + 1)))
        if depth and not keyed:
            # A literal whose type is left out is kept for its functions alone: the types that
            # literals create are those written (`rta`).
            return
        at = node.start_point
        self.out["composites"].append((type_, scope, tuple(keyed), at.row + 1, at.column + 1,
                                       depth))

    def written_type(self, literal) -> str:
        """The type written on a literal, as one str for every literal inside it that leaves its
        own out: N of them nested N deep would otherwise hold N copies of a type 2N long
        ([]…[]T{{…}}), in the facts, in the stored row (marshal writes a shared str once) and
        in the resolver's keys."""
        type_ = self.written_types.get(literal.start_byte)
        if type_ is None:
            type_ = self.written_types[literal.start_byte] = self.text(
                literal.child_by_field_id(TYPE))
        return type_

    def could_be_function(self, value) -> bool:
        """Whether a literal's element could be a function value: a name, a selector, a function
        literal, a call (what it returns is the element: `Handler: wrap(h)`, `RunE: runE(o)`;
        or a conversion, `HandlerFunc(f)`) or a conversion of an operand that could be one."""
        if value.type == "type_conversion_expression":
            return bool(self.convertible(value.child_by_field_id(OPERAND)))
        return value.type in FUNCTION_VALUES or value.type == "call_expression"

    def holds_functions(self, literal) -> bool:
        """Whether a nested literal (`{f}` in [][]func(){{f}}, or []func(){f} written out) has
        an element that could be a function, or a literal that has one: only those are kept as
        an element of the literal around them.

        Literals nest as deep as a file likes (Go sets no bound), so this walks with a stack of
        its own, not Python's, and remembers each body's answer: every literal is asked about by
        each literal around it, and each is looked at once."""
        top = _body(literal)
        if top is None:
            return False
        known = self.holding
        pending = [top]
        while pending:
            body = pending[-1]
            if body.start_byte in known:
                pending.pop()
                continue
            holds, unknown = self.scan_elements(body)
            if holds or not unknown:
                known[body.start_byte] = holds
                pending.pop()
            else:
                pending.extend(unknown)
        return known[top.start_byte]

    def scan_elements(self, body) -> tuple[bool, list]:
        """Whether a literal body's own elements hold a function, or a nested literal already
        known to hold one; else the bodies of its nested literals not yet known."""
        unknown = []
        for element in self.keyed.get(body.start_byte, ()):
            value = element if element.type == "literal_element" else element.named_children[-1]
            value = value.named_children[0] if value.named_child_count else value
            if self.could_be_function(value):
                return True, []
            if value.type in NESTED_LITERALS and (inner := _body(value)) is not None:
                holds = self.holding.get(inner.start_byte)
                if holds:
                    return True, []
                if holds is None:
                    unknown.append(inner)
        return False, unknown

    def on_var(self, node, scope) -> None:
        if node.type == "receive_statement":  # case ev, ok := <-ch: (or = <-ch)
            left, right = node.child_by_field_id(LEFT), node.child_by_field_id(RIGHT)
            if right is None:
                return
            value = (self.expr(right),)
            if not any(child.type == ":=" for child in node.children):
                self.out["assigns"].append((tuple(map(self.expr, left.named_children)), value,
                                            scope, node.start_point.row + 1))
                return
            self.out["vars"].append((tuple(map(self.text, left.named_children)), None, value,
                                     scope, True, node.start_point.row + 1, visible_until(node)))
            return
        if node.type == "var_spec":
            idents = tuple(map(self.text, node.children_by_field_id(NAME)))
            type_ = node.child_by_field_id(TYPE)
            values = node.child_by_field_id(VALUE)
            short = False
        else:
            left = node.child_by_field_id(LEFT)
            idents = tuple(map(self.text, left.named_children)) if left else ()
            type_, values, short = None, node.child_by_field_id(RIGHT), True
        self.out["vars"].append((
            idents, self.text(type_) if type_ is not None else None,
            tuple(map(self.expr, values.named_children)) if values else (),
            scope, short, node.start_point.row + 1, visible_until(node)))

    def on_assign(self, node, scope) -> None:
        left, right = node.child_by_field_id(LEFT), node.child_by_field_id(RIGHT)
        if left is None or right is None:
            return
        self.out["assigns"].append((
            tuple(map(self.expr, left.named_children)),
            tuple(map(self.expr, right.named_children)), scope, node.start_point.row + 1))

    def on_send(self, node, scope) -> None:
        """`ch <- f` stores f where `<-ch` reads it: an assignment to ("recv", ch), so that the
        resolver follows a function sent on a channel to the calls of what is received."""
        channel, value = node.child_by_field_id(FIELD_CHANNEL), node.child_by_field_id(VALUE)
        if channel is None or value is None:
            return
        target = ("recv", self.expr(channel))
        self.out["assigns"].append(((target,), (self.expr(value),), scope,
                                    node.start_point.row + 1))

    def on_return(self, node, scope) -> None:
        values = node.named_children[0] if node.named_child_count else None
        if values is None or scope == PACKAGE_SCOPE:
            return
        items = values.named_children if values.type == "expression_list" else [values]
        # Encoded as shallowly as call arguments: a returned function is a name, a selector or
        # a literal; operators are only summarised. A call keeps its callee (`return
        # WithDeadline(…)` hands back what WithDeadline returns) and a composite literal its
        # place (its elements are the result's).
        self.out["returns"].append((
            tuple(self.expr(item) if item.type in ("call_expression", "composite_literal")
                  else self.argument(item)
                  for item in items), scope, node.start_point.row + 1))

    def on_range(self, node, scope) -> None:
        left, right = node.child_by_field_id(LEFT), node.child_by_field_id(RIGHT)
        if right is None:
            return
        idents = tuple(map(self.text, left.named_children)) if left else ()
        define = any(c.type == ":=" for c in node.children)
        self.out["ranges"].append((
            idents, self.expr(right), define, scope, node.start_point.row + 1,
            visible_until(node)))

    def on_typeswitch(self, node, scope) -> None:
        alias = node.child_by_field_id(ALIAS)
        value = node.child_by_field_id(VALUE)
        if value is None:
            return
        cases = []
        for clause in node.named_children:
            if clause.type in ("type_case", "default_case"):
                types = tuple(self.text(t) for t in clause.children_by_field_id(TYPE) if t.is_named)
                cases.append((types, clause.start_point.row + 1, clause.end_point.row + 1))
        self.out["type_switches"].append((
            self.text(alias.named_children[0]) if alias is not None and alias.named_child_count else None,
            self.expr(value), tuple(cases), scope, node.start_point.row + 1))


def build_constraint(root: tree_sitter.Node) -> str | None:
    """The file's `//go:build` expression; failing that, its `// +build` lines joined with &&."""
    plus_build = []
    for child in root.children:
        if child.type == "package_clause":
            break
        if child.type != "comment":
            continue
        line = child.text.decode("utf-8", "replace").strip()
        if line.startswith("//go:build "):
            return line[len("//go:build "):].strip()
        if line.startswith("// +build "):
            plus_build.append(line[len("// +build "):].strip())
    return " && ".join(f"({c})" if " " in c else c for c in plus_build) or None


def syntax_problems(root: tree_sitter.Node) -> tuple[Row, ...]:
    """Where tree-sitter had to recover: ERROR nodes and tokens it assumed MISSING."""
    problems = []
    cursor = root.walk()
    visited_children = False
    while True:
        node = cursor.node
        if not visited_children:
            if node.is_missing or node.type == "ERROR":
                what = f"missing {node.type}" if node.is_missing else "error"
                problems.append((node.start_point.row + 1, node.start_point.column + 1,
                                              what))
            if node.has_error and node.type != "ERROR" and cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            break
    return tuple(problems)


_parser = tree_sitter.Parser(GO_LANGUAGE)


def parse_rows(source: bytes) -> Row:
    """Parse one Go file's bytes into the row of its `FileFacts`; never raises on bad Go."""
    return _FileParser(source).run(_parser.parse(source))


def parse_source(source: bytes) -> FileFacts:
    """Parse one Go file's bytes into facts; never raises on bad Go."""
    return from_row(FileFacts, parse_rows(source))
