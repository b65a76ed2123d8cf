"""Where the cores sit idle during a cold `kubeatlas index`: CPU of every process, sampled.

Fetches one commit into an empty home, runs `kubeatlas index` on it and reads, every --every
seconds, the CPU of each process of its tree from /proc: the writer (the command's own process),
its Python children (the parser pool while parsing, the resolver's share and implementation
processes while resolving) and the `git cat-file` processes that read blobs. The progress lines
on stderr mark the stages. Prints each stage with its wall seconds and the cores its processes
kept busy, role by role, and writes the samples to benchmarks/results/index_timeline.json.

    python benchmarks/index_timeline.py /path/to/k8s.git@e5f3f020 --no-goroot
    python benchmarks/index_timeline.py ... --analyzer /tmp/before   # another copy of the code
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.proc import children, cpu_seconds, thread_usage  # noqa: E402

RESULTS = Path(__file__).parent / "results"
ROLES = ("writer", "writer threads", "python children", "git")


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _tree(root: int) -> dict[int, str]:
    """Each live process below `root` (and root) → its role."""
    roles, stack = {root: "writer"}, [root]
    while stack:
        for child in children(stack.pop()):
            roles[child] = "git" if _comm(child).startswith("git") else "python children"
            stack.append(child)
    return roles


def sample(argv: list[str], env: dict[str, str], every: float) -> tuple[list[dict], list, float]:
    """Run `argv`; CPU seconds per role in each interval, the stage lines with their times, and
    the wall seconds of the whole run."""
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    stages: list[tuple[float, str]] = []

    def watch() -> None:
        for line in process.stderr:
            task = line.strip().split(":", 2)
            name = ":".join(task[:2]).strip() if len(task) > 1 else line.strip()
            name = name.rstrip(" …").strip()
            if not stages or stages[-1][1] != name:
                stages.append((time.monotonic() - started, name))

    reader = threading.Thread(target=watch)
    reader.start()
    last: dict[int, float] = {}
    samples = []
    while process.poll() is None:
        now = time.monotonic() - started
        used = dict.fromkeys(ROLES, 0.0)
        for pid, role in _tree(process.pid).items():
            if role == "writer":
                # The writer's main thread apart from its others (SQLite making indexes).
                for (tid, _), (_, _, total) in thread_usage(pid).items():
                    key = "writer" if tid == pid else "writer threads"
                    used[key] += max(0.0, total - last.get(tid, 0.0))
                    last[tid] = total
                continue
            total = cpu_seconds(pid)
            used[role] += max(0.0, total - last.get(pid, 0.0))
            last[pid] = total
        samples.append({"t": round(now, 2), **{k: round(v, 3) for k, v in used.items()}})
        time.sleep(every)
    reader.join()
    return samples, stages, time.monotonic() - started


def summarise(samples: list[dict], stages: list, wall: float) -> list[tuple]:
    """Per stage: (name, start, seconds, CPU per role, cores busy)."""
    bounds = [*stages, (wall, "end")]
    rows = []
    for (start, name), (end, _) in zip(bounds, bounds[1:]):
        inside = [s for s in samples if start < s["t"] <= end]
        cpu = {role: sum(s[role] for s in inside) for role in ROLES}
        seconds = end - start
        rows.append((name, start, seconds, cpu, sum(cpu.values()) / seconds if seconds else 0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", help="PATH@REF of the repository to index")
    parser.add_argument("--name", default="kubernetes")
    parser.add_argument("--no-goroot", action="store_true")
    parser.add_argument("--every", type=float, default=0.2, help="seconds between samples")
    parser.add_argument("--home", help="keep the index in this (new) home rather than a scratch one")
    parser.add_argument("--analyzer", default=str(Path(__file__).resolve().parents[1]),
                        help="the folder holding the analyzer package to run")
    options = parser.parse_args()
    path, _, ref = options.tree.rpartition("@")
    with tempfile.TemporaryDirectory() as scratch:
        home = options.home or scratch
        env = {**os.environ, "KUBEATLAS_HOME": home, "PYTHONPATH": options.analyzer}
        kubeatlas = [sys.executable, "-m", "analyzer.cli"]
        subprocess.run([*kubeatlas, "fetch", options.name, "--from", path, "--ref", ref, "-q"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        samples, stages, wall = sample(
            [*kubeatlas, "index", options.name, *(["--no-goroot"] if options.no_goroot else [])],
            env, options.every)
    rows = summarise(samples, stages, wall)
    print(f"{'stage':<50} {'start':>6} {'secs':>6} {'writer':>7} {'threads':>7} {'children':>8} "
          f"{'git':>5} {'cores':>5}")
    total = {role: sum(s[role] for s in samples) for role in ROLES}
    for name, start, seconds, cpu, cores in [*rows, ("whole run", 0.0, wall, total,
                                                     sum(total.values()) / wall)]:
        print(f"{name.removeprefix(options.name + ': ')[:50]:<50} {start:6.1f} {seconds:6.1f} "
              f"{cpu['writer']:7.1f} {cpu['writer threads']:7.1f} {cpu['python children']:8.1f} "
              f"{cpu['git']:5.1f} {cores:5.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "index_timeline.json").write_text(json.dumps(
        {"wall": wall, "stages": stages, "samples": samples}, indent=1) + "\n")


if __name__ == "__main__":
    main()
