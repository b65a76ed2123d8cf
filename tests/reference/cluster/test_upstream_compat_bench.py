"""What benchmarks/upstream_compat.py reads from the requests it records (no Go, no processes)."""
from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
import upstream_compat as uc  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "upstream" / "requests.jsonl"


@pytest.mark.parametrize("path, pattern", [
    ("/api/v1/namespaces/compat/pods/web-1/status", "/api/v1/namespaces/{namespace}/pods/{name}/status"),
    ("/api/v1/namespaces/compat/pods", "/api/v1/namespaces/{namespace}/pods"),
    ("/api/v1/namespaces/compat", "/api/v1/namespaces/{name}"),
    ("/api/v1/nodes/node-1", "/api/v1/nodes/{name}"),
    ("/apis/storage.k8s.io/v1/csinodes/node-2", "/apis/storage.k8s.io/v1/csinodes/{name}"),
    ("/apis/apps/v1/namespaces/compat/replicasets", "/apis/apps/v1/namespaces/{namespace}/replicasets"),
    ("/apis/apps/v1", "/apis/apps/v1"),
])
def test_paths_group_by_resource_not_by_name(path, pattern):
    """Namespaces and object names become placeholders; group, version, resource and subresource stay."""
    assert uc.path_pattern(path) == pattern


@pytest.mark.parametrize("status, message, why", [
    (404, 'csinodes.storage.k8s.io "node-1" not found', "object absent"),
    (404, "the server could not find the requested resource", "NOT SERVED"),
    (409, "Operation cannot be fulfilled", "conflict"),
    (403, 'pods "x" is forbidden: unable to create new content in namespace a because it is being terminated',
     "terminating"),
    (400, "no protobuf layout for apps/v1 ReplicaSet", "REFUSED"),
    (500, "internal error", "REFUSED"),
])
def test_a_failure_says_whose_fault_it_is(status, message, why):
    """What every apiserver answers (absent objects, conflicts, terminating namespaces) is told
    apart from resources not served and requests refused."""
    assert uc.why(status, message) == why


def test_a_protobuf_body_names_its_kind_and_object():
    """The protobuf envelope's TypeMeta gives apiVersion and kind; ObjectMeta gives the name."""
    entry = next(json.loads(line) for line in CORPUS.read_text().splitlines() if '"Node"' in line)
    body = base64.b64decode(entry["body"])
    assert uc.body_kind(entry["content_type"], body) == ("v1", "Node")
    assert uc.object_name(body) == entry["created"]
    assert uc.body_kind("application/strategic-merge-patch+json", b"{}") == ("", "patch")


def test_a_protobuf_status_message_is_read():
    """A failure answered in protobuf still yields its Status message (field 3)."""
    message = b"nodes \"x\" not found"
    status = b"\x1a" + bytes([len(message)]) + message
    body = b"k8s\x00" + b"\x12" + bytes([len(status)]) + status
    assert uc.status_message("application/vnd.kubernetes.protobuf", body) == message.decode()


def record(method: str, path: str, body: dict, agent: str = "kube-controller-manager/v1.24.0", **extra) -> dict:
    return {"method": method, "path": path, "query": "", "content_type": "application/json", "agent": agent,
            "body": base64.b64encode(json.dumps(body).encode()).decode(), "status": 200, **extra}


def test_the_corpus_keeps_one_body_per_shape_and_the_create_a_change_needs():
    """Bodies dedupe by (method, path pattern, kind, content type); a kept PUT brings the POST that
    created its very object, even when a POST of another object of that kind was kept first."""
    records = [
        record("POST", "/api/v1/namespaces/a/pods", {"kind": "Pod"}, created="p1"),
        record("POST", "/api/v1/namespaces/a/pods", {"kind": "Pod"}, created="p2"),
        record("PUT", "/api/v1/namespaces/a/pods/p2/status", {"kind": "Pod"}),
        record("PUT", "/api/v1/namespaces/a/pods/p1/status", {"kind": "Pod"}),
        {**record("GET", "/api/v1/namespaces/a/pods", {}), "body": ""},
    ]
    entries = uc.corpus(records)
    assert [(e["method"], e["path"]) for e in entries] == [
        ("POST", "/api/v1/namespaces/a/pods"), ("POST", "/api/v1/namespaces/a/pods"),
        ("PUT", "/api/v1/namespaces/a/pods/p2/status")]
    assert [e.get("created") for e in entries[:2]] == ["p1", "p2"]


def test_a_second_recording_only_adds_the_shapes_the_corpus_lacks(tmp_path):
    """write_corpus keeps every entry already committed, in order, and appends only bodies of a
    (method, path pattern, kind, content type) it does not have yet."""
    path = tmp_path / "requests.jsonl"
    first = [record("POST", "/api/v1/namespaces/a/pods", {"kind": "Pod"}, created="p1")]
    assert uc.write_corpus(path, first) == 1
    second = [record("POST", "/api/v1/namespaces/b/pods", {"kind": "Pod"}, created="q1"),
              record("POST", "/apis/apps/v1/namespaces/b/daemonsets", {"kind": "DaemonSet"}, created="d")]
    assert uc.write_corpus(path, second) == 2
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["path"], e.get("created")) for e in entries] == [
        ("/api/v1/namespaces/a/pods", "p1"), ("/apis/apps/v1/namespaces/b/daemonsets", "d")]
