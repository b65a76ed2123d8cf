"""Score helpers shared by plugins (`framework/plugins/helper`)."""
from __future__ import annotations

from reference_impl.mirrors import mirrors
from reference_impl.scheduler.types import MAX_NODE_SCORE


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/helper.DefaultNormalizeScore")
def default_normalize_score(scores: list[int], reverse: bool, max_priority: int = MAX_NODE_SCORE) -> None:
    """Scale to [0, max_priority] by the highest score, in place; `reverse` makes lower raw scores better."""
    max_count = max(scores, default=0)
    if max_count <= 0:
        if reverse:
            scores[:] = [max_priority] * len(scores)
        return
    if reverse:
        scores[:] = [max_priority - max_priority * s // max_count for s in scores]
    else:
        scores[:] = [max_priority * s // max_count for s in scores]
