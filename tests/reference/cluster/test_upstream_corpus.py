"""The real 1.24 components' request bodies, replayed against the reference apiserver.

tests/fixtures/upstream/requests.jsonl was recorded by `benchmarks/upstream_compat.py --corpus`:
one body per (method, path pattern, kind, content type) that the real kube-controller-manager,
kube-scheduler and kubemark's kubelet and kube-proxy sent, mostly protobuf, plus the creates
that made the objects later requests change. Each is sent again, in order, as the admin; a body
is decoded when the answer is 2xx, or 409 for a create whose object exists (the name came out
of the body). A create keeps the name the recording's server gave it; later requests lose the
uid and resourceVersion of the recording's objects (as body fields or preconditions), a PUT names
the stored object's resourceVersion as a real client's update does after its read, and an object
a PUT finds absent is first created from the same body (a Job's without the selector generated
from the recording's uid, which a create under another uid may not carry).

Entries that do not decode today are listed with a reason in known_failures.json beside the
corpus: an unlisted failure fails the test, and so does a listed entry that now decodes, so the
list only shrinks. Kinds the server does not serve at all are named in the failure and warned.
"""
from __future__ import annotations

import base64
import http.client
import json
import re
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "fixtures" / "upstream" / "requests.jsonl"
KNOWN = ROOT / "tests" / "fixtures" / "upstream" / "known_failures.json"
sys.path.insert(0, str(ROOT / "tests" / "reference" / "apiserver"))
from cluster import Cluster, cluster  # noqa: E402

from reference_impl.apiserver.core import protobuf  # noqa: E402

SUBRESOURCES = ("status", "scale", "binding", "finalize", "eviction")


def load_corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


def entry_key(entry: dict) -> str:
    return f"{entry['method']} {entry['pattern']} {entry['kind']} {entry['content_type'].split(';')[0]}"


# --- protobuf, as far as removing and setting metadata fields needs ----------------------------------

def _rewrite(data: bytes, number: int, change) -> bytes:
    """`data` with length-delimited field `number` replaced by change(its bytes) (None drops it)."""
    out = bytearray()
    for field, wire, value in protobuf.fields(data):
        if field == number and wire == 2:
            value = change(value)
            if value is None:
                continue
        out += protobuf.put(field, wire, value)
    return bytes(out)


def _set(data: bytes, number: int, value: bytes) -> bytes:
    """`data` with length-delimited field `number` set to `value`, appended when absent."""
    found = []
    out = _rewrite(data, number, lambda _: found.append(1) or value)
    return out if found else out + protobuf.put(number, 2, value)


def with_metadata(body: bytes, field: str, number: int, value: str) -> bytes:
    """`body` with its metadata.<field> (ObjectMeta's protobuf field `number`) set to `value`: a
    generateName create's name as the recording's server chose it, so that later requests (a
    Binding names its pod in its body too) find it; an update's resourceVersion."""
    if body.startswith(b"k8s\x00"):
        meta = lambda m: _set(m, number, value.encode())  # noqa: E731
        return b"k8s\x00" + _rewrite(body[4:], 2, lambda raw: _rewrite(raw, 1, meta))
    data = json.loads(body)
    data.setdefault("metadata", {})[field] = value
    return json.dumps(data).encode()


def recording_free(entry: dict, body: bytes) -> bytes:
    """The body without what tied it to the recording's objects: an object's metadata.uid (5) and
    resourceVersion (6), the uid a patch sends as a precondition, DeleteOptions' preconditions (2)."""
    if entry["kind"] == "DeleteOptions":
        if body.startswith(b"k8s\x00"):
            return b"k8s\x00" + _rewrite(body[4:], 2, lambda raw: _rewrite(raw, 2, lambda _: None))
        data = json.loads(body)
        data.pop("preconditions", None)
        return json.dumps(data).encode()
    if body.startswith(b"k8s\x00"):
        meta = lambda m: _rewrite(_rewrite(m, 5, lambda _: None), 6, lambda _: None)  # noqa: E731
        return b"k8s\x00" + _rewrite(body[4:], 2, lambda raw: _rewrite(raw, 1, meta))
    data = json.loads(body)
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        data["metadata"].pop("uid", None)
        data["metadata"].pop("resourceVersion", None)
    return json.dumps(data).encode()


def without_generated_selector(body: bytes) -> bytes:
    """A protobuf Job without the selector and template label generateSelector made from the
    recording's uid, which a create under another uid may not carry (ValidateGeneratedSelector)."""
    def label(entry: bytes) -> bytes | None:
        key = next((value for field, _, value in protobuf.fields(entry) if field == 1), b"")
        return None if key == b"controller-uid" else entry
    template_meta = lambda m: _rewrite(m, 11, label)  # noqa: E731
    spec = lambda s: _rewrite(_rewrite(s, 4, lambda _: None), 6,  # noqa: E731
                              lambda template: _rewrite(template, 1, template_meta))
    return b"k8s\x00" + _rewrite(body[4:], 2, lambda raw: _rewrite(raw, 2, spec))


# --- the replay ------------------------------------------------------------------------------------

def send(running: Cluster, method: str, path: str, content_type: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPSConnection("127.0.0.1", running.port, timeout=30, context=running.admin_tls)
    try:
        connection.request(method, path, body=body or None,
                           headers={"Content-Type": content_type, "Accept": "application/json"})
        answer = connection.getresponse()
        raw = answer.read()
    finally:
        connection.close()
    try:
        return answer.status, json.loads(raw) if raw else {}
    except ValueError:
        return answer.status, {"message": raw[:300].decode(errors="replace")}


def served_resources(running: Cluster, path: str) -> tuple[str, set[str]]:
    """The group/version prefix of `path` and the resources its discovery document lists."""
    parts = path.strip("/").split("/")
    prefix = "/".join(parts[:2] if parts[0] == "api" else parts[:3])
    status, document = send(running, "GET", "/" + prefix, "", b"")
    return prefix, {r["name"] for r in document.get("resources", [])} if status == 200 else set()


def resource_of(path: str) -> str:
    parts = path.strip("/").split("/")
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    if rest[:1] == ["namespaces"] and len(rest) > 2:
        rest = rest[2:]
    return "/".join(rest[:1] + [p for p in rest[2:3] if p in SUBRESOURCES])


def classify(status: int, method: str, answer: dict) -> str:
    if 200 <= status < 300 or (status == 409 and method == "POST" and answer.get("reason") == "AlreadyExists"):
        return "decoded"
    return "absent" if status == 404 else "refused"


def replay(running: Cluster, entries: list[dict]) -> dict[str, dict]:
    """Each entry sent in order; its outcome by key (the last, should a key repeat as a setup)."""
    namespaces = sorted({m for e in entries for m in re.findall(r"/namespaces/([^/]+)/", e["path"])})
    for namespace in namespaces:
        send(running, "POST", "/api/v1/namespaces", "application/json",
             json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}).encode())
    outcomes: dict[str, dict] = {}
    for entry in entries:
        path = entry["path"]
        target = path + (f"?{entry['query']}" if entry["query"] else "")
        body = base64.b64decode(entry["body"])
        if entry.get("created"):
            body = with_metadata(body, "name", 1, entry["created"])
        if entry["method"] != "POST":
            body = recording_free(entry, body)
        if entry["method"] == "PUT":
            body = current_version(running, entry, path, body)
        status, answer = send(running, entry["method"], target, entry["content_type"], body)
        if status == 404 and entry["method"] == "PUT":
            collection = re.sub(r"/[^/]+(/(%s))?$" % "|".join(SUBRESOURCES), "", path)
            created = body
            if entry["kind"] == "Job" and body.startswith(b"k8s\x00"):
                created = without_generated_selector(body)
            send(running, "POST", collection, entry["content_type"], created)
            body = current_version(running, entry, path, body)
            status, answer = send(running, entry["method"], target, entry["content_type"], body)
        outcome = classify(status, entry["method"], answer)
        if outcome == "absent":
            _, served = served_resources(running, path)
            if resource_of(path).split("/")[0] not in served:
                outcome = "not served"
        outcomes[entry_key(entry)] = {"outcome": outcome, "status": status,
                                      "message": str(answer.get("message", ""))[:200],
                                      "kind": f"{entry['api_version']} {entry['kind']}".strip()}
    return outcomes


def current_version(running: Cluster, entry: dict, path: str, body: bytes) -> bytes:
    """`body` naming the resourceVersion of the object `path` updates, when it exists, as a real
    client's update does after its read (kinds like Lease take no update without one)."""
    obj_path = re.sub(r"/(%s)$" % "|".join(SUBRESOURCES), "", path)
    status, stored = send(running, "GET", obj_path, "", b"")
    version = (stored.get("metadata") or {}).get("resourceVersion") if status == 200 else None
    return with_metadata(body, "resourceVersion", 6, version) if version else body


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> dict[str, dict]:
    with cluster("reference", tmp_path_factory.mktemp("corpus")) as running:
        outcomes = replay(running, load_corpus())
    missing = sorted({o["kind"] for o in outcomes.values() if o["outcome"] == "not served"})
    if missing:
        warnings.warn(f"kinds the reference apiserver does not serve yet: {', '.join(missing)}")
    return outcomes


def test_the_corpus_is_small_and_well_formed():
    """At most a few hundred entries and a few hundred KB, each with a decodable base64 body."""
    entries = load_corpus()
    assert 0 < len(entries) <= 400 and CORPUS.stat().st_size < 512_000
    for entry in entries:
        assert entry["method"] in ("POST", "PUT", "PATCH", "DELETE") and base64.b64decode(entry["body"])


def test_every_recorded_body_decodes_or_is_a_known_failure(replayed):
    """Every body the real components send is decoded by the reference apiserver, unless
    known_failures.json lists it with a reason; kinds not served are named."""
    known = json.loads(KNOWN.read_text())
    unexpected = {key: o for key, o in replayed.items() if o["outcome"] != "decoded" and key not in known}
    missing = sorted({o["kind"] for o in unexpected.values() if o["outcome"] == "not served"})
    assert not unexpected, (f"not served: {missing}\n" if missing else "") + "\n".join(
        f"{key}: {o['outcome']} {o['status']} {o['message']}" for key, o in sorted(unexpected.items()))


def test_known_failures_still_fail(replayed):
    """An entry of known_failures.json that now decodes must leave the list, so it only shrinks."""
    known = json.loads(KNOWN.read_text())
    fixed = sorted(key for key in known if replayed.get(key, {}).get("outcome") == "decoded")
    gone = sorted(key for key in known if key not in replayed)
    assert not fixed, f"decoded now, remove from {KNOWN.name}: {fixed}"
    assert not gone, f"not in the corpus, remove from {KNOWN.name}: {gone}"


def test_a_truncated_body_is_refused(tmp_path):
    """The check can fail: a protobuf body cut short is not decoded (400/415/422/500, never 2xx)."""
    entry = next(e for e in load_corpus() if e["method"] == "POST" and e["content_type"].startswith(
        "application/vnd.kubernetes.protobuf") and e["kind"] not in ("Binding",))
    body = base64.b64decode(entry["body"])
    broken = dict(entry, body=base64.b64encode(body[:len(body) // 2]).decode(), created="")
    with cluster("reference", tmp_path) as running:
        outcome = replay(running, [broken])[entry_key(entry)]
    assert outcome["outcome"] in ("refused", "not served"), outcome


def protobuf_entries() -> list[dict]:
    return [e for e in load_corpus() if base64.b64decode(e["body"]).startswith(protobuf.MAGIC)]


@pytest.mark.parametrize("entry", protobuf_entries(), ids=entry_key)
def test_every_recorded_protobuf_body_round_trips(entry):
    """A protobuf body the real components sent decodes (an unknown field number would be an error,
    not dropped), encodes again, and decodes to the same object: nothing is lost either way."""
    obj = protobuf.decode(base64.b64decode(entry["body"]))
    assert (obj["apiVersion"], obj["kind"]) == (entry["api_version"], entry["kind"])
    assert protobuf.decode(protobuf.encode(obj)) == obj


def test_the_corpus_holds_the_workload_kinds_the_real_controllers_write():
    """The recording covers the workload controllers, not only Deployments: bodies of every kind the
    real kube-controller-manager writes in the paired scenario are in the corpus."""
    kinds = {e["kind"] for e in load_corpus() if e["component"] == "kube-controller-manager"}
    assert {"ReplicaSet", "Pod", "ControllerRevision", "DaemonSet", "StatefulSet", "Job"} <= kinds, kinds
