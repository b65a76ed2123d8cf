"""How the controller-manager drives its controllers, as upstream does: informer events enqueue
keys, a worker pops a key and runs that controller's sync for it alone.

A `QueuedController` pairs a sync-by-key function with the informer resources whose changes
concern it (`Trigger`: which keys an object of that resource touches, e.g. a pod → its owning
ReplicaSet). Its work queue is client-go's rate-limited queue: a key changed many times before a
worker gets to it is synced once, a key is never synced twice at the same time, and a key whose
actions failed is synced again after an exponential backoff (AddRateLimited) until one pass
succeeds (Forget), unless the controller waits for the update event a Conflict announces
(`requeue_conflicts` False, the Job controller). Keys are also re-enqueued every
`resync_period`, as an informer's resync does, for what no event announces: a schedule coming
due, a node's lease growing stale.

What a sync returns as an error in Go (a `SyncError`, a request the apiserver refused or never
answered) goes to `handle_error` (utilruntime.HandleError, a log line by default) and the key is
retried with backoff, so one such key never stops the worker or the other keys. A `QuietRetry` is
retried the same way without the log line, as upstream's certificate controller logs an ignorable
error only at a high verbosity: a request waiting for a grant would otherwise log on every retry.
Any other exception is a bug, a Go panic: it leaves the key (Done, as processNextWorkItem's defer
does) and goes up to the worker, whose wait.Until HandleCrash ends the process (machinery.crash).

No I/O here beyond that log line: the manager passes the function that performs an action (True
when the apiserver took it) and, for its threads, the lock that guards the queue.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from reference_impl.client import REQUEST_ERRORS
from reference_impl.client.workqueue import RateLimitingQueue
from reference_impl.machinery.cron import CronError
from reference_impl.machinery.csr import CSRParseError
from reference_impl.machinery.labels import SelectorError
from reference_impl.mirrors import mirrors


class SyncError(Exception):
    """An error a sync returns, as upstream's syncHandler returns `err`: logged, the key retried."""


class QuietRetry(SyncError):
    """A sync that must be retried with backoff but is no error worth a log line."""


# What a sync raises for Go's returned error; anything else is a panic. Besides SyncError and a
# failed request, the parse errors syncs return as they are: a selector (LabelSelectorAsSelector),
# a schedule (cron.ParseStandard) or a CSR's request (ParseCSR) that does not parse.
SYNC_ERRORS = (SyncError, SelectorError, CronError, CSRParseError, *REQUEST_ERRORS)


class Conflict:
    """What `perform` answers for a write the apiserver refused with 409 Conflict: a failure,
    falsy as False is, that a controller which waits for the object's update event instead of
    retrying (the Job controller) tells apart from the others."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "CONFLICT"


CONFLICT = Conflict()


@dataclass(frozen=True)
class Trigger:
    """Changes to `resource`'s objects enqueue `keys(obj)` (of the old and of the new object, or
    of the new one alone for a handler that, like upstream's, judges an update by its new state),
    after `delay` seconds for a handler that batches the changes of a key (AddAfter)."""
    resource: str
    keys: Callable[[dict], Iterable[Hashable]]
    new_only: bool = False
    delay: float = 0.0


class QueuedController:
    def __init__(self, name: str, queue: RateLimitingQueue, sync: Callable[[Hashable], list],
                 triggers: Iterable[Trigger], all_keys: Callable[[], Iterable[Hashable]],
                 resync_period: float, informers: Iterable[str] = (),
                 handle_error: Callable[[Hashable, Exception], None] | None = None,
                 rate_limited_adds: bool = False, requeue_conflicts: bool = True,
                 forget_on_success: Callable[[Hashable], bool] = lambda _key: True):
        self.name, self.queue, self.sync = name, queue, sync
        # Changes enqueue through the rate limiter, as the HPA controller's do: each key then
        # waits out the limiter's interval, and a change to a key already waiting adds nothing.
        self.rate_limited_adds = rate_limited_adds
        # False: a sync one of whose writes met a conflict is not retried with backoff, as the
        # Job controller's processNextWorkItem leaves it to the update event that must follow.
        self.requeue_conflicts = requeue_conflicts
        # Whether a sync of the key that succeeded forgets its requeues: always, but for the Job
        # controller, whose syncJob answers whether to forget (getBackoff reads the count); it is
        # asked after every sync, so that an answer of a sync that failed is dropped too.
        self.forget_on_success = forget_on_success
        self.handle_error = handle_error or self._log_error
        self.triggers = tuple(triggers)
        self.all_keys = all_keys
        self.resync_period = resync_period
        self.informers = tuple(informers)  # caches that must have synced before it runs
        self.next_resync = queue.clock.now() + resync_period

    @mirrors("(k8s.io/client-go/tools/cache.ResourceEventHandlerFuncs).OnUpdate")
    def on_change(self, resource: str, *objs: dict) -> None:
        """An informer of `resource` added, updated (old, new) or deleted `objs`: enqueue their keys."""
        for trigger in self.triggers:
            if trigger.resource == resource:
                for obj in objs[-1:] if trigger.new_only else objs:
                    for key in trigger.keys(obj):
                        if self.rate_limited_adds:
                            self.queue.add_rate_limited(key)
                        elif trigger.delay:
                            self.queue.add_after(key, trigger.delay)
                        else:
                            self.queue.add(key)

    @mirrors("k8s.io/apimachinery/pkg/util/runtime.HandleError")
    def _log_error(self, key: Hashable, error: Exception) -> None:
        print(f"{self.name} controller: error syncing {key!r}: {type(error).__name__}: {error}",
              file=sys.stderr, flush=True)

    def resync_if_due(self) -> None:
        now = self.queue.clock.now()
        if now < self.next_resync:
            return
        self.next_resync = now + self.resync_period
        for key in self.all_keys():
            self.queue.add(key)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).processNextWorkItem")
    def process_next_work_item(self, perform: Callable[[object], bool],
                               lock: contextlib.AbstractContextManager = contextlib.nullcontext()) -> bool:
        """Sync the next ready key and perform its actions; False when no key is ready. A key any
        of whose actions failed, or whose sync raised a SYNC_ERRORS, goes back with backoff, one
        that succeeded is forgotten (unless its controller forgets its keys itself); any other
        exception is raised, the key done but neither forgotten nor requeued."""
        with lock:
            key = self.queue.get()
        if key is None:
            return False
        ok = conflicted = False
        try:
            done = [perform(action) for action in self.sync(key)]  # every action, even after a failure
            ok = all(done)
            conflicted = not self.requeue_conflicts and any(d is CONFLICT for d in done)
        except QuietRetry:
            pass
        except SYNC_ERRORS as error:
            self.handle_error(key, error)
        except BaseException:
            with lock:
                self.queue.done(key)
            raise
        with lock:
            forget = self.forget_on_success(key)
            if ok and forget:
                self.queue.forget(key)
            elif not ok and not conflicted:
                self.queue.add_rate_limited(key)
            self.queue.done(key)
        return True
