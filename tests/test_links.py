"""Reference implementations' @mirrors links, checked against an index."""
from __future__ import annotations


from analyzer import sources, store
from analyzer.indexer import index_checkout
from analyzer.links import Link, check_links, reference_links, repo_of
from analyzer.workspace import Workspace


def test_every_reference_link_names_a_go_symbol_of_an_analysed_repository():
    links = reference_links()
    assert len(links) > 50
    assert {repo_of(link.go_symbol) for link in links if "reference_impl.etcd." in link.python} == {"etcd"}
    for link in links:
        assert link.python.startswith("reference_impl."), link
        assert link.go_symbol.count(".") >= 1 and " " not in link.go_symbol, link


def test_links_are_found_or_reported_missing(etcd_repo, tmp_path):
    ws = Workspace(tmp_path / "home")
    index_checkout(ws.index_path, sources.fetch(ws, "etcd", source=str(etcd_repo), ref="HEAD"))
    db = store.connect(ws.index_path)
    rows = check_links(db, [
        Link("reference_impl.x.run", "go.etcd.io/etcd/server/v3/etcdmain.Main"),
        Link("reference_impl.x.gone", "go.etcd.io/etcd/server/v3/etcdmain.Vanished"),
        Link("reference_impl.x.kube", "k8s.io/kubernetes/pkg/scheduler.New"),
    ])
    assert [(r.python, r.status) for r in rows] == [
        ("reference_impl.x.run", "found"), ("reference_impl.x.gone", "missing"),
        ("reference_impl.x.kube", "not indexed")]
