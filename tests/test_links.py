"""Reference implementations' @mirrors links, checked against an index."""
from __future__ import annotations


from analyzer import sources, store
from analyzer.indexer import index_checkout
import pytest

from analyzer.links import Link, LinkError, check_links, reference_links, repo_of
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


def _package(tmp_path, source: str):
    package = tmp_path / "refpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "core.py").write_text(source)
    return tmp_path


def test_mirrors_names_are_read_from_source_without_importing_it(tmp_path):
    """A decorator's names, f-strings of module constants included, are read with `ast`: the
    module (which here would fail on import) is never run."""
    root = _package(tmp_path, '''import no_such_module
PKG = "go.etcd.io/etcd/server/v3/mvcc"
STORE = f"(*{PKG}.store)"


class Store:
    @mirrors(f"{STORE}.Range", "go.etcd.io/etcd/server/v3/mvcc.rangeKeys")
    def range(self):
        return 1


@mirrors(f"{PKG}.New")
def new():
    pass
''')
    links = reference_links("refpkg", root)
    assert [(l.python, l.go_symbol, l.path, l.line, l.end_line) for l in links] == [
        ("refpkg.core.Store.range", "(*go.etcd.io/etcd/server/v3/mvcc.store).Range", "refpkg/core.py", 7, 9),
        ("refpkg.core.Store.range", "go.etcd.io/etcd/server/v3/mvcc.rangeKeys", "refpkg/core.py", 7, 9),
        ("refpkg.core.new", "go.etcd.io/etcd/server/v3/mvcc.New", "refpkg/core.py", 12, 14)]


def test_a_constant_imported_from_another_module_of_the_package_is_read_there(tmp_path):
    """`from refpkg.names import PKG` then `@mirrors(f"{PKG}.New")`: PKG is read in refpkg.names."""
    root = _package(tmp_path, 'from refpkg.names import PKG as RAFT\n\n@mirrors(f"(*{RAFT}.raft).Step")\ndef step():\n    pass\n')
    (root / "refpkg" / "names.py").write_text('BASE = "go.etcd.io/etcd"\nPKG = f"{BASE}/raft/v3"\n')
    assert [l.go_symbol for l in reference_links("refpkg", root)] == ["(*go.etcd.io/etcd/raft/v3.raft).Step"]


def test_a_mirrors_argument_that_is_not_spelled_out_is_one_clear_error(tmp_path):
    """A name computed at run time cannot be read from source: the error gives file and line."""
    root = _package(tmp_path, 'NAME = compute()\n\n@mirrors(NAME)\ndef f():\n    pass\n')
    with pytest.raises(LinkError, match=r"refpkg/core.py:3: a @mirrors argument must be a string"):
        reference_links("refpkg", root)


def test_static_reading_finds_every_link_the_registry_records():
    """Reading the source finds every (function, Go symbol) pair that importing the modules
    registers, so the site and `kubeatlas links` lose nothing by not importing them."""
    import importlib
    import pkgutil

    import reference_impl
    from reference_impl import mirrors

    for module in pkgutil.walk_packages(reference_impl.__path__, prefix="reference_impl."):
        importlib.import_module(module.name)
    registered = {(python, symbol) for python, symbols in mirrors.REGISTRY.items()
                  if python.startswith("reference_impl.") for symbol in symbols}
    assert registered <= {(link.python, link.go_symbol) for link in reference_links()}


def test_stacked_mirrors_decorators_add_up_as_the_source_reads_them():
    """Two `@mirrors` stacked on one function record both decorators' symbols at import, as
    reading the source does: the outer one used to replace the inner one in the registry."""
    from reference_impl import mirrors

    def mirrored():
        pass

    mirrors.mirrors("pkg.Inner", "pkg.Both")(mirrored)
    mirrors.mirrors("pkg.Outer", "pkg.Both")(mirrored)
    key = f"{mirrored.__module__}.{mirrored.__qualname__}"
    try:
        assert mirrors.REGISTRY[key] == ("pkg.Inner", "pkg.Both", "pkg.Outer")
    finally:
        del mirrors.REGISTRY[key]
