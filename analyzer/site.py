"""The documentation site: Markdown pages generated from the index, for `mkdocs build`.

One `jinja2.Environment` renders every page from the templates in `analyzer/templates/`; a folder
given to `build_site` is searched first, so any template can be overridden by one of the same
name. `build_site` writes, under the docs folder (`site/`):

    components/<name>.md          a component: logic, capabilities and their evidence, key files,
                                  a diagram from entrypoint to main loop, annotated call trees
    assets/generated/<name>.svg   that diagram, drawn by Graphviz's `dot` while the site is built
    versions/<old>..<new>.md      a pair of analysed commits: what changed in each call tree
    drift.md                      the manifest checked against every analysed commit
    journeys/<name>.md            a recorded request journey, step by step (analyzer/journeys/)
    packages/<repo>/<path>.md     a package of a command's program, split by file past a Budget
    reference/<module>.md         reference functions beside the Go they mirror

and each page again in Chinese under zh/ (the prose of both languages is in analyzer/sitetext.py).

Every source reference is a permalink pinned to the commit that was analysed. The output is a
function of the index and the manifest alone (no clock, stable order): the same index gives the
same bytes, so generated pages can be compared with golden files.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path

import jinja2

from analyzer import calltree, codepages, diagrams, drift, journeys, links, releases, render, sitetext, store, versions
from analyzer.calltree import Symbols, SymbolView, call_tree
from analyzer.errors import AnalyzerError, UsageError
from analyzer.manifest import Component, SymbolRef, load_manifest
from analyzer.permalinks import permalink
from analyzer.progress import Progress
from analyzer.query import Filters, GraphIndex, QueryError, package_of
from analyzer.sources import load_checkouts
from analyzer.workspace import Workspace, exclusive

TEMPLATES = Path(__file__).parent / "templates"
# What the generated pages own inside the docs folder; each is removed and written afresh.
GENERATED = ("components", "versions", "drift.md", "assets/generated", "journeys", "packages", "reference",
             "zh/components", "zh/reference", "zh/versions", "zh/drift.md", "zh/journeys", "zh/packages")
STAGING = ".kubeatlas-staging"  # where a build writes before its pages replace the old ones
SWAP_STAGE = "site: replacing the previous pages"  # begun, it ends before a Ctrl-C is felt
LOCK = ".kubeatlas-site.lock"  # held by the build writing into the folder

FILTERS = Filters(exclude=("stdlib", "logging", "vendor"), test_doubles=False)  # its own code
TREE_DEPTH = 3  # levels below an entrypoint in its call tree (and in a version diff)
LOOP_DEPTH = 2  # levels below the main loop


# --- what the templates see ----------------------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    ref: SymbolRef
    symbol: SymbolView | None  # None: no name of the ref is defined in the commit
    page: str = ""  # its package page, relative to the docs folder
    excerpt: codepages.Excerpt | None = None
    mirrors: tuple[tuple[str, str, codepages.Excerpt], ...] = ()  # see _Code.mirrors


@dataclass(frozen=True)
class KeyFileView:
    written: str  # the path as the manifest writes it
    path: str  # the path found in the commit (maybe an alternative), or ""
    permalink: str


@dataclass(frozen=True)
class Diagram:
    svg: str  # inline <svg> element
    file: str  # the same picture, relative to the docs folder
    nodes: int
    omitted: int  # main-loop callees left out to stay within DIAGRAM_NODES
    reaches_main_loop: bool


@dataclass(frozen=True)
class VersionLink:
    title: str
    title_zh: str
    page: str  # relative to the docs folder


@dataclass(frozen=True)
class FunctionView:
    function: versions.Function
    symbol: SymbolView | None
    note: str = ""  # "new" for an added function the old commit lacks, "gone" for the reverse


@dataclass(frozen=True)
class ComponentChange:
    component: Component
    roots: tuple[str, ...]  # where the call trees start (entrypoints and main loop)
    old_count: int
    new_count: int
    added: tuple[FunctionView, ...]
    removed: tuple[FunctionView, ...]
    moved: tuple[tuple[FunctionView, FunctionView], ...]  # (old, new)
    renamed: tuple[tuple[FunctionView, FunctionView, float], ...]  # (old, new, similarity)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.renamed)


@dataclass(frozen=True)
class SiteSummary:
    out_dir: Path
    pages: tuple[str, ...]  # written, relative to out_dir
    diagrams: int
    evidence: int
    evidence_missing: int
    unread: tuple[str, ...] = ()  # analysed commits no clone holds: no excerpts, no release name

    def render(self) -> str:
        lines = [f"site: {len(self.pages)} pages and {self.diagrams} diagrams in {self.out_dir}",
                 f"  evidence  {self.evidence - self.evidence_missing} of {self.evidence} symbols "
                 f"found in the analysed commits"]
        lines += [f"  warning   no clone holds {commit}: it is named by its SHA and has no "
                  f"excerpts (give its clone with --git-dir)" for commit in self.unread]
        return "\n".join(lines)


# --- entry points ----------------------------------------------------------------------------------

def run(index_path: Path, out_dir: Path, progress: Progress | None = None,
        repos: Sequence[str] = (), git_dirs: Sequence[str] = ()) -> SiteSummary:
    """`kubeatlas site`: the pages for the packaged manifest from the index at `index_path`;
    with `repos`, only the components of those repositories. Source text is read from the clones
    `kubeatlas fetch` recorded beside the index, and from `git_dirs`."""
    db = store.connect(index_path)
    progress = progress or Progress(quiet=True)
    indexed = store.latest_commits(db)
    for repo in dict.fromkeys(repos):
        if repo not in indexed:  # its pages would only say so, which a reader of stdout misses
            progress.warn(f"{repo}: its repository is not indexed: run `kubeatlas index {repo}`")
    manifest = [c for c in load_manifest() if not repos or c.repo in repos]
    recorded = load_checkouts(Workspace(index_path.parent))
    stores = releases.Stores([*git_dirs, *(c.git_dir for c in recorded.values())])
    return build_site(db, out_dir, manifest, progress, stores=stores)


def build_site(db: sqlite3.Connection, out_dir: Path, manifest: Sequence[Component],
               progress: Progress | None = None, templates: Path | None = None,
               stores: releases.Stores | None = None,
               budget: codepages.Budget = codepages.Budget()) -> SiteSummary:
    """Write every generated page under `out_dir`, in English and in Chinese, replacing what an
    earlier build generated; package pages stay within `budget`.

    Pages are written to a staging folder beside them and swapped in only once all are written,
    so a build that fails half-way leaves the previous pages as they were."""
    progress = progress or Progress(quiet=True)
    stores = stores or releases.Stores(())
    env = environment(templates)
    dot_binary = diagrams.require_dot()
    staging = out_dir / STAGING
    _refuse_what_no_build_wrote(out_dir)
    _refuse_what_this_user_cannot_replace(out_dir)
    with _one_build_at_a_time(out_dir):
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        try:
            summary = _generate(db, staging, manifest, progress, env, dot_binary, stores, budget)
            with _signals_deferred():
                progress.update(SWAP_STAGE, None)
                _swap_in(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            stores.close()
    return replace(summary, out_dir=out_dir)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Move each of GENERATED from `staging` into `out_dir`, the previous one aside into the
    staging folder (removed with it). A move that fails (a folder another user wrote, which
    this one may not move) puts back the ones already swapped: the folder stays one build."""
    replaced = staging / ".replaced"
    done: list[tuple[Path, Path]] = []  # (from, to) of each move made, to undo in reverse
    try:
        for part in GENERATED:
            target = out_dir / part
            if target.exists():
                (replaced / part).parent.mkdir(parents=True, exist_ok=True)
                target.rename(replaced / part)
                done.append((target, replaced / part))
            if (staging / part).exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                (staging / part).rename(target)
                done.append((staging / part, target))
    except OSError:
        for source, moved_to in reversed(done):
            try:
                moved_to.rename(source)
            except OSError:
                continue  # the failure to report is the one that stopped the swap; undo the rest
        raise


def _refuse_what_this_user_cannot_replace(out_dir: Path) -> None:
    """A build by another user (a shared docs folder) leaves folders and a lock this one may
    not move or open: found when the pages were written, minutes later, it ended in
    'Permission denied' naming one folder. Said up front, naming whose they are."""
    lock = out_dir / LOCK
    theirs = [LOCK] if lock.exists() and not os.access(lock, os.W_OK) else []
    for part in (STAGING, *GENERATED):
        path = out_dir / part
        # Moving a folder to another parent rewrites its `..`: it takes write access to it.
        if path.is_dir() and not path.is_symlink() and not os.access(path, os.W_OK):
            theirs.append(part)
    if theirs:
        raise NotReplaceable(out_dir, theirs)


class NotReplaceable(AnalyzerError):
    """Generated pages (or the lock) of the docs folder belong to a user this one cannot act for."""

    def __init__(self, out_dir: Path, parts: list[str]):
        self.out_dir, self.parts = out_dir, parts
        try:
            owner = _user_name((out_dir / parts[0]).stat().st_uid)
        except OSError:  # the other build has just removed it
            owner = "another user"
        shown = ", ".join(parts[:3]) + (f" and {len(parts) - 3} more" if len(parts) > 3 else "")
        super().__init__(f"--out {out_dir}: {shown} of an earlier build belong to {owner}, and "
                         f"this user ({_user_name(os.geteuid())}) may not replace them: give "
                         f"--out a docs folder of its own, or have {owner} give write access "
                         "(chmod -R g+w, or a umask of 002 for shared builds)")


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user {uid}"


class BuildInProgress(AnalyzerError):
    """Another `kubeatlas site` is writing into the same docs folder."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        super().__init__(f"site {out_dir}: another `kubeatlas site` is writing into it; wait "
                         "for it to finish")


def _refuse_what_no_build_wrote(out_dir: Path) -> None:
    """A build replaces each of GENERATED in `out_dir` whole. In a folder no build has written
    into (none left its lock there), a `packages` or `reference` folder is the user's own
    (`--out ~`, `--out .` in a project): refused before anything is moved."""
    if (out_dir / LOCK).exists():
        return
    theirs = [part for part in GENERATED if (out_dir / part).exists() or (out_dir / part).is_symlink()]
    if theirs:
        raise NotOurFolder(out_dir, theirs)


class NotOurFolder(UsageError):
    """The docs folder holds, where generated pages go, files no kubeatlas build wrote."""

    def __init__(self, out_dir: Path, parts: list[str]):
        self.out_dir, self.parts = out_dir, parts
        shown = ", ".join(parts[:4]) + (f" and {len(parts) - 4} more" if len(parts) > 4 else "")
        super().__init__(f"--out {out_dir} holds {shown}, which no kubeatlas site build wrote: "
                         "a build replaces them whole; give a docs folder of its own, e.g. "
                         "--out site, or move them away")


def _one_build_at_a_time(out_dir: Path):
    """Builds into one folder share its staging folder: a second would delete the first's pages
    as they are written, and their swaps would interleave."""
    return exclusive(out_dir / LOCK, BuildInProgress(out_dir))


@contextmanager
def _signals_deferred():
    """Hold Ctrl-C and SIGTERM until the block is done, then act on them as before: the pages
    are swapped in folder by folder, and stopped half-way, the docs folder would be neither build."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers, and only it is interrupted
        return
    received = []
    held = {signum: signal.signal(signum, lambda signum, frame: received.append(signum))
            for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


def _generate(db: sqlite3.Connection, out_dir: Path, manifest: Sequence[Component],
              progress: Progress, env: jinja2.Environment, dot_binary: str,
              stores: releases.Stores, budget: codepages.Budget) -> SiteSummary:
    pages: list[str] = []
    code = _Code(db, manifest, stores, budget)
    package_pages = code.package_pages(progress)
    groups, reference_pages = code.reference_pages()
    version_pages = _version_pages(db, manifest, stores)
    def write(template: str, name: str, context: dict) -> None:
        """The page `name` from `template`, in every language."""
        for lang in sitetext.LANGUAGES:
            pages.append(_write(out_dir, sitetext.page_path(lang, name),
                                env.get_template(template).render(context, **_language(lang, name))))

    component_pages = []
    for position, component in enumerate(manifest, 1):
        progress.update("site: components", position, len(manifest), "pages")
        page = _component_page(db, component, dot_binary, out_dir, version_pages, code)
        component_pages.append(page)
        write("component.md.j2", f"components/{component.name}.md", page)
    for position, (name, page) in enumerate(version_pages.items(), 1):
        progress.update("site: versions", position, len(version_pages), "pages")
        write("version.md.j2", name, page)
    pages += journeys.build(db, out_dir, env)
    rows = drift.check(db, manifest)
    write("drift.md.j2", "drift.md", _drift_page(rows, drift.not_indexed(db, manifest), manifest))
    for reference in reference_pages:
        write("reference.md.j2", reference.page, {"reference": reference, "code": code})
    write("reference_index.md.j2", "reference/index.md", {"groups": groups, "code": code})
    for position, package in enumerate(package_pages, 1):
        progress.update("site: packages", position, len(package_pages), "pages")
        for part in package.parts:
            write("package.md.j2", part.page, {"package": package, "part": part, "code": code,
                                               "limit": codepages.NEIGHBOURS, "budget": budget})
    write("package_index.md.j2", "packages/index.md", {"packages": package_pages})
    evidence = [e for page in component_pages for c in page["capabilities"] for e in c["evidence"]]
    unread = tuple(f"{commit.repo} {commit.sha[:12]}" for commits in drift.analysed_commits(db).values()
                   for commit in commits if any(c.repo == commit.repo for c in manifest)
                   and stores.holding(commit.sha) is None)
    return SiteSummary(out_dir, tuple(pages), sum(p["diagram"] is not None for p in component_pages),
                       len(evidence), sum(e.symbol is None for e in evidence), unread)


def _language(lang: str, name: str) -> dict:
    """What a template needs to write the page `name` in `lang`: its prose (`t`), the way back to
    the docs folder (`root`), the folder of this language's pages under it (`home`), and the
    same page in the other language (`other`, relative to this one)."""
    root = "../" * sitetext.page_path(lang, name).count("/")
    return {"lang": lang, "t": sitetext.text(lang), "root": root,
            "home": root + sitetext.PREFIX[lang], "other": sitetext.twin(lang, name)}


class _Code:
    """The newest analysed commit of each repository, as its code appears on the site: package
    pages, excerpts, and which reference functions mirror which Go functions."""

    def __init__(self, db: sqlite3.Connection, manifest: Sequence[Component], stores: releases.Stores,
                 budget: codepages.Budget = codepages.Budget()):
        self.db = db
        self.budget = budget
        self.placed: dict[str, str] = {}  # function → the page of its package that shows it
        self.reference_placed: dict[str, str] = {}  # reference function → its reference page
        self.manifest = manifest
        self.indexes = {repo: GraphIndex(db, commit) for repo, commit in store.latest_commits(db).items()
                        if any(c.repo == repo for c in manifest)}
        self.text = {repo: codepages.SourceText(db, index.commit, stores)
                     for repo, index in self.indexes.items()}
        self.symbols = {repo: Symbols(index) for repo, index in self.indexes.items()}
        self.packages = {repo: codepages.program_packages(
            db, index.commit, [c.name for c in manifest if c.repo == repo])
            for repo, index in self.indexes.items()}
        self.generated = {repo: codepages.generated_files(db, index.commit)
                          for repo, index in self.indexes.items()}
        self.links = links.reference_links()
        self.mirrored = codepages.mirrors_by_symbol(self.links)
        self.key: dict[str, set[str]] = {repo: {name for c in manifest if c.repo == repo
                                                for ref in c.symbols for name in ref.names}
                                         for repo in self.indexes}
        for symbol in self.mirrored:
            self.key.setdefault(links.repo_of(symbol), set()).add(symbol)

    def page(self, symbol: str) -> str:
        """The package page (and anchor) of a function defined in a package that has one,
        relative to the docs folder; "" otherwise."""
        repo = links.repo_of(symbol)
        index = self.indexes.get(repo)
        package = package_of(symbol)
        # A function literal is shown with the function that encloses it; init functions and
        # the standard library have no sections.
        symbol = symbol.split("$", 1)[0]
        if index is None or package not in self.packages[repo] or "#" in symbol:
            return ""
        path = index.path_of(symbol)
        if not path or path.startswith("vendor/"):
            return ""
        if path in self.generated[repo]:  # listed in a table, without an anchor
            return self.placed.get(symbol, codepages.page_of(repo, package))
        return f"{self.placed.get(symbol, codepages.page_of(repo, package))}#{codepages.anchor(symbol)}"

    def excerpt(self, symbol: str) -> codepages.Excerpt | None:
        repo = links.repo_of(symbol)
        index = self.indexes.get(repo)
        if index is None or not index.path_of(symbol):
            return None
        info = index.describe(symbol)
        return self.text[repo].excerpt(info.path, info.line, info.end_line)

    def go_side(self, symbol: str) -> codepages.GoSide:
        repo = links.repo_of(symbol)
        index = self.indexes.get(repo)
        status = ("not indexed" if index is None
                  else "found" if index.path_of(symbol) else "missing")
        return codepages.GoSide(symbol, render.short_name(symbol), status, self.page(symbol),
                                self.excerpt(symbol) if status == "found" else None)

    def reference_pages(self) -> tuple[dict[str, list[codepages.Pair]], list[codepages.ReferencePage]]:
        """The pairs by reference module, and the pages that show them (which the component
        pages link to, by function)."""
        groups = codepages.pairs(self.links, self.go_side)
        pages = codepages.reference_pages(groups)
        self.reference_placed = {pair.python: page.page for page in pages for pair in page.pairs}
        return groups, pages

    def mirrors(self, symbol: str) -> list[tuple[str, str, codepages.Excerpt]]:
        """(python, its reference page with anchor, its excerpt) of each reference function that
        mirrors `symbol`."""
        return [(link.python, f"{self.reference_placed[link.python]}#"
                 + codepages.python_anchor(link.python), codepages.python_excerpt(link))
                for link in self.mirrored.get(symbol, ())]

    def package_pages(self, progress: Progress) -> list[codepages.PackagePage]:
        pages = []
        for position, (repo, index) in enumerate(self.indexes.items(), 1):
            progress.update("site: packages", position, len(self.indexes), "repositories")
            pages += codepages.package_pages(self.db, index.commit, self.packages[repo],
                                             self.text[repo], self.key[repo], self.generated[repo],
                                             self.budget, index.in_build)
        # A function's links go to the page of its package that shows it: for one declared
        # once per platform, the page of the declaration with the plain anchor.
        self.placed = {shown.name: part.page for page in pages for part in page.parts
                       for shown in part.functions if shown.anchor == codepages.anchor(shown.name)}
        self.placed.update({row.name: part.page for page in pages for part in page.parts
                            for row in part.generated})
        return pages


def environment(templates: Path | None = None) -> jinja2.Environment:
    """The one Environment: `templates`, when given, is searched before the packaged ones."""
    search = [str(templates)] if templates else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*search, str(TEMPLATES)]),
        autoescape=False,  # Markdown, escaped where it matters by the filters below
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update(md=md_text, code=md_code, edge_label=render.edge_label,
                       short=render.short_name)
    return env


def _write(out_dir: Path, name: str, text: str) -> str:
    path = out_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


# --- Markdown helpers --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


def md_text(text: str) -> str:
    """Plain text (a doc sentence, a claim) made safe to put in Markdown and in a table cell."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_code(text: str) -> str:
    """A code span that survives backticks inside and `|` in a table cell."""
    text = " ".join(text.split()).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


# --- component pages ---------------------------------------------------------------------------------

def _component_page(db: sqlite3.Connection, component: Component, dot_binary: str, out_dir: Path,
                    version_pages: dict[str, dict], code: _Code) -> dict:
    links = [VersionLink(page["title"], page["title_zh"], name) for name, page in version_pages.items()
             if any(change.component.name == component.name for change in page["changes"])]
    page = {"component": component, "commit": None, "capabilities": [], "key_files": [],
            "entrypoints": [], "trees": [], "main_loop": None, "diagram": None, "versions": links,
            "depth": TREE_DEPTH, "loop_depth": LOOP_DEPTH,
            "max_children": calltree.MAX_CHILDREN,
            "max_implementations": calltree.MAX_IMPLEMENTATIONS, "code": code}
    try:
        index = GraphIndex.open(db, component.repo)
    except QueryError:
        return page  # the template says the repository is not indexed
    symbols = Symbols(index)
    commit = index.commit
    page["commit"] = commit
    page["capabilities"] = [
        {"capability": capability,
         "evidence": [_evidence(ref, symbols.defined(ref), code) for ref in capability.evidence]}
        for capability in component.capabilities]
    page["key_files"] = _key_files(db, commit, component)
    entrypoints = [view.name for ref in component.entrypoints if (view := symbols.defined(ref))]
    page["entrypoints"] = [(ref, symbols.defined(ref)) for ref in component.entrypoints]
    # The command's own program, where the index has one: its page follows only what it links.
    filters = FILTERS._replace(program=component.name if component.name in index.programs() else None)
    expanded: set[str] = set()
    page["trees"] = [call_tree(index, symbols, name, TREE_DEPTH, filters, expanded)
                     for name in entrypoints]
    main_loop = symbols.defined(component.main_loop)
    page["main_loop"] = main_loop
    if main_loop:
        page["trees"].append(call_tree(index, symbols, main_loop.name, LOOP_DEPTH, filters,
                                       expanded))
    if entrypoints or main_loop:
        page["diagram"] = _diagram(index, symbols, component.name, entrypoints,
                                   main_loop.name if main_loop else None, filters, dot_binary,
                                   out_dir, code)
    return page


def _evidence(ref: SymbolRef, view: SymbolView | None, code: _Code) -> Evidence:
    if view is None:
        return Evidence(ref, None)
    return Evidence(ref, view, code.page(view.name), code.excerpt(view.name),
                    tuple(code.mirrors(view.name)))


def _key_files(db: sqlite3.Connection, commit: store.CommitRecord,
               component: Component) -> list[KeyFileView]:
    """Each key file as the commit has it: its own path or the first alternative present (a
    directory is present when a file under it is)."""
    paths = [record.path for record in store.commit_files(db, commit.id)]
    present = set(paths)
    out = []
    for key_file in component.key_files:
        found = next((path for path in key_file.paths
                      if (any(p.startswith(path) for p in paths) if key_file.is_dir
                          else path in present)), "")
        link = permalink(commit.remote_url, commit.sha, found) if found else ""
        out.append(KeyFileView(key_file.path, found, link))
    return out


# --- diagrams ------------------------------------------------------------------------------------

def _diagram(index: GraphIndex, symbols: Symbols, name: str, entrypoints: list[str],
             main_loop: str | None, filters: Filters, dot_binary: str, out_dir: Path,
             code: _Code) -> Diagram:
    """The picture; a box links to its function's package page when there is one (relative to
    the component page: the picture is inline there), else to its pinned source."""
    drawing = diagrams.core(index, entrypoints, main_loop, filters)
    links = {node: "../" + re.sub(r"\.md(?=#|$)", ".html", page) if (page := code.page(node))
             else view.permalink
             for node in drawing.nodes if (view := symbols.view(node))}
    svg = diagrams.draw(drawing, links, dot_binary)
    file = f"assets/generated/{name}.svg"
    # The picture on its own lies one folder deeper than the component page.
    _write(out_dir, file, svg.replace('href="../', 'href="../../') + "\n")
    return Diagram(svg, file, len(drawing.nodes), drawing.omitted, drawing.reaches_main_loop)


# --- version pages --------------------------------------------------------------------------------

def _version_pages(db: sqlite3.Connection, manifest: Sequence[Component],
                   stores: releases.Stores) -> dict[str, dict]:
    """For each repository with components, every pair of its analysed commits, older first in
    history (releases.in_history_order): what changed in each component's call tree."""
    pages = {}
    for repo, commits in drift.analysed_commits(db).items():
        components = [c for c in manifest if c.repo == repo]
        if not components or len(commits) < 2:
            continue
        ordered = releases.in_history_order(commits, stores)
        labels, labels_zh = _labels(ordered, "en"), _labels(ordered, "zh")
        for (old, old_release), (new, new_release) in combinations(ordered, 2):
            old_symbols = Symbols(GraphIndex(db, old))
            new_symbols = Symbols(GraphIndex(db, new))
            name = f"versions/{_slug(labels[old.id])}..{_slug(labels[new.id])}.md"
            pages[name] = {
                "title": f"{repo} {labels[old.id]} → {labels[new.id]}",
                "title_zh": f"{repo} {labels_zh[old.id]} → {labels_zh[new.id]}", "repo": repo,
                "old": old, "new": new, "old_release": old_release, "new_release": new_release,
                "depth": TREE_DEPTH,
                "rename_ratio": versions.RENAME_RATIO,
                "changes": [_change(c, old_symbols, new_symbols) for c in components]}
    return pages


def _labels(ordered: list[tuple[store.CommitRecord, releases.Release]], lang: str) -> dict[int, str]:
    """A commit's name in page titles, in `lang`: its release, with its short SHA when another
    analysed commit is of the same release or the release is only an era (named from the newest
    CHANGELOG the commit has)."""
    names = [release.name for _, release in ordered]
    era = sitetext.text(lang)["era"]

    def name(release: releases.Release) -> str:
        if release.how == "changelog":
            return era.format(version="v" + ".".join(map(str, release.version)))
        return release.name

    return {commit.id: release.name if release.how == "sha" or
            (release.how != "changelog" and names.count(release.name) == 1)
            else f"{name(release)} ({commit.sha[:8]})" for commit, release in ordered}


def _slug(label: str) -> str:
    return re.sub(r"[^\w.+-]+", "-", label).strip("-")


def _change(component: Component, old: Symbols, new: Symbols) -> ComponentChange:
    roots = (*component.entrypoints, component.main_loop)
    old_roots = [view.name for ref in roots if (view := old.defined(ref))]
    new_roots = [view.name for ref in roots if (view := new.defined(ref))]
    before = versions.reachable(old.index, old_roots, TREE_DEPTH, FILTERS)
    after = versions.reachable(new.index, new_roots, TREE_DEPTH, FILTERS)
    diff = versions.diff(before, after)

    def at(symbols: Symbols, function: versions.Function, note: str = "") -> FunctionView:
        return FunctionView(function, symbols.view(function.name), note)

    return ComponentChange(
        component, tuple(new_roots or old_roots), len(before), len(after),
        added=tuple(at(new, f, "new" if f.path and not old.defines(f.name) else "")
                    for f in diff.added),
        removed=tuple(at(old, f, "gone" if f.path and not new.defines(f.name) else "")
                      for f in diff.removed),
        moved=tuple((at(old, m.old), at(new, m.new)) for m in diff.moved),
        renamed=tuple((at(old, r.old), at(new, r.new), r.ratio) for r in diff.renamed))


# --- drift ------------------------------------------------------------------------------------------

def _drift_page(rows: list[drift.DriftRow], not_indexed: list[str],
                manifest: Sequence[Component]) -> dict:
    """Rows regrouped for a table per component: one line per item, one column per commit;
    `roles` gives each capability's Chinese name."""
    components = [{"name": table.component, "repo": table.repo, "columns": table.columns,
                   "lines": [{"kind": kind, "role": role, "item": item,
                              "cells": [cells.get(column) for column in table.columns]}
                             for (kind, role, item), cells in table.cells.items()]}
                  for table in drift.tables(rows)]
    return {"components": components, "counts": drift.counts(rows), "total": len(rows),
            "not_indexed": not_indexed,
            "roles_zh": {c.name: c.zh for component in manifest for c in component.capabilities}}
