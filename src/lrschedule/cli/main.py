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
standard error and exits with status 2. ``python -m lrschedule`` is the same command.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from lrschedule.cli.spec import SpecError, parse_spec
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.errors import UsageError
from lrschedule.schedules import ExponentialDecay

__all__ = ["DEFAULT_SPEC", "DEFAULT_STEPS", "default_schedule", "main", "table_steps"]

#: The schedule used when none is given: the example of the Keras documentation.
DEFAULT_SPEC = "ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)"
#: The run length used with the default schedule when ``--steps`` is not given.
DEFAULT_STEPS = 1_000_000
#: The image size of ``lrschedule plot --out``, in pixels.
DEFAULT_SIZE = (800, 450)
_IMAGE_SUFFIXES = (".png", ".svg", ".pdf")
_SUBCOMMANDS = ("table", "plot", "describe")


def default_schedule() -> ExponentialDecay:
    """The example schedule of the Keras documentation: 0.96 times every 100,000 steps."""
    return ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)


# ---------------------------------------------------------------------------- arguments
class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


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


_SPEC_HELP = (
    "the schedule: a .json/.toml file, a JSON object, or a constructor call such as "
    '"CosineDecay(0.1, decay_steps=10000)"; default: the Keras example '
    f"{DEFAULT_SPEC}"
)
_STEPS_HELP = (
    "the length of the run: N updates, steps 0 to N-1 (required with a schedule; "
    f"{DEFAULT_STEPS:,} for the default one)"
)

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
"""
_DESCRIBE_EXAMPLES = """\
examples:
  lrschedule describe
  lrschedule describe "CosineDecay(0.0, 90000, warmup_target=0.1, warmup_steps=10000)" \\
      --steps 100000
  lrschedule describe schedule.toml --steps 1000000000 --format json
"""


def _parser() -> _Parser:
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

    table = commands.add_parser(
        "table",
        help="print the learning rate at evenly spaced steps",
        description="Print the learning rate at evenly spaced steps of the run.",
        epilog=_TABLE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    table.add_argument("spec", nargs="?", metavar="SPEC", help=_SPEC_HELP)
    table.add_argument("--steps", type=_positive, metavar="N", help=_STEPS_HELP)
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

    plot = commands.add_parser(
        "plot",
        help="draw schedules: in the terminal, or to a PNG/SVG/PDF file",
        description=(
            "Draw one or more schedules on one chart: in the terminal (Unicode, as wide as "
            "the terminal; needs nothing installed) or, with --out, to an image file "
            "(needs matplotlib: pip install 'lrschedule[plot]'). Every stair and restart is "
            "drawn, however long the run."
        ),
        epilog=_PLOT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plot.add_argument("spec", nargs="*", metavar="SPEC", help=_SPEC_HELP)
    plot.add_argument("--steps", type=_positive, metavar="N", help=_STEPS_HELP)
    plot.add_argument("--out", metavar="FILE", help="write the chart to FILE (.png, .svg or .pdf)")
    plot.add_argument("--log", action="store_true", help="a logarithmic learning-rate axis")
    plot.add_argument(
        "--steps-per-epoch",
        type=_positive,
        metavar="E",
        help="count the horizontal axis in epochs of E steps",
    )
    plot.add_argument(
        "--size",
        type=_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help="image size in pixels for --out (default: 800x450)",
    )
    plot.add_argument(
        "--label",
        action="append",
        metavar="TEXT",
        help="legend label, once per schedule in order (default: the schedule, shortened)",
    )

    describe = commands.add_parser(
        "describe",
        help="key figures: start, peak, end, mean, area, crossings, breakpoints",
        description=(
            "Key figures of the run: the rate at the start and the end, the peak and the "
            "minimum (with the first step reaching each), the mean, the area under the "
            "curve (the sum of the rate over the N updates: the total learning-rate "
            "budget), the first steps below 50%, 10% and 1% of the peak, and the "
            "breakpoints (stairs, restarts, boundaries, phase changes)."
        ),
        epilog=_DESCRIBE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    describe.add_argument("spec", nargs="?", metavar="SPEC", help=_SPEC_HELP)
    describe.add_argument("--steps", type=_positive, metavar="N", help=_STEPS_HELP)
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
    return parser


# ---------------------------------------------------------------------------- helpers
def _schedules(specs: Sequence[str] | None) -> list[LearningRateSchedule]:
    if not specs:
        return [default_schedule()]
    schedules = []
    for spec in specs:
        try:
            schedules.append(parse_spec(spec))
        except SpecError as error:
            raise UsageError(f"bad schedule: {error}") from None
    return schedules


def _total_steps(args: argparse.Namespace, specs: Sequence[str] | None) -> int:
    if args.steps is not None:
        return int(args.steps)
    if specs:
        raise UsageError("--steps N is required with a schedule (the number of updates to show)")
    return DEFAULT_STEPS


def table_steps(total_steps: int, every: int | None = None, points: int | None = None) -> list[int]:
    """The steps ``lrschedule table`` prints.

    ``every``: ``0, every, 2 * every, ...`` below ``total_steps``, and the last step
    ``total_steps - 1``. ``points``: that many steps evenly spaced from 0 to
    ``total_steps - 1`` (rounded down; repeats dropped). Default: every ``total_steps //
    10`` steps.

    >>> table_steps(1_000_000, every=250_000)
    [0, 250000, 500000, 750000, 999999]
    >>> table_steps(1001, points=5)
    [0, 250, 500, 750, 1000]
    """
    last = total_steps - 1
    if points is not None:
        count = min(points, total_steps)
        return sorted({(index * last) // max(count - 1, 1) for index in range(count)})
    step = every if every is not None else max(1, total_steps // 10)
    steps = list(range(0, total_steps, step))
    if steps[-1] != last:
        steps.append(last)
    return steps


def _rate_text(value: float) -> str:
    return f"{value:.10g}"


def _print_table(schedule: LearningRateSchedule, steps: list[int], output: str) -> None:
    rates = [float(schedule(step)) for step in steps]
    if output == "csv":
        print("step,learning_rate")
        for step, rate in zip(steps, rates, strict=True):
            print(f"{step},{rate!r}")
    elif output == "json":
        rows = [
            {"step": step, "learning_rate": rate} for step, rate in zip(steps, rates, strict=True)
        ]
        print(json.dumps({"schedule": repr(schedule), "rows": rows}, indent=2))
    elif output == "markdown":
        print("| step | learning rate |")
        print("|---:|---:|")
        for step, rate in zip(steps, rates, strict=True):
            print(f"| {step:,} | {_rate_text(rate)} |")
    else:
        print(repr(schedule))
        width = max(len("step"), len(f"{steps[-1]:,}"))
        print(f"{'step':>{width}}  learning rate")
        for step, rate in zip(steps, rates, strict=True):
            print(f"{step:>{width},}  {_rate_text(rate)}")


def _use_color() -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _terminal_chart(
    schedules: list[LearningRateSchedule],
    labels: list[str],
    total: int,
    args: argparse.Namespace,
) -> str:
    from lrschedule.analysis import curve
    from lrschedule.cli.terminal import render
    from lrschedule.plotting import format_steps

    size = shutil.get_terminal_size((80, 24))
    width = max(30, size.columns)
    height = max(6, min(20, size.lines - 8))
    epoch = args.steps_per_epoch
    series = []
    for schedule in schedules:
        steps, rates = curve(schedule, total, points=4 * width)
        xs = [step / epoch for step in steps] if epoch else [float(step) for step in steps]
        series.append((xs, rates))
    end = total / epoch if epoch else float(total)  # the axis spans the whole run
    return render(
        series,
        x_range=(0.0, end),
        width=width,
        height=height,
        log=args.log,
        labels=labels,
        x_label="epoch" if epoch else "step",
        x_format=(lambda value: f"{value:g}") if epoch else format_steps,
        color=_use_color(),
    )


def _save_chart(
    schedules: list[LearningRateSchedule],
    labels: list[str],
    total: int,
    args: argparse.Namespace,
) -> None:
    out = args.out
    suffix = os.path.splitext(out)[1].lower()
    if suffix not in _IMAGE_SUFFIXES:
        shown = suffix or "no suffix"
        raise UsageError(
            f"unknown image format for --out {out!r} ({shown}): use .png, .svg or .pdf"
        )
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "--out needs matplotlib: pip install 'lrschedule[plot]' "
            "(without --out the chart is drawn in the terminal)"
        ) from None
    from lrschedule.plotting import plot

    width, height = args.size
    dpi = 100
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout="constrained")
    axes = figure.add_subplot()
    plot(
        *schedules,
        total_steps=total,
        ax=axes,
        log=args.log,
        labels=labels if len(schedules) > 1 or args.label else None,
        steps_per_epoch=args.steps_per_epoch,
        points=2 * width,
    )
    if len(schedules) == 1 and not args.label:
        axes.set_title(labels[0], fontsize="medium")
    try:
        figure.savefig(out, dpi=dpi, format=suffix[1:])
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write {out!r}: {reason}") from None
    print(f"wrote {out} ({width}x{height} pixels)")


# ---------------------------------------------------------------------------- commands
def _run_table(args: argparse.Namespace) -> None:
    specs = [args.spec] if args.spec is not None else []
    total = _total_steps(args, specs)
    (schedule,) = _schedules(specs)
    _print_table(schedule, table_steps(total, args.every, args.points), args.format)


def _run_plot(args: argparse.Namespace) -> None:
    from lrschedule.plotting import label_for

    specs = list(args.spec)
    total = _total_steps(args, specs)
    schedules = _schedules(specs)
    labels = args.label or []
    if labels and len(labels) != len(schedules):
        raise UsageError(
            f"give one --label per schedule: {len(labels)} label(s) for "
            f"{len(schedules)} schedule(s)"
        )
    labels = labels or [label_for(schedule) for schedule in schedules]
    if args.out is None:
        print(_terminal_chart(schedules, labels, total, args))
    else:
        _save_chart(schedules, labels, total, args)


def _run_describe(args: argparse.Namespace) -> None:
    from lrschedule.analysis import describe

    specs = [args.spec] if args.spec is not None else []
    total = _total_steps(args, specs)
    (schedule,) = _schedules(specs)
    summary = describe(schedule, total, max_breakpoints=args.max_breakpoints)
    if args.format == "json":
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        print(summary)


_RUN = {"table": _run_table, "plot": _run_plot, "describe": _run_describe}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    0 on success, 2 on any error (after one line on standard error).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or (
        arguments[0].startswith("-") and arguments[0] not in ("-h", "--help", "--version")
    ):
        arguments.insert(0, "table")  # `lrschedule` alone prints the default table
    parser = _parser()
    command = arguments[0] if arguments[0] in _SUBCOMMANDS else None
    try:
        args = parser.parse_args(arguments)
        if args.command is None:
            parser.print_help()
            return 0
        _RUN[args.command](args)
    except SystemExit as stop:  # --help and --version
        return int(stop.code or 0)
    except UsageError as error:
        return _fail(command, str(error))
    except (ValueError, TypeError, OverflowError, ArithmeticError) as error:
        return _fail(command, " ".join(str(error).split()))
    except BrokenPipeError:  # the reader (`| head`) went away: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


def _fail(command: str | None, message: str) -> int:
    prog = f"lrschedule {command}" if command else "lrschedule"
    sys.stdout.flush()
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
