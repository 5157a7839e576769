"""Schedules as Keras 3 config dicts, JSON and TOML, both ways, safely.

:func:`serialize` and :func:`deserialize` (the codec), :func:`register` for a user's
schedule, :func:`save` and :func:`load` for files. Loaded on first use: ``import
lrschedule`` does not import it.
"""

from __future__ import annotations

from lrschedule.serialization.codec import (
    DEFAULT_PACKAGE,
    MAX_DEPTH,
    MAX_NESTING,
    SUFFIXES,
    MissingScheduleFileError,
    deserialize,
    load,
    register,
    save,
    serialize,
)

__all__ = [
    "DEFAULT_PACKAGE",
    "MAX_DEPTH",
    "MAX_NESTING",
    "SUFFIXES",
    "MissingScheduleFileError",
    "deserialize",
    "load",
    "register",
    "save",
    "serialize",
]
