"""A custom object's values against its CRD version's openAPIV3Schema, as kube-openapi's
SchemaValidator checks them and the apiextensions apiserver turns the result into field errors.

Each schema node runs the validators SchemaValidator runs, in its order: type, the junctors (anyOf,
oneOf, allOf, not), string (lengths, pattern), format, number (multipleOf, bounds), array (items,
min/maxItems), enum, object (min/maxProperties, members, required). A validator runs when the
value's kind suits it, whatever the schema's type says, so a value of the wrong type can collect
more than the type error. anyOf and oneOf report the failures of the branch that passed the most
checks (the Result's MatchCount), so the count is kept as Go keeps it.

Formats (`crdformats`): the apiextensions validator drops every format outside its supported list
before validating (int32, int64, float, double and any unknown name are never checked); the rest
are checked on string values by strfmt's default registry.
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from reference_impl.apiserver.core.crdformats import FORMATS, checked_format
from reference_impl.apiserver.core.goregexp import GoRegexpError, compile_go
from reference_impl.apiserver.core.validation import quote
from reference_impl.machinery.gofmt import format_float, format_sharp_v, format_v
from reference_impl.mirrors import mirrors

INT_OR_STRING = "x-kubernetes-int-or-string"
MIN_INT64, MAX_INT64 = -2**63, 2**63 - 1

REQUIRED, ENUM, OTHER, COMPOSITE = "required", "enum", "other", "composite"


@dataclass(frozen=True)
class Failure:
    """One kube-openapi error: its kind (a *Validation's code, or a composite apiError of the
    junctors), the name (path) it names, the bad value and its text."""
    kind: str
    name: str
    message: str
    value: object = None
    values: tuple = ()


@dataclass
class Result:
    failures: list[Failure] = field(default_factory=list)
    match_count: int = 0
    # The messages already in `failures`, so that adding stays linear in the number of failures.
    _messages: set[str] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._messages.update(failure.message for failure in self.failures)

    @property
    def valid(self) -> bool:
        return not self.failures

    @mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.Result).AddErrors")
    def add(self, *failures: Failure) -> None:
        """An error whose text is already reported is not added again."""
        for failure in failures:
            if failure.message not in self._messages:
                self._messages.add(failure.message)
                self.failures.append(failure)

    @mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.Result).Merge")
    def merge(self, *others: Result | None) -> Result:
        for other in others:
            if other is not None:
                self.add(*other.failures)
                self.match_count += other.match_count
        return self


def _fail(failure: Failure) -> Result:
    return Result([failure])


# --- the value's kind, as reflect sees what k8s.io/apimachinery/pkg/util/json decoded -------------

def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int) and MIN_INT64 <= value <= MAX_INT64:
        return "int64"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "slice" if isinstance(value, list) else "map"


_SCHEMA_TYPE = {"bool": ("boolean", ""), "string": ("string", ""), "int64": ("integer", "int64"),
                "float64": ("number", "float64"), "slice": ("array", ""), "map": ("object", "")}


# --- the validators -----------------------------------------------------------------------------

def _types(schema: dict) -> tuple[str, ...]:
    """spec.Schema's Type: an int-or-string node is both integer and string."""
    if schema.get(INT_OR_STRING):
        return ("integer", "string")
    return (schema["type"],) if schema.get("type") else ()


def _type_failure(path: str, expected: str, value: str) -> Failure:
    return Failure(OTHER, path, f"{path} in body must be of type {expected}: {quote(value)}", value)


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.typeValidator).Validate")
def _validate_type(schema: dict, value: object, path: str) -> Result:
    types, checked = _types(schema), checked_format(schema)
    if value is None:
        if types and not schema.get("nullable"):
            return _fail(_type_failure(path, ",".join(types), "null"))
        return Result(match_count=1)
    kind = _kind(value)
    actual, actual_format = _SCHEMA_TYPE[kind]
    float_int = actual == "number" and _is_json_integer(value) and "integer" in types
    int_float = actual == "integer" and "number" in types
    if kind not in ("string", "slice") and checked and not (
            actual in types or actual_format == checked or float_int or int_float):
        return _fail(_type_failure(path, checked, actual_format))
    if not ("number" in types or "integer" in types) and checked and kind in ("string", "slice"):
        return Result(match_count=1)
    if not (actual in types or float_int or int_float):
        return _fail(_type_failure(path, ",".join(types), actual))
    return Result(match_count=1)


@mirrors("github.com/go-openapi/swag.IsFloat64AJSONInteger")
def _is_json_integer(value: float) -> bool:
    """A float64 the integer type takes: a whole number no larger than 2**53 - 1."""
    return abs(value) <= 2**53 - 1 and float(value).is_integer()


def _composite(message: str) -> Failure:
    return Failure(COMPOSITE, "", message)


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.schemaPropsValidator).Validate")
def _validate_junctors(schema: dict, value: object, path: str) -> Result:
    """anyOf: one branch passes, else the one with the most matches explains; oneOf: exactly one;
    allOf: all, every branch's errors kept; not: the branch fails."""
    main = Result()
    any_of = [s for s in schema.get("anyOf") or () if isinstance(s, dict)]
    if any_of:
        best, first_success, succeeded = None, None, False
        for branch in any_of:
            result = validate_node(branch, value, path)
            if result.valid:
                best, succeeded = None, True
                first_success = first_success or result
                break
            if best is None or result.match_count > best.match_count:
                best = result
        if not succeeded:
            main.add(_composite(f"{quote(path)} must validate at least one schema (anyOf)"))
        main.merge(best if best is not None else first_success)
    one_of = [s for s in schema.get("oneOf") or () if isinstance(s, dict)]
    if one_of:
        best, first_success, valid = None, None, 0
        for branch in one_of:
            result = validate_node(branch, value, path)
            if result.valid:
                valid += 1
                best = None
                first_success = first_success or result
                continue
            if valid == 0 and (best is None or result.match_count > best.match_count):
                best = result
        if valid != 1:
            found = "Found none valid" if valid == 0 else f"Found {valid} valid alternatives"
            main.add(_composite(f"{quote(path)} must validate one and only one schema (oneOf). {found}"))
            main.merge(best)
        else:
            main.merge(first_success)
    all_of = [s for s in schema.get("allOf") or () if isinstance(s, dict)]
    if all_of:
        valid = 0
        for branch in all_of:
            result = validate_node(branch, value, path)
            valid += result.valid
            main.merge(result)
        if valid != len(all_of):
            main.add(_composite(f"{quote(path)} must validate all the schemas (allOf)"
                                f"{'. None validated' if valid == 0 else ''}"))
    if isinstance(schema.get("not"), dict) and validate_node(schema["not"], value, path).valid:
        main.add(_composite(f"{quote(path)} must not validate the schema (not)"))
    main.match_count += 1
    return main


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.stringValidator).Validate")
def _validate_string(schema: dict, value: str, path: str) -> Result | None:
    """maxLength, minLength (in runes), pattern: the first that fails."""
    length = len(value)
    if isinstance(schema.get("maxLength"), int) and length > schema["maxLength"]:
        return _fail(Failure(OTHER, path, f"{path} in body should be at most {schema['maxLength']} chars long", value))
    if isinstance(schema.get("minLength"), int) and length < schema["minLength"]:
        return _fail(Failure(OTHER, path, f"{path} in body should be at least {schema['minLength']} chars long", value))
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and pattern:
        try:
            matched = compile_go(pattern).search(value)
        except GoRegexpError as err:
            return _fail(Failure(OTHER, path, f"{path} in body should match '{pattern}, but pattern is invalid: {err}'",
                                 value))
        if not matched:
            return _fail(Failure(OTHER, path, f"{path} in body should match '{pattern}'", value))
    return None


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.formatValidator).Validate")
def _validate_format(checked: str, value: str, path: str) -> Result | None:
    if FORMATS[checked.replace("-", "")](value):
        return None
    return _fail(_type_failure(path, checked, value))


def _number(value: float) -> str:
    """A bound as Go's %v prints a float64: 10, not 10.0."""
    return format_float(value)


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.numberValidator).Validate")
def _validate_number(schema: dict, value: float, path: str) -> Result:
    """multipleOf, then minimum, then maximum (with their exclusive forms)."""
    result = Result()
    factor = schema.get("multipleOf")
    if isinstance(factor, (int, float)) and not isinstance(factor, bool) and not _is_multiple(value, factor):
        result.add(Failure(OTHER, path, f"{path} in body should be a multiple of {_number(factor)}", value))
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(low, (int, float)) and not isinstance(low, bool):
        if schema.get("exclusiveMinimum") and value <= low:
            result.add(Failure(OTHER, path, f"{path} in body should be greater than {_number(low)}", value))
        elif value < low:
            result.add(Failure(OTHER, path, f"{path} in body should be greater than or equal to {_number(low)}", value))
    if isinstance(high, (int, float)) and not isinstance(high, bool):
        if schema.get("exclusiveMaximum") and value >= high:
            result.add(Failure(OTHER, path, f"{path} in body should be less than {_number(high)}", value))
        elif value > high:
            result.add(Failure(OTHER, path, f"{path} in body should be less than or equal to {_number(high)}", value))
    result.match_count += 1
    return result


@mirrors("k8s.io/kube-openapi/pkg/validation/validate.MultipleOfNativeType",
         "k8s.io/kube-openapi/pkg/validation/validate.MultipleOf")
def _is_multiple(value: float, factor: float) -> bool:
    """An integer by a whole factor is divided as integers; otherwise the quotient (value times
    1/factor for a factor below 1) must be a JSON integer. A factor of 0 divides nothing."""
    if factor == 0:
        return False
    if isinstance(value, int) and float(factor).is_integer():
        return value % int(factor) == 0
    try:
        quotient = 1 / factor * value if factor < 1 else value / factor
    except OverflowError:  # an integer past float64, which Go's decoder never hands over
        return False
    return math.isfinite(quotient) and _is_json_integer(quotient)


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.schemaSliceValidator).Validate")
def _validate_items(schema: dict, value: list, path: str) -> Result:
    """Every item at the list's own path (Go moves the item validator's path, not its
    validators'), then minItems and maxItems, whose errors show the count."""
    result = Result()
    if isinstance(schema.get("items"), dict):
        for item in value:
            result.merge(validate_node(schema["items"], item, path))
    if isinstance(schema.get("minItems"), int) and len(value) < schema["minItems"]:
        result.add(Failure(OTHER, path, f"{path} in body should have at least {schema['minItems']} items", len(value)))
    if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
        result.add(Failure(OTHER, path, f"{path} in body should have at most {schema['maxItems']} items", len(value)))
    result.match_count += 1
    return result


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.basicCommonValidator).Validate")
def _validate_enum(schema: dict, value: object, path: str) -> Result | None:
    allowed = schema.get("enum")
    if not isinstance(allowed, list) or not allowed:
        return None
    if any(_enum_matches(value, choice) for choice in allowed):
        return None
    return _fail(Failure(ENUM, path, f"{path} in body should be one of {format_v(allowed)}", value, tuple(allowed)))


def _enum_matches(value: object, choice: object) -> bool:
    """reflect's ConvertibleTo and DeepEqual between the value and an enum value, both decoded with
    an integral number as an int64, any other as a float64: a number converts to the enum value's
    number type (a float64 to an int64 drops its fraction), an int64 to a string of the one rune it
    is; objects and arrays must be equal with the same number types."""
    if choice is None or value is None:
        return False
    kind, wanted = _kind(value), _kind(choice)
    if wanted == "int64":
        return kind == "int64" and value == choice or kind == "float64" and _as_int64(value) == choice
    if wanted == "float64":
        return kind in ("int64", "float64") and float(value) == float(choice)
    if wanted == "string":
        return value == choice if kind == "string" else kind == "int64" and _rune_string(value) == choice
    return _go_deep_equal(value, choice)


def _as_int64(value: float) -> int | None:
    """Go's int64(f): the integer part (None where Go's result depends on the machine)."""
    if not math.isfinite(value) or not MIN_INT64 <= value < 2.0**63:
        return None
    return int(value)


def _rune_string(value: int) -> str:
    """Go's string(rune(n)) of an int64: U+FFFD outside the valid code points."""
    if 0 <= value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
        return chr(value)
    return "\ufffd"


def _go_deep_equal(value: object, choice: object) -> bool:
    if isinstance(choice, dict):
        return isinstance(value, dict) and value.keys() == choice.keys() and \
            all(_go_deep_equal(value[k], choice[k]) for k in choice)
    if isinstance(choice, list):
        return isinstance(value, list) and len(value) == len(choice) and \
            all(_go_deep_equal(v, c) for v, c in zip(value, choice))
    if value is None or choice is None:
        return value is choice
    return _kind(value) == _kind(choice) and value == choice


def _member_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.objectValidator).Validate")
def _validate_object(schema: dict, value: dict, path: str) -> Result:
    """minProperties or maxProperties failing is the only error; else the members that
    additionalProperties governs, the properties, then the required ones that are missing."""
    low, high = schema.get("minProperties"), schema.get("maxProperties")
    if isinstance(low, int) and len(value) < low:
        return _fail(Failure(OTHER, path, f"{path} in body should have at least {low} properties", low))
    if isinstance(high, int) and len(value) > high:
        return _fail(Failure(OTHER, path, f"{path} in body should have at most {high} properties", high))
    result = Result()
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, member in value.items():
            if key not in properties:
                result.merge(validate_node(extra, member, f"{path}.{key}"))
    for name, child in properties.items():
        if name in value and isinstance(child, dict):
            result.merge(validate_node(child, value[name], _member_path(path, name)))
    for name in schema.get("required") or ():
        if name not in value:
            result.add(Failure(REQUIRED, f"{path}.{name}", f"{path}.{name} in body is required"))
    return result


@mirrors("(*k8s.io/kube-openapi/pkg/validation/validate.SchemaValidator).Validate")
def validate_node(schema: dict, value: object, path: str) -> Result:
    result = Result()
    if value is None:
        result.merge(_validate_type(schema, value, path), _validate_enum(schema, value, path))
        return result
    kind, checked = _kind(value), checked_format(schema)
    steps = []
    if _types(schema) or checked:
        steps.append(lambda: _validate_type(schema, value, path))
    steps.append(lambda: _validate_junctors(schema, value, path))
    if kind == "string":
        steps.append(lambda: _validate_string(schema, value, path))
        if checked:
            steps.append(lambda: _validate_format(checked, value, path))
    if kind in ("int64", "float64"):
        steps.append(lambda: _validate_number(schema, value, path))
    if kind == "slice":
        steps.append(lambda: _validate_items(schema, value, path))
    steps.append(lambda: _validate_enum(schema, value, path))
    if kind == "map":
        steps.append(lambda: _validate_object(schema, value, path))
    for step in steps:
        result.merge(step())
        result.match_count += 1
    result.match_count += 1
    return result


# --- field errors -------------------------------------------------------------------------------

def _shown(value: object) -> str:
    """field.Error's value: strings quoted, int64, float64 and bools as %v, null as null, anything
    else as %#v."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if _kind(value) in ("int64",):
        return str(value)
    if isinstance(value, int) and abs(value) > _FLOAT64_MAX:
        return str(value)  # past float64, which Go's decoder never hands over
    if isinstance(value, (int, float)):
        return format_float(value)
    return format_sharp_v(value)


_FLOAT64_MAX = int(sys.float_info.max)


@mirrors("encoding/json.Marshal")
def _go_json(value: object) -> str:
    """json.Marshal of a value decoded by encoding/json (numbers are float64)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
            .replace("&", "\\u0026")
    if isinstance(value, (int, float)):
        number = float(value)
        if number.is_integer() and abs(number) < 1e21:
            return str(int(number))
        if abs(number) < 1e-6 or abs(number) >= 1e21:
            mantissa, exponent = f"{number:e}".split("e")[0], int(repr(number).split("e")[1])
            mantissa = repr(number).split("e")[0] if "e" in repr(number) else mantissa
            return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent) if exponent < 0 else f'{exponent:02d}'}"
        return format(Decimal(repr(number)), "f")
    if isinstance(value, list):
        return "[" + ",".join(_go_json(item) for item in value) + "]"
    return "{" + ",".join(f"{_go_json(key)}:{_go_json(value[key])}" for key in sorted(value)) + "}"


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/validation.ValidateCustomResource")
def field_errors(result: Result, base: str = "") -> list[str]:
    """The result as field errors under the path `base` (none: Go's nil path, `<nil>`): a missing
    member Required, an enum miss Unsupported (its choices as strings or JSON), the junctors'
    errors at `base` itself, the rest Invalid."""
    errors = []
    for failure in result.failures:
        name = failure.name[1:] if failure.name.startswith(".") else failure.name
        path = (f"{base}.{name}" if base else name) if name else (base or "<nil>")
        if failure.kind == COMPOSITE:
            errors.append(f"{base or '<nil>'}: Invalid value: \"\": {failure.message}")
        elif failure.kind == REQUIRED:
            errors.append(f"{path}: Required value")
        elif failure.kind == ENUM:
            choices = ", ".join(quote(c if isinstance(c, str) else _go_json(c)) for c in failure.values)
            errors.append(f"{path}: Unsupported value: {_shown(failure.value)}: supported values: {choices}")
        else:
            shown = _shown(failure.value if failure.value is not None else "")
            errors.append(f"{path}: Invalid value: {shown}: {failure.message}")
    return errors


def validate(schema: dict, value: object, base: str = "") -> list[str]:
    """The field errors of `value` against `schema`, under the path `base`."""
    return field_errors(validate_node(schema, value, ""), base)
