"""The Go standard library as one more tree to index, read from a Go installation's `src/`.

Calls into `fmt`, `sync` or `net/http` resolve only if the library's declarations are indexed
too. A Go installation is found with `go env GOROOT` (or given with `--goroot`); its `src/` is
not a git repository, so files are read from disk and keyed by the blob SHA git would give them,
which lets the index share facts with any tree that vendors the same file.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import UsageError
from analyzer.gitobjects import TreeEntry

REPO = "go"
REMOTE = "https://github.com/golang/go"


def is_site_path(path: str) -> bool:
    """Whether a call site's path is a standard-library file's (see `site_path`)."""
    return path.startswith("go1") and "/src/" in path


def site_path(version: str, path: str) -> str:
    """Where a library file's calls are said to be in a repository's index: `go1.19.8/src/
    net/http/server.go`, which no repository path looks like and `sources.permalink` links to
    the Go repository at that release."""
    return f"{version}/src/{path}"


def git_blob_sha(data: bytes) -> str:
    """The SHA git gives a blob with these contents (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def find_goroot(explicit: str | None = None) -> Path | None:
    """GOROOT given, or the installed go's, or None when there is no Go installation."""
    if explicit:
        root = Path(explicit)
        if not is_goroot(root):
            raise UsageError(f"--goroot {explicit} {_not_goroot(root)}")
        return root
    go = shutil.which("go")
    if go is None:
        return None
    done = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True)
    root = Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
    return root if root is not None and (root / "src" / "runtime").is_dir() else None


def is_goroot(root: Path) -> bool:
    return (root / "src" / "runtime").is_dir()


def _not_goroot(root: Path) -> str:
    """Why `root` is no Go installation, and the one it likely meant: the `go` binary or its
    bin/ folder, or src/ (whose parent is GOROOT), are often given for it."""
    if not root.exists():
        problem = "does not exist"
    elif not root.is_dir():
        problem = "is a file, not a Go installation's folder"
    else:
        problem = "is not a Go installation: it has no src/runtime"
    above = Path(os.path.abspath(root)).parents if root.exists() else ()
    meant = next((folder for folder in above if is_goroot(folder)), None)
    remedy = f"give --goroot {meant}" if meant else (
        "give the folder `go env GOROOT` prints, or leave --goroot out to use the installed go's")
    return f"{problem}: {remedy} (--no-goroot indexes without the standard library)"


def goroot_version(root: Path) -> str:
    version_file = root / "VERSION"
    if version_file.exists():
        return version_file.read_text().split()[0]
    done = subprocess.run([str(root / "bin" / "go"), "version"], capture_output=True, text=True)
    return done.stdout.split()[2] if done.returncode == 0 else "go-unknown"


@dataclass(frozen=True)
class GoRoot:
    """A Go installation's source tree, shaped like a fetched checkout for the indexer."""

    root: str

    @property
    def version(self) -> str:
        return goroot_version(Path(self.root))

    def entries(self) -> list[TreeEntry]:
        """Every .go file of src/ outside testdata, tests left out, with its git blob SHA."""
        src = Path(self.root) / "src"
        entries = []
        for directory, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d != "testdata" and not d.startswith((".", "_")))
            for name in sorted(files):
                if not name.endswith(".go") or name.endswith("_test.go"):
                    continue
                path = Path(directory) / name
                relative = path.relative_to(src).as_posix()
                if path.is_symlink():
                    entries.append(TreeEntry(relative, "", True))
                else:
                    entries.append(TreeEntry(relative, git_blob_sha(path.read_bytes()), False))
        return entries

    def read(self, path: str) -> bytes | None:
        try:
            return (Path(self.root) / "src" / path).read_bytes()
        except OSError:
            return None


def import_path_of(path: str) -> str:
    """The standard library's import path of a file under src/: its directory. Under src/vendor/
    that keeps its `vendor/` prefix, as Go names those packages (`vendor/golang.org/x/net/…`):
    they are not the copies a repository vendors (see `Program` for how std imports them)."""
    return path.rpartition("/")[0]
