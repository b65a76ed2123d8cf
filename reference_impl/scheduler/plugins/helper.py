"""Score helpers shared by plugins (`framework/plugins/helper`)."""
from __future__ import annotations

from reference_impl.mirrors import mirrors
from reference_impl.scheduler.types import MAX_NODE_SCORE


@mirrors("k8s.io/kubernetes/pkg/scheduler/framework/plugins/helper.DefaultNormalizeScore")
def default_normalize_score(scores: list[list], reverse: bool, max_priority: int = MAX_NODE_SCORE) -> None:
    """Scale to [0, max_priority] by the highest score; `reverse` makes lower raw scores better."""
    max_count = max((s[1] for s in scores), default=0)
    if max_count <= 0:
        if reverse:
            for s in scores:
                s[1] = max_priority
        return
    for s in scores:
        score = max_priority * s[1] // max_count
        s[1] = max_priority - score if reverse else score
