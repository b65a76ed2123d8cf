"""intstr.IntOrString values that a protobuf body can give and JSON cannot.

An IntOrString is a struct {Type, IntVal, StrVal}; its JSON is one of the two values, but its
protobuf message carries all three. Code that compares the struct with `intstr.FromInt(0)` or
`intstr.FromString("")` (SetDefaults_ServicePort's targetPort) sees a difference that the JSON
value hides: an Int 0 with a StrVal beside it, or an empty String with an IntVal beside it, is no
zero value. These two cases keep their JSON value and remember that.
"""
from __future__ import annotations


class IntBesideString(int):
    """An Int-typed IntOrString whose message also held a non-empty StrVal (only 0 needs it)."""

    __slots__ = ()


class StringBesideInt(str):
    """A String-typed IntOrString whose message also held a non-zero IntVal (only "" needs it)."""

    __slots__ = ()


def is_zero_or_empty(value: object) -> bool:
    """Whether an IntOrString equals FromInt(0) or FromString("") as Go's == compares structs
    (None, JSON's absent field, is Go's zero struct)."""
    return value in (None, 0, "") and not isinstance(value, (IntBesideString, StringBesideInt))


def from_message(type_: int, int_val: int, str_val: str) -> int | str:
    """The JSON value of an IntOrString message, marked where the struct is no zero value."""
    if type_ == 1:
        return StringBesideInt(str_val) if str_val == "" and int_val else str_val
    return IntBesideString(int_val) if int_val == 0 and str_val else int_val
