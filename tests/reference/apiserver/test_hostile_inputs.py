"""Inputs a client may send to make the server spend memory or CPU, or fail with a 500: each is
answered as upstream answers it, in bounded time and space."""
from __future__ import annotations

import time

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import crdformats, crdvalidate, handlers
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.validation import parse_ip


def test_an_ipv4_octet_of_thousands_of_digits_is_no_address_or_its_value_after_leading_zeros():
    """ParseIPSloppy's dtoi reads any number of leading zeros and stops at a value over 0xFFFFFF:
    "0"*5000+"1" is octet 1, "1"*5000 is no octet (never a ValueError from int())."""
    assert str(parse_ip("0" * 5000 + "1.1.1.1")) == "1.1.1.1"
    assert parse_ip("1" * 5000 + ".1.1.1") is None
    assert parse_ip("::ffff:1.2.3." + "0" * 5000 + "4") == parse_ip("::ffff:1.2.3.4")
    assert parse_ip("1.2.3.0256") is None


def test_a_long_accept_header_is_negotiated_but_not_cached():
    """Only Accept headers of ordinary length stay in negotiate's cache."""
    handlers._negotiate.cache_clear()
    long_accept = "application/json;x=" + "a" * 4096
    assert handlers.negotiate(long_accept).serializer == "json"
    assert handlers._negotiate.cache_info().currsize == 0
    assert handlers.negotiate("application/json").serializer == "json"
    assert handlers._negotiate.cache_info().currsize == 1


def test_hostname_length_is_counted_in_bytes():
    """strfmt.IsHostname limits a label to 63 bytes: 40 two-byte letters are 80."""
    assert crdformats._is_hostname("e" * 40)
    assert not crdformats._is_hostname("é" * 40)
    assert not crdformats._is_hostname(".".join(["é" * 30] * 5))


def test_openapi_v2_keeps_one_body_a_format_and_a_returning_body_gets_a_new_time():
    """kube-openapi's handler reports when the spec was last updated; only the current body of
    each format is remembered."""
    chain = HandlerChain(registry=None)
    clock = iter(range(1_000_000_000, 1_000_000_100, 10))
    chain.rest.now = lambda: float(next(clock))
    request = Request("GET", "/openapi/v2", {}, {"Accept": "application/json"})

    def modified(body: bytes) -> str:
        return dict(chain._openapi_content(request, "json", body).headers)["Last-Modified"]

    first = modified(b"{}")
    assert modified(b"{}") == first
    second = modified(b'{"a":1}')
    assert modified(b"{}") not in (first, second)
    assert len(chain._openapi_built) == 1


def test_many_failures_are_added_in_linear_time_keeping_the_first_of_each_message():
    result = crdvalidate.Result()
    failures = [crdvalidate.Failure("forbidden", f"p{i}", f"p{i} is forbidden") for i in range(20000)]
    started = time.process_time()
    result.add(*failures, *failures[:10])
    assert time.process_time() - started < 2
    assert result.failures == failures
    merged = crdvalidate.Result([failures[0]]).merge(crdvalidate.Result(failures[:2]))
    assert merged.failures == failures[:2]
