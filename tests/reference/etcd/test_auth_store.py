"""Rules of the auth store core (sans-IO): who may touch which keys, tokens, management limits."""
from __future__ import annotations

import pytest

from reference_impl.etcd.auth import SIMPLE_TOKEN_TTL, AuthStore, hash_password
from reference_impl.etcd.errors import (
    ErrAuthOldRevision, ErrInvalidAuthMgmt, ErrInvalidAuthToken, ErrPermissionDenied,
    ErrRootRoleNotExist, ErrRootUserNotExist, ErrUserEmpty)
from reference_impl.etcd.messages import (
    AuthEnableRequest, AuthRoleAddRequest, AuthRoleDeleteRequest, AuthRoleGrantPermissionRequest,
    AuthUserAddRequest, AuthUserDeleteRequest, AuthUserGrantRoleRequest, Compare,
    DeleteRangeRequest, Permission, PutRequest, RangeRequest, RequestOp, TxnRequest)


def store_with(*perms: Permission) -> tuple[AuthStore, str]:
    """Auth enabled, root plus user "u" holding `perms` through role "r"; u's token."""
    auth = AuthStore()
    for request in (AuthUserAddRequest("root", hashed_password=hash_password("pw")),
                    AuthUserGrantRoleRequest("root", "root"),
                    AuthUserAddRequest("u", hashed_password=hash_password("upw")),
                    AuthRoleAddRequest("r"), *[AuthRoleGrantPermissionRequest("r", p) for p in perms],
                    AuthUserGrantRoleRequest("u", "r"), AuthEnableRequest()):
        auth.apply(request)
    return auth, auth.authenticate("u", "upw", now=0.0)


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
    token = auth.authenticate("u", "upw", now=0.0)  # the old token predates the change
    assert permitted(auth, token, txn)


def test_a_token_issued_before_an_auth_change_is_too_old():
    auth, token = store_with(Permission("READ", b"a"))
    auth.apply(AuthRoleAddRequest("other"))
    with pytest.raises(ErrAuthOldRevision):
        auth.check_permitted(auth.auth_info(token, 0.0), RangeRequest(b"a"))


def test_no_token_is_no_user_and_an_unknown_or_idle_token_is_invalid():
    auth, token = store_with(Permission("READ", b"a"))
    with pytest.raises(ErrUserEmpty):
        auth.check_permitted(auth.auth_info(None, 0.0), RangeRequest(b"a"))
    with pytest.raises(ErrInvalidAuthToken):
        auth.auth_info("forged.1", 0.0)
    auth.auth_info(token, SIMPLE_TOKEN_TTL - 1)  # use renews it
    with pytest.raises(ErrInvalidAuthToken):
        auth.auth_info(token, 3 * SIMPLE_TOKEN_TTL)


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
