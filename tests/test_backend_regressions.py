"""Failures the backend property suite (``test_backend_properties.py``) found, one test each.

Every expected value comes from the exact references (``family_reference.py``), rounded
to the result dtype within the README's bound for that backend.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import pytest
import torch

import family_reference as ref
from framework_cases import assert_float32_close
from lrschedule import OneCycle, PiecewiseInterpolation

INT32_MAX = 2**31 - 1

#: Integer step dtypes kept as they are (narrower ones are widened): the step, the
#: dtype's largest step, and the bound in float32 ulps.
NARROW: dict[str, tuple[Any, int, int]] = {
    "jax int32": (lambda s: jnp.asarray(s, dtype=jnp.int32), INT32_MAX, 8),
    "torch int32": (lambda s: torch.tensor(s, dtype=torch.int32), INT32_MAX, 1),
}


def _values(result: Any) -> Any:
    return result.numpy() if isinstance(result, torch.Tensor) else result


@pytest.mark.parametrize("dtype", list(NARROW))
def test_a_knot_past_the_integer_dtype_is_not_reached_at_its_largest_step(dtype: str) -> None:
    # The knot past the dtype was clipped to its largest value, which the largest step then
    # counted as passed: PiecewiseInterpolation and OneCycle jumped to their last value.
    make, top, ulps = NARROW[dtype]
    steps = [top - 2, top - 1, top]
    knots = [10, top, top + 1, 2**40]  # one knot at the top, the rest past it
    values = [1.0, 0.5, 0.25, 0.2, 0.1]
    schedule = PiecewiseInterpolation(knots, values)
    exact = [float(ref.piecewise_interpolation(knots, values, step=s)[0]) for s in steps]
    assert_float32_close(_values(schedule(make(steps))), exact, ulps)

    cycle = OneCycle(1.0, 2**40)
    exact = [float(ref.one_cycle(1.0, 2**40, step=s)[0]) for s in steps]
    assert_float32_close(_values(cycle(make(steps))), exact, ulps)


def test_a_float32_step_next_to_a_knot_that_is_no_float32_is_exact() -> None:
    # JAX rounded each knot to float32 before subtracting the step: at a float32 step just
    # below 985689.8211... (float32 985689.8125) the distance to the knot came out 0.
    knots, values = [1000, 1018, 985689.8211142811, 2**25 + 1], [0.5, 0.2, 0.6, 0.001, 0.3]
    steps = [985689.75, 985689.8125, 985689.875, 2.0**25 - 2, 2.0**25, 2.0**25 + 2]
    schedule = PiecewiseInterpolation(knots, values)
    exact = [float(ref.piecewise_interpolation(knots, values, step=s)[0]) for s in steps]
    assert_float32_close(schedule(jnp.asarray(steps, dtype=jnp.float32)), exact, 8)

    cycle = OneCycle(1.0, 767, 0.11307108636452988, "linear", three_phase=True)
    args = (1.0, 767, 0.11307108636452988, "linear", 25.0, 1e4, True)
    steps = [85.72, 171.451, 171.45101928710938, 171.4511, 765.9999]
    narrow = [float(jnp.float32(s)) for s in steps]
    exact = [float(ref.one_cycle(*args, step=s)[0]) for s in narrow]
    assert_float32_close(cycle(jnp.asarray(narrow, dtype=jnp.float32)), exact, 8)
