"""The ``lrschedule`` command: print, describe and plot schedules from the shell."""

from __future__ import annotations

from lrschedule.cli.commands import table_steps
from lrschedule.cli.defaults import DEFAULT_SPEC, DEFAULT_STEPS, default_schedule
from lrschedule.cli.main import main

__all__ = ["DEFAULT_SPEC", "DEFAULT_STEPS", "default_schedule", "main", "table_steps"]
