"""Generated names: a prefix and five random characters, as k8s.io/apiserver/pkg/storage/names'
SimpleNameGenerator makes them for generateName and for the volumes admission adds."""
from __future__ import annotations

import random

from reference_impl.mirrors import mirrors

# utilrand's alphabet: no vowels (no words) and no 0, 1 or 3 (read as o, l or e).
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
RANDOM_LENGTH = 5
MAX_GENERATED_NAME_LENGTH = 63 - RANDOM_LENGTH  # the generated name still fits a DNS label


@mirrors("(k8s.io/apiserver/pkg/storage/names.simpleNameGenerator).GenerateName")
def generate_name(base: str, rng: random.Random | None = None) -> str:
    """At most MAX_GENERATED_NAME_LENGTH characters of `base`, then five random ones."""
    choice = (rng or random).choice
    return base[:MAX_GENERATED_NAME_LENGTH] + "".join(choice(ALPHANUMS) for _ in range(RANDOM_LENGTH))
