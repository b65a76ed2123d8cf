"""metav1.Time and metav1.MicroTime on the wire, from seconds since the epoch; Go durations."""
from __future__ import annotations

import calendar
import datetime
import math
import re

from reference_impl.mirrors import mirrors


class DecodedTime(str):
    """The JSON text of a metav1.Time or MicroTime that a protobuf body carried: upstream holds it
    as a time.Time already, never parsing text, so a year outside 0000-9999 (which time.Parse
    refuses in a JSON body) is taken as it is."""

    __slots__ = ()


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date, any year (0 and negative too)."""
    shifted = year - (month <= 2)  # the year counted from 1 March
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The proleptic Gregorian (year, month, day) `days` after 1970-01-01, any integer (the
    inverse of `days_from_civil`; datetime stops at year 1, Go's time goes on)."""
    days += 719468  # from 0000-03-01, so that a leap day ends its 400-year era's year
    era, day_of_era = divmod(days, 146097)
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return era * 400 + year_of_era + (month <= 2), month, day


def go_year(year: int) -> str:
    """A year as Go's Format writes "2006": four digits at least, a minus sign before years below 0."""
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


ZERO_INSTANT = -62135596800  # Go's zero time.Time, 0001-01-01T00:00:00Z, in seconds from the epoch
# RFC 3339 with any year: a JSON body's time.Parse takes only four digits, but a protobuf body
# carries a time.Time, which Format writes as year 0000, -0001 or 10000 alike.
_RFC3339_TEXT = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))")


def instant(text: str) -> tuple[int, int]:
    """(whole seconds since the epoch, nanoseconds) of an RFC 3339 time of any year; a ValueError
    for text that is none."""
    match = _RFC3339_TEXT.fullmatch(text)
    if not match:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))  # the ValueError for other text
        seconds = calendar.timegm(moment.utctimetuple()) if moment.tzinfo else int(moment.timestamp())
        return seconds, moment.microsecond * 1000
    year, month, day, hour, minute, second = (int(group) for group in match.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"not a time: {text!r}")
    offset = 0
    if match.group(8):
        offset = (int(match.group(9)) * 3600 + int(match.group(10)) * 60) * (1 if match.group(8) == "+" else -1)
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds, int((match.group(7) or "0")[:9].ljust(9, "0"))


@mirrors("(time.Time).IsZero")
def is_zero_instant(text: object) -> bool:
    """Whether a time's RFC 3339 text names Go's zero instant, which metav1.Time and MicroTime
    marshal as null however it was written (`0001-01-01T00:00:00Z`, `0000-12-31T23:00:00-01:00`)."""
    if not isinstance(text, str) or not text.startswith("000"):
        return False
    try:
        return instant(text) == (ZERO_INSTANT, 0)
    except ValueError:
        return False


# The last second `rfc3339` wrote, and its text: a server stamps every write of a second (its
# creationTimestamp, managedFields' times, a condition's transition) with the same text, which
# takes 10-20 us to make each time. One tuple, so threads read a consistent pair.
_last_formatted: tuple[int, str] = (0, "1970-01-01T00:00:00Z")


def rfc3339(seconds: float) -> str:
    """metav1.Time: whole seconds, the fraction cut off as Go's time.Format does (not rounded),
    any year (a sinceTime of year 0000 that time.Parse took)."""
    global _last_formatted
    whole = math.floor(seconds)
    last, text = _last_formatted
    if whole == last:
        return text
    days, clock = divmod(whole, 86400)
    year, month, day = civil_from_days(days)
    text = f"{go_year(year)}-{month:02d}-{day:02d}T{clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}Z"
    _last_formatted = (whole, text)
    return text


def micro_time(seconds: float) -> str:
    """metav1.MicroTime, as in Lease.spec.renewTime."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def go_time_string(text: str) -> str:
    """time.Time.String() of the metav1.Time an RFC 3339 `text` decodes to on a server in UTC,
    as a validation error shows it: `2026-01-02 03:04:05 +0000 UTC`, any year (`10000-01-01 ...`)."""
    seconds, nanos = instant(text)
    days, clock = divmod(seconds, 86400)
    year, month, day = civil_from_days(days)
    fraction = f".{nanos:09d}".rstrip("0").rstrip(".")
    return (f"{go_year(year)}-{month:02d}-{day:02d} {clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}"
            f"{fraction} +0000 UTC")


@mirrors("(time.Time).String")
def go_now_string(wall_ns: int, monotonic_ns: int) -> str:
    """time.Now().String() on a server in UTC: the nanoseconds without their trailing zeros, and
    the monotonic reading, `m=+S.NNNNNNNNN`, counted from the process's start as Go counts it."""
    moment = datetime.datetime.fromtimestamp(wall_ns // 1_000_000_000, datetime.timezone.utc)
    fraction = f".{wall_ns % 1_000_000_000:09d}".rstrip("0").rstrip(".")
    seconds, nanos = divmod(monotonic_ns, 1_000_000_000)
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction} +0000 UTC m=+{seconds}.{nanos:09d}"


def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of a metav1.Time as it is written ("2024-01-02T03:04:05Z"), any
    year a protobuf body can store (0000, -0001, 10000)."""
    seconds, nanos = instant(text)
    return seconds + nanos / 1e9


RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00"
# time.RFC3339 as time.Parse walks it: (layout element, what it reads, the field it may put out of range).
_RFC3339_ELEMENTS = (("2006", "year", None), ("-", "", None), ("01", "fixed", "month"), ("-", "", None),
                     ("02", "fixed", None), ("T", "", None), ("15", "loose", "hour"), (":", "", None),
                     ("04", "fixed", "minute"), (":", "", None), ("05", "seconds", "second"), ("Z07:00", "zone", None))
_LIMITS = {"month": (1, 12), "hour": (0, 23), "minute": (0, 59), "second": (0, 59)}
# metav1.MicroTime's RFC3339Micro: the seconds then exactly six digits of fraction, which the
# seconds element leaves to the fraction element that follows it.
RFC3339_MICRO_LAYOUT = "2006-01-02T15:04:05.000000Z07:00"
_RFC3339_MICRO_ELEMENTS = _RFC3339_ELEMENTS[:-2] + (("05", "fixed", "second"), (".000000", "fraction", None),
                                                    _RFC3339_ELEMENTS[-1])


def _number(value: str, fixed: bool) -> tuple[int, str] | None:
    """time's getnum: two digits, or one when not `fixed`; None for none."""
    if not value[:1].isdigit():
        return None
    width = 2 if value[1:2].isdigit() else 1
    return (int(value[:width]), value[width:]) if width == 2 or not fixed else None


def _read(element: str, reads: str, value: str) -> tuple[int, str] | None:
    """One layout element read off the front of `value`: its number and what is left, or None."""
    if not reads:
        return (0, value[1:]) if value[:1] == element else None
    if reads == "year":
        return (int(value[:4]), value[4:]) if len(value) >= 4 and value[:4].isdigit() else None
    if reads == "fraction":
        return (0, value[7:]) if value[:1] == "." and value[1:7].isdigit() and len(value[1:7]) == 6 else None
    if reads == "zone":
        if value[:1] == "Z":
            return 0, value[1:]
        zone_ok = len(value) >= 6 and value[3] == ":" and value[0] in "+-" and value[1:3].isdigit() and \
            value[4:6].isdigit()
        return (0, value[6:]) if zone_ok else None
    read = _number(value, reads != "loose")
    if read and reads == "seconds" and read[1][:1] in ".," and read[1][1:2].isdigit():
        fraction = read[1][1:]
        read = read[0], fraction[len(fraction) - len(fraction.lstrip("0123456789")):]
    return read


def rfc3339_parse_error(text: str, micro: bool = False) -> str | None:
    """time.Parse(time.RFC3339, text)'s error as Go 1.18 writes it (the element it could not read,
    a field out of range, text left over), None for a time it parses; with `micro`, the error of
    time.Parse(RFC3339Micro, text), as a metav1.MicroTime decodes."""
    value, fields = text, {}
    layout, elements = (RFC3339_MICRO_LAYOUT, _RFC3339_MICRO_ELEMENTS) if micro else (RFC3339_LAYOUT, _RFC3339_ELEMENTS)
    for element, reads, field_name in elements:
        read = _read(element, reads, value)
        if read is None:
            return f'parsing time "{text}" as "{layout}": cannot parse "{value}" as "{element}"'
        number, value = read
        low, high = _LIMITS.get(field_name, (number, number))
        if not low <= number <= high:
            return f'parsing time "{text}": {field_name} out of range'
        fields[element] = number
    if value:
        return f'parsing time "{text}": extra text: {value}'
    year, month, day = fields["2006"], fields["01"], fields["02"]
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f'parsing time "{text}": day out of range'
    return None


# One term of a duration: a decimal number (either side of the point may be empty, not both) and
# its unit, which runs to the next digit or point.
_DURATION_TERM = re.compile(r"([0-9]*)(\.[0-9]*)?([^0-9.]*)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@mirrors("time.ParseDuration")
def parse_duration(text: str) -> float:
    """A Go duration ("1h", "1m30s", "-1.5h", "300ms") in seconds; a ValueError in Go's words for
    one it refuses (a number without a unit is one, except "0")."""
    quoted = _quote(text)
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f"time: invalid duration {quoted}")
    seconds = 0.0
    while body:
        whole, fraction, unit = _DURATION_TERM.match(body).groups()
        if not whole and len(fraction or "") < 2:
            raise ValueError(f"time: invalid duration {quoted}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _DURATION_UNITS:
            raise ValueError(f"time: unknown unit {_quote(unit)} in duration {quoted}")
        seconds += float((whole or "0") + (fraction or "")) * _DURATION_UNITS[unit]
        body = body[len(whole) + len(fraction or "") + len(unit):]
    return -seconds if text[:1] == "-" else seconds


@mirrors("(time.Duration).String")
def format_duration(seconds: float) -> str:
    """A duration as Go prints it: "0s", "500ms", "30s", "2m0s", "1h0m0s", "1.5s"."""
    nanos = round(abs(seconds) * 1_000_000_000)
    sign = "-" if seconds < 0 and nanos else ""
    if nanos == 0:
        return "0s"
    if nanos < 1_000_000_000:
        unit, size = next((unit, size) for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)) if nanos >= size)
        return sign + _trimmed(nanos, size) + unit
    hours, rest = divmod(nanos, 3600 * 1_000_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000_000)
    text = _trimmed(rest, 1_000_000_000) + "s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    if hours:
        text = f"{hours}h{text}"
    return sign + text


def _trimmed(value: int, unit: int) -> str:
    """value / unit with its fraction's trailing zeros (and a bare point) cut."""
    whole, fraction = divmod(value, unit)
    digits = f"{fraction:0{len(str(unit)) - 1}d}".rstrip("0") if unit > 1 else ""
    return f"{whole}.{digits}" if digits else str(whole)
