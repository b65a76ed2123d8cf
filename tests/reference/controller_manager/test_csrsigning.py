"""The CSR signing controller: an approved request of a kubernetes.io signer (the kubelet's
client and serving signers among them) is issued a certificate by the cluster CA, one its
signer's checks refuse is Failed (with upstream's message), and anything else (not approved,
already issued, another signer) is left alone."""
from __future__ import annotations

import base64
import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reference_impl.machinery import certutil
from reference_impl.controller_manager import csrsigning

NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def ca():
    pair = certutil.new_ca()
    return csrsigning.SigningCA(x509.load_pem_x509_certificate(pair.cert_pem),
                                serialization.load_pem_private_key(pair.key_pem, password=None))


KEY = ec.generate_private_key(ec.SECP256R1())
KUBELET_CLIENT = ("digital signature", "key encipherment", "client auth")
KUBELET_SERVING = ("digital signature", "key encipherment", "server auth")


def request_pem(common_name="alice", organization="dev", names=()) -> str:
    subject = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in (
        [organization] if isinstance(organization, str) else organization)]
    name = x509.Name([*subject, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    csr = builder.sign(KEY, hashes.SHA256())
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def csr(usages=("client auth",), signer=csrsigning.KUBE_APISERVER_CLIENT, approved=True, request=None, **spec) -> dict:
    conditions = [{"type": "Approved", "status": "True", "reason": "KubectlApprove"}] if approved else []
    return {"metadata": {"name": "alice", "resourceVersion": "7"},
            "spec": {"request": request or request_pem(), "signerName": signer, "usages": list(usages), **spec},
            "status": {"conditions": conditions}}


def node_csr(signer=csrsigning.KUBE_APISERVER_CLIENT_KUBELET, usages=KUBELET_CLIENT, common_name="system:node:n1",
             organization="system:nodes", names=(), **spec) -> dict:
    return csr(usages, signer, request=request_pem(common_name, organization, names), **spec)


def failure(updates) -> tuple[str, str, str]:
    [update] = updates
    assert "certificate" not in update.obj["status"]
    failed = update.obj["status"]["conditions"][-1]
    return failed["type"], failed["reason"], failed["message"]


def issued(update) -> x509.Certificate:
    return x509.load_pem_x509_certificate(base64.b64decode(update.obj["status"]["certificate"]))


def test_an_approved_client_request_is_issued_by_the_ca_for_a_year_backdated_five_minutes(ca):
    [update] = csrsigning.sync(csr(usages=("digital signature", "client auth")), ca, NOW)
    assert (update.resource, update.subresource, update.obj["metadata"]["resourceVersion"]) == (
        "certificatesigningrequests", "status", "7")
    cert = issued(update)
    cert.verify_directly_issued_by(ca.certificate)
    assert cert.subject.rfc4514_string() == "CN=alice,O=dev"
    assert cert.not_valid_before_utc == NOW - datetime.timedelta(minutes=5)
    assert cert.not_valid_after_utc == NOW + datetime.timedelta(days=365) - datetime.timedelta(minutes=5)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]


def test_expiration_seconds_is_honoured_down_to_ten_minutes(ca):
    """A certificate shorter-lived than eight hours is not backdated at its end."""
    [update] = csrsigning.sync(csr(expirationSeconds=60), ca, NOW)
    assert issued(update).not_valid_after_utc == NOW + datetime.timedelta(minutes=10)
    [update] = csrsigning.sync(csr(expirationSeconds=3600), ca, NOW)
    assert issued(update).not_valid_after_utc == NOW + datetime.timedelta(hours=1)


def test_cluster_signing_duration_caps_the_requested_expiration(ca):
    """--cluster-signing-duration is the longest life: a request asking for more gets it, less the
    five minutes of backdating."""
    ttl = datetime.timedelta(hours=10)
    for seconds in (None, 3600 * 24 * 400):
        [update] = csrsigning.sync(csr(**({} if seconds is None else {"expirationSeconds": seconds})), ca, NOW, ttl)
        assert issued(update).not_valid_after_utc == NOW + ttl - datetime.timedelta(minutes=5)
    [update] = csrsigning.sync(csr(expirationSeconds=3600 * 24 * 400), ca, NOW)
    assert issued(update).not_valid_after_utc == NOW + datetime.timedelta(days=365) - datetime.timedelta(minutes=5)


def test_a_kubelet_client_request_is_issued_as_the_node(ca):
    """kube-apiserver-client-kubelet signs O=system:nodes, CN=system:node:NAME with client auth."""
    [update] = csrsigning.sync(node_csr(), ca, NOW)
    cert = issued(update)
    cert.verify_directly_issued_by(ca.certificate)
    assert cert.subject.rfc4514_string() == "CN=system:node:n1,O=system:nodes"
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.key_encipherment) == (True, True)


def test_a_kubelet_serving_request_is_issued_with_its_names(ca):
    """kubelet-serving signs the node's subject with its DNS and IP names for server auth."""
    names = (x509.DNSName("n1"), x509.IPAddress(ipaddress.ip_address("10.0.0.1")))
    [update] = csrsigning.sync(node_csr(csrsigning.KUBELET_SERVING, KUBELET_SERVING, names=names), ca, NOW)
    cert = issued(update)
    assert list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value) == list(names)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH]


@pytest.mark.parametrize("request_args, message", [
    ({"organization": ["system:nodes", "x"]}, "subject organization is not system:nodes"),
    ({"names": (x509.DNSName("n1"),)}, "DNS subjectAltNames are not allowed"),
    ({"names": (x509.RFC822Name("a@b.c"),)}, "Email subjectAltNames are not allowed"),
    ({"names": (x509.IPAddress(ipaddress.ip_address("10.0.0.1")),)}, "IP subjectAltNames are not allowed"),
    ({"common_name": "n1"}, "subject common name does not begin with system:node:"),
    ({"usages": ("client auth",)}, "usages did not match [client auth digital signature key encipherment]"),
])
def test_the_kubelet_client_signer_fails_a_request_that_is_not_a_nodes(ca, request_args, message):
    assert failure(csrsigning.sync(node_csr(**request_args), ca, NOW)) == (
        "Failed", "SignerValidationFailure", message)


@pytest.mark.parametrize("request_args, message", [
    ({"organization": "dev"}, "subject organization is not system:nodes"),
    ({"names": ()}, "DNS or IP subjectAltName is required"),
    ({"names": (x509.DNSName("n1"), x509.UniformResourceIdentifier("spiffe://n1"))},
     "URI subjectAltNames are not allowed"),
    ({"usages": KUBELET_CLIENT}, "usages did not match [digital signature key encipherment server auth]"),
    ({"common_name": "n1"}, "subject common name does not begin with system:node:"),
])
def test_the_kubelet_serving_signer_fails_a_request_that_is_not_a_nodes(ca, request_args, message):
    request_args = {"names": (x509.DNSName("n1"),), "usages": KUBELET_SERVING, **request_args}
    assert failure(csrsigning.sync(node_csr(csrsigning.KUBELET_SERVING, **request_args), ca, NOW)) == (
        "Failed", "SignerValidationFailure", message)


def test_a_legacy_unknown_certificate_without_key_usages_has_no_key_usage_extension(ca):
    """crypto/x509 writes no KeyUsage extension for no key usage bits."""
    [update] = csrsigning.sync(csr(usages=("client auth",), signer=csrsigning.LEGACY_UNKNOWN), ca, NOW)
    with pytest.raises(x509.ExtensionNotFound):
        issued(update).extensions.get_extension_for_class(x509.KeyUsage)


@pytest.mark.parametrize("usages, message", [
    (("client auth", "server auth"), "invalid usage for client certificate: server auth"),
    (("digital signature",), "missing required usage for client certificate: client auth"),
])
def test_usages_the_signer_refuses_fail_the_request(ca, usages, message):
    assert failure(csrsigning.sync(csr(usages=usages), ca, NOW)) == ("Failed", "SignerValidationFailure", message)


def test_requests_not_approved_already_issued_or_of_another_signer_are_left_alone(ca):
    done = csr()
    done["status"]["certificate"] = "LS0t"
    assert csrsigning.sync(csr(approved=False), ca, NOW) == []
    assert csrsigning.sync(done, ca, NOW) == []
    assert csrsigning.sync(csr(signer="example.com/mine"), ca, NOW) == []
    assert csrsigning.sync(csr(signer="kubernetes.io/unknown"), ca, NOW) == []


def test_the_subject_is_written_as_crypto_x509_writes_a_pkix_name(ca):
    """O before CN whatever the request's order, one RDN per attribute type, PrintableString where
    the characters allow, and no attribute pkix.Name has no field for (emailAddress)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "system:node:n1"),
                         x509.NameAttribute(NameOID.EMAIL_ADDRESS, "n1@example.com"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:nodes"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ünï")])
    request = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(KEY, hashes.SHA256())
    pem = base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode()
    [update] = csrsigning.sync(csr(request=pem), ca, NOW)
    written = issued(update).subject
    assert [sorted((a.oid.dotted_string, a.value) for a in rdn) for rdn in written.rdns] == [
        [("2.5.4.10", "system:nodes"), ("2.5.4.10", "ünï")], [("2.5.4.3", "system:node:n1")]]
    types = {a.value: a._type.name for a in written}
    assert types == {"system:nodes": "PrintableString", "ünï": "UTF8String", "system:node:n1": "PrintableString"}


def _unchecked_request(*attributes, names=()) -> str:
    """A request whose subject breaks the X.509 upper bounds cryptography would enforce (Go's
    x509.CreateCertificateRequest enforces none)."""
    name = x509.Name([x509.NameAttribute(oid, value, _validate=False) for oid, value in attributes])
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return base64.b64encode(builder.sign(KEY, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)).decode()


@pytest.mark.filterwarnings("ignore:Attribute's length must be")  # cryptography warns, reading them
def test_a_subject_over_the_x509_upper_bounds_is_issued_as_go_issues_it(ca):
    """crypto/x509 writes a CN over 64 characters (a kubelet's system:node: and a long node name)
    and a C not of two letters as they are: the request is issued, not retried forever."""
    node = "system:node:" + "n" * 60
    request = _unchecked_request((NameOID.COUNTRY_NAME, "DEU"), (NameOID.ORGANIZATION_NAME, "system:nodes"),
                                 (NameOID.COMMON_NAME, node))
    [update] = csrsigning.sync(csr(KUBELET_CLIENT, csrsigning.KUBE_APISERVER_CLIENT_KUBELET, request=request), ca, NOW)
    written = issued(update).subject
    assert [(a.oid, a.value) for a in written] == [
        (NameOID.COUNTRY_NAME, "DEU"), (NameOID.ORGANIZATION_NAME, "system:nodes"), (NameOID.COMMON_NAME, node)]


def test_the_names_are_critical_when_the_written_subject_is_empty(ca):
    """Go marks the subjectAltName extension critical from the subject it writes: a request whose
    subject is only an emailAddress (no pkix.Name field) gets an empty subject and critical names,
    and one with a CN keeps them non-critical."""
    names = (x509.DNSName("svc.example.com"),)
    for attributes, critical in ((((NameOID.EMAIL_ADDRESS, "a@example.com"),), True),
                                 (((NameOID.COMMON_NAME, "svc"),), False)):
        request = _unchecked_request(*attributes, names=names)
        [update] = csrsigning.sync(csr(("digital signature", "server auth"), csrsigning.LEGACY_UNKNOWN,
                                       request=request), ca, NOW)
        cert = issued(update)
        assert len(cert.subject) == (0 if critical else 1)
        assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).critical is critical


@pytest.mark.parametrize("usages, bit_string", [
    (("cert sign", "encipher only"), "03020005"),  # as Go 1.19's x509.CreateCertificate writes them
    (("digital signature", "decipher only"), "0303078080"),
])
def test_encipher_or_decipher_only_without_key_agreement_is_issued_as_go_writes_it(ca, usages, bit_string):
    """crypto/x509 writes any KeyUsage bits, encipher or decipher only without key agreement among
    them (which cryptography's KeyUsage refuses): the request is issued, with Go's critical
    KeyUsage BIT STRING, not retried forever."""
    [update] = csrsigning.sync(csr(usages=usages, signer=csrsigning.LEGACY_UNKNOWN), ca, NOW)
    extension = "0603551d0f0101ff04" + format(len(bit_string) // 2, "02x") + bit_string
    assert extension in issued(update).tbs_certificate_bytes.hex()


CLUSTER = ("/pki/ca.crt", "/pki/ca.key")
NO_SPECIFIC = {signer: ("", "") for signer in csrsigning.SIGNERS}


def test_the_cluster_ca_signs_for_all_four_signers_when_no_signer_has_its_own():
    """startCSRSigningController: without per-signer files each signer runs with the cluster CA;
    with neither, no signer runs."""
    assert csrsigning.signer_files(CLUSTER, NO_SPECIFIC) == {signer: CLUSTER for signer in csrsigning.SIGNERS}
    assert csrsigning.signer_files(("", ""), NO_SPECIFIC) == {}
    assert csrsigning.signer_files(("/pki/ca.crt", ""), NO_SPECIFIC) == {}


def test_a_signers_own_files_run_that_signer_alone():
    """Once any signer has files of its own, only the signers given some run, each with its own."""
    serving = ("/pki/serving.crt", "/pki/serving.key")
    files = csrsigning.signer_files(("", ""), {**NO_SPECIFIC, csrsigning.KUBELET_SERVING: serving})
    assert files == {csrsigning.KUBELET_SERVING: serving}


def test_the_cluster_ca_and_a_signers_own_files_together_are_refused():
    with pytest.raises(csrsigning.SignerFilesError, match="^cannot specify default and per controller certs at the same time$"):
        csrsigning.signer_files(CLUSTER, {**NO_SPECIFIC, csrsigning.LEGACY_UNKNOWN: ("/pki/l.crt", "/pki/l.key")})


def test_a_signers_certificate_without_its_key_fails_to_start_that_signer():
    files = csrsigning.signer_files(("", ""), {**NO_SPECIFIC, csrsigning.KUBE_APISERVER_CLIENT: ("/pki/c.crt", "")})
    with pytest.raises(csrsigning.SignerFilesError) as raised:
        csrsigning.load_signers(files)
    assert str(raised.value) == ("failed to start kubernetes.io/kube-apiserver-client certificate controller: "
                                 "missing filename for serving cert")


def test_each_signer_signs_with_the_ca_its_flags_name(tmp_path):
    """--cluster-signing-kubelet-client-{cert,key}-file are read, not merely accepted: the kubelet
    client signer issues with that CA; a signer given no files leaves its requests alone."""
    from reference_impl.controller_manager.run import ControllerManager, parse_args, signing_cas
    pair = certutil.new_ca()
    (tmp_path / "k.crt").write_bytes(pair.cert_pem)
    (tmp_path / "k.key").write_bytes(pair.key_pem)
    args = parse_args(["--kubeconfig", "k", f"--cluster-signing-kubelet-client-cert-file={tmp_path / 'k.crt'}",
                       f"--cluster-signing-kubelet-client-key-file={tmp_path / 'k.key'}"], {})
    assert not args.no_effect
    cas = signing_cas(args)
    assert list(cas) == [csrsigning.KUBE_APISERVER_CLIENT_KUBELET]
    manager = ControllerManager(client=None, signing_cas=cas)
    kubelet, other = node_csr(), csr()
    manager.cache = lambda resource: {"kubelet": kubelet, "other": other}
    [update] = manager._sync_csr("kubelet")
    issued = x509.load_pem_x509_certificate(base64.b64decode(update.obj["status"]["certificate"]))
    assert issued.issuer == x509.load_pem_x509_certificate(pair.cert_pem).subject
    assert manager._sync_csr("other") == []


def test_the_signing_flags_are_validated_as_the_real_controller_manager_validates_them(capsys):
    """A signer's cert without its key, and the cluster CA beside a signer's files, end the real
    kube-controller-manager 1.24 at start with these words (its stderr, exit status 1)."""
    from reference_impl.controller_manager.run import COMMAND
    from reference_impl.machinery.process import main as process_main
    argv = ["--kubeconfig", "k", "--cluster-signing-cert-file=/ca.crt", "--cluster-signing-key-file=/ca.key",
            "--cluster-signing-kubelet-serving-cert-file=/ca.crt"]
    assert process_main(COMMAND, argv, {}) == 1
    assert capsys.readouterr().err == (
        '["cluster-signing-kubelet-serving": cannot specify cert without key, cannot specify '
        '--cluster-signing-{cert,key}-file and other --cluster-signing-*-file flags at the same time]\n')
    assert process_main(COMMAND, ["--kubeconfig", "k", "--cluster-signing-kubelet-client-key-file=/x"], {}) == 1
    assert capsys.readouterr().err == '"cluster-signing-kube-apiserver-client": cannot specify key without cert\n'
    assert process_main(COMMAND, ["--kubeconfig", "k", "--secure-port=-1"], {}) == 1
    assert capsys.readouterr().err == ("--secure-port -1 must be between 0 and 65535, inclusive. "
                                       "0 for turning off secure port\n")
