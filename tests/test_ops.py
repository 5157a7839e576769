"""The array primitives agree between plain Python and NumPy, including at the edges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrschedule.backends.numpy import NUMPY_OPS
from lrschedule.backends.python import PYTHON_OPS

POINTS = [0.0, 0.25, 1.0, 2.5, 7.0, 1e-300, 1e10]


@pytest.mark.parametrize("name", ["sin", "cos", "exp", "log", "sqrt", "absolute", "floor"])
def test_unary_primitives_agree(name: str) -> None:
    python = [getattr(PYTHON_OPS, name)(x) for x in POINTS]
    with np.errstate(divide="ignore", over="ignore"):
        numpy = getattr(NUMPY_OPS, name)(np.asarray(POINTS))
        reference = {
            "sin": np.sin,
            "cos": np.cos,
            "exp": np.exp,
            "log": np.log,
            "sqrt": np.sqrt,
            "absolute": np.abs,
            "floor": np.floor,
        }[name](np.asarray(POINTS))
    np.testing.assert_allclose(python, reference, rtol=2e-16)
    np.testing.assert_array_equal(numpy, reference)


def test_python_edges_do_not_raise() -> None:
    assert PYTHON_OPS.exp(1e6) == math.inf
    assert PYTHON_OPS.log(0.0) == -math.inf
    assert math.isnan(PYTHON_OPS.log(-1.0))
    assert math.isnan(PYTHON_OPS.sqrt(-1.0))
    assert PYTHON_OPS.power(1.5, 1e6) == math.inf
    assert PYTHON_OPS.floor(2.5) == 2.0
    assert type(PYTHON_OPS.floor(2.5)) is float


def test_exact_helpers_on_both() -> None:
    steps = [0, 1, 9, 10, 11, 2**53 + 7]
    for step in steps:
        array = np.asarray([step], dtype=np.int64)
        assert NUMPY_OPS.floor_ratio(NUMPY_OPS.prepare(array), 10)[0] == PYTHON_OPS.floor_ratio(
            step, 10
        )
        assert NUMPY_OPS.left(NUMPY_OPS.prepare(array), 10)[0] == PYTHON_OPS.left(step, 10)
        assert NUMPY_OPS.cycle_left(NUMPY_OPS.prepare(array), 10)[0] == PYTHON_OPS.cycle_left(
            step, 10
        )
    half = np.linspace(0, 1, 101)
    np.testing.assert_array_equal(
        NUMPY_OPS.half_cosine(half), [PYTHON_OPS.half_cosine(float(v)) for v in half]
    )
