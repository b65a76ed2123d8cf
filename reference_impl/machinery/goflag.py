"""Command lines parsed and refused as Go's standard `flag` package does, which etcd's etcdmain
uses (the Kubernetes components use spf13/pflag instead: pflag.py).

Go's rules differ from argparse's and from pflag's:

- a flag is `-name` or `--name`, its value `-name=V` or the next word, whatever that word looks
  like (`--max-txn-ops -1` gives -1 to the flag); a bool flag takes a value only after "=";
- no abbreviations, no shorthands;
- parsing stops at the first word that is not a flag, or after "--": the rest are arguments;
- each refusal is one line in the package's words, then exit 2:

    flag provided but not defined: -data
    flag needs an argument: -name
    bad flag syntax: ---x
    invalid value "abc" for flag -auth-token-ttl: parse error
    invalid boolean value "maybe" for -enable-v2: parse error

A flag's type function raises ValueError (or argparse.ArgumentTypeError) with the reason alone, as
a flag.Value's Set returns it; the numeric types here give flag's own reasons ("parse error",
"value out of range").
"""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from reference_impl.machinery import timefmt
from reference_impl.machinery.strconv import parse_int, parse_uint
from reference_impl.mirrors import mirrors

EXIT_USAGE = 2


def _num_error(err: ValueError) -> ValueError:
    """flag's numError: strconv's syntax and range errors become "parse error" and "value out
    of range"."""
    return ValueError("value out of range" if "out of range" in str(err) else "parse error")


def go_int(bits: int = 64):
    """The Set of flag's IntVar (bits 64: Int64Var): strconv.ParseInt(s, 0, bits)."""
    def int_value(text: str) -> int:
        try:
            return parse_int(text, bits)
        except ValueError as err:
            raise _num_error(err) from None
    return int_value


def go_uint(bits: int = 64):
    """The Set of flag's UintVar and Uint64Var: strconv.ParseUint(s, 0, bits)."""
    def uint_value(text: str) -> int:
        try:
            return parse_uint(text, bits)
        except ValueError as err:
            raise _num_error(err) from None
    return uint_value


def go_duration(text: str) -> float:
    """The Set of flag's DurationVar, in seconds: time.ParseDuration, any error "parse error"."""
    try:
        return timefmt.parse_duration(text)
    except ValueError:
        raise ValueError("parse error") from None


def _is_bool(action: argparse.Action) -> bool:
    """A bool flag here takes an optional value (nargs="?"), as a Go bool flag takes `-f=false`."""
    return action.nargs in ("?", 0)


class GoFlagSet(argparse.ArgumentParser):
    """argparse with Go's flag rules and words. `parse_args` leaves the words after the flags in
    the namespace's `args`: what a command does with them is its own affair (etcd refuses them
    after parsing, with exit 1)."""

    def __init__(self, prog: str, description: str):
        super().__init__(prog=prog, description=description, allow_abbrev=False)

    @mirrors("(*flag.FlagSet).Parse")
    def parse_args(self, args=None, namespace=None):
        words = sys.argv[1:] if args is None else list(args)
        given, rest = self._go_words(words)
        namespace = super().parse_args(given, namespace)
        namespace.args = rest
        # flag.FlagSet.Visit's flags: those the command line set, for a caller that then reads
        # the environment only for the others (etcd's SetFlagsFromEnv).
        namespace.flags_set = {word[2:].partition("=")[0] for word in given}
        return namespace

    def _go_words(self, words: list[str]) -> tuple[list[str], list[str]]:
        """The flags rewritten as argparse reads them (`--name=VALUE`, each checked by its type
        here, in flag's words), and the arguments after them."""
        given: list[str] = []
        at = 0
        while at < len(words):
            word = words[at]
            if len(word) < 2 or word[0] != "-":
                break
            dashes = 2 if word[1] == "-" else 1
            if word == "--":
                at += 1
                break
            name = word[dashes:]
            if not name or name[0] in "-=":
                self._refuse(f"bad flag syntax: {word}")
            name, has_value, value = name.partition("=")
            at += 1
            if name in ("h", "help"):
                given.append("--help")
                continue
            action = self._option_string_actions.get(f"--{name}")
            if action is None:
                self._refuse(f"flag provided but not defined: -{name}")
            if _is_bool(action):
                if has_value:
                    self._check(action, value, f'invalid boolean value "{value}" for -{name}',
                                reason="parse error")
                    given.append(f"--{name}={value}")
                else:
                    given.append(f"--{name}")
                continue
            if not has_value:
                if at == len(words):
                    self._refuse(f"flag needs an argument: -{name}")
                value, at = words[at], at + 1
            self._check(action, value, f'invalid value "{value}" for flag -{name}')
            given.append(f"--{name}={value}")
        return given, words[at:]

    def _check(self, action: argparse.Action, value: str, prefix: str, reason: str = "") -> None:
        """Refuse `value` if the flag's type does; a bool's reason is always strconv.ParseBool's
        syntax error, which flag reports as "parse error"."""
        if not callable(action.type):
            return
        try:
            action.type(value)
        except (ValueError, argparse.ArgumentTypeError) as error:
            self._refuse(f"{prefix}: {reason or error}")

    def _refuse(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{message}\n")
