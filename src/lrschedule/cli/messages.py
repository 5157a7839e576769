"""The text of the command's error messages."""

from __future__ import annotations

__all__ = ["one_line", "problem"]


def one_line(error: BaseException | str) -> str:
    """The message of ``error`` (or a text) on one line: every run of whitespace becomes one space.

    >>> one_line(ValueError("Argument `x` must be > 0.\\n  Received: x=0"))
    'Argument `x` must be > 0. Received: x=0'
    """
    return " ".join(str(error).split())


def problem(error: BaseException) -> str:
    """What went wrong, on one line: the message of a ``ValueError`` or ``TypeError``, and
    the type and message of any other error (an ``(errno, text)`` pair shown as its text).

    >>> problem(ValueError("Argument `x` must be > 0."))
    'Argument `x` must be > 0.'
    >>> problem(OverflowError(34, "Numerical result out of range"))
    'OverflowError: Numerical result out of range'
    >>> problem(MemoryError())
    'MemoryError'
    """
    if isinstance(error, (ValueError, TypeError)):
        return one_line(error)
    arguments = error.args
    if len(arguments) == 2 and isinstance(arguments[0], int) and isinstance(arguments[1], str):
        text = " ".join(arguments[1].split())
    else:
        text = one_line(error)
    name = type(error).__name__
    return f"{name}: {text}" if text else name
