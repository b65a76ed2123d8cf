"""kube-controller-manager ends as 1.24's does on what it does not recover from: client-go's
processorListener runs each informer handler under wait.Until, whose HandleCrash logs "Observed a
panic" and panics on (utilruntime.ReallyCrash is true), so the process exits 2."""
from __future__ import annotations

import sys
from pathlib import Path

from reference_impl.client.informer import Informer
from reference_impl.controller_manager import run as controller_manager_run
from reference_impl.controller_manager.run import ControllerManager

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "machinery"))
from panicking import exit_code_and_stderr  # noqa: E402


class QuietClient:
    """An apiserver that answers every request with an empty object."""

    timeout = 30.0

    def request(self, method, path, body=None, content_type="application/json"):
        return {}


def test_an_informer_handler_that_raises_ends_the_process_with_a_panic(monkeypatch, capsys):
    """A handler made to raise stands for any panic in one: a pod whose controller reference has
    no name, which no apiserver stores (ObjectMeta validation requires it), put straight into the
    informer's store, makes the ReplicaSet controller's addPod raise a KeyError. That ends
    kube-controller-manager with Go's `panic: VALUE [recovered]` (exit 2) instead of a log line
    and a cache short of the pod."""
    monkeypatch.setattr(controller_manager_run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(Informer, "start", lambda informer: informer)
    manager = ControllerManager(QuietClient())
    pod = {"metadata": {"namespace": "default", "name": "p",
                        "ownerReferences": [{"kind": "ReplicaSet", "controller": True}]}}
    code, err = exit_code_and_stderr("reference kube-controller-manager", lambda out: manager.run(False, out),
                                     manager.stop, lambda: manager.informers["pods"].store.add(pod))
    assert (code, err) == (2, "panic: KeyError('name') [recovered]\n\tpanic: KeyError('name')\n")
    # logPanic's klog.Errorf("Observed a panic: %#v (%v)\n%s", r, r, stacktrace)
    assert "Observed a panic: KeyError('name') ('name')\nTraceback" in capsys.readouterr().err


def test_a_sync_that_raises_a_bug_ends_the_process_with_a_panic(monkeypatch, capsys):
    """A controller's worker runs under wait.Until, whose HandleCrash panics on: a sync raising
    what Go would not return as an error (here a KeyError) ends kube-controller-manager with Go's
    `panic: VALUE [recovered]` (exit 2) instead of a log line and a retry with backoff."""
    monkeypatch.setattr(controller_manager_run, "start_and_sync", lambda informers, stop: True)
    monkeypatch.setattr(Informer, "start", lambda informer: informer)
    monkeypatch.setattr(ControllerManager, "_sync_replicaset", lambda self, key: {}["spec"])
    manager = ControllerManager(QuietClient())
    for name in ("replicasets", "pods"):
        manager.informers[name]._synced.set()  # as after the first list
    replica_set = {"metadata": {"namespace": "default", "name": "rs"}}
    code, err = exit_code_and_stderr("reference kube-controller-manager", lambda out: manager.run(False, out),
                                     manager.stop, lambda: manager.informers["replicasets"].store.add(replica_set))
    assert (code, err) == (2, "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n")
    assert "Observed a panic: KeyError('spec') ('spec')\nTraceback" in capsys.readouterr().err
