"""Step counts in the units people plan in: their grammar, and their exact conversion to steps.

A step-count argument may be a string: a number and a unit, nothing else::

    "500ba"     500 optimizer steps (batches)      "3ep"      3 epochs
    "1.2e6sp"   1,200,000 samples                  "2.5e9tok" 2,500,000,000 tokens
    "10%"       10% of the whole run               "0.1dur"   a tenth of the whole run

The number is unsigned decimal digits with an optional fraction and an optional exponent
(``e`` and at most :data:`MAX_EXPONENT` in size); the string is at most :data:`MAX_LENGTH`
characters. Nothing else is accepted: no sign, no spaces, no ``inf`` or ``nan``. Parsing
is one pass over the characters (no ``eval``, no regular expression) and raises only
``ValueError`` or ``TypeError``.

A :class:`Run` holds what the units need: the run's length (``total``, in any unit but a
fraction of itself), ``steps_per_epoch``, ``samples_per_step`` and ``tokens_per_step``.
:meth:`Run.steps` converts a quantity exactly, in :class:`fractions.Fraction`::

    steps = n                          (ba)
          = n * steps_per_epoch        (ep)
          = n / samples_per_step       (sp)
          = n / tokens_per_step        (tok)
          = n * total_steps            (dur; % is n / 100 of it)

**Rounding, once.** The quantities a run is made of stay exact fractions (50,000 samples
at 128 a step is 390.625 steps per epoch; the run's total, too), and a step count in
units becomes a whole number of steps only at the end: :func:`whole_steps` rounds the
exact value to the nearest step, a tie to the even one (``round`` on a ``Fraction``).
To give an argument a fractional number of steps, pass a plain number (``decay_steps=2.5``).

This module is loaded only when a unit string is seen (it imports :mod:`fractions`).
"""

from __future__ import annotations

from fractions import Fraction

from lrschedule.core.errors import MissingRunValueError, UnresolvedScheduleError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "SUFFIXES",
    "UNITS",
    "MissingRunValueError",
    "Quantity",
    "Run",
    "UnresolvedScheduleError",
    "as_run",
    "parse",
    "whole_steps",
]

#: The longest unit string accepted, in characters.
MAX_LENGTH = 64
#: The largest exponent accepted, ``1e64`` (and the smallest, ``1e-64``).
MAX_EXPONENT = 64

#: The units, each with what it counts.
UNITS = {
    "ba": "optimizer steps",
    "ep": "epochs",
    "sp": "samples",
    "tok": "tokens",
    "dur": "fractions of the run",
    "%": "percent of the run",
}
#: The units as suffixes, longest first (a suffix is matched whole).
SUFFIXES = ("tok", "dur", "ba", "ep", "sp", "%")
#: The field of a Run each unit needs.
_NEEDS = {"ep": "steps_per_epoch", "sp": "samples_per_step", "tok": "tokens_per_step"}
_GRAMMAR = (
    "a number of steps, or a number and a unit: '500ba' (steps), '3ep' (epochs), "
    "'1.2e6sp' (samples), '2.5e9tok' (tokens), '10%' or '0.1dur' (of the whole run)"
)


class Quantity:
    """A parsed unit string: an exact, non-negative ``value`` in ``unit``.

    Attributes:
        text: The string as written (kept for configs and messages).
        value: The number, exactly.
        unit: One of :data:`UNITS`.
    """

    __slots__ = ("text", "unit", "value")

    def __init__(self, text: str, value: Fraction, unit: str) -> None:
        self.text = text
        self.value = value
        self.unit = unit

    def __repr__(self) -> str:
        return f"Quantity({self.text!r})"


def parse(name: str, text: Any) -> Quantity:
    """Read a unit string: ``"3ep"`` is ``Quantity(value=3, unit="ep")``.

    Args:
        name: The argument it is for (named in the error messages).
        text: The string.

    Raises:
        TypeError: ``text`` is not a string, or it is a number without a unit (``"100"``).
        ValueError: It is not a number and a unit (see the module documentation), it is
            longer than :data:`MAX_LENGTH`, or it counts a fraction of a step in ``ba``.
    """
    if type(text) is not str:
        raise TypeError(
            f"Argument `{name}` must be {_GRAMMAR}. "
            f"Received: {name}={text!r} of type {type(text).__name__}"
        )
    if len(text) > MAX_LENGTH:
        raise ValueError(
            f"Argument `{name}` must be {_GRAMMAR}, at most {MAX_LENGTH} characters. "
            f"Received: {name}={text[:24]!r}... ({len(text)} characters)"
        )
    unit = next((suffix for suffix in SUFFIXES if text.endswith(suffix)), None)
    value = None if unit is None else _number(text[: -len(unit)])
    if unit is None and _number(text) is not None:  # a number as a string: a type mistake
        raise TypeError(
            f"Argument `{name}` must be a real number (int or float), or a number and a unit "
            f"('{text}ba' for {text} steps; '3ep', '1.2e6sp', '2.5e9tok', '10%'). "
            f"Received: {name}={text!r} of type str"
        )
    if value is None or unit is None:
        raise ValueError(f"Argument `{name}` must be {_GRAMMAR}. Received: {name}={text!r}")
    if unit == "ba" and value.denominator != 1:
        raise ValueError(
            f"Argument `{name}` must count whole steps in 'ba'; pass a plain number for a "
            f"fractional count. Received: {name}={text!r}"
        )
    return Quantity(text, value, unit)


def _number(text: str) -> Fraction | None:
    """The exact value of ``digits[.digits][e[+|-]digits]``, or ``None`` if it is not one."""
    mantissa, marker, exponent_text = text.replace("E", "e").partition("e")
    whole, _, fraction = mantissa.partition(".")
    if not (whole or fraction) or not (_digits(whole) and _digits(fraction)):
        return None
    exponent = 0
    if marker:
        negative = exponent_text[:1] == "-"
        body = exponent_text[1:] if exponent_text[:1] in ("+", "-") else exponent_text
        if not body or len(body) > 3 or not _digits(body):
            return None
        exponent = -int(body) if negative else int(body)
        if abs(exponent) > MAX_EXPONENT:
            return None
    value = Fraction(int(whole + fraction), 10 ** len(fraction))
    return value * Fraction(10) ** exponent


def _digits(text: str) -> bool:
    """Whether ``text`` is ASCII digits only (``str.isdigit`` accepts other scripts too)."""
    return all("0" <= character <= "9" for character in text)


def whole_steps(exact: Fraction) -> int:
    """The whole number of steps nearest ``exact``; a tie goes to the even one."""
    return round(exact)


class Run:
    """What a run gives to turn units into steps; frozen, compared by value.

    Args:
        total: The run's length: a whole number of steps, or a unit string in any unit
            but a fraction of the run (``"30ep"``, ``"1e12tok"``). Needed by ``%`` and ``dur``.
        steps_per_epoch: Optimizer steps per epoch, needed by ``ep``: an ``int``, a
            :class:`~fractions.Fraction` (``Fraction(50000, 128)``) or a float (taken
            exactly); > 0.
        samples_per_step: Samples per optimizer step (batch size x gradient accumulation x
            world size), needed by ``sp``; > 0.
        tokens_per_step: Tokens per optimizer step, needed by ``tok``; > 0.

    Raises:
        TypeError: A value of the wrong type.
        ValueError: A value that is not > 0, or a ``total`` that is a fraction of the run.
    """

    __slots__ = ("samples_per_step", "steps_per_epoch", "tokens_per_step", "total")

    total: int | str | None
    steps_per_epoch: int | Fraction | None
    samples_per_step: int | Fraction | None
    tokens_per_step: int | Fraction | None

    def __init__(
        self,
        total: int | str | None = None,
        *,
        steps_per_epoch: int | float | Fraction | None = None,
        samples_per_step: int | float | Fraction | None = None,
        tokens_per_step: int | float | Fraction | None = None,
    ) -> None:
        if total is not None:
            if type(total) is str:
                unit = parse("total", total).unit
                if unit in ("%", "dur"):
                    raise ValueError(
                        "Argument `total` must be the run's length in steps, epochs, samples "
                        f"or tokens, not a fraction of the run. Received: total={total!r}"
                    )
            elif isinstance(total, bool) or not isinstance(total, int):
                raise TypeError(
                    "Argument `total` must be a whole number of steps or a unit string "
                    f"('30ep'). Received: total={total!r} of type {type(total).__name__}"
                )
            elif total <= 0:
                raise ValueError(f"Argument `total` must be > 0. Received: total={total!r}")
        store = object.__setattr__
        store(self, "total", total)
        store(self, "steps_per_epoch", _rate("steps_per_epoch", steps_per_epoch))
        store(self, "samples_per_step", _rate("samples_per_step", samples_per_step))
        store(self, "tokens_per_step", _rate("tokens_per_step", tokens_per_step))

    @classmethod
    def from_batch(
        cls,
        batch_size: int,
        *,
        grad_accumulation: int = 1,
        world_size: int = 1,
        sequence_length: int | None = None,
        samples_per_epoch: int | None = None,
        steps_per_epoch: int | float | Fraction | None = None,
        total: int | str | None = None,
    ) -> Run:
        """A run from its batch: ``samples_per_step = batch_size * grad_accumulation *
        world_size`` (per device, accumulated micro-batches, devices).

        ``tokens_per_step = samples_per_step * sequence_length`` when given;
        ``steps_per_epoch = samples_per_epoch / samples_per_step`` exactly when given
        (pass ``steps_per_epoch`` instead for a loader that drops or pads its last batch).

        >>> Run.from_batch(32, grad_accumulation=4, world_size=8, sequence_length=2048)
        Run(samples_per_step=1024, tokens_per_step=2097152)
        """
        for name, value in (
            ("batch_size", batch_size),
            ("grad_accumulation", grad_accumulation),
            ("world_size", world_size),
        ):
            _whole_positive(name, value)
        samples = batch_size * grad_accumulation * world_size
        tokens = None
        if sequence_length is not None:
            tokens = samples * _whole_positive("sequence_length", sequence_length)
        if samples_per_epoch is not None:
            if steps_per_epoch is not None:
                raise ValueError(
                    "Arguments `samples_per_epoch` and `steps_per_epoch` both give the "
                    "epoch's length: pass one. Received both"
                )
            per_epoch = Fraction(_whole_positive("samples_per_epoch", samples_per_epoch), samples)
            steps_per_epoch = per_epoch
        return cls(
            total,
            steps_per_epoch=steps_per_epoch,
            samples_per_step=samples,
            tokens_per_step=tokens,
        )

    @property
    def total_steps(self) -> Fraction:
        """The run's length in steps, exactly (it may be fractional: ``"3ep"`` at 390.625)."""
        if self.total is None:
            raise MissingRunValueError("The run's length is not given.", "total")
        if type(self.total) is str:
            return self._convert("total", parse("total", self.total))
        return Fraction(self.total)

    def steps(self, name: str, quantity: Quantity) -> Fraction:
        """``quantity`` in steps, exactly; ``name`` is the argument it is for."""
        return self._convert(name, quantity)

    def _convert(self, name: str, quantity: Quantity) -> Fraction:
        unit = quantity.unit
        if unit == "ba" or quantity.value == 0:  # zero is zero steps on any run
            return quantity.value
        if unit in ("%", "dur"):
            if self.total is None:
                raise MissingRunValueError(
                    f"Argument `{name}` is a fraction of the run ({quantity.text!r}): the run "
                    "must give its length, `total`.",
                    "total",
                )
            share = quantity.value / 100 if unit == "%" else quantity.value
            return share * self.total_steps
        field = _NEEDS[unit]
        per_step: int | Fraction | None = getattr(self, field)
        if per_step is None:
            raise MissingRunValueError(
                f"Argument `{name}` is in {UNITS[unit]} ({quantity.text!r}): the run must "
                f"give `{field}`.",
                field,
            )
        if unit == "ep":
            return Fraction(quantity.value * per_step)
        return Fraction(quantity.value / per_step)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Run is immutable: cannot set `{name}`. Build a new Run instead.")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Run is immutable: cannot delete `{name}`.")

    def _fields(self) -> tuple[Any, ...]:
        return (self.total, self.steps_per_epoch, self.samples_per_step, self.tokens_per_step)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Run:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, self._fields())

    def __repr__(self) -> str:
        names = ("total", "steps_per_epoch", "samples_per_step", "tokens_per_step")
        shown = [
            f"{key}={_shown(value)}"
            for key, value in zip(names, self._fields(), strict=True)
            if value is not None
        ]
        return f"Run({', '.join(shown)})"


def _rebuild(total: Any, steps_per_epoch: Any, samples_per_step: Any, tokens_per_step: Any) -> Run:
    return Run(
        total,
        steps_per_epoch=steps_per_epoch,
        samples_per_step=samples_per_step,
        tokens_per_step=tokens_per_step,
    )


def _shown(value: Any) -> str:
    if type(value) is Fraction:
        return f"Fraction({value.numerator}, {value.denominator})"
    return repr(value)


def _whole_positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Argument `{name}` must be a whole number. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value!r}")
    return int(value)


def _rate(name: str, value: Any) -> int | Fraction | None:
    """A positive exact number per step (or epoch): an ``int`` when it is whole."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise TypeError(
            f"Argument `{name}` must be a number (int, Fraction or float). "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    if isinstance(value, float) and not (value == value and abs(value) != float("inf")):
        raise ValueError(f"Argument `{name}` must be finite. Received: {name}={value!r}")
    exact = Fraction(value)
    if exact <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value!r}")
    return int(exact) if exact.denominator == 1 else exact


def as_run(value: Any) -> Run:
    """``value`` if it is a :class:`Run`; a total (``10000``, ``"30ep"``) as ``Run(total)``."""
    if type(value) is Run:
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return Run(value)
    raise TypeError(
        "Argument `run` must be a lrschedule Run (Run(total=..., steps_per_epoch=...)) or "
        f"the run's total steps. Received: run={value!r} of type {type(value).__name__}"
    )
