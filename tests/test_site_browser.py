"""The built fixture site in a real browser, with the network cut off: the pages must be whole
with nothing but the site's own files.

Headless Chromium (Debian's `chromium`) loads the kube-scheduler page from a local HTTP server
with every other host made unresolvable and every proxied request sent to a closed port. The
rendered DOM must hold the diagram's SVG, the browser's network log must show that the page asked
for nothing off the local server, and a screenshot is written beside the test's files. Every built
HTML, CSS and JS file is also scanned for resources (scripts, stylesheets, fonts, images) that
point off-host; links in the text to pinned source are not resources and are allowed.

Without Chromium these tests fail rather than skip: CI installs it (`apt-get install chromium`).
"""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devtools import Browser

PAGE = "components/kube-scheduler.html"
SCREENSHOTS = Path(__file__).parent.parent / "screenshots"  # git-ignored: a look at the built site
# What Material for MkDocs' bundle can load from elsewhere, and why none of it happens here.
ALLOWED_IN_BUNDLE = {
    "https://unpkg.com/mermaid@": "loaded only for `.mermaid` blocks; the site has none (checked)",
    "https://unpkg.com/resize-observer-polyfill": "loaded only by browsers without ResizeObserver",
    "https://api.github.com/": "repository facts, fetched only when mkdocs.yml sets repo_url (checked)",
    "https://${e}/api/v4/": "GitLab repository facts, likewise only with repo_url",
}


@pytest.fixture(scope="module")
def html(site_html) -> Path:
    result, html = site_html
    assert result.returncode == 0, result.stderr
    return html


@pytest.fixture(scope="module")
def server(html):
    """The built site on a free loopback port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def chromium_command(tmp_path: Path) -> list[str]:
    """Headless Chromium that can reach nothing but loopback and files."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("Chromium is not installed: the site's browser check needs it "
                    "(Debian: apt-get install chromium)")
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}",
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
               "--window-size=1400,2000"]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*chromium_command(tmp_path), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_the_diagram_is_in_the_rendered_page_and_nothing_is_fetched_off_host(server, tmp_path):
    net_log = tmp_path / "netlog.json"
    dom = chromium(tmp_path, f"--log-net-log={net_log}", "--dump-dom", server + PAGE).stdout
    assert "<h1" in dom and "kube-scheduler" in dom
    diagram = re.search(r'<div class="kubeatlas-diagram"[^>]*>\s*(<svg\b.*?</svg>)', dom, re.DOTALL)
    assert diagram, "no inline SVG diagram in the rendered page"
    assert "scheduleOne</text>" in diagram.group(1)
    page_requests = _requests_made_by(net_log, server.rstrip("/"))
    assert any(url.endswith(".css") for url in page_requests), "the network log has no page requests"
    assert [url for url in page_requests if not url.startswith(server)] == []


def test_a_screenshot_of_the_component_page(server, tmp_path):
    shot = tmp_path / "kube-scheduler.png"
    chromium(tmp_path, f"--screenshot={shot}", server + PAGE)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a blank page is a few kilobytes


def _requests_made_by(net_log: Path, origin: str) -> list[str]:
    """URLs the page asked for (requests whose initiator is the page's origin) in a NetLog."""
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [event["params"]["url"] for event in log["events"]
            if event["type"] == start_job and event.get("params", {}).get("initiator") == origin]


# --- the static scan --------------------------------------------------------------------------

# Attributes through which an HTML element loads something, by tag.
RESOURCE_ATTRIBUTES = {"script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"),
                       "video": ("src", "poster"), "audio": ("src",), "iframe": ("src",),
                       "embed": ("src",), "object": ("data",), "image": ("href", "xlink:href"),
                       "use": ("href", "xlink:href"), "link": ("href",)}
NOT_RESOURCES = {"canonical", "alternate", "prev", "next", "author", "license"}  # <link rel=…>


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and set((attributes.get("rel") or "").split()) <= NOT_RESOURCES:
            return
        for name in RESOURCE_ATTRIBUTES.get(tag, ()):
            value = attributes.get(name)
            if value and name == "srcset":  # "a.png 1x, b.png 2x"
                self.urls += [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
            elif value:
                self.urls.append(value)
        style = attributes.get("style") or ""
        self.urls += [a or b for a, b in _CSS_URL.findall(style)]


_CSS_URL = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""")
_JS_URL = re.compile(r"""(["'`])(https?://[^"'`\s]*)\1""")


def _off_host(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https", "") and bool(parts.netloc) and \
        parts.hostname not in ("127.0.0.1", "localhost")


def test_no_built_file_loads_anything_from_another_host(html):
    found = []
    for path in sorted(html.rglob("*")):
        if path.suffix == ".html":
            parser = _Resources()
            parser.feed(path.read_text())
            found += [(path, url) for url in parser.urls if _off_host(url)]
        elif path.suffix == ".css":
            urls = [a or b for a, b in _CSS_URL.findall(path.read_text())]
            found += [(path, url) for url in urls if _off_host(url)]
        elif path.relative_to(html).as_posix() == "search/search_index.js":
            # The offline plugin's search index: one JSON literal, data (page text quoting
            # URLs), never code that fetches.
            json.loads(path.read_text().removeprefix("var __index = "))
        elif path.suffix == ".js":
            for _, url in _JS_URL.findall(path.read_text()):
                if not url.startswith(tuple(ALLOWED_IN_BUNDLE)):
                    found.append((path, url))
    assert [f"{path.relative_to(html)}: {url}" for path, url in found] == []


def test_what_the_theme_could_fetch_never_triggers(html):
    pages = [path.read_text() for path in html.rglob("*.html")]
    assert not any(re.search(r'class="[^"]*\bmermaid\b', page) for page in pages)
    assert "repo_url" not in (Path(__file__).parent.parent / "mkdocs.yml").read_text()
    assert not any("fonts.googleapis.com" in page or "fonts.gstatic.com" in page for page in pages)


# --- from file://, and search --------------------------------------------------------------------

def test_every_page_loads_from_file_with_no_request_off_the_machine(html, tmp_path):
    """Each built page, opened as a file: it asks for nothing but files (no http(s) at all), and
    links to pages, never to folders (which a browser shows as listings)."""
    pages = {page.as_uri(): page for page in sorted(html.rglob("*.html"))}
    assert len(pages) > 20
    loaded_pages = []
    with Browser(chromium_command(tmp_path), tabs=2) as browser:
        for uri, loaded in browser.load_all(pages):
            page = pages[uri]
            loaded_pages.append(page)
            assert "<h1" in loaded.dom, page
            # The page itself and its stylesheets: a log that saw them sees all. (A request the
            # previous page made after its load event, its favicon, may come first.)
            assert page.as_uri() in loaded.requests and any(
                url.endswith(".css") for url in loaded.requests), loaded.requests
            assert [url for url in loaded.requests
                    if not url.startswith(("file:", "data:", "blob:"))] == [], page
            folders = re.findall(r'<a [^>]*href="((?!https?:)[^"#?]*/)(?:#[^"]*)?"', loaded.dom)
            assert folders == [], f"{page}: links to folders {folders}"
    assert sorted(loaded_pages) == sorted(pages.values())


@pytest.mark.parametrize("page, query", [("index.html", "scheduler"), ("index.html", "调度"),
                                         ("index.html", "节点代理"), ("index.html", "节点选择"),
                                         ("zh/index.html", "调度"), ("zh/index.html", "请求旅程")])
def test_search_finds_english_and_chinese_words_from_file(html, tmp_path, page, query):
    """A search typed into the page opened from file:// (Material reads `?q=`) lists results:
    the offline plugin's inlined index and the shipped iframe-worker shim need no server, and
    Chinese text was cut into words when the site was built (jieba, with the manifest's terms
    whole: 节点代理 is one word, and 调度 finds 调度器 by its beginning)."""
    dom = chromium(tmp_path, "--virtual-time-budget=20000", "--dump-dom",
                   f"{(html / page).as_uri()}?q={query}").stdout
    meta = re.search(r'class="md-search-result__meta">([^<]*)<', dom)
    # Material words the count in the page's language.
    assert meta and re.match(r"\d+ (matching documents?|个符合条件的结果)", meta.group(1)), meta and meta.group(1)
    assert 'class="md-search-result__item"' in dom


@pytest.mark.parametrize("page, name", [
    ("reference/scheduler.plugins.noderesources.html#reference_impl.scheduler.plugins.noderesources.Fit.filter",
     "go-beside-python"),
    ("packages/kubernetes/k8s.io_kubernetes_pkg_scheduler.html", "package-page"),
    ("zh/components/kube-scheduler.html", "chinese-page")])
def test_screenshots_of_the_new_views(html, tmp_path, page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    # Headless Chromium paints nothing when it is given a URL with a fragment; a page holding
    # the view in a frame scrolls the frame to it.
    frame = tmp_path / "frame.html"
    frame.write_text(f'<body style="margin:0"><iframe src="{(html / page.partition("#")[0]).as_uri()}'
                     f'{"#" + page.partition("#")[2] if "#" in page else ""}" '
                     f'style="border:0;width:1400px;height:2000px"></iframe></body>')
    chromium(tmp_path, "--virtual-time-budget=5000", "--allow-file-access-from-files",
             f"--screenshot={shot}", frame.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000


# --- size and height budgets ----------------------------------------------------------------------

PAGE_HTML = 1_000_000  # bytes a built page may have, theme and navigation included
# Pixels a page may be tall at 1400 px wide: a component page reads as a page (evidence, trees
# and sources folded); a journey is one line per step, each step's functions folded.
COMPONENT_HEIGHT = 6_000
JOURNEY_HEIGHT = 14_000  # node-silent: 123 steps since the node lifecycle controller marks pods NotReady


def page_height(page: Path, tmp_path: Path) -> int:
    """The rendered height in pixels of a built page opened from file://, 1400 px wide: a frame
    page loads it and writes its scroll height into its own DOM, which Chromium dumps."""
    frame = tmp_path / "height.html"
    frame.write_text(
        f'<body style="margin:0"><iframe id="page" src="{page.as_uri()}" '
        'style="border:0;width:1400px;height:900px"></iframe><script>'
        'document.getElementById("page").onload = function () {'
        '  var out = document.createElement("pre"); out.id = "height";'
        '  out.textContent = this.contentDocument.documentElement.scrollHeight;'
        '  document.body.appendChild(out); };</script></body>')
    dom = chromium(tmp_path, "--virtual-time-budget=10000", "--allow-file-access-from-files",
                   "--dump-dom", frame.as_uri()).stdout
    found = re.search(r'<pre id="height">(\d+)</pre>', dom)
    assert found, f"no height measured for {page}"
    return int(found.group(1))


def test_no_built_page_is_over_the_size_budget(html):
    sizes = {path.relative_to(html).as_posix(): path.stat().st_size for path in html.rglob("*.html")}
    assert {name: size for name, size in sizes.items() if size > PAGE_HTML} == {}


@pytest.mark.parametrize("page, budget", [
    ("components/kube-scheduler.html", COMPONENT_HEIGHT),
    ("zh/components/kube-scheduler.html", COMPONENT_HEIGHT),
    ("components/kube-controller-manager.html", COMPONENT_HEIGHT),
    ("journeys/node-silent.html", JOURNEY_HEIGHT),
    ("zh/journeys/node-silent.html", JOURNEY_HEIGHT)])
def test_a_page_stays_within_its_height_budget(html, tmp_path, page, budget):
    """The longest pages, as a reader scrolls them: node-silent is the longest journey (123 steps)."""
    height = page_height(html / page, tmp_path)
    assert 1000 < height <= budget, f"{page} is {height} px tall"


def test_a_chinese_page_has_a_chinese_navigation_and_theme(html):
    """mkdocs names a section after its folder; the hook renames them, and gives a Chinese page
    the navigation of the Chinese tree and the theme's Chinese words, an English page the rest."""
    zh = (html / "zh" / "journeys" / "create-deployment.html").read_text()
    titles = set(re.findall(r'md-ellipsis">\s*([^<]*?)\s*<', zh))
    assert {"组件", "请求旅程", "Go 与 Python 对照", "版本", "清单漂移", "如何阅读生成的页面"} <= titles
    assert not titles & {"Components", "Request journeys", "Versions", "Zh", "中文", "Manifest drift"}
    assert '<html lang="zh"' in zh and 'placeholder="搜索"' in zh
    en = (html / "journeys" / "create-deployment.html").read_text()
    titles = set(re.findall(r'md-ellipsis">\s*([^<]*?)\s*<', en))
    assert {"Components", "Request journeys", "Go beside Python", "Versions"} <= titles
    assert not titles & {"组件", "中文", "Zh"}
    assert '<html lang="en"' in en and 'placeholder="Search"' in en


def test_source_and_call_lists_stay_out_of_the_search_index(html):
    """Functions are found by their headings and signatures; their source, their callers and
    callees (most of the index on the real trees) and the Chinese copies of package pages are
    not indexed."""
    docs = json.loads((html / "search" / "search_index.json").read_text())["docs"]
    text = "\n".join(doc["title"] + doc["text"] for doc in docs)
    assert any(doc["title"] == "scheduler.WithPercentageOfNodesToScore" for doc in docs)
    assert "func scheduler.WithPercentageOfNodesToScore(percentage int32) Option" in text
    assert "func WithPercentageOfNodesToScore(" not in text  # the excerpt's first line
    assert "called by" not in text and "def filter" not in text
    assert not any(doc["location"].startswith("zh/packages/kubernetes/") for doc in docs)
    assert any(doc["location"].startswith("zh/journeys/") for doc in docs)
