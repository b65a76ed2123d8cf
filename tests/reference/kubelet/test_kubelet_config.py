"""The kubelet's --config file, read and refused as the 1.24 kubelet's loadConfigFile words it (no
real kubelet is built here: the words are its source's), its values standing where no flag does."""
from __future__ import annotations

from pathlib import Path

import pytest

from reference_impl.kubelet import config
from reference_impl.kubelet.errors import KubeletError
from reference_impl.kubelet.run import apply_config_file, parse_args

HEAD = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"


def refusal(path: Path, reason: str) -> str:
    return f"failed to load Kubelet config file {path}, error {reason}"


@pytest.mark.parametrize("text, reason", [
    (HEAD + "authentication: {anonymous: {enabled: 'yes'}}\n",
     "failed to decode: json: cannot unmarshal string into Go struct field "
     "KubeletAnonymousAuthentication.authentication.anonymous.enabled of type bool"),
    (HEAD + "maxPods: 1.5\n", "failed to decode: json: cannot unmarshal number 1.5 into Go struct field "
                             "KubeletConfiguration.maxPods of type int32"),
    (HEAD + "evictionHard: {memory.available: 5}\n", "failed to decode: json: cannot unmarshal number into Go "
                                                     "struct field KubeletConfiguration.evictionHard of type string"),
    (HEAD + "syncFrequency: 10\n", "failed to decode: json: cannot unmarshal number into Go struct field "
                                   "KubeletConfiguration.syncFrequency of type string"),
    (HEAD + "authorization: {mode: 5}\n", "failed to decode: json: cannot unmarshal number into Go struct field "
                                          "KubeletAuthorization.authorization.mode of type v1beta1.KubeletAuthorizationMode"),
    (HEAD.replace("v1beta1", "v1"), 'failed to decode: no kind "KubeletConfiguration" is registered for version '
                                    '"kubelet.config.k8s.io/v1" in scheme '
                                    '"k8s.io/kubernetes/pkg/kubelet/apis/config/scheme/scheme.go:32"'),
])
def test_a_file_the_kubelet_refuses_is_refused_in_its_words(text, reason, tmp_path):
    path = tmp_path / "kubelet.yaml"
    path.write_text(text)
    with pytest.raises(config.KubeletConfigError) as info:
        config.load(path)
    assert str(info.value) == refusal(path, reason)


def test_a_missing_or_empty_file_is_refused(tmp_path):
    missing, empty = tmp_path / "none.yaml", tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(config.KubeletConfigError) as info:
        config.load(missing)
    assert str(info.value) == refusal(missing, f'failed to read kubelet config file "{missing}", error: '
                                               f"open {missing}: no such file or directory")
    with pytest.raises(config.KubeletConfigError) as info:
        config.load(empty)
    assert str(info.value) == refusal(empty, f'kubelet config file "{empty}" was empty')


def test_unknown_fields_are_decoded_leniently_and_said(tmp_path):
    path = tmp_path / "kubelet.yaml"
    path.write_text(HEAD + "podCIDR: 10.0.0.0/24\nnoSuchField: 1\n")
    loaded = config.load(path)
    assert loaded.lenient_because == 'strict decoding error: unknown field "noSuchField"'
    assert loaded.values == {"pod_cidr": "10.0.0.0/24"}


def test_the_files_values_stand_where_no_flag_is_given(tmp_path):
    """As the kubelet's flag precedence: --anonymous-auth given wins over the file; the file's TLS
    pair, client CA, authorization mode and lease duration are taken."""
    path = tmp_path / "kubelet.yaml"
    path.write_text(HEAD + "tlsCertFile: /pki/k.crt\ntlsPrivateKeyFile: /pki/k.key\n"
                           "authentication: {x509: {clientCAFile: /pki/ca.crt}, anonymous: {enabled: true}}\n"
                           "authorization: {mode: AlwaysAllow}\nnodeLeaseDurationSeconds: 20\n")
    args = parse_args(["--kubeconfig", "k", "--node-name", "n", "--root-dir", str(tmp_path),
                       "--config", str(path), "--anonymous-auth=false"], {})
    apply_config_file(args)
    assert (args.tls_cert_file, args.tls_private_key_file, args.client_ca_file) == (
        Path("/pki/k.crt"), Path("/pki/k.key"), Path("/pki/ca.crt"))
    assert (args.authorization_mode, args.node_lease_duration_seconds, args.anonymous_auth) == ("AlwaysAllow", 20, False)


def _args_with_config(tmp_path: Path, text: str, *flags: str):
    path = tmp_path / "kubelet.yaml"
    path.write_text(HEAD + text)
    args = parse_args(["--kubeconfig", "k", "--node-name", "n", "--root-dir", str(tmp_path),
                       "--config", str(path), *flags], {})
    apply_config_file(args)
    return args


def test_a_lease_duration_of_zero_in_the_file_is_the_default_40(tmp_path):
    """SetDefaults_KubeletConfiguration: nodeLeaseDurationSeconds 0 is 40 seconds."""
    assert _args_with_config(tmp_path, "nodeLeaseDurationSeconds: 0\n").node_lease_duration_seconds == 40


@pytest.mark.parametrize("text, problem", [
    ("nodeLeaseDurationSeconds: -5\n", "--node-lease-duration-seconds must be 1 or more"),
    ("tlsCertFile: k.crt\n", "--tls-cert-file and --tls-private-key-file go together"),
    ("podCIDR: not-a-cidr\n", "--pod-cidr: 'not-a-cidr' does not appear to be an IPv4 or IPv6 network"),
    ("authorization: {mode: Node}\n",
     "authorization.mode 'Node' is not one the reference kubelet has: Webhook, AlwaysAllow"),
])
def test_the_files_values_pass_the_checks_the_command_lines_do(text, problem, tmp_path):
    with pytest.raises(KubeletError) as info:
        _args_with_config(tmp_path, text)
    assert str(info.value) == f"Failed to validate kubelet configuration from {tmp_path / 'kubelet.yaml'}: {problem}"


def test_relative_paths_in_the_file_are_relative_to_its_folder(tmp_path):
    """resolveRelativePaths: the TLS pair and client CA are joined to the file's folder; an
    absolute path stays as it is."""
    args = _args_with_config(tmp_path, "tlsCertFile: pki/k.crt\ntlsPrivateKeyFile: /abs/k.key\n"
                                       "authentication: {x509: {clientCAFile: ca.crt}}\n")
    assert (args.tls_cert_file, args.tls_private_key_file, args.client_ca_file) == (
        tmp_path / "pki/k.crt", Path("/abs/k.key"), tmp_path / "ca.crt")
