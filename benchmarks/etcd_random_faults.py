"""The reference etcd under random crashes and random damage to its data dir (issue 13).

Each case starts a writer process on a fresh data dir: a lone reference member (sometimes with a
small --snapshot-count, so snapshots, WAL cuts and releases happen) driven by three client
threads doing puts, deletes, txns, lease grants and revokes, each printing what it is about to
do and then what was acknowledged (with its revision); a compaction now and then, to a
revision just behind the newest. Then one fault:

  kill      SIGKILL at a random moment, or right before or after the n-th call of one of the
            durability steps (a snapshot's save, a WAL cut or release, an atomic write, a rename;
            the snapshot steps only with a small --snapshot-count, where they run). A writer that
            ends before the kill (the moment past its last write, or the step called fewer than
            n times) was never killed: those cases are tallied apart ("writer finished") and
            are no evidence either way
  disk-full the writer's disk takes a random number of bytes, then refuses (ENOSPC; the write
            that crosses the limit cut short): the member stops, each thread ends at its first
            error, and the restart is on a disk with room, checked as after a kill. A writer
            done before the disk filled is tallied apart ("never filled")
  damage    the writer runs to its end (every write acknowledged, nothing in flight), then one
            file of the data dir (a WAL segment, a snapshot, db.json, member_id, member_id.crc,
            wal-headers; the kind drawn first, then a file of it), or two or three files at
            once ("several", each drawn the same way), each gets a byte flipped, a range zeroed,
            is truncated at a random offset, deleted, or duplicated under a name of its kind

Then the real command (`python -m reference_impl.etcd.run`) restarts on the dir, and the
invariant is checked:

  - it starts, and `etcdctl get --from-key ""` shows every acknowledged write at its revision
    with its value and lease (a thread's one unacknowledged operation may be there or not, and
    the leases granted and not revoked are there), or
  - it refuses with an error line naming the file, exits non-zero, and has changed no file of
    the data dir (hashes of every file before and after, LOCK aside);
  - never a traceback.

A crash cannot lose an acknowledged write. Damage that a crash could also leave (the last WAL
segment cut short or with zeroed sectors, alone or among "several") may lose some, as etcd's
wal.Repair loses them, but only with the repair logged and the segment kept as *.broken, and
only the newest: the keys must be what the acknowledged writes up to the restarted member's
revision made (leases are only checked to be ones granted). Those are counted, not violations.
A writer that hangs past 120 s, or fails (a thread's error too, unless its disk had filled), is a
violation of its case, not the end of the run.

    python benchmarks/etcd_random_faults.py --seed 1 --cases 200 [--jobs 2] [--show 5]

Prints the seed, a table of outcomes by fault kind, violations grouped by cause, and writes
benchmarks/results/etcd_random_faults.json.
"""
from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "etcd_random_faults.json"
ETCDCTL = shutil.which("etcdctl") or "/usr/bin/etcdctl"
THREADS = 3

WRITER = r"""
import errno, os, random, sys, threading, traceback
from reference_impl.etcd import ClusterMember, wal
from reference_impl.etcd.messages import (CompactionRequest, Compare, DeleteRangeRequest,
    LeaseGrantRequest, LeaseRevokeRequest, PutRequest, RequestOp, TxnRequest)
from reference_impl.machinery.clock import WallClock

data_dir, seed, ops, snapshot_count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
hook = sys.argv[5]  # "", or owner.name:when:nth
disk_bytes = int(sys.argv[6])  # 0, or the bytes the disk takes before it is full (ENOSPC)
if hook:
    target, when, nth = hook.split(":")
    nth = int(nth)
    owner_name, name = target.split(".")
    owner = {"os": os, "wal": wal, "WAL": wal.WAL, "Snapshotter": wal.Snapshotter}[owner_name]
    original = getattr(owner, name)
    calls = [0]

    def crashing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth and when == "before":
            os._exit(9)
        result = original(*args, **kwargs)
        if calls[0] == nth and when == "after":
            os._exit(9)
        return result

    setattr(owner, name, crashing)

room = [disk_bytes]


def full_disk_write(fd, data):
    # os.write on a disk with `room` bytes left: a write past it is cut short, the next refused
    if room[0] <= 0:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    n = os.write(fd, bytes(data[:room[0]]))
    room[0] -= n
    return n


server = ClusterMember.alone(data_dir, WallClock(), snapshot_count=snapshot_count,
                             write=full_disk_write if disk_bytes else os.write)
out = threading.Lock()

def say(line):
    with out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

failed = []

def client(t):
    try:
        run_client(t)
    except Exception as err:
        if not (disk_bytes and room[0] <= 0):  # not the case's fault: the case cannot be judged
            traceback.print_exc()
            failed.append(t)
        # the disk full: the member stopped, what was in flight unknown
        say(f"err {t} {type(err).__name__}")


def run_client(t):
    rng = random.Random(seed * 31 + t)
    keys = [f"t{t}/k{i}" for i in range(6)]
    leases = []
    for n in range(ops):
        value = f"t{t}-op{n}"
        kind = rng.choices(["put", "del", "txn", "grant", "lput", "revoke", "compact"], [6, 2, 2, 1, 2, 1, 1])[0]
        if kind == "lput" and not leases:
            kind = "grant"
        if kind == "revoke" and not leases:
            kind = "put"
        key = rng.choice(keys)
        if kind == "put":
            say(f"try {t} put {key} {value} 0")
            rev = server.put(PutRequest(key.encode(), value.encode())).header.revision
            say(f"ack {t} {rev}")
        elif kind == "lput":
            lease = rng.choice(leases)
            say(f"try {t} put {key} {value} {lease}")
            rev = server.put(PutRequest(key.encode(), value.encode(), lease=lease)).header.revision
            say(f"ack {t} {rev}")
        elif kind == "del":
            say(f"try {t} del {key}")
            rev = server.delete_range(DeleteRangeRequest(key.encode())).header.revision
            say(f"ack {t} {rev}")
        elif kind == "txn":
            other = rng.choice(keys)
            version = rng.randint(0, 2)
            say(f"try {t} txn {key} {version} {other} {value}")
            resp = server.txn(TxnRequest(
                compare=(Compare("EQUAL", "VERSION", key.encode(), value=version),),
                success=(RequestOp(PutRequest(other.encode(), value.encode())),),
                failure=(RequestOp(DeleteRangeRequest(other.encode())),)))
            say(f"ack {t} {resp.header.revision} {int(resp.succeeded)}")
        elif kind == "grant":
            say(f"try {t} grant")
            lease = server.lease_grant(LeaseGrantRequest(3600)).id
            leases.append(lease)
            say(f"ack {t} 0 {lease}")
        elif kind == "compact":
            # to a revision just behind the member's newest (any thread's writes); another
            # compaction already past it refuses it (ErrCompacted)
            at = max(1, server.header().revision - rng.randint(0, 5))
            say(f"try {t} compact {at}")
            try:
                rev = server.compact(CompactionRequest(at)).header.revision
            except Exception as err:
                if type(err).__name__ != "ErrCompacted":
                    raise
                rev = 0
            say(f"ack {t} {rev}")
        else:
            lease = leases.pop(rng.randrange(len(leases)))
            say(f"try {t} revoke {lease}")
            rev = server.lease_revoke(LeaseRevokeRequest(lease)).header.revision
            say(f"ack {t} {rev}")

threads = [threading.Thread(target=client, args=(t,)) for t in range(3)]
for th in threads:
    th.start()
for th in threads:
    th.join()
say("done")
sys.exit(3 if failed else 0)
"""

# Durability steps a kill can land on; with a small --snapshot-count each is called many times.
HOOKS = ["Snapshotter.save", "WAL.cut", "WAL.release", "wal.write_atomically", "wal._write_synced",
         "os.replace", "os.unlink", "WAL.open", "wal.fsync_dir"]
# The steps only a snapshot takes: with --snapshot-count 10000 no writer gets there.
SNAPSHOT_HOOKS = {"Snapshotter.save", "WAL.cut", "WAL.release"}
WRITER_TIMEOUT = 120.0
DAMAGES = ["flip", "zero", "truncate", "delete", "duplicate"]


# -- the model of what was acknowledged --------------------------------------------------------

def apply_op(state: dict, leases: set, op: list[str], rev: int | None, extra: list[str]) -> None:
    """Apply one client operation to `state` (key -> (mod_revision, value, lease)); `rev` None
    for an operation whose revision is unknown (one in flight at the kill)."""
    kind = op[0]
    if kind == "put":
        state[op[1]] = (rev, op[2], int(op[3]))
    elif kind == "del":
        state.pop(op[1], None)
    elif kind == "txn":
        key, version, other, value = op[1], int(op[2]), op[3], op[4]
        succeeded = bool(int(extra[0])) if extra else None
        if succeeded is None:
            # the outcome of an unacknowledged txn follows from the state it met
            succeeded = (version == 0) if key not in state else None
        if succeeded is None:
            raise _Unknown()
        if succeeded:
            state[other] = (rev, value, 0)
        else:
            state.pop(other, None)
    elif kind == "grant":
        if extra:
            leases.add(int(extra[0]))
    elif kind == "revoke":
        lease = int(op[1])
        leases.discard(lease)
        for key in [k for k, (_, _, lid) in state.items() if lid == lease]:
            del state[key]


class _Unknown(Exception):
    """An unacknowledged operation whose effect the model cannot tell."""


def expected_from(lines: list[str], upto: int | None = None) -> tuple[dict, int]:
    """Per thread: (state acknowledged, leases acknowledged, the op in flight or None), and the
    highest revision acknowledged. With `upto`, only the writes up to that revision: a thread's
    revisions grow, so its first write past `upto` and all after it are left out."""
    threads = {t: {"state": {}, "leases": set(), "pending": None, "last": 0, "cut": False}
               for t in range(THREADS)}
    top = 0
    for line in lines:
        words = line.split()
        if not words or words[0] not in ("try", "ack"):
            continue
        th = threads[int(words[1])]
        if th["cut"]:
            continue
        if words[0] == "try":
            th["pending"] = words[2:]
        else:
            rev = int(words[2])
            if upto is not None and rev > upto:
                th["cut"], th["pending"] = True, None
                continue
            apply_op(th["state"], th["leases"], th["pending"], rev, words[3:])
            top = max(top, rev)
            th["last"] = max(th["last"], rev)
            th["pending"] = None
    return threads, top


def check_lost_tail(lines: list[str], kvs: dict, revision: int, leases: set) -> list[str]:
    """After a logged repair: whether what was lost is only the newest acknowledged writes, those
    past the restarted member's `revision` (the keys as the writes up to it left them), and its
    leases all ones granted."""
    threads, _ = expected_from(lines, upto=revision)
    problems = check_state(threads, 0, kvs, revision, leases, exact_leases=False)
    granted, asked = set(), {}
    for words in map(str.split, lines):
        if len(words) >= 3 and words[0] == "try":
            asked[words[1]] = words[2]
        elif len(words) == 4 and words[0] == "ack" and asked.get(words[1]) == "grant":
            granted.add(int(words[3]))
    pending_grant = any(th["pending"] == ["grant"] for th in threads.values())
    if not pending_grant and leases - granted:
        problems.append(f"leases never granted: {sorted(leases - granted)[:3]}")
    return problems


def check_state(threads: dict, top: int, kvs: dict, revision: int, leases: set,
                exact_leases: bool = True) -> list[str]:
    """What the restarted member's keys and leases lack of the acknowledged ones; without
    `exact_leases`, only the keys (a lost tail may take a grant or a revoke that has no revision)."""
    problems = []
    if revision < top:
        problems.append(f"revision {revision} < acknowledged {top}")
    for t, th in threads.items():
        mine = {k: v for k, v in kvs.items() if k.startswith(f"t{t}/")}
        live_leases = {lid for lid in leases if lid in th["leases"]}
        if _matches(mine, th["state"]) and (live_leases == th["leases"] or not exact_leases):
            continue
        if th["pending"] is not None:
            after_state, after_leases = dict(th["state"]), set(th["leases"])
            try:
                apply_op(after_state, after_leases, th["pending"], None, [])
                # its revision is past the thread's last acknowledged one, not past the others'
                if _matches(mine, after_state, unknown_rev_above=th["last"]) and (
                        live_leases <= after_leases | th["leases"] or not exact_leases):
                    continue
            except _Unknown:
                continue  # a txn in flight on a key whose version the model does not know
        missing = sorted(k for k in th["state"] if k not in mine)
        wrong = sorted(k for k in th["state"] if k in mine and mine[k] != th["state"][k])
        extra = sorted(k for k in mine if k not in th["state"])
        lost_leases = sorted(th["leases"] - live_leases)
        problems.append(f"thread {t}: missing {missing[:3]} wrong {[(k, mine[k], th['state'][k]) for k in wrong[:2]]}"
                        f" unacknowledged {extra[:3]} leases lost {lost_leases[:2]} (in flight: {th['pending']})")
    return problems


def _matches(stored: dict, expected: dict, unknown_rev_above: int | None = None) -> bool:
    if stored.keys() != expected.keys():
        return False
    for key, (rev, value, lease) in expected.items():
        s_rev, s_value, s_lease = stored[key]
        if (s_value, s_lease) != (value, lease):
            return False
        if rev is None:
            if s_rev <= (unknown_rev_above or 0):
                return False
        elif s_rev != rev:
            return False
    return True


# -- processes ---------------------------------------------------------------------------------

def env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def run_writer(data_dir: Path, seed: int, ops: int, snapshot_count: int, hook: str,
               kill_after: float | None, disk_bytes: int = 0) -> tuple[list[str], str]:
    """The writer's output lines and how it ended: "finished" (all its writes done), "killed"
    (by the kill-time timer or the hook's exit 9), "hung" (killed past WRITER_TIMEOUT), or
    "failed (CODE): STDERR"."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(seed), str(ops),
                             str(snapshot_count), hook, str(disk_bytes)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=REPO, env=env())
    hung = False
    try:
        proc.wait(timeout=kill_after if kill_after is not None else WRITER_TIMEOUT)
    except subprocess.TimeoutExpired:
        hung = kill_after is None
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
    # a line cut off by the kill has no newline and is not counted
    lines = out.decode().split("\n")[:-1]
    if hung:
        return lines, "hung"
    if proc.returncode in (9, -9):
        return lines, "killed"
    if proc.returncode == 0:
        return lines, "finished"
    return lines, f"failed ({proc.returncode}): {err.decode().strip()[-300:]}"


def dir_hashes(data_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data_dir.iterdir()) if p.is_file() and p.name != "LOCK"}


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def restart(data_dir: Path) -> dict:
    """Start the real command on `data_dir`; its outcome and, if it served, its keys and leases.
    A port taken by another process between its choice and the bind is tried again."""
    for _ in range(5):
        outcome = _restart(data_dir)
        if outcome["started"] or "the port is already in use" not in outcome["stderr"]:
            return outcome
    return outcome


def _restart(data_dir: Path) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "reference_impl.etcd.run", "--data-dir", str(data_dir),
                             "--listen-client-urls", url, "--advertise-client-urls", url,
                             # not etcd's default localhost:2380, which another run may hold
                             "--listen-peer-urls", "http://127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=env())
    import select
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline().decode() if ready else ""
    if not line:
        proc.kill() if proc.poll() is None else None
        _, err = proc.communicate(timeout=30)
        return {"started": False, "code": proc.returncode, "stderr": err.decode()}
    try:
        got = subprocess.run([ETCDCTL, "--endpoints", url, "get", "", "--from-key", "-w", "json"],
                             capture_output=True, timeout=30)
        leases = subprocess.run([ETCDCTL, "--endpoints", url, "lease", "list", "-w", "json"],
                                capture_output=True, timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    if got.returncode or leases.returncode:
        return {"started": True, "stderr": err.decode(), "client_error": (got.stderr + leases.stderr).decode()}
    body = json.loads(got.stdout)
    kvs = {}
    for kv in body.get("kvs", []):
        key = base64.b64decode(kv["key"]).decode()
        kvs[key] = (kv["mod_revision"], base64.b64decode(kv.get("value", "")).decode(), kv.get("lease", 0))
    lease_ids = {int(item["id"]) for item in json.loads(leases.stdout).get("leases", [])}
    return {"started": True, "stderr": err.decode(), "kvs": kvs, "revision": body["header"]["revision"],
            "leases": lease_ids}


# -- faults ------------------------------------------------------------------------------------

def damage(data_dir: Path, rng: random.Random) -> tuple[str, str, bool]:
    """Damage one file at random, or two or three ("several"); (kind, what was done, whether a
    crash could leave the same: the last WAL segment cut short or with zeros). The file is
    chosen by its kind first, so that the few files of a kind (member_id.crc, db.json, the
    last segment) are drawn as often as the many snapshots and segments."""
    files = sorted(p for p in data_dir.iterdir()
                   if p.is_file() and p.name != "LOCK" and not p.name.endswith(".broken"))
    segments = sorted(p for p in files if p.name.startswith("wal-0"))
    by_kind: dict[str, list[Path]] = collections.defaultdict(list)
    for p in files:
        by_kind[_file_kind(p.name, bool(segments) and p == segments[-1])].append(p)
    picked: list[Path] = []
    wanted = rng.randint(2, min(3, len(files))) if rng.random() < 0.25 and len(files) > 1 else 1
    while len(picked) < wanted:
        left = {kind: [p for p in paths if p not in picked] for kind, paths in by_kind.items()}
        picked.append(rng.choice(left[rng.choice(sorted(kind for kind, paths in left.items() if paths))]))
    done = [damage_file(data_dir, p, rng, bool(segments) and p == segments[-1]) for p in picked]
    if len(done) == 1:
        return done[0]
    # Only one of them can be the last segment: a crash could leave its damage, and a repair
    # that lost only the newest writes is checked as for one file (check_lost_tail).
    return (f"several ({', '.join(sorted(kind for kind, _, _ in done))})",
            "; ".join(what for _, what, _ in done), any(like for _, _, like in done))


def damage_file(data_dir: Path, path: Path, rng: random.Random, last_segment: bool) -> tuple[str, str, bool]:
    kind = rng.choice(DAMAGES)
    data = bytearray(path.read_bytes())
    crash_like = False
    if kind == "flip" and data:
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        what = f"{path.name}: bit flipped at {at} of {len(data)}"
    elif kind == "zero" and data:
        at = rng.randrange(len(data))
        n = rng.choice([1, 4, 12, 100, 512, 4096])
        data[at:at + n] = bytes(len(data[at:at + n]))
        path.write_bytes(bytes(data))
        what = f"{path.name}: {n} bytes zeroed at {at} of {len(data)}"
        crash_like = last_segment
    elif kind == "truncate":
        at = rng.randrange(len(data) + 1)
        path.write_bytes(bytes(data[:at]))
        what = f"{path.name}: truncated at {at} of {len(data)}"
        crash_like = last_segment
    elif kind == "delete":
        path.unlink()
        what = f"{path.name}: deleted"
    else:
        kind = "duplicate"
        name = path.name
        if name.startswith(("wal-0", "snap-")):
            prefix, number = name.split("-")[0], int(name.split("-")[1].split(".")[0])
            suffix = ".log" if prefix == "wal" else ".json"
            new = data_dir / f"{prefix}-{number + rng.choice([1, 2, 1000]):020d}{suffix}"
        else:
            new = path.with_name(path.name + ".copy")
        shutil.copyfile(path, new)
        what = f"{path.name}: copied to {new.name}"
    return f"{kind} {_file_kind(path.name, last_segment)}", what, crash_like


def _file_kind(name: str, last_segment: bool) -> str:
    if name.startswith("wal-0"):
        return "last wal" if last_segment else "wal"
    if name.startswith("snap-"):
        return "snap"
    return name


def run_case(seed: int, case: int, root: Path) -> dict:
    rng = random.Random(f"{seed}/{case}")
    data_dir = root / f"case{case}"
    snapshot_count = rng.choice([5, 10, 25, 10000])
    ops = rng.randint(5, 80)
    fault = rng.choice(["kill-time", "kill-step", "damage", "damage", "disk-full"])
    hook, kill_after, detail, crash_like, disk_bytes = "", None, "", True, 0
    if fault == "kill-time":
        kill_after = rng.uniform(0.5, 4.0)
        detail = f"SIGKILL after {kill_after:.2f}s"
    elif fault == "kill-step":
        reachable = [h for h in HOOKS if snapshot_count < 10000 or h not in SNAPSHOT_HOOKS]
        hook = f"{rng.choice(reachable)}:{rng.choice(['before', 'after'])}:{rng.randint(1, 8)}"
        detail = f"killed at {hook}"
    elif fault == "disk-full":
        # a fresh member writes some 540 bytes before it is ready, a write some 300: from 2,000
        # bytes on, the first few writes at least land before the disk fills
        disk_bytes = rng.randint(2_000, 2_000 + 300 * ops)
        detail = f"disk full after {disk_bytes} bytes"
    data_dir.mkdir(0o700)
    lines, ended = run_writer(data_dir, seed * 1000 + case, ops, snapshot_count, hook, kill_after,
                              disk_bytes)
    kind = fault
    writer_problems = []
    if ended == "hung":
        writer_problems.append(f"writer hung: killed after {WRITER_TIMEOUT:g}s")
    elif ended.startswith("failed"):
        writer_problems.append(f"writer {ended}")
    elif fault != "disk-full" and any(line.startswith("err") for line in lines):
        # a thread that failed before a kill landed: the exit code of a killed writer shows none
        writer_problems.append("writer thread failed: " + next(line for line in lines if line.startswith("err")))
    elif fault == "disk-full" and not any(line.startswith("err") for line in lines):
        kind = "disk-full, never filled"
        detail += " (not reached)"
    elif fault.startswith("kill") and ended == "finished":
        kind = f"{fault}, writer finished"  # the kill never landed: the hook was not reached in time
        detail += " (not reached)"
    if fault == "damage" and writer_problems:
        kind = "damage, writer did not finish"  # checked as a crash: its kill is the only fault
    elif fault == "damage":
        kind, detail, crash_like = damage(data_dir, rng)
    before = dir_hashes(data_dir)
    outcome = restart(data_dir)
    threads, top = expected_from(lines)
    acked = sum(1 for line in lines if line.startswith("ack"))
    result = {"case": case, "fault": kind, "detail": detail, "snapshot_count": snapshot_count,
              "acknowledged": acked, "violations": [], "outcome": ""}
    stderr = outcome["stderr"]
    v = result["violations"]
    v.extend(writer_problems)
    if "Traceback" in stderr:
        v.append("traceback: " + stderr.strip().splitlines()[-1][:200])
    if not outcome["started"]:
        result["outcome"] = "refused"
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        result["error"] = last
        if outcome["code"] == 0:
            v.append("refused with exit code 0")
        if str(data_dir) not in last:
            v.append(f"refusal names no file: {last[:200]}")
        after = dir_hashes(data_dir)
        if after != before:
            changed = sorted(set(before) ^ set(after) | {n for n in before if n in after and before[n] != after[n]})
            v.append(f"refused but changed files: {changed}")
        if fault.startswith("kill") or fault == "disk-full":
            v.append(f"refused after a crash: {last[:200]}")
    elif "client_error" in outcome:
        result["outcome"] = "no answer"
        v.append(f"started but etcdctl failed: {outcome['client_error'][:200]}")
    else:
        problems = check_state(threads, top, outcome["kvs"], outcome["revision"], outcome["leases"])
        repaired = "repaired WAL error" in stderr
        if problems and crash_like and fault == "damage" and repaired:
            lost_elsewhere = check_lost_tail(lines, outcome["kvs"], outcome["revision"], outcome["leases"])
            if lost_elsewhere:
                result["outcome"] = "started, repaired, older writes lost"
                v.extend(f"lost writes older than the repaired tail: {p}" for p in lost_elsewhere[:2])
            else:
                result["outcome"] = "started, torn tail repaired (newest lost, logged)"
        elif problems:
            result["outcome"] = "started, writes lost"
            v.extend(f"lost acknowledged writes: {p}" for p in problems[:2])
        else:
            result["outcome"] = "started, all acknowledged"
    if not v:
        shutil.rmtree(data_dir, ignore_errors=True)
    else:
        result["data_dir"] = str(data_dir)
    return result


def cause(violation: str) -> str:
    """A violation's group: its kind and the words before any offset or path."""
    head = violation.split(":")[0]
    if head == "traceback":
        return "traceback: " + violation.split(":", 1)[1].strip().split(":")[0][:80]
    return head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", type=int, default=3, help="examples shown per violation group")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs of violations")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    print(f"seed {seed}", flush=True)
    root = Path(tempfile.mkdtemp(prefix="etcd-faults-"))
    start = time.time()
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda case: run_case(seed, case, root), range(args.cases)))
    table = collections.Counter((r["fault"], r["outcome"]) for r in results)
    print(f"{'fault':<28} {'outcome':<52} cases")
    for (fault, outcome), n in sorted(table.items()):
        print(f"{fault:<28} {outcome:<52} {n}")
    groups: dict[str, list] = collections.defaultdict(list)
    for r in results:
        for violation in r["violations"]:
            groups[cause(violation)].append((r, violation))
    bad = sum(1 for r in results if r["violations"])
    print(f"\n{len(results)} cases in {time.time() - start:.0f}s, {bad} with violations, seed {seed}")
    for group, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"\n[{len(items)}] {group}")
        for r, violation in items[:args.show]:
            print(f"  case {r['case']} ({r['fault']}: {r['detail']}): {violation[:300]}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"seed": seed, "cases": results}, indent=1) + "\n")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"data dirs of violations kept under {root}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
