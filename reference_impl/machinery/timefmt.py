"""metav1.Time and metav1.MicroTime on the wire, from seconds since the epoch."""
from __future__ import annotations

import datetime


def rfc3339(seconds: float) -> str:
    """metav1.Time: whole seconds, the fraction cut off as Go's time.Format does (not rounded)."""
    return datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_time(seconds: float) -> str:
    """metav1.MicroTime, as in Lease.spec.renewTime."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def go_time_string(text: str) -> str:
    """time.Time.String() of the metav1.Time an RFC 3339 `text` decodes to on a server in UTC,
    as a validation error shows it: `2026-01-02 03:04:05 +0000 UTC`."""
    moment = datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc)
    fraction = f".{moment.microsecond:06d}".rstrip("0").rstrip(".")
    return f"{moment:%Y-%m-%d %H:%M:%S}{fraction} +0000 UTC"


def parse_rfc3339(text: str) -> float:
    """Seconds since the epoch of a metav1.Time as it is written ("2024-01-02T03:04:05Z")."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
