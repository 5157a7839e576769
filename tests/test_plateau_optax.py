"""The Optax form: the plateau's state in the optimizer state, observed and applied under jax.jit."""

from __future__ import annotations

import math
import random

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lrschedule import Constant, CosineDecay, ReduceOnPlateau, Warmup
from lrschedule.optax_plateau import (
    PlateauState,
    load_state_dict,
    observe,
    scale_by_plateau_schedule,
    state_dict,
)


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
def test_jitted_observe_matches_the_controller(mode: str, threshold_mode: str) -> None:
    rng = random.Random(f"{mode}{threshold_mode}")
    traces = []

    def traced(opt_state, metric, plateau):
        traces.append(1)
        return observe(opt_state, metric, plateau)

    step = jax.jit(traced, static_argnums=2)
    configurations = set()
    with jax.enable_x64(True):
        for _ in range(15):
            arguments = {
                "mode": mode,
                "threshold_mode": threshold_mode,
                "factor": rng.choice([0.1, 0.5, 0.7]),
                "patience": rng.randint(0, 4),
                "cooldown": rng.randint(0, 3),
                "threshold": rng.choice([0.0, 1e-3, 0.01]),
                "min_scale": rng.choice([0.0, 1e-3]),
                "eps": rng.choice([0.0, 1e-8, 1e-3]),
            }
            configurations.add(tuple(sorted(arguments.items())))
            reference = ReduceOnPlateau(**arguments)
            plateau = ReduceOnPlateau(**arguments)
            tx = scale_by_plateau_schedule(Constant(0.1) * plateau)
            opt_state = tx.init(jnp.zeros(2))
            value = 1.0
            for _ in range(100):
                value *= 1 + rng.choice([-0.05, -0.001, 0.0, 0.0005, 0.02])
                metric = value if mode == "min" else -value
                reference.observe(metric)
                opt_state = step(opt_state, jnp.asarray(metric), plateau)
                assert state_dict(opt_state, plateau) == reference.state_dict()
    # Once per configuration (equal controllers share a trace), not per observation.
    assert len(traces) == len(configurations)


def test_train_step_compiles_once_and_uses_the_scale() -> None:
    base = Warmup(CosineDecay(0.1, 40), warmup_steps=5)
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    schedule = base * plateau
    tx = optax.chain(optax.identity(), scale_by_plateau_schedule(schedule))
    params = jnp.zeros(3)
    opt_state = tx.init(params)
    traces = []

    @jax.jit
    def train(params, opt_state):
        traces.append(1)
        grads = jnp.ones_like(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    watch = jax.jit(observe, static_argnums=2)
    expected, scale = 0.0, 1.0
    for epoch in range(6):
        for k in range(epoch * 4, epoch * 4 + 4):
            params, opt_state = train(params, opt_state)
            expected -= base(k) * scale
        np.testing.assert_allclose(np.asarray(params), expected, rtol=2e-6)
        opt_state = watch(opt_state, jnp.asarray(1.0), plateau)
        scale = 1.0 if epoch == 0 else scale * 0.5
        assert state_dict(opt_state, plateau)["scale"] == scale
    assert len(traces) == 1
    # The Python controller is the configuration only: its own state did not move.
    assert plateau.state_dict()["count"] == 0


def test_state_dict_round_trip_and_checks() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=1, cooldown=2)
    tx = scale_by_plateau_schedule(Constant(0.1) * plateau)
    opt_state = tx.init(jnp.zeros(1))
    for metric in (1.0, 1.0, 1.0, 0.5):
        opt_state = observe(opt_state, metric, plateau)
    saved = state_dict(opt_state, plateau)
    assert saved == {
        "mode": "min",
        "scale": 0.5,
        "best": 0.5,
        "num_bad_epochs": 0,
        "cooldown_counter": 1,
        "reductions": 1,
        "count": 4,
    }
    fresh = load_state_dict(tx.init(jnp.zeros(1)), saved, plateau)
    assert state_dict(fresh, plateau) == saved
    python = ReduceOnPlateau(factor=0.5, patience=1, cooldown=2, state=saved)
    assert python.scale == 0.5
    with pytest.raises(ValueError, match="cooldown=0"):
        load_state_dict(opt_state, saved, ReduceOnPlateau(patience=1))
    with pytest.raises(ValueError, match="must hold one PlateauState"):
        state_dict(optax.sgd(0.1).init(jnp.zeros(1)), plateau)
    with pytest.raises(TypeError, match="must be a PlateauScaled"):
        scale_by_plateau_schedule(Constant(0.1))  # type: ignore[arg-type]
    assert isinstance(opt_state, PlateauState)


@pytest.mark.parametrize("nonfinite", ["raise", "ignore", "bad"])
def test_nonfinite_metrics_under_jit(nonfinite: str) -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0, nonfinite=nonfinite)
    tx = scale_by_plateau_schedule(Constant(0.1) * plateau)
    watch = jax.jit(observe, static_argnums=2)
    opt_state = watch(tx.init(jnp.zeros(1)), jnp.asarray(1.0), plateau)
    for bad in (math.nan, math.inf):
        opt_state = watch(opt_state, jnp.asarray(bad), plateau)
    state = state_dict(opt_state, plateau)
    if nonfinite == "bad":
        assert state["scale"] == 0.25 and state["count"] == 3
    else:
        assert state["scale"] == 1.0 and state["count"] == 1
    assert state["best"] == 1.0
    updates, _ = tx.update(jnp.ones(1), opt_state)
    assert np.isfinite(np.asarray(updates)).all()
