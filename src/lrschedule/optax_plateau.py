"""Optax: reduce on plateau with the plateau's state inside the optimizer state, under ``jax.jit``.

:func:`scale_by_plateau_schedule` is ``optax.scale_by_learning_rate`` for a
:class:`~lrschedule.PlateauScaled` (``schedule * plateau``): it multiplies the updates by
``-schedule(count) * scale``, where the count and the plateau's state (scale, best, bad
count, cooldown counter, reductions, observations) are arrays of a :class:`PlateauState`
in the optimizer state. :func:`observe` is the controller's observation as a pure JAX
function of that state: ``opt_state = observe(opt_state, val_loss, plateau)``, jitted or
not, returns the optimizer state with every ``PlateauState`` in it updated by PyTorch's
rule (see :class:`~lrschedule.ReduceOnPlateau`)::

    schedule = Warmup(CosineDecay(1e-3, 10_000), 500) * ReduceOnPlateau(factor=0.5)
    tx = optax.chain(optax.scale_by_adam(), scale_by_plateau_schedule(schedule))
    ...
    opt_state = jax.jit(observe, static_argnums=2)(opt_state, val_loss, schedule.plateau)

The Python controller gives the configuration and the initial state (``tx.init`` starts
from its state); :func:`state_dict` reads a ``PlateauState`` back as the controller's
JSON-ready state dict, and :func:`load_state_dict` writes one into an optimizer state.
Under ``jax.jit`` nothing can raise, so a metric that is not finite is skipped (its
observation changes nothing), unless the plateau has ``nonfinite="bad"``, when it counts
as an observation that did not improve.

Importing this module imports JAX and Optax; ``import lrschedule`` does not.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from lrschedule.schedules.plateau import ReduceOnPlateau
from lrschedule.schedules.plateau_scaled import PlateauScaled

__all__ = ["PlateauState", "load_state_dict", "observe", "scale_by_plateau_schedule", "state_dict"]


_INT32_MAX = 2**31 - 1


class PlateauState(NamedTuple):
    """The step count and the plateau's state, as JAX arrays (``best`` is ``+-inf`` at first)."""

    count: Any
    scale: Any
    best: Any
    num_bad_epochs: Any
    cooldown_counter: Any
    reductions: Any
    observations: Any


def _state(plateau: ReduceOnPlateau, count: Any) -> PlateauState:
    state = plateau.state_dict()
    worst = jnp.inf if plateau.mode == "min" else -jnp.inf
    best = worst if state["best"] is None else state["best"]
    real = jnp.zeros(()).dtype  # float32, or float64 with x64
    return PlateauState(
        count=jnp.asarray(count, jnp.int32),
        scale=jnp.asarray(state["scale"], real),
        best=jnp.asarray(best, real),
        num_bad_epochs=jnp.asarray(state["num_bad_epochs"], jnp.int32),
        cooldown_counter=jnp.asarray(state["cooldown_counter"], jnp.int32),
        reductions=jnp.asarray(state["reductions"], jnp.int32),
        observations=jnp.asarray(state["count"], jnp.int32),
    )


def scale_by_plateau_schedule(schedule: PlateauScaled) -> optax.GradientTransformation:
    """Scale the updates by ``-schedule(count) * scale``, the plateau's state in the opt state.

    Args:
        schedule: ``schedule * plateau``, a :class:`~lrschedule.PlateauScaled`.

    Returns:
        An ``optax.GradientTransformation`` whose state is a :class:`PlateauState`.

    Raises:
        TypeError: ``schedule`` is not a ``PlateauScaled``.
    """
    if not isinstance(schedule, PlateauScaled):
        raise TypeError(
            "Argument `schedule` must be a PlateauScaled (schedule * plateau). "
            f"Received: schedule={schedule!r} of type {type(schedule).__name__}"
        )

    def init(params: Any) -> PlateauState:
        del params
        return _state(schedule.plateau, 0)

    def update(updates: Any, state: PlateauState, params: Any = None) -> tuple[Any, PlateauState]:
        del params
        rate = schedule.rate(state.count, state.scale)
        updates = jax.tree_util.tree_map(lambda u: (-rate).astype(u.dtype) * u, updates)
        count = jnp.minimum(state.count, _INT32_MAX - 1) + 1
        return updates, state._replace(count=count)

    return optax.GradientTransformation(init, update)


def _observed(state: PlateauState, metric: Any, plateau: ReduceOnPlateau) -> PlateauState:
    """One observation of ``metric``: PyTorch's rule on arrays (``jnp.where``, no branches)."""
    value = jnp.asarray(metric, state.best.dtype)
    finite = jnp.isfinite(value)
    best = state.best
    if plateau.threshold_mode == "rel":
        edge = best * (
            1.0 - plateau.threshold if plateau.mode == "min" else 1.0 + plateau.threshold
        )
    else:
        edge = best - plateau.threshold if plateau.mode == "min" else best + plateau.threshold
    better = finite & ((value < edge) if plateau.mode == "min" else (value > edge))
    better = better | (finite & ~jnp.isfinite(best))  # the first finite observation
    bad = jnp.where(better, 0, state.num_bad_epochs + 1)
    best = jnp.where(better, value, best)
    cooling = state.cooldown_counter > 0
    cooldown_counter = jnp.where(cooling, state.cooldown_counter - 1, state.cooldown_counter)
    bad = jnp.where(cooling, 0, bad)
    reduce = bad > plateau.patience
    lowered = jnp.maximum(state.scale * plateau.factor, plateau.min_scale)
    scale = jnp.where(reduce & (state.scale - lowered > plateau.eps), lowered, state.scale)
    new = PlateauState(
        count=state.count,
        scale=scale,
        best=best,
        num_bad_epochs=jnp.where(reduce, 0, bad),
        cooldown_counter=jnp.where(reduce, plateau.cooldown, cooldown_counter),
        reductions=state.reductions + reduce.astype(jnp.int32),
        observations=state.observations + 1,
    )
    if plateau.nonfinite == "bad":
        return new
    kept: PlateauState = jax.tree_util.tree_map(lambda a, b: jnp.where(finite, a, b), new, state)
    return kept


def _replace_states(opt_state: Any, change: Any) -> Any:
    def visit(node: Any) -> Any:
        return change(node) if isinstance(node, PlateauState) else node

    return jax.tree_util.tree_map(
        visit, opt_state, is_leaf=lambda node: isinstance(node, PlateauState)
    )


def observe(opt_state: Any, metric: Any, plateau: ReduceOnPlateau) -> Any:
    """``opt_state`` with every :class:`PlateauState` in it having observed ``metric``.

    Pure and traceable: ``jax.jit(observe, static_argnums=2)`` compiles once (the plateau,
    hashed by identity, gives the static configuration; ``metric`` is a traced input).
    """
    return _replace_states(opt_state, lambda state: _observed(state, metric, plateau))


def state_dict(opt_state: Any, plateau: ReduceOnPlateau) -> dict[str, Any]:
    """The one ``PlateauState`` of ``opt_state`` as :meth:`ReduceOnPlateau.state_dict`
    writes it, for checkpoints or to load into the Python controller (``plateau``, whose
    mode it is).

    Raises:
        ValueError: ``opt_state`` holds no ``PlateauState``, or several.
    """
    (state,) = _one(opt_state)
    finite = bool(jnp.isfinite(state.best))
    return {
        "mode": plateau.mode,
        "scale": float(state.scale),
        "best": float(state.best) if finite else None,
        "num_bad_epochs": int(state.num_bad_epochs),
        "cooldown_counter": int(state.cooldown_counter),
        "reductions": int(state.reductions),
        "count": int(state.observations),
    }


def load_state_dict(opt_state: Any, state: dict[str, Any], plateau: ReduceOnPlateau) -> Any:
    """``opt_state`` with its ``PlateauState`` set to ``state`` (checked as
    :meth:`ReduceOnPlateau.load_state_dict` checks it against ``plateau``); the count is kept.

    Raises:
        ValueError: ``state`` does not fit the plateau's configuration, or ``opt_state``
            holds no ``PlateauState``, or several.
    """
    _one(opt_state)
    checked = ReduceOnPlateau(**{**plateau.get_config(), "state": state})
    return _replace_states(opt_state, lambda old: _state(checked, old.count))


def _one(opt_state: Any) -> list[PlateauState]:
    found: list[PlateauState] = []

    def collect(state: PlateauState) -> PlateauState:
        found.append(state)
        return state

    _replace_states(opt_state, collect)
    if len(found) != 1:
        raise ValueError(
            f"Argument `opt_state` must hold one PlateauState. Received: {len(found)} of them"
        )
    return found
