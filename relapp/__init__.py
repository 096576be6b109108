"""Relapp: an offline customer-relationship manager for small shops."""

__version__ = "0.1.0"
