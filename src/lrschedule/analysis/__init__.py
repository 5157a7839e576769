"""Look at a schedule before training with it: values, key figures, the area under the curve.

* :func:`sample` evaluates a schedule on many steps at once and returns a NumPy array.
* :func:`describe` summarises a run of ``total_steps`` updates (steps ``0`` to
  ``total_steps - 1``) in a :class:`Description`: the learning rate at the start and at
  the end, the peak and the minimum with the first step that reaches each, the mean, the
  area under the curve, the steps at which the rate first falls below 50 %, 10 % and 1 %
  of the peak, and the breakpoints (stairs, restarts, boundaries, phase changes).
* :func:`area` is the total learning-rate budget of the run,

  .. math:: A = \\sum_{t=0}^{N-1} \\eta(t)

  the sum of the rates the ``N`` optimizer updates use (``sum(schedule(t) for t in
  range(N))``); the mean rate is ``A / N``. It is a sum over whole steps, not an integral,
  so a stair of ``k`` steps at rate ``v`` contributes exactly ``k * v``.
* :func:`compare` sets two schedules side by side (an edit and the plan it changes): the
  first step where they differ, the largest difference and the difference of their areas.
* :func:`first_below` finds the first step at which the rate is below a value.
* :func:`curve` chooses the steps a plot draws: evenly spaced points plus both sides of
  every breakpoint, so that no stair or restart is missed however long the run.

How the figures are computed
----------------------------
A schedule says what it knows of itself through the *analysis protocol* of
:class:`~lrschedule.LearningRateSchedule` (:mod:`lrschedule.core.contract`):
``breakpoints``, ``monotone_pieces``, ``smooth_pieces`` and ``area``, looked up by name on
any callable. The library's schedules answer it; a user's schedule that does gets the same
exact figures.

**Monotone pieces.** Every schedule of the library is monotone between consecutive
breakpoints (a composite is when its children are; the exception is
``CyclicalLearningRate(mode="exp_range")``, whose triangles ``gamma**t`` bends). For a
schedule that names its monotone runs (``monotone_pieces``), the extremes lie at the ends
of a run, and the first step below a value is found by comparing the ends of each run and
bisecting, on whole steps, inside the one run where the crossing happens: about
``log2(N)`` evaluations. Keras's decays without stairs are monotone over the whole run, so
their figures cost the same for ``10**12`` steps as for ten; otherwise the cost is two
evaluations per piece. A run of at most ``2**22`` steps whose pieces are short (under 64
steps on average) or more than 65,536 is read at every step instead (NumPy blocks, below),
as exact and a few calls per block; a longer run with more than 65,536 pieces is refused
with a ``ValueError`` rather than walked for minutes (``pieces.MAX_PIECES``). A user's class may
also declare that it is monotone and smooth between its breakpoints with a class attribute
``_monotone_pieces = True``.

**Closed forms.** The area of Keras's six schedules is a closed form (the schedule's
``area``, with the series of :mod:`lrschedule.core.sums`): geometric series for
``ExponentialDecay`` (stairs of ``decay_steps`` steps at ``r**k``, or ``sum(q**t) =
expm1(N log q) / expm1(log q)`` with ``q = decay_rate ** (1 / decay_steps)``); the digamma
difference ``psi(x + N) - psi(x) = sum(1 / (x + t))`` for ``InverseTimeDecay`` (by its
asymptotic series with Bernoulli numbers past 4,096 terms); a count of steps per value
for ``PiecewiseConstantDecay``; the sum of cosines over an arithmetic progression,
``sum(cos(a + j d), j < M) = sin(M d / 2) cos(a + (M - 1) d / 2) / sin(d / 2)``, for
``CosineDecay`` and each cycle of ``CosineDecayRestarts`` (equal cycles: a geometric
series in ``m_mul`` over the cycles); the Euler-Maclaurin formula with the polynomial's
exact derivatives for ``PolynomialDecay`` (its last 64 terms, where the derivatives grow,
added one by one). ``Constant``, ``Scale``, ``Join`` and ``Warmup`` add up their parts
(a ``Join`` child over its own span, a warmup ramp by its own closed form), each part by
whatever method it has; the method reported is then the least exact one used. Each is
accurate to a few units in the last place of a float. Stairs of a fractional number of
steps and ``PolynomialDecay(cycle=True)`` use the piecewise sums below.

**Piecewise sums.** Other schedules that name their smooth pieces (``smooth_pieces``: runs
on which they are monotone and smooth) are summed piece by piece. A piece whose two ends are
equal is constant (it is monotone): its length times its value. A piece of at most 4,096
steps is summed step by step. A longer one is summed step by step over its first and last
64 steps and, in between, by the Euler-Maclaurin formula:
the integral of the schedule evaluated at fractional steps (Gauss-Legendre, 16 nodes per
interval, on intervals that double in length away from the ends of the piece), plus the
end corrections ``(f(c) + f(d)) / 2 + (f'(d) - f'(c)) / 12 - (f'''(d) - f'''(c)) / 720``
with derivatives from central differences of whole steps. Its relative error is below
``1e-12`` for smooth pieces. Runs of at most ``2**20`` steps are summed step by step.

**Every step.** Anything else (a user's schedule that does not name its pieces, a
``Clip``, whose pieces bend where a bound starts to hold) is evaluated at every step, in
vectorized blocks of ``2**20`` steps when NumPy is installed, each block added pairwise
and the blocks with ``math.fsum``. This is the definition, so it is exact too, but its
cost grows with the run: about a second per ``10**8`` steps.

Which method gave the area is reported in :attr:`Description.area_method`.

NumPy is used when it is installed and the work is large; :func:`sample` needs it, the
rest works without it (``describe`` then evaluates Python numbers one by one).

The modules: :mod:`~lrschedule.analysis.evaluation` (sampling, values in blocks),
:mod:`~lrschedule.analysis.pieces` (the protocol's runs, first crossings, extremes),
:mod:`~lrschedule.analysis.areas` (the area and its method),
:mod:`~lrschedule.analysis.summary` (:func:`describe`) and :mod:`~lrschedule.analysis.grid`
(the steps a plot draws). Loaded on first use: ``import lrschedule`` does not import it.
"""

from __future__ import annotations

from lrschedule.analysis.areas import area
from lrschedule.analysis.compare import Comparison, compare
from lrschedule.analysis.evaluation import sample
from lrschedule.analysis.grid import curve
from lrschedule.analysis.pieces import first_below
from lrschedule.analysis.summary import DEFAULT_FRACTIONS, Description, describe

__all__ = [
    "DEFAULT_FRACTIONS",
    "Comparison",
    "Description",
    "area",
    "compare",
    "curve",
    "describe",
    "first_below",
    "sample",
]
