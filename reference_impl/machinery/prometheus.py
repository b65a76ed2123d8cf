"""What every `/metrics` here shares with client_golang's text exposition (format 0.0.4): label
values escaped, and the process's start time as Prometheus' process collector reads it. Sample
values are written as Go formats a float64 (`machinery.gofmt.format_float`)."""
from __future__ import annotations

import os

from reference_impl.mirrors import mirrors


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
