"""etcd's clustering flags on `python -m reference_impl.etcd.run`: a wrong one is one clear line
on stderr and a non-zero exit, before anything listens."""
from __future__ import annotations

import io
import threading

import pytest

from reference_impl.etcd.run import main, run

CLUSTER = "n1=http://127.0.0.1:1,n2=http://127.0.0.1:2,n3=http://127.0.0.1:3"


@pytest.mark.parametrize("flags, message", [
    (["--name", "n9", "--initial-cluster", CLUSTER], "no member named 'n9'"),
    (["--name", "n1", "--initial-cluster", "n1=127.0.0.1:1"], "is not NAME=http://HOST:PORT"),
    (["--name", "n1", "--initial-cluster", CLUSTER, "--heartbeat-interval", "500",
      "--election-timeout", "100"],
     "--election-timeout[100ms] should be at least as 5 times as --heartbeat-interval[500ms]"),
    # advertiseMatchesCluster, in etcd 3.4.23's words (the advertised default: localhost:2380)
    (["--name", "n1", "--initial-cluster", CLUSTER],
     '--initial-cluster has n1=http://127.0.0.1:1 but missing from --initial-advertise-peer-urls='
     'http://localhost:2380 (resolved urls: "http://localhost:2380" != "http://127.0.0.1:1")'),
    (["--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:1,n1=http://127.0.0.1:2",
      "--initial-advertise-peer-urls", "http://127.0.0.1:1"],
     '--initial-cluster has n1=http://127.0.0.1:2 but missing from --initial-advertise-peer-urls='
     'http://127.0.0.1:1 (len(["http://127.0.0.1:1"]) != len(["http://127.0.0.1:1" "http://127.0.0.1:2"]))'),
    (["--initial-advertise-peer-urls", "http://127.0.0.1:1"],
     '--initial-cluster has default=http://localhost:2380 but missing from '
     '--initial-advertise-peer-urls=http://127.0.0.1:1 (resolved urls: "http://127.0.0.1:1" != '
     '"http://localhost:2380")'),
    (["--name", "n1", "--initial-cluster", "n1=http://127.0.0.1:1",
      "--initial-advertise-peer-urls", "http://127.0.0.1:1,http://127.0.0.1:2"],
     "--initial-advertise-peer-urls has http://127.0.0.1:2 but missing from "
     "--initial-cluster=n1=http://127.0.0.1:1,n1=http://127.0.0.1:2"),
])
def test_a_bad_cluster_flag_is_one_line_and_exit_1(tmp_path, capsys, flags, message):
    code = main(["--data-dir", str(tmp_path / "d"), "--listen-client-urls", "http://127.0.0.1:0",
                 "--listen-peer-urls", "http://127.0.0.1:0", *flags], {})
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_joining_with_no_reachable_peer_says_so(tmp_path, capsys):
    """--initial-cluster-state existing asks the other members who is in the cluster; when none
    answers, the member refuses to start rather than guess its id."""
    code = main(["--data-dir", str(tmp_path / "d"), "--listen-client-urls", "http://127.0.0.1:0",
                 "--listen-peer-urls", "http://127.0.0.1:0", "--name", "n1", "--initial-cluster",
                 CLUSTER, "--initial-cluster-state", "existing"], {})
    err = capsys.readouterr().err
    assert code == 1 and "no member of --initial-cluster answers" in err


def test_a_restart_or_a_join_does_not_check_the_advertised_peer_urls(tmp_path):
    """etcd checks --initial-advertise-peer-urls against --initial-cluster only when it
    bootstraps a new cluster (VerifyBootstrap, with no WAL yet; run() asks wal_exists), and a
    name --initial-cluster lacks is left to the member's own refusal ("no member named")."""
    from reference_impl.etcd.raftnode import check_advertised_peer_urls, parse_initial_cluster
    from reference_impl.etcd.wal import wal_exists

    members = parse_initial_cluster("n1=http://127.0.0.1:1,n2=http://127.0.0.1:2")
    check_advertised_peer_urls(members, "n1", ["http://127.0.0.1:1"])
    check_advertised_peer_urls(members, "n9", ["http://127.0.0.1:1"])  # refused later, by name
    data = tmp_path / "d"
    data.mkdir()
    (data / f"wal-{0:020d}.log").write_bytes(b"")
    assert wal_exists(data) and not wal_exists(tmp_path)


@pytest.mark.parametrize("name, initial_cluster, advertised, expected", [
    ("infra1", None, ["http://10.0.0.5:2380", "http://10.0.0.6:2380"],
     "infra1=http://10.0.0.5:2380,infra1=http://10.0.0.6:2380"),
    ("infra1", "default=http://localhost:2380", ["http://10.0.0.5:2380"], "infra1=http://10.0.0.5:2380"),
    ("default", None, ["http://10.0.0.5:2380"], "default=http://localhost:2380"),
    ("infra1", "n1=http://127.0.0.1:1", ["http://10.0.0.5:2380"], "n1=http://127.0.0.1:1"),
])
def test_a_name_alone_makes_the_initial_cluster_from_the_advertised_peer_urls(
        name, initial_cluster, advertised, expected):
    """UpdateDefaultClusterFromName: etcd 3.4.23 started with only --name infra1
    --initial-advertise-peer-urls http://10.0.0.5:2380,http://10.0.0.6:2380 and added member
    infra1 at both URLs; named "default" it refused the same flags (--initial-cluster has
    default=http://localhost:2380 but missing ...)."""
    from reference_impl.etcd.raftnode import default_initial_cluster

    assert default_initial_cluster(name, initial_cluster, advertised) == expected


def test_a_named_member_advertising_its_own_peer_urls_starts_alone(tmp_path):
    """The reference had refused `--name infra1 --initial-advertise-peer-urls URL` with
    ErrBadCluster, as if --initial-cluster were infra1=http://localhost:2380."""
    stop = threading.Event()
    stop.set()
    run(str(tmp_path / "d"), "http://127.0.0.1:0", name="infra1", listen_peer_urls="http://127.0.0.1:0",
        initial_advertise_peer_urls="http://10.0.0.5:2380", out=io.StringIO(), stop=stop)


@pytest.mark.parametrize("value, problem", [
    ("http://10.0.0.5:abc", 'parse "http://10.0.0.5:abc": invalid port ":abc" after host'),
    ("ftp://1.2.3.4:1", "URL scheme must be http, https, unix, or unixs: ftp://1.2.3.4:1"),
    ("http://1.2.3.4", 'URL address does not have the form "host:port": http://1.2.3.4'),
    ("http://1.2.3.4:1/x", "URL must not contain a path: http://1.2.3.4:1/x"),
])
def test_an_advertised_peer_url_that_does_not_parse_is_a_flag_error(tmp_path, capsys, value, problem):
    """etcd 3.4.23's words and exit code 2 for each value; the reference had ended in a
    traceback (a port that is no number) or refused it as not matching --initial-cluster."""
    code = main(["--data-dir", str(tmp_path / "d"), "--initial-advertise-peer-urls", value], {})
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f'invalid value "{value}" for flag -initial-advertise-peer-urls: {problem}' in err


@pytest.mark.parametrize("advertised, message", [
    (["http://example.com:99999"],
     '--initial-cluster has n1=http://127.0.0.1:2380 but missing from --initial-advertise-peer-urls='
     'http://example.com:99999 (failed to resolve "http://example.com:99999" (address 99999: invalid port))'),
    (["http://127.0.0.1:99999"],
     '--initial-cluster has n1=http://127.0.0.1:2380 but missing from --initial-advertise-peer-urls='
     'http://127.0.0.1:99999 (resolved urls: "http://127.0.0.1:99999" != "http://127.0.0.1:2380")'),
    (["http://127.0.0.1:2380", "http://127.0.0.1:2380"],
     "failed to resolve http://127.0.0.1:2380,http://127.0.0.1:2380 to match "
     "--initial-cluster=n1=http://127.0.0.1:2380,n1=http://127.0.0.1:2380 "
     '(len(["http://127.0.0.1:2380" "http://127.0.0.1:2380"]) != len(["http://127.0.0.1:2380"]))'),
])
def test_an_advertised_port_past_65535_or_a_repeated_url_is_refused_in_etcds_words(advertised, message):
    """etcd 3.4.23 with --initial-cluster n1=http://127.0.0.1:2380 (for a host name it retries
    the lookup for 30 seconds first); the reference had raised ValueError from urllib for the
    port, and for the repeated URL said "has  but missing" with nothing named."""
    from reference_impl.etcd.errors import ErrBadCluster
    from reference_impl.etcd.raftnode import check_advertised_peer_urls, parse_initial_cluster

    with pytest.raises(ErrBadCluster) as caught:
        check_advertised_peer_urls(parse_initial_cluster("n1=http://127.0.0.1:2380"), "n1", advertised)
    assert message in str(caught.value)
