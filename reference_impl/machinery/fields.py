"""Field selectors (k8s.io/apimachinery/pkg/fields: `f=v`, `f==v`, `f!=v`, backslash escapes)
parsed into frozen requirements, and the selectable field values of an object. A selector that
does not parse, or names a field the kind does not support, is a SelectorError.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.machinery.labels import SelectorError
from reference_impl.mirrors import mirrors


class _Problem(ValueError):
    """A term's fault, raised inside the parser and reported as a SelectorError."""


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
                raise _Problem(f"invalid field selector: invalid escape sequence: \\{char}")
            out += char
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out += char
    if escaped:
        raise _Problem("invalid field selector: unterminated escape sequence")
    return out


@mirrors("k8s.io/apimachinery/pkg/fields.ParseSelector")
def parse_field_selector(text: str | None, supported: tuple[str, ...] = ()) -> FieldSelector:
    """The field selector `text` spells; when `supported` is given, other fields are a
    SelectorError (`field label not supported: spec.foo`)."""
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
                raise _Problem(f"invalid selector: '{text}'; can't understand '{term}'")
            requirements.append(FieldRequirement(field.strip(), "!=" if operator == "!=" else "=",
                                                 _unescape(value)))
    except _Problem as problem:
        raise SelectorError(text, str(problem)) from None
    for requirement in requirements:
        if supported and requirement.field not in supported:
            raise SelectorError(text, f"field label not supported: {requirement.field}")
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
