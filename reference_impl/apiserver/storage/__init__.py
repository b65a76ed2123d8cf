"""The apiserver's etcd port: a small etcd v3 client, the etcd3 store over it, and informer-style listers."""
