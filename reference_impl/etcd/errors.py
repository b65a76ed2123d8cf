"""The errors the reference etcd reports, with etcd v3.5.1's own wording and gRPC status codes.

`EtcdError` is the one root. Each subclass carries, as class attributes, the gRPC status code
name (`grpc_code`, a `grpc.StatusCode` member name: the core does not import grpc) and the exact
text etcd puts in the status message (`message`, from api/v3rpc/rpctypes/error.go), so an adapter
can answer `abort(StatusCode[err.grpc_code], err.message)` and a real client recognises the error.
Instances also carry the data behind the error (key, revision, lease id); `str(err)` adds it to the
message for people and logs.
"""
from __future__ import annotations

from typing import ClassVar


class EtcdError(Exception):
    """Root of every error the reference etcd raises on purpose."""

    grpc_code: ClassVar[str] = "UNKNOWN"
    message: ClassVar[str] = "etcdserver: unknown error"

    def __init__(self, **details: object) -> None:
        self.details = details
        for name, value in details.items():
            setattr(self, name, value)
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.details:
            return self.message
        shown = ", ".join(f"{name}={_show(value)}" for name, value in self.details.items())
        return f"{self.message} ({shown})"


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return repr(value.decode("utf-8", "backslashreplace"))
    return repr(value)


class ErrCompacted(EtcdError):
    """A read, watch or compaction asked for a revision that compaction has removed."""

    grpc_code = "OUT_OF_RANGE"
    message = "etcdserver: mvcc: required revision has been compacted"


class ErrFutureRev(EtcdError):
    """A read or compaction asked for a revision the store has not reached yet."""

    grpc_code = "OUT_OF_RANGE"
    message = "etcdserver: mvcc: required revision is a future revision"


class ErrLeaseNotFound(EtcdError):
    grpc_code = "NOT_FOUND"
    message = "etcdserver: requested lease not found"


class ErrLeaseExist(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: lease already exists"


class ErrLeaseTTLTooLarge(EtcdError):
    grpc_code = "OUT_OF_RANGE"
    message = "etcdserver: too large lease TTL"


class ErrKeyNotFound(EtcdError):
    """A put with ignore_value or ignore_lease named a key that does not exist."""

    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: key not found"


class ErrEmptyKey(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: key is not provided"


class ErrValueProvided(EtcdError):
    """A put with ignore_value also carried a value."""

    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: value is provided"


class ErrLeaseProvided(EtcdError):
    """A put with ignore_lease also carried a lease."""

    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: lease is provided"


class ErrRequestTooLarge(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: request is too large"


class ErrUnknownSortTarget(EtcdError):
    """A sorted range named a sort target etcd does not define. etcd 3.4 and 3.5 then sort with
    a nil sorter and the whole server panics; the reference refuses the one request instead."""

    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: unknown sort target"


class ErrTooManyOps(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: too many operations in txn request"


class ErrDuplicateKey(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: duplicate key given in txn request"


class ErrWatcherDuplicateID(EtcdError):
    """A watch create request chose a watch_id that is already in use.

    etcd answers this inside the watch stream (created and canceled, with this text as
    cancel_reason), not as an RPC status; the code below is only what an adapter may use if it
    has no stream to answer on.
    """

    grpc_code = "INVALID_ARGUMENT"
    message = "mvcc: duplicate watch ID provided on the WatchStream"


class ErrEmptyWatcherRange(EtcdError):
    """A watch create request's range_end is not after its key; answered like ErrWatcherDuplicateID."""

    grpc_code = "INVALID_ARGUMENT"
    message = "mvcc: watcher range is empty"


class ErrCorruptWAL(EtcdError):
    """A write-ahead log or snapshot record that fails its checks and is not a torn last write:
    data was damaged on disk, which a crash alone cannot do, so the server refuses to start (and
    changes no file) rather than drop acknowledged writes. Carries the file and the offset."""

    grpc_code = "DATA_LOSS"
    message = "etcdserver: corrupt cluster"

    def __str__(self) -> str:
        where = f"{self.details.get('path')} at offset {self.details.get('offset')}"
        if "missing_seq" in self.details:
            return f"wal: {where}: record {self.details['missing_seq']} is missing"
        return f"wal: {where}: {self.details.get('problem', 'damaged record')}"


class ErrWALWrite(EtcdError):
    """Appending a request to the write-ahead log failed (disk full, I/O error): the request is
    not applied nor acknowledged, and the log is left as it was before it."""

    grpc_code = "UNAVAILABLE"
    message = "etcdserver: failed to write the WAL"


class ErrBadLeaderTransferee(EtcdError):
    """move-leader named a member that cannot take leadership: on the reference's one-member
    cluster, any but the leader itself."""

    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: bad leader transferee"


class ErrTimeoutLeaderTransfer(EtcdError):
    """The transferee did not take leadership before the caller's deadline. v3rpc has no gRPC
    error for it, so the client sees code Unknown with the server error's own text."""

    grpc_code = "UNKNOWN"
    message = "etcdserver: request timed out, leader transfer took too long"


class ErrDataDirNotEmpty(EtcdError):
    """A restore from a snapshot was asked for a data directory that already holds state."""

    message = "data directory is not empty"

    def __str__(self) -> str:
        return f"cannot restore a snapshot into {self.details.get('data_dir')}: it already holds data"


class ErrOldDataDir(EtcdError):
    """The data directory holds the log of the reference etcd before it ran every member through
    Raft (requests logged one by one, no Raft entries), which this version cannot read."""

    message = "data directory of an older layout"

    def __str__(self) -> str:
        return (f"--data-dir {self.details.get('data_dir')}: written by an older reference etcd "
                f"(a log of requests, not of Raft entries), which this one cannot read; start it "
                f"with an empty --data-dir, or --restore-from-snapshot a file `etcdctl snapshot "
                f"save` took from the old server")


# -- auth (etcd 3.4's rpctypes, in the same order) --------------------------------------------


class ErrRootUserNotExist(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: root user does not exist"


class ErrRootRoleNotExist(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: root user does not have root role"


class ErrUserAlreadyExist(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: user name already exists"


class ErrUserEmpty(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: user name is empty"


class ErrUserNotFound(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: user name not found"


class ErrRoleAlreadyExist(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: role name already exists"


class ErrRoleNotFound(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: role name not found"


class ErrRoleEmpty(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: role name is empty"


class ErrAuthFailed(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: authentication failed, invalid user ID or password"


class ErrNoPasswordUser(EtcdError):
    """Sent with EtcdError's code Unknown and the auth package's own text: v3rpc does not
    translate it."""

    message = "auth: authentication failed, password was given for no password user"


class ErrPermissionDenied(EtcdError):
    grpc_code = "PERMISSION_DENIED"
    message = "etcdserver: permission denied"


class ErrRoleNotGranted(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: role is not granted to the user"


class ErrPermissionNotGranted(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: permission is not granted to the role"


class ErrPermissionNotGiven(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: permission not given"


class ErrAuthNotEnabled(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: authentication is not enabled"


class ErrInvalidAuthToken(EtcdError):
    grpc_code = "UNAUTHENTICATED"
    message = "etcdserver: invalid auth token"


class ErrInvalidAuthMgmt(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: invalid auth management"


class ErrAuthOldRevision(EtcdError):
    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: revision of auth store is old"


# -- the lock and election services (clientv3's concurrency package and v3election's own) -------
# etcd sends these as code Unknown: they are plain Go errors, not gRPC statuses.

class ErrElectionNoLeader(EtcdError):
    message = "election: no leader"


class ErrElectionNotLeader(EtcdError):
    message = "election: not leader"


class ErrMissingLeaderKey(EtcdError):
    message = '"leader" field must be provided'


# -- a replicated cluster (rpctypes' errors for raft, leadership and membership) ----------------

class ErrNoLeader(EtcdError):
    grpc_code = "UNAVAILABLE"
    message = "etcdserver: no leader"


class ErrNotSupportedForLearner(EtcdError):
    """A learner serves clients only Status and serializable reads."""

    grpc_code = "UNAVAILABLE"
    message = "etcdserver: rpc not supported for learner"


class ErrCorrupt(EtcdError):
    """The CORRUPT alarm is raised: the applier refuses writes, compactions and lease changes."""

    grpc_code = "DATA_LOSS"
    message = "etcdserver: corrupt cluster"


class ErrNoSpace(EtcdError):
    """The space quota is used up, or the NOSPACE alarm is raised."""

    grpc_code = "RESOURCE_EXHAUSTED"
    message = "etcdserver: mvcc: database space exceeded"


class ErrNotLeader(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: not leader"


class ErrTimeout(EtcdError):
    """The request was proposed but no answer came in time: it may or may not have been applied."""

    grpc_code = "UNAVAILABLE"
    message = "etcdserver: request timed out"


class ErrProposeDeadline(EtcdError):
    """No leader took the request's proposal before its timeout, so it was never proposed: etcd
    returns Propose's own error, the context's, which grpc-go sends with code Unknown."""

    grpc_code = "UNKNOWN"
    message = "context deadline exceeded"


class ErrLeaderChanged(EtcdError):
    grpc_code = "UNAVAILABLE"
    message = "etcdserver: leader changed"


class ErrStopped(EtcdError):
    grpc_code = "UNAVAILABLE"
    message = "etcdserver: server stopped"


class ErrMemberNotFound(EtcdError):
    grpc_code = "NOT_FOUND"
    message = "etcdserver: member not found"


class ErrMemberBadURLs(EtcdError):
    """A member add gave no peer URL, or one that is not SCHEME://HOST:PORT."""

    grpc_code = "INVALID_ARGUMENT"
    message = "etcdserver: given member URLs are invalid"


class ErrMemberIDExists(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: member ID already exist"


class ErrTooManyLearners(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: too many learner members in cluster"


class ErrPeerURLExist(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: Peer URLs already exists"


class ErrMemberNotLearner(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: can only promote a learner member"


class ErrLearnerNotReady(EtcdError):
    grpc_code = "FAILED_PRECONDITION"
    message = "etcdserver: can only promote a learner member which is in sync with leader"


class ErrBadCluster(EtcdError):
    """The cluster flags (--initial-cluster and friends) do not describe a cluster this member
    can start in."""

    message = "invalid cluster configuration"

    def __str__(self) -> str:
        return f"{self.problem}"


class ErrBadFlags(EtcdError):
    """The command line fails etcd's checks after parsing: an argument where a flag belongs
    (etcdmain's parse), or flag values embed's Config.Validate refuses."""

    message = "error verifying flags"

    def __str__(self) -> str:
        return f"{self.problem}"


class ErrEnvConflict(EtcdError):
    """An ETCD_* variable and the command-line flag it stands for are both given: etcd's
    verifyEnv ends the process (plog.Fatalf, exit 1) rather than pick one."""

    message = "conflicting environment variable"

    def __str__(self) -> str:
        return (f'{self.message} "{self.key}" is shadowed by corresponding command-line flag '
                f'(either unset environment variable or disable flag)')


class ErrUnknownLogLevel(EtcdError):
    """A --log-level etcd does not know: its level conversion panics, ending the process with
    Go's exit 2 for a panic, as it has no error to return."""

    message = "unknown level"

    def __str__(self) -> str:
        return f'panic: {self.message} "{self.level}"'


class ErrInvalidAuthOpts(EtcdError):
    """--auth-token names no token type etcd knows, or its options do not parse."""

    message = "auth: invalid auth options"


class ErrUnhealthy(EtcdError):
    """A membership change refused because this member has not reached enough others for long."""

    grpc_code = "UNAVAILABLE"
    message = "etcdserver: unhealthy cluster"


class ErrNotEnoughStartedMembers(EtcdError):
    """Sent with EtcdError's code Unknown: v3rpc maps it to rpctypes.ErrMemberNotEnoughStarted,
    a client-side error rather than a gRPC status."""

    message = "etcdserver: re-configuration failed due to not enough started members"
