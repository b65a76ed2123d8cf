"""The modules stage: go.mod, go.work and vendor/modules.txt syntax, and import path ↔ directory
on the kube and etcdish fixture trees."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from analyzer.modules import (
    Module, ModuleMap, Replace, VendoredModule, build_module_map, is_ignored_by_go,
    parse_go_mod, parse_go_work, parse_modules_txt,
)
TREES = Path(__file__).parent / "fixtures" / "trees"


def tree_paths(root: Path) -> list[str]:
    return sorted(
        (Path(d) / name).relative_to(root).as_posix()
        for d, _, names in os.walk(root) for name in names
    )


def disk_map(root: Path) -> ModuleMap:
    def read(path: str) -> bytes | None:
        return (root / path).read_bytes()

    return build_module_map(tree_paths(root), read)


@pytest.fixture(scope="module")
def kube() -> ModuleMap:
    return disk_map(TREES / "kube")


@pytest.fixture(scope="module")
def etcd() -> ModuleMap:
    return disk_map(TREES / "etcdish")


# --- go.mod --------------------------------------------------------------------------------

GO_MOD = """\
// Comment before the module line.
module "k8s.io/kubernetes" // the module path may be quoted

go 1.16

require (
	github.com/spf13/cobra v1.2.1
	github.com/spf13/pflag v1.0.5 // indirect
	"k8s.io/api" v0.0.0
	`k8s.io/klog/v2` v2.9.0
)

require golang.org/x/sys v0.0.0-20210603081109-ebe580a85c40

exclude (
	github.com/spf13/cobra v1.0.0
)

exclude k8s.io/klog v1.0.0

retract [v1.0.0, v1.0.5] // published by mistake

retract (
	v0.9.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	github.com/google/gofuzz v1.0.0 => github.com/google/gofuzz v1.1.0 // pinned
)

replace k8s.io/client-go v0.0.0 => ../client-go
"""


def test_go_mod_module_and_go_version():
    module = parse_go_mod(GO_MOD, "")
    assert (module.path, module.dir, module.go_version) == ("k8s.io/kubernetes", "", "1.16")


def test_go_mod_requires_from_blocks_and_single_lines_with_quotes_and_indirect():
    assert parse_go_mod(GO_MOD, "").requires == (
        ("github.com/spf13/cobra", "v1.2.1"),
        ("github.com/spf13/pflag", "v1.0.5"),
        ("k8s.io/api", "v0.0.0"),
        ("k8s.io/klog/v2", "v2.9.0"),
        ("golang.org/x/sys", "v0.0.0-20210603081109-ebe580a85c40"),
    )


def test_go_mod_replaces_with_and_without_versions():
    assert parse_go_mod(GO_MOD, "").replaces == (
        Replace("k8s.io/api", None, "./staging/src/k8s.io/api", None),
        Replace("github.com/google/gofuzz", "v1.0.0", "github.com/google/gofuzz", "v1.1.0"),
        Replace("k8s.io/client-go", "v0.0.0", "../client-go", None),
    )


def test_replace_is_local_for_directory_targets_only():
    assert Replace("a", None, "./a", None).is_local
    assert Replace("a", None, "../a", None).is_local
    assert Replace("a", None, "/src/a", None).is_local
    assert not Replace("a", "v1", "example.com/a", "v2").is_local


def test_go_mod_skips_what_it_cannot_read():
    module = parse_go_mod("module example.com/m\nrequire\nreplace a =>\nnonsense here\n"
                          "require example.com/x v1.0.0\n", "sub")
    assert module == Module("example.com/m", "sub", None, (("example.com/x", "v1.0.0"),), ())


def test_go_mod_without_module_line_has_empty_path():
    assert parse_go_mod("go 1.19\n", "x").path == ""


@given(st.lists(st.tuples(st.from_regex(r"[a-z]{1,8}\.(io|com)(/[a-z0-9]{1,6}){1,3}", fullmatch=True),
                          st.from_regex(r"v[0-9]\.[0-9]{1,2}\.[0-9]", fullmatch=True)),
                max_size=6),
       st.booleans(), st.booleans())
def test_go_mod_require_forms_parse_alike(requires, as_block, quoted):
    """Block or single-line, quoted or bare, commented or not: the same requirements."""
    lines = [f'"{path}" {version} // indirect' if quoted else f"{path} {version}"
             for path, version in requires]
    body = ("require (\n" + "".join(f"\t{line}\n" for line in lines) + ")\n" if as_block
            else "".join(f"require {line}\n" for line in lines))
    assert parse_go_mod("module example.com/m\n\n" + body, "").requires == tuple(requires)


# --- go.work -------------------------------------------------------------------------------

def test_go_work_use_block_and_single_lines_relative_to_repository_root():
    text = "go 1.19\n\nuse (\n\t.\n\t./api // comment\n\t\"./server\"\n)\n\nuse ./client/v3\n"
    assert parse_go_work(text, "") == ("", "api", "server", "client/v3")


def test_go_work_in_a_subdirectory_is_normalised():
    assert parse_go_work("use (\n\t.\n\t../api\n)\n", "tools") == ("tools", "api")


def test_go_work_ignores_other_directives():
    assert parse_go_work("go 1.21\ntoolchain go1.21.3\nreplace a => ./a\n", "") == ()


# --- vendor/modules.txt ----------------------------------------------------------------------

MODULES_TXT = """\
# github.com/spf13/cobra v1.2.1
## explicit; go 1.15
github.com/spf13/cobra
github.com/spf13/cobra/doc
# github.com/spf13/pflag v1.0.5
github.com/spf13/pflag
# k8s.io/api v0.0.0 => ./staging/src/k8s.io/api
## explicit; go 1.16
k8s.io/api/core/v1
# github.com/google/gofuzz v1.0.0 => github.com/google/gofuzz v1.1.0
## go 1.12
github.com/google/gofuzz
# k8s.io/api => ./staging/src/k8s.io/api
# bazil.org/fuse => bazil.org/fuse v0.0.0-20160811212531-371fbbdaa898
"""


def test_modules_txt_records():
    assert parse_modules_txt(MODULES_TXT, "vendor") == (
        VendoredModule("github.com/spf13/cobra", "v1.2.1", None, True,
                       ("github.com/spf13/cobra", "github.com/spf13/cobra/doc"), "vendor", "1.15"),
        VendoredModule("github.com/spf13/pflag", "v1.0.5", None, False,
                       ("github.com/spf13/pflag",), "vendor", None),
        VendoredModule("k8s.io/api", "v0.0.0", "./staging/src/k8s.io/api", True,
                       ("k8s.io/api/core/v1",), "vendor", "1.16"),
        VendoredModule("github.com/google/gofuzz", "v1.0.0", "github.com/google/gofuzz v1.1.0",
                       False, ("github.com/google/gofuzz",), "vendor", "1.12"),
        VendoredModule("bazil.org/fuse", None, "bazil.org/fuse v0.0.0-20160811212531-371fbbdaa898",
                       False, (), "vendor", None),
    )


def test_modules_txt_bare_replacement_line_continues_the_versioned_record():
    """Go 1.14–1.16 put a module's packages under its bare `# path => replacement` line."""
    text = ("# k8s.io/api v0.0.0 => ./staging/src/k8s.io/api\n## explicit\n"
            "# k8s.io/api => ./staging/src/k8s.io/api\nk8s.io/api/core/v1\n")
    (record,) = parse_modules_txt(text, "cmd/vendor")
    assert (record.version, record.explicit, record.packages, record.vendor_dir) == (
        "v0.0.0", True, ("k8s.io/api/core/v1",), "cmd/vendor")


# --- build_module_map on the fixture trees -------------------------------------------------

def test_kube_modules_and_vendored(kube):
    assert [(m.dir, m.path) for m in kube.modules] == [
        ("", "k8s.io/kubernetes"),
        ("staging/src/k8s.io/api", "k8s.io/api"),
        ("staging/src/k8s.io/client-go", "k8s.io/client-go"),
    ]
    assert [(v.path, v.version, v.replacement) for v in kube.vendored] == [
        ("github.com/spf13/cobra", "v1.2.1", None),
        ("k8s.io/api", "v0.0.0", "./staging/src/k8s.io/api"),
        ("k8s.io/client-go", "v0.0.0", "./staging/src/k8s.io/client-go"),
    ]
    assert kube.workspace_uses == ()


@pytest.mark.parametrize("path, import_path", [
    ("", "k8s.io/kubernetes"),
    ("cmd/kube-scheduler/scheduler.go", "k8s.io/kubernetes/cmd/kube-scheduler"),
    ("pkg/scheduler", "k8s.io/kubernetes/pkg/scheduler"),
    ("staging/src/k8s.io/api/core/v1/types.go", "k8s.io/api/core/v1"),
    ("staging/src/k8s.io/client-go/tools/cache", "k8s.io/client-go/tools/cache"),
    ("vendor/github.com/spf13/cobra/command.go", "github.com/spf13/cobra"),
    ("pkg/scheduler/testdata/plugin_config.go", "k8s.io/kubernetes/pkg/scheduler/testdata"),
    ("vendor", None),
])
def test_kube_import_path_of(kube, path, import_path):
    assert kube.import_path_of(path) == import_path


def test_kube_module_of(kube):
    assert kube.module_of("staging/src/k8s.io/api/core/v1/types.go").path == "k8s.io/api"
    assert kube.module_of("pkg/scheduler/scheduler.go").path == "k8s.io/kubernetes"
    assert kube.module_of("vendor/github.com/spf13/cobra/command.go") is None


def test_kube_vendored_module_of(kube):
    cobra = kube.vendored_module_of("vendor/github.com/spf13/cobra/command.go")
    assert (cobra.path, cobra.version, cobra.explicit, cobra.go_version) == (
        "github.com/spf13/cobra", "v1.2.1", True, "1.15")
    assert kube.vendored_module_of("pkg/scheduler/scheduler.go") is None


@pytest.mark.parametrize("import_path, directory", [
    ("k8s.io/api/core/v1", "staging/src/k8s.io/api/core/v1"),
    ("k8s.io/client-go/tools/cache", "staging/src/k8s.io/client-go/tools/cache"),
    ("k8s.io/kubernetes/pkg/scheduler/framework", "pkg/scheduler/framework"),
    ("github.com/spf13/cobra", "vendor/github.com/spf13/cobra"),
    ("github.com/unknown/thing", None),
    ("k8s.io/kubernetes/pkg/nothing/here", None),
    ("k8s.io/api", None),
])
def test_kube_dir_of(kube, import_path, directory):
    assert kube.dir_of(import_path) == directory


def test_etcd_workspace_and_modules(etcd):
    assert etcd.workspace_uses == ("", "api", "server", "client/v3")
    assert {m.dir: m.path for m in etcd.modules} == {
        "": "go.etcd.io/etcd/v3",
        "api": "go.etcd.io/etcd/api/v3",
        "client/v3": "go.etcd.io/etcd/client/v3",
        "server": "go.etcd.io/etcd/server/v3",
    }


@pytest.mark.parametrize("path, import_path", [
    ("main.go", "go.etcd.io/etcd/v3"),
    ("server/etcdserver/server.go", "go.etcd.io/etcd/server/v3/etcdserver"),
    ("client/v3/client.go", "go.etcd.io/etcd/client/v3"),
    ("api/etcdserverpb", "go.etcd.io/etcd/api/v3/etcdserverpb"),
])
def test_etcd_import_path_of_nested_modules(etcd, path, import_path):
    assert etcd.import_path_of(path) == import_path


def test_etcd_dir_of(etcd):
    assert etcd.dir_of("go.etcd.io/etcd/server/v3/embed") == "server/embed"
    assert etcd.dir_of("go.etcd.io/etcd/client/v3") == "client/v3"
    assert etcd.dir_of("go.etcd.io/etcd/v3/server/embed") is None, "server/ is its own module"


@pytest.mark.parametrize("tree", ["kube", "etcdish"])
def test_every_package_round_trips(tree):
    module_map = disk_map(TREES / tree)
    for path in tree_paths(TREES / tree):
        if path.endswith(".go"):
            assert module_map.dir_of(module_map.import_path_of(path)) == path.rpartition("/")[0]


def test_is_ignored_by_go():
    assert is_ignored_by_go("pkg/scheduler/testdata/plugin_config.go")
    assert is_ignored_by_go("hack/_output/x.go")
    assert is_ignored_by_go(".github/tool/main.go")
    assert is_ignored_by_go("pkg/_skip.go")
    assert not is_ignored_by_go("pkg/scheduler/scheduler.go")
    assert not is_ignored_by_go("vendor/github.com/spf13/cobra/command.go")


# --- odd trees -----------------------------------------------------------------------------

def test_git_listing_with_staging_symlinks(kube_repo):
    """As git lists kubernetes: vendor/k8s.io/api is one symlink entry, not a directory."""
    listing = subprocess.run(["git", "ls-files", "-s"], cwd=kube_repo, check=True,
                             capture_output=True, text=True).stdout.splitlines()
    modes = {line.split("\t")[1]: line.split()[0] for line in listing}
    assert modes["vendor/k8s.io/api"] == "120000"

    def read(path: str) -> bytes:
        return subprocess.run(["git", "cat-file", "blob", f"HEAD:{path}"], cwd=kube_repo,
                              check=True, capture_output=True).stdout

    module_map = build_module_map(modes, read)
    assert module_map.dir_of("k8s.io/api/core/v1") == "staging/src/k8s.io/api/core/v1"
    assert b"caf\xe9" in read("pkg/latin1/latin1.go")


def _map_of(files: dict[str, str | None]) -> ModuleMap:
    def read(path: str) -> bytes | None:
        text = files.get(path)
        return text.encode() if text is not None else None

    return build_module_map(files, read)


def test_unreadable_go_mod_takes_its_path_from_a_local_replace():
    module_map = _map_of({
        "go.mod": "module example.com/root\nreplace example.com/lib => ./lib\n",
        "lib/go.mod": None,
        "lib/util/util.go": "package util",
        "orphan/go.mod": None,
        "orphan/x.go": "package x",
    })
    assert module_map.import_path_of("lib/util/util.go") == "example.com/lib/util"
    assert module_map.dir_of("example.com/lib/util") == "lib/util"
    assert module_map.import_path_of("orphan/x.go") is None, "not part of the root module"


def test_duplicate_module_path_prefers_the_one_go_builds():
    module_map = _map_of({
        "a/go.mod": "module example.com/a\n",
        "a/p/p.go": "package p",
        "b/testdata/a/go.mod": "module example.com/a\n",
        "b/testdata/a/p/p.go": "package p",
    })
    assert module_map.dir_of("example.com/a/p") == "a/p"
