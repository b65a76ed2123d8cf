"""The auth buckets of a backend (authpb.py) hold what AuthStore.dump() holds, as etcd writes them."""
from __future__ import annotations

from aetcd.rpc import auth_pb2

from reference_impl.etcd.authpb import AUTH_USERS_BUCKET, auth_buckets, auth_state
from reference_impl.etcd.backend import read_snapshot
from reference_impl.etcd.bolt import read_db, write_db

# In bucket order: bbolt keeps keys sorted.
STATE = {"enabled": True, "enabled_saved": True, "revision": 7,
         "users": [["bot", "", ["read-k", "write-all"]],
                   ["root", "$2b$10$abcdefghijklmnopqrstuuAbCdEfGhIjKlMnOpQrStUvWxYz01234", ["root"]]],
         "roles": [["read-k", [["READ", b"k".hex(), b"l".hex()], ["9", b"x".hex(), ""]]],
                   ["root", []],
                   ["write-all", [["READWRITE", b"\0".hex(), b"\0".hex()]]]]}


def test_the_auth_buckets_read_back_what_was_written():
    """Users (a --no-password one among them), roles with an undefined permission type, the
    enabled flag and the revision, through a bbolt file and back."""
    assert auth_state(read_db(write_db(auth_buckets(STATE)))) == STATE


def test_a_user_without_password_is_marked_as_etcd_marks_it():
    users = dict(auth_buckets(STATE)[AUTH_USERS_BUCKET])
    bot = auth_pb2.User.FromString(users[b"bot"])
    assert (bot.password, bot.options.no_password) == (b"", True)
    assert not auth_pb2.User.FromString(users[b"root"]).options.no_password


def test_a_backend_without_auth_buckets_has_auth_off_at_revision_one():
    """A snapshot of an etcd that never touched auth (or of an older reference) restores with
    no users, no roles and auth off, where a new auth store starts."""
    state = read_snapshot(write_db({b"key": [], b"meta": []})).auth
    assert state == {"enabled": False, "enabled_saved": False, "revision": 1, "users": [], "roles": []}


def test_a_no_password_user_with_a_hash_stays_without_password():
    """Real etcd keeps a hash next to NoPassword for a user whose password was changed; the
    option wins, as in CheckPassword."""
    user = auth_pb2.User(name=b"np", password=b"$2a$10$somehash", roles=["r"],
                         options=auth_pb2.UserAddOptions(no_password=True))
    state = auth_state({AUTH_USERS_BUCKET: [(b"np", user.SerializeToString())]})
    assert state["users"] == [["np", "", ["r"]]]


def test_auth_enabled_is_left_out_until_auth_was_switched():
    """etcd writes authEnabled only in an AuthEnable or AuthDisable that changes it."""
    never = {**STATE, "enabled": False, "enabled_saved": False}
    assert dict(auth_buckets(never)[b"auth"]) == {b"authRevision": (7).to_bytes(8, "big")}
    assert auth_state(read_db(write_db(auth_buckets(never)))) == never
