"""The Lease kind (coordination.k8s.io/v1): its resource facts, validation, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import COORDINATION, META, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.core.validation import invalid
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/coordination/validation.ValidateLeaseSpec")
def validate_lease(obj: dict) -> list[str]:
    """A positive duration and no negative transition count (in upstream's words, typo included)."""
    spec = obj.get("spec") or {}
    problems = []
    duration, transitions = spec.get("leaseDurationSeconds"), spec.get("leaseTransitions")
    if duration is not None and (not isinstance(duration, int) or duration <= 0):
        problems.append(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    if isinstance(transitions, int) and transitions < 0:
        problems.append(invalid("spec.leaseTransitions", transitions, "must to greater or equal than 0"))
    return problems


RESOURCES = (
    Resource("coordination.k8s.io", "v1", "Lease", "leases", "lease", True,
             allow_unconditional_update=False, validator=validate_lease,
             zero_value={"spec": {}},
             allow_create_on_update=True,
             kube_finalizers=False),
)


DEFINITIONS = {
    COORDINATION + "Lease": kind("coordination.k8s.io", "v1", "Lease", "A lock held by one holder for a time.",
                                 spec=ref(COORDINATION + "LeaseSpec", "The holder and timing of the lease.")),
    COORDINATION + "LeaseSpec": obj(
        "Who holds a lease and until when.",
        acquireTime=ref(META + "MicroTime", "When the current holder took the lease."),
        holderIdentity=string("The current holder."),
        leaseDurationSeconds=integer("How long a holder may go without renewing."),
        leaseTransitions=integer("How many times the holder changed."),
        renewTime=ref(META + "MicroTime", "When the holder last renewed.")),
    COORDINATION + "LeaseList": list_kind("coordination.k8s.io", "v1", COORDINATION + "Lease"),
}


PRINTERS = {
    "Lease": ([NAME, ("Holder", "string", 0, "Current lease holder."), AGE],
              lambda o, now: [name_cell(o), part(o, "spec").get("holderIdentity") or "", age_cell(o, now)]),
}


MESSAGES = """
coordination.Lease: 1 metadata! meta.ObjectMeta; 2 spec! coordination.LeaseSpec
coordination.LeaseList: 1 metadata! meta.ListMeta; 2 items* []coordination.Lease
coordination.LeaseSpec: 1 holderIdentity string; 2 leaseDurationSeconds int32; 3 acquireTime meta.MicroTime;
    4 renewTime meta.MicroTime; 5 leaseTransitions int32
"""
