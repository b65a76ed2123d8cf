"""The component manifest: the packaged one is complete, and a malformed one is one clear error."""
from __future__ import annotations

import dataclasses

import pytest

from analyzer.errors import AnalyzerError
from analyzer.manifest import (Capability, Component, KeyFile, ManifestError, SymbolRef,
                               load_manifest, parse_manifest)

GOOD = '''
[[component]]
name = "kube-scheduler"
zh = "调度器"
repo = "kubernetes"
logic = "Picks a node (节点) for every pod that has none."
logic_zh = "为每个还没有节点的 Pod 选一个节点。"
entrypoints = ["k8s.io/kubernetes/cmd/kube-scheduler.main"]
main_loop = "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"
key_files = [
    "cmd/kube-scheduler/scheduler.go",
    { path = "pkg/scheduler/generic_scheduler.go", alternatives = ["pkg/scheduler/core/generic_scheduler.go"] },
    "pkg/scheduler/",
]

[[component.capabilities]]
name = "node selection"
zh = "节点选择"
claim = "Nodes that pass every filter are scored and the best one wins."
claim_zh = "通过所有过滤的节点被打分，得分最高者胜出。"
evidence = [
    "(*k8s.io/kubernetes/pkg/scheduler/framework/plugins/nodeaffinity.NodeAffinity).Filter",
    { symbol = "(*k8s.io/kubernetes/pkg/scheduler.HTTPExtender).Filter", alternatives = ["(*k8s.io/kubernetes/pkg/scheduler/core.HTTPExtender).Filter"] },
]

[[component]]
name = "etcd"
zh = "分布式键值存储"
repo = "etcd"
logic = "Stores every object."
logic_zh = "保存每个对象。"
entrypoints = ["go.etcd.io/etcd/server/v3.main"]
main_loop = "(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).run"
key_files = ["server/etcdserver/server.go"]

[[component.capabilities]]
name = "watch"
zh = "Watch机制"
claim = "Watchers hear of every change from a revision on."
claim_zh = "监听者从某个修订版本起得知每一次变更。"
evidence = ["(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).watch"]
'''


def test_a_good_manifest_becomes_frozen_dataclasses():
    scheduler, etcd = parse_manifest(GOOD)
    assert isinstance(scheduler, Component) and scheduler.name == "kube-scheduler"
    assert scheduler.zh == "调度器" and scheduler.repo == "kubernetes" and etcd.repo == "etcd"
    assert scheduler.entrypoints == (SymbolRef("k8s.io/kubernetes/cmd/kube-scheduler.main"),)
    assert scheduler.key_files[1] == KeyFile("pkg/scheduler/generic_scheduler.go",
                                             ("pkg/scheduler/core/generic_scheduler.go",))
    assert scheduler.key_files[2].is_dir and not scheduler.key_files[0].is_dir
    (capability,) = scheduler.capabilities
    assert isinstance(capability, Capability) and capability.zh == "节点选择"
    assert capability.evidence[1].names == (
        "(*k8s.io/kubernetes/pkg/scheduler.HTTPExtender).Filter",
        "(*k8s.io/kubernetes/pkg/scheduler/core.HTTPExtender).Filter")
    assert scheduler.symbols[0].name.endswith("kube-scheduler.main")
    assert scheduler.symbols[1] == scheduler.main_loop
    with pytest.raises(dataclasses.FrozenInstanceError):
        scheduler.name = "other"  # type: ignore[misc]


def test_a_manifest_loads_from_a_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert [c.name for c in load_manifest(path)] == ["kube-scheduler", "etcd"]

GOOD_WITHOUT_ETCD_CAPABILITIES = GOOD.split('[[component.capabilities]]\nname = "watch"')[0]


def _broken(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, count)


MALFORMED = [
    # (what is wrong, the text, component named, field named, words of the reason)
    ("not TOML", "[[component]\nname = ", None, None, "not valid TOML"),
    ("no component at all", "", None, "component", "at least one [[component]]"),
    ("an unknown top-level key", "version = 2\n" + GOOD, None, "version", "unknown field"),
    ("a missing field", _broken('logic = "Stores every object."\n', ""), "etcd", "logic",
     "is required"),
    ("an empty string", _broken('zh = "调度器"', 'zh = "  "'), "kube-scheduler", "zh",
     "non-empty string"),
    ("a repository we do not index", _broken('repo = "etcd"', 'repo = "etcd-io"'), "etcd",
     "repo", "must be one of kubernetes, etcd"),
    ("a misspelt field", _broken("entrypoints = [\"go", "entrypoint = [\"go"), "etcd",
     "entrypoint", "unknown field"),
    ("no entry points", _broken('entrypoints = ["go.etcd.io/etcd/server/v3.main"]',
                                "entrypoints = []"), "etcd", "entrypoints", "non-empty list"),
    ("a capability without evidence",
     _broken('evidence = ["(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).watch"]', ""),
     "etcd", "capabilities[0].evidence", "is required"),
    ("evidence that is a number", _broken(
        'evidence = ["(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).watch"]',
        "evidence = [42]"), "etcd", "capabilities[0].evidence[0]", "string or a table"),
    ("an unknown key in a symbol table", _broken("{ symbol = ", "{ sym = "), "kube-scheduler",
     "capabilities[0].evidence[1].sym", "unknown field"),
    ("alternatives that are not a list", _broken(
        'alternatives = ["(*k8s.io/kubernetes/pkg/scheduler/core.HTTPExtender).Filter"]',
        'alternatives = "(*k8s.io/kubernetes/pkg/scheduler/core.HTTPExtender).Filter"'),
     "kube-scheduler", "capabilities[0].evidence[1].alternatives", "list of non-empty strings"),
    ("a symbol that is not a go/ssa name", _broken(
        '"k8s.io/kubernetes/cmd/kube-scheduler.main"', '"kube scheduler main"'),
     "kube-scheduler", "entrypoints[0]", "not a go/ssa symbol name"),
    ("an absolute key file", _broken('"cmd/kube-scheduler/scheduler.go"',
                                     '"/cmd/kube-scheduler/scheduler.go"'),
     "kube-scheduler", "key_files[0]", "relative to the repository root"),
    ("a key file that climbs out", _broken('"pkg/scheduler/core/generic_scheduler.go"',
                                           '"../generic_scheduler.go"'),
     "kube-scheduler", "key_files[1].alternatives", "relative to the repository root"),
    ("a main loop that is a list", _broken(
        'main_loop = "(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).run"',
        'main_loop = ["(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).run"]'),
     "etcd", "main_loop", "string or a table"),
    ("a component twice", _broken('name = "etcd"', 'name = "kube-scheduler"'),
     "kube-scheduler", "name", "appears twice"),
    ("a capability twice", GOOD + '''
[[component.capabilities]]
name = "watch"
zh = "Watch机制"
claim = "Again."
claim_zh = "再一次。"
evidence = ["(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).notify"]
''', "etcd", "capabilities[1].name", "appears twice"),
    ("a capability that is not a table", GOOD_WITHOUT_ETCD_CAPABILITIES + "capabilities = [1]\n",
     "etcd", "capabilities[0]", "must be a table"),
]


@pytest.mark.parametrize("what, text, component, field, reason", MALFORMED,
                         ids=[case[0] for case in MALFORMED])
def test_a_malformed_manifest_is_one_error_naming_component_and_field(
        what, text, component, field, reason):
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text, "mine.toml")
    error = caught.value
    assert isinstance(error, AnalyzerError) and error.exit_code == 2
    assert (error.component, error.field) == (component, field)
    assert reason in error.reason
    message = str(error)
    assert message.startswith("manifest mine.toml")
    for part in (component, field):
        assert part is None or f": {part}" in message


def test_a_component_without_a_name_is_named_by_position():
    with pytest.raises(ManifestError) as caught:
        parse_manifest(_broken('name = "kube-scheduler"\n', ""))
    assert (caught.value.component, caught.value.field) == ("component[0]", "name")


def test_a_manifest_that_cannot_be_read_says_so(tmp_path):
    with pytest.raises(ManifestError, match="cannot be read"):
        load_manifest(tmp_path / "absent.toml")


# The packaged manifest: the six components of the seed document, each fully described.

SEED_COMPONENTS = ["kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler",
                   "kubelet", "kube-proxy"]


def test_the_packaged_manifest_describes_the_six_seed_components():
    components = load_manifest()
    assert [c.name for c in components] == SEED_COMPONENTS
    for component in components:
        assert component.zh and component.repo in ("kubernetes", "etcd")
        assert len(component.logic.split()) >= 40, component.name  # a paragraph, not a label
        assert any("\u4e00" <= ch <= "\u9fff" for ch in component.logic), component.name
        assert component.entrypoints and component.main_loop and component.key_files
        assert len(component.capabilities) >= 2, component.name
        for capability in component.capabilities:
            assert capability.evidence and capability.claim and capability.zh
            assert capability.claim.count(". ") == 0, capability.name  # one sentence


def test_the_packaged_manifest_names_the_agreed_entry_points():
    by_name = {c.name: c for c in load_manifest()}
    names = {name: {ref.name for ref in c.entrypoints} for name, c in by_name.items()}
    assert "k8s.io/kubernetes/cmd/kube-controller-manager/app.NewControllerInitializers" in (
        names["kube-controller-manager"])
    assert "go.etcd.io/etcd/server/v3.main" in names["etcd"]
    assert any("/etcdserver." in name for name in names["etcd"])
    assert by_name["etcd"].repo == "etcd"
    assert by_name["kube-scheduler"].main_loop.name == (
        "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne")
    evidence = {ref.name for component in by_name.values()
                for capability in component.capabilities for ref in capability.evidence}
    for expected in ("k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication",
                     "k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization",
                     "(*k8s.io/apiserver/pkg/storage/cacher.Cacher).Watch",
                     "(*go.etcd.io/etcd/server/v3/mvcc.watchableStore).watch",
                     "(*k8s.io/kubernetes/pkg/kubelet.Kubelet).syncPod",
                     "(*k8s.io/kubernetes/pkg/proxy/iptables.Proxier).syncProxyRules"):
        assert expected in evidence
