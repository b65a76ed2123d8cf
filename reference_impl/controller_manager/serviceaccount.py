"""The ServiceAccounts controller: every active namespace has a `default` ServiceAccount."""
from __future__ import annotations

from reference_impl.machinery.actions import Create
from reference_impl.mirrors import mirrors

DEFAULT_ACCOUNTS = ("default",)


@mirrors("(*k8s.io/kubernetes/pkg/controller/serviceaccount.ServiceAccountsController).syncNamespace")
def sync_namespace(namespace: dict, service_accounts: list[dict],
                   accounts: tuple[str, ...] = DEFAULT_ACCOUNTS) -> list:
    if namespace.get("status", {}).get("phase", "Active") != "Active" \
            or namespace["metadata"].get("deletionTimestamp"):
        return []
    name = namespace["metadata"]["name"]
    have = {sa["metadata"]["name"] for sa in service_accounts}
    return [Create("serviceaccounts", name, {"apiVersion": "v1", "kind": "ServiceAccount",
                                             "metadata": {"name": account, "namespace": name}})
            for account in accounts if account not in have]
