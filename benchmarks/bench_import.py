"""Import cost: a fresh interpreter that imports lrschedule and calls it, vs a bare one.

Three commands, each timed from start to exit:

* ``python -c pass``: the bare interpreter (with the same ``site`` start-up);
* ``python -c "import lrschedule; lrschedule.ExponentialDecay(0.1, 10, 0.5)(5)"``: the
  import and a first call on a Python number;
* ``python benchmarks/every_schedule.py``: every exported schedule built and called on
  Python numbers.

Printed: each command's median wall time, then what the import adds to the bare
interpreter in milliseconds and the ratio. Target: at most 10 ms above the bare interpreter.

The timing is pyperf's ``Runner.bench_command``: each value is the wall time of whole
fresh interpreters, and the values are spread over many worker processes, so that one
disturbed process (or one file-system cache state) does not decide the result.

Run: ``make bench`` (or ``python benchmarks/bench_import.py [--quick]``; pyperf's own options,
such as ``--rigorous`` or ``-o result.json``, work too).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyperf

HERE = Path(__file__).resolve().parent
FIRST_CALL = "import lrschedule; lrschedule.ExponentialDecay(0.1, 10, 0.5)(5)"
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import lrschedule, one call": [sys.executable, "-c", FIRST_CALL],
    "every schedule, Python numbers": [sys.executable, str(HERE / "every_schedule.py")],
}
TARGET_MS = 10.0


def main() -> None:
    quick = "--quick" in sys.argv
    # --quick: a smoke run (2 processes of 2 values, one run of the command each).
    runner = pyperf.Runner(processes=2 if quick else None, values=2 if quick else None)
    runner.argparser.add_argument(
        "--quick", action="store_true", help="a few runs only (a smoke test)"
    )
    if quick:
        runner.argparser.set_defaults(loops=1)
    benchmarks = {name: runner.bench_command(name, command) for name, command in COMMANDS.items()}
    if runner.args.worker:  # a worker process: pyperf's main process collects its values
        return
    medians = {name: benchmark.median() * 1e3 for name, benchmark in benchmarks.items()}
    bare = medians["python -c pass"]
    print()
    print(f"Import cost: ms per fresh interpreter, median (target: <= {TARGET_MS:g} ms above bare)")
    header = f"{'command':32} {'ms':>8} {'above bare':>11} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name, ms in medians.items():
        print(f"{name:32} {ms:8.2f} {ms - bare:11.2f} {ms / bare:6.2f}")


if __name__ == "__main__":
    main()
