"""Request journeys: the trace hook, the recorder's normalising, the check that every step's Go
symbol resolves in the index, and the recorder itself on a short scenario of a real cluster.

Refresh the committed journeys (analyzer/journeys/*.json) after a change to the components with
`python benchmarks/record_journeys.py`, then the site's golden pages with `python tests/test_site.py`.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import journeys, store
from analyzer.cli import main
from conftest import TREES, make_git_tree
from test_site import index
from test_site_browser import _requests_made_by, chromium, html, server  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import record_journeys  # noqa: E402
from record_journeys import Scope, normalise, signature  # noqa: E402

SCHEDULE_ONE = "reference_impl.scheduler.scheduler.Scheduler.schedule_one"
SYNC_DEPLOYMENT = "reference_impl.controller_manager.deployment.DeploymentController.sync"


def step(kind: str, function: str, **fields) -> dict:
    return {"kind": kind, "component": "controller-manager", "functions": [function], "object": {},
            "requests": [{"verb": "Create", "resource": "pods", "namespace": "journeys"}], **fields}


# --- the trace hook ------------------------------------------------------------------------------

def test_tracing_off_leaves_a_decision_undecorated():
    """Without KUBEATLAS_TRACE a core pays nothing: `decision` returns the function itself."""
    from reference_impl.machinery import trace
    from reference_impl.controller_manager.deployment import DeploymentController

    assert not trace.enabled()
    assert not hasattr(DeploymentController.sync, "__wrapped__")


def test_a_traced_decision_names_its_function_object_and_requests(tmp_path):
    """With KUBEATLAS_TRACE a sync that asks for something appends one line naming the reference
    function (as module.qualname), the object it was about and each request; a sync that asks
    for nothing appends nothing."""
    trace_file = tmp_path / "trace.jsonl"
    program = """
from reference_impl.controller_manager.replicaset import ReplicaSetController
from reference_impl.machinery.clock import ManualClock
rs = {"kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "ns", "uid": "u1"},
      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}}}}
controller = ReplicaSetController(ManualClock(0.0))
controller.sync(rs, [])
"""
    env = {**os.environ, "KUBEATLAS_TRACE": str(trace_file), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", program], env=env, check=True, cwd=ROOT)
    (line,) = [json.loads(text) for text in trace_file.read_text().splitlines()]
    assert line["event"] == "decision"
    assert line["function"] == "reference_impl.controller_manager.replicaset.ReplicaSetController.sync"
    assert line["object"] == {"kind": "ReplicaSet", "name": "web", "namespace": "ns"}
    assert {"verb": "Create", "resource": "pods", "namespace": "ns", "name": "web-"} in line["requests"]


def test_the_pod_deletes_sent_together_are_traced_one_by_one(tmp_path):
    """A ReplicaSet scaled down sends its pod deletes together (DeletePods): the trace of its
    sync lists each delete as its own request."""
    trace_file = tmp_path / "trace.jsonl"
    program = """
from reference_impl.controller_manager.replicaset import ReplicaSetController
from reference_impl.machinery.clock import ManualClock
rs = {"kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "ns", "uid": "u1"},
      "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
               "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}}}}
owner = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u1", "controller": True}]
pods = [{"metadata": {"name": f"web-{i}", "namespace": "ns", "labels": {"app": "web"}, "ownerReferences": owner},
         "spec": {}, "status": {"phase": "Running"}} for i in range(2)]
ReplicaSetController(ManualClock(0.0)).sync(rs, pods)
"""
    env = {**os.environ, "KUBEATLAS_TRACE": str(trace_file), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", program], env=env, check=True, cwd=ROOT)
    (line,) = [json.loads(text) for text in trace_file.read_text().splitlines()]
    deletes = sorted(r["name"] for r in line["requests"] if r["verb"] == "Delete")
    assert deletes == ["web-0", "web-1"]


def test_a_status_write_retried_on_a_fresh_copy_is_traced_as_the_update_it_is():
    """A RetriedStatusUpdate (the ReplicaSet's, DaemonSet's and StatefulSet's status writes) is a
    PUT like any Update: a journey step names it Update."""
    from reference_impl.machinery.actions import RetriedStatusUpdate
    from reference_impl.machinery.trace import request_summary

    write = RetriedStatusUpdate("replicasets", "ns", {"metadata": {"name": "web"}}, "status")
    assert request_summary(write) == {"verb": "Update", "resource": "replicasets", "subresource": "status",
                                      "namespace": "ns", "name": "web"}


# --- normalising -----------------------------------------------------------------------------------

def _line(t: float, event: str, function: str, pid: int = 1, thread: int = 1, **fields) -> dict:
    return {"t": t, "pid": pid, "thread": thread, "event": event, "function": function, **fields}


HANDLE, AUTHN = "reference_impl.apiserver.adapter.server.HandlerChain.handle", "reference_impl.apiserver.adapter.server.HandlerChain.authenticate"
CREATE = "reference_impl.apiserver.storage.etcd3.Storage.create"
ON_EVENT = "reference_impl.client.reflector.Reflector.on_event"


def _request(t, thread, verb, name, resource="pods"):
    return _line(t, "request", HANDLE, thread=thread, verb=verb, resource=resource, subresource="",
                 namespace="journeys", name=name, agent="kubectl")


def test_reads_are_left_out_and_each_write_keeps_its_own_threads_checks():
    """A get or watch is not a step, nor is an Event written; the authentication and etcd records of two requests served
    at once go to the request of their own thread, and a generateName create takes its name
    from the etcd key."""
    lines = [_request(1.0, 1, "get", "a"), _line(1.1, "authenticated", AUTHN, thread=1, user="admin"),
             _request(2.0, 2, "create", ""), _request(2.1, 3, "create", "b"),
             _request(2.15, 4, "create", "web.1", resource="events"),
             _line(2.2, "authenticated", AUTHN, thread=3, user="bob"),
             _line(2.3, "etcd txn", CREATE, thread=2, op="create", key="/registry/pods/journeys/web-x1"),
             _line(2.4, "authenticated", AUTHN, thread=2, user="alice")]
    steps = normalise(lines, {1: "apiserver"}, Scope("journeys"))
    assert [(s["verb"], s["name"], s.get("user")) for s in steps] == [("create", "web-x1", "alice"),
                                                                      ("create", "b", "bob")]
    assert steps[0]["etcd"] == {"op": "create", "key": "/registry/pods/journeys/web-x1"}
    assert steps[0]["functions"] == [HANDLE, CREATE, AUTHN]


def test_a_request_is_drawn_from_the_lifeline_of_the_component_its_user_agent_names():
    """The reference components send the upstream binaries' user agents (kube-controller-manager,
    kube-scheduler, kube-proxy); each request step comes from that component's lifeline."""
    for agent, lifeline in (("kube-controller-manager", "controller-manager"), ("kube-scheduler", "scheduler"),
                            ("kube-proxy", "proxy"), ("kubelet", "kubelet"), ("kubectl", "kubectl")):
        line = {**_request(1.0, 1, "create", "web"), "agent": agent}
        (request,) = normalise([line, _line(1.1, "etcd txn", CREATE, op="create", key="/registry/pods/journeys/web")],
                               {1: "apiserver"}, Scope("journeys"))
        assert request["from"] == lifeline, agent


def test_a_write_lists_its_mutating_and_its_validating_admission_plugins():
    """The two admission phases are two records and two lines of the step: mutating before the
    handler hands the object to the registry, validating once the registry has prepared it."""
    admit = "reference_impl.apiserver.core.admission.AdmissionChain.admit"
    validate = "reference_impl.apiserver.core.admission.AdmissionChain.validate"
    lines = [_request(1.0, 1, "create", "web"), _line(1.1, "admitted", admit, plugins=["NamespaceLifecycle"]),
             _line(1.2, "validated", validate, plugins=["PodSecurity"]),
             _line(1.3, "etcd txn", CREATE, op="create", key="/registry/pods/journeys/web")]
    (request,) = normalise(lines, {1: "apiserver"}, Scope("journeys"))
    assert (request["admission"], request["validation"]) == (["NamespaceLifecycle"], ["PodSecurity"])
    roles = [role for role, _ in journeys.step_functions(request)]
    assert roles == ["request", "handler", "admitted", "validated", "etcd"]


def test_one_watch_event_reaching_several_components_is_one_step():
    """The same event received by several processes is one step naming every receiver; the same
    decision made again on the next pass, and objects of other namespaces, are not steps."""
    pod = {"kind": "Pod", "namespace": "journeys", "name": "web-1"}
    other = {"kind": "Pod", "namespace": "elsewhere", "name": "x"}
    decision = dict(requests=[{"verb": "Bind", "namespace": "journeys", "pod": "web-1", "node": "node-1"}],
                    object=pod)
    lines = [_line(1.0, "watch event", ON_EVENT, pid=2, type="ADDED", object=pod),
             _line(1.1, "watch event", ON_EVENT, pid=3, type="ADDED", object=pod),
             _line(1.2, "watch event", ON_EVENT, pid=2, type="ADDED", object=other),
             _line(1.3, "decision", SCHEDULE_ONE, pid=2, **decision),
             _line(2.3, "decision", SCHEDULE_ONE, pid=2, **decision)]
    steps = normalise(lines, {2: "scheduler", 3: "kubelet-1"}, Scope("journeys"))
    assert [s["kind"] for s in steps] == ["watch", "decision"]
    assert steps[0]["to"] == ["scheduler", "kubelet-1"]
    assert steps[1]["component"] == "scheduler"


def test_a_bind_carries_the_filter_and_score_results_of_its_cycle():
    """The scheduler's Bind step names the nodes its filters passed, their scores and the chosen
    one, and links the cycle's function (schedule_pod) beside schedule_one."""
    schedule_pod = "reference_impl.scheduler.scheduler.Scheduler.schedule_pod"
    bind = {"verb": "Bind", "namespace": "journeys", "pod": "web-1", "node": "node-2"}
    lines = [_line(1.0, "scheduled", schedule_pod, pid=2, pod="journeys/web-1",
                   feasible=["node-1", "node-2"], scores={"node-1": 50, "node-2": 80}, host="node-2"),
             _line(1.1, "decision", SCHEDULE_ONE, pid=2, requests=[bind])]
    (bound,) = normalise(lines, {2: "scheduler"}, Scope("journeys"))
    assert bound["functions"] == [SCHEDULE_ONE, schedule_pod]
    assert journeys._detail("scheduled", bound, "en") == \
        "filters pass node-1, node-2; scores node-1 50, node-2 80; node-2 chosen"


def test_a_proxy_sync_is_a_step_only_after_a_change_reached_it():
    """kube-proxy syncs on a timer too: a sync before any watch event reached it, or one that
    repeats the endpoints it already had, is not a step."""
    sync = "reference_impl.proxy.run.ProxyRunner.sync_once"
    endpoints = {"kind": "Endpoints", "namespace": "journeys", "name": "web"}
    lines = [_line(1.0, "rules synced", sync, pid=4, services=[], endpoints={"journeys/web:80": 1}),
             _line(2.0, "watch event", ON_EVENT, pid=4, type="MODIFIED", object=endpoints),
             _line(2.1, "rules synced", sync, pid=4, services=[], endpoints={"journeys/web:80": 2}),
             _line(3.0, "rules synced", sync, pid=4, services=[], endpoints={"journeys/web:80": 2})]
    steps = normalise(lines, {4: "proxy"}, Scope("journeys"))
    assert [(s["kind"], s.get("endpoints")) for s in steps] == [("watch", None), ("rules", {"journeys/web:80": 2})]


# --- reference functions and the check ------------------------------------------------------------

def test_a_nested_function_without_mirrors_is_shown_as_the_mirrored_function_around_it():
    """A trace line from a generator inside a handler names the handler, whose @mirrors it has;
    reference functions are read from source, and the @mirrors names come out as written."""
    functions = journeys.reference_functions()
    inner = "reference_impl.apiserver.core.handlers.RESTHandlers.watch.<locals>.chunks"
    assert inner in functions and not functions[inner].mirrors
    outer = journeys.mirrored(inner, functions)
    assert outer.qualname == "reference_impl.apiserver.core.handlers.RESTHandlers.watch"
    assert "k8s.io/apiserver/pkg/endpoints/handlers.serveWatch" in outer.mirrors
    assert functions[SCHEDULE_ONE].mirrors == ("(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne",)


def test_every_committed_step_names_a_reference_function_with_mirrors():
    """Each function a committed journey names exists in reference_impl (so a renamed function
    shows up here, not as a silent gap on the site) and leads to a @mirrors Go name."""
    functions = journeys.reference_functions()
    recorded = journeys.load()
    assert set(recorded) == set(journeys.JOURNEYS)
    for name, journey in recorded.items():
        assert journey["steps"], name
        for number, recorded_step in enumerate(journey["steps"], 1):
            for _, qualname in journeys.step_functions(recorded_step):
                function = journeys.mirrored(qualname, functions)
                assert function is not None and function.mirrors, f"{name} step {number}: {qualname}"


@pytest.fixture(scope="module")
def fixture_home(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("journeys")
    index(work / "home", "kubernetes", make_git_tree(TREES / "kube", work / "kubernetes"))
    return work / "home"


def test_check_names_exactly_the_go_symbols_the_index_lacks(fixture_home, tmp_path, capsys):
    """On the fixture index, which defines scheduleOne but no deployment controller, the check
    passes a journey of the scheduler's step and fails, naming syncDeployment, once the
    deployment controller's step is added; `kubeatlas journeys` exits 1 then and 0 before."""
    db = store.connect(fixture_home / "index.sqlite")
    scheduler_only = {"j": {"steps": [step("decision", SCHEDULE_ONE)]}}
    assert journeys.check(db, scheduler_only) == []
    both = {"j": {"steps": [step("decision", SCHEDULE_ONE), step("decision", SYNC_DEPLOYMENT)]}}
    (missing,) = journeys.check(db, both)
    assert (missing.step, missing.reference, missing.go) == (
        2, SYNC_DEPLOYMENT, "(*k8s.io/kubernetes/pkg/controller/deployment.DeploymentController).syncDeployment")

    (tmp_path / "j.json").write_text(json.dumps(scheduler_only["j"]))
    assert main(["journeys", "--home", str(fixture_home), "--dir", str(tmp_path)]) == 0
    (tmp_path / "j.json").write_text(json.dumps(both["j"]))
    capsys.readouterr()
    assert main(["journeys", "--home", str(fixture_home), "--dir", str(tmp_path)]) == 1
    assert "syncDeployment is not in the index" in capsys.readouterr().out


def test_a_page_links_the_go_function_with_its_source_and_the_reference_function(fixture_home):
    """A step's Go function is a permalink pinned to the analysed commit with an excerpt read
    from the fetched repository; the reference function shows its path, line and source."""
    from analyzer import site

    db = store.connect(fixture_home / "index.sqlite")
    go = journeys.GoSource(db)
    page = journeys.page("j", {"steps": [step("decision", SCHEDULE_ONE, component="scheduler")], "kubelets": 1}, go)
    text = site.environment().get_template("journey.md.j2").render(page)
    assert f"@{go.index.commit.sha}:pkg/scheduler/scheduler.go#L" in text
    assert "func (sched *Scheduler) scheduleOne(" in text
    assert "reference_impl/scheduler/scheduler.py:" in text and "def schedule_one(self)" in text
    assert text.count("<svg") == 1 and ">scheduler</text>" in page["svg"]


def test_a_journey_file_that_is_not_json_is_one_clear_error(tmp_path, capsys, fixture_home):
    """A damaged journey file is named with the reason, exit 1, no traceback."""
    (tmp_path / "broken.json").write_text("{not json")
    assert main(["journeys", "--home", str(fixture_home), "--dir", str(tmp_path)]) == 1
    assert "broken.json: not a journey file" in capsys.readouterr().err



@pytest.mark.parametrize("steps, reason", [
    ([5], "step 1 is not an object"),
    ([{}], "step 1 has no kind"),
    ([{"kind": "request", "functions": []}], "step 1 has no verb"),
    ([{"kind": "watch", "functions": [5]}], "step 1: functions is not a list of names"),
])
def test_a_journey_with_a_malformed_step_is_one_clear_error(steps, reason, tmp_path, capsys,
                                                            fixture_home):
    """Steps a hand edit broke (a number for a step, no kind, a request with no verb) name the
    step, exit 1: they ended in a KeyError traceback."""
    (tmp_path / "edited.json").write_text(json.dumps({"steps": steps}))
    assert main(["journeys", "--home", str(fixture_home), "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: {tmp_path / 'edited.json'}: not a journey file: {reason}\n")

# --- the recorder on a real cluster ---------------------------------------------------------------

# The create-deployment chain in causal order: each link needs the one before it.
CHAIN = [("request", "kubectl", "create", "deployments", ""),
         ("decision", "controller-manager", "reference_impl.controller_manager.deployment.DeploymentController.sync"),
         ("request", "controller-manager", "create", "replicasets", ""),
         ("decision", "controller-manager", "reference_impl.controller_manager.replicaset.ReplicaSetController.sync"),
         ("request", "controller-manager", "create", "pods", ""),
         ("decision", "scheduler", SCHEDULE_ONE),
         ("request", "scheduler", "create", "pods", "binding"),
         ("decision", "kubelet", "reference_impl.kubelet.kubelet.Kubelet.sync_pod"),
         ("request", "kubelet", "patch", "pods", "status"),
         ("decision", "controller-manager", "reference_impl.controller_manager.endpoints.sync_service"),
         ("rules", "proxy", "reference_impl.proxy.run.ProxyRunner.sync_once")]


def _first_positions(steps: list[dict]) -> list[int]:
    signatures = [signature(s) for s in steps]
    return [signatures.index(link) if link in signatures else -1 for link in CHAIN]


def test_the_recorder_records_the_create_deployment_chain_in_causal_order(tmp_path):
    """A short recording (one kubelet, one replica) holds every link of the create-deployment
    chain, each first seen after the one it needs; the committed journey has the same links in
    the same order, so it still matches what the code does."""
    with contextlib.redirect_stdout(io.StringIO()):
        recorded = record_journeys.Recorder(tmp_path, kubelets=1, replicas=1, timeout=60).record(
            ("create-deployment",))
    for steps in (recorded["create-deployment"]["steps"], journeys.load()["create-deployment"]["steps"]):
        positions = _first_positions(steps)
        assert -1 not in positions, [link for link, p in zip(CHAIN, positions) if p == -1]
        assert positions == sorted(positions)


# --- the page in a browser --------------------------------------------------------------------------

def test_a_journey_page_shows_its_sequence_diagram_in_a_browser_with_nothing_fetched(server, tmp_path):  # noqa: F811
    """The built fixture site's create-deployment page, in headless Chromium with the network cut
    off: the rendered DOM holds the inline sequence diagram (a lifeline per component, a row per
    step) and every numbered step, nothing is asked of another host, and a screenshot is taken."""
    page = server + "journeys/create-deployment.html"  # use_directory_urls: false
    net_log = tmp_path / "netlog.json"
    dom = chromium(tmp_path, f"--log-net-log={net_log}", "--dump-dom", page).stdout
    diagram = re.search(r'<svg\b[^>]*class="kubeatlas-journey".*?</svg>', dom, re.DOTALL)
    assert diagram, "no inline sequence diagram in the rendered page"
    for lifeline in ("kubectl", "apiserver", "etcd", "controller-manager", "scheduler", "kubelet", "proxy"):
        assert f">{lifeline}</text>" in diagram.group(0)
    steps = journeys.load()["create-deployment"]["steps"]
    assert f"<strong>{len(steps)}.</strong>" in dom
    assert [url for url in _requests_made_by(net_log, server.rstrip("/")) if not url.startswith(server)] == []
    shot = tmp_path / "create-deployment.png"
    chromium(tmp_path, f"--screenshot={shot}", page)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
