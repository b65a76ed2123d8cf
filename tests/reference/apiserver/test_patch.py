"""The three patch types of reference_impl/apiserver/patch.py, one rule per test, against the
behaviour of evanphx/json-patch and apimachinery's strategicpatch."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver.core.openapi import OpenAPIPatchMeta
from reference_impl.apiserver.core.patch import (MergeKeys, NoPatchMeta, PatchError, apply_json_patch,
                                            apply_merge_patch, apply_strategic_merge_patch)
from reference_impl.apiserver.kinds import RESOURCES

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "1", "b": "2"}},
       "spec": {"containers": [{"name": "c1", "image": "nginx:1", "env": [{"name": "X", "value": "1"}]},
                               {"name": "c2", "image": "busybox"}],
                "finalizers_demo": ["x", "y"]}}


def pod_schema():
    return OpenAPIPatchMeta.for_kind("v1", "Pod")


# --- JSON patch ---

def test_json_patch_add_replace_remove():
    """add, replace and remove address fields and list items by JSON pointer."""
    ops = [{"op": "add", "path": "/metadata/labels/c", "value": "3"},
           {"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:2"},
           {"op": "remove", "path": "/metadata/labels/a"},
           {"op": "add", "path": "/spec/containers/-", "value": {"name": "c3"}}]
    result = apply_json_patch(POD, ops)
    assert result["metadata"]["labels"] == {"b": "2", "c": "3"}
    assert result["spec"]["containers"][0]["image"] == "nginx:2"
    assert [c["name"] for c in result["spec"]["containers"]] == ["c1", "c2", "c3"]
    assert POD["metadata"]["labels"] == {"a": "1", "b": "2"}, "the input is not mutated"


def test_json_patch_move_copy_and_escaped_pointer():
    """move and copy take `from`; `~1` in a pointer is `/` and `~0` is `~`."""
    doc = {"metadata": {"annotations": {"a/b": "1", "c~d": "2"}}}
    result = apply_json_patch(doc, [{"op": "copy", "from": "/metadata/annotations/a~1b", "path": "/x"},
                                    {"op": "move", "from": "/metadata/annotations/c~0d", "path": "/y"}])
    assert result == {"metadata": {"annotations": {"a/b": "1"}}, "x": "1", "y": "2"}


def test_json_patch_copy_of_a_map_the_patch_stepped_into_is_written_sorted():
    """deepCopy marshals the copied node: a map an earlier operation stepped into (parsed) is
    copied with its keys sorted, one no operation touched keeps its order."""
    doc = {"spec": {"a": {"z": 1, "b": 2}}}
    untouched = apply_json_patch(doc, [{"op": "copy", "from": "/spec/a", "path": "/spec/c"}])
    assert list(untouched["spec"]["c"]) == ["z", "b"]
    stepped = apply_json_patch(doc, [{"op": "add", "path": "/spec/a/x", "value": 3},
                                     {"op": "copy", "from": "/spec/a", "path": "/spec/c"}])
    assert list(stepped["spec"]["c"]) == ["b", "x", "z"]


def test_json_patch_failed_test_is_not_malformed():
    """A failing `test` operation is a patch that does not apply (422), not a malformed one."""
    with pytest.raises(PatchError) as err:
        apply_json_patch(POD, [{"op": "test", "path": "/metadata/name", "value": "other"}])
    assert not err.value.malformed


@pytest.mark.parametrize(("ops", "message"), [
    ({"op": "add"}, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    (["add"], "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
])
def test_json_patch_that_does_not_decode_is_malformed(ops, message):
    """Only a body DecodePatch cannot read as a list of objects is malformed (400), in encoding/json's words."""
    with pytest.raises(PatchError) as err:
        apply_json_patch(POD, ops)
    assert err.value.malformed and err.value.message == message


@pytest.mark.parametrize(("ops", "message"), [
    ([{"op": "frobnicate", "path": "/a"}], "Unexpected kind: frobnicate"),
    ([{"path": "/a"}], "Unexpected kind: unknown"),
    ([{"op": "add", "path": 5, "value": 1}], "add operation failed to decode path: missing value"),
    ([{"op": "replace", "value": 1}],
     "replace operation failed to decode path: operation missing path field: missing value"),
    ([{"op": "copy", "from": ["/a"], "path": "/b"}],
     "copy operation failed to decode from: json: cannot unmarshal array into Go value of type string"),
    ([{"op": "remove", "path": "/spec/nothing/here"}],
     'remove operation does not apply: doc is missing path: "/spec/nothing/here": missing value'),
    ([{"op": "remove", "path": "/metadata/annotations"}],
     "error in remove for path: '/metadata/annotations': Unable to remove nonexistent key: annotations: "
     "missing value"),
    ([{"op": "remove", "path": "/spec/containers/5"}],
     "error in remove for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced"),
    ([{"op": "replace", "path": "/spec/nothing/here", "value": 1}],
     "replace operation does not apply: doc is missing path: /spec/nothing/here: missing value"),
    ([{"op": "replace", "path": "/spec/containers/2", "value": 1}],
     "replace operation does not apply: doc is missing key: /spec/containers/2: missing value"),
    ([{"op": "add", "path": "/spec/containers/x", "value": 1}],
     "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': "
     'strconv.Atoi: parsing "x": invalid syntax'),
    ([{"op": "move", "from": "/metadata/zz", "path": "/x"}],
     "error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value"),
    ([{"op": "test", "path": "/metadata/name", "value": "other"}], "testing value /metadata/name failed: test failed"),
    ([{"op": "test", "path": "/metadata/labels/a", "value": 1}], "testing value /metadata/labels/a failed: test failed"),
])
def test_json_patch_that_does_not_apply_says_what_evanphx_json_patch_says(ops, message):
    """Everything else, an unknown op or a missing path field too, fails only when applied
    (the handler's 422), with json-patch v4's error chain as pkg/errors prints it."""
    with pytest.raises(PatchError) as err:
        apply_json_patch(POD, ops)
    assert not err.value.malformed and err.value.message == message


def test_json_patch_v4_quirks():
    """json-patch v4: `replace` of a missing object key adds it, a negative index counts from
    the end, an operation without `value` writes null, a null body changes nothing."""
    result = apply_json_patch(POD, [{"op": "replace", "path": "/metadata/x", "value": "1"},
                                    {"op": "add", "path": "/spec/containers/-2", "value": {"name": "c3"}},
                                    {"op": "add", "path": "/metadata/y"}])
    assert result["metadata"]["x"] == "1" and result["metadata"]["y"] is None
    assert [c["name"] for c in result["spec"]["containers"]] == ["c1", "c3", "c2"]
    assert apply_json_patch(POD, None) == POD


def test_json_patch_maps_it_steps_into_are_written_sorted_with_the_keys_it_added():
    """findObject parses each map on the way (a partialDoc, written sorted as json.Marshal writes a
    map), so the labels an add went into come out sorted with the new key among them: the real
    1.24 server's 422 after `add /metadata/labels/a` to labels {b} quotes {"a":"1","b":"1"}."""
    doc = {"metadata": {"name": "x", "labels": {"b": "1"}}, "spec": {"z": 1, "a": 2}}
    result = apply_json_patch(doc, [{"op": "add", "path": "/metadata/labels/a", "value": "1"}])
    assert (list(result["metadata"]), list(result["metadata"]["labels"]), list(result["spec"])) == \
        (["labels", "name"], ["a", "b"], ["z", "a"])


def test_json_patch_of_many_operations_sorts_each_map_once(monkeypatch):
    """Only the result's key order shows, so each parsed map is sorted once, not at every
    operation: 2,000 adds into one map sort 2,000 keys, not some 2,000,000 (it took 24 s for
    10,000, the most a patch may hold)."""
    from reference_impl.apiserver.core import patch as patch_module
    keys_sorted = []

    def counting_sorted(items, *args, **kwargs):
        items = list(items)
        keys_sorted.append(len(items))
        return sorted(items, *args, **kwargs)
    monkeypatch.setattr(patch_module, "sorted", counting_sorted, raising=False)
    ops = [{"op": "add", "path": f"/metadata/labels/k{i:04d}", "value": "v"} for i in range(2000, 0, -1)]
    result = apply_json_patch({"metadata": {"name": "x", "labels": {}}}, ops)
    assert sum(keys_sorted) <= 2 * len(ops)
    assert list(result["metadata"]["labels"]) == [f"k{i:04d}" for i in range(1, 2001)]


def test_json_patch_test_parses_the_whole_subtree_it_compares():
    """lazyNode.equal parses every map below the tested node, so it is written sorted, down to the
    containers; a sibling the patch never went into keeps its order. The real 1.24 server, after
    `test /spec/template` then a bad `replace /spec/replicas`, quoted template.spec.containers[0]
    as {"image":...,"imagePullPolicy":...,"name":...} and metadata as stored ({"name":...})."""
    template = {"spec": {"restartPolicy": "Always", "containers": [{"name": "c", "image": "nginx"}]}}
    doc = {"metadata": {"name": "o", "namespace": "ns"}, "spec": {"replicas": 1, "template": template}}
    ops = [{"op": "test", "path": "/spec/template", "value": template},
           {"op": "replace", "path": "/spec/replicas", "value": "two"}]
    result = apply_json_patch(doc, ops)
    spec = result["spec"]["template"]["spec"]
    assert (list(spec), list(spec["containers"][0]), list(result["metadata"])) == \
        (["containers", "restartPolicy"], ["image", "name"], ["name", "namespace"])

# --- JSON merge patch ---

def test_merge_patch_null_deletes_and_lists_replace():
    """RFC 7386: maps merge, null deletes a key, a list replaces the whole list."""
    result = apply_merge_patch(POD, {"metadata": {"labels": {"a": None, "c": "3"}},
                                     "spec": {"containers": [{"name": "only"}]}})
    assert result["metadata"]["labels"] == {"b": "2", "c": "3"}
    assert result["spec"]["containers"] == [{"name": "only"}]


@pytest.mark.parametrize("original, patch, merged", [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"a": "b"}, ["c"], ["c"]),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ({"a": "x"}, {"a": {"b": None, "c": {"d": 1}}}, {"a": {"c": {"d": 1}}}),
])
def test_merge_patch_rfc7386_examples(original, patch, merged):
    """RFC 7386 appendix A, plus a map patch over a non-map value holding nested nulls."""
    assert apply_merge_patch(original, patch) == merged


def test_merge_patch_shares_nothing_with_its_inputs():
    original = {"status": {"conditions": [{"type": "Ready"}], "phase": "Pending"}}
    patch = {"status": {"phase": "Running", "podIP": {"v4": ["10.0.0.1"]}}}
    before = json.dumps([original, patch])
    result = apply_merge_patch(original, patch)
    result["status"]["conditions"][0]["type"] = "changed"
    result["status"]["podIP"]["v4"].append("changed")
    assert json.dumps([original, patch]) == before


# --- strategic merge patch ---

def test_strategic_merges_containers_by_name():
    """spec.containers merges on `name`: a patched container keeps the fields the patch omits."""
    patch = {"spec": {"containers": [{"name": "c1", "image": "nginx:2"}, {"name": "c3", "image": "redis"}]}}
    result = apply_strategic_merge_patch(POD, patch, pod_schema())
    containers = {c["name"]: c for c in result["spec"]["containers"]}
    assert containers["c1"] == {"name": "c1", "image": "nginx:2", "env": [{"name": "X", "value": "1"}]}
    assert list(containers) == ["c1", "c3", "c2"]  # the new item goes before the server's c2


def test_strategic_nested_lists_merge_by_their_own_keys():
    """Lists inside merged items merge too: containers[].env by `name`."""
    patch = {"spec": {"containers": [{"name": "c1", "env": [{"name": "Y", "value": "2"}]}]}}
    result = apply_strategic_merge_patch(POD, patch, pod_schema())
    assert result["spec"]["containers"][0]["env"] == [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]


def _names(items: list) -> list[str]:
    return [item["name"] + (f"[{','.join(e['name'] for e in item['env'])}]" if item.get("env") else "")
            for item in items]


# Each result as the real 1.24 kube-apiserver gave it for the same patch of a Deployment.
@pytest.mark.parametrize("patch, containers, finalizers", [
    ({"containers": [{"name": "c1"}, {"name": "c3"}]}, ["c1[X]", "c3", "c2", "c4"], ["a/x", "a/y"]),
    ({"containers": [{"name": "c2"}, {"name": "c3"}, {"name": "c1"}]}, ["c2", "c3", "c1[X]", "c4"], ["a/x", "a/y"]),
    ({"containers": [{"name": "c1", "env": [{"name": "Y"}]}]}, ["c1[Y,X]", "c2", "c4"], ["a/x", "a/y"]),
    ({"finalizers": ["a/z"]}, ["c1[X]", "c2", "c4"], ["a/z", "a/x", "a/y"]),
    ({"finalizers": ["a/y", "a/z", "a/x"]}, ["c1[X]", "c2", "c4"], ["a/y", "a/z", "a/x"]),
    ({"$setElementOrder/containers": [{"name": "c4"}, {"name": "c3"}, {"name": "c1"}],
      "containers": [{"name": "c3"}]}, ["c2", "c4", "c3", "c1[X]"], ["a/x", "a/y"]),
    ({"$setElementOrder/containers": [{"name": "c4"}, {"name": "c1"}]}, ["c2", "c4", "c1[X]"], ["a/x", "a/y"]),
])
def test_strategic_merged_lists_take_upstreams_order(patch, containers, finalizers):
    """normalizeElementOrder: the patch's items in the patch's (or $setElementOrder's) order, the
    server's others woven in where the server had them; an item new to the server comes before
    the server's items after it, for lists of maps and of primitives alike."""
    original = {"metadata": {"finalizers": ["a/x", "a/y"]}, "spec": {"template": {"spec": {
        "containers": [{"name": "c1", "env": [{"name": "X"}]}, {"name": "c2"}, {"name": "c4"}]}}}}
    pod_patch = {k: v for k, v in patch.items() if k != "finalizers"}
    full = {"spec": {"template": {"spec": pod_patch}}} if pod_patch else {}
    if "finalizers" in patch:
        full["metadata"] = {"finalizers": patch["finalizers"]}
    result = apply_strategic_merge_patch(original, full, OpenAPIPatchMeta.for_kind("apps/v1", "Deployment"))
    assert (_names(result["spec"]["template"]["spec"]["containers"]),
            result["metadata"]["finalizers"]) == (containers, finalizers)


def test_strategic_delete_directive_removes_an_item():
    """`$patch: delete` in a merged list's item removes the item with that key."""
    patch = {"spec": {"containers": [{"name": "c2", "$patch": "delete"}]}}
    result = apply_strategic_merge_patch(POD, patch, pod_schema())
    assert [c["name"] for c in result["spec"]["containers"]] == ["c1"]


def test_strategic_replace_directive_on_a_list_and_a_map():
    """`{"$patch": "replace"}` in a list replaces the list; in a map, the map."""
    list_patch = {"spec": {"containers": [{"name": "z"}, {"$patch": "replace"}]}}
    assert apply_strategic_merge_patch(POD, list_patch, pod_schema())["spec"]["containers"] == [{"name": "z"}]
    map_patch = {"metadata": {"labels": {"$patch": "replace", "q": "1"}}}
    assert apply_strategic_merge_patch(POD, map_patch, pod_schema())["metadata"]["labels"] == {"q": "1"}


def test_strategic_map_delete_directive_and_null():
    """`$patch: delete` in a map empties the map (handleDirectiveInMergeMap returns an empty map,
    which mergeMap stores: the real 1.24 reports a patched-out hostPath's path as required);
    null removes a key."""
    patch = {"metadata": {"labels": {"$patch": "delete"}}, "spec": {"finalizers_demo": None}}
    result = apply_strategic_merge_patch(POD, patch, pod_schema())
    assert result["metadata"]["labels"] == {} and "finalizers_demo" not in result["spec"]


def test_strategic_set_element_order():
    """`$setElementOrder/<list>` (what kubectl apply sends) orders the merged list."""
    patch = {"spec": {"$setElementOrder/containers": [{"name": "c2"}, {"name": "c1"}],
                      "containers": [{"name": "c1", "image": "nginx:3"}]}}
    result = apply_strategic_merge_patch(POD, patch, pod_schema())
    assert [c["name"] for c in result["spec"]["containers"]] == ["c2", "c1"]
    assert result["spec"]["containers"][1]["image"] == "nginx:3"


def test_strategic_delete_from_primitive_list_and_primitive_merge():
    """`$deleteFromPrimitiveList/<f>` removes values; a merge-strategy primitive list unions."""
    doc = {"metadata": {"finalizers": ["a", "b", "c"]}}
    result = apply_strategic_merge_patch(doc, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}},
                                         pod_schema())
    assert result["metadata"]["finalizers"] == ["a", "c"]
    finalizers = OpenAPIPatchMeta.for_kind("v1", "Pod").field("metadata")[1]
    assert finalizers.field("finalizers")[0].merges
    merged = apply_strategic_merge_patch(doc, {"metadata": {"finalizers": ["c", "d"]}}, pod_schema())
    assert merged["metadata"]["finalizers"] == ["a", "b", "c", "d"]


def test_strategic_without_metadata_lists_replace():
    """With no patch metadata for a list, strategic merge replaces it like a merge patch."""
    result = apply_strategic_merge_patch(POD, {"spec": {"containers": [{"name": "new"}]}}, NoPatchMeta())
    assert result["spec"]["containers"] == [{"name": "new"}]


def test_strategic_merge_keys_from_an_explicit_key_table():
    """MergeKeys maps dotted list paths to merge keys; a listed list merges on its key."""
    schema = MergeKeys({"spec.ports": "port"})
    doc = {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}]}}
    result = apply_strategic_merge_patch(doc, {"spec": {"ports": [{"port": 80, "name": "web"}]}}, schema)
    assert result["spec"]["ports"] == [{"port": 80, "name": "web"}, {"port": 443}]


def test_every_served_kind_and_scale_has_patch_metadata():
    """The server's strategic merge reads the kind's OpenAPI definition; there is no fallback."""
    for api_version, kind in [(r.api_version, r.kind) for r in RESOURCES] + [("autoscaling/v1", "Scale")]:
        assert OpenAPIPatchMeta.for_kind(api_version, kind).schema
    with pytest.raises(LookupError):
        OpenAPIPatchMeta.for_kind("v1", "NoSuchKind")


def test_strategic_item_without_merge_key_fails_with_gos_rendering_of_the_item():
    """mergepatch.ErrNoMergeKey prints the item with %v."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, {"spec": {"containers": [{"image": "x", "args": ["a", "b"]}]}}, pod_schema())
    assert err.value.message == "map: map[args:[a b] image:x] does not contain declared merge key: name"


@pytest.mark.parametrize("patch,message", [
    ({"metadata": {"$patch": "explode"}}, "unknown patch type: explode in map: map[$patch:explode]"),
    ({"$patch": "bogus", "metadata": {"a": 1.5}}, "unknown patch type: bogus in map: map[$patch:bogus metadata:map[a:1.5]]"),
    ({"metadata": {"$patch": "merge"}}, "unknown patch type: merge in map: map[$patch:merge]"),
    ({"metadata": {"$patch": 1}}, "unknown patch type: %!s(int64=1) in map: map[$patch:1]"),
    ({"metadata": {"$patch": None}}, "unknown patch type: %!s(<nil>) in map: map[$patch:<nil>]"),
])
def test_strategic_unknown_directive_in_a_map_is_malformed(patch, message):
    """handleDirectiveInMergeMap knows only replace and delete: anything else in a map's `$patch`
    (merge and null too) is mergepatch.ErrBadPatchType, the directive with %s and the map with %v."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, patch, pod_schema())
    assert (err.value.message, err.value.malformed) == (message, True)


@pytest.mark.parametrize("item,message", [
    ({"$patch": "bogus"}, "unknown patch type: bogus in map: map[$patch:bogus]"),
    ({"$patch": "merge"}, "merging lists cannot yet be specified in the patch"),
    ({"$patch": "delete"}, "map: map[$patch:delete] does not contain declared merge key: name"),
])
def test_strategic_list_item_directive_is_read_before_its_merge_key(item, message):
    """mergeSliceWithSpecialElements handles an item's `$patch` before any item's merge key is
    required: an unknown one is ErrBadPatchType, merge is refused, delete needs the merge key.
    Each is a plain error upstream answers with a 500: the client's patch is at fault (a 400)."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, {"spec": {"containers": [item]}}, pod_schema())
    assert (err.value.message, err.value.malformed) == (message, True)


def test_strategic_new_list_item_is_added_with_its_directives_unread():
    """mergeSliceWithoutSpecialElements adds an item the original list lacks without merging
    it, so a `$retainKeys` in it that names none of its keys is no error; the directive does not
    stay in the item (the typed decode would drop it)."""
    patch = {"spec": {"containers": [{"name": "c3", "image": "x", "$retainKeys": ["bogus"]}]}}
    result = apply_strategic_merge_patch(POD, patch, pod_schema())
    assert result["spec"]["containers"] == [{"name": "c3", "image": "x"}] + POD["spec"]["containers"]


@pytest.mark.parametrize("patch", [{"metadata": {"$retainKeys": "x"}},
                                   {"metadata": {"$retainKeys": ["name"], "labels": {"x": "y"}}}])
def test_strategic_retain_keys_that_is_no_list_or_misses_a_patched_key_is_malformed(patch):
    """applyRetainKeysDirective: `$retainKeys` must be a list naming every key the map's patch sets
    (ErrBadPatchFormatForRetainKeys)."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, patch, pod_schema())
    assert (err.value.message, err.value.malformed) == ("invalid patch format of retainKeys", True)


def test_strategic_retain_keys_clears_the_keys_it_does_not_name():
    """The keys of the original map that `$retainKeys` does not name are removed; null values and
    directives in the patch need not be named."""
    pod = {**POD, "metadata": {**POD["metadata"], "namespace": "ns", "annotations": {"k": "v"}}}
    patch = {"metadata": {"$retainKeys": ["name", "labels"], "labels": {"c": "3"}, "generateName": None,
                          "$deleteFromPrimitiveList/finalizers": ["x"]}}
    result = apply_strategic_merge_patch(pod, patch, pod_schema())
    assert result["metadata"] == {"name": "p", "labels": {"a": "1", "b": "2", "c": "3"}}


def test_strategic_merge_replaces_a_budgets_selector_whole():
    """PodDisruptionBudgetSpec.selector is `patchStrategy:"replace"`: a patched selector takes the
    old one's place instead of merging into it."""
    budget = {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"a": "b"}}}}
    patch = {"spec": {"selector": {"matchLabels": {"c": "d"}}}}
    result = apply_strategic_merge_patch(budget, patch, OpenAPIPatchMeta.for_kind("policy/v1", "PodDisruptionBudget"))
    assert result["spec"] == {"minAvailable": 1, "selector": {"matchLabels": {"c": "d"}}}


@pytest.mark.parametrize("order,type_name", [("x", "string"), (1, "int64"), (None, "%!s(<nil>)"),
                                             ({}, "map[string]interface {}")])
def test_strategic_set_element_order_that_is_no_list_is_malformed(order, type_name):
    """mergePatchIntoOriginal asserts a `$setElementOrder/` value is a list before it looks at the
    field: anything else is mergepatch.ErrBadArgType, naming reflect's type of the value."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, {"spec": {"$setElementOrder/containers": order}}, pod_schema())
    assert (err.value.message, err.value.malformed) == (f"expected a []interface {{}}, but received a {type_name}",
                                                        True)


@pytest.mark.parametrize("order,message", [
    (["c1"], "value for key 0 is not a map"), ([{"name": "c2"}, 1], "value for key 1 is not a map"),
    ([{"name": "c1"}, {"name": "c2"}, "x"], "expected a map[string]interface {}, but received a string"),
    ([{"image": "x"}], "map: map[image:x] does not contain declared merge key: name"),
])
def test_strategic_set_element_order_items_are_checked_while_the_merged_list_is_partitioned(order, message):
    """partitionMapsByPresentInList looks each merged item's key up in the order list, and meets an
    item that is no map (by its index) before the key it is looking for; only afterwards are all
    of the order's items asserted to be maps with the merge key (validateMergeKeyInLists)."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, {"spec": {"$setElementOrder/containers": order}}, pod_schema())
    assert (err.value.message, err.value.malformed) == (message, True)


@pytest.mark.parametrize("patch,message", [
    ({"$setElementOrder/finalizers": ["x"]},
     'unable to find api field in struct Pod for the json field "finalizers"'),
    ({"metadata": {"$setElementOrder/bogus": []}},
     'unable to find api field in struct ObjectMeta for the json field "bogus"'),
])
def test_strategic_set_element_order_of_a_field_the_struct_lacks_is_malformed(patch, message):
    """mergePatchIntoOriginal looks the list up in the Go struct (LookupPatchMetadataForSlice), the
    one lookup of a field the object may not have: forkedjson's error names the struct and the
    field (upstream answers it with a 500; the client's mistake is a 400 here)."""
    with pytest.raises(PatchError) as err:
        apply_strategic_merge_patch(POD, patch, pod_schema())
    assert (err.value.message, err.value.malformed) == (message, True)


def test_strategic_set_element_order_of_a_field_named_in_another_case_is_no_error():
    """encoding/json's field lookup, which forkedjson copies, falls back to a case-insensitive match:
    the struct has the field, and neither map has a list under the name as written."""
    order = [{"name": c["name"]} for c in reversed(POD["spec"]["containers"])]
    assert apply_strategic_merge_patch(POD, {"spec": {"$setElementOrder/Containers": order}}, pod_schema()) == POD


@pytest.mark.parametrize("original,patch", [
    ({"metadata": {"name": "p"}}, {"metadata": {"labels": {"$patch": "replace", "a": "b"}}}),
    ({"metadata": {"name": "p"}}, {"spec": {"$setElementOrder/containers": "x"}}),
    ({"metadata": {"name": "p"}, "spec": "x"}, {"spec": {"$retainKeys": 1, "containers": [{"$patch": "bogus"}]}}),
])
def test_strategic_patch_value_for_a_missing_or_other_typed_field_is_taken_as_it_is(original, patch):
    """mergeMap merges into a field only when the original has it with the patch's type; otherwise
    the patch's value is taken as it is, its directives unread (a `$patch` key stays a label)."""
    result = apply_strategic_merge_patch(original, patch, pod_schema())
    assert result == {**original, **patch, "metadata": {**original["metadata"], **patch.get("metadata", {})}}


@pytest.mark.parametrize("field,deletion,result", [
    ("modes", ["b"], ["b"]),  # a list without the merge strategy becomes the deletion list, as in the real 1.24
    ("modes", None, None),  # null removes the field
    ("labels", {"x": "y"}, {"k": "v", "x": "y"}),  # a map is merged into the field
    ("modes", 5, ["a", "b"]),  # another type than the field's is skipped
])
def test_strategic_delete_from_primitive_list_is_merged_as_its_field(field, deletion, result):
    """preprocessDeletionListForMerging only renames the key and marks it a deletion: mergeMap then
    treats it as the field's own patch, and only mergeSlice of a merge-strategy list deletes."""
    doc = {"spec": {"modes": ["a", "b"], "labels": {"k": "v"}}}
    patched = apply_strategic_merge_patch(doc, {"spec": {f"$deleteFromPrimitiveList/{field}": deletion}}, MergeKeys({}))
    assert patched["spec"].get(field) == result
