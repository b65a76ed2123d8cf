"""The `sources` stage: bring kubernetes and etcd to a known commit and record where it came from.

`fetch` takes a repository name and, optionally, where to get it (`source`) and what to get
(`ref`); the defaults are the upstream URLs and release tags pinned in `analyzer/pins.toml`.

- A URL (`https://`, `http://`, `git://`, `ssh://`, `file://`, `user@host:path`) is fetched into a
  bare clone, `<home>/repos/<name>.git`, shallow unless asked otherwise. Nothing needs a work tree:
  later stages read blobs straight from git's object store. An existing clone is updated in place,
  and the fetched commit is kept reachable under `refs/kubeatlas/<name>`.
- A local path (a work tree, a bare repository, a mirror) is used in place and only read: the ref is
  resolved there and no object is copied or written. Blobs are never touched, so snapshots whose
  large blobs are missing work too.

The result is a `Checkout` — git dir, commit SHA, ref as asked, remote URL — recorded in
`<home>/sources.json` for `kubeatlas index`, and written only once a fetch has fully succeeded.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from analyzer.errors import GitNotFound, SourceError
from analyzer.permalinks import permalink
from analyzer.progress import Progress
from analyzer.workspace import REPOS, Workspace, exclusive, path_too_long

try:
    from git import (GitCommandError, InvalidGitRepositoryError, NoSuchPathError, Remote,
                     RemoteProgress, Repo)
except ImportError as err:
    if isinstance(err, ModuleNotFoundError):  # GitPython itself is missing: not the user's PATH
        raise
    raise GitNotFound() from err  # GitPython found no git executable to run

PINS_FILE = Path(__file__).with_name("pins.toml")

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://|^[^/@:]+@[^/:]+:", re.IGNORECASE)
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_NO_SPACE = "No space left on device"  # strerror(ENOSPC), in git's "fatal: write error: ..."
_SHORT_SHA = re.compile(r"^[0-9a-f]{4,39}$")
# The module path each repository's top go.mod declares: k8s.io/kubernetes; go.etcd.io/etcd up
# to v3.4, go.etcd.io/etcd/v3 from v3.5 (its server a module of its own under server/). Releases
# before modules have no go.mod, and a fork may rename its module: only a tree declaring the
# other repository's module is refused, as the one named by mistake (a kubernetes tree as etcd).
MODULE_PATHS = {"kubernetes": re.compile(r"k8s\.io/kubernetes"),
                "etcd": re.compile(r"go\.etcd\.io/etcd(/v[0-9]+)?")}
_MODULE_LINE = re.compile(r'^module\s+"?([^\s"]+)"?', re.MULTILINE)
_GIT_REASON = re.compile(r"^(?P<remote>remote: )?(?:fatal|error): (?P<text>.*)")
_UNKNOWN_REMOTE_REF = re.compile(r"not our ref|couldn't find remote ref|no such remote ref")
# git must fail rather than wait for a password nobody will type (a private or mistyped URL).
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0"}
# GitPython logs a warning for each fetch line it cannot match to a ref ("Git informed while
# fetching: * branch HEAD -> FETCH_HEAD" for --ref HEAD); stderr carries our own lines only.
logging.getLogger("git.remote").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Pin:
    """A default source: the upstream URL of a repository and the ref analysed by default."""

    name: str
    url: str
    ref: str


@dataclass(frozen=True)
class Checkout:
    """One repository at one commit, ready for the indexer to read objects from."""

    name: str
    git_dir: str
    commit: str
    ref: str
    remote_url: str

    def permalink(self, path: str, line: int | None = None) -> str:
        return permalink(self.remote_url, self.commit, path, line)


def is_url(source: str) -> bool:
    """Whether `source` is fetched over git (a URL or `user@host:path`), not read in place."""
    return bool(_URL.match(source))


def without_credentials(url: str) -> str:
    """`url` less the user and password it may carry (`https://user:TOKEN@host/repo.git`), as
    git prints it: they are never printed, nor recorded for permalinks."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url  # a path, or `user@host:path`, whose user is no secret
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"


def load_pins() -> dict[str, Pin]:
    with PINS_FILE.open("rb") as file:
        tables = tomllib.load(file)
    return {name: Pin(name, table["url"], table["ref"]) for name, table in tables.items()}


def load_checkouts(ws: Workspace) -> dict[str, Checkout]:
    """What `fetch` recorded, by repository name; empty if nothing was fetched yet."""
    try:
        records = json.loads(ws.sources_file.read_text())
        if not isinstance(records, dict):
            raise ValueError("not an object of records by repository name")
        return {name: _checkout(name, record) for name, record in records.items()}
    except FileNotFoundError:
        return {}
    except ValueError as err:
        raise SourceError("sources", str(ws.sources_file),
                          f"unreadable record ({err}); remove it and fetch again") from None


def _checkout(name: str, record: object) -> Checkout:
    """A hand-edited record that is not what `fetch` writes would fail later, deep in git or in a
    path, or (under another name) be indexed out of reach of every query; say what is wrong here."""
    if name not in REPOS:
        raise ValueError(f"{name}: not a repository kubeatlas fetches ({', '.join(REPOS)})")
    if not isinstance(record, dict):
        raise ValueError(f"{name}: {json.dumps(record)} is not a record")
    keys = [field.name for field in fields(Checkout)]
    unknown = [key for key in record if key not in keys]
    if unknown:
        raise ValueError(f"{name}: unknown key {unknown[0]!r}")
    missing = [key for key in keys if key not in record]
    if missing:
        raise ValueError(f"{name}: no key {missing[0]!r}")
    for key, value in record.items():
        if not isinstance(value, str) or (key == "name" and value != name):
            raise ValueError(f"{name}: {key} is {json.dumps(value)}")
    return Checkout(**record)


def fetch(ws: Workspace, name: str, source: str | None = None, ref: str | None = None,
          url: str | None = None, depth: int = 1, progress: Progress | None = None) -> Checkout:
    """Bring `name` at `ref` from `source`, record it in `ws.sources_file`, and return it.

    `url` is the remote URL to record for permalinks, when the source's own is not the one to link
    to. `depth` is the history depth of a clone; 0 fetches full history. A failure raises
    `SourceError` and leaves the record and any existing clone's recorded commit as they were.
    """
    pin = load_pins().get(name)
    if pin is None and (source is None or ref is None):
        raise SourceError(name, str(PINS_FILE), "no pinned source: give both a source and a ref")
    source = source or pin.url
    pinned, ref = ref is None, ref or pin.ref
    if ref.startswith("-"):  # git would read it as an option
        raise SourceError(name, source, f"unknown ref '{ref}'")
    progress = progress or Progress(quiet=True)
    try:
        if is_url(source):
            checkout = _fetch_url(ws, name, source, ref, url or source, depth, progress)
        else:
            checkout = _use_local(name, source, ref, url)
    except SourceError as err:
        reason = err.reason
        if pinned and reason == f"unknown ref '{ref}'":
            reason += f", the ref analyzer/{PINS_FILE.name} pins: give --ref to fetch another"
        raise SourceError(name, without_credentials(err.source), reason) from None
    checkout = replace(checkout, remote_url=without_credentials(checkout.remote_url))
    if not is_url(source) and checkout.remote_url == _local_url(Path(source).expanduser()):
        progress.warn(f"{name}: {source} has no remote 'origin', so permalinks will name "
                      "this local path; give --url (e.g. "
                      f"--url {pin.url if pin else 'https://github.com/OWNER/REPO'}) "
                      "to link to the web")
    _record(ws, checkout)
    return checkout


def _use_local(name: str, source: str, ref: str, url: str | None) -> Checkout:
    path = Path(source).expanduser()
    too_long = path_too_long(path)
    if too_long:  # else 'File name too long', naming neither the repository nor the option
        raise SourceError(name, source, f"{too_long}: give --from the repository's own path")
    if not path.exists():
        trimmed = source.strip()
        if trimmed != source and trimmed and Path(trimmed).expanduser().exists():
            # Pasted with a blank around it, which a shell keeps inside quotes.
            raise SourceError(name, source, f"no such file or directory; {trimmed!r}, without "
                              f"the blank around it, is one: give --from {trimmed}")
        raise SourceError(name, source, "no such file or directory")
    try:
        repo = _open(path)
    except (InvalidGitRepositoryError, NoSuchPathError):
        inside = _inside(path)
        if not inside and not path.is_dir():  # a go.mod, a tarball: not a folder at all
            raise SourceError(name, source, "is a file, not a git repository: give --from the "
                              "folder of a clone or of a bare mirror") from None
        raise SourceError(name, source, "not a git repository" + inside) from None
    with repo:
        if not repo.head.is_valid() and not repo.refs:
            raise SourceError(name, source, "the repository has no commits yet")
        commit = _resolve(repo, ref, name, source, ref)
        _check_module(repo, name, source, ref, commit)
        config = repo.config_reader("repository")
        origin = (config.get_value('remote "origin"', "url")
                  if config.has_option('remote "origin"', "url") else None)
        git_dir = str(Path(repo.git_dir).resolve())
    return Checkout(name, git_dir, commit, ref, url or origin or _local_url(path))


def _inside(path: Path) -> str:
    """`; it is inside the repository TOP: give that` for a folder or file of a repository (its
    `pkg/`, a go.mod), which git would take for the repository, but whose tree is not the whole
    commit's; "" for a path no repository holds."""
    try:
        with Repo(path if path.is_dir() else path.parent, search_parent_directories=True) as repo:
            git_dir, work_tree = Path(repo.git_dir), repo.working_tree_dir
    except (InvalidGitRepositoryError, NoSuchPathError):
        return ""
    if path.resolve().is_relative_to(git_dir.resolve()) or work_tree is None:
        # Inside the git dir: GitPython takes a bare mirror with no config file for a work tree
        # whose top is the folder above.
        top = git_dir.parent if git_dir.name == ".git" else git_dir
    else:
        top = work_tree
    return f"; it is inside the repository {top}: give that"


def _local_url(path: Path) -> str:
    """What permalinks name for a repository with no remote: its path, or, when the path holds
    bytes that are not UTF-8 (which the index, text in SQLite, cannot store), its file:// URL,
    where they are percent-encoded."""
    resolved = path.resolve()
    try:
        str(resolved).encode("utf-8")
    except UnicodeEncodeError:
        return resolved.as_uri()
    return str(resolved)


def _fetch_url(ws: Workspace, name: str, source: str, ref: str, remote_url: str, depth: int,
               progress: Progress) -> Checkout:
    # Two fetches of one repository would both clone it, and the second find the first's in
    # its place; or both move its refs at once.
    busy = SourceError(name, source, f"another `kubeatlas fetch {name}` is fetching it into "
                       f"{ws.home}; wait for that one to finish")
    with exclusive(ws.home / f".{name}.fetch.lock", busy):
        return _clone_or_update(ws, name, source, ref, remote_url, depth, progress)


def _clone_or_update(ws: Workspace, name: str, source: str, ref: str, remote_url: str, depth: int,
                     progress: Progress) -> Checkout:
    clone = ws.repos_dir / f"{name}.git"
    if ws.repos_dir.exists() and not ws.repos_dir.is_dir():
        raise SourceError(name, str(ws.repos_dir), "is a file where kubeatlas keeps its clones; "
                          "remove it and fetch again")
    if clone.exists():
        try:
            repo = _open(clone)
        except InvalidGitRepositoryError:
            raise SourceError(name, str(clone), "exists but is not a git repository; "
                              "remove it and fetch again") from None
        with repo:
            commit = _fetch_into(repo, name, source, ref, depth, progress)
    else:
        # A first clone is made beside its final place and renamed when complete, so a failed
        # or interrupted one leaves no half-made `<name>.git` behind.
        scratch = ws.repos_dir / f".{name}.git.{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)  # left by a killed run that had our pid
        scratch.mkdir(parents=True)
        try:
            with Repo.init(scratch, bare=True) as repo:
                repo.git.update_environment(**_GIT_ENV)
                commit = _fetch_into(repo, name, source, ref, depth, progress)
            scratch.rename(clone)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            with contextlib.suppress(OSError):
                ws.repos_dir.rmdir()  # only if this left it empty
            raise
    return Checkout(name, str(clone.resolve()), commit, ref, remote_url)


def _fetch_into(repo: Repo, name: str, source: str, ref: str, depth: int,
                progress: Progress) -> str:
    """Fetch `ref` from `source` into `repo`, keep it as `refs/kubeatlas/<name>`, return its SHA."""
    wanted = _remote_ref(repo, name, source, ref)
    options: dict[str, object] = {"no_tags": True}
    if depth:
        options["depth"] = depth
    elif (Path(repo.git_dir) / "shallow").exists():
        options["unshallow"] = True
    progress.note(f"{name}: fetching {ref} from {without_credentials(source)}"
                  + (f" (depth {depth})" if depth else " (full history)"))
    git_progress = _GitProgress(progress, name)
    try:
        # git takes a URL where a remote's name goes; fetching by URL, with no destination in the
        # refspec, changes neither the clone's config nor its refs if the fetch fails.
        Remote(repo, source).fetch(wanted, progress=git_progress, **options)
    except GitCommandError as err:
        # The remote's own "remote: fatal: ..." lines come through the progress channel.
        reason = _one_line(err, git_progress.other_lines)
        if _UNKNOWN_REMOTE_REF.search(reason):
            raise SourceError(name, source, f"unknown ref '{ref}'") from None
        if _NO_SPACE in reason:  # where it is written, not where it comes from, is to change
            raise SourceError(name, source, f"fetch failed: {reason}: free some space in "
                              f"{Path(repo.git_dir).parent}, or give --home (or $KUBEATLAS_HOME) "
                              "a folder on another disk") from None
        raise SourceError(name, source, f"fetch failed: {reason}{_local_hint(name)}") from None
    commit = _resolve(repo, "FETCH_HEAD", name, source, ref)
    _check_module(repo, name, source, ref, commit)
    repo.git.update_ref(f"refs/kubeatlas/{name}", commit)
    return commit


def _remote_ref(repo: Repo, name: str, source: str, ref: str) -> str:
    """What to ask `source` for: the full name `ref` has there, or `ref` itself if a full SHA.

    Asking first also proves the source reachable before anything is fetched.
    """
    try:
        listing = repo.git.ls_remote("--", source, ref)
    except GitCommandError as err:
        raise SourceError(name, source, f"cannot reach: {_one_line(err)}{_local_hint(name)}") from None
    names = {line.split("\t")[1] for line in listing.splitlines()}
    # refs/remotes/: a clone given as the source has its own remote's branches there, which
    # `origin/feature` names, as git itself reads it in that clone.
    for candidate in (ref, f"refs/tags/{ref}", f"refs/heads/{ref}", f"refs/remotes/{ref}"):
        if candidate in names:
            return candidate
    if _FULL_SHA.match(ref):
        return ref
    hint = " (a remote commit needs its full 40-hex SHA)" if _SHORT_SHA.match(ref) else ""
    remote = sorted(short for short in (name.removeprefix("refs/remotes/") for name in names
                                        if name.startswith("refs/remotes/"))
                    if short.partition("/")[2] == ref)  # `origin/feature` for `feature`
    if remote:
        hint = f"; the remote branch {remote[0]} has that name: give that"
    raise SourceError(name, source, f"unknown ref '{ref}'{hint}")


def _check_module(repo: Repo, name: str, source: str, ref: str, commit: str) -> None:
    """Refuse a tree whose go.mod declares the other repository's module: indexed under `name`,
    its packages would be queried, mapped and compared as the wrong project's."""
    module = _module_path(repo, commit)
    other = next((other for other, path in MODULE_PATHS.items()
                  if other != name and module and path.fullmatch(module)), None)
    if other:
        raise SourceError(name, source, f"{ref} is {other}, not {name}: its go.mod declares "
                          f"module {module}; fetch it as {other}, or give the {name} repository")


def _module_path(repo: Repo, commit: str) -> str | None:
    """The module path the commit's top go.mod declares; None without one (or its blob missing
    from a snapshot, whose other blobs are not needed either)."""
    try:
        text = repo.git.cat_file("blob", f"{commit}:go.mod")
    except GitCommandError:
        return None
    found = _MODULE_LINE.search(text)
    return found[1] if found else None


def _local_hint(name: str) -> str:
    return (f" (a local clone or mirror serves as well: `kubeatlas fetch {name} --from PATH "
            "--url URL`)")


def is_repository(path: Path) -> bool:
    """Whether `path` is a work tree's top or a git directory (bare, a mirror)."""
    try:
        Repo(path).close()
    except (InvalidGitRepositoryError, NoSuchPathError):
        return False
    return True


def _open(path: Path) -> Repo:
    repo = Repo(path)
    # A snapshot may lack a config file; GitPython then takes a bare repository for a work tree
    # and runs git from the directory above it. Naming the git dir makes every command find it.
    repo.git.update_environment(GIT_DIR=repo.git_dir, **_GIT_ENV)
    return repo


def _resolve(repo: Repo, rev: str, name: str, source: str, ref: str) -> str:
    """The commit `rev` names in `repo`; git itself resolves it, so tags, branches, remote
    branches and short SHAs mean what they mean to git. Only commits are read, never blobs."""
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}")
    except GitCommandError as err:
        # --quiet makes "no such commit" a bare exit status 1; anything else is a broken repository.
        if err.status != 1:
            raise SourceError(name, source, _one_line(err)) from None
        # `:/fix` (the newest commit whose message matches) reads a suffix as more of its
        # pattern: the revision alone may name a commit that `^{commit}` made it miss.
        named = _rev_parse(repo, rev)
        if named and _object_kind(repo, named) == "commit":
            return named
        kind = _object_kind(repo, f"{rev}^{{}}")  # a tag peeled to what it tags
        if kind:
            reason = f"'{ref}' names a {kind}, not a commit"
        elif _is_ambiguous(repo, rev):
            reason = (f"short SHA '{ref}' is ambiguous: more than one commit starts with it; "
                      "give more of its digits")
        else:
            reason = _unknown(repo, rev, ref)
        raise SourceError(name, source, reason) from None


def _unknown(repo: Repo, rev: str, ref: str) -> str:
    """Why `rev` names nothing in `repo`, where git says only that: a ref whose object is gone
    (a pack deleted), a branch only a remote has, history a shallow clone cut off, a HEAD that
    points at no branch. `unknown ref` when none of these is why."""
    named = _rev_parse(repo, rev)  # unpeeled, a ref is read without its object
    if named and named != rev.lower():  # git takes any 40 hex digits for an object's name
        kind = _object_kind(repo, named)  # `main:go.mod`, which the peeled check read as a path
        return (f"'{ref}' names a {kind}, not a commit" if kind else
                f"'{ref}' names {named[:12]}, which is not in the repository's objects (a pack or "
                "object file removed?): give a whole clone")
    reason = f"unknown ref '{ref}'"
    remote = [branch for branch in repo.git.for_each_ref("--format=%(refname:short)",
                                                         "refs/remotes").split()
              if branch.partition("/")[2] == rev]  # `origin/feature` for `feature`
    if remote:
        return f"{reason}; the remote branch {remote[0]} has that name: give that"
    if rev == "HEAD":
        head = repo.git.symbolic_ref("--quiet", "HEAD", with_exceptions=False)
        return f"{reason}: HEAD points at {head}, which does not exist" if head else reason
    history = "~" in rev or "^" in rev or _SHORT_SHA.match(rev) or _FULL_SHA.match(rev)
    if history and (Path(repo.git_dir) / "shallow").exists():
        return f"{reason} in this shallow clone, which holds no history before its last commits"
    return reason


def _rev_parse(repo: Repo, rev: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", rev)
    except GitCommandError:
        return None


def _is_ambiguous(repo: Repo, rev: str) -> bool:
    """Whether `rev` is a short SHA that two or more commits (or tags) start with: git then
    resolves it to nothing, as it does a ref that does not exist."""
    if not _SHORT_SHA.match(rev):
        return False
    try:
        objects = repo.git.rev_parse(f"--disambiguate={rev}").split()
    except GitCommandError:
        return False
    return sum(_object_kind(repo, sha) in ("commit", "tag") for sha in objects) > 1


def _object_kind(repo: Repo, rev: str) -> str | None:
    """`tree`, `blob`, ... for an object `rev` names, None when it names none."""
    try:
        return repo.git.cat_file("-t", rev)
    except GitCommandError:
        return None


def _one_line(err: GitCommandError, remote_lines: list[str] | None = None) -> str:
    """git's reason for failing in one line: its first fatal/error line, else its last line.

    The first is the cause; what follows is consequence ("early EOF", "Could not read from remote
    repository", advice on access rights).
    """
    text = str(err.stderr).strip().removeprefix("stderr: '").removesuffix("'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in [*(remote_lines or []), *lines]:
        reason = _GIT_REASON.match(line.strip())
        if reason:
            return (reason["remote"] or "") + reason["text"]
    return lines[-1] if lines else f"git exited with status {err.status}"


def _record(ws: Workspace, checkout: Checkout) -> None:
    # Read, changed and written by one fetch at a time: two fetches of two repositories at once
    # would each write back the record without the other's.
    with exclusive(ws.home / ".sources.json.lock"):
        _write_record(ws, checkout)


def _write_record(ws: Workspace, checkout: Checkout) -> None:
    records = {name: asdict(known) for name, known in load_checkouts(ws).items()}
    records[checkout.name] = asdict(checkout)
    # Write beside, then rename over: a reader sees the old record or the new one, never half.
    scratch = ws.sources_file.with_name(f".sources.json.{os.getpid()}")
    try:
        with scratch.open("w") as file:
            json.dump(records, file, indent=2, sort_keys=True)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(scratch, ws.sources_file)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


class _GitProgress(RemoteProgress):
    """Forwards git's transfer progress to our progress lines, so a long clone shows it moving."""

    _STAGES = {
        RemoteProgress.COUNTING: ("counting", "objects"),
        RemoteProgress.COMPRESSING: ("compressing", "objects"),
        RemoteProgress.RECEIVING: ("receiving", "objects"),
        RemoteProgress.RESOLVING: ("resolving", "deltas"),
    }

    def __init__(self, progress: Progress, name: str):
        super().__init__()
        self._progress, self._name = progress, name

    def update(self, op_code: int, cur_count: str | float, max_count: str | float | None = None,
               message: str = "") -> None:
        stage = self._STAGES.get(op_code & self.OP_MASK)
        if stage:
            task, unit = stage
            total = int(float(max_count)) if max_count else None
            self._progress.update(f"{self._name}: {task}", int(float(cur_count)), total, unit)
