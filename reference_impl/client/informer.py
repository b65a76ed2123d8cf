"""What every component process shares: an informer (a Reflector feeding an Indexer on a thread),
waiting for caches to sync, loading a kubeconfig, and log lines on stderr."""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from reference_impl.client import ClientError, KubeconfigError
from reference_impl.client.cache import IndexFunc, Indexer, ResourceEventHandler
from reference_impl.client.reflector import Reflector
from reference_impl.client.rest import RestClient, run_reflector

RELIST_BACKOFF = 1.0
WATCH_RESUME_PAUSE = 0.05
# How long stopping waits for the informers' threads: a handler already running finishes, but a
# list or watch the apiserver leaves unanswered is not waited for (its daemon thread ends with the
# process, as Go's informers stop without waiting for a hung request).
STOP_WAIT = 1.0


def log(component: str, message: str) -> None:
    print(f"{component}: {message}", file=sys.stderr, flush=True)


class Informer:
    """A Reflector feeding an Indexer from one collection URL, on a daemon thread.

    `wake` is set on every change so a component's loop can run without polling; a failed list
    or watch is logged and retried after a pause (the apiserver may be restarting).
    """

    def __init__(self, client: RestClient, path: str, stop: threading.Event,
                 wake: threading.Event | None = None, component: str = "informer",
                 indexers: dict[str, IndexFunc] | None = None,
                 handle_error: Callable[[dict, Exception], None] | None = None):
        self.client, self.path, self.stop, self.component = client, path, stop, component
        self.store = Indexer(indexers, handle_error=handle_error, stop=stop)
        self.reflector = Reflector(self.store)
        if wake is not None:
            self.store.add_event_handler(ResourceEventHandler(
                lambda _o: wake.set(), lambda _o, _n: wake.set(), lambda _o: wake.set()))
        self._synced = threading.Event()  # the first list has been stored
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"informer {path}")

    @property
    def has_synced(self) -> bool:
        return self._synced.is_set()

    def start(self) -> "Informer":
        self._thread.start()
        return self

    def wait_stopped(self, timeout: float = STOP_WAIT) -> None:
        """Wait, at most `timeout` seconds, until the informer, once its stop event is set, has
        stopped (a watch notices within half a second, a list when it is answered); its store
        runs no handler after the stop whether or not the thread has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        on_list = self.reflector.on_list

        def listed(list_obj: dict) -> None:
            on_list(list_obj)
            self._synced.set()

        self.reflector.on_list = listed
        last_logged = 0.0
        while not self.stop.is_set():
            try:
                run_reflector(self.client, self.path, self.reflector, self.stop)
            except OSError as error:
                # A broken connection: like client-go, resume the watch from the last resourceVersion
                # (only a 410 Gone forces a relist); logged at most every 30s.
                if time.monotonic() - last_logged > 30:
                    last_logged = time.monotonic()
                    log(self.component, f"watch {self.path} interrupted, resuming: {error}")
                self.stop.wait(WATCH_RESUME_PAUSE)
            except (ClientError, ValueError) as error:
                log(self.component, f"list/watch {self.path} failed, relisting: {error}")
                self.reflector.on_gone()
                self.stop.wait(RELIST_BACKOFF)


def start_and_sync(informers: list[Informer], stop: threading.Event, what: str = "caches",
                   timeout: float = 60.0) -> bool:
    """Start the informers and wait for their first lists (cache.WaitForCacheSync): False when
    `stop` is set first, a ClientError naming `what` when `timeout` seconds pass."""
    for informer in informers:
        informer.start()
    deadline = time.monotonic() + timeout
    while not all(i.has_synced for i in informers):
        if stop.wait(0.05):
            return False
        if time.monotonic() > deadline:
            raise ClientError(f"{what} did not sync within {timeout:g}s")
    return True


def stop_informers(informers: Iterable[Informer], stop: threading.Event) -> None:
    """Stop the informers (`stop` is theirs): none runs a handler any more, and their threads get
    STOP_WAIT seconds in all to end."""
    stop.set()
    deadline = time.monotonic() + STOP_WAIT
    for informer in informers:
        informer.wait_stopped(max(0.0, deadline - time.monotonic()))


def load_client(kubeconfig: Path) -> RestClient:
    """The RestClient for a kubeconfig, or a ClientError saying in one line why not."""
    try:
        return RestClient(kubeconfig)
    except KeyError as error:
        raise KubeconfigError(f"cannot use kubeconfig {kubeconfig}: no {error} entry") from None
    except (KubeconfigError, OSError, TypeError, ValueError) as error:  # ssl.SSLError is an OSError
        raise KubeconfigError(f"cannot use kubeconfig {kubeconfig}: {error}") from None
