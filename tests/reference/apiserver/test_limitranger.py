"""LimitRanger admission through the handler chain, as Kubernetes 1.24 enables it by default: a
namespace's LimitRanges default the resources of a new pod's containers and bound what pods and
PersistentVolumeClaims ask for, refusing with plugin/pkg/admission/limitranger's words."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.limitranger import LimitRanger
from reference_impl.machinery.quantity import parse
from tests.reference.apiserver import test_namespace_lifecycle
from tests.reference.apiserver.test_namespace_lifecycle import call

# The fixtures, shared (bound here, not imported, so that the tests' parameters shadow no import).
chain, ns = test_namespace_lifecycle.chain, test_namespace_lifecycle.ns


def limit_range(chain, ns: str, *items: dict, name: str = "limits") -> None:
    body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name}, "spec": {"limits": list(items)}}
    assert call(chain, "POST", f"/api/v1/namespaces/{ns}/limitranges", body)[0] == 201


def container(name: str = "app", requests: dict | None = None, limits: dict | None = None) -> dict:
    resources = {key: value for key, value in (("requests", requests), ("limits", limits)) if value}
    return {"name": name, "image": "nginx", **({"resources": resources} if resources else {})}


def create_pod(chain, ns: str, *containers: dict, init: tuple = ()):
    spec = {"containers": list(containers) or [container()], **({"initContainers": list(init)} if init else {})}
    return call(chain, "POST", f"/api/v1/namespaces/{ns}/pods",
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec})


def refusal(code_and_status) -> str:
    code, status = code_and_status
    assert (code, status["reason"]) == (403, "Forbidden"), status
    return status["message"]


@pytest.mark.parametrize("text,canonical", [("1", "1"), ("2000", "2k"), ("1500m", "1500m"), ("0.1", "100m"),
                                            ("1.5Gi", "1536Mi"), ("1536", "1536"), ("129e6", "129e6"), ("0", "0")])
def test_quantities_print_as_quantity_string_does(text, canonical):
    """Messages print quantities canonically: the smallest integer mantissa with an SI suffix, a
    binary suffix only for whole multiples of 1Ki, and exponent notation kept."""
    assert str(parse(text)) == canonical


def test_containers_without_resources_get_the_defaults_and_an_annotation(chain, ns):
    """Container and init container requests and limits the pod does not set come from the
    Container item's defaultRequest and default; the annotation says what was set. (A
    defaultRequest the item does not give defaults to its default limit, as LimitRange
    defaulting does.) The plugin sees the decoded pod, whose requests were defaulted from its
    own limits: app's memory request is its 256Mi limit, as on the real 1.24 server."""
    limit_range(chain, ns, {"type": "Container", "default": {"cpu": "500m", "memory": "128Mi"},
                            "defaultRequest": {"cpu": "250m"}})
    code, created = create_pod(chain, ns, container("app", limits={"memory": "256Mi"}), init=(container("setup"),))
    assert code == 201, created
    assert created["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m", "memory": "256Mi"},
                                                             "requests": {"cpu": "250m", "memory": "256Mi"}}
    assert created["spec"]["initContainers"][0]["resources"] == {"limits": {"cpu": "500m", "memory": "128Mi"},
                                                                 "requests": {"cpu": "250m", "memory": "128Mi"}}
    assert created["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu request for container app; cpu limit for container app; "
        "cpu, memory request for init container setup; cpu, memory limit for init container setup")


@pytest.mark.parametrize("text", ["1E3", "+1", "00100", "5.", "1.5E1"])
def test_a_quantity_parse_kept_as_canonical_prints_as_it_was_written(text):
    """Quantity.String gives back the text ParseQuantity cached as canonical already."""
    assert str(parse(text)) == text


def test_a_bound_and_a_limit_print_as_quantity_string_does(chain, ns):
    """As kube-apiserver 1.24 answered for this pod: the limit kept as written (1E3), the bound
    as it came back from storage (1.5Gi is 1536Mi)."""
    limit_range(chain, ns, {"type": "Container", "max": {"memory": "1.5Gi"}})
    assert refusal(create_pod(chain, ns, container(limits={"memory": "2E9"}))) == \
        'pods "web" is forbidden: maximum memory usage per Container is 1536Mi, but limit is 2E9'


def test_a_container_limit_above_max_is_forbidden(chain, ns):
    """max per Container bounds each container's limit."""
    limit_range(chain, ns, {"type": "Container", "max": {"cpu": "1"}})
    assert refusal(create_pod(chain, ns, container(limits={"cpu": "2"}))) == \
        'pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2'


def test_a_limit_whose_int64_value_wraps_to_zero_passes_max(chain, ns):
    """requestLimitEnforcedValues compares Value() and MilliValue(), int64s: 10e999 (an inf.Dec)
    keeps the low 64 bits of 10**1000, which are 0, so it passes a max of 4 (kube-apiserver 1.24:
    201); an ordinary limit above the max is still refused."""
    limit_range(chain, ns, {"type": "Container", "max": {"cpu": "4"}})
    code, created = create_pod(chain, ns, container(limits={"cpu": "10e999"}))
    assert (code, created["spec"]["containers"][0]["resources"]["limits"]) == (201, {"cpu": "10e999"}), created
    assert "but limit is 9" in refusal(create_pod(chain, ns, container(name="b", limits={"cpu": "9"})))


def test_a_pods_sum_adds_each_containers_int64_value(chain, ns):
    """sum totals Value() (MilliValue() for cpu) in an int64, so a Pod item's max of 4 sees 0 for a
    limit of 10e999 and admits it (kube-apiserver 1.24: 201); an ordinary sum is still refused."""
    limit_range(chain, ns, {"type": "Pod", "max": {"memory": "4"}})
    code, created = create_pod(chain, ns, container(limits={"memory": "10e999"}))
    assert code == 201, created
    assert "but limit is 6" in refusal(create_pod(chain, ns, container("b", limits={"memory": "3"}),
                                                  container("c", limits={"memory": "3"})))


def test_a_ratio_bound_whose_int64_value_wraps_is_compared_as_go_does(chain, ns):
    """limitRequestRatioConstraint compares with the bound's MilliValue(): for 10e999 that is 0,
    so any ratio exceeds it (kube-apiserver 1.24: 403)."""
    limit_range(chain, ns, {"type": "Container", "maxLimitRequestRatio": {"memory": "10e999"}})
    assert "but provided ratio is 2.000000" in refusal(
        create_pod(chain, ns, container(requests={"memory": "1"}, limits={"memory": "2"})))


def test_max_needs_a_limit(chain, ns):
    """A pod with no limit for a resource its Pod item has a max for is refused (a Container
    item's max would have become the container's default limit)."""
    limit_range(chain, ns, {"type": "Pod", "max": {"memory": "1Gi"}})
    assert refusal(create_pod(chain, ns, container())) == \
        'pods "web" is forbidden: maximum memory usage per Pod is 1Gi.  No limit is specified'


def test_a_request_below_min_is_forbidden(chain, ns):
    """min per Container bounds each container's request, init containers' too."""
    limit_range(chain, ns, {"type": "Container", "min": {"cpu": "100m"}})
    assert refusal(create_pod(chain, ns, container(requests={"cpu": "100m"}),
                              init=(container("setup", requests={"cpu": "50m"}),))) == \
        'pods "web" is forbidden: minimum cpu usage per Container is 100m, but request is 50m'


def test_a_limit_to_request_ratio_above_the_max_is_forbidden(chain, ns):
    """maxLimitRequestRatio bounds limit / request, printed with Go's %f."""
    limit_range(chain, ns, {"type": "Container", "maxLimitRequestRatio": {"memory": "2"}})
    assert refusal(create_pod(chain, ns, container(requests={"memory": "100Mi"}, limits={"memory": "300Mi"}))) == \
        'pods "web" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 3.000000'


def test_pod_max_bounds_the_sum_of_its_containers(chain, ns):
    """A Pod item bounds the sum of the containers' limits (or the largest init container's)."""
    limit_range(chain, ns, {"type": "Pod", "max": {"cpu": "1"}})
    assert refusal(create_pod(chain, ns, container("a", limits={"cpu": "600m"}), container("b", limits={"cpu": "600m"}))) \
        == 'pods "web" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m'


def test_every_violation_is_listed(chain, ns):
    """Several violations are one 403 listing them all, as an aggregate error prints."""
    limit_range(chain, ns, {"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "500m"}})
    assert refusal(create_pod(chain, ns, container(requests={"cpu": "100m"}, limits={"cpu": "2"}))) == (
        'pods "web" is forbidden: [minimum cpu usage per Container is 500m, but request is 100m, '
        'maximum cpu usage per Container is 1, but limit is 2]')


def test_defaults_are_applied_before_the_bounds_are_checked(chain, ns):
    """A pod that sets nothing passes a max when the default limit is within it."""
    limit_range(chain, ns, {"type": "Container", "max": {"cpu": "1"}, "default": {"cpu": "1"}})
    assert create_pod(chain, ns)[0] == 201


def test_a_claim_request_above_max_storage_is_forbidden(chain, ns):
    """A PersistentVolumeClaim item's max bounds the claim's storage request."""
    limit_range(chain, ns, {"type": "PersistentVolumeClaim", "max": {"storage": "1Gi"}})
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}
    assert refusal(call(chain, "POST", f"/api/v1/namespaces/{ns}/persistentvolumeclaims", claim)) == \
        'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, ' \
        'but request is 2Gi'


def test_a_namespace_without_limit_ranges_changes_nothing(chain, ns):
    """No LimitRange, no defaults and no annotation."""
    code, created = create_pod(chain, ns)
    assert code == 201
    assert created["spec"]["containers"][0]["resources"] == {}
    assert "kubernetes.io/limit-ranger" not in (created["metadata"].get("annotations") or {})


class CountingRegistry:
    def __init__(self):
        self.lists = 0

    def list(self, resource, namespace):
        self.lists += 1
        return {"items": []}


class SyncedLister:
    def list(self, namespace):
        return []


def test_a_synced_cache_with_no_limit_ranges_needs_no_live_read():
    """Once the informer has synced, a namespace without LimitRanges costs a cache look-up only."""
    registry = CountingRegistry()
    plugin = LimitRanger(registry, SyncedLister())
    assert plugin.limit_ranges("default") == []
    assert registry.lists == 0
    assert LimitRanger(registry).limit_ranges("default") == [] and registry.lists == 1


def test_a_containers_own_limit_is_its_request_before_the_default_request(chain, ns):
    """Decoding defaults a request from the container's own limit before admission, so the
    default request (here defaulted from the item's default limit, above that limit) is not
    set: the real 1.24 server creates the pod with a 64Mi request."""
    limit_range(chain, ns, {"type": "Container", "default": {"memory": "128Mi"}})
    code, created = create_pod(chain, ns, container(limits={"memory": "64Mi"}))
    assert code == 201, created
    assert created["spec"]["containers"][0]["resources"] == {"limits": {"memory": "64Mi"},
                                                             "requests": {"memory": "64Mi"}}
    assert "kubernetes.io/limit-ranger" not in (created["metadata"].get("annotations") or {})


def test_a_pod_an_apply_creates_is_defaulted_before_admission_too(chain, ns):
    """A server-side apply that finds no pod creates it through the same decode and admission:
    its cpu request is its own 300m limit, not the LimitRange's 500m default above it (the real
    1.24 server creates it; admitted undefaulted, validation refused it)."""
    limit_range(chain, ns, {"type": "Container", "default": {"cpu": "500m"}})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "applied"},
           "spec": {"containers": [container(limits={"cpu": "300m"})]}}
    response = chain.handle(Request("PATCH", f"/api/v1/namespaces/{ns}/pods/applied", {"fieldManager": ["me"]},
                                    {"Accept": "application/json", "Content-Type": "application/apply-patch+yaml"},
                                    json.dumps(pod).encode()))
    created = json.loads(response.body)
    assert response.code == 201, created
    assert created["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "300m"}, "requests": {"cpu": "300m"}}


def test_a_limit_without_a_request_is_not_held_to_the_default_requests_ratio(chain, ns):
    """A container limiting cpu alone asks for that much: the ratio of its limit to a default
    request it never gets is not checked (the real 1.24 server creates it)."""
    limit_range(chain, ns, {"type": "Container", "defaultRequest": {"cpu": "100m"}, "maxLimitRequestRatio": {"cpu": "4"}})
    code, created = create_pod(chain, ns, container(limits={"cpu": "900m"}))
    assert code == 201, created
    assert created["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "900m"}


@pytest.mark.parametrize("containers,init,qos", [
    ([container()], (), "BestEffort"),
    ([container(requests={"cpu": "1"})], (), "Burstable"),
    ([container(limits={"cpu": "1", "memory": "1Gi"})], (), "Guaranteed"),
    ([container(requests={"cpu": "500m"}, limits={"cpu": "1", "memory": "1Gi"})], (), "Burstable"),
    ([container(limits={"cpu": "1", "memory": "1Gi"}), container("side")], (), "Burstable"),
    ([container(limits={"cpu": "1", "memory": "1Gi"})], (container("setup", limits={"cpu": "1"}),), "Burstable"),
    ([container(requests={"cpu": "0", "ephemeral-storage": "1Gi"})], (), "BestEffort"),
], ids=["nothing", "a-request", "limits", "request-below-limit", "one-unlimited", "init-cpu-only", "zero-cpu"])
def test_a_new_pods_qos_class(chain, ns, containers, init, qos):
    """PrepareForCreate computes status.qosClass from the resources (qos.GetPodQOS): BestEffort with no positive cpu or
    memory, Guaranteed when every container limits both and requests equal limits, else
    Burstable; the real 1.24 server answers these so."""
    code, created = create_pod(chain, ns, *containers, init=init)
    assert code == 201, created
    assert created["status"] == {"phase": "Pending", "qosClass": qos}


def test_the_limit_range_defaults_count_for_the_qos_class(chain, ns):
    """The class is the admitted pod's: defaults that set equal cpu and memory requests and limits
    make a pod that asked for nothing Guaranteed."""
    limit_range(chain, ns, {"type": "Container", "default": {"cpu": "1", "memory": "1Gi"}})
    code, created = create_pod(chain, ns)
    assert (code, created["status"]["qosClass"]) == (201, "Guaranteed")
