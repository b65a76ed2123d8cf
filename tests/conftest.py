"""Shared test helpers: fixture trees under tests/fixtures/trees turned into git repositories."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# grpc's C core runs fork handlers in every os.fork of a process that has loaded it, starting
# threads in the child: 4-6% of subprocess children given a preexec_fn (which makes subprocess
# fork rather than vfork) then died of SIGABRT before their exec. Nothing here uses grpc in a
# forked child; the variable must be set before grpc is first imported (test_grpc_fork.py).
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

# The suite starts hundreds of Python processes (reference servers, `kubeatlas` commands). Where
# PYTHONDONTWRITEBYTECODE is set (this project's machines and CI set it) each one compiled every
# module it imports again, ~0.3 s of CPU per start. Their bytecode goes to a cache outside the
# work tree instead (PYTHONPYCACHEPREFIX), so the tree stays free of .pyc files as asked and only
# the first process compiles; Python checks each cached file against its source's mtime and size.
if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
    os.environ["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(),
                                                     f"kubeatlas-tests-pycache-{os.getuid()}")
    del os.environ["PYTHONDONTWRITEBYTECODE"]

# Under pytest-xdist (`-n 2`) each worker and every server it starts draw free ports from a slice
# of the range of their own (reference_impl.cluster.port_slice), so no two workers pick one port.
if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw") and os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    os.environ["KUBEATLAS_PORT_SLICE"] = (f"{os.environ['PYTEST_XDIST_WORKER'][2:]}/"
                                          f"{os.environ['PYTEST_XDIST_WORKER_COUNT']}")

TREES = Path(__file__).parent / "fixtures" / "trees"

# Symlinks each tree has in the real project, created in the copy rather than committed here.
TREE_SYMLINKS: dict[str, dict[str, str]] = {
    "kube": {
        "vendor/k8s.io/api": "../../staging/src/k8s.io/api",
        "vendor/k8s.io/client-go": "../../staging/src/k8s.io/client-go",
    },
}

# A fixed identity and date make the commit SHA the same on every run and every machine, and
# keep the user's own git configuration (hooks, signing) out of the test repositories.
_GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2021-08-04T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2021-08-04T12:00:00+00:00",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, **_GIT_ENV})


def make_git_tree(src_dir: Path, dest: Path, symlinks: dict[str, str] | None = None) -> Path:
    """Copy a fixture tree to `dest` byte for byte, add its symlinks, and commit it all.

    `symlinks` maps a link path to its target; by default the tree's entry in TREE_SYMLINKS.
    """
    src_dir, dest = Path(src_dir), Path(dest)
    shutil.copytree(src_dir, dest)
    for link, target in (TREE_SYMLINKS.get(src_dir.name, {}) if symlinks is None else symlinks).items():
        (dest / link).parent.mkdir(parents=True, exist_ok=True)
        (dest / link).symlink_to(target)
    _git(dest, "init", "--quiet", "--initial-branch=main")
    _git(dest, "config", "user.name", "kubeatlas tests")
    _git(dest, "config", "user.email", "tests@kubeatlas.invalid")
    _git(dest, "config", "core.autocrlf", "false")
    _git(dest, "add", "--all")
    _git(dest, "commit", "--quiet", "--no-verify", "-m", f"fixture tree {src_dir.name}")
    return dest


@pytest.fixture
def kube_repo(tmp_path: Path) -> Path:
    """A git repository holding the kube fixture tree, staging symlinks included."""
    return make_git_tree(TREES / "kube", tmp_path / "kubernetes")


@pytest.fixture
def etcd_repo(tmp_path: Path) -> Path:
    """A git repository holding the etcdish fixture tree."""
    return make_git_tree(TREES / "etcdish", tmp_path / "etcd")


# The fixture corpus' documentation site (see test_site.py) is indexed, generated and run through
# `mkdocs build` once for the session: test_site, test_site_browser and test_journeys only read
# it, and each building its own copy was four of the suite's slowest minutes.

@pytest.fixture(scope="session")
def site_docs(tmp_path_factory) -> Path:
    """The docs folder of the fixture site: generated and hand-written pages, beside the index
    (`site_docs.parent / "home"`) and the mkdocs.yml they were built with."""
    from test_site import build_fixture_site

    return build_fixture_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def site_html(site_docs, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`mkdocs build --strict` of the fixture site: how it ended, and the folder of built HTML."""
    from test_site import mkdocs_build

    html = tmp_path_factory.mktemp("html") / "html"
    return mkdocs_build(site_docs, html), html


# The live cluster tests' shared one-kubelet cluster (clusterkit.shared_one_kubelet_cluster) runs
# while one test module using it follows another. trylast: after the module's own fixtures are
# torn down.

@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    clusterkit = sys.modules.get("clusterkit")
    if clusterkit is not None and (nextitem is None or not clusterkit.uses_shared_cluster(nextitem.module)):
        clusterkit.stop_shared_cluster()


def pytest_sessionfinish(session):
    """An interrupted run stops the shared cluster too."""
    clusterkit = sys.modules.get("clusterkit")
    if clusterkit is not None:
        clusterkit.stop_shared_cluster()


# --- running in parallel (pytest-xdist, `-n 2 --dist loadgroup`, as .ci/run does) ---------------
# A worker runs whole test files, so a module fixture (a reference etcd, an apiserver) starts once,
# not once in each worker. Files that share a session-wide resource form one group, run by one
# worker: those on the shared one-kubelet cluster, and those reading the built fixture site.

SITE_FIXTURES = {"site_docs", "site_html"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test of a module that shares a session resource with its xdist group (xdist
    then appends the group to the test's id, which is how its scheduler sees it)."""
    if not getattr(config.option, "loadgroup", False):  # set in the workers of --dist loadgroup
        return
    clusterkit = sys.modules.get("clusterkit")
    groups: dict[object, str] = {}
    for item in items:
        module = getattr(item, "module", None)
        if clusterkit is not None and module is not None and clusterkit.uses_shared_cluster(module):
            groups[module] = "one-kubelet-cluster"
        elif SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            groups.setdefault(module, "fixture-site")
    for item in items:
        group = groups.get(getattr(item, "module", None))
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """loadgroup, except that a test of no group goes with the rest of its file, not alone, and
    the groups are handed out first: each is minutes of work (the site's browser checks alone
    are the suite's longest), which, handed out last, one worker would do while the other idles."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileOrGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return scope.split("::", 1)[0] if scope == nodeid else f"group {scope}"

        def _assign_work_unit(self, node) -> None:
            for scope in [scope for scope in self.workqueue if scope.startswith("group ")]:
                self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return FileOrGroupScheduling(config, log)
