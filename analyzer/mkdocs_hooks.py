"""mkdocs hooks for the site (mkdocs.yml `hooks:`): the manifest's Chinese terms as jieba words,
and the navigation's section titles in the language of their pages.

mkdocs names a section of the navigation after its folder (`zh/journeys/` → "Journeys"); `on_nav`
renames each from analyzer.sitetext.NAV, in Chinese under zh/. One build holds both languages, so
`on_page_context` gives each page the navigation of its own language (a Chinese page the tree
under zh/, an English page the rest; the header's language switch goes between them) and sets the
theme's language for it, so Material's own words (search, table of contents) follow the page.

Material's search cuts Chinese text into words with jieba when the site is built; a query typed in
the browser is not cut, only matched as a word or a word's beginning. jieba's own dictionary
splits the project's terms (节点代理 → 节点 / 代理), so a reader searching for a component's
Chinese name would find nothing. Each Chinese name of a component and a capability is therefore
made one word before any page is cut; its beginning (节点, 调度) still finds it.
"""
from __future__ import annotations

import copy
import re

from analyzer.manifest import load_manifest
from analyzer.sitetext import NAV

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def terms() -> list[str]:
    """The Chinese names in the packaged manifest, without an English gloss in parentheses."""
    names = [name for component in load_manifest()
             for name in (component.zh, *(capability.zh for capability in component.capabilities))]
    return sorted({re.split(r"\s*[(（]", name, maxsplit=1)[0] for name in names
                   if _CHINESE.search(name)})


def on_config(config):
    try:
        import jieba
    except ImportError:  # search then indexes Chinese text without cutting it; nothing to teach
        return config
    for term in terms():
        jieba.add_word(term)
    return config


def on_nav(nav, config, files):
    _rename(nav.items, (), "en")
    return nav


def _rename(items, folders: tuple[str, ...], lang: str) -> None:
    for item in items:
        if not item.is_section:
            continue
        folder = _folder(item, len(folders))
        if folder:
            item.title = NAV[lang].get(folder, item.title)
            _rename(item.children, (*folders, folder), "zh" if folder == "zh" else lang)


def _folder(section, depth: int) -> str:
    """The folder a section stands for: its first page's path at the section's depth."""
    for child in section.children:
        if child.is_page and child.file:
            parts = child.file.src_uri.split("/")
            return parts[depth] if len(parts) > depth + 1 else ""
        if child.is_section and (found := _folder(child, depth)):
            return found
    return ""


def on_page_context(context, page, config, nav):
    chinese = page.file.src_uri.startswith("zh/")
    config.theme["language"] = "zh" if chinese else "en"
    zh = next((item for item in nav.items if item.is_section and _folder(item, 0) == "zh"), None)
    if zh is not None:
        own = copy.copy(nav)
        own.items = zh.children if chinese else [item for item in nav.items if item is not zh]
        context["nav"] = own
    return context


def on_post_page(output, page, config):
    config.theme["language"] = "en"  # for the pages the theme renders itself (404, sitemap)
    return output
