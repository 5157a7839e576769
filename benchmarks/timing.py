"""What the pyperf benchmarks share: the runner with ``--quick``, and timing ``f(a)`` calls."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import pyperf

#: What a pyperf time function times: ``f(a)``, as many times as pyperf asks.
Call = tuple[Callable[[Any], Any], Any]


def runner(processes: int, quick_help: str) -> tuple[pyperf.Runner, bool]:
    """A pyperf runner of ``processes`` workers, and whether ``--quick`` was given.

    ``--quick`` runs every benchmark in this process (pyperf's in-process mode), one short
    value each: a smoke test of the script, not a measurement.
    """
    quick = "--quick" in sys.argv
    run = pyperf.Runner(processes=processes)
    run.argparser.add_argument("--quick", action="store_true", help=quick_help)
    if quick:
        run.argparser.set_defaults(in_process=True, values=1, warmups=0, min_time=0.002)
    run.parse_args()
    return run, quick


def calls(make: Callable[[], Call]) -> Callable[[int], float]:
    """A pyperf time function: ``loops`` calls ``f(a)``, with ``f, a = make()`` built once.

    ``make`` runs in the process that times it, outside the timing, so that large inputs
    and frameworks exist only in the processes that use them. The loop is the same for
    every benchmark, ours and the peers'.
    """
    built: list[Call] = []

    def time_func(loops: int) -> float:
        if not built:
            built.append(make())
        f, a = built[0]
        iterations = range(loops)
        start = time.perf_counter()
        for _ in iterations:
            f(a)
        return time.perf_counter() - start

    return time_func


def medians(
    run: pyperf.Runner, benchmarks: dict[str, Callable[[], Call]]
) -> dict[str, float] | None:
    """Each benchmark's median in seconds per call; ``None`` in pyperf's worker processes."""
    results = {name: run.bench_time_func(name, calls(make)) for name, make in benchmarks.items()}
    if run.args.worker:
        return None
    return {name: result.median() for name, result in results.items()}
