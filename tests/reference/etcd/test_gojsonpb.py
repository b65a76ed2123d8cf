"""A JSON request the gateway cannot take is refused in the words etcd 3.4's gateway (jsonpb
on Go's encoding/json) uses; each expected message was read from real etcd 3.4.23's answer to
the same body on /v3/kv/range or /v3/kv/txn."""
from __future__ import annotations

import pytest

from reference_impl.etcd import gateway

RANGE, TXN = gateway.route("/v3/kv/range"), gateway.route("/v3/kv/txn")


@pytest.mark.parametrize(("method", "body", "message"), [
    (RANGE, '{"key":5}', "json: cannot unmarshal number into Go value of type []uint8"),
    (RANGE, '{"key":"Zm9v","limit":"abc"}', "invalid character 'a' looking for beginning of value"),
    (RANGE, '{"key":"Zm9v","limit":true}', "json: cannot unmarshal bool into Go value of type int64"),
    (RANGE, '{"key":"Zm9v","limit":1.5}', "json: cannot unmarshal number 1.5 into Go value of type int64"),
    (RANGE, '{"key":"Zm9v","keys_only":"yes"}', "json: cannot unmarshal string into Go value of type bool"),
    (RANGE, '{"key":"!!"}', "illegal base64 data at input byte 0"),
    (RANGE, '{"key":"Zm9v","sort_order":"NOPE"}',
     'unknown value "NOPE" for enum etcdserverpb.RangeRequest_SortOrder'),
    (RANGE, "[]", "json: cannot unmarshal array into Go value of type map[string]json.RawMessage"),
    (RANGE, '{"key":', "unexpected EOF"),
    (RANGE, "{x}", "invalid character 'x' looking for beginning of object key string"),
    (TXN, '{"compare":{}}', "json: cannot unmarshal object into Go value of type []json.RawMessage"),
])
def test_a_value_jsonpb_refuses_is_refused_with_gos_words(method, body, message):
    with pytest.raises(gateway.GatewayError) as refused:
        gateway.decode_requests(method, body.encode())
    assert (refused.value.code, refused.value.message) == (3, message)


@pytest.mark.parametrize("body", ['{"key":"Zm9v","sort_order":1}', '{"key":null}', "null",
                                  '{"key":"Zm9v","limit":"2","nope":[1]}', ""])
def test_what_jsonpb_takes_is_taken(body):
    """Enum numbers, nulls, int64 as strings, unknown fields and an empty body all parse."""
    assert len(gateway.decode_requests(RANGE, body.encode())) == 1


def test_int64_strings_and_camel_case_names_reach_the_request():
    (request,) = gateway.decode_requests(RANGE, b'{"key":"Zm9v","limit":"2","keysOnly":true}')
    assert (request.key, request.limit, request.keys_only) == (b"foo", 2, True)


PUT = gateway.route("/v3/kv/put")


@pytest.mark.parametrize(("method", "body", "message"), [
    (PUT, b'{"key":"Zm9v","lease":"99999999999999999999"}',
     "json: cannot unmarshal number 99999999999999999999 into Go value of type int64"),
    (RANGE, b'{"key":"Zm9v","limit":9223372036854775808}',
     "json: cannot unmarshal number 9223372036854775808 into Go value of type int64"),
    (RANGE, b'{"key":"Zm9v","limit":1e2}', "json: cannot unmarshal number 1e2 into Go value of type int64"),
    (RANGE, b'{"key":"Zm9v","limit":1e400}',
     "json: cannot unmarshal number 1e400 into Go value of type int64"),
    (RANGE, b'{"key":"Zm9v","revision":"0x10"}', "invalid character 'x' after top-level value"),
    (PUT, b'{"key":"Zm9v","lease":""}', "unexpected end of JSON input"),
    (PUT, b'{"key":"Zm9v","value":"YmFy="}', "illegal base64 data at input byte 4"),
    (PUT, b'{"key":["Zm9v"]}', "json: cannot unmarshal string into Go value of type uint8"),
    (PUT, b'{"key":[102,256]}', "json: cannot unmarshal number 256 into Go value of type uint8"),
    (RANGE, b"{'key':'Zm9v'}", "invalid character '\\'' looking for beginning of object key string"),
    (RANGE, b'\xef\xbb\xbf{"key":"Zm9v"}', "invalid character '\u00ef' looking for beginning of value"),
    (RANGE, b'{"key":"Zm9v","limit":-}', "invalid character '}' in numeric literal"),
    (RANGE, b'{"key":"Zm9v","limit":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (PUT, b'{"key":"Zm9v","value":NaN}', "invalid character 'N' looking for beginning of value"),
    (PUT, b'{"key":"Zm9v","lease":-Infinity}', "invalid character 'I' in numeric literal"),
])
def test_what_etcd_said_to_odd_json_is_said_alike(method, body, message):
    """Recorded from etcd 3.4.23's gateway: numbers quoted as written (also out of range),
    an int64 string's contents read as JSON, base64 with its padding exact, a []byte as an
    array of byte numbers, and the byte a syntax error names (a BOM's first, quoted as Go
    quotes a byte)."""
    with pytest.raises(gateway.GatewayError) as refused:
        gateway.decode_requests(method, body)
    assert (refused.value.code, refused.value.message) == (3, message)


def test_an_int64_string_may_carry_spaces_and_a_byte_array_numbers():
    """etcd 3.4.23 answered a range at revision " 1" (json.Unmarshal of ` 1`) and a put of the
    key [102,111,111], which encoding/json reads as the bytes "foo" (both recorded as 200s)."""
    (request,) = gateway.decode_requests(RANGE, b'{"key":"Zm9v","revision":" 1"}')
    assert request.revision == 1
    (request,) = gateway.decode_requests(PUT, b'{"key":[102,111,111],"value":"YmFy"}')
    assert request.key == b"foo"


WATCH = gateway.route("/v3/watch")


@pytest.mark.parametrize("body", [b"[]", b'{"create_request":{"key":"dw==","filters":["BOGUS"]}}'])
def test_a_streams_first_request_that_does_not_decode_is_unknown(body):
    """grpc-gateway returns a stream's first decode error bare, so grpc-go's code Unknown and
    HTTP 500 (recorded from etcd 3.4.23 on /v3/watch, the message as a unary call's)."""
    with pytest.raises(gateway.GatewayError) as refused:
        gateway.decode_requests(WATCH, body)
    assert (refused.value.code, refused.value.http_status) == (2, 500)


def test_a_stream_stops_at_a_later_request_that_does_not_decode():
    """Its send loop ends at a decode error: etcd 3.4.23 answered a watch body followed by
    garbage with the watch created."""
    (request,) = gateway.decode_requests(WATCH, b'{"create_request":{"key":"dw=="}} garbage')
    assert request.create_request.key == b"w"
