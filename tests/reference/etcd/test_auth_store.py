"""Rules of the auth store core (sans-IO): who may touch which keys, tokens, management limits."""
from __future__ import annotations

import re

import pytest

from reference_impl.etcd.auth import SIMPLE_TOKEN_TTL, AuthStore, hash_password, simple_token_prefix
from reference_impl.etcd.errors import (
    ErrAuthOldRevision, ErrInvalidAuthMgmt, ErrInvalidAuthToken, ErrNoPasswordUser,
    ErrPermissionDenied, ErrRootRoleNotExist, ErrRootUserNotExist, ErrUserEmpty)
from reference_impl.etcd.messages import (
    AuthEnableRequest, AuthRoleAddRequest, AuthRoleDeleteRequest, AuthRoleGrantPermissionRequest,
    AuthUserAddRequest, AuthUserChangePasswordRequest, AuthUserDeleteRequest,
    AuthUserGrantRoleRequest, Compare, DeleteRangeRequest, Permission, PutRequest, RangeRequest,
    RequestOp, TxnRequest)


def login(auth: AuthStore, name: str, password: str) -> str:
    """What an Authenticate does to the store: the password checked, then the token assigned
    when its entry applies (at the store's revision, standing in for a raft index here)."""
    auth.check_password(name, password)
    return auth.assign_token(name, simple_token_prefix(), auth.revision, now=0.0)


def store_with(*perms: Permission) -> tuple[AuthStore, str]:
    """Auth enabled, root plus user "u" holding `perms` through role "r"; u's token."""
    auth = AuthStore()
    for request in (AuthUserAddRequest("root", hashed_password=hash_password("pw")),
                    AuthUserGrantRoleRequest("root", "root"),
                    AuthUserAddRequest("u", hashed_password=hash_password("upw")),
                    AuthRoleAddRequest("r"), *[AuthRoleGrantPermissionRequest("r", p) for p in perms],
                    AuthUserGrantRoleRequest("u", "r"), AuthEnableRequest()):
        auth.apply(request)
    return auth, login(auth, "u", "upw")


def permitted(auth: AuthStore, token: str, request) -> bool:
    try:
        auth.check_permitted(auth.auth_info(token, 0.0), request)
    except ErrPermissionDenied:
        return False
    return True


def test_a_range_is_permitted_only_if_the_roles_cover_it_without_a_gap():
    """Read permissions [a, c) and [c, e) together cover [b, d); [a, c) and [d, e) do not."""
    auth, token = store_with(Permission("READ", b"a", b"c"), Permission("READ", b"c", b"e"))
    assert permitted(auth, token, RangeRequest(b"b", b"d"))
    auth, token = store_with(Permission("READ", b"a", b"c"), Permission("READ", b"d", b"e"))
    assert not permitted(auth, token, RangeRequest(b"b", b"d"))
    assert permitted(auth, token, RangeRequest(b"d"))


def test_a_range_ending_before_its_key_is_checked_as_etcds_interval_tree_does():
    """adt's Contains only counts permissions that overlap the asked interval by Interval.Compare:
    [m, c) overlaps [m, n) and [a, z) but not itself, so a permission written backwards grants
    nothing, and a backwards request is allowed only where a forward permission holds its key."""
    auth, token = store_with(Permission("READ", b"x", b"q"))
    assert not permitted(auth, token, RangeRequest(b"x", b"q"))
    assert not permitted(auth, token, RangeRequest(b"x"))
    auth, token = store_with(Permission("READ", b"m", b"n"), Permission("READ", b"x", b"q"))
    assert permitted(auth, token, RangeRequest(b"m", b"c"))
    assert not permitted(auth, token, RangeRequest(b"n", b"b"))
    assert not permitted(auth, token, RangeRequest(b"w", b"q"))


def test_a_from_key_permission_covers_every_key_after_it():
    """range_end "\\0" in a permission or a request means "to the end of the key space"."""
    auth, token = store_with(Permission("READWRITE", b"m", b"\0"))
    assert permitted(auth, token, RangeRequest(b"n", b"\0"))
    assert permitted(auth, token, PutRequest(b"zzz", b"1"))
    assert not permitted(auth, token, RangeRequest(b"a", b"\0"))


def test_a_single_key_permission_is_that_key_only():
    auth, token = store_with(Permission("WRITE", b"k"))
    assert permitted(auth, token, PutRequest(b"k", b"1"))
    assert not permitted(auth, token, PutRequest(b"k2", b"1"))
    assert not permitted(auth, token, PutRequest(b"k", b"1", prev_kv=True))  # also reads k


def test_a_txn_needs_read_on_its_compares_and_the_rights_of_both_branches():
    auth, token = store_with(Permission("READ", b"a"), Permission("WRITE", b"b"))
    txn = TxnRequest(compare=(Compare("EQUAL", "VALUE", b"a", value=b"x"),),
                     success=(RequestOp(PutRequest(b"b", b"1")),),
                     failure=(RequestOp(DeleteRangeRequest(b"c")),))
    assert not permitted(auth, token, txn)
    auth.apply(AuthRoleGrantPermissionRequest("r", Permission("WRITE", b"c")))
    token = login(auth, "u", "upw")  # the old token predates the change
    assert permitted(auth, token, txn)



def test_the_operations_of_a_nested_txn_need_their_permissions_too():
    """Kept apart from etcd 3.4 on purpose: its checkTxnReqsPermission skips a RequestOp_RequestTxn,
    so a user with no permission at all read key q through a txn nested in a txn (recorded side by
    side). etcd checks nested operations since "enforce auth checks for nested txn ops" (2026);
    the reference refuses as that does."""
    auth, token = store_with(Permission("READ", b"a"))
    nested = TxnRequest(success=(RequestOp(TxnRequest(success=(RequestOp(RangeRequest(b"q")),))),))
    assert not permitted(auth, token, nested)
    allowed = TxnRequest(success=(RequestOp(TxnRequest(success=(RequestOp(RangeRequest(b"a")),))),))
    assert permitted(auth, token, allowed)

def test_a_simple_token_outlives_auth_changes_but_a_stale_check_is_too_old():
    """tokenSimple.info gives the store's current revision: after an auth change the same token
    still works (etcd 3.4 answers a Range with it), while an AuthInfo taken before the change
    (as a proposal carries it to apply) is ErrAuthOldRevision."""
    auth, token = store_with(Permission("READ", b"a"))
    before = auth.auth_info(token, 0.0)
    auth.apply(AuthRoleAddRequest("other"))
    auth.check_permitted(auth.auth_info(token, 0.0), RangeRequest(b"a"))
    with pytest.raises(ErrPermissionDenied):
        auth.check_permitted(auth.auth_info(token, 0.0), RangeRequest(b"b"))
    with pytest.raises(ErrAuthOldRevision):
        auth.check_permitted(before, RangeRequest(b"a"))


def test_no_token_is_no_user_and_an_unknown_or_idle_token_is_invalid():
    auth, token = store_with(Permission("READ", b"a"))
    with pytest.raises(ErrUserEmpty):
        auth.check_permitted(auth.auth_info(None, 0.0), RangeRequest(b"a"))
    with pytest.raises(ErrInvalidAuthToken):
        auth.auth_info("forged.1", 0.0)
    auth.auth_info(token, SIMPLE_TOKEN_TTL - 1)  # use renews it
    with pytest.raises(ErrInvalidAuthToken):
        auth.auth_info(token, 3 * SIMPLE_TOKEN_TTL)


def test_an_idle_token_lives_until_the_ttl_keepers_next_sweep():
    """etcd deletes expired tokens once a second (simpleTokenTTLResolution), so a token left
    alone lives until the first sweep after its TTL ran out: with etcd 3.4 and
    --auth-token-ttl 3, a token idle for 3.5 s was still taken (here the sweeps come at the
    clock's whole seconds)."""
    auth, token = store_with(Permission("READ", b"a"))
    auth.auth_info(token, 10.5)  # its deadline: 10.5 + 300
    auth.auth_info(token, 10.5 + SIMPLE_TOKEN_TTL + 0.4)  # past it, before the sweep at 311
    with pytest.raises(ErrInvalidAuthToken):
        auth.auth_info(token, 10.9 + 2 * SIMPLE_TOKEN_TTL + 0.1)  # the sweep at 611 took it


def test_enable_needs_root_with_the_root_role():
    auth = AuthStore()
    with pytest.raises(ErrRootUserNotExist):
        auth.apply(AuthEnableRequest())
    auth.apply(AuthUserAddRequest("root", hashed_password=hash_password("pw")))
    with pytest.raises(ErrRootRoleNotExist):
        auth.apply(AuthEnableRequest())


def test_root_cannot_be_removed_while_auth_is_on():
    auth, _ = store_with()
    with pytest.raises(ErrInvalidAuthMgmt):
        auth.apply(AuthUserDeleteRequest("root"))
    with pytest.raises(ErrInvalidAuthMgmt):
        auth.apply(AuthRoleDeleteRequest("root"))


def test_a_user_may_read_their_own_user_and_roles_without_root():
    """authApplierV3.UserGet/RoleGet: without the root role a user may still get their own user
    and any role they hold (etcd 3.4 answers `user get u2` and `role get r1` to u2), nothing else."""
    from reference_impl.machinery.clock import ManualClock
    from reference_impl.etcd import EtcdServer
    from reference_impl.etcd.messages import AuthRoleGetRequest, AuthUserGetRequest

    server = EtcdServer(ManualClock())
    for request in (AuthUserAddRequest("root", "pw"), AuthUserGrantRoleRequest("root", "root"),
                    AuthUserAddRequest("u", "upw"), AuthUserAddRequest("v", "vpw"),
                    AuthRoleAddRequest("r"), AuthRoleAddRequest("other"),
                    AuthUserGrantRoleRequest("u", "r"), AuthEnableRequest()):
        server.auth_change(request)
    token = server.authenticate("u", "upw")
    server.authorize(token, AuthUserGetRequest("u"))
    server.authorize(token, AuthRoleGetRequest("r"))
    for refused in (AuthUserGetRequest("v"), AuthUserGetRequest("root"), AuthRoleGetRequest("other"),
                    AuthRoleGetRequest("root")):
        with pytest.raises(ErrPermissionDenied):
            server.authorize(token, refused)
    with pytest.raises(ErrPermissionDenied):
        server.authorize(token, admin=True)
    root = server.authenticate("root", "pw")
    server.authorize(root, AuthUserGetRequest("v"))
    server.authorize(root, AuthRoleGetRequest("other"))


def _granted(*perms: Permission) -> list[tuple[str, bytes, bytes]]:
    auth = AuthStore()
    auth.apply(AuthRoleAddRequest("r"))
    for perm in perms:
        auth.apply(AuthRoleGrantPermissionRequest("r", perm))
    return [(p.perm_type, p.key, p.range_end) for p in auth.role_get("r").permissions]


def test_a_role_keeps_its_permissions_in_etcds_order():
    """RoleGrantPermission sorts by key alone, stably: a second range for a key comes after the
    first, as etcd 3.4 lists them (recorded `role get`: [a, z) before [a, b) (prefix a))."""
    assert _granted(Permission("READ", b"a", b"z"), Permission("READ", b"a", b"b"),
                    Permission("WRITE", b"b", b"\0"), Permission("READ", b"z", b"a")) == [
        ("READ", b"a", b"z"), ("READ", b"a", b"b"), ("WRITE", b"b", b"\0"), ("READ", b"z", b"a")]


def test_granting_a_range_again_updates_only_the_first_permission_of_its_key():
    """etcd looks for the granted range at the first permission with its key only: the same
    range is updated in place there, but appended again when it sits later (recorded: after
    read [a,z), read [a,b), write [a,b), write [a,z), etcd lists read [a,b) and write [a,z),
    [a,b))."""
    assert _granted(Permission("READ", b"a", b"z"), Permission("READ", b"a", b"b"),
                    Permission("WRITE", b"a", b"b"), Permission("WRITE", b"a", b"z")) == [
        ("WRITE", b"a", b"z"), ("READ", b"a", b"b"), ("WRITE", b"a", b"b")]


def test_any_token_sent_is_checked_even_empty_or_with_auth_off():
    """AuthInfoFromCtx looks up whatever token the call carries: an empty one is an invalid
    token (not "no user"), and while auth is off no token is valid (etcd 3.4 answers
    UNAUTHENTICATED "invalid auth token" to each); only a call without one has no user."""
    auth, token = store_with(Permission("READ", b"a"))
    with pytest.raises(ErrInvalidAuthToken):
        auth.auth_info("", 0.0)
    assert auth.auth_info(None, 0.0) is None
    off = AuthStore()
    for sent in ("", "bogus"):
        with pytest.raises(ErrInvalidAuthToken):
            off.auth_info(sent, 0.0)
    assert off.auth_info(None, 0.0) is None


def test_a_user_added_without_password_is_refused_as_a_no_password_user():
    """CheckPassword: a --no-password user cannot authenticate, whatever password is sent;
    etcd 3.4 answers code Unknown 'auth: authentication failed, password was given for no
    password user' (ErrNoPasswordUser is not one of v3rpc's translated errors)."""
    auth, _ = store_with()
    auth.apply(AuthUserAddRequest("np", no_password=True))
    for password in ("", "x"):
        with pytest.raises(ErrNoPasswordUser) as caught:
            auth.check_password("np", password)
        assert (caught.value.grpc_code, caught.value.message) == (
            "UNKNOWN", "auth: authentication failed, password was given for no password user")


def test_a_new_password_does_not_let_a_no_password_user_in():
    """UserChangePassword keeps the user's options: etcd 3.4 stores the new hash next to
    NoPassword, and CheckPassword refuses the user before looking at any hash."""
    auth, _ = store_with()
    auth.apply(AuthUserAddRequest("np", no_password=True))
    auth.apply(AuthUserChangePasswordRequest("np", hashed_password=hash_password("y")))
    with pytest.raises(ErrNoPasswordUser):
        auth.check_password("np", "y")


def test_a_simple_tokens_prefix_is_sixteen_ascii_letters():
    """genTokenPrefix draws defaultSimpleTokenLength characters from a-z and A-Z (etcd 3.4.23
    answered tokens like hyBTfnsVTQtxAocC.13; the reference's had digits, '-' and '_')."""
    auth, _ = store_with()
    prefixes = {login(auth, "u", "upw").partition(".")[0] for _ in range(8)}
    assert all(re.fullmatch("[A-Za-z]{16}", prefix) for prefix in prefixes)
    assert len(prefixes) == 8


def test_authenticate_goes_through_an_entry_whose_raft_index_ends_the_token():
    """EtcdServer.Authenticate proposes InternalAuthenticateRequest; applying it assigns
    "<prefix>.<raft index>" (tokenSimple.assign), so each Authenticate moves the raft index by
    one, as etcd 3.4.23's Status shows (its tokens were like hyBTfnsVTQtxAocC.13)."""
    from reference_impl.etcd import EtcdServer
    from reference_impl.machinery.clock import ManualClock

    server = EtcdServer(ManualClock())
    for request in (AuthUserAddRequest("root", "pw"), AuthUserGrantRoleRequest("root", "root"),
                    AuthEnableRequest()):
        server.auth_change(request)
    for _ in range(3):
        before = server.raft_index
        token = server.authenticate("root", "pw")
        assert server.raft_index == before + 1
        assert token.endswith(f".{server.raft_index}")


def test_an_auth_read_is_permitted_by_the_roles_its_entry_applies_under(monkeypatch):
    """etcd 3.4 sends a user or role list through raft and checks admin permission when the
    entry applies, so root granted in an entry committed before the read is seen by the check
    (the reference checked before its read barrier, against the roles as they were)."""
    from types import SimpleNamespace

    from reference_impl.etcd import EtcdServer
    from reference_impl.etcd.grpc_adapter import AuthServicer
    from reference_impl.machinery.clock import ManualClock

    core = EtcdServer(ManualClock())
    for request in (AuthUserAddRequest("root", hashed_password=hash_password("pw")),
                    AuthUserGrantRoleRequest("root", "root"),
                    AuthUserAddRequest("u", hashed_password=hash_password("upw")), AuthEnableRequest()):
        core.auth.apply(request)
    token = login(core.auth, "u", "upw")
    monkeypatch.setattr(core, "auth_read_barrier",
                        lambda: core.auth.apply(AuthUserGrantRoleRequest("u", "root")))
    context = SimpleNamespace(invocation_metadata=lambda: (("token", token),))
    _, users = AuthServicer(core)._read(context, lambda auth: sorted(auth.users))
    assert users == ["root", "u"]
