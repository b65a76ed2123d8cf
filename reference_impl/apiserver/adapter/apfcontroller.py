"""API Priority and Fairness's config controller, as far as the reference server has one: it keeps
each FlowSchema's Dangling condition (`core.apfconfig`) while schemas and priority levels come and
go. Two Listers watch them; after any change one thread writes the statuses that are out of date.
It classifies and throttles nothing.
"""
from __future__ import annotations

import threading

from reference_impl.apiserver.core import apfconfig
from reference_impl.apiserver.core.conversion import ConvertingStorage
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.fieldmanager import FieldManager
from reference_impl.apiserver.storage.etcd3 import Storage
from reference_impl.apiserver.storage.etcdclient import EtcdClientError
from reference_impl.apiserver.storage.listers import Lister
from reference_impl.mirrors import mirrors

FIELD_MANAGER = "api-priority-and-fairness-config-consumer-v1"  # the controller's asFieldManager


def _served(registry, plural: str) -> Storage | ConvertingStorage:
    """etcd's objects of `plural` in the version the controller reads and writes (v1beta2; 1.24
    stores v1beta1)."""
    r = registry.resource(plural)
    return ConvertingStorage(registry.storage, r.storage_codec) if r.storage_codec else registry.storage


class APFConfigController:
    def __init__(self, registry) -> None:
        self.registry = registry
        self._changed, self._stopped = threading.Event(), threading.Event()
        self.schemas, self.levels = (
            Lister(_served(registry, plural), registry.prefix(registry.resource(plural), None),
                   on_change=self._changed.set)
            for plural in ("flowschemas", "prioritylevelconfigurations"))
        self._thread = threading.Thread(target=self._run, daemon=True, name="apf config controller")

    def start(self) -> "APFConfigController":
        self.schemas.start()
        self.levels.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._changed.set()
        self._thread.join(timeout=5)
        self.schemas.stop()
        self.levels.stop()

    @mirrors("(*k8s.io/apiserver/pkg/util/flowcontrol.configController).syncOne")
    def sync(self) -> int:
        """Write every out-of-date Dangling condition; how many were written. A write that
        conflicts is left to the next pass: the change that beat it wakes the controller again."""
        schemas, levels = self.schemas.list(), self.levels.list()
        if schemas is None or levels is None:
            return 0
        names = {level["metadata"]["name"] for level in levels}
        written, now = 0, self.registry.now()
        status_fields = FieldManager.for_resource(self.registry.resource("flowschemas"), "status")
        for schema, status in apfconfig.dangling_status_updates(schemas, names, now):
            updated = status_fields.update(schema, {**schema, "status": status}, FIELD_MANAGER, now)
            try:
                self.registry.update("flowschemas", None, schema["metadata"]["name"], updated, subresource="status")
                written += 1
            except (StatusError, EtcdClientError):
                pass
        return written

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._changed.wait()
            self._changed.clear()
            if not self._stopped.is_set():
                self.sync()
