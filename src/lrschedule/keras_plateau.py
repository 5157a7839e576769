"""Keras 3: :class:`PlateauCallback`, reduce on plateau for a ``to_keras(schedule * plateau)``.

Keras's own ``ReduceLROnPlateau`` callback assigns a number to the optimizer's learning
rate, which a schedule cannot take. Here the schedule stays as it is and the callback
feeds the plateau: at each epoch's end it observes the monitored log value (``val_loss``
by default) with :meth:`~lrschedule.ReduceOnPlateau.observe`, and the rate
``schedule(step) * scale`` follows from the next update on::

    plateau = ReduceOnPlateau(factor=0.5, patience=2)
    model.compile(optimizer=keras.optimizers.AdamW(to_keras(schedule * plateau)), ...)
    model.fit(..., validation_data=..., callbacks=[PlateauCallback()])

Inside Keras's compiled train step the scale is read from a ``keras.Variable`` the callback
keeps equal to the plateau's scale (:meth:`~lrschedule.PlateauScaled.bind`): on TensorFlow
and PyTorch the compiled step reads it as an input. JAX's compiled step takes only the
model's and optimizer's variables as inputs, so there the callback has the train function
traced again after a reduction (once per reduction, not per epoch).

The plateau's state is part of its config, so ``model.save()`` keeps it and
``keras.models.load_model()`` brings it back; a new ``PlateauCallback()`` finds the
plateau in the loaded model's optimizer. Put the callback before a ``ModelCheckpoint`` so
that the saved state includes the epoch's observation.

Importing this module imports Keras; ``import lrschedule`` does not.
"""

from __future__ import annotations

import warnings
from typing import Any

import keras

from lrschedule.schedules.plateau import ReduceOnPlateau
from lrschedule.schedules.plateau_scaled import PlateauScaled, bound_scaled

__all__ = ["PlateauCallback"]


class PlateauCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """Observe a monitored value at each epoch's end with a :class:`~lrschedule.ReduceOnPlateau`.

    Args:
        plateau: The controller; ``None`` finds the one in the model optimizer's learning
            rate (a :func:`~lrschedule.keras.to_keras` of a schedule holding one
            :class:`~lrschedule.PlateauScaled`).
        monitor: The log key to observe (``"val_loss"``, ``"val_accuracy"`` with a plateau
            of ``mode="max"``, ...).
        verbose: ``1`` prints a line at each reduction.

    Raises:
        TypeError: ``plateau`` is not a ``ReduceOnPlateau``, or ``monitor`` not a string.
        ValueError: At the start of training, when the optimizer's learning rate holds no
            ``PlateauScaled`` of this plateau (or several plateaus and none was given).
    """

    def __init__(
        self, plateau: ReduceOnPlateau | None = None, monitor: str = "val_loss", verbose: int = 0
    ) -> None:
        super().__init__()
        if plateau is not None and not isinstance(plateau, ReduceOnPlateau):
            raise TypeError(
                "Argument `plateau` must be a ReduceOnPlateau or None. "
                f"Received: plateau={plateau!r} of type {type(plateau).__name__}"
            )
        if not isinstance(monitor, str):
            raise TypeError(
                f"Argument `monitor` must be a string. Received: monitor={monitor!r} "
                f"of type {type(monitor).__name__}"
            )
        self.plateau = plateau
        self.monitor = monitor
        self.verbose = verbose
        self._variable: Any = None
        self._retrace = False

    # ------------------------------------------------------------------ binding
    def _scaled(self) -> list[PlateauScaled]:
        optimizer = getattr(self.model, "optimizer", None)
        learning_rate = getattr(optimizer, "_learning_rate", None)
        schedule = getattr(learning_rate, "schedule", None)
        found = bound_scaled(schedule) if schedule is not None else []
        if self.plateau is None:
            plateaus = {id(item.plateau): item.plateau for item in found}
            if len(plateaus) != 1:
                raise ValueError(
                    "PlateauCallback() needs the optimizer's learning rate to be "
                    "to_keras(schedule * plateau) with one ReduceOnPlateau, or the plateau "
                    f"given. Received: learning_rate={learning_rate!r} holding "
                    f"{len(plateaus)} plateaus"
                )
            self.plateau = next(iter(plateaus.values()))
        mine = [item for item in found if item.plateau is self.plateau]
        if not mine:
            raise ValueError(
                "The optimizer's learning rate does not use this ReduceOnPlateau: build it "
                f"with to_keras(schedule * plateau). Received: learning_rate={learning_rate!r}"
            )
        return mine

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        scaled = self._scaled()
        plateau = self.plateau
        assert plateau is not None
        if self._variable is None:
            self._variable = keras.Variable(
                plateau.scale, dtype="float32", trainable=False, name="plateau_scale"
            )
            plateau.add_listener(self._follow)
        else:
            self._follow(plateau.scale)
        variable = self._variable
        for item in scaled:
            item.bind(lambda: variable.value)
        if keras.backend.backend() == "jax" and getattr(self.model, "train_function", None):
            self.model.make_train_function(force=True)  # traced again with this scale

    def _follow(self, scale: float) -> None:
        """Keep the variable equal to the plateau's scale."""
        if self._variable is not None:
            self._variable.assign(scale)
            self._retrace = True

    # ---------------------------------------------------------------- observing
    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        value = logs.get(self.monitor)
        plateau = self.plateau
        if plateau is None:
            return
        if value is None:
            warnings.warn(
                f"PlateauCallback observes `{self.monitor}`, which is not in the logs "
                f"(available: {', '.join(sorted(logs))}); the plateau is left as it is.",
                stacklevel=2,
            )
            return
        before = plateau.scale
        self._retrace = False
        plateau.observe(float(keras.ops.convert_to_numpy(value)))
        if plateau.scale != before:
            if self.verbose:
                print(f"\nEpoch {epoch + 1}: ReduceOnPlateau lowers the scale to {plateau.scale}.")
            if self._retrace and keras.backend.backend() == "jax":
                # JAX's compiled step took the old value as a constant: trace it again.
                self.model.make_train_function(force=True)
        logs["plateau_scale"] = plateau.scale
