"""Label and field selectors: parsing the query-string forms and matching objects against them.

Label selectors follow k8s.io/apimachinery/pkg/labels (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
`a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma = and); field selectors follow
k8s.io/apimachinery/pkg/fields (`f=v`, `f==v`, `f!=v`, backslash escapes). Both are frozen data;
a syntax error is a 400 BadRequest with a message in upstream's words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reference_impl.apiserver.core import errors
from reference_impl.mirrors import mirrors

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
        raise ValueError("found '', expected: !, identifier, or 'end of string'")
    match = _REQUIREMENT.match(stripped)
    if match is None:
        key, operator = (stripped[1:].strip(), "!") if stripped.startswith("!") else (stripped, "exists")
        values: tuple[str, ...] = ()
    else:
        key, operator, rest = match["key"], match["op"].strip(), match["rest"]
        operator = "=" if operator == "==" else operator
        if operator in ("in", "notin"):
            if not (rest.startswith("(") and rest.endswith(")")):
                raise ValueError(f"found '{rest[:1]}', expected: '('")
            values = tuple(v.strip() for v in rest[1:-1].split(","))
        else:
            values = (rest,)
            if operator in (">", "<") and not rest.lstrip("-").isdigit():
                raise ValueError("for 'Gt', 'Lt' operators, the value must be an integer")
    problem = label_key_problem(key)
    if problem:
        raise ValueError(f'key: Invalid value: "{key}": {problem}')
    for value in values:
        if label_value_problem(value):
            raise ValueError(f'values[0][{key}]: Invalid value: "{value}": {label_value_problem(value)}')
    return Requirement(key, operator, values)


@mirrors("k8s.io/apimachinery/pkg/labels.Parse")
def parse_label_selector(text: str | None) -> LabelSelector:
    """The selector `text` spells; the empty string selects everything."""
    if not text or not text.strip():
        return LabelSelector()
    try:
        return LabelSelector(tuple(_requirement(part) for part in _split_top_level(text)))
    except ValueError as error:
        raise errors.bad_request(f"unable to parse requirement: {error}") from None


def from_label_selector_dict(selector: dict | None) -> LabelSelector:
    """A metav1.LabelSelector (`matchLabels`, `matchExpressions`) as a LabelSelector."""
    selector = selector or {}
    requirements = [Requirement(k, "=", (v,)) for k, v in sorted((selector.get("matchLabels") or {}).items())]
    operators = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expression in selector.get("matchExpressions") or []:
        operator = operators.get(expression.get("operator"))
        if operator is None:
            raise errors.bad_request(f'"{expression.get("operator")}" is not a valid pod selector operator')
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


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    operator: str  # "=" or "!="
    value: str


@dataclass(frozen=True)
class FieldSelector:
    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: dict[str, str]) -> bool:
        return all((fields.get(r.field, "") == r.value) == (r.operator == "=")
                   for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return parts


def _unescape(value: str) -> str:
    out, escaped = "", False
    for char in value:
        if escaped:
            if char not in "\\,=":
                raise ValueError(f"invalid field selector: invalid escape sequence: \\{char}")
            out += char
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out += char
    if escaped:
        raise ValueError("invalid field selector: unterminated escape sequence")
    return out


@mirrors("k8s.io/apimachinery/pkg/fields.ParseSelector")
def parse_field_selector(text: str | None, supported: tuple[str, ...] = ()) -> FieldSelector:
    """The field selector `text` spells; when `supported` is given, other fields are a 400
    (`field label not supported: spec.foo`)."""
    if not text or not text.strip():
        return FieldSelector()
    requirements = []
    try:
        for term in _split_unescaped(text, ","):
            for operator in ("!=", "==", "="):
                field, found, value = term.partition(operator)
                if found:
                    break
            else:
                raise ValueError(f"invalid selector: '{text}'; can't understand '{term}'")
            requirements.append(FieldRequirement(field.strip(), "!=" if operator == "!=" else "=",
                                                 _unescape(value)))
    except ValueError as error:
        raise errors.bad_request(str(error)) from None
    for requirement in requirements:
        if supported and requirement.field not in supported:
            raise errors.bad_request(f"field label not supported: {requirement.field}")
    return FieldSelector(tuple(requirements))


def object_fields(obj: dict, field_paths: tuple[str, ...]) -> dict[str, str]:
    """The selectable field values of `obj` (GetAttrs): each dotted path's value as a string,
    "" when absent, booleans as "true"/"false"."""
    fields = {}
    for path in field_paths:
        value: object = obj
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):
            value = "true" if value else "false"
        fields[path] = "" if value is None else str(value)
    return fields
