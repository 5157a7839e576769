"""The names serialization knows: the library's schedules and the user's registered ones.

Two tables, filled only by code (never by what is being deserialized):

* the library's own schedules, by class name. Every public subclass of
  :class:`~lrschedule.schedules.base.Schedule` defined in the ``lrschedule`` package is added
  when its class statement runs (the ``Schedule`` metaclass calls
  :func:`add_library_class`), so a schedule written in a later module needs no extra step;
* the user's schedules, by registered name ``"package>Name"``, added by
  :func:`lrschedule.register`.

Deserialization resolves a name through these tables (and the caller's
``custom_objects``) and nowhere else: nothing is imported and no module's globals are read.
"""

from __future__ import annotations

import _thread

__all__ = [
    "KERAS_CLASS_NAMES",
    "KERAS_MODULE",
    "LIBRARY_MODULE",
    "add_library_class",
    "add_user_class",
    "library_class",
    "library_names",
    "user_class",
    "user_name",
    "user_names",
]

#: The ``module`` Keras 3 writes for its built-in schedules.
KERAS_MODULE = "keras.optimizers.schedules"
#: The ``module`` written for the library's other schedules.
LIBRARY_MODULE = "lrschedule"
#: Keras 3's six schedules: serialized in Keras's own envelope so that Keras reads them.
KERAS_CLASS_NAMES = frozenset(
    {
        "CosineDecay",
        "CosineDecayRestarts",
        "ExponentialDecay",
        "InverseTimeDecay",
        "PiecewiseConstantDecay",
        "PolynomialDecay",
    }
)

_LOCK = _thread.allocate_lock()
_LIBRARY: dict[str, type] = {}
_USER: dict[str, type] = {}
_USER_NAMES: dict[type, str] = {}


def _identity(cls: type) -> tuple[str, str]:
    return (cls.__module__, cls.__qualname__)


def add_library_class(cls: type) -> None:
    """Add ``cls`` to the library's table if it is a public class of the ``lrschedule`` package.

    Other classes (a user's subclass, a private helper base) are ignored. Two different
    library classes with one name are a programming error (``TypeError``); the same class
    statement run again (a module reload) replaces the entry.
    """
    module = cls.__module__
    if not (module == LIBRARY_MODULE or module.startswith(LIBRARY_MODULE + ".")):
        return
    name = cls.__name__
    if name.startswith("_"):
        return
    with _LOCK:
        known = _LIBRARY.get(name)
        if known is not None and known is not cls and _identity(known) != _identity(cls):
            raise TypeError(
                f"Two lrschedule classes are named {name!r}: "
                f"{known.__module__}.{known.__qualname__} and {module}.{cls.__qualname__}; "
                "class names must be unique to serialize."
            )
        _LIBRARY[name] = cls


def add_user_class(cls: type, registered_name: str) -> None:
    """Register ``cls`` under ``registered_name`` (``"package>Name"``).

    A name already taken by a different class raises ``ValueError``, unless it is the
    same class statement run again (same module and qualified name: a re-run notebook
    cell), which replaces it.
    """
    with _LOCK:
        known = _USER.get(registered_name)
        if known is not None and known is not cls and _identity(known) != _identity(cls):
            raise ValueError(
                f"The name {registered_name!r} is already registered for "
                f"{known.__module__}.{known.__qualname__}; cannot register "
                f"{cls.__module__}.{cls.__qualname__} under it too. Pass another "
                "`package` or `name` to `lrschedule.register`."
            )
        if known is not None and known is not cls:
            _USER_NAMES.pop(known, None)
        _USER[registered_name] = cls
        _USER_NAMES[cls] = registered_name


def library_class(name: str) -> type | None:
    """The library's schedule class named ``name``, or ``None``."""
    return _LIBRARY.get(name)


def user_class(registered_name: str) -> type | None:
    """The user's class registered as ``registered_name``, or ``None``."""
    return _USER.get(registered_name)


def user_name(cls: type) -> str | None:
    """The name ``cls`` was registered under (the latest), or ``None``."""
    return _USER_NAMES.get(cls)


def library_names() -> list[str]:
    """The library's class names, sorted."""
    return sorted(_LIBRARY)


def user_names() -> list[str]:
    """The registered names, sorted."""
    return sorted(_USER)
