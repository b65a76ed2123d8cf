"""Go durations as time.ParseDuration reads and refuses them."""
from __future__ import annotations

import pytest

from reference_impl.machinery.timefmt import parse_duration


@pytest.mark.parametrize("text, seconds", [
    ("1h", 3600), ("1h30m", 5400), ("1m30.5s", 90.5), ("300ms", 0.3), ("1.5h", 5400), (".5s", 0.5),
    ("5.s", 5), ("-2m", -120), ("+2m", 120), ("0", 0), ("-0", 0), ("10us", 1e-5), ("10µs", 1e-5),
    ("2h0m0s", 7200),
])
def test_durations_go_accepts(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text, message", [
    ("", 'time: invalid duration ""'),
    ("-", 'time: invalid duration "-"'),
    ("1", 'time: missing unit in duration "1"'),
    ("1h1", 'time: missing unit in duration "1h1"'),
    ("1d", 'time: unknown unit "d" in duration "1d"'),
    (".s", 'time: invalid duration ".s"'),
    ("h", 'time: invalid duration "h"'),
    ("1h 30m", 'time: unknown unit "h " in duration "1h 30m"'),
    ('1"', 'time: unknown unit "\\"" in duration "1\\""'),
])
def test_durations_go_refuses_in_its_words(text, message):
    with pytest.raises(ValueError) as error:
        parse_duration(text)
    assert str(error.value) == message
