"""The shop's rules as plain Python. Nothing here may import Qt (a test enforces it)."""
