"""Container image references as Kubernetes parses them (pkg/util/parsers over the docker
distribution grammar): `[domain[:port]/]name[:tag][@digest]`, the name's path components
lowercase. A container's default pull policy depends on the tag this finds: `Always` for
`latest` (also what no tag and no digest mean), else `IfNotPresent`, and `IfNotPresent` for a
reference that does not parse at all (the empty one, one with a space or an uppercase path). The
grammar is the one vendored in 1.24 (docker/distribution v2.7.1)."""
from __future__ import annotations

import re
from typing import NamedTuple

from reference_impl.mirrors import mirrors

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?"
# Go writes the separator `[-]*`, linear under RE2; `-+` is the same language (it is always
# followed by `[a-z0-9]+`) without the empty repeat that makes Python's backtracking exponential.
_NAME_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_NAME = rf"(?:{_DOMAIN}/)?{_NAME_COMPONENT}(?:/{_NAME_COMPONENT})*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"
REFERENCE = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII)  # Go's \w is ASCII
IDENTIFIER = re.compile(r"[a-f0-9]{64}")
NAME_TOTAL_LENGTH_MAX = 255
DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN = "docker.io", "index.docker.io"


class ImageName(NamedTuple):
    tag: str
    digest: str


@mirrors("github.com/docker/distribution/reference.splitDockerDomain")
def _split_docker_domain(image: str) -> tuple[str, str]:
    """The domain (a first component with a `.` or `:`, or `localhost`; else docker.io) and the
    rest, an official image's under `library/`."""
    first, slash, rest = image.partition("/")
    if not slash or (not any(c in first for c in ".:") and first != "localhost"):
        domain, remainder = DEFAULT_DOMAIN, image
    else:
        domain, remainder = first, rest
    domain = DEFAULT_DOMAIN if domain == LEGACY_DEFAULT_DOMAIN else domain
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = f"library/{remainder}"
    return domain, remainder


@mirrors("k8s.io/kubernetes/pkg/util/parsers.ParseImageName",
         "github.com/docker/distribution/reference.ParseNormalizedNamed")
def parse_image_name(image: str) -> ImageName:
    """The tag (`latest` where neither tag nor digest is given) and digest of `image`; a
    ValueError where it is no valid reference."""
    domain, remainder = _split_docker_domain(image)
    remote_name = remainder.partition(":")[0]
    match = REFERENCE.fullmatch(f"{domain}/{remainder}")
    if IDENTIFIER.fullmatch(image) or remote_name.lower() != remote_name or match is None \
            or len(match.group(1)) > NAME_TOTAL_LENGTH_MAX:
        raise ValueError(f"couldn't parse image name: invalid reference format: {image}")
    tag, digest = match.group(2) or "", match.group(3) or ""
    return ImageName(tag or ("" if digest else "latest"), digest)
