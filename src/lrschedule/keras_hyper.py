"""Keras 3: schedules for an optimizer's other hyperparameters, with :func:`scheduled`.

A Keras 3 optimizer takes a schedule for ``learning_rate`` only; it holds ``weight_decay``,
``beta_1``, ``beta_2``, ``momentum``, ``rho`` and ``epsilon`` as the plain Python numbers it
was constructed with. :func:`scheduled` wraps an optimizer in a :class:`ScheduledOptimizer`
that gives each named hyperparameter the value of its schedule at every update::

    optimizer = lrschedule.keras.scheduled(
        keras.optimizers.AdamW(learning_rate=to_keras(lr), weight_decay=0.01),
        weight_decay=CosineDecay(0.01, 1000),
        beta_1=LinearDecay(0.95, 1000, 0.85),
    )
    model.compile(optimizer=optimizer, loss=...)

Update ``t`` (``iterations`` is ``t`` before it) uses ``schedule(t)``, as the learning-rate
schedule does. Before each update, inside Keras's compiled train step, the wrapper writes
``schedule(iterations)`` (as float32, ``keras.backend.floatx()``) into one variable per
hyperparameter, :attr:`ScheduledOptimizer.hyperparameters`, and the wrapped optimizer
computes its update with those variables in place of its numbers. The schedules are traced
with the train step (``tf.function``, ``jax.jit``), once, not at every step. After update
``t`` each variable holds the value that update used, ``schedule(t)`` (before the first,
``schedule(0)``), as ``optax.inject_hyperparams`` does.

The optimizer's structural choices stay those of the numbers it was constructed with:
``SGD`` and ``RMSprop`` keep momentum only when constructed with ``momentum != 0``, so a
momentum schedule needs an optimizer constructed with a nonzero ``momentum`` (a zero one
is refused); a momentum scheduled down to 0 then gives the plain update, the same numbers.
The hyperparameter variables compare with Python numbers as the constructed value does,
which is how those choices are made inside the update.

``ScheduledOptimizer`` is registered as ``"lrschedule>ScheduledOptimizer"``: ``model.save()``
writes the wrapped optimizer (its config as constructed) and the schedules, and
``keras.models.load_model()`` (with ``lrschedule.keras`` imported) brings them back;
training resumes on the same values, since they are a function of the restored
``iterations``.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

import keras

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.keras_saving import deserialize_in_keras
from lrschedule.serialization import serialize

__all__ = ["SCHEDULABLE", "ScheduledOptimizer", "scheduled"]

#: The hyperparameters a schedule may drive, in the order their variables are created.
SCHEDULABLE = ("weight_decay", "beta_1", "beta_2", "momentum", "rho", "epsilon")

_COMPARISONS = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__")


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class _Hyperparameter(keras.Variable):  # type: ignore[misc]
    """A hyperparameter's current value: a Keras variable that the wrapped optimizer reads.

    In arithmetic and Keras ops it is the variable's value. Compared with a Python number
    (``momentum != 0``, ``momentum > 0``: how ``SGD`` and ``RMSprop`` decide, in Python,
    whether to keep momentum) it answers as the number the optimizer was constructed with.
    """

    def __init__(self, *args: Any, constructed: float | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lrschedule_constructed = constructed


def _comparison(name: str) -> Any:
    def compare(self: _Hyperparameter, other: Any) -> Any:
        constructed = self._lrschedule_constructed
        if constructed is not None and _is_real(other):
            return getattr(float(constructed), name)(float(other))
        return getattr(keras.Variable, name)(self, other)

    compare.__name__ = name
    return compare


for _name in _COMPARISONS:
    setattr(_Hyperparameter, _name, _comparison(_name))


def _check_schedule(name: str, schedule: Any) -> LearningRateSchedule:
    inner = getattr(schedule, "schedule", None)
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule) and isinstance(
        inner, LearningRateSchedule
    ):
        return inner  # a KerasSchedule from to_keras
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(
            f"Argument `{name}` must be an lrschedule schedule (a LearningRateSchedule). "
            f"Received: {name}={schedule!r} of type {type(schedule).__name__}"
        )
    return schedule


def _check_optimizer(optimizer: Any, schedules: Mapping[str, Any]) -> dict[str, Any]:
    """The constructed value of each scheduled hyperparameter, every argument checked."""
    if isinstance(optimizer, ScheduledOptimizer):
        raise TypeError(
            "Argument `optimizer` is a ScheduledOptimizer already; give all the schedules "
            f"in one call. Received: {optimizer!r}"
        )
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            "Argument `optimizer` must be a Keras optimizer (keras.optimizers.Optimizer). "
            f"Received: optimizer={optimizer!r} of type {type(optimizer).__name__}"
        )
    if optimizer.built:
        raise ValueError(
            "Argument `optimizer` must not be built yet (it has not updated any variable): "
            "wrap it before compiling and training. "
            f"Received: {type(optimizer).__name__} built with {len(optimizer.variables)} "
            "variables"
        )
    if not schedules:
        raise ValueError(
            "`scheduled` needs at least one hyperparameter schedule, such as "
            f"beta_1=schedule. Received no schedule for {type(optimizer).__name__}"
        )
    constructed: dict[str, Any] = {}
    for name in schedules:
        if name == "learning_rate":
            raise ValueError(
                "A learning-rate schedule goes into the optimizer itself: "
                "keras.optimizers.Adam(learning_rate=lrschedule.keras.to_keras(schedule)). "
                "Received: learning_rate"
            )
        if name not in SCHEDULABLE:
            raise ValueError(
                f"Argument `{name}` is not a hyperparameter lrschedule can schedule; it "
                f"schedules {', '.join(SCHEDULABLE)} (those the optimizer has). "
                f"Received: {name}"
            )
        if name not in optimizer.get_config():
            raise ValueError(
                f"{type(optimizer).__name__} has no hyperparameter `{name}`. "
                f"Received: {name}={schedules[name]!r}"
            )
        value = getattr(optimizer, name)
        if not (_is_real(value) or (value is None and name == "weight_decay")):
            raise TypeError(
                f"The `{name}` of {type(optimizer).__name__} must be a Python number to be "
                f"scheduled. Received: {name}={value!r} of type {type(value).__name__}"
            )
        if name == "momentum" and value == 0:
            raise ValueError(
                f"{type(optimizer).__name__} constructed with momentum=0 keeps no momentum, "
                "so a momentum schedule would not be used: construct it with a nonzero "
                f"momentum (the schedule's first value, say). Received: momentum={value!r}"
            )
        if value is not None:
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(
                    f"The `{name}` of {type(optimizer).__name__} must be finite to be "
                    f"scheduled. Received: {name}={value!r}"
                )
        constructed[name] = value
    return constructed


@keras.saving.register_keras_serializable(package="lrschedule")
class ScheduledOptimizer(keras.optimizers.Optimizer):  # type: ignore[misc]
    """A Keras optimizer whose hyperparameters follow schedules of ``iterations``.

    Build it with :func:`scheduled`. It delegates everything to ``inner_optimizer``
    (``iterations``, ``learning_rate``, ``variables``, building, loss scaling); its
    :meth:`apply` first writes ``schedule(iterations)`` into each hyperparameter's variable.

    Args:
        inner_optimizer: A Keras optimizer, not built yet.
        schedules: Hyperparameter names (of :data:`SCHEDULABLE`) to lrschedule schedules,
            or their serialized documents (as :meth:`get_config` writes them).
        name: The optimizer's name; defaults to a unique one.

    Attributes:
        inner_optimizer: The wrapped optimizer.
        schedules: The hyperparameter names to their schedules, in :data:`SCHEDULABLE`'s
            order.
        hyperparameters: The hyperparameter names to their variables (float32), each
            holding the value the latest update used.
    """

    def __init__(
        self,
        inner_optimizer: Any,
        schedules: Mapping[str, Any],
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(schedules, Mapping):
            raise TypeError(
                "Argument `schedules` must be a mapping of hyperparameter names to "
                f"schedules. Received: schedules={schedules!r}"
            )
        checked = {
            key: _check_schedule(
                key, deserialize_in_keras(value) if isinstance(value, dict) else value
            )
            for key, value in schedules.items()
        }
        constructed = _check_optimizer(inner_optimizer, checked)
        if kwargs:
            raise ValueError(
                "ScheduledOptimizer takes no other optimizer arguments; set them on the "
                f"inner optimizer. Received: {', '.join(sorted(kwargs))}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        order = [key for key in SCHEDULABLE if key in checked]
        self.schedules = {key: checked[key] for key in order}
        self._constructed = {key: constructed[key] for key in order}
        self._hyperparameter_list = []
        floatx = keras.backend.floatx()
        with keras.name_scope(self.name, caller=self):
            for key in order:
                # Evaluated once here with this backend's step, the value for the next
                # update; a compiled train step then finds the step type known.
                first = self.schedules[key](inner_optimizer.iterations)
                self._hyperparameter_list.append(
                    _Hyperparameter(
                        keras.ops.convert_to_numpy(keras.ops.cast(first, floatx)),
                        dtype=floatx,
                        trainable=False,
                        autocast=False,
                        aggregation="only_first_replica",
                        name=key,
                        constructed=constructed[key],
                    )
                )

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameter names to their variables."""
        return dict(zip(self.schedules, self._hyperparameter_list, strict=True))

    # ----------------------------------------------------------- delegation
    @property
    def variables(self) -> list[Any]:
        return [*self.inner_optimizer.variables, *self._hyperparameter_list]

    @property
    def iterations(self) -> Any:
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self) -> Any:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    def build(self, variables: list[Any]) -> None:
        self.inner_optimizer.build(variables)
        super().build(variables)

    def apply_gradients(self, grads_and_vars: Any) -> Any:
        grads, trainable_variables = zip(*grads_and_vars, strict=True)
        self.apply(grads, trainable_variables)
        return self.iterations

    def apply(self, grads: Any, trainable_variables: Any = None) -> None:
        """Write each schedule's value into its variable, then let the inner optimizer update.

        Inside a compiled train step this traces once: the step is the ``iterations``
        variable (a tensor), and the values are computed from it by the backend.
        """
        if not self.built and trainable_variables is not None:
            self.build(list(trainable_variables))
        step = self.inner_optimizer.iterations
        for key, variable in zip(self.schedules, self._hyperparameter_list, strict=True):
            variable.assign(keras.ops.cast(self.schedules[key](step), variable.dtype))
        inner = self.inner_optimizer
        try:
            for key, variable in zip(self.schedules, self._hyperparameter_list, strict=True):
                # Past Keras's attribute tracking: the variables are this wrapper's, and
                # the inner optimizer holds them only while it computes this update.
                object.__setattr__(inner, key, variable)
            inner.apply(grads, trainable_variables)
        finally:
            for key, value in self._constructed.items():
                object.__setattr__(inner, key, value)

    def scale_loss(self, loss: Any) -> Any:
        return self.inner_optimizer.scale_loss(loss)

    def finalize_variable_values(self, var_list: Any) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def exclude_from_weight_decay(self, var_list: Any = None, var_names: Any = None) -> None:
        self.inner_optimizer.exclude_from_weight_decay(var_list=var_list, var_names=var_names)

    # -------------------------------------------------------- serialization
    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inner_optimizer": keras.saving.serialize_keras_object(self.inner_optimizer),
            "schedules": {
                key: json.loads(json.dumps(serialize(schedule)))
                for key, schedule in self.schedules.items()
            },
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> ScheduledOptimizer:
        config = dict(config)
        inner = keras.saving.deserialize_keras_object(
            config.pop("inner_optimizer"), custom_objects=custom_objects
        )
        return cls(inner, **config)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={schedule!r}" for key, schedule in self.schedules.items())
        return f"{type(self).__name__}({type(self.inner_optimizer).__name__}, {shown})"


def scheduled(optimizer: Any, **schedules: Any) -> ScheduledOptimizer:
    """Wrap a Keras optimizer so that its hyperparameters follow lrschedule schedules.

    Args:
        optimizer: A Keras 3 optimizer, not built yet, constructed with a number for each
            hyperparameter to schedule (``SGD`` and ``RMSprop`` with a nonzero
            ``momentum`` for a momentum schedule).
        **schedules: Hyperparameter names (``weight_decay``, ``beta_1``, ``beta_2``,
            ``momentum``, ``rho``, ``epsilon``: those the optimizer has) to lrschedule
            schedules (or :func:`~lrschedule.keras.to_keras` wrappers of them). Update
            ``t`` uses ``schedule(t)``.

    Returns:
        A :class:`ScheduledOptimizer` wrapping ``optimizer``.

    Raises:
        TypeError: ``optimizer`` is not a Keras optimizer (or is a ``ScheduledOptimizer``);
            a schedule is not an lrschedule schedule; the optimizer's value of a
            hyperparameter is not a number (``weight_decay`` may be ``None``).
        ValueError: No schedule; ``learning_rate`` (give it to the optimizer with
            :func:`~lrschedule.keras.to_keras`); a name that is not in
            :data:`SCHEDULABLE` or not a hyperparameter of this optimizer; a momentum
            schedule for an optimizer constructed with ``momentum=0``; a built optimizer.

    Example:
        >>> import keras
        >>> from lrschedule import LinearDecay
        >>> from lrschedule.keras import scheduled
        >>> optimizer = scheduled(keras.optimizers.SGD(0.1, momentum=0.5),
        ...                       momentum=LinearDecay(0.5, 10, 0.9))
        >>> float(optimizer.hyperparameters["momentum"].numpy())
        0.5
    """
    return ScheduledOptimizer(optimizer, schedules)
