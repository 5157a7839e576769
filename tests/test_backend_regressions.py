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
