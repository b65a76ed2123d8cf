"""Go durations as time.ParseDuration reads and refuses them, and as Duration.String writes them."""
from __future__ import annotations

import time

import pytest

from reference_impl.machinery import timefmt
from reference_impl.machinery.timefmt import format_duration, go_time_string, parse_duration, parse_rfc3339, rfc3339


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


@pytest.mark.parametrize("text, seconds, go_string", [
    ("10000-01-01T00:00:00Z", 253402300800, "10000-01-01 00:00:00 +0000 UTC"),
    ("0000-01-01T00:00:00Z", -62167219200, "0000-01-01 00:00:00 +0000 UTC"),
    ("-0001-12-31T23:59:59Z", -62167219201, "-0001-12-31 23:59:59 +0000 UTC"),
    ("0000-12-31T23:00:00-01:00", -62135596800, "0001-01-01 00:00:00 +0000 UTC"),
    ("2026-01-02T03:04:05.120000Z", 1767323045.12, "2026-01-02 03:04:05.12 +0000 UTC"),
])
def test_times_of_any_year_a_protobuf_body_stores_are_read_and_printed_as_go_does(text, seconds, go_string):
    """A protobuf body stores any year (a time.Time, never parsed): controllers read it back and
    a validation message prints it as time.Time.String does, four digits at least, signed."""
    assert parse_rfc3339(text) == pytest.approx(seconds)
    assert go_time_string(text) == go_string
    if text.endswith("Z") and "." not in text:
        assert rfc3339(seconds) == text  # as a sinceTime is passed on to the kubelet


@pytest.mark.parametrize("seconds", [0, 1.999, 951_782_400.5, 1_700_000_000.7, 253_402_300_799.5])
def test_a_time_prints_as_the_apiservers_strftime_did(seconds):
    """The apiserver's stamps (creationTimestamp, managedFields' times) come from here: for years
    1000-9999 the same text as strftime of the UTC time, the fraction cut off."""
    assert rfc3339(seconds) == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def test_a_second_is_formatted_once_however_many_stamps_it_makes(monkeypatch):
    """rfc3339 keeps the last second's text: stamps within that second reuse it, the next second
    is formatted afresh."""
    rfc3339(1.0)  # some other second last
    days = []
    civil_from_days = timefmt.civil_from_days
    monkeypatch.setattr(timefmt, "civil_from_days", lambda n: days.append(n) or civil_from_days(n))
    assert rfc3339(1_700_000_000.1) == rfc3339(1_700_000_000.9) == "2023-11-14T22:13:20Z"
    assert len(days) == 1
    assert rfc3339(1_700_000_001.0) == "2023-11-14T22:13:21Z"
    assert len(days) == 2
