"""resource.ParseQuantity's grammar, asked without parsing the value."""
import pytest

from reference_impl.machinery import quantity

TEXTS = ["100m", "1Gi", "32", "128Gi", "1.", ".5", "+1Ki", "-2e3", " 5 ", "1e-9", "0.1n", 5, 1.5,
         ".", "", "e3", "1Qi", "1.2.3", "m", "1 Gi", "--1", True, None, [1]]


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_is_quantity_is_what_parse_accepts(text):
    """A text is a quantity exactly when ParseQuantity reads it."""
    assert quantity.is_quantity(text) is (quantity.parse(text) is not None)


def test_is_quantity_accepts_numbers_and_suffixes_and_refuses_the_rest():
    assert all(quantity.is_quantity(text) for text in ("100m", "1Gi", "1.", ".5", "-2e3", 5, 1.5))
    assert not any(quantity.is_quantity(text) for text in (".", "", "e3", "1Qi", "1 Gi", True, None))


def test_a_text_is_parsed_once(monkeypatch):
    """A pod's requests are parsed several times on their way in (defaults, validation, its QoS
    class, quota), and a cluster's quantities are a few texts written over and over: each text
    is read by the grammar once, and answers the same Quantity after."""
    quantity.parse("0.25k")  # another test may have asked already: warm either way
    read = []
    written = quantity._written
    monkeypatch.setattr(quantity, "_written", lambda text: read.append(text) or written(text))
    first = quantity.parse("0.25k")
    assert quantity.parse("0.25k") == first == quantity.Quantity(quantity.Fraction(250))
    assert read == []


def test_numbers_and_booleans_are_not_taken_for_one_another():
    """1 and 1.0 are the same quantity, but True is none: remembering texts must not hand a
    boolean the answer of the number it equals."""
    assert quantity.parse(1) == quantity.parse(1.0) == quantity.Quantity(quantity.Fraction(1))
    assert quantity.parse(True) is None and quantity.parse(False) is None
