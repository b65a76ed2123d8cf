"""metav1.Time and metav1.MicroTime on the wire, from seconds since the epoch."""
from __future__ import annotations

import datetime


def rfc3339(seconds: float) -> str:
    """metav1.Time: whole seconds, the fraction cut off as Go's time.Format does (not rounded)."""
    return datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_time(seconds: float) -> str:
    """metav1.MicroTime, as in Lease.spec.renewTime."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
