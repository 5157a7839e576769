"""Keras 3: drop-in Keras classes of every schedule; :func:`to_keras` and :func:`from_keras`,
between our schedules and Keras's; :func:`scheduled` for the other hyperparameters.

Importing this module imports Keras (and its backend); ``import lrschedule`` does not.

A Keras optimizer treats only a ``keras.optimizers.schedules.LearningRateSchedule`` as a
schedule: any other callable is called with no arguments. Each schedule class of the
library is here as a drop-in Keras class, a subclass of the plain class and of Keras's
base (see :mod:`lrschedule.keras_dropin`), which goes directly into any optimizer::

    from lrschedule.keras import ExponentialDecay  # instead of keras.optimizers.schedules

    optimizer = keras.optimizers.SGD(learning_rate=ExponentialDecay(0.1, 100000, 0.96))

:func:`to_keras` wraps a schedule already built (a plain one, a user's subclass) in
:class:`KerasSchedule`, which any Keras optimizer accepts too, on every backend::

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

from lrschedule import schedules as _plain
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.keras_dropin import (  # the drop-in Keras classes (see lrschedule.keras_dropin)
    Clip,
    Constant,
    CoolDown,
    CosineDecay,
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    Join,
    KerasDropIn,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PlateauScaled,
    PolynomialDecay,
    Product,
    RescaleTime,
    Scale,
    StepDecay,
    TrainLonger,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
    keras_class,
)
from lrschedule.keras_hyper import SCHEDULABLE, ScheduledOptimizer, scheduled
from lrschedule.keras_plateau import PlateauCallback
from lrschedule.keras_saving import deserialize_in_keras
from lrschedule.schedules import ReduceOnPlateau  # the controller to compose with (plain)
from lrschedule.serialization import serialize

__all__ = [
    "SCHEDULABLE",
    "Clip",
    "Constant",
    "CoolDown",
    "CosineDecay",
    "CosineDecayRestarts",
    "CyclicalLearningRate",
    "ExponentialDecay",
    "InverseSqrtDecay",
    "InverseTimeDecay",
    "Join",
    "KerasDropIn",
    "KerasSchedule",
    "LinearDecay",
    "MultiStepDecay",
    "OneCycle",
    "PiecewiseConstantDecay",
    "PiecewiseInterpolation",
    "PlateauCallback",
    "PlateauScaled",
    "PolynomialDecay",
    "Product",
    "ReduceOnPlateau",
    "RescaleTime",
    "ResolveInFit",
    "Scale",
    "ScheduledOptimizer",
    "StepDecay",
    "TrainLonger",
    "Warmup",
    "WarmupCosineDecay",
    "WarmupStableDecay",
    "from_keras",
    "keras_class",
    "scheduled",
    "to_keras",
]

_KERAS_SCHEDULES = keras.optimizers.schedules

#: Keras's schedule classes and ours of the same name, arguments and values.
_EQUIVALENTS: dict[type, type[LearningRateSchedule]] = {
    _KERAS_SCHEDULES.ExponentialDecay: _plain.ExponentialDecay,
    _KERAS_SCHEDULES.PiecewiseConstantDecay: _plain.PiecewiseConstantDecay,
    _KERAS_SCHEDULES.PolynomialDecay: _plain.PolynomialDecay,
    _KERAS_SCHEDULES.InverseTimeDecay: _plain.InverseTimeDecay,
    _KERAS_SCHEDULES.CosineDecay: _plain.CosineDecay,
    _KERAS_SCHEDULES.CosineDecayRestarts: _plain.CosineDecayRestarts,
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


def to_keras(schedule: LearningRateSchedule, run: Any = None) -> KerasSchedule:
    """Wrap ``schedule`` for a Keras optimizer's ``learning_rate``.

    A schedule with step counts in units (``warmup_steps="1ep"``, ``decay_steps="90%"``)
    is resolved here with ``run``, or, without one, by ``fit``: pass
    ``ResolveInFit(keras_schedule)`` in ``fit``'s callbacks (see :class:`ResolveInFit`).

    Args:
        schedule: One of lrschedule's schedules (or a subclass of its
            ``LearningRateSchedule``; for ``keras.models.load_model()``, register it with
            :func:`lrschedule.register` or pass it in ``custom_objects``).
        run: A :class:`~lrschedule.Run` (or the run's total steps) to resolve a schedule
            with units for, now.

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
    if run is not None:
        from lrschedule.schedules.resolve import resolve

        schedule = resolve(schedule, run)
    return KerasSchedule(schedule)


def from_keras(schedule: Any) -> LearningRateSchedule:
    """The lrschedule schedule equal to a Keras schedule: same class name, arguments, values.

    Accepts Keras's six built-in schedules (``ExponentialDecay``, ``PiecewiseConstantDecay``,
    ``PolynomialDecay``, ``InverseTimeDecay``, ``CosineDecay``, ``CosineDecayRestarts``),
    built from their ``get_config()``, a :class:`KerasSchedule` (its wrapped schedule), and
    a drop-in Keras class of lrschedule (returned as it is).

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
    if isinstance(schedule, KerasDropIn):  # one of ours already
        return schedule  # type: ignore[return-value]
    ours = _EQUIVALENTS.get(type(schedule))
    if ours is None:
        raise TypeError(
            "Argument `schedule` must be one of Keras's built-in schedules "
            f"({', '.join(sorted(cls.__name__ for cls in _EQUIVALENTS))}) or a KerasSchedule. "
            f"Received: {schedule!r} of type {type(schedule).__module__}."
            f"{type(schedule).__qualname__}"
        )
    return ours.from_config(schedule.get_config())


class ResolveInFit(keras.callbacks.Callback):  # type: ignore[misc]
    """A ``fit`` callback that resolves a schedule's units from ``fit``'s own numbers.

    At the start of training it builds ``Run(total=epochs * steps, steps_per_epoch=steps)``
    from ``fit``'s ``epochs`` and its steps per epoch (``steps_per_epoch=``, or the length
    of the data), with the samples and tokens per step given here, and sets the
    :class:`KerasSchedule`'s schedule to the one resolved for it, before the first update::

        lr = to_keras(CosineDecay(0.1, decay_steps="90%", warmup_steps="1ep", warmup_target=1.0))
        model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
        model.fit(x, y, epochs=30, batch_size=64, callbacks=[ResolveInFit(lr)])

    ``epochs`` is the whole run, whatever ``initial_epoch`` is (the steps count from 0).
    The first ``fit`` resolves it; a later ``fit`` of another length keeps that
    resolution (the compiled train step holds it) and warns.

    Args:
        schedule: The :class:`KerasSchedule` that :func:`to_keras` made.
        samples_per_step: Samples per optimizer step, for ``sp`` units.
        tokens_per_step: Tokens per optimizer step, for ``tok`` units.

    Raises:
        TypeError: ``schedule`` is not a :class:`KerasSchedule`.
        ValueError: At the start of ``fit``, when ``fit`` does not know its steps per
            epoch (data of unknown length: pass ``steps_per_epoch`` to ``fit``), or the
            run lacks what a unit needs.
    """

    def __init__(
        self,
        schedule: KerasSchedule,
        *,
        samples_per_step: Any = None,
        tokens_per_step: Any = None,
    ) -> None:
        super().__init__()
        if not isinstance(schedule, KerasSchedule):
            raise TypeError(
                "Argument `schedule` must be the KerasSchedule that to_keras made. "
                f"Received: schedule={schedule!r} of type {type(schedule).__name__}"
            )
        self.keras_schedule = schedule
        self.planned = schedule.schedule
        self.samples_per_step = samples_per_step
        self.tokens_per_step = tokens_per_step
        self.run: Any = None

    def on_train_begin(self, logs: Any = None) -> None:
        from lrschedule.core.units import Run
        from lrschedule.schedules.resolve import resolve

        epochs, steps = self.params.get("epochs"), self.params.get("steps")
        if not steps:
            raise ValueError(
                "ResolveInFit needs fit's steps per epoch, which fit does not know for data "
                "of unknown length: pass `steps_per_epoch` to fit. "
                f"Received: epochs={epochs!r}, steps={steps!r}"
            )
        run = Run(
            epochs * steps,
            steps_per_epoch=steps,
            samples_per_step=self.samples_per_step,
            tokens_per_step=self.tokens_per_step,
        )
        if self.run is None:
            self.keras_schedule.schedule = resolve(self.planned, run)
            self.run = run
        elif run != self.run:
            import warnings

            warnings.warn(
                f"ResolveInFit resolved the schedule for {self.run!r} in an earlier fit and "
                f"keeps it; this fit is {run!r}. Build a new to_keras schedule (and "
                "compile again) to train with another resolution.",
                stacklevel=2,
            )
