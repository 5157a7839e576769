"""NumPy steps: result types, dtypes and shapes, exactness past 2**53, agreement with Python."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lrschedule import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

SCHEDULES = [
    ExponentialDecay(0.1, 1000, 0.96),
    ExponentialDecay(0.1, 7, 0.9, staircase=True),
    ExponentialDecay(0.1, 2.5, 0.9, staircase=True),
    InverseTimeDecay(0.1, 10, 0.5),
    InverseTimeDecay(0.1, 10, 0.5, staircase=True),
    PolynomialDecay(0.1, 100, 0.01, power=2.0),
    PolynomialDecay(0.1, 100, 0.01, power=0.5, cycle=True),
    PolynomialDecay(0.1, 2.5, 0.01, cycle=True),
    PiecewiseConstantDecay([10, 20.5, 100], [1.0, 0.5, 0.1, 0.01]),
    PiecewiseConstantDecay([], [0.25]),
    CosineDecay(0.1, 100, alpha=0.1),
    CosineDecay(0.0, 100, alpha=0.1, warmup_target=1.0, warmup_steps=20),
    CosineDecay(0.5, 100, warmup_target=1.0, warmup_steps=0),
    CosineDecay(0.0, 10.5, warmup_target=1.0, warmup_steps=2.5),
    CosineDecayRestarts(1.0, 10),
    CosineDecayRestarts(1.0, 10, t_mul=1.0, m_mul=0.9, alpha=0.1),
    CosineDecayRestarts(1.0, 10, t_mul=1.5, m_mul=0.8),
    CosineDecayRestarts(1.0, 2.5, t_mul=3.0),
    CosineDecayRestarts(1.0, 10, t_mul=0.5),
    CosineDecayRestarts(1.0, 7, t_mul=0.9, alpha=0.2),
]


def ids(schedule: Any) -> str:
    return repr(schedule)[:70]


def assert_close_ulps(actual: Any, expected: Any, ulps: int = 2) -> None:
    """Equal within a few units in the last place (NumPy's and libm's sin/pow may differ by one)."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    tolerance = ulps * np.spacing(np.abs(expected)) + 1e-300
    assert np.all(np.abs(actual - expected) <= tolerance), np.max(np.abs(actual - expected))


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_array_agrees_with_python_ints(schedule: Any) -> None:
    steps = np.arange(0, 2500)
    expected = [schedule(int(step)) for step in steps]
    assert_close_ulps(schedule(steps), expected)
    assert_close_ulps(schedule(steps.astype(np.uint32)), expected)
    # Float steps take the float path, within its bound of the exact value: as Python floats.
    floats = [schedule(float(step)) for step in steps]
    assert_close_ulps(schedule(steps.astype(np.float64)), floats)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_float_steps_agree_with_python_floats(schedule: Any) -> None:
    steps = np.linspace(0, 300, 1201)
    expected = [schedule(float(step)) for step in steps]
    assert_close_ulps(schedule(steps), expected)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_int64_beyond_2_to_53_is_exact(schedule: Any) -> None:
    # float64 cannot hold these steps; the NumPy path divides them as integers.
    base = 2**62
    steps = np.array([base + offset for offset in range(-40, 41)], dtype=np.int64)
    expected = [schedule(int(step)) for step in steps]
    assert_close_ulps(schedule(steps), expected, ulps=4)


def test_staircase_switch_is_exact_above_2_to_53() -> None:
    schedule = ExponentialDecay(1.0, 3, 0.5, staircase=True)
    step = 3 * 2**55  # a multiple of 3 that float64 cannot tell from its neighbours
    values = schedule(np.array([step - 1, step, step + 1], dtype=np.int64))
    exponent = step // 3
    expected = [0.5 ** (exponent - 1), 0.5**exponent, 0.5**exponent]
    np.testing.assert_array_equal(values, expected)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
@pytest.mark.parametrize(
    ("dtype", "result_dtype"),
    [
        (np.int8, np.float64),
        (np.int32, np.float64),
        (np.int64, np.float64),
        (np.uint64, np.float64),
        (np.float16, np.float16),
        (np.float32, np.float32),
        (np.float64, np.float64),
    ],
)
def test_result_dtype_follows_the_step(schedule: Any, dtype: Any, result_dtype: Any) -> None:
    array = np.array([[0, 1], [3, 50]], dtype=dtype)
    result = schedule(array)
    assert isinstance(result, np.ndarray)
    assert result.dtype == result_dtype and result.shape == (2, 2)
    scalar = schedule(dtype(3))
    assert isinstance(scalar, np.generic) and not isinstance(scalar, np.ndarray)
    assert scalar.dtype == result_dtype
    zero_d = schedule(np.array(3, dtype=dtype))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and zero_d.dtype == result_dtype


def test_float32_result_is_the_rounded_float64_value() -> None:
    schedule = CosineDecay(0.1, 10**6, alpha=0.01)
    steps = np.arange(0, 10**6, 997)
    np.testing.assert_array_equal(
        schedule(steps.astype(np.float32)), schedule(steps).astype(np.float32)
    )


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_empty_and_shaped_arrays(schedule: Any) -> None:
    assert schedule(np.array([], dtype=np.int64)).shape == (0,)
    cube = np.arange(24).reshape(2, 3, 4)
    result = schedule(cube)
    assert result.shape == (2, 3, 4)
    assert_close_ulps(result.ravel(), [schedule(int(s)) for s in cube.ravel()])


def test_numpy_scalar_is_not_a_python_step() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    result = schedule(np.float64(5.0))
    assert type(result) is np.float64
    assert type(schedule(5.0)) is float and type(schedule(5)) is float


def test_the_input_array_is_not_modified() -> None:
    steps = np.arange(10, dtype=np.int64)
    before = steps.copy()
    CosineDecayRestarts(1.0, 3, t_mul=1.5)(steps)
    np.testing.assert_array_equal(steps, before)


def test_restart_table_grows_with_the_largest_step() -> None:
    schedule = CosineDecayRestarts(1.0, 10, t_mul=1.5)
    small = schedule(np.arange(100))
    large = schedule(np.array([10**15, 10**15 + 1]))
    again = schedule(np.arange(100))
    np.testing.assert_array_equal(small, again)
    assert np.all(np.isfinite(large))


@pytest.mark.parametrize(
    "schedule",
    [
        ExponentialDecay(0.1, 1e19, 0.5),
        ExponentialDecay(0.1, 1e19, 0.5, staircase=True),
        InverseTimeDecay(0.1, 1e19, 1.0, staircase=True),
        PolynomialDecay(0.1, 1e19, cycle=True),
        PiecewiseConstantDecay([1e19], [1.0, 2.0]),
        CosineDecay(0.1, 1e19),
        CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=1e19),
        CosineDecayRestarts(1.0, 1e19),
        CosineDecayRestarts(1.0, 1e19, t_mul=1.0),
    ],
    ids=ids,
)
def test_constants_beyond_int64_with_int64_steps(schedule: Any) -> None:
    # 1e19 steps has no int64 representation: every int64 step is below it, which must
    # settle the division rather than overflow.
    steps = [0, 1, 2, 2**53 + 1, 2**62, 2**63 - 1]
    result = schedule(np.asarray(steps, dtype=np.int64))
    assert_close_ulps(result, [schedule(step) for step in steps], ulps=4)


def test_a_float32_result_past_its_range_is_inf_without_a_warning() -> None:
    # The float64 value 1e300 (exact) is past float32's range: inf, the exact value rounded,
    # without NumPy's "overflow encountered in cast" RuntimeWarning.
    import warnings

    steps = np.array([0.0, 5.0, 1e6], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = Constant(1e300)(steps)
        growing = ExponentialDecay(1e30, 10, 1e20)(steps)
    assert values.dtype == np.float32 and np.all(np.isposinf(values))
    assert growing.tolist()[0] == float(np.float32(1e30)) and np.isposinf(growing[1:]).all()
