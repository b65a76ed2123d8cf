"""cluster.up's apiserver_args: flags added to the reference apiserver's command line (the
apiserver differential starts both servers with --anonymous-auth=false through it)."""
from __future__ import annotations

from reference_impl import cluster as local_cluster


def test_apiserver_args_end_the_reference_apiservers_command_line(tmp_path, monkeypatch):
    """The extra flags come after the ones up() sets, so that they are the ones that count."""
    started = []

    def start(directory, name, component, args, ready_timeout=local_cluster.READY_TIMEOUT):
        started.append((component, list(args)))
        return local_cluster.Process(name, 2 ** 22 + len(started), (component, *args), str(directory / name)), \
            "serving on http://127.0.0.1:1"

    monkeypatch.setattr(local_cluster, "start", start)
    local_cluster.up(tmp_path, kubelets=0, only=("etcd", "apiserver"),
                     apiserver_args=("--anonymous-auth=false", "--v=2"))
    (_, apiserver_args), = [entry for entry in started if entry[0] == "apiserver"]
    assert apiserver_args[-2:] == ["--anonymous-auth=false", "--v=2"]
    assert "--etcd-servers" in apiserver_args
