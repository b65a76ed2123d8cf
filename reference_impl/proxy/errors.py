"""The proxy package's one error root."""
from __future__ import annotations


class ProxyError(Exception):
    """Root of every error the reference proxy raises."""


class UnsupportedServiceError(ProxyError):
    """A Service uses a feature this reference proxier does not render."""

    def __init__(self, service: str, feature: str) -> None:
        self.service = service
        self.feature = feature
        super().__init__(f"service {service}: {feature} is not supported by the reference proxier")


class RulesSyntaxError(ProxyError):
    """Rendered iptables-restore text that iptables-restore would reject."""

    def __init__(self, lineno: int, line: str, reason: str) -> None:
        self.lineno = lineno
        self.line = line
        self.reason = reason
        super().__init__(f"line {lineno}: {reason}: {line!r}")


class ProxyConfigError(ProxyError):
    """A --config file kube-proxy would refuse; the message is upstream's, from its Complete or
    Validate step ("failed complete: failed to decode: ...")."""
