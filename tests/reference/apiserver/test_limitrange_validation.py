"""LimitRange and ResourceQuota objects as pkg/apis/core/validation checks them in Kubernetes 1.24:
the decoder refuses wrong JSON types with a 400, validation refuses contradictory bounds, unknown
resource names and scopes with a 422 in upstream's words; and the LimitRanger and ResourceQuota
admission plugins read whatever is already stored without a 500."""
from __future__ import annotations

import json
import re

import pytest

from reference_impl.apiserver.core.handlers import Request

from tests.reference.apiserver.test_namespace_lifecycle import call, chain, ns  # noqa: F401 (fixtures)


def quantity(value: int, scale: int, cached: str, format: str = "DecimalSI") -> str:
    """A resource.Quantity as Go's %#v prints it."""
    return (f"resource.Quantity{{i:resource.int64Amount{{value:{value}, scale:{scale}}}, "
            f'd:resource.infDecAmount{{Dec:(*inf.Dec)(nil)}}, s:"{cached}", Format:"{format}"}}')


def create_limit_range(chain, ns: str, *items: object):
    body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr"}, "spec": {"limits": list(items)}}
    return call(chain, "POST", f"/api/v1/namespaces/{ns}/limitranges", body)


def create_quota(chain, ns: str, spec: dict):
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": spec}
    return call(chain, "POST", f"/api/v1/namespaces/{ns}/resourcequotas", body)


def invalid(kind: str, code_and_status) -> str:
    code, status = code_and_status
    assert (code, status["reason"]) == (422, "Invalid"), status
    return status["message"].removeprefix(f'{kind} "lr" is invalid: ').removeprefix(f'{kind} "q" is invalid: ')


def create_pod(chain, ns: str):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
           "spec": {"containers": [{"name": "app", "image": "nginx"}]}}
    return call(chain, "POST", f"/api/v1/namespaces/{ns}/pods", pod)


@pytest.mark.parametrize("item,problem", [
    ({"type": "Container", "default": "x"},
     "json: cannot unmarshal string into Go struct field LimitRangeItem.spec.limits.default of type v1.ResourceList"),
    ({"type": "Container", "max": {"cpu": ["1"]}},
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    # the field's Go type is the named v1.LimitType, which our schema does not record
    ({"type": 5}, "json: cannot unmarshal number into Go struct field LimitRangeItem.spec.limits.type of type "),
], ids=["map", "quantity", "type"])
def test_wrong_json_type_is_400(chain, ns, item, problem):
    """encoding/json refuses a LimitRangeItem whose type is no string or whose bounds are no
    ResourceList; resource.Quantity parses a list given as a quantity as text, which does not match
    its format. 400, and nothing is stored."""
    code, status = create_limit_range(chain, ns, item)
    assert code == 400, status
    assert status["message"].startswith('LimitRange in version "v1" cannot be handled as a LimitRange: ' + problem)
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}/limitranges/lr")[0] == 404


def test_no_quantity_is_400(chain, ns):
    """A ResourceList value is parsed as a resource.Quantity when decoded."""
    code, status = create_limit_range(chain, ns, {"type": "Container", "min": {"cpu": "lots"}})
    assert (code, status["message"]) == (400, 'LimitRange in version "v1" cannot be handled as a LimitRange: '
                                              "quantities must match the regular expression "
                                              "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize("items,message", [
    ([{"type": "Foo"}], 'spec.limits[0].type: Invalid value: "Foo": must be a standard limit type or fully qualified'),
    ([{"type": "Pod", "max": {"cpu": "1"}}, {"type": "Pod", "max": {"cpu": "2"}}],
     'spec.limits[1].type: Duplicate value: "Pod"'),
    ([{"type": "Pod", "max": {"storage": "1Gi"}}],
     'spec.limits[0].max[storage]: Invalid value: "storage": must be a standard resource for containers'),
    ([{"type": "PersistentVolumeClaim", "max": {"storage": "1Gi", "foo": "1"}}],
     'spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource type or fully qualified'),
    ([{"type": "Pod", "default": {"cpu": "1"}}],
     "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"),
    ([{"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}],
     "spec.limits[0].limits: Required value: either minimum or maximum storage value is required, "
     "but neither was provided"),
    ([{"type": "Pod", "min": {"cpu": "2"}, "max": {"cpu": "1"}}],
     f"spec.limits[0].min[cpu]: Invalid value: {quantity(2, 0, '2')}: min value 2 is greater than max value 1"),
    ([{"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1.5"}}],
     f"spec.limits[0].defaultRequest[cpu]: Invalid value: {quantity(15, -1, '')}: "
     "default request value 1500m is greater than default limit value 1"),
    ([{"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "default": {"storage": "512Mi"}}],
     f"spec.limits[0].default[storage]: Invalid value: {quantity(1073741824, 0, '1Gi', 'BinarySI')}: "
     "min value 1Gi is greater than default value 512Mi"),
    ([{"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}}],
     f"spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: {quantity(500, -3, '500m')}: "
     "ratio 500m is less than 1"),
    # Written "0.5", the copy the real server prints has no cached text (unlike the min/max ones).
    ([{"type": "Container", "maxLimitRequestRatio": {"cpu": "0.5"}}],
     f"spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: {quantity(5, -1, '')}: "
     "ratio 500m is less than 1"),
    ([{"type": "Pod", "min": {"cpu": "1"}, "max": {"cpu": "2"}, "maxLimitRequestRatio": {"cpu": "3"}}],
     f"spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: {quantity(3, 0, '3')}: "
     "ratio 3 is greater than max/min = 2.000000"),
    ([{"type": "Container", "default": {"example.com/gpu": "2"}, "defaultRequest": {"example.com/gpu": "1"}}],
     f"spec.limits[0].defaultRequest[example.com/gpu]: Invalid value: {quantity(1, 0, '1')}: "
     "default value 2 must equal to defaultRequest value 1 in example.com/gpu"),
])
def test_limit_range_rule(chain, ns, items, message):
    """ValidateLimitRange: one rule per case, each with its field path and upstream's text."""
    assert invalid("LimitRange", create_limit_range(chain, ns, *items)) == message


DEC = "(*inf.Dec)(0xc000000000)"


def dec_quantity(cached: str, format: str = "DecimalSI") -> str:
    """A resource.Quantity held as an inf.Dec, as %#v prints it (its address fixed)."""
    return (f"resource.Quantity{{i:resource.int64Amount{{value:0, scale:0}}, d:resource.infDecAmount{{Dec:{DEC}}}, "
            f's:"{cached}", Format:"{format}"}}')


@pytest.mark.parametrize("item,messages", [
    # Cmp turns its receiver (min) into an inf.Dec when max is one; String caches min's text.
    ({"type": "Container", "min": {"cpu": "2000m"}, "max": {"cpu": "0.0000000001"}},
     [f"spec.limits[0].min[cpu]: Invalid value: {dec_quantity('')}: min value 2 is greater than max value 1m",
      f"spec.limits[0].defaultRequest[cpu]: Invalid value: {dec_quantity('')}: "
      "min value 2 is greater than default request value 1m",
      f"spec.limits[0].default[cpu]: Invalid value: {dec_quantity('2')}: min value 2 is greater than default value 1m"]),
    # An exponent with no SI suffix prints none; a text kept by ParseQuantity is String's.
    ({"type": "Container", "min": {"cpu": "1000E"}, "max": {"cpu": "10E"}},
     [f"spec.limits[0].min[cpu]: Invalid value: {quantity(1000, 18, '')}: min value 1 is greater than max value 10E",
      f"spec.limits[0].defaultRequest[cpu]: Invalid value: {quantity(10, 18, '10E')}: "
      "min value 1 is greater than default request value 10E",
      f"spec.limits[0].default[cpu]: Invalid value: {quantity(1000, 18, '1')}: "
      "min value 1 is greater than default value 10E"]),
    # RoundUp rescales an int64Amount finer than thousandths, exact or not, and drops its text.
    ({"type": "Container", "min": {"cpu": "0.9999"}, "max": {"cpu": "1000u"}},
     [f"spec.limits[0].min[cpu]: Invalid value: {quantity(1000, -3, '')}: min value 1 is greater than max value 1m",
      f"spec.limits[0].defaultRequest[cpu]: Invalid value: {quantity(1, -3, '')}: "
      "min value 1 is greater than default request value 1m",
      f"spec.limits[0].default[cpu]: Invalid value: {quantity(1000, -3, '1')}: "
      "min value 1 is greater than default value 1m"]),
    ({"type": "Pod", "min": {"cpu": "1E3"}, "max": {"cpu": "100"}, "maxLimitRequestRatio": {"cpu": "1.5"}},
     [f"spec.limits[0].min[cpu]: Invalid value: {quantity(1, 3, '1E3', 'DecimalExponent')}: "
      "min value 1E3 is greater than max value 100",
      f"spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: {quantity(15, -1, '')}: "
      "ratio 1500m is greater than max/min = 0.100000"]),
], ids=["dec-receiver", "no-suffix", "rescaled", "kept-text"])
def test_limit_range_bounds_are_local_quantities(chain, ns, item, messages):
    """ValidateLimitRange's bounds are local copies of resource.Quantity which its checks change:
    Cmp makes the receiver an inf.Dec when the other is one, String caches the canonical text, and
    each error shows its copy as it was before its own message was formatted (as the real 1.24
    server prints them)."""
    message = invalid("LimitRange", create_limit_range(chain, ns, item))
    assert message == (f"[{', '.join(messages)}]" if len(messages) > 1 else messages[0])


@pytest.mark.parametrize("metadata", [None, {}, {"a": 1}], ids=["absent", "empty", "unknown-field"])
def test_unnamed_limit_range_gets_uuid(chain, ns, metadata):
    """limitrangeStrategy.PrepareForCreate names a LimitRange that has neither name nor
    generateName with a new UUID: 201, not a missing-name 422."""
    body = {"apiVersion": "v1", "kind": "LimitRange", "spec": {"limits": [{"type": "Container",
                                                                           "max": {"cpu": "4"}}]}}
    if metadata is not None:
        body["metadata"] = metadata
    code, created = call(chain, "POST", f"/api/v1/namespaces/{ns}/limitranges", body)
    assert code == 201, created
    assert re.fullmatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", created["metadata"]["name"])
    assert created["metadata"]["name"] != created["metadata"]["uid"]


def test_a_limit_range_generate_name_is_validated_alone(chain, ns):
    """PrepareForCreate names the object before BeforeCreate would generate a name, so a bad
    generateName is the only problem, reported for the object its UUID names."""
    body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"generateName": "UPPER-"},
            "spec": {"limits": [{"type": "Container", "max": {"cpu": "4"}}]}}
    code, status = call(chain, "POST", f"/api/v1/namespaces/{ns}/limitranges", body)
    assert code == 422, status
    assert re.fullmatch('LimitRange "[0-9a-f-]{36}" is invalid: metadata.generateName: Invalid value: "UPPER-": '
                        "a lowercase RFC 1123 subdomain must consist of .*", status["message"]), status["message"]


def test_a_valid_limit_range_is_stored(chain, ns):
    """Bounds in order, a ratio within max/min and an extended resource defaulted to the same value pass."""
    code, created = create_limit_range(chain, ns, {"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "2"},
                                                   "default": {"cpu": "1", "example.com/gpu": "1"},
                                                   "defaultRequest": {"cpu": "500m", "example.com/gpu": "1"},
                                                   "maxLimitRequestRatio": {"cpu": "4"}},
                                       {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}})
    assert code == 201, created


@pytest.mark.parametrize("spec,message", [
    ({"hard": {"storage": "1Gi"}},
     'spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota'),
    ({"hard": {"foo": "1"}}, '[spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully '
                             'qualified, spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota]'),
    ({"hard": {"cpu": "-1"}}, 'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0'),
    ({"hard": {"pods": "1.5"}}, f"spec.hard[pods]: Invalid value: {quantity(15, -1, '')}: must be an integer"),
    ({"hard": {"pods": "1"}, "scopes": ["Terminating", "NotTerminating"]},
     'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating", "NotTerminating"}: conflicting scopes'),
    ({"hard": {"pods": "1"}, "scopes": ["Foo"]},
     'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Foo"}: unsupported scope'),
    ({"hard": {"cpu": "1"}, "scopes": ["BestEffort"]},
     'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource'),
    ({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "Terminating", "operator": "In", "values": ["x"]}]}},
     'spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exist\' when scope is any of '
     "ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
     "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"),
    ({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In"}]}},
     "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is "
     "'In' or 'NotIn' for scope selector"),
    ({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "Exists", "values": ["high"]}]}},
     'spec.scopeSelector.matchExpressions.values: Invalid value: []string{"high"}: must be no value when '
     "`operator` is 'Exist' or 'DoesNotExist' for scope selector"),
    ({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "Is"}]}},
     'spec.scopeSelector.matchExpressions.operator: Invalid value: "Is": not a valid selector operator'),
    ({"hard": {"services": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "Exists"}]}},
     "spec.scopeSelector.matchExpressions: Invalid value: core.ScopeSelector{MatchExpressions:"
     "[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{ScopeName:\"PriorityClass\", "
     'Operator:"Exists", Values:[]string(nil)}}}: unsupported scope applied to resource'),
    ({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "BestEffort", "operator": "Exists"}, {"scopeName": "NotBestEffort", "operator": "Exists"}]}},
     "spec.scopeSelector.matchExpressions: Invalid value: []core.ResourceQuotaScope(nil): conflicting scopes"),
])
def test_quota_rule(chain, ns, spec, message):
    """ValidateResourceQuotaSpec: one rule per case, each with its field path and upstream's text."""
    assert invalid("ResourceQuota", create_quota(chain, ns, spec)) == message


def post_raw(chain, path: str, body: bytes):
    """A POST of JSON bytes as they are (json.dumps would write 1e3 as 1000.0)."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = chain.handle(Request("POST", path, {}, headers, body))
    return response.code, json.loads(response.body)


def test_a_quantity_given_as_a_json_number_is_parsed_from_its_text(chain, ns):
    """UnmarshalJSON hands ParseQuantity the number as written: 1e3 is kept as its text (not
    Python's 1000.0, "1k"), 2.50 is an int64Amount of 250 at scale -2, as the real 1.24 server
    wrote and printed them."""
    body = b'{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},"spec":{"hard":{"cpu":1e3}}}'
    code, created = post_raw(chain, f"/api/v1/namespaces/{ns}/resourcequotas", body)
    assert (code, created["spec"]["hard"]) == (201, {"cpu": "1e3"}), created
    body = b'{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},"spec":{"hard":{"pods":2.50}}}'
    message = invalid("ResourceQuota", post_raw(chain, f"/api/v1/namespaces/{ns}/resourcequotas", body))
    assert message == f"spec.hard[pods]: Invalid value: {quantity(250, -2, '')}: must be an integer"


def test_scope_selector_wrong_json_type_is_400(chain, ns):
    """spec.scopeSelector is a ScopeSelector struct: matchExpressions must be a list."""
    code, status = create_quota(chain, ns, {"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": "x"}})
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert "cannot unmarshal string into Go struct field" in status["message"]


def test_the_scopes_of_a_quota_cannot_change(chain, ns):
    """ValidateResourceQuotaUpdate: spec.scopes is immutable."""
    code, created = create_quota(chain, ns, {"hard": {"pods": "1"}, "scopes": ["Terminating"]})
    assert code == 201, created
    created["spec"]["scopes"] = ["NotTerminating"]
    assert invalid("ResourceQuota", call(chain, "PUT", f"/api/v1/namespaces/{ns}/resourcequotas/q", created)) == \
        'spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: field is immutable'


def test_a_quota_status_is_validated(chain, ns):
    """ValidateResourceQuotaStatusUpdate: status.hard and status.used hold quota resources and
    non-negative quantities."""
    code, created = create_quota(chain, ns, {"hard": {"pods": "1"}})
    assert code == 201, created
    created["status"] = {"hard": {"pods": "1", "storage": "1Gi"}, "used": {"pods": "-1"}}
    assert invalid("ResourceQuota", call(chain, "PUT", f"/api/v1/namespaces/{ns}/resourcequotas/q/status", created)) \
        == '[status.hard[storage]: Invalid value: "storage": must be a standard resource for quota, ' \
           'status.used[pods]: Invalid value: "-1": must be greater than or equal to 0]'


def store(chain, ns: str, plural: str, obj: dict, name: str = "stored") -> None:
    """Write `obj` straight into etcd, as data from before this validation existed would be."""
    meta = {"name": name, "namespace": ns, "uid": name, "creationTimestamp": "2023-11-14T22:13:20Z"}
    chain.rest.registry.storage.create(f"/registry/{plural}/{ns}/{name}", {**obj, "metadata": meta})


def test_limit_ranger_reads_undecodable_stored_data(chain, ns):
    """What the decoder would have refused (a bound that is no map, a quantity that does not parse,
    an item or a spec that is no object) counts as absent; the rest still applies."""
    store(chain, ns, "limitranges", {"apiVersion": "v1", "kind": "LimitRange", "spec": {"limits": [
        "junk", {"type": "Container", "default": "x", "defaultRequest": {"cpu": "abc", "memory": "64Mi"},
                 "max": ["1"], "min": {"memory": None}}]}})
    store(chain, ns, "limitranges", {"apiVersion": "v1", "kind": "LimitRange", "spec": "x"}, name="no-spec")
    store(chain, ns, "limitranges", {"apiVersion": "v1", "kind": "LimitRange", "spec": {"limits": 5}},
          name="no-limits")
    code, pod = create_pod(chain, ns)
    assert code == 201, pod
    assert pod["spec"]["containers"][0]["resources"] == {"requests": {"memory": "64Mi"}}


def test_quota_admission_reads_undecodable_stored_data(chain, ns):
    """A quota whose spec, scopes, status or quantities are of the wrong type tracks nothing it
    cannot read: a pod is admitted, charged to what is readable."""
    store(chain, ns, "resourcequotas", {"apiVersion": "v1", "kind": "ResourceQuota",
                                        "spec": {"hard": "x", "scopes": "Terminating",
                                                 "scopeSelector": {"matchExpressions": [
                                                     "x", {"scopeName": "NotTerminating", "operator": "Exists",
                                                           "values": 5}]}},
                                        "status": {"hard": {"pods": "lots", "count/pods": "2"},
                                                   "used": {"count/pods": "0", "pods": []}}})
    store(chain, ns, "resourcequotas", {"apiVersion": "v1", "kind": "ResourceQuota", "spec": [], "status": "x"},
          name="no-status")
    store(chain, ns, "resourcequotas", {"apiVersion": "v1", "kind": "ResourceQuota",
                                        "status": {"hard": {"pods": "lots"}, "used": "x"}}, name="no-used")
    code, pod = create_pod(chain, ns)
    assert code == 201, pod
    status = call(chain, "GET", f"/api/v1/namespaces/{ns}/resourcequotas/stored")[1]["status"]
    assert status == {"hard": {"count/pods": "2"}, "used": {"count/pods": "1"}}


def test_a_container_item_defaults_from_its_bounds(chain, ns):
    """SetDefaults_LimitRangeItem: a Container item's default limit is its max, its default request
    the default limit or else its min, for each resource not set; a Pod item gets no defaults."""
    code, created = create_limit_range(chain, ns, {"type": "Container", "max": {"cpu": "1"}, "min": {"memory": "64Mi"}},
                                       {"type": "Pod", "max": {"cpu": "2"}})
    assert code == 201, created
    assert created["spec"]["limits"] == [
        {"type": "Container", "max": {"cpu": "1"}, "min": {"memory": "64Mi"}, "default": {"cpu": "1"},
         "defaultRequest": {"cpu": "1", "memory": "64Mi"}},
        {"type": "Pod", "max": {"cpu": "2"}}]
    code, pod = create_pod(chain, ns)
    assert code == 201, pod
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"},
                                                         "requests": {"cpu": "1", "memory": "64Mi"}}


@pytest.mark.parametrize("written,problem", [
    ("..", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("1Gb", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("1Zi", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("1ki", "unable to parse quantity's suffix"),
    (".e-20", "unable to parse numeric part of quantity"),
], ids=["dots", "letter-outside-suffixes", "letter-before-i", "unknown-suffix", "no-digits"])
def test_quantity_parse_error(chain, ns, written, problem):
    """resource.ParseQuantity fails with ErrFormatWrong when the text leaves its grammar (a second
    '.', a letter no suffix uses), with ErrSuffix for a suffix it does not know, and with
    ErrNumeric for a number with no digits that its int64 fast path does not take."""
    code, status = create_quota(chain, ns, {"hard": {"pods": written}})
    assert code == 400, status
    assert status["message"] == 'ResourceQuota in version "v1" cannot be handled as a ResourceQuota: ' + problem
