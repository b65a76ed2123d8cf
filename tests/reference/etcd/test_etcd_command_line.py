"""etcd's command line as Go's flag package and etcdmain read it: what real etcd 3.4.23 answered to
each of these command lines (`/usr/bin/etcd --data-dir D ARGS`: its exit code and first stderr
line) is what the reference must answer, before anything is served."""
from __future__ import annotations

import pytest

from reference_impl.etcd.run import main, parse_args

REFUSED = [
    # exit 2: the flag package refuses the line and prints the usage after this line
    (["--data", "x"], 2, "flag provided but not defined: -data"),
    (["--max-txn", "3"], 2, "flag provided but not defined: -max-txn"),
    (["--auth-token-ttl", "abc"], 2, 'invalid value "abc" for flag -auth-token-ttl: parse error'),
    (["--auth-token-ttl", "99999999999999999999"], 2,
     'invalid value "99999999999999999999" for flag -auth-token-ttl: value out of range'),
    (["--max-txn-ops", "-1"], 2, 'invalid value "-1" for flag -max-txn-ops: parse error'),
    (["--quota-backend-bytes", "1e9"], 2, 'invalid value "1e9" for flag -quota-backend-bytes: parse error'),
    (["--initial-cluster-state", "bogus"], 2,
     'invalid value "bogus" for flag -initial-cluster-state: invalid value'),
    (["--name"], 2, "flag needs an argument: -name"),
    (["--enable-v2=maybe"], 2, 'invalid boolean value "maybe" for -enable-v2: parse error'),
    (["---x"], 2, "bad flag syntax: ---x"),
    (["-=x"], 2, "bad flag syntax: -=x"),
    (["--grpc-keepalive-min-time", "5"], 2, 'invalid value "5" for flag -grpc-keepalive-min-time: parse error'),
    (["--max-concurrent-streams", "-1"], 2,
     'invalid value "-1" for flag -max-concurrent-streams: strconv.ParseUint: parsing "-1": invalid syntax'),
    (["--listen-client-urls", "ftp://1.2.3.4:1"], 2, 'invalid value "ftp://1.2.3.4:1" for flag '
     "-listen-client-urls: URL scheme must be http, https, unix, or unixs: ftp://1.2.3.4:1"),
    (["--listen-client-urls", "127.0.0.1:2379"], 2, 'invalid value "127.0.0.1:2379" for flag '
     '-listen-client-urls: parse "127.0.0.1:2379": first path segment in URL cannot contain colon'),
    (["--listen-client-urls", "localhost:2379"], 2, 'invalid value "localhost:2379" for flag '
     "-listen-client-urls: URL scheme must be http, https, unix, or unixs: localhost:2379"),
    (["--listen-metrics-urls", "http://1.2.3.4:1/x"], 2, 'invalid value "http://1.2.3.4:1/x" for flag '
     "-listen-metrics-urls: URL must not contain a path: http://1.2.3.4:1/x"),
    # exit 1: etcdmain's own checks after parsing
    (["positional", "--max-txn-ops", "3"], 1,
     "error verifying flags, 'positional' is not a valid flag. See 'etcd --help'."),
    (["--heartbeat-interval", "0"], 1, "--heartbeat-interval must be >0 (set to 0ms)"),
    (["--election-timeout", "60000"], 1,
     "--election-timeout[60000ms] is too long, and should be set less than 50000ms"),
    (["--heartbeat-interval", "100", "--election-timeout", "50"], 1,
     "--election-timeout[50ms] should be at least as 5 times as --heartbeat-interval[100ms]"),
    (["--auth-token", "bogus"], 1, "auth: invalid auth options"),
    (["--auth-token", "simple,x"], 1, "auth: invalid auth options"),
]


@pytest.mark.parametrize("argv, code, line", REFUSED, ids=[" ".join(a) for a, _, _ in REFUSED])
def test_a_refused_command_line_gets_etcds_exit_code_and_words(tmp_path, capsys, argv, code, line):
    assert main(["--data-dir", str(tmp_path / "d"), *argv], {}) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].removeprefix("reference etcd: error: ").startswith(line)


ENV_REFUSED = [
    ({"ETCD_MAX_WALS": "abc"}, [], 1,
     "error verifying flags, invalid value \"abc\" for ETCD_MAX_WALS: parse error. See 'etcd --help'."),
    ({"ETCD_ENABLE_V2": "maybe"}, [], 1,
     "error verifying flags, invalid value \"maybe\" for ETCD_ENABLE_V2: parse error. See 'etcd --help'."),
    # two bad values: the flag set's last, in name order, is the one reported
    ({"ETCD_SNAPSHOT_COUNT": "abc", "ETCD_MAX_WALS": "x"}, [], 1,
     "error verifying flags, invalid value \"abc\" for ETCD_SNAPSHOT_COUNT: parse error. See 'etcd --help'."),
    ({"ETCD_NAME": "x"}, ["--name", "default"], 1, 'conflicting environment variable "ETCD_NAME" is shadowed '
     "by corresponding command-line flag (either unset environment variable or disable flag)"),
    ({"ETCD_NAME": ""}, ["--name", "default"], 1, 'conflicting environment variable "ETCD_NAME" is shadowed'),
    ({"ETCD_LOG_LEVEL": "bogus"}, [], 2, 'panic: unknown level "bogus"'),
    # setupLogging's checks, after the environment's
    ({}, ["--logger", "bogus"], 1, "error verifying flags, unknown logger option \"bogus\". See 'etcd --help'."),
    # exit 2: Go's exit code for a panic, which etcd's log level conversion raises
    ({}, ["--log-level", "bogus"], 2, 'panic: unknown level "bogus"'),
    ({}, ["--logger", "zap", "--log-level", "INFO"], 2, 'panic: unknown level "INFO"'),
]


@pytest.mark.parametrize("env, argv, code, line", ENV_REFUSED, ids=[f"{e} {' '.join(a)}" for e, a, _, _ in ENV_REFUSED])
def test_a_refused_etcd_variable_gets_etcds_exit_code_and_words(tmp_path, capsys, monkeypatch, env, argv, code,
                                                                  line):
    """etcd's SetFlagsFromEnv sets each flag the command line left unset from its ETCD_* variable
    through the flag's own Set, and refuses a variable that shadows a flag given; then
    setupLogging refuses a logger it does not know and panics on a level it does not know. etcd
    3.4.23 answered these so, where the reference took most of them silently and served."""
    from reference_impl.etcd import run

    monkeypatch.setattr(run, "run", lambda *args, **kwargs: None)
    assert main(["--data-dir", str(tmp_path / "d"), *argv], env) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].removeprefix("reference etcd: error: ").startswith(line)


def test_etcd_variables_of_flags_with_no_effect_are_named_and_unknown_ones_warned():
    """ETCD_MAX_WALS=3 is used by etcd (so named as having no effect here, as --max-wals is);
    ETCD_BOGUS is 'unrecognized environment variable'; ETCD_MAX_TXN_OPS is read in strconv's
    bases as the flag is; under --debug capnslog never converts the level, so a bad one starts."""
    args = parse_args(["--data-dir", "d", "--debug"],
                      {"ETCD_MAX_WALS": "3", "ETCD_BOGUS": "1", "ETCD_MAX_TXN_OPS": "0x10", "ETCD_LOG_LEVEL": "x"})
    assert args.no_effect == ["--debug", "ETCD_LOG_LEVEL", "ETCD_MAX_WALS"]
    assert args.env_warnings == ["unrecognized environment variable ETCD_BOGUS=1"]
    assert args.max_txn_ops == 16 and args.env_problem is None and args.env_error is None
    from reference_impl.etcd.upstreamflags import check_logging
    assert check_logging(args) is None


def test_flags_take_gos_syntax():
    """One dash or two, `=` or the next word (taken even when it starts with a dash), numbers
    in any base strconv reads, and 0 for --snapshot-count (etcd's default then): the reference
    refused each of these, which etcd 3.4.23 starts with."""
    args = parse_args(["-max-txn-ops", "0x10", "--quota-backend-bytes=1_000", "-name", "-x",
                       "--snapshot-count", "0", "--auth-token", "simple"], {})
    assert (args.max_txn_ops, args.quota_backend_bytes, args.name, args.snapshot_count) == (16, 1000, "-x", 0)
    assert args.args == []


def test_etcds_other_flags_are_taken_with_no_effect():
    """A command line written for etcd (`--logger zap --log-level warn --enable-v2 ...`) starts the
    reference; the flags it does not act on are named, once, where it refused the first one."""
    args = parse_args(["--logger", "zap", "--log-level", "warn", "--enable-v2", "--debug=false",
                       "--auto-compaction-retention", "1", "--data-dir", "d"], {})
    assert args.no_effect == ["--logger", "--log-level", "--enable-v2", "--debug",
                              "--auto-compaction-retention"]
    assert parse_args(["--data-dir", "d"], {}).no_effect == []


NOT_SERVED = [(["--config-file", "/etc/etcd.yml"], {}), (["--wal-dir", "w"], {}),
              (["--force-new-cluster"], {}), (["--discovery", "https://d/x"], {}),
              (["--discovery-srv", "example.com"], {}), (["--proxy", "on"], {}),
              ([], {"ETCD_CONFIG_FILE": "/etc/etcd.yml"}), ([], {"ETCD_WAL_DIR": "w"})]


@pytest.mark.parametrize("argv, env", NOT_SERVED, ids=[" ".join(a) or str(e) for a, e in NOT_SERVED])
def test_a_flag_whose_neglect_would_move_the_data_or_change_the_cluster_is_refused(
        tmp_path, capsys, monkeypatch, argv, env):
    """Taken with no effect, --config-file (every setting in it), --wal-dir, --force-new-cluster,
    discovery or a proxy would start an empty member in the wrong place, or the wrong cluster:
    that looks like lost data. They are refused in one line, exit 1, before the data dir is made
    (they used to be named on stderr as having no effect, and the member served)."""
    from reference_impl.etcd import run

    monkeypatch.setattr(run, "run", lambda *args, **kwargs: None)  # a member that stops at once
    data_dir = tmp_path / "d"
    assert main(["--data-dir", str(data_dir), *argv], env) == 1
    err = capsys.readouterr().err.strip().splitlines()
    flag = argv[0] if argv else "--" + next(iter(env)).removeprefix("ETCD_").lower().replace("_", "-")
    assert len(err) == 1 and err[0].startswith(f"reference etcd: error: {flag} ")
    assert "not supported" in err[0] and not data_dir.exists()


def test_a_not_served_flag_left_at_etcds_default_has_no_effect():
    """--force-new-cluster=false, --proxy off, an empty --wal-dir: what etcd does anyway."""
    args = parse_args(["--force-new-cluster=false", "--proxy", "off", "--wal-dir", "",
                       "--data-dir", "d"], {"ETCD_DISCOVERY": ""})
    assert args.no_effect == ["--force-new-cluster", "--proxy", "--wal-dir"]
    from reference_impl.etcd.upstreamflags import not_served
    assert not_served(args) is None


def test_version_prints_etcds_version_and_exits_0(capsys):
    assert main(["--version"], {}) == 0
    assert capsys.readouterr().out.splitlines()[0] == "etcd Version: 3.4.23"
