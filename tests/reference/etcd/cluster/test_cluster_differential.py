"""One etcdctl script against a real three-member etcd 3.4 and a three-member reference cluster,
with the same flags: member list, endpoint status, a put through a follower, move-leader, and
removing and re-adding a member. The transcripts must be equal once IDs are named by role (the
first leader, followers one and two, the re-added member), raft terms and indexes, sizes and
versions are normalised, and member lists are put in name order (ids, hence their order, come from
the peer URLs, whose ports differ)."""
from __future__ import annotations

import difflib
import json
import re
import shutil
import time

import pytest
from cluster_procs import reference_cluster
from processes import require, stop_process

FLAGS = ("--heartbeat-interval", "50", "--election-timeout", "500")
ADDED = re.compile(r"Member +([0-9a-f]+) added to cluster")


def _in_order(part: str, ids: dict[str, str]) -> str:
    """A member list (text or JSON) in the order of its members' placeholders, and
    ETCD_INITIAL_CLUSTER's entries sorted: ids, hence the order etcd lists members in, depend on
    the ports. Called before the placeholders replace the ids (JSON must still parse)."""
    command, _, rest = part.partition("\n")
    if command.startswith("$ member list") and "-w json" in command:
        body, _, tail = rest.partition("\n")
        data = json.loads(body)
        data["members"] = sorted(data["members"], key=lambda m: ids.get(str(m.get("ID")), ""))
        return f"{command}\n{json.dumps(data, separators=(',', ':'))}\n{tail}"
    if command.startswith("$ member list"):
        lines = rest.split("\n")
        key = lambda line: ids.get(line.split(",")[0], line)  # noqa: E731
        return "\n".join([command, *sorted(lines[:-1], key=key), lines[-1]])
    return re.sub(r'ETCD_INITIAL_CLUSTER="([^"]*)"',
                  lambda m: 'ETCD_INITIAL_CLUSTER="' + ",".join(
                      sorted(m.group(1).split(","), key=lambda e: ids.get(e.partition("=")[2], e))) + '"',
                  part)


def transcript(cluster, tmp_path) -> tuple[str, dict[str, str]]:
    started = time.monotonic()
    leader = cluster.leader()
    f1, f2 = [n for n in cluster.nodes if n is not leader]
    ids = {}
    for node, role in ((leader, "leader"), (f1, "f1"), (f2, "f2")):
        ids.update({str(node.id): f"<{role}>", f"{node.id:x}": f"<{role}>", f"{node.id:016x}": f"<{role}>",
                    node.address: f"<{role}-client>", node.peer_url: f"<{role}-peer>",
                    node.name: f"<{role}-name>"})
    parts: list[str] = []

    def run(*args: str, at=None):
        endpoints = ",".join(n.address for n in (at or [leader, f1, f2]))
        result = cluster.etcdctl(*args, endpoints=endpoints)
        out = result.stdout
        err = "".join(line + "\n" for line in result.stderr.splitlines() if not line.startswith('{"level"'))
        parts.append(f"$ {' '.join(args)}\n{out}{err}[rc={result.returncode}]")
        return result

    run("member", "list")
    run("member", "list", "-w", "json", at=[leader])  # the header names the member that answered
    run("endpoint", "status", "-w", "json")
    run("put", "k", "via-follower", at=[f1])
    run("get", "k", at=[f2])
    run("get", "k", "-w", "json", at=[f2])
    run("move-leader", f"{f1.id:x}", at=[leader])
    cluster.leader()
    run("endpoint", "status", "-w", "json")
    run("move-leader", "1234", at=[f1])
    run("member", "remove", "1234")
    # Both refuse a membership change ("unhealthy cluster") until the member asked has been
    # connected to its peers for five seconds (etcd's HealthInterval, --strict-reconfig-check).
    time.sleep(max(0.0, started + 6 - time.monotonic()))
    run("member", "remove", f"{f2.id:x}", at=[f1])
    # A removed member stops once it learns of its removal; real etcd may not hear of it.
    stop_process(f2.process)
    cluster.nodes.remove(f2)
    run("member", "list", at=[leader, f1])
    added = run("member", "add", "m4", f"--peer-urls={f2.peer_url}", at=[f1])
    found = ADDED.search(added.stdout)
    assert found, f"member add failed on {cluster.kind}: {added.stdout}{added.stderr}\n" + "\n".join(parts)
    new_id = found.group(1)
    ids.update({new_id: "<readded>", str(int(new_id, 16)): "<readded>"})
    shutil.rmtree(f2.data_dir)
    f2.name = "m4"
    cluster.nodes.append(f2)
    cluster.start(f2, state="existing")
    run("put", "after", "readd", at=[f2])
    run("get", "after", "--print-value-only", at=[leader])
    run("member", "list", at=[leader, f1])
    members = json.loads(cluster.etcdctl("member", "list", "-w", "json", endpoints=f1.address).stdout)
    ids.update({str(members["header"]["cluster_id"]): "<cluster>",
                f"{members['header']['cluster_id']:x}": "<cluster>"})
    return parts, ids


RAFT_FIELDS = re.compile(r'"(raft_term|raftTerm|raftIndex|raftAppliedIndex|dbSize|dbSizeInUse|revision)"'
                         r'( ?: ?)\d+')


def normalise(parts: list[str], ids: dict[str, str]) -> str:
    out = []
    for text in parts:
        text = _in_order(text, ids)
        for value in sorted(ids, key=len, reverse=True):
            text = re.sub(rf"(?<![\w.]){re.escape(value)}(?![\w.])", ids[value], text)
        text = RAFT_FIELDS.sub(r'"\1"\2<n>', text)
        # etcdctl prints member and cluster ids with %16x: a shorter id is padded with spaces.
        text = re.sub(r"\b(Member|cluster) +<", r"\1 <", text)
        out.append(re.sub(r'"version":"[0-9.]+"', '"version":"<v>"', text))
    return "\n".join(out)


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory):
    require("etcd")
    require("etcdctl")
    root = tmp_path_factory.mktemp("cluster-differential")
    # The members are named after their roles only once the leader is known, so both clusters
    # start as n1..n3 (named by role in the transcripts) and the re-added member is m4 in both.
    with reference_cluster(root / "etcd", 3, *FLAGS, kind="etcd") as etcd:
        expected = normalise(*transcript(etcd, root / "etcd"))
    with reference_cluster(root / "reference", 3, *FLAGS) as reference:
        actual = normalise(*transcript(reference, root / "reference"))
    return expected, actual


def test_cluster_transcript_matches_real_etcd(transcripts):
    expected, actual = transcripts
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                              "real etcd 3.4", "reference", lineterm="", n=2))
        pytest.fail(f"etcdctl transcripts differ:\n{diff}", pytrace=False)


def test_the_script_moved_the_leader_and_replaced_a_member(transcripts):
    expected, _ = transcripts
    assert "Leadership transferred from <leader> to <f1>" in expected
    assert "Member <f2> removed from cluster <cluster>" in expected
    assert "Member <readded> added to cluster <cluster>" in expected
