"""fmt's %v and %s of the values k8s.io/apimachinery/pkg/util/json decodes (maps, slices, strings,
bools, int64 and float64), and reflect's name of their types, for the errors upstream writes with
them: strategic merge patch's among them."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from reference_impl.mirrors import mirrors


@mirrors("fmt.Sprintf")
def format_v(value: Any) -> str:
    """`%v`: maps as map[k:v ...] with their keys sorted, slices as [a b], nil as <nil>."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{format_v(item)}" for key, item in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(format_v(item) for item in value) + "]"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, int) and not -2**63 <= value < 2**63:
        return format_float(float(value))  # apimachinery's JSON keeps a number past int64 a float64
    return str(value)


@mirrors("fmt.Sprintf")
def format_sharp_v(value: Any) -> str:
    """`%#v`: `"a"`, `[]interface {}{"a", 1}`, `map[string]interface {}{"a":1}` (keys sorted)."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(format_sharp_v(item) for item in value) + "}"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(key, ensure_ascii=False)}:{format_sharp_v(value[key])}" for key in sorted(value))
        return "map[string]interface {}{" + ", ".join(pairs) + "}"
    return format_v(value)


@mirrors("fmt.Sprintf")
def format_s(value: Any, nested: bool = False) -> str:
    """`%s`: a string as it is, maps and slices with `%s` applied to their members, anything else
    a bad verb with its type and `%v` (`%!s(int64=1)`); nil is `%!s(<nil>)`, inside a map `<nil>`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{format_s(item, True)}" for key, item in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(format_s(item, True) for item in value) + "]"
    if value is None:
        return "<nil>" if nested else "%!s(<nil>)"
    return f"%!s({type_of(value)}={format_v(value)})"


_FLAGS = "#0+- "


@mirrors("fmt.Errorf", "(*fmt.pp).doPrintf")
def errorf_without_operands(format: str) -> str:
    """The text of fmt.Errorf(format) with no operands, as upstream calls it on messages it built
    itself: `%%` is `%`, every other verb (after any flags, argument index, width and precision)
    is `%!v(MISSING)`, a `*` width or precision `%!(BADWIDTH)` / `%!(BADPREC)`, an argument
    index `%!v(BADINDEX)`, and a `%` with no verb after it `%!(NOVERB)`."""
    out, i, end = [], 0, len(format)
    while i < end:
        percent = format.find("%", i)
        if percent < 0:
            out.append(format[i:])
            break
        out.append(format[i:percent])
        i, good_index = percent + 1, True
        while i < end and format[i] in _FLAGS:
            i += 1
        i, good_index = _skip_arg_index(format, i, good_index)
        if i < end and format[i] == "*":
            out.append("%!(BADWIDTH)")
            i += 1
        else:
            i = _skip_digits(format, i)
        if i + 1 < end and format[i] == ".":
            i, good_index = _skip_arg_index(format, i + 1, good_index)
            if i < end and format[i] == "*":
                out.append("%!(BADPREC)")
                i += 1
            else:
                i = _skip_digits(format, i)
        i, good_index = _skip_arg_index(format, i, good_index)
        if i >= end:
            out.append("%!(NOVERB)")
            break
        verb, i = format[i], i + 1
        out.append("%" if verb == "%" else f"%!{verb}({'MISSING' if good_index else 'BADINDEX'})")
    return "".join(out)


def _skip_digits(format: str, i: int) -> int:
    while i < len(format) and format[i].isdigit():
        i += 1
    return i


@mirrors("(*fmt.pp).argNumber", "fmt.parseArgNumber")
def _skip_arg_index(format: str, i: int, good_index: bool) -> tuple[int, bool]:
    """Past an explicit argument index `[n]`, which with no operands is always bad; a `[` that
    closes nowhere is skipped alone."""
    if i >= len(format) or format[i] != "[":
        return i, good_index
    close = format.find("]", i + 1)
    if len(format) - i < 3 or close < 0:
        return i + 1, False
    return close + 1, False


# %#v prints a pointer as its address, which no two runs share; a fixed one stands in for it.
POINTER_ADDRESS = "0xc000000000"


@mirrors("fmt.Sprintf")
def go_pointer(type_name: str, value: Any) -> str:
    """A pointer field as %#v prints it: `(*T)(nil)`, or `(*T)(0xc000000000)` when set."""
    return f"(*{type_name})({'nil' if value is None else POINTER_ADDRESS})"


@mirrors("reflect.TypeOf")
def type_of(value: Any) -> str:
    """The reflect.Type of a decoded JSON value as `%s` prints it (a nil Type as `%!s(<nil>)`)."""
    if value is None:
        return "%!s(<nil>)"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, dict):  # a dict subclass too (an object with a key written twice)
        return "map[string]interface {}"
    return {str: "string", list: "[]interface {}"}[type(value)]


@mirrors("strconv.FormatFloat")
def format_float(value: float) -> str:
    """A float64 as %v (and FormatFloat(v, 'g', -1, 64)) prints it: 'g' with the shortest digits, in exponent form from 1e+06 and
    below 1e-04 (strconv's %e threshold for the shortest precision)."""
    value = float(value)  # an int or a bool as the float64 Go would hold (10**17+1 is 1e+17)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + exponent  # where the decimal point falls in `text`
    prefix = "-" if sign else ""
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        power = point - 1
        return f"{prefix}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{text}"
    if point >= len(text):
        return f"{prefix}{text}{'0' * (point - len(text))}"
    return f"{prefix}{text[:point]}.{text[point:]}"
