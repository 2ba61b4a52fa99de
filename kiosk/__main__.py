"""`python -m kiosk --server URL --data-dir DIR --source SOURCE [--port N]`."""

import sys

from .cli import main

sys.exit(main())
