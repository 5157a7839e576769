"""CosineDecayRestarts returns no NaN for a valid configuration, on any backend.

Each case was NaN on some backend: a first cycle (or a later one) longer than the compute
float holds (``inf / inf``), a peak ``m_mul**k`` past the float range times a wave that
rounds to 0, a learning rate past float32 (JAX computes in float32) times a factor that is
exactly 0, and PyTorch's vectorised remainder where ``step / first_decay_steps``
overflows (``t_mul = 1``). Values are compared with the exact reference
(:mod:`tests.reference`): within the backend's bound where the exact value fits the
result dtype, equal to it rounded (an infinity) where it does not.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pytest
import torch

import reference as ref
from backend_steps import BACKENDS, KERAS_ULPS, Backend, in_range, tolerance
from lrschedule import CosineDecayRestarts
from lrschedule.backends.torch import TorchOps

#: (initial_learning_rate, first_decay_steps, t_mul, m_mul, alpha), steps.
CASES: dict[str, tuple[tuple[Any, ...], list[float]]] = {
    "first=1e300": ((1.0, 1e300, 1.05, 0.5, 0.0), [0, 1, 2, 3, 10**6]),
    "first=1.7e308": ((1.0, 1.7e308, 1.05, 0.5, 2.0), [0, 1, 2, 3, 10**6]),
    "first=1e300,t<1": ((-1.0, 1e300, 0.01, 2.0, 0.0), [0, 1, 2, 3, 10**6]),
    "t_mul=1e300": ((1.0, 1, 1e300, 0.5, 0.5), [1, 2, 3, 10**6]),
    "t_mul=1e300,first=0.3": ((0.5, 0.3, 1e300, 0.5, 0.0), [1, 2, 3, 10**6]),
    "lr=1e300,m_mul=0": ((1e300, 0.3, 1e300, 0.0, 0.0), [1, 2, 3, 10**6]),
}


def _check(backend: Backend, schedule: Any, config: tuple[Any, ...], steps: list[Any]) -> None:
    steps = [backend.representable(s) for s in steps]
    values = backend.run(schedule, steps)
    assert not np.isnan(values).any(), (steps, values)
    for step, value in zip(steps, values, strict=True):
        exact = float(ref.cosine_decay_restarts(*config, step=step))
        if in_range(backend, exact):
            assert abs(value - exact) <= tolerance(backend, schedule, exact), (step, value, exact)
        else:
            assert value == (math.inf if exact > 0 else -math.inf), (step, value, exact)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
@pytest.mark.parametrize("backend", list(BACKENDS.values()), ids=list(BACKENDS))
def test_extreme_configurations_are_not_nan(
    backend: Backend, case: tuple[tuple[Any, ...], list[float]]
) -> None:
    config, steps = case
    _check(backend, CosineDecayRestarts(*config), config, steps)


@pytest.mark.parametrize("backend", list(BACKENDS.values()), ids=list(BACKENDS))
def test_a_rate_past_float32_times_a_factor_of_0_is_not_nan(backend: Backend) -> None:
    # At step 10 (a restart) the factor is -1 * 2 * 1 + 2 = 0; float32 arithmetic holds the
    # rate as inf (NaN before). A float64 factor may round to a few ulps instead of 0: the
    # value is then huge (inf in float32), not NaN.
    values = backend.run(CosineDecayRestarts(1e300, 10, 0.999999, 2.0, 2.0), [10, 11, 0])
    assert not np.isnan(values).any(), values


def test_an_overflowing_peak_at_a_wave_that_rounds_to_0_is_inf() -> None:
    # Some 1e10 cycles before step 1 (t_mul within 1e-12 of 1): the peak 1e300**k is far
    # past the float range while the wave is at least 2**-200, so the rate is +inf (lr < 0,
    # 1 - alpha < 0); float32 arithmetic rounds some of the waves to 0.
    schedule = CosineDecayRestarts(-1.0, 1e-10, 0.9999999999990905, 1e300, 2.0)
    steps = [1.0, 3.5, 50.0, 109.9511489868164]
    for backend in (BACKENDS["jax float32"], BACKENDS["numpy float64"], BACKENDS["python float"]):
        values = backend.run(schedule, [backend.representable(s) for s in steps])
        assert (values == math.inf).all(), (backend.name, values)


def test_torch_remainder_where_the_quotient_overflows() -> None:
    steps = [1.0] * 14 + [1e300, sys.float_info.max]  # vectorised: NaN past x / d = inf
    for d in (1e-10, 0.3, 5e-324):
        _, rest = TorchOps().float_divmod(torch.tensor(steps, dtype=torch.float64), d)
        assert rest.tolist() == [math.fmod(s, d) for s in steps]


def test_torch_float64_steps_past_the_quotient_range() -> None:
    steps = [1.0] * 14 + [1e300, sys.float_info.max]
    backend = Backend(
        "torch float64",
        "float64",
        sys.float_info.max,
        "float64",
        lambda schedule: KERAS_ULPS,
        False,
        lambda schedule, s: schedule(torch.tensor(s, dtype=torch.float64)).numpy(),
    )
    for config in ((1.0, 0.3, 1.0, 0.7, 0.1), (-1.0, 1e-10, 1.0, 1e300, 1.0)):
        _check(backend, CosineDecayRestarts(*config), config, steps)
