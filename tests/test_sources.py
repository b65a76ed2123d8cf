"""The `sources` stage against small git repositories built in each test: no network.

The origin repository every test starts from:

    main:     c1 (v1, annotated) -- c2 (api/v1) -- c3 (v2, lightweight)
    feature:  c1 -- c4

`api/v1` is there because etcd tags every module (`api/v3.5.1` beside `v3.5.1`): asking for `v1`
must not pick it up.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import sources
from analyzer.cli import cut_pasted, main
from analyzer.permalinks import permalink
from analyzer.errors import SourceError
from analyzer.progress import Progress
from analyzer.sources import Checkout
from analyzer.workspace import Workspace


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo: Path, path: str, text: str) -> str:
    (repo / path).write_text(text)
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", f"write {path}")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config leaks in (GitPython's git processes inherit this env)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    repo = tmp_path / "origin"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    c1 = commit(repo, "go.mod", "module example.com/x\n")
    git(repo, "tag", "-a", "v1", "-m", "release v1")
    commit(repo, "main.go", "package main\n")
    git(repo, "tag", "-a", "api/v1", "-m", "module api v1")
    commit(repo, "main.go", "package main\n\nfunc main() {}\n")
    git(repo, "tag", "v2")
    git(repo, "checkout", "-q", "-b", "feature", c1)
    commit(repo, "feature.go", "package main\n")
    git(repo, "checkout", "-q", "main")
    return repo


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "home")


def rev(repo: Path, name: str) -> str:
    return git(repo, "rev-parse", f"{name}^{{commit}}")


def commit_count(git_dir: str, ref: str) -> int:
    return int(git(Path(git_dir), "rev-list", "--count", ref))


# --- URLs: bare clones in the workspace ---------------------------------------------------------


def test_url_is_cloned_bare_and_shallow_by_default(ws, origin):
    checkout = sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v2")

    assert checkout == Checkout("etcd", str((ws.repos_dir / "etcd.git").resolve()),
                                rev(origin, "v2"), "v2", origin.as_uri())
    assert git(Path(checkout.git_dir), "rev-parse", "--is-bare-repository") == "true"
    assert commit_count(checkout.git_dir, "refs/kubeatlas/etcd") == 1
    assert (Path(checkout.git_dir) / "shallow").exists()
    assert sources.load_checkouts(ws) == {"etcd": checkout}


def test_depth_zero_fetches_full_history(ws, origin):
    checkout = sources.fetch(ws, "etcd", source=origin.as_uri(), ref="main", depth=0)

    assert commit_count(checkout.git_dir, "refs/kubeatlas/etcd") == 3
    assert not (Path(checkout.git_dir) / "shallow").exists()


def test_depth_zero_deepens_an_existing_shallow_clone(ws, origin):
    sources.fetch(ws, "etcd", source=origin.as_uri(), ref="main")
    checkout = sources.fetch(ws, "etcd", source=origin.as_uri(), ref="main", depth=0)

    assert commit_count(checkout.git_dir, "refs/kubeatlas/etcd") == 3


@pytest.mark.parametrize("ref, expected", [
    ("v1", "v1"),                      # annotated tag: the commit, not the tag object
    ("v2", "v2"),                      # lightweight tag
    ("feature", "feature"),            # branch
    ("refs/tags/api/v1", "api/v1"),    # full ref name
])
def test_url_refs_by_name(ws, origin, ref, expected):
    checkout = sources.fetch(ws, "etcd", source=origin.as_uri(), ref=ref)

    assert checkout.commit == rev(origin, expected)
    assert git(Path(checkout.git_dir), "rev-parse", "refs/kubeatlas/etcd") == checkout.commit


def test_url_ref_by_full_sha_of_a_commit_below_the_tips(ws, origin):
    below = rev(origin, "main~1")
    checkout = sources.fetch(ws, "etcd", source=origin.as_uri(), ref=below)

    assert checkout.commit == below
    assert checkout.ref == below


def test_url_short_sha_asks_for_the_full_one(ws, origin):
    with pytest.raises(SourceError, match="unknown ref '.{7}' .*full 40-hex SHA"):
        sources.fetch(ws, "etcd", source=origin.as_uri(), ref=rev(origin, "main~1")[:7])


def test_existing_clone_is_updated_in_place(ws, origin):
    old = sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v2")
    inode = os.stat(old.git_dir).st_ino
    new_commit = commit(origin, "v3.go", "package main\n")
    git(origin, "tag", "v3")

    new = sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v3")

    assert new.git_dir == old.git_dir and os.stat(new.git_dir).st_ino == inode
    assert new.commit == new_commit != old.commit
    assert sources.load_checkouts(ws)["etcd"] == new
    assert git(Path(new.git_dir), "rev-parse", "refs/kubeatlas/etcd") == new_commit
    git(Path(new.git_dir), "cat-file", "-e", f"{old.commit}^{{commit}}")  # old objects kept


def test_url_fetch_forwards_git_progress(ws, origin):
    stream = io.StringIO()
    sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v2",
                  progress=Progress(stream=stream, interval=0))

    lines = stream.getvalue().splitlines()
    assert lines[0] == f"etcd: fetching v2 from {origin.as_uri()} (depth 1)"
    assert any(line.startswith("etcd: counting: ") and line.endswith("objects (100%)")
               for line in lines)
    # git reports each finished stage twice, its last count and its end: one line says it.
    assert len(lines) == len(set(lines)), lines


# --- local paths: used in place, never copied ---------------------------------------------------


@pytest.mark.parametrize("ref, expected", [
    ("v1", "v1"),
    ("v2", "v2"),
    ("feature", "feature"),
    ("main~1", "main~1"),
])
def test_local_work_tree_refs(ws, origin, ref, expected):
    checkout = sources.fetch(ws, "kubernetes", source=str(origin), ref=ref)

    assert checkout.commit == rev(origin, expected)
    assert checkout.ref == ref
    assert checkout.git_dir == str((origin / ".git").resolve())
    assert not ws.repos_dir.exists()


def test_a_commit_named_by_its_message_is_fetched_as_git_names_it(ws, origin, capsys):
    """`--ref ':/write feature'` (the newest commit whose message matches) is a commit to git;
    with `^{commit}` appended it read as more of the pattern and matched nothing, and the fetch
    failed with "':/write feature' names a commit, not a commit"."""
    checkout = sources.fetch(ws, "kubernetes", source=str(origin), ref=":/write feature")
    assert checkout.commit == rev(origin, "feature")
    with pytest.raises(SourceError, match="unknown ref ':/no such message'$"):
        sources.fetch(ws, "kubernetes", source=str(origin), ref=":/no such message")


def test_local_full_and_short_sha(ws, origin):
    full = rev(origin, "main~1")
    assert sources.fetch(ws, "kubernetes", source=str(origin), ref=full).commit == full
    assert sources.fetch(ws, "kubernetes", source=str(origin), ref=full[:7]).commit == full


def test_local_remote_branch(ws, origin, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "-b", "elsewhere", "v1")

    checkout = sources.fetch(ws, "kubernetes", source=str(clone), ref="origin/feature")

    assert checkout.commit == rev(origin, "feature")


def test_a_remote_branch_of_a_clone_fetched_by_url_is_named_as_git_names_it(ws, origin, tmp_path):
    """Over a URL (file://), a clone's `origin/feature` was an unknown ref, and `feature` one
    with no hint, where the same clone given as a path fetched the one and named it for the
    other: its refs/remotes/ are listed by the remote as well."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    checkout = sources.fetch(ws, "etcd", source=clone.as_uri(), ref="origin/feature")
    assert checkout.commit == rev(origin, "feature")
    with pytest.raises(SourceError) as raised:
        sources.fetch(ws, "etcd", source=clone.as_uri(), ref="feature")
    assert str(raised.value) == (f"etcd: {clone.as_uri()}: unknown ref 'feature'; the remote "
                                 "branch origin/feature has that name: give that")


@pytest.mark.parametrize("kind", ["--bare", "--mirror"])
def test_local_bare_repository_is_used_in_place(ws, origin, tmp_path, kind):
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", kind, str(origin), str(bare))
    before = sorted(p.name for p in bare.rglob("*"))

    checkout = sources.fetch(ws, "etcd", source=str(bare), ref="v2")

    assert checkout.git_dir == str(bare.resolve())
    assert checkout.commit == rev(origin, "v2")
    assert not ws.repos_dir.exists()
    assert sorted(p.name for p in bare.rglob("*")) == before  # nothing written into it


def test_local_snapshot_without_config_or_large_blobs(ws, origin, tmp_path):
    """Like the mirrors kubeatlas is tested with: no config file, and blobs missing."""
    snapshot = tmp_path / "snapshot"
    shutil.copytree(origin / ".git", snapshot)  # every object in it is loose: one file each
    (snapshot / "config").unlink()
    blob = git(origin, "rev-parse", "v2:main.go")
    (snapshot / "objects" / blob[:2] / blob[2:]).unlink()
    assert subprocess.run(["git", "--git-dir", str(snapshot), "cat-file", "-e", blob]).returncode

    checkout = sources.fetch(ws, "kubernetes", source=str(snapshot), ref=rev(origin, "v2")[:8])

    assert checkout.commit == rev(origin, "v2")
    assert checkout.remote_url == str(snapshot.resolve())


def test_default_ref_comes_from_pins(ws, origin):
    git(origin, "tag", "v1.24.0", "feature")

    checkout = sources.fetch(ws, "kubernetes", source=str(origin))

    assert (checkout.ref, checkout.commit) == ("v1.24.0", rev(origin, "feature"))


def test_a_pinned_ref_the_source_lacks_says_it_is_the_pinned_one(ws, origin, capsys):
    """`kubeatlas fetch etcd --from CLONE` without --ref asks for the pinned tag: "unknown ref
    'v3.5.1'" named a ref the user never typed, and not the option that changes it."""
    code = main(["fetch", "etcd", "--from", str(origin), "--home", str(ws.home)])

    assert code == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: etcd: {origin}: unknown ref 'v3.5.1', the ref analyzer/pins.toml "
        "pins: give --ref to fetch another\n")


def test_credentials_in_a_url_are_never_printed_nor_recorded(ws, origin, capsys):
    """`--from https://user:TOKEN@host/repo.git` printed the token in the progress line, on
    stdout and in every permalink (the site publishes them), and in the error of a failed
    fetch; git itself prints such a URL without them."""
    with_token = f"file://user:s3cret@{origin}"
    assert main(["fetch", "etcd", "--from", with_token, "--ref", "v1", "--home", str(ws.home)]) == 0
    assert main(["fetch", "etcd", "--from", "file://user:s3cret@/nonexistent", "--ref", "v1",
                 "--home", str(ws.home)]) == 1
    git(origin, "remote", "add", "origin", "https://user:s3cret@example.invalid/etcd.git")
    assert main(["fetch", "etcd", "--from", str(origin), "--ref", "v1", "--home", str(ws.home)]) == 0

    out, err = capsys.readouterr()
    assert "s3cret" not in out + err
    assert out.splitlines()[0].endswith(f"\tfile://{origin}")
    assert out.splitlines()[1].endswith("\thttps://example.invalid/etcd.git")
    assert "\nkubeatlas: error: etcd: file:///nonexistent: cannot reach: " in err
    assert "s3cret" not in ws.sources_file.read_text()


def test_pins():
    pins = sources.load_pins()

    assert (pins["kubernetes"].url, pins["kubernetes"].ref) == (
        "https://github.com/kubernetes/kubernetes.git", "v1.24.0")
    assert (pins["etcd"].url, pins["etcd"].ref) == ("https://github.com/etcd-io/etcd.git", "v3.5.1")


# --- remote URL recorded for permalinks ---------------------------------------------------------


def test_remote_url_is_origin_then_explicit_then_path(ws, origin, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))

    assert sources.fetch(ws, "etcd", source=str(clone), ref="v1").remote_url == str(origin)
    assert sources.fetch(ws, "etcd", source=str(clone), ref="v1",
                         url="https://github.com/etcd-io/etcd").remote_url == (
        "https://github.com/etcd-io/etcd")
    assert sources.fetch(ws, "etcd", source=str(origin), ref="v1").remote_url == (
        str(origin.resolve()))
    assert sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v1",
                         url="git@github.com:etcd-io/etcd.git").remote_url == (
        "git@github.com:etcd-io/etcd.git")


SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("remote_url, owner_repo", [
    ("https://github.com/kubernetes/kubernetes.git", "kubernetes/kubernetes"),
    ("https://github.com/kubernetes/kubernetes", "kubernetes/kubernetes"),
    ("http://github.com/kubernetes/kubernetes/", "kubernetes/kubernetes"),
    ("git@github.com:etcd-io/etcd.git", "etcd-io/etcd"),
    ("ssh://git@github.com/etcd-io/etcd.git", "etcd-io/etcd"),
    ("ssh://git@github.com:22/etcd-io/etcd", "etcd-io/etcd"),
    ("git://github.com/etcd-io/etcd.git", "etcd-io/etcd"),
])
def test_permalink_to_github(remote_url, owner_repo):
    checkout = Checkout("etcd", "/x", SHA, "v3.5.1", remote_url)

    assert checkout.permalink("server/etcdserver/server.go", 12) == (
        f"https://github.com/{owner_repo}/blob/{SHA}/server/etcdserver/server.go#L12")
    assert checkout.permalink("/go.mod") == f"https://github.com/{owner_repo}/blob/{SHA}/go.mod"


def test_a_github_permalink_quotes_what_would_break_its_path():
    """A folder named `a#b c?` made `…/blob/SHA/a#b c?/x.go#L3`, which a browser reads as the
    file `a` with the fragment `b c?/x.go#L3`; its path is percent-quoted, as GitHub links it."""
    checkout = Checkout("etcd", "/x", SHA, "v3.5.1", "https://github.com/etcd-io/etcd")
    assert checkout.permalink("a#b c?/ü.go", 3) == (
        f"https://github.com/etcd-io/etcd/blob/{SHA}/a%23b%20c%3F/%C3%BC.go#L3")
    assert permalink("", SHA, "go1.22.1/src/net/a#b.go", 3) == (
        "https://github.com/golang/go/blob/go1.22.1/src/net/a%23b.go#L3")


@pytest.mark.parametrize("remote_url", [
    "https://gitlab.com/etcd-io/etcd.git",
    "https://github.com.example.org/etcd-io/etcd",
    "/srv/mirrors/etcd",
])
def test_permalink_elsewhere_names_url_commit_and_path(remote_url):
    checkout = Checkout("etcd", "/x", SHA, "v3.5.1", remote_url)

    assert checkout.permalink("go.mod", 3) == f"{remote_url}@{SHA}:go.mod#L3"
    assert checkout.permalink("go.mod") == f"{remote_url}@{SHA}:go.mod"


# --- failures leave the cache as it was ---------------------------------------------------------


def test_unknown_ref_on_local_path_keeps_the_record(ws, origin):
    sources.fetch(ws, "kubernetes", source=str(origin), ref="v1")
    record = ws.sources_file.read_bytes()

    with pytest.raises(SourceError, match=r"^kubernetes: .*: unknown ref 'nope'$"):
        sources.fetch(ws, "kubernetes", source=str(origin), ref="nope")

    assert ws.sources_file.read_bytes() == record


def test_an_ambiguous_short_sha_is_named_ambiguous(ws, tmp_path):
    """A short SHA two commits start with was "unknown ref", though both exist: the error says
    it is ambiguous and asks for more digits, as git does."""
    repo = tmp_path / "many"
    git(tmp_path, "init", "-q", str(repo))
    # 1,000 commits made in one fast-import stream: some two of them share a 4-digit prefix.
    stream = "".join(f"commit refs/heads/main\ncommitter T <t@example.com> {n} +0000\n"
                     f"data {len(str(n))}\n{n}\n\n" for n in range(1000))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, text=True,
                   check=True)
    prefixes = [sha[:4] for sha in git(repo, "rev-list", "main").split()]
    short = next(p for p in prefixes if prefixes.count(p) > 1)
    with pytest.raises(SourceError, match=f"^kubernetes: {repo}: short SHA '{short}' is "
                       "ambiguous: more than one commit starts with it; give more of its "
                       "digits$"):
        sources.fetch(ws, "kubernetes", source=str(repo), ref=short)


@pytest.mark.parametrize("rev, kind", [("main^{tree}", "tree"), ("main:main.go", "blob")])
def test_a_tree_or_blob_sha_as_ref_is_named_for_what_it_is(ws, origin, rev, kind):
    """A tree or blob SHA pasted as --ref exists, so "unknown ref" would send the user looking
    for a typo: the error says what the object is."""
    sha = git(origin, "rev-parse", rev)
    with pytest.raises(SourceError, match=f"^kubernetes: {origin}: '{sha}' names a {kind}, "
                       "not a commit$"):
        sources.fetch(ws, "kubernetes", source=str(origin), ref=sha)
    assert not ws.sources_file.exists()


def _object_removed(origin: Path, tmp_path: Path) -> tuple[Path, str]:
    sha = git(origin, "rev-parse", "main")
    (origin / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    return origin, (f"'main' names {sha[:12]}, which is not in the repository's objects (a pack "
                    "or object file removed?): give a whole clone")


def _remote_branch(origin: Path, tmp_path: Path) -> tuple[Path, str]:
    git(tmp_path, "clone", "-q", str(origin), "clone")  # its `feature` is origin/feature only
    return tmp_path / "clone", ("unknown ref 'feature'; the remote branch origin/feature has "
                                "that name: give that")


def _shallow(origin: Path, tmp_path: Path) -> tuple[Path, str]:
    git(tmp_path, "clone", "-q", "--depth", "1", origin.as_uri(), "shallow")
    return tmp_path / "shallow", ("unknown ref 'main~1' in this shallow clone, which holds no "
                                  "history before its last commits")


def _head_to_no_branch(origin: Path, tmp_path: Path) -> tuple[Path, str]:
    git(origin, "symbolic-ref", "HEAD", "refs/heads/gone")
    return origin, "unknown ref 'HEAD': HEAD points at refs/heads/gone, which does not exist"


def _blob_by_path(origin: Path, tmp_path: Path) -> tuple[Path, str]:
    return origin, "'main:main.go' names a blob, not a commit"


@pytest.mark.parametrize("make, ref", [(_object_removed, "main"), (_remote_branch, "feature"),
                                       (_shallow, "main~1"), (_head_to_no_branch, "HEAD"),
                                       (_blob_by_path, "main:main.go")])
def test_a_ref_git_cannot_resolve_locally_says_why(ws, origin, tmp_path, make, ref):
    """Each of these was "unknown ref", which sends the user looking for a typo: a ref whose
    commit object is gone, a branch only the remote has, history before a shallow clone's
    boundary, a HEAD pointing at no branch, a `REV:PATH` naming a file."""
    repo, reason = make(origin, tmp_path)
    with pytest.raises(SourceError) as failure:
        sources.fetch(ws, "kubernetes", source=str(repo), ref=ref)
    assert str(failure.value) == f"kubernetes: {repo}: {reason}"
    assert not ws.sources_file.exists()


def test_a_full_sha_no_object_has_is_an_unknown_ref_not_a_removed_object(ws, origin):
    """git takes any 40 hex digits for an object's name; one that no object has was mistyped,
    not removed."""
    with pytest.raises(SourceError, match=f"^kubernetes: {origin}: unknown ref '{'0' * 40}'$"):
        sources.fetch(ws, "kubernetes", source=str(origin), ref="0" * 40)


@pytest.mark.parametrize("ref", ["nope", "f" * 40])
def test_unknown_ref_on_url_keeps_clone_and_record(ws, origin, ref):
    first = sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v1")
    record = ws.sources_file.read_bytes()

    with pytest.raises(SourceError, match=f"unknown ref '{ref}'$"):
        sources.fetch(ws, "etcd", source=origin.as_uri(), ref=ref)

    assert ws.sources_file.read_bytes() == record
    assert git(Path(first.git_dir), "rev-parse", "refs/kubeatlas/etcd") == first.commit


@pytest.mark.parametrize("ref", ["v1", "f" * 40])
def test_failed_first_clone_leaves_nothing(ws, origin, tmp_path, ref):
    unreachable = (tmp_path / "no-such-repo.git").as_uri()
    with pytest.raises(SourceError, match="cannot reach: .*does not appear to be a git repository"):
        sources.fetch(ws, "etcd", source=unreachable, ref=ref)
    with pytest.raises(SourceError, match="unknown ref"):
        sources.fetch(ws, "etcd", source=origin.as_uri(), ref="f" * 40)

    assert not ws.repos_dir.exists()
    assert not ws.sources_file.exists()


def test_url_with_missing_blobs_fails_in_one_line_naming_the_blob(ws, origin):
    """A snapshot with missing blobs cannot be served over a URL; use its path in place instead."""
    blob = git(origin, "rev-parse", "v2:main.go")
    (origin / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    with pytest.raises(SourceError) as failure:
        sources.fetch(ws, "etcd", source=origin.as_uri(), ref="v2")

    assert str(failure.value) == (
        f"etcd: {origin.as_uri()}: fetch failed: remote: unable to read {blob} (a local clone or "
        "mirror serves as well: `kubeatlas fetch etcd --from PATH --url URL`)")
    assert not ws.repos_dir.exists()
    assert sources.fetch(ws, "etcd", source=str(origin), ref="v2").commit == rev(origin, "v2")


def test_a_file_given_as_the_repository_says_to_give_its_folder(ws, tmp_path):
    """--from a file outside any repository (a go.mod copied out, a tarball) was 'not a git
    repository', as a folder is, with nothing to do about it."""
    tarball = tmp_path / "etcd.tar.gz"
    tarball.write_bytes(b"\x1f\x8b")
    with pytest.raises(SourceError) as failure:
        sources.fetch(ws, "etcd", source=str(tarball), ref="v1")
    assert str(failure.value) == (f"etcd: {tarball}: is a file, not a git repository: give "
                                  "--from the folder of a clone or of a bare mirror")
    assert not ws.home.exists()


def test_not_a_git_repository(ws, origin, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(SourceError, match=f"^etcd: {plain}: not a git repository$"):
        sources.fetch(ws, "etcd", source=str(plain), ref="v1")
    with pytest.raises(SourceError, match="no such file or directory$"):
        sources.fetch(ws, "etcd", source=str(tmp_path / "missing"), ref="v1")
    assert not ws.home.exists()


@pytest.mark.parametrize("inside", ["pkg", "main.go", ".git/objects"])
def test_a_path_inside_a_repository_names_the_repository(ws, origin, inside):
    """A folder or file of a work tree (or of its git dir) is not the repository, whose whole
    tree is indexed: the error names the repository to give, where it said only "not a git
    repository" of a folder that plainly is in one."""
    (origin / "pkg").mkdir()
    path = origin / inside
    with pytest.raises(SourceError) as failure:
        sources.fetch(ws, "etcd", source=str(path), ref="v1")
    assert str(failure.value) == (f"etcd: {path}: not a git repository; it is inside the "
                                  f"repository {origin}: give that")
    assert not ws.home.exists()


def test_a_path_inside_a_mirror_without_config_names_the_mirror(ws, origin, tmp_path):
    """A snapshot of a bare mirror may have no config file (as /work/.mirror's do): a folder
    inside it was said to be inside the folder above the mirror."""
    mirror = tmp_path / "mirror"
    git(tmp_path, "clone", "-q", "--mirror", str(origin), str(mirror))
    (mirror / "config").unlink()
    with pytest.raises(SourceError) as failure:
        sources.fetch(ws, "etcd", source=str(mirror / "objects"), ref="v1")
    assert str(failure.value) == (f"etcd: {mirror / 'objects'}: not a git repository; it is inside "
                                  f"the repository {mirror}: give that")
    assert sources.fetch(ws, "etcd", source=str(mirror), ref="v1").commit == rev(origin, "v1")


def test_a_ref_is_never_read_as_a_git_option(ws, origin):
    with pytest.raises(SourceError, match="unknown ref '--all'"):
        sources.fetch(ws, "etcd", source=str(origin), ref="--all")


# --- through the command line -------------------------------------------------------------------


def test_cli_fetch_prints_the_checkout(ws, origin, capsys):
    code = main(["fetch", "kubernetes", "--from", str(origin), "--ref", "v1",
                 "--url", "https://github.com/kubernetes/kubernetes", "--home", str(ws.home)])

    out = capsys.readouterr().out
    assert code == 0
    assert out == (f"kubernetes\tv1\t{rev(origin, 'v1')}\t"
                   "https://github.com/kubernetes/kubernetes\n")


def test_cli_failure_is_one_line_and_non_zero(ws, origin, capsys):
    code = main(["fetch", "etcd", "--from", origin.as_uri(), "--ref", "v9",
                 "--home", str(ws.home)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err == f"kubeatlas: error: etcd: {origin.as_uri()}: unknown ref 'v9'\n"


def test_a_failed_fetch_suggests_reading_a_local_copy(ws, tmp_path, capsys):
    """A URL that cannot be reached names the way round it: --from a local clone or mirror."""
    gone = (tmp_path / "gone.git").as_uri()
    code = main(["fetch", "etcd", "--from", gone, "--ref", "v1", "--home", str(ws.home)])

    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"kubeatlas: error: etcd: {gone}: cannot reach: ")
    assert err.endswith("(a local clone or mirror serves as well: "
                        "`kubeatlas fetch etcd --from PATH --url URL`)\n")


def test_full_history_of_a_local_path_is_refused(ws, origin, capsys):
    """A local path is read in place with whatever history it has: --full cannot apply."""
    code = main(["fetch", "etcd", "--from", str(origin), "--ref", "v1", "--full",
                 "--home", str(ws.home)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: --full fetches history into a clone, but {origin} is a local path, "
        "read in place with all the history it has: leave --full out\n")
    assert not ws.sources_file.exists()


def test_a_local_path_without_origin_or_url_is_warned_about(ws, origin, capsys):
    """Recording the local path as the remote makes permalinks point at this machine: say so,
    and say how to give the web address; with --url, or an origin, nothing is said."""
    assert main(["fetch", "kubernetes", "--from", str(origin), "--ref", "v1", "-q",
                 "--home", str(ws.home)]) == 0
    assert capsys.readouterr().err == (
        f"kubeatlas: warning: kubernetes: {origin} has no remote 'origin', so permalinks will "
        "name this local path; give --url (e.g. --url https://github.com/kubernetes/kubernetes.git)"
        " to link to the web\n")

    assert main(["fetch", "kubernetes", "--from", str(origin), "--ref", "v1", "-q",
                 "--url", "https://github.com/kubernetes/kubernetes", "--home", str(ws.home)]) == 0
    assert capsys.readouterr().err == ""


def test_a_repository_with_no_commits_says_so(ws, tmp_path):
    """`git init` and nothing committed: the cause is named, not "unknown ref 'HEAD'"."""
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    for ref in ("HEAD", "main", "v1"):
        with pytest.raises(SourceError, match=f"^etcd: {empty}: the repository has no commits yet$"):
            sources.fetch(ws, "etcd", source=str(empty), ref=ref)


@pytest.mark.parametrize("option", ["--from", "--ref", "--url"])
def test_an_empty_option_is_refused_not_read_as_the_default(option, ws, origin, capsys):
    """`--from ""` (an unset shell variable) would silently fetch the pinned upstream; refuse it."""
    given = {"--from": str(origin), "--ref": "v1", "--url": "https://example.com/x", option: ""}
    argv = ["fetch", "etcd", "--home", str(ws.home)] + [w for pair in given.items() for w in pair]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: {option} is empty: leave it out for the default\n")
    assert not ws.sources_file.exists()


@pytest.mark.parametrize("ref", [" v1", "v1 ", "v1\n", "\tv1"])
def test_a_ref_pasted_with_blanks_around_it_is_the_ref(ref, ws, origin, capsys):
    """`--ref ' v3.5.1'` was "unknown ref ' v3.5.1'", the blank hard to see in the quotes: no
    git ref begins or ends with one, so it is the ref without them, recorded so."""
    assert main(["fetch", "etcd", "--from", str(origin), "--ref", ref, "-q",
                 "--url", "https://example.com/x", "--home", str(ws.home)]) == 0
    assert capsys.readouterr().out == f"etcd\tv1\t{rev(origin, 'v1')}\thttps://example.com/x\n"
    assert sources.load_checkouts(ws)["etcd"].ref == "v1"


def test_a_local_path_pasted_with_a_blank_around_it_names_the_one_there_is(ws, origin, capsys):
    """`--from ' /src/etcd'` is a path no folder has (a folder's name may begin with a blank,
    so it is not trimmed), but the error shows the one without the blank."""
    assert main(["fetch", "etcd", "--from", f" {origin}", "--ref", "v1",
                 "--home", str(ws.home)]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: etcd:  {origin}: no such file or directory; '{origin}', without the "
        f"blank around it, is one: give --from {origin}\n")


def test_a_local_path_too_long_for_the_file_system_says_so_for_from(ws, tmp_path, capsys):
    """A --from path over 4,095 bytes was "File name too long", naming neither the repository
    nor the option."""
    deep = "/".join(["a" * 200] * 21)
    assert main(["fetch", "etcd", "--from", str(tmp_path / deep), "--ref", "v1",
                 "--home", str(ws.home)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kubeatlas: error: etcd: ") and err.count("\n") == 1
    assert err.endswith(" bytes long, above the 4,095 it allows: give --from the repository's own "
                        "path\n")


def test_a_url_for_permalinks_must_be_a_url(ws, origin, capsys):
    """`--url github.com/etcd-io/etcd` (no scheme) would make every permalink a relative link."""
    assert main(["fetch", "etcd", "--from", str(origin), "--ref", "v1",
                 "--url", "github.com/etcd-io/etcd", "--home", str(ws.home)]) == 2
    assert capsys.readouterr().err == (
        "kubeatlas: error: --url github.com/etcd-io/etcd is not a URL: permalinks link to it, so "
        "give the repository's web address, e.g. https://github.com/etcd-io/etcd\n")


@pytest.mark.parametrize("url, shown, flaw", [
    ("https://", "https://", "names no host"),  # `--url "https://$HOST/..."`, HOST unset
    ("https://user:TOKEN@/etcd", "https:///etcd", "names no host"),
    ("https://gitlab.example.com/my group/etcd", "https://gitlab.example.com/my group/etcd",
     "has a blank in it"),
    ("https://[oops/etcd", "https://[oops/etcd", "is not a URL"),  # urlsplit raised: a traceback
])
def test_a_url_no_permalink_could_use_is_refused(url, shown, flaw, ws, origin, capsys):
    """A URL by its form, but no host to link to or a blank that breaks every link, was recorded
    and made every permalink of the site a dead link; the refusal never prints a token."""
    assert main(["fetch", "etcd", "--from", str(origin), "--ref", "v1", "--url", url,
                 "--home", str(ws.home)]) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: --url {shown!r} {flaw}: permalinks link to it, so give the "
        "repository's web address, e.g. https://github.com/etcd-io/etcd\n")
    assert not ws.sources_file.exists()


def test_a_home_that_is_a_file_is_named_as_the_problem(tmp_path, capsys):
    """--home (or $KUBEATLAS_HOME) naming a file: said plainly, for queries and writers alike,
    rather than "no index yet" or "sources.json: Not a directory"."""
    home = tmp_path / "notes.txt"
    home.write_text("not a folder\n")
    for argv in (["find", "x"], ["index"], ["fetch", "etcd", "--from", str(tmp_path), "--ref", "v1"]):
        assert main([*argv, "--home", str(home)]) == 2
        assert capsys.readouterr().err == (
            f"kubeatlas: error: {home} is a file, not a folder: give --home (or $KUBEATLAS_HOME) "
            "a folder for kubeatlas' clones and index\n")


@pytest.mark.parametrize("argv", [["find", "x"], ["index"], ["cluster", "status"],
                                  ["fetch", "etcd", "--from", "/nonexistent", "--ref", "v1"]])
def test_a_home_that_cannot_be_a_folder_is_named_as_the_problem(argv, tmp_path, capsys):
    """A home that is a symlink loop, sits below a file, or is a link to nothing: one line naming
    it and what to do, rather than "no index yet", "Too many levels of symbolic links" or a
    RuntimeError traceback."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "notes.txt").write_text("not a folder\n")
    (tmp_path / "gone").symlink_to(tmp_path / "unmounted" / "ka")
    give = "give --home (or $KUBEATLAS_HOME) {} folder for kubeatlas' clones and index"
    cases = {
        tmp_path / "a": f"is a symlink loop: point it at a folder, or {give.format('another')}",
        tmp_path / "a" / "ka": f"is inside {tmp_path / 'a'}, which is a symlink loop: point it at "
                               f"a folder, or {give.format('another')}",
        tmp_path / "notes.txt" / "ka": f"is inside {tmp_path / 'notes.txt'}, which is a file, not "
                                       f"a folder: {give.format('a')}",
        tmp_path / "gone": f"is a symlink to {tmp_path / 'unmounted' / 'ka'}, which does not "
                           f"exist: create that folder, or {give.format('another')}",
    }
    for home, problem in cases.items():
        assert main([*argv, "--home", str(home)]) == 2
        assert capsys.readouterr().err == f"kubeatlas: error: {home} {problem}\n"


@pytest.mark.parametrize("argv, give", [
    (["find", "x"], "give --home (or $KUBEATLAS_HOME) another folder for kubeatlas' clones and index"),
    (["index"], "give --home (or $KUBEATLAS_HOME) another folder for kubeatlas' clones and index"),
    (["site", "--out"], "give --out another folder for the pages")])
def test_a_folder_name_too_long_for_the_file_system_says_which_limit(argv, give, tmp_path, capsys):
    """A folder whose name the file system cannot take (a name over 255 bytes, a path over
    4,095) is named with the limit it passes and the option to change, where it was "File name
    too long" with no remedy, or nothing until the first file was written."""
    long_name = tmp_path / ("x" * 300)
    deep = Path("d/" * 2100)  # relative: no part of it exists, so no stat meets the limit
    for folder, problem in ((long_name, "a name in it is 300 bytes long, above the 255 it allows"),
                            (deep, f"it is {len(str(Path.cwd() / deep)):,} bytes long, above the "
                                   "4,095 it allows")):
        given = [*argv, str(folder), "--home", str(tmp_path)] if argv[-1] == "--out" else \
            [*argv, "--home", str(folder)]
        assert main(given) == 2
        # A path of thousands of characters is cut in the line, as any pasted screenful is.
        assert capsys.readouterr().err == cut_pasted(f"kubeatlas: error: {folder} is not a path "
                                                     f"the file system takes: {problem}: {give}") + "\n"


def test_a_home_given_with_a_tilde_is_the_users_folder(origin, tmp_path, monkeypatch, capsys):
    """`--home=~/ka` and KUBEATLAS_HOME='~/ka' reach kubeatlas unexpanded; `~` is still home."""
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("KUBEATLAS_HOME", "~/ka")
    assert main(["fetch", "etcd", "--from", str(origin), "--ref", "v1", "-q",
                 "--url", "https://example.com/x"]) == 0
    assert (tmp_path / "user" / "ka" / "sources.json").is_file()
    assert main(["fetch", "etcd", "--from", str(origin), "--ref", "v2", "-q",
                 "--url", "https://example.com/x", "--home=~/other"]) == 0
    assert (tmp_path / "user" / "other" / "sources.json").is_file()


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    """The XDG spec: a relative path in XDG_CACHE_HOME is invalid and ignored, so where the index
    lives does not depend on the folder kubeatlas runs in."""
    from analyzer.workspace import default_home

    monkeypatch.delenv("KUBEATLAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")
    assert default_home() == tmp_path / ".cache" / "kubeatlas"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_home() == tmp_path / "xdg" / "kubeatlas"


@pytest.mark.parametrize("home", ["", None])
def test_an_empty_or_unset_home_is_the_users_home_from_the_password_database(home, tmp_path,
                                                                          monkeypatch):
    """`HOME= kubeatlas fetch` wrote its clones to /.cache/kubeatlas: Python reads an empty
    $HOME as `/`. Unset or empty, $HOME gives way to the user's entry in the password database."""
    import pwd

    from analyzer.workspace import default_home

    monkeypatch.delenv("KUBEATLAS_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    if home is None:
        monkeypatch.delenv("HOME")
    else:
        monkeypatch.setenv("HOME", home)
    user = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert default_home() == user / ".cache" / "kubeatlas"


def test_a_user_with_no_home_at_all_is_told_to_give_one(tmp_path, monkeypatch, capsys):
    """A user the password database does not know, with no $HOME (`docker run --user 1234`),
    made a folder named `~` in the current one."""
    import pwd

    def unknown(uid):
        raise KeyError(uid)

    monkeypatch.delenv("KUBEATLAS_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(pwd, "getpwuid", unknown)
    monkeypatch.chdir(tmp_path)
    assert main(["find", "x"]) == 2
    assert capsys.readouterr().err == (
        "kubeatlas: error: no home folder: $HOME is unset and this user has no entry in the "
        "password database: give --home (or $KUBEATLAS_HOME) a folder\n")
    assert list(tmp_path.iterdir()) == []


def test_a_git_dir_in_the_environment_does_not_steer_a_fetch(ws, origin, tmp_path, monkeypatch,
                                                             capsys):
    """GIT_DIR and GIT_WORK_TREE exported by a hook or script aim git at that repository; `git
    init` of a new clone would then reinitialise it. kubeatlas names its repositories itself:
    the fetch works and the other repository is left alone."""
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    refs_before = git(other, "for-each-ref")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert main(["fetch", "etcd", "--from", origin.as_uri(), "--ref", "v2", "-q",
                 "--home", str(ws.home)]) == 0
    assert capsys.readouterr().out.split("\t")[2] == rev(origin, "v2")
    assert git(other, "for-each-ref") == refs_before == ""


def test_fetching_head_over_a_url_prints_nothing_when_quiet(ws, origin):
    """GitPython's log line about the fetched HEAD ("Git informed while fetching: * branch HEAD
    -> FETCH_HEAD") is not a warning for the user: with -q, stderr stays empty."""
    import sys

    # In a process of its own: pytest's log capture would take the line from stderr here.
    done = subprocess.run([sys.executable, "-m", "analyzer.cli", "fetch", "etcd", "--from",
                           origin.as_uri(), "--ref", "HEAD", "-q", "--home", str(ws.home)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.parametrize("change", [{"git_dir": 5}, {"commit": None}, {"name": "etcd"}])
def test_a_record_with_a_field_of_the_wrong_kind_is_named_not_a_traceback(change, ws, origin,
                                                                          capsys):
    """A hand-edited sources.json whose git_dir is a number, whose commit is null, or whose
    entry names another repository than its key: one line naming the record, exit 1."""
    sources.fetch(ws, "kubernetes", source=str(origin), ref="v1", url="https://example.com/k")
    records = json.loads(ws.sources_file.read_text())
    records["kubernetes"].update(change)
    ws.sources_file.write_text(json.dumps(records))
    assert main(["index", "--home", str(ws.home), "--no-goroot"]) == 1
    field = next(iter(change))
    assert capsys.readouterr().err == (
        f"kubeatlas: error: sources: {ws.sources_file}: unreadable record (kubernetes: {field} "
        f"is {json.dumps(change[field])}); remove it and fetch again\n")


@pytest.mark.parametrize("edit, reason", [
    (lambda records: records["kubernetes"].update(branch="main"), "kubernetes: unknown key 'branch'"),
    (lambda records: records["kubernetes"].pop("remote_url"), "kubernetes: no key 'remote_url'"),
    (lambda records: records.update(kubernetes="v1"), 'kubernetes: "v1" is not a record'),
    (lambda records: records.update(kubernets=records.pop("kubernetes")),
     "kubernets: not a repository kubeatlas fetches (kubernetes, etcd)"),
])
def test_a_hand_edited_record_names_the_record_and_the_key(edit, reason, ws, origin, capsys):
    """A record with a key `fetch` does not write, without one it writes, or under a name that is
    not a repository (which `index` would have indexed, out of reach of every query): one line
    naming the record and the key, not Python's "Checkout.__init__() got an unexpected keyword"."""
    sources.fetch(ws, "kubernetes", source=str(origin), ref="v1", url="https://example.com/k")
    records = json.loads(ws.sources_file.read_text())
    edit(records)
    ws.sources_file.write_text(json.dumps(records))
    assert main(["index", "--home", str(ws.home), "--no-goroot"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: sources: {ws.sources_file}: unreadable record ({reason}); "
        "remove it and fetch again\n")


@pytest.mark.parametrize("command", [["fetch"], ["index"]])
def test_no_git_on_path_is_one_line_saying_to_install_it(command, tmp_path):
    """With no git on $PATH, `kubeatlas fetch` ended in GitPython's two tracebacks and a page
    about $GIT_PYTHON_REFRESH."""
    done = subprocess.run([sys.executable, "-m", "analyzer.cli", *command, "--home", str(tmp_path)],
                          capture_output=True, text=True,
                          env={**os.environ, "PATH": str(tmp_path),
                               "PYTHONPATH": str(Path(__file__).parents[1])})
    assert done.returncode == 1
    assert done.stderr == ("kubeatlas: error: git is not installed, or not on $PATH: fetch, index "
                           "and site read the repositories with it; install git\n")


def test_a_fetch_that_fills_the_disk_says_to_free_space_not_to_clone_elsewhere(ws, origin, tmp_path,
                                                                              monkeypatch, capsys):
    """A fetch that filled the disk said "(a local clone or mirror serves as well)", the cure
    for an unreachable URL. git here fails as the real one does on a full 300k tmpfs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(
        "#!/bin/sh\n"
        'for word in "$@"; do if [ "$word" = fetch ]; then\n'
        "  echo 'fatal: write error: No space left on device' >&2\n"
        "  echo 'fatal: fetch-pack: invalid index-pack output' >&2; exit 128; fi; done\n"
        f'exec {shutil.which("git")} "$@"\n')
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert main(["fetch", "etcd", "--from", origin.as_uri(), "--ref", "v2", "--home", str(ws.home),
                 "-q"]) == 1
    assert capsys.readouterr().err == (
        f"kubeatlas: error: etcd: {origin.as_uri()}: fetch failed: write error: No space left on "
        f"device: free some space in {ws.repos_dir}, or give --home (or $KUBEATLAS_HOME) a folder "
        "on another disk\n")
    assert not ws.repos_dir.exists()


def _hold(lock: Path, then: str = "") -> subprocess.Popen:
    """Another process that holds `lock` as a fetch does, runs `then` (Python) a second later,
    and lets go of it only when killed or done."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from analyzer.workspace import exclusive\n"
         f"with exclusive(Path({str(lock)!r})):\n    print('held', flush=True)\n"
         f"    time.sleep(1)\n    {then or 'time.sleep(60)'}\n"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_second_fetch_of_a_repository_is_refused_while_one_fetches_it(ws, origin, capsys):
    """Two `kubeatlas fetch etcd --from URL` at once: the second said "/…/repos/.etcd.git.PID:
    Directory not empty", its clone made beside the first's and renamed onto it."""
    holder = _hold(ws.home / ".etcd.fetch.lock")
    try:
        assert main(["fetch", "etcd", "--from", origin.as_uri(), "--ref", "v2", "--home", str(ws.home),
                     "-q"]) == 1
    finally:
        holder.kill()
        holder.wait()
    assert capsys.readouterr().err == (f"kubeatlas: error: etcd: {origin.as_uri()}: another `kubeatlas "
                                       f"fetch etcd` is fetching it into {ws.home}; wait for that one "
                                       "to finish\n")
    assert not ws.repos_dir.exists() and not ws.sources_file.exists()
    assert main(["fetch", "etcd", "--from", origin.as_uri(), "--ref", "v2", "--home", str(ws.home),
                 "-q"]) == 0


def test_fetches_of_two_repositories_at_once_both_stay_recorded(ws, origin):
    """`fetch etcd` and `fetch kubernetes` run side by side each read the record, added its own
    repository and wrote it back: the one that wrote last dropped the other's."""
    other = {"kubernetes": {"name": "kubernetes", "git_dir": str(origin / ".git"), "commit": "0" * 40,
                            "ref": "HEAD", "remote_url": "https://example.invalid/kubernetes"}}
    ws.home.mkdir()
    holder = _hold(ws.home / ".sources.json.lock",
                   then=f"Path({str(ws.sources_file)!r}).write_text({json.dumps(other)!r})")
    try:
        sources.fetch(ws, "etcd", source=str(origin), ref="v2")
    finally:
        holder.wait()
    assert sorted(sources.load_checkouts(ws)) == ["etcd", "kubernetes"]


def test_a_file_where_the_clones_go_is_named(ws, origin, capsys):
    """A file named `repos` in the home (a stray `> repos`) made the first clone fail with
    "…/repos/.etcd.git.PID: Not a directory", naming a folder the user never saw."""
    ws.home.mkdir()
    ws.repos_dir.write_text("mine\n")
    assert main(["fetch", "etcd", "--from", origin.as_uri(), "--ref", "v2", "--home", str(ws.home),
                 "-q"]) == 1
    assert capsys.readouterr().err == (f"kubeatlas: error: etcd: {ws.repos_dir}: is a file where "
                                       "kubeatlas keeps its clones; remove it and fetch again\n")
    assert ws.repos_dir.read_text() == "mine\n"


def test_a_local_repository_whose_path_is_not_utf8_is_recorded_and_indexed(kube_repo, tmp_path,
                                                                           capfd):
    """A clone in a folder named in Latin-1 (`k\\xffdir`), with no origin, was fetched, and
    `index` then ended in UnicodeEncodeError: the path, recorded as the remote URL for
    permalinks, went to SQLite. It is recorded as its file:// URL, the byte percent-encoded."""
    odd = Path(os.fsdecode(str(tmp_path).encode() + b"/k\xffdir"))
    kube_repo.rename(odd)
    home = ["--home", str(tmp_path / "home"), "-q"]
    assert main(["fetch", "kubernetes", "--from", str(odd), "--ref", "HEAD", *home]) == 0
    assert capfd.readouterr().out.rstrip().endswith(f"\t{Path(tmp_path).as_uri()}/k%FFdir")
    assert main(["index", "--no-goroot", *home]) == 0


def test_an_interrupted_fetch_says_what_it_kept(ws, origin, capsys, monkeypatch):
    """A Ctrl-C during `fetch` said only "interrupted": it says which repositories were fetched
    and recorded, and, for the one stopped, that its record is as it was and its first clone
    was removed (or an existing clone keeps its commits)."""
    home = str(ws.home)
    fetch_into = sources._fetch_into

    def interrupted(repo, name, *args):
        if name == "etcd":
            raise KeyboardInterrupt
        return fetch_into(repo, name, *args)

    monkeypatch.setattr(sources, "_fetch_into", interrupted)
    monkeypatch.setattr(sources, "load_pins", lambda: {
        name: sources.Pin(name, origin.as_uri(), "v1") for name in ("kubernetes", "etcd")})
    assert main(["fetch", "kubernetes", "etcd", "--home", home, "-q"]) == 130
    assert capsys.readouterr().err == ("kubeatlas: interrupted; kubernetes fetched and recorded; "
                                       "etcd not fetched, nothing recorded; the partial clone was "
                                       "removed\n")
    assert sorted(path.name for path in ws.repos_dir.iterdir()) == ["kubernetes.git"]
    assert list(sources.load_checkouts(ws)) == ["kubernetes"]

    monkeypatch.setattr(sources, "_fetch_into", fetch_into)
    assert main(["fetch", "etcd", "--home", home, "-q"]) == 0
    monkeypatch.setattr(sources, "_fetch_into", interrupted)
    assert main(["fetch", "etcd", "--ref", "v2", "--home", home, "-q"]) == 130
    assert capsys.readouterr().err == (
        f"kubeatlas: interrupted; etcd not fetched, its previous record unchanged; its clone "
        f"{ws.repos_dir / 'etcd.git'} keeps the commits it had\n")
    assert sources.load_checkouts(ws)["etcd"].ref == "v1"


@pytest.mark.parametrize("as_url", [False, True])
def test_a_tree_of_the_other_repository_is_refused(as_url, ws, kube_repo, etcd_repo, capsys):
    """`fetch etcd --from KUBERNETES-TREE` was recorded, and `index` filed kubernetes' packages
    as etcd's: a tree whose go.mod declares the other repository's module (k8s.io/kubernetes,
    go.etcd.io/etcd/v3) is refused, nothing recorded and no clone left. A tree declaring
    another module (a fork, example.com/x) stays accepted."""
    for name, repo, other, module in (("etcd", kube_repo, "kubernetes", "k8s.io/kubernetes"),
                                      ("kubernetes", etcd_repo, "etcd", "go.etcd.io/etcd/v3")):
        source = repo.as_uri() if as_url else str(repo)
        assert main(["fetch", name, "--from", source, "--ref", "main", "-q",
                     "--home", str(ws.home)]) == 1
        assert capsys.readouterr().err == (
            f"kubeatlas: error: {name}: {source}: main is {other}, not {name}: its go.mod "
            f"declares module {module}; fetch it as {other}, or give the {name} repository\n")
    assert not ws.sources_file.exists()
    assert not ws.repos_dir.exists()
    assert sources.fetch(ws, "etcd", source=str(etcd_repo), ref="main").name == "etcd"

