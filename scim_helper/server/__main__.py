"""``python -m scim_helper.server``: run the server in the foreground, as ``scim-course serve``."""

import sys

from .cli import main

sys.exit(main())
