"""Image references as 1.24 parses them for a container's default pull policy: each case's
policy is what a real 1.24 kube-apiserver gave a dry-run PodTemplate with that image."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.kinds._defaulting import container

CASES = [
    ("nginx", "Always"), ("nginx:1", "IfNotPresent"), ("nginx:latest", "Always"), ("a/b/c/d", "Always"),
    ("localhost/x", "Always"), ("index.docker.io/x", "Always"), ("A.com/x", "Always"), ("a__b", "Always"),
    ("nginx@sha256:" + "a" * 64, "IfNotPresent"), ("127.0.0.1:5000/x:y", "IfNotPresent"),
    # References that do not parse: the error is ignored, and no tag means IfNotPresent.
    ("", "IfNotPresent"), ("UPPER", "IfNotPresent"), ("Foo/bar", "IfNotPresent"), ("LOCALHOST/x", "IfNotPresent"),
    ("docker.io/Library/x", "IfNotPresent"), ("a b", "IfNotPresent"), ("a___b", "IfNotPresent"),
    ("a" * 64, "IfNotPresent"), ("x@sha256:abc", "IfNotPresent"), ("x:é", "IfNotPresent"), ("ß", "IfNotPresent"),
    ("a/", "IfNotPresent"), ("-a", "IfNotPresent"), ("a:" + "t" * 129, "IfNotPresent"),
    ("x" * 250 + "/y", "IfNotPresent"),
]


@pytest.mark.parametrize("image,policy", CASES)
def test_the_default_pull_policy_follows_the_parsed_tag(image, policy):
    """SetDefaults_Container: Always for the tag latest (or none and no digest), else IfNotPresent,
    also where ParseImageName fails."""
    c = {"name": "c", "image": image}
    container(c)
    assert c["imagePullPolicy"] == policy
