"""Go durations as time.ParseDuration reads and refuses them, and as Duration.String writes them."""
from __future__ import annotations

import pytest

from reference_impl.machinery.timefmt import format_duration, parse_duration


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


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (0.5, "500ms"), (0.0015, "1.5ms"), (1e-6, "1µs"), (3e-9, "3ns"), (30, "30s"), (120, "2m0s"),
    (3600, "1h0m0s"), (90.25, "1m30.25s"), (-60, "-1m0s"),
])
def test_durations_as_go_prints_them(seconds, text):
    assert format_duration(seconds) == text
