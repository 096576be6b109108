"""Thin launcher for a source checkout: `python main.py` is the `relapp` command."""

import sys

from relapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
