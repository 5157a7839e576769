"""The drop-in Keras classes on one Keras backend, run as a script in a fresh interpreter.

``test_keras_dropin.py`` runs ``python keras_dropin_backend.py`` with ``KERAS_BACKEND``
set (Keras fixes its backend when imported) and reads the one line it prints,
``RESULT`` and a JSON object: the learning rate of every optimizer update with each
drop-in passed directly as ``learning_rate``; ``compile`` + ``fit`` straight and saved,
loaded and resumed; each drop-in through Keras's ``serialize``/``deserialize``; a
``fit`` with ``to_keras(schedule * plateau)`` and the PlateauCallback; and the message of
the plain object given to an optimizer.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras

import keras_dropin_cases as cases
import lrschedule
import lrschedule.keras as dropins

FITTED = ("ExponentialDecay", "Warmup")


def main() -> dict[str, Any]:
    out: dict[str, Any] = {"backend": keras.backend.backend()}
    built = cases.cases(dropins)
    out["optimizer"] = {name: cases.optimizer_record(schedule) for name, schedule in built.items()}
    out["fit"] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in FITTED:
            straight, _ = cases.fit_record(built[name], 3, None, folder)
            resumed, loaded = cases.fit_record(built[name], 3, 1, folder)
            out["fit"][name] = {
                "straight": straight,
                "resumed": resumed,
                "loaded": f"{type(loaded).__module__}.{type(loaded).__qualname__}",
                "equal": loaded == built[name],
            }
    out["serialized"] = {}
    for name, schedule in built.items():
        document = keras.optimizers.schedules.serialize(schedule)
        back = keras.optimizers.schedules.deserialize(json.loads(json.dumps(document)))
        out["serialized"][name] = [type(back) is type(schedule), back == schedule]
    out["plateau"] = cases.plateau_record()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain = lrschedule.ExponentialDecay(0.1, 100000, 0.96, staircase=True)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=plain), loss="mse")
    try:
        model.fit(keras.ops.ones((4, 2)), keras.ops.ones((4, 1)), verbose=0)
    except TypeError as error:
        out["plain_error"] = str(error)
    return out


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    print("RESULT" + json.dumps(main()))
