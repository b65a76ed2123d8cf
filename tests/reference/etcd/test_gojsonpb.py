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
