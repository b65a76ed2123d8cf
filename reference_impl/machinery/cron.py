"""The standard 5-field cron schedule, after github.com/robfig/cron/v3 (ParseStandard,
SpecSchedule.Next), in UTC: minute, hour, day of month, month, day of week, each `*`, `?`, `N`,
`N-M`, any of them `/STEP`, comma lists; month and weekday names (`jan`, `mon`); the descriptors
@yearly @annually @monthly @weekly @daily @midnight @hourly and `@every DURATION`. The apiserver
validates a CronJob's schedule with it (its errors are robfig's words) and the CronJob controller
computes start times with it.
"""
from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from reference_impl.machinery.timefmt import parse_duration
from reference_impl.mirrors import mirrors

_MONTHS = {n: i + 1 for i, n in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {n: i for i, n in enumerate("sun mon tue wed thu fri sat".split())}
# (min, max, names) per field, in the order they are written.
_FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 6, _DAYS))
_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                "@hourly": "0 * * * *"}
# Give up looking for a matching time this many years ahead (robfig's "Feb 30" guard).
_YEARS_AHEAD = 5



class CronError(ValueError):
    """A schedule robfig/cron refuses; `reason` is its error text, which the apiserver shows."""

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
    # The zone a `TZ=` or `CRON_TZ=` prefix names; robfig reads the fields in its wall-clock time.
    location: datetime.tzinfo = datetime.timezone.utc

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
        t = datetime.datetime.fromtimestamp(int(after) // 60 * 60 + 60, self.location)
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
class Every:
    """robfig's ConstantDelaySchedule (`@every 90s`): a fixed delay, whole seconds, at least one."""

    delay: int

    @mirrors("(github.com/robfig/cron/v3.ConstantDelaySchedule).Next")
    def next(self, after: float) -> float:
        return int(after) + self.delay


@mirrors("github.com/robfig/cron/v3.mustParseInt")
def _number(text: str, names: dict, schedule: str) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CronError(schedule, f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax')
    if int(text) < 0:
        raise CronError(schedule, f"negative number ({int(text)}) not allowed: {text}")
    return int(text)


@mirrors("github.com/robfig/cron/v3.getRange")
def _field(expr: str, low: int, high: int, names: dict, schedule: str) -> tuple[frozenset[int], bool]:
    """The values of one field, and whether it was written as a star (robfig's starBit)."""
    values: set[int] = set()
    star = False
    for part in filter(None, expr.split(",")):
        range_and_step = part.split("/")
        low_and_high = range_and_step[0].split("-")
        if low_and_high[0] in ("*", "?"):
            start, end, star = low, high, True
        else:
            start = _number(low_and_high[0], names, schedule)
            if len(low_and_high) > 2:
                raise CronError(schedule, f"too many hyphens: {part}")
            end = _number(low_and_high[1], names, schedule) if len(low_and_high) == 2 else start
        if len(range_and_step) > 2:
            raise CronError(schedule, f"too many slashes: {part}")
        step = _number(range_and_step[1], {}, schedule) if len(range_and_step) == 2 else 1
        if len(range_and_step) == 2 and len(low_and_high) == 1:
            end = high  # "N/step" means "N-max/step"
        if step > 1:
            star = False  # `*/2` is not a star
        if start < low:
            raise CronError(schedule, f"beginning of range ({start}) below minimum ({low}): {part}")
        if end > high:
            raise CronError(schedule, f"end of range ({end}) above maximum ({high}): {part}")
        if start > end:
            raise CronError(schedule, f"beginning of range ({start}) beyond end of range ({end}): {part}")
        if step == 0:
            raise CronError(schedule, f"step of range should be a positive number: {part}")
        values.update(range(start, end + 1, step))
    return frozenset(values), star


@mirrors("github.com/robfig/cron/v3.parseDescriptor")
def _descriptor(schedule: str) -> Schedule | Every:
    if schedule in _DESCRIPTORS:
        return parse_standard(_DESCRIPTORS[schedule])
    if schedule.startswith("@every "):
        try:
            seconds = parse_duration(schedule[len("@every "):])
        except ValueError as err:
            raise CronError(schedule, f"failed to parse duration {schedule}: {err}") from None
        return Every(max(1, int(seconds)))
    raise CronError(schedule, f"unrecognized descriptor: {schedule}")


@mirrors("github.com/robfig/cron/v3.ParseStandard", "(github.com/robfig/cron/v3.Parser).Parse")
def parse_standard(schedule: str) -> Schedule | Every:
    if not schedule:
        raise CronError(schedule, "empty spec string")
    location: datetime.tzinfo = datetime.timezone.utc
    spec = schedule
    if spec.startswith(("TZ=", "CRON_TZ=")) and " " in spec:
        name, _, spec = spec.partition("=")[2].partition(" ")
        location = _load_location(name, schedule)
        spec = spec.strip()
    if spec.startswith("@"):
        return _descriptor(spec)
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(schedule, f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    parsed = [_field(f, low, high, names, schedule) for f, (low, high, names) in zip(fields, _FIELDS)]
    (minutes, _), (hours, _), (doms, dom_star), (months, _), (dows, dow_star) = parsed
    return Schedule(minutes, hours, doms, months, dows, dom_star, dow_star, location)


@mirrors("time.LoadLocation")
def _load_location(name: str, schedule: str) -> datetime.tzinfo:
    """The zone of an IANA name ("" and "UTC" are UTC), or robfig's error naming it."""
    if name in ("", "UTC"):
        return datetime.timezone.utc
    if ".." in name or name.startswith(("/", "\\")):
        raise CronError(schedule, f"provided bad location {name}: time: invalid location name")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CronError(schedule, f"provided bad location {name}: unknown time zone {name}") from None
