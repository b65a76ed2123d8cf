"""`kubectl exec` on `kubeatlas cluster up` with one kubelet, with the newest kubectl installed
(1.30 and later speak WebSocket v5 first): the outputs on their own streams and the command's exit
code, stdin piped with -i, the container's environment, and the refusals as upstream words them."""
from __future__ import annotations

import json

import pytest

from clusterkit import kubectl, newest_kubectl, run_kubectl, shared_one_kubelet_cluster, wait_for

NAMESPACE = "e2e-exec"
KUBECTL = newest_kubectl()


def pod(name: str, command: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c", command],
                                     "env": [{"name": "GREETING", "value": "hello"}]}], **spec}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = shared_one_kubelet_cluster(tmp_path_factory)
    kubeconfig = directory / "admin.kubeconfig"
    kubectl(kubeconfig, "create", "namespace", NAMESPACE)
    for obj in (pod("box", "sleep 600"), pod("done", "true", restartPolicy="Never")):
        kubectl(kubeconfig, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(obj))
    kubectl(kubeconfig, "wait", "pod/box", "-n", NAMESPACE, "--for=condition=Ready", "--timeout=40s")
    return kubeconfig


def kubectl_exec(kubeconfig, *args: str, stdin: str | None = None):
    return run_kubectl(kubeconfig, "exec", "-n", NAMESPACE, *args, stdin=stdin, binary=KUBECTL)


def test_outputs_reach_their_streams_and_the_exit_code_is_kubectls(cluster):
    result = kubectl_exec(cluster, "box", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (result.returncode, result.stdout) == (3, "out\n")
    assert result.stderr == "err\ncommand terminated with exit code 3\n"


def test_stdin_is_piped_with_i_and_the_command_sees_the_containers_env(cluster):
    result = kubectl_exec(cluster, "-i", "box", "--", "sh", "-c", 'cat; echo "$GREETING"', stdin="line 1\nline 2\n")
    assert (result.returncode, result.stdout, result.stderr) == (0, "line 1\nline 2\nhello\n", "")


def test_an_unknown_container_is_the_apiservers_400(cluster):
    result = kubectl_exec(cluster, "box", "-c", "nope", "--", "ls")
    assert result.returncode == 1
    assert result.stderr == "Error from server (BadRequest): container nope is not valid for pod box\n"


def test_a_container_that_is_not_running_is_the_kubelets_refusal(cluster):
    """kubectl refuses a completed pod itself; a pod whose container has not started gets the
    kubelet's `container not found`, passed through by the apiserver."""
    wait_for(lambda: kubectl(cluster, "get", "pod", "done", "-n", NAMESPACE, "-o", "jsonpath={.status.phase}")
             == "Succeeded", 20, "the pod to complete")
    result = kubectl_exec(cluster, "done", "--", "ls")
    assert result.stderr == "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"
    volume = {"volumes": [{"name": "cfg", "configMap": {"name": "missing"}}]}
    waiting = pod("waiting", "sleep 600", **volume)
    waiting["spec"]["containers"][0]["volumeMounts"] = [{"name": "cfg", "mountPath": "/etc/config"}]
    kubectl(cluster, "apply", "-n", NAMESPACE, "-f", "-", stdin=json.dumps(waiting))
    wait_for(lambda: kubectl(cluster, "get", "pod", "waiting", "-n", NAMESPACE, "-o", "jsonpath={.spec.nodeName}"),
             20, "the pod's node")
    result = kubectl_exec(cluster, "waiting", "--", "ls")
    assert (result.returncode, result.stderr) == (1, 'error: unable to upgrade connection: container not found ("main")\n')


def test_a_command_is_required_by_kubectl_itself(cluster):
    """The apiserver does not check the command (ExecLocation does not); kubectl does."""
    result = kubectl_exec(cluster, "box")
    assert result.stderr == "error: you must specify at least one command for the container\n"


def test_a_user_who_may_not_create_pods_exec_is_forbidden(cluster):
    """Allowed to get the pod (and even to get pods/exec, which the WebSocket GET is), not to
    create pods/exec: 403 in RBAC's words after kubectl's SPDY retry."""
    kubectl(cluster, "create", "role", "exec-get", "-n", NAMESPACE, "--verb=get", "--resource=pods,pods/exec")
    kubectl(cluster, "create", "rolebinding", "exec-get", "-n", NAMESPACE, "--role=exec-get", "--user=eve")
    result = kubectl_exec(cluster, "--as=eve", "box", "--", "ls")
    assert result.returncode == 1
    assert result.stderr == (f'Error from server (Forbidden): pods "box" is forbidden: User "eve" cannot create '
                             f'resource "pods/exec" in API group "" in the namespace "{NAMESPACE}"\n')
