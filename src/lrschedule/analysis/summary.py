"""Key figures of a run: :func:`describe` and the :class:`Description` it returns."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from lrschedule.analysis.areas import EVERY, area_and_method
from lrschedule.analysis.evaluation import block_sum, blocks, check_total, rate, values
from lrschedule.analysis.pieces import breakpoints, extremes, first_below_many

__all__ = ["DEFAULT_FRACTIONS", "Description", "describe", "rate_text"]

#: The fractions of the peak :func:`describe` reports first crossings for (50 %, 10 %, 1 %).
DEFAULT_FRACTIONS = (0.5, 0.1, 0.01)


@dataclass(frozen=True)
class Description:
    """Key figures of a schedule over a run of ``total_steps`` updates (steps 0 to N - 1).

    Attributes:
        schedule: The schedule described.
        total_steps: ``N``, the number of updates.
        start: The rate at step 0.
        end: The rate at step ``N - 1``, the last update.
        peak: The largest rate; ``peak_step`` the first step with it.
        minimum: The smallest rate; ``minimum_step`` the first step with it.
        mean: ``area / N``.
        area: ``sum(schedule(t) for t in range(N))``, the total learning-rate budget.
        area_method: How ``area`` was computed: ``"closed form"``, ``"piecewise
            Euler-Maclaurin sum"`` or ``"sum of every step"``.
        below: ``(fraction, step)`` pairs: the first step at or after the peak at which
            the rate is below ``fraction * peak``, or ``None`` if it never is.
        breakpoints: The first breakpoints in ``[1, N)``, in order.
        more_breakpoints: Whether there are breakpoints beyond those listed.
    """

    schedule: Any
    total_steps: int
    start: float
    end: float
    peak: float
    peak_step: int
    minimum: float
    minimum_step: int
    mean: float
    area: float
    area_method: str
    below: tuple[tuple[float, int | None], ...]
    breakpoints: tuple[int, ...]
    more_breakpoints: bool

    @property
    def maximum(self) -> float:
        """The largest rate (the same as :attr:`peak`)."""
        return self.peak

    def first_below(self, fraction: float) -> int | None:
        """The first step at or after the peak with a rate below ``fraction * peak``."""
        for known, step in self.below:
            if known == fraction:
                return step
        raise KeyError(
            f"No crossing of {fraction!r} of the peak was computed; "
            f"known fractions: {[known for known, _ in self.below]}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready Python values (the schedule as its ``repr``)."""
        return {
            "schedule": repr(self.schedule),
            "total_steps": self.total_steps,
            "start": self.start,
            "end": self.end,
            "peak": self.peak,
            "peak_step": self.peak_step,
            "minimum": self.minimum,
            "minimum_step": self.minimum_step,
            "mean": self.mean,
            "area": self.area,
            "area_method": self.area_method,
            "below": [{"fraction": fraction, "step": step} for fraction, step in self.below],
            "breakpoints": list(self.breakpoints),
            "more_breakpoints": self.more_breakpoints,
        }

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self, width: int = 100) -> list[str]:
        """The report as lines of text, as ``lrschedule describe`` prints it."""
        last = self.total_steps - 1
        rows = [
            ("schedule", repr(self.schedule)),
            ("steps", f"{self.total_steps:,} updates (steps 0 to {last:,})"),
            ("start", rate_text(self.start)),
            ("end", f"{rate_text(self.end)} at step {last:,}"),
            ("peak", f"{rate_text(self.peak)} at step {self.peak_step:,}"),
            ("minimum", f"{rate_text(self.minimum)} at step {self.minimum_step:,}"),
            ("mean", rate_text(self.mean)),
            ("area", f"{rate_text(self.area)} (sum over the updates; {self.area_method})"),
        ]
        for fraction, step in self.below:
            label = f"below {_percent(fraction)}"
            limit = rate_text(fraction * self.peak)
            text = f"step {step:,}" if step is not None else "never"
            rows.append((label, f"{text} (rate < {limit})"))
        shown = ", ".join(f"{step:,}" for step in self.breakpoints)
        if not self.breakpoints:
            summary = "none"
        elif self.more_breakpoints:
            summary = f"first {len(self.breakpoints):,}: {shown}, ..."
        else:
            summary = f"{len(self.breakpoints):,}: {shown}"
        rows.append(("breakpoints", summary))
        key_width = max(len(key) for key, _ in rows)
        lines = []
        for key, value in rows:
            lines.extend(_wrap(f"{key:<{key_width}}  ", value, width))
        return lines


def _wrap(prefix: str, text: str, width: int) -> list[str]:
    """``prefix + text``, continued under the text on more lines at ", " when too wide."""
    if len(prefix) + len(text) <= width or ", " not in text:
        return [prefix + text]
    lines, current = [], ""
    for part in text.split(", "):
        candidate = f"{current}, {part}" if current else part
        if current and len(prefix) + len(candidate) + 1 > width:
            lines.append(current + ",")
            current = part
        else:
            current = candidate
    lines.append(current)
    pad = " " * len(prefix)
    return [prefix + lines[0], *(pad + line for line in lines[1:])]


def rate_text(value: float) -> str:
    """A rate for people: 10 significant digits (as ``describe`` and ``lrschedule table`` print it).

    >>> rate_text(0.1 + 0.2)
    '0.3'
    """
    return f"{value:.10g}"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def describe(
    schedule: Callable[[Any], Any],
    total_steps: int,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    max_breakpoints: int = 100,
) -> Description:
    """Key figures of ``schedule`` over a run of ``total_steps`` updates (steps 0 to N - 1).

    See :class:`Description` for the figures and :mod:`lrschedule.analysis` for how they
    are computed (closed forms and bisection for the library's schedules, whatever the
    number of steps).

    Args:
        schedule: The schedule.
        total_steps: ``N``, the number of updates; > 0.
        fractions: The fractions of the peak whose first crossing is reported.
        max_breakpoints: At most this many breakpoints are listed.

    Example:
        >>> from lrschedule import ExponentialDecay, describe
        >>> summary = describe(ExponentialDecay(1.0, 10, 0.5, staircase=True), 40)
        >>> summary.peak, summary.end, summary.area, summary.mean
        (1.0, 0.125, 18.75, 0.46875)
        >>> summary.first_below(0.5), summary.first_below(0.1), summary.breakpoints
        (20, None, (10, 20, 30))
    """
    total = check_total(total_steps)
    if isinstance(max_breakpoints, bool) or not isinstance(max_breakpoints, int):
        raise TypeError(
            f"Argument `max_breakpoints` must be an int. Received: "
            f"max_breakpoints={max_breakpoints!r}"
        )
    if max_breakpoints < 0:
        raise ValueError(
            f"Argument `max_breakpoints` must be >= 0. Received: max_breakpoints={max_breakpoints}"
        )
    fractions = tuple(float(fraction) for fraction in fractions)
    found = extremes(schedule, total)
    if found is None:
        peak, peak_step, low, low_step, area_value = _scan(schedule, total)
        method = EVERY
    else:
        peak, peak_step, low, low_step = found
        area_value, method = area_and_method(schedule, total)
    # The figures as `schedule(step)` gives them (a NumPy evaluation may differ by an ulp).
    peak, low = rate(schedule, peak_step), rate(schedule, low_step)
    start, end = values(schedule, [0, total - 1])
    below = first_below_many(
        schedule, [fraction * peak for fraction in fractions], peak_step, total
    )
    listed = list(islice(breakpoints(schedule, 1, total), max_breakpoints + 1))
    return Description(
        schedule=schedule,
        total_steps=total,
        start=start,
        end=end,
        peak=peak,
        peak_step=peak_step,
        minimum=low,
        minimum_step=low_step,
        mean=area_value / total,
        area=area_value,
        area_method=method,
        below=tuple(zip(fractions, below, strict=True)),
        breakpoints=tuple(listed[:max_breakpoints]),
        more_breakpoints=len(listed) > max_breakpoints,
    )


def _scan(schedule: Any, total: int) -> tuple[float, int, float, int, float]:
    """Peak, minimum (with their first steps) and sum, from every step."""
    peak, peak_step = -math.inf, 0
    low, low_step = math.inf, 0
    sums = []
    for first, block in blocks(schedule, 0, total):
        if isinstance(block, list):
            block_peak = max(block)
            block_low = min(block)
            peak_index = block.index(block_peak)
            low_index = block.index(block_low)
        else:
            peak_index = int(block.argmax())
            low_index = int(block.argmin())
            block_peak = float(block[peak_index])
            block_low = float(block[low_index])
        if block_peak > peak:
            peak, peak_step = block_peak, first + peak_index
        if block_low < low:
            low, low_step = block_low, first + low_index
        sums.append(block_sum(block))
    return peak, peak_step, low, low_step, math.fsum(sums)
