"""``python -m handoff_ai`` runs the ``handoff`` command."""

import sys

from .cli import main

sys.exit(main())
