"""The 5-field cron schedule parser and its next-time search, one rule per test."""
from __future__ import annotations

import datetime

import pytest

from reference_impl.machinery.cron import CronError, parse_standard


def at(text: str) -> float:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()


def next_after(schedule: str, text: str) -> str:
    t = parse_standard(schedule).next(at(text))
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M")


def test_next_is_strictly_after_the_given_time():
    """A time that matches exactly is not its own next time."""
    assert next_after("*/5 * * * *", "2026-01-01T00:05:00") == "2026-01-01T00:10"


def test_seconds_are_rounded_up_to_the_next_minute():
    """From 00:04:30, every-5-minutes next fires at 00:05."""
    assert next_after("*/5 * * * *", "2026-01-01T00:04:30") == "2026-01-01T00:05"


def test_ranges_lists_and_steps():
    """`0 9-17/4 * * *` fires at 9, 13 and 17 o'clock."""
    assert next_after("0 9-17/4 * * *", "2026-01-01T13:00:00") == "2026-01-01T17:00"


def test_month_and_weekday_names():
    """Names such as `jun` and `mon` are accepted: the first Monday in June 2026 is the 1st."""
    assert next_after("30 6 * jun mon", "2026-01-01T00:00:00") == "2026-06-01T06:30"


def test_restricted_day_of_month_and_day_of_week_are_ored():
    """With both day fields restricted, either one matching is enough (Vixie cron)."""
    # 2026-01-02 is a Friday (5); the 15th comes later.
    assert next_after("0 0 15 * 5", "2026-01-01T00:00:00") == "2026-01-02T00:00"


def test_a_star_day_field_makes_the_day_fields_anded():
    """With day-of-month a star, the day fields are ANDed: `0 0 * * 1` fires on Mondays only."""
    assert next_after("0 0 * * 1", "2026-01-01T00:00:00") == "2026-01-05T00:00"


def test_descriptors():
    """@hourly is `0 * * * *`."""
    assert next_after("@hourly", "2026-01-01T10:59:00") == "2026-01-01T11:00"


def test_a_date_that_never_comes_has_no_next_time():
    """February 30th never matches: next is None instead of a search without end."""
    assert parse_standard("0 0 30 2 *").next(at("2026-01-01T00:00:00")) is None


@pytest.mark.parametrize("schedule", ["* * * *", "61 * * * *", "* * * * 8", "*/0 * * * *", "x * * * *"])
def test_bad_schedules_raise_a_cron_error(schedule):
    """A schedule with the wrong field count, an out-of-range value, a zero step or a bad word is refused."""
    with pytest.raises(CronError):
        parse_standard(schedule)


@pytest.mark.parametrize("schedule, delay", [("@every 1s", 1), ("@every 1h30m", 5400), ("@every 500ms", 1),
                                             ("@every 1.5s", 1), ("@every 2m0.9s", 120), ("@every -5s", 1),
                                             ("@every 1m30s", 90), ("@every 10ms", 1)])
def test_every_runs_at_a_constant_delay_in_whole_seconds(schedule, delay):
    """`@every <Go duration>` (ConstantDelaySchedule): the delay is truncated to whole seconds, at
    least one, and counts from the given time's second."""
    assert parse_standard(schedule).next(at("2026-01-01T00:00:00") + 0.25) == at("2026-01-01T00:00:00") + delay


@pytest.mark.parametrize("schedule, reason", [
    ("@every 1", 'failed to parse duration @every 1: time: missing unit in duration "1"'),
    ("@every 1x", 'failed to parse duration @every 1x: time: unknown unit "x" in duration "1x"'),
    ("@every .s", 'failed to parse duration @every .s: time: invalid duration ".s"'),
])
def test_a_bad_every_duration_says_what_time_parse_duration_says(schedule, reason):
    with pytest.raises(CronError) as error:
        parse_standard(schedule)
    assert error.value.reason == reason


@pytest.mark.parametrize("schedule", ["@every", "@every 1", "@every 1x", "@every s", "@every 1h 30m", "@sometimes"])
def test_bad_every_durations_and_unknown_descriptors_raise_a_cron_error(schedule):
    """time.ParseDuration needs a unit after every number; an unknown descriptor is refused."""
    with pytest.raises(CronError):
        parse_standard(schedule)


@pytest.mark.parametrize("schedule, after, expected", [
    ("TZ=UTC 0 9 * * *", "2026-01-01T00:00:00", "2026-01-01T09:00"),
    ("CRON_TZ=Europe/Paris 0 9 * * *", "2026-01-01T00:00:00", "2026-01-01T08:00"),
    ("TZ=Asia/Tokyo  30 0 * * *", "2026-01-01T00:00:00", "2026-01-01T15:30"),
])
def test_a_time_zone_prefix_reads_the_fields_in_that_zones_wall_clock(schedule, after, expected):
    """Parser.Parse strips `TZ=<zone> ` or `CRON_TZ=<zone> ` and matches the fields in that zone."""
    assert next_after(schedule, after) == expected


@pytest.mark.parametrize("schedule, reason", [
    ("TZ=Mars/Olympus * * * * *", "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"),
    ("TZ=../etc * * * * *", "provided bad location ../etc: time: invalid location name"),
])
def test_a_bad_time_zone_says_what_load_location_says(schedule, reason):
    with pytest.raises(CronError) as error:
        parse_standard(schedule)
    assert error.value.reason == reason
