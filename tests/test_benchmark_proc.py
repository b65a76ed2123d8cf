"""What benchmarks/proc.py reads of a process from /proc (no processes started)."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import proc  # noqa: E402
from proc import (SwitchTally, ThreadTally, context_switches, cpu_seconds, thread_group,  # noqa: E402
                  user_system_seconds)


def test_user_and_system_time_add_up_to_the_cpu_time():
    """cpu_seconds is user plus system time, read from the same /proc/<pid>/stat fields."""
    sum(range(200_000))  # some user time of our own
    user, system = user_system_seconds(os.getpid())
    total = cpu_seconds(os.getpid())
    assert user > 0 and system >= 0
    assert user + system <= total <= user + system + 0.05  # a few ticks may pass between the reads


@contextlib.contextmanager
def a_thread_that_slept_20_times(before=lambda: None):
    """A thread that has blocked and woken 20 times, and waits to be let go at the block's end;
    the block gets its native id. `before` runs once the thread exists, before it sleeps."""
    started, slept, finish = threading.Event(), threading.Event(), threading.Event()

    def sleeper() -> None:
        started.wait()
        for _ in range(20):
            finish.wait(0.001)
        slept.set()
        finish.wait()
    thread = threading.Thread(target=sleeper, name="sleeper-7")
    thread.start()
    before()
    started.set()
    try:
        slept.wait()
        yield thread.native_id
    finally:
        finish.set()
        thread.join()


def test_context_switches_count_every_thread():
    """A thread that blocks and wakes again adds its switches to the process's count while it lives."""
    before = context_switches(os.getpid())
    with a_thread_that_slept_20_times():
        assert context_switches(os.getpid()) >= before + 20


def test_a_tally_keeps_the_switches_of_threads_that_ended():
    """Read while a thread lives and again once it has ended, the tally still counts its switches."""
    tally = SwitchTally(os.getpid())
    before = tally.read()
    with a_thread_that_slept_20_times():
        tally.read()
    assert tally.read() >= before + 20


def test_a_process_that_is_gone_reads_as_zero():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert user_system_seconds(child.pid) == (0.0, 0.0)
    assert cpu_seconds(child.pid) == 0.0
    assert context_switches(child.pid) == 0


def test_a_thread_tally_keeps_ended_threads_under_their_python_names():
    """A thread's switches stay in the tally after it ends, grouped under its Python name once known."""
    tally = ThreadTally(os.getpid())
    with a_thread_that_slept_20_times(before=tally.read) as native_id:
        tally.read()
        tally.names[native_id] = "sleeper-7"
    tally.read()
    threads, switches, cpu = tally.by_group()["sleeper-*"]
    assert threads == 1 and switches >= 20 and cpu >= 0


def test_thread_groups_drop_numbering():
    """A pool's workers and a server's per-connection threads add up under one name."""
    assert thread_group("etcd-grpc_65") == "etcd-grpc_*"
    assert thread_group("Thread-59 (process_request_thread)") == "process_request_thread"
    assert thread_group("cacher /registry/pods/") == "cacher /registry/pods/"
    assert thread_group("event_engine") == "event_engine"


def _fake_thread(root: Path, tid: int, start: int, switches: int, ticks: int) -> None:
    """/proc/1/task/<tid> as the kernel writes it: name, switch counts, and stat's utime (14),
    stime (15) and starttime (22)."""
    task = root / "proc/1/task" / str(tid)
    task.mkdir(parents=True, exist_ok=True)
    (task / "comm").write_text("worker\n")
    (task / "status").write_text(f"voluntary_ctxt_switches:\t{switches}\nnonvoluntary_ctxt_switches:\t0\n")
    fields = ["S"] + ["0"] * 10 + [str(ticks), "0"] + ["0"] * 6 + [str(start)]
    (task / "stat").write_text(f"{tid} (worker) " + " ".join(fields) + "\n")


def test_a_thread_id_the_kernel_gives_again_is_another_thread(tmp_path, monkeypatch):
    """A thread that ends and one that starts later under the same id (the kernel reuses them)
    are two: the tallies kept the new one's counts in place of the old one's, losing those
    switches (SwitchTally) or counting the new thread from the old one's numbers, below zero
    (ThreadTally)."""
    monkeypatch.setattr(proc, "Path", lambda path: tmp_path / str(path).lstrip("/"))
    monkeypatch.setattr(proc, "PROC", str(tmp_path / "proc"))
    tick = os.sysconf("SC_CLK_TCK")
    tally, switches = ThreadTally(1), SwitchTally(1)
    for start, count, ticks in ((100, 40, tick), (100, 50, 2 * tick), (900, 5, tick)):
        _fake_thread(tmp_path, 7, start, count, ticks)
        tally.read()
        total = switches.read()
    assert tally.by_group()["worker"] == (2, 15, 2.0)
    assert total == 55
