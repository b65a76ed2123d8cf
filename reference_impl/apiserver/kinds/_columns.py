"""What several kinds' printers share (pkg/printers/internalversion): the Name and Age columns, the
wide pod-template columns, HumanDuration, and the helpers that read an object's parts into cells."""
from __future__ import annotations

from reference_impl.machinery.timefmt import instant
from reference_impl.mirrors import mirrors

NAME = ("Name", "string", 0, "Object name.")
AGE = ("Age", "string", 0, "Time since the object was created.")
WIDE_TEMPLATE = [("Containers", "string", 1, "Container names from the pod template."),
                 ("Images", "string", 1, "Container images from the pod template."),
                 ("Selector", "string", 1, "The label selector.")]


@mirrors("k8s.io/apimachinery/pkg/util/duration.HumanDuration")
def human_duration(seconds: float) -> str:
    """A duration the way kubectl's AGE column writes it: 45s, 3m20s, 5h, 2d3h, 400d, 3y12d."""
    if seconds < -1:
        return "<invalid>"
    s = max(0, int(seconds))
    minutes, hours, days = s // 60, s // 3600, s // 86400
    if s < 120:
        return f"{s}s"
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        return f"{days}d" if hours % 24 == 0 else f"{days}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    years, rest = days // 365, days % 365
    if hours < 24 * 365 * 8:
        return f"{years}y" if rest == 0 else f"{years}y{rest}d"
    return f"{years}y"


def since(timestamp: str | None, now: float) -> str:
    if not timestamp:
        return "<unknown>"
    return human_duration(elapsed(now, epoch(timestamp)))


def epoch(timestamp: str) -> float:
    """Seconds since the epoch of a metav1.Time, to the second (a printer shows no fraction), any
    year a protobuf body could store (0000, 10000)."""
    return float(instant(timestamp)[0])


# time.Duration's ends, in seconds: what (time.Time).Sub gives when the difference overflows.
_MAX_DURATION = (2**63 - 1) / 1e9
_MIN_DURATION = -(2**63) / 1e9


@mirrors("(time.Time).Sub")
def elapsed(later: float, earlier: float) -> float:
    """later - earlier, held to time.Duration's range of about 292 years either way, as Sub
    saturates (an Event from year 0000 is 292y old, one from year 10000 <invalid>)."""
    return min(max(later - earlier, _MIN_DURATION), _MAX_DURATION)


def part(obj: dict, *path: str) -> dict:
    """The object at `path` inside `obj`, or {} where a stored object has null or something else
    (an older server wrote `status: null`): printing must never fail on data."""
    for name in path:
        obj = obj.get(name) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def name_cell(obj: dict) -> str:
    return part(obj, "metadata").get("name", "")


def age_cell(obj: dict, now: float) -> str:
    return since(part(obj, "metadata").get("creationTimestamp"), now)


def template_containers(template_spec: dict) -> tuple[str, str]:
    containers = [c for c in template_spec.get("containers") or [] if isinstance(c, dict)]
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def selector_cell(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `a=b,c in (d)`, `<none>` for an empty selector."""
    if not selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), ",".join(expr.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key))
    return ",".join(parts) or "<none>"


def labels_cell(labels: dict | None) -> str:
    """labels.FormatLabels: `a=b,c=d` sorted, `<none>` when empty."""
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
                "ReadWriteOncePod": "RWOP"}


def access_modes_cell(modes: list | None) -> str:
    """GetAccessModesAsString: the short forms, each once, in this fixed order."""
    present = set(modes or [])
    return ",".join(short for mode, short in ACCESS_MODES.items() if mode in present)


def storage_class_of(obj: dict, spec: dict) -> str:
    annotations = part(obj, "metadata").get("annotations") or {}
    return annotations.get("volume.beta.kubernetes.io/storage-class") or spec.get("storageClassName") or ""
