"""etcd 3.4's auth store (sans-IO): users, roles, key-range permissions, simple tokens.

Users and roles change only through `apply(request)` (the requests below, logged in the WAL like
any write); a password reaches `apply` already hashed (`prepare_password`), so the log never
holds one in clear. Once auth is enabled, every request carries a token: `check_password` checks
a user's password, and the Authenticate entry proposed after it gives the token when it is
applied (`assign_token`), on every member. `auth_info(token)` says whose it is, `check_admin`
guards user/role management and maintenance, `check_permitted` a KV request's keys. Root (a
user with the role "root") may do anything.

Permissions follow etcd's range_perm_cache: a user's read and write intervals are the union of
their roles' permissions; a request's range must be covered by them without a gap, a single key
must fall inside one. A permission's range_end of "\\0" means every key from `key` on.

Passwords are bcrypt hashed at etcd's default cost, so the hashes in a snapshot's auth buckets
(authpb.py) check the same passwords here and in real etcd.
Tokens are etcd's "simple" tokens: random, in memory only, valid for five minutes after their
last use. A restart that replays a token's Authenticate entry assigns it again; etcd 3.4 replays
only the entries after the last key-value write it saved, so a put after the Authenticate makes
the restart forget the token (raftnode.py's replay does the same). `--auth-token ''` is etcd's
tokenNop instead: no token is ever given (Authenticate fails) and none is valid.
"""
from __future__ import annotations

import bisect
import hashlib
import hmac
import math
import secrets
import string
from dataclasses import dataclass, field, replace
from functools import cmp_to_key

import bcrypt

from reference_impl.etcd.errors import (
    ErrAuthFailed, ErrAuthNotEnabled, ErrAuthOldRevision, ErrInvalidAuthMgmt, ErrInvalidAuthToken,
    ErrNoPasswordUser, ErrPermissionDenied, ErrPermissionNotGranted, ErrRoleAlreadyExist,
    ErrRoleEmpty, ErrRoleNotFound, ErrRoleNotGranted, ErrRootRoleNotExist, ErrRootUserNotExist,
    ErrUserAlreadyExist, ErrUserEmpty, ErrUserNotFound)
from reference_impl.etcd.messages import (
    AuthDisableRequest, AuthEnableRequest, AuthRoleAddRequest, AuthRoleDeleteRequest,
    AuthRoleGrantPermissionRequest, AuthRoleRevokePermissionRequest, AuthUserAddRequest,
    AuthUserChangePasswordRequest, AuthUserDeleteRequest, AuthUserGrantRoleRequest,
    AuthUserRevokeRoleRequest, DeleteRangeRequest, Permission, PutRequest, RangeRequest, bytes_of,
    TxnRequest)
from reference_impl.machinery.strconv import parse_int
from reference_impl.mirrors import mirrors

AUTH = "go.etcd.io/etcd/server/v3/auth"
ROOT = "root"
SIMPLE_TOKEN_TTL = 300.0  # seconds: etcd's simpleTokenTTLDefault
TOKEN_TTL_RESOLUTION = 1  # seconds between the TTL keeper's sweeps: simpleTokenTTLResolution
SIMPLE_TOKEN_LETTERS = string.ascii_letters  # simple_token.go's letters
SIMPLE_TOKEN_LENGTH = 16  # defaultSimpleTokenLength
BCRYPT_COST = 10  # etcd's --bcrypt-cost default (bcrypt.DefaultCost)
BCRYPT_MAX_BYTES = 72  # bcrypt reads no further; the Go package etcd 3.4 vendors cuts silently
LEGACY_PREFIX = "pbkdf2-sha256$"  # hashes written by reference versions before bcrypt
LEGACY_ITERATIONS = 20000


@mirrors(f"(*{AUTH}.tokenSimple).genTokenPrefix")
def simple_token_prefix() -> str:
    """Sixteen random ASCII letters, the part of a simple token before its dot."""
    return "".join(secrets.choice(SIMPLE_TOKEN_LETTERS) for _ in range(SIMPLE_TOKEN_LENGTH))


@dataclass(frozen=True)
class User:
    name: str
    hashed_password: str  # "" for a user added with --no-password: it cannot authenticate
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    name: str
    permissions: tuple[Permission, ...] = ()


@dataclass(frozen=True)
class AuthInfo:
    """Who sent a request: the user its token names, and the auth revision it was checked at."""

    username: str
    revision: int


def hash_password(password: str) -> str:
    return bcrypt.hashpw(bytes_of(password)[:BCRYPT_MAX_BYTES], bcrypt.gensalt(BCRYPT_COST)).decode()


def _password_matches(hashed: str, password: str) -> bool:
    if hashed.startswith(LEGACY_PREFIX):  # still in the WALs of data dirs those versions wrote
        _, salt, digest = hashed.split("$")
        mine = hashlib.pbkdf2_hmac("sha256", bytes_of(password), bytes.fromhex(salt), LEGACY_ITERATIONS)
        return hmac.compare_digest(mine.hex(), digest)
    try:
        return bcrypt.checkpw(bytes_of(password)[:BCRYPT_MAX_BYTES], hashed.encode())
    except ValueError:  # not a bcrypt hash: a snapshot's user whose hash no one can check
        return False


def _end(range_end: bytes) -> bytes:
    """A permission or request range end as etcd's interval tree holds it: "\\0" ("no end")
    becomes the empty end, which sorts after every key."""
    return b"" if range_end == b"\0" else range_end


@mirrors("(go.etcd.io/etcd/pkg/v3/adt.BytesAffineComparable).Compare")
def _compare(a: bytes, b: bytes) -> int:
    """Byte order, except that an empty slice sorts after every other one."""
    if not a or not b:
        return (not a) - (not b)
    return (a > b) - (a < b)


@mirrors("(*go.etcd.io/etcd/pkg/v3/adt.Interval).Compare")
def _overlaps(begin: bytes, end: bytes, other_begin: bytes, other_end: bytes) -> bool:
    """Interval.Compare's 0: [begin, end) lies neither left nor right of the other interval."""
    left = _compare(begin, other_begin) < 0 and _compare(end, other_begin) <= 0
    return not left and _compare(begin, other_end) < 0


@mirrors(f"{AUTH}.checkKeyInterval", f"{AUTH}.checkKeyPoint",
         "(*go.etcd.io/etcd/pkg/v3/adt.intervalTree).Contains",
         "(*go.etcd.io/etcd/pkg/v3/adt.intervalTree).Intersects")
def _covers(intervals: list[tuple[bytes, bytes]], key: bytes, range_end: bytes) -> bool:
    """Whether the permission intervals allow [key, range_end), or the single key without a
    range_end. A key needs an interval holding it; a range needs the intervals that overlap it,
    in begin order, to join without a gap from at or before `key` to at or past its end. Only
    overlapping intervals count, as the tree compares them, so a range written backwards
    ([x, q)) grants nothing and is granted only by an interval holding its key."""
    if not range_end:
        return any(_overlaps(key, key + b"\0", begin, end) for begin, end in intervals)
    want_end = _end(range_end)
    overlapping = sorted((ivl for ivl in intervals if _overlaps(key, want_end, *ivl)),
                         key=cmp_to_key(lambda one, other: _compare(one[0], other[0])))
    if not overlapping:
        return False
    first_begin, reach = overlapping[0]
    for begin, end in overlapping[1:]:
        if _compare(reach, begin) < 0:
            return False
        if _compare(end, reach) > 0:
            reach = end
    return _compare(first_begin, key) <= 0 and _compare(reach, want_end) >= 0


def required_permissions(request) -> list[tuple[bytes, bytes, bool]]:
    """(key, range_end, write) for each permission a KV request needs, as etcd's
    authApplierV3 and checkTxnAuth ask for them."""
    if isinstance(request, RangeRequest):
        return [(request.key, request.range_end, False)]
    if isinstance(request, PutRequest):
        return [(request.key, b"", True)] + ([(request.key, b"", False)] if request.prev_kv else [])
    if isinstance(request, DeleteRangeRequest):
        needs = [(request.key, request.range_end, True)]
        return needs + ([(request.key, request.range_end, False)] if request.prev_kv else [])
    if isinstance(request, TxnRequest):
        needs = [(c.key, c.range_end, False) for c in request.compare]
        # Nested txns too: etcd 3.4 skipped them, letting any user read or write through one;
        # later etcd checks them ("enforce auth checks for nested txn ops"), as this does.
        for op in request.success + request.failure:
            if op.request is not None:
                needs += required_permissions(op.request)
        return needs
    return []


@mirrors(f"(*{AUTH}.tokenSimple).isValidSimpleToken")
def simple_token_index(token: str) -> int | None:
    """The raft index a simple token names (PREFIX.INDEX, the Authenticate entry that issued it),
    as a uint64: etcd waits for that index to be applied before it looks the token up, so a
    token naming a later index holds its request until then or the request's deadline. None for a
    token that is not PREFIX.INDEX with a decimal int64 (strconv.Atoi), refused at once."""
    parts = token.split(".")
    if len(parts) != 2:
        return None
    try:
        index = parse_int(parts[1], 64, base=10)
    except ValueError:
        return None
    return index % (1 << 64)  # uint64(index): a negative index is one no log reaches


@mirrors(f"(*{AUTH}.simpleTokenTTLKeeper).run")
def _token_swept(deadline: float, now: float) -> bool:
    """Whether etcd's TTL keeper has deleted a token whose deadline is `deadline` by `now`: it
    looks once a second (simpleTokenTTLResolution), so a token lives on until the first tick
    after its deadline, up to a second past its TTL. The ticks are taken at the clock's whole
    seconds."""
    return now >= math.floor(deadline) + TOKEN_TTL_RESOLUTION


@dataclass
class AuthStore:
    enabled: bool = False
    # etcd writes authEnabled to its backend only when an enable or disable changes it.
    enabled_saved: bool = False
    revision: int = 1  # etcd's auth store starts at revision 1 (0 means "no user")
    token_ttl: float = SIMPLE_TOKEN_TTL  # --auth-token-ttl: a token's life after its last use
    token_type: str = "simple"  # --auth-token: "simple", or "" for etcd's tokenNop
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    # token -> (who, expiry): in memory, never logged
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token → (user, expiry)

    # -- tokens --------------------------------------------------------------------------------

    @mirrors(f"(*{AUTH}.authStore).CheckPassword")
    def check_password(self, name: str, password: str) -> int:
        """Refuse a wrong password; else the auth revision it was checked at (etcd proposes the
        token only after this check, and tries again if the revision moved meanwhile)."""
        if not self.enabled:
            raise ErrAuthNotEnabled()
        user = self.users.get(name)
        if user is None:
            raise ErrAuthFailed(user=name)
        if not user.hashed_password:
            raise ErrNoPasswordUser(user=name)
        if not _password_matches(user.hashed_password, password):
            raise ErrAuthFailed(user=name)
        return self.revision

    @mirrors(f"(*{AUTH}.authStore).Authenticate", f"(*{AUTH}.tokenSimple).assign",
             f"(*{AUTH}.tokenNop).assign")
    def assign_token(self, name: str, prefix: str, index: int, now: float) -> str:
        """The token an applied Authenticate entry at raft `index` gives `name`: its prefix, a
        dot and the index. The user may have gone, or lost its password, since the check.
        tokenNop gives none: the password checked, the entry still fails (ErrAuthFailed)."""
        if not self.enabled:
            raise ErrAuthNotEnabled()
        user = self.users.get(name)
        if user is None or not user.hashed_password or not self.token_type:
            raise ErrAuthFailed(user=name)
        token = f"{prefix}.{index}"
        self.tokens[token] = (name, now + self.token_ttl)
        return token

    @mirrors(f"(*{AUTH}.authStore).AuthInfoFromCtx", f"(*{AUTH}.tokenSimple).info",
             f"(*{AUTH}.tokenNop).info")
    def auth_info(self, token: str | None, now: float) -> AuthInfo | None:
        """Whose token this is (None: no token sent); an unknown or expired token is refused,
        an empty one too, and any token while auth is off (none is valid then), as etcd does."""
        if token is None:
            return None
        known = self.tokens.get(token)
        if known is None or _token_swept(known[1], now):
            self.tokens.pop(token, None)
            raise ErrInvalidAuthToken()
        self.tokens[token] = (known[0], now + self.token_ttl)
        # A simple token names only its user: tokenSimple.info stamps the store's current
        # revision, so an auth change never makes it "old" (only a request checked before the
        # change and applied after it is, which this store's callers never do).
        return AuthInfo(known[0], self.revision)

    def forget_tokens(self) -> None:
        self.tokens.clear()

    def _invalidate_user(self, name: str) -> None:
        self.tokens = {t: v for t, v in self.tokens.items() if v[0] != name}

    # -- checks --------------------------------------------------------------------------------

    def _has_root_role(self, user: User | None) -> bool:
        return user is not None and ROOT in user.roles

    def _user_of(self, info: AuthInfo | None) -> User:
        if info is None or not info.username:
            raise ErrUserEmpty()
        if info.revision < self.revision:
            raise ErrAuthOldRevision(revision=info.revision, current=self.revision)
        user = self.users.get(info.username)
        if user is None:
            raise ErrPermissionDenied(user=info.username)
        return user

    @mirrors(f"(*{AUTH}.authStore).IsAdminPermitted")
    def check_admin(self, info: AuthInfo | None) -> None:
        if not self.enabled:
            return
        user = self._user_of(info)
        if not self._has_root_role(user):
            raise ErrPermissionDenied(user=user.name)

    @mirrors(f"(*{AUTH}.authStore).isOpPermitted", f"(*{AUTH}.authStore).isRangeOpPermitted")
    def check_permitted(self, info: AuthInfo | None, request) -> None:
        if not self.enabled:
            return
        needs = required_permissions(request)
        if not needs:
            return
        user = self._user_of(info)
        if self._has_root_role(user):
            return
        for key, range_end, write in needs:
            if not self.check_range(user, key, range_end, write):
                raise ErrPermissionDenied(user=user.name, key=key)

    @mirrors(f"{AUTH}.getMergedPerms")
    def check_range(self, user: User, key: bytes, range_end: bytes, write: bool) -> bool:
        wanted = ("WRITE", "READWRITE") if write else ("READ", "READWRITE")
        intervals = []
        for role_name in user.roles:
            role = self.roles.get(role_name)
            for perm in role.permissions if role else ():
                if perm.perm_type in wanted:
                    end = _end(perm.range_end) if perm.range_end else perm.key + b"\0"
                    intervals.append((perm.key, end))
        return _covers(intervals, key, range_end)

    # -- reads ---------------------------------------------------------------------------------

    @mirrors(f"(*{AUTH}.authStore).HasRole")
    def has_role(self, username: str, role: str) -> bool:
        user = self.users.get(username)
        return user is not None and role in user.roles

    def user_get(self, name: str) -> User:
        user = self.users.get(name)
        if user is None:
            raise ErrUserNotFound(user=name)
        return user

    def role_get(self, name: str) -> Role:
        role = self.roles.get(name)
        if role is None:
            raise ErrRoleNotFound(role=name)
        return role

    # -- changes -------------------------------------------------------------------------------

    def apply(self, request) -> None:
        """Apply one user, role or enable/disable request (already admin-checked)."""
        handler = getattr(self, "_" + type(request).__name__)
        handler(request)

    @mirrors(f"(*{AUTH}.authStore).AuthEnable")
    def _AuthEnableRequest(self, request: AuthEnableRequest) -> None:
        if self.enabled:
            return
        root = self.users.get(ROOT)
        if root is None:
            raise ErrRootUserNotExist()
        if not self._has_root_role(root):
            raise ErrRootRoleNotExist()
        self.enabled = self.enabled_saved = True

    @mirrors(f"(*{AUTH}.authStore).AuthDisable")
    def _AuthDisableRequest(self, request: AuthDisableRequest) -> None:
        if self.enabled:
            self.enabled, self.enabled_saved = False, True
        self.forget_tokens()

    def _commit_revision(self) -> None:
        self.revision += 1

    @mirrors(f"(*{AUTH}.authStore).UserAdd")
    def _AuthUserAddRequest(self, request: AuthUserAddRequest) -> None:
        if not request.name:
            raise ErrUserEmpty()
        if request.name in self.users:
            raise ErrUserAlreadyExist(user=request.name)
        self.users[request.name] = User(request.name, request.hashed_password)
        self._commit_revision()

    @mirrors(f"(*{AUTH}.authStore).UserDelete")
    def _AuthUserDeleteRequest(self, request: AuthUserDeleteRequest) -> None:
        if self.enabled and request.name == ROOT:
            raise ErrInvalidAuthMgmt(user=request.name)
        if self.users.pop(request.name, None) is None:
            raise ErrUserNotFound(user=request.name)
        self._commit_revision()
        self._invalidate_user(request.name)

    @mirrors(f"(*{AUTH}.authStore).UserChangePassword")
    def _AuthUserChangePasswordRequest(self, request: AuthUserChangePasswordRequest) -> None:
        user = self.user_get(request.name)
        if user.hashed_password:  # a --no-password user keeps NoPassword: no password counts
            self.users[user.name] = replace(user, hashed_password=request.hashed_password)
        self._commit_revision()
        self._invalidate_user(user.name)

    @mirrors(f"(*{AUTH}.authStore).UserGrantRole")
    def _AuthUserGrantRoleRequest(self, request: AuthUserGrantRoleRequest) -> None:
        user = self.user_get(request.user)
        if request.role != ROOT and request.role not in self.roles:
            raise ErrRoleNotFound(role=request.role)
        if request.role in user.roles:
            return  # etcd logs "already granted" and succeeds
        roles = list(user.roles)
        bisect.insort(roles, request.role)
        self.users[user.name] = replace(user, roles=tuple(roles))
        self._commit_revision()

    @mirrors(f"(*{AUTH}.authStore).UserRevokeRole")
    def _AuthUserRevokeRoleRequest(self, request: AuthUserRevokeRoleRequest) -> None:
        if self.enabled and request.name == ROOT and request.role == ROOT:
            raise ErrInvalidAuthMgmt(user=request.name, role=request.role)
        user = self.user_get(request.name)
        if request.role not in user.roles:
            raise ErrRoleNotGranted(user=request.name, role=request.role)
        self.users[user.name] = replace(user, roles=tuple(r for r in user.roles if r != request.role))
        self._commit_revision()

    @mirrors(f"(*{AUTH}.authStore).RoleAdd")
    def _AuthRoleAddRequest(self, request: AuthRoleAddRequest) -> None:
        if not request.name:
            raise ErrRoleEmpty()
        if request.name in self.roles:
            raise ErrRoleAlreadyExist(role=request.name)
        self.roles[request.name] = Role(request.name)
        self._commit_revision()

    @mirrors(f"(*{AUTH}.authStore).RoleDelete")
    def _AuthRoleDeleteRequest(self, request: AuthRoleDeleteRequest) -> None:
        if self.enabled and request.role == ROOT:
            raise ErrInvalidAuthMgmt(role=request.role)
        if self.roles.pop(request.role, None) is None:
            raise ErrRoleNotFound(role=request.role)
        for user in list(self.users.values()):
            if request.role in user.roles:
                self.users[user.name] = replace(
                    user, roles=tuple(r for r in user.roles if r != request.role))
        self._commit_revision()

    @mirrors(f"(*{AUTH}.authStore).RoleGrantPermission")
    def _AuthRoleGrantPermissionRequest(self, request: AuthRoleGrantPermissionRequest) -> None:
        role = self.role_get(request.name)
        perm = request.perm
        permissions = list(role.permissions)
        # etcd keeps a role's permissions sorted by key alone and looks for the range at the first
        # permission with that key only: granting it again updates that one in place, anything
        # else (another range_end for the key, or a range held further on) is appended and the
        # list re-sorted by key, stable, so it lands after the permissions with the same key.
        idx = bisect.bisect_left([p.key for p in permissions], perm.key)
        if idx < len(permissions) and (permissions[idx].key, permissions[idx].range_end) == (
                perm.key, perm.range_end):
            permissions[idx] = replace(permissions[idx], perm_type=perm.perm_type)
        else:
            permissions.append(perm)
            permissions.sort(key=lambda p: p.key)
        self.roles[role.name] = replace(role, permissions=tuple(permissions))
        self._commit_revision()

    @mirrors(f"(*{AUTH}.authStore).RoleRevokePermission")
    def _AuthRoleRevokePermissionRequest(self, request: AuthRoleRevokePermissionRequest) -> None:
        role = self.role_get(request.role)
        kept = tuple(p for p in role.permissions
                     if (p.key, p.range_end) != (request.key, request.range_end))
        if len(kept) == len(role.permissions):
            raise ErrPermissionNotGranted(role=request.role, key=request.key)
        self.roles[role.name] = replace(role, permissions=kept)
        self._commit_revision()

    # -- snapshots -----------------------------------------------------------------------------

    def dump(self) -> dict:
        return {"enabled": self.enabled, "enabled_saved": self.enabled_saved, "revision": self.revision,
                "users": [[u.name, u.hashed_password, list(u.roles)] for u in self.users.values()],
                "roles": [[r.name, [[p.perm_type, p.key.hex(), p.range_end.hex()]
                                    for p in r.permissions]] for r in self.roles.values()]}

    def recover(self, state: dict) -> None:
        self.enabled, self.revision = state["enabled"], state["revision"]
        self.enabled_saved = state["enabled_saved"]
        self.users = {name: User(name, hashed, tuple(roles)) for name, hashed, roles in state["users"]}
        self.roles = {name: Role(name, tuple(Permission(t, bytes.fromhex(k), bytes.fromhex(e))
                                             for t, k, e in perms))
                      for name, perms in state["roles"]}
