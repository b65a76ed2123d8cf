"""pflag's command line rules and Go's strconv syntax, as the real kube-scheduler 1.24 and Go's
own strconv refuse (each expected refusal here was compared with them side by side)."""
from __future__ import annotations

import math
import re

import pytest

from reference_impl.kubelet.run import parse_args as kubelet_args
from reference_impl.machinery import pflag, upstreamflags
from reference_impl.scheduler.run import parse_args as scheduler_args


@pytest.mark.parametrize("text, int64, int32, uint64", [
    (" 10259", "invalid syntax", "invalid syntax", "invalid syntax"),  # no spaces, as int() would strip
    ("99999999999999999999", "value out of range", "value out of range", "value out of range"),
    ("2147483648", 2147483648, "value out of range", 2147483648),
    ("-2147483648", -2147483648, -2147483648, "invalid syntax"),
    ("1_000", 1000, 1000, 1000), ("0_7", 7, 7, 7), ("0x_1f", 31, 31, 31), ("017", 15, 15, 15),
    ("0b101", 5, 5, 5), ("0O17", 15, 15, 15),
    ("_1", "invalid syntax", "invalid syntax", "invalid syntax"), ("1_", "invalid syntax", "invalid syntax", "invalid syntax"),
    ("08", "invalid syntax", "invalid syntax", "invalid syntax"), ("+5", 5, 5, "invalid syntax"),
    ("١٢", "invalid syntax", "invalid syntax", "invalid syntax"),  # Python's int() takes any Unicode digit
])
def test_integers_are_read_in_gos_base_0_syntax_and_bit_sizes(text, int64, int32, uint64):
    """strconv.ParseInt(s, 0, 64), ParseInt(s, 0, 32) and ParseUint(s, 0, 64): Go's literals, no
    spaces, and a value past the type's range is "value out of range"."""
    for parse, expected, name in ((lambda t: pflag.parse_int(t), int64, "ParseInt"),
                                  (lambda t: pflag.parse_int(t, bits=32), int32, "ParseInt"),
                                  (lambda t: pflag.parse_uint(t), uint64, "ParseUint")):
        if isinstance(expected, int):
            assert parse(text) == expected
        else:
            with pytest.raises(ValueError) as info:
                parse(text)
            assert str(info.value) == f'strconv.{name}: parsing "{text}": {expected}'


@pytest.mark.parametrize("text, bits, expected", [
    ("NaN", 64, "nan"), ("nan", 32, "nan"), ("-infinity", 64, -math.inf), ("0x1p4", 64, 16.0), (".5", 32, 0.5),
    ("1e400", 64, "value out of range"), ("1e39", 32, "value out of range"), ("1e39", 64, 1e39),
    (" 1", 64, "invalid syntax"), ("1e", 64, "invalid syntax"), ("0x1", 64, "invalid syntax"),
    ("+nan", 64, "invalid syntax"), ("-NaN", 32, "invalid syntax"), ("+Inf", 64, math.inf),
])
def test_floats_are_read_as_strconv_parse_float_reads_them(text, bits, expected):
    """Go takes NaN (with no sign: go1.19's strconv refuses "+nan") and Inf; a finite literal past
    float32's or float64's range is refused."""
    if expected == "nan":
        assert math.isnan(pflag.parse_float(text, bits))
    elif isinstance(expected, float):
        assert pflag.parse_float(text, bits) == expected
    else:
        with pytest.raises(ValueError, match=f'^strconv.ParseFloat: parsing "{re.escape(text)}": {expected}$'):
            pflag.parse_float(text, bits)


def test_klogs_verbosity_is_a_base_10_uint32():
    """The real binaries' -v: strconv.ParseUint(s, 10, 32)."""
    level = pflag.VALUE_TYPES["Level"]
    assert level("5") == 5
    for text, reason in (("0x1", "invalid syntax"), ("-1", "invalid syntax"), ("99999999999", "value out of range")):
        with pytest.raises(ValueError, match=f'^strconv.ParseUint: parsing "{text}": {reason}$'):
            level(text)


def test_an_int64_flag_of_the_upstream_command_is_checked():
    """kubelet's --max-open-files is an int64: its value is refused as pflag refuses it."""
    assert "max-open-files int64" in upstreamflags.KUBELET
    base = ["--kubeconfig", "k", "--node-name", "n", "--root-dir", "/tmp/r"]
    kubelet_args(base + ["--max-open-files", "100"], {})
    with pytest.raises(pflag.FlagError, match='^invalid argument "1e3" for "--max-open-files" flag: '
                                              'strconv.ParseInt: parsing "1e3": invalid syntax$'):
        kubelet_args(base + ["--max-open-files", "1e3"], {})


def test_a_flag_that_takes_a_value_takes_the_next_word_whatever_it_looks_like():
    """pflag: `--leader-elect-lease-duration -5s` is the value -5s, `--kubeconfig --leader-elect`
    a kubeconfig named --leader-elect (and --leader-elect is then not given)."""
    args = scheduler_args(["--kubeconfig", "k", "--leader-elect-lease-duration", "-5s"], {})
    assert args.no_effect == ["--leader-elect-lease-duration"]
    args = scheduler_args(["--kubeconfig", "--leader-elect"], {})
    assert str(args.kubeconfig) == "--leader-elect" and "leader_elect" not in args.given
    assert args.given == {"kubeconfig"}


@pytest.mark.parametrize("argv, problem", [
    (["--", "x"], '"kube-scheduler" does not take any arguments, got ["x"]'),
    (["--", "--foo", "x"], '"kube-scheduler" does not take any arguments, got ["--foo" "x"]'),
    (["x", "y"], '"kube-scheduler" does not take any arguments, got ["x" "y"]'),
    (["x", "--bogus"], "unknown flag: --bogus"),  # flags and arguments mixed: the flag is parsed first
])
def test_arguments_are_refused_as_cobras_args_check_does(argv, problem):
    with pytest.raises(pflag.FlagError) as info:
        scheduler_args(["--kubeconfig", "k", *argv], {})
    assert str(info.value) == problem


def test_dashes_alone_and_empty_arguments_are_no_arguments():
    """kube-scheduler's Args check refuses only non-empty arguments; "--" ends the flags."""
    assert scheduler_args(["--kubeconfig", "k", "--"], {}).leader_elect is True
    assert scheduler_args(["--kubeconfig", "k", "--", ""], {}).leader_elect is True


def test_each_parse_has_its_own_list_of_flags_without_effect():
    flags = pflag.FlagSet("kube-scheduler", "")
    flags.add_upstream_flags(upstreamflags.KUBE_SCHEDULER)
    assert flags.parse_args(["--kube-api-qps", "5"]).no_effect == ["--kube-api-qps"]
    assert flags.parse_args([]).no_effect == []
