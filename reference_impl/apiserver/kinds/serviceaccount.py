"""The ServiceAccount kind (core/v1): its resource facts, OpenAPI schema, printer columns and protobuf
layout; and the schema of the authentication.k8s.io/v1 TokenRequest its token subresource creates,
which the field manager tracks a request's fields by."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (AUTHENTICATION, CORE, META, arr, boolean, integer, kind,
                                                   list_kind, obj, ref, string, strings)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell

RESOURCES = (
    Resource("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",),
             subresources=("token",), return_deleted_object=True,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFINITIONS = {
    CORE + "ServiceAccount": kind(
        "", "v1", "ServiceAccount", "An identity for processes in pods.",
        automountServiceAccountToken=boolean("Whether pods mount the account's token by default."),
        imagePullSecrets=arr(ref(CORE + "LocalObjectReference"), "Secrets pods of this account pull images with."),
        secrets=arr(ref(CORE + "ObjectReference"), "Secrets pods of this account may use.", merge_key="name")),
    CORE + "ServiceAccountList": list_kind("", "v1", CORE + "ServiceAccount"),
    AUTHENTICATION + "TokenRequest": kind(
        "authentication.k8s.io", "v1", "TokenRequest", "A token for a service account.", ("spec",),
        spec=ref(AUTHENTICATION + "TokenRequestSpec", "What the token is for."),
        status=ref(AUTHENTICATION + "TokenRequestStatus", "The token issued.")),
    AUTHENTICATION + "TokenRequestSpec": obj(
        "What the token is for.", ("audiences",), audiences=strings("The audiences the token is meant for."),
        expirationSeconds=integer("How long the token is good for.", "int64"),
        boundObjectRef=ref(AUTHENTICATION + "BoundObjectReference", "The object whose deletion ends the token.")),
    AUTHENTICATION + "BoundObjectReference": obj(
        "A Pod or Secret a token is bound to.", kind=string("Pod or Secret."),
        apiVersion=string("The object's API version."), name=string("The object's name."),
        uid=string("The object's UID.")),
    AUTHENTICATION + "TokenRequestStatus": obj(
        "The token issued.", ("token", "expirationTimestamp"), token=string("The signed token."),
        expirationTimestamp=ref(META + "Time", "When the token expires.")),
}


PRINTERS = {
    "ServiceAccount": ([NAME, ("Secrets", "string", 0, "Number of referenced secrets."), AGE],
                       lambda o, now: [name_cell(o), len(o.get("secrets") or []), age_cell(o, now)]),
}


MESSAGES = """
core.ServiceAccount: 1 metadata! meta.ObjectMeta; 2 secrets? []core.ObjectReference;
    3 imagePullSecrets? []core.LocalObjectReference; 4 automountServiceAccountToken bool
core.ServiceAccountList: 1 metadata! meta.ListMeta; 2 items* []core.ServiceAccount
"""
