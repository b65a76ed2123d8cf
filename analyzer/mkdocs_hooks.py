"""mkdocs hooks for the site (mkdocs.yml `hooks:`): the manifest's Chinese terms as jieba words.

Material's search cuts Chinese text into words with jieba when the site is built; a query typed in
the browser is not cut, only matched as a word or a word's beginning. jieba's own dictionary
splits the project's terms (节点代理 → 节点 / 代理), so a reader searching for a component's
Chinese name would find nothing. Each Chinese name of a component and a capability is therefore
made one word before any page is cut; its beginning (节点, 调度) still finds it.
"""
from __future__ import annotations

import re

from analyzer.manifest import load_manifest

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
