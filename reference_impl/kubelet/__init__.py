"""A reference kubelet: Kubernetes 1.24's pod lifecycle as a sans-IO state machine, plus adapters.

  actions    the frozen decisions the core returns (start/signal containers, run probes, report status)
  status     pod phase, conditions and container statuses (generateAPIPodStatus, getPhase)
  kubelet    the core: desired pods and runtime/probe events in, actions out; node registration, Lease
  runtime    a thin process runtime: each container a local process, logs in /var/log/pods layout
  volumes    what each volume plugin puts in a volume (configMap, secret, downwardAPI, projected), sans-IO
  volumemanager  volumes on disk under <root-dir>/pods/<uid>/volumes, written as AtomicWriter does
"""
from .errors import KubeletError, UnsupportedPodError

__all__ = ["KubeletError", "UnsupportedPodError"]
