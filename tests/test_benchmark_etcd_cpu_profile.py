"""How benchmarks/etcd_cpu_profile.py takes its arguments and ends when a writer fails."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import etcd_cpu_profile  # noqa: E402


@pytest.mark.parametrize("flag, value", [("--writers", "0"), ("--writers", "-2"), ("--pods", "0")])
def test_a_count_below_one_is_a_usage_error(flag, value, capsys, monkeypatch):
    """--writers 0 divided by zero and a negative count failed at the writers' barrier: both are
    refused as arguments, exit 2, before any etcd starts."""
    def run(args):
        raise AssertionError(f"the benchmark ran with {flag} {value}")
    monkeypatch.setattr(etcd_cpu_profile, "run", run)
    with pytest.raises(SystemExit) as ended:
        etcd_cpu_profile.main([flag, value])
    assert ended.value.code == 2
    assert f"argument {flag}: {value} is not a positive whole number" in capsys.readouterr().err


FAILING_WRITER = """
import sys, threading
sys.path.insert(0, "benchmarks")
import etcd_cpu_profile
value = etcd_cpu_profile._value
def failing(size, i):
    if threading.current_thread().name == "writer-1":
        raise OSError("disk gone")
    return value(size, i)
etcd_cpu_profile._value = failing
sys.exit(etcd_cpu_profile.main(sys.argv[1:]))
"""


def test_a_writer_thread_that_raises_ends_the_run_with_no_figures(tmp_path):
    """A writer thread that raised used to die alone while the figures, counting Txns it never
    made, were printed and written: now the run names the failure, writes nothing, exits 1."""
    out = tmp_path / "profile.json"
    done = subprocess.run([sys.executable, "-c", FAILING_WRITER, "--pods", "4", "--warm-up", "0",
                           "--writers", "2", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "writer-1: OSError: disk gone" in done.stderr
    assert not out.exists()
