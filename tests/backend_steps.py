"""Every backend and step dtype a schedule accepts, with the accuracy the README documents.

A :class:`Backend` turns a list of steps (Python ints or floats, already representable in
its dtype: see :meth:`Backend.representable`) into that backend's step, calls the
schedule once (a batch of steps, or one Python scalar at a time), checks the result's
type and dtype, and gives back the values as float64. Its bound (README, "Step types"):

* Python and NumPy compute in float64: within a few float64 epsilons (relative) of the
  exact value: :data:`KERAS_ULPS` for the Keras family (the bound ``test_keras_parity``
  checks against the 60-digit references), :data:`FAMILY_ULPS` for the rest (the bound of
  ``test_family`` and ``test_compose``); a float32 step array gets that value rounded to
  float32 (within 1 ulp).
* PyTorch and TensorFlow compute in float64 and round once: a float32 result is within
  1 float32 ulp of the exact value.
* JAX without x64 computes in float32: within 8 float32 ulps (16 for ``PolynomialDecay``
  with a power that is not a whole number, anywhere in the schedule).

JAX and TensorFlow flush float32 results below the smallest normal float32 (1.2e-38) to
zero (XLA and TensorFlow run with denormals off), so there a result may be 0 instead;
they read a subnormal float32 step as 0 as well, so none is drawn for them.
"""

from __future__ import annotations

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np
import tensorflow as tf
import torch

from lrschedule import (
    Clip,
    CoolDown,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    Join,
    PiecewiseConstantDecay,
    PlateauScaled,
    PolynomialDecay,
    Product,
    RescaleTime,
    Scale,
    TrainLonger,
    Warmup,
)

#: Float64 results of the Keras family: float64 epsilons (relative) of the exact value.
KERAS_ULPS = 4
#: ... of the other schedules and the composites.
FAMILY_ULPS = 8
KERAS_FAMILY = (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
#: JAX float32 results (x64 off): float32 ulps of the exact value.
JAX_ULPS = 8
#: ... where a ``PolynomialDecay`` with a power that is not a whole number is involved.
JAX_POW_ULPS = 16

EPS64 = 2.0**-52
TINY32 = float(np.finfo(np.float32).tiny)
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
#: The largest Python int step drawn (Python ints of any size are exact).
PYTHON_INT_MAX = 2**80
#: The largest float step drawn: huge, yet every reference stays fast.
FLOAT_MAX = 2.0**80


@dataclass(frozen=True)
class Backend:
    """One step type: how to build it, what it returns, how close to exact it must be.

    Attributes:
        name: The test id (``"jax float32"``).
        step: ``"int"``, ``"float64"`` or ``"float32"``: what the steps are.
        max_step: The largest step of that dtype drawn.
        result: ``"float64"`` or ``"float32"``: the result's dtype.
        ulps: The bound: float64 epsilons for a float64 result, float32 ulps otherwise;
            a function of the schedule for JAX.
        flush: Whether float32 results (and steps) below the smallest normal float32 are 0.
        run: Calls the schedule on the steps; returns the values as float64.
    """

    name: str
    step: str
    max_step: int | float
    result: str
    ulps: Callable[[Any], float]
    flush: bool
    run: Callable[[Any, Sequence[int | float]], np.ndarray]

    def representable(self, value: int | float) -> int | float:
        """``value`` (>= 0) as a step of this dtype: clipped to the range, then rounded."""
        value = min(max(value, 0), self.max_step)
        if self.step == "int":
            return int(value)
        if self.step == "float32":
            narrow = float(np.float32(value))
            # JAX and TensorFlow read a subnormal float32 step as 0 (denormals are off).
            return 0.0 if self.flush and narrow < TINY32 else narrow
        return float(value)


def _children(schedule: Any) -> Iterator[Any]:
    if isinstance(schedule, (Join, Product)):
        yield from schedule.schedules
    elif isinstance(
        schedule, (Clip, CoolDown, PlateauScaled, RescaleTime, Scale, TrainLonger, Warmup)
    ):
        yield schedule.schedule


def _has_fractional_power(schedule: Any) -> bool:
    if isinstance(schedule, PolynomialDecay) and float(schedule.power) != int(schedule.power):
        return True
    return any(_has_fractional_power(child) for child in _children(schedule))


def jax_ulps(schedule: Any) -> float:
    """The JAX float32 bound for ``schedule``."""
    return JAX_POW_ULPS if _has_fractional_power(schedule) else JAX_ULPS


def float64_ulps(schedule: Any) -> float:
    """The float64 bound for ``schedule``."""
    return KERAS_ULPS if isinstance(schedule, KERAS_FAMILY) else FAMILY_ULPS


def _python(kind: type) -> Callable[[Any, Sequence[int | float]], np.ndarray]:
    def run(schedule: Any, steps: Sequence[int | float]) -> np.ndarray:
        values = [schedule(kind(step)) for step in steps]
        assert all(type(value) is float for value in values), values
        return np.asarray(values, dtype=np.float64)

    return run


def _numpy(dtype: Any, result: Any) -> Callable[[Any, Sequence[int | float]], np.ndarray]:
    def run(schedule: Any, steps: Sequence[int | float]) -> np.ndarray:
        array = np.asarray(steps, dtype=dtype)
        assert array.tolist() == list(steps)  # the steps are representable
        values = schedule(array)
        assert isinstance(values, np.ndarray) and values.dtype == result, values
        assert values.shape == array.shape
        return values.astype(np.float64)

    return run


def _framework(
    make: Callable[[Sequence[int | float]], Any], kind: Any, dtype: Any
) -> Callable[[Any, Sequence[int | float]], np.ndarray]:
    def run(schedule: Any, steps: Sequence[int | float]) -> np.ndarray:
        tensor = make(steps)
        assert np.asarray(tensor).tolist() == list(steps)  # the steps are representable
        values: Any = schedule(tensor)
        assert isinstance(values, kind) and values.dtype == dtype, (type(values), values)
        array = np.asarray(values)
        assert array.shape == (len(steps),)
        return array.astype(np.float64)

    return run


def _fixed(ulps: float) -> Callable[[Any], float]:
    return lambda schedule: ulps


BACKENDS: dict[str, Backend] = {
    backend.name: backend
    for backend in [
        Backend("python int", "int", PYTHON_INT_MAX, "float64", float64_ulps, False, _python(int)),
        Backend(
            "python float", "float64", FLOAT_MAX, "float64", float64_ulps, False, _python(float)
        ),
        Backend(
            "numpy int64",
            "int",
            INT64_MAX,
            "float64",
            float64_ulps,
            False,
            _numpy(np.int64, np.float64),
        ),
        Backend(
            "numpy float32",
            "float32",
            FLOAT_MAX,
            "float32",
            _fixed(1),
            False,
            _numpy(np.float32, np.float32),
        ),
        Backend(
            "numpy float64",
            "float64",
            FLOAT_MAX,
            "float64",
            float64_ulps,
            False,
            _numpy(np.float64, np.float64),
        ),
        Backend(
            "torch int64",
            "int",
            INT64_MAX,
            "float32",
            _fixed(1),
            False,
            _framework(lambda s: torch.tensor(s, dtype=torch.int64), torch.Tensor, torch.float32),
        ),
        Backend(
            "torch float32",
            "float32",
            FLOAT_MAX,
            "float32",
            _fixed(1),
            False,
            _framework(lambda s: torch.tensor(s, dtype=torch.float32), torch.Tensor, torch.float32),
        ),
        Backend(
            "jax int32",
            "int",
            INT32_MAX,
            "float32",
            jax_ulps,
            True,
            _framework(lambda s: jnp.asarray(s, dtype=jnp.int32), jnp.ndarray, jnp.float32),
        ),
        Backend(
            "jax float32",
            "float32",
            FLOAT_MAX,
            "float32",
            jax_ulps,
            True,
            _framework(lambda s: jnp.asarray(s, dtype=jnp.float32), jnp.ndarray, jnp.float32),
        ),
        Backend(
            "tensorflow int64",
            "int",
            INT64_MAX,
            "float32",
            _fixed(1),
            True,
            _framework(lambda s: tf.constant(s, dtype=tf.int64), tf.Tensor, tf.float32),
        ),
        Backend(
            "tensorflow float32",
            "float32",
            FLOAT_MAX,
            "float32",
            _fixed(1),
            True,
            _framework(lambda s: tf.constant(s, dtype=tf.float32), tf.Tensor, tf.float32),
        ),
    ]
}


def tolerance(backend: Backend, schedule: Any, exact: float) -> float:
    """How far from ``exact`` (the exact value rounded to float64) a result may be."""
    ulps = backend.ulps(schedule)
    if backend.result == "float64":
        return ulps * max(EPS64 * abs(exact), 2.0**-1074)
    with np.errstate(over="ignore"):
        rounded = np.float32(exact)
    unit = float(np.spacing(np.abs(rounded))) if math.isfinite(rounded) else 0.0
    bound = ulps * unit
    return max(bound, TINY32) if backend.flush else bound


def in_range(backend: Backend, exact: float) -> bool:
    """Whether the exact value, rounded to the result dtype, is finite."""
    if backend.result == "float64":
        return math.isfinite(exact)
    with np.errstate(over="ignore"):
        return math.isfinite(np.float32(exact))
