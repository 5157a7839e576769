"""The long fuzz run: every target, a million inputs each by default, in chunks of seeds.

From the repository root::

    python tests/fuzz/run_long.py                              # 1,000,000 inputs per target
    python tests/fuzz/run_long.py --inputs 100000 --targets spec,cli --chunk 10000

Each chunk is one ``pytest`` run of a target's module with ``LRSCHEDULE_FUZZ_EXAMPLES``
set to the chunk and a seed of its own (``LRSCHEDULE_FUZZ_SEED``: the first seed, then
the next, ...), until the target has checked the inputs asked for. A chunk that fails
keeps its log (with the failing inputs, shrunk, and how to reproduce them) in
``--logs``; the run goes on. At the end a table gives, per target, the inputs checked,
the failing chunks and the time; the exit status is 1 if any chunk failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
ROOT = FOLDER.parents[1]
TARGETS = {
    "deserialize": "test_fuzz_deserialize.py",
    "load": "test_fuzz_load.py",
    "spec": "test_fuzz_spec.py",
    "cli": "test_fuzz_cli.py",
}


def _chunk(target: str, examples: int, seed: int, logs: Path) -> tuple[int, bool, float]:
    """Run one chunk: (inputs checked, passed, seconds)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        env = {
            **os.environ,
            "LRSCHEDULE_FUZZ_EXAMPLES": str(examples),
            "LRSCHEDULE_FUZZ_SEED": str(seed),
            "LRSCHEDULE_FUZZ_REPORT": str(report),
        }
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        started = time.perf_counter()
        result = subprocess.run(
            [*command, str(FOLDER / TARGETS[target])],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        checked = sum(json.loads(report.read_text()).values()) if report.exists() else 0
    if result.returncode != 0:
        log = logs / f"{target}-seed{seed}.log"
        log.write_text(result.stdout + result.stderr)
        print(f"  {target} seed {seed}: FAILED (log: {log})", flush=True)
    return checked, result.returncode == 0, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs per target")
    parser.add_argument("--chunk", type=int, default=20_000, help="examples per pytest run")
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated")
    parser.add_argument("--logs", type=Path, default=Path("fuzz-logs"), help="failing logs")
    args = parser.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in args.targets.split(","):
        checked, failures, seconds, seed = 0, 0, 0.0, args.seed
        while checked < args.inputs:
            done, passed, spent = _chunk(target, args.chunk, seed, args.logs)
            checked += done
            failures += not passed
            seconds += spent
            seed += 1
            print(f"  {target}: {checked:,} inputs, {failures} failing chunks", flush=True)
            if done == 0:  # nothing ran: the suite cannot start
                break
        rows.append((target, checked, failures, seconds))
    print(f"{'target':<12} {'inputs':>12} {'failing chunks':>15} {'seconds':>9}")
    for target, checked, failures, seconds in rows:
        print(f"{target:<12} {checked:>12,} {failures:>15} {seconds:>9.0f}")
    return 1 if any(row[2] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
