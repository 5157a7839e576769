"""CyclicalLearningRate with a cycle ``C = U + D`` that no float holds, at huge steps and at
the start, end and top of a cycle, against the exact value (``family_reference.cyclical``:
the position in the cycle by ``Fraction`` division, 60-digit rates).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import family_reference as fam
from backend_steps import BACKENDS, EPS64, FAMILY_ULPS, in_range, tolerance
from conftest import require
from lrschedule import CyclicalLearningRate, Warmup

#: The backends that compute in float64 (JAX without x64 computes in float32).
WIDE = [name for name in BACKENDS if not name.startswith("jax")]
#: The backends that compute in float32, and one more (PyTorch on a device without float64
#: computes as JAX does; its float32 step on the CPU is computed in float64).
NARROW = ["jax int32", "jax float32", "torch float32"]

FRACTIONAL = [
    (0.001, 0.1, 0.9, 147),
    (1e-9, 1.0, 0.9, 147, "triangular2"),  # b / a large: h near 0 keeps its digits
    (24.3, 0.001, 1000.3, 17.25),  # a / b large: 1 - h near the top keeps its digits
    (1.0, 1e-7, 0.1, 0.2),
    (1e-6, 2.0, 889670.5340755632, 4215667, "triangular2"),
]


def _cycle(args: tuple[object, ...]) -> tuple[Fraction, Fraction]:
    up = Fraction(args[2])  # type: ignore[arg-type]
    down = up if len(args) < 4 or args[3] is None else Fraction(args[3])  # type: ignore[arg-type]
    return up + down, up


def _around(args: tuple[object, ...], target: int) -> list[int]:
    """Steps at and next to ``target``, and to the start and the top of its cycle and the next."""
    cycle, up = _cycle(args)
    k = math.floor(target / cycle)
    steps = {target - 5, target - 1, target, target + 1}
    for edge in (k * cycle, (k + 1) * cycle, k * cycle + up, (k - 1) * cycle + up):
        low, high = math.floor(edge), math.ceil(edge)
        steps.update({low - 1, low, high, high + 1})
    return sorted(step for step in steps if step >= 0)


def _floats_around(args: tuple[object, ...], count: int) -> list[float]:
    """Float steps next to the start and the top of cycle ``count`` (fractional steps)."""
    cycle, up = _cycle(args)
    steps = []
    for edge in (count * cycle, count * cycle + up):
        nearest = float(edge)
        steps += [math.nextafter(nearest, 0.0), nearest, math.nextafter(nearest, math.inf)]
    return steps


def _check(backend: str, args: tuple[object, ...], steps: list[int | float]) -> None:
    chosen = BACKENDS[backend]
    schedule = CyclicalLearningRate(*args)  # type: ignore[arg-type]
    steps = sorted({chosen.representable(step) for step in steps})
    for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
        exact = float(fam.cyclical(*args, step=step)[0])  # type: ignore[arg-type]
        assert in_range(chosen, exact)
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


@pytest.mark.parametrize("backend", WIDE)
@pytest.mark.parametrize("args", FRACTIONAL)
def test_a_fractional_cycle_at_huge_steps(backend: str, args: tuple[object, ...]) -> None:
    # C = 0.9 + 147 rounded to a float, and the step converted to float64, put step
    # 2**53 - 5 most of a step off in its cycle: 0.0792209 for 0.0789887 (NumPy int64).
    steps: list[int | float] = []
    for target in (2**53 - 3, 2**53, 2**53 + 3, 2**62, 2**63 - 1, 10**6, 3):
        steps += _around(args, target)
    _check(backend, args, steps)


@pytest.mark.parametrize("backend", [name for name in WIDE if BACKENDS[name].step != "int"])
@pytest.mark.parametrize("args", FRACTIONAL)
def test_a_fractional_cycle_at_fractional_steps(backend: str, args: tuple[object, ...]) -> None:
    steps: list[int | float] = []
    for count in (1, 7, 10**6, 2**40, 2**52):
        steps += _floats_around(args, count)
    _check(backend, args, steps)


@pytest.mark.parametrize("args", FRACTIONAL)
def test_a_fractional_cycle_at_unsigned_steps(args: tuple[object, ...]) -> None:
    schedule = CyclicalLearningRate(*args)  # type: ignore[arg-type]
    steps = _around(args, 2**63 - 1) + _around(args, 2**53)
    steps = [step for step in steps if step < 2**63]
    values = schedule(np.asarray(steps, dtype=np.uint64))
    for step, value in zip(steps, values.tolist(), strict=True):
        exact = float(fam.cyclical(*args, step=step)[0])  # type: ignore[arg-type]
        assert abs(value - exact) <= FAMILY_ULPS * EPS64 * abs(exact), (step, value, exact)


_JAX_X64 = """
import jax, json, sys
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
from lrschedule import CyclicalLearningRate, Warmup
cases = json.loads(sys.argv[1])
out = []
for args, steps in cases:
    values = jax.jit(CyclicalLearningRate(*args))(jnp.asarray(steps, dtype=jnp.int64))
    assert values.dtype == jnp.float64, values.dtype
    out.append([float(v) for v in values])
print(json.dumps(out))
"""


def test_a_fractional_cycle_on_jax_with_x64() -> None:
    import json

    cases = [(args, _around(args, 2**63 - 1) + _around(args, 2**53)) for args in FRACTIONAL]
    cases = [(args, [step for step in steps if step < 2**63]) for args, steps in cases]
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(root / "src")}
    found = subprocess.run(
        [sys.executable, "-c", _JAX_X64, json.dumps(cases)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    for (args, steps), values in zip(cases, json.loads(found.stdout), strict=True):
        for step, value in zip(steps, values, strict=True):
            exact = float(fam.cyclical(*args, step=step)[0])  # type: ignore[arg-type]
            assert abs(value - exact) <= FAMILY_ULPS * EPS64 * abs(exact), (args, step, value)


def test_a_fractional_cycle_over_a_large_numpy_array() -> None:
    # Large arrays are divided in blocks; every block, and the shape, must come out right.
    args = (1e-9, 1.0, 0.9, 147, "triangular2")
    schedule = CyclicalLearningRate(*args)  # type: ignore[arg-type]
    steps = (np.arange(3 * 40_000, dtype=np.int64) * 76_801_234_567).reshape(3, 40_000)
    values = schedule(steps)
    assert values.shape == steps.shape and values.dtype == np.float64
    for index in [*range(0, steps.size, 1_999), steps.size - 1]:
        step = int(steps.flat[index])
        exact = float(fam.cyclical(*args, step=step)[0])  # type: ignore[arg-type]
        assert abs(values.flat[index] - exact) <= FAMILY_ULPS * EPS64 * abs(exact), step


#: Rising halves that float32 cannot hold, with a shorter and a longer falling half.
NOT_IN_FLOAT32 = [
    (24.3, 0.001, 888038.166, 329595, "triangular2"),
    (30.0, 0.002, 1234.567, 98765.4321),
    (5.0, 1e-4, 77777.77, 1234.5),
    (7.0, 1e-5, 100.25, 3.3, "triangular2"),
]


def _peaks(args: tuple[object, ...], counts: tuple[int, ...]) -> list[float]:
    """Steps (whole and float32) at and next to the top of cycles ``counts``."""
    cycle, up = _cycle(args)
    steps: list[float] = []
    for count in counts:
        top = count * cycle + up
        steps += [float(step) for step in range(math.floor(top) - 2, math.ceil(top) + 3)]
        nearest = np.float32(top)
        steps += [float(np.nextafter(nearest, np.float32(sign * np.inf))) for sign in (-1, 1)]
        steps.append(float(nearest))
    return steps


@pytest.mark.parametrize("backend", NARROW)
@pytest.mark.parametrize("args", NOT_IN_FLOAT32)
def test_float32_near_the_top_of_a_cycle(backend: str, args: tuple[object, ...]) -> None:
    # Near the top, 1 - h = (U - r) / U is small; with D < U it came from (C - r) / D - 1,
    # which cancelled: 272 times the float32 bound (JAX int32, the first config, step
    # 888038 after a warmup of 596).
    chosen = BACKENDS[backend]
    steps = [step for step in _peaks(args, (0, 1, 3, 40)) if step >= 0]
    if chosen.step == "int":
        steps = [float(int(step)) for step in steps if step == int(step)]
    _check(backend, args, steps)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", NARROW)
def test_float32_near_the_top_after_a_warmup(backend: str) -> None:
    args = (24.3, 0.001, 888038.166, 329595, "triangular2")
    chosen = BACKENDS[backend]
    schedule = Warmup(CyclicalLearningRate(*args), 596, shape="cosine")  # type: ignore[arg-type]
    steps = sorted({chosen.representable(596 + step) for step in _peaks(args, (0, 1, 2))})
    if chosen.step == "int":
        steps = [step for step in steps if step == int(step)]
    for step, value in zip(steps, chosen.run(schedule, steps).tolist(), strict=True):
        exact = float(fam.cyclical(*args, step=Fraction(step) - 596)[0])  # type: ignore[arg-type]
        assert abs(value - exact) <= tolerance(chosen, schedule, exact), (step, value, exact)


def test_breakpoints_of_a_fractional_cycle_come_from_the_exact_cycle() -> None:
    # C = 0.9 + 147 is not a float: float(C) is 5.7e-15 too large, a third of a step by cycle
    # 6e13. Each cycle starts at ceil(k * C) and falls from floor(k * C + U) + 1, exactly.
    schedule = CyclicalLearningRate(0.001, 0.1, 0.9, 147)
    up = Fraction(0.9)
    cycle = up + 147
    for k in range(6 * 10**13 + 7, 6 * 10**13 + 200 * 1_234_567, 1_234_567):
        start, falling = math.ceil(k * cycle), math.floor(k * cycle + up) + 1
        found = list(schedule.breakpoints(start - 2, start + 3))
        assert start in found and falling in found, (k, start, falling, found)


def test_float32_takes_h_and_one_minus_h_from_the_same_half() -> None:
    # a == b: the value is a at every step. Just past the top (r = U + 0.65, which float32
    # rounds to U) h came from the rising half (1) and 1 - h from the falling one (1.4e-6):
    # 12 float32 ulps above a on JAX.
    jnp = require("jax.numpy")
    schedule = CyclicalLearningRate(-0.0003, -0.0003, 11111962, 478757.35286445677, "triangular2")
    steps = [22702682, 613829369, 11111962, 11111963]
    expected = float(np.float32(-0.0003))
    for dtype in (jnp.int32, jnp.float32):
        values = np.asarray(schedule(jnp.asarray(steps, dtype=dtype))).tolist()
        assert values == pytest.approx([expected] * len(steps), rel=2.0**-22), (dtype, values)


@pytest.mark.parametrize(
    ("args", "step"),
    [
        # The start of a cycle, U much shorter than float32's spacing of D: 1 - h from r.
        ((-0.1, -1.0, 13, 259053.28403930785, "exp_range", 0.99999), 0.00597444549202919),
        # The top of the first cycle, b far below a: 1 - h exactly 0 (r is the step).
        ((-0.5, -2.640358001253647e-14, 408818, 204670.58890491896, "triangular2"), 408818),
        # A whole cycle and step: r stays an integer (not rounded to float32 and back).
        ((-0.1, -0.1, 21175894, 34618, "exp_range", 0.99999), 445420751),
    ],
)
def test_float32_cases_the_property_suite_found(args: tuple[Any, ...], step: int | float) -> None:
    jnp = require("jax.numpy")
    schedule = CyclicalLearningRate(*args)
    exact = float(fam.cyclical(*args, step=step)[0])
    dtypes = [jnp.float32] if isinstance(step, float) else [jnp.int32, jnp.float32]
    for dtype in dtypes:
        value = float(np.asarray(schedule(jnp.asarray([step], dtype=dtype)))[0])
        bound = 8 * float(np.spacing(np.float32(abs(exact))))
        assert abs(value - exact) <= bound, (dtype, value, exact)
