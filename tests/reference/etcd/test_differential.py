"""The same etcdctl script against real etcd 3.4 and against the reference: the transcripts must be
equal once the things that legitimately differ are normalised — cluster and member IDs, lease
IDs (both derived from the member ID and the clock), raft term and index, database size, server
version, timings, and each server's own address.

A mismatch is shown as a unified diff of the two transcripts, real etcd's first.
"""
from __future__ import annotations

import difflib
import json
import re
import time

import pytest

from processes import etcdctl, etcdctl_stream, real_etcd, reference_server, require

TXN_SUCCESS = ('value("foo") = "baz"\nversion("foo") = "2"\ncreate("foo") < "100"\n\n'
               'put foo qux\nget foo\ndel foo2\nget nope\n\n'
               'put foo never\n\n')
TXN_FAILURE = ('mod("foo") < "2"\n\n'
               'put foo never\n\n'
               'get --prefix fo\nput zed 1\n\n')
TXN_MISSING_KEY = 'version("ghost") = "0"\n\nput ghost boo\n\nget ghost\n\n'

# (kind, args, stdin): kind "run" is one etcdctl call, "watch" a watch read until it goes idle.
# {L1}, {L2} stand for the IDs of the first and second leases granted by the script.
SCRIPT: list[tuple[str, tuple[str, ...], str | None]] = [
    ("run", ("get", "foo", "-w", "json"), None),
    ("run", ("put", "foo", "bar"), None),
    ("run", ("put", "foo", "baz", "--prev-kv", "-w", "json"), None),
    ("run", ("put", "foo2", "x"), None),
    ("run", ("put", "fop", "y"), None),
    ("run", ("get", "foo", "-w", "json"), None),
    ("run", ("get", "foo", "--rev=2", "-w", "json"), None),
    ("run", ("get", "--prefix", "foo", "-w", "json"), None),
    ("run", ("get", "--prefix", "fo", "--limit", "2", "-w", "json"), None),
    ("run", ("get", "--from-key", "", "--sort-by=MODIFY", "--order=DESCEND"), None),
    ("run", ("get", "--prefix", "fo", "--sort-by=VERSION", "--order=DESCEND", "--keys-only"), None),
    ("run", ("get", "--prefix", "fo", "--sort-by=VALUE", "-w", "json"), None),
    ("run", ("get", "--prefix", "fo", "--sort-by=CREATE", "--order=ASCEND", "--limit=2"), None),
    ("run", ("get", "foo", "fop", "--keys-only", "-w", "json"), None),
    ("run", ("get", "foo", "-w", "fields"), None),
    ("run", ("get", "missing", "-w", "json"), None),
    ("run", ("get", "foo", "--rev=100"), None),
    ("run", ("put", "", "x"), None),
    ("run", ("del", "foo2", "--prev-kv", "-w", "json"), None),
    ("run", ("del", "missing"), None),
    ("run", ("put", "a/1", "1"), None),
    ("run", ("put", "a/2", "2"), None),
    ("run", ("put", "a/3", "3"), None),
    ("run", ("del", "--prefix", "a/", "--prev-kv"), None),
    ("run", ("txn", "-i", "-w", "json"), TXN_SUCCESS),
    ("run", ("txn", "-i", "-w", "json"), TXN_FAILURE),
    ("run", ("txn", "-i"), TXN_MISSING_KEY),
    ("run", ("txn", "-i"), TXN_MISSING_KEY),
    ("run", ("lease", "grant", "60"), None),
    ("run", ("put", "--lease={L1}", "leased", "v"), None),
    ("run", ("get", "leased", "-w", "json"), None),
    ("run", ("lease", "timetolive", "{L1}", "--keys"), None),
    ("run", ("lease", "timetolive", "{L1}", "--keys", "-w", "json"), None),
    ("run", ("lease", "keep-alive", "--once", "{L1}"), None),
    ("run", ("lease", "list"), None),
    ("run", ("lease", "revoke", "{L1}"), None),
    ("run", ("get", "leased", "-w", "json"), None),
    ("run", ("lease", "revoke", "{L1}"), None),
    ("run", ("lease", "grant", "1"), None),
    ("run", ("lease", "timetolive", "1234"), None),
    ("run", ("lease", "keep-alive", "--once", "1234"), None),
    ("run", ("put", "--lease=1234", "k", "v"), None),
    ("watch", ("watch", "--rev=2", "foo"), None),
    ("watch", ("watch", "--rev=1", "--prefix", "", "--prev-kv"), None),
    ("watch", ("watch", "--rev=3", "a/", "a0", "--prev-kv"), None),
    ("run", ("compaction", "6"), None),
    ("run", ("get", "foo", "--rev=5"), None),
    ("run", ("get", "foo", "--rev=6", "-w", "json"), None),
    ("run", ("compaction", "5"), None),
    ("run", ("put", "ck", "a"), None),  # revisions 16, 17, 18
    ("run", ("put", "ck", "b"), None),
    ("run", ("put", "ck", "c"), None),
    ("run", ("compaction", "17"), None),  # keeps what was current at 17: ck=b
    ("run", ("get", "ck", "--rev=17", "-w", "json"), None),
    ("run", ("get", "ck", "--rev=16"), None),
    ("run", ("compaction", "1000"), None),
    ("watch", ("watch", "--rev=2", "foo"), None),
    ("run", ("endpoint", "health"), None),
    ("run", ("endpoint", "status"), None),
    ("run", ("endpoint", "status", "-w", "json"), None),
    ("run", ("member", "list"), None),
    ("run", ("member", "list", "-w", "json"), None),
    ("run", ("alarm", "list"), None),
]

GRANTED = re.compile(r"lease ([0-9a-f]{16}) granted")
WARNING = re.compile(r'^\{"level":')


def _watch_lines(server, args: tuple[str, ...], idle: float = 0.8, limit: float = 6.0) -> list[str]:
    """What a watch prints until it has been quiet for `idle` seconds (or ends)."""
    out: list[str] = []
    with etcdctl_stream(server, *args) as watch:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            got = watch.read(1, timeout=idle)
            if not got:
                break
            out += got
    return out


def transcript(server) -> tuple[str, dict[str, str]]:
    """Run SCRIPT; return the raw transcript and the IDs to normalise (value -> placeholder)."""
    ids: dict[str, str] = {}
    leases: dict[str, str] = {}
    parts: list[str] = []
    for kind, args, stdin in SCRIPT:
        args = tuple(a.format(**leases) for a in args)
        shown = " ".join(args)
        if kind == "watch":
            parts.append(f"$ {shown}\n" + "\n".join(_watch_lines(server, args)))
            continue
        result = etcdctl(server, *args, input=stdin)
        for match in GRANTED.finditer(result.stdout):
            name = f"L{len(leases) + 1}"
            leases[name] = match.group(1)
            ids[match.group(1)] = f"<{name}>"
            ids[str(int(match.group(1), 16))] = f"<{name}>"
        parts.append(f"$ {shown}\n{result.stdout}{_stderr(result.stderr)}[rc={result.returncode}]")
    members = json.loads(etcdctl(server, "member", "list", "-w", "json").stdout)
    cluster_id, member_id = members["header"]["cluster_id"], members["header"]["member_id"]
    for value, name in ((cluster_id, "<cluster>"), (member_id, "<member>")):
        # etcdctl prints member ids in hex with and without leading zeros, and in decimal
        ids.update({str(value): name, f"{value:016x}": name, f"{value:x}": name})
    ids.update({server.address: "<endpoint>", server.peer_url: "<peer>"})
    return "\n".join(parts), ids


def _stderr(text: str) -> str:
    """clientv3's JSON warnings without their timestamp and connection name."""
    lines = []
    for line in text.splitlines():
        if WARNING.match(line):
            entry = json.loads(line)
            line = f"warn: {entry.get('msg')}: {entry.get('error')}"
        lines.append(line)
    return "".join(f"{line}\n" for line in lines)


RAFT_FIELDS = re.compile(r'"(raft_term|raftTerm|raftIndex|raftAppliedIndex|dbSize|dbSizeInUse|RaftTerm)"'
                         r'( ?: ?)\d+')


def normalise(text: str, ids: dict[str, str]) -> str:
    for value in sorted(ids, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(value)}(?![\w.])", ids[value], text)
    text = RAFT_FIELDS.sub(r'"\1"\2<n>', text)
    text = re.sub(r'"version":"[0-9.]+"', '"version":"<v>"', text)
    text = re.sub(r"took = \S+", "took = <t>", text)
    text = re.sub(r'"took":"[^"]*"', '"took":"<t>"', text)
    text = re.sub(r"remaining\(\d+s\)", "remaining(<ttl>)", text)
    text = re.sub(r'"ttl":\d+,"granted-ttl"', '"ttl":<ttl>,"granted-ttl"', text)
    # the table row of `endpoint status`: version, db size and raft columns
    text = re.sub(r"^(<endpoint>, <member>), [^,]+, [^,]+, (true|false), (true|false), \d+, \d+, \d+, ",
                  r"\1, <v>, <size>, \2, \3, <n>, <n>, <n>, ", text, flags=re.M)
    return text


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory):
    require("etcdctl")
    require("etcd")
    root = tmp_path_factory.mktemp("differential")
    with real_etcd(root / "etcd") as etcd:
        expected = normalise(*transcript(etcd))
    with reference_server(root / "reference") as reference:
        actual = normalise(*transcript(reference))
    return expected, actual


def test_reference_matches_real_etcd(transcripts):
    expected, actual = transcripts
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              "real etcd 3.4", "reference", lineterm="", n=2))
        pytest.fail(f"etcdctl transcripts differ:\n{diff}", pytrace=False)


def test_script_exercised_the_error_paths(transcripts):
    """The normalised transcript still carries the errors the script meant to provoke."""
    expected, _ = transcripts
    for message in ("required revision has been compacted", "required revision is a future revision",
                    "requested lease not found", "key is not provided", "already expired"):
        assert message in expected
