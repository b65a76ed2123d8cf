"""Helpers shared by plugins (`framework/plugins/helper`)."""
from __future__ import annotations

from reference_impl.mirrors import mirrors
from reference_impl.scheduler.types import MAX_NODE_SCORE, SUCCESS, CycleState, NodeInfo, Status


def filter_one(plugin, state: CycleState, pod: dict, node_info: NodeInfo) -> Status:
    """A plugin's Filter of one node, through its `filter_nodes` over a list of nodes."""
    rejected = plugin.filter_nodes(state, pod, [node_info])
    return rejected[0][1] if rejected else SUCCESS


def map_scores(scores: list[int], normalized) -> None:
    """scores[i] = normalized(scores[i]) in place, computed once per distinct raw score (a cycle's
    hundreds of nodes share a few) and looked up for the rest."""
    table = {raw: normalized(raw) for raw in set(scores)}
    scores[:] = map(table.__getitem__, scores)


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/helper.DefaultNormalizeScore")
def default_normalize_score(scores: list[int], reverse: bool, max_priority: int = MAX_NODE_SCORE) -> None:
    """Scale to [0, max_priority] by the highest score, in place; `reverse` makes lower raw scores better."""
    max_count = max(scores, default=0)
    if max_count <= 0:
        if reverse:
            scores[:] = [max_priority] * len(scores)
        return
    if reverse:
        map_scores(scores, lambda s: max_priority - max_priority * s // max_count)
    else:
        map_scores(scores, lambda s: max_priority * s // max_count)
