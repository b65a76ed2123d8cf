"""The ResourceQuota admission plugin, last in the chain: a create in a namespace with quotas is
charged against each quota that tracks what it costs, refused with a 403 when that would go over a
quota's hard limit, and otherwise the quotas' status.used goes up before the object is stored.

The charge is written as upstream's quota accessor writes it: an update of the quota's status at
the resourceVersion the check read, so two creates racing for the last slot cannot both pass; the
loser's conflict makes it read the quotas again and check once more (up to RETRIES times).
That update is a request of the server's loopback client, so its managedFields record it under the
manager the real server's loopback requests carry (LOOPBACK_FIELD_MANAGER).
Usage released by deletes comes back through the resource quota controller's recalculation.

Quotas come from a `NamespacedLister` once it has synced (a namespace without quotas then costs one
cache look-up), else they are listed live; a status this server wrote lately stands in for an
older cached copy, as the accessor's look-aside cache does.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from reference_impl.apiserver.core import admission
from reference_impl.apiserver.core.lifecycle import rfc3339
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.fieldmanager import LOOPBACK_FIELD_MANAGER, FieldManager
from reference_impl.machinery import quota
from reference_impl.machinery.quantity import Quantity
from reference_impl.mirrors import mirrors

RETRIES = 3
# Never charged (pkg/quota/v1/install ignoredResources): reviews, bindings and events.
IGNORED = frozenset({("", "events"), ("", "bindings"), ("", "componentstatuses"),
                     ("authentication.k8s.io", "tokenreviews"), ("authorization.k8s.io", "subjectaccessreviews"),
                     ("authorization.k8s.io", "selfsubjectaccessreviews"),
                     ("authorization.k8s.io", "localsubjectaccessreviews"),
                     ("authorization.k8s.io", "selfsubjectrulesreviews"), ("events.k8s.io", "events")})
# The evaluators that handle updates too (serviceEvaluator, pvcEvaluator.Handles): a service's type
# and a claim's size can change; every other evaluator charges creates only.
UPDATE_EVALUATED = frozenset({("", "services"), ("", "persistentvolumeclaims")})


@mirrors("k8s.io/apiserver/pkg/admission/plugin/resourcequota.prettyPrint")
def _pretty(resources: dict[str, Quantity]) -> str:
    return ",".join(f"{name}={resources[name]}" for name in sorted(resources))


def _resource_version(obj: dict) -> int:
    return int((obj.get("metadata") or {}).get("resourceVersion") or 0)


class ResourceQuota:
    def __init__(self, registry: object, lister: object | None = None, now: Callable[[], float] = time.time) -> None:
        self.registry = registry
        self.lister = lister
        self.now = now
        self._updated: dict[tuple[str, str], dict] = {}  # quotaAccessor.updatedQuotas
        self._lock = threading.Lock()

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/resourcequota.quotaAccessor).GetQuotas")
    def quotas(self, namespace: str) -> list[dict]:
        cached = self.lister.list(namespace) if self.lister is not None else None
        if cached is None:
            cached = self.registry.list("resourcequotas", namespace)["items"]
        with self._lock:
            result = []
            for item in cached:
                key = (namespace, item["metadata"]["name"])
                newer = self._updated.get(key)
                if newer is not None and _resource_version(newer) > _resource_version(item):
                    item = newer
                else:
                    self._updated.pop(key, None)
                result.append(item)
        return result

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/resourcequota.QuotaAdmission).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        group, resource = request.resource.group, request.resource.plural
        handled = request.operation == admission.CREATE or (
            request.operation == admission.UPDATE and (group, resource) in UPDATE_EVALUATED)
        if (request.subresource or not request.namespace or not handled
                or (group, resource) in IGNORED or not isinstance(obj, dict)):
            return
        quotas, last_error = self.quotas(request.namespace), None
        for _ in range(RETRIES + 1):
            if not quotas:
                return
            charged = self.check_request(request, obj, quotas)
            if request.dry_run:
                return
            failed = []
            for old, new in zip(quotas, charged):
                if new is old:
                    continue
                try:
                    self._update_status(old, new)
                except StatusError as err:
                    if err.code != 409:
                        raise
                    failed.append(old["metadata"]["name"])
                    last_error = err
            if not failed:
                return
            quotas = [q for q in self.registry.list("resourcequotas", request.namespace)["items"]
                      if q["metadata"]["name"] in failed]
        raise last_error

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/resourcequota.quotaAccessor).UpdateQuotaStatus")
    def _update_status(self, read: dict, resource_quota: dict) -> None:
        """Write the charged quota's status at the version `read` was, as the loopback client's
        status update does, its managedFields entry included."""
        meta = resource_quota["metadata"]
        field_manager = FieldManager.for_resource(self.registry.resource("resourcequotas"), "status")
        resource_quota = field_manager.update(read, resource_quota, LOOPBACK_FIELD_MANAGER, rfc3339(self.now()))
        updated = self.registry.update("resourcequotas", meta["namespace"], meta["name"], resource_quota,
                                       subresource="status")
        with self._lock:
            self._updated[(meta["namespace"], meta["name"])] = updated

    @mirrors("k8s.io/apiserver/pkg/admission/plugin/resourcequota.CheckRequest")
    def check_request(self, request: object, obj: dict, quotas: list[dict]) -> list[dict]:
        """The quotas with this create charged to those that track it (the same object where nothing
        changed); a 403 when the object lacks what a quota requires or would go over one."""
        group, resource = request.resource.group, request.resource.plural
        interesting = []
        for index, resource_quota in enumerate(quotas):
            if not quota.matches(resource_quota, group, resource, obj):
                continue
            name = resource_quota["metadata"]["name"]
            hard, used = quota.status_resources(resource_quota)
            restricted = quota.matching_resources(group, resource, hard)
            if group == "" and resource == "pods" and (problem := quota.pod_constraints(restricted, obj)):
                raise admission.forbidden(request, obj, f"failed quota: {name}: {problem}")
            missing = [r for r in restricted if r not in used]
            if missing:
                raise admission.forbidden(request, obj, f"status unknown for quota: {name}, resources: "
                                                        f"{','.join(sorted(restricted))}")
            interesting.append(index)
        delta = quota.usage(group, resource, obj, time.time())  # a new object is never past its deletion
        negative = sorted(name for name, value in delta.items() if value.value < 0)
        if negative:
            raise admission.forbidden(request, obj, f"quota usage is negative for resource(s): {','.join(negative)}")
        old = request.old_obj
        if request.operation == admission.UPDATE and isinstance(old, dict) \
                and (old.get("metadata") or {}).get("resourceVersion"):
            delta = quota.subtract_with_non_negative_result(delta, quota.usage(group, resource, old, time.time()))
        delta = {name: value for name, value in delta.items() if value.value}
        charged = list(quotas)
        if not delta:
            return charged
        for index in interesting:
            resource_quota = quotas[index]
            hard, used = quota.status_resources(resource_quota)
            requested = {name: value for name, value in delta.items() if name in hard}
            new_used = quota.add(used, requested)
            exceeded = sorted(name for name in requested if new_used[name].value > hard[name].value)
            if exceeded:
                raise admission.forbidden(request, obj, "exceeded quota: {}, requested: {}, used: {}, limited: {}".format(
                    resource_quota["metadata"]["name"], _pretty({n: requested[n] for n in exceeded}),
                    _pretty({n: used[n] for n in exceeded if n in used}), _pretty({n: hard[n] for n in exceeded})))
            # Written back as the decoded status is encoded: every quantity in its canonical text.
            charged[index] = {**resource_quota, "status": {
                "hard": {name: str(value) for name, value in hard.items()},
                "used": {name: str(value) for name, value in new_used.items()}}}
        return charged
