"""Plotting huge schedules exactly: time, points drawn, stairs shown, memory.

A plot of width W samples W evenly spaced steps plus both sides of every breakpoint
(``lrschedule.analysis.curve``). For runs of 10**9 steps with 10**4 stairs or restarts,
this prints, per schedule:

* the time of ``lrschedule.plot`` onto an 800 x 450 figure and of saving it as a PNG
  (target: under 2 s together);
* the number of points drawn, and how many of the jumps are drawn as a jump (both ``b - 1``
  and ``b`` among the points) next to plain evenly spaced sampling, which misses them;
* the peak memory traced while sampling, next to what a list of every breakpoint in the
  run would take (none is built: breakpoints are read lazily, and only those plotted are
  kept);
* the time of ``lrschedule.describe`` over the same run.

Times are pyperf medians of values taken in several fresh worker processes (``-p``,
``--rigorous`` and pyperf's other options apply); the other columns are counted once.

Run: ``make bench`` (or ``python benchmarks/bench_plot.py [--quick]``; ``--quick``: 10**7
steps, 10**3 jumps, everything in this process, one value each: a smoke test).
"""

from __future__ import annotations

import io
import sys
import tracemalloc
from collections.abc import Callable
from itertools import islice
from typing import Any

import matplotlib

matplotlib.use("Agg")

import timing
from matplotlib.figure import Figure

import lrschedule as lrs
from lrschedule.analysis import curve


def schedules(total: int, jumps: int) -> list[tuple[str, Any]]:
    period = total // jumps
    return [
        (
            f"stairs every {period:,}",
            lrs.ExponentialDecay(0.1, period, 0.9995, staircase=True),
        ),
        (f"restarts every {period:,}", lrs.CosineDecayRestarts(0.1, period, t_mul=1.0)),
        (
            f"warmup + {jumps:,} milestones",
            lrs.Warmup(
                lrs.MultiStepDecay(0.1, [k * period for k in range(1, jumps)], 0.9995),
                period // 2,
            ),
        ),
        ("SGDR, t_mul=2 (few restarts)", lrs.CosineDecayRestarts(0.1, period, t_mul=2.0)),
    ]


def shown(steps: list[int], breakpoints: list[int]) -> int:
    points = set(steps)
    return sum(1 for b in breakpoints if b in points and b - 1 in points)


def plot_png(schedule: Any, total: int) -> Any:
    """``lrschedule.plot`` of ``schedule`` onto an 800 x 450 figure, saved as a PNG; the axes."""
    figure = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    ax = lrs.plot(schedule, total_steps=total, ax=figure.add_subplot())
    figure.savefig(io.BytesIO(), format="png")
    return ax


def main() -> None:
    run, quick = timing.runner(6, "10**7 steps, 10**3 jumps, in this process (a smoke test)")
    total, jumps = (10**7, 10**3) if quick else (10**9, 10**4)

    def plotted(number: int) -> timing.Call:
        return (lambda s: plot_png(s, total)), schedules(total, jumps)[number - 1][1]

    def described(number: int) -> timing.Call:
        return (lambda s: lrs.describe(s, total)), schedules(total, jumps)[number - 1][1]

    # Named by number: pyperf prints each name, which must not read as a row of the table.
    count = len(schedules(total, jumps))
    benchmarks: dict[str, Callable[[], timing.Call]] = {}
    for number in range(1, count + 1):
        benchmarks[f"plot+png, schedule {number}"] = lambda n=number: plotted(n)
        benchmarks[f"describe, schedule {number}"] = lambda n=number: described(n)
    median = timing.medians(run, benchmarks)
    if median is None:  # a worker process
        return
    print(f"\n{total:,} steps, an 800 x 450 PNG; times in seconds (median)\n")
    header = (
        f"{'schedule':<32} {'plot+png':>9} {'describe':>9} {'points':>8} "
        f"{'jumps':>7} {'shown':>7} {'even':>6} {'peak MiB':>9} {'list MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for number, (name, schedule) in enumerate(schedules(total, jumps), 1):
        every = list(schedule.breakpoints(1, total))
        steps = plot_png(schedule, total).get_lines()[0].get_xdata().tolist()
        even = [(k * (total - 1)) // (len(steps) - 1) for k in range(len(steps))]
        tracemalloc.start()
        curve(schedule, total, points=1600)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # What materializing every breakpoint would hold: the list and its int objects.
        as_list = sys.getsizeof(every) + sum(sys.getsizeof(step) for step in islice(every, None))
        print(
            f"{name:<32} {median[f'plot+png, schedule {number}']:>9.3f} "
            f"{median[f'describe, schedule {number}']:>9.3f} {len(steps):>8,} "
            f"{len(every):>7,} {shown(steps, every):>7,} {shown(even, every):>6,} "
            f"{peak / 2**20:>9.2f} {as_list / 2**20:>9.2f}"
        )
    print(
        "\nshown: jumps drawn as a jump (b - 1 and b both plotted); even: the same count "
        "for evenly spaced points only, as many as plotted. peak MiB: memory traced while "
        "sampling; list MiB: a list of every breakpoint."
    )


if __name__ == "__main__":
    main()
