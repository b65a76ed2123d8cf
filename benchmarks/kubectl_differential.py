"""Real kubectl against the reference kube-apiserver and the real 1.24 kube-apiserver, command by
command: the same kubectl (1.27 and 1.33 by default) runs the same commands against both servers,
and every command whose exit code, stdout or stderr differs (after names, UIDs, resourceVersions,
ages, timestamps, IPs and ports are normalised) is printed with both answers.

The servers are started as benchmarks/apiserver_differential.py starts them (`start_real`,
`start_ours`): the real kube-apiserver on Debian's etcd 3.4, the reference one on the reference
etcd, each with an administrator's and an unprivileged user's client certificate. Each kubectl
version works in its own namespace (k127, k133) and names its cluster-scoped objects after itself,
so the versions run one after the other against the same two servers. kubectl's HOME (and so its
discovery cache) is a directory made here for each server and version; ~/.kube is never read.

Families: discovery (api-versions, api-resources, get --raw), create (every generator), get (every
output format, sorting, labels, selectors, chunks, `get all`), describe, explain, apply (client-side
and server-side, prune, dry runs, field validation), diff, patch, replace, edit, label and annotate,
workloads (scale, autoscale, rollout, set, expose, run), node (taint, cordon, drain), certificate,
auth, delete, wait, watch, misc (events, debug, top, cp, logs, exec), object (every object made,
printed in full; --raw writes; a watch from the cache) and user (an unprivileged user, and --as).
`explain` is compared by its structure only (the reference OpenAPI describes fields in its own
words), and outputs printed in Go map order line by line, sorted.

Known differences left (kubectl 1.27 and 1.33 alike): the reference etcd of `start_ours` serves
HTTP on a port of its own, so `get componentstatuses` finds etcd-0 unhealthy; an apply that does
not type is a 400 here, upstream's plain 500 (a bug since fixed upstream); the pod-update
Forbidden message lacks upstream's go-cmp diff of the spec (which go-cmp varies on purpose); a
ControllerRevision's data is no RawExtension reference (explain shows no `data`).

    python benchmarks/kubectl_differential.py /work/k8s-bin/kube-apiserver [--kubectl 1.27 --kubectl 1.33]
        [--family get ...] [--show 100]

Writes benchmarks/results/kubectl_differential.json.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import yaml  # noqa: E402

from apiserver_differential import USER, Server, start_ours, start_real  # noqa: E402
from reference_impl import cluster as local_cluster  # noqa: E402
from reference_impl.machinery.certutil import issue_client_cert, new_ca  # noqa: E402

RESULTS = Path(__file__).parent / "results"
KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl.{version}"
COMMAND_TIMEOUT = 30.0


@dataclass(frozen=True)
class Step:
    """One kubectl command. `args` and `stdin` may hold {ns}, {v} (the version's suffix, 127) and
    {dir} (the directory of the files written here); `minimum` is the lowest kubectl minor that
    has the command; `seconds` bounds a command that does not end by itself (a watch), whose output
    so far is then compared."""
    family: str
    args: tuple[str, ...]
    stdin: str | None = None
    user: str = "admin"
    env: tuple[tuple[str, str], ...] = ()
    minimum: int = 0
    seconds: float | None = None
    compare: bool = True  # False: a setup step whose answers may differ by design (not counted)
    unordered: bool = False  # stdout lines in Go map order (label --list): compared sorted

    def render(self, text: str, ns: str, v: str, directory: Path) -> str:
        return text.replace("{ns}", ns).replace("{v}", v).replace("{dir}", str(directory))


def k(family: str, *args: str, **options) -> Step:
    return Step(family, tuple(args), **options)


def doc(obj: dict) -> str:
    return yaml.safe_dump(obj, sort_keys=False)


def deployment(name: str, image: str = "nginx:1.25", replicas: int = 1, **extra_spec) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "{ns}",
                                                                         "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, **extra_spec,
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def configmap(name: str, data: dict, **metadata) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "{ns}", **metadata}, "data": data}


def pod(name: str, node: str | None = None, **metadata) -> dict:
    spec = {"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "{ns}", **metadata},
            "spec": spec}


NODE = {"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "node-{v}", "labels": {"kubernetes.io/hostname": "node-{v}"}},
        "spec": {}}


def files() -> dict[str, str]:
    """The files the commands read, by name."""
    return {
        "app.yaml": doc(deployment("app")) + "---\n" + doc(configmap("app-config", {"a": "1"})),
        "app-changed.yaml": doc(deployment("app", image="nginx:1.26", replicas=2)) + "---\n"
        + doc(configmap("app-config", {"a": "2", "b": "3"})),
        "unknown.yaml": doc({**configmap("unknown", {"a": "1"}), "spec": {"x": 1},
                             "metadata": {"name": "unknown", "namespace": "{ns}", "bogus": 1}}),
        "unknown-deploy.yaml": doc({**deployment("unknown-deploy"),
                                    "spec": {**deployment("unknown-deploy")["spec"], "replica": 2}}),
        "duplicate.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: duplicate\n  namespace: {ns}\n"
                          "data:\n  a: '1'\n  a: '2'\n",
        "several-one-bad.yaml": doc(configmap("several-a", {"a": "1"})) + "---\n"
        + doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name", "namespace": "{ns}"}})
        + "---\n" + doc(configmap("several-c", {"c": "1"})),
        "bad-yaml.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
        "no-kind.yaml": "apiVersion: v1\nmetadata:\n  name: nokind\n",
        "prune-1.yaml": doc(configmap("prune-a", {"a": "1"}, labels={"prune": "yes"})) + "---\n"
        + doc(configmap("prune-b", {"b": "1"}, labels={"prune": "yes"})),
        "prune-2.yaml": doc(configmap("prune-a", {"a": "2"}, labels={"prune": "yes"})),
        "ssa.yaml": doc(configmap("ssa", {"owner": "first"})),
        "ssa-changed.yaml": doc(configmap("ssa", {"owner": "second"})),
        "pods.yaml": doc(pod("sleeper", labels={"app": "sleeper"})),
        "nodepod.yaml": doc(pod("on-node", node="node-{v}", labels={"app": "on-node"})),
        "node.yaml": doc(NODE),
        "replace-config.yaml": doc(configmap("app-config", {"replaced": "yes"})),
        "replace-missing.yaml": doc(configmap("never-created", {"a": "1"})),
        "tls.crt": TLS_CERT, "tls.key": TLS_KEY,
        "from-file.txt": "line one\nline two\n",
        "csr.yaml": "",  # filled in by write_files with a fresh request
        "role-reconcile.yaml": doc({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                    "metadata": {"name": "reconciled", "namespace": "{ns}"},
                                    "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]})
        + "---\n" + doc({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                         "metadata": {"name": "reconciled", "namespace": "{ns}"},
                         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reconciled"},
                         "subjects": [{"kind": "User", "name": USER, "apiGroup": "rbac.authorization.k8s.io"}]}),
        "generate.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n  namespace: {ns}\n",
        "list.yaml": doc({"apiVersion": "v1", "kind": "List", "items": [
            configmap("listed-a", {"a": "1"}), configmap("listed-b", {"b": "1"})]}),
        "editor.sh": "#!/bin/sh\nsed -i 's/replicas: 1$/replicas: 3/' \"$1\"\n",
        "bad-editor.sh": "#!/bin/sh\nsed -i 's/^  name: .*/  name: renamed/' \"$1\"\n",
        "noop-editor.sh": "#!/bin/sh\ntrue\n",
    }


def tls_pair() -> tuple[str, str]:
    ca = new_ca()
    pair = issue_client_cert(ca, "tls.example.com")
    return pair.cert_pem.decode(), pair.key_pem.decode()


TLS_CERT, TLS_KEY = tls_pair()


def csr_manifest() -> str:
    from tests.reference.apiserver.csrs import request as csr_request
    encoded = csr_request("csr-user", ())
    out = []
    for name in ("csr-approve-{v}", "csr-deny-{v}"):
        out.append(doc({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                        "metadata": {"name": name},
                        "spec": {"request": encoded, "signerName": "kubernetes.io/kube-apiserver-client",
                                 "usages": ["client auth"]}}))
    return "---\n".join(out)


def steps() -> list[Step]:
    get = "get"
    s: list[Step] = []
    # discovery
    s += [k("discovery", "api-versions"), k("discovery", "api-resources"),
          k("discovery", "api-resources", "-o", "wide"), k("discovery", "api-resources", "--namespaced=true"),
          k("discovery", "api-resources", "--namespaced=false", "-o", "name"),
          k("discovery", "api-resources", "--verbs=list,watch", "--api-group=apps"),
          k("discovery", "api-resources", "--api-group=nonexistent.io"),
          k("discovery", "api-resources", "--verbs=patch", "--sort-by=name"),
          k("discovery", "api-resources", "--categories=all"),
          k("discovery", get, "--raw", "/api"), k("discovery", get, "--raw", "/apis/apps"),
          k("discovery", get, "--raw", "/apis/apps/v1/nonexistent"), k("discovery", get, "--raw", "/apis/nope"),
          k("discovery", get, "--raw", "/api/v2"), k("discovery", get, "--raw", "/healthz"),
          k("discovery", get, "--raw", "/livez/ping"), k("discovery", get, "--raw", "/readyz/nonexistent"),
          k("discovery", get, "--raw", "/api/v1/namespaces/{ns}/pods?limit=-1"),
          k("discovery", get, "--raw", "/api/v1/namespaces/{ns}/pods?fieldSelector=bogus%3D1"),
          k("discovery", get, "--raw", "/api/v1/namespaces/{ns}/pods/missing/log"),
          k("discovery", get, "--raw", "/apis/apps/v1/namespaces/{ns}/deployments/missing/scale"),
          k("discovery", get, "--raw", "/nonexistent/path"),
          k("discovery", get, "--raw", "/api/v1/namespaces/{ns}/configmaps?labelSelector=a%20in"),
          k("discovery", get, "--raw", "/openapi/v3/apis/nope/v1")]
    # namespace and create generators
    s += [k("create", "create", "namespace", "{ns}"),
          # The reference apiserver makes a namespace's `default` account itself (no
          # controller-manager runs here); the real one needs it made.
          k("setup", "create", "serviceaccount", "default", "-n", "{ns}", compare=False),
          k("create", "create", "namespace", "{ns}"),
          k("create", "create", "serviceaccount", "sa", "-n", "{ns}"),
          k("create", "create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "--port=80", "-n", "{ns}"),
          k("create", "create", "deployment", "multi", "--image=nginx", "--image=busybox", "-n", "{ns}"),
          k("create", "create", "deployment", "Bad_Name", "--image=nginx", "-n", "{ns}"),
          k("create", "create", "job", "once", "--image=busybox", "-n", "{ns}", "--", "echo", "hi"),
          k("create", "create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "-n", "{ns}"),
          k("create", "create", "cronjob", "badtick", "--image=busybox", "--schedule=bad", "-n", "{ns}"),
          k("create", "create", "job", "from-cron", "--from=cronjob/tick", "-n", "{ns}"),
          k("create", "create", "secret", "generic", "gen", "--from-literal=user=admin", "--from-literal=pw=s3cr3t",
            "-n", "{ns}"),
          k("create", "create", "secret", "generic", "gen-file", "--from-file={dir}/from-file.txt", "-n", "{ns}"),
          k("create", "create", "secret", "tls", "tls", "--cert={dir}/tls.crt", "--key={dir}/tls.key", "-n", "{ns}"),
          k("create", "create", "secret", "docker-registry", "reg", "--docker-server=r.example.com",
            "--docker-username=u", "--docker-password=p", "-n", "{ns}"),
          k("create", "create", "configmap", "lit", "--from-literal=a=1", "--from-literal=b=2", "-n", "{ns}"),
          k("create", "create", "configmap", "fromfile", "--from-file={dir}/from-file.txt", "-n", "{ns}"),
          k("create", "create", "configmap", "lit", "--from-literal=a=1", "-n", "{ns}"),
          k("create", "create", "service", "clusterip", "svc-c", "--tcp=80:8080", "-n", "{ns}"),
          k("create", "create", "service", "clusterip", "svc-headless", "--clusterip=None", "-n", "{ns}"),
          k("create", "create", "service", "nodeport", "svc-n", "--tcp=80:8080", "-n", "{ns}"),
          k("create", "create", "service", "loadbalancer", "svc-lb", "--tcp=443:8443", "-n", "{ns}"),
          k("create", "create", "service", "externalname", "svc-x", "--external-name=example.com", "-n", "{ns}"),
          k("create", "create", "role", "reader", "--verb=get,list", "--resource=pods,configmaps", "-n", "{ns}"),
          k("create", "create", "role", "badrole", "--verb=get", "--resource=nonexistents", "-n", "{ns}"),
          k("create", "create", "clusterrole", "reader-{v}", "--verb=get,list,watch", "--resource=nodes"),
          k("create", "create", "clusterrole", "agg-{v}", "--aggregation-rule=rbac.example.com/agg=true"),
          k("create", "create", "rolebinding", "reader", "--role=reader", f"--user={USER}", "-n", "{ns}"),
          k("create", "create", "clusterrolebinding", "reader-{v}", "--clusterrole=reader-{v}", f"--user={USER}"),
          k("create", "create", "quota", "q", "--hard=pods=10,requests.cpu=2", "-n", "{ns}"),
          k("create", "create", "quota", "badq", "--hard=pods=-1", "-n", "{ns}"),
          k("create", "create", "priorityclass", "high-{v}", "--value=1000", "--description=high"),
          k("create", "create", "priorityclass", "neg-{v}", "--value=2000000000"),
          k("create", "create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=1", "-n", "{ns}"),
          k("create", "create", "poddisruptionbudget", "pdb2", "--selector=app=web", "--max-unavailable=50%",
            "-n", "{ns}"),
          k("create", "create", "ingress", "ing", "--rule=foo.com/bar=svc-c:80", "-n", "{ns}"),
          k("create", "create", "ingress", "ing-tls", "--rule=foo.com/*=svc-c:80,tls=tls",
            "--class=default", "-n", "{ns}"),
          k("create", "create", "token", "sa", "-n", "{ns}", "--duration=1h", "-o", "jsonpath={.kind}"),
          k("create", "create", "token", "sa", "-n", "{ns}", "--duration=1s"),
          k("create", "create", "token", "missing-sa", "-n", "{ns}"),
          k("create", "create", "token", "sa", "-n", "{ns}", "--bound-object-kind=Pod",
            "--bound-object-name=missing"),
          k("create", "create", "deployment", "dry", "--image=nginx", "--dry-run=server", "-n", "{ns}", "-o", "yaml"),
          k("create", "create", "-f", "{dir}/pods.yaml"),
          k("create", "create", "-f", "{dir}/pods.yaml"),
          k("create", "create", "-f", "{dir}/node.yaml"),
          k("create", "create", "-f", "{dir}/nodepod.yaml"),
          k("create", "create", "-f", "{dir}/csr.yaml")]
    # get
    for out in ("", "wide", "yaml", "json", "name", "jsonpath={.items[*].metadata.name}",
                "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image",
                "go-template={{range .items}}{{.metadata.name}} {{end}}", "jsonpath={.bogus[}"):
        s.append(k("get", "get", "deployments", "-n", "{ns}", *(("-o", out) if out else ())))
    s += [k("get", "get", "configmaps,secrets", "-n", "{ns}", "--sort-by=.metadata.name"),
          k("get", "get", "configmaps", "-n", "{ns}", "--sort-by=.data.a"),
          k("get", "get", "pods", "-n", "{ns}", "--show-labels"),
          k("get", "get", "deployments", "-n", "{ns}", "-L", "app", "-L", "missing"),
          k("get", "get", "pods", "-n", "{ns}", "--field-selector=metadata.name=sleeper"),
          k("get", "get", "pods", "-n", "{ns}", "--field-selector=spec.nodeName=node-{v}"),
          k("get", "get", "pods", "-n", "{ns}", "--field-selector=status.phase!=Running,spec.restartPolicy=Always"),
          k("get", "get", "pods", "-n", "{ns}", "--field-selector=spec.bogus=1"),
          k("get", "get", "secrets", "-n", "{ns}", "--field-selector=type=kubernetes.io/tls"),
          k("get", "get", "configmaps", "-n", "{ns}", "--chunk-size=1", "-o", "name"),
          k("get", "get", "configmaps", "-n", "{ns}", "--chunk-size=2"),
          k("get", "get", "all", "-n", "{ns}"), k("get", "get", "all", "-n", "{ns}", "-o", "wide"),
          k("get", "get", "services", "-n", "{ns}", "-o", "wide"),
          k("get", "get", "ingress,pdb,quota,cronjob,job,role,rolebinding", "-n", "{ns}"),
          k("get", "get", "ingress,pdb,quota,cronjob,job", "-n", "{ns}", "-o", "wide"),
          k("get", "get", "priorityclass", "high-{v}"), k("get", "get", "clusterrole", "reader-{v}", "-o", "wide"),
          k("get", "get", "node", "node-{v}"), k("get", "get", "node", "node-{v}", "-o", "wide"),
          k("get", "get", "csr", "csr-approve-{v}"), k("get", "get", "serviceaccounts", "-n", "{ns}"),
          k("get", "get", "namespaces", "{ns}"), k("get", "get", "namespace", "{ns}", "-o", "wide"),
          k("get", "get", "deployment", "missing", "-n", "{ns}"),
          k("get", "get", "deployment", "missing", "web", "-n", "{ns}"),
          k("get", "get", "deployment", "missing", "-n", "{ns}", "--ignore-not-found"),
          k("get", "get", "nonexistentkind"),
          k("get", "get", "pods", "-n", "{ns}", "-l", "app=sleeper", "-o", "name"),
          k("get", "get", "pods", "-n", "{ns}", "-l", "app in (sleeper,on-node)", "-o", "name"),
          k("get", "get", "pods", "-n", "{ns}", "-l", "a b c"),
          k("get", "get", "configmaps", "-A", "-l", "prune=yes"),
          k("get", "get", "pods", "-n", "{ns}", "--output-watch-events", "-o", "name"),
          k("get", "get", "deploy/web", "svc/svc-c", "-n", "{ns}", "-o", "name"),
          k("get", "get", "deployment.v1.apps", "-n", "{ns}", "-o", "name"),
          k("get", "get", "deployments.v1beta1.apps", "-n", "{ns}"),
          k("get", "get", "--raw", "/apis/apps/v1/namespaces/{ns}/deployments/web/scale"),
          k("get", "get", "events", "-n", "{ns}", "-o", "name"),
          k("get", "get", "--subresource=status", "deployment", "web", "-n", "{ns}", minimum=28),
          k("get", "get", "--subresource=scale", "deployment", "web", "-n", "{ns}", minimum=28),
          k("get", "get", "componentstatuses", unordered=True)]
    # describe
    for what in ("deployment/web", "job/once", "cronjob/tick", "secret/tls",
                 "service/svc-c", "service/svc-n", "service/svc-x", "role/reader", "rolebinding/reader",
                 "quota/q", "pdb/pdb", "ingress/ing", "ingress/ing-tls", "serviceaccount/sa", "pod/sleeper",
                 "pod/on-node", "deployment/missing"):
        s.append(k("describe", "describe", what, "-n", "{ns}"))
    s += [k("describe", "describe", "namespace", "{ns}"), k("describe", "describe", "node", "node-{v}"),
          k("describe", "describe", "clusterrole", "reader-{v}"), k("describe", "describe", "priorityclass", "high-{v}"),
          k("describe", "describe", "csr", "csr-approve-{v}"), k("describe", "describe", "configmap/lit", "-n", "{ns}",
                                                                 unordered=True),
          k("describe", "describe", "secret/gen", "-n", "{ns}", unordered=True), k("describe", "describe", "deployments", "-n", "{ns}",
                                                                 "-l", "app=web")]
    # explain
    s += [k("explain", "explain", "pods"), k("explain", "explain", "pods.spec.containers.resources"),
          k("explain", "explain", "deployment.spec.strategy", "--recursive"),
          k("explain", "explain", "pods.spec.bogus"), k("explain", "explain", "nonexistentkind"),
          k("explain", "explain", "cronjobs.spec.jobTemplate.spec.template.spec.containers.image"),
          k("explain", "explain", "ingress", "--api-version=networking.k8s.io/v1"),
          k("explain", "explain", "hpa", "--api-version=autoscaling/v2"),
          k("explain", "explain", "configmap", "--recursive"),
          k("explain", "explain", "pods.spec", "--output=plaintext-openapiv2", minimum=28)]
    # apply
    s += [k("apply", "apply", "-f", "{dir}/app.yaml"), k("apply", "apply", "-f", "{dir}/app.yaml"),
          k("apply", "apply", "-f", "{dir}/app-changed.yaml"),
          k("apply", "apply", "-f", "{dir}/app-changed.yaml", "--dry-run=server"),
          k("apply", "apply", "-f", "{dir}/app.yaml", "--dry-run=server", "-o", "yaml"),
          k("apply", "apply", "-f", "{dir}/app.yaml", "--dry-run=client", "-o", "name"),
          k("apply", "apply", "--server-side", "-f", "{dir}/ssa.yaml"),
          k("apply", "apply", "--server-side", "-f", "{dir}/ssa.yaml"),
          k("apply", "apply", "--server-side", "--field-manager=other", "-f", "{dir}/ssa-changed.yaml"),
          k("apply", "apply", "--server-side", "--field-manager=other", "--force-conflicts",
            "-f", "{dir}/ssa-changed.yaml"),
          k("apply", "apply", "--server-side", "--dry-run=server", "-f", "{dir}/ssa.yaml", "-o", "yaml"),
          k("apply", "get", "configmap", "ssa", "-n", "{ns}", "-o", "yaml", "--show-managed-fields"),
          k("apply", "apply", "-f", "{dir}/app.yaml", "--server-side"),
          k("apply", "apply", "-f", "{dir}/app.yaml", "--server-side", "--force-conflicts"),
          k("apply", "apply", "--validate=strict", "-f", "{dir}/unknown.yaml"),
          k("apply", "apply", "--validate=warn", "-f", "{dir}/unknown.yaml"),
          k("apply", "apply", "--validate=ignore", "-f", "{dir}/unknown-deploy.yaml"),
          k("apply", "apply", "--validate=strict", "-f", "{dir}/unknown-deploy.yaml"),
          k("apply", "apply", "--validate=strict", "--server-side", "-f", "{dir}/unknown-deploy.yaml"),
          k("apply", "apply", "--validate=warn", "--server-side", "-f", "{dir}/unknown-deploy.yaml"),
          k("apply", "create", "--validate=strict", "-f", "{dir}/duplicate.yaml"),
          k("apply", "apply", "--validate=warn", "-f", "{dir}/duplicate.yaml"),
          k("apply", "apply", "-f", "{dir}/several-one-bad.yaml"),
          k("apply", "apply", "-f", "{dir}/bad-yaml.yaml"), k("apply", "apply", "-f", "{dir}/no-kind.yaml"),
          k("apply", "apply", "-f", "{dir}/prune-1.yaml", "-l", "prune=yes", "--prune"),
          k("apply", "apply", "-f", "{dir}/prune-2.yaml", "-l", "prune=yes", "--prune"),
          k("apply", "apply", "-f", "{dir}/prune-2.yaml", "-l", "prune=yes", "--prune", "--dry-run=server"),
          k("apply", "apply", "view-last-applied", "configmap/app-config", "-n", "{ns}"),
          k("apply", "apply", "set-last-applied", "-f", "{dir}/app.yaml", "--create-annotation"),
          k("apply", "apply", "edit-last-applied", "deployment/app", "-n", "{ns}",
            env=(("EDITOR", "{dir}/noop-editor.sh"),))]
    # diff
    s += [k("diff", "diff", "-f", "{dir}/app.yaml"), k("diff", "diff", "-f", "{dir}/app-changed.yaml"),
          k("diff", "diff", "--server-side", "-f", "{dir}/ssa.yaml"),
          k("diff", "diff", "-f", "{dir}/replace-missing.yaml"),
          k("diff", "diff", "-f", "{dir}/several-one-bad.yaml")]
    # patch
    s += [k("patch", "patch", "deployment", "web", "-n", "{ns}", "-p",
            '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "-p",
            '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--type=merge", "-p", '{"spec":{"replicas":3}}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--type=json",
            "-p", '[{"op":"replace","path":"/spec/replicas","value":2}]'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--type=json",
            "-p", '[{"op":"remove","path":"/spec/nonexistent"}]'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--type=json",
            "-p", '[{"op":"test","path":"/spec/replicas","value":99}]'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--type=json", "-p", '{"op":"add"}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "-p", '{"spec":{"replicas":"three"}}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "-p", '{"spec":{"replicas":-1}}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "-p", 'not json'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--type=merge", "-p", '{"spec":{"selector":null}}'),
          k("patch", "patch", "deployment", "missing", "-n", "{ns}", "-p", '{"spec":{}}'),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--dry-run=server", "-p",
            '{"metadata":{"labels":{"x":"y"}}}', "-o", "jsonpath={.metadata.labels}"),
          k("patch", "patch", "deployment", "web", "-n", "{ns}", "--subresource=scale", "--type=merge",
            "-p", '{"spec":{"replicas":2}}', minimum=24),
          k("patch", "patch", "configmap", "lit", "-n", "{ns}", "--type=merge", "-p", '{"data":{"a":null}}'),
          k("patch", "patch", "configmap", "lit", "-n", "{ns}", "-p", '{"data":{"n":1}}'),
          k("patch", "patch", "service", "svc-c", "-n", "{ns}", "-p", '{"spec":{"clusterIP":"10.96.0.77"}}'),
          k("patch", "patch", "pod", "sleeper", "-n", "{ns}", "-p",
            '{"spec":{"containers":[{"name":"c","image":"busybox:1.37"}]}}'),
          k("patch", "patch", "pod", "sleeper", "-n", "{ns}", "-p", '{"spec":{"restartPolicy":"Never"}}')]
    # replace and edit
    s += [k("replace", "replace", "-f", "{dir}/replace-config.yaml"),
          k("replace", "replace", "-f", "{dir}/replace-missing.yaml"),
          k("replace", "replace", "--force", "-f", "{dir}/replace-config.yaml"),
          k("replace", "get", "configmap", "app-config", "-n", "{ns}", "-o", "jsonpath={.data}"),
          k("edit", "edit", "deployment", "app", "-n", "{ns}", env=(("EDITOR", "{dir}/editor.sh"),)),
          k("edit", "edit", "deployment", "app", "-n", "{ns}", env=(("EDITOR", "{dir}/noop-editor.sh"),)),
          k("edit", "edit", "configmap", "lit", "-n", "{ns}", env=(("EDITOR", "{dir}/bad-editor.sh"),)),
          k("edit", "edit", "deployment", "missing", "-n", "{ns}", env=(("EDITOR", "{dir}/noop-editor.sh"),))]
    # label, annotate
    s += [k("label", "label", "deployment", "web", "-n", "{ns}", "tier=front"),
          k("label", "label", "deployment", "web", "-n", "{ns}", "tier=back"),
          k("label", "label", "deployment", "web", "-n", "{ns}", "tier=back", "--overwrite"),
          k("label", "label", "deployment", "web", "-n", "{ns}", "--list", unordered=True),
          k("label", "label", "deployment", "web", "-n", "{ns}", "tier-"),
          k("label", "label", "deployment", "web", "-n", "{ns}", "bad key=x"),
          k("label", "label", "deployment", "web", "-n", "{ns}", "k=" + "v" * 64),
          k("label", "label", "configmaps", "--all", "-n", "{ns}", "swept=yes"),
          k("label", "label", "deployment", "web", "-n", "{ns}", "x=y", "--dry-run=server", "-o", "name"),
          k("label", "annotate", "deployment", "web", "-n", "{ns}", "note=hello"),
          k("label", "annotate", "deployment", "web", "-n", "{ns}", "note=bye"),
          k("label", "annotate", "deployment", "web", "-n", "{ns}", "note=bye", "--overwrite"),
          k("label", "annotate", "deployment", "web", "-n", "{ns}", "--list", unordered=True),
          k("label", "annotate", "deployment", "web", "-n", "{ns}", "note-"),
          k("label", "annotate", "deployment", "web", "-n", "{ns}", "-", "x=y"),
          k("label", "annotate", "pod", "sleeper", "-n", "{ns}", "big1=" + "x" * 130000, "big2=" + "x" * 130000)]
    # workloads
    s += [k("workload", "scale", "deployment", "web", "-n", "{ns}", "--replicas=4"),
          k("workload", "scale", "deployment", "web", "-n", "{ns}", "--replicas=5", "--current-replicas=1"),
          k("workload", "scale", "deployment", "web", "-n", "{ns}", "--replicas=-1"),
          k("workload", "scale", "configmap", "lit", "-n", "{ns}", "--replicas=1"),
          k("workload", "scale", "job", "once", "-n", "{ns}", "--replicas=2"),
          k("workload", "autoscale", "deployment", "web", "-n", "{ns}", "--min=2", "--max=5", "--cpu-percent=80"),
          k("workload", "autoscale", "deployment", "web", "-n", "{ns}", "--min=2", "--max=5"),
          k("workload", "get", "hpa", "-n", "{ns}"), k("workload", "describe", "hpa", "web", "-n", "{ns}"),
          k("workload", "autoscale", "deployment", "multi", "-n", "{ns}", "--min=5", "--max=2"),
          k("workload", "rollout", "status", "deployment", "web", "-n", "{ns}", "--timeout=2s"),
          k("workload", "rollout", "status", "deployment", "web", "-n", "{ns}", "--watch=false"),
          k("workload", "rollout", "history", "deployment", "web", "-n", "{ns}"),
          k("workload", "rollout", "history", "deployment", "web", "-n", "{ns}", "--revision=7"),
          k("workload", "rollout", "undo", "deployment", "web", "-n", "{ns}"),
          k("workload", "rollout", "restart", "deployment", "web", "-n", "{ns}"),
          k("workload", "rollout", "pause", "deployment", "web", "-n", "{ns}"),
          k("workload", "rollout", "pause", "deployment", "web", "-n", "{ns}"),
          k("workload", "rollout", "resume", "deployment", "web", "-n", "{ns}"),
          k("workload", "rollout", "status", "job", "once", "-n", "{ns}"),
          k("workload", "set", "image", "deployment/web", "nginx=nginx:1.27", "-n", "{ns}"),
          k("workload", "set", "image", "deployment/web", "missing=nginx", "-n", "{ns}"),
          k("workload", "set", "env", "deployment/web", "A=1", "B=2", "-n", "{ns}"),
          k("workload", "set", "env", "deployment/web", "--list", "-n", "{ns}"),
          k("workload", "set", "env", "deployment/web", "A-", "-n", "{ns}"),
          k("workload", "set", "env", "deployment/web", "--from=configmap/lit", "-n", "{ns}"),
          k("workload", "set", "resources", "deployment/web", "--limits=cpu=200m,memory=512Mi",
            "--requests=cpu=100m", "-n", "{ns}"),
          k("workload", "set", "resources", "deployment/web", "--limits=cpu=100m", "--requests=cpu=200m",
            "-n", "{ns}"),
          k("workload", "set", "resources", "deployment/web", "--limits=cpu=bogus", "-n", "{ns}"),
          k("workload", "set", "serviceaccount", "deployment/web", "sa", "-n", "{ns}"),
          k("workload", "set", "selector", "service/svc-c", "app=web", "-n", "{ns}"),
          k("workload", "set", "subject", "rolebinding/reader", "--user=bob", "-n", "{ns}"),
          k("workload", "expose", "deployment", "web", "--port=80", "--target-port=8080", "-n", "{ns}"),
          k("workload", "expose", "deployment", "web", "--port=80", "-n", "{ns}"),
          k("workload", "expose", "deployment", "web", "--name=web-np", "--port=81", "--type=NodePort", "-n", "{ns}"),
          k("workload", "expose", "pod", "sleeper", "--port=90", "-n", "{ns}"),
          k("workload", "expose", "configmap", "lit", "--port=90", "-n", "{ns}"),
          k("workload", "run", "r1", "--image=nginx", "--restart=Never", "-n", "{ns}"),
          k("workload", "run", "r2", "--image=nginx", "--dry-run=server", "-o", "yaml", "-n", "{ns}"),
          k("workload", "run", "r3", "--image=nginx", "--dry-run=client", "-o", "json", "-n", "{ns}"),
          k("workload", "run", "r4", "--image=nginx", "--port=80", "--expose", "-n", "{ns}"),
          k("workload", "run", "r1", "--image=nginx", "--restart=Never", "-n", "{ns}"),
          k("workload", "run", "R_bad", "--image=nginx", "-n", "{ns}"),
          k("workload", "run", "r5", "--image=nginx", "--restart=Never", "--overrides",
            '{"spec":{"activeDeadlineSeconds":-5}}', "-n", "{ns}")]
    # node
    s += [k("node", "taint", "node", "node-{v}", "key=value:NoSchedule"),
          k("node", "taint", "node", "node-{v}", "key=value:NoSchedule"),
          k("node", "taint", "node", "node-{v}", "key=other:NoSchedule", "--overwrite"),
          k("node", "taint", "node", "node-{v}", "key:NoSchedule-"),
          k("node", "taint", "node", "node-{v}", "key:NoExecute-"),
          k("node", "taint", "node", "node-{v}", "bad=x:Sometimes"),
          k("node", "cordon", "node-{v}"), k("node", "cordon", "node-{v}"),
          k("node", "get", "node", "node-{v}"),
          k("node", "uncordon", "node-{v}"),
          k("node", "drain", "node-{v}", "--dry-run=server"),
          k("node", "drain", "node-{v}", "--ignore-daemonsets", "--force", "--timeout=5s", "--grace-period=0"),
          k("node", "drain", "node-missing"),
          k("node", "uncordon", "node-{v}"),
          k("node", "describe", "node", "node-{v}")]
    # certificates
    s += [k("certificate", "certificate", "approve", "csr-approve-{v}"),
          k("certificate", "certificate", "approve", "csr-approve-{v}"),
          k("certificate", "certificate", "deny", "csr-deny-{v}"),
          k("certificate", "certificate", "approve", "csr-deny-{v}"),
          k("certificate", "certificate", "approve", "csr-deny-{v}", "--force"),
          k("certificate", "certificate", "approve", "csr-missing"),
          k("certificate", "get", "csr", "csr-approve-{v}", "csr-deny-{v}")]
    # auth
    s += [k("auth", "auth", "can-i", "create", "pods"), k("auth", "auth", "can-i", "--list", "-n", "{ns}"),
          k("auth", "auth", "can-i", "get", "pods", "--as", USER, "-n", "{ns}"),
          k("auth", "auth", "can-i", "delete", "pods", "--as", USER, "-n", "{ns}"),
          k("auth", "auth", "can-i", "get", "pods/log", "--as", USER, "-n", "{ns}"),
          k("auth", "auth", "can-i", "get", "pods", "--subresource=log", "--as", USER, "-n", "{ns}"),
          k("auth", "auth", "can-i", "--list", "--as", USER, "-n", "{ns}"),
          k("auth", "auth", "can-i", "get", "/healthz", "--as", USER),
          k("auth", "auth", "can-i", "get", "nonexistents"),
          k("auth", "auth", "can-i", "create", "pods", "--as", "system:serviceaccount:{ns}:sa", "-n", "{ns}"),
          k("auth", "auth", "can-i", "list", "nodes", "--as", USER, "--as-group", "system:masters"),
          k("auth", "auth", "whoami", minimum=28), k("auth", "auth", "whoami", "--as", USER, minimum=28),
          k("auth", "auth", "reconcile", "-f", "{dir}/role-reconcile.yaml"),
          k("auth", "auth", "reconcile", "-f", "{dir}/role-reconcile.yaml", "--dry-run=server"),
          k("auth", "auth", "reconcile", "-f", "{dir}/app.yaml")]
    # wait and watch
    s += [k("wait", "wait", "--for=condition=Ready", "pod/sleeper", "-n", "{ns}", "--timeout=1s"),
          k("wait", "wait", "--for=delete", "pod/missing", "-n", "{ns}", "--timeout=1s"),
          k("wait", "wait", "--for=jsonpath={.spec.replicas}=1", "deployment/app", "-n", "{ns}", "--timeout=2s"),
          k("wait", "wait", "--for=jsonpath={.spec.replicas}=9", "deployment/app", "-n", "{ns}", "--timeout=1s"),
          k("wait", "wait", "--for=condition=Approved", "csr/csr-approve-{v}", "--timeout=2s"),
          k("wait", "wait", "--for=bogus", "pod/sleeper", "-n", "{ns}"),
          k("watch", "get", "configmaps", "-n", "{ns}", "-w", seconds=3.0),
          k("watch", "get", "configmap", "lit", "-n", "{ns}", "-w", "-o", "name", "--output-watch-events", seconds=3.0),
          k("watch", "get", "pods", "-n", "{ns}", "--watch-only", seconds=2.0)]
    # misc
    s += [k("misc", "events", "-n", "{ns}", minimum=33), k("misc", "events", "-n", "{ns}", "--types=Warning", minimum=33),
          k("misc", "debug", "pod/sleeper", "-n", "{ns}", "--image=busybox", "--copy-to=dbg", "--dry-run=server",
            "-o", "name"),
          k("misc", "debug", "node/node-{v}", "--image=busybox", "--dry-run=server", "-o", "name"),
          k("misc", "top", "pods", "-n", "{ns}"), k("misc", "top", "nodes"),
          k("misc", "logs", "sleeper", "-n", "{ns}"), k("misc", "logs", "on-node", "-n", "{ns}"),
          k("misc", "logs", "missing", "-n", "{ns}"), k("misc", "logs", "deployment/web", "-n", "{ns}"),
          k("misc", "exec", "sleeper", "-n", "{ns}", "--", "true"),
          k("misc", "exec", "on-node", "-n", "{ns}", "--", "true"),
          k("misc", "cp", "{ns}/sleeper:/etc/hosts", "{dir}/copied"),
          k("misc", "attach", "sleeper", "-n", "{ns}"),
          k("misc", "port-forward", "pod/sleeper", "-n", "{ns}", "18080:80", seconds=3.0),
          k("misc", "cluster-info"), k("misc", "version", "-o", "json", "--client")]
    # objects as stored: every kind made above, in full
    for what in ("deployment/web", "deployment/multi", "job/once", "job/from-cron", "cronjob/tick", "secret/gen",
                 "secret/tls", "secret/reg", "configmap/fromfile", "service/svc-c", "service/svc-headless",
                 "service/svc-n", "service/svc-lb", "service/svc-x", "role/reader", "rolebinding/reader",
                 "quota/q", "pdb/pdb", "pdb/pdb2", "ingress/ing", "ingress/ing-tls", "serviceaccount/sa",
                 "pod/sleeper", "pod/on-node", "hpa/web", "service/web", "service/web-np", "pod/r1",
                 "service/r4", "namespace/{ns}", "node/node-{v}", "clusterrole/reader-{v}",
                 "clusterrolebinding/reader-{v}", "priorityclass/high-{v}", "csr/csr-approve-{v}",
                 "csr/csr-deny-{v}", "clusterrole/agg-{v}"):
        s.append(k("object", "get", what, "-n", "{ns}", "-o", "yaml"))
    s += [k("object", "get", "pods", "-n", "{ns}", "-o", "yaml", "--server-print=false"),
          k("object", "get", "--raw", "/openapi/v3"),
          k("object", "create", "--raw", "/api/v1/namespaces/{ns}/configmaps", "-f", "{dir}/replace-missing.yaml"),
          k("object", "replace", "--raw", "/api/v1/namespaces/{ns}/configmaps/never-created",
            "-f", "{dir}/replace-missing.yaml"),
          k("object", "delete", "--raw", "/api/v1/namespaces/{ns}/configmaps/never-created"),
          k("object", "delete", "--raw", "/api/v1/namespaces/{ns}/configmaps/never-created"),
          k("object", "get", "--raw", "/api/v1/namespaces/{ns}/pods/sleeper/log?container=bogus"),
          # the watch cache's initial events come in Go map order
          k("object", "get", "--raw", "/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1&resourceVersion=0",
            unordered=True),
          k("object", "set", "image", "pod/sleeper", "c=busybox:1.38", "-n", "{ns}"),
          k("object", "set", "env", "pod/sleeper", "X=1", "-n", "{ns}"),
          k("object", "label", "node", "node-{v}", "node-role.kubernetes.io/worker="),
          k("object", "get", "nodes", "-l", "node-role.kubernetes.io/worker"),
          k("object", "get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.metadata.generation}"),
          k("object", "rollout", "history", "deployment/web", "-n", "{ns}", "--revision=1"),
          k("object", "create", "deployment", "dry2", "--image=nginx", "--dry-run=server", "-n", "{ns}", "-o", "json"),
          k("object", "create", "job", "dry3", "--image=nginx", "--dry-run=server", "-n", "{ns}", "-o", "yaml"),
          k("object", "create", "cronjob", "dry4", "--image=nginx", "--schedule=@hourly", "--dry-run=server",
            "-n", "{ns}", "-o", "yaml"),
          k("object", "create", "service", "nodeport", "dry5", "--tcp=80:80", "--dry-run=server", "-n", "{ns}",
            "-o", "yaml"),
          k("object", "create", "-f", "{dir}/generate.yaml", "-o", "name"),
          k("object", "apply", "-f", "{dir}/generate.yaml"),
          k("object", "apply", "-f", "{dir}/list.yaml"),
          k("object", "get", "configmaps", "-n", "{ns}", "-o", "custom-columns=N:.metadata.name", "--sort-by=.metadata.name")]
    for kind in ("pods", "deployments", "services", "nodes", "jobs", "cronjobs", "ingresses", "hpa",
                 "poddisruptionbudgets", "statefulsets", "daemonsets", "persistentvolumeclaims", "events",
                 "networkpolicies", "roles", "csr", "leases", "storageclasses", "endpointslices",
                 "priorityclasses", "resourcequotas", "limitranges", "serviceaccounts", "namespaces",
                 "customresourcedefinitions", "validatingwebhookconfigurations", "apiservices",
                 "flowschemas", "runtimeclasses", "csidrivers", "volumeattachments", "podtemplates",
                 "replicationcontrollers", "endpoints", "secrets", "persistentvolumes", "ingressclasses",
                 "controllerrevisions", "csistoragecapacities", "prioritylevelconfigurations",
                 "tokenreviews", "subjectaccessreviews", "bindings", "componentstatuses", "podsecuritypolicies"):
        s.append(k("explain", "explain", kind, "--recursive"))
    # an unprivileged user
    u = {"user": USER}
    s += [k("user", "get", "pods", "-n", "{ns}", **u), k("user", "get", "pods", "-n", "default", **u),
          k("user", "get", "nodes", **u), k("user", "get", "node", "node-{v}", **u),
          k("user", "create", "configmap", "nope", "-n", "{ns}", **u),
          k("user", "delete", "pod", "sleeper", "-n", "{ns}", **u),
          k("user", "apply", "-f", "{dir}/app.yaml", **u),
          k("user", "get", "all", "-n", "{ns}", **u),
          k("user", "describe", "pod", "sleeper", "-n", "{ns}", **u),
          k("user", "auth", "can-i", "--list", "-n", "{ns}", **u),
          k("user", "auth", "can-i", "get", "pods", "-n", "{ns}", **u),
          k("user", "get", "pods", "-n", "{ns}", "--as", "someone", **u),
          k("user", "api-resources", **u), k("user", "get", "--raw", "/api/v1/namespaces", **u),
          k("user", "logs", "sleeper", "-n", "{ns}", **u),
          k("user", "get", "pods", "-n", "{ns}", "-w", seconds=2.0, **u),
          k("user", "get", "pods", "-n", "{ns}", "--as", USER),
          k("user", "create", "configmap", "asuser", "-n", "{ns}", "--as", USER),
          k("user", "get", "secrets", "-n", "{ns}", "--as", "system:serviceaccount:{ns}:sa"),
          k("user", "get", "nodes", "--as", "system:node:node-{v}", "--as-group", "system:nodes"),
          k("user", "get", "pods", "-n", "{ns}", "--as", USER, "--as-uid", "1234", minimum=23),
          k("user", "auth", "can-i", "create", "pods", "-n", "{ns}", "--as", "system:node:node-{v}",
            "--as-group", "system:nodes")]
    # delete
    s += [k("delete", "delete", "pod", "sleeper", "-n", "{ns}", "--grace-period=0", "--force"),
          k("delete", "delete", "pod", "missing", "-n", "{ns}"),
          k("delete", "delete", "pod", "missing", "-n", "{ns}", "--ignore-not-found"),
          k("delete", "delete", "deployment", "multi", "-n", "{ns}", "--cascade=orphan"),
          k("delete", "delete", "deployment", "app", "-n", "{ns}", "--cascade=foreground", "--wait=false"),
          k("delete", "delete", "configmap", "-l", "swept=yes", "-n", "{ns}", "--dry-run=server"),
          k("delete", "delete", "configmap", "fromfile", "-n", "{ns}", "--now"),
          k("delete", "delete", "configmaps", "-l", "prune=yes", "-n", "{ns}"),
          k("delete", "delete", "secrets", "--all", "-n", "{ns}", "--wait=false"),
          k("delete", "delete", "job", "once", "-n", "{ns}", "--grace-period=-5"),
          k("delete", "delete", "pod", "on-node", "-n", "{ns}", "--grace-period=1", "--wait=false"),
          k("delete", "delete", "deployment", "-n", "{ns}"),
          k("delete", "delete", "-f", "{dir}/app.yaml", "--ignore-not-found"),
          k("delete", "get", "all", "-n", "{ns}", "-o", "name"),
          k("delete", "delete", "csr", "csr-approve-{v}", "csr-deny-{v}"),
          k("delete", "delete", "node", "node-{v}", "--wait=false"),
          k("delete", "delete", "clusterrole,clusterrolebinding", "reader-{v}"),
          k("delete", "delete", "priorityclass", "high-{v}", "neg-{v}", "--ignore-not-found"),
          k("delete", "delete", "namespace", "{ns}", "--wait=false"),
          k("delete", "get", "namespace", "{ns}", "-o", "jsonpath={.status.phase}"),
          k("delete", "create", "configmap", "late", "-n", "{ns}")]
    return s


# --- normalising ----------------------------------------------------------------------------------

UID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
LONG_DATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                       r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}")
RESOURCE_VERSION = re.compile(r'((?:resourceVersion|resource-version|ResourceVersion|Resource Version)["\']?[:=]\s*["\']?)\d+')
IP = re.compile(r"\b10\.(?:9[6-9]|1[01]\d)\.\d{1,3}\.\d{1,3}\b")
NODE_PORT = re.compile(r"(?<=[:\s])3[0-2]\d{3}(?=/|\b)")
TOKEN_TEXT = re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
CERT_DATA = re.compile(r"(tls\.crt|tls\.key|request|certificate|\.dockerconfigjson)(\"?:\s*\"?)[A-Za-z0-9+/=]{20,}")
SERVER_URL = re.compile(r"https://127\.0\.0\.1:\d+")
GIT_VERSION = re.compile(r'"?(gitVersion|gitCommit|buildDate|goVersion)"?: "[^"]*"')
KLOG = re.compile(r"(?m)^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ")
TEMP_NAME = re.compile(r"(/tmp/(?:LIVE|MERGED)-|-edit-)\d+")
API_ACCESS = re.compile(r"(kube-api-access-|\bgen-)[a-z0-9]{5}\b")
OPENAPI_HASH = re.compile(r"hash=[0-9A-F]+")
FILE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ [+-]\d{4}")
LOOPBACK_PORT = re.compile(r"127\.0\.0\.1:\d+")
GO_POINTER = re.compile(r"\(0xc[0-9a-f]+\)")  # a pointer's address in a Go %#v dump (an Invalid value)
# explain: the reference apiserver's OpenAPI describes fields in its own words, so only the
# structure (headers, field names, types, -required-) is compared
EXPLAIN_KEPT = re.compile(r"^\s*(KIND|VERSION|GROUP|RESOURCE|FIELD|FIELDS|DESCRIPTION|ENUM):|<[^>]+>( -required-)?\s*$")


def normalise(text: str, directory: Path) -> str:
    text = text.replace(str(directory), "DIR")
    text = KLOG.sub(r"\1 ", text)
    text = TEMP_NAME.sub(r"\1N", text)
    text = API_ACCESS.sub(r"\1XXXXX", text)
    text = OPENAPI_HASH.sub("hash=HASH", text)
    text = FILE_TIME.sub("FILETIME", text)
    text = SERVER_URL.sub("https://SERVER", text)
    text = LOOPBACK_PORT.sub("127.0.0.1:PORT", text)
    text = GO_POINTER.sub("(0xADDR)", text)
    text = TOKEN_TEXT.sub("TOKEN", text)
    text = CERT_DATA.sub(r"\1\2DATA", text)
    text = UID.sub("UID", text)
    text = TIMESTAMP.sub("TIME", text)
    text = LONG_DATE.sub("DATE", text)
    text = RESOURCE_VERSION.sub(r"\g<1>RV", text)
    text = IP.sub("CLUSTER-IP", text)
    text = NODE_PORT.sub("NODEPORT", text)
    text = GIT_VERSION.sub(r"\1: V", text)
    text = re.sub(r'"resourceVersion":"\d+"', '"resourceVersion":"RV"', text)
    text = re.sub(r"(?m)^(\s*(?:[A-Za-z][\w\-./]*\s{2,}\S+.*?))\s+$", r"\1", text)
    return text


def ages(text: str) -> str:
    """Table outputs: ages (2s, 3m4s) become AGE, then columns are re-spaced (their widths follow
    the longest cell, which an age may be)."""
    lines = []
    for line in text.splitlines():
        cells = re.split(r"\s{2,}|\t", line.strip()) if "  " in line or "\t" in line else [line]
        cells = ["AGE" if re.fullmatch(r"(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?|<unknown>|<invalid>", c) and c
                 and not c.isdigit() else c for c in cells]
        cells = [re.sub(r"\b(?:\d+d)?(?:\d+h)?(?:\d+m)?\d+s ago\b|\(\d+[smhd]\d*[smh]? ago\)", "AGO", c) for c in cells]
        cells = [re.sub(r"\bx\d+ over \d+[smhd]\d*[smh]?\b", "xN over AGE", c) for c in cells]
        lines.append("  ".join(cells))
    return "\n".join(lines)


# --- running ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    code: int | str
    stdout: str
    stderr: str


@dataclass
class Target:
    """One server as kubectl reaches it: a kubeconfig per user, and a HOME per kubectl version."""
    name: str
    kubeconfigs: dict[str, Path]
    home: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def run(self, kubectl: str, step: Step, ns: str, v: str, directory: Path) -> Outcome:
        args = [step.render(a, ns, v, directory) for a in step.args]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home / v), "LANG": "C",
               "KUBECTL_EXTERNAL_DIFF": "diff -u -N", "NO_COLOR": "1"}
        env.update({key: step.render(value, ns, v, directory) for key, value in step.env})
        (self.home / v).mkdir(parents=True, exist_ok=True)
        argv = [kubectl, f"--kubeconfig={self.kubeconfigs[step.user]}", *args]
        stdin = step.render(step.stdin, ns, v, directory) if step.stdin is not None else None
        try:
            done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env,
                                  timeout=step.seconds or COMMAND_TIMEOUT, cwd=str(directory))
            return Outcome(done.returncode, done.stdout, done.stderr)
        except subprocess.TimeoutExpired as expired:
            out = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            err = expired.stderr.decode() if isinstance(expired.stderr, bytes) else (expired.stderr or "")
            return Outcome("timeout" if step.seconds is None else "stopped", out, err)


def kubeconfig(path: Path, server: Server, ca: Path, cert: Path, key: Path) -> Path:
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "c",
              "clusters": [{"name": "c", "cluster": {"server": f"https://{server.host}:{server.port}",
                                                     "certificate-authority": str(ca)}}],
              "users": [{"name": "u", "user": {"client-certificate": str(cert), "client-key": str(key)}}],
              "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}
    path.write_text(yaml.safe_dump(config))
    return path


def target(name: str, server: Server, pki: Path, admin: str, work: Path) -> Target:
    configs = {"admin": kubeconfig(work / f"{name}-admin.kubeconfig", server, pki / "ca.crt",
                                   pki / f"{admin}.crt", pki / f"{admin}.key"),
               USER: kubeconfig(work / f"{name}-user.kubeconfig", server, pki / "ca.crt",
                                pki / f"{USER}.crt", pki / f"{USER}.key")}
    return Target(name, configs, work / f"home-{name}")


def write_files(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files().items():
        (directory / name).write_text(text)
    (directory / "csr.yaml").write_text(csr_manifest())
    for name in ("editor.sh", "bad-editor.sh", "noop-editor.sh"):
        (directory / name).chmod(0o755)


def rendered_files(directory: Path, ns: str, v: str) -> Path:
    """The files with {ns} and {v} filled in, in a directory of this version's own."""
    out = directory / v
    out.mkdir(parents=True, exist_ok=True)
    for path in directory.iterdir():
        if path.is_file():
            (out / path.name).write_text(path.read_text().replace("{ns}", ns).replace("{v}", v))
            (out / path.name).chmod(path.stat().st_mode)
    return out


def compare(step: Step, real: Outcome, ours: Outcome, directory: Path) -> tuple[bool, dict, dict]:
    def shape(outcome: Outcome) -> dict:
        stdout = outcome.stdout
        if step.args[0] == "explain":
            stdout = "\n".join(line for line in stdout.splitlines() if EXPLAIN_KEPT.search(line))
        stdout = ages(normalise(stdout, directory))
        if step.unordered:
            stdout = "\n".join(sorted(stdout.splitlines()))
        return {"code": outcome.code, "stdout": stdout, "stderr": ages(normalise(outcome.stderr, directory))}
    a, b = shape(real), shape(ours)
    return a != b, a, b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver (1.24), already built")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"))
    parser.add_argument("--kubectl", action="append", help="kubectl minor versions (default 1.27 and 1.33)")
    parser.add_argument("--family", action="append", help="run only these families (and the setup)")
    parser.add_argument("--show", type=int, default=100, help="differing commands printed one by one")
    args = parser.parse_args(argv)
    versions = args.kubectl or ["1.27", "1.33"]
    work = Path(tempfile.mkdtemp(prefix="kubectl-differential-"))
    processes: list[local_cluster.Process] = []
    rows = []
    try:
        real_processes, real, _ = start_real(args.binary.resolve(), args.etcd.resolve(), work / "real")
        processes += real_processes
        our_processes, ours = start_ours(work / "ours")
        processes += our_processes
        targets = (target("real", real, work / "real" / "pki", "admin", work),
                   target("ours", ours, work / "ours" / "pki", "probe-admin", work))
        files_dir = work / "files"
        write_files(files_dir)
        for version in versions:
            kubectl = KUBECTL.format(version=version)
            minor = int(version.split(".")[1])
            v = version.replace(".", "")
            ns = f"k{v}"
            directory = rendered_files(files_dir, ns, v)
            for step in steps():
                if step.minimum > minor:
                    continue
                if args.family and step.family not in args.family and step.family not in ("create", "setup"):
                    continue
                outcomes = [t.run(kubectl, step, ns, v, directory) for t in targets]
                if not step.compare:
                    continue
                differs, a, b = compare(step, outcomes[0], outcomes[1], directory)
                rows.append({"version": version, "family": step.family,
                             "command": "kubectl " + " ".join(step.render(x, ns, v, directory) for x in step.args)
                             + (f"  (as {step.user})" if step.user != "admin" else ""),
                             "real": a, "ours": b, "differs": differs})
        exited = [p.name for p in processes if not p.running()]
    finally:
        local_cluster.stop(processes)
    report(rows, args.show)
    if exited:
        print(f"exited before the end: {', '.join(exited)} (logs in {work})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "kubectl_differential.json"
    out.write_text(json.dumps({"commands": len(rows), "differing": sum(r["differs"] for r in rows), "rows": rows,
                               "work": str(work)}, indent=2) + "\n")
    print(f"\nwrote {out}; logs in {work}")
    return 0


def print_answers(row: dict, limit: int) -> None:
    """Both servers' exit codes, and each output stream where the two differ, cut at `limit`."""
    for side in ("real", "ours"):
        answer = row[side]
        print(f"  {side}: exit {answer['code']}")
        for stream in ("stdout", "stderr"):
            if row["real"][stream] != row["ours"][stream] and answer[stream]:
                text = answer[stream] if len(answer[stream]) < limit else answer[stream][:limit] + " ..."
                print("    " + stream + ": " + text.replace("\n", "\n      "))


def report(rows: list[dict], show: int) -> None:
    differing = [row for row in rows if row["differs"]]
    for row in differing[:show]:
        print(f"--- [{row['version']} {row['family']}] {row['command']}")
        print_answers(row, 3000)
    print("\nfamily          version  commands  matching")
    table = collections.defaultdict(lambda: [0, 0])
    for row in rows:
        cell = table[(row["family"], row["version"])]
        cell[0] += 1
        cell[1] += not row["differs"]
    for (family, version), (count, matching) in sorted(table.items()):
        print(f"{family:<15} {version:<8} {count:>8}  {matching:>8}")
    print(f"{'total':<15} {'':<8} {len(rows):>8}  {len(rows) - len(differing):>8}")


if __name__ == "__main__":
    sys.exit(main())
