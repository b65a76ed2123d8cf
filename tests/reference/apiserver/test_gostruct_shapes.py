"""gostruct's encoding remembers, per shape of a struct's value, which of the struct's fields to
visit: every shape must still encode as a walk of all the struct's fields does."""
from __future__ import annotations

from reference_impl.apiserver.core import gostruct


def test_a_shape_seen_before_is_encoded_by_its_own_values():
    """Encoding walks only the fields a value sets and those Go writes anyway, remembered by the
    value's message, keys and whether empties are kept: the same keys with other values, in
    another order, decoded then encoded, or with a field the struct does not know, each encode
    as the full walk of the struct's fields does."""
    def pod(spec: dict) -> dict:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shape"}, "spec": spec}

    null = {"containers": None}  # no omitempty: a nil slice is written as null
    assert gostruct.as_encoded(pod({"nodeName": "a", "hostNetwork": True}))["spec"] == {
        **null, "nodeName": "a", "hostNetwork": True}
    assert gostruct.as_encoded(pod({"nodeName": "", "hostNetwork": False}))["spec"] == null
    assert list(gostruct.as_encoded(pod({"hostNetwork": True, "nodeName": "b"}))["spec"]) == [
        "containers", "nodeName", "hostNetwork"]
    assert gostruct.as_decoded(pod({"tolerations": [], "nodeName": "c"}))["spec"] == {
        "nodeName": "c", "tolerations": []}
    assert gostruct.as_encoded(pod({"tolerations": [], "nodeName": "c"}))["spec"] == {**null, "nodeName": "c"}
    assert gostruct.as_encoded(pod({"nodeName": "d", "bogus": 1}))["spec"] == {**null, "nodeName": "d", "bogus": 1}
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}}
    first, second = gostruct.as_encoded(dict(event)), gostruct.as_encoded(dict(event))
    assert first == second and first["source"] == {} and first["source"] is not second["source"]
