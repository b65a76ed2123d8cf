"""What benchmarks/index_timeline.py counts of a run's processes (small stand-in runs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.index_timeline import RunFailed, sample  # noqa: E402

# Forks a child that burns CPU and ends, then idles: both ends fall between two readings.
CHILD_BETWEEN_READINGS = """
import os, time
pid = os.fork()
if pid == 0:
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.2)
"""


def test_a_child_that_ends_between_readings_keeps_its_cpu():
    """A child seen by no reading (it began and was reaped between two) counted nothing, nor
    did the writer's last interval: the reaped time of the process that waited for it has it."""
    samples, _, _ = sample([sys.executable, "-c", CHILD_BETWEEN_READINGS], dict(os.environ),
                           every=1.5)
    assert sum(s["python children"] for s in samples) >= 0.25


def test_kubeatlas_lines_are_no_stage_and_a_failed_run_is_an_error():
    """`kubeatlas: warning: …` was a stage named "kubeatlas: warning", and a run that failed
    still printed its table."""
    script = ("import sys; print('repo: parsing …', file=sys.stderr); "
              "print('kubeatlas: warning: a file is odd', file=sys.stderr); sys.exit({})")
    _, stages, _ = sample([sys.executable, "-c", script.format(0)], dict(os.environ), every=0.05)
    assert [name for _, name in stages] == ["repo: parsing"]
    with pytest.raises(RunFailed) as failed:
        sample([sys.executable, "-c", script.format(3)], dict(os.environ), every=0.05)
    assert (failed.value.code, failed.value.said) == (3, ["kubeatlas: warning: a file is odd"])
