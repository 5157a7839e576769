"""The benchmark scripts run (quick mode) and print their tables; their timings are not tested."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_core_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_core.py"), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=600,
    )
    out = result.stdout
    assert "Scalar: ns per call" in out
    assert "Array: ns per element" in out
    for name in ("ExponentialDecay", "PiecewiseConstantDecay", "CosineDecayRestarts"):
        assert out.count(name) >= 2  # a row in each table


def test_bench_import_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_import.py"), "--quick", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    out = result.stdout

    def row(name: str) -> list[float]:
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        return [float(field) for field in line[len(name) :].split()]

    bare, above, ratio = row("python -c pass")
    assert bare > 0 and (above, ratio) == (0.0, 1.0)
    for name in ("import lrschedule, one call", "every schedule, Python numbers"):
        ms, above, ratio = row(name)
        assert abs(above - (ms - bare)) < 0.02 and abs(ratio - ms / bare) < 0.01
