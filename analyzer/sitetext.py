"""The prose the generated pages write, in English and in Chinese: one table per language.

Templates get one of these tables as `t` (with `lang`), so a page's words live here and its
layout in the template. Go identifiers, paths and commands are never translated; they stay as the
source spells them. The request journeys keep their step sentences in `analyzer.journeys`, where
the steps are worded, and the component pages their manifest prose in `components.toml`.
"""
from __future__ import annotations

LANGUAGES = ("en", "zh")

# Where each language's generated pages live, relative to the docs folder.
PREFIX = {"en": "", "zh": "zh/"}

# Section titles of the navigation, by folder (mkdocs names a section after its folder; the
# mkdocs hook renames it from this table).
NAV = {
    "en": {"components": "Components", "journeys": "Request journeys", "reference": "Go beside Python",
           "versions": "Versions", "packages": "Packages", "zh": "中文"},
    "zh": {"components": "组件", "journeys": "请求旅程", "reference": "Go 与 Python 对照",
           "versions": "版本", "packages": "包"},
}

TEXT = {
    "en": {
        "switch": "[中文]({other}) · English.",
        # component pages
        "analysed": ("Analysed in **{repo}** at commit `{sha}` (fetched as `{ref}` from {url}). Every "
                     "source link on this page is pinned to that commit."),
        "repo_not_indexed": ("**{repo} is not indexed**: run `kubeatlas fetch {repo}` and "
                             "`kubeatlas index {repo}`, then build the site again."),
        "logic": "Logic",
        "entrypoints_title": "Entrypoints and main loop",
        "entrypoint": "entrypoint", "main_loop": "main loop",
        "not_found": "**not found in this commit**",
        "under_other_name": " (the manifest's {name}, under another era's name)",
        "diagram_title": "From entrypoint to main loop",
        "diagram_path": ("The shortest call paths from each entrypoint to the main loop {loop}, and the "
                         "functions the main loop calls directly{omitted}."),
        "diagram_path_omitted": " ({count} more of them left out to keep the picture readable)",
        "diagram_no_path": ("No call path from an entrypoint to the main loop was found in this commit; "
                            "the picture shows the first two levels of the entrypoints' calls{omitted}."),
        "diagram_no_path_omitted": " ({count} more functions left out)",
        "diagram_legend": (
            "It draws {nodes} boxes, {filters}; the main loop's calls of flag parsing, cobra, logging, "
            "metrics and tracing code are one labelled box for each kind. Bold arrows are `go` "
            "statements, dashed ones calls through an interface or a function value, dotted ones "
            "candidate implementations; a box links to the function on its package page (or to its "
            "source). The picture is scaled to the column: [open it on its own (zoomable)]({file})."),
        "capabilities_title": "Capabilities",
        "capabilities_lead": (
            "Each claim is written by hand (in `analyzer/components.toml`); the functions under it are "
            "checked by `kubeatlas drift` against every analysed commit. Open the list to see them, "
            "and a function to read its source; where a reference function mirrors it, the Go and the "
            "Python are shown side by side."),
        "evidence_summary": "The functions that carry it out ({count})",
        "mirrored_by": "Mirrored by",
        "nor_as": "nor as",
        "key_files_title": "Key files",
        "written_as": " (written in the manifest as {name})",
        "not_in_commit": "**not in this commit**",
        "trees_title": "Call trees",
        "trees_lead": (
            "What each function calls, {depth} levels down from an entrypoint and {loop_depth} from the "
            "main loop, {filters}. Each line gives how the call was found, the callee, the first "
            "sentence of its doc comment and a link to the call site; an interface call lists beneath "
            "it the implementations found for it (at most {implementations}). A function shows at most "
            "{children} callees, in the order it calls them; when it calls more, those that start "
            "goroutines and those that call the most themselves are kept. Each tree is folded: open it "
            "to read it."),
        "tree_of": "Call tree of {name}",
        "callees_above": "Its callees are listed above.",
        "calls_nothing": "It calls nothing outside the packages left out.",
        "elsewhere": "Elsewhere on this site",
        "drift_link": "[Manifest drift]({page}): whether each symbol and file above exists in every analysed commit.",
        "reference_link": "[Go beside Python]({page}): every reference function next to the Go it mirrors.",
        "version_link": "[{title}]({page}): what changed in this component's call tree.",
        # version pages
        "era": "{version} era",
        "version_lead": "What changed in each component's call tree between two analysed commits of {repo}:",
        "version_columns": "| | commit | fetched as | source |",
        "old": "old", "new": "new",
        "version_rules": (
            "A component's call tree here is every function within {depth} calls of its entrypoints "
            "and of its main loop, {filters}. A function is\n\n"
            "- *moved* when it is defined in another file, or when one function left the tree and "
            "another with the same name but another import path joined it (it went to another package);\n"
            "- *renamed* when a function that left and one that joined are in the same package or "
            "file and their names are at least {ratio}% alike;\n"
            "- *added* or *removed* otherwise, when it joined or left the tree: *new* when the old "
            "commit does not define it at all, *gone* when the new one no longer does; without a "
            "note, only the calls to it changed. Interface methods are listed without a link."),
        "filters": "the standard library, logging and vendored packages left out",
        "no_roots": "None of its entrypoints is defined in either commit.",
        "no_change": "No change: the same {count} functions, in the same files.",
        "change_counts": ("{old} functions before, {new} after: {added} added, {removed} removed, "
                          "{moved} moved, {renamed} renamed."),
        "added": "Added", "removed": "Removed", "moved": "Moved", "renamed": "Renamed",
        "note_new": "new", "note_gone": "gone",
        "function": "function", "defined_in": "defined in", "from": "from", "to": "to",
        "similarity": "similarity", "as": "as",
        # drift
        "drift_title": "Manifest drift",
        "drift_lead": (
            "The component manifest names, for every component, its entrypoints, key files, main "
            "loop and the symbols that carry out each capability. This page checks each of them "
            "against every analysed commit of the component's repository:\n\n"
            "- **found**: exactly as written;\n"
            "- **moved**: under one of the other-era names the manifest lists, or failing that under "
            "the same short name in another package (a file: the same file name in a related "
            "directory); the cell says what matched;\n"
            "- **missing**: nowhere in that commit."),
        "drift_counts": "{total} checks: {found} found, {moved} moved, {missing} missing.",
        "not_indexed": "Not checked, because their repository is not indexed: {names}.",
        "drift_component": "[{name}]({page}) in {repo}.",
        "item": "item", "not_checked": "not checked", "found": "found", "missing_cell": "**missing**",
        "moved_cell": "moved: ", "sep": ": ",
        "kinds": {"entrypoint": "entrypoint", "file": "file", "main loop": "main loop"},
        # package pages
        "package_lead": ("Package of {repo} linked by {programs}: {functions} functions and methods, "
                         "in file order{generated}. Each gives its signature, doc, callers, callees and "
                         "implementations (up to {limit} of each); short functions and those the site's "
                         "pages name show their source (at most {excerpts} per page, the rest linked)."),
        "package_generated": ", and {count} in generated files listed at the end",
        "package_parts": ("The package is large, so its files are split over {count} pages "
                          "(at most {functions} functions each):"),
        "part": "part {number}", "this_part": "this page", "page_of": "page {number} of {count}",
        "part_files": "{first} … {last}",
        "called_by": "called by", "calls": "calls", "implemented_by": "implemented by",
        "and_more": "and {count} more", "source": "source",
        "generated_title": "Functions of generated files",
        "generated_lead": ("{count} functions and methods written by code generators (deep copies, "
                           "conversions, defaults, protobuf), one line each:"),
        "packages_title": "Packages",
        "packages_lead": ("Every package (outside `vendor/`) of each component's program in the newest "
                          "analysed commit of its repository, with its functions and methods."),
        "packages_columns": "| package | repository | functions | programs |",
        # Go beside Python
        "reference_title": "Go beside Python",
        "reference_package_title": "Go beside Python: reference_impl.{module}",
        "reference_lead": (
            "Every reference function in `reference_impl/` names the Go function it mirrors with "
            "`@mirrors(\"…\")`. The site reads those decorators from the source with `ast` (no "
            "reference module is imported) and checks each name against the newest analysed commit. "
            "Each page below shows the Go excerpt, pinned to that commit, beside the Python excerpt."),
        "reference_package_lead": (
            "Each reference function below, on the right, mirrors the Go function on the left: its "
            "`@mirrors(\"…\")` decorator names that Go function, and the name is checked against the "
            "newest analysed commit (**found**, **missing**, or its repository **not indexed**). Both "
            "are shown from their source: the Go as the index has it, pinned to that commit; the "
            "Python as this project has it."),
        "reference_columns": "| reference module | functions | links | found |",
        "mirrors": "mirrors",
        "status": {"found": "found", "missing": "missing", "not indexed": "not indexed"},
        "go_not_indexed": "*The Go function is not in the index; its name is shown above.*",
        # excerpts
        "more_lines": "… {count} more lines",
        "more_line": "… 1 more line",
        "whole_function": "the whole function",
        "pinned_source": "Pinned source",
    },
    "zh": {
        "switch": "[English]({other}) · 中文。函数与类型名保持 Go 源码中的原样。",
        "analysed": ("分析的是 **{repo}** 的提交 `{sha}`（以 `{ref}` 从 {url} 获取）。"
                     "本页所有源码链接都固定在这个提交上。"),
        "repo_not_indexed": ("**{repo} 尚未索引**：运行 `kubeatlas fetch {repo}` 和 "
                             "`kubeatlas index {repo}`，然后重新生成站点。"),
        "logic": "逻辑",
        "entrypoints_title": "入口与主循环",
        "entrypoint": "入口", "main_loop": "主循环",
        "not_found": "**在此提交中未找到**",
        "under_other_name": "（即清单中的 {name}，这是它在另一时期的名字）",
        "diagram_title": "从入口到主循环",
        "diagram_path": "从每个入口到主循环 {loop} 的最短调用路径，以及主循环直接调用的函数{omitted}。",
        "diagram_path_omitted": "（为保持图的可读性，另有 {count} 个未画出）",
        "diagram_no_path": "在此提交中没有找到从入口到主循环的调用路径；图中是入口的前两层调用{omitted}。",
        "diagram_no_path_omitted": "（另有 {count} 个函数未画出）",
        "diagram_legend": (
            "图中有 {nodes} 个方框（{filters}）；主循环对参数解析、cobra、日志、指标和追踪代码的调用，"
            "每类合并为一个带标注的方框。粗箭头是 `go` 语句，虚线是通过接口或函数值的调用，点线是候选实现；"
            "点击方框可跳到该函数所在的包页面（或其源码）。图会缩放到栏宽，[单独打开此图（可缩放）]({file})。"),
        "capabilities_title": "能力",
        "capabilities_lead": (
            "每项能力的说明是手写的（见 `analyzer/components.toml`），其下列出的函数由 `kubeatlas drift` "
            "在每个已分析的提交中核对。展开列表可看到这些函数，再展开一个函数可看到它的源码摘录；"
            "有参考实现的，Go 与 Python 并排显示。"),
        "evidence_summary": "实现这项能力的函数（{count} 个）",
        "mirrored_by": "参考实现",
        "nor_as": "也不以",
        "key_files_title": "关键文件",
        "written_as": "（清单中写作 {name}）",
        "not_in_commit": "**不在此提交中**",
        "trees_title": "调用树",
        "trees_lead": (
            "每个函数调用了什么：从入口往下 {depth} 层，从主循环往下 {loop_depth} 层（{filters}）。"
            "每行给出调用是如何找到的、被调用的函数、其文档注释的第一句和调用处的链接；接口调用下面列出为它"
            "找到的实现（最多 {implementations} 个）。一个函数最多列出 {children} 个被调用者，按调用顺序；"
            "更多时保留启动 goroutine 的和自身调用最多的。每棵树默认折叠，展开即可阅读。"),
        "tree_of": "{name} 的调用树",
        "callees_above": "它的被调用者已在上面列出。",
        "calls_nothing": "它不调用被排除的包之外的任何函数。",
        "elsewhere": "站内其他页面",
        "drift_link": "[清单漂移]({page})：上面每个符号和文件在每个已分析提交中是否存在。",
        "reference_link": "[Go 与 Python 对照]({page})：参考实现的每个函数与它所对应的 Go 函数并排。",
        "version_link": "[{title}]({page})：该组件调用树的变化。",
        "era": "{version} 时期",
        "version_lead": "{repo} 两个已分析提交之间，各组件调用树的变化：",
        "version_columns": "| | 提交 | 获取时的 ref | 来源 |",
        "old": "旧", "new": "新",
        "version_rules": (
            "这里组件的调用树是指从它的入口和主循环出发、{depth} 层调用以内的所有函数（{filters}）。"
            "一个函数被归为：\n\n"
            "- *移动*：它定义在另一个文件中；或者一个函数离开了调用树，同时另一个同名但导入路径不同的函数"
            "加入（即它搬到了另一个包）；\n"
            "- *改名*：离开和加入的两个函数在同一个包或同一个文件中，且名字相似度至少为 {ratio}%；\n"
            "- 其余情况为*新增*或*删除*，即它加入或离开了调用树：旧提交中根本没有定义它时标为“*新*”，"
            "新提交中不再定义它时标为“*已删*”；没有标注的，只是对它的调用发生了变化。"
            "接口方法不带链接。"),
        "filters": "不含标准库、日志和 vendor 中的包",
        "no_roots": "两个提交中都没有定义它的任何入口。",
        "no_change": "没有变化：同样的 {count} 个函数，位于同样的文件中。",
        "change_counts": ("之前 {old} 个函数，之后 {new} 个：新增 {added} 个，删除 {removed} 个，"
                          "移动 {moved} 个，改名 {renamed} 个。"),
        "added": "新增", "removed": "删除", "moved": "移动", "renamed": "改名",
        "note_new": "新", "note_gone": "已删",
        "function": "函数", "defined_in": "定义位置", "from": "原位置", "to": "新位置",
        "similarity": "相似度", "as": "原名",
        "drift_title": "清单漂移",
        "drift_lead": (
            "组件清单为每个组件写明了它的入口、关键文件、主循环以及实现每项能力的符号。本页在组件所属仓库的"
            "每个已分析提交中逐一核对它们：\n\n"
            "- **找到**：与清单所写完全一致；\n"
            "- **移动**：以清单列出的其他时期的名字找到，或者在另一个包中以同样的短名找到（文件则是在相关目录中"
            "找到同名文件）；单元格中写明匹配到的是什么；\n"
            "- **缺失**：在该提交中哪里都找不到。"),
        "drift_counts": "共 {total} 项核对：找到 {found} 项，移动 {moved} 项，缺失 {missing} 项。",
        "not_indexed": "以下组件未核对，因为其仓库尚未索引：{names}。",
        "drift_component": "{repo} 中的 [{name}]({page})。",
        "item": "条目", "not_checked": "未核对", "found": "找到", "missing_cell": "**缺失**",
        "moved_cell": "移动：", "sep": "：",
        "kinds": {"entrypoint": "入口", "file": "文件", "main loop": "主循环"},
        "package_lead": ("{repo} 中的包，由 {programs} 链接：共 {functions} 个函数和方法，按文件顺序排列{generated}。"
                         "每个函数给出签名、文档注释、调用者、被调用者和实现（各最多 {limit} 个）；"
                         "短函数和站内其他页面提到的函数附有源码（每页最多 {excerpts} 段，其余给出链接）。"),
        "package_generated": "；另有 {count} 个位于生成的文件中，列在末尾",
        "package_parts": "这个包很大，它的文件分在 {count} 页中（每页最多 {functions} 个函数）：",
        "part": "第 {number} 部分", "this_part": "本页", "page_of": "第 {number} 页，共 {count} 页",
        "part_files": "{first} … {last}",
        "called_by": "调用者", "calls": "调用", "implemented_by": "实现",
        "and_more": "以及另外 {count} 个", "source": "源码",
        "generated_title": "生成文件中的函数",
        "generated_lead": "{count} 个由代码生成器写出的函数和方法（深拷贝、类型转换、默认值、protobuf），每个一行：",
        "packages_title": "包",
        "packages_lead": "每个组件程序中的每个包（`vendor/` 之外），取自其仓库最新的已分析提交，列出包中的函数和方法。",
        "packages_columns": "| 包 | 仓库 | 函数 | 程序 |",
        "reference_title": "Go 与 Python 对照",
        "reference_package_title": "Go 与 Python 对照：reference_impl.{module}",
        "reference_lead": (
            "`reference_impl/` 中的每个参考实现函数都用 `@mirrors(\"…\")` 标明它所对应的 Go 函数。"
            "站点不导入这些模块，而是用 `ast` 读取源码中的装饰器；每个名字都在最新的已分析提交中核对。"
            "下面每页把 Go 源码摘录（固定在分析的提交上）与 Python 源码摘录左右并排显示。"),
        "reference_package_lead": (
            "下面每个参考实现函数（右侧）对应左侧的 Go 函数：它的 `@mirrors(\"…\")` 装饰器写出了这个 Go 函数的名字，"
            "该名字在最新的已分析提交中核对过（**找到**、**缺失**，或其仓库**未索引**）。两边都直接取自源码："
            "Go 取自索引所分析的提交并固定链接到该提交，Python 取自本项目。"),
        "reference_columns": "| 参考模块 | 函数 | 链接 | 找到 |",
        "mirrors": "对应",
        "status": {"found": "找到", "missing": "缺失", "not indexed": "未索引"},
        "go_not_indexed": "*这个 Go 函数不在索引中；上面给出了它的名字。*",
        "more_lines": "…… 另有 {count} 行",
        "more_line": "…… 另有 1 行",
        "whole_function": "完整函数",
        "pinned_source": "固定版本的源码",
    },
}


def text(lang: str) -> dict:
    return TEXT[lang]


def page_path(lang: str, name: str) -> str:
    """Where the `lang` version of the page `name` (relative to the docs folder) is written."""
    return PREFIX[lang] + name


def twin(lang: str, name: str) -> str:
    """The page `name` in the other language, as a link from its `lang` version."""
    other = next(language for language in LANGUAGES if language != lang)
    return "../" * page_path(lang, name).count("/") + page_path(other, name)
