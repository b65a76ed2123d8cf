"""Levels, versions and the namespace labels that choose them (k8s.io/pod-security-admission/api).

A namespace's `pod-security.kubernetes.io/<mode>` label names a level for each mode (enforce, audit,
warn) and `<mode>-version` the release whose checks apply. An unparsable label still yields a policy,
and a field error: enforce fails closed (restricted), audit and warn fail open (privileged).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reference_impl.apiserver.core.validation import invalid
from reference_impl.mirrors import mirrors

PRIVILEGED, BASELINE, RESTRICTED = "privileged", "baseline", "restricted"
LEVELS = (PRIVILEGED, BASELINE, RESTRICTED)
LABEL_PREFIX = "pod-security.kubernetes.io/"
ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL = f"{LABEL_PREFIX}enforce", f"{LABEL_PREFIX}enforce-version"
AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL = f"{LABEL_PREFIX}audit", f"{LABEL_PREFIX}audit-version"
WARN_LEVEL_LABEL, WARN_VERSION_LABEL = f"{LABEL_PREFIX}warn", f"{LABEL_PREFIX}warn-version"
VERSION_PATTERN = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)\Z")


@dataclass(frozen=True)
class Version:
    """A policy version: v1.<minor>, or latest (newer than any release)."""

    major: int = 0
    minor: int = 0
    latest: bool = False

    def __str__(self) -> str:
        return "latest" if self.latest else f"v{self.major}.{self.minor}"

    @mirrors("(*k8s.io/pod-security-admission/api.Version).Older")
    def older(self, other: Version) -> bool:
        if self.latest:
            return False
        if other.latest:
            return True
        return (self.major, self.minor) < (other.major, other.minor)


LATEST = Version(latest=True)


@dataclass(frozen=True)
class LevelVersion:
    level: str
    version: Version

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion
    audit: LevelVersion
    warn: LevelVersion


# The plugin's default configuration: every mode privileged:latest.
DEFAULT_POLICY = Policy(*(LevelVersion(PRIVILEGED, LATEST),) * 3)


@mirrors("k8s.io/pod-security-admission/api.ParseLevel")
def parse_level(value: str) -> tuple[str, str]:
    """The level and, when `value` is none, restricted with the error text."""
    if value in LEVELS:
        return value, ""
    return RESTRICTED, "must be one of " + ", ".join(LEVELS)


@mirrors("k8s.io/pod-security-admission/api.ParseVersion")
def parse_version(value: str) -> tuple[Version, str]:
    if value == "latest":
        return LATEST, ""
    match = VERSION_PATTERN.match(value)
    if not match:
        return LATEST, 'must be "latest" or "v1.x"'
    return Version(1, int(match[1])), ""


@mirrors("k8s.io/pod-security-admission/api.PolicyToEvaluate")
def policy_to_evaluate(labels: dict[str, str] | None, defaults: Policy) -> tuple[Policy, list[str]]:
    """The policy the labels choose over `defaults`, and a field error for each unparsable label."""
    labels = labels or {}
    errs: list[str] = []
    modes = {}
    for mode, fail_open in (("enforce", False), ("audit", True), ("warn", True)):
        level, version = getattr(defaults, mode).level, getattr(defaults, mode).version
        level_label, version_label = f"{LABEL_PREFIX}{mode}", f"{LABEL_PREFIX}{mode}-version"
        if level_label in labels:
            level, err = parse_level(labels[level_label])
            if err:
                errs.append(invalid(f"metadata.labels[{level_label}]", labels[level_label], err))
                level = PRIVILEGED if fail_open else level
        if version_label in labels:
            version, err = parse_version(labels[version_label])
            if err:
                errs.append(invalid(f"metadata.labels[{version_label}]", labels[version_label], err))
        modes[mode] = LevelVersion(level, version)
    return Policy(**modes), errs


@mirrors("k8s.io/pod-security-admission/api.CompareLevels")
def compare_levels(a: str, b: str) -> int:
    """0 when equal, -1 when `a` is less strict than `b`, +1 when stricter."""
    return (LEVELS.index(a) > LEVELS.index(b)) - (LEVELS.index(a) < LEVELS.index(b))
