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
