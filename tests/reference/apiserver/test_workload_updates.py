"""What an update of a StatefulSet, a DaemonSet or a ControllerRevision may change, as their
strategies' ValidateUpdate decide it, with upstream's texts. One rule per test."""
from __future__ import annotations

import copy

import pytest

from reference_impl.apiserver import kinds
from reference_impl.machinery.gojson import number_literal

TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
STATEFULSET_SPEC_FORBIDDEN = ("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                              "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                              "'minReadySeconds' are forbidden")


def stateful_set(**spec) -> dict:
    """A StatefulSet as decoding leaves it, defaulted (validation sees nothing else)."""
    obj = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "d"},
           "spec": {"serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "a"}},
                    "template": copy.deepcopy(TEMPLATE), **spec}}
    kinds.set_object_defaults("StatefulSet", obj)
    return obj


def stateful_set_update_problems(old: dict, change: dict) -> list[str]:
    new = copy.deepcopy(old)
    new["spec"].update(copy.deepcopy(change))
    kinds.set_object_defaults("StatefulSet", new)
    return kinds.find("apps", "v1", "statefulsets").validate_update(old, new)


@pytest.mark.parametrize("change", [
    {"replicas": 3},
    {"template": {**TEMPLATE, "spec": {"containers": [{"name": "c", "image": "busybox:1.37"}]}}},
    {"updateStrategy": {"type": "OnDelete"}},
    {"minReadySeconds": 10},
    {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"}},
])
def test_a_statefulset_update_may_change_the_allowed_fields(change):
    """ValidateStatefulSetUpdate: replicas, template, updateStrategy, minReadySeconds and
    persistentVolumeClaimRetentionPolicy may change."""
    assert stateful_set_update_problems(stateful_set(), change) == []


@pytest.mark.parametrize("change", [
    {"serviceName": "other"},
    {"podManagementPolicy": "Parallel"},
    {"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]},
    {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["a"]}]}},
])
def test_a_statefulset_update_may_not_change_other_spec_fields(change):
    """ValidateStatefulSetUpdate: any other spec change, the selector's included, is one Forbidden
    on spec."""
    assert stateful_set_update_problems(stateful_set(), change) == [STATEFULSET_SPEC_FORBIDDEN]


def daemon_set(selector: dict) -> dict:
    labels = {"app": "a", "tier": "x", "zone": "z1", "gpu": "t"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "d"},
            "spec": {"selector": selector, "template": {**TEMPLATE, "metadata": {"labels": labels}},
                     # as SetDefaults_DaemonSet leaves it: validation checks the strategy too
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}}}


def test_a_daemonset_selector_is_immutable_and_shown_as_go_shows_it():
    """The daemonset strategy's ValidateImmutableField on spec.selector: the new selector is shown
    as Go's %#v of a metav1.LabelSelector, map keys sorted."""
    old = daemon_set({"matchLabels": {"app": "a"}})
    new = daemon_set({"matchLabels": {"tier": "x", "app": "a"},
                      "matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1", "z2"]},
                                           {"key": "gpu", "operator": "Exists"}]})
    assert kinds.find("apps", "v1", "daemonsets").validate_update(old, new) == [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"a", "tier":"x"}, '
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"zone", Operator:"In", '
        'Values:[]string{"z1", "z2"}}, v1.LabelSelectorRequirement{Key:"gpu", Operator:"Exists", '
        'Values:[]string(nil)}}}: field is immutable']


REVISION = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-1", "namespace": "d"},
            "data": {"a": 1}, "revision": 1}


def test_a_controller_revision_has_data():
    """ValidateControllerRevision: data is mandatory (JSON null is none), the revision not negative."""
    revisions = kinds.find("apps", "v1", "controllerrevisions")
    assert revisions.validate(REVISION) == []
    assert revisions.validate({**REVISION, "data": None, "revision": -1}) == [
        "data: Required value: data is mandatory", "revision: Invalid value: -1: must be greater than or equal to 0"]


@pytest.mark.parametrize("change,expected", [
    ({"revision": 5}, []), ({"metadata": {**REVISION["metadata"], "labels": {"a": "b"}}}, []),
    ({"data": {"a": 2}}, ['data: Invalid value: runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:"", Kind:""}, '
                          "Raw:[]uint8{0x7b, 0x22, 0x61, 0x22, 0x3a, 0x32, 0x7d}, ContentEncoding:\"\", "
                          'ContentType:"application/json"}: field is immutable']),
    ({"data": None}, ["data: Required value: data is mandatory", 'data: Invalid value: "null": field is immutable']),
], ids=["revision", "labels", "data", "no-data"])
def test_a_controller_revisions_data_is_immutable(change, expected):
    """ValidateControllerRevisionUpdate: the revision may change, the data not; upstream shows the
    new data as the runtime.Unknown holding its JSON (the real 1.24's text for these patches)."""
    revisions = kinds.find("apps", "v1", "controllerrevisions")
    assert revisions.validate_update(REVISION, {**REVISION, **change}) == expected


def raw_unknown(text: str) -> list[str]:
    raw = ", ".join(f"0x{byte:02x}" for byte in text.encode())
    return [f'data: Invalid value: runtime.Unknown{{TypeMeta:runtime.TypeMeta{{APIVersion:"", Kind:""}}, '
            f'Raw:[]uint8{{{raw}}}, ContentEncoding:"", ContentType:"application/json"}}: field is immutable']


@pytest.mark.parametrize("old_data, new_data, shown", [
    ({"a": 1, "b": 0, "c": None}, {"a": 1}, '{"a":1}'),
    ({"a": 1, "b": 0, "c": None}, {"c": None, "b": 0, "a": 1}, '{"c":null,"b":0,"a":1}'),
    ({"a": 1, "b": 0, "c": None}, {"a": number_literal("1e3", 1000.0)}, '{"a":1e3}'),
    ({"a": 1000.0}, {"a": 1000}, '{"a":1000}'),
    ({"a": 1, "b": 0, "c": None}, {"a": 1, "b": 0, "c": None}, None),
    ({"a": 1000.0, "s": "h\u00e9"}, {"a": number_literal("1e3", 1000.0), "s": "h\u00e9"}, None),
], ids=["null-and-zero-dropped", "keys-reordered", "number-as-written", "int-for-float", "same", "same-float"])
def test_a_controller_revisions_data_is_compared_as_its_bytes(old_data, new_data, shown):
    """ValidateImmutableField compares the runtime.Unknown's Raw bytes: a dropped null or 0, keys
    in another order, an integer for a float are changes, and the message shows the bytes with
    numbers as written (kube-apiserver 1.24 answered the first three so, 422)."""
    revisions = kinds.find("apps", "v1", "controllerrevisions")
    problems = revisions.validate_update({**REVISION, "data": old_data}, {**REVISION, "data": new_data})
    assert problems == ([] if shown is None else raw_unknown(shown))
