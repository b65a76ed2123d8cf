"""The HTTP side of Kubernetes' streaming upgrades (k8s.io/apimachinery/pkg/util/httpstream), sans-IO:
the protocols a client offers in X-Stream-Protocol-Version, the one both sides speak, and whether
a request asks to upgrade to SPDY/3.1. Port-forward and exec word and order their refusals each as
their upstream handler does, so they are left to the callers.
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors

PROTOCOL_VERSION_HEADER = "X-Stream-Protocol-Version"
ACCEPTED_PROTOCOL_VERSIONS_HEADER = "X-Accepted-Stream-Protocol-Versions"
SPDY_31 = "SPDY/3.1"


@mirrors("k8s.io/apimachinery/pkg/util/httpstream.commaSeparatedHeaderValues")
def offered_protocols(headers) -> list[str]:
    """Every X-Stream-Protocol-Version value, a header repeated or comma-separated alike."""
    return [p.strip() for value in headers.get_all(PROTOCOL_VERSION_HEADER) or [] for p in value.split(",")
            if p.strip()]


@mirrors("k8s.io/apimachinery/pkg/util/httpstream.negotiateProtocol")
def negotiate(offered: list[str], server_protocols: tuple[str, ...]) -> str | None:
    """The client's first protocol the server speaks (the client's order wins), or None."""
    return next((name for name in offered if name in server_protocols), None)


@mirrors("k8s.io/apimachinery/pkg/util/httpstream.Handshake")
def no_common_protocol(offered: list[str], server_protocols: tuple[str, ...]) -> str:
    """The 403's message when nothing is shared."""
    return (f"unable to upgrade: unable to negotiate protocol: client supports [{' '.join(offered)}], "
            f"server accepts [{' '.join(server_protocols)}]")


def accepted_protocols(server_protocols: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The 403's headers: one X-Accepted-Stream-Protocol-Versions per protocol the server speaks."""
    return tuple((ACCEPTED_PROTOCOL_VERSIONS_HEADER, name) for name in server_protocols)


@mirrors("(k8s.io/apimachinery/pkg/util/httpstream/spdy.responseUpgrader).UpgradeResponse")
def is_spdy_upgrade(headers) -> bool:
    """Connection names upgrade and Upgrade names SPDY/3.1 (both compared without case)."""
    return ("upgrade" in headers.get("Connection", "").lower()
            and SPDY_31.lower() in headers.get("Upgrade", "").lower())
