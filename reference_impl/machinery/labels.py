"""Label selectors: the query-string form (`a=b,c in (d),!e`) parsed into frozen requirements,
metav1.LabelSelector and NodeSelectorRequirement JSON matched as it is, and a Service's map
selector. A selector that does not parse is a SelectorError (a ValueError carrying the offending
text and upstream's message); the apiserver turns it into a 400 at its boundary.

The query form follows k8s.io/apimachinery/pkg/labels (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
`a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma = and).
"""
from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors


class SelectorError(ValueError):
    """A label or field selector that does not parse; `selector` is the text (or JSON) refused."""

    def __init__(self, selector: str, message: str):
        super().__init__(selector, message)
        self.selector, self.message = selector, message

    def __str__(self) -> str:
        return self.message


_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
# Anchored with \Z, not $: Go's $ does not match before a trailing newline.
_QUALIFIED_NAME = re.compile(f"^{_QUALIFIED_NAME_FMT}\\Z")
_LABEL_VALUE_FMT = f"({_QUALIFIED_NAME_FMT})?"
_LABEL_VALUE = re.compile(f"^{_LABEL_VALUE_FMT}\\Z")
_DNS_SUBDOMAIN_FMT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
DNS_SUBDOMAIN = re.compile(f"^{_DNS_SUBDOMAIN_FMT}\\Z")
_INT64 = re.compile(r"^[+-]?[0-9]+\Z")


@mirrors("k8s.io/apimachinery/pkg/util/validation.RegexError")
def regex_error(message: str, fmt: str, *examples: str) -> str:
    """`message` with its examples and the regex, as validation errors end."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    # Go's loop writes "'x', " per example and " or " between them, hence the double spaces.
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


_QUALIFIED_NAME_MSG = regex_error("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                                  "with an alphanumeric character", _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain")
def dns_subdomain_problems(value: str) -> list[str]:
    problems = ["must be no more than 253 characters"] if len(value) > 253 else []
    if not DNS_SUBDOMAIN.match(value):
        problems.append(regex_error("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                    "characters, '-' or '.', and must start and end with an alphanumeric character",
                                    _DNS_SUBDOMAIN_FMT, "example.com"))
    return problems


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsQualifiedName")
def qualified_name_problems(value: str) -> list[str]:
    """Why `value` is not a qualified name (`[prefix/]name`), in upstream's words; empty if it is."""
    parts = value.split("/")
    if len(parts) > 2:
        return [f"a qualified name {_QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' "
                "(e.g. 'example.com/MyName')"]
    problems = []
    if len(parts) == 2:
        prefix = parts[0]
        problems += (["prefix part must be non-empty"] if not prefix
                     else [f"prefix part {problem}" for problem in dns_subdomain_problems(prefix)])
    name = parts[-1]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    if not _QUALIFIED_NAME.match(name):
        problems.append(f"name part {_QUALIFIED_NAME_MSG}")
    return problems


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsValidLabelValue")
def label_value_problems(value: str) -> list[str]:
    """Why `value` is not a label value, in upstream's words; empty if it is."""
    problems = ["must be no more than 63 characters"] if len(value) > 63 else []
    if not _LABEL_VALUE.match(value):
        problems.append(regex_error("a valid label must be an empty string or consist of alphanumeric characters, "
                                    "'-', '_' or '.', and must start and end with an alphanumeric character",
                                    _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return problems


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a qualified label key, its problems joined as validateLabelKey joins them; or None."""
    return "; ".join(qualified_name_problems(key)) or None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a valid label value, joined as validateLabelValue joins them; or None."""
    return "; ".join(label_value_problems(value)) or None


def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), None where it fails."""
    if not _INT64.match(text):
        return None
    number = int(text)
    return number if -2**63 <= number < 2**63 else None


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # "=", "!=", "in", "notin", "exists", "!", ">", "<"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator in ("=", "in"):
            return present and value in self.values
        if self.operator in ("!=", "notin"):
            return not present or value not in self.values
        if self.operator == "exists":
            return present
        if self.operator == "!":
            return not present
        number, bound = _parse_int64(value) if present else None, _parse_int64(self.values[0])
        if number is None or bound is None:
            return False
        return number > bound if self.operator == ">" else number < bound


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: dict | None) -> bool:
        return all(r.matches(labels or {}) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


class Token(enum.Enum):
    END_OF_STRING = "end of string"
    CLOSED_PAR = ")"
    COMMA = ","
    DOES_NOT_EXIST = "!"
    DOUBLE_EQUALS = "=="
    EQUALS = "="
    GREATER_THAN = ">"
    IDENTIFIER = "identifier"
    IN = "in"
    LESS_THAN = "<"
    NOT_EQUALS = "!="
    NOT_IN = "notin"
    OPEN_PAR = "("


_STRING_TO_TOKEN = {token.value: token for token in Token
                    if token not in (Token.END_OF_STRING, Token.IDENTIFIER)}
_SPECIAL_SYMBOLS = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
# Go reads a NUL byte where the string ends, so a NUL inside it also ends a token.
_NUL = "\0"


class Lexer:
    """Turns a selector into (token, literal) pairs; `in` and `notin` are keywords here and become
    identifiers again where the parser expects values."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def read(self) -> str:
        if self.pos >= len(self.text):
            return _NUL
        self.pos += 1
        return self.text[self.pos - 1]

    @mirrors("(*k8s.io/apimachinery/pkg/labels.Lexer).Lex")
    def lex(self) -> tuple[Token, str]:
        char = self.read()
        while char in _WHITESPACE:
            char = self.read()
        if char == _NUL:
            return Token.END_OF_STRING, ""
        self.pos -= 1
        return self.scan_special_symbol() if char in _SPECIAL_SYMBOLS else self.scan_id_or_keyword()

    def scan_id_or_keyword(self) -> tuple[Token, str]:
        literal = ""
        while (char := self.read()) != _NUL:
            if char in _SPECIAL_SYMBOLS or char in _WHITESPACE:
                self.pos -= 1
                break
            literal += char
        return _STRING_TO_TOKEN.get(literal, Token.IDENTIFIER), literal

    def scan_special_symbol(self) -> tuple[Token, str]:
        """The longest operator at this position (`!=` rather than `!`). Every special symbol is
        an operator by itself, so upstream's ErrorToken cannot come out of here."""
        literal = self.read()
        while (char := self.read()) in _SPECIAL_SYMBOLS and literal + char in _STRING_TO_TOKEN:
            literal += char
        if char != _NUL:
            self.pos -= 1
        return _STRING_TO_TOKEN[literal], literal


_BINARY_OPERATORS = {Token.IN: "in", Token.NOT_IN: "notin", Token.EQUALS: "=", Token.DOUBLE_EQUALS: "=",
                     Token.NOT_EQUALS: "!=", Token.GREATER_THAN: ">", Token.LESS_THAN: "<"}
# selection.Operator spellings, in the order upstream's "expected:" message lists them.
_BINARY_OPERATOR_NAMES = "in, notin, =, ==, !=, gt, lt"


class _Problem(ValueError):
    """Why a selector does not parse, in upstream's words; parse_label_selector reports it."""


class Parser:
    """Upstream's recursive descent over the scanned tokens: one requirement after another,
    separated by commas."""

    def __init__(self, text: str):
        lexer, self.items, self.position = Lexer(text), [], 0
        while True:
            self.items.append(lexer.lex())
            if self.items[-1][0] is Token.END_OF_STRING:
                break

    def lookahead(self, values: bool = True) -> tuple[Token, str]:
        token, literal = self.items[self.position]
        if values and token in (Token.IN, Token.NOT_IN):
            token = Token.IDENTIFIER
        return token, literal

    def consume(self, values: bool = True) -> tuple[Token, str]:
        item = self.lookahead(values)
        self.position += 1
        return item

    @mirrors("(*k8s.io/apimachinery/pkg/labels.Parser).parse")
    def parse(self) -> list[Requirement]:
        requirements = []
        while True:
            token, literal = self.lookahead()
            if token is Token.END_OF_STRING:
                return requirements
            if token not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                raise _Problem(f"found '{literal}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.parse_requirement())
            except _Problem as problem:
                raise _Problem(f"unable to parse requirement: {problem}") from None
            token, literal = self.consume()
            if token is Token.END_OF_STRING:
                return requirements
            if token is not Token.COMMA:
                raise _Problem(f"found '{literal}', expected: ',' or 'end of string'")
            token, literal = self.lookahead()
            if token not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                raise _Problem(f"found '{literal}', expected: identifier after ','")

    def parse_requirement(self) -> Requirement:
        key, operator = self.parse_key_and_infer_operator()
        if operator:
            return new_requirement(key, operator, ())
        token, literal = self.consume(values=False)
        operator = _BINARY_OPERATORS.get(token)
        if operator is None:
            raise _Problem(f"found '{literal}', expected: {_BINARY_OPERATOR_NAMES}")
        values = self.parse_values() if operator in ("in", "notin") else self.parse_exact_value()
        return new_requirement(key, operator, tuple(sorted(values)))

    def parse_key_and_infer_operator(self) -> tuple[str, str]:
        """The key, and "!" or "exists" when no binary operator follows it ("" otherwise)."""
        operator = ""
        token, literal = self.consume()
        if token is Token.DOES_NOT_EXIST:
            operator = "!"
            token, literal = self.consume()
        if token is not Token.IDENTIFIER:
            raise _Problem(f"found '{literal}', expected: identifier")
        if problem := label_key_problem(literal):
            # Parse is called without a field path, which field.Error prints as <nil>.
            raise _Problem(f"<nil>: Invalid value: {quote(literal)}: {problem}")
        if self.lookahead()[0] in (Token.END_OF_STRING, Token.COMMA) and not operator:
            operator = "exists"
        return literal, operator

    def parse_values(self) -> set[str]:
        token, literal = self.consume()
        if token is not Token.OPEN_PAR:
            raise _Problem(f"found '{literal}' expected: '('")
        token, literal = self.lookahead()
        if token is Token.CLOSED_PAR:
            self.consume()
            return {""}
        if token not in (Token.IDENTIFIER, Token.COMMA):
            raise _Problem(f"found '{literal}', expected: ',', ')' or identifier")
        values = self.parse_identifiers_list()
        self.consume()  # the ")" parse_identifiers_list stopped at
        return values

    def parse_identifiers_list(self) -> set[str]:
        """Comma-separated, possibly empty identifiers up to a ")": `(,a,,)` holds "" and "a"."""
        values: set[str] = set()
        while True:
            token, literal = self.consume()
            if token is Token.IDENTIFIER:
                values.add(literal)
                token, literal = self.lookahead()
                if token is Token.CLOSED_PAR:
                    return values
                if token is not Token.COMMA:
                    raise _Problem(f"found '{literal}', expected: ',' or ')'")
            elif token is Token.COMMA:
                # A comma first, last or doubled stands next to an empty value.
                if not values:
                    values.add("")
                token, _ = self.lookahead()
                if token is Token.CLOSED_PAR:
                    values.add("")
                    return values
                if token is Token.COMMA:
                    self.consume()
                    values.add("")
            else:
                raise _Problem(f"found '{literal}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        if self.lookahead()[0] in (Token.END_OF_STRING, Token.COMMA):
            return {""}
        token, literal = self.consume()
        if token is not Token.IDENTIFIER:
            raise _Problem(f"found '{literal}', expected: identifier")
        return {literal}


@mirrors("k8s.io/apimachinery/pkg/labels.NewRequirement")
def new_requirement(key: str, operator: str, values: tuple[str, ...]) -> Requirement:
    """The requirement, or a _Problem listing what is wrong with its values as field errors
    (the parser has checked the key and the number of values already)."""
    problems = []
    if operator in (">", "<"):
        problems += [f"values[{i}]: Invalid value: {quote(value)}: for 'Gt', 'Lt' operators, the value must be "
                     "an integer" for i, value in enumerate(values) if _parse_int64(value) is None]
    problems += [f"values[{i}][{key}]: Invalid value: {quote(value)}: {label_value_problem(value)}"
                 for i, value in enumerate(values) if label_value_problem(value)]
    if problems:
        # An aggregate of one error prints as that error, of several as [a, b].
        raise _Problem(problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]")
    return Requirement(key, operator, values)


@mirrors("k8s.io/apimachinery/pkg/labels.Parse")
def parse_label_selector(text: str | None) -> LabelSelector:
    """The selector `text` spells, its requirements sorted by key; the empty string selects everything."""
    try:
        requirements = Parser(text or "").parse()
    except _Problem as problem:
        raise SelectorError(text or "", str(problem)) from None
    return LabelSelector(tuple(sorted(requirements, key=lambda r: r.key)))


def from_label_selector_dict(selector: dict | None) -> LabelSelector:
    """A metav1.LabelSelector (`matchLabels`, `matchExpressions`) as a LabelSelector; an unknown
    operator is a SelectorError."""
    selector = selector or {}
    requirements = [Requirement(k, "=", (v,)) for k, v in sorted((selector.get("matchLabels") or {}).items())]
    operators = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expression in selector.get("matchExpressions") or []:
        operator = operators.get(expression.get("operator"))
        if operator is None:
            raise SelectorError(str(expression),
                                f'"{expression.get("operator")}" is not a valid pod selector operator')
        requirements.append(Requirement(expression.get("key", ""), operator,
                                        tuple(expression.get("values") or ())))
    return LabelSelector(tuple(requirements))


def to_string(selector: LabelSelector) -> str:
    """The query-string form of `selector` (what Scale.status.selector carries)."""
    parts = []
    for r in selector.requirements:
        if r.operator == "exists":
            parts.append(r.key)
        elif r.operator == "!":
            parts.append(f"!{r.key}")
        elif r.operator in ("in", "notin"):
            parts.append(f"{r.key} {r.operator} ({','.join(sorted(r.values))})")
        else:
            parts.append(f"{r.key}{r.operator}{r.values[0]}")
    return ",".join(parts)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """Whether a metav1.LabelSelector matches `labels`; a nil selector matches nothing, `{}` everything."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(requirement_matches(req, labels) for req in selector.get("matchExpressions") or ())


LabelsSelector = Callable[[Mapping[str, str]], bool]


_SELECTOR_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


def _requirement_problems(key: str, operator: str, values: list) -> list[str]:
    """NewRequirement's field errors for one requirement of a metav1.LabelSelector."""
    problems = []
    if label_key_problem(key):
        problems.append(f"key: Invalid value: {quote(key)}: {label_key_problem(key)}")
    shown = "[]string(nil)" if not values else "[]string{" + ", ".join(quote(v) for v in values) + "}"
    if operator in ("in", "notin") and not values:
        problems.append(f"values: Invalid value: {shown}: for 'in', 'notin' operators, values set can't be empty")
    elif operator == "=" and len(values) != 1:
        problems.append(f"values: Invalid value: {shown}: exact-match compatibility requires one single value")
    elif operator in ("exists", "!") and values:
        problems.append(f"values: Invalid value: {shown}: values set must be empty for exists and does not exist")
    problems += [f"values[{i}][{key}]: Invalid value: {quote(value)}: {label_value_problem(value)}"
                 for i, value in enumerate(values) if label_value_problem(value)]
    return problems


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelectorAsSelector")
def check_label_selector(selector: Mapping[str, Any] | None) -> None:
    """Raise the SelectorError LabelSelectorAsSelector returns for `selector`, if any: its first
    bad requirement (matchLabels before matchExpressions), errors aggregated as Go prints them."""
    if not selector:
        return
    requirements = [(k, "=", [v]) for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or ():
        operator = _SELECTOR_OPERATORS.get(expression.get("operator"))
        if operator is None:
            raise SelectorError(str(expression), f'"{expression.get("operator", "")}" is not a valid pod selector operator')
        requirements.append((expression.get("key", ""), operator, list(expression.get("values") or ())))
    for key, operator, values in requirements:
        problems = _requirement_problems(key, operator, values)
        if problems:
            raise SelectorError(str(selector), problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]")


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelectorAsSelector")
def compile_selector(selector: Mapping[str, Any] | None) -> LabelsSelector | None:
    """`selector_matches` with the selector fixed, for loops over many pods; None for a nil selector
    (it matches nothing). The common matchLabels-only selector becomes plain lookups."""
    if selector is None:
        return None
    if selector.get("matchExpressions"):
        return lambda labels: selector_matches(selector, labels)
    pairs = tuple((selector.get("matchLabels") or {}).items())
    if len(pairs) == 1:
        (key, value), = pairs
        return lambda labels: labels.get(key) == value
    return lambda labels: all(labels.get(k) == v for k, v in pairs)


def requirement_matches(req: Mapping[str, Any], values_by_key: Mapping[str, str]) -> bool:
    """One LabelSelectorRequirement, or NodeSelectorRequirement (which adds Gt and Lt), as JSON;
    an unknown operator matches nothing."""
    key, op, values = req["key"], req["operator"], req.get("values") or ()
    if op == "In":
        return key in values_by_key and values_by_key[key] in values
    if op == "NotIn":
        return not (key in values_by_key and values_by_key[key] in values)
    if op == "Exists":
        return key in values_by_key
    if op == "DoesNotExist":
        return key not in values_by_key
    if op in ("Gt", "Lt"):
        if key not in values_by_key or len(values) != 1:
            return False
        try:
            have, want = int(values_by_key[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def compile_requirement(req: Mapping[str, Any]) -> Callable[[Mapping[str, str]], bool]:
    """`requirement_matches(req, labels)` with the requirement's parts looked up once: In and
    NotIn against a set (label values are strings, never None)."""
    key, op, values = req["key"], req["operator"], req.get("values") or ()
    if op in ("In", "NotIn") and all(isinstance(v, str) for v in values):
        wanted = frozenset(values)
        if op == "In":
            return lambda labels: labels.get(key) in wanted
        return lambda labels: labels.get(key) not in wanted
    return lambda labels: requirement_matches(req, labels)


def map_selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """A Service's map selector: empty or missing selects nothing."""
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())
