"""Refuse a flag that nothing defines, naming the closest ones that exist.

Beam's PipelineOptions keeps what it cannot parse aside and only logs "Discarding unparseable
args", so a typo (`--oversize split`) would run another job than the one asked for. The known
flags are those of every PipelineOptions subclass (Beam's own, the runners', ours), added to
one parser the way PipelineOptions.get_all_options builds its own.
"""
from __future__ import annotations

import argparse
import difflib
from typing import Iterable, Sequence

from apache_beam.options.pipeline_options import PipelineOptions


def _subclasses(cls) -> Iterable[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def options_parser(prog: str, exclude: Sequence[type] = ()) -> argparse.ArgumentParser:
    """A parser that knows every PipelineOptions flag (minus the `exclude`d classes' own)."""
    parser = argparse.ArgumentParser(prog=prog, allow_abbrev=False, add_help=False, conflict_handler="resolve")
    # add_value_provider_argument is Beam's parser's; templated options go in as plain ones.
    parser.add_value_provider_argument = parser.add_argument  # type: ignore[attr-defined]
    seen = {}
    for cls in _subclasses(PipelineOptions):
        if cls not in exclude:
            seen.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)  # pylint: disable=protected-access
    return parser


def known_flags(parser: argparse.ArgumentParser) -> list[str]:
    return sorted({s for action in parser._actions for s in action.option_strings if s.startswith("--")})


def unknown_arguments(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """The arguments of `argv` no flag of `parser` takes."""
    _, unknown = parser.parse_known_args(list(argv))
    return unknown


def unknown_flag_errors(unknown: Sequence[str], known: Sequence[str]) -> list[str]:
    """One line per unknown argument, naming the closest known flags (difflib's ratio). Pure."""
    errors = []
    for arg in unknown:
        if arg == "--":
            continue
        if not arg.startswith("-"):
            errors.append(f"unexpected argument {arg!r}")
            continue
        name = arg.split("=", 1)[0]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; see --help for the flags"
        errors.append(f"unknown flag {name}{hint}")
    return errors


def check_flags(argv: Sequence[str], parser: argparse.ArgumentParser, also_known: Sequence[str] = ()) -> list[str]:
    """Every argument no flag takes, as errors naming the closest valid flags (empty when all are known).

    An argument that follows an unknown flag is that flag's value, not a problem of its own.
    `also_known`: flags parsed elsewhere, offered as suggestions too.
    """
    unknown = unknown_arguments(argv, parser)
    flagged, after_flag = [], False
    for arg in unknown:
        if arg.startswith("-"):
            flagged.append(arg)
            after_flag = "=" not in arg
        elif not after_flag:
            flagged.append(arg)
        else:
            after_flag = False
    return unknown_flag_errors(flagged, sorted(set(known_flags(parser)) | set(also_known)))
