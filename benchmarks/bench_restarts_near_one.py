"""First-call and per-call time of ``CosineDecayRestarts`` with ``t_mul`` near 1, per backend.

Run it as ``PYTHONPATH=src python benchmarks/bench_restarts_near_one.py``. Each backend is
first used once with an unrelated schedule (its import and warm-up are not counted); then,
per configuration, a fresh schedule's first call (the exact table, the double-word
constants, for JAX the compilation) and the median of 20 more. PyTorch runs on one thread:
its CPU thread pool dominates small calls on a busy machine.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import jax
import jax.numpy as jnp
import numpy as np
import tensorflow as tf
import torch

from lrschedule import CosineDecayRestarts

torch.set_num_threads(1)

STEPS: dict[str, Callable[[], Any]] = {
    "python int": lambda: 10**12,
    "python float": lambda: 1e300,
    "numpy int64[1000]": lambda: np.arange(10**9, 10**9 + 1000),
    "numpy float64[1000]": lambda: np.linspace(0, 1e300, 1000),
    "torch int64": lambda: torch.tensor(10**12),
    "torch float32": lambda: torch.tensor(0.0),
    "torch float64[1000]": lambda: torch.linspace(0, 1e300, 1000, dtype=torch.float64),
    "jax int32": lambda: jnp.asarray(12345, jnp.int32),
    "jax float32": lambda: jnp.asarray(0.0),
    "tf int64": lambda: tf.constant(10**12, tf.int64),
    "tf float32": lambda: tf.constant(0.0),
}
CONFIGS = [(1, 1.001), (629377.4, 0.999), (1, 1 + 2**-40)]


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    result = call()
    if hasattr(result, "block_until_ready"):
        result.block_until_ready()
    return time.perf_counter() - start


def main() -> None:
    for make in STEPS.values():
        CosineDecayRestarts(0.1, 10)(make())
    for first, t in CONFIGS:
        print(f"first_decay_steps={first}, t_mul={t!r}")
        for name, make in STEPS.items():
            schedule, step = CosineDecayRestarts(0.1, first, t_mul=t), make()
            first_call = timed(lambda: schedule(step))  # noqa: B023
            later = statistics.median(timed(lambda: schedule(step)) for _ in range(20))  # noqa: B023
            print(f"  {name:20s} first call {first_call * 1e3:8.1f} ms, then {later * 1e3:7.3f} ms")
    compiled = jax.jit(CosineDecayRestarts(0.1, 1, t_mul=1.001))
    first_call = timed(lambda: compiled(jnp.asarray(5, jnp.int32)))
    later = statistics.median(timed(lambda: compiled(jnp.asarray(6, jnp.int32))) for _ in range(20))
    print(
        f"jax.jit, t_mul=1.001: compile and first call {first_call * 1e3:.0f} ms, "
        f"then {later * 1e3:.3f} ms"
    )
    graph = tf.function(CosineDecayRestarts(0.1, 1, t_mul=1.001))
    first_call = timed(lambda: graph(tf.constant(5, tf.int64)))
    later = statistics.median(timed(lambda: graph(tf.constant(6, tf.int64))) for _ in range(20))
    print(
        f"tf.function, t_mul=1.001: trace and first call {first_call * 1e3:.0f} ms, "
        f"then {later * 1e3:.3f} ms"
    )


if __name__ == "__main__":
    main()
