"""The arguments of ``lrschedule``: the parser, the argument types and the help texts."""

from __future__ import annotations

import argparse
import math
from typing import NoReturn

from lrschedule.cli.defaults import DEFAULT_SIZE, DEFAULT_SPEC, DEFAULT_STEPS
from lrschedule.core.errors import UsageError

__all__ = ["build_parser"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


# ---------------------------------------------------------------------------- types
def _whole(text: str, *, minimum: int) -> int:
    cleaned = text.replace(",", "").replace("_", "").strip()
    try:
        value = int(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not (math.isfinite(number) and number.is_integer()):
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        value = int(number)
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {text!r}")
    return value


def _positive(text: str) -> int:
    return _whole(text, minimum=1)


def _count(text: str) -> int:
    return _whole(text, minimum=0)


def _at_least_two(text: str) -> int:
    return _whole(text, minimum=2)


def _length(text: str) -> int | str:
    """``--steps``: a whole number of steps, or a unit string (``30ep``, ``2.5e9tok``)."""
    from lrschedule.core.units import UNITS, parse

    if not text.strip().endswith(tuple(UNITS)):
        return _positive(text)

    try:
        unit = parse("--steps", text.strip()).unit
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of steps or a length with a unit (15000, 15000ba, 30ep, "
            f"1.2e6sp, 2.5e9tok), got {text!r}"
        ) from None
    if unit in ("%", "dur"):
        raise argparse.ArgumentTypeError(
            f"expected the run's length, not a fraction of it, got {text!r}"
        )
    return text.strip()


def _size(text: str) -> tuple[int, int]:
    width, separator, height = text.lower().partition("x")
    try:
        size = (int(width), int(height)) if separator else None
    except ValueError:
        size = None
    if size is None or not (16 <= size[0] <= 10_000 and 16 <= size[1] <= 10_000):
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT in pixels (16 to 10000 each), such as 800x450, got {text!r}"
        )
    return size


# ---------------------------------------------------------------------------- help texts
_SPEC_HELP = (
    "the schedule: a .json/.toml file, a JSON object, or a constructor call such as "
    '"CosineDecay(0.1, decay_steps=10000)"; default: the Keras example '
    f"{DEFAULT_SPEC}"
)
_STEPS_HELP = (
    "the length of the run: N updates, steps 0 to N-1, or a length in units (30ep, 1.2e6sp, "
    "2.5e9tok; with --steps-per-epoch, --samples-per-step or --tokens-per-step) "
    f"(required with a schedule; {DEFAULT_STEPS:,} for the default one)"
)
_UNITS_HELP = "steps per epoch: turns epochs ('3ep' in the schedule or --steps) into steps"

_TABLE_EXAMPLES = """\
examples:
  lrschedule table
  lrschedule table "CosineDecay(0.1, decay_steps=10000, alpha=0.01)" --steps 10000 --points 6
  lrschedule table schedule.json --steps 50000 --every 5000 --format csv > lr.csv
"""
_PLOT_EXAMPLES = """\
examples:
  lrschedule plot
  lrschedule plot --out schedule.png
  lrschedule plot "CosineDecay(0.1, 10000)" "ExponentialDecay(0.1, 1000, 0.8)" \\
      --steps 10000 --log --out compare.svg
  lrschedule plot "CosineDecayRestarts(0.1, 1000)" --steps 15000 --steps-per-epoch 500
  lrschedule plot "CosineDecay(0.1, decay_steps='90%', warmup_steps='1ep', warmup_target=0.1)" \\
      --steps 30ep --steps-per-epoch 500
"""
_DESCRIBE_EXAMPLES = """\
examples:
  lrschedule describe
  lrschedule describe "CosineDecay(0.0, 90000, warmup_target=0.1, warmup_steps=10000)" \\
      --steps 100000
  lrschedule describe schedule.toml --steps 1000000000 --format json
  lrschedule describe "CosineDecay(0.1, 100000)" --steps 100000 \\
      --compare "CoolDown(CosineDecay(0.1, 100000), start_step=60000, decay_steps=10000)"
"""
_COMPARE_HELP = "a second schedule (a SPEC as above) to compare with: {what}"


# ---------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The parser of ``lrschedule``: its errors raise :class:`~lrschedule.core.errors.UsageError`.

    Each subcommand's namespace has ``command`` (its name), ``spec`` and ``steps``
    (``None`` when not given), and its own options.
    """
    from lrschedule import __version__

    parser = _Parser(
        prog="lrschedule",
        description=(
            "See a learning-rate schedule before training with it: print its values, "
            "plot it, describe it. A schedule is a .json/.toml file, a JSON object, or a "
            'constructor call such as "ExponentialDecay(0.1, decay_steps=100000, '
            'decay_rate=0.96, staircase=True)" (the default). Without a subcommand, '
            "`table` runs."
        ),
        epilog=_TABLE_EXAMPLES
        + "  lrschedule plot --out schedule.png\n  lrschedule describe --steps 2000000\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lrschedule {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_table(commands)
    _add_plot(commands)
    _add_describe(commands)
    return parser


def _subcommand(
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    *,
    summary: str,
    description: str,
    epilog: str,
    several: bool = False,
) -> _Parser:
    """The parser of subcommand ``name``, with its SPEC (one, or ``several``) and ``--steps``."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", nargs="*" if several else "?", metavar="SPEC", help=_SPEC_HELP)
    parser.add_argument("--steps", type=_length, metavar="N", help=_STEPS_HELP)
    epoch_help = _UNITS_HELP + ("; the horizontal axis counts epochs" if name == "plot" else "")
    parser.add_argument("--steps-per-epoch", type=_positive, metavar="E", help=epoch_help)
    parser.add_argument(
        "--samples-per-step",
        type=_positive,
        metavar="S",
        help="samples per optimizer step (batch x accumulation x devices), for 'sp' units",
    )
    parser.add_argument(
        "--tokens-per-step",
        type=_positive,
        metavar="T",
        help="tokens per optimizer step, for 'tok' units",
    )
    return parser


def _add_table(commands: argparse._SubParsersAction[_Parser]) -> None:
    table = _subcommand(
        commands,
        "table",
        summary="print the learning rate at evenly spaced steps",
        description="Print the learning rate at evenly spaced steps of the run.",
        epilog=_TABLE_EXAMPLES,
    )
    spacing = table.add_mutually_exclusive_group()
    spacing.add_argument(
        "--every",
        type=_positive,
        metavar="K",
        help="a row every K steps (0, K, 2K, ...), and the last step; default N/10",
    )
    spacing.add_argument(
        "--points",
        type=_at_least_two,
        metavar="P",
        help="P rows evenly spaced from step 0 to step N-1",
    )
    table.add_argument(
        "--format",
        choices=("text", "csv", "json", "markdown"),
        default="text",
        help="output format (default: text)",
    )


def _add_plot(commands: argparse._SubParsersAction[_Parser]) -> None:
    plot = _subcommand(
        commands,
        "plot",
        summary="draw schedules: in the terminal, or to a PNG/SVG/PDF file",
        description=(
            "Draw one or more schedules on one chart: in the terminal (Unicode, as wide as "
            "the terminal; needs nothing installed) or, with --out, to an image file "
            "(needs matplotlib: pip install 'lrschedule[plot]'). Every stair and restart is "
            "drawn, however long the run."
        ),
        epilog=_PLOT_EXAMPLES,
        several=True,
    )
    plot.add_argument("--out", metavar="FILE", help="write the chart to FILE (.png, .svg or .pdf)")
    plot.add_argument("--log", action="store_true", help="a logarithmic learning-rate axis")
    plot.add_argument(
        "--size",
        type=_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help="image size in pixels for --out (default: 800x450)",
    )
    plot.add_argument(
        "--compare",
        metavar="SPEC",
        help=_COMPARE_HELP.format(what="drawn on the same chart, after the others"),
    )
    plot.add_argument(
        "--label",
        action="append",
        metavar="TEXT",
        help="legend label, once per schedule in order (default: the schedule, shortened)",
    )


def _add_describe(commands: argparse._SubParsersAction[_Parser]) -> None:
    describe = _subcommand(
        commands,
        "describe",
        summary="key figures: start, peak, end, mean, area, crossings, breakpoints",
        description=(
            "Key figures of the run: the rate at the start and the end, the peak and the "
            "minimum (with the first step reaching each), the mean, the area under the "
            "curve (the sum of the rate over the N updates: the total learning-rate "
            "budget), the first steps below 50%, 10% and 1% of the peak, and the "
            "breakpoints (stairs, restarts, boundaries, phase changes)."
        ),
        epilog=_DESCRIBE_EXAMPLES,
    )
    describe.add_argument(
        "--max-breakpoints",
        type=_count,
        default=100,
        metavar="M",
        help="list at most M breakpoints (default: 100)",
    )
    describe.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )
    describe.add_argument(
        "--compare",
        metavar="SPEC",
        help=_COMPARE_HELP.format(
            what="print the first step where the two differ, the largest difference and "
            "where, and the difference in area, instead of the figures of one"
        ),
    )
