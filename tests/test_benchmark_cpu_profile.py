"""How benchmarks/apiserver_cpu_profile.py names frames and adds its samples up (no process started)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from apiserver_cpu_profile import ROOT, flat_profile, frame_name  # noqa: E402


def test_a_function_counts_once_a_sample_however_often_it_recurses():
    """Self counts the sample's innermost function; inclusive counts each function on the stack
    once a sample, its lines merged, so a recursive function is never above 100%."""
    samples = {("a (x.py:1)", "b (x.py:5)", "b (x.py:7)"): 3, ("a (x.py:2)",): 1}
    own, anywhere = flat_profile(samples, top=5)
    assert own == [("b (x.py)", 3), ("a (x.py)", 1)]
    assert anywhere == [("a (x.py)", 4), ("b (x.py)", 3)]


def test_frames_are_named_from_the_repository_root_or_by_their_last_two_parts():
    """A repository file is shown from the root, with `..` resolved as benchmarks import it; any
    other (the standard library, grpc) by its directory and name."""
    inside = type("Code", (), {"co_filename": str(ROOT / "benchmarks" / ".." / "reference_impl" / "m.py"),
                               "co_qualname": "C.f"})
    outside = type("Code", (), {"co_filename": "/usr/lib/python3.11/threading.py", "co_qualname": "Condition.wait"})
    assert frame_name(inside, 3) == "C.f (reference_impl/m.py:3)"
    assert frame_name(outside, 9) == "Condition.wait (python3.11/threading.py:9)"
