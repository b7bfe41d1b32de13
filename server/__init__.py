"""Cartilla: know-your-rights guides, the worker's log format, evidence checks and Web Push."""

__version__ = "0.1.0"
