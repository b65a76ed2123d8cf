"""resource.Quantity: an exact value with the format its text was written in, and the canonical
text Quantity.String gives it back ("1500m", "2k", "1536Mi"), which is what upstream's admission
messages and a quota's status print.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from reference_impl.mirrors import mirrors

DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"
# resource.ParseQuantity's grammar: a signed decimal and a binary SI, decimal SI or exponent suffix.
_GRAMMAR = re.compile(r"^([+-]?)([0-9]*\.?[0-9]*)(?:([eE][+-]?[0-9]+)|([KMGTPE]i|[numkMGTPE]|))$")
_SCALE = {"": 1, "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
          "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
          "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIX = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIX = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
NANO = 10**9


@dataclass(frozen=True)
class Quantity:
    value: Fraction
    format: str = DECIMAL_SI

    def __str__(self) -> str:
        return canonical(self)

    def __add__(self, other: "Quantity") -> "Quantity":
        """Quantity.Add: the sum keeps this quantity's format, or takes the other's when this is zero."""
        return Quantity(self.value + other.value, self.format if self.value else other.format)

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).Value")
    def whole(self) -> int:
        """The value rounded up to an integer."""
        return math.ceil(self.value)

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).MilliValue")
    def milli(self) -> int:
        """The value in thousandths, rounded up."""
        return math.ceil(self.value * 1000)


ZERO = Quantity(Fraction(0))


def integer(value: int) -> Quantity:
    """resource.NewQuantity(value, DecimalSI)."""
    return Quantity(Fraction(value))


def _written(text: object) -> tuple[int, Fraction, str] | None:
    """The sign, exact magnitude and format `text` spells (a JSON number as Go decodes it into a
    Quantity), or None for text that is no quantity."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        text = repr(text)
    match = _GRAMMAR.match(str(text).strip())
    if not match or not match.group(2).strip("."):
        return None
    sign, number, exponent, suffix = match.groups()
    if exponent:
        value, fmt = Fraction(number) * Fraction(10) ** int(exponent[1:]), DECIMAL_EXPONENT
    else:
        value, fmt = Fraction(number) * _SCALE[suffix], BINARY_SI if suffix.endswith("i") else DECIMAL_SI
    return (-1 if sign == "-" else 1), value, fmt


def exact(text: object) -> Fraction | None:
    """The exact value `text` spells, not rounded (validation compares these), or None."""
    written = _written(text)
    return None if written is None else written[0] * written[1]


@mirrors("k8s.io/apimachinery/pkg/api/resource.ParseQuantity")
def parse(text: object) -> Quantity | None:
    """The quantity `text` spells, rounded up to nano precision as upstream stores it, or None."""
    written = _written(text)
    if written is None:
        return None
    sign, value, fmt = written
    return Quantity(sign * Fraction(math.ceil(value * NANO), NANO), fmt)


@mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).CanonicalizeBytes")
def canonical(quantity: Quantity) -> str:
    """A binary quantity as an integer times a power of 1024 when it is one (and at least 1Ki),
    else the smallest integer mantissa times a power of 1000 with its SI suffix (or `e<n>`)."""
    value, fmt = quantity.value, quantity.format
    if fmt == BINARY_SI and (abs(value) < 1024 or value.denominator != 1):
        fmt = DECIMAL_SI
    sign, value = ("-" if value < 0 else ""), abs(value)
    if fmt == BINARY_SI:
        mantissa, power = int(value), 0
        while mantissa % 1024 == 0 and power < len(_BINARY_SUFFIX) - 1:
            mantissa, power = mantissa // 1024, power + 1
        return f"{sign}{mantissa}{_BINARY_SUFFIX[power]}"
    if not value:
        return "0"
    mantissa, exponent = int(value * NANO), -9
    while mantissa % 10 == 0:
        mantissa, exponent = mantissa // 10, exponent + 1
    while exponent % 3:
        mantissa, exponent = mantissa * 10, exponent - 1
    if fmt == DECIMAL_SI and exponent in _DECIMAL_SUFFIX:
        return f"{sign}{mantissa}{_DECIMAL_SUFFIX[exponent]}"
    return f"{sign}{mantissa}e{exponent}" if exponent else f"{sign}{mantissa}"
