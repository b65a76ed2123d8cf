"""Run the reference kube-scheduler: node and pod informers feed the sans-IO `Scheduler`'s
callbacks, and the actions of each `schedule_one()` go to the apiserver: a Bind as a POST to
pods/<name>/binding, a PodScheduled=False condition as a merge patch of pods/<name>/status, and
every RecordEvent as an events.k8s.io/v1 Event on the pod (core/v1 on a server without that
group). As upstream runs each binding cycle in its own goroutine, a pool of binder threads makes
these calls while the loop schedules the next pod against the cache, where the pod is already
assumed.

`python -m reference_impl.scheduler.run --kubeconfig PATH [--config PLUGIN_CONFIG]` prints one
"ready" line once its caches are synced and exits 0 on SIGTERM or SIGINT.

As upstream's by default (--leader-elect=true), it schedules only while it holds the
kube-system/kube-scheduler Lease (a candidate keeps its caches current). A leader that loses the
Lease exits 1 ("Leaderelection lost") for its supervisor to restart it as a candidate; one stopped
by a signal releases it first (ReleaseOnCancel), so that the next need not wait it out.

Before its caches sync it serves its secure port (--secure-port, default 10259) as upstream's
does: `/healthz` (with --leader-elect its leaderElection check alone, else ping), `/metrics`
(scheduling attempts, pending pods, preemption attempts and victims counted here; DELETE resets
them) and `/configz`, behind delegated authentication and authorization
(`machinery.componentserver`).
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import queue
import random
import socket
import sys
import threading
import time
import uuid
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path

from reference_impl.apiserver.core.auth import AuthConfigError
from reference_impl.machinery import componentserver, pflag, upstreamflags
from reference_impl.machinery.clock import WallClock
from reference_impl.machinery.goserver import ServingError
from reference_impl.client import (REQUEST_ERRORS, APIStatusError, ClientError, InClusterConfigError,
                                   KubeconfigError, LeaderElectionLost)
from reference_impl.client.cache import ResourceEventHandler
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.client.events import FINISH_TIME, REFRESH_TIME, EventsRecorder, new_recorder
from reference_impl.client.rest import RequestResults, RestClient, lease_step, release_lease
from reference_impl.client.informer import Informer, load_client, log, start_and_sync, stop_informers
from reference_impl.machinery.actions import Delete
from reference_impl.scheduler import Bind, ConfigError, PatchPodStatus, RecordEvent, Scheduler, SchedulerError
from reference_impl.scheduler.types import ClearNominatedNodeName, RejectWaitingPod, pod_key
from reference_impl.scheduler.framework import Profile, SchedulerConfigFile, load_config_file
from reference_impl.machinery.crash import Crash
from reference_impl.machinery.process import Component, Process, relax_collector
from reference_impl.machinery.process import main as machinery_main
from reference_impl.mirrors import mirrors
from reference_impl.scheduler.metrics import ERROR, SCHEDULED, UNSCHEDULABLE, SchedulerMetrics
from reference_impl.scheduler.scheduler import REASON_UNSCHEDULABLE

COMPONENT = "default-scheduler"
TICK_PERIOD = 1.0
BINDERS = 16  # concurrent binding cycles; each thread keeps its own connection to the apiserver
SECURE_PORT = 10259  # KubeSchedulerPort
LEASE_NAME = "kube-scheduler"  # in kube-system, leaderElection.resourceName's default
LEASE_RETRY_PERIOD = 2.0  # leaderElection.retryPeriod's default: how often a candidate tries


class BindingCycles:
    """The binding cycles the scheduling loop hands over, run in turn by `workers` threads
    (upstream starts a goroutine for each). Handing one over is one SimpleQueue put: a
    ThreadPoolExecutor's submit made a Future with its Condition and tried its idle-thread
    semaphore for every pod, and its worker set the Future running and done.

    A cycle that raises is handed to `crash`: upstream's binding goroutine has no recover, so
    its panic ends the process."""

    def __init__(self, workers: int, crash: Callable[[Exception], None]) -> None:
        self.workers, self.crash = workers, crash
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._shut_down = False

    def submit(self, fn, *args) -> None:
        """Hand a cycle over; after shutdown (an informer handler's failed cycle as the runner
        ends) it is dropped, as ThreadPoolExecutor refuses it, rather than starting new threads."""
        if self._shut_down:
            return
        if not self._threads:  # started with the first cycle: a runner that never binds has none
            self._threads = [threading.Thread(target=self._worker, name=f"binder_{i}", daemon=True)
                             for i in range(self.workers)]
            for thread in self._threads:
                thread.start()
        self._work.put((fn, args))

    def _worker(self) -> None:
        while (item := self._work.get()) is not None:
            fn, args = item
            try:
                fn(*args)
            except Exception as error:  # noqa: BLE001 - a goroutine's panic, see the class docstring
                self.crash(error)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Stop the threads once the cycles handed over are done (or, with `cancel_futures`,
        dropped unstarted), as ThreadPoolExecutor.shutdown."""
        self._shut_down = True
        if cancel_futures:
            try:
                while True:
                    self._work.get_nowait()
            except queue.Empty:
                pass
        for _ in self._threads:
            self._work.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
        self._threads = []


def error_message(error: Exception) -> str:
    """An apiserver call's error as client-go's Error() words it: a refusal's Status message
    alone (a *StatusError), with neither the method, the path nor the code."""
    return error.status.get("message", "") if isinstance(error, APIStatusError) else str(error)


# The scheduler's pod informer lists and watches only pods that may still run (newPodInformer): a
# pod that succeeds or fails leaves its cache as a deletion, freeing what it held on its node.
NON_TERMINAL_PODS = "/api/v1/pods?" + urllib.parse.urlencode(
    {"fieldSelector": "status.phase!=Succeeded,status.phase!=Failed"})


class SchedulerRunner:
    def __init__(self, client: RestClient, scheduler: Scheduler, stop: threading.Event | None = None,
                 metrics: SchedulerMetrics | None = None, elector: LeaderElector | None = None,
                 recorder=None):
        self.client, self.scheduler, self.elector = client, scheduler, elector
        self.metrics = metrics or SchedulerMetrics()
        self.metrics.pending_from(scheduler.queue)
        scheduler.framework.metrics = self.metrics
        # The nominator leaves out pods the pod informer no longer holds, as upstream's podLister.
        scheduler.queue.nominator.pod_lister = scheduler.pod_lister = lambda key: self.pods.store.get(key)
        self.stop, self.wake = stop or threading.Event(), threading.Event()
        # An exception out of a scheduling cycle, a binding cycle, an informer handler or an event
        # series loop is a panic to 1.24, which recovers from none of them; see machinery.crash.
        self.crash = Crash(lambda message: log(COMPONENT, message), self.stop, self.wake)
        self.binders = BindingCycles(BINDERS, lambda error: self.crash.crash(error, recovered=False))
        # new_recorder's choice after discovery; without one, what a 1.24 apiserver serves.
        self.recorder = recorder or EventsRecorder(client, WallClock(), log=lambda message: log(COMPONENT, message),
                                                   sleep=self.stop.wait)
        # The core is not thread-safe: informer callbacks and the scheduling loop share it.
        self.lock = threading.Lock()
        # No namespace index (the informers' default): the scheduler reads its caches by key only,
        # and every pod event would update the index for nothing.
        informer = functools.partial(Informer, client, stop=self.stop, component=COMPONENT, indexers={},
                                     handle_error=self.crash.handler_error)
        self.nodes = informer("/api/v1/nodes")
        self.pods = informer(NON_TERMINAL_PODS)
        # DefaultPreemption's PodDisruptionBudget lister (policy/v1).
        self.pdbs = informer("/apis/policy/v1/poddisruptionbudgets")
        s = scheduler
        self.nodes.store.add_event_handler(ResourceEventHandler(
            self._locked(s.on_node_add), self._locked(s.on_node_update), self._locked(s.on_node_delete)))
        self.pods.store.add_event_handler(ResourceEventHandler(
            self._locked_pod(s.on_pod_add), self._locked_pod(s.on_pod_update), self._locked_pod(s.on_pod_delete)))
        self.pdbs.store.add_event_handler(ResourceEventHandler(
            self._locked(s.on_pdb_add), self._locked(s.on_pdb_update), self._locked(s.on_pdb_delete)))

    def _locked(self, callback):
        """A node or PDB informer handler calling `callback` on the core."""
        def handler(*objs):
            with self.lock:
                callback(*objs)
            self.wake.set()
        return handler

    def _locked_pod(self, callback):
        """A pod informer handler calling `callback` on the core; the actions of a binding cycle it
        fails (a pod deleted or bound elsewhere while it waits at Permit) go to the binder pool,
        as that cycle's goroutine reports, counted as the attempt that made the pod wait."""
        def handler(*objs):
            with self.lock:
                started = self._cycle_started(pod_key(objs[-1]))
                actions = callback(*objs)
            if actions:
                self.binders.submit(self.perform, actions, started)
            self.wake.set()
        return handler

    def _cycle_started(self, key: str) -> float | None:
        """When the scheduling cycle of the pod `key`, waiting at Permit, began, on time.monotonic()'s
        scale, or None when it does not wait; called under the lock. 1.24 counts the rejection of
        a waiting pod (WaitOnPermit's failure) as an attempt since scheduleOne's `start`."""
        waiting = self.scheduler.waiting_pods.get(key)
        return None if waiting is None else self._on_monotonic_clock(waiting.cycle_start)

    def _on_monotonic_clock(self, instant: float) -> float:
        """An instant on the core's clock, moved to time.monotonic()'s scale."""
        return time.monotonic() - (self.scheduler.clock.now() - instant)

    def run(self, out) -> None:
        """Schedule until stopped; a leader then gives its Lease up (ReleaseOnCancel). One that
        panics does not: a crashed process releases nothing, and the next leader waits it out."""
        try:
            self._run(out)
        finally:
            # The informers' handlers and the binding cycles may still panic: the last look at
            # the panic comes once their threads are done, or a panic after it would be lost.
            stop_informers((self.nodes, self.pods, self.pdbs), self.stop)
            self.binders.shutdown(wait=True, cancel_futures=True)
            if self.elector is not None and self.crash.panic is None:
                self._release()
            self.crash.raise_panic()  # a panic on any thread ends the process, whatever _run did

    def _run(self, out) -> None:
        if not start_and_sync([self.nodes, self.pods, self.pdbs], self.stop):
            return
        relax_collector()  # after the caches are synced: they live as long as the process
        print(f"ready: reference kube-scheduler (profile {self.scheduler.profile.scheduler_name})",
              file=out, flush=True)
        next_tick = time.monotonic() + TICK_PERIOD
        # StartRecordingToSink's wait.Until loops; their first runs, at start, find nothing cached.
        next_finish, next_refresh = time.monotonic() + FINISH_TIME, time.monotonic() + REFRESH_TIME
        leading, next_lease = self.elector is None, 0.0
        while not self.stop.is_set():
            if self.elector is not None and time.monotonic() >= next_lease:
                next_lease = time.monotonic() + LEASE_RETRY_PERIOD
                leading = self._lease_step(leading)
            if not leading:  # a candidate keeps its caches current and schedules nothing
                self.stop.wait(max(0.0, next_lease - time.monotonic()))
                continue
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + TICK_PERIOD
                self._tick()
                if isinstance(self.recorder, EventsRecorder):
                    if time.monotonic() >= next_finish:
                        next_finish = time.monotonic() + FINISH_TIME
                        self.binders.submit(self.crash.handle_crash, self.recorder.finish_series)
                    if time.monotonic() >= next_refresh:
                        next_refresh = time.monotonic() + REFRESH_TIME
                        self.binders.submit(self.crash.handle_crash, self.recorder.refresh_series)
            started = time.monotonic()
            actions = self._schedule_one()
            if actions:
                self.binders.submit(self.perform, actions, started)
                continue
            self.wake.wait(max(0.0, min(TICK_PERIOD, next_tick - time.monotonic())))
            self.wake.clear()

    def _schedule_one(self) -> list:
        """One scheduling cycle; an exception out of it (a plugin's included) ends the runner as a
        panic: going on would leave the pod in no queue, and assumed if it got that far."""
        try:
            with self.lock:
                return self.scheduler.schedule_one()
        except Exception as error:  # noqa: BLE001 - logged in full and ends the runner, see machinery.crash
            raise self.crash.crash(error) from error

    def _tick(self) -> None:
        """The scheduler's periodic work; the binding cycles of pods whose wait at Permit timed
        out report their failure from the binder pool, as their goroutines would, each counted
        as an attempt that began with its pod's scheduling cycle."""
        with self.lock:
            timed_out = [(self._on_monotonic_clock(cycle_start), actions)
                         for cycle_start, actions in self.scheduler.tick()]
        for started, actions in timed_out:
            self.binders.submit(self.perform, actions, started)

    def _lease_step(self, leading: bool) -> bool:
        """One acquire-or-renew of the kube-scheduler Lease; whether this scheduler leads after it.
        A leader that no longer does raises LeaderElectionLost, Run's OnStoppedLeading."""
        try:
            now_leading = lease_step(self.client, self.elector)
        except REQUEST_ERRORS as error:
            log(COMPONENT, f"leader election: {error}")
            now_leading = self.elector.is_leader()
        if leading and not now_leading:
            raise LeaderElectionLost("Leaderelection lost")
        if now_leading and not leading:
            log(COMPONENT, "became leader")
        return now_leading

    def _release(self) -> None:
        try:
            release_lease(self.client, self.elector)
        except REQUEST_ERRORS as error:
            log(COMPONENT, f"Failed to release lock: {error}")

    def perform(self, actions: list, started: float | None = None) -> None:
        """Do what a scheduling cycle decided; with the cycle's `started` (time.monotonic), count
        the attempt once its result is known: bound, or refused by the bind.

        A preemption's actions (each victim's DELETE, or rejection when it waits on Permit, then
        its Preempted event, then the clearing of lower-priority nominations) come before the
        preemptor's failure report. As upstream's prepareCandidate, the first DELETE that fails
        ends the preemption: its remaining actions are not done, and the preemptor is not
        nominated (the PostFilter's Error status)."""
        victims, preemption_error, bind_failed = 0, None, False
        for action in actions:
            if bind_failed and isinstance(action, RecordEvent) and action.reason == "Scheduled":
                continue  # finishBinding records Scheduled only once bound
            if preemption_error and (isinstance(action, (Delete, RejectWaitingPod, ClearNominatedNodeName)) or (
                    isinstance(action, RecordEvent) and action.reason == "Preempted")):
                continue
            if isinstance(action, PatchPodStatus) and action.nominated_node_name:
                if preemption_error:
                    log(COMPONENT, f"Status after running PostFilter plugins for pod {action.namespace}/{action.pod}: "
                                   f"{preemption_error}")
                    action = dataclasses.replace(action, nominated_node_name="")
                    self._forget_nomination(action)
                else:
                    self.metrics.preemption_victims.observe(value=victims)
            try:
                if isinstance(action, Bind):
                    self._bind(action)
                    self._attempted(SCHEDULED, started)
                    self._bind_succeeded(action)
                elif isinstance(action, PatchPodStatus):
                    self._attempted(UNSCHEDULABLE if action.condition.get("reason") == REASON_UNSCHEDULABLE
                                    else ERROR, started)
                    self._patch_condition(action)
                elif isinstance(action, RecordEvent):
                    self.recorder.record(action)
                    victims += action.reason == "Preempted"
                elif isinstance(action, Delete):  # a preemption's victim (util.DeletePod)
                    self._delete_victim(action.namespace, action.name)
                elif isinstance(action, RejectWaitingPod):
                    self._reject_waiting_pod(action)
                elif isinstance(action, ClearNominatedNodeName):
                    self.client.request_patch(f"/api/v1/namespaces/{action.namespace}/pods/{action.pod}/status",
                                              {"status": {"nominatedNodeName": None}})
                else:
                    log(COMPONENT, f"unknown action {action!r}")
            except REQUEST_ERRORS as error:
                name = getattr(action, "pod", None) or getattr(action, "name", "")
                what = "Preempting pod" if isinstance(action, (Delete, RejectWaitingPod)) else type(action).__name__
                log(COMPONENT, f"{what} {getattr(action, 'namespace', '')}/{name}: {error_message(error)}")
                if isinstance(action, Bind):
                    self._attempted(ERROR, started)
                    bind_failed = True
                    self._bind_failed(action, error)
                elif isinstance(action, (Delete, RejectWaitingPod)):
                    preemption_error = error_message(error)

    @mirrors("k8s.io/kubernetes/pkg/scheduler/util.DeletePod")
    def _delete_victim(self, namespace: str, name: str) -> None:
        self.client.request("DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}")

    def _reject_waiting_pod(self, action: RejectWaitingPod) -> None:
        """prepareCandidate's `GetWaitingPod(victim.UID).Reject`, when its turn comes: the victim's
        binding cycle fails and reports it. A victim no longer waiting by then (allowed, or gone)
        is deleted, as prepareCandidate does with a victim it finds not waiting."""
        with self.lock:
            started = self._cycle_started(action.key)
            failure = self.scheduler.reject_waiting_pod(action.key, action.message) if started is not None else []
        if started is not None:
            self.wake.set()  # the pods the rejection moved to be tried again
            self.perform(failure, started)
        else:
            self._delete_victim(action.namespace, action.pod)

    def _forget_nomination(self, action: PatchPodStatus) -> None:
        """The cycle nominated the preemptor at once; a preemption that failed nominates it only
        where its status already did (AddNominatedPod with no node)."""
        pod = self.pods.store.get(f"{action.namespace}/{action.pod}") or {
            "metadata": {"namespace": action.namespace, "name": action.pod}}  # gone: not nominated
        with self.lock:
            self.scheduler.queue.nominator.add(pod, "")

    def _attempted(self, result: str, started: float | None) -> None:
        if started is not None:
            self.metrics.attempt(result, self.scheduler.profile.scheduler_name, time.monotonic() - started)

    def _bind(self, action: Bind) -> None:
        self.client.request("POST", f"/api/v1/namespaces/{action.namespace}/pods/{action.pod}/binding", {
            "apiVersion": "v1", "kind": "Binding",
            "metadata": {"name": action.pod, "namespace": action.namespace},
            "target": {"apiVersion": "v1", "kind": "Node", "name": action.node}})

    def _bind_succeeded(self, action: Bind) -> None:
        with self.lock:
            self.scheduler.binding_succeeded(action.namespace, action.pod)

    def _bind_failed(self, action: Bind, error: Exception) -> None:
        """The binding cycle's end after a failed bind (Scheduler.binding_failed), its report sent:
        the error as client-go words it."""
        with self.lock:
            failure = self.scheduler.binding_failed(action.namespace, action.pod, error_message(error))
        self.wake.set()  # the pods the forgotten one's room may now fit
        self.perform(failure)

    @mirrors("k8s.io/kubernetes/pkg/scheduler.updatePod")
    def _patch_condition(self, action: PatchPodStatus) -> None:
        """A merge patch replaces the whole conditions list, so send the cached list with ours in it.
        As UpdatePodCondition, a condition whose status is unchanged keeps its lastTransitionTime,
        and one unchanged altogether is not written: the pod keeps its resourceVersion, so that
        its next FailedScheduling is isomorphic to the last and counts in that event's series."""
        pod = self.pods.store.get(f"{action.namespace}/{action.pod}") or {}
        existing = (pod.get("status") or {}).get("conditions") or []
        condition = dict(action.condition)
        old = next((c for c in existing if c.get("type") == condition["type"]), None)
        nominate = action.nominated_node_name and action.nominated_node_name != \
            (pod.get("status") or {}).get("nominatedNodeName")
        if old is not None and old.get("status") == condition.get("status"):
            condition["lastTransitionTime"] = old.get("lastTransitionTime")
            if not nominate and all(old.get(field) == condition.get(field)
                                    for field in ("reason", "message", "lastProbeTime")):
                return
        conditions = [c for c in existing if c.get("type") != condition["type"]]
        status = {"conditions": conditions + [condition]}
        if nominate:
            status["nominatedNodeName"] = action.nominated_node_name
        self.client.request_patch(f"/api/v1/namespaces/{action.namespace}/pods/{action.pod}/status",
                                  {"status": status})


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = pflag.FlagSet("kube-scheduler", "Run the reference kube-scheduler.", prog="kubeatlas run scheduler")
    parser.add_argument("--kubeconfig", type=Path, default=env.get("KUBECONFIG"),
                        help="kubeconfig of the apiserver (default $KUBECONFIG; a --config file's "
                             "clientConnection.kubeconfig takes its place)")
    parser.add_argument("--config", help="plugin configuration (YAML or JSON; a KubeSchedulerConfiguration "
                                         "uses its first profile)")
    pflag.add_bool_flag(parser, "--leader-elect", True,
                        "schedule only while holding the kube-system/kube-scheduler Lease (default true)")
    componentserver.add_secure_serving_flags(parser, SECURE_PORT)
    parser.add_version_flag()
    parser.add_upstream_flags(upstreamflags.KUBE_SCHEDULER)
    args = parser.parse_args(argv)
    problem = componentserver.secure_serving_problem(args)
    if problem:
        parser.error(problem)
    return args


@mirrors("k8s.io/kubernetes/cmd/kube-scheduler/app.newHealthzAndMetricsHandler")
def secure_mux(scheduler: Scheduler, metrics: SchedulerMetrics, kubeconfig: Path,
               elector: LeaderElector | None = None) -> componentserver.PathRecorderMux:
    """`/healthz` with the leaderElection check with --leader-elect (Run's checks, the lease's
    WatchDog), else the ping check; `/metrics` that a DELETE resets, and `/configz`."""
    checks = (componentserver.leader_election_check(lambda: elector),) if elector is not None else ()
    mux = componentserver.PathRecorderMux()
    componentserver.install_healthz(mux, lambda: checks)
    componentserver.install_metrics(mux, metrics.registry, resettable=True)
    componentserver.install_configz(
        mux, lambda: {"componentconfig": component_config(scheduler, kubeconfig, elector is not None)})
    return mux


@mirrors("k8s.io/kubernetes/pkg/scheduler/apis/config.KubeSchedulerConfiguration")
def component_config(scheduler: Scheduler, kubeconfig: Path, leader_elect: bool = False) -> dict:
    """The configuration this scheduler runs with, in the field names of upstream's internal
    KubeSchedulerConfiguration (which has no JSON tags, so Go's json.Marshal writes them as they
    are): the fields the reference scheduler has."""
    profile, queue = scheduler.profile, scheduler.queue
    return {"apiVersion": "kubescheduler.config.k8s.io/v1beta3",
            "LeaderElection": {"LeaderElect": leader_elect, "LeaseDuration": "15s", "RenewDeadline": "10s",
                               "RetryPeriod": f"{LEASE_RETRY_PERIOD:g}s", "ResourceLock": "leases",
                               "ResourceName": LEASE_NAME, "ResourceNamespace": "kube-system"},
            "ClientConnection": {"Kubeconfig": str(kubeconfig)},
            "PercentageOfNodesToScore": profile.percentage_of_nodes_to_score,
            "PodInitialBackoffSeconds": int(queue.pod_initial_backoff),
            "PodMaxBackoffSeconds": int(queue.pod_max_backoff),
            "Profiles": [{"SchedulerName": profile.scheduler_name,
                          "Plugins": {point: {"Enabled": [{"Name": name, "Weight": weight} for name, weight in plugins]}
                                      for point, plugins in profile.plugins.items()},
                          "PluginConfig": [{"Name": name, "Args": args}
                                           for name, args in sorted(profile.plugin_args.items())]}]}


def run(args: argparse.Namespace, process: Process) -> None:
    for flag in args.no_effect:
        log(COMPONENT, f"{flag} is one of kube-scheduler's flags the reference scheduler does not act on")
    profile = apply_config_file(args)
    scheduler, metrics, client = Scheduler(WallClock(), random.Random(), profile), SchedulerMetrics(), \
        load_client(args.kubeconfig)
    # Unlimited, though 1.24's kube-scheduler waits on a token bucket of QPS 50, burst 100
    # (--kube-api-qps/--kube-api-burst): its throughput benchmark measures pods/s, and kubemark runs
    # raise the limit, so it is left off for now.
    # What kube-scheduler's main registers by importing component-base's restclient and version metrics.
    client.results = RequestResults(metrics.registry)
    componentserver.register_build_info(metrics.registry)
    # client-go's resourcelock identity: the host name and a uniquifier, as kube-scheduler's Config.
    elector = (LeaderElector(f"{socket.gethostname()}_{uuid.uuid4()}", WallClock(), name=LEASE_NAME)
               if args.leader_elect else None)
    server = componentserver.serve_secure(args, secure_mux(scheduler, metrics, args.kubeconfig, elector),
                                          "kube-scheduler", WallClock().now)
    if server is not None:
        log(COMPONENT, f"Serving securely on {args.bind_address}:{server.port}")
    try:
        recorder = new_recorder(client, WallClock(), lambda message: log(COMPONENT, message), process.stop.wait)
        SchedulerRunner(client, scheduler, process.stop, metrics, elector, recorder).run(process.out)
    finally:
        if server is not None:
            server.stop()


@mirrors("(*k8s.io/kubernetes/cmd/kube-scheduler/app/options.Options).ApplyTo")
def apply_config_file(args: argparse.Namespace) -> Profile | None:
    """--config's profile (None without one), its clientConnection.kubeconfig and its
    leaderElection.leaderElect put in `args`; a --leader-elect given wins (ApplyLeaderElectionTo)."""
    loaded = load_config_file(args.config) if args.config else None
    if loaded is not None and loaded.leader_elect is not None and "leader_elect" not in args.given:
        args.leader_elect = loaded.leader_elect
    args.kubeconfig = kubeconfig(args, loaded)
    return loaded.profile if loaded is not None else None


def kubeconfig(args: argparse.Namespace, loaded: SchedulerConfigFile | None) -> Path:
    """The --config file's clientConnection.kubeconfig, as kube-scheduler takes it, else --kubeconfig
    (which kube-scheduler ignores once given --config; the reference's profile files have none)."""
    configured = loaded.kubeconfig if loaded is not None else None
    if configured is None and args.kubeconfig is None:  # where upstream falls back to in-cluster or nothing
        raise InClusterConfigError("invalid configuration: no configuration has been provided, try setting "
                                   "KUBERNETES_MASTER environment variable")
    return Path(configured) if configured else args.kubeconfig


COMMAND = Component("reference kube-scheduler", parse_args, run, errors=(ClientError, SchedulerError, ServingError),
                    config_errors=(KubeconfigError, ConfigError, AuthConfigError))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
