"""The Counter view."""

from relapp.ui.counter.view import CounterView

__all__ = ["CounterView"]
