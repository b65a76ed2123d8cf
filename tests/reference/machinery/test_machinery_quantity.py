"""resource.ParseQuantity's grammar, asked without parsing the value."""
import time

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


# Sent in a pod's limits to kube-apiserver 1.24, and what it wrote back (and stored).
MARSHALED = {"0.5": "500m", "1.5Gi": "1536Mi", "1000m": "1", "1.5k": "1500", "1.50": "1500m", "2048Ki": "2Mi",
             "0.1Ki": "102400m", "1.0": "1", "0m": "0", ".5": "500m", "1e19": "10e18", "2000000k": "2G",
             "1.5Mi": "1536Ki", "10e-1": "1", "0.00001e3": "10e-3",
             # what ParseQuantity keeps as canonical is written as it was sent
             "1e3": "1e3", "1E3": "1E3", "+1": "+1", "00100": "00100", "5.": "5.", "1.5E1": "1.5E1", "12e6": "12e6",
             "100Mi": "100Mi", "1Ei": "1Ei", "999999999999999999999999": "999999999999999999999999",
             # "E" alone is the SI suffix exa, not an exponent without digits (fuzz20: a 500 before)
             "1E": "1E", "10E": "10E", "1.5E": "1500P",
             # from 1e21 a decimal SI quantity's exponent has no suffix, and String writes none
             "2000E": "2", "1000000000000000000000": "1"}


@pytest.mark.parametrize("text", MARSHALED, ids=repr)
def test_a_quantity_is_written_as_the_real_server_writes_it(text):
    """Quantity.MarshalJSON writes the text ParseQuantity kept when it was canonical already,
    else the canonical text of the value."""
    assert quantity.marshaled(text) == MARSHALED[text]


def test_a_quantity_written_without_its_suffix_keeps_its_value():
    """The object decoded holds 2000E however MarshalJSON writes it ("2"): validation compares
    the value (a LimitRange's min of 2000E is above a max of 1Ki)."""
    written = quantity.marshaled("2000E")
    assert written == "2" and quantity.parse(written).value == 2 * 10**21
    assert quantity.marshaled(written) == "2" and quantity.parse(quantity.marshaled(written)).value == 2 * 10**21


def test_a_binary_quantity_is_capped_at_the_largest_int64():
    """ParseQuantity caps a binary SI quantity (only those) at 2^63-1."""
    assert quantity.marshaled("9999999999999999999Ki") == "9223372036854775807"
    assert quantity.parse("9999999999999999999Ki").value == 2**63 - 1
    assert quantity.marshaled("9999999999999999999k") == "9999999999999999999k"


def test_what_is_no_quantity_is_written_as_it_is():
    assert quantity.marshaled("1 Gi") == "1 Gi" and quantity.marshaled(True) is True


# What SetDefaults_ResourceList made of these in a pod's limits, as kube-apiserver 1.24 wrote them.
ROUNDED = {"1n": "1m", "0.0001m": "1m", "0.000000001": "1m", "1.2345678901m": "2m", "1E-9": "1e-3",
           "1.0001": "1001m"}


@pytest.mark.parametrize("text", ROUNDED, ids=repr)
def test_a_resource_list_rounds_up_to_thousandths(text):
    """A quantity finer than a thousandth is rounded away from zero to one, in its format."""
    assert quantity.marshaled(quantity.rounded_up_to_milli(text)) == ROUNDED[text]


def test_a_quantity_in_thousandths_is_left_as_sent():
    assert [quantity.rounded_up_to_milli(text) for text in ("1E3", "1.5", "1m", "x")] == ["1E3", "1.5", "1m", "x"]


# Value and MilliValue of what upstream keeps as an int64Amount (0 past int64) or an inf.Dec (the low
# 64 bits): the ones that decided what kube-apiserver 1.24 answered in fuzz20's probes.
SCALED = {"10E": (0, 0), "1e19": (0, 0), "1.5": (2, 1500), "0.5m": (1, 1), "-1": (-1, -1000),
          "1Ei": (2**60, -2**63), "9223372036854775807": (2**63 - 1, -1000),
          "9223372036854775808": (-2**63, 0), "999999999999999999999999999999": (5076944270305263615, 4089650035136920600)}


@pytest.mark.parametrize("text", SCALED, ids=repr)
def test_value_and_milli_value_overflow_as_upstreams_do(text):
    """Quantity.ScaledValue: an int64Amount is 0 when the scaled value does not fit an int64, an
    inf.Dec keeps what big.Int.Int64 keeps; finer values are rounded away from zero."""
    assert (quantity.scaled_value(text, 0), quantity.scaled_value(text, -3)) == SCALED[text]


# Exponents of up to an int32 (interpret keeps int32 of what ParseInt reads): kube-apiserver 1.24
# wrote back 1e9999999 as sent and 1e-9999999 (rounded up to 1n, then to a milli by the
# defaults) as 1e-3; upstream works out 10**n for some of these and takes seconds to minutes.
FAR = {"1e9999999": "1e9999999", "9e999999999": "9e999999999", "1000e9999999": "1e10000002",
       "-1000e9999999": "-1e10000002", "1e-9999999": "1e-9", "1e4294967296": "1e4294967296"}


@pytest.mark.parametrize("text", FAR, ids=repr)
def test_a_far_exponent_is_answered_without_working_out_its_power(text):
    """ParseQuantity, String and ScaledValue of a quantity with an exponent of millions answer in
    milliseconds: the value past 10**400 is held as its digits and exponent."""
    started = time.process_time()
    assert quantity.marshaled(text) == FAR[text]
    assert quantity.rounded_up_to_milli("1e-9999999") == "1e-3"
    # MilliValue: 0 where it overflows an int64, 1 for 1n rounded up; 2**32 wraps to an exponent of 0
    assert quantity.scaled_value(text, -3) == {"1e-9999999": 1, "1e4294967296": 1000}.get(text, 0)
    assert time.process_time() - started < 0.5


def test_far_values_keep_their_order():
    """A value past 10**400 orders among the others by its digits and exponent (requests are
    compared with limits, a quota's use with its hard limit)."""
    ordered = ["-1e9999999", "1e-9999999", "1", "1e300", "9e500", "1e501", "2e501", "1e9999999", "9e999999999"]
    values = [quantity.parse(text).value for text in ordered]
    assert values == sorted(values) and len(set(values)) == len(values)


# Thousands of digits, with no exponent: int() refuses a string of more than 4,300 digits, which
# ended a pod or quota holding one in a 500. Go reads them into an inf.Dec and prints them whole.
LONG = {"1" * 4400: "1" * 4400, "1" * 4400 + "m": "1" * 4400 + "m", "1" * 4400 + "k": "1" * 4400 + "k",
        "1" + "0" * 5000: "100", "0." + "0" * 5000 + "1": "1n", "1" * 4400 + "e3": "1" * 4400 + "e3"}


@pytest.mark.parametrize("text", LONG, ids=lambda text: f"{text[:3]}..{text[-3:]} ({len(text)})")
def test_thousands_of_digits_are_read_and_written_whole(text):
    started = time.process_time()
    assert quantity.marshaled(text) == LONG[text]
    assert quantity.parse(text).value > quantity.parse("1e300").value or LONG[text] == "1n"
    assert time.process_time() - started < 0.5


def test_an_exponent_past_an_int64_is_no_quantity():
    """strconv.ParseInt refuses it, and interpret calls that no suffix."""
    assert not quantity.is_quantity("1e9223372036854775808") and quantity.is_quantity("1e9223372036854775807")


def test_a_far_value_added_to_zero_is_written_as_it_was():
    """Quantity.Add of zero and 1e9999999 is that value (int64Amount.Add takes the other's value and
    scale), which a quota's status.used then writes as String does."""
    assert str(quantity.ZERO + quantity.parse("1e9999999")) == "1e9999999"
    assert str(quantity.parse("1000e9999999") + quantity.ZERO) == "1e10000002"


def test_far_values_that_share_their_first_digits_compare_exactly():
    """Past 10**400 two values are compared on all their digits, as inf.Dec compares them: a limit
    of 1 followed by 24 ones and then a 2 (times 10**500) is above a request of 25 ones, below is
    refused, and each is equal only to itself; negatives order the other way."""
    low, high = "1" * 25 + "e500", "1" * 24 + "2e500"
    values = [quantity.parse(text).value for text in (f"-{high}", f"-{low}", low, high)]
    assert values == sorted(values) and len(set(values)) == 4
    assert quantity.parse(low).value < quantity.parse(high).value
    assert quantity.parse(low).value != quantity.parse(high).value
    assert quantity.parse(low).value == quantity.parse("1" * 25 + "0e499").value
    assert not quantity.parse(high).value <= quantity.parse(low).value


@pytest.mark.parametrize("read", [quantity.parse, quantity.exact], ids=["parse", "exact"])
def test_only_short_texts_are_remembered(read):
    """The caches of parse and exact keep their keys: a text longer than any quantity a manifest
    writes is worked out each time, so 4096 megabyte bodies cannot pin gigabytes."""
    long_text = "1" * (quantity.MAX_REMEMBERED_TEXT + 1) + "Ki"
    before = read.cache_info()
    assert read(long_text) is not None and read(long_text) is not None
    after = read.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)
    short = "%dKi" % (after.misses + 10**9)
    read(short), read(short)
    assert read.cache_info().hits == after.hits + 1
