"""The long fuzz run: every target, a million inputs each by default.

From the repository root::

    python tests/fuzz/run_long.py                                 # 1,000,000 inputs per target
    python tests/fuzz/run_long.py --inputs 10000 --targets spec,cli --jobs 2
    python tests/fuzz/run_long.py --replay fuzz-logs/cli-seed1-input123.pickle

Input ``i`` of a target is drawn by ``generate.py`` from its own seeded generator (seed,
target, ``i``), so any input can be drawn again alone (``--first i --inputs 1``), and
checked by the test helpers of ``test_fuzz_*.py`` under ``sampling.check`` (the contract
of ``oracle.check``, its costly measures on a sample and on every large or slow input).
A failing input is saved in ``--logs``: a ``.txt`` with the input, the error and the
commands that reproduce it, and a ``.pickle`` for ``--replay``, which checks the input
again under the full ``oracle.check``. At the end a table gives, per target, the inputs,
the failures, the seconds and the inputs a second; the exit status is 1 if any failed.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for _path in (str(ROOT), str(ROOT / "src")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.fuzz import oracle, sampling, targets  # noqa: E402
from tests.fuzz.draws import Draw  # noqa: E402

#: An input that takes longer than this (its measures included) is a failure, not a hang:
#: the costliest inputs that meet the contract (a chart drawn, measured) take about 1 s.
HANG_SECONDS = 10
#: The address space an input may add to its process: one that wants more fails
#: (MemoryError) rather than take the machine's memory.
ADDRESS_SPACE = 8 * 2**30
#: The reproducers each process saves at most (failures beyond are counted).
SAVED = 20


class Hang(BaseException):
    """An input ran past :data:`HANG_SECONDS`."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang(f"no outcome after {HANG_SECONDS} seconds")


def _kind(item: targets.Input) -> str:
    """The mix a run reports: the family, and for a command its subcommand and chart file."""
    if item[0] != "command":
        return str(item[0])
    argv = item[1]
    command = argv[0] if argv and argv[0] in ("table", "describe", "plot") else "other"
    return command + (" --out" if "--out" in argv else "")


def _save(logs: Path, name: str, item: targets.Input, folder: str, error: str) -> None:
    record = {"target": name.split("-")[0], "item": item, "folder": folder}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # documents nested thousands deep
    try:
        (logs / f"{name}.pickle").write_bytes(pickle.dumps(record))
        shown = repr(item)
    except RecursionError:
        shown = "(too deep to show; draw it again with the command below)"
    finally:
        sys.setrecursionlimit(limit)
    (logs / f"{name}.txt").write_text(
        f"input: {shown[:20_000]}\nfolder: {folder}\n\n{error}\n", encoding="utf-8"
    )


def _work(job: tuple[str, int, int, int, int, Path]) -> dict[str, Any]:
    """Check inputs ``first, first + step, ...`` below ``stop`` of ``target``, with at most
    :data:`HANG_SECONDS` and :data:`ADDRESS_SPACE` more for each (restored after)."""
    limits = resource.getrlimit(resource.RLIMIT_AS)
    held = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    space = held + ADDRESS_SPACE
    if limits[1] != resource.RLIM_INFINITY:
        space = min(space, limits[1])
    handler = signal.signal(signal.SIGALRM, _alarm)
    resource.setrlimit(resource.RLIMIT_AS, (space, limits[1]))
    try:
        return _inputs(*job)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, limits)
        signal.signal(signal.SIGALRM, handler)


def _inputs(target: str, seed: int, first: int, stop: int, step: int, logs: Path) -> dict[str, Any]:
    folder = targets.set_up(target)
    sampling.MEASURED.update(dict.fromkeys(sampling.MEASURED, 0))
    failures, mix = 0, collections.Counter[str]()
    started, cpu = time.perf_counter(), time.process_time()
    count = len(range(first, stop, step))
    for done, index in enumerate(range(first, stop, step), 1):
        item = targets.draw(target, Draw(seed, target, index))
        mix[_kind(item)] += 1
        sampling.start(index, item)
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        try:
            targets.run(item, sampling.check)
        except KeyboardInterrupt:
            raise
        except BaseException:  # every other outcome is a failure to report
            signal.setitimer(signal.ITIMER_REAL, 0)
            failures += 1
            name = f"{target}-seed{seed}-input{index}"
            again = f"python tests/fuzz/run_long.py --targets {target} --seed {seed}"
            error = (
                f"{traceback.format_exc()}\nreproduce: {again} --first {index} --inputs 1\n"
                f"or: python tests/fuzz/run_long.py --replay {logs / name}.pickle"
            )
            print(f"  {target} input {index}: FAILED ({logs / name}.txt)", flush=True)
            if failures <= SAVED:
                _save(logs, name, item, folder, error)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if done % 100_000 == 0 and done < count:
            spent = time.perf_counter() - started
            print(
                f"  {target} (from {first}): {done:,} of {count:,} inputs, {spent:.0f} s",
                flush=True,
            )
    targets.tear_down()
    return {
        "inputs": count,
        "failures": failures,
        "cpu": time.process_time() - cpu,
        "seconds": time.perf_counter() - started,
        "measured": dict(sampling.MEASURED),
        "mix": dict(mix),
    }


def run_target(
    target: str, inputs: int, seed: int, first: int, jobs: int, logs: Path
) -> dict[str, Any]:
    """Inputs ``first`` to ``first + inputs - 1`` of ``target``, on ``jobs`` processes."""
    stop = first + inputs
    work = [(target, seed, first + j, stop, jobs, logs) for j in range(min(jobs, inputs))]
    started = time.perf_counter()
    if len(work) == 1:
        results = [_work(work[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(len(work)) as pool:
            results = pool.map(_work, work)
    total: dict[str, Any] = {"seconds": time.perf_counter() - started}
    for key in ("inputs", "failures", "cpu"):
        total[key] = sum(result[key] for result in results)
    for key in ("measured", "mix"):
        total[key] = sum((collections.Counter(r[key]) for r in results), collections.Counter())
    return total


def replay(path: Path) -> int:
    """Check a saved input again under the full ``oracle.check``; 1 if it fails."""
    record = pickle.loads(path.read_bytes())
    folder = targets.set_up(record["target"])

    def moved(value: Any) -> Any:  # the input's paths, in this run's folder
        if isinstance(value, str):
            return value.replace(record["folder"], folder)
        if isinstance(value, list):
            return [moved(v) for v in value]
        return value

    item = tuple(moved(value) for value in record["item"])
    try:
        targets.run(item, oracle.check)
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        targets.tear_down()
    print(f"{path}: passes")
    return 0


def _table(rows: list[tuple[str, dict[str, Any]]]) -> None:
    head = f"{'target':<12} {'inputs':>10} {'failures':>9} {'seconds':>8} {'inputs/s':>9}"
    print(f"{head} {'cpu s':>8}  measured (sampled/large/slow/repeats)")
    for target, row in rows:
        measured = "/".join(f"{row['measured'].get(k, 0):,}" for k in sampling.MEASURED)
        print(
            f"{target:<12} {row['inputs']:>10,} {row['failures']:>9,} {row['seconds']:>8.0f} "
            f"{row['inputs'] / max(row['seconds'], 1e-9):>9,.0f} {row['cpu']:>8.0f}  {measured}"
        )
    for target, row in rows:
        mix = ", ".join(f"{k} {v / row['inputs']:.1%}" for k, v in sorted(row["mix"].items()))
        print(f"mix {target}: {mix}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs per target")
    parser.add_argument("--targets", default=",".join(targets.TARGETS), help="comma-separated")
    parser.add_argument("--seed", type=int, default=1, help="the run's seed")
    parser.add_argument("--first", type=int, default=0, help="the index of the first input")
    parser.add_argument("--jobs", type=int, default=1, help="processes per target")
    parser.add_argument("--logs", type=Path, default=Path("fuzz-logs"), help="failing inputs")
    parser.add_argument("--replay", type=Path, help="check one saved input again, and stop")
    args = parser.parse_args(argv)
    if args.replay is not None:
        return replay(args.replay)
    args.logs.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in args.targets.split(","):
        if target not in targets.TARGETS:
            parser.error(f"unknown target {target!r}; the targets: {', '.join(targets.TARGETS)}")
        print(f"{target}: {args.inputs:,} inputs on {args.jobs} process(es)", flush=True)
        row = run_target(target, args.inputs, args.seed, args.first, args.jobs, args.logs)
        rows.append((target, row))
        print(
            f"{target}: {row['inputs']:,} inputs, {row['failures']:,} failures, "
            f"{row['seconds']:.0f} s, {row['cpu']:.0f} s of CPU",
            flush=True,
        )
    _table(rows)
    return 1 if any(row["failures"] for _, row in rows) else 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
