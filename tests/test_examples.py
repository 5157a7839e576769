"""The example training scripts run, briefly, and each proves what it claims.

Every script asserts by itself that the optimizer used ``schedule(step)`` at every
update and that a run resumed from a checkpoint carries on at the same learning rates;
here each runs for a few steps in a fresh interpreter and must exit cleanly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(script: str, *args: str, backend: str = "tensorflow") -> str:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def epochs(out: str) -> int:
    """The number of per-epoch lines ("epoch   1  lr 0.100000  ...") printed."""
    return sum(line.startswith("epoch ") and " lr " in line for line in out.splitlines())


def test_torch_training() -> None:
    out = run("torch_training.py", "--epochs", "4", "--steps-per-epoch", "5")
    assert epochs(out) == 4
    assert "OK: all 20 optimizer steps used exactly schedule(step)" in out


def test_optax_training() -> None:
    out = run("optax_training.py", "--epochs", "3", "--steps-per-epoch", "5")
    assert epochs(out) == 3
    assert "OK: all 15 optimizer steps used schedule(step); the train step compiled once." in out


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_keras_fit(backend: str) -> None:
    out = run("keras_fit.py", "--epochs", "2", "--steps-per-epoch", "4", "--backend", backend)
    assert epochs(out) == 2
    assert f"OK: all 8 optimizer steps used schedule(step) on Keras's {backend} backend" in out
