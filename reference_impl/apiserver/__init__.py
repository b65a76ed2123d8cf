"""A reference kube-apiserver in Python: Kubernetes 1.24's API semantics over etcd v3.

  kinds     one module per served kind (or family upstream keeps together): its Resource facts,
            defaults, validation, OpenAPI schema, printer columns and protobuf layout; `kinds`
            assembles them, so serving a new kind is one file and one entry in `kinds.MODULES`
  core      sans-IO: errors (StatusError), registry and lifecycle, admission, validation, patch,
            handlers returning Responses, authentication and RBAC decisions, discovery, OpenAPI,
            Tables, conversion, the protobuf codec, selectors
  storage   the etcd port: a small etcd v3 gRPC client, the etcd3 store over it (lists, watches,
            GuaranteedUpdate), the watch cache in front of it (watchcache: sans-IO current objects
            and recent events; cacher: one etcd watch per resource, watches and lists from memory),
            informer-style listers
  adapter   HTTP: the server and its handler chain, serving certificates, `run` (the process)
"""
