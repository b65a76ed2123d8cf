"""Reading a commit's tree and blobs straight from git's object store.

The indexer never needs a work tree: it lists a commit's tree and reads each blob by its SHA, which
is also the key its facts are stored under. This is what lets it index a bare mirror, and report a
blob that a partial snapshot lacks instead of failing a checkout. Symlinks are tree entries like
any other and are never followed.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from analyzer.errors import SourceError

SYMLINK_MODE = b"120000"
_UNREADABLE = re.compile(r"Could not read ([0-9a-f]{40})")  # git ls-tree on a missing tree

@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: str
    blob_sha: str
    symlink: bool


def has_commit(git_dir: str, commit: str) -> bool:
    return subprocess.run(["git", "--git-dir", git_dir, "cat-file", "-e", f"{commit}^{{commit}}"],
                          capture_output=True).returncode == 0


def list_tree(git_dir: str, commit: str) -> list[TreeEntry]:
    """Every file of the commit's tree (submodules left out), in git's order."""
    done = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "--full-tree", commit],
                          capture_output=True)
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        missing = _UNREADABLE.search(stderr)
        if missing:
            # A blob a snapshot lacks is counted and skipped; without a tree, its files are unknown.
            raise SourceError(git_dir, commit, f"tree {missing[1]} is not in the repository's "
                              "objects (a pack or object file removed?): every tree of the commit "
                              "is read to list its files; give a whole clone")
        reason = stderr.strip().splitlines()
        raise SourceError(git_dir, commit, reason[-1] if reason else "cannot list the tree")
    entries = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, sha = meta.split(b" ")
        if kind != b"blob":
            continue
        # Blobs are read by SHA, so a path is only a name to store and show: bytes that are not
        # UTF-8 (a Latin-1 file name) are written as \xNN escapes, which SQLite can store.
        entries.append(TreeEntry(path.decode("utf-8", "backslashreplace"), sha.decode(),
                                 mode == SYMLINK_MODE))
    return entries


class BlobReader:
    """One long-lived `git cat-file --batch`: blobs by SHA, None for a blob the store lacks."""

    def __init__(self, git_dir: str):
        self._process = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, sha: str) -> bytes | None:
        self._process.stdin.write(sha.encode() + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None  # "<sha> missing": absent from this (partial) object store
        data = self._process.stdout.read(int(header[2]))
        self._process.stdout.read(1)  # the newline after the contents
        return data

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
