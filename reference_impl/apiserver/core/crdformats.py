"""The string formats of a CRD schema as the apiextensions validator checks them: the formats it keeps
(`checked_format`; int32, int64, float, double and unknown names are dropped from the schema before
validating) and what strfmt's default registry accepts for each (`FORMATS`, by the name without
dashes).
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata

from reference_impl.mirrors import mirrors

# StripUnsupportedFormatsPostProcess keeps these (names compared without dashes); all others are
# dropped from the schema before it validates anything.
SUPPORTED_FORMATS = frozenset((
    "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
    "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration",
    "datetime"))


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/validation.StripUnsupportedFormatsPostProcess")
def checked_format(schema: dict) -> str:
    """The schema's format if the validator keeps it, else ""."""
    written = schema.get("format")
    if not isinstance(written, str) or written.replace("-", "") not in SUPPORTED_FORMATS:
        return ""
    return written


# strfmt's HostnamePattern over the text with each letter (ASCII or \\p{L}) written `a`, each
# digit or symbol (\\p{S}) `0`: the top-level label takes letters only.
_HOSTNAME = re.compile(r"^([a0]((-?[a0]{0,62})?)|([a0](([a0-]{0,61}[a0])?)(\.)){1,}(a){2,63})$")
_UUID = {
    "uuid": re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I),
    "uuid3": re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I),
    "uuid4": re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$", re.I),
    "uuid5": re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$", re.I),
}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME_OF_DAY = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")
_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\.){2}([0-9A-Fa-f]{4})$"
                  r"|^([0-9A-Fa-f]{2}[:-]){7}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\.){3}([0-9A-Fa-f]{4})$"
                  r"|^([0-9A-Fa-f]{2}[:-]){19}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\.){9}([0-9A-Fa-f]{4})$")
_DURATION_PART = re.compile(r"((\d+)\s*([A-Za-zµ]+))")
_DURATION_UNITS = (("ns", "nano"), ("us", "µs", "micro"), ("ms", "milli"), ("s", "sec"), ("m", "min"),
                   ("h", "hr", "hour"), ("d", "day"), ("w", "wk", "week"))
_GO_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$")
_BASE64 = re.compile(r"^(?:[A-Za-z0-9+\/]{4})*(?:[A-Za-z0-9+\/]{2}==|[A-Za-z0-9+\/]{3}=|[A-Za-z0-9+\/]{4})$")
_HEXCOLOR = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_RGBCOLOR = re.compile(r"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])"
                       r"\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$")
_SSN = re.compile(r"^\d{3}[- ]?\d{2}[- ]?\d{4}$")
_ISBN10 = re.compile(r"^(?:[0-9]{9}X|[0-9]{10})$")
_ISBN13 = re.compile(r"^(?:[0-9]{13})$")
_CREDITCARD = re.compile(r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01]"
                         r"[0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])"
                         r"[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$")


@mirrors("k8s.io/kube-openapi/pkg/validation/strfmt.IsDate")
def _is_date(text: str) -> bool:
    """time.Parse("2006-01-02"): a real calendar day."""
    found = _DATE.match(text)
    if not found:
        return False
    year, month, day = map(int, found.groups())
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return 1 <= day <= days


@mirrors("k8s.io/kube-openapi/pkg/validation/strfmt.IsDateTime")
def _is_date_time(text: str) -> bool:
    """A full date, a `t` (any case), then hours, minutes, seconds (compared as text with 23, 59,
    59), an optional fraction and a `z` or an offset."""
    if len(text) < 4:
        return False
    parts = text.lower().split("t")
    if len(parts) < 2 or not _is_date(parts[0]):
        return False
    found = _TIME_OF_DAY.match(parts[1])
    return bool(found) and found.group(1) <= "23" and found.group(2) <= "59" and found.group(3) <= "59"


@mirrors("k8s.io/kube-openapi/pkg/validation/strfmt.ParseDuration")
def _is_duration(text: str) -> bool:
    """Go's time.ParseDuration, else any number followed by a unit strfmt knows (scala style)."""
    if _GO_DURATION.match(text):
        return True
    for _, _, unit in _DURATION_PART.findall(text):
        unit = unit.strip().lower()
        for variants in _DURATION_UNITS:
            if any((i == len(variants) - 1 and unit.startswith(v)) or v.lower() == unit
                   for i, v in enumerate(variants)):
                return True
    return False


@mirrors("k8s.io/kube-openapi/pkg/validation/strfmt.IsHostname")
def _is_hostname(text: str) -> bool:
    """RFC 1034 labels (letters, digits, symbols; a dash inside) and a top-level label of two
    letters or more, or a single label; at most 255 bytes, 63 a label."""
    if not _HOSTNAME.match("".join(_hostname_class(c) for c in text)):
        return False
    # Go's len counts bytes, not characters.
    return len(text.encode("utf-8", "surrogatepass")) <= 255 \
        and all(len(label.encode("utf-8", "surrogatepass")) <= 63 for label in text.split("."))


def _hostname_class(char: str) -> str:
    if char in "-.":
        return char
    category = unicodedata.category(char)
    if category.startswith("L"):
        return "a"
    if ("0" <= char <= "9") or category.startswith("S"):
        return "0"
    return "!"


@mirrors("k8s.io/kube-openapi/pkg/validation/strfmt.IsEmail")
def _is_email(text: str) -> bool:
    """net/mail.ParseAddress of a bare address or `Name <address>`: a local part and a domain."""
    found = re.fullmatch(r"\s*(?:[^<>]*<([^<>\s]+)>|([^<>\s]+))\s*", text)
    if not found:
        return False
    address = found.group(1) or found.group(2)
    local, at, domain = address.rpartition("@")
    atom = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\U0010ffff]+"
    return bool(at) and bool(re.fullmatch(rf"{atom}(\.{atom})*|\"[^\"]*\"", local)) and \
        bool(re.fullmatch(rf"{atom}(\.{atom})*|\[[^\]]*\]", domain))


def _parses_ip(text: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False


@mirrors("k8s.io/utils/net.ParseIPSloppy")
def _is_ipv4(text: str) -> bool:
    """An IPv4 address, leading zeros allowed (Go before 1.17), or an IPv4-mapped IPv6 address."""
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and p.isascii() and int(p) <= 255 for p in parts):
        return True
    return "." in text and _parses_ip(text, 6)


@mirrors("k8s.io/kube-openapi/pkg/validation/strfmt.isCIDR")
def _is_cidr(text: str) -> bool:
    address, slash, bits = text.partition("/")
    if not slash or not bits.isdigit() or not bits.isascii():
        return False
    if _is_ipv4(address) and ":" not in address:
        return int(bits) <= 32
    return _parses_ip(address, 6) and int(bits) <= 128


@mirrors("github.com/asaskevich/govalidator.IsRequestURI")
def _is_request_uri(text: str) -> bool:
    """url.ParseRequestURI: an absolute path, or a scheme followed by anything (`mailto:x`), with
    an authority after `//` whose port, if any, is digits and whose IPv6 host is closed; no
    control characters."""
    if not text or any(ord(c) < 0x20 or c == "\x7f" for c in text):
        return False
    if text.startswith("/"):
        return True
    scheme = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text)
    if not scheme:
        return False
    rest = text[scheme.end():].split("?", 1)[0]
    if not rest.startswith("//"):
        return True
    authority = rest[2:].split("/", 1)[0].rpartition("@")[2]
    if authority.startswith("["):
        _, closed, port = authority[1:].partition("]")
        return bool(closed) and (port == "" or (port.startswith(":") and port[1:].isdigit()))
    host, colon, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    return " " not in host and (not colon or port == "" or (port.isdigit() and port.isascii()))


def _isbn_sum_ok(text: str, thirteen: bool) -> bool:
    digits = re.sub(r"[\s-]", "", text)
    if thirteen:
        if not _ISBN13.match(digits):
            return False
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        return (10 - total % 10) % 10 == int(digits[12])
    if not _ISBN10.match(digits):
        return False
    total = sum((i + 1) * int(d) for i, d in enumerate(digits[:9]))
    return total % 11 == (10 if digits[9] == "X" else int(digits[9]))


@mirrors("github.com/asaskevich/govalidator.IsCreditCard")
def _is_credit_card(text: str) -> bool:
    digits = re.sub(r"[^0-9]", "", text)
    if not _CREDITCARD.match(digits):
        return False
    total, double = 0, False
    for d in reversed(digits):
        n = int(d) * (2 if double else 1)
        total += n - 9 if n > 9 else n
        double = not double
    return total % 10 == 0


# strfmt.Default: what each supported format (its name without dashes) accepts.
FORMATS = {
    "bsonobjectid": lambda s: bool(re.fullmatch(r"[0-9a-fA-F]{24}", s)),
    "uri": _is_request_uri,
    "email": _is_email,
    "hostname": _is_hostname,
    "ipv4": _is_ipv4,
    "ipv6": lambda s: ":" in s and "%" not in s and _parses_ip(s, 6),
    "cidr": _is_cidr,
    "mac": lambda s: bool(_MAC.match(s)),
    **{name: (lambda s, pattern=pattern: bool(pattern.match(s))) for name, pattern in _UUID.items()},
    "isbn": lambda s: _isbn_sum_ok(s, False) or _isbn_sum_ok(s, True),
    "isbn10": lambda s: _isbn_sum_ok(s, False),
    "isbn13": lambda s: _isbn_sum_ok(s, True),
    "creditcard": _is_credit_card,
    "ssn": lambda s: len(s) == 11 and bool(_SSN.match(s)),
    "hexcolor": lambda s: bool(_HEXCOLOR.match(s)),
    "rgbcolor": lambda s: bool(_RGBCOLOR.match(s)),
    "byte": lambda s: bool(_BASE64.match(s)),
    "password": lambda s: True,
    "date": _is_date,
    "duration": _is_duration,
    "datetime": _is_date_time,
}
