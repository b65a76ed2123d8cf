"""A reference kube-apiserver in Python: Kubernetes 1.24's API semantics over etcd v3.

Storage side, each usable on its own:
  errors       StatusError and the API errors in Kubernetes' own words
  resources    the served resources (Resource), their defaults; validation their rules
  selectors    label and field selectors
  etcdclient   a small synchronous etcd v3 gRPC client
  storage      etcd3 storage: JSON objects under /registry, lists, watches, GuaranteedUpdate
  watchcache   one resource's watch cache, sans-IO: current objects and a buffer of recent events
  cacher       that cache in front of storage: one etcd watch per resource, watches and lists from memory
  registry     the generic registry (with lifecycle: deletion, namespaces, binding, scale)
"""
