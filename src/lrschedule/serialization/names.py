"""The names in an envelope: those a class is written under, and the class a document names.

:func:`envelope_names` gives the ``module`` and ``registered_name`` that :func:`serialize`
writes for a class. :func:`resolve` reads a document's envelope back: it checks the keys
and their types, finds the class, and checks the ``module`` the document claims. A name is
looked up only in the caller's ``custom_objects`` and in :mod:`lrschedule.core.registry`:
nothing is imported, evaluated or read from a module's globals.

The drop-in Keras classes of :mod:`lrschedule.keras` are written as the plain classes they
extend, and Keras's documents of them (``registered_name`` ``"lrschedule.keras>Name"``)
are read as the plain classes too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrschedule.core import registry as _registry
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.serialization.messages import show

__all__ = ["ENVELOPE_KEYS", "envelope_names", "merge_custom_objects", "resolve"]

#: The keys of Keras 3's envelope, in Keras's order.
ENVELOPE_KEYS = ("module", "class_name", "config", "registered_name")
_BASE_NAME = "LearningRateSchedule"
#: The module, and Keras package, of the drop-in Keras classes, read as the plain classes.
_KERAS_CLASSES = f"{_registry.LIBRARY_MODULE}.keras"


def envelope_names(cls: type) -> tuple[str | None, str | None]:
    """``(module, registered_name)`` of the envelope for ``cls``.

    Written as Keras writes them: the library's Keras schedules under Keras's module with
    no ``registered_name``, its others as ``"lrschedule>Name"``, a registered class under
    the name it was registered with, and an unregistered class under its own name (read
    back only with ``custom_objects``). The ``module`` of a user's class is its module, or
    ``None`` for ``__main__``.

    Raises:
        TypeError: An unregistered class named like one of the library's (it would read
            back as the library's) or with ``>`` in its name (a registered name's mark).
    """
    name = cls.__name__
    library = _registry.library_class(name)
    # A drop-in Keras class (lrschedule.keras) is written as the plain class it extends.
    if library is not None and (library is cls or vars(cls).get("_plain_class") is library):
        if name in _registry.KERAS_CLASS_NAMES:
            return _registry.KERAS_MODULE, None
        return _registry.LIBRARY_MODULE, f"{_registry.LIBRARY_MODULE}>{name}"
    module = None if cls.__module__ == "__main__" else cls.__module__
    registered = _registry.user_name(cls)
    if registered is not None:
        return module, registered
    if _registry.library_class(name) is not None or ">" in name:
        problem = (
            f"has the name of lrschedule's {name}, as which it would be read back"
            if ">" not in name
            else "has '>' in its name, the mark of a registered name"
        )
        raise TypeError(
            f"Cannot serialize {cls.__module__}.{cls.__qualname__}: the class is not "
            f"registered and {problem}. Decorate it with @lrschedule.register(package="
            "'mypkg') (it is then written as 'mypkg>Name'), or rename it."
        )
    return module, name


def merge_custom_objects(
    given: Mapping[str, type[LearningRateSchedule]] | None, inherited: Mapping[str, type]
) -> Mapping[str, type]:
    """The outer call's ``custom_objects`` with ``given`` (checked) added over them."""
    if given is None:
        return inherited
    if not isinstance(given, Mapping):
        raise TypeError(
            "Argument `custom_objects` must be a mapping of names to schedule classes. "
            f"Received: {show(given)} of type {type(given).__name__}"
        )
    merged = dict(inherited)
    for key, value in given.items():
        if not isinstance(key, str):
            raise TypeError(
                "The keys of `custom_objects` must be strings (class or registered names). "
                f"Received: {show(key)} of type {type(key).__name__}"
            )
        if not (isinstance(value, type) and issubclass(value, LearningRateSchedule)):
            raise TypeError(
                "The values of `custom_objects` must be subclasses of "
                f"lrschedule.LearningRateSchedule. Received: custom_objects[{key!r}]="
                f"{show(value)}"
            )
        merged[key] = value
    return merged


def resolve(
    document: dict[str, Any], objects: Mapping[str, type]
) -> tuple[type[LearningRateSchedule], str, dict[str, Any]]:
    """``(class, class_name, config)`` of an envelope, its keys and ``module`` checked."""
    unexpected = [key for key in document if key not in ENVELOPE_KEYS]
    if unexpected:
        raise ValueError(
            "A serialized schedule has the keys 'module', 'class_name', 'config' and "
            f"'registered_name'; unexpected key(s): {', '.join(show(k) for k in unexpected)}"
        )
    if "class_name" not in document:
        raise ValueError(
            "A serialized schedule needs a 'class_name' (and a 'config'). "
            f"Received: {show(document)}"
        )
    class_name = document["class_name"]
    if not isinstance(class_name, str):
        raise TypeError(
            "'class_name' must be a string. "
            f"Received: class_name={show(class_name)} of type {type(class_name).__name__}"
        )
    for key in ("module", "registered_name"):
        value = document.get(key)
        if value is not None and not isinstance(value, str):
            raise TypeError(
                f"{key!r} must be a string or None. "
                f"Received: {key}={show(value)} of type {type(value).__name__}"
            )
    if "config" not in document:
        raise ValueError(
            f"The serialized {show(class_name)} has no 'config' "
            "(the constructor's keyword arguments, as a dict)."
        )
    body = document["config"]
    if not isinstance(body, dict):
        raise TypeError(
            f"The 'config' of {show(class_name)} must be a dict of constructor arguments. "
            f"Received: {show(body)} of type {type(body).__name__}"
        )
    registered = document.get("registered_name")
    cls, given = _lookup(class_name, registered, objects)
    module = document.get("module")
    allowed = (
        None,
        _registry.KERAS_MODULE,
        _registry.LIBRARY_MODULE,
        _KERAS_CLASSES,
        cls.__module__,
    )
    if not given and module not in allowed:
        raise ValueError(
            f"Refusing module={show(module)} for {class_name}: lrschedule reads schedules "
            f"of module {_registry.KERAS_MODULE!r} or {_registry.LIBRARY_MODULE!r} (or the "
            f"module of the registered class, {cls.__module__!r}). Nothing is imported "
            "from a serialized schedule."
        )
    return cls, class_name, body


def _lookup(
    class_name: str, registered: str | None, objects: Mapping[str, type]
) -> tuple[type[LearningRateSchedule], bool]:
    """The class, and whether it is one of the caller's ``custom_objects``."""
    found: type | None = None
    if registered is not None:
        found = objects.get(registered)
    if found is None:
        found = objects.get(class_name)
    if found is not None and issubclass(found, LearningRateSchedule):
        return found, True
    if registered is not None:
        found = _registry.user_class(registered)
    if found is None:
        library = _registry.library_class(class_name)
        library_name = f"{_registry.LIBRARY_MODULE}>{class_name}"
        keras_name = f"{_KERAS_CLASSES}>{class_name}"  # Keras's name of a drop-in class
        if library is not None and registered in (None, class_name, library_name, keras_name):
            found = library
    if found is not None and issubclass(found, LearningRateSchedule):
        return found, False
    raise _unknown(class_name, registered, objects)


def _unknown(class_name: str, registered: str | None, objects: Mapping[str, type]) -> ValueError:
    named = f"class_name={show(class_name)}"
    if registered is not None:
        named += f" (registered_name={show(registered)})"
    if class_name == _BASE_NAME:
        problem = (
            f"{_BASE_NAME} is the abstract base class, not a schedule; it cannot be deserialized."
        )
    else:
        problem = f"Unknown schedule {named}."
    known = f"lrschedule's schedules: {', '.join(_registry.library_names())}"
    users = _registry.user_names()
    if users:
        known += f"; registered: {', '.join(users)}"
    if objects:
        known += f"; custom_objects: {', '.join(sorted(objects))}"
    return ValueError(
        f"{problem} Known: {known}. Register your own class with @lrschedule.register, "
        "or pass it in `custom_objects`."
    )
