"""Keras 3: :func:`to_keras` and :func:`from_keras`, between our schedules and Keras's;
:func:`scheduled` for the other hyperparameters.

Importing this module imports Keras (and its backend); ``import lrschedule`` does not.

A Keras optimizer treats only a ``keras.optimizers.schedules.LearningRateSchedule`` as a
schedule: any other callable is called with no arguments. :func:`to_keras` wraps one of
ours in :class:`KerasSchedule`, which any Keras optimizer accepts, on every backend::

    optimizer = keras.optimizers.SGD(learning_rate=to_keras(schedule))

The optimizer calls it with its ``iterations`` variable (int64 on TensorFlow, int32 on
JAX and PyTorch), before incrementing it, so the first update uses ``schedule(0)``. The
value is a backend tensor (float32 for Keras's integer steps), the same numbers as
``schedule(int(step))`` rounded to float32, and it traces inside Keras's compiled train
steps (``tf.function``, ``jax.jit``). ``KerasSchedule`` is registered as
``"lrschedule>KerasSchedule"``, so ``model.save()`` and ``keras.models.load_model()``
bring it back (with ``lrschedule.keras`` imported), and training resumes on the same
learning rates. A user's schedule class comes back when registered with
:func:`lrschedule.register`, or when given to ``load_model`` the Keras way, in
``custom_objects`` (or a ``keras.saving.custom_object_scope``).

``weight_decay``, ``beta_1``, ``beta_2``, ``momentum``, ``rho`` and ``epsilon`` follow
schedules with :func:`scheduled` (see :mod:`lrschedule.keras_hyper`)::

    optimizer = scheduled(keras.optimizers.AdamW(to_keras(schedule)), beta_1=other_schedule)
"""

from __future__ import annotations

import json
from typing import Any

import keras

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.keras_hyper import SCHEDULABLE, ScheduledOptimizer, scheduled
from lrschedule.keras_saving import deserialize_in_keras
from lrschedule.schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from lrschedule.serialization import serialize

__all__ = [
    "SCHEDULABLE",
    "KerasSchedule",
    "ScheduledOptimizer",
    "from_keras",
    "scheduled",
    "to_keras",
]

_KERAS_SCHEDULES = keras.optimizers.schedules

#: Keras's schedule classes and ours of the same name, arguments and values.
_EQUIVALENTS: dict[type, type[LearningRateSchedule]] = {
    _KERAS_SCHEDULES.ExponentialDecay: ExponentialDecay,
    _KERAS_SCHEDULES.PiecewiseConstantDecay: PiecewiseConstantDecay,
    _KERAS_SCHEDULES.PolynomialDecay: PolynomialDecay,
    _KERAS_SCHEDULES.InverseTimeDecay: InverseTimeDecay,
    _KERAS_SCHEDULES.CosineDecay: CosineDecay,
    _KERAS_SCHEDULES.CosineDecayRestarts: CosineDecayRestarts,
}


@keras.saving.register_keras_serializable(package="lrschedule")
class KerasSchedule(keras.optimizers.schedules.LearningRateSchedule):  # type: ignore[misc]
    """A Keras ``LearningRateSchedule`` that evaluates one of lrschedule's schedules.

    Build it with :func:`to_keras`. ``get_config()`` is ``{"schedule":
    lrschedule.serialize(schedule)}`` (as plain JSON values) and ``from_config`` reads it
    back with :func:`lrschedule.deserialize`, given the schedule classes Keras's custom
    objects name (see :mod:`lrschedule.keras_saving`).

    Attributes:
        schedule: The wrapped schedule.
    """

    def __init__(self, schedule: LearningRateSchedule) -> None:
        if not isinstance(schedule, LearningRateSchedule):
            raise TypeError(
                "Argument `schedule` must be an lrschedule schedule (a LearningRateSchedule). "
                f"Received: schedule={schedule!r} of type {type(schedule).__name__}"
            )
        self.schedule = schedule

    def __call__(self, step: Any) -> Any:
        return self.schedule(step)

    def get_config(self) -> dict[str, Any]:
        # Plain JSON values (tuples as lists): Keras would otherwise wrap each tuple in
        # its own "__tuple__" object, which it does not unwrap inside a nested config.
        return {"schedule": json.loads(json.dumps(serialize(self.schedule)))}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasSchedule:
        return cls(deserialize_in_keras(config["schedule"]))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.schedule!r})"


def to_keras(schedule: LearningRateSchedule) -> KerasSchedule:
    """Wrap ``schedule`` for a Keras optimizer's ``learning_rate``.

    Args:
        schedule: One of lrschedule's schedules (or a subclass of its
            ``LearningRateSchedule``; for ``keras.models.load_model()``, register it with
            :func:`lrschedule.register` or pass it in ``custom_objects``).

    Returns:
        A :class:`KerasSchedule`, a ``keras.optimizers.schedules.LearningRateSchedule``.

    Raises:
        TypeError: ``schedule`` is not an lrschedule schedule (a Keras schedule is already
            usable as it is; :func:`from_keras` converts it).

    Example:
        >>> import keras
        >>> from lrschedule import ExponentialDecay
        >>> from lrschedule.keras import to_keras
        >>> optimizer = keras.optimizers.SGD(learning_rate=to_keras(ExponentialDecay(0.1, 10, 0.5)))
        >>> float(optimizer.learning_rate)
        0.10000000149011612
    """
    if isinstance(schedule, _KERAS_SCHEDULES.LearningRateSchedule):
        raise TypeError(
            "Argument `schedule` is a Keras schedule already; pass it to the optimizer as it "
            f"is, or convert it with lrschedule.keras.from_keras. Received: {schedule!r}"
        )
    return KerasSchedule(schedule)


def from_keras(schedule: Any) -> LearningRateSchedule:
    """The lrschedule schedule equal to a Keras schedule: same class name, arguments, values.

    Accepts Keras's six built-in schedules (``ExponentialDecay``, ``PiecewiseConstantDecay``,
    ``PolynomialDecay``, ``InverseTimeDecay``, ``CosineDecay``, ``CosineDecayRestarts``),
    built from their ``get_config()``, and a :class:`KerasSchedule` (its wrapped schedule).

    Raises:
        TypeError: Anything else, a subclass of a Keras schedule included (its formula may
            differ), or a config value that is not a Python or NumPy number (a tensor).
        ValueError: A config that lrschedule refuses (``decay_rate=0``, say), with the
            argument named.

    Example:
        >>> import keras
        >>> from lrschedule.keras import from_keras
        >>> from_keras(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
        ExponentialDecay(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5)
    """
    if isinstance(schedule, KerasSchedule):
        return schedule.schedule
    ours = _EQUIVALENTS.get(type(schedule))
    if ours is None:
        raise TypeError(
            "Argument `schedule` must be one of Keras's built-in schedules "
            f"({', '.join(sorted(cls.__name__ for cls in _EQUIVALENTS))}) or a KerasSchedule. "
            f"Received: {schedule!r} of type {type(schedule).__module__}."
            f"{type(schedule).__qualname__}"
        )
    return ours.from_config(schedule.get_config())
