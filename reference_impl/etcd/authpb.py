"""etcd's authpb messages: permission types by name and number, and the auth buckets of a backend.

etcd keeps auth in bbolt next to the keys: the `auth` bucket holds the enabled flag and the auth
revision, `authUsers` one authpb.User per user (its bcrypt hash included) and `authRoles` one
authpb.Role per role. A snapshot file carries them, so users, roles and `auth enable` survive
`snapshot save` and `snapshot restore` in either direction between the reference and real etcd.
The state is `AuthStore.dump()`'s plain form, so nothing here needs the store itself.
"""
from __future__ import annotations

import struct

from aetcd.rpc import auth_pb2

from reference_impl.etcd.gogostrings import new_message, read_lenient
from reference_impl.etcd.messages import bytes_of, string_of
from reference_impl.mirrors import mirrors

AUTH_BUCKET = b"auth"
AUTH_USERS_BUCKET = b"authUsers"
AUTH_ROLES_BUCKET = b"authRoles"
ENABLED_KEY = b"authEnabled"
REVISION_KEY = b"authRevision"
_REVISION = struct.Struct(">Q")


def perm_type_name(value: int) -> str:
    """A permission type's name, or for a type etcd does not define its number as text: etcd
    stores and returns such a permission (it grants nothing)."""
    try:
        return auth_pb2.Permission.Type.Name(value)
    except ValueError:
        return str(value)


def perm_type_value(name: str) -> int:
    """Back from perm_type_name."""
    return int(name) if name.lstrip("-").isdigit() else auth_pb2.Permission.Type.Value(name)


@mirrors("(*go.etcd.io/etcd/server/v3/auth.authStore).commitRevision",
         "go.etcd.io/etcd/server/v3/auth.putUser", "go.etcd.io/etcd/server/v3/auth.putRole")
def auth_buckets(state: dict) -> dict[bytes, list[tuple[bytes, bytes]]]:
    """The three auth buckets of `state` (AuthStore.dump()), as etcd writes them."""
    users = []
    for name, hashed, roles in state["users"]:
        user = new_message(auth_pb2.User, name=bytes_of(name), password=hashed.encode(), roles=roles)
        if not hashed:  # a user added with --no-password
            user.options.no_password = True
        users.append((bytes_of(name), user.SerializeToString()))
    roles = [(bytes_of(name), auth_pb2.Role(name=bytes_of(name), keyPermission=[
        auth_pb2.Permission(permType=perm_type_value(perm_type), key=bytes.fromhex(key),
                            range_end=bytes.fromhex(end)) for perm_type, key, end in permissions
    ]).SerializeToString()) for name, permissions in state["roles"]]
    auth = [(REVISION_KEY, _REVISION.pack(state["revision"]))]
    if state["enabled_saved"]:
        auth.append((ENABLED_KEY, b"\x01" if state["enabled"] else b"\x00"))
    return {AUTH_BUCKET: auth,
            AUTH_USERS_BUCKET: users, AUTH_ROLES_BUCKET: roles}


@mirrors("go.etcd.io/etcd/server/v3/auth.NewAuthStore", "go.etcd.io/etcd/server/v3/auth.getAllUsers",
         "go.etcd.io/etcd/server/v3/auth.getAllRoles")
def auth_state(buckets: dict[bytes, list[tuple[bytes, bytes]]]) -> dict:
    """AuthStore.dump()'s form of the auth buckets; a backend without them (a snapshot of an etcd
    that never touched auth) has auth off at revision 1, as a new store starts."""
    auth = dict(buckets.get(AUTH_BUCKET, []))
    users = []
    for _, value in buckets.get(AUTH_USERS_BUCKET, []):
        user = read_lenient(auth_pb2.User, value)
        # A NoPassword user's hash (set by a password change) is never checked: it reads as none.
        hashed = "" if user.options.no_password else user.password.decode("ascii", "replace")
        users.append([string_of(user.name), hashed, user.roles])
    roles = []
    for _, value in buckets.get(AUTH_ROLES_BUCKET, []):
        role = auth_pb2.Role.FromString(value)
        roles.append([string_of(role.name),
                      [[perm_type_name(p.permType), p.key.hex(), p.range_end.hex()] for p in role.keyPermission]])
    revision = _REVISION.unpack(auth[REVISION_KEY])[0] if REVISION_KEY in auth else 1
    return {"enabled": auth.get(ENABLED_KEY) == b"\x01", "enabled_saved": ENABLED_KEY in auth,
            "revision": revision, "users": users, "roles": roles}
