"""LIST and WATCH on the reference kube-apiserver against the real 1.24 kube-apiserver: the answers
clients (kubectl, client-go informers) rely on, compared by shape.

Starts both servers as benchmarks/apiserver_differential.py does, makes namespace `diff` with
three labelled ConfigMaps on both, then sends the same requests: limit/continue paging,
resourceVersion with resourceVersionMatch (with and without a limit), watches from several
resourceVersions (one between the server's start and the resource's first watch), bookmarks,
timeoutSeconds, sendInitialEvents (not in 1.24: ignored), selectors, an object leaving a watch's
selector, Table and PartialObjectMetadata output, includeObject and Accept
headers. An answer is its code, its media type and, for a Status, reason and message; for a list
or table, its kind, apiVersion, item names and which list metadata it carries; for a watch, the
type and object kind of each of its first frames (never the timing). Prints each differing request
with both answers and writes benchmarks/results/apiserver_listwatch.json. The requests are the same
on every run; each has a timeout, so the run is bounded (about a minute after both servers are up).

    python benchmarks/apiserver_listwatch.py /work/k8s-bin/kube-apiserver [--etcd /usr/bin/etcd]
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchmarks.apiserver_differential import (JSON, KINDS, NAMESPACE, RESULTS, Probe, Server,  # noqa: E402
                                               encode, normalise, start_ours, start_real)
from reference_impl import cluster as local_cluster  # noqa: E402

CONFIGMAPS = f"/api/v1/namespaces/{NAMESPACE}/configmaps"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
METADATA_LIST = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"
METADATA = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"
WATCH_FRAMES = 4
WATCH_WAIT = 2.0


def setup() -> list[Probe]:
    namespaces = KINDS[6]
    probes = [Probe("setup", "POST", namespaces.collection(), "", JSON, encode(namespaces.object(NAMESPACE)))]
    for name, app in (("cm-a", "a"), ("cm-b", "b"), ("cm-c", "a")):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": app}}}
        probes.append(Probe("setup", "POST", CONFIGMAPS, "", JSON, encode(body)))
    return probes


def requests(current: str, old: str) -> list[tuple[str, str, str]]:
    """(path, query, Accept) of every request; `current` and `old` are resourceVersions read on
    each server, so the same entry means the same thing on both."""
    future = str(int(current) + 1000)
    tampered = base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1","rv":1,"start":"cm-b\\u0000"}').decode()
    garbage = "not-a-token"
    wrong_version = base64.urlsafe_b64encode(b'{"v":"v9","rv":5,"start":"cm-b"}').decode()
    listed = [
        ("limit=1", ""), ("limit=2", ""), ("limit=0", ""), ("limit=-1", ""), ("limit=abc", ""),
        ("limit=1&continue=" + tampered, ""), ("limit=1&continue=" + garbage, ""),
        ("continue=" + wrong_version, ""), ("limit=1&continue=" + tampered + "&resourceVersion=0", ""),
        ("limit=1&continue=" + tampered + "&resourceVersion=" + current, ""),
        ("resourceVersion=0", ""), ("resourceVersion=" + current, ""), ("resourceVersion=" + old, ""),
        ("resourceVersion=" + future, ""), ("resourceVersion=abc", ""),
        ("resourceVersion=0&limit=1", ""), ("resourceVersion=" + current + "&limit=1", ""),
        ("resourceVersionMatch=NotOlderThan", ""), ("resourceVersionMatch=Exact", ""),
        ("resourceVersionMatch=Bad&resourceVersion=0", ""),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=0", ""),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=" + current, ""),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=" + old, ""),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=" + future, ""),
        ("resourceVersionMatch=Exact&resourceVersion=0", ""),
        ("resourceVersionMatch=Exact&resourceVersion=" + current, ""),
        ("resourceVersionMatch=Exact&resourceVersion=" + old, ""),
        ("resourceVersionMatch=Exact&resourceVersion=" + future, ""),
        ("resourceVersionMatch=Exact&resourceVersion=1", ""),
        ("resourceVersionMatch=Exact&resourceVersion=" + current + "&limit=1", ""),
        ("resourceVersionMatch=Exact&resourceVersion=" + future + "&limit=1", ""),
        ("resourceVersionMatch=Exact&resourceVersion=" + old + "&limit=1", ""),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=" + old + "&limit=1", ""),
        ("resourceVersionMatch=NotOlderThan&resourceVersion=" + future + "&limit=1", ""),
        ("resourceVersion=" + old + "&limit=1", ""), ("resourceVersion=" + future + "&limit=1", ""),
        ("resourceVersion=1&limit=1", ""), ("resourceVersion=0&labelSelector=app%3Da&limit=1", ""),
        ("sendInitialEvents=true", ""), ("sendInitialEvents=true&resourceVersion=0", ""),
        ("labelSelector=app%3Da&limit=1", ""),
        ("", TABLE), ("limit=1", TABLE), ("includeObject=None", TABLE), ("includeObject=Metadata", TABLE),
        ("includeObject=Object", TABLE), ("includeObject=Bad", TABLE), ("", METADATA_LIST), ("", METADATA),
        ("", "application/json;as=Table;v=v1beta1;g=meta.k8s.io"), ("", "application/json;as=Table"),
        ("", "application/json;as=Foo;v=v1;g=meta.k8s.io"), ("", "text/html"), ("", "application/xml"),
        ("", "*/*"), ("", "application/*"), ("", "application/json;q=0.5, text/plain"), ("", ""),
        ("", "application/yaml"), ("", "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io"),
    ]
    watched = [
        ("watch=true", ""), ("watch=1", ""), ("watch=true&resourceVersion=0", ""),
        ("watch=true&resourceVersion=", ""), ("watch=true&resourceVersion=" + current, ""),
        ("watch=true&resourceVersion=" + old, ""), ("watch=true&resourceVersion=" + future, ""),
        ("watch=true&resourceVersion=1", ""), ("watch=true&resourceVersion=abc", ""),
        ("watch=true&resourceVersion=" + old + "&labelSelector=app%3Da", ""),
        ("watch=true&resourceVersion=" + old + "&fieldSelector=metadata.name%3Dcm-c", ""),
        ("watch=true&sendInitialEvents=true", ""), ("watch=true&sendInitialEvents=true&resourceVersion=0", ""),
        ("watch=true&sendInitialEvents=true&resourceVersion=" + current, ""),
        ("watch=true&sendInitialEvents=true&resourceVersion=" + current + "&allowWatchBookmarks=true", ""),
        ("watch=true&sendInitialEvents=abc", ""),
        ("watch=true&resourceVersion=" + old + "&allowWatchBookmarks=true", ""),
        ("watch=true&resourceVersion=" + old + "&timeoutSeconds=1", ""),
        ("watch=true&resourceVersion=" + current + "&timeoutSeconds=1", ""),
        ("watch=true&resourceVersion=0&allowWatchBookmarks=true", ""),
        ("watch=true&resourceVersion=" + current + "&allowWatchBookmarks=true", ""),
        ("watch=true&allowWatchBookmarks=abc", ""),
        ("watch=true&timeoutSeconds=0", ""), ("watch=true&timeoutSeconds=-1", ""),
        ("watch=true&timeoutSeconds=abc", ""), ("watch=true&timeoutSeconds=1", ""),
        ("watch=true&resourceVersion=0&labelSelector=app%3Da", ""),
        ("watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dcm-b", ""),
        ("watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dabsent", ""),
        ("watch=true&resourceVersion=0&fieldSelector=bad.field%3Dx", ""),
        ("watch=true&resourceVersion=0&labelSelector=a+in+(b", ""),
        ("watch=true&resourceVersionMatch=NotOlderThan&resourceVersion=0", ""),
        ("watch=true&resourceVersionMatch=Exact&resourceVersion=" + current, ""),
        ("watch=true&resourceVersion=0&limit=1", ""), ("watch=true&continue=abc", ""),
        ("watch=true&resourceVersion=0", TABLE), ("watch=true&resourceVersion=0", METADATA),
        ("watch=true&resourceVersion=0", METADATA_LIST), ("watch=true&resourceVersion=0", "text/html"),
        ("watch=true&resourceVersion=0&includeObject=None", TABLE),
    ]
    found = [(CONFIGMAPS, q, a) for q, a in listed + watched]
    found += [(f"{CONFIGMAPS}/cm-b", q, a) for q, a in (
        ("", TABLE), ("", METADATA), ("", METADATA_LIST), ("resourceVersion=0", ""),
        ("resourceVersion=" + future, ""), ("watch=true", ""), ("watch=true&resourceVersion=0", ""))]
    found += [(f"/api/v1/watch/namespaces/{NAMESPACE}/configmaps", "resourceVersion=0", ""),
              (f"/api/v1/watch/namespaces/{NAMESPACE}/configmaps/cm-b", "resourceVersion=0", ""),
              (f"/api/v1/watch/namespaces/{NAMESPACE}/configmaps/absent", "resourceVersion=0", "")]
    return found


def shape(value: object) -> object:
    """What a client relies on in a JSON answer, without names that differ between servers."""
    if not isinstance(value, dict):
        return type(value).__name__
    kind = value.get("kind")
    if kind == "Status":
        return {"Status": value.get("reason"), "code": value.get("code"), "message": normalise(str(value.get("message")))}
    found: dict = {"kind": kind, "apiVersion": value.get("apiVersion")}
    meta = value.get("metadata") or {}
    if "items" in value or kind == "Table":
        found["metadata"] = sorted(k for k in meta if meta[k] not in (None, "", 0) or k == "remainingItemCount")
        if "remainingItemCount" in meta:
            found["remainingItemCount"] = meta["remainingItemCount"]
        if "continue" in meta:
            found["continue"] = "set" if meta["continue"] else "empty"
    if "items" in value:
        found["items"] = sorted((shape(item) for item in value["items"] or []), key=json.dumps)
    elif kind == "Table":
        found["columns"] = [c.get("name") for c in value.get("columnDefinitions") or []]
        found["rows"] = sorted((shape(row.get("object")) for row in value.get("rows") or []), key=json.dumps)
    else:
        found["name"] = meta.get("name")
        found["has"] = sorted(k for k in value if k not in ("kind", "apiVersion"))
    return found


def read_frames(response: http.client.HTTPResponse) -> list:
    """The type and object shape of the first frames of a watch, then "(end)" when the stream
    ended or "(open)" when it was still open after WATCH_WAIT seconds. Initial ADDED events come
    in hash order from the real watch cache, so frames are listed sorted by name."""
    frames, buffer = [], b""
    try:
        while len(frames) < WATCH_FRAMES:
            chunk = response.read1(65536)
            if not chunk:
                frames.append("(end)")
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in filter(None, lines):
                try:
                    event = json.loads(line)
                except ValueError:
                    frames.append("(not JSON)")
                    continue
                frames.append([event.get("type"), shape(event.get("object"))])
    except (TimeoutError, OSError):
        frames.append("(open)")
    events = sorted((f for f in frames if isinstance(f, list)), key=json.dumps)
    return events + [f for f in frames if not isinstance(f, list)]


def send(server: Server, path: str, query: str, accept: str) -> dict:
    watch = "watch=" in query or "/watch/" in path
    connection = http.client.HTTPSConnection(server.host, server.port, context=server.contexts["admin"],
                                             timeout=WATCH_WAIT if watch else 10.0)
    headers = {"Accept": accept} if accept else {}
    try:
        connection.request("GET", path + (f"?{query}" if query else ""), headers=headers)
        response = connection.getresponse()
        media = response.getheader("Content-Type", "").split(";")[0]
        found = {"code": response.status, "media": media}
        if watch and response.status == 200 and response.chunked:
            found["frames"] = read_frames(response)
            return found
        body = response.read()
        try:
            found["body"] = shape(json.loads(body))
        except ValueError:
            found["body"] = body[:120].decode(errors="replace")
        return found
    except (OSError, http.client.HTTPException) as err:
        return {"code": 0, "error": f"{type(err).__name__}"}
    finally:
        connection.close()


def moved_out(server: Server) -> dict:
    """A watch of app=a from the current resourceVersion while cm-c is relabelled app=b: the frames
    it gets (upstream: cm-c DELETED, its last state that matched)."""
    current, _ = resource_versions(server)
    connection = http.client.HTTPSConnection(server.host, server.port, context=server.contexts["admin"],
                                             timeout=WATCH_WAIT)
    try:
        connection.request("GET", f"{CONFIGMAPS}?watch=true&labelSelector=app%3Da&resourceVersion={current}")
        response = connection.getresponse()
        relabel = {"metadata": {"labels": {"app": "b"}}}
        server.send(Probe("relabel", "PATCH", f"{CONFIGMAPS}/cm-c", "", "application/merge-patch+json", encode(relabel)))
        return {"code": response.status, "frames": read_frames(response)}
    except (OSError, http.client.HTTPException) as err:
        return {"code": 0, "error": f"{type(err).__name__}"}
    finally:
        connection.close()


def resource_versions(server: Server) -> tuple[str, str]:
    connection = http.client.HTTPSConnection(server.host, server.port, context=server.contexts["admin"], timeout=10)
    connection.request("GET", CONFIGMAPS, headers={"Accept": "application/json"})
    body = json.loads(connection.getresponse().read())
    connection.close()
    items = {item["metadata"]["name"]: item["metadata"]["resourceVersion"] for item in body["items"]}
    return body["metadata"]["resourceVersion"], items["cm-a"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver (1.24), already built")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"), help="the real etcd 3.4 binary")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="apiserver-listwatch-"))
    processes: list[local_cluster.Process] = []
    rows = []
    try:
        real_processes, real, _ = start_real(args.binary.resolve(), args.etcd.resolve(), work / "real")
        processes += real_processes
        our_processes, ours = start_ours(work / "ours")
        processes += our_processes
        for probe in setup():
            real.send(probe), ours.send(probe)
        real_versions, our_versions = resource_versions(real), resource_versions(ours)
        for (path, query, accept), (_, our_query, _) in zip(requests(*real_versions), requests(*our_versions)):
            real_answer, our_answer = send(real, path, query, accept), send(ours, path, our_query, accept)
            rows.append({"request": f"GET {path}?{query}" + (f" [Accept: {accept}]" if accept else ""),
                         "real": real_answer, "ours": our_answer, "differs": real_answer != our_answer})
        real_answer, our_answer = moved_out(real), moved_out(ours)
        rows.append({"request": f"GET {CONFIGMAPS}?watch=true&labelSelector=app%3Da while cm-c is relabelled app=b",
                     "real": real_answer, "ours": our_answer, "differs": real_answer != our_answer})
    finally:
        local_cluster.stop(processes)
    differing = [row for row in rows if row["differs"]]
    print(f"{len(differing)} of {len(rows)} requests answered differently\n")
    for row in differing:
        print(f"{row['request']}\n    real {json.dumps(row['real'])[:600]}\n    ours {json.dumps(row['ours'])[:600]}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "apiserver_listwatch.json"
    out.write_text(json.dumps({"requests": len(rows), "differing": len(differing), "rows": rows,
                               "work": str(work)}, indent=2) + "\n")
    print(f"\nwrote {out}; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
