"""/metrics/cadvisor's per-container series: cAdvisor's names, help and extra labels, labelled as
the kubelet's containerPrometheusLabelsFunc labels them, stamped with the reading's time."""
from __future__ import annotations

from reference_impl.kubelet.cadvisor import ContainerInfo, container_cgroup, container_families, exposition
from reference_impl.kubelet.stats import Usage

USAGE = Usage(200.0015, 1_500_000_000, 4096, rss_bytes=4096, page_faults=120, major_page_faults=2, processes=3,
              user_ns=1_250_000_000)
WEB = ContainerInfo("/kubepods/besteffort/podu1/4242", "process://4242", "nginx:1.21", "web", "p", "ns", 100.75, USAGE)
BASE = {"container": "web", "id": "/kubepods/besteffort/podu1/4242", "image": "nginx:1.21",
        "name": "process://4242", "namespace": "ns", "pod": "p"}


def labels(**extra: str) -> str:
    """WEB's labels and `extra`, sorted by name."""
    pairs = {**BASE, **extra}
    return "{" + ",".join(f'{name}="{pairs[name]}"' for name in sorted(pairs)) + "}"


def test_a_containers_cgroup_is_under_its_pods_qos_class():
    """The cgroupfs driver's names: a Guaranteed pod's cgroup sits right under /kubepods."""
    assert container_cgroup("BestEffort", "u1", "process://4242") == "/kubepods/besteffort/podu1/4242"
    assert container_cgroup("Burstable", "u1", "process://7") == "/kubepods/burstable/podu1/7"
    assert container_cgroup("Guaranteed", "u1", "process://7") == "/kubepods/podu1/7"


def test_each_reading_is_a_cadvisor_series_with_the_kubelets_labels_and_the_readings_time():
    text = exposition(container_families([WEB], now=300.5))
    assert ("# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.\n"
            "# TYPE container_cpu_usage_seconds_total counter\n"
            f"container_cpu_usage_seconds_total{labels(cpu='total')} 1.5 200001\n") in text
    assert f"container_cpu_user_seconds_total{labels()} 1.25 200001\n" in text
    assert f"container_cpu_system_seconds_total{labels()} 0.25 200001\n" in text
    assert f"container_memory_working_set_bytes{labels()} 4096 200001\n" in text
    assert f"container_memory_rss{labels()} 4096 200001\n" in text
    assert f"container_processes{labels()} 3 200001\n" in text
    assert f"container_memory_failures_total{labels(failure_type='pgmajfault', scope='hierarchy')} 2 200001\n" in text
    assert f"container_start_time_seconds{labels()} 100\n" in text
    assert f"container_last_seen{labels()} 300 300500\n" in text
    assert "# TYPE container_scrape_error gauge\ncontainer_scrape_error 0\n# HELP container_start_time_seconds" in text


def test_with_no_container_only_the_scrape_error_is_written():
    assert exposition(container_families([], now=1.0)) == (
        "# HELP container_scrape_error 1 if there was an error while getting container metrics, 0 otherwise\n"
        "# TYPE container_scrape_error gauge\ncontainer_scrape_error 0\n")
