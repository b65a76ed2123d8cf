"""What every `/metrics` here shares with client_golang's text exposition (format 0.0.4): sample
values written as Go formats a float64, label values escaped, and the process's start time as
Prometheus' process collector reads it."""
from __future__ import annotations

import decimal
import math
import os

from reference_impl.mirrors import mirrors


def go_float(value: float) -> str:
    """A sample value as Go's strconv.FormatFloat(v, 'g', -1, 64) writes it: the shortest digits,
    in exponent form from 1e+06 up and below 1e-04 (1, 0.05, 1e+06)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == 0:
        return "0"
    digits = decimal.Decimal(repr(float(value))).normalize().as_tuple()
    count = len(digits.digits)
    exponent = count + digits.exponent - 1
    if exponent < -4 or exponent >= 6:
        return f"{value:.{count - 1}e}"
    return f"{value:.{max(count - exponent - 1, 0)}f}"


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


@mirrors("github.com/prometheus/procfs.ProcStat.StartTime")
def process_start_time(pid: int | str = "self") -> float:
    """When the process started, in seconds since the epoch: the boot time from /proc/stat plus
    the start tick from /proc/PID/stat (its 22nd field)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()  # after the command name, which may hold spaces
    with open("/proc/stat") as stat:
        boot_time = next(int(line.split()[1]) for line in stat if line.startswith("btime "))
    return boot_time + int(fields[19]) / os.sysconf("SC_CLK_TCK")


@mirrors("github.com/prometheus/procfs.ProcStat.ResidentMemory")
def process_resident_memory(pid: int | str = "self") -> int:
    """The process's resident set in bytes: its page count from /proc/PID/stat (24th field)
    times the page size."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
