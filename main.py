"""Thin launcher for a source checkout: `python main.py` is the `relapp` command.

It is also the frozen bundle's entry point (packaging/relapp.spec).
"""

import multiprocessing
import sys

from relapp.cli import main

if __name__ == "__main__":
    # In a frozen bundle, worker processes (a large import cleans rows in them) start as the
    # bundle's own program; this turns them into workers instead of a second Relapp.
    multiprocessing.freeze_support()
    sys.exit(main())
