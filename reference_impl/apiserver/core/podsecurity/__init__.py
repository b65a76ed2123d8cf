"""PodSecurity admission: the Pod Security Standards (`policy`) and the namespace labels that choose
a level (`api`)."""
