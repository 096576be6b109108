"""`python -m relapp`: the same as the `relapp` command."""

import sys

from relapp.cli import main

sys.exit(main())
