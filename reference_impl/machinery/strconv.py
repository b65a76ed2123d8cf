"""Go's strconv.ParseInt and ParseUint (base 0 or 10), as flags, query parameters and headers
are read by the Go components: their syntax, their range per bit size, their error texts."""
from __future__ import annotations

import re

from reference_impl.mirrors import mirrors

# Go's integer literal syntax, which strconv's base 0 takes: prefixed hex, binary and octal, a
# leading 0 for octal, and an underscore between digits (or after the prefix).
_BASE_0 = re.compile(r"0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*")
_DECIMAL = re.compile(r"[0-9]+")


def _unsigned(digits: str, base: int) -> int | None:
    """The value of an unsigned literal in strconv's syntax for `base` (0 or 10), else None."""
    if not (_BASE_0 if base == 0 else _DECIMAL).fullmatch(digits):
        return None
    digits = digits.replace("_", "")
    if base == 0 and len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():  # 017: Go's octal, which Python spells 0o17
        digits = "0o" + digits[1:]
    elif digits.isdigit():  # decimal: int() counts leading zeros against its 4,300-digit limit
        digits = digits.lstrip("0") or "0"
        if len(digits) > 20:
            return 1 << 64  # past any 64-bit range
    return int(digits, 0 if base == 0 else 10)


@mirrors("strconv.ParseInt")
def parse_int(text: str, bits: int = 64, base: int = 0) -> int:
    """strconv.ParseInt(text, base, bits): base 0 (pflag's int flags) takes 0x1f, 0o17, 017 and
    1_000 too, base 10 only decimal digits; ValueError in strconv's words."""
    sign = -1 if text[:1] == "-" else 1
    value = _unsigned(text[1:] if text[:1] in "+-" else text, base)
    if value is None:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    if not -(1 << (bits - 1)) <= sign * value < 1 << (bits - 1):
        raise ValueError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return sign * value


@mirrors("strconv.ParseUint")
def parse_uint(text: str, bits: int = 64, base: int = 0) -> int:
    """strconv.ParseUint(text, base, bits): no sign, the bases as ParseInt's."""
    value = _unsigned(text, base)
    if value is None:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    if value >= 1 << bits:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return value
