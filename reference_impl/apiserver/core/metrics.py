"""The apiserver's own metrics, served at `/metrics` in Prometheus' text exposition format.

Mirrors k8s.io/apiserver/pkg/endpoints/metrics: the same family names, HELP texts (with
component-base's stability prefix), types, label names and verb names, for the families whose
values this server keeps true. Recording a request is one tuple and a few additions under one lock;
the text is built only when someone scrapes.
"""
from __future__ import annotations

import bisect
import threading
from typing import Mapping

from reference_impl.apiserver.storage.metrics import ETCD_REQUEST_DURATION_BUCKETS, StorageMetrics
from reference_impl.machinery.clock import Clock, WallClock
from reference_impl.machinery.gofmt import format_float
from reference_impl.machinery.prometheus import escape_label_value, runtime_families
from reference_impl.mirrors import mirrors

APISERVER_COMPONENT = "apiserver"
TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REQUEST_DURATION_BUCKETS = (0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60)
REQUEST_LABELS = ("verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component")
LONGRUNNING_LABELS = ("verb", "group", "version", "resource", "subresource", "scope", "component")
# Every other verb is reported as "other", so that a client cannot add label values at will.
VALID_REQUEST_METHODS = frozenset({"APPLY", "CONNECT", "CREATE", "DELETE", "DELETECOLLECTION", "GET", "LIST",
                                   "PATCH", "POST", "PROXY", "PUT", "UPDATE", "WATCH", "WATCHLIST"})
NON_MUTATING_VERBS = frozenset({"get", "list", "watch"})
LONG_RUNNING_VERBS = frozenset({"watch", "proxy"})
LONG_RUNNING_SUBRESOURCES = frozenset({"attach", "exec", "proxy", "log", "portforward"})
APPLY_PATCH_TYPE = "application/apply-patch+yaml"

_HELP = {
    "apiserver_current_inflight_requests": "[STABLE] Maximal number of currently used inflight request limit of "
                                           "this apiserver per request kind in last second.",
    "apiserver_longrunning_requests": "[ALPHA] Gauge of all active long-running apiserver requests broken out by "
                                      "verb, group, version, resource, scope and component. Not all requests are "
                                      "tracked this way.",
    "apiserver_request_duration_seconds": "[STABLE] Response latency distribution in seconds for each verb, dry run "
                                          "value, group, version, resource, subresource, scope and component.",
    "apiserver_request_total": "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, "
                               "group, version, resource, scope, component, and HTTP response code.",
    "apiserver_storage_objects": "[STABLE] Number of stored objects at the time of last check split by kind.",
    "etcd_request_duration_seconds": "[ALPHA] Etcd request latency in seconds for each operation and object type.",
}


@mirrors("k8s.io/apiserver/pkg/endpoints/metrics.CleanScope")
def clean_scope(info) -> str:
    if info.name:
        return "resource"
    if info.namespace:
        return "namespace"
    return "cluster" if info.is_resource_request else ""


def route_labels(info) -> tuple[str, str, str, str, str, str]:
    """group, version, resource, subresource, scope and component of a request: a REST route's, or
    for an instrumented non-resource handler (the health checks) its path as the subresource."""
    if info.is_resource_request:
        return (info.api_group, info.api_version, info.resource, info.subresource, clean_scope(info),
                APISERVER_COMPONENT)
    return "", "", "", info.path, "", ""


@mirrors("k8s.io/apiserver/pkg/endpoints/metrics.cleanVerb")
def reported_verb(method: str, info, content_type: str) -> str:
    """The verb label: the HTTP method, but LIST for a GET of a collection, WATCH for a watch (also
    by the old /watch/ path) and APPLY for a server-side apply patch."""
    verb = method.upper()
    if info.verb == "watch":
        return "WATCH"
    if verb in ("GET", "HEAD"):
        verb = "GET" if clean_scope(info) in ("resource", "") else "LIST"
    elif verb == "PATCH" and content_type == APPLY_PATCH_TYPE:
        verb = "APPLY"
    return verb if verb in VALID_REQUEST_METHODS else "other"


@mirrors("k8s.io/apiserver/pkg/endpoints/metrics.cleanDryRun")
def clean_dry_run(query: Mapping[str, list[str]]) -> str:
    values = query.get("dryRun")
    if not values:
        return ""
    if any(value != "All" for value in values):
        return "invalid"
    return "All"


@mirrors("k8s.io/apimachinery/pkg/endpoints/request.BasicLongRunningRequestCheck")
def is_long_running(info) -> bool:
    return info.verb in LONG_RUNNING_VERBS or info.subresource in LONG_RUNNING_SUBRESOURCES


class _RequestSeries:
    """One label set of apiserver_request_total and apiserver_request_duration_seconds."""

    __slots__ = ("codes", "buckets", "sum", "count")

    def __init__(self) -> None:
        self.codes: dict[int, int] = {}
        self.buckets = [0] * len(REQUEST_DURATION_BUCKETS)
        self.sum = 0.0
        self.count = 0


class _Watermark:
    """The most requests of one kind executing at once in a one-second period: Go sets the gauge to
    the last finished period's maximum and starts the next at zero (startWatermarkMaintenance)."""

    __slots__ = ("executing", "period", "maximum", "reported")

    def __init__(self) -> None:
        self.executing = 0
        self.period = 0
        self.maximum = 0
        self.reported = 0

    def roll(self, period: int) -> None:
        if period != self.period:
            self.reported = self.maximum if period == self.period + 1 else 0
            self.period, self.maximum = period, 0

    def add(self, delta: int, period: int) -> None:
        self.roll(period)
        self.executing += delta
        self.maximum = max(self.maximum, self.executing)


class APIServerMetrics:
    """The registry of the families above for one apiserver; safe to call from every request thread.
    The storage's families are written from `storage`, when given, and the process and Go
    collectors' (`prometheus.runtime_families`) after them."""

    def __init__(self, clock: Clock = WallClock(), storage: StorageMetrics | None = None):
        self.clock = clock
        self.storage = storage
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, ...], _RequestSeries] = {}
        self._longrunning: dict[tuple[str, ...], int] = {}
        self._inflight = {"mutating": _Watermark(), "readOnly": _Watermark()}
        self._inflight_reset_period: int | None = None

    @mirrors("k8s.io/apiserver/pkg/server/filters.WithPriorityAndFairness")
    def note_executing(self, info, delta: int) -> None:
        """A request started (+1) or finished (-1) executing; long-running ones but watches are not
        counted, and a watch only until its stream starts."""
        kind = "readOnly" if info.verb in NON_MUTATING_VERBS else "mutating"
        with self._lock:
            self._inflight[kind].add(delta, int(self.clock.now()))

    @mirrors("k8s.io/apiserver/pkg/endpoints/metrics.MonitorRequest")
    def monitor_request(self, verb: str, dry_run: str, info, code: int, elapsed: float) -> None:
        key = (verb, dry_run, *route_labels(info))
        bucket = bisect.bisect_left(REQUEST_DURATION_BUCKETS, elapsed)
        with self._lock:
            series = self._requests.get(key)
            if series is None:
                series = self._requests[key] = _RequestSeries()
            series.codes[code] = series.codes.get(code, 0) + 1
            if bucket < len(series.buckets):
                series.buckets[bucket] += 1
            series.sum += elapsed
            series.count += 1

    @mirrors("k8s.io/apiserver/pkg/endpoints/metrics.RecordLongRunning")
    def note_long_running(self, verb: str, info, delta: int) -> None:
        key = (verb, *route_labels(info))
        with self._lock:
            self._longrunning[key] = self._longrunning.get(key, 0) + delta

    @mirrors("(*k8s.io/component-base/metrics.kubeRegistry).Reset")
    def reset(self) -> None:
        """Empty every vector family. The inflight gauge is set again at the next period's start,
        as the watermark goroutine sets it each second; the process and Go families stay."""
        with self._lock:
            self._requests.clear()
            self._longrunning.clear()
            self._inflight_reset_period = int(self.clock.now())
        if self.storage is not None:
            self.storage.reset()

    def _snapshot(self) -> tuple[list, list, list]:
        with self._lock:
            period = int(self.clock.now())
            for watermark in self._inflight.values():
                watermark.roll(period)
            requests = [(key, dict(s.codes), list(s.buckets), s.sum, s.count) for key, s in self._requests.items()]
            inflight = [] if period == self._inflight_reset_period else \
                [(kind, w.reported) for kind, w in self._inflight.items()]
            return requests, sorted(self._longrunning.items()), inflight

    @mirrors("k8s.io/component-base/metrics/legacyregistry.Handler")
    def text(self) -> bytes:
        """Every family in the text exposition format 0.0.4: families by name, samples by label values,
        label names sorted, as client_golang writes them."""
        requests, longrunning, inflight = self._snapshot()
        out: list[str] = []

        def family(name: str, kind: str) -> None:
            out.append(f"# HELP {name} {_HELP[name]}\n# TYPE {name} {kind}\n")

        def sample(name: str, labels: dict[str, str], value: float, le: str = "") -> None:
            pairs = ",".join(f'{k}="{escape_label_value(labels[k])}"' for k in sorted(labels))
            if le:  # written after the sorted labels, as client_golang writes a bucket's bound
                pairs += f',le="{le}"'
            out.append(f"{name}{{{pairs}}} {format_float(value)}\n" if pairs else f"{name} {format_float(value)}\n")

        def histogram(name: str, labels: dict[str, str], bounds: tuple, counts: list, total: float,
                      count: int) -> None:
            """One series of a histogram family from its per-bucket (not cumulative) counts."""
            cumulative = 0
            for bound, observed in zip(bounds, counts):
                cumulative += observed
                sample(f"{name}_bucket", labels, cumulative, format_float(bound))
            sample(f"{name}_bucket", labels, count, "+Inf")
            sample(f"{name}_sum", labels, total)
            sample(f"{name}_count", labels, count)

        if inflight:
            family("apiserver_current_inflight_requests", "gauge")
        for kind, value in sorted(inflight):
            sample("apiserver_current_inflight_requests", {"request_kind": kind}, value)
        if any(value for _, value in longrunning):
            family("apiserver_longrunning_requests", "gauge")
            for key, value in longrunning:
                sample("apiserver_longrunning_requests", dict(zip(LONGRUNNING_LABELS, key)), value)
        if requests:
            family("apiserver_request_duration_seconds", "histogram")
            for key, _, buckets, total, count in sorted(requests):
                histogram("apiserver_request_duration_seconds", dict(zip(REQUEST_LABELS, key)),
                          REQUEST_DURATION_BUCKETS, buckets, total, count)
            family("apiserver_request_total", "counter")
            totals = sorted(((*key, str(code)), value)
                            for key, codes, *_ in requests for code, value in codes.items())
            for values, value in totals:
                sample("apiserver_request_total", dict(zip((*REQUEST_LABELS, "code"), values)), value)
        object_counts = self.storage.object_counts() if self.storage is not None else []
        if object_counts:
            family("apiserver_storage_objects", "gauge")
        for resource, count in object_counts:
            sample("apiserver_storage_objects", {"resource": resource}, count)
        latencies = self.storage.latencies() if self.storage is not None else []
        if latencies:
            family("etcd_request_duration_seconds", "histogram")
        for (operation, type_name), series in latencies:
            histogram("etcd_request_duration_seconds", {"operation": operation, "type": type_name},
                      ETCD_REQUEST_DURATION_BUCKETS, series[:-2], series[-2], series[-1])
        out += [family.text() for family in runtime_families()]  # go_* and process_* sort after etcd_*
        return "".join(out).encode()

