"""PodSecurity admission: the Pod Security Standards (`policy`), the namespace labels that choose a
level (`api`) and the admission plugin that applies them (`plugin`)."""
from reference_impl.apiserver.core.podsecurity.plugin import Exemptions, PodSecurity

__all__ = ["Exemptions", "PodSecurity"]
