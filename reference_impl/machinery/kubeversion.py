"""Kubernetes' order of API version names (k8s.io/apimachinery/pkg/version): GA before beta before
alpha, higher numbers first, names of no such form last. CRD versions are served, and APIServices
of equal priority listed, in this order."""
from __future__ import annotations

import re

from reference_impl.mirrors import mirrors

_VERSION = re.compile(r"^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")


@mirrors("k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings")
def kube_aware_order(name: str) -> tuple:
    """A sort key putting versions in Kubernetes' order: GA before beta before alpha, higher
    first; names of no such form after them, alphabetically."""
    match = _VERSION.match(name)
    if not match:
        return (1, 0, 0, 0, name)
    major, stage, minor = match.groups()
    return (0, {None: 0, "beta": 1, "alpha": 2}[stage], -int(major), -int(minor or 0), name)
