"""Versions in history order, named by the release they are (analyzer.releases)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from analyzer.releases import Stores, in_history_order
from analyzer.store import CommitRecord
from conftest import _git


def _commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout.strip()


def _repo(tmp_path: Path, name: str) -> Path:
    repo = tmp_path / name
    repo.mkdir()
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "config", "user.name", "kubeatlas tests")
    _git(repo, "config", "user.email", "tests@kubeatlas.invalid")
    return repo


def _record(id_: int, sha: str, ref: str) -> CommitRecord:
    return CommitRecord(id_, "kubernetes", sha, ref, "https://example.invalid/k", False)


def test_versions_follow_the_release_not_the_index_order(tmp_path):
    """Two unrelated imports (the 1.19 one committed later than the 1.24 one, as the mirrors
    are): the newest CHANGELOG of each tree names and orders them, whatever order they were
    indexed in."""
    newer = _repo(tmp_path, "k124")
    sha_124 = _commit(newer, {"CHANGELOG/CHANGELOG-1.9.md": "", "CHANGELOG/CHANGELOG-1.24.md": ""}, "init")
    older = _repo(tmp_path, "k119")
    sha_119 = _commit(older, {"CHANGELOG/CHANGELOG-1.19.md": "", "CHANGELOG/CHANGELOG-1.18.md": ""}, "init")
    stores = Stores([str(newer / ".git"), str(older / ".git")])
    ordered = in_history_order([_record(1, sha_124, sha_124[:8]), _record(2, sha_119, sha_119[:8])], stores)
    assert [(c.sha, r.name, r.how) for c, r in ordered] == [
        (sha_119, "v1.19 era", "changelog"), (sha_124, "v1.24 era", "changelog")]


def test_a_tag_names_a_commit_and_ancestry_orders_commits_of_one_release(tmp_path):
    """`git describe` names a tagged commit and the ones after it; between two commits of no
    known release, the ancestor comes first (the fixture's commits share one date)."""
    repo = _repo(tmp_path, "etcd")
    first = _commit(repo, {"a.go": "package a\n"}, "one")
    _git(repo, "tag", "v3.5.1")
    second = _commit(repo, {"a.go": "package a\n\n// b\n"}, "two")
    stores = Stores([str(repo / ".git")])
    ordered = in_history_order([_record(1, second, "main"), _record(2, first, "HEAD")], stores)
    assert [r.name for _, r in ordered] == ["v3.5.1", f"v3.5.1-1-g{second[:7]}"]

    plain = _repo(tmp_path, "plain")
    old = _commit(plain, {"a.go": "package a\n"}, "one")
    new = _commit(plain, {"a.go": "package a\n\n// b\n"}, "two")
    ordered = in_history_order([_record(1, new, "main"), _record(2, old, "HEAD")],
                               Stores([str(plain / ".git")]))
    assert [(c.sha, r.how) for c, r in ordered] == [(old, "sha"), (new, "sha")]


def test_a_release_tag_ref_names_a_commit_no_clone_holds():
    """Without a clone, a ref that is a release tag still names the commit; anything else is its
    short SHA."""
    stores = Stores([])
    ordered = in_history_order([_record(1, "b" * 40, "main"), _record(2, "a" * 40, "v3.5.1")], stores)
    assert [(r.name, r.how) for _, r in ordered] == [("v3.5.1", "tag"), ("b" * 12, "sha")]
