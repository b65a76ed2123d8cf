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
