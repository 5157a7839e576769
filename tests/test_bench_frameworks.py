"""``benchmarks/bench_frameworks.py`` runs (quick mode) and prints its three tables.

Its timings are not tested (they depend on the machine); that it runs, compares the
right things and agrees with the peers' values is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_frameworks_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_frameworks.py"), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for title in (
        "PyTorch: us per scheduler step",
        "JAX: us per jitted call",
        "Keras: ms per fit epoch",
    ):
        assert title in out
    for row in (
        "ScheduleLR.step() vs ExponentialLR.step()",
        "ScheduleLR.step() vs LambdaLR.step()",
        "jax.jit(schedule)(step) vs optax.exponential_decay",
        "Keras fit epoch, 100 batches (tensorflow)",
    ):
        line = next(line for line in out.splitlines() if line.startswith(row))
        ours, peer, ratio = (float(field) for field in line[len(row) :].split())
        assert ours > 0 and peer > 0 and abs(ratio - ours / peer) < 0.01 + 0.01 * ratio
