"""etcd 3.4's flags that the reference takes without acting on them.

A command line written for the real etcd (`--logger zap --log-level warn --enable-v2 ...`) must not
stop the reference at its first flag: each of these is taken, its value checked as etcd's flag
type checks it (a bad number is refused in flag's words, exit 2), and the flags given are named
once on stderr as having no effect. The table is etcdmain's newConfig in etcd v3.4.27, less the
flags run.py implements; the last group is etcd's `ignored` list of v2-era flags, which it
registers as bools it drops.

A few of them are not harmless to ignore: left unread they would put the data elsewhere or make
the member a different cluster (--config-file holding every setting, --wal-dir, --force-new-cluster,
discovery, a proxy). Those (`NOT_SERVED`) are refused, set as a flag or as their ETCD_* variable,
unless their value is etcd's default, so that a command line meant for etcd never starts an empty
member that looks like lost data.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

from reference_impl.etcd.errors import ErrEnvConflict, ErrUnknownLogLevel
from reference_impl.machinery.goflag import GoFlagSet, go_duration, go_int, go_uint
from reference_impl.machinery.process import go_bool
from reference_impl.machinery.strconv import parse_uint
from reference_impl.mirrors import mirrors

# "name type", as etcdmain registers them (fs.StringVar, fs.UintVar, fs.Var(...), ...).
NO_EFFECT = """
config-file string
wal-dir string
max-snapshots uint
max-wals uint
initial-election-tick-advance bool
backend-batch-interval duration
backend-batch-limit int
grpc-keepalive-min-time duration
grpc-keepalive-interval duration
grpc-keepalive-timeout duration
max-concurrent-streams uint32
discovery string
discovery-fallback fallback
discovery-proxy string
discovery-srv string
discovery-srv-name string
strict-reconfig-check bool
enable-v2 bool
pre-vote bool
proxy proxy
proxy-failure-wait uint
proxy-refresh-interval uint
proxy-dial-timeout uint
proxy-write-timeout uint
proxy-read-timeout uint
cert-file string
key-file string
client-cert-auth bool
client-crl-file string
client-cert-allowed-hostname string
trusted-ca-file string
auto-tls bool
peer-cert-file string
peer-key-file string
peer-client-cert-auth bool
peer-trusted-ca-file string
peer-auto-tls bool
peer-crl-file string
peer-cert-allowed-cn string
peer-cert-allowed-hostname string
cipher-suites string
experimental-peer-skip-client-san-verification bool
tls-min-version string
tls-max-version string
cors string
host-whitelist string
logger string
log-output string
log-outputs string
debug bool
log-level string
log-package-levels string
auto-compaction-retention string
auto-compaction-mode string
enable-pprof bool
metrics string
bcrypt-cost uint
enable-grpc-gateway bool
experimental-initial-corrupt-check bool
experimental-corrupt-check-time duration
experimental-enable-v2v3 string
experimental-backend-bbolt-freelist-type string
experimental-compaction-batch-limit int
experimental-warning-apply-duration duration
unsafe-no-fsync bool
force-new-cluster bool
cluster-active-size ignored
cluster-remove-delay ignored
cluster-sync-interval ignored
config ignored
force ignored
max-result-buffer ignored
max-retry-attempts ignored
peer-heartbeat-interval ignored
peer-election-timeout ignored
retry-interval ignored
snapshot ignored
v ignored
vv ignored
"""


# flag -> (etcd's default, what ignoring it would do); refused unless left at that default.
NOT_SERVED: dict[str, tuple[object, str]] = {
    "config-file": ("", "its settings would all be ignored (give them as flags or ETCD_* variables)"),
    "wal-dir": ("", "the write-ahead log would be read and written under --data-dir instead"),
    "force-new-cluster": (False, "the member would start with its old membership, "
                                 "not as a new one-member cluster"),
    "discovery": ("", "the member would bootstrap without discovery (give --initial-cluster)"),
    "discovery-srv": ("", "the member would bootstrap without discovery (give --initial-cluster)"),
    "proxy": ("off", "this would start a member, not a proxy"),
}


def _selective(*valid: str):
    """flags.SelectiveStringValue's Set: one of `valid`, else "invalid value"."""
    def selective_value(text: str) -> str:
        if text not in valid:
            raise ValueError("invalid value")
        return text
    return selective_value


def _uint32(text: str) -> int:
    """flags.Uint32Value's Set: strconv.ParseUint(s, 0, 32), its error as strconv words it."""
    return parse_uint(text, 32)


def _ignored(text: str) -> bool:
    """flags.IgnoredFlag's Set: any value, dropped."""
    return True


TYPES = {"string": str, "bool": go_bool, "uint": go_uint(64), "int": go_int(64), "duration": go_duration,
         "uint32": _uint32, "fallback": _selective("exit", "proxy"),
         "proxy": _selective("off", "readonly", "on"), "ignored": _ignored}


class _NoEffect(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        namespace.no_effect = [*namespace.no_effect, option_string]  # the default list stays empty
        setattr(namespace, self.dest, values)


def _env_name(flag: str) -> str:
    return "ETCD_" + flag.upper().replace("-", "_")


def add_no_effect_flags(parser: GoFlagSet) -> None:
    """etcd's other flags on `parser`; those given (on the command line or, once
    set_flags_from_env has run, as ETCD_* variables) end up in the namespace's `no_effect`."""
    parser.set_defaults(no_effect=[])
    for line in NO_EFFECT.strip().splitlines():
        name, kind = line.split()
        extra = {"nargs": "?", "const": "true"} if kind in ("bool", "ignored") else {}
        parser.add_argument(f"--{name}", action=_NoEffect, type=TYPES[kind], dest=f"upstream_{name}",
                            help=argparse.SUPPRESS, **extra)


@mirrors("go.etcd.io/etcd/pkg/v3/flags.SetFlagsFromEnv")
def set_flags_from_env(parser: GoFlagSet, args: argparse.Namespace, env: Mapping[str, str],
                       warn: Callable[[str], None]) -> str | None:
    """Each flag the command line left unset takes its ETCD_* variable when that is not empty, in
    the flag set's name order; a value the flag's type refuses is remembered (the last such one
    is the answer: 'invalid value "V" for ETCD_X: REASON'). Then verifyEnv: a variable whose flag
    the command line set is ErrEnvConflict, any other unused ETCD_* variable a warning."""
    actions = {option[2:]: action for action in parser._actions for option in action.option_strings
               if option.startswith("--") and option != "--help"}
    used: set[str] = set()
    problem = None
    for name in sorted(actions):
        key, action = _env_name(name), actions[name]
        value = env.get(key, "")
        if name in args.flags_set or not value:
            continue
        used.add(key)
        is_bool = action.nargs == "?"
        try:
            setattr(args, action.dest, action.type(value) if callable(action.type) else value)
        except (ValueError, argparse.ArgumentTypeError) as error:
            problem = f'invalid value "{value}" for {key}: {"parse error" if is_bool else error}'
            continue
        if action.dest.startswith("upstream_"):
            args.no_effect = [*args.no_effect, key]
    shadowed = {_env_name(name) for name in args.flags_set}
    for key, value in env.items():
        if key in used:
            continue
        if key in shadowed:
            raise ErrEnvConflict(key=key)
        if key.startswith("ETCD_"):
            warn(f"unrecognized environment variable {key}={value}")
    return problem


# etcd 3.4's --log-level values (logutil.ConvertToZapLevel, ConvertToCapnslogLogLevel).
LOG_LEVELS = ("debug", "info", "warn", "error", "dpanic", "panic", "fatal")


@mirrors("(*go.etcd.io/etcd/server/v3/embed.Config).setupLogging")
def check_logging(args: argparse.Namespace) -> str | None:
    """--logger and --log-level as setupLogging checks them: an unknown logger is an error it
    returns (None when there is none); an unknown level panics (ErrUnknownLogLevel), except under
    capnslog with --debug, which never converts it."""
    logger, level, debug = (getattr(args, f"upstream_{name}", None) for name in ("logger", "log-level", "debug"))
    logger, level = logger if logger is not None else "capnslog", level if level is not None else "info"
    if logger == "capnslog":
        converts = not debug
    elif logger == "zap":
        converts = True  # also for the journal, whose logger falls back to zap's default
    else:
        return f'unknown logger option "{logger}"'
    if converts and level not in LOG_LEVELS:
        raise ErrUnknownLogLevel(level=level)
    return None


def not_served(args: argparse.Namespace) -> str | None:
    """Why the first NOT_SERVED flag set to other than etcd's default is refused, in one line;
    None when there is none."""
    for name, (default, ignoring) in NOT_SERVED.items():
        value = getattr(args, f"upstream_{name}", None)
        if value is not None and value != default:
            return (f"--{name} (or {_env_name(name)}) is not supported by the reference etcd: "
                    f"ignoring it, {ignoring}")
    return None
