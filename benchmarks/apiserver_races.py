"""Concurrent requests against the reference kube-apiserver and the real 1.24 one: the same racing
workloads sent to both, and the outcomes compared; then the same for the etcds under them.

Each workload runs in a namespace of its own on each server (real first, then ours), from 8-32
threads, each with its own HTTPS connection, released together by a barrier. What is compared:

  outcomes   the multiset of (status code, reason, message) of the racing requests, messages
             normalised (differential's normalise, then the numbers in names: `cm-7` is `cm-N`,
             the node a binding lost to, a precondition's resourceVersion); for workloads whose
             interleaving decides the counts, the set only (marked `set`), where ours may lack
             an outcome real's timing gave but may not give one real never does
  final      what a workload leaves that does not depend on who won (the finalizers left, the
             CRDs whose names were accepted, the event types each watch saw)
  checks     invariants of the final state, computed from each server's own answers: every
             201 listed and nothing else, no lost patch, the quota's hard limit held, watch events
             neither missed nor doubled with strictly increasing resourceVersions, no node port
             given twice; a check lists its violations, and any 5xx or missing answer of ours is one

The workloads (WORKLOADS): creates of one name, PUTs with one resourceVersion and without,
merge/strategic/JSON patches and applies of one object (disjoint, conflicting, forced, shared),
updates racing deletes, deletes with preconditions, finalizers during Foreground/Background
deletes and removed by racing patches, a namespace deleted during creates, generateName bursts,
deletecollection during creates, watches and paging during writes, two schedulers binding, status
against spec (built-in and custom), quotas of configmaps and of pod cpu, leases created by PUTs and
taken by candidates, services asking for one IP and node port, evictions under a budget, CRDs
deleted, changed and named alike during writes, CSR approvals, 32 busy clients. The etcd ones:
compare-and-swap creates, updates and deletes of one key, puts under a watch, lease grants, reads
racing a compaction.

Prints one block per workload and writes benchmarks/results/apiserver_races.json.

    python3 benchmarks/apiserver_races.py /work/k8s-bin/kube-apiserver [--workload NAME ...] [--rounds N]
        [--etcd-only | --no-etcd]
"""
from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import re
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchmarks.apiserver_differential import (  # noqa: E402
    APPLY, CSR, JSON, JSON_PATCH, MERGE, RESULTS, STRATEGIC, normalise, start_ours, start_real)
from reference_impl import cluster as local_cluster  # noqa: E402

IMAGE = "registry.k8s.io/pause:3.7"
# The numbers of the racing clients in the names they use (`cm-7`, `c3x5`, `q12`, `m-2`), the
# node a binding lost to, and the resourceVersion a precondition quoted: which client wins a race
# is not compared, only what the others are told.
NUMBERED = re.compile(r"(?<=[a-z])-?\d+(x\d+)?\b")
NODE = re.compile(r'node "node-[ab]"')
PRECONDITION_RV = re.compile(r"(the ResourceVersion in the precondition \(|ResourceVersion in precondition: )\d+")


@dataclass(frozen=True)
class Outcome:
    code: int
    reason: str
    message: str

    def key(self) -> str:
        if self.code >= 400 or self.code == 0:
            return f"{self.code} {self.reason}: {self.message}"
        return f"{self.code} {self.reason}".rstrip()  # an etcd workload's outcome names itself


class Client:
    """One kept-alive HTTPS connection (one per thread: http.client is not thread safe)."""

    def __init__(self, url: str, tls: ssl.SSLContext) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port, self.tls = parsed.hostname, parsed.port, tls
        self.connection: http.client.HTTPSConnection | None = None

    def request(self, method: str, path: str, body: object = None, content_type: str = JSON,
                timeout: float = 30.0) -> tuple[Outcome, dict]:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=timeout)
            try:
                headers = {"Accept": JSON}
                if data is not None:
                    headers["Content-Type"] = content_type
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as err:
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return Outcome(0, "(no answer)", f"{type(err).__name__}: {err}"), {}
                continue
            try:
                decoded = json.loads(raw) if raw else {}
            except ValueError:
                decoded = {"undecodable": raw[:200].decode(errors="replace")}
            if response.status >= 400:
                message = PRECONDITION_RV.sub(r"\1<rv>", normalise(str(decoded.get("message", decoded))))
                message = NODE.sub('node "node-X"', NUMBERED.sub("N", message))
                return Outcome(response.status, str(decoded.get("reason", "")), message), decoded
            return Outcome(response.status, "", ""), decoded
        raise AssertionError("unreachable")

    def watch(self, path: str, until: Callable[[list[dict]], bool], timeout: float) -> list[dict]:
        """The events of a watch at `path` until `until(events)` holds or `timeout` passes."""
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=timeout)
        connection.request("GET", path, headers={"Accept": JSON})
        response = connection.getresponse()
        events: list[dict] = []
        deadline = time.monotonic() + timeout
        try:
            while not until(events) and time.monotonic() < deadline:
                line = response.readline()
                if not line:
                    break
                line = line.strip()
                if line and not line.isdigit() and line not in (b"",):
                    try:
                        events.append(json.loads(line))
                    except ValueError:
                        pass
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        return events


@dataclass
class Target:
    """One server under a workload: its URL, its admin TLS context, a namespace of the workload's own."""
    name: str
    url: str
    tls: ssl.SSLContext
    namespace: str

    def client(self) -> Client:
        return Client(self.url, self.tls)

    def ns(self, resource: str, name: str = "", group: str = "") -> str:
        root = f"/apis/{group}" if group else "/api/v1"
        return f"{root}/namespaces/{self.namespace}/{resource}" + (f"/{name}" if name else "")


@dataclass
class Result:
    outcomes: list[Outcome] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    set_only: bool = False
    final: str = ""  # what the workload leaves that does not depend on who won: compared too


def answers(client: Client, path: str, code: int, within: float) -> bool:
    """Whether a GET of `path` answers `code` within `within` seconds (a CRD served or gone)."""
    deadline = time.monotonic() + within
    while client.request("GET", path)[0].code != code:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def exactly_one(outcomes: list[Outcome], code: int) -> Result:
    """The outcomes of a race only one request may win, with a violation unless one got `code`."""
    result = Result(outcomes)
    if sum(o.code == code for o in outcomes) != 1:
        result.violations.append(f"not exactly one {code}")
    return result


def race(target: Target, jobs: list[Callable[[Client], Outcome | list[Outcome]]]) -> list[Outcome]:
    """Run the jobs at once, one thread and one connection each; their outcomes in job order."""
    barrier = threading.Barrier(len(jobs))
    results: list[list[Outcome]] = [[] for _ in jobs]
    clients = [target.client() for _ in jobs]
    for client in clients:  # connect first, so that the barrier releases requests, not handshakes
        client.request("GET", "/version")

    def run(index: int) -> None:
        barrier.wait()
        got = jobs[index](clients[index])
        results[index] = got if isinstance(got, list) else [got]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [outcome for got in results for outcome in got]


def configmap(name: str, data: dict | None = None, **meta) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}, "data": data or {"k": "v"}}


def names_of(client: Client, path: str) -> set[str]:
    _, listed = client.request("GET", path)
    return {item["metadata"]["name"] for item in listed.get("items", [])}


# --- the workloads ----------------------------------------------------------------------------------

def same_name(t: Target) -> Result:
    """16 clients create configmap `same`: one 201, fifteen 409 AlreadyExists."""
    path = t.ns("configmaps")
    outcomes = race(t, [lambda c, i=i: c.request("POST", path, configmap("same", {"i": str(i)}))[0] for i in range(16)])
    return exactly_one(outcomes, 201)


def same_resource_version(t: Target) -> Result:
    """16 PUTs of one configmap with the same resourceVersion: one 200, the rest 409 Conflict."""
    admin = t.client()
    _, made = admin.request("POST", t.ns("configmaps"), configmap("rv"))
    rv = made["metadata"]["resourceVersion"]
    path = t.ns("configmaps", "rv")
    outcomes = race(t, [lambda c, i=i: c.request("PUT", path, configmap("rv", {"i": str(i)}, resourceVersion=rv))[0]
                        for i in range(16)])
    return exactly_one(outcomes, 200)


def unconditional_puts(t: Target) -> Result:
    """16 PUTs without a resourceVersion: all 200 (the last write wins), the final object one of them."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("free"))
    path = t.ns("configmaps", "free")
    outcomes = race(t, [lambda c, i=i: c.request("PUT", path, configmap("free", {"i": str(i)}))[0] for i in range(16)])
    return Result(outcomes)


def patches(t: Target) -> Result:
    """24 patches (merge, strategic, JSON) each adding its own key to one configmap: all 200, no key lost."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("patched"))
    path = t.ns("configmaps", "patched")

    def patch(c: Client, i: int) -> Outcome:
        kind = (MERGE, STRATEGIC, JSON_PATCH)[i % 3]
        body = [{"op": "add", "path": f"/data/k{i}", "value": str(i)}] if kind == JSON_PATCH else \
            {"data": {f"k{i}": str(i)}}
        return c.request("PATCH", path, body, kind)[0]

    outcomes = race(t, [lambda c, i=i: patch(c, i) for i in range(24)])
    result = Result(outcomes)
    _, final = admin.request("GET", path)
    lost = [i for i in range(24) if f"k{i}" not in final.get("data", {}) and outcomes[i].code == 200]
    if lost:
        result.violations.append(f"patches answered 200 but lost: {lost}")
    return result


def patches_with_precondition(t: Target) -> Result:
    """12 merge patches each carrying the same metadata.resourceVersion: one 200, the rest 409."""
    admin = t.client()
    _, made = admin.request("POST", t.ns("configmaps"), configmap("pre"))
    rv = made["metadata"]["resourceVersion"]
    path = t.ns("configmaps", "pre")
    outcomes = race(t, [lambda c, i=i: c.request("PATCH", path, {"metadata": {"resourceVersion": rv},
                                                                  "data": {f"k{i}": "v"}}, MERGE)[0] for i in range(12)])
    return exactly_one(outcomes, 200)


def applies_disjoint(t: Target) -> Result:
    """12 field managers apply their own key to one configmap: all 200/201, every key kept."""
    path = t.ns("configmaps", "applied")

    def apply(c: Client, i: int) -> Outcome:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {f"k{i}": str(i)}}
        return c.request("PATCH", f"{path}?fieldManager=m{i}", body, APPLY)[0]

    outcomes = race(t, [lambda c, i=i: apply(c, i) for i in range(12)])
    result = Result(outcomes)
    _, final = t.client().request("GET", path)
    lost = [i for i in range(12) if f"k{i}" not in final.get("data", {})]
    if lost:
        result.violations.append(f"applied keys lost: {lost}")
    managers = {m["manager"] for m in final.get("metadata", {}).get("managedFields", [])}
    if managers != {f"m{i}" for i in range(12)}:
        result.violations.append(f"managers {sorted(managers)}")
    return result


def applies_conflicting(t: Target) -> Result:
    """12 field managers apply different values to one key: one wins, the others 409 Conflict."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("contested", {"other": "x"}))
    path = t.ns("configmaps", "contested")

    def apply(c: Client, i: int) -> Outcome:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "contested"}, "data": {"k": str(i)}}
        return c.request("PATCH", f"{path}?fieldManager=m-{i}", body, APPLY)[0]

    outcomes = race(t, [lambda c, i=i: apply(c, i) for i in range(12)])
    return exactly_one(outcomes, 200)


def update_vs_delete(t: Target) -> Result:
    """8 writers GET-then-PUT one configmap in a loop while it is deleted: no 5xx; the object gone."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("doomed"))
    path = t.ns("configmaps", "doomed")

    def writer(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(6):
            outcome, obj = c.request("GET", path)
            if outcome.code != 200:
                got.append(outcome)
                break
            obj["data"] = {"w": f"{i}-{n}"}
            got.append(c.request("PUT", path, obj)[0])
        return got

    def deleter(c: Client) -> Outcome:
        time.sleep(0.02)
        return c.request("DELETE", path)[0]

    outcomes = race(t, [lambda c, i=i: writer(c, i) for i in range(8)] + [deleter])
    result = Result(outcomes, set_only=True)
    if admin.request("GET", path)[0].code != 404:
        result.violations.append("the object outlived its delete")
    return result


def delete_preconditions(t: Target) -> Result:
    """8 deletes with preconditions (the original uid and resourceVersion) race 8 PUTs with the same
    resourceVersion: exactly one of the 16 succeeds."""
    admin = t.client()
    _, made = admin.request("POST", t.ns("configmaps"), configmap("guarded"))
    uid, rv = made["metadata"]["uid"], made["metadata"]["resourceVersion"]
    path = t.ns("configmaps", "guarded")
    delete = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": uid, "resourceVersion": rv}}
    jobs = [lambda c: c.request("DELETE", path, delete)[0] for _ in range(8)]
    jobs += [lambda c, i=i: c.request("PUT", path, configmap("guarded", {"i": str(i)}, resourceVersion=rv))[0]
             for i in range(8)]
    outcomes = race(t, jobs)
    result = Result(outcomes, set_only=True)
    if sum(o.code == 200 for o in outcomes) != 1:
        result.violations.append(f"{sum(o.code == 200 for o in outcomes)} successes, not one")
    return result


def finalizers_during_delete(t: Target) -> Result:
    """A configmap with a finalizer deleted (Foreground and Background, 4 each) while 8 clients
    patch finalizers in and out: no 5xx; once the finalizers are removed the object goes."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("held", finalizers=["example.com/a"]))
    path = t.ns("configmaps", "held")

    def deleter(c: Client, policy: str) -> Outcome:
        return c.request("DELETE", path, {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy})[0]

    def toggler(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(3):
            add = [{"op": "add", "path": "/metadata/finalizers/-", "value": f"example.com/t{i}"}]
            got.append(c.request("PATCH", path, add, JSON_PATCH)[0])
            got.append(c.request("PATCH", path, {"metadata": {"finalizers": ["example.com/a"]}}, MERGE)[0])
        return got

    jobs = [lambda c, p=p: deleter(c, p) for p in ("Foreground", "Background") * 4]
    outcomes = race(t, jobs + [lambda c, i=i: toggler(c, i) for i in range(8)])
    result = Result(outcomes, set_only=True)
    admin.request("PATCH", path, {"metadata": {"finalizers": None}}, MERGE)
    if not answers(admin, path, 404, within=5):
        result.violations.append("still there after its finalizers were removed")
        time.sleep(0.1)
    return result


def namespace_terminating(t: Target) -> Result:
    """8 clients create configmaps in a namespace while it is deleted: 201s before Terminating,
    403 "being terminated" after; every 201 listed, nothing else."""
    admin = t.client()
    space = f"{t.namespace}-term"
    admin.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": space}})
    path = f"/api/v1/namespaces/{space}/configmaps"
    made: list[str] = []
    lock = threading.Lock()

    def creator(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(8):
            name = f"c{i}x{n}"
            outcome = c.request("POST", path, configmap(name))[0]
            got.append(outcome)
            if outcome.code == 201:
                with lock:
                    made.append(name)
        return got

    def deleter(c: Client) -> Outcome:
        time.sleep(0.05)
        return c.request("DELETE", f"/api/v1/namespaces/{space}")[0]

    outcomes = race(t, [lambda c, i=i: creator(c, i) for i in range(8)] + [deleter])
    result = Result(outcomes, set_only=True)
    listed = names_of(admin, path)
    if listed != set(made):
        result.violations.append(f"listed {len(listed)}, created {len(made)}: {sorted(listed ^ set(made))[:5]}")
    forbidden = [i for i, o in enumerate(outcomes) if o.code == 403]
    # after the first 403 of a creator, its later creates must all be 403 too
    for i in range(8):
        codes = [o.code for o in outcomes[i * 8:(i + 1) * 8]]
        if 403 in codes and any(code == 201 for code in codes[codes.index(403):]):
            result.violations.append(f"creator {i}: a 201 after a 403")
    del forbidden
    return result


def generate_name(t: Target) -> Result:
    """32 creates with one generateName: all 201 with distinct names."""
    path = t.ns("configmaps")
    names: list[str] = []
    lock = threading.Lock()

    def create(c: Client) -> Outcome:
        outcome, obj = c.request("POST", path, {"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"generateName": "gen-"}})
        if outcome.code == 201:
            with lock:
                names.append(obj["metadata"]["name"])
        return outcome

    outcomes = race(t, [create for _ in range(32)])
    result = Result(outcomes)
    if len(set(names)) != len(names):
        result.violations.append("duplicate generated names")
    if len(names_of(t.client(), path) & set(names)) != len(names):
        result.violations.append("a generated object missing")
    return result


def deletecollection_vs_creates(t: Target) -> Result:
    """8 creators of labelled configmaps race 2 deletecollections: no 5xx; afterwards nothing
    deleted is listed and nothing created before the last deletecollection began is left."""
    admin = t.client()
    path = t.ns("configmaps")

    def creator(c: Client, i: int) -> list[Outcome]:
        return [c.request("POST", path, configmap(f"d{i}x{n}", labels={"sweep": "yes"}))[0] for n in range(6)]

    def sweeper(c: Client) -> Outcome:
        time.sleep(0.03)
        return c.request("DELETE", f"{path}?labelSelector=sweep%3Dyes")[0]

    outcomes = race(t, [lambda c, i=i: creator(c, i) for i in range(8)] + [sweeper, sweeper])
    result = Result(outcomes, set_only=True)
    admin.request("DELETE", f"{path}?labelSelector=sweep%3Dyes")
    left = names_of(admin, f"{path}?labelSelector=sweep%3Dyes")
    if left:
        result.violations.append(f"left after a quiet deletecollection: {sorted(left)[:5]}")
    return result


def watch_during_writes(t: Target) -> Result:
    """A watch opened at a resourceVersion while 8 writers create and update configmaps: every
    write seen once, resourceVersions strictly increasing."""
    admin = t.client()
    path = t.ns("configmaps")
    _, listed = admin.request("GET", path)
    start = listed["metadata"]["resourceVersion"]
    writes = 8 * 5 * 2
    seen: list[dict] = []

    def watcher() -> None:
        seen.extend(t.client().watch(f"{path}?watch=1&resourceVersion={start}&allowWatchBookmarks=false",
                                     lambda events: len(events) >= writes, 30.0))

    thread = threading.Thread(target=watcher)
    thread.start()
    time.sleep(0.3)

    def writer(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(5):
            got.append(c.request("POST", path, configmap(f"w{i}x{n}"))[0])
            got.append(c.request("PATCH", t.ns("configmaps", f"w{i}x{n}"), {"data": {"n": "1"}}, MERGE)[0])
        return got

    outcomes = race(t, [lambda c, i=i: writer(c, i) for i in range(8)])
    thread.join()
    result = Result(outcomes)
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in seen if e.get("type") in ("ADDED", "MODIFIED")]
    if len(versions) != writes:
        result.violations.append(f"{len(versions)} events for {writes} writes")
    if any(b <= a for a, b in zip(versions, versions[1:])):
        result.violations.append("resourceVersions not strictly increasing")
    keys = [(e["type"], e["object"]["metadata"]["name"]) for e in seen]
    if len(set(keys)) != len(keys):
        result.violations.append("an event doubled")
    return result


def pod(name: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": IMAGE}], **spec}}


def bindings(t: Target) -> Result:
    """Two schedulers bind one pod to different nodes, 4 pods: per pod one 201 and one 409."""
    admin = t.client()
    for p in range(4):
        admin.request("POST", t.ns("pods"), pod(f"b{p}"))

    def bind(c: Client, p: int, node: str) -> Outcome:
        body = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": f"b{p}"},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node}}
        return c.request("POST", t.ns("pods", f"b{p}") + "/binding", body)[0]

    outcomes = race(t, [lambda c, p=p, n=n: bind(c, p, n) for p in range(4) for n in ("node-a", "node-b")])
    result = Result(outcomes)
    for p in range(4):
        if sorted(o.code for o in outcomes[p * 2:p * 2 + 2]) != [201, 409]:
            result.violations.append(f"pod b{p}: {[o.code for o in outcomes[p * 2:p * 2 + 2]]}")
    return result


def status_vs_spec(t: Target) -> Result:
    """PUTs of a deployment's spec and of its status with one resourceVersion, 4 each: one wins;
    then 8 merge patches of each: all 200, both kept."""
    admin = t.client()
    group = "apps/v1"
    labels = {"app": "race"}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "dep"},
                  "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                           "template": {"metadata": {"labels": labels}, "spec": pod("x")["spec"]}}}
    _, made = admin.request("POST", t.ns("deployments", group=group), deployment)
    path = t.ns("deployments", "dep", group=group)

    def put_spec(c: Client, i: int) -> Outcome:
        body = json.loads(json.dumps(made))
        body["spec"]["replicas"] = i + 2
        return c.request("PUT", path, body)[0]

    def put_status(c: Client, i: int) -> Outcome:
        body = json.loads(json.dumps(made))
        body["status"] = {"observedGeneration": i + 1, "replicas": 0}
        return c.request("PUT", path + "/status", body)[0]

    outcomes = race(t, [lambda c, i=i: put_spec(c, i) for i in range(4)] + [lambda c, i=i: put_status(c, i) for i in range(4)])
    result = Result(outcomes)
    if sum(o.code == 200 for o in outcomes) != 1:
        result.violations.append(f"{sum(o.code == 200 for o in outcomes)} PUTs won, not one")
    patched = race(t, [lambda c, i=i: c.request("PATCH", path, {"metadata": {"labels": {f"l{i}": "x"}}}, MERGE)[0]
                       for i in range(8)] +
                   [lambda c, i=i: c.request("PATCH", path + "/status", {"status": {"observedGeneration": 7 + i}}, MERGE)[0]
                    for i in range(8)])
    result.outcomes += patched
    _, final = admin.request("GET", path)
    if len([k for k in final["metadata"].get("labels", {}) if k.startswith("l")]) != 8:
        result.violations.append("a label patch lost")
    return result


def quota(t: Target) -> Result:
    """16 concurrent configmap creates under a ResourceQuota of 5 configmaps: 5 201, 11 403, never over."""
    admin = t.client()
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"configmaps": "5"}}}
    _, made = admin.request("POST", t.ns("resourcequotas"), body)
    # No quota controller runs on either server: the workload is it, once, before the race.
    made["status"] = {"hard": {"configmaps": "5"}, "used": {"configmaps": str(len(names_of(admin, t.ns("configmaps"))))}}
    admin.request("PUT", t.ns("resourcequotas", "q") + "/status", made)
    path = t.ns("configmaps")
    outcomes = race(t, [lambda c, i=i: c.request("POST", path, configmap(f"q{i}"))[0] for i in range(16)])
    result = Result(outcomes)
    present = names_of(admin, path)
    if len(present) > 5:
        result.violations.append(f"{len(present)} configmaps under a hard limit of 5")
    _, final = admin.request("GET", t.ns("resourcequotas", "q"))
    if final.get("status", {}).get("used", {}).get("configmaps") != str(len(present)):
        result.violations.append(f"used {final.get('status', {}).get('used')} for {len(present)} configmaps")
    return result


def put_creates(t: Target) -> Result:
    """16 PUTs of a Lease that does not exist (leases create on update): one 201, the rest 200."""
    path = t.ns("leases", "l", group="coordination.k8s.io/v1")
    body = lambda i: {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},  # noqa: E731
                      "spec": {"holderIdentity": f"h{i}"}}
    outcomes = race(t, [lambda c, i=i: c.request("PUT", path, body(i))[0] for i in range(16)])
    return exactly_one(outcomes, 201)


def deletes(t: Target) -> Result:
    """16 DELETEs of one configmap: one 200, fifteen 404."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("gone"))
    path = t.ns("configmaps", "gone")
    outcomes = race(t, [lambda c: c.request("DELETE", path)[0] for _ in range(16)])
    return exactly_one(outcomes, 200)


CRD_GROUP = "races.example.com"


def custom(t: Target) -> Result:
    """A custom resource: 12 creates of one name, 12 PUTs with one resourceVersion, 12 merge
    patches and 12 applies of their own keys, 12 applies of one key by different managers."""
    admin = t.client()
    plural = f"{t.namespace.replace('-', '')}s"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": f"{plural}.{CRD_GROUP}"},
           "spec": {"group": CRD_GROUP, "scope": "Namespaced",
                    "names": {"plural": plural, "singular": plural[:-1], "kind": "Race" + plural[4:-1].capitalize()},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                                      "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}
    admin.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    kind = crd["spec"]["names"]["kind"]
    collection = t.ns(plural, group=f"{CRD_GROUP}/v1")
    answers(admin, collection, 200, within=20)
    obj = lambda name, spec, **meta: {"apiVersion": f"{CRD_GROUP}/v1", "kind": kind,  # noqa: E731
                                      "metadata": {"name": name, **meta}, "spec": spec}
    outcomes = race(t, [lambda c, i=i: c.request("POST", collection, obj("one", {"i": -1 - i}))[0] for i in range(12)])
    _, made = admin.request("GET", f"{collection}/one")
    rv = made["metadata"]["resourceVersion"]
    outcomes += race(t, [lambda c, i=i: c.request("PUT", f"{collection}/one", obj("one", {"i": i}, resourceVersion=rv))[0]
                         for i in range(12)])
    outcomes += race(t, [lambda c, i=i: c.request("PATCH", f"{collection}/one", {"spec": {f"k{i}": i}}, MERGE)[0]
                         for i in range(12)])
    outcomes += race(t, [lambda c, i=i: c.request("PATCH", f"{collection}/applied?fieldManager=m{i}",
                                                  obj("applied", {f"k{i}": i}), APPLY)[0] for i in range(12)])
    outcomes += race(t, [lambda c, i=i: c.request("PATCH", f"{collection}/one?fieldManager=m{i}",
                                                  obj("one", {"k0": 100 + i}), APPLY)[0] for i in range(12)])
    result = Result(outcomes)
    _, final = admin.request("GET", f"{collection}/applied")
    lost = [i for i in range(12) if f"k{i}" not in final.get("spec", {})]
    if lost:
        result.violations.append(f"applied keys lost: {lost}")
    admin.request("DELETE", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{plural}.{CRD_GROUP}")
    return result


def service(name: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}], **spec}}


def service_ips(t: Target) -> Result:
    """16 Services asking for one clusterIP, one nodePort: one 201 each; 16 Services asking for
    nothing: all 201 with distinct clusterIPs."""
    path = t.ns("services")
    index = int(t.namespace.rsplit("-", 1)[-1])
    ip, port = f"10.96.{200 + index}.7", 30100 + index
    outcomes = race(t, [lambda c, i=i: c.request("POST", path, service(f"ip{i}", clusterIP=ip))[0] for i in range(16)])
    outcomes += race(t, [lambda c, i=i: c.request("POST", path, service(
        f"np{i}", type="NodePort", ports=[{"port": 80, "nodePort": port}]))[0] for i in range(16)])
    made: list[str] = []
    lock = threading.Lock()

    def auto(c: Client, i: int) -> Outcome:
        outcome, obj = c.request("POST", path, service(f"auto{i}", type="NodePort"))
        if outcome.code == 201:
            with lock:
                made.append(obj["spec"]["clusterIP"])
                made.append(str(obj["spec"]["ports"][0]["nodePort"]))
        return outcome

    outcomes += race(t, [lambda c, i=i: auto(c, i) for i in range(16)])
    result = Result(outcomes)
    if len(set(made)) != len(made):
        result.violations.append("an IP or node port given twice")
    return result


def pod_deletes(t: Target) -> Result:
    """8 graceful deletes of one pod (30 s, then 8 more with 10 s) and 8 evictions of another."""
    admin = t.client()
    # Bound to a node (that need not exist): an unbound pod is deleted at once, whatever the grace period.
    admin.request("POST", t.ns("pods"), pod("graceful", nodeName="node-a"))
    admin.request("POST", t.ns("pods"), pod("evicted", nodeName="node-a"))
    path = t.ns("pods", "graceful")
    options = lambda grace: {"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": grace}  # noqa: E731
    outcomes = race(t, [lambda c: c.request("DELETE", path, options(30))[0] for _ in range(8)])
    outcomes += race(t, [lambda c: c.request("DELETE", path, options(10))[0] for _ in range(8)])
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "evicted"},
                "deleteOptions": options(20)}
    outcomes += race(t, [lambda c: c.request("POST", t.ns("pods", "evicted") + "/eviction", eviction)[0]
                         for _ in range(8)])
    result = Result(outcomes, set_only=True)
    _, final = admin.request("GET", path)
    if final.get("metadata", {}).get("deletionGracePeriodSeconds") != 10:
        result.violations.append(f"grace period {final.get('metadata', {}).get('deletionGracePeriodSeconds')}")
    return result


def scale_vs_spec(t: Target) -> Result:
    """8 patches of a deployment's scale subresource and 8 of its labels: all 200, the labels kept."""
    admin = t.client()
    labels = {"app": "scaled"}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "scaled"},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": pod("x")["spec"]}}}
    admin.request("POST", t.ns("deployments", group="apps/v1"), body)
    path = t.ns("deployments", "scaled", group="apps/v1")
    outcomes = race(t, [lambda c, i=i: c.request("PATCH", path + "/scale", {"spec": {"replicas": i + 2}}, MERGE)[0]
                        for i in range(8)] +
                    [lambda c, i=i: c.request("PATCH", path, {"metadata": {"labels": {f"l{i}": "x"}}}, STRATEGIC)[0]
                     for i in range(8)])
    _, made = admin.request("GET", path + "/scale")
    rv = made["metadata"]["resourceVersion"]
    outcomes += race(t, [lambda c, i=i: c.request("PUT", path + "/scale", {
        "apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": {"name": "scaled", "namespace": t.namespace, "resourceVersion": rv},
        "spec": {"replicas": 20 + i}})[0] for i in range(8)])
    result = Result(outcomes)
    _, final = admin.request("GET", path)
    if len([k for k in final["metadata"].get("labels", {}) if k.startswith("l")]) != 8:
        result.violations.append("a label patch lost")
    return result


def namespaces(t: Target) -> Result:
    """8 creates of one namespace racing 8 deletes of it, then 8 deletes of a namespace: no 5xx."""
    admin = t.client()
    name = f"{t.namespace}-ns"
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    outcomes = race(t, [lambda c: c.request("POST", "/api/v1/namespaces", body)[0] for _ in range(8)] +
                    [lambda c: c.request("DELETE", f"/api/v1/namespaces/{name}")[0] for _ in range(8)])
    other = f"{t.namespace}-ns2"
    admin.request("POST", "/api/v1/namespaces", {**body, "metadata": {"name": other}})
    outcomes += race(t, [lambda c: c.request("DELETE", f"/api/v1/namespaces/{other}")[0] for _ in range(8)])
    return Result(outcomes, set_only=True)


def leader_election(t: Target) -> Result:
    """16 candidates PUT one Lease with the resourceVersion they read: one 200, fifteen 409."""
    admin = t.client()
    path = t.ns("leases", "leader", group="coordination.k8s.io/v1")
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "leader"},
             "spec": {"holderIdentity": "nobody", "leaseDurationSeconds": 15}}
    _, made = admin.request("PUT", path, lease)
    rv = made["metadata"]["resourceVersion"]
    outcomes = race(t, [lambda c, i=i: c.request("PUT", path, {**lease, "metadata": {"name": "leader", "resourceVersion": rv},
                                                               "spec": {"holderIdentity": f"c{i}"}})[0]
                        for i in range(16)])
    return Result(outcomes)


def quota_pods(t: Target) -> Result:
    """12 pod creates (100m cpu each) under a quota of 3 pods and 250m cpu requests: never over."""
    admin = t.client()
    hard = {"pods": "3", "requests.cpu": "250m"}
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "qp"}, "spec": {"hard": hard}}
    _, made = admin.request("POST", t.ns("resourcequotas"), body)
    made["status"] = {"hard": hard, "used": {"pods": "0", "requests.cpu": "0"}}
    admin.request("PUT", t.ns("resourcequotas", "qp") + "/status", made)
    spec = {"containers": [{"name": "c", "image": IMAGE, "resources": {"requests": {"cpu": "100m"},
                                                                         "limits": {"cpu": "100m"}}}]}
    outcomes = race(t, [lambda c, i=i: c.request("POST", t.ns("pods"), pod(f"qp{i}", **spec))[0] for i in range(12)])
    result = Result(outcomes)
    present = names_of(admin, t.ns("pods"))
    if len(present) > 2:
        result.violations.append(f"{len(present)} pods of 100m under 250m")
    return result


def paging_during_writes(t: Target) -> Result:
    """Pages of 7 followed by their continue tokens while 8 writers create configmaps: the pages
    are one snapshot (the first page's resourceVersion), no name twice, every name made before it."""
    admin = t.client()
    path = t.ns("configmaps")
    for n in range(30):
        admin.request("POST", path, configmap(f"before{n}"))
    pages: list[list[str]] = []
    snapshot: list[str] = []

    def pager(c: Client) -> list[Outcome]:
        got, token = [], ""
        while True:
            query = "limit=7" + (f"&continue={urllib.parse.quote(token)}" if token else "")
            outcome, listed = c.request("GET", f"{path}?{query}")
            got.append(outcome)
            if outcome.code != 200:
                return got
            if not pages:
                snapshot.append(listed["metadata"]["resourceVersion"])
            pages.append([item["metadata"]["name"] for item in listed["items"]])
            token = listed["metadata"].get("continue", "")
            if not token:
                return got
            time.sleep(0.01)

    def writer(c: Client, i: int) -> list[Outcome]:
        return [c.request("POST", path, configmap(f"during{i}x{n}"))[0] for n in range(6)]

    outcomes = race(t, [pager] + [lambda c, i=i: writer(c, i) for i in range(8)])
    result = Result(outcomes, set_only=True)
    names = [name for page in pages for name in page]
    if len(set(names)) != len(names):
        result.violations.append("a name on two pages")
    if not {f"before{n}" for n in range(30)} <= set(names):
        result.violations.append("an object made before the list is missing")
    _, listed = admin.request("GET", f"{path}?resourceVersion={snapshot[0]}&resourceVersionMatch=Exact") \
        if snapshot else (None, {})
    if snapshot and sorted(item["metadata"]["name"] for item in listed.get("items", [])) != sorted(names):
        result.violations.append("the pages are not the snapshot of their resourceVersion")
    return result


def json_patch_tests(t: Target) -> Result:
    """16 JSON patches `test /data/v == 0, replace /data/v`: one 200, the others refused as upstream refuses them."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("tested", {"v": "0"}))
    path = t.ns("configmaps", "tested")
    outcomes = race(t, [lambda c, i=i: c.request("PATCH", path, [{"op": "test", "path": "/data/v", "value": "0"},
                                                                  {"op": "replace", "path": "/data/v", "value": f"{i + 1}"}],
                                                 JSON_PATCH)[0] for i in range(16)])
    return exactly_one(outcomes, 200)


def delete_propagation(t: Target) -> Result:
    """A deployment deleted at once with propagationPolicy Orphan, Foreground and Background (4
    each), no garbage collector running: no 5xx; the finalizers it keeps compared."""
    admin = t.client()
    labels = {"app": "propagated"}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "prop"},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": pod("x")["spec"]}}}
    admin.request("POST", t.ns("deployments", group="apps/v1"), body)
    path = t.ns("deployments", "prop", group="apps/v1")
    options = lambda policy: {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": policy}  # noqa: E731
    outcomes = race(t, [lambda c, p=p: c.request("DELETE", path, options(p))[0]
                        for p in ("Orphan", "Foreground", "Background") * 4])
    return Result(outcomes, set_only=True)


def watchers(t: Target) -> Result:
    """8 watches opened without a resourceVersion (from now, the cache) and 4 with a label selector
    while 4 writers create configmaps and flip their labels: each watch sees every event once, in
    order; the selector's see ADDED when a label starts to match and DELETED when it stops."""
    admin = t.client()
    path = t.ns("configmaps")
    _, listed = admin.request("GET", path)
    start = listed["metadata"]["resourceVersion"]
    writes = 4 * 4 * 3
    seen: dict[int, list[dict]] = {}

    def watcher(i: int) -> None:
        selector = "&labelSelector=flip%3Don" if i >= 8 else ""
        want = writes if i < 8 else 4 * 4 * 2
        seen[i] = t.client().watch(f"{path}?watch=1&resourceVersion={start}{selector}",
                                   lambda events: len(events) >= want, 20.0)

    threads = [threading.Thread(target=watcher, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)

    def writer(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(4):
            name = f"f{i}x{n}"
            got.append(c.request("POST", path, configmap(name, labels={"flip": "off"}))[0])
            got.append(c.request("PATCH", t.ns("configmaps", name), {"metadata": {"labels": {"flip": "on"}}}, MERGE)[0])
            got.append(c.request("PATCH", t.ns("configmaps", name), {"metadata": {"labels": {"flip": "off"}}}, MERGE)[0])
        return got

    outcomes = race(t, [lambda c, i=i: writer(c, i) for i in range(4)])
    for thread in threads:
        thread.join()
    result = Result(outcomes)
    kinds = []
    for i, events in sorted(seen.items()):
        versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events if e.get("type") != "BOOKMARK"]
        if any(b <= a for a, b in zip(versions, versions[1:])):
            result.violations.append(f"watch {i}: resourceVersions not increasing")
        kinds.append(",".join(f"{k}={n}" for k, n in sorted(collections.Counter(e.get("type") for e in events).items())))
    result.final = " | ".join(sorted(set(kinds)))
    return result


def approvals(t: Target) -> Result:
    """8 clients approve one CertificateSigningRequest with the resourceVersion they read: one 200."""
    admin = t.client()
    name = f"{t.namespace}-csr"
    csr = {**CSR, "metadata": {"name": name}}
    _, made = admin.request("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr)
    path = f"/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/approval"

    def approve(c: Client, i: int) -> Outcome:
        body = json.loads(json.dumps(made))
        body["status"] = {"conditions": [{"type": "Approved", "status": "True", "reason": f"R{i}", "message": "m"}]}
        return c.request("PUT", path, body)[0]

    outcomes = race(t, [lambda c, i=i: approve(c, i) for i in range(8)])
    result = Result(outcomes)
    admin.request("DELETE", f"/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}")
    return result


def forced_applies(t: Target) -> Result:
    """8 managers force-apply one key while 8 merge patches set it: all 200, the last write stays one of theirs."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("forced", {"k": "start"}))
    path = t.ns("configmaps", "forced")
    body = lambda i: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "forced"}, "data": {"k": f"a{i}"}}  # noqa: E731
    outcomes = race(t, [lambda c, i=i: c.request("PATCH", f"{path}?fieldManager=f{i}&force=true", body(i), APPLY)[0]
                        for i in range(8)] +
                    [lambda c, i=i: c.request("PATCH", path, {"data": {"k": f"p{i}"}}, MERGE)[0] for i in range(8)])
    result = Result(outcomes)
    _, final = admin.request("GET", path)
    owners = [m["manager"] for m in final["metadata"].get("managedFields", []) if "f:k" in json.dumps(m.get("fieldsV1"))]
    if len(owners) != 1:
        result.violations.append(f"data.k owned by {owners}")
    return result


def crd_deleted_during_creates(t: Target) -> Result:
    """A CRD deleted while 8 clients create its objects: 201s, then refusals in upstream's words; no 5xx."""
    admin = t.client()
    plural = f"{t.namespace.replace('-', '')}s"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": f"{plural}.{CRD_GROUP}"},
           "spec": {"group": CRD_GROUP, "scope": "Namespaced",
                    "names": {"plural": plural, "singular": plural[:-1], "kind": "Gone" + plural[4:-1].capitalize()},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    admin.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    collection = t.ns(plural, group=f"{CRD_GROUP}/v1")
    answers(admin, collection, 200, within=20)
    kind = crd["spec"]["names"]["kind"]

    def creator(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(6):
            got.append(c.request("POST", collection, {"apiVersion": f"{CRD_GROUP}/v1", "kind": kind,
                                                      "metadata": {"name": f"o{i}x{n}"}})[0])
            time.sleep(0.02)
        return got

    def deleter(c: Client) -> Outcome:
        time.sleep(0.2)
        return c.request("DELETE", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{plural}.{CRD_GROUP}")[0]

    # The first create of a kind is slow upstream (its schema's models are built then): made before the race.
    admin.request("POST", collection, {"apiVersion": f"{CRD_GROUP}/v1", "kind": kind, "metadata": {"name": "warm"}})
    outcomes = race(t, [lambda c, i=i: creator(c, i) for i in range(8)] + [deleter])
    result = Result(outcomes, set_only=True)
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    answers(admin, f"{crds}/{plural}.{CRD_GROUP}", 404, within=30)
    admin.request("POST", crds, crd)  # made again: whatever it serves at once outlived the first one
    answers(admin, collection, 200, within=20)
    left = names_of(admin, collection)
    if left:
        result.violations.append(f"stranded after the CRD was deleted: {sorted(left)[:5]}")
    admin.request("DELETE", f"{crds}/{plural}.{CRD_GROUP}")
    return result


def evictions_with_budget(t: Target) -> Result:
    """8 pods under a PodDisruptionBudget allowing one disruption (its status written here, no
    disruption controller runs), each evicted at once: one 201, the rest 429."""
    admin = t.client()
    labels = {"app": "budget"}
    for i in range(8):
        _, made = admin.request("POST", t.ns("pods"), {**pod(f"e{i}", nodeName="node-a"),
                                                       "metadata": {"name": f"e{i}", "labels": labels}})
        # Running and Ready (as a kubelet would say): a pending pod is evicted whatever the budget.
        made["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
        admin.request("PUT", t.ns("pods", f"e{i}") + "/status", made)
    budgets = t.ns("poddisruptionbudgets", group="policy/v1")
    _, made = admin.request("POST", budgets, {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                                              "metadata": {"name": "budget"},
                                              "spec": {"minAvailable": 7, "selector": {"matchLabels": labels}}})
    made["status"] = {"observedGeneration": made["metadata"].get("generation", 1), "disruptionsAllowed": 1,
                      "currentHealthy": 8, "desiredHealthy": 7, "expectedPods": 8}
    admin.request("PUT", f"{budgets}/budget/status", made)
    eviction = lambda i: {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": f"e{i}"}}  # noqa: E731
    outcomes = race(t, [lambda c, i=i: c.request("POST", t.ns("pods", f"e{i}") + "/eviction", eviction(i))[0]
                        for i in range(8)])
    result = Result(outcomes)
    if sum(o.code == 201 for o in outcomes) != 1:
        result.violations.append(f"{sum(o.code == 201 for o in outcomes)} evictions under a budget of one")
    return result


def pod_conditions(t: Target) -> Result:
    """8 strategic merge patches of a pod's status, each adding a condition of its own type, and 8
    of its labels: all 200, every condition kept."""
    admin = t.client()
    admin.request("POST", t.ns("pods"), pod("conditioned", nodeName="node-a"))
    path = t.ns("pods", "conditioned")
    condition = lambda i: {"type": f"example.com/c{i}", "status": "True"}  # noqa: E731
    outcomes = race(t, [lambda c, i=i: c.request("PATCH", path + "/status", {"status": {"conditions": [condition(i)]}},
                                                 STRATEGIC)[0] for i in range(8)] +
                    [lambda c, i=i: c.request("PATCH", path, {"metadata": {"labels": {f"l{i}": "x"}}}, STRATEGIC)[0]
                     for i in range(8)])
    result = Result(outcomes)
    _, final = admin.request("GET", path)
    types = {c["type"] for c in final.get("status", {}).get("conditions", [])}
    if not {f"example.com/c{i}" for i in range(8)} <= types:
        result.violations.append(f"conditions lost: {sorted(types)}")
    return result


def crd_updated_during_writes(t: Target) -> Result:
    """A CRD's schema changed 6 times while 6 writers create and patch its objects: no 5xx."""
    admin = t.client()
    plural = f"{t.namespace.replace('-', '')}s"
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": f"{plural}.{CRD_GROUP}"},
           "spec": {"group": CRD_GROUP, "scope": "Namespaced",
                    "names": {"plural": plural, "singular": plural[:-1], "kind": "Upd" + plural[4:-1].capitalize()},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    admin.request("POST", crds, crd)
    collection = t.ns(plural, group=f"{CRD_GROUP}/v1")
    answers(admin, collection, 200, within=20)
    kind = crd["spec"]["names"]["kind"]

    def writer(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(5):
            got.append(c.request("POST", collection, {"apiVersion": f"{CRD_GROUP}/v1", "kind": kind,
                                                      "metadata": {"name": f"u{i}x{n}"}, "spec": {"n": n}})[0])
            got.append(c.request("PATCH", f"{collection}/u{i}x{n}", {"spec": {"m": n}}, MERGE)[0])
        return got

    def updater(c: Client) -> list[Outcome]:
        got = []
        for n in range(6):
            patch = {"spec": {"versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                "type": "object", "description": f"revision {n}", "x-kubernetes-preserve-unknown-fields": True}}}]}}
            got.append(c.request("PATCH", f"{crds}/{plural}.{CRD_GROUP}", patch, MERGE)[0])
            time.sleep(0.05)
        return got

    outcomes = race(t, [lambda c, i=i: writer(c, i) for i in range(6)] + [updater])
    result = Result(outcomes)
    if len(names_of(admin, collection)) != 30:
        result.violations.append(f"{len(names_of(admin, collection))} objects for 30 creates")
    admin.request("DELETE", f"{crds}/{plural}.{CRD_GROUP}")
    return result


def finalizer_removal(t: Target) -> Result:
    """8 JSON patches removing /metadata/finalizers/0 of an object holding 10 (each re-applied to
    the object it loses to: 2 left); then an object holding 8, deleted, each of 8 clients removing
    its own with $deleteFromPrimitiveList: all 200, the object gone after the last."""
    admin = t.client()
    admin.request("POST", t.ns("configmaps"), configmap("ten", finalizers=[f"example.com/f{n}" for n in range(10)]))
    path = t.ns("configmaps", "ten")
    outcomes = race(t, [lambda c: c.request("PATCH", path, [{"op": "remove", "path": "/metadata/finalizers/0"}],
                                            JSON_PATCH)[0]] * 8)
    result = Result(outcomes)
    _, final = admin.request("GET", path)
    left = final.get("metadata", {}).get("finalizers", [])
    admin.request("PATCH", path, {"metadata": {"finalizers": None}}, MERGE)
    admin.request("POST", t.ns("configmaps"), configmap("eight", finalizers=[f"example.com/f{n}" for n in range(8)]))
    path = t.ns("configmaps", "eight")
    admin.request("DELETE", path)
    result.outcomes += race(t, [lambda c, i=i: c.request("PATCH", path, {"metadata": {
        "$deleteFromPrimitiveList/finalizers": [f"example.com/f{i}"]}}, STRATEGIC)[0] for i in range(8)])
    gone = admin.request("GET", path)[0].code == 404
    result.final = f"left {left}; the deleted object gone: {gone}"
    return result


def endpoints_put_creates(t: Target) -> Result:
    """16 PUTs of Endpoints that do not exist (they create on update and update unconditionally): one 201, fifteen 200."""
    path = t.ns("endpoints", "e")
    body = lambda i: {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e"},  # noqa: E731
                      "subsets": [{"addresses": [{"ip": f"10.1.0.{i + 1}"}], "ports": [{"port": 80}]}]}
    return Result(race(t, [lambda c, i=i: c.request("PUT", path, body(i))[0] for i in range(16)]))


def shared_applies(t: Target) -> Result:
    """8 managers apply the same value to one key at once: all 200/201, the key shared by all of them."""
    path = t.ns("configmaps", "shared")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"k": "same"}}
    outcomes = race(t, [lambda c, i=i: c.request("PATCH", f"{path}?fieldManager=s{i}", body, APPLY)[0] for i in range(8)])
    result = Result(outcomes)
    _, final = t.client().request("GET", path)
    owners = sorted(m["manager"] for m in final["metadata"].get("managedFields", []) if "f:k" in json.dumps(m.get("fieldsV1")))
    result.final = f"owners of data.k: {len(owners)}"
    return result


def crd_name_conflicts(t: Target) -> Result:
    """4 CRDs of one group asking for one kind, created at once: the naming controller accepts the
    names of one; the others are told the kind is in use."""
    admin = t.client()
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    group = f"{t.namespace.replace('-', '')}.example.com"

    def crd(i: int) -> dict:
        return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": f"dup{i}s.{group}"},
                "spec": {"group": group, "scope": "Namespaced",
                         "names": {"plural": f"dup{i}s", "singular": f"dup{i}", "kind": "Dup"},
                         "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                             "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}

    outcomes = race(t, [lambda c, i=i: c.request("POST", crds, crd(i))[0] for i in range(4)])
    time.sleep(3)
    states = []
    for i in range(4):
        _, got = admin.request("GET", f"{crds}/dup{i}s.{group}")
        accepted = [c for c in got.get("status", {}).get("conditions", []) if c["type"] == "NamesAccepted"]
        states.append(f"{accepted[0]['status']} {accepted[0].get('reason', '')}: "
                      f"{NUMBERED.sub('N', accepted[0].get('message', ''))}" if accepted else "no condition")
        admin.request("DELETE", f"{crds}/dup{i}s.{group}")
    result = Result(outcomes)
    result.final = "; ".join(sorted(states))
    return result


def custom_subresources(t: Target) -> Result:
    """A custom resource with status and scale subresources: PUTs of spec and of status with one
    resourceVersion (one wins), then merge patches of status, scale and labels at once (all 200)."""
    admin = t.client()
    plural = f"{t.namespace.replace('-', '')}s"
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": f"{plural}.{CRD_GROUP}"},
           "spec": {"group": CRD_GROUP, "scope": "Namespaced",
                    "names": {"plural": plural, "singular": plural[:-1], "kind": "Sub" + plural[4:-1].capitalize()},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                                           "statusReplicasPath": ".status.replicas"}},
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    admin.request("POST", crds, crd)
    collection = t.ns(plural, group=f"{CRD_GROUP}/v1")
    answers(admin, collection, 200, within=20)
    body = {"apiVersion": f"{CRD_GROUP}/v1", "kind": crd["spec"]["names"]["kind"], "metadata": {"name": "s"},
            "spec": {"replicas": 1}}
    _, made = admin.request("POST", collection, body)
    path = f"{collection}/s"

    def put(c: Client, i: int, status: bool) -> Outcome:
        changed = json.loads(json.dumps(made))
        if status:
            changed["status"] = {"replicas": i}
            return c.request("PUT", path + "/status", changed)[0]
        changed["spec"]["replicas"] = i + 2
        return c.request("PUT", path, changed)[0]

    outcomes = race(t, [lambda c, i=i: put(c, i, False) for i in range(4)] + [lambda c, i=i: put(c, i, True) for i in range(4)])
    outcomes += race(t, [lambda c, i=i: c.request("PATCH", path + "/status", {"status": {f"s{i}": i}}, MERGE)[0]
                         for i in range(6)] +
                     [lambda c, i=i: c.request("PATCH", path + "/scale", {"spec": {"replicas": 10 + i}}, MERGE)[0]
                      for i in range(6)] +
                     [lambda c, i=i: c.request("PATCH", path, {"metadata": {"labels": {f"l{i}": "x"}}}, MERGE)[0]
                      for i in range(6)])
    result = Result(outcomes)
    _, final = admin.request("GET", path)
    kept = (len([k for k in final.get("status", {}) if k.startswith("s")]),
            len([k for k in final["metadata"].get("labels", {}) if k.startswith("l")]))
    if kept != (6, 6):
        result.violations.append(f"status keys, labels kept: {kept}")
    admin.request("DELETE", f"{crds}/{plural}.{CRD_GROUP}")
    return result


def busy(t: Target) -> Result:
    """32 clients each creating, reading, updating, patching, listing and deleting 4 objects of its
    own (configmaps, secrets, pods): every answer a success."""
    def client_work(c: Client, i: int) -> list[Outcome]:
        got = []
        for n in range(4):
            plural, body = [("configmaps", configmap(f"b{i}x{n}")),
                            ("secrets", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"b{i}x{n}"},
                                         "stringData": {"k": "v"}}),
                            ("pods", pod(f"b{i}x{n}"))][(i + n) % 3]
            got.append(c.request("POST", t.ns(plural), body)[0])
            outcome, obj = c.request("GET", t.ns(plural, f"b{i}x{n}"))
            got.append(outcome)
            obj.setdefault("metadata", {}).setdefault("labels", {})["u"] = "1"
            got.append(c.request("PUT", t.ns(plural, f"b{i}x{n}"), obj)[0])
            got.append(c.request("PATCH", t.ns(plural, f"b{i}x{n}"), {"metadata": {"labels": {"p": "1"}}}, MERGE)[0])
            got.append(c.request("GET", t.ns(plural) + "?limit=5")[0])
            got.append(c.request("DELETE", t.ns(plural, f"b{i}x{n}") + "?gracePeriodSeconds=0")[0])
        return got

    return Result(race(t, [lambda c, i=i: client_work(c, i) for i in range(32)]))


WORKLOADS: dict[str, Callable[[Target], Result]] = {
    "same-name": same_name, "same-rv": same_resource_version, "unconditional-puts": unconditional_puts,
    "patches": patches, "patch-precondition": patches_with_precondition, "applies-disjoint": applies_disjoint,
    "applies-conflicting": applies_conflicting, "update-vs-delete": update_vs_delete,
    "delete-preconditions": delete_preconditions, "finalizers": finalizers_during_delete,
    "namespace-terminating": namespace_terminating, "generate-name": generate_name,
    "deletecollection": deletecollection_vs_creates, "watch": watch_during_writes, "bindings": bindings,
    "status-vs-spec": status_vs_spec, "quota": quota, "put-creates": put_creates, "deletes": deletes,
    "custom": custom, "service-ips": service_ips, "pod-deletes": pod_deletes, "scale-vs-spec": scale_vs_spec,
    "namespaces": namespaces, "leader-election": leader_election, "quota-pods": quota_pods,
    "paging": paging_during_writes, "json-patch-tests": json_patch_tests, "delete-propagation": delete_propagation,
    "watchers": watchers, "approvals": approvals, "forced-applies": forced_applies,
    "crd-deleted": crd_deleted_during_creates, "evictions": evictions_with_budget, "pod-conditions": pod_conditions,
    "crd-updated": crd_updated_during_writes, "finalizer-removal": finalizer_removal,
    "endpoints-put-creates": endpoints_put_creates, "shared-applies": shared_applies,
    "crd-name-conflicts": crd_name_conflicts, "custom-subresources": custom_subresources, "busy": busy,
}


# --- the etcds under them -------------------------------------------------------------------------

def etcd_race(endpoint: str, jobs: list[Callable]) -> list[str]:
    """The jobs at once, each with a client of its own; what each returned (or raised), in order."""
    from reference_impl.apiserver.storage.etcdclient import EtcdClient
    clients = [EtcdClient(endpoint) for _ in jobs]
    for client in clients:
        client.range("/warm")
    barrier = threading.Barrier(len(jobs))
    results: list[list[str]] = [[] for _ in jobs]

    def run(index: int) -> None:
        barrier.wait()
        try:
            got = jobs[index](clients[index])
        except Exception as err:  # noqa: BLE001 - what a client was told is the outcome compared
            got = f"{type(err).__name__}"
        results[index] = got if isinstance(got, list) else [got]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return [outcome for got in results for outcome in got]


def etcd_workloads(endpoint: str, prefix: str) -> dict[str, Result]:
    """Compare-and-swap creates, updates and deletes of one key by 16 clients (one succeeds each
    time), 16 clients putting 20 keys each under a watch (every revision once, in order), 16
    lease grants (distinct IDs) and range reads at old revisions racing a compaction."""
    from reference_impl.apiserver.storage.etcdclient import Compacted, EtcdClient
    admin = EtcdClient(endpoint)
    results: dict[str, Result] = {}
    as_result = lambda got: Result([Outcome(0 if g.startswith("err:") else 200, g, "") for g in got])  # noqa: E731
    key = f"{prefix}/cas"
    got = etcd_race(endpoint, [lambda c: "won" if c.put_if_mod_revision(key, b"x", 0).succeeded else "lost"] * 16)
    results["etcd-cas-create"] = as_result(got)
    rev = admin.range(key).kvs[0].mod_revision
    got = etcd_race(endpoint, [lambda c, i=i: "won" if c.put_if_mod_revision(key, str(i).encode(), rev).succeeded
                               else "lost" for i in range(16)])
    results["etcd-cas-update"] = as_result(got)
    rev = admin.range(key).kvs[0].mod_revision
    got = etcd_race(endpoint, [lambda c: "won" if c.delete_if_mod_revision(key, rev).succeeded else "lost"] * 16)
    results["etcd-cas-delete"] = as_result(got)

    start = admin.range("/none").revision
    watch = admin.watch(f"{prefix}/w/", start_revision=start + 1)
    seen: list[int] = []

    def watcher() -> None:
        for batch in watch:
            seen.extend(event.kv.mod_revision for event in batch.events)
            if len(seen) >= 320:
                return

    thread = threading.Thread(target=watcher)
    thread.start()
    got = etcd_race(endpoint, [lambda c, i=i: ["put" if c.put_if_mod_revision(f"{prefix}/w/{i}/{n}", b"v", 0).succeeded
                                               else "lost" for n in range(20)] for i in range(16)])
    thread.join(20)
    watch.cancel()
    result = as_result(got)
    if sorted(seen) != seen or len(set(seen)) != len(seen) or len(seen) != 320:
        result.violations.append(f"{len(seen)} events, {len(set(seen))} revisions, in order: {sorted(seen) == seen}")
    results["etcd-watch"] = result

    leases: list[int] = []
    got = etcd_race(endpoint, [lambda c: leases.append(c.lease_grant(30)) or "granted"] * 16)
    result = as_result(got)
    if len(set(leases)) != 16:
        result.violations.append("a lease ID granted twice")
    results["etcd-leases"] = result

    first = admin.range("/none").revision
    for n in range(40):
        admin.put_if_mod_revision(f"{prefix}/c/{n}", b"v", 0)

    def reader(c, i: int) -> list[str]:
        out = []
        for n in range(10):
            try:
                c.range(f"{prefix}/c/", prefix=True, revision=first + 1 + i * 5 + n)
                out.append("read")
            except Compacted:
                out.append("compacted")
        return out

    got = etcd_race(endpoint, [lambda c, i=i: reader(c, i) for i in range(6)] + [lambda c: c.compact(first + 20) or "compacted it"])
    results["etcd-compaction"] = Result([Outcome(200, g, "") for g in got], set_only=True)
    admin.close()
    return results


def run_etcds(etcd: Path, work: Path) -> list[dict]:
    """The real etcd and the reference one, side by side, under etcd_workloads."""
    processes: list[local_cluster.Process] = []
    try:
        argv, readiness, real_url = local_cluster.etcd_argv(etcd, work / "real-etcd")
        (work / "real-etcd").mkdir(parents=True)
        processes.append(local_cluster.start_process(work / "real-etcd", "etcd", argv, readiness)[0])
        (work / "our-etcd").mkdir(parents=True)
        process, ready = local_cluster.start(work / "our-etcd", "etcd", "etcd", [
            "--data-dir", str(work / "our-etcd" / "data"), "--listen-client-urls", "http://127.0.0.1:0",
            *local_cluster.ETCD_HTTP_APART, *local_cluster.ETCD_PEERS_ANY_PORT])
        processes.append(process)
        our_url = local_cluster.URL.search(ready).group(1)
        real, ours = etcd_workloads(real_url, "/races"), etcd_workloads(our_url, "/races")
    finally:
        local_cluster.stop(processes)
    return [compare(name, real[name], ours[name]) for name in real]


def prepare(target: Target) -> None:
    """The workload's namespace and its default ServiceAccount (pods need it; no controller makes it)."""
    admin = target.client()
    admin.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": target.namespace}})
    admin.request("POST", target.ns("serviceaccounts"), {"apiVersion": "v1", "kind": "ServiceAccount",
                                                         "metadata": {"name": "default"}})


def compare(name: str, real: Result, ours: Result) -> dict:
    count = lambda r: collections.Counter(o.key() for o in r.outcomes)  # noqa: E731
    real_counts, our_counts = count(real), count(ours)
    if real.set_only:
        # Which outcomes an interleaving allows is what compares: ours may miss one real's timing
        # produced, never answer what real never does.
        differs = not set(our_counts) <= set(real_counts)
    else:
        differs = real_counts != our_counts
    differs = differs or real.final != ours.final
    ours_bad = [k for k in our_counts if k.startswith(("5", "0"))]
    return {"workload": name, "set_only": real.set_only, "differs": differs,
            "real": dict(real_counts), "ours": dict(our_counts), "real_final": real.final, "our_final": ours.final,
            "real_violations": real.violations, "our_violations": ours.violations, "our_5xx": ours_bad}


def print_row(row: dict) -> None:
    flag = "DIFFERS" if row["differs"] or row["our_violations"] or row["our_5xx"] else "same"
    print(f"== {row['workload']} ({'set' if row['set_only'] else 'multiset'}): {flag}")
    for label, final, violations in (("real", "real_final", "real_violations"), ("ours", "our_final", "our_violations")):
        for key, n in sorted(row[label].items()):
            print(f"   {label:<4} {n:>3} x {key[:220]}")
        if row[final]:
            print(f"   {label:<4} final: {row[final][:300]}")
        if row[violations]:
            print(f"   {label:<4} violations: {row[violations]}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver (1.24), already built")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"), help="the real etcd 3.4 binary")
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS), help="run only these; may be repeated")
    parser.add_argument("--rounds", type=int, default=1, help="times each workload runs (new namespaces each time)")
    parser.add_argument("--etcd-only", action="store_true", help="only the etcd workloads, on the two etcds alone")
    parser.add_argument("--no-etcd", action="store_true", help="leave the etcd workloads out")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="apiserver-races-"))
    processes: list[local_cluster.Process] = []
    rows = []
    try:
        if not args.etcd_only:
            real_processes, real, _ = start_real(args.binary.resolve(), args.etcd.resolve(), work / "real")
            processes += real_processes
            our_processes, ours = start_ours(work / "ours")
            processes += our_processes
            servers = [(real, "real"), (ours, "ours")]
            for round_ in range(args.rounds):
                for name in args.workload or WORKLOADS:
                    results = []
                    for server, label in servers:
                        target = Target(label, f"https://{server.host}:{server.port}", server.contexts["admin"],
                                        f"race-{name}-{round_}")
                        prepare(target)
                        results.append(WORKLOADS[name](target))
                    rows.append(compare(name, *results))
                    print_row(rows[-1])
    finally:
        local_cluster.stop(processes)
    if not args.no_etcd and not args.workload:
        for round_ in range(args.rounds):
            for row in run_etcds(args.etcd.resolve(), work / f"etcds-{round_}"):
                rows.append(row)
                print_row(row)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "apiserver_races.json"
    out.write_text(json.dumps({"rows": rows, "work": str(work)}, indent=2) + "\n")
    differing = [r["workload"] for r in rows if r["differs"] or r["our_violations"] or r["our_5xx"]]
    print(f"\n{len(differing)} of {len(rows)} workloads differ: {', '.join(differing)}\nwrote {out}; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
