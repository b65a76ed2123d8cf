"""The scheduling framework: plugin base class, registry, profile configuration and the runner.

Mirrors `pkg/scheduler/framework/interface.go` and `framework/runtime/framework.go`. A profile is
read from a YAML or JSON file shaped like one KubeSchedulerConfiguration profile:

    percentageOfNodesToScore: 0
    registry: {MyPlugin: "my_pkg.plugins:MyPlugin"}     # optional out-of-tree plugins
    plugins:
      score:
        enabled: [{name: MyPlugin, weight: 5}]
        disabled: [{name: NodeResourcesBalancedAllocation}]
      multiPoint:
        enabled: [{name: "other_pkg.mod:OtherPlugin"}]   # an import path works as a name too
    pluginConfig:
      - {name: NodeResourcesFit, args: {...}}

Enabled plugins are appended after the defaults of that extension point (or replace a default's
weight); `disabled: [{name: "*"}]` drops every default there, as upstream does.
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat
from operator import mul
from typing import Any

from reference_impl.machinery.gojson import quote
from reference_impl.machinery.strictjson import DecodeError, load_yaml
from reference_impl.mirrors import mirrors
from reference_impl.scheduler import configvalidation
from reference_impl.scheduler.errors import ConfigError, PluginNotFound, SchedulerError
from reference_impl.scheduler.types import (
    MAX_NODE_SCORE, MIN_NODE_SCORE, SUCCESS, Code, CycleState, NodeInfo, QueuedPodInfo, Status, pod_key,
    pod_priority,
)

FILTERS_KEY = "framework/filters"
MAX_PERMIT_TIMEOUT = 15 * 60.0  # maxTimeout: the longest a Permit plugin may make a pod wait
SKIPPED_SCORE_KEY = "framework/skipped-score"

# Extension point -> the Plugin method that implements it.
EXTENSION_POINTS = {
    "queueSort": "less",
    "preFilter": "pre_filter",
    "filter": "filter",
    "postFilter": "post_filter",
    "preScore": "pre_score",
    "score": "score",
    "reserve": "reserve",
    "permit": "permit",
    "preBind": "pre_bind",
    "bind": "bind",
    "postBind": "post_bind",
}


class Plugin:
    """Base for scheduler plugins: override the methods of the extension points you implement.

    A plugin is built as `cls(args, handle)`; `handle.snapshot` is the cycle's node snapshot.
    """

    name = "Plugin"

    def __init__(self, args: Mapping[str, Any] | None = None, handle: "Framework | None" = None) -> None:
        self.args = dict(args or {})
        self.handle = handle

    def events_to_register(self) -> set[str] | None:
        """Cluster events that may make a pod this plugin rejected schedulable; None means all."""
        return None

    def less(self, a: QueuedPodInfo, b: QueuedPodInfo) -> bool: ...
    def pre_filter(self, state: CycleState, pod: dict) -> Status: ...
    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status: ...
    # A filter plugin may also define filter_nodes(state, pod, nodes) -> [(node_info, status), ...],
    # the nodes it rejects, in `nodes` order: Filter over a list in one call (see `node_filter`).
    # PostFilter returns (PostFilterResult or None, Status), as upstream's.
    def post_filter(self, state: CycleState, pod: dict, statuses: dict[str, Status]): ...
    def pre_score(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> Status: ...
    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int: ...
    # A score plugin that needs normalizing also overrides normalize_score(state, pod, nodes, scores),
    # `scores` being the list of `nodes`' scores, in the same order, that it rewrites in place.
    def reserve(self, state: CycleState, pod: dict, node_name: str) -> Status: ...
    def unreserve(self, state: CycleState, pod: dict, node_name: str) -> None: ...
    # Permit returns (Status, timeout in seconds) as upstream's: how long a Wait may last. A bare
    # Status (this framework's earlier contract) is taken with no timeout.
    def permit(self, state: CycleState, pod: dict, node_name: str) -> tuple[Status, float]: ...
    def pre_bind(self, state: CycleState, pod: dict, node_name: str) -> Status: ...
    def bind(self, state: CycleState, pod: dict, node_name: str): ...
    def post_bind(self, state: CycleState, pod: dict, node_name: str) -> None: ...


def implements(plugin: Plugin, method: str) -> bool:
    return getattr(type(plugin), method, None) is not getattr(Plugin, method, None)


def _defined_in(cls: type, attr: str) -> type:
    return next(c for c in cls.__mro__ if attr in c.__dict__)


def fast_path(plugin: Plugin, fast: str, slow: str):
    """The plugin's bound `fast` method (a batch or key form of its `slow` one), or None when it has
    none or a subclass overrides `slow` below where `fast` is defined: that override must be run."""
    cls = type(plugin)
    if not hasattr(cls, fast):
        return None
    if hasattr(cls, slow) and not issubclass(_defined_in(cls, fast), _defined_in(cls, slow)):
        return None
    return getattr(plugin, fast)


def node_filter(plugin: Plugin):
    """The plugin's Filter over a list of nodes: `filter_nodes` when it has one (see `fast_path`),
    else `filter` called node by node. Returns (node_info, status) of each rejected node, in order."""
    fast = fast_path(plugin, "filter_nodes", "filter")
    if fast is not None:
        return fast
    run = plugin.filter

    def filter_nodes(state: CycleState, pod: dict, nodes: list[NodeInfo]) -> list[tuple[NodeInfo, Status]]:
        rejected = []
        for node_info in nodes:
            status = run(state, pod, node_info)
            if status is not None and status.code:
                rejected.append((node_info, status))
        return rejected
    return filter_nodes


DEFAULT_PLUGINS: dict[str, list[tuple[str, int]]] = {
    "queueSort": [("PrioritySort", 0)],
    "preFilter": [("NodeResourcesFit", 0), ("NodePorts", 0), ("PodTopologySpread", 0),
                  ("InterPodAffinity", 0), ("NodeAffinity", 0)],
    "filter": [("NodeUnschedulable", 0), ("NodeName", 0), ("TaintToleration", 0), ("NodeAffinity", 0),
               ("NodePorts", 0), ("NodeResourcesFit", 0), ("PodTopologySpread", 0), ("InterPodAffinity", 0)],
    "postFilter": [("DefaultPreemption", 0)],
    "preScore": [("InterPodAffinity", 0), ("PodTopologySpread", 0), ("TaintToleration", 0), ("NodeAffinity", 0)],
    # v1beta3 default weights.
    "score": [("NodeResourcesBalancedAllocation", 1), ("NodeResourcesFit", 1), ("InterPodAffinity", 2),
              ("NodeAffinity", 2), ("PodTopologySpread", 2), ("TaintToleration", 3)],
    "reserve": [],
    "permit": [],
    "preBind": [],
    "bind": [("DefaultBinder", 0)],
    "postBind": [],
}


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins.NewInTreeRegistry")
def in_tree_registry() -> dict[str, type[Plugin]]:
    from reference_impl.scheduler.plugins import IN_TREE
    return dict(IN_TREE)


def import_plugin(path: str) -> type[Plugin]:
    """Load `module:Class` (or `module.Class`) as a plugin class."""
    module_name, sep, attr = path.partition(":")
    if not sep:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise PluginNotFound(path)
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise PluginNotFound(path) from exc
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise ConfigError(f"{path} is not a reference_impl.scheduler.framework.Plugin subclass")
    return cls


@dataclass
class Profile:
    """The parsed configuration: enabled plugins per extension point with weights, and plugin args."""

    plugins: dict[str, list[tuple[str, int]]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_PLUGINS.items()})
    plugin_args: dict[str, dict] = field(default_factory=dict)
    registry: dict[str, str] = field(default_factory=dict)
    percentage_of_nodes_to_score: int = 0
    scheduler_name: str = "default-scheduler"
    multi_point: dict = field(default_factory=dict)


def load_profile(path: str | None = None, data: Mapping[str, Any] | None = None) -> Profile:
    """Parse a plugin configuration from a YAML/JSON file or an already-loaded mapping."""
    return load_config_file(path).profile if path is not None else _profile(data or {}, None)


@dataclass(frozen=True)
class SchedulerConfigFile:
    """A --config file, read once: the profile the reference runs, and what a whole
    KubeSchedulerConfiguration sets beside it (None: the file does not, or is the one-profile shorthand)."""

    profile: Profile
    kubeconfig: str | None = None
    leader_elect: bool | None = None


@mirrors("k8s.io/kubernetes/cmd/kube-scheduler/app/options.loadConfigFromFile")
def load_config_file(path: str) -> SchedulerConfigFile:
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as exc:  # os.ReadFile's words
        raise ConfigError(f"open {path}: {(exc.strerror or str(exc)).lower()}") from exc
    data = _parse(text, path) or {}
    profile = _profile(data, path, text)
    if not isinstance(data, Mapping) or "apiVersion" not in data:
        return SchedulerConfigFile(profile)
    leader_election = data.get("leaderElection") or {}
    # RecommendedDefaultLeaderElectionConfiguration: leaderElect left out is true, as the flag's default.
    leader_elect = leader_election.get("leaderElect")
    return SchedulerConfigFile(profile, (data.get("clientConnection") or {}).get("kubeconfig") or None,
                               True if leader_elect is None else leader_elect)


def _profile(data: Any, path: str | None, text: str = "") -> Profile:
    if not isinstance(data, Mapping):
        raise ConfigError("configuration must be a mapping", path)
    if "apiVersion" in data or "kind" in data or "profiles" in data:
        data = _only_profile(data, path, text)
    else:
        _refuse(configvalidation.shape_problems(data, configvalidation.SHORTHAND, "")
                or configvalidation.plugin_config_problems(data), path)
    profile = Profile()
    profile.scheduler_name = data.get("schedulerName", profile.scheduler_name)
    profile.percentage_of_nodes_to_score = int(data.get("percentageOfNodesToScore") or 0)
    if not 0 <= profile.percentage_of_nodes_to_score <= 100:
        raise ConfigError("percentageOfNodesToScore must be in [0, 100]", path)
    profile.registry = dict(data.get("registry") or {})
    for entry in data.get("pluginConfig") or ():
        profile.plugin_args[entry.get("name", "")] = dict(entry.get("args") or {})
    plugins = data.get("plugins") or {}
    unknown = set(plugins) - set(EXTENSION_POINTS) - {"multiPoint"}
    if unknown:
        raise ConfigError(f"unknown extension point(s): {', '.join(sorted(unknown))}", path)
    for point in EXTENSION_POINTS:
        _merge(profile.plugins[point], plugins.get(point) or {})
    profile.multi_point = plugins.get("multiPoint") or {}
    return profile


def _parse(text: str, path: str) -> Any:
    """A YAML or JSON file's data; its syntax error on one line, a YAML one as go-yaml starts it."""
    try:
        return json.loads(text) if path.endswith(".json") else load_yaml(text)
    except DecodeError as exc:
        raise ConfigError(str(exc), path) from None
    except ValueError as exc:  # json's
        raise ConfigError(f"cannot parse: {exc}", path) from None


def _only_profile(config: Mapping[str, Any], path: str | None, text: str = "") -> dict:
    """A whole KubeSchedulerConfiguration (read from `text`), checked as kube-scheduler checks it,
    as the one profile the reference runs (with the configuration's percentageOfNodesToScore)."""
    _refuse(configvalidation.validate(config, text), path)
    profiles = config.get("profiles") or [{}]
    if len(profiles) > 1:
        raise ConfigError(f"the reference scheduler runs one profile; this configuration has "
                          f"{len(profiles)}", path)
    profile = dict(profiles[0])
    profile.setdefault("percentageOfNodesToScore", config.get("percentageOfNodesToScore", 0))
    return profile


def _refuse(problems: list[str], path: str | None) -> None:
    if problems:  # utilerrors.Aggregate's spelling: one error alone, several in brackets
        raise ConfigError(problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]", path)


def _merge(current: list[tuple[str, int]], spec: Mapping[str, Any]) -> None:
    disabled = {d.get("name", "") for d in spec.get("disabled") or ()}
    if "*" in disabled:
        current.clear()
    else:
        current[:] = [(n, w) for n, w in current if n not in disabled]
    for entry in spec.get("enabled") or ():
        name, weight = entry.get("name", ""), entry.get("weight") or 0
        for i, (n, _) in enumerate(current):
            if n == name:
                current[i] = (n, weight or current[i][1])
                break
        else:
            current.append((name, weight))


class Framework:
    """One profile's plugins, instantiated once, and the Run*Plugins methods the scheduler calls."""

    def __init__(self, profile: Profile | None = None, registry: dict[str, type[Plugin]] | None = None) -> None:
        self.profile = profile or Profile()
        self.registry = in_tree_registry()
        self.registry.update(registry or {})
        for name, import_path in self.profile.registry.items():
            self.registry[name] = import_plugin(import_path)
        self.snapshot = None  # set by the scheduler at the start of every cycle
        # What else upstream's Handle gives plugins, set by the scheduler: its cache, nominator,
        # waiting pods, clock, random source and PodDisruptionBudget lister.
        self.cache = self.nominator = self.clock = self.rng = None
        self.waiting_pods: dict = {}
        self.pdb_lister = list
        # The process's SchedulerMetrics (upstream's package-level metrics), when a runner keeps them.
        self.metrics = None
        self._instances: dict[str, Plugin] = {}
        self.points: dict[str, list[Plugin]] = {p: [] for p in EXTENSION_POINTS}
        self.weights: dict[str, int] = {}
        for point, entries in self.profile.plugins.items():
            for name, weight in entries:
                plugin = self._plugin(name)
                if not implements(plugin, EXTENSION_POINTS[point]):
                    raise ConfigError(f"plugin {name} does not implement extension point {point}")
                self.points[point].append(plugin)
                if point == "score":
                    self.weights[plugin.name] = weight or 1
        multi = self.profile.multi_point
        for entry in multi.get("enabled") or ():
            plugin = self._plugin(entry["name"])
            for point, method in EXTENSION_POINTS.items():
                if implements(plugin, method) and plugin not in self.points[point]:
                    self.points[point].append(plugin)
                    if point == "score":
                        self.weights[plugin.name] = int(entry.get("weight") or 1)
        self._node_filters = [(p.name, node_filter(p)) for p in self.points["filter"]]
        self._score_nodes = {p.name: fast_path(p, "score_nodes", "score") for p in self.points["score"]}
        if len(self.points["queueSort"]) != 1:
            raise ConfigError("exactly one queueSort plugin must be enabled")
        if not self.points["bind"]:
            raise ConfigError("at least one bind plugin must be enabled")

    def _plugin(self, name: str) -> Plugin:
        if name in self._instances:
            return self._instances[name]
        cls = self.registry.get(name)
        if cls is None:
            if ":" not in name and "." not in name:
                raise PluginNotFound(name)
            cls = import_plugin(name)
        plugin = cls(self.profile.plugin_args.get(cls.name, self.profile.plugin_args.get(name)), self)
        self._instances[name] = plugin
        return plugin

    @property
    def plugins(self) -> dict[str, Plugin]:
        return {p.name: p for p in self._instances.values()}

    def queue_sort_less(self):
        return self.points["queueSort"][0].less

    def queue_sort_key(self):
        """The QueueSort plugin's `sort_key` (a key ordering pods as its Less does), or None when
        it has none, or a subclass overrides `less` below it."""
        return fast_path(self.points["queueSort"][0], "sort_key", "less")

    def plugin_events(self) -> dict[str, set[str] | None]:
        return {p.name: p.events_to_register() for p in self._instances.values()}

    def has_filter_plugins(self) -> bool:
        return bool(self.points["filter"])

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunPreFilterPlugins")
    def run_pre_filter_plugins(self, state: CycleState, pod: dict) -> Status:
        """Run PreFilter; a plugin returning Skip has nothing to check for this pod, so its Filter is left out.

        Skip is a later upstream addition (1.27); it changes no result here, only the work done.
        """
        skipped = set()
        for plugin in self.points["preFilter"]:
            status = plugin.pre_filter(state, pod) or SUCCESS
            if status.code == Code.SKIP:
                skipped.add(plugin.name)
            elif not status.ok:
                if status.code == Code.ERROR:
                    raise SchedulerError(f"running PreFilter plugin {quote(plugin.name)}: {status.message()}")
                return Status(status.code, status.reasons, plugin.name)
        state[FILTERS_KEY] = [entry for entry in self._node_filters if entry[0] not in skipped]
        return SUCCESS

    def filters_for(self, state: CycleState) -> list:
        """(name, filter over a node list) of every Filter plugin PreFilter did not skip for this
        cycle's pod (see `node_filter`)."""
        filters = state.get(FILTERS_KEY)
        return self._node_filters if filters is None else filters

    @staticmethod
    def filter_failure(name: str, status: Status) -> Status:
        """A rejecting Filter's status, attributed to it; an Error stops the cycle."""
        if status.code == Code.ERROR:
            raise SchedulerError(f"running Filter plugin {name}: {status.message()}")
        return Status(status.code, status.reasons, name)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunFilterPlugins")
    def run_filter_plugins(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status:
        """The first plugin that rejects the node decides; later filters do not run."""
        nodes = [node_info]
        for name, run in self.filters_for(state):
            rejected = run(state, pod, nodes)
            if rejected:
                return self.filter_failure(name, rejected[0][1])
        return SUCCESS

    def run_filter_plugins_on_nodes(self, state: CycleState, pod: dict, nodes: list[NodeInfo]
                                    ) -> tuple[list[NodeInfo], dict[str, Status]]:
        """RunFilterPlugins for every node of `nodes`, each plugin over the nodes the ones before it
        passed: the feasible nodes in `nodes` order, and each rejected node's status attributed to
        the first plugin that rejected it, as node by node (keyed by node name in no set order, as
        upstream's NodeToStatusMap is a map)."""
        survivors, failed_by = nodes, {}
        for name, run in self.filters_for(state):
            rejected = run(state, pod, survivors)
            if not rejected:
                continue
            attributed: dict[int, Status] = {}  # a plugin may share one Status among the nodes it rejects
            for node_info, status in rejected:
                key = id(status)
                if key not in attributed:
                    attributed[key] = self.filter_failure(name, status)
                failed_by[node_info.name] = attributed[key]
            if len(rejected) * 8 < len(survivors):  # a few: list.remove finds each by identity, in C
                survivors = survivors.copy()
                for node_info, _ in rejected:
                    survivors.remove(node_info)
            else:
                survivors = [n for n in survivors if n.name not in failed_by]
            if not survivors:
                break
        return survivors, failed_by

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunPostFilterPlugins")
    def run_post_filter_plugins(self, state: CycleState, pod: dict, statuses: dict[str, Status]):
        """(result, status) of the first plugin that succeeds; an Error stops; else Unschedulable
        with the plugins' reasons (PluginToStatus.Merge)."""
        reasons: list[str] = []
        result = None
        for plugin in self.points["postFilter"]:
            result, status = plugin.post_filter(state, pod, statuses)
            if status.ok:
                return result, status
            if status.code not in (Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE):
                return result, Status(Code.ERROR, status.reasons, plugin.name)
            reasons.extend(status.reasons)
        return result, Status(Code.UNSCHEDULABLE, tuple(reasons))

    def nominated_pods_to_add(self, pod: dict, node_name: str) -> list[dict]:
        """addNominatedPods' choice: the other pods nominated to the node, of no lower priority."""
        if self.nominator is None or not self.nominator.pods_by_node:
            return []
        priority, key = pod_priority(pod), pod_key(pod)
        return [p for p in self.nominator.pods_for_node(node_name) if pod_priority(p) >= priority and pod_key(p) != key]

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunFilterPluginsWithNominatedPods")
    def run_filter_plugins_with_nominated_pods(self, pod: dict, node_info: NodeInfo) -> Status:
        """The pod must fit with the nominated pods of no lower priority on the node (they may land
        there) and without them (pod affinity to one of them must not count)."""
        added = self.nominated_pods_to_add(pod, node_info.name)
        if added:
            status = self.trial_filter(pod, node_info, added)
            if not status.ok:
                return status
        return self.trial_filter(pod, node_info, ())

    def trial_filter(self, pod: dict, node_info: NodeInfo, added: list[dict]) -> Status:
        """PreFilter and Filter of `pod` against `node_info` as the cache has it now, with `added`
        put on it for the call. PreFilter is run again, on a fresh state, where upstream updates
        its cycle state through the PreFilter extensions: the same state for the same pods."""
        for p in added:
            self.cache.trial_add(node_info, p)
        try:
            state = CycleState()
            status = self.run_pre_filter_plugins(state, pod)
            return self.run_filter_plugins(state, pod, node_info) if status.ok else status
        finally:
            for p in added:
                self.cache.trial_remove(node_info, p)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunPreScorePlugins")
    def run_pre_score_plugins(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> Status:
        """A plugin returning Skip would give every node the same score, so it is not run (see Skip above)."""
        skipped = set()
        for plugin in self.points["preScore"]:
            status = plugin.pre_score(state, pod, nodes) or SUCCESS
            if status.code == Code.SKIP:
                skipped.add(plugin.name)
            elif not status.ok:
                raise SchedulerError(f"running PreScore plugin {quote(plugin.name)}: {status.message()}")
        state[SKIPPED_SCORE_KEY] = skipped
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunScorePlugins")
    def run_score_plugins(self, state: CycleState, pod: dict, nodes: list[NodeInfo]) -> dict[str, list[int]]:
        """Per plugin: each node's score (in `nodes` order) after NormalizeScore and the plugin's weight.
        Upstream's NodeScoreList of {name, score} is kept as the scores beside `nodes`, not as pairs."""
        result: dict[str, list[int]] = {}
        skipped = state.get(SKIPPED_SCORE_KEY) or ()
        for plugin in self.points["score"]:
            if plugin.name in skipped:
                continue
            score_nodes = self._score_nodes[plugin.name]
            if score_nodes is not None:  # the plugin loops over the nodes itself: no call per node
                values = list(score_nodes(state, pod, nodes))
            else:
                score = plugin.score
                values = [score(state, pod, n) for n in nodes]
            normalize = getattr(plugin, "normalize_score", None)
            if normalize is not None:
                normalize(state, pod, nodes, values)
            if values and not (MIN_NODE_SCORE <= min(values) and max(values) <= MAX_NODE_SCORE):
                i = next(i for i, v in enumerate(values) if not MIN_NODE_SCORE <= v <= MAX_NODE_SCORE)
                raise SchedulerError(f"plugin {plugin.name} returned score {values[i]} for node {nodes[i].name}, "
                                     f"outside [{MIN_NODE_SCORE}, {MAX_NODE_SCORE}]")
            weight = self.weights.get(plugin.name, 1)
            result[plugin.name] = values if weight == 1 else list(map(mul, values, repeat(weight)))
        return result

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunReservePluginsReserve")
    def run_reserve_plugins_reserve(self, state: CycleState, pod: dict, node_name: str) -> Status:
        for plugin in self.points["reserve"]:
            status = plugin.reserve(state, pod, node_name) or SUCCESS
            if not status.ok:
                return Status(status.code, status.reasons, plugin.name)
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunReservePluginsUnreserve")
    def run_reserve_plugins_unreserve(self, state: CycleState, pod: dict, node_name: str) -> None:
        for plugin in reversed(self.points["reserve"]):
            if implements(plugin, "unreserve"):
                plugin.unreserve(state, pod, node_name)

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunPermitPlugins")
    def run_permit_plugins(self, state: CycleState, pod: dict, node_name: str) -> tuple[Status, dict[str, float]]:
        """Any rejection wins; otherwise any Wait makes the pod wait; otherwise Success. With the
        status, how long each plugin that said Wait lets the pod wait (its timeout, at most
        MAX_PERMIT_TIMEOUT)."""
        waiting, plugins_wait_time = None, {}
        for plugin in self.points["permit"]:
            answer = plugin.permit(state, pod, node_name) or SUCCESS
            status, timeout = (answer, 0.0) if isinstance(answer, Status) else answer
            status = status or SUCCESS
            if status.code == Code.WAIT:
                waiting = Status(Code.WAIT, status.reasons, plugin.name)
                plugins_wait_time[plugin.name] = min(timeout, MAX_PERMIT_TIMEOUT)
            elif status.code in (Code.UNSCHEDULABLE, Code.UNSCHEDULABLE_AND_UNRESOLVABLE):
                return Status(status.code, status.reasons, plugin.name), {}
            elif not status.ok:  # any other failure is an Error naming the plugin
                return Status(Code.ERROR, (f"running Permit plugin {quote(plugin.name)}: {status.message()}",),
                              plugin.name), {}
        return waiting or SUCCESS, plugins_wait_time

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunPreBindPlugins")
    def run_pre_bind_plugins(self, state: CycleState, pod: dict, node_name: str) -> Status:
        for plugin in self.points["preBind"]:
            status = plugin.pre_bind(state, pod, node_name) or SUCCESS
            if not status.ok:
                return Status(status.code, status.reasons, plugin.name)
        return SUCCESS

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunBindPlugins")
    def run_bind_plugins(self, state: CycleState, pod: dict, node_name: str):
        """The first bind plugin that does not return Skip binds: (its name, its action or a failed
        Status). When all skip, the last one's Skip (with its message) is the answer."""
        skipped = Status(Code.SKIP)  # no bind plugin at all
        for plugin in self.points["bind"]:
            result = plugin.bind(state, pod, node_name)
            if isinstance(result, Status):
                if result.code == Code.SKIP:
                    skipped = result
                    continue
                return plugin.name, Status(Code.ERROR, result.reasons, plugin.name)  # AsStatus: an Error
            return plugin.name, result
        return "", skipped

    @mirrors("(*k8s.io/kubernetes/pkg/scheduler/framework/runtime.frameworkImpl).RunPostBindPlugins")
    def run_post_bind_plugins(self, state: CycleState, pod: dict, node_name: str) -> None:
        for plugin in self.points["postBind"]:
            plugin.post_bind(state, pod, node_name)
