"""The subcommands of ``lrschedule``: ``table``, ``plot`` and ``describe``.

Each runs on the namespace that :func:`lrschedule.cli.parser.build_parser` parses, prints
its result to standard output, and raises :class:`~lrschedule.core.errors.UsageError` for
a problem with the command line or its input.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lrschedule.cli.defaults import DEFAULT_SPEC as _DEFAULT_SPEC
from lrschedule.cli.defaults import DEFAULT_STEPS, default_schedule
from lrschedule.cli.spec import SpecError, parse_spec
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.errors import UsageError

__all__ = ["COMMANDS", "table_steps"]

_IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


# ---------------------------------------------------------------------------- inputs
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
    if args.steps is None:
        if specs:
            raise UsageError(
                "--steps N is required with a schedule (the number of updates to show)"
            )
        return DEFAULT_STEPS
    if type(args.steps) is int:
        return args.steps
    from lrschedule.core.units import whole_steps

    steps = whole_steps(_in_units(lambda: _run(args).total_steps))
    if steps < 1:
        raise UsageError(f"--steps {args.steps} is less than one step (it is {steps} steps)")
    return steps


#: The option that gives each field of a Run.
_OPTIONS = {
    "total": "--steps N",
    "steps_per_epoch": "--steps-per-epoch E",
    "samples_per_step": "--samples-per-step S",
    "tokens_per_step": "--tokens-per-step T",
}


def _run(args: argparse.Namespace) -> Any:
    """The run that the options describe (a :class:`~lrschedule.Run`)."""
    from lrschedule.core.units import Run

    return Run(
        args.steps,
        steps_per_epoch=args.steps_per_epoch,
        samples_per_step=args.samples_per_step,
        tokens_per_step=args.tokens_per_step,
    )


def _in_units(compute: Callable[[], Any]) -> Any:
    """``compute()``, with a unit that the options do not give the numbers for a UsageError."""
    from lrschedule.core.errors import MissingRunValueError

    try:
        return compute()
    except MissingRunValueError as error:
        problem = error.problem.replace("Argument `total`", "--steps")
        raise UsageError(f"{problem} Pass {_OPTIONS[error.field]}.") from None


def _resolved(
    schedules: list[LearningRateSchedule], args: argparse.Namespace
) -> list[LearningRateSchedule]:
    """The schedules with their step counts in units resolved for the run of the options."""
    if all(getattr(schedule, "is_resolved", True) for schedule in schedules):
        return schedules
    from lrschedule.schedules.resolve import resolve

    run = _run(args)
    return _in_units(lambda: [resolve(schedule, run) for schedule in schedules])  # type: ignore[no-any-return]


def _one_schedule(args: argparse.Namespace) -> tuple[LearningRateSchedule, int]:
    """The schedule of a one-SPEC subcommand (the default one without SPEC), and the run length."""
    specs = [args.spec] if args.spec is not None else []
    total = _total_steps(args, specs)
    (schedule,) = _resolved(_schedules(specs), args)
    return schedule, total


# ---------------------------------------------------------------------------- table
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
    if points is not None:
        from lrschedule.analysis.grid import even_steps

        return even_steps(total_steps, points)
    last = total_steps - 1
    step = every if every is not None else max(1, total_steps // 10)
    steps = list(range(0, total_steps, step))
    if steps[-1] != last:
        steps.append(last)
    return steps


def _print_table(schedule: LearningRateSchedule, steps: list[int], output: str) -> None:
    from lrschedule.analysis.summary import rate_text

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
            print(f"| {step:,} | {rate_text(rate)} |")
    else:
        print(repr(schedule))
        width = max(len("step"), len(f"{steps[-1]:,}"))
        print(f"{'step':>{width}}  learning rate")
        for step, rate in zip(steps, rates, strict=True):
            print(f"{step:>{width},}  {rate_text(rate)}")


def _run_table(args: argparse.Namespace) -> None:
    schedule, total = _one_schedule(args)
    _print_table(schedule, table_steps(total, args.every, args.points), args.format)


# ---------------------------------------------------------------------------- plot
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
    from lrschedule.cli.terminal import plain_number, render
    from lrschedule.plotting import format_steps

    size = shutil.get_terminal_size((80, 24))
    width = max(30, size.columns)
    height = max(6, min(20, size.lines - 8))
    epoch = args.steps_per_epoch
    series = []
    for schedule in schedules:
        # A stair or restart per few dot columns is all a terminal can show.
        steps, rates = curve(schedule, total, points=4 * width, max_breakpoints=8 * width)
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
        x_format=plain_number if epoch else format_steps,
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


def _run_plot(args: argparse.Namespace) -> None:
    from lrschedule.plotting import label_for

    specs = list(args.spec)
    if args.compare is not None:
        specs = [*(specs or [_DEFAULT_SPEC]), args.compare]
    total = _total_steps(args, specs)
    schedules = _resolved(_schedules(specs), args)
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


# ---------------------------------------------------------------------------- describe
def _run_describe(args: argparse.Namespace) -> None:
    from lrschedule.analysis import describe

    if args.compare is not None:
        _total_steps(args, [args.compare])  # --steps is required with a schedule
    schedule, total = _one_schedule(args)
    if args.compare is not None:
        from lrschedule.analysis.compare import compare

        (other,) = _resolved(_schedules([args.compare]), args)
        result = compare(schedule, other, total)
        print(json.dumps(result.as_dict(), indent=2) if args.format == "json" else result)
        return
    summary = describe(schedule, total, max_breakpoints=args.max_breakpoints)
    if args.format == "json":
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        print(summary)


#: Each subcommand's name and what runs it.
COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "table": _run_table,
    "plot": _run_plot,
    "describe": _run_describe,
}
