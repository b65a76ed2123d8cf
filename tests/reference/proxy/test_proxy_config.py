"""kube-proxy's --config file, read and refused as the real kube-proxy 1.24 does (each message
compared with it side by side), and its values taking the place of the flags'."""
from __future__ import annotations

from pathlib import Path

import pytest

from reference_impl.proxy import config
from reference_impl.proxy.errors import ProxyConfigError
from reference_impl.proxy.run import apply_config_file, parse_args

HEAD = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
DECODE = "failed complete: failed to decode: "


@pytest.mark.parametrize("text, problem", [
    (HEAD + "bindAddress: 5\n", DECODE + "json: cannot unmarshal number into Go struct field "
                                         "KubeProxyConfiguration.bindAddress of type string"),
    (HEAD + "conntrack: {maxPerCore: x}\n", DECODE + "json: cannot unmarshal string into Go struct field "
                                                     "KubeProxyConntrackConfiguration.conntrack.maxPerCore of type int32"),
    (HEAD + "mode: 5\n", DECODE + "json: cannot unmarshal number into Go struct field KubeProxyConfiguration.mode "
                                  "of type v1alpha1.ProxyMode"),
    (HEAD + "udpIdleTimeout: 5\n", DECODE + "json: cannot unmarshal number into Go struct field "
                                            "KubeProxyConfiguration.udpIdleTimeout of type string"),
    (HEAD + "udpIdleTimeout: 5x\n", DECODE + 'time: unknown unit "x" in duration "5x"'),
    ("kind: KubeProxyConfiguration\n", DECODE + "Object 'apiVersion' is missing in 'kind: KubeProxyConfiguration\\n'"),
    (HEAD.replace("v1alpha1", "v9"), DECODE + 'no kind "KubeProxyConfiguration" is registered for version '
                                              '"kubeproxy.config.k8s.io/v9" in scheme '
                                              '"k8s.io/kubernetes/pkg/proxy/apis/config/scheme/scheme.go:29"'),
    (HEAD + "bindAddress: 999.1.1.1\n", 'failed validate: KubeProxyConfiguration.BindAddress: Invalid value: '
                                        '"999.1.1.1": not a valid textual representation of an IP address'),
    (HEAD + "metricsBindAddress: 127.0.0.1:0\n",
     'failed validate: KubeProxyConfiguration.MetricsBindAddress: Invalid value: "0": must be a valid port'),
    # net.SplitHostPort's refusals, as the real kube-proxy 1.24 prints them
    (HEAD + 'healthzBindAddress: "::1:10256"\n',
     'failed validate: KubeProxyConfiguration.HealthzBindAddress: Invalid value: "::1:10256": must be IP:port'),
    (HEAD + 'healthzBindAddress: "[::1]10256"\n',
     'failed validate: KubeProxyConfiguration.HealthzBindAddress: Invalid value: "[::1]10256": must be IP:port'),
])
def test_a_file_kube_proxy_refuses_is_refused_in_its_words(text, problem, tmp_path):
    path = tmp_path / "proxy.yaml"
    path.write_text(text)
    with pytest.raises(ProxyConfigError) as info:
        config.load(path)
    assert str(info.value) == problem


def test_a_missing_file_is_refused_as_os_readfile_says_it(tmp_path):
    with pytest.raises(ProxyConfigError, match=f"^failed complete: open {tmp_path}/none.yaml: no such file"):
        config.load(tmp_path / "none.yaml")


def test_unknown_fields_are_decoded_leniently_and_said(tmp_path):
    """kube-proxy's codec is strict first, then lenient: an unknown field is only logged."""
    path = tmp_path / "proxy.yaml"
    path.write_text(HEAD + "foo: 1\nbar: 2\n")
    assert config.load(path).lenient_because == 'strict decoding error: unknown field "bar", unknown field "foo"'


def test_the_files_addresses_and_kubeconfig_take_the_place_of_the_flags(tmp_path):
    """Upstream's defaults fill what the file leaves out (an IP alone gets the default port); with
    no bindAddress the reference keeps its loopback default; no --kubeconfig is needed."""
    path = tmp_path / "proxy.yaml"
    path.write_text(HEAD + "clientConnection: {kubeconfig: /etc/kube-proxy.conf}\nhealthzBindAddress: 127.0.0.2\n")
    args = parse_args(["--config", str(path), "--metrics-bind-address", "127.0.0.1:9999"], {})
    apply_config_file(args)
    assert (args.kubeconfig, args.bind_address) == (Path("/etc/kube-proxy.conf"), "127.0.0.1")
    assert (args.healthz_bind_address, args.metrics_bind_address) == (("127.0.0.2", 10256), ("127.0.0.1", 10249))
