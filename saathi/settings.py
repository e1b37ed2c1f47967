"""Moved to :mod:`config.settings` (the bottom layer); kept so older scripts keep importing it."""

from config.settings import Settings, load

__all__ = ["Settings", "load"]
