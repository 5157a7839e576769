"""Schedules as Keras 3 config dicts, JSON and TOML, both ways, safely.

:func:`serialize` and :func:`deserialize` (the codec), :func:`register` for a user's
schedule, :func:`save` and :func:`load` for files. Loaded on first use: ``import
lrschedule`` does not import it.
"""

from __future__ import annotations

from lrschedule.core.errors import MissingScheduleFileError
from lrschedule.serialization.codec import MAX_DEPTH, MAX_NESTING, deserialize, serialize
from lrschedule.serialization.files import SUFFIXES, load, save
from lrschedule.serialization.register import DEFAULT_PACKAGE, register

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
