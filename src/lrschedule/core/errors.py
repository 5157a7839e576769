"""Every exception class lrschedule defines, in one place.

Each is also a built-in exception (``ValueError`` mostly), so ``except ValueError``
catches every problem with a value, and each is re-exported where it is raised:
:class:`MissingScheduleFileError` from :mod:`lrschedule.serialization`,
:class:`SpecError` from :mod:`lrschedule.cli.spec`, :class:`MissingRunValueError` and
:class:`UnresolvedScheduleError` from :mod:`lrschedule.core.units`.
"""

from __future__ import annotations

__all__ = [
    "MissingRunValueError",
    "MissingScheduleFileError",
    "SpecError",
    "UnresolvedScheduleError",
    "UsageError",
]


class MissingScheduleFileError(FileNotFoundError, ValueError):
    """:func:`~lrschedule.load` was given a path where there is no file.

    Both a ``FileNotFoundError`` and a ``ValueError``: ``except ValueError`` catches every
    problem :func:`~lrschedule.load` reports, and ``except FileNotFoundError`` still works.
    """


class SpecError(ValueError):
    """A schedule spec that cannot be read; the message says where and why."""


class UsageError(Exception):
    """A problem with the command line or its input: one line, exit status 2."""


class MissingRunValueError(ValueError):
    """A step count in units needs a number that the run does not give.

    Attributes:
        problem: What is missing, and for which argument.
        field: The :class:`~lrschedule.Run` field to give (``"steps_per_epoch"``, ...).
    """

    def __init__(self, problem: str, field: str) -> None:
        super().__init__(f"{problem} Pass `Run({field}=...)` to `resolve`.")
        self.problem = problem
        self.field = field


class UnresolvedScheduleError(TypeError):
    """A schedule with step counts in units was evaluated before it was resolved."""
