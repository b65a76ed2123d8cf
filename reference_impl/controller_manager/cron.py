"""The standard 5-field cron schedule the CronJob controller parses, after github.com/robfig/cron/v3
(ParseStandard, SpecSchedule.Next), in UTC: minute, hour, day of month, month, day of week, each
`*`, `?`, `N`, `N-M`, any of them `/STEP`, comma lists; month and weekday names (`jan`, `mon`);
the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly, and `@every
<duration>` (a constant delay).
"""
from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from reference_impl.controller_manager import ControllerError
from reference_impl.mirrors import mirrors

_MONTHS = {n: i + 1 for i, n in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {n: i for i, n in enumerate("sun mon tue wed thu fri sat".split())}
# (min, max, names) per field, in the order they are written.
_FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 6, _DAYS))
_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@hourly": "0 * * * *"}
_EVERY = "@every "
# time.ParseDuration: an optional sign, then one or more <number><unit>.
_DURATION = re.compile(r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
# Give up looking for a matching time this many years ahead (robfig's "Feb 30" guard).
_YEARS_AHEAD = 5


class CronError(ControllerError):
    def __init__(self, schedule: str, reason: str):
        super().__init__(f"unparseable schedule {schedule!r}: {reason}")
        self.schedule, self.reason = schedule, reason


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]
    # A day field written as `*` or `?`: then day of month AND day of week must match, else either.
    dom_star: bool
    dow_star: bool

    @mirrors("github.com/robfig/cron/v3.dayMatches")
    def day_matches(self, t: datetime.datetime) -> bool:
        dom = t.day in self.days_of_month
        dow = (t.isoweekday() % 7) in self.days_of_week
        if self.dom_star or self.dow_star:
            return dom and dow
        return dom or dow

    @mirrors("(*github.com/robfig/cron/v3.SpecSchedule).Next")
    def next(self, after: float) -> float | None:
        """The first matching minute strictly after `after` (seconds since the epoch), or None when
        none comes within five years."""
        t = datetime.datetime.fromtimestamp(int(after) // 60 * 60 + 60, datetime.timezone.utc)
        limit = t.year + _YEARS_AHEAD
        while t.year <= limit:
            # Each field that does not match moves time to the start of its next value; a move that
            # wraps into the next larger unit starts the checks over, as robfig's `goto WRAP` does.
            if t.month not in self.months:
                year, month = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
                t = t.replace(year=year, month=month, day=1, hour=0, minute=0)
                continue
            if not self.day_matches(t):
                t = (t + datetime.timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if t.hour not in self.hours:
                t = (t + datetime.timedelta(hours=1)).replace(minute=0)
                continue
            if t.minute not in self.minutes:
                t += datetime.timedelta(minutes=1)
                continue
            return t.timestamp()
        return None


@dataclass(frozen=True)
class ConstantDelaySchedule:
    delay: int  # whole seconds, at least 1

    @mirrors("(github.com/robfig/cron/v3.ConstantDelaySchedule).Next")
    def next(self, after: float) -> float:
        """`delay` after the start of `after`'s second."""
        return math.floor(after) + self.delay


@mirrors("github.com/robfig/cron/v3.Every")
def every(text: str, schedule: str) -> ConstantDelaySchedule:
    """`@every`'s time.ParseDuration text as a schedule: truncated to whole seconds, at least one."""
    if text == "0":
        return ConstantDelaySchedule(1)
    if not _DURATION.fullmatch(text):
        raise CronError(schedule, f"failed to parse duration {text!r}")
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(text))
    return ConstantDelaySchedule(1 if text.startswith("-") or seconds < 1 else int(seconds))


def _number(text: str, names: dict, schedule: str) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise CronError(schedule, f"{text!r} is not a number")
    return int(text)


def _field(expr: str, low: int, high: int, names: dict, schedule: str) -> tuple[frozenset[int], bool]:
    """The values of one field, and whether it was written as a star (robfig's starBit)."""
    values: set[int] = set()
    star = False
    for part in expr.split(","):
        range_, _, step_text = part.partition("/")
        step = _number(step_text, {}, schedule) if step_text else 1
        if step < 1:
            raise CronError(schedule, f"step of {part!r} must be positive")
        if range_ in ("*", "?"):
            start, end = low, high
            star = step == 1  # `*/2` is not a star
        else:
            first, dash, last = range_.partition("-")
            start = _number(first, names, schedule)
            end = _number(last, names, schedule) if dash else (high if step_text else start)
        if not low <= start <= end <= high:
            raise CronError(schedule, f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values), star


@mirrors("github.com/robfig/cron/v3.ParseStandard")
def parse_standard(schedule: str) -> Schedule | ConstantDelaySchedule:
    if schedule.strip().startswith(_EVERY):
        return every(schedule.strip()[len(_EVERY):], schedule)
    spec = _DESCRIPTORS.get(schedule.strip(), schedule)
    if spec.startswith("@"):
        raise CronError(schedule, "unrecognized descriptor")
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(schedule, f"expected 5 fields, found {len(fields)}")
    parsed = [_field(f, low, high, names, schedule) for f, (low, high, names) in zip(fields, _FIELDS)]
    (minutes, _), (hours, _), (doms, dom_star), (months, _), (dows, dow_star) = parsed
    return Schedule(minutes, hours, doms, months, dows, dom_star, dow_star)
