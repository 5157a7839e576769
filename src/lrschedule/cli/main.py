"""The ``lrschedule`` command: see a schedule before training with it.

Three subcommands, each taking schedules as specs (see :mod:`lrschedule.cli.spec`: a
``.json``/``.toml`` file, a JSON object, or a constructor call such as
``"CosineDecay(0.1, decay_steps=10000)"``):

* ``lrschedule table [SPEC] --steps N [--every K | --points P] [--format FORMAT]``
* ``lrschedule plot [SPEC ...] --steps N [--out FILE] [--log] [--steps-per-epoch E]``
* ``lrschedule describe [SPEC] --steps N [--max-breakpoints M] [--format FORMAT]``

``--steps N`` is the length of the run: ``N`` updates, steps ``0`` to ``N - 1``. With no
spec, the example of the Keras documentation is used,
``ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)``, over
1,000,000 steps; ``lrschedule`` alone prints its table. Every error prints one line to
standard error and exits with status 2. A warning (a schedule's ``UserWarning`` about an
argument it ignores) prints one line to standard error, ``lrschedule table: warning:
...``, and the command goes on; where warnings are errors (``python -W error``) it is the
command's error. ``python -m lrschedule`` is the same command.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from lrschedule.cli.commands import COMMANDS
from lrschedule.cli.messages import one_line, problem
from lrschedule.cli.parser import build_parser
from lrschedule.core.errors import UsageError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    0 on success, 2 on any error (after one line on standard error).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (
        arguments[0].startswith("-") and arguments[0] not in ("-h", "--help", "--version")
    ):
        arguments.insert(0, "table")  # `lrschedule` alone prints the default table
    parser = build_parser()
    command = arguments[0] if arguments[0] in COMMANDS else None
    try:
        with warnings.catch_warnings():  # the filters stay: under -W error, warnings raise
            warnings.showwarning = _note(command)
            args = parser.parse_args(arguments)
            if args.command is None:
                parser.print_help()
                return 0
            COMMANDS[args.command](args)
    except SystemExit as stop:  # --help and --version
        return int(stop.code or 0)
    except UsageError as error:
        return _fail(command, one_line(error))
    except (ValueError, TypeError, ArithmeticError) as error:
        return _fail(command, one_line(error))
    except (RecursionError, MemoryError, Warning) as error:
        return _fail(command, problem(error))
    except BrokenPipeError:  # the reader (`| head`) went away: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


def _prog(command: str | None) -> str:
    return f"lrschedule {command}" if command else "lrschedule"


def _fail(command: str | None, message: str) -> int:
    sys.stdout.flush()
    print(f"{_prog(command)}: error: {message}", file=sys.stderr)
    return 2


def _note(command: str | None) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints ``lrschedule CMD: warning: ...``, one line."""

    def show(message: Warning | str, *args: Any, **kwargs: Any) -> None:
        print(f"{_prog(command)}: warning: {one_line(message)}", file=sys.stderr)

    return show


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
