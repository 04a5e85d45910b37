"""Vigie: the control room for national digital exam days."""

__version__ = "0.1.0"
