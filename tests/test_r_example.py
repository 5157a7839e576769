"""The R example (``examples/keras3_exponential_decay.R``) runs with Rscript and reticulate,
on this interpreter, and prints the learning rates of ``ExponentialDecay(0.1, 100000, 0.96,
staircase=TRUE)``: each must be ``0.1 * 0.96 ** floor(step / 100000)``, computed here in
exact arithmetic.

Rscript comes from the system (Debian's ``r-base-core`` and ``r-cran-reticulate``; the
Makefile installs them). Where it is missing the test is skipped, which fails under CI.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "keras3_exponential_decay.R"


def expected(step: int) -> float:
    """``0.1 * 0.96 ** floor(step / 100000)`` with the floats 0.1 and 0.96 at their exact
    values, rounded once."""
    return float(Fraction(0.1) * Fraction(0.96) ** (step // 100000))


def float32_ulp(x: float) -> float:
    return 2.0 ** (math.frexp(x)[1] - 24)


@pytest.fixture(scope="module")
def output() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed (apt-get install r-base-core r-cran-reticulate)")
    source = str(ROOT / "src")
    env = {
        **os.environ,
        "RETICULATE_PYTHON": os.environ.get("RETICULATE_PYTHON", sys.executable),
        "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
        "KERAS_BACKEND": "tensorflow",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    result = subprocess.run(
        [rscript, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_r_runs_this_python(output: str) -> None:
    python = re.search(r"^python: (.+)$", output, re.M)
    assert python is not None, output
    assert Path(python.group(1)) == Path(os.environ.get("RETICULATE_PYTHON", sys.executable))


def test_r_doubles_work_for_integer_arguments(output: str) -> None:
    # R's 100000 is a double: the schedule gets 100000.0, and computes as with 100000.
    shown = "ExponentialDecay(initial_learning_rate=0.1, decay_steps=100000.0, decay_rate=0.96, staircase=True)"
    assert f"schedule: {shown}" in output.splitlines()


def test_a_vector_of_steps_gives_a_numeric_vector(output: str) -> None:
    assert "learning_rates(steps) is numeric of length 5" in output


def test_the_printed_learning_rates_follow_the_staircase(output: str) -> None:
    printed = {
        int(step): float(lr) for step, lr in re.findall(r"^step (\d+) lr (\S+)$", output, re.M)
    }
    assert sorted(printed) == [0, 99999, 100000, 250000, 1000000]
    for step, lr in printed.items():
        assert lr == pytest.approx(expected(step), rel=2**-51), step  # 1 ulp
    assert printed[250000] == 0.09216  # the R documentation's example, 0.1 * 0.96 ** 2


def test_the_fitted_optimizer_used_the_schedule(output: str) -> None:
    fitted = re.search(r"^fitted: 5 epochs, (\d+) optimizer steps, accuracy (\S+)$", output, re.M)
    assert fitted is not None, output
    steps = int(fitted.group(1))
    assert steps == 5 * 4  # 128 points in batches of 32
    assert float(fitted.group(2)) > 0.8
    optimizer = re.search(r"^optimizer step (\d+) lr (\S+)$", output, re.M)
    assert optimizer is not None, output
    assert int(optimizer.group(1)) == steps
    lr = float(optimizer.group(2))
    assert abs(lr - expected(steps)) <= float32_ulp(expected(steps)) / 2
