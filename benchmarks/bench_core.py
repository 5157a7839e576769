"""Core speed, side by side: lrschedule vs a hand-written formula vs Keras 3, in one run.

Scalar: nanoseconds per call with a Python ``int`` step, for every schedule, next to a
hand-written Python function of the same formula (Keras's, in plain ``math``) and next to
Keras 3's own class (TensorFlow backend, eager). Array: nanoseconds per element over 10**7
int64 steps, next to the hand-written NumPy expression of the same formula (for
``ExponentialDecay``, ``lr * np.exp(step * (np.log(rate) / decay_steps))``).

Targets: a scalar call within 1.5x of the hand-written function; an array within 1.5x of
the hand-written NumPy expression. The scalar table ends with its floor: the formula of
``ExponentialDecay`` alone in the ``__call__`` of a class (no checks), which shows what calling
a Python object costs next to calling a function in the same run.

Timed with pyperf: each figure is the median of values taken in several fresh worker
processes (``-p``, ``--rigorous`` and pyperf's other options apply). Keras's column is
timed in this process (pyperf's in-process mode), after the others: each worker would
import TensorFlow, seconds each, for a ratio in the thousands.

Run: ``make bench`` (or ``python benchmarks/bench_core.py [--quick]``; ``--quick``: 10**5
elements, everything in this process, a few short values: a smoke test).
"""

from __future__ import annotations

import math
import os
from bisect import bisect_left
from collections.abc import Callable
from typing import Any

import numpy as np
import timing

import lrschedule as lrs

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

LR, D, RATE, END, POWER, ALPHA = 0.1, 100_000, 0.96, 0.001, 2.0, 0.01
BOUNDS, VALUES = [100_000, 200_000, 500_000], [0.1, 0.05, 0.01, 0.001]
WARMUP, TARGET = 10_000, 1.0
FIRST, T_MUL, M_MUL = 10_000, 2.0, 0.9
STEP = 123_456


def sgdr(step: float) -> float:
    """Keras's CosineDecayRestarts formula, in plain Python."""
    fraction = step / FIRST
    i = math.floor(math.log(1.0 - fraction * (1.0 - T_MUL)) / math.log(T_MUL))
    fraction = (fraction - (1.0 - T_MUL**i) / (1.0 - T_MUL)) / T_MUL**i
    return LR * ((1 - ALPHA) * 0.5 * M_MUL**i * (1.0 + math.cos(math.pi * fraction)) + ALPHA)


def warm_cosine(step: float) -> float:
    if step < WARMUP:
        return LR + (TARGET - LR) * (step / WARMUP)
    s = min(step - WARMUP, D)
    return TARGET * ((1 - ALPHA) * 0.5 * (1 + math.cos(math.pi * s / D)) + ALPHA)


def np_sgdr(s: Any) -> Any:
    fraction = s / FIRST
    i = np.floor(np.log(1.0 - fraction * (1.0 - T_MUL)) / np.log(T_MUL))
    fraction = (fraction - (1.0 - T_MUL**i) / (1.0 - T_MUL)) / T_MUL**i
    return LR * ((1 - ALPHA) * 0.5 * M_MUL**i * (1.0 + np.cos(np.pi * fraction)) + ALPHA)


def np_warm_cosine(s: Any) -> Any:
    decayed = np.minimum(np.maximum(s - WARMUP, 0), D)
    cosine = TARGET * ((1 - ALPHA) * 0.5 * (1 + np.cos(np.pi * decayed / D)) + ALPHA)
    return np.where(s < WARMUP, LR + (TARGET - LR) * (s / WARMUP), cosine)


# name: (ours, hand-written Python, hand-written NumPy, Keras class name and arguments)
CASES: dict[
    str, tuple[Any, Callable[[Any], Any], Callable[[Any], Any], tuple[str, tuple, dict]]
] = {
    "ExponentialDecay": (
        lrs.ExponentialDecay(LR, D, RATE),
        lambda s: LR * RATE ** (s / D),
        lambda s: LR * np.exp(s * (np.log(RATE) / D)),
        ("ExponentialDecay", (LR, D, RATE), {}),
    ),
    "ExponentialDecay(staircase)": (
        lrs.ExponentialDecay(LR, D, RATE, staircase=True),
        lambda s: LR * RATE ** (s // D),
        lambda s: LR * RATE ** (s // D),
        ("ExponentialDecay", (LR, D, RATE), {"staircase": True}),
    ),
    "InverseTimeDecay": (
        lrs.InverseTimeDecay(LR, D, 0.5),
        lambda s: LR / (1 + 0.5 * (s / D)),
        lambda s: LR / (1 + 0.5 * (s / D)),
        ("InverseTimeDecay", (LR, D, 0.5), {}),
    ),
    "PolynomialDecay": (
        lrs.PolynomialDecay(LR, 10 * D, END, POWER),
        lambda s: (LR - END) * (1 - min(s, 10 * D) / (10 * D)) ** POWER + END,
        lambda s: (LR - END) * (1 - np.minimum(s, 10 * D) / (10 * D)) ** POWER + END,
        ("PolynomialDecay", (LR, 10 * D, END, POWER), {}),
    ),
    "PiecewiseConstantDecay": (
        lrs.PiecewiseConstantDecay(BOUNDS, VALUES),
        lambda s: VALUES[bisect_left(BOUNDS, s)],
        lambda s: np.asarray(VALUES)[np.searchsorted(BOUNDS, s, side="left")],
        ("PiecewiseConstantDecay", (BOUNDS, VALUES), {}),
    ),
    "CosineDecay": (
        lrs.CosineDecay(LR, 10 * D, ALPHA),
        lambda s: (
            LR * ((1 - ALPHA) * 0.5 * (1 + math.cos(math.pi * min(s, 10 * D) / (10 * D))) + ALPHA)
        ),
        lambda s: (
            LR
            * ((1 - ALPHA) * 0.5 * (1 + np.cos(np.pi * np.minimum(s, 10 * D) / (10 * D))) + ALPHA)
        ),
        ("CosineDecay", (LR, 10 * D, ALPHA), {}),
    ),
    "CosineDecay(warmup)": (
        lrs.CosineDecay(LR, D, ALPHA, warmup_target=TARGET, warmup_steps=WARMUP),
        warm_cosine,
        np_warm_cosine,
        ("CosineDecay", (LR, D, ALPHA), {"warmup_target": TARGET, "warmup_steps": WARMUP}),
    ),
    "CosineDecayRestarts": (
        lrs.CosineDecayRestarts(LR, FIRST, T_MUL, M_MUL, ALPHA),
        sgdr,
        np_sgdr,
        ("CosineDecayRestarts", (LR, FIRST, T_MUL, M_MUL, ALPHA), {}),
    ),
}


class FormulaOnly:
    """The floor of any schedule object: ``ExponentialDecay``'s formula, alone in a ``__call__``.

    No check of the step's type or range, the parameters in slots: what calling a Python
    object costs on top of the hand-written function, before a schedule does anything else.
    """

    __slots__ = ("lr", "steps", "rate")

    def __init__(self) -> None:
        self.lr, self.steps, self.rate = LR, D, RATE

    def __call__(self, step: Any) -> Any:
        return self.lr * self.rate ** (step / self.steps)


def keras_schedule(keras_name: str, args: tuple, kwargs: dict) -> Callable[[Any], Any]:
    import keras

    schedule: Callable[[Any], Any] = getattr(keras.optimizers.schedules, keras_name)(
        *args, **kwargs
    )
    return schedule


def steps_array(elements: int) -> Any:
    return np.arange(elements, dtype=np.int64) * 37  # up to 3.7e8


def check(elements: int) -> None:
    """Ours and the hand-written formulas agree (else the comparison would be meaningless)."""
    steps = steps_array(min(elements, 1000))
    for name, (ours, hand, hand_np, _) in CASES.items():
        assert math.isclose(float(ours(STEP)), hand(STEP), rel_tol=1e-9), name
        np.testing.assert_allclose(ours(steps), hand_np(steps), rtol=1e-9, err_msg=name)


def main() -> None:
    run, quick = timing.runner(6, "10**5 elements, in this process (a smoke test)")
    elements = 10**5 if quick else 10**7
    if not run.args.worker:
        check(elements)
    benchmarks: dict[str, Callable[[], timing.Call]] = {}
    for name, (ours, hand, _, _) in CASES.items():
        benchmarks[f"scalar {name}: ours"] = lambda ours=ours: (ours, STEP)
        benchmarks[f"scalar {name}: hand"] = lambda hand=hand: (hand, STEP)
    benchmarks["scalar floor: formula alone in __call__"] = lambda: (FormulaOnly(), STEP)
    for name, (ours, _, hand_np, _) in CASES.items():
        benchmarks[f"array {name}: ours"] = lambda ours=ours: (ours, steps_array(elements))
        benchmarks[f"array {name}: numpy"] = lambda hand=hand_np: (hand, steps_array(elements))
    median = timing.medians(run, benchmarks)
    # Keras last, in this process: the workers above never import TensorFlow.
    run.args.in_process = True
    keras_median = timing.medians(
        run,
        {
            f"scalar {name}: keras": lambda case=case: (keras_schedule(*case), STEP)
            for name, (*_, case) in CASES.items()
        },
    )
    if median is None or keras_median is None:  # a worker process
        return
    median.update(keras_median)

    print()
    print(f"Scalar: ns per call, Python int step {STEP:,}  (target: ours <= 1.5x hand-written)")
    header = (
        f"{'schedule':28} {'ours':>8} {'hand':>8} {'ratio':>6} {'keras':>10} {'keras/ours':>10}"
    )
    print(header)
    print("-" * len(header))
    for name in CASES:
        ours_ns, hand_ns, keras_ns = (
            median[f"scalar {name}: {who}"] * 1e9 for who in ("ours", "hand", "keras")
        )
        print(
            f"{name:28} {ours_ns:8.0f} {hand_ns:8.0f} {ours_ns / hand_ns:6.2f} "
            f"{keras_ns:10.0f} {keras_ns / ours_ns:10.0f}"
        )
    floor_ns = median["scalar floor: formula alone in __call__"] * 1e9
    hand_ns = median["scalar ExponentialDecay: hand"] * 1e9
    print(
        f"{'floor: the formula alone':28} {floor_ns:8.0f} {hand_ns:8.0f} {floor_ns / hand_ns:6.2f}"
        "   (ExponentialDecay's formula in a bare __call__: the cost of calling an object)"
    )
    print()
    print(f"Array: ns per element, {elements:,} int64 steps (target: ours <= 1.5x hand NumPy)")
    header = f"{'schedule':28} {'ours':>8} {'numpy':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for name in CASES:
        ours_ns, hand_ns = (
            median[f"array {name}: {who}"] * 1e9 / elements for who in ("ours", "numpy")
        )
        print(f"{name:28} {ours_ns:8.2f} {hand_ns:8.2f} {ours_ns / hand_ns:6.2f}")


if __name__ == "__main__":
    main()
