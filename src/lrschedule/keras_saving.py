"""Reading our schedules back inside Keras's loading, with the custom objects Keras was given.

``keras.models.load_model(path, custom_objects={"Mine": Mine})`` (or a
``keras.saving.custom_object_scope``) makes ``Mine`` known to Keras while it rebuilds the
objects of a file. A schedule of ours saved inside a Keras object (a
:class:`~lrschedule.keras.KerasSchedule`, a
:class:`~lrschedule.keras_hyper.ScheduledOptimizer`) is read with
:func:`lrschedule.deserialize`, which knows only lrschedule's schedules, the classes
registered with :func:`lrschedule.register` and the ``custom_objects`` it is passed.
:func:`deserialize_in_keras` passes it the classes Keras knows under the names the document
uses: each ``registered_name`` and ``class_name`` in it is looked up with
``keras.saving.get_registered_object`` (Keras's custom-object scope, then the classes
registered with Keras), and the lrschedule schedule classes found are passed on. Nothing is
imported: Keras looks the names up in its tables only.
"""

from __future__ import annotations

from typing import Any

import keras

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.serialization import MAX_ELEMENTS, deserialize

__all__ = ["deserialize_in_keras", "keras_custom_objects"]

_NAME_KEYS = ("registered_name", "class_name")


def _names(document: Any) -> set[str]:
    """The ``registered_name`` and ``class_name`` strings of the envelopes in ``document``.

    Each container is visited once, and at most :data:`MAX_ELEMENTS` of them (a larger
    document is refused by ``deserialize`` anyway).
    """
    names: set[str] = set()
    pending = [document]
    seen: set[int] = set()
    while pending and len(seen) < MAX_ELEMENTS:
        node = pending.pop()
        if id(node) in seen:
            continue
        if isinstance(node, dict):
            seen.add(id(node))
            for key in _NAME_KEYS:
                value = node.get(key)
                if isinstance(value, str):
                    names.add(value)
            pending.extend(node.values())
        elif isinstance(node, (list, tuple)):
            seen.add(id(node))
            pending.extend(node)
    return names


def keras_custom_objects(document: Any) -> dict[str, type[LearningRateSchedule]]:
    """The lrschedule schedule classes Keras knows under the names ``document`` uses."""
    found: dict[str, type[LearningRateSchedule]] = {}
    for name in sorted(_names(document)):
        value = keras.saving.get_registered_object(name)
        if isinstance(value, type) and issubclass(value, LearningRateSchedule):
            found[name] = value
    return found


def deserialize_in_keras(document: Any) -> LearningRateSchedule:
    """:func:`lrschedule.deserialize` with the schedule classes Keras's scope names."""
    return deserialize(document, custom_objects=keras_custom_objects(document))
