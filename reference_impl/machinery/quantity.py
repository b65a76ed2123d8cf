"""resource.Quantity: an exact value with the format its text was written in, and the canonical
text Quantity.String gives it back ("1500m", "2k", "1536Mi"), which is what upstream's admission
messages and a quota's status print.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
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
MAX_INT64 = 2**63 - 1


@dataclass(frozen=True)
class Quantity:
    value: Fraction
    format: str = DECIMAL_SI
    # The text ParseQuantity keeps when it is canonical already ("1E3", "+1"), which String and
    # MarshalJSON give back as it is; "" for the others, and for the results of arithmetic.
    s: str = field(default="", compare=False)

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).String")
    def __str__(self) -> str:
        return self.s or canonical(self)

    def __add__(self, other: "Quantity") -> "Quantity":
        """Quantity.Add: the sum keeps this quantity's format, or takes the other's when this is zero.
        Adding zero leaves a Huge value as it is (a quota's use starts at zero)."""
        value = self.value + other.value if self.value and other.value else self.value or other.value
        return Quantity(value, self.format if self.value else other.format)

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).Value")
    def whole(self) -> int:
        """The value rounded away from zero to an integer (-1m is -1), as negativeScaleInt64 does."""
        return _away_from_zero(self.value)

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).MilliValue")
    def milli(self) -> int:
        """The value in thousandths, rounded away from zero."""
        return _away_from_zero(self.value * 1000)


def _away_from_zero(value: Fraction) -> int:
    return math.ceil(value) if value >= 0 else math.floor(value)


ZERO = Quantity(Fraction(0))


def integer(value: int) -> Quantity:
    """resource.NewQuantity(value, DecimalSI)."""
    return Quantity(Fraction(value))


def _spelled(text: object) -> re.Match | None:
    """`text` (a JSON number as Go decodes it into a Quantity) read by the grammar, or None for
    text that is no quantity."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        text = _number_text(text)
    match = _GRAMMAR.match(str(text).strip())
    if not match or not match.group(2).strip(".") or exponent_overflows(match.group(3) or ""):
        return None
    return match


def exponent_overflows(suffix: str) -> bool:
    """Whether `suffix` is an exponent (`e<n>`) whose n strconv.ParseInt refuses as out of an
    int64's range, which quantitySuffixer.interpret calls no suffix (ErrSuffix)."""
    return suffix[:1] in ("e", "E") and not -2**63 <= int(suffix[1:] or "0") <= MAX_INT64


def is_quantity(text: object) -> bool:
    """Whether ParseQuantity reads `text`, without working out the value (validation asks this of
    every quantity in a body)."""
    return _spelled(text) is not None


def _written(text: object) -> tuple[int, Fraction, str] | None:
    """The sign, exact magnitude and format `text` spells, or None for text that is no quantity."""
    match = _spelled(text)
    if match is None:
        return None
    sign, number, exponent, suffix = match.groups()
    if exponent:
        value, fmt = _times_power_of_ten(number, _wrap_int32(int(exponent[1:]))), DECIMAL_EXPONENT
    elif suffix.endswith("i"):
        value, fmt = _times_power_of_ten(number, 0) * _SCALE[suffix], BINARY_SI
    else:  # thousands of digits are read as a power of ten too, not by int(), which refuses them
        value, fmt = _times_power_of_ten(number, _SUFFIX_EXPONENT[suffix]), DECIMAL_SI
    return (-1 if sign == "-" else 1), value, fmt


# The decimal exponent past which a value is held as a stand-in rather than worked out: an exponent
# may be up to 2**31 (interpret keeps an int32 of it), whose power of ten no one can compute in a
# request's time (upstream takes minutes on 9e999999999 when it has to).
_FAR_EXPONENT = 400


def _wrap_int32(value: int) -> int:
    """An int64 as Go's int32(...) conversion leaves it: its low 32 bits, signed."""
    return (value + 2**31) % 2**32 - 2**31


def _times_power_of_ten(number: str, exponent: int) -> Fraction:
    """The decimal `number` times 10**`exponent`, exact while the result is within 10**±400; past
    that a stand-in: a Huge, or a tiny fraction (which ParseQuantity rounds up to 1n all the same)."""
    whole, _, fraction = number.partition(".")
    significant = (whole + fraction).lstrip("0")
    digits = significant.rstrip("0")
    if not digits:
        return Fraction(0)
    power = exponent - len(fraction) + len(significant) - len(digits)  # number == digits * 10**power
    magnitude = power + len(digits)
    if -_FAR_EXPONENT <= magnitude <= _FAR_EXPONENT:
        return Fraction(int(digits)) * Fraction(10) ** power
    if magnitude < 0:
        return Fraction(1, 10 ** _FAR_EXPONENT)
    return Huge.of(digits, power)


class Huge(Fraction):
    """A value past 10**400 held as a stand-in that orders it among other values (by its number of
    digits, then its first 20), with the digits and power of ten it stands for, which `canonical`
    prints. Two of them compare exactly, by sign, magnitude and then all their digits, as upstream's
    inf.Dec compares them (a request and a limit may share their first 20 digits). Arithmetic on it
    gives a plain Fraction of the stand-in."""
    digits: str
    power: int

    def _key(self) -> tuple:
        """Ordered as the values are: with trailing zeros gone, digits of one magnitude order as text."""
        sign = -1 if self < 0 else 1
        magnitude = self.power + len(self.digits)
        return (sign, sign * magnitude, self.digits) if sign > 0 else (sign, sign * magnitude, _complement(self.digits))

    def _compare(self, other: object, op) -> bool:
        if isinstance(other, Huge):
            return op(self._key(), other._key())
        return op(Fraction(self), other)

    def __eq__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a == b)

    def __lt__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a >= b)

    def __hash__(self) -> int:
        return hash((self > 0, self.digits, self.power))

    @classmethod
    def of(cls, digits: str, power: int, sign: int = 1) -> "Huge":
        magnitude = power + len(digits)
        stand_in = magnitude * 10 ** (_FAR_EXPONENT + 20) + int(digits[:20].ljust(20, "0")) * 10 ** _FAR_EXPONENT
        self = super().__new__(cls, sign * stand_in)
        self.digits, self.power = digits, power
        return self

    def __neg__(self) -> "Huge":
        return Huge.of(self.digits, self.power, -1 if self > 0 else 1)

    def __abs__(self) -> "Huge":
        return Huge.of(self.digits, self.power)


def _complement(digits: str) -> tuple:
    """A key that orders digit strings of one magnitude backwards (for negative values): each digit
    inverted, and a longer string (a larger value) before its prefix."""
    return tuple(9 - int(d) for d in digits) + (10,)


# Longer than any quantity a manifest writes ("1.5Gi", "250m", a 20-digit byte count).
MAX_REMEMBERED_TEXT = 64


def _remembered_for_texts(func):
    """`func` of a quantity's text, remembered for texts (its answers are immutable): a cluster's
    requests and limits are a few texts written over and over ("100m", "128Mi"), and each pod's
    are read several times on its way in (defaults, validation, its QoS class, quota, encoding).
    A JSON number is worked out each time: 1, 1.0 and True are one key to a cache. So is a long
    text: the cache keeps its keys, and a request body may hold megabytes where a quantity goes."""
    remembered = functools.lru_cache(maxsize=4096)(func)

    @functools.wraps(func)
    def call(text: object):
        return remembered(text) if type(text) is str and len(text) <= MAX_REMEMBERED_TEXT else func(text)
    call.cache_info = remembered.cache_info
    return call


@_remembered_for_texts
def exact(text: object) -> Fraction | None:
    """The exact value `text` spells, not rounded (validation compares these), or None.
    Remembered as `parse` is: every pod's requests and limits are read this way by validation."""
    written = _written(text)
    if written is None:
        return None
    return -written[1] if written[0] < 0 else written[1]  # negated, a Huge stays one


@mirrors("k8s.io/apimachinery/pkg/api/resource.ParseQuantity")
@_remembered_for_texts
def parse(text: object) -> Quantity | None:
    """The quantity `text` spells, rounded up to nano precision as upstream stores it, or None."""
    if isinstance(text, CanonicalText):
        return parse(text.original)
    written = _written(text)
    if written is None:
        return None
    sign, value, fmt = written
    if isinstance(value, Huge):  # a whole number already, which the nano rounding leaves alone
        value = -value if sign < 0 else value
    else:
        value = sign * Fraction(math.ceil(value * NANO), NANO)
    if fmt == BINARY_SI and value > MAX_INT64:
        value = Fraction(MAX_INT64)  # ParseQuantity's cap on a binary quantity too big for an int64
    amount = _int64_amount(_text_of(text))
    return Quantity(value, fmt, amount[2] if amount is not None else "")


@mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).CanonicalizeBytes")
def canonical(quantity: Quantity) -> str:
    """A binary quantity as an integer times a power of 1024 when it is one (and at least 1Ki),
    else the smallest integer mantissa times a power of 1000 with its SI suffix (or `e<n>`)."""
    value, fmt = quantity.value, quantity.format
    if fmt == BINARY_SI and (abs(value) < 1024 or value.denominator != 1):
        fmt = DECIMAL_SI
    sign, value = ("-" if value < 0 else ""), abs(value)
    if isinstance(value, Huge):
        # Written out as text: int() refuses thousands of digits. Zeros move from the power of
        # ten into the mantissa until the exponent is a multiple of 3.
        shift = value.power % 3
        mantissa, exponent = value.digits + "0" * shift, value.power - shift
        if fmt == DECIMAL_SI:
            return f"{sign}{mantissa}{_DECIMAL_SUFFIX.get(exponent, '')}"
        return f"{sign}{mantissa}e{exponent}"
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
    if fmt == DECIMAL_SI:
        # An exponent with no SI suffix (from 1e21 up) gets none: constructBytes' miss is ignored,
        # so 2e21 is printed "2".
        return f"{sign}{mantissa}{_DECIMAL_SUFFIX.get(exponent, '')}"
    return f"{sign}{mantissa}e{exponent}" if exponent else f"{sign}{mantissa}"


@mirrors("(k8s.io/apimachinery/pkg/api/resource.Quantity).MarshalJSON")
@_remembered_for_texts
def marshaled(text: object) -> object:
    """The text encoding/json writes for the Quantity decoded from `text`: the text as sent where
    ParseQuantity kept it as already canonical ("1E3", "+1", "5."), else `canonical` ("0.5" is
    "500m", "1.5Gi" "1536Mi"). What is no quantity (validation refuses it) stays as it is."""
    quantity = parse(text)
    if quantity is None:
        return text
    shown = str(quantity)
    if parse(shown).value == quantity.value:
        return shown
    kept = CanonicalText(shown)
    kept.original = text.original if isinstance(text, CanonicalText) else text
    return kept


class CanonicalText(str):
    """The text MarshalJSON writes for a quantity that does not spell its value (String gives a
    decimal SI quantity from 1e21 up no suffix: "2000E" is "2"), equal to it as a string; the
    object decoded still holds the value of `original`, the text it was decoded from."""
    original: object = ""


@mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).RoundUp")
@_remembered_for_texts
def rounded_up_to_milli(text: object) -> object:
    """`text` as SetDefaults_ResourceList leaves it, rounded away from zero to thousandths (with
    the canonical text of the rounded value: "1n" is "1m", "1.0001" "1001m"); `text` itself when
    RoundUp leaves the Quantity as it was (an int64Amount of scale -3 or coarser), or is no
    quantity. "1000u" is exact, but its int64Amount is rescaled, so it is rounded text too."""
    quantity = parse(text)
    if quantity is None:
        return text
    amount = _int64_amount(_text_of(text))
    if (amount[1] >= -3) if amount is not None else (quantity.value * 1000).denominator == 1:
        return text
    rounded = RoundedText(canonical(Quantity(Fraction(quantity.milli(), 1000), quantity.format)))
    rounded.original = text
    return rounded


class RoundedText(str):
    """The canonical text of a quantity Quantity.RoundUp changed, equal to that text as a string;
    `original` is the text it was decoded from, which tells what RoundUp made of it (an inf.Dec
    stays one, an int64Amount is rescaled to thousandths) and its format. RoundUp clears the
    cached text either way, which %#v shows (`held`)."""
    original: object = ""


def _text_of(text: object) -> str:
    """The text ParseQuantity reads for a decoded value: a JSON number as written, a string trimmed."""
    if isinstance(text, CanonicalText):
        text = text.original
    return _number_text(text) if isinstance(text, (int, float)) else str(text).strip()


def _number_text(number: int | float) -> str:
    """A JSON number as UnmarshalJSON hands it to ParseQuantity: as the request wrote it (a
    NumberLiteral keeps that text: `1e3`, `2.50`), else as Python spells it."""
    return getattr(number, "text", "") or repr(number)


class ZeroValue(str):
    """Go's zero resource.Quantity, which a struct holds in a Quantity field nothing set (a
    conversion's target, say): it reads "0", but has no cached text and no format, which %#v
    shows (`go_syntax`)."""


UNSET = ZeroValue("0")  # what a conversion writes where Go leaves a Quantity field at its zero value


_SUFFIX_EXPONENT = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_EXPONENT = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_PARTS = re.compile(r"^([+-]?)0*([0-9]*)(?:\.([0-9]*))?(.*)\Z")


@mirrors("k8s.io/apimachinery/pkg/api/resource.ParseQuantity")
def _int64_amount(text: str) -> tuple[int, int, str] | None:
    """(value, scale, s) of the int64Amount ParseQuantity's fast path makes of `text`, with the text
    it keeps as `s` when that is already canonical; None where it keeps an inf.Dec instead."""
    if text == "0":
        return 0, 0, text
    sign, num, denom, suffix = _PARTS.match(text).groups()
    num, denom = num or "0", denom or ""
    if suffix in _BINARY_EXPONENT:
        exponent, fmt = _BINARY_EXPONENT[suffix], BINARY_SI
        if denom:
            return None
        mantissa, scale = 1 << exponent, 0
        precision = 15 - len(num) - int(exponent * 3 / 10) - 1
    else:
        # A suffix of the SI table first, as quantitySuffixer.interpret looks: "E" alone is exa.
        written_exponent = suffix not in _SUFFIX_EXPONENT
        exponent = _wrap_int32(int(suffix[1:])) if written_exponent else _SUFFIX_EXPONENT[suffix]
        fmt = DECIMAL_EXPONENT if written_exponent else DECIMAL_SI
        mantissa, scale, precision = 1, exponent, 18 - len(num) - len(denom)
    scale -= len(denom)
    shifted = num + denom
    if precision < 0 or scale < -9 or int(shifted) * mantissa > MAX_INT64:
        return None
    value = int(shifted) * mantissa * (-1 if sign == "-" else 1)
    if fmt == BINARY_SI:
        canonical_text = exponent % 10 == 0 and int(shifted) & 7 != 0
    else:
        canonical_text = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return value, scale, text if canonical_text else ""


def _wrap_int64(value: int) -> int:
    """An integer as Go's int64 arithmetic leaves it: its low 64 bits, signed (big.Int.Int64 too)."""
    return (value + 2**63) % 2**64 - 2**63


def _go_quotient(dividend: int, divisor: int) -> tuple[int, int]:
    """Go's int64 / and %: the quotient truncated toward zero, the remainder of the dividend's sign."""
    quotient = abs(dividend) // divisor * (-1 if dividend < 0 else 1)
    return quotient, dividend - quotient * divisor


@mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).ScaledValue",
         "k8s.io/apimachinery/pkg/api/resource.positiveScaleInt64",
         "k8s.io/apimachinery/pkg/api/resource.negativeScaleInt64",
         "k8s.io/apimachinery/pkg/api/resource.scaledValue")
def scaled_value(text: object, scale: int) -> int:
    """What ScaledValue(scale) gives of the quantity decoded from `text` (Value is scale 0,
    MilliValue -3), overflow and all: a quantity kept as an int64Amount is 0 when the result does
    not fit an int64 and rounded away from zero when it is finer; one kept as an inf.Dec (unscaled
    at nano scale once parsed) keeps the low 64 bits of what big.Int computes."""
    quantity = parse(text)
    written = _text_of(text)
    amount = _int64_amount(written)
    if amount is not None:
        value, amount_scale = amount[0], amount[1]
        if amount_scale < scale:
            return _away_from_zero(Fraction(value, 10 ** (scale - amount_scale)))
        if value and amount_scale - scale > 18:
            return 0  # a power of ten past 10**18 takes any nonzero int64 out of range
        result = value * 10 ** (amount_scale - scale)
        return result if -2**63 <= result <= MAX_INT64 else 0
    unscaled, difference = int(quantity.value * NANO), 9 + scale
    if difference < 0:
        return _wrap_int64(_wrap_int64(unscaled) * 10 ** -difference)
    if difference == 0:
        return _wrap_int64(unscaled)
    if unscaled < MAX_INT64 and difference < 19:
        result, remainder = _go_quotient(_wrap_int64(unscaled), 10 ** difference)
        return result + 1 if remainder else result
    result, remainder = divmod(unscaled, 10 ** difference)  # big.Int.DivMod: Euclidean
    return _wrap_int64(_wrap_int64(result) + 1) if remainder else _wrap_int64(result)


@dataclass
class Held:
    """A resource.Quantity as a Go variable holds it: its int64Amount (value, scale), or None once
    it is an inf.Dec, and the text String has cached in `s`. Methods with pointer receivers change
    it, as they change the copy upstream's validation holds in a local variable."""
    quantity: Quantity
    amount: tuple[int, int] | None
    s: str

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).String")
    def string(self) -> str:
        if not self.s:
            self.s = canonical(self.quantity)
        return self.s

    @mirrors("(*k8s.io/apimachinery/pkg/api/resource.Quantity).Cmp",
             "(*k8s.io/apimachinery/pkg/api/resource.Quantity).AsDec")
    def cmp(self, other: "Held") -> int:
        """-1, 0 or 1; when either is an inf.Dec both are compared as one, and AsDec turns this one
        (the receiver, not the argument passed by value) into an inf.Dec for good."""
        if other.amount is None:
            self.amount = None
        a, b = self.quantity.value, other.quantity.value
        return (a > b) - (a < b)

    def go_syntax(self) -> str:
        """How %#v prints it; upstream prints an inf.Dec's memory address, which no one can
        reproduce: a fixed one stands in for it."""
        (value, scale), dec = (self.amount, "nil") if self.amount is not None else ((0, 0), "0xc000000000")
        return (f"resource.Quantity{{i:resource.int64Amount{{value:{value}, scale:{scale}}}, "
                f'd:resource.infDecAmount{{Dec:(*inf.Dec)({dec})}}, s:"{self.s}", Format:"{self.quantity.format}"}}')


def held(text: object) -> Held:
    """The resource.Quantity decoded from `text` (and rounded to thousandths by the defaults when
    it is a RoundedText) as Go holds it: ParseQuantity's int64Amount and kept text from its fast
    path, an inf.Dec from its slow one; RoundUp rescales an int64Amount and clears the text."""
    if isinstance(text, ZeroValue):
        return Held(Quantity(parse(text).value, ""), (0, 0), "")
    original = text.original if isinstance(text, RoundedText) else text
    amount = _int64_amount(_text_of(original))
    quantity = parse(text)
    if isinstance(text, RoundedText):
        quantity = Quantity(quantity.value, parse(original).format)
        if amount is not None:
            value, scale, _ = amount
            amount = (_away_from_zero(Fraction(value, 10 ** (-3 - scale))), -3, "")
    if amount is None:
        return Held(quantity, None, "")
    return Held(quantity, amount[:2], amount[2])


def go_syntax(text: object) -> str:
    """How Go's %#v prints the resource.Quantity decoded from `text`, as field.Invalid shows a
    Quantity passed by value."""
    return held(text).go_syntax()
