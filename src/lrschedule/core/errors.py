"""Every exception class lrschedule defines, in one place.

Each is also a built-in exception (``ValueError`` mostly), so ``except ValueError``
catches every problem with a value, and each is re-exported where it is raised:
:class:`MissingScheduleFileError` from :mod:`lrschedule.serialization`,
:class:`SpecError` from :mod:`lrschedule.cli.spec`.
"""

from __future__ import annotations

__all__ = ["MissingScheduleFileError", "SpecError", "UsageError"]


class MissingScheduleFileError(FileNotFoundError, ValueError):
    """:func:`~lrschedule.load` was given a path where there is no file.

    Both a ``FileNotFoundError`` and a ``ValueError``: ``except ValueError`` catches every
    problem :func:`~lrschedule.load` reports, and ``except FileNotFoundError`` still works.
    """


class SpecError(ValueError):
    """A schedule spec that cannot be read; the message says where and why."""


class UsageError(Exception):
    """A problem with the command line or its input: one line, exit status 2."""
