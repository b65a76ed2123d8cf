"""The served kinds come from one module per kind (`reference_impl.apiserver.kinds`): the registry
of kinds is assembled from those modules, each module carries every facet of its kinds, and a kind
module added in another package is served."""
from __future__ import annotations

import json
import random
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402

from reference_impl.apiserver import kinds  # noqa: E402
from reference_impl.apiserver.core import discovery, protobuf  # noqa: E402
from reference_impl.apiserver.core.registry import Registry  # noqa: E402
from reference_impl.machinery.clock import ManualClock
from reference_impl.apiserver.storage.etcdclient import EtcdClient  # noqa: E402


def test_the_served_resources_are_the_kind_modules_resources_in_module_order():
    """kinds.RESOURCES is nothing but the RESOURCES of the modules MODULES names, in that order."""
    assert kinds.RESOURCES == tuple(r for module in kinds.KIND_MODULES for r in module.RESOURCES)
    assert [m.__name__.rsplit(".", 1)[1] for m in kinds.KIND_MODULES] == list(kinds.MODULES)
    assert len({(r.group, r.version, r.plural) for r in kinds.RESOURCES}) == len(kinds.RESOURCES)


# Kinds we print as the default Name / Created At table (printers.go has none for roles and
# CustomResourceDefinitions; 1.24's registries of LimitRange and CSIStorageCapacity use the
# default table convertor).
DEFAULT_TABLE = {"Role", "ClusterRole", "LimitRange", "CustomResourceDefinition", "CSIStorageCapacity"}
# Kinds served in JSON only: JSONSchemaProps' unions (items, additionalProperties) have no layout line.
NO_PROTOBUF = {"CustomResourceDefinition"}


def test_every_kind_module_provides_every_facet_of_its_kinds():
    """Each kind a module serves has its schema and its list's schema, its protobuf layout and its
    list's (but for the kinds in NO_PROTOBUF), and columns to print (but for the kinds in
    DEFAULT_TABLE; events.k8s.io Events print with core Events' columns); the printers and
    defaulters a module holds are for kinds it serves."""
    for module in kinds.KIND_MODULES:
        definitions = getattr(module, "DEFINITIONS", {})
        own_messages = protobuf._parse(module.MESSAGES)[0] if hasattr(module, "MESSAGES") else {}
        for resource in module.RESOURCES:
            gvks = {(g["group"], g["version"], g["kind"]) for schema in definitions.values()
                    for g in schema.get("x-kubernetes-group-version-kind", [])}
            for kind in (resource.kind, resource.list_kind):
                assert (resource.group, resource.version, kind) in gvks, (module.__name__, kind)
                if resource.kind not in NO_PROTOBUF:
                    assert protobuf.message_type(resource.api_version, kind) in own_messages, (module.__name__, kind)
            assert resource.kind in kinds.PRINTERS or resource.kind in DEFAULT_TABLE, (module.__name__, resource.kind)
        # ... or served unstored: ComponentStatus, printed all the same.
        served = {r.kind for r in module.RESOURCES} | {discovery.COMPONENT_STATUSES.kind}
        assert set(getattr(module, "PRINTERS", {})) <= served and set(getattr(module, "DEFAULTS", {})) <= served


def test_no_two_modules_define_the_same_schema_or_message():
    """A definition or a message layout has one home: assembling the modules loses nothing."""
    modules = (*kinds.load(kinds.SHARED_MODULES), *kinds.KIND_MODULES)
    names = [name for m in modules for name in getattr(m, "DEFINITIONS", {})]
    assert len(names) == len(set(names))
    messages = [name for m in modules if hasattr(m, "MESSAGES") for name in protobuf._parse(m.MESSAGES)[0]]
    assert len(messages) == len(set(messages))


WIDGET = '''
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import kind, list_kind, string

RESOURCES = (Resource("example.com", "v1", "Widget", "widgets", "widget", True, ("wd",)),)


def widget(obj, spec):
    spec.setdefault("size", "small")


DEFAULTS = {"Widget": widget}
DEFINITIONS = {
    "com.example.v1.Widget": kind("example.com", "v1", "Widget", "A widget.", size=string("How big.")),
    "com.example.v1.WidgetList": list_kind("example.com", "v1", "com.example.v1.Widget"),
}
PRINTERS = {"Widget": ([("Name", "string", 0, "Object name.")], lambda o, now: [o["metadata"]["name"]])}
'''


def test_a_kind_module_in_another_package_is_assembled_and_served(tmp_path, monkeypatch):
    """One file holding a kind's facts is all kinds.load needs; once its resources and defaults are
    among the served ones, the registry finds the kind by its plural, defaults and stores it."""
    package = tmp_path / "extra_kinds"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "widget.py").write_text(textwrap.dedent(WIDGET))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "extra_kinds", raising=False)
    (module,) = kinds.load(("widget",), package="extra_kinds")
    monkeypatch.setattr(kinds, "RESOURCES", (*kinds.RESOURCES, *module.RESOURCES))
    monkeypatch.setattr(kinds, "DEFAULTS", {**kinds.DEFAULTS, **module.DEFAULTS})
    assert kinds.find("example.com", "v1", "widgets") is module.RESOURCES[0]
    with processes.reference_server(tmp_path / "etcd") as server:
        client = EtcdClient(server.client_url)
        try:
            registry = Registry(client, ManualClock(1_700_000_000), rng=random.Random(1))
            registry.create("namespaces", None, {"metadata": {"name": "w"}})
            registry.create("widgets", "w", {"apiVersion": "example.com/v1", "kind": "Widget",
                                             "metadata": {"name": "one"}})
            stored = registry.get("widgets", "w", "one")
        finally:
            client.close()
    assert stored["spec"] == {"size": "small"}
    assert stored["metadata"]["uid"]


def test_a_finished_jobs_duration_is_its_completion_less_its_start_to_the_second():
    """printJob's Duration column: completionTime - startTime, each read to the second."""
    from reference_impl.apiserver.kinds.job import PRINTERS as JOB_PRINTERS
    _, row = JOB_PRINTERS["Job"]
    job = {"metadata": {"name": "j", "creationTimestamp": "2026-01-01T00:00:00Z"},
           "spec": {"completions": 1, "template": {"spec": {"containers": []}}},
           "status": {"succeeded": 1, "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:02:05Z"}}
    assert row(job, 0.0)[1:3] == ["1/1", "2m5s"]


def test_an_age_beyond_a_go_duration_is_held_to_its_range():
    """time.Since and Sub saturate at time.Duration's ends (about 292 years): a Job that started
    in year 0000 (a protobuf body stores any year) has run 292y, one to end in year 10000 is <invalid>."""
    from reference_impl.apiserver.kinds.job import PRINTERS as JOB_PRINTERS
    _, row = JOB_PRINTERS["Job"]
    job = {"metadata": {"name": "j", "creationTimestamp": "0000-01-01T00:00:00Z"},
           "spec": {"template": {"spec": {"containers": []}}},
           "status": {"startTime": "0000-01-01T00:00:00Z", "completionTime": "10000-01-01T00:00:00Z"}}
    assert row(job, 1.8e9)[2:4] == ["292y", "292y"]
    job["status"]["completionTime"] = "-0001-01-01T00:00:00Z"
    assert row(job, 1.8e9)[2] == "<invalid>"


def test_every_built_in_kinds_table_columns_are_the_real_servers():
    """A Table's columnDefinitions (names, types, formats, priorities, in order) are those the real
    1.24 kube-apiserver answers for the kind (recorded by benchmarks/record_table_columns.py), for
    every kind served but custom ones; CSIStorageCapacity gets the default Name / Created At table.
    The descriptions are our own words, not compared."""
    from reference_impl.apiserver.core import table
    recorded = json.loads((Path(__file__).parent / "data" / "table_columns_1_24.json").read_text())
    for resource in kinds.RESOURCES:
        columns = table.as_table(resource, [], 0.0)["columnDefinitions"]
        assert [{fact: column[fact] for fact in ("name", "type", "format", "priority")} for column in columns] \
            == recorded[resource.kind], (resource.api_version, resource.plural)
    capacities = table.as_table(kinds.find("storage.k8s.io", "v1beta1", "csistoragecapacities"), [], 0.0)
    assert [(c["name"], c["type"]) for c in capacities["columnDefinitions"]] == [("Name", "string"), ("Created At", "date")]


def test_find_walks_the_resources_once_until_they_change(monkeypatch):
    """`find` answers from an index of kinds.RESOURCES, made again only when RESOURCES is another
    tuple (a test adding a kind module), and like the walk it replaced, the first resource of a
    group, version and plural wins."""
    walks = []

    class Walked(tuple):
        def __iter__(self):
            walks.append(1)
            return super().__iter__()

    pods = kinds.find("", "v1", "pods")
    first = kinds.RESOURCES[0]
    shadow = type(first)(first.group, first.version, "Shadow", first.plural, "shadow", first.namespaced)
    monkeypatch.setattr(kinds, "RESOURCES", Walked((*kinds.RESOURCES, shadow)))
    assert [kinds.find("", "v1", "pods") for _ in range(3)] == [pods] * 3
    assert kinds.find(first.group, first.version, first.plural) is first
    assert kinds.find("", "v1", "nothings") is None
    assert len(walks) == 1


def test_by_plural_walks_the_resources_once_until_they_change(monkeypatch):
    """`by_plural` (the registry's lookups by plural, a bind's "pods" among them) answers from an
    index made with `find`'s, again only when RESOURCES is another tuple; the first resource of a
    plural wins, so events are the core group's."""
    walks = []

    class Walked(tuple):
        def __iter__(self):
            walks.append(1)
            return super().__iter__()

    pods, events = kinds.by_plural("pods"), kinds.by_plural("events")
    assert (pods.group, events.group) == ("", "")
    monkeypatch.setattr(kinds, "RESOURCES", Walked(kinds.RESOURCES))
    assert [kinds.by_plural("pods") for _ in range(3)] == [pods] * 3
    assert kinds.by_plural("events") is events and kinds.by_plural("nothings") is None
    assert kinds.find("", "v1", "pods") is pods
    assert len(walks) == 1
