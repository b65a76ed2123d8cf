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

from benchmarks.proc import Usage, children, thread_usage, usage  # noqa: E402

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


class RunFailed(Exception):
    """The sampled command ended with a failure: no timeline of it is worth printing."""

    def __init__(self, argv: list[str], code: int, said: list[str]):
        self.argv, self.code, self.said = argv, code, said
        super().__init__("\n".join([f"{' '.join(argv)} failed (exit code {code})", *said]))


def sample(argv: list[str], env: dict[str, str], every: float) -> tuple[list[dict], list, float]:
    """Run `argv`; CPU seconds per role in each interval, the stage lines with their times, and
    the wall seconds of the whole run. Raises RunFailed if it fails.

    A process that ends between two readings is not lost: the CPU it used since the last one
    shows in the reaped time (cutime + cstime) of the process that waited for it. The writer is
    read once more after it exits, before it is waited for, so that its last interval counts."""
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    stages: list[tuple[float, str]] = []
    said: list[str] = []  # kubeatlas's own lines (a warning, the error of a failed run)

    def watch() -> None:
        for line in process.stderr:
            if line.startswith("kubeatlas:"):
                said.append(line.rstrip("\n"))
                continue
            task = line.strip().split(":", 2)
            name = ":".join(task[:2]).strip() if len(task) > 1 else line.strip()
            name = name.rstrip(" …").strip()
            if not stages or stages[-1][1] != name:
                stages.append((time.monotonic() - started, name))

    reader = threading.Thread(target=watch)
    reader.start()
    # Processes by (pid, start time), as the kernel reuses ids: role and last reading.
    seen: dict[tuple[int, int], tuple[str, Usage]] = {}
    writer_main = 0.0  # the writer's main thread's CPU at the last reading
    samples = []
    while True:
        exited = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        now = time.monotonic() - started
        used = dict.fromkeys(ROLES, 0.0)
        current = {}
        for pid, role in _tree(process.pid).items():
            read = usage(pid)
            if read is not None:  # (else gone meanwhile: its parent's reaped time holds it)
                current[(pid, read.start)] = (role, read)
        gone = {key: value for key, value in seen.items() if key not in current}
        for key, (role, read) in current.items():
            before = seen[key][1] if key in seen else None
            own = read.own - (before.own if before else 0.0)
            if role == "writer":
                # The writer's main thread apart from its others (SQLite making indexes).
                main = next((total for (tid, _), (_, _, total) in thread_usage(key[0]).items()
                             if tid == key[0]), writer_main)
                used["writer"] += max(0.0, main - writer_main)
                used["writer threads"] += max(0.0, own - (main - writer_main))
                writer_main = main
            else:
                used[role] += max(0.0, own)
            reaped = read.reaped - (before.reaped if before else 0.0)
            if reaped > 0:
                ended = _descendants(key[0], gone)
                counted = sum(last.own + last.reaped for _, last in ended)
                used[ended[0][0] if ended else "python children"] += max(0.0, reaped - counted)
        seen = current
        samples.append({"t": round(now, 2), **{k: round(v, 3) for k, v in used.items()}})
        if exited:
            break
        time.sleep(every)
    process.wait()
    reader.join()
    if process.returncode != 0:
        raise RunFailed(argv, process.returncode, said)
    return samples, stages, time.monotonic() - started


def _descendants(pid: int, gone: dict[tuple[int, int], tuple[str, Usage]]) -> list:
    """The (role, last reading) of the ended processes below `pid`, children first: those it
    (or, once ended themselves, they) reaped since the last reading."""
    found, parents = [], [pid]
    while parents:
        parent = parents.pop(0)
        for (child, _), (role, last) in gone.items():
            if last.parent == parent:
                found.append((role, last))
                parents.append(child)
    return found


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
        try:
            samples, stages, wall = sample(
                [*kubeatlas, "index", options.name,
                 *(["--no-goroot"] if options.no_goroot else [])], env, options.every)
        except RunFailed as failed:
            sys.exit(f"index_timeline: {failed}")
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
