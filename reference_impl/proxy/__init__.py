"""A reference kube-proxy: Kubernetes 1.24's iptables rule rendering and a userspace proxy.

  iptables    Services + Endpoints (apiserver dicts) -> the iptables-restore text kube-proxy writes
  userspace   a round-robin load balancer (sans-IO) and a thin socket adapter carrying TCP and UDP
"""
from .errors import ProxyError, RulesSyntaxError, UnsupportedServiceError

__all__ = ["ProxyError", "RulesSyntaxError", "UnsupportedServiceError"]
