"""Command lines parsed and refused as spf13/pflag and cobra do for the Kubernetes components.

`FlagSet` is an argparse parser that speaks pflag: no abbreviated flags (argparse would take
`--kubeconf` for `--kubeconfig`), and every refusal a `FlagError` in pflag's words, which the
process prints as cobra does ("Error: unknown flag: --x") and exits 1:

  unknown flag: --x
  unknown shorthand flag: 'x' in -x
  flag needs an argument: --kubeconfig
  invalid argument "abc" for "--secure-port" flag: strconv.ParseInt: parsing "abc": invalid syntax
  "kube-scheduler" does not take any arguments, got ["foo"]

A flag's type function raises ValueError (or argparse.ArgumentTypeError) with the reason alone, as
a pflag Value's Set returns it; `FlagSet` adds the `invalid argument ... for ... flag:` around it.

`--version` is component-base's verflag: `--version` prints "Kubernetes v1.24.x", `--version=raw`
the whole version.Info, and `--version=false` is no request.
"""
from __future__ import annotations

import argparse
import functools
import ipaddress
import json
import re
import sys
from collections.abc import Callable
from typing import NoReturn

from reference_impl.apiserver.core.discovery import version_info
from reference_impl.machinery import timefmt
from reference_impl.machinery.strconv import parse_int, parse_uint
from reference_impl.mirrors import mirrors


class FlagError(Exception):
    """A command line pflag or the command's own validation refuses; the message is upstream's."""


class OptionsError(FlagError):
    """What a command's options validation refuses once the flags are parsed, where upstream's
    command prints the error alone (kube-controller-manager's Run: `fmt.Fprintf(os.Stderr,
    "%v\n", err)` and exit 1), not as cobra's "Error: " line."""


class FlagSet(argparse.ArgumentParser):
    """argparse with pflag's rules and words; `command` names the program in cobra's errors."""

    def __init__(self, command: str, description: str, prog: str | None = None):
        super().__init__(prog=prog or command, description=description, allow_abbrev=False, exit_on_error=False)
        self.command = command
        self.required_flags: list[argparse.Action] = []

    def add_argument(self, *args, **kwargs):
        """As argparse's, but a required flag is checked after the whole line is parsed, as
        cobra's required flags are: an unknown flag is reported first."""
        required = kwargs.pop("required", False)
        action = super().add_argument(*args, **kwargs)
        if required:
            self.required_flags.append(action)
        return action

    def parse_args(self, args=None, namespace=None):
        args = sys.argv[1:] if args is None else list(args)
        flags, after_dashes = _split_at_dashes(args)
        self._given: set[str] = set()
        namespace = argparse.Namespace(no_effect=[]) if namespace is None else namespace
        try:
            namespace, rest = self.parse_known_args(self._values_joined(flags), namespace)
        except argparse.ArgumentError as error:
            raise FlagError(_pflag_words(error)) from None
        problem = _unexpected(self.command, rest, after_dashes)
        if problem:
            raise FlagError(problem)
        version = version_text(getattr(namespace, "version", "false"))
        if version is not None:  # before cobra's required flags and the command's validation
            raise VersionRequested(version)
        missing = [action.option_strings[-1].lstrip("-") for action in self.required_flags
                   if getattr(namespace, action.dest) is None]
        if missing:
            raise FlagError('required flag(s) "' + '", "'.join(missing) + '" not set')
        namespace.given = self._given  # what a configuration file must not override
        return namespace

    def _values_joined(self, words: list[str]) -> list[str]:
        """Each flag that takes a value joined to the word after it (`--f=WORD`, `-f=WORD`): pflag
        takes that word whatever it looks like (`--timeout -5s`), where argparse would take a
        word starting with "-" for a flag."""
        joined, words = [], list(words)
        while words:
            word = words.pop(0)
            action = self._option_string_actions.get(word)
            if action is not None and action.nargs is None and words:
                word += "=" + words.pop(0)
            joined.append(word)
        return joined

    def _get_values(self, action, arg_strings):
        self._given.add(action.dest)  # called for each flag on the command line, and only for those
        return super()._get_values(action, arg_strings)

    def add_upstream_flags(self, table: str) -> None:
        """The upstream command's other flags, `table` holding one "name type [shorthand]" a line
        (as its --help lists them): taken and checked, then named in `no_effect`. A flag the
        reference already took (one a shared table lists) is left to it."""
        for line in table.split("\n"):
            if not line.strip():
                continue
            name, value_type, *shorthand = line.split()
            if f"--{name}" in self._option_string_actions:
                continue
            flags = [f"-{shorthand[0]}"] if shorthand else []
            parse = VALUE_TYPES.get(value_type, str)
            extra = {"nargs": "?", "const": "true"} if value_type == "bool" else {}
            self.add_argument(*flags, f"--{name}", action=_NoEffect, type=parse, dest=f"upstream_{name}",
                              help=argparse.SUPPRESS, **extra)

    def add_version_flag(self) -> None:
        """component-base's --version (verflag), which `parse_args` answers with VersionRequested."""
        self.add_argument("--version", type=version_request, nargs="?", const="true", default="false",
                          metavar="version[=true]", help="Print version information and quit")

    def _get_value(self, action, arg_string):
        try:
            return action.type(arg_string) if callable(action.type) else arg_string
        except (ValueError, argparse.ArgumentTypeError) as reason:
            raise argparse.ArgumentError(
                action, f'invalid argument "{arg_string}" for "{_flag_name(action)}" flag: {reason}') from None

    def error(self, message: str) -> NoReturn:
        """A missing required flag, or the command's own validation after parsing."""
        raise FlagError(message)


def _flag_name(action: argparse.Action) -> str:
    """pflag names a flag with a shorthand "-v, --v", else "--name"."""
    short = [s for s in action.option_strings if not s.startswith("--")]
    long = [s for s in action.option_strings if s.startswith("--")]
    return ", ".join(short[:1] + long[:1])


def _pflag_words(error: argparse.ArgumentError) -> str:
    message = error.message
    if message.startswith("expected one argument"):
        return f"flag needs an argument: {error.argument_name.split('/')[-1]}"
    if message.startswith("invalid argument "):
        return message
    return f"{error.argument_name}: {message}"  # argparse's own check, a choice not offered


def _split_at_dashes(args: list[str]) -> tuple[list[str], list[str]]:
    """The words before a "--" and those after it, which pflag takes as arguments, not flags."""
    if "--" not in args:
        return args, []
    at = args.index("--")
    return args[:at], args[at + 1:]


def _unexpected(command: str, rest: list[str], after_dashes: list[str]) -> str | None:
    """What pflag says of the first flag it does not know (flags and arguments may be mixed), else
    what the components' Args check says of arguments: any but empty ones are refused, all of
    them quoted as Go's %q quotes a []string."""
    for word in rest:
        if word.startswith("--"):
            return f"unknown flag: {word.split('=', 1)[0]}"
        if word.startswith("-") and len(word) > 1:
            return f"unknown shorthand flag: '{word[1]}' in {word}"
    arguments = rest + after_dashes
    if not any(arguments):
        return None
    quoted = " ".join(json.dumps(word, ensure_ascii=False) for word in arguments)  # near enough strconv.Quote
    return f'"{command}" does not take any arguments, got [{quoted}]'


@mirrors("strconv.ParseBool")
def parse_bool(text: str) -> bool:
    """A bool flag's value: 1, t, true (and T, TRUE, True), or their opposites."""
    if text in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if text in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')


def add_bool_flag(parser: argparse.ArgumentParser, name: str, default: bool, help: str) -> None:
    """A bool flag: alone it is true, `--name=false` turns it off (pflag's NoOptDefVal)."""
    parser.add_argument(name, type=parse_bool, nargs="?", const=True, default=default, metavar="BOOL", help=help)


_FLOAT = re.compile(r"nan|[+-]?(inf|infinity"  # NaN takes no sign, as in Go
                    r"|(?=\.?[0-9])[0-9]*(_[0-9]+)*(\.([0-9]+(_[0-9]+)*)?)?([eE][+-]?[0-9]+(_[0-9]+)*)?"
                    r"|0[xX](?=_?\.?[0-9a-fA-F])(_?[0-9a-fA-F])*(\.[0-9a-fA-F]*)?[pP][+-]?[0-9]+)", re.IGNORECASE)
FLOAT32_MAX = 3.4028234663852886e38


@mirrors("strconv.ParseFloat")
def parse_float(text: str, bits: int = 64) -> float:
    """A float flag's value in Go's syntax (NaN and Inf too, hex with a p exponent); a finite
    literal past float32's or float64's range is out of range."""
    if not _FLOAT.fullmatch(text):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    literal = text.replace("_", "")
    value = float.fromhex(literal) if "x" in literal.lower() else float(literal)
    limit = FLOAT32_MAX if bits == 32 else sys.float_info.max
    if abs(value) > limit and not re.search("inf", text, re.IGNORECASE):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


def parse_ip(text: str) -> str:
    """An ip flag's value, as pflag's ipValue refuses one."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValueError(f'failed to parse IP: "{text}"') from None


# pflag's value types by the name --help shows; a type not here is taken as a string.
VALUE_TYPES: dict[str, Callable[[str], object]] = {
    "bool": parse_bool, "int": parse_int, "int32": functools.partial(parse_int, bits=32), "int64": parse_int,
    "uint": parse_uint, "Level": functools.partial(parse_uint, bits=32, base=10),  # klog's Level.Set
    "float32": functools.partial(parse_float, bits=32), "float64": parse_float,
    "duration": timefmt.parse_duration, "ip": parse_ip}


class _NoEffect(argparse.Action):
    """A flag the upstream command has and the reference does not act on: its value is checked
    as upstream checks it, and its name kept for the one line that says it has no effect."""

    def __call__(self, parser, namespace, value, option_string=None):
        flag = self.option_strings[-1]
        if flag not in namespace.no_effect:
            namespace.no_effect.append(flag)


class VersionRequested(Exception):
    """--version was given: the command prints `text` and exits 0, once the flags are parsed."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


@mirrors("k8s.io/component-base/version/verflag.(*versionValue).Set")
def version_request(text: str) -> str:
    """--version's value: "true", "raw" or "false"."""
    return "raw" if text == "raw" else str(parse_bool(text)).lower()


@mirrors("k8s.io/component-base/version/verflag.PrintAndExitIfRequested")
def version_text(request: str) -> str | None:
    """What --version prints, or None for --version=false."""
    if request == "false":
        return None
    info = version_info()
    if request == "raw":
        fields = ("Major", "Minor", "GitVersion", "GitCommit", "GitTreeState", "BuildDate", "GoVersion", "Compiler",
                  "Platform")
        return "version.Info{" + ", ".join(f'{field}:"{info[field[0].lower() + field[1:]]}"'
                                            for field in fields) + "}"
    return f"Kubernetes {info['gitVersion']}"
