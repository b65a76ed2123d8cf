"""benchmarks/scheduler_throughput.py's in-process mode drives the scheduler core as the runner does."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import scheduler_throughput  # noqa: E402


def test_the_in_process_mode_ends_every_binding_cycle(monkeypatch):
    """Each Bind is answered with binding_succeeded, as the runner answers the POST: PostBind runs
    and the core keeps no binding cycle once the pods are bound."""
    made = []

    class Recorded(scheduler_throughput.Scheduler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)
    monkeypatch.setattr(scheduler_throughput, "Scheduler", Recorded)
    result = scheduler_throughput.run_in_process(argparse.Namespace(nodes=10, pods=40, seed=1))
    (sched,) = made
    assert result["scheduled"] > 0 and sched.binding == {} and not sched.cache.assumed
