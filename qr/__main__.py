"""Entry point for ``python -m qr``."""

import sys

from .cli import main

sys.exit(main())
