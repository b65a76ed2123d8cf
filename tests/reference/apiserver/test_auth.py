"""Authentication without a network: token files, bearer headers, client certificates, anonymous
access and the system:authenticated group, each test stating the upstream rule it checks."""
from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reference_impl.apiserver.adapter import certs
from reference_impl.machinery import certutil
from reference_impl.machinery.httpheaders import Headers
from reference_impl.apiserver.core.auth import (ANONYMOUS, API_AUDIENCES, AuthConfigError, AuthenticationFailed,
                                           BearerTokenAuthenticator, RequestAuthenticator,
                                           TokenFileAuthenticator, UserInfo, X509Authenticator,
                                           new_authenticator, usable_intermediates, with_authenticated_group)


@dataclass
class FakeRequest:
    headers: dict = field(default_factory=dict)
    peer_certificate: dict | None = None
    peer_certificate_der: bytes | None = None


def bearer(token):
    return FakeRequest(headers={"Authorization": f"Bearer {token}"})


def der(pair: certutil.KeyPair) -> bytes:
    return pair.certificate.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def ca():
    return certutil.new_ca()


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "tokens.csv"
    path.write_text('tok-alice,alice,1001,"viewers,devs"\n'
                    'tok-bob,bob,1002\n'
                    ',nobody,1003\n'
                    '\n'
                    'tok-bob,robert,1004\n')
    return path


def test_token_file_reads_user_uid_and_groups(token_file):
    """Each record is token,user,uid and optionally a quoted comma-separated group list."""
    tokens = TokenFileAuthenticator.from_csv(token_file)
    assert tokens.authenticate_token("tok-alice") == UserInfo("alice", "1001", ("viewers", "devs"))


def test_token_file_skips_empty_tokens_and_last_duplicate_wins(token_file):
    """A record with an empty token is skipped; a duplicated token keeps the later record."""
    tokens = TokenFileAuthenticator.from_csv(token_file)
    assert "" not in tokens.tokens
    assert tokens.authenticate_token("tok-bob") == UserInfo("robert", "1004")


def test_token_file_needs_three_columns(tmp_path):
    """Upstream refuses to start on a record with fewer than 3 columns, saying how many it found."""
    path = tmp_path / "bad.csv"
    path.write_text("tok,alice\n")
    with pytest.raises(AuthConfigError, match="must have at least 3 columns .* found 2"):
        TokenFileAuthenticator.from_csv(path)


def test_missing_token_file_is_a_config_error(tmp_path):
    with pytest.raises(AuthConfigError, match="No such file"):
        new_authenticator(token_auth_file=tmp_path / "absent.csv")


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwdw==", "Bearer", "Bearer "])
def test_bearer_without_a_token_presents_nothing(token_file, header):
    """No Authorization header, another scheme or an empty bearer token is 'no credentials', not a failure."""
    auth = BearerTokenAuthenticator(TokenFileAuthenticator.from_csv(token_file))
    assert auth.authenticate(FakeRequest(headers={} if header is None else {"Authorization": header})) is None


def test_bearer_scheme_is_case_insensitive(token_file):
    auth = BearerTokenAuthenticator(TokenFileAuthenticator.from_csv(token_file))
    assert auth.authenticate(FakeRequest(headers={"Authorization": "bearer tok-alice"})).name == "alice"


def test_unknown_bearer_token_fails(token_file):
    """A bearer token the file does not list is an authentication failure ('invalid bearer token')."""
    auth = BearerTokenAuthenticator(TokenFileAuthenticator.from_csv(token_file))
    with pytest.raises(AuthenticationFailed, match="invalid bearer token"):
        auth.authenticate(bearer("nope"))



class Refusing:
    def __init__(self, reason):
        self.reason = reason

    def authenticate_token(self, token, audiences=None):
        raise AuthenticationFailed(self.reason)


@pytest.mark.parametrize("reasons,message", [
    ((), "invalid bearer token"),
    (("Token has expired.",), "Token has expired."),
    (("a", "b", "a"), "[a, b]"),
])
def test_token_authenticators_fail_as_one_union(token_file, reasons, message):
    """Every token authenticator sits behind one bearer authenticator: it reports the reasons of
    those that rejected the token (utilerrors.NewAggregate), 'invalid bearer token' only when none
    knew it."""
    auth = BearerTokenAuthenticator(TokenFileAuthenticator.from_csv(token_file), *map(Refusing, reasons))
    with pytest.raises(AuthenticationFailed) as refused:
        auth.authenticate(bearer("nope"))
    assert str(refused.value) == message

def test_the_loopback_token_is_asked_first_and_its_refusal_joins_the_others(token_file):
    """genericapiserver.AuthorizeClientBearerToken puts a bearer authenticator for the server's own
    loopback token in front of the whole chain: its user is system:apiserver in system:masters, and
    its 'invalid bearer token' for any other token comes first among the chain's reasons (what a
    TokenReview's status.error shows), said once when the others say the same."""
    chain = new_authenticator(token_auth_file=token_file, loopback_token="loop")
    assert chain.authenticate_strict(bearer("loop")).groups == ("system:masters",)
    assert chain.authenticate_strict(bearer("loop")).name == "system:apiserver"
    with pytest.raises(AuthenticationFailed) as refused:
        chain.authenticate_strict(bearer("nope"))
    assert str(refused.value) == "invalid bearer token"
    chain.add_token_authenticator(Refusing("service account token has been invalidated"))
    with pytest.raises(AuthenticationFailed) as refused:
        chain.authenticate_strict(bearer("nope"))
    assert str(refused.value) == "[invalid bearer token, service account token has been invalidated]"


class Revocable:
    """A token authenticator whose one token holds until it is revoked."""

    def __init__(self):
        self.revoked = False

    def authenticate_token(self, token, audiences=None):
        if token != "sa-token":
            return None
        if self.revoked:
            raise AuthenticationFailed('serviceaccounts "robot" not found')
        return UserInfo("system:serviceaccount:ns:robot", audiences=tuple(audiences or ()))


def test_a_tokens_success_is_remembered_for_ten_seconds_and_a_refusal_not_at_all(tmp_path):
    """kube-apiserver puts tokencache in front of its token authenticators, with
    TokenSuccessCacheTTL 10s and TokenFailureCacheTTL 0, keyed by the token and the audiences asked
    for: for 10s after a success the token still authenticates though its account is gone."""
    now = [1000.0]
    tokens = Revocable()
    chain = new_authenticator(loopback_token="loop", clock=lambda: now[0])
    chain.add_token_authenticator(tokens)
    assert chain.authenticate_strict(bearer("sa-token")).name == "system:serviceaccount:ns:robot"
    tokens.revoked = True
    now[0] += 9.9
    assert chain.authenticate_strict(bearer("sa-token")).name == "system:serviceaccount:ns:robot"
    for_other_audiences = FakeRequest(headers={"Authorization": "Bearer sa-token"})
    for_other_audiences.audiences = ("vault",)
    with pytest.raises(AuthenticationFailed):
        chain.authenticate_strict(for_other_audiences)
    now[0] += 0.2
    with pytest.raises(AuthenticationFailed) as refused:
        chain.authenticate_strict(bearer("sa-token"))
    assert str(refused.value) == '[invalid bearer token, serviceaccounts "robot" not found]'
    tokens.revoked = False
    assert chain.authenticate_strict(bearer("sa-token")).name == "system:serviceaccount:ns:robot"


def test_client_certificate_cn_is_user_and_o_are_groups(ca):
    """A client certificate signed by the client CA names the user (CN) and its groups (O)."""
    pair = certutil.issue_client_cert(ca, "carol", ("ops", "system:masters"))
    user = X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate_der=der(pair)))
    assert user == UserInfo("carol", groups=("ops", "system:masters"))


def test_client_certificate_from_another_ca_fails(ca):
    """A certificate that does not chain to the client CA is refused."""
    stranger = certutil.issue_client_cert(certutil.new_ca(), "mallory")
    with pytest.raises(AuthenticationFailed, match="verifying certificate .*mallory.* failed"):
        X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate_der=der(stranger)))


def test_expired_client_certificate_fails(ca):
    """Verification happens at the authenticator's clock: past NotAfter the certificate is refused."""
    pair = certutil.issue_client_cert(ca, "carol")
    later = datetime.datetime.now(datetime.timezone.utc) + certutil.VALIDITY + datetime.timedelta(days=1)
    auth = X509Authenticator([ca.certificate], now=lambda: later)
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(FakeRequest(peer_certificate_der=der(pair)))


def test_a_remembered_certificate_is_refused_once_it_expires(ca):
    """The verdict cache holds a certificate only inside its validity window."""
    pair = certutil.issue_client_cert(ca, "carol")
    clock = [datetime.datetime.now(datetime.timezone.utc)]
    auth = X509Authenticator([ca.certificate], now=lambda: clock[0])
    request = FakeRequest(peer_certificate_der=der(pair))
    assert auth.authenticate(request).name == "carol"
    assert auth.authenticate(request).name == "carol"
    clock[0] += certutil.VALIDITY + datetime.timedelta(days=1)
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(request)


def test_server_certificate_is_not_a_client_certificate(ca):
    """Upstream verifies with ExtKeyUsageClientAuth: a serving certificate cannot log in."""
    with pytest.raises(AuthenticationFailed, match="x509: certificate specifies an incompatible key usage"):
        X509Authenticator([ca.certificate]).authenticate(
            FakeRequest(peer_certificate_der=der(certs.issue_apiserver_serving_cert(ca))))


def _leaf(ca, *extensions):
    """A certificate for carol signed by `ca` with just these (extension, critical) pairs."""
    key = certutil.new_ca().private_key
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "carol")]))
               .issuer_name(ca.certificate.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=1)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(ca.private_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("extensions", [
    [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE]), False)],
    [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
     (x509.KeyUsage(False, False, False, False, False, True, False, False, False), True)],
    [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False), (x509.BasicConstraints(True, None), True)],
], ids=["any-extended-key-usage", "key-usage-cert-sign-only", "ca-flag"])
def test_a_client_certificate_is_held_only_to_its_extended_key_usage(ca, extensions):
    """Go's Verify with ExtKeyUsageClientAuth accepts any extended key usage and does not look at
    the leaf's KeyUsage or CA flag, as the real 1.24 server authenticates such certificates."""
    request = FakeRequest(peer_certificate_der=_leaf(ca, *extensions))
    assert X509Authenticator([ca.certificate]).authenticate(request).name == "carol"


def test_a_client_certificate_with_an_unknown_critical_extension_is_refused(ca):
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    with pytest.raises(AuthenticationFailed, match="critical"):
        X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate_der=_leaf(ca, (unknown, True))))


def test_certificate_without_common_name_presents_nothing(ca):
    """CommonNameUserConversion: an empty CN authenticates no one (and is not an error)."""
    pair = certutil.issue_client_cert(ca, "", ("devs",))
    assert X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate_der=der(pair))) is None


@pytest.mark.filterwarnings("ignore:Attribute's length")  # the empty CN cryptography warns about
def test_the_last_common_name_of_a_subject_is_the_user(ca):
    """Go's pkix.Name keeps the last CN of the subject's RDNs, so a certificate with two names the
    user of the second; an empty last CN makes the certificate name no one."""
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "devs"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "first"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "second")])
    pair = certutil.issue(ca, subject, ExtendedKeyUsageOID.CLIENT_AUTH)
    user = X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate_der=der(pair)))
    assert user == UserInfo("second", groups=("devs",))
    unnamed = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "first"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "", _validate=False)])
    pair = certutil.issue(ca, unnamed, ExtendedKeyUsageOID.CLIENT_AUTH)
    assert X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate_der=der(pair))) is None
    verified = {"subject": ((("commonName", "first"),), (("commonName", "second"),))}
    assert X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate=verified)).name == "second"


def test_tls_verified_certificate_dict_is_read(ca):
    """Without DER bytes the authenticator reads the subject of getpeercert()'s dict (TLS verified it)."""
    subject = ((("organizationName", "devs"),), (("commonName", "dave"),))
    user = X509Authenticator([ca.certificate]).authenticate(FakeRequest(peer_certificate={"subject": subject}))
    assert user == UserInfo("dave", groups=("devs",))


def test_authenticated_users_join_system_authenticated():
    """Every authenticated user gets the group system:authenticated, once."""
    assert with_authenticated_group(UserInfo("a", groups=("x",))).groups == ("x", "system:authenticated")
    already = UserInfo("a", groups=("system:authenticated",))
    assert with_authenticated_group(already) is already
    assert with_authenticated_group(ANONYMOUS) is ANONYMOUS


def test_no_credentials_is_refused_without_anonymous(token_file):
    """Anonymous requests are refused (401) unless --anonymous-auth."""
    assert new_authenticator(token_auth_file=token_file).authenticate(FakeRequest()) is None


def test_no_credentials_is_anonymous_with_anonymous(token_file):
    """With --anonymous-auth a request without credentials is system:anonymous in system:unauthenticated."""
    user = new_authenticator(token_auth_file=token_file, anonymous=True).authenticate(FakeRequest())
    assert user == UserInfo("system:anonymous", groups=("system:unauthenticated",))


def test_bad_credentials_are_refused_even_with_anonymous(token_file):
    """A presented but rejected credential is a 401, never a fallback to anonymous (union.NewFailOnError)."""
    assert new_authenticator(token_auth_file=token_file, anonymous=True).authenticate(bearer("nope")) is None


def test_first_authenticator_that_knows_the_request_wins(ca, token_file):
    """Client certificates are tried before bearer tokens; a failed one does not stop the next."""
    chain = new_authenticator(token_auth_file=token_file)
    chain = RequestAuthenticator([X509Authenticator([ca.certificate]), *chain.authenticators])
    both = FakeRequest(headers={"Authorization": "Bearer tok-alice"},
                       peer_certificate_der=der(certutil.issue_client_cert(ca, "carol")))
    assert chain.authenticate(both).name == "carol"
    stranger = FakeRequest(headers={"Authorization": "Bearer tok-alice"},
                           peer_certificate_der=der(certutil.issue_client_cert(certutil.new_ca(), "mallory")))
    # WithAuthentication asks for the API audiences, which a static token serves.
    assert chain.authenticate(stranger) == UserInfo("alice", "1001", ("viewers", "devs", "system:authenticated"),
                                                    audiences=API_AUDIENCES)


def test_client_ca_file_is_loaded(tmp_path, ca):
    path = tmp_path / "ca.crt"
    path.write_bytes(ca.cert_pem)
    pair = certutil.issue_client_cert(ca, "erin")
    assert new_authenticator(client_ca_file=path).authenticate(
        FakeRequest(peer_certificate_der=der(pair))).name == "erin"
    path.write_text("not a certificate")
    with pytest.raises(AuthConfigError, match="holds no PEM certificate"):
        new_authenticator(client_ca_file=path)


def test_a_certificate_signed_by_openssl_x509_req_without_aki_is_accepted(ca, tmp_path):
    """`openssl x509 -req` writes no AuthorityKeyIdentifier; Go's Verify accepts such a leaf."""
    import subprocess

    from cryptography import x509

    (tmp_path / "ca.crt").write_bytes(ca.cert_pem)
    (tmp_path / "ca.key").write_bytes(ca.key_pem)
    run = lambda *argv: subprocess.run(["openssl", *argv], check=True, capture_output=True, cwd=tmp_path)  # noqa: E731
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "dave.key", "-subj", "/CN=dave/O=devs",
        "-out", "dave.csr")
    run("x509", "-req", "-in", "dave.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
        "-out", "dave.crt")
    leaf = x509.load_pem_x509_certificate((tmp_path / "dave.crt").read_bytes())
    with pytest.raises(x509.ExtensionNotFound):
        leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    user = X509Authenticator([ca.certificate]).authenticate(
        FakeRequest(peer_certificate_der=leaf.public_bytes(serialization.Encoding.DER)))
    assert user == UserInfo("dave", groups=("devs",))


def test_a_static_token_serves_only_the_api_audiences():
    """WrapAudienceAgnosticToken: asked for other audiences (a TokenReview's), a token-file token
    is no one's; asked for the API's among others, its user carries the API's."""
    tokens = TokenFileAuthenticator({"t": UserInfo("alice")})
    assert tokens.authenticate_token("t") == UserInfo("alice")
    assert tokens.authenticate_token("t", ("vault",)) is None
    assert tokens.authenticate_token("t", ("vault", *API_AUDIENCES)).audiences == API_AUDIENCES


# --- bearer tokens offered as a WebSocket subprotocol (request/websocket.ProtocolAuthenticator) ---

def websocket(*protocols, upgrade="websocket", connection="Upgrade"):
    """A WebSocket handshake offering `protocols`, each its own Sec-WebSocket-Protocol header."""
    fields = [("Upgrade", upgrade), ("Connection", connection)]
    return FakeRequest(headers=Headers(fields + [("Sec-WebSocket-Protocol", protocol) for protocol in protocols]))


def bearer_protocol(token: str) -> str:
    return "base64url.bearer.authorization.k8s.io." + base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def test_a_websocket_client_may_offer_its_bearer_token_as_a_subprotocol(token_file):
    """The token is taken from its subprotocol and, once it names a user, the subprotocol is taken
    out of the request, which keeps the others (as one header) for the handler to answer with."""
    request = websocket(f"{bearer_protocol('tok-alice')}, v4.channel.k8s.io", "base64.channel.k8s.io")
    user = new_authenticator(token_auth_file=token_file).authenticate(request)
    assert user.name == "alice" and "system:authenticated" in user.groups
    assert request.headers.get_all("Sec-WebSocket-Protocol") == ["v4.channel.k8s.io,base64.channel.k8s.io"]


@pytest.mark.parametrize("request_, reason", [
    (websocket(bearer_protocol("tok-alice")), "missing additional subprotocol"),
    (websocket(bearer_protocol("tok-alice"), bearer_protocol("tok-bob"), "v4.channel.k8s.io"),
     "multiple base64.bearer.authorization tokens specified"),
    (websocket("base64url.bearer.authorization.k8s.io.dG9r=, v4.channel.k8s.io"),
     "invalid base64.bearer.authorization token encoding"),
    (websocket("base64url.bearer.authorization.k8s.io._w, v4.channel.k8s.io"),
     "invalid base64.bearer.authorization token"),
    (websocket(f"{bearer_protocol('tok-nobody')}, v4.channel.k8s.io"), "invalid bearer token"),
], ids=["alone", "two", "padded", "not-utf-8", "unknown"])
def test_a_bad_bearer_subprotocol_fails_authentication(token_file, request_, reason):
    with pytest.raises(AuthenticationFailed, match=f"^{reason}$"):
        new_authenticator(token_auth_file=token_file, anonymous=True).authenticate_strict(request_)


@pytest.mark.parametrize("request_", [
    websocket(f"{bearer_protocol('tok-alice')}, v4.channel.k8s.io", upgrade="h2c"),
    websocket(f"{bearer_protocol('tok-alice')}, v4.channel.k8s.io", connection="keep-alive"),
    websocket("base64url.bearer.authorization.k8s.io., v4.channel.k8s.io"),
], ids=["not-websocket", "no-connection-upgrade", "empty-token"])
def test_a_bearer_subprotocol_outside_a_websocket_handshake_or_empty_presents_nothing(token_file, request_):
    assert new_authenticator(token_auth_file=token_file, anonymous=True).authenticate(request_) == ANONYMOUS


def intermediate_ca(root: certutil.KeyPair, key_usage: bool = True, extended=None) -> certutil.KeyPair:
    """A CA signed by `root` (CA:TRUE), with or without a KeyUsage extension, and with the
    `extended` key usages if any."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key, now = ec.generate_private_key(ec.SECP256R1()), datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intermediate")]))
               .issuer_name(root.certificate.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if key_usage:
        builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                        critical=True)
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=False)
    cert = builder.sign(root.private_key, hashes.SHA256())
    return certutil.KeyPair(cert.public_bytes(serialization.Encoding.PEM),
                            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))


@pytest.mark.parametrize("key_usage", [True, False])
def test_a_certificate_of_an_intermediate_ca_is_accepted_with_the_intermediate_sent(ca, key_usage):
    """Go's Verify builds the chain through the certificates the client sent after its own
    (PeerCertificates[1:]); the intermediate needs CA:TRUE, not a KeyUsage extension."""
    intermediate = intermediate_ca(ca, key_usage)
    leaf = certutil.issue_client_cert(intermediate, "system:node:n1", ("system:nodes",))
    auth = X509Authenticator([ca.certificate])
    request = FakeRequest(peer_certificate_der=der(leaf))
    request.peer_intermediates_der = (der(intermediate),)
    assert auth.authenticate(request) == UserInfo("system:node:n1", groups=("system:nodes",))
    with pytest.raises(AuthenticationFailed, match="verifying certificate .*system:node:n1.* failed"):
        auth.authenticate(FakeRequest(peer_certificate_der=der(leaf)))  # not remembered without its chain


def test_an_intermediate_whose_extended_key_usage_leaves_out_client_auth_refuses_its_leaves(ca):
    """checkChainForKeyUsage holds every certificate of the chain to client auth, not just the leaf."""
    intermediate = intermediate_ca(ca, extended=[ExtendedKeyUsageOID.SERVER_AUTH])
    leaf = certutil.issue_client_cert(intermediate, "dan")
    request = FakeRequest(peer_certificate_der=der(leaf))
    request.peer_intermediates_der = (der(intermediate),)
    with pytest.raises(AuthenticationFailed):
        X509Authenticator([ca.certificate]).authenticate(request)


def _ca_cert(subject: str, issuer: str, key, signer, ca: bool = True) -> x509.Certificate:
    """A certificate named `subject` under `issuer`'s name for `key`, signed by `signer`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1)))
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(signer, hashes.SHA256())


def _der_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


class _RecordingPolicy:
    """The authenticator's verifier policy, noting the intermediates each verification is given."""

    def __init__(self, policy, seen: list, most: int) -> None:
        self.policy, self.seen, self.most = policy, seen, most

    def time(self, now):
        return _RecordingPolicy(self.policy.time(now), self.seen, self.most)

    def build_client_verifier(self):
        return _RecordingPolicy(self.policy.build_client_verifier(), self.seen, self.most)

    def verify(self, leaf, intermediates):
        self.seen.append(list(intermediates))
        # Copies of one CA grow the path builder's work exponentially (12 would take hours).
        assert len(intermediates) <= self.most, "the path builder was handed copies of one CA"
        return self.policy.verify(leaf, intermediates)


def test_copies_of_one_self_issued_ca_sent_with_a_leaf_are_refused_without_trying_each(ca):
    """A client sending a leaf under "I" and many self-issued CA certificates all named "I" with
    one key costs one path, not one per ordering (Go's alreadyInChain keeps two certificates of
    one subject and key out of a chain); upstream refuses it, 401."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _ca_cert("mallory", "I", ec.generate_private_key(ec.SECP256R1()), key, ca=False)
    copies = tuple(_der_of(_ca_cert("I", "I", key, key)) for _ in range(12))
    auth, seen = X509Authenticator([ca.certificate]), []
    auth._policy = _RecordingPolicy(auth._policy, seen, most=1)
    request = FakeRequest(peer_certificate_der=_der_of(leaf))
    request.peer_intermediates_der = copies
    with pytest.raises(AuthenticationFailed, match="verifying certificate .*mallory.* failed"):
        auth.authenticate(request)
    assert [len(given) for given in seen] == [1]


def test_intermediates_that_repeat_the_leaf_or_an_anchor_are_dropped_and_at_most_ten_kept(ca):
    """A certificate with the subject and key of the leaf or of a trust anchor can never extend a
    chain in Go (alreadyInChain); and however many the client sends, the path builder gets ten."""
    from cryptography.hazmat.primitives.asymmetric import ec

    leaf_key, ca_key = ec.generate_private_key(ec.SECP256R1()), serialization.load_pem_private_key(
        ca.key_pem, password=None)
    leaf = _ca_cert("mallory", "I0", leaf_key, leaf_key, ca=False)
    anchor_name = ca.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    repeats = [_ca_cert("mallory", "x", leaf_key, leaf_key), _ca_cert(anchor_name, "y", ca_key, ca_key)]
    others = [_ca_cert(f"I{i}", f"I{i + 1}", key, key) for i, key in enumerate(
        ec.generate_private_key(ec.SECP256R1()) for _ in range(15))]
    assert usable_intermediates(leaf, [*repeats, *others], [ca.certificate]) == others[:10]


def test_of_copies_of_an_intermediate_the_one_under_a_trust_anchor_is_kept(ca):
    """A cross-signed intermediate (one subject and key under two issuers) still verifies when the
    client sends the copy under an unknown root first."""
    elsewhere = certutil.new_ca("elsewhere")
    intermediate = intermediate_ca(ca)
    key = serialization.load_pem_private_key(intermediate.key_pem, password=None)
    cross = _ca_cert("intermediate", "elsewhere", key, serialization.load_pem_private_key(
        elsewhere.key_pem, password=None))
    leaf = certutil.issue_client_cert(intermediate, "erin")
    request = FakeRequest(peer_certificate_der=der(leaf))
    request.peer_intermediates_der = (_der_of(cross), der(intermediate))
    assert X509Authenticator([ca.certificate]).authenticate(request).name == "erin"


def test_a_verified_chain_is_remembered_whatever_else_the_client_sends(ca):
    """The verdict cache is keyed by the leaf and the chain verified: certificates sent alongside
    it that the chain does not use neither miss the cache nor add entries to it."""
    from cryptography.hazmat.primitives.asymmetric import ec

    intermediate = intermediate_ca(ca)
    leaf = certutil.issue_client_cert(intermediate, "frank")
    auth, seen = X509Authenticator([ca.certificate]), []
    auth._policy = _RecordingPolicy(auth._policy, seen, most=2)
    for i in range(5):
        junk = _ca_cert(f"junk{i}", f"junk{i}", ec.generate_private_key(ec.SECP256R1()),
                        ec.generate_private_key(ec.SECP256R1()))
        request = FakeRequest(peer_certificate_der=der(leaf))
        request.peer_intermediates_der = (der(intermediate), _der_of(junk))
        assert auth.authenticate(request).name == "frank"
    assert (len(seen), len(auth._verified)) == (1, 1)


def _openssl_v1_ca(tmp_path) -> certutil.KeyPair:
    """A self-signed X.509 v1 CA, no extensions at all, as `openssl x509 -req` makes it."""
    import subprocess

    run = lambda *argv: subprocess.run(["openssl", *argv], check=True, capture_output=True, cwd=tmp_path)  # noqa: E731
    run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "v1.key")
    run("req", "-new", "-key", "v1.key", "-subj", "/CN=v1-root", "-out", "v1.csr")
    run("x509", "-req", "-in", "v1.csr", "-signkey", "v1.key", "-days", "2", "-out", "v1.crt")
    pair = certutil.KeyPair((tmp_path / "v1.crt").read_bytes(), (tmp_path / "v1.key").read_bytes())
    assert pair.certificate.version == x509.Version.v1
    return pair


def test_a_v1_client_ca_is_trusted_as_go_trusts_a_v1_root(tmp_path):
    """Go's CheckSignatureFrom lets a v1 parent sign without BasicConstraints, so a v1 client CA
    (openssl's without -extfile) authenticates its leaves, directly or through an intermediate:
    the real 1.24 kube-apiserver with such a --client-ca-file answers its leaf's request 403 (user
    known), not 401."""
    root = _openssl_v1_ca(tmp_path)
    auth = X509Authenticator([root.certificate])
    leaf = certutil.issue_client_cert(root, "bob", ("g1",))
    assert auth.authenticate(FakeRequest(peer_certificate_der=der(leaf))) == UserInfo("bob", groups=("g1",))
    intermediate = intermediate_ca(root)
    below = certutil.issue_client_cert(intermediate, "carol")
    request = FakeRequest(peer_certificate_der=der(below))
    request.peer_intermediates_der = (der(intermediate),)
    assert auth.authenticate(request) == UserInfo("carol")
    server_leaf = _leaf(root, (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False))
    with pytest.raises(AuthenticationFailed):
        auth.authenticate(FakeRequest(peer_certificate_der=server_leaf))


def test_a_v3_client_ca_without_basic_constraints_is_not_trusted(ca):
    """A v3 parent without BasicConstraints may not sign (Go 1.19's Verify: "parent certificate
    cannot sign this kind of certificate"), root or not."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    root = _ca_cert("bare-root", "bare-root", key, key, ca=False)
    leaf = _ca_cert("erin", "bare-root", ec.generate_private_key(ec.SECP256R1()), key, ca=False)
    with pytest.raises(AuthenticationFailed):
        X509Authenticator([root]).authenticate(FakeRequest(peer_certificate_der=_der_of(leaf)))


def _openssl_v1_leaf(tmp_path, parent: x509.Certificate, parent_key) -> bytes:
    """A v1 leaf for system:admin signed by `parent` with `openssl x509 -req -CA`, as an operator
    would sign one with whatever certificate the client CA bundle holds."""
    import subprocess

    (tmp_path / "parent.crt").write_bytes(parent.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "parent.key").write_bytes(parent_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    run = lambda *argv: subprocess.run(["openssl", *argv], check=True, capture_output=True, cwd=tmp_path)  # noqa: E731
    run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "admin.key",
        "-subj", "/CN=system:admin/O=system:masters", "-out", "admin.csr")
    run("x509", "-req", "-in", "admin.csr", "-CA", "parent.crt", "-CAkey", "parent.key", "-set_serial", "7",
        "-days", "1", "-out", "admin.crt")
    leaf = x509.load_pem_x509_certificate((tmp_path / "admin.crt").read_bytes())
    assert leaf.version == x509.Version.v1
    return _der_of(leaf)


@pytest.mark.parametrize("extensions, trusted", [
    ([(x509.BasicConstraints(ca=True, path_length=None), True)], True),
    ([(x509.BasicConstraints(ca=False, path_length=None), True)], False),
    ([], False),
    ([(x509.BasicConstraints(ca=True, path_length=None), True),
      (x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)], False),
], ids=["ca-true", "ca-false", "no-basic-constraints", "key-usage-without-cert-sign"])
def test_a_v1_leaf_is_trusted_only_under_a_client_ca_that_may_sign_certificates(tmp_path, extensions, trusted):
    """Go's CheckSignatureFrom refuses a v3 parent without BasicConstraints CA:TRUE, or whose key
    usage leaves out keyCertSign ("parent certificate cannot sign this kind of certificate"): a
    server certificate in --client-ca-file does not make its holder a CA for v1 client leaves."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "notca")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=2)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    parent = builder.sign(key, hashes.SHA256())
    request = FakeRequest(peer_certificate_der=_openssl_v1_leaf(tmp_path, parent, key))
    if trusted:
        assert X509Authenticator([parent]).authenticate(request) == UserInfo("system:admin", groups=("system:masters",))
    else:
        with pytest.raises(AuthenticationFailed, match='cannot sign this kind of certificate.*authority certificate "notca"'):
            X509Authenticator([parent]).authenticate(request)


def test_a_leaf_directly_under_a_v1_client_ca_with_an_unknown_critical_extension_is_refused(tmp_path):
    """Go's isValid refuses any certificate with a critical extension its parser does not handle,
    whichever CA signed it: a v1 root does not lift that."""
    root = _openssl_v1_ca(tmp_path)
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    auth = X509Authenticator([root.certificate])
    assert auth.authenticate(FakeRequest(peer_certificate_der=_leaf(root, (unknown, False)))) == UserInfo("carol")
    with pytest.raises(AuthenticationFailed, match="x509: unhandled critical extension"):
        auth.authenticate(FakeRequest(peer_certificate_der=_leaf(root, (unknown, True))))


def test_a_ca_whose_key_usage_leaves_out_cert_sign_signs_no_client_certificate():
    """CheckSignatureFrom refuses a parent that lists key usages without keyCertSign, trust
    anchor or intermediate alike, as the real 1.24 kube-apiserver answers such a leaf 401."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    signing_only = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    root = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "root")]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "root")])).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
            .not_valid_after(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(signing_only, critical=True).sign(key, hashes.SHA256()))
    pair = certutil.KeyPair(root.public_bytes(serialization.Encoding.PEM), key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(AuthenticationFailed, match="cannot sign this kind of certificate"):
        X509Authenticator([root]).authenticate(FakeRequest(peer_certificate_der=der(certutil.issue_client_cert(pair, "eve"))))

    ca = certutil.new_ca()
    intermediate = intermediate_ca(ca, key_usage=False)
    cert = x509.load_pem_x509_certificate(intermediate.cert_pem)
    # The same intermediate but for its key usage, re-signed by the root.
    builder = (x509.CertificateBuilder().subject_name(cert.subject).issuer_name(cert.issuer).public_key(cert.public_key())
               .serial_number(cert.serial_number).not_valid_before(cert.not_valid_before_utc)
               .not_valid_after(cert.not_valid_after_utc))
    for extension in cert.extensions:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    no_cert_sign = builder.add_extension(signing_only, critical=True).sign(ca.private_key, hashes.SHA256())
    request = FakeRequest(peer_certificate_der=der(certutil.issue_client_cert(intermediate, "eve")))
    request.peer_intermediates_der = (_der_of(no_cert_sign),)
    with pytest.raises(AuthenticationFailed):
        X509Authenticator([ca.certificate]).authenticate(request)
    request.peer_intermediates_der = (der(intermediate),)
    assert X509Authenticator([ca.certificate]).authenticate(request) == UserInfo("eve")
