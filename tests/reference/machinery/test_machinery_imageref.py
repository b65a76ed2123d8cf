"""Image references as 1.24 parses them for a container's default pull policy: each case's
policy is what a real 1.24 kube-apiserver gave a dry-run PodTemplate with that image."""
from __future__ import annotations

import subprocess
import sys

import pytest

from reference_impl.apiserver.kinds._defaulting import container
from reference_impl.machinery.imageref import parse_image_name

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


def test_an_invalid_name_is_refused_in_linear_time():
    """The name grammar's separator is `[._]|__|-+` (Go's RE2 reads `[-]*` linearly, Python's
    backtracking did not): a 40-character name that does not parse is refused at once, where the
    nested repeat took 2^40 steps holding the GIL. Run apart so a regression fails, not hangs."""
    script = ("from reference_impl.machinery.imageref import parse_image_name\n"
              "for image in ('a' * 40 + '!', 'a/' + 'b' * 40 + '!', 'a-' * 20 + '!'):\n"
              "    try:\n        parse_image_name(image)\n    except ValueError:\n        pass\n"
              "    else:\n        raise SystemExit(image)\n")
    done = subprocess.run([sys.executable, "-c", script], timeout=10, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("image", ["a--b__c.d", "a---b", "a_b", "a.b-c/d__e", "registry:5000/a--b/c:v1"])
def test_separated_name_components_still_parse(image):
    """Name components join by `.`, `_`, `__` or any run of `-`."""
    assert parse_image_name(image).tag in ("latest", "v1")
