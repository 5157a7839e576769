"""The text of the command's error messages."""

from __future__ import annotations

__all__ = ["one_line"]


def one_line(error: BaseException) -> str:
    """The message of ``error`` on one line: every run of whitespace becomes one space.

    >>> one_line(ValueError("Argument `x` must be > 0.\\n  Received: x=0"))
    'Argument `x` must be > 0. Received: x=0'
    """
    return " ".join(str(error).split())
