"""``python -m lrschedule``: the command line."""

import sys

from lrschedule.cli import main

sys.exit(main())
