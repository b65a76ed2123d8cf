"""Request journeys: one user action followed across the components, for the site.

Each journey is a recorded trace of the reference cluster (benchmarks/record_journeys.py writes
`<name>.json` beside this module): the writes the apiserver served, the watch events that reached
the components and the decisions they made, in the order they happened. A page draws it as a
sequence diagram and lists its steps; each step names the reference function that did it (read
from reference_impl's source with `ast`, never imported) and, through that function's `@mirrors`,
the Go function upstream that does the same, as a permalink pinned to the analysed commit with a
short excerpt of its source.

`check` lists the Go names of every step that the index does not define; `kubeatlas journeys
check` runs it, and a page marks such a name instead of linking it. Prose lives in STRINGS keyed
by language ("en", "zh"), so the site can offer either.
"""
from __future__ import annotations

import ast
import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from analyzer import sitetext
from analyzer.errors import AnalyzerError
from analyzer.gitobjects import BlobReader
from analyzer.query import GraphIndex, QueryError
from analyzer.render import short_name

DATA = Path(__file__).parent
REFERENCE_ROOT = Path(__file__).resolve().parent.parent.parent / "reference_impl"
EXCERPT_LINES = 12  # lines of a function's source shown under a step, from its first line
REPO = "kubernetes"  # every journey step mirrors Kubernetes code (etcd is reached through it)

# In the order the site lists them; each title and lead in both languages.
JOURNEYS = {
    "create-deployment": {
        "en": ("Create a Deployment",
               "`kubectl apply` of a Deployment with two replicas, in a namespace whose Service "
               "selects its pods: from the apiserver's checks and etcd, through the deployment and "
               "ReplicaSet controllers, the scheduler and the kubelets, to the endpoints and "
               "kube-proxy's rules."),
        "zh": ("创建 Deployment",
               "用 `kubectl apply` 创建一个两副本的 Deployment（所在命名空间里已有选中其 Pod 的 Service）："
               "从 apiserver 的认证、鉴权、准入和 etcd 写入，经 Deployment 与 ReplicaSet 控制器、"
               "调度器和 kubelet，直到 Endpoints 与 kube-proxy 的转发规则。")},
    "scale-deployment": {
        "en": ("Scale a Deployment",
               "`kubectl scale` of the same Deployment to three replicas: the scale subresource, "
               "the ReplicaSet resized, one more pod scheduled, started and added to the endpoints."),
        "zh": ("扩容 Deployment",
               "用 `kubectl scale` 把同一个 Deployment 扩到三个副本：scale 子资源、ReplicaSet 调整副本数，"
               "多出的 Pod 被调度、启动并加入 Endpoints。")},
    "node-silent": {
        "en": ("A node goes silent",
               "The kubelet of a node running a replica stops (SIGSTOP) and no longer renews its "
               "Lease: the node lifecycle controller marks the node Unknown and taints it, the pod "
               "is evicted once its toleration runs out and replaced on another node; then the "
               "kubelet runs again and stops the evicted pod."),
        "zh": ("节点失联",
               "运行着一个副本的节点上的 kubelet 停住（SIGSTOP），不再续约 Lease：节点生命周期控制器把节点标为 "
               "Unknown 并打上污点，Pod 在容忍时间过后被驱逐并在别的节点上重建；之后 kubelet 恢复运行，停止被驱逐的 Pod。")},
    "delete-namespace": {
        "en": ("Delete a namespace",
               "`kubectl delete namespace`: the namespace is marked for deletion, the namespace "
               "controller deletes everything in it, the kubelets stop the pods, and the namespace "
               "is finalized and removed."),
        "zh": ("删除命名空间",
               "`kubectl delete namespace`：命名空间被标记删除，命名空间控制器删除其中所有对象，kubelet "
               "停止 Pod，最后命名空间完成 finalize 并被移除。")},
}

STRINGS = {
    "en": {
        "request": "{source} asks the apiserver to **{verb}** {what}",
        "authenticated": "authenticated as `{user}`",
        "authorized": "authorized",
        "refused": "refused by the authorizer",
        "admitted": "mutating admission: {plugins}",
        "validated": "validating admission: {plugins}",
        "etcd": "etcd transaction: {op} `{key}`",
        "scheduled": "filters pass {feasible}; scores {scores}; {host} chosen",
        "watch": "watch event **{type}** {what} reaches {to}",
        "decision": "**{component}** acts on {what}: {requests}",
        "decision_no_object": "**{component}** decides: {requests}",
        "rules": "**{component}** syncs its rules: {endpoints}",
        "go": "Go upstream:",
        "reference": "reference:",
        "not_found": "not found in the analysed commit",
        "no_mirror": "no `@mirrors` tag",
        "steps": "Steps",
        "diagram": "Sequence",
        "recorded": ("Recorded from a traced run of the reference cluster ({kubelets} kubelets) by "
                     "`python benchmarks/record_journeys.py`; Go links are pinned to {repo} at `{sha}`."),
        "not_indexed": "{repo} is not indexed: Go functions are named but not linked.",
        "steps_lead": ("Open a step to see the Go function upstream that does it and the reference "
                       "function that mirrors it, with their source."),
        "index_title": "Request journeys",
        "index_lead": ("One user action followed across the components, step by step, as the "
                       "reference cluster performed it. Each step links the Go function upstream "
                       "and the reference function that mirrors it."),
    },
    "zh": {
        "request": "{source} 请求 apiserver **{verb}** {what}",
        "authenticated": "认证为 `{user}`",
        "authorized": "鉴权通过",
        "refused": "被鉴权拒绝",
        "admitted": "变更准入插件：{plugins}",
        "validated": "验证准入插件：{plugins}",
        "etcd": "etcd 事务：{op} `{key}`",
        "scheduled": "通过过滤的节点：{feasible}；打分：{scores}；选中 {host}",
        "watch": "watch 事件 **{type}** {what} 送达 {to}",
        "decision": "**{component}** 处理 {what}：{requests}",
        "decision_no_object": "**{component}** 决定：{requests}",
        "rules": "**{component}** 同步转发规则：{endpoints}",
        "go": "上游 Go：",
        "reference": "参考实现：",
        "not_found": "在分析的提交中未找到",
        "no_mirror": "没有 `@mirrors` 标注",
        "steps": "步骤",
        "diagram": "时序图",
        "recorded": ("由 `python benchmarks/record_journeys.py` 在参考集群（{kubelets} 个 kubelet）上开启追踪运行录制；"
                     "Go 链接固定在 {repo} 的 `{sha}`。"),
        "not_indexed": "{repo} 尚未索引：只列出 Go 函数名，不带链接。",
        "steps_lead": "展开一个步骤，可以看到完成这一步的上游 Go 函数和与之对应的参考实现函数，以及它们的源码。",
        "index_title": "请求旅程",
        "index_lead": "跟随一次用户操作穿过各个组件，逐步展示参考集群的实际执行；每一步都链接到上游 Go 函数和与之对应的参考实现函数。",
    },
}

# The apiserver's REST handler for each verb: the request record names the filter chain, and the
# verb decides which handler the chain hands the request to.
REST_HANDLER = {verb: f"reference_impl.apiserver.core.handlers.RESTHandlers.{verb}"
                for verb in ("create", "update", "patch", "delete", "deletecollection")}
LIFELINES = ("kubectl", "apiserver", "etcd", "controller-manager", "scheduler", "kubelet", "proxy")


class JourneyError(AnalyzerError):
    """A journey file that cannot be read."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


# --- recorded journeys -------------------------------------------------------------------------

def load(directory: Path = DATA) -> dict[str, dict]:
    """Every recorded journey in `directory`, in JOURNEYS order (unknown names last, by name)."""
    journeys = {}
    order = {name: position for position, name in enumerate(JOURNEYS)}
    for path in sorted(directory.glob("*.json"), key=lambda p: (order.get(p.stem, len(order)), p.stem)):
        try:
            journey = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise JourneyError(path, f"not a journey file: {error}") from None
        if not isinstance(journey, dict) or not isinstance(journey.get("steps"), list):
            raise JourneyError(path, "not a journey file: no list of steps")
        for number, step in enumerate(journey["steps"], 1):
            problem = _step_problem(step)
            if problem:
                raise JourneyError(path, f"not a journey file: step {number}{problem}")
        journeys[path.stem] = journey
    return journeys


def _step_problem(step: object) -> str:
    """What keeps `step_functions` from reading `step` (as ' has no kind'), or ''."""
    if not isinstance(step, dict):
        return " is not an object"
    if not isinstance(step.get("kind"), str):
        return " has no kind"
    if step["kind"] == "request" and not isinstance(step.get("verb"), str):
        return " has no verb"
    functions = step.get("functions", [])
    if not isinstance(functions, list) or not all(isinstance(f, str) for f in functions):
        return ": functions is not a list of names"
    return ""


def step_functions(step: dict) -> list[tuple[str, str]]:
    """(role, reference qualname) for each thing a step did, in order."""
    functions = list(step.get("functions", ()))
    if step["kind"] != "request":
        # A scheduler's decision also names the cycle that filtered and scored the nodes.
        return [(step["kind"] if position == 0 else "scheduled", f) for position, f in enumerate(functions)]
    roles = {"HandlerChain.handle": "request", "HandlerChain.authenticate": "authenticated",
             "HandlerChain.authorize": "authorized", "AdmissionChain.admit": "admitted",
             "AdmissionChain.validate": "validated"}
    out = [(next((r for suffix, r in roles.items() if f.endswith(suffix)), "etcd"), f) for f in functions]
    handler = REST_HANDLER.get(step["verb"])
    if handler:
        position = next((i for i, (role, _) in enumerate(out) if role in ("admitted", "etcd")), len(out))
        out.insert(position, ("handler", handler))
    return out


# --- reference functions, read with ast ----------------------------------------------------------

@dataclass(frozen=True)
class ReferenceFunction:
    qualname: str  # module.qualname, as Python names it
    path: str  # relative to the repository root
    line: int
    end_line: int
    mirrors: tuple[str, ...]  # the Go symbols of its @mirrors, () when it has none
    calls: tuple[str, ...]  # simple names it calls, in source order
    source: str  # its first EXCERPT_LINES lines


def _mirrors_of(node: ast.AST) -> tuple[str, ...]:
    for decorator in getattr(node, "decorator_list", ()):
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "mirrors":
            return tuple(a.value for a in decorator.args if isinstance(a, ast.Constant))
    return ()


@cache
def reference_functions(root: Path = REFERENCE_ROOT) -> dict[str, ReferenceFunction]:
    """Every function and method under `root`, by module.qualname (nested ones as
    `outer.<locals>.inner`, as Python spells them)."""
    functions: dict[str, ReferenceFunction] = {}
    base = root.parent
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        module = ".".join(path.relative_to(base).with_suffix("").parts).removesuffix(".__init__")

        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    qualname = f"{prefix}{child.name}"
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    calls = tuple(c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id
                                  for c in ast.walk(child) if isinstance(c, ast.Call)
                                  and isinstance(c.func, (ast.Attribute, ast.Name)))
                    functions[f"{module}.{qualname}"] = ReferenceFunction(
                        f"{module}.{qualname}", path.relative_to(base).as_posix(), child.lineno,
                        child.end_lineno or child.lineno, _mirrors_of(child), calls,
                        "\n".join(lines[first - 1: min(child.end_lineno or first, first - 1 + EXCERPT_LINES)]))
                    visit(child, f"{qualname}.<locals>.")

        visit(ast.parse(text, str(path)), "")
    return functions


def mirrored(qualname: str, functions: dict[str, ReferenceFunction]) -> ReferenceFunction | None:
    """The function a trace line names, or, when it carries no @mirrors, the function around it
    (a generator inside a handler) or else the first function of its module it calls that does."""
    function = functions.get(qualname)
    if function is None or function.mirrors:
        return function
    outer = qualname
    while ".<locals>." in outer:
        outer = outer.rsplit(".<locals>.", 1)[0]
        if (around := functions.get(outer)) and around.mirrors:
            return around
    module = qualname.rsplit(".", 1)[0]
    for called in function.calls:
        candidates = [f for name, f in functions.items()
                      if f.mirrors and name.rsplit(".", 1)[-1] == called and name.startswith(module)]
        if candidates:
            return candidates[0]
    return function


# --- Go functions, from the index ---------------------------------------------------------------

@dataclass(frozen=True)
class GoFunction:
    name: str
    short: str
    permalink: str  # "" when the commit does not define it
    location: str  # "path:line"
    excerpt: str  # "" when its source is not at hand


class GoSource:
    """Go functions of the analysed Kubernetes commit, with their source read from the git
    directory the index was built from (recorded in sources.json beside the index)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        try:
            self.index: GraphIndex | None = GraphIndex.open(db, REPO)
        except QueryError:
            self.index = None
        self._functions: dict[str, GoFunction] = {}
        self._git_dir = self._find_git_dir() if self.index else None

    def _find_git_dir(self) -> str | None:
        database = next((row[2] for row in self.db.execute("PRAGMA database_list") if row[1] == "main"), "")
        sources = Path(database).parent / "sources.json" if database else None
        try:
            record = json.loads(sources.read_text())[REPO] if sources else None
        except (OSError, ValueError, KeyError):
            return None
        git_dir = record.get("git_dir") if isinstance(record, dict) else None
        return git_dir if git_dir and Path(git_dir).exists() else None

    def function(self, name: str) -> GoFunction:
        if name not in self._functions:
            self._functions[name] = self._look_up(name)
        return self._functions[name]

    def _look_up(self, name: str) -> GoFunction:
        if self.index is None or not self.index.has(name):
            return GoFunction(name, short_name(name), "", "", "")
        info = self.index.describe(name)
        if not info.path:
            return GoFunction(name, short_name(name), "", "", "")
        return GoFunction(name, short_name(name), info.permalink, f"{info.path}:{info.line}",
                          self._excerpt(info.path, info.line, info.end_line))

    def _excerpt(self, path: str, line: int, end_line: int) -> str:
        if self._git_dir is None:
            return ""
        row = self.db.execute("SELECT blob_sha FROM files WHERE commit_id = ? AND path = ?",
                              (self.index.commit.id, path)).fetchone()
        if row is None:
            return ""
        with BlobReader(self._git_dir) as reader:
            data = reader.read(row[0])
        if data is None:
            return ""
        lines = data.decode("utf-8", "replace").splitlines()
        return "\n".join(lines[line - 1: min(end_line, line - 1 + EXCERPT_LINES)])


@dataclass(frozen=True)
class Unresolved:
    journey: str
    step: int  # 1-based, as the page numbers it
    reference: str
    go: str  # "" when the reference function has no @mirrors (or is not in reference_impl)


def check(db: sqlite3.Connection, journeys: dict[str, dict] | None = None) -> list[Unresolved]:
    """Every step's Go symbol that the analysed Kubernetes commit does not define."""
    journeys = load() if journeys is None else journeys
    functions = reference_functions()
    go = GoSource(db)
    missing = []
    for name, journey in journeys.items():
        for number, step in enumerate(journey["steps"], 1):
            for _, qualname in step_functions(step):
                function = mirrored(qualname, functions)
                if function is None or not function.mirrors:
                    missing.append(Unresolved(name, number, qualname, ""))
                    continue
                missing += [Unresolved(name, number, function.qualname, symbol)
                            for symbol in function.mirrors if not go.function(symbol).permalink]
    return missing


# --- pages ---------------------------------------------------------------------------------------

def _what(ref: dict) -> str:
    kind = ref.get("kind") or ref.get("resource", "")
    place = f"{ref['namespace']}/" if ref.get("namespace") else ""
    return f"{kind} `{place}{ref.get('name', '')}`".strip()


def _request_text(request: dict) -> str:
    resource = request.get("resource", "")
    if request.get("subresource"):
        resource += f"/{request['subresource']}"
    target = request.get("name") or request.get("pod", "")
    if request.get("namespace") and target:
        target = f"{request['namespace']}/{target}"
    node = f" → {request['node']}" if request.get("node") else ""
    return f"{request['verb']} {resource} `{target}`{node}".replace("  ", " ").replace(" ``", "")


def describe(step: dict, lang: str = "en") -> str:
    """The step in one line of Markdown, in `lang`."""
    text = STRINGS[lang]
    kind = step["kind"]
    if kind == "request":
        return text["request"].format(source=f"**{step['from']}**", verb=step["verb"],
                                      what=_request_text({**step, "verb": ""}).strip())
    if kind == "watch":
        return text["watch"].format(type=step["type"], what=_what(step["object"]),
                                    to=", ".join(f"**{p}**" for p in step["to"]))
    if kind == "decision":
        requests = "; ".join(_request_text(r) for r in step["requests"])
        if step.get("object"):
            return text["decision"].format(component=step["component"], what=_what(step["object"]),
                                           requests=requests)
        return text["decision_no_object"].format(component=step["component"], requests=requests)
    endpoints = ", ".join(f"`{name}` {count}" for name, count in sorted(step["endpoints"].items()))
    return text["rules"].format(component=step["component"], endpoints=endpoints or "—")


def _detail(role: str, step: dict, lang: str) -> str:
    text = STRINGS[lang]
    if role == "authenticated" and step.get("user"):
        return text["authenticated"].format(user=step["user"])
    if role == "authorized":
        return text["authorized" if step.get("authorized", True) else "refused"]
    if role == "admitted" and step.get("admission") is not None:
        return text["admitted"].format(plugins=", ".join(step["admission"]) or "—")
    if role == "validated" and step.get("validation") is not None:
        return text["validated"].format(plugins=", ".join(step["validation"]) or "—")
    if role == "etcd" and step.get("etcd"):
        return text["etcd"].format(**step["etcd"])
    if role == "scheduled" and step.get("scheduling"):
        cycle = step["scheduling"]
        scores = ", ".join(f"{node} {score}" for node, score in sorted(cycle["scores"].items()))
        return text["scheduled"].format(feasible=", ".join(cycle["feasible"]), scores=scores or "—",
                                        host=cycle["host"])
    return ""


@dataclass(frozen=True)
class Link:
    detail: str  # what this function did in the step, "" when the step line says it
    reference: ReferenceFunction | None
    qualname: str
    go: tuple[GoFunction, ...]
    first: bool  # first appearance on the page: excerpts are shown


@dataclass(frozen=True)
class StepView:
    number: int
    text: str
    links: tuple[Link, ...]


def page(name: str, journey: dict, go: GoSource, lang: str = "en") -> dict:
    """What journey.md.j2 needs for one journey."""
    functions = reference_functions()
    seen: set[str] = set()
    steps = []
    for number, step in enumerate(journey["steps"], 1):
        links = []
        for role, qualname in step_functions(step):
            function = mirrored(qualname, functions)
            key = function.qualname if function else qualname
            links.append(Link(_detail(role, step, lang), function, qualname,
                              tuple(go.function(s) for s in (function.mirrors if function else ())),
                              key not in seen))
            seen.add(key)
        steps.append(StepView(number, describe(step, lang), tuple(links)))
    title, lead = JOURNEYS.get(name, {}).get(lang, (name, ""))
    commit = go.index.commit if go.index else None
    return {"name": name, "title": title, "lead": lead, "steps": steps, "text": STRINGS[lang],
            "switch": _switch(lang, f"journeys/{name}.md"),
            "svg": sequence_svg(journey["steps"]), "commit": commit, "repo": REPO,
            "recorded": STRINGS[lang]["recorded"].format(
                kubelets=journey.get("kubelets", "?"), repo=REPO, sha=commit.sha[:12] if commit else "—")}


def build(db: sqlite3.Connection, out_dir: Path, env) -> list[str]:
    """Write journeys/<name>.md for each recorded journey and journeys/index.md in every language
    (under zh/ for Chinese); return them. The journeys and their Go functions are read once."""
    journeys = load()
    go = GoSource(db)
    pages = []
    for lang in sitetext.LANGUAGES:
        for name, journey in journeys.items():
            pages.append(_write(out_dir, sitetext.page_path(lang, f"journeys/{name}.md"),
                                env.get_template("journey.md.j2").render(page(name, journey, go, lang))))
        listing = [(name, JOURNEYS.get(name, {}).get(lang, (name, ""))) for name in journeys]
        pages.append(_write(out_dir, sitetext.page_path(lang, "journeys/index.md"), env.get_template(
            "journeys.md.j2").render({"journeys": listing, "text": STRINGS[lang],
                                      "switch": _switch(lang, "journeys/index.md")})))
    return pages


def _switch(lang: str, name: str) -> str:
    """The line that links the page `name` to its version in the other language."""
    return sitetext.text(lang)["switch"].format(other=sitetext.twin(lang, name))


def _write(out_dir: Path, name: str, text: str) -> str:
    path = out_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


# --- the sequence diagram ----------------------------------------------------------------------

COLUMN, ROW, TOP, LEFT = 132, 24, 40, 44


def _lifeline(process: str) -> str:
    base = process.rsplit("-", 1)[0] if process.rsplit("-", 1)[-1].isdigit() else process
    return base if base in LIFELINES else "kubectl"


def _arrows(steps: list[dict]) -> list[tuple[int, str, str, str, bool]]:
    """(step number, from, to, label, dashed) per arrow; from == to is a decision on itself."""
    arrows = []
    for number, step in enumerate(steps, 1):
        kind = step["kind"]
        if kind == "request":
            label = f"{step['verb']} {step['resource']}" + (f"/{step['subresource']}" if step["subresource"] else "")
            arrows.append((number, _lifeline(step["from"]), "apiserver", label, False))
            if step.get("etcd"):
                arrows.append((number, "apiserver", "etcd", f"txn {step['etcd']['op']}", False))
        elif kind == "watch":
            label = f"{step['type']} {step['object'].get('kind', '')}"
            for target in dict.fromkeys(_lifeline(p) for p in step["to"]):
                arrows.append((number, "apiserver", target, label, True))
                label = ""
        else:
            # Class and method (DeploymentController.sync), or module and function (endpoints.sync_service).
            function = ".".join(step["functions"][0].rsplit(".", 2)[-2:])
            arrows.append((number, _lifeline(step["component"]), _lifeline(step["component"]), function, False))
    return arrows


def sequence_svg(steps: list[dict]) -> str:
    """An inline SVG sequence diagram: one lifeline per component, one row per arrow."""
    arrows = _arrows(steps)
    used = {a[1] for a in arrows} | {a[2] for a in arrows}
    lifelines = [name for name in LIFELINES if name in used]
    x = {name: LEFT + COLUMN // 2 + i * COLUMN for i, name in enumerate(lifelines)}
    width = LEFT + COLUMN * len(lifelines) + 150  # room for the last lifeline's labels
    height = TOP + ROW * (len(arrows) + 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="kubeatlas-journey" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>']
    for name in lifelines:
        out.append(f'<text x="{x[name]}" y="20" text-anchor="middle" font-weight="bold">{escape(name)}</text>')
        out.append(f'<line x1="{x[name]}" y1="28" x2="{x[name]}" y2="{height - 4}" stroke="#bbb"/>')
    previous = None
    for row, (number, source, target, label, dashed) in enumerate(arrows, 1):
        y = TOP + row * ROW
        if number != previous:
            out.append(f'<text x="4" y="{y + 4}" fill="#666">{number}</text>')
            previous = number
        if source == target:
            left = x[source]
            out.append(f'<path d="M{left},{y - 8} h18 v14 h-16" fill="none" stroke="#1565c0" '
                       f'marker-end="url(#arrow)"/>')
            out.append(f'<text x="{left + 22}" y="{y + 2}" fill="#1565c0">{escape(label)}</text>')
            continue
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(f'<line x1="{x[source]}" y1="{y}" x2="{x[target]}" y2="{y}" stroke="#333"{dash} '
                   f'marker-end="url(#arrow)"/>')
        if label:
            middle = x[source] + 6 if x[target] > x[source] else x[target] + 6
            out.append(f'<text x="{middle}" y="{y - 4}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)
