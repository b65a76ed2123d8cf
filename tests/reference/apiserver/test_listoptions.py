"""resourceVersionMatch on lists: Exact reads the objects as they were at that revision (410 once
compacted), NotOlderThan the current state (504 for a revision etcd has not reached), and the
combinations upstream forbids are 422 Invalid ListOptions. Sans-IO through the handler chain."""
from __future__ import annotations

import pytest

from tests.reference.apiserver.test_handlers import call, chain, etcd, ns_path, registry  # noqa: F401


def write_twice(chain):
    path = ns_path(chain, "configmaps")
    _, first = call(chain, "POST", path, {"metadata": {"name": "c"}, "data": {"v": "1"}})
    _, second = call(chain, "PUT", ns_path(chain, "configmaps", "c"), {"metadata": {"name": "c"}, "data": {"v": "2"}})
    return path, first["metadata"]["resourceVersion"], second["metadata"]["resourceVersion"]


def test_exact_lists_the_objects_at_that_revision(chain):
    path, first, _ = write_twice(chain)
    code, listed = call(chain, "GET", path, query={"resourceVersion": first, "resourceVersionMatch": "Exact"})
    assert code == 200 and listed["metadata"]["resourceVersion"] == first
    assert [item["data"]["v"] for item in listed["items"]] == ["1"]


def test_not_older_than_lists_the_current_state(chain):
    path, first, second = write_twice(chain)
    code, listed = call(chain, "GET", path, query={"resourceVersion": first, "resourceVersionMatch": "NotOlderThan"})
    assert code == 200 and [item["data"]["v"] for item in listed["items"]] == ["2"]
    assert int(listed["metadata"]["resourceVersion"]) >= int(second)


def test_exact_at_a_compacted_revision_is_410(chain, etcd):
    path, first, second = write_twice(chain)
    etcd.compact(int(second))
    code, status = call(chain, "GET", path, query={"resourceVersion": first, "resourceVersionMatch": "Exact"})
    assert (code, status["reason"]) == (410, "Gone")


def test_not_older_than_a_future_revision_is_504(chain):
    code, status = call(chain, "GET", ns_path(chain, "configmaps"),
                        query={"resourceVersion": "99999999", "resourceVersionMatch": "NotOlderThan"})
    assert (code, status["reason"]) == (504, "Timeout")


@pytest.mark.parametrize("query,words", [
    ({"resourceVersionMatch": "Exact"}, "forbidden unless resourceVersion is provided"),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "0"}, 'resourceVersionMatch "exact" is forbidden'),
    ({"resourceVersionMatch": "Sometimes", "resourceVersion": "1"}, 'Unsupported value: "Sometimes"'),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "1", "watch": "1"}, "forbidden for watch"),
])
def test_forbidden_combinations_are_422(chain, query, words):
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), query=query)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('ListOptions.meta.k8s.io "" is invalid: ') and words in status["message"]
