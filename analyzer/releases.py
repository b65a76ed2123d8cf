"""The git side of the site: which object store holds each analysed commit, what release the
commit is, and the text of its files.

The index keeps facts, not file text, and knows a commit only by SHA and the ref it was fetched
as. The site asks git for the rest, in the bare clones `kubeatlas fetch` recorded (and any more
given with `kubeatlas site --git-dir`): the first store that has the commit answers for it.

A commit's release name, in this order of trust:

1. its ref, when that is a release tag (`v3.5.1`);
2. `git describe --tags` in its store (a tag on it, or the nearest one before it, `v1.24.0-12-gabc`);
3. the newest `CHANGELOG/CHANGELOG-<major>.<minor>.md` in its tree: Kubernetes starts the next
   release's changelog when its branch is cut, so a tree with CHANGELOG-1.24.md is of the 1.24
   era (the mirrors used here have no tags, and their commit dates are those of a re-import);
4. else its short SHA, and no release.

Versions are ordered by release (1 to 3), then, between commits of the same release or without
one, by ancestry in a shared store and commit date; index order never decides.
"""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer import store
from analyzer.gitobjects import BlobReader

_RELEASE_TAG = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][\w.-]*)?")
_CHANGELOG = re.compile(r"CHANGELOG(?:/CHANGELOG)?-(\d+)\.(\d+)\.md")


@dataclass(frozen=True, slots=True)
class Release:
    name: str  # "v3.5.1", "v1.24 era", or a short SHA
    version: tuple[int, ...]  # () when unknown
    how: str  # "tag", "describe", "changelog", "sha": which rule named it
    date: int  # committer date (unix seconds), 0 when no store has the commit


def _git(git_dir: str, *args: str) -> str | None:
    done = subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


class Stores:
    """The object stores the site may read from, and which one holds each commit."""

    def __init__(self, git_dirs: Iterable[str]):
        self.git_dirs = tuple(dict.fromkeys(git_dirs))
        self._holding: dict[str, str | None] = {}
        self._readers: dict[str, BlobReader] = {}

    def holding(self, sha: str) -> str | None:
        """The first store that has commit `sha`, or None."""
        if sha not in self._holding:
            self._holding[sha] = next(
                (git_dir for git_dir in self.git_dirs
                 if _git(git_dir, "cat-file", "-e", f"{sha}^{{commit}}") is not None), None)
        return self._holding[sha]

    def text(self, sha: str, blob_sha: str) -> str | None:
        """A file of commit `sha` by its blob, as text; None when no store has it."""
        git_dir = self.holding(sha)
        if git_dir is None:
            return None
        if git_dir not in self._readers:
            self._readers[git_dir] = BlobReader(git_dir)
        data = self._readers[git_dir].read(blob_sha)
        return None if data is None else data.decode("utf-8", "replace")

    def release(self, commit: store.CommitRecord) -> Release:
        git_dir = self.holding(commit.sha)
        date = int(_git(git_dir, "show", "-s", "--format=%ct", commit.sha) or 0) if git_dir else 0
        tag = _RELEASE_TAG.fullmatch(commit.ref)
        if tag:
            return Release(commit.ref, _numbers(tag), "tag", date)
        described = git_dir and _git(git_dir, "describe", "--tags", commit.sha)
        if described and (tag := _RELEASE_TAG.fullmatch(described)):
            return Release(described, _numbers(tag), "describe", date)
        changelogs = [tuple(map(int, m.groups())) for path in
                      (_git(git_dir, "ls-tree", "--name-only", commit.sha, "CHANGELOG/") or "").split()
                      if (m := _CHANGELOG.fullmatch(path))] if git_dir else []
        if changelogs:
            newest = max(changelogs)
            return Release(f"v{newest[0]}.{newest[1]} era", newest, "changelog", date)
        return Release(commit.sha[:12], (), "sha", date)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()


def _numbers(match: re.Match) -> tuple[int, ...]:
    return tuple(int(n) for n in match.groups() if n is not None)


def in_history_order(commits: Sequence[store.CommitRecord], stores: Stores
                     ) -> list[tuple[store.CommitRecord, Release]]:
    """Oldest first: by release, then by ancestry where one store holds both, then by date."""
    named = [(commit, stores.release(commit)) for commit in commits]

    def key(item: tuple[store.CommitRecord, Release]):
        commit, release = item
        older = sum(_is_ancestor(stores, other.sha, commit.sha) for other, _ in named
                    if other.sha != commit.sha)
        return (not release.version, release.version, older, release.date, commit.sha)

    return sorted(named, key=key)


def _is_ancestor(stores: Stores, old: str, new: str) -> bool:
    git_dir = stores.holding(new)
    return bool(git_dir and stores.holding(old) == git_dir
                and _git(git_dir, "merge-base", "--is-ancestor", old, new) is not None)
