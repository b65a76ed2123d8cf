"""The Cacher's fan-out of pod events to kubelet-style watches, with and without its spec.nodeName index.

In one process, no etcd: a pods Cacher holds `--nodes` watches with `fieldSelector=spec.nodeName=<node>`
(one per kubelet, as upstream's kubelets watch) and two unfiltered ones (a scheduler's, a controller's);
`--events` pod changes, each on one node, are processed and dispatched as the Cacher's etcd watch
would. Prints the microseconds per event with the index off (every watcher's predicate evaluated, as
before issue 13's index) and on (upstream's indexedTrigger: the event's node's watchers and the
unfiltered ones), and checks both delivered the same events.

    python benchmarks/watch_fanout.py [--nodes 1000] [--events 2000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from reference_impl.apiserver.core.selectors import parse_field_selector, parse_label_selector  # noqa: E402
from reference_impl.apiserver.kinds.pod import RESOURCES  # noqa: E402
from reference_impl.apiserver.storage.cacher import Cacher  # noqa: E402
from reference_impl.apiserver.storage.etcd3 import ListResult  # noqa: E402
from reference_impl.apiserver.storage.predicate import SelectionPredicate  # noqa: E402

PODS = next(r for r in RESOURCES if r.plural == "pods")
PREFIX = "/registry/pods/"


def fan_out(index_field: str, nodes: int, events: int) -> tuple[float, list[int]]:
    """Seconds per event, and how many events each watcher received."""
    cacher = Cacher(None, PREFIX, index_field=index_field)
    cacher._replace(ListResult([], "1"))
    no_labels = parse_label_selector("")
    watchers = [cacher.watch(PREFIX, resource_version="1", predicate=SelectionPredicate(
        no_labels, parse_field_selector(f"spec.nodeName=node-{i}", PODS.field_label_conversion),
        PODS.field_selectors))
        for i in range(nodes)]
    watchers += [cacher.watch(PREFIX, resource_version="1") for _ in range(2)]
    received = [0] * len(watchers)

    def drain() -> None:
        for i, watcher in enumerate(watchers):
            while not watcher._queue.empty():
                watcher._queue.get_nowait()
                received[i] += 1

    elapsed = 0.0
    for i in range(events):
        revision = i + 2
        pod = {"metadata": {"name": f"p{i}", "namespace": "bench", "resourceVersion": str(revision)},
               "spec": {"nodeName": f"node-{i % nodes}"}}
        started = time.perf_counter()
        with cacher._cond:
            cacher._dispatch_event(cacher.cache.process(f"{PREFIX}bench/p{i}", pod, revision))
        elapsed += time.perf_counter() - started
        drain()  # untimed, after every event: a watcher's buffer holds only 10 (upstream's size)
    return elapsed / events, received


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args(argv)
    if args.nodes < 1 or args.events < 1:
        parser.error("--nodes and --events must be at least 1")
    linear, linear_received = fan_out("", args.nodes, args.events)
    indexed, indexed_received = fan_out("spec.nodeName", args.nodes, args.events)
    print(f"{args.nodes} node watches + 2 unfiltered, {args.events} pod events")
    print(f"  no index (every predicate):  {linear * 1e6:9.1f} us per event")
    print(f"  spec.nodeName index:         {indexed * 1e6:9.1f} us per event")
    if linear_received != indexed_received:
        print("  MISMATCH: the index delivered different events", file=sys.stderr)
        return 1
    print(f"  same deliveries: {sum(indexed_received)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
