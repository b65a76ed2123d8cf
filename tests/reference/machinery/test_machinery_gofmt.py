"""fmt's %v as Go prints the values util/json decodes (checked against Go's fmt by hand)."""
from __future__ import annotations

import pytest

from reference_impl.machinery.gofmt import errorf_without_operands, format_s, format_v, type_of


@pytest.mark.parametrize("value,printed", [
    ({"name": "busybox", "image": "x"}, "map[image:x name:busybox]"),
    ({"a": {"b": [1, "two", None, True]}}, "map[a:map[b:[1 two <nil> true]]]"),
    ([], "[]"), ({}, "map[]"), ("text with spaces", "text with spaces"),
    (1.5, "1.5"), (1.0, "1"), (100000.0, "100000"), (1000000.0, "1e+06"), (1234567.5, "1.2345675e+06"),
    (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5e-07, "-2.5e-07"), (1e21, "1e+21"), (120.25, "120.25"),
    (2**63 - 1, "9223372036854775807")])
def test_format_v(value, printed):
    assert format_v(value) == printed


@pytest.mark.parametrize("value,printed", [
    ("bogus", "bogus"), (1, "%!s(int64=1)"), (1.5, "%!s(float64=1.5)"), (True, "%!s(bool=true)"),
    (None, "%!s(<nil>)"), ({"$patch": "x", "a": 1, "b": None}, "map[$patch:x a:%!s(int64=1) b:<nil>]"),
    (["x", 2], "[x %!s(int64=2)]")])
def test_format_s(value, printed):
    """%s prints strings, applies itself to the members of maps and slices, and is a bad verb for
    anything else; a nil argument is %!s(<nil>), a nil member <nil>."""
    assert format_s(value) == printed


@pytest.mark.parametrize("value,name", [
    ("x", "string"), (1, "int64"), (1.0, "float64"), (False, "bool"), ({}, "map[string]interface {}"),
    ([], "[]interface {}"), (None, "%!s(<nil>)")])
def test_type_of(value, name):
    assert type_of(value) == name


@pytest.mark.parametrize("format,text", [
    ("plain", "plain"), ("100%", "100%!(NOVERB)"), ("%%", "%"), ("%s", "%!s(MISSING)"),
    ("a%-5.2fb%", "a%!f(MISSING)b%!(NOVERB)"), ('/foo%s%%x%"', '/foo%!s(MISSING)%x%!"(MISSING)'),
    ("%[1]d", "%!d(BADINDEX)"), ("%[x", "%!x(BADINDEX)"), ("%[", "%!(NOVERB)"), ("%*d", "%!(BADWIDTH)%!d(MISSING)"),
    ("%.*d", "%!(BADPREC)%!d(MISSING)"), ("%5.d", "%!d(MISSING)"), ("%.", "%!.(MISSING)"), ("%#08x", "%!x(MISSING)"),
    ("x%é", "x%!é(MISSING)"), ("%[2]*d", "%!(BADWIDTH)%!d(BADINDEX)"), ("%-", "%!(NOVERB)"), ("%3", "%!(NOVERB)"),
    ("%.[1]d", "%!d(BADINDEX)"), ("%[1]", "%!(NOVERB)"), ("%[]d", "%!d(BADINDEX)")])
def test_errorf_without_operands(format, text):
    """fmt.Errorf(format) with no operands, as Go 1.19's fmt prints each of these (checked with
    `go run` on fmt.Errorf(f).Error())."""
    assert errorf_without_operands(format) == text
