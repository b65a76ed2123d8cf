"""httpstream's handshake pieces: the client's offered protocols, the one picked, the SPDY upgrade check."""
from __future__ import annotations

import email.message

from reference_impl.machinery import httpstream


def headers(*pairs: tuple[str, str]) -> email.message.Message:
    message = email.message.Message()
    for name, value in pairs:
        message[name] = value
    return message


def test_repeated_and_comma_separated_values_are_one_list():
    """client-go sends one X-Stream-Protocol-Version header per protocol; curl users write one list."""
    offered = httpstream.offered_protocols(headers(("X-Stream-Protocol-Version", "v4.channel.k8s.io"),
                                                   ("X-Stream-Protocol-Version", "v3.channel.k8s.io, channel.k8s.io")))
    assert offered == ["v4.channel.k8s.io", "v3.channel.k8s.io", "channel.k8s.io"]


def test_the_clients_order_wins_not_the_servers():
    assert httpstream.negotiate(["v2.channel.k8s.io", "v4.channel.k8s.io"],
                                ("v4.channel.k8s.io", "v2.channel.k8s.io")) == "v2.channel.k8s.io"
    assert httpstream.negotiate(["v9"], ("v4.channel.k8s.io",)) is None


def test_a_spdy_upgrade_is_recognised_without_regard_to_case():
    assert httpstream.is_spdy_upgrade(headers(("Connection", "keep-alive, Upgrade"), ("Upgrade", "spdy/3.1")))
    assert not httpstream.is_spdy_upgrade(headers(("Connection", "Upgrade"), ("Upgrade", "websocket")))
