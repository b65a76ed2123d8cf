"""The ServiceAccount kind (core/v1): its resource facts, OpenAPI schema, printer columns and protobuf
layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import CORE, arr, boolean, kind, list_kind, ref
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell

RESOURCES = (
    Resource("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",),
             subresources=("token",)),
)


DEFINITIONS = {
    CORE + "ServiceAccount": kind(
        "", "v1", "ServiceAccount", "An identity for processes in pods.",
        automountServiceAccountToken=boolean("Whether pods mount the account's token by default."),
        imagePullSecrets=arr(ref(CORE + "LocalObjectReference"), "Secrets pods of this account pull images with."),
        secrets=arr(ref(CORE + "ObjectReference"), "Secrets pods of this account may use.", merge_key="name")),
    CORE + "ServiceAccountList": list_kind("", "v1", CORE + "ServiceAccount"),
}


PRINTERS = {
    "ServiceAccount": ([NAME, ("Secrets", "string", 0, "Number of referenced secrets."), AGE],
                       lambda o, now: [name_cell(o), len(o.get("secrets") or []), age_cell(o, now)]),
}


MESSAGES = """
core.ServiceAccount: 1 metadata meta.ObjectMeta; 2 secrets? []core.ObjectReference;
    3 imagePullSecrets? []core.LocalObjectReference; 4 automountServiceAccountToken bool
core.ServiceAccountList: 1 metadata meta.ListMeta; 2 items []core.ServiceAccount
"""
