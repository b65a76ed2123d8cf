"""The pods/eviction subresource (`POST .../pods/NAME/eviction`, what `kubectl drain` sends): a
delete of the pod that first asks the PodDisruptionBudget selecting it, as
pkg/registry/core/pod/storage/eviction.go does.

A pod that is not running (pending, finished or already being deleted) is deleted at once. A
running one is deleted when no budget selects it, or when its budget's status (computed by the
disruption controller) still allows a disruption: the eviction then spends it, recording the pod
in status.disruptedPods so that the controller does not count the pod as healthy meanwhile. A
budget with nothing left is a 429 the client retries. Works on the registry; no HTTP here.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from reference_impl.apiserver.core import errors, validation
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.lifecycle import success_status
from reference_impl.machinery.labels import SelectorError, from_label_selector_dict
from reference_impl.machinery.objects import deep_copy_json, pod_ready
from reference_impl.machinery.poddisruptionbudget import update_disruption_allowed_condition
from reference_impl.mirrors import mirrors

ACCEPTED_VERSIONS = ("policy/v1", "policy/v1beta1")  # EvictionREST.AcceptsGroupVersion
MAX_DISRUPTED_POD_SIZE = 2000
# EvictionsRetry.Steps: how often a write that lost a race is tried again (upstream waits 0.5 s
# between tries; the registry's writes here are retried at once).
EVICTIONS_RETRY_STEPS = 20
PDBS = "poddisruptionbudgets"
VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."
DISRUPTION_BUDGET_CAUSE = "DisruptionBudget"  # policyv1.DisruptionBudgetCause

T = TypeVar("T")


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod/storage.propagateDryRun")
def propagate_dry_run(eviction: dict, request_dry_run: list[str]) -> dict:
    """The eviction's deleteOptions with the request's dryRun where they give none; both given
    and different is the client's mistake: a 400 with upstream's words (1.24 returns a plain error,
    which the server writes as a 500)."""
    options = eviction.get("deleteOptions")
    if options is None:
        return {"dryRun": request_dry_run}
    if not options.get("dryRun"):
        options["dryRun"] = request_dry_run
        return options
    if request_dry_run and request_dry_run != options["dryRun"]:
        raise errors.bad_request(f"Non-matching dry-run options in request and content: "
                                 f"[{' '.join(request_dry_run)}] and [{' '.join(options['dryRun'])}]")
    return options


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod/storage.canIgnorePDB")
def can_ignore_pdb(pod: dict) -> bool:
    """A pod that is pending, finished or being deleted disrupts nothing more by going."""
    phase = (pod.get("status") or {}).get("phase")
    return phase in ("Succeeded", "Failed", "Pending") or bool(pod["metadata"].get("deletionTimestamp"))


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod/storage.shouldEnforceResourceVersion")
def should_enforce_resource_version(pod: dict) -> bool:
    """Whether the delete must be of the pod as read, lest it became ready (and counted) meanwhile."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod/storage.resourceVersionIsUnset")
def _resource_version_is_unset(options: dict) -> bool:
    """No resourceVersion precondition: "" is one (upstream's is a pointer)."""
    return (options.get("preconditions") or {}).get("resourceVersion") is None


def _with_resource_version(options: dict, resource_version: str) -> dict:
    """setPreconditionsResourceVersion, on a copy."""
    return {**options, "preconditions": {**(options.get("preconditions") or {}), "resourceVersion": resource_version}}


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod/storage.createTooManyRequestsError")
def too_many_requests(pdb_name: str) -> StatusError:
    """The 429 for a budget the server has not caught up with yet; retry after 10 s."""
    err = errors.too_many_requests(VIOLATION, 10)
    err.details["causes"] = [{"reason": DISRUPTION_BUDGET_CAUSE,
                              "message": f"The disruption budget {pdb_name} is still being processed by the server."}]
    return err


def _forbidden(pdb_name: str, why: str) -> StatusError:
    """errors.NewForbidden(policy.Resource("poddisruptionbudget"), name, why): the singular, as upstream spells it."""
    return errors.object_forbidden("poddisruptionbudget", "policy", pdb_name, why)


def _retry(retriable: Callable[[StatusError], bool], attempt: Callable[[], T]) -> T:
    """retry.OnError: `attempt` again while it fails retriably, at most EVICTIONS_RETRY_STEPS
    times; then its last error."""
    for _ in range(EVICTIONS_RETRY_STEPS - 1):
        try:
            return attempt()
        except StatusError as err:
            if not retriable(err):
                raise
    return attempt()


def _is_conflict(err: StatusError) -> bool:
    return err.code == 409


class EvictionREST:
    """Evictions of the pods in one registry."""

    def __init__(self, registry):
        self.registry = registry

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/storage.EvictionREST).Create")
    def create(self, namespace: str, name: str, eviction: dict, request_dry_run: list[str]) -> dict:
        """Evict pod `name` as the decoded Eviction asks: a Success Status, or the StatusError
        saying why the pod stays."""
        if eviction["metadata"].get("name", "") != name:
            raise errors.bad_request("name in URL does not match name in Eviction object")
        options = propagate_dry_run(eviction, request_dry_run)

        # A pod that can skip its budget is deleted here, retried on conflicts unless the client
        # named the resourceVersion itself.
        def delete_if_budget_ignorable() -> dict | None:
            pod = self.registry.get("pods", namespace, name)
            if not can_ignore_pdb(pod):
                return pod
            delete_options = options
            if should_enforce_resource_version(pod) and _resource_version_is_unset(options):
                delete_options = _with_resource_version(options, pod["metadata"]["resourceVersion"])
            self._delete(namespace, name, delete_options)
            return None

        pod = _retry(_is_conflict if _resource_version_is_unset(options) else lambda err: False,
                     delete_if_budget_ignorable)
        if pod is None:
            return success_status()

        pdbs = self.pod_disruption_budgets(pod)
        if len(pdbs) > 1:
            # A Status returned, not an error: createHandler sends it with its own 201.
            return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": "This pod has more than one PodDisruptionBudget, which the eviction "
                               "subresource does not support.", "code": 500}
        update_deletion_options = False
        if pdbs:
            pdb = pdbs[0]
            status = pdb.get("status") or {}
            desired = status.get("desiredHealthy", 0)
            if not pod_ready(pod) and status.get("currentHealthy", 0) >= desired > 0:
                # An unready pod is not one of the healthy ones the budget counts: evicting it
                # spends nothing, as long as it does not become ready before the delete.
                update_deletion_options = True
            else:
                self._spend_disruption(pod, pdb, bool(options.get("dryRun")))

        delete_options = options
        if update_deletion_options:
            delete_options = _with_resource_version(options, pod["metadata"]["resourceVersion"])
        try:
            self._delete(namespace, name, delete_options)
        except StatusError as err:
            if _is_conflict(err) and update_deletion_options and _resource_version_is_unset(options):
                raise too_many_requests(pdbs[0]["metadata"]["name"]) from err
            raise
        return success_status()

    def _spend_disruption(self, pod: dict, pdb: dict, dry_run: bool) -> None:
        """checkAndDecrement, re-reading the budget after a lost race."""
        refresh = False

        def attempt() -> None:
            nonlocal pdb, refresh
            if refresh:
                pdb = self.registry.get(PDBS, pdb["metadata"]["namespace"], pdb["metadata"]["name"])
            refresh = True
            self.check_and_decrement(pod["metadata"]["name"], pdb, dry_run)

        _retry(_is_conflict, attempt)

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/storage.EvictionREST).checkAndDecrement")
    def check_and_decrement(self, pod_name: str, pdb: dict, dry_run: bool) -> None:
        """Spend one of the budget's allowed disruptions on `pod_name`, or refuse: 429 while none
        is left or the status is older than the budget's spec, 403 for a status that cannot be."""
        pdb = deep_copy_json(pdb)
        meta, status = pdb["metadata"], pdb.setdefault("status", {})
        if status.get("observedGeneration", 0) < meta.get("generation", 0):
            raise too_many_requests(meta["name"])
        allowed = status.get("disruptionsAllowed", 0)
        if allowed < 0:
            raise _forbidden(meta["name"], "pdb disruptions allowed is negative")
        if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
            raise _forbidden(meta["name"], "DisruptedPods map too big - too many evictions not confirmed by "
                                           "PDB controller")
        if allowed == 0:
            err = errors.too_many_requests(VIOLATION, 0)
            err.details["causes"] = [{"reason": DISRUPTION_BUDGET_CAUSE, "message": (
                f"The disruption budget {meta['name']} needs {status.get('desiredHealthy', 0)} healthy pods "
                f"and has {status.get('currentHealthy', 0)} currently")}]
            raise err
        status["disruptionsAllowed"] = allowed - 1
        if status["disruptionsAllowed"] == 0:
            update_disruption_allowed_condition(pdb, self.registry.now())
        if dry_run:
            return
        # Tells the disruption controller not to count the pod as healthy while it goes away.
        status["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod_name: self.registry.now()}
        self.registry.update(PDBS, meta["namespace"], meta["name"], pdb, subresource="status")

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/pod/storage.EvictionREST).getPodDisruptionBudgets")
    def pod_disruption_budgets(self, pod: dict) -> list[dict]:
        """The budgets in the pod's namespace whose selector matches its labels; an empty or
        unreadable selector matches no pod."""
        matching = []
        for pdb in self.registry.list(PDBS, pod["metadata"]["namespace"])["items"]:
            try:
                selector = from_label_selector_dict((pdb.get("spec") or {}).get("selector"))
            except SelectorError:
                continue
            if not selector.empty and selector.matches(pod["metadata"].get("labels")):
                matching.append(pdb)
        return matching

    @mirrors("k8s.io/apiserver/pkg/registry/rest.BeforeDelete")
    def _delete(self, namespace: str, name: str, options: dict) -> None:
        """The store's delete, which refuses invalid options before anything else."""
        problems = validation.delete_options_problems(options)
        if problems:
            raise errors.invalid("DeleteOptions", "", problems, "meta.k8s.io")
        self.registry.delete("pods", namespace, name, options.get("gracePeriodSeconds"),
                             options.get("preconditions"), dry_run=bool(options.get("dryRun")))
