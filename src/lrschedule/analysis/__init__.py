"""Look at a schedule before training with it: values, key figures, the area under the curve.

Loaded on first use: ``import lrschedule`` does not import it.
"""

from __future__ import annotations

from lrschedule.analysis.core import (
    DEFAULT_FRACTIONS,
    Description,
    area,
    curve,
    describe,
    first_below,
    sample,
)

__all__ = ["DEFAULT_FRACTIONS", "Description", "area", "curve", "describe", "first_below", "sample"]
