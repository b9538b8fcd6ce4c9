"""``python -m handoff_ai`` runs the ``handoff`` command."""

import sys

from .apps.cli import main

sys.exit(main())
