"""Small, runnable Python versions of the Kubernetes and etcd components."""
