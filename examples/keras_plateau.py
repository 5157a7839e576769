"""Keras ``fit`` with warmup + cosine + reduce on plateau, checked at every update.

The learning rate is ``to_keras(schedule * plateau)``: a warmup into a cosine decay whose
level a :class:`lrschedule.ReduceOnPlateau` lowers when ``val_loss`` stops improving,
observed by :class:`lrschedule.keras.PlateauCallback` at each epoch's end. The model is
one weight ``w`` with the loss ``|w - 0.3|``, so plain SGD moves ``w`` by exactly the
learning rate at every update (its gradient is +-1): the script reads ``w`` around every
batch and asserts that update ``k`` moved it by ``schedule(k) * scale`` (the scale the
plateau had in that epoch), which proves what Keras's compiled train step used. ``w``
reaches 0.3 and then oscillates around it, so the validation loss ``|w - 0.25|`` stalls
near 0.05 and the plateau reduces. Half-way the model is saved with ``model.save()``
and loaded back: the
plateau's state comes with it, and the resumed run uses the same learning rates as an
uninterrupted one.

Run: ``python examples/keras_plateau.py [--epochs 12] [--backend tensorflow|jax|torch]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--steps-per-epoch", type=int, default=8)
    parser.add_argument(
        "--backend",
        choices=["tensorflow", "jax", "torch"],
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != args.backend:
        raise SystemExit("Keras is imported already with another backend; run this as a script.")
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import keras
    import numpy as np

    from lrschedule import CosineDecay, ReduceOnPlateau, Warmup
    from lrschedule.keras import PlateauCallback, to_keras

    epochs, per_epoch = args.epochs, args.steps_per_epoch
    total = epochs * per_epoch
    x = np.ones((per_epoch, 1), dtype=np.float32)  # one sample per batch
    y = np.full((per_epoch, 1), 0.3, dtype=np.float32)
    validation = (x[:1], np.full((1, 1), 0.25, dtype=np.float32))
    base = Warmup(CosineDecay(0.05, total - per_epoch, alpha=0.1), warmup_steps=per_epoch)

    def loss(y_true: Any, y_pred: Any) -> Any:
        return keras.ops.mean(keras.ops.abs(y_pred - y_true))

    def build() -> Any:
        plateau = ReduceOnPlateau(factor=0.5, patience=1, threshold=0.0, min_lr=1e-3)
        model = keras.Sequential(
            [keras.Input((1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
        )
        optimizer = keras.optimizers.SGD(learning_rate=to_keras(base * plateau))
        model.compile(optimizer=optimizer, loss=loss)
        return model

    def weight(model: Any) -> float:
        return float(keras.ops.convert_to_numpy(model.layers[0].kernel)[0, 0])

    class Check(keras.callbacks.Callback):
        """Asserts each update moved w by schedule(k) * scale; records the rates."""

        def __init__(self, rates: list[float], plateau: Any) -> None:
            super().__init__()
            self.rates, self.plateau, self.before = rates, plateau, 0.0

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            self.before = weight(self.model)

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations)) - 1
            expected = base(step) * self.plateau.scale
            expected = max(expected, min(base(step), self.plateau.min_lr))
            moved = abs(weight(self.model) - self.before)
            if self.before != 0.3:
                tolerance = 4 * float(np.spacing(np.float32(max(abs(self.before), 0.3))))
                assert abs(moved - expected) <= tolerance, (step, moved, expected)
            self.rates.append(expected)

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs = logs or {}
            print(
                f"epoch {epoch + 1:3d}  lr {self.rates[-1]:.6f}  val_loss "
                f"{logs['val_loss']:.5f}  scale {self.plateau.scale:g}"
            )

    def fit(model: Any, rates: list[float], first: int, last: int) -> Any:
        plateau_callback = PlateauCallback(monitor="val_loss")
        check = Check(rates, None)

        class Bind(keras.callbacks.Callback):
            def on_train_begin(self, logs: Any = None) -> None:
                check.plateau = plateau_callback.plateau

        model.fit(
            x,
            y,
            batch_size=1,
            epochs=last,
            initial_epoch=first,
            shuffle=False,
            verbose=0,
            validation_data=validation,
            callbacks=[plateau_callback, Bind(), check],
        )
        return plateau_callback.plateau

    # An uninterrupted run, then one saved and loaded back half-way.
    reference: list[float] = []
    plateau = fit(build(), reference, 0, epochs)
    assert plateau.state_dict()["reductions"] >= 2, plateau.state_dict()
    half = epochs // 2
    rates: list[float] = []
    model = build()
    saved = fit(model, rates, 0, half).state_dict()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        model = keras.models.load_model(path, custom_objects={"loss": loss})
    print(f"saved and loaded at epoch {half}: plateau state {saved}")
    resumed = fit(model, rates, half, epochs)
    assert resumed.state_dict()["count"] == epochs
    assert len(rates) == len(reference) == total
    assert rates == reference, [
        (k, a, b) for k, (a, b) in enumerate(zip(rates, reference, strict=True)) if a != b
    ]
    print(
        f"OK: all {total} updates used schedule(step) * scale on Keras's {args.backend} "
        f"backend; {plateau.state_dict()['reductions']} reductions; the run resumed from "
        f"model.save() at epoch {half + 1} on the same learning rates."
    )


if __name__ == "__main__":
    main()
