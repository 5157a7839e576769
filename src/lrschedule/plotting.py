"""Plot schedules with matplotlib: every stair and restart drawn, however long the run.

:func:`plot` draws one or more schedules on one chart. It samples each with
:func:`lrschedule.analysis.curve`: evenly spaced steps (twice the axes' width in pixels)
plus both sides of every breakpoint, so a run of ``10**9`` steps with ``10**4`` stairs
shows each of them as a vertical jump, at the cost of about ``2 * 10**4`` evaluations.

matplotlib is imported when :func:`plot` is called, not before (install it with
``pip install 'lrschedule[plot]'``); the ``lrschedule plot`` command draws in the terminal
without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from lrschedule.analysis import curve
from lrschedule.core.contract import LearningRateSchedule

__all__ = ["format_steps", "label_for", "plot"]


def plot(
    *schedules: Callable[[Any], Any],
    total_steps: int,
    ax: Any = None,
    log: bool = False,
    labels: Sequence[str] | None = None,
    steps_per_epoch: int | None = None,
    points: int | None = None,
    max_breakpoints: int = 20_000,
) -> Any:
    """Draw ``schedules`` over steps 0 to ``total_steps - 1`` on one matplotlib ``Axes``.

    Args:
        *schedules: One or more schedules.
        total_steps: The number of steps shown (steps 0 to ``total_steps - 1``); > 0.
        ax: The ``Axes`` to draw on; a new figure (8 x 4.5 inches) when ``None``.
        log: A logarithmic learning-rate axis.
        labels: One legend label per schedule; by default a short form of each schedule's
            ``repr`` (its arguments without their names or defaults where that stays
            clear). A legend is drawn when there are several schedules or labels are given.
        steps_per_epoch: When given, the horizontal axis counts epochs of this many steps.
        points: Evenly spaced samples per schedule; by default twice the axes' width in
            pixels. Breakpoints are added to them.
        max_breakpoints: The most breakpoints read per schedule (see
            :func:`lrschedule.analysis.curve`).

    Returns:
        The ``Axes``.

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: No schedule, a wrong number of labels, or ``total_steps`` or
            ``steps_per_epoch`` not > 0.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from lrschedule import CosineDecay, ExponentialDecay, plot
        >>> ax = plot(ExponentialDecay(0.1, 100000, 0.96, staircase=True),
        ...           CosineDecay(0.1, 1000000), total_steps=1000000)
        >>> [line.get_label() for line in ax.get_lines()]
        ['ExponentialDecay(0.1, 100000, 0.96, staircase=True)', 'CosineDecay(0.1, 1000000)']
    """
    if not schedules:
        raise ValueError("`plot` needs at least one schedule.")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(schedules):
            raise ValueError(
                f"Argument `labels` must have one label per schedule ({len(schedules)}). "
                f"Received: labels={labels!r}"
            )
    if steps_per_epoch is not None and (
        isinstance(steps_per_epoch, bool)
        or not isinstance(steps_per_epoch, int)
        or steps_per_epoch <= 0
    ):
        raise ValueError(
            "Argument `steps_per_epoch` must be a whole number > 0. "
            f"Received: steps_per_epoch={steps_per_epoch!r}"
        )
    try:
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        raise ImportError(
            "lrschedule.plot needs matplotlib: pip install 'lrschedule[plot]' "
            "(the `lrschedule plot` command draws in the terminal without it)."
        ) from None
    if ax is None:
        import matplotlib.pyplot as pyplot

        _, ax = pyplot.subplots(figsize=(8, 4.5), layout="constrained")
    if points is None:
        width = ax.get_window_extent().width
        points = max(200, int(2 * width)) if math.isfinite(width) else 1600
    scale = float(steps_per_epoch) if steps_per_epoch else 1.0
    for index, schedule in enumerate(schedules):
        steps, rates = curve(schedule, total_steps, points=points, max_breakpoints=max_breakpoints)
        label = labels[index] if labels is not None else label_for(schedule)
        xs = [step / scale for step in steps] if steps_per_epoch else steps
        ax.plot(xs, rates, label=label, linewidth=1.6)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch" if steps_per_epoch else "step")
    ax.set_ylabel("learning rate")
    ax.set_xlim(0, total_steps / scale)
    if not steps_per_epoch:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_steps(value)))
    ax.grid(True, alpha=0.3)
    if len(schedules) > 1 or labels is not None:
        ax.legend(fontsize="small")
    return ax


_SUFFIXES = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def format_steps(value: float) -> str:
    """A step count in few characters: ``0``, ``500``, ``250k``, ``1.5M``, ``2G``.

    >>> [format_steps(v) for v in (0, 500, 250_000, 1_500_000, 2e9, 12_345)]
    ['0', '500', '250k', '1.5M', '2G', '12.35k']
    """
    for size, suffix in _SUFFIXES:
        if abs(value) >= size:
            return f"{value / size:.4g}{suffix}"
    return f"{value:.4g}"


def label_for(schedule: Any) -> str:
    """A short legend label: the schedule as a call, leading required arguments unnamed.

    Arguments at their defaults and ``name`` are left out; nested schedules are shortened
    the same way. A schedule that is not one of the library's is shown by its ``repr``.

    >>> from lrschedule import CosineDecay, ExponentialDecay, Warmup
    >>> label_for(ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True))
    'ExponentialDecay(0.1, 100000, 0.96, staircase=True)'
    >>> label_for(Warmup(CosineDecay(0.1, 1000, alpha=0.1), warmup_steps=100))
    'Warmup(CosineDecay(0.1, 1000, alpha=0.1), 100)'
    """
    arguments = getattr(schedule, "_arguments", None)
    if not (isinstance(schedule, LearningRateSchedule) and callable(arguments)):
        return repr(schedule)
    try:
        config = arguments()
        defaults = type(schedule)._defaults()
    except Exception:
        return repr(schedule)
    if not isinstance(config, dict):
        return repr(schedule)
    parts = []
    positional = True
    for key, value in config.items():
        if key == "name":
            continue
        required = key not in defaults
        if not required and type(defaults[key]) is type(value) and defaults[key] == value:
            positional = False
            continue
        text = _value_label(value)
        if positional and required:
            parts.append(text)
        else:
            positional = False
            parts.append(f"{key}={text}")
    return f"{type(schedule).__name__}({', '.join(parts)})"


def _value_label(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value_label(item) for item in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_value_label(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if callable(value) and hasattr(value, "get_config"):
        return label_for(value)
    return repr(value)
