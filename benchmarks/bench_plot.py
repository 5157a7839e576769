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

Run: ``python benchmarks/bench_plot.py [--quick]`` (``--quick``: 10**7 steps, 10**3 jumps).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
from itertools import islice
from typing import Any

import matplotlib

matplotlib.use("Agg")

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10**7 steps, 10**3 jumps")
    args = parser.parse_args()
    total, jumps = (10**7, 10**3) if args.quick else (10**9, 10**4)
    print(f"{total:,} steps, an 800 x 450 PNG; times in seconds (best of 3)\n")
    header = (
        f"{'schedule':<32} {'plot+png':>9} {'describe':>9} {'points':>8} "
        f"{'jumps':>7} {'shown':>7} {'even':>6} {'peak MiB':>9} {'list MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, schedule in schedules(total, jumps):
        every = list(schedule.breakpoints(1, total))
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            figure = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
            ax = lrs.plot(schedule, total_steps=total, ax=figure.add_subplot())
            figure.savefig(io.BytesIO(), format="png")
            timings.append(time.perf_counter() - start)
        steps = ax.get_lines()[0].get_xdata().tolist()
        start = time.perf_counter()
        lrs.describe(schedule, total)
        describe_time = time.perf_counter() - start
        even = [(index * (total - 1)) // (len(steps) - 1) for index in range(len(steps))]
        tracemalloc.start()
        curve(schedule, total, points=1600)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # What materializing every breakpoint would hold: the list and its int objects.
        as_list = sys.getsizeof(every) + sum(sys.getsizeof(step) for step in islice(every, None))
        print(
            f"{name:<32} {min(timings):>9.3f} {describe_time:>9.3f} {len(steps):>8,} "
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
