"""``Product``: schedules multiplied step by step, on every backend, serialized, with its area."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from mpmath import mp, mpf
from tests.test_peer_parity import SCHED, assert_parity, ours_at, torch_lrs

import lrschedule as lrs
from conftest import require
from lrschedule.analysis.areas import CLOSED, EVERY, area_and_method
from lrschedule.schedules.product import MAX_AREA_STAIRS, is_stairs

torch = require("torch")
jax = require("jax")
jnp = require("jax.numpy")
tf = require("tensorflow")


mp.dps = 40


def expected(step: int) -> float:
    """ExponentialDecay(0.3, 10, 0.5) * StepDecay(2.0, 7, 0.9), written out in 40 digits."""
    exponential = mpf(0.3) * mpf(0.5) ** (mpf(step) / 10)
    stairs = mpf(2.0) * mpf(0.9) ** (step // 7)
    return float(exponential * stairs)


SCHEDULE = lrs.ExponentialDecay(0.3, 10, 0.5) * lrs.StepDecay(2.0, 7, 0.9)
STEPS = [0, 1, 6, 7, 8, 13, 14, 99, 700, 7001]


def test_the_product_operator_multiplies_schedules_and_scales_by_numbers() -> None:
    assert isinstance(SCHEDULE, lrs.Product)
    assert SCHEDULE.schedules == (lrs.ExponentialDecay(0.3, 10, 0.5), lrs.StepDecay(2.0, 7, 0.9))
    assert isinstance(SCHEDULE * 0.5, lrs.Scale) and isinstance(0.5 * SCHEDULE, lrs.Scale)
    three = lrs.Product([lrs.Constant(2.0), lrs.Constant(3.0), lrs.LinearDecay(1.0, 10, 0.0)])
    assert three(5) == 3.0


@pytest.mark.parametrize("step", STEPS)
def test_values_are_the_product_of_the_factors(step: int) -> None:
    assert SCHEDULE(step) == pytest.approx(expected(step), rel=1e-15)
    assert SCHEDULE(float(step)) == pytest.approx(expected(step), rel=1e-15)


def _close(result: Any, want: np.ndarray) -> None:
    """``result`` is the exact value rounded to its own dtype, within a few of its ulps."""
    values = np.asarray(result)
    rtol = 1e-15 if values.dtype == np.float64 else 1e-6
    np.testing.assert_allclose(values, want.astype(values.dtype), rtol=rtol)


def test_every_backend_and_jit() -> None:
    want = np.array([expected(step) for step in STEPS])
    steps = np.array(STEPS)
    _close(SCHEDULE(steps), want)
    _close(SCHEDULE(steps.astype(np.float32)), want)
    _close(SCHEDULE(torch.tensor(STEPS)).numpy(), want)
    _close(SCHEDULE(torch.tensor(STEPS, dtype=torch.float64)).numpy(), want)
    _close(SCHEDULE(torch.tensor(STEPS, dtype=torch.float32)).numpy(), want)
    _close(SCHEDULE(tf.constant(STEPS, tf.int64)).numpy(), want)
    _close(SCHEDULE(tf.constant(STEPS, tf.float64)).numpy(), want)
    _close(jax.jit(SCHEDULE)(jnp.array(STEPS)), want)


def test_a_user_schedule_as_a_factor() -> None:
    class Halving(lrs.LearningRateSchedule):
        def __call__(self, step: Any) -> Any:
            return 0.5 ** (step / 100)

        def get_config(self) -> dict[str, Any]:
            return {}

    product = lrs.Constant(3.0) * Halving()
    assert product(100) == 1.5
    np.testing.assert_allclose(product(np.array([0, 200])), [3.0, 0.75])


def test_serialization_round_trip() -> None:
    config = lrs.serialize(SCHEDULE)
    assert config["class_name"] == "Product"
    assert lrs.deserialize(config) == SCHEDULE
    assert type(SCHEDULE)(**SCHEDULE.get_config()) == SCHEDULE


def test_it_needs_a_factor() -> None:
    with pytest.raises(ValueError, match="schedules"):
        lrs.Product([])
    with pytest.raises(TypeError, match="schedules"):
        lrs.Product([lrs.Constant(1.0), 2.0])


def test_factors_whose_product_overflows_are_refused() -> None:
    with pytest.raises(ValueError, match="Argument `schedules` must be factors whose largest"):
        lrs.Constant(1e200) * lrs.Warmup(lrs.Constant(1e200), 10)
    assert (lrs.Constant(1e200) * lrs.Constant(1e100))(0) == pytest.approx(1e300)


def test_breakpoints_are_the_union_of_the_factors() -> None:
    product = lrs.StepDecay(1.0, 6, 0.5) * lrs.MultiStepDecay(1.0, [4, 6, 9], 0.5)
    assert list(product.breakpoints(0, 20)) == [4, 6, 9, 12, 18]
    assert list(product.breakpoints(7, 13)) == [9, 12]


def test_is_stairs() -> None:
    assert is_stairs(lrs.PiecewiseConstantDecay([3], [1.0, 0.5]))
    assert is_stairs(lrs.ExponentialDecay(1.0, 3, 0.5, staircase=True))
    assert is_stairs(lrs.Join([lrs.Constant(1.0), lrs.StepDecay(1.0, 2)], [5]))
    assert not is_stairs(lrs.InverseTimeDecay(1.0, 3, 0.5))
    assert not is_stairs(lrs.Join([lrs.Constant(1.0), lrs.LinearDecay(1.0, 2)], [5]))


@pytest.mark.parametrize(
    "product",
    [
        lrs.CosineDecay(0.5, 400, alpha=0.1) * lrs.StepDecay(1.0, 70, 0.8),
        lrs.MultiStepDecay(1.0, [10, 300], 0.1) * lrs.PolynomialDecay(0.2, 500, 0.01, power=2.0),
        lrs.StepDecay(1.0, 30, 0.5) * lrs.PiecewiseConstantDecay([100], [2.0, 1.0]),
    ],
    ids=["cosine-steps", "milestones-polynomial", "stairs-only"],
)
def test_area_in_closed_form_where_all_but_one_factor_are_stairs(product: Any) -> None:
    total = 1000
    value, method = area_and_method(product, total)
    assert method == CLOSED
    exact = sum(Fraction(product(step)) for step in range(total))
    assert value == pytest.approx(float(exact), rel=1e-12)


def test_area_falls_back_beyond_the_stairs_it_sums_or_with_two_curves() -> None:
    many = lrs.StepDecay(1.0, 1, 0.9999) * lrs.ExponentialDecay(1.0, 10, 0.5)
    assert area_and_method(many, MAX_AREA_STAIRS + 10)[1] == EVERY
    curves = lrs.CosineDecay(1.0, 100) * lrs.ExponentialDecay(1.0, 10, 0.5)
    value, method = area_and_method(curves, 300)
    assert method == EVERY
    assert value == pytest.approx(math.fsum(curves(step) for step in range(300)), rel=1e-12)


def test_pytorch_chained_exponential_and_step() -> None:
    """``ChainedScheduler([ExponentialLR(g), StepLR(T, r)])`` on ``lr=P`` ==
    ``ExponentialDecay(P, 1, g) * StepDecay(1.0, T, r)``."""
    theirs = torch_lrs(
        0.4,
        lambda o: SCHED.ChainedScheduler(
            [SCHED.ExponentialLR(o, gamma=0.997), SCHED.StepLR(o, step_size=90, gamma=0.6)]
        ),
        1500,
    )
    ours = lrs.ExponentialDecay(0.4, 1, 0.997) * lrs.StepDecay(1.0, 90, 0.6)
    assert_parity(ours_at(ours, 1500), theirs, rtol=1e-12)


def test_pytorch_chained_constant_and_exponential() -> None:
    """``ChainedScheduler([ConstantLR(factor=f, total_iters=W), ExponentialLR(g)])`` on
    ``lr=P`` == ``PiecewiseConstantDecay([W - 1], [f, 1.0]) * ExponentialDecay(P, 1, g)``."""
    theirs = torch_lrs(
        0.2,
        lambda o: SCHED.ChainedScheduler(
            [
                SCHED.ConstantLR(o, factor=0.25, total_iters=40),
                SCHED.ExponentialLR(o, gamma=0.999),
            ]
        ),
        1200,
    )
    ours = lrs.PiecewiseConstantDecay([39], [0.25, 1.0]) * lrs.ExponentialDecay(0.2, 1, 0.999)
    assert_parity(ours_at(ours, 1200), theirs, rtol=1e-12)


def test_a_factor_of_zero_stops_the_rate_even_against_an_overflowed_one() -> None:
    product = lrs.ExponentialDecay(1.0, 1, 2.0) * lrs.ExponentialDecay(1.0, 1, 0.5)
    huge = 10**4  # 2.0 ** huge is inf, 0.5 ** huge is 0
    assert product(huge) == 0.0 and product(float(huge)) == 0.0
    for step in (np.array([huge]), torch.tensor([huge]), tf.constant([huge], tf.int64)):
        assert np.asarray(product(step)).tolist() == [0.0], step
    assert np.asarray(jax.jit(product)(jnp.array([huge]))).tolist() == [0.0]
    assert product(10) == 1.0  # elsewhere the plain product
