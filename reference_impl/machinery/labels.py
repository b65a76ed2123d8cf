"""Label selectors: the query-string form (`a=b,c in (d),!e`) parsed into frozen requirements,
metav1.LabelSelector and NodeSelectorRequirement JSON matched as it is, and a Service's map
selector. A selector that does not parse is a SelectorError (a ValueError carrying the offending
text and upstream's message); the apiserver turns it into a 400 at its boundary.

The query form follows k8s.io/apimachinery/pkg/labels (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
`a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma = and).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from reference_impl.mirrors import mirrors


class SelectorError(ValueError):
    """A label or field selector that does not parse; `selector` is the text (or JSON) refused."""

    def __init__(self, selector: str, message: str):
        super().__init__(selector, message)
        self.selector, self.message = selector, message

    def __str__(self) -> str:
        return self.message


class _Problem(ValueError):
    """One requirement's fault, raised inside the parser and reported as a SelectorError."""


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Operators longest first so "==" is not read as "=" and "!=" not as "!".
_REQUIREMENT = re.compile(r"^\s*(?P<key>[^\s=!<>(),]+)\s*(?P<op>==|!=|=|>|<|\s+in\s+|\s+notin\s+)"
                          r"\s*(?P<rest>.*?)\s*$", re.S)


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a qualified label key (`[prefix/]name`), or None."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or not _NAME_PART.match(name):
        return ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
                "and end with an alphanumeric character, and be no more than 63 characters")
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a valid label value, or None."""
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _LABEL_VALUE.match(value):
        return ("a valid label must be an empty string or consist of alphanumeric characters, '-', "
                "'_' or '.', and must start and end with an alphanumeric character")
    return None


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
        try:
            number, bound = int(value), int(self.values[0])
        except (TypeError, ValueError):
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


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside `(...)`."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _requirement(text: str) -> Requirement:
    stripped = text.strip()
    if not stripped:
        raise _Problem("found '', expected: !, identifier, or 'end of string'")
    match = _REQUIREMENT.match(stripped)
    if match is None:
        key, operator = (stripped[1:].strip(), "!") if stripped.startswith("!") else (stripped, "exists")
        values: tuple[str, ...] = ()
    else:
        key, operator, rest = match["key"], match["op"].strip(), match["rest"]
        operator = "=" if operator == "==" else operator
        if operator in ("in", "notin"):
            if not (rest.startswith("(") and rest.endswith(")")):
                raise _Problem(f"found '{rest[:1]}', expected: '('")
            values = tuple(v.strip() for v in rest[1:-1].split(","))
        else:
            values = (rest,)
            if operator in (">", "<") and not rest.lstrip("-").isdigit():
                raise _Problem("for 'Gt', 'Lt' operators, the value must be an integer")
    problem = label_key_problem(key)
    if problem:
        raise _Problem(f'key: Invalid value: "{key}": {problem}')
    for value in values:
        if label_value_problem(value):
            raise _Problem(f'values[0][{key}]: Invalid value: "{value}": {label_value_problem(value)}')
    return Requirement(key, operator, values)


@mirrors("k8s.io/apimachinery/pkg/labels.Parse")
def parse_label_selector(text: str | None) -> LabelSelector:
    """The selector `text` spells; the empty string selects everything."""
    if not text or not text.strip():
        return LabelSelector()
    try:
        return LabelSelector(tuple(_requirement(part) for part in _split_top_level(text)))
    except _Problem as problem:
        raise SelectorError(text, f"unable to parse requirement: {problem}") from None


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
