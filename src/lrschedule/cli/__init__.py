"""The ``lrschedule`` command: print, describe and plot schedules from the shell."""

from __future__ import annotations

from lrschedule.cli.main import DEFAULT_SPEC, DEFAULT_STEPS, default_schedule, main, table_steps

__all__ = ["DEFAULT_SPEC", "DEFAULT_STEPS", "default_schedule", "main", "table_steps"]
