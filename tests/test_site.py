"""The documentation site built from the fixture trees: golden Markdown, and `mkdocs build --strict`.

The fixture corpus is the kube tree at two commits (the second adds, removes, moves and renames
functions the scheduler reaches, so a version page has something to say) and the etcdish tree at
one, indexed through the CLI against the stand-in GOROOT, with the small manifest in
tests/fixtures/components.toml. Refresh the golden files after an intended change with:

    python tests/test_site.py
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from analyzer import codepages, diagrams, releases, site, store
from analyzer.cli import main
from analyzer.manifest import load_manifest
from analyzer.sources import load_checkouts
from analyzer.workspace import Workspace
from conftest import TREES, _git, make_git_tree

HERE = Path(__file__).parent
ROOT = HERE.parent
GOLDEN = HERE / "golden" / "site"
MANIFEST = HERE / "fixtures" / "components.toml"
GOROOT = HERE / "fixtures" / "goroot"
# Recorded remote URLs: not GitHub, so links take the `<url>@<sha>:<path>#L<line>` form, and not
# the temporary directory, so pages are the same on every machine.
URLS = {"kubernetes": "https://git.example.invalid/kubernetes", "etcd": "https://git.example.invalid/etcd"}
# Far below the real budget, so that the fixture's larger packages (pkg/scheduler has 14
# functions) are split over pages as the largest real ones are.
FIXTURE_BUDGET = codepages.Budget(functions=6, excerpts=4, generated=5)
PAGE_MARKDOWN = 400_000  # bytes of Markdown a generated page may have (the real packages index: ~300 KB)
HAND_WRITTEN = ("index.md", "reading-call-graphs.md", "zh/index.md", "zh/reading-call-graphs.md",
                "assets/kubeatlas.css", "assets/vendor/iframe-worker/shim.js",
                "assets/vendor/iframe-worker/LICENSE")

# The second kubernetes commit, as (file, text before, text after); None before means a new file.
SECOND_COMMIT = [
    # prioritizeNodes moves to a file of its own
    ("pkg/scheduler/schedule_one.go", """func (sched *Scheduler) prioritizeNodes(ctx context.Context, pod *v1.Pod, nodes []*v1.Node) map[string]int64 {
	scores := make(map[string]int64, len(nodes))
	for _, node := range nodes {
		scores[node.GetName()] = sched.framework.RunScorePlugins(ctx, pod, node)
	}
	return scores
}

""", ""),
    ("pkg/scheduler/score.go", None, """package scheduler

import (
	"context"

	v1 "k8s.io/api/core/v1"
)

// prioritizeNodes scores each feasible node with the score plugins.
func (sched *Scheduler) prioritizeNodes(ctx context.Context, pod *v1.Pod, nodes []*v1.Node) map[string]int64 {
	scores := make(map[string]int64, len(nodes))
	for _, node := range nodes {
		scores[node.GetName()] = sched.framework.RunScorePlugins(ctx, pod, node)
	}
	return scores
}
"""),
    # selectHost is removed: schedulePod picks the best host itself
    ("pkg/scheduler/schedule_one.go", """	return selectHost(sched.prioritizeNodes(ctx, pod, feasible))
}""", """	best, bestScore := "", int64(-1)
	for host, score := range sched.prioritizeNodes(ctx, pod, feasible) {
		if score > bestScore {
			best, bestScore = host, score
		}
	}
	return best, nil
}"""),
    ("pkg/scheduler/schedule_one.go", """func selectHost(scores map[string]int64) (string, error) {
	best, bestScore := "", int64(-1)
	for host, score := range scores {
		if score > bestScore {
			best, bestScore = host, score
		}
	}
	if best == "" {
		return "", fmt.Errorf("empty score list")
	}
	return best, nil
}

""", ""),
    # bind is renamed bindPod, and the new assume runs before it
    ("pkg/scheduler/scheduler.go", """	go sched.bind(ctx, pod.DeepCopy(), host)
}

func (sched *Scheduler) bind(""", """	sched.assume(pod, host)
	go sched.bindPod(ctx, pod.DeepCopy(), host)
}

// assume records the chosen node before the binding is written.
func (sched *Scheduler) assume(pod *v1.Pod, host string) {
	pod.Spec.NodeName = host
}

func (sched *Scheduler) bindPod("""),
]


def second_commit(repo: Path) -> None:
    for name, before, after in SECOND_COMMIT:
        path = repo / name
        if before is None:
            path.write_text(after)
            continue
        text = path.read_text()
        assert before in text, f"the fixture {name} changed: update SECOND_COMMIT"
        path.write_text(text.replace(before, after, 1))
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--no-verify", "-m", "scheduler: move, remove, rename, add")


def index(home: Path, name: str, repo: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # the summaries; a failure says it on stderr
        assert main(["fetch", name, "--from", str(repo), "--ref", "HEAD", "--url", URLS[name],
                     "--home", str(home), "-q"]) == 0
        assert main(["index", name, "--home", str(home), "-q", "--goroot", str(GOROOT)]) == 0


def build_fixture_site(work: Path) -> Path:
    """Index the fixture corpus under `work` and lay out a project there as the repository has
    it: `work/mkdocs.yml` and the docs folder `work/site`, hand-written and generated pages.
    Returns the docs folder."""
    home = work / "home"
    kube = make_git_tree(TREES / "kube", work / "kubernetes")
    index(home, "kubernetes", kube)
    index(home, "etcd", make_git_tree(TREES / "etcdish", work / "etcd"))
    second_commit(kube)
    index(home, "kubernetes", kube)
    docs = work / "site"
    docs.mkdir()
    for name in HAND_WRITTEN:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "site" / name, docs / name)
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    (work / "analyzer").mkdir()  # mkdocs.yml names its hooks relative to itself
    shutil.copy(ROOT / "analyzer" / "mkdocs_hooks.py", work / "analyzer" / "mkdocs_hooks.py")
    stores = releases.Stores(c.git_dir for c in load_checkouts(Workspace(home)).values())
    site.build_site(store.connect(home / "index.sqlite"), docs, load_manifest(MANIFEST), stores=stores,
                    budget=FIXTURE_BUDGET)
    return docs


_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_PYTHON = re.compile(r"^````python .*?^````$", re.DOTALL | re.MULTILINE)


def generated_pages(docs: Path) -> dict[str, str]:
    """The generated Markdown, with each inline diagram cut to a stub (the picture is Graphviz's
    and changes with its version; what goes into it is checked apart) and each Python excerpt too
    (it is reference_impl's own code, which changes on its own; the reference pages, all Python
    beside Go, are checked apart for the same reason)."""
    return {name: _PYTHON.sub("````python\n# reference_impl source\n````",
                              _SVG.sub("<svg><!-- drawn by Graphviz --></svg>", path.read_text()))
            for path in sorted(docs.rglob("*.md"))
            if (name := path.relative_to(docs).as_posix()) not in HAND_WRITTEN
            and not name.startswith(("reference/", "zh/reference"))}


def test_generated_pages_match_the_golden_files(site_docs):
    pages = generated_pages(site_docs)
    golden = {path.relative_to(GOLDEN).as_posix(): path.read_text()
              for path in sorted(GOLDEN.rglob("*.md"))}
    assert golden, "no golden files: run `python tests/test_site.py`"
    assert sorted(pages) == sorted(golden), \
        "the pages are not those in tests/golden/site: run `python tests/test_site.py`"
    for name, text in pages.items():
        assert text == golden[name], f"{name} changed; if intended, run `python tests/test_site.py`"


def test_every_component_has_a_page_and_a_version_page_exists(site_docs):
    names = {component.name for component in load_manifest(MANIFEST)}
    assert {p.stem for p in (site_docs / "components").glob("*.md")} == names
    (version,) = (site_docs / "versions").glob("*.md")
    assert re.fullmatch(r"[0-9a-f]{12}\.\.[0-9a-f]{12}\.md", version.name)


def test_the_version_page_names_each_kind_of_change(site_docs):
    (version,) = (site_docs / "versions").glob("*.md")
    scheduler = version.read_text().split("## kube-scheduler", 1)[1].split("\n## ", 1)[0]
    sections = {title: body for title, body in
                re.findall(r"### (\w+)\n(.*?)(?=\n### |\Z)", scheduler, re.DOTALL)}
    assert "(*scheduler.Scheduler).assume" in sections["Added"]
    assert "scheduler.selectHost" in sections["Removed"] and "gone" in sections["Removed"]
    assert "pkg/scheduler/score.go" in sections["Moved"]
    assert re.search(r"\(\*scheduler\.Scheduler\)\.bind`.*\(\*scheduler\.Scheduler\)\.bindPod`",
                     sections["Renamed"])


def test_the_diagram_is_an_inline_svg_of_the_path_to_the_main_loop(site_docs):
    page = (site_docs / "components" / "kube-scheduler.md").read_text()
    (svg,) = _SVG.findall(page)
    for label in ("kube-scheduler.main", "app.NewSchedulerCommand", "(*scheduler.Scheduler).scheduleOne",
                  "(*scheduler.Scheduler).bindPod"):
        assert f">{label}</text>" in svg.replace("&#45;", "-")
    # The picture on its own is one folder deeper: its links to package pages say so.
    assert (site_docs / "assets" / "generated" / "kube-scheduler.svg").read_text().strip() == \
        svg.replace('href="../', 'href="../../')
    assert 'href="../packages/kubernetes/k8s.io_kubernetes_pkg_scheduler.part3.html#Scheduler.scheduleOne"' in svg


def test_a_mirrored_function_is_shown_beside_its_go_with_the_link_checked(site_docs):
    """A reference page sets each @mirrors link's Go excerpt (from the analysed blob, numbered
    from its own first line) beside the Python excerpt, and says whether the index has the Go."""
    page = (site_docs / "reference" / "scheduler.plugins.noderesources.md").read_text()
    section = page.split("(*noderesources.Fit).Filter", 1)[1]
    assert "— **found**" in section.split("\n", 1)[0]
    pair = section.split('<div class="kubeatlas-pair" markdown>', 1)[1].split("\n</div>\n</div>", 1)[0]
    go, python = pair.split("<div markdown>")[1:]
    assert re.search(r'````go linenums="\d+" title="pkg/scheduler/framework/plugins/noderesources/fit.go:\d+"', go)
    assert "func (f *Fit) Filter(" in go
    assert '````python linenums="' in python and "def filter" in python


def test_every_package_of_a_program_has_a_page_with_its_functions(site_docs):
    """Each non-vendored, non-stdlib package the scheduler's program links has a page, whose
    functions show callers and callees linked to their own package pages."""
    page = (site_docs / "packages" / "kubernetes" / "k8s.io_kubernetes_pkg_scheduler.part3.md").read_text()
    assert "### (*scheduler.Scheduler).scheduleOne {#Scheduler.scheduleOne}" in page
    section = page.split("{#Scheduler.scheduleOne}", 1)[1].split("\n### ", 1)[0]
    assert "- called by" in section and "- calls" in section
    assert not list((site_docs / "packages").rglob("context.md")), "the standard library has no pages"


def test_chinese_pages_carry_the_chinese_prose(site_docs):
    page = (site_docs / "zh" / "components" / "kube-scheduler.md").read_text()
    assert "调度器每次取一个待调度的 Pod" in page and "## 能力" in page
    assert "[English](../../components/kube-scheduler.md)" in page


_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_CODE = re.compile(r"^(`{3,}).*?^\1$|`[^`\n]*`|<svg\b.*?</svg>", re.DOTALL | re.MULTILINE)


def test_every_generated_page_is_written_in_english_and_in_chinese(site_docs):
    """Each page the project generates has its Chinese twin under zh/ (and no Chinese page lacks
    its English one); each links to the other, and the Chinese one's prose, outside code, is
    Chinese. Versions, drift, journeys, packages and the Go beside Python pages included."""
    english = {name for name in generated_pages(site_docs) if not name.startswith("zh/")}
    english |= {path.relative_to(site_docs).as_posix() for path in (site_docs / "reference").rglob("*.md")}
    chinese = {path.relative_to(site_docs / "zh").as_posix() for path in (site_docs / "zh").rglob("*.md")
               if path.relative_to(site_docs).as_posix() not in HAND_WRITTEN}
    assert english == chinese
    for kind in ("versions/", "drift.md", "journeys/", "packages/", "reference/", "components/"):
        assert any(name.startswith(kind) for name in english), kind
    for name in sorted(english):
        page, twin = (site_docs / name).read_text(), (site_docs / "zh" / name).read_text()
        depth = name.count("/")
        assert f"]({'../' * depth}zh/{name})" in page, name
        assert f"]({'../' * (depth + 1)}{name})" in twin, name
        prose = _CODE.sub("", twin)
        assert len(_CHINESE.findall(prose)) >= 10, f"zh/{name} has little Chinese prose"


def test_chinese_pages_link_to_chinese_pages(site_docs):
    """A Chinese page's links to other generated pages stay in the Chinese tree."""
    page = (site_docs / "zh" / "components" / "kube-scheduler.md").read_text()
    assert "](../../zh/packages/kubernetes/k8s.io_kubernetes_pkg_scheduler" in page
    assert "](../../zh/drift.md#kube-scheduler)" in page
    assert "](../../packages/" not in page
    journey = (site_docs / "zh" / "journeys" / "create-deployment.md").read_text()
    assert journey.startswith("# 创建 Deployment") and "**1.** **kubectl** 请求 apiserver" in journey


def test_a_large_package_is_split_by_file_within_the_budget(site_docs):
    """pkg/scheduler's 14 functions in four files (3, 4, 6 and 1 of them) under a budget of 6 a
    page are four pages, each file whole on one; no function is lost or shown twice, each page
    links every other part, and a page embeds at most the budget's excerpts."""
    folder = site_docs / "packages" / "kubernetes"
    names = ["k8s.io_kubernetes_pkg_scheduler.md"] + [
        f"k8s.io_kubernetes_pkg_scheduler.part{number}.md" for number in (2, 3, 4)]
    assert sorted(p.name for p in folder.glob("k8s.io_kubernetes_pkg_scheduler.*md")) == names
    anchors, files = [], []
    for name in names:
        text = (folder / name).read_text()
        found = re.findall(r"^### .* \{#([^}]+)\}$", text, re.MULTILINE)
        assert 0 < len(found) <= FIXTURE_BUDGET.functions, name
        assert text.count("````go") <= FIXTURE_BUDGET.excerpts, name
        assert all(f"]({other})" in text.replace("../../packages/kubernetes/", "")
                   for other in names if other != name), name
        anchors += found
        files.append(set(re.findall(r"· \[(pkg/scheduler/\w+\.go):\d+\]", text)))
    assert len(anchors) == len(set(anchors)) == 14
    assert all(not a & b for a in files for b in files if a is not b), "a file split over pages"
    assert "{#Scheduler.scheduleOne}" in (folder / names[2]).read_text()


def test_every_link_to_a_function_lands_on_the_page_that_shows_it(site_docs):
    """A link to a function's anchor, in any generated page of either language, opens the page
    that defines that anchor: split packages send each function to its own part."""
    checked = 0
    for path in site_docs.rglob("*.md"):
        for target, anchor in re.findall(r"\]\(((?:\.\./)*[\w./-]+\.md)#([\w.-]+)\)", path.read_text()):
            page = (path.parent / target).resolve()
            if "packages" not in page.parts and "reference" not in page.parts:
                continue
            assert "{#" + anchor + "}" in page.read_text(), f"{path.relative_to(site_docs)} → {target}#{anchor}"
            checked += 1
    assert checked > 100


def test_every_page_stays_within_the_markdown_budget(site_docs):
    """No generated page of the fixture site is over PAGE_MARKDOWN bytes; the built HTML is
    checked against its own budget in the browser tests, and the real index in the report."""
    sizes = {path.relative_to(site_docs).as_posix(): path.stat().st_size for path in site_docs.rglob("*.md")}
    assert {name: size for name, size in sizes.items() if size > PAGE_MARKDOWN} == {}


def test_a_release_era_is_named_in_the_page_language():
    """A commit named only by the newest CHANGELOG it has is an era, worded in each language,
    with its short SHA; a tag is a tag in both."""
    commit = store.CommitRecord(1, "kubernetes", "e5f3f020084e16d0", "e5f3f020", "https://x", False)
    tagged = store.CommitRecord(2, "kubernetes", "441505a9ee097315", "v1.19.0", "https://x", False)
    ordered = [(tagged, releases.Release("v1.19.0", (1, 19, 0), "tag", 0)),
               (commit, releases.Release("v1.24 era", (1, 24), "changelog", 0))]
    assert site._labels(ordered, "en") == {2: "v1.19.0", 1: "v1.24 era (e5f3f020)"}
    assert site._labels(ordered, "zh") == {2: "v1.19.0", 1: "v1.24 时期 (e5f3f020)"}


def test_boilerplate_calls_are_drawn_as_one_labelled_box_per_kind():
    """Among a main loop's callees, logging and metrics calls become one box each that says how
    many functions it stands for; the work itself keeps its own boxes."""
    from analyzer.graph import Edge

    loop = "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).scheduleOne"
    callees = ["k8s.io/klog/v2.InfoS", "(k8s.io/klog/v2.Verbose).InfoS",
               "k8s.io/kubernetes/pkg/scheduler/metrics.PodScheduled",
               "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).assume"]
    edges = [Edge(loop, callee, "static", "f.go", 1, 1, 1.0) for callee in callees]
    drawn = [edge.callee for edge in diagrams._collapse_boilerplate(edges, {"k8s.io/kubernetes/cmd/kube-scheduler.main"})]
    assert drawn == ["logging: 2 functions", "metrics: 1 function",
                     "(*k8s.io/kubernetes/pkg/scheduler.Scheduler).assume"]


def test_missing_evidence_is_marked(site_docs):
    page = (site_docs / "components" / "kube-scheduler.md").read_text()
    assert "`(*k8s.io/kubernetes/pkg/scheduler.Scheduler).bind` — **not found in this commit**" in page


def mkdocs_build(docs: Path, out: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the project around `docs` into `out`."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(docs.parent / "mkdocs.yml"),
         "-d", str(out)], capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})  # the theme's end-of-life banner


def test_mkdocs_builds_the_site_strictly_with_no_warnings(site_html):
    result, html = site_html
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert (html / "components" / "kube-scheduler.html").exists()


def test_a_template_on_the_search_path_overrides_the_packaged_one(site_docs, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "drift.md.j2").write_text("# Drift\n\n{{ counts.missing }} missing\n")
    out = tmp_path / "docs"
    home = site_docs.parent / "home"
    stores = releases.Stores(c.git_dir for c in load_checkouts(Workspace(home)).values())
    site.build_site(store.connect(home / "index.sqlite"), out, load_manifest(MANIFEST),
                    templates=templates, stores=stores, budget=FIXTURE_BUDGET)
    assert (out / "drift.md").read_text() == "# Drift\n\n8 missing\n"
    assert (out / "components" / "kube-scheduler.md").read_text() == \
        (site_docs / "components" / "kube-scheduler.md").read_text()


def test_site_without_graphviz_is_one_clear_error(site_docs, monkeypatch):
    monkeypatch.setattr(diagrams.shutil, "which", lambda name: None)
    with pytest.raises(diagrams.GraphvizError, match="apt-get install graphviz"):
        site.build_site(None, site_docs.parent / "unused", [])


def test_an_empty_out_is_refused_not_read_as_the_current_folder(tmp_path, capsys, monkeypatch):
    """`--out ""` (an unset shell variable) would write hundreds of pages into the folder the
    user stands in; it is refused before anything is read or written."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit:
        main(["site", "--out", "", "--home", str(tmp_path / "home")])
    assert exit.value.code == 2
    assert capsys.readouterr().err == ("kubeatlas site: error: argument --out: is empty: name a "
                                       "folder (see `kubeatlas site --help`)\n")
    assert list(tmp_path.iterdir()) == []


def test_an_out_that_is_a_file_or_a_git_dir_that_is_no_repository_is_one_line(tmp_path, capsys):
    """Checked before the index is opened, so the line names the real mistake."""
    page = tmp_path / "index.md"
    page.write_text("# mine\n")
    home = str(tmp_path / "home")
    assert main(["site", "--out", str(page), "--home", home]) == 2
    assert capsys.readouterr().err == (f"kubeatlas: error: {page} is a file, not a folder: "
                                       "give --out a folder for the pages\n")
    assert page.read_text() == "# mine\n"
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert main(["site", "--out", str(loop), "--home", home]) == 2
    assert capsys.readouterr().err == (f"kubeatlas: error: {loop} is a symlink loop: point it at a folder, "
                                       "or give --out another folder for the pages\n")
    missing = tmp_path / "no-such-clone"
    assert main(["site", "--out", str(tmp_path / "docs"), "--git-dir", str(missing),
                 "--home", home]) == 2
    assert capsys.readouterr().err == f"kubeatlas: error: --git-dir {missing}: no such folder\n"
    assert main(["site", "--out", str(tmp_path / "docs"), "--git-dir", str(page), "--home", home]) == 2
    assert capsys.readouterr().err == f"kubeatlas: error: --git-dir {page}: a file, not a folder\n"
    plain = tmp_path / "plain"
    plain.mkdir()
    assert main(["site", "--out", str(tmp_path / "docs"), "--git-dir", str(plain), "--home", home]) == 2
    assert capsys.readouterr().err == f"kubeatlas: error: --git-dir {plain}: not a git repository\n"



def test_a_repo_that_is_not_indexed_is_one_warning(tmp_path, capsys):
    """`site --repo kubernetes` on a home that indexed only etcd wrote its pages, each saying
    "kubernetes is not indexed", and printed a summary as if all were well."""
    home = tmp_path / "home"
    index(home, "etcd", make_git_tree(TREES / "etcdish", tmp_path / "etcd"))
    for repo, warning in (("kubernetes", "kubeatlas: warning: kubernetes: its repository is not "
                                         "indexed: run `kubeatlas index kubernetes`\n"), ("etcd", "")):
        assert main(["site", "--out", str(tmp_path / f"docs-{repo}"), "--repo", repo, "--home", str(home),
                     "-q"]) == 0
        assert capsys.readouterr().err == warning


def test_an_out_inside_a_source_tree_is_refused_before_anything_is_replaced(tmp_path, capsys):
    """The generated folders (journeys/, components/, reference/, …) replace what is there: an
    --out inside a fetched repository's work tree or inside kubeatlas' own code would delete its
    files (`--out analyzer` removed analyzer/journeys/, the recorded journeys). Refused in one
    line, before the index is read."""
    import analyzer

    repo = make_git_tree(TREES / "etcdish", tmp_path / "etcd")
    home = str(tmp_path / "home")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["fetch", "etcd", "--from", str(repo), "--ref", "HEAD", "--url", URLS["etcd"],
                     "--home", home, "-q"]) == 0
    own = Path(analyzer.__file__).parent
    journeys = sorted(p.name for p in (own / "journeys").iterdir())
    for out, tree in ((repo / "docs", f"{repo}, the work tree of the etcd repository `fetch` "
                       "recorded"), (own, f"{own}, kubeatlas' own code")):
        assert main(["site", "--out", str(out), "--home", home]) == 2
        assert capsys.readouterr().err == (
            f"kubeatlas: error: --out {out} is inside {tree}: the generated folders would replace "
            "its own; give a docs folder of its own, e.g. --out site\n")
    assert not (repo / "docs").exists()
    assert sorted(p.name for p in (own / "journeys").iterdir()) == journeys


def test_an_out_inside_a_bare_repository_fetch_recorded_is_refused(tmp_path, capsys):
    """A mirror read in place is a bare repository, which has no work tree: `--out MIRROR/x`
    wrote 864 pages among its refs and objects. Refused as a work tree is."""
    repo = make_git_tree(TREES / "etcdish", tmp_path / "etcd")
    bare = tmp_path / "etcd.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    home = str(tmp_path / "home")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["fetch", "etcd", "--from", str(bare), "--ref", "HEAD", "--url", URLS["etcd"],
                     "--home", home, "-q"]) == 0
    out = bare / "docs"
    assert main(["site", "--out", str(out), "--home", home]) == 2
    assert capsys.readouterr().err == (
        f"kubeatlas: error: --out {out} is inside {bare}, the bare etcd repository `fetch` "
        "recorded: the generated folders would replace its own; give a docs folder of its own, "
        "e.g. --out site\n")
    assert not out.exists()


def test_a_second_build_into_the_same_folder_is_refused_while_one_writes(tmp_path):
    """Two `kubeatlas site` into one folder shared its staging folder: the second deleted the
    first's pages mid-write, both said "438 pages", and the folder was left without
    components/ and drift.md. The second is refused in one line, and writes nothing."""
    out = tmp_path / "docs"
    code = ("import sys, time\n"
            "from pathlib import Path\n"
            "from analyzer.site import _one_build_at_a_time\n"
            f"with _one_build_at_a_time(Path({str(out)!r})):\n"
            "    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(site.BuildInProgress) as raised:
            site.build_site(None, out, [])
    finally:
        holder.kill()
        holder.wait()
    assert str(raised.value) == (f"site {out}: another `kubeatlas site` is writing into it; "
                                 "wait for it to finish")
    assert not (out / site.STAGING).exists()


def test_folders_of_the_users_own_where_pages_go_are_refused_not_replaced(tmp_path, capsys):
    """`site --out ~` (or `--out /`) moved the user's own `packages` and `reference` folders
    aside and deleted them with the staging folder, as if a previous build had written them: in a
    folder no build has written into, they are named and nothing is touched."""
    out = tmp_path / "home"
    (out / "packages").mkdir(parents=True)
    (out / "packages" / "notes.txt").write_text("mine\n")
    (out / "drift.md").write_text("my own drift notes\n")
    with pytest.raises(site.NotOurFolder) as raised:
        site.build_site(None, out, [])
    assert str(raised.value) == (
        f"--out {out} holds drift.md, packages, which no kubeatlas site build wrote: a build "
        "replaces them whole; give a docs folder of its own, e.g. --out site, or move them away")
    assert raised.value.exit_code == 2
    assert (out / "packages" / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in out.iterdir()) == ["drift.md", "packages"]  # not even a lock


def _an_earlier_build(out: Path) -> None:
    """What a build leaves in its docs folder, in brief: its lock and some generated pages."""
    for page in ("components/etcd.md", "packages/a/b.md", "zh/components/etcd.md"):
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        (out / page).write_text(f"{page} of the earlier build\n")
    (out / "drift.md").write_text("drift of the earlier build\n")
    (out / site.LOCK).touch()


def test_a_swap_that_fails_midway_puts_the_previous_pages_back(tmp_path, monkeypatch):
    """A folder the swap may not move (another user's `packages`) failed the swap after
    components/ and drift.md were already the new build's, and the previous ones were deleted
    with the staging folder: the docs folder was half of each. The moves made are undone."""
    out, staging = tmp_path / "docs", tmp_path / "docs" / site.STAGING
    _an_earlier_build(out)
    _an_earlier_build(staging)
    (staging / site.LOCK).unlink()
    before = _generated(out)
    rename = Path.rename

    def refused_for_packages(self, target):
        if self == out / "packages":
            raise PermissionError(13, "Permission denied", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refused_for_packages)
    with pytest.raises(PermissionError):
        site._swap_in(staging, out)
    assert _generated(out) == before


def test_a_move_that_cannot_be_undone_leaves_the_first_failure_reported_and_undoes_the_rest(
        tmp_path, monkeypatch):
    """Undoing a failed swap moves each page back; one that cannot be moved back raised from
    the undo, hiding why the swap failed and leaving the moves before it undone too."""
    out, staging = tmp_path / "docs", tmp_path / "docs" / site.STAGING
    _an_earlier_build(out)
    _an_earlier_build(staging)
    (staging / site.LOCK).unlink()
    rename, failed, undone = Path.rename, [], []

    def refused(self, target):
        if self == out / "packages":
            failed.append(self)
            raise PermissionError(13, "Permission denied", str(self))
        if target == staging / "drift.md":  # undoing the move of the new drift.md
            raise OSError(16, "Device or resource busy", str(self))
        if failed and target.parent == out:
            undone.append(target.name)
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refused)
    with pytest.raises(PermissionError):
        site._swap_in(staging, out)
    assert "components" in undone


def test_the_owner_of_pages_removed_meanwhile_is_another_user(tmp_path):
    error = site.NotReplaceable(tmp_path, ["gone"])
    assert "belong to another user" in str(error)


def test_pages_another_user_wrote_are_refused_before_anything_is_generated(tmp_path):
    """A docs folder shared by two users: the second one's build wrote every page and then
    failed with 'Permission denied' at the first folder of the first one's it could not move
    (minutes, on Kubernetes). It is refused at once, naming whose the pages are."""
    shared = Path(tempfile.mkdtemp(dir="/tmp" if os.geteuid() == 0 else tmp_path))
    try:
        shared.chmod(0o777)
        out = shared / "docs"
        _an_earlier_build(out)
        out.chmod(0o777)
        if os.geteuid() != 0:
            (out / "packages").chmod(0o555)  # as another user's would be, to this one
            with pytest.raises(site.NotReplaceable) as raised:
                site.build_site(None, out, [])
            message = str(raised.value)
            (out / "packages").chmod(0o755)
        else:  # root may move anything: the build is tried by another user
            read, write = os.pipe()
            child = os.fork()
            if child == 0:
                try:
                    os.setgid(65534)
                    os.setuid(65534)
                    site.build_site(None, out, [])
                    os.write(write, b"built")
                except BaseException as err:
                    os.write(write, f"{type(err).__name__}: {err}".encode())
                finally:
                    os._exit(0)
            os.close(write)
            os.waitpid(child, 0)
            with os.fdopen(read) as answer:
                message = answer.read().removeprefix("NotReplaceable: ")
        me = "nobody" if os.geteuid() == 0 else site._user_name(os.geteuid())
        owner = site._user_name(os.stat(out / "packages").st_uid)
        theirs = (".kubeatlas-site.lock, components, packages and 1 more" if os.geteuid() == 0
                  else "packages")
        assert message.startswith(f"--out {out}: {theirs}")
        assert f"belong to {owner}, and this user ({me}) may not replace them: give --out a docs " \
               "folder of its own" in message
        assert not (out / site.STAGING).exists()
    finally:
        shutil.rmtree(shared)


def ctrl_c_after_each_rename(monkeypatch) -> None:
    """Every Path.rename followed by a SIGINT: a Ctrl-C felt while the new pages are swapped in."""
    rename = Path.rename

    def rename_then_ctrl_c(self, target):
        moved = rename(self, target)
        os.kill(os.getpid(), signal.SIGINT)
        return moved

    monkeypatch.setattr(Path, "rename", rename_then_ctrl_c)


def test_ctrl_c_while_the_pages_are_swapped_in_leaves_the_new_build_whole(site_docs, tmp_path,
                                                                           monkeypatch):
    """The new pages replace the old ones folder by folder; a Ctrl-C that lands between two of
    them used to leave some folders old, one removed and the rest of the new build deleted. It is
    now felt once the swap is done: every generated folder is the new build's."""
    out = tmp_path / "docs"
    shutil.copytree(site_docs, out)
    (out / "drift.md").write_text("# Drift, from an older build\n")
    home = site_docs.parent / "home"
    stores = releases.Stores(c.git_dir for c in load_checkouts(Workspace(home)).values())
    ctrl_c_after_each_rename(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        site.build_site(store.connect(home / "index.sqlite"), out, load_manifest(MANIFEST),
                        stores=stores, budget=FIXTURE_BUDGET)
    monkeypatch.undo()

    def generated(root: Path) -> dict[str, bytes]:
        return {path.relative_to(root).as_posix(): path.read_bytes() for part in site.GENERATED
                for path in (root / part, *(root / part).rglob("*")) if path.is_file()}

    assert generated(out) == generated(site_docs)  # the build is deterministic: site_docs is its output
    assert not (out / site.STAGING).exists()


def _generated(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for part in site.GENERATED
            for path in (root / part, *(root / part).rglob("*")) if path.is_file()}


def test_ctrl_c_during_site_names_the_stage_and_that_the_previous_pages_stand(site_docs, tmp_path,
                                                                              monkeypatch, capsys):
    """Ctrl-C during `kubeatlas site` said only "kubeatlas: interrupted", leaving the user to
    wonder whether the docs folder was half old, half new: it names the stage it stopped in,
    and that the folder is as it was."""
    out = tmp_path / "docs"
    shutil.copytree(site_docs, out)
    before = _generated(out)

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(site, "_component_page", ctrl_c)
    assert main(["site", "--out", str(out), "--home", str(site_docs.parent / "home"), "-q"]) == 130
    assert capsys.readouterr().err == (
        f"kubeatlas: interrupted during site: components; {out} is as it was: the new pages "
        "replace the previous ones only once all are written\n")
    assert _generated(out) == before and not (out / site.STAGING).exists()


def test_ctrl_c_while_the_pages_are_swapped_in_says_the_new_ones_are_in_place(site_docs, tmp_path,
                                                                              monkeypatch, capsys):
    """A Ctrl-C felt only once the swap is done must not claim the previous pages stand."""
    out = tmp_path / "docs"
    ctrl_c_after_each_rename(monkeypatch)
    assert main(["site", "--out", str(out), "--home", str(site_docs.parent / "home"), "-q"]) == 130
    assert capsys.readouterr().err == (
        f"kubeatlas: interrupted; the new pages had replaced the previous ones in {out}\n")
    assert (out / "components").is_dir()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as work:
        pages = generated_pages(build_fixture_site(Path(work)))
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for name, text in pages.items():
        (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
        (GOLDEN / name).write_text(text)
        print(f"wrote {GOLDEN / name}")
