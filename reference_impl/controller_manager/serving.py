"""The reference kube-controller-manager's secure port (--secure-port, default 10257), as
upstream's NewBaseHandler builds it: `/healthz` alone (no `/healthz/<check>`: the mutable healthz
handler is mounted on that one path), `/metrics` with the work queues' families, `/configz`,
behind delegated authentication and authorization (`machinery.componentserver`)."""
from __future__ import annotations

import argparse
from typing import Callable

from reference_impl.machinery import componentserver
from reference_impl.machinery.prometheus import Registry
from reference_impl.mirrors import mirrors

SECURE_PORT = 10257  # KubeControllerManagerPort
CONFIGZ_NAME = "kubecontrollermanager.config.k8s.io"


@mirrors("k8s.io/controller-manager/app.NewBaseHandler", "k8s.io/controller-manager/pkg/healthz.NewMutableHealthzHandler")
def secure_mux(started: Callable[[], tuple[str, ...]], registry: Registry, config: dict,
               leader_election: componentserver.HealthCheck | None = None) -> componentserver.PathRecorderMux:
    """`started()` names the controllers running: each is a ping check once they run (StartControllers
    adds one per controller, on the leader alone), after the leaderElection check with --leader-elect;
    with neither, the lone ping check."""
    election = (leader_election,) if leader_election is not None else ()
    mux = componentserver.PathRecorderMux()
    componentserver.install_healthz(
        mux, lambda: election + tuple(componentserver.HealthCheck(name) for name in started()), each=False)
    componentserver.install_configz(mux, lambda: {CONFIGZ_NAME: config})
    componentserver.install_metrics(mux, registry)
    return mux


@mirrors("k8s.io/kubernetes/pkg/controller/apis/config.KubeControllerManagerConfiguration")
def component_config(args: argparse.Namespace, controllers: tuple[str, ...]) -> dict:
    """The configuration this controller-manager runs with, in the field names of upstream's
    internal type (no JSON tags): the fields the reference has."""
    grace = args.node_monitor_grace_period
    return {"Generic": {"ClientConnection": {"Kubeconfig": str(args.kubeconfig)},
                        "LeaderElection": {"LeaderElect": args.leader_elect}, "Controllers": list(controllers)},
            "NodeLifecycleController": {"NodeMonitorGracePeriod": f"{grace:g}s"}}
