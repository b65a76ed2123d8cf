"""Reference kube-scheduler (Kubernetes 1.24 `pkg/scheduler`) as a sans-IO core.

`Scheduler` takes informer events (`on_node_add`, `on_pod_add`, ...) and returns actions from
`schedule_one()`: `Bind` on success, `RecordEvent` + `PatchPodStatus` (PodScheduled=False) when
no node fits, preceded, when DefaultPreemption makes room, by the victims' `Delete`s (a
`RejectWaitingPod` for a victim waiting on Permit) and Preempted events (the pod is then
nominated to that node: `PatchPodStatus.nominated_node_name`).
Time comes from an injected clock, tie-breaking and preemption's offset from an injected
`random.Random`.

Differences from upstream, on purpose: filters and preemption's dry run go through nodes
sequentially (upstream uses 16 goroutines, so which feasible nodes or candidates it finds first is
nondeterministic); nodes are listed in insertion order rather than zone-interleaved; no volume or
image plugins and no extenders; PodTopologySpread has no system-default constraints; no
scheduler_preemption_* metrics.
InterPodAffinity and PodTopologySpread read pod counts per topology domain that the cache keeps
up to date (`podcounts`) instead of walking every node's pods each cycle: same counts, less work.
"""
from reference_impl.scheduler.errors import ConfigError, PluginNotFound, SchedulerError
from reference_impl.scheduler.framework import Framework, Plugin, Profile, load_profile
from reference_impl.scheduler.scheduler import FitError, Scheduler
from reference_impl.machinery.actions import Bind, RecordEvent
from reference_impl.scheduler.types import PatchPodStatus, Status

__all__ = ["Bind", "ConfigError", "FitError", "Framework", "PatchPodStatus", "Plugin", "PluginNotFound",
           "Profile", "RecordEvent", "Scheduler", "SchedulerError", "Status", "load_profile"]
