"""Where kubeatlas keeps its working data: clones, the recorded sources and the SQLite index.

One folder, `$KUBEATLAS_HOME` or `~/.cache/kubeatlas` (or `--home`), so that a user can remove
everything kubeatlas made with one `rm -r`, and nothing lands in the directory they run it from.
"""
from __future__ import annotations

import errno
import fcntl
import os
import pwd
import re
import stat
import struct
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from analyzer.errors import UsageError

REPOS = ("kubernetes", "etcd")  # the repositories kubeatlas fetches, indexes and maps

# What `git rev-parse --local-env-vars` lists, less the configuration ones (a user's proxy settings
# may come that way): they point git at one particular repository. Exported by a hook or a script
# kubeatlas runs in, they would turn every git command kubeatlas runs, `git init` of a new clone
# included, onto that repository.
REPOSITORY_ENV_VARS = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_GRAFT_FILE", "GIT_SHALLOW_FILE",
    "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX",
)


def forget_callers_repository(environ: dict[str, str]) -> None:
    """Drop from `environ` the variables that would aim git at the caller's repository: kubeatlas
    names every repository it reads or writes."""
    for name in REPOSITORY_ENV_VARS:
        environ.pop(name, None)


def default_home() -> Path:
    env = os.environ.get("KUBEATLAS_HOME")
    if env and not env.strip():
        # Taken as a path, it would be a folder named by the spaces in the current one.
        raise UsageError(f"$KUBEATLAS_HOME is {env!r}, no folder: set it to one, or unset it "
                         "for ~/.cache/kubeatlas")
    if env:
        home = Path(env).expanduser()
        if not home.is_absolute():
            # A variable outlives the directory it was set in: each directory would have a home
            # of its own, and a query run elsewhere would find no index.
            raise UsageError(f"$KUBEATLAS_HOME is {env!r}, a relative path, which names another "
                             f"folder in each directory: set it to an absolute one, e.g. "
                             f"{Path(os.path.abspath(home))}, or give --home {env} for this "
                             "command alone")
        return home
    cache = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec: a relative path in its variables is invalid and to be ignored.
    return (Path(cache) if os.path.isabs(cache) else user_home() / ".cache") / "kubeatlas"


def user_home() -> Path:
    """$HOME, or this user's home in the password database when $HOME is unset or empty.
    Python's Path.home() takes an empty $HOME for `/`, and, for a user the database does not
    know (`docker run --user 1234`), gives a folder named `~` in the current one."""
    home = os.environ.get("HOME")
    if home and not os.path.isabs(home):
        # As $KUBEATLAS_HOME: another home, and another index, in each directory.
        raise UsageError(f"$HOME is {home!r}, a relative path, which names another folder in "
                         "each directory: give --home (or $KUBEATLAS_HOME) the folder for "
                         "kubeatlas' clones and index, or set $HOME to an absolute path")
    if home:
        return Path(home)
    try:
        return Path(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        raise UsageError("no home folder: $HOME is unset and this user has no entry in the "
                         "password database: give --home (or $KUBEATLAS_HOME) a folder") from None


def check_home(home: Path) -> None:
    check_folder(home, "give --home (or $KUBEATLAS_HOME) {} folder for kubeatlas' clones and index")


def check_folder(folder: Path, give: str) -> None:
    """Refuse a folder that cannot be one, naming the part of its path that is in the way: a
    reader would report that nothing is there and a writer fail on the first file it makes. A
    folder that does not exist yet is fine: the first command that writes creates it. `give`
    says which option to change, with {} for "a" or "another"."""
    too_long = path_too_long(folder)
    if too_long:  # a folder not made yet would be refused only when the first file is written
        raise UsageError(f"{folder} {too_long}: {give.format('another')}")
    deepest = Path("/")  # the last part that exists
    for part in (*reversed(folder.parents), folder):
        subject = str(folder) if part == folder else f"{folder} is inside {part}, which"
        try:
            mode = os.stat(part).st_mode
        except FileNotFoundError:
            if part.is_symlink():
                raise UsageError(f"{subject} is a symlink to {os.readlink(part)}, which does not "
                                 f"exist: create that folder, or {give.format('another')}") from None
            break
        except OSError as err:
            if err.errno != errno.ELOOP:
                raise
            raise UsageError(f"{subject} is a symlink loop: point it at a folder, or "
                             f"{give.format('another')}") from None
        if not stat.S_ISDIR(mode):
            raise UsageError(f"{subject} is a file, not a folder: {give.format('a')}")
        deepest = part
    kernel = kernel_filesystem(deepest)
    if kernel:
        # `HOME=/proc` (a service's user): mkdir there fails 'No such file or directory', or
        # 'Operation not permitted' even for root, and a query said to run `kubeatlas index`.
        subject = str(folder) if deepest == folder else f"{folder} is inside {deepest}, which"
        raise UsageError(f"{subject} is on the kernel's {kernel} file system, where no file can "
                         f"be made: {give.format('a')}")


# File systems through which the kernel shows its state: a path on one exists, but nothing a
# program writes can be kept there.
KERNEL_FILESYSTEMS = frozenset({"proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs",
                                "securityfs", "pstore", "bpf", "configfs", "fusectl", "devpts",
                                "mqueue", "efivarfs", "binfmt_misc", "nsfs"})


def kernel_filesystem(path: Path) -> str | None:
    """The type of the kernel file system `path` is on (proc, sysfs, ...), if it is on one, as
    /proc/self/mounts lists them (the longest mount point above it is its file system)."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="surrogateescape") as mounts:
            table = [line.split()[1:3] for line in mounts if len(line.split()) > 2]
    except OSError:  # not Linux, or no /proc: nothing known
        return None
    real = os.path.realpath(path)
    found, length = None, -1
    for mount_point, kind in table:
        # Blanks and the like are written as octal escapes (\040).
        mount_point = re.sub(r"\\([0-7]{3})", lambda escape: chr(int(escape[1], 8)), mount_point)
        inside = real == mount_point or real.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= length:
            found, length = kind, len(mount_point)
    return found if found in KERNEL_FILESYSTEMS else None


def path_too_long(folder: Path) -> str | None:
    """Why the file system would refuse `folder`'s name, if it would: one of its names, or the
    whole path, is longer than it takes (255 and 4,096 bytes on Linux)."""
    existing = next((part for part in (folder, *folder.parents) if _exists(part)), Path("/"))
    name_max = _pathconf(existing, "PC_NAME_MAX", 255)
    longest = max((len(os.fsencode(name)) for name in folder.parts), default=0)
    if longest > name_max:
        return (f"is not a path the file system takes: a name in it is {longest:,} bytes long, "
                f"above the {name_max:,} it allows")
    path_max = _pathconf(existing, "PC_PATH_MAX", 4096)
    length = len(os.fsencode(os.path.abspath(folder)))
    if length >= path_max:
        return (f"is not a path the file system takes: it is {length:,} bytes long, above the "
                f"{path_max - 1:,} it allows")
    return None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # ENAMETOOLONG itself
        return False


def _pathconf(path: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(path, name)
    except (OSError, ValueError):
        return default


@contextmanager
def exclusive(path: Path, busy: Exception | None = None, note: str = ""):
    """Hold a lock on the file `path` (made if need be) for the block: with `busy`, raise it
    when another process holds the lock, else wait for it. A POSIX record lock (lockf), not
    flock: it belongs to this process alone, so workers forked while it is held do not hold it
    too, and a process killed with -9 frees it at once. `note` is written in the file while
    the lock is held, for `held_by` to read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | (fcntl.LOCK_NB if busy else 0))
        except OSError:  # EAGAIN or EACCES, as the platform reports a held record lock
            raise busy from None
        _rewrite(lock, note)
        try:
            yield
        finally:
            _rewrite(lock, "")


def _rewrite(lock, note: str) -> None:
    lock.truncate(0)
    lock.write(note)
    lock.flush()


# struct flock as Linux lays it out: l_type, l_whence, l_start, l_len, l_pid, padded to 32 bytes.
_FLOCK = "hhqqi4x"


def held_by(path: Path) -> str | None:
    """The note of the process holding the lock `exclusive` takes on `path`, or None when no
    other process holds it. It asks the kernel (F_GETLK) without taking the lock, which would
    make a writer starting at that moment give up as if another one were running. Elsewhere than
    on Linux, whose struct flock `_FLOCK` lays out, it says nothing (None)."""
    if sys.platform != "linux":
        return None
    try:
        lock = open(path)
    except FileNotFoundError:
        return None
    with lock:
        asked = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        held_type = struct.unpack(_FLOCK, fcntl.fcntl(lock, fcntl.F_GETLK, asked))[0]
        # Written just after the lock is taken: an empty note is a holder about to write it.
        return None if held_type == fcntl.F_UNLCK else lock.read()


def index_writer_lock(index_path: Path) -> Path:
    """The lock file of the one process writing the index at `index_path` (`kubeatlas index`)."""
    return index_path.with_name(index_path.name + ".lock")


class Workspace(NamedTuple):
    """The folder that holds the clones, the record of what `fetch` brought, and the index."""

    home: Path

    @property
    def repos_dir(self) -> Path:
        """Bare clones of remote repositories, one `<name>.git` each."""
        return self.home / "repos"

    @property
    def sources_file(self) -> Path:
        """JSON record of what `fetch` brought: per repository its git dir, ref, commit and URL."""
        return self.home / "sources.json"

    @property
    def index_path(self) -> Path:
        return self.home / "index.sqlite"
