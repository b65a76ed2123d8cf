"""Field selectors (k8s.io/apimachinery/pkg/fields: `f=v`, `f==v`, `f!=v`, backslash escapes)
parsed into frozen requirements, and the selectable field values of an object. A selector that
does not parse is a SelectorError; which fields a kind supports is its field label conversion's
business (`FieldSelector.transform`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reference_impl.machinery.labels import SelectorError
from reference_impl.mirrors import mirrors


class _Problem(ValueError):
    """A term's fault, raised inside the parser and reported as a SelectorError."""


# A field label conversion: (field, value) -> (field, value), a ValueError for a field it refuses.
TransformFunc = Callable[[str, str], tuple[str, str]]


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

    @mirrors("(k8s.io/apimachinery/pkg/fields.andTerm).Transform")
    def transform(self, convert: TransformFunc) -> "FieldSelector":
        """Each requirement's field and value through `convert` (which raises a ValueError for one it
        refuses); one that becomes an empty field with an empty value is dropped."""
        requirements = []
        for requirement in self.requirements:
            field, value = convert(requirement.field, requirement.value)
            if field or value:
                requirements.append(FieldRequirement(field, requirement.operator, value))
        return FieldSelector(tuple(requirements))


@mirrors("k8s.io/apimachinery/pkg/fields.splitTerms")
def _split_terms(text: str) -> list[str]:
    """The comma-separated terms of `text`; an escaped comma stays in its term, backslash and all."""
    terms, start, escaped = [], 0, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            terms.append(text[start:index])
            start = index + 1
    return terms + [text[start:]]


@mirrors("k8s.io/apimachinery/pkg/fields.splitTerm")
def _split_term(term: str) -> tuple[str, str, str] | None:
    """The field, operator and raw value of `term`, split at the first operator in it (the field
    has no escapes); None when there is none."""
    for index in range(len(term)):
        for operator in ("!=", "==", "="):
            if term.startswith(operator, index):
                return term[:index], operator, term[index + len(operator):]
    return None


@mirrors("k8s.io/apimachinery/pkg/fields.EscapeValue")
def escape_value(value: str) -> str:
    """`value` written into a selector term: backslash, comma and equals sign escaped."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


@mirrors("k8s.io/apimachinery/pkg/fields.UnescapeValue")
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
        elif char in ",=":
            # Go prints the offending rune as its code point (%v of a rune).
            raise _Problem(f"invalid field selector: unescaped character in value: {ord(char)}")
        else:
            out += char
    if escaped:
        raise _Problem("invalid field selector: invalid escape sequence: \\")
    return out


@mirrors("k8s.io/apimachinery/pkg/fields.ParseSelector")
def parse_field_selector(text: str | None) -> FieldSelector:
    """The field selector `text` spells, its terms in sorted order; a term with neither field
    nor value (`=`, or an empty one between commas) selects everything and is dropped."""
    requirements = []
    try:
        for term in sorted(_split_terms(text or "")):
            if not term:
                continue
            split = _split_term(term)
            if split is None:
                raise _Problem(f"invalid selector: '{text}'; can't understand '{term}'")
            field, operator, value = split
            requirements.append(FieldRequirement(field, "!=" if operator == "!=" else "=", _unescape(value)))
    except _Problem as problem:
        raise SelectorError(text or "", str(problem)) from None
    return FieldSelector(tuple(requirements)).transform(lambda field, value: (field, value))


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
